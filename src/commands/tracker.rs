//! The tracker protocol as the steps show it: the planned edit ([`show_tracker`]) with the notice
//! that goes with it ([`announce`]), the written one, and the tracker commit with its push
//! ([`tracked`]). The work is in [`crate::tracker::file`] and [`crate::trackercommit`].

use anyhow::Result;
use serde_json::Value;

use super::show::{self, Live};
use super::{Session, Workspace};
use crate::context::EventRecord;
use crate::printer::Printer;
use crate::tracker::file::Plan;
use crate::trackercommit::{Finished, Shown, Tracked};
use crate::workflow::ReqState;

/// What a step is about to do: the tracker edit `plan` and the notice that follows it.
pub(crate) fn announce(
    p: &Printer,
    plan: &Plan,
    subject: &str,
    msg_id: &str,
    payload: &Value,
    recorded: Option<&EventRecord>,
) {
    show_tracker(p, plan);
    super::effects::show_notice(p, subject, msg_id, payload, recorded);
}

/// A step's tracker work, as it goes; `live` holds the tracker push's progress.
pub(crate) fn tracked(p: &Printer, live: &Live, t: Tracked<'_>) {
    match t {
        Tracked::Written(plan) => show_written(p, plan),
        Tracked::Commit(s) => show_commit(p, live, s),
        Tracked::Finished(done) => render_finished(p, done),
    }
}

/// The planned edit: the status line it changes and the diff, or that the entry says it already.
pub(crate) fn show_tracker(p: &Printer, plan: &Plan) {
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

/// The line that says the tracker file was written.
fn show_written(p: &Printer, plan: &Plan) {
    show::done(p, format!("{} set to {}", plan.shown, plan.edit.status()));
}

/// After a tracker edit to `status`: commits the tracker file alone and pushes it, or says plainly
/// why the edit is left uncommitted (see [`crate::trackercommit`]). Finishes a commit or a push
/// an earlier run left undone. Returns what it did, for the step's JSON data.
pub fn commit_tracker(
    p: &Printer,
    ws: &Workspace,
    session: &mut Session,
    status: ReqState,
) -> Result<Value> {
    let live = Live::default();
    crate::trackercommit::finished(ws, session, status, p.dry_run(), &mut |t| {
        tracked(p, &live, t)
    })
}

/// What [`crate::trackercommit::finish`] shows on its way.
fn show_commit(p: &Printer, live: &Live, s: Shown<'_>) {
    match s {
        Shown::Committed {
            record,
            adopted,
            subject,
        } => show::done(
            p,
            format!(
                "{} the tracker edit: {} {subject}",
                if adopted {
                    "found the commit of"
                } else {
                    "committed"
                },
                &record.sha[..12]
            ),
        ),
        Shown::AlreadyInHead { rel } => show::passed_over(
            p,
            format!("{rel} as it is now is already committed in HEAD: nothing to commit"),
        ),
        Shown::Transfer(t) => live.transfer(p, t),
        Shown::Pushed { remote, refname } => show::done(
            p,
            format!("pushed the tracker commit to {refname} on {remote}"),
        ),
        Shown::Kept(why) => p.warn(format!(
            "the tracker commit stays local, not pushed: {why}; push it with the branch"
        )),
    }
}

/// How [`crate::trackercommit::finish`] ended, when that is worth a line.
fn render_finished(p: &Printer, done: &Finished) {
    match done {
        Finished::Uncommitted(why) if p.dry_run() => {
            p.line(format!("  tracker commit: none ({why})"))
        }
        Finished::Uncommitted(why) => show::passed_over(
            p,
            format!("the tracker edit is left uncommitted in the working tree: {why}"),
        ),
        Finished::DryRun { rel, subject } => p.line(format!(
            "  tracker commit: {rel} alone, as `{subject}` ([skip ci]), then pushed onto the branch's remote"
        )),
        Finished::Done { .. } => {}
    }
}
