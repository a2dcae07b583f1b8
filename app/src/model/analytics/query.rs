//! The URL query codec the dashboard, the customer list and the exports share: decoding a
//! query string into pairs and encoding values back. Filters live in the URL so a view can be
//! shared and the back button works.

use super::{BadFilter, CustomerQuery, Filters};
use crate::error::AppError;

/// Query pairs of a URL query string (`a=1&b=2`, percent-decoded, `+` as space).
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    fn decode(raw: &str) -> String {
        let bytes = raw.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex =
                        std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                    match hex {
                        Some(b) => {
                            out.push(b);
                            i += 2;
                        }
                        None => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

impl From<BadFilter> for AppError {
    fn from(e: BadFilter) -> Self {
        AppError::bad_value(e.param, e.value)
    }
}

impl Filters {
    /// The filters of a URL query string.
    pub fn from_query(query: &str) -> Result<Self, BadFilter> {
        let pairs = query_pairs(query);
        Self::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }
}

impl CustomerQuery {
    /// The customer-list request of a URL query string.
    pub fn from_query(query: &str) -> Result<Self, BadFilter> {
        let pairs = query_pairs(query);
        Self::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }
}

/// Values of one repeated filter kept at most (the chain has a few hundred stores and
/// departments); beyond it values are ignored, so a long query costs linear time.
pub const MAX_FILTER_VALUES: usize = 500;

pub(super) fn push_unique(list: &mut Vec<String>, value: &str) {
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if list.len() >= MAX_FILTER_VALUES {
            return;
        }
        if !list.iter().any(|v| v == part) {
            list.push(part.to_string());
        }
    }
}

/// Percent-encodes a query value (unreserved characters kept).
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_decode() {
        let p = query_pairs("?range=custom&from=2026-01-01&q=maria+rossi&age=65%2B&x");
        assert_eq!(p[0], ("range".into(), "custom".into()));
        assert_eq!(p[2], ("q".into(), "maria rossi".into()));
        assert_eq!(p[3], ("age".into(), "65+".into()));
        assert_eq!(p[4], ("x".into(), String::new()));
        assert_eq!(query_pairs("a=%zz%4")[0].1, "%zz%4");
    }
}
