//! What the gateway did to a request: the client's conversation against the provider's, part
//! by part (system prompt, texts, images, tool calls and results paired by id, tools, tool
//! choice, parameters, cache markers), and the provider's request against its own endpoint's
//! contract, where a part that passed through untranslated shows up as another API's part.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::correlate::normalized;
use crate::conformance::{Profile, Rule, Severity, Violation};
use crate::conversation::{Conversation, Located, Part, Role, ToolChoice};
use crate::dialect::Dialect;

/// One thing the gateway did, located on both legs where it can be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegFinding {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// JSON pointer into the client's request (or answer, for the way back).
    pub client_path: Option<String>,
    /// JSON pointer into the provider's request (or answer).
    pub provider_path: Option<String>,
}

/// Collects leg findings under a profile.
pub struct LegFindings {
    profile: Profile,
    pub list: Vec<LegFinding>,
}

impl LegFindings {
    pub fn new(profile: Profile) -> LegFindings {
        LegFindings {
            profile,
            list: Vec::new(),
        }
    }

    pub fn add(
        &mut self,
        rule: Rule,
        message: impl Into<String>,
        client_path: Option<&str>,
        provider_path: Option<&str>,
    ) {
        self.list.push(LegFinding {
            code: rule.code().to_owned(),
            severity: rule.severity(self.profile),
            message: message.into(),
            client_path: client_path.map(str::to_owned),
            provider_path: provider_path.map(str::to_owned),
        });
    }
}

/// Compare a client request with the provider request it caused. `provider_violations` are
/// the provider request's violations under its endpoint's contract, `own` that contract's own
/// dialect.
pub fn compare_requests(
    client: &Conversation,
    provider: &Conversation,
    provider_violations: &[Violation],
    own: Option<Dialect>,
    findings: &mut LegFindings,
) {
    system(client, provider, findings);
    texts(client, provider, findings);
    images(client, provider, findings);
    tool_history(client, provider, findings);
    tools(client, provider, findings);
    tool_choice(client, provider, findings);
    params(client, provider, findings);
    if !client.cache_markers.is_empty() && provider.cache_markers.is_empty() {
        findings.add(
            Rule::LegCacheDropped,
            format!(
                "{} prompt-cache marker(s) did not reach the provider",
                client.cache_markers.len()
            ),
            client.cache_markers.first().map(String::as_str),
            None,
        );
    }
    untranslated(provider_violations, own, findings);
}

fn system(client: &Conversation, provider: &Conversation, findings: &mut LegFindings) {
    let wanted = normalized(&client.system_text());
    if wanted.is_empty() {
        return;
    }
    let at = client.system.first().map(|s| s.path.as_str());
    let given = normalized(&provider.system_text());
    if given.contains(&wanted) {
        return;
    }
    // A gateway may fold the system prompt into the first user message instead.
    let folded = provider.parts().any(|(_, part)| match &part.value {
        Part::Text { text } => normalized(text).contains(&wanted),
        _ => false,
    });
    if folded {
        return;
    }
    if given.is_empty() {
        findings.add(
            Rule::LegSystemDropped,
            format!(
                "the system prompt ('{}') is not in the provider's request",
                crate::json::shorten(&wanted, 60)
            ),
            at,
            None,
        );
    } else {
        findings.add(
            Rule::LegSystemChanged,
            format!(
                "the provider's system prompt ('{}') does not hold the client's ('{}')",
                crate::json::shorten(&given, 60),
                crate::json::shorten(&wanted, 60)
            ),
            at,
            provider.system.first().map(|s| s.path.as_str()),
        );
    }
}

/// Every user and assistant text of the client must be somewhere in the provider's request
/// (gateways merge and split messages; the text is what must survive).
fn texts(client: &Conversation, provider: &Conversation, findings: &mut LegFindings) {
    let mut everything = normalized(&provider.system_text());
    for (_, part) in provider.parts() {
        if let Part::Text { text } = &part.value {
            everything.push(' ');
            everything.push_str(&normalized(text));
        }
    }
    for (role, part) in client.parts() {
        let Part::Text { text } = &part.value else {
            continue;
        };
        let text = normalized(text);
        if text.is_empty() || everything.contains(&text) {
            continue;
        }
        let who = if role == Role::Assistant {
            "an assistant"
        } else {
            "a user"
        };
        findings.add(
            Rule::LegMessageDropped,
            format!(
                "{who} text ('{}') is not in the provider's request",
                crate::json::shorten(&text, 60)
            ),
            Some(&part.path),
            None,
        );
    }
}

