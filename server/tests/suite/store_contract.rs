//! The store contract: the same tests run against the embedded SQLite store and against
//! MongoDB (when `MONGODB_TEST_URI` names a server; the README test command starts one).

use crate::common;

use std::collections::HashSet;
use std::sync::Arc;

use imagross::store::live::{catalog_doc, put_in_steps, LiveOutcome, LiveReceipt};
use imagross::store::model::*;
use imagross::store::{self, Store, StoreError, StoreExt, Table, UpsertStats};
use serde_json::json;

fn dept(id: &str, name: &str) -> Department {
    Department { id: id.into(), name: name.into() }
}

fn user(id: &str, email: Option<&str>, phone: Option<&str>) -> UserAccount {
    UserAccount {
        id: id.into(),
        email: email.map(Into::into),
        phone: phone.map(Into::into),
        card_number: None,
        first_name: "Maria".into(),
        last_name: "Rossi".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role: Role::Shopper,
        status: AccountStatus::Active,
        created_at: "2026-11-28T10:00:00Z".into(),
        sessions_after: None,
    }
}

fn receipt(id: &str, card: Option<&str>, net: i64) -> Receipt {
    Receipt {
        id: id.into(),
        shop_id: "S01".into(),
        issued_at: "2026-03-14T18:30:00".into(),
        till: "2".into(),
        number: id.into(),
        card_number: card.map(Into::into),
        gross_cents: net + 50,
        discount_cents: 50,
        net_cents: net,
    }
}

fn full_cardholder() -> Cardholder {
    Cardholder {
        id: "2000000000015".into(),
        first_name: "Giulia".into(),
        last_name: "Bianchi".into(),
        email: Some("giulia@example.it".into()),
        phone: Some("+393331234567".into()),
        birth_date: Some("1980-02-29".into()),
        gender: Some("F".into()),
        city: Some("Forlì".into()),
        province: Some("FC".into()),
        enrolment_store: Some("S01".into()),
        enrolled_on: Some("2019-05-01".into()),
        privacy_consent: true,
        marketing_consent: false,
        status: CardStatus::Active,
        profiling_consent: false,
    }
}

async fn opens_with_schema_and_empty_tables(store: Arc<dyn Store>) {
    store.ping().await.unwrap();
    assert!(store.schema_version().await.unwrap() >= 1);
    for table in Table::ALL {
        assert_eq!(store.count(table).await.unwrap(), 0, "{table:?}");
    }
}

async fn upsert_inserts_updates_and_leaves_unchanged(store: Arc<dyn Store>) {
    let first = vec![dept("01", "Ortofrutta"), dept("02", "Macelleria"), dept("03", "Latticini")];
    let stats = store.upsert_all(&first).await.unwrap();
    assert_eq!(stats, UpsertStats { inserted: 3, updated: 0, unchanged: 0 });

    let again = store.upsert_all(&first).await.unwrap();
    assert_eq!(again, UpsertStats { inserted: 0, updated: 0, unchanged: 3 });

    let newer = vec![dept("01", "Frutta e Verdura"), dept("02", "Macelleria"), dept("04", "Panetteria")];
    let stats = store.upsert_all(&newer).await.unwrap();
    assert_eq!(stats, UpsertStats { inserted: 1, updated: 1, unchanged: 1 });

    assert_eq!(store.count(Table::Departments).await.unwrap(), 4, "records missing from a file are kept");
    let renamed: Department = store.get_one("01").await.unwrap().unwrap();
    assert_eq!(renamed.name, "Frutta e Verdura");
    let kept: Department = store.get_one("03").await.unwrap().unwrap();
    assert_eq!(kept.name, "Latticini");
}

async fn repeated_key_in_one_batch_keeps_the_last_version(store: Arc<dyn Store>) {
    let batch = vec![dept("09", "Bevande"), dept("09", "Bevande e Acque")];
    let stats = store.upsert_all(&batch).await.unwrap();
    assert_eq!(stats, UpsertStats { inserted: 1, updated: 1, unchanged: 0 });
    let d: Department = store.get_one("09").await.unwrap().unwrap();
    assert_eq!(d.name, "Bevande e Acque");
    assert_eq!(store.count(Table::Departments).await.unwrap(), 1);
}

