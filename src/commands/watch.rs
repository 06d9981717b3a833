//! `berry watch` (issue #5).

use anyhow::Result;
use clap::Args;

use super::{Env, StepReport};

/// Watch every GitHub Actions run for the pushed commit until all complete. Green exits 0; red
/// captures the failed steps' logs, opens (or updates) one issue for the REQ, marks it BLOCKED,
/// publishes a blocked notice and exits 3.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Seconds to wait for runs to appear after the push.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub appear_timeout: u64,
    /// Seconds between polls (adapted to what changes).
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub interval: u64,
    /// Give up after this many seconds (exit 5).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
}

pub fn run(_env: &Env, _args: WatchArgs) -> Result<StepReport> {
    super::not_built("watch", 5)
}
