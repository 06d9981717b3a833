//! `berry complete`: the tracker entry DEPLOYED (Deployed At, Commit, Deployed By) and the
//! completion notice, once CI was green for the commit (or `--no-ci` with a reason).

use anyhow::Result;
use clap::Args;
use serde_json::{Value, json};

use super::block::{commit_sha, plan_tracker, send, show_notice, show_tracker, write_tracker};
use super::{Env, Outcome, Session, Step, StepReport};
use crate::config::NoCi;
use crate::context::EventRecord;
use crate::error::BerryError;
use crate::notice::{self, Notice, Status};
use crate::printer::Tone;
use crate::tracker::Edit;
use crate::workflow::ReqState;

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
    if args.reason.is_some()
        && !args.no_ci
        && !args.skip_tests
        && !args.no_health
        && !args.override_freeze
    {
        return Err(BerryError::usage(
            "--reason without --no-ci, --skip-tests, --no-health or --override-freeze: there is nothing to explain",
        )
        .with_hint("pass --no-ci --reason TEXT to complete without a green CI run")
        .into());
    }
    let mut session = Session::existing(&ws.store, req.clone(), Step::Complete)?;
    crate::workflow::require_recorded(Step::Complete, &session.ctx)?;
    let sha = commit_sha(&session).expect("require_recorded checks the commit");
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
    if tracker_done && recorded.as_ref().is_some_and(|r| r.acknowledged) {
        let r = recorded.expect("checked");
        // A tracker commit or its push an earlier run left undone is finished.
        if !p.dry_run() {
            super::commit_tracker(p, &ws, &mut session, ReqState::Deployed)?;
        }
        p.line(format!(
            "{req} is already complete: {} says DEPLOYED at commit {short}, and the completion notice {msg_id} was acknowledged{}.",
            ws.config.tracker.path,
            r.stream
                .as_deref()
                .map(|s| format!(" by stream {s}"))
                .unwrap_or_default()
        ));
        return Ok(StepReport::new(
            "complete",
            Some(req),
            Outcome::Ok,
            format!("already complete at {short}"),
        )
        .with_data(
            json!({"already_done": true, "commit": sha, "msg_id": msg_id, "notice": r.payload}),
        ));
    }

    // The gates, unless this run only finishes what an earlier one started. Nothing is completed
    // unless the tests passed for the tree being completed, or were skipped for it with a reason.
    let tree = ws.shipped_tree(&session.ctx);
    let health_configured = !ws.config.health.all_checks().is_empty();
    if recorded.is_none() {
        if let (true, Some(reason), Some(tree)) = (args.skip_tests, &args.reason, &tree)
            && !p.dry_run()
        {
            super::push::skip_tests(&mut session, tree, reason)?;
        }
        if let (true, Some(reason)) = (args.no_health, &args.reason)
            && !p.dry_run()
        {
            skip_health(&mut session, &sha, reason)?;
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
        super::freeze_gate(
            p,
            &ws,
            &mut session,
            "complete",
            args.reason.as_deref().filter(|_| args.override_freeze),
        )?;
    }
    let tests = crate::workflow::tests_for(&session.ctx, tree.as_deref());
    let ci = match recorded
        .as_ref()
        .and_then(|r| r.payload.get("ci"))
        .and_then(Value::as_str)
    {
        Some(ci) => ci.to_string(),
        None => ci_gate(&session, &ws.config.github.no_ci, &sha, &args)?,
    };
    if !tracker_done && recorded.is_none() {
        let evidence = session
            .ctx
            .evidence
            .clone()
            .expect("Session::existing checks it");
        let mut source = env.source(&ws)?;
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

    let plan = plan_tracker(
        &ws,
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
            let tests_passed = tests == crate::workflow::TestsFor::Passed;
            let tests_skipped = match &tests {
                crate::workflow::TestsFor::Skipped(r) => Some(r.as_str()),
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
                    checklist: crate::notice::checklist(&session.ctx, &sha).as_ref(),
                    ci: &ci,
                    at,
                    reason: None,
                },
                &template,
            )?;
            // Only when a freeze was overridden: the notice of a REQ shipped in the open keeps
            // its shape.
            if !session.ctx.ledger.freeze_overrides.is_empty() {
                payload["freeze_overrides"] = crate::notice::freeze_overrides(&session.ctx);
            }
            payload
        }
    };
    let data = json!({
        "commit": sha,
        "ci": ci,
        "tracker": plan.data(),
        "subject": subject,
        "msg_id": msg_id,
        "notice": payload,
    });

    p.line(format!(
        "{} {req}{} at commit {short} (CI: {ci})",
        p.paint(Tone::Strong, "Completing"),
        session
            .ctx
            .title
            .as_deref()
            .map(|t| format!(": {t}"))
            .unwrap_or_default()
    ));
    show_tracker(p, &plan);
    show_notice(p, &subject, &msg_id, &payload, recorded.as_ref());
    if p.dry_run() {
        super::commit_tracker(p, &ws, &mut session, ReqState::Deployed)?;
        p.line(p.paint(Tone::Dim, "dry run: nothing written, nothing sent"));
        return Ok(StepReport::new(
            "complete",
            Some(req),
            Outcome::Ok,
            "dry run: nothing written, nothing sent",
        )
        .with_data(data));
    }
    if plan.edited.changed {
        let question = format!(
            "Mark {req} DEPLOYED in {} and publish the completion notice?",
            plan.shown
        );
        if !p.confirm(&question, true, "--yes")? {
            return Err(BerryError::declined(format!("{req} was not marked DEPLOYED")).into());
        }
    }
    write_tracker(p, &mut session, &plan, Some(&short))?;
    session.ctx.state = Some(ReqState::Deployed);
    session.save()?;
    let tracker_commit = super::commit_tracker(p, &ws, &mut session, ReqState::Deployed)?;
    let event = send(
        p,
        &ws,
        &mut session,
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
    p.result(format!(
        "{req} DEPLOYED at commit {short} ({at_text}); {notice}"
    ));
    let mut data = data;
    data["stream"] = json!(event.stream);
    data["sent"] = json!(event.acknowledged);
    data["tracker_commit"] = tracker_commit;
    Ok(StepReport::new("complete", Some(req), Outcome::Ok, message).with_data(data))
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
pub fn health_notice(ctx: &crate::context::ReqContext, sha: &str, configured: bool) -> Value {
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
fn ci_gate(session: &Session, no_ci: &NoCi, sha: &str, args: &CompleteArgs) -> Result<String> {
    let req = &session.req;
    if args.no_ci {
        let reason = args.reason.as_deref().unwrap_or("").trim();
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
