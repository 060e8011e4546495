//! The capture file: one [`Exchange`] per file, format v1.
//!
//! Every stage of the tool speaks this type: the recorder and the replayer write it, `check`,
//! `diff` and the reports read it. The on-disk shape is documented in `docs/capture-format.md`
//! and pinned by `schemas/capture.v1.schema.json`; field order in the structs below is the key
//! order on disk, so golden captures diff well in git.

mod body;
pub mod budget;
pub mod contract;
pub mod convert;
pub mod encoding;
pub mod export;
pub mod filter;
pub mod har;
pub mod input;
pub mod layout;
pub mod loaded;
pub mod path;
pub mod queue;
pub mod recording;
pub mod redact;
pub mod resend;

pub use crate::http::ErrorKind;
pub use body::{Body, Chunk, ChunkData};
pub use contract::Contract;

use serde::{Deserialize, Serialize};

/// The value of the `format` key that marks a file as a cursor-harness capture.
pub const FORMAT: &str = "cursor-harness/capture";
/// The capture format version this build writes and reads.
pub const VERSION: u32 = 1;

/// Header fields as received, in order, with duplicates kept. Names are lowercase: HTTP/2
/// requires it and hyper normalises HTTP/1 names the same way.
pub type Headers = Vec<(String, String)>;

/// One request and what came back for it (or why nothing did).
///
/// Unknown keys are refused here and in every struct below: captures are often written or
/// edited by hand, and a misspelt optional key (`"reponse"`) would otherwise vanish silently
/// and change the verdict. The schema says the same (`additionalProperties: false`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    /// Always [`FORMAT`]; lets a loader tell a capture from any other JSON file.
    pub format: String,
    /// Always [`VERSION`] for files this build writes.
    pub version: u32,
    /// A UUIDv7, time-ordered, unique per exchange.
    pub id: String,
    /// The recording session (the folder name under `captures/`).
    pub session: String,
    /// RFC 3339 UTC time the request started.
    pub recorded_at: String,
    /// Where this exchange came from, so nobody mistakes an example for real traffic.
    pub provenance: Provenance,
    /// The model the request names: in its body, or (Gemini) in its path.
    #[serde(default)]
    pub model: Option<String>,
    /// The API contract of the endpoint the request was sent to (by method and path; see
    /// [`Contract::for_endpoint`]). Absent in captures that predate it, where it is derived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<Contract>,
    /// The base URL the request was forwarded to (credentials and query removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
    /// For replayed exchanges: the capture that was replayed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_of: Option<ReplayLink>,
    pub request: Request,
    /// `None` when the transport failed before a response status arrived.
    #[serde(default)]
    pub response: Option<Response>,
    /// A transport failure: recorded, never dropped.
    #[serde(default)]
    pub error: Option<TransportError>,
}

/// How an exchange came to exist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    pub kind: ProvenanceKind,
    /// Free text: the evidence a synthesized capture was built from, the tool that recorded it,
    /// the file it was imported from.
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProvenanceKind {
    /// Captured live by `record`.
    Recorded,
    /// Written by hand from public evidence; not real traffic.
    Synthesized,
    /// Produced by `replay` against a target.
    Replayed,
    /// Converted from another format (HAR, a raw request body).
    Imported,
}

/// Which capture a replayed exchange was made from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayLink {
    /// The `id` of the original capture.
    pub id: String,
    /// Where the original was read from, as given on the command line.
    pub capture: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub method: String,
    /// Path and query exactly as received (after redaction of key-like query parameters).
    pub target: String,
    /// `HTTP/1.1`, `HTTP/2`, … as seen on the wire.
    pub http_version: String,
    pub headers: Headers,
    /// The body decoded from any content-encoding; `None` when there was none.
    #[serde(default)]
    pub body: Option<Body>,
    /// Body bytes that were sent but are not kept here, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub omitted: Option<Omitted>,
    /// Set when the body's bytes are not what its `content-encoding` says (plain JSON labelled
    /// gzip, bytes no decoder reads): what is wrong and what the capture kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding_mismatch: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    pub status: u16,
    pub http_version: String,
    pub headers: Headers,
    /// Milliseconds from the request start to the response head (time to first byte).
    #[serde(default)]
    pub headers_at_ms: Option<f64>,
    /// A body that was not an event stream, decoded from any content-encoding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
    /// An event stream, kept as the chunks that arrived, each with its arrival offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<Vec<Chunk>>,
    /// Milliseconds from the request start to the end of the body (or the failure).
    #[serde(default)]
    pub ended_at_ms: Option<f64>,
    /// Body bytes the client received that are not kept here, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub omitted: Option<Omitted>,
    /// As for the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding_mismatch: Option<String>,
}

