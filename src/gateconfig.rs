//! The gate's own configuration is the committed one.
//!
//! `berry.toml` in the working tree is untrusted input like every other file there: the agents
//! whose work the gate judges can write it. So the repository's configuration layer is the
//! `berry.toml` of HEAD (none in HEAD: the defaults), and a working-tree `berry.toml` that differs
//! from it (new, edited, replaced by a symlink, or deleted) is a *change to the gate itself*:
//!
//! - every command that loads configuration notes it, and `review` shows it with its diff;
//! - its settings (scope, guards, agents, everything) apply only once the operator accepted it for
//!   the REQ, on a terminal (the question defaults to no, so `--yes` never accepts it) or with
//!   `--accept-config-change`;
//! - the acceptance is recorded in the REQ context with the SHA-256 of the accepted text, and holds
//!   only for that text: any later change to the file needs a new acceptance;
//! - until then the committed configuration is in force.
//!
//! A file named with `--config FILE` (or `BERRY_CONFIG`) is the operator's own choice, not the
//! agents': it is used as given, and this rule does not apply to it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use git2::Repository;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::{self, Config};
use crate::decide::Decide;
use crate::error::BerryError;

/// The operator's acceptance of a changed `berry.toml`, as the REQ context records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    /// `sha256:<hex>` of the accepted working-tree text (of nothing, for a deletion).
    pub sha256: String,
    pub accepted_at: jiff::Timestamp,
    /// How it was accepted: `terminal` or `--accept-config-change`.
    pub by: String,
}

/// A working-tree `berry.toml` that differs from HEAD's.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// HEAD's text; `None` when HEAD has no `berry.toml`.
    pub committed: Option<String>,
    /// The working tree's text; `None` when the file was deleted.
    pub working: Option<String>,
    /// `sha256:<hex>` of the working text: what an acceptance binds to.
    pub sha256: String,
}

impl Change {
    /// `new`, `deleted` or `modified`.
    pub fn kind(&self) -> &'static str {
        match (&self.committed, &self.working) {
            (None, _) => "new",
            (_, None) => "deleted",
            _ => "modified",
        }
    }

    /// A unified diff from HEAD's text to the working tree's.
    pub fn diff(&self) -> String {
        let old = self.committed.as_deref().unwrap_or("");
        let new = self.working.as_deref().unwrap_or("");
        similar::TextDiff::from_lines(old, new)
            .unified_diff()
            .context_radius(3)
            .header("HEAD:berry.toml", "berry.toml")
            .to_string()
    }
}

/// Which configuration is in force, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// `berry.toml` in the working tree is HEAD's (or both are absent).
    Committed,
    /// The operator named the file (`--config`).
    Explicit,
    /// The working tree's `berry.toml` differs from HEAD's and was not accepted: HEAD's is in force.
    Pending,
    /// The working tree's `berry.toml` differs from HEAD's and its text was accepted for the REQ.
    Accepted,
}

/// The configuration a command works with.
#[derive(Debug, Clone)]
pub struct GateConfig {
    /// The configuration in force.
    pub config: Config,
    /// The change-freeze windows: always the committed `berry.toml`'s (or `--config`'s), never a
    /// working-tree edit's, even an accepted one — an agent must not be able to lift a freeze by
    /// editing the file that declares it.
    pub freeze: Vec<crate::freeze::Window>,
    /// The file it was read from (`None`: HEAD's blob or the defaults).
    pub file: Option<PathBuf>,
    pub standing: Standing,
    /// The working-tree change to `berry.toml`, when there is one.
    pub change: Option<Change>,
    /// The working tree's configuration, parsed (the defaults when it was deleted), when there
    /// is a change: what accepting it would put in force.
    proposed: Option<std::result::Result<Config, String>>,
    /// Where the working tree's `berry.toml` is.
    path: PathBuf,
    /// The text of the configuration in force (`None`: the defaults), for the layered
    /// settings ([`crate::settings`]).
    pub text: Option<String>,
}

