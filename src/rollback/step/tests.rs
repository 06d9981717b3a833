//! `rollback::step` against a local bare remote: the revert on the remote head, pushed and
//! recorded once; a conflict changes nothing; a dry run does nothing.

use std::cell::RefCell;
use std::path::Path;

use git2::Repository;

use super::*;
use crate::context::{Evidence, PushRecord, Store};
use crate::effects::Recorded;
use crate::error::Exit;
use crate::req::ReqNumber;
use crate::trackercommit::Tracked;

const TRACKER: &str = "OWNER_REQUESTS.md";

/// What the view was shown, in short words.
#[derive(Default)]
struct Kept(RefCell<Vec<String>>);

impl View for Kept {
    fn show(&self, s: Shown<'_>) {
        let word = match s {
            Shown::Resuming { .. } => "resuming",
            Shown::Freeze(_) => "freeze",
            Shown::Starting { .. } => "starting",
            Shown::Reverted { .. } => "reverted",
            Shown::NoTests => "no tests",
            Shown::Testing(_) => "testing",
            Shown::Tested { .. } => "tested",
            Shown::Pushed { .. } => "pushed",
            Shown::RevertPr { .. } => "revert pr",
            Shown::NoHealthChecks => "no health checks",
            Shown::Health(_) => "health",
            Shown::Duration { .. } => "duration",
            Shown::Tracker(Tracked::Written(_)) => "tracker written",
            Shown::Tracker(Tracked::Commit(_)) => "tracker commit",
            Shown::Tracker(Tracked::Finished(_)) => "tracker committed",
            Shown::Notice { .. } => "notice",
        };
        self.0.borrow_mut().push(word.to_string());
    }
}

/// `REQ-UNIT-1` shipped: its commit (adding `feature.txt`) pushed to the `main` of a local bare
/// `origin` and completed (DEPLOYED in the tracker).
struct Shipped {
    dir: tempfile::TempDir,
    ws: Workspace,
    session: Session,
    shipped: Oid,
}

/// Writes `files` into the working tree and commits them on HEAD (`main`).
fn commit_files(repo: &Repository, root: &Path, files: &[(&str, &str)], msg: &str) -> Oid {
    let mut idx = repo.index().unwrap();
    for (name, text) in files {
        std::fs::write(root.join(name), text).unwrap();
        idx.add_path(Path::new(name)).unwrap();
    }
    idx.write().unwrap();
    let tree = repo.find_tree(idx.write_tree().unwrap()).unwrap();
    let sig = repo.signature().unwrap();
    let parents: Vec<git2::Commit<'_>> = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .into_iter()
        .collect();
    let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, msg, &tree, &parents)
        .unwrap()
}

fn push_to(repo: &Repository, url: &str, local: &str, remote_branch: &str) {
    let t = Target {
        remote: "origin".into(),
        url: url.into(),
        local_branch: local.into(),
        remote_branch: remote_branch.into(),
    };
    let sources = CredentialSources {
        token: None,
        timeout: std::time::Duration::from_secs(60),
        ca_file: None,
    };
    let spec = PushSpec {
        target: &t,
        local_ref: format!("refs/heads/{local}"),
        force: false,
        sources: &sources,
    };
    crate::push::push(repo, &spec, &|_, _, _| {}).unwrap();
}

