//! The side effects a step's work hands to the command layer, because the protocol that does
//! them still shows and asks as it goes: marking a REQ BLOCKED (the tracker edit and the blocked
//! notice, shown and asked about as `berry block` does) and sending a notice with the ledger
//! discipline (recorded as pending before it is published, acknowledged after).
//!
//! Work modules take `&mut dyn Effects` next to their [`crate::decide::Decide`]; the command
//! layer's implementation is `commands::effects::Edge`, and unit tests pass [`Recorded`], which
//! does nothing but remember what it was asked to do.
//!
//! [`send`] is the notice protocol itself, which `Edge` runs: pending in the ledger before the
//! publish, acknowledged after; a rerun resends only what is pending, with the same
//! `Nats-Msg-Id`, and an acknowledged notice is never sent again.

use anyhow::{Context as _, Result};
use serde_json::{Value, json};

use crate::context::{EventKind, EventRecord};
use crate::workspace::{Session, Workspace};

/// What a step's work asks the command layer to do.
pub trait Effects {
    /// Marks the REQ BLOCKED in the tracker and publishes the blocked notice for `reason`, under
    /// the notice id `msg_id` when given (else the blocked notice's own); `step` names the caller
    /// in messages; `assume_yes` answers the question as `--yes` does. Returns what was done, for
    /// the step's JSON data. A declined question is an error (exit 4), nothing written.
    fn block(
        &mut self,
        session: &mut Session,
        reason: &str,
        step: &str,
        msg_id: Option<String>,
        assume_yes: bool,
    ) -> Result<Value>;

    /// Sends `event` with the ledger discipline; an event already acknowledged is not sent again.
    fn send(&mut self, session: &mut Session, event: EventRecord) -> Result<EventRecord>;
}

