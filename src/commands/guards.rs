//! `berry guards check [PATH…]`: the secret rules on files or stdin, outside a REQ.

use std::io::Read as _;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};
use serde_json::json;

use super::{Env, Outcome, StepReport};
use crate::error::BerryError;
use crate::printer::Tone;
use crate::secrets::RuleSet;

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

fn read_text(path: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// The rules to check with, where they came from, and the repository root (paths are matched
/// and fingerprinted relative to it, as review does).
fn rules(env: &Env, args: &CheckArgs) -> Result<(RuleSet, String, Option<PathBuf>)> {
    let load = |rule_file: Option<(String, String)>, ignore: Option<String>| {
        RuleSet::for_repository(
            rule_file.as_ref().map(|(o, t)| (o.as_str(), t.as_str())),
            ignore.as_deref(),
        )
        .map_err(|e| BerryError::usage(format!("the secret rules cannot be used: {e}")))
    };
    if let Some(f) = &args.rules {
        let origin = f.display().to_string();
        let set = load(Some((origin.clone(), read_text(f)?)), None)?;
        let root = env.workspace().ok().map(|ws| ws.root);
        return Ok((set, origin, root));
    }
    let Ok(ws) = env.workspace() else {
        return Ok((
            RuleSet::for_repository(None, None).map_err(BerryError::usage)?,
            "built-in".into(),
            None,
        ));
    };
    let name = ws
        .config
        .guards
        .rules
        .clone()
        .unwrap_or_else(|| ".gitleaks.toml".into());
    let file = ws.root.join(&name);
    let rule_file = if file.is_file() {
        Some((name.clone(), read_text(&file)?))
    } else if ws.config.guards.rules.is_some() {
        return Err(BerryError::usage(format!(
            "guards.rules names {name:?}, which does not exist"
        ))
        .into());
    } else {
        None
    };
    let ignore_file = ws.root.join(".gitleaksignore");
    let ignore = ignore_file
        .is_file()
        .then(|| read_text(&ignore_file))
        .transpose()?;
    let origin = if rule_file.is_some() {
        name
    } else {
        "built-in".to_string()
    };
    Ok((load(rule_file, ignore)?, origin, Some(ws.root)))
}

fn check(env: &Env, args: CheckArgs) -> Result<StepReport> {
    let p = &env.printer;
    let (set, origin, root) = rules(env, &args)?;
    let set = std::sync::Arc::new(set);
    // What is shown is masked with the rules being tried.
    crate::secrets::install(set.clone());
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    if args.paths.is_empty() || args.paths.iter().any(|p| p.as_os_str() == "-") {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read stdin")?;
        inputs.push(("-".into(), buf));
    }
    for path in args.paths.iter().filter(|p| p.as_os_str() != "-") {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        inputs.push((path.display().to_string(), bytes));
    }
    // Inside the repository a file is scanned under its repository path (`paths` allowlists and
    // `.gitleaksignore` fingerprints name those), and shown under the name given.
    let repo_path = |name: &str| -> String {
        let Some(root) = &root else {
            return name.to_string();
        };
        std::path::Path::new(name)
            .canonicalize()
            .ok()
            .and_then(|abs| {
                let root = root.canonicalize().ok()?;
                abs.strip_prefix(root)
                    .ok()
                    .map(|r| r.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| name.to_string())
    };
    let mut findings = Vec::new();
    for (name, bytes) in &inputs {
        let scan_name = if name == "-" {
            String::new()
        } else {
            repo_path(name)
        };
        let scan_name = scan_name.as_str();
        findings.extend(
            crate::guards::scan_secrets(&set, scan_name, bytes, None)
                .into_iter()
                .map(|mut f| {
                    f.path = name.clone();
                    f
                }),
        );
    }
    p.detail(format!("rules: {origin} ({} rules)", set.rules().len()));
    for f in &findings {
        let at = f.line.map(|l| format!(":{l}")).unwrap_or_default();
        p.line(format!(
            "  {} {}{at}  {}",
            p.paint(Tone::Bad, "✘"),
            crate::quote::path(&f.path),
            crate::quote::text(&f.detail)
        ));
    }
    let data = json!({"rules": origin, "scanned": inputs.len(), "findings": findings});
    if findings.is_empty() {
        p.line(format!(
            "{} no secrets in {} input(s)",
            p.paint(Tone::Good, "✔"),
            inputs.len()
        ));
        Ok(StepReport::new("guards", None, Outcome::Ok, "no secrets found").with_data(data))
    } else {
        let message = format!("{} secret(s) found", findings.len());
        Ok(StepReport::new("guards", None, Outcome::Blocked, message).with_data(data))
    }
}
