//! berry's NATS notices: the completion notice (`status: COMPLETE`), the blocked notice
//! (`status: BLOCKED`) and the failure notice (`status: FAILED`), with the fields the
//! orchestrator and its watchers read.
//!
//! Both carry `agent: "berry"`, `req_number` and `reqId` (the sub-requirement watcher reads
//! `reqId`), `status`, a non-empty `summary` rendered from `templates/completion.txt` (compiled in,
//! overridable by `.berry/templates/completion.txt` in the repository), `deliverable` (the subject
//! as a `nats://` URL), `commit_sha` (full), `files_changed`, `tests_passed`, `deployed_at`,
//! `next_agent` and `changes`. A blocked notice has `deployed_at: null`, `next_agent: null` (the
//! workflow stops there, as Sylvia's REJECTED notice does), and `blocked_at`, `reason` and
//! `blockers: [reason]` (what the orchestrator's blocked handler reads; an entry that starts
//! with `REQ-` becomes a blocking link to that REQ, so berry's reasons never start that way).
//! A failure notice (a push berry cannot remedy) has `deployed_at: null`, `next_agent: null`,
//! `failed_at`, `error` and `needs: "human"`: the orchestrator publishes `stage.failed` and
//! leaves the REQ in progress for a person.

use std::path::{Path, PathBuf};

use anyhow::Result;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};

use crate::context::ReviewRecord;
use crate::error::BerryError;

/// The built-in summary template.
pub const BUILTIN_TEMPLATE: &str = include_str!("../templates/completion.txt");
/// Where a repository overrides it.
pub const OVERRIDE_PATH: &str = ".berry/templates/completion.txt";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Complete,
    Blocked,
    Failed,
    /// `berry rollback` reverted what was shipped.
    RolledBack,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Complete => "COMPLETE",
            Status::Blocked => "BLOCKED",
            Status::Failed => "FAILED",
            Status::RolledBack => "ROLLED_BACK",
        }
    }
    /// The `kind` of its [`crate::context::EventRecord`].
    pub fn kind(self) -> crate::context::EventKind {
        match self {
            Status::Complete => crate::context::EventKind::Completion,
            Status::Blocked => crate::context::EventKind::Blocked,
            Status::RolledBack => crate::context::EventKind::Rollback,
            Status::Failed => crate::context::EventKind::Failed,
        }
    }
}

/// One changed file, as the commit or the review recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    /// `added`, `modified`, `deleted`, `renamed`, `typechange`.
    pub status: String,
    pub old_path: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub files_created: Vec<String>,
    pub files_modified: Vec<String>,
    pub files_deleted: Vec<String>,
    pub files_renamed: Vec<Renamed>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renamed {
    pub from: String,
    pub to: String,
}

impl Changes {
    pub fn of(files: &[FileChange]) -> Changes {
        let mut c = Changes::default();
        for f in files {
            match f.status.as_str() {
                "added" | "new" | "created" | "A" => c.files_created.push(f.path.clone()),
                "deleted" | "removed" | "D" => c.files_deleted.push(f.path.clone()),
                "renamed" | "R" => match &f.old_path {
                    Some(old) => c.files_renamed.push(Renamed {
                        from: old.clone(),
                        to: f.path.clone(),
                    }),
                    None => c.files_modified.push(f.path.clone()),
                },
                _ => c.files_modified.push(f.path.clone()),
            }
        }
        c
    }
}

