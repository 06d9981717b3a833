//! `berry checklist`: the security checklist for the shipped commit, answered by the automatic
//! checks where the repository can say, and by the operator for the rest.

use anyhow::Result;
use clap::Args;

use super::{Env, Outcome, Session, Step, StepReport};
use crate::checklist::{self, Attestation, ChecklistRecord, ItemRecord};
use crate::decide::Decide;
use crate::error::BerryError;
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
    crate::workflow::require_recorded(Step::Checklist, &session.ctx)?;
    let sha = session
        .ctx
        .shipped_sha()
        .map(str::to_string)
        .expect("require_recorded checks the commit");

    let mut attested: Vec<(String, Option<String>)> = Vec::new();
    for a in &args.attest {
        let (id, note) = match a.split_once('=') {
            Some((i, n)) => (
                i.trim(),
                Some(n.trim().to_string()).filter(|n| !n.is_empty()),
            ),
            None => (a.trim(), None),
        };
        if checklist::title(id).is_none() {
            return Err(
                BerryError::usage(format!("--attest {id}: no such checklist item"))
                    .with_hint(format!(
                        "the items: {}",
                        checklist::ITEMS.map(|(i, _)| i).join(", ")
                    ))
                    .into(),
            );
        }
        attested.push((id.to_string(), note));
    }

    let auto = checklist::automatic(&ws.repo, &sha, &ws.config, &session.ctx)?;
    for (id, _) in &attested {
        if let Some((_, a)) = auto.iter().find(|(i, _)| i == id) {
            return Err(BerryError::usage(format!(
                "--attest {id}: this item is checked automatically ({}: {})",
                if a.passed { "passed" } else { "failed" },
                a.detail
            ))
            .with_hint(if a.passed {
                "nothing to confirm: drop --attest for it".to_string()
            } else {
                format!("fix it in the repository, or make `{id}` advisory (leave it out of `[checklist] required` in the committed berry.toml)")
            })
            .into());
        }
    }
    let previous = session
        .ctx
        .ledger
        .checklist
        .clone()
        .filter(|c| c.sha == sha);
    let who = crate::commit::ident(&ws.repo, crate::commit::Role::Committer)
        .map(|i| format!("{} <{}>", i.name, i.email))
        .unwrap_or_else(|_| "unknown".into());
    let now = crate::clock::now()?;
    let decide: &dyn Decide = p;
    let mut items = Vec::new();
    for (id, title) in checklist::ITEMS {
        let required = checklist::required(&ws.config, id);
        let auto_result = auto.iter().find(|(i, _)| i == id).map(|(_, a)| a.clone());
        let answer = if auto_result.is_some() {
            None
        } else if let Some((_, note)) = attested.iter().find(|(i, _)| i == id) {
            Some(Attestation {
                confirmed: true,
                by: who.clone(),
                at: now,
                how: "--attest".into(),
                note: note.clone(),
            })
        } else if let Some(kept) = previous
            .as_ref()
            .and_then(|c| c.items.iter().find(|i| i.id == id))
            .and_then(|i| i.answer.clone())
            .filter(|a| a.confirmed)
        {
            Some(kept)
        } else if decide.interactive() && !p.dry_run() {
            let confirmed = decide.confirm(
                &format!(
                    "{id}: {title}{} — verified for this deployment?",
                    if required { " (required)" } else { "" }
                ),
                false,
                &format!("--attest {id}"),
            )?;
            Some(Attestation {
                confirmed,
                by: who.clone(),
                at: now,
                how: "terminal".into(),
                note: None,
            })
        } else {
            None
        };
        items.push(ItemRecord {
            id: id.into(),
            title: title.into(),
            required,
            auto: auto_result,
            answer,
        });
    }
    let record = ChecklistRecord {
        sha: sha.clone(),
        items,
        at: now,
    };
    p.line(format!(
        "{} for {req} at {}",
        p.paint(Tone::Strong, "Security checklist"),
        crate::notice::short_sha(&sha)
    ));
    for i in &record.items {
        p.line(item_line(p, i));
    }
    if p.dry_run() {
        return Ok(StepReport::new(
            "checklist",
            Some(req),
            Outcome::Ok,
            "dry run: nothing recorded",
        )
        .with_data(serde_json::to_value(&record)?));
    }
    session.ctx.ledger.checklist = Some(record.clone());
    session.save()?;
    let failed: Vec<&str> = record
        .items
        .iter()
        .filter(|i| i.required && i.status() == "failed")
        .map(|i| i.id.as_str())
        .collect();
    let missing = record.missing();
    let data = serde_json::to_value(&record)?;
    if !failed.is_empty() {
        let msg = format!("required checklist item(s) failed: {}", failed.join(", "));
        session.record(Step::Checklist, Outcome::Blocked, &msg)?;
        p.line(format!("{} {msg}", p.paint(Tone::Bad, "✖")));
        return Ok(StepReport::new("checklist", Some(req), Outcome::Blocked, msg).with_data(data));
    }
    if !missing.is_empty() {
        let msg = format!(
            "required checklist item(s) not confirmed: {}",
            missing.join(", ")
        );
        session.record(Step::Checklist, Outcome::Declined, &msg)?;
        return Err(BerryError::needs_decision(
            msg,
            &missing
                .iter()
                .map(|m| format!("--attest {m}"))
                .collect::<Vec<_>>()
                .join(" "),
        )
        .into());
    }
    let msg = format!(
        "checklist recorded: {} passed automatically, {} confirmed, {} open (advisory)",
        record
            .items
            .iter()
            .filter(|i| i.status() == "passed")
            .count(),
        record
            .items
            .iter()
            .filter(|i| i.status() == "confirmed")
            .count(),
        record.items.iter().filter(|i| !i.ok()).count(),
    );
    session.record(Step::Checklist, Outcome::Ok, &msg)?;
    p.line(format!("{} {msg}", p.paint(Tone::Good, "✔")));
    Ok(StepReport::new("checklist", Some(req), Outcome::Ok, msg).with_data(data))
}

/// `  ✔ secrets  passed  detail` and the like.
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
        (None, Some(a)) => format!(
            "by {} ({}) at {}{}",
            a.by,
            a.how,
            crate::clock::rfc3339(a.at),
            a.note
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default()
        ),
        (None, None) => format!("not answered: --attest {}", i.id),
    };
    format!(
        "  {} {:<17} {:<10} {}{}",
        p.paint(tone, mark),
        i.id,
        status,
        detail,
        if i.required { "" } else { " (advisory)" }
    )
}
