//! The failure reports against a local fake of GitHub, with a scripted person and recorded
//! effects: what a question's answer lets through, what is recorded, what stays pending.

use mockito::Matcher;
use serde_json::json;

use super::*;
use crate::context::TestCommandRecord;
use crate::decide::{Answer, Scripted};
use crate::effects::Recorded;
use crate::github::world::World;

fn failed_tests(w: &World) -> TestsRecord {
    TestsRecord {
        passed: false,
        log: "test.log".into(),
        commands: vec![TestCommandRecord {
            name: "unit".into(),
            argv: vec!["npm".into(), "test".into()],
            dir: ".".into(),
            passed: false,
            exit_code: Some(1),
            timed_out: false,
            error: None,
            duration_ms: 1200,
        }],
        head: Some(w.sha()),
        tree: None,
        dirty: vec![],
        at: jiff::Timestamp::UNIX_EPOCH,
    }
}

fn answerable() -> Options {
    Options {
        answerable: true,
        ..Options::default()
    }
}

/// No open issue carries the marker; a new one is #3.
fn issue_opens(w: &mut World, marker: &str) -> Vec<mockito::Mock> {
    vec![
        w.server
            .mock("GET", "/repos/o/r/issues")
            .match_query(Matcher::Any)
            .with_body("[]")
            .create(),
        w.server
            .mock("POST", "/repos/o/r/issues")
            .match_body(Matcher::Regex(regex::escape(marker)))
            .with_status(201)
            .with_body(
                json!({"number": 3, "html_url": "https://github.com/o/r/issues/3"}).to_string(),
            )
            .expect(1)
            .create(),
    ]
}

fn offer(w: &mut World, opts: &Options, decide: &dyn Decide, effects: &mut Recorded) -> Value {
    let tests = failed_tests(w);
    let tails = vec![("unit".to_string(), vec!["expected 1, got 2".to_string()])];
    let failed = FailedTests {
        record: &tests,
        tails: &tails,
    };
    offer_tests(
        &w.ws,
        &mut w.session,
        &failed,
        opts,
        decide,
        effects,
        &mut |_| {},
    )
}

#[test]
fn a_declined_report_records_nothing_and_blocks_nothing() {
    let mut w = World::pushed();
    let any = w.server.mock("POST", Matcher::Any).expect(0).create();
    let person = Scripted::answering([Answer::No]);
    let mut effects = Recorded::default();
    let data = offer(&mut w, &answerable(), &person, &mut effects);
    assert_eq!(data["declined"], json!(true));
    assert_eq!(person.asked().len(), 1);
    assert!(effects.blocked.is_empty());
    assert!(w.saved().ledger.failures.is_empty());
    assert!(w.saved().state.is_none());
    any.assert();
}

#[test]
fn with_nobody_to_answer_nothing_is_asked_or_reported() {
    let mut w = World::pushed();
    let person = Scripted::defaults();
    let mut effects = Recorded::default();
    let data = offer(&mut w, &Options::default(), &person, &mut effects);
    assert_eq!(data["done"], json!(false));
    assert!(person.asked().is_empty(), "nobody was there to ask");
    assert!(effects.blocked.is_empty());
    assert!(w.saved().ledger.failures.is_empty());
}

#[test]
fn yes_opens_the_issue_then_blocks_under_the_failures_own_id() {
    let mut w = World::pushed();
    let mocks = issue_opens(&mut w, &marker(FailureKind::Tests, "REQ-UNIT-1"));
    // `--yes`: the question takes its default, which reports.
    let mut effects = Recorded::default();
    let data = offer(&mut w, &answerable(), &Scripted::defaults(), &mut effects);
    mocks[1].assert();
    assert_eq!(data["done"], json!(true));
    let saved = w.saved();
    let rec = saved.ledger.failures.first().expect("recorded");
    assert_eq!(rec.issue.as_ref().map(|i| i.number), Some(3));
    assert!(!rec.issue_pending);
    let [(step, reason, id)] = &effects.blocked[..] else {
        panic!("one block: {:?}", effects.blocked)
    };
    assert_eq!(step, "test");
    assert_eq!(id.as_deref(), Some(rec.id.as_str()));
    assert!(
        reason.starts_with("tests failed for ")
            && reason.ends_with("unit failed: exit code 1; issue #3"),
        "{reason}"
    );
    assert!(!reason.starts_with("REQ-"));
}

