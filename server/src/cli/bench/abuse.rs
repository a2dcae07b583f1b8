//! `imagross bench abuse`: the anonymous-abuse benchmark. A real server (this binary, `serve`,
//! as its own process, on a generated demo set in a scratch directory) is attacked with 1,000
//! concurrent signups and 1,000 concurrent wrong logins, each from its own address (a
//! distributed attack: the server trusts the loopback proxy, and every attacking request
//! carries another `X-Forwarded-For`), so per-address limits do not stop it and only the
//! bounded hashing slots stand between the attack and the machine. Meanwhile one logged-in
//! shopper keeps opening `/me`, and ten legitimate logins are made (each retrying on 503 after
//! `Retry-After`, as the login page tells a person to). Printed: the server's peak resident
//! memory, the answers to the attack by status, the shopper's `/me` latency during the attack,
//! and how the legitimate logins fared.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};

use super::percentile;
use crate::store::model::{AccountStatus, Cardholder, Role, UserAccount};
use crate::store::{self, DatabaseUrl, StoreExt};

const SHOPPER_PASSWORD: &str = "una password da banco di prova";

/// One request on a fresh connection; the status code (0 when the connection failed).
async fn request(addr: SocketAddr, method: &str, path: &str, body: &str, extra: &str) -> u16 {
    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else { return 0 };
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n{extra}\r\n{body}",
        body.len()
    );
    if stream.write_all(req.as_bytes()).await.is_err() {
        return 0;
    }
    let mut head = [0u8; 12];
    match stream.read_exact(&mut head).await {
        Ok(_) => std::str::from_utf8(&head[9..12]).ok().and_then(|s| s.parse().ok()).unwrap_or(0),
        Err(_) => 0,
    }
}

/// The `Set-Cookie` values of a login, as one `Cookie` header (empty when refused).
async fn login(addr: SocketAddr, identifier: &str, password: &str) -> (u16, String) {
    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else { return (0, String::new()) };
    let body = crate::cli::bench::form(&[("identifier", identifier), ("password", password)]);
    let req = format!(
        "POST /api/login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    if stream.write_all(req.as_bytes()).await.is_err() {
        return (0, String::new());
    }
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text).await;
    let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let cookies = text
        .lines()
        .filter_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
        .collect::<Vec<_>>()
        .join("; ");
    (status, cookies)
}

/// Peak resident memory of process `pid` in MiB.
fn peak_rss_of(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
}

