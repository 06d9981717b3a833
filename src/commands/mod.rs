//! One file per subcommand (a step's larger screens beside it, in `<step>/` or `<step>_view.rs`):
//! each turns its arguments into plain options, asks the work modules, prints through the
//! [`crate::printer::Printer`], and returns a [`StepReport`]. What every
//! command starts from is [`Env`]; the rendering they share is [`view`].

pub mod block;
pub mod checklist;
pub mod commit;
pub mod complete;
pub mod completions;
pub mod config;
pub mod demo;
pub mod effects;
mod env;
pub mod failures;
pub mod guards;
pub mod health;
pub mod listen;
pub mod pr;
pub mod push;
pub mod review;
pub mod review_stream;
pub mod review_view;
pub mod rollback;
pub mod run;
pub mod run_view;
pub mod status;
pub mod test;
pub mod tracker;
pub mod verify;
pub mod verify_view;
pub mod view;
pub mod watch;

use anyhow::Result;
use serde_json::Value;

use crate::error::{BerryError, Exit};
use crate::req::ReqNumber;

/// What a step did, printed as one JSON line with `--json`.
#[derive(Debug, Clone)]
pub struct StepReport {
    pub step: &'static str,
    pub req: Option<ReqNumber>,
    pub outcome: Outcome,
    pub message: String,
    pub data: Value,
    /// Print no JSON line (the command's stdout is its own, as for `completions`, or `run`
    /// printed one line per step already).
    pub silent: bool,
    /// The exit code, when it is not the outcome's (a step of `run` that failed).
    pub exit: Option<Exit>,
}

pub use crate::workflow::{Outcome, Step};
pub use crate::workspace::{Session, Workspace};

impl StepReport {
    pub fn new(
        step: &'static str,
        req: Option<ReqNumber>,
        outcome: Outcome,
        message: impl Into<String>,
    ) -> Self {
        StepReport {
            step,
            req,
            outcome,
            message: message.into(),
            data: Value::Null,
            silent: false,
            exit: None,
        }
    }
    pub fn quiet(mut self) -> Self {
        self.silent = true;
        self
    }
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = data;
        self
    }
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "req": self.req,
            "step": self.step,
            "outcome": self.outcome.as_str(),
            "message": self.message,
            "data": self.data,
        })
    }
}

pub use env::{Env, Globals};
pub use view::{print_next, say_freeze};

// What the step commands share beyond the above: their shared rendering (`show`) and the
// checks of a `--reason`.

pub mod show;

/// `--reason TEXT` as given, trimmed; empty is a usage error saying why the REQ is `what`
/// (`blocked`, `rolled back`).
pub fn given_reason<'a>(reason: &'a str, what: &str) -> Result<&'a str> {
    match reason.trim() {
        "" => {
            Err(BerryError::usage(format!("--reason is empty: say why the REQ is {what}")).into())
        }
        r => Ok(r),
    }
}

/// A `--reason` with none of the `flags` it explains (`(name, given)`) is a usage error with
/// `hint`.
pub fn reason_explains(reason: Option<&str>, flags: &[(&str, bool)], hint: &str) -> Result<()> {
    if reason.is_none() || flags.iter().any(|(_, given)| *given) {
        return Ok(());
    }
    let names: Vec<&str> = flags.iter().map(|(name, _)| *name).collect();
    let (last, rest) = names.split_last().expect("a flag to explain");
    let listed = if rest.is_empty() {
        last.to_string()
    } else {
        format!("{} or {last}", rest.join(", "))
    };
    Err(BerryError::usage(format!(
        "--reason without {listed}: there is nothing to explain"
    ))
    .with_hint(hint)
    .into())
}
