//! The card page's data: only the caller's own card, with level and points from the ledger.

use crate::common;

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use imagross::http::{router, ServerState};
use imagross::store::model::PointsEntry;
use imagross::store::StoreExt;
use serde_json::Value;
use tower::ServiceExt;

async fn send(state: &ServerState, req: Request<Body>) -> (StatusCode, Vec<String>, String) {
    let res = router(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let cookies = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect();
    let body = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
    (status, cookies, body)
}

/// Signs a shopper up; returns the card number and the session cookies signup set.
async fn sign_up(state: &ServerState, email: &str, phone: &str) -> (String, String) {
    let body = common::signup_body(email, phone);
    let req = Request::post("/api/signup")
        .header("origin", crate::common::ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let (status, cookies, body) = send(state, req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(cookies.len(), 2, "signup logs the shopper in: {cookies:?}");
    let card = serde_json::from_str::<Value>(&body).unwrap()["card_number"].as_str().unwrap().to_string();
    (card, cookies.join("; "))
}

async fn my_card(state: &ServerState, cookie: Option<&str>) -> (StatusCode, String) {
    let mut req = Request::post("/api/my_card").header("origin", crate::common::ORIGIN);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let (status, _, body) = send(state, req.body(Body::empty()).unwrap()).await;
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_shopper_sees_their_card_at_bronze_with_no_points() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    let (card, cookie) = sign_up(&s, "giulia@example.it", "333 1234567").await;
    let (status, body) = my_card(&s, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let view: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(view["card_number"], card.as_str());
    assert_eq!(view["first_name"], "Giulia");
    assert_eq!(view["level"], "Bronze");
    assert_eq!(view["points_balance"], 0);
    assert_eq!(view["next_level"], serde_json::json!(["Silver", 500]));
    let barcode = view["barcode_svg"].as_str().unwrap();
    assert!(barcode.starts_with("<svg") && barcode.contains(&card));
    assert!(view["qr_svg"].as_str().unwrap().contains("<svg"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn points_and_level_come_from_the_ledger() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    let (card, cookie) = sign_up(&s, "giulia@example.it", "333 1234567").await;
    let now = chrono::Utc::now();
    let at = |days: i64| (now - chrono::Duration::days(days)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let entry = |id: &str, points: i64, days: i64| PointsEntry {
        id: id.into(),
        card_number: card.clone(),
        points,
        kind: "earn".into(),
        reason: None,
        receipt_id: None,
        created_at: at(days),
        created_by: None,
    };
    // 1,200 earned in the last year (Silver: 500 ≤ 1,200 < 1,500), 900 more two years ago,
    // 300 spent: balance 1,800.
    t.store
        .upsert_all(&[entry("a", 700, 10), entry("b", 500, 200), entry("c", 900, 800), entry("d", -300, 5)])
        .await
        .unwrap();
    let (_, body) = my_card(&s, Some(&cookie)).await;
    let view: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(view["points_balance"], 1800);
    assert_eq!(view["points_12m"], 1200);
    assert_eq!(view["level"], "Silver");
    assert_eq!(view["next_level"], serde_json::json!(["Gold", 300]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_session_there_is_no_card_and_each_shopper_sees_only_their_own() {
    let t = common::sqlite().await;
    let s = common::server_state(&t);
    assert_eq!(my_card(&s, None).await.0, StatusCode::UNAUTHORIZED);
    let (card_a, cookie_a) = sign_up(&s, "a@example.it", "333 1111111").await;
    let (card_b, cookie_b) = sign_up(&s, "b@example.it", "333 2222222").await;
    let (_, body_a) = my_card(&s, Some(&cookie_a)).await;
    let (_, body_b) = my_card(&s, Some(&cookie_b)).await;
    assert!(body_a.contains(&card_a) && !body_a.contains(&card_b));
    assert!(body_b.contains(&card_b) && !body_b.contains(&card_a));
}
