//! Reading a secret-rule file in the gitleaks configuration format.
//!
//! The format is the one gitleaks reads (`.gitleaks.toml`): `title`, `[extend]` with `useDefault`
//! and `disabledRules`, `[[rules]]` with `id`, `description`, `regex`, `secretGroup`, `entropy`,
//! `keywords`, `path`, `tags` and `[[rules.allowlists]]` (or the older single
//! `[rules.allowlist]`), a global `[allowlist]` and `[[allowlists]]` (with `targetRules`). An
//! allowlist has `description`, `condition` (`OR`, the default, or `AND`), `regexTarget` (`secret`,
//! the default, `match` or `line`), `regexes`, `stopwords`, `paths` and `commits`.
//!
//! What berry cannot honour is refused with an error naming it, never ignored: `[extend] path` and
//! `url`, composite rules (`[[rules.required]]`), `skipReport`, and any key gitleaks does not know
//! (a misspelt `useDefualt` would otherwise silently change what is scanned). The keys `tps` and
//! `fps` of a rule hold its true- and false-positive examples (gitleaks ignores them; berry's own
//! rule file uses them as test data).

use serde::Deserialize;

/// A whole rule file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleFile {
    pub title: Option<String>,
    pub extend: Extend,
    pub rules: Vec<RuleSpec>,
    /// `[allowlist]` and every `[[allowlists]]`.
    pub allowlists: Vec<AllowlistSpec>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extend {
    /// Start from berry's built-in rules.
    pub use_default: bool,
    /// Built-in rule ids left out.
    pub disabled_rules: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleSpec {
    pub id: String,
    pub description: String,
    pub regex: Option<String>,
    pub secret_group: Option<usize>,
    pub entropy: Option<f64>,
    pub keywords: Vec<String>,
    pub path: Option<String>,
    pub tags: Vec<String>,
    pub allowlists: Vec<AllowlistSpec>,
    /// True-positive examples (berry's rule file; ignored by gitleaks).
    pub tps: Vec<String>,
    /// False-positive examples.
    pub fps: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AllowlistSpec {
    pub description: String,
    /// Every listed kind of check must match (`AND`), not just one (`OR`).
    pub all: bool,
    pub regex_target: Target,
    pub regexes: Vec<String>,
    pub stopwords: Vec<String>,
    pub paths: Vec<String>,
    pub commits: Vec<String>,
    /// For a global `[[allowlists]]`: only these rules (empty: all).
    pub target_rules: Vec<String>,
}

/// What an allowlist's `regexes` are matched against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Target {
    #[default]
    Secret,
    Match,
    Line,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawFile {
    title: Option<String>,
    min_version: Option<String>,
    #[serde(default)]
    extend: Option<RawExtend>,
    #[serde(default)]
    rules: Vec<RawRule>,
    allowlist: Option<RawAllowlist>,
    #[serde(default)]
    allowlists: Vec<RawAllowlist>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawExtend {
    #[serde(default)]
    use_default: bool,
    path: Option<String>,
    url: Option<String>,
    #[serde(default)]
    disabled_rules: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawRule {
    id: String,
    #[serde(default)]
    description: String,
    regex: Option<String>,
    secret_group: Option<usize>,
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Vec<String>,
    path: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    allowlist: Option<RawAllowlist>,
    #[serde(default)]
    allowlists: Vec<RawAllowlist>,
    skip_report: Option<bool>,
    required: Option<toml::Value>,
    #[serde(default)]
    tps: Vec<String>,
    #[serde(default)]
    fps: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawAllowlist {
    #[serde(default)]
    description: String,
    condition: Option<String>,
    regex_target: Option<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    commits: Vec<String>,
    #[serde(default)]
    target_rules: Vec<String>,
}

/// Parses a gitleaks-format rule file; `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> Result<RuleFile, String> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let msg = e.message().to_string();
        if msg.starts_with("unknown field") {
            format!("{origin}: unsupported gitleaks setting: {msg}")
        } else {
            format!("{origin}: {}", e.to_string().trim_end())
        }
    })?;
    from_raw(raw, origin)
}

/// berry's built-in rules (`rules.toml` without its examples), as `build.rs` writes them: static
/// data copied into the rule file, so nothing is parsed at start-up. They go through the same
/// checks as [`parse`].
pub fn builtin(origin: &str) -> Result<RuleFile, String> {
    let raw = RawFile {
        title: generated::TITLE.map(String::from),
        min_version: generated::MIN_VERSION.map(String::from),
        extend: None,
        rules: generated::RULES.iter().map(StaticRule::raw).collect(),
        allowlist: generated::ALLOWLIST.as_ref().map(StaticAllowlist::raw),
        allowlists: generated::ALLOWLISTS
            .iter()
            .map(StaticAllowlist::raw)
            .collect(),
    };
    from_raw(raw, origin)
}

/// The rule file `build.rs` generates from `rules.toml`.
mod generated {
    use super::{StaticAllowlist, StaticRule};
    include!(concat!(env!("OUT_DIR"), "/rules.rs"));
}

/// A built-in rule as static data (the fields of [`RawRule`] but the examples).
struct StaticRule {
    id: &'static str,
    description: &'static str,
    regex: Option<&'static str>,
    secret_group: Option<usize>,
    entropy: Option<f64>,
    keywords: &'static [&'static str],
    path: Option<&'static str>,
    tags: &'static [&'static str],
    skip_report: Option<bool>,
    allowlist: Option<StaticAllowlist>,
    allowlists: &'static [StaticAllowlist],
}

