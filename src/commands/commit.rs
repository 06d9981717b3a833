//! `berry commit`: stage exactly the reviewed files and commit them with a message tied to QA's
//! evidence.

use std::collections::HashSet;

use anyhow::{Context as _, Result};
use clap::Args;
use serde_json::{Value, json};

use super::{Env, Outcome, Session, Step, StepReport};
use crate::commit::{self as work, Current, Hook, HookEnv, Role, Target};
use crate::context::CommitRecord;
use crate::error::{BerryError, Exit};
use crate::printer::{Printer, Tone};

/// Stage exactly the reviewed files and commit them with a message tied to QA's evidence.
///
/// Re-checks the approval evidence, stages the files recorded by `review` (asking again for any
/// that changed since), renders the message from templates/commit.txt, lets you edit it on a
/// terminal, runs the repository's hooks as git does, and commits.
///
/// A file changed since review is shown and needs confirmation (--yes commits its current
/// content). Files someone else staged are shown and left out unless you say otherwise (--yes
/// leaves them out; they stay staged). A hook that fails stops the commit (exit 3); there is no
/// way to skip hooks. The message can be overridden per repository in
/// .berry/templates/commit.txt.
#[derive(Debug, Args)]
pub struct CommitArgs {}

pub fn run(env: &Env, _args: CommitArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(None, &ws.store)?;
    let p = &env.printer;
    let mut session = Session::existing(&ws.store, req.clone(), Step::Commit)?;
    let evidence = session
        .ctx
        .evidence
        .clone()
        .expect("Session::existing checks it");

    // Done already?
    if let Some(recorded) = session.ctx.ledger.commit.clone() {
        let sha = recorded.sha.as_str();
        let contained = git2::Oid::from_str(sha).ok().and_then(|oid| {
            let head = crate::git::head_commit(&ws.repo).ok()??.id();
            Some(head == oid || ws.repo.graph_descendant_of(head, oid).unwrap_or(false))
        });
        p.line(format!(
            "{} {req} is already committed as {} on {}",
            p.paint(Tone::Good, "✔"),
            &sha[..sha.len().min(12)],
            recorded.branch
        ));
        if contained != Some(true) {
            p.warn(format!(
                "the current branch does not contain {sha}: it was reset or rewritten since; berry makes no second commit"
            ));
        }
        return Ok(StepReport::new(
            "commit",
            Some(req),
            Outcome::Ok,
            format!("already committed as {sha}"),
        )
        .with_data(json!({"already_done": true, "commit": recorded})));
    }
    if let Some(oid) = work::unrecorded_commit(&ws.repo, req.as_str(), &evidence)? {
        let branch = work::branch(&ws.repo)
            .map(|b| b.name)
            .unwrap_or_else(|_| "HEAD".into());
        let c = ws.repo.find_commit(oid)?;
        let parent_tree = c.parent(0).ok().map(|pc| pc.tree()).transpose()?;
        let stat = work::stat(
            &ws.repo,
            parent_tree.as_ref(),
            &c.tree()?,
            session.ctx.review.as_ref(),
        )?;
        let record = ledger_record(&oid.to_string(), &c.tree_id().to_string(), &branch, &stat)?;
        if !p.dry_run() {
            session.ctx.ledger.commit = Some(record.clone());
            session.record(Step::Commit, Outcome::Ok, &format!("adopted {oid}"))?;
        }
        p.line(format!(
            "{} HEAD {} is {req}'s commit (it carries the same Berry-Req and QA-Evidence) but was not recorded; recorded it now, no second commit made",
            p.paint(Tone::Good, "✔"),
            &oid.to_string()[..12]
        ));
        print_stat(p, &stat);
        return Ok(StepReport::new(
            "commit",
            Some(req),
            Outcome::Ok,
            format!("adopted the existing commit {oid}"),
        )
        .with_data(json!({"adopted": true, "commit": record})));
    }

    let branch = work::branch(&ws.repo)?;
    let Some(review) = session.ctx.review.clone() else {
        return Err(BerryError::gate(format!("{req} has not been reviewed"))
            .with_hint("run `berry review` first: it records the files to commit")
            .into());
    };
    if review.head.as_deref() != branch.head.map(|h| h.to_string()).as_deref() {
        p.warn(format!(
            "HEAD moved since review ({} then, {} now); the reviewed files are committed on top of the new HEAD",
            review.head.as_deref().map(|h| &h[..h.len().min(12)]).unwrap_or("unborn"),
            branch.head.map(|h| h.to_string()[..12].to_string()).unwrap_or_else(|| "unborn".into())
        ));
    }

    // 1. The evidence, re-read.
    let mut source = env.source(&ws)?;
    crate::evidence::recheck(source.as_mut(), &req, &evidence, &ws.config.agents.qa)?;
    let rows = source.latest(&req)?;
    p.line(format!(
        "{} QA evidence unchanged since verify ({})",
        p.paint(Tone::Good, "✔"),
        source.describe()
    ));

    // Another git process holding the index: committing now would overwrite its work.
    let index_lock = ws.repo.path().join("index.lock");
    if !p.dry_run() && index_lock.exists() {
        return Err(BerryError::failure(format!(
            "the index is locked by another git process ({} exists)",
            index_lock.display()
        ))
        .with_hint("wait for that git command to finish, then run `berry commit` again; if no git process is running, remove the stale lock file")
        .into());
    }

    // 2. The reviewed files, as they are now.
    let mut index = ws.repo.index().context("cannot read the index")?;
    let paths = work::reviewed_paths(&review)?;
    let mut targets = work::scan(&ws.repo, &ws.root, paths, !p.dry_run())?;
    work::keep_recorded_modes(&ws.repo, &index, &mut targets)?;
    if let Some(t) = targets
        .iter()
        .find(|t| matches!(t.current, Current::NotAFile))
    {
        return Err(BerryError::gate(format!(
            "{} is no longer a file (a folder or a special file is there now)",
            t.path
        ))
        .with_hint("run `berry review` again")
        .into());
    }
    let changed: Vec<&Target> = targets.iter().filter(|t| t.changed()).collect();
    let mut accepted_changes = Vec::new();
    if !changed.is_empty() {
        p.line("");
        p.line(format!(
            "{} {} file(s) changed since review:",
            p.paint(Tone::Warn, "!"),
            changed.len()
        ));
        let mut text = String::new();
        for t in &changed {
            text.push_str(&changed_since_review(
                p,
                &ws,
                t,
                ws.config.review.preview_lines,
            )?);
        }
        p.page(&text);
        let q = format!(
            "Commit the current content of the {} file(s) changed since review?",
            changed.len()
        );
        if p.dry_run() {
            p.line(format!("dry run: would ask: {q} (--yes: yes)"));
        } else if !p.confirm(&q, true, "--yes")? {
            return Err(BerryError::declined(
                "the files changed since review; run `berry review` again to approve them",
            )
            .into());
        }
        accepted_changes = changed.iter().map(|t| t.path.clone()).collect();
    }

    // 3. What someone else staged.
    let covered: HashSet<&str> = targets.iter().map(|t| t.path.as_str()).collect();
    let others = work::prestaged(&ws.repo, &index, &covered)?;
    let mut include_staged = false;
    if !others.is_empty() {
        p.line("");
        p.line(format!(
            "{} staged by someone else before berry ran (not reviewed):",
            p.paint(Tone::Warn, "!")
        ));
        for (letter, path) in &others {
            p.line(format!("  {letter}  {path}"));
        }
        let q = format!("Commit these {} staged file(s) too?", others.len());
        include_staged = if p.dry_run() {
            p.line(format!("dry run: would ask: {q} (--yes: no)"));
            false
        } else {
            p.confirm(&q, false, "--yes")?
        };
        if !include_staged {
            p.line(p.paint(
                Tone::Dim,
                "  they are left out of the commit and stay staged",
            ));
        }
    }

    // 4. The message.
    let (template, origin) = crate::message::template(&ws.root)?;
    let origin_text = origin
        .as_ref()
        .map(|o| o.display().to_string())
        .unwrap_or_else(|| "templates/commit.txt (built in)".into());
    let input = crate::message::input(
        &ws.config,
        &req,
        session.ctx.title.as_deref(),
        &rows,
        &evidence,
        &review.allowed,
    );
    let message = crate::message::render(&template, &origin_text, &input)?;

    let staged_list: Vec<Value> = targets
        .iter()
        .map(|t| {
            json!({
                "path": t.path,
                "action": if t.current_blob().is_some() { "add" } else { "remove" },
                "blob": t.current_blob().map(|b| b.to_string()),
                "changed_since_review": t.changed(),
            })
        })
        .collect();
    if p.dry_run() {
        p.line("");
        p.line(format!(
            "dry run: would commit on {} ({} path(s){}):",
            branch.name,
            targets.len(),
            if include_staged {
                " plus what is already staged"
            } else {
                ""
            }
        ));
        for t in &targets {
            let what = match t.current_blob() {
                Some(_) => "stage",
                None => "remove",
            };
            p.line(format!("  {what:<6} {}", crate::quote::path(&t.path)));
        }
        p.line("");
        p.line(p.paint(Tone::Strong, "Message"));
        p.line(indent(&message));
        p.line("dry run: nothing was staged, committed or recorded");
        return Ok(StepReport::new(
            "commit",
            Some(req),
            Outcome::Ok,
            "dry run: nothing committed",
        )
        .with_data(json!({
            "dry_run": true,
            "branch": branch.name,
            "staged": staged_list,
            "prestaged": others.iter().map(|(_, p)| p).collect::<Vec<_>>(),
            "message": message,
        })));
    }

    // 5. The commit index, the hooks, the commit.
    let author = work::ident(&ws.repo, Role::Author)?;
    let committer = work::ident(&ws.repo, Role::Committer)?;
    // With nothing else staged, the index itself (with its stat cache) is the base, and after
    // the commit it simply becomes the index: one index built, one written.
    let whole_index = include_staged || others.is_empty();
    let mut cindex = work::build_commit_index(&ws.repo, whole_index, &targets)?;
    let hooks = work::hooks_dir(&ws.repo, &ws.root);
    let may_edit = p.interactive() && !p.yes();
    let prefix = std::env::current_dir()
        .ok()
        .and_then(|c| {
            let c = std::fs::canonicalize(c).ok()?;
            let r = std::fs::canonicalize(&ws.root).ok()?;
            c.strip_prefix(&r).ok().map(|s| s.to_path_buf())
        })
        .map(|s| {
            let s = s.to_string_lossy().to_string();
            if s.is_empty() { s } else { format!("{s}/") }
        })
        .unwrap_or_default();
    let henv = HookEnv {
        index_file: cindex.path.clone(),
        author: author.clone(),
        no_editor: !may_edit,
        prefix,
    };
    let hook = |name: &str, args: &[&str]| -> Result<bool> {
        match work::run_hook(&hooks, &ws.root, name, args, &henv)? {
            Hook::Absent => Ok(false),
            Hook::Ran(s) if s.success() => Ok(true),
            Hook::Ran(s) => Err(BerryError::new(
                Exit::Gate,
                format!(
                    "the repository's {name} hook rejected the commit ({s}); nothing was committed"
                ),
            )
            .with_hint(format!(
                "its output is above; fix what it reports ({}), then run `berry commit` again",
                hooks.join(name).display()
            ))
            .into()),
        }
    };
    if hook("pre-commit", &[])? {
        cindex
            .index
            .read(true)
            .context("cannot re-read the commit index")?;
    }
    let msg_file = ws.repo.path().join("COMMIT_EDITMSG");
    let msg_arg = msg_file.to_string_lossy().to_string();
    std::fs::write(&msg_file, &message)
        .with_context(|| format!("cannot write {}", msg_file.display()))?;
    hook("prepare-commit-msg", &[&msg_arg, "message"])?;
    let mut edited = false;
    if may_edit {
        let shown = std::fs::read_to_string(&msg_file)?;
        p.line("");
        p.line(p.paint(Tone::Strong, "Message"));
        p.line(indent(&shown));
        if p.confirm("Edit the message before committing?", false, "--yes")? {
            let editor = work::editor(&ws.root);
            let mut text = shown.clone();
            text.push_str(
                "\n# Edit the commit message for berry. Lines starting with '#' are ignored;\n\
                 # an empty message aborts the commit. Keep the trailers at the end.\n",
            );
            std::fs::write(&msg_file, text)?;
            work::edit(&editor, &msg_file, &ws.root)?;
            edited = true;
        }
    }
    hook("commit-msg", &[&msg_arg])?;
    let final_message = crate::message::cleanup(
        &std::fs::read_to_string(&msg_file)
            .with_context(|| format!("cannot read {}", msg_file.display()))?,
        edited,
    );
    if final_message.is_empty() {
        return Err(
            BerryError::declined("the commit message is empty; nothing was committed").into(),
        );
    }

    let tree_id = cindex
        .index
        .write_tree_to(&ws.repo)
        .context("cannot write the tree")?;
    let tree = ws.repo.find_tree(tree_id)?;
    let parent = branch.head.map(|h| ws.repo.find_commit(h)).transpose()?;
    let parent_tree = parent.as_ref().map(|c| c.tree()).transpose()?;
    if parent_tree.as_ref().map(|t| t.id()) == Some(tree_id) {
        return Err(BerryError::failure(
            "nothing to commit: the reviewed files already match HEAD",
        )
        .with_hint("run `berry review` again if the work moved on")
        .into());
    }
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    let oid = ws
        .repo
        .commit(
            None,
            &author.signature()?,
            &committer.signature()?,
            &final_message,
            &tree,
            &parents,
        )
        .context("cannot write the commit")?;
    crate::fault::point("commit-object-written");

    // The real index: what was committed is staged there too; nothing else in it moves.
    if whole_index {
        std::fs::rename(&cindex.path, ws.repo.path().join("index"))
            .context("cannot update the index")?;
    } else {
        work::apply(&mut index, &targets)?;
        index.write().context("cannot update the index")?;
    }
    let reflog = format!(
        "commit{}: {}",
        if parent.is_none() { " (initial)" } else { "" },
        crate::message::subject(&final_message)
    );
    match branch.head {
        Some(old) => ws
            .repo
            .reference_matching(&branch.refname, oid, true, old, &reflog)
            .with_context(|| format!("cannot move {} (did it move meanwhile?)", branch.name))?,
        None => ws
            .repo
            .reference(&branch.refname, oid, false, &reflog)
            .with_context(|| format!("cannot create {}", branch.name))?,
    };

    crate::fault::point("commit-written");
    // Recorded at once, so a rerun never commits twice.
    let stat = work::stat(&ws.repo, parent_tree.as_ref(), &tree, Some(&review))?;
    let mut record = ledger_record(
        &oid.to_string(),
        &tree.id().to_string(),
        &branch.name,
        &stat,
    )?;
    record.changed_since_review = accepted_changes.clone();
    if include_staged {
        record.included_staged = others.iter().map(|(_, p)| p.clone()).collect();
    }
    session.ctx.ledger.commit = Some(record.clone());
    let summary = format!(
        "committed {} on {}: {} file(s) changed",
        &oid.to_string()[..12],
        branch.name,
        stat.files_changed
    );
    session.record(Step::Commit, Outcome::Ok, &summary)?;

    if let Hook::Ran(s) = work::run_hook(&hooks, &ws.root, "post-commit", &[], &henv)?
        && !s.success()
    {
        p.warn(format!(
            "the post-commit hook failed ({s}); the commit stands"
        ));
    }

    p.line("");
    p.line(format!(
        "[{}{} {}] {}",
        branch.name,
        if parent.is_none() {
            " (root-commit)"
        } else {
            ""
        },
        &oid.to_string()[..7],
        crate::message::subject(&final_message)
    ));
    print_stat(p, &stat);
    if !others.is_empty() && !include_staged {
        p.line(p.paint(
            Tone::Dim,
            format!(
                "  {} file(s) staged by someone else were left staged, not committed",
                others.len()
            ),
        ));
    }
    super::print_next(p, &session.ctx, Step::Commit);
    p.result(oid.to_string());
    Ok(StepReport::new("commit", Some(req), Outcome::Ok, summary)
        .with_data(serde_json::to_value(&record)?))
}

