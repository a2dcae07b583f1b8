//! Typed records of the store, one per table. Money is integer cents, quantities are
//! thousandths, dates are ISO 8601 text. These stay on the server: wire DTOs live in `app`.

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use serde_json::Value;

use super::{Row, StoreResult, Table};

/// A typed record stored in one table, keyed by its natural `id`.
pub trait Entity: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static {
    /// The table that holds this record.
    const TABLE: Table;
    /// The natural key.
    fn id(&self) -> &str;
    /// The record as its table's row: values in column order, checked against the schema.
    /// The import's high-volume records override it with a direct build (no JSON document in
    /// between); a unit test holds each override equal to this default.
    fn row(&self) -> StoreResult<Row> {
        Self::TABLE.def().canonical(&super::to_doc(self)?)
    }
    /// [`Entity::row`], consuming the record (the overrides move its strings).
    fn into_row(self) -> StoreResult<Row> {
        self.row()
    }
    /// The record from its table's canonical row (as the store reads it).
    fn from_row(row: Row) -> StoreResult<Self> {
        super::from_doc(Self::TABLE.def().to_doc(row))
    }
}

macro_rules! entity {
    ($ty:ident, $table:ident) => {
        impl Entity for $ty {
            const TABLE: Table = Table::$table;
            fn id(&self) -> &str {
                &self.id
            }
        }
    };
    // The fields in column order, each `text`, `opt_text` or `int`.
    ($ty:ident, $table:ident, $($kind:ident $field:ident),+) => {
        impl Entity for $ty {
            const TABLE: Table = Table::$table;
            fn id(&self) -> &str {
                &self.id
            }
            fn row(&self) -> StoreResult<Row> {
                self.clone().into_row()
            }
            fn into_row(self) -> StoreResult<Row> {
                Ok(vec![$(cell!($kind, self.$field)),+])
            }
            fn from_row(row: Row) -> StoreResult<Self> {
                let mut cells = row.into_iter();
                Ok($ty { $($field: uncell!($kind, $table, stringify!($field), cells.next())),+ })
            }
        }
    };
}

/// A canonical cell back into a field (the schema's type, else a `Schema` error naming it).
macro_rules! uncell {
    (text, $table:ident, $name:expr, $v:expr) => {
        match $v {
            Some(Value::String(s)) => s,
            other => return Err(wrong_cell(Table::$table, $name, other)),
        }
    };
    (opt_text, $table:ident, $name:expr, $v:expr) => {
        match $v {
            Some(Value::String(s)) => Some(s),
            Some(Value::Null) => None,
            other => return Err(wrong_cell(Table::$table, $name, other)),
        }
    };
    (int, $table:ident, $name:expr, $v:expr) => {{
        let v = $v;
        match v.as_ref().and_then(Value::as_i64) {
            Some(n) => n,
            None => return Err(wrong_cell(Table::$table, $name, v)),
        }
    }};
}

fn wrong_cell(table: Table, field: &str, value: Option<Value>) -> super::StoreError {
    super::StoreError::Schema(format!("{}.{field}: unexpected {value:?}", table.name()))
}

macro_rules! cell {
    (text, $v:expr) => {
        Value::String($v)
    };
    (opt_text, $v:expr) => {
        $v.map_or(Value::Null, Value::String)
    };
    (int, $v:expr) => {
        Value::from($v)
    };
}

/// Status of a loyalty card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardStatus {
    Active,
    Blocked,
    /// Personal data erased on request; purchases kept anonymously.
    Anonymised,
}

/// A cardholder of the chain's register ("Fidelity"); `id` is the card number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cardholder {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrolment_store: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrolled_on: Option<String>,
    pub privacy_consent: bool,
    pub marketing_consent: bool,
    pub status: CardStatus,
    /// Consent to profiling (targeting by segment, value, churn risk or affinity): separate
    /// from marketing, as the Garante's 2005 fidelity-card ruling asks; never given by default.
    #[serde(default)]
    pub profiling_consent: bool,
}
entity!(Cardholder, Cardholders);

