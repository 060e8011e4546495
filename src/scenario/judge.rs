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
    Summary, TIMINGS_FORMAT, Timings, shorten_strings,
};
use crate::report::verdict;

/// One capture as the run carries it along: read and checked, or why it could not be read.
pub struct Item {
    pub origin: String,
    pub exchange: Option<Exchange>,
    pub error: Option<String>,
    pub checked: Option<ExchangeReport>,
}

/// Judge every item; `answers` is `None` when the scenario has no target (nothing replayed),
/// else the answers keyed by the id of the capture each replays.
pub fn judge_all(
    items: Vec<Item>,
    answers: Option<Vec<(String, Answer)>>,
    rules: &Rules,
    compiled: &[Compiled],
    profile: Profile,
) -> (Vec<ExchangeResult>, Timings) {
    let has_target = answers.is_some();
    let mut replayed: HashMap<String, Answer> = answers.into_iter().flatten().collect();
    let mut timings = Timings {
        format: TIMINGS_FORMAT.to_owned(),
        exchanges: Default::default(),
    };
    let results = items
        .into_iter()
        .map(|item| {
            let (result, timing) =
                result_for(item, has_target, &mut replayed, rules, compiled, profile);
            if let Some(timing) = timing {
                timings.exchanges.insert(result.capture.clone(), timing);
            }
            result
        })
        .collect();
    (results, timings)
}

/// What the target answered for one capture.
pub struct Answer {
    pub exchange: Exchange,
    /// The replayed capture, relative to the report folder.
    pub file: Option<String>,
    pub status: Option<u16>,
    pub error: Option<String>,
}

fn result_for(
    item: Item,
    has_target: bool,
    replayed: &mut HashMap<String, Answer>,
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
    let mut result = ExchangeResult {
        capture: item.origin.clone(),
        id: Some(exchange.id.clone()),
        model: exchange.model_name().map(str::to_owned),
        endpoint: checked.endpoint.clone(),
        error: None,
        transport: checked.transport.clone(),
        request: checked.request.clone(),
        recorded: checked.response.clone(),
        replayed: None,
        golden: None,
        expectations: Vec::new(),
        covered: false,
        sample: Sample::default(),
    };
    let mut judged_exchange = &exchange;
    let replay_entry = replayed.remove(&exchange.id);
    if has_target {
        match &replay_entry {
            Some(Answer {
                exchange: answer,
                file,
                status,
                error,
            }) => {
                let report = check_exchange(answer, item.origin.clone(), profile);
                timings.replayed = report.timing.clone();
                timings.file = file.clone();
                result.replayed = Some(Replayed {
                    status: *status,
                    error: error.clone(),
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
        id: None,
        model: None,
        endpoint: None,
        error,
        transport: None,
        request: None,
        recorded: None,
        replayed: None,
        golden: None,
        expectations: Vec::new(),
        covered: false,
        sample: Sample::default(),
    }
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
        exchanges,
    };
    verdict::finish(&mut report);
    report
}