async fn every_entity_round_trips(store: Arc<dyn Store>) {
    let bare = Cardholder {
        id: "2000000000022".into(),
        email: None,
        phone: None,
        birth_date: None,
        gender: None,
        city: None,
        province: None,
        enrolment_store: None,
        enrolled_on: None,
        ..full_cardholder()
    };
    store.upsert_all(&[full_cardholder(), bare.clone()]).await.unwrap();
    assert_eq!(store.get_one::<Cardholder>("2000000000015").await.unwrap(), Some(full_cardholder()));
    assert_eq!(store.get_one::<Cardholder>("2000000000022").await.unwrap(), Some(bare));

    let shop = Shop {
        id: "S01".into(),
        name: "ImaGross Forlì Centro".into(),
        city: Some("Forlì".into()),
        province: Some("FC".into()),
    };
    let product = Product {
        id: "8001234567890".into(),
        description: "Mele Golden 1kg".into(),
        department_id: Some("01".into()),
        brand: None,
    };
    let promo = Promotion {
        id: "P3X2".into(),
        description: "3x2 yogurt".into(),
        kind: Some("3x2".into()),
        starts_on: Some("2026-03-01".into()),
        ends_on: Some("2026-03-15".into()),
    };
    let rec = receipt("R1", Some("2000000000015"), 1234);
    let line = SalesLine {
        id: SalesLine::key("R1", 1),
        receipt_id: "R1".into(),
        line_no: 1,
        product_id: product.id.clone(),
        department_id: Some("01".into()),
        quantity_milli: 1250,
        gross_cents: 1284,
        discount_cents: 50,
        net_cents: 1234,
        promotion_id: Some("P3X2".into()),
    };
    let batch = ImportBatch {
        id: "B1".into(),
        kind: "vendite".into(),
        file_name: "vendite.csv".into(),
        sha256: "ab".repeat(32),
        rows_read: 10,
        inserted: 8,
        updated: 1,
        unchanged: 0,
        rejected: 1,
        started_at: "2026-11-28T10:00:00Z".into(),
        finished_at: None,
        status: BatchStatus::Running,
        run_by: "admin@example.it".into(),
        heartbeat_at: None,
        counts_after: None,
        number: None,
    };
    let row_error = ImportRowError {
        id: "B1#7".into(),
        batch_id: "B1".into(),
        row: 7,
        column: Some("Importo".into()),
        value: Some("12,3x".into()),
        reason: "not a number".into(),
        card_number: Some("2000000000015".into()),
    };
    let points = PointsEntry {
        id: "earn:R1".into(),
        card_number: "2000000000015".into(),
        points: 12,
        kind: "earn".into(),
        reason: None,
        receipt_id: Some("R1".into()),
        created_at: "2026-03-14T18:30:00Z".into(),
        created_by: None,
    };
    let account = UserAccount {
        card_number: Some("2000000000015".into()),
        role: Role::SuperAdmin,
        sessions_after: Some("2026-11-29T10:00:00Z".into()),
        ..user("U1", Some("a@b.it"), None)
    };

    store.upsert_all(std::slice::from_ref(&shop)).await.unwrap();
    store.upsert_all(&[dept("01", "Ortofrutta")]).await.unwrap();
    store.upsert_all(std::slice::from_ref(&product)).await.unwrap();
    store.upsert_all(std::slice::from_ref(&promo)).await.unwrap();
    store.upsert_all(std::slice::from_ref(&rec)).await.unwrap();
    store.upsert_all(std::slice::from_ref(&line)).await.unwrap();
    store.insert_one(&batch).await.unwrap();
    store.upsert_all(std::slice::from_ref(&row_error)).await.unwrap();
    store.insert_one(&points).await.unwrap();
    store.insert_one(&account).await.unwrap();
    let token = RefreshToken {
        id: "ab".repeat(32),
        user_id: "U1".into(),
        family_id: "F1".into(),
        expires_at: "2026-12-28T10:00:00Z".into(),
        created_at: "2026-11-28T10:00:00Z".into(),
        used_at: None,
        revoked: false,
        session_started_at: Some("2026-11-28T10:00:00Z".into()),
    };
    store.insert_one(&token).await.unwrap();
    store
        .upsert_all(&[ErasedCard { id: "2000000000015".into(), erased_at: "2026-11-30T10:00:00Z".into() }])
        .await
        .unwrap();
    assert_eq!(
        store.get_one::<ErasedCard>("2000000000015").await.unwrap().map(|e| e.erased_at),
        Some("2026-11-30T10:00:00Z".to_string())
    );
    assert_eq!(store.get_one::<RefreshToken>(&token.id).await.unwrap(), Some(token));
    let key = ShopKey {
        id: "K1".into(),
        shop_id: "S01".into(),
        key_hash: "cd".repeat(32),
        prefix: "igk_S01_ab".into(),
        label: Some("Cassa 1".into()),
        created_at: "2026-11-28T10:00:00Z".into(),
        created_by: "cli".into(),
        revoked_at: None,
    };
    store.insert_one(&key).await.unwrap();
    assert_eq!(store.get_one::<ShopKey>("K1").await.unwrap(), Some(key));
    let claim = ApiReceipt {
        id: "R1".into(),
        shop_id: "S01".into(),
        key_id: "K1".into(),
        content_hash: "ef".repeat(32),
        status: "stored".into(),
        card_number: None,
        points: 0,
        received_at: "2026-11-28T10:00:00Z".into(),
    };
    store.insert_one(&claim).await.unwrap();
    assert_eq!(store.get_one::<ApiReceipt>("R1").await.unwrap(), Some(claim));
    let reward = Reward {
        id: "RW1".into(),
        kind: "product".into(),
        title_it: "Caffè in omaggio".into(),
        title_en: "Free coffee".into(),
        description_it: "Una confezione".into(),
        description_en: "One pack".into(),
        points: 300,
        value_cents: None,
        ean: Some("8001234567890".into()),
        cause: None,
        stock: Some(100),
        issued: 3,
        valid_from: Some("2026-11-01".into()),
        valid_to: None,
        min_level: "silver".into(),
        monthly_limit: Some(2),
        status: "active".into(),
        version: 4,
        created_at: "2026-11-01T10:00:00Z".into(),
        updated_at: "2026-11-02T10:00:00Z".into(),
    };
    store.insert_one(&reward).await.unwrap();
    assert_eq!(store.get_one::<Reward>("RW1").await.unwrap(), Some(reward));
    let voucher = Voucher {
        id: "2912345678904".into(),
        card_number: "2000000000015".into(),
        reward_id: "RW1".into(),
        kind: "product".into(),
        title_it: "Caffè in omaggio".into(),
        title_en: "Free coffee".into(),
        value_cents: None,
        ean: Some("8001234567890".into()),
        cause: None,
        points: 300,
        status: "used".into(),
        issued_at: "2026-11-02T10:00:00Z".into(),
        expires_at: "2027-01-01T10:00:00Z".into(),
        used_at: Some("2026-11-03T10:00:00Z".into()),
        receipt_id: Some("R1".into()),
        cancelled_at: None,
    };
    store.insert_one(&voucher).await.unwrap();
    assert_eq!(store.get_one::<Voucher>("2912345678904").await.unwrap(), Some(voucher));
    let wallet = Wallet {
        id: "2000000000015".into(),
        version: 7,
        pending: Some("2912345678904".into()),
        updated_at: "2026-11-02T10:00:00Z".into(),
    };
    store.insert_one(&wallet).await.unwrap();
    assert_eq!(store.get_one::<Wallet>("2000000000015").await.unwrap(), Some(wallet));
    let feed = LiveFeedEntry {
        id: format!("{:020}", 42),
        receipt_id: "R1".into(),
        day: "2026-11-30".into(),
        published_at: "2026-11-30T10:00:00.123Z".into(),
    };
    store.upsert_all(std::slice::from_ref(&feed)).await.unwrap();
    assert_eq!(store.get_one::<LiveFeedEntry>(&feed.id).await.unwrap(), Some(feed));
    let lease = Lease {
        id: "points-ledger".into(),
        holder: "pod-a/1/x".into(),
        token: 3,
        expires_at: "2026-11-30T10:00:00.000Z".into(),
    };
    store.insert_one(&lease).await.unwrap();
    assert_eq!(store.get_one::<Lease>("points-ledger").await.unwrap(), Some(lease));
    // Counters: atomic additions from 0, by id, in a window.
    assert_eq!(store.add_to_counter("k@0000000001", "0000000001", 1).await.unwrap(), 1);
    assert_eq!(store.add_to_counter("k@0000000001", "0000000001", 5).await.unwrap(), 6);
    assert_eq!(store.add_to_counter("k@0000000001", "0000000001", -2).await.unwrap(), 4);
    let counter = store.get(Table::Counters, "k@0000000001").await.unwrap().unwrap();
    assert_eq!((counter["window"].as_str(), counter["value"].as_i64()), (Some("0000000001"), Some(4)));

    let campaign = campaign("C0001", 1_000, 1);
    store.insert_one(&campaign).await.unwrap();
    assert_eq!(store.get_one::<Campaign>("C0001").await.unwrap(), Some(campaign));
    let member = CampaignMember {
        id: "C0001:2000000000015".into(),
        campaign_id: "C0001".into(),
        card_number: "2000000000015".into(),
        held_out: false,
        activated_at: Some("2026-12-01T09:00:00Z".into()),
    };
    store.insert_one(&member).await.unwrap();
    assert_eq!(store.get_one::<CampaignMember>(&member.id).await.unwrap(), Some(member));
    let mail = OutboxMail {
        id: "C0001:2000000000015".into(),
        campaign_id: "C0001".into(),
        card_number: "2000000000015".into(),
        to_address: "maria@example.it".into(),
        subject: "Una nuova offerta per te".into(),
        body: "Ciao".into(),
        status: "pending".into(),
        attempts: 0,
        next_attempt_at: "2026-12-01T08:00:00Z".into(),
        sent_at: None,
        last_error: Some("connection refused".into()),
        created_at: "2026-12-01T07:00:00Z".into(),
    };
    store.insert_one(&mail).await.unwrap();
    assert_eq!(store.get_one::<OutboxMail>(&mail.id).await.unwrap(), Some(mail));

    assert_eq!(store.get_one::<Shop>("S01").await.unwrap(), Some(shop));
    assert_eq!(store.get_one::<Product>("8001234567890").await.unwrap(), Some(product));
    assert_eq!(store.get_one::<Promotion>("P3X2").await.unwrap(), Some(promo));
    assert_eq!(store.get_one::<Receipt>("R1").await.unwrap(), Some(rec));
    assert_eq!(store.get_one::<SalesLine>("R1#1").await.unwrap(), Some(line));
    assert_eq!(store.get_one::<ImportBatch>("B1").await.unwrap(), Some(batch.clone()));
    assert_eq!(store.get_one::<ImportRowError>("B1#7").await.unwrap(), Some(row_error));
    assert_eq!(store.get_one::<PointsEntry>("earn:R1").await.unwrap(), Some(points));
    assert_eq!(store.get_one::<UserAccount>("U1").await.unwrap(), Some(account));
    assert_eq!(store.get_one::<Receipt>("missing").await.unwrap(), None);

    let finished =
        ImportBatch { finished_at: Some("2026-11-28T10:01:00Z".into()), status: BatchStatus::Completed, ..batch };
    store.replace_one(&finished).await.unwrap();
    assert_eq!(store.get_one::<ImportBatch>("B1").await.unwrap(), Some(finished));
    for table in Table::ALL {
        assert_eq!(store.count(table).await.unwrap(), if table == Table::Cardholders { 2 } else { 1 }, "{table:?}");
    }
}

