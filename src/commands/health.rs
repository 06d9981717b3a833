//! `berry health`: the deployment's health checks against the pushed commit, between `watch` and
//! `complete`.

use std::time::Duration;

use anyhow::Result;
use clap::Args;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde_json::json;

use super::{Env, Outcome, Session, Step, StepReport};
use crate::context::HealthRecord;
use crate::health::{self, CheckResult, Event};
use crate::printer::{Printer, Tone};
use crate::req::ReqNumber;

/// Check the deployment's health after CI: every [[health.checks]] of the gate's configuration
/// (the committed berry.toml), an HTTP(S) request or a command, retried with backoff until it
/// passes or health.within_secs runs out. A failure exits 3; `complete` then refuses unless given
/// --no-health --reason TEXT.
///
/// The result is recorded for the pushed commit with each check's attempts, latency and last
/// answer; `berry status` shows it and the completion notice carries it (`health`). Once the
/// checks passed for the pushed commit, a rerun reports that and checks nothing (--again checks
/// again). With no check configured the step records itself skipped. Turn on the AgogSaaS pair
/// (backend GraphQL on port 4000, frontend on port 3000) with `[health] agogsaas = true`.
#[derive(Debug, Args)]
pub struct HealthArgs {
    /// The REQ to check. Defaults to --req, then the current REQ.
    #[arg(value_name = "REQ", value_parser = ReqNumber::parse, add = clap_complete::engine::ArgValueCompleter::new(crate::complete::reqs))]
    pub req: Option<ReqNumber>,
    /// Check again even if the checks passed for the pushed commit.
    #[arg(long)]
    pub again: bool,
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

pub fn run(env: &Env, args: HealthArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(args.req, &ws.store)?;
    let p = &env.printer;
    let mut session = Session::existing(&ws.store, req.clone(), Step::Health)?;
    crate::workflow::require_recorded(Step::Health, &session.ctx)?;
    let sha = session
        .ctx
        .ledger
        .push
        .as_ref()
        .map(|p| p.sha.clone())
        .expect("require_recorded checks the push");
    let checks = ws.config.health.all_checks();
    let within = Duration::from_secs(ws.config.health.within_secs.max(1));

    if !args.again
        && let Some(done) = session
            .ctx
            .ledger
            .health
            .clone()
            .filter(|h| h.sha == sha && h.passed && !h.checks.is_empty())
    {
        let msg = format!(
            "the health checks passed for {} (recorded at {}); --again checks again",
            short(&sha),
            crate::clock::rfc3339(done.at)
        );
        p.line(format!("{} {msg}", p.paint(Tone::Good, "✔")));
        return Ok(StepReport::new("health", Some(req), Outcome::Ok, msg)
            .with_data(json!({"already_done": true, "health": done})));
    }

    if checks.is_empty() {
        let msg =
            "no health checks are configured ([[health.checks]] or health.agogsaas in berry.toml)"
                .to_string();
        if !p.dry_run() {
            session.ctx.ledger.health = Some(HealthRecord {
                sha: sha.clone(),
                passed: true,
                checks: vec![],
                elapsed_ms: 0,
                at: crate::clock::now()?,
            });
            session.record(Step::Health, Outcome::Skipped, &msg)?;
        }
        p.line(format!("{} health skipped: {msg}", p.paint(Tone::Dim, "–")));
        return Ok(StepReport::new("health", Some(req), Outcome::Skipped, msg)
            .with_data(json!({"sha": sha, "checks": []})));
    }

    if p.dry_run() {
        p.line(format!(
            "dry run: would check {} health check(s) for {} within {}s:",
            checks.len(),
            short(&sha),
            within.as_secs()
        ));
        for c in &checks {
            p.result(format!("  {}: {}", c.name, describe(c)));
        }
        return Ok(StepReport::new(
            "health",
            Some(req),
            Outcome::Skipped,
            "dry run: nothing checked",
        )
        .with_data(json!({"dry_run": true, "checks": checks})));
    }

    p.line(format!(
        "{} {} of {} ({} check{}, within {}s)",
        p.paint(Tone::Strong, "Checking the health"),
        req,
        short(&sha),
        checks.len(),
        if checks.len() == 1 { "" } else { "s" },
        within.as_secs()
    ));
    let mut display = Display::new(p, &checks);
    let report = health::run_checks(
        &checks,
        &health::Options::within(within, &ws.config.test.pass_env),
        &ws.root,
        &health::log_dir(ws.store.dir(), req.as_str()),
        &mut |e| display.event(e),
    )?;
    display.finish();
    let passed = report.passed();
    let record = HealthRecord {
        sha: sha.clone(),
        passed,
        checks: report.checks.clone(),
        elapsed_ms: report.elapsed_ms,
        at: crate::clock::now()?,
    };
    session.ctx.ledger.health = Some(record.clone());
    let failed: Vec<String> = report
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| format!("{} ({})", c.name, c.detail))
        .collect();
    let (outcome, message) = if passed {
        (
            Outcome::Ok,
            format!(
                "{} health check{} passed for {}",
                report.checks.len(),
                if report.checks.len() == 1 { "" } else { "s" },
                short(&sha)
            ),
        )
    } else {
        (
            Outcome::Blocked,
            format!(
                "health checks failed for {}: {}",
                short(&sha),
                failed.join(", ")
            ),
        )
    };
    session.record(Step::Health, outcome, &message)?;
    if passed {
        p.line(format!("{} {message}", p.paint(Tone::Good, "✔")));
        super::print_next(p, &session.ctx, Step::Health);
    } else {
        p.line(format!("{} {message}", p.paint(Tone::Bad, "✖")));
        p.line(p.paint(
            Tone::Dim,
            "  hint: fix the deployment and run `berry health` again, or `berry complete --no-health --reason TEXT`",
        ));
    }
    Ok(StepReport::new("health", Some(req), outcome, message)
        .with_data(serde_json::to_value(&record)?))
}

