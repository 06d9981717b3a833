//! `berry commit`'s work: committing exactly what was reviewed, as `git commit --only <paths>`
//! would, and nothing else. [`commit`] takes plain [`Options`] and a [`Decide`] for its questions,
//! reports what it sees through a `show` callback and returns a [`Done`] the command renders;
//! nothing here prints.
//!
//! The invariants it enforces, each at commit time, whatever the context file says:
//!
//! - **Every committed path is re-checked** ([`checked_paths`], [`beyond_symlink`]): a path that
//!   is empty, absolute, has a `.` or `..` component or lies inside `.git` is refused before
//!   anything is joined to the work tree, read or shown; every path must be inside
//!   `stage.paths`, and a rename is in scope only when both of its sides are, so a tampered
//!   review list can hold nothing out of scope; a path under a symlinked folder is refused, as
//!   git refuses it ("beyond a symbolic link"); a symlink is committed as a link (mode 120000,
//!   its link text as the blob), never followed. A submodule is committed as its pointer (a
//!   gitlink, mode 160000, the commit its checkout is at, which must be the reviewed one), never
//!   its files; a nested repository that is not a submodule is never committed.
//! - **Blobs are written as git writes them** ([`crate::git::worktree_blob`]): a file whose
//!   attributes ask for a conversion (`filter=<driver>` with its `clean` command, `text`/`eol`/
//!   `crlf`, `core.autocrlf`, `ident`, `working-tree-encoding`) is hashed and stored by
//!   `git hash-object`, so the blob is what `git add` stores and review hashed the same way.
//!   Many new blobs (and the commit's new trees) are stored as one pack ([`crate::objpack`]):
//!   the same objects, by the ids of exactly their bytes.
//! - **What is committed is byte-for-byte what was reviewed** ([`commit`]): a file whose blob
//!   differs from its reviewed blob is never committed as is. Without a person to ask (no
//!   terminal, or `--yes`) that is a closed gate naming the files; on a terminal the operator may
//!   re-review just those files (their diff and the guards again) and accept the new content,
//!   the default answer being no; an accepted re-review updates the recorded review.
//! - **The guards run on exactly the blobs that are written** ([`guard_blob`]), at commit time;
//!   a blocking finding not excepted at review closes the gate.
//! - **The branch is the reviewed one**: a branch switched since review closes the gate, naming
//!   both branches.
//! - **The index is updated the way git does it** ([`IndexLock`]): `index.lock` is created with
//!   O_CREAT|O_EXCL (a held lock is a failure naming its path), the new index is written into the
//!   lock file, the branch moves with a compare-and-swap, and only then is the lock renamed over
//!   `index`; on any failure the lock is removed and `index` is untouched. A berry killed between
//!   the branch move and the rename leaves a record next to the lock, and the next run finishes
//!   the rename (or drops a lock whose branch never moved). Temporary indexes of dead berry
//!   processes (`berry-next-index-<pid>`) are removed.
//! - **Signing is honoured** ([`sign`]): with `commit.gpgsign`, the commit is signed through the
//!   program `gpg.format` names, invoked as git invokes it, or not made at all.

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use anyhow::{Context as _, Result};
use git2::{Index, IndexEntry, IndexTime, Oid, Repository};
use serde_json::{Value, json};

use crate::context::{CommitRecord, Evidence, ReviewRecord, ReviewedFile};
use crate::decide::Decide;
use crate::deliverables::Source;
use crate::env_vars;
use crate::error::{BerryError, Exit};
use crate::guards::{Finding, Severity};
use crate::scope::{Scope, safe_relative};
use crate::workflow::{Outcome, Step};
use crate::workspace::{Session, Workspace};

/// What the command decided before the work starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Show the plan, change nothing.
    pub dry_run: bool,
    /// Offer to edit the message (a terminal and no `--yes`).
    pub may_edit: bool,
    /// The directory berry was started in, relative to the root, with a trailing `/`
    /// (`GIT_PREFIX` for the hooks).
    pub prefix: String,
}

