//! `kill -9` during an import, then the same import again: the final state equals a clean
//! import of the same files, with no duplicates.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use app::validate::SimpleDate;
use imagross::demo::{generate, DemoFormat, DemoOptions};
use imagross::store::DatabaseUrl;
use imagross::store::{self, Store, Table};

fn import_cmd(db: &Path, file: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_imagross"));
    cmd.args(["import", file.to_str().unwrap()])
        .env("DATABASE_URL", format!("sqlite:{}", db.display()))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// Every row of the data tables, as text, in id order: the whole observable state.
async fn snapshot(store: &dyn Store) -> Vec<String> {
    let mut out = Vec::new();
    for table in [
        Table::Cardholders,
        Table::Shops,
        Table::Departments,
        Table::Products,
        Table::Promotions,
        Table::Receipts,
        Table::SalesLines,
    ] {
        let mut after: Option<String> = None;
        loop {
            let page = store.scan(table, after.as_deref(), 5000).await.unwrap();
            let Some(last) = page.last() else { break };
            after = last["id"].as_str().map(str::to_string);
            out.extend(page.iter().map(|d| format!("{}:{}", table.name(), serde_json::Value::Object(d.clone()))));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_midway_and_run_again_equals_a_clean_import() {
    let dir = tempfile::tempdir().unwrap();
    let demo = generate(&DemoOptions {
        customers: 1500,
        months: 12,
        seed: 11,
        end: SimpleDate::new(2025, 12, 31).unwrap(),
        out: dir.path().join("demo"),
        format: DemoFormat::Csv,
    })
    .unwrap();
    let (fidelity, scontrini, vendite) = (&demo.files[0], &demo.files[1], &demo.files[2]);

    // Clean import for reference.
    let clean_db = dir.path().join("clean.sqlite");
    for f in [fidelity, scontrini, vendite] {
        assert!(import_cmd(&clean_db, f).status().unwrap().success());
    }

    // Interrupted import: kill -9 once some sales lines are in.
    let db = dir.path().join("killed.sqlite");
    for f in [fidelity, scontrini] {
        assert!(import_cmd(&db, f).status().unwrap().success());
    }
    let watcher = store::open(&DatabaseUrl::Sqlite(db.clone())).await.unwrap();
    let mut child = import_cmd(&db, vendite).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let lines = watcher.count(Table::SalesLines).await.unwrap();
        if lines > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "no lines were written");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let partial = watcher.count(Table::SalesLines).await.unwrap();
    eprintln!("killed with {partial} of {} lines written", demo.lines);
    assert!(partial < demo.lines, "the import finished before the kill; nothing was tested");

    // Run it again: same result as the clean import.
    assert!(import_cmd(&db, vendite).status().unwrap().success());
    let clean = store::open(&DatabaseUrl::Sqlite(clean_db)).await.unwrap();
    assert_eq!(watcher.count(Table::SalesLines).await.unwrap(), demo.lines);
    assert_eq!(snapshot(watcher.as_ref()).await, snapshot(clean.as_ref()).await);
}
