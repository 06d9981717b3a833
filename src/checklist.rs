//! The security checklist every deployment verifies: ten items, each answered by an automatic
//! check where the repository can say, or by the operator (on a terminal, or `--attest ITEM`).
//!
//! The rules:
//! - the automatic checks read the committed tree of the shipped commit, never the working tree,
//!   and never follow a symlink (a link is not read at all); a blob larger than [`BLOB_LIMIT`] is
//!   not read;
//! - `secrets`: the guards passed at review for this REQ (the review record exists; its guard
//!   exceptions are named);
//! - `https`: every health check URL and every configured endpoint (`github.api_url`, `nats.url`,
//!   `database.url`) is encrypted (`https`, `tls`, `wss`, PostgreSQL with `sslmode=require` or
//!   stricter) or stays on the loopback interface;
//! - `non-root`: each Dockerfile's last `USER` is neither `root` nor `0` (no `USER` at all runs as
//!   root), no compose service sets `user: root`/`0`, and no Kubernetes manifest sets
//!   `runAsNonRoot: false`; with no such file the item is the operator's to answer;
//! - `network-policies`: a Kubernetes `kind: NetworkPolicy` manifest passes it; otherwise it is
//!   the operator's;
//! - the other items are the operator's: asked on a terminal (the default answer is no, so
//!   `--yes` confirms nothing), or given with `--attest ITEM[=NOTE]`;
//! - an automatic check that fails cannot be attested away: fix it, or make the item advisory.
//!
//! Every answer is kept with who gave it and when. `[checklist] required` names the items that
//! must pass (or be confirmed) before `complete`; the others are advisory (shown, recorded, not
//! required). By default none is required.
//!
//! [`step()`] is `berry checklist`'s work on top of these (the rules it keeps: [`mod@step`]).

use std::path::Path;

use anyhow::Result;
use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::context::ReqContext;

pub mod step;
pub use step::{Done, step};

/// Bytes of a committed file read at most.
pub const BLOB_LIMIT: usize = 1024 * 1024;

/// The ten security checklist items every deployment verifies (README "Security checklist"
/// lists them in this order): id and what it verifies.
pub const ITEMS: [(&str, &str); 10] = [
    (
        "secrets",
        "Secrets not in code (GitHub Secrets, environment variables)",
    ),
    ("https", "HTTPS/TLS enabled (no plain HTTP in production)"),
    ("non-root", "Non-root user in containers"),
    ("network-policies", "Network policies restrict access"),
    ("security-updates", "Security updates applied"),
    ("backups", "Backups tested and working"),
    ("access-logs", "Access logs enabled"),
    ("rate-limiting", "Rate limiting configured"),
    ("cors", "CORS properly configured"),
    ("db-credentials", "Database credentials rotated regularly"),
];

/// The title of an item id.
pub fn title(id: &str) -> Option<&'static str> {
    ITEMS.iter().find(|(i, _)| *i == id).map(|(_, t)| *t)
}

/// What an automatic check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Auto {
    pub passed: bool,
    pub detail: String,
}

/// An operator's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attestation {
    pub confirmed: bool,
    /// Who answered (git's committer identity, `Name <email>`).
    pub by: String,
    pub at: jiff::Timestamp,
    /// `terminal` or `--attest`.
    pub how: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One item as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRecord {
    pub id: String,
    pub title: String,
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto: Option<Auto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Attestation>,
}

impl ItemRecord {
    /// `passed` (automatic), `failed` (automatic), `confirmed`, `declined` or `unanswered`.
    pub fn status(&self) -> &'static str {
        match (&self.auto, &self.answer) {
            (Some(a), _) if !a.passed => "failed",
            (Some(_), _) => "passed",
            (None, Some(a)) if a.confirmed => "confirmed",
            (None, Some(_)) => "declined",
            (None, None) => "unanswered",
        }
    }
    pub fn ok(&self) -> bool {
        matches!(self.status(), "passed" | "confirmed")
    }
}

/// The checklist of a REQ, bound to the commit whose tree it read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistRecord {
    pub sha: String,
    pub items: Vec<ItemRecord>,
    pub at: jiff::Timestamp,
}

impl ChecklistRecord {
    /// Every required item passed or was confirmed.
    pub fn done(&self) -> bool {
        self.items.iter().filter(|i| i.required).all(ItemRecord::ok)
    }
    /// The required items not done, by id.
    pub fn missing(&self) -> Vec<&str> {
        self.items
            .iter()
            .filter(|i| i.required && !i.ok())
            .map(|i| i.id.as_str())
            .collect()
    }
}

/// Whether `id` is required by `[checklist] required` (`"*"` requires all).
pub fn required(config: &Config, id: &str) -> bool {
    config
        .checklist
        .required
        .iter()
        .any(|r| r == "*" || r == id)
}

