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
/// Stopped by Ctrl-C or SIGTERM before the work was done (128 + SIGINT, as shells report it);
/// what was done is written and marked as partial.
pub const INTERRUPTED: u8 = 130;

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

/// The error and its causes, each said once: many errors repeat their cause in their own
/// message (`cannot read X: Permission denied`), and printing the chain after that would say
/// it twice.
pub fn describe(error: &anyhow::Error) -> String {
    let mut out = error.to_string();
    for cause in error.chain().skip(1) {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
    }
    out
}

/// The hint attached to an error, if any.
pub fn hint_for(error: &anyhow::Error) -> Option<&str> {
    error.chain().find_map(|cause| {
        cause
            .downcast_ref::<Failure>()
            .and_then(|f| f.hint.as_deref())
    })
}

#[cfg(test)]
mod tests {
    #[derive(Debug, thiserror::Error)]
    #[error("cannot read the key {path}: {source}")]
    struct KeyError {
        path: String,
        source: std::io::Error,
    }

    #[test]
    fn a_cause_already_in_the_message_is_not_said_again() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "Permission denied");
        let error = anyhow::Error::new(KeyError {
            path: "/x/.key".into(),
            source: io,
        });
        assert_eq!(
            super::describe(&error),
            "cannot read the key /x/.key: Permission denied"
        );
        let wrapped = anyhow::anyhow!("io").context("while starting");
        assert_eq!(super::describe(&wrapped), "while starting: io");
    }
}
