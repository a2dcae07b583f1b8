//! Validation of the signup form as a whole.

use super::{email, name, new_password, phone, FieldError, Problem, SimpleDate};
use serde::{Deserialize, Serialize};

/// The signup form as typed (not yet validated).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupInput {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// Preferred store code, if chosen.
    pub store_id: Option<String>,
    pub password: String,
    pub password_confirm: String,
    pub privacy_consent: bool,
    pub marketing_consent: bool,
    /// Consent to profiling (personal offers chosen from purchases): separate and optional.
    pub profiling_consent: bool,
}

/// Minimum age to hold an account.
pub const MIN_AGE: i32 = 18;

/// A signup that passed validation, normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidSignup {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub birth_date: SimpleDate,
    pub store_id: Option<String>,
    pub password: String,
    pub marketing_consent: bool,
    pub profiling_consent: bool,
}

/// Checks every field; returns all problems, in form order.
pub fn validate_signup(input: &SignupInput, today: SimpleDate) -> Result<ValidSignup, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut take = |field: &str, r: Result<String, Problem>| match r {
        Ok(v) => v,
        Err(p) => {
            errors.push(FieldError::new(field, p));
            String::new()
        }
    };
    let first_name = take("first_name", name(&input.first_name));
    let last_name = take("last_name", name(&input.last_name));
    let email = take("email", email(&input.email));
    let phone = take("phone", phone::normalise(&input.phone));
    let birth_date = if input.birth_date.trim().is_empty() {
        errors.push(FieldError::new("birth_date", Problem::Required));
        None
    } else {
        match SimpleDate::parse_iso(&input.birth_date) {
            None => {
                errors.push(FieldError::new("birth_date", Problem::DateInvalid));
                None
            }
            Some(d) if d > today => {
                errors.push(FieldError::new("birth_date", Problem::DateInvalid));
                None
            }
            Some(d) if d.age_on(today) < MIN_AGE => {
                errors.push(FieldError::new("birth_date", Problem::TooYoung));
                None
            }
            Some(d) => Some(d),
        }
    };
    if let Err((field, problem)) = new_password(&input.password, &input.password_confirm, &email, &phone) {
        errors.push(FieldError::new(field, problem));
    }
    if !input.privacy_consent {
        errors.push(FieldError::new("privacy_consent", Problem::ConsentRequired));
    }
    match (errors.is_empty(), birth_date) {
        (true, Some(birth_date)) => Ok(ValidSignup {
            first_name,
            last_name,
            email,
            phone,
            birth_date,
            store_id: input.store_id.clone().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
            password: input.password.clone(),
            marketing_consent: input.marketing_consent,
            profiling_consent: input.profiling_consent,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> SimpleDate {
        SimpleDate::new(2026, 11, 28).unwrap()
    }

    fn good() -> SignupInput {
        SignupInput {
            first_name: " Giulia ".into(),
            last_name: "Bianchi".into(),
            email: "Giulia.Bianchi@Example.it".into(),
            phone: "333 1234567".into(),
            birth_date: "1990-05-17".into(),
            store_id: Some("S01".into()),
            password: "una password lunga".into(),
            password_confirm: "una password lunga".into(),
            privacy_consent: true,
            marketing_consent: false,
            profiling_consent: false,
        }
    }

    #[test]
    fn a_good_signup_is_normalised() {
        let v = validate_signup(&good(), today()).unwrap();
        assert_eq!(v.first_name, "Giulia");
        assert_eq!(v.email, "giulia.bianchi@example.it");
        assert_eq!(v.phone, "+393331234567");
        assert_eq!(v.birth_date.iso(), "1990-05-17");
        assert_eq!(v.store_id.as_deref(), Some("S01"));
    }

    #[test]
    fn under_18_is_refused_and_18_today_is_accepted() {
        let young = SignupInput { birth_date: "2008-11-29".into(), ..good() };
        assert_eq!(
            validate_signup(&young, today()).unwrap_err(),
            vec![FieldError::new("birth_date", Problem::TooYoung)]
        );
        let adult = SignupInput { birth_date: "2008-11-28".into(), ..good() };
        assert!(validate_signup(&adult, today()).is_ok());
        let future = SignupInput { birth_date: "2030-01-01".into(), ..good() };
        assert_eq!(validate_signup(&future, today()).unwrap_err()[0].problem, Problem::DateInvalid);
    }

    #[test]
    fn missing_consent_and_every_error_are_reported_together() {
        let bad = SignupInput {
            first_name: "".into(),
            email: "nope".into(),
            phone: "12".into(),
            password: "short".into(),
            password_confirm: "short".into(),
            privacy_consent: false,
            ..good()
        };
        let fields: Vec<(String, Problem)> =
            validate_signup(&bad, today()).unwrap_err().into_iter().map(|e| (e.field, e.problem)).collect();
        assert_eq!(
            fields,
            vec![
                ("first_name".into(), Problem::Required),
                ("email".into(), Problem::EmailInvalid),
                ("phone".into(), Problem::PhoneInvalid),
                ("password".into(), Problem::PasswordTooShort),
                ("privacy_consent".into(), Problem::ConsentRequired),
            ]
        );
    }

    #[test]
    fn password_equal_to_the_email_is_refused() {
        let bad = SignupInput {
            password: "giulia.bianchi@example.it".into(),
            password_confirm: "giulia.bianchi@example.it".into(),
            ..good()
        };
        assert_eq!(
            validate_signup(&bad, today()).unwrap_err(),
            vec![FieldError::new("password", Problem::PasswordIsContact)]
        );
    }
}
