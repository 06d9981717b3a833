//! `berry block`: mark the REQ BLOCKED in the tracker and publish the blocked notice, by hand.
//!
//! Also home of the steps `complete`, `verify` (and `watch`) share: planning and writing a tracker
//! edit, and sending a notice with the ledger discipline (pending before, acknowledged
//! after, a rerun resends only what is pending, with the same message id).

use anyhow::Result;
use clap::Args;
use serde_json::{Value, json};

pub(crate) use super::effects::{send, show_notice};
pub(crate) use super::tracker::{plan_tracker, show_tracker, write_tracker};
use super::{Env, Outcome, Session, Step, StepReport, Workspace};
use crate::context::EventRecord;
use crate::error::BerryError;
use crate::notice::{self, Notice, Status};
use crate::printer::Tone;
use crate::req::ReqNumber;
use crate::tracker::Edit;
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
    let data = json!({
        "tracker": plan.data(),
        "subject": subject,
        "msg_id": msg_id,
        "notice": payload,
        "sent": sent,
    });
    if !plan.edited.changed && sent {
        crate::tracker::file::record(session, &plan, None, p.dry_run())?;
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
