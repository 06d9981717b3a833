//! `berry watch`: every GitHub Actions run for the pushed commit, until all complete. The work,
//! and the rules it keeps, are in [`crate::watch::ci`]; this file turns the arguments into
//! options and renders what the work shows (the live view) and returns.

mod display;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::{Env, Outcome, Session, Step, StepReport};
use crate::context::WatchRecord;
use crate::github::pulls;
use crate::printer::{Printer, Tone};
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

use crate::watch::issue::marker;

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
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
    let done = work::ci(
        &ws,
        &mut session,
        &opts,
        &mut w::RealClock::start(),
        &mut effects,
        &mut |s| display.show(s),
    )?;
    let report = |outcome, msg: String| StepReport::new("watch", Some(req.clone()), outcome, msg);
    Ok(match done {
        Done::Recorded(prev) => recorded(p, &req, prev)?,
        Done::NoGithub { record, reason } => {
            p.line(format!(
                "{} watch skipped: {reason}",
                p.paint(Tone::Dim, "–")
            ));
            report(Outcome::Skipped, reason).with_data(serde_json::to_value(&record)?)
        }
        Done::DryRun {
            repo,
            api,
            runs_path,
            jobs_path,
        } => {
            let rp = pulls::repo_path(&repo);
            p.line("would poll (nothing was sent):");
            p.result(format!("GET {api}{runs_path}"));
            p.result(format!("GET {api}{jobs_path}"));
            p.line(format!(
                "  every {}s at first (up to 4× while nothing changes), with If-None-Match after the first answer; runs may take {}s to appear{}",
                args.interval,
                args.appear_timeout,
                args.timeout
                    .map(|t| format!("; give up after {t}s"))
                    .unwrap_or_default()
            ));
            p.line("on a failure it would send:");
            p.result(format!("GET {api}{rp}/actions/jobs/{{job_id}}/logs"));
            p.result(format!("GET {api}{rp}/issues?state=open&per_page=100"));
            p.result(format!(
                "POST {api}{rp}/issues  (or PATCH {api}{rp}/issues/{{number}} when the issue marked {} exists)",
                marker(req.as_str())
            ));
            p.line(format!(
                "  then mark {req} BLOCKED in {} and publish the blocked notice",
                ws.config.tracker.path
            ));
            report(Outcome::Skipped, "dry run".into()).with_data(json!({
                "repo": repo.full_name(),
                "api": api,
                "runs": format!("{api}{runs_path}"),
            }))
        }
        Done::Green { record, message } => {
            p.line(format!("{} {message}", p.paint(Tone::Good, "✔")));
            super::print_next(p, &session.ctx, Step::Watch);
            report(Outcome::Ok, message).with_data(serde_json::to_value(&record)?)
        }
        Done::NoRuns { record, message } => {
            p.line(format!("{} {message}", p.paint(Tone::Warn, "–")));
            report(Outcome::Skipped, message).with_data(serde_json::to_value(&record)?)
        }
        Done::NoRunsBlocked {
            record,
            reason,
            block,
        } => report(Outcome::Blocked, reason)
            .with_data(json!({"watch": serde_json::to_value(&record)?, "block": block})),
        Done::Red {
            record,
            reason,
            issue,
            block,
        } => {
            p.line(format!("{} {reason}", p.paint(Tone::Bad, "✖")));
            p.result(&issue.url);
            report(Outcome::Blocked, reason).with_data(json!({
                "watch": serde_json::to_value(&record)?,
                "issue": {"number": issue.number, "url": issue.url},
                "block": block,
            }))
        }
    })
}

fn recorded(p: &Printer, req: &crate::req::ReqNumber, prev: WatchRecord) -> Result<StepReport> {
    let data = serde_json::to_value(&prev)?;
    let sha = short(&prev.sha).to_string();
    let (outcome, msg) = match prev.conclusion.as_str() {
        "success" => (
            Outcome::Ok,
            format!("CI was green for {sha} (recorded at {})", prev.at),
        ),
        "skipped" => (
            Outcome::Skipped,
            format!("no CI run appeared for {sha}: recorded as skipped"),
        ),
        _ => (
            Outcome::Blocked,
            format!(
                "CI failed for {sha} (recorded at {}{})",
                prev.at,
                prev.issue
                    .map(|n| format!("; issue #{n}"))
                    .unwrap_or_default()
            ),
        ),
    };
    let tone = match outcome {
        Outcome::Ok => Tone::Good,
        Outcome::Blocked => Tone::Bad,
        _ => Tone::Warn,
    };
    p.line(format!(
        "{} {msg}; nothing asked of GitHub. A new push is watched again.",
        p.paint(tone, "•")
    ));
    Ok(StepReport::new("watch", Some(req.clone()), outcome, msg).with_data(data))
}
