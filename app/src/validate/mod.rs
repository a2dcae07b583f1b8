//! Pure validation shared by the browser (instant messages) and the server (authoritative):
//! the same functions run on both sides. Each failure names its field and a [`Problem`] that
//! the UI translates.

pub mod date;
pub mod ean13;
pub mod identifier;
pub mod phone;
pub mod signup;

use serde::{Deserialize, Serialize};

use crate::i18n::Key;

pub use date::SimpleDate;
pub use signup::{validate_signup, ValidSignup};

/// What is wrong with a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    Required,
    TooLong,
    EmailInvalid,
    PhoneInvalid,
    DateInvalid,
    TooYoung,
    PasswordTooShort,
    PasswordMismatch,
    PasswordIsContact,
    ConsentRequired,
    Taken,
    StoreUnknown,
    ClaimMismatch,
}

impl Problem {
    /// Every problem, for completeness tests.
    pub const ALL: [Problem; 13] = [
        Problem::Required,
        Problem::TooLong,
        Problem::EmailInvalid,
        Problem::PhoneInvalid,
        Problem::DateInvalid,
        Problem::TooYoung,
        Problem::PasswordTooShort,
        Problem::PasswordMismatch,
        Problem::PasswordIsContact,
        Problem::ConsentRequired,
        Problem::Taken,
        Problem::StoreUnknown,
        Problem::ClaimMismatch,
    ];

    /// The stable code sent over the wire.
    pub fn code(self) -> &'static str {
        match self {
            Problem::Required => "required",
            Problem::TooLong => "too_long",
            Problem::EmailInvalid => "email_invalid",
            Problem::PhoneInvalid => "phone_invalid",
            Problem::DateInvalid => "date_invalid",
            Problem::TooYoung => "too_young",
            Problem::PasswordTooShort => "password_too_short",
            Problem::PasswordMismatch => "password_mismatch",
            Problem::PasswordIsContact => "password_is_contact",
            Problem::ConsentRequired => "consent_required",
            Problem::Taken => "taken",
            Problem::StoreUnknown => "store_unknown",
            Problem::ClaimMismatch => "claim_mismatch",
        }
    }

    /// Parses a wire code.
    pub fn from_code(code: &str) -> Option<Problem> {
        Problem::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// A field and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
}

impl FieldError {
    /// Builds an error for `field`.
    pub fn new(field: &str, problem: Problem) -> Self {
        FieldError { field: field.to_string(), problem }
    }
}

/// Normalises an email: trimmed, lowercase, and syntactically plausible
/// (`local@domain.tld`, no spaces, at most 254 characters).
pub fn email(raw: &str) -> Result<String, Problem> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err(Problem::Required);
    }
    if email.len() > 254 {
        return Err(Problem::TooLong);
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(Problem::EmailInvalid);
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    if local_ok && domain_ok {
        Ok(email)
    } else {
        Err(Problem::EmailInvalid)
    }
}

/// A required name: trimmed, inner whitespace collapsed, at most 80 characters.
pub fn name(raw: &str) -> Result<String, Problem> {
    let cleaned = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if cleaned.is_empty() {
        Err(Problem::Required)
    } else if cleaned.chars().count() > 80 {
        Err(Problem::TooLong)
    } else {
        Ok(cleaned)
    }
}

/// Minimum password length.
pub const PASSWORD_MIN_CHARS: usize = 10;

/// A new password: at least 10 characters, equal to its confirmation, and not the email or
/// phone (compared case-insensitively; the phone also by its digits).
pub fn new_password(password: &str, confirm: &str, email: &str, phone: &str) -> Result<(), (&'static str, Problem)> {
    if password.chars().count() < PASSWORD_MIN_CHARS {
        return Err(("password", Problem::PasswordTooShort));
    }
    let lower = password.trim().to_lowercase();
    let compact: String = password.chars().filter(|c| !c.is_whitespace() && !"+-./()".contains(*c)).collect();
    let phone_digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let is_email = !email.is_empty() && lower == email.trim().to_lowercase();
    let is_phone = !phone_digits.is_empty()
        && compact.len() >= 8
        && compact.chars().all(|c| c.is_ascii_digit())
        && (phone_digits.ends_with(&compact) || compact.ends_with(&phone_digits));
    if is_email || is_phone {
        return Err(("password", Problem::PasswordIsContact));
    }
    if password != confirm {
        return Err(("password_confirm", Problem::PasswordMismatch));
    }
    Ok(())
}

impl crate::i18n::Label for Problem {
    fn key(&self) -> Key {
        match self {
            Problem::Required => Key::ErrRequired,
            Problem::TooLong => Key::ErrTooLong,
            Problem::EmailInvalid => Key::ErrEmailInvalid,
            Problem::PhoneInvalid => Key::ErrPhoneInvalid,
            Problem::DateInvalid => Key::ErrDateInvalid,
            Problem::TooYoung => Key::ErrTooYoung,
            Problem::PasswordTooShort => Key::ErrPasswordTooShort,
            Problem::PasswordMismatch => Key::ErrPasswordMismatch,
            Problem::PasswordIsContact => Key::ErrPasswordIsContact,
            Problem::ConsentRequired => Key::ErrConsentRequired,
            Problem::Taken => Key::ErrTaken,
            Problem::StoreUnknown => Key::ErrStoreUnknown,
            Problem::ClaimMismatch => Key::ClaimMismatch,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(email("  Mario.Rossi@Example.IT "), Ok("mario.rossi@example.it".into()));
        assert_eq!(email("a+tag@sub.example.com"), Ok("a+tag@sub.example.com".into()));
        for bad in [
            "",
            "mario",
            "mario@",
            "@example.it",
            "mario@example",
            "ma rio@example.it",
            "mario@@example.it",
            "mario@ex_ample.it",
            ".m@example.it",
            "m..r@example.it",
            "m@example.i",
        ] {
            assert!(email(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(email(""), Err(Problem::Required));
        assert_eq!(email(&format!("{}@example.it", "a".repeat(250))), Err(Problem::TooLong));
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(name("  Anna   Maria "), Ok("Anna Maria".into()));
        assert_eq!(name("   "), Err(Problem::Required));
        assert_eq!(name(&"x".repeat(81)), Err(Problem::TooLong));
    }

    #[test]
    fn passwords() {
        let ok = new_password("correct horse", "correct horse", "a@b.it", "+393331234567");
        assert_eq!(ok, Ok(()));
        assert_eq!(new_password("short", "short", "", ""), Err(("password", Problem::PasswordTooShort)));
        assert_eq!(
            new_password("mario@rossi.it", "mario@rossi.it", "Mario@Rossi.it", ""),
            Err(("password", Problem::PasswordIsContact))
        );
        assert_eq!(
            new_password("3331234567", "3331234567", "", "+393331234567"),
            Err(("password", Problem::PasswordIsContact))
        );
        assert_eq!(
            new_password("+393331234567", "+393331234567", "", "+393331234567"),
            Err(("password", Problem::PasswordIsContact))
        );
        assert_eq!(
            new_password("long enough 1", "long enough 2", "", ""),
            Err(("password_confirm", Problem::PasswordMismatch))
        );
    }

    #[test]
    fn problem_codes_round_trip() {
        for p in Problem::ALL {
            assert_eq!(Problem::from_code(p.code()), Some(p));
        }
        assert_eq!(Problem::from_code("nope"), None);
    }
}
