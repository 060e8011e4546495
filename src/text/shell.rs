//! Text for POSIX shell scripts (`export --format curl`, `shrink --curl`, the reproducer in
//! `report.md`): a script built from captures must run curl and nothing else. Every captured
//! string is a single-quoted word ([`quote`]), inside a here-document whose quoted delimiter
//! no line equals ([`heredoc_delimiter`]), or in a comment that cannot end its line
//! ([`comment`]). Variable names come from the user and are checked ([`is_name`]).

use std::borrow::Cow;

use super::terminal;

/// Quote for a POSIX shell: left bare only when every byte is one the shell takes literally,
/// else single-quoted. A character a terminal would act on (but a line feed) is not written
/// raw even inside quotes, where the shell would keep it but `cat script.sh` would obey it: it
/// is made by `printf` from octal escapes, so the word is the same bytes.
pub fn quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-:=,@".contains(&b))
    {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut quoted = String::new();
    let mut raw = String::new();
    let flush_quoted = |out: &mut String, quoted: &mut String| {
        if !quoted.is_empty() {
            out.push_str(&format!("'{}'", quoted.replace('\'', r"'\''")));
            quoted.clear();
        }
    };
    for c in text.chars() {
        if c != '\n' && terminal::is_unsafe(c) {
            flush_quoted(&mut out, &mut quoted);
            for byte in c.encode_utf8(&mut [0; 4]).bytes() {
                raw.push_str(&format!("\\{byte:03o}"));
            }
        } else {
            if !raw.is_empty() {
                out.push_str(&format!("\"$(printf '{raw}')\""));
                raw.clear();
            }
            quoted.push(c);
        }
    }
    if !raw.is_empty() {
        out.push_str(&format!("\"$(printf '{raw}')\""));
    }
    flush_quoted(&mut out, &mut quoted);
    if out.is_empty() {
        out.push_str("''");
    }
    out
}

/// Whether `text` can be written into a script as it is (in a quoted here-document): it holds
/// no character a terminal would act on but line feeds and tabs.
pub fn is_inert(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c != '\n' && c != '\t' && terminal::is_unsafe(c))
}

/// Text for a `#` comment: one line, with no character a terminal or the shell could act on
/// (the console's rule: line breaks, escape sequences and bidirectional overrides are written
/// as `\u{..}`).
pub fn comment(text: &str) -> Cow<'_, str> {
    terminal::line(text)
}

/// A here-document delimiter (starting from `base`) that no line of `text` equals, so the
/// text cannot end the here-document early.
pub fn heredoc_delimiter(text: &str, base: &str) -> String {
    let mut delimiter = base.to_owned();
    while text.lines().any(|line| line == delimiter) {
        delimiter.push('_');
    }
    delimiter
}

/// A name a POSIX shell can expand as `${NAME}`.
pub fn is_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_quotes() {
        assert_eq!(quote("/v1/chat/completions"), "/v1/chat/completions");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("$(touch x)`y`"), "'$(touch x)`y`'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("a\u{1b}[2Jb"), "'a'\"$(printf '\\033')\"'[2Jb'");
    }

    #[cfg(unix)]
    #[test]
    fn a_quoted_word_is_the_same_bytes_to_the_shell() {
        for text in [
            "plain",
            "it's",
            "a\u{1b}]0;x\u{7}b",
            "\u{202e}rtl\u{9b}",
            "tab\there",
            "x\ny",
        ] {
            let output = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("printf '%s' {}", quote(text)))
                .output()
                .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                text,
                "{}",
                quote(text)
            );
            assert!(
                is_inert(&quote(text)) || text.contains('\t'),
                "{}",
                quote(text)
            );
        }
    }

    #[test]
    fn comments_stay_on_their_line() {
        assert_eq!(
            comment("x\ntouch /tmp/PWNED\n#\u{1b}]0;t\u{7}\u{202e}"),
            "x\\u{a}touch /tmp/PWNED\\u{a}#\\u{1b}]0;t\\u{7}\\u{202e}"
        );
    }

    #[test]
    fn delimiters_and_names() {
        assert_eq!(heredoc_delimiter("a\nEOF\nb", "EOF"), "EOF_");
        assert!(is_name("GATEWAY_API_KEY") && is_name("_x1"));
        assert!(!is_name("1X") && !is_name("A-B") && !is_name("A;rm") && !is_name(""));
    }
}
