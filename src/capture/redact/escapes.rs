//! What JSON escapes stand for. A key written `\u0073k-…` or `sk\u002d…` is stored as written
//! and becomes a key again in whoever decodes the JSON, and `\n` before a key hides the word
//! boundary the patterns need; so redaction also looks at the decoded text. Escapes nest (a
//! tool call's arguments are JSON inside a JSON string, a stream chunk is JSON inside a capture
//! file), so up to [`LEVELS`] layers are decoded. Every decoded span maps back to the bytes
//! that wrote it, and those are what redaction replaces.

use std::ops::Range;

/// Layers of escapes decoded at most: a capture file holding a stream chunk holding tool
/// arguments is three.
pub const LEVELS: usize = 3;

/// One decoded escape: where its character is in the decoded text, where its escape was in
/// the text it was decoded from.
#[derive(Debug, Clone, Copy)]
struct Anchor {
    decoded: u32,
    decoded_len: u8,
    raw: u32,
    raw_len: u8,
}

impl Anchor {
    fn decoded(&self) -> usize {
        self.decoded as usize
    }
    fn decoded_end(&self) -> usize {
        self.decoded as usize + usize::from(self.decoded_len)
    }
    fn raw(&self) -> usize {
        self.raw as usize
    }
    fn raw_end(&self) -> usize {
        self.raw as usize + usize::from(self.raw_len)
    }
}

/// Text with its JSON escapes decoded, and the way back to the text it was decoded from.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    anchors: Vec<Anchor>,
}

impl Decoded {
    /// Decode the JSON escapes in `raw` (anywhere, not only inside strings: a stream or a body
    /// that is not valid JSON still decodes for its reader). `None` when it holds none.
    pub fn of(raw: &str) -> Option<Decoded> {
        let bytes = raw.as_bytes();
        // Offsets are kept in 32 bits (captures are far smaller); a larger text is read as
        // written only.
        u32::try_from(raw.len()).ok()?;
        let first = memchr::memchr(b'\\', bytes)?;
        let mut text = String::with_capacity(raw.len());
        let mut anchors = Vec::new();
        let mut copied = 0;
        let mut at = first;
        while at < bytes.len() {
            let Some(found) = memchr::memchr(b'\\', &bytes[at..]) else {
                break;
            };
            let start = at + found;
            let Some((c, len)) = escape_at(raw, start) else {
                at = start + 1 + usize::from(start + 1 < bytes.len());
                continue;
            };
            text.push_str(&raw[copied..start]);
            let decoded = text.len();
            text.push(c);
            anchors.push(Anchor {
                decoded: decoded as u32,
                decoded_len: c.len_utf8() as u8,
                raw: start as u32,
                raw_len: len as u8,
            });
            copied = start + len;
            at = copied;
        }
        if anchors.is_empty() {
            return None;
        }
        text.push_str(&raw[copied..]);
        Some(Decoded { text, anchors })
    }

    /// The bytes of the text it was decoded from that wrote `range` of the decoded text (an
    /// escape partly inside the range counts whole).
    pub fn to_raw(&self, range: Range<usize>) -> Range<usize> {
        self.start_to_raw(range.start)..self.end_to_raw(range.end)
    }

    fn last_at_or_before(&self, offset: usize) -> Option<&Anchor> {
        let index = self.anchors.partition_point(|a| a.decoded() <= offset);
        index.checked_sub(1).map(|i| &self.anchors[i])
    }

    fn start_to_raw(&self, offset: usize) -> usize {
        match self.last_at_or_before(offset) {
            None => offset,
            Some(a) if offset < a.decoded_end() => a.raw(),
            Some(a) => a.raw_end() + (offset - a.decoded_end()),
        }
    }

    fn end_to_raw(&self, offset: usize) -> usize {
        match self.last_at_or_before(offset) {
            None => offset,
            Some(a) if offset == a.decoded() => a.raw(),
            Some(a) if offset <= a.decoded_end() => a.raw_end(),
            Some(a) => a.raw_end() + (offset - a.decoded_end()),
        }
    }
}

