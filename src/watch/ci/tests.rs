//! `watch` against a local fake of GitHub, on a simulated clock: what each end records, and that
//! the block comes after the issue and before the watch's own record.

use mockito::Matcher;
use serde_json::json;

use super::*;
use crate::context::EventRecord;
use crate::effects::Recorded;
use crate::github::world::World;
use crate::watch::sim::SimClock;

fn opts() -> Options {
    Options {
        appear_timeout: 0.0,
        interval: 1.0,
        timeout: Some(60.0),
        ..Options::default()
    }
}

fn run(w: &mut World, opts: &Options, effects: &mut dyn Effects) -> Result<Done> {
    ci(
        &w.ws,
        &mut w.session,
        opts,
        &mut SimClock::default(),
        effects,
        &mut |_| {},
    )
}

/// One completed run (id 1) with one job (id 11) of `conclusion`, its step "Test" too.
fn one_run(w: &mut World, conclusion: &str) -> Vec<mockito::Mock> {
    let sha = w.sha();
    vec![
        w.server
            .mock("GET", "/repos/o/r/actions/runs")
            .match_query(Matcher::UrlEncoded("head_sha".into(), sha))
            .with_body(
                json!({"workflow_runs": [{"id": 1, "name": "ci", "status": "completed", "conclusion": conclusion, "html_url": "https://github.com/o/r/actions/runs/1", "updated_at": "2026-01-01T00:00:00Z"}]})
                    .to_string(),
            )
            .create(),
        w.server
            .mock("GET", "/repos/o/r/actions/runs/1/jobs")
            .match_query(Matcher::Any)
            .with_body(
                json!({"jobs": [{"id": 11, "name": "test", "status": "completed", "conclusion": conclusion, "html_url": "https://github.com/o/r/actions/runs/1/job/11",
                    "steps": [{"name": "Test", "number": 1, "status": "completed", "conclusion": conclusion}]}]})
                    .to_string(),
            )
            .create(),
    ]
}

/// The fake's issue endpoints: none open with the marker; creating one answers #5.
fn issues(w: &mut World) -> (mockito::Mock, mockito::Mock) {
    let list = w
        .server
        .mock("GET", "/repos/o/r/issues")
        .match_query(Matcher::Any)
        .with_body("[]")
        .create();
    let create = w
        .server
        .mock("POST", "/repos/o/r/issues")
        .match_body(Matcher::Regex("berry:ci-failure REQ-UNIT-1".into()))
        .with_status(201)
        .with_body(json!({"number": 5, "html_url": "https://github.com/o/r/issues/5"}).to_string())
        .expect(1)
        .create();
    (list, create)
}

#[test]
fn green_runs_are_recorded_and_nothing_is_blocked() {
    let mut w = World::pushed();
    let _runs = one_run(&mut w, "success");
    let mut effects = Recorded::default();
    let done = run(&mut w, &opts(), &mut effects).unwrap();
    assert!(matches!(done, Done::Green { .. }));
    assert!(effects.blocked.is_empty());
    let rec = w.saved().ledger.watch.unwrap();
    assert_eq!(rec.conclusion, "success");
    assert_eq!(rec.sha, w.sha());
    assert_eq!(rec.runs.len(), 1);
}

#[test]
fn red_runs_open_the_issue_with_the_failed_steps_log_then_block_then_record() {
    let mut w = World::pushed();
    let _runs = one_run(&mut w, "failure");
    let _log = w
        .server
        .mock("GET", "/repos/o/r/actions/jobs/11/logs")
        .with_body("2026-01-01T00:00:01.0Z ##[error]assertion failed: left == right\n")
        .create();
    let (_list, create) = issues(&mut w);
    let mut effects = Recorded::default();
    let done = run(&mut w, &opts(), &mut effects).unwrap();
    let Done::Red { reason, issue, .. } = done else {
        panic!("red")
    };
    create.assert();
    assert_eq!(issue.number, 5);
    assert_eq!(
        reason,
        format!(
            "CI failed for {}: ci / test (step Test); issue #5",
            short(&w.sha())
        )
    );
    assert_eq!(effects.blocked, [("watch".to_string(), reason, None)]);
    let saved = w.saved();
    assert_eq!(saved.ledger.issue.unwrap().number, 5);
    assert_eq!(saved.ledger.watch.unwrap().conclusion, "failure");
}

/// Blocking refuses (the operator declined, or nobody could be asked): the issue stays recorded,
/// the watch is not, so the rerun watches again and finds the issue by its record.
struct Declines;

impl Effects for Declines {
    fn block(
        &mut self,
        _: &mut Session,
        _: &str,
        step: &str,
        _: Option<String>,
        _: bool,
    ) -> Result<Value> {
        Err(BerryError::declined(format!("{step}: not marked BLOCKED")).into())
    }
    fn send(&mut self, _: &mut Session, _: EventRecord) -> Result<EventRecord> {
        unreachable!("watch sends no notice itself")
    }
}

