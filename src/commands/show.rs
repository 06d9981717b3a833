//! What several commands show alike, laid out once: the marks of a line, a failure's issue, a
//! test command and a health check as a step runs them, and the live progress (a spinner, a
//! transfer's bar) a step's view keeps between the work's calls. A notice and how it was sent
//! are [`super::effects`]'s.

use std::cell::RefCell;

use crate::config::TestCommand;
use crate::health::CheckResult;
use crate::printer::{Printer, Tone};
use crate::push::Transfer;
use indicatif::ProgressBar;

/// The first 12 characters of a SHA (all of a shorter one).
pub fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// `✔ text`: done, or found done.
pub fn done(p: &Printer, text: impl AsRef<str>) {
    p.line(format!("{} {}", p.paint(Tone::Good, "✔"), text.as_ref()));
}

/// `– text`: nothing to do here, or left as it is.
pub fn passed_over(p: &Printer, text: impl AsRef<str>) {
    p.line(format!("{} {}", p.paint(Tone::Dim, "–"), text.as_ref()));
}

/// What a dry run that shows a tracker edit and a notice did: nothing.
pub const NOTHING_DONE: &str = "dry run: nothing written, nothing sent";

/// The last line of such a dry run.
pub fn nothing_done(p: &Printer) {
    p.line(p.paint(Tone::Dim, NOTHING_DONE));
}

/// The line that says GitHub took a failure's issue.
pub fn issue(p: &Printer, number: u64, url: &str, created: bool) {
    let what = if created {
        "opened"
    } else {
        "updated with this failure"
    };
    done(p, format!("issue #{number} {what}: {url}"));
}

/// A test command that passed, with its time.
pub fn tested(p: &Printer, name: &str, duration_ms: u64) {
    done(p, format!("{name} ({:.1}s)", duration_ms as f64 / 1000.0));
}

/// A health check's result as a step that re-runs the checks shows it.
pub fn health(p: &Printer, r: &CheckResult) {
    let mark = if r.passed {
        p.paint(Tone::Good, "✔")
    } else {
        p.paint(Tone::Bad, "✘")
    };
    p.line(format!(
        "{mark} health {}: {} ({} attempt(s))",
        r.name, r.detail, r.attempts
    ));
}

/// The live progress a step's view keeps between the work's calls: a spinner for what runs now
/// (a test command), a bar for a transfer. Whatever is left running is cleared by [`Live::clear`]
/// or when it is dropped.
#[derive(Default)]
pub struct Live {
    spinner: RefCell<Option<ProgressBar>>,
    bar: RefCell<Option<ProgressBar>>,
}

impl Live {
    /// A test command starts: its spinner.
    pub fn testing(&self, p: &Printer, c: &TestCommand) {
        *self.spinner.borrow_mut() = Some(p.spinner(format!("{} ({})", c.name, c.argv.join(" "))));
    }

    /// What the spinner stood for ended.
    pub fn stop(&self) {
        if let Some(s) = self.spinner.borrow_mut().take() {
            s.finish_and_clear();
        }
    }

    /// A push transfer, as it goes: objects sent of the total, bytes sent.
    pub fn transfer(&self, p: &Printer, t: Transfer) {
        match t {
            Transfer::Started => {
                *self.bar.borrow_mut() = Some(p.bar(0, "{spinner} {pos}/{len} objects {msg}"))
            }
            Transfer::Objects {
                current,
                total,
                bytes,
            } => {
                if let Some(bar) = self.bar.borrow().as_ref() {
                    bar.set_length(total as u64);
                    bar.set_position(current as u64);
                    bar.set_message(indicatif::HumanBytes(bytes as u64).to_string());
                }
            }
            Transfer::Ended => {
                if let Some(bar) = self.bar.borrow_mut().take() {
                    bar.finish_and_clear();
                }
            }
        }
    }

    /// A spinner or a bar the work left running when it stopped.
    pub fn clear(&self) {
        self.stop();
        if let Some(bar) = self.bar.borrow_mut().take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.clear();
    }
}