/// Reads the configuration by the rule above: `explicit` when the operator named one; else
/// HEAD's `berry.toml`, or the working tree's when its exact text was `accepted`.
pub fn load(
    repo: &Repository,
    root: &Path,
    explicit: Option<&Path>,
    accepted: Option<&Acceptance>,
) -> Result<GateConfig> {
    if let Some(p) = explicit {
        let text = std::fs::read_to_string(p).map_err(|e| {
            BerryError::config(format!(
                "cannot read configuration file {}: {e}",
                p.display()
            ))
        })?;
        let config = Config::from_str(&text, p)?;
        return Ok(GateConfig {
            freeze: config.deploy.freeze.clone(),
            config,
            file: Some(p.to_path_buf()),
            standing: Standing::Explicit,
            change: None,
            proposed: None,
            path: p.to_path_buf(),
            text: Some(text),
        });
    }
    let committed = committed_text(repo)?;
    let path = root.join(config::FILE_NAME);
    let working = working_text(&path)?;
    if committed == working {
        let config = match &committed {
            Some(text) => Config::from_str(text, &path)?,
            None => Config::with_default_people(),
        };
        let file = working.as_ref().map(|_| path.clone());
        return Ok(GateConfig {
            freeze: config.deploy.freeze.clone(),
            config,
            file,
            standing: Standing::Committed,
            change: None,
            proposed: None,
            path,
            text: committed,
        });
    }
    let committed_config = match &committed {
        Some(text) => Config::from_str(text, Path::new("HEAD:berry.toml"))?,
        None => Config::with_default_people(),
    };
    let change = Change {
        sha256: sha256(working.as_deref()),
        committed: committed.clone(),
        working,
    };
    let proposed = match &change.working {
        Some(text) => Config::from_str(text, &path).map_err(|e| e.message),
        None => Ok(Config::with_default_people()),
    };
    let mut gate = GateConfig {
        freeze: committed_config.deploy.freeze.clone(),
        config: committed_config,
        file: None,
        standing: Standing::Pending,
        change: Some(change),
        proposed: Some(proposed),
        path,
        text: committed,
    };
    if let Some(a) = accepted
        && gate.change.as_ref().is_some_and(|c| c.sha256 == a.sha256)
    {
        gate.apply()?;
    }
    Ok(gate)
}

impl GateConfig {
    /// Puts the changed working-tree configuration in force (an invalid one is a usage error).
    fn apply(&mut self) -> Result<(), BerryError> {
        let Some(proposed) = self.proposed.clone() else {
            return Ok(());
        };
        self.config = proposed.map_err(BerryError::config)?;
        self.standing = Standing::Accepted;
        self.text = self.change.as_ref().and_then(|c| c.working.clone());
        self.file = self
            .change
            .as_ref()
            .and_then(|c| c.working.as_ref())
            .map(|_| self.path.clone());
        Ok(())
    }

    /// A change that is not accepted: ask (on a terminal, default no) or take `flag`
    /// (`--accept-config-change`). Returns the acceptance to record, once the change is in force.
    /// Without a terminal and without the flag, nothing is asked: the committed configuration
    /// stays in force, which is the safe answer.
    pub fn settle(
        &mut self,
        decide: &dyn Decide,
        flag: bool,
        now: jiff::Timestamp,
    ) -> Result<Option<Acceptance>> {
        if self.standing != Standing::Pending {
            return Ok(None);
        }
        let Some(change) = self.change.clone() else {
            return Ok(None);
        };
        let by = if flag {
            "--accept-config-change"
        } else if decide.interactive()
            && decide.confirm(
                "Apply the changed berry.toml to the gate (its scope, guards and agents)?",
                false,
                "--accept-config-change",
            )?
        {
            "terminal"
        } else {
            return Ok(None);
        };
        self.apply()?;
        Ok(Some(Acceptance {
            sha256: change.sha256,
            accepted_at: now,
            by: by.into(),
        }))
    }

    /// Where the configuration in force comes from, as `berry config list --show-origin` says it.
    pub fn label(&self) -> String {
        match self.standing {
            Standing::Explicit => self.path.display().to_string(),
            Standing::Committed => config::FILE_NAME.to_string(),
            Standing::Pending => format!("HEAD:{}", config::FILE_NAME),
            Standing::Accepted => format!("{} (accepted)", config::FILE_NAME),
        }
    }

    /// One line for a command's notes, when the working tree's `berry.toml` differs from HEAD's.
    pub fn note(&self) -> Option<String> {
        let change = self.change.as_ref()?;
        let invalid = match &self.proposed {
            Some(Err(e)) => format!(" (and it is not valid: {e})"),
            _ => String::new(),
        };
        let note = match self.standing {
            Standing::Accepted => format!(
                "berry.toml in the working tree ({}) differs from HEAD's: a change to the gate itself, accepted for this REQ, is in force",
                change.kind()
            ),
            _ => format!(
                "berry.toml in the working tree ({}) differs from HEAD's: a change to the gate itself; HEAD's configuration is in force until the change is accepted (`berry review` on a terminal, or --accept-config-change)",
                change.kind()
            ),
        };
        Some(note + &invalid)
    }
}

