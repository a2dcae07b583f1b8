//! A shopper's own data: download everything held about them (JSON and CSV), and erasure on
//! request — personal data anonymised, the account closed, purchases kept without a person
//! behind them (the card record keeps only its number and status `anonymised`).

use app::error::AppError;
use app::model::account::SessionUser;
use serde_json::{json, Value};

use crate::analytics::export::{Cell, CsvStyle};
use crate::clock::now_rfc3339;
use crate::error::internal;
use crate::projection::dataset::Dataset;
use crate::store::model::{
    AccountStatus, CardStatus, Cardholder, ErasedCard, ImportRowError, PointsEntry, UserAccount,
};
use crate::store::{Store, StoreExt};

/// Everything held about the caller, as one JSON document.
pub async fn my_data(store: &dyn Store, history: Option<&Dataset>, user: &SessionUser) -> Result<Value, AppError> {
    let account: UserAccount = store.get_one(&user.id).await?.ok_or(AppError::NotFound)?;
    let mut account_json = serde_json::to_value(&account).map_err(internal)?;
    if let Some(map) = account_json.as_object_mut() {
        map.remove("password_hash");
    }
    let offers: Vec<crate::store::model::CampaignMember> = match account.card_number.as_deref() {
        Some(card) => store.find("card_number", json!(card), 10_000).await?,
        None => Vec::new(),
    };
    let (cardholder, points, receipts, rejected) = match account.card_number.as_deref() {
        None => (Value::Null, Value::Array(vec![]), Value::Array(vec![]), Value::Array(vec![])),
        Some(card) => {
            let holder: Option<Cardholder> = store.get_one(card).await?;
            let mut ledger: Vec<PointsEntry> = store.find("card_number", json!(card), 1_000_000).await?;
            ledger.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
            let receipts: Vec<Value> = match history.and_then(|d| d.cards.number.get(card).map(|c| (d, c))) {
                None => Vec::new(),
                Some((d, c)) => d
                    .receipts_of(c)
                    .iter()
                    .map(|i| {
                        serde_json::to_value(crate::analytics::service::receipt_view(d, *i as usize))
                            .unwrap_or(Value::Null)
                    })
                    .collect(),
            };
            let rejected: Vec<ImportRowError> = store.find("card_number", json!(card), 10_000).await?;
            (
                serde_json::to_value(holder).map_err(internal)?,
                serde_json::to_value(ledger).map_err(internal)?,
                Value::Array(receipts),
                serde_json::to_value(rejected).map_err(internal)?,
            )
        }
    };
    Ok(json!({
        "account": account_json,
        "cardholder": cardholder,
        "points": points,
        "receipts": receipts,
        // Rows of the chain's files about this card that an import rejected (kept for the
        // import retention period, then deleted).
        "rejected_import_rows": rejected,
        // The campaigns the card was chosen for (treated or held out) and when an offer was
        // activated.
        "campaigns": serde_json::to_value(offers).map_err(internal)?,
    }))
}

/// The same data as one CSV table: `section;id;date;description;quantity;amount_eur;points`.
pub fn my_data_csv(data: &Value) -> String {
    let style = CsvStyle::default();
    let text = |v: &Value| {
        Cell::Text(v.as_str().map(str::to_string).unwrap_or_else(|| {
            if v.is_null() {
                String::new()
            } else {
                v.to_string()
            }
        }))
    };
    let mut out = String::from("\u{feff}");
    out.push_str(&style.line(
        &["section", "id", "date", "description", "quantity", "amount_eur", "points"].map(|h| Cell::Text(h.into())),
    ));
    for section in ["account", "cardholder"] {
        if let Some(map) = data[section].as_object() {
            for (k, v) in map {
                out.push_str(&style.line(&[
                    Cell::Text(section.into()),
                    Cell::Text(k.clone()),
                    Cell::Empty,
                    text(v),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                ]));
            }
        }
    }
    for r in data["receipts"].as_array().into_iter().flatten() {
        out.push_str(&style.line(&[
            Cell::Text("receipt".into()),
            text(&r["id"]),
            text(&r["issued_at"]),
            text(&r["store"]),
            Cell::Empty,
            Cell::Money(r["net_cents"].as_i64().unwrap_or_default()),
            Cell::Empty,
        ]));
        for l in r["lines"].as_array().into_iter().flatten() {
            out.push_str(&style.line(&[
                Cell::Text("line".into()),
                text(&r["id"]),
                text(&r["issued_at"]),
                text(&l["description"]),
                Cell::Milli(l["quantity_milli"].as_i64().unwrap_or_default()),
                Cell::Money(l["net_cents"].as_i64().unwrap_or_default()),
                Cell::Empty,
            ]));
        }
    }
    for e in data["rejected_import_rows"].as_array().into_iter().flatten() {
        out.push_str(&style.line(&[
            Cell::Text("rejected_import_row".into()),
            text(&e["batch_id"]),
            Cell::Empty,
            Cell::Text(format!(
                "row {} {}: {} ({})",
                e["row"],
                e["column"].as_str().unwrap_or(""),
                e["value"].as_str().unwrap_or(""),
                e["reason"].as_str().unwrap_or("")
            )),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ]));
    }
    for p in data["points"].as_array().into_iter().flatten() {
        out.push_str(&style.line(&[
            Cell::Text("points".into()),
            text(&p["id"]),
            text(&p["created_at"]),
            text(&p["kind"]),
            Cell::Empty,
            Cell::Empty,
            Cell::Int(p["points"].as_i64().unwrap_or_default()),
        ]));
    }
    out
}

/// Erases the caller's personal data after checking their password: the card goes into the
/// erased-cards register first (so no import running meanwhile or later writes the person
/// back), the card record keeps only its number and becomes `anonymised`, the account loses
/// its contacts and names and is closed with every session ended, and the rejected import rows
/// about the card are redacted. Receipts, lines and points stay, without a person.
pub async fn erase(store: &dyn Store, user: &SessionUser, password_text: &str) -> Result<(), AppError> {
    let account: UserAccount = store.get_one(&user.id).await?.ok_or(AppError::NotFound)?;
    if !crate::accounts::password::verify(password_text.to_string(), account.password_hash.clone()).await? {
        return Err(AppError::invalid("password", "wrong_password"));
    }
    if let Some(card) = account.card_number.as_deref() {
        store.upsert_all(&[ErasedCard { id: card.to_string(), erased_at: now_rfc3339() }]).await?;
        if let Some(holder) = store.get_one::<Cardholder>(card).await? {
            store.replace_one(&anonymised(holder)).await?;
        }
        crate::import::retention::redact_card(store, card).await?;
    }
    let closed = UserAccount {
        email: None,
        phone: None,
        first_name: String::new(),
        last_name: String::new(),
        password_hash: "!erased".into(),
        status: AccountStatus::Disabled,
        ..account
    };
    store.replace_one(&closed).await?;
    crate::accounts::sessions::end_all(store, closed.clone()).await?;
    tracing::info!(account = %closed.id, "personal data erased on request");
    Ok(())
}

/// A card record with nothing personal left: its number, enrolment and status `anonymised`.
pub fn anonymised(holder: Cardholder) -> Cardholder {
    Cardholder {
        id: holder.id,
        first_name: String::new(),
        last_name: String::new(),
        email: None,
        phone: None,
        birth_date: None,
        gender: None,
        city: None,
        province: None,
        enrolment_store: holder.enrolment_store,
        enrolled_on: holder.enrolled_on,
        privacy_consent: false,
        marketing_consent: false,
        status: CardStatus::Anonymised,
        profiling_consent: false,
    }
}