/// What the work shows the operator on its way, in order.
pub enum Shown<'a> {
    /// HEAD is not the commit the review was made on; the reviewed files go on top of HEAD.
    HeadMoved {
        reviewed: Option<&'a str>,
        now: Option<Oid>,
    },
    /// A stale `index.lock` of a killed berry was dealt with.
    Recovered(&'a str),
    EvidenceUnchanged {
        source: &'a str,
    },
    /// Files whose content is not the reviewed one, before the question about them.
    ChangedSinceReview(&'a [Changed]),
    /// What the guards found in the blobs to be written.
    Findings(&'a [Finding]),
    /// Paths staged by someone else (not reviewed), before the question about them.
    Prestaged(&'a [(char, String)]),
    /// The message, before the question whether to edit it.
    Message(&'a str),
}

/// A file changed since review, with what to show of it.
pub struct Changed {
    pub path: String,
    pub reviewed: Option<Oid>,
    pub now: Option<Oid>,
    /// The content the diff starts from: the reviewed blob when git has it, else HEAD's.
    pub old: Vec<u8>,
    /// `old` is HEAD's content: the reviewed blob is not stored in git.
    pub against_head: bool,
    pub new: Vec<u8>,
}

/// How the step ended.
pub enum Done {
    /// The ledger already holds the commit; `contained` says whether the branch still has it.
    AlreadyCommitted {
        sha: String,
        branch: String,
        contained: bool,
        record: CommitRecord,
    },
    /// HEAD is this REQ's commit though the ledger did not know it: recorded, not repeated.
    Adopted {
        oid: Oid,
        stat: Stat,
        record: CommitRecord,
    },
    /// `--dry-run`: what would be committed.
    DryRun {
        branch: String,
        /// (path, staged (true) or removed (false)).
        plan: Vec<(String, bool)>,
        include_staged: bool,
        message: String,
        data: Value,
    },
    Committed {
        oid: Oid,
        branch: String,
        root_commit: bool,
        subject: String,
        stat: Stat,
        record: CommitRecord,
        /// Paths staged by someone else, left staged.
        left_staged: usize,
        /// The post-commit hook failed with this status (the commit stands).
        post_commit_failed: Option<String>,
    },
}

/// Commits `session`'s reviewed files. See the module documentation for what it guarantees.
pub fn commit(
    ws: &Workspace,
    session: &mut Session,
    source: &mut dyn Source,
    opts: &Options,
    decide: &dyn Decide,
    show: &mut dyn FnMut(Shown<'_>),
) -> Result<Done> {
    let repo = &ws.repo;
    let req = session.req.clone();
    // Out of order (no verify, no review) is the step table's usage error naming the step to run.
    crate::workflow::require_recorded(Step::Commit, &session.ctx)?;
    let evidence = session
        .ctx
        .evidence
        .clone()
        .ok_or_else(|| BerryError::gate(format!("{req} has not been verified")))?;
    if !opts.dry_run {
        if let Some(note) = recover_index_lock(repo)? {
            show(Shown::Recovered(&note));
        }
        remove_stale_indexes(repo.path());
    }

    // Done already?
    if let Some(recorded) = session.ctx.ledger.commit.clone() {
        let contained = Oid::from_str(&recorded.sha)
            .ok()
            .and_then(|oid| {
                let head = crate::git::head_commit(repo).ok()??.id();
                Some(head == oid || repo.graph_descendant_of(head, oid).unwrap_or(false))
            })
            .unwrap_or(false);
        return Ok(Done::AlreadyCommitted {
            sha: recorded.sha.clone(),
            branch: recorded.branch.clone(),
            contained,
            record: recorded,
        });
    }
    if let Some(oid) = unrecorded_commit(repo, req.as_str(), &evidence)? {
        let branch = branch(repo)
            .map(|b| b.name)
            .unwrap_or_else(|_| "HEAD".into());
        let c = repo.find_commit(oid)?;
        let parent_tree = c.parent(0).ok().map(|pc| pc.tree()).transpose()?;
        let stat = stat(
            repo,
            parent_tree.as_ref(),
            &c.tree()?,
            session.ctx.review.as_ref(),
        )?;
        let record = ledger_record(&oid.to_string(), &c.tree_id().to_string(), &branch, &stat)?;
        if !opts.dry_run {
            session.ctx.ledger.commit = Some(record.clone());
            session.record(Step::Commit, Outcome::Ok, &format!("adopted {oid}"))?;
        }
        return Ok(Done::Adopted { oid, stat, record });
    }

    let mut branch = branch(repo)?;
    let Some(mut review) = session.ctx.review.clone() else {
        // Checked by `require_recorded` above; kept as an error, never a panic.
        return Err(BerryError::usage(format!("{req} has not been reviewed")).into());
    };
    if let Some(reviewed_on) = &review.branch
        && *reviewed_on != branch.name
    {
        return Err(BerryError::gate(format!(
            "the branch changed since review: {req} was reviewed on `{reviewed_on}`, HEAD is now on `{}`",
            branch.name
        ))
        .with_hint(format!(
            "switch back (`git switch {reviewed_on}`) and run `berry commit` again, or run `berry review` on `{}`",
            branch.name
        ))
        .into());
    }
    if review.head.as_deref() != branch.head.map(|h| h.to_string()).as_deref() {
        show(Shown::HeadMoved {
            reviewed: review.head.as_deref(),
            now: branch.head,
        });
    }

    // The evidence, re-read.
    crate::evidence::recheck(source, &req, &evidence, &ws.config.agents.qa)?;
    let rows = source.latest(&req)?;
    show(Shown::EvidenceUnchanged {
        source: &source.describe(),
    });

    // Every path, checked before anything is read.
    let scope = Scope::new(&ws.config.stage.paths)
        .map_err(|e| BerryError::usage(format!("stage.paths: {e}")))?;
    let paths = checked_paths(&review, &scope)?;
    let mut folders = HashSet::new();
    let beyond: Vec<String> = paths
        .iter()
        .filter_map(|(p, _)| beyond_symlink_in(&ws.root, p, &mut folders))
        .collect();
    if !beyond.is_empty() {
        return Err(BerryError::gate(format!(
            "{} reviewed path(s) are beyond a symbolic link (a folder on the way is a symlink now): {}",
            beyond.len(),
            beyond.join(", ")
        ))
        .with_hint("git refuses to add a path beyond a symbolic link; put the folder back, then run `berry review` again")
        .into());
    }

    // The files as they are now, written as blobs; the guards on exactly those blobs.
    let index = repo.index().context("cannot read the index")?;
    let mut targets = scan(repo, &ws.root, paths, !opts.dry_run)?;
    keep_recorded_modes(repo, &index, &mut targets)?;
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
    let head_tree = branch
        .head
        .map(|h| repo.find_commit(h).and_then(|c| c.tree()))
        .transpose()?;
    // The repository's secret rules as committed, as review scanned with.
    let rules = ws.secret_rules()?;
    let findings = guard_targets(
        repo,
        head_tree.as_ref(),
        &targets,
        &review,
        &ws.config,
        &rules,
    )?;
    let blocking: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Block && !excepted(&review, f))
        .collect();

    // Anything changed since review.
    let changed_paths: Vec<String> = targets
        .iter()
        .filter(|t| t.changed())
        .map(|t| t.path.clone())
        .collect();
    let mut re_reviewed = Vec::new();
    if !changed_paths.is_empty() {
        let changed = describe_changed(repo, head_tree.as_ref(), &targets, &review)?;
        show(Shown::ChangedSinceReview(&changed));
        let mine: Vec<Finding> = findings
            .iter()
            .filter(|f| changed_paths.contains(&f.path))
            .cloned()
            .collect();
        if !mine.is_empty() {
            show(Shown::Findings(&mine));
        }
        if !decide.interactive() {
            return Err(changed_gate(&changed_paths));
        }
        if !blocking.is_empty() {
            return Err(guards_gate(&blocking));
        }
        let q = format!(
            "Accept the new content of the {} file(s) changed since review as reviewed, and commit it?",
            changed_paths.len()
        );
        if opts.dry_run {
            // The plan goes on as if accepted; nothing is recorded.
        } else if !decide.confirm(&q, false, "berry review")? {
            return Err(BerryError::declined(
                "the files changed since review were not accepted; nothing was committed",
            )
            .with_hint("run `berry review` again to approve their new content")
            .into());
        } else {
            re_review(repo, head_tree.as_ref(), &targets, &mut review)?;
            session.ctx.review = Some(review.clone());
            session.save()?;
        }
        re_reviewed = changed_paths.clone();
    }
    if !blocking.is_empty() {
        show(Shown::Findings(&findings));
        return Err(guards_gate(&blocking));
    }

    // From here on git's protocol: the index is ours until the branch moved.
    let lock = if opts.dry_run {
        None
    } else {
        Some(IndexLock::take(repo.path())?)
    };
    if lock.is_some() {
        let now = self::branch(repo)?;
        if now.refname != branch.refname {
            return Err(
                BerryError::failure("HEAD switched branches while berry was committing")
                    .with_hint("run `berry commit` again")
                    .into(),
            );
        }
        branch = now;
    }
    let index = Index::open(&repo.path().join("index")).context("cannot read the index")?;

    // What someone else staged.
    let covered: HashSet<&str> = targets.iter().map(|t| t.path.as_str()).collect();
    let others = prestaged(repo, &index, &covered)?;
    let mut include_staged = false;
    if !others.is_empty() {
        show(Shown::Prestaged(&others));
        let q = format!("Commit these {} staged file(s) too?", others.len());
        include_staged = !opts.dry_run && decide.confirm(&q, false, "--yes")?;
    }

    // The message.
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
    // Deliverable text with a secret closed review's gate unless allowed; even then it is masked.
    let message =
        crate::secrets::mask_text(&crate::message::render(&template, &origin_text, &input)?)
            .into_owned();

    let Some(mut lock) = lock else {
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
        return Ok(Done::DryRun {
            branch: branch.name.clone(),
            plan: targets
                .iter()
                .map(|t| (t.path.clone(), t.current_blob().is_some()))
                .collect(),
            include_staged,
            data: json!({
                "dry_run": true,
                "branch": branch.name,
                "staged": staged_list,
                "prestaged": others.iter().map(|(_, p)| p).collect::<Vec<_>>(),
                "message": message,
            }),
            message,
        });
    };

    // The commit index, the hooks, the commit.
    let author = ident(repo, Role::Author)?;
    let committer = ident(repo, Role::Committer)?;
    // With nothing else staged, the index itself (with its stat cache) is the base, and after
    // the commit it simply becomes the index.
    let whole_index = include_staged || others.is_empty();
    let mut cindex = build_commit_index(repo, whole_index, &targets)?;
    let hooks = hooks_dir(repo, &ws.root);
    let henv = HookEnv {
        index_file: cindex.path.clone(),
        author: author.clone(),
        no_editor: !opts.may_edit,
        prefix: opts.prefix.clone(),
    };
    let hook = |name: &str, args: &[&str]| -> Result<bool> {
        match run_hook(&hooks, &ws.root, name, args, &henv)? {
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
    let hook_staged = hook("pre-commit", &[])?;
    if hook_staged {
        cindex
            .index
            .read(true)
            .context("cannot re-read the commit index")?;
    }
    let msg_file = repo.path().join("COMMIT_EDITMSG");
    let msg_arg = msg_file.to_string_lossy().to_string();
    std::fs::write(&msg_file, &message)
        .with_context(|| format!("cannot write {}", msg_file.display()))?;
    hook("prepare-commit-msg", &[&msg_arg, "message"])?;
    let mut edited = false;
    if opts.may_edit {
        let shown = std::fs::read_to_string(&msg_file)?;
        show(Shown::Message(&shown));
        if decide.confirm("Edit the message before committing?", false, "--yes")? {
            let editor = editor(&ws.root);
            let mut text = shown.clone();
            text.push_str(
                "\n# Edit the commit message for berry. Lines starting with '#' are ignored;\n\
                 # an empty message aborts the commit. Keep the trailers at the end.\n",
            );
            std::fs::write(&msg_file, text)?;
            edit(&editor, &msg_file, &ws.root)?;
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

    let parent = branch.head.map(|h| repo.find_commit(h)).transpose()?;
    let parent_tree = parent.as_ref().map(|c| c.tree()).transpose()?;
    // The commit index is HEAD's entries plus the blobs just written unless a hook or someone
    // else staged something: then libgit2 writes the tree, checking every entry's object.
    let vouched = !hook_staged && !include_staged;
    let tree_id = write_tree(repo, &mut cindex.index, vouched, parent_tree.as_ref())?;
    let tree = repo.find_tree(tree_id)?;
    if parent_tree.as_ref().map(|t| t.id()) == Some(tree_id) {
        return Err(BerryError::failure(
            "nothing to commit: the reviewed files already match HEAD",
        )
        .with_hint("run `berry review` again if the work moved on")
        .into());
    }

    // The index git will have after the commit, in the lock file.
    let new_index = if whole_index {
        std::fs::read(&cindex.path).context("cannot read the commit index")?
    } else {
        let real = CommitIndex::copy_of(repo, "real")?;
        let mut idx = Index::open(&real.path).context("cannot read the index")?;
        apply(&mut idx, &targets)?;
        idx.write().context("cannot write the new index")?;
        std::fs::read(&real.path).context("cannot read the new index")?
    };
    lock.write_index(&new_index)?;

    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    let oid = write_commit(
        repo,
        &ws.root,
        &Authors {
            author: &author,
            committer: &committer,
        },
        &final_message,
        &tree,
        &parents,
        "commit",
    )?;
    crate::fault::point("commit-object-written");

    lock.moving_branch(oid)?;
    let reflog = format!(
        "commit{}: {}",
        if parent.is_none() { " (initial)" } else { "" },
        crate::message::subject(&final_message)
    );
    match branch.head {
        Some(old) => repo
            .reference_matching(&branch.refname, oid, true, old, &reflog)
            .map_err(|e| {
                BerryError::failure(format!(
                    "{} moved while berry was committing; nothing was committed ({})",
                    branch.name,
                    e.message()
                ))
                .with_hint("run `berry commit` again: it commits on top of the new HEAD")
            })?,
        None => repo
            .reference(&branch.refname, oid, false, &reflog)
            .with_context(|| format!("cannot create {}", branch.name))?,
    };
    crate::fault::point("commit-branch-moved");
    lock.commit()?;

    crate::fault::point("commit-written");
    // Recorded at once, so a rerun never commits twice.
    let stat = stat(repo, parent_tree.as_ref(), &tree, Some(&review))?;
    let mut record = ledger_record(&oid.to_string(), &tree_id.to_string(), &branch.name, &stat)?;
    if !re_reviewed.is_empty() {
        record.changed_since_review = re_reviewed;
    }
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

    let post_commit_failed = match run_hook(&hooks, &ws.root, "post-commit", &[], &henv)? {
        Hook::Ran(s) if !s.success() => Some(s.to_string()),
        _ => None,
    };
    Ok(Done::Committed {
        oid,
        branch: branch.name,
        root_commit: parent.is_none(),
        subject: crate::message::subject(&final_message).to_string(),
        stat,
        record,
        left_staged: if include_staged { 0 } else { others.len() },
        post_commit_failed,
    })
}

/// The tree of the commit index. `vouched`: every entry is HEAD's or a blob berry wrote, so
/// the trees are made here and stored with the new ones of them in one pack when there are
/// many ([`crate::objpack::index_tree`]); otherwise (or for an index it leaves to libgit2)
/// libgit2 writes them.
pub fn write_tree(
    repo: &Repository,
    index: &mut Index,
    vouched: bool,
    head: Option<&git2::Tree<'_>>,
) -> Result<Oid> {
    if vouched {
        let mut batch = crate::objpack::Batch::default();
        if let Some(id) = crate::objpack::index_tree(index, head, &mut batch)? {
            batch.write(repo)?;
            return Ok(id);
        }
    }
    index.write_tree_to(repo).context("cannot write the tree")
}

fn changed_gate(paths: &[String]) -> anyhow::Error {
    BerryError::gate(format!(
        "{} file(s) changed since review; their new content is not committed without a review",
        paths.len(),
    ))
    .with_reasons(paths.iter().map(|p| crate::quote::path(p)))
    .with_hint(
        "run `berry review` again (or `berry commit` on a terminal, to re-review just these files)",
    )
    .into()
}

fn guards_gate(blocking: &[&Finding]) -> anyhow::Error {
    let list: Vec<String> = blocking
        .iter()
        .map(|f| {
            let at = f.line.map(|l| format!(":{l}")).unwrap_or_default();
            format!(
                "{} {}{at} ({})",
                f.guard.name(),
                crate::quote::path(&f.path),
                f.detail
            )
        })
        .collect();
    BerryError::gate(format!(
        "the guards found {} problem(s) in what would be committed",
        blocking.len(),
    ))
    .with_reasons(list)
    .with_hint("remove them and run `berry review` again (it can grant an exception: --allow GUARD:PATH --reason TEXT)")
    .into()
}

fn ledger_record(sha: &str, tree: &str, branch: &str, stat: &Stat) -> Result<CommitRecord> {
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

/// One path the commit sets: its state at review time and now.
pub struct Target {
    pub path: String,
    /// The blob recorded by review; `None` means the path was reviewed as absent (a deletion, or
    /// the old side of a rename).
    pub expected: Option<Oid>,
    pub current: Current,
    /// The blob's content, for the guards (`None` when absent).
    pub bytes: Option<Vec<u8>>,
}

pub enum Current {
    /// A file or symlink, hashed (and written as a blob unless hashing only).
    File(Box<IndexEntry>),
    Absent,
    /// A directory or something else git does not store as a blob.
    NotAFile,
}

impl Target {
    pub fn current_blob(&self) -> Option<Oid> {
        match &self.current {
            Current::File(e) => Some(e.id),
            _ => None,
        }
    }
    /// A submodule pointer: its id is a commit of the submodule, not a blob of this repository.
    pub fn gitlink(&self) -> bool {
        matches!(&self.current, Current::File(e) if e.mode == GITLINK)
    }
    /// The content differs from what was reviewed.
    pub fn changed(&self) -> bool {
        self.current_blob() != self.expected
    }
}

/// The paths a review record sets, each with its reviewed state, after checking every one: no
/// unsafe path (refused before it is read), nothing outside `stage.paths`, both sides of a
/// rename inside. A violation closes the gate naming every offending path.
pub fn checked_paths(review: &ReviewRecord, scope: &Scope) -> Result<Vec<(String, Option<Oid>)>> {
    let mut unsafe_paths = Vec::new();
    let mut outside = Vec::new();
    for f in &review.files {
        for p in std::iter::once(&f.path).chain(f.old_path.as_ref()) {
            if let Err(why) = safe_relative(p) {
                unsafe_paths.push(why);
            }
        }
        if !scope.admits(&f.path, f.old_path.as_deref()) {
            outside.push(match &f.old_path {
                Some(o) => format!("{o} → {}", f.path),
                None => f.path.clone(),
            });
        }
    }
    if !unsafe_paths.is_empty() {
        return Err(BerryError::gate(format!(
            "the recorded review names paths git never stores: {}",
            unsafe_paths.join("; ")
        ))
        .with_hint(
            "the REQ context was edited by hand or by another tool; run `berry review` again",
        )
        .into());
    }
    if !outside.is_empty() {
        return Err(BerryError::gate(format!(
            "the recorded review names {} path(s) outside stage.paths (a rename needs both sides inside): {}",
            outside.len(),
            outside.join(", ")
        ))
        .with_hint("nothing outside stage.paths is committed; run `berry review` again")
        .into());
    }
    reviewed_paths(review)
}

/// The paths a review record sets, each with its reviewed state (unchecked: see
/// [`checked_paths`]).
pub fn reviewed_paths(review: &ReviewRecord) -> Result<Vec<(String, Option<Oid>)>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for f in &review.files {
        let blob = match &f.blob {
            Some(b) => Some(Oid::from_str(b).map_err(|_| {
                BerryError::gate(format!(
                    "bad blob id {b:?} for {} in the recorded review",
                    f.path
                ))
                .with_hint("run `berry review` again")
            })?),
            None => None,
        };
        if seen.insert(f.path.clone()) {
            out.push((f.path.clone(), blob));
        }
        if let Some(old) = &f.old_path
            && seen.insert(old.clone())
        {
            out.push((old.clone(), None));
        }
    }
    Ok(out)
}

/// `path`'s first leading folder that is a symbolic link, as `prefix/` (git refuses such a path:
/// "beyond a symbolic link"). `path` must be [`safe_relative`].
pub fn beyond_symlink(root: &Path, path: &str) -> Option<String> {
    beyond_symlink_in(root, path, &mut HashSet::new())
}

/// [`beyond_symlink`] for many paths: `folders` holds the leading folders found to be real
/// folders already, so the folders paths share are looked at once.
pub fn beyond_symlink_in(root: &Path, path: &str, folders: &mut HashSet<String>) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    let mut at = root.to_path_buf();
    for (i, part) in parts.iter().enumerate().take(parts.len().saturating_sub(1)) {
        at.push(part);
        let end = parts[..=i].iter().map(|p| p.len() + 1).sum::<usize>() - 1;
        let prefix = &path[..end];
        if folders.contains(prefix) {
            continue;
        }
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                return Some(format!("{path} (through {prefix})"));
            }
            Ok(_) => {
                folders.insert(prefix.to_string());
            }
            Err(_) => return None,
        }
    }
    None
}

/// Hashes every path's working-tree content as git would store it, in parallel; with `write`,
/// stores each as a blob (many new blobs as one pack: [`crate::objpack`]). Paths must be checked
/// ([`checked_paths`], [`beyond_symlink`]).
pub fn scan(
    repo: &Repository,
    root: &Path,
    paths: Vec<(String, Option<Oid>)>,
    write: bool,
) -> Result<Vec<Target>> {
    let git_dir = repo.path().to_path_buf();
    let names: Vec<&str> = paths.iter().map(|(p, _)| p.as_str()).collect();
    let conversions = &crate::git::Conversions::of(repo, &names)?;
    // Written together when there are many, so each thread only hashes and compresses.
    let store = if !write {
        Store::Hash
    } else if paths.len() >= crate::objpack::PACK_AT_LEAST {
        Store::Batch
    } else {
        Store::Loose
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let threads = if paths.len() < 64 { 1 } else { threads };
    // Each thread takes the next path when it is done with one: file sizes differ widely.
    let next = std::sync::atomic::AtomicUsize::new(0);
    type Part = Vec<(usize, Target, bool, Option<crate::objpack::Deflated>)>;
    let results: Vec<Result<Part>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (git_dir, next, paths) = (&git_dir, &next, &paths);
                s.spawn(move || -> Result<Part> {
                    let repo = Repository::open(git_dir)?;
                    let mut part = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((path, expected)) = paths.get(i) else {
                            return Ok(part);
                        };
                        let (current, bytes, deferred) =
                            read_one(&repo, root, path, store == Store::Loose, conversions)?;
                        let packed = match (&current, &bytes) {
                            (Current::File(e), Some(b))
                                if store == Store::Batch && e.mode != GITLINK =>
                            {
                                Some(crate::objpack::Deflated::hashed(
                                    e.id,
                                    git2::ObjectType::Blob,
                                    b,
                                )?)
                            }
                            _ => None,
                        };
                        let target = Target {
                            path: path.clone(),
                            expected: *expected,
                            current,
                            bytes,
                        };
                        part.push((i, target, deferred, packed));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a hashing thread panicked")))
            })
            .collect()
    });
    let mut all = Vec::with_capacity(paths.len());
    for r in results {
        all.extend(r?);
    }
    all.sort_unstable_by_key(|(i, ..)| *i);
    let mut out = Vec::with_capacity(paths.len());
    let mut deferred = Vec::new();
    let mut batch = crate::objpack::Batch::default();
    for (_, t, d, packed) in all {
        if let Some(p) = packed {
            batch.add(p);
        }
        if d {
            deferred.push(out.len());
        }
        out.push(t);
    }
    batch.write(repo)?;
    // Files git converts: hashed (and written) by git, in one process.
    if !deferred.is_empty() {
        let rels: Vec<&str> = deferred.iter().map(|i| out[*i].path.as_str()).collect();
        let ids = crate::git::git_hash_objects(repo, root, &rels, write)?;
        for (i, id) in deferred.into_iter().zip(ids) {
            let t = &mut out[i];
            if let Current::File(e) = &mut t.current {
                e.id = id;
            }
            t.bytes = if write {
                Some(repo.find_blob(id)?.content().to_vec())
            } else {
                None
            };
        }
    }
    Ok(out)
}

/// How [`scan`] stores the blobs it hashes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Store {
    /// Not at all (a dry run).
    Hash,
    /// Each as it is read, loose.
    Loose,
    /// All together once read ([`crate::objpack::Batch`]).
    Batch,
}

/// One path: its index entry (the blob id is filled in later when `deferred`, for files git
/// converts), the blob's bytes, and whether it was deferred.
fn read_one(
    repo: &Repository,
    root: &Path,
    path: &str,
    write: bool,
    conversions: &crate::git::Conversions,
) -> Result<(Current, Option<Vec<u8>>, bool)> {
    let full = root.join(path);
    let meta = match std::fs::symlink_metadata(&full) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((Current::Absent, None, false));
        }
        Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => {
            return Ok((Current::Absent, None, false));
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", full.display())),
    };
    let symlink = meta.file_type().is_symlink();
    if meta.is_dir()
        && let Some(id) = crate::git::submodule_head(repo, path)?
    {
        // A submodule: committed as its pointer (a gitlink, mode 160000), never its files.
        return Ok((
            Current::File(Box::new(gitlink_entry(path, id))),
            None,
            false,
        ));
    }
    if !symlink && !meta.is_file() {
        return Ok((Current::NotAFile, None, false));
    }
    let mode = if symlink {
        0o120000
    } else if meta.permissions().mode() & 0o111 != 0 {
        0o100755
    } else {
        0o100644
    };
    let entry = |id: Oid| IndexEntry {
        ctime: IndexTime::new(meta.ctime() as i32, meta.ctime_nsec() as u32),
        mtime: IndexTime::new(meta.mtime() as i32, meta.mtime_nsec() as u32),
        dev: meta.dev() as u32,
        ino: meta.ino() as u32,
        mode,
        uid: meta.uid(),
        gid: meta.gid(),
        file_size: meta.len() as u32,
        id,
        flags: path.len().min(0xfff) as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    };
    if !symlink && conversions.converts(path) {
        return Ok((Current::File(Box::new(entry(Oid::ZERO_SHA1))), None, true));
    }
    let Some(blob) = crate::git::worktree_blob(repo, path, write, false)? else {
        return Ok((Current::Absent, None, false));
    };
    Ok((Current::File(Box::new(entry(blob.id))), blob.bytes, false))
}

/// The index entry of a submodule pointer, as `git add` writes one (no stat data of its own).
fn gitlink_entry(path: &str, id: Oid) -> IndexEntry {
    IndexEntry {
        ctime: IndexTime::new(0, 0),
        mtime: IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: GITLINK,
        uid: 0,
        gid: 0,
        file_size: 0,
        id,
        flags: path.len().min(0xfff) as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// The mode of a submodule pointer.
const GITLINK: u32 = 0o160000;

/// The guards on one blob about to be written, against what the path held before: secrets and
/// conflict markers in the added lines, and the blob's size. Every guard `berry commit` runs goes
/// through here, so a change of the guards' rules applies to review and commit alike.
pub fn guard_blob(
    path: &str,
    old: &[u8],
    new: &[u8],
    limits: &crate::config::Guards,
    rules: &crate::secrets::RuleSet,
) -> Vec<Finding> {
    let diff = crate::diffview::compute(old, new);
    let mut out = crate::guards::scan_lines(path, diff.added.iter().map(|(n, l)| (*n, l.as_str())));
    // Secrets with the repository's rules (the ones review used), on the exact blob: all of it
    // for a new or binary file, else the lines it adds.
    let added: Option<std::collections::BTreeSet<usize>> =
        (!diff.binary && !old.is_empty()).then(|| diff.added.iter().map(|(n, _)| *n).collect());
    out.extend(crate::guards::scan_secrets(
        rules,
        path,
        new,
        added.as_ref(),
    ));
    out.extend(crate::guards::check_size(
        path,
        new.len() as u64,
        limits.warn_file_mb,
        limits.block_file_mb,
    ));
    out
}

/// The guards on every target that writes a blob differing from HEAD's at that path, in
/// parallel; the findings in the targets' order.
fn guard_targets(
    repo: &Repository,
    head: Option<&git2::Tree<'_>>,
    targets: &[Target],
    review: &ReviewRecord,
    config: &crate::config::Config,
    rules: &crate::secrets::RuleSet,
) -> Result<Vec<Finding>> {
    let old_of: HashMap<&str, &str> = review
        .files
        .iter()
        .filter_map(|f| f.old_path.as_deref().map(|o| (f.path.as_str(), o)))
        .collect();
    // What each target's blob replaces at HEAD, looked up here (trees are not shared between
    // threads); unchanged blobs are not guarded again.
    let work: Vec<(usize, Option<Oid>)> = targets
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let id = t.current_blob()?;
            t.bytes.as_ref()?;
            let before = old_of.get(t.path.as_str()).copied().unwrap_or(&t.path);
            let old_id = head
                .and_then(|tr| tr.get_path(Path::new(before)).ok())
                .map(|e| e.id());
            (old_id != Some(id)).then_some((i, old_id))
        })
        .collect();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let threads = if work.len() < 64 { 1 } else { threads };
    let git_dir = repo.path().to_path_buf();
    let next = std::sync::atomic::AtomicUsize::new(0);
    type Part = Vec<(usize, Vec<Finding>)>;
    let results: Vec<Result<Part>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (git_dir, next, work) = (&git_dir, &next, &work);
                s.spawn(move || -> Result<Part> {
                    let repo = Repository::open(git_dir)?;
                    let mut part = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((i, old_id)) = work.get(k) else {
                            return Ok(part);
                        };
                        let t = &targets[*i];
                        let Some(bytes) = &t.bytes else { continue };
                        let old = crate::git::blob_bytes(&repo, *old_id).unwrap_or_default();
                        part.push((k, guard_blob(&t.path, &old, bytes, &config.guards, rules)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a guard thread panicked")))
            })
            .collect()
    });
    let mut all = Vec::with_capacity(work.len());
    for r in results {
        all.extend(r?);
    }
    all.sort_unstable_by_key(|(k, _)| *k);
    Ok(all.into_iter().flat_map(|(_, f)| f).collect())
}

/// An exception review granted (`--allow GUARD:PATH`) covers `f`.
fn excepted(review: &ReviewRecord, f: &Finding) -> bool {
    review
        .allowed
        .iter()
        .any(|a| a.guard == f.guard.name() && a.path == f.path)
}

/// What to show of each changed target.
fn describe_changed(
    repo: &Repository,
    head: Option<&git2::Tree<'_>>,
    targets: &[Target],
    review: &ReviewRecord,
) -> Result<Vec<Changed>> {
    let old_of: HashMap<&str, &str> = review
        .files
        .iter()
        .filter_map(|f| f.old_path.as_deref().map(|o| (f.path.as_str(), o)))
        .collect();
    let mut out = Vec::new();
    for t in targets.iter().filter(|t| t.changed()) {
        if t.gitlink() {
            out.push(Changed {
                path: t.path.clone(),
                reviewed: t.expected,
                now: t.current_blob(),
                old: crate::git::gitlink_text(t.expected),
                against_head: false,
                new: crate::git::gitlink_text(t.current_blob()),
            });
            continue;
        }
        let reviewed = t.expected.and_then(|id| repo.find_blob(id).ok());
        let (old, against_head) = match (t.expected, reviewed) {
            (None, _) => (Vec::new(), false),
            (Some(_), Some(b)) => (b.content().to_vec(), false),
            (Some(_), None) => {
                let before = old_of.get(t.path.as_str()).copied().unwrap_or(&t.path);
                let id = head
                    .and_then(|tr| tr.get_path(Path::new(before)).ok())
                    .map(|e| e.id());
                (crate::git::blob_bytes(repo, id)?, true)
            }
        };
        let new = match (&t.bytes, t.current_blob()) {
            (Some(b), _) => b.clone(),
            (None, Some(id)) => crate::git::blob_bytes(repo, Some(id)).unwrap_or_default(),
            (None, None) => Vec::new(),
        };
        out.push(Changed {
            path: t.path.clone(),
            reviewed: t.expected,
            now: t.current_blob(),
            old,
            against_head,
            new,
        });
    }
    Ok(out)
}

/// Records the current content of every changed target as reviewed.
fn re_review(
    repo: &Repository,
    head: Option<&git2::Tree<'_>>,
    targets: &[Target],
    review: &mut ReviewRecord,
) -> Result<()> {
    for t in targets.iter().filter(|t| t.changed()) {
        let now = t.current_blob();
        let pos = review.files.iter().position(|f| f.path == t.path);
        let before = pos
            .and_then(|i| review.files[i].old_path.clone())
            .unwrap_or_else(|| t.path.clone());
        let old_id = head
            .and_then(|tr| tr.get_path(Path::new(&before)).ok())
            .map(|e| e.id());
        let (old, new) = if t.gitlink() {
            (
                crate::git::gitlink_text(old_id),
                crate::git::gitlink_text(now),
            )
        } else {
            (
                crate::git::blob_bytes(repo, old_id)?,
                t.bytes.clone().unwrap_or_default(),
            )
        };
        let d = crate::diffview::compute(&old, &new);
        let status = match (old_id, now) {
            (_, None) => "deleted",
            (None, Some(_)) => "added",
            (Some(_), Some(_)) => "modified",
        };
        match pos {
            Some(i) => {
                let f = &mut review.files[i];
                f.blob = now.map(|b| b.to_string());
                f.insertions = d.insertions;
                f.deletions = d.deletions;
                if f.old_path.is_none() {
                    f.status = status.into();
                }
            }
            // The old side of a rename, present again: now a file of its own.
            None => review.files.push(ReviewedFile {
                path: t.path.clone(),
                status: status.into(),
                old_path: None,
                blob: now.map(|b| b.to_string()),
                insertions: d.insertions,
                deletions: d.deletions,
            }),
        }
    }
    Ok(())
}

/// With `core.fileMode` false, git keeps the executable bit it already recorded.
pub fn keep_recorded_modes(repo: &Repository, index: &Index, targets: &mut [Target]) -> Result<()> {
    let filemode = repo
        .config()
        .and_then(|c| c.get_bool("core.fileMode"))
        .unwrap_or(true);
    if filemode {
        return Ok(());
    }
    for t in targets {
        if let Current::File(e) = &mut t.current
            && e.mode != 0o120000
            && e.mode != GITLINK
        {
            e.mode = index
                .get_path(Path::new(&t.path), 0)
                .map(|old| old.mode)
                .filter(|m| *m == 0o100755 || *m == 0o100644)
                .unwrap_or(0o100644);
        }
    }
    Ok(())
}

/// Paths whose index entry differs from HEAD and that the review does not cover: staged by
/// someone else. Each with git's status letter and its name as it is shown (quoted like git
/// when it holds control characters or is not UTF-8).
pub fn prestaged(
    repo: &Repository,
    index: &Index,
    covered: &HashSet<&str>,
) -> Result<Vec<(char, String)>> {
    let head_tree = crate::git::head_commit(repo)?
        .map(|c| c.tree())
        .transpose()?;
    let diff = repo
        .diff_tree_to_index(head_tree.as_ref(), Some(index), None)
        .context("cannot compare the index with HEAD")?;
    let mut out = Vec::new();
    for d in diff.deltas() {
        let bytes = d
            .new_file()
            .path_bytes()
            .or(d.old_file().path_bytes())
            .unwrap_or_default();
        if std::str::from_utf8(bytes).is_ok_and(|p| covered.contains(p)) {
            continue;
        }
        // Named as it is shown: quoted like git when it holds control characters or is not UTF-8.
        let path = crate::quote::bytes(bytes).into_owned();
        let letter = match d.status() {
            git2::Delta::Added => 'A',
            git2::Delta::Deleted => 'D',
            git2::Delta::Renamed => 'R',
            git2::Delta::Typechange => 'T',
            git2::Delta::Conflicted => 'U',
            _ => 'M',
        };
        out.push((letter, path));
    }
    Ok(out)
}

/// Where the commit goes.
#[derive(Debug, Clone)]
pub struct Branch {
    /// `main`.
    pub name: String,
    /// `refs/heads/main`.
    pub refname: String,
    /// The branch's commit; `None` on an unborn branch.
    pub head: Option<Oid>,
}

/// The current branch, refusing a detached HEAD and a repository in the middle of something.
pub fn branch(repo: &Repository) -> Result<Branch> {
    if let Some(what) = crate::git::in_progress(repo) {
        return Err(BerryError::failure(format!(
            "the repository is in the middle of {what}: berry will not commit into it"
        ))
        .with_hint(format!(
            "finish or abort {what} first (`git status` says how), then run `berry commit` again"
        ))
        .into());
    }
    if repo.head_detached().unwrap_or(false) {
        return Err(BerryError::failure("HEAD is detached: there is no branch to commit on")
            .with_hint("check out the branch the work belongs to (`git switch BRANCH`), then run `berry commit` again")
            .into());
    }
    let head_ref = repo.find_reference("HEAD").context("cannot read HEAD")?;
    let refname = head_ref
        .symbolic_target()
        .ok()
        .flatten()
        .ok_or_else(|| anyhow::anyhow!("HEAD is neither a branch nor detached"))?
        .to_string();
    let name = refname
        .strip_prefix("refs/heads/")
        .unwrap_or(&refname)
        .to_string();
    let head = crate::git::head_commit(repo)?.map(|c| c.id());
    Ok(Branch {
        name,
        refname,
        head,
    })
}

/// An index in a file of its own under the git dir (the commit index hooks see as
/// `GIT_INDEX_FILE`, or a scratch copy); removed when dropped.
pub struct CommitIndex {
    pub path: PathBuf,
    pub index: Index,
}

impl Drop for CommitIndex {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = std::fs::remove_file(self.path.with_extension("lock"));
    }
}

/// The prefix of berry's temporary index files in the git dir, followed by the pid.
const TEMP_INDEX: &str = "berry-next-index-";

impl CommitIndex {
    fn path_for(repo: &Repository, tag: &str) -> PathBuf {
        repo.path()
            .join(format!("{TEMP_INDEX}{}{tag}", std::process::id()))
    }

    /// A copy of the repository's index (empty when there is none), under `tag`.
    pub fn copy_of(repo: &Repository, tag: &str) -> Result<CommitIndex> {
        let path = Self::path_for(repo, &format!("-{tag}"));
        let _ = std::fs::remove_file(&path);
        let real = repo.path().join("index");
        if real.exists() {
            std::fs::copy(&real, &path).context("cannot copy the index")?;
        }
        let index = Index::open(&path).context("cannot open the index copy")?;
        Ok(CommitIndex { path, index })
    }
}

/// HEAD's tree (or, with `from_index`, a copy of the current index with its stat cache) plus
/// exactly `targets`.
pub fn build_commit_index(
    repo: &Repository,
    from_index: bool,
    targets: &[Target],
) -> Result<CommitIndex> {
    let path = CommitIndex::path_for(repo, "");
    let _ = std::fs::remove_file(&path);
    if from_index {
        let real = repo.path().join("index");
        if real.exists() {
            std::fs::copy(&real, &path).context("cannot copy the index")?;
        }
    }
    let built = (|| -> Result<Index> {
        let mut index = Index::open(&path).context("cannot create the commit index")?;
        if !from_index && let Some(head) = crate::git::head_commit(repo)? {
            index.read_tree(&head.tree()?)?;
        }
        apply(&mut index, targets)?;
        index.write().context("cannot write the commit index")?;
        Ok(index)
    })();
    match built {
        Ok(index) => Ok(CommitIndex { path, index }),
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            Err(e)
        }
    }
}

