//! The one policy object that decides what berry may show and ask (README "Global options", "Exit codes").
//!
//! Commands never probe the terminal themselves: they ask the [`Printer`] whether prompts are
//! allowed, whether progress draws, and where text goes. Human text goes to stderr, results to
//! stdout; `--json` prints exactly one JSON object per step on stdout.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use anyhow::Result;
use console::{Style, Term};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::env_vars;
// Every text the printer writes goes through the one masker.
use crate::error::{BerryError, Exit};
use crate::secrets::mask_text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// The switches the policy is built from (filled in from the global options).
#[derive(Debug, Clone, Default)]
pub struct PrinterOptions {
    pub yes: bool,
    pub json: bool,
    pub dry_run: bool,
    pub color: ColorChoice,
    pub quiet: bool,
    pub verbose: u8,
    pub paging: Paging,
    /// The pager, when one is configured (see [`pager_command`]).
    pub pager: Option<Pager>,
}

/// When long text goes through the pager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paging {
    /// When it does not fit on the screen.
    #[default]
    Auto,
    /// Always (`--paginate`).
    Always,
    /// Never (`--no-pager`).
    Never,
}

/// The pager command (run by `sh -c`, as git does) and the `LESS` it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    pub command: String,
    /// `Some("FRX")` when `LESS` is unset: quit when the text fits, keep colors, leave the
    /// screen as it was.
    pub less: Option<String>,
}

/// The pager as git picks it: `BERRY_PAGER`, then `core.pager`, then `PAGER`, then `less`. The
/// first one that is set wins; set to `cat` or to the empty string it means no pager.
pub fn pager_command(
    berry_pager: Option<String>,
    core_pager: Option<String>,
    pager: Option<String>,
) -> Option<String> {
    let chosen = berry_pager
        .or(core_pager)
        .or(pager)
        .unwrap_or_else(|| "less".into());
    let chosen = chosen.trim();
    (!chosen.is_empty() && chosen != "cat").then(|| chosen.to_string())
}

#[derive(Debug, Clone)]
pub struct Printer {
    /// Prompts are allowed: stdin and stderr are terminals.
    interactive: bool,
    /// stderr is a terminal.
    stderr_tty: bool,
    yes: bool,
    json: bool,
    dry_run: bool,
    color: bool,
    quiet: bool,
    verbose: u8,
    /// Inside `berry run`: the next step follows by itself, so no "next:" hints.
    in_run: bool,
    paging: Paging,
    pager: Option<Pager>,
}