impl Shipped {
    fn new() -> Shipped {
        let dir = tempfile::tempdir().unwrap();
        let origin = dir.path().join("origin.git");
        Repository::init_bare(&origin).unwrap();
        let root = dir.path().join("repo");
        let repo = Repository::init(&root).unwrap();
        repo.set_head("refs/heads/main").unwrap();
        {
            let mut cfg = repo.config().unwrap();
            cfg.set_str("user.name", "T").unwrap();
            cfg.set_str("user.email", "t@example.com").unwrap();
        }
        let url = format!("file://{}", origin.display());
        repo.remote("origin", &url).unwrap();
        commit_files(
            &repo,
            &root,
            &[
                ("README.md", "# r\n"),
                (
                    TRACKER,
                    "# Requests\n\n### REQ-UNIT-1: Unit\n\n**Status**: DEPLOYED\n**Owner**: me\n\n---\n",
                ),
            ],
            "base",
        );
        let shipped = commit_files(
            &repo,
            &root,
            &[("feature.txt", "one\n")],
            "REQ-UNIT-1: Unit",
        );
        push_to(&repo, &url, "main", "main");

        let mut config = crate::config::Config::default();
        config.test.commands = vec![];
        config.tracker.path = TRACKER.into();
        let store = Store::at(dir.path().join("state"));
        let req = ReqNumber::parse("REQ-UNIT-1").unwrap();
        let mut session = Session::open(&store, req, "unit").unwrap();
        session.ctx.title = Some("Unit".into());
        session.ctx.evidence = Some(Evidence {
            source: "fixed".into(),
            verified_at: jiff::Timestamp::UNIX_EPOCH,
            approved: true,
            reasons: vec![],
            qa: None,
            deliverables: vec![],
        });
        session.ctx.ledger.push = Some(PushRecord {
            remote: "origin".into(),
            url: url.clone(),
            refname: "refs/heads/main".into(),
            sha: shipped.to_string(),
            branch: "main".into(),
            berry_created: false,
            at: jiff::Timestamp::UNIX_EPOCH,
            rebased_from: None,
        });
        session.ctx.state = Some(ReqState::Deployed);
        session
            .record(Step::Complete, Outcome::Ok, "complete")
            .unwrap();
        let gate = crate::gateconfig::load(&repo, &root, None, None).unwrap();
        let ws = Workspace {
            gate,
            repo,
            root,
            config,
            config_file: None,
            store,
            outer: Default::default(),
            layers: crate::settings::Layers::defaults(),
            resolved: false,
        };
        Shipped {
            dir,
            ws,
            session,
            shipped,
        }
    }

    fn url(&self) -> String {
        format!("file://{}", self.dir.path().join("origin.git").display())
    }

    fn on_origin(&self) -> Oid {
        Repository::open_bare(self.dir.path().join("origin.git"))
            .unwrap()
            .refname_to_id("refs/heads/main")
            .unwrap()
    }

    fn saved(&self) -> crate::context::ReqContext {
        self.ws.store.peek(&self.session.req).unwrap().unwrap()
    }

    fn run(&mut self, opts: &Options, effects: &mut Recorded) -> (Result<Done>, Vec<String>) {
        let view = Kept::default();
        let done = step(&self.ws, &mut self.session, opts, effects, &view);
        (done, view.0.into_inner())
    }
}

fn because() -> Options {
    Options {
        reason: "broke checkout".into(),
        ..Options::default()
    }
}

#[test]
fn the_revert_is_made_on_the_remote_head_pushed_recorded_and_a_rerun_does_nothing_twice() {
    let mut w = Shipped::new();
    // Someone pushed after the shipped commit: the revert goes on top of that.
    let theirs = commit_files(&w.ws.repo, &w.ws.root, &[("other.txt", "x\n")], "other");
    let url = w.url();
    push_to(&w.ws.repo, &url, "main", "main");
    w.ws.repo
        .reference(
            "refs/heads/main",
            w.shipped,
            true,
            "back to the shipped commit",
        )
        .unwrap();
    w.ws.repo
        .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .unwrap();

    let mut effects = Recorded::default();
    let (done, shown) = w.run(&because(), &mut effects);
    let Done::RolledBack {
        record,
        sent,
        message,
        ..
    } = done.unwrap()
    else {
        panic!("not rolled back")
    };
    let revert = Oid::from_str(record.revert.as_deref().unwrap()).unwrap();
    assert_eq!(record.onto, Some(theirs.to_string()));
    assert_eq!(
        w.ws.repo.find_commit(revert).unwrap().parent_id(0).unwrap(),
        theirs
    );
    assert_eq!(record.pushed.as_deref(), Some("origin refs/heads/main"));
    assert!(sent);
    assert!(message.contains("ROLLED_BACK"), "{message}");
    assert_eq!(&shown[..4], ["starting", "reverted", "no tests", "pushed"]);
    assert!(shown.contains(&"notice".to_string()), "{shown:?}");
    // The revert is on the remote (the tracker commit, if one was made, on top of it).
    let tip = w.on_origin();
    assert!(tip == revert || w.ws.repo.graph_descendant_of(tip, revert).unwrap());
    assert!(
        !w.ws.root.join("feature.txt").exists(),
        "the working tree is the revert's"
    );
    let tracker = std::fs::read_to_string(w.ws.root.join(TRACKER)).unwrap();
    assert!(tracker.contains("**Status**: ROLLED_BACK"), "{tracker}");
    let saved = w.saved();
    assert_eq!(saved.state, Some(ReqState::RolledBack));
    assert_eq!(saved.ledger.rollback, Some(record.clone()));
    assert_eq!(effects.sent.len(), 1);

    // The rerun: nothing reverted, pushed or sent again.
    let (done, shown) = w.run(&because(), &mut effects);
    match done.unwrap() {
        Done::Already(r) => assert_eq!(r, record),
        other => panic!("{other:?}"),
    }
    assert!(shown.is_empty(), "{shown:?}");
    assert_eq!(effects.sent.len(), 1);
    assert_eq!(w.on_origin(), tip);
}

