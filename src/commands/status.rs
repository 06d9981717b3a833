//! `berry status`: what is recorded for a REQ, what comes next, what side effects exist. The
//! view `--json` prints is built by [`crate::status`]; this file renders it for a person.

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::{Env, Outcome, Step, StepReport};
use crate::context::ReqContext;
use crate::printer::{Printer, Tone};
use crate::req::ReqNumber;
use crate::status::{self as work, Found, issue_state, on_branch};

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
    let named = args.req.or_else(|| env.globals.req.clone());
    match work::status(&ws, named)? {
        Found::List(reqs) => {
            if reqs.is_empty() {
                p.result("No REQ has been verified in this repository yet.");
            } else {
                p.result("REQs with a context here:");
                for r in &reqs {
                    p.result(format!("  {r}"));
                }
            }
            Ok(StepReport::new(
                "status",
                None,
                Outcome::Ok,
                format!("{} REQ(s)", reqs.len()),
            )
            .with_data(json!({"reqs": reqs})))
        }
        Found::Nothing(nothing) => {
            let req = nothing.req.clone();
            p.result(format!(
                "{req}: nothing recorded yet (next: berry verify {req})"
            ));
            Ok(
                StepReport::new("status", Some(req), Outcome::Ok, "nothing recorded")
                    .with_data(serde_json::to_value(&nothing)?),
            )
        }
        Found::Recorded { ctx, status } => {
            let next = status.next;
            if !p.json() {
                print_human(p, &ctx, next, &ws.store.path_of(&ctx.req), &ws.repo);
            }
            let message = match next {
                Some(n) => format!("next: {n}"),
                None => "every step is done".into(),
            };
            Ok(
                StepReport::new("status", Some(ctx.req.clone()), Outcome::Ok, message)
                    .with_data(serde_json::to_value(&status)?),
            )
        }
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
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
    for c in &l.tracker_commits {
        effects.push(format!(
            "tracker commit {} ({}): {}",
            short(&c.sha),
            c.status,
            match (&c.pushed, &c.not_pushed) {
                (Some(to), _) => format!("pushed to {to}"),
                (None, Some(why)) => format!("kept local: {why}"),
                (None, None) => "not pushed yet".into(),
            }
        ));
    }
    for o in &l.freeze_overrides {
        effects.push(format!(
            "freeze  overridden for {}: {}: {}",
            o.step, o.window, o.reason
        ));
    }
    if let Some(r) = &l.rollback {
        let mut done = vec![match (&r.revert, &r.onto) {
            (Some(rev), Some(onto)) => format!("reverted as {} onto {}", short(rev), short(onto)),
            (Some(rev), None) => format!("reverted as {}", short(rev)),
            (None, _) => "not reverted yet".into(),
        }];
        if r.revert.is_some() {
            done.push(
                if r.tested {
                    "tests passed"
                } else {
                    "not tested yet"
                }
                .into(),
            );
        }
        done.push(match (&r.pushed, r.pr_number) {
            (Some(to), _) => format!("pushed to {to}"),
            (None, Some(n)) => format!(
                "pull request #{n} {}",
                r.pr_url.as_deref().unwrap_or_default()
            ),
            (None, None) => "not pushed yet".into(),
        });
        if let Some(checks) = &r.health {
            done.push(if checks.is_empty() {
                "no health checks configured".into()
            } else if checks.iter().all(|c| c.passed) {
                "health passed".into()
            } else {
                "health FAILED".into()
            });
        }
        if let Some(ms) = r.duration_ms {
            done.push(format!("{:.1}s", ms as f64 / 1000.0));
        }
        effects.push(format!(
            "rollback of {} ({}): {}",
            short(&r.target),
            r.reason,
            done.join("; ")
        ));
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
