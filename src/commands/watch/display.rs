//! `berry watch`'s live view and the lines around it: what the work shows, rendered (a run's
//! and its jobs' lines are [`super::runs`]'s).

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::time::Duration;

use super::runs::{human, lines};
use crate::commands::show::short;
use crate::printer::{Printer, Tone};
use crate::watch::ci::Shown;
use crate::watch::issue::LogNote;
use crate::watch::{self as w, Event};

/// The live view: on a terminal, one multi-line bar per run (its jobs under it); otherwise a
/// line on stderr for each run or job whose state changed.
pub(super) struct Display<'a> {
    p: &'a Printer,
    multi: Option<MultiProgress>,
    bars: Vec<(u64, ProgressBar)>,
    shown: Vec<(String, String)>,
}

impl<'a> Display<'a> {
    pub(super) fn new(p: &'a Printer) -> Display<'a> {
        let multi = p
            .progress_allowed()
            .then(|| MultiProgress::with_draw_target(p.draw_target()));
        Display {
            p,
            multi,
            bars: Vec::new(),
            shown: Vec::new(),
        }
    }

    /// What the work shows: the live view, and the lines around it.
    pub(super) fn show(&mut self, s: Shown<'_>) {
        let p = self.p;
        match s {
            Shown::NoToken { sources } => p.warn(format!(
                "no GitHub token in {sources}: watching without one (60 requests an hour)"
            )),
            Shown::Watching { sha, branch, repo } => p.line(format!(
                "{} the CI of {} ({branch}) on {repo}",
                p.paint(Tone::Strong, "Watching"),
                short(sha),
            )),
            Shown::Live(e) => self.event(e),
            Shown::LiveEnded => self.finish(),
            Shown::Cost(summary) => p.line(p.paint(
                Tone::Dim,
                format!(
                    "  {} polls in {}: {} requests answered 200 (counted against the rate limit), {} answered 304 (free)",
                    summary.polls,
                    human(summary.elapsed),
                    summary.ok,
                    summary.not_modified
                ),
            )),
            Shown::NoCiFailure(reason) => p.line(format!("{} {reason}", p.paint(Tone::Bad, "✖"))),
            Shown::Log(LogNote::Reading { run, job }) => {
                p.detail(format!("reading the log of {run} / {job}"))
            }
            Shown::Log(LogNote::Truncated { run, job }) => p.warn(format!(
                "the log of {run} / {job} is longer than {} MiB; its excerpt comes from the first {} MiB",
                w::MAX_LOG_BYTES >> 20,
                w::MAX_LOG_BYTES >> 20
            )),
            Shown::Log(LogNote::Unreadable { run, job, error }) => {
                p.warn(format!("the log of {run} / {job} could not be read: {error}"))
            }
            Shown::Issue { issue, created } => {
                crate::commands::effects::say_issue(p, issue.number, &issue.url, created)
            }
        }
    }

    fn event(&mut self, e: Event<'_>) {
        match e {
            Event::Waiting { .. } => self.say("  waiting for the workflow runs to appear…", false),
            Event::RateLimited { wait } => {
                let wait = human(wait);
                self.say(
                    &format!("GitHub's rate limit: waiting {wait} before the next poll"),
                    true,
                )
            }
            Event::Changed { runs, .. } => match self.multi.clone() {
                Some(m) => {
                    for r in runs {
                        let text = lines(self.p, r)
                            .into_iter()
                            .map(|(_, l)| l)
                            .collect::<Vec<_>>()
                            .join("\n");
                        let bar = match self.bars.iter().find(|(id, _)| *id == r.run.id) {
                            Some((_, b)) => b.clone(),
                            None => {
                                let b = m.add(ProgressBar::new_spinner());
                                b.set_style(
                                    ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}")
                                        .expect("static template"),
                                );
                                b.enable_steady_tick(Duration::from_millis(120));
                                self.bars.push((r.run.id, b.clone()));
                                b
                            }
                        };
                        bar.set_message(crate::secrets::mask_text(&text).into_owned());
                        if r.settled() && !bar.is_finished() {
                            bar.finish();
                        }
                    }
                }
                None => {
                    for r in runs {
                        for (key, l) in lines(self.p, r) {
                            match self.shown.iter_mut().find(|(k, _)| *k == key) {
                                Some((_, old)) if *old == l => continue,
                                Some((_, old)) => *old = l.clone(),
                                None => self.shown.push((key, l.clone())),
                            }
                            self.p.line(&l);
                        }
                    }
                }
            },
        }
    }

    /// A line above the live view, or on its own without one (`warn`: as a warning).
    fn say(&self, text: &str, warn: bool) {
        match &self.multi {
            Some(m) => {
                let _ = m.println(crate::secrets::mask_text(text));
            }
            None if warn => self.p.warn(text),
            None => self.p.line(text),
        }
    }

    fn finish(&mut self) {
        for (_, b) in &self.bars {
            if !b.is_finished() {
                b.abandon();
            }
        }
    }
}