/// Every layer of `raw`, outermost first, each decoded from the one before; empty when `raw`
/// holds no escape.
pub fn layers(raw: &str) -> Vec<Decoded> {
    let mut layers: Vec<Decoded> = Vec::new();
    while layers.len() < LEVELS {
        let next = match layers.last() {
            None => Decoded::of(raw),
            Some(last) => Decoded::of(&last.text),
        };
        match next {
            Some(next) => layers.push(next),
            None => break,
        }
    }
    layers
}

/// Map a range of the innermost layer back to `raw`.
pub fn to_raw(layers: &[Decoded], range: Range<usize>) -> Range<usize> {
    layers
        .iter()
        .rev()
        .fold(range, |range, layer| layer.to_raw(range))
}

/// `raw` with every layer of escapes decoded (what a secret's token is made from, so a key
/// gives the same token however it was escaped).
pub fn fully_decoded(raw: &str) -> std::borrow::Cow<'_, str> {
    match layers(raw).pop() {
        Some(inner) => std::borrow::Cow::Owned(inner.text),
        None => std::borrow::Cow::Borrowed(raw),
    }
}

/// The character the escape at `raw[start..]` (a backslash) stands for, and the escape's length.
fn escape_at(raw: &str, start: usize) -> Option<(char, usize)> {
    let bytes = raw.as_bytes();
    let c = match *bytes.get(start + 1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let high = hex4(bytes, start + 2)?;
            if (0xd800..0xdc00).contains(&high) {
                if bytes.get(start + 6) == Some(&b'\\')
                    && bytes.get(start + 7) == Some(&b'u')
                    && let Some(low) =
                        hex4(bytes, start + 8).filter(|l| (0xdc00..0xe000).contains(l))
                {
                    let code = 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
                    return Some((char::from_u32(code)?, 12));
                }
                return Some(('\u{fffd}', 6));
            }
            return Some((char::from_u32(high).unwrap_or('\u{fffd}'), 6));
        }
        _ => return None,
    };
    Some((c, 2))
}

fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at + 4)?;
    let text = std::str::from_utf8(digits).ok()?;
    u32::from_str_radix(text, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_decode_and_map_back_to_what_wrote_them() {
        let raw = r#"{"k":"\u0073k-proj\u002dabc","n":"x\nAKIA"}"#;
        let decoded = Decoded::of(raw).unwrap();
        assert_eq!(decoded.text, "{\"k\":\"sk-proj-abc\",\"n\":\"x\nAKIA\"}");
        let at = decoded.text.find("sk-proj-abc").unwrap();
        let back = decoded.to_raw(at..at + "sk-proj-abc".len());
        assert_eq!(&raw[back], r"\u0073k-proj\u002dabc");
        let akia = decoded.text.find("AKIA").unwrap();
        assert_eq!(&raw[decoded.to_raw(akia..akia + 4)], "AKIA");
    }

    #[test]
    fn nested_escapes_decode_layer_by_layer() {
        // A tool call's arguments (JSON in a JSON string) holding an escaped key.
        let raw = r#"{"arguments":"{\"key\":\"\\u0073k-abc\"}"}"#;
        let layers = layers(raw);
        assert_eq!(layers.len(), 2);
        let inner = &layers[1].text;
        let at = inner.find("sk-abc").unwrap();
        assert_eq!(&raw[to_raw(&layers, at..at + 6)], r"\\u0073k-abc");
        assert_eq!(fully_decoded(r"\\u0073k"), "sk");
    }

    #[test]
    fn surrogate_pairs_lone_surrogates_and_stray_backslashes() {
        let decoded = Decoded::of(r"a\ud83d\ude00b\ud800c\qd\").unwrap();
        assert_eq!(decoded.text, "a😀b\u{fffd}c\\qd\\");
        assert!(Decoded::of("no escapes").is_none());
        assert!(Decoded::of(r"C:\q").is_none());
    }
}
