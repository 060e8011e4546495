//! cursor-harness: record, replay and check the traffic Cursor sends to an "Override OpenAI
//! Base URL" gateway, and prove which model formats break, where, and why.
//!
//! # Layout
//!
//! One type carries everything between stages: the [`capture::Exchange`] (a request, what came
//! back with per-chunk timing, and where it came from). The modules stand in layers, listed here
//! from the bottom up; a module imports only from layers below its own (`docs/architecture.md`
//! keeps the table, and a test holds the code to it).
//!
//! 1. Foundation
//!    - [`exit`]: exit codes and the error type that carries one, with hints.
//!    - [`json`]: small JSON helpers (type names, pointers, previews) and the borrowed JSON tree
//!      stream chunks are parsed into once.
//!    - [`fsio`]: atomic and owner-only writes, the batched durable writes of both capture
//!      writers, folders created exclusively and the lock a recording session holds.
//!    - [`memory`]: hands the memory a burst freed back to the system (glibc keeps it).
//!    - [`text`]: one escaper per sink captured text can reach: terminal, Markdown, HTML,
//!      shell, file names, JUnit XML.
//! 2. Wire
//!    - [`sse`]: the one event-stream parser, incremental, keeping chunk indexes and anomalies.
//!    - [`tls`]: the one crypto provider (ring), server and client configs, self-signed certs,
//!      the forward proxy's CA and its cache of leaf certificates.
//! 3. [`http`]: the HTTP base: the body type and OpenAI-shaped errors, hop-by-hop headers, the
//!    accept loop and its graceful stop, the upstream client, transport failure kinds, and the
//!    `Responder` an in-process answerer implements.
//! 4. [`capture`]: the Exchange and its file format, loading (capture files, folders, HAR, raw
//!    bodies), recordings and the queue that hands them to a writer, conversion and redaction,
//!    the folder layout, the path rule, the "send again" view, HAR and curl export, and the
//!    `--model` filter.
//! 5. Reading
//!    - [`dialect`]: names a request body's API (chat-completions, responses, anthropic,
//!      gemini) with evidence.
//!    - [`assemble`]: rebuilds the message a client ends up with from chunks or a completion.
//! 6. Contracts
//!    - [`conformance`]: the rules of each contract for requests, responses and streams (Chat
//!      Completions plus what Cursor needs, Responses, Anthropic Messages, Gemini); the rule
//!      catalogue.
//!    - [`timing`]: TTFB, TTFT, duration and inter-chunk gaps of an exchange.
//!    - [`conversation`]: what a request means whatever its dialect (system prompt, turns, tool
//!      calls and results, tools, parameters), read from each API's body.
//! 7. Engines
//!    - [`check`]: checks many exchanges in parallel into the results model, and renders it.
//!    - [`diff`]: compares exchanges by the message a client ends up with, with tolerances.
//!    - [`scan`]: the secret scanner over files and folders, with masked excerpts.
//!    - [`gateway`]: the embedded reference gateway (stub, strict, lenient) and its server.
//!    - [`legs`]: both legs of a gateway: provider requests linked to the client requests that
//!      caused them, and what the gateway carried, translated, dropped or passed through.
//!    - [`proxy`]: the reverse and forward proxies, the recording pipeline they share and the
//!      tee that records each chunk with its arrival time.
//! 8. Sessions
//!    - [`record`]: a recording session end to end: the batched writer, the session manifest,
//!      the console.
//!    - [`replay`]: sends captures to a gateway on a schedule and records the answers.
//! 9. Evidence
//!    - [`report`]: the results model of a run, the one verdict every output reads
//!      (`verdict`), the compatibility matrix of a run with several targets, the merge of shard
//!      reports, and its console, Markdown, JSON, JUnit and HTML renderers.
//!    - [`shrink`]: the smallest request that still fails the same way on the live target.
//! 10. [`scenario`]: scenario files (TOML), capture selection and sharding, targets (one or
//!     several, with headers and model names), expectations, the provider leg recorded during a
//!     run, shrinking the failing formats, and the `run` pipeline that ties check, replay, legs
//!     and diff together.
//! 11. [`cli`]: clap definitions only; the house rules for flags are at its top.
//! 12. [`commands`]: runs each command; the glue between the CLI and the library.

pub mod assemble;
pub mod capture;
pub mod check;
pub mod cli;
pub mod commands;
pub mod conformance;
pub mod conversation;
pub mod dialect;
pub mod diff;
pub mod exit;
pub mod fsio;
pub mod gateway;
pub mod http;
pub mod json;
pub mod legs;
pub mod memory;
pub mod proxy;
pub mod record;
pub mod replay;
pub mod report;
pub mod scan;
pub mod scenario;
pub mod shrink;
pub mod sse;
pub mod text;
pub mod timing;
pub mod tls;

pub use commands::run;
