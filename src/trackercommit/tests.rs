//! [`finish`] on a REQ shipped to a local remote: what is committed, pushed and recorded, and
//! what a rerun does.

use super::*;
use crate::github::world::{TRACKER, World};
use crate::tracker::{Edit, file};

/// The REQ's entry set BLOCKED in the working tree, as `block` writes it.
fn edited(w: &mut World) {
    let plan = file::plan(&w.ws, &w.session.req, &Edit::Blocked).unwrap();
    assert!(file::write(&w.session, &plan).unwrap());
    file::record(&mut w.session, &plan, None, false).unwrap();
}

fn run(w: &mut World, dry_run: bool) -> (Result<Finished>, Vec<String>) {
    let mut shown = Vec::new();
    let done = finish(
        &w.ws,
        &mut w.session,
        ReqState::Blocked,
        dry_run,
        &mut |s| {
            shown.push(match s {
                Shown::Committed { adopted, .. } => format!("committed adopted={adopted}"),
                Shown::AlreadyInHead { .. } => "in head".into(),
                Shown::Transfer(Transfer::Started) => "pushing".into(),
                Shown::Transfer(Transfer::Ended) => "push ended".into(),
                Shown::Transfer(Transfer::Objects { .. }) => "progress".into(),
                Shown::Pushed { refname, .. } => format!("pushed {refname}"),
                Shown::Kept(why) => format!("kept: {why}"),
            })
        },
    );
    (done, shown)
}

fn origin_main(w: &World) -> String {
    let origin = Repository::open_bare(w.ws.root.parent().unwrap().join("origin.git")).unwrap();
    origin.refname_to_id("refs/heads/main").unwrap().to_string()
}

#[test]
fn the_tracker_alone_is_committed_pushed_and_recorded_and_a_rerun_commits_nothing() {
    let mut w = World::shipped();
    let shipped = w.sha();
    edited(&mut w);
    let (done, mut shown) = run(&mut w, false);
    let Finished::Done {
        committed: true,
        record: Some(r),
    } = done.unwrap()
    else {
        panic!("committed and recorded")
    };
    shown.retain(|s| s != "progress");
    assert_eq!(
        shown,
        [
            "committed adopted=false",
            "pushing",
            "push ended",
            "pushed refs/heads/main"
        ]
    );
    assert_eq!(r.pushed.as_deref(), Some("origin refs/heads/main"));
    assert_eq!(origin_main(&w), r.sha);
    {
        let repo = &w.ws.repo;
        let c = repo.find_commit(Oid::from_str(&r.sha).unwrap()).unwrap();
        assert_eq!(c.parent_id(0).unwrap().to_string(), shipped);
        let diff = repo
            .diff_tree_to_tree(
                Some(&c.parent(0).unwrap().tree().unwrap()),
                Some(&c.tree().unwrap()),
                None,
            )
            .unwrap();
        let paths: Vec<_> = diff
            .deltas()
            .map(|d| d.new_file().path().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(paths, [TRACKER], "the tracker file alone");
    }
    assert_eq!(w.saved().ledger.tracker_commits.len(), 1);

    // The rerun: recorded and pushed, so nothing is shown, made or sent.
    let (again, shown) = run(&mut w, false);
    assert_eq!(again.unwrap().data()["sha"], r.sha.as_str());
    assert!(shown.is_empty(), "{shown:?}");
    assert_eq!(w.saved().ledger.tracker_commits.len(), 1);
    assert_eq!(origin_main(&w), r.sha);
}

#[test]
fn a_dry_run_commits_nothing_and_says_what_it_would_make() {
    let mut w = World::shipped();
    edited(&mut w);
    let head = w.ws.repo.head().unwrap().target().unwrap();
    let (done, shown) = run(&mut w, true);
    let done = done.unwrap();
    assert_eq!(
        done,
        Finished::DryRun {
            rel: TRACKER.into(),
            subject: subject("REQ-UNIT-1", ReqState::Blocked),
        }
    );
    assert_eq!(done.data()["dry_run"], true);
    assert!(shown.is_empty());
    assert_eq!(w.ws.repo.head().unwrap().target().unwrap(), head);
    assert!(w.saved().ledger.tracker_commits.is_empty());
}

#[test]
fn with_tracker_commit_false_or_unpushed_work_on_the_branch_the_edit_is_left_uncommitted() {
    let mut w = World::shipped();
    edited(&mut w);
    w.ws.config.tracker.commit = Some(false);
    let (done, _) = run(&mut w, false);
    assert_eq!(
        done.unwrap(),
        Finished::Uncommitted("`tracker.commit = false`".into())
    );

    // A commit the remote lacks: the tracker commit could not go out alone.
    w.ws.config.tracker.commit = None;
    let local = {
        let repo = &w.ws.repo;
        let head = repo.head().unwrap().peel_to_commit().unwrap();
        let sig = git2::Signature::now("t", "t@example.com").unwrap();
        repo.commit(
            Some("HEAD"),
            &sig,
            &sig,
            "unpushed",
            &head.tree().unwrap(),
            &[&head],
        )
        .unwrap()
    };
    let (done, shown) = run(&mut w, false);
    let Finished::Uncommitted(why) = done.unwrap() else {
        panic!("left uncommitted")
    };
    assert!(why.contains("would not go out alone"), "{why}");
    assert!(shown.is_empty());
    assert_eq!(w.ws.repo.head().unwrap().target().unwrap(), local);
    assert!(w.saved().ledger.tracker_commits.is_empty());
}

#[test]
fn a_tracker_commit_recorded_on_another_machine_and_never_pushed_is_made_again_here() {
    let mut w = World::shipped();
    edited(&mut w);
    // The shared record holds a commit made elsewhere: not in this repository, not pushed.
    let elsewhere = "0123456789abcdef0123456789abcdef01234567";
    w.session.ctx.ledger.tracker_commits.push(TrackerCommit {
        status: ReqState::Blocked,
        sha: elsewhere.into(),
        branch: "main".into(),
        blob: "89abcdef0123456789abcdef0123456789abcdef".into(),
        at: jiff::Timestamp::UNIX_EPOCH,
        pushed: None,
        not_pushed: None,
    });
    let (done, _) = run(&mut w, false);
    let Finished::Done {
        committed: true,
        record: Some(r),
    } = done.unwrap()
    else {
        panic!("committed and recorded")
    };
    assert_ne!(r.sha, elsewhere);
    assert_eq!(origin_main(&w), r.sha, "made here and pushed");
    let saved = w.saved().ledger.tracker_commits;
    assert_eq!(saved.len(), 1, "the unusable record is replaced: {saved:?}");
    assert_eq!(saved[0].sha, r.sha);
}
