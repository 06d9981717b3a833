//! The verify step's work: read the REQ's deliverables, decide the QA verdict, and build the
//! evidence later steps are bound to ([`verify`]); record it ([`record`]); offer to mark a REQ
//! QA did not approve BLOCKED ([`offer_block`]). Never prints; the command renders the
//! [`Verified`] value and what [`offer_block`] shows.
//!
//! Invariant enforced here: a REQ no deliverable row names is a usage error (exit 2) naming up
//! to three near REQ numbers the source knows, decided before anything is recorded: no context,
//! no `CURRENT`, no offer to mark it BLOCKED.

use anyhow::Result;
use serde_json::{Value, json};

use crate::config::Agents;
use crate::context::{Evidence, EvidenceItem, ReqContext, Store};
use crate::deliverables::{self, Row, Source};
use crate::effects::Effects;
use crate::gate::{self, Verdict};
use crate::req::ReqNumber;
use crate::workflow::{Outcome, ReqState, Step};
use crate::workspace::Session;

/// What verify needs besides the source, as plain values.
#[derive(Debug, Clone)]
pub struct Options {
    pub req: ReqNumber,
    pub agents: Agents,
    /// The tracker file's text, when there is one (the title comes from it first).
    pub tracker_text: Option<String>,
    pub now: jiff::Timestamp,
}

/// The verdict and the evidence to record.
#[derive(Debug, Clone)]
pub struct Verified {
    pub title: Option<String>,
    /// Where the deliverables came from, safe to print.
    pub source: String,
    pub rows: Vec<Row>,
    pub verdict: Verdict,
    pub evidence: Evidence,
}

pub fn verify(source: &mut dyn Source, opts: &Options) -> Result<Verified> {
    let req = &opts.req;
    let rows = source.latest(req)?;
    if rows.is_empty() {
        let known = source.known_reqs(deliverables::NEAR_SCAN)?;
        let near = deliverables::near_reqs(req.as_str(), &known);
        return Err(deliverables::no_deliverables(req, &source.describe(), &near).into());
    }
    let verdict = gate::decide(&opts.agents, &rows);
    let title = opts
        .tracker_text
        .as_deref()
        .and_then(|t| crate::tracker::title(t, req.as_str()))
        .or_else(|| gate::title_from(&rows, &opts.agents.qa));
    let evidence = Evidence {
        source: source.describe(),
        verified_at: opts.now,
        approved: verdict.approved,
        reasons: verdict.reasons.clone(),
        qa: rows.iter().find(|r| r.is_agent(&opts.agents.qa)).map(item),
        deliverables: rows.iter().map(item).collect(),
    };
    Ok(Verified {
        title,
        source: source.describe(),
        rows,
        verdict,
        evidence,
    })
}

/// Records `v` in the REQ's context, which becomes the current REQ: the title (the tracker's or
/// QA's, else the one kept), the evidence, and verify's outcome. An approval lifts BLOCKED; a
/// refusal sets it.
pub fn record(store: &Store, session: &mut Session, v: &Verified) -> Result<()> {
    store.set_current(&session.req)?;
    let ctx = &mut session.ctx;
    ctx.title = v.title.clone().or(ctx.title.take());
    ctx.evidence = Some(v.evidence.clone());
    if v.verdict.approved {
        if ctx.state == Some(ReqState::Blocked) {
            ctx.state = None;
        }
        return session.record(Step::Verify, Outcome::Ok, "QA approved");
    }
    ctx.state = Some(ReqState::Blocked);
    let reasons = v.verdict.reasons.join("; ");
    session.record(Step::Verify, Outcome::Blocked, &reasons)
}

