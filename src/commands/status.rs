//! `berry status`: what is recorded for a REQ, what comes next, what side effects exist.

use anyhow::Result;
use clap::Args;
use serde_json::{Value, json};

use super::{Env, Outcome, Step, StepReport};
use crate::context::ReqContext;
use crate::printer::{Printer, Tone};
use crate::req::ReqNumber;

/// Show what is recorded for a REQ: each step's outcome, the next step, and the side effects
/// (commit, push, PR, CI issue, tracker edits, events). Without a REQ and none current, lists the
/// REQs that have a context in this repository.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The REQ to show. Defaults to --req, then the current REQ.
    #[arg(value_name = "REQ", value_parser = ReqNumber::parse, add = clap_complete::engine::ArgValueCompleter::new(crate::complete::reqs))]
    pub req: Option<ReqNumber>,
}

pub fn run(env: &Env, args: StatusArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let p = &env.printer;
    let explicit = args.req.or_else(|| env.globals.req.clone());
    let req = match explicit {
        Some(r) => r,
        None => match ws.store.current()? {
            Some(r) => r,
            None => {
                let reqs = ws.store.list();
                if reqs.is_empty() {
                    p.result("No REQ has been verified in this repository yet.");
                } else {
                    p.result("REQs with a context here:");
                    for r in &reqs {
                        p.result(format!("  {r}"));
                    }
                }
                return Ok(StepReport::new(
                    "status",
                    None,
                    Outcome::Ok,
                    format!("{} REQ(s)", reqs.len()),
                )
                .with_data(json!({"reqs": reqs})));
            }
        },
    };
    let Some(ctx) = ws.store.peek(&req)? else {
        p.result(format!(
            "{req}: nothing recorded yet (next: berry verify {req})"
        ));
        return Ok(
            StepReport::new("status", Some(req.clone()), Outcome::Ok, "nothing recorded")
                .with_data(json!({"schema_version": STATUS_SCHEMA_VERSION, "req": req, "next": Step::Verify, "steps": []})),
        );
    };
    let next = crate::workflow::next(&ctx);
    let health_configured = !ws.config.health.all_checks().is_empty();
    if !p.json() {
        print_human(p, &ctx, next, &ws.store.path_of(&req), &ws.repo);
    }
    let message = match next {
        Some(n) => format!("next: {n}"),
        None => "every step is done".into(),
    };
    Ok(
        StepReport::new("status", Some(req), Outcome::Ok, message).with_data(schema(
            &ctx,
            &ws.repo,
            health_configured,
        )),
    )
}

/// The version of the `status --json` schema (`data.schema_version`). It changes only when a
/// field is removed or changes meaning; new fields may appear within a version.
pub const STATUS_SCHEMA_VERSION: u32 = 1;

