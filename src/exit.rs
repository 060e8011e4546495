//! Exit codes (the README's "Exit codes") and the errors that choose them.
//!
//! Library code returns typed errors; the command layer wraps them in [`Failure`] when the exit
//! code matters, and `main` maps whatever reaches it.

use std::process::ExitCode;

/// All good: every check passed, every expectation held.
pub const OK: u8 = 0;
/// A check, diff or expectation failed, or an input was unreadable.
pub const FAILED: u8 = 1;
/// Bad usage: unknown flag, missing path, unreadable config.
pub const USAGE: u8 = 2;
/// Operational failure: port in use, target unreachable, disk full.
pub const OPERATIONAL: u8 = 3;

/// An error that knows its exit code and, where the cause is known, what to do about it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    pub code: u8,
    pub message: String,
    /// One line telling the user what to do.
    pub hint: Option<String>,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: USAGE,
            message: message.into(),
            hint: None,
        }
    }

    /// An input that could not be read, or a check that failed: exit 1.
    pub fn failed(message: impl Into<String>) -> Failure {
        Failure {
            code: FAILED,
            message: message.into(),
            hint: None,
        }
    }

    pub fn operational(message: impl Into<String>) -> Failure {
        Failure {
            code: OPERATIONAL,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint = Some(hint.into());
        self
    }
}

/// The exit code for an error that reached `main`.
pub fn code_for(error: &anyhow::Error) -> ExitCode {
    let code = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<Failure>().map(|f| f.code))
        .unwrap_or(OPERATIONAL);
    ExitCode::from(code)
}

/// The hint attached to an error, if any.
pub fn hint_for(error: &anyhow::Error) -> Option<&str> {
    error.chain().find_map(|cause| {
        cause
            .downcast_ref::<Failure>()
            .and_then(|f| f.hint.as_deref())
    })
}
