//! The agents' deliverables: the latest row per agent, from PostgreSQL or a folder.
//!
//! The rules every source follows:
//! - agent names match case-insensitively (`Billy` and `billy` are one agent);
//! - an agent's latest row is the one with the newest `created_at`, never the one whose id sorts
//!   last: when several rows share the newest `created_at` (two stages written in one
//!   transaction), or when their age is unknown, all of them are returned, and the verdict
//!   ([`crate::gate`]) treats them as ambiguous;
//! - a REQ with no row at all is a usage error naming the nearest REQ numbers the source knows
//!   ([`no_deliverables`]), never a list of missing agents.

mod folder;
mod pg;

use anyhow::Result;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

pub use folder::FolderSource;
pub use pg::{PgSource, PgTarget};

use crate::error::BerryError;
use crate::req::ReqNumber;

/// One agent's latest deliverable for a REQ.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The row's id (a UUID in PostgreSQL, `file:<path>` in a folder).
    pub id: String,
    pub agent: String,
    /// Writer-dependent numbering: shown, never used to identify an agent.
    pub stage: Option<i64>,
    pub created_at: Option<Timestamp>,
    /// The deliverable as stored. `Null` when it could not be parsed (see `parse_error`).
    pub deliverable: serde_json::Value,
    /// Why the stored text is not JSON (folder source only; PostgreSQL's jsonb always parses).
    pub parse_error: Option<String>,
}

impl Row {
    /// Whether this row is `agent`'s: names compare case-insensitively.
    pub fn is_agent(&self, agent: &str) -> bool {
        same_agent(&self.agent, agent)
    }

    /// `sha256:<hex>` of the canonical JSON: what the evidence binds to.
    pub fn sha256(&self) -> String {
        let mut h = Sha256::new();
        match &self.parse_error {
            Some(_) => h.update(b"unparseable"),
            None => h.update(canonical_json(&self.deliverable).as_bytes()),
        }
        format!("sha256:{}", hex(&h.finalize()))
    }
}

/// Where deliverables come from. The PostgreSQL table and the offline folder stand behind it.
pub trait Source {
    /// Where this source reads, safe to print (no password).
    fn describe(&self) -> String;
    /// The latest rows per agent for `req`: for each agent (names compared case-insensitively),
    /// the row with the newest `created_at`; when several share it, or when an agent's rows
    /// cannot be ordered by age, every one of them, so that the caller sees the ambiguity.
    fn latest(&mut self, req: &ReqNumber) -> Result<Vec<Row>>;

    /// Up to `limit` REQ numbers this source holds deliverables for, most recent first: where
    /// near matches for a mistyped REQ are looked for.
    fn known_reqs(&mut self, limit: usize) -> Result<Vec<String>>;
}

/// Agent names are one name whatever their case.
pub fn same_agent(a: &str, b: &str) -> bool {
    a == b || a.to_lowercase() == b.to_lowercase()
}

/// The rows of `agent` among `rows` (case-insensitively).
pub fn rows_of<'a>(rows: &'a [Row], agent: &str) -> Vec<&'a Row> {
    rows.iter().filter(|r| r.is_agent(agent)).collect()
}

/// How many REQ numbers are read from a source to look for near matches.
pub const NEAR_SCAN: usize = 10_000;

/// Up to three of `known` closest to `req` by edit distance (a digit short, two swapped): the
/// suggestions of a "no deliverables" error. Nothing farther than a fifth of the name (at least
/// two edits) is suggested.
pub fn near_reqs(req: &str, known: &[String]) -> Vec<String> {
    let max = (req.chars().count() / 5).max(2);
    let mut scored: Vec<(usize, &String)> = known
        .iter()
        .filter(|k| k.as_str() != req)
        .map(|k| {
            (
                strsim::levenshtein(&req.to_uppercase(), &k.to_uppercase()),
                k,
            )
        })
        .filter(|(d, _)| *d <= max)
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, k)| k.clone()).collect()
}

/// The usage error (exit 2) for a REQ no deliverable row names, with its near matches.
pub fn no_deliverables(req: &ReqNumber, source: &str, near: &[String]) -> BerryError {
    let e = BerryError::usage(format!("no deliverables for {req} in {source}"));
    if near.is_empty() {
        e.with_hint("check the REQ number: no agent has delivered anything under it")
    } else {
        e.with_hint(format!("did you mean {}?", near.join(", ")))
    }
}

/// The key changes an agent listed, wherever its deliverable keeps them (`changes.key_changes`,
/// `key_changes`, or Roy's `completedWork`).
pub fn key_changes(v: &serde_json::Value) -> Vec<String> {
    v.pointer("/changes/key_changes")
        .or_else(|| v.get("key_changes"))
        .or_else(|| v.get("completedWork"))
        .and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(serde_json::Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// JSON with object keys sorted at every level and no insignificant whitespace, so the same
/// content always hashes the same whatever order a writer used.
pub fn canonical_json(v: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).expect("a string serializes"));
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&serde_json::to_string(scalar).expect("a scalar serializes")),
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_ignores_key_order_and_whitespace() {
        let a: serde_json::Value =
            serde_json::from_str(r#"{"b": 1, "a": {"y": [1, 2], "x": "é"}}"#).unwrap();
        let b = json!({"a": {"x": "é", "y": [1, 2]}, "b": 1});
        assert_eq!(canonical_json(&a), r#"{"a":{"x":"é","y":[1,2]},"b":1}"#);
        assert_eq!(canonical_json(&a), canonical_json(&b));
    }

    #[test]
    fn agent_names_match_whatever_their_case() {
        assert!(same_agent("Billy", "billy"));
        assert!(same_agent("BILLY", "billy"));
        assert!(!same_agent("billy2", "billy"));
    }

    #[test]
    fn near_reqs_finds_a_digit_short_and_keeps_three() {
        let known: Vec<String> = [
            "REQ-STRATEGIC-AUTO-1767116143665",
            "REQ-STRATEGIC-AUTO-1767116143666",
            "REQ-STRATEGIC-AUTO-1767116143667",
            "REQ-STRATEGIC-AUTO-1767116143668",
            "REQ-ITEM-MASTER-001",
        ]
        .map(String::from)
        .to_vec();
        let near = near_reqs("REQ-STRATEGIC-AUTO-176711614366", &known);
        assert_eq!(near.len(), 3, "{near:?}");
        assert_eq!(near[0], "REQ-STRATEGIC-AUTO-1767116143665");
        assert!(near_reqs("REQ-SOMETHING-ELSE-9", &known).is_empty());
        assert_eq!(
            near_reqs("req-item-master-01", &known),
            ["REQ-ITEM-MASTER-001"]
        );
    }

    #[test]
    fn hash_changes_with_content() {
        let row = |v| Row {
            id: "1".into(),
            agent: "billy".into(),
            stage: None,
            created_at: None,
            deliverable: v,
            parse_error: None,
        };
        assert_eq!(
            row(json!({"a": 1, "b": 2})).sha256(),
            row(json!({"b": 2, "a": 1})).sha256()
        );
        assert_ne!(row(json!({"a": 1})).sha256(), row(json!({"a": 2})).sha256());
        assert!(row(json!(1)).sha256().starts_with("sha256:"));
    }
}
