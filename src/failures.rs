//! The failures that need a person, reported the way the rest of berry's side effects are:
//! recorded first, written to GitHub and NATS, acknowledged, and finished by the next run.
//!
//! - **Tests failed** (`berry test`, also inside `run`): one GitHub issue `<REQ>: tests failed`
//!   (the commands with exit codes and durations, the masked tail of each failed one, the commit,
//!   the hidden marker and berry's label), the tracker BLOCKED, the blocked notice with the reason
//!   and `blockers`, under the failure's own id. Offered to a person ([`offer_tests`]: the
//!   question's default is yes, so `--yes` reports it); with nobody to answer, nothing is
//!   reported and berry says how to do it later (`berry block`); a declined question records
//!   nothing.
//! - **A push berry cannot remedy** ([`push_failed`]: authentication, the network, GH001, a
//!   rebase conflict, a protected branch whose `feature/<REQ>` route was declined or refused): the
//!   tracker is left as it is (IN_PROGRESS), one issue `<REQ>: push failed` documents the error
//!   (what was tried, the remote's message, the remedy), and a `FAILED` notice (`error`,
//!   `needs: "human"`) goes to the REQ's subject. A later successful push comments the SHA on that
//!   issue and closes it ([`resolve`]); passing tests do the same for the tests' issue.
//!
//! One [`FailureRecord`] per kind holds the issue's text before it is written: when GitHub does
//! not answer it stays pending, as an unacknowledged notice does, and the next `test` or `push`
//! sends both ([`flush`]). The notice's id is REQ, outcome and commit, so a rerun for the same
//! failure never sends a second one; the issue is found by its number, else by label and marker,
//! and a rerun whose text did not change writes nothing.
//!
//! The work takes plain [`Options`], a [`Decide`] for its question and the [`Effects`] it hands
//! the block and the notices to, and shows what it does through a `show` callback; nothing here
//! prints. What GitHub or NATS refuse is shown and kept pending, never the step's error.

use anyhow::Result;
use serde_json::{Value, json};

use crate::context::{
    EventRecord, FailureKind, FailureRecord, IssueRecord, Resolution, TestsRecord,
};
use crate::decide::Decide;
use crate::effects::Effects;
use crate::github::issues::{self, IssueText};
use crate::github::{self, Client, RepoId, pulls};
use crate::notice::{self, Notice, Status};
use crate::workflow::{Outcome, Step};
use crate::workspace::{Session, Workspace};

pub const TESTS_TEMPLATE: &str = include_str!("../templates/tests-failed.md");
pub const PUSH_TEMPLATE: &str = include_str!("../templates/push-failed.md");
pub const FIXED_TEMPLATE: &str = include_str!("../templates/failure-fixed.md");

/// What the command decided before the work starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Show, write and send nothing.
    pub dry_run: bool,
    /// Someone can answer the question (a terminal, or `--yes`).
    pub answerable: bool,
    /// The repository named on the command line (`--repo`), over the remote's.
    pub repo: Option<String>,
}

