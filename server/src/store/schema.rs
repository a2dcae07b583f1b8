//! The data model as tables: names, typed columns, lookup indexes and unique fields. Both store
//! implementations derive their physical layout and their value conversions from this one
//! description, so a row means the same thing in SQLite and in MongoDB.

use serde_json::Value;

use super::{Doc, StoreError, StoreResult};

/// Every table (SQLite) / collection (MongoDB) of the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Cardholders,
    Shops,
    Departments,
    Products,
    Promotions,
    Receipts,
    SalesLines,
    Users,
    ImportBatches,
    ImportErrors,
    PointsLedger,
    RefreshTokens,
    ShopKeys,
    ApiReceipts,
    ErasedCards,
    Rewards,
    Vouchers,
    Wallets,
    LiveFeed,
    Leases,
    Counters,
    Campaigns,
    CampaignMembers,
    Outbox,
}

/// How a column's value is stored and compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColType {
    /// UTF-8 text (also dates as ISO 8601 and enums by their serde name).
    Text,
    /// 64-bit signed integer (money in cents, counts, quantities in thousandths).
    Int,
    /// Boolean (0/1 in SQLite).
    Bool,
}

/// One column. Every table's first column is `id TEXT`, the natural key.
#[derive(Clone, Copy, Debug)]
pub struct Col {
    pub name: &'static str,
    pub ty: ColType,
    pub nullable: bool,
}

const fn text(name: &'static str) -> Col {
    Col { name, ty: ColType::Text, nullable: false }
}
const fn opt_text(name: &'static str) -> Col {
    Col { name, ty: ColType::Text, nullable: true }
}
const fn int(name: &'static str) -> Col {
    Col { name, ty: ColType::Int, nullable: false }
}
const fn opt_int(name: &'static str) -> Col {
    Col { name, ty: ColType::Int, nullable: true }
}
const fn boolean(name: &'static str) -> Col {
    Col { name, ty: ColType::Bool, nullable: false }
}

/// A table's description.
#[derive(Debug)]
pub struct TableDef {
    pub table: Table,
    pub name: &'static str,
    pub columns: &'static [Col],
    /// Fields with a non-unique index, usable with `Store::find_by`.
    pub lookups: &'static [&'static str],
    /// Fields unique when present (NULL / absent values do not collide); also usable with `find_by`.
    pub unique: &'static [&'static str],
}

impl Table {
    /// Every table, in dependency order.
    pub const ALL: [Table; 24] = [
        Table::Cardholders,
        Table::Shops,
        Table::Departments,
        Table::Products,
        Table::Promotions,
        Table::Receipts,
        Table::SalesLines,
        Table::Users,
        Table::ImportBatches,
        Table::ImportErrors,
        Table::PointsLedger,
        Table::RefreshTokens,
        Table::ShopKeys,
        Table::ApiReceipts,
        Table::ErasedCards,
        Table::Rewards,
        Table::Vouchers,
        Table::Wallets,
        Table::LiveFeed,
        Table::Leases,
        Table::Counters,
        Table::Campaigns,
        Table::CampaignMembers,
        Table::Outbox,
    ];

    /// The only tables whose rows may be deleted, and only through [`super::Store::delete_by`]:
    /// personal data with a retention limit (an import's rejected rows), and the live-receipt
    /// feed (a pointer to receipts kept for ever elsewhere, needed only for minutes), and the
    /// attempt counters of the login limits (useless once their window has passed; the
    /// campaigns' budget counters live in a window that is never pruned).
    pub const EXPIRING: [Table; 3] = [Table::ImportErrors, Table::LiveFeed, Table::Counters];

    /// The data tables whose rows record the import batch that created them and the last one
    /// that changed them (`first_batch`, `last_batch`: the batches' numbers, bookkeeping kept by
    /// the store beside the columns, never part of a record or of the import's change
    /// comparison; NULL for rows a till, a signup or an admin wrote). "Where is this card?"
    /// reads them.
    pub const LINEAGE: [Table; 3] = [Table::Cardholders, Table::Receipts, Table::SalesLines];

