//! `berry demo` (issue #6).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::{Env, StepReport};

/// Build a self-contained sandbox (a repository with pending changes in the AgogSaaS layout, a
/// local bare origin, file-based deliverables of an approved REQ, an OWNER_REQUESTS.md) and run
/// the pipeline in it as far as it goes without GitHub.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to build the sandbox (default: a new temporary folder).
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Show the gate closing on a REQ whose QA failed.
    #[arg(long)]
    pub rejected: bool,
}

pub fn run(_env: &Env, _args: DemoArgs) -> Result<StepReport> {
    super::not_built("demo", 6)
}