/// HEAD's `berry.toml`, when HEAD has one.
fn committed_text(repo: &Repository) -> Result<Option<String>> {
    let Some(head) = crate::git::head_commit(repo)? else {
        return Ok(None);
    };
    let tree = head.tree().context("cannot read HEAD's tree")?;
    let Some(entry) = tree.get_name(config::FILE_NAME) else {
        return Ok(None);
    };
    if entry.filemode() != i32::from(git2::FileMode::Blob)
        && entry.filemode() != i32::from(git2::FileMode::BlobExecutable)
    {
        return Err(BerryError::usage(
            "berry.toml in HEAD is not a regular file: berry reads its configuration only from one",
        )
        .into());
    }
    let blob = repo
        .find_blob(entry.id())
        .context("cannot read HEAD:berry.toml")?;
    let text = String::from_utf8(blob.content().to_vec())
        .map_err(|_| BerryError::usage("HEAD:berry.toml is not UTF-8"))?;
    Ok(Some(text))
}

/// The working tree's `berry.toml`, as `Config::load` would read it (a symlink is read through,
/// so its target's text is what is compared and accepted).
fn working_text(path: &Path) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(BerryError::usage(format!(
            "cannot read configuration file {}: {e}",
            path.display()
        ))
        .into()),
    }
}

