//! The watchdog for data that goes back in time: an older copy of the SQLite file restored
//! over the store, rows deleted behind the application's back (SQLite and MongoDB). Each time
//! `imagross db check` fails naming table, counts and batch, and every admin page shows the red
//! banner.

use std::path::{Path, PathBuf};

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use imagross::import::pipeline::{import_file, ImportOptions};
use imagross::store::{self, DatabaseUrl, Store};
use imagross::watchdog::Watchdog;
use tower::ServiceExt;

use crate::common;

async fn import(store: &dyn Store, path: &Path) {
    let options = ImportOptions { kind: None, run_by: "test".into(), sheet: None };
    let s = import_file(store, path, &options, &|_| {}).await.unwrap();
    assert_eq!(s.status, "completed", "{s:?}");
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import").join(name)
}

/// `imagross db check` on the SQLite file `db` with the data directory `data`: (success, stderr).
fn db_check(db: &Path, data: &Path) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_imagross"))
        .args(["db", "check"])
        .env("DATABASE_URL", format!("sqlite:{}", db.display()))
        .env("IMAGROSS_DATA_DIR", data)
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_copy_restored_over_the_sqlite_store_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let (db, data) = (dir.path().join("store.sqlite"), dir.path().join("data"));
    let older = dir.path().join("older.sqlite");
    {
        let store = store::open(&DatabaseUrl::Sqlite(db.clone())).await.unwrap();
        import(store.as_ref(), &fixture("fidelity.csv")).await;
        // The copy an operator will later restore by mistake.
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute("VACUUM INTO ?1", [older.to_string_lossy()]).unwrap();
        let more = dir.path().join("fidelity-2.csv");
        std::fs::write(
            &more,
            "NumeroCarta;Nome;Cognome;ConsensoPrivacy\n2000000000046;Sara;Neri;S\n2000000000053;Paolo;Gialli;S\n",
        )
        .unwrap();
        import(store.as_ref(), &more).await;
    }
    // The server's check sees five cards and keeps that mark in its data directory.
    let (ok, err) = db_check(&db, &data);
    assert!(ok, "{err}");
    assert!(data.join(imagross::watchdog::MARKS_FILE).exists());

    // The older copy is restored over the store, batch records and all.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    std::fs::copy(&older, &db).unwrap();
    let (ok, err) = db_check(&db, &data);
    assert!(!ok, "db check passed over a restored database");
    assert!(
        err.contains("Il database contiene 3 carte, questo server ne aveva viste 5: è stato ripristinato o modificato fuori dall'applicazione"),
        "{err}"
    );

    // A row deleted behind the application's back, checked by a server that never saw more
    // (no marks): the newest batch's record names it.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("DELETE FROM cardholders WHERE id = '2000000000039'", []).unwrap();
    drop(conn);
    let (ok, err) = db_check(&db, &dir.path().join("fresh-data"));
    assert!(!ok);
    assert!(err.contains("Il database contiene 2 carte, dopo l'importazione del "), "{err}");
    assert!(err.contains("(fidelity.csv) ne conteneva 3"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_deleted_behind_the_apps_back_on_mongodb_are_noticed() {
    let Some(DatabaseUrl::Mongo(uri)) = common::mongo_url() else { return };
    let store = store::open(&DatabaseUrl::Mongo(uri.clone())).await.unwrap();
    import(store.as_ref(), &fixture("fidelity.csv")).await;
    let dog = Watchdog::new(store.clone(), "mongo", None);
    assert!(dog.check().await.unwrap().is_empty());
    let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
    let db = client.default_database().unwrap();
    let deleted = db
        .collection::<mongodb::bson::Document>("cardholders")
        .delete_many(mongodb::bson::doc! { "_id": { "$in": ["2000000000015", "2000000000022"] } })
        .await
        .unwrap();
    assert_eq!(deleted.deleted_count, 2);
    let alerts = dog.check().await.unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!((alerts[0].table.as_str(), alerts[0].expected, alerts[0].found), ("cardholders", 3, 1));
    assert_eq!(alerts[0].batch.as_ref().map(|b| b.0.as_str()), Some("fidelity.csv"));
}

/// Every admin page carries the banner once the watchdog found a regression; readiness stays 200.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_pages_show_the_banner() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.sqlite");
    let store = store::open(&DatabaseUrl::Sqlite(db.clone())).await.unwrap();
    import(store.as_ref(), &fixture("fidelity.csv")).await;
    let (state, admin) = common::admin_state(store.clone()).await;
    state.projection.refresh(store.as_ref()).await.unwrap();
    let get = |path: &'static str| {
        let (state, admin) = (state.clone(), admin.clone());
        async move {
            let req = Request::get(path).header("cookie", admin).body(Body::empty()).unwrap();
            let res = imagross::http::router(state).oneshot(req).await.unwrap();
            let status = res.status();
            (status, String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned())
        }
    };
    assert!(state.watchdog.check().await.unwrap().is_empty());
    let (status, html) = get("/admin/import").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("store-alert"), "no banner while all is well");

    // A card deleted behind the application's back.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("DELETE FROM cardholders WHERE id = '2000000000039'", []).unwrap();
    drop(conn);
    state.watchdog.check().await.unwrap();
    for page in ["/admin", "/admin/import", "/admin/customers"] {
        let (status, html) = get(page).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"data-testid="store-alert""#), "{page} has no banner");
        assert!(html.contains("Il database contiene 2 carte"), "{page}");
    }
    let (status, _) = get("/readyz").await;
    assert_eq!(status, StatusCode::OK, "the shop keeps working");
}
