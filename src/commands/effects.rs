//! [`Edge`]: the command layer's [`crate::effects::Effects`] for a step's work — marking BLOCKED
//! as `berry block` does it and shows it ([`super::block::blocked`]), and a notice sent by
//! [`crate::effects::send`] (the ledger discipline), shown through the printer. `block`,
//! `complete`, `verify`, `watch`, `test`, `push` and `rollback` hand it to their work.

use anyhow::Result;
use serde_json::Value;

use super::Workspace;
use crate::context::EventRecord;
use crate::workspace::Session;

pub(crate) use super::show::notice as show_notice;
pub use super::show::issue as say_issue;

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
        crate::effects::send(self.ws, session, event, &mut |s| super::show::sending(p, s))
    }
}
