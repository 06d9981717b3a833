//! The command line: global options, one subcommand per step, and the one `match` that
//! dispatches them. Prints the step report and turns outcomes and errors into exit codes.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::commands::{self, Env, Globals, StepReport};
use crate::error::{self, Exit};
use crate::printer::{ColorChoice, Pager, Paging, Printer, PrinterOptions};
use crate::req::ReqNumber;

/// berry: the last gate before production.
///
/// Stage 7 of an AgogSaaS delivery workflow. It refuses to ship what QA did not approve, commits
/// exactly what was reviewed, pushes and opens the PR, watches CI for that commit, updates the
/// owner's tracker and announces completion on NATS JetStream. Each subcommand runs one step and
/// records it in the REQ context (`<git dir>/berry/<REQ>.json`).
///
/// Exit codes: 0 done, 1 operational failure, 2 usage or configuration, 3 gate closed,
/// 4 decision needed or declined, 5 timed out, 130 interrupted.
#[derive(Debug, Parser)]
#[command(name = "berry", version, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Run as if berry was started in DIR (the repository).
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Configuration file (default: berry.toml at the repository root).
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "BERRY_CONFIG",
        hide_env_values = true
    )]
    pub config: Option<PathBuf>,
    /// The REQ to work on (default: the current REQ, set by `berry verify`).
    // Its own id: the subcommands' positional REQ is `req`, and one id for both would hide
    // `--req` after the subcommand.
    #[arg(long = "req", id = "global_req", global = true, value_name = "REQ", env = "BERRY_REQ", hide_env_values = true, value_parser = ReqNumber::parse, add = clap_complete::engine::ArgValueCompleter::new(crate::complete::reqs))]
    pub req: Option<ReqNumber>,
    /// The GitHub repository, when the remote URL does not say it.
    #[arg(
        long,
        global = true,
        value_name = "OWNER/REPO",
        env = "BERRY_GITHUB_REPO",
        hide_env_values = true
    )]
    pub repo: Option<String>,
    /// Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL.
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = "BERRY_DELIVERABLES",
        hide_env_values = true
    )]
    pub deliverables: Option<PathBuf>,
    /// Accept the working tree's changed berry.toml as the gate's configuration for the REQ
    /// (`berry review` records the acceptance; without it HEAD's berry.toml is in force).
    #[arg(long, global = true)]
    pub accept_config_change: bool,
    /// Accept every default without asking (also BERRY_YES=1).
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,
    /// Show the plan and every text that would be written or sent; change nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Print one JSON object per step on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// When to color the output (NO_COLOR is honoured with auto).
    #[arg(long, global = true, value_name = "WHEN", value_enum, default_value_t = ColorChoice::Auto, env = "BERRY_COLOR", hide_env_values = true)]
    pub color: ColorChoice,
    /// Say less: only warnings, errors and results.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Say more.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Never page long text.
    #[arg(long, global = true, conflicts_with = "paginate")]
    pub no_pager: bool,
    /// Page long text even when it fits on the screen (only on a terminal).
    #[arg(long, global = true)]
    pub paginate: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Verify(commands::verify::VerifyArgs),
    Review(commands::review::ReviewArgs),
    Commit(commands::commit::CommitArgs),
    Test(commands::test::TestArgs),
    Push(commands::push::PushArgs),
    Pr(commands::pr::PrArgs),
    Watch(commands::watch::WatchArgs),
    Health(commands::health::HealthArgs),
    Complete(commands::complete::CompleteArgs),
    Block(commands::block::BlockArgs),
    Checklist(commands::checklist::ChecklistArgs),
    Rollback(commands::rollback::RollbackArgs),
    Status(commands::status::StatusArgs),
    Config(commands::config::ConfigArgs),
    Run(commands::run::RunArgs),
    Listen(commands::listen::ListenArgs),
    Demo(commands::demo::DemoArgs),
    Completions(commands::completions::CompletionsArgs),
    Guards(commands::guards::GuardsArgs),
    /// Print the man page (roff) on stdout, or write every page into DIR.
    #[command(hide = true)]
    Man {
        /// Write berry.1 and one page per subcommand into DIR.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Verify(_) => "verify",
            Command::Review(_) => "review",
            Command::Commit(_) => "commit",
            Command::Test(_) => "test",
            Command::Push(_) => "push",
            Command::Pr(_) => "pr",
            Command::Watch(_) => "watch",
            Command::Health(_) => "health",
            Command::Complete(_) => "complete",
            Command::Block(_) => "block",
            Command::Checklist(_) => "checklist",
            Command::Rollback(_) => "rollback",
            Command::Status(_) => "status",
            Command::Config(_) => "config",
            Command::Run(_) => "run",
            Command::Listen(_) => "listen",
            Command::Demo(_) => "demo",
            Command::Completions(_) => "completions",
            Command::Guards(_) => "guards",
            Command::Man { .. } => "man",
        }
    }
}

