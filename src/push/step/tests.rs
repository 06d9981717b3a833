//! `push::step` against a local bare remote: what is pushed, what is recorded, what a rerun, a
//! declined question and a broken lease do.

use std::cell::RefCell;

use git2::Repository;
use serde_json::json;

use super::*;
use crate::context::{EvidenceItem, Store, TestsRecord};
use crate::decide::{Answer, Scripted};
use crate::deliverables::Row;
use crate::effects::Recorded;
use crate::error::Exit;
use crate::req::ReqNumber;

/// QA's deliverable as the fake source holds it now.
struct Fixed(Vec<Row>);

impl Source for Fixed {
    fn describe(&self) -> String {
        "fixed rows".into()
    }
    fn latest(&mut self, _req: &ReqNumber) -> Result<Vec<Row>> {
        Ok(self.0.clone())
    }
    fn known_reqs(&mut self, _limit: usize) -> Result<Vec<String>> {
        Ok(vec![])
    }
}

/// What the view was shown, in short words.
#[derive(Default)]
struct Kept(RefCell<Vec<String>>);

impl View for Kept {
    fn show(&self, s: Shown<'_>) {
        self.0.borrow_mut().push(match s {
            Shown::Failure(_) => "failure".into(),
            Shown::TestsSkipped { tree, .. } => format!("skipped {tree}"),
            Shown::Freeze(_) => "freeze".into(),
            Shown::Pushing { target, force, .. } => {
                format!("pushing {} force={force}", target.remote_branch)
            }
            Shown::Remote(_) => "remote".into(),
            Shown::Retrying { .. } => "retrying".into(),
            Shown::Rebasing { .. } => "rebasing".into(),
            Shown::Rebased { .. } => "rebased".into(),
            Shown::ToFeature { .. } => "to feature".into(),
            Shown::Verified(r) => format!("verified {}", r.sha),
        })
    }
    fn transfer(&self, _t: Transfer) {}
}

/// `REQ-UNIT-1` verified, committed on `main` and tested for that commit's tree, in a
/// repository whose `origin` is a local bare repository holding `main`'s parent.
struct Local {
    dir: tempfile::TempDir,
    ws: Workspace,
    session: Session,
    qa: Row,
    base: Oid,
    tip: Oid,
}

fn qa_row(text: &str) -> Row {
    Row {
        id: "row-1".into(),
        agent: "billy".into(),
        stage: None,
        created_at: None,
        deliverable: json!({"status": "approved", "note": text}),
        parse_error: None,
    }
}

/// A commit on `parent` adding `name`, on `refname`.
fn commit_on(repo: &Repository, parent: Oid, refname: &str, name: &str) -> Oid {
    let parent = repo.find_commit(parent).unwrap();
    let mut b = repo.treebuilder(Some(&parent.tree().unwrap())).unwrap();
    b.insert(name, repo.blob(name.as_bytes()).unwrap(), 0o100644)
        .unwrap();
    let tree = repo.find_tree(b.write().unwrap()).unwrap();
    let sig = git2::Signature::now("T", "t@example.com").unwrap();
    let id = repo
        .commit(None, &sig, &sig, name, &tree, &[&parent])
        .unwrap();
    repo.reference(refname, id, true, "test").unwrap();
    id
}

fn tree_of(repo: &Repository, id: Oid) -> String {
    repo.find_commit(id).unwrap().tree_id().to_string()
}

