//! The tracker edit reaches the repository: after `complete`, `block` or `rollback` wrote the
//! tracker, the tracker file alone is committed (`chore(<REQ>): <STATUS>`, `[skip ci]`, the
//! `Berry-Req` and `Berry-Tracker` trailers) and pushed.
//!
//! The rules (README "The tracker"):
//!
//! - `tracker.commit = true` commits, `false` leaves the edit uncommitted (and says so); unset, it
//!   commits when the tracker file is tracked by git (in HEAD's tree or the index);
//! - only the tracker file's bytes are committed, as git stores them: the commit's tree is HEAD's
//!   tree with that one blob changed, whatever else the index or the working tree hold; the index
//!   keeps everything else staged as it was;
//! - the commit is made under `.git/index.lock` with the branch moved by compare-and-swap, as
//!   `berry commit` makes its commit ([`crate::commit::IndexLock`]); the repository's hooks do not
//!   run for it (it is berry's bookkeeping, like `git commit --no-verify`); `commit.gpgsign` is
//!   honoured;
//! - it is recorded in the REQ context (`ledger.tracker_commits`) right after it is made, and a
//!   rerun finds it there — or on HEAD by its subject and trailers, after a kill before the
//!   record — so it is made once; a recorded commit not yet pushed is pushed by the rerun;
//! - it is made only when it can go out alone: HEAD is the remote branch's tip. A branch without
//!   a remote, or with commits its remote lacks — work still in the gate, such as
//!   a REQ blocked before its push — keeps the edit uncommitted, and that is said; the next
//!   `complete`, `block` or `rollback` commits it;
//! - it is pushed only when that adds exactly this commit to the remote branch (the remote tip
//!   is its parent): a protected branch, a remote that moved meanwhile or a branch without a
//!   remote keeps the commit local, and that is said and recorded;
//! - when the remote branch moved on from HEAD (HEAD is its ancestor: others shipped since, as
//!   listeners on several machines do), the commit is made on the remote's tip instead: berry's
//!   edit (HEAD's tracker → the working tree's) merged three-way into the tip's tracker, the
//!   tip's tree otherwise, pushed at once, and made again on the newer tip when another push won
//!   (five tries). It still adds exactly the tracker file to the remote. The branch, index and
//!   working tree here stay as they were; a conflict in the lines berry edits leaves the edit
//!   uncommitted, and that is said;
//! - a commit made on HEAD (the remote's tip then) whose push another push beat is undone here —
//!   the branch moved back to its parent by compare-and-swap under `index.lock`, the tracker's
//!   index entry with it — and made on the remote's new tip as above.
//!
//! [`finish`] is the protocol a step runs after its tracker edit: the setting, the commit, the
//! push, each shown as it is done. Nothing here prints: the command renders what [`finish`]
//! shows and returns.

use anyhow::{Context as _, Result};
use git2::{Oid, Repository};

use crate::commit::{self as work, Current, IndexLock};
use crate::config::Config;
use crate::context::{ReqContext, TrackerCommit};
use crate::error::BerryError;
use crate::push::{CredentialSources, PushSpec, Rejection, Transfer};
use crate::workflow::ReqState;

/// Whether the tracker edit is committed here, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    /// Commit the file at this path (relative to the root).
    Commit(String),
    /// Leave the edit uncommitted, for this reason (for the message).
    Off(String),
}

/// What `tracker.commit` says for this repository.
pub fn setting(repo: &Repository, root: &std::path::Path, config: &Config) -> Result<Setting> {
    let shown = &config.tracker.path;
    if config.tracker.commit == Some(false) {
        return Ok(Setting::Off("`tracker.commit = false`".into()));
    }
    // The file as committed: a symlinked tracker is committed where it lives, when that is
    // inside this repository.
    let path = root.join(shown);
    let rel = match std::fs::canonicalize(&path) {
        Ok(real) => {
            let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
            match real.strip_prefix(&root) {
                Ok(r) => r.to_string_lossy().into_owned(),
                Err(_) => {
                    return Ok(Setting::Off(format!(
                        "the tracker {shown} lives outside the repository"
                    )));
                }
            }
        }
        Err(_) => shown.clone(),
    };
    if crate::scope::safe_relative(&rel).is_err() {
        return Ok(Setting::Off(format!(
            "the tracker path {shown} is not a plain path inside the repository"
        )));
    }
    if config.tracker.commit == Some(true) {
        return Ok(Setting::Commit(rel));
    }
    let in_head = crate::git::head_commit(repo)?
        .map(|c| {
            c.tree()
                .map(|t| t.get_path(std::path::Path::new(&rel)).is_ok())
        })
        .transpose()?
        .unwrap_or(false);
    let in_index = repo
        .index()
        .ok()
        .is_some_and(|i| i.get_path(std::path::Path::new(&rel), 0).is_some());
    if in_head || in_index {
        Ok(Setting::Commit(rel))
    } else {
        Ok(Setting::Off(format!(
            "the tracker {shown} is not tracked by git (set `tracker.commit = true` to commit it)"
        )))
    }
}

