//! Text for Markdown that is posted where it renders (GitHub, GitLab, Discourse): a captured
//! string can become no markup the tool did not write. Three forms:
//!
//! - [`text`]: escaped prose for a line or a table cell. No HTML or comment (`<` and `>` are
//!   entities), no link, image or autolink (`[`, `]` escaped; `://` and `www.` broken), no
//!   mention (`@` is followed by a zero-width space), no heading, list, quote or fence (line
//!   breaks become spaces, so captured text never starts a line, and `#` is escaped too), no
//!   table cell break (`|`). Backticks stay: a code span only shows text literally, so quoted
//!   field names in messages still read as code and nothing can hide inside one.
//! - [`code`]: an inline code span whose fence is longer than any run of backticks inside, so
//!   the content cannot close it; text that holds `<`, `>` or a control character is given as
//!   [`text`] instead, so no raw tag appears in the file at all.
//! - [`fenced`]: a fenced block that its content cannot close, and [`json`] for JSON put in one.

use std::borrow::Cow;

use super::terminal;

/// Escaped text for a line of prose or a table cell (see the module doc).
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    let mut previous = ' ';
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '|' => out.push_str("\\|"),
            '#' => out.push_str("\\#"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' => out.push_str("@\u{200b}"),
            // `scheme://host` and `www.host` become links on their own (GFM autolinks).
            ':' if chars.peek() == Some(&'/') => out.push_str(":\u{200b}"),
            '.' if out.ends_with("www") && !previous.is_alphanumeric() => out.push_str("\u{200b}."),
            '\n' | '\r' => out.push(' '),
            c if terminal::is_unsafe(c) => {
                out.push_str(&terminal::line(c.encode_utf8(&mut [0; 4])))
            }
            c => out.push(c),
        }
        if c != 'w' {
            previous = c;
        }
    }
    out
}

/// An inline code span for `content` (see the module doc).
pub fn code(content: &str) -> String {
    if content
        .chars()
        .any(|c| c == '<' || c == '>' || terminal::is_unsafe(c))
    {
        return text(content);
    }
    let fence = "`".repeat(longest_run(content, '`') + 1);
    // A span that starts or ends with a backtick needs a space inside its fence (CommonMark
    // strips one space on each side).
    let pad = if content.starts_with('`') || content.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{content}{pad}{fence}")
}

/// A fenced code block that its content cannot close: the fence is longer than any run of
/// backticks inside.
pub fn fenced(info: &str, content: &str) -> String {
    let fence = "`".repeat(longest_run(content, '`').max(2) + 1);
    format!("{fence}{info}\n{content}\n{fence}")
}

/// JSON text made inert for a Markdown file, with the same value: `<`, `>`, `&`, backticks and
/// every character the terminal escaper would escape are written as `\uXXXX`. They can only
/// occur inside JSON strings, where the escape means the same character.
pub fn json(json: &str) -> Cow<'_, str> {
    terminal::json_escaping(json, |c| {
        matches!(c, '<' | '>' | '&' | '`') || (terminal::is_unsafe(c) && c != '\n')
    })
}

fn longest_run(text: &str, of: char) -> usize {
    text.split(|c| c != of).map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "x` <img src=x onerror=alert(1)> ![i](https://evil.example/i.png) \
                           [click](javascript:alert(1)) @everyone <!-- \n# heading\n```\nwww.evil.example a|b \u{1b}[31m";

    #[test]
    fn text_becomes_no_markup() {
        let safe = text(HOSTILE);
        for markup in [
            "<img",
            "<!--",
            "![",
            "@everyone",
            "\n",
            "https://",
            "www.evil",
            "a|b",
            "\u{1b}",
        ] {
            assert!(!safe.contains(markup), "{markup:?} survived in {safe}");
        }
        // Every `](` left is escaped (`\\](`), so no link or image can form.
        assert_eq!(
            safe.matches("](").count(),
            safe.matches("\\](").count(),
            "{safe}"
        );
        assert!(safe.contains("\\# heading"), "{safe}");
        assert_eq!(text("`input` is unknown"), "`input` is unknown");
        assert_eq!(text("gpt-5.5"), "gpt-5.5");
    }

    #[test]
    fn code_spans_outlast_the_backticks_inside() {
        assert_eq!(code("/messages/0/content"), "`/messages/0/content`");
        assert_eq!(code("/a``b"), "```/a``b```");
        assert_eq!(code("`x"), "`` `x ``");
        // Markup-like text is not put in a span at all: escaped instead.
        let shown = code("/tools/<img src=x>/name");
        assert!(!shown.contains('<') && !shown.contains('`'), "{shown}");
    }

    #[test]
    fn fences_outlast_the_backticks_inside() {
        let block = fenced("json", "x ```` y");
        assert!(
            block.starts_with("`````json\n") && block.ends_with("\n`````"),
            "{block}"
        );
        assert!(fenced("sh", "plain").starts_with("```sh\n"));
    }

    #[test]
    fn json_keeps_its_value_and_loses_its_markup() {
        let value = serde_json::json!({"k": "<img src=x> & ``` \u{202e} \u{9b} 😀"});
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let inert = json(&pretty);
        assert!(
            !inert.contains(['<', '>', '&', '`', '\u{202e}', '\u{9b}']),
            "{inert}"
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&inert).unwrap(),
            value
        );
    }
}
