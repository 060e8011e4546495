//! The capture loader on arbitrary bytes: every input gives rows (never a panic), an unreadable
//! one says why with the file name first, and every exchange it reads survives the trip back to
//! disk (`to_pretty_json` then `load_bytes` gives the same exchange) and can be checked.
//!
//! Input: the bytes of a file given to `check`. Seeds: the golden captures (`fuzz/seed.py`).

#![no_main]

use cursor_harness::capture::input::{InputKind, load_bytes};
use cursor_harness::check::check_exchange;
use cursor_harness::conformance::Profile;
use libfuzzer_sys::fuzz_target;

const ORIGIN: &str = "fuzz.json";

fuzz_target!(|input: &[u8]| {
    let rows = load_bytes(ORIGIN, input);
    assert!(!rows.is_empty(), "no row for an input");
    for row in rows {
        match row.result {
            Err(why) => {
                assert_eq!(row.kind, InputKind::Unreadable);
                assert!(
                    why.starts_with(ORIGIN),
                    "the error does not name the file: {why}"
                );
            }
            Ok(exchange) => {
                assert_ne!(row.kind, InputKind::Unreadable);
                let written = exchange.to_pretty_json();
                let again = load_bytes(ORIGIN, &written);
                assert_eq!(again.len(), 1, "a written capture reads as one exchange");
                let again = again.into_iter().next().unwrap();
                assert_eq!(again.kind, InputKind::Capture);
                match again.result {
                    Ok(reread) => assert_eq!(reread, exchange, "the round trip changed it"),
                    Err(why) => panic!("a capture this build wrote does not load: {why}"),
                }
                let _ = check_exchange(&exchange, row.origin, Profile::Strict);
            }
        }
    }
});
