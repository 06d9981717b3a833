//! `berry block`: mark the REQ BLOCKED in the tracker and publish the blocked notice, by hand.
//!
//! Also home of the steps `complete`, `verify` (and `watch`) share: planning and writing a tracker
//! edit, and sending a notice with the ledger discipline (pending before, acknowledged
//! after, a rerun resends only what is pending, with the same message id).

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Args;
use serde_json::{Value, json};

pub(crate) use super::effects::{send, show_notice};
use super::{Env, Outcome, Session, Step, StepReport, Workspace};
use crate::context::{EventRecord, TrackerRecord};
use crate::error::BerryError;
use crate::notice::{self, Notice, Status};
use crate::printer::{Printer, Tone};
use crate::req::ReqNumber;
use crate::tracker::{self, Edit, Edited};
use crate::workflow::ReqState;

/// Mark the REQ BLOCKED in the tracker and publish the blocked notice, by hand.
#[derive(Debug, Args)]
pub struct BlockArgs {
    /// The REQ to block. Defaults to --req, then the current REQ.
    #[arg(value_name = "REQ", value_parser = ReqNumber::parse, add = clap_complete::engine::ArgValueCompleter::new(crate::complete::reqs))]
    pub req: Option<ReqNumber>,
    /// Why the REQ is blocked (goes into the notice's summary).
    #[arg(long, value_name = "TEXT", required = true)]
    pub reason: String,
}

pub fn run(env: &Env, args: BlockArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(args.req, &ws.store)?;
    let reason = args.reason.trim();
    if reason.is_empty() {
        return Err(BerryError::usage("--reason is empty: say why the REQ is blocked").into());
    }
    let mut session = Session::open(&ws.store, req.clone(), Step::Block.as_str())?;
    let done = apply(env, &ws, &mut session, reason, "block")?;
    let message = if done.already {
        format!("{req} was already BLOCKED and announced")
    } else if env.printer.dry_run() {
        format!("{req} would be marked BLOCKED (dry run)")
    } else {
        format!("{req} marked BLOCKED")
    };
    if !env.printer.dry_run() {
        session.record(Step::Block, Outcome::Ok, reason)?;
    }
    env.printer.result(&message);
    Ok(StepReport::new("block", Some(req), Outcome::Ok, message).with_data(done.data))
}

/// What [`apply`] did.
pub struct Blocked {
    /// Everything was already done and recorded: nothing was written or sent.
    pub already: bool,
    pub data: Value,
}

/// Marks the REQ BLOCKED in the tracker and publishes the blocked notice: shows the diff and the
/// notice, asks once (`--yes` accepts; no terminal → exit 4), writes, records, sends, records.
/// With `--dry-run` it shows and changes nothing. `step` names the caller in messages.
pub fn apply(
    env: &Env,
    ws: &Workspace,
    session: &mut Session,
    reason: &str,
    step: &str,
) -> Result<Blocked> {
    apply_as(env, ws, session, reason, step, None)
}

/// [`apply`] with the notice's `Nats-Msg-Id` chosen by the caller (a failure's own id, so a
/// blocked notice for failed tests is not taken for one sent for another reason).
pub fn apply_as(
    env: &Env,
    ws: &Workspace,
    session: &mut Session,
    reason: &str,
    step: &str,
    msg_id: Option<String>,
) -> Result<Blocked> {
    let p = &env.printer;
    let req = session.req.clone();
    let commit = commit_sha(session);
    let reference = commit.clone().unwrap_or_else(|| {
        session
            .ctx
            .evidence
            .as_ref()
            .and_then(|e| e.qa.as_ref())
            .map(|qa| {
                let hex = qa.sha256.strip_prefix("sha256:").unwrap_or(&qa.sha256);
                format!("qa-{}", hex.get(..12).unwrap_or(hex))
            })
            .unwrap_or_default()
    });
    let msg_id =
        msg_id.unwrap_or_else(|| notice::msg_id(req.as_str(), Status::Blocked, &reference));
    let subject = crate::nats::subject(&ws.config.nats.subject, req.as_str());
    let now = crate::clock::now()?;

    let plan = plan_tracker(ws, &req, &Edit::Blocked)?;
    let recorded = session.ctx.ledger.event(&msg_id).cloned();
    let payload = match &recorded {
        Some(r) => r.payload.clone(),
        None => {
            let files = notice::files_from(
                session.ctx.ledger.commit.as_ref(),
                session.ctx.review.as_ref(),
            );
            let template = notice::Template::load(&ws.root)?;
            notice::payload(
                &Notice {
                    req: req.as_str(),
                    title: session.ctx.title.as_deref(),
                    status: Status::Blocked,
                    subject: &subject,
                    commit_sha: commit.as_deref(),
                    branch: branch(session).as_deref(),
                    pr_url: pr_url(session).as_deref(),
                    files: &files,
                    tests_passed: crate::workflow::tests_for(
                        &session.ctx,
                        shipped_tree(ws, session).as_deref(),
                    ) == crate::workflow::TestsFor::Passed,
                    tests_skipped: None,
                    health: None,
                    checklist: None,
                    ci: &ci_words(session),
                    at: now,
                    reason: Some(reason),
                },
                &template,
            )?
        }
    };
    let sent = recorded.as_ref().is_some_and(|r| r.acknowledged);
    let data = json!({
        "tracker": plan.data(),
        "subject": subject,
        "msg_id": msg_id,
        "notice": payload,
        "sent": sent,
    });
    if !plan.edited.changed && sent {
        record_tracker(session, &plan, None, p.dry_run())?;
        if !p.dry_run() {
            super::commit_tracker(p, ws, session, ReqState::Blocked)?;
        }
        p.line(format!(
            "{req} is already BLOCKED in {} and the blocked notice {msg_id} was acknowledged; nothing to do.",
            plan.shown
        ));
        return Ok(Blocked {
            already: true,
            data,
        });
    }

    p.line(format!(
        "{} {req}: {reason}",
        p.paint(Tone::Strong, "Blocking")
    ));
    show_tracker(p, &plan);
    show_notice(p, &subject, &msg_id, &payload, recorded.as_ref());
    if p.dry_run() {
        super::commit_tracker(p, ws, &mut *session, ReqState::Blocked)?;
        p.line(p.paint(Tone::Dim, "dry run: nothing written, nothing sent"));
        return Ok(Blocked {
            already: false,
            data,
        });
    }
    let question = format!(
        "Mark {req} BLOCKED{} and publish the blocked notice?",
        if plan.edited.changed {
            format!(" in {}", plan.shown)
        } else {
            String::new()
        }
    );
    if !p.confirm(&question, true, "--yes")? {
        return Err(BerryError::declined(format!("{step}: {req} was not marked BLOCKED")).into());
    }
    write_tracker(p, session, &plan, None)?;
    session.ctx.state = Some(ReqState::Blocked);
    session.save()?;
    let tracker_commit = super::commit_tracker(p, ws, session, ReqState::Blocked)?;
    let event = send(
        p,
        ws,
        session,
        EventRecord {
            kind: Status::Blocked.kind(),
            subject: subject.clone(),
            msg_id: msg_id.clone(),
            payload: payload.clone(),
            acknowledged: false,
            stream: None,
            sent_at: None,
        },
    )?;
    let mut data = data;
    data["sent"] = json!(event.acknowledged);
    data["stream"] = json!(event.stream);
    data["tracker_commit"] = tracker_commit;
    Ok(Blocked {
        already: false,
        data,
    })
}

