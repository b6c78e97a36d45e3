//! The client's address: the peer of the connection, or, when the peer is the trusted reverse
//! proxy (`serve --trusted-proxy`), the address that proxy appended last to `X-Forwarded-For`
//! (the entries before it are whatever the client sent and are never believed).

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;

/// The client's address for a request, or `None` when the server runs without connection
/// information (tests in process).
pub fn client_ip(parts: &Parts, trusted_proxy: Option<IpAddr>) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    if Some(peer) != trusted_proxy {
        return Some(peer);
    }
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|s| !s.is_empty());
    forwarded
        .and_then(|s| s.parse::<IpAddr>().ok())
        .unwrap_or(peer)
        .into()
}

/// The client's address as an extractor.
pub struct ClientIp(pub Option<IpAddr>);

impl axum::extract::FromRequestParts<crate::AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts, state.trusted_proxy)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(peer: &str, xff: &[&str]) -> Parts {
        let mut b = Request::get("/");
        for v in xff {
            b = b.header("x-forwarded-for", *v);
        }
        let (mut p, ()) = b.body(()).unwrap().into_parts();
        p.extensions.insert(ConnectInfo(
            format!("{peer}:4000").parse::<SocketAddr>().unwrap(),
        ));
        p
    }

    #[test]
    fn the_forwarded_address_is_believed_only_from_the_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.9".parse().unwrap();
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        // From the proxy: the last entry (what the proxy saw), not what the client wrote.
        assert_eq!(
            client_ip(&parts("10.0.0.9", &["6.6.6.6, 203.0.113.7"]), Some(proxy)),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_ip(&parts("10.0.0.9", &["6.6.6.6", "203.0.113.8"]), Some(proxy)),
            ip("203.0.113.8")
        );
        assert_eq!(
            client_ip(&parts("10.0.0.9", &[]), Some(proxy)),
            ip("10.0.0.9")
        );
        assert_eq!(
            client_ip(&parts("10.0.0.9", &["garbage"]), Some(proxy)),
            ip("10.0.0.9")
        );
        // From anyone else, or without a trusted proxy: the peer.
        assert_eq!(
            client_ip(&parts("198.51.100.1", &["203.0.113.7"]), Some(proxy)),
            ip("198.51.100.1")
        );
        assert_eq!(
            client_ip(&parts("10.0.0.9", &["203.0.113.7"]), None),
            ip("10.0.0.9")
        );
    }
}
