//! Proxy authentication (`--proxy-auth-env VAR`): HTTP Basic on `Proxy-Authorization`, the
//! only scheme every proxy client (curl, the SDKs, Node, Go, Python) speaks. The credentials
//! come from an environment variable, never the command line, and are redacted from captures.

use base64::Engine as _;
use http::{HeaderMap, HeaderValue, Response, StatusCode, header};

use super::reverse::constant_time_eq;
use crate::http::body::{ProxyBody, openai_error};

/// The credentials a client must present.
#[derive(Clone)]
pub struct ProxyAuth {
    /// `user:password`.
    pair: String,
}

impl std::fmt::Debug for ProxyAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProxyAuth([REDACTED])")
    }
}

impl ProxyAuth {
    /// From the value of the variable named by `--proxy-auth-env` (`user:password`).
    pub fn from_pair(pair: &str) -> Result<ProxyAuth, &'static str> {
        match pair.split_once(':') {
            Some((user, password)) if !user.is_empty() && !password.is_empty() => Ok(ProxyAuth {
                pair: pair.to_owned(),
            }),
            _ => Err("it must hold user:password (both non-empty)"),
        }
    }

    /// Whether the request carries these credentials.
    pub fn accepts(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers
            .get(header::PROXY_AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let Some((scheme, encoded)) = value.trim().split_once(' ') else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case("basic") {
            return false;
        }
        base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .is_ok_and(|given| constant_time_eq(&given, self.pair.as_bytes()))
    }

    /// The strings to redact wherever they appear: the password and the encoded pair.
    pub fn secrets(&self) -> Vec<String> {
        let password = self.pair.split_once(':').map_or("", |(_, p)| p).to_owned();
        vec![
            password,
            base64::engine::general_purpose::STANDARD.encode(&self.pair),
        ]
    }

    /// The 407 answer asking for credentials.
    pub fn challenge() -> Response<ProxyBody> {
        let mut response = openai_error(
            StatusCode::PROXY_AUTHENTICATION_REQUIRED,
            "cursor-harness: this proxy needs credentials (Proxy-Authorization: Basic)",
            "invalid_request_error",
            None,
            Some("proxy_auth_required"),
        );
        response.headers_mut().insert(
            header::PROXY_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"cursor-harness\""),
        );
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::PROXY_AUTHORIZATION, value.parse().unwrap());
        headers
    }

    #[test]
    fn only_the_right_basic_credentials_pass() {
        let auth = ProxyAuth::from_pair("qa:s3cret").unwrap();
        let good = base64::engine::general_purpose::STANDARD.encode("qa:s3cret");
        assert!(auth.accepts(&with(&format!("Basic {good}"))));
        assert!(auth.accepts(&with(&format!("basic  {good}"))));
        let wrong = base64::engine::general_purpose::STANDARD.encode("qa:s3cre");
        assert!(!auth.accepts(&with(&format!("Basic {wrong}"))));
        assert!(!auth.accepts(&with(&format!("Bearer {good}"))));
        assert!(!auth.accepts(&with("Basic !!!")));
        assert!(!auth.accepts(&HeaderMap::new()));
        assert_eq!(auth.secrets(), vec!["s3cret".to_owned(), good]);
        assert!(!format!("{auth:?}").contains("s3cret"));
    }

    #[test]
    fn a_value_without_user_and_password_is_refused() {
        for bad in ["", "user", ":pass", "user:"] {
            assert!(ProxyAuth::from_pair(bad).is_err(), "{bad:?}");
        }
    }
}
