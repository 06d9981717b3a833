//! [`block`] on a REQ shipped to a local remote, with scripted answers and recorded effects.

use super::*;
use crate::decide::{Answer, Scripted};
use crate::effects::Recorded;
use crate::github::world::World;

fn opts(dry_run: bool) -> Options {
    Options {
        reason: "the vendor API is down".into(),
        step: "block".into(),
        msg_id: None,
        dry_run,
    }
}

fn run(
    w: &mut World,
    opts: &Options,
    decide: &Scripted,
    effects: &mut Recorded,
) -> (Result<Done>, Vec<String>) {
    let mut shown = Vec::new();
    let done = block(&w.ws, &mut w.session, opts, decide, effects, &mut |s| {
        shown.push(match s {
            Shown::Blocking { plan, .. } => format!("blocking changed={}", plan.edited.changed),
            Shown::Tracker(Tracked::Written(_)) => "written".into(),
            Shown::Tracker(Tracked::Commit(trackercommit::Shown::Committed { .. })) => {
                "committed".into()
            }
            Shown::Tracker(Tracked::Commit(trackercommit::Shown::Pushed { .. })) => "pushed".into(),
            Shown::Tracker(Tracked::Commit(_)) => return,
            Shown::Tracker(Tracked::Finished(f)) => {
                format!("tracker commit {}", f.data()["committed"])
            }
        })
    });
    (done, shown)
}

#[test]
fn a_declined_question_writes_sends_and_records_nothing() {
    let mut w = World::shipped();
    let before = w.tracker();
    let decide = Scripted::answering([Answer::No]);
    let mut effects = Recorded::default();
    let (done, shown) = run(&mut w, &opts(false), &decide, &mut effects);
    let e = done.err().expect("declined");
    assert_eq!(
        crate::error::classify(&e).exit,
        crate::error::Exit::Decision
    );
    assert!(
        e.to_string()
            .contains("block: REQ-UNIT-1 was not marked BLOCKED"),
        "{e}"
    );
    assert_eq!(
        decide.asked(),
        ["Mark REQ-UNIT-1 BLOCKED in OWNER_REQUESTS.md and publish the blocked notice?"]
    );
    assert_eq!(shown, ["blocking changed=true"]);
    assert_eq!(w.tracker(), before);
    let saved = w.saved();
    assert!(saved.state.is_none());
    assert!(saved.ledger.tracker.is_empty() && saved.ledger.tracker_commits.is_empty());
    assert!(saved.ledger.events.is_empty() && effects.sent.is_empty());
}

#[test]
fn with_yes_the_entry_is_blocked_committed_pushed_and_announced_and_a_rerun_does_nothing_twice() {
    let mut w = World::shipped();
    let mut effects = Recorded::default();
    let (done, shown) = run(&mut w, &opts(false), &Scripted::defaults(), &mut effects);
    let done = done.unwrap();
    assert!(matches!(done, Done::Blocked { .. }));
    assert_eq!(
        shown,
        [
            "blocking changed=true",
            "written",
            "committed",
            "pushed",
            "tracker commit true"
        ]
    );
    let data = done.data();
    assert_eq!(data["sent"], true);
    assert_eq!(data["tracker"]["status"], "BLOCKED");
    assert!(w.tracker().contains("**Status**: BLOCKED"));
    let saved = w.saved();
    assert_eq!(saved.state, Some(ReqState::Blocked));
    assert_eq!(saved.ledger.tracker.len(), 1);
    assert_eq!(saved.ledger.tracker_commits.len(), 1);
    assert_eq!(effects.sent.len(), 1);
    let sent = &effects.sent[0];
    assert_eq!(sent.msg_id, data["msg_id"].as_str().unwrap());
    assert_eq!(sent.payload["status"], "BLOCKED");
    assert_eq!(sent.payload["commit_sha"], w.sha().as_str());

    // The rerun: reported, nothing asked, written, committed or sent again.
    let decide = Scripted::answering([Answer::No]);
    let mut again = Recorded::default();
    let (done, shown) = run(&mut w, &opts(false), &decide, &mut again);
    let Done::Already { msg_id, .. } = done.unwrap() else {
        panic!("already blocked")
    };
    assert_eq!(msg_id, sent.msg_id);
    assert!(decide.asked().is_empty());
    assert_eq!(shown, ["tracker commit true"]);
    assert!(again.sent.is_empty());
    let saved = w.saved();
    assert_eq!(saved.ledger.tracker.len(), 1);
    assert_eq!(saved.ledger.tracker_commits.len(), 1);
    assert_eq!(saved.ledger.events.len(), 1);
}

