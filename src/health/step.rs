//! `berry health`'s work: the checks run for the pushed commit and recorded for it. [`step`]
//! takes plain [`Options`], reports the checks as they go through a [`View`] and returns a
//! [`Done`] the command renders; nothing here prints.
//!
//! What it keeps:
//!
//! - **Once**: checks that passed for the pushed commit are reported, not run again (unless
//!   `again`).
//! - **Nothing configured is a skip, recorded**: with no check the step records itself skipped
//!   for the pushed commit.
//! - **Dry run records nothing**: what would be checked is returned.

use std::time::Duration;

use anyhow::Result;

use super::{CheckResult, Event};
use crate::config::HealthCheck;
use crate::context::HealthRecord;
use crate::workflow::{Outcome, Step};
use crate::workspace::{Session, Workspace};

/// What the command decided.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Check again even if the checks passed for the pushed commit.
    pub again: bool,
    /// Show what would be checked; check and record nothing.
    pub dry_run: bool,
}

/// Where the checks report to while they run.
pub trait View {
    /// The checks start for `sha`, all of them given `within` to pass.
    fn checking(&mut self, sha: &str, checks: &[HealthCheck], within: Duration);
    /// An attempt failed, or a check settled.
    fn event(&mut self, event: Event<'_>);
}

/// How the step ended.
#[derive(Debug)]
pub enum Done {
    /// The checks passed for the pushed commit already: nothing was checked.
    Recorded(HealthRecord),
    /// No check is configured: recorded as skipped (not with a dry run).
    Unconfigured { sha: String, message: String },
    /// `--dry-run`: these checks would run for `sha`.
    DryRun {
        sha: String,
        checks: Vec<HealthCheck>,
        within: Duration,
    },
    /// Checked and recorded; `outcome` is `Ok` or `Blocked`, `message` the ledger's line.
    Checked {
        record: HealthRecord,
        outcome: Outcome,
        message: String,
    },
}

/// Runs the health checks for `session`'s pushed commit and records the result.
pub fn step(
    ws: &Workspace,
    session: &mut Session,
    opts: &Options,
    view: &mut dyn View,
) -> Result<Done> {
    crate::workflow::require_recorded(Step::Health, &session.ctx)?;
    let ledger = &session.ctx.ledger;
    let sha = ledger.push.as_ref().map(|p| p.sha.clone());
    let sha = sha.expect("require_recorded checks the push");
    let checks = ws.config.health.all_checks();
    let within = Duration::from_secs(ws.config.health.within_secs.max(1));
    if !opts.again
        && let Some(done) = ledger.health.as_ref()
        && done.sha == sha
        && done.passed
        && !done.checks.is_empty()
    {
        return Ok(Done::Recorded(done.clone()));
    }
    if checks.is_empty() {
        let message =
            "no health checks are configured ([[health.checks]] or health.agogsaas in berry.toml)";
        if !opts.dry_run {
            session.ctx.ledger.health = Some(HealthRecord {
                sha: sha.clone(),
                passed: true,
                checks: vec![],
                elapsed_ms: 0,
                at: crate::clock::now()?,
            });
            session.record(Step::Health, Outcome::Skipped, message)?;
        }
        let message = message.to_string();
        return Ok(Done::Unconfigured { sha, message });
    }
    if opts.dry_run {
        return Ok(Done::DryRun {
            sha,
            checks,
            within,
        });
    }
    view.checking(&sha, &checks, within);
    let report = super::run_checks(
        &checks,
        &super::Options::within(within, &ws.config.test.pass_env),
        &ws.root,
        &super::log_dir(ws.store.dir(), session.req.as_str()),
        &mut |e| view.event(e),
    )?;
    let (outcome, message) = verdict(&report.checks, &sha);
    let record = HealthRecord {
        passed: report.passed(),
        sha,
        checks: report.checks,
        elapsed_ms: report.elapsed_ms,
        at: crate::clock::now()?,
    };
    session.ctx.ledger.health = Some(record.clone());
    session.record(Step::Health, outcome, &message)?;
    Ok(Done::Checked {
        record,
        outcome,
        message,
    })
}

/// The outcome of checks that ran and the ledger's line for it: every check passed, or the
/// failed ones with what they last saw.
fn verdict(checks: &[CheckResult], sha: &str) -> (Outcome, String) {
    let short = sha.get(..12).unwrap_or(sha);
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| format!("{} ({})", c.name, c.detail))
        .collect();
    if failed.is_empty() {
        let n = checks.len();
        let s = if n == 1 { "" } else { "s" };
        (
            Outcome::Ok,
            format!("{n} health check{s} passed for {short}"),
        )
    } else {
        let failed = failed.join(", ");
        let message = format!("health checks failed for {short}: {failed}");
        (Outcome::Blocked, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, passed: bool, detail: &str) -> CheckResult {
        CheckResult {
            name: name.into(),
            kind: "http".into(),
            target: "GET http://localhost/".into(),
            passed,
            attempts: 1,
            latency_ms: 3,
            detail: detail.into(),
            elapsed_ms: 3,
        }
    }

    #[test]
    fn the_verdict_names_every_failed_check_with_what_it_saw() {
        let sha = "0123456789abcdef0123";
        let one = [check("api", true, "200")];
        assert_eq!(
            verdict(&one, sha),
            (Outcome::Ok, "1 health check passed for 0123456789ab".into())
        );
        let mixed = [
            check("api", false, "503: expected 200"),
            check("web", true, "200"),
            check("db", false, "timed out after 5s"),
        ];
        assert_eq!(
            verdict(&mixed, sha),
            (
                Outcome::Blocked,
                "health checks failed for 0123456789ab: api (503: expected 200), db (timed out after 5s)"
                    .into()
            )
        );
    }
}
