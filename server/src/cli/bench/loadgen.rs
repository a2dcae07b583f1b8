//! Simulated tills for the load benchmark and the fault test: deterministic receipts, a
//! minimal keep-alive HTTP/1.1 client that retries until a receipt is acknowledged (as a real
//! till would, across server restarts), and the check that every acknowledged receipt is stored
//! exactly once with the right points.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::store::model::{ApiReceipt, PointsEntry, Receipt};
use crate::store::{Store, StoreExt, Table};

/// What a receipt sent by a simulated till should leave in the store.
#[derive(Clone, Debug, PartialEq)]
pub struct Expected {
    pub id: String,
    pub net_cents: i64,
    pub lines: usize,
    pub card: Option<String>,
    /// `earn:` points (1 per euro + bonus per promotion line).
    pub points: i64,
}

/// Receipt `n` of till `till` at `store` on `day` (`YYYY-MM-DD`): 1 to 12 lines, every third
/// line on promotion, a card from `cards` for two receipts in three.
pub fn receipt(store: &str, till: u32, n: u64, day: &str, cards: &[String], promo_bonus: i64) -> (Value, Expected) {
    let mut x = n
        .wrapping_mul(6364136223846793005)
        .wrapping_add(u64::from(till).wrapping_mul(1442695040888963407).wrapping_add(1));
    let mut next = |m: u64| {
        x ^= x >> 29;
        x = x.wrapping_mul(0xbf58476d1ce4e5b9);
        x ^= x >> 32;
        x % m
    };
    let count = 1 + next(12) as usize;
    let mut lines = Vec::with_capacity(count);
    let (mut net, mut promo) = (0i64, 0i64);
    for l in 1..=count {
        let cents = 50 + next(1_500) as i64;
        let on_promotion = l % 3 == 0;
        promo += i64::from(on_promotion);
        net += cents;
        let mut line = json!({
            "line_no": l,
            "ean": format!("80{:011}", next(5_000)),
            "quantity_milli": 1000,
            "net_cents": cents,
            "department_id": format!("D{:02}", next(12)),
        });
        if on_promotion {
            line["promotion_id"] = json!("LIVE-3X2");
            line["discount_cents"] = json!(30);
        }
        lines.push(line);
    }
    let card = (!cards.is_empty() && !n.is_multiple_of(3)).then(|| cards[next(cards.len() as u64) as usize].clone());
    let minute = n % (14 * 60);
    let body = json!({
        "store_id": store,
        "issued_at": format!("{day}T{:02}:{:02}:{:02}", 7 + minute / 60, minute % 60, n % 60),
        "till": till.to_string(),
        "number": n.to_string(),
        "card_number": card,
        "net_cents": net,
        "lines": lines,
    });
    let id = format!("{store}-{}-{till}-{n}", day.replace('-', ""));
    let points = if card.is_some() { net / 100 + promo_bonus * promo } else { 0 };
    (body, Expected { id, net_cents: net, lines: count, card, points })
}

/// A keep-alive HTTP/1.1 connection that reconnects when needed.
pub struct Conn {
    addr: SocketAddr,
    stream: Option<BufReader<TcpStream>>,
    /// The `Set-Cookie` values of the last response (name=value only).
    pub cookies: Vec<String>,
}

impl Conn {
    /// A connection to `addr` (opened on first use).
    pub fn new(addr: SocketAddr) -> Self {
        Conn { addr, stream: None, cookies: Vec::new() }
    }

    /// One request; any I/O error drops the connection.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        key: &str,
        body: &[u8],
    ) -> std::io::Result<(u16, Vec<u8>)> {
        let result = self.try_request(method, path, key, body).await;
        if result.is_err() {
            self.stream = None;
        }
        result
    }

    /// A form post of a logged-in browser (session `cookie`, the site's own `Origin`).
    pub async fn form(&mut self, path: &str, cookie: &str, body: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        let extra = format!("Cookie: {cookie}\r\nOrigin: http://{}\r\n", self.addr);
        let result = self.send(&format!("POST {path}"), &extra, "application/x-www-form-urlencoded", body).await;
        if result.is_err() {
            self.stream = None;
        }
        result
    }

    async fn try_request(
        &mut self,
        method: &str,
        path: &str,
        key: &str,
        body: &[u8],
    ) -> std::io::Result<(u16, Vec<u8>)> {
        self.send(&format!("{method} {path}"), &format!("Authorization: Bearer {key}\r\n"), "application/json", body)
            .await
    }

    async fn send(
        &mut self,
        request_line: &str,
        extra_headers: &str,
        content_type: &str,
        body: &[u8],
    ) -> std::io::Result<(u16, Vec<u8>)> {
        if self.stream.is_none() {
            let s = TcpStream::connect(self.addr).await?;
            s.set_nodelay(true)?;
            self.stream = Some(BufReader::new(s));
        }
        self.cookies.clear();
        let stream = self.stream.as_mut().expect("connected above");
        let head = format!(
            "{request_line} HTTP/1.1\r\nHost: {}\r\n{extra_headers}Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            self.addr,
            body.len()
        );
        stream.get_mut().write_all(head.as_bytes()).await?;
        stream.get_mut().write_all(body).await?;
        let mut status_line = String::new();
        if stream.read_line(&mut status_line).await? == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed"));
        }
        let status: u16 = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if stream.read_line(&mut line).await? == 0 {
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed"));
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let lower = l.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            } else if lower.starts_with("set-cookie:") {
                let v = l["set-cookie:".len()..].trim();
                self.cookies.push(v.split(';').next().unwrap_or_default().to_string());
            }
        }
        let mut buf = vec![0u8; length];
        stream.read_exact(&mut buf).await?;
        Ok((status, buf))
    }
}

