//! `berry review`: show the deliverables, any change to the gate's own configuration and the
//! change set, run the guards, record what is approved. The work is [`crate::review`].

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::show;
use super::view;
use super::{Env, Outcome, Session, Step, StepReport, review_stream, review_view};
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
    let report =
        |outcome, message: String| StepReport::new("review", Some(req.clone()), outcome, message);
    let mut session = Session::existing(&ws.store, req.clone(), Step::Review)?;
    let evidence = session
        .ctx
        .evidence
        .as_ref()
        .expect("Session::existing checks it");
    crate::evidence::require_approved(&req, evidence)?;
    if let Some(commit) = &session.ctx.ledger.commit {
        let sha = commit.sha.as_str();
        p.line(format!(
            "{req} is already committed as {sha}; nothing to review."
        ));
        let data = json!({"already_done": true, "commit": commit});
        return Ok(report(Outcome::Ok, format!("already committed as {sha}")).with_data(data));
    }
    if args.allow.is_empty() && args.reason.is_some() {
        let message = "--reason without --allow: there is no exception to explain";
        return Err(BerryError::usage(message).into());
    }
    let title = session.ctx.title.as_deref().map(|t| format!(": {t}"));
    let reviewing = p.paint(Tone::Strong, "Reviewing");
    p.line(format!("{reviewing} {req}{}", title.unwrap_or_default()));
    let rows = env.source(&ws)?.latest(&req)?;
    review_view::deliverables(p, &crate::gate::decide(&ws.config.agents, &rows), &rows);

    // The gate's own configuration: shown, and in force only once accepted.
    review_view::config_change(p, &ws.gate);
    let now = crate::clock::now()?;
    let flag = env.globals.accept_config_change;
    let accepted = ws.accept_config(&mut session, p, flag, p.dry_run(), now)?;
    if accepted.is_some() && !p.dry_run() {
        p.line("  accepted: the working tree's berry.toml is in force for this REQ");
    }
    // The secret rules of the configuration in force, as committed; the masker uses them too.
    let rules = ws.secret_rules()?;
    let opts = Options::new(&ws, &session.ctx, &rows, args.allow, args.reason, rules);
    // Previews on a terminal; in a script only when asked: a change of 20,000 files is a change
    // list and the guards' results, not a million lines of diff.
    let preview = args.preview || ws.config.review.preview.unwrap_or(p.interactive());
    let lines = ws.config.review.preview_lines;
    let survey = review_stream::reviewed(p, &ws.repo, &ws.config, &opts, preview, lines)?;
    let findings = serde_json::to_value(&survey.findings)?;
    let head = crate::git::head_commit(&ws.repo)?.map(|c| c.id().to_string());
    let record = match review::finish(&req, &survey, &opts, p, head, now)? {
        review::Outcome::Blocked { message } => {
            if !p.dry_run() {
                session.record(Step::Review, Outcome::Blocked, &message)?;
            }
            let first = &survey.blocking[0];
            p.line("");
            view::refused(p, format!("{message}; nothing was recorded as reviewed"));
            let (guard, path) = (first.guard.name(), crate::quote::path(&first.path));
            p.line(format!(
                "  remove them, or grant an exception: --allow {guard}:{path} --reason TEXT"
            ));
            return Ok(report(Outcome::Blocked, message).with_data(json!({"findings": findings})));
        }
        review::Outcome::Declined => {
            return Ok(report(Outcome::Declined, "no file was selected".into()));
        }
        review::Outcome::Reviewed(record) => record,
    };
    let message = format!("{} file(s) approved for commit", record.files.len());
    // Only `--json` prints it: 20,000 files' entries as JSON values are megabytes.
    let data = p.json().then(|| {
        json!({
            "files": record.files,
            "deselected": record.deselected,
            "out_of_scope": record.out_of_scope,
            "uncommittable": survey.uncommittable_json(),
            "allowed": record.allowed,
            "findings": findings,
            "head": record.head,
            "config": {"standing": ws.gate.standing, "accepted": accepted},
        })
    });
    if p.dry_run() {
        p.line(format!("dry run: {message}; nothing recorded"));
    } else {
        session.ctx.review = Some(record);
        session.record(Step::Review, Outcome::Ok, &message)?;
        show::done(p, &message);
        view::print_next(p, &session.ctx, Step::Review);
    }
    Ok(report(Outcome::Ok, message).with_data(data.unwrap_or_default()))
}