#[test]
fn a_conflicting_revert_changes_nothing_and_names_the_file() {
    let mut w = Shipped::new();
    // The remote head changed the shipped file since.
    commit_files(&w.ws.repo, &w.ws.root, &[("feature.txt", "two\n")], "edit");
    let url = w.url();
    push_to(&w.ws.repo, &url, "main", "main");
    let theirs = w.on_origin();
    w.ws.repo
        .reference(
            "refs/heads/main",
            w.shipped,
            true,
            "back to the shipped commit",
        )
        .unwrap();
    w.ws.repo
        .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .unwrap();

    let mut effects = Recorded::default();
    let (done, shown) = w.run(&because(), &mut effects);
    let e = done.unwrap_err();
    assert_eq!(crate::error::classify(&e).exit, Exit::Gate, "{e:#}");
    assert!(e.to_string().contains("conflicts in: feature.txt"), "{e:#}");
    assert_eq!(shown, ["starting"]);
    assert_eq!(w.on_origin(), theirs);
    assert_eq!(
        w.ws.repo.refname_to_id("refs/heads/main").unwrap(),
        w.shipped
    );
    assert_eq!(
        std::fs::read_to_string(w.ws.root.join("feature.txt")).unwrap(),
        "one\n"
    );
    let saved = w.saved();
    assert_eq!(saved.state, Some(ReqState::Deployed));
    assert_eq!(saved.ledger.rollback.unwrap().revert, None);
    assert!(effects.sent.is_empty());
}

#[test]
fn a_dry_run_does_nothing() {
    let mut w = Shipped::new();
    let mut effects = Recorded::default();
    let opts = Options {
        dry_run: true,
        ..because()
    };
    let (done, shown) = w.run(&opts, &mut effects);
    match done.unwrap() {
        Done::DryRun { sha, branch, .. } => {
            assert_eq!((sha, branch.as_str()), (w.shipped.to_string(), "main"))
        }
        other => panic!("{other:?}"),
    }
    assert!(shown.is_empty(), "{shown:?}");
    assert_eq!(w.on_origin(), w.shipped);
    assert_eq!(w.saved().ledger.rollback, None);
    assert!(effects.sent.is_empty());
}

#[test]
fn a_req_that_was_not_completed_is_not_rolled_back() {
    let mut w = Shipped::new();
    w.session.ctx.state = None;
    w.session.ctx.steps.clear();
    w.session.save().unwrap();
    let mut effects = Recorded::default();
    let (done, _) = w.run(&because(), &mut effects);
    let e = done.unwrap_err();
    assert_eq!(crate::error::classify(&e).exit, Exit::Usage, "{e:#}");
    assert_eq!(w.on_origin(), w.shipped);
    assert_eq!(w.saved().ledger.rollback, None);
}