async fn insert_rejects_duplicate_ids_and_unique_values(store: Arc<dyn Store>) {
    store.insert_one(&user("U1", Some("maria@example.it"), Some("+393331111111"))).await.unwrap();
    let same_id = store.insert_one(&user("U1", Some("other@example.it"), None)).await.unwrap_err();
    assert!(matches!(same_id, StoreError::Duplicate { ref field, .. } if field == "id"), "{same_id}");
    let same_email = store.insert_one(&user("U2", Some("maria@example.it"), None)).await.unwrap_err();
    assert!(matches!(same_email, StoreError::Duplicate { ref field, .. } if field == "email"), "{same_email}");
    let same_phone = store.insert_one(&user("U3", None, Some("+393331111111"))).await.unwrap_err();
    assert!(matches!(same_phone, StoreError::Duplicate { ref field, .. } if field == "phone"), "{same_phone}");
    // Absent unique values never collide.
    store.insert_one(&user("U4", None, None)).await.unwrap();
    store.insert_one(&user("U5", None, None)).await.unwrap();
    assert_eq!(store.count(Table::Users).await.unwrap(), 3);
    // The rejected writes changed nothing.
    let u1: UserAccount = store.get_one("U1").await.unwrap().unwrap();
    assert_eq!(u1.email.as_deref(), Some("maria@example.it"));
}

async fn replace_checks_existence_and_uniqueness(store: Arc<dyn Store>) {
    store.insert_one(&user("U1", Some("a@example.it"), None)).await.unwrap();
    store.insert_one(&user("U2", Some("b@example.it"), None)).await.unwrap();
    let missing = store.replace_one(&user("U9", None, None)).await.unwrap_err();
    assert!(matches!(missing, StoreError::NotFound { .. }), "{missing}");
    let clash = store.replace_one(&user("U2", Some("a@example.it"), None)).await.unwrap_err();
    assert!(matches!(clash, StoreError::Duplicate { ref field, .. } if field == "email"), "{clash}");
    let u2: UserAccount = store.get_one("U2").await.unwrap().unwrap();
    assert_eq!(u2.email.as_deref(), Some("b@example.it"));
    let disabled = UserAccount { status: AccountStatus::Disabled, ..u2 };
    store.replace_one(&disabled).await.unwrap();
    assert_eq!(store.get_one::<UserAccount>("U2").await.unwrap(), Some(disabled));
    assert_eq!(store.count(Table::Users).await.unwrap(), 2);
    assert_eq!(store.get_one::<UserAccount>("U9").await.unwrap(), None);
}

async fn find_by_uses_indexed_fields_only(store: Arc<dyn Store>) {
    let receipts: Vec<Receipt> = (0..12)
        .map(|i| receipt(&format!("R{i:02}"), if i % 3 == 0 { Some("CARD-A") } else { Some("CARD-B") }, 100 * i))
        .chain(std::iter::once(receipt("R99", None, 5)))
        .collect();
    store.upsert_all(&receipts).await.unwrap();
    let a: Vec<Receipt> = store.find("card_number", json!("CARD-A"), 100).await.unwrap();
    assert_eq!(a.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["R00", "R03", "R06", "R09"]);
    let limited: Vec<Receipt> = store.find("card_number", json!("CARD-B"), 3).await.unwrap();
    assert_eq!(limited.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["R01", "R02", "R04"]);
    let none: Vec<Receipt> = store.find("card_number", json!("CARD-Z"), 10).await.unwrap();
    assert!(none.is_empty());
    let err = store.find::<Receipt>("net_cents", json!(5), 10).await.unwrap_err();
    assert!(matches!(err, StoreError::Schema(ref m) if m.contains("receipts.net_cents is not indexed")), "{err}");
}

async fn scan_pages_through_everything_in_id_order(store: Arc<dyn Store>) {
    let depts: Vec<Department> = (0..25).rev().map(|i| dept(&format!("D{i:03}"), "x")).collect();
    store.upsert_all(&depts).await.unwrap();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page: Vec<Department> = store.scan_page(after.as_deref(), 10).await.unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 10);
        after = page.last().map(|d| d.id.clone());
        seen.extend(page.into_iter().map(|d| d.id));
    }
    let expected: Vec<String> = (0..25).map(|i| format!("D{i:03}")).collect();
    assert_eq!(seen, expected);
}

async fn existing_ids_reports_only_stored_rows(store: Arc<dyn Store>) {
    store.upsert_all(&[dept("01", "a"), dept("02", "b")]).await.unwrap();
    let found =
        store.existing_ids(Table::Departments, vec!["02".into(), "03".into(), "01".into(), "02".into()]).await.unwrap();
    assert_eq!(found, HashSet::from(["01".to_string(), "02".to_string()]));
    assert!(store.existing_ids(Table::Receipts, vec!["01".into()]).await.unwrap().is_empty());
    assert!(store.existing_ids(Table::Departments, vec![]).await.unwrap().is_empty());
}

async fn sequences_are_atomic(store: Arc<dyn Store>) {
    assert_eq!(store.next_sequence("card").await.unwrap(), 1);
    assert_eq!(store.next_sequence("card").await.unwrap(), 2);
    assert_eq!(store.next_sequence("other").await.unwrap(), 1);
    let handles: Vec<_> = (0..40)
        .map(|_| {
            let s = store.clone();
            tokio::spawn(async move { s.next_sequence("card").await.unwrap() })
        })
        .collect();
    let mut values = HashSet::new();
    for h in handles {
        assert!(values.insert(h.await.unwrap()), "a sequence value was handed out twice");
    }
    assert_eq!(values, (3..=42).collect::<HashSet<u64>>());
}