/// The subject of the tracker commit for `status`.
pub fn subject(req: &str, status: ReqState) -> String {
    format!("chore({req}): {status}")
}

/// The whole message.
pub fn message(req: &str, status: ReqState) -> String {
    format!(
        "{}\n\n[skip ci]\n\nBerry-Req: {req}\nBerry-Tracker: {status}\n",
        subject(req, status)
    )
}

/// How [`commit`] ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Committed {
    /// Made now, or found on HEAD after a kill before its record (`adopted`), or already
    /// recorded; in every case the record is in the ledger.
    Made {
        record: TrackerCommit,
        adopted: bool,
    },
    /// Recorded by an earlier run.
    Recorded(TrackerCommit),
    /// HEAD already holds the tracker as it is (someone committed it): nothing to commit.
    AlreadyInHead,
    /// Not committed, for this reason: the branch has commits its remote lacks, so a tracker
    /// commit could not go out alone (and would sit on top of work still in the gate).
    NotNow(String),
}

/// Where HEAD stands against its remote branch, for a tracker commit.
enum OnRemote {
    /// HEAD is the remote branch's tip: the commit goes on HEAD and out alone.
    Tip,
    /// The remote branch moved on from HEAD (others shipped since; HEAD is its ancestor): the
    /// commit is made on the remote's tip instead, fetched here as `tip`.
    Behind {
        target: crate::push::Target,
        sources: CredentialSources,
        tip: Oid,
    },
    /// Neither, for this reason: no remote, or commits here the remote lacks.
    Not(String),
}

/// Where HEAD stands against its remote branch (fetched when it is not HEAD). `config` gives
/// the credentials and the transfer deadline.
fn on_remote(repo: &Repository, config: &Config) -> Result<OnRemote> {
    let branch = work::branch(repo)?;
    let target = match crate::push::target_for(repo, &branch.name) {
        Ok(t) => t,
        Err(e) => {
            return Ok(OnRemote::Not(format!(
                "{} has no remote to push a tracker commit to ({e})",
                branch.name
            )));
        }
    };
    let raw = repo
        .find_remote(&target.remote)
        .ok()
        .and_then(|x| x.url().ok().map(str::to_string))
        .unwrap_or_default();
    let sources = CredentialSources::for_remote(&raw, config);
    let mut tip = crate::push::remote_ref(repo, &target.remote, &target.remote_ref(), &sources)?;
    if tip.is_some() && tip == branch.head {
        return Ok(OnRemote::Tip);
    }
    if let (Some(_), Some(head)) = (tip, branch.head) {
        let fetched = crate::push::fetch_branch(repo, &target, &sources)?;
        if fetched == head {
            return Ok(OnRemote::Tip);
        }
        if repo.graph_descendant_of(fetched, head)? {
            return Ok(OnRemote::Behind {
                target,
                sources,
                tip: fetched,
            });
        }
        tip = Some(fetched);
    }
    Ok(OnRemote::Not(format!(
        "{} has commits that {} on {} does not ({}), so a tracker commit would not go out alone",
        branch.name,
        target.remote_ref(),
        target.remote,
        match tip {
            Some(t) => format!("it is at {}", &t.to_string()[..12]),
            None => "it does not exist there".into(),
        }
    )))
}

/// How many times a tracker commit made on the remote's tip is made again on a newer tip when
/// another push got there first.
const ONTO_REMOTE_TRIES: usize = 5;

/// The bytes of the blob at `rel` in `commit`'s tree, with its file mode (`None`: no such file).
fn file_in(
    repo: &Repository,
    commit: &git2::Commit<'_>,
    rel: &str,
) -> Result<Option<(Vec<u8>, i32)>> {
    let tree = commit.tree()?;
    let Ok(entry) = tree.get_path(std::path::Path::new(rel)) else {
        return Ok(None);
    };
    let blob = repo.find_blob(entry.id())?;
    Ok(Some((blob.content().to_vec(), entry.filemode())))
}

