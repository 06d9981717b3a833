//! The rows of `berry status`'s records that have parts: the commit (and whether its branch still
//! holds it), the health checks, the checklist, a tracker commit, a rollback as far as it got, a
//! reported failure and its issue.

use crate::checklist::ChecklistRecord;
use crate::commands::show::short;
use crate::context::{CommitRecord, FailureRecord, HealthRecord, RollbackRecord, TrackerCommit};
use crate::health::CheckResult;
use crate::status::issue_state;

/// `n` and a word, plural unless `n` is 1.
pub(super) fn count(n: impl Into<u64>, word: &str) -> String {
    let n = n.into();
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

pub(super) fn passed(ok: bool) -> &'static str {
    if ok { "passed" } else { "FAILED" }
}

/// The commit; `on_branch` false: its branch no longer holds it.
pub(super) fn commit(c: &CommitRecord, on_branch: Option<bool>) -> String {
    let mut notes = c
        .rebased_from
        .as_ref()
        .map(|o| format!(" (rebased from {o} by push)"));
    if on_branch == Some(false) {
        let gone = " any more: the branch was rebased or reset since; this is not what it ships";
        let rebased = notes.unwrap_or_default();
        notes = Some(format!("{rebased} (NOT on {}{gone})", c.branch));
    }
    format!("{}{}", c.sha, notes.unwrap_or_default())
}

/// A tracker commit, and where it went.
pub(super) fn tracker_commit(c: &TrackerCommit) -> String {
    let pushed = match (&c.pushed, &c.not_pushed) {
        (Some(to), _) => format!("pushed to {to}"),
        (None, Some(why)) => format!("kept local: {why}"),
        (None, None) => "not pushed yet".into(),
    };
    format!("{} ({}): {pushed}", short(&c.sha), c.status)
}

/// The health checks' result for a SHA.
pub(super) fn health(h: &HealthRecord) -> String {
    let (sha, n) = (short(&h.sha), h.checks.len() as u64);
    match n {
        0 => format!("skipped for {sha}: no checks configured"),
        n => format!("{} for {sha} ({})", passed(h.passed), count(n, "check")),
    }
}

/// One health check, under the health row.
pub(super) fn check(c: &CheckResult) -> String {
    let mark = if c.passed { "ok  " } else { "FAIL" };
    let attempts = count(c.attempts, "attempt");
    let ms = c.latency_ms;
    format!(
        "{:10}{mark} {}: {} ({ms} ms, {attempts})",
        "", c.name, c.detail
    )
}

/// The checklist for a SHA: how many items are done, and the required ones that are not.
pub(super) fn checklist(c: &ChecklistRecord) -> String {
    let ok = c.items.iter().filter(|i| i.ok()).count();
    let missing = c.missing().join(", ");
    let open = match missing.as_str() {
        "" => missing,
        _ => format!(" (required, not done: {missing})"),
    };
    format!("{ok}/{} for {}{open}", c.items.len(), short(&c.sha))
}

/// How far `berry rollback` got: each part it records, in order.
pub(super) fn rollback(r: &RollbackRecord) -> String {
    let mut done = vec![match (&r.revert, &r.onto) {
        (Some(rev), Some(onto)) => format!("reverted as {} onto {}", short(rev), short(onto)),
        (Some(rev), None) => format!("reverted as {}", short(rev)),
        (None, _) => "not reverted yet".into(),
    }];
    if r.revert.is_some() {
        done.push(
            if r.tested {
                "tests passed"
            } else {
                "not tested yet"
            }
            .into(),
        );
    }
    done.push(match (&r.pushed, r.pr_number) {
        (Some(to), _) => format!("pushed to {to}"),
        (None, Some(n)) => format!(
            "pull request #{n} {}",
            r.pr_url.as_deref().unwrap_or_default()
        ),
        (None, None) => "not pushed yet".into(),
    });
    if let Some(checks) = &r.health {
        done.push(match (checks.is_empty(), checks.iter().all(|c| c.passed)) {
            (true, _) => "no health checks configured".into(),
            (false, true) => "health passed".into(),
            (false, false) => "health FAILED".into(),
        });
    }
    if let Some(ms) = r.duration_ms {
        done.push(format!("{:.1}s", ms as f64 / 1000.0));
    }
    format!(
        "of {} ({}): {}",
        short(&r.target),
        r.reason,
        done.join("; ")
    )
}

/// A reported failure and where its issue stands.
pub(super) fn failure(f: &FailureRecord) -> String {
    let issue = f
        .issue
        .as_ref()
        .map(|i| format!("issue #{} {}", i.number, i.url));
    let fix = f.resolved.as_ref().map(|r| short(&r.sha));
    let what = match issue_state(f) {
        "skipped" => format!(
            "no issue ({})",
            f.issue_skipped.as_deref().unwrap_or_default()
        ),
        "pending" => format!(
            "{} PENDING: {} (the next `berry test` or `berry push` sends it)",
            issue.unwrap_or_else(|| "issue".into()),
            match (fix, &f.issue_error) {
                (Some(sha), _) => format!("comment {sha} and close"),
                (None, Some(e)) => format!("not written, GitHub said: {e}"),
                (None, None) => "not written yet".into(),
            }
        ),
        "open" => format!("{} (open)", issue.unwrap_or_default()),
        "closed" => format!(
            "{} (closed{})",
            issue.unwrap_or_default(),
            fix.map(|sha| format!(" by {sha}")).unwrap_or_default()
        ),
        _ => "no issue".into(),
    };
    format!("{} failed: {}; {what}", f.kind.as_str(), f.error)
}
