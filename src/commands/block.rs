//! `berry block`: mark the REQ BLOCKED in the tracker and publish the blocked notice, by hand.
//! The work, and the rules it keeps, are in [`crate::block`]; this file turns the arguments into
//! options and renders what the work shows and returns, for `block` and for the steps that
//! block (`verify`, and the others through [`Edge`]).

use std::cell::RefCell;

use anyhow::Result;
use clap::Args;
use serde_json::Value;

use super::effects::Edge;
use super::effects::show_notice;
use super::tracker::show_tracker;
use super::{Env, Outcome, Session, Step, StepReport, Workspace};
use crate::block::{self as work, Done, Shown};
use crate::decide::Decide;
use crate::error::BerryError;
use crate::printer::{Printer, Tone};
use crate::req::ReqNumber;

/// Mark the REQ BLOCKED in the tracker and publish the blocked notice, by hand.
#[derive(Debug, Args)]
pub struct BlockArgs {
    /// The REQ to block. Defaults to --req, then the current REQ.
    #[arg(value_name = "REQ", value_parser = ReqNumber::parse, add = clap_complete::engine::ArgValueCompleter::new(crate::complete::reqs))]
    pub req: Option<ReqNumber>,
    /// Why the REQ is blocked (goes into the notice's summary).
    #[arg(long, value_name = "TEXT", required = true)]
    pub reason: String,
}

pub fn run(env: &Env, args: BlockArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(args.req, &ws.store)?;
    let reason = args.reason.trim();
    if reason.is_empty() {
        return Err(BerryError::usage("--reason is empty: say why the REQ is blocked").into());
    }
    let mut session = Session::open(&ws.store, req.clone(), Step::Block.as_str())?;
    let done = apply(env, &ws, &mut session, reason, "block")?;
    let message = if done.already {
        format!("{req} was already BLOCKED and announced")
    } else if env.printer.dry_run() {
        format!("{req} would be marked BLOCKED (dry run)")
    } else {
        format!("{req} marked BLOCKED")
    };
    if !env.printer.dry_run() {
        session.record(Step::Block, Outcome::Ok, reason)?;
    }
    env.printer.result(&message);
    Ok(StepReport::new("block", Some(req), Outcome::Ok, message).with_data(done.data))
}

/// What [`apply`] did.
pub struct Blocked {
    /// Everything was already done and recorded: nothing was written or sent.
    pub already: bool,
    pub data: Value,
}

/// Marks the REQ BLOCKED in the tracker and publishes the blocked notice (see [`crate::block`]):
/// shows the diff and the notice, asks once (`--yes` accepts; no terminal → exit 4), writes,
/// records, sends, records. With `--dry-run` it shows and changes nothing. `step` names the
/// caller in messages.
pub fn apply(
    env: &Env,
    ws: &Workspace,
    session: &mut Session,
    reason: &str,
    step: &str,
) -> Result<Blocked> {
    apply_as(env, ws, session, reason, step, None)
}

/// [`apply`] with the notice's `Nats-Msg-Id` chosen by the caller (a failure's own id, so a
/// blocked notice for failed tests is not taken for one sent for another reason).
pub fn apply_as(
    env: &Env,
    ws: &Workspace,
    session: &mut Session,
    reason: &str,
    step: &str,
    msg_id: Option<String>,
) -> Result<Blocked> {
    let opts = work::Options {
        reason: reason.to_string(),
        step: step.to_string(),
        msg_id,
        dry_run: env.printer.dry_run(),
    };
    let done = blocked(env, ws, session, &opts, &env.printer)?;
    Ok(Blocked {
        already: matches!(done, Done::Already { .. }),
        data: done.into_data(),
    })
}

/// Runs [`crate::block::block`] with the questions asked through `decide` and the notice sent
/// through [`Edge`], showing what it does and how it ended.
pub(crate) fn blocked(
    env: &Env,
    ws: &Workspace,
    session: &mut Session,
    opts: &work::Options,
    decide: &dyn Decide,
) -> Result<Done> {
    let p = &env.printer;
    let req = session.req.clone();
    let bar = RefCell::new(None);
    let done = work::block(ws, session, opts, decide, &mut Edge { env, ws }, &mut |s| {
        render(p, &req, &bar, s)
    });
    if let Some(bar) = bar.borrow_mut().take() {
        bar.finish_and_clear();
    }
    let done = done?;
    match &done {
        Done::Already {
            tracker, msg_id, ..
        } => p.line(format!(
            "{req} is already BLOCKED in {tracker} and the blocked notice {msg_id} was acknowledged; nothing to do."
        )),
        Done::DryRun { .. } => p.line(p.paint(Tone::Dim, "dry run: nothing written, nothing sent")),
        Done::Blocked { .. } => {}
    }
    Ok(done)
}

/// What [`crate::block::block`] shows on its way; `bar` is the tracker push's progress.
fn render(
    p: &Printer,
    req: &ReqNumber,
    bar: &RefCell<Option<indicatif::ProgressBar>>,
    s: Shown<'_>,
) {
    match s {
        Shown::Blocking {
            reason,
            plan,
            subject,
            msg_id,
            payload,
            recorded,
        } => {
            p.line(format!(
                "{} {req}: {reason}",
                p.paint(Tone::Strong, "Blocking")
            ));
            show_tracker(p, plan);
            show_notice(p, subject, msg_id, payload, recorded);
        }
        Shown::Written(plan) => super::tracker::show_written(p, plan),
        Shown::Tracker(s) => super::tracker::show_commit(p, bar, s),
        Shown::TrackerFinished(done) => super::tracker::render_finished(p, done),
    }
}
