//! Bodies and stream chunks, and the three ways a capture stores bytes.
//!
//! A body is kept as JSON only when serialising that JSON compactly gives back the exact bytes
//! that travelled (true of what Cursor, the OpenAI SDKs and most gateways send). Anything else is
//! kept as text, or as base64 when it is not UTF-8, so a replay can always send the same bytes.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A request or response body, decoded from any content-encoding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Body {
    /// JSON whose compact serialisation is the exact body.
    Json(Value),
    /// UTF-8 text that is not such JSON (pretty-printed JSON lands here too).
    Text(String),
    /// Bytes that are not UTF-8 (standard alphabet, padded). Checked on read, like a chunk's,
    /// so a damaged capture is refused rather than replayed as an empty body.
    #[serde(deserialize_with = "checked_base64")]
    Base64(String),
}

/// Why a body could not be read as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyJsonError {
    pub message: String,
}

impl Body {
    /// Choose the most readable encoding that still rebuilds `bytes` exactly.
    pub fn from_bytes(bytes: &[u8]) -> Body {
        let parsed = if looks_like_json(bytes) {
            serde_json::from_slice::<Value>(bytes).ok()
        } else {
            None
        };
        Body::from_parsed(bytes, parsed)
    }

    /// Like [`Body::from_bytes`] for a caller that has already parsed `bytes` as JSON.
    pub fn from_parsed(bytes: &[u8], parsed: Option<Value>) -> Body {
        if let Some(value) = parsed {
            // Compared piece by piece as the serialiser writes, stopping at the first
            // difference: a body of megabytes is not serialised into a second buffer.
            let mut rest = SameAs(bytes);
            if serde_json::to_writer(&mut rest, &value).is_ok() && rest.0.is_empty() {
                return Body::Json(value);
            }
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Body::Text(text.to_owned()),
            Err(_) => Body::Base64(BASE64.encode(bytes)),
        }
    }

    /// The exact bytes this body stands for.
    pub fn to_bytes(&self) -> Cow<'_, [u8]> {
        match self {
            Body::Json(value) => Cow::Owned(serde_json::to_vec(value).unwrap_or_default()),
            Body::Text(text) => Cow::Borrowed(text.as_bytes()),
            Body::Base64(data) => Cow::Owned(BASE64.decode(data).unwrap_or_default()),
        }
    }

    /// The body as JSON: borrowed when stored as JSON, parsed when stored as text.
    pub fn json(&self) -> Result<Cow<'_, Value>, BodyJsonError> {
        match self {
            Body::Json(value) => Ok(Cow::Borrowed(value)),
            Body::Text(text) => {
                serde_json::from_str(text)
                    .map(Cow::Owned)
                    .map_err(|err| BodyJsonError {
                        message: format!("body is not JSON: {err}"),
                    })
            }
            Body::Base64(_) => Err(BodyJsonError {
                message: "body is binary (not UTF-8), not JSON".to_owned(),
            }),
        }
    }

    /// The `model` field of a JSON object body.
    pub fn model(&self) -> Option<String> {
        let value = self.json().ok()?;
        value.get("model")?.as_str().map(str::to_owned)
    }

    /// Size in bytes of what travelled.
    pub fn len(&self) -> usize {
        match self {
            Body::Json(_) => self.to_bytes().len(),
            Body::Text(text) => text.len(),
            Body::Base64(data) => {
                let padding = data.bytes().rev().take_while(|&b| b == b'=').count();
                (data.len() / 4 * 3).saturating_sub(padding)
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A writer that accepts only the bytes it still holds, in order; what is left is `.0`.
struct SameAs<'a>(&'a [u8]);

impl std::io::Write for SameAs<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.strip_prefix(buf) {
            Some(rest) => {
                self.0 = rest;
                Ok(buf.len())
            }
            None => Err(std::io::Error::other("the serialisation differs")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Read a base64 string and refuse it unless it decodes.
fn checked_base64<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let data = String::deserialize(deserializer)?;
    check_base64(&data).map_err(serde::de::Error::custom)?;
    Ok(data)
}

fn check_base64(data: &str) -> Result<(), String> {
    BASE64
        .decode(data)
        .map(drop)
        .map_err(|err| format!("invalid base64: {err}"))
}

fn looks_like_json(bytes: &[u8]) -> bool {
    matches!(bytes.first(), Some(b'{' | b'['))
}

/// One piece of an event stream as it arrived, with its arrival offset.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// Milliseconds from the request start to the arrival of this chunk; `None` when the source
    /// had no timing (a HAR file), because none is invented.
    pub at_ms: Option<f64>,
    pub data: ChunkData,
}

/// The bytes of a chunk. Network chunks can split a UTF-8 sequence, so a chunk that is not
/// valid UTF-8 on its own is kept as base64.
#[derive(Debug, Clone, PartialEq)]
pub enum ChunkData {
    Text(String),
    Base64(String),
}

impl Chunk {
    pub fn new(at_ms: Option<f64>, bytes: &[u8]) -> Chunk {
        let data = match std::str::from_utf8(bytes) {
            Ok(text) => ChunkData::Text(text.to_owned()),
            Err(_) => ChunkData::Base64(BASE64.encode(bytes)),
        };
        Chunk { at_ms, data }
    }
}

impl ChunkData {
    pub fn append_to(&self, out: &mut Vec<u8>) {
        match self {
            ChunkData::Text(text) => out.extend_from_slice(text.as_bytes()),
            ChunkData::Base64(data) => {
                if let Ok(bytes) = BASE64.decode(data) {
                    out.extend_from_slice(&bytes);
                }
            }
        }
    }

    pub fn to_bytes(&self) -> Cow<'_, [u8]> {
        match self {
            ChunkData::Text(text) => Cow::Borrowed(text.as_bytes()),
            ChunkData::Base64(data) => Cow::Owned(BASE64.decode(data).unwrap_or_default()),
        }
    }
}

impl Serialize for Chunk {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("at_ms", &self.at_ms)?;
        match &self.data {
            ChunkData::Text(text) => map.serialize_entry("text", text)?,
            ChunkData::Base64(data) => map.serialize_entry("base64", data)?,
        }
        map.end()
    }
}

