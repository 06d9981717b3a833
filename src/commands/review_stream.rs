//! `berry review` through the pager, streamed: the pager starts with what the change list says
//! (how many files in scope, the list outside it) and gets each file's preview as soon as it is
//! built, in the list's order, while the rest of the change set is still read, diffed and
//! guarded. The +/- totals are known only at the end: they follow the pager, before the guards'
//! results, as git prints its stat after the diff.
//!
//! - Each preview is built by the worker that reviewed the file, from the bytes it read (never
//!   read twice), by `diffview::preview`, and masked whole by the printer's one masker on its way
//!   to the pager, as every paged text is.
//! - The workers hand the previews to the writer through a bounded channel; the writer keeps the
//!   few that arrive ahead of their turn. A pager that does not read holds the workers back,
//!   so memory does not grow with the change set.
//! - The pager quit before it was given every preview (`q` on the first screen): the review
//!   stops at once, no further file is read, nothing is recorded (exit 130).

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, sync_channel};

use anyhow::Result;

use super::review_view;
use crate::config::Config;
use crate::printer::{Printer, Tone};
use crate::review::{self, Listed, Options, Survey};

/// Whether review's previews go to the pager as they are built (on a terminal, a pager in use,
/// previews asked for and something to preview).
pub fn streams(p: &Printer, preview: bool, preview_lines: usize, listed: &Listed) -> bool {
    preview && preview_lines > 0 && p.pages() && !p.json() && !listed.inside.is_empty()
}

/// The change set listed (a spinner meanwhile), then reviewed: streamed into the pager when
/// [`streams`] says so, else with a progress bar, then the lists and (`preview`) the previews.
/// Either way the guards' results follow.
pub fn reviewed(
    p: &Printer,
    repo: &git2::Repository,
    config: &Config,
    opts: &Options,
    preview: bool,
    lines: usize,
) -> Result<Survey> {
    let working = p.spinner("listing the changes");
    let listed = review::list(repo, config);
    let streams = listed.as_ref().is_ok_and(|l| streams(p, preview, lines, l));
    if streams || listed.is_err() {
        working.finish_and_clear();
    }
    let listed = listed?;
    if streams {
        let survey = survey(p, repo, config, opts, listed, lines)?;
        review_view::guards(p, &survey);
        return Ok(survey);
    }
    let shown = |at: review::Progress| review_view::progress(&working, at);
    let survey = review::examine(repo, config, opts, listed, &shown, None);
    working.finish_and_clear();
    let survey = survey?;
    review_view::survey(p, &survey, preview.then_some(repo), lines);
    Ok(survey)
}

/// Reviews `listed` with each preview written to the pager as it is built; then the totals line.
/// The caller shows the guards' results.
pub fn survey(
    p: &Printer,
    repo: &git2::Repository,
    config: &Config,
    opts: &Options,
    listed: Listed,
    preview_lines: usize,
) -> Result<Survey> {
    let mut head = vec![String::new()];
    let title = p.paint(Tone::Strong, "Changes in scope");
    let n = listed.inside.len();
    head.push(format!(
        "{title} ({n} files; the +/- totals follow the previews)"
    ));
    head.extend(review_view::outside(
        p,
        &listed.outside,
        &listed.uncommittable,
    ));
    let mut head = head.join("\n");
    head.push('\n');
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (tx, rx) = sync_channel::<(usize, String)>(4 * workers.clamp(1, 8));
    let (survey, complete) = std::thread::scope(|s| {
        let writer = s.spawn(move || p.page_pieces(std::iter::once(head).chain(InOrder::new(rx))));
        let each = move |i: usize, r: &review::Reviewed, old: &[u8], new: &[u8]| {
            let line = review_view::file_line(p, r);
            let preview = crate::diffview::preview(p, old, new, preview_lines);
            tx.send((i, format!("\n{line}\n{preview}"))).is_ok()
        };
        let survey = review::examine(repo, config, opts, listed, &|_| {}, Some(&each));
        // The last sender goes with `each`: the writer then writes what is left and ends.
        drop(each);
        let complete = writer.join().unwrap_or(false);
        (survey, complete)
    });
    if !complete {
        let message = "the pager was closed before every file's preview was shown: the review \
                       stopped, nothing was recorded";
        return Err(crate::error::BerryError::new(crate::error::Exit::Interrupted, message)
            .with_hint("to review without paging through every preview: --no-pager, or review.preview_lines = 0")
            .into());
    }
    let survey = survey?;
    p.line("");
    let counts = super::view::counts(p, survey.insertions(), survey.deletions());
    p.line(format!("{title} ({n} files, {counts})"));
    Ok(survey)
}

/// The previews in the list's order, from workers that finish them in any order: those ahead
/// of their turn wait here (a handful: the workers take the files in order).
struct InOrder {
    rx: Receiver<(usize, String)>,
    early: BTreeMap<usize, String>,
    next: usize,
}

impl InOrder {
    fn new(rx: Receiver<(usize, String)>) -> InOrder {
        InOrder {
            rx,
            early: BTreeMap::new(),
            next: 0,
        }
    }
}

impl Iterator for InOrder {
    type Item = String;
    fn next(&mut self) -> Option<String> {
        loop {
            if let Some(text) = self.early.remove(&self.next) {
                self.next += 1;
                return Some(text);
            }
            // Every sender gone with this one missing: the review failed; its error follows.
            let (i, text) = self.rx.recv().ok()?;
            self.early.insert(i, text);
        }
    }
}
