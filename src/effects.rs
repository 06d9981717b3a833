//! The side effects a step's work hands to the command layer, because the protocol that does
//! them still shows and asks as it goes: marking a REQ BLOCKED (the tracker edit and the blocked
//! notice, shown and asked about as `berry block` does) and sending a notice with the ledger
//! discipline (recorded as pending before it is published, acknowledged after).
//!
//! Work modules take `&mut dyn Effects` next to their [`crate::decide::Decide`]; the command
//! layer's implementation is `commands::effects::Edge`, and unit tests pass [`Recorded`], which
//! does nothing but remember what it was asked to do.

use anyhow::Result;
use serde_json::{Value, json};

use crate::context::EventRecord;
use crate::workspace::Session;

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
