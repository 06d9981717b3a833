//! `berry commit`: stage exactly the reviewed files and commit them with a message tied to QA's
//! evidence. The work, and the rules it keeps, are in [`crate::commit`]; this file turns the
//! arguments into options and renders what the work shows and returns.

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::{Env, Outcome, Session, Step, StepReport};
use crate::commit::{self as work, Done, Options, Shown};
use crate::printer::{Printer, Tone};

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
    let mut show = |s: Shown<'_>| render(p, &ws, s);
    let done = work::commit(&ws, &mut session, source.as_mut(), &opts, p, &mut show)?;
    let report = |msg: String| StepReport::new("commit", Some(req.clone()), Outcome::Ok, msg);
    Ok(match done {
        Done::AlreadyCommitted {
            sha,
            branch,
            contained,
            record,
        } => {
            p.line(format!(
                "{} {req} is already committed as {} on {branch}",
                p.paint(Tone::Good, "✔"),
                short(&sha, 12)
            ));
            if !contained {
                p.warn(format!("the current branch does not contain {sha}: it was reset or rewritten since; berry makes no second commit"));
            }
            report(format!("already committed as {sha}"))
                .with_data(json!({"already_done": true, "commit": serde_json::to_value(&record)?}))
        }
        Done::Adopted { oid, stat, record } => {
            p.line(format!("{} HEAD {} is {req}'s commit (it carries the same Berry-Req and QA-Evidence) but was not recorded; recorded it now, no second commit made", p.paint(Tone::Good, "✔"), short(&oid.to_string(), 12)));
            print_stat(p, &stat);
            report(format!("adopted the existing commit {oid}"))
                .with_data(json!({"adopted": true, "commit": serde_json::to_value(&record)?}))
        }
        Done::DryRun {
            branch,
            plan,
            include_staged,
            message,
            data,
        } => {
            let also = if include_staged {
                " plus what is already staged"
            } else {
                ""
            };
            p.line(format!(
                "\ndry run: would commit on {branch} ({} path(s){also}):",
                plan.len()
            ));
            for (path, staged) in &plan {
                p.line(format!(
                    "  {:<6} {}",
                    if *staged { "stage" } else { "remove" },
                    crate::quote::path(path)
                ));
            }
            p.line(format!(
                "\n{}\n{}",
                p.paint(Tone::Strong, "Message"),
                indent(&message)
            ));
            p.line("dry run: nothing was staged, committed or recorded");
            report("dry run: nothing committed".into()).with_data(data)
        }
        Done::Committed {
            oid,
            branch,
            root_commit,
            subject,
            stat,
            record,
            left_staged,
            post_commit_failed,
        } => {
            if let Some(s) = post_commit_failed {
                p.warn(format!(
                    "the post-commit hook failed ({s}); the commit stands"
                ));
            }
            let root = if root_commit { " (root-commit)" } else { "" };
            p.line(format!(
                "\n[{branch}{root} {}] {subject}",
                short(&oid.to_string(), 7)
            ));
            print_stat(p, &stat);
            if left_staged > 0 {
                p.line(p.paint(Tone::Dim, format!("  {left_staged} file(s) staged by someone else were left staged, not committed")));
            }
            super::print_next(p, &session.ctx, Step::Commit);
            p.result(oid.to_string());
            report(format!(
                "committed {} on {branch}: {} file(s) changed",
                short(&oid.to_string(), 12),
                stat.files_changed
            ))
            .with_data(serde_json::to_value(&record)?)
        }
    })
}

/// What the work shows on its way.
fn render(p: &Printer, ws: &super::Workspace, s: Shown<'_>) {
    match s {
        Shown::HeadMoved { reviewed, now } => p.warn(format!(
            "HEAD moved since review ({} then, {} now); the reviewed files are committed on top of the new HEAD",
            reviewed.map(|h| short(h, 12)).unwrap_or("unborn"),
            now.map(|h| h.to_string()[..12].to_string()).unwrap_or_else(|| "unborn".into())
        )),
        Shown::Recovered(note) => p.warn(note),
        Shown::EvidenceUnchanged { source } => p.line(format!("{} QA evidence unchanged since verify ({source})", p.paint(Tone::Good, "✔"))),
        Shown::ChangedSinceReview(files) => {
            p.line(format!("\n{} {} file(s) changed since review:", p.paint(Tone::Warn, "!"), files.len()));
            let mut text = String::new();
            for f in files {
                let now = if f.now.is_some() { "modified since review" } else { "deleted since review" };
                let was = if f.reviewed.is_none() { " (reviewed as absent)" } else { "" };
                text.push_str(&format!("\n{}\n", p.paint(Tone::Strong, format!("{}: {now}{was}", crate::quote::path(&f.path)))));
                if f.against_head {
                    let id = f.reviewed.map(|r| r.to_string()).unwrap_or_default();
                    text.push_str(&format!("  {}\n", p.paint(Tone::Dim, format!("the reviewed content ({}) is not stored in git, so the change since review cannot be shown; here is the file against HEAD:", short(&id, 12)))));
                }
                text.push_str(&crate::diffview::preview(p, &f.old, &f.new, ws.config.review.preview_lines));
            }
            p.page(&text);
        }
        Shown::Findings(findings) => {
            p.line(p.paint(Tone::Strong, "Guards"));
            for f in findings {
                let at = f.line.map(|l| format!(":{l}")).unwrap_or_default();
                p.line(format!("  {} {} {}{at}  {}", p.paint(Tone::Bad, "✘"), f.guard.name(), crate::quote::path(&f.path), f.detail));
            }
        }
        Shown::Prestaged(others) => {
            p.line(format!("\n{} staged by someone else before berry ran (not reviewed):", p.paint(Tone::Warn, "!")));
            // `commit::prestaged` names them as they are shown (quoted like git).
            for (letter, path) in others {
                p.line(format!("  {letter}  {path}"));
            }
        }
        Shown::Message(text) => p.line(format!("\n{}\n{}", p.paint(Tone::Strong, "Message"), indent(text))),
    }
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

fn short(s: &str, n: usize) -> &str {
    &s[..s.len().min(n)]
}

fn print_stat(p: &Printer, s: &work::Stat) {
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("{n} {one}")
        } else {
            format!("{n} {many}")
        }
    };
    p.line(format!(
        " {}, {}, {}",
        plural(s.files_changed, "file changed", "files changed"),
        p.paint(
            Tone::Added,
            plural(s.insertions, "insertion(+)", "insertions(+)")
        ),
        p.paint(
            Tone::Removed,
            plural(s.deletions, "deletion(-)", "deletions(-)")
        ),
    ));
}

fn indent(text: &str) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("    {l}")
            }
        })
        .collect();
    lines.join("\n")
}