/// A point of sale; `id` is the store code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shop {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
}
entity!(Shop, Shops);

/// A department ("reparto"); `id` is its code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Department {
    pub id: String,
    pub name: String,
}
entity!(Department, Departments);

/// A product; `id` is its EAN.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
}
entity!(Product, Products, text id, text description, opt_text department_id, opt_text brand);

/// A promotion (flyer period, 3x2, loyalty discount…); `id` is its code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Promotion {
    pub id: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_on: Option<String>,
}
entity!(Promotion, Promotions);

/// A receipt ("scontrino"). `id` is the natural key: an explicit receipt id, or
/// store + date + till + number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub id: String,
    pub shop_id: String,
    /// Local date-time, `YYYY-MM-DDTHH:MM:SS`.
    pub issued_at: String,
    pub till: String,
    pub number: String,
    /// The loyalty card used, if any (about a third of receipts have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_number: Option<String>,
    pub gross_cents: i64,
    pub discount_cents: i64,
    pub net_cents: i64,
}
entity!(
    Receipt,
    Receipts,
    text id,
    text shop_id,
    text issued_at,
    text till,
    text number,
    opt_text card_number,
    int gross_cents,
    int discount_cents,
    int net_cents
);

/// A sales line ("vendita") of a receipt; `id` is `receipt_id#line_no`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SalesLine {
    pub id: String,
    pub receipt_id: String,
    pub line_no: i64,
    pub product_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_id: Option<String>,
    /// Quantity in thousandths (pieces × 1000, or grams for weighed goods).
    pub quantity_milli: i64,
    pub gross_cents: i64,
    pub discount_cents: i64,
    pub net_cents: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_id: Option<String>,
}
entity!(
    SalesLine,
    SalesLines,
    text id,
    text receipt_id,
    int line_no,
    text product_id,
    opt_text department_id,
    int quantity_milli,
    int gross_cents,
    int discount_cents,
    int net_cents,
    opt_text promotion_id
);

impl SalesLine {
    /// The natural key of line `line_no` of `receipt_id`.
    pub fn key(receipt_id: &str, line_no: i64) -> String {
        format!("{receipt_id}#{line_no}")
    }
}

pub use app::model::account::Role;

/// Whether an account may log in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    Disabled,
}

/// A login account. The password hash never leaves the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserAccount {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_number: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: String,
    pub role: Role,
    pub status: AccountStatus,
    pub created_at: String,
    /// Sessions (access tokens) issued before this instant are void: set when the password,
    /// the role or the status changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions_after: Option<String>,
}
entity!(UserAccount, Users);

/// State of an import batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    Running,
    Completed,
    Failed,
    /// The process running it stopped (its heartbeat expired): the rows it stored are kept;
    /// running the same file again completes it.
    Interrupted,
}

/// The record of one import run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportBatch {
    pub id: String,
    pub kind: String,
    pub file_name: String,
    pub sha256: String,
    pub rows_read: i64,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub started_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    pub status: BatchStatus,
    pub run_by: String,
    /// Last sign of life of the process running it (every few seconds while `running`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_at: Option<String>,
    /// The data tables' row counts right after it (a JSON object, table name → rows): counts
    /// only ever grow, so a store found below them went back in time (see the watchdog).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts_after: Option<String>,
    /// A small number from the store's `import_batches` sequence, recorded in the lineage of
    /// the rows the batch writes (a number costs a byte or two per row, a uuid 36). `None` for
    /// batches recorded before lineage.
    #[serde(default)]
    pub number: Option<i64>,
}
entity!(ImportBatch, ImportBatches);

/// One rejected row of an import batch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportRowError {
    pub id: String,
    pub batch_id: String,
    pub row: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    pub reason: String,
    /// The card the rejected row is about, when readable (erasure redacts by it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_number: Option<String>,
}
entity!(ImportRowError, ImportErrors);

