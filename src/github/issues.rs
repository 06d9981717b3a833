//! The issues berry opens for a person (a CI failure, failed tests, a push it cannot remedy):
//! found again by a hidden marker and berry's label, so a rerun updates the one issue and never
//! opens a second; their bodies from templates the repository can override.

use anyhow::{Context as _, Result};
use serde_json::Value;

use super::{ApiError, Client, RepoId, pulls};
use crate::workspace::Workspace;

/// An issue's text and how it is found again.
pub struct IssueText<'a> {
    /// The hidden marker in the body (`<!-- berry:… REQ -->`).
    pub marker: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    /// berry's label (`github.issue_label`): the issue carries it and is listed by it.
    pub label: &'a str,
}

/// Updates the issue `known` (the number recorded in the ledger), else the open issue carrying
/// the label and the marker, else opens one with the label. Returns it and whether it was
/// opened by this call; the caller records it at once (a crash before that is found by the
/// marker on the rerun).
pub fn open_or_update_issue(
    client: &Client,
    repo: &RepoId,
    known: Option<u64>,
    text: &IssueText<'_>,
) -> Result<(pulls::Issue, bool)> {
    let api = |e: ApiError| -> anyhow::Error { e.into_berry().into() };
    let existing = match known {
        Some(n) => Some(n),
        None => pulls::find_issue(client, repo, text.marker, Some(text.label))
            .map_err(api)?
            .map(|i| i.number),
    };
    match existing {
        Some(n) => {
            let issue = pulls::update_issue(client, repo, n, text.title, text.body).map_err(api)?;
            Ok((issue, false))
        }
        None => {
            let issue = pulls::create_issue(
                client,
                repo,
                text.title,
                text.body,
                &[text.label.to_string()],
            )
            .map_err(api)?;
            crate::fault::point("issue-created");
            Ok((issue, true))
        }
    }
}

/// A template by name: `.berry/templates/<name>` in the repository when present, else the
/// compiled-in `builtin`; rendered with minijinja (trimmed blocks) from `ctx`.
pub fn render_template(ws: &Workspace, name: &str, builtin: &str, ctx: &Value) -> Result<String> {
    let over = ws.root.join(".berry/templates").join(name);
    let text = match std::fs::read_to_string(&over) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => builtin.to_string(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", over.display())),
    };
    let mut j = minijinja::Environment::new();
    j.set_trim_blocks(true);
    j.set_lstrip_blocks(true);
    j.add_template_owned(name.to_string(), text)
        .with_context(|| format!("the template {name} does not parse"))?;
    let out = j
        .get_template(name)?
        .render(minijinja::Value::from_serialize(ctx))
        .with_context(|| format!("the template {name} does not render"))?;
    Ok(out.trim_end().to_string() + "\n")
}
