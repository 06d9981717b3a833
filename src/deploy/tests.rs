//! [`complete`] on a REQ shipped to a local remote, with scripted answers, recorded effects and
//! the deliverables as a list.

use super::*;
use crate::context::{EvidenceItem, WatchRecord};
use crate::decide::{Answer, Scripted};
use crate::deliverables::Row;
use crate::effects::Recorded;
use crate::github::world::World;

/// The deliverables as they are now.
struct Rows(Vec<Row>);

impl Source for Rows {
    fn describe(&self) -> String {
        "the test's rows".into()
    }
    fn latest(&mut self, _req: &crate::req::ReqNumber) -> Result<Vec<Row>> {
        Ok(self.0.clone())
    }
    fn known_reqs(&mut self, _limit: usize) -> Result<Vec<String>> {
        Ok(vec![])
    }
}

fn qa_row(w: &World, text: &str) -> Row {
    Row {
        id: "row-1".into(),
        agent: w.ws.config.agents.qa.clone(),
        stage: None,
        created_at: None,
        deliverable: json!({"status": "PASS", "summary": text}),
        parse_error: None,
    }
}

/// [`World::shipped`], QA's approval bound to its row, CI green for the pushed SHA.
fn world() -> World {
    let mut w = World::shipped();
    let row = qa_row(&w, "all good");
    let evidence = w.session.ctx.evidence.as_mut().unwrap();
    evidence.qa = Some(EvidenceItem {
        agent: row.agent.clone(),
        row_id: row.id.clone(),
        created_at: None,
        sha256: row.sha256(),
        status: None,
    });
    w.session.ctx.ledger.watch = Some(WatchRecord {
        conclusion: "success".into(),
        sha: w.sha(),
        runs: vec![],
        requests: Default::default(),
        at: jiff::Timestamp::UNIX_EPOCH,
        issue: None,
        reason: None,
    });
    w.session.save().unwrap();
    w
}

fn run(
    w: &mut World,
    opts: &Options,
    decide: &Scripted,
    effects: &mut Recorded,
) -> (Result<Done>, Vec<String>) {
    let rows = vec![qa_row(w, "all good")];
    let mut shown = Vec::new();
    let done = complete(
        &w.ws,
        &mut w.session,
        opts,
        &mut || Ok(Box::new(Rows(rows.clone()))),
        decide,
        effects,
        &mut |s| {
            shown.push(match s {
                Shown::Freeze(_) => "freeze".to_string(),
                Shown::Completing { plan, ci, .. } => {
                    format!("completing changed={} ci={ci}", plan.edited.changed)
                }
                Shown::Tracker(Tracked::Written(_)) => "written".into(),
                Shown::Tracker(Tracked::Commit(trackercommit::Shown::Committed { .. })) => {
                    "committed".into()
                }
                Shown::Tracker(Tracked::Commit(trackercommit::Shown::Pushed { .. })) => {
                    "pushed".into()
                }
                Shown::Tracker(Tracked::Commit(_)) => return,
                Shown::Tracker(Tracked::Finished(f)) => {
                    format!("tracker commit {}", f.data()["committed"])
                }
            })
        },
    );
    (done, shown)
}

fn exit(done: Result<Done>) -> crate::error::Exit {
    crate::error::classify(&done.err().expect("an error")).exit
}

/// Nothing written, recorded or sent: the tracker as `before`, no step record, no notice.
fn untouched(w: &World, before: &str, effects: &Recorded) {
    assert_eq!(w.tracker(), before);
    let saved = w.saved();
    assert!(saved.state.is_none());
    assert!(saved.ledger.tracker.is_empty() && saved.ledger.tracker_commits.is_empty());
    assert!(saved.ledger.events.is_empty() && effects.sent.is_empty());
    assert!(!saved.steps.contains_key(&Step::Complete));
}

#[test]
fn with_yes_the_req_is_deployed_committed_and_announced_and_a_rerun_does_nothing_twice() {
    let mut w = world();
    let mut effects = Recorded::default();
    let (done, shown) = run(
        &mut w,
        &Options::default(),
        &Scripted::defaults(),
        &mut effects,
    );
    let Done::Completed { short, data, .. } = done.unwrap() else {
        panic!("completed")
    };
    assert_eq!(
        shown,
        [
            "completing changed=true ci=success",
            "written",
            "committed",
            "pushed",
            "tracker commit true"
        ]
    );
    assert_eq!(short, notice::short_sha(&w.sha()));
    let tracker = w.tracker();
    assert!(tracker.contains("**Status**: DEPLOYED"), "{tracker}");
    assert!(
        tracker.contains(&format!("**Commit**: {short}")),
        "{tracker}"
    );
    let saved = w.saved();
    assert_eq!(saved.state, Some(ReqState::Deployed));
    assert_eq!(saved.steps[&Step::Complete].outcome, Outcome::Ok);
    assert_eq!(saved.ledger.tracker.len(), 1);
    assert_eq!(saved.ledger.tracker_commits.len(), 1);
    assert_eq!(effects.sent.len(), 1);
    let sent = &effects.sent[0];
    assert_eq!(sent.msg_id, data["msg_id"].as_str().unwrap());
    assert_eq!(sent.payload["tests_passed"], true);
    assert_eq!(sent.payload["ci"], "success");

    // The rerun: reported, nothing asked, re-checked, written, committed or sent again.
    let decide = Scripted::answering([Answer::No]);
    let mut again = Recorded::default();
    let (done, shown) = run(&mut w, &Options::default(), &decide, &mut again);
    let Done::Already { msg_id, data, .. } = done.unwrap() else {
        panic!("already complete")
    };
    assert_eq!(msg_id, sent.msg_id);
    assert_eq!(data["already_done"], true);
    assert!(decide.asked().is_empty());
    assert_eq!(shown, ["tracker commit true"]);
    assert!(again.sent.is_empty());
    let saved = w.saved();
    assert_eq!(saved.ledger.tracker.len(), 1);
    assert_eq!(saved.ledger.tracker_commits.len(), 1);
    assert_eq!(saved.ledger.events.len(), 1);
}

