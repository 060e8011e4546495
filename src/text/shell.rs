//! Text for POSIX shell scripts (`export --format curl`, `shrink --curl`, the reproducer in
//! `report.md`): a script built from captures must run curl and nothing else. Every captured
//! string is a single-quoted word ([`quote`]), inside a here-document whose quoted delimiter
//! no line equals ([`heredoc_delimiter`]), or in a comment that cannot end its line
//! ([`comment`]). Variable names come from the user and are checked ([`is_name`]).

use std::borrow::Cow;

use super::terminal;

/// Quote for a POSIX shell: left bare only when every byte is one the shell takes literally.
pub fn quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-:=,@".contains(&b))
    {
        return text.to_owned();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
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
