//! `berry block` (issue #5).

use anyhow::Result;
use clap::Args;

use crate::req::ReqNumber;

use super::{Env, StepReport};

/// Mark the REQ BLOCKED in the tracker and publish the blocked notice, by hand.
#[derive(Debug, Args)]
pub struct BlockArgs {
    /// The REQ to block. Defaults to --req, then the current REQ.
    #[arg(value_name = "REQ", value_parser = ReqNumber::parse)]
    pub req: Option<ReqNumber>,
    /// Why the REQ is blocked (goes into the notice's summary).
    #[arg(long, value_name = "TEXT", required = true)]
    pub reason: String,
}

pub fn run(_env: &Env, _args: BlockArgs) -> Result<StepReport> {
    super::not_built("block", 5)
}
