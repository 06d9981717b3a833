//! The workflow model: the steps of stage 7, the states a REQ can be in, and the one table of
//! what each step needs recorded before it may run — bound to which content.
//!
//! Every command checks its preconditions here ([`require`]), and `status`, `run`, `--dry-run`
//! and the `next:` hints read the same table ([`next`], [`Step::ORDER`]). A step used out of order
//! (`push` before `commit`) is a usage error (exit 2) whose hint names the step to run; a step
//! whose precondition was recorded but failed (the tests failed for this tree) is a closed gate
//! (exit 3).
//!
//! The rules:
//! - `review` needs `verify`'s evidence; `commit` needs the review (its blob ids);
//! - nothing is pushed and nothing is completed unless `test` passed for the exact tree being
//!   shipped (the tree id `test` recorded equals the tree of the commit being pushed or
//!   completed), or `--skip-tests --reason TEXT` was given for that tree (recorded, and shown in
//!   the PR body and the completion notice);
//! - `pr` and `watch` need the push (its SHA): they work on what is on the remote;
//! - `health` needs the push too (it checks the deployment of the pushed SHA), and nothing is
//!   completed while health checks are configured unless they passed for the SHA being completed,
//!   or `--no-health --reason TEXT` was given for it (recorded, and shown in the notice).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::context::ReqContext;
use crate::error::BerryError;

/// A step of stage 7, in workflow order; `Block` is an action, not part of the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Verify,
    Review,
    Commit,
    Test,
    Push,
    Pr,
    Watch,
    Health,
    Complete,
    Block,
    Checklist,
    /// An action on a shipped REQ: revert what berry shipped (`berry rollback`).
    Rollback,
}

impl Step {
    /// The steps in workflow order (what `run` walks and `status` lists).
    pub const ORDER: [Step; 9] = [
        Step::Verify,
        Step::Review,
        Step::Commit,
        Step::Test,
        Step::Push,
        Step::Pr,
        Step::Watch,
        Step::Health,
        Step::Complete,
    ];

    /// The step names of [`Step::ORDER`], for clap's value parser.
    pub const NAMES: [&'static str; 9] = [
        "verify", "review", "commit", "test", "push", "pr", "watch", "health", "complete",
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Verify => "verify",
            Step::Review => "review",
            Step::Commit => "commit",
            Step::Test => "test",
            Step::Push => "push",
            Step::Pr => "pr",
            Step::Watch => "watch",
            Step::Health => "health",
            Step::Complete => "complete",
            Step::Block => "block",
            Step::Checklist => "checklist",
            Step::Rollback => "rollback",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Step::ORDER
            .into_iter()
            .chain([Step::Block, Step::Checklist, Step::Rollback])
            .find(|st| st.as_str() == s)
    }

    /// The command that runs it, for hints.
    pub fn command(self) -> String {
        format!("berry {}", self.as_str())
    }

    /// What the step does, in one line (for `run --dry-run`'s plan).
    pub fn summary(self) -> &'static str {
        match self {
            Step::Verify => "read the deliverables and decide QA's verdict, recording the evidence",
            Step::Review => {
                "show the change set in scope, run the guards, record the approved files and their blobs"
            }
            Step::Commit => "commit exactly the reviewed blobs with the rendered message",
            Step::Test => "run the test commands and record the tree they passed for",
            Step::Push => {
                "push the commit (only if the tests passed for its tree) and read the remote ref back"
            }
            Step::Pr => "find or open the pull request (skipped without a GitHub repository)",
            Step::Watch => {
                "watch the CI runs of the pushed commit (skipped without a GitHub repository)"
            }
            Step::Health => {
                "run the deployment's health checks against the pushed commit (skipped when none are configured)"
            }
            Step::Complete => {
                "mark the REQ DEPLOYED in the tracker and publish the completion notice"
            }
            Step::Block => "mark the REQ BLOCKED in the tracker and publish the blocked notice",
            Step::Checklist => "go through the security checklist for the shipped commit",
            Step::Rollback => {
                "revert the shipped commit on the remote head, test, push, re-run health, mark ROLLED_BACK"
            }
        }
    }

    /// Its position in [`Step::ORDER`] (`None` for `Block`).
    pub fn position(self) -> Option<usize> {
        Step::ORDER.iter().position(|s| *s == self)
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a REQ stands in the tracker: `BLOCKED` once a gate closed or the operator blocked it,
/// `DEPLOYED` once complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ReqState {
    Blocked,
    Deployed,
    /// `berry rollback` reverted what was shipped.
    #[serde(rename = "ROLLED_BACK")]
    RolledBack,
}