fn sha256(text: Option<&str>) -> String {
    let mut h = Sha256::new();
    match text {
        Some(t) => h.update(t.as_bytes()),
        None => h.update(b"deleted"),
    }
    format!("sha256:{}", crate::deliverables::hex(&h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::{Answer, Scripted};
    use std::fs;

    fn repo(committed: Option<&str>) -> (tempfile::TempDir, Repository) {
        let d = tempfile::tempdir().unwrap();
        let repo = Repository::init(d.path()).unwrap();
        fs::write(d.path().join("README.md"), "x\n").unwrap();
        if let Some(t) = committed {
            fs::write(d.path().join("berry.toml"), t).unwrap();
        }
        {
            let mut idx = repo.index().unwrap();
            idx.add_all(["*"], git2::IndexAddOption::DEFAULT, None)
                .unwrap();
            let tree = repo.find_tree(idx.write_tree().unwrap()).unwrap();
            let sig = git2::Signature::now("t", "t@example.com").unwrap();
            repo.commit(Some("HEAD"), &sig, &sig, "base", &tree, &[])
                .unwrap();
        }
        (d, repo)
    }

    const WIDE: &str = "[stage]\npaths = [\"**\"]\n";
    const NARROW: &str = "[stage]\npaths = [\"src/**\"]\n";
    fn now() -> jiff::Timestamp {
        "2026-01-05T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn an_uncommitted_berry_toml_is_not_in_force_until_accepted() {
        let (d, repo) = repo(None);
        fs::write(d.path().join("berry.toml"), WIDE).unwrap();
        let mut g = load(&repo, d.path(), None, None).unwrap();
        assert_eq!(g.standing, Standing::Pending);
        assert_eq!(g.config.stage.paths, config::Stage::default().paths);
        assert_eq!(g.change.as_ref().unwrap().kind(), "new");
        assert!(
            g.note()
                .unwrap()
                .contains("HEAD's configuration is in force")
        );
        assert!(
            g.change
                .as_ref()
                .unwrap()
                .diff()
                .contains("+paths = [\"**\"]")
        );

        // Nobody to ask and no flag: nothing is accepted. `--yes` takes the default: no.
        assert_eq!(g.settle(&Scripted::defaults(), false, now()).unwrap(), None);
        let declined = Scripted::answering([Answer::No]);
        assert_eq!(g.settle(&declined, false, now()).unwrap(), None);
        assert_eq!(declined.asked().len(), 1);
        assert_eq!(g.standing, Standing::Pending);

        let yes = Scripted::answering([Answer::Yes]);
        let a = g.settle(&yes, false, now()).unwrap().unwrap();
        assert_eq!(a.by, "terminal");
        assert_eq!(g.standing, Standing::Accepted);
        assert_eq!(g.config.stage.paths, ["**"]);

        // The acceptance holds for that text, and only for it.
        let again = load(&repo, d.path(), None, Some(&a)).unwrap();
        assert_eq!(again.standing, Standing::Accepted);
        assert_eq!(again.config.stage.paths, ["**"]);
        fs::write(d.path().join("berry.toml"), format!("{WIDE}\n")).unwrap();
        let edited = load(&repo, d.path(), None, Some(&a)).unwrap();
        assert_eq!(edited.standing, Standing::Pending);
        assert_eq!(edited.config.stage.paths, config::Stage::default().paths);
    }

    #[test]
    fn freeze_windows_come_from_the_committed_file_even_when_an_edit_is_accepted() {
        let frozen = "[[deploy.freeze]]\ndays = [\"Fri\"]\n";
        let (d, repo) = repo(Some(frozen));
        assert_eq!(load(&repo, d.path(), None, None).unwrap().freeze.len(), 1);
        // The agents delete the window and widen the scope; the operator accepts the change.
        fs::write(d.path().join("berry.toml"), WIDE).unwrap();
        let mut g = load(&repo, d.path(), None, None).unwrap();
        let a = g
            .settle(&Scripted::defaults(), true, now())
            .unwrap()
            .unwrap();
        assert_eq!(
            g.config.stage.paths,
            ["**"],
            "the accepted change is in force"
        );
        assert!(g.config.deploy.freeze.is_empty());
        assert_eq!(g.freeze.len(), 1, "but not for the freeze");
        let again = load(&repo, d.path(), None, Some(&a)).unwrap();
        assert_eq!(again.standing, Standing::Accepted);
        assert_eq!(
            again.freeze,
            load(&repo, d.path(), None, None).unwrap().freeze
        );
        assert_eq!(again.freeze[0].days, ["Fri"]);
        // A window added in the working tree does not hold either.
        let (d, repo) = repo_none();
        fs::write(d.path().join("berry.toml"), frozen).unwrap();
        let mut g = load(&repo, d.path(), None, None).unwrap();
        g.settle(&Scripted::defaults(), true, now())
            .unwrap()
            .unwrap();
        assert!(g.freeze.is_empty());
    }

    fn repo_none() -> (tempfile::TempDir, Repository) {
        repo(None)
    }

    #[test]
    fn the_committed_file_is_in_force_and_an_edit_is_a_change() {
        let (d, repo) = repo(Some(NARROW));
        let g = load(&repo, d.path(), None, None).unwrap();
        assert_eq!(g.standing, Standing::Committed);
        assert_eq!(g.config.stage.paths, ["src/**"]);
        assert!(g.note().is_none());

        fs::write(d.path().join("berry.toml"), WIDE).unwrap();
        let mut g = load(&repo, d.path(), None, None).unwrap();
        assert_eq!(g.standing, Standing::Pending);
        assert_eq!(g.config.stage.paths, ["src/**"], "HEAD's is in force");
        let a = g
            .settle(&Scripted::defaults(), true, now())
            .unwrap()
            .unwrap();
        assert_eq!(a.by, "--accept-config-change");
        assert_eq!(g.config.stage.paths, ["**"]);

        // A deletion is a change too: accepting it puts the defaults in force.
        fs::remove_file(d.path().join("berry.toml")).unwrap();
        let mut g = load(&repo, d.path(), None, Some(&a)).unwrap();
        assert_eq!(g.change.as_ref().unwrap().kind(), "deleted");
        assert_eq!(g.config.stage.paths, ["src/**"]);
        g.settle(&Scripted::defaults(), true, now())
            .unwrap()
            .unwrap();
        assert_eq!(g.config.stage.paths, config::Stage::default().paths);
    }

    #[test]
    fn a_symlinked_berry_toml_is_read_through_and_is_a_change() {
        let (d, repo) = repo(Some(NARROW));
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("evil.toml"), WIDE).unwrap();
        fs::remove_file(d.path().join("berry.toml")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("evil.toml"),
            d.path().join("berry.toml"),
        )
        .unwrap();
        let g = load(&repo, d.path(), None, None).unwrap();
        assert_eq!(g.standing, Standing::Pending);
        assert_eq!(g.config.stage.paths, ["src/**"]);
    }

    #[test]
    fn an_explicit_file_is_the_operators_choice() {
        let (d, repo) = repo(Some(NARROW));
        let mine = d.path().join("mine.toml");
        fs::write(&mine, WIDE).unwrap();
        let g = load(&repo, d.path(), Some(&mine), None).unwrap();
        assert_eq!(g.standing, Standing::Explicit);
        assert_eq!(g.config.stage.paths, ["**"]);
        assert!(g.note().is_none());
    }

    #[test]
    fn an_invalid_change_is_an_error_only_once_accepted() {
        let (d, repo) = repo(None);
        fs::write(d.path().join("berry.toml"), "[stage]\npats = 1\n").unwrap();
        let mut g = load(&repo, d.path(), None, None).unwrap();
        assert_eq!(g.standing, Standing::Pending);
        assert!(
            g.note().unwrap().contains("it is not valid"),
            "{:?}",
            g.note()
        );
        let e = g.settle(&Scripted::defaults(), true, now()).unwrap_err();
        assert_eq!(crate::error::classify(&e).exit, crate::error::Exit::Usage);
    }
}