impl Local {
    fn new() -> Local {
        let dir = tempfile::tempdir().unwrap();
        let origin = dir.path().join("origin.git");
        Repository::init_bare(&origin).unwrap();
        let root = dir.path().join("repo");
        let repo = Repository::init(&root).unwrap();
        let url = format!("file://{}", origin.display());
        repo.remote("origin", &url).unwrap();
        let sig = git2::Signature::now("T", "t@example.com").unwrap();
        let mut b = repo.treebuilder(None).unwrap();
        b.insert("README.md", repo.blob(b"# r\n").unwrap(), 0o100644)
            .unwrap();
        let tree = repo.find_tree(b.write().unwrap()).unwrap();
        let base = repo
            .commit(Some("refs/heads/main"), &sig, &sig, "base", &tree, &[])
            .unwrap();
        drop((tree, b));
        repo.set_head("refs/heads/main").unwrap();
        // The remote holds the base.
        repo.reference("refs/heads/published", base, true, "test")
            .unwrap();
        let t = Target {
            remote: "origin".into(),
            url: url.clone(),
            local_branch: "published".into(),
            remote_branch: "main".into(),
        };
        let sources = CredentialSources {
            token: None,
            timeout: Duration::from_secs(60),
            ca_file: None,
        };
        let spec = PushSpec {
            target: &t,
            local_ref: "refs/heads/published".into(),
            force: false,
            sources: &sources,
        };
        crate::push::push(&repo, &spec, &|_, _, _| {}).unwrap();
        // Berry's commit on top.
        let tip = commit_on(&repo, base, "refs/heads/main", "feature.txt");
        let tree = tree_of(&repo, tip);

        let config = crate::config::Config::default();
        let store = Store::at(dir.path().join("state"));
        let req = ReqNumber::parse("REQ-UNIT-1").unwrap();
        let mut session = Session::open(&store, req, "unit").unwrap();
        let qa = qa_row("ok");
        session.ctx.title = Some("Unit".into());
        session.ctx.evidence = Some(crate::context::Evidence {
            source: "fixed".into(),
            verified_at: jiff::Timestamp::UNIX_EPOCH,
            approved: true,
            reasons: vec![],
            qa: Some(EvidenceItem {
                agent: config.agents.qa.clone(),
                row_id: qa.id.clone(),
                created_at: None,
                sha256: qa.sha256(),
                status: Some("approved".into()),
            }),
            deliverables: vec![],
        });
        session.ctx.ledger.commit = Some(
            serde_json::from_value(json!({
                "sha": tip.to_string(),
                "branch": "main",
                "tree": tree,
                "at": "2026-01-01T00:00:00Z",
            }))
            .unwrap(),
        );
        session.ctx.ledger.tests = Some(tests_for(&tree));
        session.save().unwrap();
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
        Local {
            dir,
            ws,
            session,
            qa,
            base,
            tip,
        }
    }

    fn origin(&self) -> Repository {
        Repository::open_bare(self.dir.path().join("origin.git")).unwrap()
    }

    /// The remote's `refs/heads/<branch>`.
    fn on_origin(&self, branch: &str) -> Option<Oid> {
        self.origin()
            .refname_to_id(&format!("refs/heads/{branch}"))
            .ok()
    }

    /// The context as saved (what a rerun would load).
    fn saved(&self) -> crate::context::ReqContext {
        self.ws.store.peek(&self.session.req).unwrap().unwrap()
    }

    fn run(&mut self, opts: &Options, decide: &dyn Decide) -> (Result<Pushed>, Vec<String>) {
        let view = Kept::default();
        let row = self.qa.clone();
        let mut effects = Recorded::default();
        let done = step(
            &self.ws,
            &mut self.session,
            opts,
            decide,
            &mut effects,
            &mut || Ok(Box::new(Fixed(vec![row.clone()])) as Box<dyn Source>),
            &view,
        );
        (done, view.0.into_inner())
    }
}

fn tests_for(tree: &str) -> TestsRecord {
    TestsRecord {
        passed: true,
        log: "log".into(),
        commands: vec![],
        head: None,
        tree: Some(tree.into()),
        dirty: vec![],
        at: jiff::Timestamp::UNIX_EPOCH,
    }
}

fn exit(e: &anyhow::Error) -> Exit {
    crate::error::classify(e).exit
}

#[test]
fn a_push_is_read_back_and_recorded_and_a_rerun_pushes_nothing() {
    let mut w = Local::new();
    let (done, shown) = w.run(&Options::default(), &Scripted::defaults());
    let Pushed::Pushed { record, message } = done.unwrap() else {
        panic!("not pushed")
    };
    assert_eq!(record.sha, w.tip.to_string());
    assert_eq!(record.refname, "refs/heads/main");
    assert!(!record.berry_created);
    assert_eq!(
        message,
        format!("pushed {} to refs/heads/main", short(&record.sha))
    );
    assert_eq!(w.on_origin("main"), Some(w.tip));
    assert_eq!(w.saved().ledger.push, Some(record.clone()));
    assert_eq!(
        shown,
        vec![
            "pushing main force=false".to_string(),
            format!("verified {}", w.tip)
        ]
    );

    // The rerun finds the record: nothing is pushed, nothing asked, the record stays.
    let d = Scripted::answering([]);
    let (done, shown) = w.run(&Options::default(), &d);
    match done.unwrap() {
        Pushed::Recorded(r) => assert_eq!(r, record),
        other => panic!("{other:?}"),
    }
    assert!(shown.is_empty(), "{shown:?}");
    assert!(d.asked().is_empty());
    assert_eq!(w.saved().ledger.push, Some(record));
}

#[test]
fn a_tree_the_tests_did_not_pass_for_is_never_pushed() {
    let mut w = Local::new();
    w.session.ctx.ledger.tests = Some(tests_for(&tree_of(&w.ws.repo, w.base)));
    w.session.save().unwrap();
    let (done, shown) = w.run(&Options::default(), &Scripted::defaults());
    let e = done.unwrap_err();
    assert_eq!(exit(&e), Exit::Usage, "{e:#}");
    assert!(e.to_string().contains("the tests ran for tree"), "{e:#}");
    assert!(shown.is_empty(), "{shown:?}");
    assert_eq!(w.on_origin("main"), Some(w.base));
    assert_eq!(w.saved().ledger.push, None);
}

