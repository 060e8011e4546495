//! The key shapes redaction replaces and the scanner looks for, and where they are in a text:
//! as written, and in what its JSON escapes stand for ([`super::escapes`]).

use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use super::escapes;

/// How every redaction token starts (`[REDACTED:<12 hex>]`).
pub const REDACTED_PREFIX: &str = "[REDACTED:";

/// The key shapes redaction replaces and the scanner looks for: (kind, regular expression,
/// capture group holding the secret). Public so tests can plant one key of every kind.
///
/// Shapes that can hold another (a PEM block, a JWT, a URL with a password) come first, and
/// where two shapes overlap the union is replaced, so no part of either survives.
pub const PATTERNS: &[(&str, &str, usize)] = &[
    (
        "private key block",
        // A whole block, or a block cut before its END line (then the base64 body to the end,
        // JSON-escaped line breaks included).
        r"-----BEGIN[A-Z ]* PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END[A-Z ]* PRIVATE KEY(?: BLOCK)?-----|(?:\\[nrt]|[\sA-Za-z0-9+/=:,-])*)",
        0,
    ),
    (
        "jwt",
        r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
        0,
    ),
    (
        "password in a url",
        r#"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@"'<>\\]+:([^\s/?#@"'<>\\\[][^\s/?#@"'<>\\]*)@"#,
        1,
    ),
    ("openai/anthropic-style key", r"\bsk-[A-Za-z0-9_-]{20,}", 0),
    (
        "stripe secret key",
        r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}",
        0,
    ),
    ("google api key", r"\bAIza[0-9A-Za-z_-]{35}", 0),
    ("aws access key id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", 0),
    (
        "aws secret access key",
        r#"(?i)aws_?secret_?(?:access_?)?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})"#,
        1,
    ),
    (
        "github token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})",
        0,
    ),
    ("slack token", r"\bxox[abprs]-[A-Za-z0-9-]{10,}", 0),
    ("huggingface token", r"\bhf_[A-Za-z0-9]{30,}", 0),
    ("groq/xai key", r"\b(?:gsk_|xai-)[A-Za-z0-9]{40,}", 0),
    (
        // Azure OpenAI and Cognitive Services keys: 32 hex digits, known by the name before.
        "azure key",
        r#"(?i)(?:key|secret|token)["']?\s*[:=]\s*["']?\b([0-9a-f]{32})\b"#,
        1,
    ),
    (
        "bearer token",
        r"(?i)\bbearer\s+([A-Za-z0-9._~+/=-]{20,})",
        1,
    ),
    (
        // `.env` lines and shell exports: STRIPE_SECRET_KEY=, AWS_SECRET_ACCESS_KEY=,
        // PRIVATE_KEY=, AZURE_OPENAI_KEY=, DATABASE_PASSWORD=. Written as those are, with no
        // space around `=` (an assignment in code with spaces is the next pattern's).
        "environment secret",
        r#"\b[A-Z][A-Z0-9_]*_(?:KEY|SECRET|TOKEN|PASSWORD|PASSWD|PWD|CREDENTIALS?)(?:_[A-Z0-9]+)*=["']?([^\s"'`#\\\[][^\s"'`#\\]{7,})"#,
        1,
    ),
    // No optional quote before the name (it only widened the whole match, never the secret in
    // group 1): with one, the regex engine could not look for the names first and scanned
    // every byte ten times slower. `apikey` and `client_secret` are inside the names left.
    (
        "assigned secret",
        r#"(?i)(?:api[_-]?key|secret|access[_-]?token|refresh[_-]?token|password|passwd|private[_-]?key)(?:[_-][A-Za-z0-9]+)*["']?\s*[:=]\s*["']?([A-Za-z0-9._~+/=-]{12,})"#,
        1,
    ),
];