/// Removes the temporary index files (`berry-next-index-<pid>…`) of berry processes that are no
/// longer running.
pub fn remove_stale_indexes(git_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(git_dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_INDEX)) else {
            continue;
        };
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(pid) = digits.parse::<i32>()
            && pid != std::process::id() as i32
            && !alive(pid)
        {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

fn alive(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// `.git/index.lock`, held the way git holds it: created with O_CREAT|O_EXCL, the new index
/// written into it, renamed over `.git/index` only once the branch moved ([`IndexLock::commit`]);
/// dropped before that, it is removed and `.git/index` stays as it was.
///
/// Next to it, `berry-index.lock.owner` names this process, the lock file's inode and change
/// time (so a later lock of the same name is never taken for it) and (once the commit exists) the commit the branch is being moved to, so that a run killed between the
/// branch move and the rename can be finished by the next one ([`recover_index_lock`]).
pub struct IndexLock {
    lock: PathBuf,
    owner: PathBuf,
    index: PathBuf,
    file: std::fs::File,
    done: bool,
}

/// What tells this lock file from any later one of the same name: its inode and change time.
fn stamp(meta: &std::fs::Metadata) -> String {
    format!("{}:{}:{}", meta.ino(), meta.ctime(), meta.ctime_nsec())
}

const LOCK_OWNER: &str = "berry-index.lock.owner";

impl IndexLock {
    pub fn take(git_dir: &Path) -> Result<IndexLock> {
        let lock = git_dir.join("index.lock");
        let file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&lock)
        {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(BerryError::failure(format!(
                    "the index is locked: {} exists (another git process is using the index)",
                    lock.display()
                ))
                .with_hint("wait for that git command to finish, then run `berry commit` again; if no git process is running, one crashed and left the lock: remove the file")
                .into());
            }
            Err(e) => {
                return Err(e).with_context(|| format!("cannot create {}", lock.display()));
            }
        };
        let me = IndexLock {
            owner: git_dir.join(LOCK_OWNER),
            index: git_dir.join("index"),
            lock,
            file,
            done: false,
        };
        me.write_owner(None)?;
        Ok(me)
    }

    fn write_owner(&self, commit: Option<Oid>) -> Result<()> {
        let meta = self.file.metadata()?;
        let mut text = format!("pid {}\nstamp {}\n", std::process::id(), stamp(&meta));
        if let Some(c) = commit {
            text.push_str(&format!("commit {c}\n"));
        }
        let mut f = std::fs::File::create(&self.owner)
            .with_context(|| format!("cannot write {}", self.owner.display()))?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        Ok(())
    }

    /// The index git has after the commit, written into the lock file and flushed to disk.
    pub fn write_index(&mut self, bytes: &[u8]) -> Result<()> {
        self.file
            .write_all(bytes)
            .and_then(|_| self.file.sync_all())
            .with_context(|| format!("cannot write {}", self.lock.display()))?;
        self.write_owner(None)
    }

    /// Says, next to the lock, which commit the branch is about to move to.
    pub fn moving_branch(&self, commit: Oid) -> Result<()> {
        self.write_owner(Some(commit))
    }

    /// The branch moved: the lock becomes the index.
    pub fn commit(mut self) -> Result<()> {
        std::fs::rename(&self.lock, &self.index)
            .with_context(|| format!("cannot rename {} over the index", self.lock.display()))?;
        self.done = true;
        let _ = std::fs::remove_file(&self.owner);
        Ok(())
    }
}