/// A built-in allowlist as static data (the fields of [`RawAllowlist`]).
struct StaticAllowlist {
    description: &'static str,
    condition: Option<&'static str>,
    regex_target: Option<&'static str>,
    regexes: &'static [&'static str],
    stopwords: &'static [&'static str],
    paths: &'static [&'static str],
    commits: &'static [&'static str],
    target_rules: &'static [&'static str],
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl StaticRule {
    fn raw(&self) -> RawRule {
        RawRule {
            id: self.id.into(),
            description: self.description.into(),
            regex: self.regex.map(String::from),
            secret_group: self.secret_group,
            entropy: self.entropy,
            keywords: owned(self.keywords),
            path: self.path.map(String::from),
            tags: owned(self.tags),
            allowlist: self.allowlist.as_ref().map(StaticAllowlist::raw),
            allowlists: self.allowlists.iter().map(StaticAllowlist::raw).collect(),
            skip_report: self.skip_report,
            required: None,
            tps: Vec::new(),
            fps: Vec::new(),
        }
    }
}

impl StaticAllowlist {
    fn raw(&self) -> RawAllowlist {
        RawAllowlist {
            description: self.description.into(),
            condition: self.condition.map(String::from),
            regex_target: self.regex_target.map(String::from),
            regexes: owned(self.regexes),
            stopwords: owned(self.stopwords),
            paths: owned(self.paths),
            commits: owned(self.commits),
            target_rules: owned(self.target_rules),
        }
    }
}

fn from_raw(raw: RawFile, origin: &str) -> Result<RuleFile, String> {
    let _ = raw.min_version;
    let mut out = RuleFile {
        title: raw.title,
        ..RuleFile::default()
    };
    if let Some(ext) = raw.extend {
        if ext.path.is_some() || ext.url.is_some() {
            return Err(format!(
                "{origin}: unsupported gitleaks setting: [extend] {} (berry extends only its built-in rules, with useDefault = true)",
                if ext.path.is_some() { "path" } else { "url" }
            ));
        }
        out.extend = Extend {
            use_default: ext.use_default,
            disabled_rules: ext.disabled_rules,
        };
    }
    for (i, r) in raw.rules.into_iter().enumerate() {
        let at = format!("{origin}: rule {} ({:?})", i + 1, r.id);
        if r.id.trim().is_empty() {
            return Err(format!("{origin}: rule {} has no id", i + 1));
        }
        if r.required.is_some() {
            return Err(format!(
                "{at}: unsupported gitleaks setting: required (composite rules)"
            ));
        }
        if r.skip_report.is_some() {
            return Err(format!("{at}: unsupported gitleaks setting: skipReport"));
        }
        let mut allowlists = Vec::new();
        for a in r.allowlist.into_iter().chain(r.allowlists) {
            if !a.target_rules.is_empty() {
                return Err(format!(
                    "{at}: targetRules belongs in a global [[allowlists]], not in a rule's"
                ));
            }
            allowlists.push(allowlist(a, &at)?);
        }
        out.rules.push(RuleSpec {
            id: r.id,
            description: r.description,
            regex: r.regex,
            secret_group: r.secret_group,
            entropy: r.entropy,
            keywords: r.keywords,
            path: r.path,
            tags: r.tags,
            allowlists,
            tps: r.tps,
            fps: r.fps,
        });
    }
    for a in raw.allowlist.into_iter().chain(raw.allowlists) {
        out.allowlists
            .push(allowlist(a, &format!("{origin}: allowlist"))?);
    }
    Ok(out)
}

fn allowlist(a: RawAllowlist, at: &str) -> Result<AllowlistSpec, String> {
    let all = match a
        .condition
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("OR") => false,
        Some("AND") => true,
        Some(other) => {
            return Err(format!(
                "{at}: condition {other:?} is neither \"OR\" nor \"AND\""
            ));
        }
    };
    let regex_target = match a.regex_target.as_deref() {
        None | Some("") | Some("secret") => Target::Secret,
        Some("match") => Target::Match,
        Some("line") => Target::Line,
        Some(other) => {
            return Err(format!(
                "{at}: regexTarget {other:?} is not one of \"secret\", \"match\", \"line\""
            ));
        }
    };
    if a.regexes.is_empty() && a.stopwords.is_empty() && a.paths.is_empty() && a.commits.is_empty()
    {
        return Err(format!(
            "{at}: an allowlist needs at least one of regexes, stopwords, paths or commits"
        ));
    }
    Ok(AllowlistSpec {
        description: a.description,
        all,
        regex_target,
        regexes: a.regexes,
        stopwords: a.stopwords,
        paths: a.paths,
        commits: a.commits,
        target_rules: a.target_rules,
    })
}

