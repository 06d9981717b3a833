//! The commit message: what goes into it, drawn from the deliverables and the evidence,
//! and its rendering through `templates/commit.txt` (compiled in, overridable per repository at
//! `.berry/templates/commit.txt`).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::Serialize;
use serde_json::Value;

use crate::config::Config;
use crate::context::{Evidence, GuardException};
use crate::deliverables::Row;
use crate::error::BerryError;
use crate::req::ReqNumber;

/// The template compiled into berry.
pub const DEFAULT_TEMPLATE: &str = include_str!("../templates/commit.txt");
/// Where a repository overrides it, relative to the work tree root.
pub const OVERRIDE_PATH: &str = ".berry/templates/commit.txt";

/// Lines of the body are wrapped at this width.
const WIDTH: usize = 72;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MessageInput {
    pub req: String,
    pub title: String,
    /// Bulleted lines (already wrapped) from the summary agents' deliverables.
    pub summary: Vec<String>,
    pub qa: QaStatus,
    pub deliverables: Vec<DeliverableLine>,
    pub co_authors: Vec<CoAuthor>,
    pub trailers: Trailers,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QaStatus {
    pub agent: String,
    pub name: String,
    pub approved: bool,
    pub status_line: String,
    /// `Tests: 75/75 passed …`, `Test Coverage: …`.
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeliverableLine {
    pub agent: String,
    pub role: String,
    pub name: String,
    /// A verdict (critique, QA), a status other than COMPLETE, or `missing`; empty otherwise.
    pub note: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CoAuthor {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Trailers {
    pub berry_req: String,
    /// `<row id> sha256:<hex>`.
    pub qa_evidence: String,
    /// `<guard>:<path> (<reason>)`.
    pub guard_allowed: Vec<String>,
}

/// Gathers what the message says.
pub fn input(
    config: &Config,
    req: &ReqNumber,
    title: Option<&str>,
    rows: &[Row],
    evidence: &Evidence,
    allowed: &[GuardException],
) -> MessageInput {
    let find = |a: &str| rows.iter().find(|r| r.is_agent(a));
    let title = title
        .map(str::to_string)
        .or_else(|| crate::gate::title_from(rows, &config.agents.qa))
        .unwrap_or_else(|| req.to_string());

    let mut summary = Vec::new();
    for agent in &config.agents.summary {
        let Some(row) = find(agent) else { continue };
        let Some(obj) = row.deliverable.as_object() else {
            continue;
        };
        let mut items: Vec<String> = crate::deliverables::key_changes(&row.deliverable)
            .into_iter()
            .take(3)
            .collect();
        if items.is_empty()
            && let Some(s) = ["summary", "message", "description"]
                .iter()
                .find_map(|k| obj.get(*k).and_then(Value::as_str))
        {
            items.push(first_sentence(s));
        }
        for item in items {
            summary.extend(wrap(&cut(&one_line(&item), 200), "- ", "  "));
        }
    }

    let qa_agent = config.agents.qa.clone();
    let qa_obj = find(&qa_agent).and_then(|r| r.deliverable.as_object());
    let qa_name = short_name(config, &qa_agent);
    let mut qa_lines = Vec::new();
    if let Some(obj) = qa_obj {
        qa_lines.extend(test_figures(obj));
        if let Some(c) = ["coverage", "testCoverage", "test_coverage", "codeCoverage"]
            .iter()
            .find_map(|k| obj.get(*k))
            .and_then(describe_value)
        {
            qa_lines.push(format!("Test Coverage: {c}"));
        }
        if let Some(c) = [
            "playwrightTests",
            "playwright_tests",
            "playwright",
            "e2eTests",
        ]
        .iter()
        .find_map(|k| obj.get(*k))
        .and_then(describe_value)
        {
            qa_lines.push(format!("Playwright Tests: {c}"));
        }
    }
    let qa_lines = qa_lines
        .iter()
        .flat_map(|l| wrap(&one_line(l), "", "  "))
        .collect();
    let status_line = if evidence.approved {
        format!("✅ APPROVED by {qa_name}")
    } else {
        "NOT APPROVED".to_string()
    };

    let mut deliverables = Vec::new();
    let mut co_authors = Vec::new();
    let mut agents: Vec<&String> = config.agents.expected.iter().collect();
    for r in rows {
        if !agents.contains(&&r.agent) {
            agents.push(&r.agent);
        }
    }
    for agent in agents {
        let row = find(agent);
        let obj = row.and_then(|r| r.deliverable.as_object());
        let status = obj.and_then(|o| o.get("status")).and_then(Value::as_str);
        let note = if row.is_none() {
            "missing".to_string()
        } else if *agent == config.agents.qa {
            if evidence.approved { "PASS" } else { "FAIL" }.to_string()
        } else if *agent == config.agents.critique {
            obj.and_then(|o| {
                ["critique_verdict", "decision", "verdict"]
                    .iter()
                    .find_map(|k| o.get(*k).and_then(Value::as_str))
            })
            .or(status.filter(|s| !s.eq_ignore_ascii_case("COMPLETE")))
            .unwrap_or_default()
            .to_string()
        } else {
            status
                .filter(|s| !s.eq_ignore_ascii_case("COMPLETE"))
                .unwrap_or_default()
                .to_string()
        };
        let person = config.people.get(agent.as_str());
        deliverables.push(DeliverableLine {
            agent: agent.clone(),
            role: person
                .map(|p| p.role.clone())
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| agent.clone()),
            name: short_name(config, agent),
            note: one_line(&note),
        });
        if row.is_some()
            && let Some(p) = person
        {
            co_authors.push(CoAuthor {
                name: one_line(&p.name),
                email: one_line(&p.email),
            });
        }
    }

    let qa_evidence = evidence
        .qa
        .as_ref()
        .map(|q| format!("{} {}", q.row_id, q.sha256))
        .unwrap_or_else(|| "none".into());
    MessageInput {
        req: req.to_string(),
        title: one_line(&title),
        summary,
        qa: QaStatus {
            agent: qa_agent,
            name: qa_name,
            approved: evidence.approved,
            status_line,
            lines: qa_lines,
        },
        deliverables,
        co_authors,
        trailers: Trailers {
            berry_req: req.to_string(),
            qa_evidence,
            guard_allowed: allowed
                .iter()
                .map(|g| format!("{}:{} ({})", g.guard, g.path, one_line(&g.reason)))
                .collect(),
        },
    }
}

/// The repository's template when it has one, else berry's own; with where it came from.
pub fn template(root: &Path) -> Result<(String, Option<PathBuf>)> {
    let p = root.join(OVERRIDE_PATH);
    match std::fs::read_to_string(&p) {
        Ok(t) => Ok((t, Some(p))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok((DEFAULT_TEMPLATE.to_string(), None))
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", p.display())),
    }
}

/// Renders `template` with `input`. A template error is a configuration error (exit 2) naming
/// `origin`.
pub fn render(template: &str, origin: &str, input: &MessageInput) -> Result<String> {
    let mut env = minijinja::Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    let bad = |e: minijinja::Error| {
        BerryError::usage(format!("the commit template {origin} is invalid: {e:#}")).with_hint(
            format!("fix it, or delete it to use berry's own ({OVERRIDE_PATH})"),
        )
    };
    env.add_template("commit.txt", template).map_err(bad)?;
    let text = env
        .get_template("commit.txt")
        .and_then(|t| t.render(input))
        .map_err(bad)?;
    Ok(cleanup(&text, false))
}

/// What git's default cleanup does: trailing whitespace dropped, runs of blank lines squeezed,
/// leading and trailing blank lines removed; with `strip_comments`, `#` lines are dropped first
/// (and everything below git's scissors line).
pub fn cleanup(text: &str, strip_comments: bool) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in text.lines() {
        if strip_comments {
            if line.starts_with("# ------------------------ >8 ------------------------") {
                break;
            }
            if line.starts_with('#') {
                continue;
            }
        }
        let line = line.trim_end();
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    if out.is_empty() {
        return String::new();
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

/// The first line of a message.
pub fn subject(message: &str) -> &str {
    message.lines().next().unwrap_or_default()
}

fn short_name(config: &Config, agent: &str) -> String {
    match config.people.get(agent) {
        Some(p) => {
            let suffix = format!(" ({})", p.role);
            p.name
                .strip_suffix(&suffix)
                .unwrap_or(&p.name)
                .trim()
                .to_string()
        }
        None => agent.to_string(),
    }
}

/// Test figures in whichever shape QA wrote them.
fn test_figures(obj: &serde_json::Map<String, Value>) -> Vec<String> {
    let num = |v: Option<&Value>| v.and_then(Value::as_u64);
    for nest in ["testResults", "test_results"] {
        if let Some(Value::Object(t)) = obj.get(nest) {
            let total = num(t.get("totalTests").or_else(|| t.get("total")));
            let passed = num(t.get("passed"));
            let failed = num(t.get("failed"));
            let skipped = num(t.get("skipped"));
            if let (Some(total), Some(passed)) = (total, passed) {
                let mut extra = vec![format!(
                    "{} failed",
                    failed.unwrap_or(total - passed.min(total))
                )];
                if let Some(s) = skipped {
                    extra.push(format!("{s} skipped"));
                }
                return vec![format!(
                    "Tests: {passed}/{total} passed ({})",
                    extra.join(", ")
                )];
            }
        }
    }
    let passed = num(obj
        .get("testsPassed")
        .or_else(|| obj.get("tests_passed_count")));
    let total = num(obj.get("testsExecuted").or_else(|| obj.get("totalTests")));
    if let (Some(p), Some(t)) = (passed, total) {
        let failed = num(obj.get("testsFailed")).unwrap_or(t.saturating_sub(p));
        return vec![format!("Tests: {p}/{t} passed ({failed} failed)")];
    }
    if let Some(Value::String(s)) = obj.get("tests_passed") {
        return vec![format!("Tests: {s} passed")];
    }
    for key in ["testResult", "test_result", "testStatus", "test_status"] {
        if let Some(Value::String(s)) = obj.get(key) {
            return vec![format!("Test result: {s}")];
        }
    }
    Vec::new()
}

/// A value as a short phrase: strings and numbers as they are, an object as `key value, …`.
fn describe_value(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(m) if !m.is_empty() => Some(
            m.iter()
                .filter_map(|(k, v)| describe_value(v).map(|d| format!("{k} {d}")))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn first_sentence(s: &str) -> String {
    let s = one_line(s);
    match s.find(". ") {
        Some(i) => s[..=i].to_string(),
        None => s,
    }
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max - 1).collect();
    t.push('…');
    t
}

/// Greedy word wrap at [`WIDTH`] columns; a word longer than the line stays whole.
fn wrap(text: &str, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        let len = cur.chars().count();
        if !empty && len + 1 + word.chars().count() > WIDTH {
            lines.push(std::mem::replace(&mut cur, rest.to_string()));
            empty = true;
        }
        if !empty {
            cur.push(' ');
        }
        cur.push_str(word);
        empty = false;
    }
    if !empty {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::EvidenceItem;
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

    fn evidence() -> Evidence {
        Evidence {
            source: "test".into(),
            verified_at: jiff::Timestamp::UNIX_EPOCH,
            approved: true,
            reasons: vec![],
            qa: Some(EvidenceItem {
                agent: "billy".into(),
                row_id: "id-billy".into(),
                created_at: None,
                sha256: "sha256:abc".into(),
                status: None,
            }),
            deliverables: vec![],
        }
    }

    #[test]
    fn renders_subject_sections_and_trailers_last() {
        let config = Config::with_default_people();
        let req = ReqNumber::parse("REQ-A-1").unwrap();
        let rows = vec![
            row(
                "roy",
                json!({"status": "COMPLETE", "completedWork": ["Added the CRM tables"]}),
            ),
            row(
                "billy",
                json!({"status": "COMPLETE", "testsPassed": 12, "testsExecuted": 12,
                "coverage": {"code": "100%"}}),
            ),
            row(
                "sylvia",
                json!({"status": "COMPLETE", "decision": "APPROVED"}),
            ),
        ];
        let allowed = vec![GuardException {
            guard: "secrets".into(),
            path: "a.ts".into(),
            reason: "test key\nonly".into(),
        }];
        let inp = input(&config, &req, Some("CRM"), &rows, &evidence(), &allowed);
        let text = render(DEFAULT_TEMPLATE, "test", &inp).unwrap();
        assert!(
            text.starts_with("feat(REQ-A-1): CRM\n\nSummary:\n- Added the CRM tables\n"),
            "{text}"
        );
        assert!(
            text.contains("- Tests: 12/12 passed (0 failed)\n- Test Coverage: code 100%\n"),
            "{text}"
        );
        assert!(text.contains("- Critique: Sylvia (APPROVED)\n"), "{text}");
        assert!(text.contains("- Research: Cynthia (missing)\n"), "{text}");
        assert!(
            text.ends_with(
                "\n\nCo-Authored-By: Sylvia (Critique) <sylvia@agogsaas.ai>\n\
             Co-Authored-By: Roy (Backend) <roy@agogsaas.ai>\n\
             Co-Authored-By: Billy (QA) <billy@agogsaas.ai>\n\
             Berry-Req: REQ-A-1\nQA-Evidence: id-billy sha256:abc\n\
             Guard-Allowed: secrets:a.ts (test key only)\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_broken_override_is_a_usage_error() {
        let config = Config::with_default_people();
        let req = ReqNumber::parse("REQ-A-1").unwrap();
        let inp = input(&config, &req, None, &[], &evidence(), &[]);
        let e = render("{{ nope.x }}", ".berry/templates/commit.txt", &inp).unwrap_err();
        assert_eq!(crate::error::classify(&e).exit, crate::error::Exit::Usage);
        assert!(e.to_string().contains(".berry/templates/commit.txt"), "{e}");
        assert_eq!(inp.title, "REQ-A-1");
    }

    #[test]
    fn cleanup_strips_comments_and_squeezes_blank_lines() {
        let t = "\n\nsubject  \n\n\n\nbody\n# comment\n\n";
        assert_eq!(cleanup(t, true), "subject\n\nbody\n");
        assert_eq!(cleanup(t, false), "subject\n\nbody\n# comment\n");
        assert_eq!(cleanup("# only\n", true), "");
    }

    #[test]
    fn wrap_keeps_lines_within_width() {
        let long = "word ".repeat(40);
        let lines = wrap(&long, "- ", "  ");
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.chars().count() <= WIDTH));
        assert!(lines[1].starts_with("  word"));
    }
}
