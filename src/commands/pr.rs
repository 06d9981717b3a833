//! `berry pr`: find the open pull request for `owner:branch`, or create it (README "The steps").
//! The work, and the rules it keeps, are in [`crate::pr`]; this file turns the arguments into
//! options and renders what the work shows and returns.

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::{Env, Outcome, Session, Step, StepReport};
use crate::github::pulls;
use crate::pr::{self as work, Done, Options, Shown};
use crate::printer::{Printer, Tone};

/// Find the open pull request for owner:branch, or create one (title `REQ: Title`, body from
/// templates/pr.md). On the default branch a PR is recorded as not needed.
///
/// The repository comes from --repo (or BERRY_GITHUB_REPO), else the pushed remote's URL, else
/// config github.repo; the API from GITHUB_API_URL, else the host. The token is GH_TOKEN or
/// GITHUB_TOKEN (GH_ENTERPRISE_TOKEN first on GitHub Enterprise Server). The body template can
/// be overridden by .berry/templates/pr.md in the repository. With --dry-run the requests are
/// printed (method, URL, JSON body) and nothing is sent.
#[derive(Debug, Args)]
pub struct PrArgs {
    /// Open the pull request as a draft.
    #[arg(long)]
    pub draft: bool,
    /// Request a review from this user (repeatable).
    #[arg(long, value_name = "LOGIN")]
    pub reviewer: Vec<String>,
    /// Add this label (repeatable).
    #[arg(long, value_name = "NAME")]
    pub label: Vec<String>,
    /// The branch to merge into (default: the repository's default branch).
    #[arg(long, value_name = "BRANCH")]
    pub base: Option<String>,
}

pub use crate::context::PrRecord;

pub fn run(env: &Env, args: PrArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(None, &ws.store)?;
    let p = &env.printer;
    let mut session = Session::existing(&ws.store, req.clone(), Step::Pr)?;
    let opts = Options {
        draft: args.draft,
        reviewers: args.reviewer,
        labels: args.label,
        base: args.base,
        repo: env.globals.repo.clone(),
        dry_run: p.dry_run(),
    };
    let mut rows = || env.source(&ws).and_then(|mut s| s.latest(&req));
    let done = work::pr(&ws, &mut session, &opts, &mut rows, &mut |s| render(p, s))?;
    let report = |outcome, msg: String, rec: &PrRecord| -> Result<StepReport> {
        Ok(StepReport::new("pr", Some(req.clone()), outcome, msg)
            .with_data(serde_json::to_value(rec)?))
    };
    match done {
        Done::Recorded(rec) => {
            render(p, Shown::Recorded(&rec));
            report(Outcome::Ok, "already recorded".into(), &rec)
        }
        Done::RecordedSkipped(rec) => {
            let why = rec.skipped.clone().unwrap_or_default();
            p.line(format!(
                "{} pr skipped: {why} (recorded)",
                p.paint(Tone::Dim, "–")
            ));
            report(Outcome::Skipped, why, &rec)
        }
        Done::Skipped(rec) => {
            let why = rec.skipped.clone().unwrap_or_default();
            p.line(format!("{} pr skipped: {why}", p.paint(Tone::Dim, "–")));
            report(Outcome::Skipped, why, &rec)
        }
        Done::DryRun {
            repo,
            api,
            branch,
            new,
            reviewers,
            labels,
        } => {
            let rp = pulls::repo_path(&repo);
            p.line("would send (nothing was sent):");
            p.result(format!("GET {api}{rp}"));
            p.result(format!("GET {api}{}", pulls::list_path(&repo, &branch)));
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
            Ok(
                StepReport::new("pr", Some(req), Outcome::Skipped, "dry run").with_data(json!({
                    "repo": repo.full_name(), "api": api, "request": new.to_json(),
                })),
            )
        }
        Done::Resumed(rec) => {
            let msg = format!("pull request #{}", rec.number.unwrap_or_default());
            report(Outcome::Ok, msg, &rec)
        }
        Done::NotNeeded { record, repo } => {
            p.line(format!(
                "{} no pull request needed: {} is {repo}'s default branch",
                p.paint(Tone::Good, "✔"),
                record.base.as_deref().unwrap_or_default(),
            ));
            report(Outcome::Ok, "not needed".into(), &record)
        }
        Done::Open { record, pull } => {
            super::print_next(p, &session.ctx, Step::Pr);
            p.result(&pull.url);
            report(
                Outcome::Ok,
                format!("pull request #{}", pull.number),
                &record,
            )
        }
    }
}

/// What the work shows on its way.
fn render(p: &Printer, s: Shown<'_>) {
    match s {
        Shown::Recorded(prev) if prev.not_needed => p.line(format!(
            "{} no pull request needed: {} is the default branch (recorded)",
            p.paint(Tone::Good, "✔"),
            prev.head
        )),
        Shown::Recorded(prev) => {
            p.line(format!(
                "{} pull request #{} is recorded: {}",
                p.paint(Tone::Good, "✔"),
                prev.number.unwrap_or_default(),
                prev.url.as_deref().unwrap_or("")
            ));
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
        Shown::Open { pull, existing } => p.line(format!(
            "{} pull request #{} {}: {}",
            p.paint(Tone::Good, "✔"),
            pull.number,
            if existing {
                "is open already"
            } else {
                "opened"
            },
            pull.url
        )),
        Shown::ReviewRequested(who) => {
            p.line(format!("  review requested from {}", who.join(", ")))
        }
        Shown::Labelled(labels) => p.line(format!("  labelled {}", labels.join(", "))),
    }
}
