//! `berry commit` (issue #3).

use anyhow::Result;
use clap::Args;

use super::{Env, StepReport};

/// Stage exactly the reviewed files and commit them with a message tied to QA's evidence.
///
/// Re-checks the approval evidence, stages the files recorded by `review` (asking again for any
/// that changed since), renders the message from templates/commit.txt, lets you edit it on a
/// terminal, runs the repository's hooks as git does, and commits.
#[derive(Debug, Args)]
pub struct CommitArgs {}

pub fn run(_env: &Env, _args: CommitArgs) -> Result<StepReport> {
    super::not_built("commit", 3)
}
