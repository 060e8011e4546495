//! The translate profile: Cursor's formats accepted by translating them into Chat Completions
//! first (the reference translation of [`crate::conversation::to_chat`]), then judged by the
//! strict contract and answered as Chat Completions, with a custom (freeform) tool's arguments
//! unwrapped on the way back so Cursor gets the raw text. What a shim must do, runnable: a
//! replay against it answers every request Cursor sends, and its answers conform.
//!
//! Every answer says what was translated in two headers: `x-cursor-harness-translated-from`
//! (the dialect id) and `x-cursor-harness-losses` (how many fields were dropped;
//! `cursor-harness translate` lists them).

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{Plan, Reply};
use crate::conversation::{self, CUSTOM_ARGUMENT, to_chat};
use crate::dialect::{self, Dialect};

/// A request made ready for the strict checks.
pub struct Incoming {
    /// The Chat Completions body (the original when it named no known API).
    pub body: Value,
    pub from: Dialect,
    pub losses: usize,
    /// Tools that were custom (freeform) in the original: their arguments go back raw.
    pub custom_tools: BTreeSet<String>,
}

/// Translate a request of any dialect into Chat Completions.
pub fn incoming(body: Value, path: &str) -> Incoming {
    let from = dialect::classify(&body, &Vec::new()).dialect;
    let Some(read) = conversation::read(&body, from, path) else {
        return Incoming {
            body,
            from,
            losses: 0,
            custom_tools: BTreeSet::new(),
        };
    };
    let custom_tools = read
        .tools
        .iter()
        .filter(|tool| tool.grammar.is_some())
        .map(|tool| tool.name.clone())
        .collect();
    let translation = to_chat(&read);
    Incoming {
        body: translation.body,
        from,
        losses: translation.losses.len(),
        custom_tools,
    }
}

/// A provider answers a custom tool's call to the translated request as the one string
/// parameter it became (`{"input": "<text>"}`); the gateway then unwraps it.
pub fn wrap_custom_call(plan: &mut Plan, custom_tools: &BTreeSet<String>) {
    if let Reply::ToolCall {
        name, arguments, ..
    } = &mut plan.reply
        && custom_tools.contains(name.as_str())
    {
        *arguments = json!({ CUSTOM_ARGUMENT: super::answer::custom_text(name) }).to_string();
    }
}
