//! `berry watch`: every GitHub Actions run for the pushed commit, until all complete. The work,
//! and the rules it keeps, are in [`crate::watch::ci`]; this file turns the arguments into
//! options and renders what the work returns; [`display`] is the live view of what it shows on
//! its way, [`dry_run`] the requests a dry run would send.

mod display;
mod dry_run;
mod runs;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::show::{self, passed_over};
use super::{Env, Outcome, Session, Step, StepReport};
use crate::printer::Tone;
use crate::watch::{self as w, ci as work};
use display::Display;
use work::{Done, Options};

/// Watch every GitHub Actions run for the pushed commit until all complete. Green exits 0; red
/// captures the failed steps' logs, opens (or updates) one issue for the REQ, marks it BLOCKED,
/// publishes a blocked notice and exits 3.
///
/// The runs are those of the SHA `berry push` recorded (after a rebase, the rebased commit). When
/// no run appears within --appear-timeout, config github.no_ci decides: "skipped" (recorded,
/// exit 0) or "failure" (BLOCKED, exit 3). Polls use If-None-Match, so unchanged answers (304)
/// cost no rate limit; the interval grows up to 4× while nothing changes. The issue body comes
/// from templates/ci-failure.md, overridable by .berry/templates/ci-failure.md. Durations accept
/// decimals (--interval 0.5).
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Seconds to wait for runs to appear after the push.
    #[arg(long, value_name = "SECS", default_value_t = 120.0, value_parser = secs)]
    pub appear_timeout: f64,
    /// Seconds between polls (adapted to what changes).
    #[arg(long, value_name = "SECS", default_value_t = 10.0, value_parser = positive_secs)]
    pub interval: f64,
    /// Give up after this many seconds (exit 5).
    #[arg(long, value_name = "SECS", value_parser = positive_secs)]
    pub timeout: Option<f64>,
}

fn secs(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=31_536_000.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "`{s}` is not a number of seconds (0 to 31536000, decimals allowed)"
        )),
    }
}

fn positive_secs(s: &str) -> Result<f64, String> {
    match secs(s)? {
        v if v > 0.0 => Ok(v),
        _ => Err("must be more than 0 seconds".into()),
    }
}

pub fn run(env: &Env, args: WatchArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(None, &ws.store)?;
    let p = &env.printer;
    let mut session = Session::existing(&ws.store, req.clone(), Step::Watch)?;
    let opts = Options {
        appear_timeout: args.appear_timeout,
        interval: args.interval,
        timeout: args.timeout,
        repo: env.globals.repo.clone(),
        dry_run: p.dry_run(),
    };
    let mut display = Display::new(p);
    let mut effects = super::effects::Edge { env, ws: &ws };
    let mut clock = w::RealClock::start();
    let done = work::ci(
        &ws,
        &mut session,
        &opts,
        &mut clock,
        &mut effects,
        &mut |s| display.show(s),
    )?;
    let record = |r| serde_json::to_value(r);
    let (outcome, message, data) = match done {
        Done::Recorded(prev) => {
            let (outcome, msg) = work::recorded(&prev);
            let tone = match outcome {
                Outcome::Ok => Tone::Good,
                Outcome::Blocked => Tone::Bad,
                _ => Tone::Warn,
            };
            let again = "nothing asked of GitHub. A new push is watched again.";
            p.line(format!("{} {msg}; {again}", p.paint(tone, "•")));
            (outcome, msg, record(&prev)?)
        }
        Done::NoGithub { record: r, reason } => {
            passed_over(p, format!("watch skipped: {reason}"));
            (Outcome::Skipped, reason, record(&r)?)
        }
        Done::DryRun {
            repo,
            api,
            runs_path,
            jobs_path,
        } => {
            let paths = [runs_path.as_str(), jobs_path.as_str()];
            dry_run::show(p, &opts, &req, &ws.config.tracker.path, &repo, &api, paths);
            let runs = format!("{api}{runs_path}");
            let data = json!({"repo": repo.full_name(), "api": api, "runs": runs});
            (Outcome::Skipped, "dry run".into(), data)
        }
        Done::Green { record: r, message } => {
            show::done(p, &message);
            super::print_next(p, &session.ctx, Step::Watch);
            (Outcome::Ok, message, record(&r)?)
        }
        Done::NoRuns { record: r, message } => {
            p.line(format!("{} {message}", p.paint(Tone::Warn, "–")));
            (Outcome::Skipped, message, record(&r)?)
        }
        Done::NoRunsBlocked {
            record: r,
            reason,
            block,
        } => (
            Outcome::Blocked,
            reason,
            json!({"watch": record(&r)?, "block": block}),
        ),
        Done::Red {
            record: r,
            reason,
            issue,
            block,
        } => {
            p.line(format!("{} {reason}", p.paint(Tone::Bad, "✖")));
            p.result(&issue.url);
            let issue = json!({"number": issue.number, "url": issue.url});
            (
                Outcome::Blocked,
                reason,
                json!({"watch": record(&r)?, "issue": issue, "block": block}),
            )
        }
    };
    Ok(StepReport::new("watch", Some(req), outcome, message).with_data(data))
}
