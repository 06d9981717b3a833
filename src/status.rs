//! `berry status`'s work: what is recorded for a REQ, as the documented, versioned view that
//! `status --json` prints (README "berry status --json"), not the internal context file.
//! [`status`] finds the REQ (named, else the current one, else the list of REQs with a context)
//! and returns a [`Found`]; the command renders it. Nothing here prints.
//!
//! The view is [`Status`]: typed, serialized as the schema. Times are RFC 3339 in UTC with whole
//! seconds; absent things are `null`. [`SCHEMA_VERSION`] changes only when a field is removed or
//! changes meaning; new fields may appear within a version.

use anyhow::Result;
use serde::Serialize;
use serde_json::Value;

use crate::context::{EventKind, FailureKind, FailureRecord, ReqContext};
use crate::req::ReqNumber;
use crate::workflow::{Outcome, ReqState, Step, TestsFor};
use crate::workspace::Workspace;

/// The version of the `status --json` schema (`data.schema_version`).
pub const SCHEMA_VERSION: u32 = 1;

/// What `status` found.
pub enum Found {
    /// No REQ named and none current: the REQs that have a context here.
    List(Vec<ReqNumber>),
    /// The REQ has no context yet.
    Nothing(Nothing),
    /// The REQ's context, and its view.
    Recorded {
        ctx: Box<ReqContext>,
        status: Box<Status>,
    },
}

/// The view of a REQ with nothing recorded: only `verify` can come next.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Nothing {
    pub schema_version: u32,
    pub req: ReqNumber,
    pub next: Step,
    pub steps: Vec<StepLine>,
}

/// `named` (the argument or `--req`), else the current REQ; with neither, the list.
pub fn status(ws: &Workspace, named: Option<ReqNumber>) -> Result<Found> {
    let req = match named {
        Some(r) => r,
        None => match ws.store.current()? {
            Some(r) => r,
            None => return Ok(Found::List(ws.store.list())),
        },
    };
    let Some(ctx) = ws.store.peek(&req)? else {
        return Ok(Found::Nothing(Nothing {
            schema_version: SCHEMA_VERSION,
            req,
            next: Step::Verify,
            steps: vec![],
        }));
    };
    let health_configured = !ws.config.health.all_checks().is_empty();
    let status = Status::of(&ctx, &ws.repo, health_configured);
    Ok(Found::Recorded {
        ctx: Box::new(ctx),
        status: Box::new(status),
    })
}