#[test]
fn a_dry_run_shows_the_edit_and_the_notice_and_changes_nothing() {
    let mut w = World::shipped();
    let before = w.tracker();
    let decide = Scripted::answering([Answer::No]);
    let mut effects = Recorded::default();
    let (done, shown) = run(&mut w, &opts(true), &decide, &mut effects);
    assert!(matches!(done.unwrap(), Done::DryRun { .. }));
    assert_eq!(shown, ["blocking changed=true", "tracker commit false"]);
    assert!(decide.asked().is_empty());
    assert_eq!(w.tracker(), before);
    let saved = w.saved();
    assert!(saved.state.is_none() && saved.ledger.tracker.is_empty());
    assert!(saved.ledger.events.is_empty() && effects.sent.is_empty());
}

#[test]
fn a_notice_left_pending_is_sent_again_with_its_recorded_payload_and_the_callers_id() {
    let mut w = World::shipped();
    let mut opts = opts(false);
    opts.msg_id = Some("REQ-UNIT-1-failure-tests-abc".into());
    // An earlier run wrote the tracker and recorded the notice as pending, then was killed.
    let plan = file::plan(&w.ws, &w.session.req, &Edit::Blocked).unwrap();
    file::write(&w.session, &plan).unwrap();
    let payload = json!({"status": "BLOCKED", "summary": "as recorded"});
    w.session.ctx.ledger.events.push(EventRecord {
        kind: Status::Blocked.kind(),
        subject: "s".into(),
        msg_id: opts.msg_id.clone().unwrap(),
        payload: payload.clone(),
        acknowledged: false,
        stream: None,
        sent_at: None,
    });
    w.session.save().unwrap();
    let decide = Scripted::defaults();
    let mut effects = Recorded::default();
    let (done, shown) = run(&mut w, &opts, &decide, &mut effects);
    assert!(matches!(done.unwrap(), Done::Blocked { .. }));
    assert_eq!(
        decide.asked(),
        ["Mark REQ-UNIT-1 BLOCKED and publish the blocked notice?"]
    );
    assert_eq!(shown[0], "blocking changed=false");
    assert!(!shown.contains(&"written".to_string()));
    assert_eq!(effects.sent.len(), 1);
    assert_eq!(effects.sent[0].payload, payload);
    assert_eq!(w.saved().ledger.events.len(), 1);
}

#[test]
fn by_hand_the_step_is_recorded_with_its_reason_and_a_dry_run_records_nothing() {
    let mut w = World::shipped();
    let mut effects = Recorded::default();
    let (done, _) = run(&mut w, &opts(true), &Scripted::defaults(), &mut effects);
    let message = recorded(&mut w.session, &done.unwrap(), &opts(true)).unwrap();
    assert_eq!(message, "REQ-UNIT-1 would be marked BLOCKED (dry run)");
    assert!(!w.saved().steps.contains_key(&Step::Block));

    for (want, answers) in [
        ("REQ-UNIT-1 marked BLOCKED", Scripted::defaults()),
        (
            "REQ-UNIT-1 was already BLOCKED and announced",
            Scripted::answering([Answer::No]),
        ),
    ] {
        let (done, _) = run(&mut w, &opts(false), &answers, &mut effects);
        let message = recorded(&mut w.session, &done.unwrap(), &opts(false)).unwrap();
        assert_eq!(message, want);
        let saved = w.saved();
        let step = saved.steps.get(&Step::Block).expect("recorded");
        assert_eq!(step.outcome, Outcome::Ok);
        assert_eq!(step.message, "the vendor API is down");
    }
}
