//! The CI-failure issue of a REQ: the failed jobs' steps with the last lines of their logs
//! (masked, read as a stream so memory stays flat whatever the log's size), rendered from
//! `templates/ci-failure.md` (overridable by `.berry/templates/ci-failure.md`), found again by its
//! hidden [`marker`].

use anyhow::{Context as _, Result};
use serde_json::json;

use super::{LogTail, MAX_LOG_BYTES, Step, Watched, green};
use crate::github::{Client, RepoId, pulls};
use crate::push::PushRecord;
use crate::workspace::{Session, Workspace};

pub const TEMPLATE: &str = include_str!("../../templates/ci-failure.md");
pub const OVERRIDE: &str = ".berry/templates/ci-failure.md";

/// Lines kept from the end of each failed step's log.
const KEEP_LINES: usize = 40;

/// The hidden marker that finds the REQ's CI-failure issue again.
pub fn marker(req: &str) -> String {
    format!("<!-- berry:ci-failure {req} -->")
}

/// A failed job with its failed steps' last lines.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Failed {
    pub run: String,
    pub name: String,
    pub conclusion: String,
    pub url: String,
    pub steps: Vec<FailedStep>,
    pub log_error: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct FailedStep {
    pub name: String,
    pub lines: Vec<String>,
}

/// What reading the logs met on its way.
pub enum LogNote<'a> {
    /// About to read the log of `run` / `job`.
    Reading { run: &'a str, job: &'a str },
    /// The log is longer than [`MAX_LOG_BYTES`]: its excerpt comes from the first part.
    Truncated { run: &'a str, job: &'a str },
    /// The log could not be read (the issue says so).
    Unreadable {
        run: &'a str,
        job: &'a str,
        error: &'a str,
    },
}

/// The failed jobs of the runs that are not green, each with its failed steps' last lines (or
/// the end of the whole log when no step is marked failed); a run without a failed job is
/// listed as the run itself.
pub fn failures(
    client: &Client,
    repo: &RepoId,
    runs: &[Watched],
    note: &mut dyn FnMut(LogNote<'_>),
) -> Vec<Failed> {
    let mut out = Vec::new();
    for r in runs.iter().filter(|r| !green(r.run.conclusion.as_deref())) {
        let jobs: Vec<_> = r.jobs.iter().filter(|j| j.failed()).collect();
        if jobs.is_empty() {
            out.push(Failed {
                run: r.run.name.clone(),
                name: "(the run)".into(),
                conclusion: r.run.conclusion.clone().unwrap_or_default(),
                url: r.run.url.clone(),
                steps: vec![],
                log_error: None,
            });
            continue;
        }
        for j in jobs {
            let path = format!("{}/actions/jobs/{}/logs", pulls::repo_path(repo), j.id);
            note(LogNote::Reading {
                run: &r.run.name,
                job: &j.name,
            });
            // The failed steps, or the end of the whole log when no step is marked failed; read
            // in one pass as a stream, so memory stays flat whatever the log's size.
            let mut wanted: Vec<Step> = j
                .steps
                .iter()
                .filter(|s| s.conclusion.as_deref() == Some("failure"))
                .cloned()
                .collect();
            let whole_log = wanted.is_empty();
            if whole_log {
                wanted.push(Step {
                    name: "(end of the job's log)".into(),
                    number: 0,
                    status: String::new(),
                    conclusion: None,
                    started_at: None,
                    completed_at: None,
                });
            }
            let mut tail = LogTail::new(&wanted, KEEP_LINES);
            let read = client.get_following_with(&path, &format!("the log of job {}", j.id), |r| {
                tail.read_from(r, MAX_LOG_BYTES)
            });
            let mut log_error = None;
            match read {
                Ok(true) => note(LogNote::Truncated {
                    run: &r.run.name,
                    job: &j.name,
                }),
                Ok(false) => {}
                Err(e) => {
                    let error = e.to_string();
                    note(LogNote::Unreadable {
                        run: &r.run.name,
                        job: &j.name,
                        error: &error,
                    });
                    log_error = Some(crate::secrets::mask_text(&error).into_owned());
                }
            }
            let excerpts = tail.finish();
            let steps: Vec<FailedStep> = wanted
                .iter()
                .zip(excerpts)
                .filter(|(_, lines)| !(whole_log && lines.is_empty()))
                .map(|(s, lines)| FailedStep {
                    name: s.name.clone(),
                    // Masked, and kept inside its fence.
                    lines: lines
                        .iter()
                        .map(|l| {
                            let l = crate::secrets::mask_text(l).into_owned();
                            if l.contains("```") {
                                l.replace("```", "'''")
                            } else {
                                l
                            }
                        })
                        .collect(),
                })
                .collect();
            out.push(Failed {
                run: r.run.name.clone(),
                name: j.name.clone(),
                conclusion: j.conclusion.clone().unwrap_or_default(),
                url: j.url.clone(),
                steps,
                log_error,
            });
        }
    }
    out
}

/// The issue's body: the template (the repository's override first) rendered for the runs and
/// the failures, with the marker added when the template left it out.
pub fn render(
    ws: &Workspace,
    session: &Session,
    push: &PushRecord,
    runs: &[Watched],
    failed: &[Failed],
    now: jiff::Timestamp,
) -> Result<String> {
    let req = &session.req;
    let over = ws.root.join(OVERRIDE);
    let text = match std::fs::read_to_string(&over) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => TEMPLATE.to_string(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", over.display())),
    };
    let mark = marker(req.as_str());
    let ctx = json!({
        "marker": mark,
        "req": req.as_str(),
        "title": session.ctx.title.as_deref().unwrap_or(""),
        "sha": push.sha,
        "short": super::ci::short(&push.sha),
        "branch": push.branch,
        "pr_url": session.ctx.ledger.pr.as_ref().and_then(|v| v.url.clone()),
        "at": crate::clock::rfc3339(now),
        "runs": runs.iter().map(|r| json!({
            "name": r.run.name,
            "conclusion": r.run.conclusion.as_deref().unwrap_or("-"),
            "url": r.run.url,
        })).collect::<Vec<_>>(),
        "failed": failed,
    });
    let mut j = minijinja::Environment::new();
    j.set_trim_blocks(true);
    j.set_lstrip_blocks(true);
    j.add_template_owned("ci-failure.md", text)
        .context("the CI-failure issue template does not parse")?;
    let out = j
        .get_template("ci-failure.md")?
        .render(minijinja::Value::from_serialize(&ctx))
        .context("the CI-failure issue template does not render")?;
    let mut out = out.trim_end().to_string() + "\n";
    if !out.contains(&mark) {
        out = format!("{mark}\n{out}");
    }
    Ok(out)
}
