//! `berry watch`'s live view and the lines around it: what the work shows, rendered.

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::time::Duration;

use super::short;
use crate::printer::{Printer, Tone};
use crate::watch::ci::Shown;
use crate::watch::issue::LogNote;
use crate::watch::{self as w, Event, Watched};

fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

fn job_duration(j: &w::Job) -> Option<String> {
    let a: jiff::Timestamp = j.started_at.as_deref()?.parse().ok()?;
    let b: jiff::Timestamp = j.completed_at.as_deref()?.parse().ok()?;
    let s = (b.as_second() - a.as_second()).max(0) as u64;
    Some(human(Duration::from_secs(s)))
}

fn state(status: &str, conclusion: Option<&str>) -> String {
    match conclusion {
        Some(c) if status == "completed" => c.to_string(),
        _ => status.replace('_', " "),
    }
}

fn icon(p: &Printer, status: &str, conclusion: Option<&str>) -> String {
    if status != "completed" {
        return p.paint(Tone::Dim, "…");
    }
    if w::green(conclusion) {
        p.paint(Tone::Good, "✔")
    } else {
        p.paint(Tone::Bad, "✖")
    }
}

/// The run's line and its jobs' lines.
fn lines(p: &Printer, r: &Watched) -> Vec<(String, String)> {
    let mut out = vec![(
        format!("run {}", r.run.id),
        format!(
            "{} {} (run {}): {}",
            icon(p, &r.run.status, r.run.conclusion.as_deref()),
            r.run.name,
            r.run.id,
            state(&r.run.status, r.run.conclusion.as_deref())
        ),
    )];
    for j in &r.jobs {
        let mut l = format!(
            "    {} {}: {}",
            icon(p, &j.status, j.conclusion.as_deref()),
            j.name,
            state(&j.status, j.conclusion.as_deref())
        );
        if j.status == "completed"
            && let Some(d) = job_duration(j)
        {
            l.push_str(&format!(" in {d}"));
        }
        if let Some(s) = j.failing_step() {
            l.push_str(&format!(" (failed step: {})", s.name));
        } else if j.status == "in_progress"
            && let Some(s) = j.steps.iter().find(|s| s.status == "in_progress")
        {
            l.push_str(&format!(" ({})", s.name));
        }
        out.push((format!("job {}", j.id), l));
    }
    out
}

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
            Event::Waiting { .. } => self.say("  waiting for the workflow runs to appear…"),
            Event::RateLimited { wait } => {
                let text = format!(
                    "GitHub's rate limit: waiting {} before the next poll",
                    human(wait)
                );
                match &self.multi {
                    Some(m) => {
                        let _ = m.println(crate::secrets::mask_text(&text));
                    }
                    None => self.p.warn(text),
                }
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
                                Some((_, old)) if *old == l => {}
                                Some((_, old)) => {
                                    *old = l.clone();
                                    self.p.line(&l);
                                }
                                None => {
                                    self.shown.push((key, l.clone()));
                                    self.p.line(&l);
                                }
                            }
                        }
                    }
                }
            },
        }
    }

    fn say(&self, text: &str) {
        match &self.multi {
            Some(m) => {
                let _ = m.println(crate::secrets::mask_text(text));
            }
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