#[test]
fn skip_tests_with_a_reason_is_recorded_for_the_pushed_tree_before_it_leaves() {
    let mut w = Local::new();
    w.session.ctx.ledger.tests = None;
    w.session.save().unwrap();
    let opts = Options {
        skip_tests: true,
        reason: Some("  hotfix  ".into()),
        ..Options::default()
    };
    let (done, shown) = w.run(&opts, &Scripted::defaults());
    assert!(matches!(done.unwrap(), Pushed::Pushed { .. }));
    let tree = tree_of(&w.ws.repo, w.tip);
    let skipped = w.saved().ledger.tests_skipped.unwrap();
    assert_eq!(
        (skipped.tree.as_str(), skipped.reason.as_str()),
        (tree.as_str(), "hotfix")
    );
    assert_eq!(shown[0], format!("skipped {tree}"));
    assert_eq!(w.on_origin("main"), Some(w.tip));
}

#[test]
fn a_dry_run_pushes_and_records_nothing() {
    let mut w = Local::new();
    w.session.ctx.ledger.tests = None;
    w.session.save().unwrap();
    let opts = Options {
        skip_tests: true,
        reason: Some("would skip".into()),
        dry_run: true,
        ..Options::default()
    };
    // Not even the skip is recorded, so the tests' gate still refuses.
    let (done, _) = w.run(&opts, &Scripted::defaults());
    assert_eq!(exit(&done.unwrap_err()), Exit::Usage);
    w.session.ctx.ledger.tests = Some(tests_for(&tree_of(&w.ws.repo, w.tip)));
    w.session.save().unwrap();
    let (done, shown) = w.run(&opts, &Scripted::defaults());
    match done.unwrap() {
        Pushed::DryRun {
            branch,
            tip,
            target,
        } => {
            assert_eq!((branch.as_str(), tip), ("main", w.tip.to_string()));
            assert_eq!(target.remote_ref(), "refs/heads/main");
        }
        other => panic!("{other:?}"),
    }
    assert!(shown.is_empty(), "{shown:?}");
    assert_eq!(w.on_origin("main"), Some(w.base));
    let saved = w.saved();
    assert_eq!(saved.ledger.push, None);
    assert_eq!(saved.ledger.tests_skipped, None);
}

#[test]
fn changed_qa_evidence_closes_the_gate_before_anything_leaves() {
    let mut w = Local::new();
    w.qa = qa_row("edited after verify");
    let (done, _) = w.run(&Options::default(), &Scripted::defaults());
    let e = done.unwrap_err();
    assert_eq!(exit(&e), Exit::Gate, "{e:#}");
    assert!(e.to_string().contains("the QA evidence changed"), "{e:#}");
    assert_eq!(w.on_origin("main"), Some(w.base));
    assert_eq!(w.saved().ledger.push, None);
}

/// Someone else's commit on the remote's `main`, which berry's branch lacks.
fn moved_on(w: &Local) -> Oid {
    let theirs = commit_on(&w.ws.repo, w.base, "refs/heads/theirs", "theirs.txt");
    let t = Target {
        remote: "origin".into(),
        url: format!("file://{}", w.dir.path().join("origin.git").display()),
        local_branch: "theirs".into(),
        remote_branch: "main".into(),
    };
    let sources = CredentialSources {
        token: None,
        timeout: Duration::from_secs(60),
        ca_file: None,
    };
    let spec = PushSpec {
        target: &t,
        local_ref: "refs/heads/theirs".into(),
        force: false,
        sources: &sources,
    };
    crate::push::push(&w.ws.repo, &spec, &|_, _, _| {}).unwrap();
    theirs
}

#[test]
fn a_declined_rebase_leaves_nothing_pushed_and_nothing_recorded() {
    let mut w = Local::new();
    let theirs = moved_on(&w);
    let before = w.saved().ledger.commit;
    let d = Scripted::answering([Answer::No]);
    let (done, shown) = w.run(&Options::default(), &d);
    let e = done.unwrap_err();
    assert_eq!(exit(&e), Exit::Decision, "{e:#}");
    assert_eq!(d.asked().len(), 1);
    assert!(
        d.asked()[0].contains("Fetch them and rebase"),
        "{:?}",
        d.asked()
    );
    assert_eq!(shown, vec!["pushing main force=false", "remote"]);
    assert_eq!(w.on_origin("main"), Some(theirs));
    let saved = w.saved();
    assert_eq!(saved.ledger.push, None);
    assert_eq!(
        saved.ledger.commit, before,
        "the commit record is untouched"
    );
    assert_eq!(w.ws.repo.refname_to_id("refs/heads/main").unwrap(), w.tip);
}