#[test]
fn a_declined_question_writes_records_and_sends_nothing() {
    let mut w = world();
    let before = w.tracker();
    let decide = Scripted::answering([Answer::No]);
    let mut effects = Recorded::default();
    let (done, _) = run(&mut w, &Options::default(), &decide, &mut effects);
    assert_eq!(exit(done), crate::error::Exit::Decision);
    assert_eq!(
        decide.asked(),
        ["Mark REQ-UNIT-1 DEPLOYED in OWNER_REQUESTS.md and publish the completion notice?"]
    );
    untouched(&w, &before, &effects);
}

#[test]
fn a_dry_run_shows_and_records_nothing_even_the_skips_and_the_override() {
    let mut w = world();
    w.session.ctx.ledger.watch = None;
    w.ws.gate.freeze = vec![every_day()];
    let before = w.tracker();
    let opts = Options {
        no_ci: true,
        no_health: true,
        override_freeze: true,
        reason: Some("hotfix".into()),
        dry_run: true,
        ..Options::default()
    };
    let decide = Scripted::answering([Answer::No]);
    let mut effects = Recorded::default();
    let (done, shown) = run(&mut w, &opts, &decide, &mut effects);
    assert!(matches!(done.unwrap(), Done::DryRun { .. }));
    assert_eq!(
        shown,
        [
            "freeze",
            "completing changed=true ci=not required (--no-ci: hotfix)",
            "tracker commit false"
        ]
    );
    assert!(decide.asked().is_empty());
    untouched(&w, &before, &effects);
    let saved = w.saved();
    assert!(saved.ledger.freeze_overrides.is_empty() && saved.ledger.health_skipped.is_none());
}

fn every_day() -> crate::freeze::Window {
    crate::freeze::Window {
        name: Some("always".into()),
        days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
            .map(String::from)
            .to_vec(),
        ..Default::default()
    }
}

#[test]
fn a_freeze_refuses_and_an_override_is_recorded_and_reaches_the_notice() {
    let mut w = world();
    w.ws.gate.freeze = vec![every_day()];
    let before = w.tracker();
    let mut effects = Recorded::default();
    let (done, _) = run(
        &mut w,
        &Options::default(),
        &Scripted::defaults(),
        &mut effects,
    );
    assert_eq!(exit(done), crate::error::Exit::Gate);
    untouched(&w, &before, &effects);

    let opts = Options {
        override_freeze: true,
        reason: Some("the fix for the outage".into()),
        ..Options::default()
    };
    let (done, shown) = run(&mut w, &opts, &Scripted::defaults(), &mut effects);
    assert!(matches!(done.unwrap(), Done::Completed { .. }));
    assert_eq!(shown[0], "freeze");
    let overrides = w.saved().ledger.freeze_overrides;
    assert_eq!(overrides.len(), 1);
    assert_eq!(overrides[0].reason, "the fix for the outage");
    let notice = &effects.sent[0].payload;
    assert_eq!(
        notice["freeze_overrides"][0]["reason"],
        "the fix for the outage"
    );
}

#[test]
fn without_a_green_watch_or_passed_tests_the_gate_is_closed_until_a_reason_is_given() {
    let mut w = world();
    w.session.ctx.ledger.watch.as_mut().unwrap().conclusion = "failure".into();
    w.session.ctx.ledger.tests.as_mut().unwrap().passed = false;
    let before = w.tracker();
    let mut effects = Recorded::default();
    let (done, _) = run(
        &mut w,
        &Options::default(),
        &Scripted::defaults(),
        &mut effects,
    );
    assert_eq!(exit(done), crate::error::Exit::Gate);
    let no_ci = Options {
        no_ci: true,
        reason: Some("CI is down".into()),
        ..Options::default()
    };
    let (done, _) = run(&mut w, &no_ci, &Scripted::defaults(), &mut effects);
    assert_eq!(
        exit(done),
        crate::error::Exit::Gate,
        "the tests still failed"
    );
    untouched(&w, &before, &effects);

    let both = Options {
        skip_tests: true,
        ..no_ci
    };
    let (done, _) = run(&mut w, &both, &Scripted::defaults(), &mut effects);
    assert!(matches!(done.unwrap(), Done::Completed { .. }));
    let saved = w.saved();
    let skipped = saved.ledger.tests_skipped.as_ref().unwrap();
    assert_eq!(skipped.reason, "CI is down");
    let notice = &effects.sent[0].payload;
    assert_eq!(notice["ci"], "not required (--no-ci: CI is down)");
    assert_eq!(notice["tests_passed"], false);
    assert_eq!(notice["tests_skipped"], true);
}

#[test]
fn qa_evidence_changed_since_verify_closes_the_gate_and_nothing_is_written() {
    let mut w = world();
    w.session
        .ctx
        .evidence
        .as_mut()
        .unwrap()
        .qa
        .as_mut()
        .unwrap()
        .sha256 = "sha256:0000000000000000".into();
    let before = w.tracker();
    let mut effects = Recorded::default();
    let (done, _) = run(
        &mut w,
        &Options::default(),
        &Scripted::defaults(),
        &mut effects,
    );
    let e = done.err().unwrap();
    assert_eq!(crate::error::classify(&e).exit, crate::error::Exit::Gate);
    assert!(e.to_string().contains("the QA evidence changed"), "{e}");
    untouched(&w, &before, &effects);
}