/// What [`send`] shows on its way.
#[derive(Debug, PartialEq)]
pub enum Sending<'a> {
    /// NATS is off here (`nats.publish = false`): the notice is not sent, nothing recorded.
    Off { kind: EventKind },
    /// Connected to the server at `url` (credentials left out).
    Connected { url: &'a str },
    /// `stream` stored it at `sequence` (`duplicate`: it had this id already and kept one).
    Stored {
        kind: EventKind,
        stream: &'a str,
        sequence: u64,
        duplicate: bool,
    },
    /// No JetStream stream covers `subject`: published without persistence.
    NotPersisted { subject: &'a str },
}

/// Sends `event`: recorded as pending first (unless it already is), then published through
/// JetStream, then recorded as acknowledged. An event acknowledged already is returned as
/// recorded and not sent again; a failed publish leaves it pending (the error says so) for the
/// rerun, which sends the recorded payload under the same id.
pub fn send(
    ws: &Workspace,
    session: &mut Session,
    event: EventRecord,
    show: &mut dyn FnMut(Sending<'_>),
) -> Result<EventRecord> {
    if !ws.config.nats.publish {
        show(Sending::Off { kind: event.kind });
        return Ok(event);
    }
    let record = match session.ctx.ledger.event(&event.msg_id) {
        Some(r) if r.acknowledged => return Ok(r.clone()),
        Some(r) => r.clone(),
        None => {
            session.ctx.ledger.events.push(event.clone());
            session.save()?;
            event
        }
    };
    crate::fault::point("event-pending");
    let opts = crate::nats::Options::resolve(&ws.config.nats)?;
    let payload = serde_json::to_vec(&record.payload)?;
    let delivery = crate::nats::Publisher::connect(&opts)
        .and_then(|n| {
            show(Sending::Connected { url: n.shown_url() });
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
            show(Sending::Stored {
                kind: record.kind,
                stream,
                sequence: *sequence,
                duplicate: *duplicate,
            });
            Some(stream.clone())
        }
        crate::nats::Delivery::Core => {
            show(Sending::NotPersisted {
                subject: &record.subject,
            });
            None
        }
    };
    let r = session
        .ctx
        .ledger
        .event_mut(&record.msg_id)
        .expect("recorded above");
    r.acknowledged = true;
    r.stream = stream;
    r.sent_at = Some(now);
    let out = r.clone();
    session.save()?;
    Ok(out)
}

/// For unit tests: records the requests and does nothing else (a block sets the state, as the
/// tracker edit would; a send records the event as acknowledged, and an event acknowledged
/// already is not sent again, as the real protocol does).
#[derive(Debug, Default)]
pub struct Recorded {
    /// `(step, reason, msg_id)` of each block asked for.
    pub blocked: Vec<(String, String, Option<String>)>,
    /// Each event asked to be sent.
    pub sent: Vec<EventRecord>,
}

impl Effects for Recorded {
    fn block(
        &mut self,
        session: &mut Session,
        reason: &str,
        step: &str,
        msg_id: Option<String>,
        _assume_yes: bool,
    ) -> Result<Value> {
        self.blocked
            .push((step.to_string(), reason.to_string(), msg_id.clone()));
        session.ctx.state = Some(crate::workflow::ReqState::Blocked);
        session.save()?;
        Ok(json!({"blocked": true, "msg_id": msg_id}))
    }

    fn send(&mut self, session: &mut Session, mut event: EventRecord) -> Result<EventRecord> {
        if let Some(done) = session
            .ctx
            .ledger
            .event(&event.msg_id)
            .filter(|e| e.acknowledged)
        {
            return Ok(done.clone());
        }
        event.acknowledged = true;
        match session.ctx.ledger.event_mut(&event.msg_id) {
            Some(e) => *e = event.clone(),
            None => session.ctx.ledger.events.push(event.clone()),
        }
        session.save()?;
        self.sent.push(event.clone());
        Ok(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::world::World;

    fn event(msg_id: &str) -> EventRecord {
        EventRecord {
            kind: crate::notice::Status::Blocked.kind(),
            subject: "berry.REQ-UNIT-1".into(),
            msg_id: msg_id.into(),
            payload: json!({"status": "BLOCKED"}),
            acknowledged: false,
            stream: None,
            sent_at: None,
        }
    }

    /// A NATS server nobody listens at (a port just released), reached quickly.
    fn nowhere(w: &mut World) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        w.ws.config.nats.publish = true;
        w.ws.config.nats.url = format!("nats://127.0.0.1:{port}");
        w.ws.config.nats.connect_timeout_secs = 1;
    }

    #[test]
    fn with_nats_off_nothing_is_recorded_or_sent() {
        let mut w = World::shipped();
        let mut shown = Vec::new();
        let out = send(&w.ws, &mut w.session, event("a"), &mut |s| {
            shown.push(format!("{s:?}"))
        })
        .unwrap();
        assert!(!out.acknowledged);
        assert!(w.saved().ledger.events.is_empty());
        assert_eq!(shown, ["Off { kind: Blocked }"]);
    }

    #[test]
    fn an_acknowledged_notice_is_never_sent_again() {
        let mut w = World::shipped();
        nowhere(&mut w);
        let mut done = event("a");
        done.acknowledged = true;
        done.stream = Some("BERRY".into());
        w.session.ctx.ledger.events.push(done.clone());
        let out = send(&w.ws, &mut w.session, event("a"), &mut |s| {
            panic!("nothing to show: {s:?}")
        })
        .unwrap();
        assert_eq!(out, done);
    }

    #[test]
    fn a_failed_publish_leaves_the_notice_pending_and_the_rerun_sends_the_recorded_payload() {
        let mut w = World::shipped();
        nowhere(&mut w);
        let e = send(&w.ws, &mut w.session, event("a"), &mut |_| {}).unwrap_err();
        assert!(
            format!("{e:#}").contains("notice a is kept pending in the REQ context"),
            "{e:#}"
        );
        let saved = w.saved();
        assert_eq!(saved.ledger.events.len(), 1);
        assert!(!saved.ledger.events[0].acknowledged);
        // The rerun brings another payload: the recorded one is what goes out, recorded once.
        let mut again = event("a");
        again.payload = json!({"status": "CHANGED"});
        assert!(send(&w.ws, &mut w.session, again, &mut |_| {}).is_err());
        let saved = w.saved();
        assert_eq!(saved.ledger.events.len(), 1);
        assert_eq!(saved.ledger.events[0].payload, json!({"status": "BLOCKED"}));
    }
}
