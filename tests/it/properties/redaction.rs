//! Redaction: a planted key of every known shape is seen by the scanner, replaced, and leaves
//! no key shape behind.

use cursor_harness::capture::redact::{self, Redactor};
use proptest::prelude::*;

use super::config;

/// A key of the given kind (one of `redact::PATTERNS`), as planted text and the secret in it
/// that must disappear.
fn planted(kind: &str) -> BoxedStrategy<(String, String)> {
    let whole = |s: BoxedStrategy<String>| s.prop_map(|k| (k.clone(), k)).boxed();
    match kind {
        "openai/anthropic-style key" => {
            whole("sk-(proj-|ant-api03-|svcacct-)?[A-Za-z0-9_-]{20,60}".boxed())
        }
        "google api key" => whole("AIza[0-9A-Za-z_-]{35}".boxed()),
        "aws access key id" => whole("(AKIA|ASIA)[0-9A-Z]{16}".boxed()),
        "github token" => {
            whole("gh[pousr]_[A-Za-z0-9]{36,50}|github_pat_[A-Za-z0-9_]{22,60}".boxed())
        }
        "slack token" => whole("xox[abprs]-[A-Za-z0-9-]{10,40}".boxed()),
        "huggingface token" => whole("hf_[A-Za-z0-9]{30,40}".boxed()),
        "groq/xai key" => whole("(gsk_|xai-)[A-Za-z0-9]{40,56}".boxed()),
        "jwt" => whole(
            "eyJ[A-Za-z0-9_-]{10,30}\\.eyJ[A-Za-z0-9_-]{10,30}\\.[A-Za-z0-9_-]{10,30}".boxed(),
        ),
        "bearer token" => (
            "(Bearer|bearer|BEARER)( |  |\t)",
            "[A-Za-z0-9._~+/=-]{20,60}",
        )
            .prop_map(|(scheme, token)| (format!("{scheme}{token}"), token))
            .boxed(),
        "private key block" => (
            prop::sample::select(vec!["", "RSA ", "EC ", "OPENSSH ", "ENCRYPTED "]),
            "[A-Za-z0-9+/]{20,60}",
            prop::sample::select(vec!["\n", "\\n", "\r\n"]),
        )
            .prop_map(|(kind, body, line)| {
                (
                    format!("-----BEGIN {kind}PRIVATE KEY-----{line}{body}{line}-----END {kind}PRIVATE KEY-----"),
                    body,
                )
            })
            .boxed(),
        "password in a url" => (
            prop::sample::select(vec!["postgres", "postgresql", "mysql", "redis", "https"]),
            "[a-z]{2,8}",
            "[A-Za-z0-9_!$*-]{8,24}",
        )
            .prop_map(|(scheme, user, password)| {
                (format!("{scheme}://{user}:{password}@db.internal:5432/app"), password)
            })
            .boxed(),
        "stripe secret key" => whole("(sk|rk)_(live|test)_[A-Za-z0-9]{16,40}".boxed()),
        "aws secret access key" => (
            prop::sample::select(vec!["aws_secret_access_key", "AWS_SECRET_ACCESS_KEY", "awsSecretKey"]),
            prop::sample::select(vec![" = ", "=", "\": \"", ": "]),
            "[A-Za-z0-9/+]{40}",
        )
            .prop_map(|(name, assign, value)| (format!("{name}{assign}{value}"), value))
            .boxed(),
        "azure key" => (
            prop::sample::select(vec!["azure_openai_key", "api-key", "Ocp-Apim-Subscription-Key", "AZURE_SECRET"]),
            prop::sample::select(vec!["=", ": ", "\": \"", " = '"]),
            "[0-9a-f]{32}",
        )
            .prop_map(|(name, assign, value)| (format!("{name}{assign}{value}"), value))
            .boxed(),
        "environment secret" => (
            "[A-Z]{2,8}",
            prop::sample::select(vec!["_SECRET_KEY", "_ACCESS_KEY", "_KEY", "_TOKEN", "_PASSWORD", "_API_KEY_ID"]),
            prop::sample::select(vec!["=", "='", "=\""]),
            "[A-Za-z0-9_./+-]{8,30}",
        )
            .prop_map(|(prefix, suffix, assign, value)| {
                (format!("{prefix}{suffix}{assign}{value}"), value)
            })
            .boxed(),
        "assigned secret" => (
            prop::sample::select(vec![
                "api_key",
                "api-key",
                "apikey",
                "API_KEY",
                "secret",
                "client_secret",
                "access_token",
                "Access-Token",
                "refresh_token",
                "password",
                "private_key",
                "secret_access_key",
            ]),
            prop::sample::select(vec!["=", ": ", " = ", "\": \"", "='", ":"]),
            "[A-Za-z0-9._~+/=-]{12,40}",
        )
            .prop_map(|(name, assign, value)| (format!("{name}{assign}{value}"), value))
            .boxed(),
        other => panic!("no generator for the key kind {other:?}: add one to planted()"),
    }
}

