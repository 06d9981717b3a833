//! The REQ context: one JSON file per REQ shared by every subcommand, a `CURRENT` file naming the
//! current REQ, and a lock that keeps two berry processes off the same REQ.
//!
//! The file holds a typed ledger: one record type per side effect (commit, tests, push, PR,
//! watch, CI-failure issue, tracker edits, notices), each written once the side effect happened.
//! Writes are atomic (temporary file in the same folder, fsync, rename, fsync of the folder) with
//! mode 0600. A version-1 file is migrated on load (and written as version 2 by the next save); a
//! newer format is refused and never rewritten; a corrupt file is moved aside.
//!
//! With `state.backend = "nats-kv"` the document of record is an entry of a JetStream key-value
//! bucket ([`Remote`]): read with its revision under the lock, and every save a compare-and-set
//! on that revision, so two writers on two machines can never both win (the loser is told, and
//! its rerun reads the winner's record). The file is still written after each save, as a copy
//! for people and tools on that machine.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::BerryError;
use crate::req::ReqNumber;
use crate::workflow::{Outcome, ReqState, Step};

/// The format this berry writes. Files with a higher number are refused; version 1 (an untyped
/// ledger) is migrated on load.
pub const FORMAT_VERSION: u32 = 2;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReqContext {
    pub format_version: u32,
    pub req: ReqNumber,
    #[serde(default)]
    pub title: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// `BLOCKED` once a gate closed, `DEPLOYED` once complete.
    #[serde(default)]
    pub state: Option<ReqState>,
    #[serde(default)]
    pub evidence: Option<Evidence>,
    /// Each step's last outcome, by step.
    #[serde(default)]
    pub steps: BTreeMap<Step, StepRecord>,
    #[serde(default)]
    pub review: Option<ReviewRecord>,
    #[serde(default)]
    pub ledger: Ledger,
    /// The operator's acceptance of a changed working-tree `berry.toml` for this REQ, bound to
    /// the accepted text's hash (see `gateconfig`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_acceptance: Option<crate::gateconfig::Acceptance>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StepRecord {
    pub outcome: Outcome,
    pub at: Timestamp,
    #[serde(default)]
    pub message: String,
}

/// What `verify` saw: the verdict and what it rests on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Evidence {
    /// Where the deliverables came from (database URL without password, or folder).
    pub source: String,
    pub verified_at: Timestamp,
    pub approved: bool,
    #[serde(default)]
    pub reasons: Vec<String>,
    /// The QA deliverable the approval rests on.
    #[serde(default)]
    pub qa: Option<EvidenceItem>,
    #[serde(default)]
    pub deliverables: Vec<EvidenceItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EvidenceItem {
    pub agent: String,
    pub row_id: String,
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// `sha256:<hex>` of the deliverable's canonical JSON.
    pub sha256: String,
    #[serde(default)]
    pub status: Option<String>,
}

/// What `review` approved.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReviewRecord {
    pub reviewed_at: Timestamp,
    /// HEAD when the review was made (`None` on an unborn branch).
    #[serde(default)]
    pub head: Option<String>,
    /// The branch HEAD was on (`None` when detached, or recorded by an older berry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    pub files: Vec<ReviewedFile>,
    #[serde(default)]
    pub deselected: Vec<String>,
    #[serde(default)]
    pub out_of_scope: Vec<String>,
    #[serde(default)]
    pub allowed: Vec<GuardException>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReviewedFile {
    pub path: String,
    /// `added`, `modified`, `deleted`, `renamed`, `typechange`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_path: Option<String>,
    /// The blob id git would store for the working-tree content (`None` for a deletion).
    #[serde(default)]
    pub blob: Option<String>,
    pub insertions: usize,
    pub deletions: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct GuardException {
    pub guard: String,
    pub path: String,
    pub reason: String,
}

/// Side effects outside the context file, each recorded once it happened.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Ledger {
    #[serde(default)]
    pub commit: Option<CommitRecord>,
    #[serde(default)]
    pub tests: Option<TestsRecord>,
    /// `--skip-tests --reason TEXT`: the operator shipped a tree without passing tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tests_skipped: Option<TestsSkipped>,
    #[serde(default)]
    pub push: Option<PushRecord>,
    #[serde(default)]
    pub pr: Option<PrRecord>,
    #[serde(default)]
    pub watch: Option<WatchRecord>,
    #[serde(default)]
    pub issue: Option<IssueRecord>,
    /// What `berry health` found for the pushed SHA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<HealthRecord>,
    /// `--no-health --reason TEXT`: the operator completed a SHA without passing health checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_skipped: Option<HealthSkipped>,
    /// The security checklist for the shipped commit (`berry checklist`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checklist: Option<crate::checklist::ChecklistRecord>,
    #[serde(default)]
    pub tracker: Vec<TrackerRecord>,
    #[serde(default)]
    pub events: Vec<EventRecord>,
    /// The tracker edits committed (the tracker file alone) and where they were pushed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tracker_commits: Vec<TrackerCommit>,
    /// The failures berry reported for a human (tests failed, a push it could not remedy): one
    /// record per kind, with the issue that documents it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<FailureRecord>,
    /// `--override-freeze --reason TEXT`: a step that ran during a change freeze.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub freeze_overrides: Vec<FreezeOverride>,
    /// `berry rollback`: each of its steps, recorded as it is done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback: Option<RollbackRecord>,
}

impl Ledger {
    /// The notice recorded under `msg_id`, if any (one record per id: a rerun resends the
    /// pending one under the same id).
    pub fn event(&self, msg_id: &str) -> Option<&EventRecord> {
        self.events.iter().find(|e| e.msg_id == msg_id)
    }

    /// [`Ledger::event`], to update it.
    pub fn event_mut(&mut self, msg_id: &str) -> Option<&mut EventRecord> {
        self.events.iter_mut().find(|e| e.msg_id == msg_id)
    }
}

