//! The server's one date system. Instants are RFC 3339 strings in UTC (as records store them);
//! calendar days are day numbers (days since 1970-01-01, `i32`) over the shared
//! [`SimpleDate`] calendar, months are month indexes (year × 12 + month − 1). Every module that
//! needs "now", a day or a month asks here, so there is one rule for each conversion.
//!
//! A leaf: imports nothing of the project.

pub use app::validate::date::SimpleDate;

/// Current UTC time as RFC 3339 (seconds), the form every record stores.
pub fn now_rfc3339() -> String {
    rfc3339(chrono::Utc::now())
}

/// UTC time `days` days ago as RFC 3339 (seconds).
pub fn rfc3339_days_ago(days: i64) -> String {
    rfc3339(chrono::Utc::now() - chrono::Duration::days(days))
}

/// UTC time `secs` seconds from now as RFC 3339 (seconds).
pub fn rfc3339_in_secs(secs: i64) -> String {
    rfc3339(chrono::Utc::now() + chrono::Duration::seconds(secs))
}

/// RFC 3339 of a Unix time in seconds.
pub fn rfc3339_of_unix(secs: i64) -> String {
    rfc3339(chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default())
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Now as RFC 3339 with milliseconds (for instants compared within a second, such as the
/// end of a user's sessions).
pub fn now_rfc3339_millis() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Current Unix time in milliseconds.
pub fn unix_millis_now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Unix milliseconds of an RFC 3339 instant.
pub fn unix_millis_of(rfc3339: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(rfc3339).ok().map(|t| t.timestamp_millis())
}

/// Current Unix time in seconds.
pub fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Unix seconds of an RFC 3339 instant, if it is one.
pub fn unix_of(rfc3339: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(rfc3339).ok().map(|t| t.timestamp())
}

/// Today's date (UTC).
pub fn today_date() -> SimpleDate {
    SimpleDate::today_utc()
}

/// Today's day number (UTC).
pub fn today() -> i32 {
    today_date().days_since_epoch() as i32
}

/// Day number of `YYYY-MM-DD` (the first 10 characters of a date or date-time).
pub fn parse_day(raw: &str) -> Option<i32> {
    SimpleDate::parse_iso(raw.get(..10)?).map(|d| d.days_since_epoch() as i32)
}

/// Minutes since midnight of `…THH:MM`.
pub fn parse_minute(raw: &str) -> u16 {
    let h: u16 = raw.get(11..13).and_then(|h| h.parse().ok()).unwrap_or(0);
    let m: u16 = raw.get(14..16).and_then(|m| m.parse().ok()).unwrap_or(0);
    (h.min(23)) * 60 + m.min(59)
}

/// The date of a day number.
pub fn date_of(day: i32) -> SimpleDate {
    SimpleDate::from_days_since_epoch(i64::from(day))
}

/// `YYYY-MM-DD` of a day number.
pub fn day_iso(day: i32) -> String {
    date_of(day).iso()
}

/// `YYYY-MM-DD HH:MM` of a day number and minutes since midnight (as receipts are shown).
pub fn time_label(day: i32, minute: u16) -> String {
    format!("{} {:02}:{:02}", day_iso(day), minute / 60, minute % 60)
}

/// `YYYY-MM-DDTHH:MM:00` of a day number and minutes since midnight (as records store it).
pub fn iso_minute(day: i32, minute: u16) -> String {
    format!("{}T{:02}:{:02}:00", day_iso(day), minute / 60, minute % 60)
}

/// Month index (year × 12 + month − 1) of a day number.
pub fn month_of(day: i32) -> i32 {
    let d = date_of(day);
    d.year * 12 + d.month as i32 - 1
}

/// `YYYY-MM` of a month index.
pub fn month_label(month: i32) -> String {
    format!("{:04}-{:02}", month.div_euclid(12), month.rem_euclid(12) + 1)
}

/// First and last day number of a month index.
pub fn month_days(month: i32) -> (i32, i32) {
    let (y, m) = (month.div_euclid(12), month.rem_euclid(12) as u32 + 1);
    let first = SimpleDate::new(y, m, 1).expect("valid month").days_since_epoch() as i32;
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let next = SimpleDate::new(ny, nm, 1).expect("valid month").days_since_epoch() as i32;
    (first, next - 1)
}

/// Monday-based week number of a day number.
pub fn week_of(day: i32) -> i32 {
    (day + 3).div_euclid(7)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_months_and_labels() {
        let day = parse_day("2026-02-28T09:05:00").unwrap();
        assert_eq!(day_iso(day), "2026-02-28");
        assert_eq!(parse_minute("2026-02-28T09:05:00"), 9 * 60 + 5);
        assert_eq!(time_label(day, 545), "2026-02-28 09:05");
        assert_eq!(iso_minute(day, 545), "2026-02-28T09:05:00");
        assert_eq!(month_label(month_of(day)), "2026-02");
        let (first, last) = month_days(month_of(day));
        assert_eq!((day_iso(first), day_iso(last)), ("2026-02-01".into(), "2026-02-28".into()));
        let (first, last) = month_days(month_of(parse_day("2025-12-10").unwrap()));
        assert_eq!((day_iso(first), day_iso(last)), ("2025-12-01".into(), "2025-12-31".into()));
        // 2026-11-30 is a Monday: it starts a week the previous Sunday does not belong to.
        let monday = parse_day("2026-11-30").unwrap();
        assert_eq!(week_of(monday), week_of(monday + 6));
        assert_ne!(week_of(monday), week_of(monday - 1));
        assert_eq!(parse_day("2026-13-01"), None);
    }

    #[test]
    fn instants() {
        let now = unix_now();
        let parsed = unix_of(&now_rfc3339()).unwrap();
        assert!((parsed - now).abs() <= 1);
        assert!(unix_of(&rfc3339_days_ago(1)).unwrap() <= now - 86_399);
        assert!(unix_of(&rfc3339_in_secs(60)).unwrap() >= now + 59);
        assert_eq!(unix_of("not a time"), None);
    }
}