/// Git's three-way merge of one file's text (`git merge-file`); `None` on a conflict.
fn merge3(rel: &str, base: &[u8], ours: &[u8], theirs: &[u8]) -> Result<Option<Vec<u8>>> {
    let (mut b, mut o, mut t) = (
        git2::MergeFileInput::new(),
        git2::MergeFileInput::new(),
        git2::MergeFileInput::new(),
    );
    b.content(base).path(rel);
    o.content(ours).path(rel);
    t.content(theirs).path(rel);
    let merged = git2::merge_file(&b, &o, &t, None).context("cannot merge the tracker")?;
    Ok(merged.is_automergeable().then(|| merged.content().to_vec()))
}

/// The tracker commit when the branch here is behind its remote (see [`OnRemote::Behind`]):
/// berry's edit — the difference between HEAD's tracker and the working tree's — merged into
/// the remote tip's tracker as `git merge-file` does (the other REQs' edits are other lines),
/// committed on that tip with the tip's tree otherwise, and pushed, so the commit still adds
/// exactly the tracker file to the remote. The branch, index and working tree here are left as
/// they are (the edit stays uncommitted here; a pull brings the commit). Made again on the new
/// tip when another push won, a few times; a conflict in the entry's lines, a protected branch or
/// a remote that keeps moving leaves the edit uncommitted, and that is said.
#[allow(clippy::too_many_arguments)]
fn onto_remote(
    repo: &Repository,
    root: &std::path::Path,
    req: &str,
    rel: &str,
    status: ReqState,
    base: &[u8],
    ours: &[u8],
    on: (crate::push::Target, CredentialSources, Oid),
    record: &dyn Fn(Oid) -> TrackerCommit,
) -> Result<Committed> {
    let (target, sources, mut tip) = on;
    let pushed_as = format!("{} {}", target.remote, target.remote_ref());
    let shown = format!("{} on {}", target.remote_ref(), target.remote);
    for _ in 0..ONTO_REMOTE_TRIES {
        let tip_commit = repo.find_commit(tip)?;
        // Killed after that push, before its record: the remote's tip is the commit.
        if is_ours(&tip_commit, req, status) {
            let mut r = record(tip);
            r.pushed = Some(pushed_as.clone());
            return Ok(Committed::Made {
                record: r,
                adopted: true,
            });
        }
        let Some((theirs, mode)) = file_in(repo, &tip_commit, rel)? else {
            return Ok(Committed::NotNow(format!(
                "{rel} is not in {shown} any more, so berry's edit has nothing to go onto"
            )));
        };
        let Some(merged) = merge3(rel, base, ours, &theirs)? else {
            return Ok(Committed::NotNow(format!(
                "{shown} moved on and its {rel} changed the same lines berry edited"
            )));
        };
        if merged == theirs {
            return Ok(Committed::NotNow(format!(
                "{shown} already holds this edit of {rel}"
            )));
        }
        let blob = repo.blob(&merged)?;
        let mut index = git2::Index::new()?;
        index.read_tree(&tip_commit.tree()?)?;
        let mut entry = index
            .get_path(std::path::Path::new(rel), 0)
            .context("the tracker is not in the remote's tree")?;
        entry.id = blob;
        entry.file_size = u32::try_from(merged.len()).unwrap_or(u32::MAX);
        entry.mode = mode as u32;
        index.add(&entry)?;
        let tree = repo.find_tree(index.write_tree_to(repo)?)?;
        let msg = message(req, status);
        let oid =
            work::write_commit_now(repo, root, &msg, &tree, &[&tip_commit], "tracker commit")?;
        let local_ref = format!(
            "refs/berry/tracker/{}",
            status.as_str().to_ascii_lowercase()
        );
        repo.reference(&local_ref, oid, true, "berry: the tracker commit to push")?;
        let spec = PushSpec {
            target: &target,
            local_ref: local_ref.clone(),
            force: false,
            sources: &sources,
        };
        let result = crate::push::push(repo, &spec, &|_, _, _| {});
        let _ = repo.find_reference(&local_ref).and_then(|mut x| x.delete());
        match result {
            Ok(()) => {}
            Err(f) if f.kind == Rejection::NonFastForward => {
                tip = crate::push::fetch_branch(repo, &target, &sources)?;
                continue;
            }
            Err(f) if matches!(f.kind, Rejection::Protected { .. }) => {
                return Ok(Committed::NotNow(format!("{shown} is protected ({f})")));
            }
            Err(f) => {
                return Err(anyhow::anyhow!("{f}")).with_context(|| {
                    format!("cannot push the tracker commit to {}", target.remote)
                });
            }
        }
        crate::fault::point("tracker-pushed");
        let mut r = record(oid);
        r.pushed = Some(pushed_as);
        return Ok(Committed::Made {
            record: r,
            adopted: false,
        });
    }
    Ok(Committed::NotNow(format!(
        "{shown} moved on {ONTO_REMOTE_TRIES} times while berry pushed the tracker commit onto it"
    )))
}

