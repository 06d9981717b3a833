//! `berry verify`: load the REQ's deliverables, decide the QA verdict, record it with its evidence.

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::{Env, Outcome, Session, Step, StepReport};
use crate::context::{Evidence, EvidenceItem};
use crate::deliverables::Row;
use crate::gate::{self, Verdict};
use crate::printer::{Printer, Tone};
use crate::req::ReqNumber;

/// Check that QA approved the REQ, and record the evidence the later steps are bound to.
///
/// Loads the latest deliverable of every agent (PostgreSQL, or --deliverables DIR), prints a table
/// of the expected agents, and decides the verdict: approved only when QA's deliverable is
/// COMPLETE and nothing in it says otherwise, and the critique is not REJECTED. Not approved exits 3.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The REQ to verify; it becomes the current REQ. Defaults to --req, then the current REQ.
    #[arg(value_name = "REQ", value_parser = ReqNumber::parse, add = clap_complete::engine::ArgValueCompleter::new(crate::complete::reqs))]
    pub req: Option<ReqNumber>,
}

pub fn run(env: &Env, args: VerifyArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(args.req, &ws.store)?;
    let p = &env.printer;
    // Lock and read the context first: a second berry on this REQ, or a context this berry cannot
    // read, stops here before anything is queried.
    let mut session = if p.dry_run() {
        None
    } else {
        Some(Session::open(
            &ws.store,
            req.clone(),
            Step::Verify.as_str(),
        )?)
    };
    let mut source = env.source(&ws)?;
    let rows = source.latest(&req)?;
    if rows.is_empty() {
        // A mistyped REQ: nothing to verify, nothing to record, nothing to block.
        let known = source.known_reqs(crate::deliverables::NEAR_SCAN)?;
        let near = crate::deliverables::near_reqs(req.as_str(), &known);
        return Err(crate::deliverables::no_deliverables(&req, &source.describe(), &near).into());
    }
    let verdict = gate::decide(&ws.config.agents, &rows);
    let tracker_text = std::fs::read_to_string(ws.root.join(&ws.config.tracker.path)).ok();
    let title = tracker_text
        .as_deref()
        .and_then(|t| crate::tracker::title(t, req.as_str()))
        .or_else(|| gate::title_from(&rows, &ws.config.agents.qa));
    let now = crate::clock::now()?;

    p.line(format!(
        "{} {}{}",
        p.paint(Tone::Strong, "Verifying"),
        req,
        title
            .as_deref()
            .map(|t| format!(": {t}"))
            .unwrap_or_default()
    ));
    p.line(p.paint(
        Tone::Dim,
        format!("  deliverables from {}", source.describe()),
    ));
    p.line("");
    p.line(table(p, &verdict, now));
    p.line("");
    for w in &verdict.warnings {
        p.warn(w);
    }

    let evidence = Evidence {
        source: source.describe(),
        verified_at: now,
        approved: verdict.approved,
        reasons: verdict.reasons.clone(),
        qa: rows
            .iter()
            .find(|r| r.is_agent(&ws.config.agents.qa))
            .map(item),
        deliverables: rows.iter().map(item).collect(),
    };
    let data = json!({
        "title": title,
        "approved": verdict.approved,
        "reasons": verdict.reasons,
        "warnings": verdict.warnings,
        "agents": verdict.agents,
        "evidence": evidence,
    });

    if let Some(session) = session.as_mut() {
        ws.store.set_current(&req)?;
        session.ctx.title = title.clone().or(session.ctx.title.take());
        session.ctx.evidence = Some(evidence.clone());
        if verdict.approved {
            if session.ctx.state == Some(crate::workflow::ReqState::Blocked) {
                session.ctx.state = None;
            }
            session.record(Step::Verify, Outcome::Ok, "QA approved")?;
        } else {
            session.ctx.state = Some(crate::workflow::ReqState::Blocked);
            session.record(Step::Verify, Outcome::Blocked, &verdict.reasons.join("; "))?;
        }
    }

    if verdict.approved {
        let qa = evidence.qa.as_ref().expect("approved means QA delivered");
        p.line(format!(
            "{} QA approved by {} (row {}, {})",
            p.paint(Tone::Good, "✔"),
            qa.agent,
            qa.row_id,
            short_hash(&qa.sha256)
        ));
        match session
            .as_ref()
            .map(|s| s.ctx.clone())
            .or_else(|| ws.store.peek(&req).ok().flatten())
        {
            Some(ctx) => super::print_next(p, &ctx, Step::Verify),
            None => p.next(&Step::Review.command()),
        }
        Ok(StepReport::new("verify", Some(req), Outcome::Ok, "QA approved").with_data(data))
    } else {
        p.line(format!(
            "{} QA has not approved {req}:",
            p.paint(Tone::Bad, "✘")
        ));
        for r in &verdict.reasons {
            p.line(format!("  - {r}"));
        }
        p.line("");
        let message = format!("QA not approved: {}", verdict.reasons.join("; "));
        let blocked = offer_block(env, &ws, &req, &message, session.as_mut());
        let mut data = data;
        data["block"] = blocked;
        Ok(StepReport::new("verify", Some(req), Outcome::Blocked, message).with_data(data))
    }
}

