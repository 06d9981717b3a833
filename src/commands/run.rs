//! `berry run` (issue #6).

use anyhow::Result;
use clap::Args;

use crate::req::ReqNumber;

use super::{Env, StepReport};

/// Run the steps in contract order from the first one not yet done; stop at the first that
/// does not succeed, with its exit code.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The REQ to ship. Defaults to --req, then the current REQ.
    #[arg(value_name = "REQ", value_parser = ReqNumber::parse)]
    pub req: Option<ReqNumber>,
    /// Start at this step.
    #[arg(long, value_name = "STEP", value_parser = super::status::STEPS)]
    pub from: Option<String>,
    /// Stop after this step.
    #[arg(long, value_name = "STEP", value_parser = super::status::STEPS)]
    pub to: Option<String>,
}

pub fn run(_env: &Env, _args: RunArgs) -> Result<StepReport> {
    super::not_built("run", 6)
}