async fn invalid_documents_are_rejected_and_write_nothing(store: Arc<dyn Store>) {
    let bad = json!({"id": "01", "name": "Ortofrutta", "colour": "green"}).as_object().cloned().unwrap();
    let err = store.upsert(Table::Departments, vec![bad]).await.unwrap_err();
    assert!(matches!(err, StoreError::Schema(ref m) if m.contains("unknown field `colour`")), "{err}");
    let missing = json!({"id": "R1", "shop_id": "S1"}).as_object().cloned().unwrap();
    let err = store.insert(Table::Receipts, missing).await.unwrap_err();
    assert!(matches!(err, StoreError::Schema(ref m) if m.contains("receipts.issued_at: required")), "{err}");
    assert_eq!(store.count(Table::Departments).await.unwrap(), 0);
    assert_eq!(store.count(Table::Receipts).await.unwrap(), 0);
}

async fn points_totals_sum_a_cards_ledger(store: Arc<dyn Store>) {
    let entry = |id: &str, card: &str, points: i64, at: &str| PointsEntry {
        id: id.into(),
        card_number: card.into(),
        points,
        kind: "earn".into(),
        reason: None,
        receipt_id: None,
        created_at: at.into(),
        created_by: None,
    };
    store
        .upsert_all(&[
            entry("e1", "C1", 400, "2025-06-01T10:00:00Z"),
            entry("e2", "C1", 300, "2026-02-01T10:00:00Z"),
            entry("e3", "C1", -100, "2026-03-01T10:00:00Z"),
            entry("e4", "C1", 250, "2026-11-01T10:00:00"),
            entry("e5", "C2", 999, "2026-11-01T10:00:00Z"),
        ])
        .await
        .unwrap();
    // Balance: everything; recent: positive entries at or after `since` (a deduction is not an
    // earning, and another card's entries never count).
    assert_eq!(store.points_totals("C1", "2025-11-28T00:00:00Z").await.unwrap(), (850, 550));
    assert_eq!(
        store.points_totals("C1", "2026-02-01T10:00:00Z").await.unwrap(),
        (850, 550),
        "the boundary is inclusive"
    );
    assert_eq!(store.points_totals("C1", "2027-01-01T00:00:00Z").await.unwrap(), (850, 0));
    assert_eq!(store.points_totals("C9", "2025-11-28T00:00:00Z").await.unwrap(), (0, 0));
}

fn live(id: &str, hash: &str, net: i64) -> LiveReceipt {
    let line = |n: i64| SalesLine {
        id: SalesLine::key(id, n),
        receipt_id: id.into(),
        line_no: n,
        product_id: format!("80000000000{n}"),
        department_id: Some("01".into()),
        quantity_milli: 1000,
        gross_cents: net / 2,
        discount_cents: 0,
        net_cents: net / 2,
        promotion_id: None,
    };
    LiveReceipt {
        claim: ApiReceipt {
            id: id.into(),
            shop_id: "S01".into(),
            key_id: "K1".into(),
            content_hash: hash.into(),
            status: imagross::store::live::STORED.into(),
            card_number: Some("2000000000015".into()),
            points: net / 100,
            received_at: "2026-11-28T10:00:00Z".into(),
        },
        receipt: receipt(id, Some("2000000000015"), net),
        lines: vec![line(1), line(2)],
        catalog: vec![
            catalog_doc(&dept("01", "Ortofrutta (live)")).unwrap(),
            catalog_doc(&Product {
                id: "800000000001".into(),
                description: "Mele".into(),
                department_id: Some("01".into()),
                brand: None,
            })
            .unwrap(),
        ],
        points: vec![PointsEntry {
            id: format!("earn:{id}"),
            card_number: "2000000000015".into(),
            points: net / 100,
            kind: "earn".into(),
            reason: None,
            receipt_id: Some(id.into()),
            created_at: "2026-03-14T18:30:00".into(),
            created_by: None,
        }],
    }
}

async fn live_receipts_are_stored_once_by_key(store: Arc<dyn Store>) {
    store.upsert_all(&[dept("01", "Ortofrutta")]).await.unwrap();
    let first = live("R1", "h1", 2_400);
    let LiveOutcome::Stored(feed) = store.put_live_receipt(&first).await.unwrap() else { panic!("not stored") };
    // Stored means published: the feed every replica follows names it under that number.
    let published: LiveFeedEntry = store.get_one(&format!("{feed:020}")).await.unwrap().expect("published");
    assert_eq!(published.receipt_id, "R1");
    assert_eq!(store.sequence_value(imagross::store::live::SEQUENCE).await.unwrap(), feed);
    let stored: Receipt = store.get_one("R1").await.unwrap().unwrap();
    assert_eq!(stored, first.receipt);
    assert_eq!(store.count(Table::SalesLines).await.unwrap(), 2);
    let entry: PointsEntry = store.get_one("earn:R1").await.unwrap().unwrap();
    assert_eq!(entry.points, 24);
    let product: Product = store.get_one("800000000001").await.unwrap().unwrap();
    assert_eq!(product.description, "Mele", "a missing catalog record is added");
    let d: Department = store.get_one("01").await.unwrap().unwrap();
    assert_eq!(d.name, "Ortofrutta", "an existing one is never changed");
    let claim: ApiReceipt = store.get_one("R1").await.unwrap().unwrap();
    assert_eq!(claim.status, "stored");

    // The same content again: the first result, nothing written twice.
    assert_eq!(store.put_live_receipt(&first).await.unwrap(), LiveOutcome::Replayed(first.claim.clone()));
    assert_eq!((store.count(Table::Receipts).await.unwrap(), store.count(Table::SalesLines).await.unwrap()), (1, 2));
    // Other content under the same key: refused, nothing changed.
    assert_eq!(store.put_live_receipt(&live("R1", "h2", 9_900)).await.unwrap(), LiveOutcome::Conflict);
    assert_eq!(store.get_one::<Receipt>("R1").await.unwrap().unwrap().net_cents, 2_400);
    assert_eq!(store.get_one::<PointsEntry>("earn:R1").await.unwrap().unwrap().points, 24);

    // A key imported from a batch file: the same receipt is accepted, another one refused.
    store
        .upsert_all(&[receipt("R2", Some("2000000000015"), 1_000), receipt("R3", Some("2000000000015"), 1_000)])
        .await
        .unwrap();
    assert!(matches!(store.put_live_receipt(&live("R2", "h3", 1_000)).await.unwrap(), LiveOutcome::Stored(_)));
    assert_eq!(store.put_live_receipt(&live("R3", "h4", 1_500)).await.unwrap(), LiveOutcome::Conflict);
    assert_eq!(store.get_one::<Receipt>("R3").await.unwrap().unwrap().net_cents, 1_000);
    assert!(store.get_one::<ApiReceipt>("R3").await.unwrap().is_none());
}