/// Not approved: mark BLOCKED and publish the blocked notice, when there is someone to ask (or
/// `--yes`); otherwise say how to do it later. Whatever happens here, verify still exits 3.
fn offer_block(
    env: &Env,
    ws: &super::Workspace,
    req: &ReqNumber,
    reason: &str,
    held: Option<&mut Session>,
) -> serde_json::Value {
    let p = &env.printer;
    let later = format!("berry block {req} --reason \"…\"");
    if !p.dry_run() && !p.yes() && !p.interactive() {
        if already_blocked(ws, req) {
            p.line(format!(
                "{req} is already marked BLOCKED and the blocked notice was sent."
            ));
            return json!({"done": true, "already": true});
        }
        p.line(format!(
            "The tracker was not marked BLOCKED and no blocked notice was sent (no terminal to ask, no --yes); to do it later: {later}"
        ));
        return json!({"done": false, "skipped": "no terminal and no --yes"});
    }
    // The session verify holds (a dry run holds none: it takes one to read the context).
    let mut opened = None;
    let session = match held {
        Some(s) => Ok(s),
        None => {
            Session::open(&ws.store, req.clone(), Step::Verify.as_str()).map(|s| opened.insert(s))
        }
    };
    let outcome = session.and_then(|session| {
        let done = super::block::apply(env, ws, session, reason, "verify")?;
        if !p.dry_run() {
            session.record(Step::Block, Outcome::Ok, reason)?;
        }
        Ok(done)
    });
    match outcome {
        Ok(done) => {
            let mut d = done.data;
            d["done"] = json!(!p.dry_run());
            d
        }
        Err(e) => {
            let (exit, _) = crate::error::classify(&e);
            if exit == crate::error::Exit::Decision {
                p.line(format!("Not marked BLOCKED; to do it later: {later}"));
            } else {
                for l in crate::error::render(&e) {
                    p.warn(l.trim_start_matches("error: "));
                }
                p.line(format!(
                    "The REQ was not (fully) marked BLOCKED; to finish: {later}"
                ));
            }
            json!({"done": false, "error": e.to_string()})
        }
    }
}

/// The tracker's last recorded edit is BLOCKED and a blocked notice was acknowledged after it.
fn already_blocked(ws: &super::Workspace, req: &ReqNumber) -> bool {
    let Ok(Some(ctx)) = ws.store.peek(req) else {
        return false;
    };
    let tracker_blocked = ctx
        .ledger
        .tracker
        .last()
        .is_some_and(|t| t.status == crate::workflow::ReqState::Blocked);
    let sent = ctx
        .ledger
        .events
        .last()
        .is_some_and(|e| e.kind == crate::context::EventKind::Blocked && e.acknowledged);
    tracker_blocked && sent
}

fn item(r: &Row) -> EvidenceItem {
    let status = r
        .deliverable
        .get("status")
        .and_then(|s| s.as_str())
        .map(str::to_string);
    EvidenceItem {
        agent: r.agent.clone(),
        row_id: r.id.clone(),
        created_at: r.created_at,
        sha256: r.sha256(),
        status,
    }
}

pub fn short_hash(h: &str) -> String {
    let hex = h.strip_prefix("sha256:").unwrap_or(h);
    format!("sha256:{}", &hex[..hex.len().min(12)])
}

/// The agents' table: agent, stage, status, age, summary (cut to the terminal's width).
fn table(p: &Printer, v: &Verdict, now: jiff::Timestamp) -> String {
    let width = console::Term::stderr()
        .size_checked()
        .map(|(_, w)| w as usize)
        .unwrap_or(100)
        .max(60);
    let mut rows: Vec<[String; 5]> =
        vec![["AGENT", "STAGE", "STATUS", "AGE", "SUMMARY"].map(String::from)];
    for a in &v.agents {
        let name = if a.expected {
            a.agent.clone()
        } else {
            format!("{} (unexpected)", a.agent)
        };
        if !a.delivered {
            rows.push([
                name,
                "-".into(),
                "MISSING".into(),
                "-".into(),
                String::new(),
            ]);
            continue;
        }
        let mut summary = a
            .summary
            .clone()
            .unwrap_or_default()
            .replace(['\n', '\r'], " ");
        if let Some(verdict) = &a.verdict {
            summary = format!("[{verdict}] {summary}");
        }
        if let Some(problem) = a.problems.first() {
            summary = format!("({problem}) {summary}");
        }
        rows.push([
            name,
            a.stage.map(|s| s.to_string()).unwrap_or_else(|| "-".into()),
            a.status.clone().unwrap_or_else(|| "?".into()),
            a.created_at
                .map(|t| crate::clock::age(t, now))
                .unwrap_or_else(|| "-".into()),
            summary,
        ]);
    }
    let w: Vec<usize> = (0..4)
        .map(|i| {
            rows.iter()
                .map(|r| console::measure_text_width(&r[i]))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let used = 2 + w.iter().sum::<usize>() + 8;
    let room = width.saturating_sub(used).max(20);
    let mut out = String::new();
    for (i, r) in rows.iter().enumerate() {
        let status = format!("{:<w$}", r[2], w = w[2]);
        let status = match r[2].as_str() {
            _ if i == 0 => status,
            "MISSING" => p.paint(Tone::Warn, status),
            s if s.eq_ignore_ascii_case("COMPLETE") => p.paint(Tone::Good, status),
            _ => p.paint(Tone::Warn, status),
        };
        let line = format!(
            "  {:<w0$}  {:<w1$}  {}  {:<w3$}  {}",
            r[0],
            r[1],
            status,
            r[3],
            console::truncate_str(&r[4], room, "…"),
            w0 = w[0],
            w1 = w[1],
            w3 = w[3]
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.trim_end().to_string()
}