/// `status --json`'s `data`: a documented view of the REQ (README "berry status --json"), not the
/// internal context file. Times are RFC 3339 in UTC with whole seconds.
pub fn schema(ctx: &ReqContext, repo: &git2::Repository, health_configured: bool) -> Value {
    let t = |ts: jiff::Timestamp| crate::clock::rfc3339(ts);
    let steps: Vec<Value> = Step::ORDER
        .iter()
        .map(|s| match ctx.steps.get(s) {
            Some(r) => json!({
                "step": s, "outcome": r.outcome, "at": t(r.at), "message": r.message,
            }),
            None => json!({"step": s, "outcome": null, "at": null, "message": null}),
        })
        .collect();
    let l = &ctx.ledger;
    let shipped = ctx.shipped_sha().map(str::to_string);
    let tree = shipped
        .as_deref()
        .and_then(|s| git2::Oid::from_str(s).ok())
        .and_then(|o| repo.find_commit(o).ok())
        .map(|c| c.tree_id().to_string())
        .or_else(|| l.commit.as_ref().and_then(|c| c.tree.clone()));
    let tests_for = match crate::workflow::tests_for(ctx, tree.as_deref()) {
        crate::workflow::TestsFor::Passed => "passed",
        crate::workflow::TestsFor::Failed => "failed",
        crate::workflow::TestsFor::Skipped(_) => "skipped",
        crate::workflow::TestsFor::NotRun => "not_run",
    };
    json!({
        "schema_version": STATUS_SCHEMA_VERSION,
        "req": ctx.req,
        "title": ctx.title,
        "state": ctx.state,
        "next": crate::workflow::next(ctx),
        "updated_at": t(ctx.updated_at),
        "steps": steps,
        "evidence": ctx.evidence.as_ref().map(|e| json!({
            "approved": e.approved,
            "source": e.source,
            "verified_at": t(e.verified_at),
            "reasons": e.reasons,
            "qa": e.qa.as_ref().map(|q| json!({"agent": q.agent, "row_id": q.row_id, "sha256": q.sha256})),
        })),
        "commit": l.commit.as_ref().map(|c| json!({
            "sha": c.sha,
            "branch": c.branch,
            "tree": c.tree,
            "at": t(c.at),
            "rebased_from": c.rebased_from,
            "on_branch": on_branch(repo, &c.branch, &c.sha),
        })),
        "tests": {
            "for_shipped_tree": tests_for,
            "passed": l.tests.as_ref().map(|x| x.passed),
            "tree": l.tests.as_ref().and_then(|x| x.tree.clone()),
            "at": l.tests.as_ref().map(|x| t(x.at)),
            "log": l.tests.as_ref().map(|x| x.log.clone()),
            "skipped_reason": l.tests_skipped.as_ref().map(|s| s.reason.clone()),
        },
        "push": l.push.as_ref().map(|p| json!({
            "remote": p.remote, "url": p.url, "ref": p.refname, "sha": p.sha, "branch": p.branch, "at": t(p.at),
        })),
        "pr": l.pr.as_ref().map(|p| json!({
            "number": p.number, "url": p.url, "not_needed": p.not_needed, "skipped": p.skipped,
            "reviewers": p.reviewers, "labels": p.labels, "at": t(p.at),
        })),
        "watch": l.watch.as_ref().map(|w| json!({
            "conclusion": w.conclusion, "sha": w.sha, "reason": w.reason, "issue": w.issue, "at": t(w.at),
        })),
        "issue": l.issue.as_ref().map(|i| json!({"number": i.number, "url": i.url, "at": t(i.at)})),
        "health": {
            "for_shipped_commit": crate::workflow::health_for(ctx, ctx.shipped_sha(), health_configured).as_str(),
            "sha": l.health.as_ref().map(|h| h.sha.clone()),
            "passed": l.health.as_ref().map(|h| h.passed),
            "at": l.health.as_ref().map(|h| t(h.at)),
            "elapsed_ms": l.health.as_ref().map(|h| h.elapsed_ms),
            "checks": l.health.as_ref().map(|h| h.checks.iter().map(|c| json!({
                "name": c.name, "kind": c.kind, "target": c.target, "passed": c.passed,
                "attempts": c.attempts, "latency_ms": c.latency_ms, "detail": c.detail,
            })).collect::<Vec<_>>()).unwrap_or_default(),
            "skipped_reason": l.health_skipped.as_ref().map(|s| s.reason.clone()),
            "skipped_sha": l.health_skipped.as_ref().map(|s| s.sha.clone()),
        },
        "checklist": l.checklist.as_ref().map(|c| json!({
            "sha": c.sha,
            "at": t(c.at),
            "done": c.done(),
            "items": crate::notice::checklist(ctx, &c.sha),
        })),
        "tracker": l.tracker.iter().map(|x| json!({"path": x.path, "status": x.status, "at": x.at, "commit": x.commit})).collect::<Vec<_>>(),
        "events": l.events.iter().map(|e| json!({
            "kind": e.kind, "subject": e.subject, "msg_id": e.msg_id, "acknowledged": e.acknowledged,
            "sent_at": e.sent_at.map(t),
        })).collect::<Vec<_>>(),
        "failures": l.failures.iter().map(|f| json!({
            "kind": f.kind, "id": f.id, "commit": f.commit, "error": f.error, "at": t(f.at),
            "issue": f.issue.as_ref().map(|i| json!({"number": i.number, "url": i.url})),
            "issue_state": issue_state(f),
            "issue_error": f.issue_error,
            "github_pending": f.github_pending(),
            "resolved_by": f.resolved.as_ref().map(|r| r.sha.clone()),
        })).collect::<Vec<_>>(),
    })
}