/// A rollback in progress or done: what it reverts, and each step as it was done.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RollbackRecord {
    pub reason: String,
    /// When it started (the clock berry reads).
    pub started_at: Timestamp,
    /// When it started, by the machine's clock, for the measured duration.
    pub measure_from: Timestamp,
    /// The shipped commit it reverts.
    pub target: String,
    pub remote: String,
    /// The remote branch the shipped commit is on.
    pub branch: String,
    /// The remote head the revert was made on.
    #[serde(default)]
    pub onto: Option<String>,
    /// The revert commit.
    #[serde(default)]
    pub revert: Option<String>,
    /// The tests passed for the revert's tree.
    #[serde(default)]
    pub tested: bool,
    /// The tests' own time, not counted in the duration.
    #[serde(default)]
    pub tests_ms: u64,
    /// `<remote> <ref>` once the revert is there.
    #[serde(default)]
    pub pushed: Option<String>,
    /// The revert pull request, on a protected branch.
    #[serde(default)]
    pub pr_number: Option<u64>,
    #[serde(default)]
    pub pr_url: Option<String>,
    /// The health checks re-run after the push.
    #[serde(default)]
    pub health: Option<Vec<crate::health::CheckResult>>,
    /// From the start until health was green, without the tests' own time (machine clock).
    #[serde(default)]
    pub duration_ms: Option<u64>,
}

/// A commit of the tracker file alone (`chore(<REQ>): <STATUS>`), made after berry edited it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TrackerCommit {
    pub status: ReqState,
    /// The commit, full SHA.
    pub sha: String,
    /// The branch it was made on.
    pub branch: String,
    /// The tracker's blob in it: a rerun with the same blob finds this record.
    pub blob: String,
    pub at: Timestamp,
    /// `<remote> <ref>` once pushed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed: Option<String>,
    /// Why it was kept local (a protected branch, other unpushed commits, no remote).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_pushed: Option<String>,
}

/// A step run during a change freeze because the operator overrode it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FreezeOverride {
    /// `push`, `complete` or `rollback`.
    pub step: String,
    /// The window, in words (`"No Friday deployments" (Fri 00:00–24:00 UTC)`).
    pub window: String,
    pub reason: String,
    pub at: Timestamp,
}

/// What `berry commit` made: recorded at once, so a rerun never commits twice.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CommitRecord {
    /// The commit, full SHA.
    pub sha: String,
    /// The branch it was made on.
    pub branch: String,
    /// Its tree id: what `test` must have passed for before it ships (`None` in a migrated
    /// version-1 record: read from the repository).
    #[serde(default)]
    pub tree: Option<String>,
    #[serde(default)]
    pub files_changed: usize,
    #[serde(default)]
    pub insertions: usize,
    #[serde(default)]
    pub deletions: usize,
    pub at: Timestamp,
    /// The paths it changed.
    #[serde(default)]
    pub files: Vec<CommittedFile>,
    /// Files whose content changed after review and that the operator accepted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed_since_review: Vec<String>,
    /// Files someone else had staged and the operator chose to include.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub included_staged: Vec<String>,
    /// The commit berry made first, when `push` rebased it onto the remote branch (this record
    /// then names the rebased commit, which must be tested again before it ships).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebased_from: Option<String>,
}

/// A committed file: its path, or its path with what happened to it (when the review did not
/// record it, the status comes from the commit).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum CommittedFile {
    Path(String),
    Change {
        path: String,
        status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        old_path: Option<String>,
    },
}

impl CommittedFile {
    pub fn path(&self) -> &str {
        match self {
            CommittedFile::Path(p) | CommittedFile::Change { path: p, .. } => p,
        }
    }
}

impl From<String> for CommittedFile {
    fn from(p: String) -> Self {
        CommittedFile::Path(p)
    }
}

/// What `berry test` ran and for which tree.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TestsRecord {
    pub passed: bool,
    /// The log file.
    pub log: String,
    #[serde(default)]
    pub commands: Vec<TestCommandRecord>,
    /// HEAD when they ran.
    #[serde(default)]
    pub head: Option<String>,
    /// HEAD's tree id when they ran: the only tree these results count for.
    #[serde(default)]
    pub tree: Option<String>,
    /// Paths whose working-tree content differed from HEAD while the tests ran.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dirty: Vec<String>,
    pub at: Timestamp,
}

/// How one test command ended.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TestCommandRecord {
    pub name: String,
    #[serde(default)]
    pub argv: Vec<String>,
    #[serde(default)]
    pub dir: String,
    pub passed: bool,
    #[serde(default)]
    pub exit_code: Option<i32>,
    #[serde(default)]
    pub timed_out: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default)]
    pub duration_ms: u64,
}

impl From<&crate::testrun::CommandResult> for TestCommandRecord {
    fn from(r: &crate::testrun::CommandResult) -> Self {
        TestCommandRecord {
            name: r.name.clone(),
            argv: r.argv.clone(),
            dir: r.dir.clone(),
            passed: r.passed,
            exit_code: r.exit_code,
            timed_out: r.timed_out,
            error: r.error.clone(),
            duration_ms: r.duration_ms,
        }
    }
}

/// `--skip-tests --reason TEXT`, bound to the tree it was given for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TestsSkipped {
    pub reason: String,
    /// The tree shipped without passing tests.
    pub tree: String,
    pub at: Timestamp,
}

/// What `berry health` found: each check's result, bound to the SHA it checked.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HealthRecord {
    /// The pushed commit whose deployment was checked.
    pub sha: String,
    /// Every check passed (true with no checks: none were configured).
    pub passed: bool,
    pub checks: Vec<crate::health::CheckResult>,
    #[serde(default)]
    pub elapsed_ms: u64,
    pub at: Timestamp,
}

/// `--no-health --reason TEXT`, bound to the SHA it was given for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HealthSkipped {
    pub reason: String,
    pub sha: String,
    pub at: Timestamp,
}

