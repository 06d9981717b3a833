//! `OWNER_REQUESTS.md`: read an entry's title and status, and rewrite its status.
//!
//! An entry is a `### <REQ>: <Title>` heading (the title may be missing, as in the real
//! `### REQ-INFRA-STATE-PERSIST-001`), then `**Status**: WORD` and other `**Field**: value` lines.
//! An entry runs to the next heading of level 1 to 3; fenced code blocks are skipped.
//!
//! [`edit`] rewrites only the status word, in place, and for DEPLOYED adds or replaces berry's own
//! lines (`**Deployed At**`, `**Commit**`, `**Deployed By**`) directly after the status line. For
//! BLOCKED berry writes the status word only: the reason goes into the blocked notice, and any
//! earlier `Deployed` lines stay as the history they are. Every other byte is kept: CRLF line ends,
//! trailing spaces, a missing final newline. A missing entry, a REQ with several entries, an entry
//! without a status line or with several are refused with the line numbers. These functions are
//! pure and never panic, whatever the input; [`file`] is the edit as a step plans, writes and
//! records it.

use std::fmt;

pub mod file;

/// What berry writes into an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// `**Status**: DEPLOYED` and berry's three lines after it.
    Deployed {
        /// RFC 3339 UTC.
        at: String,
        commit: String,
        by: String,
    },
    /// `**Status**: BLOCKED`, nothing else.
    Blocked,
    /// `**Status**: ROLLED_BACK` and berry's three rollback lines after it (the deployment lines
    /// stay: they say what was rolled back).
    RolledBack {
        /// RFC 3339 UTC.
        at: String,
        /// The revert commit, short.
        revert: String,
        reason: String,
    },
}

impl Edit {
    pub fn status(&self) -> &'static str {
        self.state().as_str()
    }
    /// The REQ's state this edit writes.
    pub fn state(&self) -> crate::workflow::ReqState {
        match self {
            Edit::Deployed { .. } => crate::workflow::ReqState::Deployed,
            Edit::Blocked => crate::workflow::ReqState::Blocked,
            Edit::RolledBack { .. } => crate::workflow::ReqState::RolledBack,
        }
    }
}

/// The result of [`edit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    pub new_text: String,
    /// `false` when the entry already says what the edit would write.
    pub changed: bool,
    /// The status word before the edit.
    pub old_status: String,
    /// 1-based line of the entry's heading.
    pub heading_line: usize,
    /// 1-based line of the status line.
    pub status_line: usize,
}

/// What an entry says now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub heading_line: usize,
    pub status_line: usize,
    pub status: String,
    /// berry's own lines directly after the status line, when present.
    pub deployed_at: Option<String>,
    pub commit: Option<String>,
    pub deployed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrackerError {
    Missing {
        req: String,
    },
    Duplicate {
        req: String,
        lines: Vec<usize>,
    },
    NoStatus {
        req: String,
        heading_line: usize,
        end_line: usize,
    },
    SeveralStatus {
        req: String,
        heading_line: usize,
        lines: Vec<usize>,
        malformed: Vec<usize>,
    },
    /// The status line does not start with a word berry could replace (`**Status**: ✅ DONE`).
    NoStatusWord {
        req: String,
        line: usize,
    },
}

fn list(lines: &[usize]) -> String {
    let v: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    v.join(", ")
}