/// Text around a planted key: prose, JSON and header punctuation, other languages, and bits
/// of other key shapes and of redaction tokens, so the patterns meet each other.
fn surrounding() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("hello".to_owned()),
        Just(" ".to_owned()),
        Just("\n".to_owned()),
        Just("\"".to_owned()),
        Just(": ".to_owned()),
        Just("=".to_owned()),
        Just("{\"content\":\"".to_owned()),
        Just("data: ".to_owned()),
        Just("<td>".to_owned()),
        Just("é日本".to_owned()),
        Just("sk-".to_owned()),
        Just("Bearer".to_owned()),
        Just("api_key".to_owned()),
        Just("[REDACTED:0123456789ab]".to_owned()),
        "[A-Za-z0-9_-]{1,12}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..10).prop_map(|pieces| pieces.concat())
}

/// Characters that end a key on either side (none is part of any key's alphabet).
fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![" ", "\n", "\"", "'", ", ", "(", ")", "<", ">", "\t"])
}

/// (kind, text, the secret, where the secret is in the text).
fn planted_in_text() -> impl Strategy<Value = (String, String, String, usize)> {
    let kinds: Vec<&'static str> = redact::PATTERNS.iter().map(|(kind, _, _)| *kind).collect();
    prop::sample::select(kinds).prop_flat_map(|kind| {
        (
            planted(kind),
            surrounding(),
            separator(),
            separator(),
            surrounding(),
        )
            .prop_map(move |((key, secret), before, open, close, after)| {
                let at = before.len() + open.len() + key.find(&secret).expect("secret in key");
                (
                    kind.to_owned(),
                    format!("{before}{open}{key}{close}{after}"),
                    secret,
                    at,
                )
            })
    })
}

#[test]
fn every_key_kind_has_a_generator() {
    for (kind, _, _) in redact::PATTERNS {
        let _ = planted(kind);
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn redaction_leaves_no_key_shape_and_removes_the_planted_key(
        (kind, text, secret, at) in planted_in_text(),
        invalid_utf8 in any::<bool>(),
    ) {
        prop_assert!(
            redact::scan_text(&text).iter().any(|f| f.offset <= at && at + secret.len() <= f.offset + f.len),
            "the scanner does not see the planted {} in {:?}: {:?}", kind, text, redact::scan_text(&text)
        );
        let redactor = Redactor::with_key(b"0123456789abcdef0123456789abcdef");
        let clean = redactor.text(&text);
        prop_assert!(!clean.contains(&secret), "{} survived: {:?}", kind, clean);
        prop_assert!(redact::scan_text(&clean).is_empty(), "{:?} in {:?}", redact::scan_text(&clean), clean);
        // Bytes that are not UTF-8 (a binary body) are scrubbed too.
        let mut bytes = text.into_bytes();
        if invalid_utf8 {
            bytes.insert(0, 0xff);
        }
        let scrubbed = redactor.bytes(&bytes);
        let scrubbed = String::from_utf8_lossy(&scrubbed);
        prop_assert!(!scrubbed.contains(&secret), "{} survived in bytes: {:?}", kind, scrubbed);
        prop_assert!(redact::scan_text(&scrubbed).is_empty(), "{:?}", scrubbed);
    }

    #[test]
    fn a_literal_secret_such_as_the_path_token_is_always_replaced(
        token in "[0-9a-f]{32}",
        before in surrounding(),
        after in surrounding(),
    ) {
        let redactor = Redactor::with_key(b"0123456789abcdef").with_literal(token.clone());
        let target = format!("/t/{token}/v1/chat/completions?q={before}");
        prop_assert!(!redactor.target(&target).contains(&token));
        let text = format!("{before}{token}{after}");
        prop_assert!(!redactor.text(&text).contains(&token));
    }
}
