//! Helpers shared by the integration tests: real stores (a temporary SQLite file; a fresh
//! database on the MongoDB server named by `MONGODB_TEST_URI`).

#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use http::{Request, StatusCode};
use imagross::auth::Security;
use imagross::config::JwtSecret;
use imagross::http::{router, ServerState};
use imagross::store::DatabaseUrl;
use imagross::store::{self, Store};
use leptos::prelude::LeptosOptions;
use tower::ServiceExt;

/// A store plus whatever keeps it alive (the temporary directory).
pub struct TestStore {
    pub store: Arc<dyn Store>,
    pub url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
}

impl TestStore {
    /// Wraps an already opened store.
    pub fn from_store(store: Arc<dyn Store>) -> Self {
        TestStore { store, url: DatabaseUrl::Sqlite(Default::default()), _dir: None }
    }
}

/// A new SQLite store in a temporary directory.
pub async fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::Sqlite(dir.path().join("test.sqlite"));
    let store = store::open(&url).await.unwrap();
    TestStore { store, url, _dir: Some(dir) }
}

/// The MongoDB test server's URI with a fresh database name, or `None` when no server is
/// configured. With `IMAGROSS_REQUIRE_MONGO=1` (set by the README test command) a missing
/// server fails the test instead of skipping it.
pub fn mongo_url() -> Option<DatabaseUrl> {
    let Ok(base) = std::env::var("MONGODB_TEST_URI") else {
        if std::env::var("IMAGROSS_REQUIRE_MONGO").as_deref() == Ok("1") {
            panic!("MONGODB_TEST_URI is not set but IMAGROSS_REQUIRE_MONGO=1");
        }
        eprintln!("skipped: MONGODB_TEST_URI not set");
        return None;
    };
    let db = format!("t{}", uuid::Uuid::new_v4().simple());
    let (head, query) = base.split_once('?').map(|(h, q)| (h, Some(q))).unwrap_or((base.as_str(), None));
    let (scheme, rest) = head.split_once("://").expect("MONGODB_TEST_URI needs a scheme");
    let hosts = rest.split('/').next().unwrap_or_default();
    let mut uri = format!("{scheme}://{hosts}/{db}");
    if let Some(q) = query {
        uri.push('?');
        uri.push_str(q);
    }
    Some(DatabaseUrl::Mongo(uri))
}

/// A new, empty MongoDB database (see [`mongo_url`]).
pub async fn mongo() -> Option<TestStore> {
    let url = mongo_url()?;
    let store = store::open(&url).await.unwrap();
    Some(TestStore { store, url, _dir: None })
}

/// Encodes form fields as `application/x-www-form-urlencoded`, as a browser does.
pub fn form_encode<K: AsRef<str>, V: AsRef<str>>(fields: &[(K, V)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", url_encode(k.as_ref()), url_encode(v.as_ref())))
        .collect::<Vec<_>>()
        .join("&")
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The public origin the test server is configured with: every test write carries it as
/// `Origin`, as a browser on the site would.
pub const ORIGIN: &str = "http://imagross.test";

/// Session settings for tests: a fixed 32-byte secret, cookies without `Secure`, the public
/// origin [`ORIGIN`].
pub fn security() -> Security {
    // The whole suite shares one process and its hashing slots: enough of them, and a patient
    // wait, so parallel tests never see each other's hashing as a 503.
    imagross::accounts::password::configure(8, std::time::Duration::from_secs(120));
    let mut s = Security::new(JwtSecret::from_bytes(b"test-secret-test-secret-test-sec".to_vec()).unwrap(), false);
    s.protection.public_origin = Some(ORIGIN.to_string());
    s
}

/// The server state over a test store, with a cold projection.
pub fn server_state(t: &TestStore) -> ServerState {
    let options = LeptosOptions::builder().output_name("imagross").site_root("target/site").build();
    imagross::wiring::state(
        options,
        t.store.clone(),
        &security(),
        Default::default(),
        Default::default(),
        Default::default(),
    )
    .unwrap()
}

/// The signup form of a valid shopper with this email and phone.
pub fn signup_body(email: &str, phone: &str) -> String {
    form_encode(&[
        ("first_name", "Giulia"),
        ("last_name", "Bianchi"),
        ("email", email),
        ("phone", phone),
        ("birth_date", "1990-05-17"),
        ("password", "una password lunga"),
        ("password_confirm", "una password lunga"),
        ("privacy_consent", "on"),
    ])
}

/// Runs each named `async fn(Arc<dyn Store>)` as a test on SQLite and on MongoDB (the latter
/// when `MONGODB_TEST_URI` names a server; see [`mongo_url`]).
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let t = $crate::common::sqlite().await;
                    super::$name(t.store.clone()).await;
                }
            )*
        }
        mod mongo {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(t) = $crate::common::mongo().await else { return };
                    super::$name(t.store.clone()).await;
                }
            )*
        }
    };
}

/// The password of the accounts the helpers create.
pub const PASSWORD: &str = "password da amministratore";

/// Logs `email` in with [`PASSWORD`]; the session cookies as one `Cookie` header.
pub async fn login(state: &ServerState, email: &str) -> String {
    login_as(state, email, PASSWORD).await
}

/// Logs `identifier` in with `password`; the session cookies as one `Cookie` header.
pub async fn login_as(state: &ServerState, identifier: &str, password: &str) -> String {
    let req = Request::post("/api/login")
        .header("origin", crate::common::ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form_encode(&[("identifier", identifier), ("password", password)])))
        .unwrap();
    let res = router(state.clone()).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    session_cookie(&res)
}

/// The cookies a response sets, as one `Cookie` header.
pub fn session_cookie<B>(res: &http::Response<B>) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A form posted to a server function with `cookie`: the status and the JSON answer (`Null`
/// when it is not JSON).
pub async fn form_post(
    state: &ServerState,
    path: &str,
    fields: &[(&str, &str)],
    cookie: &str,
) -> (StatusCode, serde_json::Value) {
    let req = Request::post(path)
        .header("origin", ORIGIN)
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form_encode(fields)))
        .unwrap();
    answer(router(state.clone()).oneshot(req).await.unwrap()).await
}

/// A call to the tills' API with a store `key` (and a JSON body): the status and the answer.
pub async fn till_call(
    state: &ServerState,
    method: &str,
    path: &str,
    key: &str,
    body: Option<serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::builder().method(method).uri(path).header("authorization", format!("Bearer {key}"));
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    let req = req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
    answer(router(state.clone()).oneshot(req).await.unwrap()).await
}

async fn answer(res: http::Response<axum::body::Body>) -> (StatusCode, serde_json::Value) {
    use http_body_util::BodyExt;
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

/// A server state with an admin account (`analista@imagross.it`) logged in.
pub async fn admin_state(store: Arc<dyn Store>) -> (ServerState, String) {
    let t = TestStore::from_store(store.clone());
    let state = server_state(&t);
    imagross::accounts::admins::create_staff_account(
        store.as_ref(),
        "analista@imagross.it",
        "Ada",
        "Neri",
        PASSWORD,
        app::model::account::Role::Admin,
    )
    .await
    .unwrap();
    let cookie = login(&state, "analista@imagross.it").await;
    (state, cookie)
}

/// Collects what the server logs, for tests of the log itself: install it with
/// `tracing_subscriber::fmt().with_writer(logs.clone())`, read the bytes afterwards.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}