fn attempt(w: &World) -> PushAttempt {
    PushAttempt {
        sha: w.sha(),
        branch: "feature/unit".into(),
        remote: "origin".into(),
        url: "https://github.com/o/r.git".into(),
        refname: "refs/heads/feature/unit".into(),
        tried: vec!["push to origin".into()],
        remote_lines: vec![],
    }
}

fn fail_push(w: &mut World, effects: &mut Recorded) -> anyhow::Error {
    let a = attempt(w);
    push_failed(
        &w.ws,
        &mut w.session,
        &a,
        anyhow::anyhow!("authentication failed for origin"),
        &Options::default(),
        effects,
        &mut |_| {},
    )
}

#[test]
fn a_push_failure_never_blocks_and_sends_one_failed_notice() {
    let mut w = World::pushed();
    let mocks = issue_opens(&mut w, &marker(FailureKind::Push, "REQ-UNIT-1"));
    let mut effects = Recorded::default();
    let err = fail_push(&mut w, &mut effects);
    assert_eq!(
        err.to_string(),
        "authentication failed for origin",
        "the error is returned as it was"
    );
    mocks[1].assert();
    assert!(
        effects.blocked.is_empty(),
        "a push failure leaves the tracker alone"
    );
    let [event] = &effects.sent[..] else {
        panic!("one notice: {:?}", effects.sent)
    };
    let saved = w.saved();
    let rec = saved.ledger.failures.first().unwrap();
    assert_eq!(event.msg_id, rec.id);
    assert_eq!(event.payload["status"], json!("FAILED"));
    assert!(saved.state.is_none());
}

#[test]
fn github_down_keeps_the_issue_pending_and_the_next_flush_sends_it() {
    let mut w = World::pushed();
    let down = w
        .server
        .mock("GET", "/repos/o/r/issues")
        .match_query(Matcher::Any)
        .with_status(500)
        .expect_at_least(1)
        .create();
    let mut effects = Recorded::default();
    fail_push(&mut w, &mut effects);
    down.assert();
    let rec = w.saved().ledger.failures[0].clone();
    assert!(rec.issue_pending, "kept pending");
    assert!(rec.issue_error.is_some());
    assert_eq!(effects.sent.len(), 1, "the notice does not wait for GitHub");
    down.remove();

    let mocks = issue_opens(&mut w, &marker(FailureKind::Push, "REQ-UNIT-1"));
    flush(
        &w.ws,
        &mut w.session,
        &Options::default(),
        &mut effects,
        &mut |_| {},
    )
    .unwrap();
    mocks[1].assert();
    let rec = w.saved().ledger.failures[0].clone();
    assert!(!rec.issue_pending);
    assert_eq!(rec.issue.unwrap().number, 3);
    assert_eq!(
        effects.sent.len(),
        1,
        "the acknowledged notice is not sent again"
    );
}

#[test]
fn the_fix_comments_on_the_issue_and_closes_it_once() {
    let mut w = World::pushed();
    let _mocks = issue_opens(&mut w, &marker(FailureKind::Push, "REQ-UNIT-1"));
    fail_push(&mut w, &mut Recorded::default());
    let comment = w
        .server
        .mock("POST", "/repos/o/r/issues/3/comments")
        .with_status(201)
        .with_body("{}")
        .expect(1)
        .create();
    let close = w
        .server
        .mock("PATCH", "/repos/o/r/issues/3")
        .match_body(Matcher::PartialJson(json!({"state": "closed"})))
        .with_body(json!({"number": 3, "html_url": "https://github.com/o/r/issues/3"}).to_string())
        .expect(1)
        .create();
    let sha = w.sha();
    for _ in 0..2 {
        resolve(
            &w.ws,
            &mut w.session,
            FailureKind::Push,
            &sha,
            &Options::default(),
            &mut |_| {},
        );
    }
    comment.assert();
    close.assert();
    let fix = w.saved().ledger.failures[0].resolved.clone().unwrap();
    assert!(fix.commented && fix.closed);
}
