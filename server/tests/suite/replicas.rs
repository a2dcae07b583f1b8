//! Several replicas on one store: leases (one holder, expiry, fencing), imports whose process
//! died, the live-receipt feed between replicas, the embedded store refusing a second server,
//! and three real server processes on one MongoDB (a receipt posted to one is on a shopper's
//! page on another within 2 s, an import reaches every dashboard within 10 s, a rolling restart
//! under till load loses and doubles nothing).

use std::sync::Arc;
use std::time::Duration;

use imagross::import::pipeline::mark_interrupted;
use imagross::lease::Leases;
use imagross::store::model::{BatchStatus, ImportBatch, Receipt, SalesLine};
use imagross::store::{DatabaseUrl, Store, StoreExt};

use crate::common;

async fn one_holder_at_a_time_and_a_lost_lease_cannot_write(store: Arc<dyn Store>) {
    let a = Arc::new(Leases::new(store.clone(), "replica-a"));
    let b = Leases::new(store.clone(), "replica-b");
    let held = a.hold("work", Duration::from_secs(60)).await.unwrap().expect("a free lease is taken");
    assert_eq!((held.token, held.taken_over), (1, true));
    assert!(b.hold("work", Duration::from_secs(60)).await.unwrap().is_none(), "held by a: b must wait");
    let renewed = a.hold("work", Duration::from_secs(60)).await.unwrap().expect("the holder renews");
    assert_eq!((renewed.token, renewed.taken_over), (1, false), "a renewal keeps the token");
    a.check(&renewed).await.unwrap();
    // A graceful shutdown releases it: b takes it at once, with a new token.
    a.release_all().await;
    let after_release = b.hold("work", Duration::from_secs(60)).await.unwrap().expect("released: b takes it");
    assert_eq!((after_release.token, after_release.taken_over), (2, true));
    assert!(a.check(&renewed).await.is_err());

    // a's lease runs out (a paused replica): b takes it with a new token, a's writes are fenced.
    let short = a.hold("short", Duration::from_millis(1)).await.unwrap().unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let taken = b.hold("short", Duration::from_secs(60)).await.unwrap().expect("an expired lease is taken over");
    assert_eq!((taken.token, taken.taken_over), (2, true));
    assert!(a.check(&short).await.is_err(), "a lost its lease: its next write must be refused");
    b.check(&taken).await.unwrap();
    assert_eq!(a.current("short").await.unwrap().unwrap().holder, "replica-b");

    // Eight replicas racing for a free lease: exactly one wins.
    let mut racers = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        racers.push(tokio::spawn(async move {
            Leases::new(store, format!("racer-{i}")).hold("race", Duration::from_secs(60)).await.unwrap().is_some()
        }));
    }
    let mut winners = 0;
    for r in racers {
        winners += usize::from(r.await.unwrap());
    }
    assert_eq!(winners, 1);

    // Replicas sharing one holder name (the signing secret's lease) starting at once all hold it.
    let mut same = Vec::new();
    for _ in 0..6 {
        let store = store.clone();
        same.push(tokio::spawn(async move {
            Leases::new(store, "secret abc").hold("shared", Duration::from_secs(60)).await.unwrap().is_some()
        }));
    }
    for r in same {
        assert!(r.await.unwrap(), "a replica with the same secret was refused");
    }
}

async fn an_import_whose_process_died_becomes_interrupted(store: Arc<dyn Store>) {
    let batch = |id: &str, beat: Option<String>| ImportBatch {
        id: id.into(),
        kind: "vendite".into(),
        file_name: format!("{id}.csv"),
        sha256: "x".into(),
        rows_read: 0,
        inserted: 0,
        updated: 0,
        unchanged: 0,
        rejected: 0,
        started_at: imagross::clock::rfc3339_in_secs(-600),
        finished_at: None,
        status: BatchStatus::Running,
        run_by: "t".into(),
        heartbeat_at: beat,
        counts_after: None,
        number: None,
    };
    store.insert_one(&batch("dead", Some(imagross::clock::rfc3339_in_secs(-120)))).await.unwrap();
    store.insert_one(&batch("alive", Some(imagross::clock::rfc3339_in_secs(-2)))).await.unwrap();
    store.insert_one(&batch("old-style", None)).await.unwrap();
    let mut marked = mark_interrupted(store.as_ref()).await.unwrap();
    marked.sort();
    assert_eq!(marked, ["dead", "old-style"]);
    let dead: ImportBatch = store.get_one("dead").await.unwrap().unwrap();
    assert_eq!(dead.status, BatchStatus::Interrupted);
    assert!(dead.finished_at.is_some());
    let alive: ImportBatch = store.get_one("alive").await.unwrap().unwrap();
    assert_eq!(alive.status, BatchStatus::Running, "a beating import stays running");
    assert!(mark_interrupted(store.as_ref()).await.unwrap().is_empty(), "a second sweep marks nothing");
}