/// The files of the commit (`ledger.commit.files`, each told as review saw it), else the
/// reviewed files.
pub fn files_from(
    commit: Option<&crate::context::CommitRecord>,
    review: Option<&ReviewRecord>,
) -> Vec<FileChange> {
    if let Some(c) = commit {
        let renamed_from = |p: &str| {
            review.is_some_and(|r| r.files.iter().any(|f| f.old_path.as_deref() == Some(p)))
        };
        use crate::context::CommittedFile;
        return c
            .files
            .iter()
            .filter_map(|f| match f {
                // The old side of a rename is told with its new side.
                CommittedFile::Path(p) if renamed_from(p) => None,
                // A plain path: what happened to it is what review saw.
                CommittedFile::Path(p) => Some(
                    review
                        .and_then(|r| r.files.iter().find(|f| &f.path == p))
                        .map(|f| FileChange {
                            path: f.path.clone(),
                            status: f.status.clone(),
                            old_path: f.old_path.clone(),
                        })
                        .unwrap_or_else(|| FileChange {
                            path: p.clone(),
                            status: "modified".into(),
                            old_path: None,
                        }),
                ),
                CommittedFile::Change {
                    path,
                    status,
                    old_path,
                } => Some(FileChange {
                    path: path.clone(),
                    status: status.clone(),
                    old_path: old_path.clone(),
                }),
            })
            .collect();
    }
    review
        .map(|r| {
            r.files
                .iter()
                .map(|f| FileChange {
                    path: f.path.clone(),
                    status: f.status.clone(),
                    old_path: f.old_path.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Everything a notice is made of.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    pub req: &'a str,
    pub title: Option<&'a str>,
    pub status: Status,
    pub subject: &'a str,
    /// The full commit SHA, when there is a commit.
    pub commit_sha: Option<&'a str>,
    pub branch: Option<&'a str>,
    pub pr_url: Option<&'a str>,
    pub files: &'a [FileChange],
    pub tests_passed: bool,
    /// Why the tests were skipped for the shipped tree (`--skip-tests --reason`), if they were.
    pub tests_skipped: Option<&'a str>,
    /// How the health checks stood for the commit (`{status, checks, reason}`), for a completion.
    pub health: Option<&'a Value>,
    /// The security checklist's items (`[{id, status, by, at, …}]`), for a completion.
    pub checklist: Option<&'a Value>,
    /// The CI outcome in words (`success`, `skipped: <reason>`, …).
    pub ci: &'a str,
    /// When it was deployed (COMPLETE) or blocked (BLOCKED).
    pub at: Timestamp,
    /// Why it is blocked (BLOCKED), or what failed (FAILED).
    pub reason: Option<&'a str>,
}

/// The summary template and where it came from (`None`: built in).
#[derive(Debug, Clone)]
pub struct Template {
    pub source: String,
    pub origin: Option<PathBuf>,
}

impl Template {
    pub fn builtin() -> Template {
        Template {
            source: BUILTIN_TEMPLATE.to_string(),
            origin: None,
        }
    }

    /// `.berry/templates/completion.txt` under `root` when present, else the built-in one.
    pub fn load(root: &Path) -> Result<Template> {
        let p = root.join(OVERRIDE_PATH);
        match std::fs::read_to_string(&p) {
            Ok(source) => Ok(Template {
                source,
                origin: Some(p),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Template::builtin()),
            Err(e) => Err(anyhow::Error::new(e).context(format!("cannot read {}", p.display()))),
        }
    }

    fn name(&self) -> String {
        self.origin
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "the built-in templates/completion.txt".into())
    }
}

/// `Nats-Msg-Id`: REQ, outcome and what it is about (the commit, else the QA evidence it judged),
/// so the same notice always has the same id and a stream drops a resend.
pub fn msg_id(req: &str, status: Status, reference: &str) -> String {
    let reference: String = reference
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(40)
        .collect();
    let reference = if reference.is_empty() {
        "none".to_string()
    } else {
        reference
    };
    format!(
        "berry-{req}-{}-{reference}",
        status.as_str().to_ascii_lowercase()
    )
}

/// The `Nats-Msg-Id` of a failure's notice: REQ, outcome (`tests-failed`, `push-failed`) and the
/// commit, so a rerun for the same failure never sends a second notice and a failure of another
/// commit is a notice of its own.
pub fn failure_id(req: &str, outcome: &str, commit: Option<&str>) -> String {
    let commit: String = commit
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(40)
        .collect();
    let commit = if commit.is_empty() {
        "none".to_string()
    } else {
        commit
    };
    format!("berry-{req}-{outcome}-{commit}")
}

/// The short SHA the tracker and the summary show (7 characters, as the tracker's entries write it).
pub fn short_sha(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

/// Renders the summary; an empty result or a template error is a configuration error (exit 2).
pub fn summary(n: &Notice<'_>, t: &Template) -> Result<String> {
    let changes = Changes::of(n.files);
    let ctx = json!({
        "status": n.status.as_str(),
        "req": n.req,
        "title": n.title,
        "commit_sha": n.commit_sha,
        "short_sha": n.commit_sha.map(short_sha),
        "branch": n.branch,
        "pr_url": n.pr_url,
        "files_changed": n.files.len(),
        "files_created": changes.files_created.len(),
        "files_modified": changes.files_modified.len() + changes.files_renamed.len(),
        "files_deleted": changes.files_deleted.len(),
        "tests_passed": n.tests_passed,
        "tests_skipped": n.tests_skipped,
        "ci": n.ci,
        "deployed_at": crate::clock::rfc3339(n.at),
        "reason": n.reason,
    });
    let env = minijinja::Environment::new();
    let text = env.render_str(&t.source, ctx).map_err(|e| {
        BerryError::usage(format!("cannot render {}: {e}", t.name())).with_hint(format!(
            "fix the template, or remove {OVERRIDE_PATH} to use the built-in one"
        ))
    })?;
    let text = text.trim().to_string();
    if text.is_empty() {
        return Err(BerryError::usage(format!(
            "{} rendered an empty summary; the orchestrator needs one",
            t.name()
        ))
        .into());
    }
    Ok(text)
}

/// The notice's JSON payload.
pub fn payload(n: &Notice<'_>, t: &Template) -> Result<Value> {
    let summary = summary(n, t)?;
    let changes = Changes::of(n.files);
    let at = crate::clock::rfc3339(n.at);
    let mut v = json!({
        "agent": "berry",
        "req_number": n.req,
        "reqId": n.req,
        "title": n.title,
        "status": n.status.as_str(),
        "summary": summary,
        "deliverable": format!("nats://{}", n.subject),
        "commit_sha": n.commit_sha,
        "files_changed": n.files.len(),
        "tests_passed": n.tests_passed,
        "ci": n.ci,
        "changes": changes,
    });
    if let Some(reason) = n.tests_skipped {
        // Only when skipped: the notice of a tested REQ keeps its shape.
        v["tests_skipped"] = json!(true);
        v["tests_skipped_reason"] = json!(reason);
    }
    if let Some(h) = n.health {
        v["health"] = h.clone();
    }
    if let Some(c) = n.checklist {
        v["checklist"] = c.clone();
    }
    let o = v.as_object_mut().expect("a JSON object");
    match n.status {
        Status::Complete => {
            o.insert("deployed_at".into(), json!(at));
            o.insert("next_agent".into(), json!("tim"));
        }
        Status::Blocked => {
            let reason = n.reason.unwrap_or("blocked by the operator");
            o.insert("deployed_at".into(), Value::Null);
            o.insert("next_agent".into(), Value::Null);
            o.insert("blocked_at".into(), json!(at));
            o.insert("reason".into(), json!(reason));
            o.insert("blockers".into(), json!([reason]));
        }
        Status::RolledBack => {
            o.insert("deployed_at".into(), Value::Null);
            o.insert("next_agent".into(), Value::Null);
            o.insert("rolled_back_at".into(), json!(at));
            o.insert(
                "reason".into(),
                json!(n.reason.unwrap_or("rolled back by the operator")),
            );
        }
        Status::Failed => {
            let error = n.reason.unwrap_or("the step failed");
            o.insert("deployed_at".into(), Value::Null);
            o.insert("next_agent".into(), Value::Null);
            o.insert("failed_at".into(), json!(at));
            o.insert("error".into(), json!(error));
            o.insert("needs".into(), json!("human"));
        }
    }
    Ok(v)
}

/// The recorded freeze overrides, as the notice and the PR body carry them.
pub fn freeze_overrides(ctx: &crate::context::ReqContext) -> Value {
    json!(
        ctx.ledger
            .freeze_overrides
            .iter()
            .map(|o| json!({
                "step": o.step,
                "window": o.window,
                "reason": o.reason,
                "at": crate::clock::rfc3339(o.at),
            }))
            .collect::<Vec<_>>()
    )
}

/// The notice's `checklist`: each item's status and who answered it, when one was recorded for
/// the completed SHA.
pub fn checklist(ctx: &crate::context::ReqContext, sha: &str) -> Option<Value> {
    let c = ctx.ledger.checklist.as_ref().filter(|c| c.sha == sha)?;
    Some(Value::Array(
        c.items
            .iter()
            .map(|i| {
                json!({
                    "id": i.id, "title": i.title, "required": i.required, "status": i.status(),
                    "detail": i.auto.as_ref().map(|a| a.detail.clone()),
                    "by": i.answer.as_ref().map(|a| a.by.clone()),
                    "at": i.answer.as_ref().map(|a| crate::clock::rfc3339(a.at)),
                    "how": i.answer.as_ref().map(|a| a.how.clone()),
                    "note": i.answer.as_ref().and_then(|a| a.note.clone()),
                })
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<FileChange> {
        let f = |p: &str, s: &str, o: Option<&str>| FileChange {
            path: p.into(),
            status: s.into(),
            old_path: o.map(String::from),
        };
        vec![
            f("a.ts", "added", None),
            f("b.ts", "modified", None),
            f("c.ts", "deleted", None),
            f("d.ts", "renamed", Some("old-d.ts")),
        ]
    }

    fn notice<'a>(files: &'a [FileChange], status: Status) -> Notice<'a> {
        Notice {
            req: "REQ-A-1",
            title: Some("Thing"),
            status,
            subject: "agog.deliverables.berry.devops.REQ-A-1",
            commit_sha: Some("0123456789abcdef0123456789abcdef01234567"),
            branch: Some("main"),
            pr_url: None,
            files,
            tests_passed: true,
            tests_skipped: None,
            health: None,
            checklist: None,
            ci: "success",
            at: "2026-01-05T12:00:00Z".parse().unwrap(),
            reason: (status == Status::Blocked).then_some("QA failed"),
        }
    }

    #[test]
    fn completion_notice_has_what_the_orchestrator_reads() {
        let files = files();
        let v = payload(&notice(&files, Status::Complete), &Template::builtin()).unwrap();
        assert_eq!(v["agent"], "berry");
        assert_eq!(v["req_number"], "REQ-A-1");
        assert_eq!(v["reqId"], "REQ-A-1");
        assert_eq!(v["status"], "COMPLETE");
        assert_eq!(
            v["deliverable"],
            "nats://agog.deliverables.berry.devops.REQ-A-1"
        );
        assert_eq!(v["commit_sha"], "0123456789abcdef0123456789abcdef01234567");
        assert_eq!(v["files_changed"], 4);
        assert_eq!(v["tests_passed"], true);
        assert_eq!(v["deployed_at"], "2026-01-05T12:00:00Z");
        assert_eq!(v["next_agent"], "tim");
        assert_eq!(v["changes"]["files_created"], json!(["a.ts"]));
        assert_eq!(v["changes"]["files_modified"], json!(["b.ts"]));
        assert_eq!(v["changes"]["files_deleted"], json!(["c.ts"]));
        assert_eq!(
            v["changes"]["files_renamed"],
            json!([{"from": "old-d.ts", "to": "d.ts"}])
        );
        assert_eq!(
            v["summary"],
            "DevOps for REQ-A-1 (Thing) complete: commit 0123456 with 4 files changed (1 created, 2 modified, 1 deleted) on main. CI: success. Tracker set to DEPLOYED at 2026-01-05T12:00:00Z."
        );
    }

    #[test]
    fn blocked_notice_stops_the_workflow_with_its_reason() {
        let v = payload(&notice(&[], Status::Blocked), &Template::builtin()).unwrap();
        assert_eq!(v["status"], "BLOCKED");
        assert_eq!(v["next_agent"], Value::Null);
        assert_eq!(v["deployed_at"], Value::Null);
        assert_eq!(v["blockers"], json!(["QA failed"]));
        assert_eq!(v["files_changed"], 0);
        assert_eq!(
            v["summary"],
            "DevOps for REQ-A-1 (Thing) is BLOCKED: QA failed (commit 0123456). Nothing was deployed; the tracker says BLOCKED."
        );
    }

    #[test]
    fn failed_notice_needs_a_human_and_names_the_error() {
        let mut n = notice(&[], Status::Failed);
        n.reason = Some("authentication to `origin` failed: tried GH_TOKEN");
        let v = payload(&n, &Template::builtin()).unwrap();
        assert_eq!(v["status"], "FAILED");
        assert_eq!(v["needs"], "human");
        assert_eq!(
            v["error"],
            "authentication to `origin` failed: tried GH_TOKEN"
        );
        assert_eq!(v["failed_at"], "2026-01-05T12:00:00Z");
        assert_eq!(v["commit_sha"], "0123456789abcdef0123456789abcdef01234567");
        assert_eq!(v["next_agent"], Value::Null);
        assert_eq!(v["deployed_at"], Value::Null);
        assert!(v.get("blockers").is_none(), "{v}");
        assert_eq!(
            v["summary"],
            "DevOps for REQ-A-1 (Thing) FAILED: authentication to `origin` failed: tried GH_TOKEN (commit 0123456). Nothing was deployed; the REQ stays IN_PROGRESS until a person resolves it."
        );
    }

    #[test]
    fn failure_ids_tell_outcomes_and_commits_apart() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        let a = failure_id("REQ-A-1", "push-failed", Some(sha));
        assert_eq!(a, format!("berry-REQ-A-1-push-failed-{sha}"));
        assert_ne!(a, failure_id("REQ-A-1", "tests-failed", Some(sha)));
        assert_ne!(a, failure_id("REQ-A-1", "push-failed", Some("ab12")));
        assert_eq!(
            failure_id("REQ-A-1", "tests-failed", None),
            "berry-REQ-A-1-tests-failed-none"
        );
    }

    #[test]
    fn an_override_that_renders_nothing_is_refused() {
        let t = Template {
            source: "{% if false %}x{% endif %}  \n".into(),
            origin: Some("/r/.berry/templates/completion.txt".into()),
        };
        let e = payload(&notice(&[], Status::Complete), &t).unwrap_err();
        assert_eq!(crate::error::classify(&e).exit, crate::error::Exit::Usage);
        let t = Template {
            source: "{{ req }} shipped {{ short_sha }}".into(),
            origin: None,
        };
        let v = payload(&notice(&[], Status::Complete), &t).unwrap();
        assert_eq!(v["summary"], "REQ-A-1 shipped 0123456");
        let bad = Template {
            source: "{% if %}".into(),
            origin: None,
        };
        assert!(summary(&notice(&[], Status::Complete), &bad).is_err());
    }

    #[test]
    fn message_ids_are_stable_and_tell_outcomes_apart() {
        let a = msg_id("REQ-A-1", Status::Complete, "0123456789ab");
        assert_eq!(a, "berry-REQ-A-1-complete-0123456789ab");
        assert_eq!(a, msg_id("REQ-A-1", Status::Complete, "0123456789ab"));
        assert_ne!(a, msg_id("REQ-A-1", Status::Blocked, "0123456789ab"));
        assert_eq!(
            msg_id("REQ-A-1", Status::Blocked, ""),
            "berry-REQ-A-1-blocked-none"
        );
        assert_eq!(
            msg_id("REQ-A-1", Status::Blocked, "qa sha256:ab/c"),
            "berry-REQ-A-1-blocked-qasha256abc"
        );
    }

    #[test]
    fn commit_files_are_told_as_review_saw_them() {
        let f = |path: &str, status: &str, old: Option<&str>| crate::context::ReviewedFile {
            path: path.into(),
            status: status.into(),
            old_path: old.map(str::to_string),
            blob: None,
            insertions: 1,
            deletions: 0,
        };
        let review = crate::context::ReviewRecord {
            reviewed_at: jiff::Timestamp::UNIX_EPOCH,
            head: None,
            branch: None,
            files: vec![
                f("new.ts", "added", None),
                f("r.ts", "renamed", Some("q.ts")),
            ],
            deselected: vec![],
            out_of_scope: vec![],
            allowed: vec![],
        };
        let commit = crate::context::CommitRecord {
            sha: "x".into(),
            branch: "main".into(),
            tree: None,
            files_changed: 4,
            insertions: 0,
            deletions: 0,
            at: jiff::Timestamp::UNIX_EPOCH,
            files: ["new.ts", "other.ts", "q.ts", "r.ts"]
                .map(|p| String::from(p).into())
                .into_iter()
                .chain([crate::context::CommittedFile::Change {
                    path: "n.ts".into(),
                    status: "added".into(),
                    old_path: None,
                }])
                .collect(),
            changed_since_review: vec![],
            included_staged: vec![],
            rebased_from: None,
        };
        let files = files_from(Some(&commit), Some(&review));
        assert_eq!(files.len(), 4, "{files:?}");
        let c = Changes::of(&files);
        assert_eq!(c.files_created, ["new.ts", "n.ts"]);
        assert_eq!(c.files_modified, ["other.ts"]);
        assert_eq!(c.files_renamed[0].from, "q.ts");
        assert!(files_from(None, None).is_empty());
        assert_eq!(files_from(None, Some(&review)).len(), 2);
    }
}
