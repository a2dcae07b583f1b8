//! Typed configuration from environment variables and flags. Every value is checked at
//! startup; a wrong or missing value stops the process with a message naming the variable.
//! `.env.example` documents each one.
//!
//! Values only: imports nothing of the project, so every layer may read it.

use std::net::SocketAddr;
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
}

/// Default monthly discount rate of the predicted 12-month customer value.
pub const DEFAULT_MONTHLY_DISCOUNT: f64 = 0.01;
/// Default bonus points per receipt line on promotion.
pub const DEFAULT_PROMO_BONUS: i64 = 2;

/// Business settings of the loyalty programme and the models.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tuning {
    pub clv_monthly_discount: f64,
    pub promo_bonus_points: i64,
    pub levels: app::model::levels::LevelThresholds,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            clv_monthly_discount: DEFAULT_MONTHLY_DISCOUNT,
            promo_bonus_points: DEFAULT_PROMO_BONUS,
            levels: app::model::levels::LevelThresholds::default(),
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
        Ok(t)
    }
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
    pub log_format: LogFormat,
    pub cookie_secure: bool,
    pub upload_limit_mb: usize,
    pub tuning: Tuning,
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
        Ok(Config {
            environment,
            database_url: s.database_url.clone(),
            data_dir,
            bind,
            log_format,
            cookie_secure,
            upload_limit_mb,
            tuning,
        })
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
        let cases: [(&str, Settings); 8] = [
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
}
