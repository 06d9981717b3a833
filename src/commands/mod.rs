//! One file per subcommand: each turns its arguments into plain options, asks the work modules,
//! prints through the [`Printer`], and returns a [`StepReport`].

pub mod block;
pub mod checklist;
pub mod commit;
pub mod complete;
pub mod completions;
pub mod config;
pub mod demo;
pub mod effects;
pub mod failures;
pub mod guards;
pub mod health;
pub mod listen;
pub mod pr;
pub mod push;
pub mod review;
pub mod rollback;
pub mod run;
pub mod status;
pub mod test;
pub mod tracker;
pub mod verify;
pub mod view;
pub mod watch;

use std::path::PathBuf;

use anyhow::Result;
use serde_json::Value;

use crate::context::{ReqContext, Store};
use crate::deliverables::{FolderSource, PgSource, Source};
use crate::env_vars;
use crate::error::{BerryError, Exit};
use crate::printer::Printer;
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

/// The global options, as plain values.
#[derive(Debug, Clone, Default)]
pub struct Globals {
    pub dir: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub req: Option<ReqNumber>,
    pub repo: Option<String>,
    pub deliverables: Option<PathBuf>,
    /// `--accept-config-change`: accept a changed working-tree `berry.toml` (review records it).
    pub accept_config_change: bool,
}

/// What every command starts from: the printer and the global options.
#[derive(Clone)]
pub struct Env {
    pub printer: Printer,
    pub globals: Globals,
    /// The REQ the command settled on (argument, `--req` or `CURRENT`), for its error report.
    pub resolved: std::cell::RefCell<Option<ReqNumber>>,
}

impl Env {
    /// The repository, its state folder and the configuration in force for the REQ named by
    /// `--req` or `CURRENT`. A working-tree `berry.toml` that differs from HEAD's is noted (once
    /// per process) as a change to the gate itself.
    pub fn workspace(&self) -> Result<Workspace> {
        let ws = Workspace::open(
            self.globals.dir.as_deref(),
            self.globals.config.as_deref(),
            self.globals.req.as_ref(),
            self.outer_layers()?,
        )?;
        static NOTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        if let Some(note) = ws.gate.note()
            && !NOTED.swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            self.printer.warn(note);
        }
        Ok(ws)
    }

    /// The REQ: the positional argument, else `--req`, else `CURRENT`.
    pub fn req(&self, positional: Option<ReqNumber>, store: &Store) -> Result<ReqNumber> {
        let req = match positional.or_else(|| self.globals.req.clone()) {
            Some(r) => r,
            None => store.current()?.ok_or_else(|| {
                BerryError::usage("no REQ given and none is current")
                    .with_hint("name it (`berry verify REQ-…`) or pass --req REQ")
            })?,
        };
        self.resolved.replace(Some(req.clone()));
        Ok(req)
    }

    /// `deliverables.dir` (which `--deliverables DIR` sets, relative to the current folder;
    /// in a file it is relative to the repository root), else PostgreSQL.
    pub fn source(&self, ws: &Workspace) -> Result<Box<dyn Source>> {
        if let Some(dir) = &ws.config.deliverables.dir {
            let dir = ws.root.join(dir);
            return Ok(Box::new(FolderSource::new(
                dir.canonicalize().unwrap_or(dir),
            )));
        }
        Ok(Box::new(PgSource::new(&ws.config.database)?))
    }
}

impl Env {
    /// The layers around the repository's, from the environment and the flags (read here, at the
    /// edge, so no work module reads them).
    pub fn outer_layers(&self) -> Result<crate::settings::Outer> {
        env_vars::outer_layers(self.globals.deliverables.as_deref())
    }
}

/// For the subcommands later issues build: say so and exit 2.
pub fn not_built(step: &str, issue: u32) -> Result<StepReport> {
    Err(
        BerryError::usage(format!("`berry {step}` is not built yet"))
            .with_hint(format!(
                "it arrives with issue #{issue}; see `berry --help` for the steps that work today"
            ))
            .into(),
    )
}

/// The change freeze for `step` (see [`crate::freeze::gate`]): open, or a window that lets it
/// through, or `--override-freeze --reason` (`reason`), recorded in the ledger before the step
/// does anything; otherwise exit 3 naming the window. With `--dry-run` nothing is recorded.
pub fn freeze_gate(
    p: &Printer,
    ws: &Workspace,
    session: &mut Session,
    step: &str,
    reason: Option<&str>,
) -> Result<()> {
    let now = crate::clock::now()?;
    let decision = crate::freeze::gate(&ws.gate.freeze, session, step, reason, now, p.dry_run())?;
    say_freeze(p, step, &decision);
    Ok(())
}

pub use tracker::commit_tracker;

/// `next: berry STEP` from the workflow table: the first step after `step` not done yet
/// (nothing when every later step is done).
pub fn print_next(p: &Printer, ctx: &ReqContext, step: Step) {
    if let Some(n) = crate::workflow::next_after(ctx, step) {
        p.next(&n.command());
    }
}

/// The warning for a change freeze that lets `step` through (nothing for no freeze).
pub fn say_freeze(p: &Printer, step: &str, decision: &crate::freeze::Decision) {
    match decision {
        crate::freeze::Decision::Open => {}
        crate::freeze::Decision::Allowed(a) => p.warn(format!(
            "a change freeze holds: {} until {}; `berry {step}` may run during it",
            a.describe(),
            a.until_local
        )),
        crate::freeze::Decision::Overridden(a, reason) => p.warn(format!(
            "a change freeze holds: {} until {}; overridden for `berry {step}`: {reason} (recorded; the PR body and the notice say so)",
            a.describe(),
            a.until_local
        )),
    }
}

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