impl Drop for IndexLock {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.lock);
            let _ = std::fs::remove_file(&self.owner);
        }
    }
}

/// An `index.lock` left by a berry process that was killed while holding it: when its branch
/// already moved to the recorded commit, the lock (the index after that commit) is renamed into
/// place, as the killed run would have; otherwise it is removed. A lock of a live process, or
/// one berry did not create, is left alone. Returns what was done, to say.
pub fn recover_index_lock(repo: &Repository) -> Result<Option<String>> {
    let git_dir = repo.path();
    let owner = git_dir.join(LOCK_OWNER);
    let Ok(text) = std::fs::read_to_string(&owner) else {
        return Ok(None);
    };
    let field = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k).map(|v| v.trim().to_string()))
    };
    let pid: i32 = field("pid ").and_then(|p| p.parse().ok()).unwrap_or(0);
    if alive(pid) {
        return Ok(None);
    }
    let recorded = field("stamp ");
    let commit = field("commit ").and_then(|c| Oid::from_str(&c).ok());
    let lock = git_dir.join("index.lock");
    let ours = std::fs::symlink_metadata(&lock)
        .ok()
        .is_some_and(|m| Some(stamp(&m)) == recorded);
    let mut note = None;
    if ours {
        let head = crate::git::head_commit(repo)?.map(|c| c.id());
        if commit.is_some() && head == commit {
            std::fs::rename(&lock, git_dir.join("index"))
                .with_context(|| format!("cannot rename {} over the index", lock.display()))?;
            note = Some(format!(
                "finished the index update of a berry process (pid {pid}) killed after its commit"
            ));
        } else {
            std::fs::remove_file(&lock)
                .with_context(|| format!("cannot remove {}", lock.display()))?;
            note = Some(format!(
                "removed the index.lock of a berry process (pid {pid}) killed before its commit"
            ));
        }
    }
    let _ = std::fs::remove_file(&owner);
    Ok(note)
}

