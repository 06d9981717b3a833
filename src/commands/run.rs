//! `berry run`: the steps in workflow order, each exactly as its subcommand, from the first one
//! not done yet; stops at the first that does not succeed, with its exit code.

use anyhow::Result;
use clap::{Args, FromArgMatches};
use serde_json::json;

use super::view::{self, Mark};
use super::{Env, Outcome, Step, StepReport, Workspace};
use crate::error::{BerryError, Exit};
use crate::printer::Tone;
use crate::req::ReqNumber;

/// Run the steps in workflow order from the first one not yet done; stop at the first that
/// does not succeed, with its exit code.
///
/// Each step behaves exactly as its subcommand (same prompts, same flags, same records): pr and
/// watch with no GitHub repository record themselves as skipped with the reason, as they do when
/// run alone. A rerun after an interruption continues where it stopped. With --json, one line per
/// step (NDJSON).
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The REQ to ship. Defaults to --req, then the current REQ.
    #[arg(value_name = "REQ", value_parser = ReqNumber::parse, add = clap_complete::engine::ArgValueCompleter::new(crate::complete::reqs))]
    pub req: Option<ReqNumber>,
    /// Start at this step (even if it is recorded as done).
    #[arg(long, value_name = "STEP", value_parser = Step::NAMES)]
    pub from: Option<String>,
    /// Stop after this step.
    #[arg(long, value_name = "STEP", value_parser = Step::NAMES)]
    pub to: Option<String>,
}

pub fn run(env: &Env, args: RunArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(args.req, &ws.store)?;
    let step = |s: Option<String>| s.as_deref().and_then(Step::parse);
    run_steps(env, &ws, &req, step(args.from), step(args.to))
}

/// What `run` and `demo` share: the steps from `from` (or the first not done) to `to`.
pub fn run_steps(
    env: &Env,
    ws: &Workspace,
    req: &ReqNumber,
    from: Option<Step>,
    to: Option<Step>,
) -> Result<StepReport> {
    let p = &env.printer;
    let mut env = env.clone();
    env.globals.req = Some(req.clone());
    env.printer = env.printer.in_run();
    let ended = |outcome, message: String, done: &[serde_json::Value], exit: Option<Exit>| {
        let mut r = StepReport::new("run", Some(req.clone()), outcome, message)
            .with_data(json!({"steps": done}));
        r.exit = exit;
        r.silent = exit.is_some() || p.json();
        r
    };
    let Some(steps) = crate::workflow::span(ws.store.peek(req)?.as_ref(), from, to)? else {
        view::say(p, Mark::Done, format!("every step of {req} is done"));
        let mut r = ended(Outcome::Ok, "every step is done".into(), &[], None);
        r.silent = false;
        return Ok(r);
    };
    let mut done = Vec::new();
    for &step in steps {
        p.line(p.paint(Tone::Strong, format!("── {step} ──")));
        // A dry run records nothing, so a later step's preconditions are missing: it is part
        // of the plan, shown with what it would do and what it checks.
        let planned = p.dry_run()
            && !done.is_empty()
            && ws
                .store
                .peek(req)?
                .is_none_or(|ctx| crate::workflow::require_recorded(step, &ctx).is_err());
        let attempt = match planned {
            true => Err(BerryError::usage("planned").into()),
            false => one(&env, step),
        };
        let report = match attempt {
            Ok(r) => r,
            Err(e)
                if p.dry_run()
                    && !done.is_empty()
                    && crate::error::classify(&e).exit == Exit::Usage =>
            {
                done.push(plan(&env, ws, req, step)?);
                continue;
            }
            Err(e) => {
                let exit = crate::cli::report_error(&env, step.as_str(), &e);
                done.push(json!({"step": step, "outcome": "error", "exit": exit.code()}));
                let message = format!("{step} failed: {e}");
                return Ok(ended(Outcome::Error, message, &done, Some(exit)));
            }
        };
        if p.json() && !report.silent {
            println!("{}", report.to_json());
        }
        let (outcome, message) = (report.outcome, &report.message);
        done.push(json!({"step": step, "outcome": outcome.as_str(), "message": message}));
        if !matches!(outcome, Outcome::Ok | Outcome::Skipped) && !p.dry_run() {
            let exit = report.exit.unwrap_or(outcome.exit());
            let message = format!("stopped at {step}: {message}");
            return Ok(ended(outcome, message, &done, Some(exit)));
        }
    }
    let message = format!("{} step(s) done", done.len());
    Ok(ended(Outcome::Ok, message, &done, None))
}

