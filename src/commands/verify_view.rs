//! How verify shows the agents' deliverables: the one table, so quoting, cutting to the terminal's
//! width and the status colours change here only.

use crate::gate::Verdict;
use crate::printer::{Printer, Tone};

/// The agents' table: agent, stage, status, age, summary (cut to the terminal's width).
pub fn agents_table(p: &Printer, v: &Verdict, now: jiff::Timestamp) -> String {
    let width = console::Term::stderr()
        .size_checked()
        .map(|(_, w)| w as usize)
        .unwrap_or(100)
        .max(60);
    let mut rows: Vec<[String; 5]> =
        vec![["AGENT", "STAGE", "STATUS", "AGE", "SUMMARY"].map(String::from)];
    for a in &v.agents {
        let name = if a.expected {
            a.agent.clone()
        } else {
            format!("{} (unexpected)", a.agent)
        };
        if !a.delivered {
            rows.push([
                name,
                "-".into(),
                "MISSING".into(),
                "-".into(),
                String::new(),
            ]);
            continue;
        }
        let mut summary =
            crate::quote::text(a.summary.as_deref().unwrap_or_default()).replace(['\n', '\t'], " ");
        if let Some(verdict) = &a.verdict {
            summary = format!("[{}] {summary}", crate::quote::text(verdict));
        }
        if let Some(problem) = a.problems.first() {
            summary = format!("({}) {summary}", crate::quote::text(problem));
        }
        rows.push([
            name,
            a.stage.map(|s| s.to_string()).unwrap_or_else(|| "-".into()),
            crate::quote::text(a.status.as_deref().unwrap_or("?")).into_owned(),
            a.created_at
                .map(|t| crate::clock::age(t, now))
                .unwrap_or_else(|| "-".into()),
            summary,
        ]);
    }
    let w: Vec<usize> = (0..4)
        .map(|i| {
            rows.iter()
                .map(|r| console::measure_text_width(&r[i]))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let used = 2 + w.iter().sum::<usize>() + 8;
    let room = width.saturating_sub(used).max(20);
    let mut out = String::new();
    for (i, r) in rows.iter().enumerate() {
        let status = format!("{:<w$}", r[2], w = w[2]);
        let status = match r[2].as_str() {
            _ if i == 0 => status,
            "MISSING" => p.paint(Tone::Warn, status),
            s if s.eq_ignore_ascii_case("COMPLETE") => p.paint(Tone::Good, status),
            _ => p.paint(Tone::Warn, status),
        };
        let line = format!(
            "  {:<w0$}  {:<w1$}  {}  {:<w3$}  {}",
            r[0],
            r[1],
            status,
            r[3],
            console::truncate_str(&r[4], room, "…"),
            w0 = w[0],
            w1 = w[1],
            w3 = w[3]
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.trim_end().to_string()
}
