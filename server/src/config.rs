//! Typed configuration from environment variables and flags. Every value is checked at
//! startup; a wrong or missing value stops the process with a message naming the variable.
//! `.env.example` documents each one.
//!
//! Values only: imports nothing of the project, so every layer may read it.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use clap::Args;

/// Raw settings as given on the command line or in the environment.
#[derive(Args, Debug, Clone, Default)]
pub struct Settings {
    /// Store: unset for the embedded SQLite file in the data dir, `sqlite:PATH`, or a
    /// `mongodb://` / `mongodb+srv://` URL.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Directory for the embedded database and the development JWT secret.
    #[arg(long, env = "IMAGROSS_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// `development` (default) or `production`.
    #[arg(long = "env", env = "IMAGROSS_ENV", global = true)]
    pub environment: Option<String>,
    /// Secret for signing tokens, at least 32 bytes; required in production.
    #[arg(long, env = "JWT_SECRET", global = true, hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Address to listen on (default: LEPTOS_SITE_ADDR, else 127.0.0.1:3000).
    #[arg(long, env = "IMAGROSS_BIND", global = true)]
    pub bind: Option<String>,
    /// Address of the Prometheus `/metrics` listener, apart from the site so it is never public
    /// through the ingress (default 127.0.0.1:9464; `off` for none).
    #[arg(long, env = "IMAGROSS_METRICS_BIND", global = true)]
    pub metrics_bind: Option<String>,
    /// `pretty` (default) or `json`.
    #[arg(long, env = "LOG_FORMAT", global = true)]
    pub log_format: Option<String>,
    /// Largest admin upload in MB (default 2048).
    #[arg(long, env = "IMAGROSS_UPLOAD_LIMIT_MB", global = true)]
    pub upload_limit_mb: Option<String>,
    /// `true` or `false`: mark cookies `Secure` (default: true in production).
    #[arg(long, env = "COOKIE_SECURE", global = true)]
    pub cookie_secure: Option<String>,
    /// Monthly discount rate of the predicted 12-month value (default 0.01).
    #[arg(long, env = "IMAGROSS_CLV_MONTHLY_DISCOUNT", global = true)]
    pub clv_monthly_discount: Option<String>,
    /// Bonus points per receipt line on promotion (default 2).
    #[arg(long, env = "IMAGROSS_PROMO_BONUS_POINTS", global = true)]
    pub promo_bonus_points: Option<String>,
    /// Points in 12 months for Argento, Oro and Platino, e.g. `500,1500,3000` (the default).
    #[arg(long, env = "IMAGROSS_LEVELS", global = true)]
    pub levels: Option<String>,
    /// Proxies trusted for the client address, a CIDR list such as `10.0.0.0/8,fd00::/8`.
    #[arg(long, env = "IMAGROSS_TRUSTED_PROXIES", global = true)]
    pub trusted_proxies: Option<String>,
    /// The public origin of the site, e.g. `https://fedelta.imagross.it`.
    #[arg(long, env = "IMAGROSS_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Days a session lasts at most since its login (default 30).
    #[arg(long, env = "IMAGROSS_SESSION_MAX_DAYS", global = true)]
    pub session_max_days: Option<String>,
    /// Password hashes computed at once, 19 MiB each (default half the cores, 1 to 8).
    #[arg(long, env = "IMAGROSS_HASH_SLOTS", global = true)]
    pub hash_slots: Option<String>,
    /// Signups per client address per hour (default 20).
    #[arg(long, env = "IMAGROSS_SIGNUPS_PER_HOUR", global = true)]
    pub signups_per_hour: Option<String>,
    /// Largest receipt a till may send, in euros (default 5000).
    #[arg(long, env = "IMAGROSS_TILL_MAX_RECEIPT_EUR", global = true)]
    pub till_max_receipt_eur: Option<String>,
    /// Receipts one till key may send per minute (default 600).
    #[arg(long, env = "IMAGROSS_TILL_RECEIPTS_PER_MINUTE", global = true)]
    pub till_receipts_per_minute: Option<String>,
    /// Departments (codes or names) and products (codes) that earn no points, comma-separated
    /// (default: Tabacchi, Lotterie, Ricariche telefoniche, Carte regalo, Latte per l'infanzia).
    #[arg(long, env = "IMAGROSS_NO_POINTS", global = true)]
    pub no_points: Option<String>,
    /// Days an import's rejected rows are kept (default 90).
    #[arg(long, env = "IMAGROSS_IMPORT_ERROR_RETENTION_DAYS", global = true)]
    pub import_error_retention_days: Option<String>,
    /// Collection periods after which unspent points expire: `yearly` (each calendar year) or
    /// `START:END` dates, comma-separated, each at most five years (default: none, points never
    /// expire).
    #[arg(long, env = "IMAGROSS_POINTS_PERIODS", global = true)]
    pub points_periods: Option<String>,
    /// Days after a collection period's end in which its points may still be spent (default 60).
    #[arg(long, env = "IMAGROSS_POINTS_GRACE_DAYS", global = true)]
    pub points_grace_days: Option<String>,
    /// Days a voucher is valid from its redemption (default 60).
    #[arg(long, env = "IMAGROSS_VOUCHER_DAYS", global = true)]
    pub voucher_days: Option<String>,
    /// The mail server announcing campaigns: `smtp://host:port` (STARTTLS when offered),
    /// `smtps://user:password@host:465`; unset: mails wait in the outbox.
    #[arg(long, env = "SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of campaign mails (default `ImaGross <offerte@imagross.it>`).
    #[arg(long, env = "SMTP_FROM", global = true)]
    pub smtp_from: Option<String>,
}

