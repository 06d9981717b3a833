//! The pull request's texts: the title `REQ: Title` and the body rendered from
//! `templates/pr.md` (or the repository's `.berry/templates/pr.md`) with the deliverables, the
//! QA verdict, the tests as they stand for the shipped tree, the freeze overrides and the
//! checklist. `berry pr` sends them; `berry run --dry-run` shows them before anything ran.

use std::path::Path;

use anyhow::{Context as _, Result};
use serde_json::{Value, json};

use crate::config::Config;
use crate::context::ReqContext;
use crate::deliverables::Row;
use crate::req::ReqNumber;

/// berry's own body template.
pub const TEMPLATE: &str = include_str!("../templates/pr.md");
/// The repository's override of it.
pub const OVERRIDE: &str = ".berry/templates/pr.md";

/// What ships, as the body names it.
pub struct Shipping<'a> {
    /// The pushed commit's SHA.
    pub sha: &'a str,
    /// The pushed branch (the PR's head).
    pub branch: &'a str,
    /// The tree of that commit, for the tests' standing.
    pub tree: Option<&'a str>,
}

/// `REQ: Title`, or the REQ alone.
pub fn title(req: &ReqNumber, ctx: &ReqContext) -> String {
    match ctx.title.as_deref() {
        Some(t) => format!("{req}: {t}"),
        None => req.to_string(),
    }
}

/// The body: the repository's template when it has one, else berry's, rendered with `rows` (the
/// deliverables as read now; empty: the recorded evidence only).
pub fn body(
    root: &Path,
    config: &Config,
    ctx: &ReqContext,
    shipping: &Shipping<'_>,
    rows: &[Row],
) -> Result<String> {
    let over = root.join(OVERRIDE);
    let text = match std::fs::read_to_string(&over) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => TEMPLATE.to_string(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", over.display())),
    };
    let values = body_context(config, ctx, shipping, rows);
    let mut j = minijinja::Environment::new();
    j.set_trim_blocks(true);
    j.set_lstrip_blocks(true);
    j.add_template_owned("pr.md", text)
        .with_context(|| "the pull request template does not parse".to_string())?;
    let out = j
        .get_template("pr.md")?
        .render(minijinja::Value::from_serialize(&values))
        .context("the pull request template does not render")?;
    Ok(out.trim_end().to_string() + "\n")
}

fn body_context(config: &Config, ctx: &ReqContext, shipping: &Shipping<'_>, rows: &[Row]) -> Value {
    let agents = &config.agents;
    let summary: Vec<Value> = agents
        .summary
        .iter()
        .filter_map(|a| {
            let r = rows.iter().find(|r| r.is_agent(a))?;
            let text = r.deliverable.get("summary")?.as_str()?.trim().to_string();
            (!text.is_empty()).then(|| json!({"agent": a, "text": text}))
        })
        .collect();
    let mut changes: Vec<String> = Vec::new();
    for a in &agents.summary {
        let Some(r) = rows.iter().find(|r| r.is_agent(a)) else {
            continue;
        };
        for ptr in [
            "/filesCreated",
            "/filesModified",
            "/changes/files_created",
            "/changes/files_modified",
            "/changes/files_deleted",
        ] {
            if let Some(list) = r.deliverable.pointer(ptr).and_then(Value::as_array) {
                for f in list.iter().filter_map(Value::as_str) {
                    if !changes.iter().any(|c| c == f) {
                        changes.push(f.to_string());
                    }
                }
            }
        }
    }
    let qa = rows.iter().find(|r| r.is_agent(&agents.qa)).map(|r| {
        let d = &r.deliverable;
        let num = |ptrs: &[&str]| {
            ptrs.iter()
                .find_map(|p| d.pointer(p).cloned())
                .unwrap_or(Value::Null)
        };
        json!({
            "agent": r.agent,
            "status": d.get("status").and_then(Value::as_str).unwrap_or("unknown"),
            "total": num(&["/testResults/totalTests", "/testResults/total"]),
            "passed": num(&["/testResults/passed"]),
            "failed": num(&["/testResults/failed", "/testsFailed"]),
            "skipped": num(&["/testResults/skipped"]),
        })
    });
    let deliverables: Vec<Value> = if rows.is_empty() {
        ctx
            .evidence
            .as_ref()
            .map(|e| {
                e.deliverables
                    .iter()
                    .map(|d| json!({"agent": d.agent, "status": d.status.as_deref().unwrap_or("-"), "verdict": "delivered"}))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        crate::gate::decide(agents, rows)
            .agents
            .iter()
            .map(|l| {
                let verdict = if !l.delivered {
                    "missing".to_string()
                } else if let Some(v) = &l.verdict {
                    v.clone()
                } else if !l.problems.is_empty() {
                    l.problems.join("; ")
                } else {
                    "ok".to_string()
                };
                json!({"agent": l.agent, "status": l.status.as_deref().unwrap_or("-"), "verdict": verdict})
            })
            .collect()
    };
    let tests = match crate::workflow::tests_for(ctx, shipping.tree) {
        crate::workflow::TestsFor::Passed => json!({"passed": true, "skipped": null}),
        crate::workflow::TestsFor::Skipped(reason) => json!({"passed": false, "skipped": reason}),
        _ => json!({"passed": false, "skipped": null}),
    };
    json!({
        "req": ctx.req.as_str(),
        "title": ctx.title.as_deref().unwrap_or(""),
        "tests": tests,
        "freeze_overrides": crate::notice::freeze_overrides(ctx),
        "checklist": crate::notice::checklist(ctx, shipping.sha),
        "summary": summary,
        "changes": changes,
        "qa": qa,
        "deliverables": deliverables,
        "commit": {"sha": shipping.sha, "short": shipping.sha.chars().take(12).collect::<String>(), "branch": shipping.branch},
    })
}