/// A step a dry run cannot run yet (its inputs are not recorded): what it would do, what it
/// checks and the texts it would write or send; its entry in `run`'s data.
fn plan(env: &Env, ws: &Workspace, req: &ReqNumber, step: Step) -> Result<serde_json::Value> {
    let p = &env.printer;
    let needs: Vec<&str> = crate::workflow::needs(step)
        .iter()
        .map(|n| n.bound_to())
        .collect();
    let checks = match needs.is_empty() {
        true => String::new(),
        false => format!(" (it checks {})", needs.join(", ")),
    };
    p.line(format!(
        "would then run `berry {step}`: {}{checks}",
        step.summary()
    ));
    let texts = show_texts(env, ws, req, step)?;
    if p.json() {
        // The same shape as every step's line; "planned" is not an outcome a step records,
        // only what a dry run says of a step it cannot run yet.
        let data = json!({"checks": needs, "texts": texts});
        let line = json!({"req": req, "step": step, "outcome": "planned", "message": step.summary(), "data": data});
        println!("{line}");
    }
    Ok(json!({"step": step, "outcome": "planned", "summary": step.summary()}))
}

/// Runs one step with its default arguments, exactly as its subcommand would.
fn one(env: &Env, step: Step) -> Result<StepReport> {
    use super::*;
    match step {
        Step::Verify => verify::run(env, defaults::<verify::VerifyArgs>()),
        Step::Review => review::run(env, defaults::<review::ReviewArgs>()),
        Step::Commit => commit::run(env, defaults::<commit::CommitArgs>()),
        Step::Test => test::run(env, defaults::<test::TestArgs>()),
        Step::Push => push::run(env, defaults::<push::PushArgs>()),
        Step::Pr => pr::run(env, defaults::<pr::PrArgs>()),
        Step::Watch => watch::run(env, defaults::<watch::WatchArgs>()),
        Step::Health => health::run(env, defaults::<health::HealthArgs>()),
        Step::Complete => complete::run(env, defaults::<complete::CompleteArgs>()),
        Step::Block | Step::Checklist | Step::Rollback => {
            unreachable!("block, checklist and rollback are actions, never steps of the order")
        }
    }
}

/// A step's arguments as its subcommand gets them with no flags.
fn defaults<A: Args + FromArgMatches>() -> A {
    let cmd = A::augment_args(clap::Command::new("step").no_binary_name(true));
    let m = cmd
        .try_get_matches_from(Vec::<String>::new())
        .expect("every step runs without arguments");
    A::from_arg_matches(&m).expect("defaults parse")
}

/// The texts a planned step would write or send (see [`crate::plan`]), rendered; returned for
/// the step's JSON.
fn show_texts(
    env: &Env,
    ws: &Workspace,
    req: &ReqNumber,
    step: Step,
) -> Result<Vec<crate::plan::Text>> {
    use crate::plan::Text;
    let p = &env.printer;
    let Some(ctx) = ws.store.peek(req)? else {
        return Ok(Vec::new());
    };
    let rows = env
        .source(ws)
        .and_then(|mut s| s.latest(req))
        .unwrap_or_default();
    let branch = crate::commit::branch(&ws.repo)
        .map(|b| b.name)
        .unwrap_or_else(|_| "HEAD".into());
    let inputs = crate::plan::Inputs {
        repo: &ws.repo,
        root: &ws.root,
        config: &ws.config,
        ctx: &ctx,
        rows: &rows,
        branch: &branch,
        now: crate::clock::now()?,
    };
    let indent = |text: &str| {
        text.trim_end()
            .lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let texts = crate::plan::texts(step, &inputs)?;
    for text in texts.iter().cloned() {
        match text {
            Text::CommitMessage(m) => {
                p.line("  commit message:");
                p.line(indent(&m));
            }
            Text::Pr { title, body } => {
                p.line(format!("  pull request title: {title}"));
                p.line("  pull request body:");
                p.line(indent(&body));
            }
            Text::Tracker {
                path,
                line,
                from,
                to,
                old,
                new,
            } => {
                let from = if from.is_empty() { "(empty)" } else { &from };
                p.line(format!("  tracker: {path} line {line}: {from} → {to}"));
                let diff = crate::diffview::preview(p, old.as_bytes(), new.as_bytes(), 200);
                p.line(diff.trim_end());
            }
            Text::Notice {
                subject,
                msg_id,
                payload,
            } => {
                p.line(format!("  notice on {subject} (id {msg_id}):"));
                p.line(indent(&serde_json::to_string_pretty(&payload)?));
            }
            Text::Note(n) => p.line(p.paint(Tone::Dim, format!("  {n}"))),
        }
    }
    if (step == Step::Pr || step == Step::Complete) && ctx.shipped_sha().is_none() {
        p.line(p.paint(
            Tone::Dim,
            format!(
                "  ({} stands for the commit berry makes; the tests are taken as passed)",
                crate::plan::PLANNED_SHA
            ),
        ));
    }
    Ok(texts)
}