/// The on-disk shape of a chunk; a plain struct so that deserialising never buffers.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChunk {
    at_ms: Option<f64>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    base64: Option<String>,
}

impl<'de> Deserialize<'de> for Chunk {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawChunk::deserialize(deserializer)?;
        let data = match (raw.text, raw.base64) {
            (Some(text), None) => ChunkData::Text(text),
            (None, Some(data)) => {
                check_base64(&data)
                    .map_err(|err| serde::de::Error::custom(format!("chunk {err}")))?;
                ChunkData::Base64(data)
            }
            _ => {
                return Err(serde::de::Error::custom(
                    "a chunk needs exactly one of `text` or `base64`",
                ));
            }
        };
        Ok(Chunk {
            at_ms: raw.at_ms,
            data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_json_is_kept_as_json_and_rebuilds_exactly() {
        let bytes = br#"{"model":"gpt-5.5","messages":[{"role":"user","content":"hi \u00e9"}]}"#;
        // serde_json writes é unescaped, so this body does not round-trip: kept as text.
        assert!(matches!(Body::from_bytes(bytes), Body::Text(_)));
        let bytes = r#"{"model":"gpt-5.5","messages":[{"role":"user","content":"hi é"}]}"#;
        let body = Body::from_bytes(bytes.as_bytes());
        assert!(matches!(body, Body::Json(_)));
        assert_eq!(body.to_bytes().as_ref(), bytes.as_bytes());
    }

    #[test]
    fn pretty_json_is_kept_as_text_but_still_reads_as_json() {
        let bytes = b"{\n  \"model\": \"m\"\n}";
        let body = Body::from_bytes(bytes);
        assert!(matches!(body, Body::Text(_)));
        assert_eq!(body.to_bytes().as_ref(), bytes);
        assert_eq!(body.model().as_deref(), Some("m"));
    }

    #[test]
    fn binary_is_base64_and_rebuilds_exactly() {
        let bytes = [0xff, 0xfe, 0x00, 0x41];
        let body = Body::from_bytes(&bytes);
        assert!(matches!(body, Body::Base64(_)));
        assert_eq!(body.to_bytes().as_ref(), &bytes);
        assert_eq!(body.len(), bytes.len());
        assert_eq!(Body::from_bytes(&[0xff]).len(), 1);
        assert_eq!(Body::from_bytes(&[0xff, 0xfe, 0xfd]).len(), 3);
    }

    #[test]
    fn a_base64_body_that_does_not_decode_is_refused_on_read() {
        assert!(serde_json::from_str::<Body>(r#"{"base64":"//4AQQ=="}"#).is_ok());
        let err = serde_json::from_str::<Body>(r#"{"base64":"not base64!"}"#).unwrap_err();
        assert!(err.to_string().contains("invalid base64"), "{err}");
    }

    #[test]
    fn a_chunk_that_splits_a_utf8_sequence_is_stored_as_base64() {
        let text = "é".as_bytes();
        let first = Chunk::new(Some(1.0), &text[..1]);
        let second = Chunk::new(Some(2.0), &text[1..]);
        assert!(matches!(first.data, ChunkData::Base64(_)));
        let mut out = Vec::new();
        first.data.append_to(&mut out);
        second.data.append_to(&mut out);
        assert_eq!(out, text);
        let json = serde_json::to_string(&first).unwrap();
        assert_eq!(serde_json::from_str::<Chunk>(&json).unwrap(), first);
    }

    #[test]
    fn a_chunk_with_both_or_neither_encoding_is_rejected() {
        assert!(
            serde_json::from_str::<Chunk>(r#"{"at_ms":1,"text":"a","base64":"YQ=="}"#).is_err()
        );
        assert!(serde_json::from_str::<Chunk>(r#"{"at_ms":1}"#).is_err());
    }
}
