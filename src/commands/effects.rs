//! The protocol every step with an outside side effect shares: a NATS notice sent with the
//! ledger discipline (recorded as pending before it is published, acknowledged after; a rerun
//! resends only what is pending, with the same `Nats-Msg-Id`), and a GitHub issue opened or
//! updated by its hidden marker (the recorded number, else an open issue carrying berry's label
//! and the marker, else a new one), so it is found again and never duplicated.
//!
//! `block`, `complete`, `verify`, `watch`, `test` and `push` use it; they record what it returns.

use anyhow::{Context as _, Result};
use serde_json::Value;

use super::{Session, Workspace};
use crate::context::EventRecord;
use crate::github::{self, Client, RepoId, pulls};
use crate::printer::{Printer, Tone};

/// The notice recorded under `msg_id`, if any.
pub(crate) fn find_event<'a>(session: &'a Session, msg_id: &str) -> Option<&'a EventRecord> {
    session
        .ctx
        .ledger
        .events
        .iter()
        .find(|e| e.msg_id == msg_id)
}

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
    if let Some(r) = find_event(session, &event.msg_id) {
        if r.acknowledged {
            return Ok(r.clone());
        }
    } else {
        session.ctx.ledger.events.push(event.clone());
        session.save()?;
    }
    crate::fault::point("event-pending");
    let record = find_event(session, &event.msg_id)
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
            .events
            .iter_mut()
            .find(|e| e.msg_id == record.msg_id)
            .expect("recorded above");
        r.acknowledged = true;
        r.stream = stream;
        r.sent_at = Some(now);
        r.clone()
    };
    session.save()?;
    Ok(out)
}

/// An issue's text and how it is found again.
pub(crate) struct IssueText<'a> {
    /// The hidden marker in the body (`<!-- berry:… REQ -->`).
    pub marker: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    /// berry's label (`github.issue_label`): the issue carries it and is listed by it.
    pub label: &'a str,
}

/// Updates the issue `known` (the number recorded in the ledger), else the open issue carrying
/// the label and the marker, else opens one with the label. Returns it and whether it was
/// opened by this call; the caller records it at once (a crash before that is found by the
/// marker on the rerun).
pub(crate) fn open_or_update_issue(
    client: &Client,
    repo: &RepoId,
    known: Option<u64>,
    text: &IssueText<'_>,
) -> Result<(pulls::Issue, bool)> {
    let api = |e: github::ApiError| -> anyhow::Error { e.into_berry().into() };
    let existing = match known {
        Some(n) => Some(n),
        None => pulls::find_issue(client, repo, text.marker, Some(text.label))
            .map_err(api)?
            .map(|i| i.number),
    };
    match existing {
        Some(n) => {
            let issue = pulls::update_issue(client, repo, n, text.title, text.body).map_err(api)?;
            Ok((issue, false))
        }
        None => {
            let issue = pulls::create_issue(
                client,
                repo,
                text.title,
                text.body,
                &[text.label.to_string()],
            )
            .map_err(api)?;
            crate::fault::point("issue-created");
            Ok((issue, true))
        }
    }
}

/// A template by name: `.berry/templates/<name>` in the repository when present, else the
/// compiled-in `builtin`; rendered with minijinja (trimmed blocks) from `ctx`.
pub(crate) fn render_template(
    ws: &Workspace,
    name: &str,
    builtin: &str,
    ctx: &Value,
) -> Result<String> {
    let over = ws.root.join(".berry/templates").join(name);
    let text = match std::fs::read_to_string(&over) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => builtin.to_string(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", over.display())),
    };
    let mut j = minijinja::Environment::new();
    j.set_trim_blocks(true);
    j.set_lstrip_blocks(true);
    j.add_template_owned(name.to_string(), text)
        .with_context(|| format!("the template {name} does not parse"))?;
    let out = j
        .get_template(name)?
        .render(minijinja::Value::from_serialize(ctx))
        .with_context(|| format!("the template {name} does not render"))?;
    Ok(out.trim_end().to_string() + "\n")
}

/// Text berry writes to GitHub or NATS, through the one masker ([`crate::secrets::mask_text`]:
/// every credential berry holds, then the secret rules).
pub(crate) fn mask(text: &str) -> String {
    crate::secrets::mask_text(text).into_owned()
}

/// [`mask`] on every string of a JSON value (a notice's payload).
pub(crate) fn mask_json(v: &Value) -> Value {
    crate::secrets::mask_json(v)
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
