//! `berry guards check [PATH…]`: the secret rules on files or stdin, outside a REQ.

use std::io::Read as _;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};
use serde_json::json;

use super::show;
use super::view;
use super::{Env, Outcome, StepReport};
use crate::printer::Tone;

/// Try the secret guard outside a REQ.
#[derive(Debug, Args)]
pub struct GuardsArgs {
    #[command(subcommand)]
    pub command: GuardsCommand,
}

#[derive(Debug, Subcommand)]
pub enum GuardsCommand {
    /// Run the secret rules on files (or stdin with no PATH, or `-`); exit 3 on a finding.
    ///
    /// The rules are berry's built-in ones, extended or replaced by the repository's
    /// `.gitleaks.toml` (or `guards.rules`) and `.gitleaksignore` as they are in the working
    /// tree, so a team can try its rule file before committing it. `--rules FILE` reads that
    /// file instead; outside a repository the built-in rules are used. Whole files are scanned
    /// (not only added lines), their names too; values are shown masked.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files to scan; none, or `-`, reads stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// A rule file in the gitleaks format instead of the repository's.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

pub fn run(env: &Env, args: GuardsArgs) -> Result<StepReport> {
    match args.command {
        GuardsCommand::Check(a) => check(env, a),
    }
}

fn check(env: &Env, args: CheckArgs) -> Result<StepReport> {
    let p = &env.printer;
    let why = |f: &PathBuf| format!("cannot read {}", f.display());
    let read = |f: &PathBuf| std::fs::read(f).with_context(|| why(f));
    let given = match &args.rules {
        Some(f) => Some((
            f.display().to_string(),
            std::fs::read_to_string(f).with_context(|| why(f))?,
        )),
        None => None,
    };
    let ws = env.workspace().ok();
    let root = ws.as_ref().map(|ws| ws.root.as_path());
    let configured = ws.as_ref().and_then(|ws| ws.config.guards.rules.as_deref());
    let (set, origin) = crate::guards::trial_rules(given, root, configured)?;
    let set = std::sync::Arc::new(set);
    // What is shown is masked with the rules being tried.
    crate::secrets::install(set.clone());
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    let stdin = |p: &&PathBuf| p.as_os_str() == "-";
    if args.paths.is_empty() || args.paths.iter().any(|p| stdin(&p)) {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read stdin")?;
        inputs.push(("-".into(), buf));
    }
    for path in args.paths.iter().filter(|p| !stdin(p)) {
        inputs.push((path.display().to_string(), read(path)?));
    }
    let findings = crate::guards::scan_inputs(&set, &inputs, root);
    p.detail(format!("rules: {origin} ({} rules)", set.rules().len()));
    for f in &findings {
        p.line(view::finding_line(&p.paint(Tone::Bad, "✘"), false, f));
    }
    let data = json!({"rules": origin, "scanned": inputs.len(), "findings": findings});
    if !findings.is_empty() {
        let message = format!("{} secret(s) found", findings.len());
        return Ok(StepReport::new("guards", None, Outcome::Blocked, message).with_data(data));
    }
    show::done(p, format!("no secrets in {} input(s)", inputs.len()));
    Ok(StepReport::new("guards", None, Outcome::Ok, "no secrets found").with_data(data))
}