fn images(client: &Conversation, provider: &Conversation, findings: &mut LegFindings) {
    let theirs: Vec<&str> = provider
        .parts()
        .filter_map(|(_, part)| match &part.value {
            Part::Image { source, .. } => Some(source.as_str()),
            _ => None,
        })
        .collect();
    for (_, part) in client.parts() {
        if let Part::Image { source, .. } = &part.value
            && !theirs.contains(&source.as_str())
        {
            findings.add(
                Rule::LegImageDropped,
                format!("the image ({source}) is not in the provider's request"),
                Some(&part.path),
                None,
            );
        }
    }
}

/// Arguments as JSON when they parse (key order and spacing do not matter), else as text.
pub(super) fn same_arguments(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<Value>(a),
        serde_json::from_str::<Value>(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => normalized(a) == normalized(b),
    }
}

/// The history's tool calls and results, paired by id (or by name and arguments when a leg
/// has no ids).
fn tool_history(client: &Conversation, provider: &Conversation, findings: &mut LegFindings) {
    let calls = |conversation: &Conversation| -> Vec<(Option<String>, String, String, String)> {
        conversation
            .parts()
            .filter_map(|(_, part)| match &part.value {
                Part::ToolCall {
                    id,
                    name,
                    arguments,
                    ..
                } => Some((
                    id.clone(),
                    name.clone(),
                    arguments.clone(),
                    part.path.clone(),
                )),
                _ => None,
            })
            .collect()
    };
    let theirs = calls(provider);
    let mut renamed: Vec<(String, String)> = Vec::new();
    for (id, name, arguments, path) in calls(client) {
        let found = theirs
            .iter()
            .find(|(their_id, ..)| id.is_some() && *their_id == id)
            .or_else(|| {
                theirs
                    .iter()
                    .find(|(_, n, a, _)| *n == name && same_arguments(a, &arguments))
            });
        match found {
            Some((their_id, their_name, their_arguments, their_path)) => {
                if *their_name != name || !same_arguments(their_arguments, &arguments) {
                    findings.add(
                        Rule::LegToolCallLost,
                        format!("the call {name} reached the provider as {their_name} with other arguments"),
                        Some(&path),
                        Some(their_path),
                    );
                }
                if let (Some(ours), Some(theirs)) = (&id, their_id) {
                    renamed.push((ours.clone(), theirs.clone()));
                }
            }
            None => findings.add(
                Rule::LegToolCallLost,
                format!(
                    "the call {name}{} is not in the provider's request",
                    id.as_deref()
                        .map(|id| format!(" ({id})"))
                        .unwrap_or_default()
                ),
                Some(&path),
                None,
            ),
        }
    }
    let their_results: Vec<(Option<String>, String, &Located<Part>)> = provider
        .parts()
        .filter_map(|(_, part)| match &part.value {
            Part::ToolResult { id, content, .. } => Some((id.clone(), normalized(content), part)),
            _ => None,
        })
        .collect();
    for (_, part) in client.parts() {
        let Part::ToolResult { id, content, .. } = &part.value else {
            continue;
        };
        let content = normalized(content);
        // The id the provider leg should use for this call (a gateway may rename ids).
        let expected = id.as_ref().map(|id| {
            renamed
                .iter()
                .find(|(ours, _)| ours == id)
                .map_or(id.clone(), |(_, theirs)| theirs.clone())
        });
        let by_content = their_results.iter().find(|(_, text, _)| {
            !content.is_empty() && (text.contains(&content) || content.contains(text.as_str()))
        });
        let by_id = their_results
            .iter()
            .find(|(their_id, ..)| expected.is_some() && *their_id == expected);
        match (by_id, by_content) {
            (Some(_), _) => {}
            (None, Some((their_id, _, their_part))) if expected.is_some() && their_id.is_some() => {
                findings.add(
                    Rule::LegToolResultLost,
                    format!(
                        "the result of {} reached the provider answering {} instead",
                        expected.as_deref().unwrap_or("?"),
                        their_id.as_deref().unwrap_or("?")
                    ),
                    Some(&part.path),
                    Some(&their_part.path),
                );
            }
            (None, Some(_)) => {}
            (None, None) => findings.add(
                Rule::LegToolResultLost,
                format!(
                    "the tool result{} is not in the provider's request",
                    id.as_deref()
                        .map(|id| format!(" for {id}"))
                        .unwrap_or_default()
                ),
                Some(&part.path),
                None,
            ),
        }
    }
}

