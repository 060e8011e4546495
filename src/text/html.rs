//! Text for HTML (`report.html`): the five characters that could open markup or end an
//! attribute value are written as entities. The page also carries a Content-Security-Policy
//! that allows no script but its own, so escaping is not the only line.

/// Escape text for HTML content and (quoted) attribute values. Control characters (but line
/// feeds and tabs, which `<pre>` blocks lay out with) and bidirectional overrides are shown as
/// `\u{..}`, as on the console: they mean nothing in a page but can reorder what it shows, and
/// the page may be printed to a terminal (`report --format html`).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if super::terminal::is_unsafe(c) => {
                out.push_str(&super::terminal::line(c.encode_utf8(&mut [0; 4])));
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping_covers_markup_and_attributes() {
        assert_eq!(
            super::escape("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
        assert_eq!(
            super::escape("a\u{1b}[2J\r\n\u{202e}b"),
            "a\\u{1b}[2J\\u{d}\n\\u{202e}b"
        );
    }
}