async fn a_receipt_stored_by_one_replica_reaches_the_others_through_the_feed(store: Arc<dyn Store>) {
    let t = common::TestStore::from_store(store.clone());
    let (a, b) = (common::server_state(&t), common::server_state(&t));
    a.projection.refresh(store.as_ref()).await.unwrap();
    b.projection.refresh(store.as_ref()).await.unwrap();
    assert_eq!(b.projection.follow_once(store.as_ref()).await.unwrap(), 0);

    // Replica a stores a receipt and publishes it (as the tills' API does).
    let receipt = Receipt {
        id: "S01-20261130-1-7".into(),
        shop_id: "S01".into(),
        issued_at: "2026-11-30T10:00:00".into(),
        till: "1".into(),
        number: "7".into(),
        card_number: Some("2000000000015".into()),
        gross_cents: 1234,
        discount_cents: 0,
        net_cents: 1234,
    };
    let line = SalesLine {
        id: "S01-20261130-1-7#1".into(),
        receipt_id: receipt.id.clone(),
        line_no: 1,
        product_id: "8000000000017".into(),
        department_id: None,
        quantity_milli: 1000,
        gross_cents: 1234,
        discount_cents: 0,
        net_cents: 1234,
        promotion_id: None,
    };
    store.upsert_all(std::slice::from_ref(&receipt)).await.unwrap();
    store.upsert_all(std::slice::from_ref(&line)).await.unwrap();
    let seq = imagross::store::live::publish(store.as_ref(), &receipt.id).await.unwrap();
    a.projection.feed.mark_own(seq);

    assert_eq!(b.projection.follow_once(store.as_ref()).await.unwrap(), 1, "b loads a's receipt");
    let held = b.projection.live.card_dataset(None, "2000000000015").expect("on b's shopper pages");
    assert_eq!(held.receipts.len(), 1);
    assert_eq!(b.projection.follow_once(store.as_ref()).await.unwrap(), 0, "read once");
    assert_eq!(a.projection.follow_once(store.as_ref()).await.unwrap(), 0, "a published it: already in its tail");

    // A number taken but never written (its replica died) holds the frontier only for a while.
    let skipped = store.next_sequence(imagross::store::live::SEQUENCE).await.unwrap();
    let after = imagross::store::live::publish(store.as_ref(), &receipt.id).await.unwrap();
    assert_eq!(after, skipped + 1);
    assert_eq!(b.projection.follow_once(store.as_ref()).await.unwrap(), 1, "the later entry is read at once");
    assert_eq!(b.projection.feed.frontier(), seq, "the frontier waits below the missing number");
}

on_both_stores!(
    one_holder_at_a_time_and_a_lost_lease_cannot_write,
    an_import_whose_process_died_becomes_interrupted,
    a_receipt_stored_by_one_replica_reaches_the_others_through_the_feed,
);

/// A replica of an older build refuses a database a newer build has upgraded, saying so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_refuses_a_database_of_a_newer_schema() {
    let Some(DatabaseUrl::Mongo(uri)) = common::mongo_url() else { return };
    imagross::store::open(&DatabaseUrl::Mongo(uri.clone())).await.unwrap();
    let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
    let meta = client.default_database().unwrap().collection::<mongodb::bson::Document>("meta");
    meta.update_one(mongodb::bson::doc! { "_id": "schema" }, mongodb::bson::doc! { "$set": { "version": 99_i64 } })
        .await
        .unwrap();
    let refused = imagross::store::open(&DatabaseUrl::Mongo(uri)).await.err().expect("opened a newer schema");
    assert!(refused.to_string().contains("database schema version 99 is newer than this build's"), "{refused}");
}

