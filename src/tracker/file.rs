//! The tracker edit as a step does it: planned on the file as it is ([`plan`], nothing written),
//! written under the tracker lock on the file as it is then ([`write`]), and recorded in the
//! ledger once ([`record`]). `complete`, `block` and `rollback` share it; the command layer
//! shows the plan. Nothing here prints.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use serde_json::{Value, json};

use super::{Edit, Edited};
use crate::context::TrackerRecord;
use crate::error::BerryError;
use crate::req::ReqNumber;
use crate::workspace::{Session, Workspace};

/// A tracker edit, computed and not yet written.
#[derive(Debug, Clone)]
pub struct Plan {
    /// As configured (relative to the repository root), for messages and the ledger.
    pub shown: String,
    /// The file written (symlinks resolved).
    pub file: PathBuf,
    pub old: String,
    pub edited: Edited,
    pub edit: Edit,
}

impl Plan {
    /// The plan for the step's JSON data.
    pub fn data(&self) -> Value {
        json!({
            "path": self.shown,
            "status": self.edit.status(),
            "old_status": self.edited.old_status,
            "line": self.edited.status_line,
            "changed": self.edited.changed,
        })
    }
}

/// The edit `edit` of `req`'s entry in the configured tracker, on the file as it is now. A
/// missing tracker, one that is not UTF-8 text, or an entry the edit refuses is a failure
/// naming the file.
pub fn plan(ws: &Workspace, req: &ReqNumber, edit: &Edit) -> Result<Plan> {
    let shown = ws.config.tracker.path.clone();
    let path = ws.root.join(&shown);
    let file = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(BerryError::failure(format!(
                "the tracker {shown} does not exist in {}",
                ws.root.display()
            ))
            .with_hint(
                "set `tracker.path` in berry.toml to the OWNER_REQUESTS.md of this repository",
            )
            .into());
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read the tracker {shown}")),
    };
    let old = String::from_utf8(bytes).map_err(|e| {
        BerryError::failure(format!(
            "the tracker {shown} is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let edited = super::edit(&old, req.as_str(), edit).map_err(|e| {
        BerryError::failure(format!("cannot edit {shown}: {e}")).with_hint(e.hint())
    })?;
    Ok(Plan {
        shown,
        file,
        old,
        edited,
        edit: edit.clone(),
    })
}

/// Writes the edit, when it changes anything, atomically and keeping the file's permissions.
/// Returns whether the file was written. The ledger is [`record`]'s.
pub fn write(session: &Session, plan: &Plan) -> Result<bool> {
    if !plan.edited.changed {
        return Ok(false);
    }
    // Another berry, on another REQ, may edit the same tracker at the same time: the
    // read-edit-write runs under a lock, on the tracker as it is now (the edit is re-applied
    // when another entry changed since it was planned), so neither edit is lost.
    let lock_path = session.store.dir().join("tracker.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("cannot open {}", lock_path.display()))?;
    lock.lock()
        .with_context(|| format!("cannot lock {}", lock_path.display()))?;
    let now = std::fs::read_to_string(&plan.file)
        .with_context(|| format!("cannot read the tracker {}", plan.shown))?;
    let new_text = if now == plan.old {
        plan.edited.new_text.clone()
    } else {
        super::edit(&now, session.req.as_str(), &plan.edit)
            .map_err(|e| anyhow::anyhow!("cannot edit {}: {e}", plan.shown))?
            .new_text
    };
    let mode = std::fs::metadata(&plan.file).map(|m| m.permissions()).ok();
    crate::context::write_atomic(&plan.file, new_text.as_bytes())
        .with_context(|| format!("cannot write the tracker {}", plan.shown))?;
    drop(lock);
    if let Some(m) = mode {
        let _ = std::fs::set_permissions(&plan.file, m);
    }
    crate::fault::point("tracker-written");
    Ok(true)
}

/// Records the tracker edit in the ledger (with the commit it names, when it names one), once:
/// a record of the same status and commit for the same file is not added again. A dry run
/// records nothing.
pub fn record(
    session: &mut Session,
    plan: &Plan,
    commit: Option<&str>,
    dry_run: bool,
) -> Result<()> {
    let status = plan.edit.state();
    let already = session
        .ctx
        .ledger
        .tracker
        .iter()
        .rev()
        .find(|t| t.path == plan.shown);
    let same = already.is_some_and(|t| t.status == status && t.commit.as_deref() == commit);
    if same || dry_run {
        return Ok(());
    }
    let at = match &plan.edit {
        Edit::Deployed { at, .. } | Edit::RolledBack { at, .. } => at.clone(),
        Edit::Blocked => crate::clock::rfc3339(crate::clock::now()?),
    };
    session.ctx.ledger.tracker.push(TrackerRecord {
        path: plan.shown.clone(),
        status,
        at,
        commit: commit.map(str::to_string),
    });
    session.save()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::world::{TRACKER, World};

    #[test]
    fn a_plan_writes_nothing_a_write_edits_the_entry_and_the_record_is_made_once() {
        let mut w = World::shipped();
        let before = w.tracker();
        let planned = plan(&w.ws, &w.session.req, &Edit::Blocked).unwrap();
        assert!(planned.edited.changed);
        assert_eq!(planned.data()["old_status"], "IN_PROGRESS");
        assert_eq!(w.tracker(), before, "planning writes nothing");

        assert!(write(&w.session, &planned).unwrap());
        assert!(
            w.tracker().contains("**Status**: BLOCKED\n"),
            "{}",
            w.tracker()
        );
        for _ in 0..2 {
            record(&mut w.session, &planned, None, false).unwrap();
        }
        let t = w.saved().ledger.tracker;
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(
            (t[0].path.as_str(), t[0].status),
            (TRACKER, Edit::Blocked.state())
        );

        // Planned again, the entry says it already: nothing to write, nothing more recorded.
        let again = plan(&w.ws, &w.session.req, &Edit::Blocked).unwrap();
        assert!(!again.edited.changed);
        assert!(!write(&w.session, &again).unwrap());
        record(&mut w.session, &again, None, false).unwrap();
        assert_eq!(w.saved().ledger.tracker.len(), 1);
    }

    #[test]
    fn an_entry_edited_by_another_berry_since_the_plan_keeps_both_edits() {
        let mut w = World::shipped();
        let file = w.ws.root.join(TRACKER);
        let planned = plan(&w.ws, &w.session.req, &Edit::Blocked).unwrap();
        let other = format!(
            "{}\n### REQ-OTHER-1: Other\n**Status**: BLOCKED\n",
            w.tracker()
        );
        std::fs::write(&file, other).unwrap();
        assert!(write(&w.session, &planned).unwrap());
        let now = w.tracker();
        assert_eq!(
            super::super::entry(&now, "REQ-UNIT-1").unwrap().status,
            "BLOCKED"
        );
        assert_eq!(
            super::super::entry(&now, "REQ-OTHER-1").unwrap().status,
            "BLOCKED"
        );
        record(&mut w.session, &planned, None, true).unwrap();
        assert!(
            w.saved().ledger.tracker.is_empty(),
            "a dry run records nothing"
        );
    }

    #[test]
    fn a_missing_tracker_is_a_failure_naming_it_and_the_setting() {
        let mut w = World::shipped();
        w.ws.config.tracker.path = "nowhere/OWNER_REQUESTS.md".into();
        let e = plan(&w.ws, &w.session.req, &Edit::Blocked).unwrap_err();
        let c = crate::error::classify(&e);
        assert_eq!(c.exit, crate::error::Exit::Failure);
        assert!(
            e.to_string()
                .contains("nowhere/OWNER_REQUESTS.md does not exist"),
            "{e}"
        );
        assert!(
            c.hints.iter().any(|h| h.contains("tracker.path")),
            "{:?}",
            c.hints
        );
    }
}
