//! `berry config list|get`: the configuration in force, key by key, and where each key is set.

use anyhow::Result;
use clap::{Args, Subcommand};
use serde_json::json;

use super::{Env, Outcome, StepReport};
use crate::error::{BerryError, Exit};
use crate::settings::{Entry, Layers};

/// Show the configuration in force and where each key comes from.
///
/// Layers, later ones winning key by key: built-in defaults, the user's
/// $XDG_CONFIG_HOME/berry/config.toml (else ~/.config/berry/config.toml), the repository's
/// committed berry.toml (or an accepted change to it, or --config FILE), environment variables
/// (BERRY_DATABASE_URL, NATS_URL, GITHUB_API_URL), then flags (--deliverables). Passwords in URLs
/// are shown as ***.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Every key with its value, as `key = value` lines.
    List {
        /// Prefix each line with where the key is set (`default`, `user:PATH`, `repo:FILE`,
        /// `env:VAR`, `flag:--FLAG`), as `git config --show-origin` does.
        #[arg(long)]
        show_origin: bool,
    },
    /// The value of KEY (a section prints each of its keys). Exit 1 when KEY is not set.
    Get {
        /// A dotted key, such as `nats.url` or `stage.paths`.
        #[arg(value_name = "KEY")]
        key: String,
        /// Prefix the value with where it is set.
        #[arg(long)]
        show_origin: bool,
    },
}

pub fn run(env: &Env, args: ConfigArgs) -> Result<StepReport> {
    let layers = layers(env)?;
    let p = &env.printer;
    let (entries, show_origin, exit) = match args.action {
        ConfigAction::List { show_origin } => (layers.entries(), show_origin, None),
        ConfigAction::Get { key, show_origin } => match layers.get(&key) {
            Some(found) => (found, show_origin, None),
            None if Layers::is_known(&key) => (Vec::new(), show_origin, Some(Exit::Failure)),
            None => {
                return Err(
                    BerryError::usage(format!("`{key}` is not a configuration key"))
                        .with_hint("`berry config list` shows every key")
                        .into(),
                );
            }
        },
    };
    for e in &entries {
        p.result(line(e, show_origin));
    }
    let mut report = StepReport::new(
        "config",
        None,
        Outcome::Ok,
        format!("{} key(s)", entries.len()),
    )
    .with_data(json!({ "entries": entries }));
    report.exit = exit;
    Ok(report)
}

fn line(e: &Entry, show_origin: bool) -> String {
    if show_origin {
        format!("{}\t{} = {}", e.origin, e.key, e.value)
    } else {
        format!("{} = {}", e.key, e.value)
    }
}

/// Every layer, inside a repository or not (outside one there is no repository layer).
fn layers(env: &Env) -> Result<Layers> {
    match crate::git::open(env.globals.dir.as_deref()) {
        Ok(_) => Ok(env.workspace()?.layers),
        Err(_) if env.globals.config.is_none() => Ok(env.outer_layers()?.layers(None)?),
        Err(_) => {
            let path = env.globals.config.clone().expect("checked");
            let text = std::fs::read_to_string(&path).map_err(|e| {
                BerryError::config(format!(
                    "cannot read configuration file {}: {e}",
                    path.display()
                ))
            })?;
            let label = path.display().to_string();
            Ok(env.outer_layers()?.layers(Some((&label, &text)))?)
        }
    }
}