/// The embedded store has one writer: a second server on the same file exits at once, saying why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_on_the_same_sqlite_file_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let serve = |port: u16| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_imagross"));
        cmd.arg("serve")
            .env("DATABASE_URL", format!("sqlite:{}", dir.path().join("one.sqlite").display()))
            .env("IMAGROSS_DATA_DIR", dir.path())
            .env("IMAGROSS_ENV", "development")
            .env("IMAGROSS_BIND", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn");
        cmd
    };
    // A server on a free port, once it listens.
    let listening = |what: &str| {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child =
            serve(port).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "{what} never listened");
            std::thread::sleep(Duration::from_millis(50));
        }
        child
    };
    let mut first = listening("the first server");
    let second = serve(0).output().unwrap();
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(!second.status.success(), "a second server started on the same file");
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("single writer") && err.contains("MongoDB"), "{err}");
    // Once the first is gone, a server starts again (the lock died with the process).
    let mut again = listening("a server started after the first ended");
    again.kill().unwrap();
    again.wait().unwrap();
}

/// Three real server processes on one MongoDB database (the wire server the test command
/// starts): see [`imagross::cli::bench::cluster::measure`]. Sixteen tills; the rate is what the
/// wire server sustains under a debug build (`imagross bench cluster` prints the full figures).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_on_one_mongodb_agree_and_survive_a_rolling_restart() {
    let Some(DatabaseUrl::Mongo(url)) = common::mongo_url() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_imagross"));
    let result = imagross::cli::bench::cluster::measure(bin, &url, dir.path(), 3, 16, 40, 20).await;
    let f = match result {
        Ok(f) => f,
        Err(e) => {
            for i in 0..3 {
                let log = std::fs::read_to_string(dir.path().join(format!("replica-{i}.log"))).unwrap_or_default();
                eprintln!("--- replica {i}:\n{}", log.lines().rev().take(20).collect::<Vec<_>>().join("\n"));
            }
            panic!("{e}");
        }
    };
    let p = imagross::cli::bench::cluster::percentile;
    eprintln!(
        "receipt visible on another replica: p50 {:.0} ms, max {:.0} ms; import on the other dashboards: {:?} ms; \
         rolling restart: {} acknowledged, {} retried, {} failovers, latency p50 {:.0} / p95 {:.0} / p99 {:.0} ms",
        p(&f.receipt_visible_ms, 50.0),
        p(&f.receipt_visible_ms, 100.0),
        f.import_visible_ms,
        f.load.acknowledged.len(),
        f.load.retried,
        f.load.failovers,
        p(&f.load.latencies_ms, 50.0),
        p(&f.load.latencies_ms, 95.0),
        p(&f.load.latencies_ms, 99.0),
    );
    assert!(p(&f.receipt_visible_ms, 100.0) < 2_000.0, "{:?}", f.receipt_visible_ms);
    assert!(f.import_visible_ms.iter().all(|ms| *ms < 10_000.0), "{:?}", f.import_visible_ms);
    assert_eq!(f.load.acknowledged.len() as u64, f.sent, "every receipt acknowledged despite the restarts");
    assert!(f.load.failovers > 0, "no till was moved to another replica: the restarts hit nothing");
    assert!(f.verification.ok(), "{:?}", f.verification);
    assert!(f.refused_secret.contains("Give every replica the same JWT_SECRET"), "{}", f.refused_secret);
    // The store's round trips are counted by command: a live receipt is at least inserted.
    eprintln!("store round trips per live receipt: {:?}", f.commands_per_receipt);
    assert!(f.commands_per_receipt.get("insert").is_some_and(|n| *n >= 1.0), "{:?}", f.commands_per_receipt);

    // Every replica serves its metrics on its own port: requests by route template, the
    // projection's build, the feed's lag; exactly one replica holds the points lease.
    for (i, m) in f.metrics.iter().enumerate() {
        for needed in [
            "http_requests_total{route=\"/api/v1/receipts\",method=\"POST\",status=\"201\"}",
            "http_request_duration_seconds_bucket{route=\"/api/v1/receipts\"",
            "projection_build_seconds_count",
            "projection_built_timestamp_seconds",
        ] {
            assert!(m.contains(needed), "replica {i}'s metrics lack {needed}:\n{m}");
        }
    }
    assert!(f.metrics.iter().any(|m| m.contains("live_feed_lag_seconds_count")), "no replica measured the feed's lag");
    let holders = f.metrics.iter().filter(|m| m.contains("lease_held{lease=\"points-ledger\"} 1")).count();
    assert_eq!(holders, 1, "one holder of the points lease");
}

