//! The path rule: how the path a client called maps onto a gateway's base URL. The recorder
//! forwards by it, and `replay`, `export` and everything that sends a capture again follow the
//! same rule, so a capture goes to the same place whichever of them sends it.
//!
//! 1. A path token prefix `/t/<token>` is removed (the recorder requires one by default).
//! 2. One leading `/v1` segment is removed: Cursor's base URL ends in `/v1`, and so does the
//!    gateway's (`--upstream https://gw.example/cursor/v1`). What is left is appended to the
//!    base: `/v1/chat/completions` goes to `https://gw.example/cursor/v1/chat/completions`.
//! 3. A path under another API version (`/v1beta/models/gemini-2.5-pro:generateContent`, as
//!    the Gemini SDKs send) keeps its version, and it replaces the version segment the base
//!    ends with: `https://gw.example/api/v1` gives `https://gw.example/api/v1beta/models/…`.
//!    A base without a version segment gets the path appended as it is.
//!
//! The query string is kept as it is.

use http::Uri;

/// `(token, rest)` when `path` starts with `/t/<token>`; `rest` starts with `/` (it is `/` when
/// nothing follows the token).
pub fn split_token(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("/t/")?;
    Some(match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, "/"),
    })
}

/// `path` without a path token prefix, if it has one.
pub fn without_token(path: &str) -> &str {
    split_token(path).map_or(path, |(_, rest)| rest)
}

/// The part of a (token-free) path that goes after the base URL: one leading `/v1` removed.
pub fn upstream_path(path: &str) -> &str {
    match path.strip_prefix("/v1") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
        _ => path,
    }
}

/// Join a base URL, a path made by [`upstream_path`] and a query into the URL to send to.
pub fn join(base: &Uri, path: &str, query: Option<&str>) -> Result<Uri, String> {
    let mut base_path = base.path().trim_end_matches('/');
    if version_segment(path).is_some()
        && let Some((parent, last)) = base_path.rsplit_once('/')
        && version_segment(&format!("/{last}")).is_some()
    {
        base_path = parent;
    }
    let mut path_and_query = format!("{base_path}{path}");
    if path_and_query.is_empty() {
        path_and_query.push('/');
    }
    if let Some(query) = query {
        path_and_query.push('?');
        path_and_query.push_str(query);
    }
    let mut parts = base.clone().into_parts();
    parts.path_and_query = Some(
        path_and_query
            .parse()
            .map_err(|err| format!("cannot build the URL: {err}"))?,
    );
    Uri::from_parts(parts).map_err(|err| format!("cannot build the URL: {err}"))
}

/// Whether a (token-free) path keeps a version of its own under the rule (`/v1beta/...`), which
/// then replaces the base URL's.
pub fn keeps_own_version(path: &str) -> bool {
    version_segment(upstream_path(path)).is_some()
}

/// The API version segment a path starts with (`v1`, `v1beta`, `v2alpha1`), if any.
fn version_segment(path: &str) -> Option<&str> {
    let segment = path.strip_prefix('/')?.split('/').next()?;
    let digits = segment.strip_prefix('v')?;
    let numeric = digits.bytes().take_while(u8::is_ascii_digit).count();
    let suffix = &digits[numeric..];
    (numeric > 0 && suffix.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(segment)
}

/// The URL a recorded path and query go to under `base`, by the whole rule.
pub fn resolve(base: &Uri, target: &str) -> Result<Uri, String> {
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    join(base, upstream_path(without_token(path)), query)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(base: &str, target: &str) -> String {
        resolve(&base.parse().unwrap(), target).unwrap().to_string()
    }

    #[test]
    fn tokens_are_split_off_whatever_follows_them() {
        assert_eq!(split_token("/t/abc"), Some(("abc", "/")));
        assert_eq!(split_token("/t/abc/"), Some(("abc", "/")));
        assert_eq!(
            split_token("/t/abc/v1/chat/completions"),
            Some(("abc", "/v1/chat/completions"))
        );
        assert_eq!(split_token("/v1/models"), None);
        assert_eq!(without_token("/t/abc"), "/");
        assert_eq!(without_token("/t/abc/v1/x"), "/v1/x");
        assert_eq!(without_token("/v1/x"), "/v1/x");
    }

    #[test]
    fn the_rule_maps_each_kind_of_path_onto_a_gateway_prefix() {
        let gateway = "https://gw.example/cursor/v1";
        for (target, expected) in [
            ("/t/abc", "https://gw.example/cursor/v1/"),
            ("/t/abc/v1/x", "https://gw.example/cursor/v1/x"),
            ("/v1/x", "https://gw.example/cursor/v1/x"),
            ("/v1", "https://gw.example/cursor/v1"),
            (
                "/v1/chat/completions?a=1",
                "https://gw.example/cursor/v1/chat/completions?a=1",
            ),
            (
                "/chat/completions",
                "https://gw.example/cursor/v1/chat/completions",
            ),
            ("/v10/x", "https://gw.example/cursor/v10/x"),
            (
                "/v1beta/models/x:generateContent",
                "https://gw.example/cursor/v1beta/models/x:generateContent",
            ),
            (
                "/t/abc/v1beta/models/x:streamGenerateContent?alt=sse",
                "https://gw.example/cursor/v1beta/models/x:streamGenerateContent?alt=sse",
            ),
        ] {
            assert_eq!(resolved(gateway, target), expected, "{target}");
        }
    }

    #[test]
    fn a_base_without_a_version_gets_the_path_as_it_is() {
        assert_eq!(
            resolved("http://127.0.0.1:9/", "/v1/models"),
            "http://127.0.0.1:9/models"
        );
        assert_eq!(
            resolved("http://127.0.0.1:9", "/v1beta/models/x:generateContent"),
            "http://127.0.0.1:9/v1beta/models/x:generateContent"
        );
        assert_eq!(
            resolved("https://gw.example/openai", "/v1/chat/completions"),
            "https://gw.example/openai/chat/completions"
        );
    }

    #[test]
    fn only_version_like_segments_count_as_versions() {
        assert_eq!(version_segment("/v1beta/x"), Some("v1beta"));
        assert_eq!(version_segment("/v2"), Some("v2"));
        for path in ["/models", "/vx/y", "/v/y", "/v1-beta/y", ""] {
            assert_eq!(version_segment(path), None, "{path}");
        }
    }
}
