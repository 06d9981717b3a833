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

/// What kind of failure an error is: decides its exit code (README "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The command line was wrong, or a step was run out of order (exit 2).
    Usage,
    /// A configuration file or setting is invalid (exit 2).
    Config,
    /// A gate is closed; the error's reasons say why (exit 3).
    Gate,
    /// The operator said no (exit 4).
    Declined,
    /// A decision is needed and nobody can be asked: no terminal, no answering flag (exit 4).
    NoTerminal,
    /// Waiting ran out (exit 5).
    Timeout,
    /// Operational failure: I/O, database, network, a server error (exit 1).
    Failure,
    /// Ctrl-C (exit 130).
    Interrupted,
}

impl Kind {
    /// The one kind↔exit table.
    pub fn exit(self) -> Exit {
        match self {
            Kind::Usage | Kind::Config => Exit::Usage,
            Kind::Gate => Exit::Gate,
            Kind::Declined | Kind::NoTerminal => Exit::Decision,
            Kind::Timeout => Exit::Timeout,
            Kind::Failure => Exit::Failure,
            Kind::Interrupted => Exit::Interrupted,
        }
    }

    /// The kind an exit code stands for, where one is made directly from a code.
    fn of(exit: Exit) -> Kind {
        match exit {
            Exit::Ok | Exit::Failure => Kind::Failure,
            Exit::Usage => Kind::Usage,
            Exit::Gate => Kind::Gate,
            Exit::Decision => Kind::Declined,
            Exit::Timeout => Kind::Timeout,
            Exit::Interrupted => Kind::Interrupted,
        }
    }
}

/// A failure with its kind (and so its exit code), the reasons of a closed gate, and the hints
/// that help. Printed as `error: message`, each reason as `  - reason`, the causes, then one
/// `hint:` line per hint.
#[derive(Debug, thiserror::Error)]
pub struct BerryError {
    pub kind: Kind,
    pub message: String,
    /// Why a gate is closed, one line each (for `Kind::Gate`; empty otherwise).
    pub reasons: Vec<String>,
    pub hints: Vec<String>,
}

impl fmt::Display for BerryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl BerryError {
    pub fn of_kind(kind: Kind, message: impl Into<String>) -> Self {
        BerryError {
            kind,
            message: message.into(),
            reasons: Vec::new(),
            hints: Vec::new(),
        }
    }
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self::of_kind(Kind::of(exit), message)
    }
    /// The exit code this error calls for.
    pub fn exit(&self) -> Exit {
        self.kind.exit()
    }
    /// The first hint, if any.
    pub fn hint(&self) -> Option<&str> {
        self.hints.first().map(String::as_str)
    }
    /// Adds a hint (printed after those already there).
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
    /// Adds the reasons a gate is closed.
    pub fn with_reasons(mut self, reasons: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.reasons.extend(reasons.into_iter().map(Into::into));
        self
    }
    /// Exit 2: usage.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::of_kind(Kind::Usage, message)
    }
    /// Exit 2: an invalid configuration.
    pub fn config(message: impl Into<String>) -> Self {
        Self::of_kind(Kind::Config, message)
    }
    /// Exit 3: a gate is closed.
    pub fn gate(message: impl Into<String>) -> Self {
        Self::of_kind(Kind::Gate, message)
    }
    /// Exit 4: a decision is needed but nobody can be asked. `flag` names what answers it.
    pub fn needs_decision(question: impl Into<String>, flag: &str) -> Self {
        Self::of_kind(
            Kind::NoTerminal,
            format!("{} (no terminal to ask on)", question.into()),
        )
        .with_hint(format!("pass {flag} to answer it from a script"))
    }
    /// Exit 4: the operator said no.
    pub fn declined(what: impl Into<String>) -> Self {
        Self::of_kind(Kind::Declined, format!("declined: {}", what.into()))
    }
    /// Exit 5: timed out waiting.
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::of_kind(Kind::Timeout, message)
    }
    /// Exit 1.
    pub fn failure(message: impl Into<String>) -> Self {
        Self::of_kind(Kind::Failure, message)
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

/// What an error chain calls for: the outermost [`BerryError`] decides the kind (an error
/// without one is a failure, a clap error a usage error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    pub kind: Kind,
    pub exit: Exit,
    /// The outermost `BerryError`'s reasons.
    pub reasons: Vec<String>,
    /// Every `BerryError`'s hints in the chain, outermost first, each once.
    pub hints: Vec<String>,
}

