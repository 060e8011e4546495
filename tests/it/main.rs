//! The one integration-test binary (one link step instead of many). Each module holds one
//! kind of test; shared helpers live in `support`.

mod support;

/// `check` end to end through the binary: input kinds, bad inputs, formats, exit codes.
mod check_cli;
/// The golden captures classify and break the way the public evidence says.
mod golden;
/// Properties over generated inputs: SSE chunking, classifier and checker robustness, the
/// capture round trip, body encodings, redaction.
mod properties;
/// `record` in reverse-proxy mode: passthrough, capture fidelity, redaction, failures, stub, curl.
mod record;
/// Every checker rule: a violating example that triggers it, a conforming one that does not.
mod rules;
/// `scan` end to end: clean folders, planted keys in every kind of file, symlinks, masking.
mod scan_cli;
/// The checked-in JSON Schemas validate real output and every file under `captures/`.
mod schemas;
/// Bodies the official OpenAI SDK sends are classified and judged as what they are.
mod sdk;