/// The outcome of sending one receipt until it is acknowledged.
#[derive(Debug)]
pub struct Sent {
    /// 201 (stored) or 200 (a retry answered with the first result).
    pub status: u16,
    pub ack: Value,
    pub attempts: u32,
    /// From the first attempt to the acknowledgement.
    pub latency: Duration,
}

/// Posts `body` until it is acknowledged (2xx) or `deadline` passes; connection errors and 5xx
/// are retried after a short pause, other statuses are returned as errors.
pub async fn send_until_acked(conn: &mut Conn, key: &str, body: &[u8], deadline: Instant) -> Result<Sent, String> {
    let started = Instant::now();
    let mut attempts = 0;
    loop {
        attempts += 1;
        match conn.request("POST", "/api/v1/receipts", key, body).await {
            Ok((status @ (200 | 201), bytes)) => {
                let ack = serde_json::from_slice(&bytes).map_err(|e| format!("unreadable acknowledgement: {e}"))?;
                return Ok(Sent { status, ack, attempts, latency: started.elapsed() });
            }
            Ok((status, bytes)) if status < 500 => {
                return Err(format!("refused with {status}: {}", String::from_utf8_lossy(&bytes)))
            }
            Ok(_) | Err(_) => {
                if Instant::now() > deadline {
                    return Err(format!("not acknowledged after {attempts} attempts"));
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// What the store holds for the acknowledged receipts.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Verification {
    pub acknowledged: u64,
    /// Stored with the content sent, with all their lines and a `stored` claim.
    pub stored_once: u64,
    pub missing_or_wrong: u64,
    /// `earn:` entries with the expected points (receipts with a card).
    pub ledger_matching: u64,
    pub ledger_wrong: u64,
    /// Claims in the store beyond the acknowledged receipts (should be none).
    pub extra_claims: u64,
}

impl Verification {
    /// True when every acknowledged receipt is stored once and its points match.
    pub fn ok(&self) -> bool {
        self.missing_or_wrong == 0
            && self.ledger_wrong == 0
            && self.extra_claims == 0
            && self.stored_once == self.acknowledged
    }
}

/// Checks the store against the acknowledged receipts (`claims_before`: API claims that existed
/// before the run).
pub async fn verify(
    store: &dyn Store,
    acknowledged: &[Expected],
    claims_before: u64,
) -> crate::store::StoreResult<Verification> {
    let mut v = Verification { acknowledged: acknowledged.len() as u64, ..Default::default() };
    for e in acknowledged {
        let receipt: Option<Receipt> = store.get_one(&e.id).await?;
        let claim: Option<ApiReceipt> = store.get_one(&e.id).await?;
        let lines = store.find_by(Table::SalesLines, "receipt_id", &json!(e.id), 10_000).await?.len();
        let good = receipt.is_some_and(|r| r.net_cents == e.net_cents && r.card_number == e.card)
            && claim.is_some_and(|c| c.status == crate::store::live::STORED && c.points == e.points)
            && lines == e.lines;
        if good {
            v.stored_once += 1;
        } else {
            v.missing_or_wrong += 1;
        }
        if e.card.is_some() {
            let entry: Option<PointsEntry> = store.get_one(&format!("earn:{}", e.id)).await?;
            if entry.is_some_and(|p| {
                p.points == e.points && p.card_number.as_str() == e.card.as_deref().unwrap_or_default()
            }) {
                v.ledger_matching += 1;
            } else {
                v.ledger_wrong += 1;
            }
        }
    }
    let claims = store.count(Table::ApiReceipts).await?;
    v.extra_claims = claims.saturating_sub(claims_before + v.acknowledged);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_receipts_are_valid_and_deterministic() {
        let cards = vec!["2000000000015".to_string(), "2000000000022".to_string()];
        let today = app::validate::SimpleDate::parse_iso("2026-11-28").unwrap();
        for n in 0..200 {
            let (body, e) = receipt("S01", 3, n, "2026-11-28", &cards, 2);
            assert_eq!(receipt("S01", 3, n, "2026-11-28", &cards, 2).0, body);
            let parsed: crate::till_api::wire::ReceiptIn = serde_json::from_value(body).unwrap();
            let p = parsed.parse(today).unwrap();
            assert_eq!(
                (p.records.receipt.id.as_str(), p.records.receipt.net_cents, p.records.lines.len()),
                (e.id.as_str(), e.net_cents, e.lines)
            );
            assert_eq!(e.points, if e.card.is_some() { e.net_cents / 100 + 2 * p.promotion_lines } else { 0 });
        }
    }
}