impl fmt::Display for TrackerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrackerError::Missing { req } => {
                write!(f, "the tracker has no entry `### {req}`")
            }
            TrackerError::Duplicate { req, lines } => write!(
                f,
                "the tracker has {} entries for {req}, at lines {}: berry cannot tell which one to edit",
                lines.len(),
                list(lines)
            ),
            TrackerError::NoStatus {
                req,
                heading_line,
                end_line,
            } => write!(
                f,
                "the entry for {req} (line {heading_line}) has no `**Status**:` line (looked through line {end_line})"
            ),
            TrackerError::SeveralStatus {
                req,
                heading_line,
                lines,
                malformed,
            } => {
                write!(
                    f,
                    "the entry for {req} (line {heading_line}) is ambiguous: "
                )?;
                if !lines.is_empty() {
                    write!(f, "status lines at lines {}", list(lines))?;
                }
                if !malformed.is_empty() {
                    if !lines.is_empty() {
                        write!(f, ", ")?;
                    }
                    write!(f, "malformed status lines at lines {}", list(malformed))?;
                }
                Ok(())
            }
            TrackerError::NoStatusWord { req, line } => write!(
                f,
                "the status line of {req} (line {line}) does not start with a status word"
            ),
        }
    }
}

impl std::error::Error for TrackerError {}

impl TrackerError {
    /// What the operator can do about it.
    pub fn hint(&self) -> String {
        match self {
            TrackerError::Missing { req } => format!(
                "add an entry `### {req}: <Title>` with a `**Status**:` line, or set `tracker.path` in berry.toml"
            ),
            TrackerError::Duplicate { .. } => {
                "merge the entries into one by hand, then run berry again".into()
            }
            TrackerError::NoStatus { .. } => {
                "add a `**Status**: WORD` line under the heading, then run berry again".into()
            }
            TrackerError::SeveralStatus { .. } => {
                "keep one `**Status**: WORD` line in the entry (fix it by hand), then run berry again"
                    .into()
            }
            TrackerError::NoStatusWord { .. } => {
                "write the status as one word (`**Status**: IN_PROGRESS`), then run berry again"
                    .into()
            }
        }
    }
}

/// One line of the file: its content and its line end (`\n`, `\r\n`, or empty for the last line).
struct Line<'a> {
    body: &'a str,
    end: &'a str,
}

fn split(text: &str) -> Vec<Line<'_>> {
    text.split_inclusive('\n')
        .map(|raw| {
            let body = raw.strip_suffix('\n').unwrap_or(raw);
            let (body, end) = match body.strip_suffix('\r') {
                Some(b) if raw.ends_with('\n') => (b, &raw[b.len()..]),
                _ => (body, &raw[body.len()..]),
            };
            Line { body, end }
        })
        .collect()
}

/// `Some(level)` for an ATX heading line (`#`…`######` then a space or the end).
fn heading_level(body: &str) -> Option<usize> {
    let t = body.trim_start_matches(' ');
    if body.len() - t.len() > 3 {
        return None;
    }
    let hashes = t.bytes().take_while(|b| *b == b'#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let rest = &t[hashes..];
    (rest.is_empty() || rest.starts_with([' ', '\t'])).then_some(hashes)
}

/// The REQ a `### REQ…` heading names: the text up to a `:` or white space.
fn heading_req(body: &str) -> Option<&str> {
    if heading_level(body) != Some(3) {
        return None;
    }
    let rest = body.trim_start_matches(' ').strip_prefix("###")?;
    let rest = rest.trim_start_matches([' ', '\t']);
    let end = rest
        .find(|c: char| c == ':' || c.is_whitespace())
        .unwrap_or(rest.len());
    let token = &rest[..end];
    (!token.is_empty()).then_some(token)
}

fn fence_marker(body: &str) -> Option<&'static str> {
    let t = body.trim_start_matches(' ');
    if body.len() - t.len() > 3 {
        return None;
    }
    if t.starts_with("```") {
        Some("```")
    } else if t.starts_with("~~~") {
        Some("~~~")
    } else {
        None
    }
}

