//! Judging a scenario's exchanges: each captured exchange and the target's answer to it are
//! checked, compared, and held to the expectations that cover them; then the results model of
//! the whole run is assembled.

use std::collections::HashMap;

use super::expect::Compiled;
use super::file::ScenarioFile;
use super::select::Shard;
use crate::capture::{Body, Exchange};
use crate::check::{ExchangeReport, check_exchange};
use crate::conformance::Profile;
use crate::diff::compare::Rules;
use crate::report::model::{
    ExchangeResult, ExchangeTimings, ExpectationReport, ExpectationVerdict, GoldenChange,
    GoldenDiff, Outcome, REPORT_FORMAT, REPORT_VERSION, Replayed, Report, Sample, ScenarioSummary,
    Summary, TIMINGS_FORMAT, TargetInfo, Timings, shorten_strings,
};
use crate::report::verdict;

/// One capture as the run carries it along: read and checked, or why it could not be read.
#[derive(Clone)]
pub struct Item {
    pub origin: String,
    pub exchange: Option<Exchange>,
    pub error: Option<String>,
    pub checked: Option<ExchangeReport>,
}

/// The answers of one target, keyed by the id of the capture each replays.
pub struct TargetAnswers {
    /// The `[[targets]]` name; `None` for the single `target =` form.
    pub target: Option<String>,
    pub answers: Vec<(String, Answer)>,
}

/// Judge every item against every target; with no target (`targets` empty) the captures are
/// judged as recorded. With `[[targets]]` each readable capture yields one result per target,
/// target after target; an unreadable capture yields one result, about no target.
pub fn judge_all(
    items: Vec<Item>,
    targets: Vec<TargetAnswers>,
    rules: &Rules,
    compiled: &[Compiled],
    profile: Profile,
) -> (Vec<ExchangeResult>, Timings) {
    let mut timings = Timings {
        format: TIMINGS_FORMAT.to_owned(),
        exchanges: Default::default(),
    };
    let mut results = Vec::with_capacity(items.len() * targets.len().max(1));
    let mut keep = |(result, timing): (ExchangeResult, Option<ExchangeTimings>)| {
        if let Some(timing) = timing {
            timings.exchanges.insert(result.timing_key(), timing);
        }
        results.push(result);
    };
    if targets.is_empty() {
        for item in items {
            keep(result_for(item, None, rules, compiled, profile));
        }
        return (results, timings);
    }
    let (readable, unreadable): (Vec<Item>, Vec<Item>) =
        items.into_iter().partition(|item| item.exchange.is_some());
    for item in unreadable {
        keep(result_for(item, None, rules, compiled, profile));
    }
    for target in targets {
        let mut answers: HashMap<String, Answer> = target.answers.into_iter().collect();
        for item in &readable {
            let id = item
                .exchange
                .as_ref()
                .map(|e| e.id.as_str())
                .unwrap_or_default();
            let answer = answers.remove(id);
            let on = Some((target.target.clone(), answer));
            keep(result_for(item.clone(), on, rules, compiled, profile));
        }
    }
    (results, timings)
}

/// What the target answered for one capture.
pub struct Answer {
    pub exchange: Exchange,
    /// What the target sent its provider for it, when the provider leg was recorded.
    pub leg: Option<crate::report::model::LegResult>,
    /// The replayed capture, relative to the report folder.
    pub file: Option<String>,
    pub status: Option<u16>,
    pub error: Option<String>,
    /// The connection the request opened before it was sent, when it opened one.
    pub connection: Option<crate::timing::Connection>,
}

