//! `cursor-harness export`.

use std::process::ExitCode;

use rayon::prelude::*;

use crate::capture::export::{to_curl, to_har};
use crate::capture::input;
use crate::cli::{ExportArgs, ExportFormat};
use crate::exit::{FAILED, Failure};

use super::output;

pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let candidates = input::expand(&args.paths).map_err(|err| Failure::usage(err.to_string()))?;
    let mut loaded: Vec<input::Loaded> = candidates.par_iter().flat_map_iter(input::load).collect();
    // An export is meant for other tools and other people: redacted again, whoever wrote the
    // captures.
    crate::capture::redact::scrub_loaded(&mut loaded);
    let mut exchanges = Vec::new();
    let mut unreadable = 0;
    for item in &loaded {
        match &item.result {
            Ok(exchange) => exchanges.push((item.origin.clone(), exchange)),
            Err(error) => {
                unreadable += 1;
                eprintln!(
                    "cursor-harness: skipped {}",
                    crate::text::terminal::Line(error)
                );
            }
        }
    }
    let text = match args.format {
        ExportFormat::Har => crate::text::terminal::pretty_json(&to_har(&exchanges))?,
        ExportFormat::Curl => {
            let mut script = String::from(
                "#!/bin/sh\n# Exported by cursor-harness: set GATEWAY_BASE_URL (e.g. https://gw.example/v1) and GATEWAY_API_KEY.\n\n",
            );
            for (origin, exchange) in &exchanges {
                script.push_str(&to_curl(origin, exchange));
                script.push('\n');
            }
            script
        }
    };
    output::emit(&text, args.out.as_deref())?;
    Ok(if unreadable > 0 {
        ExitCode::from(FAILED)
    } else {
        ExitCode::SUCCESS
    })
}
