//! A repository with a GitHub remote, a REQ verified and pushed, and a local fake of GitHub's
//! API (mockito), for the unit tests of the steps that talk to GitHub (`pr`, `watch`, the
//! failure reports). Nothing here reaches the network. [`World::shipped`] is a REQ shipped to a
//! local remote with its tracker entry committed, for the steps that edit the tracker.

use git2::Repository;

use crate::context::{Evidence, PushRecord, Store};
use crate::req::ReqNumber;
use crate::workspace::{Session, Workspace};

/// The tracker of [`World::shipped`], relative to the repository root.
pub const TRACKER: &str = "OWNER_REQUESTS.md";
const TRACKER_TEXT: &str = "# Requests\n\n### REQ-UNIT-1: Unit\n**Status**: IN_PROGRESS\n";

pub struct World {
    _dir: tempfile::TempDir,
    pub server: mockito::ServerGuard,
    pub ws: Workspace,
    pub session: Session,
}

impl World {
    /// `REQ-UNIT-1` verified and pushed to `feature/unit` of `o/r` on GitHub, whose API is the
    /// fake `server`.
    pub fn pushed() -> World {
        let server = mockito::Server::new();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(&root).unwrap();
        let repo = Repository::init(&root).unwrap();
        std::fs::write(root.join("README.md"), "# r\n").unwrap();
        let sha = {
            let mut idx = repo.index().unwrap();
            idx.add_path(std::path::Path::new("README.md")).unwrap();
            idx.write().unwrap();
            let tree = repo.find_tree(idx.write_tree().unwrap()).unwrap();
            let sig = git2::Signature::now("t", "t@example.com").unwrap();
            repo.commit(Some("HEAD"), &sig, &sig, "base", &tree, &[])
                .unwrap()
                .to_string()
        };
        repo.remote("origin", "https://github.com/o/r.git").unwrap();
        let mut config = crate::config::Config::default();
        config.github.api_url = Some(server.url());
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
            url: "https://github.com/o/r.git".into(),
            refname: "refs/heads/feature/unit".into(),
            sha,
            branch: "feature/unit".into(),
            berry_created: false,
            at: jiff::Timestamp::UNIX_EPOCH,
            rebased_from: None,
        });
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
        World {
            _dir: dir,
            server,
            ws,
            session,
        }
    }

    /// `REQ-UNIT-1` committed on `main`, tested for that tree and pushed to a local `origin`
    /// (a bare repository), with `OWNER_REQUESTS.md` committed and its entry `IN_PROGRESS`;
    /// NATS is off, and the fake GitHub is there but named by nothing.
    pub fn shipped() -> World {
        let mut w = World::pushed();
        let origin = w._dir.path().join("origin.git");
        Repository::init_bare(&origin).unwrap();
        let url = format!("file://{}", origin.display());
        let root = w.ws.root.clone();
        std::fs::write(root.join(TRACKER), TRACKER_TEXT).unwrap();
        let repo = &w.ws.repo;
        let mut cfg = repo.config().unwrap();
        cfg.set_str("user.name", "t").unwrap();
        cfg.set_str("user.email", "t@example.com").unwrap();
        cfg.set_bool("commit.gpgsign", false).unwrap();
        cfg.set_str("branch.main.remote", "origin").unwrap();
        cfg.set_str("branch.main.merge", "refs/heads/main").unwrap();
        let (sha, tree) = {
            let mut idx = repo.index().unwrap();
            idx.add_path(std::path::Path::new(TRACKER)).unwrap();
            idx.write().unwrap();
            let tree = repo.find_tree(idx.write_tree().unwrap()).unwrap();
            let sig = git2::Signature::now("t", "t@example.com").unwrap();
            let parent = repo.head().unwrap().peel_to_commit().unwrap();
            let sha = repo
                .commit(None, &sig, &sig, "the change", &tree, &[&parent])
                .unwrap();
            repo.reference("refs/heads/main", sha, true, "unit")
                .unwrap();
            repo.set_head("refs/heads/main").unwrap();
            (sha.to_string(), tree.id().to_string())
        };
        repo.remote_set_url("origin", &url).unwrap();
        repo.find_remote("origin")
            .unwrap()
            .push(&["refs/heads/main:refs/heads/main"], None)
            .unwrap();
        w.ws.config.github.api_url = None;
        w.ws.config.tracker.path = TRACKER.into();
        w.ws.config.nats.publish = false;
        let ledger = &mut w.session.ctx.ledger;
        ledger.commit = Some(crate::context::CommitRecord {
            sha: sha.clone(),
            branch: "main".into(),
            tree: Some(tree.clone()),
            files_changed: 1,
            insertions: 2,
            deletions: 0,
            at: jiff::Timestamp::UNIX_EPOCH,
            files: vec![crate::context::CommittedFile::Path(TRACKER.into())],
            changed_since_review: vec![],
            included_staged: vec![],
            rebased_from: None,
        });
        let push = ledger.push.as_mut().unwrap();
        push.url = url;
        push.refname = "refs/heads/main".into();
        push.branch = "main".into();
        push.sha = sha.clone();
        ledger.tests = Some(crate::context::TestsRecord {
            passed: true,
            log: String::new(),
            commands: vec![],
            head: Some(sha),
            tree: Some(tree),
            dirty: vec![],
            at: jiff::Timestamp::UNIX_EPOCH,
        });
        w.session.save().unwrap();
        w
    }

    /// The tracker file as it is now.
    pub fn tracker(&self) -> String {
        std::fs::read_to_string(self.ws.root.join(TRACKER)).unwrap()
    }

    /// The pushed SHA.
    pub fn sha(&self) -> String {
        self.session.ctx.ledger.push.as_ref().unwrap().sha.clone()
    }

    /// The context as saved (what a rerun would load).
    pub fn saved(&self) -> crate::context::ReqContext {
        self.ws.store.peek(&self.session.req).unwrap().unwrap()
    }

    /// The remote is not GitHub's and nothing names a repository.
    pub fn without_github(&mut self) {
        self.ws.config.github.api_url = None;
        self.ws
            .repo
            .remote_set_url("origin", "file:///nowhere/origin.git")
            .unwrap();
        let push = self.session.ctx.ledger.push.as_mut().unwrap();
        push.url = "file:///nowhere/origin.git".into();
    }
}
