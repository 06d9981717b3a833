//! `berry complete`'s work: the REQ marked DEPLOYED in the tracker (Deployed At, Commit, Deployed
//! By), the tracker commit, and the completion notice, once the gates say the shipped commit may
//! be called deployed. [`complete`] takes plain [`Options`], asks through [`Decide`], sends the
//! notice through [`Effects`], reports what it does on its way through a `show` callback and
//! returns a [`Done`] the command renders; nothing here prints.
//!
//! What it keeps:
//!
//! - **The gates, for the shipped commit**: the tests passed for its tree (or `--skip-tests
//!   --reason`, recorded for that tree), a green watch of its SHA (or `--no-ci --reason`, or
//!   `github.no_ci = "skipped"` with no run), the health checks passed for it when configured (or
//!   `--no-health --reason`, recorded for that SHA), no change freeze (or `--override-freeze
//!   --reason`, recorded), the QA evidence unchanged. A rerun that only finishes what an earlier
//!   run started (the notice recorded) checks none of them again.
//! - **Asked once, default yes**: the tracker edit and the notice are shown, then one question
//!   when the tracker changes; a declined question writes and sends nothing (exit 4).
//! - **Once**: the tracker DEPLOYED at this commit and the notice acknowledged is reported,
//!   nothing written or sent again (a tracker commit an earlier run left undone is finished);
//!   one time, `deployed_at`, for the tracker and the notice across reruns.
//! - **A dry run writes, records and sends nothing**.

use anyhow::Result;
use serde_json::{Value, json};

use crate::config::NoCi;
use crate::context::{EventRecord, ReqContext};
use crate::decide::Decide;
use crate::deliverables::Source;
use crate::effects::Effects;
use crate::error::BerryError;
use crate::freeze::Decision;
use crate::notice::{self, Notice, Status};
use crate::tracker::Edit;
use crate::tracker::file::{self, Plan};
use crate::trackercommit::{self, Tracked};
use crate::workflow::{Outcome, ReqState, Step, TestsFor};
use crate::workspace::{Session, Workspace};

/// What the command decided before the work starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Complete without a green CI run (needs `reason`).
    pub no_ci: bool,
    /// Complete although the tests did not pass for the shipped tree (needs `reason`; recorded).
    pub skip_tests: bool,
    /// Complete although the health checks did not pass for the shipped SHA (needs `reason`;
    /// recorded).
    pub no_health: bool,
    /// Complete during a change freeze (needs `reason`; recorded).
    pub override_freeze: bool,
    /// The reason for the flags above.
    pub reason: Option<String>,
    /// Show what would be done; write, record, ask and send nothing.
    pub dry_run: bool,
}

