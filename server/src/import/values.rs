//! Cell values as the chain's exports write them: decimal comma or point (with thousands
//! separators), dates as `dd/mm/yyyy`, `yyyy-mm-dd` or `yyyymmdd` with or without a time,
//! yes/no flags in Italian or English. Each parser says what it expected.

use app::validate::SimpleDate;

/// Why a cell could not be read; the message names what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

fn err(expected: &str, raw: &str) -> ValueError {
    ValueError(format!("expected {expected}, got `{raw}`"))
}

/// A decimal number scaled to an integer with `scale` decimals (`12,345` at scale 2 → 1235,
/// rounded half away from zero). Separators: with both `,` and `.`, the last one is the decimal
/// separator; a lone `,` is decimal; several `.` (or `,`) are thousands separators; a lone `.`
/// is decimal.
pub fn scaled(raw: &str, scale: u32) -> Result<i64, ValueError> {
    let expected = "a number like 12,50 or 1.234,50";
    let s: String = raw.trim().chars().filter(|c| !c.is_whitespace() && *c != '€' && *c != '\'').collect();
    if s.is_empty() {
        return Err(err(expected, raw));
    }
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    let commas = body.matches(',').count();
    let dots = body.matches('.').count();
    let decimal_sep = match (commas, dots) {
        (0, 0) => None,
        (c, d) if c > 0 && d > 0 => {
            let last = if body.rfind(',') > body.rfind('.') { ',' } else { '.' };
            let other = if last == ',' { '.' } else { ',' };
            if body.matches(last).count() > 1 || body.rfind(other) > body.rfind(last) {
                return Err(err(expected, raw));
            }
            Some(last)
        }
        (1, 0) => Some(','),
        (0, 1) => Some('.'),
        _ => None, // several of one kind: thousands separators only
    };
    let (int_part, frac_part) = match decimal_sep {
        Some(sep) => {
            let at = body.rfind(sep).unwrap_or(body.len());
            (&body[..at], &body[at + 1..])
        }
        None => (body, ""),
    };
    // Thousands separators must group by three: `1.234.567`, never `12,34,5`.
    let groups: Vec<&str> = int_part.split(['.', ',']).collect();
    if groups.len() > 1 && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)) {
        return Err(err(expected, raw));
    }
    let int_digits: String = int_part.chars().filter(|c| *c != '.' && *c != ',').collect();
    if int_digits.is_empty() && frac_part.is_empty()
        || !int_digits.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(err(expected, raw));
    }
    let int_value: i64 = if int_digits.is_empty() { 0 } else { int_digits.parse().map_err(|_| err(expected, raw))? };
    let mut frac_digits: Vec<i64> = frac_part.bytes().map(|b| i64::from(b - b'0')).collect();
    let round_up = frac_digits.len() > scale as usize && frac_digits[scale as usize] >= 5;
    frac_digits.resize(scale as usize, 0);
    let frac_value = frac_digits.iter().fold(0_i64, |acc, d| acc * 10 + d);
    let factor = 10_i64.pow(scale);
    let mut value = int_value
        .checked_mul(factor)
        .and_then(|v| v.checked_add(frac_value))
        .ok_or_else(|| err("a number of sensible size", raw))?;
    if round_up {
        value += 1;
    }
    Ok(if negative { -value } else { value })
}

/// Money in cents.
pub fn cents(raw: &str) -> Result<i64, ValueError> {
    scaled(raw, 2)
}

/// A quantity in thousandths (pieces or kilograms).
pub fn milli(raw: &str) -> Result<i64, ValueError> {
    scaled(raw, 3)
}

/// A whole number.
pub fn integer(raw: &str) -> Result<i64, ValueError> {
    let t = raw.trim();
    t.parse::<i64>().map_err(|_| err("a whole number", raw))
}

/// A date: `dd/mm/yyyy` (also `-` or `.` between), `yyyy-mm-dd`, `yyyymmdd`, optionally
/// followed by a time (ignored here).
pub fn date(raw: &str) -> Result<SimpleDate, ValueError> {
    datetime(raw).map(|(d, _)| d)
}

