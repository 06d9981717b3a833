//! The tracker protocol as the steps show it: the planned edit ([`show_tracker`]), the written
//! one, and the tracker commit with its push ([`commit_tracker`]). The work is in
//! [`crate::tracker::file`] and [`crate::trackercommit::finish`].

use anyhow::Result;
use serde_json::Value;

use super::{Session, Workspace};
use crate::printer::{Printer, Tone};
use crate::tracker::file::{self, Plan};
use crate::trackercommit::{Finished, Shown};
use crate::workflow::ReqState;

pub(crate) use crate::tracker::file::plan as plan_tracker;

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
pub(crate) fn show_written(p: &Printer, plan: &Plan) {
    p.line(format!(
        "{} {} set to {}",
        p.paint(Tone::Good, "✔"),
        plan.shown,
        plan.edit.status()
    ));
}

/// Writes the edit (when it changes anything) and records it in the ledger, saying so.
pub(crate) fn write_tracker(
    p: &Printer,
    session: &mut Session,
    plan: &Plan,
    commit: Option<&str>,
) -> Result<()> {
    if file::write(session, plan)? {
        show_written(p, plan);
    }
    file::record(session, plan, commit, false)
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
    let bar = std::cell::RefCell::new(None);
    let done = crate::trackercommit::finish(ws, session, status, p.dry_run(), &mut |s| {
        show_commit(p, &bar, s)
    });
    if let Some(bar) = bar.borrow_mut().take() {
        bar.finish_and_clear();
    }
    let done = done?;
    render_finished(p, &done);
    Ok(done.data())
}

/// What [`crate::trackercommit::finish`] shows on its way; `bar` is the push's progress.
pub(crate) fn show_commit(
    p: &Printer,
    bar: &std::cell::RefCell<Option<indicatif::ProgressBar>>,
    s: Shown<'_>,
) {
    match s {
        Shown::Committed {
            record,
            adopted,
            subject,
        } => p.line(format!(
            "{} {} the tracker edit: {} {subject}",
            p.paint(Tone::Good, "✔"),
            if adopted {
                "found the commit of"
            } else {
                "committed"
            },
            &record.sha[..12]
        )),
        Shown::AlreadyInHead { rel } => p.line(format!(
            "{} {rel} as it is now is already committed in HEAD: nothing to commit",
            p.paint(Tone::Dim, "–")
        )),
        Shown::Pushing => {
            *bar.borrow_mut() = Some(p.bar(0, "{spinner} {pos}/{len} objects {msg}"));
        }
        Shown::Progress {
            current,
            total,
            bytes,
        } => {
            if let Some(bar) = bar.borrow().as_ref() {
                bar.set_length(total as u64);
                bar.set_position(current as u64);
                bar.set_message(indicatif::HumanBytes(bytes as u64).to_string());
            }
        }
        Shown::PushEnded => {
            if let Some(bar) = bar.borrow_mut().take() {
                bar.finish_and_clear();
            }
        }
        Shown::Pushed { remote, refname } => p.line(format!(
            "{} pushed the tracker commit to {refname} on {remote}",
            p.paint(Tone::Good, "✔")
        )),
        Shown::Kept(why) => p.warn(format!(
            "the tracker commit stays local, not pushed: {why}; push it with the branch"
        )),
    }
}

/// How [`crate::trackercommit::finish`] ended, when that is worth a line.
pub(crate) fn render_finished(p: &Printer, done: &Finished) {
    match done {
        Finished::Uncommitted(why) if p.dry_run() => {
            p.line(format!("  tracker commit: none ({why})"))
        }
        Finished::Uncommitted(why) => p.line(format!(
            "{} the tracker edit is left uncommitted in the working tree: {why}",
            p.paint(Tone::Dim, "–")
        )),
        Finished::DryRun { rel, subject } => p.line(format!(
            "  tracker commit: {rel} alone, as `{subject}` ([skip ci]), then pushed onto the branch's remote"
        )),
        Finished::Done { .. } => {}
    }
}
