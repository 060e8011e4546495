//! Naming what went wrong on a connection: the kinds a capture records, read off the error
//! chains hyper, rustls and the OS hand back.

use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The upstream could not be reached (refused, DNS, unreachable).
    Connect,
    /// The upstream did not answer (or stalled) within the timeout.
    Timeout,
    /// The connection broke after the response started.
    Reset,
    /// The upstream did not speak valid HTTP.
    InvalidHttp,
    /// TLS with the upstream failed.
    Tls,
    /// The client went away before the response finished.
    ClientDisconnected,
    /// The request body broke the size limit or its framing lied.
    RequestBody,
    /// Anything else, with the message saying what.
    Other,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Connect => "connect",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Reset => "reset",
            ErrorKind::InvalidHttp => "invalid-http",
            ErrorKind::Tls => "tls",
            ErrorKind::ClientDisconnected => "client-disconnected",
            ErrorKind::RequestBody => "request-body",
            ErrorKind::Other => "other",
        }
    }
}

/// The upstream stalled longer than the idle timeout in the middle of a body.
#[derive(Debug, thiserror::Error)]
#[error("the upstream sent nothing for {0:?} in the middle of the response")]
pub struct IdleTimeout(pub Duration);

/// Name what went wrong with an upstream body by walking the error's causes.
pub fn classify_body_error(err: &(dyn std::error::Error + 'static)) -> ErrorKind {
    let mut current = Some(err);
    while let Some(cause) = current {
        if let Some(hyper_err) = cause.downcast_ref::<hyper::Error>() {
            if hyper_err.is_parse() {
                return ErrorKind::InvalidHttp;
            }
            if hyper_err.is_timeout() {
                return ErrorKind::Timeout;
            }
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            // hyper reports broken body framing (a bad chunk size line, a body longer than
            // its length) as InvalidInput or InvalidData; a connection that just ends is
            // UnexpectedEof, a reset ConnectionReset.
            return match io.kind() {
                std::io::ErrorKind::TimedOut => ErrorKind::Timeout,
                std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput => {
                    ErrorKind::InvalidHttp
                }
                _ => ErrorKind::Reset,
            };
        }
        if cause.downcast_ref::<IdleTimeout>().is_some() {
            return ErrorKind::Timeout;
        }
        current = cause.source();
    }
    ErrorKind::Reset
}

/// The error under `cause`. An io::Error's `source()` skips the error it wraps (where the TLS
/// connector puts rustls's, inside another io::Error), so look inside it instead.
pub fn next_cause<'a>(
    cause: &'a (dyn std::error::Error + 'static),
) -> Option<&'a (dyn std::error::Error + 'static)> {
    match cause
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
    {
        Some(inner) => Some(inner),
        None => cause.source(),
    }
}

/// `outer: inner: innermost`, skipping repeats.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(err);
    while let Some(cause) = current {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = cause.source();
    }
    parts.join(": ")
}