/// A date with an optional time (`hh:mm` or `hh:mm:ss`, after a space or `T`); a missing time
/// is midnight. Returns the date and seconds since midnight.
pub fn datetime(raw: &str) -> Result<(SimpleDate, u32), ValueError> {
    let expected = "a date like 31/12/2025, 2025-12-31 or 20251231";
    let t = raw.trim();
    let (date_part, time_part) = match t.find([' ', 'T']) {
        Some(at) => (&t[..at], Some(t[at + 1..].trim())),
        None => (t, None),
    };
    let parse = |y: &str, m: &str, d: &str| -> Option<SimpleDate> {
        if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
            return None;
        }
        SimpleDate::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    };
    let date = if date_part.len() == 8 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        parse(&date_part[..4], &date_part[4..6], &date_part[6..])
    } else {
        let parts: Vec<&str> = date_part.split(['/', '-', '.']).collect();
        match parts.as_slice() {
            [y, m, d] if y.len() == 4 => parse(y, m, d),
            [d, m, y] => parse(y, m, d),
            _ => None,
        }
    }
    .ok_or_else(|| err(expected, raw))?;
    let seconds = match time_part.filter(|s| !s.is_empty()) {
        None => 0,
        Some(time) => {
            let time = time.trim_end_matches('Z');
            let time = time.split(['.', '+']).next().unwrap_or(time);
            let fields: Vec<&str> = time.split(':').collect();
            let num = |s: &str, max: u32| s.parse::<u32>().ok().filter(|v| *v <= max && !s.is_empty() && s.len() <= 2);
            match fields.as_slice() {
                [h, m] => num(h, 23).zip(num(m, 59)).map(|(h, m)| h * 3600 + m * 60),
                [h, m, s] => num(h, 23).zip(num(m, 59)).zip(num(s, 59)).map(|((h, m), s)| h * 3600 + m * 60 + s),
                _ => None,
            }
            .ok_or_else(|| err("a time like 18:30 or 18:30:05", raw))?
        }
    };
    Ok((date, seconds))
}

/// `YYYY-MM-DDTHH:MM:SS` for a date and seconds since midnight.
pub fn iso_datetime(date: SimpleDate, seconds: u32) -> String {
    format!("{}T{:02}:{:02}:{:02}", date.iso(), seconds / 3600, seconds / 60 % 60, seconds % 60)
}

/// A yes/no flag: `S`, `Si`, `Sì`, `Y`, `Yes`, `1`, `True`, `X` or `N`, `No`, `0`, `False`.
pub fn flag(raw: &str) -> Result<bool, ValueError> {
    match raw.trim().to_lowercase().as_str() {
        "s" | "si" | "sì" | "y" | "yes" | "1" | "true" | "x" | "vero" => Ok(true),
        "n" | "no" | "0" | "false" | "falso" => Ok(false),
        _ => Err(err("S/N, sì/no, 1/0 or true/false", raw)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_in_every_spelling() {
        for (raw, expected) in [
            ("12,34", 1234),
            ("12.34", 1234),
            ("1.234,56", 123_456),
            ("1,234.56", 123_456),
            ("1.234.567", 123_456_700),
            ("1,234,567", 123_456_700),
            ("-3,5", -350),
            ("+7", 700),
            ("0,005", 1),
            ("0,004", 0),
            (" € 4,90 ", 490),
            ("1 234,50", 123_450),
            (",5", 50),
        ] {
            assert_eq!(cents(raw), Ok(expected), "{raw}");
        }
        for bad in ["", "abc", "12,34,5.6", "1.2,3.4", "12a", "--3", "1,2.3,4"] {
            assert!(cents(bad).is_err(), "{bad:?} accepted");
        }
        assert!(cents("x").unwrap_err().to_string().contains("expected a number"));
    }

    #[test]
    fn quantities_in_thousandths() {
        assert_eq!(milli("1"), Ok(1000));
        assert_eq!(milli("0,250"), Ok(250));
        assert_eq!(milli("1.5"), Ok(1500));
        assert_eq!(milli("2,0005"), Ok(2001));
    }

    #[test]
    fn dates_and_times() {
        let d = |s: &str| date(s).unwrap().iso();
        assert_eq!(d("31/12/2025"), "2025-12-31");
        assert_eq!(d("1/2/2025"), "2025-02-01");
        assert_eq!(d("31-12-2025"), "2025-12-31");
        assert_eq!(d("2025-12-31"), "2025-12-31");
        assert_eq!(d("20251231"), "2025-12-31");
        assert_eq!(d("29/02/2024 08:15"), "2024-02-29");
        let (day, secs) = datetime("2025-03-14T18:30:05").unwrap();
        assert_eq!(iso_datetime(day, secs), "2025-03-14T18:30:05");
        let (day, secs) = datetime("14/03/2025 9:05").unwrap();
        assert_eq!(iso_datetime(day, secs), "2025-03-14T09:05:00");
        assert_eq!(datetime("20250314").unwrap().1, 0);
        for bad in [
            "",
            "31/02/2025",
            "2025/13/01",
            "12/2025",
            "2025-1-1x",
            "29/02/2023",
            "14/03/2025 25:00",
            "14/03/2025 9:60",
        ] {
            assert!(datetime(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn flags() {
        for yes in ["S", "sì", "Si", "YES", "1", "true", "X"] {
            assert_eq!(flag(yes), Ok(true), "{yes}");
        }
        for no in ["N", "no", "0", "False"] {
            assert_eq!(flag(no), Ok(false), "{no}");
        }
        assert!(flag("forse").is_err());
    }
}
