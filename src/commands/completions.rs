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

/// `berry man`: the man page generated from the same definitions as `--help` (committed as
/// `man/berry.1`).
pub fn man() -> Result<StepReport> {
    let cmd = crate::cli::Cli::command();
    clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?;
    Ok(StepReport::new("man", None, Outcome::Ok, "man page").quiet())
}
