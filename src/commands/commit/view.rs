//! What `berry commit` lays out: what its work shows on its way (the files changed since review
//! with their diffs, the guards' findings, what someone else staged, the message), the dry run's
//! plan and the commit's stat line, as git prints it.

use crate::commands::show::{self, short};
use crate::commit::{Done, Shown, Stat};
use crate::printer::{Printer, Tone};
use crate::req::ReqNumber;

/// How the commit ended, as git would say it (the step's last lines are the command's).
pub(super) fn done(p: &Printer, req: &ReqNumber, done: &Done) {
    match done {
        Done::AlreadyCommitted {
            sha,
            branch,
            contained,
            ..
        } => {
            let at = short(sha);
            show::done(p, format!("{req} is already committed as {at} on {branch}"));
            if !contained {
                p.warn(format!("the current branch does not contain {sha}: it was reset or rewritten since; berry makes no second commit"));
            }
        }
        Done::Adopted { oid, stat, .. } => {
            let head = oid.to_string();
            show::done(
                p,
                format!(
                    "HEAD {} is {req}'s commit (it carries the same Berry-Req and QA-Evidence) but was not recorded; recorded it now, no second commit made",
                    short(&head)
                ),
            );
            self::stat(p, stat);
        }
        Done::DryRun {
            branch,
            plan,
            include_staged,
            message,
            ..
        } => {
            let (n, staged) = (plan.len(), " plus what is already staged");
            let also = if *include_staged { staged } else { "" };
            let plan_line = format!("\ndry run: would commit on {branch} ({n} path(s){also}):");
            p.line(plan_line);
            for (path, staged) in plan {
                let what = if *staged { "stage" } else { "remove" };
                p.line(format!("  {what:<6} {}", crate::quote::path(path)));
            }
            self::message(p, message);
            p.line("dry run: nothing was staged, committed or recorded");
        }
        Done::Committed {
            oid,
            branch,
            root_commit,
            subject,
            stat,
            left_staged,
            post_commit_failed,
            ..
        } => {
            if let Some(s) = post_commit_failed {
                let failed = format!("the post-commit hook failed ({s}); the commit stands");
                p.warn(failed);
            }
            let root = if *root_commit { " (root-commit)" } else { "" };
            let oid = oid.to_string();
            p.line(format!("\n[{branch}{root} {}] {subject}", &oid[..7]));
            self::stat(p, stat);
            if *left_staged > 0 {
                let left = format!(
                    "  {left_staged} file(s) staged by someone else were left staged, not committed"
                );
                p.line(p.paint(Tone::Dim, left));
            }
        }
    }
}

/// What the work shows on its way.
pub(super) fn render(p: &Printer, preview_lines: usize, s: Shown<'_>) {
    match s {
        Shown::HeadMoved { reviewed, now } => p.warn(format!(
            "HEAD moved since review ({} then, {} now); the reviewed files are committed on top of the new HEAD",
            reviewed.map(short).unwrap_or("unborn"),
            now.map(|h| h.to_string()[..12].to_string()).unwrap_or_else(|| "unborn".into())
        )),
        Shown::Recovered(note) => p.warn(note),
        Shown::EvidenceUnchanged { source } => show::done(p, format!("QA evidence unchanged since verify ({source})")),
        Shown::ChangedSinceReview(files) => {
            p.line(format!("\n{} {} file(s) changed since review:", p.paint(Tone::Warn, "!"), files.len()));
            let mut text = String::new();
            for f in files {
                let now = if f.now.is_some() { "modified since review" } else { "deleted since review" };
                let was = if f.reviewed.is_none() { " (reviewed as absent)" } else { "" };
                text.push_str(&format!("\n{}\n", p.paint(Tone::Strong, format!("{}: {now}{was}", crate::quote::path(&f.path)))));
                if f.against_head {
                    let id = f.reviewed.map(|r| r.to_string()).unwrap_or_default();
                    text.push_str(&format!("  {}\n", p.paint(Tone::Dim, format!("the reviewed content ({}) is not stored in git, so the change since review cannot be shown; here is the file against HEAD:", short(&id)))));
                }
                text.push_str(&crate::diffview::preview(p, &f.old, &f.new, preview_lines));
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
        Shown::Message(text) => message(p, text),
    }
}

/// The message, indented under its heading.
fn message(p: &Printer, text: &str) {
    let lines: Vec<String> = text
        .lines()
        .map(|l| match l {
            "" => String::new(),
            l => format!("    {l}"),
        })
        .collect();
    let heading = p.paint(Tone::Strong, "Message");
    p.line(format!("\n{heading}\n{}", lines.join("\n")));
}

/// ` N files changed, N insertions(+), N deletions(-)`, as git says it.
pub(super) fn stat(p: &Printer, s: &Stat) {
    let n = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let files = n(s.files_changed, "file changed", "files changed");
    let added = p.paint(
        Tone::Added,
        n(s.insertions, "insertion(+)", "insertions(+)"),
    );
    let removed = p.paint(Tone::Removed, n(s.deletions, "deletion(-)", "deletions(-)"));
    p.line(format!(" {files}, {added}, {removed}"));
}
