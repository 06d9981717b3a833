//! The QA verdict. Deliverables in the wild are loosely shaped, so every field the agents are
//! known to write is read, every reason found is kept, and a wrong type is a reason of its own:
//! never a panic, never a silent pass.
//!
//! Invariants enforced here:
//! - agents are matched case-insensitively: a row stored under `Billy` is billy's;
//! - the verdict is never decided by row order: when an agent has several latest rows (the same
//!   newest `created_at`, or no age to order them by), the gate closes and the reason lists every
//!   one of them (id, stage, status). The same check guards the evidence re-check of later steps
//!   ([`crate::evidence::recheck`] uses [`tie_reason`]).

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
    /// Every latest row when there are several (empty otherwise): the verdict is then ambiguous.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tied: Vec<TiedRow>,
}

/// One of several rows an agent has with the same newest `created_at`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TiedRow {
    pub id: String,
    pub stage: Option<i64>,
    pub status: Option<String>,
    pub created_at: Option<jiff::Timestamp>,
}

pub fn decide(agents: &Agents, rows: &[Row]) -> Verdict {
    let mut reasons = Vec::new();
    let mut warnings = Vec::new();
    let find = |a: &str| crate::deliverables::rows_of(rows, a);

    let mut lines: Vec<AgentLine> = agents
        .expected
        .iter()
        .map(|a| line(a, true, &find(a)))
        .collect();
    let mut seen: Vec<String> = agents.expected.clone();
    for r in rows {
        if !seen.iter().any(|a| r.is_agent(a)) {
            seen.push(r.agent.clone());
            lines.push(line(&r.agent, false, &find(&r.agent)));
        }
    }

    for l in &lines {
        if l.tied.len() > 1 {
            reasons.push(tie_reason(&l.agent, &find(&l.agent)));
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

    match find(&agents.qa).as_slice() {
        [] => reasons.push(format!("the QA deliverable ({}) is missing", agents.qa)),
        [row] => qa_reasons(&agents.qa, row, &mut reasons),
        _ => {} // ambiguous: said above
    }
    let critique = find(&agents.critique);
    if let [row] = critique.as_slice()
        && let Some(obj) = row.deliverable.as_object()
    {
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

/// Why an agent's rows cannot decide anything: they are several, and nothing orders them.
pub fn tie_reason(agent: &str, rows: &[&Row]) -> String {
    let when = match rows.first().and_then(|r| r.created_at) {
        Some(t) if rows.iter().all(|r| r.created_at == Some(t)) => {
            format!("the same created_at ({t})")
        }
        _ => "no created_at that orders them".to_string(),
    };
    let listed: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "row {} (stage {}, status {})",
                r.id,
                r.stage.map(|s| s.to_string()).unwrap_or_else(|| "-".into()),
                status_of(r).unwrap_or_else(|| "?".into())
            )
        })
        .collect();
    format!(
        "{agent} has {} latest deliverables with {when}, so which one counts is ambiguous: {}",
        rows.len(),
        listed.join("; ")
    )
}

fn status_of(r: &Row) -> Option<String> {
    r.deliverable
        .get("status")
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn line(agent: &str, expected: bool, rows: &[&Row]) -> AgentLine {
    let row = rows.first().copied();
    let tied: Vec<TiedRow> = if rows.len() > 1 {
        rows.iter()
            .map(|r| TiedRow {
                id: r.id.clone(),
                stage: r.stage,
                status: status_of(r),
                created_at: r.created_at,
            })
            .collect()
    } else {
        Vec::new()
    };
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
        tied,
    };
    let Some(row) = row else { return l };
    if l.tied.len() > 1 {
        l.problems.push(format!(
            "{} rows with nothing to order them: ambiguous",
            l.tied.len()
        ));
    }
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
    let mut ordered: Vec<&Row> = rows.iter().filter(|r| r.is_agent(qa)).collect();
    ordered.extend(rows.iter().filter(|r| !r.is_agent(qa)));
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
    fn two_latest_qa_rows_are_ambiguous_and_list_both() {
        let t: jiff::Timestamp = "2026-01-05T10:00:00Z".parse().unwrap();
        let mut rows = all(json!({"status": "COMPLETE"}));
        rows.last_mut().unwrap().created_at = Some(t);
        rows.last_mut().unwrap().stage = Some(4);
        let mut failed = row("billy", json!({"status": "FAILED"}));
        failed.id = "id-billy-2".into();
        failed.stage = Some(5);
        failed.created_at = Some(t);
        rows.push(failed);
        let v = decide(&Agents::default(), &rows);
        assert!(!v.approved);
        assert_eq!(
            v.reasons,
            [
                "billy has 2 latest deliverables with the same created_at (2026-01-05T10:00:00Z), \
              so which one counts is ambiguous: row id-billy (stage 4, status COMPLETE); \
              row id-billy-2 (stage 5, status FAILED)"
            ]
        );
        let billy = v.agents.iter().find(|a| a.agent == "billy").unwrap();
        assert_eq!(billy.tied.len(), 2);
        // Whatever order the source returned them in.
        rows.swap(5, 6);
        assert!(!decide(&Agents::default(), &rows).approved);
    }

    #[test]
    fn an_ambiguous_critique_closes_the_gate_too() {
        let mut rows = all(json!({"status": "COMPLETE"}));
        let mut again = row("Sylvia", json!({"decision": "REJECTED"}));
        again.id = "id-sylvia-2".into();
        rows.push(again);
        let v = decide(&Agents::default(), &rows);
        assert!(!v.approved);
        assert!(
            v.reasons[0].starts_with("sylvia has 2 latest deliverables with no created_at"),
            "{:?}",
            v.reasons
        );
    }

    #[test]
    fn agent_names_match_case_insensitively() {
        let mut rows = all(json!({"status": "COMPLETE"}));
        rows.last_mut().unwrap().agent = "Billy".into();
        rows.last_mut().unwrap().deliverable = json!({"status": "FAILED"});
        let v = decide(&Agents::default(), &rows);
        assert!(!v.approved);
        assert_eq!(v.reasons, ["QA: status is FAILED, not COMPLETE"]);
        assert!(v.agents.iter().all(|a| a.expected), "no (unexpected) line");
        assert_eq!(v.agents.len(), 6);
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
