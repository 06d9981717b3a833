//! What `berry push`'s work shows on its way, through the printer; a transfer as a bar.

use crate::commands::show::{self, Live, short};
use crate::printer::{Printer, Tone};
use crate::push::{self as work, Shown, Transfer};

/// The printer, and the transfer's bar while one runs.
pub(super) struct View<'a> {
    pub(super) p: &'a Printer,
    pub(super) live: Live,
}

impl work::View for View<'_> {
    fn show(&self, s: Shown<'_>) {
        let p = self.p;
        match s {
            Shown::Failure(s) => crate::commands::failures::render(p, s),
            Shown::TestsSkipped { tree, reason } => p.warn(format!(
                "the tests are skipped for tree {}: {reason} (recorded; the PR and the completion notice say so)",
                short(tree)
            )),
            Shown::Freeze(d) => crate::commands::say_freeze(p, "push", d),
            Shown::Pushing { local, tip, target, force } => p.line(format!(
                "{} {local} ({}) to {} ({}) as {}{}",
                p.paint(Tone::Strong, "Pushing"),
                short(tip),
                target.remote,
                target.url,
                target.remote_branch,
                if force { " (with lease)" } else { "" }
            )),
            Shown::Remote(lines) => {
                for l in lines {
                    p.line(p.paint(Tone::Dim, format!("remote: {l}")));
                }
            }
            Shown::Retrying { remote, detail, wait, attempt, of } => p.line(format!(
                "  {remote} could not be reached ({detail}); trying again in {}s ({attempt} of {of})",
                wait.as_secs(),
            )),
            Shown::Rebasing { remote_ref } => p.line(format!(
                "{remote_ref} has moved on (non-fast-forward): fetching it and rebasing berry's commit onto it"
            )),
            Shown::Rebased { branch, target, upstream, tip } => show::done(p, format!(
                "rebased {branch} onto {}/{} ({}): now {}",
                target.remote, target.remote_branch, short(upstream), short(tip)
            )),
            Shown::ToFeature { remote_ref, code, feature } => p.line(format!(
                "{remote_ref} is protected ({code}): pushing {feature} instead"
            )),
            Shown::Verified(r) => show::done(p, format!(
                "{} on {} is {} (verified)", r.refname, r.remote, short(&r.sha)
            )),
        }
    }

    fn transfer(&self, t: Transfer) {
        self.live.transfer(self.p, t)
    }
}
