//! `berry verify`: load the REQ's deliverables, decide the QA verdict, record it with its evidence.
//! The work is [`crate::verify::verify`]; this file records, renders and offers the block.

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::{Env, Outcome, Session, Step, StepReport};
use crate::printer::Tone;
use crate::req::ReqNumber;
use crate::verify;

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
    let mut ws = env.workspace()?;
    let req = env.req(args.req, &ws.store)?;
    ws.settle_for(&req)?;
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
    let opts = verify::Options {
        req: req.clone(),
        agents: ws.config.agents.clone(),
        tracker_text: std::fs::read_to_string(ws.root.join(&ws.config.tracker.path)).ok(),
        now: crate::clock::now()?,
    };
    let v = verify::verify(source.as_mut(), &opts)?;
    let title = v.title.as_deref().map(|t| format!(": {t}"));
    p.line(format!(
        "{} {req}{}",
        p.paint(Tone::Strong, "Verifying"),
        title.unwrap_or_default()
    ));
    p.line(p.paint(Tone::Dim, format!("  deliverables from {}", v.source)));
    p.line("");
    p.line(super::verify_view::agents_table(p, &v.verdict, opts.now));
    p.line("");
    for w in &v.verdict.warnings {
        p.warn(w);
    }
    let data = json!({
        "title": v.title,
        "approved": v.verdict.approved,
        "reasons": v.verdict.reasons,
        "warnings": v.verdict.warnings,
        "agents": v.verdict.agents,
        "evidence": v.evidence,
    });
    if let Some(session) = session.as_mut() {
        ws.store.set_current(&req)?;
        session.ctx.title = v.title.clone().or(session.ctx.title.take());
        session.ctx.evidence = Some(v.evidence.clone());
        if v.verdict.approved {
            if session.ctx.state == Some(crate::workflow::ReqState::Blocked) {
                session.ctx.state = None;
            }
            session.record(Step::Verify, Outcome::Ok, "QA approved")?;
        } else {
            session.ctx.state = Some(crate::workflow::ReqState::Blocked);
            session.record(
                Step::Verify,
                Outcome::Blocked,
                &v.verdict.reasons.join("; "),
            )?;
        }
    }
    if let (true, Some(qa)) = (v.verdict.approved, v.evidence.qa.as_ref()) {
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
        return Ok(
            StepReport::new("verify", Some(req), Outcome::Ok, "QA approved").with_data(data),
        );
    }
    p.line(format!(
        "{} QA has not approved {req}:",
        p.paint(Tone::Bad, "✘")
    ));
    for r in &v.verdict.reasons {
        p.line(format!("  - {r}"));
    }
    p.line("");
    let message = format!("QA not approved: {}", v.verdict.reasons.join("; "));
    let mut data = data;
    data["block"] = offer_block(env, &ws, &req, &message, session.as_mut());
    Ok(StepReport::new("verify", Some(req), Outcome::Blocked, message).with_data(data))
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
            let exit = crate::error::classify(&e).exit;
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

fn already_blocked(ws: &super::Workspace, req: &ReqNumber) -> bool {
    matches!(ws.store.peek(req), Ok(Some(ctx)) if verify::already_blocked(&ctx))
}

pub use super::view::short_hash;
