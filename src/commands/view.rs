//! The rendering several commands share beyond [`super::show`]'s: the ✖ and ✘ lines, the `next:`
//! hint, the freeze warning, a health check's final line, a guard's finding, +/- counts, an
//! evidence hash, and one live line per check running at the same time ([`Lanes`]).

use std::fmt::Display;

use crate::context::ReqContext;
use crate::freeze::Decision;
use crate::guards::Finding;
use crate::health::CheckResult;
use crate::printer::{Printer, Tone};
use crate::workflow::Step;

mod live;
pub use live::Lanes;

/// `✖ text`: failed, the gate closed.
pub fn failed(p: &Printer, text: impl Display) {
    p.line(format!("{} {text}", p.paint(Tone::Bad, "✖")));
}

/// `✘ text`: refused, or a finding.
pub fn refused(p: &Printer, text: impl Display) {
    p.line(format!("{} {text}", p.paint(Tone::Bad, "✘")));
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

/// The final line of one health check: `✔ name: detail (12 ms, 1 attempt)`, or `✖` with the
/// attempts and the time it took.
pub fn health_line(p: &Printer, r: &CheckResult) -> String {
    let s = if r.attempts == 1 { "" } else { "s" };
    let attempts = format!("{} attempt{s}", r.attempts);
    let (name, detail) = (&r.name, &r.detail);
    if r.passed {
        let mark = p.paint(Tone::Good, "✔");
        format!("{mark} {name}: {detail} ({} ms, {attempts})", r.latency_ms)
    } else {
        let (mark, secs) = (p.paint(Tone::Bad, "✖"), r.elapsed_ms as f64 / 1000.0);
        format!("{mark} {name}: {detail} ({attempts} in {secs:.1}s)")
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

/// `sha256:` and the first 12 digits of an evidence hash.
pub fn short_hash(h: &str) -> String {
    let hex = h.strip_prefix("sha256:").unwrap_or(h);
    format!("sha256:{}", &hex[..hex.len().min(12)])
}
