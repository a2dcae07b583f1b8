//! Several replicas on one MongoDB, as the chain runs them: real `imagross serve` processes
//! started here on one database, and the measurements the multi-replica test asserts and
//! `imagross bench cluster` prints:
//! - a receipt posted to replica 0 reaches a shopper's receipts on replica 1 (time to visible);
//! - an import run beside replica 0 (the CLI) reaches the dashboards of the others;
//! - a rolling restart under till load (each replica in turn stopped with SIGTERM, one with
//!   SIGKILL, tills failing over to another replica and retrying): every acknowledged receipt
//!   stored exactly once with its points.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::loadgen::{self, Conn, Expected};
use crate::store::{self, DatabaseUrl, Table};

/// The shared secret of every replica (they must agree on it to accept each other's sessions).
const SECRET: &str = "cluster-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
/// The admin the measurements log in as.
const ADMIN: &str = "cluster@imagross.it";
const PASSWORD: &str = "password del cluster";

/// Replicas of `imagross serve` on one database.
pub struct Cluster {
    bin: PathBuf,
    database_url: String,
    dir: PathBuf,
    ports: Vec<u16>,
    metrics_ports: Vec<u16>,
    children: Vec<Option<Child>>,
}

/// What a replica's log says when its port was taken (`EADDRINUSE`).
const PORT_TAKEN: &str = "Address already in use";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
}

impl Cluster {
    /// `n` replicas of `bin` on `database_url`, each with its own data directory under `dir`
    /// (not started yet: [`Cluster::start_all`]).
    pub fn new(bin: &Path, database_url: &str, dir: &Path, n: usize) -> Self {
        Cluster {
            bin: bin.to_path_buf(),
            database_url: database_url.to_string(),
            dir: dir.to_path_buf(),
            ports: (0..n).map(|_| free_port()).collect(),
            metrics_ports: (0..n).map(|_| free_port()).collect(),
            children: (0..n).map(|_| None).collect(),
        }
    }

