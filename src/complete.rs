//! Completion that knows berry's world: REQ numbers from the state folder (and, when the
//! database answers within 200 ms, recent REQs from the deliverables table), guard names for
//! `--allow`. Registered with one line in the shell profile: `source <(COMPLETE=bash berry)`.

use std::ffi::OsStr;
use std::sync::mpsc;
use std::time::Duration;

use clap_complete::engine::CompletionCandidate;

use crate::config::Config;
use crate::context::Store;
use crate::guards::Guard;

/// How long completion waits for the database.
const DB_BUDGET: Duration = Duration::from_millis(200);

/// REQ numbers starting with what was typed: those with a context here first, then recent ones
/// from the database.
pub fn reqs(current: &OsStr) -> Vec<CompletionCandidate> {
    let prefix = current.to_string_lossy();
    let Ok(repo) = crate::git::open(None) else {
        return Vec::new();
    };
    let store = Store::for_git_dir(repo.path(), crate::env_vars::state_dir().as_deref())
        .waiting(crate::env_vars::lock_wait());
    let mut out: Vec<CompletionCandidate> = store
        .list()
        .into_iter()
        .map(|r| r.to_string())
        .filter(|r| r.starts_with(prefix.as_ref()))
        .map(|r| CompletionCandidate::new(r).help(Some("has a context here".into())))
        .collect();
    let known: Vec<String> = out
        .iter()
        .map(|c| c.get_value().to_string_lossy().into_owned())
        .collect();
    // The configuration a command would use: layered, with the repository's committed
    // berry.toml (the working tree's is untrusted).
    let config = (|| -> anyhow::Result<Config> {
        let root = crate::git::workdir(&repo)?;
        let gate = crate::gateconfig::load(&repo, &root, None, None)?;
        let label = gate.label();
        let layers = crate::env_vars::outer_layers(None)?
            .layers(gate.text.as_deref().map(|t| (label.as_str(), t)))?;
        Ok(layers.resolve()?)
    })()
    .unwrap_or_default();
    if config.deliverables.dir.is_none() {
        for r in recent_from_db(&config, &prefix) {
            if !known.contains(&r) {
                out.push(
                    CompletionCandidate::new(r)
                        .help(Some("recent in the deliverables table".into())),
                );
            }
        }
    }
    out
}

/// Recent REQs from the database, or nothing if it does not answer within the budget.
fn recent_from_db(config: &Config, prefix: &str) -> Vec<String> {
    let (tx, rx) = mpsc::channel();
    let db = config.database.clone();
    let pattern = format!(
        "{}%",
        prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    std::thread::spawn(move || {
        let result = (|| -> anyhow::Result<Vec<String>> {
            let target = crate::deliverables::PgTarget::resolve(&db)?;
            let mut cfg = postgres::Config::from(target.config.clone());
            cfg.connect_timeout(DB_BUDGET);
            let mut client = cfg.connect(postgres::NoTls)?;
            let table = db
                .table
                .split('.')
                .map(|p| format!("\"{p}\""))
                .collect::<Vec<_>>()
                .join(".");
            let sql = format!(
                "SELECT req_number FROM {table} WHERE req_number LIKE $1 GROUP BY req_number ORDER BY max(created_at) DESC NULLS LAST LIMIT 50"
            );
            Ok(client
                .query(sql.as_str(), &[&pattern])?
                .iter()
                .map(|r| r.get::<_, String>(0))
                .collect())
        })();
        let _ = tx.send(result.unwrap_or_default());
    });
    rx.recv_timeout(DB_BUDGET).unwrap_or_default()
}

/// `--allow`: the guard names, each followed by `:` so the path comes next.
pub fn allow(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    Guard::ALL
        .iter()
        .map(|g| format!("{}:", g.name()))
        .filter(|g| g.starts_with(typed.as_ref()))
        .map(CompletionCandidate::new)
        .collect()
}
