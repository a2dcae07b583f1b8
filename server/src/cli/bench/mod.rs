//! `imagross bench …`: every benchmark and the load generator live here, never in production
//! modules. `import` (below) generates the default demo set and imports it into a fresh
//! embedded store (and into MongoDB when `MONGODB_TEST_URI` is set), printing sales lines per
//! second and the process's peak resident memory; `analytics`, `clv`, `personal` and `api` are
//! in the submodules of the same names, the tills' load generator in [`loadgen`].

mod abuse;
mod analytics;
mod api;
mod catch_up;
pub mod cluster;
pub mod loadgen;
mod personal;
mod rewards;

use std::time::Instant;

use clap::Subcommand;

use crate::demo::{end_of_previous_month, generate, DemoFormat, DemoOptions};
use crate::import::pipeline::{import_file, ImportOptions};
use crate::store;
use crate::store::DatabaseUrl;

/// The demo set a benchmark generates.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct DemoSet {
    /// Cardholders in the generated set.
    #[arg(long, default_value_t = 30_000)]
    pub customers: u32,
    /// Months of receipts.
    #[arg(long, default_value_t = 12)]
    pub months: u32,
    /// Multiplies the cardholders (and so receipts and lines): `--scale 10` is ten times the
    /// default set, about 25 million sales lines.
    #[arg(long, default_value_t = 1)]
    pub scale: u32,
}

impl DemoSet {
    /// Cardholders to generate.
    pub fn cardholders(&self) -> u32 {
        self.customers.saturating_mul(self.scale.max(1))
    }
}

/// The store a benchmark reads: a generated demo set, or an existing SQLite file.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchStore {
    #[command(flatten)]
    pub demo: DemoSet,
    /// Use this existing SQLite file instead of generating a set.
    #[arg(long)]
    pub sqlite: Option<std::path::PathBuf>,
}