/// For each line: is it inside a fenced code block (fence lines included)?
fn fenced(lines: &[Line<'_>]) -> Vec<bool> {
    let mut open: Option<&'static str> = None;
    lines
        .iter()
        .map(|l| match (open, fence_marker(l.body)) {
            (None, Some(m)) => {
                open = Some(m);
                true
            }
            (Some(o), Some(m)) if o == m => {
                open = None;
                true
            }
            (Some(_), _) => true,
            (None, None) => false,
        })
        .collect()
}

const STATUS: &str = "**Status**:";
const DEPLOYED_AT: &str = "**Deployed At**:";
const COMMIT: &str = "**Commit**:";
const DEPLOYED_BY: &str = "**Deployed By**:";
const ROLLED_BACK_AT: &str = "**Rolled Back At**:";
const REVERT_COMMIT: &str = "**Revert Commit**:";
const REASON: &str = "**Reason**:";

fn field<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    body.trim_start().strip_prefix(name).map(str::trim)
}

fn is_berry_line(body: &str) -> bool {
    [
        DEPLOYED_AT,
        COMMIT,
        DEPLOYED_BY,
        ROLLED_BACK_AT,
        REVERT_COMMIT,
        REASON,
    ]
    .iter()
    .any(|n| field(body, n).is_some())
}

/// A line that looks like a status line but is not well formed (`**Status: …`, `Status: …`).
fn malformed_status(body: &str) -> bool {
    let t = body.trim_start();
    !t.starts_with(STATUS)
        && (t.starts_with("**Status:") || t.starts_with("**Status **") || t.starts_with("Status:"))
}

struct Located {
    heading: usize,
    status: usize,
    /// Lines after the status line that are berry's own, `status+1 .. berry_end`.
    berry_end: usize,
}

fn locate(lines: &[Line<'_>], req: &str) -> Result<Located, TrackerError> {
    let fence = fenced(lines);
    let headings: Vec<usize> = (0..lines.len())
        .filter(|&i| !fence[i] && heading_req(lines[i].body) == Some(req))
        .collect();
    let heading = match headings.as_slice() {
        [] => {
            return Err(TrackerError::Missing { req: req.into() });
        }
        [one] => *one,
        many => {
            return Err(TrackerError::Duplicate {
                req: req.into(),
                lines: many.iter().map(|i| i + 1).collect(),
            });
        }
    };
    let end = (heading + 1..lines.len())
        .find(|&i| !fence[i] && heading_level(lines[i].body).is_some_and(|l| l <= 3))
        .unwrap_or(lines.len());
    let status: Vec<usize> = (heading + 1..end)
        .filter(|&i| !fence[i] && field(lines[i].body, STATUS).is_some())
        .collect();
    let malformed: Vec<usize> = (heading + 1..end)
        .filter(|&i| !fence[i] && malformed_status(lines[i].body))
        .collect();
    if status.len() > 1 || (!malformed.is_empty() && !status.is_empty()) {
        return Err(TrackerError::SeveralStatus {
            req: req.into(),
            heading_line: heading + 1,
            lines: status.iter().map(|i| i + 1).collect(),
            malformed: malformed.iter().map(|i| i + 1).collect(),
        });
    }
    let Some(&status) = status.first() else {
        if !malformed.is_empty() {
            return Err(TrackerError::SeveralStatus {
                req: req.into(),
                heading_line: heading + 1,
                lines: vec![],
                malformed: malformed.iter().map(|i| i + 1).collect(),
            });
        }
        return Err(TrackerError::NoStatus {
            req: req.into(),
            heading_line: heading + 1,
            end_line: end.max(heading + 1),
        });
    };
    let berry_end = (status + 1..end)
        .find(|&i| fence[i] || !is_berry_line(lines[i].body))
        .unwrap_or(end);
    Ok(Located {
        heading,
        status,
        berry_end,
    })
}

/// The status word of a status line: (start, end) byte offsets in the body, and the word.
fn status_word(body: &str) -> (usize, usize, &str) {
    let Some(at) = body.find(STATUS) else {
        return (body.len(), body.len(), "");
    };
    let after = at + STATUS.len();
    let rest = &body[after..];
    let ws = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let start = after + ws;
    let word_len = body[start..]
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(body.len() - start);
    (start, start + word_len, &body[start..start + word_len])
}

/// A byte-order mark some editors write before the first heading, and the text after it. The
/// mark is not part of the first line (its heading is still a heading) and an edit keeps it.
fn without_bom(text: &str) -> (&str, &str) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    }
}

