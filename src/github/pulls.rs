//! Pull requests (and the CI-failure issue's helpers): the calls `berry pr` and `berry watch` make.

use serde_json::{Value, json};

use super::{ApiError, Client, RepoId, query_value};

/// A pull request as berry records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pull {
    pub number: u64,
    pub url: String,
    pub head: String,
    pub base: String,
    pub draft: bool,
}

impl Pull {
    fn from_json(v: &Value) -> Option<Pull> {
        Some(Pull {
            number: v.get("number")?.as_u64()?,
            url: v.get("html_url")?.as_str()?.to_string(),
            head: v.pointer("/head/ref")?.as_str()?.to_string(),
            base: v.pointer("/base/ref")?.as_str()?.to_string(),
            draft: v.get("draft").and_then(Value::as_bool).unwrap_or(false),
        })
    }
}

/// What `POST /repos/{o}/{r}/pulls` is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPull {
    pub title: String,
    pub body: String,
    /// The branch name (same repository).
    pub head: String,
    pub base: String,
    pub draft: bool,
}

impl NewPull {
    pub fn to_json(&self) -> Value {
        json!({
            "title": self.title,
            "body": self.body,
            "head": self.head,
            "base": self.base,
            "draft": self.draft,
        })
    }
}

pub fn repo_path(repo: &RepoId) -> String {
    format!("/repos/{}/{}", repo.owner, repo.name)
}

/// The repository's default branch (`GET /repos/{o}/{r}`).
pub fn default_branch(c: &Client, repo: &RepoId) -> Result<String, ApiError> {
    let path = repo_path(repo);
    let v = c.get_json(&path, &format!("the repository {repo}"))?;
    v.get("default_branch")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| ApiError::Unexpected {
            method: "GET".into(),
            path,
            detail: "no default_branch in the repository".into(),
        })
}

/// The list query for open PRs whose head is `owner:branch`.
pub fn list_path(repo: &RepoId, branch: &str) -> String {
    format!(
        "{}/pulls?head={}&state=open&per_page=100",
        repo_path(repo),
        query_value(&format!("{}:{}", repo.owner, branch))
    )
}

/// The open PR from `owner:branch` (into `base` when given). GitHub ignores a malformed head
/// filter and returns every open PR, so each result's head ref and head repository are checked.
pub fn find_open(
    c: &Client,
    repo: &RepoId,
    branch: &str,
    base: Option<&str>,
) -> Result<Option<Pull>, ApiError> {
    let path = list_path(repo, branch);
    let items = c.get_all(&path, None, &format!("the repository {repo}"), 10)?;
    Ok(pick(&items, repo, branch, base))
}

/// The first item whose head is exactly `repo`'s `branch` (and base, when given).
pub fn pick(items: &[Value], repo: &RepoId, branch: &str, base: Option<&str>) -> Option<Pull> {
    let full = repo.full_name().to_ascii_lowercase();
    items.iter().find_map(|v| {
        let head_ref = v.pointer("/head/ref").and_then(Value::as_str)?;
        let head_repo = v
            .pointer("/head/repo/full_name")
            .and_then(Value::as_str)?
            .to_ascii_lowercase();
        let state_open = v.get("state").and_then(Value::as_str).unwrap_or("open") == "open";
        let base_ok =
            base.is_none_or(|b| v.pointer("/base/ref").and_then(Value::as_str) == Some(b));
        (head_ref == branch && head_repo == full && state_open && base_ok)
            .then(|| Pull::from_json(v))
            .flatten()
    })
}

/// Why a create failed, when it is one of the two 422s berry knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateRefusal {
    AlreadyExists,
    NoCommits(String),
}

pub fn refusal(e: &ApiError) -> Option<CreateRefusal> {
    let ApiError::Validation { errors, .. } = e else {
        return None;
    };
    errors.iter().find_map(|m| {
        if m.starts_with("A pull request already exists") {
            Some(CreateRefusal::AlreadyExists)
        } else if m.starts_with("No commits between") {
            Some(CreateRefusal::NoCommits(m.clone()))
        } else {
            None
        }
    })
}

/// `POST /repos/{o}/{r}/pulls`.
pub fn create(c: &Client, repo: &RepoId, new: &NewPull) -> Result<Pull, ApiError> {
    let path = format!("{}/pulls", repo_path(repo));
    let v = c.post_json(&path, &new.to_json(), &format!("the repository {repo}"))?;
    Pull::from_json(&v).ok_or_else(|| ApiError::Unexpected {
        method: "POST".into(),
        path,
        detail: "the created pull request has no number, html_url, head or base".into(),
    })
}