/// `bench` subcommands.
#[derive(Subcommand, Debug)]
pub enum BenchAction {
    /// `/me` latency with concurrent logged-in shoppers.
    Personal {
        #[command(flatten)]
        source: BenchStore,
        /// Concurrent clients.
        #[arg(long, default_value_t = 50)]
        clients: usize,
        /// Seconds of load.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
    /// Receipts pushed through the tills' REST API: throughput, latency, exactly-once check.
    Api {
        #[command(flatten)]
        source: BenchStore,
        /// Receipts per second, all tills together.
        #[arg(long, default_value_t = 500)]
        rate: u32,
        /// Seconds of load.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Simulated tills (concurrent clients), each with its own store key.
        #[arg(long, default_value_t = 16)]
        tills: u32,
        /// Run the server's background rebuilds during the load, as in production.
        #[arg(long)]
        watch: bool,
    },
    /// Redemptions and receipts with vouchers, mixed: latency, then the exactly-once checks.
    Rewards {
        #[command(flatten)]
        source: BenchStore,
        /// Redemptions per second, all shoppers together.
        #[arg(long, default_value_t = 200)]
        redemptions: u32,
        /// Receipts per second, all tills together.
        #[arg(long, default_value_t = 500)]
        receipts: u32,
        /// Seconds of load.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
    },
    /// Several replicas on one MongoDB (`--mongo` or `MONGODB_TEST_URI`, a new database):
    /// receipts and imports reaching the other replicas, and a rolling restart under till load
    /// with the exactly-once check.
    Cluster {
        /// The MongoDB server (a new database is created on it).
        #[arg(long, env = "MONGODB_TEST_URI")]
        mongo: String,
        #[arg(long, default_value_t = 3)]
        replicas: usize,
        /// Simulated tills.
        #[arg(long, default_value_t = 16)]
        tills: u32,
        /// Receipts per second, all tills together.
        #[arg(long, default_value_t = 200)]
        rate: u32,
        /// Seconds of load during the rolling restart.
        #[arg(long, default_value_t = 40)]
        seconds: u64,
    },
    /// Customer-value model fit and prediction time.
    Clv {
        #[command(flatten)]
        source: BenchStore,
    },
    /// Dashboard query latency, engine build time and memory, and SQL comparison.
    Analytics {
        #[command(flatten)]
        source: BenchStore,
        /// Times each query runs per filter set.
        #[arg(long, default_value_t = 5)]
        rounds: u32,
        /// Also writes the engine's times for the DuckDB comparison (`.ci/bench-duckdb`) here.
        #[arg(long)]
        json: Option<std::path::PathBuf>,
    },
    /// 1,000 signups and 1,000 wrong logins at once against a running server: its peak memory,
    /// a shopper's `/me` latency meanwhile, and whether legitimate logins get through.
    Abuse {
        #[command(flatten)]
        demo: DemoSet,
        /// Concurrent signups.
        #[arg(long, default_value_t = 1000)]
        signups: usize,
        /// Concurrent wrong logins.
        #[arg(long, default_value_t = 1000)]
        logins: usize,
    },
    /// Import speed and memory on the demo set.
    Import {
        #[command(flatten)]
        demo: DemoSet,
    },
}

/// Percentile `p` (0–1) of `sorted` latencies, in milliseconds (NaN when there are none).
pub fn percentile(sorted: &[std::time::Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
}

/// Form fields as `application/x-www-form-urlencoded`.
pub fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            let enc = |s: &str| {
                s.bytes()
                    .map(|b| match b {
                        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
                        _ => format!("%{b:02X}"),
                    })
                    .collect::<String>()
            };
            format!("{}={}", enc(k), enc(v))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Peak resident memory of this process in MiB (Linux `VmHWM`).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

async fn import_set(url: &DatabaseUrl, files: &[std::path::PathBuf], label: &str) -> anyhow::Result<()> {
    let store = store::open(url).await?;
    let options = ImportOptions { kind: None, run_by: "bench".into(), sheet: None };
    for file in files {
        let started = Instant::now();
        let summary = import_file(store.as_ref(), file, &options, &|_| {}).await?;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{label:<8} {:<10} {:>9} rows in {:>6.2} s = {:>9.0} rows/s  (inserted {}, rejected {}; peak so far {:.0} MiB)",
            summary.kind,
            summary.rows_read,
            secs,
            summary.rows_read as f64 / secs,
            summary.inserted,
            summary.rejected,
            peak_rss_mib().unwrap_or(f64::NAN)
        );
    }
    let started = Instant::now();
    let again = import_file(store.as_ref(), &files[2], &options, &|_| {}).await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{label:<8} vendite again (all unchanged: {}) {:.0} rows/s",
        again.unchanged == again.rows_read,
        again.rows_read as f64 / secs
    );
    Ok(())
}

/// Starts a new peak-memory window (Linux: writing 5 to `clear_refs` resets `VmHWM` to the
/// current resident size), so a figure measures one phase, not the set-up before it.
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Current resident memory of this process in MiB (Linux `VmRSS`).
pub fn current_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Generates the demo set into `dir/demo` (seed 42, ending last month) and says how big it is.
async fn generate_demo(demo: DemoSet, dir: &std::path::Path) -> anyhow::Result<crate::demo::DemoStats> {
    let options = DemoOptions {
        customers: demo.cardholders(),
        months: demo.months,
        seed: 42,
        end: end_of_previous_month(crate::clock::today_date()),
        out: dir.join("demo"),
        format: DemoFormat::Csv,
    };
    let started = Instant::now();
    let stats = tokio::task::spawn_blocking(move || generate(&options)).await??;
    println!(
        "demo set: {} cardholders, {} receipts, {} sales lines generated in {:.1} s",
        stats.cardholders,
        stats.receipts,
        stats.lines,
        started.elapsed().as_secs_f64()
    );
    Ok(stats)
}

/// Generates the demo set in `dir` and imports it into `url`.
pub async fn generate_and_import(demo: DemoSet, dir: &std::path::Path, url: &DatabaseUrl) -> anyhow::Result<()> {
    let stats = generate_demo(demo, dir).await?;
    let store = store::open(url).await?;
    let import = ImportOptions { kind: None, run_by: "bench".into(), sheet: None };
    for file in &stats.files {
        import_file(store.as_ref(), file, &import, &|_| {}).await?;
    }
    Ok(())
}

