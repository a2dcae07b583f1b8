//! Logging: `tracing` to stderr, human-readable or JSON lines (`LOG_FORMAT`), filtered by
//! `RUST_LOG` (default `info`). Logs hold no personal data: card numbers are [`masked`] to
//! their last four digits and query strings of requests are redacted ([`redacted_uri`]).

use tracing_subscriber::{fmt, EnvFilter};

use crate::config::LogFormat;

/// Installs the global subscriber once; later calls are ignored.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,tower_http=info"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// A card number as logs show it: the last four digits (`…0015`).
pub fn masked(card: &str) -> String {
    let chars: Vec<char> = card.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("…{tail}")
}

/// A request URI as logs show it: the path, with any query replaced by `?…` (queries carry
/// searched names, emails and phones) and card numbers in the path masked.
pub fn redacted_uri(uri: &http::Uri) -> String {
    let path: Vec<String> = uri
        .path()
        .split('/')
        .map(|seg| {
            let digits = seg.bytes().filter(u8::is_ascii_digit).count();
            if digits >= 8 {
                masked(seg)
            } else {
                seg.to_string()
            }
        })
        .collect();
    let query = if uri.query().is_some() { "?…" } else { "" };
    format!("{}{query}", path.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_show_neither_queries_nor_card_numbers() {
        assert_eq!(masked("2000000000015"), "…0015");
        let uri: http::Uri = "/admin/customers?q=maria%40example.it&page=2".parse().unwrap();
        assert_eq!(redacted_uri(&uri), "/admin/customers?…");
        let uri: http::Uri = "/admin/customers/2000000000015".parse().unwrap();
        assert_eq!(redacted_uri(&uri), "/admin/customers/…0015");
        let uri: http::Uri = "/api/v1/receipts/S01-20250314-2-1001".parse().unwrap();
        assert_eq!(redacted_uri(&uri), "/api/v1/receipts/…1001");
        assert_eq!(redacted_uri(&"/me".parse().unwrap()), "/me");
    }
}