/// `base` extended by `file` as gitleaks merges an extended configuration: a rule of `file` with
/// the id of a base rule takes the base rule's regex, path, secret group, entropy and description
/// where it sets none, adds to its keywords, tags and allowlists; other rules are added; disabled
/// base rules are dropped; global allowlists add up.
pub fn merge(base: &RuleFile, file: RuleFile) -> RuleFile {
    let mut rules: Vec<RuleSpec> = base
        .rules
        .iter()
        .filter(|r| !file.extend.disabled_rules.contains(&r.id))
        .cloned()
        .collect();
    for r in file.rules {
        match rules.iter_mut().find(|b| b.id == r.id) {
            Some(b) => {
                if !r.description.is_empty() {
                    b.description = r.description;
                }
                if r.regex.is_some() {
                    b.regex = r.regex;
                }
                if r.path.is_some() {
                    b.path = r.path;
                }
                if r.secret_group.is_some() {
                    b.secret_group = r.secret_group;
                }
                if r.entropy.is_some() {
                    b.entropy = r.entropy;
                }
                for k in r.keywords {
                    if !b.keywords.contains(&k) {
                        b.keywords.push(k);
                    }
                }
                b.tags.extend(r.tags);
                b.allowlists.extend(r.allowlists);
            }
            None => rules.push(r),
        }
    }
    let mut allowlists = base.allowlists.clone();
    allowlists.extend(file.allowlists);
    RuleFile {
        title: file.title.or(base.title.clone()),
        extend: Extend::default(),
        rules,
        allowlists,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_gitleaks_fields() {
        let f = parse(
            r#"
title = "team"
[extend]
useDefault = true
disabledRules = ["generic-api-key"]

[[rules]]
id = "acme"
description = "Acme key"
regex = '''acme_([a-z0-9]{32})'''
secretGroup = 1
entropy = 3.0
keywords = ["acme_"]
path = '''\.env$'''
tags = ["acme"]
[[rules.allowlists]]
condition = "AND"
regexTarget = "line"
regexes = ['''example''']
stopwords = ["sample"]
paths = ['''^docs/''']

[allowlist]
paths = ['''^vendor/''']

[[allowlists]]
targetRules = ["acme"]
regexes = ["^acme_0+$"]
"#,
            "t",
        )
        .unwrap();
        assert!(f.extend.use_default);
        assert_eq!(f.extend.disabled_rules, ["generic-api-key"]);
        let r = &f.rules[0];
        assert_eq!(
            (r.secret_group, r.entropy, r.path.as_deref()),
            (Some(1), Some(3.0), Some(r"\.env$"))
        );
        assert!(r.allowlists[0].all);
        assert_eq!(r.allowlists[0].regex_target, Target::Line);
        assert_eq!(f.allowlists.len(), 2);
        assert_eq!(f.allowlists[1].target_rules, ["acme"]);
    }

    #[test]
    fn refuses_what_it_cannot_honour_by_name() {
        let cases = [
            ("[extend]\npath = \"other.toml\"\n", "[extend] path"),
            ("[extend]\nurl = \"https://x\"\n", "[extend] url"),
            ("[extend]\nuseDefualt = true\n", "useDefualt"),
            (
                "[[rules]]\nid = \"a\"\nregex = \"a\"\n[[rules.required]]\nid = \"b\"\n",
                "required",
            ),
            (
                "[[rules]]\nid = \"a\"\nregex = \"a\"\nskipReport = true\n",
                "skipReport",
            ),
            ("[[rules]]\nid = \"a\"\nregexx = \"a\"\n", "regexx"),
            (
                "[allowlist]\nregexTarget = \"file\"\nregexes = [\"a\"]\n",
                "regexTarget",
            ),
            ("[allowlist]\ncondition = \"XOR\"\npaths = [\"a\"]\n", "XOR"),
            ("[allowlist]\ndescription = \"empty\"\n", "at least one"),
        ];
        for (text, named) in cases {
            let e = parse(text, "f.toml").unwrap_err();
            assert!(e.contains(named), "{text:?}: {e}");
            assert!(e.starts_with("f.toml"), "{e}");
        }
    }

    #[test]
    fn merging_keeps_the_base_regex_and_adds_allowlists() {
        let base = parse(
            "[[rules]]\nid = \"a\"\nregex = \"a+\"\nkeywords = [\"a\"]\n[[rules]]\nid = \"b\"\nregex = \"b+\"\n",
            "base",
        )
        .unwrap();
        let mine = parse(
            "[extend]\nuseDefault = true\ndisabledRules = [\"b\"]\n[[rules]]\nid = \"a\"\n[[rules.allowlists]]\nstopwords = [\"aaa\"]\n[[rules]]\nid = \"c\"\nregex = \"c+\"\n",
            "mine",
        )
        .unwrap();
        let m = merge(&base, mine);
        let ids: Vec<&str> = m.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a", "c"]);
        assert_eq!(m.rules[0].regex.as_deref(), Some("a+"));
        assert_eq!(m.rules[0].allowlists.len(), 1);
    }
}
