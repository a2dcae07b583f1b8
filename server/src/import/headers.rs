//! Column headers of the three kinds of file, matched case-insensitively (and ignoring spaces,
//! underscores, dots, dashes and accents) through Italian and English synonyms.

use std::fmt;

/// The kind of data a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The cardholder register.
    Fidelity,
    /// Receipts (one row per receipt).
    Scontrini,
    /// Sales lines (one row per line of a receipt).
    Vendite,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 3] = [Kind::Fidelity, Kind::Scontrini, Kind::Vendite];

    /// The name used on the command line and in batch records.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Fidelity => "fidelity",
            Kind::Scontrini => "scontrini",
            Kind::Vendite => "vendite",
        }
    }

    /// Parses a kind name (Italian or English).
    pub fn parse(raw: &str) -> Option<Kind> {
        match normalise(raw).as_str() {
            "fidelity" | "cardholders" | "carte" | "clienti" => Some(Kind::Fidelity),
            "scontrini" | "receipts" => Some(Kind::Scontrini),
            "vendite" | "sales" | "saleslines" | "righe" => Some(Kind::Vendite),
            _ => None,
        }
    }

    /// The fields of this kind, with their synonyms and whether they are required.
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            Kind::Fidelity => FIDELITY,
            Kind::Scontrini => SCONTRINI,
            Kind::Vendite => VENDITE,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A canonical field of an import file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    CardNumber,
    FirstName,
    LastName,
    Email,
    Phone,
    BirthDate,
    Gender,
    City,
    Province,
    EnrolmentStore,
    EnrolledOn,
    PrivacyConsent,
    MarketingConsent,
    ProfilingConsent,
    Status,
    ReceiptId,
    Store,
    StoreName,
    Vouchers,
    Date,
    Time,
    Till,
    ReceiptNumber,
    Gross,
    Discount,
    Net,
    LineNo,
    Ean,
    Description,
    DepartmentCode,
    Department,
    Brand,
    Quantity,
    PromotionCode,
    PromotionDescription,
}

/// How a field is recognised.
#[derive(Debug)]
pub struct FieldSpec {
    pub field: Field,
    /// Canonical English name (also accepted as a header).
    pub name: &'static str,
    pub synonyms: &'static [&'static str],
    pub required: bool,
}

