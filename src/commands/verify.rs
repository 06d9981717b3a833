//! `berry verify`: load the REQ's deliverables, decide the QA verdict, record it with its evidence.
//! The work is [`crate::verify::verify`]; this file records, renders and offers the block.

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::show;
use super::view;
use super::{Env, Outcome, Session, Step, StepReport};
use crate::printer::Tone;
use crate::req::ReqNumber;
use crate::verify::{self, Shown};

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
    let mut session = match p.dry_run() {
        true => None,
        false => Some(Session::open(
            &ws.store,
            req.clone(),
            Step::Verify.as_str(),
        )?),
    };
    let opts = verify::Options {
        req: req.clone(),
        agents: ws.config.agents.clone(),
        tracker_text: std::fs::read_to_string(ws.root.join(&ws.config.tracker.path)).ok(),
        now: crate::clock::now()?,
    };
    let v = verify::verify(env.source(&ws)?.as_mut(), &opts)?;
    let title = v.title.as_deref().map(|t| format!(": {t}"));
    let verifying = p.paint(Tone::Strong, "Verifying");
    p.line(format!("{verifying} {req}{}", title.unwrap_or_default()));
    p.line(p.paint(Tone::Dim, format!("  deliverables from {}", v.source)));
    p.line("");
    p.line(super::verify_view::agents_table(p, &v.verdict, opts.now));
    p.line("");
    for w in &v.verdict.warnings {
        p.warn(w);
    }
    let verdict = &v.verdict;
    let mut data = json!({"title": v.title, "approved": verdict.approved, "reasons": verdict.reasons,
        "warnings": verdict.warnings, "agents": verdict.agents, "evidence": v.evidence});
    if let Some(session) = session.as_mut() {
        verify::record(&ws.store, session, &v)?;
    }
    let report =
        |outcome, message: String| StepReport::new("verify", Some(req.clone()), outcome, message);
    if let (true, Some(qa)) = (verdict.approved, v.evidence.qa.as_ref()) {
        let (agent, row, hash) = (&qa.agent, &qa.row_id, view::short_hash(&qa.sha256));
        show::done(p, format!("QA approved by {agent} (row {row}, {hash})"));
        let ctx = session.as_ref().map(|s| s.ctx.clone());
        match ctx.or_else(|| ws.store.peek(&req).ok().flatten()) {
            Some(ctx) => view::print_next(p, &ctx, Step::Verify),
            None => p.next(&Step::Review.command()),
        }
        return Ok(report(Outcome::Ok, "QA approved".into()).with_data(data));
    }
    view::refused(p, format!("QA has not approved {req}:"));
    for r in &verdict.reasons {
        p.line(format!("  - {r}"));
    }
    p.line("");
    let message = format!("QA not approved: {}", verdict.reasons.join("; "));
    let answerable = p.yes() || p.interactive();
    let mut effects = super::effects::Edge { env, ws: &ws };
    let how = (p.dry_run(), answerable);
    let held = session.as_mut();
    let block = verify::offer_block(
        &ws.store,
        &req,
        &message,
        held,
        how,
        &mut effects,
        &mut |s| {
            match s {
        Shown::AlreadyBlocked => p.line(format!("{req} is already marked BLOCKED and the blocked notice was sent.")),
        Shown::NotAsked { later } => p.line(format!("The tracker was not marked BLOCKED and no blocked notice was sent (no terminal to ask, no --yes); to do it later: {later}")),
        Shown::Declined { later } => p.line(format!("Not marked BLOCKED; to do it later: {later}")),
        Shown::Failed { error, later } => {
            for l in crate::error::render(error) {
                p.warn(l.trim_start_matches("error: "));
            }
            p.line(format!("The REQ was not (fully) marked BLOCKED; to finish: {later}"));
        }
    }
        },
    );
    data["block"] = block;
    Ok(report(Outcome::Blocked, message).with_data(data))
}

pub use super::view::short_hash;
