//! A workflow run and its jobs as `berry watch` shows them: one line each, with the state, the
//! time a job took and the step that failed or runs now.

use std::time::Duration;

use crate::printer::{Printer, Tone};
use crate::watch::{self as w, Watched};

/// A duration as a person reads it: `1m05s`, or `4.2s` under a minute.
pub(super) fn human(d: Duration) -> String {
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
pub(super) fn lines(p: &Printer, r: &Watched) -> Vec<(String, String)> {
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