/// The result of one item: as recorded (`on` is `None`), or on one target with its answer
/// (`None` when the target was sent nothing for it).
fn result_for(
    item: Item,
    on: Option<(Option<String>, Option<Answer>)>,
    rules: &Rules,
    compiled: &[Compiled],
    profile: Profile,
) -> (ExchangeResult, Option<ExchangeTimings>) {
    let Some(exchange) = item.exchange else {
        let mut result = empty_result(item.origin, item.error);
        evaluate(&mut result, compiled);
        return (result, None);
    };
    let checked = item.checked.expect("checked with its exchange");
    let mut timings = ExchangeTimings {
        recorded: checked.timing.clone(),
        ..ExchangeTimings::default()
    };
    let body = exchange.request.body.as_ref().and_then(|b| b.json().ok());
    let mode = crate::dialect::mode::infer(&exchange.request.method, body.as_deref());
    let (target, replay_entry, has_target) = match on {
        Some((target, answer)) => (target, answer, true),
        None => (None, None, false),
    };
    let mut result = ExchangeResult {
        capture: item.origin.clone(),
        target,
        id: Some(exchange.id.clone()),
        model: exchange.model_name().map(str::to_owned),
        mode: Some(mode.to_owned()),
        endpoint: checked.endpoint.clone(),
        error: None,
        transport: checked.transport.clone(),
        request: checked.request.clone(),
        recorded: checked.response.clone(),
        replayed: None,
        golden: None,
        leg: None,
        expectations: Vec::new(),
        covered: false,
        sample: Sample::default(),
        reproducer: None,
        losses: Vec::new(),
    };
    let mut judged_exchange = &exchange;
    if has_target {
        match &replay_entry {
            Some(Answer {
                exchange: answer,
                leg,
                file,
                status,
                error,
                connection,
            }) => {
                result.leg = leg.clone();
                if translated(answer) {
                    result.losses = translation_losses(&exchange);
                }
                let report = check_exchange(answer, item.origin.clone(), profile);
                timings.replayed = report.timing.clone();
                timings.connection = *connection;
                timings.file = file.clone();
                result.replayed = Some(Replayed {
                    status: *status,
                    error: error.clone(),
                    message: own_words(answer),
                    response: report.response,
                });
                if exchange.response.is_some() {
                    let pair =
                        crate::diff::diff_pair(&exchange, "golden", answer, "replayed", rules);
                    result.golden = Some(GoldenDiff {
                        equal: pair.equal,
                        changes: pair
                            .changes
                            .iter()
                            .map(|c| GoldenChange {
                                pointer: c.path.clone(),
                                kind: format!("{:?}", c.kind).to_lowercase(),
                                before: c.before.clone(),
                                after: c.after.clone(),
                            })
                            .collect(),
                        text: pair.unified,
                    });
                }
                judged_exchange = answer;
            }
            None => {
                result.replayed = Some(Replayed {
                    status: None,
                    error: Some("not replayed (the request could not be prepared)".to_owned()),
                    message: None,
                    response: None,
                });
            }
        }
    }
    result.sample = sample(&exchange, judged_exchange);
    timings.chunks = judged_exchange
        .response
        .as_ref()
        .and_then(|r| r.stream.as_ref())
        .map(|chunks| chunks.iter().filter_map(|c| c.at_ms).collect())
        .unwrap_or_default();
    evaluate(&mut result, compiled);
    (result, Some(timings))
}

fn empty_result(capture: String, error: Option<String>) -> ExchangeResult {
    ExchangeResult {
        capture,
        target: None,
        id: None,
        model: None,
        mode: None,
        endpoint: None,
        error,
        transport: None,
        request: None,
        recorded: None,
        replayed: None,
        golden: None,
        leg: None,
        expectations: Vec::new(),
        covered: false,
        sample: Sample::default(),
        reproducer: None,
        losses: Vec::new(),
    }
}

/// Whether the target says it translated the request (the `translate` profile's header).
fn translated(answer: &Exchange) -> bool {
    answer.response.as_ref().is_some_and(|r| {
        r.headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("x-cursor-harness-translated-from"))
    })
}

/// What the reference translation into Chat Completions loses of a captured request.
fn translation_losses(exchange: &Exchange) -> Vec<crate::conversation::Loss> {
    let request = &exchange.request;
    let Some(Ok(body)) = request.body.as_ref().map(|b| b.json()) else {
        return Vec::new();
    };
    let dialect = crate::dialect::classify(&body, &request.headers).dialect;
    crate::conversation::read(&body, dialect, request.path())
        .map(|read| crate::conversation::to_chat(&read).losses)
        .unwrap_or_default()
}

