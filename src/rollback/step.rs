//! `berry rollback`'s work: undo what berry shipped for a REQ — the revert of the shipped commit
//! on the remote branch's head ([`super::revert_onto`]), tested, pushed (or, on a protected
//! branch, pushed as `revert/<REQ>` with its pull request), the health checks re-run, the tracker
//! marked ROLLED_BACK (and committed alone) and the ROLLED_BACK notice sent. [`step`] takes plain
//! [`Options`], hands the notice to [`Effects`], reports what it does through a [`View`] and
//! returns a [`Done`] the command renders; nothing here prints.
//!
//! What it keeps:
//!
//! - **Each step recorded as it is done** (`ledger.rollback`), so a rerun goes on from there: one
//!   revert, one push or one pull request, one tracker edit, one notice.
//! - **The freeze is checked only for a new rollback**; a window lets `rollback` through unless it
//!   says `rollback = false` (then `--override-freeze`, recorded).
//! - **Nothing is pushed before the tests pass for the revert's tree**; a conflict changes
//!   nothing and names the files.
//! - **Health green ends the measured time** (without the tests' own time).

use anyhow::Result;
use git2::Oid;
use serde_json::{Value, json};

use crate::config::TestCommand;
use crate::context::{EventRecord, RollbackRecord};
use crate::effects::Effects;
use crate::error::BerryError;
use crate::health::CheckResult;
use crate::notice::{self, Notice, Status};
use crate::push::{CredentialSources, PushSpec, Rejection, Target};
use crate::tracker::Edit;
use crate::tracker::file;
use crate::workflow::{Outcome, ReqState, Step};
use crate::workspace::{Session, Workspace};

/// What the command decided before the work starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Why it is rolled back (in the revert commit, the tracker and the notice); not empty.
    pub reason: String,
    /// Roll back during a change freeze whose window sets `rollback = false` (recorded).
    pub override_freeze: bool,
    /// The repository named on the command line (`--repo`), for the revert pull request.
    pub repo: Option<String>,
    /// Say what would be done; do nothing.
    pub dry_run: bool,
}

