//! From a row of cells to typed records, per kind. Every failure names the column, the value and
//! what was expected; a row with any failure is rejected as a whole.

use app::validate::{self, ean13, phone};

use super::headers::{ColumnMap, Field, Kind};
use super::values::{self, ValueError};
use crate::store::model::{CardStatus, Cardholder, Department, Product, Promotion, Receipt, SalesLine, Shop};

/// Why a row was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// The card the row is about, when its card column could be read: erasure finds and
    /// redacts a person's rejected rows by it.
    pub card_number: Option<String>,
    pub row: u64,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

/// What one row becomes.
#[derive(Clone, Debug, PartialEq)]
pub enum Mapped {
    Cardholder(Cardholder),
    Receipt { receipt: Receipt, shop: Shop, vouchers: Vec<String> },
    Line { line: SalesLine, product: Product, department: Option<Department>, promotion: Option<Promotion> },
}

impl Mapped {
    /// The natural key of the main record (for duplicate detection within a file).
    pub fn key(&self) -> &str {
        match self {
            Mapped::Cardholder(c) => &c.id,
            Mapped::Receipt { receipt, .. } => &receipt.id,
            Mapped::Line { line, .. } => &line.id,
        }
    }
}

struct Row<'a> {
    map: &'a ColumnMap,
    cells: &'a [String],
    number: u64,
}

impl Row<'_> {
    fn cell(&self, field: Field) -> Option<(&str, &str)> {
        let i = self.map.index(field)?;
        let value = self.cells.get(i).map(String::as_str).unwrap_or("");
        Some((self.map.header(i), value))
    }

    fn fail(&self, field: Field, value: &str, reason: impl Into<String>) -> RowError {
        let column = self.map.index(field).map(|i| self.map.header(i).to_string());
        RowError { card_number: None, row: self.number, column, value: Some(value.to_string()), reason: reason.into() }
    }

    /// A present, non-empty value, else an error naming the column.
    fn required(&self, field: Field) -> Result<&str, RowError> {
        match self.cell(field) {
            Some((_, v)) if !v.is_empty() => Ok(v),
            Some((h, _)) => Err(RowError {
                card_number: None,
                row: self.number,
                column: Some(h.to_string()),
                value: None,
                reason: "missing value".into(),
            }),
            None => Err(RowError {
                card_number: None,
                row: self.number,
                column: None,
                value: None,
                reason: format!("no column for {field:?}"),
            }),
        }
    }

    fn optional(&self, field: Field) -> Option<&str> {
        self.cell(field).map(|(_, v)| v).filter(|v| !v.is_empty())
    }

    fn parse<T>(&self, field: Field, parse: impl Fn(&str) -> Result<T, ValueError>) -> Result<Option<T>, RowError> {
        match self.optional(field) {
            None => Ok(None),
            Some(v) => parse(v).map(Some).map_err(|e| self.fail(field, v, e.0)),
        }
    }
}

fn card_number(row: &Row<'_>, field: Field, raw: &str) -> Result<String, RowError> {
    let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if ean13::is_valid(&digits) {
        Ok(digits)
    } else {
        Err(row.fail(field, raw, "expected a 13-digit EAN card number with a valid check digit"))
    }
}

/// The natural key of a receipt: the explicit id, or store + date + till + number.
fn receipt_key(row: &Row<'_>) -> Result<String, RowError> {
    if let Some(id) = row.optional(Field::ReceiptId) {
        return Ok(id.to_string());
    }
    let store = row.required(Field::Store)?;
    let raw_date = row.required(Field::Date)?;
    let (date, _) = values::datetime(raw_date).map_err(|e| row.fail(Field::Date, raw_date, e.0))?;
    let till = row.required(Field::Till)?;
    let number = row.required(Field::ReceiptNumber)?;
    Ok(format!("{store}-{}-{till}-{number}", date.iso().replace('-', "")))
}

/// Gross, discount and net in cents; net required, the others derived when absent.
fn amounts(row: &Row<'_>) -> Result<(i64, i64, i64), RowError> {
    let net_raw = row.required(Field::Net)?;
    let net = values::cents(net_raw).map_err(|e| row.fail(Field::Net, net_raw, e.0))?;
    let gross = row.parse(Field::Gross, values::cents)?;
    let discount = row.parse(Field::Discount, values::cents)?.map(i64::abs);
    Ok(match (gross, discount) {
        (Some(g), Some(d)) => (g, d, net),
        (Some(g), None) => (g, g - net, net),
        (None, Some(d)) => (net + d, d, net),
        (None, None) => (net, 0, net),
    })
}

