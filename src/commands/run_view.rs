//! How `berry --dry-run run` shows a step it cannot run yet (its inputs are not recorded): what
//! it would do, what it checks, and the texts it would write or send (see [`crate::plan`]).

use anyhow::Result;
use serde_json::{Value, json};

use super::{Env, Step, Workspace};
use crate::plan::Text;
use crate::printer::Tone;
use crate::req::ReqNumber;

/// Shows the planned `step` (with `--json`, its own line); returns its entry in `run`'s data.
pub fn planned(env: &Env, ws: &Workspace, req: &ReqNumber, step: Step) -> Result<Value> {
    let p = &env.printer;
    let needs: Vec<&str> = crate::workflow::needs(step)
        .iter()
        .map(|n| n.bound_to())
        .collect();
    let checks = match needs.is_empty() {
        true => String::new(),
        false => format!(" (it checks {})", needs.join(", ")),
    };
    p.line(format!(
        "would then run `berry {step}`: {}{checks}",
        step.summary()
    ));
    let texts = show_texts(env, ws, req, step)?;
    if p.json() {
        // The same shape as every step's line; "planned" is not an outcome a step records,
        // only what a dry run says of a step it cannot run yet.
        let data = json!({"checks": needs, "texts": texts});
        let line = json!({"req": req, "step": step, "outcome": "planned", "message": step.summary(), "data": data});
        crate::cli::print_json(&line);
    }
    Ok(json!({"step": step, "outcome": "planned", "summary": step.summary()}))
}

/// The texts the planned step would write or send, rendered; returned for its JSON.
fn show_texts(env: &Env, ws: &Workspace, req: &ReqNumber, step: Step) -> Result<Vec<Text>> {
    let p = &env.printer;
    let Some(ctx) = ws.store.peek(req)? else {
        return Ok(Vec::new());
    };
    let rows = env
        .source(ws)
        .and_then(|mut s| s.latest(req))
        .unwrap_or_default();
    let branch = crate::commit::branch(&ws.repo).map_or_else(|_| "HEAD".into(), |b| b.name);
    let (repo, root, config, now) = (&ws.repo, &ws.root, &ws.config, crate::clock::now()?);
    let inputs = crate::plan::Inputs {
        repo,
        root,
        config,
        ctx: &ctx,
        rows: &rows,
        branch: &branch,
        now,
    };
    let block = |label: String, text: &str| {
        p.line(label);
        let lines: Vec<String> = text
            .trim_end()
            .lines()
            .map(|l| format!("    {l}"))
            .collect();
        p.line(lines.join("\n"));
    };
    let texts = crate::plan::texts(step, &inputs)?;
    for text in &texts {
        match text {
            Text::CommitMessage(m) => block("  commit message:".into(), m),
            Text::Pr { title, body } => {
                p.line(format!("  pull request title: {title}"));
                block("  pull request body:".into(), body);
            }
            Text::Tracker {
                path,
                line,
                from,
                to,
                old,
                new,
            } => {
                let from = if from.is_empty() { "(empty)" } else { from };
                p.line(format!("  tracker: {path} line {line}: {from} → {to}"));
                p.line(crate::diffview::preview(p, old.as_bytes(), new.as_bytes(), 200).trim_end());
            }
            Text::Notice {
                subject,
                msg_id,
                payload,
            } => {
                let label = format!("  notice on {subject} (id {msg_id}):");
                block(label, &serde_json::to_string_pretty(payload)?);
            }
            Text::Note(n) => p.line(p.paint(Tone::Dim, format!("  {n}"))),
        }
    }
    if matches!(step, Step::Pr | Step::Complete) && ctx.shipped_sha().is_none() {
        let sha = crate::plan::PLANNED_SHA;
        let note =
            format!("  ({sha} stands for the commit berry makes; the tests are taken as passed)");
        p.line(p.paint(Tone::Dim, note));
    }
    Ok(texts)
}
