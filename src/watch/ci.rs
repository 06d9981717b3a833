//! `berry watch`'s work: the GitHub Actions runs of the pushed commit watched until all complete,
//! and what their end means for the REQ. [`ci`] takes plain [`Options`] and the [`Effects`] it
//! hands the block to, reports what it sees through a `show` callback (the live view included)
//! and returns a [`Done`] the command renders; nothing here prints.
//!
//! What it keeps:
//!
//! - **The pushed SHA, once**: the runs are those of the SHA `push` recorded (after a rebase,
//!   the rebased commit); a rerun for the same SHA reports the record and asks GitHub nothing; a
//!   new push is watched again.
//! - **Green only when every run is**: a conclusion other than success, skipped or neutral is
//!   red.
//! - **Red is reported for a person, each part recorded as it is done**: the failed steps' logs
//!   (masked) go into one CI-failure issue for the REQ (found again by its marker, recorded at
//!   once), the REQ is marked BLOCKED with the blocked notice, and only then is the watch
//!   recorded as failed.
//! - **No run is `github.no_ci`'s call**: "skipped" (recorded) or "failure" (BLOCKED).
//! - **No GitHub, no watch**: recorded as skipped with the reason, as `pr` does.
//! - **A timeout records nothing**: the rerun keeps watching.

use std::time::Duration;

use anyhow::Result;
use serde_json::Value;

use super::{Clock, End, Event, HttpApi, Summary, Watched, green, issue};
use crate::config::NoCi;
use crate::context::{IssueRecord, Requests, RunRecord, WatchRecord};
use crate::effects::Effects;
use crate::error::BerryError;
use crate::github::{self, Client, RepoId, pulls};
use crate::push::PushRecord;
use crate::workflow::{Outcome, Step};
use crate::workspace::{Session, Workspace};

/// What the command decided before the work starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Seconds to wait for a first run to appear.
    pub appear_timeout: f64,
    /// Seconds between polls at first.
    pub interval: f64,
    /// Give up after this many seconds (exit 5).
    pub timeout: Option<f64>,
    /// The repository named on the command line (`--repo`), over the remote's.
    pub repo: Option<String>,
    /// Show what would be asked, send and record nothing.
    pub dry_run: bool,
}

