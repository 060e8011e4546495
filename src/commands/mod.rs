//! Running each command: the glue between the CLI definitions and the library.

mod check;
mod output;
mod record;
mod scan;

use std::process::ExitCode;

use crate::cli::{Cli, Command, RulesFormat};
use crate::conformance::rules::{Rule, catalogue_markdown};

/// Run a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Record(args) => record::run(*args),
        Command::Check(args) => check::run(args),
        Command::Scan(args) => scan::run(args),
        Command::Rules(args) => {
            let text = match args.format {
                RulesFormat::Md => catalogue_markdown(),
                RulesFormat::Text => rules_text(),
            };
            output::print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn rules_text() -> String {
    let mut out = String::new();
    for rule in Rule::ALL {
        out.push_str(&format!(
            "{:<34} {:<7}/{:<7} {}\n",
            rule.code(),
            rule.severity(crate::conformance::Profile::Strict).as_str(),
            rule.severity(crate::conformance::Profile::Lenient).as_str(),
            rule.summary()
        ));
    }
    out
}