/// `POST /repos/{o}/{r}/pulls/{n}/requested_reviewers`.
pub fn request_reviewers(
    c: &Client,
    repo: &RepoId,
    number: u64,
    reviewers: &[String],
) -> Result<(), ApiError> {
    let path = format!("{}/pulls/{number}/requested_reviewers", repo_path(repo));
    c.post_json(
        &path,
        &json!({ "reviewers": reviewers }),
        &format!("pull request #{number}"),
    )
    .map(|_| ())
}

/// `POST /repos/{o}/{r}/issues/{n}/labels`.
pub fn add_labels(
    c: &Client,
    repo: &RepoId,
    number: u64,
    labels: &[String],
) -> Result<(), ApiError> {
    let path = format!("{}/issues/{number}/labels", repo_path(repo));
    c.post_json(
        &path,
        &json!({ "labels": labels }),
        &format!("issue #{number}"),
    )
    .map(|_| ())
}

/// An issue as berry records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Issue {
    pub number: u64,
    pub url: String,
}

fn issue_from(v: &Value) -> Option<Issue> {
    Some(Issue {
        number: v.get("number")?.as_u64()?,
        url: v.get("html_url")?.as_str()?.to_string(),
    })
}

/// The open issue whose body holds `marker` (pull requests, which the issues list includes,
/// are skipped).
pub fn find_issue(
    c: &Client,
    repo: &RepoId,
    marker: &str,
    label: Option<&str>,
) -> Result<Option<Issue>, ApiError> {
    let mut path = format!("{}/issues?state=open&per_page=100", repo_path(repo));
    if let Some(l) = label {
        path.push_str(&format!("&labels={}", query_value(l)));
    }
    let items = c.get_all(&path, None, &format!("the repository {repo}"), 10)?;
    Ok(items.iter().find_map(|v| {
        if v.get("pull_request").is_some() {
            return None;
        }
        let body = v.get("body").and_then(Value::as_str)?;
        body.contains(marker).then(|| issue_from(v)).flatten()
    }))
}

/// `POST /repos/{o}/{r}/issues`.
pub fn create_issue(
    c: &Client,
    repo: &RepoId,
    title: &str,
    body: &str,
    labels: &[String],
) -> Result<Issue, ApiError> {
    let path = format!("{}/issues", repo_path(repo));
    let v = c.post_json(
        &path,
        &json!({"title": title, "body": body, "labels": labels}),
        &format!("the repository {repo}"),
    )?;
    issue_from(&v).ok_or_else(|| ApiError::Unexpected {
        method: "POST".into(),
        path,
        detail: "the created issue has no number or html_url".into(),
    })
}

/// `PATCH /repos/{o}/{r}/issues/{n}`: new title and body.
pub fn update_issue(
    c: &Client,
    repo: &RepoId,
    number: u64,
    title: &str,
    body: &str,
) -> Result<Issue, ApiError> {
    let path = format!("{}/issues/{number}", repo_path(repo));
    let v = c.patch_json(
        &path,
        &json!({"title": title, "body": body}),
        &format!("issue #{number}"),
    )?;
    issue_from(&v).ok_or_else(|| ApiError::Unexpected {
        method: "PATCH".into(),
        path,
        detail: "the updated issue has no number or html_url".into(),
    })
}

/// `POST /repos/{o}/{r}/issues/{n}/comments`.
pub fn comment_issue(c: &Client, repo: &RepoId, number: u64, body: &str) -> Result<(), ApiError> {
    let path = format!("{}/issues/{number}/comments", repo_path(repo));
    c.post_json(&path, &json!({ "body": body }), &format!("issue #{number}"))
        .map(|_| ())
}

/// `PATCH /repos/{o}/{r}/issues/{n}` with `state: closed` (`state_reason: completed`).
pub fn close_issue(c: &Client, repo: &RepoId, number: u64) -> Result<(), ApiError> {
    let path = format!("{}/issues/{number}", repo_path(repo));
    c.patch_json(
        &path,
        &json!({"state": "closed", "state_reason": "completed"}),
        &format!("issue #{number}"),
    )
    .map(|_| ())
}
