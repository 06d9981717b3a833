//! Line diffs with `similar`: the +/- counts, the added lines the guards scan, and the colored
//! preview `review` shows. Renders to strings; printing is the command's business.

use std::fmt::Write as _;
use std::time::Duration;

use similar::{Algorithm, ChangeTag, TextDiff};

use crate::printer::{Printer, Tone};

/// Files above this size are neither diffed nor previewed line by line.
pub const MAX_DIFF_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileDiff {
    pub insertions: usize,
    pub deletions: usize,
    /// (1-based line in the new content, text) for every added line.
    pub added: Vec<(usize, String)>,
    pub binary: bool,
    pub too_large: bool,
}

pub fn compute(old: &[u8], new: &[u8]) -> FileDiff {
    if crate::git::is_binary(old) || crate::git::is_binary(new) {
        return FileDiff {
            binary: true,
            ..FileDiff::default()
        };
    }
    let old_s = String::from_utf8_lossy(old);
    let new_s = String::from_utf8_lossy(new);
    if old.len() > MAX_DIFF_BYTES || new.len() > MAX_DIFF_BYTES {
        // Too large to diff: every line of the new content is scanned as added.
        let added = new_s
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.to_string()))
            .collect();
        return FileDiff {
            too_large: true,
            added,
            ..FileDiff::default()
        };
    }
    let diff = text_diff(&old_s, &new_s);
    let mut out = FileDiff::default();
    for change in diff.iter_all_changes() {
        match change.tag() {
            ChangeTag::Insert => {
                out.insertions += 1;
                let line = change.new_index().map(|i| i + 1).unwrap_or(0);
                out.added.push((
                    line,
                    change.value().trim_end_matches(['\n', '\r']).to_string(),
                ));
            }
            ChangeTag::Delete => out.deletions += 1,
            ChangeTag::Equal => {}
        }
    }
    out
}

fn text_diff<'a>(old: &'a str, new: &'a str) -> TextDiff<'a, 'a, 'a, str> {
    TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(Duration::from_millis(500))
        .diff_lines(old, new)
}

/// A unified diff of at most `max_lines` lines, colored when the printer says so.
pub fn preview(p: &Printer, old: &[u8], new: &[u8], max_lines: usize) -> String {
    if crate::git::is_binary(old) || crate::git::is_binary(new) {
        return format!("    (binary, {} bytes)\n", new.len());
    }
    if old.len() > MAX_DIFF_BYTES || new.len() > MAX_DIFF_BYTES {
        return format!("    (too large to preview, {} bytes)\n", new.len());
    }
    // Masked before diffing, so a secret spanning lines (a private key block) is masked whole.
    let old_lossy = String::from_utf8_lossy(old);
    let new_lossy = String::from_utf8_lossy(new);
    let old_s = crate::secrets::mask_text(&old_lossy);
    let new_s = crate::secrets::mask_text(&new_lossy);
    let diff = text_diff(&old_s, &new_s);
    let mut out = String::new();
    let mut shown = 0usize;
    let mut total = 0usize;
    for group in diff.grouped_ops(2) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let (o, n) = (first.old_range().start, first.new_range().start);
        let (oe, ne) = (last.old_range().end, last.new_range().end);
        // As git writes it: an empty side starts at the line before (0 for an empty file).
        let start = |at: usize, len: usize| if len == 0 { at } else { at + 1 };
        let header = format!(
            "@@ -{},{} +{},{} @@",
            start(o, oe - o),
            oe - o,
            start(n, ne - n),
            ne - n
        );
        total += 1;
        if shown < max_lines {
            let _ = writeln!(out, "    {}", p.paint(Tone::Hunk, header));
            shown += 1;
        }
        for op in &group {
            for change in diff.iter_changes(op) {
                total += 1;
                if shown >= max_lines {
                    continue;
                }
                let text = change.value().trim_end_matches(['\n', '\r']);
                let line = match change.tag() {
                    ChangeTag::Insert => p.paint(Tone::Added, format!("+{text}")),
                    ChangeTag::Delete => p.paint(Tone::Removed, format!("-{text}")),
                    ChangeTag::Equal => format!(" {text}"),
                };
                let _ = writeln!(out, "    {line}");
                shown += 1;
            }
        }
    }
    if total > shown {
        let _ = writeln!(
            out,
            "    {}",
            p.paint(Tone::Dim, format!("… {} more lines", total - shown))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_added_lines() {
        let d = compute(b"a\nb\nc\n", b"a\nB\nc\nd\n");
        assert_eq!((d.insertions, d.deletions), (2, 1));
        assert_eq!(d.added, vec![(2, "B".to_string()), (4, "d".to_string())]);
        assert!(compute(b"", b"\0bin").binary);
    }
}