async fn an_interrupted_live_write_is_completed_by_the_retry(store: Arc<dyn Store>) {
    // A crash after the claim, before the data: the claim is pending.
    let w = live("R9", "h9", 3_000);
    store.insert_one(&ApiReceipt { status: imagross::store::live::PENDING.into(), ..w.claim.clone() }).await.unwrap();
    assert_eq!(
        put_in_steps(store.as_ref(), &live("R9", "other", 3_000)).await.unwrap(),
        LiveOutcome::Conflict,
        "other content never completes it"
    );
    assert!(matches!(put_in_steps(store.as_ref(), &w).await.unwrap(), LiveOutcome::Stored(_)));
    assert_eq!(store.get_one::<ApiReceipt>("R9").await.unwrap().unwrap().status, "stored");
    assert_eq!(store.get_one::<Receipt>("R9").await.unwrap().unwrap(), w.receipt);
    assert_eq!(put_in_steps(store.as_ref(), &w).await.unwrap(), LiveOutcome::Replayed(w.claim.clone()));
    assert_eq!(store.count(Table::SalesLines).await.unwrap(), 2);
}

async fn concurrent_submissions_of_one_key_store_it_once(store: Arc<dyn Store>) {
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let w = if i % 2 == 0 { live("R5", "same", 2_000) } else { live("R5", "different", 5_000) };
                (i % 2 == 0, store.put_live_receipt(&w).await.unwrap())
            })
        })
        .collect();
    // Whichever content claims the key first is stored; every submission of that content is
    // acknowledged, every one of the other is a conflict.
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    let r: Receipt = store.get_one("R5").await.unwrap().unwrap();
    let winner_even = r.net_cents == 2_000;
    for (even, outcome) in outcomes {
        if even == winner_even {
            assert!(matches!(outcome, LiveOutcome::Stored(_) | LiveOutcome::Replayed(_)), "{outcome:?}");
        } else {
            assert_eq!(outcome, LiveOutcome::Conflict);
        }
    }
    assert_eq!(store.count(Table::SalesLines).await.unwrap(), 2);
    assert_eq!(store.count(Table::ApiReceipts).await.unwrap(), 1);
}

async fn reopening_keeps_every_row(store: Arc<dyn Store>, url: imagross::store::DatabaseUrl) {
    store.upsert_all(&[dept("01", "Ortofrutta"), dept("02", "Macelleria")]).await.unwrap();
    store.insert_one(&user("U1", Some("a@example.it"), None)).await.unwrap();
    let version = store.schema_version().await.unwrap();
    drop(store);
    let reopened = store::open(&url).await.unwrap();
    assert_eq!(reopened.schema_version().await.unwrap(), version);
    assert_eq!(reopened.count(Table::Departments).await.unwrap(), 2);
    assert_eq!(reopened.count(Table::Users).await.unwrap(), 1);
    let d: Department = reopened.get_one("01").await.unwrap().unwrap();
    assert_eq!(d.name, "Ortofrutta");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_reopening_keeps_every_row() {
    let t = common::sqlite().await;
    reopening_keeps_every_row(t.store.clone(), t.url.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongo_reopening_keeps_every_row() {
    let Some(t) = common::mongo().await else { return };
    reopening_keeps_every_row(t.store.clone(), t.url.clone()).await;
}

fn token(id: &str, user: &str) -> RefreshToken {
    RefreshToken {
        id: id.into(),
        user_id: user.into(),
        family_id: "F".into(),
        expires_at: "2026-12-28T10:00:00Z".into(),
        created_at: "2026-11-28T10:00:00Z".into(),
        used_at: None,
        revoked: false,
        session_started_at: None,
    }
}

/// Exactly one of many concurrent compare-and-sets on the same value wins; a set against a
/// value that changed, or a missing row, does nothing.
async fn replace_if_lets_exactly_one_writer_win(store: Arc<dyn Store>) {
    store.insert_one(&token("T1", "U1")).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let used = RefreshToken { used_at: Some(format!("2026-11-28T10:00:{i:02}Z")), ..token("T1", "U1") };
            let doc = serde_json::to_value(&used).unwrap().as_object().unwrap().clone();
            store.replace_if(Table::RefreshTokens, doc, "used_at", &serde_json::Value::Null).await.unwrap()
        }));
    }
    let mut wins = 0;
    for t in tasks {
        wins += usize::from(t.await.unwrap());
    }
    assert_eq!(wins, 1, "exactly one rotation wins");
    let stored: RefreshToken = store.get_one("T1").await.unwrap().unwrap();
    assert!(stored.used_at.is_some());
    let again = serde_json::to_value(token("T1", "U1")).unwrap().as_object().unwrap().clone();
    assert!(!store.replace_if(Table::RefreshTokens, again.clone(), "used_at", &serde_json::Value::Null).await.unwrap());
    let used = json!(stored.used_at.clone().unwrap());
    assert!(
        store.replace_if(Table::RefreshTokens, again, "used_at", &used).await.unwrap(),
        "the current value matches"
    );
    let ghost = serde_json::to_value(token("T9", "U1")).unwrap().as_object().unwrap().clone();
    assert!(!store.replace_if(Table::RefreshTokens, ghost, "used_at", &serde_json::Value::Null).await.unwrap());
    assert_eq!(store.get(Table::RefreshTokens, "T9").await.unwrap(), None, "no row appears");
}

/// `find_after` pages through any number of matches; `delete_by` works on expiring tables only.
async fn paged_lookups_and_expiring_deletes(store: Arc<dyn Store>) {
    let tokens: Vec<RefreshToken> = (0..25).map(|i| token(&format!("T{i:03}"), "U1")).collect();
    store.upsert_all(&tokens).await.unwrap();
    store.upsert_all(&[token("X1", "U2")]).await.unwrap();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.find_after(Table::RefreshTokens, "user_id", &json!("U1"), after.as_deref(), 10).await.unwrap();
        let Some(last) = page.last().map(|d| d["id"].as_str().unwrap().to_string()) else { break };
        seen.extend(page.iter().map(|d| d["id"].as_str().unwrap().to_string()));
        after = Some(last);
    }
    assert_eq!(seen, tokens.iter().map(|t| t.id.clone()).collect::<Vec<_>>());

    let error = |id: &str, batch: &str| ImportRowError {
        id: id.into(),
        batch_id: batch.into(),
        row: 1,
        column: None,
        value: Some("x".into()),
        reason: "r".into(),
        card_number: None,
    };
    for batch in ["A", "B"] {
        store
            .insert_one(&ImportBatch {
                id: batch.into(),
                kind: "fidelity".into(),
                file_name: "f.csv".into(),
                sha256: "0".repeat(64),
                rows_read: 1,
                inserted: 0,
                updated: 0,
                unchanged: 0,
                rejected: 1,
                started_at: "2026-01-01T00:00:00Z".into(),
                finished_at: None,
                status: BatchStatus::Completed,
                run_by: "t".into(),
                heartbeat_at: None,
                counts_after: None,
                number: None,
            })
            .await
            .unwrap();
    }
    store.upsert_all(&[error("A#1", "A"), error("A#2", "A"), error("B#1", "B")]).await.unwrap();
    assert_eq!(store.delete_by(Table::ImportErrors, "batch_id", &json!("A")).await.unwrap(), 2);
    assert_eq!(store.count(Table::ImportErrors).await.unwrap(), 1);
    assert_eq!(store.delete_by(Table::ImportErrors, "batch_id", &json!("A")).await.unwrap(), 0, "idempotent");
    let refused = store.delete_by(Table::RefreshTokens, "user_id", &json!("U1")).await.unwrap_err();
    assert!(refused.to_string().contains("never deleted"), "{refused}");
    assert_eq!(store.count(Table::RefreshTokens).await.unwrap(), 26, "nothing deleted");
}

