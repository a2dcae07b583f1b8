//! The JSON a till sends and receives, with its OpenAPI schemas (derived here, so the
//! document served at `/api/v1/openapi.json` is the code's own description), and the checks
//! that turn a submission into the store's records. The fields are the import's: store, date
//! and time, till, receipt number, card, amounts; per line the product code, description,
//! quantity, amounts, department and promotion. Amounts are integer cents, quantities
//! thousandths (as everywhere in the store).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use app::validate::ean13;

use crate::projection::live::LiveEntry;
use crate::store::model::{Department, Product, Promotion, Receipt, SalesLine, Shop};

/// Most lines one receipt may have.
pub const MAX_LINES: usize = 1_000;

/// A receipt as the till sends it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptIn {
    /// The store's code; must be the store of the API key.
    #[schema(example = "S01", min_length = 1, max_length = 40)]
    pub store_id: String,
    /// Local date and time of the receipt, `YYYY-MM-DDTHH:MM:SS`.
    #[schema(example = "2026-11-28T18:30:00", pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$")]
    pub issued_at: String,
    /// Till number.
    #[schema(example = "2", min_length = 1, max_length = 40)]
    pub till: String,
    /// Receipt number on that till and day.
    #[schema(example = "1001", min_length = 1, max_length = 40)]
    pub number: String,
    /// Loyalty card (EAN-13 with a valid check digit), when the shopper showed one.
    #[serde(default)]
    #[schema(example = "2000000000015", pattern = "^[0-9]{13}$")]
    pub card_number: Option<String>,
    /// Total before discounts, in cents (defaults to net + discount).
    #[serde(default)]
    pub gross_cents: Option<i64>,
    /// Total discount, in cents (defaults to 0).
    #[serde(default)]
    pub discount_cents: Option<i64>,
    /// Amount paid, in cents; the sum of the lines' `net_cents`.
    #[schema(example = 2340)]
    pub net_cents: i64,
    /// The lines, 1 to 1000, with distinct line numbers.
    #[schema(min_items = 1, max_items = 1000)]
    pub lines: Vec<LineIn>,
    /// Vouchers (EAN-13 codes starting `29`) taken at the till with this receipt, at most 20;
    /// each is used exactly once (check one first with `GET /api/v1/vouchers/{code}`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 20)]
    pub voucher_codes: Vec<String>,
    /// The personal offers (campaign codes, from `GET /api/v1/cards/{card}/offers`) the till
    /// applied at payment, at most 20; each must be an offer the card activated. The rewards
    /// follow from the receipt either way.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 20)]
    pub offer_codes: Vec<String>,
}

/// One line of a receipt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineIn {
    /// Line number, from 1.
    #[schema(example = 1, minimum = 1, maximum = 100000)]
    pub line_no: i64,
    /// Product code (EAN, up to 14 digits).
    #[schema(example = "8001234567890", pattern = "^[0-9]{1,14}$")]
    pub ean: String,
    /// Product description (used only for products not yet known).
    #[serde(default)]
    pub description: Option<String>,
    /// Quantity in thousandths (pieces × 1000, or grams); negative only on a refund line.
    #[schema(example = 1000)]
    pub quantity_milli: i64,
    #[serde(default)]
    pub gross_cents: Option<i64>,
    #[serde(default)]
    pub discount_cents: Option<i64>,
    #[schema(example = 2340)]
    pub net_cents: i64,
    /// Department code.
    #[serde(default)]
    pub department_id: Option<String>,
    /// Department name (used only for departments not yet known).
    #[serde(default)]
    pub department_name: Option<String>,
    /// Promotion code, when the line was on promotion.
    #[serde(default)]
    pub promotion_id: Option<String>,
    /// Promotion description (used only for promotions not yet known).
    #[serde(default)]
    pub promotion_description: Option<String>,
}

/// What the API answers for a stored receipt (also to a retry of the same submission).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReceiptAck {
    /// The receipt key: store, date, till and number (`S01-20261128-2-1001`).
    #[schema(example = "S01-20261128-2-1001")]
    pub id: String,
    pub store_id: String,
    /// Always `stored`.
    #[schema(example = "stored")]
    pub status: String,
    pub card_number: Option<String>,
    /// Points the receipt earned (0 without a card).
    pub points: i64,
    /// When the API first received it (UTC, RFC 3339).
    pub received_at: String,
}