/// What the work shows on its way, in order.
pub enum Shown<'a> {
    /// No token in any of `sources`: watching without one.
    NoToken { sources: &'static str },
    /// The watch starts.
    Watching {
        sha: &'a str,
        branch: &'a str,
        repo: &'a RepoId,
    },
    /// What the watch loop sees, as it sees it.
    Live(Event<'a>),
    /// The loop is over (the live view ends here).
    LiveEnded,
    /// What the polls cost.
    Cost(&'a Summary),
    /// No run appeared and `github.no_ci` says that is a failure: blocking follows.
    NoCiFailure(&'a str),
    /// Reading the failed jobs' logs.
    Log(issue::LogNote<'a>),
    /// The CI-failure issue was opened or updated (and recorded).
    Issue {
        issue: &'a pulls::Issue,
        created: bool,
    },
}

/// How the step ended.
pub enum Done {
    /// A watch of this SHA is recorded: nothing asked of GitHub.
    Recorded(WatchRecord),
    /// No GitHub repository: recorded as skipped (unless a dry run), with the reason.
    NoGithub { record: WatchRecord, reason: String },
    /// `--dry-run`: what would be asked.
    DryRun {
        repo: RepoId,
        api: String,
        runs_path: String,
        jobs_path: String,
    },
    /// Every run passed (recorded).
    Green {
        record: WatchRecord,
        message: String,
    },
    /// No run appeared, recorded as skipped (`github.no_ci = "skipped"`).
    NoRuns {
        record: WatchRecord,
        message: String,
    },
    /// No run appeared and `github.no_ci = "failure"`: BLOCKED (recorded).
    NoRunsBlocked {
        record: WatchRecord,
        reason: String,
        block: Value,
    },
    /// CI failed: the issue, BLOCKED, the notice (recorded).
    Red {
        record: WatchRecord,
        reason: String,
        issue: pulls::Issue,
        block: Value,
    },
}

/// A watch recorded before, as a rerun reports it: the step's outcome (green `Ok`, no run
/// `Skipped`, anything else `Blocked`) and the words for it.
pub fn recorded(prev: &WatchRecord) -> (Outcome, String) {
    let sha = short(&prev.sha);
    match prev.conclusion.as_str() {
        "success" => (
            Outcome::Ok,
            format!("CI was green for {sha} (recorded at {})", prev.at),
        ),
        "skipped" => (
            Outcome::Skipped,
            format!("no CI run appeared for {sha}: recorded as skipped"),
        ),
        _ => {
            let issue = prev.issue.map(|n| format!("; issue #{n}"));
            let at = prev.at;
            let issue = issue.unwrap_or_default();
            (
                Outcome::Blocked,
                format!("CI failed for {sha} (recorded at {at}{issue})"),
            )
        }
    }
}

pub(crate) fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// The runs path of the watch of `sha` on `repo`, and a job's (for the dry run and the tests).
fn api_for<'a>(client: &'a Client, repo: &RepoId, sha: &str) -> HttpApi<'a> {
    HttpApi {
        client,
        repo_path: pulls::repo_path(repo),
        sha: sha.to_string(),
    }
}

/// Watches the CI of `session`'s pushed commit. See the module documentation for what it
/// guarantees.
pub fn ci(
    ws: &Workspace,
    session: &mut Session,
    opts: &Options,
    clock: &mut dyn Clock,
    effects: &mut dyn Effects,
    show: &mut dyn FnMut(Shown<'_>),
) -> Result<Done> {
    let push = PushRecord::recorded(&session.ctx, Step::Watch)?;
    let sha = push.sha.clone();

    // A rerun for the same commit: report what is recorded, ask nothing.
    if let Some(prev) = session.ctx.ledger.watch.clone().filter(|r| r.sha == sha) {
        return Ok(Done::Recorded(prev));
    }

    let (repo_id, client) = match github::target::target(
        opts.repo.as_deref(),
        &ws.repo,
        &ws.config.github,
        &push.remote,
        &push.url,
    )? {
        github::target::Target::At(id, client) => (id, client),
        github::target::Target::Absent(reason) => {
            // No CI can be watched here: what `complete` then accepts is `github.no_ci`'s call.
            let record = WatchRecord {
                conclusion: "skipped".into(),
                sha: sha.clone(),
                runs: vec![],
                requests: Requests::default(),
                at: crate::clock::now()?,
                issue: None,
                reason: Some(reason.clone()),
            };
            if !opts.dry_run {
                session.ctx.ledger.watch = Some(record.clone());
                session.record(Step::Watch, Outcome::Skipped, &reason)?;
            }
            return Ok(Done::NoGithub { record, reason });
        }
    };
    let mut api = api_for(&client, &repo_id, &sha);
    if opts.dry_run {
        return Ok(Done::DryRun {
            api: client.base().to_string(),
            runs_path: api.runs_path(),
            jobs_path: api.jobs_path(0).replace("/0/", "/{run_id}/"),
            repo: repo_id,
        });
    }
    if client.token_source().is_none() {
        show(Shown::NoToken {
            sources: github::token_sources(!github::is_dotcom(client.base())),
        });
    }

    show(Shown::Watching {
        sha: &sha,
        branch: &push.branch,
        repo: &repo_id,
    });
    let watch_opts = super::Options::new(
        Duration::from_secs_f64(opts.interval),
        Duration::from_secs_f64(opts.appear_timeout),
        opts.timeout.map(Duration::from_secs_f64),
    );
    let summary = super::watch(&mut api, clock, &watch_opts, &mut |e| show(Shown::Live(e)));
    show(Shown::LiveEnded);
    let summary = summary.map_err(|e| e.into_berry())?;
    show(Shown::Cost(&summary));
    let requests = Requests {
        ok: summary.ok,
        not_modified: summary.not_modified,
    };
    let now = crate::clock::now()?;
    let record = |conclusion: &str, runs: Vec<RunRecord>, issue: Option<u64>| WatchRecord {
        conclusion: conclusion.into(),
        sha: sha.clone(),
        runs,
        requests,
        at: now,
        issue,
        reason: None,
    };

    let runs = match summary.end {
        End::TimedOut(runs) => return Err(timed_out(&sha, &runs, opts.timeout).into()),
        End::NoRuns => {
            let waited = opts.appear_timeout;
            return match ws.config.github.no_ci {
                NoCi::Skipped => {
                    let message = format!(
                        "no CI run appeared for {} within {waited}s: recorded as skipped (github.no_ci = \"skipped\")",
                        short(&sha)
                    );
                    let record = record("skipped", vec![], None);
                    session.ctx.ledger.watch = Some(record.clone());
                    session.record(Step::Watch, Outcome::Skipped, &message)?;
                    Ok(Done::NoRuns { record, message })
                }
                NoCi::Failure => {
                    let reason = format!(
                        "no CI run appeared for {} within {waited}s, and github.no_ci says that is a failure",
                        short(&sha)
                    );
                    show(Shown::NoCiFailure(&reason));
                    let block = effects.block(session, &reason, "watch", None, false)?;
                    let record = record("failure", vec![], None);
                    session.ctx.ledger.watch = Some(record.clone());
                    session.record(Step::Watch, Outcome::Blocked, &reason)?;
                    Ok(Done::NoRunsBlocked {
                        record,
                        reason,
                        block,
                    })
                }
            };
        }
        End::Completed(runs) => runs,
    };

    let run_records: Vec<RunRecord> = runs
        .iter()
        .map(|r| RunRecord {
            id: r.run.id,
            name: r.run.name.clone(),
            conclusion: r.run.conclusion.clone(),
            url: r.run.url.clone(),
        })
        .collect();
    if runs.iter().all(|r| green(r.run.conclusion.as_deref())) {
        let message = format!(
            "CI is green for {}: {} run{} passed",
            short(&sha),
            runs.len(),
            if runs.len() == 1 { "" } else { "s" }
        );
        let record = record("success", run_records, None);
        session.ctx.ledger.watch = Some(record.clone());
        session.record(Step::Watch, Outcome::Ok, &message)?;
        return Ok(Done::Green { record, message });
    }

    // Red: the failed steps' logs, the issue, BLOCKED, the notice.
    let failed = issue::failures(&client, &repo_id, &runs, &mut |n| show(Shown::Log(n)));
    let body = issue::render(ws, session, &push, &runs, &failed, now)?;
    let req = session.req.clone();
    let title = match session.ctx.title.as_deref() {
        Some(t) => format!("CI failed for {req}: {t}"),
        None => format!("CI failed for {req}"),
    };
    let issue = open_or_update(
        &client,
        &repo_id,
        session,
        (&title, &body),
        &ws.config.github.issue_label,
        show,
    )?;
    let first = failed
        .first()
        .map(|f| {
            let step = f
                .steps
                .first()
                .map(|s| format!(" (step {})", s.name))
                .unwrap_or_default();
            format!("{} / {}{step}", f.run, f.name)
        })
        .unwrap_or_else(|| "a workflow run".into());
    let reason = format!(
        "CI failed for {}: {first}; issue #{}",
        short(&sha),
        issue.number
    );
    let block = effects.block(session, &reason, "watch", None, false)?;
    let record = record("failure", run_records, Some(issue.number));
    session.ctx.ledger.watch = Some(record.clone());
    session.record(Step::Watch, Outcome::Blocked, &reason)?;
    Ok(Done::Red {
        record,
        reason,
        issue,
        block,
    })
}

/// The timeout's error: what was still running, and that a rerun keeps watching.
fn timed_out(sha: &str, runs: &[Watched], timeout: Option<f64>) -> BerryError {
    let open: Vec<String> = runs
        .iter()
        .filter(|r| !r.settled())
        .map(|r| format!("{} ({})", r.run.name, r.run.status))
        .collect();
    let what = if runs.is_empty() {
        "no run had appeared yet".to_string()
    } else {
        format!("still running: {}", open.join(", "))
    };
    BerryError::timeout(format!(
        "CI for {} did not finish within {}s ({what})",
        short(sha),
        timeout.unwrap_or_default()
    ))
    .with_hint("run `berry watch` again to keep watching (a longer --timeout waits more)")
}

/// Updates the REQ's CI-failure issue (recorded, else found by its label and marker), or opens
/// it with the label, and records it at once.
fn open_or_update(
    client: &Client,
    repo: &RepoId,
    session: &mut Session,
    (title, body): (&str, &str),
    label: &str,
    show: &mut dyn FnMut(Shown<'_>),
) -> Result<pulls::Issue> {
    let recorded = session.ctx.ledger.issue.as_ref().map(|i| i.number);
    let mark = issue::marker(session.req.as_str());
    let text = github::issues::IssueText {
        marker: &mark,
        title,
        body,
        label,
    };
    let (issue, created) = github::issues::open_or_update_issue(client, repo, recorded, &text)?;
    let now = crate::clock::now()?.round(jiff::Unit::Second)?;
    session.ctx.ledger.issue = Some(IssueRecord::after(
        session.ctx.ledger.issue.take(),
        issue.number,
        &issue.url,
        created,
        now,
    ));
    session.save()?;
    show(Shown::Issue {
        issue: &issue,
        created,
    });
    Ok(issue)
}

#[cfg(test)]
mod tests;