fn ledger_record(sha: &str, tree: &str, branch: &str, stat: &work::Stat) -> Result<CommitRecord> {
    Ok(CommitRecord {
        sha: sha.into(),
        branch: branch.into(),
        tree: Some(tree.into()),
        files_changed: stat.files_changed,
        insertions: stat.insertions,
        deletions: stat.deletions,
        at: crate::clock::now()?.round(jiff::Unit::Second)?,
        files: stat.files.iter().cloned().map(Into::into).collect(),
        changed_since_review: Vec::new(),
        included_staged: Vec::new(),
        rebased_from: None,
    })
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
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("    {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The change since review for one file. The reviewed content is shown when git still has it;
/// review does not store blobs, so usually it is not, and the file is then shown against HEAD.
fn changed_since_review(
    p: &Printer,
    ws: &super::Workspace,
    t: &Target,
    max_lines: usize,
) -> Result<String> {
    let mut out = String::new();
    let now = match t.current_blob() {
        Some(_) => "modified since review",
        None => "deleted since review",
    };
    let was = if t.expected.is_none() {
        " (reviewed as absent)"
    } else {
        ""
    };
    out.push_str(&format!(
        "\n{}\n",
        p.paint(
            Tone::Strong,
            format!("{}: {now}{was}", crate::quote::path(&t.path))
        )
    ));
    let current = match &t.current {
        Current::File(_) => {
            let full = ws.root.join(&t.path);
            let meta = std::fs::symlink_metadata(&full)?;
            if meta.file_type().is_symlink() {
                use std::os::unix::ffi::OsStrExt;
                std::fs::read_link(&full)?.as_os_str().as_bytes().to_vec()
            } else {
                std::fs::read(&full)?
            }
        }
        _ => Vec::new(),
    };
    let reviewed = t.expected.and_then(|id| ws.repo.find_blob(id).ok());
    match (t.expected, reviewed) {
        (None, _) => {
            out.push_str(&crate::diffview::preview(p, &[], &current, max_lines));
        }
        (Some(_), Some(blob)) => {
            out.push_str(&crate::diffview::preview(
                p,
                blob.content(),
                &current,
                max_lines,
            ));
        }
        (Some(id), None) => {
            out.push_str(&format!(
                "  {}\n",
                p.paint(
                    Tone::Dim,
                    format!(
                        "the reviewed content ({}) is not stored in git, so the change since review cannot be shown; here is the file against HEAD:",
                        &id.to_string()[..12]
                    )
                )
            ));
            let head = crate::git::head_commit(&ws.repo)?
                .and_then(|c| c.tree().ok())
                .and_then(|tr| tr.get_path(std::path::Path::new(&t.path)).ok())
                .map(|e| e.id());
            let old = crate::git::blob_bytes(&ws.repo, head)?;
            out.push_str(&crate::diffview::preview(p, &old, &current, max_lines));
        }
    }
    Ok(out)
}
