//! Secret scrubbing before anything reaches disk, and the scanner that proves none survived.
//!
//! A secret is replaced by a stable keyed hash token, `[REDACTED:<12 hex>]`: the same secret
//! gives the same token (so two exchanges with one key can be told apart from two keys), and
//! the token cannot be turned back into the key without the per-folder hash key, which lives
//! beside the captures with 0600 permissions and never in them.
//!
//! Redaction looks where a reader looks, not only at the bytes as they lie:
//!
//! - [`patterns`]: the key shapes, found as written and in what JSON escapes stand for
//!   ([`escapes`]: `\u0073k-…` is a key to whoever decodes it).
//! - `names`: headers and query parameters secret by their name (percent-decoded).
//! - [`pieces`] and [`stream`]: a stream is scrubbed as the text its reader reassembles (each
//!   choice's content, reasoning and tool arguments; each Responses and Anthropic text), and
//!   every chunk that held part of a match is scrubbed, its timing kept.
//! - `exchange`: a whole capture, for the readers that scrub again what they load (`diff`,
//!   `run`, `export`), so a capture written by hand or by an older version cannot leak.
//! - `key`: the hash key file.

pub mod escapes;
mod exchange;
mod key;
mod names;
pub mod patterns;
pub mod pieces;
pub mod stream;

use std::borrow::Cow;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::Headers;
pub use exchange::{probe_exchange, reader, scrub_loaded};
pub use key::KEY_FILE;
use names::NEVER_KEEP;
pub use names::{is_secret_header, is_secret_param, percent_decoded};
pub use patterns::{Finding, PATTERNS, REDACTED_PREFIX, is_token, mask, scan_text};
use pieces::Pieces;

/// Replaces secrets with stable keyed-hash tokens.
#[derive(Clone)]
pub struct Redactor {
    key: ring::hmac::Key,
    keep_headers: Vec<String>,
    /// Literal secrets known to the process (the path token, proxy credentials).
    literals: Vec<String>,
    /// Where a probe ([`Redactor::probe`]) notes what it would replace.
    noted: Option<Arc<Mutex<Vec<Noted>>>>,
}

/// A secret a probe met: what it looks like and its mask (never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Noted {
    pub kind: String,
    pub masked: String,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("keep_headers", &self.keep_headers)
            .field("literals", &self.literals.len())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RedactError {
    #[error("`--keep-header {0}` is refused: that header always carries a credential")]
    CannotKeep(String),
    #[error("cannot create or read the redaction key {path}: {source}")]
    KeyFile { path: PathBuf, source: io::Error },
}

