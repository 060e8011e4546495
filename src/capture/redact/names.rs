//! Headers and query parameters that are secret by their name, whatever their value looks like.

use std::borrow::Cow;

/// Headers whose values are always secret (most also match [`SECRET_NAME_PARTS`]; the list
/// says which ones nobody may keep and documents the known ones).
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "api-key",
    "cookie",
    "set-cookie",
    "x-goog-api-key",
    "openai-api-key",
    "x-auth-token",
];

/// Headers that can never be kept, whatever `--keep-header` says.
pub(super) const NEVER_KEEP: &[&str] = &["authorization", "proxy-authorization"];

/// Query parameters whose values are secret besides those [`SECRET_NAME_PARTS`] covers: `sig`
/// (Azure SAS) and `code` (an OAuth authorization code).
const SECRET_PARAMS: &[&str] = &["sig", "code"];

/// Words that make a header or query parameter secret wherever they appear in its name
/// (`x-portkey-virtual-key`, `x-litellm-key`, `x-auth`, `refresh_token`, `X-Amz-Signature`).
const SECRET_NAME_PARTS: &[&str] = &[
    "key",
    "token",
    "secret",
    "auth",
    "credential",
    "password",
    "passwd",
    "signature",
    "session",
    "cookie",
];

/// Whether a header's value is secret by its name.
pub fn is_secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_HEADERS.contains(&name.as_str()) || says_secret(&name)
}

/// Whether a query parameter's value is secret by its name, read percent-decoded (`%6bey` is
/// `key` to the server).
pub fn is_secret_param(name: &str) -> bool {
    let name = percent_decoded(name).to_ascii_lowercase();
    SECRET_PARAMS.contains(&name.as_str()) || says_secret(&name)
}

fn says_secret(lower: &str) -> bool {
    SECRET_NAME_PARTS.iter().any(|part| lower.contains(part))
}

/// `text` with its `%XX` escapes decoded (bytes that are not UTF-8 decode lossily; a `%` not
/// followed by two hex digits stays).
pub fn percent_decoded(text: &str) -> Cow<'_, str> {
    if !text.contains('%') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_say_secret_are_secret() {
        for header in [
            "Authorization",
            "x-portkey-virtual-key",
            "x-litellm-key",
            "x-gateway-key",
            "x-auth",
            "x-access-key",
            "x-credential",
            "x-session-id",
            "cookie",
        ] {
            assert!(is_secret_header(header), "{header}");
        }
        for header in [
            "content-type",
            "x-request-id",
            "anthropic-version",
            "accept",
        ] {
            assert!(!is_secret_header(header), "{header}");
        }
        for param in [
            "key",
            "refresh_token",
            "X-Amz-Signature",
            "code",
            "%6bey",
            "api%5Fkey",
            "sig",
            "client_secret",
        ] {
            assert!(is_secret_param(param), "{param}");
        }
        for param in ["alt", "limit", "model", "encode"] {
            assert!(!is_secret_param(param), "{param}");
        }
    }

    #[test]
    fn percent_escapes_decode() {
        assert_eq!(percent_decoded("%6bey"), "key");
        assert_eq!(percent_decoded("sk%2Dproj"), "sk-proj");
        assert_eq!(percent_decoded("100%"), "100%");
        assert!(matches!(percent_decoded("plain"), Cow::Borrowed(_)));
    }
}
