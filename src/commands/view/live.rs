//! One live line per task running at the same time ([`Lanes`]), drawn only where progress may
//! (a terminal, not `--json` or `-q`). One spinner or a transfer's bar is [`super::super::show::Live`].

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::printer::Printer;

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
