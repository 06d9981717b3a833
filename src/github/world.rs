//! A repository with a GitHub remote, a REQ verified and pushed, and a local fake of GitHub's
//! API (mockito), for the unit tests of the steps that talk to GitHub (`pr`, `watch`, the
//! failure reports). Nothing here reaches the network.

use git2::Repository;

use crate::context::{Evidence, PushRecord, Store};
use crate::req::ReqNumber;
use crate::workspace::{Session, Workspace};

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
        };
        World {
            _dir: dir,
            server,
            ws,
            session,
        }
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