pub fn classify(err: &anyhow::Error) -> Classified {
    let mut found: Vec<&BerryError> = Vec::new();
    // anyhow finds a context value of this type anywhere in the chain it built, which the
    // chain walk below may not see as a cause.
    if let Some(b) = err.downcast_ref::<BerryError>() {
        found.push(b);
    }
    let mut clap_error = false;
    for cause in err.chain() {
        if let Some(b) = cause.downcast_ref::<BerryError>()
            && !found.iter().any(|f| std::ptr::eq(*f, b))
        {
            found.push(b);
        }
        clap_error |= cause.downcast_ref::<clap::Error>().is_some();
    }
    let mut hints: Vec<String> = Vec::new();
    for h in found.iter().flat_map(|b| &b.hints) {
        if !hints.contains(h) {
            hints.push(h.clone());
        }
    }
    let kind = match found.first() {
        Some(b) => b.kind,
        None if clap_error => Kind::Usage,
        None => Kind::Failure,
    };
    Classified {
        kind,
        exit: kind.exit(),
        reasons: found.first().map(|b| b.reasons.clone()).unwrap_or_default(),
        hints,
    }
}

/// The lines printed for an error: `error: …`, each reason as `  - …`, each cause as
/// `  caused by: …`, then `hint: …` per hint.
pub fn render(err: &anyhow::Error) -> Vec<String> {
    let c = classify(err);
    let mut lines = Vec::new();
    let mut chain = err.chain();
    if let Some(top) = chain.next() {
        lines.push(format!("error: {top}"));
    }
    lines.extend(c.reasons.iter().map(|r| format!("  - {r}")));
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
    lines.extend(c.hints.iter().map(|h| format!("hint: {h}")));
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
        assert_eq!(classify(&err).exit, Exit::Gate);
        let plain = anyhow::anyhow!("disk full");
        assert_eq!(classify(&plain).exit, Exit::Failure);
    }

    #[test]
    fn a_berry_error_used_as_context_still_decides() {
        let io = std::io::Error::other("refused");
        let err = anyhow::Error::new(io)
            .context(BerryError::failure("cannot connect").with_hint("start it"));
        let err = err.context("verify");
        let c = classify(&err);
        assert_eq!(
            (c.exit, c.hints),
            (Exit::Failure, vec!["start it".to_string()])
        );
        let gate =
            anyhow::Error::new(std::io::Error::other("x")).context(BerryError::gate("closed"));
        assert_eq!(classify(&gate.context("outer")).exit, Exit::Gate);
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

    #[test]
    fn kinds_decide_exit_codes_and_every_hint_in_the_chain_is_printed_once() {
        assert_eq!(BerryError::config("bad berry.toml").exit(), Exit::Usage);
        assert_eq!(BerryError::declined("commit").exit(), Exit::Decision);
        assert_eq!(
            BerryError::needs_decision("commit?", "--yes").kind,
            Kind::NoTerminal
        );
        let inner = anyhow::Error::new(
            BerryError::failure("cannot connect")
                .with_hint("start PostgreSQL")
                .with_hint("or set --deliverables DIR"),
        );
        let outer = inner.context(
            BerryError::gate("the guards found 2 problem(s)")
                .with_reasons(["secret a.ts:3", "conflict marker b.ts:9"])
                .with_hint("start PostgreSQL"),
        );
        let c = classify(&outer);
        assert_eq!(c.kind, Kind::Gate, "the outermost kind wins");
        assert_eq!(c.hints, ["start PostgreSQL", "or set --deliverables DIR"]);
        assert_eq!(
            render(&outer),
            [
                "error: the guards found 2 problem(s)",
                "  - secret a.ts:3",
                "  - conflict marker b.ts:9",
                "  caused by: cannot connect",
                "hint: start PostgreSQL",
                "hint: or set --deliverables DIR",
            ]
        );
    }
}
