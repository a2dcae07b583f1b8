//! Calendar dates without a time zone, as typed in forms (`YYYY-MM-DD`), and ages.

use serde::{Deserialize, Serialize};

/// A valid Gregorian calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SimpleDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl SimpleDate {
    /// A date if it exists in the calendar.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Self> {
        (1..=12)
            .contains(&month)
            .then(|| days_in_month(year, month))
            .filter(|max| (1..=*max).contains(&day))
            .map(|_| SimpleDate { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse_iso(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let mut parts = raw.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        SimpleDate::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// Whole years from `self` (a birth date) to `today`. A 29 February birthday is reached
    /// on 1 March in common years.
    pub fn age_on(self, today: SimpleDate) -> i32 {
        let mut age = today.year - self.year;
        if (today.month, today.day) < (self.month, self.day) {
            age -= 1;
        }
        age
    }

    /// The date `days` after 1970-01-01 (negative: before), proleptic Gregorian.
    pub fn from_days_since_epoch(days: i64) -> Self {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        SimpleDate { year, month, day }
    }

    /// Days after 1970-01-01 (negative: before); the inverse of [`Self::from_days_since_epoch`].
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Today's date in UTC, from the system clock (server) or the browser's clock.
    pub fn today_utc() -> Self {
        SimpleDate::from_days_since_epoch(now_millis().div_euclid(86_400_000))
    }

    /// `YYYY-MM-DD`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(all(feature = "hydrate", target_arch = "wasm32"))]
fn now_millis() -> i64 {
    js_sys::Date::now() as i64
}

#[cfg(not(all(feature = "hydrate", target_arch = "wasm32")))]
fn now_millis() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> SimpleDate {
        SimpleDate::parse_iso(s).unwrap()
    }

    #[test]
    fn parses_only_real_dates() {
        assert_eq!(d("2000-02-29").iso(), "2000-02-29");
        for bad in [
            "1900-02-29",
            "2023-02-29",
            "2024-13-01",
            "2024-04-31",
            "2024-4-1",
            "24-04-01",
            "",
            "2024-04-01-01",
            "abcd-ef-gh",
        ] {
            assert_eq!(SimpleDate::parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_since_epoch() {
        assert_eq!(SimpleDate::from_days_since_epoch(0).iso(), "1970-01-01");
        assert_eq!(SimpleDate::from_days_since_epoch(-1).iso(), "1969-12-31");
        assert_eq!(SimpleDate::from_days_since_epoch(11_016).iso(), "2000-02-29");
        assert_eq!(SimpleDate::from_days_since_epoch(20_785).iso(), "2026-11-28");
        for days in [-800_000_i64, -1, 0, 59, 11_016, 20_785, 400_000] {
            assert_eq!(SimpleDate::from_days_since_epoch(days).days_since_epoch(), days);
        }
        assert!(SimpleDate::today_utc().year >= 2026);
    }

    #[test]
    fn age_counts_whole_years() {
        let today = d("2026-11-28");
        assert_eq!(d("2008-11-28").age_on(today), 18);
        assert_eq!(d("2008-11-29").age_on(today), 17);
        assert_eq!(d("1970-01-01").age_on(today), 56);
        assert_eq!(d("2008-02-29").age_on(d("2026-02-28")), 17);
        assert_eq!(d("2008-02-29").age_on(d("2026-03-01")), 18);
    }
}