/// What `berry push` recorded; `pr` and `watch` read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRecord {
    /// The remote's name.
    pub remote: String,
    /// Its URL, never with credentials.
    pub url: String,
    /// The remote ref (`refs/heads/…`).
    #[serde(rename = "ref")]
    pub refname: String,
    /// The commit the remote ref was verified to hold.
    pub sha: String,
    /// The branch name on the remote (the PR's head).
    pub branch: String,
    /// berry made this branch (`feature/<REQ>` after a protected-branch refusal): only such a
    /// branch is ever force-pushed, and only with a lease on `sha`.
    pub berry_created: bool,
    pub at: Timestamp,
    /// The commit recorded by `berry commit`, when a rebase replaced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebased_from: Option<String>,
}

/// What `berry pr` recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrRecord {
    /// The branch is the default branch: nothing to open.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_needed: bool,
    /// No GitHub repository: nothing to open (the reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub head: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    pub at: Timestamp,
    /// It was open already (found, not created by this run).
    #[serde(default)]
    pub existing: bool,
    #[serde(default)]
    pub draft: bool,
    /// Reviewers requested on the PR (applied).
    #[serde(default)]
    pub reviewers: Vec<String>,
    /// Labels put on the PR (applied).
    #[serde(default)]
    pub labels: Vec<String>,
}

/// What `berry watch` recorded (`complete` reads `conclusion` and `sha`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchRecord {
    /// `success`, `failure` or `skipped` (no run appeared and config says that is fine, or no
    /// GitHub repository to watch).
    pub conclusion: String,
    pub sha: String,
    #[serde(default)]
    pub runs: Vec<RunRecord>,
    #[serde(default)]
    pub requests: Requests,
    pub at: Timestamp,
    /// The CI-failure issue, when one was opened or updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<u64>,
    /// Why it was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: u64,
    pub name: String,
    pub conclusion: Option<String>,
    pub url: String,
}

/// Requests answered 200 (they cost rate limit) and 304 (they do not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Requests {
    #[serde(rename = "200")]
    pub ok: u32,
    #[serde(rename = "304")]
    pub not_modified: u32,
}

/// The REQ's CI-failure issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueRecord {
    pub number: u64,
    pub url: String,
    pub at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
}

impl IssueRecord {
    /// The record after GitHub opened (`created`) or updated issue `number`: an opened issue is
    /// a new record; an updated one keeps when it was first recorded and notes the update.
    pub fn after(
        old: Option<IssueRecord>,
        number: u64,
        url: &str,
        created: bool,
        now: Timestamp,
    ) -> IssueRecord {
        match old {
            Some(mut old) if !created => {
                old.updated_at = Some(now);
                old.url = url.to_string();
                old
            }
            _ => IssueRecord {
                number,
                url: url.to_string(),
                at: now,
                updated_at: (!created).then_some(now),
            },
        }
    }
}

/// Which failure a [`FailureRecord`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureKind {
    /// `berry test` failed: the issue, BLOCKED, the blocked notice.
    Tests,
    /// `berry push` failed in a way berry cannot remedy: the issue and the FAILED notice; the
    /// tracker stays as it is.
    Push,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Tests => "tests",
            FailureKind::Push => "push",
        }
    }
}

/// A failure berry reported for a human, and the GitHub issue that documents it. The issue's
/// text is recorded before it is written (`issue_pending`), so a GitHub that did not answer gets
/// it from the next run; a later fix (a successful push) is recorded the same way until the
/// issue is commented and closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureRecord {
    pub kind: FailureKind,
    /// `berry-<REQ>-<kind>-failed-<commit>`: the notice's `Nats-Msg-Id`; one per REQ, outcome
    /// and commit.
    pub id: String,
    /// The commit that failed (tests: HEAD when they ran; push: the commit pushed).
    #[serde(default)]
    pub commit: Option<String>,
    pub at: Timestamp,
    /// What failed, in one line (masked).
    pub error: String,
    /// The issue's title and body as last rendered (masked).
    pub title: String,
    pub body: String,
    /// The issue, once GitHub answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<IssueRecord>,
    /// The body above is not on GitHub yet.
    #[serde(default)]
    pub issue_pending: bool,
    /// Why the last attempt to write it failed (masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_error: Option<String>,
    /// No GitHub repository to open it in (the reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_skipped: Option<String>,
    /// A later run fixed it (a push succeeded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<Resolution>,
}

/// The fix of a [`FailureRecord`]: the SHA that made it, and whether the issue was told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    pub sha: String,
    pub at: Timestamp,
    /// The issue was commented with the SHA.
    #[serde(default)]
    pub commented: bool,
    /// The issue was closed.
    #[serde(default)]
    pub closed: bool,
}

impl FailureRecord {
    /// Something is still owed to GitHub: the issue's text, or the comment and close of a fix.
    pub fn github_pending(&self) -> bool {
        self.issue_skipped.is_none()
            && (self.issue_pending
                || self
                    .resolved
                    .as_ref()
                    .is_some_and(|r| self.issue.is_some() && !r.closed))
    }

    /// The issue is open (recorded, not closed by a fix).
    pub fn issue_open(&self) -> bool {
        self.issue.is_some() && !self.resolved.as_ref().is_some_and(|r| r.closed)
    }
}

/// One tracker edit berry wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackerRecord {
    /// The tracker file as configured (relative to the repository root).
    pub path: String,
    pub status: ReqState,
    /// The time written into the tracker, as written there.
    pub at: String,
    /// The short commit written into the tracker (DEPLOYED).
    #[serde(default)]
    pub commit: Option<String>,
}

