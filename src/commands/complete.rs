//! `berry complete`: the tracker entry DEPLOYED (Deployed At, Commit, Deployed By) and the
//! completion notice, once CI was green for the commit (or `--no-ci` with a reason). The work,
//! and the rules it keeps, are in [`crate::deploy`]; this file turns the arguments into options
//! and renders what the work shows and returns.

use anyhow::Result;
use clap::Args;

use super::effects::Edge;
use super::show::{self, Live};
use super::{Env, Outcome, Session, Step, StepReport};
use crate::deploy::{self as work, Done, Options, Shown};
use crate::printer::{Printer, Tone};
use crate::req::ReqNumber;

/// Mark the REQ DEPLOYED in the tracker (Deployed At, Commit, Deployed By) and publish the
/// completion notice. Requires a green watch, or --no-ci with a reason, `berry test` passed
/// for the tree of the commit being completed, or --skip-tests with a reason, and, when health
/// checks are configured, `berry health` passed for the commit, or --no-health with a reason.
#[derive(Debug, Args)]
pub struct CompleteArgs {
    /// Complete without a green CI run.
    #[arg(long, requires = "reason")]
    pub no_ci: bool,
    /// Complete although the tests did not pass for this tree (recorded; the notice says
    /// `tests_passed: false` and `tests_skipped: true`).
    #[arg(long, requires = "reason")]
    pub skip_tests: bool,
    /// Complete although the health checks did not pass for this commit (recorded; the notice's
    /// `health` says `skipped` with the reason).
    #[arg(long, requires = "reason")]
    pub no_health: bool,
    /// Complete during a change freeze (`[[deploy.freeze]]`; needs --reason; recorded, and
    /// shown in the completion notice).
    #[arg(long, requires = "reason")]
    pub override_freeze: bool,
    /// Why CI, the tests or the health checks are not required (with --no-ci, --skip-tests or
    /// --no-health), or why the freeze is overridden (with --override-freeze).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

pub fn run(env: &Env, args: CompleteArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(None, &ws.store)?;
    let p = &env.printer;
    super::reason_explains(
        args.reason.as_deref(),
        &[
            ("--no-ci", args.no_ci),
            ("--skip-tests", args.skip_tests),
            ("--no-health", args.no_health),
            ("--override-freeze", args.override_freeze),
        ],
        "pass --no-ci --reason TEXT to complete without a green CI run",
    )?;
    let mut session = Session::existing(&ws.store, req.clone(), Step::Complete)?;
    let opts = Options {
        no_ci: args.no_ci,
        skip_tests: args.skip_tests,
        no_health: args.no_health,
        override_freeze: args.override_freeze,
        reason: args.reason,
        dry_run: p.dry_run(),
    };
    let live = Live::default();
    let done = work::complete(
        &ws,
        &mut session,
        &opts,
        &mut || env.source(&ws),
        p,
        &mut Edge { env, ws: &ws },
        &mut |s| render(p, &req, &live, s),
    );
    live.clear();
    let (message, data) = match done? {
        Done::Already {
            short,
            msg_id,
            stream,
            data,
            ..
        } => {
            let by = stream
                .map(|s| format!(" by stream {s}"))
                .unwrap_or_default();
            p.line(format!(
                "{req} is already complete: {} says DEPLOYED at commit {short}, and the completion notice {msg_id} was acknowledged{by}.",
                ws.config.tracker.path,
            ));
            (format!("already complete at {short}"), data)
        }
        Done::DryRun { data } => {
            show::nothing_done(p);
            (show::NOTHING_DONE.to_string(), data)
        }
        Done::Completed {
            short,
            at,
            notice,
            message,
            data,
        } => {
            p.result(format!("{req} DEPLOYED at commit {short} ({at}); {notice}"));
            (message, data)
        }
    };
    Ok(StepReport::new("complete", Some(req), Outcome::Ok, message).with_data(data))
}

/// What [`crate::deploy::complete`] shows on its way; `live` holds the tracker push's progress.
fn render(p: &Printer, req: &ReqNumber, live: &Live, s: Shown<'_>) {
    match s {
        Shown::Freeze(decision) => super::say_freeze(p, "complete", decision),
        Shown::Completing {
            title,
            short,
            ci,
            plan,
            subject,
            msg_id,
            payload,
            recorded,
        } => {
            p.line(format!(
                "{} {req}{} at commit {short} (CI: {ci})",
                p.paint(Tone::Strong, "Completing"),
                title.map(|t| format!(": {t}")).unwrap_or_default()
            ));
            super::tracker::announce(p, plan, subject, msg_id, payload, recorded);
        }
        Shown::Tracker(t) => super::tracker::tracked(p, live, t),
    }
}