impl Redactor {
    /// A redactor with a key from raw bytes (tests, and callers that manage keys themselves).
    pub fn with_key(key: &[u8]) -> Redactor {
        Redactor {
            key: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key),
            keep_headers: Vec::new(),
            literals: Vec::new(),
            noted: None,
        }
    }

    /// The redactor for a captures folder: its key is read from `<folder>/.redaction-key`, or
    /// created there (32 random bytes, mode 0600) on first use.
    pub fn for_folder(folder: &Path) -> Result<Redactor, RedactError> {
        Redactor::with_key_file(&folder.join(KEY_FILE))
    }

    /// The redactor whose key is the file at `path` (created on first use, as for a folder).
    pub fn with_key_file(path: &Path) -> Result<Redactor, RedactError> {
        let key = key::load_or_create(path).map_err(|source| RedactError::KeyFile {
            path: path.to_owned(),
            source,
        })?;
        Ok(Redactor::with_key(&key))
    }

    /// A redactor whose key lives in memory only and dies with the process: for output that is
    /// only compared within one run, never matched against tokens of another (`run`'s replay,
    /// the second look readers take at what they load). No key file, nothing to leak.
    pub fn ephemeral() -> Result<Redactor, RedactError> {
        let key = key::random().map_err(|source| RedactError::KeyFile {
            path: PathBuf::from("(memory)"),
            source,
        })?;
        Ok(Redactor::with_key(&key))
    }

    /// A redactor that also notes every secret it replaces (its kind and mask): how `scan`
    /// looks where redaction looks.
    pub fn probe() -> (Redactor, Arc<Mutex<Vec<Noted>>>) {
        let noted = Arc::new(Mutex::new(Vec::new()));
        let mut redactor = Redactor::with_key(b"cursor-harness probe: tokens are thrown away");
        redactor.noted = Some(noted.clone());
        (redactor, noted)
    }

    /// Keep these (non-secret) headers verbatim even when their names look secret.
    pub fn keep_headers(mut self, names: &[String]) -> Result<Redactor, RedactError> {
        for name in names {
            let lower = name.to_ascii_lowercase();
            if NEVER_KEEP.contains(&lower.as_str()) {
                return Err(RedactError::CannotKeep(name.clone()));
            }
            self.keep_headers.push(lower);
        }
        Ok(self)
    }

    /// Also replace these literal strings wherever they appear.
    pub fn with_literal(mut self, secret: impl Into<String>) -> Redactor {
        let secret = secret.into();
        if !secret.is_empty() {
            self.literals.push(secret);
        }
        self
    }

    /// The token standing for `secret`.
    pub fn token(&self, secret: &str) -> String {
        let tag = ring::hmac::sign(&self.key, secret.as_bytes());
        let hex: String = tag.as_ref()[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{REDACTED_PREFIX}{hex}]")
    }

    /// The token for a secret of `kind`, noted when this is a probe.
    fn replace(&self, kind: &str, secret: &str) -> String {
        if let Some(noted) = &self.noted {
            noted.lock().expect("probe lock").push(Noted {
                kind: kind.to_owned(),
                masked: mask(secret),
            });
        }
        self.token(secret)
    }

    /// Redact header names and values in place: a header secret by its name loses its value
    /// (an `Authorization` scheme such as `Bearer` stays visible); any other keeps its value
    /// with key shapes replaced.
    pub fn headers(&self, headers: &mut Headers) {
        for (name, value) in headers.iter_mut() {
            if self.keep_headers.contains(name) {
                continue;
            }
            if is_secret_header(name) {
                if let Some(redacted) = self.header_value(name, value) {
                    *value = redacted;
                }
            } else if let Cow::Owned(text) = self.text(value) {
                *value = text;
            }
            if let Cow::Owned(text) = self.text(name) {
                *name = text;
            }
        }
    }

    /// A secret header's value redacted; `None` when it is redacted already.
    fn header_value(&self, name: &str, value: &str) -> Option<String> {
        let kind = "secret header";
        // Keep the auth scheme (`Bearer`, `Basic`) visible: it says what kind of credential it was.
        let is_auth = name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("proxy-authorization");
        if is_auth
            && let Some((scheme, secret)) = value.split_once(' ')
            && !scheme.is_empty()
            && scheme.bytes().all(|b| b.is_ascii_alphabetic())
        {
            let secret = secret.trim();
            return (!is_token(secret) && !secret.is_empty())
                .then(|| format!("{scheme} {}", self.replace(kind, secret)));
        }
        (!is_token(value) && !value.is_empty()).then(|| self.replace(kind, value))
    }

    /// Redact a request target (path, query and fragment): key shapes and known literals
    /// anywhere, read percent-decoded too, and the value of every query parameter whose name
    /// says it is secret.
    pub fn target(&self, target: &str) -> String {
        let (rest, fragment) = match target.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment)),
            None => (target, None),
        };
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (rest, None),
        };
        let mut out: String = path
            .split('/')
            .map(|segment| self.url_part(segment))
            .collect::<Vec<_>>()
            .join("/");
        if let Some(query) = query {
            out.push('?');
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((name, value)) if is_secret_param(name) => {
                        let secret = percent_decoded(value);
                        if secret.is_empty() || is_token(&secret) {
                            format!("{}={value}", self.url_part(name))
                        } else {
                            format!(
                                "{}={}",
                                self.url_part(name),
                                self.replace("secret query parameter", &secret)
                            )
                        }
                    }
                    Some((name, value)) => {
                        format!("{}={}", self.url_part(name), self.url_part(value))
                    }
                    None => self.url_part(pair).into_owned(),
                })
                .collect();
            out.push_str(&pairs.join("&"));
        }
        if let Some(fragment) = fragment {
            out.push('#');
            out.push_str(&self.url_part(fragment));
        }
        out
    }

    /// A piece of a URL with key shapes replaced, as written or percent-decoded (a piece that
    /// holds one only once decoded is replaced whole).
    fn url_part<'a>(&self, part: &'a str) -> Cow<'a, str> {
        let written = self.text(part);
        if matches!(written, Cow::Owned(_)) {
            return written;
        }
        let decoded = percent_decoded(part);
        if matches!(decoded, Cow::Owned(_)) {
            let shapes = patterns::spans(&decoded);
            if !shapes.is_empty() || self.literals.iter().any(|l| decoded.contains(l.as_str())) {
                let kind = shapes.first().map_or("known secret", |s| s.kind);
                return Cow::Owned(self.replace(kind, &decoded));
            }
        }
        written
    }

    /// Redact a URL for display or storage: credentials in the authority and secret params.
    pub fn url(&self, url: &str) -> String {
        match url.split_once("://") {
            Some((scheme, rest)) => {
                let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
                let (authority, tail) = rest.split_at(authority_end);
                let authority = match authority.rsplit_once('@') {
                    Some((userinfo, host)) if !is_token(userinfo) => {
                        format!("{}@{host}", self.replace("password in a url", userinfo))
                    }
                    _ => authority.to_owned(),
                };
                format!("{}://{authority}{}", self.text(scheme), self.target(tail))
            }
            None => self.target(url),
        }
    }

    /// Redact key-shaped strings and known literals in text, escaped ones too.
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let edits = self.edits(text);
        if edits.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (range, token) in &edits {
            out.push_str(&text[at..range.start]);
            out.push_str(token);
            at = range.end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// Redact text that came in pieces as the whole they make ([`Pieces`]). Whether anything
    /// was replaced.
    pub fn pieces(&self, pieces: &mut Pieces) -> bool {
        let edits = self.edits(&pieces.text);
        pieces.apply(&edits);
        !edits.is_empty()
    }

    /// What to replace in `text`: every secret span, with its token.
    fn edits(&self, text: &str) -> Vec<(Range<usize>, String)> {
        self.found(text)
            .into_iter()
            .map(|span| {
                let secret = patterns::secret_of(text, &span.range);
                let token = self.replace(span.kind, &secret);
                (span.range, token)
            })
            .collect()
    }

    /// Secret spans in `text`: key shapes ([`patterns::spans`]) and known literals.
    fn found(&self, text: &str) -> Vec<patterns::Span> {
        let mut spans = patterns::spans(text);
        let shapes = spans.len();
        for literal in &self.literals {
            spans.extend(
                text.match_indices(literal.as_str())
                    .map(|(at, _)| patterns::Span {
                        range: at..at + literal.len(),
                        kind: "known secret",
                    }),
            );
        }
        if spans.len() > shapes {
            spans = patterns::merge(spans);
        }
        spans
    }

    /// Redact bytes, read as UTF-8. Bytes that hold no secret are kept exactly; bytes that are
    /// not UTF-8 and hold one come back decoded lossily as a whole, with the secret replaced.
    pub fn bytes<'a>(&self, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        match self.text(&String::from_utf8_lossy(bytes)) {
            Cow::Borrowed(_) => Cow::Borrowed(bytes),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    const KEY: &str = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789";

    #[test]
    fn the_same_secret_gives_the_same_token_and_different_ones_differ() {
        let redactor = Redactor::with_key(b"0123456789abcdef0123456789abcdef");
        assert_eq!(redactor.token(KEY), redactor.token(KEY));
        assert_ne!(
            redactor.token(KEY),
            redactor.token("sk-other-0123456789012345678901")
        );
        let other = Redactor::with_key(b"another key, another folder.....");
        assert_ne!(redactor.token(KEY), other.token(KEY));
    }

    #[test]
    fn headers_keep_the_scheme_and_lose_the_secret() {
        let redactor = Redactor::with_key(b"k");
        let mut headers = vec![
            ("authorization".to_owned(), format!("Bearer {KEY}")),
            ("x-api-key".to_owned(), "abc".to_owned()),
            ("x-request-token".to_owned(), "t0k3n".to_owned()),
            ("content-type".to_owned(), "application/json".to_owned()),
        ];
        redactor.headers(&mut headers);
        assert!(headers[0].1.starts_with("Bearer [REDACTED:"), "{headers:?}");
        assert!(headers[1].1.starts_with("[REDACTED:"));
        assert!(headers[2].1.starts_with("[REDACTED:"));
        assert_eq!(headers[3].1, "application/json");
        assert!(!format!("{headers:?}").contains(KEY));
    }

    #[test]
    fn authorization_cannot_be_kept() {
        let err = Redactor::with_key(b"k")
            .keep_headers(&["Authorization".to_owned()])
            .unwrap_err();
        assert!(err.to_string().contains("Authorization"));
    }

    #[test]
    fn query_params_bodies_and_literals_are_scrubbed() {
        let redactor = Redactor::with_key(b"k").with_literal("pathtoken123");
        let target = redactor.target("/t/pathtoken123/v1/models?api_key=hunter2hunter2&limit=5");
        assert!(
            !target.contains("hunter2") && !target.contains("pathtoken123"),
            "{target}"
        );
        assert!(target.ends_with("&limit=5"));
        let body = format!(
            r#"{{"messages":[{{"content":"my key is {KEY}"}}],"api_key":"abcdefghijklmnop"}}"#
        );
        let clean = redactor.text(&body);
        assert!(
            !clean.contains(KEY) && !clean.contains("abcdefghijklmnop"),
            "{clean}"
        );
        assert!(scan_text(&clean).is_empty(), "{:?}", scan_text(&clean));
        let url = redactor
            .url("https://user:pw@gw.example/v1?key=AIzaSyA12345678901234567890123456789012");
        assert!(!url.contains("pw@") && !url.contains("AIza"), "{url}");
    }

    #[test]
    fn the_scanner_finds_and_masks_key_shapes() {
        let findings = scan_text(&format!("x {KEY} y Bearer abcdefghijklmnopqrstuvwxyz z"));
        assert_eq!(findings.len(), 2, "{findings:?}");
        assert_eq!(findings[0].masked, "sk-p…6789");
        assert_eq!(findings[0].len, KEY.len());
        assert_eq!(mask("hunter2hunter2"), "hu…r2");
        assert_eq!(mask("12345678"), "********");
        assert!(scan_text("Bearer [REDACTED:0123456789ab]").is_empty());
    }

    #[test]
    fn the_key_file_is_created_once_with_owner_only_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let first = Redactor::for_folder(dir.path()).unwrap();
        let second = Redactor::for_folder(dir.path()).unwrap();
        assert_eq!(first.token("x"), second.token("x"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn escaped_keys_and_keys_after_escaped_line_breaks_are_replaced_with_their_plain_token() {
        let redactor = Redactor::with_key(b"k");
        let plain = redactor.text(&format!("\"{KEY}\"")).into_owned();
        for escaped in [
            r#""\u0073k-proj-abcdefghijklmnopqrstuvwxyz0123456789""#,
            r#""sk\u002dproj-abcdefghijklmnopqrstuvwxyz0123456789""#,
        ] {
            let clean = redactor.text(escaped);
            assert_eq!(clean, plain, "same token however it was escaped");
        }
        let env = redactor.text(r#"{"content":"line\nAKIAIOSFODNN7EXAMPLE\nnext"}"#);
        assert!(!env.contains("IOSFODNN7"), "{env}");
        assert!(env.contains(r"\nnext"), "{env}");
    }

    #[test]
    fn the_path_percent_encoded_values_and_names_that_say_secret_are_scrubbed() {
        let redactor = Redactor::with_key(b"k");
        let target = redactor.target(&format!(
            "/v1/models/{KEY}?refresh_token=r1&X-Amz-Signature=abc&code=c0de&%6bey=k3y&q=sk%2Dproj%2Dabcdefghijklmnopqrstuvwxyz&alt=sse"
        ));
        for secret in ["abcdefghijklmnop", "r1", "=abc", "c0de", "k3y"] {
            assert!(!target.contains(secret), "{secret} in {target}");
        }
        assert!(target.starts_with("/v1/models/[REDACTED:"), "{target}");
        assert!(target.ends_with("&alt=sse"), "{target}");
        assert_eq!(
            redactor.target(&target),
            target,
            "a redacted target stays as it is"
        );
    }

    #[test]
    fn headers_named_like_secrets_are_secret_and_names_are_scrubbed_too() {
        let redactor = Redactor::with_key(b"k");
        let mut headers: Headers = [
            "x-portkey-virtual-key",
            "x-litellm-key",
            "x-gateway-key",
            "x-auth",
            "x-access-key",
            "x-credential",
        ]
        .iter()
        .map(|n| ((*n).to_owned(), "plainvalue".to_owned()))
        .collect();
        headers.push((KEY.to_owned(), "x".to_owned()));
        redactor.headers(&mut headers);
        let shown = format!("{headers:?}");
        assert!(
            !shown.contains("plainvalue") && !shown.contains(KEY),
            "{shown}"
        );
        let again = headers.clone();
        redactor.headers(&mut headers);
        assert_eq!(headers, again, "tokens are never replaced");
    }

    #[test]
    fn a_probe_notes_what_it_replaces_without_the_secret() {
        let (probe, noted) = Redactor::probe();
        let _ = probe.text(&format!("key {KEY}"));
        let noted = noted.lock().unwrap();
        assert_eq!(noted.len(), 1);
        assert_eq!(noted[0].kind, "openai/anthropic-style key");
        assert_eq!(noted[0].masked, "sk-p…6789");
    }
}