/// A stored receipt with its lines, for the store that sent it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReceiptOut {
    #[serde(flatten)]
    pub ack: ReceiptAck,
    pub issued_at: String,
    pub till: String,
    pub number: String,
    pub gross_cents: i64,
    pub discount_cents: i64,
    pub net_cents: i64,
    pub lines: Vec<LineOut>,
}

/// A stored line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LineOut {
    pub line_no: i64,
    pub ean: String,
    pub quantity_milli: i64,
    pub gross_cents: i64,
    pub discount_cents: i64,
    pub net_cents: i64,
    pub department_id: Option<String>,
    pub promotion_id: Option<String>,
}

/// A field at fault and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// Path of the field, e.g. `lines[2].net_cents`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}

/// A personal offer the shopper activated, as the till applies it at payment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OfferOut {
    /// The campaign's code.
    #[schema(example = "C0007")]
    pub campaign_id: String,
    /// The campaign's name.
    pub name: String,
    /// `multiplier`, `bonus`, `basket` or `voucher`.
    #[schema(example = "basket")]
    pub kind: String,
    /// What the offer gives and on what, in Italian.
    pub description: String,
    /// The product code, brand or department code it is about (multiplier, bonus).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Smallest receipt it asks, in cents (basket, voucher).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_cents: Option<i64>,
    /// Last day it applies (`YYYY-MM-DD`).
    pub ends_on: String,
    /// Rewards this card may still receive from it.
    pub remaining: i64,
}

/// A voucher as a till sees it before payment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VoucherOut {
    /// The EAN-13 code.
    #[schema(example = "2912345678904")]
    pub code: String,
    /// `active` (may be used), `used`, `expired`, `cancelled` or `donated`.
    #[schema(example = "active")]
    pub status: String,
    /// `voucher` (money off), `product` (a free product) or `donation`.
    pub kind: String,
    /// What it is, in Italian.
    pub title: String,
    /// Money off, in cents (vouchers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_cents: Option<i64>,
    /// The free product's code (products).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ean: Option<String>,
    /// Last moment of validity (RFC 3339).
    pub expires_at: String,
    /// The receipt that used it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_id: Option<String>,
}

/// What a valid submission becomes.
#[derive(Clone, Debug)]
pub struct Parsed {
    /// The receipt, its lines and the catalog records it names.
    pub records: LiveEntry,
    /// SHA-256 of the canonical submission: what idempotency compares.
    pub content_hash: String,
    /// Lines on promotion (for the bonus points).
    pub promotion_lines: i64,
    /// The vouchers used, checked as codes.
    pub voucher_codes: Vec<String>,
    /// The offers the till says it applied, checked as codes.
    pub offer_codes: Vec<String>,
}

