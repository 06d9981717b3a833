//! `berry run`: the steps in contract order, each exactly as its subcommand, from the first one
//! not done yet; stops at the first that does not succeed, with its exit code.

use anyhow::Result;
use clap::{Args, FromArgMatches};
use serde_json::json;

use super::status::{STEPS, next_step};
use super::{Env, Outcome, Session, StepReport, Workspace};
use crate::error::Exit;
use crate::printer::Tone;
use crate::req::ReqNumber;

/// Run the steps in contract order from the first one not yet done; stop at the first that
/// does not succeed, with its exit code.
///
/// Each step behaves exactly as its subcommand (same prompts, same flags, same records). Steps
/// that cannot run here (no GitHub repository for pr and watch) are recorded as skipped with the
/// reason. A rerun after an interruption continues where it stopped. With --json, one line per
/// step (NDJSON).
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The REQ to ship. Defaults to --req, then the current REQ.
    #[arg(value_name = "REQ", value_parser = ReqNumber::parse, add = clap_complete::engine::ArgValueCompleter::new(crate::complete::reqs))]
    pub req: Option<ReqNumber>,
    /// Start at this step (even if it is recorded as done).
    #[arg(long, value_name = "STEP", value_parser = STEPS)]
    pub from: Option<String>,
    /// Stop after this step.
    #[arg(long, value_name = "STEP", value_parser = STEPS)]
    pub to: Option<String>,
}

pub fn run(env: &Env, args: RunArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(args.req, &ws.store)?;
    run_steps(env, &ws, &req, args.from.as_deref(), args.to.as_deref())
}

/// What `run` and `demo` share: the steps from `from` (or the first not done) to `to`.
pub fn run_steps(
    env: &Env,
    ws: &Workspace,
    req: &ReqNumber,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<StepReport> {
    let p = &env.printer;
    let mut env = env.clone();
    env.globals.req = Some(req.clone());
    env.printer = env.printer.in_run();
    let first = match from {
        Some(f) => f,
        None => match ws.store.peek(req)? {
            Some(ctx) => match next_step(&ctx) {
                Some(n) => n,
                None => {
                    p.line(format!(
                        "{} every step of {req} is done",
                        p.paint(Tone::Good, "✔")
                    ));
                    return Ok(StepReport::new(
                        "run",
                        Some(req.clone()),
                        Outcome::Ok,
                        "every step is done",
                    )
                    .with_data(json!({"steps": []})));
                }
            },
            None => "verify",
        },
    };
    let start = STEPS
        .iter()
        .position(|s| *s == first)
        .expect("clap checks the step name");
    let end = to
        .map(|t| {
            STEPS
                .iter()
                .position(|s| *s == t)
                .expect("clap checks the step name")
        })
        .unwrap_or(STEPS.len() - 1);
    if end < start {
        return Err(crate::error::BerryError::usage(format!(
            "--to {} comes before {first}",
            STEPS[end]
        ))
        .into());
    }
    let mut done = Vec::new();
    for step in &STEPS[start..=end] {
        p.line(p.paint(Tone::Strong, format!("── {step} ──")));
        let report = match skip_reason(&env, ws, step) {
            Some(reason) => {
                let mut s = Session::open(&ws.store, req.clone(), step)?;
                if *step == "watch" {
                    // No CI can be watched here: what `complete` then accepts is `github.no_ci`'s call.
                    let sha = super::block::commit_sha(&s);
                    s.ctx.ledger.watch = Some(json!({
                        "conclusion": "skipped",
                        "sha": sha,
                        "reason": reason,
                        "at": crate::clock::now()?,
                    }));
                }
                s.record(step, Outcome::Skipped, &reason)?;
                p.line(format!(
                    "{} {step} skipped: {reason}",
                    p.paint(Tone::Dim, "–")
                ));
                StepReport::new(step_name(step), Some(req.clone()), Outcome::Skipped, reason)
            }
            None => match one(&env, step) {
                Ok(r) => r,
                Err(e) => {
                    let exit = crate::cli::report_error(&env, step, &e);
                    done.push(json!({"step": step, "outcome": "error", "exit": exit.code()}));
                    let mut r = StepReport::new(
                        "run",
                        Some(req.clone()),
                        Outcome::Error,
                        format!("{step} failed: {e}"),
                    )
                    .with_data(json!({"steps": done}));
                    r.exit = Some(exit);
                    r.silent = true;
                    return Ok(r);
                }
            },
        };
        if p.json() && !report.silent {
            println!("{}", report.to_json());
        }
        done.push(
            json!({"step": step, "outcome": report.outcome.as_str(), "message": report.message}),
        );
        if !matches!(report.outcome, Outcome::Ok | Outcome::Skipped) {
            let exit: Exit = report.exit.unwrap_or(report.outcome.exit());
            let mut r = StepReport::new(
                "run",
                Some(req.clone()),
                report.outcome,
                format!("stopped at {step}: {}", report.message),
            )
            .with_data(json!({"steps": done}));
            r.exit = Some(exit);
            r.silent = true;
            return Ok(r);
        }
    }
    let mut r = StepReport::new(
        "run",
        Some(req.clone()),
        Outcome::Ok,
        format!("{} step(s) done", done.len()),
    )
    .with_data(json!({"steps": done}));
    r.silent = p.json();
    Ok(r)
}

fn step_name(step: &str) -> &'static str {
    STEPS.into_iter().find(|s| *s == step).unwrap_or("run")
}

/// Runs one step with its default arguments, exactly as its subcommand would.
fn one(env: &Env, step: &str) -> Result<StepReport> {
    use super::*;
    match step {
        "verify" => verify::run(env, defaults::<verify::VerifyArgs>()),
        "review" => review::run(env, defaults::<review::ReviewArgs>()),
        "commit" => commit::run(env, defaults::<commit::CommitArgs>()),
        "test" => test::run(env, defaults::<test::TestArgs>()),
        "push" => push::run(env, defaults::<push::PushArgs>()),
        "pr" => pr::run(env, defaults::<pr::PrArgs>()),
        "watch" => watch::run(env, defaults::<watch::WatchArgs>()),
        "complete" => complete::run(env, defaults::<complete::CompleteArgs>()),
        other => unreachable!("not a step: {other}"),
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

/// Why a step cannot run in this repository, or `None`.
fn skip_reason(env: &Env, ws: &Workspace, step: &str) -> Option<String> {
    if !matches!(step, "pr" | "watch") {
        return None;
    }
    if env.globals.repo.is_some()
        || ws.config.github.repo.is_some()
        || crate::env_vars::var(crate::env_vars::GITHUB_API_URL).is_some()
    {
        return None;
    }
    let url = ws
        .repo
        .find_remote("origin")
        .ok()
        .and_then(|r| r.url().ok().map(str::to_string));
    match url {
        Some(u) if u.contains("github") => None,
        Some(u) => Some(format!(
            "no GitHub repository: origin is {u} (set --repo OWNER/REPO for a mirror)"
        )),
        None => Some("no GitHub repository: the repository has no origin".into()),
    }
}
