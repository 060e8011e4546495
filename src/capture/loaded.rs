//! What reading an input gives: one exchange, or the reason it could not be read. Shared by
//! the readers of capture files, raw bodies and HAR files.

use super::Exchange;

/// What a path on the command line turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A capture file (format marker present).
    Capture,
    /// One entry of a HAR file.
    Har,
    /// A JSON object taken as the body of `POST /chat/completions`.
    RawBody,
    /// Nothing could be read from it.
    Unreadable,
}

/// One exchange read from an input, or the reason it could not be.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Where it came from, for people: the path, plus `#N` for the N-th entry of a HAR file.
    pub origin: String,
    pub kind: InputKind,
    pub result: Result<Exchange, String>,
}

pub fn unreadable(origin: String, why: &str) -> Loaded {
    Loaded {
        result: Err(format!("{origin}: {why}")),
        origin,
        kind: InputKind::Unreadable,
    }
}
