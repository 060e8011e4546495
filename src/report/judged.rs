//! What this run judged of one exchange: the kind of its answer, or why none came. The
//! verdict, the headline and the matrix all read these.

use super::model::{Answer, ExchangeResult, Report};
use crate::conformance::{ResponseKind, Verdict};

/// What the judged answer of an exchange amounts to (`None` when there is no response).
pub fn answer(result: &ExchangeResult) -> Option<Answer> {
    let response = Report::judged_response(result)?;
    Some(if response.verdict == Verdict::Breaks {
        Answer::Breaks
    } else if response.kind == ResponseKind::Error {
        Answer::ErrorEnvelope
    } else {
        Answer::Conforms
    })
}

/// Why the exchange got no complete answer this run, if it did not.
pub fn no_answer(result: &ExchangeResult) -> Option<&str> {
    match &result.replayed {
        Some(replayed) => replayed
            .error
            .as_deref()
            .or(replayed.status.is_none().then_some("no answer")),
        None => result.transport.as_ref().map(|t| t.message.as_str()),
    }
}