    /// True for the tables of [`Table::LINEAGE`].
    pub fn has_lineage(self) -> bool {
        Self::LINEAGE.contains(&self)
    }

    /// `Ok` for the tables of [`Table::LINEAGE`]; for any other, the `Schema` error a read of
    /// lineage answers.
    pub fn require_lineage(self) -> StoreResult<()> {
        if self.has_lineage() {
            return Ok(());
        }
        Err(StoreError::Schema(format!("{}: no lineage is recorded", self.name())))
    }

    /// The table's description.
    pub fn def(self) -> &'static TableDef {
        match self {
            Table::Cardholders => &CARDHOLDERS,
            Table::Shops => &SHOPS,
            Table::Departments => &DEPARTMENTS,
            Table::Products => &PRODUCTS,
            Table::Promotions => &PROMOTIONS,
            Table::Receipts => &RECEIPTS,
            Table::SalesLines => &SALES_LINES,
            Table::Users => &USERS,
            Table::ImportBatches => &IMPORT_BATCHES,
            Table::ImportErrors => &IMPORT_ERRORS,
            Table::PointsLedger => &POINTS_LEDGER,
            Table::RefreshTokens => &REFRESH_TOKENS,
            Table::ShopKeys => &SHOP_KEYS,
            Table::ApiReceipts => &API_RECEIPTS,
            Table::ErasedCards => &ERASED_CARDS,
            Table::Rewards => &REWARDS,
            Table::Vouchers => &VOUCHERS,
            Table::Wallets => &WALLETS,
            Table::LiveFeed => &LIVE_FEED,
            Table::Leases => &LEASES,
            Table::Counters => &COUNTERS,
            Table::Campaigns => &CAMPAIGNS,
            Table::CampaignMembers => &CAMPAIGN_MEMBERS,
            Table::Outbox => &OUTBOX,
        }
    }

    /// The physical name.
    pub fn name(self) -> &'static str {
        self.def().name
    }
}

