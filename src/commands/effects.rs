//! [`Edge`]: the command layer's [`crate::effects::Effects`] for a step's work — marking BLOCKED
//! as `berry block` does it and shows it ([`super::block::blocked`]), and a notice sent by
//! [`crate::effects::send`] (the ledger discipline), shown through the printer. `block`,
//! `complete`, `verify`, `watch`, `test`, `push` and `rollback` hand it to their work, and show a
//! notice before it is sent with [`show_notice`].

use anyhow::Result;
use serde_json::Value;

use super::Workspace;
use super::show::{done, passed_over};
use crate::context::EventRecord;
use crate::effects::Sending;
use crate::printer::Printer;
use crate::workspace::Session;

pub use super::show::issue as say_issue;

/// A notice about to be sent: its status, subject and id (and whether an earlier run recorded
/// it), its summary, and the payload (in full with `--dry-run`, else with `--verbose`).
pub(crate) fn show_notice(
    p: &Printer,
    subject: &str,
    msg_id: &str,
    payload: &Value,
    recorded: Option<&EventRecord>,
) {
    let status = payload.get("status").and_then(Value::as_str).unwrap_or("?");
    let state = match recorded {
        Some(r) if r.acknowledged => " (already sent)",
        Some(_) => " (pending from an earlier run: sent again with the same id)",
        None => "",
    };
    p.line(format!(
        "  notice: {status} to {subject}, Nats-Msg-Id {msg_id}{state}"
    ));
    if let Some(s) = payload.get("summary").and_then(Value::as_str) {
        p.line(format!("    summary: {s}"));
    }
    let full = serde_json::to_string_pretty(payload).unwrap_or_default();
    if p.dry_run() {
        p.line("  payload:");
        for l in full.lines() {
            p.line(format!("    {l}"));
        }
    } else {
        p.detail(full);
    }
}

/// How [`crate::effects::send`] went.
fn sending(p: &Printer, s: Sending<'_>) {
    match s {
        Sending::Off { kind } => passed_over(
            p,
            format!("the {kind} notice was not sent: NATS is off here (`nats.publish = false`)"),
        ),
        Sending::Connected { url } => p.detail(format!("connected to NATS at {url}")),
        Sending::Stored {
            kind,
            stream,
            sequence,
            duplicate,
        } => done(
            p,
            format!(
                "{kind} notice acknowledged by stream {stream} (sequence {sequence}{})",
                if duplicate {
                    ", a duplicate of an earlier send: the stream kept one"
                } else {
                    ""
                }
            ),
        ),
        Sending::NotPersisted { subject } => p.warn(format!(
            "no JetStream stream covers {subject}: published without persistence"
        )),
    }
}

/// Text berry writes to GitHub or NATS, through the one masker ([`crate::secrets::mask_text`]:
/// every credential berry holds, then the secret rules).
pub(crate) fn mask(text: &str) -> String {
    crate::secrets::mask_text(text).into_owned()
}

/// The command layer's [`crate::effects::Effects`] for a step's work, shown and asked through
/// the printer.
pub struct Edge<'a> {
    pub env: &'a super::Env,
    pub ws: &'a Workspace,
}

impl crate::effects::Effects for Edge<'_> {
    fn block(
        &mut self,
        session: &mut Session,
        reason: &str,
        step: &str,
        msg_id: Option<String>,
        assume_yes: bool,
    ) -> Result<Value> {
        let p = &self.env.printer;
        let opts = super::block::options(p, reason, step, msg_id);
        let done = if assume_yes {
            super::block::blocked(self.env, self.ws, session, &opts, &p.clone().assume_yes())?
        } else {
            super::block::blocked(self.env, self.ws, session, &opts, p)?
        };
        Ok(done.into_data())
    }

    fn send(&mut self, session: &mut Session, event: EventRecord) -> Result<EventRecord> {
        let p = &self.env.printer;
        crate::effects::send(self.ws, session, event, &mut |s| sending(p, s))
    }
}
