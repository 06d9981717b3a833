//! The `status --json` view: its shape for an empty context, the records it shows, and which REQ
//! `status` finds.

use serde_json::json;

use super::*;
use crate::context::{FreezeOverride, RollbackRecord, TrackerCommit, TrackerRecord};
use crate::github::world::World;

const EPOCH: &str = "1970-01-01T00:00:00Z";

fn req(s: &str) -> ReqNumber {
    ReqNumber::parse(s).unwrap()
}

fn empty_repo() -> (tempfile::TempDir, git2::Repository) {
    let d = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(d.path()).unwrap();
    (d, repo)
}

#[test]
fn an_empty_context_shows_every_step_not_run_and_verify_next() {
    let (_d, repo) = empty_repo();
    let ctx = ReqContext::new(req("REQ-EMPTY-1"), jiff::Timestamp::UNIX_EPOCH);
    let steps: Vec<Value> = Step::ORDER
        .iter()
        .map(|s| json!({"step": s.as_str(), "outcome": null, "at": null, "message": null}))
        .collect();
    assert_eq!(
        serde_json::to_value(Status::of(&ctx, &repo, false)).unwrap(),
        json!({
            "schema_version": 1,
            "req": "REQ-EMPTY-1",
            "title": null,
            "state": null,
            "next": "verify",
            "updated_at": EPOCH,
            "steps": steps,
            "evidence": null,
            "commit": null,
            "tests": {
                "for_shipped_tree": "not_run", "passed": null, "tree": null, "at": null,
                "log": null, "skipped_reason": null,
            },
            "push": null,
            "pr": null,
            "watch": null,
            "issue": null,
            "health": {
                "for_shipped_commit": "not_run", "sha": null, "passed": null, "at": null,
                "elapsed_ms": null, "checks": [], "skipped_reason": null, "skipped_sha": null,
            },
            "checklist": null,
            "tracker": [],
            "tracker_commits": [],
            "events": [],
            "failures": [],
            "freeze_overrides": [],
            "rollback": null,
        })
    );
}

#[test]
fn the_tracker_commits_freeze_overrides_and_rollback_are_shown() {
    let (_d, repo) = empty_repo();
    let mut ctx = ReqContext::new(req("REQ-SHOWN-1"), jiff::Timestamp::UNIX_EPOCH);
    let at: jiff::Timestamp = "2026-01-09T12:00:00Z".parse().unwrap();
    ctx.ledger.tracker.push(TrackerRecord {
        path: "OWNER_REQUESTS.md".into(),
        status: ReqState::Deployed,
        at: "2026-01-09 12:00".into(),
        commit: Some("abc".into()),
    });
    ctx.ledger.tracker_commits.push(TrackerCommit {
        status: ReqState::Deployed,
        sha: "1".repeat(40),
        branch: "main".into(),
        blob: "2".repeat(40),
        at,
        pushed: Some("origin refs/heads/main".into()),
        not_pushed: None,
    });
    ctx.ledger.freeze_overrides.push(FreezeOverride {
        step: "push".into(),
        window: "\"No Friday deployments\" (Fri 00:00–24:00 UTC)".into(),
        reason: "hotfix".into(),
        at,
    });
    ctx.ledger.rollback = Some(RollbackRecord {
        reason: "broke checkout".into(),
        started_at: at,
        measure_from: at,
        target: "3".repeat(40),
        remote: "origin".into(),
        branch: "main".into(),
        onto: Some("4".repeat(40)),
        revert: Some("5".repeat(40)),
        tested: true,
        tests_ms: 10,
        pushed: None,
        pr_number: Some(7),
        pr_url: Some("https://github.com/o/r/pull/7".into()),
        health: None,
        duration_ms: None,
    });
    let v = serde_json::to_value(Status::of(&ctx, &repo, false)).unwrap();
    assert_eq!(
        v["tracker"],
        json!([{"path": "OWNER_REQUESTS.md", "status": "DEPLOYED", "at": "2026-01-09 12:00", "commit": "abc"}])
    );
    assert_eq!(
        v["tracker_commits"],
        json!([{
            "status": "DEPLOYED", "sha": "1".repeat(40), "branch": "main",
            "at": "2026-01-09T12:00:00Z", "pushed": "origin refs/heads/main", "not_pushed": null,
        }])
    );
    assert_eq!(
        v["freeze_overrides"],
        json!([{
            "step": "push", "window": "\"No Friday deployments\" (Fri 00:00–24:00 UTC)",
            "reason": "hotfix", "at": "2026-01-09T12:00:00Z",
        }])
    );
    assert_eq!(
        v["rollback"],
        json!({
            "reason": "broke checkout", "started_at": "2026-01-09T12:00:00Z",
            "target": "3".repeat(40), "remote": "origin", "branch": "main",
            "onto": "4".repeat(40), "revert": "5".repeat(40), "tested": true, "pushed": null,
            "pr": {"number": 7, "url": "https://github.com/o/r/pull/7"},
            "health_passed": null, "duration_ms": null,
        })
    );
}

#[test]
fn status_lists_without_a_req_says_nothing_recorded_for_an_unknown_one_and_shows_a_known_one() {
    let w = World::pushed();
    match status(&w.ws, None).unwrap() {
        Found::List(reqs) => assert_eq!(reqs, vec![req("REQ-UNIT-1")]),
        _ => panic!("no REQ is current: the list"),
    }
    match status(&w.ws, Some(req("REQ-OTHER-2"))).unwrap() {
        Found::Nothing(n) => assert_eq!(
            serde_json::to_value(n).unwrap(),
            json!({"schema_version": 1, "req": "REQ-OTHER-2", "next": "verify", "steps": []})
        ),
        _ => panic!("nothing recorded for REQ-OTHER-2"),
    }
    w.ws.store.set_current(&req("REQ-UNIT-1")).unwrap();
    match status(&w.ws, None).unwrap() {
        Found::Recorded { ctx, status } => {
            assert_eq!(ctx.req, req("REQ-UNIT-1"));
            let push = status.push.unwrap();
            assert_eq!(push.sha, w.sha());
            assert_eq!(
                serde_json::to_value(&push).unwrap()["ref"],
                "refs/heads/feature/unit"
            );
        }
        _ => panic!("the current REQ is shown"),
    }
}
