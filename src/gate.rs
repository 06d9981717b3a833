//! The QA verdict (SPEC §3.2). Deliverables in the wild are loosely shaped, so every field the
//! agents are known to write is read, every reason found is kept, and a wrong type is a reason of
//! its own: never a panic, never a silent pass.

use serde_json::{Map, Value};

use crate::config::Agents;
use crate::deliverables::Row;

/// The verdict on a REQ's deliverables.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Verdict {
    pub approved: bool,
    /// Why QA is not approved (empty when approved).
    pub reasons: Vec<String>,
    /// What deserves a look but does not close the gate.
    pub warnings: Vec<String>,
    /// One line per expected agent, in stage order, then any unexpected agent that delivered.
    pub agents: Vec<AgentLine>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AgentLine {
    pub agent: String,
    pub expected: bool,
    pub delivered: bool,
    pub row_id: Option<String>,
    pub stage: Option<i64>,
    pub status: Option<String>,
    pub summary: Option<String>,
    pub created_at: Option<jiff::Timestamp>,
    /// The critique's verdict, for the critique agent.
    pub verdict: Option<String>,
    pub problems: Vec<String>,
}

pub fn decide(agents: &Agents, rows: &[Row]) -> Verdict {
    let mut reasons = Vec::new();
    let mut warnings = Vec::new();
    let find = |a: &str| rows.iter().find(|r| r.agent == a);

    let mut lines: Vec<AgentLine> = agents
        .expected
        .iter()
        .map(|a| line(a, true, find(a)))
        .collect();
    for r in rows {
        if !agents.expected.contains(&r.agent) {
            lines.push(line(&r.agent, false, Some(r)));
        }
    }

    for l in &lines {
        if l.expected && !l.delivered && l.agent != agents.qa {
            warnings.push(format!("{} has not delivered", l.agent));
        }
        if l.agent != agents.qa {
            for p in &l.problems {
                warnings.push(format!("{}: {p}", l.agent));
            }
        }
    }

    match find(&agents.qa) {
        None => reasons.push(format!("the QA deliverable ({}) is missing", agents.qa)),
        Some(row) => qa_reasons(&agents.qa, row, &mut reasons),
    }
    if let Some(obj) = find(&agents.critique).and_then(|row| row.deliverable.as_object()) {
        for key in ["critique_verdict", "decision", "verdict"] {
            match obj.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("REJECTED") => {
                    reasons.push(format!(
                        "the critique ({}) is REJECTED (`{key}`)",
                        agents.critique
                    ));
                }
                Some(Value::String(_)) => {}
                Some(other) => reasons.push(format!(
                    "the critique's `{key}` is {}, expected a string",
                    kind(other)
                )),
            }
        }
    }
    reasons.dedup();
    Verdict {
        approved: reasons.is_empty(),
        reasons,
        warnings,
        agents: lines,
    }
}

fn line(agent: &str, expected: bool, row: Option<&Row>) -> AgentLine {
    let mut l = AgentLine {
        agent: agent.to_string(),
        expected,
        delivered: row.is_some(),
        row_id: row.map(|r| r.id.clone()),
        stage: row.and_then(|r| r.stage),
        status: None,
        summary: None,
        created_at: row.and_then(|r| r.created_at),
        verdict: None,
        problems: Vec::new(),
    };
    let Some(row) = row else { return l };
    if let Some(e) = &row.parse_error {
        l.problems.push(e.clone());
        return l;
    }
    let Some(obj) = row.deliverable.as_object() else {
        l.problems.push(format!(
            "the deliverable is {}, not a JSON object",
            kind(&row.deliverable)
        ));
        return l;
    };
    match obj.get("status") {
        Some(Value::String(s)) => l.status = Some(s.clone()),
        None | Some(Value::Null) => {}
        Some(other) => l
            .problems
            .push(format!("`status` is {}, expected a string", kind(other))),
    }
    l.summary = ["summary", "message", "description"]
        .iter()
        .find_map(|k| obj.get(*k).and_then(Value::as_str))
        .map(|s| s.to_string());
    l.verdict = ["critique_verdict", "decision", "verdict"]
        .iter()
        .find_map(|k| obj.get(*k).and_then(Value::as_str))
        .map(|s| s.to_string());
    l
}

