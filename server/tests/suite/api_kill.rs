//! Faults: tills push receipts through the real binary's API; the server is killed with
//! SIGKILL mid-load and restarted on the same port; the tills retry every receipt until it is
//! acknowledged, as real tills do. Afterwards every acknowledged receipt is in the store exactly
//! once with its lines and points, and no receipt is there twice or unasked; every voucher a
//! receipt carried (`voucher_codes`) is used exactly once, by that receipt.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::validate::ean13;
use imagross::cli::bench::loadgen::{self, Conn};
use imagross::store::DatabaseUrl;
use imagross::store::{self, Table};

const TILLS: u32 = 4;
const PER_TILL: u64 = 150;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn command(db: &std::path::Path, data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_imagross"));
    cmd.env("DATABASE_URL", format!("sqlite:{}", db.display()))
        .env("IMAGROSS_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        // Thousands of receipts a minute on one key: this test is about durability, not limits.
        .env("IMAGROSS_TILL_RECEIPTS_PER_MINUTE", "1000000");
    cmd
}

fn start(db: &std::path::Path, data_dir: &std::path::Path, port: u16) -> Child {
    command(db, data_dir)
        .arg("serve")
        .env("IMAGROSS_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_listening(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(Instant::now() < deadline, "the server never listened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_receipts_survive_kill_9_and_retries_store_them_once() {
    let dir = tempfile::tempdir().unwrap();
    let (db, data_dir) = (dir.path().join("live.sqlite"), dir.path().join("data"));
    let out = command(&db, &data_dir).args(["store-key", "create", "--store", "S01"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let cards: Vec<String> = (1..=40).filter_map(ean13::digital_card_number).collect();
    {
        // Tills may credit issued cards only: the register holds these forty.
        use imagross::store::{model::*, StoreExt};
        let store = store::open(&DatabaseUrl::Sqlite(db.clone())).await.unwrap();
        let holders: Vec<Cardholder> = cards
            .iter()
            .map(|c| Cardholder {
                id: c.clone(),
                first_name: "Cassa".into(),
                last_name: "Prova".into(),
                email: None,
                phone: None,
                birth_date: None,
                gender: None,
                city: None,
                province: None,
                enrolment_store: None,
                enrolled_on: None,
                privacy_consent: true,
                marketing_consent: false,
                status: CardStatus::Active,
                profiling_consent: false,
            })
            .collect();
        store.upsert_all(&holders).await.unwrap();
    }
    // Twenty vouchers, issued before the load, each carried by one receipt of the load.
    let vouchers: Vec<String> = {
        use app::ports::Rewards;
        use imagross::store::{model::PointsEntry, StoreExt};
        let store = store::open(&DatabaseUrl::Sqlite(db.clone())).await.unwrap();
        let rewards = imagross::rewards::RewardsService::new(store.clone(), Default::default(), 60);
        let input = app::model::rewards::RewardInput {
            kind: "voucher".into(),
            title_it: "Buono 5 €".into(),
            title_en: "5 € voucher".into(),
            points: "500".into(),
            value_eur: "5,00".into(),
            min_level: "bronze".into(),
            ..Default::default()
        };
        let reward = rewards.save_reward(None, input).await.unwrap();
        let mut codes = Vec::new();
        for card in cards.iter().take(20) {
            let gift = PointsEntry {
                id: format!("adjust:kill-{card}"),
                card_number: card.clone(),
                points: 500,
                kind: "adjustment".into(),
                reason: Some("test".into()),
                receipt_id: None,
                created_at: imagross::clock::now_rfc3339(),
                created_by: None,
            };
            store.insert_one(&gift).await.unwrap();
            let v = imagross::points::redeem::redeem(
                store.as_ref(),
                card,
                &reward.id,
                app::model::levels::Level::Bronze,
                60,
            )
            .await
            .unwrap();
            codes.push(v.id);
        }
        codes
    };
    let voucher_of = |t: u32, n: u64| (n % 30 == 5).then(|| vouchers[(t as usize) * 5 + (n / 30) as usize].clone());
    let port = free_port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut server = start(&db, &data_dir, port);
    wait_listening(addr).await;

    let day = app::validate::SimpleDate::today_utc().iso();
    let acked_total = Arc::new(AtomicU64::new(0));
    let mut tills = Vec::new();
    for t in 0..TILLS {
        let (key, cards, day, acked_total) = (key.clone(), cards.clone(), day.clone(), acked_total.clone());
        let with_vouchers: Vec<Option<String>> = (0..PER_TILL).map(|n| voucher_of(t, n)).collect();
        tills.push(tokio::spawn(async move {
            let mut conn = Conn::new(addr);
            let mut done = Vec::new();
            for n in 0..PER_TILL {
                let (mut body, expected) =
                    loadgen::receipt("S01", t, n, &day, &cards, imagross::config::DEFAULT_PROMO_BONUS);
                if let Some(code) = &with_vouchers[n as usize] {
                    body["voucher_codes"] = serde_json::json!([code]);
                }
                let sent = loadgen::send_until_acked(
                    &mut conn,
                    &key,
                    &serde_json::to_vec(&body).unwrap(),
                    Instant::now() + Duration::from_secs(90),
                )
                .await
                .unwrap();
                assert_eq!(sent.ack["id"], expected.id.as_str());
                assert_eq!(sent.ack["points"], expected.points, "a retry answers with the original points");
                acked_total.fetch_add(1, Ordering::SeqCst);
                done.push((expected, sent.attempts, sent.status, with_vouchers[n as usize].clone()));
            }
            done
        }));
    }

    // Kill -9 once a quarter of the receipts are acknowledged, restart on the same port.
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked_total.load(Ordering::SeqCst) < u64::from(TILLS) * PER_TILL / 4 {
        assert!(Instant::now() < deadline, "the load never got going");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    let at_kill = acked_total.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut server = start(&db, &data_dir, port);

    let mut acknowledged = Vec::new();
    let mut carried = Vec::new();
    let (mut retried, mut replayed) = (0, 0);
    for t in tills {
        for (expected, attempts, status, voucher) in t.await.unwrap() {
            retried += u64::from(attempts > 1);
            replayed += u64::from(status == 200);
            if let Some(code) = voucher {
                carried.push((code, expected.id.clone()));
            }
            acknowledged.push(expected);
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();
    eprintln!("killed after {at_kill} acknowledgements; {retried} receipts needed retries, {replayed} of them had been stored before the kill");
    assert!(at_kill < u64::from(TILLS) * PER_TILL, "the load finished before the kill; nothing was tested");
    assert!(retried > 0, "no till had to retry: the kill hit nothing in flight");

    let store = store::open(&DatabaseUrl::Sqlite(db.clone())).await.unwrap();
    let v = loadgen::verify(store.as_ref(), &acknowledged, 0).await.unwrap();
    assert_eq!(v.acknowledged, u64::from(TILLS) * PER_TILL);
    assert!(v.ok(), "{v:?}");
    assert_eq!(store.count(Table::Receipts).await.unwrap(), v.acknowledged, "no receipt twice, none unasked");
    let lines: usize = acknowledged.iter().map(|e| e.lines).sum();
    assert_eq!(store.count(Table::SalesLines).await.unwrap(), lines as u64);
    let with_card = acknowledged.iter().filter(|e| e.card.is_some()).count() as u64;
    assert_eq!(v.ledger_matching, with_card);
    assert_eq!(carried.len(), 20);
    for (code, receipt) in &carried {
        use imagross::store::StoreExt;
        let v: imagross::store::model::Voucher = store.get_one(code).await.unwrap().unwrap();
        assert_eq!((v.status.as_str(), v.receipt_id.as_deref()), ("used", Some(receipt.as_str())), "{code}");
    }
}
