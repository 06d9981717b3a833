//! The review step's work: sort every change in the repository into the two lists (within
//! `stage.paths`, outside it), diff what is in scope, run the guards, and let the operator narrow
//! the set to commit. Never prints: the command renders the [`Survey`] and the [`Outcome`].
//!
//! Invariants enforced here:
//! - every change `git::change_set` reports is in exactly one of the two lists: files, symlinks,
//!   type changes, moved submodule pointers and nested repositories alike; a change berry cannot
//!   commit (a name that is not UTF-8, an unsafe path) is outside scope, with its reason;
//! - a rename is in scope only when both its paths are (`Scope::admits`); otherwise it is listed
//!   as the deletion of its old path and the addition of its new one, each on the side its path
//!   belongs to;
//! - only what can be committed as reviewed is offered: a nested repository (a directory git
//!   reports as one entry) is listed, never recorded;
//! - a blocking guard finding that no `--allow` covers records nothing;
//! - the questions (which files to keep) only narrow the set: unanswered, every file in scope
//!   stays, and nothing outside scope can be chosen.

use std::collections::BTreeSet;

use anyhow::Result;
use git2::Repository;

use crate::config::Config;
use crate::context::{GuardException, ReviewRecord, ReviewedFile};
use crate::decide::Decide;
use crate::diffview::{self, FileDiff};
use crate::error::BerryError;
use crate::git::{self, Change, ChangeKind, Entry, Uncommittable};
use crate::guards::{self, Allow, Finding, Severity};
use crate::scope::Scope;

/// What the operator asked for, as plain values.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Guard exceptions (`--allow GUARD:PATH`).
    pub allow: Vec<Allow>,
    /// Why they are granted (`--reason`).
    pub reason: Option<String>,
    /// The secret rules (the repository's, as committed); `None`: the built-in ones.
    pub rules: Option<std::sync::Arc<crate::secrets::RuleSet>>,
    /// (agent, text) of the deliverable text that goes into the commit message: a secret in it
    /// closes the gate like one in a file.
    pub deliverable_texts: Vec<(String, String)>,
    /// The commit message as it would be rendered (without exceptions' trailers), scanned too.
    pub commit_message: Option<String>,
    /// (agent, deliverable) of every row, to name the agent a secret in the message came from.
    pub deliverables: Vec<(String, serde_json::Value)>,
}

impl Options {
    /// The options for `ws`'s change set against the REQ's deliverables (`rows`): the
    /// exceptions granted, the secret rules in force, and the texts that leave with the commit —
    /// each deliverable's message text and the commit message as `berry commit` would render it
    /// (without the exceptions' trailers; none when it cannot be rendered: commit says why).
    pub fn new(
        ws: &crate::workspace::Workspace,
        ctx: &crate::context::ReqContext,
        rows: &[crate::deliverables::Row],
        allow: Vec<Allow>,
        reason: Option<String>,
        rules: std::sync::Arc<crate::secrets::RuleSet>,
    ) -> Options {
        let texts = |r: &crate::deliverables::Row| {
            let texts = guards::message_texts(&r.deliverable).into_iter();
            texts.map(|t| (r.agent.clone(), t)).collect::<Vec<_>>()
        };
        let commit_message = ctx.evidence.as_ref().and_then(|evidence| {
            let (template, origin) = crate::message::template(&ws.root).ok()?;
            let origin = origin.map_or_else(
                || "templates/commit.txt (built in)".into(),
                |o| o.display().to_string(),
            );
            let title = ctx.title.as_deref();
            let input = crate::message::input(&ws.config, &ctx.req, title, rows, evidence, &[]);
            crate::message::render(&template, &origin, &input).ok()
        });
        Options {
            allow,
            reason,
            rules: Some(rules),
            deliverable_texts: rows.iter().flat_map(texts).collect(),
            commit_message,
            deliverables: rows
                .iter()
                .map(|r| (r.agent.clone(), r.deliverable.clone()))
                .collect(),
        }
    }
}

