//! The dialect classifier and the request checker on arbitrary JSON: they never panic, and what
//! they say holds together (the primary dialect is not also listed as foreign, every evidence
//! pointer resolves in the body, every violation's path is a JSON pointer or empty).
//!
//! Input: JSON text. Byte 0 of a non-JSON-looking input is not special; headers are chosen by
//! the length of the input so both the header and no-header paths run.

#![no_main]

use cursor_harness::capture::Contract;
use cursor_harness::conformance::{self, Profile, RequestContext};
use cursor_harness::dialect;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|input: &[u8]| {
    let Ok(body) = serde_json::from_slice::<Value>(input) else {
        return;
    };
    let headers = if input.len() % 2 == 0 {
        Vec::new()
    } else {
        vec![("anthropic-version".to_owned(), "2023-06-01".to_owned())]
    };
    let classification = dialect::classify(&body, &headers);
    assert!(
        !classification.foreign.contains(&classification.dialect),
        "{:?} is both primary and foreign",
        classification.dialect
    );
    for evidence in &classification.evidence {
        let path = evidence.path.as_str();
        assert!(
            path.is_empty() || path.starts_with("header:") || body.pointer(path).is_some(),
            "evidence points at {path}, which is not in the body"
        );
    }
    let contracts = Contract::ALL.map(Some).into_iter().chain([None]);
    for (profile, contract) in [Profile::Strict, Profile::Lenient]
        .into_iter()
        .flat_map(|p| contracts.clone().map(move |c| (p, c)))
    {
        for violation in conformance::check_request(&body, &classification, contract, profile) {
            assert!(
                violation.path.is_empty() || violation.path.starts_with('/'),
                "violation path {:?} is not a JSON pointer",
                violation.path
            );
            assert!(
                !violation.message.is_empty(),
                "{} has no message",
                violation.code
            );
        }
    }
    let _ = RequestContext::from_body(&body, None, "/v1/chat/completions");
    let _ = serde_json::to_string(&classification).expect("a classification serialises");
});
