//! Content-encodings (gzip, deflate, br, zstd), decoded the one way every part of the tool
//! decodes them: captures (what was recorded is decoded for the capture only), and the
//! embedded gateway (which, like any server, reads a request body per its `Content-Encoding`).
//!
//! Two ways to decode. For a capture, [`decode_whole`] keeps what it can: the part that decoded
//! before a failure, or the bytes as they came when they are readable text after all (a sender
//! that labels plain JSON as gzip), and it says when the label and the bytes disagree. For a
//! server, [`decode_limited`] is strict: a body that does not decode, or decodes to more than
//! the server reads, is an error.

use std::borrow::Cow;
use std::io::{Read as _, Write as _};

use super::Omitted;

/// A body decoded for the capture, and what of it could not be.
pub struct Decoded {
    pub bytes: Vec<u8>,
    pub omitted: Option<Omitted>,
    /// Set when the bytes are not what their content-encoding says (they failed to decode),
    /// saying so and what became of them.
    pub mismatch: Option<String>,
}

/// Pieces a whole body is decoded in, so that a failure late in a body keeps what came before.
const DECODE_PIECE: usize = 16 * 1024;

/// Decode a whole body. What fails to decode is left out, unless the body is readable text as
/// it came (see the module doc).
pub fn decode_whole(encoding: Option<&str>, bytes: &[u8]) -> Decoded {
    let mut decoder = StreamDecoder::new(encoding);
    let mut out = Vec::new();
    // Wire bytes fed so far, and those known to be decoded: up to the last piece that gave
    // output. A decoder may swallow bytes and fail only later, so that is what can be vouched for.
    let (mut fed, mut vouched) = (0, 0);
    let failure = loop {
        let Some(piece) = bytes.get(fed..(fed + DECODE_PIECE).min(bytes.len())) else {
            break None;
        };
        if piece.is_empty() {
            break decoder.finish().map(|tail| out.extend(tail)).err();
        }
        match decoder.feed(piece) {
            Ok(decoded) => {
                fed += piece.len();
                if !decoded.is_empty() {
                    vouched = fed;
                }
                out.extend(decoded);
            }
            Err(why) => break Some(why),
        }
    };
    match failure {
        None => Decoded {
            bytes: out,
            omitted: None,
            mismatch: None,
        },
        Some(why) if out.is_empty() && std::str::from_utf8(bytes).is_ok() => Decoded {
            bytes: bytes.to_vec(),
            omitted: None,
            mismatch: mismatch(encoding, &why, KEPT_AS_TEXT),
        },
        Some(why) => Decoded {
            bytes: out,
            omitted: Some(Omitted {
                bytes: (bytes.len() - vouched) as u64,
                reason: undecodable(encoding, &why),
            }),
            mismatch: mismatch(encoding, &why, LEFT_OUT),
        },
    }
}

/// What became of a body whose bytes did not match its label, for [`mismatch`].
pub const KEPT_AS_TEXT: &str = "the body is readable text as it came and is kept that way";
pub const LEFT_OUT: &str = "what did not decode is left out (see `omitted`)";

/// The note for a body that failed to decode under a content-encoding the tool knows, saying
/// `what_became` of it; `None` for an encoding it does not know (it cannot tell whether the
/// bytes match, and `omitted` already says they are not kept).
pub fn mismatch(encoding: Option<&str>, why: &str, what_became: &str) -> Option<String> {
    let name = encoding.unwrap_or_default().trim();
    is_known(name).then(|| {
        format!("the body is labelled `content-encoding: {name}` but its bytes are not {name} ({why}); {what_became}")
    })
}

/// Whether the tool decodes this content-encoding.
pub fn is_known(name: &str) -> bool {
    matches!(
        name.trim().to_ascii_lowercase().as_str(),
        "gzip" | "x-gzip" | "deflate" | "br" | "zstd"
    )
}

