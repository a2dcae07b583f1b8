//! Phone numbers normalised to E.164. Italian numbers may be written nationally
//! (`333 1234567`, `051 123456`) or with `+39` / `0039`; other countries need their prefix.

use super::Problem;

/// Normalises to E.164 (`+393331234567`).
pub fn normalise(raw: &str) -> Result<String, Problem> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Problem::Required);
    }
    if !trimmed.chars().all(|c| c.is_ascii_digit() || " +-./()".contains(c)) {
        return Err(Problem::PhoneInvalid);
    }
    // A leading `+` may sit inside an opening parenthesis: `(+39) 333…`.
    let lead = trimmed.trim_start_matches(['(', ' ']);
    if lead.chars().skip(1).any(|c| c == '+') {
        return Err(Problem::PhoneInvalid);
    }
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    let international = if lead.starts_with('+') {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_string()
    } else if digits.starts_with('3') || digits.starts_with('0') {
        // Italian national format: mobiles start with 3, landlines with 0 (kept after +39).
        format!("39{digits}")
    } else {
        return Err(Problem::PhoneInvalid);
    };
    let valid_length = (8..=15).contains(&international.len());
    if !valid_length || international.starts_with('0') {
        return Err(Problem::PhoneInvalid);
    }
    if let Some(national) = international.strip_prefix("39") {
        // Italian mobiles: 3 + 8 or 9 digits; landlines: 0 + 5 to 10 digits.
        let ok = (national.starts_with('3') && (9..=10).contains(&national.len()))
            || (national.starts_with('0') && (6..=11).contains(&national.len()));
        if !ok {
            return Err(Problem::PhoneInvalid);
        }
    }
    Ok(format!("+{international}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn italian_mobiles_in_every_spelling() {
        for raw in [
            "333 1234567",
            "3331234567",
            "+39 333 1234567",
            "+393331234567",
            "0039 333 123 4567",
            "333-123-4567",
            "(+39) 333.1234567",
        ] {
            assert_eq!(normalise(raw), Ok("+393331234567".into()), "{raw}");
        }
    }

    #[test]
    fn landlines_and_other_countries() {
        assert_eq!(normalise("051 123456"), Ok("+39051123456".into()));
        assert_eq!(normalise("+44 20 7946 0958"), Ok("+442079460958".into()));
        assert_eq!(normalise("0049 30 1234567"), Ok("+49301234567".into()));
    }

    #[test]
    fn rejects_junk() {
        assert_eq!(normalise(""), Err(Problem::Required));
        for bad in [
            "abc",
            "333 12",
            "+39 333",
            "123456789",
            "+0 123456789",
            "333+1234567",
            "+3933312345678901",
            "+39 555 1234567",
        ] {
            assert_eq!(normalise(bad), Err(Problem::PhoneInvalid), "{bad}");
        }
    }
}