/// One movement of a card's points; `id` is an idempotency key (e.g. `earn:<receipt id>`),
/// so the same award can never be written twice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointsEntry {
    pub id: String,
    pub card_number: String,
    pub points: i64,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_id: Option<String>,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}
entity!(PointsEntry, PointsLedger);

/// A refresh token of a login session. `id` is the SHA-256 of the token (the token itself is
/// only ever in the user's cookie). Tokens of one login share a `family_id`; each is used once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefreshToken {
    pub id: String,
    pub user_id: String,
    pub family_id: String,
    pub expires_at: String,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_at: Option<String>,
    pub revoked: bool,
    /// When the session's login happened; rotation keeps it, and no token of the family
    /// outlives the absolute session lifetime counted from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_started_at: Option<String>,
}
entity!(RefreshToken, RefreshTokens);

/// A card whose holder asked for erasure. The importer consults this register: personal
/// fields of an erased card are never written again, whatever a later file says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErasedCard {
    /// The card number.
    pub id: String,
    pub erased_at: String,
}
entity!(ErasedCard, ErasedCards);

/// A till system's API key for one shop. Only the SHA-256 of the key is stored (`key_hash`);
/// the key itself is shown once when created. `prefix` (the key's first characters) lets
/// people tell keys apart in lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShopKey {
    pub id: String,
    pub shop_id: String,
    pub key_hash: String,
    pub prefix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub created_at: String,
    /// Who created it (an admin's email or `cli`).
    pub created_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}
entity!(ShopKey, ShopKeys);

/// A receipt received through the API, by receipt key: the claim that makes submissions
/// idempotent. `content_hash` identifies what was sent; `status` is `pending` until every
/// write of the receipt is done, then `stored`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiReceipt {
    pub id: String,
    pub shop_id: String,
    pub key_id: String,
    pub content_hash: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_number: Option<String>,
    /// Points earned by the receipt (0 without a card).
    pub points: i64,
    pub received_at: String,
}
entity!(ApiReceipt, ApiReceipts);

/// A reward of the catalogue. `issued` counts the vouchers issued (against `stock`); `version`
/// makes every change a compare-and-set, so stock is never oversold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reward {
    pub id: String,
    pub kind: String,
    pub title_it: String,
    pub title_en: String,
    pub description_it: String,
    pub description_en: String,
    pub points: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ean: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<i64>,
    pub issued: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
    pub min_level: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_limit: Option<i64>,
    /// `active` or `paused`.
    pub status: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}
entity!(Reward, Rewards);

/// A voucher: what a redemption issued, a copy of the reward as it was (later catalogue edits
/// never change it). `id` is the EAN-13 code. Status `pending` until its points are taken.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Voucher {
    pub id: String,
    pub card_number: String,
    pub reward_id: String,
    pub kind: String,
    pub title_it: String,
    pub title_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ean: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    pub points: i64,
    /// `pending`, `active`, `used`, `cancelled`, `donated`, `void` (a redemption that lost).
    pub status: String,
    pub issued_at: String,
    pub expires_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<String>,
}
entity!(Voucher, Vouchers);

/// One card's redemption lock: every redemption and cancellation of the card moves `version`
/// by a compare-and-set, so they happen one at a time on any store and any number of replicas;
/// `pending` names the voucher whose points are being taken (finished by whoever comes next).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Wallet {
    /// The card number.
    pub id: String,
    pub version: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
    pub updated_at: String,
}
entity!(Wallet, Wallets);

/// One receipt stored live by any replica, in the order of a store-wide sequence: every
/// replica follows this feed to put other replicas' receipts on its pages. `id` is the sequence
/// number, zero-padded to 20 digits (text order = number order).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiveFeedEntry {
    pub id: String,
    pub receipt_id: String,
    /// The day it was written (the feed is pruned by day).
    pub day: String,
    /// When it was written (RFC 3339, milliseconds): the lag between replicas is measured from it.
    pub published_at: String,
}
entity!(LiveFeedEntry, LiveFeed, text id, text receipt_id, text day, text published_at);