/// Parses the command line, runs the step, prints its report, and returns the exit code.
pub fn main() -> ExitCode {
    // `COMPLETE=bash berry` prints the registration script; the shell then calls back here.
    clap_complete::CompleteEnv::with_factory(Cli::command).complete();
    crate::signals::install();
    for value in crate::env_vars::credential_values() {
        crate::secrets::add_known_secret(&value);
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let e = with_suggestion(e, std::env::args().skip(1).collect());
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                Exit::Usage.code() as u8
            } else {
                0
            });
        }
    };
    crate::ssh::set_env(crate::ssh::SshEnv {
        command: crate::env_vars::var(crate::env_vars::GIT_SSH_COMMAND),
        program: crate::env_vars::var(crate::env_vars::GIT_SSH),
    });
    let g = cli.global;
    let printer = Printer::new(&PrinterOptions {
        yes: g.yes,
        json: g.json,
        dry_run: g.dry_run,
        color: g.color,
        quiet: g.quiet,
        verbose: g.verbose,
        paging: if g.no_pager {
            Paging::Never
        } else if g.paginate {
            Paging::Always
        } else {
            Paging::Auto
        },
        pager: (!g.no_pager && std::io::stderr().is_terminal())
            .then(|| resolve_pager(g.dir.as_deref()))
            .flatten(),
    });
    let env = Env {
        printer,
        globals: Globals {
            dir: g.dir,
            config: g.config,
            req: g.req,
            repo: g.repo,
            deliverables: g.deliverables,
            accept_config_change: g.accept_config_change,
        },
        resolved: Default::default(),
    };
    crate::logging::init(
        g.verbose,
        crate::env_vars::var(crate::env_vars::BERRY_LOG).as_deref(),
        env.printer.color(),
    );
    let step = cli.command.name();
    tracing::debug!(step, "start");
    let started = std::time::Instant::now();
    let result = dispatch(&env, cli.command);
    tracing::debug!(
        step,
        elapsed_ms = started.elapsed().as_millis() as u64,
        ok = result.is_ok(),
        "done"
    );
    finish(&env, step, result)
}

/// An unknown option that clap found nothing like gets the nearest option of the command it was
/// given to (a swapped pair of letters too: `--yse` → `--yes`).
fn with_suggestion(mut e: clap::Error, argv: Vec<String>) -> clap::Error {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::UnknownArgument || e.get(ContextKind::SuggestedArg).is_some() {
        return e;
    }
    let Some(ContextValue::String(given)) = e.get(ContextKind::InvalidArg).cloned() else {
        return e;
    };
    let Some(name) = given.strip_prefix("--") else {
        return e;
    };
    let root = Cli::command();
    let sub = argv
        .iter()
        .find_map(|a| root.get_subcommands().find(|c| c.get_name() == a));
    let cmd = sub.unwrap_or(&root);
    let best = cmd
        .get_arguments()
        .chain(root.get_arguments())
        .filter(|a| !a.is_hide_set())
        .filter_map(|a| a.get_long())
        .map(|long| (strsim::osa_distance(name, long), long))
        .filter(|(d, long)| *d <= 2 && *d < long.len())
        .min();
    if let Some((_, long)) = best {
        e.insert(
            ContextKind::SuggestedArg,
            ContextValue::String(format!("--{long}")),
        );
    }
    e
}

