//! Hop-by-hop header handling (RFC 9110 §7.6.1): headers that describe one connection are not
//! forwarded; everything else passes unchanged, `Authorization` included.

use http::HeaderMap;
use http::header::{self, HeaderName};

/// Headers that are hop-by-hop by definition, whatever `Connection` lists. The proxy
/// credentials are for the first proxy (us) and go no further.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Whether `name` (lowercase) is hop-by-hop by definition; headers that `Connection` names are
/// hop-by-hop too ([`connection_listed`]).
pub fn is_hop_by_hop(name: &str) -> bool {
    HOP_BY_HOP.contains(&name)
}

/// The header names a `Connection` value lists, lowercase.
pub fn connection_listed(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(',')
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty())
}

/// Remove hop-by-hop headers, including those named in `Connection`.
pub fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let listed: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in listed {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(*name);
    }
}

/// Headers as name/value pairs (how captures keep them): lowercase names, in order, duplicates
/// kept, values as text.
pub fn to_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_listed_and_standard_hop_headers_go_authorization_stays() {
        let mut headers = HeaderMap::new();
        headers.insert("connection", "keep-alive, x-hop".parse().unwrap());
        headers.insert("x-hop", "1".parse().unwrap());
        headers.insert("keep-alive", "timeout=5".parse().unwrap());
        headers.insert("transfer-encoding", "chunked".parse().unwrap());
        headers.insert("proxy-authorization", "Basic dTpw".parse().unwrap());
        headers.insert("authorization", "Bearer x".parse().unwrap());
        headers.insert("x-end-to-end", "1".parse().unwrap());
        strip_hop_by_hop(&mut headers);
        // HeaderMap keeps same-name values in order but not the order across names after a
        // removal; only the set matters to HTTP.
        let mut left: Vec<_> = headers.keys().map(|k| k.as_str()).collect();
        left.sort_unstable();
        assert_eq!(left, vec!["authorization", "x-end-to-end"]);
    }
}