/// Many rows in one call (the import's chunks): new ones among stored ones, equal and changed,
/// counted and written exactly as one by one.
async fn a_long_upsert_mixes_new_equal_and_changed_rows(store: Arc<dyn Store>) {
    let name = |i: usize| format!("Reparto {i:03}");
    store.upsert_all(&[dept("D060", &name(60)), dept("D100", "vecchio nome")]).await.unwrap();
    let rows: Vec<Department> = (0..180).map(|i| dept(&format!("D{i:03}"), &name(i))).collect();
    let stats = store.upsert_all(&rows).await.unwrap();
    assert_eq!(stats, UpsertStats { inserted: 178, updated: 1, unchanged: 1 });
    assert_eq!(store.count(Table::Departments).await.unwrap(), 180);
    let d100: Department = store.get_one("D100").await.unwrap().unwrap();
    assert_eq!(d100.name, name(100));
    let again = store.upsert_all(&rows).await.unwrap();
    assert_eq!(again, UpsertStats { inserted: 0, updated: 0, unchanged: 180 });
}

/// Lineage: an import batch's inserted rows record it as first and last batch, its changed rows
/// as last, its unchanged rows keep theirs; a write by no batch records nothing and a
/// replacement (a profile edit, an erasure) keeps what was recorded. Lineage is not content: a
/// row equal in content is "unchanged" whatever batches wrote it.
async fn rows_record_the_batches_that_created_and_last_changed_them(store: Arc<dyn Store>) {
    use imagross::store::Lineage;
    let lineage = |first: i64, last: i64| Some(Lineage { first_batch: Some(first), last_batch: Some(last) });
    let holder = full_cardholder();
    let mut other = full_cardholder();
    other.id = "2000000000022".into();
    other.email = Some("luca@example.it".into());
    other.phone = None;
    let rows = |hs: &[&Cardholder]| hs.iter().map(|h| h.row().unwrap()).collect::<Vec<_>>();
    let stats = store.upsert_rows_from(vec![(Table::Cardholders, rows(&[&holder]))], Some(1)).await.unwrap();
    assert_eq!(stats, vec![UpsertStats { inserted: 1, updated: 0, unchanged: 0 }]);
    assert_eq!(store.lineage(Table::Cardholders, &holder.id).await.unwrap(), lineage(1, 1));

    let mut changed = holder.clone();
    changed.city = Some("Cesena".into());
    let stats = store.upsert_rows_from(vec![(Table::Cardholders, rows(&[&changed, &other]))], Some(2)).await.unwrap();
    assert_eq!(stats, vec![UpsertStats { inserted: 1, updated: 1, unchanged: 0 }]);
    assert_eq!(store.lineage(Table::Cardholders, &holder.id).await.unwrap(), lineage(1, 2));
    assert_eq!(store.lineage(Table::Cardholders, &other.id).await.unwrap(), lineage(2, 2));

    let stats = store.upsert_rows_from(vec![(Table::Cardholders, rows(&[&changed, &other]))], Some(3)).await.unwrap();
    assert_eq!(stats, vec![UpsertStats { inserted: 0, updated: 0, unchanged: 2 }], "lineage is not content");
    assert_eq!(store.lineage(Table::Cardholders, &holder.id).await.unwrap(), lineage(1, 2));

    // A profile edit (a replacement by no batch) keeps the lineage and changes the content.
    let mut edited = changed.clone();
    edited.phone = None;
    store.replace_one(&edited).await.unwrap();
    assert!(store
        .replace_if(
            Table::Cardholders,
            Table::Cardholders.def().to_doc(edited.row().unwrap()),
            "city",
            &json!("Cesena")
        )
        .await
        .unwrap());
    assert_eq!(store.get_one::<Cardholder>(&holder.id).await.unwrap(), Some(edited.clone()));
    assert_eq!(store.lineage(Table::Cardholders, &holder.id).await.unwrap(), lineage(1, 2));

    // Written by no batch (a signup, a till): nothing recorded; other tables record nothing.
    let mut signup = full_cardholder();
    signup.id = "2000000000039".into();
    signup.email = None;
    signup.phone = None;
    store.insert_one(&signup).await.unwrap();
    assert_eq!(store.lineage(Table::Cardholders, &signup.id).await.unwrap(), Some(Lineage::default()));
    store
        .upsert_rows_from(vec![(Table::Receipts, vec![receipt("R1", None, 100).row().unwrap()])], Some(4))
        .await
        .unwrap();
    assert_eq!(store.lineage(Table::Receipts, "R1").await.unwrap(), lineage(4, 4));
    store
        .upsert_rows_from(vec![(Table::Departments, vec![dept("01", "Ortofrutta").row().unwrap()])], Some(4))
        .await
        .unwrap();
    assert!(store.lineage(Table::Departments, "01").await.is_err(), "departments record no lineage");
    assert_eq!(store.lineage(Table::Cardholders, "2000000000046").await.unwrap(), None);

    // The rows a batch wrote last, with the batch that created each, page by page.
    let of = |table: Table, batch: i64, limit: u32| {
        let store = store.clone();
        async move {
            let (mut rows, mut from, mut pages) = (Vec::new(), None::<String>, 0);
            loop {
                let (page, next) = store.batch_rows(table, batch, from.as_deref(), limit).await.unwrap();
                assert!(page.len() <= limit as usize);
                pages += 1;
                rows.extend(page.into_iter().map(|(r, first)| (r[0].as_str().unwrap().to_string(), first)));
                match next {
                    Some(next) => from = Some(next),
                    None => break,
                }
            }
            rows.sort();
            (rows, pages)
        }
    };
    assert_eq!(of(Table::Cardholders, 1, 10).await, (vec![], 1), "batch 1's row was changed by batch 2 since");
    let both = vec![(holder.id.clone(), Some(1)), (other.id.clone(), Some(2))];
    assert_eq!(of(Table::Cardholders, 2, 10).await, (both.clone(), 1));
    assert_eq!(of(Table::Cardholders, 2, 1).await, (both, 3), "one row a page, then an empty one");
    assert_eq!(of(Table::Cardholders, 3, 10).await, (vec![], 1), "unchanged rows keep their last batch");
    assert_eq!(of(Table::Receipts, 4, 10).await, (vec![("R1".to_string(), Some(4))], 1));
    assert!(store.batch_rows(Table::Departments, 4, None, 10).await.is_err(), "departments record no lineage");
}