/// What an error answer says in its own words: `error.message` (OpenAI, Anthropic, Gemini),
/// a top-level `message` or `detail`, or `error` when it is a string; shortened.
fn own_words(answer: &Exchange) -> Option<String> {
    const LIMIT: usize = 300;
    let response = answer.response.as_ref()?;
    if response.status < 400 {
        return None;
    }
    let value = response.body.as_ref()?.json().ok()?;
    let text = [
        value.pointer("/error/message"),
        value.pointer("/message"),
        value.pointer("/detail"),
        value.pointer("/error"),
        value.pointer("/0/error/message"),
    ]
    .into_iter()
    .flatten()
    .find_map(|v| v.as_str())?
    .trim();
    if text.is_empty() {
        return None;
    }
    Some(if text.chars().count() > LIMIT {
        format!("{}…", text.chars().take(LIMIT).collect::<String>())
    } else {
        text.to_owned()
    })
}

fn evaluate(result: &mut ExchangeResult, compiled: &[Compiled]) {
    for expectation in compiled {
        if expectation.covers(result) {
            result.covered = true;
            let outcome = expectation.evaluate(result);
            result.expectations.push(outcome);
        }
    }
}

/// The request as JSON (long strings shortened) and the judged response's text, cut.
fn sample(captured: &Exchange, judged: &Exchange) -> Sample {
    const TEXT_LIMIT: usize = 16 * 1024;
    let (request, request_text) = match captured.request.body.as_ref() {
        None => (None, None),
        Some(body) => match body.json() {
            Ok(value) => (Some(shorten_strings(&value, 600)), None),
            Err(_) => (
                None,
                Some(cut(&String::from_utf8_lossy(&body.to_bytes()), TEXT_LIMIT)),
            ),
        },
    };
    let response = judged.response.as_ref().and_then(|r| {
        let bytes = r
            .stream_bytes()
            .or_else(|| r.body.as_ref().map(pretty_body))?;
        Some(cut(&String::from_utf8_lossy(&bytes), TEXT_LIMIT))
    });
    Sample {
        request,
        request_text,
        response,
    }
}

fn pretty_body(body: &Body) -> Vec<u8> {
    match body.json() {
        Ok(value) => serde_json::to_vec_pretty(value.as_ref()).unwrap_or_default(),
        Err(_) => body.to_bytes().into_owned(),
    }
}

fn cut(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… [{} more bytes]", &text[..end], text.len() - end)
}

/// Which part of the scenario a run covered, and how.
pub struct Slice<'a> {
    /// The scenario file as given.
    pub file: &'a str,
    /// The target as written, when there is one.
    pub target: Option<String>,
    /// The `[[targets]]`, when the scenario has them.
    pub targets: Vec<TargetInfo>,
    /// The target `--target NAME` chose among them.
    pub only_target: Option<String>,
    pub shard: Option<Shard>,
    /// The `--model` glob, when the run took only some models.
    pub model: Option<String>,
    /// The checker profile the run used.
    pub profile: Profile,
}

/// The results model of the whole run; every verdict in it is decided by
/// [`crate::report::verdict::finish`].
pub fn assemble(
    scenario: &ScenarioFile,
    slice: &Slice<'_>,
    exchanges: Vec<ExchangeResult>,
    compiled: &[Compiled],
) -> Report {
    let mut report = Report {
        format: REPORT_FORMAT.to_owned(),
        version: REPORT_VERSION,
        scenario: ScenarioSummary {
            name: scenario.name.get_ref().clone(),
            description: scenario.description.clone(),
            file: slice.file.to_owned(),
            target: slice.target.clone(),
            targets: slice.targets.clone(),
            only_target: slice.only_target.clone(),
            profile: slice.profile,
            shard: slice.shard.map(|s| s.to_string()),
            merged_shards: None,
            model: slice.model.clone(),
            strict_coverage: scenario.strict_coverage,
            fail_on_break: scenario.fail_on_break(),
        },
        outcome: Outcome::Fail,
        summary: Summary::default(),
        headline: Vec::new(),
        expectations: compiled
            .iter()
            .map(|c| ExpectationReport {
                name: c.expectation.name.clone(),
                verdict: ExpectationVerdict::Fail,
                note: None,
                matched: 0,
                failed: 0,
                failures: Vec::new(),
            })
            .collect(),
        partial: None,
        matrix: None,
        exchanges,
    };
    verdict::finish(&mut report);
    report
}
