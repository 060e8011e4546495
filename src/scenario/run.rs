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

use rayon::prelude::*;

use super::expect::{self, Compiled};
use super::file::{self, ScenarioError, ScenarioFile};
use super::judge::{self, Answer, Item, TargetAnswers};
use super::provider_leg::{self, ProviderLeg};
use super::select::{self, SelectError, Shard};
use super::targets::{self, Resolved};
use crate::capture::filter::ModelFilter;
use crate::capture::input::{self, Loaded};
use crate::check::check_exchange;
use crate::conformance::Profile;
use crate::diff::compare::{Rule as DiffRule, Rules, Tolerance};
use crate::replay::progress::Progress;
use crate::replay::{self, Interrupt, ReplayError, Target};
use crate::report::model::{Partial, Report, TargetInfo, Timings};

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
    /// `--shrink`: shrink one failing request per breaking format, with this request budget.
    pub shrink: Option<usize>,
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
    /// Every target, resolved; empty when the captures are only checked.
    targets: Vec<Resolved>,
    /// Where the provider leg is recorded (`[provider]`).
    provider: Option<ProviderLeg>,
    rules: Rules,
    compiled: Vec<Compiled>,
}

/// Run a scenario: everything up to (not including) writing the reports.
pub async fn run(options: &RunOptions) -> Result<RunOutput, RunError> {
    let plan = plan(options)?;
    let (loaded, items) = load_and_check(&plan)?;
    let mut not_replayed = 0;
    let mut interrupted = false;
    let mut answers = Vec::with_capacity(plan.targets.len());
    let mut infos = Vec::new();
    let provider = match &plan.provider {
        Some(leg) => {
            let listener = leg.bind().map_err(|message| RunError::Config {
                file: plan.file.clone(),
                message,
            })?;
            eprintln!("{}", leg.hint());
            Some((leg, listener))
        }
        None => None,
    };
    for target in &plan.targets {
        if !answers.is_empty() {
            eprintln!(
                "target {}",
                target.name.as_deref().unwrap_or(target.written.as_str())
            );
        }
        let recording = match &provider {
            Some((leg, listener)) => Some(leg.start(listener, &target.options.run_id).map_err(
                |message| RunError::Config {
                    file: plan.file.clone(),
                    message,
                },
            )?),
            None => None,
        };
        let (mut these, not_sent) = replay(target, loaded.clone(), options).await?;
        if let Some(recording) = recording {
            let providers = recording
                .finish()
                .await
                .map_err(|message| RunError::Config {
                    file: plan.file.clone(),
                    message,
                })?;
            let mut legs = provider_leg::judge(&these, providers, plan.profile);
            for (replay_of, answer) in &mut these {
                answer.leg = legs.remove(replay_of.as_str());
            }
        }
        if let Some(name) = &target.name {
            // What the gateway says beats what the scenario was told.
            let (version, version_source) = sniff_version(&target.options.target, &these)
                .or_else(|| target.version.clone().map(|v| (v, "scenario".to_owned())))
                .unzip();
            infos.push(TargetInfo {
                name: name.clone(),
                target: target.written.clone(),
                version,
                version_source,
            });
        }
        answers.push(TargetAnswers {
            target: target.name.clone(),
            answers: these,
        });
        if let Some(not_sent) = not_sent {
            not_replayed += not_sent;
            interrupted = true;
        }
        if options.interrupt.stop.is_cancelled() {
            // Targets not started count as not replayed, every capture of them.
            let left = plan.targets.len() - answers.len();
            not_replayed += left * loaded.len();
            interrupted = true;
            break;
        }
    }
    let originals: std::collections::HashMap<String, crate::capture::Exchange> =
        match options.shrink {
            Some(_) => items
                .iter()
                .filter_map(|item| item.exchange.clone().map(|e| (e.id.clone(), e)))
                .collect(),
            None => Default::default(),
        };
    let (mut results, timings) =
        judge::judge_all(items, answers, &plan.rules, &plan.compiled, plan.profile);
    if let Some(budget) = options.shrink
        && !options.interrupt.stop.is_cancelled()
    {
        super::shrink_formats::shrink_failing(&mut results, &originals, &plan.targets, budget)
            .await;
    }
    let single = plan.targets.first().filter(|t| t.name.is_none());
    let mut report = judge::assemble(
        &plan.scenario,
        &judge::Slice {
            file: &plan.file,
            target: single.map(|t| t.written.clone()),
            targets: infos,
            only_target: options
                .target
                .clone()
                .filter(|name| plan.targets.iter().any(|t| t.name.as_ref() == Some(name))),
            shard: plan.shard,
            model: plan.model.as_ref().map(|m| m.pattern().to_owned()),
            profile: plan.profile,
        },
        results,
        &plan.compiled,
    );
    if interrupted {
        report.partial = Some(Partial {
            reason: "the run was interrupted (Ctrl-C or SIGTERM) before every capture was replayed"
                .to_owned(),
            not_replayed,
        });
    }
    Ok(RunOutput {
        report,
        timings,
        out: plan.out,
    })
}

