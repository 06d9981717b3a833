//! `berry listen`: the stage-7 agent. Turns the flags and `[listen]` into
//! [`crate::listen::Options`], renders the listener's events (a health line per event on stderr,
//! NDJSON with `--json`), and `--status`.

use std::io::Write;
use std::time::Duration;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::{Env, Outcome, StepReport};
use crate::error::{BerryError, Exit};
use crate::listen::{self, Event, Handled};

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
        let message = format!(
            "consumer {} on {}: {} pending, {} ack-pending, {} redelivered, {} waiting",
            cfg.consumer, cfg.stream, c.pending, c.ack_pending, c.redelivered, c.waiting
        );
        if !p.json() {
            p.line(&message);
        }
        return Ok(
            StepReport::new("listen", None, Outcome::Ok, message).with_data(json!({
                "stream": cfg.stream,
                "consumer": cfg.consumer,
                "pending": c.pending,
                "ack_pending": c.ack_pending,
                "redelivered": c.redelivered,
                "waiting": c.waiting,
            })),
        );
    }
    if p.dry_run() {
        return Err(BerryError::usage("berry listen has no --dry-run")
            .with_hint("`berry --dry-run run REQ` shows what a REQ's run would do")
            .into());
    }
    let mut global_args = Vec::new();
    let g = &env.globals;
    if let Some(c) = &g.config {
        global_args.push("--config".into());
        global_args.push(c.clone().into_os_string());
    }
    if let Some(d) = &g.deliverables {
        global_args.push("--deliverables".into());
        global_args.push(d.clone().into_os_string());
    }
    if let Some(r) = &g.repo {
        global_args.push("--repo".into());
        global_args.push(r.into());
    }
    let source = match args.source.as_deref() {
        Some("branch") => crate::config::ListenSource::Branch,
        Some(_) => crate::config::ListenSource::Worktree,
        None => cfg.source,
    };
    let source = match source {
        crate::config::ListenSource::Worktree => listen::Source::Worktree,
        crate::config::ListenSource::Branch => {
            let head = ws.repo.head().ok();
            let base = head
                .as_ref()
                .filter(|h| h.is_branch())
                .and_then(|h| h.shorthand().ok().map(String::from))
                .ok_or_else(|| {
                    BerryError::usage(
                        "--source branch needs the clone on the branch REQs ship to (HEAD is detached)",
                    )
                })?;
            listen::Source::Branch(listen::BranchSource {
                clone: ws.root.clone(),
                remote: "origin".into(),
                base,
                worktrees: ws.store.dir().join("worktrees"),
            })
        }
    };
    let program = std::env::current_exe()
        .map_err(|e| BerryError::failure(format!("cannot find berry's own program: {e}")))?;
    let opts = listen::Options {
        nats,
        consumer: crate::nats::ConsumerSpec {
            stream: cfg.stream.clone(),
            durable: cfg.consumer.clone(),
            filter_subject: cfg.subject.clone(),
            ack_wait: Duration::from_secs(cfg.ack_wait_secs),
            max_deliver: cfg.max_deliver,
        },
        nak_delay: Duration::from_secs(cfg.nak_delay_secs),
        concurrency: args.concurrency.map(usize::from).unwrap_or(cfg.concurrency),
        once: args.once,
        runner: listen::Runner {
            program,
            dir: g.dir.clone(),
            global_args,
            state_dir: absolute(ws.store.dir()),
        },
        source,
        store: ws.store.clone(),
    };
    crate::signals::begin_listening();
    let json_out = p.json();
    let out = std::sync::Mutex::new(());
    let sink = |ev: Event| {
        let _held = out.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(line) = health_line(&ev) {
            let _ = writeln!(std::io::stderr(), "{}", crate::secrets::mask_text(&line));
        }
        if json_out {
            let _ = writeln!(
                std::io::stdout(),
                "{}",
                crate::secrets::mask_json(&event_json(&ev))
            );
        }
    };
    let stop = crate::signals::stop_requested;
    let handled = listen::listen(&opts, &stop, &sink)?;
    let stopped = crate::signals::stop_requested();
    let message = format!(
        "{} event(s) handled{}",
        handled.len(),
        if stopped.is_some() { ", stopped" } else { "" }
    );
    let mut report = StepReport::new("listen", None, Outcome::Ok, message)
        .with_data(json!({"handled": handled.len()}))
        .quiet();
    if stopped.is_some() {
        report.exit = Some(Exit::Interrupted);
    } else if args.once {
        report.exit = Some(match handled.first() {
            Some(Handled::Completed) | None => Exit::Ok,
            Some(Handled::Blocked { .. }) => Exit::Gate,
            Some(Handled::Released { .. }) => Exit::Failure,
            Some(Handled::Terminated { .. }) => Exit::Usage,
        });
    }
    Ok(report)
}

