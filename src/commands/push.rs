//! `berry push` (issue #4).

use anyhow::Result;
use clap::Args;

use super::{Env, StepReport};

/// Push the committed branch to its remote with progress, verify the remote ref equals the
/// commit, and tell rejections apart (non-fast-forward, protected branch, large files, auth).
#[derive(Debug, Args)]
pub struct PushArgs {}

pub fn run(_env: &Env, _args: PushArgs) -> Result<StepReport> {
    super::not_built("push", 4)
}
