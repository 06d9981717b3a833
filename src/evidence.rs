//! Evidence bound to content: `commit`, `push` and `complete` re-read QA's deliverable and close
//! the gate when it changed or disappeared since `verify`, or when QA now has several latest rows
//! (the same newest `created_at`): the re-check reads the deliverables by the same rules as
//! `verify` (agents matched case-insensitively, ties never broken by id).

use anyhow::Result;

use crate::context::Evidence;
use crate::deliverables::Source;
use crate::error::BerryError;
use crate::req::ReqNumber;

/// Re-reads the QA deliverable and compares it with what `verify` recorded.
///
/// Ok when the same row still holds the same content; a gate error (exit 3) saying what changed
/// otherwise, with a hint to run `verify` again.
pub fn recheck(
    source: &mut dyn Source,
    req: &ReqNumber,
    evidence: &Evidence,
    qa_agent: &str,
) -> Result<()> {
    if !evidence.approved {
        return Err(BerryError::gate(format!(
            "QA has not approved {req}: {}",
            evidence.reasons.join("; ")
        ))
        .with_hint(format!("run `berry verify {req}` again once QA approves"))
        .into());
    }
    let Some(recorded) = &evidence.qa else {
        return Err(
            BerryError::gate(format!("no QA evidence is recorded for {req}"))
                .with_hint(format!("run `berry verify {req}`"))
                .into(),
        );
    };
    let rows = source.latest(req)?;
    let now = crate::deliverables::rows_of(&rows, qa_agent);
    let changed = match now.as_slice() {
        [] => Some(format!(
            "QA's deliverable ({qa_agent}) is gone from {}",
            source.describe()
        )),
        [r] if r.id != recorded.row_id => Some(format!(
            "QA's latest deliverable is now row {} (verified: row {})",
            r.id, recorded.row_id
        )),
        [r] if r.sha256() != recorded.sha256 => Some(format!(
            "QA's deliverable (row {}) changed since verify: {} now, {} then",
            r.id,
            short(&r.sha256()),
            short(&recorded.sha256)
        )),
        [_] => None,
        tied => Some(crate::gate::tie_reason(qa_agent, tied)),
    };
    match changed {
        None => Ok(()),
        Some(what) => Err(BerryError::gate(format!("the QA evidence changed: {what}"))
            .with_hint(format!(
                "run `berry verify {req}` again; the gate stays closed until then"
            ))
            .into()),
    }
}

/// A closed gate (exit 3) unless `verify` recorded an approval.
pub fn require_approved(req: &ReqNumber, evidence: &Evidence) -> Result<(), BerryError> {
    if evidence.approved {
        return Ok(());
    }
    Err(BerryError::gate(format!(
        "QA has not approved {req}: {}",
        evidence.reasons.join("; ")
    ))
    .with_hint(format!("run `berry verify {req}` again once QA approves")))
}

fn short(h: &str) -> String {
    let hex = h.strip_prefix("sha256:").unwrap_or(h);
    format!("sha256:{}", &hex[..hex.len().min(12)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::EvidenceItem;
    use crate::deliverables::Row;
    use serde_json::json;

    struct Fixed(Vec<Row>);
    impl Source for Fixed {
        fn describe(&self) -> String {
            "fixed".into()
        }
        fn latest(&mut self, _: &ReqNumber) -> Result<Vec<Row>> {
            Ok(self.0.clone())
        }
        fn known_reqs(&mut self, _: usize) -> Result<Vec<String>> {
            Ok(vec![])
        }
    }

    fn row(id: &str, v: serde_json::Value) -> Row {
        Row {
            id: id.into(),
            agent: "billy".into(),
            stage: None,
            created_at: None,
            deliverable: v,
            parse_error: None,
        }
    }

    fn evidence(r: &Row) -> Evidence {
        Evidence {
            source: "fixed".into(),
            verified_at: jiff::Timestamp::UNIX_EPOCH,
            approved: true,
            reasons: vec![],
            qa: Some(EvidenceItem {
                agent: "billy".into(),
                row_id: r.id.clone(),
                created_at: None,
                sha256: r.sha256(),
                status: None,
            }),
            deliverables: vec![],
        }
    }

    #[test]
    fn same_content_passes_any_change_closes_the_gate() {
        let req = ReqNumber::parse("REQ-A-1").unwrap();
        let r = row("1", json!({"status": "COMPLETE"}));
        let ev = evidence(&r);
        assert!(recheck(&mut Fixed(vec![r.clone()]), &req, &ev, "billy").is_ok());
        let edited = row("1", json!({"status": "COMPLETE", "testsFailed": 1}));
        let e = recheck(&mut Fixed(vec![edited]), &req, &ev, "billy").unwrap_err();
        assert_eq!(crate::error::classify(&e).exit, crate::error::Exit::Gate);
        assert!(e.to_string().contains("changed since verify"), "{e}");
        let newer = row("2", json!({"status": "COMPLETE"}));
        assert!(
            recheck(&mut Fixed(vec![newer]), &req, &ev, "billy")
                .unwrap_err()
                .to_string()
                .contains("now row 2")
        );
        // A second latest row, even one that sorts after the verified one, closes the gate.
        let mut twin = row("1a", json!({"status": "FAILED"}));
        twin.agent = "Billy".into();
        let e = recheck(&mut Fixed(vec![r.clone(), twin]), &req, &ev, "billy").unwrap_err();
        assert_eq!(crate::error::classify(&e).exit, crate::error::Exit::Gate);
        assert!(e.to_string().contains("ambiguous"), "{e}");
        assert!(e.to_string().contains("row 1a"), "{e}");
        assert!(
            recheck(&mut Fixed(vec![]), &req, &ev, "billy")
                .unwrap_err()
                .to_string()
                .contains("gone")
        );
    }
}
