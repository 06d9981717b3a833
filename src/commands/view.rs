//! The rendering several commands share: a result line's mark, the `next:` hint, the freeze
//! warning, a health check's and a test command's line, a guard's finding, +/- counts, short
//! hashes, and the live lines (spinners) a view keeps while the work runs.

use std::fmt::Display;

use crate::context::ReqContext;
use crate::freeze::Decision;
use crate::guards::Finding;
use crate::health::CheckResult;
use crate::printer::{Printer, Tone};
use crate::workflow::Step;

mod live;
pub use live::{Lanes, Live};

/// The mark a result line starts with: `✔` done, `✖` failed, `✘` refused (a finding), `–`
/// skipped.
#[derive(Debug, Clone, Copy)]
pub enum Mark {
    Done,
    Failed,
    Refused,
    Skipped,
}

/// `text` after its mark, painted.
pub fn marked(p: &Printer, mark: Mark, text: impl Display) -> String {
    let (m, tone) = match mark {
        Mark::Done => ("✔", Tone::Good),
        Mark::Failed => ("✖", Tone::Bad),
        Mark::Refused => ("✘", Tone::Bad),
        Mark::Skipped => ("–", Tone::Dim),
    };
    format!("{} {text}", p.paint(tone, m))
}

/// A result line: `text` after its mark.
pub fn say(p: &Printer, mark: Mark, text: impl Display) {
    p.line(marked(p, mark, text));
}

/// `next: berry STEP` from the workflow table: the first step after `step` not done yet
/// (nothing when every later step is done).
pub fn print_next(p: &Printer, ctx: &ReqContext, step: Step) {
    if let Some(n) = crate::workflow::next_after(ctx, step) {
        p.next(&n.command());
    }
}

/// The warning for a change freeze that lets `step` through (nothing for no freeze).
pub fn say_freeze(p: &Printer, step: &str, decision: &Decision) {
    let (a, how) = match decision {
        Decision::Open => return,
        Decision::Allowed(a) => (a, format!("`berry {step}` may run during it")),
        Decision::Overridden(a, reason) => (
            a,
            format!(
                "overridden for `berry {step}`: {reason} (recorded; the PR body and the notice say so)"
            ),
        ),
    };
    let (what, until) = (a.describe(), &a.until_local);
    p.warn(format!(
        "a change freeze holds: {what} until {until}; {how}"
    ));
}

/// The final line of one health check.
pub fn health_line(p: &Printer, r: &CheckResult) -> String {
    let s = if r.attempts == 1 { "" } else { "s" };
    let attempts = format!("{} attempt{s}", r.attempts);
    if r.passed {
        let ms = r.latency_ms;
        marked(
            p,
            Mark::Done,
            format!("{}: {} ({ms} ms, {attempts})", r.name, r.detail),
        )
    } else {
        let secs = r.elapsed_ms as f64 / 1000.0;
        let text = format!("{}: {} ({attempts} in {secs:.1}s)", r.name, r.detail);
        marked(p, Mark::Failed, text)
    }
}

/// `+insertions -deletions`, painted.
pub fn counts(p: &Printer, insertions: impl Display, deletions: impl Display) -> String {
    let added = p.paint(Tone::Added, format!("+{insertions}"));
    format!(
        "{added} {}",
        p.paint(Tone::Removed, format!("-{deletions}"))
    )
}

/// A test command that passed: `✔ name (1.2s)`.
pub fn test_passed(p: &Printer, name: &str, duration_ms: u64) {
    say(
        p,
        Mark::Done,
        format!("{name} ({:.1}s)", duration_ms as f64 / 1000.0),
    );
}

/// A guard's finding: `  ✘ [guard] path:line  detail`, quoted; `mark` is the finding's standing.
pub fn finding_line(mark: &str, guard: bool, f: &Finding) -> String {
    let at = f.line.map(|l| format!(":{l}")).unwrap_or_default();
    let guard = if guard {
        format!(" {}", f.guard.name())
    } else {
        String::new()
    };
    let path = crate::quote::path(&f.path);
    format!(
        "  {mark}{guard} {path}{at}  {}",
        crate::quote::text(&f.detail)
    )
}

/// The first 12 digits of a commit's SHA.
pub fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// `sha256:` and the first 12 digits of an evidence hash.
pub fn short_hash(h: &str) -> String {
    let hex = h.strip_prefix("sha256:").unwrap_or(h);
    format!("sha256:{}", &hex[..hex.len().min(12)])
}
