//! Text for XML (`junit.xml`, which CI systems parse and show in their web pages). The writer
//! escapes `&`, `<`, `>` and quotes; what it cannot do is carry characters XML 1.0 forbids
//! (most C0 controls: one of them makes the whole file unreadable to the CI), and what a page
//! should not show raw (escape sequences, bidirectional overrides). Those are written as a
//! visible `\u{..}`, as on the console; line feeds stay, a failure's text has several lines.

use std::borrow::Cow;

use super::terminal;

/// Text for an XML attribute or element whose markup characters the writer escapes.
pub fn text(text: &str) -> Cow<'_, str> {
    terminal::block(text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn forbidden_characters_become_visible() {
        let safe = super::text("a\u{0}b\u{1b}[31m\u{b}\nnext\u{202e}");
        assert_eq!(safe, "a\\u{0}b\\u{1b}[31m\\u{b}\nnext\\u{202e}");
    }
}
