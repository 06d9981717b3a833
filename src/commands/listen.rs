//! `berry listen`: the stage-7 agent. Turns the flags and `[listen]` into
//! [`crate::listen::Options`], renders the listener's events (a health line per event on stderr,
//! NDJSON with `--json`), and `--status`.

use std::io::Write;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::{Env, Outcome, StepReport};
use crate::config::ListenSource;
use crate::error::{BerryError, Exit};
use crate::listen::{self, Event, Handled, Runner};

/// Take stage 7 from the orchestrator: a durable JetStream consumer of the stage-started events.
///
/// Each event with agentId "berry" runs the REQ's steps as `berry run REQ --yes` does, keeping
/// the message with in-progress acknowledgements, and answers the orchestrator with the
/// completion notice or the blocked notice (the same message ids as a manual run). A malformed
/// event, a bad REQ or another agent's event is terminated with the reason. SIGTERM lets the
/// current step finish, releases the event for redelivery and exits. Several listeners (other
/// machines) may bind the same consumer: each event goes to one of them. Configured in
/// `[listen]` (stream, consumer, subject, ack_wait_secs, max_deliver, nak_delay_secs,
/// concurrency).
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Handle one event, then exit with its outcome (0 completed, 3 blocked, 1 released,
    /// 2 terminated).
    #[arg(long, conflicts_with_all = ["concurrency", "status"])]
    pub once: bool,
    /// Events handled at the same time by this process (default: listen.concurrency).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: Option<u16>,
    /// Show the consumer's pending, ack-pending and redelivered counts, then exit.
    #[arg(long)]
    pub status: bool,
    /// Where a REQ's work comes from: this working tree, or the remote branch agents/<REQ>
    /// applied in a worktree of the listener's own (default: listen.source).
    #[arg(long, value_name = "SOURCE", value_parser = ["worktree", "branch"])]
    pub source: Option<String>,
}

pub fn run(env: &Env, args: ListenArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let cfg = &ws.config.listen;
    let nats = crate::nats::Options::resolve(&ws.config.nats)?;
    let p = &env.printer;
    if args.status {
        let c = crate::nats::consumer_counts(&nats, &cfg.stream, &cfg.consumer)?;
        let (stream, consumer) = (&cfg.stream, &cfg.consumer);
        let message = format!(
            "consumer {consumer} on {stream}: {} pending, {} ack-pending, {} redelivered, {} waiting",
            c.pending, c.ack_pending, c.redelivered, c.waiting
        );
        if !p.json() {
            p.line(&message);
        }
        let data = json!({"stream": stream, "consumer": consumer, "pending": c.pending,
            "ack_pending": c.ack_pending, "redelivered": c.redelivered, "waiting": c.waiting});
        return Ok(StepReport::new("listen", None, Outcome::Ok, message).with_data(data));
    }
    if p.dry_run() {
        return Err(BerryError::usage("berry listen has no --dry-run")
            .with_hint("`berry --dry-run run REQ` shows what a REQ's run would do")
            .into());
    }
    let g = &env.globals;
    let given = args.source.as_deref().map(|s| match s {
        "branch" => ListenSource::Branch,
        _ => ListenSource::Worktree,
    });
    let source = listen::Source::resolve(given, cfg.source, &ws)?;
    let program = std::env::current_exe()
        .map_err(|e| BerryError::failure(format!("cannot find berry's own program: {e}")))?;
    let state_dir = ws.store.dir();
    let runner = Runner {
        program,
        dir: g.dir.clone(),
        global_args: Runner::global_args(
            g.config.as_deref(),
            g.deliverables.as_deref(),
            g.repo.as_deref(),
        ),
        state_dir: std::path::absolute(state_dir).unwrap_or_else(|_| state_dir.to_path_buf()),
    };
    let concurrency = args.concurrency.map(usize::from);
    let store = ws.store.clone();
    let opts = listen::Options::new(cfg, nats, runner, source, store, concurrency, args.once);
    crate::signals::begin_listening();
    let json_out = p.json();
    let out = std::sync::Mutex::new(());
    let sink = |ev: Event| {
        let _held = out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(
            std::io::stderr(),
            "{}",
            crate::secrets::mask_text(&ev.line())
        );
        if json_out {
            let line = crate::secrets::mask_json(&ev.to_json());
            let _ = writeln!(std::io::stdout(), "{line}");
        }
    };
    let handled = listen::listen(&opts, &crate::signals::stop_requested, &sink)?;
    let stopped = crate::signals::stop_requested().is_some();
    let stopped_text = if stopped { ", stopped" } else { "" };
    let message = format!("{} event(s) handled{stopped_text}", handled.len());
    let mut report = StepReport::new("listen", None, Outcome::Ok, message)
        .with_data(json!({"handled": handled.len()}))
        .quiet();
    report.exit = match (stopped, args.once) {
        (true, _) => Some(Exit::Interrupted),
        (false, true) => Some(handled.first().map_or(Exit::Ok, Handled::exit)),
        (false, false) => None,
    };
    Ok(report)
}