/// Where campaign mails go.
#[derive(Clone, Debug, PartialEq)]
pub struct Mail {
    /// `SMTP_URL`.
    pub url: String,
    /// `SMTP_FROM`.
    pub from: String,
}

/// The default sender of campaign mails.
pub const DEFAULT_MAIL_FROM: &str = "ImaGross <offerte@imagross.it>";

/// Default monthly discount rate of the predicted 12-month customer value.
pub const DEFAULT_MONTHLY_DISCOUNT: f64 = 0.01;
/// Default bonus points per receipt line on promotion.
pub const DEFAULT_PROMO_BONUS: i64 = 2;

/// Default days a voucher is valid.
pub const DEFAULT_VOUCHER_DAYS: i64 = 60;
/// Default days after a collection period in which its points may still be spent.
pub const DEFAULT_GRACE_DAYS: i32 = 60;

/// When unspent points expire: at the end of the collection period they were earned in, plus a
/// grace period to spend them. Day numbers since 1970-01-01.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExpiryPolicy {
    /// Explicit periods (first day, last day), in order, not overlapping; points earned outside
    /// every period never expire.
    pub periods: Vec<(i32, i32)>,
    /// Each calendar year is a period (instead of explicit ones).
    pub yearly: bool,
    pub grace_days: i32,
}

impl ExpiryPolicy {
    /// `yearly`, or `START:END` ISO dates, comma-separated; `grace_days` after each end.
    pub fn parse(periods: &str, grace_days: i32) -> Result<ExpiryPolicy, String> {
        use app::validate::date::SimpleDate;
        let mut policy = ExpiryPolicy { grace_days, ..ExpiryPolicy::default() };
        for part in periods.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part.eq_ignore_ascii_case("yearly") {
                policy.yearly = true;
                continue;
            }
            let day = |raw: &str| SimpleDate::parse_iso(raw.trim()).map(|d| d.days_since_epoch() as i32);
            let (start, end) = match part.split_once(':') {
                Some((a, b)) => match (day(a), day(b)) {
                    (Some(a), Some(b)) => (a, b),
                    _ => return Err(format!("`{part}`: expected START:END dates like 2026-01-01:2026-12-31")),
                },
                None => return Err(format!("`{part}`: expected START:END dates or `yearly`")),
            };
            if end < start {
                return Err(format!("`{part}`: the period ends before it starts"));
            }
            let from = SimpleDate::from_days_since_epoch(i64::from(start));
            let five_years = SimpleDate::new(from.year + 5, from.month, from.day)
                .or_else(|| SimpleDate::new(from.year + 5, 3, 1))
                .map_or(i32::MAX, |d| d.days_since_epoch() as i32);
            if end >= five_years {
                return Err(format!("`{part}`: a collection lasts at most five years (DPR 430/2001)"));
            }
            if policy.periods.last().is_some_and(|(_, last)| *last >= start) {
                return Err(format!("`{part}`: periods must be in order and must not overlap"));
            }
            policy.periods.push((start, end));
        }
        if policy.yearly && !policy.periods.is_empty() {
            return Err("use `yearly` or START:END periods, not both".into());
        }
        Ok(policy)
    }

    /// True when points never expire.
    pub fn is_off(&self) -> bool {
        self.periods.is_empty() && !self.yearly
    }

    /// The collection period (first and last day) that `day` falls in, if any.
    pub fn period_of(&self, day: i32) -> Option<(i32, i32)> {
        if self.yearly {
            return Some(year_of(day));
        }
        self.periods.iter().find(|(s, e)| *s <= day && day <= *e).copied()
    }

    /// The last spending day of the latest period whose points have expired by `today`.
    pub fn last_expiry_before(&self, today: i32) -> Option<i32> {
        let mut ends: Vec<i32> = self.periods.iter().map(|(_, e)| *e).collect();
        if self.yearly {
            use app::validate::date::SimpleDate;
            let year = SimpleDate::from_days_since_epoch(i64::from(today)).year;
            ends.extend(
                (year - 20..=year).filter_map(|y| SimpleDate::new(y, 12, 31)).map(|d| d.days_since_epoch() as i32),
            );
        }
        ends.into_iter().map(|e| self.last_spending_day(e)).filter(|d| *d < today).max()
    }

    /// The last day its points may be spent, of a period ending on `end`.
    pub fn last_spending_day(&self, end: i32) -> i32 {
        end + self.grace_days
    }
}