/// Why a server could not read a request body under its content-encoding.
#[derive(Debug, thiserror::Error)]
pub enum EncodingError {
    #[error(
        "the request body's content-encoding `{0}` is not supported (gzip, deflate, br, zstd and identity are)"
    )]
    Unsupported(String),
    #[error("the request body could not be decoded as `{encoding}`: {why}")]
    Corrupt { encoding: String, why: String },
    #[error("the request body decodes to more than {limit} bytes")]
    TooLarge { limit: usize },
}

/// Decode a request body the way a server must: all of it, or an error; never more than
/// `limit` decoded bytes (a few kilobytes of zstd can claim gigabytes).
pub fn decode_limited<'a>(
    encoding: Option<&str>,
    bytes: &'a [u8],
    limit: usize,
) -> Result<Cow<'a, [u8]>, EncodingError> {
    let name = encoding.unwrap_or_default().trim().to_ascii_lowercase();
    let corrupt = |why: String| EncodingError::Corrupt {
        encoding: name.clone(),
        why,
    };
    let mut reader: Box<dyn std::io::Read + '_> = match name.as_str() {
        "" | "identity" => return Ok(Cow::Borrowed(bytes)),
        "gzip" | "x-gzip" => Box::new(flate2::read::GzDecoder::new(bytes)),
        "deflate" => Box::new(flate2::read::ZlibDecoder::new(bytes)),
        "br" => Box::new(brotli::Decompressor::new(bytes, 4096)),
        "zstd" => Box::new(
            zstd::stream::read::Decoder::with_buffer(bytes)
                .map_err(|err| corrupt(err.to_string()))?,
        ),
        _ => return Err(EncodingError::Unsupported(name)),
    };
    let mut out = Vec::new();
    (&mut reader)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|err| corrupt(err.to_string()))?;
    if out.len() > limit {
        return Err(EncodingError::TooLarge { limit });
    }
    Ok(Cow::Owned(out))
}

pub fn undecodable(encoding: Option<&str>, why: &str) -> String {
    format!(
        "the body's content-encoding `{}` {why}; the bytes it could not decode reached the other \
         side but are not kept here, because what cannot be read cannot be scrubbed of secrets",
        encoding.unwrap_or_default().trim()
    )
}

/// An incremental decoder for one content-encoding: feed wire chunks, get what each decodes to.
/// After the first failure every feed fails: a compressed stream cannot resync.
pub enum StreamDecoder {
    Identity,
    Decoding(Box<dyn DecodeWrite>),
    Failed(String),
}

pub trait DecodeWrite: std::io::Write {
    fn take_output(&mut self) -> Vec<u8>;
    fn finish_output(self: Box<Self>) -> std::io::Result<Vec<u8>>;
}

macro_rules! decode_write {
    ($ty:ty, $finish:expr) => {
        impl DecodeWrite for $ty {
            fn take_output(&mut self) -> Vec<u8> {
                std::mem::take(self.get_mut())
            }
            fn finish_output(self: Box<Self>) -> std::io::Result<Vec<u8>> {
                let finish: fn($ty) -> std::io::Result<Vec<u8>> = $finish;
                finish(*self)
            }
        }
    };
}

decode_write!(flate2::write::GzDecoder<Vec<u8>>, |d| d.finish());
decode_write!(flate2::write::ZlibDecoder<Vec<u8>>, |d| d.finish());
decode_write!(zstd::stream::write::Decoder<'static, Vec<u8>>, |mut d| {
    d.flush()?;
    Ok(d.into_inner())
});
decode_write!(brotli::DecompressorWriter<Vec<u8>>, |d| d
    .into_inner()
    .map_err(|_| std::io::Error::other("the brotli stream ends early")));