/// Body bytes that went over the wire but are not in the capture: over the recorder's
/// `--max-capture-body`, or past the point where a content-encoding failed to decode (bytes that
/// cannot be read cannot be scrubbed of secrets, so they are never written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Omitted {
    /// Bytes left out, counted as they went over the wire.
    pub bytes: u64,
    pub reason: String,
}

/// Why an exchange did not complete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransportError {
    pub kind: ErrorKind,
    pub message: String,
    /// Milliseconds from the request start to the failure.
    #[serde(default)]
    pub at_ms: Option<f64>,
}

/// A transport failure in short, where a result names one (`check` results, `run.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransportSummary {
    pub kind: ErrorKind,
    pub message: String,
}

impl Exchange {
    /// A new exchange with a fresh time-ordered id, stamped now.
    pub fn new(session: &str, provenance: Provenance, request: Request) -> Exchange {
        // A Gemini path names the model that answers, whatever a body may say.
        let model = request
            .model_in_path()
            .map(str::to_owned)
            .or_else(|| request.body.as_ref().and_then(Body::model));
        let contract = Contract::for_endpoint(&request.method, request.path());
        Exchange {
            format: FORMAT.to_owned(),
            version: VERSION,
            id: uuid::Uuid::now_v7().to_string(),
            session: session.to_owned(),
            recorded_at: now_rfc3339(),
            provenance,
            model,
            contract,
            upstream: None,
            replay_of: None,
            request,
            response: None,
            error: None,
        }
    }

    /// Serialise as the pretty, stable-key-order JSON the capture file holds.
    pub fn to_pretty_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("an Exchange always serialises");
        out.push(b'\n');
        out
    }

    /// The contract this exchange is judged by when nobody chooses another: the one recorded
    /// with it, else the one its endpoint speaks.
    pub fn contract(&self) -> Option<Contract> {
        self.contract.or_else(|| self.request.contract())
    }

    /// The model the exchange is for: the one recorded with it, else the one its Gemini path
    /// names (captures written before the path counted, or by hand, say `model: null`).
    pub fn model_name(&self) -> Option<&str> {
        self.model
            .as_deref()
            .or_else(|| self.request.model_in_path())
    }

    /// The request body when it is stored as JSON.
    pub fn request_json(&self) -> Option<&serde_json::Value> {
        match self.request.body.as_ref()? {
            Body::Json(value) => Some(value),
            _ => None,
        }
    }
}

impl Response {
    /// The first value of a header (names are compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// Whether the response is an event stream (by content type, or by having recorded chunks).
    pub fn is_event_stream(&self) -> bool {
        self.stream.is_some()
            || self
                .header("content-type")
                .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("text/event-stream"))
    }

    /// Whether the event stream had delivered all of itself ([`crate::sse::ended_complete`]):
    /// a connection lost after that lost nothing.
    pub fn stream_complete(&self) -> bool {
        match &self.stream {
            Some(chunks) => {
                let bytes: Vec<std::borrow::Cow<'_, [u8]>> =
                    chunks.iter().map(|c| c.data.to_bytes()).collect();
                crate::sse::ended_complete(bytes.iter().map(|b| b.as_ref()))
            }
            None => false,
        }
    }

    /// The bytes of the stream as the client received them, rebuilt from the chunks.
    pub fn stream_bytes(&self) -> Option<Vec<u8>> {
        let chunks = self.stream.as_ref()?;
        let mut out = Vec::new();
        for chunk in chunks {
            chunk.data.append_to(&mut out);
        }
        Some(out)
    }
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The model a Gemini request names in its path (`…/models/M:generateContent`).
    pub fn model_in_path(&self) -> Option<&str> {
        contract::gemini_action(self.path()).map(|(model, _)| model)
    }

    /// The contract of the endpoint this request was sent to.
    pub fn contract(&self) -> Option<Contract> {
        Contract::for_endpoint(&self.method, self.path())
    }

    /// Whether this is a request for the model list (`GET …/models`, Cursor's Verify button).
    pub fn is_model_list(&self) -> bool {
        self.method.eq_ignore_ascii_case("GET")
            && self.path().trim_end_matches('/').ends_with("/models")
    }

    /// The path without the query string.
    pub fn path(&self) -> &str {
        self.target
            .split_once('?')
            .map_or(&self.target, |(path, _)| path)
    }
}

