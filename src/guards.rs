//! The guards, run on what would be committed before anything is staged: secrets (the rules of
//! [`crate::secrets`], values masked) in added lines, file names and deliverable text that goes
//! into the commit message; merge conflict markers; and file sizes.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use crate::secrets::RuleSet;

/// The guards, by the name `--allow GUARD:PATH` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Guard {
    Secrets,
    ConflictMarkers,
    LargeFile,
}

impl Guard {
    pub const ALL: [Guard; 3] = [Guard::Secrets, Guard::ConflictMarkers, Guard::LargeFile];

    pub fn name(self) -> &'static str {
        match self {
            Guard::Secrets => "secrets",
            Guard::ConflictMarkers => "conflict-markers",
            Guard::LargeFile => "large-file",
        }
    }

    pub fn parse(s: &str) -> Option<Guard> {
        Guard::ALL.into_iter().find(|g| g.name() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Closes the gate unless allowed.
    Block,
    /// Shown, never blocks.
    Warn,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub guard: Guard,
    pub severity: Severity,
    pub path: String,
    /// 1-based line in the new file, where the finding is in a line.
    pub line: Option<usize>,
    /// What was found, with any secret value masked.
    pub detail: String,
    /// The secret rule that matched (its `.gitleaksignore` fingerprint is `path:rule:line`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// `ghp_…(40 chars)`: the one masked form (see [`crate::secrets::mask`]).
pub fn mask(secret: &str) -> String {
    crate::secrets::mask(secret)
}

/// Where a finding's name for a deliverable's text starts: `deliverable:<agent>`.
pub const DELIVERABLE_PREFIX: &str = "deliverable:";

fn secret_finding(rules: &RuleSet, path: &str, hit: &crate::secrets::Hit) -> Option<Finding> {
    if rules.is_ignored(path, hit) {
        return None;
    }
    let shown = if hit.secret.is_empty() {
        "the file's name or kind".to_string()
    } else {
        crate::secrets::mask(&hit.secret)
    };
    let lines = match (hit.line, hit.end_line) {
        (0, _) => String::new(),
        (a, b) if b > a => format!(" (lines {a}-{b})"),
        _ => String::new(),
    };
    let decoded = if hit.decoded {
        " (in UTF-16/32 text)"
    } else {
        ""
    };
    Some(Finding {
        guard: Guard::Secrets,
        severity: Severity::Block,
        path: path.to_string(),
        line: (hit.line > 0 && !hit.decoded).then_some(hit.line),
        detail: format!(
            "{} [{}]: {shown}{lines}{decoded}",
            hit.description, hit.rule_id
        ),
        rule: Some(hit.rule_id.clone()),
    })
}

/// The secret guard on one file as it would be committed: its name, and its content where the
/// change adds lines. `added` holds the 1-based lines the change adds; `None` means all of it
/// counts (a new or binary file, UTF-16/32 text). A secret spanning several lines (a private key
/// block) counts when any of its lines is added. `.gitleaksignore` fingerprints
/// (`path:rule-id:line`) drop a finding.
pub fn scan_secrets(
    rules: &RuleSet,
    path: &str,
    content: &[u8],
    added: Option<&BTreeSet<usize>>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for hit in rules.scan("", path.as_bytes()) {
        if let Some(mut f) = secret_finding(rules, path, &hit) {
            f.line = None;
            f.detail = format!("in the file name: {}", f.detail);
            out.push(f);
        }
    }
    for hit in rules.scan(path, content) {
        let counts = match added {
            None => true,
            Some(_) if hit.decoded || hit.line == 0 => true,
            Some(set) => set
                .range(hit.line..=hit.end_line.max(hit.line))
                .next()
                .is_some(),
        };
        if counts && let Some(f) = secret_finding(rules, path, &hit) {
            out.push(f);
        }
    }
    out
}

/// The secret guard on text that would leave with the commit (an agent's deliverable text that
/// goes into the commit message): findings are named `deliverable:<agent>`, so
/// `--allow secrets:deliverable:<agent>` grants the exception.
pub fn scan_deliverable_text(rules: &RuleSet, agent: &str, text: &str) -> Vec<Finding> {
    let name = format!("{DELIVERABLE_PREFIX}{agent}");
    rules
        .scan("", text.as_bytes())
        .iter()
        .filter_map(|h| secret_finding(rules, &name, h))
        .map(|mut f| {
            f.line = None;
            f
        })
        .collect()
}

/// The secret guard on everything that leaves with the commit message: `texts` holds
/// (agent, text) of the deliverable text the message draws on, scanned whole (findings named
/// `deliverable:<agent>`); `message` is the message as rendered, for what it takes from elsewhere
/// (a QA figure, a verdict, the title): a secret found there and in no deliverable text is named
/// after the agent whose deliverable holds it (`deliverables`: (agent, deliverable)), else
/// `commit-message`. `--allow secrets:<that name>` grants the exception.
pub fn scan_commit_text(
    rules: &RuleSet,
    texts: &[(String, String)],
    message: Option<&str>,
    deliverables: &[(String, serde_json::Value)],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (agent, text) in texts {
        out.extend(scan_deliverable_text(rules, agent, text));
    }
    let Some(message) = message else {
        return out;
    };
    for hit in rules.scan("", message.as_bytes()) {
        if hit.secret.is_empty() || texts.iter().any(|(_, t)| t.contains(&hit.secret)) {
            continue;
        }
        let owner = deliverables
            .iter()
            .find(|(_, v)| strings(v).any(|s| s.contains(&hit.secret)))
            .map(|(a, _)| format!("{DELIVERABLE_PREFIX}{a}"))
            .unwrap_or_else(|| COMMIT_MESSAGE.to_string());
        if let Some(mut f) = secret_finding(rules, &owner, &hit) {
            f.line = None;
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

/// The name of a finding in the commit message that no deliverable holds.
pub const COMMIT_MESSAGE: &str = "commit-message";

/// Every string in a JSON value (object keys too).
fn strings(v: &serde_json::Value) -> Box<dyn Iterator<Item = &str> + '_> {
    use serde_json::Value;
    match v {
        Value::String(s) => Box::new(std::iter::once(s.as_str())),
        Value::Array(a) => Box::new(a.iter().flat_map(strings)),
        Value::Object(o) => Box::new(
            o.iter()
                .flat_map(|(k, v)| std::iter::once(k.as_str()).chain(strings(v))),
        ),
        _ => Box::new(std::iter::empty()),
    }
}

/// The texts of a deliverable that the commit message draws on (its key changes, its summary,
/// message, description and title), each scanned as the message would carry it.
pub fn message_texts(v: &serde_json::Value) -> Vec<String> {
    let mut out = crate::deliverables::key_changes(v);
    for k in ["summary", "message", "description", "title"] {
        if let Some(s) = v.get(k).and_then(serde_json::Value::as_str) {
            out.push(s.to_string());
        }
    }
    out
}

/// The rules a repository's gate uses: its rule file (`guards.rules` in berry.toml, else
/// `.gitleaks.toml` at the root) and `.gitleaksignore`, each as committed at HEAD (the working
/// tree is what is being reviewed, so it cannot loosen its own review). Without a rule file,
/// berry's built-in rules. Review and commit both take their rules from here, so the two gates
/// scan alike; the set is compiled once per process for the same texts.
pub fn repository_rules(
    repo: &git2::Repository,
    configured: Option<&str>,
) -> Result<Arc<RuleSet>, crate::error::BerryError> {
    let read = |path: &str| -> Option<String> {
        let head = repo.head().ok()?.peel_to_tree().ok()?;
        let entry = head.get_path(std::path::Path::new(path)).ok()?;
        if entry.kind() != Some(git2::ObjectType::Blob) {
            return None;
        }
        let blob = entry.to_object(repo).ok()?.peel_to_blob().ok()?;
        Some(String::from_utf8_lossy(blob.content()).into_owned())
    };
    let rule_file = match configured {
        Some(p) => {
            if crate::scope::safe_relative(p).is_err() {
                return Err(crate::error::BerryError::usage(format!(
                    "guards.rules {p:?} must be a path inside the repository"
                )));
            }
            Some((
                p.to_string(),
                read(p).ok_or_else(|| {
                    crate::error::BerryError::usage(format!(
                        "guards.rules names {p:?}, which is not committed at HEAD"
                    ))
                    .with_hint("commit the rule file first: the gate reads the committed one")
                })?,
            ))
        }
        None => read(".gitleaks.toml").map(|t| (".gitleaks.toml".to_string(), t)),
    };
    let ignore = read(".gitleaksignore");
    if rule_file.is_none() && ignore.is_none() {
        return Ok(RuleSet::builtin());
    }
    type Key = (Option<(String, String)>, Option<String>);
    static COMPILED: Mutex<Option<(Key, Arc<RuleSet>)>> = Mutex::new(None);
    let key: Key = (rule_file, ignore);
    let mut cache = COMPILED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((k, set)) = cache.as_ref()
        && *k == key
    {
        return Ok(set.clone());
    }
    let set = RuleSet::for_repository(
        key.0.as_ref().map(|(o, t)| (o.as_str(), t.as_str())),
        key.1.as_deref(),
    )
    .map_err(|e| {
        crate::error::BerryError::usage(format!("the secret rules cannot be used: {e}"))
            .with_hint("fix the rule file (gitleaks format); `berry guards check` tries it")
    })?;
    let set = Arc::new(set);
    *cache = Some((key, set.clone()));
    Ok(set)
}

/// The rules `berry guards check` tries, and where they came from: the rule file given
/// (`given`: its name and text), else the repository's at `root` as they are in the working tree
/// (`configured` — `guards.rules` — else `.gitleaks.toml`, with `.gitleaksignore`), so a team can
/// try its rule file before committing it; outside a repository berry's built-in rules.
pub fn trial_rules(
    given: Option<(String, String)>,
    root: Option<&std::path::Path>,
    configured: Option<&str>,
) -> anyhow::Result<(RuleSet, String)> {
    use crate::error::BerryError;
    use anyhow::Context as _;
    let read = |path: &std::path::Path| {
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
    };
    let load = |rule_file: Option<&(String, String)>, ignore: Option<&str>| {
        RuleSet::for_repository(rule_file.map(|(o, t)| (o.as_str(), t.as_str())), ignore)
            .map_err(|e| BerryError::usage(format!("the secret rules cannot be used: {e}")))
    };
    if let Some(given) = given {
        return Ok((load(Some(&given), None)?, given.0));
    }
    let Some(root) = root else {
        let set = RuleSet::for_repository(None, None).map_err(BerryError::usage)?;
        return Ok((set, "built-in".into()));
    };
    let name = configured.unwrap_or(".gitleaks.toml");
    let file = root.join(name);
    let rule_file = match (file.is_file(), configured) {
        (true, _) => Some((name.to_string(), read(&file)?)),
        (false, Some(_)) => {
            let message = format!("guards.rules names {name:?}, which does not exist");
            return Err(BerryError::usage(message).into());
        }
        (false, None) => None,
    };
    let ignore_file = root.join(".gitleaksignore");
    let ignore = ignore_file
        .is_file()
        .then(|| read(&ignore_file))
        .transpose()?;
    let origin = rule_file
        .as_ref()
        .map_or("built-in".into(), |(n, _)| n.clone());
    Ok((load(rule_file.as_ref(), ignore.as_deref())?, origin))
}

/// The secret guard on whole inputs (name, content; `-` is stdin, scanned without a name). Inside
/// the repository at `root` a file is scanned under its repository path (what `paths`
/// allowlists and `.gitleaksignore` fingerprints name) and its findings carry the name given.
pub fn scan_inputs(
    rules: &RuleSet,
    inputs: &[(String, Vec<u8>)],
    root: Option<&std::path::Path>,
) -> Vec<Finding> {
    let repo_path = |name: &str| -> Option<String> {
        let abs = std::path::Path::new(name).canonicalize().ok()?;
        let root = root?.canonicalize().ok()?;
        abs.strip_prefix(root)
            .ok()
            .map(|r| r.to_string_lossy().into_owned())
    };
    let mut findings = Vec::new();
    for (name, bytes) in inputs {
        let scanned = match name.as_str() {
            "-" => String::new(),
            _ => repo_path(name).unwrap_or_else(|| name.clone()),
        };
        for mut f in scan_secrets(rules, &scanned, bytes, None) {
            f.path = name.clone();
            findings.push(f);
        }
    }
    findings
}

/// Merge conflict markers in the lines a change adds. `added` holds (1-based line, text).
pub fn scan_lines<'a>(
    path: &str,
    added: impl IntoIterator<Item = (usize, &'a str)>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut saw_open = false;
    let mut pending_middle: Vec<usize> = Vec::new();
    for (line, text) in added {
        let marker = if text.starts_with("<<<<<<< ") || text == "<<<<<<<" {
            saw_open = true;
            Some("<<<<<<<")
        } else if text.starts_with(">>>>>>> ") || text == ">>>>>>>" {
            Some(">>>>>>>")
        } else if text == "=======" {
            pending_middle.push(line);
            None
        } else if text.starts_with("||||||| ") {
            Some("|||||||")
        } else {
            None
        };
        if let Some(m) = marker {
            out.push(conflict(path, line, m));
        }
    }
    // A lone `=======` is a Markdown underline; with an opening marker it is a conflict.
    if saw_open {
        for line in pending_middle {
            out.push(conflict(path, line, "======="));
        }
    }
    out.sort_by_key(|f| (f.line, f.guard));
    out
}

fn conflict(path: &str, line: usize, marker: &str) -> Finding {
    Finding {
        guard: Guard::ConflictMarkers,
        severity: Severity::Block,
        path: path.to_string(),
        line: Some(line),
        detail: format!("merge conflict marker `{marker}`"),
        rule: None,
    }
}

/// A file over `block_mb` is blocked (GitHub rejects it); over `warn_mb` it is warned about.
pub fn check_size(path: &str, size: u64, warn_mb: u64, block_mb: u64) -> Option<Finding> {
    const MB: u64 = 1024 * 1024;
    let shown = format!("{:.2} MB", size as f64 / MB as f64);
    if size > block_mb * MB {
        Some(Finding {
            guard: Guard::LargeFile,
            severity: Severity::Block,
            path: path.into(),
            line: None,
            detail: format!("{shown}: over GitHub's limit of {block_mb} MB; use Git LFS"),
            rule: None,
        })
    } else if size > warn_mb * MB {
        Some(Finding {
            guard: Guard::LargeFile,
            severity: Severity::Warn,
            path: path.into(),
            line: None,
            detail: format!("{shown}: over GitHub's recommended {warn_mb} MB"),
            rule: None,
        })
    } else {
        None
    }
}

/// An exception granted with `--allow GUARD:PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow {
    pub guard: Guard,
    pub path: String,
}

impl Allow {
    pub fn parse(s: &str) -> Result<Allow, String> {
        let (g, p) = s
            .split_once(':')
            .ok_or_else(|| format!("{s:?} is not GUARD:PATH"))?;
        let guard = Guard::parse(g).ok_or_else(|| {
            format!(
                "unknown guard {g:?}: expected one of {}",
                Guard::ALL.map(|g| g.name()).join(", ")
            )
        })?;
        if p.is_empty() {
            return Err(format!("{s:?} names no path"));
        }
        Ok(Allow {
            guard,
            path: p.to_string(),
        })
    }

    pub fn covers(&self, f: &Finding) -> bool {
        self.guard == f.guard && self.path == f.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> Vec<Finding> {
        let mut f = scan_lines("f.ts", text.lines().enumerate().map(|(i, l)| (i + 1, l)));
        f.extend(scan_secrets(
            &RuleSet::builtin(),
            "f.ts",
            text.as_bytes(),
            None,
        ));
        f.sort_by_key(|f| (f.line, f.guard));
        f
    }

    #[test]
    fn guards_check_scans_a_file_under_its_repository_path_and_names_it_as_given() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("docs")).unwrap();
        let token = "ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8";
        std::fs::write(root.path().join("docs/a.txt"), format!("t = {token}\n")).unwrap();
        let allow_docs = "[extend]\nuseDefault = true\n[allowlist]\npaths = ['^docs/']\n";
        std::fs::write(root.path().join(".gitleaks.toml"), allow_docs).unwrap();
        let (rules, origin) = trial_rules(None, Some(root.path()), None).unwrap();
        assert_eq!(origin, ".gitleaks.toml");
        let file = root.path().join("docs/a.txt").display().to_string();
        let bytes = std::fs::read(&file).unwrap();
        let inputs = [(file.clone(), bytes.clone()), ("-".to_string(), bytes)];
        // The file is allowed by its repository path; stdin has none and is found.
        let f = scan_inputs(&rules, &inputs, Some(root.path()));
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].path, "-");
        // Outside the repository the same file is found, under the name given.
        let (builtin, origin) = trial_rules(None, None, None).unwrap();
        assert_eq!(origin, "built-in");
        let f = scan_inputs(&builtin, &inputs[..1], None);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].path, file);
        let e = trial_rules(None, Some(root.path()), Some("rules.toml")).unwrap_err();
        assert!(e.to_string().contains("which does not exist"), "{e}");
    }

    #[test]
    fn finds_planted_tokens_and_masks_them() {
        let gh = format!(
            "ghp_{}",
            "A1b2C3d4E5".repeat(4).chars().take(36).collect::<String>()
        );
        let text = format!("const t = \"{gh}\";\nconst k = 'AKIAQ3EGRTWPLXS7NB5M';\n");
        let f = scan(&text);
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(f[0].line, Some(1));
        assert!(
            f[0].detail.contains("[github-pat]: ghp_…(40 chars)"),
            "{}",
            f[0].detail
        );
        assert!(!f[0].detail.contains(&gh));
        assert!(
            f[1].detail.contains("[aws-access-key-id]: AKIA…(20 chars)"),
            "{}",
            f[1].detail
        );
    }

    #[test]
    fn only_added_lines_count_but_a_key_block_counts_when_any_line_is_added() {
        let rules = RuleSet::builtin();
        let tok = "ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8";
        let text = format!("a\nt = {tok}\nb\n");
        let added: BTreeSet<usize> = [1, 3].into();
        assert!(scan_secrets(&rules, "f", text.as_bytes(), Some(&added)).is_empty());
        let added: BTreeSet<usize> = [2].into();
        assert_eq!(
            scan_secrets(&rules, "f", text.as_bytes(), Some(&added)).len(),
            1
        );
        let body: String = (0..4)
            .map(|i| {
                format!("MIIEow{i}IBAAKCAQEAs9Qx7v1R2k4mJcXg8zNhYp5WbTLdUqFo3eKiVrZy6jHaC0t\n")
            })
            .collect();
        let pem =
            format!("x\n-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----\n");
        // Only the third line of the block is new: the whole block is still a finding.
        let added: BTreeSet<usize> = [4].into();
        let f = scan_secrets(&rules, "k.pem", pem.as_bytes(), Some(&added));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].detail.contains("lines 3-6"), "{}", f[0].detail);
    }

    #[test]
    fn a_secret_in_a_file_name_is_a_finding() {
        let name = "config/ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8.txt";
        let f = scan_secrets(&RuleSet::builtin(), name, b"nothing", None);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].detail.starts_with("in the file name"));
    }

    #[test]
    fn deliverable_text_findings_are_named_after_the_agent() {
        let f = scan_deliverable_text(
            &RuleSet::builtin(),
            "roy",
            "Set GH_TOKEN=ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8 in CI",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].path, "deliverable:roy");
        assert!(
            Allow::parse("secrets:deliverable:roy")
                .unwrap()
                .covers(&f[0])
        );
    }

    #[test]
    fn a_secret_the_message_takes_from_elsewhere_is_named_after_its_deliverable() {
        let rules = RuleSet::builtin();
        let tok = "ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8";
        let aws = "AKIAQ3EGRTWPLXS7NB5M";
        let texts = vec![("roy".to_string(), format!("Deploy with {tok}"))];
        let deliverables = vec![
            (
                "roy".to_string(),
                serde_json::json!({"completedWork": [format!("Deploy with {tok}")]}),
            ),
            (
                "billy".to_string(),
                serde_json::json!({"coverage": format!("88% (key {aws})")}),
            ),
        ];
        // The message carries roy's token (already found in roy's text), billy's key through a
        // QA figure, and a key no deliverable holds.
        let message = format!(
            "feat: x\n\n- Deploy with {tok}\nTest Coverage: 88% (key {aws})\nkey AKIAZ7VRSQ5TJNQGPL4W\n"
        );
        let f = scan_commit_text(&rules, &texts, Some(&message), &deliverables);
        let names: Vec<&str> = f.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            names,
            ["deliverable:roy", "deliverable:billy", "commit-message"],
            "{f:#?}"
        );
        assert!(
            f.iter()
                .all(|f| !f.detail.contains(tok) && !f.detail.contains(aws))
        );
        assert!(
            Allow::parse("secrets:commit-message")
                .unwrap()
                .covers(&f[2])
        );
    }

    #[test]
    fn ordinary_code_is_not_a_secret() {
        let text = "const ghp = process.env.GH_TOKEN;\nconst id = 'AKIA';\n// sk_test_123\nconst k = 'ghp_short';\n";
        assert!(scan(text).is_empty(), "{:?}", scan(text));
    }

    #[test]
    fn conflict_markers_need_an_opening_marker_for_the_middle() {
        assert!(scan("Title\n=======\n").is_empty());
        let f = scan("<<<<<<< HEAD\na\n=======\nb\n>>>>>>> branch\n");
        assert_eq!(
            f.iter().map(|f| f.line.unwrap()).collect::<Vec<_>>(),
            [1, 3, 5]
        );
    }

    #[test]
    fn sizes() {
        const MB: u64 = 1024 * 1024;
        assert_eq!(
            check_size("a", 101 * MB, 50, 100).unwrap().severity,
            Severity::Block
        );
        assert_eq!(
            check_size("a", 51 * MB, 50, 100).unwrap().severity,
            Severity::Warn
        );
        assert!(check_size("a", 50 * MB, 50, 100).is_none());
    }

    #[test]
    fn allow_parses_and_covers() {
        let a = Allow::parse("secrets:src/a.ts").unwrap();
        assert_eq!(a.guard, Guard::Secrets);
        assert!(
            Allow::parse("nope:x")
                .unwrap_err()
                .contains("unknown guard")
        );
        assert!(Allow::parse("secrets").is_err());
        assert!(Allow::parse("secrets:").is_err());
    }
}