/// Every reason the QA deliverable gives not to ship.
fn qa_reasons(qa: &str, row: &Row, out: &mut Vec<String>) {
    if let Some(e) = &row.parse_error {
        out.push(format!("the QA deliverable ({qa}) is {e}"));
        return;
    }
    let Some(obj) = row.deliverable.as_object() else {
        out.push(format!(
            "the QA deliverable ({qa}) is {}, not a JSON object",
            kind(&row.deliverable)
        ));
        return;
    };
    let mut say = |s: String| out.push(format!("QA: {s}"));

    match obj.get("status") {
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("COMPLETE") => {}
        Some(Value::String(s)) => say(format!("status is {s}, not COMPLETE")),
        None | Some(Value::Null) => say("no status: COMPLETE is required".into()),
        Some(other) => say(format!("`status` is {}, expected a string", kind(other))),
    }

    for key in ["testResult", "test_result", "testStatus", "test_status"] {
        match obj.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => {
                let t = s.trim().to_ascii_uppercase();
                if !matches!(t.as_str(), "PASS" | "PASSED" | "SUCCESS" | "OK") {
                    say(format!("`{key}` is {s}"));
                }
            }
            Some(other) => say(format!("`{key}` is {}, expected a string", kind(other))),
        }
    }

    let mut counts: Vec<(String, &Value)> = Vec::new();
    for key in [
        "testsFailed",
        "tests_failed",
        "failedTests",
        "failed_tests",
        "failed",
    ] {
        if let Some(v) = obj.get(key) {
            counts.push((format!("`{key}`"), v));
        }
    }
    for nest in ["testResults", "test_results", "tests"] {
        if let Some(Value::Object(inner)) = obj.get(nest) {
            for key in ["failed", "testsFailed", "tests_failed", "failures"] {
                if let Some(v) = inner.get(key) {
                    counts.push((format!("`{nest}.{key}`"), v));
                }
            }
        }
    }
    for (name, v) in counts {
        match count(v) {
            Ok(0) => {}
            Ok(n) => say(format!("{name} is {n}: failed tests")),
            Err(k) => say(format!("{name} is {k}, expected a number")),
        }
    }

    if let Some(v) = obj
        .get("tests_passed")
        .or_else(|| obj.get("testsPassedRatio"))
    {
        match v {
            Value::String(s) => {
                if let Some((a, b)) = s.split_once('/') {
                    match (a.trim().parse::<u64>(), b.trim().parse::<u64>()) {
                        (Ok(a), Ok(b)) if a < b => {
                            say(format!("`tests_passed` is {s}: {} failed", b - a))
                        }
                        (Ok(_), Ok(_)) => {}
                        _ => say(format!("`tests_passed` is {s:?}, expected N/M")),
                    }
                }
            }
            Value::Bool(false) => say("`tests_passed` is false".into()),
            _ => {}
        }
    }

    for key in [
        "readyForDeployment",
        "ready_for_deployment",
        "productionReady",
        "production_ready",
        "deploymentReady",
        "deployment_ready",
    ] {
        match obj.get(key) {
            None | Some(Value::Null) | Some(Value::Bool(true)) => {}
            Some(Value::Bool(false)) => say(format!("`{key}` is false")),
            Some(other) => say(format!(
                "`{key}` is {}, expected true or false",
                kind(other)
            )),
        }
    }

    for key in [
        "blockingIssues",
        "blocking_issues",
        "criticalIssues",
        "critical_issues",
        "securityIssues",
        "security_issues",
        "blockers",
    ] {
        match obj.get(key) {
            None | Some(Value::Null) => {}
            Some(v) => match count(v) {
                Ok(0) => {}
                Ok(n) => say(format!("`{key}` is {n}")),
                Err(k) => say(format!("`{key}` is {k}, expected a number or a list")),
            },
        }
    }
}

/// A count: a non-negative number, or the length of a list.
fn count(v: &Value) -> Result<u64, &'static str> {
    match v {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Ok(u)
            } else if n.as_i64().is_some() {
                Err("a negative number")
            } else {
                n.as_f64()
                    .map(|f| f.ceil().max(0.0) as u64)
                    .ok_or("a number out of range")
            }
        }
        Value::Array(a) => Ok(a.len() as u64),
        Value::Null => Ok(0),
        other => Err(kind(other)),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a JSON string",
        Value::Array(_) => "a JSON array",
        Value::Object(_) => "an object",
    }
}