/// The calendar year (first and last day) of `day`.
fn year_of(day: i32) -> (i32, i32) {
    use app::validate::date::SimpleDate;
    let year = SimpleDate::from_days_since_epoch(i64::from(day)).year;
    let first = |y: i32| SimpleDate::new(y, 1, 1).map_or(day, |d| d.days_since_epoch() as i32);
    (first(year), first(year + 1) - 1)
}

/// Business settings of the loyalty programme and the models.
#[derive(Clone, Debug, PartialEq)]
pub struct Tuning {
    pub clv_monthly_discount: f64,
    pub promo_bonus_points: i64,
    pub levels: app::model::levels::LevelThresholds,
    /// When unspent points expire.
    pub expiry: ExpiryPolicy,
    /// Days a voucher is valid.
    pub voucher_days: i64,
    /// The mail server (`None`: mails wait in the outbox).
    pub mail: Option<Mail>,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            clv_monthly_discount: DEFAULT_MONTHLY_DISCOUNT,
            promo_bonus_points: DEFAULT_PROMO_BONUS,
            levels: app::model::levels::LevelThresholds::default(),
            expiry: ExpiryPolicy { grace_days: DEFAULT_GRACE_DAYS, ..ExpiryPolicy::default() },
            voucher_days: DEFAULT_VOUCHER_DAYS,
            mail: None,
        }
    }
}

impl Tuning {
    fn from_settings(s: &Settings) -> Result<Self, ConfigError> {
        let mut t = Tuning::default();
        if let Some(v) = s.clv_monthly_discount.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            t.clv_monthly_discount = v.parse::<f64>().ok().filter(|r| (0.0..1.0).contains(r)).ok_or_else(|| {
                err("IMAGROSS_CLV_MONTHLY_DISCOUNT", format!("expected a rate from 0 to 1 such as 0.01, got `{v}`"))
            })?;
        }
        if let Some(v) = s.promo_bonus_points.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            t.promo_bonus_points = v.parse::<i64>().ok().filter(|n| (0..=1000).contains(n)).ok_or_else(|| {
                err("IMAGROSS_PROMO_BONUS_POINTS", format!("expected whole points from 0 to 1000, got `{v}`"))
            })?;
        }
        if let Some(v) = s.levels.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            let parts: Vec<u32> = v.split(',').filter_map(|p| p.trim().parse().ok()).collect();
            match parts.as_slice() {
                [silver, gold, platinum] if 0 < *silver && silver < gold && gold < platinum => {
                    t.levels =
                        app::model::levels::LevelThresholds { silver: *silver, gold: *gold, platinum: *platinum };
                }
                _ => {
                    return Err(err(
                        "IMAGROSS_LEVELS",
                        format!("expected three increasing point thresholds like 500,1500,3000, got `{v}`"),
                    ))
                }
            }
        }
        if let Some(days) = number("IMAGROSS_VOUCHER_DAYS", s.voucher_days.as_deref(), 1..=3650, "days from 1 to 3650")?
        {
            t.voucher_days = days;
        }
        if let Some(url) = s.smtp_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(err("SMTP_URL", "expected smtp://host:port or smtps://user:password@host:465"));
            }
            let from = s.smtp_from.as_deref().map(str::trim).filter(|f| !f.is_empty()).unwrap_or(DEFAULT_MAIL_FROM);
            t.mail = Some(Mail { url: url.to_string(), from: from.to_string() });
        }
        let grace =
            number("IMAGROSS_POINTS_GRACE_DAYS", s.points_grace_days.as_deref(), 0..=3650, "days from 0 to 3650")?
                .unwrap_or(DEFAULT_GRACE_DAYS);
        t.expiry = ExpiryPolicy::parse(s.points_periods.as_deref().unwrap_or(""), grace)
            .map_err(|m| err("IMAGROSS_POINTS_PERIODS", m))?;
        Ok(t)
    }
}

