//! `berry run`: the steps in workflow order, each exactly as its subcommand, from the first one
//! not done yet; stops at the first that does not succeed, with its exit code.

use anyhow::Result;
use clap::{Args, FromArgMatches};
use serde_json::json;

use super::show;
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
        show::done(p, format!("every step of {req} is done"));
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
                done.push(super::run_view::planned(&env, ws, req, step)?);
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
            crate::cli::print_json_line(&report);
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