/// The MongoDB wire server the test command installs (`.ci/lib.sh`), or `None` to skip.
fn wire_server() -> Option<std::path::PathBuf> {
    let bin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tools/venv-nx/bin/nx-27017");
    if bin.exists() {
        return Some(bin);
    }
    assert!(std::env::var("IMAGROSS_REQUIRE_MONGO").as_deref() != Ok("1"), "{} is missing", bin.display());
    eprintln!("skipped: no MongoDB wire server at {}", bin.display());
    None
}

/// Starts the wire server on `port` with its files in `dir`; returns its process id.
fn start_wire_server(bin: &std::path::Path, dir: &std::path::Path, port: u16) -> u32 {
    let status = std::process::Command::new(bin)
        .current_dir(dir)
        .args(["-d", "--data-dir"])
        .arg(dir.join("data"))
        .args(["-p", &port.to_string(), "--pid-file"])
        .arg(dir.join("nx.pid"))
        .arg("--log-file")
        .arg(dir.join("nx.log"))
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "the wire server never listened");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::read_to_string(dir.join("nx.pid")).unwrap().trim().parse().unwrap()
}

fn stop(pid: u32) {
    let _ = std::process::Command::new("kill").arg(pid.to_string()).status();
}

/// Started while its MongoDB is down, a server answers liveness and says why it is not ready,
/// starts serving when the database comes up (no restart), goes unready while it is away
/// again and recovers when it returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_waits_for_an_unreachable_mongodb_and_recovers_without_a_restart() {
    let Some(nx) = wire_server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let free = || std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (mongo_port, port) = (free(), free());
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_imagross"))
        .arg("serve")
        .env("DATABASE_URL", format!("mongodb://127.0.0.1:{mongo_port}/waiting?serverSelectionTimeoutMS=1000"))
        .env("JWT_SECRET", "a-secret-of-more-than-thirty-two-bytes-for-this-test")
        .env("IMAGROSS_ENV", "development")
        .env("IMAGROSS_DATA_DIR", dir.path().join("app"))
        .env("IMAGROSS_BIND", format!("127.0.0.1:{port}"))
        .env("IMAGROSS_METRICS_BIND", "off")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("server.log")).unwrap())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let get = |path: &'static str| {
        let http = http.clone();
        async move {
            match http.get(format!("http://127.0.0.1:{port}{path}")).timeout(Duration::from_secs(5)).send().await {
                Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
                Err(_) => (0, String::new()),
            }
        }
    };
    let until = |path: &'static str, want: u16, secs: u64| async move {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let (status, body) = get(path).await;
            if status == want {
                return body;
            }
            assert!(std::time::Instant::now() < deadline, "{path} never answered {want} (last {status}: {body})");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    // Down at start: alive, not ready, and saying why.
    until("/healthz", 200, 60).await;
    let (status, body) = get("/readyz").await;
    assert_eq!(status, 503);
    assert!(body.contains(r#""reachable":false"#) && body.contains("error"), "{body}");
    assert_eq!(get("/login").await.0, 503);
    // The database comes up: the server starts serving, no restart.
    let pid = start_wire_server(&nx, dir.path(), mongo_port);
    until("/readyz", 200, 90).await;
    assert_eq!(get("/login").await.0, 200);
    // Away again: unready (still alive); back: ready.
    stop(pid);
    until("/readyz", 503, 30).await;
    assert_eq!(get("/healthz").await.0, 200);
    let pid = start_wire_server(&nx, dir.path(), mongo_port);
    until("/readyz", 200, 90).await;
    stop(pid);
    server.kill().unwrap();
    server.wait().unwrap();
}