/// A network in CIDR notation (`10.0.0.0/8`, `fd00::/8`, or one address).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    pub network: IpAddr,
    pub prefix: u8,
}

impl Cidr {
    /// Parses `a.b.c.d/n`, `x::y/n` or a bare address (a /32 or /128).
    pub fn parse(text: &str) -> Option<Cidr> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (text.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Cidr { network: addr, prefix })
    }

    /// True when `ip` lies in this network (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(&n.octets(), &a.octets(), self.prefix),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(&n.octets(), &a.octets(), self.prefix),
            _ => false,
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let bits = usize::from(prefix);
    let (whole, rest) = (bits / 8, bits % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    rest == 0 || {
        let mask = 0xff_u8 << (8 - rest);
        a[whole] & mask == b[whole] & mask
    }
}

/// Limits and policies that protect the service from abuse and keep personal data short-lived.
/// Every value has a safe default; the environment variables change them.
#[derive(Clone, Debug, PartialEq)]
pub struct Protection {
    /// Proxies whose `X-Forwarded-For` / `Forwarded` headers are believed
    /// (`IMAGROSS_TRUSTED_PROXIES`, a comma-separated CIDR list; default none).
    pub trusted_proxies: Vec<Cidr>,
    /// The public origin (`https://fedelta.imagross.it`) writes must come from
    /// (`IMAGROSS_PUBLIC_URL`); unset: the request's own `Host`.
    pub public_origin: Option<String>,
    /// A session ends this many days after its login, however often it is refreshed
    /// (`IMAGROSS_SESSION_MAX_DAYS`, default 30).
    pub session_max_days: u32,
    /// Password hashes computed at once (19 MiB each; `IMAGROSS_HASH_SLOTS`, default half the
    /// cores, 1 to 8: the other half keeps serving pages during a flood of logins).
    pub hash_slots: usize,
    /// How long a request waits for a hashing slot before a 503 (seconds).
    pub hash_wait_secs: u64,
    /// Signups allowed per client address per hour (`IMAGROSS_SIGNUPS_PER_HOUR`, default 20).
    pub signups_per_hour: usize,
    /// Largest receipt a till may send, in cents (`IMAGROSS_TILL_MAX_RECEIPT_EUR`, default 5,000).
    pub till_max_receipt_cents: i64,
    /// Receipts one till key may send per minute (`IMAGROSS_TILL_RECEIPTS_PER_MINUTE`, default 600).
    pub till_receipts_per_minute: usize,
    /// Days an import's rejected rows are kept (`IMAGROSS_IMPORT_ERROR_RETENTION_DAYS`, default 90).
    pub import_error_retention_days: u32,
}

impl Default for Protection {
    fn default() -> Self {
        Protection {
            trusted_proxies: Vec::new(),
            public_origin: None,
            session_max_days: 30,
            hash_slots: default_hash_slots(),
            hash_wait_secs: 5,
            signups_per_hour: 20,
            till_max_receipt_cents: 500_000,
            till_receipts_per_minute: 600,
            import_error_retention_days: 90,
        }
    }
}

/// Half the machine's cores, from 1 to 8.
pub fn default_hash_slots() -> usize {
    (std::thread::available_parallelism().map_or(2, |n| n.get()) / 2).clamp(1, 8)
}

