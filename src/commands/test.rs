//! `berry test`: run the configured test commands, one spinner each, output kept in a log.

use anyhow::{Context as _, Result};
use clap::Args;
use serde_json::json;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};

use super::{Env, Outcome, Session, Step, StepReport};
use crate::context::TestsRecord;
use crate::printer::Tone;
use crate::testrun;

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
    let commands = &ws.config.test.commands;
    let head_commit = crate::git::head_commit(&ws.repo)?;
    let head = head_commit.as_ref().map(|c| c.id().to_string());
    let tree = head_commit.as_ref().map(|c| c.tree_id().to_string());

    if p.dry_run() {
        p.line(format!(
            "dry run: would run {} test command(s):",
            commands.len()
        ));
        for c in commands {
            p.line(format!(
                "  {}  (in {}, CI=true, timeout {}s): {}",
                c.name,
                if c.dir.is_empty() { "." } else { &c.dir },
                c.timeout_secs,
                c.argv.join(" ")
            ));
        }
        return Ok(StepReport::new(
            "test",
            Some(req),
            Outcome::Ok,
            format!("dry run: {} command(s) would run", commands.len()),
        )
        .with_data(json!({"dry_run": true, "commands": commands})));
    }

    let mut session = Session::existing(&ws.store, req.clone(), Step::Test)?;
    super::failures::flush(env, &ws, &mut session)?;
    if !args.again
        && let Some(done) = &session.ctx.ledger.tests
        && done.passed
        && tree.is_some()
        && done.tree == tree
    {
        let log = &done.log;
        p.line(format!(
            "{} the tests already passed for this commit (log: {log}); --again runs them again",
            p.paint(Tone::Good, "✔")
        ));
        return Ok(StepReport::new(
            "test",
            Some(req),
            Outcome::Ok,
            "tests already passed for this commit",
        )
        .with_data(json!({"already_done": true, "tests": done})));
    }
    if commands.is_empty() {
        p.warn("no test commands are configured (test.commands in berry.toml); nothing was run");
    }

    std::fs::create_dir_all(ws.store.dir())
        .with_context(|| format!("cannot create {}", ws.store.dir().display()))?;
    let log_path = ws.store.dir().join(format!("{req}.test.log"));
    // The log is the operator's alone (0600), also when an older one was not.
    let mut log = std::fs::File::options()
        .create(true)
        .read(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(&log_path)
        .with_context(|| format!("cannot create the log {}", log_path.display()))?;
    log.set_permissions(std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("cannot restrict the log {}", log_path.display()))?;
    // berry's own credentials stay out of the test commands' environment.
    let drop_env = crate::env_vars::withheld(&ws.config.test.pass_env);

    // What the tests see beyond HEAD's tree: they run in the working tree.
    let dirty = dirty_paths(&ws.repo);
    if !dirty.is_empty() {
        p.warn(format!(
            "{} path(s) differ from HEAD in the working tree and the tests see them: {}; the result counts for HEAD's tree",
            dirty.len(),
            dirty.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    let mut results = Vec::new();
    let mut failed = None;
    for c in commands {
        let spinner = p.spinner(format!("{} ({})", c.name, c.argv.join(" ")));
        let r = testrun::run(c, &ws.root, &mut log, &drop_env)?;
        spinner.finish_and_clear();
        let secs = r.duration_ms as f64 / 1000.0;
        if r.passed {
            p.line(format!(
                "{} {} ({secs:.1}s)",
                p.paint(Tone::Good, "✔"),
                c.name
            ));
        } else {
            let why = if let Some(e) = &r.error {
                e.clone()
            } else if r.timed_out {
                format!("timed out after {}s", c.timeout_secs)
            } else {
                match r.exit_code {
                    Some(code) => format!("exit code {code}"),
                    None => "killed by a signal".into(),
                }
            };
            p.line(format!(
                "{} {} failed: {why} ({secs:.1}s)",
                p.paint(Tone::Bad, "✘"),
                c.name
            ));
            p.line(p.paint(
                Tone::Dim,
                format!("  last lines of {}:", log_path.display()),
            ));
            for l in &r.tail {
                p.line(format!("  │ {l}"));
            }
            failed = Some(format!("{} failed: {why}", c.name));
        }
        results.push(r);
        if failed.is_some() {
            break;
        }
    }
    let not_run: Vec<&str> = commands
        .iter()
        .skip(results.len())
        .map(|c| c.name.as_str())
        .collect();
    if !not_run.is_empty() {
        p.line(format!("  not run: {}", not_run.join(", ")));
    }
    let passed = failed.is_none();
    let record = TestsRecord {
        passed,
        log: log_path.display().to_string(),
        commands: results.iter().map(Into::into).collect(),
        head,
        tree,
        dirty,
        at: crate::clock::now()?.round(jiff::Unit::Second)?,
    };
    session.ctx.ledger.tests = Some(record.clone());
    let (outcome, message) = match &failed {
        None => (
            Outcome::Ok,
            format!("{} test command(s) passed", results.len()),
        ),
        Some(m) => (Outcome::Blocked, m.clone()),
    };
    session.record(Step::Test, outcome, &message)?;
    let mut data = serde_json::to_value(&record)?;
    if passed {
        p.line(p.paint(Tone::Dim, format!("  log: {}", log_path.display())));
        if let Some(head) = &record.head {
            super::failures::resolve(
                env,
                &ws,
                &mut session,
                crate::context::FailureKind::Tests,
                head,
            );
        }
        super::print_next(p, &session.ctx, Step::Test);
    } else {
        // The failure is reported for a person: the issue, BLOCKED, the blocked notice.
        let tails: Vec<(String, Vec<String>)> = results
            .iter()
            .filter(|r| !r.passed)
            .map(|r| (r.name.clone(), r.tail.clone()))
            .collect();
        data["report"] = super::failures::offer_tests(env, &ws, &mut session, &record, &tails);
    }
    Ok(StepReport::new("test", Some(req), outcome, message).with_data(data))
}

/// Paths whose working-tree content differs from HEAD (untracked included, ignored not).
fn dirty_paths(repo: &git2::Repository) -> Vec<String> {
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false);
    repo.statuses(Some(&mut opts))
        .map(|st| {
            st.iter()
                .filter_map(|e| e.path().ok().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
