//! `berry review`: show the deliverables, any change to the gate's own configuration and the
//! change set, run the guards, record what is approved. The work is [`crate::review`].

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::review_view as view;
use super::{Env, Outcome, Session, Step, StepReport};
use crate::error::BerryError;
use crate::guards::Allow;
use crate::printer::Tone;
use crate::review::{self, Options};

/// Review the deliverables and the change set, run the guards, and record the approved files.
///
/// Shows every expected agent's deliverable and the critique's verdict, then each changed file
/// within stage.paths (new, modified, deleted, renamed) with +/- counts and a diff preview; files
/// changed outside scope are listed apart and never committed. The guards look for secrets,
/// conflict markers and oversized files; a finding closes the gate (exit 3) unless allowed. On a
/// terminal you can deselect files. The approved list is recorded with each file's blob id.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Grant an exception to a guard for one file: GUARD:PATH (guards: secrets, conflict-markers,
    /// large-file). Recorded in the context and in a commit trailer.
    #[arg(long, value_name = "GUARD:PATH", requires = "reason", value_parser = parse_allow, add = clap_complete::engine::ArgValueCompleter::new(crate::complete::allow))]
    pub allow: Vec<Allow>,
    /// Why the exceptions given with --allow are granted.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Write each file's diff preview also without a terminal (on a terminal they are shown
    /// through the pager anyway; config: review.preview).
    #[arg(long)]
    pub preview: bool,
}

fn parse_allow(s: &str) -> Result<Allow, String> {
    Allow::parse(s)
}

