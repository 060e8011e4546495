//! Secret scrubbing before anything reaches disk, and the scanner that proves none survived.
//!
//! A secret is replaced by a stable keyed hash token, `[REDACTED:<12 hex>]`: the same secret
//! gives the same token (so two exchanges with one key can be told apart from two keys), and
//! the token cannot be turned back into the key without the per-folder hash key, which lives
//! beside the captures with 0600 permissions and never in them.

use std::borrow::Cow;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex::Regex;

use super::Headers;

/// How every redaction token starts (`[REDACTED:<12 hex>]`).
pub const REDACTED_PREFIX: &str = "[REDACTED:";

/// File name of the hash key inside a captures folder.
pub const KEY_FILE: &str = ".redaction-key";

/// Headers whose values are always secret.
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
const NEVER_KEEP: &[&str] = &["authorization", "proxy-authorization"];

/// Query parameters whose values are secret.
const SECRET_PARAMS: &[&str] = &[
    "key",
    "api_key",
    "api-key",
    "apikey",
    "token",
    "access_token",
    "auth",
    "authorization",
    "sig",
    "signature",
    "secret",
    "client_secret",
    "password",
    "x-api-key",
];

/// The key shapes redaction replaces and the scanner looks for: (kind, regular expression,
/// capture group holding the secret). Public so tests can plant one key of every kind.
pub const PATTERNS: &[(&str, &str, usize)] = &[
    ("openai/anthropic-style key", r"\bsk-[A-Za-z0-9_-]{20,}", 0),
    ("google api key", r"\bAIza[0-9A-Za-z_-]{35}", 0),
    ("aws access key id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", 0),
    (
        "github token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})",
        0,
    ),
    ("slack token", r"\bxox[abprs]-[A-Za-z0-9-]{10,}", 0),
    ("huggingface token", r"\bhf_[A-Za-z0-9]{30,}", 0),
    ("groq/xai key", r"\b(?:gsk_|xai-)[A-Za-z0-9]{40,}", 0),
    (
        "jwt",
        r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
        0,
    ),
    (
        "bearer token",
        r"(?i)\bbearer\s+([A-Za-z0-9._~+/=-]{20,})",
        1,
    ),
    // No optional quote before the name (it only widened the whole match, never the secret in
    // group 1): with one, the regex engine could not look for the names first and scanned
    // every byte ten times slower. `apikey` and `client_secret` are inside the names left.
    (
        "assigned secret",
        r#"(?i)(?:api[_-]?key|secret|access[_-]?token|password)["']?\s*[:=]\s*["']?([A-Za-z0-9._~+/=-]{12,})"#,
        1,
    ),
];

fn compiled() -> &'static [(&'static str, Regex, usize)] {
    static COMPILED: OnceLock<Vec<(&'static str, Regex, usize)>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        PATTERNS
            .iter()
            .map(|(name, pattern, group)| {
                (
                    *name,
                    Regex::new(pattern).expect("redaction patterns compile"),
                    *group,
                )
            })
            .collect()
    })
}

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
    SECRET_HEADERS.contains(&name.as_str())
        || SECRET_NAME_PARTS.iter().any(|part| name.contains(part))
}

