//! Login, sessions and their protections through the real router and a real SQLite store.

use crate::common;

use axum::body::Body;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use imagross::http::{router, ServerState};
use imagross::store::model::{AccountStatus, RefreshToken, UserAccount};
use imagross::store::{StoreExt, Table};
use serde_json::{json, Value};
use tower::ServiceExt;

const PASSWORD: &str = "una password lunga";

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn set_cookies(&self) -> Vec<String> {
        self.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect()
    }

    /// `name=value` pairs of the cookies set, as a browser would send them back.
    fn cookie_header(&self) -> String {
        self.set_cookies().iter().map(|c| c.split(';').next().unwrap().to_string()).collect::<Vec<_>>().join("; ")
    }
}

async fn send(state: &ServerState, req: Request<Body>) -> Reply {
    let res = router(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
    Reply { status, headers, body }
}

fn post(path: &str, body: String, cookie: Option<&str>) -> Request<Body> {
    let mut req = Request::post(path)
        .header("origin", crate::common::ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.body(Body::from(body)).unwrap()
}

async fn sign_up(state: &ServerState) -> String {
    let body = common::signup_body("giulia@example.it", "333 1234567");
    let r = send(state, post("/api/signup", body, None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    serde_json::from_str::<Value>(&r.body).unwrap()["card_number"].as_str().unwrap().to_string()
}

async fn login(state: &ServerState, identifier: &str, password: &str) -> Reply {
    send(state, post("/api/login", common::form_encode(&[("identifier", identifier), ("password", password)]), None))
        .await
}

async fn me(state: &ServerState, cookie: &str) -> Reply {
    send(
        state,
        Request::post("/api/me")
            .header("origin", crate::common::ORIGIN)
            .header("cookie", cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_by_card_email_and_phone_in_any_spelling() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    let card = sign_up(&s).await;
    let spaced = format!("{} {} {}", &card[..4], &card[4..8], &card[8..]);
    for identifier in
        [card.as_str(), spaced.as_str(), "GIULIA@example.it", "+39 333 1234567", "0039 3331234567", "333 123 4567"]
    {
        let r = login(&s, identifier, PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "{identifier}: {}", r.body);
        let user: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(user["card_number"], card.as_str());
        assert_eq!(user["role"], "shopper");
        let who = me(&s, &r.cookie_header()).await;
        assert_eq!(serde_json::from_str::<Value>(&who.body).unwrap()["first_name"], "Giulia", "{identifier}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_http_only_same_site_and_never_carry_the_hash() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    sign_up(&s).await;
    let r = login(&s, "giulia@example.it", PASSWORD).await;
    let cookies = r.set_cookies();
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    for c in &cookies {
        assert!(c.contains("; HttpOnly") && c.contains("; SameSite=Lax") && c.contains("; Path=/"), "{c}");
        assert!(!c.contains("Secure"), "plain HTTP in tests: {c}");
    }
    assert!(cookies.iter().any(|c| c.starts_with("access=")) && cookies.iter().any(|c| c.starts_with("refresh=")));
    assert!(!r.body.contains("argon2") && !r.body.contains("password"), "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_identifier_and_wrong_password_get_the_same_answer() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    sign_up(&s).await;
    let wrong = login(&s, "giulia@example.it", "password sbagliata").await;
    let unknown = login(&s, "nessuno@example.it", "password sbagliata").await;
    let junk = login(&s, "???", "password sbagliata").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    for other in [&unknown, &junk] {
        assert_eq!(other.status, wrong.status);
        assert_eq!(other.body, wrong.body);
    }
    assert!(wrong.set_cookies().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_limited_per_account_with_retry_after() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    sign_up(&s).await;
    for i in 0..100 {
        let r = login(&s, "giulia@example.it", "password sbagliata").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let blocked = login(&s, "GIULIA@example.it", PASSWORD).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    let retry: u64 = blocked.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((3500..=3600).contains(&retry), "{retry}");
    // Other accounts are not affected.
    assert_eq!(login(&s, "altro@example.it", "x").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_and_foreign_access_tokens_are_ignored() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    sign_up(&s).await;
    let r = login(&s, "giulia@example.it", PASSWORD).await;
    let access = r.set_cookies().into_iter().find(|c| c.starts_with("access=")).unwrap();
    let token = access.split(';').next().unwrap().trim_start_matches("access=").to_string();
    let mut tampered = token.clone();
    tampered.pop();
    tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
    for cookie in
        [format!("access={tampered}"), "access=eyJhbGciOiJub25lIn0.e30.".to_string(), "access=garbage".to_string()]
    {
        let who = me(&s, &cookie).await;
        assert_eq!(who.status, StatusCode::OK);
        assert_eq!(who.body, "null", "{cookie}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_rotates_and_a_reused_token_revokes_the_family() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    sign_up(&s).await;
    let r = login(&s, "giulia@example.it", PASSWORD).await;
    let refresh = r.set_cookies().into_iter().find(|c| c.starts_with("refresh=")).unwrap();
    let refresh = refresh.split(';').next().unwrap().to_string();

    // No access cookie: the refresh cookie is exchanged for a new pair.
    let first = me(&s, &refresh).await;
    assert!(first.body.contains("Giulia"), "{}", first.body);
    let rotated = first.set_cookies();
    assert_eq!(rotated.len(), 2, "{rotated:?}");
    let new_refresh =
        rotated.iter().find(|c| c.starts_with("refresh=")).unwrap().split(';').next().unwrap().to_string();
    assert_ne!(new_refresh, refresh);

    // Backdate the spent token beyond the grace period, then present it again: reuse.
    let spent: Vec<RefreshToken> = t.store.scan_page(None, 100).await.unwrap();
    for token in spent.into_iter().filter(|t| t.used_at.is_some()) {
        t.store.replace_one(&RefreshToken { used_at: Some("2020-01-01T00:00:00Z".into()), ..token }).await.unwrap();
    }
    let reuse = me(&s, &refresh).await;
    assert_eq!(reuse.body, "null");
    assert!(reuse.set_cookies().iter().all(|c| c.contains("Max-Age=0")), "cookies cleared");
    // The whole family is revoked: the newest token no longer works either.
    let after = me(&s, &new_refresh).await;
    assert_eq!(after.body, "null");
    // Signup opened one session and login another: the login's family (3 tokens) is revoked,
    // the signup session's token is untouched.
    let tokens: Vec<RefreshToken> = t.store.scan_page(None, 100).await.unwrap();
    assert_eq!(tokens.len(), 3, "{tokens:?}");
    assert_eq!(tokens.iter().filter(|t| t.revoked).count(), 2, "{tokens:?}");
    let families: std::collections::HashSet<&str> =
        tokens.iter().filter(|t| t.revoked).map(|t| t.family_id.as_str()).collect();
    assert_eq!(families.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_revokes_the_refresh_token_and_clears_cookies() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    sign_up(&s).await;
    let r = login(&s, "giulia@example.it", PASSWORD).await;
    let cookie = r.cookie_header();
    let out = send(&s, post("/api/logout", String::new(), Some(&cookie))).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert!(out.set_cookies().iter().filter(|c| c.contains("Max-Age=0")).count() >= 2);
    let refresh = cookie.split("; ").find(|c| c.starts_with("refresh=")).unwrap();
    assert_eq!(me(&s, refresh).await.body, "null");
    // One token from signup's session, one from the login; only the latter is revoked.
    assert_eq!(t.store.count(Table::RefreshTokens).await.unwrap(), 2);
    let tokens: Vec<RefreshToken> = t.store.scan_page(None, 10).await.unwrap();
    assert_eq!(tokens.iter().filter(|t| t.revoked).count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_account_cannot_log_in_or_refresh() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    sign_up(&s).await;
    let r = login(&s, "giulia@example.it", PASSWORD).await;
    let refresh = r.cookie_header().split("; ").find(|c| c.starts_with("refresh=")).unwrap().to_string();
    let users: Vec<UserAccount> = t.store.find("email", json!("giulia@example.it"), 1).await.unwrap();
    t.store.replace_one(&UserAccount { status: AccountStatus::Disabled, ..users[0].clone() }).await.unwrap();
    assert_eq!(login(&s, "giulia@example.it", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&s, &refresh).await.body, "null");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_from_another_origin_are_refused() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    let body = common::form_encode(&[("identifier", "a@b.it"), ("password", "x")]);
    let foreign = Request::post("/api/login")
        .header("host", "shop.imagross.it")
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.clone()))
        .unwrap();
    assert_eq!(send(&s, foreign).await.status, StatusCode::FORBIDDEN);
    let same = Request::post("/api/login")
        .header("host", "shop.imagross.it")
        .header("origin", crate::common::ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    assert_eq!(send(&s, same).await.status, StatusCode::UNAUTHORIZED, "same origin reaches the login");
    // The scheme is part of the origin.
    let https = crate::common::ORIGIN.replace("http://", "https://");
    let other_scheme = Request::post("/api/login")
        .header("origin", https)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(common::form_encode(&[("identifier", "a@b.it"), ("password", "x")])))
        .unwrap();
    assert_eq!(send(&s, other_scheme).await.status, StatusCode::FORBIDDEN);
    // A write carrying a session cookie but neither Origin nor Referer is refused.
    let bare = Request::builder()
        .method("POST")
        .uri("/api/logout")
        .header("cookie", "access=x; refresh=y")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&s, bare).await.status, StatusCode::FORBIDDEN);
    // Reads from anywhere are fine.
    let read = Request::get("/healthz")
        .header("host", "shop.imagross.it")
        .header("origin", "https://evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&s, read).await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_limited_per_client_address_across_accounts() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    let from = |ip: [u8; 4], i: usize| {
        let body =
            common::form_encode(&[("identifier", format!("guess{i}@example.it")), ("password", "x".to_string())]);
        let mut req = post("/api/login", body, None);
        req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((ip, 40000))));
        req
    };
    for i in 0..300 {
        assert_eq!(send(&s, from([127, 0, 0, 2], i)).await.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let blocked = send(&s, from([127, 0, 0, 2], 300)).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.headers.contains_key("retry-after"));
    assert_eq!(
        send(&s, from([127, 0, 0, 3], 301)).await.status,
        StatusCode::UNAUTHORIZED,
        "another address is not affected"
    );
}

/// A plain HTML form login (no JavaScript): the redirect the browser follows.
async fn form_login(state: &ServerState, identifier: &str, password: &str, next: &str) -> Reply {
    let body = common::form_encode(&[("identifier", identifier), ("password", password), ("next", next)]);
    let req = Request::post("/api/login")
        .header("origin", crate::common::ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .header("referer", "http://localhost/login")
        .body(Body::from(body))
        .unwrap();
    send(state, req).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_land_on_the_dashboard_shoppers_on_me_or_the_page_they_came_from() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    sign_up(&s).await;
    imagross::accounts::admins::create_staff_account(
        t.store.as_ref(),
        "capo@imagross.it",
        "Ada",
        "Neri",
        PASSWORD,
        app::model::account::Role::Admin,
    )
    .await
    .unwrap();
    let location = |r: &Reply| r.headers.get("location").map(|v| v.to_str().unwrap().to_string());
    let cases = [
        ("giulia@example.it", "", "/me"),
        ("giulia@example.it", "/me/receipts", "/me/receipts"),
        ("giulia@example.it", "/admin", "/me"),
        ("giulia@example.it", "//evil.example/", "/me"),
        ("capo@imagross.it", "", "/admin"),
        ("capo@imagross.it", "/admin/customers?q=rossi", "/admin/customers?q=rossi"),
        ("capo@imagross.it", "/admin/users", "/admin"),
    ];
    for (who, next, expected) in cases {
        let r = form_login(&s, who, PASSWORD, next).await;
        assert_eq!(location(&r).as_deref(), Some(expected), "{who} from {next:?}: {}", r.status);
    }
    let r = form_login(&s, "capo@imagross.it", "sbagliata", "/admin/import").await;
    assert_eq!(location(&r).as_deref(), Some("/login?error=401&next=%2Fadmin%2Fimport"));
}
