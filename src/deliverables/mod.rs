//! The agents' deliverables (SPEC §3.1): the latest row per agent, from PostgreSQL or a folder.

mod folder;
mod pg;

use anyhow::Result;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

pub use folder::FolderSource;
pub use pg::{PgSource, PgTarget};

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
    /// The latest row per agent for `req`, by `created_at`.
    fn latest(&mut self, req: &ReqNumber) -> Result<Vec<Row>>;
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
