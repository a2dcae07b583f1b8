//! Store API keys from both doors: `imagross store-key create|list|revoke` on the command line
//! and the admin area's server functions (admins only); a key works at once and stops working
//! the moment it is revoked.

use crate::common;

use std::process::Command;

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use imagross::accounts::admins::create_staff_account;
use imagross::http::{router, ServerState};
use imagross::store::Table;
use imagross::till_api::keys;
use serde_json::Value;
use tower::ServiceExt;

fn cli(db: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_imagross"))
        .args(args)
        .env("DATABASE_URL", format!("sqlite:{}", db.display()))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_creates_lists_and_revokes_keys() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.sqlite");
    let (ok, key, err) = cli(&db, &["store-key", "create", "--store", "S01", "--label", "cassa 3"]);
    assert!(ok, "{err}");
    let key = key.trim().to_string();
    assert!(key.starts_with("igk_") && key.len() == 68, "the key alone on stdout: {key}");
    assert!(err.contains("shown only now"), "{err}");
    let (ok, _, err) = cli(&db, &["store-key", "create", "--store", "S 01"]);
    assert!(!ok && err.contains("store `S 01`"), "{err}");
    let (ok, list, _) = cli(&db, &["store-key", "list", "--store", "S01"]);
    assert!(ok);
    assert!(list.contains(&key[..12]) && list.contains("active") && list.contains("cassa 3"), "{list}");
    assert!(!list.contains(&key), "the key is never listed");
    assert!(cli(&db, &["store-key", "list", "--store", "S02"]).1.trim().is_empty());

    let store = imagross::store::open(&imagross::store::DatabaseUrl::Sqlite(db.clone())).await.unwrap();
    assert_eq!(keys::verify(store.as_ref(), &key).await.unwrap().unwrap().shop_id, "S01");
    let (ok, out, err) = cli(&db, &["store-key", "revoke", &key[..12], "--store", "S01"]);
    assert!(ok, "{err}");
    assert!(out.starts_with("revoked"), "{out}");
    assert!(keys::verify(store.as_ref(), &key).await.unwrap().is_none(), "revoked at once");
    assert!(cli(&db, &["store-key", "list"]).1.contains("revoked"));
    let (ok, _, err) = cli(&db, &["store-key", "revoke", "igk_nothing"]);
    assert!(!ok && err.contains("no key `igk_nothing`"), "{err}");
}

async fn call(state: &ServerState, path: &str, body: String, cookie: Option<&str>) -> (StatusCode, Value, String) {
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
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null), cookies.join("; "))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_manage_keys_in_the_admin_area_and_nobody_else_can() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    create_staff_account(
        t.store.as_ref(),
        "admin@imagross.it",
        "Anna",
        "Verdi",
        "password da amministratore",
        app::model::account::Role::Admin,
    )
    .await
    .unwrap();
    let (status, _, admin) = call(
        &s,
        "/api/login",
        common::form_encode(&[("identifier", "admin@imagross.it"), ("password", "password da amministratore")]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, shopper) = call(&s, "/api/signup", common::signup_body("giulia@example.it", "333 1234567"), None).await;

    let create = common::form_encode(&[("store_id", "S07"), ("label", "cassa 1")]);
    for (path, body) in [
        ("/api/store_keys", String::new()),
        ("/api/store_key_create", create.clone()),
        ("/api/store_key_revoke", "id=x".to_string()),
    ] {
        assert_eq!(call(&s, path, body.clone(), None).await.0, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(call(&s, path, body, Some(&shopper)).await.0, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(t.store.count(Table::ShopKeys).await.unwrap(), 0);

    let (status, created, _) = call(&s, "/api/store_key_create", create, Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let key = created["key"].as_str().unwrap().to_string();
    assert_eq!((created["row"]["store_id"].as_str(), created["row"]["label"].as_str()), (Some("S07"), Some("cassa 1")));
    assert_eq!(keys::verify(t.store.as_ref(), &key).await.unwrap().unwrap().shop_id, "S07");
    let (status, bad, _) =
        call(&s, "/api/store_key_create", common::form_encode(&[("store_id", "S 07"), ("label", "")]), Some(&admin))
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");

    let (_, list, _) = call(&s, "/api/store_keys", String::new(), Some(&admin)).await;
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].get("key").is_none() && !list.to_string().contains(&key), "the list never holds a key");
    let id = rows[0]["id"].as_str().unwrap().to_string();
    let (status, revoked, _) =
        call(&s, "/api/store_key_revoke", common::form_encode(&[("id", id.as_str())]), Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert!(revoked["revoked_at"].is_string());
    assert!(keys::verify(t.store.as_ref(), &key).await.unwrap().is_none());
    assert_eq!(call(&s, "/api/store_key_revoke", "id=unknown".into(), Some(&admin)).await.0, StatusCode::NOT_FOUND);
}
