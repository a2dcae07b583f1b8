//! `imagross bench api`: simulated tills push receipts through the REST API of an in-process
//! server on a loopback port, embedded store, at a target rate (default 500 receipts/s for
//! 60 s, 16 tills with their own store keys, each sending on a fixed schedule over keep-alive
//! HTTP/1.1). Prints throughput and latency percentiles, then checks the store: every
//! acknowledged receipt stored exactly once, with its lines, and the points ledger matching.
//! With `--sqlite FILE` the file is copied first (the benchmark writes). With `--watch` the
//! server's background rebuilds run too, as in production.

use std::time::{Duration, Instant};

use super::loadgen::{self, Conn, Expected};
use crate::http::router;
use crate::store::DatabaseUrl;
use crate::store::{self, Table};

/// Runs the benchmark.
pub async fn run(
    source: &super::BenchStore,
    rate: u32,
    seconds: u64,
    tills: u32,
    watch: bool,
    build: crate::cli::BuildState,
) -> anyhow::Result<()> {
    let (path, cleanup) = match &source.sqlite {
        Some(file) => {
            let dir = super::tempfile_dir()?;
            let copy = dir.join("bench.sqlite");
            std::fs::copy(file, &copy)?;
            (copy, Some(dir))
        }
        None => super::analytics::bench_store(source).await?,
    };
    let store = store::open(&DatabaseUrl::Sqlite(path.clone())).await?;
    let state = super::bench_state(store.clone(), build)?;
    let projection = state.projection.clone();
    projection.refresh(store.as_ref()).await?;
    let snap = projection.snapshot().ok_or_else(|| anyhow::anyhow!("no projection"))?;
    let cards: Vec<String> = (0..snap.data.cards.len() as u32)
        .filter(|c| snap.data.cards.registered[*c as usize])
        .take(20_000)
        .map(|c| snap.data.cards.number.value(c).to_string())
        .collect();
    println!("store ready: {} receipts, {} cardholders used by the tills", snap.data.receipts.len(), cards.len());
    drop(snap);
    super::checkpoint(&path)?;
    let mut keys = Vec::new();
    for t in 0..tills {
        let (_, key) =
            crate::till_api::keys::create(store.as_ref(), &format!("LIVE{t:02}"), Some("bench"), "bench").await?;
        keys.push(key);
    }
    let claims_before = store.count(Table::ApiReceipts).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    // As in production: the projection is rebuilt in the background once live receipts have
    // waited a minute (so runs longer than that include rebuilds under load).
    let watcher = watch.then(|| {
        let (projection, store) = (projection.clone(), store.clone());
        tokio::spawn(async move { projection.watch(store).await })
    });

    let day = crate::clock::today_date().iso();
    let interval = Duration::from_secs_f64(f64::from(tills) / f64::from(rate.max(1)));
    let started = Instant::now();
    let stop = started + Duration::from_secs(seconds);
    let bonus = crate::config::Tuning::default().promo_bonus_points;
    let cards = std::sync::Arc::new(cards);
    let mut tasks = Vec::new();
    for (t, key) in keys.into_iter().enumerate() {
        let (cards, day) = (cards.clone(), day.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::new(addr);
            let (mut acked, mut latencies, mut errors, mut late) = (Vec::new(), Vec::new(), 0u64, Duration::ZERO);
            let store_id = format!("LIVE{t:02}");
            // Tills start spread over one interval so the load is even.
            let first = started + interval.mul_f64(t as f64 / f64::from(tills));
            for n in 0u64.. {
                let due = first + interval * n as u32;
                if due >= stop {
                    break;
                }
                let now = Instant::now();
                if now < due {
                    tokio::time::sleep(due - now).await;
                } else {
                    late = late.max(now - due);
                }
                let (body, expected): (serde_json::Value, Expected) =
                    loadgen::receipt(&store_id, t as u32, n, &day, &cards, bonus);
                let bytes = serde_json::to_vec(&body).unwrap_or_default();
                match loadgen::send_until_acked(&mut conn, &key, &bytes, Instant::now() + Duration::from_secs(30)).await
                {
                    Ok(sent) => {
                        latencies.push(sent.latency);
                        acked.push(expected);
                    }
                    Err(e) => {
                        errors += 1;
                        if errors <= 3 {
                            eprintln!("till {t}: {e}");
                        }
                    }
                }
            }
            (acked, latencies, errors, late)
        }));
    }
    let (mut acked, mut latencies, mut errors, mut late) = (Vec::new(), Vec::new(), 0, Duration::ZERO);
    for task in tasks {
        let (a, l, e, lt) = task.await?;
        acked.extend(a);
        latencies.extend(l);
        errors += e;
        late = late.max(lt);
    }
    let elapsed = started.elapsed().as_secs_f64();
    server.abort();
    if let Some(w) = watcher {
        w.abort();
    }
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len().max(1)) - 1)
            .copied()
            .unwrap_or_default()
            .as_secs_f64()
            * 1e3
    };
    println!(
        "{} receipts acknowledged in {:.1} s = {:.0} receipts/s (target {rate}/s, {tills} tills), {} errors, worst schedule slip {:.0} ms",
        acked.len(),
        elapsed,
        acked.len() as f64 / elapsed,
        errors,
        late.as_secs_f64() * 1e3
    );
    println!(
        "latency p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(0.5),
        pct(0.95),
        pct(0.99),
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
    let t = Instant::now();
    let v = loadgen::verify(store.as_ref(), &acked, claims_before).await?;
    println!(
        "check ({:.1} s): {} of {} acknowledged receipts stored exactly once with their lines; {} missing or wrong; {} extra; points ledger: {} entries match, {} wrong",
        t.elapsed().as_secs_f64(),
        v.stored_once,
        v.acknowledged,
        v.missing_or_wrong,
        v.extra_claims,
        v.ledger_matching,
        v.ledger_wrong
    );
    if let Some(dir) = cleanup {
        let _ = std::fs::remove_dir_all(dir);
    }
    anyhow::ensure!(v.ok() && errors == 0, "the check failed");
    Ok(())
}