/// The first value of `name` in `headers`, compared case-insensitively.
pub fn header<'a>(headers: &'a Headers, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// Now, as RFC 3339 in UTC with exactly three fractional digits, so timestamps sort as text.
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Milliseconds as stored on disk: microsecond precision, so offsets print short and exact.
pub fn millis(duration: std::time::Duration) -> f64 {
    (duration.as_micros() as f64) / 1000.0
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_gemini_path_names_the_model_even_when_the_body_names_another() {
        use super::*;
        let request = |target: &str, body: &str| Request {
            method: "POST".to_owned(),
            target: target.to_owned(),
            http_version: "HTTP/1.1".to_owned(),
            headers: Vec::new(),
            body: Some(Body::Text(body.to_owned())),
            omitted: None,
            encoding_mismatch: None,
        };
        let provenance = || Provenance {
            kind: ProvenanceKind::Synthesized,
            source: "test".to_owned(),
        };
        let gemini = Exchange::new(
            "s",
            provenance(),
            request(
                "/v1beta/models/gemini-2.5-pro:generateContent",
                r#"{"model":"models/other","contents":[]}"#,
            ),
        );
        assert_eq!(gemini.model.as_deref(), Some("gemini-2.5-pro"));
        let chat = Exchange::new(
            "s",
            provenance(),
            request("/v1/chat/completions", r#"{"model":"gpt-5.5"}"#),
        );
        assert_eq!(chat.model.as_deref(), Some("gpt-5.5"));

        // A capture written with `model: null` still names the path's model.
        let mut unnamed = gemini.clone();
        unnamed.model = None;
        assert_eq!(unnamed.model_name(), Some("gemini-2.5-pro"));
        assert_eq!(layout::folder_for(&unnamed), "gemini-2.5-pro");
    }

    #[test]
    fn timestamps_have_fixed_width_so_they_sort_as_text() {
        let stamp = super::now_rfc3339();
        assert_eq!(stamp.len(), "2026-11-26T18:52:37.880Z".len(), "{stamp}");
        assert!(stamp.ends_with('Z'));
    }

    #[test]
    fn times_read_from_a_file_survive_the_next_write_and_read_exactly() {
        // Found by the `capture_load` fuzz target: serde_json's default float parsing is off by
        // one unit in the last place for some inputs (an 89-digit `at_ms`, `1.0000000000000001e89`),
        // so a capture changed on a load-save-load trip. Its `float_roundtrip` feature reads
        // exactly. Test builds get that feature from jsonschema (a dev-dependency) whatever
        // Cargo.toml says for the shipped binary, so the dependency line is checked too.
        let manifest = include_str!("../../Cargo.toml");
        let line = manifest
            .lines()
            .find(|line| line.starts_with("serde_json ="))
            .expect("serde_json is a dependency");
        assert!(line.contains("\"float_roundtrip\""), "{line}");
        for text in [
            "99999999999999999999999999999999999999999999999999999999999999999999999999999999999999802.0",
            "1.0000000000000001e89",
            "1e89",
            "523.41600000858307",
            "0.30000000000000004",
        ] {
            let value: f64 = serde_json::from_str(text).unwrap();
            let written = serde_json::to_string(&value).unwrap();
            let again: f64 = serde_json::from_str(&written).unwrap();
            assert_eq!(again.to_bits(), value.to_bits(), "{text} -> {written}");
            assert_eq!(value, text.parse::<f64>().unwrap(), "{text}");
        }
    }
}