/// Sets every target in `index`: removals first, then additions (a file may replace a folder).
pub fn apply(index: &mut Index, targets: &[Target]) -> Result<()> {
    for t in targets {
        if !matches!(t.current, Current::File(_)) {
            index
                .remove_path(Path::new(&t.path))
                .with_context(|| format!("cannot unstage {}", t.path))?;
            // A folder that replaced the path: its files are not part of the review.
            let _ = index.remove_dir(Path::new(&t.path), 0);
        }
    }
    for t in targets {
        if let Current::File(e) = &t.current {
            index
                .add(e)
                .with_context(|| format!("cannot stage {}", t.path))?;
        }
    }
    Ok(())
}

/// Someone's identity as git would use it for a commit.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub email: String,
    /// Seconds since the epoch.
    pub seconds: i64,
    /// Offset from UTC in minutes.
    pub offset_minutes: i32,
}

impl Ident {
    pub fn signature(&self) -> Result<git2::Signature<'static>> {
        git2::Signature::new(
            &self.name,
            &self.email,
            &git2::Time::new(self.seconds, self.offset_minutes),
        )
        .context("invalid identity")
    }
    /// `@<seconds> +hhmm`, as git exports `GIT_AUTHOR_DATE` to hooks.
    pub fn git_date(&self) -> String {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let m = self.offset_minutes.abs();
        format!("@{} {sign}{:02}{:02}", self.seconds, m / 60, m % 60)
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Role {
    Author,
    Committer,
}

/// `GIT_AUTHOR_*` / `GIT_COMMITTER_*`, else `author.*` / `committer.*`, else `user.*` (and
/// `EMAIL`), as git resolves them; the date from `GIT_*_DATE` or now.
pub fn ident(repo: &Repository, role: Role) -> Result<Ident> {
    let (who, env_name, env_email, env_date) = match role {
        Role::Author => (
            "author",
            env_vars::GIT_AUTHOR_NAME,
            env_vars::GIT_AUTHOR_EMAIL,
            env_vars::GIT_AUTHOR_DATE,
        ),
        Role::Committer => (
            "committer",
            env_vars::GIT_COMMITTER_NAME,
            env_vars::GIT_COMMITTER_EMAIL,
            env_vars::GIT_COMMITTER_DATE,
        ),
    };
    let config = repo.config().context("cannot read git config")?;
    let conf = |k: &str| config.get_string(k).ok().filter(|s| !s.trim().is_empty());
    let name = env_vars::var(env_name)
        .or_else(|| conf(&format!("{who}.name")))
        .or_else(|| conf("user.name"));
    let email = env_vars::var(env_email)
        .or_else(|| conf(&format!("{who}.email")))
        .or_else(|| conf("user.email"))
        .or_else(|| env_vars::var(env_vars::EMAIL));
    let (Some(name), Some(email)) = (name, email) else {
        return Err(BerryError::failure(format!(
            "{who} identity unknown: git config has no user.name or user.email"
        ))
        .with_hint(
            "set them: git config user.name \"Your Name\"; git config user.email you@example.com",
        )
        .into());
    };
    let (seconds, offset_minutes) = match env_vars::var(env_date) {
        Some(d) => parse_git_date(&d).ok_or_else(|| {
            BerryError::usage(format!("{env_date}={d:?} is not a date git understands"))
        })?,
        None => {
            let now = crate::clock::now()?;
            let offset = jiff::tz::TimeZone::system().to_offset(now);
            (now.as_second(), offset.seconds() / 60)
        }
    };
    Ok(Ident {
        name,
        email,
        seconds,
        offset_minutes,
    })
}

/// The date forms git accepts in `GIT_AUTHOR_DATE`: `@<secs> <tz>`, `<secs> <tz>`, ISO 8601
/// (with `T` or a space) and RFC 2822. Returns seconds and offset in minutes.
pub fn parse_git_date(s: &str) -> Option<(i64, i32)> {
    let s = s.trim();
    let tz = |t: &str| -> Option<i32> {
        if t == "Z" || t == "z" {
            return Some(0);
        }
        let (sign, rest) = match t.as_bytes().first()? {
            b'+' => (1, &t[1..]),
            b'-' => (-1, &t[1..]),
            _ => return None,
        };
        let digits: String = rest.chars().filter(|c| *c != ':').collect();
        if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let h: i32 = digits[..2].parse().ok()?;
        let m: i32 = digits[2..].parse().ok()?;
        Some(sign * (h * 60 + m))
    };
    // Raw: `@1767614400 +0000`, `1767614400 +0000`, `@1767614400`.
    let raw = s.strip_prefix('@').unwrap_or(s);
    let mut parts = raw.split_whitespace();
    if let Some(first) = parts.next()
        && let Ok(secs) = first.parse::<i64>()
        && (s.starts_with('@') || first.len() >= 9)
    {
        let off = match parts.next() {
            Some(t) => tz(t)?,
            None => 0,
        };
        return Some((secs, off));
    }
    // ISO 8601.
    let re = regex::Regex::new(
        r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?)\s*(Z|z|[+-]\d{2}:?\d{2})?$",
    )
    .ok()?;
    if let Some(c) = re.captures(s) {
        let off = c.get(3).map(|m| tz(m.as_str())).unwrap_or(Some(0))?;
        let dt: jiff::civil::DateTime = format!("{}T{}", &c[1], &c[2]).parse().ok()?;
        let offset = jiff::tz::Offset::from_seconds(off * 60).ok()?;
        let ts = offset.to_timestamp(dt).ok()?;
        return Some((ts.as_second(), off));
    }
    // RFC 2822.
    let z = jiff::fmt::rfc2822::parse(s).ok()?;
    Some((z.timestamp().as_second(), z.offset().seconds() / 60))
}

/// The hooks folder: `core.hooksPath` (relative to the work tree root, as husky sets it), else
/// the repository's `hooks`.
pub fn hooks_dir(repo: &Repository, root: &Path) -> PathBuf {
    let configured = repo
        .config()
        .ok()
        .and_then(|c| c.get_path("core.hooksPath").ok());
    match configured {
        Some(p) if p.is_absolute() => p,
        Some(p) => root.join(p),
        None => repo.commondir().join("hooks"),
    }
}

/// What a hook run tells.
pub enum Hook {
    /// No such hook (or not executable, which git ignores too).
    Absent,
    Ran(ExitStatus),
}

