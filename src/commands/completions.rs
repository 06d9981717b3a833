//! `berry completions SHELL`: the completion script on stdout (the same files are in `completions/`).

use anyhow::Result;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Outcome, StepReport};

/// Print the shell completion script for SHELL on stdout.
///
/// Install, for example: `berry completions bash > ~/.local/share/bash-completion/completions/berry`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell.
    #[arg(value_name = "SHELL")]
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs) -> Result<StepReport> {
    let mut cmd = crate::cli::Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "berry", &mut std::io::stdout());
    Ok(StepReport::new(
        "completions",
        None,
        Outcome::Ok,
        format!("{} completions", args.shell),
    )
    .quiet())
}

/// `berry man`: the manual pages generated from the same definitions as `--help` (committed
/// under `man/`): `berry.1` on stdout, or every page written into `out`.
pub fn man(out: Option<&std::path::Path>) -> Result<StepReport> {
    let pages = crate::manpages::pages(crate::cli::Cli::command())?;
    match out {
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&pages[0].roff)?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            for p in &pages {
                std::fs::write(dir.join(&p.file), &p.roff)?;
            }
        }
    }
    Ok(StepReport::new("man", None, Outcome::Ok, "man pages").quiet())
}
