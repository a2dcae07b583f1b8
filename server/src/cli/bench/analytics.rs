//! `imagross bench analytics`: on the default demo set (generated and imported into a fresh
//! embedded store, or an existing SQLite file with `--sqlite`), times the engine build, its
//! memory per sales line, every dashboard query (p50/p95 over a set of filter combinations), a
//! full dashboard refresh after a filter change (RFM cache cold), the customer list, and the
//! same KPIs and groupings as SQL `GROUP BY` queries on the SQLite file, with the ratio.

use std::time::{Duration, Instant};

use app::model::analytics::{CustomerQuery, Filters};

use crate::analytics::{rfm, service, widgets, Snapshot};
use crate::clock::day_iso;
use crate::projection::{load, Change};
use crate::store;
use crate::store::DatabaseUrl;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let idx = ((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1;
    samples[idx]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn filter_sets(snap: &Snapshot) -> Vec<Filters> {
    let opts = snap.options();
    let store = opts.shops.first().map(|s| s.0.clone()).unwrap_or_default();
    let store2 = opts.shops.get(1).map(|s| s.0.clone()).unwrap_or_default();
    let dept = opts.departments.first().map(|s| s.0.clone()).unwrap_or_default();
    let promo = opts.promotions.first().map(|s| s.0.clone()).unwrap_or_default();
    let q = |pairs: &[(&str, &str)]| Filters::from_pairs(pairs.iter().copied()).expect("valid bench filters");
    vec![
        q(&[("range", "7d")]),
        q(&[("range", "30d")]),
        q(&[("range", "90d")]),
        q(&[("range", "ytd")]),
        q(&[("range", "12m")]),
        q(&[("range", "all")]),
        q(&[("range", "30d"), ("store", &store)]),
        q(&[("range", "90d"), ("store", &store), ("store", &store2)]),
        q(&[("range", "30d"), ("dept", &dept)]),
        q(&[("range", "12m"), ("dept", &dept), ("store", &store)]),
        q(&[("range", "90d"), ("promo", &promo)]),
        q(&[("range", "12m"), ("promo", "any")]),
        q(&[("range", "30d"), ("gender", "F")]),
        q(&[("range", "12m"), ("age", "35-44")]),
        q(&[("range", "90d"), ("segment", "champions")]),
        q(&[("range", "12m"), ("segment", "at_risk"), ("gender", "M"), ("store", &store)]),
    ]
}

/// The SQLite file to benchmark: the given one, or the demo set generated into a scratch dir.
pub(super) async fn bench_store(
    source: &super::BenchStore,
) -> anyhow::Result<(std::path::PathBuf, Option<std::path::PathBuf>)> {
    Ok(match source.sqlite.clone() {
        Some(p) => (p, None),
        None => {
            let dir = super::tempfile_dir()?;
            let path = dir.join("bench.sqlite");
            super::generate_and_import(source.demo, &dir, &DatabaseUrl::Sqlite(path.clone())).await?;
            (path, Some(dir))
        }
    })
}

/// `bench clv`: both fits and every cardholder's predictions, timed (best of 3 and worst).
pub async fn run_clv(source: &super::BenchStore) -> anyhow::Result<()> {
    let (path, cleanup) = bench_store(source).await?;
    let store = store::open(&DatabaseUrl::Sqlite(path)).await?;
    let data = load(store.as_ref()).await?;
    let as_of = data.last_day().ok_or_else(|| anyhow::anyhow!("no receipts"))?;
    let data = std::sync::Arc::new(data);
    let mut runs = Vec::new();
    for _ in 0..3 {
        let d = data.clone();
        let m = tokio::task::spawn_blocking(move || {
            crate::analytics::clv::ClvModel::fit(&d, as_of, crate::config::DEFAULT_MONTHLY_DISCOUNT)
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("nothing to fit"))?;
        runs.push(m);
    }
    let m = &runs[0];
    let b = m.bgnbd.params;
    println!("cardholders with receipts: {} (repeat buyers: {})", m.bgnbd.n, m.gamma_gamma.as_ref().map_or(0, |g| g.n));
    println!(
        "BG/NBD r = {:.4}, alpha = {:.4}, a = {:.4}, b = {:.4}, log-likelihood {:.1}",
        b.r, b.alpha, b.a, b.b, m.bgnbd.log_likelihood
    );
    if let Some(g) = &m.gamma_gamma {
        println!(
            "Gamma-Gamma p = {:.4}, q = {:.4}, v = {:.4}, log-likelihood {:.1}",
            g.params.p, g.params.q, g.params.v, g.log_likelihood
        );
    }
    let fit: Vec<f64> = runs.iter().map(|m| m.fit_ms).collect();
    let predict: Vec<f64> = runs.iter().map(|m| m.predict_ms).collect();
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    println!("both fits (summaries included): best {:.0} ms, worst {:.0} ms (target <= 2000 ms)", min(&fit), max(&fit));
    println!(
        "predictions for every cardholder: best {:.0} ms, worst {:.0} ms (target <= 200 ms)",
        min(&predict),
        max(&predict)
    );
    if let Some(dir) = cleanup {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(())
}

/// Runs the benchmark.
pub async fn run(source: &super::BenchStore, rounds: u32, json: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    let (path, cleanup) = bench_store(source).await?;
    let store = store::open(&DatabaseUrl::Sqlite(path.clone())).await?;

    let rss_before = super::current_rss_mib().unwrap_or(0.0);
    super::reset_peak_rss();
    let started = Instant::now();
    let data = load(store.as_ref()).await?;
    let build = started.elapsed();
    let rss_after = super::current_rss_mib().unwrap_or(0.0);
    let peak = super::peak_rss_mib().unwrap_or(0.0);
    let lines = data.lines.len().max(1);
    println!(
        "engine build from the embedded store: {:.2} s  ({} cardholders, {} receipts, {} sales lines)",
        build.as_secs_f64(),
        data.cards.len(),
        data.receipts.len(),
        data.lines.len()
    );
    println!(
        "engine memory: {:.1} MiB = {:.1} bytes per sales line (resident growth while building: {:.0} MiB at the end, {:.0} MiB at the peak = {:.2} x the projection)",
        data.heap_bytes() as f64 / 1_048_576.0,
        data.heap_bytes() as f64 / lines as f64,
        rss_after - rss_before,
        peak - rss_before,
        (peak - rss_before) * 1_048_576.0 / data.heap_bytes().max(1) as f64
    );
    append_figures(&data).await;
    let snap = Snapshot::new(data);
    let sets = filter_sets(&snap);

    type Query = fn(&Snapshot, &Filters);
    let queries: Vec<(&str, Query)> = vec![
        ("kpis (+ previous period)", |s, f| {
            let (sel, _) = s.select(f).unwrap();
            std::hint::black_box(widgets::kpis(&sel));
        }),
        ("revenue over time", |s, f| {
            let (sel, _) = s.select(f).unwrap();
            std::hint::black_box(widgets::series(&sel));
        }),
        ("departments", |s, f| {
            let (sel, _) = s.select(f).unwrap();
            std::hint::black_box(widgets::departments(&sel));
        }),
        ("top products", |s, f| {
            let (sel, _) = s.select(f).unwrap();
            std::hint::black_box(widgets::top_products(&sel, 10));
        }),
        ("promotions + uplift", |s, f| {
            let (sel, _) = s.select(f).unwrap();
            std::hint::black_box(widgets::promotions(&sel));
        }),
        ("stores", |s, f| {
            let (sel, _) = s.select(f).unwrap();
            std::hint::black_box(widgets::shops(&sel));
        }),
        ("weekday x hour", |s, f| {
            let (sel, _) = s.select(f).unwrap();
            std::hint::black_box(widgets::heatmap(&sel));
        }),
        ("loyalty basket", |s, f| {
            let (sel, _) = s.select(f).unwrap();
            std::hint::black_box(widgets::basket(&sel));
        }),
        ("rfm scoring (uncached)", |s, f| {
            let (sel, _) = s.select(f).unwrap();
            std::hint::black_box(rfm::compute(&s.data, sel.window.from, sel.window.to));
        }),
        ("rfm segments", |s, f| {
            let (sel, r) = s.select(f).unwrap();
            std::hint::black_box(widgets::segments(&sel, &r));
        }),
        ("r x f grid", |s, f| {
            let (sel, r) = s.select(f).unwrap();
            std::hint::black_box(widgets::rf_grid(&sel, &r));
        }),
        ("cohort retention", |s, f| {
            let (sel, _) = s.select(f).unwrap();
            std::hint::black_box(widgets::cohorts(&sel));
        }),
        ("customer list page", |s, f| {
            let q = CustomerQuery { filters: f.clone(), ..CustomerQuery::from_pairs([]).unwrap() };
            std::hint::black_box(service::customer_page(s, q).unwrap());
        }),
    ];
    // Warm the RFM cache for every window first: single queries read it like the server does.
    for f in &sets {
        let _ = snap.select(f);
    }
    println!(
        "\n{:<28} {:>9} {:>9} {:>9}   ({} filter sets x {} rounds)",
        "dashboard query",
        "p50 ms",
        "p95 ms",
        "max ms",
        sets.len(),
        rounds
    );
    let mut worst_p95 = Duration::ZERO;
    for (name, q) in &queries {
        let mut samples = Vec::new();
        for _ in 0..rounds {
            for f in &sets {
                let t = Instant::now();
                q(&snap, f);
                samples.push(t.elapsed());
            }
        }
        if std::env::var("BENCH_DETAIL").is_ok() {
            let per: Vec<String> =
                samples.chunks(sets.len()).next().unwrap().iter().map(|d| format!("{:.1}", ms(*d))).collect();
            println!("  {name}: {}", per.join(" "));
        }
        let p50 = percentile(&mut samples, 0.50);
        let p95 = percentile(&mut samples, 0.95);
        let max = *samples.last().unwrap();
        worst_p95 = worst_p95.max(p95);
        println!("{name:<28} {:>9.2} {:>9.2} {:>9.2}", ms(p50), ms(p95), ms(max));
    }
    println!("worst query p95: {:.2} ms (target <= 10 ms, floor 50 ms)", ms(worst_p95));

    // A full refresh after a filter change: every widget, RFM cache cold.
    let mut full = Vec::new();
    for _ in 0..rounds {
        for f in &sets {
            snap.clear_rfm_cache();
            let t = Instant::now();
            std::hint::black_box(snap.dashboard(f).unwrap());
            full.push(t.elapsed());
        }
    }
    let p95 = percentile(&mut full, 0.95);
    println!(
        "full dashboard refresh after a filter change: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (target <= 50 ms, floor 150 ms)",
        ms(percentile(&mut full, 0.5)),
        ms(p95),
        ms(*full.last().unwrap())
    );

    sql_comparison(&path, &snap).await?;
    if let Some(out) = json {
        std::fs::write(&out, serde_json::to_string_pretty(&engine_times(&snap))?)?;
        println!("engine times for the DuckDB comparison written to {}", out.display());
    }
    if let Some(dir) = cleanup {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(())
}

/// The same KPIs and groupings as SQL on the SQLite file, timed, with the engine's time.
async fn sql_comparison(path: &std::path::Path, snap: &Snapshot) -> anyhow::Result<()> {
    let Some(last) = snap.data.last_day() else { return Ok(()) };
    let f = Filters::from_pairs([("range", "90d")]).unwrap();
    let (sel, _) = snap.select(&f).unwrap();
    let from = day_iso(sel.window.from);
    let to_excl = day_iso(last + 1);
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let sqls: Vec<(&str, String)> = vec![
        ("kpis", "SELECT COUNT(*), SUM(net_cents), SUM(discount_cents), COUNT(DISTINCT card_number) FROM receipts WHERE issued_at >= ?1 AND issued_at < ?2".into()),
        ("departments", "SELECT l.department_id, SUM(l.net_cents), COUNT(DISTINCT l.receipt_id) FROM sales_lines l JOIN receipts r ON r.id = l.receipt_id WHERE r.issued_at >= ?1 AND r.issued_at < ?2 GROUP BY l.department_id".into()),
        ("stores", "SELECT shop_id, SUM(net_cents), COUNT(*), COUNT(DISTINCT card_number) FROM receipts WHERE issued_at >= ?1 AND issued_at < ?2 GROUP BY shop_id".into()),
        ("top products", "SELECT l.product_id, SUM(l.net_cents) AS revenue FROM sales_lines l JOIN receipts r ON r.id = l.receipt_id WHERE r.issued_at >= ?1 AND r.issued_at < ?2 GROUP BY l.product_id ORDER BY revenue DESC LIMIT 10".into()),
    ];
    println!("\nSQL GROUP BY on the SQLite store vs the engine, 90-day window {from}..{}:", day_iso(last));
    println!("{:<14} {:>10} {:>10} {:>8}", "query", "sql ms", "engine ms", "ratio");
    for (name, sql) in sqls {
        let t = Instant::now();
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params![from, to_excl], |_| Ok(()))?.count();
        let sql_time = t.elapsed();
        let t = Instant::now();
        match name {
            "kpis" => {
                std::hint::black_box(widgets::totals(&sel));
            }
            "departments" => {
                std::hint::black_box(widgets::departments(&sel));
            }
            "stores" => {
                std::hint::black_box(widgets::shops(&sel));
            }
            _ => {
                std::hint::black_box(widgets::top_products(&sel, 10));
            }
        }
        let engine = t.elapsed();
        println!(
            "{name:<14} {:>10.1} {:>10.2} {:>7.0}x   ({rows} rows)",
            ms(sql_time),
            ms(engine),
            sql_time.as_secs_f64() / engine.as_secs_f64().max(1e-9)
        );
    }
    Ok(())
}

/// Best of 7 of the queries the DuckDB script repeats, on the same windows: the last 90 days
/// (RFM: 12 months; cohorts: the 12 months up to the window's end), with the windows' dates.
fn engine_times(snap: &Snapshot) -> serde_json::Value {
    let f90 = Filters::from_pairs([("range", "90d")]).unwrap();
    let f12 = Filters::from_pairs([("range", "12m")]).unwrap();
    let (sel, _) = snap.select(&f90).unwrap();
    let (year, _) = snap.select(&f12).unwrap();
    let best = |q: &dyn Fn()| {
        (0..7)
            .map(|_| {
                let t = Instant::now();
                q();
                ms(t.elapsed())
            })
            .fold(f64::INFINITY, f64::min)
    };
    let times = serde_json::json!({
        "kpis": best(&|| { std::hint::black_box(widgets::totals(&sel)); }),
        "departments": best(&|| { std::hint::black_box(widgets::departments(&sel)); }),
        "stores": best(&|| { std::hint::black_box(widgets::shops(&sel)); }),
        "top products": best(&|| { std::hint::black_box(widgets::top_products(&sel, 10)); }),
        "weekday x hour": best(&|| { std::hint::black_box(widgets::heatmap(&sel)); }),
        "rfm scoring, 12 months": best(&|| { std::hint::black_box(rfm::compute(&snap.data, year.window.from, year.window.to)); }),
        "cohorts": best(&|| { std::hint::black_box(widgets::cohorts(&sel)); }),
    });
    serde_json::json!({
        "from": day_iso(sel.window.from),
        "to": day_iso(sel.window.to),
        "year_from": day_iso(year.window.from),
        "cohort_months": widgets::COHORT_MONTHS,
        "lines": snap.data.lines.len(),
        "engine_ms": times,
    })
}

/// The last day's receipts again, `later` days later, as the tills would send them.
fn next_day(data: &crate::projection::dataset::Dataset, later: i32) -> Vec<crate::projection::live::LiveEntry> {
    use crate::store::model::{Department, Product, Promotion, Receipt, SalesLine, Shop};
    let Some(last) = data.last_day() else { return Vec::new() };
    let (r, l) = (&data.receipts, &data.lines);
    r.day_range(last, last)
        .map(|i| {
            let id = format!("{}+{later}", r.id[i]);
            let shop = Shop {
                id: data.shops.value(r.shop[i]).to_string(),
                name: data.shop_names[r.shop[i] as usize].to_string(),
                city: None,
                province: None,
            };
            let mut entry = crate::projection::live::LiveEntry {
                receipt: Receipt {
                    id: id.clone(),
                    shop_id: shop.id.clone(),
                    issued_at: crate::clock::iso_minute(last + later, r.minute[i]),
                    till: "1".into(),
                    number: id.clone(),
                    card_number: (r.card[i] != crate::projection::dataset::NONE)
                        .then(|| data.cards.number.value(r.card[i]).to_string()),
                    gross_cents: r.gross[i],
                    discount_cents: r.discount[i],
                    net_cents: r.net[i],
                },
                lines: Vec::new(),
                shop,
                products: Vec::new(),
                departments: Vec::new(),
                promotions: Vec::new(),
            };
            for (n, k) in r.lines(i).enumerate() {
                let product = data.products.value(l.product[k]).to_string();
                let department = (l.department[k] != crate::projection::dataset::NO_DEPARTMENT)
                    .then(|| data.departments.value(u32::from(l.department[k])).to_string());
                let promotion =
                    (l.promotion[k] != 0).then(|| data.promotions.value(u32::from(l.promotion[k]) - 1).to_string());
                entry.products.push(Product {
                    id: product.clone(),
                    description: product.clone(),
                    department_id: None,
                    brand: None,
                });
                entry.departments.extend(department.clone().map(|d| Department { id: d.clone(), name: d }));
                entry.promotions.extend(promotion.clone().map(|p| Promotion {
                    id: p.clone(),
                    description: p,
                    kind: None,
                    starts_on: None,
                    ends_on: None,
                }));
                entry.lines.push(SalesLine {
                    id: SalesLine::key(&id, n as i64 + 1),
                    receipt_id: id.clone(),
                    line_no: n as i64 + 1,
                    product_id: product,
                    department_id: department,
                    quantity_milli: i64::from(l.quantity[k]),
                    gross_cents: i64::from(l.gross[k]),
                    discount_cents: i64::from(l.discount[k]),
                    net_cents: i64::from(l.net[k]),
                    promotion_id: promotion,
                });
            }
            entry
        })
        .collect()
}

/// Appending to the projection as the server does (the engine with its spare): the spare copy a
/// build makes, then 20 receipts one append each and three whole days, a day per append, in
/// place.
async fn append_figures(data: &crate::projection::dataset::Dataset) {
    use crate::projection::Engine;
    let singles = next_day(data, 1);
    let day = &singles;
    if singles.len() < 21 {
        return;
    }
    let engine = std::sync::Arc::new(Engine::new(crate::analytics::Models::default()));
    engine.install(Snapshot::with_clv(data.clone(), None));
    let append = |entries: Vec<crate::projection::live::LiveEntry>| {
        let engine = engine.clone();
        async move {
            let current = engine.snapshot().expect("installed");
            let n = current.data.receipts.len() + entries.len();
            let t = Instant::now();
            let grown = engine.append(current, Change::Receipts { entries, cardholders: Vec::new() }).await;
            let elapsed = ms(t.elapsed());
            assert_eq!(grown.data.receipts.len(), n);
            elapsed
        }
    };
    let t = Instant::now();
    engine.prepare_spare();
    let spare = ms(t.elapsed());
    let mut one = Vec::new();
    for e in &singles[..20] {
        one.push(append(vec![e.clone()]).await);
    }
    one.sort_by(f64::total_cmp);
    let lines: usize = day.iter().map(|e| e.lines.len()).sum();
    let receipts = day.len();
    // A day's receipts in one append, three days running: the first on each of the two
    // datasets grows the per-day lists of most products; the third is the steady cost.
    let mut days = Vec::new();
    for later in 2..5 {
        days.push(append(next_day(data, later)).await);
    }
    let (copied, in_place) = engine.append_counts();
    println!(
        "append to the projection: the spare copy made after a build {spare:.1} ms; then in place: one receipt p50 {:.2} ms (best {:.2}, worst {:.2}, 20 appends); one day ({receipts} receipts, {lines} lines) {:.1} ms (the first two days: {:.1} and {:.1} ms)  [{copied} copied, {in_place} in place]",
        one[one.len() / 2],
        one[0],
        one[one.len() - 1],
        days[2],
        days[0],
        days[1],
    );
}