/// Literals a shape cannot do without, for the shapes whose own regular expression has none
/// the engine can look for first: a text without one is skipped at memchr speed. The
/// `environment secret` pattern starts with any upper-case name, and scanned every byte six
/// times slower than the others without this.
const PREFILTERS: &[(&str, &str)] = &[(
    "environment secret",
    "_(?:KEY|SECRET|TOKEN|PASSWORD|PASSWD|PWD|CREDENTIAL)",
)];

/// A compiled shape: its kind, its expression, the group holding the secret, and its prefilter.
pub(super) struct Compiled {
    pub kind: &'static str,
    pub regex: Regex,
    pub group: usize,
    prefilter: Option<Regex>,
}

impl Compiled {
    /// Whether the text can hold this shape at all (its prefilter matches, or it has none).
    fn may_match(&self, text: &str) -> bool {
        self.prefilter.as_ref().is_none_or(|p| p.is_match(text))
    }
}

pub(super) fn compiled() -> &'static [Compiled] {
    static COMPILED: OnceLock<Vec<Compiled>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        PATTERNS
            .iter()
            .map(|(kind, pattern, group)| Compiled {
                kind,
                regex: Regex::new(pattern).expect("redaction patterns compile"),
                group: *group,
                prefilter: PREFILTERS
                    .iter()
                    .find(|(k, _)| k == kind)
                    .map(|(_, p)| Regex::new(p).expect("prefilters compile")),
            })
            .collect()
    })
}

/// A secret in a text: the bytes that wrote it, and what it looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub range: Range<usize>,
    pub kind: &'static str,
}

/// Every key shape in `text` as written (no escape decoded). A redaction token is never a
/// secret: redacting what is redacted changes nothing.
fn written(text: &str, out: &mut Vec<Span>) {
    for shape in compiled() {
        if !shape.may_match(text) {
            continue;
        }
        let mut push = |range: Range<usize>| {
            if !text[range.clone()].starts_with(REDACTED_PREFIX) {
                out.push(Span {
                    range,
                    kind: shape.kind,
                });
            }
        };
        if shape.group == 0 {
            shape.regex.find_iter(text).for_each(|m| push(m.range()));
        } else {
            // The next search starts where the secret started, not where it ended: in
            // `api_key:\n  client_secret: …` the first match takes the next name for a value,
            // and the real secret after it would otherwise be skipped.
            let mut at = 0;
            while let Some(caps) = shape.regex.captures_at(text, at) {
                let whole = caps.get(0).expect("group 0 is the match");
                let next = match caps.get(shape.group) {
                    Some(secret) => {
                        push(secret.range());
                        secret.start()
                    }
                    None => whole.end(),
                };
                at = next.max(whole.start() + 1);
                while at < text.len() && !text.is_char_boundary(at) {
                    at += 1;
                }
            }
        }
    }
}

/// Every key shape in `text`, read as its reader reads it: in what its escapes stand for
/// (mapped back to the escapes that wrote it), with overlapping spans joined.
///
/// A text with escapes is searched once, decoded: what the patterns find as written they find
/// decoded too (no pattern but a private key block spans a backslash, and that one spans
/// anything), and decoding only adds (a key behind `\u`, a word boundary an escaped line
/// break hid). One pass instead of two, on the writer's hot path.
pub fn spans(text: &str) -> Vec<Span> {
    let mut found = Vec::new();
    let layers = if text.contains('\\') {
        escapes::layers(text)
    } else {
        Vec::new()
    };
    match layers.last() {
        None => written(text, &mut found),
        Some(inner) => {
            written(&inner.text, &mut found);
            for span in &mut found {
                span.range = escapes::to_raw(&layers, span.range.clone());
            }
        }
    }
    merge(found)
}

/// Join overlapping spans (the kind of the earliest stays).
pub(super) fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    if spans.len() < 2 {
        return spans;
    }
    spans.sort_by_key(|s| (s.range.start, std::cmp::Reverse(s.range.end)));
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.range.start < last.range.end => {
                last.range.end = last.range.end.max(span.range.end);
            }
            _ => merged.push(span),
        }
    }
    merged
}