/// Replaces secrets with stable keyed-hash tokens.
#[derive(Clone)]
pub struct Redactor {
    key: ring::hmac::Key,
    keep_headers: Vec<String>,
    /// Literal secrets known to the process (the path token, proxy credentials).
    literals: Vec<String>,
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
        }
    }

    /// The redactor for a captures folder: its key is read from `<folder>/.redaction-key`, or
    /// created there (32 random bytes, mode 0600) on first use.
    pub fn for_folder(folder: &Path) -> Result<Redactor, RedactError> {
        let path = folder.join(KEY_FILE);
        let key = load_or_create_key(&path).map_err(|source| RedactError::KeyFile {
            path: path.clone(),
            source,
        })?;
        Ok(Redactor::with_key(&key))
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

    /// Redact header values in place.
    pub fn headers(&self, headers: &mut Headers) {
        for (name, value) in headers.iter_mut() {
            if self.keep_headers.contains(name) {
                continue;
            }
            if is_secret_header(name) {
                *value = self.header_value(name, value);
            } else if let Cow::Owned(text) = self.text(value) {
                *value = text;
            }
        }
    }

    fn header_value(&self, name: &str, value: &str) -> String {
        // Keep the auth scheme (`Bearer`, `Basic`) visible: it says what kind of credential it was.
        let is_auth = name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("proxy-authorization");
        if is_auth
            && let Some((scheme, secret)) = value.split_once(' ')
            && !scheme.is_empty()
            && scheme.bytes().all(|b| b.is_ascii_alphabetic())
        {
            return format!("{scheme} {}", self.token(secret.trim()));
        }
        self.token(value)
    }

    /// Redact secret query parameter values (and known literals) in a request target or URL.
    pub fn target(&self, target: &str) -> String {
        let target = self.literals(target);
        let Some((path, query)) = target.split_once('?') else {
            return target.into_owned();
        };
        let (query, fragment) = match query.split_once('#') {
            Some((q, f)) => (q, Some(f)),
            None => (query, None),
        };
        let redacted: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, value))
                    if !value.is_empty()
                        && SECRET_PARAMS.contains(&name.to_ascii_lowercase().as_str()) =>
                {
                    format!("{name}={}", self.token(value))
                }
                _ => self.text(pair).into_owned(),
            })
            .collect();
        let mut out = format!("{path}?{}", redacted.join("&"));
        if let Some(fragment) = fragment {
            out.push('#');
            out.push_str(fragment);
        }
        out
    }

    /// Redact a URL for display or storage: credentials in the authority and secret params.
    pub fn url(&self, url: &str) -> String {
        let without_userinfo = match url.split_once("://") {
            Some((scheme, rest)) => {
                let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
                let (authority, tail) = rest.split_at(authority_end);
                match authority.rsplit_once('@') {
                    Some((userinfo, host)) => {
                        format!("{scheme}://{}@{host}{tail}", self.token(userinfo))
                    }
                    None => url.to_owned(),
                }
            }
            None => url.to_owned(),
        };
        self.target(&without_userinfo)
    }

    /// Redact key-shaped strings and known literals in text.
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut current = self.literals(text);
        for (_, regex, group) in compiled() {
            if !regex.is_match(&current) {
                continue;
            }
            let replaced = regex
                .replace_all(&current, |caps: &regex::Captures<'_>| {
                    let whole = caps.get(0).map_or("", |m| m.as_str());
                    match caps.get(*group) {
                        Some(secret) if *group > 0 => {
                            let start = secret.start() - caps.get(0).map_or(0, |m| m.start());
                            let end = start + secret.as_str().len();
                            format!(
                                "{}{}{}",
                                &whole[..start],
                                self.token(secret.as_str()),
                                &whole[end..]
                            )
                        }
                        _ => self.token(whole),
                    }
                })
                .into_owned();
            current = Cow::Owned(replaced);
        }
        current
    }

    /// Redact bytes: UTF-8 text is scrubbed as text; other bytes are scrubbed where they hold
    /// ASCII key shapes (lossy decoding would corrupt them, so they are left otherwise intact).
    pub fn bytes<'a>(&self, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        match std::str::from_utf8(bytes) {
            Ok(text) => match self.text(text) {
                Cow::Borrowed(_) => Cow::Borrowed(bytes),
                Cow::Owned(text) => Cow::Owned(text.into_bytes()),
            },
            Err(_) => {
                let text = String::from_utf8_lossy(bytes);
                if scan_text(&text).is_empty()
                    && !self.literals.iter().any(|l| text.contains(l.as_str()))
                {
                    Cow::Borrowed(bytes)
                } else {
                    Cow::Owned(self.text(&text).into_owned().into_bytes())
                }
            }
        }
    }

    fn literals<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut current = Cow::Borrowed(text);
        for literal in &self.literals {
            if current.contains(literal.as_str()) {
                current = Cow::Owned(current.replace(literal.as_str(), &self.token(literal)));
            }
        }
        current
    }
}

fn load_or_create_key(path: &Path) -> io::Result<Vec<u8>> {
    match fs::read_to_string(path) {
        Ok(text) => {
            let text = text.trim();
            let bytes: Option<Vec<u8>> = (0..text.len())
                .step_by(2)
                .map(|i| {
                    text.get(i..i + 2)
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                })
                .collect();
            match bytes {
                Some(bytes) if bytes.len() >= 16 => Ok(bytes),
                _ => Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the key file is not hex of at least 16 bytes",
                )),
            }
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            let mut key = [0u8; 32];
            ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut key)
                .map_err(|_| io::Error::other("no system randomness"))?;
            let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
            let mut options = fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(path) {
                Ok(mut file) => {
                    file.write_all(hex.as_bytes())?;
                    file.sync_all()?;
                    Ok(key.to_vec())
                }
                // Another process created it first: use theirs.
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => load_or_create_key(path),
                Err(err) => Err(err),
            }
        }
        Err(err) => Err(err),
    }
}

/// A key-shaped string found by the scanner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What it looks like ("openai/anthropic-style key", "bearer token", …).
    pub kind: &'static str,
    /// Byte offset in the scanned text.
    pub offset: usize,
    /// Length in bytes of the secret at `offset`.
    pub len: usize,
    /// The match with its middle masked, safe to print.
    pub masked: String,
}

/// Find key-shaped strings in text (what redaction would have replaced).
pub fn scan_text(text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (kind, regex, group) in compiled() {
        for caps in regex.captures_iter(text) {
            let Some(secret) = caps.get(*group) else {
                continue;
            };
            if secret.as_str().starts_with(REDACTED_PREFIX) {
                continue;
            }
            findings.push(Finding {
                kind,
                offset: secret.start(),
                len: secret.len(),
                masked: mask(secret.as_str()),
            });
        }
    }
    findings.sort_by_key(|f| f.offset);
    findings.dedup_by_key(|f| f.offset);
    findings
}

/// `sk-p…wxyz` style: enough to recognise, not enough to use. Short secrets (an assigned
/// password of 12 characters) show two characters at each end, not four: eight of twelve
/// would leave too few to guess.
pub fn mask(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let shown = match chars.len() {
        0..=8 => return "*".repeat(chars.len()),
        9..=23 => 2,
        _ => 4,
    };
    let head: String = chars[..shown].iter().collect();
    let tail: String = chars[chars.len() - shown..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
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
}