pub fn run(env: &Env, args: ReviewArgs) -> Result<StepReport> {
    let mut ws = env.workspace()?;
    let req = env.req(None, &ws.store)?;
    ws.settle_for(&req)?;
    let p = &env.printer;
    let mut session = Session::existing(&ws.store, req.clone(), Step::Review)?;
    let evidence = session
        .ctx
        .evidence
        .clone()
        .expect("Session::existing checks it");
    crate::evidence::require_approved(&req, &evidence)?;
    if let Some(commit) = &session.ctx.ledger.commit {
        let sha = commit.sha.as_str();
        p.line(format!(
            "{req} is already committed as {sha}; nothing to review."
        ));
        let data = json!({"already_done": true, "commit": commit});
        let message = format!("already committed as {sha}");
        return Ok(StepReport::new("review", Some(req), Outcome::Ok, message).with_data(data));
    }
    if args.allow.is_empty() && args.reason.is_some() {
        return Err(BerryError::usage(
            "--reason without --allow: there is no exception to explain",
        )
        .into());
    }
    let title = session.ctx.title.as_deref().map(|t| format!(": {t}"));
    p.line(format!(
        "{} {req}{}",
        p.paint(Tone::Strong, "Reviewing"),
        title.unwrap_or_default()
    ));
    let rows = env.source(&ws)?.latest(&req)?;
    view::deliverables(p, &crate::gate::decide(&ws.config.agents, &rows), &rows);

    // The gate's own configuration: shown, and in force only once accepted.
    view::config_change(p, &ws.gate);
    let now = crate::clock::now()?;
    let flag = env.globals.accept_config_change;
    let accepted = ws.gate.settle(p, flag && !p.dry_run(), now)?;
    if accepted.is_some() {
        ws.reapply_layers()?;
    }
    if accepted.is_some() && !p.dry_run() {
        p.line("  accepted: the working tree's berry.toml is in force for this REQ");
        session.ctx.config_acceptance = accepted.clone();
    }

    // The secret rules of the configuration in force, as committed; the masker uses them too.
    let rules = ws.secret_rules()?;
    let opts = Options {
        allow: args.allow,
        reason: args.reason,
        rules: Some(rules),
        deliverable_texts: rows
            .iter()
            .flat_map(|r| {
                crate::guards::message_texts(&r.deliverable)
                    .into_iter()
                    .map(|t| (r.agent.clone(), t))
            })
            .collect(),
        commit_message: commit_message(&ws, &req, &session, &rows),
        deliverables: rows
            .iter()
            .map(|r| (r.agent.clone(), r.deliverable.clone()))
            .collect(),
    };
    let survey = review::survey(&ws.repo, &ws.config, &opts)?;
    // Previews on a terminal; in a script only when asked: a change of 20,000 files is a change
    // list and the guards' results, not a million lines of diff.
    let preview = args.preview || ws.config.review.preview.unwrap_or(p.interactive());
    view::survey(
        p,
        &survey,
        preview.then_some(&ws.repo),
        ws.config.review.preview_lines,
    );
    let findings = serde_json::to_value(&survey.findings)?;
    let head = crate::git::head_commit(&ws.repo)?.map(|c| c.id().to_string());
    let record = match review::finish(&req, &survey, &opts, p, head, now)? {
        review::Outcome::Blocked { message } => {
            if !p.dry_run() {
                session.record(Step::Review, Outcome::Blocked, &message)?;
            }
            let first = &survey.blocking[0];
            p.line("");
            p.line(format!(
                "{} {message}; nothing was recorded as reviewed",
                p.paint(Tone::Bad, "✘")
            ));
            p.line(format!(
                "  remove them, or grant an exception: --allow {}:{} --reason TEXT",
                first.guard.name(),
                crate::quote::path(&first.path)
            ));
            let data = json!({"findings": findings});
            return Ok(
                StepReport::new("review", Some(req), Outcome::Blocked, message).with_data(data),
            );
        }
        review::Outcome::Declined => {
            return Ok(StepReport::new(
                "review",
                Some(req),
                Outcome::Declined,
                "no file was selected",
            ));
        }
        review::Outcome::Reviewed(record) => record,
    };
    let message = format!("{} file(s) approved for commit", record.files.len());
    let data = json!({
        "files": record.files,
        "deselected": record.deselected,
        "out_of_scope": record.out_of_scope,
        "uncommittable": uncommittable_json(&survey),
        "allowed": record.allowed,
        "findings": findings,
        "head": record.head,
        "config": {"standing": ws.gate.standing, "accepted": accepted},
    });
    if p.dry_run() {
        p.line(format!("dry run: {message}; nothing recorded"));
    } else {
        session.ctx.review = Some(record);
        session.record(Step::Review, Outcome::Ok, &message)?;
        p.line(format!("{} {message}", p.paint(Tone::Good, "✔")));
        super::print_next(p, &session.ctx, Step::Review);
    }
    Ok(StepReport::new("review", Some(req), Outcome::Ok, message).with_data(data))
}

/// The commit message as `berry commit` would render it from these deliverables (without the
/// exceptions' trailers), so a secret it would carry closes the gate here. `None` when it cannot
/// be rendered (commit reports why).
fn commit_message(
    ws: &super::Workspace,
    req: &crate::req::ReqNumber,
    session: &Session,
    rows: &[crate::deliverables::Row],
) -> Option<String> {
    let evidence = session.ctx.evidence.as_ref()?;
    let (template, origin) = crate::message::template(&ws.root).ok()?;
    let origin = origin
        .map(|o| o.display().to_string())
        .unwrap_or_else(|| "templates/commit.txt (built in)".into());
    let input = crate::message::input(
        &ws.config,
        req,
        session.ctx.title.as_deref(),
        rows,
        evidence,
        &[],
    );
    crate::message::render(&template, &origin, &input).ok()
}

/// The changes berry cannot commit, for `--json`: each name quoted as git quotes it (JSON cannot
/// carry bytes that are not UTF-8), with its status and why.
fn uncommittable_json(survey: &review::Survey) -> serde_json::Value {
    survey
        .uncommittable
        .iter()
        .map(|u| json!({"path": u.quoted(), "status": u.kind.as_str(), "reason": u.why}))
        .collect()
}
