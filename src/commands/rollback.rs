//! `berry rollback`: undo what berry shipped for a REQ — revert the shipped commit on top of the
//! remote branch's head, test it, push it (or open a revert pull request on a protected branch),
//! re-run the health checks, mark the tracker ROLLED_BACK and publish the ROLLED_BACK notice.
//! The work, and the rules it keeps, are in [`crate::rollback::step`]; this file turns the
//! arguments into options and renders what the work returns; [`view`] shows what it does on its
//! way.

mod view;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::show::{Live, short};
use super::{Env, Outcome, Session, Step, StepReport};
use crate::req::ReqNumber;
use crate::rollback::{self as work, Done, Options};
use view::View;

/// Roll a shipped REQ back: revert the commit berry shipped on top of the branch's current
/// remote head (a conflict changes nothing and names the files), run the test commands, push
/// (on a protected branch: push revert/<REQ> and open the pull request "Revert REQ: Title"),
/// re-run the health checks, set the tracker entry to ROLLED_BACK (Rolled Back At, Revert
/// Commit, Reason) and publish the ROLLED_BACK notice. A rerun goes on where a run stopped.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The REQ to roll back. Defaults to --req, then the current REQ.
    #[arg(value_name = "REQ", value_parser = ReqNumber::parse, add = clap_complete::engine::ArgValueCompleter::new(crate::complete::reqs))]
    pub req: Option<ReqNumber>,
    /// Why it is rolled back (in the revert commit, the tracker and the notice).
    #[arg(long, value_name = "TEXT", required = true)]
    pub reason: String,
    /// Roll back during a change freeze whose window sets `rollback = false` (recorded).
    #[arg(long)]
    pub override_freeze: bool,
}

pub fn run(env: &Env, args: RollbackArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(args.req, &ws.store)?;
    let p = &env.printer;
    let reason = super::given_reason(&args.reason, "rolled back")?.to_string();
    let mut session = Session::existing(&ws.store, req.clone(), Step::Rollback)?;
    let opts = Options {
        reason,
        override_freeze: args.override_freeze,
        repo: env.globals.repo.clone(),
        dry_run: p.dry_run(),
    };
    let mut effects = super::effects::Edge { env, ws: &ws };
    let view = View {
        p,
        req: &req,
        live: Live::default(),
    };
    let done = work::step(&ws, &mut session, &opts, &mut effects, &view);
    view.live.clear();
    let report =
        |message: String| StepReport::new("rollback", Some(req.clone()), Outcome::Ok, message);
    Ok(match done? {
        Done::Already(r) => {
            p.line(format!(
                "{req} is already rolled back: revert {} ({}), the tracker says ROLLED_BACK.",
                short(r.revert.as_deref().unwrap_or_default()),
                r.pushed.as_deref().or(r.pr_url.as_deref()).unwrap_or("-")
            ));
            report("already rolled back".into()).with_data(serde_json::to_value(&r)?)
        }
        Done::DryRun {
            sha,
            branch,
            remote,
            tests,
            checks,
        } => {
            p.line(format!(
                "dry run: would revert {} on the head of {branch} on {remote}, run the {tests} test command(s), push, re-run {checks} health check(s), mark {req} ROLLED_BACK and publish the ROLLED_BACK notice",
                short(&sha),
            ));
            report("dry run".into())
        }
        Done::RolledBack {
            record,
            tracker_commit,
            msg_id,
            notice,
            sent,
            message,
        } => {
            p.result(&message);
            report(message).with_data(json!({
                "rollback": record,
                "tracker_commit": tracker_commit,
                "msg_id": msg_id,
                "notice": notice,
                "sent": sent,
            }))
        }
    })
}