/// Runs a benchmark.
pub async fn run(action: BenchAction, build: super::BuildState) -> anyhow::Result<()> {
    match action {
        BenchAction::Personal { source, clients, seconds } => {
            personal::run(&source, clients.max(1), seconds.max(1), build).await
        }
        BenchAction::Api { source, rate, seconds, tills, watch } => {
            api::run(&source, rate, seconds.max(1), tills.max(1), watch, build).await
        }
        BenchAction::Cluster { mongo, replicas, tills, rate, seconds } => {
            cluster::run(&mongo, replicas.max(3), tills.max(1), rate.max(1), seconds.max(5)).await
        }
        BenchAction::Clv { source } => analytics::run_clv(&source).await,
        BenchAction::Rewards { source, redemptions, receipts, seconds } => {
            rewards::run(&source, redemptions, receipts, seconds.max(1), build).await
        }
        BenchAction::Abuse { demo, signups, logins } => abuse::run(demo, signups, logins).await,
        BenchAction::Analytics { source, rounds, json } => analytics::run(&source, rounds.max(1), json).await,
        BenchAction::Import { demo } => {
            let dir = tempfile_dir()?;
            let stats = generate_demo(demo, &dir).await?;
            println!("peak resident memory after generating: {:.0} MiB", peak_rss_mib().unwrap_or(f64::NAN));
            reset_peak_rss();
            import_set(&DatabaseUrl::Sqlite(dir.join("bench.sqlite")), &stats.files, "sqlite").await?;
            catch_up::run(&dir, &stats.files).await?;
            if let Ok(uri) = std::env::var("MONGODB_TEST_URI") {
                let db_uri = format!("{}/bench{}", uri.trim_end_matches('/'), std::process::id());
                let url = DatabaseUrl::Mongo(db_uri);
                import_set(&url, &stats.files, "mongodb").await?;
                // What a replica's rebuild reads: every row, paged by id.
                let store = store::open(&url).await?;
                let started = Instant::now();
                let data = crate::projection::load(store.as_ref()).await?;
                let secs = started.elapsed().as_secs_f64();
                let rows = data.cards.len() + data.receipts.len() + data.lines.len();
                println!(
                    "mongodb  projection build read {rows} rows in {secs:.2} s = {:.0} rows/s (a rebuild needs \
                     rows ÷ this many seconds from a server this fast)",
                    rows as f64 / secs
                );
                // Ordered bulk writes: per 1,000 rows of a table one `find` of the ids and one
                // `insert_many`; per 20,000-row chunk one reference check and the dimensions.
                let rows = stats.cardholders + stats.receipts + stats.lines;
                let trips = rows.div_ceil(1000) * 2 + rows.div_ceil(20_000) * 4;
                println!(
                    "mongodb  about {trips} round trips for {rows} rows: on a real server, seconds ≈ rows ÷ its \
                     inserts per second + round trips × its round-trip time"
                );
            }
            println!("peak resident memory: {:.0} MiB", peak_rss_mib().unwrap_or(f64::NAN));
            let _ = std::fs::remove_dir_all(&dir);
            Ok(())
        }
    }
}

/// Copies the SQLite file's write-ahead log into the database and empties it, so the set-up's
/// writes are not checkpointed during the measured load (they were: a tail of 0.5 s).
pub fn checkpoint(path: &std::path::Path) -> anyhow::Result<()> {
    let conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// A fresh scratch directory for one benchmark run.
pub fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("imagross-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// The whole server state over `store`, built by the composition root handed down as `build`
/// (a fixed signing secret, cookies without `Secure`, no per-key till limit: benchmarks only).
fn bench_state(
    store: std::sync::Arc<dyn crate::store::Store>,
    build: super::BuildState,
) -> anyhow::Result<crate::http::ServerState> {
    let options = leptos::prelude::LeptosOptions::builder().output_name("imagross").site_root("target/site").build();
    let mut security = crate::auth::Security::new(
        crate::config::JwtSecret::from_bytes(b"bench-secret-bench-secret-bench!".to_vec())
            .map_err(anyhow::Error::msg)?,
        false,
    );
    // Benchmarks measure throughput: the per-key till limit (tested by the attack suite) would
    // only measure itself.
    security.protection.till_receipts_per_minute = 10_000_000;
    build(options, store, &security, Default::default(), Default::default(), Default::default())
        .map_err(anyhow::Error::msg)
}
