//! Points expiry through the real services on both stores: with collection periods around
//! today, the points of a period whose grace time is over become one `expire:` entry per card
//! (oldest points spent first), written once however often the pass runs; the points of the
//! current period show on `/me` as due, 60 days ahead and not before.

use crate::common;

use std::sync::Arc;

use app::model::account::{Role, SessionUser};
use imagross::clock::{day_iso, today};
use imagross::config::{ExpiryPolicy, Tuning};
use imagross::store::model::PointsEntry;
use imagross::store::{Store, StoreExt};
use leptos::prelude::LeptosOptions;

const MARIA: &str = "2000000000015";
const LUCA: &str = "2000000000022";

fn entry(id: &str, card: &str, points: i64, day: i32) -> PointsEntry {
    PointsEntry {
        id: id.into(),
        card_number: card.into(),
        points,
        kind: id.split(':').next().unwrap().into(),
        reason: None,
        receipt_id: None,
        created_at: format!("{}T10:00:00", day_iso(day)),
        created_by: None,
    }
}

async fn expiry_is_written_once_and_announced(store: Arc<dyn Store>) {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import/fidelity.csv");
    let options = imagross::import::pipeline::ImportOptions { kind: None, run_by: "t".into(), sheet: None };
    imagross::import::pipeline::import_file(store.as_ref(), &fixtures, &options, &|_| {}).await.unwrap();
    let t = today();
    // Period A ended 100 days ago (grace 30: over 70 days ago); period B ends in 20 days (its
    // last spending day is in 30 days).
    let (a, b) = ((t - 400, t - 100), (t - 99, t + 20));
    let policy =
        ExpiryPolicy::parse(&format!("{}:{},{}:{}", day_iso(a.0), day_iso(a.1), day_iso(b.0), day_iso(b.1)), 30)
            .unwrap();
    let tuning = Tuning { expiry: policy, ..Tuning::default() };
    let site = LeptosOptions::builder().output_name("imagross").site_root("target/site").build();
    let state = imagross::wiring::state(
        site,
        store.clone(),
        &common::security(),
        tuning,
        Default::default(),
        Default::default(),
    )
    .unwrap();
    // Maria: +100 and +40 in A, −120 spent in A, −10 of a return in B's first days, +50 in B.
    // Oldest first: A keeps 100 + 40 − 120 − 10 = 10, which expire; B's 50 stay, due soon.
    // Luca: +30 in A, all spent in the grace time: nothing expires.
    store
        .upsert_all(&[
            entry("earn:R1", MARIA, 100, t - 300),
            entry("earn:R2", MARIA, 40, t - 250),
            entry("redeem:V1", MARIA, -120, t - 200),
            entry("earn:R3", MARIA, -10, t - 90),
            entry("earn:R4", MARIA, 50, t - 50),
            entry("earn:R5", LUCA, 30, t - 150),
            entry("redeem:V2", LUCA, -30, t - 80),
        ])
        .await
        .unwrap();

    assert_eq!(state.points.expire_due(t, true).await.unwrap(), 1, "one expiry: Maria's period A");
    let written: PointsEntry = store.get_one(&format!("expire:{}:{MARIA}", day_iso(a.1))).await.unwrap().unwrap();
    assert_eq!(written.points, -10);
    assert_eq!(written.created_at, format!("{}T23:59:59", day_iso(a.1 + 30)));
    assert_eq!(written.reason.as_deref(), Some(format!("{} – {}", day_iso(a.0), day_iso(a.1)).as_str()));
    // Again (another pass, another replica's pass): nothing new, nothing changed.
    assert_eq!(state.points.expire_due(t, true).await.unwrap(), 0);
    let all: Vec<PointsEntry> = store.find("card_number", serde_json::json!(MARIA), 100).await.unwrap();
    assert_eq!(all.iter().filter(|e| e.kind == "expire").count(), 1);
    assert_eq!(all.iter().map(|e| e.points).sum::<i64>(), 50, "the balance: B's 50");
    let (luca, _) = store.points_totals(LUCA, "9999").await.unwrap();
    assert_eq!(luca, 0);

    // /me: B's 50 points are due on B's last spending day (in 30 days).
    assert_eq!(state.points.expiring(MARIA).await.unwrap(), Some((day_iso(b.1 + 30), 50)));
    state.projection.refresh(store.as_ref()).await.unwrap();
    let maria = SessionUser {
        id: "maria".into(),
        first_name: "Maria".into(),
        role: Role::Shopper,
        card_number: Some(MARIA.into()),
        issued_at: 0,
    };
    let area = state.app.personal.area(&maria).await.unwrap();
    let due = area.expiring.expect("due within 60 days");
    assert_eq!((due.points, due.last_day), (50, day_iso(b.1 + 30)));
    assert_eq!(area.card.points_balance, 50);

    // A period ending later than 60 days from now is not announced.
    let later = ExpiryPolicy::parse(&format!("{}:{}", day_iso(t - 99), day_iso(t + 40)), 30).unwrap();
    let site = LeptosOptions::builder().output_name("imagross").site_root("target/site").build();
    let tuning = Tuning { expiry: later, ..Tuning::default() };
    let state = imagross::wiring::state(
        site,
        store.clone(),
        &common::security(),
        tuning,
        Default::default(),
        Default::default(),
    )
    .unwrap();
    assert_eq!(state.points.expiring(MARIA).await.unwrap(), None);
}

on_both_stores!(expiry_is_written_once_and_announced);