fn code(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> String {
    let v = raw.trim();
    if v.is_empty() || v.chars().count() > 40 || v.chars().any(char::is_control) {
        errors.push(FieldError::new(field, "expected a code of 1 to 40 characters without control characters"));
    }
    v.to_string()
}

fn text(field: &str, raw: &Option<String>, errors: &mut Vec<FieldError>) -> Option<String> {
    let v = raw.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    if v.chars().count() > 200 || v.chars().any(char::is_control) {
        errors.push(FieldError::new(field, "expected at most 200 characters without control characters"));
    }
    Some(v.to_string())
}

/// `(gross, discount, net)` with the import's defaults; amounts must be consistent.
fn amounts(
    prefix: &str,
    gross: Option<i64>,
    discount: Option<i64>,
    net: i64,
    errors: &mut Vec<FieldError>,
) -> (i64, i64, i64) {
    const LIMIT: i64 = 100_000_000; // one million euros
    for (name, v) in [("gross_cents", gross), ("discount_cents", discount), ("net_cents", Some(net))] {
        if v.is_some_and(|v| v.unsigned_abs() > LIMIT.unsigned_abs()) {
            errors
                .push(FieldError::new(format!("{prefix}{name}"), "expected at most 100000000 cents in absolute value"));
            return (0, 0, 0);
        }
    }
    if discount.is_some_and(|d| d < 0) {
        errors.push(FieldError::new(format!("{prefix}discount_cents"), "expected a discount of 0 or more"));
    }
    let (g, d) = match (gross, discount) {
        (Some(g), Some(d)) => (g, d),
        (Some(g), None) => (g, g - net),
        (None, Some(d)) => (net + d, d),
        (None, None) => (net, 0),
    };
    if g - d != net {
        errors.push(FieldError::new(
            format!("{prefix}net_cents"),
            format!("expected gross_cents - discount_cents = {}, got {net}", g - d),
        ));
    }
    (g, d, net)
}

impl ReceiptIn {
    /// Checks everything and builds the records, or names every field at fault. `today` bounds
    /// the date (a receipt from more than a day ahead is refused).
    pub fn parse(&self, today: app::validate::SimpleDate) -> Result<Parsed, Vec<FieldError>> {
        let mut errors = Vec::new();
        // Store codes follow the keys' rule: a key names the only store it may send for.
        let store = self.store_id.trim().to_string();
        if !super::keys::valid_store(&store) {
            errors.push(FieldError::new("store_id", super::keys::STORE_RULE));
        }
        let till = code("till", &self.till, &mut errors);
        let number = code("number", &self.number, &mut errors);
        let issued = crate::import::values::datetime(&self.issued_at).ok().filter(|_| {
            let t = self.issued_at.trim();
            t.len() == 19 && t.as_bytes()[10] == b'T' && t.as_bytes()[4] == b'-'
        });
        let (date, seconds) = match issued {
            Some(v) => v,
            None => {
                errors.push(FieldError::new("issued_at", "expected a local date and time like 2026-11-28T18:30:00"));
                (today, 0)
            }
        };
        if date.days_since_epoch() > today.days_since_epoch() + 1 {
            errors.push(FieldError::new("issued_at", "the receipt is dated in the future"));
        }
        let card = match self.card_number.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(c) if ean13::is_valid(c) => Some(c.to_string()),
            Some(_) => {
                errors.push(FieldError::new(
                    "card_number",
                    "expected a 13-digit EAN card number with a valid check digit",
                ));
                None
            }
        };
        let (gross, discount, net) = amounts("", self.gross_cents, self.discount_cents, self.net_cents, &mut errors);
        if self.lines.is_empty() || self.lines.len() > MAX_LINES {
            errors.push(FieldError::new("lines", format!("expected 1 to {MAX_LINES} lines")));
        }
        let id = format!("{store}-{}-{till}-{number}", date.iso().replace('-', ""));
        let mut lines = Vec::with_capacity(self.lines.len());
        let (mut products, mut departments, mut promotions) = (Vec::new(), Vec::new(), Vec::new());
        let mut seen_line_nos = std::collections::HashSet::new();
        let mut lines_net = 0i64;
        let mut promotion_lines = 0;
        for (n, l) in self.lines.iter().enumerate() {
            let p = format!("lines[{n}].");
            if l.line_no < 1 || l.line_no > 100_000 {
                errors.push(FieldError::new(format!("{p}line_no"), "expected a line number from 1 to 100000"));
            } else if !seen_line_nos.insert(l.line_no) {
                errors.push(FieldError::new(format!("{p}line_no"), format!("line number {} appears twice", l.line_no)));
            }
            let ean: String = l.ean.trim().to_string();
            if ean.is_empty() || ean.len() > 14 || !ean.bytes().all(|b| b.is_ascii_digit()) {
                errors.push(FieldError::new(format!("{p}ean"), "expected a product code of up to 14 digits"));
            }
            let (g, d, net) = amounts(&p, l.gross_cents, l.discount_cents, l.net_cents, &mut errors);
            if l.quantity_milli == 0
                || l.quantity_milli.unsigned_abs() > 1_000_000_000
                || l.quantity_milli < 0 && net > 0
            {
                errors.push(FieldError::new(
                    format!("{p}quantity_milli"),
                    "expected a non-zero quantity (negative only on a refund line)",
                ));
            }
            lines_net += net;
            let description = text(&format!("{p}description"), &l.description, &mut errors);
            let department = l.department_id.as_deref().map(|d| code(&format!("{p}department_id"), d, &mut errors));
            let department_name = text(&format!("{p}department_name"), &l.department_name, &mut errors);
            let promotion = l.promotion_id.as_deref().map(|c| code(&format!("{p}promotion_id"), c, &mut errors));
            let promotion_description =
                text(&format!("{p}promotion_description"), &l.promotion_description, &mut errors);
            if let Some(d) = &department {
                departments.push(Department { id: d.clone(), name: department_name.unwrap_or_else(|| d.clone()) });
            }
            if let Some(c) = &promotion {
                promotion_lines += 1;
                promotions.push(Promotion {
                    id: c.clone(),
                    description: promotion_description.unwrap_or_else(|| c.clone()),
                    kind: None,
                    starts_on: None,
                    ends_on: None,
                });
            }
            products.push(Product {
                id: ean.clone(),
                description: description.unwrap_or_else(|| ean.clone()),
                department_id: department.clone(),
                brand: None,
            });
            lines.push(SalesLine {
                id: SalesLine::key(&id, l.line_no),
                receipt_id: id.clone(),
                line_no: l.line_no,
                product_id: ean,
                department_id: department,
                quantity_milli: l.quantity_milli,
                gross_cents: g,
                discount_cents: d,
                net_cents: net,
                promotion_id: promotion,
            });
        }
        let mut voucher_codes: Vec<String> = Vec::new();
        if self.voucher_codes.len() > 20 {
            errors.push(FieldError::new("voucher_codes", "at most 20 vouchers per receipt"));
        }
        for (i, raw) in self.voucher_codes.iter().take(20).enumerate() {
            let code = raw.trim().to_string();
            if !app::validate::ean13::is_voucher_code(&code) {
                errors.push(FieldError::new(
                    format!("voucher_codes[{i}]"),
                    "expected a voucher code (EAN-13 starting 29)",
                ));
            } else if voucher_codes.contains(&code) {
                errors.push(FieldError::new(format!("voucher_codes[{i}]"), format!("voucher {code} appears twice")));
            } else {
                voucher_codes.push(code);
            }
        }
        let mut offer_codes: Vec<String> = Vec::new();
        if self.offer_codes.len() > 20 {
            errors.push(FieldError::new("offer_codes", "at most 20 offers per receipt"));
        }
        for (i, raw) in self.offer_codes.iter().take(20).enumerate() {
            let code = raw.trim().to_ascii_uppercase();
            let well_formed = code.len() >= 5
                && code.len() <= 12
                && code.starts_with('C')
                && code[1..].bytes().all(|b| b.is_ascii_digit());
            if !well_formed {
                errors.push(FieldError::new(format!("offer_codes[{i}]"), "expected a campaign code such as C0007"));
            } else if offer_codes.contains(&code) {
                errors.push(FieldError::new(format!("offer_codes[{i}]"), format!("offer {code} appears twice")));
            } else {
                offer_codes.push(code);
            }
        }
        if !offer_codes.is_empty() && card.is_none() {
            errors.push(FieldError::new("offer_codes", "personal offers need the receipt's card_number"));
        }
        if errors.is_empty() && lines_net != net {
            errors.push(FieldError::new(
                "net_cents",
                format!("expected the sum of the lines' net_cents ({lines_net}), got {net}"),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let content_hash = hex::encode(Sha256::digest(serde_json::to_vec(self).unwrap_or_default()));
        let receipt = Receipt {
            id,
            shop_id: store.clone(),
            issued_at: crate::import::values::iso_datetime(date, seconds),
            till,
            number,
            card_number: card,
            gross_cents: gross,
            discount_cents: discount,
            net_cents: net,
        };
        let shop = Shop { id: store.clone(), name: store, city: None, province: None };
        Ok(Parsed {
            records: LiveEntry { receipt, lines, shop, products, departments, promotions },
            content_hash,
            promotion_lines,
            voucher_codes,
            offer_codes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::validate::SimpleDate;

    fn today() -> SimpleDate {
        SimpleDate::parse_iso("2026-11-28").unwrap()
    }

    fn line(n: i64, net: i64) -> LineIn {
        LineIn {
            line_no: n,
            ean: format!("800123456789{n}"),
            description: Some("Mele".into()),
            quantity_milli: 1000,
            gross_cents: None,
            discount_cents: None,
            net_cents: net,
            department_id: Some("01".into()),
            department_name: Some("Ortofrutta".into()),
            promotion_id: None,
            promotion_description: None,
        }
    }

    pub fn sample() -> ReceiptIn {
        ReceiptIn {
            store_id: "S01".into(),
            issued_at: "2026-11-28T18:30:00".into(),
            till: "2".into(),
            number: "1001".into(),
            card_number: Some("2000000000015".into()),
            gross_cents: None,
            discount_cents: None,
            net_cents: 2_340,
            lines: vec![
                line(1, 1_000),
                LineIn { promotion_id: Some("P3X2".into()), discount_cents: Some(150), ..line(2, 1_340) },
            ],
            voucher_codes: Vec::new(),
            offer_codes: Vec::new(),
        }
    }

    #[test]
    fn a_valid_receipt_becomes_the_import_records() {
        let p = sample().parse(today()).unwrap();
        assert_eq!(p.records.receipt.id, "S01-20261128-2-1001", "the import's receipt key");
        assert_eq!(
            (p.records.receipt.issued_at.as_str(), p.records.receipt.card_number.as_deref()),
            ("2026-11-28T18:30:00", Some("2000000000015"))
        );
        assert_eq!(
            (p.records.receipt.gross_cents, p.records.receipt.discount_cents, p.records.receipt.net_cents),
            (2_340, 0, 2_340)
        );
        assert_eq!(p.records.lines[1].id, "S01-20261128-2-1001#2");
        assert_eq!(
            (p.records.lines[1].gross_cents, p.records.lines[1].discount_cents, p.records.lines[1].net_cents),
            (1_490, 150, 1_340)
        );
        assert_eq!(p.promotion_lines, 1);
        assert_eq!(p.records.departments[0], Department { id: "01".into(), name: "Ortofrutta".into() });
        assert_eq!(p.content_hash.len(), 64);
        assert_eq!(sample().parse(today()).unwrap().content_hash, p.content_hash, "same content, same hash");
        let mut other = sample();
        other.lines[0].quantity_milli = 2000;
        assert_ne!(other.parse(today()).unwrap().content_hash, p.content_hash);
    }

    #[test]
    fn every_field_at_fault_is_named() {
        let mut r = sample();
        r.store_id = " ".into();
        r.issued_at = "28/11/2026".into();
        r.card_number = Some("2000000000016".into());
        r.lines[0].ean = "ABC".into();
        r.lines[1].line_no = 1;
        r.lines[1].quantity_milli = 0;
        let fields: Vec<String> = r.parse(today()).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["store_id", "issued_at", "card_number", "lines[0].ean", "lines[1].line_no", "lines[1].quantity_milli"]
        );
        let mut sum = sample();
        sum.net_cents = 2_000;
        let e = sum.parse(today()).unwrap_err();
        assert_eq!(
            (e[0].field.as_str(), e[0].message.as_str()),
            ("net_cents", "expected the sum of the lines' net_cents (2340), got 2000")
        );
        let mut future = sample();
        future.issued_at = "2026-11-30T10:00:00".into();
        assert_eq!(future.parse(today()).unwrap_err()[0].message, "the receipt is dated in the future");
        let mut inconsistent = sample();
        inconsistent.lines[0].gross_cents = Some(1_200);
        inconsistent.lines[0].discount_cents = Some(100);
        assert_eq!(inconsistent.parse(today()).unwrap_err()[0].field, "lines[0].net_cents");
        let mut extreme = sample();
        extreme.net_cents = i64::MIN;
        extreme.lines[0].quantity_milli = i64::MIN;
        extreme.lines[1].gross_cents = Some(i64::MAX);
        let fields: Vec<String> = extreme.parse(today()).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["net_cents", "lines[0].quantity_milli", "lines[1].gross_cents"],
            "extreme values are errors, not overflows"
        );
        let mut empty = sample();
        empty.lines.clear();
        assert_eq!(empty.parse(today()).unwrap_err()[0].field, "lines");
    }

    #[test]
    fn unknown_fields_are_refused_by_name() {
        let mut v = serde_json::to_value(sample()).unwrap();
        v["lines"][0]["colour"] = "red".into();
        let err = serde_path_to_error::deserialize::<_, ReceiptIn>(v).unwrap_err();
        assert!(err.path().to_string().starts_with("lines[0]"), "{}", err.path());
        assert!(err.inner().to_string().contains("unknown field `colour`"), "{err}");
    }
}
