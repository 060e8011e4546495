//! `run`: one scenario end to end, in four stages.
//!
//! 1. **Load and check**: read the scenario, select the captures (and the shard), classify and
//!    check each one.
//! 2. **Replay**: send them to the target; the answers come back in memory (they are also
//!    written under `<out>/replay/run/` as evidence).
//! 3. **Judge** ([`super::judge`]): check each answer, compare it with the captured one,
//!    evaluate the expectations.
//! 4. **Assemble**: the results model every report is rendered from (rendering and writing the
//!    reports is the caller's, `report::write_all`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rayon::prelude::*;

use super::expect::{self, Compiled};
use super::file::{self, ScenarioError, ScenarioFile};
use super::judge::{self, Answer, Item};
use super::select::{self, SelectError, Shard};
use crate::capture::filter::ModelFilter;
use crate::capture::input::{self, Loaded};
use crate::check::check_exchange;
use crate::conformance::Profile;
use crate::diff::compare::{Rule as DiffRule, Rules, Tolerance};
use crate::replay::prepare::Auth;
use crate::replay::progress::Progress;
use crate::replay::schedule::Pace;
use crate::replay::{self, Interrupt, ReplayError, ReplayOptions, Target};
use crate::report::model::{Partial, Report, Timings};

/// How to run a scenario.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub scenario: PathBuf,
    /// Replaces the scenario's target (`--target`).
    pub target: Option<String>,
    pub shard: Option<Shard>,
    /// Replaces the scenario's report folder (`--out`).
    pub out: Option<PathBuf>,
    /// Only the captures whose model matches (`--model`): a slice, like a shard.
    pub model: Option<ModelFilter>,
    /// Replaces the scenario's checker profile (`--profile`).
    pub profile: Option<Profile>,
    /// Replaces the scenario's concurrency (`--concurrency`).
    pub concurrency: Option<u32>,
    /// Show a progress bar (a terminal) rather than a line per exchange.
    pub progress_bar: bool,
    /// Ctrl-C: stop replaying, judge and report what completed.
    pub interrupt: Interrupt,
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

    /// What to do about it, where the cause is known.
    pub fn hint(&self) -> Option<String> {
        match self {
            RunError::Select(_) => Some(format!(
                "the scenario's `captures` are relative to the folder cursor-harness runs in ({}), not to the scenario file: run it from there, or fix the path",
                std::env::current_dir().map_or_else(
                    |_| "the working directory".to_owned(),
                    |d| d.display().to_string()
                )
            )),
            RunError::Scenario(_) => {
                Some("see scenarios/README.md for the scenario format".to_owned())
            }
            RunError::Config { message, .. } if message.contains("is not set") => Some(
                "export the variable (the scenario reads it with ${VAR}), or pass --target"
                    .to_owned(),
            ),
            RunError::Config { .. } => {
                Some("see scenarios/README.md for the scenario format".to_owned())
            }
            RunError::Replay(_) => None,
        }
    }
}

/// What a run produced.
pub struct RunOutput {
    pub report: Report,
    pub timings: Timings,
    pub out: PathBuf,
}

/// Everything decided before anything is sent: the scenario, where its reports go, and how
/// answers are judged.
struct Plan {
    scenario: ScenarioFile,
    /// The scenario file as given, for messages and the report.
    file: String,
    out: PathBuf,
    shard: Option<Shard>,
    model: Option<ModelFilter>,
    profile: Profile,
    concurrency: u32,
    /// The target as written (before `${VAR}` expansion), when there is one.
    target_text: Option<String>,
    rules: Rules,
    compiled: Vec<Compiled>,
}

/// Run a scenario: everything up to (not including) writing the reports.
pub async fn run(options: &RunOptions) -> Result<RunOutput, RunError> {
    let plan = plan(options)?;
    let (loaded, items) = load_and_check(&plan)?;
    let mut not_replayed = None;
    let answers = match &plan.target_text {
        Some(target) => {
            let (answers, not_sent) = replay(&plan, target, loaded, options).await?;
            not_replayed = not_sent;
            Some(answers)
        }
        None => None,
    };
    let (results, timings) =
        judge::judge_all(items, answers, &plan.rules, &plan.compiled, plan.profile);
    let mut report = judge::assemble(
        &plan.scenario,
        &judge::Slice {
            file: &plan.file,
            target: plan.target_text.clone(),
            shard: plan.shard,
            model: plan.model.as_ref().map(|m| m.pattern().to_owned()),
            profile: plan.profile,
        },
        results,
        &plan.compiled,
    );
    report.partial = not_replayed.map(|not_replayed| Partial {
        reason: "the run was interrupted (Ctrl-C or SIGTERM) before every capture was replayed"
            .to_owned(),
        not_replayed,
    });
    Ok(RunOutput {
        report,
        timings,
        out: plan.out,
    })
}

