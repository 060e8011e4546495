//! One case per checker rule: a violating exchange that makes the checker report the rule's
//! code, and a conforming one, as close to it as possible, that does not. The examples are the
//! traps users hit with Cursor: the Responses hybrid body, the mixed Chat body, Anthropic bodies,
//! Responses SSE sent back, tool calls Cursor cannot read, broken stream framing.
//!
//! Cases drive the library (`check_exchange`), not the binary, so a failure names the rule.
//! The tables are in `rules/{request,response,stream,cursor}.rs`, written with the builders in
//! `rules/build.rs`; this file holds the case type and the tests that run them.

use cursor_harness::capture::Exchange;
use cursor_harness::check::{ExchangeReport, check_exchange};
use cursor_harness::conformance::rules::catalogue_markdown;
use cursor_harness::conformance::{Profile, Rule, Severity, Verdict, Violation};
use cursor_harness::dialect::Dialect;
use serde_json::{Value, json};

use crate::support;
use build::*;

mod anthropic;
mod build;
mod cursor;
mod gemini;
mod gemini_answers;
mod request;
mod response;
mod responses;
mod stream;

struct Case {
    code: &'static str,
    /// What the violating example shows.
    trap: &'static str,
    /// Where the violation is reported (a JSON pointer, or `/stream/…`).
    at: &'static str,
    /// The API the offending field belongs to, when the checker should name one.
    owner: Option<Dialect>,
    breaks: Exchange,
    conforms: Exchange,
}

fn case(
    code: &'static str,
    trap: &'static str,
    at: &'static str,
    breaks: Exchange,
    conforms: Exchange,
) -> Case {
    Case {
        code,
        trap,
        at,
        owner: None,
        breaks,
        conforms,
    }
}

impl Case {
    fn owned_by(mut self, dialect: Dialect) -> Case {
        self.owner = Some(dialect);
        self
    }
}

fn cases() -> Vec<Case> {
    let mut all = request::cases();
    all.extend(response::cases());
    all.extend(stream::cases());
    all.extend(cursor::cases());
    all.extend(responses::cases());
    all.extend(anthropic::cases());
    all.extend(gemini::cases());
    all
}

fn check(exchange: &Exchange, profile: Profile) -> ExchangeReport {
    check_exchange(exchange, "case".into(), profile)
}

fn with_code<'a>(report: &'a ExchangeReport, code: &str) -> Vec<&'a Violation> {
    report.violations().filter(|v| v.code == code).collect()
}

