//! Which store to open: `DATABASE_URL` parsed, with a description safe to print.

use std::path::{Path, PathBuf};

use crate::config::{Config, ConfigError};

/// Which store to open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// The embedded SQLite file.
    Sqlite(PathBuf),
    /// A MongoDB connection string.
    Mongo(String),
}

impl DatabaseUrl {
    /// Parses `DATABASE_URL`; `None` or empty means the embedded default in `data_dir`.
    pub fn parse(raw: Option<&str>, data_dir: &Path) -> Result<Self, ConfigError> {
        let raw = raw.map(str::trim).unwrap_or_default();
        if raw.is_empty() {
            return Ok(DatabaseUrl::Sqlite(data_dir.join("imagross.sqlite")));
        }
        if raw.starts_with("mongodb://") || raw.starts_with("mongodb+srv://") {
            return Ok(DatabaseUrl::Mongo(raw.to_string()));
        }
        if let Some(path) = raw.strip_prefix("sqlite://").or_else(|| raw.strip_prefix("sqlite:")) {
            if path.is_empty() {
                return Err(ConfigError::new(
                    "DATABASE_URL",
                    "sqlite: needs a file path, e.g. sqlite:./data/imagross.sqlite",
                ));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        let scheme = raw.split(':').next().unwrap_or_default();
        Err(ConfigError::new(
            "DATABASE_URL",
            format!("unsupported scheme `{scheme}`: use sqlite:PATH, mongodb:// or mongodb+srv://"),
        ))
    }

    /// A description safe to print (no credentials).
    pub fn describe(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => path.display().to_string(),
            DatabaseUrl::Mongo(uri) => {
                let (scheme, rest) = uri.split_once("://").unwrap_or(("mongodb", uri));
                let hosts = rest.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest);
                format!("{scheme}://{}", hosts.split(['/', '?']).next().unwrap_or_default())
            }
        }
    }
}

impl DatabaseUrl {
    /// The store the configuration names.
    pub fn of(config: &Config) -> Result<Self, ConfigError> {
        Self::parse(config.database_url.as_deref(), &config.data_dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls() {
        let d = Path::new("/d");
        assert_eq!(DatabaseUrl::parse(Some("sqlite:/x.db"), d).unwrap(), DatabaseUrl::Sqlite("/x.db".into()));
        assert_eq!(DatabaseUrl::parse(Some("sqlite:///x.db"), d).unwrap(), DatabaseUrl::Sqlite("/x.db".into()));
        assert!(matches!(
            DatabaseUrl::parse(Some("mongodb+srv://u:p@c.example/db"), d).unwrap(),
            DatabaseUrl::Mongo(_)
        ));
        let e = DatabaseUrl::parse(Some("postgres://u:secret@h/db"), d).unwrap_err();
        assert_eq!(e.variable, "DATABASE_URL");
        assert!(e.message.contains("`postgres`") && !e.message.contains("secret"), "{e}");
    }

    #[test]
    fn mongo_description_hides_credentials() {
        let url = DatabaseUrl::Mongo("mongodb://user:pw@h1:27017,h2/db?replicaSet=rs".into());
        assert_eq!(url.describe(), "mongodb://h1:27017,h2");
    }
}
