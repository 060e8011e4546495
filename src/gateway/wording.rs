//! How the strict gateway words a refusal: as OpenAI does, so a golden capture of OpenAI's
//! answer and the embedded gateway's answer to the same request compare equal.
//!
//! Where a golden capture documents OpenAI's wording (`captures/golden`: the unknown `input`
//! argument of 0001, the empty assistant `content` of 0004), the message, `param` and `code`
//! are OpenAI's, `code: null` included. Elsewhere the checker's message is used, without the
//! diagnosis it adds in parentheses (which API a field belongs to, what to send instead):
//! that is ours, not the provider's.

use crate::conformance::{Rule, Violation, pointer_to_param};

/// The fields of an OpenAI error envelope for one refused request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub param: Option<String>,
    pub code: Option<&'static str>,
}

/// OpenAI's answer to the first violation it would report.
pub fn refusal(violation: &Violation) -> Refusal {
    let param = pointer_to_param(&violation.path);
    let rule = Rule::from_code(&violation.code);
    let message = match rule {
        // "Unrecognized request argument supplied: input" (golden 0001).
        Some(Rule::RequestUnknownField) => {
            format!("Unrecognized request argument supplied: {param}")
        }
        // "Invalid 'messages[2].content': empty array. Expected an array with minimum length
        // 1, but got an empty array instead." (golden 0004).
        Some(Rule::RequestEmptyArray | Rule::RequestAssistantEmptyContent) => format!(
            "Invalid '{param}': empty array. Expected an array with minimum length 1, but got an empty array instead."
        ),
        _ => without_note(&violation.message).to_owned(),
    };
    Refusal {
        message,
        param: (!param.is_empty()).then_some(param),
        code: code(rule),
    }
}

fn code(rule: Option<Rule>) -> Option<&'static str> {
    match rule {
        // OpenAI sends `code: null` for an unknown argument (golden 0001).
        Some(Rule::RequestUnknownField) => None,
        Some(Rule::RequestMissingField) => Some("missing_required_parameter"),
        Some(Rule::RequestType) => Some("invalid_type"),
        Some(Rule::RequestEnum | Rule::RequestRange) => Some("invalid_value"),
        Some(Rule::RequestEmptyArray | Rule::RequestAssistantEmptyContent) => Some("empty_array"),
        _ => Some("invalid_request"),
    }
}

/// A message without the note the checker appends in parentheses.
fn without_note(message: &str) -> &str {
    match message
        .strip_suffix(')')
        .and_then(|m| m.rfind(" (").map(|i| &message[..i]))
    {
        Some(stripped) if !stripped.is_empty() => stripped,
        _ => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::Severity;

    fn violation(code: &str, path: &str, message: &str) -> Violation {
        Violation {
            code: code.to_owned(),
            severity: Severity::Error,
            path: path.to_owned(),
            message: message.to_owned(),
            dialect: None,
        }
    }

    #[test]
    fn the_documented_refusals_read_as_openai_wrote_them() {
        let unknown = refusal(&violation(
            "request.unknown-field",
            "/input",
            "Unrecognized request argument supplied: input (an OpenAI Responses API field)",
        ));
        assert_eq!(
            unknown,
            Refusal {
                message: "Unrecognized request argument supplied: input".into(),
                param: Some("input".into()),
                code: None,
            }
        );
        let empty = refusal(&violation(
            "request.assistant-empty-content",
            "/messages/2/content",
            "Invalid 'messages[2].content': empty array. Expected an array with minimum length 1 (send null or a string instead)",
        ));
        assert_eq!(
            empty.message,
            "Invalid 'messages[2].content': empty array. Expected an array with minimum length 1, but got an empty array instead."
        );
        assert_eq!(empty.code, Some("empty_array"));
        let missing = refusal(&violation(
            "request.missing-field",
            "/messages",
            "Missing required parameter: 'messages'",
        ));
        assert_eq!(missing.message, "Missing required parameter: 'messages'");
        assert_eq!(missing.code, Some("missing_required_parameter"));
        assert_eq!(without_note("a (b) c"), "a (b) c");
        assert_eq!(without_note("(all of it)"), "(all of it)");
    }
}
