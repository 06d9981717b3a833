//! `berry test`: run the configured test commands, one spinner each, output kept in a log.

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::show::{self, Live};
use super::view;
use super::{Env, Outcome, Session, Step, StepReport};
use crate::printer::{Printer, Tone};
use crate::testrun::{self, Done, Shown};

/// Run the configured test commands (default: `npm test` in backend, `npm test -- --run` in
/// frontend) with CI=true, one spinner each, output kept in a log; a failure exits 3.
///
/// A failure is reported for a person: one GitHub issue "REQ: tests failed" (each command's exit
/// code and duration, the masked tail of the failed one's output, the commit), the tracker marked
/// BLOCKED and the blocked notice published. Asked on a terminal, done with --yes; otherwise berry
/// says how to do it later (berry block). The issue body comes from templates/tests-failed.md,
/// overridable by .berry/templates/tests-failed.md; passing tests later close the issue.
///
/// Each command is an argv list from `test.commands` in berry.toml (no shell), run from its
/// `dir` with its own `timeout_secs` (the whole process group is killed when it runs out). The
/// log is kept in the state folder; on failure its tail is shown and the remaining commands are
/// not run. Once the tests passed for the current HEAD, a rerun reports that and runs nothing.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Run them again even if they passed for the current HEAD.
    #[arg(long)]
    pub again: bool,
}

pub fn run(env: &Env, args: TestArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(None, &ws.store)?;
    let p = &env.printer;
    let report =
        |outcome, message: String| StepReport::new("test", Some(req.clone()), outcome, message);
    if p.dry_run() {
        let commands = &ws.config.test.commands;
        p.line(format!(
            "dry run: would run {} test command(s):",
            commands.len()
        ));
        for c in commands {
            let dir = if c.dir.is_empty() { "." } else { &c.dir };
            let (secs, argv) = (c.timeout_secs, c.argv.join(" "));
            p.line(format!(
                "  {}  (in {dir}, CI=true, timeout {secs}s): {argv}",
                c.name
            ));
        }
        return Ok(report(
            Outcome::Ok,
            format!("dry run: {} command(s) would run", commands.len()),
        )
        .with_data(json!({"dry_run": true, "commands": commands})));
    }
    let mut session = Session::existing(&ws.store, req.clone(), Step::Test)?;
    let opts = testrun::step::Options {
        again: args.again,
        report: super::failures::options(env),
    };
    let view = View {
        p,
        live: Live::default(),
    };
    let mut effects = super::effects::Edge { env, ws: &ws };
    let done = testrun::step(&ws, &mut session, &opts, p, &mut effects, &view);
    view.live.clear();
    Ok(match done? {
        Done::Recorded(done) => {
            let log = &done.log;
            show::done(
                p,
                format!(
                    "the tests already passed for this commit (log: {log}); --again runs them again"
                ),
            );
            report(Outcome::Ok, "tests already passed for this commit".into())
                .with_data(json!({"already_done": true, "tests": done}))
        }
        Done::Ran {
            record,
            outcome,
            message,
            report: reported,
        } => {
            let mut data = serde_json::to_value(&record)?;
            match reported {
                None => view::print_next(p, &session.ctx, Step::Test),
                Some(r) => data["report"] = r,
            }
            report(outcome, message).with_data(data)
        }
    })
}

/// What the work shows: a spinner per command while it runs, then its line; a failed one's last
/// lines of output.
struct View<'a> {
    p: &'a Printer,
    live: Live,
}

impl testrun::View for View<'_> {
    fn show(&self, s: Shown<'_>) {
        let p = self.p;
        match s {
            Shown::Failure(s) => super::failures::render(p, s),
            Shown::NoCommands => p.warn("no test commands are configured (test.commands in berry.toml); nothing was run"),
            Shown::Dirty(dirty) => p.warn(format!(
                "{} path(s) differ from HEAD in the working tree and the tests see them: {}; the result counts for HEAD's tree",
                dirty.len(),
                dirty.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            )),
            Shown::Running(c) => self.live.testing(p, c),
            Shown::Ran { command, result, why: None, .. } => {
                self.live.stop();
                show::tested(p, &command.name, result.duration_ms);
            }
            Shown::Ran { command, result, why: Some(why), log } => {
                self.live.stop();
                let secs = result.duration_ms as f64 / 1000.0;
                view::refused(p, format!("{} failed: {why} ({secs:.1}s)", command.name));
                p.line(p.paint(Tone::Dim, format!("  last lines of {}:", log.display())));
                for l in &result.tail {
                    p.line(format!("  │ {l}"));
                }
            }
            Shown::NotRun(names) => p.line(format!("  not run: {}", names.join(", "))),
            Shown::Passed { log } => p.line(p.paint(Tone::Dim, format!("  log: {}", log.display()))),
        }
    }
}
