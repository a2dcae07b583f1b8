//! Staff accounts and role checks: the first super admin only from the CLI, admin functions
//! refused to anonymous users (401), shoppers and disabled admins (403).

use crate::common;

use std::io::Write;
use std::process::{Command, Stdio};

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use imagross::accounts::admins::create_staff_account;
use imagross::http::{router, ServerState};
use imagross::store::Table;
use serde_json::Value;
use tower::ServiceExt;

const PASSWORD: &str = "password da amministratore";

async fn call(state: &ServerState, path: &str, body: String, cookie: Option<&str>) -> (StatusCode, String, String) {
    let mut req = Request::post(path)
        .header("origin", crate::common::ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let res = router(state.clone()).oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
    let status = res.status();
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect();
    let body = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
    (status, body, cookies.join("; "))
}

async fn login(state: &ServerState, email: &str, password: &str) -> String {
    let (status, body, cookies) =
        call(state, "/api/login", common::form_encode(&[("identifier", email), ("password", password)]), None).await;
    assert_eq!(status, StatusCode::OK, "{email}: {body}");
    cookies
}

async fn shopper_cookie(state: &ServerState) -> String {
    let body = common::signup_body("giulia@example.it", "333 1234567");
    let (status, body, cookies) = call(state, "/api/signup", body, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    cookies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_functions_answer_401_to_anonymous_and_403_to_shoppers() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    let shopper = shopper_cookie(&s).await;
    let create = common::form_encode(&[
        ("email", "x@example.it"),
        ("first_name", "X"),
        ("last_name", "Y"),
        ("password", PASSWORD),
    ]);
    for (path, body) in [
        ("/api/admin_gate", String::new()),
        ("/api/admin_list", String::new()),
        ("/api/admin_create", create.clone()),
        ("/api/admin_set_active", "id=whatever&active=false".to_string()),
    ] {
        assert_eq!(call(&s, path, body.clone(), None).await.0, StatusCode::UNAUTHORIZED, "{path} anonymous");
        assert_eq!(call(&s, path, body, Some(&shopper)).await.0, StatusCode::FORBIDDEN, "{path} shopper");
    }
    assert_eq!(t.store.count(Table::Users).await.unwrap(), 1, "nothing was created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_super_admin_creates_disables_and_re_enables_admins() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    create_staff_account(
        t.store.as_ref(),
        "capo@imagross.it",
        "Anna",
        "Verdi",
        PASSWORD,
        app::model::account::Role::SuperAdmin,
    )
    .await
    .unwrap();
    let boss = login(&s, "capo@imagross.it", PASSWORD).await;

    let create = common::form_encode(&[
        ("email", "Mario@ImaGross.it"),
        ("first_name", "Mario"),
        ("last_name", "Neri"),
        ("password", PASSWORD),
    ]);
    let (status, body, _) = call(&s, "/api/admin_create", create.clone(), Some(&boss)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(created["email"], "mario@imagross.it");
    assert_eq!(created["role"], "admin");
    assert!(!body.contains("argon2"));
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(call(&s, "/api/admin_create", create, Some(&boss)).await.0, StatusCode::CONFLICT, "same email twice");

    let (status, body, _) = call(&s, "/api/admin_list", String::new(), Some(&boss)).await;
    assert_eq!(status, StatusCode::OK);
    let list: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(
        list.iter().map(|r| r["email"].as_str().unwrap()).collect::<Vec<_>>(),
        ["capo@imagross.it", "mario@imagross.it"]
    );

    // The admin may open admin pages but not manage admins.
    let admin = login(&s, "mario@imagross.it", PASSWORD).await;
    assert_eq!(call(&s, "/api/admin_gate", String::new(), Some(&admin)).await.0, StatusCode::OK);
    assert_eq!(call(&s, "/api/admin_list", String::new(), Some(&admin)).await.0, StatusCode::FORBIDDEN);

    // Disabled: every session ends at once, even a still-valid access token (401: log in
    // again), and logging in fails.
    let (status, body, _) = call(&s, "/api/admin_set_active", format!("id={id}&active=false"), Some(&boss)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(call(&s, "/api/admin_gate", String::new(), Some(&admin)).await.0, StatusCode::UNAUTHORIZED);
    let (status, _, _) = call(
        &s,
        "/api/login",
        common::form_encode(&[("identifier", "mario@imagross.it"), ("password", PASSWORD)]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Re-enabled.
    assert_eq!(call(&s, "/api/admin_set_active", format!("id={id}&active=true"), Some(&boss)).await.0, StatusCode::OK);
    let admin = login(&s, "mario@imagross.it", PASSWORD).await;
    assert_eq!(call(&s, "/api/admin_gate", String::new(), Some(&admin)).await.0, StatusCode::OK);

    // The super admin cannot lock themselves out.
    let me: Value = serde_json::from_str(&call(&s, "/api/me", String::new(), Some(&boss)).await.1).unwrap();
    let my_id = me["id"].as_str().unwrap();
    assert_eq!(
        call(&s, "/api/admin_set_active", format!("id={my_id}&active=false"), Some(&boss)).await.0,
        StatusCode::FORBIDDEN
    );
}

fn admin_cli(db: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_imagross"))
        .args(args)
        .env("DATABASE_URL", format!("sqlite:{}", db.display()))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_super_admin_comes_from_the_cli_with_the_password_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("imagross.sqlite");
    let ok = admin_cli(
        &db,
        &["admin", "create", "--email", "capo@imagross.it", "--role", "super_admin"],
        &format!("{PASSWORD}\n"),
    );
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("SuperAdmin capo@imagross.it"));

    let weak = admin_cli(&db, &["admin", "create", "--email", "altro@imagross.it"], "corta\n");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"), "{}", String::from_utf8_lossy(&weak.stderr));
    let dup = admin_cli(&db, &["admin", "create", "--email", "CAPO@imagross.it"], &format!("{PASSWORD}\n"));
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("email"), "{}", String::from_utf8_lossy(&dup.stderr));

    let list = admin_cli(&db, &["admin", "list"], "");
    let out = String::from_utf8_lossy(&list.stdout);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("capo@imagross.it") && out.contains("active"));

    // It logs in through the server.
    let store = imagross::store::open(&imagross::store::DatabaseUrl::Sqlite(db.clone())).await.unwrap();
    let t = common::TestStore::from_store(store);
    let s = common::server_state(&t);
    let cookie = login(&s, "capo@imagross.it", PASSWORD).await;
    assert_eq!(call(&s, "/api/admin_list", String::new(), Some(&cookie)).await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_download_a_batch_error_report_as_csv_and_nobody_else_can() {
    use imagross::import::pipeline::{import_file, ImportOptions};
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fidelity;bad.csv");
    std::fs::write(&file, "NumeroCarta;Nome;Cognome;Email\n2000000000015;Maria;Rossi;=HYPERLINK(\"x\")\n2000000000022;Luca;;\n2000000000039;Anna;Verdi;\n").unwrap();
    let summary = import_file(
        t.store.as_ref(),
        &file,
        &ImportOptions { kind: None, run_by: "test".into(), sheet: None },
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!(summary.rejected, 2);
    let path = format!("/admin/import/{}/errors.csv", summary.batch_id);
    let get = |cookie: Option<String>| {
        let mut req = Request::get(path.as_str());
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req.body(Body::empty()).unwrap()
    };
    assert_eq!(router(s.clone()).oneshot(get(None)).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let shopper = shopper_cookie(&s).await;
    assert_eq!(router(s.clone()).oneshot(get(Some(shopper))).await.unwrap().status(), StatusCode::FORBIDDEN);

    create_staff_account(
        t.store.as_ref(),
        "capo@imagross.it",
        "Anna",
        "Verdi",
        PASSWORD,
        app::model::account::Role::SuperAdmin,
    )
    .await
    .unwrap();
    let boss = login(&s, "capo@imagross.it", PASSWORD).await;
    let res = router(s.clone()).oneshot(get(Some(boss))).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-disposition"].to_str().unwrap().contains("errori-fidelity_bad.csv")
            || res.headers()["content-disposition"].to_str().unwrap().contains("errori-fidelity;bad.csv")
    );
    let body = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines[0], "\u{feff}riga;colonna;valore;motivo");
    assert_eq!(lines[1], "2;Email;\"'=HYPERLINK(\"\"x\"\")\";expected an email address");
    assert_eq!(lines[2], "3;Cognome;;missing value");
    assert_eq!(lines.len(), 3);
}

fn multipart(kind: &str, file_name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "XyZBoundary42";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n").as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_uploads_a_file_and_follows_the_import_to_its_summary() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    let content =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import/fidelity.csv")).unwrap();
    let upload = |cookie: Option<String>| {
        let (ct, body) = multipart("", "fidelity.csv", &content);
        let mut req =
            Request::post("/admin/import/upload").header("origin", crate::common::ORIGIN).header("content-type", ct);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req.body(Body::from(body)).unwrap()
    };
    assert_eq!(router(s.clone()).oneshot(upload(None)).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let shopper = shopper_cookie(&s).await;
    assert_eq!(router(s.clone()).oneshot(upload(Some(shopper))).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(t.store.count(Table::ImportBatches).await.unwrap(), 0, "refused uploads import nothing");

    create_staff_account(
        t.store.as_ref(),
        "capo@imagross.it",
        "Anna",
        "Verdi",
        PASSWORD,
        app::model::account::Role::SuperAdmin,
    )
    .await
    .unwrap();
    let boss = login(&s, "capo@imagross.it", PASSWORD).await;
    let res = router(s.clone()).oneshot(upload(Some(boss.clone()))).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let job = location.strip_prefix("/admin/import?job=").expect("redirect to the job").to_string();

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let view = loop {
        let (status, body, _) = call(&s, "/api/import_job", format!("job_id={job}"), Some(&boss)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let view: Value = serde_json::from_str(&body).unwrap();
        if view["done"] == true {
            break view;
        }
        assert!(std::time::Instant::now() < deadline, "the import never finished");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(view["batch"]["inserted"], 3);
    assert_eq!(view["batch"]["kind"], "fidelity");
    assert_eq!(view["batch"]["status"], "completed");
    assert_eq!(t.store.count(Table::Cardholders).await.unwrap(), 4, "3 imported + the shopper's digital card");
    let (_, body, _) = call(&s, "/api/import_batches", String::new(), Some(&boss)).await;
    let batches: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0]["file_name"], "fidelity.csv");
    // The page itself renders the outcome on the server.
    let page = router(s.clone())
        .oneshot(Request::get(location.as_str()).header("cookie", boss).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let html = String::from_utf8(page.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(html.contains("Importazione completata"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_beyond_the_size_limit_are_refused_and_import_nothing() {
    let t = common::sqlite().await;
    let s = ServerState { upload_limit: 64, ..common::server_state(&t) };
    create_staff_account(
        t.store.as_ref(),
        "capo@imagross.it",
        "Anna",
        "Verdi",
        PASSWORD,
        app::model::account::Role::SuperAdmin,
    )
    .await
    .unwrap();
    let boss = login(&s, "capo@imagross.it", PASSWORD).await;
    let content =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import/fidelity.csv")).unwrap();
    let (ct, body) = multipart("fidelity", "fidelity.csv", &content);
    let req = Request::post("/admin/import/upload")
        .header("origin", crate::common::ORIGIN)
        .header("content-type", ct)
        .header("cookie", boss)
        .body(Body::from(body))
        .unwrap();
    let res = router(s.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    assert!(
        status == StatusCode::PAYLOAD_TOO_LARGE
            || (status == StatusCode::SEE_OTHER && location.starts_with("/admin/import?error=")),
        "{status} {location}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(t.store.count(Table::ImportBatches).await.unwrap(), 0);
    assert_eq!(t.store.count(Table::Cardholders).await.unwrap(), 0);
}
