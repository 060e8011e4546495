//! The way back: the provider's answer against what the client received, each read as the
//! message its contract's clients end up with (text, tool calls, finish reason, usage).

use serde_json::Value;

use super::compare::{LegFindings, same_arguments};
use super::correlate::normalized;
use crate::assemble::{Assembled, AssembledChoice};
use crate::capture::Exchange;
use crate::conformance::{self, Profile, RequestContext, Rule};

/// The message an exchange's 2xx answer amounts to, under its endpoint's contract.
pub fn assembled(exchange: &Exchange) -> Option<Assembled> {
    let response = exchange.response.as_ref()?;
    if !(200..300).contains(&response.status) {
        return None;
    }
    let request = &exchange.request;
    let contract = exchange.contract();
    let context = match request.body.as_ref().map(|body| body.json()) {
        Some(Ok(body)) => RequestContext::from_body(&body, contract, &request.target),
        _ => RequestContext::without_body(contract, &request.target),
    };
    conformance::check_response(response, &context, Profile::Lenient).assembled
}

/// What a finish reason means, whatever API named it.
fn finish_kind(reason: &str) -> &'static str {
    match reason {
        "tool_calls" | "tool_use" | "function_call" => "tool calls",
        "length" | "max_tokens" | "MAX_TOKENS" | "incomplete" | "model_context_window_exceeded" => {
            "length"
        }
        "content_filter" | "refusal" | "SAFETY" | "RECITATION" | "PROHIBITED_CONTENT"
        | "BLOCKLIST" | "SPII" => "filtered",
        _ => "stop",
    }
}

fn main_choice(assembled: &Assembled) -> AssembledChoice {
    assembled
        .choices
        .values()
        .next()
        .cloned()
        .unwrap_or_default()
}

/// Compare the provider's answer (what the gateway got) with the client's (what it passed on).
pub fn compare_answers(client: &Exchange, provider: &Exchange, findings: &mut LegFindings) {
    let (Some(ours), Some(theirs)) = (assembled(client), assembled(provider)) else {
        return;
    };
    let (ours_choice, theirs_choice) = (main_choice(&ours), main_choice(&theirs));
    let (client_text, provider_text) = (
        normalized(&ours_choice.content),
        normalized(&theirs_choice.content),
    );
    if !provider_text.is_empty() && !client_text.contains(&provider_text) {
        findings.add(
            Rule::LegAnswerChanged,
            format!(
                "the provider answered '{}', the client received '{}'",
                crate::json::shorten(&provider_text, 60),
                crate::json::shorten(&client_text, 60)
            ),
            Some("/response"),
            Some("/response"),
        );
    }
    for call in &theirs_choice.tool_calls {
        let name = call.name.as_deref().unwrap_or_default();
        let carried = ours_choice.tool_calls.iter().any(|mine| {
            mine.name.as_deref() == Some(name) && same_arguments(&mine.arguments, &call.arguments)
        });
        if !carried {
            findings.add(
                Rule::LegAnswerToolCallLost,
                format!(
                    "the provider called {name}({}); the client did not receive that call",
                    crate::json::shorten(&call.arguments, 60)
                ),
                Some("/response"),
                Some("/response"),
            );
        }
    }
    let provider_finish = match (
        &theirs_choice.finish_reason,
        theirs_choice.tool_calls.is_empty(),
    ) {
        (_, false) => Some("tool calls"),
        (Some(reason), true) => Some(finish_kind(reason)),
        (None, true) => None,
    };
    let client_finish = ours_choice.finish_reason.as_deref().map(finish_kind);
    if let (Some(theirs), Some(ours)) = (provider_finish, client_finish)
        && theirs != ours
    {
        findings.add(
            Rule::LegAnswerFinishChanged,
            format!("the provider finished with {theirs}, the client was told {ours}"),
            Some("/response"),
            Some("/response"),
        );
    }
    let asked_for_usage = client
        .request
        .body
        .as_ref()
        .and_then(|body| body.json().ok())
        .is_some_and(|body| {
            body.pointer("/stream_options/include_usage")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                || body.get("stream").and_then(Value::as_bool) != Some(true)
        });
    if theirs.usage.is_some() && ours.usage.is_none() && asked_for_usage {
        findings.add(
            Rule::LegAnswerUsageDropped,
            "the provider reported token usage; the client, which asked for it, got none",
            Some("/response"),
            Some("/response"),
        );
    }
}
