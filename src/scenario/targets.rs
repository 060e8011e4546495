//! The targets of a scenario (the single `target =` form or several `[[targets]]` tables), each
//! resolved (its `${VAR}`s expanded, its key read, its headers and model names set) into the
//! replay options it is sent with, before anything is sent.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::file::{ScenarioFile, interpolate};
use super::target_spec::TargetSpec;
use crate::capture::filter::ModelFilter;
use crate::capture::resend::Rewrite;
use crate::replay::prepare::Auth;
use crate::replay::schedule::{self, Pace};
use crate::replay::{Interrupt, ReplayOptions, Target};

/// A target ready to be sent to.
pub struct Resolved {
    /// The `[[targets]]` name; `None` for the single `target =` form.
    pub name: Option<String>,
    /// The target as written (`${VAR}`s unexpanded), for the report.
    pub written: String,
    /// The version the scenario states, if any.
    pub version: Option<String>,
    pub options: ReplayOptions,
}

/// What the run decides besides the scenario.
pub struct Defaults<'a> {
    /// `--target`: a target's name (only that one is sent to) or a URL replacing them all.
    pub target_override: Option<&'a str>,
    pub concurrency: Option<u32>,
    pub model: Option<ModelFilter>,
    /// The report folder; replays go under `<out>/replay`.
    pub out: PathBuf,
    pub interrupt: Interrupt,
}

/// Every target of the run, resolved; an empty list when the captures are only checked.
pub fn resolve(scenario: &ScenarioFile, defaults: &Defaults<'_>) -> Result<Vec<Resolved>, String> {
    let specs: Vec<(Option<String>, TargetSpec)> = match defaults.target_override {
        Some(text) => match scenario.targets.iter().find(|t| t.get_ref().name == text) {
            Some(named) => vec![(Some(named.get_ref().name.clone()), named.get_ref().clone())],
            None => vec![(None, single(scenario, text))],
        },
        None if !scenario.targets.is_empty() => scenario
            .targets
            .iter()
            .map(|t| (Some(t.get_ref().name.clone()), t.get_ref().clone()))
            .collect(),
        None => match &scenario.target {
            Some(target) => vec![(None, single(scenario, target.get_ref()))],
            None => Vec::new(),
        },
    };
    specs
        .into_iter()
        .map(|(name, spec)| resolve_one(scenario, defaults, name, spec))
        .collect()
}

/// The single `target =` form as a target table.
fn single(scenario: &ScenarioFile, target: &str) -> TargetSpec {
    TargetSpec {
        name: "run".to_owned(),
        target: target.to_owned(),
        api_key_env: scenario.api_key_env.as_ref().map(|v| v.get_ref().clone()),
        auth_header: scenario.auth_header.clone(),
        headers: BTreeMap::new(),
        model_map: BTreeMap::new(),
        concurrency: None,
        timeout_secs: None,
        http2: None,
        version: None,
    }
}

fn resolve_one(
    scenario: &ScenarioFile,
    defaults: &Defaults<'_>,
    name: Option<String>,
    spec: TargetSpec,
) -> Result<Resolved, String> {
    let label = name
        .as_deref()
        .map_or(String::new(), |n| format!("target {n:?}: "));
    let env = |name: &str| std::env::var(name).ok();
    let expanded = interpolate(&spec.target, env).map_err(|why| format!("{label}{why}"))?;
    let target = Target::parse(&expanded).map_err(|why| format!("{label}{why}"))?;
    let auth = match &spec.api_key_env {
        Some(var) => Some(
            Auth::from_env(var, spec.auth_header.as_deref())
                .map_err(|err| format!("{label}{err}"))?,
        ),
        None => None,
    };
    let mut rewrite = Rewrite::default();
    let mut secrets = Vec::new();
    let mut headers = scenario.headers.clone();
    headers.extend(spec.headers.clone());
    for (header, value) in &headers {
        let header_name = http::HeaderName::from_bytes(header.as_bytes())
            .map_err(|_| format!("{label}headers: {header:?} is not a valid header name"))?;
        let expanded =
            interpolate(value, env).map_err(|why| format!("{label}headers.{header}: {why}"))?;
        http::HeaderValue::from_str(&expanded).map_err(|_| {
            format!("{label}headers.{header}: the value holds characters a header cannot carry")
        })?;
        // A value read from the environment is a secret: it never lands in a capture.
        if value.contains("${") {
            secrets.push(expanded.clone());
        }
        rewrite
            .headers
            .push((header_name.as_str().to_owned(), expanded));
    }
    let mut models = scenario.model_map.clone();
    models.extend(spec.model_map.clone());
    rewrite.models = models.into_iter().collect();
    let pace: Pace = scenario
        .pace
        .get_ref()
        .parse()
        .map_err(|err: schedule::PaceError| err.to_string())?;
    let max_gap = match &scenario.max_gap {
        Some(text) => {
            Some(schedule::parse_duration(text).map_err(|why| format!("max_gap: {why}"))?)
        }
        None => None,
    };
    let concurrency = defaults.concurrency.unwrap_or(
        spec.concurrency
            .unwrap_or(scenario.concurrency)
            .clamp(1, 4096) as u32,
    );
    Ok(Resolved {
        written: spec.target.clone(),
        // A version the environment does not give is simply not reported.
        version: spec
            .version
            .as_deref()
            .and_then(|v| interpolate(v, env).ok())
            .filter(|v| !v.trim().is_empty()),
        options: ReplayOptions {
            paths: Vec::new(),
            target,
            target_text: spec.target.clone(),
            auth,
            auth_env: spec.api_key_env.clone(),
            concurrency,
            pace,
            max_gap,
            model: defaults.model.clone(),
            timeout: Duration::from_secs(spec.timeout_secs.unwrap_or(scenario.timeout_secs).max(1)),
            out: defaults.out.join("replay"),
            run_id: name.clone().unwrap_or_else(|| "run".to_owned()),
            http2: spec.http2.unwrap_or(scenario.http2),
            target_cas: Vec::new(),
            keep_exchanges: true,
            rewrite,
            secrets,
            interrupt: defaults.interrupt.clone(),
        },
        name,
    })
}
