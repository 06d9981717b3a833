//! The verify step's work: read the REQ's deliverables, decide the QA verdict, and build the
//! evidence later steps are bound to. Never prints; the command renders the [`Verified`] value.
//!
//! Invariant enforced here: a REQ no deliverable row names is a usage error (exit 2) naming up
//! to three near REQ numbers the source knows, decided before anything is recorded: no context,
//! no `CURRENT`, no offer to mark it BLOCKED.

use anyhow::Result;

use crate::config::Agents;
use crate::context::{Evidence, EvidenceItem, ReqContext};
use crate::deliverables::{self, Row, Source};
use crate::gate::{self, Verdict};
use crate::req::ReqNumber;

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
