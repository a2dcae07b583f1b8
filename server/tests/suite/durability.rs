//! Durability: acknowledged writes made through the running server survive `kill -9`.
//! Shoppers sign up concurrently through the real binary; the server is killed with SIGKILL
//! while requests are in flight; after a restart every acknowledged account and card is there,
//! exactly once, and the restart itself changed nothing.

use crate::common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use imagross::store::model::{Cardholder, UserAccount};
use imagross::store::DatabaseUrl;
use imagross::store::{self, StoreExt, Table};
use serde_json::json;

/// Starts `imagross serve` on a free port; returns the process and its base URL.
fn start_server(data_dir: &std::path::Path, database: &DatabaseUrl) -> (Child, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_imagross"));
    cmd.arg("serve")
        .env("IMAGROSS_DATA_DIR", data_dir)
        .env("IMAGROSS_BIND", "127.0.0.1:0")
        // Hundreds of signups from one address: this test is about durability, not limits.
        .env("IMAGROSS_SIGNUPS_PER_HOUR", "100000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    match database {
        DatabaseUrl::Sqlite(path) => cmd.env("DATABASE_URL", format!("sqlite:{}", path.display())),
        DatabaseUrl::Mongo(uri) => cmd.env("DATABASE_URL", uri),
    };
    let mut child = cmd.spawn().expect("start imagross");
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "unexpected first line: {line:?}");
    (child, url)
}

async fn wait_ready(client: &reqwest::Client, url: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(res) = client.get(format!("{url}/readyz")).send().await {
            if res.status() == 200 {
                return;
            }
        }
        assert!(Instant::now() < deadline, "server at {url} never became ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn signup_form(i: usize) -> Vec<(&'static str, String)> {
    vec![
        ("first_name", format!("Cliente{i}")),
        ("last_name", "Durevole".to_string()),
        ("email", format!("cliente{i}@example.it")),
        ("phone", format!("+39 333 {:07}", 2_000_000 + i)),
        ("birth_date", "1985-06-15".to_string()),
        ("password", "password molto lunga".to_string()),
        ("password_confirm", "password molto lunga".to_string()),
        ("privacy_consent", "on".to_string()),
    ]
}

async fn run(database: DatabaseUrl, data_dir: &std::path::Path) {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    let (mut server, url) = start_server(data_dir, &database);
    wait_ready(&client, &url).await;

    // Email → card number of every acknowledged signup.
    let acknowledged: Arc<Mutex<BTreeMap<String, String>>> = Arc::default();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let workers: Vec<_> = (0..6)
        .map(|_| {
            let (client, url, acknowledged, next) = (client.clone(), url.clone(), acknowledged.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if i >= 400 {
                        return;
                    }
                    let Ok(res) = client
                        .post(format!("{url}/api/signup"))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(common::form_encode(&signup_form(i)))
                        .send()
                        .await
                    else {
                        return; // the server is gone
                    };
                    if res.status() != 200 {
                        return;
                    }
                    let Ok(body) = res.json::<serde_json::Value>().await else { return };
                    let card = body["card_number"].as_str().unwrap().to_string();
                    acknowledged.lock().unwrap().insert(format!("cliente{i}@example.it"), card);
                }
            })
        })
        .collect();

    // Kill -9 while signups are in flight.
    let deadline = Instant::now() + Duration::from_secs(120);
    while acknowledged.lock().unwrap().len() < 25 {
        assert!(Instant::now() < deadline, "too few signups acknowledged");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    for w in workers {
        w.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 25);
    eprintln!("{} signups acknowledged before kill -9", acknowledged.len());

    // Restart on the same data: every acknowledged signup is there, once.
    let (mut server, url) = start_server(data_dir, &database);
    wait_ready(&client, &url).await;
    let store = store::open(&database).await.unwrap();
    let users_after_restart = store.count(Table::Users).await.unwrap();
    assert!(users_after_restart >= acknowledged.len() as u64);
    eprintln!("{users_after_restart} accounts stored after restart");
    for (email, card) in &acknowledged {
        let users: Vec<UserAccount> = store.find("email", json!(email), 5).await.unwrap();
        assert_eq!(users.len(), 1, "{email} lost or duplicated");
        assert_eq!(users[0].card_number.as_deref(), Some(card.as_str()));
        let holder: Option<Cardholder> = store.get_one(card).await.unwrap();
        assert_eq!(holder.map(|h| h.email), Some(Some(email.clone())), "card {card} lost");
    }
    // The running server sees them too: signing up again with an acknowledged email is refused.
    let (email, _) = acknowledged.iter().next().unwrap();
    let i: usize = email.trim_start_matches("cliente").trim_end_matches("@example.it").parse().unwrap();
    let res = client
        .post(format!("{url}/api/signup"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(common::form_encode(&signup_form(i)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);

    // A clean stop and another start change nothing.
    server.kill().unwrap();
    server.wait().unwrap();
    let (mut server, url) = start_server(data_dir, &database);
    wait_ready(&client, &url).await;
    assert_eq!(store.count(Table::Users).await.unwrap(), users_after_restart);
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_keeps_every_acknowledged_signup_across_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let database = DatabaseUrl::Sqlite(dir.path().join("imagross.sqlite"));
    run(database, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_keeps_every_acknowledged_signup_across_kill_9() {
    let Some(database) = common::mongo_url() else { return };
    let dir = tempfile::tempdir().unwrap();
    run(database, dir.path()).await;
}