/// Which notice an [`EventRecord`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Completion,
    Blocked,
    /// `status: FAILED`: a failure berry cannot remedy; the REQ stays in progress for a human.
    Failed,
    /// `status: ROLLED_BACK`.
    Rollback,
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EventKind::Completion => "completion",
            EventKind::Blocked => "blocked",
            EventKind::Failed => "failed",
            EventKind::Rollback => "rollback",
        })
    }
}

/// A NATS notice: recorded as pending before it is sent, acknowledged after.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EventRecord {
    pub kind: EventKind,
    pub subject: String,
    pub msg_id: String,
    /// The notice exactly as sent (and sent again, byte for byte, after a crash).
    pub payload: serde_json::Value,
    pub acknowledged: bool,
    #[serde(default)]
    pub stream: Option<String>,
    #[serde(default)]
    pub sent_at: Option<Timestamp>,
}

impl ReqContext {
    pub fn new(req: ReqNumber, now: Timestamp) -> ReqContext {
        ReqContext {
            format_version: FORMAT_VERSION,
            req,
            title: None,
            created_at: now,
            updated_at: now,
            state: None,
            evidence: None,
            steps: BTreeMap::new(),
            review: None,
            ledger: Ledger::default(),
            config_acceptance: None,
        }
    }

    pub fn record_step(
        &mut self,
        step: Step,
        outcome: Outcome,
        message: impl Into<String>,
        at: Timestamp,
    ) {
        self.steps.insert(
            step,
            StepRecord {
                outcome,
                at,
                message: message.into(),
            },
        );
    }

    pub fn step_ok(&self, step: Step) -> bool {
        self.steps
            .get(&step)
            .is_some_and(|s| s.outcome == Outcome::Ok)
    }

    /// The commit that ships: the pushed one, else the recorded commit.
    pub fn shipped_sha(&self) -> Option<&str> {
        self.ledger
            .push
            .as_ref()
            .map(|p| p.sha.as_str())
            .or_else(|| self.ledger.commit.as_ref().map(|c| c.sha.as_str()))
            .filter(|s| !s.is_empty())
    }

    /// The branch that ships: the pushed one, else the committed one.
    pub fn shipped_branch(&self) -> Option<&str> {
        self.ledger
            .push
            .as_ref()
            .map(|p| p.branch.as_str())
            .or_else(|| self.ledger.commit.as_ref().map(|c| c.branch.as_str()))
    }
}

/// A place of record for contexts beside the folder: one entry per REQ, with a revision.
pub trait Remote: Send + Sync {
    /// The entry of `key` and its revision; `None` when there is none.
    fn get(&self, key: &str) -> Result<Option<(Vec<u8>, u64)>>;
    /// Writes `bytes` only if the entry is still at `revision` (`None`: only if there is no
    /// entry); the new revision, or [`Conflict`] when another writer got there first.
    fn put(&self, key: &str, bytes: &[u8], revision: Option<u64>) -> Result<u64>;
    /// Where it is, for messages.
    fn describe(&self) -> String;
}

/// A compare-and-set lost: the entry is no longer at the revision read.
#[derive(Debug, thiserror::Error)]
#[error("the entry {key} changed since revision {read:?} was read")]
pub struct Conflict {
    pub key: String,
    pub read: Option<u64>,
}

/// The folder of contexts for one repository.
#[derive(Clone)]
pub struct Store {
    dir: PathBuf,
    /// How long [`Store::lock`] waits for another berry process.
    lock_wait: Duration,
    remote: Option<std::sync::Arc<dyn Remote>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .field("lock_wait", &self.lock_wait)
            .field("remote", &self.remote.as_ref().map(|r| r.describe()))
            .finish()
    }
}

/// How long a lock is waited for unless the caller says otherwise.
pub const LOCK_WAIT: Duration = Duration::from_secs(5);

impl Store {
    /// `state_dir` (the command layer's `BERRY_STATE_DIR`), else `<git dir>/berry`.
    pub fn for_git_dir(git_dir: &Path, state_dir: Option<&Path>) -> Store {
        let dir = state_dir
            .map(Path::to_path_buf)
            .unwrap_or_else(|| git_dir.join("berry"));
        Store::at(dir)
    }

    pub fn at(dir: PathBuf) -> Store {
        Store {
            dir,
            lock_wait: LOCK_WAIT,
            remote: None,
        }
    }

    /// The same store, waiting `wait` (the command layer's `BERRY_LOCK_TIMEOUT`) for a lock.
    pub fn waiting(mut self, wait: Option<Duration>) -> Store {
        if let Some(w) = wait {
            self.lock_wait = w;
        }
        self
    }

    /// The same folder, with `remote` as the place of record.
    pub fn with_remote(mut self, remote: std::sync::Arc<dyn Remote>) -> Store {
        self.remote = Some(remote);
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path_of(&self, req: &ReqNumber) -> PathBuf {
        self.dir.join(format!("{req}.json"))
    }

    fn ensure_dir(&self) -> Result<()> {
        fs::create_dir_all(&self.dir)
            .with_context(|| format!("cannot create state folder {}", self.dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700));
        }
        Ok(())
    }