fn absolute(p: &std::path::Path) -> std::path::PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// The line on stderr for an event (none for the steps' own lines: the event's line says it).
fn health_line(ev: &Event) -> Option<String> {
    Some(match ev {
        Event::Bound {
            worker,
            url,
            stream,
            consumer,
            subject,
        } => {
            format!("listen[{worker}]: bound consumer {consumer} on {stream} ({subject}) at {url}")
        }
        Event::Received {
            worker,
            req,
            sequence,
            delivered,
        } => format!(
            "listen[{worker}]: event {sequence} ({}), delivery {delivered}",
            req.as_ref().map(|r| r.as_str()).unwrap_or("no REQ")
        ),
        Event::Step {
            worker,
            req,
            step,
            exit,
            message,
            elapsed,
        } => format!(
            "listen[{worker}]: {req} {step} → {} in {}{}",
            match exit {
                Some(c) => format!("exit {c}"),
                None => "killed".into(),
            },
            secs(*elapsed),
            if message.is_empty() {
                String::new()
            } else {
                format!(": {}", message.lines().next().unwrap_or(""))
            }
        ),
        Event::Done {
            worker,
            req,
            sequence,
            delivered,
            handled,
            elapsed,
        } => format!(
            "listen[{worker}]: event {sequence} ({}) delivery {delivered}: {} in {} ({}){}",
            req.as_ref().map(|r| r.as_str()).unwrap_or("no REQ"),
            handled.as_str(),
            secs(*elapsed),
            match handled {
                Handled::Completed | Handled::Blocked { .. } => "acked",
                Handled::Released { .. } => "nak",
                Handled::Terminated { .. } => "terminated",
            },
            handled
                .reason()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
        Event::Warning { worker, message } => format!("listen[{worker}]: warning: {message}"),
        Event::Stopping { signal } => {
            format!("listen: signal {signal}: finishing the steps at work, releasing their events")
        }
    })
}

fn event_json(ev: &Event) -> serde_json::Value {
    match ev {
        Event::Bound {
            worker,
            url,
            stream,
            consumer,
            subject,
        } => {
            json!({"event": "bound", "worker": worker, "url": url, "stream": stream, "consumer": consumer, "subject": subject})
        }
        Event::Received {
            worker,
            req,
            sequence,
            delivered,
        } => {
            json!({"event": "received", "worker": worker, "req": req, "sequence": sequence, "delivered": delivered})
        }
        Event::Step {
            worker,
            req,
            step,
            exit,
            message,
            elapsed,
        } => {
            json!({"event": "step", "worker": worker, "req": req, "step": step, "exit": exit, "message": message, "elapsed_ms": elapsed.as_millis() as u64})
        }
        Event::Done {
            worker,
            req,
            sequence,
            delivered,
            handled,
            elapsed,
        } => {
            json!({"event": "done", "worker": worker, "req": req, "sequence": sequence, "delivered": delivered, "outcome": handled.as_str(), "reason": handled.reason(), "elapsed_ms": elapsed.as_millis() as u64, "pid": std::process::id()})
        }
        Event::Warning { worker, message } => {
            json!({"event": "warning", "worker": worker, "message": message})
        }
        Event::Stopping { signal } => json!({"event": "stopping", "signal": signal}),
    }
}
