//! `pr` against a local fake of GitHub: what is sent, what is recorded, what a rerun does.

use mockito::Matcher;
use serde_json::json;

use super::*;
use crate::github::world::World;

fn run(w: &mut World, opts: &Options) -> (Result<Done>, Vec<String>) {
    let mut shown = Vec::new();
    let done = pr(&w.ws, &mut w.session, opts, &mut || Ok(vec![]), &mut |s| {
        shown.push(match s {
            Shown::Recorded(_) => "recorded".to_string(),
            Shown::DeliverablesUnread(_) => "unread".into(),
            Shown::NoToken { .. } => "no token".into(),
            Shown::LookingUp => "looking up".into(),
            Shown::Open { existing, .. } => format!("open existing={existing}"),
            Shown::ReviewRequested(r) => format!("reviewers {}", r.join(",")),
            Shown::Labelled(l) => format!("labels {}", l.join(",")),
        })
    });
    (done, shown)
}

fn pull(number: u64, head: &str) -> serde_json::Value {
    json!({
        "number": number,
        "html_url": format!("https://github.com/o/r/pull/{number}"),
        "state": "open",
        "draft": false,
        "head": {"ref": head, "repo": {"full_name": "o/r"}},
        "base": {"ref": "main"},
    })
}

fn default_branch(w: &mut World, name: &str) -> mockito::Mock {
    w.server
        .mock("GET", "/repos/o/r")
        .with_body(json!({"default_branch": name}).to_string())
        .create()
}

#[test]
fn a_new_pull_request_is_opened_recorded_with_its_reviewers_and_labels() {
    let mut w = World::pushed();
    let _repo = default_branch(&mut w, "main");
    let _list = w
        .server
        .mock("GET", Matcher::Regex("^/repos/o/r/pulls\\?".into()))
        .with_body("[]")
        .create();
    let create = w
        .server
        .mock("POST", "/repos/o/r/pulls")
        .match_body(Matcher::PartialJson(
            json!({"head": "feature/unit", "base": "main", "title": "REQ-UNIT-1: Unit"}),
        ))
        .with_status(201)
        .with_body(pull(9, "feature/unit").to_string())
        .expect(1)
        .create();
    let reviewers = w
        .server
        .mock("POST", "/repos/o/r/pulls/9/requested_reviewers")
        .match_body(Matcher::Json(json!({"reviewers": ["ana"]})))
        .with_status(201)
        .with_body("{}")
        .expect(1)
        .create();
    let labels = w
        .server
        .mock("POST", "/repos/o/r/issues/9/labels")
        .with_body("[]")
        .expect(1)
        .create();
    let opts = Options {
        reviewers: vec!["ana".into()],
        labels: vec!["ship".into()],
        ..Options::default()
    };
    let (done, shown) = run(&mut w, &opts);
    assert!(matches!(done.unwrap(), Done::Open { ref record, .. } if !record.existing));
    assert_eq!(
        shown,
        [
            "no token",
            "open existing=false",
            "reviewers ana",
            "labels ship"
        ]
    );
    create.assert();
    reviewers.assert();
    labels.assert();
    let rec = w.saved().ledger.pr.unwrap();
    assert_eq!(rec.number, Some(9));
    assert_eq!(rec.reviewers, ["ana"]);
    assert_eq!(rec.labels, ["ship"]);
}

