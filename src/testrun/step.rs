//! `berry test`'s work: the test commands run for HEAD in the working tree and recorded for
//! HEAD's tree. [`step`] takes plain [`Options`], asks through [`Decide`] whether to report a
//! failure, hands the report to [`Effects`], reports what it does through a [`View`] and returns a
//! [`Done`] the command renders; nothing here prints.
//!
//! What it keeps:
//!
//! - **Once**: tests that passed for HEAD's tree are reported, not run again (unless `again`).
//! - **The result counts for HEAD's tree only**: the record carries the tree id, and the paths of
//!   the working tree that differ from it (the tests saw them).
//! - **The first failure stops the run**: the remaining commands are not run, and named.
//! - **A failure is reported for a person** ([`crate::failures::offer_tests`]); passing tests
//!   close the failure's issue ([`crate::failures::resolve`]); what an earlier run left pending is
//!   sent first ([`crate::failures::flush`]).

use std::path::Path;

use anyhow::Result;
use serde_json::Value;

use super::CommandResult;
use crate::config::TestCommand;
use crate::context::{FailureKind, TestsRecord};
use crate::decide::Decide;
use crate::effects::Effects;
use crate::failures;
use crate::workflow::{Outcome, Step};
use crate::workspace::{Session, Workspace};

/// What the command decided.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Run them again even if they passed for HEAD's tree.
    pub again: bool,
    /// How a failure is reported: a dry run reports nothing.
    pub report: failures::Options,
}

/// What the work shows on its way, in order.
pub enum Shown<'a> {
    /// What a failure report (flushed, offered or resolved) shows.
    Failure(failures::Shown<'a>),
    /// No test command is configured: nothing runs (and the empty run is recorded as passed).
    NoCommands,
    /// These paths of the working tree differ from HEAD's tree; the tests see them.
    Dirty(&'a [String]),
    /// `command` starts.
    Running(&'a TestCommand),
    /// `command` ended: passed, or failed because of `why` (its last lines are in `result.tail`).
    Ran {
        command: &'a TestCommand,
        result: &'a CommandResult,
        why: Option<&'a str>,
        log: &'a Path,
    },
    /// A command failed: these were not run.
    NotRun(&'a [&'a str]),
    /// Every command passed; their output is in `log`.
    Passed { log: &'a Path },
}

/// Where the work reports to: the command layer shows it; unit tests keep it.
pub trait View {
    fn show(&self, shown: Shown<'_>);
}

/// How the step ended.
#[derive(Debug)]
pub enum Done {
    /// The tests passed for HEAD's tree already: nothing was run.
    Recorded(TestsRecord),
    /// Run and recorded; `outcome` is `Ok` or `Blocked`, `message` the ledger's line, `report`
    /// what was done to report a failure (for the step's JSON).
    Ran {
        record: TestsRecord,
        outcome: Outcome,
        message: String,
        report: Option<Value>,
    },
}

/// Runs the test commands for `session`'s REQ and records the result for HEAD's tree.
pub fn step(
    ws: &Workspace,
    session: &mut Session,
    opts: &Options,
    decide: &dyn Decide,
    effects: &mut dyn Effects,
    view: &dyn View,
) -> Result<Done> {
    let head_commit = crate::git::head_commit(&ws.repo)?;
    let head = head_commit.as_ref().map(|c| c.id().to_string());
    let tree = head_commit.as_ref().map(|c| c.tree_id().to_string());
    let mut show_failure = |s: failures::Shown<'_>| view.show(Shown::Failure(s));
    failures::flush(ws, session, &opts.report, effects, &mut show_failure)?;
    if !opts.again
        && let Some(done) = &session.ctx.ledger.tests
        && done.passed
        && tree.is_some()
        && done.tree == tree
    {
        return Ok(Done::Recorded(done.clone()));
    }
    let commands = &ws.config.test.commands;
    if commands.is_empty() {
        view.show(Shown::NoCommands);
    }
    let log_path = ws.store.dir().join(format!("{}.test.log", session.req));
    let mut log = super::open_log(&log_path)?;
    // berry's own credentials stay out of the test commands' environment.
    let drop_env = crate::env_vars::withheld(&ws.config.test.pass_env);
    let dirty = dirty_paths(&ws.repo);
    if !dirty.is_empty() {
        view.show(Shown::Dirty(&dirty));
    }
    let mut results = Vec::new();
    let mut failed = None;
    for c in commands {
        view.show(Shown::Running(c));
        let r = super::run(c, &ws.root, &mut log, &drop_env)?;
        let why = (!r.passed).then(|| r.why(c.timeout_secs));
        let (command, result, log) = (c, &r, log_path.as_path());
        view.show(Shown::Ran {
            command,
            result,
            why: why.as_deref(),
            log,
        });
        failed = why.map(|why| format!("{} failed: {why}", c.name));
        results.push(r);
        if failed.is_some() {
            break;
        }
    }
    let not_run: Vec<&str> = commands
        .iter()
        .skip(results.len())
        .map(|c| c.name.as_str())
        .collect();
    if !not_run.is_empty() {
        view.show(Shown::NotRun(&not_run));
    }
    let record = TestsRecord {
        passed: failed.is_none(),
        log: log_path.display().to_string(),
        commands: results.iter().map(Into::into).collect(),
        head,
        tree,
        dirty,
        at: crate::clock::now()?.round(jiff::Unit::Second)?,
    };
    session.ctx.ledger.tests = Some(record.clone());
    let (outcome, message) = match failed {
        None => (
            Outcome::Ok,
            format!("{} test command(s) passed", results.len()),
        ),
        Some(m) => (Outcome::Blocked, m),
    };
    session.record(Step::Test, outcome, &message)?;
    let report = if record.passed {
        view.show(Shown::Passed { log: &log_path });
        if let Some(head) = &record.head {
            let kind = FailureKind::Tests;
            failures::resolve(ws, session, kind, head, &opts.report, &mut show_failure);
        }
        None
    } else {
        let failed = results.iter().filter(|r| !r.passed);
        let tails: Vec<(String, Vec<String>)> =
            failed.map(|r| (r.name.clone(), r.tail.clone())).collect();
        let failed = failures::FailedTests {
            record: &record,
            tails: &tails,
        };
        let report = &opts.report;
        let show = &mut show_failure;
        Some(failures::offer_tests(
            ws, session, &failed, report, decide, effects, show,
        ))
    };
    Ok(Done::Ran {
        record,
        outcome,
        message,
        report,
    })
}

/// Paths whose working-tree content differs from HEAD (untracked included, ignored not).
fn dirty_paths(repo: &git2::Repository) -> Vec<String> {
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false);
    repo.statuses(Some(&mut opts))
        .map(|st| {
            st.iter()
                .filter_map(|e| e.path().ok().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
