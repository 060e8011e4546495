//! `cursor-harness diff`: parse the tolerances, compare, print, exit 0 when equal and 1 when not.

use std::process::ExitCode;

use regex::Regex;

use crate::cli::{DiffArgs, DiffFormat, DiffMode};
use crate::diff::compare::{Rule, Rules, Tolerance};
use crate::diff::{self, DiffError, FolderMode, render};
use crate::exit::{FAILED, Failure};

use super::output;

pub fn run(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let rules = rules(&args).map_err(|why| {
        Failure::usage(why).with_hint(
            "pointers look like /response/message/choices/0/content; `*` is one segment, `**` any",
        )
    })?;
    let mode = match args.mode {
        DiffMode::Auto => FolderMode::Auto,
        DiffMode::Pairs => FolderMode::Pairs,
        DiffMode::Sessions => FolderMode::Sessions,
    };
    let report = diff::diff_paths(&args.a, &args.b, &rules, mode).map_err(|err| {
        let hint = match &err {
            DiffError::Unreadable(_) => {
                "check the file: `cursor-harness check FILE` says what is wrong with it"
            }
            DiffError::Input(_) => {
                "give two capture files, or two collections of captures (folders, HAR files)"
            }
        };
        Failure::usage(err.to_string()).with_hint(hint)
    })?;
    let rendered = match args.format {
        DiffFormat::Text => render::text(&report),
        DiffFormat::Json => crate::text::terminal::pretty_json(&report)?,
    };
    output::emit(&rendered, args.out.as_deref())?;
    if let Some(why) = &report.nothing_compared
        && (args.format == DiffFormat::Json || args.out.is_some())
    {
        // The text on the terminal already says it; otherwise the console would not.
        eprintln!("cursor-harness: {}", crate::text::terminal::Line(why));
    }
    Ok(if report.equal {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FAILED)
    })
}

fn rules(args: &DiffArgs) -> Result<Rules, String> {
    let mut user = Vec::new();
    for pointer in &args.ignore {
        user.push(Rule::new(pointer, Tolerance::Ignore).map_err(|e| format!("--ignore {e}"))?);
    }
    for pointer in &args.type_only {
        user.push(Rule::new(pointer, Tolerance::TypeOnly).map_err(|e| format!("--type-only {e}"))?);
    }
    for spec in &args.range {
        let (pointer, range) = spec
            .rsplit_once('=')
            .ok_or_else(|| format!("--range {spec:?}: expected PTR=N or PTR=MIN..MAX"))?;
        let number = |text: &str| {
            text.trim()
                .trim_start_matches('±')
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| format!("--range {spec:?}: {text:?} is not a number"))
        };
        let tolerance = match range.split_once("..") {
            Some((low, high)) => Tolerance::Between(number(low)?, number(high)?),
            None => Tolerance::Within(number(range)?.abs()),
        };
        user.push(Rule::new(pointer, tolerance).map_err(|e| format!("--range {e}"))?);
    }
    for spec in &args.regex {
        let (pointer, pattern) = spec
            .split_once('=')
            .ok_or_else(|| format!("--regex {spec:?}: expected PTR=RE"))?;
        let regex = Regex::new(pattern)
            .map_err(|err| format!("--regex {spec:?}: bad expression: {err}"))?;
        user.push(
            Rule::new(pointer, Tolerance::Matches(regex)).map_err(|e| format!("--regex {e}"))?,
        );
    }
    Ok(Rules::new(user, args.keep_volatile))
}
