//! `berry commit`: stage exactly the reviewed files and commit them with a message tied to QA's
//! evidence. The work, and the rules it keeps, are in [`crate::commit`]; this file turns the
//! arguments into options and renders what the work returns; [`view`] lays out what it shows on
//! its way and the commit's summary.

mod view;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::show::short;
use super::{Env, Outcome, Session, Step, StepReport};
use crate::commit::{self as work, Done, Options};

/// Stage exactly the reviewed files and commit them with a message tied to QA's evidence.
///
/// Re-checks the approval evidence and every reviewed path (inside stage.paths, both sides of a
/// rename, never through a symlinked folder), writes the files as git would (attributes, clean
/// filters, line endings), runs the guards on exactly those blobs, renders the message from
/// templates/commit.txt, lets you edit it on a terminal, runs the repository's hooks as git
/// does, and commits (signed when commit.gpgsign says so).
///
/// A file changed since review is never committed as is: without a terminal, or with --yes,
/// that closes the gate (exit 3; run `berry review` again); on a terminal you may re-review just
/// those files (default: no). Files someone else staged are shown and left out unless you say
/// otherwise (--yes leaves them out; they stay staged). A hook that fails stops the commit
/// (exit 3); there is no way to skip hooks. The message can be overridden per repository in
/// .berry/templates/commit.txt.
#[derive(Debug, Args)]
pub struct CommitArgs {}

pub fn run(env: &Env, _args: CommitArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(None, &ws.store)?;
    let p = &env.printer;
    let mut session = Session::existing(&ws.store, req.clone(), Step::Commit)?;
    let mut source = env.source(&ws)?;
    let opts = Options {
        dry_run: p.dry_run(),
        may_edit: p.interactive() && !p.yes(),
        prefix: git_prefix(&ws.root),
    };
    let preview = ws.config.review.preview_lines;
    let mut render = |s: work::Shown<'_>| view::render(p, preview, s);
    let done = work::commit(&ws, &mut session, source.as_mut(), &opts, p, &mut render)?;
    view::done(p, &req, &done);
    let (message, data) = match done {
        Done::AlreadyCommitted { sha, record, .. } => {
            let record = serde_json::to_value(&record)?;
            let data = json!({"already_done": true, "commit": record});
            (format!("already committed as {sha}"), data)
        }
        Done::Adopted { oid, record, .. } => {
            let data = json!({"adopted": true, "commit": serde_json::to_value(&record)?});
            (format!("adopted the existing commit {oid}"), data)
        }
        Done::DryRun { data, .. } => ("dry run: nothing committed".into(), data),
        Done::Committed {
            oid,
            branch,
            stat,
            record,
            ..
        } => {
            super::print_next(p, &session.ctx, Step::Commit);
            let oid = oid.to_string();
            p.result(&oid);
            let files = stat.files_changed;
            let message = format!(
                "committed {} on {branch}: {files} file(s) changed",
                short(&oid)
            );
            (message, serde_json::to_value(&record)?)
        }
    };
    Ok(StepReport::new("commit", Some(req), Outcome::Ok, message).with_data(data))
}

/// The directory berry was started in, relative to the root, as git's `GIT_PREFIX`.
fn git_prefix(root: &std::path::Path) -> String {
    let rel = std::env::current_dir().ok().and_then(|c| {
        let c = std::fs::canonicalize(c).ok()?;
        let r = std::fs::canonicalize(root).ok()?;
        c.strip_prefix(&r)
            .ok()
            .map(|s| s.to_string_lossy().to_string())
    });
    match rel {
        Some(s) if !s.is_empty() => format!("{s}/"),
        _ => String::new(),
    }
}