/// A title from the deliverables, when the tracker has none.
pub fn title_from(rows: &[Row], qa: &str) -> Option<String> {
    let mut ordered: Vec<&Row> = rows.iter().filter(|r| r.agent == qa).collect();
    ordered.extend(rows.iter().filter(|r| r.agent != qa));
    ordered.iter().find_map(|r| {
        let obj: &Map<String, Value> = r.deliverable.as_object()?;
        ["featureTitle", "feature_title", "title"]
            .iter()
            .find_map(|k| obj.get(*k).and_then(Value::as_str))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(agent: &str, v: Value) -> Row {
        Row {
            id: format!("id-{agent}"),
            agent: agent.into(),
            stage: None,
            created_at: None,
            deliverable: v,
            parse_error: None,
        }
    }

    fn all(qa: Value) -> Vec<Row> {
        let mut rows: Vec<Row> = ["cynthia", "sylvia", "roy", "jen", "priya"]
            .iter()
            .map(|a| {
                row(
                    a,
                    json!({"agent": a, "status": "COMPLETE", "summary": "done"}),
                )
            })
            .collect();
        rows.push(row("billy", qa));
        rows
    }

    fn verdict(qa: Value) -> Verdict {
        decide(&Agents::default(), &all(qa))
    }

    #[test]
    fn the_real_approved_qa_deliverables_pass() {
        let full: Value = serde_json::from_str(include_str!(
            "../tests/fixtures/agogsaas/deliverable_billy_qa_full_excerpt.json"
        ))
        .unwrap();
        let v = verdict(full);
        assert!(v.approved, "{:?}", v.reasons);
        let flat: Value = serde_json::from_str(include_str!(
            "../tests/fixtures/agogsaas/deliverable_billy_qa_payload_testResult.json"
        ))
        .unwrap();
        assert!(verdict(flat).approved);
    }

    #[test]
    fn every_field_that_says_otherwise_is_a_reason() {
        let v = verdict(json!({
            "status": "COMPLETE", "testResult": "FAIL", "testsFailed": 2,
            "testResults": {"failed": 1}, "readyForDeployment": false,
            "productionReady": false, "blockingIssues": 1, "criticalIssues": [{"x": 1}],
            "tests_passed": "40/45"
        }));
        assert!(!v.approved);
        assert_eq!(v.reasons.len(), 8, "{:#?}", v.reasons);
    }

    #[test]
    fn status_must_be_complete() {
        assert!(!verdict(json!({"status": "BLOCKED"})).approved);
        assert!(!verdict(json!({"summary": "no status"})).approved);
        assert!(verdict(json!({"status": "complete"})).approved);
    }

    #[test]
    fn missing_qa_closes_the_gate_other_missing_agents_warn() {
        let rows: Vec<Row> = all(json!({}))
            .into_iter()
            .filter(|r| r.agent != "billy" && r.agent != "priya")
            .collect();
        let v = decide(&Agents::default(), &rows);
        assert_eq!(v.reasons, ["the QA deliverable (billy) is missing"]);
        assert!(v.warnings.contains(&"priya has not delivered".to_string()));
    }

    #[test]
    fn critique_rejected_closes_the_gate() {
        let mut rows = all(json!({"status": "COMPLETE"}));
        rows[1] = row(
            "sylvia",
            json!({"status": "COMPLETE", "critique_verdict": "REJECTED"}),
        );
        let v = decide(&Agents::default(), &rows);
        assert!(!v.approved);
        assert!(v.reasons[0].contains("REJECTED"));
        rows[1] = row(
            "sylvia",
            json!({"status": "COMPLETE", "decision": "APPROVED"}),
        );
        assert!(decide(&Agents::default(), &rows).approved);
    }

    #[test]
    fn non_objects_and_wrong_types_are_reported_never_passed() {
        assert_eq!(
            verdict(json!("COMPLETE")).reasons,
            ["the QA deliverable (billy) is a JSON string, not a JSON object"]
        );
        assert_eq!(
            verdict(json!([1])).reasons,
            ["the QA deliverable (billy) is a JSON array, not a JSON object"]
        );
        let v = verdict(json!({"status": 1, "testsFailed": "0", "readyForDeployment": "yes"}));
        assert_eq!(v.reasons.len(), 3, "{:#?}", v.reasons);
        assert!(v.reasons.iter().all(|r| r.contains("expected")));
    }

    #[test]
    fn title_prefers_qa() {
        let rows = vec![
            row("roy", json!({"title": "Roy's"})),
            row("billy", json!({"featureTitle": "CRM"})),
        ];
        assert_eq!(title_from(&rows, "billy").as_deref(), Some("CRM"));
    }
}
