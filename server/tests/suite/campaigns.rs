//! Campaigns through the real router: an admin previews an audience (the consents leave people
//! out, by reason), bad campaigns are refused naming the field with nothing created, a launch
//! fixes its members; the shopper sees and activates the offer once; a till reads the card's
//! activated offers and a qualifying receipt earns the bonus once (a retry changes nothing), shown
//! on the movements page and counted by the campaign; a member who did not activate gets nothing.

use crate::common;

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use imagross::http::{router, ServerState};
use imagross::import::pipeline::{import_file, ImportOptions};
use serde_json::{json, Value};
use tower::ServiceExt;

const MARIA: &str = "2000000000015"; // marketing and profiling consent
const LUCA: &str = "2000000000022"; // marketing only
const ANNA: &str = "2000000000039"; // neither

async fn post(s: &ServerState, path: &str, fields: &[(&str, &str)], cookie: &str) -> (StatusCode, Value) {
    common::form_post(s, path, fields, cookie).await
}

async fn till(s: &ServerState, method: &str, path: &str, key: &str, body: Option<Value>) -> (StatusCode, Value) {
    common::till_call(s, method, path, key, body).await
}

fn till_receipt(number: &str, card: &str, net_cents: i64) -> Value {
    let today = imagross::clock::today_date().iso();
    json!({
        "store_id": "S01", "issued_at": format!("{today}T00:05:00"), "till": "1", "number": number,
        "card_number": card, "net_cents": net_cents,
        "lines": [{"line_no": 1, "ean": "8001234567890", "quantity_milli": 1000, "net_cents": net_cents}],
    })
}

/// Claims `card`'s account with its email; the session cookie.
async fn claim(s: &ServerState, card: &str, email: &str) -> String {
    let body = common::form_encode(&[
        ("card_number", card),
        ("proof", email),
        ("password", "nuova password sicura"),
        ("password_confirm", "nuova password sicura"),
    ]);
    let req = Request::post("/api/claim")
        .header("origin", common::ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let res = router(s.clone()).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    common::session_cookie(&res)
}

/// The campaign form: a basket bonus of 100 points from 10 € for everyone active in the window.
fn basket<'a>(name: &'a str, today: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("name", name),
        ("starts_on", today),
        ("ends_on", "2099-12-31"),
        ("filters", "range=all"),
        ("offer_kind", "basket"),
        ("min_spend_eur", "10"),
        ("points", "100"),
        ("budget", "1000"),
        ("per_shopper_limit", "1"),
        ("holdout", "0"),
    ];
    for (k, v) in extra {
        f.retain(|(key, _)| key != k);
        f.push((k, v));
    }
    f
}

