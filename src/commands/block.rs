//! `berry block`: mark the REQ BLOCKED in the tracker and publish the blocked notice, by hand.
//! The work, and the rules it keeps, are in [`crate::block`]; this file turns the arguments into
//! options and renders what the work shows and returns, for `block` and for the steps that
//! block (`verify`, and the others through [`Edge`]).

use anyhow::Result;
use clap::Args;

use super::effects::Edge;
use super::show::{self, Live};
use super::{Env, Outcome, Session, Step, StepReport, Workspace};
use crate::block::{self as work, Done, Shown};
use crate::decide::Decide;
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
    let reason = super::given_reason(&args.reason, "blocked")?;
    let mut session = Session::open(&ws.store, req.clone(), Step::Block.as_str())?;
    let opts = options(&env.printer, reason, "block", None);
    let done = blocked(env, &ws, &mut session, &opts, &env.printer)?;
    let message = work::recorded(&mut session, &done, &opts)?;
    env.printer.result(&message);
    Ok(StepReport::new("block", Some(req), Outcome::Ok, message).with_data(done.into_data()))
}

/// The work's options for a block asked for by `step` (`msg_id`: the notice's own id, if any).
pub(crate) fn options(
    p: &Printer,
    reason: &str,
    step: &str,
    msg_id: Option<String>,
) -> work::Options {
    work::Options {
        reason: reason.to_string(),
        step: step.to_string(),
        msg_id,
        dry_run: p.dry_run(),
    }
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
    let live = Live::default();
    let done = work::block(ws, session, opts, decide, &mut Edge { env, ws }, &mut |s| {
        render(p, &req, &live, s)
    });
    live.clear();
    let done = done?;
    match &done {
        Done::Already {
            tracker, msg_id, ..
        } => p.line(format!(
            "{req} is already BLOCKED in {tracker} and the blocked notice {msg_id} was acknowledged; nothing to do."
        )),
        Done::DryRun { .. } => show::nothing_done(p),
        Done::Blocked { .. } => {}
    }
    Ok(done)
}

/// What [`crate::block::block`] shows on its way; `live` holds the tracker push's progress.
fn render(p: &Printer, req: &ReqNumber, live: &Live, s: Shown<'_>) {
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
            super::tracker::announce(p, plan, subject, msg_id, payload, recorded);
        }
        Shown::Tracker(t) => super::tracker::tracked(p, live, t),
    }
}