/// The automatic checks for the commit `sha`'s committed tree.
pub fn automatic(
    repo: &Repository,
    sha: &str,
    config: &Config,
    ctx: &ReqContext,
) -> Result<Vec<(String, Auto)>> {
    let mut out = Vec::new();
    out.push(("secrets".to_string(), secrets(ctx)));
    out.push(("https".to_string(), https(config)));
    let files = committed_files(repo, sha)?;
    if let Some(a) = non_root(&files) {
        out.push(("non-root".to_string(), a));
    }
    if let Some(a) = network_policies(&files) {
        out.push(("network-policies".to_string(), a));
    }
    Ok(out)
}

fn secrets(ctx: &ReqContext) -> Auto {
    match &ctx.review {
        None => Auto {
            passed: false,
            detail: "no review is recorded: the guards have not run for this REQ".into(),
        },
        Some(r) => {
            let allowed: Vec<String> = r
                .allowed
                .iter()
                .filter(|a| a.guard == "secrets")
                .map(|a| format!("{} ({})", a.path, a.reason))
                .collect();
            Auto {
                passed: true,
                detail: if allowed.is_empty() {
                    format!(
                        "the secrets guard found nothing in the {} reviewed file(s)",
                        r.files.len()
                    )
                } else {
                    format!(
                        "the secrets guard passed with {} allowed exception(s): {}",
                        allowed.len(),
                        allowed.join(", ")
                    )
                },
            }
        }
    }
}