/// Runs the benchmark.
pub async fn run(demo: super::DemoSet, signups: usize, logins: usize) -> anyhow::Result<()> {
    let dir = super::tempfile_dir()?;
    let db = dir.join("abuse.sqlite");
    let url = DatabaseUrl::Sqlite(db.clone());
    super::generate_and_import(demo, &dir, &url).await?;
    // One shopper with a history and a password, for `/me` and the legitimate logins.
    let store = store::open(&url).await?;
    let holder = store.scan_page::<Cardholder>(None, 1).await?.into_iter().next();
    let card = holder.ok_or_else(|| anyhow::anyhow!("the demo set has no cardholder"))?.id;
    let shopper = UserAccount {
        id: uuid::Uuid::new_v4().to_string(),
        email: Some("banco.prova@example.it".into()),
        phone: None,
        card_number: Some(card.clone()),
        first_name: "Banco".into(),
        last_name: "Prova".into(),
        password_hash: crate::accounts::password::hash(SHOPPER_PASSWORD.into()).await.map_err(anyhow::Error::msg)?,
        role: Role::Shopper,
        status: AccountStatus::Active,
        created_at: crate::clock::now_rfc3339(),
        sessions_after: None,
    };
    store.insert_one(&shopper).await?;
    drop(store);

    let port = tokio::net::TcpListener::bind("127.0.0.1:0").await?.local_addr()?.port();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut server = std::process::Command::new(std::env::current_exe()?)
        .arg("serve")
        .env("DATABASE_URL", format!("sqlite:{}", db.display()))
        .env("IMAGROSS_DATA_DIR", &dir)
        .env("IMAGROSS_BIND", addr.to_string())
        .env("IMAGROSS_ENV", "development")
        .env("IMAGROSS_TRUSTED_PROXIES", "127.0.0.1/32")
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .spawn()?;
    let pid = server.id();
    let ready = Instant::now();
    loop {
        if request(addr, "GET", "/readyz", "", "").await == 200 {
            break;
        }
        anyhow::ensure!(ready.elapsed() < Duration::from_secs(300), "the server did not get ready");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!(
        "server ready (pid {pid}) in {:.1} s; resident {:.0} MiB",
        ready.elapsed().as_secs_f64(),
        peak_rss_of(pid).unwrap_or(f64::NAN)
    );
    let (status, cookie) = login(addr, "banco.prova@example.it", SHOPPER_PASSWORD).await;
    anyhow::ensure!(status == 200, "the shopper cannot log in before the attack: {status}");

    // Baseline: the shopper alone.
    let me = |cookie: String, until: Instant, stop: std::sync::Arc<std::sync::atomic::AtomicBool>| async move {
        let mut samples = Vec::new();
        let mut stream = BufReader::new(tokio::net::TcpStream::connect(addr).await?);
        while Instant::now() < until && !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let t = Instant::now();
            match super::personal::get_me(&mut stream, &cookie).await {
                Ok(200) => samples.push(t.elapsed()),
                _ => stream = BufReader::new(tokio::net::TcpStream::connect(addr).await?),
            }
        }
        samples.sort();
        anyhow::Ok(samples)
    };
    let never = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let alone = me(cookie.clone(), Instant::now() + Duration::from_secs(5), never).await?;
    let before_attack = peak_rss_of(pid);
    println!(
        "/me alone:          {} pages ({:.0}/s), p50 {:.1} ms, p95 {:.1} ms",
        alone.len(),
        alone.len() as f64 / 5.0,
        percentile(&alone, 0.5),
        percentile(&alone, 0.95)
    );

    // The attack.
    let started = Instant::now();
    let mut attack = Vec::new();
    for i in 0..signups {
        attack.push(tokio::spawn(async move {
            let body = super::form(&[
                ("first_name", "Bot"),
                ("last_name", "Rete"),
                ("email", &format!("bot{i}@example.it")),
                ("phone", &format!("333 9{i:06}")),
                ("birth_date", "1990-01-01"),
                ("password", "una password qualunque"),
                ("password_confirm", "una password qualunque"),
                ("privacy_consent", "on"),
            ]);
            let from = format!("X-Forwarded-For: 10.{}.{}.{}\r\n", i / 65_536 % 256, i / 256 % 256, i % 256);
            ("signup", request(addr, "POST", "/api/signup", &body, &from).await)
        }));
    }
    for i in 0..logins {
        attack.push(tokio::spawn(async move {
            let body =
                super::form(&[("identifier", &format!("vittima{}@example.it", i % 50)), ("password", "tentativo")]);
            let from = format!("X-Forwarded-For: 11.{}.{}.{}\r\n", i / 65_536 % 256, i / 256 % 256, i % 256);
            ("login", request(addr, "POST", "/api/login", &body, &from).await)
        }));
    }
    // The shopper keeps browsing, and people keep logging in, while it lasts.
    let attack_over = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let during = tokio::spawn(me(cookie.clone(), Instant::now() + Duration::from_secs(120), attack_over.clone()));
    let mut legit = Vec::new();
    for n in 0..10u64 {
        legit.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(500 * n)).await;
            let t = Instant::now();
            for attempt in 1..=20 {
                match login(addr, "banco.prova@example.it", SHOPPER_PASSWORD).await.0 {
                    200 => return (true, attempt, t.elapsed()),
                    // Busy or limited: wait as told, then retry (as the login page asks).
                    503 | 429 => tokio::time::sleep(Duration::from_secs(1)).await,
                    _ => return (false, attempt, t.elapsed()),
                }
            }
            (false, 20, t.elapsed())
        }));
    }
    let mut answers: std::collections::BTreeMap<(&str, u16), usize> = Default::default();
    for t in attack {
        let (kind, status) = t.await?;
        *answers.entry((kind, status)).or_default() += 1;
    }
    let attack_secs = started.elapsed().as_secs_f64();
    attack_over.store(true, std::sync::atomic::Ordering::Relaxed);
    let during = during.await??;
    let mut ok = 0;
    let mut first_try = 0;
    let mut worst = Duration::ZERO;
    for t in legit {
        let (success, attempts, took) = t.await?;
        ok += usize::from(success);
        first_try += usize::from(success && attempts == 1);
        worst = worst.max(took);
    }
    let peak = peak_rss_of(pid);
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);

    println!("attack: {signups} signups + {logins} wrong logins, all at once, answered in {attack_secs:.1} s");
    for ((kind, status), n) in &answers {
        println!("  {kind:<6} {status}: {n}");
    }
    println!(
        "/me during attack:  {} pages ({:.0}/s), p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
        during.len(),
        during.len() as f64 / attack_secs,
        percentile(&during, 0.5),
        percentile(&during, 0.95),
        percentile(&during, 0.99)
    );
    println!(
        "legitimate logins during the attack: {ok}/10 succeeded ({first_try} at the first try, slowest {:.1} s)",
        worst.as_secs_f64()
    );
    println!(
        "server peak resident memory: {:.0} MiB ({:.0} MiB before the attack: the projection of the demo set)",
        peak.unwrap_or(f64::NAN),
        before_attack.unwrap_or(f64::NAN)
    );
    Ok(())
}
