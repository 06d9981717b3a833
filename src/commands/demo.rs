//! `berry demo`: the gate, end to end, in a sandbox that needs nothing but berry.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use serde_json::json;

use super::{Env, Outcome, StepReport};
use crate::demo;
use crate::printer::Tone;
use crate::req::ReqNumber;

/// Build a self-contained sandbox and run the pipeline in it as far as it goes without GitHub.
///
/// The sandbox: a repository laid out like the AgogSaaS monorepo with pending backend and
/// frontend changes (and one change outside the stage paths), a local bare origin, file-based
/// deliverables of an approved REQ, an OWNER_REQUESTS.md, and a berry.toml pointing at them.
/// Then verify, review, commit, test, push (to the bare origin), pr and watch (skipped: no
/// GitHub), complete. Interactive on a terminal, non-interactive otherwise.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to build the sandbox (default: a new temporary folder, kept afterwards).
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Show the gate closing on a REQ whose QA failed.
    #[arg(long)]
    pub rejected: bool,
}

pub fn run(env: &Env, args: DemoArgs) -> Result<StepReport> {
    let p = &env.printer;
    let root = match args.dir {
        Some(d) => d,
        None => tempfile::Builder::new()
            .prefix("berry-demo-")
            .tempdir()
            .context("cannot create a temporary folder")?
            .keep(),
    };
    let nats_url = crate::env_vars::var(crate::env_vars::NATS_URL)
        .unwrap_or_else(|| crate::config::Nats::default().url);
    let nats = demo::nats_reachable(&nats_url);
    let sandbox = demo::build(&root, args.rejected, nats)?;
    p.line(format!(
        "{} sandbox in {}",
        p.paint(Tone::Strong, "berry demo:"),
        sandbox.root.display()
    ));
    p.line(format!("  repository   {}", sandbox.repo.display()));
    p.line(format!(
        "  origin       {} (bare)",
        sandbox.origin.display()
    ));
    p.line(format!("  deliverables {}", sandbox.deliverables.display()));
    p.line(format!(
        "  REQ          {} ({})",
        demo::REQ,
        if args.rejected {
            "QA failed"
        } else {
            "QA approved"
        }
    ));
    if nats {
        p.line(format!("  NATS         {nats_url} (notices are published)"));
    } else {
        p.line(format!(
            "  NATS         no server at {nats_url}: notices are shown, not sent"
        ));
    }
    p.line("");

    let mut sub = env.clone();
    sub.globals.dir = Some(sandbox.repo.clone());
    sub.globals.deliverables = None;
    sub.globals.config = None;
    if !sub.printer.interactive() {
        // A sandbox on this machine only: nothing leaves it, so no question needs an answer.
        sub.printer = sub.printer.clone().assume_yes();
    }
    let ws = sub.workspace()?;
    let req = ReqNumber::parse(demo::REQ).expect("the demo REQ is valid");
    let mut report = super::run::run_steps(&sub, &ws, &req, None, None)?;

    let repo = sandbox.repo.display().to_string();
    p.line("");
    p.line(format!(
        "{} the sandbox stays in {}",
        p.paint(Tone::Strong, "Look around:"),
        sandbox.root.display()
    ));
    p.line(format!("  cd {repo}"));
    p.line("  berry status");
    p.line("  git log --stat -2");
    p.line(format!("  git show HEAD -- {}", demo::TRACKER));
    report.step = "demo";
    report.data = json!({"sandbox": sandbox.root, "repository": sandbox.repo, "run": report.data});
    if report.outcome == Outcome::Ok || report.outcome == Outcome::Skipped {
        report.message = format!("demo finished in {}", sandbox.root.display());
    }
    Ok(report)
}
