//! The demo data set: deterministic, realistic, and importable with matching totals.

use crate::common;

use std::collections::HashMap;
use std::path::Path;

use app::validate::{ean13, SimpleDate};
use imagross::demo::{generate, DemoFormat, DemoOptions};
use imagross::import::pipeline::{import_file, ImportOptions};
use imagross::store::{StoreExt, Table};

fn options(out: &Path, customers: u32, months: u32, seed: u64) -> DemoOptions {
    DemoOptions {
        customers,
        months,
        seed,
        end: SimpleDate::new(2025, 12, 31).unwrap(),
        out: out.to_path_buf(),
        format: DemoFormat::Csv,
    }
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path).unwrap().lines().skip(1).map(|l| l.split(';').map(str::to_string).collect()).collect()
}

fn cents(s: &str) -> i64 {
    let negative = s.starts_with('-');
    let (i, f) = s.trim_start_matches('-').split_once(',').unwrap();
    let v = i.parse::<i64>().unwrap() * 100 + f.parse::<i64>().unwrap();
    if negative {
        -v
    } else {
        v
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    generate(&options(a.path(), 300, 2, 7)).unwrap();
    generate(&options(b.path(), 300, 2, 7)).unwrap();
    generate(&options(c.path(), 300, 2, 8)).unwrap();
    for f in ["fidelity.csv", "scontrini.csv", "vendite.csv"] {
        let (x, y, z) = (
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
            std::fs::read(c.path().join(f)).unwrap(),
        );
        assert_eq!(x, y, "{f} differs for the same seed");
        assert_ne!(x, z, "{f} is the same for another seed");
    }
}

#[test]
fn the_data_looks_like_a_supermarket_chain() {
    let dir = tempfile::tempdir().unwrap();
    let stats = generate(&options(dir.path(), 2000, 12, 42)).unwrap();
    let receipts = rows(&dir.path().join("scontrini.csv"));
    let lines = rows(&dir.path().join("vendite.csv"));
    assert_eq!(receipts.len() as u64, stats.receipts);
    assert_eq!(lines.len() as u64, stats.lines);
    // About a third of receipts without a card.
    let anonymous = receipts.iter().filter(|r| r[6].is_empty()).count() as f64 / receipts.len() as f64;
    assert!((0.28..0.40).contains(&anonymous), "anonymous share {anonymous}");
    // Receipts total their lines, and about ten lines a receipt.
    let receipt_net: i64 = receipts.iter().map(|r| cents(&r[9])).sum();
    let line_net: i64 = lines.iter().map(|l| cents(&l[13])).sum();
    assert_eq!(receipt_net, line_net);
    let per_receipt = lines.len() as f64 / receipts.len() as f64;
    assert!((6.0..14.0).contains(&per_receipt), "{per_receipt} lines per receipt");
    // December peak, August dip.
    let by_month =
        |m: &str| receipts.iter().filter(|r| r[2].ends_with(&format!("/{m}/2025"))).map(|r| cents(&r[9])).sum::<i64>();
    assert!(
        by_month("12") > by_month("10") && by_month("10") > by_month("08"),
        "Dec {} Oct {} Aug {}",
        by_month("12"),
        by_month("10"),
        by_month("08")
    );
    // A few customers spend most: the top 20% of cards make more than half of card revenue.
    let mut per_card: HashMap<&str, i64> = HashMap::new();
    for r in receipts.iter().filter(|r| !r[6].is_empty()) {
        *per_card.entry(r[6].as_str()).or_default() += cents(&r[9]);
    }
    let mut spend: Vec<i64> = per_card.values().copied().collect();
    spend.sort_unstable_by(|a, b| b.cmp(a));
    let top: i64 = spend.iter().take(spend.len() / 5).sum();
    assert!(top * 2 > spend.iter().sum::<i64>(), "top 20% spend {top} of {}", spend.iter().sum::<i64>());
    // Valid codes, ten stores, twenty departments, promotions in use.
    assert!(lines.iter().all(|l| ean13::is_valid(&l[5])));
    assert!(rows(&dir.path().join("fidelity.csv")).iter().all(|c| ean13::is_valid(&c[0])));
    let stores: std::collections::HashSet<&str> = receipts.iter().map(|r| r[0].as_str()).collect();
    let departments: std::collections::HashSet<&str> = lines.iter().map(|l| l[7].as_str()).collect();
    assert_eq!((stores.len(), departments.len()), (10, 22));
    // A few returns: refund receipts with a card, each a negative line of the same amount.
    let refunds: Vec<&Vec<String>> = receipts.iter().filter(|r| r[9].starts_with('-')).collect();
    assert_eq!(refunds.len() as u64, stats.returns);
    assert!(stats.returns > 0 && refunds.iter().all(|r| !r[6].is_empty()), "{} returns", stats.returns);
    let promo_lines = lines.iter().filter(|l| !l[14].is_empty()).count();
    assert!(promo_lines * 100 > lines.len(), "{promo_lines} promotion lines");
    // Saturday busier than Sunday (2025-12-06 is a Saturday, 2025-12-07 a Sunday).
    let on = |d: &str| receipts.iter().filter(|r| r[2] == d).count();
    assert!(on("06/12/2025") > on("07/12/2025"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_set_imports_with_counts_and_money_equal_to_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let stats = generate(&options(dir.path(), 300, 2, 3)).unwrap();
    let t = common::sqlite().await;
    let opts = ImportOptions { kind: None, run_by: "test".into(), sheet: None };
    for f in &stats.files {
        let s = import_file(t.store.as_ref(), f, &opts, &|_| {}).await.unwrap();
        assert_eq!((s.status.as_str(), s.rejected), ("completed", 0), "{f:?}: {:?}", s.errors);
    }
    assert_eq!(t.store.count(Table::Cardholders).await.unwrap(), stats.cardholders);
    assert_eq!(t.store.count(Table::Receipts).await.unwrap(), stats.receipts);
    assert_eq!(t.store.count(Table::SalesLines).await.unwrap(), stats.lines);
    let mut total = 0;
    let mut after: Option<String> = None;
    loop {
        let page: Vec<imagross::store::model::Receipt> = t.store.scan_page(after.as_deref(), 1000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.id.clone());
        total += page.iter().map(|r| r.net_cents).sum::<i64>();
    }
    assert_eq!(total, stats.net_cents);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_programme_redeems_and_uses_vouchers_by_the_rules() {
    // The demo programme on top of a fresh demo set: a catalogue of the three kinds, past
    // redemptions through the exactly-once functions, vouchers used at the tills on the
    // holder's own later receipts; no balance below zero but through returns, one `redeem:`
    // entry per voucher.
    let dir = tempfile::tempdir().unwrap();
    let end = imagross::demo::end_of_previous_month(imagross::clock::today_date());
    let stats = generate(&DemoOptions { end, ..options(dir.path(), 600, 6, 11) }).unwrap();
    let t = common::sqlite().await;
    let opts = ImportOptions { kind: None, run_by: "test".into(), sheet: None };
    for f in &stats.files {
        import_file(t.store.as_ref(), f, &opts, &|_| {}).await.unwrap();
    }
    let imagross::store::DatabaseUrl::Sqlite(path) = &t.url else { unreachable!() };
    let settings =
        imagross::config::Settings { database_url: Some(format!("sqlite:{}", path.display())), ..Default::default() };
    let config = imagross::config::Config::from_settings(&settings).unwrap();
    imagross::cli::demo::rewards(&config, 7).await.unwrap();
    let rewards: Vec<imagross::store::model::Reward> = t.store.scan_page(None, 100).await.unwrap();
    let kinds: std::collections::BTreeSet<&str> = rewards.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["donation", "product", "voucher"]);
    let vouchers: Vec<imagross::store::model::Voucher> = t.store.scan_page(None, 100_000).await.unwrap();
    let issued: Vec<_> = vouchers.iter().filter(|v| v.status != "void").collect();
    assert!(issued.len() >= 5, "{} vouchers", issued.len());
    let used: Vec<_> = issued.iter().filter(|v| v.status == "used").collect();
    assert!(!used.is_empty());
    for v in &used {
        let r: imagross::store::model::Receipt =
            t.store.get_one(v.receipt_id.as_deref().unwrap()).await.unwrap().expect("a stored receipt");
        assert_eq!(r.card_number.as_deref(), Some(v.card_number.as_str()), "used by its holder");
        assert!(r.issued_at[..10] >= v.issued_at[..10] && r.issued_at[..10] <= v.expires_at[..10]);
    }
    let mut balances: std::collections::HashMap<String, i64> = Default::default();
    let mut redeems = 0;
    let mut returns: std::collections::HashSet<String> = Default::default();
    let mut after: Option<String> = None;
    loop {
        let page: Vec<imagross::store::model::PointsEntry> = t.store.scan_page(after.as_deref(), 5_000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.id.clone());
        for e in page {
            redeems += usize::from(e.id.starts_with("redeem:"));
            if e.id.starts_with("earn:") && e.points < 0 {
                returns.insert(e.card_number.clone());
            }
            *balances.entry(e.card_number).or_default() += e.points;
        }
    }
    assert_eq!(redeems, issued.len(), "one ledger entry per voucher");
    assert!(!returns.is_empty(), "the demo's returns take points back");
    for (card, b) in &balances {
        assert!(*b >= 0 || returns.contains(card), "{card} at {b} without a return");
    }
    assert!(imagross::cli::demo::rewards(&config, 7).await.is_err(), "a second run is refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_and_xlsx_demo_sets_import_like_the_csv_one() {
    let t = common::sqlite().await;
    let opts = ImportOptions { kind: None, run_by: "test".into(), sheet: None };
    let csv_dir = tempfile::tempdir().unwrap();
    let csv = generate(&options(csv_dir.path(), 120, 1, 5)).unwrap();
    for f in &csv.files {
        import_file(t.store.as_ref(), f, &opts, &|_| {}).await.unwrap();
    }
    for format in [DemoFormat::Json, DemoFormat::Xlsx] {
        let dir = tempfile::tempdir().unwrap();
        let stats = generate(&DemoOptions { format, ..options(dir.path(), 120, 1, 5) }).unwrap();
        assert_eq!(
            (stats.receipts, stats.lines, stats.net_cents),
            (csv.receipts, csv.lines, csv.net_cents),
            "{format:?}"
        );
        for f in &stats.files {
            let s = import_file(t.store.as_ref(), f, &opts, &|_| {}).await.unwrap();
            assert_eq!(
                (s.status.as_str(), s.rejected, s.inserted, s.updated),
                ("completed", 0, 0, 0),
                "{format:?} {f:?}: {:?}",
                s.errors
            );
        }
    }
}
