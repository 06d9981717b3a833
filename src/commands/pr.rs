//! `berry pr`: find the open pull request for `owner:branch`, or create it (README "The steps").
//! The work, and the rules it keeps, are in [`crate::pr`]; this file turns the arguments into
//! options and reports what the work returns; [`view`] shows it, and what the work shows on its
//! way.

mod view;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::{Env, Outcome, Session, Step, StepReport};
use crate::pr::{self as work, Done, Options};

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
    let done = work::pr(&ws, &mut session, &opts, &mut rows, &mut |s| {
        view::render(p, s)
    })?;
    view::done(p, &done)?;
    let (outcome, message, record) = match done {
        Done::Recorded(rec) => (Outcome::Ok, "already recorded".into(), rec),
        Done::RecordedSkipped(rec) | Done::Skipped(rec) => (
            Outcome::Skipped,
            rec.skipped.clone().unwrap_or_default(),
            rec,
        ),
        Done::DryRun { repo, api, new, .. } => {
            let data = json!({"repo": repo.full_name(), "api": api, "request": new.to_json()});
            return Ok(
                StepReport::new("pr", Some(req), Outcome::Skipped, "dry run").with_data(data),
            );
        }
        Done::Resumed(rec) => {
            let number = rec.number.unwrap_or_default();
            (Outcome::Ok, format!("pull request #{number}"), rec)
        }
        Done::NotNeeded { record, .. } => (Outcome::Ok, "not needed".into(), record),
        Done::Open { record, pull } => {
            super::print_next(p, &session.ctx, Step::Pr);
            p.result(&pull.url);
            (
                Outcome::Ok,
                format!("pull request #{}", pull.number),
                record,
            )
        }
    };
    let data = serde_json::to_value(&record)?;
    Ok(StepReport::new("pr", Some(req), outcome, message).with_data(data))
}
