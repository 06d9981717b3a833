//! `berry status` for a person: the REQ's heading, its steps and what comes next, then the side
//! effects the ledger records, one labelled row each (the JSON view is [`crate::status`]'s; the
//! rows of the records with parts are [`super::records`]'s).

use super::records;
use crate::commands::checklist::item_line;
use crate::commands::show::short;
use crate::commands::verify::short_hash;
use crate::context::{Ledger, ReqContext};
use crate::printer::{Printer, Tone};
use crate::status::Status;
use crate::workflow::{Outcome, Step};

/// The whole screen for a REQ with a context kept at `path`.
pub fn print(p: &Printer, ctx: &ReqContext, status: &Status, path: &std::path::Path) {
    let (req, title) = (p.paint(Tone::Strong, &ctx.req), ctx.title.as_deref());
    p.result(format!(
        "{req}{}",
        title.map(|t| format!(": {t}")).unwrap_or_default()
    ));
    let qa = ctx.evidence.as_ref().map(|e| {
        let row = match &e.qa {
            Some(q) => format!("{} row {} {}", q.agent, q.row_id, short_hash(&q.sha256)),
            None => "no QA deliverable".into(),
        };
        let approved = match e.approved {
            true => "approved",
            false => "NOT approved",
        };
        format!("{approved} ({row}, from {})", e.source)
    });
    let heading = [
        ("state", ctx.state.as_ref().map(|s| s.to_string())),
        ("context", Some(path.display().to_string())),
        ("QA", qa),
    ];
    for (label, value) in heading {
        if let Some(value) = value {
            p.result(format!("  {:<9}{value}", format!("{label}:")));
        }
    }
    p.result("");
    p.result(p.paint(Tone::Strong, "Steps"));
    for s in Step::ORDER {
        p.result(match ctx.steps.get(&s) {
            Some(r) => {
                let tone = match r.outcome {
                    Outcome::Ok => Tone::Good,
                    Outcome::Skipped => Tone::Dim,
                    _ => Tone::Bad,
                };
                let outcome = p.paint(tone, format!("{:<8}", r.outcome.as_str()));
                let at = crate::clock::rfc3339(r.at);
                format!("  {:<9} {outcome}  {at}  {}", s.as_str(), r.message)
            }
            None => format!("  {:<9} {}", s.as_str(), p.paint(Tone::Dim, "-")),
        });
    }
    p.result("");
    p.result(match status.next {
        Some(n) => format!("Next: berry {n}"),
        None => "Every step is done.".into(),
    });
    let rows = side_effects(&ctx.ledger, status);
    if !rows.is_empty() {
        p.result("");
        p.result(p.paint(Tone::Strong, "Side effects"));
        for r in rows {
            p.result(format!("  {r}"));
        }
    }
}

/// The ledger's side effects, in the order the steps make them: one row each, its label in a
/// column, then what is recorded (a row under another has no label).
fn side_effects(l: &Ledger, status: &Status) -> Vec<String> {
    let mut rows = Vec::new();
    let mut add = |label: &str, value: String| match label {
        "" => rows.push(value),
        _ => rows.push(format!("{label:<7} {value}")),
    };
    if let Some(c) = &l.commit {
        let on_branch = status.commit.as_ref().and_then(|v| v.on_branch);
        add("commit", records::commit(c, on_branch));
    }
    if let Some(t) = &l.tests {
        let tree = t.tree.as_deref().unwrap_or("(not recorded)");
        add(
            "tests",
            format!("{} for tree {tree}", records::passed(t.passed)),
        );
    }
    if let Some(s) = &l.tests_skipped {
        let row = format!("SKIPPED for tree {}: {}", s.tree, s.reason);
        add("tests", row);
    }
    if let Some(push) = &l.push {
        add("push", format!("{} {}", push.remote, push.refname));
    }
    if let Some(pr) = &l.pr {
        let skipped = pr.skipped.as_ref().map(|s| format!("skipped ({s})"));
        let row = pr.url.clone().or(skipped).unwrap_or("not needed".into());
        add("pr", row);
    }
    if let Some(i) = &l.issue {
        add("issue", i.url.clone());
    }
    if let Some(h) = &l.health {
        add("health", records::health(h));
        h.checks.iter().for_each(|c| add("", records::check(c)));
    }
    if let Some(c) = &l.checklist {
        add("checklist", records::checklist(c));
        let plain = Printer::plain();
        c.items
            .iter()
            .for_each(|i| add("", format!("  {}", item_line(&plain, i).trim_start())));
    }
    if let Some(s) = &l.health_skipped {
        let row = format!("SKIPPED for {}: {}", short(&s.sha), s.reason);
        add("health", row);
    }
    for t in &l.tracker {
        add("tracker", t.status.to_string());
    }
    for c in &l.tracker_commits {
        add("tracker commit", records::tracker_commit(c));
    }
    for o in &l.freeze_overrides {
        let row = format!("overridden for {}: {}: {}", o.step, o.window, o.reason);
        add("freeze", row);
    }
    if let Some(r) = &l.rollback {
        add("rollback", records::rollback(r));
    }
    for f in &l.failures {
        add("failure", records::failure(f));
    }
    for e in &l.events {
        // A plain publish (no stream covers the subject) reached the server but nobody stored
        // it: only a stream's acknowledgement is "acknowledged".
        let how = match (e.acknowledged, &e.stream) {
            (true, Some(_)) => "acknowledged",
            (true, None) => "sent, not persisted",
            (false, _) => "PENDING",
        };
        add("event", format!("{} {} ({how})", e.kind, e.msg_id));
    }
    rows
}
