//! Signup through the real router and a real SQLite store (`oneshot` on the server function
//! endpoint, form-encoded exactly as the HTML form sends it).

use crate::common;

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use imagross::http::{router, ServerState};
use imagross::store::model::{Cardholder, Role, UserAccount};
use imagross::store::{StoreExt, Table};
use serde_json::{json, Value};
use tower::ServiceExt;

fn state(t: &common::TestStore) -> ServerState {
    common::server_state(t)
}

fn form(overrides: &[(&str, &str)]) -> String {
    let mut fields = vec![
        ("first_name", "Giulia"),
        ("last_name", "Bianchi"),
        ("email", "Giulia.Bianchi@Example.it"),
        ("phone", "333 1234567"),
        ("birth_date", "1990-05-17"),
        ("store_id", ""),
        ("password", "una password lunga"),
        ("password_confirm", "una password lunga"),
        ("privacy_consent", "on"),
    ];
    for (k, v) in overrides {
        fields.retain(|(name, _)| name != k);
        if !v.is_empty() || *k == "store_id" {
            fields.push((k, v));
        }
    }
    common::form_encode(&fields)
}

async fn post(state: &ServerState, body: String, accept_html: bool) -> (StatusCode, http::HeaderMap, String) {
    let mut req = Request::post("/api/signup")
        .header("origin", crate::common::ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded");
    if accept_html {
        req = req.header("accept", "text/html").header("referer", "http://localhost/signup");
    }
    let res = router(state.clone()).oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_signup_creates_an_account_and_a_digital_card() {
    let t = common::sqlite().await;
    let s = state(&t);
    let (status, _, body) = post(&s, form(&[("marketing_consent", "on")]), false).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let done: Value = serde_json::from_str(&body).unwrap();
    let card = done["card_number"].as_str().unwrap().to_string();
    assert_eq!(card.len(), 13);
    assert!(card.starts_with("27"));
    assert!(app::validate::ean13::is_valid(&card));
    assert_eq!(done["first_name"], "Giulia");
    assert!(!body.contains("argon2"), "no hash on the wire");

    let users: Vec<UserAccount> = t.store.find("email", json!("giulia.bianchi@example.it"), 5).await.unwrap();
    assert_eq!(users.len(), 1);
    let user = &users[0];
    assert_eq!(user.phone.as_deref(), Some("+393331234567"));
    assert_eq!(user.card_number.as_deref(), Some(card.as_str()));
    assert_eq!(user.role, Role::Shopper);
    assert!(user.password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    assert!(!user.password_hash.contains("una password lunga"));

    let holder: Cardholder = t.store.get_one(&card).await.unwrap().unwrap();
    assert_eq!(holder.birth_date.as_deref(), Some("1990-05-17"));
    assert!(holder.privacy_consent && holder.marketing_consent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_and_phone_are_unique_across_accounts() {
    let t = common::sqlite().await;
    let s = state(&t);
    assert_eq!(post(&s, form(&[]), false).await.0, StatusCode::OK);

    let (status, _, body) =
        post(&s, form(&[("email", "GIULIA.bianchi@example.it"), ("phone", "+44 20 7946 0958")]), false).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains(r#""field":"email""#) && body.contains(r#""message":"taken""#), "{body}");

    let (status, _, body) =
        post(&s, form(&[("email", "other@example.it"), ("phone", "0039 333 123 4567")]), false).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains(r#""field":"phone""#), "{body}");

    assert_eq!(t.store.count(Table::Users).await.unwrap(), 1);
    assert_eq!(t.store.count(Table::Cardholders).await.unwrap(), 1, "no card issued for refused signups");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_input_is_refused_naming_the_field() {
    let t = common::sqlite().await;
    let s = state(&t);
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: [Case; 7] = [
        (&[("birth_date", "2015-01-01")], "birth_date", "too_young"),
        (&[("privacy_consent", "")], "privacy_consent", "consent_required"),
        (&[("password", "corta"), ("password_confirm", "corta")], "password", "password_too_short"),
        (&[("password_confirm", "un'altra password")], "password_confirm", "password_mismatch"),
        (&[("email", "not-an-email")], "email", "email_invalid"),
        (&[("phone", "12")], "phone", "phone_invalid"),
        (&[("store_id", "NOPE")], "store_id", "store_unknown"),
    ];
    for (overrides, field, code) in cases {
        let (status, _, body) = post(&s, form(overrides), false).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {body}");
        assert!(
            body.contains(&format!(r#""field":"{field}""#)) && body.contains(&format!(r#""message":"{code}""#)),
            "{body}"
        );
    }
    assert_eq!(t.store.count(Table::Users).await.unwrap(), 0);
    assert_eq!(t.store.count(Table::Cardholders).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_form_post_is_redirected_back_with_the_outcome() {
    let t = common::sqlite().await;
    let s = state(&t);
    let (status, headers, _) = post(&s, form(&[]), true).await;
    assert_eq!(status, StatusCode::FOUND);
    let location = headers["location"].to_str().unwrap();
    assert!(location.starts_with("/signup?card=27"), "{location}");

    let (status, headers, _) = post(&s, form(&[("email", "bad")]), true).await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(headers["location"], "/signup?error=email:email_invalid");

    let res = router(s.clone())
        .oneshot(Request::get("/signup?error=email:email_invalid").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let html = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
    assert!(html.contains("Indirizzo email non valido."), "the server render shows the error");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_signups_get_distinct_valid_cards() {
    let t = common::sqlite().await;
    let s = state(&t);
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move {
                let email = format!("user{i}@example.it");
                let phone = format!("+39 333 100000{i}");
                let (status, _, body) = post(&s, form(&[("email", &email), ("phone", &phone)]), false).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                serde_json::from_str::<Value>(&body).unwrap()["card_number"].as_str().unwrap().to_string()
            })
        })
        .collect();
    let mut cards = std::collections::HashSet::new();
    for task in tasks {
        let card = task.await.unwrap();
        assert!(app::validate::ean13::is_valid(&card));
        assert!(cards.insert(card));
    }
    assert_eq!(t.store.count(Table::Users).await.unwrap(), 6);
}