/// One change in scope with its +/- counts. Its content is not kept: the survey reads, diffs and
/// guards each file once and lets it go, so memory does not grow with the change set; a preview
/// reads the content again ([`contents`]).
#[derive(Debug, Clone)]
pub struct Reviewed {
    pub change: Change,
    /// The counts (the added lines are dropped once guarded).
    pub diff: FileDiff,
}

impl Reviewed {
    /// A nested repository (not a submodule): shown, never recorded nor committed.
    pub fn committable(&self) -> bool {
        self.change.entry != Entry::Directory
    }
}

/// The change set sorted into the two lists, with the guards' findings.
#[derive(Debug, Clone)]
pub struct Survey {
    pub in_scope: Vec<Reviewed>,
    pub outside: Vec<Change>,
    /// Changes berry cannot commit (a name that is not UTF-8, an unsafe path): outside scope.
    pub uncommittable: Vec<Uncommittable>,
    pub findings: Vec<Finding>,
    /// Blocking findings covered by an `--allow`.
    pub allowed: Vec<Finding>,
    /// Blocking findings nothing covers: the gate is closed.
    pub blocking: Vec<Finding>,
    /// `--allow` exceptions that match no finding.
    pub unused_allows: Vec<Allow>,
    /// The branch HEAD is on, recorded so that commit can name a branch switched since.
    pub branch: Option<String>,
}

impl Survey {
    pub fn insertions(&self) -> usize {
        self.in_scope.iter().map(|r| r.diff.insertions).sum()
    }
    pub fn deletions(&self) -> usize {
        self.in_scope.iter().map(|r| r.diff.deletions).sum()
    }
}

/// How the review ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The guards found something no exception covers; nothing is recorded.
    Blocked { message: String },
    /// The operator kept no file.
    Declined,
    /// The approved set, to record.
    Reviewed(ReviewRecord),
}

impl Survey {
    /// The changes berry cannot commit, for `--json`: each name quoted as git quotes it (JSON
    /// cannot carry bytes that are not UTF-8), with its status and why.
    pub fn uncommittable_json(&self) -> serde_json::Value {
        let one = |u: &Uncommittable| serde_json::json!({"path": u.quoted(), "status": u.kind.as_str(), "reason": u.why});
        self.uncommittable.iter().map(one).collect()
    }
}

/// How far [`survey`] is, for a progress display: listing the change set, then each file in
/// scope read, diffed and guarded (`done` of `total`; reported from the worker threads, in any
/// order, `done` counting up to `total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Listing,
    Reviewed { done: usize, total: usize },
}

/// The change set sorted into the two lists, before any file in scope is read.
#[derive(Debug, Clone, Default)]
pub struct Listed {
    /// Within `stage.paths`, in path order: what [`examine`] reads, diffs and guards.
    pub inside: Vec<Change>,
    pub outside: Vec<Change>,
    pub uncommittable: Vec<Uncommittable>,
}

/// Each file in scope as soon as it is reviewed, with both sides' content (as [`contents`] reads
/// them), called from the worker threads in any order with the file's place in
/// [`Listed::inside`]. `false` stops the review: no further file is read and [`examine`] ends
/// with an interruption.
pub type Each<'a> = dyn Fn(usize, &Reviewed, &[u8], &[u8]) -> bool + Sync + 'a;