/// Maria, Luca and Anna (consents as above) with one receipt each in October, imported from files
/// written into `dir`; the server state with an admin logged in and its projection built.
async fn three_shoppers(
    store: &std::sync::Arc<dyn imagross::store::Store>,
    dir: &std::path::Path,
) -> (ServerState, String) {
    let fidelity = dir.join("fidelity.csv");
    std::fs::write(
        &fidelity,
        format!(
            "NumeroCarta;Nome;Cognome;Email;Cellulare;ConsensoPrivacy;ConsensoMarketing;ConsensoProfilazione\n\
             {MARIA};Maria;Rossi;maria@example.it;333 1234567;S;S;S\n\
             {LUCA};Luca;Bianchi;luca@example.it;347 7654321;S;S;N\n\
             {ANNA};Anna;Verdi;anna@example.it;;S;N;N\n"
        ),
    )
    .unwrap();
    let scontrini = dir.join("scontrini.csv");
    std::fs::write(
        &scontrini,
        format!(
            "PuntoVendita;Data;Ora;Cassa;NumeroScontrino;NumeroCarta;Totale\n\
             S01;01/10/2026;10:00;1;1;{MARIA};30,00\n\
             S01;02/10/2026;10:00;1;2;{LUCA};20,00\n\
             S01;03/10/2026;10:00;1;3;{ANNA};10,00\n"
        ),
    )
    .unwrap();
    let options = ImportOptions { kind: None, run_by: "t".into(), sheet: None };
    for file in [&fidelity, &scontrini] {
        let summary = import_file(store.as_ref(), file, &options, &|_| {}).await.unwrap();
        assert_eq!(summary.rejected, 0, "{summary:?}");
    }
    let (s, admin) = common::admin_state(store.clone()).await;
    s.projection.refresh(store.as_ref()).await.unwrap();
    (s, admin)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_from_audience_to_bonus() {
    let t = common::sqlite().await;
    let store = t.store.clone();
    let dir = tempfile::tempdir().unwrap();
    let (s, admin) = three_shoppers(&store, dir.path()).await;
    let options = ImportOptions { kind: None, run_by: "t".into(), sheet: None };
    let today = imagross::clock::today_date().iso();

    // The preview: three match; Anna gave no marketing consent. Chosen from purchases (lapsed),
    // Luca needs profiling consent too.
    let (status, p) = post(&s, "/api/campaign_preview", &[("filters", "range=all"), ("holdout", "10")], &admin).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!((p["matching"].as_u64(), p["reachable"].as_u64()), (Some(3), Some(2)), "{p}");
    assert_eq!(p["left_out"], json!([["no_marketing_consent", 1]]));
    let (_, p) = post(&s, "/api/campaign_preview", &[("filters", "range=all"), ("lapsed_days", "1")], &admin).await;
    // Lapsed a day before the data's last (Anna's receipt): Maria and Luca; Luca did not consent
    // to profiling.
    assert_eq!((p["matching"].as_u64(), p["reachable"].as_u64()), (Some(2), Some(1)), "{p}");
    assert_eq!(p["left_out"], json!([["no_profiling_consent", 1]]));
    // The level criterion reads each card's points of the last 12 months: 30 and 20 points are
    // bronze, so none is silver; bronze asks nothing more.
    let (_, p) = post(&s, "/api/campaign_preview", &[("filters", "range=all"), ("level_min", "silver")], &admin).await;
    assert_eq!(p["reachable"], 0, "{p}");
    let (_, p) = post(&s, "/api/campaign_preview", &[("filters", "range=all"), ("level_min", "bronze")], &admin).await;
    assert_eq!(p["reachable"], 2, "{p}");
    let (status, p) =
        post(&s, "/api/campaign_preview", &[("filters", "range=all"), ("level_min", "diamond")], &admin).await;
    assert_eq!((status, p["Invalid"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("level_min")), "{p}");
    let (_, p) = post(&s, "/api/campaign_preview", &[("filters", "range=all&store=S02")], &admin).await;
    assert_eq!(p["matching"], 0, "no receipt at S02: {p}");
    let (status, _) = post(&s, "/api/campaign_preview", &[("filters", "range=all")], "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "admins only");

    // Bad campaigns name their field; nothing is created.
    for (extra, field) in [
        (vec![("holdout", "60")], "holdout"),
        (vec![("budget", "99")], "budget"),
        (vec![("enrolment_store", "S99")], "audience"),
        (vec![("ends_on", "2020-01-01")], "ends_on"),
        (vec![("min_spend_eur", "dieci")], "min_spend_eur"),
        (vec![("name", " ")], "name"),
    ] {
        let (status, v) = post(&s, "/api/campaign_launch", &basket("Spesa premiata", &today, &extra), &admin).await;
        assert_eq!((status, v["Invalid"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{extra:?}: {v}");
    }
    let (_, list) = post(&s, "/api/campaigns", &[], &admin).await;
    assert_eq!(list, json!([]), "nothing half-created");
    assert_eq!(store.count(imagross::store::Table::CampaignMembers).await.unwrap(), 0);

    // Before the launch no campaign chose Maria (the service now remembers the campaigns it
    // looked at: the launch itself must tell it about hers).
    assert!(s.till.campaigns.shopper_offers(MARIA).await.unwrap().is_empty());

    // The launch: Maria and Luca are members (no holdout asked); Anna is left out.
    let (status, c) = post(&s, "/api/campaign_launch", &basket("Spesa premiata", &today, &[]), &admin).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    assert_eq!(
        (c["members"].as_i64(), c["held_out"].as_i64(), c["status"].as_str()),
        (Some(2), Some(0), Some("running"))
    );
    assert_eq!(c["left_out"], json!([["no_marketing_consent", 1]]));
    let (status, v) = post(&s, "/api/campaign_launch", &basket("Di nuovo", &today, &[]), &admin).await;
    assert_eq!((status, v["Invalid"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("starts_on")), "{v}");
    assert!(v["Invalid"]["message"].as_str().unwrap().contains(&id), "names the twin: {v}");

    // Maria sees her offer and activates it, once.
    let maria = claim(&s, MARIA, "maria@example.it").await;
    let (_, offers) = post(&s, "/api/my_offers", &[], &maria).await;
    assert_eq!(offers.as_array().unwrap().len(), 1, "{offers}");
    assert!(offers[0]["activated_at"].is_null());
    let (status, first) = post(&s, "/api/activate_offer", &[("campaign_id", &id)], &maria).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert!(first["activated_at"].is_string());
    let (_, again) = post(&s, "/api/activate_offer", &[("campaign_id", &id)], &maria).await;
    assert_eq!(again["activated_at"], first["activated_at"], "activated once");
    let (status, _) = post(&s, "/api/activate_offer", &[("campaign_id", "C9999")], &maria).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Another replica, which never saw the launch, finds the campaign's cards on its first
    // shopper's page: Maria's offer; Anna, whom no campaign chose, has none.
    let replica = imagross::campaigns::CampaignService::new(
        store.clone(),
        s.projection.clone(),
        std::sync::Arc::new(imagross::campaigns::mail::Outbox::new(store.clone(), None).unwrap()),
    );
    let seen = replica.shopper_offers(MARIA).await.unwrap();
    assert_eq!((seen.len(), seen[0].campaign_id.as_str()), (1, id.as_str()));
    assert!(seen[0].activated_at.is_some(), "as stored");
    assert!(replica.shopper_offers(ANNA).await.unwrap().is_empty());

    // The till sees Maria's activated offer, not Luca's (not activated).
    let (_, key) = imagross::till_api::keys::create(store.as_ref(), "S01", None, "test").await.unwrap();
    let (status, v) = till(&s, "GET", &format!("/api/v1/cards/{MARIA}/offers"), &key, None).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (v[0]["campaign_id"].as_str(), v[0]["kind"].as_str(), v[0]["min_cents"].as_i64()),
        (Some(id.as_str()), Some("basket"), Some(1_000))
    );
    assert_eq!(v[0]["remaining"], 1);
    let (_, v) = till(&s, "GET", &format!("/api/v1/cards/{LUCA}/offers"), &key, None).await;
    assert_eq!(v, json!([]));
    let (status, _) = till(&s, "GET", "/api/v1/cards/2000000000992/offers", &key, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A till may name the offers it applied: one the card did not activate is refused, naming it.
    let mut named = till_receipt("500", MARIA, 2_000);
    named["offer_codes"] = json!([id.clone(), "C9999"]);
    let (status, v) = till(&s, "POST", "/api/v1/receipts", &key, Some(named)).await;
    assert_eq!(
        (status, v["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("offer_codes[1]")),
        "{v}"
    );
    let mut named = till_receipt("500", LUCA, 2_000);
    named["offer_codes"] = json!([id.clone()]);
    let (status, v) = till(&s, "POST", "/api/v1/receipts", &key, Some(named)).await;
    assert_eq!(
        (status, v["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("offer_codes[0]")),
        "not activated by Luca: {v}"
    );
    // A receipt below the threshold earns nothing; one above earns the bonus once.
    let (status, _) = till(&s, "POST", "/api/v1/receipts", &key, Some(till_receipt("501", MARIA, 999))).await;
    assert_eq!(status, StatusCode::CREATED);
    let mut applied = till_receipt("502", MARIA, 2_000);
    applied["offer_codes"] = json!([id.clone()]);
    let (status, v) = till(&s, "POST", "/api/v1/receipts", &key, Some(applied.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (status, _) = till(&s, "POST", "/api/v1/receipts", &key, Some(applied)).await;
    assert_eq!(status, StatusCode::OK, "a retry");
    let (status, _) = till(&s, "POST", "/api/v1/receipts", &key, Some(till_receipt("503", LUCA, 500))).await;
    assert_eq!(status, StatusCode::CREATED);
    let luca: Vec<imagross::store::model::PointsEntry> =
        imagross::store::StoreExt::find(store.as_ref(), "card_number", json!(LUCA), 100).await.unwrap();
    assert!(luca.iter().all(|e| !e.id.starts_with("offer:")), "below the threshold and not activated: no bonus");
    let (_, page) = post(&s, "/api/my_points", &[], &maria).await;
    let movements = page["movements"].as_array().unwrap_or_else(|| panic!("{page}"));
    let offer: Vec<&Value> = movements.iter().filter(|m| m["kind"] == "offer").collect();
    assert_eq!(offer.len(), 1, "{page}");
    assert_eq!((offer[0]["points"].as_i64(), offer[0]["reason"].as_str()), (Some(100), Some("Spesa premiata")));
    let (_, v) = till(&s, "GET", &format!("/api/v1/cards/{MARIA}/offers"), &key, None).await;
    assert_eq!(v, json!([]), "the limit of one reward is used");
    let (_, list) = post(&s, "/api/campaigns", &[], &admin).await;
    assert_eq!((list[0]["activated"].as_i64(), list[0]["granted"].as_i64()), (Some(1), Some(100)), "{list}");
    // The report, once the projection holds the live receipts: both treated members over today;
    // no holdout was asked, so no effect can be estimated.
    s.projection.refresh(store.as_ref()).await.unwrap();
    let (status, r) = post(&s, "/api/campaign_report", &[("id", &id)], &admin).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!((r["treated"].as_u64(), r["holdout"].as_u64(), r["activated"].as_u64()), (Some(2), Some(0), Some(1)));
    assert_eq!((r["redeemed"].as_u64(), r["points_granted"].as_i64()), (Some(1), Some(100)));
    assert_eq!(r["measured_from"].as_str(), Some(today.as_str()));
    // Maria 9,99 + 20,00, Luca 5,00: 17,495 € per treated member.
    assert!((r["itt"][0]["treated"].as_f64().unwrap() - 17.495).abs() < 1e-9, "{r}");
    assert_eq!(r["verdict"], "too_few_members");
    let req =
        Request::get(format!("/admin/campaigns/{id}/report.csv")).header("cookie", &admin).body(Body::empty()).unwrap();
    let res = router(s.clone()).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(text.contains("intention_to_treat;revenue_eur;17,4950;0,0000;;;"), "{text}");
    let req = Request::get(format!("/admin/campaigns/{id}/report.xlsx"))
        .header("cookie", &admin)
        .body(Body::empty())
        .unwrap();
    let res = router(s.clone()).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut book, "Risultati").unwrap();
    assert_eq!(sheet.get_value((1, 1)).map(ToString::to_string).as_deref(), Some("revenue_eur"));
    let treated = sheet.get_value((1, 2)).and_then(calamine::DataType::get_float).unwrap();
    assert!((treated - 17.495).abs() < 1e-9, "{treated}");
    let req =
        Request::get(format!("/admin/campaigns/{id}/report.csv")).header("cookie", &maria).body(Body::empty()).unwrap();
    assert_eq!(router(s.clone()).oneshot(req).await.unwrap().status(), StatusCode::FORBIDDEN, "admins only");

    // Receipts that arrive in a file (the chain's Scontrini) are judged after the rebuild that
    // follows the import: Luca's earns nothing while he has not activated the offer; once he
    // has, his receipts of that day earn it — once, his limit being one — and importing the
    // same file again changes nothing.
    let day = imagross::clock::today_date();
    let scontrini_of = |number: u32| {
        let file = dir.path().join(format!("scontrini-{number}.csv"));
        std::fs::write(
            &file,
            format!(
                "PuntoVendita;Data;Ora;Cassa;NumeroScontrino;NumeroCarta;Totale\n\
                 S01;{:02}/{:02}/{};09:00;3;{number};{LUCA};45,00\n",
                day.day, day.month, day.year
            ),
        )
        .unwrap();
        file
    };
    let offer_entries = || async {
        let luca: Vec<imagross::store::model::PointsEntry> =
            imagross::store::StoreExt::find(store.as_ref(), "card_number", json!(LUCA), 100).await.unwrap();
        luca.into_iter().filter(|e| e.id.starts_with("offer:")).collect::<Vec<_>>()
    };
    import_file(store.as_ref(), &scontrini_of(77), &options, &|_| {}).await.unwrap();
    s.projection.refresh(store.as_ref()).await.unwrap();
    assert!(offer_entries().await.is_empty(), "not activated: nothing");
    let luca_cookie = claim(&s, LUCA, "luca@example.it").await;
    let (status, _) = post(&s, "/api/activate_offer", &[("campaign_id", &id)], &luca_cookie).await;
    assert_eq!(status, StatusCode::OK);
    for _ in 0..2 {
        import_file(store.as_ref(), &scontrini_of(78), &options, &|_| {}).await.unwrap();
        s.projection.refresh(store.as_ref()).await.unwrap();
    }
    let earned = offer_entries().await;
    assert_eq!(earned.len(), 1, "{earned:?}");
    assert_eq!(earned[0].points, 100);
    assert!(earned[0]
        .receipt_id
        .as_deref()
        .is_some_and(|r| r.starts_with(&format!("S01-{}-", day.iso().replace('-', "")))));

    // Maria's data download holds her consents and the campaign she was chosen for.
    let req = Request::get("/me/data.json").header("cookie", &maria).body(Body::empty()).unwrap();
    let res = router(s.clone()).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let data: Value = serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(data["cardholder"]["profiling_consent"], true, "{data}");
    assert_eq!(data["campaigns"][0]["campaign_id"].as_str(), Some(id.as_str()));
    assert!(data["campaigns"][0]["activated_at"].is_string());
}

/// A real SMTP server (Python's aiosmtpd) writing what it receives into a Maildir; stopped when
/// dropped.
struct SmtpServer {
    child: std::process::Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpServer {
    /// Starts one, or `None` when aiosmtpd is not installed (the README's test command installs
    /// it and requires it).
    fn start() -> Option<SmtpServer> {
        let python = std::env::var("IMAGROSS_SMTP_PYTHON").map(std::path::PathBuf::from).unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tools/venv-smtp/bin/python")
        });
        if !python.exists() {
            assert_ne!(
                std::env::var("IMAGROSS_REQUIRE_MONGO").as_deref(),
                Ok("1"),
                "the test command installs aiosmtpd at {}",
                python.display()
            );
            eprintln!("aiosmtpd not installed: the campaign mail test is skipped");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let maildir = tempfile::tempdir().unwrap();
        let child = std::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let server = SmtpServer { child, port, maildir };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(server);
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("aiosmtpd did not start on port {port}");
    }

    /// The messages received, as text.
    fn received(&self) -> Vec<String> {
        let dir = self.maildir.path().join("mail/new");
        let mut out: Vec<String> = std::fs::read_dir(&dir)
            .map(|d| d.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect())
            .unwrap_or_default();
        out.sort();
        out
    }
}

/// The announcement mails: sent once through a real SMTP server to the treated members with
/// marketing consent; a shopper who withdrew consent before the send is skipped; a server that
/// cannot be reached leaves the mail waiting with a back-off; the report counts them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaign_mails_are_sent_once_through_smtp() {
    use imagross::campaigns::mail::{Outbox, Pass};
    use imagross::store::model::{Cardholder, OutboxMail};
    use imagross::store::StoreExt;
    let Some(smtp) = SmtpServer::start() else { return };
    let t = common::sqlite().await;
    let store = t.store.clone();
    let dir = tempfile::tempdir().unwrap();
    let (s, admin) = three_shoppers(&store, dir.path()).await;
    let today = imagross::clock::today_date().iso();
    let (status, c) = post(&s, "/api/campaign_launch", &basket("Autunno", &today, &[]), &admin).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    assert_eq!(store.count(imagross::store::Table::Outbox).await.unwrap(), 2, "Maria and Luca, not Anna");

    // Luca withdraws consent before the mail goes.
    let luca: Cardholder = store.get_one(LUCA).await.unwrap().unwrap();
    store.replace_one(&Cardholder { marketing_consent: false, ..luca }).await.unwrap();
    let mail = imagross::config::Mail {
        url: format!("smtp://127.0.0.1:{}", smtp.port),
        from: "ImaGross <offerte@imagross.it>".into(),
    };
    let outbox = Outbox::new(store.clone(), Some(&mail)).unwrap();
    let pass = outbox.send_due().await.unwrap();
    assert_eq!(pass, Pass { sent: 1, skipped: 1, ..Default::default() });
    assert_eq!(outbox.send_due().await.unwrap(), Pass::default(), "nothing is sent twice");
    let received = smtp.received();
    assert_eq!(received.len(), 1, "{received:?}");
    let m = &received[0];
    assert!(m.contains("To: maria@example.it"), "{m}");
    assert!(m.contains("Subject: Una nuova offerta per te: Autunno"), "{m}");
    assert!(m.contains("Le mie offerte"), "{m}");
    let (_, r) = post(&s, "/api/campaign_report", &[("id", &id)], &admin).await;
    assert_eq!(r["mail"], json!({"configured": false, "waiting": 0, "sent": 1, "failed": 0, "skipped": 1}), "{r}");

    // A server that cannot be reached: the mail waits, retried later with a back-off.
    let waiting = OutboxMail {
        id: "C9999:2000000000015".into(),
        campaign_id: "C9999".into(),
        card_number: MARIA.into(),
        to_address: "maria@example.it".into(),
        subject: "Prova".into(),
        body: "Prova".into(),
        status: "pending".into(),
        attempts: 0,
        next_attempt_at: imagross::clock::now_rfc3339(),
        sent_at: None,
        last_error: None,
        created_at: imagross::clock::now_rfc3339(),
    };
    store.insert_one(&waiting).await.unwrap();
    drop(smtp);
    let pass = outbox.send_due().await.unwrap();
    assert_eq!(pass, Pass { retried: 1, ..Default::default() });
    let after: OutboxMail = store.get_one(&waiting.id).await.unwrap().unwrap();
    assert_eq!((after.status.as_str(), after.attempts), ("pending", 1));
    assert!(after.last_error.is_some() && after.next_attempt_at > imagross::clock::now_rfc3339(), "{after:?}");
    assert_eq!(outbox.send_due().await.unwrap(), Pass::default(), "not due again yet");
}

/// The demo's past campaigns show both verdicts: the one with a planted effect (+24 € per
/// treated member expected) is an increase whose interval covers it; the other has no
/// measurable effect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_campaigns_show_an_effect_and_none() {
    use imagross::demo::{generate, DemoFormat, DemoOptions};
    let t = common::sqlite().await;
    let store = t.store.clone();
    let dir = tempfile::tempdir().unwrap();
    let end = imagross::demo::end_of_previous_month(imagross::clock::today_date());
    generate(&DemoOptions {
        customers: 6_000,
        months: 6,
        seed: 42,
        end,
        out: dir.path().to_path_buf(),
        format: DemoFormat::Csv,
    })
    .unwrap();
    let options = ImportOptions { kind: None, run_by: "t".into(), sheet: None };
    for kind in ["fidelity", "scontrini"] {
        import_file(store.as_ref(), &dir.path().join(format!("{kind}.csv")), &options, &|_| {}).await.unwrap();
    }
    let data = imagross::projection::load(store.as_ref()).await.unwrap();
    let snap = tokio::task::spawn_blocking(move || imagross::analytics::Snapshot::new(data)).await.unwrap();
    let done = imagross::campaigns::demo::seed(&store, &snap, dir.path(), 42).await.unwrap();
    assert_eq!(done.campaigns.len(), 2);
    assert!(done.extra_receipts > 0 && done.rewards > 0, "{done:?}");
    let (s, _) = common::admin_state(store.clone()).await;
    s.projection.refresh(store.as_ref()).await.unwrap();
    let planted = s.till.campaigns.report(&done.campaigns[0].0).await.unwrap();
    let revenue = planted.itt[0].difference.unwrap();
    assert_eq!(planted.verdict, app::model::campaigns::Verdict::Increase, "{revenue:?}");
    assert!(revenue.low <= 24.0 && 24.0 <= revenue.high, "the interval covers the planted +24 €: {revenue:?}");
    assert!(planted.holdout >= 20, "{planted:?}");
    let none = s.till.campaigns.report(&done.campaigns[1].0).await.unwrap();
    assert_eq!(none.verdict, app::model::campaigns::Verdict::NoMeasurableEffect, "{:?}", none.itt[0]);
    println!(
        "demo campaigns: planted {:.2} € ({:.2} … {:.2}), {} treated / {} held out; none {:.2} € ({:.2} … {:.2})",
        revenue.estimate,
        revenue.low,
        revenue.high,
        planted.treated,
        planted.holdout,
        none.itt[0].difference.unwrap().estimate,
        none.itt[0].difference.unwrap().low,
        none.itt[0].difference.unwrap().high
    );
}