const fn req(field: Field, name: &'static str, synonyms: &'static [&'static str]) -> FieldSpec {
    FieldSpec { field, name, synonyms, required: true }
}
const fn opt(field: Field, name: &'static str, synonyms: &'static [&'static str]) -> FieldSpec {
    FieldSpec { field, name, synonyms, required: false }
}

const CARD: &[&str] = &["NumeroCarta", "Carta", "CodiceCarta", "NCarta", "Fidelity", "CardNumber", "Card", "CardNo"];
const STORE: &[&str] =
    &["PuntoVendita", "Negozio", "CodiceNegozio", "CodPV", "PV", "Store", "StoreId", "StoreCode", "Shop"];
const RECEIPT_ID: &[&str] = &["IdScontrino", "CodiceScontrino", "ReceiptId", "ReceiptKey"];
const DATE: &[&str] = &["Data", "DataScontrino", "DataOra", "DataVendita", "Date", "DateTime", "Timestamp"];
const TIME: &[&str] = &["Ora", "OraScontrino", "Time"];
const TILL: &[&str] = &["Cassa", "NumeroCassa", "Till", "Pos", "Register"];
const NUMBER: &[&str] = &["NumeroScontrino", "Scontrino", "NScontrino", "ReceiptNumber", "Number", "ReceiptNo"];

static FIDELITY: &[FieldSpec] = &[
    req(Field::CardNumber, "card_number", CARD),
    req(Field::FirstName, "first_name", &["Nome", "FirstName", "Name", "GivenName"]),
    req(Field::LastName, "last_name", &["Cognome", "LastName", "Surname", "FamilyName"]),
    opt(Field::Email, "email", &["Email", "Mail", "IndirizzoEmail"]),
    opt(Field::Phone, "phone", &["Telefono", "Cellulare", "Tel", "Cell", "Phone", "Mobile"]),
    opt(
        Field::BirthDate,
        "birth_date",
        &["DataNascita", "DataDiNascita", "Nascita", "BirthDate", "DateOfBirth", "Dob"],
    ),
    opt(Field::Gender, "gender", &["Sesso", "Genere", "Gender", "Sex"]),
    opt(Field::City, "city", &["Citta", "Comune", "Localita", "City", "Town"]),
    opt(Field::Province, "province", &["Provincia", "Prov", "Province"]),
    opt(
        Field::EnrolmentStore,
        "enrolment_store",
        &["PuntoVenditaIscrizione", "NegozioIscrizione", "PuntoVendita", "Negozio", "EnrolmentStore", "Store"],
    ),
    opt(
        Field::EnrolledOn,
        "enrolled_on",
        &["DataIscrizione", "DataAttivazione", "DataEmissione", "EnrolledOn", "EnrolmentDate"],
    ),
    opt(Field::PrivacyConsent, "privacy_consent", &["ConsensoPrivacy", "Privacy", "PrivacyConsent"]),
    opt(Field::MarketingConsent, "marketing_consent", &["ConsensoMarketing", "Marketing", "MarketingConsent"]),
    opt(
        Field::ProfilingConsent,
        "profiling_consent",
        &["ConsensoProfilazione", "Profilazione", "ProfilingConsent", "Profiling"],
    ),
    opt(Field::Status, "status", &["Stato", "StatoCarta", "Status"]),
];

static SCONTRINI: &[FieldSpec] = &[
    opt(Field::ReceiptId, "receipt_id", RECEIPT_ID),
    req(Field::Store, "store", STORE),
    opt(Field::StoreName, "store_name", &["NomeNegozio", "NomePuntoVendita", "StoreName"]),
    req(Field::Date, "date", DATE),
    opt(Field::Time, "time", TIME),
    req(Field::Till, "till", TILL),
    req(Field::ReceiptNumber, "number", NUMBER),
    opt(Field::CardNumber, "card_number", CARD),
    opt(Field::Gross, "gross", &["Lordo", "TotaleLordo", "ImportoLordo", "Gross", "GrossAmount"]),
    opt(Field::Discount, "discount", &["Sconto", "Sconti", "TotaleSconti", "Discount", "Discounts"]),
    req(Field::Net, "net", &["Netto", "Totale", "TotaleNetto", "Importo", "Net", "NetAmount", "Total"]),
    opt(Field::Vouchers, "voucher_codes", &["Buoni", "CodiciBuono", "BuoniUsati", "Vouchers", "VoucherCodes"]),
];

static VENDITE: &[FieldSpec] = &[
    opt(Field::ReceiptId, "receipt_id", RECEIPT_ID),
    req(Field::Store, "store", STORE),
    req(Field::Date, "date", DATE),
    opt(Field::Time, "time", TIME),
    req(Field::Till, "till", TILL),
    req(Field::ReceiptNumber, "number", NUMBER),
    req(Field::LineNo, "line_no", &["Riga", "NumeroRiga", "NRiga", "Line", "LineNo", "LineNumber"]),
    req(Field::Ean, "ean", &["Ean", "CodiceEan", "Barcode", "CodiceArticolo", "Articolo", "ProductEan", "Sku"]),
    opt(
        Field::Description,
        "description",
        &["Descrizione", "DescrizioneArticolo", "Prodotto", "Description", "Product", "ProductName"],
    ),
    opt(
        Field::DepartmentCode,
        "department_code",
        &["CodiceReparto", "CodReparto", "IdReparto", "DepartmentCode", "DepartmentId"],
    ),
    opt(Field::Department, "department", &["Reparto", "DescrizioneReparto", "Department"]),
    opt(Field::Brand, "brand", &["Marca", "Marchio", "Brand"]),
    req(Field::Quantity, "quantity", &["Quantita", "Qta", "Pezzi", "Quantity", "Qty"]),
    opt(Field::Gross, "gross", &["Lordo", "ImportoLordo", "Gross", "GrossAmount"]),
    opt(Field::Discount, "discount", &["Sconto", "Discount"]),
    req(Field::Net, "net", &["Importo", "Netto", "ImportoNetto", "Net", "NetAmount", "Amount"]),
    opt(
        Field::PromotionCode,
        "promotion_code",
        &["CodicePromo", "CodicePromozione", "Promo", "Promozione", "PromotionCode", "Promotion"],
    ),
    opt(
        Field::PromotionDescription,
        "promotion_description",
        &["DescrizionePromo", "DescrizionePromozione", "PromotionDescription"],
    ),
];

/// Lowercase, without accents, spaces, underscores, dots, dashes or slashes.
pub fn normalise(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '.' | '-' | '/' | '\t'))
        .map(|c| match c {
            'à' | 'á' | 'À' | 'Á' => 'a',
            'è' | 'é' | 'È' | 'É' => 'e',
            'ì' | 'í' | 'Ì' | 'Í' => 'i',
            'ò' | 'ó' | 'Ò' | 'Ó' => 'o',
            'ù' | 'ú' | 'Ù' | 'Ú' => 'u',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Fields an explicit receipt id makes optional: a receipt still needs its store and date; a
/// sales line needs only the receipt it belongs to.
fn waived_by_receipt_id(kind: Kind, field: Field) -> bool {
    match kind {
        Kind::Fidelity => false,
        Kind::Scontrini => matches!(field, Field::Till | Field::ReceiptNumber),
        Kind::Vendite => matches!(field, Field::Store | Field::Date | Field::Till | Field::ReceiptNumber),
    }
}

/// Which column holds which field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnMap {
    /// Per column (in file order): its header and the field it holds, if recognised.
    pub columns: Vec<(String, Option<Field>)>,
}

/// A header row that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("missing required column(s) for {kind}: {}", .missing.join(", "))]
    Missing { kind: Kind, missing: Vec<String> },
    #[error("columns `{first}` and `{second}` both mean {field}")]
    Ambiguous { first: String, second: String, field: &'static str },
}

impl ColumnMap {
    /// Matches `headers` against the fields of `kind`.
    pub fn resolve(kind: Kind, headers: &[String]) -> Result<ColumnMap, HeaderError> {
        let specs = kind.fields();
        let mut columns: Vec<(String, Option<Field>)> = Vec::with_capacity(headers.len());
        for header in headers {
            let key = normalise(header);
            let spec =
                specs.iter().find(|s| normalise(s.name) == key || s.synonyms.iter().any(|syn| normalise(syn) == key));
            if let Some(spec) = spec {
                if let Some((first, _)) = columns.iter().find(|(_, f)| *f == Some(spec.field)) {
                    return Err(HeaderError::Ambiguous {
                        first: first.clone(),
                        second: header.clone(),
                        field: spec.name,
                    });
                }
            }
            columns.push((header.trim().trim_start_matches('\u{feff}').to_string(), spec.map(|s| s.field)));
        }
        let has_receipt_id = columns.iter().any(|(_, f)| *f == Some(Field::ReceiptId));
        let missing: Vec<String> = specs
            .iter()
            .filter(|s| s.required && !columns.iter().any(|(_, f)| *f == Some(s.field)))
            .filter(|s| !(has_receipt_id && waived_by_receipt_id(kind, s.field)))
            .map(|s| format!("{} (e.g. {})", s.name, s.synonyms.first().copied().unwrap_or(s.name)))
            .collect();
        if missing.is_empty() {
            Ok(ColumnMap { columns })
        } else {
            Err(HeaderError::Missing { kind, missing })
        }
    }

    /// Index of the column holding `field`.
    pub fn index(&self, field: Field) -> Option<usize> {
        self.columns.iter().position(|(_, f)| *f == Some(field))
    }

    /// Header of column `index`.
    pub fn header(&self, index: usize) -> &str {
        self.columns.get(index).map(|(h, _)| h.as_str()).unwrap_or("")
    }

    /// Headers that matched no field (reported, not fatal).
    pub fn unknown(&self) -> Vec<&str> {
        self.columns.iter().filter(|(_, f)| f.is_none()).map(|(h, _)| h.as_str()).collect()
    }

    /// How well these headers fit `kind`: recognised columns, or `None` when required ones miss.
    pub fn score(kind: Kind, headers: &[String]) -> Option<usize> {
        ColumnMap::resolve(kind, headers).ok().map(|m| m.columns.iter().filter(|(_, f)| f.is_some()).count())
    }

    /// The kind whose fields these headers fit best (for "detect the kind").
    pub fn detect(headers: &[String]) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .filter_map(|k| ColumnMap::score(k, headers).map(|s| (s, k)))
            .max_by_key(|(s, k)| (*s, matches!(k, Kind::Vendite)))
            .map(|(_, k)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn synonyms_match_in_any_case_and_spacing() {
        let map = ColumnMap::resolve(
            Kind::Fidelity,
            &h(&[
                "\u{feff}Numero Carta",
                "NOME",
                "cognome",
                "E-mail",
                "Cellulare",
                "Data di nascita",
                "Città",
                "Colore",
            ]),
        )
        .unwrap();
        assert_eq!(map.index(Field::CardNumber), Some(0));
        assert_eq!(map.index(Field::Email), Some(3));
        assert_eq!(map.index(Field::Phone), Some(4));
        assert_eq!(map.index(Field::BirthDate), Some(5));
        assert_eq!(map.index(Field::City), Some(6));
        assert_eq!(map.unknown(), vec!["Colore"]);
        assert_eq!(map.header(0), "Numero Carta");
        let english = ColumnMap::resolve(Kind::Fidelity, &h(&["card_number", "first_name", "last_name"])).unwrap();
        assert_eq!(english.index(Field::LastName), Some(2));
    }

    #[test]
    fn missing_required_columns_are_named() {
        let err = ColumnMap::resolve(
            Kind::Vendite,
            &h(&["PuntoVendita", "Data", "Cassa", "NumeroScontrino", "EAN", "Importo"]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "missing required column(s) for vendite: line_no (e.g. Riga), quantity (e.g. Quantita)"
        );
    }

    #[test]
    fn an_explicit_receipt_id_replaces_the_composite_key() {
        let map = ColumnMap::resolve(Kind::Vendite, &h(&["IdScontrino", "Riga", "EAN", "Qta", "Importo"])).unwrap();
        assert_eq!(map.index(Field::ReceiptId), Some(0));
    }

    #[test]
    fn two_columns_for_one_field_are_refused() {
        let err =
            ColumnMap::resolve(Kind::Scontrini, &h(&["Negozio", "Data", "Cassa", "Scontrino", "Totale", "Importo"]))
                .unwrap_err();
        assert!(matches!(err, HeaderError::Ambiguous { field: "net", .. }), "{err}");
    }

    #[test]
    fn the_kind_is_detected_from_the_headers() {
        assert_eq!(ColumnMap::detect(&h(&["NumeroCarta", "Nome", "Cognome", "Email"])), Some(Kind::Fidelity));
        assert_eq!(
            ColumnMap::detect(&h(&["Negozio", "Data", "Cassa", "NumeroScontrino", "NumeroCarta", "Totale"])),
            Some(Kind::Scontrini)
        );
        assert_eq!(
            ColumnMap::detect(&h(&["Negozio", "Data", "Cassa", "NumeroScontrino", "Riga", "EAN", "Qta", "Importo"])),
            Some(Kind::Vendite)
        );
        assert_eq!(ColumnMap::detect(&h(&["foo", "bar"])), None);
        assert_eq!(Kind::parse("Scontrini"), Some(Kind::Scontrini));
        assert_eq!(Kind::parse("sales"), Some(Kind::Vendite));
    }
}
