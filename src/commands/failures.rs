//! The failures that need a person (failed tests, a push berry cannot remedy), as `test` and
//! `push` call them: the work, and the rules it keeps, are in [`crate::failures`]; this file
//! hands it the options, the printer (for its question) and the command layer's effects, and
//! renders what it shows.

use serde_json::Value;

use super::effects::{self, Edge};
use super::{Env, Session, Workspace};
use crate::context::{FailureKind, TestsRecord};
pub use crate::failures::PushAttempt;
use crate::failures::{self as work, Options, Shown};
use crate::printer::{Printer, Tone};

fn options(env: &Env) -> Options {
    let p = &env.printer;
    Options {
        dry_run: p.dry_run(),
        answerable: p.yes() || p.interactive(),
        repo: env.globals.repo.clone(),
    }
}

/// What the last run left pending (issues, fixes, notices), sent at the start of `test` and
/// `push`; what still fails stays pending (warned).
pub fn flush(env: &Env, ws: &Workspace, session: &mut Session) -> anyhow::Result<()> {
    let mut edge = Edge { env, ws };
    work::flush(ws, session, &options(env), &mut edge, &mut |s| {
        render(&env.printer, s)
    })
}

/// A fix for `kind` at `sha`: the open issue is commented and closed, now or by the next run.
pub fn resolve(env: &Env, ws: &Workspace, session: &mut Session, kind: FailureKind, sha: &str) {
    work::resolve(ws, session, kind, sha, &options(env), &mut |s| {
        render(&env.printer, s)
    })
}

/// After `berry test` failed: offers to report it (terminal), does it (`--yes`), or says how to
/// do it later. Never changes the exit code (3).
pub fn offer_tests(
    env: &Env,
    ws: &Workspace,
    session: &mut Session,
    tests: &TestsRecord,
    tails: &[(String, Vec<String>)],
) -> Value {
    let mut edge = Edge { env, ws };
    let failed = work::FailedTests {
        record: tests,
        tails,
    };
    work::offer_tests(
        ws,
        session,
        &failed,
        &options(env),
        &env.printer,
        &mut edge,
        &mut |s| render(&env.printer, s),
    )
}

/// A push berry cannot remedy: reported for a person; returns `error` as it was.
pub fn push_failed(
    env: &Env,
    ws: &Workspace,
    session: &mut Session,
    attempt: &PushAttempt,
    error: anyhow::Error,
) -> anyhow::Error {
    let mut edge = Edge { env, ws };
    work::push_failed(
        ws,
        session,
        attempt,
        error,
        &options(env),
        &mut edge,
        &mut |s| render(&env.printer, s),
    )
}

/// What the work shows on its way.
pub(crate) fn render(p: &Printer, s: Shown<'_>) {
    match s {
        Shown::NoIssue { kind, reason } => p.line(format!(
            "{} no issue for the {} failure: {reason}",
            p.paint(Tone::Dim, "–"),
            kind.as_str()
        )),
        Shown::Issue {
            number,
            url,
            created,
        } => effects::say_issue(p, number, url, created),
        Shown::IssueKept { kind, why } => p.warn(format!(
            "GitHub did not take the {} failure's issue ({why}); it is kept pending in the REQ context and sent by the next `berry test` or `berry push`",
            kind.as_str()
        )),
        Shown::Closed { number, sha, url } => p.line(format!(
            "{} issue #{number} commented with {} and closed: {url}",
            p.paint(Tone::Good, "✔"),
            sha.get(..12).unwrap_or(sha),
        )),
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
        Shown::ReportingPush { req } => p.line(format!(
            "{} {req} stays IN_PROGRESS: reporting the push failure for a person",
            p.paint(Tone::Bad, "✖"),
        )),
        Shown::Notice {
            subject,
            msg_id,
            payload,
            recorded,
        } => effects::show_notice(p, subject, msg_id, payload, recorded),
    }
}