/// What [`offer_block`] shows; `later` is the command that does it by hand.
pub enum Shown<'a> {
    /// Nobody to ask, and the REQ is BLOCKED and announced already.
    AlreadyBlocked,
    /// Nobody to ask (no terminal, no `--yes`): nothing done.
    NotAsked { later: &'a str },
    /// The question was declined, or could not be answered.
    Declined { later: &'a str },
    /// Marking BLOCKED failed part-way.
    Failed {
        error: &'a anyhow::Error,
        later: &'a str,
    },
}

/// QA did not approve: mark BLOCKED and send the blocked notice through `effects` (asked once;
/// `answerable`: someone can answer, a terminal or `--yes`), in the session verify holds (a
/// dry run holds none and takes one). Whatever happens here, verify still exits 3: the outcome is
/// returned for the step's JSON.
pub fn offer_block(
    store: &Store,
    req: &ReqNumber,
    reason: &str,
    held: Option<&mut Session>,
    (dry_run, answerable): (bool, bool),
    effects: &mut dyn Effects,
    show: &mut dyn FnMut(Shown<'_>),
) -> Value {
    let later = format!("berry block {req} --reason \"…\"");
    if !dry_run && !answerable {
        if matches!(store.peek(req), Ok(Some(ctx)) if already_blocked(&ctx)) {
            show(Shown::AlreadyBlocked);
            return json!({"done": true, "already": true});
        }
        show(Shown::NotAsked { later: &later });
        return json!({"done": false, "skipped": "no terminal and no --yes"});
    }
    let mut opened = None;
    let session = match held {
        Some(s) => Ok(s),
        None => Session::open(store, req.clone(), Step::Verify.as_str()).map(|s| opened.insert(s)),
    };
    let outcome = session.and_then(|session| {
        let done = effects.block(session, reason, "verify", None, false)?;
        if !dry_run {
            session.record(Step::Block, Outcome::Ok, reason)?;
        }
        Ok(done)
    });
    match outcome {
        Ok(mut done) => {
            done["done"] = json!(!dry_run);
            done
        }
        Err(e) => {
            if crate::error::classify(&e).exit == crate::error::Exit::Decision {
                show(Shown::Declined { later: &later });
            } else {
                show(Shown::Failed {
                    error: &e,
                    later: &later,
                });
            }
            json!({"done": false, "error": e.to_string()})
        }
    }
}

/// The tracker's last recorded edit is BLOCKED and a blocked notice was acknowledged after it.
pub fn already_blocked(ctx: &ReqContext) -> bool {
    let tracker_blocked = ctx
        .ledger
        .tracker
        .last()
        .is_some_and(|t| t.status == crate::workflow::ReqState::Blocked);
    let sent = ctx
        .ledger
        .events
        .last()
        .is_some_and(|e| e.kind == crate::context::EventKind::Blocked && e.acknowledged);
    tracker_blocked && sent
}

fn item(r: &Row) -> EvidenceItem {
    let status = r
        .deliverable
        .get("status")
        .and_then(|s| s.as_str())
        .map(str::to_string);
    EvidenceItem {
        agent: r.agent.clone(),
        row_id: r.id.clone(),
        created_at: r.created_at,
        sha256: r.sha256(),
        status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Fixed(Vec<Row>, Vec<String>);
    impl Source for Fixed {
        fn describe(&self) -> String {
            "fixed".into()
        }
        fn latest(&mut self, req: &ReqNumber) -> Result<Vec<Row>> {
            Ok(self
                .0
                .iter()
                .filter(|r| r.id.starts_with(req.as_str()))
                .cloned()
                .collect())
        }
        fn known_reqs(&mut self, _: usize) -> Result<Vec<String>> {
            Ok(self.1.clone())
        }
    }

    fn row(req: &str, agent: &str, v: serde_json::Value) -> Row {
        Row {
            id: format!("{req}/{agent}"),
            agent: agent.into(),
            stage: None,
            created_at: None,
            deliverable: v,
            parse_error: None,
        }
    }

    fn opts(req: &str) -> Options {
        Options {
            req: ReqNumber::parse(req).unwrap(),
            agents: Agents::default(),
            tracker_text: None,
            now: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_refusal_is_recorded_blocked_and_the_block_is_offered_only_to_someone_who_can_answer() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().to_path_buf());
        let req = ReqNumber::parse("REQ-A-1").unwrap();
        let mut src = Fixed(
            vec![row("REQ-A-1", "Billy", json!({"status": "BLOCKED"}))],
            vec![],
        );
        let v = verify(&mut src, &opts("REQ-A-1")).unwrap();
        assert!(!v.verdict.approved);
        let mut session = Session::open(&store, req.clone(), "verify").unwrap();
        record(&store, &mut session, &v).unwrap();
        assert_eq!(session.ctx.state, Some(ReqState::Blocked));
        assert_eq!(store.current().unwrap(), Some(req.clone()));

        let mut effects = crate::effects::Recorded::default();
        let mut shown = Vec::new();
        let mut show = |s: Shown<'_>| {
            shown.push(match s {
                Shown::AlreadyBlocked => "already".to_string(),
                Shown::NotAsked { later } | Shown::Declined { later } => later.to_string(),
                Shown::Failed { .. } => "failed".to_string(),
            })
        };
        let held = Some(&mut session);
        let nobody = offer_block(
            &store,
            &req,
            "no",
            held,
            (false, false),
            &mut effects,
            &mut show,
        );
        assert_eq!(nobody["done"], json!(false));
        assert!(effects.blocked.is_empty());
        let asked = offer_block(
            &store,
            &req,
            "no",
            Some(&mut session),
            (false, true),
            &mut effects,
            &mut show,
        );
        assert_eq!(asked["done"], json!(true));
        assert_eq!(effects.blocked, vec![("verify".into(), "no".into(), None)]);
        assert_eq!(
            shown,
            vec!["berry block REQ-A-1 --reason \"…\"".to_string()]
        );
        assert!(session.ctx.steps.contains_key(&Step::Block));
    }

    #[test]
    fn approval_is_bound_to_the_qa_row() {
        let mut src = Fixed(
            vec![row(
                "REQ-A-1",
                "Billy",
                json!({"status": "COMPLETE", "title": "CRM"}),
            )],
            vec![],
        );
        let v = verify(&mut src, &opts("REQ-A-1")).unwrap();
        assert!(v.verdict.approved, "{:?}", v.verdict.reasons);
        assert_eq!(v.title.as_deref(), Some("CRM"));
        let qa = v.evidence.qa.unwrap();
        assert_eq!(qa.row_id, "REQ-A-1/Billy");
        assert_eq!(qa.sha256, src.0[0].sha256());
    }

    #[test]
    fn no_rows_is_a_usage_error_with_near_reqs() {
        let mut src = Fixed(
            vec![row("REQ-A-12", "billy", json!({"status": "COMPLETE"}))],
            vec!["REQ-A-12".into(), "REQ-B-99".into()],
        );
        let e = verify(&mut src, &opts("REQ-A-2")).unwrap_err();
        let exit = crate::error::classify(&e).exit;
        assert_eq!(exit, crate::error::Exit::Usage);
        assert_eq!(e.to_string(), "no deliverables for REQ-A-2 in fixed");
        let rendered = crate::error::render(&e).join("\n");
        assert!(rendered.contains("did you mean REQ-A-12?"), "{rendered}");
    }
}
