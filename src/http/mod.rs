//! The HTTP base every server and client of ours stands on: the body type and OpenAI-shaped
//! error answers, hop-by-hop headers, the accept loop with its graceful stop, the pooled
//! upstream client, and the names of transport failures. It knows nothing of captures.
//!
//! - [`body`]: the boxed body type, `full`/`empty`, the OpenAI error envelope.
//! - [`headers`]: hop-by-hop headers (one list) and headers as name/value pairs.
//! - [`serve`]: the accept loop (TCP or TLS, HTTP/1.1 and HTTP/2) and how a server stops.
//! - [`client`]: the pooled upstream client and the naming of its failures.
//! - [`failure`]: the kinds of transport failure and the error chains they are read from.
//! - [`listen`]: `--listen` addresses, host names resolved.

pub mod body;
pub mod client;
pub mod failure;
pub mod headers;
pub mod listen;
pub mod serve;

pub use body::{BoxError, ProxyBody};
pub use failure::ErrorKind;

use http::{HeaderMap, Method, Response};

/// Something that answers a request in-process, without a network hop: the embedded gateway
/// behind `record --stub`. The proxies are given one; they do not know what it is.
pub trait Responder: Send + Sync {
    /// The answer to `method path` with these headers and this body (already read whole, as
    /// it came: still under any content-encoding).
    fn respond(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Response<ProxyBody>;
}

/// The HTTP version as captures spell it.
pub fn version_name(version: http::Version) -> &'static str {
    match version {
        http::Version::HTTP_09 => "HTTP/0.9",
        http::Version::HTTP_10 => "HTTP/1.0",
        http::Version::HTTP_2 => "HTTP/2",
        http::Version::HTTP_3 => "HTTP/3",
        _ => "HTTP/1.1",
    }
}