/// Sorts the working tree's changes into the two lists, diffs those in scope and runs the guards.
pub fn survey(
    repo: &Repository,
    config: &Config,
    opts: &Options,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Survey> {
    progress(Progress::Listing);
    let listed = list(repo, config)?;
    examine(repo, config, opts, listed, progress, None)
}

/// The change set, sorted into the two lists (nothing is read yet).
pub fn list(repo: &Repository, config: &Config) -> Result<Listed> {
    let scope = Scope::new(&config.stage.paths)?;
    // Each file in scope is read and hashed by the workers: the listing hashes none.
    let (changes, uncommittable) = git::change_set_unhashed(repo)?;
    let (inside, outside) = sort(&scope, changes);
    Ok(Listed {
        inside,
        outside,
        uncommittable,
    })
}

/// Reads, diffs and guards every file of `listed` in scope (handing each to `each` as it is
/// done), then the texts that leave with the commit, and settles which findings block.
pub fn examine(
    repo: &Repository,
    config: &Config,
    opts: &Options,
    listed: Listed,
    progress: &(dyn Fn(Progress) + Sync),
    each: Option<&Each>,
) -> Result<Survey> {
    let Listed {
        inside,
        outside,
        uncommittable,
    } = listed;
    let rules = opts
        .rules
        .clone()
        .unwrap_or_else(crate::secrets::RuleSet::builtin);
    let (in_scope, mut findings) = diff_and_guard(repo, config, &rules, inside, progress, each)?;
    findings.extend(guards::scan_commit_text(
        &rules,
        &opts.deliverable_texts,
        opts.commit_message.as_deref(),
        &opts.deliverables,
    ));
    let covered = |f: &Finding| opts.allow.iter().any(|a| a.covers(f));
    let allowed = findings
        .iter()
        .filter(|f| f.severity == Severity::Block && covered(f))
        .cloned()
        .collect();
    let blocking = findings
        .iter()
        .filter(|f| f.severity == Severity::Block && !covered(f))
        .cloned()
        .collect();
    let unused_allows = opts
        .allow
        .iter()
        .filter(|a| !findings.iter().any(|f| a.covers(f)))
        .cloned()
        .collect();
    Ok(Survey {
        in_scope,
        outside,
        uncommittable,
        findings,
        allowed,
        blocking,
        unused_allows,
        branch: git::branch_name(repo),
    })
}

/// Every change lands in exactly one list; a rename whose sides are not both in scope is split.
pub fn sort(scope: &Scope, changes: Vec<Change>) -> (Vec<Change>, Vec<Change>) {
    let mut inside = Vec::new();
    let mut outside = Vec::new();
    for c in changes {
        if c.old_path.is_some() && !scope.admits(&c.path, c.old_path.as_deref()) {
            let (deletion, addition) = c.split_rename();
            for half in [deletion, addition] {
                if scope.contains(&half.path) {
                    inside.push(half);
                } else {
                    outside.push(half);
                }
            }
        } else if scope.admits(&c.path, c.old_path.as_deref()) {
            inside.push(c);
        } else {
            outside.push(c);
        }
    }
    inside.sort_by(|a, b| a.path.cmp(&b.path));
    outside.sort_by(|a, b| a.path.cmp(&b.path));
    (inside, outside)
}

/// Both sides' content as the diff shows it: a submodule pointer as git prints it.
pub fn contents(repo: &Repository, c: &Change) -> Result<(Vec<u8>, Vec<u8>)> {
    read(repo, c).map(|(old, new, _)| (old, new))
}

/// [`contents`], with the blob id of the new side's bytes as they were read (for a file or a
/// symlink that is there).
fn read(repo: &Repository, c: &Change) -> Result<(Vec<u8>, Vec<u8>, Option<git2::Oid>)> {
    let pointer = git::gitlink_text;
    match c.entry {
        Entry::Gitlink => Ok((pointer(c.old_blob), pointer(c.blob), None)),
        Entry::Directory => Ok((git::blob_bytes(repo, c.old_blob)?, Vec::new(), None)),
        Entry::File | Entry::Symlink => {
            let old = match repo.find_blob(c.old_blob.unwrap_or(git2::Oid::ZERO_SHA1)) {
                Ok(b) => b.content().to_vec(),
                // A typechange from a submodule: no blob on the old side.
                Err(_) => pointer(c.old_blob),
            };
            Ok(match git::worktree_content(repo, c)? {
                Some((id, new)) => (old, new, Some(id)),
                None => (old, Vec::new(), None),
            })
        }
    }
}

/// Reads, diffs and guards every change in scope, in parallel (one repository handle per
/// worker; libgit2 handles are not shared across threads), keeping the given order. Each file's
/// content and added lines are dropped as soon as it is guarded.
fn diff_and_guard(
    repo: &Repository,
    config: &Config,
    rules: &crate::secrets::RuleSet,
    inside: Vec<Change>,
    progress: &(dyn Fn(Progress) + Sync),
    each: Option<&Each>,
) -> Result<(Vec<Reviewed>, Vec<Finding>)> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(inside.len().max(1));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    // Set when `each` says stop: the other workers take no further file.
    let stopped = std::sync::atomic::AtomicBool::new(false);
    let total = inside.len();
    progress(Progress::Reviewed { done: 0, total });
    type Slot = Mutex<Option<(Reviewed, Vec<Finding>)>>;
    let slots: Vec<Slot> = inside.iter().map(|_| Mutex::new(None)).collect();
    let git_dir = repo.path().to_path_buf();
    let work = |repo: &Repository| -> Result<()> {
        loop {
            if stopped.load(Ordering::Relaxed) {
                return Err(stopped_early());
            }
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(change) = inside.get(i) else {
                return Ok(());
            };
            let (old, new, read) = read(repo, change)?;
            // What is recorded is what the guards saw: a file rewritten since the change set
            // was listed is recorded with the blob of the bytes read here, never the earlier
            // one.
            let mut change = change.clone();
            if let Some(id) = read {
                change.blob = Some(id);
                change.size = new.len() as u64;
            }
            let mut diff = diffview::compute(&old, &new);
            let findings = guard_one(&change, &diff, config, rules, &new);
            diff.added = Vec::new();
            let reviewed = Reviewed { change, diff };
            if let Some(each) = each
                && !each(i, &reviewed, &old, &new)
            {
                stopped.store(true, Ordering::Relaxed);
                return Err(stopped_early());
            }
            drop((old, new));
            *slots[i].lock().expect("no worker panics holding it") = Some((reviewed, findings));
            let done = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(Progress::Reviewed { done, total });
        }
    };
    if workers <= 1 {
        work(repo)?;
    } else {
        std::thread::scope(|s| -> Result<()> {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    s.spawn(|| -> Result<()> {
                        let repo = Repository::open(&git_dir)?;
                        work(&repo)
                    })
                })
                .collect();
            for h in handles {
                h.join()
                    .map_err(|_| anyhow::anyhow!("a review worker panicked"))??;
            }
            Ok(())
        })?;
    }
    let mut in_scope = Vec::with_capacity(slots.len());
    let mut findings = Vec::new();
    for slot in slots {
        let (r, f) = slot
            .into_inner()
            .expect("no worker panics holding it")
            .expect("every change was surveyed");
        in_scope.push(r);
        findings.extend(f);
    }
    Ok((in_scope, findings))
}