impl Printer {
    pub fn new(o: &PrinterOptions) -> Printer {
        let stderr_tty = std::io::stderr().is_terminal();
        let interactive = stderr_tty && std::io::stdin().is_terminal();
        let color = match o.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => env_vars::var(env_vars::NO_COLOR).is_none() && stderr_tty,
        };
        console::set_colors_enabled(color);
        console::set_colors_enabled_stderr(color);
        Printer {
            interactive,
            stderr_tty,
            yes: o.yes || env_vars::flag(env_vars::BERRY_YES),
            json: o.json,
            dry_run: o.dry_run,
            color,
            quiet: o.quiet,
            verbose: o.verbose,
            in_run: false,
            paging: o.paging,
            pager: o.pager.clone(),
        }
    }

    /// A printer that never colors, for text that is not shown directly (prompt items, files).
    pub fn plain() -> Printer {
        Printer {
            interactive: false,
            stderr_tty: false,
            yes: false,
            json: false,
            dry_run: false,
            color: false,
            quiet: true,
            verbose: 0,
            in_run: false,
            paging: Paging::Never,
            pager: None,
        }
    }

    /// The same policy for the steps of `berry run`.
    pub fn in_run(mut self) -> Printer {
        self.in_run = true;
        self
    }

    /// `  next: berry STEP`, dimmed; silent inside `berry run`.
    pub fn next(&self, what: &str) {
        if !self.in_run {
            self.line(self.paint(Tone::Dim, format!("  next: {what}")));
        }
    }

    /// The same policy with every default accepted (`--yes`).
    pub fn assume_yes(mut self) -> Printer {
        self.yes = true;
        self
    }

    pub fn yes(&self) -> bool {
        self.yes
    }
    pub fn json(&self) -> bool {
        self.json
    }
    pub fn dry_run(&self) -> bool {
        self.dry_run
    }
    pub fn color(&self) -> bool {
        self.color
    }
    pub fn interactive(&self) -> bool {
        self.interactive
    }
    pub fn verbose(&self) -> bool {
        self.verbose > 0
    }
    /// Progress bars and spinners draw only on a terminal, never with `--json` or `-q`.
    pub fn progress_allowed(&self) -> bool {
        self.stderr_tty && !self.json && !self.quiet
    }

    /// A line of human text on stderr (silenced by `-q`).
    pub fn line(&self, text: impl AsRef<str>) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr(), "{}", mask_text(text.as_ref()));
        }
    }

    /// A block of human text on stderr. On a terminal it goes through the pager when it is
    /// longer than the screen (always with `--paginate`, never with `--no-pager`); without a
    /// terminal there is never a pager.
    pub fn page(&self, text: &str) {
        self.page_pieces(std::iter::once(text.to_string()));
    }

    /// Whether [`Printer::page_pieces`] may hand its text to a pager (on a terminal, a pager
    /// configured, not `--no-pager`, not `-q`).
    pub fn pages(&self) -> bool {
        !self.quiet && self.stderr_tty && self.pager.is_some() && self.paging != Paging::Never
    }

    /// [`Printer::page`] for text that comes in pieces, each masked whole by the one masker as
    /// it comes and written at once: with `Paging::Auto` the pieces are held until they are
    /// longer than the screen, then the pager starts with them and gets each further piece as
    /// it arrives (a text that fits is written plainly). Returns `false` when the pager quit
    /// before it was given every piece (the rest is not taken from `pieces`); berry waits for
    /// the pager to quit before it returns.
    pub fn page_pieces(&self, pieces: impl IntoIterator<Item = String>) -> bool {
        let mut pieces = pieces.into_iter();
        if self.quiet {
            pieces.for_each(drop);
            return true;
        }
        let stderr = |text: &str| std::io::stderr().write_all(text.as_bytes()).is_ok();
        let Some(pager) = self.pager.as_ref().filter(|_| self.pages()) else {
            pieces.for_each(|t| {
                stderr(&mask_text(&t));
            });
            return true;
        };
        let mut held = String::new();
        if self.paging == Paging::Auto {
            let rows = Term::stderr().size_checked().map(|(rows, _)| rows as usize);
            let Some(rows) = rows else {
                pieces.for_each(|t| {
                    stderr(&mask_text(&t));
                });
                return true;
            };
            let mut lines = 0;
            loop {
                let Some(piece) = pieces.next() else {
                    stderr(&held);
                    return true;
                };
                let piece = mask_text(&piece);
                lines += piece.lines().count();
                held.push_str(&piece);
                if lines + 2 > rows {
                    break;
                }
            }
        }
        let mut rest = pieces.map(|t| mask_text(&t).into_owned());
        match spawn_pager(pager, &held, &mut rest) {
            Some(complete) => complete,
            None => {
                stderr(&held);
                rest.for_each(|t| {
                    stderr(&t);
                });
                true
            }
        }
    }

    /// `warning: …` on stderr, even with `-q`.
    pub fn warn(&self, text: impl AsRef<str>) {
        let _ = writeln!(
            std::io::stderr(),
            "{} {}",
            self.style(Tone::Warn).apply_to("warning:"),
            mask_text(text.as_ref())
        );
    }

    /// A line only shown with `-v`.
    pub fn detail(&self, text: impl AsRef<str>) {
        if self.verbose > 0 && !self.quiet {
            let _ = writeln!(std::io::stderr(), "{}", mask_text(text.as_ref()));
        }
    }

    /// A result on stdout (human mode only; `--json` prints the step report instead).
    pub fn result(&self, text: impl AsRef<str>) {
        if !self.json {
            let _ = writeln!(std::io::stdout(), "{}", mask_text(text.as_ref()));
        }
    }

    pub fn style(&self, tone: Tone) -> Style {
        let s = Style::new();
        if !self.color {
            return s.force_styling(false);
        }
        match tone {
            Tone::Good => s.green(),
            Tone::Bad => s.red().bold(),
            Tone::Warn => s.yellow().bold(),
            Tone::Dim => s.dim(),
            Tone::Strong => s.bold(),
            Tone::Added => s.green(),
            Tone::Removed => s.red(),
            Tone::Hunk => s.cyan(),
        }
        .force_styling(true)
    }

    pub fn paint(&self, tone: Tone, text: impl std::fmt::Display) -> String {
        self.style(tone).apply_to(text).to_string()
    }

    /// Yes or no. `--yes` takes `default`; without a terminal this is exit 4 naming `flag`.
    pub fn confirm(&self, question: &str, default: bool, flag: &str) -> Result<bool> {
        if self.yes {
            return Ok(default);
        }
        if !self.interactive {
            return Err(BerryError::needs_decision(question, flag).into());
        }
        dialoguer::Confirm::with_theme(&dialoguer::theme::ColorfulTheme::default())
            .with_prompt(mask_text(question))
            .default(default)
            .interact_on(&Term::stderr())
            .map_err(prompt_error)
    }

    /// Pick among `items`, all checked at first. `--yes` keeps them all; without a terminal the
    /// defaults stand (a multi-select only narrows what the operator already approved by running
    /// the step).
    pub fn multi_select(&self, prompt: &str, items: &[String]) -> Result<Vec<usize>> {
        if self.yes || !self.interactive || items.is_empty() {
            return Ok((0..items.len()).collect());
        }
        let checked = vec![true; items.len()];
        let term = Term::stderr();
        // Every line fits the screen: a wrapped line is one the prompt cannot clear, and the
        // screen would keep half-erased rows. The cursor is marked with `❯` (no colour needed),
        // and the summary is berry's own line, not a list as long as the selection.
        let width = usize::from(term.size().1).max(20);
        // "❯ ✔ " and a column of slack.
        let items: Vec<String> = items
            .iter()
            .map(|i| fit(&mask_text(i), width - 5))
            .collect();
        let kept = dialoguer::MultiSelect::with_theme(&PickerTheme::default())
            .with_prompt(fit(&mask_text(prompt), width - 4))
            .items(&items)
            .defaults(&checked)
            .report(false)
            .interact_on(&term)
            .map_err(prompt_error)?;
        self.line(format!("  kept {} of {}", kept.len(), items.len()));
        Ok(kept)
    }

    /// A spinner on stderr; hidden when progress may not draw.
    pub fn spinner(&self, message: impl Into<String>) -> ProgressBar {
        let pb = ProgressBar::with_draw_target(None, self.draw_target());
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed:.dim}")
                .expect("static template"),
        );
        pb.set_message(mask_text(&message.into()).into_owned());
        pb.enable_steady_tick(Duration::from_millis(100));
        pb
    }

    /// A bar on stderr; hidden when progress may not draw.
    pub fn bar(&self, len: u64, template: &str) -> ProgressBar {
        let pb = ProgressBar::with_draw_target(Some(len), self.draw_target());
        if let Ok(style) = ProgressStyle::with_template(template) {
            pb.set_style(style);
        }
        pb
    }

    pub fn draw_target(&self) -> ProgressDrawTarget {
        if self.progress_allowed() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Tone {
    Good,
    Bad,
    Warn,
    Dim,
    Strong,
    Added,
    Removed,
    Hunk,
}

/// Runs the pager with `first` then each of `rest` on its input and berry's stderr as its
/// output; the pager owns the terminal until it quits. `None` when it could not start (nothing
/// was taken from `rest`), else whether it was given every piece before it quit.
fn spawn_pager(pager: &Pager, first: &str, rest: &mut dyn Iterator<Item = String>) -> Option<bool> {
    let out = std::io::stderr().as_fd_dup()?;
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(&pager.command)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::from(out));
    if let Some(less) = &pager.less {
        cmd.env("LESS", less);
    }
    let modes = crate::signals::before_terminal_child();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(_) => {
            crate::signals::terminal_child_failed(modes);
            return None;
        }
    };
    let mut complete = true;
    let waited = crate::signals::wait_owning_terminal(&mut child, modes, |c| {
        if let Some(mut stdin) = c.stdin.take() {
            // A pager that quits before the end closes its input: the rest is not shown.
            complete = stdin.write_all(first.as_bytes()).is_ok();
            while complete && let Some(t) = rest.next() {
                complete = stdin.write_all(t.as_bytes()).is_ok();
            }
        }
    });
    Some(waited.is_err() || complete)
}

