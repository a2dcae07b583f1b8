//! The login identifier: one field that takes a card number, an email or a phone number,
//! recognised and normalised the same way everywhere.

use super::{ean13, email, phone};

/// A recognised login identifier, normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identifier {
    /// An EAN-13 card number.
    Card(String),
    /// A lowercase email.
    Email(String),
    /// An E.164 phone number.
    Phone(String),
}

impl Identifier {
    /// Recognises `raw`: 13 digits with a valid check digit are a card; anything with `@` is an
    /// email; otherwise a phone number. `None` when it is none of these.
    pub fn parse(raw: &str) -> Option<Identifier> {
        let trimmed = raw.trim();
        let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.len() == 13 && compact.bytes().all(|b| b.is_ascii_digit()) && ean13::is_valid(&compact) {
            return Some(Identifier::Card(compact));
        }
        if trimmed.contains('@') {
            return email(trimmed).ok().map(Identifier::Email);
        }
        phone::normalise(trimmed).ok().map(Identifier::Phone)
    }

    /// The account field this identifier is looked up by.
    pub fn field(&self) -> &'static str {
        match self {
            Identifier::Card(_) => "card_number",
            Identifier::Email(_) => "email",
            Identifier::Phone(_) => "phone",
        }
    }

    /// The normalised value.
    pub fn value(&self) -> &str {
        match self {
            Identifier::Card(v) | Identifier::Email(v) | Identifier::Phone(v) => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_format() {
        assert_eq!(Identifier::parse(" 2700000000014 "), Some(Identifier::Card("2700000000014".into())));
        assert_eq!(Identifier::parse("2700 0000 0001 4"), Some(Identifier::Card("2700000000014".into())));
        assert_eq!(Identifier::parse("Mario@Example.IT"), Some(Identifier::Email("mario@example.it".into())));
        assert_eq!(Identifier::parse("333 1234567"), Some(Identifier::Phone("+393331234567".into())));
        assert_eq!(Identifier::parse("0039 333 1234567"), Some(Identifier::Phone("+393331234567".into())));
        assert_eq!(Identifier::parse("+44 20 7946 0958"), Some(Identifier::Phone("+442079460958".into())));
    }

    #[test]
    fn thirteen_digits_with_a_wrong_check_digit_are_not_a_card() {
        assert_ne!(Identifier::parse("2700000000015").map(|i| i.field()), Some("card_number"));
        assert_eq!(Identifier::parse("mario@"), None);
        assert_eq!(Identifier::parse(""), None);
        assert_eq!(Identifier::parse("hello"), None);
    }
}
