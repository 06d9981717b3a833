//! What `berry rollback`'s work shows on its way, through the printer: a test command as a
//! spinner, the tracker commit's push as a bar.

use crate::commands::show::{self, Live, short};
use crate::printer::{Printer, Tone};
use crate::req::ReqNumber;
use crate::rollback::{self as work, Shown};

/// What the work shows, through the printer: a test command as a spinner, the tracker commit's
/// push as a bar.
pub(super) struct View<'a> {
    pub(super) p: &'a Printer,
    pub(super) req: &'a ReqNumber,
    pub(super) live: Live,
}

impl work::View for View<'_> {
    fn show(&self, s: Shown<'_>) {
        let (p, req) = (self.p, self.req);
        match s {
            Shown::Resuming { started_at } => show::passed_over(
                p,
                format!(
                    "resuming the rollback of {req} started at {}",
                    crate::clock::rfc3339(started_at)
                ),
            ),
            Shown::Freeze(d) => crate::commands::say_freeze(p, "rollback", d),
            Shown::Starting {
                title,
                target,
                branch,
                reason,
            } => p.line(format!(
                "{} {req}{}: reverting {} on {branch} ({reason})",
                p.paint(Tone::Strong, "Rolling back"),
                title.map(|t| format!(": {t}")).unwrap_or_default(),
                short(target),
            )),
            Shown::Reverted {
                revert,
                remote,
                branch,
                head,
            } => show::done(
                p,
                format!(
                    "revert {} made on {remote}/{branch} ({})",
                    short(revert),
                    short(head)
                ),
            ),
            Shown::NoTests => p.warn(
                "no test commands are configured (test.commands in berry.toml); nothing was run",
            ),
            Shown::Testing(c) => self.live.testing(p, c),
            Shown::Tested {
                name,
                passed,
                duration_ms,
            } => {
                self.live.stop();
                if passed {
                    show::tested(p, name, duration_ms);
                }
            }
            Shown::Pushed { remote_ref, remote } => {
                show::done(p, format!("pushed the revert to {remote_ref} on {remote}"))
            }
            Shown::RevertPr {
                remote_ref,
                number,
                url,
            } => show::done(
                p,
                format!(
                    "{remote_ref} is protected: opened the revert pull request #{number} {url}"
                ),
            ),
            Shown::NoHealthChecks => {
                p.warn("no health checks are configured (`[[health.checks]]`): nothing to re-run")
            }
            Shown::Health(result) => show::health(p, result),
            Shown::Duration { ms, tests_ms } => show::done(
                p,
                format!(
                    "rollback time to health green: {:.1}s (without the tests' own {:.1}s; target under 120s)",
                    ms as f64 / 1000.0,
                    tests_ms as f64 / 1000.0
                ),
            ),
            Shown::Tracker(t) => crate::commands::tracker::tracked(p, &self.live, t),
            Shown::Notice {
                subject,
                msg_id,
                payload,
                recorded,
            } => crate::commands::effects::show_notice(p, subject, msg_id, payload, recorded),
        }
    }
}