#[test]
fn an_accepted_rebase_records_the_rebased_commit_and_stops_until_it_is_tested() {
    let mut w = Local::new();
    let theirs = moved_on(&w);
    let (done, shown) = w.run(&Options::default(), &Scripted::defaults());
    let e = done.unwrap_err();
    assert_eq!(exit(&e), Exit::Usage, "{e:#}");
    let hints = crate::error::classify(&e).hints;
    assert!(
        hints.iter().any(|h| h.contains("was not tested")),
        "{hints:?}"
    );
    assert_eq!(
        shown,
        vec!["pushing main force=false", "remote", "rebasing", "rebased"]
    );
    let rebased = w.ws.repo.refname_to_id("refs/heads/main").unwrap();
    assert_ne!(rebased, w.tip);
    assert!(w.ws.repo.graph_descendant_of(rebased, theirs).unwrap());
    let saved = w.saved();
    let c = saved.ledger.commit.unwrap();
    assert_eq!(c.sha, rebased.to_string());
    assert_eq!(c.rebased_from, Some(w.tip.to_string()));
    assert_eq!(saved.ledger.push, None);
    assert_eq!(w.on_origin("main"), Some(theirs), "nothing untested left");
}

#[test]
fn berrys_own_branch_moved_by_someone_else_is_never_overwritten() {
    let mut w = Local::new();
    // berry pushed an earlier commit to its own feature branch; someone pushed over it since.
    let earlier = w.base;
    let feature = "feature/REQ-UNIT-1";
    let someone = commit_on(&w.ws.repo, w.base, "refs/heads/someone", "someone.txt");
    let t = Target {
        remote: "origin".into(),
        url: format!("file://{}", w.dir.path().join("origin.git").display()),
        local_branch: "someone".into(),
        remote_branch: feature.into(),
    };
    let sources = CredentialSources {
        token: None,
        timeout: Duration::from_secs(60),
        ca_file: None,
    };
    let spec = PushSpec {
        target: &t,
        local_ref: "refs/heads/someone".into(),
        force: false,
        sources: &sources,
    };
    crate::push::push(&w.ws.repo, &spec, &|_, _, _| {}).unwrap();
    w.session.ctx.ledger.push = Some(PushRecord {
        remote: "origin".into(),
        url: t.url.clone(),
        refname: format!("refs/heads/{feature}"),
        sha: earlier.to_string(),
        branch: feature.into(),
        berry_created: true,
        at: jiff::Timestamp::UNIX_EPOCH,
        rebased_from: None,
    });
    w.session.save().unwrap();
    let before = w.saved().ledger.push;

    let (done, shown) = w.run(&Options::default(), &Scripted::defaults());
    let e = done.unwrap_err();
    assert_eq!(exit(&e), Exit::Failure, "{e:#}");
    assert!(e.to_string().contains("someone else pushed to it"), "{e:#}");
    assert!(shown.is_empty(), "nothing was pushed: {shown:?}");
    assert_eq!(w.on_origin(feature), Some(someone));
    assert_eq!(w.saved().ledger.push, before);
}

#[test]
fn berrys_own_branch_as_berry_left_it_is_pushed_with_the_lease() {
    let mut w = Local::new();
    let feature = "feature/REQ-UNIT-1";
    // berry pushed the base to its own branch before; the commit to push now is another.
    let t = Target {
        remote: "origin".into(),
        url: format!("file://{}", w.dir.path().join("origin.git").display()),
        local_branch: "published".into(),
        remote_branch: feature.into(),
    };
    let sources = CredentialSources {
        token: None,
        timeout: Duration::from_secs(60),
        ca_file: None,
    };
    let spec = PushSpec {
        target: &t,
        local_ref: "refs/heads/published".into(),
        force: false,
        sources: &sources,
    };
    crate::push::push(&w.ws.repo, &spec, &|_, _, _| {}).unwrap();
    w.session.ctx.ledger.push = Some(PushRecord {
        remote: "origin".into(),
        url: t.url.clone(),
        refname: format!("refs/heads/{feature}"),
        sha: w.base.to_string(),
        branch: feature.into(),
        berry_created: true,
        at: jiff::Timestamp::UNIX_EPOCH,
        rebased_from: None,
    });
    w.session.save().unwrap();
    let (done, shown) = w.run(&Options::default(), &Scripted::defaults());
    let Pushed::Pushed { record, .. } = done.unwrap() else {
        panic!("not pushed")
    };
    assert_eq!(shown[0], format!("pushing {feature} force=true"));
    assert_eq!(record.branch, feature);
    assert!(record.berry_created);
    assert_eq!(w.on_origin(feature), Some(w.tip));
    assert_eq!(w.on_origin("main"), Some(w.base), "main is left alone");
}
