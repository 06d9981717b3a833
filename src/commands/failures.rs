//! How the failures that need a person (failed tests, a push berry cannot remedy) are shown: the
//! work, and the rules it keeps, are in [`crate::failures`], called by `test`'s and `push`'s work;
//! this file gives it the command line's options and renders what it shows.

use super::Env;
use super::effects;
use super::show;
use super::view;
use crate::failures::{Options, Shown};
use crate::printer::Printer;

/// How a failure is reported, from the command line: nothing with `--dry-run`; asked when there is
/// someone to ask (a terminal, or `--yes`); in the repository `--repo` names.
pub fn options(env: &Env) -> Options {
    let p = &env.printer;
    Options {
        dry_run: p.dry_run(),
        answerable: p.yes() || p.interactive(),
        repo: env.globals.repo.clone(),
    }
}

/// What the work shows on its way.
pub(crate) fn render(p: &Printer, s: Shown<'_>) {
    match s {
        Shown::NoIssue { kind, reason } => {
            let kind = kind.as_str();
            show::passed_over(p, format!("no issue for the {kind} failure: {reason}"))
        }
        Shown::Issue {
            number,
            url,
            created,
        } => show::issue(p, number, url, created),
        Shown::IssueKept { kind, why } => p.warn(format!(
            "GitHub did not take the {} failure's issue ({why}); it is kept pending in the REQ context and sent by the next `berry test` or `berry push`",
            kind.as_str()
        )),
        Shown::Closed { number, sha, url } => {
            let sha = show::short(sha);
            let text = format!("issue #{number} commented with {sha} and closed: {url}");
            show::done(p, text)
        }
        Shown::SendingPending(e) => p.line(format!(
            "  sending the {} notice {} left pending by an earlier run",
            e.kind, e.msg_id
        )),
        Shown::Trouble(e) => {
            for l in crate::error::render(e) {
                p.warn(effects::mask(l.trim_start_matches("error: ")));
            }
        }
        Shown::AlreadyReported { req } => p.line(format!(
            "The failure of these tests was reported already: {req} is BLOCKED and the notice was sent."
        )),
        Shown::NotReported {
            later,
            declined: false,
        } => p.line(format!(
            "No issue was opened, the tracker was not marked BLOCKED and no blocked notice was sent (no terminal to ask, no --yes); to do it later: {later}"
        )),
        Shown::NotReported {
            later,
            declined: true,
        } => p.line(format!("Not reported; to do it later: {later}")),
        Shown::NotFullyReported { rerun } => {
            p.line(format!("The failure was not (fully) reported; {rerun}"))
        }
        Shown::ReportingPush { req } => {
            let what = "stays IN_PROGRESS: reporting the push failure for a person";
            view::failed(p, format!("{req} {what}"))
        }
        Shown::Notice {
            subject,
            msg_id,
            payload,
            recorded,
        } => effects::show_notice(p, subject, msg_id, payload, recorded),
    }
}