fn plan(options: &RunOptions) -> Result<Plan, RunError> {
    let (scenario, _) = file::read(&options.scenario)?;
    let file = options.scenario.display().to_string();
    let out = options
        .out
        .clone()
        .or_else(|| scenario.out.clone())
        .unwrap_or_else(|| PathBuf::from("reports").join(scenario.name.get_ref()));
    let rules = diff_rules(&scenario).map_err(|message| RunError::Config {
        file: file.clone(),
        message,
    })?;
    let compiled = expect::compile(
        &scenario
            .expectations
            .iter()
            .map(|e| e.get_ref().clone())
            .collect::<Vec<_>>(),
    );
    let target_text = options
        .target
        .clone()
        .or_else(|| scenario.target.as_ref().map(|t| t.get_ref().clone()));
    Ok(Plan {
        profile: options.profile.unwrap_or(scenario.profile),
        concurrency: options
            .concurrency
            .unwrap_or(scenario.concurrency.clamp(1, 4096) as u32),
        scenario,
        file,
        out,
        shard: options.shard,
        model: options.model.clone(),
        target_text,
        rules,
        compiled,
    })
}

/// Stage 1: the selected captures, loaded once and checked (in parallel).
fn load_and_check(plan: &Plan) -> Result<(Vec<Loaded>, Vec<Item>), RunError> {
    let patterns: Vec<String> = plan
        .scenario
        .captures
        .iter()
        .map(|c| c.get_ref().clone())
        .collect();
    let candidates = select::select(&patterns, Path::new(""), plan.shard)?;
    let mut loaded: Vec<Loaded> = candidates.par_iter().flat_map_iter(input::load).collect();
    if let Some(filter) = &plan.model {
        loaded.retain(|l| filter.keeps(l));
    }
    let items = loaded
        .par_iter()
        .map(|loaded| match &loaded.result {
            Ok(exchange) => Item {
                origin: loaded.origin.clone(),
                checked: Some(check_exchange(
                    exchange,
                    loaded.origin.clone(),
                    plan.profile,
                )),
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
    Ok((loaded, items))
}

/// Stage 2: replay the captures to the target; each answer keyed by the id of the capture it
/// answers, and how many were never sent when the run was interrupted.
async fn replay(
    plan: &Plan,
    target_text: &str,
    loaded: Vec<Loaded>,
    run_options: &RunOptions,
) -> Result<(Vec<(String, Answer)>, Option<usize>), RunError> {
    let progress_bar = run_options.progress_bar;
    let mut options = replay_options(plan, target_text)?;
    options.interrupt = run_options.interrupt.clone();
    clear_previous_run(&options.out.join("run"));
    let replayed = replay::run_loaded(loaded, &options, |total| {
        if progress_bar {
            Progress::for_terminal(total)
        } else {
            Progress::Lines
        }
    })
    .await?;
    let not_sent = replayed.run.interrupted.as_ref().map(|i| i.not_sent);
    let run_dir = Path::new("replay").join("run");
    let mut kept = replayed.exchanges.into_iter().peekable();
    let mut answers = Vec::with_capacity(replayed.run.exchanges.len());
    for entry in replayed.run.exchanges {
        while kept.next_if(|(seq, _)| *seq < entry.seq).is_some() {}
        let Some((_, exchange)) = kept.next_if(|(seq, _)| *seq == entry.seq) else {
            continue;
        };
        answers.push((
            entry.replay_of,
            Answer {
                exchange,
                file: entry
                    .file
                    .map(|file| run_dir.join(file).display().to_string()),
                status: entry.status,
                error: entry
                    .error
                    .map(|e| format!("{}: {}", e.kind.as_str(), e.message)),
            },
        ));
    }
    Ok((answers, not_sent))
}

/// How the scenario replays: every setting checked (the target and its `${VAR}`s, the key's
/// variable, the pace) before anything is sent.
fn replay_options(plan: &Plan, target_text: &str) -> Result<ReplayOptions, RunError> {
    let scenario = &plan.scenario;
    let config = |message: String| RunError::Config {
        file: plan.file.clone(),
        message,
    };
    let expanded =
        file::interpolate(target_text, |name| std::env::var(name).ok()).map_err(config)?;
    let target = Target::parse(&expanded).map_err(config)?;
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
    let max_gap = match &scenario.max_gap {
        Some(text) => Some(
            replay::schedule::parse_duration(text)
                .map_err(|why| config(format!("max_gap: {why}")))?,
        ),
        None => None,
    };
    Ok(ReplayOptions {
        paths: Vec::new(),
        target,
        target_text: target_text.to_owned(),
        auth,
        auth_env: scenario.api_key_env.as_ref().map(|v| v.get_ref().clone()),
        concurrency: plan.concurrency,
        pace,
        max_gap,
        model: plan.model.clone(),
        timeout: Duration::from_secs(scenario.timeout_secs.max(1)),
        out: plan.out.join("replay"),
        run_id: "run".to_owned(),
        http2: scenario.http2,
        target_cas: Vec::new(),
        keep_exchanges: true,
        rewrite: Default::default(),
        secrets: Vec::new(),
        interrupt: Default::default(),
    })
}

/// What `run --dry-run` found: the scenario checked, what it selects and where it would go.
pub struct DryRun {
    pub name: String,
    pub file: String,
    pub out: PathBuf,
    /// Where it would replay, for people (the URL without credentials or query), or `None`
    /// when the captures would only be checked.
    pub target: Option<String>,
    pub profile: Profile,
    pub concurrency: u32,
    pub pace: String,
    pub slice: Option<String>,
    /// Each selected capture: where it is, its model, and its request dialect or why it
    /// cannot be read.
    pub captures: Vec<(String, String, Result<String, String>)>,
    /// Each expectation and how many selected exchanges it covers.
    pub expectations: Vec<(String, usize)>,
}

impl DryRun {
    /// Whether the run would fail whatever the target answers: an unreadable capture, or (in a
    /// whole run) an expectation that covers nothing.
    pub fn doomed(&self) -> bool {
        self.captures.iter().any(|(_, _, r)| r.is_err())
            || (self.slice.is_none() && self.expectations.iter().any(|(_, n)| *n == 0))
    }
}

/// `run --dry-run`: check the scenario and its settings, select and classify the captures,
/// count what each expectation covers; nothing is sent and nothing is written.
pub fn dry_run(options: &RunOptions) -> Result<DryRun, RunError> {
    let plan = plan(options)?;
    let target = match &plan.target_text {
        Some(text) => {
            let replay = replay_options(&plan, text)?;
            Some(match replay.target {
                Target::Embedded(_) => format!(
                    "the embedded reference gateway ({})",
                    text.trim().strip_prefix("embedded:").unwrap_or("strict")
                ),
                Target::Url(uri) => format!(
                    "{}://{}{}",
                    uri.scheme_str().unwrap_or("http"),
                    uri.authority().map_or("", |a| a
                        .as_str()
                        .rsplit('@')
                        .next()
                        .unwrap_or_default()),
                    uri.path()
                ),
            })
        }
        None => None,
    };
    let (_, items) = load_and_check(&plan)?;
    let captures = items
        .iter()
        .map(|item| match (&item.exchange, &item.checked) {
            (Some(exchange), Some(checked)) => (
                item.origin.clone(),
                crate::capture::filter::model_key(exchange).to_owned(),
                Ok(checked
                    .request
                    .as_ref()
                    .map_or("none".to_owned(), |r| r.dialect.as_str().to_owned())),
            ),
            _ => (
                item.origin.clone(),
                "-".to_owned(),
                Err(item.error.clone().unwrap_or_default()),
            ),
        })
        .collect();
    let (results, _) = judge::judge_all(items, None, &plan.rules, &plan.compiled, plan.profile);
    let expectations = plan
        .compiled
        .iter()
        .map(|c| {
            let covered = results.iter().filter(|r| c.covers(r)).count();
            (c.expectation.name.clone(), covered)
        })
        .collect();
    let slice = match (&plan.shard, &plan.model) {
        (None, None) => None,
        (Some(shard), None) => Some(format!("shard {shard}")),
        (None, Some(model)) => Some(format!("--model {}", model.pattern())),
        (Some(shard), Some(model)) => Some(format!("shard {shard}, --model {}", model.pattern())),
    };
    Ok(DryRun {
        name: plan.scenario.name.get_ref().clone(),
        file: plan.file.clone(),
        out: plan.out.clone(),
        target,
        profile: plan.profile,
        concurrency: plan.concurrency,
        pace: plan.scenario.pace.get_ref().clone(),
        slice,
        captures,
        expectations,
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