/// What the entry for `req` says now.
pub fn entry(text: &str, req: &str) -> Result<Entry, TrackerError> {
    let (_, text) = without_bom(text);
    let lines = split(text);
    let loc = locate(&lines, req)?;
    let (_, _, word) = status_word(lines[loc.status].body);
    let get = |name: &str| {
        (loc.status + 1..loc.berry_end)
            .find_map(|i| field(lines[i].body, name))
            .map(str::to_string)
    };
    Ok(Entry {
        heading_line: loc.heading + 1,
        status_line: loc.status + 1,
        status: word.to_string(),
        deployed_at: get(DEPLOYED_AT),
        commit: get(COMMIT),
        deployed_by: get(DEPLOYED_BY),
    })
}

/// Rewrites the entry for `req` as `e` says. Repeating an edit changes nothing; DEPLOYED at the
/// commit the entry already names is left as it is (its `Deployed At` stays the first one).
pub fn edit(text: &str, req: &str, e: &Edit) -> Result<Edited, TrackerError> {
    let (bom, text) = without_bom(text);
    let lines = split(text);
    let loc = locate(&lines, req)?;
    let status_body = lines[loc.status].body;
    let (ws, we, word) = status_word(status_body);
    if word.is_empty() && !status_body[ws..].trim().is_empty() {
        return Err(TrackerError::NoStatusWord {
            req: req.into(),
            line: loc.status + 1,
        });
    }
    let old_status = word.to_string();
    let mut result = Edited {
        new_text: text.to_string(),
        changed: false,
        old_status: old_status.clone(),
        heading_line: loc.heading + 1,
        status_line: loc.status + 1,
    };
    if let Edit::Deployed { commit, .. } = e {
        let current = (loc.status + 1..loc.berry_end).find_map(|i| field(lines[i].body, COMMIT));
        if old_status == "DEPLOYED" && current == Some(commit.as_str()) {
            return Ok(result);
        }
    }
    if let Edit::RolledBack { revert, .. } = e {
        let current =
            (loc.status + 1..loc.berry_end).find_map(|i| field(lines[i].body, REVERT_COMMIT));
        if old_status == "ROLLED_BACK" && current == Some(revert.as_str()) {
            return Ok(result);
        }
    }

    let mut new_status = String::with_capacity(status_body.len() + 10);
    new_status.push_str(&status_body[..ws]);
    if ws == we && ws > 0 && !status_body[..ws].ends_with([' ', '\t']) {
        new_status.push(' ');
    }
    new_status.push_str(e.status());
    new_status.push_str(&status_body[we..]);

    let dominant = lines
        .iter()
        .map(|l| l.end)
        .find(|e| !e.is_empty())
        .unwrap_or("\n");
    let mut out = String::with_capacity(text.len() + 200);
    for l in &lines[..loc.status] {
        out.push_str(l.body);
        out.push_str(l.end);
    }
    out.push_str(&new_status);
    match e {
        Edit::Blocked => {
            out.push_str(lines[loc.status].end);
            for l in &lines[loc.status + 1..] {
                out.push_str(l.body);
                out.push_str(l.end);
            }
        }
        Edit::Deployed { .. } | Edit::RolledBack { .. } => {
            let ours: Vec<String> = match e {
                Edit::Deployed { at, commit, by } => vec![
                    format!("{DEPLOYED_AT} {}", one_line(at)),
                    format!("{COMMIT} {}", one_line(commit)),
                    format!("{DEPLOYED_BY} {}", one_line(by)),
                ],
                Edit::RolledBack { at, revert, reason } => {
                    // The deployment lines stay, berry's rollback lines replace earlier ones.
                    let mut keep: Vec<String> = (loc.status + 1..loc.berry_end)
                        .map(|i| lines[i].body)
                        .filter(|b| {
                            [DEPLOYED_AT, COMMIT, DEPLOYED_BY]
                                .iter()
                                .any(|n| field(b, n).is_some())
                        })
                        .map(str::to_string)
                        .collect();
                    keep.push(format!("{ROLLED_BACK_AT} {}", one_line(at)));
                    keep.push(format!("{REVERT_COMMIT} {}", one_line(revert)));
                    keep.push(format!("{REASON} {}", one_line(reason)));
                    keep
                }
                Edit::Blocked => unreachable!("matched above"),
            };
            // The line end of the last line written keeps the end of the block it replaces, so a
            // file without a final newline still has none.
            let last_end = if loc.berry_end > loc.status + 1 {
                lines[loc.berry_end - 1].end
            } else {
                lines[loc.status].end
            };
            let sep = if lines[loc.status].end.is_empty() {
                dominant
            } else {
                lines[loc.status].end
            };
            out.push_str(sep);
            for (i, l) in ours.iter().enumerate() {
                out.push_str(l);
                out.push_str(if i + 1 == ours.len() { last_end } else { sep });
            }
            for l in &lines[loc.berry_end..] {
                out.push_str(l.body);
                out.push_str(l.end);
            }
        }
    }
    result.changed = out != text;
    result.new_text = format!("{bom}{out}");
    Ok(result)
}

fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// The title of `### <REQ>: <Title>`, when the heading is present once and has a title.
pub fn title(text: &str, req: &str) -> Option<String> {
    let (_, text) = without_bom(text);
    let mut found = None;
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        let Some(rest) = line.strip_prefix("### ") else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(after) = rest.strip_prefix(req) else {
            continue;
        };
        if let Some(t) = after.strip_prefix(':') {
            if found.is_some() {
                return None;
            }
            found = Some(t.trim().to_string()).filter(|t| !t.is_empty());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_before_the_first_heading_is_tolerated_and_kept() {
        let text = "\u{feff}### REQ-BOM-1: Title\n**Status**: IN_PROGRESS\n";
        assert_eq!(entry(text, "REQ-BOM-1").unwrap().status, "IN_PROGRESS");
        assert_eq!(title(text, "REQ-BOM-1").as_deref(), Some("Title"));
        let e = edit(text, "REQ-BOM-1", &Edit::Blocked).unwrap();
        assert!(e.changed);
        assert!(
            e.new_text.starts_with("\u{feff}### REQ-BOM-1"),
            "{:?}",
            e.new_text
        );
        assert_eq!(entry(&e.new_text, "REQ-BOM-1").unwrap().status, "BLOCKED");
    }

    const VERBATIM: &str =
        include_str!("../tests/fixtures/agogsaas/owner_requests_entries_verbatim.md");
    const DUP: &str =
        include_str!("../tests/fixtures/agogsaas/owner_requests_duplicate_entries_684767e.md");
    const CORRUPT: &str =
        include_str!("../tests/fixtures/agogsaas/owner_requests_corrupted_entry_b4e7f23.md");
    const HEADER: &str =
        include_str!("../tests/fixtures/agogsaas/owner_requests_header_6544335.md");

    fn deployed() -> Edit {
        Edit::Deployed {
            at: "2026-01-05T12:00:00Z".into(),
            commit: "abc1234".into(),
            by: "berry".into(),
        }
    }

    /// The lines that differ between two texts, as (old, new) line lists after the common prefix
    /// and suffix.
    fn changed_lines<'a>(a: &'a str, b: &'a str) -> (Vec<&'a str>, Vec<&'a str>) {
        let a: Vec<&str> = a.split_inclusive('\n').collect();
        let b: Vec<&str> = b.split_inclusive('\n').collect();
        let pre = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        let suf = a[pre..]
            .iter()
            .rev()
            .zip(b[pre..].iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        (
            a[pre..a.len() - suf].to_vec(),
            b[pre..b.len() - suf].to_vec(),
        )
    }

    #[test]
    fn reads_titles_of_real_entries() {
        assert_eq!(
            title(VERBATIM, "REQ-ITEM-MASTER-001").as_deref(),
            Some("Item Master Pattern Implementation")
        );
        assert_eq!(title(VERBATIM, "REQ-ITEM-MASTER-00"), None);
        assert_eq!(title(DUP, "REQ-STRATEGIC-AUTO-1766516859233"), None);
    }

    #[test]
    fn deployed_rewrites_the_word_and_adds_berrys_lines_only() {
        let e = edit(VERBATIM, "REQ-TS-FIX-1767217303875", &deployed()).unwrap();
        assert!(e.changed);
        assert_eq!(e.old_status, "IN_PROGRESS");
        let (old, new) = changed_lines(VERBATIM, &e.new_text);
        assert_eq!(old, ["**Status**: IN_PROGRESS\n"]);
        assert_eq!(
            new,
            [
                "**Status**: DEPLOYED\n",
                "**Deployed At**: 2026-01-05T12:00:00Z\n",
                "**Commit**: abc1234\n",
                "**Deployed By**: berry\n"
            ]
        );
        // The other entries are untouched.
        let other = entry(&e.new_text, "REQ-ITEM-MASTER-001").unwrap();
        assert_eq!(other.status, "IN_PROGRESS");
    }

    #[test]
    fn repeating_an_edit_changes_nothing() {
        let once = edit(VERBATIM, "REQ-ITEM-MASTER-001", &deployed()).unwrap();
        let twice = edit(&once.new_text, "REQ-ITEM-MASTER-001", &deployed()).unwrap();
        assert!(!twice.changed);
        assert_eq!(twice.new_text, once.new_text);
        // A later run at another time but the same commit keeps the first time.
        let later = Edit::Deployed {
            at: "2026-02-01T00:00:00Z".into(),
            commit: "abc1234".into(),
            by: "berry".into(),
        };
        let again = edit(&once.new_text, "REQ-ITEM-MASTER-001", &later).unwrap();
        assert!(!again.changed);
        let b1 = edit(VERBATIM, "REQ-ITEM-MASTER-001", &Edit::Blocked).unwrap();
        let b2 = edit(&b1.new_text, "REQ-ITEM-MASTER-001", &Edit::Blocked).unwrap();
        assert!(b1.changed && !b2.changed);
    }

    #[test]
    fn a_new_commit_replaces_berrys_lines() {
        let once = edit(VERBATIM, "REQ-ITEM-MASTER-001", &deployed()).unwrap();
        let next = Edit::Deployed {
            at: "2026-02-01T00:00:00Z".into(),
            commit: "def5678".into(),
            by: "berry".into(),
        };
        let e = edit(&once.new_text, "REQ-ITEM-MASTER-001", &next).unwrap();
        let (old, new) = changed_lines(&once.new_text, &e.new_text);
        assert_eq!(
            old,
            [
                "**Deployed At**: 2026-01-05T12:00:00Z\n",
                "**Commit**: abc1234\n"
            ]
        );
        assert_eq!(
            new,
            [
                "**Deployed At**: 2026-02-01T00:00:00Z\n",
                "**Commit**: def5678\n"
            ]
        );
        let en = entry(&e.new_text, "REQ-ITEM-MASTER-001").unwrap();
        assert_eq!(en.commit.as_deref(), Some("def5678"));
        assert_eq!(en.deployed_by.as_deref(), Some("berry"));
    }

    #[test]
    fn blocked_changes_the_word_only() {
        let e = edit(VERBATIM, "REQ-STRATEGIC-AUTO-1767045901871", &Edit::Blocked).unwrap();
        let (old, new) = changed_lines(VERBATIM, &e.new_text);
        assert_eq!(old, ["**Status**: DEFERRED\n"]);
        assert_eq!(new, ["**Status**: BLOCKED\n"]);
    }

    #[test]
    fn crlf_trailing_spaces_and_no_final_newline_are_kept() {
        let text =
            "# T\r\n\r\n### REQ-A-1: One  \r\n\r\n**Status**: NEW   \r\n**Owner**: me\r\n\r\n---";
        let e = edit(text, "REQ-A-1", &deployed()).unwrap();
        assert_eq!(
            e.new_text,
            "# T\r\n\r\n### REQ-A-1: One  \r\n\r\n**Status**: DEPLOYED   \r\n**Deployed At**: 2026-01-05T12:00:00Z\r\n**Commit**: abc1234\r\n**Deployed By**: berry\r\n**Owner**: me\r\n\r\n---"
        );
        // The status line is the last line, without a newline.
        let text = "### REQ-A-1: One\r\n\r\n**Status**: NEW";
        let e = edit(text, "REQ-A-1", &deployed()).unwrap();
        assert_eq!(
            e.new_text,
            "### REQ-A-1: One\r\n\r\n**Status**: DEPLOYED\r\n**Deployed At**: 2026-01-05T12:00:00Z\r\n**Commit**: abc1234\r\n**Deployed By**: berry"
        );
        let b = edit(text, "REQ-A-1", &Edit::Blocked).unwrap();
        assert_eq!(b.new_text, "### REQ-A-1: One\r\n\r\n**Status**: BLOCKED");
    }

    #[test]
    fn a_prefix_of_another_req_is_not_that_req() {
        let text = "### REQ-A-10: Ten\n\n**Status**: NEW\n\n### REQ-A-1: One\n\n**Status**: NEW\n";
        let e = edit(text, "REQ-A-1", &Edit::Blocked).unwrap();
        assert_eq!(e.heading_line, 5);
        assert_eq!(
            e.new_text,
            "### REQ-A-10: Ten\n\n**Status**: NEW\n\n### REQ-A-1: One\n\n**Status**: BLOCKED\n"
        );
        assert_eq!(
            edit(text, "REQ-A", &Edit::Blocked).unwrap_err(),
            TrackerError::Missing {
                req: "REQ-A".into()
            }
        );
    }

    #[test]
    fn duplicate_missing_and_corrupt_entries_are_refused_with_line_numbers() {
        let e = edit(DUP, "REQ-STRATEGIC-AUTO-1766516859233", &deployed()).unwrap_err();
        assert_eq!(
            e,
            TrackerError::Duplicate {
                req: "REQ-STRATEGIC-AUTO-1766516859233".into(),
                lines: vec![4, 23]
            }
        );
        assert!(e.to_string().contains("at lines 4, 23"), "{e}");

        let e = edit(HEADER, "REQ-ITEM-MASTER-001", &deployed()).unwrap_err();
        assert!(matches!(e, TrackerError::Missing { .. }));

        let e = edit(CORRUPT, "REQ-INFRA-STATE-PERSIST-001", &deployed()).unwrap_err();
        assert_eq!(
            e,
            TrackerError::SeveralStatus {
                req: "REQ-INFRA-STATE-PERSIST-001".into(),
                heading_line: 2,
                lines: vec![4, 9],
                malformed: vec![7],
            }
        );
        assert!(
            e.to_string()
                .contains("status lines at lines 4, 9, malformed status lines at lines 7"),
            "{e}"
        );

        let no_status =
            "### REQ-A-1: One\n\n**Owner**: me\n\n### REQ-A-2: Two\n\n**Status**: NEW\n";
        let e = edit(no_status, "REQ-A-1", &deployed()).unwrap_err();
        assert_eq!(
            e,
            TrackerError::NoStatus {
                req: "REQ-A-1".into(),
                heading_line: 1,
                end_line: 4
            }
        );
        assert!(e.to_string().contains("(line 1)"), "{e}");
    }

    #[test]
    fn a_heading_without_title_is_still_the_entry() {
        let text = "### REQ-INFRA-STATE-PERSIST-001\n\n**Status**: NEW\n";
        let e = edit(text, "REQ-INFRA-STATE-PERSIST-001", &Edit::Blocked).unwrap();
        assert_eq!(
            e.new_text,
            "### REQ-INFRA-STATE-PERSIST-001\n\n**Status**: BLOCKED\n"
        );
    }

    #[test]
    fn headings_and_status_lines_in_code_blocks_are_ignored() {
        let text = "```\n### REQ-A-1: fake\n**Status**: NO\n```\n### REQ-A-1: One\n\n**Status**: NEW\n```md\n**Status**: fenced\n```\n";
        let e = edit(text, "REQ-A-1", &Edit::Blocked).unwrap();
        assert_eq!(e.status_line, 7);
        assert!(
            e.new_text
                .contains("**Status**: BLOCKED\n```md\n**Status**: fenced")
        );
        assert!(
            e.new_text
                .starts_with("```\n### REQ-A-1: fake\n**Status**: NO\n")
        );
    }

    #[test]
    fn the_hand_written_form_without_blank_line_and_an_empty_status_word() {
        let text = "### REQ-XXX-YYY: T\n**Status**: IN_PROGRESS  # note\n";
        let e = edit(text, "REQ-XXX-YYY", &Edit::Blocked).unwrap();
        assert_eq!(
            e.new_text,
            "### REQ-XXX-YYY: T\n**Status**: BLOCKED  # note\n"
        );
        let e = edit("### REQ-A-1\n**Status**:\n", "REQ-A-1", &Edit::Blocked).unwrap();
        assert_eq!(e.new_text, "### REQ-A-1\n**Status**: BLOCKED\n");
        let e = edit(
            "### REQ-A-1\n\n**Status**: ✅ DONE\n",
            "REQ-A-1",
            &Edit::Blocked,
        );
        assert_eq!(
            e.unwrap_err(),
            TrackerError::NoStatusWord {
                req: "REQ-A-1".into(),
                line: 3
            }
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        let samples = [
            "",
            "\n",
            "\r",
            "\r\n\r\n",
            "###",
            "### ",
            "### REQ-A-1",
            "### REQ-A-1\r",
            "### REQ-A-1\n**Status**:",
            "### REQ-A-1\n**Status**:é",
            "### REQ-A-1\n  **Status**:\t\tWÖRD\r",
            "### REQ-A-1\n**Status**: X\n**Commit**: a\n**Deployed At**:",
            "\u{feff}### REQ-A-1\n**Status**: X",
            "```\n### REQ-A-1\n**Status**: X",
            "### REQ-A-1\n**Status: X\n",
            "    ### REQ-A-1\n",
            "### REQ-A-1\n###\n**Status**: X\n",
        ];
        for s in samples {
            for e in [Edit::Blocked, deployed()] {
                let _ = edit(s, "REQ-A-1", &e);
                let _ = entry(s, "REQ-A-1");
            }
        }
        // A cheap deterministic fuzz over bytes from a small alphabet.
        let alphabet = [
            "### ",
            "REQ-A-1",
            ":",
            "\n",
            "\r\n",
            "**Status**:",
            " ",
            "X",
            "```",
            "**Commit**: a",
            "é",
            "#",
        ];
        let mut seed: u64 = 0x9e3779b97f4a7c15;
        for _ in 0..3000 {
            let mut s = String::new();
            for _ in 0..(seed % 12) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                s.push_str(alphabet[(seed >> 33) as usize % alphabet.len()]);
            }
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            for e in [Edit::Blocked, deployed()] {
                if let Ok(out) = edit(&s, "REQ-A-1", &e) {
                    let again = edit(&out.new_text, "REQ-A-1", &e).unwrap();
                    assert!(!again.changed, "not idempotent on {s:?}");
                }
            }
        }
    }
}