// ---- shared by block, complete, verify (and watch) ----

/// The commit that shipped: the pushed one, else the recorded commit.
pub fn commit_sha(session: &Session) -> Option<String> {
    session.ctx.shipped_sha().map(str::to_string)
}

fn branch(session: &Session) -> Option<String> {
    session.ctx.shipped_branch().map(str::to_string)
}

fn pr_url(session: &Session) -> Option<String> {
    session.ctx.ledger.pr.as_ref().and_then(|p| p.url.clone())
}

/// The recorded CI outcome in words.
fn ci_words(session: &Session) -> String {
    session
        .ctx
        .ledger
        .watch
        .as_ref()
        .map(|w| w.conclusion.clone())
        .unwrap_or_else(|| "not watched".into())
}

/// The tree id of the commit that ships (read from the repository), else the recorded one.
pub(crate) fn shipped_tree(ws: &Workspace, session: &Session) -> Option<String> {
    let sha = session.ctx.shipped_sha()?;
    git2::Oid::from_str(sha)
        .ok()
        .and_then(|o| ws.repo.find_commit(o).ok())
        .map(|c| c.tree_id().to_string())
        .or_else(|| {
            session
                .ctx
                .ledger
                .commit
                .as_ref()
                .and_then(|c| c.tree.clone())
        })
}

/// A tracker edit, computed and not yet written.
pub(crate) struct TrackerPlan {
    /// As configured (relative to the repository root), for messages and the ledger.
    pub shown: String,
    /// The file written (symlinks resolved).
    pub file: PathBuf,
    pub old: String,
    pub edited: Edited,
    pub edit: Edit,
}

impl TrackerPlan {
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

pub(crate) fn plan_tracker(ws: &Workspace, req: &ReqNumber, edit: &Edit) -> Result<TrackerPlan> {
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
    let edited = tracker::edit(&old, req.as_str(), edit).map_err(|e| {
        BerryError::failure(format!("cannot edit {shown}: {e}")).with_hint(e.hint())
    })?;
    Ok(TrackerPlan {
        shown,
        file,
        old,
        edited,
        edit: edit.clone(),
    })
}

pub(crate) fn show_tracker(p: &Printer, plan: &TrackerPlan) {
    if !plan.edited.changed {
        p.line(format!(
            "  tracker: {} already says {} (line {})",
            plan.shown, plan.edited.old_status, plan.edited.status_line
        ));
        return;
    }
    p.line(format!(
        "  tracker: {} line {}: {} → {}",
        plan.shown,
        plan.edited.status_line,
        if plan.edited.old_status.is_empty() {
            "(empty)"
        } else {
            &plan.edited.old_status
        },
        plan.edit.status()
    ));
    let diff =
        crate::diffview::preview(p, plan.old.as_bytes(), plan.edited.new_text.as_bytes(), 200);
    p.line(diff.trim_end());
}

/// Writes the edit (when it changes anything) atomically, keeping the file's permissions, and
/// records it in the ledger.
pub(crate) fn write_tracker(
    p: &Printer,
    session: &mut Session,
    plan: &TrackerPlan,
    commit: Option<&str>,
) -> Result<()> {
    if plan.edited.changed {
        // Another berry, on another REQ, may edit the same tracker at the same time: the
        // read-edit-write runs under a lock, on the tracker as it is now (the edit is re-applied
        // when another entry changed since it was shown), so neither edit is lost.
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
            tracker::edit(&now, session.req.as_str(), &plan.edit)
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
        p.line(format!(
            "{} {} set to {}",
            p.paint(Tone::Good, "✔"),
            plan.shown,
            plan.edit.status()
        ));
    }
    record_tracker(session, plan, commit, false)
}

/// Records the tracker edit in the ledger, once.
fn record_tracker(
    session: &mut Session,
    plan: &TrackerPlan,
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