impl ReqState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReqState::Blocked => "BLOCKED",
            ReqState::Deployed => "DEPLOYED",
            ReqState::RolledBack => "ROLLED_BACK",
        }
    }
}

impl fmt::Display for ReqState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a step ended, as recorded and as printed in the JSON line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Blocked,
    Skipped,
    Declined,
    Error,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Blocked => "blocked",
            Outcome::Skipped => "skipped",
            Outcome::Declined => "declined",
            Outcome::Error => "error",
        }
    }
    /// Done: nothing left to do for this step.
    pub fn done(self) -> bool {
        matches!(self, Outcome::Ok | Outcome::Skipped)
    }
}

/// Something a step needs recorded first, and the content it is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// `verify` recorded its evidence (bound to the deliverables' hashes, re-checked by the
    /// steps with side effects).
    Verified,
    /// `review` recorded the reviewed files (bound to their blob ids).
    Reviewed,
    /// `commit` recorded berry's commit (bound to its SHA and tree id).
    Committed,
    /// `test` passed for the tree of the commit being shipped, or the tests were skipped with a
    /// reason for that tree (bound to the tree id).
    TestedTree,
    /// `push` recorded the remote ref (bound to the pushed SHA).
    Pushed,
    /// `health` passed for the SHA being shipped, or `--no-health --reason` was given for it
    /// (bound to that SHA); nothing is needed when no health check is configured.
    Healthy,
    /// `checklist` recorded every required item passed or confirmed for the SHA being shipped
    /// (bound to that SHA); nothing is needed when no item is required.
    ChecklistDone,
    /// `complete` marked the REQ DEPLOYED at the pushed SHA (what a rollback undoes).
    Shipped,
}

impl Need {
    /// The step that records it.
    pub fn recorded_by(self) -> Step {
        match self {
            Need::Verified => Step::Verify,
            Need::Reviewed => Step::Review,
            Need::Committed => Step::Commit,
            Need::TestedTree => Step::Test,
            Need::Pushed => Step::Push,
            Need::Healthy => Step::Health,
            Need::ChecklistDone => Step::Checklist,
            Need::Shipped => Step::Complete,
        }
    }

    /// What it is bound to, in words (for `ARCHITECTURE.md`, `--help` and errors).
    pub fn bound_to(self) -> &'static str {
        match self {
            Need::Verified => "the QA evidence hash",
            Need::Reviewed => "the reviewed blob ids",
            Need::Committed => "the commit SHA and its tree id",
            Need::TestedTree => "the tree id of the commit being shipped",
            Need::Pushed => "the pushed SHA",
            Need::Healthy => "the health checks' result for the shipped SHA",
            Need::ChecklistDone => "the security checklist's answers for the shipped SHA",
            Need::Shipped => "the pushed SHA marked DEPLOYED",
        }
    }
}