/// What the work shows on its way, in order.
pub enum Shown<'a> {
    /// A rollback an earlier run started goes on.
    Resuming { started_at: jiff::Timestamp },
    /// A change freeze holds and lets the rollback through (its window, or the override).
    Freeze(&'a crate::freeze::Decision),
    /// The rollback of `target` on `branch` starts (or goes on).
    Starting {
        title: Option<&'a str>,
        target: &'a str,
        branch: &'a str,
        reason: &'a str,
    },
    /// The revert was made on `head`, the head of `branch` on `remote`; recorded.
    Reverted {
        revert: &'a str,
        remote: &'a str,
        branch: &'a str,
        head: &'a str,
    },
    /// No test command is configured: nothing is run.
    NoTests,
    /// A test command starts.
    Testing(&'a TestCommand),
    /// A test command ended (a failure stops the rollback).
    Tested {
        name: &'a str,
        passed: bool,
        duration_ms: u64,
    },
    /// The revert is on `remote_ref` of `remote`.
    Pushed {
        remote_ref: &'a str,
        remote: &'a str,
    },
    /// `remote_ref` is protected: the revert pull request was opened (or found).
    RevertPr {
        remote_ref: &'a str,
        number: u64,
        url: &'a str,
    },
    /// No health check is configured: nothing to re-run.
    NoHealthChecks,
    /// A health check ended.
    Health(&'a CheckResult),
    /// Health is green: the measured time, without the tests' own.
    Duration { ms: u64, tests_ms: u64 },
    /// The tracker edit written, its commit on its way and how it ended.
    Tracker(crate::trackercommit::Tracked<'a>),
    /// The ROLLED_BACK notice, before it is sent (`recorded`: as an earlier run recorded it).
    Notice {
        subject: &'a str,
        msg_id: &'a str,
        payload: &'a Value,
        recorded: Option<&'a EventRecord>,
    },
}

/// Where the work reports to.
pub trait View {
    fn show(&self, shown: Shown<'_>);
}

/// How the step ended.
#[derive(Debug)]
pub enum Done {
    /// The REQ is rolled back already (recorded, and its notice acknowledged).
    Already(RollbackRecord),
    /// `--dry-run`: what would be done.
    DryRun {
        sha: String,
        branch: String,
        remote: String,
        tests: usize,
        checks: usize,
    },
    /// Rolled back (recorded): the record, what the tracker commit did, the notice.
    RolledBack {
        record: RollbackRecord,
        tracker_commit: Value,
        msg_id: String,
        notice: Value,
        sent: bool,
        message: String,
    },
}

fn short(s: &str) -> &str {
    s.get(..12).unwrap_or(s)
}

/// Rolls `session`'s REQ back. See the module documentation for what it guarantees.
pub fn step(
    ws: &Workspace,
    session: &mut Session,
    opts: &Options,
    effects: &mut dyn Effects,
    view: &dyn View,
) -> Result<Done> {
    let req = session.req.clone();
    let reason = opts.reason.clone();
    crate::workflow::require_recorded(Step::Rollback, &session.ctx)?;
    let push = session.ctx.ledger.push.clone().expect("require checks it");

    if session.ctx.state == Some(ReqState::RolledBack)
        && session.ctx.step_ok(Step::Rollback)
        && let Some(r) = session.ctx.ledger.rollback.clone()
        && let Some(revert) = &r.revert
        && (!ws.config.nats.publish
            || session
                .ctx
                .ledger
                .event(&notice::msg_id(req.as_str(), Status::RolledBack, revert))
                .is_some_and(|e| e.acknowledged))
    {
        return Ok(Done::Already(r));
    }
    if opts.dry_run {
        return Ok(Done::DryRun {
            sha: push.sha.clone(),
            branch: push.branch.clone(),
            remote: push.remote.clone(),
            tests: ws.config.test.commands.len(),
            checks: ws.config.health.all_checks().len(),
        });
    }

    // Started: recorded before anything is done (the freeze is checked only for a new rollback).
    let mut r = match session.ctx.ledger.rollback.clone() {
        Some(r) if r.target == push.sha => {
            view.show(Shown::Resuming {
                started_at: r.started_at,
            });
            r
        }
        _ => {
            let freeze = crate::freeze::gate(
                &ws.gate.freeze,
                session,
                "rollback",
                Some(reason.as_str()).filter(|_| opts.override_freeze),
                crate::clock::now()?,
                false,
            )?;
            if freeze != crate::freeze::Decision::Open {
                view.show(Shown::Freeze(&freeze));
            }
            let r = RollbackRecord {
                reason: reason.clone(),
                started_at: crate::clock::now()?.round(jiff::Unit::Second)?,
                measure_from: jiff::Timestamp::now(),
                target: push.sha.clone(),
                remote: push.remote.clone(),
                branch: push.branch.clone(),
                onto: None,
                revert: None,
                tested: false,
                tests_ms: 0,
                pushed: None,
                pr_number: None,
                pr_url: None,
                health: None,
                duration_ms: None,
            };
            session.ctx.ledger.rollback = Some(r.clone());
            session.save()?;
            r
        }
    };
    view.show(Shown::Starting {
        title: session.ctx.title.as_deref(),
        target: &r.target,
        branch: &r.branch,
        reason: &reason,
    });
    let repo = &ws.repo;
    let local_branch = session
        .ctx
        .ledger
        .commit
        .as_ref()
        .map(|c| c.branch.clone())
        .unwrap_or_else(|| r.branch.clone());
    let target = Target {
        remote: r.remote.clone(),
        url: push.url.clone(),
        local_branch: local_branch.clone(),
        remote_branch: r.branch.clone(),
    };
    let raw_url = repo
        .find_remote(&r.remote)
        .ok()
        .and_then(|x| x.url().ok().map(str::to_string))
        .unwrap_or_default();
    let sources = CredentialSources::for_remote(&raw_url, &ws.config);

    // 1. The revert, on the remote head as it is now.
    if r.revert.is_none() {
        let head = crate::push::fetch_branch(repo, &target, &sources)?;
        let shipped = Oid::from_str(&r.target)?;
        if head != shipped && !repo.graph_descendant_of(head, shipped).unwrap_or(false) {
            return Err(BerryError::failure(format!(
                "{} on {} does not contain the shipped commit {}: there is nothing of berry's to revert there",
                target.remote_ref(),
                r.remote,
                short(&r.target)
            ))
            .into());
        }
        let revert = match super::revert_onto(repo, &ws.root, req.as_str(), shipped, head, &reason)?
        {
            Ok(oid) => oid,
            Err(conflict) => {
                return Err(BerryError::gate(format!(
                    "reverting {} on {}/{} ({}) conflicts in: {}; nothing was changed",
                    short(&r.target),
                    r.remote,
                    r.branch,
                    short(&head.to_string()),
                    conflict.files.join(", ")
                ))
                .with_hint("revert it by hand (`git revert`), or fix forward")
                .into());
            }
        };
        r.onto = Some(head.to_string());
        r.revert = Some(revert.to_string());
        session.ctx.ledger.rollback = Some(r.clone());
        session.save()?;
        crate::fault::point("rollback-reverted");
        view.show(Shown::Reverted {
            revert: &revert.to_string(),
            remote: &r.remote,
            branch: &r.branch,
            head: &head.to_string(),
        });
    }
    let revert = Oid::from_str(r.revert.as_deref().expect("set above"))?;

    // 2. The local branch follows, so the tests run on the revert's tree.
    if let Some(why) = super::fast_forward(repo, &local_branch, revert)? {
        return Err(BerryError::failure(format!(
            "the revert {} is made but {local_branch} cannot move to it: {why}; nothing was pushed",
            short(&revert.to_string())
        ))
        .with_hint("bring the branch to the remote head (`git switch`, `git stash`), then run `berry rollback` again")
        .into());
    }

    // 3. The tests, for the revert's tree.
    if !r.tested {
        let started = std::time::Instant::now();
        run_tests(ws, &req, view)?;
        r.tested = true;
        r.tests_ms = started.elapsed().as_millis() as u64;
        session.ctx.ledger.rollback = Some(r.clone());
        session.save()?;
    }

    // 4. The push (a protected branch: revert/<REQ> and a pull request).
    if r.pushed.is_none() && r.pr_number.is_none() {
        let spec = PushSpec {
            target: &target,
            local_ref: format!("refs/heads/{local_branch}"),
            force: false,
            sources: &sources,
        };
        match crate::push::push(repo, &spec, &|_, _, _| {}) {
            Ok(()) => {
                crate::fault::point("rollback-pushed");
                r.pushed = Some(format!("{} {}", r.remote, target.remote_ref()));
                view.show(Shown::Pushed {
                    remote_ref: &target.remote_ref(),
                    remote: &r.remote,
                });
            }
            Err(f) if matches!(f.kind, Rejection::Protected { .. }) => {
                let (number, url) = revert_pr(ws, session, opts, &target, revert, &sources)?;
                crate::fault::point("rollback-pr-created");
                view.show(Shown::RevertPr {
                    remote_ref: &target.remote_ref(),
                    number,
                    url: &url,
                });
                r.pr_number = Some(number);
                r.pr_url = Some(url);
            }
            Err(f) => {
                return Err(anyhow::anyhow!("{f}").context(format!(
                    "cannot push the revert {} to {}; it is recorded: rerun to push it",
                    short(&revert.to_string()),
                    r.remote
                )));
            }
        }
        session.ctx.ledger.rollback = Some(r.clone());
        session.save()?;
    }

    // 5. Health, re-run; green ends the measured time.
    if r.health
        .as_ref()
        .is_none_or(|h| h.iter().any(|c| !c.passed))
    {
        let checks = ws.config.health.all_checks();
        let report = if checks.is_empty() {
            view.show(Shown::NoHealthChecks);
            crate::health::Report {
                checks: vec![],
                elapsed_ms: 0,
            }
        } else {
            let logs = crate::health::log_dir(ws.store.dir(), req.as_str());
            let health = crate::health::Options::within(
                std::time::Duration::from_secs(ws.config.health.within_secs),
                &ws.config.test.pass_env,
            );
            crate::health::run_checks(&checks, &health, &ws.root, &logs, &mut |e| {
                if let crate::health::Event::Done { result, .. } = e {
                    view.show(Shown::Health(result));
                }
            })?
        };
        let green = report.passed();
        r.health = Some(report.checks.clone());
        if green {
            let total = jiff::Timestamp::now()
                .duration_since(r.measure_from)
                .as_millis()
                .max(0) as u64;
            r.duration_ms = Some(total.saturating_sub(r.tests_ms));
        }
        session.ctx.ledger.rollback = Some(r.clone());
        session.save()?;
        if !green {
            return Err(BerryError::gate(format!(
                "the health checks did not pass after the rollback of {req}: {}",
                report
                    .checks
                    .iter()
                    .filter(|c| !c.passed)
                    .map(|c| format!("{} ({})", c.name, c.detail))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .with_hint("the revert is pushed; look at the service, then run `berry rollback` again to re-check")
            .into());
        }
    }
    if let Some(ms) = r.duration_ms {
        view.show(Shown::Duration {
            ms,
            tests_ms: r.tests_ms,
        });
    }

    // 6. The tracker, and its commit.
    let at = crate::clock::rfc3339(r.started_at);
    let revert_short = notice::short_sha(r.revert.as_deref().unwrap_or("")).to_string();
    let plan = file::plan(
        ws,
        &req,
        &Edit::RolledBack {
            at: at.clone(),
            revert: revert_short.clone(),
            reason: reason.clone(),
        },
    )?;
    let tracker_commit = crate::trackercommit::apply(
        ws,
        session,
        &plan,
        ReqState::RolledBack,
        Some(&revert_short),
        &mut |t| view.show(Shown::Tracker(t)),
    )?;

    // 7. The ROLLED_BACK notice, with its own id.
    let revert_sha = r.revert.clone().expect("set above");
    let msg_id = notice::msg_id(req.as_str(), Status::RolledBack, &revert_sha);
    let subject = crate::nats::subject(&ws.config.nats.subject, req.as_str());
    let recorded = session.ctx.ledger.event(&msg_id).cloned();
    let payload = match &recorded {
        Some(e) => e.payload.clone(),
        None => {
            let template = notice::Template::load(&ws.root)?;
            let mut v = notice::payload(
                &Notice {
                    req: req.as_str(),
                    title: session.ctx.title.as_deref(),
                    status: Status::RolledBack,
                    subject: &subject,
                    commit_sha: Some(&revert_sha),
                    branch: Some(&r.branch),
                    pr_url: r.pr_url.as_deref(),
                    files: &[],
                    tests_passed: r.tested,
                    tests_skipped: None,
                    // The rollback's own health results are added below.
                    health: None,
                    checklist: None,
                    ci: "not watched",
                    at: r.started_at,
                    reason: Some(&reason),
                },
                &template,
            )?;
            v["reverted_commit"] = json!(r.target);
            v["rollback_ms"] = json!(r.duration_ms);
            v["health"] = serde_json::to_value(&r.health)?;
            if !session.ctx.ledger.freeze_overrides.is_empty() {
                v["freeze_overrides"] = crate::notice::freeze_overrides(&session.ctx);
            }
            v
        }
    };
    view.show(Shown::Notice {
        subject: &subject,
        msg_id: &msg_id,
        payload: &payload,
        recorded: recorded.as_ref(),
    });
    let event = effects.send(
        session,
        EventRecord {
            kind: Status::RolledBack.kind(),
            subject: subject.clone(),
            msg_id: msg_id.clone(),
            payload: payload.clone(),
            acknowledged: false,
            stream: None,
            sent_at: None,
        },
    )?;
    let message = format!(
        "{req} ROLLED_BACK: revert {} {}",
        short(&revert_sha),
        r.pushed
            .as_deref()
            .map(|x| format!("pushed to {x}"))
            .or(r.pr_url.as_ref().map(|u| format!("in {u}")))
            .unwrap_or_default()
    );
    session.record(Step::Rollback, Outcome::Ok, &message)?;
    Ok(Done::RolledBack {
        record: r,
        tracker_commit,
        msg_id,
        notice: payload,
        sent: event.acknowledged,
        message,
    })
}

/// Runs the configured test commands in the working tree (now the revert's tree); a failure
/// stops the rollback before the push (exit 3).
fn run_tests(ws: &Workspace, req: &crate::req::ReqNumber, view: &dyn View) -> Result<()> {
    let commands = &ws.config.test.commands;
    if commands.is_empty() {
        view.show(Shown::NoTests);
        return Ok(());
    }
    let log_path = ws.store.dir().join(format!("{req}.rollback-test.log"));
    let mut log = crate::testrun::open_log(&log_path)?;
    let drop_env = crate::env_vars::withheld(&ws.config.test.pass_env);
    for c in commands {
        view.show(Shown::Testing(c));
        let res = crate::testrun::run(c, &ws.root, &mut log, &drop_env)?;
        view.show(Shown::Tested {
            name: &c.name,
            passed: res.passed,
            duration_ms: res.duration_ms,
        });
        if !res.passed {
            return Err(BerryError::gate(format!(
                "the tests failed for the revert ({}): nothing was pushed",
                c.name
            ))
            .with_hint(format!(
                "see {}; fix forward, or run `berry rollback` again once they pass",
                log_path.display()
            ))
            .into());
        }
    }
    Ok(())
}

/// On a protected branch: pushes the revert as `revert/<REQ>` and opens (or finds) the pull
/// request `Revert REQ: Title` into the branch. Returns its number and URL.
fn revert_pr(
    ws: &Workspace,
    session: &Session,
    opts: &Options,
    target: &Target,
    revert: Oid,
    sources: &CredentialSources,
) -> Result<(u64, String)> {
    use crate::github::{self, pulls};
    let req = &session.req;
    let repo = &ws.repo;
    let name = format!("revert/{req}");
    let local = format!("refs/heads/{name}");
    repo.reference(
        &local,
        revert,
        true,
        "berry: the revert for its pull request",
    )?;
    let mut t = target.clone();
    t.remote_branch = name.clone();
    crate::push::push(
        repo,
        &PushSpec {
            target: &t,
            local_ref: local,
            force: false,
            sources,
        },
        &|_, _, _| {},
    )
    .map_err(|f| anyhow::anyhow!("cannot push {name}: {f}"))?;
    let push = session.ctx.ledger.push.clone().expect("checked");
    let repo_id = github::target::resolve(
        opts.repo.as_deref(),
        &ws.repo,
        &ws.config.github,
        &push.remote,
        &push.url,
    )?;
    let client = github::client_for(&repo_id, &ws.config.github)?;
    let api = |e: github::ApiError| -> anyhow::Error { e.into_berry().into() };
    if let Some(found) =
        pulls::find_open(&client, &repo_id, &name, Some(&target.remote_branch)).map_err(api)?
    {
        return Ok((found.number, found.url));
    }
    let title = match session.ctx.title.as_deref() {
        Some(x) => format!("Revert {req}: {x}"),
        None => format!("Revert {req}"),
    };
    let body = format!(
        "Reverts {} ({req}), shipped by berry.\n\nReason: {}\n\n<!-- berry: rollback {req} -->\n",
        session
            .ctx
            .ledger
            .rollback
            .as_ref()
            .map(|r| r.target.clone())
            .unwrap_or_default(),
        session
            .ctx
            .ledger
            .rollback
            .as_ref()
            .map(|r| r.reason.as_str())
            .unwrap_or("")
    );
    let pull = pulls::create(
        &client,
        &repo_id,
        &pulls::NewPull {
            title,
            body,
            head: name,
            base: target.remote_branch.clone(),
            draft: false,
        },
    )
    .map_err(api)?;
    Ok((pull.number, pull.url))
}

#[cfg(test)]
mod tests;
