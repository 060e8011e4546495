//! Text that arrived in pieces (stream chunks, streamed fragments of one message) redacted as
//! the whole a reader puts together, each piece keeping its place. A secret that spans pieces
//! is replaced in the piece where it starts, and the pieces after lose the rest of it, so no
//! piece holds a fragment of it and every piece (with its arrival time) is still there.

use std::ops::Range;

/// The joined text and where each piece starts in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pieces {
    pub text: String,
    /// Byte offset of each piece in `text`, ascending; piece `i` runs to the next start.
    starts: Vec<usize>,
}

impl Pieces {
    /// Join `pieces`; `None` when the joined bytes are not UTF-8.
    pub fn join<'a>(pieces: impl IntoIterator<Item = &'a [u8]>) -> Option<Pieces> {
        let mut bytes = Vec::new();
        let mut starts = Vec::new();
        for piece in pieces {
            starts.push(bytes.len());
            bytes.extend_from_slice(piece);
        }
        let text = String::from_utf8(bytes).ok()?;
        Some(Pieces { text, starts })
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The bytes of piece `index` (a piece may end inside a UTF-8 sequence, as chunks do).
    pub fn piece(&self, index: usize) -> &[u8] {
        let end = self
            .starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.text.len());
        &self.text.as_bytes()[self.starts[index]..end]
    }

    /// Replace each `(range, with)` of the joined text; the ranges are sorted and do not
    /// overlap. The piece holding a range's start takes the replacement.
    pub fn apply(&mut self, edits: &[(Range<usize>, String)]) {
        for (range, with) in edits.iter().rev() {
            self.replace(range.clone(), with);
        }
    }

    fn replace(&mut self, range: Range<usize>, with: &str) {
        let grown = with.len() as isize - range.len() as isize;
        for start in &mut self.starts {
            if *start <= range.start {
                continue;
            }
            *start = if *start <= range.end {
                range.start + with.len()
            } else {
                (*start as isize + grown) as usize
            };
        }
        self.text.replace_range(range, with);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replacement_goes_to_the_piece_where_it_starts() {
        let mut pieces = Pieces::join([&b"ab"[..], b"cd", b"ef", b"gh"]).unwrap();
        pieces.apply(&[(1..5, "XY".to_owned())]);
        assert_eq!(pieces.text, "aXYfgh");
        let got: Vec<&[u8]> = (0..pieces.len()).map(|i| pieces.piece(i)).collect();
        assert_eq!(got, vec![&b"aXY"[..], b"", b"f", b"gh"]);
    }

    #[test]
    fn replacements_at_piece_starts_and_ends() {
        let mut pieces = Pieces::join([&b"ab"[..], b"cd", b"ef"]).unwrap();
        pieces.apply(&[(2..4, "Z".to_owned()), (4..6, "W".to_owned())]);
        let got: Vec<&[u8]> = (0..pieces.len()).map(|i| pieces.piece(i)).collect();
        assert_eq!(got, vec![&b"ab"[..], b"Z", b"W"]);
        assert!(Pieces::join([&[0xffu8][..]]).is_none());
    }
}
