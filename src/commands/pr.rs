//! `berry pr` (issue #4).

use anyhow::Result;
use clap::Args;

use super::{Env, StepReport};

/// Find the open pull request for owner:branch, or create one (title `REQ: Title`, body from
/// templates/pr.md). On the default branch a PR is recorded as not needed.
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

pub fn run(_env: &Env, _args: PrArgs) -> Result<StepReport> {
    super::not_built("pr", 4)
}
