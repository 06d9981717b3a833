//! What every step works in: the opened repository with the configuration in force for a REQ
//! ([`Workspace`]), and a REQ's context locked for the life of the step ([`Session`]). The command
//! layer opens them (it reads the user's file and the environment into [`crate::settings::Outer`]);
//! the work modules take them as plain values.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use git2::Repository;

use crate::config::Config;
use crate::context::{ReqContext, ReqLock, Store};
use crate::gateconfig::{self, GateConfig};
use crate::req::ReqNumber;
use crate::secrets::RuleSet;
use crate::workflow::{Outcome, Step};

/// An opened repository with its configuration and state folder.
pub struct Workspace {
    pub repo: Repository,
    pub root: PathBuf,
    /// The configuration in force (see [`crate::gateconfig`]: the committed `berry.toml` unless
    /// a change to it was accepted for the REQ, or the operator's `--config`).
    pub config: Config,
    pub config_file: Option<PathBuf>,
    /// How `config` was chosen, and the working tree's change to `berry.toml`, if any.
    pub gate: GateConfig,
    pub store: Store,
    /// The user's file, environment variables and flags around the repository's layer.
    pub outer: crate::settings::Outer,
    /// Every layer `config` was resolved from (for `berry config`).
    pub layers: crate::settings::Layers,
    /// Whether `config` and `layers` were resolved from `gate` (see [`Workspace::settle_for`]).
    pub resolved: bool,
}

impl Workspace {
    /// Opens the repository at `dir` (or the current folder's) with the configuration in force
    /// for `req` (else `CURRENT`): `explicit` (`--config`) when given, else the committed
    /// `berry.toml` or the working tree's change to it accepted for the REQ, between the layers
    /// of `outer`. The passwords and secret rules of that configuration are registered with the
    /// masker.
    pub fn open(
        dir: Option<&Path>,
        explicit: Option<&Path>,
        req: Option<&ReqNumber>,
        outer: crate::settings::Outer,
    ) -> Result<Workspace> {
        let repo = crate::git::open(dir)?;
        let root = crate::git::workdir(&repo)?;
        let store =
            Store::for_git_dir(repo.path(), outer.state_dir.as_deref()).waiting(outer.lock_wait);
        let req = match req {
            Some(r) => Some(r.clone()),
            None => store.current().ok().flatten(),
        };
        let gate = gateconfig::load(&repo, &root, explicit, None)?;
        let mut ws = Workspace {
            layers: crate::settings::Layers::defaults(),
            gate,
            repo,
            root,
            config: Config::default(),
            config_file: None,
            store,
            outer,
            resolved: false,
        };
        match req {
            Some(req) => ws.settle_for(&req)?,
            None => ws.apply_layers()?,
        }
        if ws.config.state.backend == crate::config::StateBackend::NatsKv {
            let opts = crate::nats::Options::resolve(&ws.config.nats)?;
            let kv = crate::nats::Kv::new(opts, ws.config.state.bucket.clone());
            ws.store = ws.store.clone().with_remote(std::sync::Arc::new(kv));
        }
        // Passwords the configuration holds are masked like those of the environment.
        for url in ws.config.database.url.iter() {
            crate::secrets::url_secrets(url, false)
                .iter()
                .for_each(|v| crate::secrets::add_known_secret(v));
        }
        crate::secrets::url_secrets(&ws.config.nats.url, true)
            .iter()
            .for_each(|v| crate::secrets::add_known_secret(v));
        // Everything berry shows or sends from here is masked with the repository's rules too;
        // a rule file that cannot be used is the gate's error (review and commit), not this one's.
        let _ = ws.secret_rules();
        Ok(ws)
    }

    /// Puts in force the configuration accepted for `req` (when its context records an
    /// acceptance of the working tree's exact `berry.toml`), else the committed one.
    pub fn settle_for(&mut self, req: &ReqNumber) -> Result<()> {
        let accepted = self
            .store
            .peek(req)
            .ok()
            .flatten()
            .and_then(|c| c.config_acceptance);
        if self.gate.standing == gateconfig::Standing::Explicit && self.resolved {
            return Ok(());
        }
        if self.gate.standing == gateconfig::Standing::Explicit {
            return self.apply_layers();
        }
        let gate = gateconfig::load(&self.repo, &self.root, None, accepted.as_ref())?;
        // The layers depend on the repository's text, its label and its file only: the same
        // gate resolves to the same configuration, already in force.
        let same = gate.text == self.gate.text
            && gate.label() == self.gate.label()
            && gate.file == self.gate.file;
        self.gate = gate;
        if same && self.resolved {
            return Ok(());
        }
        self.apply_layers()
    }