/// What the work shows on its way, in order.
pub enum Shown<'a> {
    /// No GitHub repository to open the `kind` failure's issue in (recorded as skipped).
    NoIssue { kind: FailureKind, reason: &'a str },
    /// GitHub took the issue (opened, or updated with this failure); recorded.
    Issue {
        number: u64,
        url: &'a str,
        created: bool,
    },
    /// GitHub did not take the `kind` failure's issue: kept pending for the next run.
    IssueKept { kind: FailureKind, why: &'a str },
    /// The fix was commented on the issue and the issue closed; recorded.
    Closed {
        number: u64,
        sha: &'a str,
        url: &'a str,
    },
    /// A failure's notice an earlier run left pending is sent now.
    SendingPending(&'a EventRecord),
    /// Something that could not be done now, kept for the next run (never the step's error).
    Trouble(&'a anyhow::Error),
    /// The tests' failure was reported already (nobody to ask, nothing to do).
    AlreadyReported { req: &'a str },
    /// Not reported: nobody to ask (`declined`: the operator said no). `later` says how.
    NotReported { later: &'a str, declined: bool },
    /// The report stopped part way; `rerun` says what finishes it.
    NotFullyReported { rerun: &'a str },
    /// A push berry cannot remedy: the REQ stays IN_PROGRESS, reported for a person.
    ReportingPush { req: &'a str },
    /// The FAILED notice, before it is sent (`recorded`: as an earlier run recorded it).
    Notice {
        subject: &'a str,
        msg_id: &'a str,
        payload: &'a Value,
        recorded: Option<&'a EventRecord>,
    },
}

/// The hidden marker that finds the REQ's issue for `kind` again.
pub fn marker(kind: FailureKind, req: &str) -> String {
    format!("<!-- berry:{} {req} -->", outcome(kind))
}

/// The outcome in ids and markers: `tests-failed`, `push-failed`.
pub fn outcome(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::Tests => "tests-failed",
        FailureKind::Push => "push-failed",
    }
}

fn template_name(kind: FailureKind) -> (&'static str, &'static str) {
    match kind {
        FailureKind::Tests => ("tests-failed.md", TESTS_TEMPLATE),
        FailureKind::Push => ("push-failed.md", PUSH_TEMPLATE),
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

fn mask(text: &str) -> String {
    crate::secrets::mask_text(text).into_owned()
}

/// The failure recorded for `kind`.
pub fn recorded(session: &Session, kind: FailureKind) -> Option<&FailureRecord> {
    session.ctx.ledger.failures.iter().find(|f| f.kind == kind)
}

fn recorded_mut(session: &mut Session, kind: FailureKind) -> Option<&mut FailureRecord> {
    session
        .ctx
        .ledger
        .failures
        .iter_mut()
        .find(|f| f.kind == kind)
}

/// The GitHub repository the issues go to (from the shipped branch's remote, `--repo`,
/// `github.repo`), or why there is none.
fn github_for(
    ws: &Workspace,
    session: &Session,
    opts: &Options,
) -> Result<(Client, RepoId), String> {
    let branch = session
        .ctx
        .shipped_branch()
        .map(str::to_string)
        .or_else(|| crate::git::branch_name(&ws.repo));
    let (remote, url) = match &session.ctx.ledger.push {
        Some(p) => (p.remote.clone(), p.url.clone()),
        None => match branch
            .as_deref()
            .map(|b| crate::push::target_for(&ws.repo, b))
        {
            Some(Ok(t)) => (t.remote, t.url),
            _ => ("origin".to_string(), String::new()),
        },
    };
    let found = github::target::target(
        opts.repo.as_deref(),
        &ws.repo,
        &ws.config.github,
        &remote,
        &url,
    );
    match found.map_err(|e| format!("{e:#}"))? {
        github::target::Target::At(repo, client) => Ok((client, repo)),
        github::target::Target::Absent(reason) => Err(reason),
    }
}

/// Records the failure's issue text for `kind` (pending until GitHub has it). Returns `false`
/// when the same failure with the same text is recorded and written already: nothing to do.
fn record(
    session: &mut Session,
    kind: FailureKind,
    commit: Option<&str>,
    error: &str,
    title: &str,
    body: &str,
) -> Result<bool> {
    let id = notice::failure_id(session.req.as_str(), outcome(kind), commit);
    let now = crate::clock::now()?.round(jiff::Unit::Second)?;
    match recorded_mut(session, kind) {
        Some(r)
            if r.id == id
                && r.title == title
                && r.body == body
                && r.resolved.is_none()
                && !r.issue_pending =>
        {
            return Ok(false);
        }
        Some(r) => {
            if r.resolved.as_ref().is_some_and(|x| x.closed) {
                // Its issue was closed by a fix: a new failure gets an issue of its own.
                r.issue = None;
            }
            r.id = id;
            r.commit = commit.map(str::to_string);
            r.at = now;
            r.error = error.to_string();
            r.title = title.to_string();
            r.body = body.to_string();
            r.issue_pending = true;
            r.issue_error = None;
            r.issue_skipped = None;
            r.resolved = None;
        }
        None => session.ctx.ledger.failures.push(FailureRecord {
            kind,
            id,
            commit: commit.map(str::to_string),
            at: now,
            error: error.to_string(),
            title: title.to_string(),
            body: body.to_string(),
            issue: None,
            issue_pending: true,
            issue_error: None,
            issue_skipped: None,
            resolved: None,
        }),
    }
    session.save()?;
    Ok(true)
}

/// Writes what is owed to GitHub for `kind`: the recorded issue text, or the comment and close
/// of a fix. A GitHub that does not answer leaves it pending (shown, never an error).
fn sync_issue(
    ws: &Workspace,
    session: &mut Session,
    kind: FailureKind,
    opts: &Options,
    show: &mut dyn FnMut(Shown<'_>),
) -> Result<()> {
    let Some(rec) = recorded(session, kind).cloned() else {
        return Ok(());
    };
    if !rec.github_pending() {
        return Ok(());
    }
    let (client, repo) = match github_for(ws, session, opts) {
        Ok(x) => x,
        Err(reason) => {
            let r = recorded_mut(session, kind).expect("recorded above");
            r.issue_skipped = Some(reason.clone());
            r.issue_pending = false;
            session.save()?;
            show(Shown::NoIssue {
                kind,
                reason: &reason,
            });
            return Ok(());
        }
    };
    let req = session.req.to_string();
    let result = if rec.issue_pending {
        let mark = marker(kind, &req);
        let text = IssueText {
            marker: &mark,
            title: &rec.title,
            body: &rec.body,
            label: &ws.config.github.issue_label,
        };
        let known = rec.issue.as_ref().map(|i| i.number);
        issues::open_or_update_issue(&client, &repo, known, &text).and_then(|(issue, created)| {
            let now = crate::clock::now()?.round(jiff::Unit::Second)?;
            let r = recorded_mut(session, kind).expect("recorded above");
            r.issue = Some(IssueRecord::after(
                r.issue.take(),
                issue.number,
                &issue.url,
                created,
                now,
            ));
            r.issue_pending = false;
            r.issue_error = None;
            session.save()?;
            show(Shown::Issue {
                number: issue.number,
                url: &issue.url,
                created,
            });
            Ok(())
        })
    } else {
        close_fixed(ws, session, kind, &client, &repo, show)
    };
    if let Err(e) = result {
        let why = mask(&format!("{e:#}"));
        if let Some(r) = recorded_mut(session, kind) {
            r.issue_error = Some(why.clone());
        }
        session.save()?;
        show(Shown::IssueKept { kind, why: &why });
    }
    Ok(())
}

/// Comments the fix on the issue and closes it, each recorded once done.
fn close_fixed(
    ws: &Workspace,
    session: &mut Session,
    kind: FailureKind,
    client: &Client,
    repo: &RepoId,
    show: &mut dyn FnMut(Shown<'_>),
) -> Result<()> {
    let rec = recorded(session, kind)
        .cloned()
        .expect("the caller found it");
    let (Some(issue), Some(fix)) = (rec.issue.clone(), rec.resolved.clone()) else {
        return Ok(());
    };
    if !fix.commented {
        let push = session.ctx.ledger.push.clone();
        let ctx = json!({
            "kind": kind.as_str(),
            "req": session.req.as_str(),
            "sha": fix.sha,
            "short": short(&fix.sha),
            "refname": push.as_ref().map(|x| x.refname.clone()),
            "remote": push.as_ref().map(|x| x.remote.clone()),
            "at": crate::clock::rfc3339(fix.at),
        });
        let body = mask(&issues::render_template(
            ws,
            "failure-fixed.md",
            FIXED_TEMPLATE,
            &ctx,
        )?);
        pulls::comment_issue(client, repo, issue.number, &body).map_err(|e| e.into_berry())?;
        if let Some(r) = recorded_mut(session, kind).and_then(|r| r.resolved.as_mut()) {
            r.commented = true;
        }
        session.save()?;
    }
    pulls::close_issue(client, repo, issue.number).map_err(|e| e.into_berry())?;
    if let Some(r) = recorded_mut(session, kind).and_then(|r| r.resolved.as_mut()) {
        r.closed = true;
    }
    session.save()?;
    show(Shown::Closed {
        number: issue.number,
        sha: &fix.sha,
        url: &issue.url,
    });
    Ok(())
}

/// What the last run left pending: the issues' texts and fixes, and the failures' notices.
/// Called at the start of `test` and `push`; what still fails stays pending (shown).
pub fn flush(
    ws: &Workspace,
    session: &mut Session,
    opts: &Options,
    effects: &mut dyn Effects,
    show: &mut dyn FnMut(Shown<'_>),
) -> Result<()> {
    if opts.dry_run {
        return Ok(());
    }
    for kind in [FailureKind::Tests, FailureKind::Push] {
        if recorded(session, kind).is_some_and(FailureRecord::github_pending) {
            sync_issue(ws, session, kind, opts, show)?;
        }
    }
    let ids: Vec<String> = session
        .ctx
        .ledger
        .failures
        .iter()
        .map(|f| f.id.clone())
        .collect();
    let pending: Vec<EventRecord> = session
        .ctx
        .ledger
        .events
        .iter()
        .filter(|e| !e.acknowledged && ids.contains(&e.msg_id))
        .cloned()
        .collect();
    for e in pending {
        show(Shown::SendingPending(&e));
        if let Err(err) = effects.send(session, e) {
            show(Shown::Trouble(&err));
        }
    }
    Ok(())
}

/// A fix for `kind` (the push went through at `sha`, or the tests passed for it): the open
/// issue is commented and closed, now or by the next run.
pub fn resolve(
    ws: &Workspace,
    session: &mut Session,
    kind: FailureKind,
    sha: &str,
    opts: &Options,
    show: &mut dyn FnMut(Shown<'_>),
) {
    let Some(rec) = recorded(session, kind) else {
        return;
    };
    if rec.resolved.is_some() || opts.dry_run {
        return;
    }
    let open = rec.issue_open() || rec.issue_pending;
    let at = crate::clock::now()
        .and_then(|t| Ok(t.round(jiff::Unit::Second)?))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let r = recorded_mut(session, kind).expect("found above");
    r.resolved = Some(Resolution {
        sha: sha.to_string(),
        at,
        commented: false,
        closed: !open,
    });
    // A text never written need not be written now: the fix is what counts.
    r.issue_pending = false;
    let saved = session.save().and_then(|_| {
        if open {
            sync_issue(ws, session, kind, opts, show)
        } else {
            Ok(())
        }
    });
    if let Err(e) = saved {
        show(Shown::Trouble(&e));
    }
}

// ---- tests failed ----

/// Tests that failed: their record (saved) and the last lines of each failed command's output.
pub struct FailedTests<'a> {
    pub record: &'a TestsRecord,
    /// (command name, its last lines).
    pub tails: &'a [(String, Vec<String>)],
}

/// After `berry test` failed (the record is saved): asks whether to report it, reports it when
/// the answer is yes (the default, so `--yes` reports), or says how to do it later. Never
/// changes the step's exit code (3); returns what was done for the step's JSON data.
pub fn offer_tests(
    ws: &Workspace,
    session: &mut Session,
    failed: &FailedTests<'_>,
    opts: &Options,
    decide: &dyn Decide,
    effects: &mut dyn Effects,
    show: &mut dyn FnMut(Shown<'_>),
) -> Value {
    let req = session.req.clone();
    let later = format!("berry block {req} --reason \"…\"");
    if opts.dry_run {
        return json!({"done": false});
    }
    let already = failed.record.head.as_deref().is_some_and(|head| {
        let id = notice::failure_id(req.as_str(), outcome(FailureKind::Tests), Some(head));
        session
            .ctx
            .ledger
            .event(&id)
            .is_some_and(|e| e.acknowledged)
    });
    if !opts.answerable {
        if already {
            show(Shown::AlreadyReported { req: req.as_str() });
            return json!({"done": true, "already": true});
        }
        show(Shown::NotReported {
            later: &later,
            declined: false,
        });
        return json!({"done": false, "skipped": "no terminal and no --yes"});
    }
    let question = format!(
        "Open (or update) the issue for the failed tests, mark {req} BLOCKED and publish the blocked notice?"
    );
    match decide.confirm(&question, true, "--yes") {
        Ok(true) => {}
        Ok(false) | Err(_) => {
            show(Shown::NotReported {
                later: &later,
                declined: true,
            });
            return json!({"done": false, "declined": true});
        }
    }
    match report_tests(ws, session, failed, opts, effects, show) {
        Ok(v) => v,
        Err(e) => {
            show(Shown::Trouble(&e));
            let rerun = format!("a rerun of `berry test --yes` finishes it, or: {later}");
            show(Shown::NotFullyReported { rerun: &rerun });
            json!({"done": false, "error": mask(&e.to_string())})
        }
    }
}

fn report_tests(
    ws: &Workspace,
    session: &mut Session,
    &FailedTests {
        record: tests,
        tails,
    }: &FailedTests<'_>,
    opts: &Options,
    effects: &mut dyn Effects,
    show: &mut dyn FnMut(Shown<'_>),
) -> Result<Value> {
    let req = session.req.clone();
    let sha = tests.head.clone();
    let secs = |ms: u64| format!("{:.1}s", ms as f64 / 1000.0);
    let why = |c: &crate::context::TestCommandRecord| {
        if let Some(e) = &c.error {
            e.clone()
        } else if c.timed_out {
            "timed out".into()
        } else {
            match c.exit_code {
                Some(code) => format!("exit code {code}"),
                None => "killed by a signal".into(),
            }
        }
    };
    let commands: Vec<Value> = tests
        .commands
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "argv": mask(&c.argv.join(" ")),
                "dir": c.dir,
                "result": if c.passed { "passed" } else { "FAILED" },
                "exit": c.exit_code.map(|x| x.to_string()).unwrap_or_else(|| "-".into()),
                "duration": secs(c.duration_ms),
            })
        })
        .collect();
    let failed: Vec<Value> = tests
        .commands
        .iter()
        .filter(|c| !c.passed)
        .map(|c| {
            let tail: Vec<String> = tails
                .iter()
                .find(|(n, _)| *n == c.name)
                .map(|(_, t)| t.iter().map(|l| mask(l).replace("```", "'''")).collect())
                .unwrap_or_default();
            json!({"name": c.name, "why": why(c), "tail": tail})
        })
        .collect();
    let not_run: Vec<&String> = ws
        .config
        .test
        .commands
        .iter()
        .map(|c| &c.name)
        .filter(|n| !tests.commands.iter().any(|c| &c.name == *n))
        .collect();
    let first = tests
        .commands
        .iter()
        .find(|c| !c.passed)
        .map(|c| format!("{} failed: {}", c.name, why(c)))
        .unwrap_or_else(|| "a test command failed".into());
    let branch = crate::git::branch_name(&ws.repo);
    let ctx = json!({
        "marker": marker(FailureKind::Tests, req.as_str()),
        "req": req.as_str(),
        "title": session.ctx.title,
        "sha": sha,
        "short": sha.as_deref().map(short),
        "branch": branch,
        "at": crate::clock::rfc3339(tests.at),
        "commands": commands,
        "failed": failed,
        "not_run": not_run,
    });
    let (name, builtin) = template_name(FailureKind::Tests);
    let body = with_marker(
        mask(&issues::render_template(ws, name, builtin, &ctx)?),
        &marker(FailureKind::Tests, req.as_str()),
    );
    let title = format!("{req}: tests failed");
    let error = mask(&first);
    record(
        session,
        FailureKind::Tests,
        sha.as_deref(),
        &error,
        &title,
        &body,
    )?;
    sync_issue(ws, session, FailureKind::Tests, opts, show)?;
    let rec = recorded(session, FailureKind::Tests)
        .cloned()
        .expect("recorded above");
    // Never starting with `REQ-`: the orchestrator reads such a blocker as a link to that REQ.
    let reason = format!(
        "tests failed for {}: {error}{}",
        sha.as_deref().map(short).unwrap_or("HEAD"),
        rec.issue
            .as_ref()
            .map(|i| format!("; issue #{}", i.number))
            .unwrap_or_default()
    );
    // The operator said yes to the whole report: the block asks nothing more.
    let mut data = effects.block(session, &reason, "test", Some(rec.id.clone()), true)?;
    session.record(Step::Block, Outcome::Ok, &reason)?;
    data["done"] = json!(true);
    data["issue"] = json!(rec.issue);
    data["issue_pending"] = json!(rec.issue_pending);
    Ok(data)
}

fn with_marker(body: String, mark: &str) -> String {
    if body.contains(mark) {
        body
    } else {
        format!("{mark}\n{body}")
    }
}

// ---- push failed ----

/// What a push that failed went through, for the issue.
#[derive(Debug, Clone, Default)]
pub struct PushAttempt {
    /// The commit berry tried to push.
    pub sha: String,
    pub branch: String,
    pub remote: String,
    /// Without credentials.
    pub url: String,
    pub refname: String,
    /// Each thing berry tried, in order.
    pub tried: Vec<String>,
    /// The remote's own lines (`remote: …`).
    pub remote_lines: Vec<String>,
}

/// A push berry cannot remedy: records and writes the issue, sends the FAILED notice (the
/// tracker is not touched: the REQ stays IN_PROGRESS), and returns `error` as it was, so the
/// step still exits with it and its hint.
pub fn push_failed(
    ws: &Workspace,
    session: &mut Session,
    attempt: &PushAttempt,
    error: anyhow::Error,
    opts: &Options,
    effects: &mut dyn Effects,
    show: &mut dyn FnMut(Shown<'_>),
) -> anyhow::Error {
    if opts.dry_run {
        return error;
    }
    if let Err(e) = report_push(ws, session, attempt, &error, opts, effects, show) {
        show(Shown::Trouble(&e));
        show(Shown::NotFullyReported {
            rerun: "the next `berry push` sends what is pending.",
        });
    }
    error
}

fn report_push(
    ws: &Workspace,
    session: &mut Session,
    attempt: &PushAttempt,
    error: &anyhow::Error,
    opts: &Options,
    effects: &mut dyn Effects,
    show: &mut dyn FnMut(Shown<'_>),
) -> Result<()> {
    let req = session.req.clone();
    let message = mask(&error.to_string());
    let hints = crate::error::classify(error).hints;
    let hint = (!hints.is_empty()).then(|| mask(&hints.join("; ")));
    let mark = marker(FailureKind::Push, req.as_str());
    let ctx = json!({
        "marker": mark,
        "req": req.as_str(),
        "title": session.ctx.title,
        "sha": attempt.sha,
        "short": short(&attempt.sha),
        "branch": attempt.branch,
        "remote": attempt.remote,
        "url": mask(&github::redact_url(&attempt.url)),
        "refname": attempt.refname,
        "at": crate::clock::rfc3339(crate::clock::now()?),
        "error": message,
        "hint": hint,
        "tried": attempt.tried.iter().map(|t| mask(t)).collect::<Vec<_>>(),
        "remote_lines": attempt
            .remote_lines
            .iter()
            .map(|l| mask(l).replace("```", "'''"))
            .collect::<Vec<_>>(),
    });
    let (name, builtin) = template_name(FailureKind::Push);
    let body = with_marker(
        mask(&issues::render_template(ws, name, builtin, &ctx)?),
        &mark,
    );
    let title = format!("{req}: push failed");
    show(Shown::ReportingPush { req: req.as_str() });
    record(
        session,
        FailureKind::Push,
        Some(&attempt.sha),
        &message,
        &title,
        &body,
    )?;
    sync_issue(ws, session, FailureKind::Push, opts, show)?;
    let rec = recorded(session, FailureKind::Push)
        .cloned()
        .expect("recorded above");
    let subject = crate::nats::subject(&ws.config.nats.subject, req.as_str());
    let payload = match session.ctx.ledger.event(&rec.id) {
        Some(e) => e.payload.clone(),
        None => {
            let files = notice::files_from(
                session.ctx.ledger.commit.as_ref(),
                session.ctx.review.as_ref(),
            );
            let template = notice::Template::load(&ws.root)?;
            let error_text = match &rec.issue {
                Some(i) => format!("{message}; issue #{} ({})", i.number, i.url),
                None => message.clone(),
            };
            let mut v = notice::payload(
                &Notice {
                    req: req.as_str(),
                    title: session.ctx.title.as_deref(),
                    status: Status::Failed,
                    subject: &subject,
                    commit_sha: Some(&attempt.sha),
                    branch: Some(&attempt.branch),
                    pr_url: None,
                    files: &files,
                    tests_passed: crate::workflow::tests_for(
                        &session.ctx,
                        ws.shipped_tree(&session.ctx).as_deref(),
                    ) == crate::workflow::TestsFor::Passed,
                    tests_skipped: None,
                    health: None,
                    checklist: None,
                    ci: "not run (the push failed)",
                    at: crate::clock::now()?,
                    reason: Some(&error_text),
                },
                &template,
            )?;
            if let Some(i) = &rec.issue {
                v["issue_url"] = json!(i.url);
            }
            crate::secrets::mask_json(&v)
        }
    };
    show(Shown::Notice {
        subject: &subject,
        msg_id: &rec.id,
        payload: &payload,
        recorded: session.ctx.ledger.event(&rec.id),
    });
    effects.send(
        session,
        EventRecord {
            kind: Status::Failed.kind(),
            subject,
            msg_id: rec.id.clone(),
            payload,
            acknowledged: false,
            stream: None,
            sent_at: None,
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests;
