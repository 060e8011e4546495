//! `run`: one scenario end to end. Select the captures (and the shard), check them, replay them
//! to the target, check what came back, compare it with the captured answer, evaluate the
//! expectations, and build the results model every report is rendered from.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rayon::prelude::*;

use super::expect::{self, Compiled};
use super::file::{self, ScenarioError, ScenarioFile};
use super::select::{self, SelectError, Shard};
use crate::capture::input::{self, Loaded};
use crate::capture::{Body, Exchange};
use crate::check::{ExchangeReport, check_exchange};
use crate::conformance::{Profile, Verdict};
use crate::diff::compare::{Rule as DiffRule, Rules, Tolerance};
use crate::replay::prepare::Auth;
use crate::replay::progress::Progress;
use crate::replay::schedule::Pace;
use crate::replay::{self, ReplayError, ReplayOptions, Target};
use crate::report::markdown;
use crate::report::model::{
    ExchangeResult, ExchangeTimings, ExpectationFailure, ExpectationReport, GoldenChange,
    GoldenDiff, Outcome, REPORT_FORMAT, REPORT_VERSION, Replayed, Report, Sample, ScenarioSummary,
    Summary, TIMINGS_FORMAT, Timings, shorten_strings,
};

/// How to run a scenario.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub scenario: PathBuf,
    /// Replaces the scenario's target (`--target`).
    pub target: Option<String>,
    pub shard: Option<Shard>,
    /// Replaces the scenario's report folder (`--out`).
    pub out: Option<PathBuf>,
    /// Show a progress bar (a terminal) rather than a line per exchange.
    pub progress_bar: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("{file}: {message}")]
    Config { file: String, message: String },
    #[error(transparent)]
    Select(#[from] SelectError),
    #[error(transparent)]
    Replay(#[from] ReplayError),
}

impl RunError {
    /// Whether the user's input is at fault (exit 2) rather than the world (exit 3).
    pub fn is_usage(&self) -> bool {
        !matches!(self, RunError::Replay(_))
    }
}

/// What a run produced.
pub struct RunOutput {
    pub report: Report,
    pub timings: Timings,
    pub out: PathBuf,
}

/// One capture as the run carries it along.
struct Item {
    origin: String,
    exchange: Option<Exchange>,
    error: Option<String>,
    checked: Option<ExchangeReport>,
}

/// Run a scenario: everything up to (not including) writing the reports.
pub async fn run(options: &RunOptions) -> Result<RunOutput, RunError> {
    let (scenario, _) = file::read(&options.scenario)?;
    let scenario_file = options.scenario.display().to_string();
    let config = |message: String| RunError::Config {
        file: scenario_file.clone(),
        message,
    };
    let patterns: Vec<String> = scenario
        .captures
        .iter()
        .map(|c| c.get_ref().clone())
        .collect();
    let candidates = select::select(&patterns, Path::new(""), options.shard)?;
    let out = options
        .out
        .clone()
        .or_else(|| scenario.out.clone())
        .unwrap_or_else(|| PathBuf::from("reports").join(scenario.name.get_ref()));
    let profile = scenario.profile;
    let loaded: Vec<Loaded> = candidates.par_iter().flat_map_iter(input::load).collect();
    let mut items: Vec<Item> = loaded
        .par_iter()
        .map(|loaded| match &loaded.result {
            Ok(exchange) => Item {
                origin: loaded.origin.clone(),
                checked: Some(check_exchange(exchange, loaded.origin.clone(), profile)),
                exchange: Some(exchange.clone()),
                error: None,
            },
            Err(error) => Item {
                origin: loaded.origin.clone(),
                exchange: None,
                error: Some(error.clone()),
                checked: None,
            },
        })
        .collect();

    let target_text = options
        .target
        .clone()
        .or_else(|| scenario.target.as_ref().map(|t| t.get_ref().clone()));
    let mut replayed: HashMap<String, Answer> = HashMap::new();
    if let Some(target_text) = &target_text {
        let expanded =
            file::interpolate(target_text, |name| std::env::var(name).ok()).map_err(&config)?;
        let target = Target::parse(&expanded).map_err(&config)?;
        let auth = match &scenario.api_key_env {
            Some(var) => Some(
                Auth::from_env(var.get_ref(), scenario.auth_header.as_deref())
                    .map_err(|err| config(err.to_string()))?,
            ),
            None => None,
        };
        let pace: Pace = scenario
            .pace
            .get_ref()
            .parse()
            .map_err(|err: replay::schedule::PaceError| config(err.to_string()))?;
        let replay_root = out.join("replay");
        clear_previous_run(&replay_root.join("run"));
        let replay_options = ReplayOptions {
            paths: Vec::new(),
            target,
            target_text: target_text.clone(),
            auth,
            auth_env: scenario.api_key_env.as_ref().map(|v| v.get_ref().clone()),
            concurrency: scenario.concurrency.max(1) as u32,
            pace,
            timeout: Duration::from_secs(scenario.timeout_secs.max(1)),
            out: replay_root.clone(),
            run_id: "run".to_owned(),
            http2: scenario.http2,
            target_cas: Vec::new(),
        };
        let bar = options.progress_bar;
        let run_file = replay::run_loaded(loaded, &replay_options, |total| {
            if bar {
                Progress::for_terminal(total)
            } else {
                Progress::Lines
            }
        })
        .await?;
        let run_dir = replay_root.join("run");
        for entry in &run_file.exchanges {
            let Some(file) = &entry.file else { continue };
            let path = run_dir.join(file);
            let Some(Ok(exchange)) = input::load(&input::Candidate::File(path.clone()))
                .into_iter()
                .next()
                .map(|l| l.result)
            else {
                continue;
            };
            let relative = path
                .strip_prefix(&out)
                .map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
            replayed.insert(
                entry.replay_of.clone(),
                Answer {
                    exchange,
                    file: Some(relative),
                    status: entry.status,
                    error: entry
                        .error
                        .as_ref()
                        .map(|e| format!("{}: {}", e.kind.as_str(), e.message)),
                },
            );
        }
    }

    let rules = diff_rules(&scenario).map_err(&config)?;
    let compiled = expect::compile(
        &scenario
            .expectations
            .iter()
            .map(|e| e.get_ref().clone())
            .collect::<Vec<_>>(),
    );
    let mut timings = Timings {
        format: TIMINGS_FORMAT.to_owned(),
        exchanges: Default::default(),
    };
    let results: Vec<ExchangeResult> = items
        .drain(..)
        .map(|item| {
            let (result, timing) = result_for(
                item,
                target_text.is_some(),
                &mut replayed,
                &rules,
                &compiled,
                profile,
            );
            if let Some(timing) = timing {
                timings.exchanges.insert(result.capture.clone(), timing);
            }
            result
        })
        .collect();
    let report = assemble(
        &scenario,
        &scenario_file,
        target_text,
        options.shard,
        results,
        &compiled,
    );
    Ok(RunOutput {
        report,
        timings,
        out,
    })
}

/// The previous run's replayed captures are ours to replace; anything else is left alone.
fn clear_previous_run(run_dir: &Path) {
    if run_dir.join("run.json").is_file() {
        let _ = std::fs::remove_dir_all(run_dir);
    }
}

fn diff_rules(scenario: &ScenarioFile) -> Result<Rules, String> {
    let diff = &scenario.diff;
    let mut rules = Vec::new();
    for pointer in &diff.ignore {
        rules.push(DiffRule::new(pointer, Tolerance::Ignore)?);
    }
    for pointer in &diff.type_only {
        rules.push(DiffRule::new(pointer, Tolerance::TypeOnly)?);
    }
    for range in &diff.range {
        rules.push(DiffRule::new(
            &range.pointer,
            Tolerance::Within(range.within),
        )?);
    }
    for regex in &diff.regex {
        let compiled = regex::Regex::new(&regex.regex)
            .map_err(|err| format!("[diff] regex {:?}: {err}", regex.regex))?;
        rules.push(DiffRule::new(&regex.pointer, Tolerance::Matches(compiled))?);
    }
    Ok(Rules::new(rules, diff.keep_volatile))
}

/// What the target answered for one capture (keyed by the capture's id).
struct Answer {
    exchange: Exchange,
    /// The replayed capture, relative to the report folder.
    file: Option<String>,
    status: Option<u16>,
    error: Option<String>,
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
        model: exchange.model.clone(),
        endpoint: checked.endpoint.clone(),
        error: None,
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

fn assemble(
    scenario: &ScenarioFile,
    file: &str,
    target: Option<String>,
    shard: Option<Shard>,
    exchanges: Vec<ExchangeResult>,
    compiled: &[Compiled],
) -> Report {
    let mut summary = Summary {
        expectations: compiled.len(),
        ..Summary::default()
    };
    for result in &exchanges {
        if result.error.is_some() {
            summary.unreadable += 1;
            continue;
        }
        summary.exchanges += 1;
        if result
            .request
            .as_ref()
            .is_some_and(|r| r.verdict == Verdict::Breaks)
        {
            summary.requests_break += 1;
        }
        if Report::judged_response(result).is_some_and(|r| r.verdict == Verdict::Breaks) {
            summary.responses_break += 1;
        }
        if result.replayed.as_ref().is_some_and(|r| r.status.is_none()) {
            summary.transport_errors += 1;
        }
        if !result.covered {
            summary.uncovered += 1;
        }
    }
    let expectations: Vec<ExpectationReport> = compiled
        .iter()
        .map(|c| {
            let name = &c.expectation.name;
            let outcomes: Vec<(&ExchangeResult, &crate::report::model::ExpectationResult)> =
                exchanges
                    .iter()
                    .filter_map(|e| {
                        e.expectations
                            .iter()
                            .find(|o| &o.name == name)
                            .map(|o| (e, o))
                    })
                    .collect();
            let failures: Vec<ExpectationFailure> = outcomes
                .iter()
                .filter(|(_, o)| !o.passed)
                .map(|(e, o)| ExpectationFailure {
                    capture: e.capture.clone(),
                    reasons: o.reasons.clone(),
                })
                .collect();
            ExpectationReport {
                name: name.clone(),
                matched: outcomes.len(),
                failed: failures.len(),
                failures,
            }
        })
        .collect();
    // An expectation that covers nothing is a scenario bug (a typo in a glob), not a pass.
    let empty_expectations = expectations.iter().filter(|e| e.matched == 0).count();
    summary.expectations_failed =
        expectations.iter().filter(|e| e.failed > 0).count() + empty_expectations;
    let coverage_failed = scenario.strict_coverage && summary.uncovered > 0;
    let outcome = if summary.expectations_failed > 0 || coverage_failed || summary.unreadable > 0 {
        Outcome::Fail
    } else {
        Outcome::Pass
    };
    Report {
        format: REPORT_FORMAT.to_owned(),
        version: REPORT_VERSION,
        scenario: ScenarioSummary {
            name: scenario.name.get_ref().clone(),
            description: scenario.description.clone(),
            file: file.to_owned(),
            target,
            profile: scenario.profile,
            shard: shard.map(|s| s.to_string()),
            strict_coverage: scenario.strict_coverage,
        },
        outcome,
        summary,
        headline: markdown::headline(&exchanges),
        expectations,
        exchanges,
    }
}