/// The pager (`BERRY_PAGER`, `core.pager` of the repository's git config, `PAGER`, `less`) and
/// the `LESS` it runs with.
fn resolve_pager(dir: Option<&std::path::Path>) -> Option<Pager> {
    use crate::env_vars::{self, var_set};
    let core = || {
        let start = dir.map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
        let config = match git2::Repository::discover(&start) {
            Ok(repo) => repo.config(),
            Err(_) => git2::Config::open_default(),
        };
        config.ok()?.get_string("core.pager").ok()
    };
    let berry = var_set(env_vars::BERRY_PAGER);
    let core = if berry.is_none() { core() } else { None };
    let command = crate::printer::pager_command(berry, core, var_set(env_vars::PAGER))?;
    Some(Pager {
        command,
        less: var_set(env_vars::LESS).is_none().then(|| "FRX".to_string()),
    })
}

fn dispatch(env: &Env, command: Command) -> anyhow::Result<StepReport> {
    use commands::*;
    match command {
        Command::Verify(a) => verify::run(env, a),
        Command::Review(a) => review::run(env, a),
        Command::Commit(a) => commit::run(env, a),
        Command::Test(a) => test::run(env, a),
        Command::Push(a) => push::run(env, a),
        Command::Pr(a) => pr::run(env, a),
        Command::Watch(a) => watch::run(env, a),
        Command::Health(a) => health::run(env, a),
        Command::Complete(a) => complete::run(env, a),
        Command::Block(a) => block::run(env, a),
        Command::Checklist(a) => checklist::run(env, a),
        Command::Rollback(a) => rollback::run(env, a),
        Command::Status(a) => status::run(env, a),
        Command::Config(a) => config::run(env, a),
        Command::Run(a) => run::run(env, a),
        Command::Listen(a) => listen::run(env, a),
        Command::Demo(a) => demo::run(env, a),
        Command::Completions(a) => completions::run(a),
        Command::Guards(a) => guards::run(env, a),
        Command::Man { out } => completions::man(out.as_deref()),
    }
}

/// A step's `--json` line on stdout, masked: for a step run alone and for each step `berry run`
/// runs (see [`print_json`]).
pub fn print_json_line(report: &StepReport) {
    print_json(&report.to_json());
}

/// A JSON line on stdout, masked (every string and key through the masker): the one writer of
/// the `--json` lines of steps, planned steps and errors.
pub fn print_json(line: &serde_json::Value) {
    let _ = writeln!(std::io::stdout(), "{}", crate::secrets::mask_json(line));
}

fn finish(env: &Env, step: &'static str, result: anyhow::Result<StepReport>) -> ExitCode {
    match result {
        Ok(report) => {
            if env.printer.json() && !report.silent {
                print_json_line(&report);
            }
            ExitCode::from(report.exit.unwrap_or(report.outcome.exit()).code() as u8)
        }
        Err(err) => ExitCode::from(report_error(env, step, &err).code() as u8),
    }
}

/// Prints an error as `error:`, causes, `hint:` on stderr (and its JSON line with `--json`);
/// returns the exit code it calls for.
pub fn report_error(env: &Env, step: &str, err: &anyhow::Error) -> Exit {
    let classified = error::classify(err);
    let exit = classified.exit;
    let mut stderr = std::io::stderr();
    for line in error::render(err) {
        let line = crate::secrets::mask_text(&line).into_owned();
        let line = match line.split_once(':') {
            Some((head @ ("error" | "hint"), rest)) if env.printer.color() => {
                let tone = if head == "error" {
                    crate::printer::Tone::Bad
                } else {
                    crate::printer::Tone::Strong
                };
                format!("{}:{rest}", env.printer.paint(tone, head))
            }
            _ => line,
        };
        let _ = writeln!(stderr, "{line}");
    }
    if env.printer.json() {
        let outcome = match exit {
            Exit::Decision => "declined",
            Exit::Gate => "blocked",
            _ => "error",
        };
        let report = serde_json::json!({
            "req": env.globals.req.clone().or_else(|| env.resolved.borrow().clone()),
            "step": step,
            "outcome": outcome,
            "message": err.to_string(),
            "data": {
                "exit": exit.code(),
                "kind": classified.kind,
                "reasons": classified.reasons,
                "causes": err.chain().skip(1).map(|c| c.to_string()).collect::<Vec<_>>(),
                "hint": classified.hints.first(),
                "hints": classified.hints,
            },
        });
        print_json(&report);
    }
    exit
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
