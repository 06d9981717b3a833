//! `berry review`: show the deliverables and the change set, run the guards, record what is approved.

use std::collections::BTreeSet;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::{Env, Outcome, Session, Step, StepReport};
use crate::context::{GuardException, ReviewRecord, ReviewedFile};
use crate::diffview;
use crate::error::BerryError;
use crate::git::{self, Change};
use crate::guards::{self, Allow, Finding, Severity};
use crate::printer::{Printer, Tone};
use crate::scope::Scope;

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
}

fn parse_allow(s: &str) -> Result<Allow, String> {
    Allow::parse(s)
}

/// One file in scope, with its diff.
struct Reviewed {
    change: Change,
    diff: diffview::FileDiff,
    old: Vec<u8>,
    new: Vec<u8>,
}

pub fn run(env: &Env, args: ReviewArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(None, &ws.store)?;
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
        return Ok(StepReport::new(
            "review",
            Some(req),
            Outcome::Ok,
            format!("already committed as {sha}"),
        )
        .with_data(json!({"already_done": true, "commit": commit})));
    }
    let reason = args.reason.clone().unwrap_or_default();
    if args.allow.is_empty() && args.reason.is_some() {
        return Err(BerryError::usage(
            "--reason without --allow: there is no exception to explain",
        )
        .into());
    }

    p.line(format!(
        "{} {}{}",
        p.paint(Tone::Strong, "Reviewing"),
        req,
        session
            .ctx
            .title
            .as_deref()
            .map(|t| format!(": {t}"))
            .unwrap_or_default()
    ));

    // The deliverables, as they are now.
    let mut source = env.source(&ws)?;
    let rows = source.latest(&req)?;
    let verdict = crate::gate::decide(&ws.config.agents, &rows);
    p.line("");
    p.line(p.paint(Tone::Strong, "Deliverables"));
    for a in &verdict.agents {
        if !a.delivered {
            p.line(format!(
                "  {:<8} {}",
                a.agent,
                p.paint(Tone::Warn, "MISSING")
            ));
            continue;
        }
        let verdict_word = a
            .verdict
            .as_deref()
            .map(|v| format!(" [{v}]"))
            .unwrap_or_default();
        p.line(format!(
            "  {:<8} {}{}",
            a.agent,
            a.status.as_deref().unwrap_or("?"),
            p.paint(Tone::Strong, verdict_word)
        ));
        if let Some(s) = &a.summary {
            p.line(format!(
                "           {}",
                console::truncate_str(&s.replace('\n', " "), 200, "…")
            ));
        }
        if let Some(row) = rows.iter().find(|r| r.is_agent(&a.agent)) {
            for k in crate::deliverables::key_changes(&row.deliverable)
                .iter()
                .take(5)
            {
                p.line(format!(
                    "           • {}",
                    console::truncate_str(k, 120, "…")
                ));
            }
        }
        for prob in &a.problems {
            p.warn(format!("{}: {prob}", a.agent));
        }
    }

    // The change set.
    let scope = Scope::new(&ws.config.stage.paths)?;
    let (changes, unnamable) = git::change_set(&ws.repo)?;
    let (in_scope, out_scope): (Vec<Change>, Vec<Change>) = changes.into_iter().partition(|c| {
        scope.contains(&c.path) || c.old_path.as_deref().is_some_and(|o| scope.contains(o))
    });
    let mut reviewed = Vec::new();
    for change in in_scope {
        let old = git::blob_bytes(&ws.repo, change.old_blob)?;
        let new = git::worktree_bytes(&ws.root, &change)?;
        let diff = diffview::compute(&old, &new);
        reviewed.push(Reviewed {
            change,
            diff,
            old,
            new,
        });
    }
    let ins: usize = reviewed.iter().map(|r| r.diff.insertions).sum();
    let del: usize = reviewed.iter().map(|r| r.diff.deletions).sum();
    p.line("");
    p.line(format!(
        "{} ({} files, {} {})",
        p.paint(Tone::Strong, "Changes in scope"),
        reviewed.len(),
        p.paint(Tone::Added, format!("+{ins}")),
        p.paint(Tone::Removed, format!("-{del}"))
    ));
    for r in &reviewed {
        p.line(format!("  {}", file_line(p, r)));
    }
    if !out_scope.is_empty() || !unnamable.is_empty() {
        p.line("");
        p.line(p.paint(Tone::Strong, "Changed outside scope (not committed)"));
        for c in &out_scope {
            p.line(format!("  {}  {}", c.kind.letter(), c.path));
        }
        for u in &unnamable {
            p.line(format!("  ?  {} (name is not UTF-8)", u.lossy));
        }
    }
    if !reviewed.is_empty() && !p.json() {
        let mut text = String::new();
        for r in &reviewed {
            text.push_str(&format!(
                "\n{}\n",
                p.paint(Tone::Strong, file_title(&r.change))
            ));
            text.push_str(&diffview::preview(
                p,
                &r.old,
                &r.new,
                ws.config.review.preview_lines,
            ));
        }
        p.page(&text);
    }

    // The guards.
    let mut findings: Vec<Finding> = Vec::new();
    for r in &reviewed {
        if r.change.kind == git::ChangeKind::Deleted {
            continue;
        }
        findings.extend(guards::scan_lines(
            &r.change.path,
            r.diff.added.iter().map(|(n, l)| (*n, l.as_str())),
        ));
        findings.extend(guards::check_size(
            &r.change.path,
            r.change.size,
            ws.config.guards.warn_file_mb,
            ws.config.guards.block_file_mb,
        ));
    }
    let allowed_now: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Block && args.allow.iter().any(|a| a.covers(f)))
        .collect();
    let blocking: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Block && !args.allow.iter().any(|a| a.covers(f)))
        .collect();
    for a in &args.allow {
        if !findings.iter().any(|f| a.covers(f)) {
            p.warn(format!(
                "--allow {}:{} matches no finding",
                a.guard.name(),
                a.path
            ));
        }
    }
    p.line("");
    if findings.is_empty() {
        p.line(format!(
            "{} guards: no secrets, conflict markers or oversized files",
            p.paint(Tone::Good, "✔")
        ));
    } else {
        p.line(p.paint(Tone::Strong, "Guards"));
        for f in &findings {
            let allowed = allowed_now.contains(&f);
            let mark = match (f.severity, allowed) {
                (_, true) => p.paint(Tone::Warn, "allowed"),
                (Severity::Block, false) => p.paint(Tone::Bad, "✘"),
                (Severity::Warn, _) => p.paint(Tone::Warn, "!"),
            };
            let at = f.line.map(|l| format!(":{l}")).unwrap_or_default();
            p.line(format!(
                "  {mark} {} {}{at}  {}",
                f.guard.name(),
                f.path,
                f.detail
            ));
        }
    }
    let data_findings = serde_json::to_value(&findings)?;
    if !blocking.is_empty() {
        let message = format!(
            "the guards found {} problem(s) in the change set",
            blocking.len()
        );
        if !p.dry_run() {
            session.record(Step::Review, Outcome::Blocked, &message)?;
        }
        p.line("");
        p.line(format!(
            "{} {message}; nothing was recorded as reviewed",
            p.paint(Tone::Bad, "✘")
        ));
        p.line(format!(
            "  remove them, or grant an exception: --allow {}:{} --reason TEXT",
            blocking[0].guard.name(),
            blocking[0].path
        ));
        return Ok(
            StepReport::new("review", Some(req), Outcome::Blocked, message)
                .with_data(json!({"findings": data_findings})),
        );
    }
    if reviewed.is_empty() {
        return Err(BerryError::failure(format!("nothing changed within stage.paths for {req}"))
            .with_hint("check `stage.paths` in berry.toml, or that the agents' work is in this working tree")
            .into());
    }

    // The operator's choice.
    let labels: Vec<String> = reviewed
        .iter()
        .map(|r| file_line(&Printer::plain(), r))
        .collect();
    let chosen = p.multi_select("Files to commit (space toggles, enter accepts)", &labels)?;
    let chosen: BTreeSet<usize> = chosen.into_iter().collect();
    if chosen.is_empty() {
        return Ok(StepReport::new(
            "review",
            Some(req),
            Outcome::Declined,
            "no file was selected",
        ));
    }
    let files: Vec<ReviewedFile> = reviewed
        .iter()
        .enumerate()
        .filter(|(i, _)| chosen.contains(i))
        .map(|(_, r)| ReviewedFile {
            path: r.change.path.clone(),
            status: r.change.kind.as_str().into(),
            old_path: r.change.old_path.clone(),
            blob: r.change.blob.map(|b| b.to_string()),
            insertions: r.diff.insertions,
            deletions: r.diff.deletions,
        })
        .collect();
    let deselected: Vec<String> = reviewed
        .iter()
        .enumerate()
        .filter(|(i, _)| !chosen.contains(i))
        .map(|(_, r)| r.change.path.clone())
        .collect();
    let allowed: Vec<GuardException> = allowed_now
        .iter()
        .map(|f| GuardException {
            guard: f.guard.name().into(),
            path: f.path.clone(),
            reason: reason.clone(),
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let record = ReviewRecord {
        reviewed_at: crate::clock::now()?,
        head: git::head_commit(&ws.repo)?.map(|c| c.id().to_string()),
        files,
        deselected,
        out_of_scope: out_scope.iter().map(|c| c.path.clone()).collect(),
        allowed,
    };
    let message = format!("{} file(s) approved for commit", record.files.len());
    let data = json!({
        "files": record.files,
        "deselected": record.deselected,
        "out_of_scope": record.out_of_scope,
        "allowed": record.allowed,
        "findings": data_findings,
        "head": record.head,
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

fn file_title(c: &Change) -> String {
    match &c.old_path {
        Some(o) => format!("{} {o} → {}", c.kind.letter(), c.path),
        None => format!("{} {}", c.kind.letter(), c.path),
    }
}

fn file_line(p: &Printer, r: &Reviewed) -> String {
    let counts = if r.diff.binary {
        "binary".to_string()
    } else {
        format!(
            "{} {}",
            p.paint(Tone::Added, format!("+{}", r.diff.insertions)),
            p.paint(Tone::Removed, format!("-{}", r.diff.deletions))
        )
    };
    let staged = if r.change.staged { " (staged)" } else { "" };
    format!("{}  {counts}{staged}", file_title(&r.change))
}