/// What [`examine`] ends with when the file sink stopped it.
fn stopped_early() -> anyhow::Error {
    BerryError::new(
        crate::error::Exit::Interrupted,
        "the review was stopped before every file was shown; nothing was recorded",
    )
    .into()
}

/// The guards on one change: its added lines and its size.
fn guard_one(
    change: &Change,
    diff: &FileDiff,
    config: &Config,
    rules: &crate::secrets::RuleSet,
    new: &[u8],
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if change.kind == ChangeKind::Deleted || change.entry == Entry::Gitlink {
        return findings;
    }
    findings.extend(guards::scan_lines(
        &change.path,
        diff.added.iter().map(|(n, l)| (*n, l.as_str())),
    ));
    // Secrets: the whole new content is scanned; only the lines the change adds count (all of
    // a new or binary file).
    let added: Option<std::collections::BTreeSet<usize>> = (!diff.binary
        && change.kind != ChangeKind::Added)
        .then(|| diff.added.iter().map(|(n, _)| *n).collect());
    findings.extend(guards::scan_secrets(
        rules,
        &change.path,
        new,
        added.as_ref(),
    ));
    findings.extend(guards::check_size(
        &change.path,
        change.size,
        config.guards.warn_file_mb,
        config.guards.block_file_mb,
    ));
    findings
}

