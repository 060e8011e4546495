//! The oracle: the provider request a gateway sent, against the reference translation of the
//! client request that caused it ([`crate::conversation::to_chat`], what `translate` prints).
//! Only for a provider leg in Chat Completions, the reference's target. Differences are not
//! errors (a translation may differ and be right), so each is an info finding that says how:
//! a field the reference drops that the gateway sent anyway (with the reference's reason), a
//! field the reference sends that the gateway did not, a custom tool taking other parameters,
//! another sequence of message roles.

use std::collections::BTreeSet;

use serde_json::Value;

use super::compare::LegFindings;
use crate::conformance::Rule;
use crate::conversation::{Conversation, to_chat};

/// Top-level fields a gateway may set on its own without departing from the translation: the
/// model (gateways map names) and the stream options (gateways ask for usage).
const OWN_FIELDS: &[&str] = &["model", "stream_options", "user"];

/// Compare `provider` (a Chat Completions request body) with the reference translation of the
/// client's conversation.
pub fn compare_with_reference(client: &Conversation, provider: &Value, findings: &mut LegFindings) {
    let Some(sent) = provider.as_object() else {
        return;
    };
    let translation = to_chat(client);
    let Some(reference) = translation.body.as_object() else {
        return;
    };
    for (field, _) in sent {
        if reference.contains_key(field) || OWN_FIELDS.contains(&field.as_str()) {
            continue;
        }
        let loss = translation
            .losses
            .iter()
            .find(|loss| loss.path.trim_start_matches('/').split('/').next() == Some(field));
        let message = match loss {
            Some(loss) => format!(
                "the gateway sent `{field}`, which the reference translation drops: {}",
                loss.why
            ),
            None => format!(
                "the gateway sent `{field}`, which the reference translation of the client's request does not have"
            ),
        };
        findings.add(
            Rule::LegUnlikeReference,
            message,
            loss.map(|loss| loss.path.as_str()),
            Some(&format!("/{field}")),
        );
    }
    for (field, _) in reference {
        if !sent.contains_key(field) && !OWN_FIELDS.contains(&field.as_str()) {
            findings.add(
                Rule::LegUnlikeReference,
                format!("the reference translation sends `{field}`; the gateway did not"),
                None,
                None,
            );
        }
    }
    roles(reference.get("messages"), sent.get("messages"), findings);
    custom_tools(client, reference.get("tools"), sent.get("tools"), findings);
}

fn roles(reference: Option<&Value>, sent: Option<&Value>, findings: &mut LegFindings) {
    let sequence = |messages: Option<&Value>| -> Vec<String> {
        messages
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|m| {
                m.get("role")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_owned()
            })
            .collect()
    };
    let (expected, got) = (sequence(reference), sequence(sent));
    if !got.is_empty() && expected != got {
        findings.add(
            Rule::LegUnlikeReference,
            format!(
                "the reference translation's messages have the roles {}; the gateway's have {}",
                expected.join(", "),
                got.join(", ")
            ),
            None,
            Some("/messages"),
        );
    }
}

/// A custom (freeform) tool becomes a function with one string parameter in the reference;
/// a gateway that chose other parameters makes the model answer in a shape the way back must
/// know about.
fn custom_tools(
    client: &Conversation,
    reference: Option<&Value>,
    sent: Option<&Value>,
    findings: &mut LegFindings,
) {
    let parameters = |tools: Option<&Value>, name: &str| -> Option<(usize, BTreeSet<String>)> {
        tools?
            .as_array()?
            .iter()
            .enumerate()
            .find(|(_, tool)| {
                tool.pointer("/function/name").or_else(|| tool.get("name"))
                    == Some(&Value::from(name))
            })
            .map(|(index, tool)| {
                let names = tool
                    .pointer("/function/parameters/properties")
                    .and_then(Value::as_object)
                    .map(|p| p.keys().cloned().collect())
                    .unwrap_or_default();
                (index, names)
            })
    };
    for tool in client.tools.iter().filter(|tool| tool.grammar.is_some()) {
        let (Some((_, expected)), Some((index, got))) = (
            parameters(reference, &tool.name),
            parameters(sent, &tool.name),
        ) else {
            continue;
        };
        if expected != got {
            let list = |names: &BTreeSet<String>| {
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            findings.add(
                Rule::LegUnlikeReference,
                format!(
                    "custom tool {}: the reference translation's function takes {}; the gateway's takes {}",
                    tool.name,
                    list(&expected),
                    list(&got)
                ),
                Some(&tool.path),
                Some(&format!("/tools/{index}")),
            );
        }
    }
}
