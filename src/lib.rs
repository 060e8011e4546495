//! cursor-harness: record, replay and check the traffic Cursor sends to an "Override OpenAI
//! Base URL" gateway, and prove which model formats break, where, and why.
//!
//! # Layout
//!
//! One type carries everything between stages: the [`capture::Exchange`] (a request, what came
//! back with per-chunk timing, and where it came from).
//!
//! - [`cli`]: clap definitions only; the house rules for flags are at its top.
//! - [`commands`]: runs each command; the glue between the CLI and the library.
//! - [`exit`]: exit codes and the error type that carries one, with hints.
//! - [`capture`]: the Exchange, body encodings, atomic writes and batched durable writes, input
//!   discovery, HAR import.
//! - [`sse`]: the one event-stream parser, incremental, keeping chunk indexes and anomalies.
//! - [`dialect`]: names a request body's API (chat-completions, responses, anthropic, gemini)
//!   with evidence.
//! - [`conformance`]: the Chat Completions rules for requests, responses and streams, plus what
//!   Cursor needs; the rule catalogue.
//! - [`assemble`]: rebuilds the message a client ends up with from chunks or a completion.
//! - [`timing`]: TTFB, TTFT, duration and inter-chunk gaps of an exchange.
//! - [`check`]: checks many exchanges in parallel into the results model, and renders it.
//! - [`redact`]: secret scrubbing with stable keyed-hash tokens, and the scanner that proves it.
//! - [`scan`]: that scanner over files and folders, with masked excerpts (`scan`, and reports
//!   checked before they are called ready to share).
//! - [`tls`]: the one crypto provider (ring), server and client configs, self-signed certs,
//!   the forward proxy's CA and its cache of leaf certificates.
//! - [`proxy`]: the reverse and forward proxies and the recording pipeline they share, the
//!   accept loop, the upstream client, hop-by-hop headers and the tee that records each chunk
//!   with its arrival time.
//! - [`record`]: recordings, their conversion to redacted captures, the batched writer and its
//!   backlog bounded by bytes and count, the session manifest, the console, and a recording
//!   session end to end.
//! - [`gateway`]: the embedded reference gateway (stub, strict, lenient) and its server.
//! - [`replay`]: sends captures to a gateway on a schedule and records the answers as captures.
//! - [`diff`]: compares exchanges by the message a client ends up with, with tolerances.
//! - [`scenario`]: scenario files (TOML), capture selection and sharding, expectations, and
//!   the `run` pipeline that ties check, replay and diff together.
//! - [`report`]: the results model of a run and its Markdown, JSON, JUnit and HTML renderers.
//! - [`json`]: small JSON helpers (type names, pointers, previews) and the borrowed JSON tree
//!   stream chunks are parsed into once.

pub mod assemble;
pub mod capture;
pub mod check;
pub mod cli;
pub mod commands;
pub mod conformance;
pub mod dialect;
pub mod diff;
pub mod exit;
pub mod fsio;
pub mod gateway;
pub mod http;
pub mod json;
pub mod proxy;
pub mod record;
pub mod replay;
pub mod report;
pub mod scan;
pub mod scenario;
pub mod sse;
pub mod timing;
pub mod tls;

pub use commands::run;
