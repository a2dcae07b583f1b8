//! `imagross bench personal`: `/me` as 50 shoppers at once. On the default demo set (or an
//! existing SQLite file with `--sqlite`), the server runs in-process on a loopback port with the
//! embedded store; 50 accounts are linked to the cardholders with the most receipts, each client
//! opens `/me` (the full server render, with the personal-area data) repeatedly over keep-alive
//! HTTP/1.1, and the latency percentiles are printed. Before the load, one shopper's page is
//! timed alone, phase by phase (account check, personal-area data, whole page).

use std::time::{Duration, Instant};

use app::ports::Sessions;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

use crate::http::{router, ServerState};
use crate::store::model::{AccountStatus, Role, UserAccount};
use crate::store::DatabaseUrl;
use crate::store::{self, StoreExt};

/// One `GET /me` on a keep-alive connection; the status (the body is read and dropped).
pub(super) async fn get_me(stream: &mut BufReader<tokio::net::TcpStream>, cookie: &str) -> anyhow::Result<u16> {
    let req = format!("GET /me HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n");
    stream.get_mut().write_all(req.as_bytes()).await?;
    let mut status_line = String::new();
    stream.read_line(&mut status_line).await?;
    let status: u16 = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut length: Option<usize> = None;
    let mut chunked = false;
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).await?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let lower = l.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().ok();
        }
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    if chunked {
        loop {
            let mut size = String::new();
            stream.read_line(&mut size).await?;
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            let mut buf = vec![0u8; n + 2];
            stream.read_exact(&mut buf).await?;
            if n == 0 {
                break;
            }
        }
    } else if let Some(n) = length {
        let mut buf = vec![0u8; n];
        stream.read_exact(&mut buf).await?;
    }
    Ok(status)
}

/// Runs the benchmark.
pub async fn run(
    source: &super::BenchStore,
    clients: usize,
    seconds: u64,
    build: crate::cli::BuildState,
) -> anyhow::Result<()> {
    let (path, cleanup) = super::analytics::bench_store(source).await?;
    let store = store::open(&DatabaseUrl::Sqlite(path)).await?;
    let state = super::bench_state(store.clone(), build)?;
    let projection = state.projection.clone();
    let started = Instant::now();
    projection.refresh(store.as_ref()).await?;
    println!("projection, models and points ledger ready in {:.1} s", started.elapsed().as_secs_f64());
    let snap = projection.snapshot().ok_or_else(|| anyhow::anyhow!("no projection"))?;
    // The cardholders with the most receipts: the heaviest `/me` pages.
    let mut cards: Vec<(usize, u32)> =
        (0..snap.data.cards.len() as u32).map(|c| (snap.data.receipts_of(c).len(), c)).collect();
    cards.sort_unstable_by(|a, b| b.cmp(a));
    let mut cookies = Vec::new();
    for (_, c) in cards.iter().take(clients) {
        let card = snap.data.cards.number.value(*c).to_string();
        let existing: Vec<UserAccount> = store.find("card_number", serde_json::json!(card), 1).await?;
        let account = match existing.into_iter().next() {
            Some(a) => a,
            None => {
                let a = UserAccount {
                    id: uuid::Uuid::new_v4().to_string(),
                    email: None,
                    phone: None,
                    card_number: Some(card.clone()),
                    first_name: "Bench".into(),
                    last_name: "Shopper".into(),
                    password_hash: "!bench: no password login".into(),
                    role: Role::Shopper,
                    status: AccountStatus::Active,
                    created_at: crate::clock::now_rfc3339(),
                    sessions_after: None,
                };
                store.insert_one(&a).await?;
                a
            }
        };
        let (_, set) = state.auth.open_session(&account.id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        cookies.push(
            set.iter().map(|c| c.split(';').next().unwrap_or_default().to_string()).collect::<Vec<_>>().join("; "),
        );
    }
    breakdown(&state, &cookies[0]).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for cookie in cookies {
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut errors = 0u32;
            let mut stream = BufReader::new(tokio::net::TcpStream::connect(addr).await?);
            while Instant::now() < deadline {
                let t = Instant::now();
                match get_me(&mut stream, &cookie).await {
                    Ok(200) => samples.push(t.elapsed()),
                    _ => {
                        errors += 1;
                        stream = BufReader::new(tokio::net::TcpStream::connect(addr).await?);
                    }
                }
            }
            anyhow::Ok((samples, errors))
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (s, e) = t.await??;
        all.extend(s);
        errors += e;
    }
    server.abort();
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p).ceil() as usize).clamp(1, all.len().max(1)) - 1).copied().unwrap_or_default()
    };
    println!(
        "/me, {} concurrent clients for {} s on the embedded store: {} pages ({:.0}/s), {} errors",
        clients,
        seconds,
        all.len(),
        all.len() as f64 / seconds as f64,
        errors
    );
    println!(
        "latency p50 {:.1} ms, p95 {:.1} ms (target <= 30 ms), p99 {:.1} ms, max {:.1} ms",
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.95).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        all.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    if let Some(dir) = cleanup {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(())
}

/// One shopper, one request at a time: where the time of a `/me` page goes.
async fn breakdown(state: &ServerState, cookie: &str) -> anyhow::Result<()> {
    use app::model::account::Role;
    use tower::ServiceExt;
    const N: u32 = 300;
    let access = cookie
        .split("; ")
        .find_map(|c| c.split_once('=').filter(|(k, _)| k.contains("access")).map(|(_, v)| v.to_string()))
        .unwrap_or_default();
    let user = state.auth.verify_access(&access).ok_or_else(|| anyhow::anyhow!("bench session not valid"))?;
    let time = |label: &'static str, total: Duration| {
        println!("  {label:<32} {:>7.3} ms", total.as_secs_f64() * 1e3 / f64::from(N))
    };
    println!("one request at a time, mean of {N}:");
    let t = Instant::now();
    for _ in 0..N {
        state.app.sessions.require(Some(&user), Role::Shopper).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    time("account check (store read)", t.elapsed());
    let t = Instant::now();
    for _ in 0..N {
        state.app.personal.area(&user).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    time("personal-area data", t.elapsed());
    let card = user.card_number.clone().unwrap_or_default();
    let t = Instant::now();
    for _ in 0..N {
        state.points.status(&card).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    time("  of which points and level", t.elapsed());
    let snap = state.projection.snapshot().ok_or_else(|| anyhow::anyhow!("no projection"))?;
    let c = snap.data.cards.number.get(&card);
    let view = state.app.cards.my_card(&user).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let t = Instant::now();
    for _ in 0..N {
        std::hint::black_box(crate::personal::service::personal_area(
            &snap.data,
            c,
            snap.data.last_day().unwrap_or_default(),
            view.clone(),
            0,
        ));
    }
    time("  of which history figures", t.elapsed());
    let app = router(state.clone());
    let t = Instant::now();
    let mut bytes = 0;
    for _ in 0..N {
        let req = axum::http::Request::get("/me").header("cookie", cookie).body(axum::body::Body::empty())?;
        let res = app.clone().oneshot(req).await?;
        anyhow::ensure!(res.status() == axum::http::StatusCode::OK, "/me answered {}", res.status());
        bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await?.len();
    }
    time("whole /me page (in-process)", t.elapsed());
    println!("  page size {:.1} KiB", bytes as f64 / 1024.0);
    Ok(())
}
