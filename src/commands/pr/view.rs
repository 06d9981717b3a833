//! What `berry pr` shows: what its work shows on its way, and how it ended (with `--dry-run`, the
//! requests it would send).

use serde_json::json;

use crate::commands::show::{self, passed_over};
use crate::github::pulls;
use crate::pr::{Done, Shown};
use crate::printer::Printer;

/// How the step ended, for a person (the step's last lines are the command's).
pub(super) fn done(p: &Printer, done: &Done) -> anyhow::Result<()> {
    match done {
        Done::Recorded(rec) => render(p, Shown::Recorded(rec)),
        Done::RecordedSkipped(rec) => {
            let why = rec.skipped.as_deref().unwrap_or_default();
            passed_over(p, format!("pr skipped: {why} (recorded)"));
        }
        Done::Skipped(rec) => passed_over(
            p,
            format!("pr skipped: {}", rec.skipped.as_deref().unwrap_or_default()),
        ),
        Done::DryRun {
            repo,
            api,
            branch,
            new,
            reviewers,
            labels,
        } => {
            let rp = pulls::repo_path(repo);
            p.line("would send (nothing was sent):");
            p.result(format!("GET {api}{rp}"));
            p.result(format!("GET {api}{}", pulls::list_path(repo, branch)));
            p.result(format!("POST {api}{rp}/pulls"));
            p.result(serde_json::to_string_pretty(&new.to_json())?);
            if !reviewers.is_empty() {
                p.result(format!("POST {api}{rp}/pulls/<number>/requested_reviewers"));
                p.result(json!({"reviewers": reviewers}).to_string());
            }
            if !labels.is_empty() {
                p.result(format!("POST {api}{rp}/issues/<number>/labels"));
                p.result(json!({"labels": labels}).to_string());
            }
        }
        Done::Resumed(_) | Done::Open { .. } => {}
        Done::NotNeeded { record, repo } => show::done(
            p,
            format!(
                "no pull request needed: {} is {repo}'s default branch",
                record.base.as_deref().unwrap_or_default(),
            ),
        ),
    }
    Ok(())
}

/// What the work shows on its way.
pub(super) fn render(p: &Printer, s: Shown<'_>) {
    match s {
        Shown::Recorded(prev) if prev.not_needed => show::done(
            p,
            format!(
                "no pull request needed: {} is the default branch (recorded)",
                prev.head
            ),
        ),
        Shown::Recorded(prev) => {
            let (number, url) = (prev.number.unwrap_or_default(), prev.url.as_deref());
            show::done(
                p,
                format!("pull request #{number} is recorded: {}", url.unwrap_or("")),
            );
            if let Some(u) = &prev.url {
                p.result(u);
            }
        }
        Shown::DeliverablesUnread(e) => p.warn(format!(
            "the deliverables could not be read ({e}); the body lists only the recorded evidence"
        )),
        Shown::NoToken { sources } => {
            p.warn(format!("no GitHub token in {sources}: trying without one"))
        }
        Shown::LookingUp => p.detail("GitHub says the pull request exists already; looking it up"),
        Shown::Open { pull, existing } => {
            let how = if existing {
                "is open already"
            } else {
                "opened"
            };
            show::done(
                p,
                format!("pull request #{} {how}: {}", pull.number, pull.url),
            )
        }
        Shown::ReviewRequested(who) => {
            p.line(format!("  review requested from {}", who.join(", ")))
        }
        Shown::Labelled(labels) => p.line(format!("  labelled {}", labels.join(", "))),
    }
}
