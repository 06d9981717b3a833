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
                .with_data(json!({"next": "verify", "context": Value::Null})),
        );
    };
    let next = crate::workflow::next(&ctx);
    if !p.json() {
        print_human(p, &ctx, next, &ws.store.path_of(&req));
    }
    let message = match next {
        Some(n) => format!("next: {n}"),
        None => "every step is done".into(),
    };
    Ok(StepReport::new("status", Some(req), Outcome::Ok, message)
        .with_data(json!({"next": next, "context": serde_json::to_value(&ctx)?})))
}

fn print_human(p: &Printer, ctx: &ReqContext, next: Option<Step>, path: &std::path::Path) {
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
            "commit  {}{}",
            c.sha,
            c.rebased_from
                .as_deref()
                .map(|o| format!(" (rebased from {o} by push)"))
                .unwrap_or_default()
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
    for t in &l.tracker {
        effects.push(format!("tracker {}", t.status));
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