impl StreamDecoder {
    pub fn new(encoding: Option<&str>) -> StreamDecoder {
        let name = encoding.map(|e| e.trim().to_ascii_lowercase());
        let decoder: Box<dyn DecodeWrite> = match name.as_deref() {
            None | Some("" | "identity") => return StreamDecoder::Identity,
            Some("gzip" | "x-gzip") => Box::new(flate2::write::GzDecoder::new(Vec::new())),
            // HTTP "deflate" is zlib-wrapped (RFC 9110 8.4.1.2).
            Some("deflate") => Box::new(flate2::write::ZlibDecoder::new(Vec::new())),
            Some("br") => Box::new(brotli::DecompressorWriter::new(Vec::new(), 4096)),
            Some("zstd") => match zstd::stream::write::Decoder::new(Vec::new()) {
                Ok(decoder) => Box::new(decoder),
                Err(err) => return StreamDecoder::Failed(format!("could not be set up: {err}")),
            },
            Some(_) => {
                return StreamDecoder::Failed(
                    "is not one the recorder decodes (it knows gzip, deflate, br and zstd)"
                        .to_owned(),
                );
            }
        };
        StreamDecoder::Decoding(decoder)
    }

    pub fn feed(&mut self, bytes: &[u8]) -> Result<Vec<u8>, String> {
        match self {
            StreamDecoder::Identity => Ok(bytes.to_vec()),
            StreamDecoder::Failed(why) => Err(why.clone()),
            StreamDecoder::Decoding(inner) => {
                match inner.write_all(bytes).and_then(|()| inner.flush()) {
                    Ok(()) => Ok(inner.take_output()),
                    Err(err) => {
                        let why = format!("failed to decode: {err}");
                        *self = StreamDecoder::Failed(why.clone());
                        Err(why)
                    }
                }
            }
        }
    }

    /// What the decoder still holds at the end of the body.
    pub fn finish(&mut self) -> Result<Vec<u8>, String> {
        match std::mem::replace(self, StreamDecoder::Identity) {
            StreamDecoder::Identity => Ok(Vec::new()),
            StreamDecoder::Failed(why) => Err(why),
            StreamDecoder::Decoding(inner) => inner
                .finish_output()
                .map_err(|err| format!("failed to decode at the end of the body: {err}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn whole(encoding: Option<&str>, bytes: &[u8]) -> Vec<u8> {
        let decoded = decode_whole(encoding, bytes);
        assert_eq!(decoded.omitted, None);
        decoded.bytes
    }

    #[test]
    fn whole_bodies_decode_for_each_encoding() {
        let text = br#"{"hello":"world"}"#;
        assert_eq!(whole(Some("gzip"), &gzip(text)), text);
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(text).unwrap();
        assert_eq!(whole(Some("deflate"), &zlib.finish().unwrap()), text);
        let mut br = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
            writer.write_all(text).unwrap();
        }
        assert_eq!(whole(Some("br"), &br), text);
        let zst = zstd::encode_all(&text[..], 3).unwrap();
        assert_eq!(whole(Some("zstd"), &zst), text);
        assert_eq!(whole(None, text), text);
        assert_eq!(whole(Some(" Identity "), text), text);
    }

    #[test]
    fn text_mislabelled_as_compressed_is_kept_as_it_came() {
        assert_eq!(whole(Some("gzip"), b"not gzip at all"), b"not gzip at all");
    }

    #[test]
    fn unreadable_bytes_are_left_out_and_counted() {
        let binary = [0x1f, 0x8b, 0xff, 0x00, 0xfe, 0x80, 0x81];
        let decoded = decode_whole(Some("gzip"), &binary);
        assert!(decoded.bytes.is_empty());
        let omitted = decoded.omitted.unwrap();
        assert_eq!(omitted.bytes, binary.len() as u64);
        assert!(
            omitted.reason.contains("`gzip` failed to decode"),
            "{}",
            omitted.reason
        );

        let decoded = decode_whole(Some("compress"), &[0x1f, 0x9d, 0x90, 0xff]);
        assert!(decoded.bytes.is_empty());
        assert!(
            decoded
                .omitted
                .unwrap()
                .reason
                .contains("`compress` is not one the recorder decodes")
        );
    }

    #[test]
    fn a_body_that_breaks_late_keeps_what_decoded_before() {
        // Incompressible text, so the break lands well past the first decode piece.
        let mut state = 0x2545_f491_u32;
        let text: String = (0..40_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                char::from(b'a' + (state % 26) as u8)
            })
            .collect();
        let mut wire = gzip(text.as_bytes());
        let at = wire.len() - 2_000;
        wire[at..at + 64].fill(0xff);
        let decoded = decode_whole(Some("gzip"), &wire);
        assert!(
            decoded.bytes.len() >= DECODE_PIECE,
            "{}",
            decoded.bytes.len()
        );
        // Deflate decodes corrupt bits into wrong bytes for a while before it notices; what came
        // before the damage is exact.
        assert_eq!(
            decoded.bytes[..DECODE_PIECE],
            text.as_bytes()[..DECODE_PIECE]
        );
        let omitted = decoded.omitted.unwrap();
        assert!(
            omitted.bytes <= (wire.len() - DECODE_PIECE) as u64,
            "{omitted:?}"
        );
        assert!(
            omitted.reason.contains("`gzip` failed to decode"),
            "{omitted:?}"
        );
    }

    #[test]
    fn a_gzip_stream_decodes_chunk_by_chunk() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let mut wire = Vec::new();
        for event in ["data: a\n\n", "data: b\n\n"] {
            encoder.write_all(event.as_bytes()).unwrap();
            encoder.flush().unwrap();
            wire.push(std::mem::take(encoder.get_mut()));
        }
        wire.push(encoder.finish().unwrap());
        let mut decoder = StreamDecoder::new(Some("gzip"));
        let decoded: Vec<Vec<u8>> = wire.iter().map(|w| decoder.feed(w).unwrap()).collect();
        assert_eq!(decoded[0], b"data: a\n\n");
        assert_eq!(decoded[1], b"data: b\n\n");
    }

