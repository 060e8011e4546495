//! `cursor-harness shrink CAPTURE --target URL|embedded`.

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::Duration;

use serde_json::{Value, json};

use crate::capture::Body;
use crate::capture::export::to_curl_rewritten;
use crate::cli::{ShrinkArgs, ShrinkFormat};
use crate::exit::{FAILED, Failure, OK, OPERATIONAL};
use crate::shrink::{self, Ending, ShrinkError, ShrinkOptions, Shrunk};
use crate::text::terminal::{Line, block};

use super::{output, send};

pub fn run(args: ShrinkArgs) -> anyhow::Result<ExitCode> {
    let target = send::target(&args.target)?;
    let auth = send::auth(&args.send)?;
    let changes = send::changes(&args.send)?;
    let exchange = super::load_one(&args.capture, "shrink")?;
    let options = ShrinkOptions {
        target,
        auth,
        rewrite: changes.rewrite.clone(),
        budget: args.budget as usize,
        concurrency: args.concurrency as usize,
        timeout: Duration::from_secs(args.timeout),
        http2: args.send.http2,
        target_cas: args.send.target_ca.clone(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let on_terminal = std::io::stderr().is_terminal();
    let progress = |requests: usize, bytes: usize| {
        if on_terminal {
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\rshrinking: {requests} requests, now {bytes} bytes   "
            );
            let _ = err.flush();
        }
    };
    let shrunk = runtime
        .block_on(shrink::shrink(&exchange, options, progress))
        .map_err(|err| match err {
            ShrinkError::NoJsonBody => Failure::failed(format!(
                "{}: the request has no JSON body to shrink",
                args.capture.display()
            )),
            ShrinkError::Prepare(why) => Failure::failed(format!(
                "{}: the request cannot be sent again: {why}",
                args.capture.display()
            )),
            ShrinkError::Client(client) => Failure::usage(client.to_string()),
            ShrinkError::Replay(replay) => Failure::operational(replay.to_string()),
        })?;
    if on_terminal {
        eprint!("\r{:60}\r", "");
    }
    let mut reproducer = exchange.clone();
    reproducer.request.body = Some(Body::Json(shrunk.body.clone()));
    reproducer.response = None;
    reproducer.error = None;
    let origin = args.capture.display().to_string();
    let curl = to_curl_rewritten(
        &format!("shrunk from {origin}"),
        &reproducer,
        &changes.for_script(),
        &changes.from_env,
    );
    let mut body_text = serde_json::to_string_pretty(&shrunk.body)?;
    body_text.push('\n');
    let found = matches!(shrunk.ending, Ending::Minimal | Ending::BudgetSpent);
    if found {
        if let Some(out) = &args.out {
            output::emit(&body_text, Some(out))?;
        }
        if let Some(script) = &args.curl {
            output::emit(&format!("#!/bin/sh\n{curl}"), Some(script))?;
        }
    }
    let rendered = match args.format {
        ShrinkFormat::Json => {
            let mut document = json!({
                "format": "cursor-harness/shrink",
                "version": 1,
                "capture": origin,
                "target": args.target,
            });
            if let (Some(document), Value::Object(result)) =
                (document.as_object_mut(), serde_json::to_value(&shrunk)?)
            {
                document.extend(result);
                document.insert("curl".to_owned(), json!(found.then_some(&curl)));
            }
            crate::text::terminal::pretty_json(&document)?
        }
        ShrinkFormat::Text => text(
            &origin,
            &args.target,
            &shrunk,
            &body_text,
            found.then_some(&curl),
        ),
    };
    output::print(&rendered)?;
    Ok(ExitCode::from(match shrunk.ending {
        Ending::Minimal | Ending::BudgetSpent => OK,
        Ending::DoesNotFail | Ending::Flaky => FAILED,
        Ending::Unreachable => OPERATIONAL,
    }))
}

fn text(
    origin: &str,
    target: &str,
    shrunk: &Shrunk,
    body_text: &str,
    curl: Option<&String>,
) -> String {
    let mut out = String::new();
    let ending = match shrunk.ending {
        Ending::Minimal => "minimal: no smaller body fails the same way",
        Ending::BudgetSpent => "the smallest found within the budget",
        Ending::DoesNotFail => "nothing to shrink: the request does not fail",
        Ending::Flaky => "stopped: the target is flaky",
        Ending::Unreachable => "stopped: the target does not answer",
    };
    let _ = writeln!(
        out,
        "{} against {}: {} → {} bytes in {} requests ({:.1} s), {ending}",
        Line(origin),
        Line(target),
        shrunk.original_bytes,
        shrunk.bytes,
        shrunk.requests,
        shrunk.elapsed_ms / 1000.0
    );
    if let Some(signature) = &shrunk.signature {
        let _ = writeln!(out, "failure kept: {}", Line(&signature.describe()));
    }
    if let Some(note) = &shrunk.note {
        let _ = writeln!(out, "note: {}", Line(note));
    }
    if shrunk.transport_failures > 0 {
        let _ = writeln!(
            out,
            "{} send(s) got no answer (not counted as progress)",
            shrunk.transport_failures
        );
    }
    let Some(curl) = curl else {
        return out;
    };
    if !shrunk.steps.is_empty() {
        let _ = writeln!(out, "\nsteps ({}):", shrunk.steps.len());
        for step in &shrunk.steps {
            let _ = writeln!(out, "  {}", Line(step));
        }
    }
    let _ = writeln!(
        out,
        "\nminimal body:\n{}",
        crate::text::terminal::json(body_text.trim_end())
    );
    let _ = write!(
        out,
        "\nreproducer (set GATEWAY_BASE_URL and GATEWAY_API_KEY):\n{}",
        block(curl)
    );
    out
}