/// Whether `text` is a redaction token and nothing else.
pub fn is_token(text: &str) -> bool {
    text.strip_prefix(REDACTED_PREFIX)
        .and_then(|rest| rest.strip_suffix(']'))
        .is_some_and(|hex| hex.len() == 12 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A key-shaped string found by the scanner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What it looks like ("openai/anthropic-style key", "bearer token", …).
    pub kind: &'static str,
    /// Byte offset in the scanned text.
    pub offset: usize,
    /// Length in bytes of what wrote the secret at `offset` (escapes included).
    pub len: usize,
    /// The secret (decoded) with its middle masked, safe to print.
    pub masked: String,
}

/// Find key-shaped strings in text (what redaction would have replaced), escaped ones too.
pub fn scan_text(text: &str) -> Vec<Finding> {
    spans(text)
        .into_iter()
        .map(|span| Finding {
            kind: span.kind,
            offset: span.range.start,
            len: span.range.len(),
            masked: mask(&escapes::fully_decoded(&text[span.range])),
        })
        .collect()
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

/// The secret a span of `text` writes, its escapes decoded (so a key gives the same token
/// however it was escaped).
pub(super) fn secret_of<'a>(text: &'a str, range: &Range<usize>) -> Cow<'a, str> {
    escapes::fully_decoded(&text[range.clone()])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One example of every shape: (kind, text around it, the secret that must go).
    const SHAPES: &[(&str, &str, &str)] = &[
        (
            "private key block",
            "key: -----BEGIN RSA PRIVATE KEY-----\\nMIIEpAIBAAKCAQEA7bq9\\n-----END RSA PRIVATE KEY----- ok",
            "MIIEpAIBAAKCAQEA7bq9",
        ),
        (
            "private key block",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nAAAABG5vbmUA",
            "b3BlbnNzaC1rZXktdjEAAAAA",
        ),
        (
            "jwt",
            "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
            "dozjgNryP4J3jVmNHl0w5N",
        ),
        (
            "password in a url",
            "DATABASE_URL=postgres://app:s3cr3t-P4ss@db.internal:5432/prod",
            "s3cr3t-P4ss",
        ),
        (
            "openai/anthropic-style key",
            "sk-ant-api03-abcdefghijklmnopqrstuvwxyz",
            "abcdefghijklmnopqrstuvwxyz",
        ),
        (
            "stripe secret key",
            "STRIPE=sk_live_51HabcdefghijklmnopqrstuV",
            "51HabcdefghijklmnopqrstuV",
        ),
        (
            "google api key",
            "AIzaSyA12345678901234567890123456789012",
            "A12345678901234567890123456789012",
        ),
        (
            "aws access key id",
            "AKIAIOSFODNN7EXAMPLE",
            "IOSFODNN7EXAMPLE",
        ),
        (
            "aws secret access key",
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ),
        (
            "github token",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB",
            "abcdefghijklmnopqrstuvwxyz0123456789AB",
        ),
        (
            "github token",
            "github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg",
            "mnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg",
        ),
        (
            "slack token",
            "xoxb-1234567890-abcdefghij",
            "1234567890-abcdefghij",
        ),
        (
            "huggingface token",
            "hf_abcdefghijklmnopqrstuvwxyz012345",
            "abcdefghijklmnopqrstuvwxyz012345",
        ),
        (
            "groq/xai key",
            "gsk_abcdefghijklmnopqrstuvwxyz0123456789ABCD",
            "abcdefghijklmnopqrstuvwxyz0123456789ABCD",
        ),
        (
            "azure key",
            r#""azure_openai_key": "0123456789abcdef0123456789abcdef""#,
            "0123456789abcdef0123456789abcdef",
        ),
        (
            "bearer token",
            "Authorization: Bearer abcdefghijklmnopqrstuvwxyz",
            "abcdefghijklmnopqrstuvwxyz",
        ),
        (
            "environment secret",
            "STRIPE_SECRET_KEY=whsec_abcdefgh12345678\nSECRET_KEY=django-insecure-x1y2z3w4\nPRIVATE_KEY=0xabcdef1234567890\nAZURE_OPENAI_KEY=f00dfeedf00dfeed",
            "whsec_abcdefgh12345678",
        ),
        (
            "environment secret",
            "export DATABASE_PASSWORD='correct-horse-battery'",
            "correct-horse-battery",
        ),
        (
            "assigned secret",
            r#"{"client_secret": "abcdefghijklmnop"}"#,
            "abcdefghijklmnop",
        ),
        (
            "assigned secret",
            "password: hunter2hunter2",
            "hunter2hunter2",
        ),
        (
            // Found by the property test: the first name's value looked like the next name.
            "assigned secret",
            "api_key: \tclient_secret: A~=_0Aaa~aaA ",
            "A~=_0Aaa~aaA",
        ),
    ];

    #[test]
    fn every_shape_is_found_and_its_whole_secret_covered() {
        for (kind, text, secret) in SHAPES {
            let found = spans(text);
            let at = text.find(secret).expect("the example holds its secret");
            assert!(
                found
                    .iter()
                    .any(|s| s.range.start <= at && at + secret.len() <= s.range.end),
                "{kind}: {secret} not covered in {text:?}: {found:?}"
            );
        }
        for (kind, ..) in PATTERNS {
            assert!(
                SHAPES.iter().any(|(k, ..)| k == kind),
                "no example of {kind}"
            );
        }
    }

    #[test]
    fn every_env_line_of_a_dotenv_file_is_found() {
        let dotenv = "STRIPE_SECRET_KEY=whsec_abcdefgh12345678\nSECRET_KEY=django-insecure-x1y2z3w4\nPRIVATE_KEY=0xabcdef1234567890\nAZURE_OPENAI_KEY=f00dfeedf00dfeed\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nDEBUG=true\n";
        let found = spans(dotenv);
        assert_eq!(found.len(), 5, "{found:?}");
        assert!(
            !found
                .iter()
                .any(|s| dotenv[s.range.clone()].contains("true"))
        );
    }

    #[test]
    fn ordinary_text_code_and_ids_are_not_secrets() {
        for text in [
            "The max_tokens parameter is 4096; the secretary keeps the keys.",
            r#"{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk"}"#,
            "fn main() { let api = Api::new(); }",
            "MAX_TOKENS=4096\nDEBUG=1\nTOKEN_LIMIT=20",
            "OPENAI_KEY = os.environ[\"OPENAI_KEY\"]",
            "see https://platform.openai.com/docs/api-reference",
            "[REDACTED:0123456789ab] Bearer [REDACTED:0123456789ab]",
            "OPENAI_API_KEY=[REDACTED:0123456789ab] postgres://u:[REDACTED:0123456789ab]@h",
            r#""prompt_cache_key": "conversation-1""#,
        ] {
            assert!(spans(text).is_empty(), "{text}: {:?}", spans(text));
        }
    }

    #[test]
    fn overlapping_shapes_are_replaced_as_one() {
        let text = "password=abcAKIAIOSFODNN7EXAMPLEdef";
        let found = spans(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(&text[found[0].range.clone()], "abcAKIAIOSFODNN7EXAMPLEdef");
    }

    #[test]
    fn the_scanner_sees_escaped_keys_and_masks_them_decoded() {
        let text = r#"{"k":"\u0073k-proj-abcdefghijklmnopqrstuvwxyz"}"#;
        let findings = scan_text(text);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].masked, "sk-p…wxyz");
        assert_eq!(&text[findings[0].offset..][..6], r"\u0073");
        assert!(is_token("[REDACTED:0123456789ab]") && !is_token("[REDACTED:xyz]"));
    }
}