/// Each step's preconditions. `Block` needs nothing: a REQ can be blocked at any point.
/// `Rollback` needs the REQ shipped: pushed and completed.
pub const PRECONDITIONS: [(Step, &[Need]); 12] = [
    (Step::Verify, &[]),
    (Step::Review, &[Need::Verified]),
    (Step::Commit, &[Need::Verified, Need::Reviewed]),
    (Step::Test, &[Need::Verified]),
    (
        Step::Push,
        &[Need::Verified, Need::Committed, Need::TestedTree],
    ),
    (Step::Pr, &[Need::Verified, Need::Pushed]),
    (Step::Watch, &[Need::Verified, Need::Pushed]),
    (Step::Health, &[Need::Verified, Need::Pushed]),
    (
        Step::Complete,
        &[
            Need::Verified,
            Need::Committed,
            Need::TestedTree,
            Need::Healthy,
            Need::ChecklistDone,
        ],
    ),
    (Step::Block, &[]),
    (Step::Checklist, &[Need::Verified, Need::Committed]),
    (
        Step::Rollback,
        &[Need::Verified, Need::Pushed, Need::Shipped],
    ),
];

/// The preconditions of `step`.
pub fn needs(step: Step) -> &'static [Need] {
    PRECONDITIONS
        .iter()
        .find(|(s, _)| *s == step)
        .map(|(_, n)| *n)
        .unwrap_or(&[])
}

/// What the preconditions are checked against: the tree of the commit being shipped (the
/// caller reads it from the repository), and whether the gate's configuration has health checks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shipping<'a> {
    /// The tree id of the commit being pushed or completed, when known.
    pub tree: Option<&'a str>,
    /// The configuration in force has health checks (`[[health.checks]]`): then `complete`
    /// needs them passed for the shipped SHA.
    pub health_configured: bool,
    /// The checklist items the configuration in force requires (`[checklist] required`).
    pub checklist_required: &'a [String],
}

/// Checks that everything `step` needs is recorded in `ctx`, bound to the content being shipped.
/// Missing records are a usage error (exit 2) naming the step to run; failed tests are a closed
/// gate (exit 3).
pub fn require(step: Step, ctx: &ReqContext, shipping: Shipping<'_>) -> Result<(), BerryError> {
    for need in needs(step) {
        check(*need, step, ctx, shipping)?;
    }
    Ok(())
}

/// The preconditions of `step` that are records (everything but the tested tree, which needs the
/// tree being shipped, and health, which needs the configuration): a missing one is a usage error
/// naming the step to run.
pub fn require_recorded(step: Step, ctx: &ReqContext) -> Result<(), BerryError> {
    for need in needs(step)
        .iter()
        .filter(|n| !matches!(n, Need::TestedTree | Need::Healthy | Need::ChecklistDone))
    {
        check(*need, step, ctx, Shipping::default())?;
    }
    Ok(())
}

/// Only the first precondition every step but `verify` and `block` has: the REQ was verified.
pub fn require_verified(step: Step, ctx: &ReqContext) -> Result<(), BerryError> {
    if needs(step).contains(&Need::Verified) {
        check(Need::Verified, step, ctx, Shipping::default())?;
    }
    Ok(())
}

fn out_of_order(step: Step, need: Need, ctx: &ReqContext, what: String) -> BerryError {
    let run = need.recorded_by();
    let req = &ctx.req;
    let then = if run == Step::Verify {
        format!("run `berry verify {req}` first")
    } else {
        format!("run `{}` first", run.command())
    };
    BerryError::usage(format!("{what}: `berry {step}` cannot run yet")).with_hint(then)
}