/// `status --json`'s `data` for a REQ with a context (the README's table, field by field).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Status {
    pub schema_version: u32,
    pub req: ReqNumber,
    pub title: Option<String>,
    pub state: Option<ReqState>,
    /// The first step not done; `None` when every step is.
    pub next: Option<Step>,
    pub updated_at: String,
    /// The steps of [`Step::ORDER`], in order.
    pub steps: Vec<StepLine>,
    pub evidence: Option<EvidenceView>,
    pub commit: Option<CommitView>,
    pub tests: TestsView,
    pub push: Option<PushView>,
    pub pr: Option<PrView>,
    pub watch: Option<WatchView>,
    /// The CI-failure issue.
    pub issue: Option<IssueView>,
    pub health: HealthView,
    pub checklist: Option<ChecklistView>,
    /// Each tracker edit berry wrote.
    pub tracker: Vec<TrackerView>,
    /// Each tracker edit committed alone, and where it was pushed.
    pub tracker_commits: Vec<TrackerCommitView>,
    /// Each notice.
    pub events: Vec<EventView>,
    /// Each reported failure.
    pub failures: Vec<FailureView>,
    /// Each step run during a change freeze by `--override-freeze --reason`.
    pub freeze_overrides: Vec<FreezeOverrideView>,
    /// `berry rollback`, as far as it got.
    pub rollback: Option<RollbackView>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StepLine {
    pub step: Step,
    /// `None`: not run.
    pub outcome: Option<Outcome>,
    pub at: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EvidenceView {
    pub approved: bool,
    pub source: String,
    pub verified_at: String,
    pub reasons: Vec<String>,
    pub qa: Option<QaView>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QaView {
    pub agent: String,
    pub row_id: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CommitView {
    pub sha: String,
    pub branch: String,
    pub tree: Option<String>,
    pub at: String,
    pub rebased_from: Option<String>,
    /// `false` when the branch no longer contains the commit (rebased or reset since: not what
    /// it ships); `None` when the branch or the commit is gone.
    pub on_branch: Option<bool>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TestsView {
    /// `passed`, `failed`, `skipped` or `not_run`, for the tree of the shipped commit.
    pub for_shipped_tree: &'static str,
    pub passed: Option<bool>,
    pub tree: Option<String>,
    pub at: Option<String>,
    pub log: Option<String>,
    pub skipped_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PushView {
    pub remote: String,
    pub url: String,
    #[serde(rename = "ref")]
    pub refname: String,
    pub sha: String,
    pub branch: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PrView {
    pub number: Option<u64>,
    pub url: Option<String>,
    pub not_needed: bool,
    pub skipped: Option<String>,
    pub reviewers: Vec<String>,
    pub labels: Vec<String>,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WatchView {
    pub conclusion: String,
    pub sha: String,
    pub reason: Option<String>,
    /// The CI-failure issue's number.
    pub issue: Option<u64>,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IssueView {
    pub number: u64,
    pub url: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HealthView {
    /// `passed`, `failed`, `skipped`, `not_configured` or `not_run`, for the shipped commit.
    pub for_shipped_commit: &'static str,
    pub sha: Option<String>,
    pub passed: Option<bool>,
    pub at: Option<String>,
    pub elapsed_ms: Option<u64>,
    pub checks: Vec<CheckView>,
    pub skipped_reason: Option<String>,
    pub skipped_sha: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CheckView {
    pub name: String,
    pub kind: String,
    pub target: String,
    pub passed: bool,
    pub attempts: u32,
    pub latency_ms: u64,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChecklistView {
    pub sha: String,
    pub at: String,
    pub done: bool,
    /// The items as the notice and the PR body show them ([`crate::notice::checklist`]).
    pub items: Option<Value>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrackerView {
    pub path: String,
    pub status: ReqState,
    /// As written into the tracker.
    pub at: String,
    pub commit: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrackerCommitView {
    pub status: ReqState,
    pub sha: String,
    pub branch: String,
    pub at: String,
    /// `<remote> <ref>` once pushed.
    pub pushed: Option<String>,
    /// Why it was kept local.
    pub not_pushed: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EventView {
    /// `completion`, `blocked`, `failed` or `rollback`.
    pub kind: EventKind,
    pub subject: String,
    pub msg_id: String,
    pub acknowledged: bool,
    pub sent_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FailureView {
    pub kind: FailureKind,
    pub id: String,
    pub commit: Option<String>,
    pub error: String,
    pub at: String,
    pub issue: Option<IssueRef>,
    /// `open`, `closed`, `pending`, `skipped` or `none` ([`issue_state`]).
    pub issue_state: &'static str,
    pub issue_error: Option<String>,
    pub github_pending: bool,
    /// The SHA that fixed it.
    pub resolved_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IssueRef {
    pub number: u64,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FreezeOverrideView {
    pub step: String,
    pub window: String,
    pub reason: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RollbackView {
    pub reason: String,
    pub started_at: String,
    /// The shipped commit it reverts.
    pub target: String,
    pub remote: String,
    pub branch: String,
    /// The remote head the revert was made on.
    pub onto: Option<String>,
    /// The revert commit.
    pub revert: Option<String>,
    /// The tests passed for the revert's tree.
    pub tested: bool,
    /// `<remote> <ref>` once the revert is there.
    pub pushed: Option<String>,
    /// The revert pull request, on a protected branch.
    pub pr: Option<IssueRef>,
    /// The health checks re-run after the push: `None` until they ran.
    pub health_passed: Option<bool>,
    /// From the start until health was green, without the tests' own time.
    pub duration_ms: Option<u64>,
}

fn t(ts: jiff::Timestamp) -> String {
    crate::clock::rfc3339(ts)
}

impl Status {
    /// The view of `ctx`; `repo` says whether the commit is still on its branch and which tree
    /// ships; `health_configured`: the configuration in force has health checks.
    pub fn of(ctx: &ReqContext, repo: &git2::Repository, health_configured: bool) -> Status {
        let l = &ctx.ledger;
        let steps = Step::ORDER
            .iter()
            .map(|s| match ctx.steps.get(s) {
                Some(r) => StepLine {
                    step: *s,
                    outcome: Some(r.outcome),
                    at: Some(t(r.at)),
                    message: Some(r.message.clone()),
                },
                None => StepLine {
                    step: *s,
                    outcome: None,
                    at: None,
                    message: None,
                },
            })
            .collect();
        let tree = ctx
            .shipped_sha()
            .and_then(|s| git2::Oid::from_str(s).ok())
            .and_then(|o| repo.find_commit(o).ok())
            .map(|c| c.tree_id().to_string())
            .or_else(|| l.commit.as_ref().and_then(|c| c.tree.clone()));
        let for_shipped_tree = match crate::workflow::tests_for(ctx, tree.as_deref()) {
            TestsFor::Passed => "passed",
            TestsFor::Failed => "failed",
            TestsFor::Skipped(_) => "skipped",
            TestsFor::NotRun => "not_run",
        };
        Status {
            schema_version: SCHEMA_VERSION,
            req: ctx.req.clone(),
            title: ctx.title.clone(),
            state: ctx.state,
            next: crate::workflow::next(ctx),
            updated_at: t(ctx.updated_at),
            steps,
            evidence: ctx.evidence.as_ref().map(|e| EvidenceView {
                approved: e.approved,
                source: e.source.clone(),
                verified_at: t(e.verified_at),
                reasons: e.reasons.clone(),
                qa: e.qa.as_ref().map(|q| QaView {
                    agent: q.agent.clone(),
                    row_id: q.row_id.clone(),
                    sha256: q.sha256.clone(),
                }),
            }),
            commit: l.commit.as_ref().map(|c| CommitView {
                sha: c.sha.clone(),
                branch: c.branch.clone(),
                tree: c.tree.clone(),
                at: t(c.at),
                rebased_from: c.rebased_from.clone(),
                on_branch: on_branch(repo, &c.branch, &c.sha),
            }),
            tests: TestsView {
                for_shipped_tree,
                passed: l.tests.as_ref().map(|x| x.passed),
                tree: l.tests.as_ref().and_then(|x| x.tree.clone()),
                at: l.tests.as_ref().map(|x| t(x.at)),
                log: l.tests.as_ref().map(|x| x.log.clone()),
                skipped_reason: l.tests_skipped.as_ref().map(|s| s.reason.clone()),
            },
            push: l.push.as_ref().map(|p| PushView {
                remote: p.remote.clone(),
                url: p.url.clone(),
                refname: p.refname.clone(),
                sha: p.sha.clone(),
                branch: p.branch.clone(),
                at: t(p.at),
            }),
            pr: l.pr.as_ref().map(|p| PrView {
                number: p.number,
                url: p.url.clone(),
                not_needed: p.not_needed,
                skipped: p.skipped.clone(),
                reviewers: p.reviewers.clone(),
                labels: p.labels.clone(),
                at: t(p.at),
            }),
            watch: l.watch.as_ref().map(|w| WatchView {
                conclusion: w.conclusion.clone(),
                sha: w.sha.clone(),
                reason: w.reason.clone(),
                issue: w.issue,
                at: t(w.at),
            }),
            issue: l.issue.as_ref().map(|i| IssueView {
                number: i.number,
                url: i.url.clone(),
                at: t(i.at),
            }),
            health: HealthView {
                for_shipped_commit: crate::workflow::health_for(
                    ctx,
                    ctx.shipped_sha(),
                    health_configured,
                )
                .as_str(),
                sha: l.health.as_ref().map(|h| h.sha.clone()),
                passed: l.health.as_ref().map(|h| h.passed),
                at: l.health.as_ref().map(|h| t(h.at)),
                elapsed_ms: l.health.as_ref().map(|h| h.elapsed_ms),
                checks: l
                    .health
                    .iter()
                    .flat_map(|h| &h.checks)
                    .map(|c| CheckView {
                        name: c.name.clone(),
                        kind: c.kind.clone(),
                        target: c.target.clone(),
                        passed: c.passed,
                        attempts: c.attempts,
                        latency_ms: c.latency_ms,
                        detail: c.detail.clone(),
                    })
                    .collect(),
                skipped_reason: l.health_skipped.as_ref().map(|s| s.reason.clone()),
                skipped_sha: l.health_skipped.as_ref().map(|s| s.sha.clone()),
            },
            checklist: l.checklist.as_ref().map(|c| ChecklistView {
                sha: c.sha.clone(),
                at: t(c.at),
                done: c.done(),
                items: crate::notice::checklist(ctx, &c.sha),
            }),
            tracker: l
                .tracker
                .iter()
                .map(|x| TrackerView {
                    path: x.path.clone(),
                    status: x.status,
                    at: x.at.clone(),
                    commit: x.commit.clone(),
                })
                .collect(),
            tracker_commits: l
                .tracker_commits
                .iter()
                .map(|c| TrackerCommitView {
                    status: c.status,
                    sha: c.sha.clone(),
                    branch: c.branch.clone(),
                    at: t(c.at),
                    pushed: c.pushed.clone(),
                    not_pushed: c.not_pushed.clone(),
                })
                .collect(),
            events: l
                .events
                .iter()
                .map(|e| EventView {
                    kind: e.kind,
                    subject: e.subject.clone(),
                    msg_id: e.msg_id.clone(),
                    acknowledged: e.acknowledged,
                    sent_at: e.sent_at.map(t),
                })
                .collect(),
            failures: l
                .failures
                .iter()
                .map(|f| FailureView {
                    kind: f.kind,
                    id: f.id.clone(),
                    commit: f.commit.clone(),
                    error: f.error.clone(),
                    at: t(f.at),
                    issue: f.issue.as_ref().map(|i| IssueRef {
                        number: i.number,
                        url: i.url.clone(),
                    }),
                    issue_state: issue_state(f),
                    issue_error: f.issue_error.clone(),
                    github_pending: f.github_pending(),
                    resolved_by: f.resolved.as_ref().map(|r| r.sha.clone()),
                })
                .collect(),
            freeze_overrides: l
                .freeze_overrides
                .iter()
                .map(|o| FreezeOverrideView {
                    step: o.step.clone(),
                    window: o.window.clone(),
                    reason: o.reason.clone(),
                    at: t(o.at),
                })
                .collect(),
            rollback: l.rollback.as_ref().map(|r| RollbackView {
                reason: r.reason.clone(),
                started_at: t(r.started_at),
                target: r.target.clone(),
                remote: r.remote.clone(),
                branch: r.branch.clone(),
                onto: r.onto.clone(),
                revert: r.revert.clone(),
                tested: r.tested,
                pushed: r.pushed.clone(),
                pr: r.pr_number.map(|number| IssueRef {
                    number,
                    url: r.pr_url.clone().unwrap_or_default(),
                }),
                health_passed: r
                    .health
                    .as_ref()
                    .map(|checks| checks.iter().all(|c| c.passed)),
                duration_ms: r.duration_ms,
            }),
        }
    }
}

/// `open`, `closed`, `pending` (owed to GitHub), `skipped` (no GitHub repository) or `none`.
pub fn issue_state(f: &FailureRecord) -> &'static str {
    if f.issue_skipped.is_some() {
        "skipped"
    } else if f.github_pending() {
        "pending"
    } else if f.issue_open() {
        "open"
    } else if f.issue.is_some() {
        "closed"
    } else {
        "none"
    }
}

/// Whether `branch` still contains `sha` (`None` when either is gone). After a rebase or a reset
/// the recorded commit is no longer what the branch ships.
pub fn on_branch(repo: &git2::Repository, branch: &str, sha: &str) -> Option<bool> {
    let oid = git2::Oid::from_str(sha).ok()?;
    let tip = repo.refname_to_id(&format!("refs/heads/{branch}")).ok()?;
    Some(tip == oid || repo.graph_descendant_of(tip, oid).unwrap_or(false))
}

#[cfg(test)]
mod tests;
