//! Rules on the tool calls a response carries, streamed or not: what Chat clients need, and
//! what Cursor needs on top (a function envelope with a name; raw patch text for ApplyPatch).

use serde_json::Value;

use crate::assemble::{Assembled, AssembledToolCall};
use crate::conformance::Rule;
use crate::conformance::context::RequestContext;
use crate::conformance::findings::Findings;
use crate::json::shorten;

/// Where the tool calls came from decides how violations are located and which rule a
/// malformed call breaks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    Stream,
    Completion,
}

pub(super) fn check_tool_calls(
    assembled: &Assembled,
    context: &RequestContext,
    findings: &mut Findings,
) {
    check(assembled, context, findings, Source::Stream);
}

pub(super) fn check_completion_tool_calls(
    assembled: &Assembled,
    context: &RequestContext,
    findings: &mut Findings,
) {
    check(assembled, context, findings, Source::Completion);
}

fn check(assembled: &Assembled, context: &RequestContext, findings: &mut Findings, source: Source) {
    for (choice_index, choice) in &assembled.choices {
        for (position, call) in choice.tool_calls.iter().enumerate() {
            let path = match source {
                Source::Stream => format!(
                    "/stream/{}/choices/{choice_index}/delta/tool_calls",
                    call.first_event
                ),
                Source::Completion => {
                    format!("/choices/{choice_index}/message/tool_calls/{position}")
                }
            };
            check_call(call, &path, context, findings, source);
        }
        if !choice.tool_calls.is_empty()
            && let Some(reason) = &choice.finish_reason
            && reason != "tool_calls"
        {
            findings.add(
                Rule::CursorFinishToolCalls,
                match source {
                    Source::Stream => "/stream".to_owned(),
                    Source::Completion => format!("/choices/{choice_index}/finish_reason"),
                },
                format!("choice {choice_index} carries tool calls but finishes with '{reason}', not 'tool_calls'"),
            );
        }
    }
}

fn check_call(
    call: &AssembledToolCall,
    path: &str,
    context: &RequestContext,
    findings: &mut Findings,
    source: Source,
) {
    let name = call.name.as_deref();
    let (has_id, has_kind, has_name) = match source {
        Source::Stream => (
            call.opened_with.id,
            call.opened_with.kind,
            call.opened_with.name,
        ),
        Source::Completion => (call.id.is_some(), call.kind.is_some(), name.is_some()),
    };
    let shape_rule = match source {
        Source::Stream => Rule::StreamToolCallDelta,
        Source::Completion => Rule::ResponseMissingField,
    };
    if !has_id {
        findings.add(
            shape_rule,
            path,
            format!("tool call {} has no `id` in its first fragment", call.index),
        );
    }
    if !has_kind {
        findings.add(
            shape_rule,
            path,
            format!(
                "tool call {} has no `type` in its first fragment",
                call.index
            ),
        );
    }
    if !has_name {
        findings.add(
            Rule::CursorToolCallName,
            path,
            format!(
                "tool call {} has no `function.name` in its first fragment: Cursor crashes reading 'name'",
                call.index
            ),
        );
    }
    if let Some(kind) = call.kind.as_deref()
        && kind != "function"
    {
        findings.add(
            Rule::CursorToolCallType,
            path,
            format!("tool call {} has type '{kind}'; Cursor reads only {{type: \"function\", function: {{name, arguments}}}}", call.index),
        );
    }
    let arguments = call.arguments.as_str();
    // A custom (freeform) call carries raw text: the request offered it as a custom tool, or
    // the call itself says `type: custom` (already reported as cursor.tool-call-type).
    let freeform = name.is_some_and(|n| context.custom_tools.contains(n))
        || call.kind.as_deref() == Some("custom");
    if freeform {
        check_freeform_arguments(name.unwrap_or_default(), arguments, path, findings);
    } else if serde_json::from_str::<Value>(arguments).is_err() {
        let rule = match source {
            Source::Stream => Rule::StreamToolArguments,
            Source::Completion => Rule::ResponseType,
        };
        findings.add(
            rule,
            path,
            format!(
                "arguments of function tool call {} ({}) are not valid JSON: '{}'",
                call.index,
                name.unwrap_or("unnamed"),
                shorten(arguments, 80)
            ),
        );
    }
}

/// A custom (freeform) tool such as ApplyPatch takes raw text; Cursor's patch parser reads it.
fn check_freeform_arguments(name: &str, arguments: &str, path: &str, findings: &mut Findings) {
    let trimmed = arguments.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('"'))
        && serde_json::from_str::<Value>(trimmed).is_ok()
    {
        findings.add(
            Rule::CursorApplyPatchWrapped,
            path,
            format!(
                "{name} is a custom (freeform) tool: its arguments must be the raw patch text, but they are JSON '{}'",
                shorten(arguments, 60)
            ),
        );
    } else if name == "ApplyPatch" && !trimmed.starts_with("*** Begin Patch") {
        findings.add(
            Rule::CursorApplyPatchText,
            path,
            format!(
                "ApplyPatch arguments do not start with '*** Begin Patch': '{}'",
                shorten(arguments, 60)
            ),
        );
    }
}