fn prompt_error(e: dialoguer::Error) -> anyhow::Error {
    let dialoguer::Error::IO(io) = e;
    if io.kind() == std::io::ErrorKind::Interrupted {
        BerryError::new(Exit::Interrupted, "interrupted").into()
    } else {
        anyhow::Error::new(io).context("the prompt failed")
    }
}

trait FdDup {
    fn as_fd_dup(&self) -> Option<std::fs::File>;
}

impl FdDup for std::io::Stderr {
    fn as_fd_dup(&self) -> Option<std::fs::File> {
        use std::os::fd::AsFd;
        self.as_fd()
            .try_clone_to_owned()
            .ok()
            .map(std::fs::File::from)
    }
}

impl crate::decide::Decide for Printer {
    fn confirm(&self, question: &str, default: bool, flag: &str) -> Result<bool> {
        Printer::confirm(self, question, default, flag)
    }
    fn multi_select(&self, prompt: &str, items: &[String]) -> Result<Vec<usize>> {
        Printer::multi_select(self, prompt, items)
    }
    fn interactive(&self) -> bool {
        Printer::interactive(self) && !self.yes()
    }
}
/// The file picker's look: dialoguer's colourful theme, with the cursor row marked by `❯` (the
/// colourful theme shows it by colour alone, which `NO_COLOR` takes away).
#[derive(Default)]
struct PickerTheme(dialoguer::theme::ColorfulTheme);

