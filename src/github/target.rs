//! Which GitHub repository a step works on, from the pushed remote: `pr` and `watch` open a pull
//! request or watch CI there, the failure reports open their issues there, `rollback` opens its
//! pull request there. Without one, `pr` and `watch` record themselves as skipped with the
//! reason [`no_github`] gives.

use git2::Repository;

use super::{Client, RepoId};
use crate::config::Github;

/// The remote's URL as configured now, else the one recorded for it (when it no longer exists).
fn remote_url(repo: &Repository, remote: &str, recorded: &str) -> Option<String> {
    repo.find_remote(remote)
        .ok()
        .and_then(|r| r.url().ok().map(str::to_string))
        .or_else(|| Some(recorded.to_string()).filter(|u| !u.is_empty()))
}

/// Why there is no GitHub repository behind `remote` (`url` is the URL recorded for it), or
/// `None`. An explicit repository (`--repo`: `flag`), `github.repo` or `github.api_url` always
/// names one; otherwise the remote's URL must be GitHub's.
pub fn no_github(
    flag: Option<&str>,
    repo: &Repository,
    cfg: &Github,
    remote: &str,
    url: &str,
) -> Option<String> {
    if flag.is_some() || cfg.repo.is_some() || cfg.api_url.is_some() {
        return None;
    }
    match remote_url(repo, remote, url) {
        Some(u) if u.contains("github") => None,
        Some(u) => Some(format!(
            "no GitHub repository: {remote} is {} (set --repo OWNER/REPO for a mirror)",
            super::redact_url(&u)
        )),
        None => Some(format!("no GitHub repository: there is no remote {remote}")),
    }
}

/// The repository: `flag` (`--repo` / `BERRY_GITHUB_REPO`), else the remote's URL, else config
/// `github.repo` (see [`super::locate`]).
pub fn resolve(
    flag: Option<&str>,
    repo: &Repository,
    cfg: &Github,
    remote: &str,
    url: &str,
) -> Result<RepoId, crate::error::BerryError> {
    let raw = remote_url(repo, remote, url).unwrap_or_default();
    super::locate(flag, remote, &raw, cfg)
}

/// Where a step's GitHub work goes.
pub enum Target {
    /// No GitHub repository, and why ([`no_github`]).
    Absent(String),
    /// The repository ([`resolve`]) and a client for its API.
    At(RepoId, Client),
}

/// [`no_github`], else [`resolve`] and a client for it: the one way `pr`, `watch` and the
/// failure reports find their repository.
pub fn target(
    flag: Option<&str>,
    repo: &Repository,
    cfg: &Github,
    remote: &str,
    url: &str,
) -> anyhow::Result<Target> {
    if let Some(reason) = no_github(flag, repo, cfg, remote, url) {
        return Ok(Target::Absent(reason));
    }
    let id = resolve(flag, repo, cfg, remote, url)?;
    let client = super::client_for(&id, cfg)?;
    Ok(Target::At(id, client))
}