#[test]
fn a_rerun_applies_only_the_reviewers_the_record_lacks_and_opens_nothing() {
    let mut w = World::pushed();
    let mut rec = record_for("feature/unit", jiff::Timestamp::UNIX_EPOCH);
    rec.number = Some(7);
    rec.url = Some("https://github.com/o/r/pull/7".into());
    rec.reviewers = vec!["ana".into()];
    w.session.ctx.ledger.pr = Some(rec);
    let create = w.server.mock("POST", "/repos/o/r/pulls").expect(0).create();
    let reviewers = w
        .server
        .mock("POST", "/repos/o/r/pulls/7/requested_reviewers")
        .match_body(Matcher::Json(json!({"reviewers": ["bo"]})))
        .with_status(201)
        .with_body("{}")
        .expect(1)
        .create();
    let opts = Options {
        reviewers: vec!["ana".into(), "bo".into()],
        ..Options::default()
    };
    let (done, shown) = run(&mut w, &opts);
    let Done::Resumed(rec) = done.unwrap() else {
        panic!("a rerun with a new reviewer resumes the recorded pull request")
    };
    assert_eq!(rec.reviewers, ["ana", "bo"]);
    assert_eq!(shown, ["recorded", "no token", "reviewers bo"]);
    create.assert();
    reviewers.assert();
    assert_eq!(w.saved().ledger.pr.unwrap().reviewers, ["ana", "bo"]);

    // Asked again with nothing new: reported, nothing sent.
    let (done, shown) = run(&mut w, &opts);
    assert!(matches!(done.unwrap(), Done::Recorded(_)));
    assert!(shown.is_empty());
    reviewers.assert();
}

#[test]
fn on_the_default_branch_no_pull_request_is_needed_and_none_is_opened() {
    let mut w = World::pushed();
    w.session.ctx.ledger.push.as_mut().unwrap().branch = "main".into();
    let _repo = default_branch(&mut w, "main");
    let create = w.server.mock("POST", "/repos/o/r/pulls").expect(0).create();
    let (done, _) = run(&mut w, &Options::default());
    assert!(matches!(done.unwrap(), Done::NotNeeded { .. }));
    create.assert();
    let rec = w.saved().ledger.pr.unwrap();
    assert!(rec.not_needed);
    assert_eq!(rec.base.as_deref(), Some("main"));
}

#[test]
fn already_exists_is_answered_by_adopting_the_open_one() {
    let mut w = World::pushed();
    let _repo = default_branch(&mut w, "main");
    // The first lookup (with the base) finds nothing; after GitHub's 422 the one without a
    // base finds it.
    let _list = w
        .server
        .mock("GET", Matcher::Regex("^/repos/o/r/pulls\\?".into()))
        .with_body(json!([{"state": "open", "head": {"ref": "feature/unit", "repo": {"full_name": "o/r"}}, "base": {"ref": "release"}, "number": 4, "html_url": "https://github.com/o/r/pull/4"}]).to_string())
        .create();
    let _create = w
        .server
        .mock("POST", "/repos/o/r/pulls")
        .with_status(422)
        .with_body(
            json!({"message": "Validation Failed", "errors": [{"resource": "PullRequest", "code": "custom", "message": "A pull request already exists for o:feature/unit."}]})
                .to_string(),
        )
        .create();
    let (done, shown) = run(&mut w, &Options::default());
    let Done::Open { record, pull } = done.unwrap() else {
        panic!("adopted")
    };
    assert_eq!(pull.number, 4);
    assert!(record.existing);
    assert_eq!(shown, ["no token", "looking up", "open existing=true"]);
}

#[test]
fn a_dry_run_sends_nothing_and_records_nothing() {
    let mut w = World::pushed();
    let any = w.server.mock("GET", Matcher::Any).expect(0).create();
    let opts = Options {
        dry_run: true,
        labels: vec!["ship".into()],
        ..Options::default()
    };
    let (done, _) = run(&mut w, &opts);
    let Done::DryRun { new, labels, .. } = done.unwrap() else {
        panic!("a dry run")
    };
    assert_eq!(new.base, "<default branch>");
    assert_eq!(labels, ["ship"]);
    any.assert();
    assert!(w.saved().ledger.pr.is_none());
}

#[test]
fn without_a_github_repository_the_step_is_recorded_skipped_with_the_reason() {
    let mut w = World::pushed();
    w.without_github();
    let (done, _) = run(&mut w, &Options::default());
    let Done::Skipped(rec) = done.unwrap() else {
        panic!("skipped")
    };
    let why = rec.skipped.unwrap();
    assert!(why.starts_with("no GitHub repository: origin is"), "{why}");
    assert_eq!(w.saved().ledger.pr.unwrap().skipped.as_deref(), Some(&*why));
    // The rerun reports the record.
    assert!(matches!(
        run(&mut w, &Options::default()).0.unwrap(),
        Done::RecordedSkipped(_)
    ));
}