/// Whether `url` is encrypted or stays on this host.
fn secure(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    let scheme = scheme.to_ascii_lowercase();
    if matches!(scheme.as_str(), "https" | "tls" | "wss") {
        return true;
    }
    if matches!(scheme.as_str(), "postgres" | "postgresql") {
        let q = rest.split_once('?').map(|(_, q)| q).unwrap_or("");
        if q.split('&').any(|kv| {
            matches!(
                kv,
                "sslmode=require" | "sslmode=verify-ca" | "sslmode=verify-full"
            )
        }) {
            return true;
        }
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = if let Some(h) = host.strip_prefix('[') {
        h.split(']').next().unwrap_or("")
    } else {
        host.split(':').next().unwrap_or("")
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn https(config: &Config) -> Auto {
    let mut endpoints: Vec<(String, String)> = config
        .health
        .all_checks()
        .into_iter()
        .filter_map(|c| c.url.map(|u| (format!("health check {}", c.name), u)))
        .collect();
    if let Some(u) = &config.github.api_url {
        endpoints.push(("github.api_url".into(), u.clone()));
    }
    endpoints.push(("nats.url".into(), config.nats.url.clone()));
    if let Some(u) = &config.database.url {
        endpoints.push(("database.url".into(), u.clone()));
    }
    let plain: Vec<String> = endpoints
        .iter()
        .filter(|(_, u)| !secure(u))
        .map(|(what, u)| format!("{what} ({})", crate::github::redact_url(u)))
        .collect();
    if plain.is_empty() {
        Auto {
            passed: true,
            detail: format!(
                "{} configured endpoint(s), each encrypted or on loopback",
                endpoints.len()
            ),
        }
    } else {
        Auto {
            passed: false,
            detail: format!("plain text beyond this host: {}", plain.join(", ")),
        }
    }
}

/// The committed text files of interest (Dockerfiles, compose files, YAML manifests), read from
/// the commit's tree: blobs only (a symlink is never read), at most [`BLOB_LIMIT`] bytes each.
fn committed_files(repo: &Repository, sha: &str) -> Result<Vec<(String, String)>> {
    let commit = repo.find_commit(git2::Oid::from_str(sha)?)?;
    let tree = commit.tree()?;
    let mut out = Vec::new();
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() != Some(ObjectType::Blob) || entry.filemode() == 0o120000 {
            return TreeWalkResult::Ok;
        }
        let name = entry.name().unwrap_or("");
        let lower = name.to_ascii_lowercase();
        let wanted = lower == "dockerfile"
            || lower.starts_with("dockerfile.")
            || lower.ends_with(".dockerfile")
            || lower.ends_with(".yml")
            || lower.ends_with(".yaml");
        if !wanted {
            return TreeWalkResult::Ok;
        }
        if let Ok(blob) = repo.find_blob(entry.id())
            && blob.size() <= BLOB_LIMIT
            && let Ok(text) = std::str::from_utf8(blob.content())
        {
            out.push((format!("{dir}{name}"), text.to_string()));
        }
        TreeWalkResult::Ok
    })?;
    Ok(out)
}

fn is_dockerfile(path: &str) -> bool {
    let name = Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    name == "dockerfile" || name.starts_with("dockerfile.") || name.ends_with(".dockerfile")
}

/// The user a Dockerfile's last `USER` names (without a group), `None` without one.
fn last_user(text: &str) -> Option<String> {
    text.lines()
        .rev()
        .find_map(|l| {
            let mut words = l.split_whitespace();
            let instruction = words.next()?;
            instruction
                .eq_ignore_ascii_case("user")
                .then(|| words.next().unwrap_or(""))
        })
        .map(|u| {
            u.split(':')
                .next()
                .unwrap_or("")
                .trim_matches('"')
                .to_string()
        })
}

fn rootish(user: &str) -> bool {
    user == "root" || user == "0"
}

fn non_root(files: &[(String, String)]) -> Option<Auto> {
    let mut checked = Vec::new();
    let mut bad = Vec::new();
    for (path, text) in files {
        if is_dockerfile(path) {
            checked.push(path.clone());
            match last_user(text) {
                None => bad.push(format!("{path} has no USER (runs as root)")),
                Some(u) if rootish(&u) => bad.push(format!("{path} ends with USER {u}")),
                Some(_) => {}
            }
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            let t = line.trim();
            if let Some(v) = t.strip_prefix("user:") {
                let v = v.trim().trim_matches(['"', '\'']);
                let u = v.split(':').next().unwrap_or("");
                checked.push(path.clone());
                if rootish(u) {
                    bad.push(format!("{path}:{} sets user: {v}", n + 1));
                }
            } else if let Some(v) = t.strip_prefix("runAsNonRoot:") {
                checked.push(path.clone());
                if v.trim() == "false" {
                    bad.push(format!("{path}:{} sets runAsNonRoot: false", n + 1));
                }
            } else if let Some(v) = t.strip_prefix("runAsUser:") {
                checked.push(path.clone());
                if v.trim() == "0" {
                    bad.push(format!("{path}:{} sets runAsUser: 0", n + 1));
                }
            }
        }
    }
    checked.dedup();
    if checked.is_empty() {
        return None;
    }
    Some(if bad.is_empty() {
        Auto {
            passed: true,
            detail: format!("no container runs as root ({})", checked.join(", ")),
        }
    } else {
        Auto {
            passed: false,
            detail: bad.join("; "),
        }
    })
}

fn network_policies(files: &[(String, String)]) -> Option<Auto> {
    let found: Vec<&str> = files
        .iter()
        .filter(|(p, t)| !is_dockerfile(p) && t.lines().any(|l| l.trim() == "kind: NetworkPolicy"))
        .map(|(p, _)| p.as_str())
        .collect();
    (!found.is_empty()).then(|| Auto {
        passed: true,
        detail: format!("NetworkPolicy manifests: {}", found.join(", ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_user_of_a_dockerfile_decides() {
        let f = |t: &str| vec![("app/Dockerfile".to_string(), t.to_string())];
        assert!(
            non_root(&f("FROM node\nUSER root\nRUN x\nUSER node\n"))
                .unwrap()
                .passed
        );
        let a = non_root(&f("FROM node\nUSER node\nRUN x\nUSER 0:0\n")).unwrap();
        assert!(!a.passed && a.detail.contains("ends with USER 0"), "{a:?}");
        let a = non_root(&f("FROM node\nuser root\n")).unwrap();
        assert!(!a.passed, "{a:?}");
        let a = non_root(&f("FROM node\nRUN x\n")).unwrap();
        assert!(a.detail.contains("has no USER"), "{a:?}");
        assert!(non_root(&[("README.md".into(), "USER root".into())]).is_none());
        // Not ASCII: no panic, and no USER there.
        assert!(!non_root(&f("FROM x\nüser root\n")).unwrap().passed);
        let compose = vec![(
            "docker-compose.app.yml".to_string(),
            "services:\n  backend:\n    user: \"0:0\"\n".to_string(),
        )];
        assert!(!non_root(&compose).unwrap().passed);
        let k8s = vec![(
            "k8s/deploy.yaml".to_string(),
            "spec:\n  securityContext:\n    runAsNonRoot: true\n".to_string(),
        )];
        assert!(non_root(&k8s).unwrap().passed);
    }

    #[test]
    fn endpoints_are_secure_when_encrypted_or_on_loopback() {
        for u in [
            "https://erp.example.com/",
            "tls://nats.example.com:4222",
            "postgres://u@db.example.com/x?sslmode=verify-full",
            "http://localhost:4000/graphql",
            "http://127.0.0.1:3000/",
            "nats://[::1]:4222",
        ] {
            assert!(secure(u), "{u}");
        }
        for u in [
            "http://erp.example.com/",
            "nats://nats.example.com:4222",
            "postgres://u@db.example.com/x",
            "http://localhost.example.com/",
        ] {
            assert!(!secure(u), "{u}");
        }
    }
}