fn describe(report: &ExchangeReport) -> String {
    report
        .violations()
        .map(|v| {
            format!(
                "  {} {} at '{}': {}",
                v.severity.as_str(),
                v.code,
                v.path,
                v.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_rule_in_the_catalogue_has_a_case() {
    let cases = cases();
    // Leg rules judge a pair of exchanges, not one: their cases are in tests/it/legs.rs.
    let missing: Vec<&str> = Rule::ALL
        .iter()
        .filter(|rule| rule.category() != cursor_harness::conformance::Category::Leg)
        .map(|rule| rule.code())
        .filter(|code| !cases.iter().any(|c| c.code == *code))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a case in tests/it/rules.rs (add a violating and a conforming example): {missing:?}"
    );
    for case in &cases {
        assert!(
            Rule::from_code(case.code).is_some(),
            "case '{}' names {}, which is not in the catalogue",
            case.trap,
            case.code
        );
    }
}

#[test]
fn each_violating_example_reports_its_rule_where_and_as_severe_as_the_catalogue_says() {
    let mut failures = Vec::new();
    for case in cases() {
        let rule = Rule::from_code(case.code).expect("a catalogued code");
        for profile in [Profile::Strict, Profile::Lenient] {
            let report = check(&case.breaks, profile);
            let found = with_code(&report, case.code);
            let label = format!("{} ({}, {})", case.code, case.trap, profile.as_str());
            let Some(hit) = found.iter().find(|v| v.path == case.at) else {
                failures.push(format!(
                    "{label}: expected a violation at '{}'; got:\n{}",
                    case.at,
                    describe(&report)
                ));
                continue;
            };
            if hit.severity != rule.severity(profile) {
                failures.push(format!(
                    "{label}: severity {} but the catalogue says {}",
                    hit.severity.as_str(),
                    rule.severity(profile).as_str()
                ));
            }
            if case.owner.is_some() && hit.dialect != case.owner {
                failures.push(format!(
                    "{label}: names dialect {:?}, expected {:?}",
                    hit.dialect, case.owner
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn each_conforming_example_does_not_report_the_rule() {
    let mut failures = Vec::new();
    for case in cases() {
        for profile in [Profile::Strict, Profile::Lenient] {
            let report = check(&case.conforms, profile);
            if !with_code(&report, case.code).is_empty() {
                failures.push(format!(
                    "{} ({}, {}): the conforming example reports it:\n{}",
                    case.code,
                    case.trap,
                    profile.as_str(),
                    describe(&report)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The baselines the cases are built from must be clean, or a case's conforming example could
/// hide a false positive of another rule.
#[test]
fn what_openai_and_cursor_accept_reports_nothing() {
    let clean = [
        ("the smallest Chat body", chat_request(hello())),
        ("Cursor's agent request as correct Chat", chat_request(cursor_chat())),
        (
            "a text completion",
            chat_request(hello()).answered(json_response(200, hello_completion())),
        ),
        (
            "the stream Cursor renders, with its usage chunk",
            agent_stream(vec![
                text_stream()[0].clone(),
                text_stream()[1].clone(),
                finish("stop"),
                usage_chunk(),
                DONE.to_owned(),
            ]),
        ),
        (
            "a streamed function call",
            agent_stream(tool_stream(call_opening("ReadFile"), &["{\"path\":", "\"a.ts\"}"], "tool_calls")),
        ),
        ("ApplyPatch with raw patch text", agent_stream(tool_stream(call_opening("ApplyPatch"), &[PATCH], "tool_calls"))),
        (
            "the models list",
            models_request().answered(json_response(200, json!({"object": "list",
                "data": [{"id": "gpt-5.5", "object": "model", "created": CREATED, "owned_by": "gateway"}]}))),
        ),
    ];
    let mut failures = Vec::new();
    for (what, exchange) in &clean {
        let report = check(exchange, Profile::Strict);
        if report.violations().next().is_some() {
            failures.push(format!("{what}:\n{}", describe(&report)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn cursor_bodies_are_named_by_their_dialect_with_the_foreign_parts_listed() {
    use Dialect::*;
    let named = |body: Value| {
        let report = check(&chat_request(body), Profile::Strict);
        let request = report.request.expect("a request report");
        (request.dialect, request.foreign)
    };
    assert_eq!(
        named(cursor_responses_hybrid()),
        (Responses, vec![ChatCompletions])
    );
    assert_eq!(
        named(cursor_mixed_chat()),
        (ChatCompletions, vec![Responses])
    );
    assert_eq!(
        named(cursor_anthropic()),
        (Anthropic, vec![ChatCompletions])
    );
    assert_eq!(named(cursor_chat()), (ChatCompletions, vec![]));
}

#[test]
fn lenient_tolerates_what_gateways_commonly_accept_but_never_a_foreign_dialect() {
    let verdicts = |exchange: &Exchange, profile| {
        let report = check(exchange, profile);
        (
            report.request.as_ref().map(|r| r.verdict),
            report.response.as_ref().map(|r| r.verdict),
        )
    };
    let extension = chat_request(set(hello(), "/repetition_penalty", json!(1.1)));
    assert_eq!(
        verdicts(&extension, Profile::Strict).0,
        Some(Verdict::Breaks)
    );
    assert_eq!(
        verdicts(&extension, Profile::Lenient).0,
        Some(Verdict::Conforms)
    );
    assert_eq!(
        Rule::RequestUnknownField.severity(Profile::Strict),
        Severity::Error
    );
    assert_eq!(
        Rule::RequestUnknownField.severity(Profile::Lenient),
        Severity::Warning
    );

    let no_finish_key = plain_stream(vec![
        delta(json!({"role": "assistant", "content": ""}), Value::Null),
        chunk(json!([{"index": 0, "delta": {"content": "Hello"}}])),
        finish("stop"),
        DONE.to_owned(),
    ]);
    assert_eq!(
        verdicts(&no_finish_key, Profile::Strict).1,
        Some(Verdict::Breaks)
    );
    assert_eq!(
        verdicts(&no_finish_key, Profile::Lenient).1,
        Some(Verdict::Conforms)
    );

    let hybrid = chat_request(cursor_responses_hybrid());
    for profile in [Profile::Strict, Profile::Lenient] {
        assert_eq!(
            verdicts(&hybrid, profile).0,
            Some(Verdict::Breaks),
            "{profile:?}"
        );
        assert_eq!(Rule::RequestDialect.severity(profile), Severity::Error);
    }
}

#[test]
fn docs_rules_md_is_the_generated_catalogue() {
    let path = support::project_path("docs/rules.md");
    let generated = catalogue_markdown();
    let problem = match std::fs::read_to_string(&path) {
        Err(err) => format!("cannot be read ({err})"),
        Ok(on_disk) if on_disk == generated => return,
        Ok(on_disk) => match on_disk
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
        {
            Some(line) => format!("differs from the rule catalogue from line {}", line + 1),
            None => "differs from the rule catalogue at its end".to_owned(),
        },
    };
    panic!(
        "{} {problem}. Regenerate it with:\n\n    cargo run -- rules --format md > docs/rules.md\n",
        path.display()
    );
}