#[test]
fn a_declined_block_records_no_watch_so_the_rerun_watches_again() {
    let mut w = World::pushed();
    let _runs = one_run(&mut w, "failure");
    let _log = w
        .server
        .mock("GET", "/repos/o/r/actions/jobs/11/logs")
        .with_body("boom\n")
        .create();
    let (_list, _create) = issues(&mut w);
    let err = run(&mut w, &opts(), &mut Declines).err().expect("declined");
    assert_eq!(
        crate::error::classify(&err).kind.exit(),
        crate::error::Exit::Decision
    );
    let saved = w.saved();
    assert!(
        saved.ledger.watch.is_none(),
        "a declined block records no watch"
    );
    assert_eq!(saved.ledger.issue.unwrap().number, 5);
}

#[test]
fn a_rerun_for_the_recorded_sha_asks_github_nothing() {
    let mut w = World::pushed();
    let any = w.server.mock("GET", Matcher::Any).expect(0).create();
    w.session.ctx.ledger.watch = Some(WatchRecord {
        conclusion: "success".into(),
        sha: w.sha(),
        runs: vec![],
        requests: Requests::default(),
        at: jiff::Timestamp::UNIX_EPOCH,
        issue: None,
        reason: None,
    });
    assert!(matches!(
        run(&mut w, &opts(), &mut Recorded::default()).unwrap(),
        Done::Recorded(_)
    ));
    any.assert();
}

#[test]
fn no_run_is_blocked_when_no_ci_says_failure_and_skipped_otherwise() {
    let mut w = World::pushed();
    let sha = w.sha();
    let _runs = w
        .server
        .mock("GET", "/repos/o/r/actions/runs")
        .match_query(Matcher::UrlEncoded("head_sha".into(), sha))
        .with_body(json!({"workflow_runs": []}).to_string())
        .create();
    let mut effects = Recorded::default();
    assert!(matches!(
        run(&mut w, &opts(), &mut effects).unwrap(),
        Done::NoRuns { .. }
    ));
    assert!(effects.blocked.is_empty());
    assert_eq!(w.saved().ledger.watch.unwrap().conclusion, "skipped");

    w.session.ctx.ledger.watch = None;
    w.ws.config.github.no_ci = NoCi::Failure;
    let done = run(&mut w, &opts(), &mut effects).unwrap();
    assert!(matches!(done, Done::NoRunsBlocked { .. }));
    assert_eq!(effects.blocked.len(), 1);
    assert_eq!(w.saved().ledger.watch.unwrap().conclusion, "failure");
}

#[test]
fn a_timeout_records_nothing() {
    let mut w = World::pushed();
    let sha = w.sha();
    let _runs = w
        .server
        .mock("GET", "/repos/o/r/actions/runs")
        .match_query(Matcher::UrlEncoded("head_sha".into(), sha))
        .with_body(
            json!({"workflow_runs": [{"id": 1, "name": "ci", "status": "in_progress", "html_url": "u", "updated_at": "t"}]})
                .to_string(),
        )
        .create();
    let _jobs = w
        .server
        .mock("GET", "/repos/o/r/actions/runs/1/jobs")
        .match_query(Matcher::Any)
        .with_body(json!({"jobs": []}).to_string())
        .create();
    let opts = Options {
        timeout: Some(5.0),
        ..opts()
    };
    let err = run(&mut w, &opts, &mut Recorded::default())
        .err()
        .expect("timed out");
    assert_eq!(
        crate::error::classify(&err).kind.exit(),
        crate::error::Exit::Timeout
    );
    assert!(w.saved().ledger.watch.is_none());
}

#[test]
fn without_github_the_watch_is_recorded_skipped_but_not_in_a_dry_run() {
    let mut w = World::pushed();
    w.without_github();
    let dry = Options {
        dry_run: true,
        ..opts()
    };
    assert!(matches!(
        run(&mut w, &dry, &mut Recorded::default()).unwrap(),
        Done::NoGithub { .. }
    ));
    assert!(w.saved().ledger.watch.is_none());
    let Done::NoGithub { reason, .. } = run(&mut w, &opts(), &mut Recorded::default()).unwrap()
    else {
        panic!("skipped")
    };
    assert_eq!(w.saved().ledger.watch.unwrap().reason, Some(reason));
}

#[test]
fn a_recorded_watch_is_reported_with_the_outcome_its_conclusion_says() {
    let record = |conclusion: &str, issue| WatchRecord {
        conclusion: conclusion.into(),
        sha: "0123456789abcdef".into(),
        runs: vec![],
        requests: Default::default(),
        at: jiff::Timestamp::UNIX_EPOCH,
        issue,
        reason: None,
    };
    let at = jiff::Timestamp::UNIX_EPOCH;
    assert_eq!(
        recorded(&record("success", None)),
        (
            Outcome::Ok,
            format!("CI was green for 0123456789ab (recorded at {at})")
        )
    );
    assert_eq!(recorded(&record("skipped", None)).0, Outcome::Skipped);
    assert_eq!(
        recorded(&record("failure", Some(7))),
        (
            Outcome::Blocked,
            format!("CI failed for 0123456789ab (recorded at {at}; issue #7)")
        )
    );
}