/// What the work shows on its way, in order.
pub enum Shown<'a> {
    /// A change freeze holds and lets the step through, or was overridden (recorded).
    Freeze(&'a Decision),
    /// What is about to be done: the tracker edit and the notice (`recorded`: as an earlier run
    /// recorded it).
    Completing {
        title: Option<&'a str>,
        short: &'a str,
        ci: &'a str,
        plan: &'a Plan,
        subject: &'a str,
        msg_id: &'a str,
        payload: &'a Value,
        recorded: Option<&'a EventRecord>,
    },
    /// The tracker edit written, its commit on its way and how it ended.
    Tracker(Tracked<'a>),
}

/// How the step ended.
pub enum Done {
    /// Completed before: the tracker says DEPLOYED at this commit and the notice was
    /// acknowledged (`stream`: by this stream). Nothing was written or sent.
    Already {
        sha: String,
        short: String,
        msg_id: String,
        stream: Option<String>,
        data: Value,
    },
    /// A dry run: shown, nothing written, recorded or sent.
    DryRun { data: Value },
    /// DEPLOYED at `short` (`at`), the tracker committed as it could be, the notice sent as
    /// `notice` says; the step is recorded with `message`.
    Completed {
        short: String,
        at: String,
        notice: String,
        message: String,
        data: Value,
    },
}

/// Completes `session`'s REQ. `source` opens the deliverables for the evidence re-check (asked
/// only when it is due). See the module documentation for what it guarantees.
pub fn complete(
    ws: &Workspace,
    session: &mut Session,
    opts: &Options,
    source: &mut dyn FnMut() -> Result<Box<dyn Source>>,
    decide: &dyn Decide,
    effects: &mut dyn Effects,
    show: &mut dyn FnMut(Shown<'_>),
) -> Result<Done> {
    crate::workflow::require_recorded(Step::Complete, &session.ctx)?;
    let req = session.req.clone();
    let sha = session
        .ctx
        .shipped_sha()
        .map(str::to_string)
        .expect("require_recorded checks the commit");
    let short = notice::short_sha(&sha).to_string();
    let msg_id = notice::msg_id(req.as_str(), Status::Complete, &sha);
    let subject = crate::nats::subject(&ws.config.nats.subject, req.as_str());
    let recorded = session.ctx.ledger.event(&msg_id).cloned();
    let tracker_done = session
        .ctx
        .ledger
        .tracker
        .iter()
        .any(|t| t.status == ReqState::Deployed && t.commit.as_deref() == Some(short.as_str()));

    // A rerun after success: report what is recorded, do nothing.
    if let Some(r) = recorded.as_ref().filter(|r| tracker_done && r.acknowledged) {
        // A tracker commit or its push an earlier run left undone is finished.
        if !opts.dry_run {
            commit_tracker(ws, session, false, show)?;
        }
        return Ok(Done::Already {
            data: json!({"already_done": true, "commit": sha, "msg_id": msg_id, "notice": r.payload}),
            sha,
            short,
            msg_id,
            stream: r.stream.clone(),
        });
    }

    // The gates, unless this run only finishes what an earlier one started. Nothing is completed
    // unless the tests passed for the tree being completed, or were skipped for it with a reason.
    let tree = ws.shipped_tree(&session.ctx);
    let health_configured = !ws.config.health.all_checks().is_empty();
    if recorded.is_none() {
        if let (true, Some(reason), Some(tree)) = (opts.skip_tests, &opts.reason, &tree)
            && !opts.dry_run
        {
            crate::push::skip_tests(session, tree, reason)?;
        }
        if let (true, Some(reason)) = (opts.no_health, &opts.reason)
            && !opts.dry_run
        {
            skip_health(session, &sha, reason)?;
        }
        crate::workflow::require(
            Step::Complete,
            &session.ctx,
            crate::workflow::Shipping {
                tree: tree.as_deref(),
                health_configured,
                checklist_required: &ws.config.checklist.required,
            },
        )?;
        let decision = crate::freeze::gate(
            &ws.gate.freeze,
            session,
            "complete",
            opts.reason.as_deref().filter(|_| opts.override_freeze),
            crate::clock::now()?,
            opts.dry_run,
        )?;
        if decision != Decision::Open {
            show(Shown::Freeze(&decision));
        }
    }
    let tests = crate::workflow::tests_for(&session.ctx, tree.as_deref());
    let ci = match recorded
        .as_ref()
        .and_then(|r| r.payload.get("ci"))
        .and_then(Value::as_str)
    {
        Some(ci) => ci.to_string(),
        None => ci_gate(session, &ws.config.github.no_ci, &sha, opts)?,
    };
    if !tracker_done && recorded.is_none() {
        let evidence = session
            .ctx
            .evidence
            .clone()
            .expect("Session::existing checks it");
        let mut source = source()?;
        crate::evidence::recheck(source.as_mut(), &req, &evidence, &ws.config.agents.qa)?;
    }

    // One time for the tracker and the notice, kept across reruns.
    let now = crate::clock::now()?;
    let at_text = recorded
        .as_ref()
        .and_then(|r| r.payload.get("deployed_at"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            let text = std::fs::read_to_string(ws.root.join(&ws.config.tracker.path)).ok()?;
            let e = crate::tracker::entry(&text, req.as_str()).ok()?;
            (e.status == "DEPLOYED" && e.commit.as_deref() == Some(short.as_str()))
                .then_some(e.deployed_at)
                .flatten()
        })
        .unwrap_or_else(|| crate::clock::rfc3339(now));
    let at: jiff::Timestamp = at_text.parse().unwrap_or(now);

    let plan = file::plan(
        ws,
        &req,
        &Edit::Deployed {
            at: at_text.clone(),
            commit: short.clone(),
            by: "berry".into(),
        },
    )?;
    let payload = match &recorded {
        Some(r) => r.payload.clone(),
        None => {
            let files = notice::files_from(
                session.ctx.ledger.commit.as_ref(),
                session.ctx.review.as_ref(),
            );
            let template = notice::Template::load(&ws.root)?;
            let l = &session.ctx.ledger;
            let branch = l.push.as_ref().map(|p| p.branch.clone());
            let pr_url = l.pr.as_ref().and_then(|p| p.url.clone());
            let tests_passed = tests == TestsFor::Passed;
            let tests_skipped = match &tests {
                TestsFor::Skipped(r) => Some(r.as_str()),
                _ => None,
            };
            let mut payload = notice::payload(
                &Notice {
                    req: req.as_str(),
                    title: session.ctx.title.as_deref(),
                    status: Status::Complete,
                    subject: &subject,
                    commit_sha: Some(&sha),
                    branch: branch.as_deref(),
                    pr_url: pr_url.as_deref(),
                    files: &files,
                    tests_passed,
                    tests_skipped,
                    health: Some(&health_notice(&session.ctx, &sha, health_configured)),
                    checklist: notice::checklist(&session.ctx, &sha).as_ref(),
                    ci: &ci,
                    at,
                    reason: None,
                },
                &template,
            )?;
            // Only when a freeze was overridden: the notice of a REQ shipped in the open keeps
            // its shape.
            if !session.ctx.ledger.freeze_overrides.is_empty() {
                payload["freeze_overrides"] = notice::freeze_overrides(&session.ctx);
            }
            payload
        }
    };
    let mut data = json!({
        "commit": sha,
        "ci": ci,
        "tracker": plan.data(),
        "subject": subject,
        "msg_id": msg_id,
        "notice": payload,
    });

    show(Shown::Completing {
        title: session.ctx.title.as_deref(),
        short: &short,
        ci: &ci,
        plan: &plan,
        subject: &subject,
        msg_id: &msg_id,
        payload: &payload,
        recorded: recorded.as_ref(),
    });
    if opts.dry_run {
        commit_tracker(ws, session, true, show)?;
        return Ok(Done::DryRun { data });
    }
    if plan.edited.changed {
        let question = format!(
            "Mark {req} DEPLOYED in {} and publish the completion notice?",
            plan.shown
        );
        if !decide.confirm(&question, true, "--yes")? {
            return Err(BerryError::declined(format!("{req} was not marked DEPLOYED")).into());
        }
    }
    let tracker_commit = trackercommit::apply(
        ws,
        session,
        &plan,
        ReqState::Deployed,
        Some(&short),
        &mut |t| show(Shown::Tracker(t)),
    )?;
    let event = effects.send(
        session,
        EventRecord {
            kind: Status::Complete.kind(),
            subject: subject.clone(),
            msg_id: msg_id.clone(),
            payload: payload.clone(),
            acknowledged: false,
            stream: None,
            sent_at: None,
        },
    )?;
    let notice = match (&event.stream, event.acknowledged) {
        (Some(s), _) => format!("completion notice stored by stream {s}"),
        (None, true) => "completion notice published without persistence".into(),
        (None, false) => "completion notice not sent (nats.publish = false)".into(),
    };
    let message = format!("{req} DEPLOYED at {short}; {notice}");
    session.record(Step::Complete, Outcome::Ok, &message)?;
    data["stream"] = json!(event.stream);
    data["sent"] = json!(event.acknowledged);
    data["tracker_commit"] = tracker_commit;
    Ok(Done::Completed {
        short,
        at: at_text,
        notice,
        message,
        data,
    })
}

/// The tracker commit for DEPLOYED, shown as it goes and as it ends; its JSON data.
fn commit_tracker(
    ws: &Workspace,
    session: &mut Session,
    dry_run: bool,
    show: &mut dyn FnMut(Shown<'_>),
) -> Result<Value> {
    trackercommit::finished(ws, session, ReqState::Deployed, dry_run, &mut |t| {
        show(Shown::Tracker(t))
    })
}

/// `--no-health --reason TEXT`, recorded for the SHA being completed (a later commit needs its
/// own).
fn skip_health(session: &mut Session, sha: &str, reason: &str) -> Result<()> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(BerryError::usage("--no-health needs a non-empty --reason").into());
    }
    session.ctx.ledger.health_skipped = Some(crate::context::HealthSkipped {
        reason: reason.to_string(),
        sha: sha.to_string(),
        at: crate::clock::now()?,
    });
    session.save()
}

/// The notice's `health`: how the checks stand for the completed SHA, with each check's result.
pub fn health_notice(ctx: &ReqContext, sha: &str, configured: bool) -> Value {
    let standing = crate::workflow::health_for(ctx, Some(sha), configured);
    let checks: Vec<Value> = ctx
        .ledger
        .health
        .as_ref()
        .filter(|h| h.sha == sha)
        .map(|h| {
            h.checks
                .iter()
                .map(|c| {
                    json!({
                        "name": c.name, "target": c.target, "passed": c.passed,
                        "attempts": c.attempts, "latency_ms": c.latency_ms, "detail": c.detail,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let mut v = json!({"status": standing.as_str(), "checks": checks});
    if let crate::workflow::HealthFor::Skipped(reason) = &standing {
        v["reason"] = json!(reason);
    }
    v
}

/// The CI requirement: a recorded green watch for this commit, `skipped` when config says no CI
/// means skipped, or `--no-ci --reason`. Returns the CI outcome in words.
fn ci_gate(session: &Session, no_ci: &NoCi, sha: &str, opts: &Options) -> Result<String> {
    let req = &session.req;
    if opts.no_ci {
        let reason = opts.reason.as_deref().unwrap_or("").trim();
        if reason.is_empty() {
            return Err(BerryError::usage("--no-ci needs a non-empty --reason").into());
        }
        return Ok(format!("not required (--no-ci: {reason})"));
    }
    let hint = format!(
        "run `berry watch` for {}, or pass --no-ci --reason TEXT to complete without CI",
        notice::short_sha(sha)
    );
    let Some(watch) = session.ctx.ledger.watch.as_ref() else {
        return Err(
            BerryError::gate(format!("no CI result is recorded for {req}"))
                .with_hint(hint)
                .into(),
        );
    };
    let watched = watch.sha.as_str();
    if watched != sha {
        return Err(BerryError::gate(format!(
            "CI was watched for {}, but the commit is {}",
            notice::short_sha(watched),
            notice::short_sha(sha)
        ))
        .with_hint(hint)
        .into());
    }
    match Some(watch.conclusion.as_str()) {
        Some("success") => Ok("success".into()),
        Some("skipped") if *no_ci == NoCi::Skipped => Ok("skipped (no CI run)".into()),
        Some("skipped") => Err(BerryError::gate(match &watch.reason {
            Some(why) => format!(
                "CI was not watched for {req} ({why}), and `github.no_ci` says that is a failure"
            ),
            None => {
                format!("no CI run was found for {req}, and `github.no_ci` says that is a failure")
            }
        })
        .with_hint(match &watch.reason {
            Some(_) => {
                "there is no CI to watch here: pass --no-ci --reason TEXT to complete without it"
                    .to_string()
            }
            None => hint,
        })
        .into()),
        other => Err(BerryError::gate(format!(
            "CI for {req} did not pass ({})",
            other.unwrap_or("no conclusion recorded")
        ))
        .with_hint(hint)
        .into()),
    }
}

#[cfg(test)]
mod tests;