/// A lease on work that must run on one replica at a time (taken and checked by the lease
/// module above the store).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lease {
    /// The work's name.
    pub id: String,
    /// The replica holding it.
    pub holder: String,
    /// Moves by one at every acquisition (fencing: a holder checks it still holds this token).
    pub token: i64,
    pub expires_at: String,
}
entity!(Lease, Leases, text id, text holder, int token, text expires_at);

/// A launched campaign: its audience and offer as the admin set them (JSON of the campaigns
/// module's types), and what the launch fixed (members, held out, who was left out and why).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: String,
    pub name: String,
    /// First and last day the offer applies (`YYYY-MM-DD`, inclusive).
    pub starts_on: String,
    pub ends_on: String,
    pub audience: String,
    pub offer: String,
    /// Points (euro cents for a voucher offer) the campaign may grant in all.
    pub budget: i64,
    pub per_shopper_limit: i64,
    pub holdout_permille: i64,
    /// Members in all (treated + held out).
    pub members: i64,
    pub held_out: i64,
    /// Cardholders of the audience left out, by reason (JSON list of `[reason, count]`).
    pub left_out: String,
    /// Audience, offer and period hashed: an identical campaign is found by it.
    pub fingerprint: String,
    /// `active` or `stopped`.
    pub status: String,
    pub created_at: String,
    pub created_by: String,
}
entity!(Campaign, Campaigns);

/// A card's membership of a campaign, fixed at launch; `id` is `<campaign>:<card>`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignMember {
    pub id: String,
    pub campaign_id: String,
    pub card_number: String,
    /// In the holdout group: never shown the offer.
    pub held_out: bool,
    /// When the shopper activated the offer (set once, by compare-and-set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activated_at: Option<String>,
}
entity!(CampaignMember, CampaignMembers);

/// An email waiting to be sent, or sent: written before sending, so a message is sent once
/// (status `pending` → `sent` by compare-and-set on `attempts`) and retried with back-off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxMail {
    /// `<campaign>:<card>`.
    pub id: String,
    pub campaign_id: String,
    pub card_number: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    /// `pending`, `sending`, `sent`, `failed` (gave up) or `skipped` (consent withdrawn).
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub created_at: String,
}
entity!(OutboxMail, Outbox);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::to_doc;

    /// The direct row builds agree with the schema's canonical form, and read back equal.
    fn agrees<T: Entity + std::fmt::Debug>(record: T) {
        let canonical = T::TABLE.def().canonical(&to_doc(&record).unwrap()).unwrap();
        assert_eq!(record.row().unwrap(), canonical);
        assert_eq!(T::from_row(canonical).unwrap(), record);
    }

    #[test]
    fn direct_rows_equal_the_canonical_rows() {
        let line = SalesLine {
            id: "R1#2".into(),
            receipt_id: "R1".into(),
            line_no: 2,
            product_id: "8001234567890".into(),
            department_id: Some("01".into()),
            quantity_milli: -1500,
            gross_cents: 399,
            discount_cents: 40,
            net_cents: 359,
            promotion_id: None,
        };
        agrees(line.clone());
        agrees(SalesLine { department_id: None, promotion_id: Some("P3x2".into()), ..line });
        let receipt = Receipt {
            id: "R1".into(),
            shop_id: "S01".into(),
            issued_at: "2026-11-30T18:04:00".into(),
            till: "3".into(),
            number: "0042".into(),
            card_number: Some("2000000000015".into()),
            gross_cents: 1000,
            discount_cents: 100,
            net_cents: 900,
        };
        agrees(receipt.clone());
        agrees(Receipt { card_number: None, ..receipt });
        agrees(Product {
            id: "P1".into(),
            description: "Latte".into(),
            department_id: None,
            brand: Some("Mukki".into()),
        });
    }

    #[test]
    fn a_row_of_the_wrong_shape_names_the_field() {
        let row = vec![Value::from("P1"), Value::from(12), Value::Null, Value::Null];
        let err = Product::from_row(row).unwrap_err().to_string();
        assert!(err.contains("products.description"), "{err}");
    }
}