/// `open`, `closed`, `pending` (owed to GitHub), `skipped` (no GitHub repository) or `none`.
fn issue_state(f: &crate::context::FailureRecord) -> &'static str {
    if f.issue_skipped.is_some() {
        "skipped"
    } else if f.github_pending() {
        "pending"
    } else if f.issue_open() {
        "open"
    } else if f.issue.is_some() {
        "closed"
    } else {
        "none"
    }
}

/// Whether `branch` still contains `sha` (`None` when either is gone). After a rebase or a reset
/// the recorded commit is no longer what the branch ships.
fn on_branch(repo: &git2::Repository, branch: &str, sha: &str) -> Option<bool> {
    let oid = git2::Oid::from_str(sha).ok()?;
    let tip = repo.refname_to_id(&format!("refs/heads/{branch}")).ok()?;
    Some(tip == oid || repo.graph_descendant_of(tip, oid).unwrap_or(false))
}

fn print_human(
    p: &Printer,
    ctx: &ReqContext,
    next: Option<Step>,
    path: &std::path::Path,
    repo: &git2::Repository,
) {
    p.result(format!(
        "{}{}",
        p.paint(Tone::Strong, &ctx.req),
        ctx.title
            .as_deref()
            .map(|t| format!(": {t}"))
            .unwrap_or_default()
    ));
    if let Some(s) = &ctx.state {
        p.result(format!("  state:   {s}"));
    }
    p.result(format!("  context: {}", path.display()));
    if let Some(e) = &ctx.evidence {
        let qa =
            e.qa.as_ref()
                .map(|q| {
                    format!(
                        "{} row {} {}",
                        q.agent,
                        q.row_id,
                        super::verify::short_hash(&q.sha256)
                    )
                })
                .unwrap_or_else(|| "no QA deliverable".into());
        p.result(format!(
            "  QA:      {} ({qa}, from {})",
            if e.approved {
                "approved"
            } else {
                "NOT approved"
            },
            e.source
        ));
    }
    p.result("");
    p.result(p.paint(Tone::Strong, "Steps"));
    for s in Step::ORDER {
        match ctx.steps.get(&s) {
            Some(r) => {
                let tone = match r.outcome {
                    Outcome::Ok => Tone::Good,
                    Outcome::Skipped => Tone::Dim,
                    _ => Tone::Bad,
                };
                p.result(format!(
                    "  {:<9} {}  {}  {}",
                    s.as_str(),
                    p.paint(tone, format!("{:<8}", r.outcome.as_str())),
                    crate::clock::rfc3339(r.at),
                    r.message
                ));
            }
            None => p.result(format!("  {:<9} {}", s.as_str(), p.paint(Tone::Dim, "-"))),
        }
    }
    p.result("");
    match next {
        Some(n) => p.result(format!("Next: berry {n}")),
        None => p.result("Every step is done."),
    }
    let l = &ctx.ledger;
    let mut effects = Vec::new();
    if let Some(c) = &l.commit {
        effects.push(format!(
            "commit  {}{}{}",
            c.sha,
            c.rebased_from
                .as_deref()
                .map(|o| format!(" (rebased from {o} by push)"))
                .unwrap_or_default(),
            if on_branch(repo, &c.branch, &c.sha) == Some(false) {
                format!(
                    " (NOT on {} any more: the branch was rebased or reset since; this is not what it ships)",
                    c.branch
                )
            } else {
                String::new()
            }
        ));
    }
    if let Some(t) = &l.tests {
        effects.push(format!(
            "tests   {} for tree {}",
            if t.passed { "passed" } else { "FAILED" },
            t.tree.as_deref().unwrap_or("(not recorded)")
        ));
    }
    if let Some(s) = &l.tests_skipped {
        effects.push(format!("tests   SKIPPED for tree {}: {}", s.tree, s.reason));
    }
    if let Some(push) = &l.push {
        effects.push(format!("push    {} {}", push.remote, push.refname));
    }
    if let Some(pr) = &l.pr {
        effects.push(format!(
            "pr      {}",
            pr.url
                .clone()
                .or_else(|| pr.skipped.as_ref().map(|s| format!("skipped ({s})")))
                .unwrap_or_else(|| "not needed".into())
        ));
    }
    if let Some(i) = &l.issue {
        effects.push(format!("issue   {}", i.url));
    }
    if let Some(h) = &l.health {
        let sha = h.sha.get(..12).unwrap_or(&h.sha);
        if h.checks.is_empty() {
            effects.push(format!("health  skipped for {sha}: no checks configured"));
        } else {
            effects.push(format!(
                "health  {} for {sha} ({} check{})",
                if h.passed { "passed" } else { "FAILED" },
                h.checks.len(),
                if h.checks.len() == 1 { "" } else { "s" }
            ));
        }
        for c in &h.checks {
            effects.push(format!(
                "          {} {}: {} ({} ms, {} attempt{})",
                if c.passed { "ok  " } else { "FAIL" },
                c.name,
                c.detail,
                c.latency_ms,
                c.attempts,
                if c.attempts == 1 { "" } else { "s" }
            ));
        }
    }
    if let Some(c) = &l.checklist {
        let sha = c.sha.get(..12).unwrap_or(&c.sha);
        let ok = c.items.iter().filter(|i| i.ok()).count();
        let missing = c.missing();
        effects.push(format!(
            "checklist {ok}/{} for {sha}{}",
            c.items.len(),
            if missing.is_empty() {
                String::new()
            } else {
                format!(" (required, not done: {})", missing.join(", "))
            }
        ));
        let plain = Printer::plain();
        for i in &c.items {
            effects.push(format!(
                "  {}",
                super::checklist::item_line(&plain, i).trim_start()
            ));
        }
    }
    if let Some(s) = &l.health_skipped {
        let sha = s.sha.get(..12).unwrap_or(&s.sha);
        effects.push(format!("health  SKIPPED for {sha}: {}", s.reason));
    }
    for t in &l.tracker {
        effects.push(format!("tracker {}", t.status));
    }
    for f in &l.failures {
        let issue = f
            .issue
            .as_ref()
            .map(|i| format!("issue #{} {}", i.number, i.url));
        let what = match issue_state(f) {
            "skipped" => format!(
                "no issue ({})",
                f.issue_skipped.as_deref().unwrap_or_default()
            ),
            "pending" => format!(
                "{} PENDING: {} (the next `berry test` or `berry push` sends it)",
                issue.unwrap_or_else(|| "issue".into()),
                match (&f.resolved, &f.issue_error) {
                    (Some(r), _) => format!("comment {} and close", &r.sha[..r.sha.len().min(12)]),
                    (None, Some(e)) => format!("not written, GitHub said: {e}"),
                    (None, None) => "not written yet".into(),
                }
            ),
            "open" => format!("{} (open)", issue.unwrap_or_default()),
            "closed" => format!(
                "{} (closed{})",
                issue.unwrap_or_default(),
                f.resolved
                    .as_ref()
                    .map(|r| format!(" by {}", &r.sha[..r.sha.len().min(12)]))
                    .unwrap_or_default()
            ),
            _ => "no issue".into(),
        };
        effects.push(format!(
            "failure {} failed: {}; {what}",
            f.kind.as_str(),
            f.error
        ));
    }
    for e in &l.events {
        effects.push(format!(
            "event   {} {} ({})",
            e.kind,
            e.msg_id,
            // A plain publish (no stream covers the subject) reached the server but nobody
            // stored it: only a stream's acknowledgement is "acknowledged".
            match (e.acknowledged, &e.stream) {
                (true, Some(_)) => "acknowledged",
                (true, None) => "sent, not persisted",
                (false, _) => "PENDING",
            }
        ));
    }
    if !effects.is_empty() {
        p.result("");
        p.result(p.paint(Tone::Strong, "Side effects"));
        for e in effects {
            p.result(format!("  {e}"));
        }
    }
}