/// The tracker commit `r` that this run made on HEAD — the remote's tip then — when another
/// push moved the remote on before it went out: if the branch is still at `r` and the remote's
/// new tip descends from `r`'s parent, `r` is undone here (the branch moved back to its parent
/// by compare-and-swap under `index.lock`, the tracker's index entry with it, so the edit is a
/// working-tree change again) and the commit is made on the remote's tip by [`onto_remote`].
/// `None`: not that case, nothing changed.
fn remake_on_remote(
    repo: &Repository,
    root: &std::path::Path,
    req: &str,
    rel: &str,
    status: ReqState,
    config: &Config,
    r: &TrackerCommit,
) -> Result<Option<Committed>> {
    let Ok(sha) = Oid::from_str(&r.sha) else {
        return Ok(None);
    };
    let branch = work::branch(repo)?;
    if branch.head != Some(sha) {
        return Ok(None);
    }
    let made = repo.find_commit(sha)?;
    let Ok(parent) = made.parent(0) else {
        return Ok(None);
    };
    let Ok(target) = crate::push::target_for(repo, &branch.name) else {
        return Ok(None);
    };
    let raw = repo
        .find_remote(&target.remote)
        .ok()
        .and_then(|x| x.url().ok().map(str::to_string))
        .unwrap_or_default();
    let sources = CredentialSources::for_remote(&raw, config);
    let tip = crate::push::fetch_branch(repo, &target, &sources)?;
    if tip == parent.id() || !repo.graph_descendant_of(tip, parent.id())? {
        return Ok(None);
    }
    let base = file_in(repo, &parent, rel)?;
    let Some((ours, _)) = file_in(repo, &made, rel)? else {
        return Ok(None);
    };

    // Undo: the branch back to the parent, the tracker's index entry with it.
    let mut lock = IndexLock::take(repo.path())?;
    let real = work::CommitIndex::copy_of(repo, "tracker-undo")?;
    let mut idx = git2::Index::open(&real.path).context("cannot read the index")?;
    match parent.tree()?.get_path(std::path::Path::new(rel)) {
        Ok(e) => {
            let mut entry = idx
                .get_path(std::path::Path::new(rel), 0)
                .context("the tracker is not in the index")?;
            entry.id = e.id();
            entry.mode = e.filemode() as u32;
            entry.file_size = 0;
            entry.mtime = git2::IndexTime::new(0, 0);
            entry.ctime = git2::IndexTime::new(0, 0);
            idx.add(&entry)?;
        }
        Err(_) => idx.remove_path(std::path::Path::new(rel))?,
    }
    idx.write().context("cannot write the new index")?;
    lock.write_index(&std::fs::read(&real.path).context("cannot read the new index")?)?;
    lock.moving_branch(parent.id())?;
    repo.reference_matching(
        &branch.refname,
        parent.id(),
        true,
        sha,
        "berry: tracker commit undone, made on the remote's tip",
    )
    .map_err(|e| {
        BerryError::failure(format!(
            "{} moved while berry undid its tracker commit ({})",
            branch.name,
            e.message()
        ))
        .with_hint("run the step again")
    })?;
    lock.commit()?;

    let record = |sha: Oid| TrackerCommit {
        sha: sha.to_string(),
        pushed: None,
        not_pushed: None,
        ..r.clone()
    };
    let base = base.map(|(b, _)| b).unwrap_or_default();
    onto_remote(
        repo,
        root,
        req,
        rel,
        status,
        &base,
        &ours,
        (target, sources, tip),
        &record,
    )
    .map(Some)
}

fn is_ours(c: &git2::Commit<'_>, req: &str, status: ReqState) -> bool {
    let msg = c.message_raw().unwrap_or_default();
    if c.summary().ok().flatten() != Some(subject(req, status).as_str()) {
        return false;
    }
    let Ok(trailers) = git2::message_trailers_strs(msg) else {
        return false;
    };
    let (mut r, mut s) = (false, false);
    for (k, v) in trailers.iter() {
        r |= k == "Berry-Req" && v.trim() == req;
        s |= k == "Berry-Tracker" && v.trim() == status.as_str();
    }
    r && s
}