fn check(
    need: Need,
    step: Step,
    ctx: &ReqContext,
    shipping: Shipping<'_>,
) -> Result<(), BerryError> {
    let req = &ctx.req;
    match need {
        Need::Verified if ctx.evidence.is_none() => Err(out_of_order(
            step,
            need,
            ctx,
            format!("{req} has not been verified"),
        )),
        Need::Reviewed if ctx.review.is_none() => Err(out_of_order(
            step,
            need,
            ctx,
            format!("{req} has not been reviewed"),
        )),
        Need::Committed if ctx.ledger.commit.is_none() => Err(out_of_order(
            step,
            need,
            ctx,
            format!("nothing is committed for {req} yet"),
        )),
        Need::Pushed if ctx.ledger.push.is_none() => Err(out_of_order(
            step,
            need,
            ctx,
            format!("{req} has not been pushed yet"),
        )),
        Need::Shipped
            if !ctx.step_ok(Step::Complete)
                || !matches!(
                    ctx.state,
                    Some(ReqState::Deployed) | Some(ReqState::RolledBack)
                ) =>
        {
            Err(out_of_order(
                step,
                need,
                ctx,
                format!("{req} was not completed (DEPLOYED): there is nothing to roll back"),
            ))
        }
        Need::TestedTree => tested(step, ctx, shipping),
        Need::Healthy => healthy(step, ctx, shipping),
        Need::ChecklistDone => checklist_done(step, ctx, shipping),
        _ => Ok(()),
    }
}

fn checklist_done(step: Step, ctx: &ReqContext, shipping: Shipping<'_>) -> Result<(), BerryError> {
    if shipping.checklist_required.is_empty() {
        return Ok(());
    }
    let req = &ctx.req;
    let sha = ctx.shipped_sha().unwrap_or_default();
    let short: String = sha.chars().take(12).collect();
    let Some(list) = ctx.ledger.checklist.as_ref().filter(|c| c.sha == sha) else {
        return Err(BerryError::usage(format!(
            "the security checklist has not been gone through for {req} at {short}: `berry {step}` cannot run yet"
        ))
        .with_hint("run `berry checklist` first (--attest ITEM[=NOTE] in scripts)"));
    };
    let required = |id: &str| {
        shipping
            .checklist_required
            .iter()
            .any(|r| r == "*" || r == id)
    };
    let failed: Vec<String> = list
        .items
        .iter()
        .filter(|i| required(&i.id) && i.status() == "failed")
        .map(|i| i.id.clone())
        .collect();
    if !failed.is_empty() {
        return Err(BerryError::gate(format!(
            "required security checklist item(s) failed for {short}: {}",
            failed.join(", ")
        ))
        .with_hint("fix them in the repository and run `berry checklist` again"));
    }
    let open: Vec<String> = list
        .items
        .iter()
        .filter(|i| required(&i.id) && !i.ok())
        .map(|i| i.id.clone())
        .collect();
    if !open.is_empty() {
        return Err(BerryError::usage(format!(
            "required security checklist item(s) not confirmed for {short}: {}: `berry {step}` cannot run yet",
            open.join(", ")
        ))
        .with_hint(format!(
            "run `berry checklist` on a terminal, or `berry checklist {}`",
            open.iter().map(|o| format!("--attest {o}")).collect::<Vec<_>>().join(" ")
        )));
    }
    Ok(())
}

/// How the health checks stand for the SHA being shipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HealthFor {
    /// `health` passed for this SHA.
    Passed,
    /// Skipped for this SHA with `--no-health --reason`.
    Skipped(String),
    /// No health check is configured (and none failed for this SHA).
    NotConfigured,
    /// Not run for this SHA (never, or for another one).
    NotRun,
    /// Run for this SHA and failed.
    Failed,
}

impl HealthFor {
    pub fn as_str(&self) -> &'static str {
        match self {
            HealthFor::Passed => "passed",
            HealthFor::Skipped(_) => "skipped",
            HealthFor::NotConfigured => "not_configured",
            HealthFor::NotRun => "not_run",
            HealthFor::Failed => "failed",
        }
    }
}