impl TableDef {
    /// True when `field` may be used for an indexed lookup.
    pub fn is_indexed(&self, field: &str) -> bool {
        field == "id" || self.lookups.contains(&field) || self.unique.contains(&field)
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Col> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Puts a document into canonical form: one value per column in column order, typed by the
    /// column, absent optional fields as `Null`. Unknown fields, missing required fields and
    /// wrongly typed values are errors naming the table and field.
    pub fn canonical(&self, doc: &Doc) -> StoreResult<Vec<Value>> {
        if let Some(unknown) = doc.keys().find(|k| self.column(k).is_none()) {
            return Err(StoreError::Schema(format!("{}: unknown field `{unknown}`", self.name)));
        }
        self.columns
            .iter()
            .map(|col| {
                let value = doc.get(col.name).cloned().unwrap_or(Value::Null);
                canonical_value(self.name, col, value)
            })
            .collect()
    }

    /// The document for canonical values (inverse of [`TableDef::canonical`]); nulls are omitted.
    pub fn to_doc(&self, values: Vec<Value>) -> Doc {
        self.columns.iter().zip(values).filter(|(_, v)| !v.is_null()).map(|(c, v)| (c.name.to_string(), v)).collect()
    }
}

fn canonical_value(table: &str, col: &Col, value: Value) -> StoreResult<Value> {
    let wrong = |v: &Value| StoreError::Schema(format!("{table}.{}: expected {:?}, got {v}", col.name, col.ty));
    match (&value, col.ty) {
        (Value::Null, _) if col.nullable => Ok(Value::Null),
        (Value::Null, _) => Err(StoreError::Schema(format!("{table}.{}: required", col.name))),
        (Value::String(_), ColType::Text) => Ok(value),
        (Value::Number(n), ColType::Int) => n.as_i64().map(Value::from).ok_or_else(|| wrong(&value)),
        (Value::Bool(_), ColType::Bool) => Ok(value),
        (Value::Number(n), ColType::Bool) => match n.as_i64() {
            Some(0) => Ok(Value::Bool(false)),
            Some(1) => Ok(Value::Bool(true)),
            _ => Err(wrong(&value)),
        },
        _ => Err(wrong(&value)),
    }
}

static CARDHOLDERS: TableDef = TableDef {
    table: Table::Cardholders,
    name: "cardholders",
    columns: &[
        text("id"),
        text("first_name"),
        text("last_name"),
        opt_text("email"),
        opt_text("phone"),
        opt_text("birth_date"),
        opt_text("gender"),
        opt_text("city"),
        opt_text("province"),
        opt_text("enrolment_store"),
        opt_text("enrolled_on"),
        boolean("privacy_consent"),
        boolean("marketing_consent"),
        text("status"),
        boolean("profiling_consent"),
    ],
    lookups: &["email", "phone"],
    unique: &[],
};

static SHOPS: TableDef = TableDef {
    table: Table::Shops,
    name: "shops",
    columns: &[text("id"), text("name"), opt_text("city"), opt_text("province")],
    lookups: &[],
    unique: &[],
};

static DEPARTMENTS: TableDef = TableDef {
    table: Table::Departments,
    name: "departments",
    columns: &[text("id"), text("name")],
    lookups: &[],
    unique: &[],
};

static PRODUCTS: TableDef = TableDef {
    table: Table::Products,
    name: "products",
    columns: &[text("id"), text("description"), opt_text("department_id"), opt_text("brand")],
    lookups: &["department_id"],
    unique: &[],
};

static PROMOTIONS: TableDef = TableDef {
    table: Table::Promotions,
    name: "promotions",
    columns: &[text("id"), text("description"), opt_text("kind"), opt_text("starts_on"), opt_text("ends_on")],
    lookups: &[],
    unique: &[],
};

static RECEIPTS: TableDef = TableDef {
    table: Table::Receipts,
    name: "receipts",
    columns: &[
        text("id"),
        text("shop_id"),
        text("issued_at"),
        text("till"),
        text("number"),
        opt_text("card_number"),
        int("gross_cents"),
        int("discount_cents"),
        int("net_cents"),
    ],
    lookups: &["card_number", "shop_id"],
    unique: &[],
};

static SALES_LINES: TableDef = TableDef {
    table: Table::SalesLines,
    name: "sales_lines",
    columns: &[
        text("id"),
        text("receipt_id"),
        int("line_no"),
        text("product_id"),
        opt_text("department_id"),
        int("quantity_milli"),
        int("gross_cents"),
        int("discount_cents"),
        int("net_cents"),
        opt_text("promotion_id"),
    ],
    lookups: &["receipt_id"],
    unique: &[],
};

static USERS: TableDef = TableDef {
    table: Table::Users,
    name: "users",
    columns: &[
        text("id"),
        opt_text("email"),
        opt_text("phone"),
        opt_text("card_number"),
        text("first_name"),
        text("last_name"),
        text("password_hash"),
        text("role"),
        text("status"),
        text("created_at"),
        opt_text("sessions_after"),
    ],
    lookups: &[],
    unique: &["email", "phone", "card_number"],
};

static IMPORT_BATCHES: TableDef = TableDef {
    table: Table::ImportBatches,
    name: "import_batches",
    columns: &[
        text("id"),
        text("kind"),
        text("file_name"),
        text("sha256"),
        int("rows_read"),
        int("inserted"),
        int("updated"),
        int("unchanged"),
        int("rejected"),
        text("started_at"),
        opt_text("finished_at"),
        text("status"),
        text("run_by"),
        opt_text("heartbeat_at"),
        opt_text("counts_after"),
        opt_int("number"),
    ],
    lookups: &["sha256", "number"],
    unique: &[],
};

static IMPORT_ERRORS: TableDef = TableDef {
    table: Table::ImportErrors,
    name: "import_errors",
    columns: &[
        text("id"),
        text("batch_id"),
        int("row"),
        opt_text("column"),
        opt_text("value"),
        text("reason"),
        opt_text("card_number"),
    ],
    lookups: &["batch_id", "card_number"],
    unique: &[],
};

static POINTS_LEDGER: TableDef = TableDef {
    table: Table::PointsLedger,
    name: "points_ledger",
    columns: &[
        text("id"),
        text("card_number"),
        int("points"),
        text("kind"),
        opt_text("reason"),
        opt_text("receipt_id"),
        text("created_at"),
        opt_text("created_by"),
    ],
    lookups: &["card_number"],
    unique: &[],
};

static REFRESH_TOKENS: TableDef = TableDef {
    table: Table::RefreshTokens,
    name: "refresh_tokens",
    columns: &[
        text("id"),
        text("user_id"),
        text("family_id"),
        text("expires_at"),
        text("created_at"),
        opt_text("used_at"),
        boolean("revoked"),
        opt_text("session_started_at"),
    ],
    lookups: &["user_id", "family_id"],
    unique: &[],
};

static SHOP_KEYS: TableDef = TableDef {
    table: Table::ShopKeys,
    name: "store_keys",
    columns: &[
        text("id"),
        text("shop_id"),
        text("key_hash"),
        text("prefix"),
        opt_text("label"),
        text("created_at"),
        text("created_by"),
        opt_text("revoked_at"),
    ],
    lookups: &["shop_id"],
    unique: &["key_hash"],
};

static API_RECEIPTS: TableDef = TableDef {
    table: Table::ApiReceipts,
    name: "api_receipts",
    columns: &[
        text("id"),
        text("shop_id"),
        text("key_id"),
        text("content_hash"),
        text("status"),
        opt_text("card_number"),
        int("points"),
        text("received_at"),
    ],
    lookups: &["shop_id"],
    unique: &[],
};

static ERASED_CARDS: TableDef = TableDef {
    table: Table::ErasedCards,
    name: "erased_cards",
    columns: &[text("id"), text("erased_at")],
    lookups: &[],
    unique: &[],
};

static REWARDS: TableDef = TableDef {
    table: Table::Rewards,
    name: "rewards",
    columns: &[
        text("id"),
        text("kind"),
        text("title_it"),
        text("title_en"),
        text("description_it"),
        text("description_en"),
        int("points"),
        opt_int("value_cents"),
        opt_text("ean"),
        opt_text("cause"),
        opt_int("stock"),
        int("issued"),
        opt_text("valid_from"),
        opt_text("valid_to"),
        text("min_level"),
        opt_int("monthly_limit"),
        text("status"),
        int("version"),
        text("created_at"),
        text("updated_at"),
    ],
    lookups: &[],
    unique: &[],
};

static VOUCHERS: TableDef = TableDef {
    table: Table::Vouchers,
    name: "vouchers",
    columns: &[
        text("id"),
        text("card_number"),
        text("reward_id"),
        text("kind"),
        text("title_it"),
        text("title_en"),
        opt_int("value_cents"),
        opt_text("ean"),
        opt_text("cause"),
        int("points"),
        text("status"),
        text("issued_at"),
        text("expires_at"),
        opt_text("used_at"),
        opt_text("receipt_id"),
        opt_text("cancelled_at"),
    ],
    lookups: &["card_number", "reward_id"],
    unique: &[],
};

static LIVE_FEED: TableDef = TableDef {
    table: Table::LiveFeed,
    name: "live_feed",
    columns: &[text("id"), text("receipt_id"), text("day"), text("published_at")],
    lookups: &["day"],
    unique: &[],
};
static LEASES: TableDef = TableDef {
    table: Table::Leases,
    name: "leases",
    columns: &[text("id"), text("holder"), int("token"), text("expires_at")],
    lookups: &[],
    unique: &[],
};
static COUNTERS: TableDef = TableDef {
    table: Table::Counters,
    name: "counters",
    columns: &[text("id"), text("window"), int("value")],
    lookups: &["window"],
    unique: &[],
};
static CAMPAIGNS: TableDef = TableDef {
    table: Table::Campaigns,
    name: "campaigns",
    columns: &[
        text("id"),
        text("name"),
        text("starts_on"),
        text("ends_on"),
        text("audience"),
        text("offer"),
        int("budget"),
        int("per_shopper_limit"),
        int("holdout_permille"),
        int("members"),
        int("held_out"),
        text("left_out"),
        text("fingerprint"),
        text("status"),
        text("created_at"),
        text("created_by"),
    ],
    lookups: &["fingerprint"],
    unique: &[],
};
static CAMPAIGN_MEMBERS: TableDef = TableDef {
    table: Table::CampaignMembers,
    name: "campaign_members",
    columns: &[text("id"), text("campaign_id"), text("card_number"), boolean("held_out"), opt_text("activated_at")],
    lookups: &["campaign_id", "card_number"],
    unique: &[],
};
static OUTBOX: TableDef = TableDef {
    table: Table::Outbox,
    name: "outbox",
    columns: &[
        text("id"),
        text("campaign_id"),
        text("card_number"),
        text("to_address"),
        text("subject"),
        text("body"),
        text("status"),
        int("attempts"),
        text("next_attempt_at"),
        opt_text("sent_at"),
        opt_text("last_error"),
        text("created_at"),
    ],
    lookups: &["campaign_id", "status"],
    unique: &[],
};
static WALLETS: TableDef = TableDef {
    table: Table::Wallets,
    name: "wallets",
    columns: &[text("id"), int("version"), opt_text("pending"), text("updated_at")],
    lookups: &[],
    unique: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: Value) -> Doc {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn every_table_starts_with_a_text_id() {
        for t in Table::ALL {
            let first = t.def().columns[0];
            assert_eq!((first.name, first.ty, first.nullable), ("id", ColType::Text, false), "{t:?}");
            for f in t.def().lookups.iter().chain(t.def().unique) {
                assert!(t.def().column(f).is_some(), "{t:?} indexes unknown field {f}");
            }
        }
    }

    #[test]
    fn canonical_orders_types_and_round_trips() {
        let def = Table::Departments.def();
        let values = def.canonical(&doc(json!({"name": "Ortofrutta", "id": "01"}))).unwrap();
        assert_eq!(values, vec![json!("01"), json!("Ortofrutta")]);
        assert_eq!(def.to_doc(values), doc(json!({"id": "01", "name": "Ortofrutta"})));
    }

    #[test]
    fn canonical_rejects_unknown_missing_and_mistyped_fields() {
        let def = Table::Departments.def();
        let err = def.canonical(&doc(json!({"id": "1", "name": "x", "colour": "red"}))).unwrap_err();
        assert!(err.to_string().contains("departments: unknown field `colour`"), "{err}");
        let err = def.canonical(&doc(json!({"id": "1"}))).unwrap_err();
        assert!(err.to_string().contains("departments.name: required"), "{err}");
        let err = Table::Receipts.def().canonical(&doc(json!({"id": "1", "gross_cents": "12"}))).unwrap_err();
        assert!(err.to_string().contains("receipts.shop_id"), "{err}");
    }

    #[test]
    fn bools_accept_sqlite_integers() {
        let col = boolean("b");
        assert_eq!(canonical_value("t", &col, json!(1)).unwrap(), json!(true));
        assert_eq!(canonical_value("t", &col, json!(0)).unwrap(), json!(false));
        assert!(canonical_value("t", &col, json!(2)).is_err());
    }
}