/// Commits the tracker file at `rel` (see the module documentation), recording it in `ctx`
/// through `save` right after the branch moved. `status` is the status berry just wrote.
pub fn commit(
    repo: &Repository,
    root: &std::path::Path,
    ctx: &mut ReqContext,
    rel: &str,
    status: ReqState,
    config: &Config,
    save: &mut dyn FnMut(&mut ReqContext) -> Result<()>,
) -> Result<Committed> {
    let req = ctx.req.to_string();
    // A berry killed between its branch move and the index rename is finished first.
    work::recover_index_lock(repo)?;
    let mut targets = work::scan(repo, root, vec![(rel.to_string(), None)], true)?;
    let target = targets.pop().context("the tracker was not scanned")?;
    let blob = match &target.current {
        Current::File(e) => e.id,
        _ => {
            return Err(BerryError::failure(format!(
                "the tracker {rel} is not a file any more: nothing to commit"
            ))
            .into());
        }
    };
    // Only berry's edit is committed: the file must say what berry wrote.
    if let Some(text) = target
        .bytes
        .as_deref()
        .and_then(|b| std::str::from_utf8(b).ok())
        && let Ok(e) = crate::tracker::entry(text, &req)
        && e.status != status.as_str()
    {
        return Err(BerryError::failure(format!(
            "the tracker {rel} says {} for {req}, not {status}: nothing was committed",
            e.status
        ))
        .with_hint("check who edited the entry, then run the step again")
        .into());
    }
    if let Some(r) = ctx
        .ledger
        .tracker_commits
        .iter()
        .find(|r| r.status == status && r.blob == blob.to_string())
    {
        return Ok(Committed::Recorded(r.clone()));
    }
    let branch = work::branch(repo)?;
    let head = branch.head.map(|h| repo.find_commit(h)).transpose()?;
    let head_blob = head
        .as_ref()
        .map(|c| c.tree())
        .transpose()?
        .and_then(|t| t.get_path(std::path::Path::new(rel)).ok())
        .map(|e| e.id());
    let record = |sha: Oid| TrackerCommit {
        status,
        sha: sha.to_string(),
        branch: branch.name.clone(),
        blob: blob.to_string(),
        at: crate::clock::now()
            .unwrap_or_else(|_| jiff::Timestamp::now())
            .round(jiff::Unit::Second)
            .unwrap_or_else(|_| jiff::Timestamp::now()),
        pushed: None,
        not_pushed: None,
    };
    if head_blob == Some(blob) {
        // Killed after the commit, before its record: HEAD is it.
        if let Some(c) = head.as_ref().filter(|c| is_ours(c, &req, status)) {
            let r = record(c.id());
            ctx.ledger.tracker_commits.push(r.clone());
            save(ctx)?;
            return Ok(Committed::Made {
                record: r,
                adopted: true,
            });
        }
        return Ok(Committed::AlreadyInHead);
    }
    match on_remote(repo, config)? {
        OnRemote::Tip => {}
        OnRemote::Not(why) => return Ok(Committed::NotNow(why)),
        OnRemote::Behind {
            target: to,
            sources,
            tip,
        } => {
            let base = match &head {
                Some(h) => file_in(repo, h, rel)?.map(|(b, _)| b).unwrap_or_default(),
                None => Vec::new(),
            };
            let ours = target.bytes.clone().unwrap_or_default();
            let done = onto_remote(
                repo,
                root,
                &req,
                rel,
                status,
                &base,
                &ours,
                (to, sources, tip),
                &record,
            )?;
            if let Committed::Made { record: r, .. } = &done {
                ctx.ledger.tracker_commits.push(r.clone());
                save(ctx)?;
            }
            return Ok(done);
        }
    }

    let mut lock = IndexLock::take(repo.path())?;
    let now = work::branch(repo)?;
    if now.refname != branch.refname || now.head != branch.head {
        return Err(BerryError::failure(format!(
            "{} moved while berry was committing the tracker; nothing was committed",
            branch.name
        ))
        .with_hint("run the step again")
        .into());
    }
    // The tree: HEAD's, with the tracker's blob.
    let cindex = work::build_commit_index(repo, false, std::slice::from_ref(&target))?;
    let mut tindex = cindex;
    let tree_id = tindex
        .index
        .write_tree_to(repo)
        .context("cannot write the tree")?;
    let tree = repo.find_tree(tree_id)?;
    // The index after the commit: as it is, with the tracker's entry set.
    let real = work::CommitIndex::copy_of(repo, "tracker")?;
    let mut idx = git2::Index::open(&real.path).context("cannot read the index")?;
    work::apply(&mut idx, std::slice::from_ref(&target))?;
    idx.write().context("cannot write the new index")?;
    lock.write_index(&std::fs::read(&real.path).context("cannot read the new index")?)?;

    let msg = message(&req, status);
    let parents: Vec<&git2::Commit<'_>> = head.iter().collect();
    let oid = work::write_commit_now(repo, root, &msg, &tree, &parents, "tracker commit")?;
    lock.moving_branch(oid)?;
    let reflog = format!("commit: {}", subject(&req, status));
    match branch.head {
        Some(old) => repo
            .reference_matching(&branch.refname, oid, true, old, &reflog)
            .map_err(|e| {
                BerryError::failure(format!(
                    "{} moved while berry was committing the tracker; nothing was committed ({})",
                    branch.name,
                    e.message()
                ))
                .with_hint("run the step again")
            })?,
        None => repo
            .reference(&branch.refname, oid, false, &reflog)
            .with_context(|| format!("cannot create {}", branch.name))?,
    };
    crate::fault::point("tracker-branch-moved");
    lock.commit()?;
    drop(tindex);
    crate::fault::point("tracker-committed");
    let r = record(oid);
    ctx.ledger.tracker_commits.push(r.clone());
    save(ctx)?;
    Ok(Committed::Made {
        record: r,
        adopted: false,
    })
}