fn number<T: std::str::FromStr + PartialOrd>(
    variable: &'static str,
    value: Option<&str>,
    range: std::ops::RangeInclusive<T>,
    what: &str,
) -> Result<Option<T>, ConfigError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<T>()
            .ok()
            .filter(|n| range.contains(n))
            .map(Some)
            .ok_or_else(|| err(variable, format!("expected {what}, got `{v}`"))),
    }
}

impl Protection {
    fn from_settings(s: &Settings) -> Result<Self, ConfigError> {
        let mut p = Protection::default();
        if let Some(list) = s.trusted_proxies.as_deref() {
            for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let cidr = Cidr::parse(part).ok_or_else(|| {
                    err("IMAGROSS_TRUSTED_PROXIES", format!("`{part}` is not a network like 10.0.0.0/8 or fd00::/8"))
                })?;
                p.trusted_proxies.push(cidr);
            }
        }
        if let Some(url) = s.public_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            p.public_origin = Some(origin_of(url).ok_or_else(|| {
                err("IMAGROSS_PUBLIC_URL", format!("expected an origin like https://fedelta.imagross.it, got `{url}`"))
            })?);
        }
        let days = "a number of days from 1 to 365";
        if let Some(d) = number("IMAGROSS_SESSION_MAX_DAYS", s.session_max_days.as_deref(), 1..=365, days)? {
            p.session_max_days = d;
        }
        if let Some(n) = number("IMAGROSS_HASH_SLOTS", s.hash_slots.as_deref(), 1..=256, "a number from 1 to 256")? {
            p.hash_slots = n;
        }
        if let Some(n) =
            number("IMAGROSS_SIGNUPS_PER_HOUR", s.signups_per_hour.as_deref(), 1..=100_000, "a number of signups")?
        {
            p.signups_per_hour = n;
        }
        if let Some(n) = number(
            "IMAGROSS_TILL_MAX_RECEIPT_EUR",
            s.till_max_receipt_eur.as_deref(),
            1..=10_000_000,
            "whole euros from 1 to 10000000",
        )? {
            p.till_max_receipt_cents = n * 100;
        }
        if let Some(n) = number(
            "IMAGROSS_TILL_RECEIPTS_PER_MINUTE",
            s.till_receipts_per_minute.as_deref(),
            1..=1_000_000,
            "a number of receipts",
        )? {
            p.till_receipts_per_minute = n;
        }
        if let Some(d) = number(
            "IMAGROSS_IMPORT_ERROR_RETENTION_DAYS",
            s.import_error_retention_days.as_deref(),
            1..=3650,
            "a number of days from 1 to 3650",
        )? {
            p.import_error_retention_days = d;
        }
        Ok(p)
    }
}

/// `scheme://host[:port]` of a URL, lower-cased; `None` unless http or https.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

/// A configuration error naming the variable at fault.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl ConfigError {
    /// An error naming `variable`.
    pub fn new(variable: &'static str, message: impl Into<String>) -> Self {
        ConfigError { variable, message: message.into() }
    }
}

fn err(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::new(variable, message)
}

/// Where the process runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// Log output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// The JWT signing secret (never printed).
#[derive(Clone)]
pub struct JwtSecret(Vec<u8>);

impl JwtSecret {
    /// Minimum length in bytes (256 bits).
    pub const MIN_BYTES: usize = 32;

    /// A secret from raw bytes (at least [`JwtSecret::MIN_BYTES`]).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, ConfigError> {
        if bytes.len() < Self::MIN_BYTES {
            return Err(err("JWT_SECRET", format!("must be at least {} bytes", Self::MIN_BYTES)));
        }
        Ok(JwtSecret(bytes))
    }

    /// The raw key bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtSecret(…)")
    }
}

/// The checked configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub environment: Environment,
    /// `DATABASE_URL` as given (parsed by the store's `DatabaseUrl::of`).
    pub database_url: Option<String>,
    pub data_dir: PathBuf,
    pub bind: Option<SocketAddr>,
    /// Where `/metrics` listens (`None`: off).
    pub metrics_bind: Option<SocketAddr>,
    pub log_format: LogFormat,
    pub cookie_secure: bool,
    pub upload_limit_mb: usize,
    pub tuning: Tuning,
    pub protection: Protection,
    /// What earns no points, as given (`IMAGROSS_NO_POINTS`); unset: the programme's default.
    pub no_points: Option<String>,
    /// True when `IMAGROSS_ENV` was given rather than defaulted.
    pub environment_explicit: bool,
}

