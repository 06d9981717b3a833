//! The few failures that carry their own exit code or hint.
//!
//! Everything else is an `anyhow::Error` with `.context(…)`, which exits 1. The top level walks the
//! error chain for a [`BerryError`] to decide the exit code and the `hint:` line.

use std::fmt;

/// berry's exit codes (README "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Exit {
    /// The step succeeded, or was already done.
    Ok = 0,
    /// Operational failure: I/O, database, network, a server error.
    Failure = 1,
    /// Usage or configuration error.
    Usage = 2,
    /// A gate is closed: QA not approved, evidence changed, a guard found something, tests or CI failed.
    Gate = 3,
    /// A decision is needed and there is no terminal and no `--yes`, or the operator declined.
    Decision = 4,
    /// Timed out waiting.
    Timeout = 5,
    /// Interrupted (Ctrl-C).
    Interrupted = 130,
}

impl Exit {
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// A failure with its own exit code and, where one helps, a hint.
#[derive(Debug, thiserror::Error)]
pub struct BerryError {
    pub exit: Exit,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for BerryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl BerryError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        BerryError {
            exit,
            message: message.into(),
            hint: None,
        }
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    /// Exit 2: usage or configuration.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }
    /// Exit 3: a gate is closed.
    pub fn gate(message: impl Into<String>) -> Self {
        Self::new(Exit::Gate, message)
    }
    /// Exit 4: a decision is needed but nobody can be asked. `flag` names what answers it.
    pub fn needs_decision(question: impl Into<String>, flag: &str) -> Self {
        Self::new(
            Exit::Decision,
            format!("{} (no terminal to ask on)", question.into()),
        )
        .with_hint(format!("pass {flag} to answer it from a script"))
    }
    /// Exit 4: the operator said no.
    pub fn declined(what: impl Into<String>) -> Self {
        Self::new(Exit::Decision, format!("declined: {}", what.into()))
    }
    /// Exit 5: timed out waiting.
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(Exit::Timeout, message)
    }
    /// Exit 1 with a hint.
    pub fn failure(message: impl Into<String>) -> Self {
        Self::new(Exit::Failure, message)
    }
}

/// The one outcome↔exit table: what a step's recorded outcome exits with.
impl crate::workflow::Outcome {
    pub fn exit(self) -> Exit {
        use crate::workflow::Outcome;
        match self {
            Outcome::Ok | Outcome::Skipped => Exit::Ok,
            Outcome::Blocked => Exit::Gate,
            Outcome::Declined => Exit::Decision,
            Outcome::Error => Exit::Failure,
        }
    }
}

/// The exit code and hint an error chain asks for: the outermost [`BerryError`] wins.
pub fn classify(err: &anyhow::Error) -> (Exit, Option<String>) {
    // anyhow finds a context value of this type anywhere in the chain it built.
    if let Some(b) = err.downcast_ref::<BerryError>() {
        return (b.exit, b.hint.clone());
    }
    for cause in err.chain() {
        if let Some(b) = cause.downcast_ref::<BerryError>() {
            return (b.exit, b.hint.clone());
        }
        if let Some(e) = cause.downcast_ref::<clap::Error>() {
            let _ = e;
            return (Exit::Usage, None);
        }
    }
    (Exit::Failure, None)
}

/// The lines printed for an error: `error: …`, each cause as `  caused by: …`, then `hint: …`.
pub fn render(err: &anyhow::Error) -> Vec<String> {
    let (_, hint) = classify(err);
    let mut lines = Vec::new();
    let mut chain = err.chain();
    if let Some(top) = chain.next() {
        lines.push(format!("error: {top}"));
    }
    let mut last = lines.first().cloned().unwrap_or_default();
    for cause in chain {
        let text = cause.to_string();
        // anyhow contexts often repeat the inner message verbatim; say it once.
        if last.ends_with(&text) {
            continue;
        }
        lines.push(format!("  caused by: {text}"));
        last = text;
    }
    if let Some(h) = hint {
        lines.push(format!("hint: {h}"));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn outermost_berry_error_decides_the_exit_code() {
        let inner: anyhow::Result<()> = Err(BerryError::gate("QA did not approve").into());
        let err = inner.context("verify REQ-A-1").unwrap_err();
        assert_eq!(classify(&err).0, Exit::Gate);
        let plain = anyhow::anyhow!("disk full");
        assert_eq!(classify(&plain).0, Exit::Failure);
    }

    #[test]
    fn a_berry_error_used_as_context_still_decides() {
        let io = std::io::Error::other("refused");
        let err = anyhow::Error::new(io)
            .context(BerryError::failure("cannot connect").with_hint("start it"));
        let err = err.context("verify");
        assert_eq!(classify(&err), (Exit::Failure, Some("start it".into())));
        let gate =
            anyhow::Error::new(std::io::Error::other("x")).context(BerryError::gate("closed"));
        assert_eq!(classify(&gate.context("outer")).0, Exit::Gate);
    }

    #[test]
    fn render_prints_causes_then_hint() {
        let e: anyhow::Error = BerryError::needs_decision("mark REQ-A-1 BLOCKED?", "--yes").into();
        let e = e.context("verify");
        let lines = render(&e);
        assert_eq!(lines[0], "error: verify");
        assert_eq!(
            lines[1],
            "  caused by: mark REQ-A-1 BLOCKED? (no terminal to ask on)"
        );
        assert_eq!(lines[2], "hint: pass --yes to answer it from a script");
    }
}
