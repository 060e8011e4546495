//! Text for the console. A terminal acts on control characters: ESC starts sequences that
//! move the cursor, recolour, set the window title or (OSC 52) write the clipboard; CR and LF
//! let one record fake the lines after it; BEL rings; the C1 range holds one-byte forms of the
//! same sequences; bidirectional overrides reorder what is shown (a line can read other than
//! it is). Each of those, taken from a capture, is written as a visible `\u{..}` instead.

use std::borrow::Cow;
use std::fmt;

/// Whether `c` must not reach a terminal as it is: every control character (C0 with ESC, BEL,
/// CR, LF and TAB, DEL, C1), the bidirectional formatting characters, and the line and
/// paragraph separators some terminals and editors break lines at.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Text for one line: every character [`is_unsafe`] written as `\u{..}`, so a captured string
/// can neither act on the terminal nor start a line of its own.
pub fn line(text: &str) -> Cow<'_, str> {
    escape(text, |_| false)
}

/// Text of several lines the tool laid out itself (pretty JSON, a unified diff): like
/// [`line()`], but the line feeds stay. Only for text whose line feeds the tool wrote (serde
/// writes a line feed inside a string as `\n`).
pub fn block(text: &str) -> Cow<'_, str> {
    escape(text, |c| c == '\n')
}

/// JSON text (as serde writes it) safe for a terminal, with the same value: a character
/// [`is_unsafe`] can only be inside a string there (serde escapes C0 controls already, not DEL,
/// C1 or bidirectional overrides), where `\uXXXX` means the same character.
pub fn json(text: &str) -> Cow<'_, str> {
    json_escaping(text, |c| is_unsafe(c) && c != '\n')
}

/// `value` as pretty JSON for the console or a file, through [`json()`], with a final newline.
pub fn pretty_json<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut text = json(&serde_json::to_string_pretty(value)?).into_owned();
    text.push('\n');
    Ok(text)
}

/// JSON text with every character `risky` says written as its `\uXXXX` escape: the same value
/// wherever such a character can occur in JSON (inside a string). For the sinks that must not
/// see some characters as they are (a terminal, a Markdown file).
pub(super) fn json_escaping(text: &str, risky: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&risky) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if risky(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`line()`] as a `Display` value, for `format!` without an intermediate `String`.
pub struct Line<'a>(pub &'a str);

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&line(self.0))
    }
}

fn escape(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) && !keep(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_sequences_line_breaks_c1_and_bidi_overrides() {
        let hostile = "m\u{1b}]0;owned\u{7}\r\nfake line\u{9b}31m\u{202e}txt.exe\u{2066}\u{7f}\t";
        let safe = line(hostile);
        assert!(!safe.chars().any(is_unsafe), "{safe:?}");
        assert_eq!(
            safe,
            "m\\u{1b}]0;owned\\u{7}\\u{d}\\u{a}fake line\\u{9b}31m\\u{202e}txt.exe\\u{2066}\\u{7f}\\u{9}"
        );
        assert!(matches!(line("gpt-5.5 ünïcode ✔"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_keeps_its_value() {
        let value = serde_json::json!({"m": "a\u{9b}b\u{202e}c\u{7f}\u{1b}"});
        let text = serde_json::to_string_pretty(&value).unwrap();
        let safe = json(&text);
        assert!(!safe.chars().any(|c| c != '\n' && is_unsafe(c)), "{safe}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&safe).unwrap(),
            value
        );
    }

    #[test]
    fn a_block_keeps_its_line_feeds_only() {
        assert_eq!(block("a\nb\r\u{1b}[2J"), "a\nb\\u{d}\\u{1b}[2J");
        assert_eq!(Line("x\ny").to_string(), "x\\u{a}y");
    }
}
