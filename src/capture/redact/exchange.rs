//! A whole capture scrubbed: by the writers as they build it (bodies), and again by the
//! commands that read captures to make something meant for sharing (`diff`, `run`, `export`),
//! so a capture written by hand, by an older version or by another tool cannot leak through
//! them. Scrubbing what is already clean changes nothing: a token is never replaced.

use std::borrow::Cow;
use std::sync::OnceLock;

use rayon::prelude::*;
use serde_json::Value;

use super::{Noted, Redactor, stream};
use crate::capture::input::Loaded;
use crate::capture::{Body, Exchange};

impl Redactor {
    /// A body as a capture stores it: its bytes scrubbed, then the most readable encoding. A
    /// JSON array (Gemini's answer without `alt=sse`: one element per streamed piece) is also
    /// scrubbed as its reader joins the elements' texts.
    pub fn body(&self, bytes: &[u8]) -> Body {
        Body::from_bytes(&self.scrubbed_body(bytes))
    }

    /// A body's bytes scrubbed as [`Redactor::body`] scrubs them (borrowed when nothing in them
    /// is secret).
    fn scrubbed_body<'a>(&self, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        let scrubbed = self.bytes(bytes);
        if scrubbed.first() == Some(&b'[')
            && let Ok(Value::Array(mut items)) = serde_json::from_slice::<Value>(&scrubbed)
            && stream::array(self, &mut items)
            && let Ok(joined) = serde_json::to_vec(&Value::Array(items))
        {
            return Cow::Owned(joined);
        }
        scrubbed
    }

    /// Scrub a body in place; it is left as it is (encoding included) when nothing in it is
    /// secret.
    fn body_in_place(&self, body: &mut Body) {
        let bytes = body.to_bytes();
        if let Cow::Owned(clean) = self.scrubbed_body(&bytes)
            && clean != *bytes
        {
            *body = Body::from_bytes(&clean);
        }
    }

    /// Scrub every string of a JSON document (keys too), decoded: for documents read back
    /// whole, where scrubbing the text could cut through the JSON.
    pub fn json_strings(&self, value: &mut Value) {
        match value {
            Value::String(text) => {
                if let Cow::Owned(clean) = self.text(text) {
                    *text = clean;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.json_strings(item)),
            Value::Object(map) => {
                let members = std::mem::take(map);
                for (key, mut inner) in members {
                    self.json_strings(&mut inner);
                    map.insert(self.text(&key).into_owned(), inner);
                }
            }
            _ => {}
        }
    }

    /// Scrub every part of an exchange a reader sees: headers, the target, bodies, the stream
    /// as reassembled, the upstream URL, the failure, and every free-text field.
    pub fn exchange(&self, exchange: &mut Exchange) {
        let owned = |text: &mut String| {
            if let Cow::Owned(clean) = self.text(text) {
                *text = clean;
            }
        };
        let request = &mut exchange.request;
        self.headers(&mut request.headers);
        request.target = self.target(&request.target);
        if let Some(body) = &mut request.body {
            self.body_in_place(body);
        }
        if let Some(omitted) = &mut request.omitted {
            owned(&mut omitted.reason);
        }
        if let Some(mismatch) = &mut request.encoding_mismatch {
            owned(mismatch);
        }
        if let Some(response) = &mut exchange.response {
            self.headers(&mut response.headers);
            if let Some(body) = &mut response.body {
                self.body_in_place(body);
            }
            if let Some(chunks) = &mut response.stream {
                let scrubbed = stream::scrub(self, &raw_chunks(chunks));
                // Chunks that held nothing secret keep their stored form.
                for (chunk, clean) in chunks.iter_mut().zip(scrubbed) {
                    if clean.data.to_bytes() != chunk.data.to_bytes() {
                        *chunk = clean;
                    }
                }
            }
            if let Some(omitted) = &mut response.omitted {
                owned(&mut omitted.reason);
            }
            if let Some(mismatch) = &mut response.encoding_mismatch {
                owned(mismatch);
            }
        }
        if let Some(error) = &mut exchange.error {
            owned(&mut error.message);
        }
        if let Some(upstream) = &mut exchange.upstream {
            *upstream = self.url(upstream);
        }
        if let Some(model) = &mut exchange.model {
            owned(model);
        }
        if let Some(link) = &mut exchange.replay_of {
            owned(&mut link.capture);
            owned(&mut link.id);
        }
        owned(&mut exchange.provenance.source);
        owned(&mut exchange.session);
        owned(&mut exchange.id);
        owned(&mut exchange.recorded_at);
    }
}