/// What a check does, in words.
fn describe(c: &crate::config::HealthCheck) -> String {
    match &c.url {
        Some(_) => {
            let mut s = format!("{} expecting {}", health::target(c), c.expect_status);
            if let Some(b) = &c.expect_body {
                s.push_str(&format!(", a body containing {b:?}"));
            }
            if let (Some(p), Some(v)) = (&c.json_pointer, &c.expect_value) {
                s.push_str(&format!(", {p} = {v}"));
            }
            if c.insecure_tls {
                s.push_str(", any TLS certificate");
            }
            s.push_str(&format!(" (timeout {}s)", c.timeout_secs));
            s
        }
        None => format!(
            "`{}` exits 0 (timeout {}s)",
            c.argv.join(" "),
            c.timeout_secs
        ),
    }
}

/// The final line of one check.
pub fn result_line(p: &Printer, r: &CheckResult) -> String {
    let attempts = format!(
        "{} attempt{}",
        r.attempts,
        if r.attempts == 1 { "" } else { "s" }
    );
    if r.passed {
        format!(
            "{} {}: {} ({} ms, {attempts})",
            p.paint(Tone::Good, "✔"),
            r.name,
            r.detail,
            r.latency_ms
        )
    } else {
        format!(
            "{} {}: {} ({attempts} in {:.1}s)",
            p.paint(Tone::Bad, "✖"),
            r.name,
            r.detail,
            r.elapsed_ms as f64 / 1000.0
        )
    }
}

/// One live line per check on a terminal (a spinner with the last attempt's answer); without
/// one, a line per check once it settled.
struct Display<'a> {
    p: &'a Printer,
    bars: Option<(MultiProgress, Vec<ProgressBar>)>,
    /// The final lines, printed after the live ones are cleared.
    done: Vec<String>,
}

impl<'a> Display<'a> {
    fn new(p: &'a Printer, checks: &[crate::config::HealthCheck]) -> Display<'a> {
        let bars = p.progress_allowed().then(|| {
            let m = MultiProgress::with_draw_target(p.draw_target());
            let bars = checks
                .iter()
                .map(|c| {
                    let b = m.add(ProgressBar::new_spinner());
                    b.set_style(
                        ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}")
                            .expect("static template"),
                    );
                    b.set_message(format!("{}: {}", c.name, health::target(c)));
                    b.enable_steady_tick(Duration::from_millis(120));
                    b
                })
                .collect();
            (m, bars)
        });
        Display {
            p,
            bars,
            done: Vec::new(),
        }
    }

    fn event(&mut self, e: Event<'_>) {
        match e {
            Event::Retrying {
                index,
                check,
                attempt,
                detail,
                retry_in,
            } => {
                if let Some((_, bars)) = &self.bars {
                    bars[index].set_message(format!(
                        "{}: attempt {attempt}: {detail}; again in {:.1}s",
                        check.name,
                        retry_in.as_secs_f64()
                    ));
                }
            }
            Event::Done { index, result } => {
                let line = result_line(self.p, result);
                match &self.bars {
                    Some((_, bars)) => {
                        bars[index].finish_with_message(line.clone());
                        self.done.push(line);
                    }
                    None => self.p.line(line),
                }
            }
        }
    }

    fn finish(self) {
        if let Some((m, _)) = self.bars {
            let _ = m.clear();
            for l in self.done {
                self.p.line(l);
            }
        }
    }
}
