//! Claiming a plastic card from the register (as imported from "Fidelity").

use crate::common;

use app::validate::ean13;
use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use imagross::http::{router, ServerState};
use imagross::store::model::{CardStatus, Cardholder, UserAccount};
use imagross::store::{StoreExt, Table};
use serde_json::{json, Value};
use tower::ServiceExt;

const PASSWORD: &str = "nuova password sicura";

fn card(n: u64) -> String {
    let first12 = format!("20{n:010}");
    format!("{first12}{}", ean13::check_digit(&first12).unwrap())
}

fn holder(n: u64) -> Cardholder {
    Cardholder {
        id: card(n),
        first_name: "Rosa".into(),
        last_name: "Verdi".into(),
        email: Some(format!("Rosa.Verdi{n}@Example.it")),
        phone: Some(format!("333-765.{:04}", 4000 + n)),
        birth_date: Some("1961-03-04".into()),
        gender: Some("F".into()),
        city: Some("Cesena".into()),
        province: Some("FC".into()),
        enrolment_store: Some("S01".into()),
        enrolled_on: Some("2015-09-01".into()),
        privacy_consent: true,
        marketing_consent: true,
        status: CardStatus::Active,
        profiling_consent: false,
    }
}

async fn claim(s: &ServerState, card: &str, proof: &str, password: &str) -> (StatusCode, String, String) {
    claim_with(s, card, proof, "", password).await
}

/// A claim with the phone's last four digits (needed with a birth date).
async fn claim_with(
    s: &ServerState,
    card: &str,
    proof: &str,
    last4: &str,
    password: &str,
) -> (StatusCode, String, String) {
    let body = common::form_encode(&[
        ("card_number", card),
        ("proof", proof),
        ("phone_last4", last4),
        ("password", password),
        ("password_confirm", password),
    ]);
    let req = Request::post("/api/claim")
        .header("origin", crate::common::ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let res = router(s.clone()).oneshot(req).await.unwrap();
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

async fn my_card(s: &ServerState, cookie: &str) -> Value {
    let req = Request::post("/api/my_card")
        .header("origin", crate::common::ORIGIN)
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap();
    let res = router(s.clone()).oneshot(req).await.unwrap();
    serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_is_claimed_by_email_phone_or_birth_date_and_logs_in() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    t.store.upsert_all(&[holder(1), holder(2), holder(3)]).await.unwrap();
    for (n, proof, last4) in [(1, "rosa.verdi1@EXAMPLE.it", ""), (2, "+39 333 7654002", ""), (3, "1961-03-04", "4003")]
    {
        let spaced = card(n)
            .chars()
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ");
        let (status, body, cookie) = claim_with(&s, &spaced, proof, last4, PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{proof}: {body}");
        let view = my_card(&s, &cookie).await;
        assert_eq!(view["card_number"], card(n).as_str());
        assert_eq!(view["last_name"], "Verdi");
    }
    // The account carries the register's contact data, normalised, and can log in with it.
    let accounts: Vec<UserAccount> = t.store.find("card_number", json!(card(2)), 1).await.unwrap();
    assert_eq!(accounts[0].email.as_deref(), Some("rosa.verdi2@example.it"));
    assert_eq!(accounts[0].phone.as_deref(), Some("+393337654002"));
    let login = common::form_encode(&[("identifier", "333 765 4002"), ("password", PASSWORD)]);
    let req = Request::post("/api/login")
        .header("origin", crate::common::ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(login))
        .unwrap();
    assert_eq!(router(s.clone()).oneshot(req).await.unwrap().status(), StatusCode::OK);
    // The register itself is not changed by claiming.
    assert_eq!(t.store.get_one::<Cardholder>(&card(2)).await.unwrap(), Some(holder(2)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mismatch_gets_the_same_answer_and_creates_nothing() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    t.store.upsert_all(&[holder(1)]).await.unwrap();
    let (first_status, first_body, _) = claim(&s, &card(1), "altra@example.it", PASSWORD).await;
    assert_eq!(first_status, StatusCode::BAD_REQUEST);
    assert!(first_body.contains("claim_mismatch"), "{first_body}");
    for (card_number, proof) in [
        // The right birth date alone no longer proves anything.
        (card(1), "1961-03-04".to_string()),
        (card(1), "1961-03-05".to_string()),
        (card(1), "333 0000000".to_string()),
        (card(1), "".to_string()),
        (card(9), "rosa.verdi1@example.it".to_string()),
        ("2000000000000".to_string(), "rosa.verdi1@example.it".to_string()),
        ("not a card".to_string(), "1961-03-04".to_string()),
    ] {
        let (status, body, cookie) = claim(&s, &card_number, &proof, PASSWORD).await;
        assert_eq!((status, body.as_str()), (first_status, first_body.as_str()), "{card_number} / {proof}");
        assert!(cookie.is_empty());
    }
    // The right birth date with the wrong last digits of the phone: the same answer.
    let (status, body, _) = claim_with(&s, &card(1), "1961-03-04", "9999", PASSWORD).await;
    assert_eq!((status, body.as_str()), (first_status, first_body.as_str()));
    assert_eq!(t.store.count(Table::Users).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_is_claimed_only_once() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    t.store.upsert_all(&[holder(1)]).await.unwrap();
    assert_eq!(claim_with(&s, &card(1), "1961-03-04", "4001", PASSWORD).await.0, StatusCode::OK);
    // Claimed already: the generic refusal, which says nothing about the card (it used to be
    // `taken`, which confirmed the proof).
    let (status, body, _) = claim_with(&s, &card(1), "1961-03-04", "4001", "un'altra password lunga").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("claim_mismatch"), "{body}");
    assert_eq!(t.store.count(Table::Users).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_passwords_are_refused_and_guessing_is_limited() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    t.store.upsert_all(&[holder(1)]).await.unwrap();
    let (status, body, _) = claim_with(&s, &card(1), "1961-03-04", "4001", "corta").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("password_too_short"), "{body}");
    // Every attempt counts, the weak-password one included: nine more guesses fit in ten.
    for day in 1..=9 {
        let (status, _, _) = claim_with(&s, &card(1), &format!("1961-01-{day:02}"), "4001", PASSWORD).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let (status, _, _) = claim_with(&s, &card(1), "1961-03-04", "4001", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "birth dates cannot be brute-forced");
}
