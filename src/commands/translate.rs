//! `cursor-harness translate CAPTURE|BODY`.

use std::fmt::Write as _;
use std::process::ExitCode;

use serde_json::json;

use crate::cli::{TranslateArgs, TranslateFormat};
use crate::conversation::{self, to_chat};
use crate::dialect::{self, Dialect};
use crate::exit::FAILED;
use crate::text::terminal::Line;

use super::output;

pub fn run(args: TranslateArgs) -> anyhow::Result<ExitCode> {
    let exchange = super::load_one(&args.input, "translate")?;
    let request = &exchange.request;
    let Some(Ok(body)) = request.body.as_ref().map(|b| b.json()) else {
        eprintln!(
            "cursor-harness: {}: the request has no JSON body to translate",
            args.input.display()
        );
        return Ok(ExitCode::from(FAILED));
    };
    let classification = dialect::classify(&body, &request.headers);
    let Some(read) = conversation::read(&body, classification.dialect, request.path()) else {
        eprintln!(
            "cursor-harness: {}: the body is in no known API (nothing to translate from)",
            args.input.display()
        );
        return Ok(ExitCode::from(FAILED));
    };
    let translation = to_chat(&read);
    let mut body_text = serde_json::to_string_pretty(&translation.body)?;
    body_text.push('\n');
    if let Some(out) = &args.out {
        output::emit(&body_text, Some(out))?;
    }
    let rendered = match args.format {
        TranslateFormat::Json => crate::text::terminal::pretty_json(&json!({
            "dialect": classification.dialect,
            "body": translation.body,
            "losses": translation.losses,
        }))?,
        TranslateFormat::Text => {
            let mut text = String::new();
            if args.out.is_none() {
                text.push_str(&crate::text::terminal::json(&body_text));
            }
            let from = match classification.dialect {
                Dialect::ChatCompletions => "Chat Completions (normalised)".to_owned(),
                other => other.api_name().to_owned(),
            };
            let _ = writeln!(
                text,
                "translated from {from}: {} thing(s) could not be carried",
                translation.losses.len()
            );
            for loss in &translation.losses {
                let _ = writeln!(
                    text,
                    "  lost {} ({}): {}",
                    Line(&loss.what),
                    Line(&loss.path),
                    Line(&loss.why)
                );
            }
            text
        }
    };
    output::print(&rendered)?;
    Ok(ExitCode::SUCCESS)
}