    /// The REQ named by `CURRENT`, if any.
    pub fn current(&self) -> Result<Option<ReqNumber>> {
        let p = self.dir.join("CURRENT");
        match fs::read_to_string(&p) {
            Ok(s) => {
                let s = s.trim();
                if s.is_empty() {
                    return Ok(None);
                }
                ReqNumber::parse(s).map(Some).map_err(|e| {
                    anyhow::Error::new(e).context(format!("{} names an invalid REQ", p.display()))
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", p.display())),
        }
    }

    /// Names `req` in `CURRENT`. A file that names it already, byte for byte, is left as it is:
    /// every step of a REQ sets it, and rewriting the same bytes cost two fsyncs and a rename
    /// each time (a third of `verify`'s wall time on a disk that syncs in a few milliseconds).
    pub fn set_current(&self, req: &ReqNumber) -> Result<()> {
        let path = self.dir.join("CURRENT");
        let bytes = format!("{req}\n");
        if fs::read(&path).is_ok_and(|b| b == bytes.as_bytes()) {
            return Ok(());
        }
        self.ensure_dir()?;
        write_atomic(&path, bytes.as_bytes())
    }

    /// REQs with a context file here, sorted.
    pub fn list(&self) -> Vec<ReqNumber> {
        let mut out: Vec<ReqNumber> = fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                ReqNumber::parse(name.strip_suffix(".json")?).ok()
            })
            .collect();
        out.sort();
        out
    }

    /// Takes the REQ's lock, waiting up to the store's wait (`BERRY_LOCK_TIMEOUT`, default 5 s)
    /// for another berry process to let go; then says who holds it.
    pub fn lock(&self, req: &ReqNumber, command: &str) -> Result<ReqLock> {
        self.ensure_dir()?;
        remove_stale_temps(&self.dir);
        let path = self.dir.join(format!("{req}.lock"));
        let deadline = Instant::now() + self.lock_wait;
        let mut file = loop {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .with_context(|| format!("cannot open lock file {}", path.display()))?;
            match file.try_lock() {
                // The holder before us may have removed the file (a REQ that never got a
                // context): a lock on an unlinked file locks nothing, so open it again.
                Ok(()) if same_file(&file, &path) => break file,
                Ok(()) => continue,
                Err(fs::TryLockError::WouldBlock) => {
                    if Instant::now() >= deadline {
                        let mut holder = String::new();
                        let _ = File::open(&path).and_then(|mut f| f.read_to_string(&mut holder));
                        let holder = holder.trim();
                        return Err(BerryError::timeout(format!(
                            "{req} is in use by another berry process ({})",
                            if holder.is_empty() {
                                "holder unknown"
                            } else {
                                holder
                            }
                        ))
                        .with_hint(format!(
                            "wait for it to finish, or stop it; the lock is {}",
                            path.display()
                        ))
                        .into());
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(fs::TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("cannot lock {}", path.display()));
                }
            }
        };
        let info = format!(
            "pid {}, `berry {command}`, since {}",
            std::process::id(),
            crate::clock::rfc3339(Timestamp::now())
        );
        file.set_len(0)?;
        file.write_all(info.as_bytes())?;
        Ok(ReqLock {
            file,
            path,
            context: self.path_of(req),
            revision: std::sync::Mutex::new(None),
        })
    }

    /// Loads the context. `Ok(None)` when there is none yet.
    pub fn load(&self, req: &ReqNumber, lock: &ReqLock) -> Result<Option<ReqContext>> {
        if let Some(remote) = &self.remote {
            let entry = remote.get(req.as_str())?;
            *lock.revision.lock().unwrap_or_else(|e| e.into_inner()) =
                entry.as_ref().map(|(_, rev)| *rev);
            return entry
                .map(|(bytes, _)| self.decode_remote(remote.as_ref(), &bytes, req))
                .transpose();
        }
        self.read(req)
    }

    fn decode_remote(
        &self,
        remote: &dyn Remote,
        bytes: &[u8],
        req: &ReqNumber,
    ) -> Result<ReqContext> {
        match decode(bytes, req) {
            Ok(c) => Ok(c),
            Err(Decode::Refused(e)) => Err(e.into()),
            Err(Decode::Corrupt(why)) => Err(BerryError::failure(format!(
                "the context of {req} in {} is corrupt: {why}",
                remote.describe()
            ))
            .into()),
        }
    }

    /// Reads without the lock, for `status` and completion: never writes, never moves anything.
    pub fn peek(&self, req: &ReqNumber) -> Result<Option<ReqContext>> {
        if let Some(remote) = &self.remote {
            return remote
                .get(req.as_str())?
                .map(|(bytes, _)| self.decode_remote(remote.as_ref(), &bytes, req))
                .transpose();
        }
        let path = self.path_of(req);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        match decode(&bytes, req) {
            Ok(c) => Ok(Some(c)),
            Err(Decode::Corrupt(why)) => Err(BerryError::failure(format!(
                "the context {} is corrupt: {why}",
                path.display()
            ))
            .into()),
            Err(Decode::Refused(e)) => Err(e.into()),
        }
    }

    fn read(&self, req: &ReqNumber) -> Result<Option<ReqContext>> {
        let path = self.path_of(req);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        match decode(&bytes, req) {
            Ok(c) => Ok(Some(c)),
            Err(Decode::Refused(e)) => Err(e.into()),
            Err(Decode::Corrupt(why)) => {
                let stamp = Timestamp::now().as_second();
                let aside = self.dir.join(format!("{req}.json.corrupt-{stamp}"));
                fs::rename(&path, &aside).with_context(|| {
                    format!("cannot move the corrupt context {} aside", path.display())
                })?;
                Err(BerryError::failure(format!(
                    "the context {} was corrupt: {why}",
                    path.display()
                ))
                .with_hint(format!(
                    "it was kept as {}; the next run of `berry verify {req}` starts a new one",
                    aside.display()
                ))
                .into())
            }
        }
    }

    pub fn save(&self, ctx: &mut ReqContext, lock: &ReqLock) -> Result<()> {
        self.ensure_dir()?;
        ctx.format_version = FORMAT_VERSION;
        ctx.updated_at = crate::clock::now()?;
        let mut bytes = serde_json::to_vec_pretty(ctx)?;
        bytes.push(b'\n');
        if let Some(remote) = &self.remote {
            let mut revision = lock.revision.lock().unwrap_or_else(|e| e.into_inner());
            match remote.put(ctx.req.as_str(), &bytes, *revision) {
                Ok(next) => *revision = Some(next),
                Err(e) if e.downcast_ref::<Conflict>().is_some() => {
                    return Err(BerryError::failure(format!(
                        "the context of {} in {} was written by another berry since this one read it: nothing of this step was recorded over it",
                        ctx.req,
                        remote.describe()
                    ))
                    .with_hint("rerun the step: it reads the other writer's record first")
                    .into());
                }
                Err(e) => return Err(e),
            }
        }
        write_atomic(&self.path_of(&ctx.req), &bytes)?;
        crate::fault::point("context-written");
        Ok(())
    }
}

/// Held while a berry process works on a REQ; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct ReqLock {
    file: File,
    path: PathBuf,
    /// The REQ's context file: when there is none on release, the lock file goes too, so a
    /// mistyped REQ leaves nothing behind.
    context: PathBuf,
    /// With a [`Remote`]: the revision of the entry as loaded (then as saved).
    revision: std::sync::Mutex<Option<u64>>,
}

impl Drop for ReqLock {
    fn drop(&mut self) {
        // Removed while still held; a process that opened the old file and gets the lock next
        // sees it is unlinked and opens a new one (see `lock`).
        if !self.context.exists() {
            let _ = fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

/// Whether `file` is still the file at `path` (not removed or replaced since it was opened).
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

enum Decode {
    Corrupt(String),
    Refused(BerryError),
}

/// Decodes a context file's bytes as berry reads them (for the fuzzer): `Err` carries the reason
/// a file would be refused or moved aside. Never panics.
pub fn decode_bytes(bytes: &[u8], req: &ReqNumber) -> Result<ReqContext, String> {
    decode(bytes, req).map_err(|e| match e {
        Decode::Corrupt(why) => why,
        Decode::Refused(err) => err.to_string(),
    })
}

fn decode(bytes: &[u8], req: &ReqNumber) -> Result<ReqContext, Decode> {
    /// Only the version, read first without building the document: a current file then goes
    /// straight into the typed context (a review record can hold tens of thousands of entries,
    /// and an intermediate `serde_json::Value` of it cost more than the typed parse).
    #[derive(serde::Deserialize)]
    struct Version {
        format_version: Option<serde_json::Value>,
    }
    let probe: Version =
        serde_json::from_slice(bytes).map_err(|e| Decode::Corrupt(format!("not JSON ({e})")))?;
    let version = probe
        .format_version
        .and_then(|v| v.as_u64())
        .ok_or_else(|| Decode::Corrupt("no format_version".into()))?;
    if version > FORMAT_VERSION as u64 {
        return Err(Decode::Refused(
            BerryError::failure(format!(
                "the context for {req} was written by a newer berry (format {version}; this berry reads up to {FORMAT_VERSION})"
            ))
            .with_hint("upgrade berry; the file was left as it is"),
        ));
    }
    let ctx: ReqContext = if version < FORMAT_VERSION as u64 {
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| Decode::Corrupt(format!("not JSON ({e})")))?;
        serde_json::from_value(migrate_v1(value).map_err(Decode::Corrupt)?)
    } else {
        serde_json::from_slice(bytes)
    }
    .map_err(|e| Decode::Corrupt(format!("unexpected content ({e})")))?;
    if &ctx.req != req {
        return Err(Decode::Corrupt(format!(
            "it belongs to {}, not {req}",
            ctx.req
        )));
    }
    Ok(ctx)
}

/// Turns a version-1 file (an untyped ledger read back with string keys) into version 2:
/// commit files that are neither a path nor an object with a path are dropped, records of steps
/// berry does not know are dropped, and the version becomes 2. What a version-1 file could not record (the tree the tests
/// ran on) stays absent, so the tests count for no tree until they run again.
fn migrate_v1(mut value: serde_json::Value) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    let o = value
        .as_object_mut()
        .ok_or_else(|| "not a JSON object".to_string())?;
    o.insert("format_version".into(), Value::from(FORMAT_VERSION));
    if let Some(Value::Object(steps)) = o.get_mut("steps") {
        steps.retain(|k, _| Step::parse(k).is_some());
    }
    if let Some(Value::Object(ledger)) = o.get_mut("ledger") {
        if let Some(Value::Object(commit)) = ledger.get_mut("commit")
            && let Some(Value::Array(files)) = commit.get_mut("files")
        {
            files.retain(|f| f.is_string() || f.get("path").is_some_and(Value::is_string));
        }
        // `berry run` of version 1 recorded a skipped watch with no commit as `"sha": null`.
        if let Some(Value::Object(watch)) = ledger.get_mut("watch")
            && watch.get("sha").is_none_or(Value::is_null)
        {
            watch.insert("sha".into(), Value::from(""));
        }
        // Version 1 read the tracker and events loosely: drop what cannot be a record.
        for key in ["commit", "tests", "push", "pr", "watch", "issue"] {
            if ledger.get(key).is_some_and(|v| !v.is_object()) {
                ledger.remove(key);
            }
        }
    }
    Ok(value)
}

/// Temporary file in the same folder, fsync, rename over `path`, fsync the folder; mode 0600.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    remove_stale_temps(dir);
    let prefix = format!(".berry-{}-", std::process::id());
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    let (first, rest) = bytes.split_at(bytes.len() / 2);
    tmp.write_all(first)?;
    crate::fault::point("atomic-write-torn");
    tmp.write_all(rest)?;
    tmp.as_file().sync_all()?;
    crate::fault::point("atomic-write-before-rename");
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Removes the temporary files `write_atomic` left behind when a berry process was killed before
/// the rename (`.berry-<pid>-*.tmp` whose process is gone), so a crash leaves no stray file in the
/// repository once berry runs again. Files of live processes are left alone.
fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(".berry-"))
            .filter(|n| n.ends_with(".tmp"))
            .and_then(|n| n.split('-').next())
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        if pid <= 0 || pid as u32 == std::process::id() {
            continue;
        }
        // SAFETY: signal 0 only asks whether the process exists.
        let gone = unsafe { libc::kill(pid, 0) } != 0
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone {
            let _ = fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_updated_issue_keeps_its_first_record_and_an_opened_one_starts_anew() {
        let t0: Timestamp = "2026-01-05T12:00:00Z".parse().unwrap();
        let t1: Timestamp = "2026-01-05T13:00:00Z".parse().unwrap();
        let opened = IssueRecord::after(None, 7, "u7", true, t0);
        assert_eq!((opened.number, opened.at, opened.updated_at), (7, t0, None));
        let updated = IssueRecord::after(Some(opened.clone()), 7, "u7", false, t1);
        assert_eq!((updated.at, updated.updated_at), (t0, Some(t1)));
        // Found by label and marker, never recorded here: an update, not an opening.
        let found = IssueRecord::after(None, 9, "u9", false, t1);
        assert_eq!((found.number, found.updated_at), (9, Some(t1)));
        // Opened again (the old one was closed): a new record.
        let reopened = IssueRecord::after(Some(opened), 11, "u11", true, t1);
        assert_eq!(
            (reopened.number, reopened.at, reopened.updated_at),
            (11, t1, None)
        );
    }

    fn req() -> ReqNumber {
        ReqNumber::parse("REQ-TEST-001").unwrap()
    }

    #[test]
    fn a_lock_without_a_context_leaves_no_file_and_one_with_a_context_stays() {
        let d = tempfile::tempdir().unwrap();
        let store = Store::at(d.path().join("berry"));
        let lock_file = d.path().join("berry").join("REQ-TEST-001.lock");
        drop(store.lock(&req(), "test").unwrap());
        assert!(
            !lock_file.exists(),
            "a REQ that never got a context leaves nothing"
        );
        let lock = store.lock(&req(), "test").unwrap();
        store
            .save(&mut ReqContext::new(req(), Timestamp::UNIX_EPOCH), &lock)
            .unwrap();
        drop(lock);
        assert!(lock_file.exists());
    }

    #[test]
    fn a_waiter_whose_lock_file_was_removed_locks_the_file_that_is_there() {
        let d = tempfile::tempdir().unwrap();
        let store = Store::at(d.path().join("berry"));
        let lock_file = d.path().join("berry").join("REQ-TEST-001.lock");
        let first = store.lock(&req(), "first").unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = {
            let store = Store::at(d.path().join("berry"));
            std::thread::spawn(move || {
                let held = store.lock(&req(), "second").unwrap();
                tx.send(()).unwrap();
                // Hold it until the main thread has checked.
                std::thread::sleep(Duration::from_millis(500));
                drop(held);
            })
        };
        std::thread::sleep(Duration::from_millis(200));
        // No context: releasing removes the file the waiter has open.
        drop(first);
        rx.recv_timeout(Duration::from_secs(5)).unwrap();
        // The waiter holds the lock on the file now at the path, so a third process is kept
        // off rather than taking a fresh file of its own.
        let third = File::open(&lock_file).expect("the waiter's lock file is at the path");
        assert!(matches!(
            third.try_lock(),
            Err(fs::TryLockError::WouldBlock)
        ));
        waiter.join().unwrap();
    }

    #[test]
    fn a_lock_file_removed_or_replaced_after_opening_is_not_the_same_file() {
        // The narrow window of `lock`: opened, then removed by the holder before `try_lock`.
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.lock");
        let f = File::create(&p).unwrap();
        assert!(same_file(&f, &p));
        fs::remove_file(&p).unwrap();
        assert!(!same_file(&f, &p));
        File::create(&p).unwrap();
        assert!(!same_file(&f, &p));
    }

    #[test]
    fn save_then_load_round_trips_with_mode_0600() {
        let d = tempfile::tempdir().unwrap();
        let store = Store::at(d.path().join("berry"));
        let lock = store.lock(&req(), "test").unwrap();
        let mut ctx = ReqContext::new(req(), Timestamp::UNIX_EPOCH);
        ctx.title = Some("T".into());
        store.save(&mut ctx, &lock).unwrap();
        let back = store.load(&req(), &lock).unwrap().unwrap();
        assert_eq!(back, ctx);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(store.path_of(&req()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn newer_format_is_refused_and_left_alone() {
        let d = tempfile::tempdir().unwrap();
        let store = Store::at(d.path().to_path_buf());
        let lock = store.lock(&req(), "test").unwrap();
        let text = r#"{"format_version": 99, "req": "REQ-TEST-001"}"#;
        fs::write(store.path_of(&req()), text).unwrap();
        let err = store.load(&req(), &lock).unwrap_err();
        assert!(err.to_string().contains("newer berry"), "{err}");
        assert_eq!(fs::read_to_string(store.path_of(&req())).unwrap(), text);
    }

    #[test]
    fn corrupt_file_is_kept_aside() {
        let d = tempfile::tempdir().unwrap();
        let store = Store::at(d.path().to_path_buf());
        let lock = store.lock(&req(), "test").unwrap();
        fs::write(
            store.path_of(&req()),
            "{\"format_version\": 1, \"req\": \"REQ-TE",
        )
        .unwrap();
        let err = store.load(&req(), &lock).unwrap_err();
        assert!(err.to_string().contains("corrupt"), "{err}");
        assert!(!store.path_of(&req()).exists());
        let kept: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
            .collect();
        assert_eq!(kept.len(), 1);
    }

    #[test]
    fn another_reqs_file_is_not_taken_for_this_one() {
        let d = tempfile::tempdir().unwrap();
        let store = Store::at(d.path().to_path_buf());
        let lock = store.lock(&req(), "test").unwrap();
        let other = ReqContext::new(
            ReqNumber::parse("REQ-OTHER-1").unwrap(),
            Timestamp::UNIX_EPOCH,
        );
        fs::write(store.path_of(&req()), serde_json::to_vec(&other).unwrap()).unwrap();
        let err = store.load(&req(), &lock).unwrap_err();
        assert!(err.to_string().contains("belongs to REQ-OTHER-1"), "{err}");
    }

    /// Found by the `context_decode` fuzzer: a number beyond u64 is read as an f64; without
    /// serde_json's `float_roundtrip` reading it back after a save gave a different f64, so every
    /// load and save of a context changed it.
    #[test]
    fn a_huge_number_survives_save_and_load_unchanged() {
        let text = br#"{"format_version":2,"req":"REQ-TEST-001","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","ledger":{"events":[{"kind":"completion","subject":"s","msg_id":"m","acknowledged":false,"payload":[777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777, 0.1, 1e308, 5e-324]}]}}"#;
        let ctx = decode_bytes(text, &req()).unwrap();
        let again = decode_bytes(&serde_json::to_vec(&ctx).unwrap(), &req()).unwrap();
        assert_eq!(again, ctx);
        let third = decode_bytes(&serde_json::to_vec_pretty(&again).unwrap(), &req()).unwrap();
        assert_eq!(third, ctx);
    }

    /// A version-1 file written by the berry before the typed ledger (verify, review, commit,
    /// test, push, complete --no-ci): every record is read into its type, the tests count for no
    /// tree (version 1 did not record it), and the next save writes version 2.
    #[test]
    fn a_real_version_1_file_is_migrated_on_load() {
        let text = include_bytes!("../tests/fixtures/context/v1-deployed.json");
        let req = ReqNumber::parse("REQ-STRATEGIC-AUTO-1767116143665").unwrap();
        let ctx = decode_bytes(text, &req).unwrap();
        assert_eq!(ctx.format_version, FORMAT_VERSION);
        assert_eq!(ctx.state, Some(ReqState::Deployed));
        let commit = ctx.ledger.commit.as_ref().unwrap();
        assert_eq!(commit.sha, "d5a85e262133822af7a93e41b4c6a8d4c3123da1");
        assert_eq!(commit.branch, "main");
        assert_eq!(commit.tree, None);
        assert_eq!(
            commit.files,
            vec![CommittedFile::Path(
                "Implementation/print-industry-erp/backend/src/a.ts".into()
            )]
        );
        let tests = ctx.ledger.tests.as_ref().unwrap();
        assert!(tests.passed);
        assert_eq!(tests.tree, None);
        assert_eq!(tests.commands[0].argv, ["true"]);
        assert_eq!(ctx.ledger.push.as_ref().unwrap().refname, "refs/heads/main");
        assert_eq!(ctx.ledger.tracker[0].status, ReqState::Deployed);
        assert_eq!(ctx.ledger.tracker[0].commit.as_deref(), Some("d5a85e2"));
        assert_eq!(ctx.steps[&Step::Complete].outcome, Outcome::Ok);
        assert_eq!(ctx.steps.len(), 6);
        // Untested for every tree: nothing more ships on the strength of a version-1 test run.
        assert_eq!(
            crate::workflow::tests_for(&ctx, Some("any")),
            crate::workflow::TestsFor::NotRun
        );

        // Loading does not rewrite; saving writes version 2, which reads back the same.
        let d = tempfile::tempdir().unwrap();
        let store = Store::at(d.path().to_path_buf());
        fs::write(store.path_of(&req), text).unwrap();
        let lock = store.lock(&req, "test").unwrap();
        let mut loaded = store.load(&req, &lock).unwrap().unwrap();
        assert_eq!(fs::read(store.path_of(&req)).unwrap(), text);
        store.save(&mut loaded, &lock).unwrap();
        let saved: serde_json::Value =
            serde_json::from_slice(&fs::read(store.path_of(&req)).unwrap()).unwrap();
        assert_eq!(saved["format_version"], 2);
        let again = store.load(&req, &lock).unwrap().unwrap();
        assert_eq!(again.ledger, ctx.ledger);
    }

    #[test]
    fn a_version_1_skipped_watch_without_a_commit_migrates() {
        let text = br#"{"format_version":1,"req":"REQ-TEST-001","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","steps":{"watch":{"outcome":"skipped","at":"2026-01-01T00:00:00Z","message":"no GitHub"},"gone":{"outcome":"ok","at":"2026-01-01T00:00:00Z"}},"ledger":{"watch":{"conclusion":"skipped","sha":null,"reason":"no GitHub repository","at":"2026-01-01T00:00:00Z"}}}"#;
        let ctx = decode_bytes(text, &req()).unwrap();
        let w = ctx.ledger.watch.unwrap();
        assert_eq!((w.conclusion.as_str(), w.sha.as_str()), ("skipped", ""));
        assert_eq!(w.reason.as_deref(), Some("no GitHub repository"));
        assert_eq!(ctx.steps.keys().collect::<Vec<_>>(), [&Step::Watch]);
    }

    #[test]
    fn current_round_trips() {
        let d = tempfile::tempdir().unwrap();
        let store = Store::at(d.path().to_path_buf());
        assert_eq!(store.current().unwrap(), None);
        store.set_current(&req()).unwrap();
        assert_eq!(store.current().unwrap(), Some(req()));
    }

    /// The same REQ again leaves the file alone (no rewrite); another REQ, or a torn file,
    /// is written.
    #[test]
    fn current_is_rewritten_only_when_it_changes() {
        use std::os::unix::fs::MetadataExt;
        let d = tempfile::tempdir().unwrap();
        let store = Store::at(d.path().to_path_buf());
        store.set_current(&req()).unwrap();
        let path = d.path().join("CURRENT");
        let inode = fs::metadata(&path).unwrap().ino();
        store.set_current(&req()).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().ino(), inode, "rewritten");
        let other = ReqNumber::parse("REQ-OTHER-1").unwrap();
        store.set_current(&other).unwrap();
        assert_ne!(fs::metadata(&path).unwrap().ino(), inode);
        assert_eq!(store.current().unwrap(), Some(other.clone()));
        fs::write(&path, "REQ-OTH").unwrap();
        store.set_current(&other).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "REQ-OTHER-1\n");
    }
}