/// The environment git gives commit hooks.
#[derive(Debug, Clone)]
pub struct HookEnv {
    pub index_file: PathBuf,
    pub author: Ident,
    /// No editor will be launched: `GIT_EDITOR=:`.
    pub no_editor: bool,
    /// The directory berry was started in, relative to the root (`GIT_PREFIX`).
    pub prefix: String,
}

/// Runs `name` from `dir` in the work tree root, with stdin closed and its output (stdout too,
/// as git does) on berry's stderr.
pub fn run_hook(dir: &Path, root: &Path, name: &str, args: &[&str], env: &HookEnv) -> Result<Hook> {
    let path = dir.join(name);
    let Ok(meta) = std::fs::metadata(&path) else {
        return Ok(Hook::Absent);
    };
    if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
        return Ok(Hook::Absent);
    }
    let mut cmd = Command::new(&path);
    cmd.args(args)
        .current_dir(root)
        .env("GIT_INDEX_FILE", &env.index_file)
        .env("GIT_AUTHOR_NAME", &env.author.name)
        .env("GIT_AUTHOR_EMAIL", &env.author.email)
        .env("GIT_AUTHOR_DATE", env.author.git_date())
        .env("GIT_PREFIX", &env.prefix)
        .stdin(Stdio::null())
        .stdout(stderr_handle())
        .stderr(Stdio::inherit());
    if env.no_editor {
        cmd.env("GIT_EDITOR", ":");
    }
    let status = cmd
        .status()
        .with_context(|| format!("cannot run the {name} hook {}", path.display()))?;
    Ok(Hook::Ran(status))
}

fn stderr_handle() -> Stdio {
    use std::os::fd::AsFd;
    match std::io::stderr().as_fd().try_clone_to_owned() {
        Ok(fd) => Stdio::from(fd),
        Err(_) => Stdio::inherit(),
    }
}

/// The editor git would launch (`git var GIT_EDITOR`: `GIT_EDITOR`, `core.editor`, `VISUAL`,
/// `EDITOR`, then `vi`).
pub fn editor(root: &Path) -> String {
    let out = Command::new("git")
        .args(["var", "GIT_EDITOR"])
        .current_dir(root)
        .stderr(Stdio::null())
        .output();
    if let Ok(o) = out
        && o.status.success()
    {
        let e = String::from_utf8_lossy(&o.stdout).trim().to_string();
        if !e.is_empty() {
            return e;
        }
    }
    env_vars::var(env_vars::GIT_EDITOR)
        .or_else(|| env_vars::var(env_vars::VISUAL))
        .or_else(|| env_vars::var(env_vars::EDITOR))
        .unwrap_or_else(|| "vi".into())
}

/// Runs the editor on `file` as git does (through the shell, so `code --wait` works). The editor
/// owns the terminal while it runs: Ctrl-C is its key, not berry's.
pub fn edit(editor: &str, file: &Path, root: &Path) -> Result<()> {
    if editor == ":" {
        return Ok(());
    }
    // As git: a plain program name is run directly (so Ctrl-C reaches the editor, not a shell
    // in between); anything else through `sh -c`.
    const SHELL_CHARS: &[char] = &[
        '|', '&', ';', '<', '>', '(', ')', '$', '`', '\\', '"', '\'', ' ', '\t', '\n', '*', '?',
        '[', '#', '~', '=', '%',
    ];
    let mut cmd = if editor.contains(SHELL_CHARS) {
        let mut c = Command::new("sh");
        c.arg("-c").arg(format!("{editor} \"$@\"")).arg(editor);
        c
    } else {
        Command::new(editor)
    };
    let status = crate::signals::run_owning_terminal(cmd.arg(file).current_dir(root))
        .with_context(|| format!("cannot start the editor `{editor}`"))?;
    if crate::signals::take_received().is_some() {
        return Err(BerryError::new(
            crate::error::Exit::Interrupted,
            "interrupted while the editor ran; nothing was committed",
        )
        .into());
    }
    if !status.success() {
        return Err(BerryError::failure(format!(
            "the editor `{editor}` exited with {status}; nothing was committed"
        ))
        .into());
    }
    Ok(())
}

/// The figures git prints after a commit, and the paths it touched.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Stat {
    pub files_changed: usize,
    pub insertions: usize,
    pub deletions: usize,
    pub files: Vec<String>,
}

/// Compares `new` with `old`; a reviewed file committed as reviewed keeps review's counts (a
/// rename counts once, against its old content), anything else is diffed here.
pub fn stat(
    repo: &Repository,
    old: Option<&git2::Tree<'_>>,
    new: &git2::Tree<'_>,
    review: Option<&ReviewRecord>,
) -> Result<Stat> {
    let diff = repo
        .diff_tree_to_tree(old, Some(new), None)
        .context("cannot compare the commit with its parent")?;
    let by_path: HashMap<&str, &ReviewedFile> = review
        .map(|r| r.files.iter().map(|f| (f.path.as_str(), f)).collect())
        .unwrap_or_default();
    let mut changed_paths: HashSet<String> = HashSet::new();
    let mut deltas = Vec::new();
    for d in diff.deltas() {
        let path = d
            .new_file()
            .path()
            .or(d.old_file().path())
            .and_then(|p| p.to_str())
            .unwrap_or_default()
            .to_string();
        changed_paths.insert(path.clone());
        let gitlink = [d.old_file().mode(), d.new_file().mode()].contains(&git2::FileMode::Commit);
        deltas.push((path, d.old_file().id(), d.new_file().id(), gitlink));
    }
    // Old sides of renames whose new side is in this commit: counted with the new side.
    let rename_olds: HashSet<&str> = by_path
        .values()
        .filter(|f| changed_paths.contains(&f.path))
        .filter_map(|f| f.old_path.as_deref())
        .collect();
    let mut s = Stat::default();
    for (path, old_id, new_id, gitlink) in deltas {
        s.files.push(path.clone());
        if rename_olds.contains(path.as_str()) {
            continue;
        }
        s.files_changed += 1;
        let reviewed = by_path.get(path.as_str());
        let new_blob = Some(new_id).filter(|i| !i.is_zero());
        if let Some(f) = reviewed
            && f.blob.as_deref() == new_blob.map(|b| b.to_string()).as_deref()
        {
            s.insertions += f.insertions;
            s.deletions += f.deletions;
            continue;
        }
        let old_blob = match reviewed.and_then(|f| f.old_path.as_deref()) {
            Some(op) => old
                .and_then(|t| t.get_path(Path::new(op)).ok())
                .map(|e| e.id()),
            None => Some(old_id).filter(|i| !i.is_zero()),
        };
        // A submodule pointer counts as git counts it: one line for each side's commit id.
        let text = |id: Option<Oid>| match gitlink {
            true => Ok(crate::git::gitlink_text(id)),
            false => crate::git::blob_bytes(repo, id),
        };
        let fd = crate::diffview::compute(&text(old_blob)?, &text(new_blob)?);
        s.insertions += fd.insertions;
        s.deletions += fd.deletions;
    }
    Ok(s)
}

/// Who a commit is by.
pub struct Authors<'a> {
    pub author: &'a Ident,
    pub committer: &'a Ident,
}

