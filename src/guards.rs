//! The guards (README "The guards"), run on what would be committed before anything is staged: secrets in
//! added lines (high-precision rules only, value masked), merge conflict markers, and file sizes.

use std::sync::LazyLock;

use regex::Regex;

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
}

struct Rule {
    name: &'static str,
    re: Regex,
    /// Capture group holding the secret (0 for the whole match).
    group: usize,
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let r = |name, pat: &str, group| Rule {
        name,
        re: Regex::new(pat).expect("static secret rule"),
        group,
    };
    vec![
        r("GitHub token", r"\b(gh[pousr]_[A-Za-z0-9]{36,255})\b", 1),
        r(
            "GitHub fine-grained token",
            r"\b(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b",
            1,
        ),
        r(
            "AWS access key id",
            r"\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
            1,
        ),
        r(
            "AWS secret access key",
            r#"(?i)aws.{0,20}?(?:secret|private).{0,20}?['"=:\s]\s*['"]?([A-Za-z0-9/+]{40})\b"#,
            1,
        ),
        r(
            "Slack token",
            r"\b(xox[baprs]-[0-9]{8,13}-[0-9A-Za-z-]{8,})",
            1,
        ),
        r(
            "Slack webhook",
            r"(https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{20,})",
            1,
        ),
        r(
            "Stripe secret key",
            r"\b((?:sk|rk)_live_[0-9A-Za-z]{24,99})\b",
            1,
        ),
        r("Google API key", r"\b(AIza[0-9A-Za-z_-]{35})", 1),
        r("npm token", r"\b(npm_[A-Za-z0-9]{36})\b", 1),
        r(
            "private key",
            r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----",
            0,
        ),
    ]
});

/// `ghp_…(40 chars)`: enough to recognise, not enough to use.
pub fn mask(secret: &str) -> String {
    let keep: String = secret.chars().take(4).collect();
    format!("{keep}…({} chars)", secret.chars().count())
}

/// `text` with every secret the rules recognise replaced by its masked form, for display.
pub fn redact(text: &str) -> std::borrow::Cow<'_, str> {
    let mut out = std::borrow::Cow::Borrowed(text);
    for rule in RULES.iter() {
        if !rule.re.is_match(&out) {
            continue;
        }
        let replaced = rule
            .re
            .replace_all(&out, |caps: &regex::Captures<'_>| {
                let whole = caps.get(0).expect("group 0").as_str();
                match caps.get(rule.group).filter(|_| rule.group != 0) {
                    Some(m) => whole.replace(m.as_str(), &mask(m.as_str())),
                    None => whole.to_string(),
                }
            })
            .into_owned();
        out = std::borrow::Cow::Owned(replaced);
    }
    out
}

/// Secrets and conflict markers in the lines a change adds. `added` holds (1-based line, text).
pub fn scan_lines<'a>(
    path: &str,
    added: impl IntoIterator<Item = (usize, &'a str)>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut saw_open = false;
    let mut pending_middle: Vec<usize> = Vec::new();
    for (line, text) in added {
        for rule in RULES.iter() {
            for caps in rule.re.captures_iter(text) {
                let m = caps
                    .get(rule.group)
                    .or_else(|| caps.get(0))
                    .expect("a match has group 0");
                let shown = if rule.group == 0 {
                    m.as_str().to_string()
                } else {
                    mask(m.as_str())
                };
                out.push(Finding {
                    guard: Guard::Secrets,
                    severity: Severity::Block,
                    path: path.to_string(),
                    line: Some(line),
                    detail: format!("{}: {shown}", rule.name),
                });
            }
        }
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
        })
    } else if size > warn_mb * MB {
        Some(Finding {
            guard: Guard::LargeFile,
            severity: Severity::Warn,
            path: path.into(),
            line: None,
            detail: format!("{shown}: over GitHub's recommended {warn_mb} MB"),
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
        scan_lines("f.ts", text.lines().enumerate().map(|(i, l)| (i + 1, l)))
    }

    #[test]
    fn finds_planted_tokens_and_masks_them() {
        let gh = format!(
            "ghp_{}",
            "A1b2C3d4E5".repeat(4).chars().take(36).collect::<String>()
        );
        let text = format!("const t = \"{gh}\";\nconst k = 'AKIAIOSFODNN7EXAMPLE';\n");
        let f = scan(&text);
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(f[0].line, Some(1));
        assert!(
            f[0].detail.starts_with("GitHub token: ghp_…(40 chars)"),
            "{}",
            f[0].detail
        );
        assert!(!f[0].detail.contains(&gh));
        assert!(
            f[1].detail
                .starts_with("AWS access key id: AKIA…(20 chars)")
        );
    }

    #[test]
    fn redact_masks_secrets_in_any_text() {
        let t = "let a = 'AKIAIOSFODNN7EXAMPLE'; // and xoxb-1234567890-abcdefghijkl";
        let r = redact(t);
        assert_eq!(r, "let a = 'AKIA…(20 chars)'; // and xoxb…(28 chars)");
        assert!(matches!(redact("plain"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn other_rules_fire() {
        let cases = [
            "aws_secret_access_key = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "xoxb-1234567890-abcdefghijkl",
            concat!("sk_", "live_", "4eC39HqLyjWDarjtT1zdp7dc"),
        ];
        for c in cases {
            assert_eq!(scan(c).len(), 1, "{c}");
        }
    }

    #[test]
    fn ordinary_code_is_not_a_secret() {
        let text = "const ghp = process.env.GH_TOKEN;\nconst id = 'AKIA';\n// sk_test_123\nconst k = 'ghp_short';\n";
        assert!(scan(text).is_empty());
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
