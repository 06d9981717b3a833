//! The protocol every step with an outside side effect shares: a NATS notice sent with the
//! ledger discipline (recorded as pending before it is published, acknowledged after; a rerun
//! resends only what is pending, with the same `Nats-Msg-Id`), shown through the printer. The
//! GitHub issues are opened or updated by [`crate::github::issues`].
//!
//! `block`, `complete`, `verify`, `watch`, `test` and `push` use it; they record what it returns.
//! [`Edge`] hands it, and `berry block`'s protocol, to the work modules as
//! [`crate::effects::Effects`].

use anyhow::{Context as _, Result};
use serde_json::Value;

use super::{Session, Workspace};
use crate::context::EventRecord;
use crate::printer::{Printer, Tone};

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

/// Sends `event`: recorded as pending first (unless it already is), then published through
/// JetStream, then recorded as acknowledged. An event already acknowledged is not sent again.
pub(crate) fn send(
    p: &Printer,
    ws: &Workspace,
    session: &mut Session,
    event: EventRecord,
) -> Result<EventRecord> {
    if !ws.config.nats.publish {
        p.line(format!(
            "{} the {} notice was not sent: NATS is off here (`nats.publish = false`)",
            p.paint(Tone::Dim, "–"),
            event.kind
        ));
        return Ok(event);
    }
    if let Some(r) = session.ctx.ledger.event(&event.msg_id) {
        if r.acknowledged {
            return Ok(r.clone());
        }
    } else {
        session.ctx.ledger.events.push(event.clone());
        session.save()?;
    }
    crate::fault::point("event-pending");
    let record = session
        .ctx
        .ledger
        .event(&event.msg_id)
        .cloned()
        .expect("recorded just above");
    let opts = crate::nats::Options::resolve(&ws.config.nats)?;
    let payload = serde_json::to_vec(&record.payload)?;
    let delivery = crate::nats::Publisher::connect(&opts)
        .and_then(|n| {
            p.detail(format!("connected to NATS at {}", n.shown_url()));
            n.publish(&record.subject, &record.msg_id, &payload)
        })
        .with_context(|| {
            format!(
                "the {} notice {} is kept pending in the REQ context; rerun to send it",
                record.kind, record.msg_id
            )
        })?;
    crate::fault::point("event-published");
    let now = crate::clock::now()?;
    let stream = match &delivery {
        crate::nats::Delivery::Stream {
            stream,
            sequence,
            duplicate,
        } => {
            p.line(format!(
                "{} {} notice acknowledged by stream {stream} (sequence {sequence}{})",
                p.paint(Tone::Good, "✔"),
                record.kind,
                if *duplicate {
                    ", a duplicate of an earlier send: the stream kept one"
                } else {
                    ""
                }
            ));
            Some(stream.clone())
        }
        crate::nats::Delivery::Core => {
            p.warn(format!(
                "no JetStream stream covers {}: published without persistence",
                record.subject
            ));
            None
        }
    };
    let out = {
        let r = session
            .ctx
            .ledger
            .event_mut(&record.msg_id)
            .expect("recorded above");
        r.acknowledged = true;
        r.stream = stream;
        r.sent_at = Some(now);
        r.clone()
    };
    session.save()?;
    Ok(out)
}

/// Text berry writes to GitHub or NATS, through the one masker ([`crate::secrets::mask_text`]:
/// every credential berry holds, then the secret rules).
pub(crate) fn mask(text: &str) -> String {
    crate::secrets::mask_text(text).into_owned()
}

/// The line that says GitHub took a failure's issue.
pub fn say_issue(p: &Printer, number: u64, url: &str, created: bool) {
    p.line(format!(
        "{} issue #{number} {}: {url}",
        p.paint(crate::printer::Tone::Good, "✔"),
        if created {
            "opened"
        } else {
            "updated with this failure"
        },
    ));
}

/// The command layer's [`crate::effects::Effects`] for a step's work: [`crate::block::block`]
/// and [`send`], shown and asked through the printer.
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
        let opts = crate::block::Options {
            reason: reason.to_string(),
            step: step.to_string(),
            msg_id,
            dry_run: self.env.printer.dry_run(),
        };
        let done = if assume_yes {
            let yes = self.env.printer.clone().assume_yes();
            super::block::blocked(self.env, self.ws, session, &opts, &yes)?
        } else {
            super::block::blocked(self.env, self.ws, session, &opts, &self.env.printer)?
        };
        Ok(done.into_data())
    }

    fn send(&mut self, session: &mut Session, event: EventRecord) -> Result<EventRecord> {
        send(&self.env.printer, self.ws, session, event)
    }
}