/// What redaction would replace in `exchange`, each with where it is: how `scan` looks where
/// redaction looks. Each part is read by a probe of its own, on a copy.
pub fn probe_exchange(exchange: &Exchange) -> Vec<(&'static str, Noted)> {
    let mut found = Vec::new();
    let mut look = |place: &'static str, read: &dyn Fn(&Redactor)| {
        let (probe, noted) = Redactor::probe();
        read(&probe);
        found.extend(
            noted
                .lock()
                .expect("probe lock")
                .drain(..)
                .map(|n| (place, n)),
        );
    };
    let request = &exchange.request;
    look("in a request header", &|r| {
        r.headers(&mut request.headers.clone())
    });
    look("in the request path or query", &|r| {
        let _ = r.target(&request.target);
    });
    if let Some(body) = &request.body {
        look("in the request body, its escapes decoded", &|r| {
            let _ = r.scrubbed_body(&body.to_bytes());
        });
    }
    if let Some(response) = &exchange.response {
        look("in a response header", &|r| {
            r.headers(&mut response.headers.clone())
        });
        if let Some(body) = &response.body {
            look("in the response body, its escapes decoded", &|r| {
                let _ = r.scrubbed_body(&body.to_bytes());
            });
        }
        if let Some(chunks) = &response.stream {
            look("in the response stream as a client reassembles it", &|r| {
                let _ = stream::scrub(r, &raw_chunks(chunks));
            });
        }
    }
    if let Some(error) = &exchange.error {
        look("in the transport failure", &|r| {
            let _ = r.text(&error.message);
        });
    }
    if let Some(upstream) = &exchange.upstream {
        look("in the upstream URL", &|r| {
            let _ = r.url(upstream);
        });
    }
    found
}

/// A stored stream's chunks as `stream::scrub` takes them: arrival time and bytes (borrowed
/// where the chunk is stored as text).
fn raw_chunks(chunks: &[crate::capture::Chunk]) -> Vec<(Option<f64>, Cow<'_, [u8]>)> {
    chunks
        .iter()
        .map(|c| (c.at_ms, c.data.to_bytes()))
        .collect()
}

/// The redactor of the commands that read captures to make something meant for sharing: its
/// key lives in memory only, for this process ([`Redactor::ephemeral`]).
pub fn reader() -> &'static Redactor {
    static READER: OnceLock<Redactor> = OnceLock::new();
    READER.get_or_init(|| {
        Redactor::ephemeral().unwrap_or_else(|_| {
            // No system randomness: a key from the clock and the process still differs
            // from run to run, which is all a key that is never stored has to do.
            let seed = format!("{:?}{}", std::time::SystemTime::now(), std::process::id());
            Redactor::with_key(seed.as_bytes())
        })
    })
}

/// Scrub every exchange read from inputs (in parallel) with the [`reader`]'s key: what a report
/// or export shows of a capture has been through redaction, whoever wrote the capture.
pub fn scrub_loaded(loaded: &mut [Loaded]) {
    let redactor = reader();
    loaded.par_iter_mut().for_each(|item| {
        if let Ok(exchange) = &mut item.result {
            redactor.exchange(exchange);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::input::load_bytes;

    #[test]
    fn a_hand_written_capture_is_clean_after_a_second_look_and_a_clean_one_unchanged() {
        let hand_written = r#"{"format":"cursor-harness/capture","version":1,"id":"x","session":"s",
            "recorded_at":"2026-01-01T00:00:00.000Z","provenance":{"kind":"synthesized","source":"hand"},
            "model":"m","upstream":"https://user:hunter2hunter2@gw.example/v1?key=abc",
            "request":{"method":"GET","target":"/v1/models/sk-proj-abcdefghijklmnopqrstuvwxyz?%6bey=s3cret",
              "http_version":"HTTP/1.1","headers":[["x-portkey-virtual-key","vk-123"]],
              "body":{"text":"{\"k\":\"\\u0073k-proj-abcdefghijklmnopqrstuvwxyz\"}"}},
            "response":{"status":200,"http_version":"HTTP/1.1","headers":[["content-type","text/event-stream"]],
              "headers_at_ms":1,"stream":[
                {"at_ms":2,"text":"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ghp_abcdefghijklmnopqr\"}}]}\n\n"},
                {"at_ms":3,"text":"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"stuvwxyz0123456789AB\"}}]}\n\n"}],
              "ended_at_ms":4},
            "error":null}"#;
        let mut loaded = load_bytes("hand.json", hand_written.as_bytes());
        scrub_loaded(&mut loaded);
        let exchange = loaded[0].result.as_ref().unwrap();
        let text = String::from_utf8(exchange.to_pretty_json()).unwrap();
        for secret in [
            "hunter2",
            "abcdefghijklmnopqrstuvwxyz",
            "vk-123",
            "s3cret",
            "ghp_",
            "stuvwxyz0123",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let stream = exchange.response.as_ref().unwrap().stream.as_ref().unwrap();
        assert_eq!(stream.len(), 2);

        let clean = exchange.clone();
        let mut again = exchange.clone();
        Redactor::with_key(b"another key").exchange(&mut again);
        assert_eq!(again, clean, "scrubbing what is clean changes nothing");
    }
}
