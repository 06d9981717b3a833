//! How review shows its results: the deliverables, a change to the gate's own configuration, the
//! change set and the guards' findings — the one place their text is laid out, so quoting file
//! names, masking and paging change here only.

use super::show;
use super::view;
use crate::gate::Verdict;
use crate::gateconfig::{GateConfig, Standing};
use crate::guards::Severity;
use crate::printer::{Printer, Tone};
use crate::review::{self, Survey};

/// Review's list of deliverables: status, critique verdict, summary and key changes.
pub fn deliverables(p: &Printer, verdict: &Verdict, rows: &[crate::deliverables::Row]) {
    p.line("");
    p.line(p.paint(Tone::Strong, "Deliverables"));
    for a in &verdict.agents {
        if !a.delivered {
            p.line(format!(
                "  {:<8} {}",
                a.agent,
                p.paint(Tone::Warn, "MISSING")
            ));
            continue;
        }
        let verdict_word = a
            .verdict
            .as_deref()
            .map(|v| format!(" [{v}]"))
            .unwrap_or_default();
        p.line(format!(
            "  {:<8} {}{}",
            a.agent,
            crate::quote::text(a.status.as_deref().unwrap_or("?")),
            p.paint(Tone::Strong, crate::quote::text(&verdict_word))
        ));
        if let Some(s) = &a.summary {
            p.line(format!(
                "           {}",
                console::truncate_str(&crate::quote::text(s).replace('\n', " "), 200, "…")
            ));
        }
        if let Some(row) = rows.iter().find(|r| r.is_agent(&a.agent)) {
            for k in crate::deliverables::key_changes(&row.deliverable)
                .iter()
                .take(5)
            {
                p.line(format!(
                    "           • {}",
                    console::truncate_str(&crate::quote::text(k).replace('\n', " "), 120, "…")
                ));
            }
        }
        for prob in &a.problems {
            p.warn(format!("{}: {}", a.agent, crate::quote::text(prob)));
        }
    }
}

/// A working-tree `berry.toml` that differs from HEAD's: a change to the gate itself, with its diff.
pub fn config_change(p: &Printer, gate: &GateConfig) {
    let Some(change) = &gate.change else { return };
    p.line("");
    let title = format!(
        "Change to the gate itself: berry.toml ({}) differs from HEAD's",
        change.kind()
    );
    p.line(p.paint(Tone::Strong, title));
    let old = change.committed.as_deref().unwrap_or("");
    let new = change.working.as_deref().unwrap_or("");
    p.line(crate::diffview::preview(p, old.as_bytes(), new.as_bytes(), 200).trim_end());
    p.line(match gate.standing {
        Standing::Accepted => "  accepted for this REQ: its settings are in force".to_string(),
        _ => "  not accepted: HEAD's configuration is in force (accept it on a terminal, or with --accept-config-change)".to_string(),
    });
}

/// The two lists, each file's diff (paged), and the guards' findings.
/// `preview`: the diff preview of each file in scope, at most `preview_lines` lines each; its
/// content is read again here, one file at a time (the survey keeps none).
/// The survey's progress on `bar` (a spinner while the change set is listed, then a bar over
/// the files in scope; hidden where progress may not draw).
pub fn progress(bar: &indicatif::ProgressBar, at: review::Progress) {
    match at {
        review::Progress::Listing => {}
        review::Progress::Reviewed { done: 0, total } => {
            bar.set_length(total as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "reviewing {pos}/{len} files {wide_bar} {elapsed:.dim}",
            ) {
                bar.set_style(style);
            }
        }
        review::Progress::Reviewed { .. } => bar.inc(1),
    }
}

pub fn survey(p: &Printer, s: &Survey, preview: Option<&git2::Repository>, preview_lines: usize) {
    p.line("");
    let (title, n) = (p.paint(Tone::Strong, "Changes in scope"), s.in_scope.len());
    let counts = view::counts(p, s.insertions(), s.deletions());
    p.line(format!("{title} ({n} files, {counts})"));
    for r in &s.in_scope {
        p.line(format!("  {}", file_line(p, r)));
    }
    for line in outside(p, &s.outside, &s.uncommittable) {
        p.line(line);
    }
    if let Some(repo) = preview
        && preview_lines > 0
        && !s.in_scope.is_empty()
        && !p.json()
    {
        // One file at a time: each preview is built, masked and written before the next.
        p.page_pieces(s.in_scope.iter().map(|r| {
            let title = p.paint(Tone::Strong, review::title(&r.change));
            match review::contents(repo, &r.change) {
                Ok((old, new)) => format!(
                    "\n{title}\n{}",
                    crate::diffview::preview(p, &old, &new, preview_lines)
                ),
                Err(e) => format!("\n{title}\n    (cannot be read again: {e:#})\n"),
            }
        }));
    }
    guards(p, s);
}

/// The lines of the list of changes outside scope (none when there are none).
pub fn outside(
    p: &Printer,
    outside: &[crate::git::Change],
    uncommittable: &[crate::git::Uncommittable],
) -> Vec<String> {
    if outside.is_empty() && uncommittable.is_empty() {
        return Vec::new();
    }
    let title = p.paint(Tone::Strong, "Changed outside scope (not committed)");
    let mut lines = vec![String::new(), title];
    for c in outside {
        let (kind, path) = (c.kind.letter(), crate::quote::path(&c.path));
        lines.push(format!("  {kind}  {path}{}", review::what(c)));
    }
    for u in uncommittable {
        let (kind, path, why) = (u.kind.letter(), u.quoted(), &u.why);
        lines.push(format!(
            "  {kind}  {path} ({why}; never committed by berry)"
        ));
    }
    lines
}

/// The `--allow` that matched nothing, and the guards' findings.
pub fn guards(p: &Printer, s: &Survey) {
    for a in &s.unused_allows {
        let (guard, path) = (a.guard.name(), &a.path);
        p.warn(format!("--allow {guard}:{path} matches no finding"));
    }
    p.line("");
    if s.findings.is_empty() {
        let none = "guards: no secrets, conflict markers or oversized files";
        return show::done(p, none);
    }
    p.line(p.paint(Tone::Strong, "Guards"));
    for f in &s.findings {
        let mark = match (f.severity, s.allowed.contains(f)) {
            (_, true) => p.paint(Tone::Warn, "allowed"),
            (Severity::Block, false) => p.paint(Tone::Bad, "✘"),
            (Severity::Warn, _) => p.paint(Tone::Warn, "!"),
        };
        p.line(view::finding_line(&mark, true, f));
    }
}

pub(super) fn file_line(p: &Printer, r: &review::Reviewed) -> String {
    let counts = match r.diff.binary {
        true => "binary".to_string(),
        false => view::counts(p, r.diff.insertions, r.diff.deletions),
    };
    let staged = if r.change.staged { " (staged)" } else { "" };
    format!("{}  {counts}{staged}", review::title(&r.change))
}
