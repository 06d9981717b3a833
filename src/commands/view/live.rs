//! The live lines a view keeps while the work runs: one spinner ([`Live`]), or one per task
//! running at the same time ([`Lanes`]). They draw only where progress may (a terminal, not
//! `--json` or `-q`).

use std::cell::RefCell;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::printer::Printer;

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