/// A live receipt's own writes: `insert_rows` inserts new rows and answers `Duplicate` for a
/// taken id; `insert_missing` inserts the missing records among existing ones and changes none of
/// them — also the second time, when MongoDB remembers the ids and sends nothing.
async fn insert_rows_and_insert_missing_never_change_existing_rows(store: Arc<dyn Store>) {
    let rows = |ds: &[Department]| ds.iter().map(|d| d.row().unwrap()).collect::<Vec<_>>();
    store.insert_rows(Table::Departments, rows(&[dept("01", "Ortofrutta"), dept("02", "Latticini")])).await.unwrap();
    let taken = store.insert_rows(Table::Departments, rows(&[dept("03", "Pane"), dept("01", "Altro")])).await;
    assert!(matches!(taken, Err(StoreError::Duplicate { .. })), "{taken:?}");
    assert_eq!(store.get_one::<Department>("01").await.unwrap(), Some(dept("01", "Ortofrutta")));

    let docs =
        |ds: &[Department]| ds.iter().map(|d| serde_json::to_value(d).unwrap().as_object().unwrap().clone()).collect();
    for _ in 0..2 {
        let named = [dept("02", "Nome dalla cassa"), dept("04", "Surgelati"), dept("05", "Bevande")];
        store.insert_missing(Table::Departments, docs(&named)).await.unwrap();
    }
    assert_eq!(store.get_one::<Department>("02").await.unwrap(), Some(dept("02", "Latticini")), "never changed");
    assert_eq!(store.get_one::<Department>("04").await.unwrap(), Some(dept("04", "Surgelati")));
    assert_eq!(store.get_one::<Department>("05").await.unwrap(), Some(dept("05", "Bevande")));
    store.insert_missing(Table::Departments, Vec::new()).await.unwrap();
    let bad = store.insert_missing(Table::Departments, vec![serde_json::Map::new()]).await;
    assert!(matches!(bad, Err(StoreError::Schema(_))), "a record without its fields is refused: {bad:?}");
}

on_both_stores!(
    insert_rows_and_insert_missing_never_change_existing_rows,
    rows_record_the_batches_that_created_and_last_changed_them,
    a_long_upsert_mixes_new_equal_and_changed_rows,
    concurrent_redemptions_never_spend_twice,
    an_offer_is_activated_exactly_once,
    offers_respect_the_budget_and_the_limit_under_concurrency,
    replace_if_lets_exactly_one_writer_win,
    paged_lookups_and_expiring_deletes,
    opens_with_schema_and_empty_tables,
    upsert_inserts_updates_and_leaves_unchanged,
    repeated_key_in_one_batch_keeps_the_last_version,
    every_entity_round_trips,
    insert_rejects_duplicate_ids_and_unique_values,
    replace_checks_existence_and_uniqueness,
    find_by_uses_indexed_fields_only,
    scan_pages_through_everything_in_id_order,
    sequences_are_atomic,
    invalid_documents_are_rejected_and_write_nothing,
    existing_ids_reports_only_stored_rows,
    points_totals_sum_a_cards_ledger,
    live_receipts_are_stored_once_by_key,
    an_interrupted_live_write_is_completed_by_the_retry,
    concurrent_submissions_of_one_key_store_it_once,
);

/// The redemption contract: a balance worth exactly three vouchers, fifty concurrent
/// redemptions → exactly three vouchers, a balance of exactly 0, ledger and balance agreeing.
async fn concurrent_redemptions_never_spend_twice(store: Arc<dyn Store>) {
    use imagross::points::redeem;
    let card = "2000000000015";
    store
        .upsert_all(&[PointsEntry {
            id: "adjust:seed".into(),
            card_number: card.into(),
            points: 3_000,
            kind: "adjust".into(),
            reason: Some("test".into()),
            receipt_id: None,
            created_at: "2026-01-01T00:00:00Z".into(),
            created_by: None,
        }])
        .await
        .unwrap();
    let reward = Reward {
        id: "R10".into(),
        kind: "voucher".into(),
        title_it: "Buono 10 €".into(),
        title_en: "10 € voucher".into(),
        description_it: String::new(),
        description_en: String::new(),
        points: 1_000,
        value_cents: Some(1_000),
        ean: None,
        cause: None,
        stock: None,
        issued: 0,
        valid_from: None,
        valid_to: None,
        min_level: "bronze".into(),
        monthly_limit: None,
        status: "active".into(),
        version: 0,
        created_at: "2026-01-01T00:00:00Z".into(),
        updated_at: "2026-01-01T00:00:00Z".into(),
    };
    store.insert_one(&reward).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            redeem::redeem(store.as_ref(), card, "R10", app::model::levels::Level::Bronze, 60).await
        }));
    }
    let mut issued = Vec::new();
    let mut refusals = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(v) => issued.push(v),
            Err(e) => refusals.push(e.to_string()),
        }
    }
    assert_eq!(issued.len(), 3, "exactly three vouchers; refusals: {refusals:?}");
    assert!(refusals.iter().all(|r| r == "reward: points"), "{refusals:?}");
    let (balance, _) = store.points_totals(card, "9999").await.unwrap();
    assert_eq!(balance, 0);
    let ledger: Vec<PointsEntry> = store.find("card_number", json!(card), 1_000).await.unwrap();
    assert_eq!(ledger.iter().map(|e| e.points).sum::<i64>(), balance);
    assert_eq!(ledger.iter().filter(|e| e.id.starts_with("redeem:")).count(), 3);
    let vouchers: Vec<Voucher> = store.find("card_number", json!(card), 1_000).await.unwrap();
    assert_eq!(vouchers.iter().filter(|v| v.status == "active").count(), 3);
    assert!(issued.iter().all(|v| app::validate::ean13::is_voucher_code(&v.id)));
    // A cancelled voucher gives its points back once; a used one cannot be cancelled.
    let back = redeem::cancel(store.as_ref(), card, &issued[0].id).await.unwrap();
    assert_eq!(back.status, "cancelled");
    assert!(redeem::cancel(store.as_ref(), card, &issued[0].id).await.is_err(), "twice");
    assert_eq!(store.points_totals(card, "9999").await.unwrap().0, 1_000);
    assert_eq!(redeem::mark_used(store.as_ref(), &issued[1].id, "R-1").await.unwrap(), redeem::Use::Claimed);
    assert_eq!(redeem::mark_used(store.as_ref(), &issued[1].id, "R-1").await.unwrap(), redeem::Use::Used, "a retry");
    assert_eq!(redeem::mark_used(store.as_ref(), &issued[1].id, "R-2").await.unwrap(), redeem::Use::UsedElsewhere);
    assert_eq!(
        redeem::mark_used(store.as_ref(), &issued[0].id, "R-3").await.unwrap(),
        redeem::Use::Unusable("cancelled".into())
    );
    assert!(redeem::cancel(store.as_ref(), card, &issued[1].id).await.is_err(), "used");
}

