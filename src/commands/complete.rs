//! `berry complete` (issue #5).

use anyhow::Result;
use clap::Args;

use super::{Env, StepReport};

/// Mark the REQ DEPLOYED in the tracker (Deployed At, Commit, Deployed By) and publish the
/// completion notice. Requires a green watch, or --no-ci with a reason.
#[derive(Debug, Args)]
pub struct CompleteArgs {
    /// Complete without a green CI run.
    #[arg(long, requires = "reason")]
    pub no_ci: bool,
    /// Why CI is not required (with --no-ci).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

pub fn run(_env: &Env, _args: CompleteArgs) -> Result<StepReport> {
    super::not_built("complete", 5)
}
