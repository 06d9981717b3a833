//! `berry rollback`'s git work: the revert of the shipped commit, made on top of the remote
//! branch's current head, in memory first.
//!
//! The rules (README "Rolling back"):
//!
//! - only what berry recorded is undone: the shipped commit (the pushed SHA), nothing else;
//! - the revert's parent is the remote branch's head as fetched now, so it can be pushed as a
//!   fast-forward whatever landed since;
//! - a conflict stops before anything changes: the branch, HEAD, the index and the working tree
//!   stay byte-identical, and the conflicting files are named;
//! - the local branch moves to the revert only when that is a fast-forward, through a safe
//!   checkout (local changes to other files stay; a local change in the way stops it).
//!
//! [`step()`] is `berry rollback`'s work on top of these (the rules it keeps: [`mod@step`]).
//!
//! Nothing here prints.

use anyhow::{Context as _, Result};
use git2::{Oid, Repository};

use crate::commit as work;

pub mod step;
pub use step::{Done, Options, Shown, View, step};

/// The files a revert conflicts in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub files: Vec<String>,
}

/// The revert commit's message.
pub fn message(req: &str, shipped: &git2::Commit<'_>, reason: &str) -> String {
    let subject = shipped
        .summary()
        .ok()
        .flatten()
        .unwrap_or("the shipped commit");
    format!(
        "Revert \"{subject}\"\n\nThis reverts commit {}.\n\nReason: {}\n\nBerry-Req: {req}\nBerry-Rollback: {}\n",
        shipped.id(),
        reason.replace(['\r', '\n'], " "),
        shipped.id()
    )
}

/// Writes the commit that reverts `shipped` on top of `onto` (no ref moves). `Err(Conflict)` when
/// the revert does not apply cleanly: nothing was changed.
pub fn revert_onto(
    repo: &Repository,
    root: &std::path::Path,
    req: &str,
    shipped: Oid,
    onto: Oid,
    reason: &str,
) -> Result<std::result::Result<Oid, Conflict>> {
    let shipped = repo
        .find_commit(shipped)
        .context("the shipped commit is not in this repository")?;
    let onto = repo
        .find_commit(onto)
        .context("the remote head is not in this repository")?;
    let mainline = if shipped.parent_count() > 1 { 1 } else { 0 };
    let mut index = repo
        .revert_commit(&shipped, &onto, mainline, None)
        .context("cannot compute the revert")?;
    if index.has_conflicts() {
        return Ok(Err(Conflict {
            files: crate::git::conflicted_paths(&index)?,
        }));
    }
    let tree_id = index
        .write_tree_to(repo)
        .context("cannot write the revert's tree")?;
    let tree = repo.find_tree(tree_id)?;
    let msg = message(req, &shipped, reason);
    let oid = work::write_commit_now(repo, root, &msg, &tree, &[&onto], "revert commit")?;
    Ok(Ok(oid))
}

/// Moves the local `branch` to `to` when that is a fast-forward (its tip is `to` or an ancestor
/// of it), updating the index and working tree by a safe checkout when it is checked out.
/// Returns why not, when it cannot.
pub fn fast_forward(repo: &Repository, branch: &str, to: Oid) -> Result<Option<String>> {
    let refname = format!("refs/heads/{branch}");
    let tip = repo
        .refname_to_id(&refname)
        .with_context(|| format!("the branch {branch} does not exist"))?;
    // Already there, or past it (the tracker commit of a run that was stopped after the push).
    if tip == to || repo.graph_descendant_of(tip, to).unwrap_or(false) {
        return Ok(None);
    }
    if !repo.graph_descendant_of(to, tip).unwrap_or(false) {
        return Ok(Some(format!(
            "{branch} has commits the remote head does not ({}): it cannot be moved to the revert",
            &tip.to_string()[..12]
        )));
    }
    let checked_out = repo
        .head()
        .ok()
        .and_then(|h| h.name().ok().map(str::to_string))
        .is_some_and(|n| n == refname);
    if checked_out {
        if let Some(what) = crate::git::in_progress(repo) {
            return Ok(Some(format!("the repository is in the middle of {what}")));
        }
        let tree = repo.find_commit(to)?.tree()?;
        let mut co = git2::build::CheckoutBuilder::new();
        co.safe();
        if let Err(e) = repo.checkout_tree(tree.as_object(), Some(&mut co)) {
            return Ok(Some(format!(
                "local changes are in the way of the revert ({})",
                e.message()
            )));
        }
    }
    repo.reference_matching(&refname, to, true, tip, "berry: rollback")
        .with_context(|| format!("{branch} moved while berry was rolling back"))?;
    Ok(None)
}