/// How [`push`] ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Pushed {
    /// The remote branch is the tracker commit now (`already`: it was before this run).
    Done {
        remote: String,
        refname: String,
        already: bool,
    },
    /// Left local, for this reason.
    Kept(String),
}

/// Pushes the recorded tracker commit `r` (see the module documentation) and records the
/// outcome in `r`. `progress` gets the transfer's progress.
pub fn push(
    repo: &Repository,
    r: &mut TrackerCommit,
    config: &Config,
    progress: crate::push::Progress<'_>,
) -> Result<Pushed> {
    let sha = Oid::from_str(&r.sha).context("the recorded tracker commit is not a SHA")?;
    let target = match crate::push::target_for(repo, &r.branch) {
        Ok(t) => t,
        Err(e) => {
            let why = format!("{} has no remote to push it to ({e})", r.branch);
            r.not_pushed = Some(why.clone());
            return Ok(Pushed::Kept(why));
        }
    };
    let raw = repo
        .find_remote(&target.remote)
        .ok()
        .and_then(|x| x.url().ok().map(str::to_string))
        .unwrap_or_default();
    let sources = CredentialSources::for_remote(&raw, config);
    let remote_tip = crate::push::remote_ref(repo, &target.remote, &target.remote_ref(), &sources)?;
    let done = |already: bool, r: &mut TrackerCommit| {
        r.pushed = Some(format!("{} {}", target.remote, target.remote_ref()));
        r.not_pushed = None;
        Pushed::Done {
            remote: target.remote.clone(),
            refname: target.remote_ref(),
            already,
        }
    };
    if remote_tip == Some(sha) {
        return Ok(done(true, r));
    }
    let parent = repo.find_commit(sha)?.parent_id(0).ok();
    if remote_tip.is_none() || remote_tip != parent {
        let why = match remote_tip {
            None => format!(
                "{} does not exist on {}: berry pushes the tracker commit only onto the branch it shipped",
                target.remote_ref(),
                target.remote
            ),
            Some(t) => format!(
                "{} on {} is {}, not the tracker commit's parent: pushing would send other commits too",
                target.remote_ref(),
                target.remote,
                &t.to_string()[..12]
            ),
        };
        r.not_pushed = Some(why.clone());
        return Ok(Pushed::Kept(why));
    }
    // Push exactly this commit (the local branch may have moved on since).
    let local_ref = format!(
        "refs/berry/tracker/{}",
        r.status.as_str().to_ascii_lowercase()
    );
    repo.reference(&local_ref, sha, true, "berry: the tracker commit to push")?;
    let spec = PushSpec {
        target: &target,
        local_ref: local_ref.clone(),
        force: false,
        sources: &sources,
    };
    let result = crate::push::push(repo, &spec, progress);
    let _ = repo.find_reference(&local_ref).and_then(|mut x| x.delete());
    match result {
        Ok(()) => {}
        Err(f) => {
            let why = match &f.kind {
                Rejection::Protected { code } => format!(
                    "{} on {} is protected ({code})",
                    target.remote_ref(),
                    target.remote
                ),
                Rejection::NonFastForward => format!(
                    "{} on {} moved on meanwhile",
                    target.remote_ref(),
                    target.remote
                ),
                _ => {
                    return Err(anyhow::anyhow!("{f}")).with_context(|| {
                        format!(
                            "cannot push the tracker commit {} to {}; it is recorded: rerun to push it",
                            &r.sha[..12],
                            target.remote
                        )
                    });
                }
            };
            r.not_pushed = Some(why.clone());
            return Ok(Pushed::Kept(why));
        }
    }
    crate::fault::point("tracker-pushed");
    let now = crate::push::remote_ref(repo, &target.remote, &target.remote_ref(), &sources)?;
    if now != Some(sha) {
        return Err(BerryError::failure(format!(
            "after the push, {} on {} is not the tracker commit {}",
            target.remote_ref(),
            target.remote,
            &r.sha[..12]
        ))
        .with_hint("someone pushed at the same time; rerun the step to try again")
        .into());
    }
    Ok(done(false, r))
}

