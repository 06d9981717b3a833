//! The deliverable verdict on arbitrary JSON: never panics, never approves without a QA row.
#![no_main]
use berry::config::Agents;
use berry::deliverables::Row;
use berry::gate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let agents = Agents::default();
    // The input is one QA deliverable, or an array of them spread over the expected agents.
    let values: Vec<serde_json::Value> = match &value {
        serde_json::Value::Array(a) if !a.is_empty() => a.clone(),
        v => vec![v.clone()],
    };
    let rows: Vec<Row> = values
        .into_iter()
        .enumerate()
        .map(|(i, v)| Row {
            id: format!("row-{i}"),
            agent: if i == 0 {
                agents.qa.clone()
            } else {
                agents
                    .expected
                    .get(i % agents.expected.len().max(1))
                    .cloned()
                    .unwrap_or_default()
            },
            stage: Some(i as i64),
            created_at: None,
            deliverable: v,
            parse_error: None,
        })
        .collect();
    let verdict = gate::decide(&agents, &rows);
    assert!(
        !(verdict.approved && !verdict.reasons.is_empty()),
        "approved with reasons"
    );
    let _ = gate::title_from(&rows, &agents.qa);
    let no_qa: Vec<Row> = rows.into_iter().filter(|r| r.agent != agents.qa).collect();
    assert!(
        !gate::decide(&agents, &no_qa).approved,
        "approved without QA"
    );
});