fn tools(client: &Conversation, provider: &Conversation, findings: &mut LegFindings) {
    for tool in client.tools.iter().filter(|tool| !tool.hosted) {
        let Some(theirs) = provider.tools.iter().find(|t| t.name == tool.name) else {
            findings.add(
                Rule::LegToolDropped,
                format!("the tool {} is not offered to the provider", tool.name),
                Some(&tool.path),
                None,
            );
            continue;
        };
        let described = |d: &Option<String>| d.as_deref().map(normalized).unwrap_or_default();
        let mut changes = Vec::new();
        if described(&tool.description) != described(&theirs.description) {
            changes.push("description");
        }
        if tool.schema.is_some() && tool.schema != theirs.schema {
            changes.push("parameter schema");
        }
        if !changes.is_empty() {
            findings.add(
                Rule::LegToolChanged,
                format!(
                    "the tool {} reached the provider with another {}",
                    tool.name,
                    changes.join(" and ")
                ),
                Some(&tool.path),
                Some(&theirs.path),
            );
        }
    }
}

fn tool_choice(client: &Conversation, provider: &Conversation, findings: &mut LegFindings) {
    let Some(wanted) = &client.tool_choice else {
        return;
    };
    // Without a choice a provider picks `auto` when tools are offered.
    let given = provider
        .tool_choice
        .as_ref()
        .map_or(ToolChoice::Auto, |c| c.value.clone());
    if wanted.value != given {
        findings.add(
            Rule::LegToolChoiceChanged,
            format!(
                "the client's tool_choice {:?} reached the provider as {:?}",
                wanted.value, given
            ),
            Some(&wanted.path),
            provider.tool_choice.as_ref().map(|c| c.path.as_str()),
        );
    }
}

fn params(client: &Conversation, provider: &Conversation, findings: &mut LegFindings) {
    fn check<T: PartialEq + std::fmt::Debug>(
        name: &str,
        ours: &Option<Located<T>>,
        theirs: &Option<Located<T>>,
        same: impl Fn(&T, &T) -> bool,
        findings: &mut LegFindings,
    ) {
        let Some(ours) = ours else { return };
        match theirs {
            None => findings.add(
                Rule::LegParamDropped,
                format!("{name} ({:?}) is not in the provider's request", ours.value),
                Some(&ours.path),
                None,
            ),
            Some(theirs) if !same(&ours.value, &theirs.value) => findings.add(
                Rule::LegParamChanged,
                format!(
                    "{name} {:?} reached the provider as {:?}",
                    ours.value, theirs.value
                ),
                Some(&ours.path),
                Some(&theirs.path),
            ),
            Some(_) => {}
        }
    }
    let (ours, theirs) = (&client.params, &provider.params);
    let close = |a: &f64, b: &f64| (a - b).abs() < 1e-9;
    check(
        "temperature",
        &ours.temperature,
        &theirs.temperature,
        close,
        findings,
    );
    check("top_p", &ours.top_p, &theirs.top_p, close, findings);
    check(
        "the token limit",
        &ours.max_tokens,
        &theirs.max_tokens,
        |a, b| a == b,
        findings,
    );
    check(
        "the stop sequences",
        &ours.stop,
        &theirs.stop,
        |a, b| a == b,
        findings,
    );
    check(
        "the reasoning effort",
        &ours.reasoning,
        &theirs.reasoning,
        |a, b| a == b,
        findings,
    );
}

/// The provider request against its endpoint's contract: another API's parts passed through
/// untranslated, or other errors.
fn untranslated(violations: &[Violation], own: Option<Dialect>, findings: &mut LegFindings) {
    let mut other_errors = Vec::new();
    for violation in violations {
        let foreign = violation.dialect.filter(|d| Some(*d) != own);
        match (foreign, violation.code.as_str()) {
            (
                Some(dialect),
                "request.tool-definition"
                | "request.tool-choice"
                | "request.tool-call"
                | "request.tool-result-order",
            ) => findings.add(
                Rule::LegToolUntranslated,
                format!(
                    "{} ({} shape passed through)",
                    violation.message,
                    dialect.api_name()
                ),
                None,
                Some(&violation.path),
            ),
            (Some(dialect), "request.content-part")
                if violation.message.contains("tool_use")
                    || violation.message.contains("tool_result") =>
            {
                findings.add(
                    Rule::LegToolUntranslated,
                    format!(
                        "{} ({} shape passed through)",
                        violation.message,
                        dialect.api_name()
                    ),
                    None,
                    Some(&violation.path),
                )
            }
            (Some(dialect), _) => findings.add(
                Rule::LegPassedThrough,
                format!(
                    "{} ({} passed through)",
                    violation.message,
                    dialect.api_name()
                ),
                None,
                Some(&violation.path),
            ),
            (None, _) if violation.severity == Severity::Error => other_errors.push(violation),
            (None, _) => {}
        }
    }
    if let Some(first) = other_errors.first() {
        findings.add(
            Rule::LegProviderRequestBreaks,
            format!(
                "the provider's request breaks its contract ({} error(s); first: {} {})",
                other_errors.len(),
                first.code,
                first.message
            ),
            None,
            Some(&first.path),
        );
    }
}