impl dialoguer::theme::Theme for PickerTheme {
    fn format_multi_select_prompt(
        &self,
        f: &mut dyn std::fmt::Write,
        prompt: &str,
    ) -> std::fmt::Result {
        self.0.format_multi_select_prompt(f, prompt)
    }

    fn format_multi_select_prompt_item(
        &self,
        f: &mut dyn std::fmt::Write,
        text: &str,
        checked: bool,
        active: bool,
    ) -> std::fmt::Result {
        let t = &self.0;
        let (cursor, style) = if active {
            (&t.active_item_prefix, &t.active_item_style)
        } else {
            (&t.inactive_item_prefix, &t.inactive_item_style)
        };
        let check = if checked {
            &t.checked_item_prefix
        } else {
            &t.unchecked_item_prefix
        };
        write!(f, "{cursor} {check} {}", style.apply_to(text))
    }
}

/// `text` in at most `width` columns: a longer one keeps its start and its end (where a path's
/// file name is) around a `…`.
pub fn fit(text: &str, width: usize) -> String {
    let w = console::measure_text_width(text);
    if w <= width || width < 8 {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let head = width / 3;
    let tail = width - head - 1;
    let mut out: String = chars[..head.min(chars.len())].iter().collect();
    out.push('…');
    out.extend(&chars[chars.len().saturating_sub(tail)..]);
    // Wide characters can still overflow: cut from the front of the tail until it fits.
    while console::measure_text_width(&out) > width {
        let cut = out
            .char_indices()
            .nth(head + 1)
            .map(|(i, _)| i)
            .unwrap_or(out.len());
        out.remove(cut);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn fit_keeps_the_start_and_the_file_name_within_the_width() {
        assert_eq!(fit("short.ts  +1 -0", 40), "short.ts  +1 -0");
        let long = format!(
            "M {}/crm.service.ts  +12 -3",
            "backend/src/modules".repeat(6)
        );
        let f = fit(&long, 60);
        assert_eq!(console::measure_text_width(&f), 60, "{f}");
        assert!(f.starts_with("M backend/"), "{f}");
        assert!(f.ends_with("crm.service.ts  +12 -3"), "{f}");
        assert!(f.contains('…'));
        let wide = "模".repeat(50);
        assert!(console::measure_text_width(&fit(&wide, 30)) <= 30);
    }
}