/// Whether the health checks passed (or were skipped with a reason) for `sha`. A record of a
/// run without checks (none configured then) counts as "not configured" only while none are.
pub fn health_for(ctx: &ReqContext, sha: Option<&str>, configured: bool) -> HealthFor {
    let Some(sha) = sha else {
        return HealthFor::NotRun;
    };
    if let Some(s) = &ctx.ledger.health_skipped
        && s.sha == sha
    {
        return HealthFor::Skipped(s.reason.clone());
    }
    match &ctx.ledger.health {
        Some(h) if h.sha == sha && !h.passed => HealthFor::Failed,
        Some(h) if h.sha == sha && !h.checks.is_empty() => HealthFor::Passed,
        _ if !configured => HealthFor::NotConfigured,
        _ => HealthFor::NotRun,
    }
}

fn healthy(step: Step, ctx: &ReqContext, shipping: Shipping<'_>) -> Result<(), BerryError> {
    let req = &ctx.req;
    let sha = ctx.shipped_sha();
    let short = |s: &str| s.chars().take(12).collect::<String>();
    let skip = format!(
        "pass --no-health --reason TEXT to {step} without them (recorded, and shown in the completion notice)"
    );
    match health_for(ctx, sha, shipping.health_configured) {
        HealthFor::Passed | HealthFor::Skipped(_) | HealthFor::NotConfigured => Ok(()),
        HealthFor::Failed => Err(BerryError::gate(format!(
            "the health checks failed for {}: `berry {step}` refuses",
            sha.map(short).unwrap_or_default()
        ))
        .with_hint(format!(
            "fix the deployment and run `berry health` again, or {skip}"
        ))),
        HealthFor::NotRun => {
            let what = match (&ctx.ledger.health, sha) {
                (Some(h), Some(sha)) => format!(
                    "the health checks ran for {}, but {req} ships {}",
                    short(&h.sha),
                    short(sha)
                ),
                _ => format!("the health checks have not run for {req}"),
            };
            Err(
                BerryError::usage(format!("{what}: `berry {step}` cannot run yet"))
                    .with_hint(format!("run `berry health` first, or {skip}")),
            )
        }
    }
}

/// How the tests stand for the tree being shipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestsFor {
    /// `test` passed for this tree.
    Passed,
    /// Skipped for this tree with `--skip-tests --reason`.
    Skipped(String),
    /// Not run for this tree (never, or for another tree).
    NotRun,
    /// Run for this tree and failed.
    Failed,
}

/// Whether the tests passed (or were skipped with a reason) for `tree`.
pub fn tests_for(ctx: &ReqContext, tree: Option<&str>) -> TestsFor {
    let Some(tree) = tree else {
        return TestsFor::NotRun;
    };
    if let Some(s) = &ctx.ledger.tests_skipped
        && s.tree == tree
    {
        return TestsFor::Skipped(s.reason.clone());
    }
    match &ctx.ledger.tests {
        Some(t) if t.tree.as_deref() == Some(tree) && t.passed => TestsFor::Passed,
        Some(t) if t.tree.as_deref() == Some(tree) => TestsFor::Failed,
        _ => TestsFor::NotRun,
    }
}

fn tested(step: Step, ctx: &ReqContext, shipping: Shipping<'_>) -> Result<(), BerryError> {
    let req = &ctx.req;
    let short = |t: &str| t.chars().take(12).collect::<String>();
    let tree = shipping
        .tree
        .or_else(|| ctx.ledger.commit.as_ref().and_then(|c| c.tree.as_deref()));
    match tests_for(ctx, tree) {
        TestsFor::Passed | TestsFor::Skipped(_) => Ok(()),
        TestsFor::Failed => Err(BerryError::gate(format!(
            "the tests failed for the tree being shipped ({}): `berry {step}` refuses",
            tree.map(short).unwrap_or_default()
        ))
        .with_hint(format!(
            "fix them and run `berry test` again, or pass --skip-tests --reason TEXT to {step} without them (recorded, and shown in the PR and the completion notice)"
        ))),
        TestsFor::NotRun => {
            let what = match (&ctx.ledger.tests, tree) {
                (Some(t), Some(tree)) if t.tree.is_some() => format!(
                    "the tests ran for tree {}, but {req} ships tree {}",
                    t.tree.as_deref().map(short).unwrap_or_default(),
                    short(tree)
                ),
                (Some(_), _) => format!(
                    "the tests of {req} were recorded without the tree they ran on (an older berry)"
                ),
                _ => format!("the tests have not run for {req}"),
            };
            Err(BerryError::usage(format!("{what}: `berry {step}` cannot run yet")).with_hint(
                format!(
                    "run `berry test` first, or pass --skip-tests --reason TEXT to {step} without them"
                ),
            ))
        }
    }
}