/// The gateway's version where its answers say it: a version header, or the embedded
/// gateway's own.
fn sniff_version(target: &Target, answers: &[(String, Answer)]) -> Option<(String, String)> {
    if let Target::Embedded(_) = target {
        return Some((
            env!("CARGO_PKG_VERSION").to_owned(),
            "cursor-harness (embedded)".to_owned(),
        ));
    }
    const HEADERS: [&str; 4] = [
        "x-litellm-version",
        "x-portkey-version",
        "x-gateway-version",
        "x-version",
    ];
    answers.iter().find_map(|(_, answer)| {
        let response = answer.exchange.response.as_ref()?;
        HEADERS.iter().find_map(|name| {
            response
                .headers
                .iter()
                .find(|(header, _)| header.eq_ignore_ascii_case(name))
                .map(|(_, value)| (value.clone(), format!("header {name}")))
        })
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
    let targets = targets::resolve(
        &scenario,
        &targets::Defaults {
            target_override: options.target.as_deref(),
            concurrency: options.concurrency,
            model: options.model.clone(),
            out: out.clone(),
            interrupt: options.interrupt.clone(),
        },
    )
    .map_err(|message| RunError::Config {
        file: file.clone(),
        message,
    })?;
    let provider = match &scenario.provider {
        Some(spec) => Some(
            ProviderLeg::resolve(spec.get_ref(), &out).map_err(|message| RunError::Config {
                file: file.clone(),
                message,
            })?,
        ),
        None => None,
    };
    Ok(Plan {
        provider,
        profile: options.profile.unwrap_or(scenario.profile),
        concurrency: options
            .concurrency
            .unwrap_or(scenario.concurrency.clamp(1, 4096) as u32),
        scenario,
        file,
        out,
        shard: options.shard,
        model: options.model.clone(),
        targets,
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
    // The reports are meant for sharing: what they show of a capture is redacted again.
    crate::capture::redact::scrub_loaded(&mut loaded);
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

/// Stage 2: replay the captures to one target; each answer keyed by the id of the capture it
/// answers, and how many were never sent when the run was interrupted.
async fn replay(
    target: &Resolved,
    loaded: Vec<Loaded>,
    run_options: &RunOptions,
) -> Result<(Vec<(String, Answer)>, Option<usize>), RunError> {
    let progress_bar = run_options.progress_bar;
    let options = &target.options;
    // The replay's folders are inside the report folder: never links to somewhere else.
    let report_folder = options.out.parent().unwrap_or(&options.out);
    let replay_dir = options.out.join(&options.run_id);
    crate::fsio::refuse_links(report_folder, &replay_dir).map_err(|source| ReplayError::Write {
        path: options.out.clone(),
        source,
    })?;
    clear_previous_run(&replay_dir);
    let replayed = replay::run_loaded(loaded, options, |total| {
        if progress_bar {
            Progress::for_terminal(total)
        } else {
            Progress::Lines
        }
    })
    .await?;
    let not_sent = replayed.run.interrupted.as_ref().map(|i| i.not_sent);
    let run_dir = Path::new("replay").join(&options.run_id);
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
                leg: None,
                file: entry
                    .file
                    .map(|file| run_dir.join(file).display().to_string()),
                status: entry.status,
                error: entry
                    .error
                    .map(|e| format!("{}: {}", e.kind.as_str(), e.message)),
                connection: entry.connection,
            },
        ));
    }
    Ok((answers, not_sent))
}

/// What `run --dry-run` found: the scenario checked, what it selects and where it would go.
pub struct DryRun {
    pub name: String,
    pub file: String,
    pub out: PathBuf,
    /// Where it would replay, for people (the URL without credentials or query), one line per
    /// target; empty when the captures would only be checked.
    pub targets: Vec<String>,
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
    let targets: Vec<String> = plan
        .targets
        .iter()
        .map(|target| {
            let place = match &target.options.target {
                Target::Embedded(_) => format!(
                    "the embedded reference gateway ({})",
                    target
                        .written
                        .trim()
                        .strip_prefix("embedded:")
                        .unwrap_or("strict")
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
            };
            match &target.name {
                Some(name) => format!("{name}: {place}"),
                None => place,
            }
        })
        .collect();
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
    let (results, _) =
        judge::judge_all(items, Vec::new(), &plan.rules, &plan.compiled, plan.profile);
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
        targets,
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
