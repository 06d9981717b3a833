//! `berry checklist`: the security checklist for the shipped commit, answered by the automatic
//! checks where the repository can say, and by the operator for the rest.

use anyhow::Result;
use clap::Args;

use super::show;
use super::view;
use super::{Env, Outcome, Session, Step, StepReport};
use crate::checklist::{self, Done, ItemRecord};
use crate::printer::{Printer, Tone};
use crate::req::ReqNumber;

/// Go through the security checklist for the shipped commit: secrets, HTTPS/TLS, non-root
/// containers, network policies, security updates, backups, access logs, rate limiting, CORS,
/// database credentials.
///
/// Secrets (the review's guard result), HTTPS (every health check URL and configured endpoint),
/// non-root containers (each committed Dockerfile's last USER, compose `user:`, Kubernetes
/// `runAsNonRoot`) and network policies are checked automatically where the committed tree of the
/// shipped commit can say; the operator confirms the rest on a terminal (the default answer is
/// no) or with --attest ITEM[=NOTE] in scripts. Every answer is recorded with who gave it and
/// when, and shown in the PR body and the completion notice. Items named in `[checklist]
/// required` must pass or be confirmed before `complete`; the others are advisory.
#[derive(Debug, Args)]
pub struct ChecklistArgs {
    /// The REQ. Defaults to --req, then the current REQ.
    #[arg(value_name = "REQ", value_parser = ReqNumber::parse, add = clap_complete::engine::ArgValueCompleter::new(crate::complete::reqs))]
    pub req: Option<ReqNumber>,
    /// Confirm an item checked by hand, with an optional note (repeatable): `--attest
    /// backups="restore drill 2026-01-02"`.
    #[arg(long, value_name = "ITEM[=NOTE]")]
    pub attest: Vec<String>,
}

pub fn run(env: &Env, args: ChecklistArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(args.req, &ws.store)?;
    let p = &env.printer;
    let mut session = Session::existing(&ws.store, req.clone(), Step::Checklist)?;
    let opts = checklist::step::Options {
        attest: args.attest,
        dry_run: p.dry_run(),
    };
    let done = checklist::step(&ws, &mut session, &opts, p, &mut |record| {
        let at = crate::notice::short_sha(&record.sha);
        let title = p.paint(Tone::Strong, "Security checklist");
        p.line(format!("{title} for {req} at {at}"));
        for i in &record.items {
            p.line(item_line(p, i));
        }
    })?;
    let (outcome, message, record) = match done {
        Done::DryRun(record) => (Outcome::Ok, "dry run: nothing recorded".into(), record),
        Done::Failed { record, message } => {
            view::failed(p, &message);
            (Outcome::Blocked, message, record)
        }
        Done::Recorded { record, message } => {
            show::done(p, &message);
            (Outcome::Ok, message, record)
        }
    };
    Ok(StepReport::new("checklist", Some(req), outcome, message)
        .with_data(serde_json::to_value(&record)?))
}

/// `  ✔ secrets  passed  detail` and the like: one checklist item and how it was answered.
pub fn item_line(p: &Printer, i: &ItemRecord) -> String {
    let status = i.status();
    let (mark, tone) = match status {
        "passed" | "confirmed" => ("✔", Tone::Good),
        "failed" => ("✖", Tone::Bad),
        _ if i.required => ("✖", Tone::Bad),
        _ => ("–", Tone::Dim),
    };
    let detail = match (&i.auto, &i.answer) {
        (Some(a), _) => a.detail.clone(),
        (None, Some(a)) => {
            let note = a
                .note
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default();
            let at = crate::clock::rfc3339(a.at);
            format!("by {} ({}) at {at}{note}", a.by, a.how)
        }
        (None, None) => format!("not answered: --attest {}", i.id),
    };
    let advisory = if i.required { "" } else { " (advisory)" };
    let mark = p.paint(tone, mark);
    format!("  {mark} {:<17} {status:<10} {detail}{advisory}", i.id)
}
