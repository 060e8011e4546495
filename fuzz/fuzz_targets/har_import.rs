//! The HAR importer, reached the way users reach it (`load_bytes` on a `.har` file), on
//! arbitrary HAR-shaped JSON: every entry becomes an exchange or its own error row naming the
//! entry, and every exchange survives the trip to a capture file and back.
//!
//! Input: JSON text. A JSON value that is not already a HAR document is wrapped into one
//! (`{"log":{"entries":[VALUE]}}`, or `{"log":{"entries":VALUE}}` for an array), so that
//! mutations of an entry keep reaching the importer. Seeds: the golden captures turned into HAR
//! entries (`fuzz/seed.py`).

#![no_main]

use cursor_harness::capture::input::{InputKind, load_bytes};
use cursor_harness::check::check_exchange;
use cursor_harness::conformance::Profile;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

const ORIGIN: &str = "fuzz.har";

fuzz_target!(|input: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(input) else {
        return;
    };
    let har = match value {
        Value::Object(ref map) if map.contains_key("log") => value,
        Value::Array(_) => json!({"log": {"entries": value}}),
        other => json!({"log": {"entries": [other]}}),
    };
    let bytes = serde_json::to_vec(&har).expect("a Value serialises");
    let entries = har
        .pointer("/log/entries")
        .and_then(Value::as_array)
        .map(Vec::len);
    let rows = load_bytes(ORIGIN, &bytes);
    assert!(!rows.is_empty(), "no row for an input");
    if let Some(count) = entries.filter(|&n| n > 0) {
        assert_eq!(rows.len(), count, "one row per HAR entry");
    }
    for row in rows {
        match row.result {
            Err(why) => assert!(
                why.starts_with(ORIGIN),
                "the error does not name the file: {why}"
            ),
            Ok(exchange) => {
                if row.kind == InputKind::Har {
                    assert!(row.origin.starts_with("fuzz.har#"), "{}", row.origin);
                }
                let again = load_bytes(ORIGIN, &exchange.to_pretty_json());
                match &again[..] {
                    [reread] => match &reread.result {
                        Ok(reread) => assert_eq!(reread, &exchange, "the round trip changed it"),
                        Err(why) => panic!("a capture this build wrote does not load: {why}"),
                    },
                    _ => panic!("a written capture reads as {} rows", again.len()),
                }
                let _ = check_exchange(&exchange, row.origin, Profile::Strict);
            }
        }
    }
});