impl Config {
    /// Checks every setting; the first problem is returned naming its variable.
    pub fn from_settings(s: &Settings) -> Result<Self, ConfigError> {
        let environment = match s.environment.as_deref().map(str::trim) {
            None | Some("") | Some("development") | Some("dev") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => {
                return Err(err("IMAGROSS_ENV", format!("expected development or production, got `{other}`")))
            }
        };
        let data_dir = s.data_dir.clone().unwrap_or_else(|| PathBuf::from("./data"));
        let bind = match s.bind.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
            None => None,
            Some(b) => Some(
                b.parse().map_err(|_| err("IMAGROSS_BIND", format!("`{b}` is not an address like 127.0.0.1:3000")))?,
            ),
        };
        let metrics_bind = match s.metrics_bind.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
            None => Some(SocketAddr::from(([127, 0, 0, 1], 9464))),
            Some("off") => None,
            Some(b) => Some(b.parse().map_err(|_| {
                err("IMAGROSS_METRICS_BIND", format!("`{b}` is not an address like 0.0.0.0:9464 (or `off`)"))
            })?),
        };
        let log_format = match s.log_format.as_deref().map(str::trim) {
            None | Some("") | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(err("LOG_FORMAT", format!("expected pretty or json, got `{other}`"))),
        };
        let cookie_secure = match s.cookie_secure.as_deref().map(str::trim) {
            None | Some("") => environment == Environment::Production,
            Some("true") | Some("1") => true,
            Some("false") | Some("0") => false,
            Some(other) => return Err(err("COOKIE_SECURE", format!("expected true or false, got `{other}`"))),
        };
        let upload_limit_mb =
            match s.upload_limit_mb.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                None => 2048,
                Some(v) => v.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    err("IMAGROSS_UPLOAD_LIMIT_MB", format!("expected a number of megabytes, got `{v}`"))
                })?,
            };
        if environment == Environment::Production && s.jwt_secret.as_deref().unwrap_or_default().is_empty() {
            return Err(err("JWT_SECRET", "required when IMAGROSS_ENV=production"));
        }
        let tuning = Tuning::from_settings(s)?;
        let protection = Protection::from_settings(s)?;
        let environment_explicit = s.environment.as_deref().is_some_and(|e| !e.trim().is_empty());
        Ok(Config {
            protection,
            no_points: s.no_points.clone().filter(|v| !v.trim().is_empty()),
            environment_explicit,
            environment,
            database_url: s.database_url.clone(),
            data_dir,
            bind,
            metrics_bind,
            log_format,
            cookie_secure,
            upload_limit_mb,
            tuning,
        })
    }

    /// Every setting that is unsafe on a server reachable by the public, named, for the loud
    /// warning at start. Empty when `IMAGROSS_ENV=development` was chosen explicitly (a
    /// developer's machine) or nothing is unsafe.
    pub fn insecure_settings(&self, jwt_secret_given: bool) -> Vec<String> {
        if self.environment == Environment::Development && self.environment_explicit {
            return Vec::new();
        }
        let mut unsafe_settings = Vec::new();
        if self.environment == Environment::Development {
            unsafe_settings.push("IMAGROSS_ENV is not set: development defaults are in force".to_string());
        }
        if !self.cookie_secure {
            unsafe_settings.push("COOKIE_SECURE=false: session cookies travel without `Secure` or `__Host-`".into());
        }
        if !jwt_secret_given {
            unsafe_settings
                .push("JWT_SECRET is not set: a secret generated in the data directory signs sessions".into());
        }
        if self.protection.public_origin.is_none() {
            unsafe_settings
                .push("IMAGROSS_PUBLIC_URL is not set: writes are checked against the request's Host".into());
        }
        unsafe_settings
    }

    /// The JWT secret: `JWT_SECRET` if given (at least 32 bytes), else in development a
    /// random secret generated once and kept in `<data dir>/jwt_secret` with mode 0600.
    pub fn jwt_secret(&self, given: Option<&str>) -> Result<JwtSecret, ConfigError> {
        if let Some(secret) = given.filter(|s| !s.is_empty()) {
            if secret.len() < JwtSecret::MIN_BYTES {
                return Err(err("JWT_SECRET", format!("must be at least {} bytes", JwtSecret::MIN_BYTES)));
            }
            return Ok(JwtSecret(secret.as_bytes().to_vec()));
        }
        if self.environment == Environment::Production {
            return Err(err("JWT_SECRET", "required when IMAGROSS_ENV=production"));
        }
        load_or_create_dev_secret(&self.data_dir.join("jwt_secret")).map(JwtSecret)
    }
}

