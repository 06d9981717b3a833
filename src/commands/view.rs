//! The rendering several commands share: a result line's mark, the `next:` hint, the freeze
//! warning, a health check's and a test command's line, a guard's finding, a checklist item, a
//! short hash, and the live lines (spinners) a view keeps while the work runs.

use std::cell::RefCell;
use std::fmt::Display;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::context::ReqContext;
use crate::guards::Finding;
use crate::health::CheckResult;
use crate::printer::{Printer, Tone};
use crate::workflow::Step;

/// The mark a result line starts with.
#[derive(Debug, Clone, Copy)]
pub enum Mark {
    /// `✔`: done, passed.
    Done,
    /// `✖`: failed, closed.
    Failed,
    /// `✘`: refused, a finding.
    Refused,
    /// `–`: skipped, nothing to do.
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
pub fn say_freeze(p: &Printer, step: &str, decision: &crate::freeze::Decision) {
    let (a, how) = match decision {
        crate::freeze::Decision::Open => return,
        crate::freeze::Decision::Allowed(a) => (a, format!("`berry {step}` may run during it")),
        crate::freeze::Decision::Overridden(a, reason) => (
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

/// `  ✔ secrets  passed  detail` and the like: one checklist item and how it was answered.
pub fn item_line(p: &Printer, i: &crate::checklist::ItemRecord) -> String {
    let status = i.status();
    let (mark, tone) = match status {
        "passed" | "confirmed" => ("✔", Tone::Good),
        "failed" => ("✖", Tone::Bad),
        _ if i.required => ("✖", Tone::Bad),
        _ => ("–", Tone::Dim),
    };
    let detail = match (&i.auto, &i.answer) {
        (Some(a), _) => a.detail.clone(),
        (None, Some(a)) => {
            let note = a
                .note
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default();
            let at = crate::clock::rfc3339(a.at);
            format!("by {} ({}) at {at}{note}", a.by, a.how)
        }
        (None, None) => format!("not answered: --attest {}", i.id),
    };
    let advisory = if i.required { "" } else { " (advisory)" };
    let mark = p.paint(tone, mark);
    format!("  {mark} {:<17} {status:<10} {detail}{advisory}", i.id)
}

/// The spinner a view keeps while the work runs a part of it; a new one replaces the last.
#[derive(Default)]
pub struct Live(RefCell<Option<ProgressBar>>);

impl Live {
    /// Shows `bar` (a spinner from [`Printer::spinner`]) until the next one or [`Live::clear`].
    pub fn start(&self, bar: ProgressBar) {
        if let Some(old) = self.0.replace(Some(bar)) {
            old.finish_and_clear();
        }
    }

    /// Clears the spinner, if one runs (also when the work stopped half-way).
    pub fn clear(&self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}

/// One live line per task running at the same time, on a terminal (a spinner with its last
/// message); each task's final line is printed once all are cleared. Without a terminal a final
/// line is printed as it comes.
pub struct Lanes<'a> {
    p: &'a Printer,
    bars: Option<(MultiProgress, Vec<ProgressBar>)>,
    done: Vec<String>,
}

impl<'a> Lanes<'a> {
    /// A lane per message, in order.
    pub fn new(p: &'a Printer, messages: impl Iterator<Item = String>) -> Lanes<'a> {
        let bars = p.progress_allowed().then(|| {
            let m = MultiProgress::with_draw_target(p.draw_target());
            let style = ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}")
                .expect("static template");
            let bar = |msg| {
                let b = m.add(ProgressBar::new_spinner());
                b.set_style(style.clone());
                b.set_message(msg);
                b.enable_steady_tick(std::time::Duration::from_millis(120));
                b
            };
            let bars = messages.map(bar).collect();
            (m, bars)
        });
        let done = Vec::new();
        Lanes { p, bars, done }
    }

    /// Lane `i`'s message, while it runs.
    pub fn set(&self, i: usize, message: String) {
        if let Some((_, bars)) = &self.bars {
            bars[i].set_message(message);
        }
    }

    /// Lane `i` ended with `line`.
    pub fn done(&mut self, i: usize, line: String) {
        match &self.bars {
            Some((_, bars)) => {
                bars[i].finish_with_message(line.clone());
                self.done.push(line);
            }
            None => self.p.line(line),
        }
    }

    /// Clears the live lines and prints the final ones.
    pub fn finish(self) {
        if let Some((m, _)) = self.bars {
            let _ = m.clear();
            for l in self.done {
                self.p.line(l);
            }
        }
    }
}
