//! `berry test` (issue #3).

use anyhow::Result;
use clap::Args;

use super::{Env, StepReport};

/// Run the configured test commands (default: `npm test` in backend, `npm test -- --run` in
/// frontend) with CI=true, one spinner each, output kept in a log; a failure exits 3.
#[derive(Debug, Args)]
pub struct TestArgs {}

pub fn run(_env: &Env, _args: TestArgs) -> Result<StepReport> {
    super::not_built("test", 3)
}
