//! `berry health`: the deployment's health checks against the pushed commit, between `watch` and
//! `complete`.

use std::time::Duration;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::show::{self, short};
use super::view::{self, Lanes};
use super::{Env, Outcome, Session, Step, StepReport};
use crate::config::HealthCheck;
use crate::health::{self, Done, Event};
use crate::printer::{Printer, Tone};
use crate::req::ReqNumber;

/// Check the deployment's health after CI: every [[health.checks]] of the gate's configuration
/// (the committed berry.toml), an HTTP(S) request or a command, retried with backoff until it
/// passes or health.within_secs runs out. A failure exits 3; `complete` then refuses unless given
/// --no-health --reason TEXT.
///
/// The result is recorded for the pushed commit with each check's attempts, latency and last
/// answer; `berry status` shows it and the completion notice carries it (`health`). Once the
/// checks passed for the pushed commit, a rerun reports that and checks nothing (--again checks
/// again). With no check configured the step records itself skipped. Turn on the AgogSaaS pair
/// (backend GraphQL on port 4000, frontend on port 3000) with `[health] agogsaas = true`.
#[derive(Debug, Args)]
pub struct HealthArgs {
    /// The REQ to check. Defaults to --req, then the current REQ.
    #[arg(value_name = "REQ", value_parser = ReqNumber::parse, add = clap_complete::engine::ArgValueCompleter::new(crate::complete::reqs))]
    pub req: Option<ReqNumber>,
    /// Check again even if the checks passed for the pushed commit.
    #[arg(long)]
    pub again: bool,
}

pub fn run(env: &Env, args: HealthArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(args.req, &ws.store)?;
    let p = &env.printer;
    let mut session = Session::existing(&ws.store, req.clone(), Step::Health)?;
    let (again, dry_run) = (args.again, p.dry_run());
    let opts = health::step::Options { again, dry_run };
    let mut display = Display {
        p,
        req: &req,
        lanes: None,
    };
    let done = health::step(&ws, &mut session, &opts, &mut display)?;
    if let Some(lanes) = display.lanes {
        lanes.finish();
    }
    let report =
        |outcome, message: String| StepReport::new("health", Some(req.clone()), outcome, message);
    Ok(match done {
        Done::Recorded(done) => {
            let (sha, at) = (short(&done.sha), crate::clock::rfc3339(done.at));
            let msg = format!(
                "the health checks passed for {sha} (recorded at {at}); --again checks again"
            );
            show::done(p, &msg);
            report(Outcome::Ok, msg).with_data(json!({"already_done": true, "health": done}))
        }
        Done::Unconfigured { sha, message } => {
            show::passed_over(p, format!("health skipped: {message}"));
            report(Outcome::Skipped, message).with_data(json!({"sha": sha, "checks": []}))
        }
        Done::DryRun {
            sha,
            checks,
            within,
        } => {
            let (n, sha, secs) = (checks.len(), short(&sha), within.as_secs());
            p.line(format!(
                "dry run: would check {n} health check(s) for {sha} within {secs}s:"
            ));
            for c in &checks {
                p.result(format!("  {}: {}", c.name, health::in_words(c)));
            }
            report(Outcome::Skipped, "dry run: nothing checked".into())
                .with_data(json!({"dry_run": true, "checks": checks}))
        }
        Done::Checked {
            record,
            outcome,
            message,
        } => {
            if record.passed {
                show::done(p, &message);
                view::print_next(p, &session.ctx, Step::Health);
            } else {
                view::failed(p, &message);
                p.line(p.paint(Tone::Dim, "  hint: fix the deployment and run `berry health` again, or `berry complete --no-health --reason TEXT`"));
            }
            report(outcome, message).with_data(serde_json::to_value(&record)?)
        }
    })
}

/// The checks as they run: a lane each (see [`Lanes`]).
struct Display<'a> {
    p: &'a Printer,
    req: &'a ReqNumber,
    lanes: Option<Lanes<'a>>,
}

impl health::View for Display<'_> {
    fn checking(&mut self, sha: &str, checks: &[HealthCheck], within: Duration) {
        let (p, n, req, sha, secs) = (self.p, checks.len(), self.req, short(sha), within.as_secs());
        let title = p.paint(Tone::Strong, "Checking the health");
        let s = if n == 1 { "" } else { "s" };
        p.line(format!(
            "{title} {req} of {sha} ({n} check{s}, within {secs}s)"
        ));
        let lanes = checks
            .iter()
            .map(|c| format!("{}: {}", c.name, health::target(c)));
        self.lanes = Some(Lanes::new(p, lanes));
    }

    fn event(&mut self, e: Event<'_>) {
        let Some(lanes) = self.lanes.as_mut() else {
            return;
        };
        match e {
            Event::Retrying {
                index,
                check,
                attempt,
                detail,
                retry_in,
            } => {
                let again = retry_in.as_secs_f64();
                lanes.set(
                    index,
                    format!(
                        "{}: attempt {attempt}: {detail}; again in {again:.1}s",
                        check.name
                    ),
                )
            }
            Event::Done { index, result } => lanes.done(index, view::health_line(self.p, result)),
        }
    }
}