    /// Resolves the configuration again once [`GateConfig::settle`](gateconfig::GateConfig::settle)
    /// put an accepted change in force: the repository's layer changes, the layers around it
    /// (the user's file, the environment, the flags) stay.
    pub fn reapply_layers(&mut self) -> Result<()> {
        self.apply_layers()
    }

    /// Resolves the configuration in force from every layer, with the repository's layer as
    /// the gate configuration puts it in force.
    fn apply_layers(&mut self) -> Result<()> {
        let label = self.gate.label();
        self.layers = self
            .outer
            .layers(self.gate.text.as_deref().map(|t| (label.as_str(), t)))?;
        // The change freezes stay the gate's own (see `GateConfig::freeze`): no layer adds or
        // lifts one.
        self.config = self.layers.resolve()?;
        self.config_file = self.gate.file.clone();
        self.resolved = true;
        Ok(())
    }

    /// The tree id of the commit that ships (the pushed one, else the recorded commit), read
    /// from the repository, else the tree recorded with the commit.
    pub fn shipped_tree(&self, ctx: &ReqContext) -> Option<String> {
        let sha = ctx.shipped_sha()?;
        git2::Oid::from_str(sha)
            .ok()
            .and_then(|o| self.repo.find_commit(o).ok())
            .map(|c| c.tree_id().to_string())
            .or_else(|| ctx.ledger.commit.as_ref().and_then(|c| c.tree.clone()))
    }

    /// The secret rules of the configuration in force (see [`crate::guards::repository_rules`]),
    /// installed as the ones the masker uses from now on. Review and commit take theirs from
    /// here.
    pub fn secret_rules(&self) -> Result<Arc<RuleSet>> {
        let rules =
            crate::guards::repository_rules(&self.repo, self.config.guards.rules.as_deref())?;
        crate::secrets::install(rules.clone());
        Ok(rules)
    }

    /// A working-tree `berry.toml` that differs from HEAD's, settled for `session` (see
    /// [`GateConfig::settle`]: `flag` is `--accept-config-change`, a dry run takes none): once
    /// accepted its settings are in force here and, but in a dry run, the acceptance is recorded.
    pub fn accept_config(
        &mut self,
        session: &mut Session,
        decide: &dyn crate::decide::Decide,
        flag: bool,
        dry_run: bool,
        now: jiff::Timestamp,
    ) -> Result<Option<crate::gateconfig::Acceptance>> {
        let accepted = self.gate.settle(decide, flag && !dry_run, now)?;
        if accepted.is_some() {
            self.reapply_layers()?;
            if !dry_run {
                session.ctx.config_acceptance = accepted.clone();
            }
        }
        Ok(accepted)
    }

    /// Where the REQs' deliverables are read: `deliverables.dir` (relative to the repository
    /// root; `--deliverables DIR` gives it relative to the current folder), else PostgreSQL.
    pub fn source(&self) -> Result<Box<dyn crate::deliverables::Source>> {
        use crate::deliverables::{FolderSource, PgSource};
        if let Some(dir) = &self.config.deliverables.dir {
            let dir = self.root.join(dir);
            let dir = dir.canonicalize().unwrap_or(dir);
            return Ok(Box::new(FolderSource::new(dir)));
        }
        Ok(Box::new(PgSource::new(&self.config.database)?))
    }
}

/// A REQ's context, locked for the life of the command.
pub struct Session {
    pub req: ReqNumber,
    pub ctx: ReqContext,
    pub(crate) lock: ReqLock,
    pub(crate) store: Store,
}

impl Session {
    /// Locks the REQ and loads its context, or starts one.
    pub fn open(store: &Store, req: ReqNumber, command: &str) -> Result<Session> {
        let lock = store.lock(&req, command)?;
        let ctx = match store.load(&req, &lock)? {
            Some(c) => c,
            None => ReqContext::new(req.clone(), crate::clock::now()?),
        };
        Ok(Session {
            req,
            ctx,
            lock,
            store: store.clone(),
        })
    }

    /// Locks the REQ and loads its context, which must have been verified (a usage error, exit
    /// 2, naming `berry verify` otherwise).
    pub fn existing(store: &Store, req: ReqNumber, step: Step) -> Result<Session> {
        let s = Self::open(store, req, step.as_str())?;
        crate::workflow::require_verified(step, &s.ctx)?;
        Ok(s)
    }

    pub fn save(&mut self) -> Result<()> {
        self.store.save(&mut self.ctx, &self.lock)
    }

    pub fn record(&mut self, step: Step, outcome: Outcome, message: &str) -> Result<()> {
        let now = crate::clock::now()?;
        self.ctx.record_step(step, outcome, message, now);
        self.save()
    }
}