/// The tracker commit recorded for `status` whose push is still to be tried (none pushed and
/// none kept local for a reason).
pub fn pending(ctx: &ReqContext, status: ReqState) -> Option<usize> {
    ctx.ledger
        .tracker_commits
        .iter()
        .rposition(|r| r.status == status && r.pushed.is_none() && r.not_pushed.is_none())
}

/// What [`finish`] shows on its way, in order.
#[derive(Debug)]
pub enum Shown<'a> {
    /// The tracker commit was made now, or found on HEAD after a kill before its record
    /// (`adopted`); it is recorded.
    Committed {
        record: &'a TrackerCommit,
        adopted: bool,
        subject: &'a str,
    },
    /// HEAD already holds the tracker file at `rel` as it is now: nothing to commit.
    AlreadyInHead { rel: &'a str },
    /// The push of the recorded tracker commit, as it goes (started, objects sent, ended
    /// whatever its outcome).
    Transfer(Transfer),
    /// The tracker commit is on `refname` of `remote` (recorded).
    Pushed { remote: &'a str, refname: &'a str },
    /// The tracker commit stays local, for this reason (recorded).
    Kept(&'a str),
}

/// A step's tracker work as it shows it: the edit written, the tracker commit on its way, how
/// the commit ended (`block`, `complete` and `rollback` show it alike).
pub enum Tracked<'a> {
    /// The tracker file was written (recorded).
    Written(&'a crate::tracker::file::Plan),
    /// The tracker commit, on its way.
    Commit(Shown<'a>),
    /// How the tracker commit ended.
    Finished(&'a Finished),
}

/// The tracker edit `plan` done as a step does it: written (shown when the file changed) and
/// recorded (`commit`: the short SHA the entry names), the REQ's state set to `status` and
/// saved, then [`finished`]. Returns the tracker commit's JSON data.
pub fn apply(
    ws: &crate::workspace::Workspace,
    session: &mut crate::workspace::Session,
    plan: &crate::tracker::file::Plan,
    status: ReqState,
    commit: Option<&str>,
    show: &mut dyn FnMut(Tracked<'_>),
) -> Result<serde_json::Value> {
    if crate::tracker::file::write(session, plan)? {
        show(Tracked::Written(plan));
    }
    crate::tracker::file::record(session, plan, commit, false)?;
    session.ctx.state = Some(status);
    session.save()?;
    finished(ws, session, status, false, show)
}

/// [`finish`], shown as it goes and as it ends through [`Tracked`]; its JSON data.
pub fn finished(
    ws: &crate::workspace::Workspace,
    session: &mut crate::workspace::Session,
    status: ReqState,
    dry_run: bool,
    show: &mut dyn FnMut(Tracked<'_>),
) -> Result<serde_json::Value> {
    let done = finish(ws, session, status, dry_run, &mut |s| {
        show(Tracked::Commit(s))
    })?;
    show(Tracked::Finished(&done));
    Ok(done.data())
}

/// How [`finish`] ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Finished {
    /// The edit is left uncommitted in the working tree, for this reason (`tracker.commit` is
    /// off, or the edit could not go out alone now).
    Uncommitted(String),
    /// A dry run: the commit it would make (the file at `rel`, with this subject); nothing done.
    DryRun { rel: String, subject: String },
    /// The tracker commit is made and recorded (`committed` is false when HEAD held the tracker
    /// as it is already); `record` is the last one recorded for the status, pushed or not.
    Done {
        committed: bool,
        record: Option<TrackerCommit>,
    },
}

impl Finished {
    /// What was done, for the step's JSON data.
    pub fn data(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Finished::Uncommitted(why) => json!({"committed": false, "reason": why}),
            Finished::DryRun { subject, .. } => {
                json!({"committed": false, "dry_run": true, "subject": subject})
            }
            Finished::Done { committed, record } => {
                let mut out = json!({ "committed": committed });
                if let Some(r) = record {
                    out["sha"] = json!(r.sha);
                    out["pushed"] = json!(r.pushed);
                    out["not_pushed"] = json!(r.not_pushed);
                }
                out
            }
        }
    }
}

/// After a tracker edit to `status`: commits the tracker file alone and pushes it (see the
/// module documentation), or says why the edit is left uncommitted. Finishes a commit or a push
/// an earlier run left undone. Two berry processes finishing two REQs of one repository take
/// turns (the tracker lock of the state folder), as for the tracker edit itself. With
/// `dry_run` nothing is done.
pub fn finish(
    ws: &crate::workspace::Workspace,
    session: &mut crate::workspace::Session,
    status: ReqState,
    dry_run: bool,
    show: &mut dyn FnMut(Shown<'_>),
) -> Result<Finished> {
    let rel = match setting(&ws.repo, &ws.root, &ws.config)? {
        Setting::Off(why) => return Ok(Finished::Uncommitted(why)),
        Setting::Commit(rel) => rel,
    };
    let subject = subject(session.req.as_str(), status);
    if dry_run {
        return Ok(Finished::DryRun { rel, subject });
    }
    let store = session.store.clone();
    let lock = &session.lock;
    // A foreign git holding `index.lock` is still named by `commit`.
    let turn_path = store.dir().join("tracker.lock");
    let turn = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&turn_path)
        .with_context(|| format!("cannot open {}", turn_path.display()))?;
    turn.lock()
        .with_context(|| format!("cannot lock {}", turn_path.display()))?;
    // A tracker commit recorded by another machine (a shared REQ context) that never reached
    // the remote is not in this repository: it cannot be pushed from here, so it is forgotten
    // and made again here (once on the remote, it is found there by its trailers instead).
    let repo = &ws.repo;
    session.ctx.ledger.tracker_commits.retain(|r| {
        r.status != status
            || r.pushed.is_some()
            || Oid::from_str(&r.sha).is_ok_and(|o| repo.find_commit(o).is_ok())
    });
    let done = commit(
        &ws.repo,
        &ws.root,
        &mut session.ctx,
        &rel,
        status,
        &ws.config,
        &mut |ctx| store.save(ctx, lock),
    )?;
    match &done {
        Committed::Made { record, adopted } => show(Shown::Committed {
            record,
            adopted: *adopted,
            subject: &subject,
        }),
        Committed::Recorded(_) => {}
        Committed::AlreadyInHead => show(Shown::AlreadyInHead { rel: &rel }),
        Committed::NotNow(why) => return Ok(Finished::Uncommitted(why.clone())),
    }
    // Made on the tip of a remote that moved on: pushed as it was made.
    if let Committed::Made { record, .. } = &done
        && let Some((remote, refname)) = record.pushed.as_deref().and_then(|x| x.split_once(' '))
    {
        show(Shown::Pushed { remote, refname });
    }
    let committed = !matches!(done, Committed::AlreadyInHead);
    if let Some(i) = pending(&session.ctx, status) {
        let mut r = session.ctx.ledger.tracker_commits[i].clone();
        show(Shown::Transfer(Transfer::Started));
        let pushed = {
            // The transfer reports its progress while nothing else is shown.
            let show = std::cell::RefCell::new(&mut *show);
            let progress = |current, total, bytes| {
                (*show.borrow_mut())(Shown::Transfer(Transfer::Objects {
                    current,
                    total,
                    bytes,
                }))
            };
            push(&ws.repo, &mut r, &ws.config, &progress)
        };
        show(Shown::Transfer(Transfer::Ended));
        let pushed = pushed?;
        // Made on the remote's tip in this run and beaten to it by another push: made again on
        // the newer tip, the local commit undone (see [`remake_on_remote`]).
        if matches!(pushed, Pushed::Kept(_))
            && matches!(done, Committed::Made { adopted: false, .. })
            && let Some(again) = remake_on_remote(
                &ws.repo,
                &ws.root,
                session.req.as_str(),
                &rel,
                status,
                &ws.config,
                &r,
            )?
        {
            match again {
                Committed::Made { record: made, .. } => {
                    session.ctx.ledger.tracker_commits[i] = made.clone();
                    session.save()?;
                    if let Some((remote, refname)) =
                        made.pushed.as_deref().and_then(|x| x.split_once(' '))
                    {
                        show(Shown::Pushed { remote, refname });
                    }
                    drop(turn);
                    return Ok(Finished::Done {
                        committed: true,
                        record: Some(made),
                    });
                }
                Committed::NotNow(why) => {
                    session.ctx.ledger.tracker_commits.remove(i);
                    session.save()?;
                    drop(turn);
                    return Ok(Finished::Uncommitted(why));
                }
                Committed::Recorded(_) | Committed::AlreadyInHead => {}
            }
        }
        session.ctx.ledger.tracker_commits[i] = r;
        session.save()?;
        match &pushed {
            Pushed::Done {
                remote, refname, ..
            } => show(Shown::Pushed { remote, refname }),
            Pushed::Kept(why) => show(Shown::Kept(why)),
        }
    }
    let record = session
        .ctx
        .ledger
        .tracker_commits
        .iter()
        .rev()
        .find(|r| r.status == status)
        .cloned();
    drop(turn);
    Ok(Finished::Done { committed, record })
}

#[cfg(test)]
mod tests;