/// The first step of [`Step::ORDER`] not done yet (recorded as ok or skipped), or `None` when
/// every step is done. A step recorded as done before a step it needs was redone does not count:
/// the ledger decides (a commit recorded means `commit` is done, whatever `verify` said since).
pub fn next(ctx: &ReqContext) -> Option<Step> {
    Step::ORDER
        .into_iter()
        .find(|s| !ctx.steps.get(s).is_some_and(|r| r.outcome.done()))
}

/// The `next:` hint after `step` succeeded: the first step after it not done yet.
pub fn next_after(ctx: &ReqContext, step: Step) -> Option<Step> {
    let from = step.position().map(|p| p + 1).unwrap_or(0);
    Step::ORDER[from..]
        .iter()
        .copied()
        .find(|s| !ctx.steps.get(s).is_some_and(|r| r.outcome.done()))
}

/// The steps `berry run` takes, in order: from `from` (else the first not done yet in `ctx`; a
/// REQ with no context starts at verify) to `to` (else complete). `None` when every step is done
/// and no `from` was given; `--to` before the first step is a usage error.
pub fn span(
    ctx: Option<&ReqContext>,
    from: Option<Step>,
    to: Option<Step>,
) -> Result<Option<&'static [Step]>, BerryError> {
    let first = match (from, ctx) {
        (Some(f), _) => f,
        (None, Some(ctx)) => match next(ctx) {
            Some(n) => n,
            None => return Ok(None),
        },
        (None, None) => Step::Verify,
    };
    let order = &Step::ORDER;
    let start = first.position().expect("the steps of the order");
    let end = to.and_then(Step::position).unwrap_or(order.len() - 1);
    if end < start {
        let message = format!("--to {} comes before {first}", order[end]);
        return Err(BerryError::usage(message));
    }
    Ok(Some(&order[start..=end]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{CommitRecord, TestsRecord, TestsSkipped};
    use crate::error::Exit;
    use crate::req::ReqNumber;
    use jiff::Timestamp;

    fn ctx() -> ReqContext {
        ReqContext::new(
            ReqNumber::parse("REQ-TEST-001").unwrap(),
            Timestamp::UNIX_EPOCH,
        )
    }

    fn commit(tree: &str) -> CommitRecord {
        CommitRecord {
            sha: "c".repeat(40),
            branch: "main".into(),
            tree: Some(tree.into()),
            files_changed: 1,
            insertions: 1,
            deletions: 0,
            at: Timestamp::UNIX_EPOCH,
            files: vec![String::from("a").into()],
            changed_since_review: vec![],
            included_staged: vec![],
            rebased_from: None,
        }
    }

    fn tests(tree: &str, passed: bool) -> TestsRecord {
        TestsRecord {
            passed,
            log: "log".into(),
            commands: vec![],
            head: None,
            tree: Some(tree.into()),
            dirty: vec![],
            at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn every_step_has_one_row_and_block_needs_nothing() {
        for s in Step::ORDER
            .into_iter()
            .chain([Step::Block, Step::Checklist, Step::Rollback])
        {
            assert_eq!(
                PRECONDITIONS.iter().filter(|(x, _)| *x == s).count(),
                1,
                "{s}"
            );
            assert_eq!(Step::parse(s.as_str()), Some(s));
        }
        assert!(needs(Step::Block).is_empty());
        assert_eq!(Step::NAMES.map(Step::parse), Step::ORDER.map(Some));
    }

    #[test]
    fn push_before_commit_is_a_usage_error_naming_commit() {
        let mut c = ctx();
        c.evidence = Some(crate::context::Evidence {
            source: "x".into(),
            verified_at: Timestamp::UNIX_EPOCH,
            approved: true,
            reasons: vec![],
            qa: None,
            deliverables: vec![],
        });
        let e = require(Step::Push, &c, Shipping::default()).unwrap_err();
        assert_eq!(e.exit(), Exit::Usage);
        assert_eq!(e.hint(), Some("run `berry commit` first"));
        let e = require(Step::Review, &ctx(), Shipping::default()).unwrap_err();
        assert_eq!(e.hint(), Some("run `berry verify REQ-TEST-001` first"));
    }

    #[test]
    fn shipping_needs_tests_passed_for_the_same_tree() {
        let mut c = ctx();
        c.evidence = Some(crate::context::Evidence {
            source: "x".into(),
            verified_at: Timestamp::UNIX_EPOCH,
            approved: true,
            reasons: vec![],
            qa: None,
            deliverables: vec![],
        });
        c.ledger.commit = Some(commit("t1"));
        // Never tested.
        let e = require(Step::Push, &c, Shipping::default()).unwrap_err();
        assert_eq!(e.exit(), Exit::Usage);
        assert!(e.hint().unwrap().contains("berry test"));
        // Failed for this tree: the gate is closed.
        c.ledger.tests = Some(tests("t1", false));
        assert_eq!(
            require(Step::Complete, &c, Shipping::default())
                .unwrap_err()
                .exit(),
            Exit::Gate
        );
        // Passed for another tree: not enough.
        c.ledger.tests = Some(tests("t0", true));
        let e = require(Step::Push, &c, Shipping::default()).unwrap_err();
        assert!(e.message.contains("ran for tree t0"), "{}", e.message);
        // Passed for this tree, but the commit being shipped is another one (a rebase).
        c.ledger.tests = Some(tests("t1", true));
        require(Step::Push, &c, Shipping::default()).unwrap();
        assert!(
            require(
                Step::Push,
                &c,
                Shipping {
                    tree: Some("t2"),
                    ..Default::default()
                }
            )
            .is_err()
        );
        // Skipped with a reason for the shipped tree.
        c.ledger.tests_skipped = Some(TestsSkipped {
            reason: "hotfix".into(),
            tree: "t2".into(),
            at: Timestamp::UNIX_EPOCH,
        });
        require(
            Step::Push,
            &c,
            Shipping {
                tree: Some("t2"),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            tests_for(&c, Some("t2")),
            TestsFor::Skipped("hotfix".into())
        );
    }

    #[test]
    fn next_is_the_first_step_not_done() {
        let mut c = ctx();
        assert_eq!(next(&c), Some(Step::Verify));
        for s in [Step::Verify, Step::Review, Step::Commit] {
            c.record_step(s, Outcome::Ok, "", Timestamp::UNIX_EPOCH);
        }
        c.record_step(Step::Test, Outcome::Blocked, "", Timestamp::UNIX_EPOCH);
        assert_eq!(next(&c), Some(Step::Test));
        for s in Step::ORDER {
            c.record_step(s, Outcome::Ok, "", Timestamp::UNIX_EPOCH);
        }
        assert_eq!(next(&c), None);
        // Re-running verify on a shipped REQ: nothing is next.
        assert_eq!(next_after(&c, Step::Verify), None);
    }

    #[test]
    fn run_spans_from_the_first_step_not_done_or_the_one_named() {
        let mut c = ctx();
        assert_eq!(span(None, None, None).unwrap(), Some(&Step::ORDER[..]));
        for s in [Step::Verify, Step::Review] {
            c.record_step(s, Outcome::Ok, "", Timestamp::UNIX_EPOCH);
        }
        let to_test = span(Some(&c), None, Some(Step::Test)).unwrap();
        assert_eq!(to_test, Some(&[Step::Commit, Step::Test][..]));
        let again = span(Some(&c), Some(Step::Review), Some(Step::Review)).unwrap();
        assert_eq!(again, Some(&[Step::Review][..]));
        let e = span(Some(&c), None, Some(Step::Verify)).unwrap_err();
        assert_eq!(e.to_string(), "--to verify comes before commit");
        for s in Step::ORDER {
            c.record_step(s, Outcome::Ok, "", Timestamp::UNIX_EPOCH);
        }
        assert_eq!(span(Some(&c), None, None).unwrap(), None);
        assert_eq!(
            span(Some(&c), Some(Step::Pr), None).unwrap(),
            Some(&Step::ORDER[5..])
        );
    }

    #[test]
    fn complete_needs_health_for_the_shipped_sha_only_when_checks_are_configured() {
        use crate::context::{HealthRecord, HealthSkipped};
        let mut c = ctx();
        c.evidence = Some(crate::context::Evidence {
            source: "x".into(),
            verified_at: Timestamp::UNIX_EPOCH,
            approved: true,
            reasons: vec![],
            qa: None,
            deliverables: vec![],
        });
        c.ledger.commit = Some(commit("t1"));
        c.ledger.tests = Some(tests("t1", true));
        let sha = "c".repeat(40);
        let on = Shipping {
            tree: None,
            health_configured: true,
            checklist_required: &[],
        };
        // None configured: not needed.
        require(Step::Complete, &c, Shipping::default()).unwrap();
        // Configured and never run: a usage error naming `berry health`.
        let e = require(Step::Complete, &c, on).unwrap_err();
        assert_eq!(e.exit(), Exit::Usage);
        assert!(e.hint().unwrap().starts_with("run `berry health` first"));
        let check = |passed| crate::health::CheckResult {
            name: "api".into(),
            kind: "http".into(),
            target: "GET http://x/".into(),
            passed,
            attempts: 1,
            latency_ms: 1,
            detail: "200".into(),
            elapsed_ms: 1,
        };
        let record = |sha: &str, passed| HealthRecord {
            sha: sha.into(),
            passed,
            checks: vec![check(passed)],
            elapsed_ms: 1,
            at: Timestamp::UNIX_EPOCH,
        };
        // Failed for this SHA: the gate is closed, configured or not.
        c.ledger.health = Some(record(&sha, false));
        assert_eq!(
            require(Step::Complete, &c, on).unwrap_err().exit(),
            Exit::Gate
        );
        assert_eq!(
            require(Step::Complete, &c, Shipping::default())
                .unwrap_err()
                .exit(),
            Exit::Gate
        );
        // Passed for another SHA: not enough.
        c.ledger.health = Some(record(&"d".repeat(40), true));
        let e = require(Step::Complete, &c, on).unwrap_err();
        assert!(e.message.contains("ran for dddddddddddd"), "{}", e.message);
        // A run with no checks (none were configured then) does not pass configured checks.
        c.ledger.health = Some(HealthRecord {
            checks: vec![],
            ..record(&sha, true)
        });
        assert!(require(Step::Complete, &c, on).is_err());
        c.ledger.health = Some(record(&sha, true));
        require(Step::Complete, &c, on).unwrap();
        // Skipped with a reason for this SHA.
        c.ledger.health = Some(record(&sha, false));
        c.ledger.health_skipped = Some(HealthSkipped {
            reason: "staging down".into(),
            sha: sha.clone(),
            at: Timestamp::UNIX_EPOCH,
        });
        require(Step::Complete, &c, on).unwrap();
        assert_eq!(
            health_for(&c, Some(&sha), true),
            HealthFor::Skipped("staging down".into())
        );
    }
}