fn load_or_create_dev_secret(path: &Path) -> Result<Vec<u8>, ConfigError> {
    let io = |e: std::io::Error| err("IMAGROSS_DATA_DIR", format!("{}: {e}", path.display()));
    if let Ok(existing) = std::fs::read_to_string(path) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(err(
                    "IMAGROSS_DATA_DIR",
                    format!(
                        "{}: the secret is readable by other users (mode {mode:o}); run `chmod 600 {}`",
                        path.display(),
                        path.display()
                    ),
                ));
            }
        }
        let bytes = hex::decode(existing.trim())
            .map_err(|_| err("IMAGROSS_DATA_DIR", format!("{}: not a hex secret", path.display())))?;
        if bytes.len() < JwtSecret::MIN_BYTES {
            return Err(err("IMAGROSS_DATA_DIR", format!("{}: secret too short", path.display())));
        }
        return Ok(bytes);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let bytes: [u8; 64] = rand::random();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io)?;
    std::io::Write::write_all(&mut file, hex::encode(bytes).as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(bytes.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings::default()
    }

    #[test]
    fn defaults_are_development_sqlite_in_data_dir() {
        let c = Config::from_settings(&settings()).unwrap();
        assert_eq!(c.environment, Environment::Development);
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.log_format, LogFormat::Pretty);
        assert!(!c.cookie_secure);
        assert_eq!(c.tuning, Tuning::default());
        let t = Config::from_settings(&Settings {
            levels: Some("100, 200,300".into()),
            promo_bonus_points: Some("5".into()),
            clv_monthly_discount: Some("0.02".into()),
            ..settings()
        })
        .unwrap()
        .tuning;
        assert_eq!(
            (t.levels.silver, t.levels.gold, t.levels.platinum, t.promo_bonus_points, t.clv_monthly_discount),
            (100, 200, 300, 5, 0.02)
        );
    }

    #[test]
    fn wrong_values_name_their_variable() {
        let cases: [(&str, Settings); 9] = [
            ("IMAGROSS_METRICS_BIND", Settings { metrics_bind: Some("public".into()), ..settings() }),
            ("IMAGROSS_ENV", Settings { environment: Some("staging".into()), ..settings() }),
            ("LOG_FORMAT", Settings { log_format: Some("xml".into()), ..settings() }),
            ("COOKIE_SECURE", Settings { cookie_secure: Some("yes".into()), ..settings() }),
            ("IMAGROSS_BIND", Settings { bind: Some("nowhere".into()), ..settings() }),
            ("IMAGROSS_UPLOAD_LIMIT_MB", Settings { upload_limit_mb: Some("lots".into()), ..settings() }),
            ("IMAGROSS_CLV_MONTHLY_DISCOUNT", Settings { clv_monthly_discount: Some("1.5".into()), ..settings() }),
            ("IMAGROSS_PROMO_BONUS_POINTS", Settings { promo_bonus_points: Some("-1".into()), ..settings() }),
            ("IMAGROSS_LEVELS", Settings { levels: Some("1500,500,3000".into()), ..settings() }),
        ];
        for (variable, s) in cases {
            assert_eq!(Config::from_settings(&s).unwrap_err().variable, variable);
        }
    }

    #[test]
    fn production_requires_a_long_jwt_secret() {
        let prod = Settings { environment: Some("production".into()), ..settings() };
        assert_eq!(Config::from_settings(&prod).unwrap_err().variable, "JWT_SECRET");
        let short = Settings { jwt_secret: Some("short".into()), ..prod.clone() };
        let config = Config::from_settings(&short).unwrap();
        assert!(config.cookie_secure);
        assert_eq!(config.jwt_secret(Some("short")).unwrap_err().variable, "JWT_SECRET");
        assert_eq!(config.jwt_secret(Some(&"k".repeat(32))).unwrap().bytes().len(), 32);
    }

    #[test]
    fn development_secret_is_generated_once_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings { data_dir: Some(dir.path().to_path_buf()), ..settings() };
        let config = Config::from_settings(&s).unwrap();
        let first = config.jwt_secret(None).unwrap();
        let second = config.jwt_secret(None).unwrap();
        assert_eq!(first.bytes(), second.bytes());
        assert!(first.bytes().len() >= JwtSecret::MIN_BYTES);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("jwt_secret")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_secret_file_readable_by_others_stops_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings { data_dir: Some(dir.path().to_path_buf()), ..settings() };
        let config = Config::from_settings(&s).unwrap();
        config.jwt_secret(None).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = dir.path().join("jwt_secret");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = config.jwt_secret(None).unwrap_err();
            assert!(e.message.contains("readable by other users") && e.message.contains("chmod 600"), "{e}");
        }
    }

    #[test]
    fn the_secret_is_measured_in_bytes() {
        let config = Config::from_settings(&settings()).unwrap();
        // 16 two-byte characters are 32 bytes: enough; 31 ASCII bytes are not.
        assert_eq!(config.jwt_secret(Some(&"é".repeat(16))).unwrap().bytes().len(), 32);
        assert!(config.jwt_secret(Some(&"k".repeat(31))).is_err());
    }

    #[test]
    fn insecure_settings_are_named_unless_development_is_explicit() {
        let defaulted = Config::from_settings(&settings()).unwrap();
        let named = defaulted.insecure_settings(false).join("\n");
        for v in ["IMAGROSS_ENV", "COOKIE_SECURE", "JWT_SECRET", "IMAGROSS_PUBLIC_URL"] {
            assert!(named.contains(v), "{v} missing from {named}");
        }
        let explicit =
            Config::from_settings(&Settings { environment: Some("development".into()), ..settings() }).unwrap();
        assert!(explicit.insecure_settings(false).is_empty());
        let prod = Config::from_settings(&Settings {
            environment: Some("production".into()),
            jwt_secret: Some("k".repeat(32)),
            public_url: Some("https://fedelta.imagross.it/".into()),
            ..settings()
        })
        .unwrap();
        assert!(prod.insecure_settings(true).is_empty());
        assert_eq!(prod.protection.public_origin.as_deref(), Some("https://fedelta.imagross.it"));
    }

    #[test]
    fn protection_settings_parse_and_name_their_variable() {
        let p = Config::from_settings(&Settings {
            trusted_proxies: Some("10.0.0.0/8, fd00::/8,192.168.1.7".into()),
            session_max_days: Some("7".into()),
            till_max_receipt_eur: Some("1000".into()),
            ..settings()
        })
        .unwrap()
        .protection;
        assert_eq!(p.trusted_proxies.len(), 3);
        assert!(p.trusted_proxies[0].contains("10.1.2.3".parse().unwrap()));
        assert!(p.trusted_proxies[0].contains("::ffff:10.1.2.3".parse().unwrap()), "IPv4-mapped");
        assert!(!p.trusted_proxies[0].contains("11.0.0.1".parse().unwrap()));
        assert!(p.trusted_proxies[1].contains("fd12::1".parse().unwrap()));
        assert!(p.trusted_proxies[2].contains("192.168.1.7".parse().unwrap()));
        assert!(!p.trusted_proxies[2].contains("192.168.1.8".parse().unwrap()));
        assert_eq!((p.session_max_days, p.till_max_receipt_cents), (7, 100_000));
        let cases: [(&str, Settings); 4] = [
            ("IMAGROSS_TRUSTED_PROXIES", Settings { trusted_proxies: Some("10.0.0.0/33".into()), ..settings() }),
            ("IMAGROSS_PUBLIC_URL", Settings { public_url: Some("ftp://x".into()), ..settings() }),
            ("IMAGROSS_SESSION_MAX_DAYS", Settings { session_max_days: Some("0".into()), ..settings() }),
            ("IMAGROSS_HASH_SLOTS", Settings { hash_slots: Some("many".into()), ..settings() }),
        ];
        for (variable, s) in cases {
            assert_eq!(Config::from_settings(&s).unwrap_err().variable, variable);
        }
    }
}