/// What a change holds, when it is not a plain file: ` (submodule)`, ….
pub fn what(c: &Change) -> &'static str {
    match c.entry {
        Entry::Gitlink => " (submodule)",
        Entry::Directory => " (nested repository, not committed)",
        Entry::Symlink if c.kind == ChangeKind::Typechange => " (now a symlink)",
        _ => "",
    }
}

/// `R old → new`, `M path`: how a change in scope is named (names quoted when they hold control
/// characters).
pub fn title(c: &Change) -> String {
    let what = what(c);
    let path = crate::quote::path(&c.path);
    match &c.old_path {
        Some(o) => format!(
            "{} {} → {path}{what}",
            c.kind.letter(),
            crate::quote::path(o)
        ),
        None => format!("{} {path}{what}", c.kind.letter()),
    }
}

/// The multi-select's label for a change in scope (plain text).
pub fn label(r: &Reviewed) -> String {
    let counts = if r.diff.binary {
        "binary".to_string()
    } else {
        format!("+{} -{}", r.diff.insertions, r.diff.deletions)
    };
    let staged = if r.change.staged { " (staged)" } else { "" };
    format!("{}  {counts}{staged}", title(&r.change))
}

/// Ends the review: blocked by the guards, or the operator's choice among what can be committed,
/// as the record to keep. `head` is HEAD's commit id; `now` the review's time.
pub fn finish(
    req: &crate::req::ReqNumber,
    survey: &Survey,
    opts: &Options,
    decide: &dyn Decide,
    head: Option<String>,
    now: jiff::Timestamp,
) -> Result<Outcome> {
    if !survey.blocking.is_empty() {
        return Ok(Outcome::Blocked {
            message: format!(
                "the guards found {} problem(s) in the change set",
                survey.blocking.len()
            ),
        });
    }
    let offered: Vec<&Reviewed> = survey.in_scope.iter().filter(|r| r.committable()).collect();
    if offered.is_empty() {
        return Err(BerryError::failure(format!(
            "nothing changed within stage.paths for {req}"
        ))
        .with_hint(
            "check `stage.paths` in berry.toml, or that the agents' work is in this working tree",
        )
        .into());
    }
    // The labels are only ever shown to a person: without one (`--yes`, a script) they are not
    // built (20,000 of them are megabytes), and every file is kept.
    let labels: Vec<String> = match decide.interactive() {
        true => offered.iter().map(|r| label(r)).collect(),
        false => vec![String::new(); offered.len()],
    };
    let chosen: BTreeSet<usize> = decide
        .multi_select(
            "Files to commit (space: toggle, a: all, enter: accept; none kept declines)",
            &labels,
        )?
        .into_iter()
        .filter(|i| *i < offered.len())
        .collect();
    if chosen.is_empty() {
        return Ok(Outcome::Declined);
    }
    let files = offered
        .iter()
        .enumerate()
        .filter(|(i, _)| chosen.contains(i))
        .map(|(_, r)| ReviewedFile {
            path: r.change.path.clone(),
            status: r.change.kind.as_str().into(),
            old_path: r.change.old_path.clone(),
            blob: r.change.blob.map(|b| b.to_string()),
            insertions: r.diff.insertions,
            deletions: r.diff.deletions,
        })
        .collect();
    // Everything in scope that is not kept (not chosen, or not committable), in one pass: a
    // search of the offered list per file was quadratic, seconds for 20,000 files.
    let kept: std::collections::HashSet<*const Reviewed> = chosen
        .iter()
        .map(|i| offered[*i] as *const Reviewed)
        .collect();
    let deselected = survey
        .in_scope
        .iter()
        .filter(|r| !kept.contains(&(*r as *const Reviewed)))
        .map(|r| r.change.path.clone())
        .collect();
    let reason = opts.reason.clone().unwrap_or_default();
    let allowed: Vec<GuardException> = survey
        .allowed
        .iter()
        .map(|f| GuardException {
            guard: f.guard.name().into(),
            path: f.path.clone(),
            reason: reason.clone(),
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    Ok(Outcome::Reviewed(ReviewRecord {
        reviewed_at: now,
        head,
        branch: survey.branch.clone(),
        files,
        deselected,
        out_of_scope: survey.outside.iter().map(|c| c.path.clone()).collect(),
        allowed,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::{Answer, Scripted};
    use std::fs;

    fn repo_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Repository) {
        let d = tempfile::tempdir().unwrap();
        let repo = Repository::init(d.path()).unwrap();
        for (p, c) in files {
            let full = d.path().join(p);
            fs::create_dir_all(full.parent().unwrap()).unwrap();
            fs::write(full, c).unwrap();
        }
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
        (d, repo)
    }

    fn config(paths: &[&str]) -> Config {
        let mut c = Config::with_default_people();
        c.stage.paths = paths.iter().map(|p| p.to_string()).collect();
        c
    }

    fn req() -> crate::req::ReqNumber {
        crate::req::ReqNumber::parse("REQ-A-1").unwrap()
    }

    fn now() -> jiff::Timestamp {
        jiff::Timestamp::UNIX_EPOCH
    }

    fn paths(list: &[Change]) -> Vec<String> {
        list.iter().map(title).collect()
    }

    #[test]
    fn a_rename_out_of_scope_is_a_deletion_inside_and_an_addition_outside() {
        let body = "line\n".repeat(40);
        let (d, repo) = repo_with(&[("src/a.ts", &body), ("src/keep.ts", "k\n")]);
        fs::create_dir_all(d.path().join(".github/workflows")).unwrap();
        fs::rename(
            d.path().join("src/a.ts"),
            d.path().join(".github/workflows/a.ts"),
        )
        .unwrap();
        let s = survey(&repo, &config(&["src/**"]), &Options::default(), &|_| {}).unwrap();
        let inside: Vec<Change> = s.in_scope.iter().map(|r| r.change.clone()).collect();
        assert_eq!(paths(&inside), ["D src/a.ts"]);
        assert_eq!(paths(&s.outside), ["A .github/workflows/a.ts"]);

        // The review records the deletion only; the addition is outside scope.
        let Outcome::Reviewed(rec) = finish(
            &req(),
            &s,
            &Options::default(),
            &Scripted::defaults(),
            None,
            now(),
        )
        .unwrap() else {
            panic!("not reviewed")
        };
        assert_eq!(rec.files.len(), 1);
        assert_eq!(rec.files[0].status, "deleted");
        assert_eq!(rec.out_of_scope, [".github/workflows/a.ts"]);

        // Both sides inside: one rename.
        let s = survey(&repo, &config(&["**"]), &Options::default(), &|_| {}).unwrap();
        assert_eq!(s.in_scope.len(), 1);
        assert_eq!(s.in_scope[0].change.kind, ChangeKind::Renamed);
        assert!(s.outside.is_empty());
    }

    #[test]
    fn the_survey_reports_its_progress_file_by_file() {
        let files: Vec<(String, String)> = (0..40)
            .map(|i| (format!("src/f{i}.ts"), format!("{i}\n")))
            .collect();
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let (d, repo) = repo_with(&refs);
        for (path, _) in files.iter().take(25) {
            fs::write(d.path().join(path), "changed\n").unwrap();
        }
        fs::write(d.path().join("README.md"), "outside\n").unwrap();
        let seen = std::sync::Mutex::new(Vec::new());
        let s = survey(&repo, &config(&["src/**"]), &Options::default(), &|p| {
            seen.lock().unwrap().push(p)
        })
        .unwrap();
        assert_eq!(s.in_scope.len(), 25);
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen[0], Progress::Listing);
        assert_eq!(seen[1], Progress::Reviewed { done: 0, total: 25 });
        let mut done: Vec<usize> = seen[2..]
            .iter()
            .map(|p| match p {
                Progress::Reviewed { done, total: 25 } => *done,
                other => panic!("{other:?}"),
            })
            .collect();
        done.sort_unstable();
        assert_eq!(
            done,
            (1..=25).collect::<Vec<_>>(),
            "each file once, up to the total"
        );
    }

    #[test]
    fn a_file_replaced_by_a_symlink_is_listed_as_a_type_change() {
        let (d, repo) = repo_with(&[("src/a.ts", "a\n"), ("README.md", "r\n")]);
        fs::remove_file(d.path().join("src/a.ts")).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", d.path().join("src/a.ts")).unwrap();
        let s = survey(&repo, &config(&["src/**"]), &Options::default(), &|_| {}).unwrap();
        assert_eq!(s.in_scope.len(), 1);
        let c = &s.in_scope[0].change;
        assert_eq!(c.kind, ChangeKind::Typechange);
        assert_eq!(c.entry, Entry::Symlink);
        let (_, new) = contents(&repo, c).unwrap();
        assert_eq!(new, b"/etc/hostname", "the link, never its target");
    }

    /// A file rewritten between the listing of the change set and its reading is recorded with
    /// the blob of the bytes the guards read, not the blob listed earlier.
    #[test]
    fn the_recorded_blob_is_the_blob_of_the_guarded_bytes() {
        let token = "token = ghp_R8xq2LmZ7vN4tW9kP1sB6yC3dF5hJ0aE2gQu\n";
        let (d, repo) = repo_with(&[("src/a.ts", "one\n")]);
        fs::write(d.path().join("src/a.ts"), "two\n").unwrap();
        let (changes, _) = git::change_set(&repo).unwrap();
        let listed = changes[0].blob;
        fs::write(d.path().join("src/a.ts"), token).unwrap();
        let rules = crate::secrets::RuleSet::builtin();
        let (reviewed, findings) =
            diff_and_guard(&repo, &config(&["src/**"]), &rules, changes, &|_| {}, None).unwrap();
        let now = git2::Oid::hash_object(git2::ObjectType::Blob, token.as_bytes()).unwrap();
        assert_ne!(listed, Some(now));
        assert_eq!(reviewed[0].change.blob, Some(now));
        assert!(
            findings.iter().any(|f| f.guard.name() == "secrets"),
            "{findings:?}"
        );
    }

    #[test]
    fn the_operator_only_narrows_the_set() {
        let (d, repo) = repo_with(&[("src/a.ts", "a\n"), ("src/b.ts", "b\n")]);
        fs::write(d.path().join("src/a.ts"), "a2\n").unwrap();
        fs::write(d.path().join("src/b.ts"), "b2\n").unwrap();
        fs::write(d.path().join("README.md"), "r\n").unwrap();
        let s = survey(&repo, &config(&["src/**"]), &Options::default(), &|_| {}).unwrap();
        let keep_b = Scripted::answering([Answer::Keep(vec![1, 7])]);
        let Outcome::Reviewed(rec) =
            finish(&req(), &s, &Options::default(), &keep_b, None, now()).unwrap()
        else {
            panic!("not reviewed")
        };
        let files: Vec<&str> = rec.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            files,
            ["src/b.ts"],
            "an index past the list chooses nothing"
        );
        assert_eq!(rec.deselected, ["src/a.ts"]);
        assert_eq!(rec.out_of_scope, ["README.md"]);
        let none = Scripted::answering([Answer::Keep(vec![])]);
        assert!(matches!(
            finish(&req(), &s, &Options::default(), &none, None, now()).unwrap(),
            Outcome::Declined
        ));
    }

    #[test]
    fn a_blocking_finding_records_nothing_unless_allowed() {
        let (d, repo) = repo_with(&[("src/a.ts", "a\n")]);
        fs::write(
            d.path().join("src/a.ts"),
            "<<<<<<< HEAD\na\n=======\nb\n>>>>>>> x\n",
        )
        .unwrap();
        let s = survey(&repo, &config(&["src/**"]), &Options::default(), &|_| {}).unwrap();
        assert!(!s.blocking.is_empty());
        let d2 = Scripted::defaults();
        assert!(matches!(
            finish(&req(), &s, &Options::default(), &d2, None, now()).unwrap(),
            Outcome::Blocked { .. }
        ));
        assert!(
            d2.asked().is_empty(),
            "nothing is asked once the gate is closed"
        );
        let opts = Options {
            allow: vec![Allow::parse("conflict-markers:src/a.ts").unwrap()],
            reason: Some("fixture".into()),
            ..Options::default()
        };
        let s = survey(&repo, &config(&["src/**"]), &opts, &|_| {}).unwrap();
        assert!(s.blocking.is_empty());
        let Outcome::Reviewed(rec) = finish(&req(), &s, &opts, &d2, None, now()).unwrap() else {
            panic!("not reviewed")
        };
        assert_eq!(rec.allowed[0].reason, "fixture");
    }

    #[test]
    fn each_file_is_handed_over_with_the_bytes_reviewed_and_false_stops_the_review() {
        let files: Vec<(String, String)> = (0..40)
            .map(|i| (format!("src/f{i:02}.ts"), format!("v{i}\n")))
            .collect();
        let refs: Vec<(&str, &str)> = files.iter().map(|(p, _)| (p.as_str(), "old\n")).collect();
        let (d, repo) = repo_with(&refs);
        for (p, c) in &files {
            fs::write(d.path().join(p), c).unwrap();
        }
        let cfg = config(&["src/**"]);
        let seen = std::sync::Mutex::new(Vec::new());
        let each = |i: usize, r: &Reviewed, old: &[u8], new: &[u8]| {
            assert_eq!(old, b"old\n");
            assert_eq!(new, format!("v{i}\n").as_bytes(), "{}", r.change.path);
            seen.lock().unwrap().push(r.change.path.clone());
            true
        };
        let listed = list(&repo, &cfg).unwrap();
        let s = examine(
            &repo,
            &cfg,
            &Options::default(),
            listed,
            &|_| {},
            Some(&each),
        )
        .unwrap();
        assert_eq!(s.in_scope.len(), 40);
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        let paths: Vec<String> = s.in_scope.iter().map(|r| r.change.path.clone()).collect();
        assert_eq!(seen, paths, "every file once");

        let calls = std::sync::atomic::AtomicUsize::new(0);
        let stop = |_: usize, _: &Reviewed, _: &[u8], _: &[u8]| {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            false
        };
        let listed = list(&repo, &cfg).unwrap();
        let e = examine(
            &repo,
            &cfg,
            &Options::default(),
            listed,
            &|_| {},
            Some(&stop),
        )
        .unwrap_err();
        let exit = crate::error::classify(&e).exit;
        assert_eq!(exit, crate::error::Exit::Interrupted, "{e:#}");
        let calls = calls.into_inner();
        assert!(
            (1..40).contains(&calls),
            "the review went on after the stop: {calls} calls"
        );
    }

    #[test]
    fn nothing_in_scope_is_a_failure() {
        let (d, repo) = repo_with(&[("src/a.ts", "a\n")]);
        fs::write(d.path().join("README.md"), "r\n").unwrap();
        let s = survey(&repo, &config(&["src/**"]), &Options::default(), &|_| {}).unwrap();
        let e = finish(
            &req(),
            &s,
            &Options::default(),
            &Scripted::defaults(),
            None,
            now(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("nothing changed within stage.paths"));
    }
}
