//! What the response checker needs to know about the request an answer is for, read from the
//! request once, whatever its contract.

use crate::json::Member as _;
use std::collections::BTreeSet;

use serde_json::Value;

use crate::capture::Contract;
use crate::capture::contract::{path_asks_for_stream, stream_is_json_array};

/// What the response checker needs to know about the request it answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestContext {
    /// The contract the answer is judged by (`None`: no contract covers the endpoint).
    pub contract: Option<Contract>,
    /// The request asked for a stream (`stream: true`, or Gemini's `:streamGenerateContent`).
    pub stream: bool,
    /// The stream asked for comes as one JSON array, not an event stream (Gemini's
    /// `:streamGenerateContent` without `alt=sse`).
    pub stream_as_json_array: bool,
    /// The request asked for a usage chunk (`stream_options.include_usage: true`).
    pub include_usage: bool,
    /// Names of custom (freeform) tools offered, in whatever dialect: their arguments are raw
    /// text, not JSON (Cursor's ApplyPatch).
    pub custom_tools: BTreeSet<String>,
    /// Names of function tools offered.
    pub function_tools: BTreeSet<String>,
}

impl RequestContext {
    /// Read the context from a request body of any dialect sent to `target` (path and query)
    /// under `contract`.
    pub fn from_body(body: &Value, contract: Option<Contract>, target: &str) -> RequestContext {
        let path = target.split_once('?').map_or(target, |(path, _)| path);
        let mut context = RequestContext {
            contract,
            stream: body
                .member("stream")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                || path_asks_for_stream(path),
            stream_as_json_array: contract == Some(Contract::Gemini)
                && stream_is_json_array(target),
            include_usage: body
                .member("stream_options")
                .and_then(|options| options.member("include_usage"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
            ..RequestContext::default()
        };
        for tool in body
            .member("tools")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            // Keys looked up one by one: a JSON pointer is parsed again at every call, for
            // every one of the tens of tools a request offers.
            let kind = tool.member("type").and_then(Value::as_str);
            let name = tool
                .member("function")
                .and_then(|function| function.member("name"))
                .or_else(|| {
                    tool.member("custom")
                        .and_then(|custom| custom.member("name"))
                })
                .or_else(|| tool.member("name"))
                .and_then(Value::as_str);
            if let Some(name) = name {
                if kind == Some("custom") {
                    context.custom_tools.insert(name.to_owned());
                } else {
                    context.function_tools.insert(name.to_owned());
                }
            }
            // Gemini declares functions in groups.
            for declaration in tool
                .member("functionDeclarations")
                .or_else(|| tool.member("function_declarations"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(name) = declaration.member("name").and_then(Value::as_str) {
                    context.function_tools.insert(name.to_owned());
                }
            }
        }
        context
    }

    /// The context of a request with no body (`GET /models`), or whose body is not JSON, sent
    /// to `target` (path and query).
    pub fn without_body(contract: Option<Contract>, target: &str) -> RequestContext {
        let path = target.split_once('?').map_or(target, |(path, _)| path);
        RequestContext {
            contract,
            stream: path_asks_for_stream(path),
            stream_as_json_array: contract == Some(Contract::Gemini)
                && stream_is_json_array(target),
            ..RequestContext::default()
        }
    }
}