/// Writes a commit object (no ref moves): signed as `commit.gpgsign` asks ([`sign`]), or
/// refused, never silently unsigned. `what` names it in errors (`commit`, `revert commit`).
/// Every commit berry makes is written here.
pub fn write_commit(
    repo: &Repository,
    root: &Path,
    by: &Authors<'_>,
    message: &str,
    tree: &git2::Tree<'_>,
    parents: &[&git2::Commit<'_>],
    what: &str,
) -> Result<Oid> {
    let buffer = repo
        .commit_create_buffer(
            &by.author.signature()?,
            &by.committer.signature()?,
            message,
            tree,
            parents,
        )
        .with_context(|| format!("cannot build the {what}"))?;
    let buffer = std::str::from_utf8(&buffer)
        .context("the commit is not UTF-8")?
        .to_string();
    Ok(match sign(repo, root, &buffer, by.committer)? {
        Some(signature) => repo
            .commit_signed(&buffer, &signature, Some("gpgsig"))
            .with_context(|| format!("cannot write the signed {what}"))?,
        None => repo
            .odb()?
            .write(git2::ObjectType::Commit, buffer.as_bytes())
            .with_context(|| format!("cannot write the {what}"))?,
    })
}

/// [`write_commit`] by the author and committer git's configuration names now.
pub fn write_commit_now(
    repo: &Repository,
    root: &Path,
    message: &str,
    tree: &git2::Tree<'_>,
    parents: &[&git2::Commit<'_>],
    what: &str,
) -> Result<Oid> {
    let author = ident(repo, Role::Author)?;
    let committer = ident(repo, Role::Committer)?;
    let by = Authors {
        author: &author,
        committer: &committer,
    };
    write_commit(repo, root, &by, message, tree, parents, what)
}

/// HEAD, when it is a commit berry made for `req` on this evidence (carries `Berry-Req` and the
/// same `QA-Evidence`) but the context does not know it: a run stopped between the commit and
/// its record.
pub fn unrecorded_commit(repo: &Repository, req: &str, evidence: &Evidence) -> Result<Option<Oid>> {
    let Some(head) = crate::git::head_commit(repo)? else {
        return Ok(None);
    };
    let Some(qa) = &evidence.qa else {
        return Ok(None);
    };
    let msg = head.message_raw().unwrap_or_default();
    let Ok(trailers) = git2::message_trailers_strs(msg) else {
        return Ok(None);
    };
    let want = format!("{} {}", qa.row_id, qa.sha256);
    let mut has_req = false;
    let mut has_ev = false;
    for (k, v) in trailers.iter() {
        if k.eq_ignore_ascii_case("Berry-Req") && v.trim() == req {
            has_req = true;
        }
        if k.eq_ignore_ascii_case("QA-Evidence") && v.trim() == want {
            has_ev = true;
        }
    }
    Ok((has_req && has_ev).then(|| head.id()))
}

/// The signature `commit.gpgsign` asks for, made by the program `gpg.format` names, invoked as
/// git invokes it; `None` when the repository does not sign commits. A signing failure is an
/// error: berry never makes an unsigned commit where git would have signed one.
///
/// - `openpgp` (the default): `gpg.openpgp.program`, else `gpg.program`, else `gpg`, run as
///   `--status-fd=2 -bsau KEY` with the commit on stdin; KEY is `user.signingkey`, else the
///   committer's `Name <email>`. `x509`: the same with `gpg.x509.program`, else `gpgsm`.
/// - `ssh`: `gpg.ssh.program`, else `ssh-keygen`, run as `-Y sign -n git -f KEY FILE` on a
///   temporary file holding the commit, the signature read from `FILE.sig`; KEY is
///   `user.signingkey` (a key file, or a literal public key `ssh-…`/`key::…` whose private half
///   is in the SSH agent, passed with `-U`).
pub fn sign(
    repo: &Repository,
    root: &Path,
    buffer: &str,
    committer: &Ident,
) -> Result<Option<String>> {
    let config = repo.config().context("cannot read git config")?;
    if !config.get_bool("commit.gpgsign").unwrap_or(false) {
        return Ok(None);
    }
    let get = |k: &str| config.get_string(k).ok().filter(|v| !v.trim().is_empty());
    let format = get("gpg.format").unwrap_or_else(|| "openpgp".into());
    let refuse = |what: String| -> anyhow::Error {
        BerryError::failure(format!(
            "commit.gpgsign is set, but the commit cannot be signed: {what}; nothing was committed"
        ))
        .with_hint("fix the signing setup (`git commit -S` fails the same way), or set commit.gpgsign=false for this repository")
        .into()
    };
    match format.as_str() {
        "openpgp" | "x509" => {
            let program = if format == "x509" {
                get("gpg.x509.program").unwrap_or_else(|| "gpgsm".into())
            } else {
                get("gpg.openpgp.program")
                    .or_else(|| get("gpg.program"))
                    .unwrap_or_else(|| "gpg".into())
            };
            let key = get("user.signingkey")
                .unwrap_or_else(|| format!("{} <{}>", committer.name, committer.email));
            let mut child = Command::new(&program)
                .args(["--status-fd=2", "-bsau", &key])
                .current_dir(root)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| refuse(format!("cannot run `{program}` ({e})")))?;
            let mut stdin = child
                .stdin
                .take()
                .context("no stdin for the signing program")?;
            let input = buffer.as_bytes().to_vec();
            let feeder = std::thread::spawn(move || stdin.write_all(&input));
            let out = child
                .wait_with_output()
                .map_err(|e| refuse(format!("`{program}` failed ({e})")))?;
            let _ = feeder.join();
            let status = String::from_utf8_lossy(&out.stderr);
            if !out.status.success()
                || !status.contains("\n[GNUPG:] SIG_CREATED ")
                    && !status.starts_with("[GNUPG:] SIG_CREATED ")
            {
                return Err(refuse(format!(
                    "`{program} -bsau {key}` exited with {}: {}",
                    out.status,
                    last_lines(&status)
                )));
            }
            let sig = String::from_utf8(out.stdout)
                .map_err(|_| refuse(format!("`{program}` wrote a signature that is not text")))?;
            if sig.trim().is_empty() {
                return Err(refuse(format!("`{program}` wrote no signature")));
            }
            Ok(Some(sig))
        }
        "ssh" => {
            let program = get("gpg.ssh.program").unwrap_or_else(|| "ssh-keygen".into());
            let Some(key) = get("user.signingkey") else {
                return Err(refuse(
                    "gpg.format is ssh and user.signingkey is not set".into(),
                ));
            };
            let tmp = tempfile::Builder::new()
                .prefix(".berry-signing-")
                .tempdir_in(repo.path())
                .context("cannot create a temporary folder for signing")?;
            let literal = key.starts_with("ssh-") || key.starts_with("key::");
            let key_file = if literal {
                let f = tmp.path().join("key.pub");
                std::fs::write(&f, key.strip_prefix("key::").unwrap_or(&key))?;
                f
            } else {
                // `~/` expanded as git expands it.
                config
                    .get_path("user.signingkey")
                    .unwrap_or_else(|_| PathBuf::from(&key))
            };
            let buf_file = tmp.path().join("commit");
            std::fs::write(&buf_file, buffer)?;
            let mut cmd = Command::new(&program);
            cmd.args(["-Y", "sign", "-n", "git", "-f"]).arg(&key_file);
            if literal {
                cmd.arg("-U");
            }
            let out = cmd
                .arg(&buf_file)
                .current_dir(root)
                .stdin(Stdio::null())
                .output()
                .map_err(|e| refuse(format!("cannot run `{program}` ({e})")))?;
            if !out.status.success() {
                return Err(refuse(format!(
                    "`{program} -Y sign` exited with {}: {}",
                    out.status,
                    last_lines(&String::from_utf8_lossy(&out.stderr))
                )));
            }
            let sig = std::fs::read_to_string(tmp.path().join("commit.sig"))
                .map_err(|e| refuse(format!("`{program}` wrote no signature ({e})")))?;
            if !sig.contains("-----BEGIN SSH SIGNATURE-----") {
                return Err(refuse(format!("`{program}` wrote no SSH signature")));
            }
            Ok(Some(sig))
        }
        other => Err(refuse(format!(
            "gpg.format is {other:?}; git knows openpgp, x509 and ssh"
        ))),
    }
}

fn last_lines(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("[GNUPG:]") && !l.trim().is_empty())
        .collect();
    let tail = &lines[lines.len().saturating_sub(3)..];
    if tail.is_empty() {
        "no message".into()
    } else {
        tail.join(" / ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{EvidenceItem, Store};
    use crate::decide::{Answer, Scripted};
    use crate::deliverables::Row;
    use crate::req::ReqNumber;

    struct Fixed(Vec<Row>);
    impl Source for Fixed {
        fn describe(&self) -> String {
            "fixed".into()
        }
        fn latest(&mut self, _: &ReqNumber) -> Result<Vec<Row>> {
            Ok(self.0.clone())
        }
        fn known_reqs(&mut self, _: usize) -> Result<Vec<String>> {
            Ok(vec![])
        }
    }

    /// A repository with `src/a.ts` committed and changed, QA's approval recorded and the change
    /// reviewed, as the step function sees them (no binary, no terminal).
    struct World {
        _dir: tempfile::TempDir,
        ws: Workspace,
        session: Session,
        source: Fixed,
        /// What the last run showed, in order.
        shown: Vec<String>,
    }

    impl World {
        fn new() -> World {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("repo");
            std::fs::create_dir_all(root.join("src")).unwrap();
            let repo = Repository::init(&root).unwrap();
            {
                let mut c = repo.config().unwrap();
                c.set_str("user.name", "Unit Test").unwrap();
                c.set_str("user.email", "unit@example.com").unwrap();
            }
            std::fs::write(root.join("src/a.ts"), "export const a = 1;\n").unwrap();
            std::fs::write(root.join("README.md"), "# r\n").unwrap();
            {
                let mut idx = repo.index().unwrap();
                idx.add_all(["*"], git2::IndexAddOption::DEFAULT, None)
                    .unwrap();
                idx.write().unwrap();
                let tree = repo.find_tree(idx.write_tree().unwrap()).unwrap();
                let sig = git2::Signature::now("t", "t@example.com").unwrap();
                repo.commit(Some("HEAD"), &sig, &sig, "base", &tree, &[])
                    .unwrap();
            }
            std::fs::write(root.join("src/a.ts"), "export const a = 2;\n").unwrap();
            let mut config = crate::config::Config::default();
            config.stage.paths = vec!["src/**".into()];
            let store = Store::at(dir.path().join("state"));
            let req = ReqNumber::parse("REQ-UNIT-1").unwrap();
            let row = Row {
                id: "1".into(),
                agent: "billy".into(),
                stage: None,
                created_at: None,
                deliverable: serde_json::json!({"status": "COMPLETE"}),
                parse_error: None,
            };
            let mut session = Session::open(&store, req, "commit").unwrap();
            session.ctx.evidence = Some(Evidence {
                source: "fixed".into(),
                verified_at: jiff::Timestamp::UNIX_EPOCH,
                approved: true,
                reasons: vec![],
                qa: Some(EvidenceItem {
                    agent: "billy".into(),
                    row_id: "1".into(),
                    created_at: None,
                    sha256: row.sha256(),
                    status: Some("COMPLETE".into()),
                }),
                deliverables: vec![],
            });
            let head = crate::git::head_commit(&repo).unwrap().unwrap().id();
            session.ctx.review = Some(ReviewRecord {
                reviewed_at: jiff::Timestamp::UNIX_EPOCH,
                head: Some(head.to_string()),
                branch: crate::git::branch_name(&repo),
                files: vec![ReviewedFile {
                    path: "src/a.ts".into(),
                    status: "modified".into(),
                    old_path: None,
                    blob: Some(
                        Oid::hash_object(git2::ObjectType::Blob, b"export const a = 2;\n")
                            .unwrap()
                            .to_string(),
                    ),
                    insertions: 1,
                    deletions: 1,
                }],
                deselected: vec![],
                out_of_scope: vec![],
                allowed: vec![],
            });
            let gate = crate::gateconfig::load(&repo, &root, None, None).unwrap();
            let ws = Workspace {
                gate,
                repo,
                root,
                config,
                config_file: None,
                store,
                outer: Default::default(),
                layers: crate::settings::Layers::defaults(),
                resolved: false,
            };
            World {
                _dir: dir,
                ws,
                session,
                source: Fixed(vec![row]),
                shown: Vec::new(),
            }
        }

        fn commit(&mut self, decide: &dyn Decide) -> Result<Done> {
            let mut shown = Vec::new();
            let done = commit(
                &self.ws,
                &mut self.session,
                &mut self.source,
                &Options::default(),
                decide,
                &mut |s| {
                    shown.push(match s {
                        Shown::ChangedSinceReview(c) => format!("changed {}", c.len()),
                        Shown::Findings(f) => format!("findings {}", f.len()),
                        _ => "other".into(),
                    })
                },
            );
            self.shown = shown;
            done
        }

        fn head_content(&self) -> String {
            let head = crate::git::head_commit(&self.ws.repo).unwrap().unwrap();
            let e = head
                .tree()
                .unwrap()
                .get_path(Path::new("src/a.ts"))
                .unwrap();
            String::from_utf8(self.ws.repo.find_blob(e.id()).unwrap().content().to_vec()).unwrap()
        }
    }

    impl World {
        /// `n` more files added under `src/many/` and reviewed as they are (enough for the blobs
        /// to go into one pack), with `edit` applied to the work tree after review.
        fn with_many(n: usize, edit: impl Fn(&Path)) -> World {
            let mut w = World::new();
            let review = w.session.ctx.review.as_mut().unwrap();
            for i in 0..n {
                let path = format!("src/many/f{i:03}.ts");
                let text = format!("export const f{i} = {i};\n").repeat(i % 5 + 1);
                std::fs::create_dir_all(w.ws.root.join("src/many")).unwrap();
                std::fs::write(w.ws.root.join(&path), &text).unwrap();
                review.files.push(ReviewedFile {
                    path,
                    status: "added".into(),
                    old_path: None,
                    blob: Some(
                        Oid::hash_object(git2::ObjectType::Blob, text.as_bytes())
                            .unwrap()
                            .to_string(),
                    ),
                    insertions: i % 5 + 1,
                    deletions: 0,
                });
            }
            edit(&w.ws.root);
            w
        }
    }

    fn exit_of(e: &anyhow::Error) -> Exit {
        crate::error::classify(e).exit
    }

    #[test]
    fn commits_the_reviewed_blob_and_records_it() {
        let mut w = World::new();
        let done = w.commit(&Scripted::defaults()).unwrap();
        let Done::Committed { oid, stat, .. } = done else {
            panic!("not committed")
        };
        assert_eq!(stat.files_changed, 1);
        assert_eq!(w.head_content(), "export const a = 2;\n");
        assert_eq!(
            w.session.ctx.ledger.commit.as_ref().unwrap().sha,
            oid.to_string()
        );
        // The index is the committed tree for that path, and no lock is left.
        let idx = Index::open(&w.ws.repo.path().join("index")).unwrap();
        let e = idx.get_path(Path::new("src/a.ts"), 0).unwrap();
        assert_eq!(
            e.id,
            w.ws.repo
                .find_commit(oid)
                .unwrap()
                .tree()
                .unwrap()
                .get_path(Path::new("src/a.ts"))
                .unwrap()
                .id()
        );
        assert!(!w.ws.repo.path().join("index.lock").exists());
        // Run again: reported, nothing repeated.
        assert!(matches!(
            w.commit(&Scripted::defaults()).unwrap(),
            Done::AlreadyCommitted {
                contained: true,
                ..
            }
        ));
    }

    #[test]
    fn a_changed_file_without_a_person_closes_the_gate_and_asks_nothing() {
        let mut w = World::new();
        std::fs::write(w.ws.root.join("src/a.ts"), "export const a = 3;\n").unwrap();
        let d = Scripted::defaults();
        let e = w.commit(&d).err().expect("refused");
        assert_eq!(exit_of(&e), Exit::Gate);
        assert_eq!(crate::error::classify(&e).reasons, ["src/a.ts"]);
        assert!(d.asked().is_empty());
        assert!(w.session.ctx.ledger.commit.is_none());
        assert!(!w.ws.repo.path().join("index.lock").exists());
    }

    #[test]
    fn a_changed_file_re_reviewed_is_committed_only_on_yes() {
        let mut w = World::new();
        std::fs::write(w.ws.root.join("src/a.ts"), "export const a = 3;\n").unwrap();
        let no = Scripted::answering([Answer::No]);
        let e = w.commit(&no).err().expect("declined");
        assert_eq!(exit_of(&e), Exit::Decision);
        assert!(w.shown.contains(&"changed 1".to_string()), "{:?}", w.shown);
        assert_eq!(no.asked().len(), 1);
        assert!(
            no.asked()[0].contains("changed since review"),
            "{:?}",
            no.asked()
        );
        assert!(w.session.ctx.ledger.commit.is_none());

        let yes = Scripted::answering([Answer::Yes]);
        assert!(matches!(w.commit(&yes).unwrap(), Done::Committed { .. }));
        assert_eq!(w.head_content(), "export const a = 3;\n");
        let review = w.session.ctx.review.as_ref().unwrap();
        assert_eq!(
            review.files[0].blob.as_deref(),
            Some(
                Oid::hash_object(git2::ObjectType::Blob, b"export const a = 3;\n")
                    .unwrap()
                    .to_string()
                    .as_str()
            )
        );
        assert_eq!(
            w.session
                .ctx
                .ledger
                .commit
                .as_ref()
                .unwrap()
                .changed_since_review[0],
            "src/a.ts"
        );
    }

    #[test]
    fn a_secret_in_a_re_reviewed_file_closes_the_gate_before_the_question() {
        let mut w = World::new();
        std::fs::write(
            w.ws.root.join("src/a.ts"),
            "export const t = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';\n",
        )
        .unwrap();
        let d = Scripted::answering([Answer::Yes]);
        let e = w.commit(&d).err().expect("refused");
        assert_eq!(exit_of(&e), Exit::Gate);
        let reasons = crate::error::classify(&e).reasons;
        assert!(reasons[0].starts_with("secrets src/a.ts:1"), "{reasons:?}");
        assert!(d.asked().is_empty(), "{:?}", d.asked());
        assert!(w.shown.contains(&"findings 1".to_string()), "{:?}", w.shown);
    }

    #[test]
    fn out_of_scope_and_unsafe_review_entries_are_refused() {
        for bad in ["README.md", "../x.ts", "src/../../x.ts", ".git/config"] {
            let mut w = World::new();
            w.session
                .ctx
                .review
                .as_mut()
                .unwrap()
                .files
                .push(ReviewedFile {
                    path: bad.into(),
                    status: "added".into(),
                    old_path: None,
                    blob: None,
                    insertions: 0,
                    deletions: 0,
                });
            let e = w.commit(&Scripted::defaults()).err().expect(bad);
            assert_eq!(exit_of(&e), Exit::Gate, "{bad}");
            assert!(e.to_string().contains(bad), "{bad}: {e}");
        }
        // A rename is in scope only with both sides inside.
        let mut w = World::new();
        w.session.ctx.review.as_mut().unwrap().files[0].old_path = Some("README.md".into());
        let e = w.commit(&Scripted::defaults()).err().expect("rename");
        assert!(e.to_string().contains("README.md → src/a.ts"), "{e}");
    }

    #[test]
    fn a_held_index_lock_fails_and_stays() {
        let mut w = World::new();
        let lock = w.ws.repo.path().join("index.lock");
        std::fs::write(&lock, "theirs").unwrap();
        let e = w.commit(&Scripted::defaults()).err().expect("locked");
        assert_eq!(exit_of(&e), Exit::Failure);
        assert!(e.to_string().contains("index.lock"), "{e}");
        assert_eq!(std::fs::read_to_string(&lock).unwrap(), "theirs");
        assert!(w.session.ctx.ledger.commit.is_none());
    }

    #[test]
    fn a_lock_of_a_killed_berry_is_finished_or_dropped() {
        let w = World::new();
        let git_dir = w.ws.repo.path().to_path_buf();
        let head = crate::git::head_commit(&w.ws.repo).unwrap().unwrap().id();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let plant = |commit: Option<Oid>| {
            std::fs::write(git_dir.join("index.lock"), "NEW INDEX").unwrap();
            let m = std::fs::metadata(git_dir.join("index.lock")).unwrap();
            let mut t = format!("pid {dead}\nstamp {}\n", stamp(&m));
            if let Some(c) = commit {
                t.push_str(&format!("commit {c}\n"));
            }
            std::fs::write(git_dir.join(LOCK_OWNER), t).unwrap();
        };
        // Killed before the branch moved: the lock goes, the index stays.
        let before = std::fs::read(git_dir.join("index")).unwrap();
        plant(Some(
            Oid::hash_object(git2::ObjectType::Blob, b"elsewhere").unwrap(),
        ));
        assert!(
            recover_index_lock(&w.ws.repo)
                .unwrap()
                .unwrap()
                .contains("before its commit")
        );
        assert!(!git_dir.join("index.lock").exists());
        assert_eq!(std::fs::read(git_dir.join("index")).unwrap(), before);
        // Killed after: the lock becomes the index.
        plant(Some(head));
        assert!(
            recover_index_lock(&w.ws.repo)
                .unwrap()
                .unwrap()
                .contains("after its commit")
        );
        assert_eq!(std::fs::read(git_dir.join("index")).unwrap(), b"NEW INDEX");
        assert!(!git_dir.join(LOCK_OWNER).exists());
        // A lock berry did not make (another inode) is left alone.
        plant(Some(head));
        std::fs::remove_file(git_dir.join("index.lock")).unwrap();
        std::fs::write(git_dir.join("index.lock"), "git's own").unwrap();
        assert!(recover_index_lock(&w.ws.repo).unwrap().is_none());
        assert_eq!(
            std::fs::read_to_string(git_dir.join("index.lock")).unwrap(),
            "git's own"
        );
    }

    #[test]
    fn many_files_are_committed_from_one_pack_exactly_as_reviewed() {
        let n = crate::objpack::PACK_AT_LEAST + 20;
        let mut w = World::with_many(n, |_| {});
        let Done::Committed { oid, stat, .. } = w.commit(&Scripted::defaults()).unwrap() else {
            panic!("not committed")
        };
        assert_eq!(stat.files_changed, n + 1);
        let repo = &w.ws.repo;
        let tree = repo.find_commit(oid).unwrap().tree().unwrap();
        for f in &w.session.ctx.review.as_ref().unwrap().files {
            let e = tree.get_path(Path::new(&f.path)).unwrap();
            assert_eq!(Some(e.id().to_string()), f.blob, "{}", f.path);
            let on_disk = std::fs::read(w.ws.root.join(&f.path)).unwrap();
            assert_eq!(repo.find_blob(e.id()).unwrap().content(), &on_disk[..]);
        }
        // The blobs and the new trees are in packs, not loose.
        let blob = tree
            .get_path(Path::new("src/many/f007.ts"))
            .unwrap()
            .id()
            .to_string();
        let objects = repo.path().join("objects");
        assert!(!objects.join(&blob[..2]).join(&blob[2..]).exists());
        let packs = std::fs::read_dir(objects.join("pack"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".pack"))
            .count();
        assert!(packs >= 1);
        // The tree is the one libgit2 makes of the index the commit left.
        let mut idx = Index::open(&repo.path().join("index")).unwrap();
        assert_eq!(idx.write_tree_to(repo).unwrap(), tree.id());
    }

    #[test]
    fn with_many_files_one_changed_after_review_still_closes_the_gate() {
        let mut w = World::with_many(crate::objpack::PACK_AT_LEAST + 20, |root| {
            std::fs::write(
                root.join("src/many/f042.ts"),
                "export const f42 = 'later';\n",
            )
            .unwrap();
        });
        let head = crate::git::head_commit(&w.ws.repo).unwrap().unwrap().id();
        let e = w.commit(&Scripted::defaults()).err().expect("refused");
        assert_eq!(exit_of(&e), Exit::Gate);
        assert_eq!(crate::error::classify(&e).reasons, ["src/many/f042.ts"]);
        assert!(w.session.ctx.ledger.commit.is_none());
        assert_eq!(
            crate::git::head_commit(&w.ws.repo).unwrap().unwrap().id(),
            head
        );
    }

    #[test]
    fn with_many_files_a_secret_in_one_closes_the_gate() {
        let secret = "export const t = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';\n";
        let mut w = World::with_many(crate::objpack::PACK_AT_LEAST + 20, |_| {});
        // Reviewed with the secret (a tampered review record): the guards at commit still run.
        std::fs::write(w.ws.root.join("src/many/f099.ts"), secret).unwrap();
        let review = w.session.ctx.review.as_mut().unwrap();
        let f = review
            .files
            .iter_mut()
            .find(|f| f.path == "src/many/f099.ts")
            .unwrap();
        f.blob = Some(
            Oid::hash_object(git2::ObjectType::Blob, secret.as_bytes())
                .unwrap()
                .to_string(),
        );
        let e = w.commit(&Scripted::defaults()).err().expect("refused");
        assert_eq!(exit_of(&e), Exit::Gate);
        let reasons = crate::error::classify(&e).reasons;
        assert_eq!(reasons.len(), 1, "{reasons:?}");
        assert!(
            reasons[0].starts_with("secrets src/many/f099.ts:1"),
            "{reasons:?}"
        );
        assert!(w.session.ctx.ledger.commit.is_none());
    }

    #[test]
    fn git_date_forms() {
        assert_eq!(parse_git_date("@1767614400 +0000"), Some((1767614400, 0)));
        assert_eq!(parse_git_date("1767614400 -0130"), Some((1767614400, -90)));
        assert_eq!(
            parse_git_date("2026-01-05T12:00:00Z"),
            Some((1767614400, 0))
        );
        assert_eq!(
            parse_git_date("2026-01-05 14:00:00 +02:00"),
            Some((1767614400, 120))
        );
        assert_eq!(
            parse_git_date("Mon, 05 Jan 2026 12:00:00 +0000"),
            Some((1767614400, 0))
        );
        assert_eq!(parse_git_date("yesterday-ish"), None);
        let i = Ident {
            name: "a".into(),
            email: "b".into(),
            seconds: 1767614400,
            offset_minutes: -90,
        };
        assert_eq!(i.git_date(), "@1767614400 -0130");
    }
}