/// The card number a raw row names (digits only), if its card column holds one.
pub fn card_cell(map: &ColumnMap, cells: &[String]) -> Option<String> {
    let raw = cells.get(map.index(Field::CardNumber)?)?;
    let digits: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '\'').collect();
    (!digits.is_empty() && digits.len() <= 32 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Maps one row of `kind`.
pub fn map_row(kind: Kind, map: &ColumnMap, number: u64, cells: &[String]) -> Result<Mapped, RowError> {
    let row = Row { map, cells, number };
    match kind {
        Kind::Fidelity => cardholder(&row).map(Mapped::Cardholder),
        Kind::Scontrini => receipt(&row),
        Kind::Vendite => line(&row),
    }
}

fn cardholder(row: &Row<'_>) -> Result<Cardholder, RowError> {
    let raw_card = row.required(Field::CardNumber)?;
    let id = card_number(row, Field::CardNumber, raw_card)?;
    let name = |field| {
        let raw = row.required(field)?;
        validate::name(raw).map_err(|_| row.fail(field, raw, "expected a name of at most 80 characters"))
    };
    let first_name = name(Field::FirstName)?;
    let last_name = name(Field::LastName)?;
    let email = match row.optional(Field::Email) {
        None => None,
        Some(raw) => Some(validate::email(raw).map_err(|_| row.fail(Field::Email, raw, "expected an email address"))?),
    };
    let phone = match row.optional(Field::Phone) {
        None => None,
        Some(raw) => Some(phone::normalise(raw).map_err(|_| row.fail(Field::Phone, raw, "expected a phone number"))?),
    };
    let gender = match row.optional(Field::Gender) {
        None => None,
        Some(raw) => Some(
            match raw.trim().to_lowercase().as_str() {
                "m" | "maschio" | "male" | "uomo" => "M",
                "f" | "femmina" | "female" | "donna" => "F",
                "x" | "altro" | "other" | "nd" | "n/d" => "X",
                _ => return Err(row.fail(Field::Gender, raw, "expected M, F or X")),
            }
            .to_string(),
        ),
    };
    let status = match row.optional(Field::Status).map(|s| s.trim().to_lowercase()) {
        None => CardStatus::Active,
        Some(s) if ["attiva", "attivo", "active", "a", "1"].contains(&s.as_str()) => CardStatus::Active,
        Some(s) if ["bloccata", "bloccato", "blocked", "b", "disattiva", "0"].contains(&s.as_str()) => {
            CardStatus::Blocked
        }
        Some(_) => {
            return Err(row.fail(
                Field::Status,
                row.optional(Field::Status).unwrap_or(""),
                "expected attiva or bloccata",
            ))
        }
    };
    Ok(Cardholder {
        id,
        first_name,
        last_name,
        email,
        phone,
        birth_date: row.parse(Field::BirthDate, values::date)?.map(|d| d.iso()),
        gender,
        city: row.optional(Field::City).map(str::to_string),
        province: row.optional(Field::Province).map(|p| p.to_uppercase()),
        enrolment_store: row.optional(Field::EnrolmentStore).map(str::to_string),
        enrolled_on: row.parse(Field::EnrolledOn, values::date)?.map(|d| d.iso()),
        privacy_consent: row.parse(Field::PrivacyConsent, values::flag)?.unwrap_or(false),
        marketing_consent: row.parse(Field::MarketingConsent, values::flag)?.unwrap_or(false),
        status,
        // A file without the column leaves each stored profiling consent as it is (see the
        // pipeline's `write_chunk`): the shopper may have given it in the app.
        profiling_consent: row.parse(Field::ProfilingConsent, values::flag)?.unwrap_or(false),
    })
}

fn issued_at(row: &Row<'_>) -> Result<String, RowError> {
    let raw = row.required(Field::Date)?;
    let (date, mut seconds) = values::datetime(raw).map_err(|e| row.fail(Field::Date, raw, e.0))?;
    if let Some(time) = row.optional(Field::Time) {
        let (_, s) = values::datetime(&format!("2000-01-01 {time}")).map_err(|e| row.fail(Field::Time, time, e.0))?;
        seconds = s;
    }
    Ok(values::iso_datetime(date, seconds))
}

fn receipt(row: &Row<'_>) -> Result<Mapped, RowError> {
    let id = receipt_key(row)?;
    let store = row.required(Field::Store)?.to_string();
    let card_number = match row.optional(Field::CardNumber) {
        None => None,
        Some(raw) => Some(card_number(row, Field::CardNumber, raw)?),
    };
    let (gross_cents, discount_cents, net_cents) = amounts(row)?;
    let receipt = Receipt {
        id: id.clone(),
        shop_id: store.clone(),
        issued_at: issued_at(row)?,
        till: row.optional(Field::Till).unwrap_or("-").to_string(),
        number: row.optional(Field::ReceiptNumber).unwrap_or(&id).to_string(),
        card_number,
        gross_cents,
        discount_cents,
        net_cents,
    };
    let shop = Shop {
        id: store.clone(),
        name: row.optional(Field::StoreName).unwrap_or(&store).to_string(),
        city: None,
        province: None,
    };
    // Vouchers taken at the till with this receipt: codes separated by commas or spaces.
    let mut vouchers = Vec::new();
    if let Some(raw) = row.optional(Field::Vouchers) {
        for code in raw.split([',', ' ', '|', ';']).map(str::trim).filter(|c| !c.is_empty()) {
            if !app::validate::ean13::is_voucher_code(code) {
                return Err(row.fail(
                    Field::Vouchers,
                    raw,
                    format!("`{code}` is not a voucher code (EAN-13 starting 29)"),
                ));
            }
            if !vouchers.iter().any(|v| v == code) {
                vouchers.push(code.to_string());
            }
        }
    }
    Ok(Mapped::Receipt { receipt, shop, vouchers })
}

/// A department code from its name when no code column is given (`Salumeria e Formaggi` →
/// `SALUMERIA-E-FORMAGGI`).
fn department_code_from_name(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join("-").to_uppercase()
}

fn line(row: &Row<'_>) -> Result<Mapped, RowError> {
    let receipt_id = receipt_key(row)?;
    let line_raw = row.required(Field::LineNo)?;
    let line_no = values::integer(line_raw)
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| row.fail(Field::LineNo, line_raw, "expected a line number from 1"))?;
    let ean_raw = row.required(Field::Ean)?;
    let ean: String = ean_raw.chars().filter(|c| !c.is_whitespace()).collect();
    if ean.is_empty() || ean.len() > 14 || !ean.bytes().all(|b| b.is_ascii_digit()) {
        return Err(row.fail(Field::Ean, ean_raw, "expected a product code of up to 14 digits"));
    }
    let qty_raw = row.required(Field::Quantity)?;
    let quantity_milli = values::milli(qty_raw).map_err(|e| row.fail(Field::Quantity, qty_raw, e.0))?;
    let (gross_cents, discount_cents, net_cents) = amounts(row)?;
    if quantity_milli < 0 && net_cents > 0 || quantity_milli == 0 {
        return Err(row.fail(
            Field::Quantity,
            qty_raw,
            "expected a positive quantity (negative only on a refund line)",
        ));
    }
    let department = match (row.optional(Field::DepartmentCode), row.optional(Field::Department)) {
        (None, None) => None,
        (Some(code), name) => Some(Department { id: code.to_string(), name: name.unwrap_or(code).to_string() }),
        (None, Some(name)) => Some(Department { id: department_code_from_name(name), name: name.to_string() }),
    };
    let promotion = row.optional(Field::PromotionCode).map(|code| Promotion {
        id: code.to_string(),
        description: row.optional(Field::PromotionDescription).unwrap_or(code).to_string(),
        kind: None,
        starts_on: None,
        ends_on: None,
    });
    let product = Product {
        id: ean.clone(),
        description: row.optional(Field::Description).unwrap_or(&ean).to_string(),
        department_id: department.as_ref().map(|d| d.id.clone()),
        brand: row.optional(Field::Brand).map(str::to_string),
    };
    let line = SalesLine {
        id: SalesLine::key(&receipt_id, line_no),
        receipt_id,
        line_no,
        product_id: ean,
        department_id: department.as_ref().map(|d| d.id.clone()),
        quantity_milli,
        gross_cents,
        discount_cents,
        net_cents,
        promotion_id: promotion.as_ref().map(|p| p.id.clone()),
    };
    Ok(Mapped::Line { line, product, department, promotion })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(kind: Kind, headers: &[&str]) -> ColumnMap {
        ColumnMap::resolve(kind, &headers.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn cells(values: &[&str]) -> Vec<String> {
        values.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_fidelity_row_becomes_a_normalised_cardholder() {
        let m = map(
            Kind::Fidelity,
            &[
                "NumeroCarta",
                "Nome",
                "Cognome",
                "Email",
                "Cellulare",
                "DataNascita",
                "Sesso",
                "Provincia",
                "ConsensoPrivacy",
                "Stato",
            ],
        );
        let Mapped::Cardholder(c) = map_row(
            Kind::Fidelity,
            &m,
            2,
            &cells(&[
                "2000000000015",
                " Maria ",
                "Rossi",
                "Maria.Rossi@Example.it",
                "333 1234567",
                "17/05/1990",
                "femmina",
                "fc",
                "S",
                "attiva",
            ]),
        )
        .unwrap() else {
            panic!("not a cardholder")
        };
        assert_eq!(c.email.as_deref(), Some("maria.rossi@example.it"));
        assert_eq!(c.phone.as_deref(), Some("+393331234567"));
        assert_eq!(c.birth_date.as_deref(), Some("1990-05-17"));
        assert_eq!(
            (c.first_name.as_str(), c.gender.as_deref(), c.province.as_deref()),
            ("Maria", Some("F"), Some("FC"))
        );
        assert!(c.privacy_consent && !c.marketing_consent);
    }

    #[test]
    fn errors_name_row_column_value_and_reason() {
        let m = map(Kind::Fidelity, &["Carta", "Nome", "Cognome", "Email"]);
        let e = map_row(Kind::Fidelity, &m, 7, &cells(&["2000000000016", "A", "B", ""])).unwrap_err();
        assert_eq!((e.row, e.column.as_deref(), e.value.as_deref()), (7, Some("Carta"), Some("2000000000016")));
        assert!(e.reason.contains("check digit"));
        let e = map_row(Kind::Fidelity, &m, 8, &cells(&["2000000000015", "A", "", "x@"])).unwrap_err();
        assert_eq!((e.column.as_deref(), e.reason.as_str()), (Some("Cognome"), "missing value"));
        let e = map_row(Kind::Fidelity, &m, 9, &cells(&["2000000000015", "A", "B", "x@"])).unwrap_err();
        assert_eq!((e.column.as_deref(), e.value.as_deref()), (Some("Email"), Some("x@")));
        let truncated = map_row(Kind::Fidelity, &m, 10, &cells(&["2000000000015", "A"])).unwrap_err();
        assert_eq!(truncated.column.as_deref(), Some("Cognome"));
    }

    #[test]
    fn receipts_get_a_composite_key_and_derived_amounts() {
        let m = map(
            Kind::Scontrini,
            &["PuntoVendita", "Data", "Ora", "Cassa", "NumeroScontrino", "NumeroCarta", "Sconto", "Totale"],
        );
        let Mapped::Receipt { receipt, shop, .. } =
            map_row(Kind::Scontrini, &m, 2, &cells(&["S01", "14/03/2025", "18:30", "2", "1234", "", "1,50", "23,40"]))
                .unwrap()
        else {
            panic!()
        };
        assert_eq!(receipt.id, "S01-20250314-2-1234");
        assert_eq!(receipt.issued_at, "2025-03-14T18:30:00");
        assert_eq!((receipt.gross_cents, receipt.discount_cents, receipt.net_cents), (2490, 150, 2340));
        assert_eq!(receipt.card_number, None);
        assert_eq!(shop.id, "S01");
    }

    #[test]
    fn sales_lines_create_their_product_department_and_promotion() {
        let m = map(
            Kind::Vendite,
            &[
                "Negozio",
                "Data",
                "Cassa",
                "Scontrino",
                "Riga",
                "EAN",
                "Descrizione",
                "Reparto",
                "Qta",
                "Importo",
                "Promo",
            ],
        );
        let Mapped::Line { line, product, department, promotion } = map_row(
            Kind::Vendite,
            &m,
            2,
            &cells(&[
                "S01",
                "2025-03-14",
                "2",
                "1234",
                "3",
                "8001234567890",
                "Mele Golden",
                "Ortofrutta",
                "1,250",
                "2,99",
                "P3X2",
            ]),
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(line.id, "S01-20250314-2-1234#3");
        assert_eq!((line.quantity_milli, line.net_cents), (1250, 299));
        assert_eq!(department.unwrap().id, "ORTOFRUTTA");
        assert_eq!(product.description, "Mele Golden");
        assert_eq!(promotion.unwrap().id, "P3X2");
        let negative = map_row(
            Kind::Vendite,
            &m,
            3,
            &cells(&["S01", "2025-03-14", "2", "1234", "4", "8001234567890", "", "", "-1", "2,99", ""]),
        )
        .unwrap_err();
        assert_eq!(negative.column.as_deref(), Some("Qta"));
        assert!(
            map_row(
                Kind::Vendite,
                &m,
                4,
                &cells(&["S01", "2025-03-14", "2", "1234", "5", "8001234567890", "", "", "-1", "-2,99", ""])
            )
            .is_ok(),
            "refund line"
        );
    }
}