    #[test]
    fn a_mislabelled_or_broken_body_says_so_and_an_unknown_encoding_does_not() {
        let text = decode_whole(Some("gzip"), br#"{"model":"m"}"#);
        let note = text.mismatch.unwrap();
        assert!(
            note.contains("labelled `content-encoding: gzip` but its bytes are not gzip"),
            "{note}"
        );
        assert!(note.contains(KEPT_AS_TEXT), "{note}");
        let broken = decode_whole(Some("br"), &[0xff, 0x00, 0xfe, 0x80, 0x81, 0x82]);
        assert!(broken.mismatch.unwrap().contains(LEFT_OUT));
        assert!(
            decode_whole(Some("compress"), &[0x1f, 0x9d, 0x90, 0xff])
                .mismatch
                .is_none()
        );
        assert!(decode_whole(Some("gzip"), &gzip(b"{}")).mismatch.is_none());
    }

    #[test]
    fn a_server_decodes_every_encoding_whole_or_refuses() {
        let text = br#"{"model":"m","messages":[]}"#;
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(text).unwrap();
        let mut br = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
            writer.write_all(text).unwrap();
        }
        for (name, wire) in [
            ("gzip", gzip(text)),
            ("deflate", zlib.finish().unwrap()),
            ("br", br),
            ("zstd", zstd::encode_all(&text[..], 3).unwrap()),
            ("identity", text.to_vec()),
        ] {
            let decoded = decode_limited(Some(name), &wire, 1024).unwrap();
            assert_eq!(&*decoded, text, "{name}");
        }
        assert!(matches!(
            decode_limited(Some("gzip"), text, 1024),
            Err(EncodingError::Corrupt { .. })
        ));
        assert!(matches!(
            decode_limited(Some("compress"), text, 1024),
            Err(EncodingError::Unsupported(_))
        ));
        // A bomb: a megabyte of zeros in a few hundred bytes is refused at the limit.
        let bomb = zstd::encode_all(&vec![0u8; 1024 * 1024][..], 19).unwrap();
        assert!(bomb.len() < 1024);
        assert!(matches!(
            decode_limited(Some("zstd"), &bomb, 64 * 1024),
            Err(EncodingError::TooLarge { limit: 65536 })
        ));
    }
}