    /// A command of the binary with the cluster's settings (for CLI commands too).
    pub fn command(&self, replica: usize) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.env("DATABASE_URL", &self.database_url)
            .env("JWT_SECRET", SECRET)
            .env("IMAGROSS_ENV", "development")
            .env("IMAGROSS_DATA_DIR", self.dir.join(format!("replica-{replica}")))
            .env("RUST_LOG", std::env::var("CLUSTER_LOG").unwrap_or_else(|_| "warn".into()))
            .env("IMAGROSS_TILL_RECEIPTS_PER_MINUTE", "1000000")
            .env("IMAGROSS_SIGNUPS_PER_HOUR", "100000")
            .env("HOSTNAME", format!("replica-{replica}"));
        cmd
    }

    /// Replica `i`'s address.
    pub fn addr(&self, i: usize) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.ports[i]))
    }

    /// Every replica's address.
    pub fn addrs(&self) -> Vec<SocketAddr> {
        (0..self.ports.len()).map(|i| self.addr(i)).collect()
    }

    /// Starts replica `i` (its log in `<dir>/replica-<i>.log`).
    pub fn start(&mut self, i: usize) -> std::io::Result<()> {
        let log =
            std::fs::OpenOptions::new().create(true).append(true).open(self.dir.join(format!("replica-{i}.log")))?;
        let child = self
            .command(i)
            .arg("serve")
            .env("IMAGROSS_BIND", self.addr(i).to_string())
            .env("IMAGROSS_METRICS_BIND", format!("127.0.0.1:{}", self.metrics_ports[i]))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()?;
        self.children[i] = Some(child);
        Ok(())
    }

    /// Starts every replica and waits until each is ready.
    pub async fn start_all(&mut self) -> Result<(), String> {
        for i in 0..self.ports.len() {
            self.start(i).map_err(|e| e.to_string())?;
        }
        for i in 0..self.ports.len() {
            let mut tries = 0;
            loop {
                match self.wait_ready(i, Duration::from_secs(120)).await {
                    Ok(()) => break,
                    // The free port chosen was taken meanwhile (by another process asking the
                    // system for a free port): again on other ports.
                    Err(e) if tries < 3 && e.contains(PORT_TAKEN) => {
                        tries += 1;
                        self.stop(i, "KILL");
                        self.ports[i] = free_port();
                        self.metrics_ports[i] = free_port();
                        let _ = std::fs::remove_file(self.dir.join(format!("replica-{i}.log")));
                        self.start(i).map_err(|e| e.to_string())?;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    /// Waits until replica `i` answers `/readyz` with 200.
    pub async fn wait_ready(&self, i: usize, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let mut conn = Conn::new(self.addr(i));
        loop {
            if let Ok((200, _)) = conn.request("GET", "/readyz", "", b"").await {
                return Ok(());
            }
            let log = || std::fs::read_to_string(self.dir.join(format!("replica-{i}.log"))).unwrap_or_default();
            if Instant::now() > deadline {
                return Err(format!("replica {i} not ready after {timeout:?}; its log:\n{}", log()));
            }
            if log().contains(PORT_TAKEN) {
                return Err(format!("replica {i} could not listen; its log:\n{}", log()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops replica `i` with `signal` (`TERM` or `KILL`) and waits for it to exit.
    pub fn stop(&mut self, i: usize, signal: &str) {
        if let Some(mut child) = self.children[i].take() {
            let _ = Command::new("kill").args([format!("-{signal}"), child.id().to_string()]).status();
            let _ = child.wait();
        }
    }

    /// Replica `i`'s Prometheus metrics (empty when unreadable).
    pub async fn metrics(&self, i: usize) -> String {
        let mut conn = Conn::new(SocketAddr::from(([127, 0, 0, 1], self.metrics_ports[i])));
        match conn.request("GET", "/metrics", "", b"").await {
            Ok((200, body)) => String::from_utf8_lossy(&body).into_owned(),
            _ => String::new(),
        }
    }

    /// Runs a CLI command with the cluster's settings; its standard output.
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> Result<String, String> {
        use std::io::Write;
        let mut child = self
            .command(0)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
            let _ = input.write_all(text.as_bytes());
        }
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("imagross {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr)));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in self.children.iter_mut().filter_map(Option::take) {
            let mut child = child;
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Percentile `p` (0–100) of millisecond figures in any order (see [`super::percentile`]).
pub fn percentile(values_ms: &[f64], p: f64) -> f64 {
    let mut sorted: Vec<Duration> = values_ms.iter().map(|ms| Duration::from_secs_f64(ms.max(0.0) / 1e3)).collect();
    sorted.sort();
    super::percentile(&sorted, p / 100.0)
}

/// Posts `body` to the replicas, starting with `first` and moving to the next one after a
/// connection error or a 5xx (as a till behind a load balancer would be moved), until
/// acknowledged or `deadline`.
async fn send_failing_over(
    conns: &mut [Conn],
    first: usize,
    key: &str,
    body: &[u8],
    deadline: Instant,
) -> Result<(loadgen::Sent, u32), String> {
    let started = Instant::now();
    let mut attempts = 0u32;
    let mut failovers = 0u32;
    let mut at = first;
    loop {
        attempts += 1;
        match conns[at].request("POST", "/api/v1/receipts", key, body).await {
            Ok((status @ (200 | 201), bytes)) => {
                let ack = serde_json::from_slice(&bytes).map_err(|e| format!("unreadable acknowledgement: {e}"))?;
                return Ok((loadgen::Sent { status, ack, attempts, latency: started.elapsed() }, failovers));
            }
            Ok((status, bytes)) if status < 500 => {
                return Err(format!("refused with {status}: {}", String::from_utf8_lossy(&bytes)))
            }
            Ok(_) | Err(_) => {
                if Instant::now() > deadline {
                    return Err(format!("not acknowledged after {attempts} attempts"));
                }
                at = (at + 1) % conns.len();
                failovers += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

/// What a till load left: the acknowledged receipts and their latencies.
#[derive(Debug, Default)]
pub struct Load {
    pub acknowledged: Vec<Expected>,
    /// From the first attempt to the acknowledgement, milliseconds.
    pub latencies_ms: Vec<f64>,
    /// Receipts that needed more than one attempt.
    pub retried: u64,
    /// Attempts moved to another replica.
    pub failovers: u64,
    /// Receipts answered 200 (stored by an earlier attempt).
    pub replayed: u64,
    pub elapsed: Duration,
}

/// `tills` tills sending `rate` receipts a second together for `seconds`, spread over the
/// replicas at `addrs`, each receipt retried (and failed over) until acknowledged.
pub async fn till_load(addrs: &[SocketAddr], key: &str, cards: &[String], tills: u32, rate: u32, seconds: u64) -> Load {
    let day = crate::clock::day_iso(crate::clock::today());
    let per_till = (u64::from(rate) * seconds).div_ceil(u64::from(tills.max(1)));
    let interval = Duration::from_secs_f64(f64::from(tills.max(1)) / f64::from(rate.max(1)));
    let started = Instant::now();
    let result = Arc::new(Mutex::new(Load::default()));
    let mut tasks = Vec::new();
    for t in 0..tills {
        let (addrs, key, cards, day, result) =
            (addrs.to_vec(), key.to_string(), cards.to_vec(), day.clone(), result.clone());
        tasks.push(tokio::spawn(async move {
            let mut conns: Vec<Conn> = addrs.iter().map(|a| Conn::new(*a)).collect();
            let mut next = Instant::now();
            for n in 0..per_till {
                tokio::time::sleep_until(next.into()).await;
                next += interval;
                let (body, expected) = loadgen::receipt("S01", t, n, &day, &cards, crate::config::DEFAULT_PROMO_BONUS);
                let body = serde_json::to_vec(&body).unwrap_or_default();
                let first = (t as usize + n as usize) % conns.len();
                let deadline = Instant::now() + Duration::from_secs(120);
                match send_failing_over(&mut conns, first, &key, &body, deadline).await {
                    Ok((sent, failovers)) => {
                        let mut r = result.lock().unwrap_or_else(|e| e.into_inner());
                        r.latencies_ms.push(sent.latency.as_secs_f64() * 1e3);
                        r.retried += u64::from(sent.attempts > 1);
                        r.replayed += u64::from(sent.status == 200);
                        r.failovers += u64::from(failovers);
                        r.acknowledged.push(expected);
                    }
                    Err(e) => tracing::warn!(error = %e, "a receipt was never acknowledged"),
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let mut load = std::mem::take(&mut *result.lock().unwrap_or_else(|e| e.into_inner()));
    load.elapsed = started.elapsed();
    load
}

/// Everything one cluster run measured.
#[derive(Debug, Default)]
pub struct Figures {
    /// Receipt acknowledged by replica 0 → on the shopper's receipts on replica 1, ms.
    pub receipt_visible_ms: Vec<f64>,
    /// Import finished (CLI beside replica 0) → on the dashboard of replicas 1 and 2, ms.
    pub import_visible_ms: Vec<f64>,
    pub load: Load,
    pub verification: loadgen::Verification,
    /// Receipts the till load sent, and the rate achieved.
    pub sent: u64,
    /// Each replica's `/metrics` at the end.
    pub metrics: Vec<String>,
    /// What a replica started with another `JWT_SECRET` said before exiting.
    pub refused_secret: String,
    /// Store commands (round trips) per live receipt on the replica that took it, by command,
    /// its background polling subtracted.
    pub commands_per_receipt: BTreeMap<String, f64>,
}

/// The store commands a replica's `/metrics` counts, by command name.
pub fn store_commands(metrics: &str) -> BTreeMap<String, f64> {
    let prefix = format!("{}{{command=\"", store::COMMANDS_METRIC);
    metrics
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix(&prefix)?;
            let (name, value) = rest.split_once("\"} ")?;
            Some((name.to_string(), value.trim().parse().ok()?))
        })
        .collect()
}

/// `after - before`, command by command.
fn commands_between(before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    after.iter().map(|(k, v)| (k.clone(), v - before.get(k).copied().unwrap_or(0.0))).collect()
}

/// What the MongoDB server at `database_url` sustains with `clients` concurrent clients for
/// `seconds`: durable single-document inserts (write concern `majority` + journal, as the store
/// writes) and reads by `_id`, per second. Measured on a scratch collection, dropped after.
pub async fn server_capacity(database_url: &str, clients: usize, seconds: f64) -> Result<(f64, f64), String> {
    use mongodb::bson::doc;
    use mongodb::options::{Acknowledgment, WriteConcern};
    let client = mongodb::Client::with_uri_str(database_url).await.map_err(|e| e.to_string())?;
    let db = client.default_database().unwrap_or_else(|| client.database("imagross"));
    let concern = WriteConcern::builder().w(Acknowledgment::Majority).journal(true).build();
    let coll = db.collection_with_options::<mongodb::bson::Document>(
        "capacity_probe",
        mongodb::options::CollectionOptions::builder().write_concern(concern).build(),
    );
    let mut rates = [0.0; 2];
    for (phase, rate) in rates.iter_mut().enumerate() {
        let until = Instant::now() + Duration::from_secs_f64(seconds);
        let tasks: Vec<_> = (0..clients)
            .map(|c| {
                let coll = coll.clone();
                tokio::spawn(async move {
                    let mut n = 0u64;
                    while Instant::now() < until {
                        let id = format!("{c}-{n}");
                        let done = if phase == 0 {
                            coll.insert_one(doc! { "_id": &id, "card": "2000000000039", "total_cents": 1234 })
                                .await
                                .map(|_| ())
                        } else {
                            coll.find_one(doc! { "_id": format!("{c}-{}", n % 64) }).await.map(|_| ())
                        };
                        done.map_err(|e| e.to_string())?;
                        n += 1;
                    }
                    Ok::<u64, String>(n)
                })
            })
            .collect();
        let mut total = 0;
        for t in tasks {
            total += t.await.map_err(|e| e.to_string())??;
        }
        *rate = total as f64 / seconds;
    }
    coll.drop().await.map_err(|e| e.to_string())?;
    Ok((rates[0], rates[1]))
}

/// Forty registered cards for the tills (the register is imported as a Fidelity file).
fn fidelity_file(dir: &Path) -> std::io::Result<(PathBuf, Vec<String>)> {
    // Far from the numbers signup hands out (from 1 up).
    let cards: Vec<String> = (900_001..=900_040).filter_map(app::validate::ean13::digital_card_number).collect();
    let mut csv = String::from("NumeroCarta;Nome;Cognome;ConsensoPrivacy\n");
    for c in &cards {
        csv.push_str(&format!("{c};Cassa;Prova;S\n"));
    }
    let path = dir.join("fidelity.csv");
    std::fs::write(&path, csv)?;
    Ok((path, cards))
}

/// A Scontrini file of `n` receipts without a card, dated yesterday.
fn scontrini_file(dir: &Path, n: u32) -> std::io::Result<PathBuf> {
    let day = crate::clock::today() - 1;
    let d = crate::clock::day_iso(day);
    let (y, m, dd) = (&d[0..4], &d[5..7], &d[8..10]);
    let mut csv = String::from("PuntoVendita;Data;Ora;Cassa;NumeroScontrino;NumeroCarta;Sconto;Totale\n");
    for i in 0..n {
        csv.push_str(&format!(
            "S02;{dd}/{m}/{y};{:02}:{:02};9;{};;0;{},{:02}\n",
            8 + i / 60 % 12,
            i % 60,
            5000 + i,
            10 + i % 40,
            i % 100
        ));
    }
    let path = dir.join("scontrini.csv");
    std::fs::write(&path, csv)?;
    Ok(path)
}

/// The dashboard's receipt count (all time) on replica `addr`, logged in with `cookie`.
async fn dashboard_receipts(addr: SocketAddr, cookie: &str) -> Option<i64> {
    let mut conn = Conn::new(addr);
    let (status, body) = conn.form("/api/analytics_dashboard", cookie, b"query=range%3Dall").await.ok()?;
    if status != 200 {
        return None;
    }
    let d: Value = serde_json::from_slice(&body).ok()?;
    d["kpis"].as_array()?.iter().find(|k| k["key"].as_str().is_some_and(|s| s.eq_ignore_ascii_case("receipts")))?
        ["value"]
        .as_i64()
}

/// Logs in on `addr`; the session cookie header.
async fn login(addr: SocketAddr, identifier: &str, password: &str) -> Result<String, String> {
    let mut conn = Conn::new(addr);
    let body = super::form(&[("identifier", identifier), ("password", password)]);
    let (status, bytes) = conn.form("/api/login", "", body.as_bytes()).await.map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("login on {addr}: {status} {}", String::from_utf8_lossy(&bytes)));
    }
    Ok(conn.cookies.join("; "))
}

/// Runs every measurement on a new cluster of `replicas` processes of `bin` on the MongoDB
/// database `database_url` (empty), using `dir` for files: `tills` tills at `rate` receipts a
/// second for `seconds` during the rolling restart.
pub async fn measure(
    bin: &Path,
    database_url: &str,
    dir: &Path,
    replicas: usize,
    tills: u32,
    rate: u32,
    seconds: u64,
) -> Result<Figures, String> {
    let e = |e: std::io::Error| e.to_string();
    let mut cluster = Cluster::new(bin, database_url, dir, replicas.max(3));
    let (fidelity, cards) = fidelity_file(dir).map_err(e)?;
    cluster.cli(&["import", &fidelity.to_string_lossy()], None)?;
    let key = cluster.cli(&["store-key", "create", "--store", "S01"], None)?.trim().to_string();
    cluster.cli(&["admin", "create", "--email", ADMIN], Some(&format!("{PASSWORD}\n")))?;
    cluster.start_all().await?;
    let mut figures = Figures::default();

    // A replica with another signing secret refuses to join, saying why.
    let port = free_port();
    let out = cluster
        .command(cluster.ports.len())
        .arg("serve")
        .env("IMAGROSS_BIND", format!("127.0.0.1:{port}"))
        .env("IMAGROSS_METRICS_BIND", "off")
        .env("JWT_SECRET", "another-secret-of-more-than-thirty-two-bytes-0123456789")
        .output()
        .map_err(e)?;
    let said = String::from_utf8_lossy(&out.stderr);
    if out.status.success() || !said.contains("JWT_SECRET differs from the one the running replicas") {
        return Err(format!("a replica with another JWT_SECRET was not refused: {said}"));
    }
    figures.refused_secret = said.lines().last().unwrap_or_default().to_string();

    // A shopper signs up on replica 1; receipts with the card go to replica 0.
    let mut shopper_conn = Conn::new(cluster.addr(1));
    let signup = super::form(&[
        ("first_name", "Giulia"),
        ("last_name", "Bianchi"),
        ("email", "giulia.cluster@example.it"),
        ("phone", "+39 347 1112223"),
        ("birth_date", "1990-05-17"),
        ("password", "una password lunga"),
        ("password_confirm", "una password lunga"),
        ("privacy_consent", "on"),
    ]);
    let (status, bytes) = shopper_conn.form("/api/signup", "", signup.as_bytes()).await.map_err(e)?;
    if status != 200 {
        return Err(format!("signup: {status} {}", String::from_utf8_lossy(&bytes)));
    }
    let card = serde_json::from_slice::<Value>(&bytes).ok().and_then(|v| v["card_number"].as_str().map(String::from));
    let card = card.ok_or("signup answered without a card number")?;
    let shopper = shopper_conn.cookies.join("; ");
    let day = crate::clock::day_iso(crate::clock::today());
    let mut till = Conn::new(cluster.addr(0));
    let mut reader = Conn::new(cluster.addr(1));
    // Replica 0's background round trips (feed and import polls, leases) over two idle seconds,
    // to subtract from what the ten receipts cost it.
    let idle_from = (store_commands(&cluster.metrics(0).await), Instant::now());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = (store_commands(&cluster.metrics(0).await), Instant::now());
    let idle_rate = commands_between(&idle_from.0, &before.0);
    let idle_secs = before.1.duration_since(idle_from.1).as_secs_f64();
    for k in 0..10u64 {
        // n = 3k + 1: never a multiple of three, so the receipt carries the (only) card.
        let (body, _) = loadgen::receipt("S01", 900, 3 * k + 1, &day, std::slice::from_ref(&card), 2);
        let body = serde_json::to_vec(&body).unwrap_or_default();
        loadgen::send_until_acked(&mut till, &key, &body, Instant::now() + Duration::from_secs(30)).await?;
        let acked = Instant::now();
        loop {
            let (status, page) = reader.form("/api/my_receipts", &shopper, b"page=1").await.map_err(e)?;
            let total = serde_json::from_slice::<Value>(&page).ok().and_then(|v| v["total"].as_u64());
            if status == 200 && total == Some(k + 1) {
                break;
            }
            if acked.elapsed() > Duration::from_secs(30) {
                return Err(format!("receipt {k} not on replica 1 after 30 s (status {status}, total {total:?})"));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        figures.receipt_visible_ms.push(acked.elapsed().as_secs_f64() * 1e3);
    }
    let busy_secs = before.1.elapsed().as_secs_f64();
    figures.commands_per_receipt = commands_between(&before.0, &store_commands(&cluster.metrics(0).await))
        .into_iter()
        .map(|(k, v)| {
            let background = idle_rate.get(&k).copied().unwrap_or(0.0) / idle_secs * busy_secs;
            (k, ((v - background) / 10.0).max(0.0))
        })
        .filter(|(_, v)| *v >= 0.05)
        .collect();

    // An import beside replica 0 reaches the dashboards of replicas 1 and 2.
    let mut admins = Vec::new();
    for i in 1..3 {
        let cookie = login(cluster.addr(i), ADMIN, PASSWORD).await?;
        // The ten live receipts are on every replica's dashboard first (appended within a second).
        let deadline = Instant::now() + Duration::from_secs(10);
        while dashboard_receipts(cluster.addr(i), &cookie).await != Some(10) {
            if Instant::now() > deadline {
                return Err(format!("replica {i}'s dashboard does not count the ten live receipts after 10 s"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        admins.push((i, cookie, 10));
    }
    let scontrini = scontrini_file(dir, 25).map_err(e)?;
    let report = cluster.cli(&["import", &scontrini.to_string_lossy()], None)?;
    let imported = Instant::now();
    for (i, cookie, before) in &admins {
        loop {
            let now = dashboard_receipts(cluster.addr(*i), cookie).await;
            if now == Some(before + 25) {
                break;
            }
            if imported.elapsed() > Duration::from_secs(60) {
                return Err(format!(
                    "the import is not on replica {i}'s dashboard after 60 s: {now:?} receipts, {before} before; \
                     the import said:\n{report}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        figures.import_visible_ms.push(imported.elapsed().as_secs_f64() * 1e3);
    }

    // Rolling restart under till load: every replica stopped in turn (the second with SIGKILL)
    // and started again once the others carry the load.
    let claims_before = {
        let store = store::open(&DatabaseUrl::Mongo(database_url.to_string())).await.map_err(|e| e.to_string())?;
        store.count(Table::ApiReceipts).await.map_err(|e| e.to_string())?
    };
    let addrs = cluster.addrs();
    let load = tokio::spawn({
        let (key, cards) = (key.clone(), cards.clone());
        async move { till_load(&addrs, &key, &cards, tills, rate, seconds).await }
    });
    let step = Duration::from_secs_f64(seconds as f64 / (replicas as f64 + 1.0));
    for i in 0..cluster.ports.len() {
        tokio::time::sleep(step).await;
        cluster.stop(i, if i == 1 { "KILL" } else { "TERM" });
        tokio::time::sleep(Duration::from_millis(500)).await;
        cluster.start(i).map_err(e)?;
        cluster.wait_ready(i, Duration::from_secs(120)).await?;
    }
    figures.load = load.await.map_err(|e| e.to_string())?;
    figures.sent = (u64::from(rate) * seconds).div_ceil(u64::from(tills.max(1))) * u64::from(tills);
    // Every replica, restarted, takes a till's receipt (the last restart may end after the load).
    let mut checked = figures.load.acknowledged.clone();
    for i in 0..cluster.ports.len() {
        let (body, expected) =
            loadgen::receipt("S01", 800 + i as u32, 0, &day, &cards, crate::config::DEFAULT_PROMO_BONUS);
        let body = serde_json::to_vec(&body).unwrap_or_default();
        let mut conn = Conn::new(cluster.addr(i));
        loadgen::send_until_acked(&mut conn, &key, &body, Instant::now() + Duration::from_secs(30)).await?;
        checked.push(expected);
    }
    let store = store::open(&DatabaseUrl::Mongo(database_url.to_string())).await.map_err(|e| e.to_string())?;
    figures.verification = loadgen::verify(store.as_ref(), &checked, claims_before).await.map_err(|e| e.to_string())?;
    // The shopper's own receipts stay on every replica after the restarts.
    for i in 0..cluster.ports.len() {
        let mut c = Conn::new(cluster.addr(i));
        let (_, page) = c.form("/api/my_receipts", &shopper, b"page=1").await.map_err(e)?;
        let total = serde_json::from_slice::<Value>(&page).ok().and_then(|v| v["total"].as_u64());
        if total != Some(10) {
            return Err(format!("replica {i} shows {total:?} receipts for the shopper after the restarts, not 10"));
        }
    }
    // One replica holds the points lease again (the holder stopped gracefully released it, the
    // killed one's expired): within the lease's time to live plus a renewal.
    let deadline = Instant::now() + crate::points::LEASE_TTL + Duration::from_secs(15);
    loop {
        let mut scraped = Vec::new();
        for i in 0..cluster.ports.len() {
            scraped.push(cluster.metrics(i).await);
        }
        let holders = scraped.iter().filter(|m| m.contains("lease_held{lease=\"points-ledger\"} 1")).count();
        if holders == 1 || Instant::now() > deadline {
            figures.metrics = scraped;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Ok(figures)
}

/// `imagross bench cluster`: the measurements on a new database of the MongoDB server at
/// `uri`, printed.
pub async fn run(uri: &str, replicas: usize, tills: u32, rate: u32, seconds: u64) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = format!("cluster{}", uuid::Uuid::new_v4().simple());
    let url = with_database(uri, &db);
    let bin = std::env::current_exe()?;
    println!("cluster: {replicas} replicas of {} on {} (database {db})", bin.display(), hosts_of(uri));
    let (writes, reads) = server_capacity(&url, 16, 3.0).await.map_err(|e| anyhow::anyhow!(e))?;
    println!(
        "the MongoDB server alone, 16 clients: {writes:.0} durable single-document inserts/s, {reads:.0} reads by _id/s"
    );
    let f = match measure(&bin, &url, dir.path(), replicas, tills, rate, seconds).await {
        Ok(f) => f,
        Err(e) => {
            for i in 0..replicas {
                let log = std::fs::read_to_string(dir.path().join(format!("replica-{i}.log"))).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(15).collect();
                eprintln!("--- replica {i}, last lines:\n{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
            }
            anyhow::bail!(e)
        }
    };
    let p = |v: &[f64], q: f64| percentile(v, q);
    println!(
        "receipt on replica 0 → on the shopper's page on replica 1: p50 {:.0} ms, max {:.0} ms ({} receipts)",
        p(&f.receipt_visible_ms, 50.0),
        p(&f.receipt_visible_ms, 100.0),
        f.receipt_visible_ms.len()
    );
    println!(
        "import beside replica 0 → on the dashboards of replicas 1 and 2: {} ms",
        f.import_visible_ms.iter().map(|v| format!("{v:.0}")).collect::<Vec<_>>().join(", ")
    );
    let trips: f64 = f.commands_per_receipt.values().sum();
    let detail: Vec<String> = f.commands_per_receipt.iter().map(|(k, v)| format!("{k} {v:.1}")).collect();
    // The server's time per receipt: its reads at the read rate, everything else at the write rate.
    let server_secs: f64 = f
        .commands_per_receipt
        .iter()
        .map(|(k, v)| v / if matches!(k.as_str(), "find" | "getMore" | "aggregate" | "count") { reads } else { writes })
        .sum();
    println!(
        "round trips per live receipt on the replica that takes it: {trips:.1} ({}); at the server's rates above, \
         at most ≈ {:.0} receipts/s, before the replicas following the feed or anything else",
        detail.join(", "),
        1.0 / server_secs.max(1e-9)
    );
    let l = &f.load;
    println!(
        "rolling restart under load ({tills} tills, {rate} receipts/s asked, {seconds} s; replicas stopped in turn, \
         one with SIGKILL): {} of {} acknowledged in {:.1} s ({:.0} receipts/s), {} retried, {} failovers, {} replayed",
        l.acknowledged.len(),
        f.sent,
        l.elapsed.as_secs_f64(),
        l.acknowledged.len() as f64 / l.elapsed.as_secs_f64(),
        l.retried,
        l.failovers,
        l.replayed
    );
    println!(
        "latency from first attempt to acknowledgement: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.0} ms",
        p(&l.latencies_ms, 50.0),
        p(&l.latencies_ms, 95.0),
        p(&l.latencies_ms, 99.0),
        p(&l.latencies_ms, 100.0)
    );
    let v = &f.verification;
    println!(
        "exactly once: {} stored once, {} missing or wrong, {} points entries right, {} wrong, {} extra claims → {}",
        v.stored_once,
        v.missing_or_wrong,
        v.ledger_matching,
        v.ledger_wrong,
        v.extra_claims,
        if v.ok() { "ok" } else { "FAILED" }
    );
    if !v.ok() {
        anyhow::bail!("the cluster lost or doubled receipts");
    }
    Ok(())
}

/// `uri` with its database name replaced by `db`.
pub fn with_database(uri: &str, db: &str) -> String {
    let (head, query) = uri.split_once('?').map(|(h, q)| (h, Some(q))).unwrap_or((uri, None));
    let (scheme, rest) = head.split_once("://").unwrap_or(("mongodb", head));
    let hosts = rest.split('/').next().unwrap_or_default();
    let mut out = format!("{scheme}://{hosts}/{db}");
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// The hosts of a MongoDB URI, without credentials (for printing).
fn hosts_of(uri: &str) -> String {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    let hosts = rest.split('/').next().unwrap_or_default();
    hosts.rsplit('@').next().unwrap_or_default().to_string()
}
