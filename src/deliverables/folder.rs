//! The offline source: `DIR/<REQ>/<agent>.json`, or `DIR/<agent>.json` when DIR holds one REQ.
//!
//! A file carries no trustworthy age (its mtime is not when the agent delivered), so every file
//! of an agent is one of its latest rows: two files whose names differ only in case
//! (`billy.json`, `Billy.json`) are two rows of one agent that nothing orders, and the verdict
//! calls them ambiguous.

use std::fs;
use std::path::PathBuf;

use anyhow::{Context, Result};

use super::{Row, Source};
use crate::error::BerryError;
use crate::req::ReqNumber;

pub struct FolderSource {
    dir: PathBuf,
}

impl FolderSource {
    pub fn new(dir: PathBuf) -> FolderSource {
        FolderSource { dir }
    }
}

impl Source for FolderSource {
    fn describe(&self) -> String {
        format!("folder {}", self.dir.display())
    }

    fn latest(&mut self, req: &ReqNumber) -> Result<Vec<Row>> {
        if !self.dir.is_dir() {
            return Err(BerryError::usage(format!(
                "deliverables folder {} does not exist",
                self.dir.display()
            ))
            .into());
        }
        let per_req = self.dir.join(req.as_str());
        let dir = if per_req.is_dir() {
            per_req
        } else {
            self.dir.clone()
        };
        let mut rows = Vec::new();
        for entry in fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))? {
            let entry = entry?;
            let path = entry.path();
            let Some(agent) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".json"))
                .filter(|a| {
                    !a.is_empty()
                        && a.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                })
            else {
                continue;
            };
            let bytes =
                fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let (deliverable, parse_error) = match serde_json::from_slice(&bytes) {
                Ok(v) => (v, None),
                Err(e) => (
                    serde_json::Value::Null,
                    Some(format!("not valid JSON: {e}")),
                ),
            };
            rows.push(Row {
                id: format!(
                    "file:{}",
                    path.strip_prefix(&self.dir).unwrap_or(&path).display()
                ),
                agent: agent.to_string(),
                stage: None,
                // A file's mtime is not when the agent delivered: no age is claimed.
                created_at: None,
                deliverable,
                parse_error,
            });
        }
        rows.sort_by(|a, b| (a.agent.to_lowercase(), &a.id).cmp(&(b.agent.to_lowercase(), &b.id)));
        Ok(rows)
    }

    fn known_reqs(&mut self, limit: usize) -> Result<Vec<String>> {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Ok(Vec::new());
        };
        let mut out: Vec<String> = entries
            .flatten()
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| ReqNumber::parse(n).is_ok())
            .collect();
        out.sort();
        out.truncate(limit);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_differing_only_in_case_are_two_rows_of_one_agent() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("billy.json"), r#"{"status":"COMPLETE"}"#).unwrap();
        fs::write(d.path().join("Billy.json"), r#"{"status":"FAILED"}"#).unwrap();
        fs::write(d.path().join("roy.json"), r#"{"status":"COMPLETE"}"#).unwrap();
        let rows = FolderSource::new(d.path().to_path_buf())
            .latest(&ReqNumber::parse("REQ-A-1").unwrap())
            .unwrap();
        let billy: Vec<&str> = super::super::rows_of(&rows, "billy")
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(billy, ["file:Billy.json", "file:billy.json"]);
    }

    #[test]
    fn reads_per_req_folder_and_reports_bad_json() {
        let d = tempfile::tempdir().unwrap();
        let req = ReqNumber::parse("REQ-A-1").unwrap();
        let sub = d.path().join("REQ-A-1");
        fs::create_dir(&sub).unwrap();
        fs::write(sub.join("billy.json"), r#"{"status":"COMPLETE"}"#).unwrap();
        fs::write(sub.join("roy.json"), "{oops").unwrap();
        fs::write(sub.join("notes.txt"), "ignored").unwrap();
        let rows = FolderSource::new(d.path().to_path_buf())
            .latest(&req)
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].agent, "billy");
        assert_eq!(rows[0].id, "file:REQ-A-1/billy.json");
        assert_eq!(
            FolderSource::new(d.path().to_path_buf())
                .known_reqs(10)
                .unwrap(),
            ["REQ-A-1"]
        );
        assert!(
            rows[1]
                .parse_error
                .as_deref()
                .unwrap()
                .starts_with("not valid JSON")
        );
    }
}
