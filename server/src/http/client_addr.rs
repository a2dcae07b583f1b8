//! The client's address. Behind the Kubernetes ingress every TCP peer is the ingress itself, so
//! the address the per-address limits count must come from the proxy's `X-Forwarded-For` (or
//! `Forwarded`) header — but only when the peer is a proxy we trust (`IMAGROSS_TRUSTED_PROXIES`):
//! anyone else could write any address there. The header is read from the right (the hop
//! nearest to us) and the first address that is not a trusted proxy is the client.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use app::ports::ClientAddr;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderMap;

use crate::config::Cidr;

fn trusted(proxies: &[Cidr], ip: IpAddr) -> bool {
    proxies.iter().any(|c| c.contains(ip))
}

/// One `for=` value of a `Forwarded` header: `192.0.2.1`, `"[2001:db8::1]:4711"`, `_hidden`.
fn forwarded_for(value: &str) -> Option<IpAddr> {
    let v = value.trim().trim_matches('"');
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    v.parse().ok().or_else(|| v.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok()))
}

/// The hops a proxy reported, nearest last (`None` entries could not be read).
fn reported_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let xff: Vec<&str> = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    if !xff.is_empty() {
        return xff.iter().flat_map(|v| v.split(',')).map(|s| s.trim().parse().ok()).collect();
    }
    headers
        .get_all(http::header::FORWARDED)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                k.trim().eq_ignore_ascii_case("for").then(|| forwarded_for(v))
            })
        })
        .collect()
}

/// The client of a request that reached us from `peer`.
pub fn client_of(peer: IpAddr, headers: &HeaderMap, proxies: &[Cidr]) -> IpAddr {
    if !trusted(proxies, peer) {
        return peer;
    }
    let mut client = peer;
    for hop in reported_hops(headers).into_iter().rev() {
        match hop {
            // An unreadable hop: the last address we could vouch for stands.
            None => break,
            Some(ip) => {
                client = ip;
                if !trusted(proxies, ip) {
                    break;
                }
            }
        }
    }
    client
}

/// The middleware: puts the [`ClientAddr`] into the request.
pub async fn client_addr(State(proxies): State<Arc<Vec<Cidr>>>, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if let Some(peer) = peer {
        let client = client_of(peer, req.headers(), &proxies);
        req.extensions_mut().insert(ClientAddr(client));
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let proxies = vec![Cidr::parse("10.0.0.0/8").unwrap()];
        let h = headers(&[("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(client_of(ip("198.51.100.1"), &h, &proxies), ip("198.51.100.1"), "untrusted peer: header ignored");
        assert_eq!(client_of(ip("10.1.1.1"), &h, &proxies), ip("203.0.113.7"));
        assert_eq!(client_of(ip("10.1.1.1"), &h, &[]), ip("10.1.1.1"), "no trusted proxies configured");
    }

    #[test]
    fn a_spoofed_left_entry_does_not_win() {
        let proxies = vec![Cidr::parse("10.0.0.0/8").unwrap()];
        // The client wrote `1.2.3.4` itself; the ingress appended the real address.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.7, 10.0.0.5")]);
        assert_eq!(client_of(ip("10.0.0.9"), &h, &proxies), ip("203.0.113.7"));
        let h = headers(&[("x-forwarded-for", "1.2.3.4"), ("x-forwarded-for", "garbage")]);
        assert_eq!(client_of(ip("10.0.0.9"), &h, &proxies), ip("10.0.0.9"), "unreadable nearest hop");
    }

    #[test]
    fn the_forwarded_header_is_read_too() {
        let proxies = vec![Cidr::parse("10.0.0.0/8").unwrap()];
        let h = headers(&[("forwarded", r#"for=192.0.2.60;proto=https, for="[2001:db8::1]:4711""#)]);
        assert_eq!(client_of(ip("10.0.0.9"), &h, &proxies), ip("2001:db8::1"));
        let h = headers(&[("forwarded", "for=192.0.2.60:1234;proto=https")]);
        assert_eq!(client_of(ip("10.0.0.9"), &h, &proxies), ip("192.0.2.60"));
    }
}
