//! Making free text safe to publish: host names, IP addresses, absolute paths, timestamps and
//! key-shaped strings are masked. Used on everything the Markdown report takes from captures,
//! error messages and scenario files.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

struct Masks {
    url: Regex,
    ipv4: Regex,
    ipv6: Regex,
    path: Regex,
    timestamp: Regex,
}

fn masks() -> &'static Masks {
    static MASKS: OnceLock<Masks> = OnceLock::new();
    MASKS.get_or_init(|| Masks {
        // scheme://[userinfo@]host[:port] — the rest of the URL (a path) may stay.
        url: Regex::new(r"(?i)\b([a-z][a-z0-9+.-]*)://(?:[^\s/@]+@)?[^\s/?#'`\x22<>]+").expect("url mask"),
        ipv4: Regex::new(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b").expect("ipv4 mask"),
        ipv6: Regex::new(r"\[[0-9a-fA-F:]{2,}\](?::\d+)?").expect("ipv6 mask"),
        path: Regex::new(r#"(?:^|[\s(`'"=])(/(?:home|root|tmp|var|Users|private|mnt|opt|srv|etc|run|work)/[^\s`'")]*)"#).expect("path mask"),
        timestamp: Regex::new(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?\b").expect("timestamp mask"),
    })
}

/// Text with hosts, addresses, absolute paths, timestamps and key-shaped strings masked.
pub fn forum_safe(text: &str) -> Cow<'_, str> {
    let m = masks();
    let mut out = Cow::Borrowed(text);
    if m.url.is_match(&out) {
        out = Cow::Owned(m.url.replace_all(&out, "$1://<host>").into_owned());
    }
    if m.ipv4.is_match(&out) {
        out = Cow::Owned(m.ipv4.replace_all(&out, "<ip>").into_owned());
    }
    if m.ipv6.is_match(&out) {
        out = Cow::Owned(m.ipv6.replace_all(&out, "<ip>").into_owned());
    }
    if m.path.is_match(&out) {
        out = Cow::Owned(
            m.path
                .replace_all(&out, |caps: &regex::Captures<'_>| {
                    let whole = caps.get(0).map_or("", |m| m.as_str());
                    let path = caps.get(1).map_or("", |m| m.as_str());
                    whole.replacen(path, "<path>", 1)
                })
                .into_owned(),
        );
    }
    if m.timestamp.is_match(&out) {
        out = Cow::Owned(m.timestamp.replace_all(&out, "<time>").into_owned());
    }
    let findings = crate::capture::redact::scan_text(&out);
    if !findings.is_empty() {
        // Captures are redacted before they reach disk; this is the second line of defence.
        let mut text = out.into_owned();
        for finding in findings.iter().rev() {
            let end = text[finding.offset..]
                .find(|c: char| {
                    c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ',' | '}' | ']')
                })
                .map_or(text.len(), |n| finding.offset + n);
            text.replace_range(finding.offset..end, "<secret>");
        }
        out = Cow::Owned(text);
    }
    out
}

/// Free text for Markdown prose or a table cell: made forum-safe, then escaped by
/// [`crate::text::markdown::text`] so it can become no markup.
pub fn markdown_text(text: &str) -> String {
    crate::text::markdown::text(&forum_safe(text))
}

/// Text from a capture (a rule code, a JSON pointer) as Markdown inline code: made forum-safe,
/// and unable to close its code span, break its line or hold markup
/// ([`crate::text::markdown::code`]).
pub fn markdown_code(text: &str) -> String {
    crate::text::markdown::code(&forum_safe(text))
}

/// A capture path as the report shows it: relative to the working directory when it is under
/// it, otherwise its last three components, never absolute.
pub fn relative_display(path: &str) -> String {
    let as_path = std::path::Path::new(path);
    if as_path.is_relative() {
        return path.to_owned();
    }
    if let Ok(cwd) = std::env::current_dir()
        && let Ok(relative) = as_path.strip_prefix(&cwd)
    {
        return relative.display().to_string();
    }
    let parts: Vec<_> = as_path.components().rev().take(3).collect();
    let tail: std::path::PathBuf = parts.into_iter().rev().collect();
    format!("…/{}", tail.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_addresses_paths_times_and_keys_are_masked() {
        let text = "cannot connect to https://gw.internal.example:8443/api/llm/v1 (10.1.2.3:443) at 2026-11-26T18:52:37.880Z; see /home/alice/captures/x.json; key sk-proj-abcdefghijklmnopqrstuvwxyz012345";
        let safe = forum_safe(text);
        for leaked in [
            "gw.internal",
            "10.1.2.3",
            "2026-11-26",
            "alice",
            "sk-proj-abc",
        ] {
            assert!(!safe.contains(leaked), "{leaked} in {safe}");
        }
        assert!(safe.contains("https://<host>/api/llm/v1"), "{safe}");
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        let text = "Unrecognized request argument supplied: input (an OpenAI Responses API field) at /tools/0/function";
        assert!(matches!(forum_safe(text), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_text_cannot_become_links_images_html_or_mentions() {
        let hostile =
            "![x](javascript:alert(1)) [click](http://evil.example) <img src=x> @everyone a|b";
        let text = markdown_text(hostile);
        for markup in ["![", "<img", " @everyone", "a|b"] {
            assert!(!text.contains(markup), "{markup} survived in {text}");
        }
        // Every `](` that is left is escaped (`\](`), so no link or image can form.
        assert_eq!(
            text.matches("](").count(),
            text.matches("\\](").count(),
            "{text}"
        );
        assert_eq!(markdown_text("`input` is unknown"), "`input` is unknown");
    }

    #[test]
    fn paths_are_never_absolute() {
        assert_eq!(
            relative_display("captures/golden/a.json"),
            "captures/golden/a.json"
        );
        assert!(!relative_display("/somewhere/else/deep/a/b.json").starts_with('/'));
    }
}
