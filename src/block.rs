//! The REQ marked BLOCKED: the tracker entry BLOCKED, its tracker commit, and the blocked
//! notice, as `berry block` does it and as `verify`, `test`, `push` and `watch` ask for it
//! (through [`crate::effects::Effects::block`]). [`block`] takes plain [`Options`], asks through
//! [`Decide`], sends the notice through [`Effects`], reports what it does on its way through a
//! `show` callback and returns a [`Done`] the command renders; nothing here prints.
//!
//! What it keeps:
//!
//! - **Asked once, default yes**: the edit and the notice are shown, then one question; a
//!   declined question writes and sends nothing (exit 4).
//! - **Once**: a REQ whose entry says BLOCKED and whose blocked notice was acknowledged is
//!   reported, nothing written or sent again (a tracker commit an earlier run left undone is
//!   finished); a pending notice is sent again with its recorded payload and id.
//! - **Recorded as it goes**: the tracker edit, the state, the tracker commit, the notice
//!   (pending before it is published, acknowledged after).
//! - **A dry run writes and sends nothing**.

use anyhow::Result;
use serde_json::{Value, json};

use crate::context::EventRecord;
use crate::decide::Decide;
use crate::effects::Effects;
use crate::error::BerryError;
use crate::notice::{self, Notice, Status};
use crate::tracker::Edit;
use crate::tracker::file::{self, Plan};
use crate::trackercommit::{self, Tracked};
use crate::workflow::{Outcome, ReqState, Step};
use crate::workspace::{Session, Workspace};

/// What the caller decided before the work starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Why the REQ is blocked (the notice's summary).
    pub reason: String,
    /// The step that asks (`block`, `verify`, …), for messages.
    pub step: String,
    /// The notice's `Nats-Msg-Id`, when the caller has its own (a failure's id, so a blocked
    /// notice for failed tests is not taken for one sent for another reason); else the blocked
    /// notice's own.
    pub msg_id: Option<String>,
    /// Show what would be done; write, ask and send nothing.
    pub dry_run: bool,
}

/// What the work shows on its way, in order.
pub enum Shown<'a> {
    /// What is about to be done: the tracker edit and the notice (`recorded`: as an earlier run
    /// recorded it).
    Blocking {
        reason: &'a str,
        plan: &'a Plan,
        subject: &'a str,
        msg_id: &'a str,
        payload: &'a Value,
        recorded: Option<&'a EventRecord>,
    },
    /// The tracker edit written, its commit on its way and how it ended.
    Tracker(Tracked<'a>),
}

/// How the work ended.
pub enum Done {
    /// Already BLOCKED in `tracker` and the notice `msg_id` acknowledged: nothing was written or
    /// sent.
    Already {
        tracker: String,
        msg_id: String,
        data: Value,
    },
    /// A dry run: shown, nothing written or sent.
    DryRun { data: Value },
    /// Marked BLOCKED, the tracker committed as it could be, the notice sent (or kept pending).
    Blocked { data: Value },
}

impl Done {
    /// What was done, for the step's JSON data.
    pub fn data(&self) -> &Value {
        match self {
            Done::Already { data, .. } | Done::DryRun { data } | Done::Blocked { data } => data,
        }
    }

    pub fn into_data(self) -> Value {
        match self {
            Done::Already { data, .. } | Done::DryRun { data } | Done::Blocked { data } => data,
        }
    }
}

/// Marks `session`'s REQ BLOCKED. See the module documentation for what it guarantees.
pub fn block(
    ws: &Workspace,
    session: &mut Session,
    opts: &Options,
    decide: &dyn Decide,
    effects: &mut dyn Effects,
    show: &mut dyn FnMut(Shown<'_>),
) -> Result<Done> {
    let req = session.req.clone();
    let reason = opts.reason.as_str();
    let commit = session.ctx.shipped_sha().map(str::to_string);
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
    let msg_id = opts
        .msg_id
        .clone()
        .unwrap_or_else(|| notice::msg_id(req.as_str(), Status::Blocked, &reference));
    let subject = crate::nats::subject(&ws.config.nats.subject, req.as_str());
    let now = crate::clock::now()?;

    let plan = file::plan(ws, &req, &Edit::Blocked)?;
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
                    branch: session.ctx.shipped_branch(),
                    pr_url: session
                        .ctx
                        .ledger
                        .pr
                        .as_ref()
                        .and_then(|p| p.url.as_deref()),
                    files: &files,
                    tests_passed: crate::workflow::tests_for(
                        &session.ctx,
                        ws.shipped_tree(&session.ctx).as_deref(),
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
    let mut data = json!({
        "tracker": plan.data(),
        "subject": subject,
        "msg_id": msg_id,
        "notice": payload,
        "sent": sent,
    });
    if !plan.edited.changed && sent {
        file::record(session, &plan, None, opts.dry_run)?;
        if !opts.dry_run {
            commit_tracker(ws, session, false, show)?;
        }
        return Ok(Done::Already {
            tracker: plan.shown.clone(),
            msg_id,
            data,
        });
    }

    show(Shown::Blocking {
        reason,
        plan: &plan,
        subject: &subject,
        msg_id: &msg_id,
        payload: &payload,
        recorded: recorded.as_ref(),
    });
    if opts.dry_run {
        commit_tracker(ws, session, true, show)?;
        return Ok(Done::DryRun { data });
    }
    let question = format!(
        "Mark {req} BLOCKED{} and publish the blocked notice?",
        if plan.edited.changed {
            format!(" in {}", plan.shown)
        } else {
            String::new()
        }
    );
    if !decide.confirm(&question, true, "--yes")? {
        return Err(
            BerryError::declined(format!("{}: {req} was not marked BLOCKED", opts.step)).into(),
        );
    }
    let tracker_commit =
        trackercommit::apply(ws, session, &plan, ReqState::Blocked, None, &mut |t| {
            show(Shown::Tracker(t))
        })?;
    let event = effects.send(
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
    data["sent"] = json!(event.acknowledged);
    data["stream"] = json!(event.stream);
    data["tracker_commit"] = tracker_commit;
    Ok(Done::Blocked { data })
}

/// `berry block` by hand, after [`block`]: the step recorded with its reason (not in a dry run);
/// returns the step's message, which says how it ended.
pub fn recorded(session: &mut Session, done: &Done, opts: &Options) -> Result<String> {
    let req = &session.req;
    let message = match done {
        Done::Already { .. } => format!("{req} was already BLOCKED and announced"),
        Done::DryRun { .. } => format!("{req} would be marked BLOCKED (dry run)"),
        Done::Blocked { .. } => format!("{req} marked BLOCKED"),
    };
    if !opts.dry_run {
        session.record(Step::Block, Outcome::Ok, &opts.reason)?;
    }
    Ok(message)
}

/// The tracker commit for BLOCKED, shown as it goes and as it ends; its JSON data.
fn commit_tracker(
    ws: &Workspace,
    session: &mut Session,
    dry_run: bool,
    show: &mut dyn FnMut(Shown<'_>),
) -> Result<Value> {
    trackercommit::finished(ws, session, ReqState::Blocked, dry_run, &mut |t| {
        show(Shown::Tracker(t))
    })
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

#[cfg(test)]
mod tests;