/// A running campaign with a basket offer (10 points for a receipt of at least 1 €).
fn campaign(id: &str, budget: i64, per_shopper_limit: i64) -> Campaign {
    Campaign {
        id: id.into(),
        name: "Spesa premiata".into(),
        starts_on: "2026-01-01".into(),
        ends_on: "2099-12-31".into(),
        audience: "{}".into(),
        offer: r#"{"kind":"basket","min_cents":100,"points":10}"#.into(),
        budget,
        per_shopper_limit,
        holdout_permille: 100,
        members: 0,
        held_out: 0,
        left_out: "[]".into(),
        fingerprint: format!("fp-{id}"),
        status: "active".into(),
        created_at: "2026-01-01T00:00:00Z".into(),
        created_by: "U1".into(),
    }
}

fn member(campaign: &str, card: &str, activated: bool) -> CampaignMember {
    CampaignMember {
        id: format!("{campaign}:{card}"),
        campaign_id: campaign.into(),
        card_number: card.into(),
        held_out: false,
        activated_at: activated.then(|| "2026-01-01T00:00:00Z".into()),
    }
}

fn campaigns_over(store: &Arc<dyn Store>) -> Arc<imagross::campaigns::CampaignService> {
    let projection = imagross::analytics::Projection::new(Default::default(), Vec::new());
    let outbox = Arc::new(imagross::campaigns::mail::Outbox::new(store.clone(), None).unwrap());
    Arc::new(imagross::campaigns::CampaignService::new(store.clone(), projection, outbox))
}

/// Activation: fifty concurrent "Attiva" on one offer record one time, which every answer
/// reports; a held-out member and a stranger find nothing to activate.
async fn an_offer_is_activated_exactly_once(store: Arc<dyn Store>) {
    use imagross::campaigns::grant;
    let service = campaigns_over(&store);
    store.insert_one(&campaign("C0001", 1_000, 1)).await.unwrap();
    store.insert_one(&member("C0001", "2000000000015", false)).await.unwrap();
    store.insert_one(&CampaignMember { held_out: true, ..member("C0001", "2000000000022", false) }).await.unwrap();
    let offers = service.offers_of("2000000000015").await.unwrap();
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].activated_at, None);
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let service = service.clone();
        tasks.push(tokio::spawn(async move { service.activate("2000000000015", "C0001").await }));
    }
    let mut times = HashSet::new();
    for t in tasks {
        times.insert(t.await.unwrap().unwrap().activated_at.expect("activated"));
    }
    assert_eq!(times.len(), 1, "one activation time: {times:?}");
    let stored: CampaignMember = store.get_one("C0001:2000000000015").await.unwrap().unwrap();
    assert_eq!(stored.activated_at.as_ref(), times.iter().next());
    assert_eq!(grant::counter(store.as_ref(), &grant::activations_counter("C0001")).await.unwrap(), 1);
    assert!(service.offers_of("2000000000022").await.unwrap().is_empty(), "the holdout is never shown the offer");
    assert!(matches!(service.activate("2000000000022", "C0001").await, Err(app::error::AppError::NotFound)));
    assert!(matches!(service.activate("2000000000039", "C0001").await, Err(app::error::AppError::NotFound)));
}

fn offer_receipt(id: &str, card: &str) -> (Receipt, Vec<SalesLine>) {
    let r = Receipt { issued_at: "2026-06-01T10:00:00".into(), ..receipt(id, Some(card), 2_500) };
    let l = SalesLine {
        id: format!("{id}#1"),
        receipt_id: id.into(),
        line_no: 1,
        product_id: "8001234567890".into(),
        department_id: Some("01".into()),
        quantity_milli: 1_000,
        gross_cents: 2_500,
        discount_cents: 0,
        net_cents: 2_500,
        promotion_id: None,
    };
    (r, vec![l])
}

/// The budget and the per-shopper limit hold exactly under concurrency: 50 receipts of 50
/// shoppers at once against a budget of 20 rewards grant exactly 20; 50 receipts of one
/// shopper with a limit of 3 grant exactly 3; one receipt applied 20 times at once, once.
async fn offers_respect_the_budget_and_the_limit_under_concurrency(store: Arc<dyn Store>) {
    use imagross::campaigns::grant;
    let service = campaigns_over(&store);
    let cards: Vec<String> = (0..50).map(|i| format!("20000000{i:05}")).collect();
    store.insert_one(&campaign("C0001", 200, 1)).await.unwrap();
    store.upsert_all(&cards.iter().map(|c| member("C0001", c, true)).collect::<Vec<_>>()).await.unwrap();
    let mut tasks = Vec::new();
    for (i, card) in cards.iter().enumerate() {
        let (service, (r, lines)) = (service.clone(), offer_receipt(&format!("R{i}"), card));
        tasks.push(tokio::spawn(async move { service.apply(&r, &lines).await.unwrap() }));
    }
    let mut granted = 0;
    for t in tasks {
        granted += t.await.unwrap().iter().filter(|g| matches!(g, grant::Granted::Points(_))).count();
    }
    assert_eq!(granted, 20, "the budget pays exactly 20 rewards of 10 points");
    assert_eq!(grant::counter(store.as_ref(), &grant::budget_counter("C0001")).await.unwrap(), 200);
    let mut entries = 0;
    for card in &cards {
        let ledger: Vec<PointsEntry> = store.find("card_number", json!(card), 100).await.unwrap();
        entries += ledger.iter().filter(|e| e.id.starts_with("offer:C0001:") && e.points == 10).count();
    }
    assert_eq!(entries, 20);

    let card = "2000000000015";
    store.insert_one(&campaign("C0002", 1_000_000, 3)).await.unwrap();
    store.insert_one(&member("C0002", card, true)).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..50 {
        let (service, (r, lines)) = (service.clone(), offer_receipt(&format!("S{i}"), card));
        tasks.push(tokio::spawn(async move { service.apply(&r, &lines).await.unwrap() }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let ledger: Vec<PointsEntry> = store.find("card_number", json!(card), 1_000).await.unwrap();
    assert_eq!(ledger.iter().filter(|e| e.id.starts_with("offer:C0002:")).count(), 3, "the shopper's limit");
    assert_eq!(grant::counter(store.as_ref(), &grant::budget_counter("C0002")).await.unwrap(), 30);

    let card = "2000000000022";
    store.insert_one(&campaign("C0003", 1_000_000, 50)).await.unwrap();
    store.insert_one(&member("C0003", card, true)).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (service, (r, lines)) = (service.clone(), offer_receipt("T1", card));
        tasks.push(tokio::spawn(async move { service.apply(&r, &lines).await.unwrap() }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let ledger: Vec<PointsEntry> = store.find("card_number", json!(card), 1_000).await.unwrap();
    assert_eq!(ledger.iter().filter(|e| e.id == "offer:C0003:T1").count(), 1);
    assert_eq!(grant::counter(store.as_ref(), &grant::budget_counter("C0003")).await.unwrap(), 10, "counted once");
    assert_eq!(grant::counter(store.as_ref(), &grant::shopper_counter("C0003", card)).await.unwrap(), 1);
}
