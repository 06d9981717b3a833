//! The secret scanner: rules as data in the gitleaks configuration format, ONE scan entry point
//! ([`RuleSet::scan`]) and ONE masker ([`mask_text`]) for every text berry shows or sends.
//!
//! How a file is scanned:
//! - a small DFA over the minimal keywords finds the lines that hold a rule keyword (ASCII
//!   case-insensitive; `keywords.rs`), then an Aho-Corasick automaton over those lines alone
//!   finds which keywords occur and where; only the rules with a keyword present (and the rules
//!   without keywords) run their regex, so the cost barely grows with the number of rules; a
//!   rule whose matches begin with a keyword is tried only where such a match can start
//!   (anchored), one whose matches hold a keyword and span few lines only on the lines around
//!   its hits, the others over the whole text; for the first few KB a rule set scans (a
//!   command masking what it shows) the keywords are found with no automaton to build, and the
//!   line finder is built once 64 KB were scanned;
//! - regexes are byte regexes with ASCII classes, as gitleaks' Go regexes: binary content is
//!   scanned as it is, and UTF-16 or UTF-32 text is decoded and scanned as well;
//! - a rule's secret is its `secretGroup` (else its first capture group that matched, else the
//!   whole match); with `entropy` set, the secret's Shannon entropy must be above it;
//! - a match is dropped when an allowlist of its rule, or a global one, says so; built-in
//!   placeholder checks (a run of one character, `x`/`*` fill, `${VAR}`, `<...>`) drop values
//!   that are plainly not secrets;
//! - multi-line secrets (PEM private keys, a JSON service account's `private_key`) are one match
//!   and are masked whole.
//!
//! The masker replaces every known secret value (the credentials berry itself holds, registered
//! with [`add_known_secret`]) and every rule finding with its masked form ([`mask`]).

pub mod config;
mod decode;
mod keywords;

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, OnceLock, RwLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::{Regex, RegexBuilder};
use regex_automata::{Input, meta};

pub use config::{RuleFile, RuleSpec, Target};

/// berry's built-in rules, in the gitleaks format, with their examples (the source of the JSON
/// `build.rs` embeds; the tests read it).
#[cfg(test)]
const DEFAULT_RULES: &str = include_str!("rules.toml");

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub description: String,
    /// The regex's pattern, and the regex, compiled on first use: a command that masks a few
    /// lines compiles only the rules whose keywords those lines hold.
    pattern: Option<String>,
    regex: OnceLock<Option<meta::Regex>>,
    /// How far from a keyword hit the rule's matches reach, in lines, when that is bounded
    /// ([`reach`]); computed on first use.
    reach: OnceLock<Option<usize>>,
    /// Where a match can start, measured from a keyword hit, when every match begins with a
    /// string holding one of the rule's keywords ([`starts`]): (keyword's place in the automaton,
    /// its offset from the match's start). Computed on first use.
    starts: OnceLock<Option<Vec<(usize, usize)>>>,
    path: Option<Regex>,
    secret_group: Option<usize>,
    entropy: Option<f64>,
    keywords: Vec<String>,
    /// Each keyword's place in the rule set's keyword automaton.
    keyword_ids: Vec<usize>,
    allowlists: Vec<Allowlist>,
}

#[derive(Debug)]
struct Allowlist {
    all: bool,
    target: Target,
    /// The `regexes` and `paths` patterns, compiled on first use (the built-in allowlists;
    /// a repository's are compiled when its rules are, so a bad one is an error at once).
    regex_src: Vec<String>,
    path_src: Vec<String>,
    compiled: OnceLock<(Vec<Regex>, Vec<Regex>)>,
    stopwords: Vec<String>,
    has_commits: bool,
    target_rules: Vec<String>,
}

/// One secret found: the rule, where the secret is, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub rule_id: String,
    pub description: String,
    /// Byte range of the secret in the scanned text (the decoded text for UTF-16/32).
    pub start: usize,
    pub end: usize,
    /// 1-based lines of the secret's first and last byte.
    pub line: usize,
    pub end_line: usize,
    pub secret: String,
    /// The content was decoded from UTF-16 or UTF-32 to be scanned (offsets are of that text).
    pub decoded: bool,
}

/// The rules a repository scans with: built-in and its own, compiled once.
#[derive(Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    global: Vec<Allowlist>,
    /// The keywords, lowercase; the automata over them are built on first use: a small one
    /// (quick to build) for short texts, a DFA (the fastest search) once more than
    /// [`DFA_AFTER`] bytes were scanned.
    words: Vec<String>,
    keywords_small: OnceLock<Option<AhoCorasick>>,
    keywords_dfa: OnceLock<Option<AhoCorasick>>,
    scanned: AtomicUsize,
    /// The lines holding a keyword, found first; the keyword automaton then runs on them alone.
    line_finder: OnceLock<Option<keywords::LineFinder>>,
    /// For each keyword of the automaton, the rules that name it.
    keyword_rules: Vec<Vec<usize>>,
    /// The straightforward scan, for the tests that compare the fast one with it: the keyword
    /// automaton over the whole text, and every rule with a keyword present over the whole text.
    reference: bool,
    /// How keywords are searched, by the bytes this rule set has scanned so far, the current
    /// text included: up to `search_after`, each place against the keywords of its first byte
    /// (no automaton to build: a process that only masks its output scans a few KB); beyond
    /// `line_finder_after`, the lines holding one found first. The defaults are
    /// [`SEARCH_AFTER`] and [`LINE_FINDER_AFTER`]; the tests set others to try every way on
    /// every text.
    search_after: usize,
    line_finder_after: usize,
    by_first_byte: OnceLock<Option<keywords::ByFirstByte>>,
    /// For each rule, its keywords' places in the automaton.
    rule_keywords: Vec<Vec<usize>>,
    /// Rules without keywords: they always run.
    always: Vec<usize>,
    /// The rules without keywords tried only where their matches can begin, built on first use.
    openings: OnceLock<Option<Openings>>,
    /// Rules with a `path` and no regex: they report the file itself.
    path_only: Vec<usize>,
    /// `.gitleaksignore` fingerprints: `path:rule-id:line`.
    ignored: HashSet<String>,
    /// The keywords of the rules whose match can span lines, built on first use
    /// ([`RuleSet::may_open_block`]).
    block_words: OnceLock<Option<AhoCorasick>>,
}

/// The rules without keywords whose matches begin with one of a few strings
/// ([`opening_strings`]): one search for all those strings finds every place where one of them
/// occurs, and each such rule is tried there alone, anchored.
#[derive(Debug)]
struct Openings {
    finder: AhoCorasick,
    /// Each rule, with its strings.
    rules: Vec<(usize, Vec<Vec<u8>>)>,
}

/// Bytes scanned before the keyword DFA is built (its construction costs more than a short text's
/// search).
const DFA_AFTER: usize = 1 << 20;

/// Bytes a rule set scans with no keyword automaton (see [`RuleSet::search_after`]): what a
/// command shows is masked without building one (the automaton took a fifth of `berry status`).
const SEARCH_AFTER: usize = 16 * 1024;

/// Bytes a rule set scans before it finds keyword lines first (building the line finder costs
/// more than it saves on a few short texts).
const LINE_FINDER_AFTER: usize = 64 * 1024;

impl Rule {
    /// The rule's regex, compiled on first use (a rule set's patterns were checked when it was
    /// compiled, or, for the built-in rules, by their unit tests).
    fn regex(&self) -> Option<&meta::Regex> {
        self.regex
            .get_or_init(|| {
                self.pattern.as_deref().map(|p| {
                    compile_rule_regex(p, &self.id).expect("rule patterns are checked before use")
                })
            })
            .as_ref()
    }

    /// `Some(n)`: every match holds one of the rule's keywords and spans at most `n` line feeds,
    /// so the rule needs to run only on the lines around its keywords' hits.
    fn reach(&self) -> Option<usize> {
        *self
            .reach
            .get_or_init(|| reach(self.pattern.as_deref()?, &self.keywords))
    }

    /// `Some`: every match starts at a keyword hit less one of these offsets, so the rule needs
    /// to be tried only there, anchored ([`starts`]).
    fn starts(&self) -> Option<&[(usize, usize)]> {
        self.starts
            .get_or_init(|| {
                let found = starts(self.pattern.as_deref()?, &self.keywords)?;
                Some(
                    found
                        .into_iter()
                        .map(|(k, off)| (self.keyword_ids[k], off))
                        .collect(),
                )
            })
            .as_deref()
    }
}

/// A rule's regex as [`compile_regex`] builds one, as the search engine itself: it can search a
/// part of a text while its assertions (`\b`, `^`, `$`) still see the text around that part.
fn compile_rule_regex(pattern: &str, what: &str) -> Result<meta::Regex, String> {
    use regex_automata::util::syntax;
    let build = |unicode: bool| {
        meta::Regex::builder()
            .configure(
                meta::Config::new()
                    .match_kind(regex_automata::MatchKind::LeftmostFirst)
                    .utf8_empty(false)
                    .nfa_size_limit(Some(1 << 24))
                    .hybrid_cache_capacity(1 << 24),
            )
            .syntax(syntax::Config::new().unicode(unicode).utf8(false))
            .build(pattern)
            // Worded as the regex crate words it.
            .map_err(|e| {
                e.syntax_error()
                    .map_or_else(|| e.to_string(), |s| s.to_string())
            })
    };
    build(false)
        .or_else(|_| build(true))
        .map_err(|e| format!("{what}: invalid regex: {e}"))
}

/// Matches longer than this many line feeds are not looked for around keyword hits: such a rule
/// runs over the whole text.
const MAX_REACH: usize = 16;

/// How far around a keyword hit the matches of `pattern` can reach, in lines: `Some(n)` when every
/// match holds one of `keywords` (lowercase; matched ASCII case-insensitively, as the keyword
/// automaton finds them) and at most `n` line feeds. `None` when that cannot be shown from the
/// pattern's syntax; then the rule runs over the whole text whenever a keyword occurs.
fn reach(pattern: &str, keywords: &[String]) -> Option<usize> {
    if keywords.is_empty() {
        return None;
    }
    let hir = parse_pattern(pattern)?;
    let n = max_line_feeds(&hir)?;
    (n <= MAX_REACH && holds_keyword(&hir, keywords)).then_some(n)
}

/// The most line feeds a match of `h` can hold; `None` when unbounded.
fn max_line_feeds(h: &regex_syntax::hir::Hir) -> Option<usize> {
    use regex_syntax::hir::HirKind;
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(0),
        HirKind::Literal(l) => Some(l.0.iter().filter(|b| **b == b'\n').count()),
        HirKind::Class(c) => Some(usize::from(class_has(c, b'\n'))),
        HirKind::Repetition(r) => match max_line_feeds(&r.sub)? {
            0 => Some(0),
            n => r.max.map(|m| m as usize * n),
        },
        HirKind::Capture(c) => max_line_feeds(&c.sub),
        HirKind::Concat(v) => v.iter().try_fold(0, |a, h| Some(a + max_line_feeds(h)?)),
        HirKind::Alternation(v) => v.iter().try_fold(0, |a, h| Some(a.max(max_line_feeds(h)?))),
    }
}

fn class_has(c: &regex_syntax::hir::Class, byte: u8) -> bool {
    use regex_syntax::hir::Class;
    match c {
        Class::Bytes(c) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= byte && byte <= r.end()),
        Class::Unicode(c) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= byte as char && byte as char <= r.end()),
    }
}

/// Every string of `h`, ASCII-lowercased, when there are few (at most [`FEW`]) and they are
/// ASCII: a literal, a case-insensitive word, a small alternation of them.
fn strings(h: &regex_syntax::hir::Hir) -> Option<Vec<Vec<u8>>> {
    strings_as(h, true)
}

/// [`strings`], ASCII-lowercased when `fold`, else exactly as they match.
fn strings_as(h: &regex_syntax::hir::Hir, fold: bool) -> Option<Vec<Vec<u8>>> {
    let lower = |b: u8| if fold { b.to_ascii_lowercase() } else { b };
    use regex_syntax::hir::{Class, HirKind};
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(vec![Vec::new()]),
        HirKind::Literal(l) => Some(vec![if fold {
            l.0.to_ascii_lowercase()
        } else {
            l.0.to_vec()
        }]),
        HirKind::Class(c) => {
            let mut bytes: Vec<u8> = Vec::new();
            let mut add = |lo: u32, hi: u32| {
                if hi >= 0x80 || hi - lo >= FEW as u32 {
                    return false;
                }
                for b in lo..=hi {
                    let b = lower(b as u8);
                    if !bytes.contains(&b) {
                        bytes.push(b);
                    }
                }
                true
            };
            let ok = match c {
                Class::Bytes(c) => c
                    .ranges()
                    .iter()
                    .all(|r| add(r.start() as u32, r.end() as u32)),
                Class::Unicode(c) => c
                    .ranges()
                    .iter()
                    .all(|r| add(r.start() as u32, r.end() as u32)),
            };
            (ok && bytes.len() <= FEW).then(|| bytes.into_iter().map(|b| vec![b]).collect())
        }
        HirKind::Capture(c) => strings_as(&c.sub, fold),
        HirKind::Concat(v) => v.iter().try_fold(vec![Vec::new()], |acc, h| {
            product(&acc, &strings_as(h, fold)?)
        }),
        HirKind::Alternation(v) => {
            let mut out: Vec<Vec<u8>> = Vec::new();
            for h in v {
                out.extend(strings_as(h, fold)?);
            }
            (out.len() <= FEW).then_some(out)
        }
        HirKind::Repetition(r) => {
            let max = r.max? as usize;
            if max > 4 {
                return None;
            }
            let one = strings_as(&r.sub, fold)?;
            let mut at = vec![Vec::new()];
            for _ in 0..r.min {
                at = product(&at, &one)?;
            }
            let mut out = at.clone();
            for _ in r.min as usize..max {
                at = product(&at, &one)?;
                out.extend(at.iter().cloned());
            }
            (out.len() <= FEW).then_some(out)
        }
    }
}

/// At most this many strings are followed through [`strings`].
const FEW: usize = 64;

fn product(a: &[Vec<u8>], b: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    if a.len() * b.len() > FEW {
        return None;
    }
    Some(
        a.iter()
            .flat_map(|x| b.iter().map(move |y| [x.as_slice(), y].concat()))
            .collect(),
    )
}

/// Whether every match of `h` holds one of `keywords` (lowercase).
fn holds_keyword(h: &regex_syntax::hir::Hir, keywords: &[String]) -> bool {
    use regex_syntax::hir::HirKind;
    let all_hold = |set: &[Vec<u8>]| {
        !set.is_empty()
            && set.iter().all(|s| {
                keywords
                    .iter()
                    .any(|k| memchr::memmem::find(s, k.as_bytes()).is_some())
            })
    };
    if strings(h).is_some_and(|set| all_hold(&set)) {
        return true;
    }
    match h.kind() {
        HirKind::Capture(c) => holds_keyword(&c.sub, keywords),
        HirKind::Repetition(r) => r.min >= 1 && holds_keyword(&r.sub, keywords),
        HirKind::Alternation(v) => v.iter().all(|h| holds_keyword(h, keywords)),
        HirKind::Concat(v) => {
            if v.iter().any(|h| holds_keyword(h, keywords)) {
                return true;
            }
            // A keyword across consecutive parts: `(?i)ghp_` is four classes and a literal.
            (0..v.len()).any(|i| {
                let mut acc = vec![Vec::new()];
                for h in &v[i..] {
                    match strings(h).and_then(|s| product(&acc, &s)) {
                        Some(next) => acc = next,
                        None => return false,
                    }
                    if all_hold(&acc) {
                        return true;
                    }
                }
                false
            })
        }
        _ => false,
    }
}

/// Where the matches of `pattern` start, relative to its keywords' hits: `Some` when every match
/// begins with one of a few strings that each hold one of `keywords` (lowercase; [`lead`]), as a
/// list of (index in `keywords`, offset of that keyword in such a string). Every match then starts
/// at a hit of one of the keywords less its offset; an anchored search there finds exactly the
/// matches a search over the whole text finds, however many lines they span.
fn starts(pattern: &str, keywords: &[String]) -> Option<Vec<(usize, usize)>> {
    if keywords.is_empty() {
        return None;
    }
    let set = lead(&parse_pattern(pattern)?, true, &|set| {
        holds_any(set, keywords)
    })?;
    if !holds_any(&set, keywords) {
        return None;
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    for s in &set {
        for (k, word) in keywords.iter().enumerate() {
            for off in memchr::memmem::find_iter(s, word.as_bytes()) {
                if !out.contains(&(k, off)) {
                    out.push((k, off));
                }
            }
        }
    }
    (out.len() <= FEW).then_some(out)
}

/// The strings, exactly as they match, one of which every match of `pattern` begins with, each
/// at least two bytes long: a rule without keywords is tried only where one of them occurs
/// ([`Openings`]). `None` when there is no such small set.
fn opening_strings(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let long = |set: &[Vec<u8>]| set.iter().all(|s| s.len() >= 2);
    lead(&parse_pattern(pattern)?, false, &long).filter(|set| !set.is_empty() && long(set))
}

/// Whether every string of `set` (which is not empty) holds one of `keywords`.
fn holds_any(set: &[Vec<u8>], keywords: &[String]) -> bool {
    !set.is_empty()
        && set.iter().all(|s| {
            keywords
                .iter()
                .any(|k| memchr::memmem::find(s, k.as_bytes()).is_some())
        })
}

/// A few strings (ASCII-lowercased when `fold`) one of which every match of `h` begins with;
/// `None` when there is no such small set. A concatenation's set stops growing once it is
/// `enough`, or when it would grow past [`FEW`] strings.
fn lead(
    h: &regex_syntax::hir::Hir,
    fold: bool,
    enough: &dyn Fn(&[Vec<u8>]) -> bool,
) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::HirKind;
    if let Some(set) = strings_as(h, fold) {
        return Some(set);
    }
    match h.kind() {
        HirKind::Capture(c) => lead(&c.sub, fold, enough),
        // A match of the repetition begins with a match of its body.
        HirKind::Repetition(r) if r.min >= 1 => lead(&r.sub, fold, enough),
        HirKind::Alternation(v) => {
            let mut out: Vec<Vec<u8>> = Vec::new();
            for h in v {
                out.extend(lead(h, fold, enough)?);
            }
            (out.len() <= FEW).then_some(out)
        }
        HirKind::Concat(v) => {
            // Each part's strings, in turn; a part with too many closes the set with the
            // beginnings of its matches.
            let mut acc = vec![Vec::new()];
            for part in v {
                if enough(&acc) {
                    break;
                }
                match strings_as(part, fold) {
                    Some(set) => match product(&acc, &set) {
                        Some(next) => acc = next,
                        None => break,
                    },
                    None => {
                        if let Some(next) = lead(part, fold, enough).and_then(|l| product(&acc, &l))
                        {
                            acc = next;
                        }
                        break;
                    }
                }
            }
            Some(acc)
        }
        _ => None,
    }
}

fn compile_regex(pattern: &str, what: &str) -> Result<Regex, String> {
    // ASCII classes and word boundaries, as Go's RE2; Unicode only where a pattern needs it.
    // A lazy DFA cache big enough that scanning a large change does not keep clearing and
    // rebuilding it (it grows only as far as a pattern needs).
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(1 << 24)
        .dfa_size_limit(1 << 24)
        .build()
        .or_else(|_| {
            RegexBuilder::new(pattern)
                .size_limit(1 << 24)
                .dfa_size_limit(1 << 24)
                .build()
        })
        .map_err(|e| format!("{what}: invalid regex: {e}"))
}

/// Whether a match of `pattern` can hold any number of line feeds: a block (a PEM private key),
/// not a value a few lines from its name. A pattern that does not parse counts as one.
fn spans_lines_unbounded(pattern: &str) -> bool {
    parse_pattern(pattern).is_none_or(|h| max_line_feeds(&h).is_none())
}

/// `pattern` parsed as [`compile_regex`] reads it: ASCII classes first, Unicode where needed.
fn parse_pattern(pattern: &str) -> Option<regex_syntax::hir::Hir> {
    let parse = |unicode: bool| {
        regex_syntax::ParserBuilder::new()
            .unicode(unicode)
            .utf8(false)
            .build()
            .parse(pattern)
            .ok()
    };
    parse(false).or_else(|| parse(true))
}

fn compile_allowlist(
    a: &config::AllowlistSpec,
    what: &str,
    check: bool,
) -> Result<Allowlist, String> {
    let list = Allowlist {
        all: a.all,
        target: a.regex_target,
        regex_src: a.regexes.clone(),
        path_src: a.paths.clone(),
        compiled: OnceLock::new(),
        stopwords: a.stopwords.iter().map(|s| s.to_ascii_lowercase()).collect(),
        has_commits: !a.commits.is_empty(),
        target_rules: a.target_rules.clone(),
    };
    if check {
        let _ = list.compiled.set(list.compile(what)?);
    }
    Ok(list)
}

impl RuleSet {
    /// Compiles the rules of `file` (already merged with the built-in rules where it extends them),
    /// checking every pattern.
    pub fn compile(file: &RuleFile) -> Result<RuleSet, String> {
        RuleSet::compile_with(file, true)
    }

    /// `check`: compile and check every regex now; else each rule's regex is compiled when a scan
    /// first needs it (the built-in rules, whose patterns their unit tests check).
    fn compile_with(file: &RuleFile, check: bool) -> Result<RuleSet, String> {
        let mut rules = Vec::with_capacity(file.rules.len());
        let mut seen: HashSet<&str> = HashSet::with_capacity(file.rules.len());
        for r in &file.rules {
            // Named only in an error or when a regex is compiled now: formatting it for every
            // rule was a sixth of loading the rules.
            let what = || format!("rule {:?}", r.id);
            if !seen.insert(r.id.as_str()) {
                let what = what();
                return Err(format!("{what} is defined twice"));
            }
            if r.regex.is_none() && r.path.is_none() {
                let what = what();
                return Err(format!("{what} has neither regex nor path"));
            }
            let regex = OnceLock::new();
            if check {
                let what = what();
                let compiled = r
                    .regex
                    .as_deref()
                    .map(|p| compile_rule_regex(p, &what))
                    .transpose()?;
                if let (Some(re), Some(g)) = (&compiled, r.secret_group)
                    && g >= re.captures_len()
                {
                    return Err(format!(
                        "{what}: secretGroup {g} but the regex has {} group(s)",
                        re.captures_len() - 1
                    ));
                }
                let _ = regex.set(compiled);
            }
            rules.push(Rule {
                id: r.id.clone(),
                description: if r.description.is_empty() {
                    r.id.clone()
                } else {
                    r.description.clone()
                },
                pattern: r.regex.clone(),
                regex,
                reach: OnceLock::new(),
                starts: OnceLock::new(),
                path: r
                    .path
                    .as_deref()
                    .map(|p| compile_regex(p, &what()))
                    .transpose()?,
                secret_group: r.secret_group,
                entropy: r.entropy,
                keywords: r.keywords.iter().map(|k| k.to_ascii_lowercase()).collect(),
                keyword_ids: Vec::new(),
                allowlists: r
                    .allowlists
                    .iter()
                    .map(|a| compile_allowlist(a, &what(), check))
                    .collect::<Result<_, _>>()?,
            });
        }
        let global = file
            .allowlists
            .iter()
            .map(|a| compile_allowlist(a, "global allowlist", check))
            .collect::<Result<_, _>>()?;
        let mut words: Vec<String> = Vec::new();
        let mut word_at: std::collections::HashMap<String, usize> = Default::default();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        let mut rule_keywords: Vec<Vec<usize>> = vec![Vec::new(); rules.len()];
        for (i, r) in rules.iter_mut().enumerate() {
            if r.keywords.is_empty() {
                always.push(i);
            }
            r.keyword_ids.clear();
            for k in &r.keywords {
                let at = *word_at.entry(k.clone()).or_insert_with(|| {
                    words.push(k.clone());
                    keyword_rules.push(Vec::new());
                    words.len() - 1
                });
                if keyword_rules[at].last() != Some(&i) {
                    keyword_rules[at].push(i);
                }
                r.keyword_ids.push(at);
                if !rule_keywords[i].contains(&at) {
                    rule_keywords[i].push(at);
                }
            }
        }
        let path_only = (0..rules.len())
            .filter(|&i| rules[i].pattern.is_none() && rules[i].path.is_some())
            .collect();
        Ok(RuleSet {
            rules,
            global,
            words,
            keywords_small: OnceLock::new(),
            keywords_dfa: OnceLock::new(),
            scanned: AtomicUsize::new(0),
            line_finder: OnceLock::new(),
            keyword_rules,
            reference: false,
            search_after: SEARCH_AFTER,
            line_finder_after: LINE_FINDER_AFTER,
            by_first_byte: OnceLock::new(),
            rule_keywords,
            always,
            openings: OnceLock::new(),
            path_only,
            ignored: HashSet::new(),
            block_words: OnceLock::new(),
        })
    }

    /// The keyword automaton, `len` bytes having been scanned with this text.
    fn keywords(&self, len: usize) -> Option<&AhoCorasick> {
        if self.words.is_empty() {
            return None;
        }
        let build = |kind| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(kind)
                .build(&self.words)
                .ok()
        };
        if len > DFA_AFTER {
            self.keywords_dfa
                .get_or_init(|| build(Some(aho_corasick::AhoCorasickKind::DFA)))
                .as_ref()
        } else {
            self.keywords_small
                .get_or_init(|| build(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA)))
                .as_ref()
        }
    }

    /// Every occurrence of every keyword in `content` (as the keyword automaton's overlapping
    /// search reports them), `total` bytes having been scanned with it: on the lines that hold a
    /// keyword once [`LINE_FINDER_AFTER`] bytes were scanned (the line finder's construction
    /// then pays for itself), else over the whole text.
    fn search_keywords(&self, content: &[u8], total: usize, on_hit: &mut dyn FnMut(usize, usize)) {
        let Some(ac) = self.keywords(total) else {
            return;
        };
        let finder = (!self.reference && total > self.line_finder_after)
            .then(|| self.line_finder())
            .flatten();
        match finder {
            // Keywords lie within lines: the automaton over the lines that hold one finds every
            // occurrence it finds over the whole text, in the same order.
            Some(finder) => {
                let mut ranges = Vec::new();
                finder.lines(content, &mut ranges);
                for (a, b) in ranges {
                    for m in ac.find_overlapping_iter(&content[a..b]) {
                        on_hit(m.pattern().as_usize(), a + m.start());
                    }
                }
            }
            None => {
                for m in ac.find_overlapping_iter(content) {
                    on_hit(m.pattern().as_usize(), m.start());
                }
            }
        }
    }

    /// The keywords by their first byte, built on first use; `None` when a keyword is empty
    /// (it occurs everywhere: the automaton searches then).
    fn by_first_byte(&self) -> Option<&keywords::ByFirstByte> {
        self.by_first_byte
            .get_or_init(|| keywords::ByFirstByte::new(&self.words))
            .as_ref()
    }

    /// The rules without keywords that are tried only where their matches can begin, built on
    /// first use; `None` when there is none.
    fn openings(&self) -> Option<&Openings> {
        self.openings
            .get_or_init(|| {
                let rules: Vec<(usize, Vec<Vec<u8>>)> = self
                    .always
                    .iter()
                    .filter_map(|&i| Some((i, opening_strings(self.rules[i].pattern.as_deref()?)?)))
                    .collect();
                let mut all: Vec<&[u8]> = rules
                    .iter()
                    .flat_map(|(_, set)| set.iter().map(Vec::as_slice))
                    .collect();
                all.sort_unstable();
                all.dedup();
                if all.is_empty() {
                    return None;
                }
                let finder = AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(&all)
                    .ok()?;
                Some(Openings { finder, rules })
            })
            .as_ref()
    }

    /// The finder of the lines that hold a keyword, built on first use; `None` when the keywords
    /// do not fit it (the keyword automaton then runs over the whole text).
    fn line_finder(&self) -> Option<&keywords::LineFinder> {
        self.line_finder
            .get_or_init(|| keywords::LineFinder::new(&self.words))
            .as_ref()
    }

    /// The built-in rules alone.
    pub fn builtin() -> Arc<RuleSet> {
        BUILTIN.clone()
    }

    /// The rules for a repository: its rule file (`.gitleaks.toml` or the configured one, when
    /// there is one) extending or replacing the built-in rules, and its `.gitleaksignore`.
    pub fn for_repository(
        rule_file: Option<(&str, &str)>,
        ignore_file: Option<&str>,
    ) -> Result<RuleSet, String> {
        let file = match rule_file {
            None => builtin_file().clone(),
            Some((origin, text)) => {
                let f = config::parse(text, origin)?;
                if f.extend.use_default {
                    config::merge(builtin_file(), f)
                } else {
                    f
                }
            }
        };
        // The built-in rules alone are checked by their tests; a repository's file is checked now.
        let mut set = RuleSet::compile_with(&file, rule_file.is_some())?;
        if let Some(text) = ignore_file {
            set.ignored = parse_ignore(text);
        }
        Ok(set)
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Whether `line` holds a keyword of a rule whose match can span any number of lines (a PEM
    /// block's `-----BEGIN`): text masked line by line holds such a line with the ones after it
    /// ([`LineMasker`]). A rule without keywords is not counted (it would hold every line).
    pub fn may_open_block(&self, line: &[u8]) -> bool {
        self.block_words
            .get_or_init(|| {
                let words: Vec<&str> = self
                    .rules
                    .iter()
                    .filter(|r| r.pattern.as_deref().is_some_and(spans_lines_unbounded))
                    .flat_map(|r| r.keywords.iter().map(String::as_str))
                    .collect();
                if words.is_empty() {
                    return None;
                }
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .build(&words)
                    .ok()
            })
            .as_ref()
            .is_some_and(|ac| ac.is_match(line))
    }

    /// Whether `.gitleaksignore` lists this finding (`path:rule-id:line`).
    pub fn is_ignored(&self, path: &str, hit: &Hit) -> bool {
        self.ignored
            .contains(&format!("{path}:{}:{}", hit.rule_id, hit.line))
    }

    /// THE scan: every secret in `content` of the file at `path` (`""` for text that is not a
    /// file), after allowlists, sorted by position, overlapping matches reported once (the
    /// rule listed first wins). A rule with only a `path` reports the file itself (line 0).
    pub fn scan(&self, path: &str, content: &[u8]) -> Vec<Hit> {
        if !path.is_empty()
            && self
                .global
                .iter()
                .any(|a| a.target_rules.is_empty() && a.path_only_match(path))
        {
            return Vec::new();
        }
        let mut hits = self.scan_view(path, content, false);
        if let Some(text) = decode::wide_text(content) {
            hits.extend(self.scan_view(path, text.as_bytes(), true));
        }
        if !path.is_empty() {
            for r in self.path_only.iter().map(|&i| &self.rules[i]) {
                if r.path.as_ref().is_some_and(|p| p.is_match(path.as_bytes())) {
                    hits.push(Hit {
                        rule_id: r.id.clone(),
                        description: r.description.clone(),
                        start: 0,
                        end: 0,
                        line: 0,
                        end_line: 0,
                        secret: String::new(),
                        decoded: false,
                    });
                }
            }
        }
        hits
    }

    fn scan_view(&self, path: &str, content: &[u8], decoded: bool) -> Vec<Hit> {
        // How each rule triggered runs: over the whole text; anchored at the places its matches
        // can start (its keywords' hits less their offsets in the match); or on the lines around
        // its keywords' hits. All three find exactly what the whole-text search finds.
        const OFF: u8 = 0;
        const WHOLE: u8 = 1;
        const START: u8 = 2;
        const NEAR: u8 = 3;
        let mut run = vec![OFF; self.rules.len()];
        let mut todo: Vec<usize> = Vec::new();
        // Rules without keywords: tried where their matches can begin (those with few opening
        // strings: each place one occurs, as (rule, place), in text order), else over the whole
        // text.
        let openings = self.openings().filter(|_| !self.reference);
        let mut opening_hits: Vec<(usize, usize)> = Vec::new();
        for &i in &self.always {
            if !openings.is_some_and(|o| o.rules.iter().any(|(r, _)| *r == i)) {
                run[i] = WHOLE;
                todo.push(i);
            }
        }
        if let Some(o) = openings {
            let mut at = 0;
            while let Some(m) = o
                .finder
                .find(aho_corasick::Input::new(content).span(at..content.len()))
            {
                let p = m.start();
                for (r, set) in &o.rules {
                    if set.iter().any(|s| content[p..].starts_with(s)) {
                        if run[*r] == OFF {
                            run[*r] = START;
                            todo.push(*r);
                        }
                        opening_hits.push((*r, p));
                    }
                }
                at = p + 1;
            }
        }
        // Per keyword: not seen yet, or seen (its rules decided), and whether each of its hits is
        // wanted (rules that start at it) and each line holding it (rules that run near it).
        const SEEN: u8 = 1;
        const HITS: u8 = 2;
        const LINES: u8 = 4;
        let mut state = vec![0u8; self.keyword_rules.len()];
        // In text order: (keyword, hit) and (keyword, line holding it: start, end after the line
        // feed).
        let mut start_hits: Vec<(usize, usize)> = Vec::new();
        let mut near_lines: Vec<(usize, (usize, usize))> = Vec::new();
        let total = self.scanned.fetch_add(content.len(), Ordering::Relaxed) + content.len();
        if !self.words.is_empty() {
            // The line of the last hit, and where its entries in `near_lines` start (hits come
            // line by line).
            let mut line = (0, 0);
            let mut line_from = 0;
            let mut on_hit = |k: usize, at: usize| {
                if state[k] == 0 {
                    state[k] = SEEN;
                    for &i in &self.keyword_rules[k] {
                        let rule = &self.rules[i];
                        if run[i] == OFF {
                            run[i] = if self.reference {
                                WHOLE
                            } else if rule.starts().is_some() {
                                START
                            } else if rule.reach().is_some() {
                                NEAR
                            } else {
                                WHOLE
                            };
                            todo.push(i);
                        }
                        match run[i] {
                            START => state[k] |= HITS,
                            NEAR => state[k] |= LINES,
                            _ => {}
                        }
                    }
                }
                if state[k] & HITS != 0 {
                    start_hits.push((k, at));
                }
                if state[k] & LINES == 0 {
                    return;
                }
                if !(line.0 <= at && at < line.1) {
                    line = (
                        memchr::memrchr(b'\n', &content[..at]).map_or(0, |i| i + 1),
                        memchr::memchr(b'\n', &content[at..]).map_or(content.len(), |i| at + i + 1),
                    );
                    line_from = near_lines.len();
                }
                if !near_lines[line_from..].contains(&(k, line)) {
                    near_lines.push((k, line));
                }
            };
            let first_bytes = (!self.reference && total <= self.search_after)
                .then(|| self.by_first_byte())
                .flatten();
            match first_bytes {
                // The first few KB a rule set scans (a process that only masks what it shows):
                // each place checked against the keywords of its first byte, no automaton.
                Some(by) => by.find_overlapping(content, &mut |k, at| on_hit(k, at)),
                None => self.search_keywords(content, total, &mut on_hit),
            }
        }
        todo.sort_unstable();
        // (rule index, match range, hit)
        let mut found: Vec<(usize, (usize, usize), Hit)> = Vec::new();
        let mut lines = LineIndex::new(content);
        let mut windows: Vec<(usize, usize)> = Vec::new();
        let mut matches: Vec<regex_automata::Match> = Vec::new();
        for &i in &todo {
            let rule = &self.rules[i];
            let Some(re) = rule.regex() else { continue };
            if let Some(p) = &rule.path
                && (path.is_empty() || !p.is_match(path.as_bytes()))
            {
                continue;
            }
            matches.clear();
            match run[i] {
                START => {
                    let offsets = rule.starts().unwrap_or(&[]);
                    windows.clear();
                    windows.extend(
                        opening_hits
                            .iter()
                            .filter(|(r, _)| *r == i)
                            .map(|&(_, p)| (p, 0)),
                    );
                    for &(k, at) in &start_hits {
                        for &(kk, off) in offsets {
                            if kk == k && off <= at {
                                windows.push((at - off, 0));
                            }
                        }
                    }
                    windows.sort_unstable();
                    windows.dedup();
                    // In order, as the search over the whole text goes: a match starts at the
                    // first place at or after the end of the one before where one starts.
                    let mut end = 0;
                    for &(at, _) in &windows {
                        if at < end {
                            continue;
                        }
                        let input = Input::new(content)
                            .range(at..)
                            .anchored(regex_automata::Anchored::Yes);
                        if let Some(m) = re.search(&input) {
                            end = m.end();
                            matches.push(m);
                        }
                    }
                }
                NEAR => {
                    let reach = rule.reach().unwrap_or(0);
                    let keywords = &self.rule_keywords[i];
                    windows.clear();
                    windows.extend(near_lines.iter().filter(|(k, _)| keywords.contains(k)).map(
                        |&(_, (a, b))| {
                            (
                                lines_before(content, a, reach),
                                lines_after(content, b, reach),
                            )
                        },
                    ));
                    windows.sort_unstable();
                    // Overlapping or touching windows are one: a match is searched once.
                    let mut merged = 0;
                    for w in 0..windows.len() {
                        if merged > 0 && windows[w].0 <= windows[merged - 1].1 {
                            windows[merged - 1].1 = windows[merged - 1].1.max(windows[w].1);
                        } else {
                            windows[merged] = windows[w];
                            merged += 1;
                        }
                    }
                    windows.truncate(merged);
                    for &(a, b) in &windows {
                        // The search sees the whole text around the window (`\b`, `^`, `$` as
                        // over the whole text); a match lies inside it.
                        matches.extend(re.find_iter(Input::new(content).range(a..b)));
                    }
                }
                _ => matches.extend(re.find_iter(content)),
            }
            if matches.is_empty() {
                continue;
            }
            // The groups, on the matches alone: anchored on each match's bounds (look-around
            // still sees the text around it), the groups of the same match.
            let wants_group = rule.secret_group.is_some() || re.captures_len() > 1;
            let mut caps = re.create_captures();
            for m in &matches {
                let whole_span = (m.start(), m.end());
                if wants_group {
                    re.search_captures(
                        &Input::new(content)
                            .range(m.range())
                            .anchored(regex_automata::Anchored::Yes),
                        &mut caps,
                    );
                }
                let m = if !wants_group {
                    None
                } else {
                    match rule.secret_group {
                        Some(g) => caps.get_group(g),
                        None => (1..caps.group_len()).find_map(|g| caps.get_group(g)),
                    }
                }
                .map_or(whole_span, |s| (s.start, s.end));
                if m.0 == m.1 {
                    continue;
                }
                let secret = &content[m.0..m.1];
                if let Some(min) = rule.entropy
                    && shannon_entropy(secret) <= min
                {
                    continue;
                }
                if placeholder(secret) {
                    continue;
                }
                let line_text = lines.line_span(whole_span.0, whole_span.1);
                let ctx = Context {
                    path,
                    secret,
                    whole: &content[whole_span.0..whole_span.1],
                    line: &content[line_text.0..line_text.1],
                };
                if rule.allowlists.iter().any(|a| a.allows(&ctx))
                    || self.global.iter().any(|a| {
                        (a.target_rules.is_empty() || a.target_rules.contains(&rule.id))
                            && a.allows(&ctx)
                    })
                {
                    continue;
                }
                found.push((
                    i,
                    whole_span,
                    Hit {
                        rule_id: rule.id.clone(),
                        description: rule.description.clone(),
                        start: m.0,
                        end: m.1,
                        line: lines.line_of(m.0),
                        end_line: lines.line_of(m.1.saturating_sub(1).max(m.0)),
                        secret: String::from_utf8_lossy(secret).into_owned(),
                        decoded,
                    },
                ));
            }
        }
        // Rule order decides between overlapping matches, then position orders the result.
        found.sort_by_key(|(i, _, h)| (*i, h.start));
        let mut kept: Vec<((usize, usize), Hit)> = Vec::new();
        for (_, m, h) in found {
            let overlaps = |a: (usize, usize), b: (usize, usize)| a.0 < b.1 && b.0 < a.1;
            if !kept
                .iter()
                .any(|(km, k)| overlaps(m, *km) || overlaps((h.start, h.end), (k.start, k.end)))
            {
                kept.push((m, h));
            }
        }
        kept.sort_by_key(|(_, h)| h.start);
        kept.into_iter().map(|(_, h)| h).collect()
    }
}

struct Context<'a> {
    path: &'a str,
    secret: &'a [u8],
    whole: &'a [u8],
    line: &'a [u8],
}

impl Allowlist {
    fn compile(&self, what: &str) -> Result<(Vec<Regex>, Vec<Regex>), String> {
        let all = |src: &[String]| -> Result<Vec<Regex>, String> {
            src.iter().map(|r| compile_regex(r, what)).collect()
        };
        Ok((all(&self.regex_src)?, all(&self.path_src)?))
    }

    /// The compiled `regexes` and `paths`.
    fn compiled(&self) -> &(Vec<Regex>, Vec<Regex>) {
        self.compiled.get_or_init(|| {
            self.compile("a built-in allowlist")
                .expect("the built-in allowlists compile")
        })
    }

    /// An allowlist with only paths, matching `path`: the file is not scanned at all.
    fn path_only_match(&self, path: &str) -> bool {
        self.regex_src.is_empty()
            && self.stopwords.is_empty()
            && !self.path_src.is_empty()
            && (!self.all || !self.has_commits)
            && self
                .compiled()
                .1
                .iter()
                .any(|p| p.is_match(path.as_bytes()))
    }

    fn allows(&self, c: &Context<'_>) -> bool {
        let target = match self.target {
            Target::Secret => c.secret,
            Target::Match => c.whole,
            Target::Line => c.line,
        };
        let mut checks: Vec<bool> = Vec::with_capacity(4);
        if self.has_commits {
            // berry scans changes before they are committed: no commit can match.
            checks.push(false);
        }
        let (regexes, paths) = self.compiled();
        if !paths.is_empty() {
            checks.push(!c.path.is_empty() && paths.iter().any(|p| p.is_match(c.path.as_bytes())));
        }
        if !regexes.is_empty() {
            checks.push(regexes.iter().any(|r| r.is_match(target)));
        }
        if !self.stopwords.is_empty() {
            let lower = c.secret.to_ascii_lowercase();
            checks.push(
                self.stopwords
                    .iter()
                    .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some()),
            );
        }
        if self.all {
            !checks.is_empty() && checks.iter().all(|b| *b)
        } else {
            checks.iter().any(|b| *b)
        }
    }
}

/// Values that are plainly not secrets whatever the rule: one character repeated (`xxxx…`,
/// `0000…`), mostly `x`/`X`/`*`/`.` fill, or a template reference (`${VAR}`, `{{ var }}`, `<your-key>`).
fn placeholder(secret: &[u8]) -> bool {
    let s = secret;
    if s.len() >= 4 && s.iter().all(|b| *b == s[0]) {
        return true;
    }
    // The part after a provider prefix (`ghp_`, `AKIA`, `sk_live_`): a long run of one character.
    let mut run = 1;
    let mut longest = 1;
    for w in s.windows(2) {
        if w[0] == w[1] && w[0] != b'=' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 1;
        }
    }
    if longest >= 8 && longest * 5 >= s.len() * 2 {
        return true;
    }
    let fill = s
        .iter()
        .filter(|b| matches!(b, b'x' | b'X' | b'*' | b'.' | b'#'))
        .count();
    if s.len() >= 8 && fill * 2 >= s.len() {
        return true;
    }
    let t = String::from_utf8_lossy(s);
    (t.starts_with("${") && t.ends_with('}'))
        || (t.starts_with("{{") && t.ends_with("}}"))
        || (t.starts_with('<') && t.ends_with('>'))
        || (t.starts_with('%') && t.ends_with('%') && t.len() > 2)
}

/// Shannon entropy of `data` in bits per byte.
pub fn shannon_entropy(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for b in data {
        counts[*b as usize] += 1;
    }
    let n = data.len() as f64;
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = *c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// The start of the line `n` lines before the one starting at `start`.
fn lines_before(text: &[u8], mut start: usize, n: usize) -> usize {
    for _ in 0..n {
        if start == 0 {
            break;
        }
        start = memchr::memrchr(b'\n', &text[..start - 1]).map_or(0, |i| i + 1);
    }
    start
}

/// The end (after its line feed) of the line `n` lines after the one ending at `end`.
fn lines_after(text: &[u8], mut end: usize, n: usize) -> usize {
    for _ in 0..n {
        if end >= text.len() {
            break;
        }
        end = memchr::memchr(b'\n', &text[end..]).map_or(text.len(), |i| end + i + 1);
    }
    end
}

/// Line numbers of byte offsets, computed on first use.
struct LineIndex<'a> {
    text: &'a [u8],
    starts: Option<Vec<usize>>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a [u8]) -> Self {
        LineIndex { text, starts: None }
    }

    fn starts(&mut self) -> &[usize] {
        let text = self.text;
        self.starts.get_or_insert_with(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', text).map(|i| i + 1))
                .collect()
        })
    }

    /// 1-based line of `offset`.
    fn line_of(&mut self, offset: usize) -> usize {
        match self.starts().binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// The byte range of the lines a match spans.
    fn line_span(&self, start: usize, end: usize) -> (usize, usize) {
        let s = memchr::memrchr(b'\n', &self.text[..start]).map_or(0, |i| i + 1);
        let e = memchr::memchr(b'\n', &self.text[end..]).map_or(self.text.len(), |i| end + i);
        (s, e)
    }
}

fn parse_ignore(text: &str) -> HashSet<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            // `commit:path:rule:line` (a finding in history) or `path:rule:line`.
            let parts: Vec<&str> = l.rsplitn(3, ':').collect();
            if parts.len() == 3 {
                let (line, rule, rest) = (parts[0], parts[1], parts[2]);
                let path = match rest.split_once(':') {
                    Some((c, p)) if c.len() == 40 && c.bytes().all(|b| b.is_ascii_hexdigit()) => p,
                    _ => rest,
                };
                format!("{path}:{rule}:{line}")
            } else {
                l.to_string()
            }
        })
        .collect()
}

/// The built-in rules without their examples, as `build.rs` converted them to JSON (every
/// command reads them to mask what it shows: JSON is read several times faster than TOML).
fn builtin_file() -> &'static RuleFile {
    static FILE: LazyLock<RuleFile> = LazyLock::new(|| {
        config::builtin("built-in rules").expect("the built-in rules pass the rule file checks")
    });
    &FILE
}

/// The built-in rules with their true- and false-positive examples, read from the TOML source.
#[cfg(test)]
fn builtin_examples() -> &'static RuleFile {
    static FILE: LazyLock<RuleFile> = LazyLock::new(|| {
        config::parse(DEFAULT_RULES, "built-in rules").expect("the built-in rules parse")
    });
    &FILE
}

static BUILTIN: LazyLock<Arc<RuleSet>> = LazyLock::new(|| {
    Arc::new(RuleSet::compile_with(builtin_file(), false).expect("the built-in rules compile"))
});

static ACTIVE: RwLock<Option<Arc<RuleSet>>> = RwLock::new(None);
static KNOWN: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Makes `rules` the ones [`mask_text`] uses from now on (the repository's, once loaded).
pub fn install(rules: Arc<RuleSet>) {
    *ACTIVE.write().unwrap_or_else(|e| e.into_inner()) = Some(rules);
}

/// The rules [`install`]ed for this process, else the built-in ones.
pub fn active() -> Arc<RuleSet> {
    ACTIVE
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .unwrap_or_else(RuleSet::builtin)
}

/// Registers a secret value berry holds (a token, a password): [`mask_text`] masks it wherever
/// it appears. Values under 6 characters are too short to mask without mangling ordinary text.
pub fn add_known_secret(value: &str) {
    if value.len() < 6 {
        return;
    }
    let mut k = KNOWN.write().unwrap_or_else(|e| e.into_inner());
    if !k.iter().any(|v| v == value) {
        k.push(value.to_string());
        // Longest first, so a value containing another is masked whole.
        k.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }
}

/// The secrets in a comma-separated list of URLs: the password of `scheme://user:password@host`
/// as written and percent-decoded (a log may print either), and, when `lone_is_secret` (NATS:
/// `nats://token@host`), a lone `token@`. A lone name in a database URL is just the user.
pub fn url_secrets(urls: &str, lone_is_secret: bool) -> Vec<String> {
    let mut out = Vec::new();
    for url in urls.split(',') {
        let Some((_, rest)) = url.trim().split_once("://") else {
            continue;
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let Some((userinfo, _)) = authority.rsplit_once('@') else {
            continue;
        };
        let secret = match userinfo.split_once(':') {
            Some((_, p)) => p,
            None if lone_is_secret => userinfo,
            None => "",
        };
        if secret.is_empty() {
            continue;
        }
        out.push(secret.to_string());
        let decoded = percent_decoded(secret);
        if decoded != secret {
            out.push(decoded);
        }
    }
    out
}

fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut bytes = Vec::with_capacity(b.len());
    let mut i = 0;
    let hex = |c: u8| (c as char).to_digit(16);
    while i < b.len() {
        match (
            b[i],
            b.get(i + 1).and_then(|c| hex(*c)),
            b.get(i + 2).and_then(|c| hex(*c)),
        ) {
            (b'%', Some(h), Some(l)) => {
                bytes.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                bytes.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The known secret values (for the test commands' environment).
pub fn known_secrets() -> Vec<String> {
    KNOWN.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// `ghp_…(40 chars)`: enough to recognise, not enough to use. Values under 16 characters keep
/// nothing.
pub fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    let keep: String = if n >= 16 {
        secret.chars().take(4).collect()
    } else {
        String::new()
    };
    format!("{keep}…({n} chars)")
}

/// THE masker: `text` with every known secret value and every secret the active rules find
/// replaced by its masked form. Every text berry shows or sends goes through it.
pub fn mask_text(text: &str) -> Cow<'_, str> {
    mask_with(text, &active(), &known_secrets())
}

/// [`mask_text`] with explicit rules and known values.
pub fn mask_with<'a>(text: &'a str, rules: &RuleSet, known: &[String]) -> Cow<'a, str> {
    let mut out: Cow<'a, str> = Cow::Borrowed(text);
    for k in known {
        if out.contains(k.as_str()) {
            // A value berry holds keeps nothing of itself.
            out = Cow::Owned(out.replace(k.as_str(), &format!("…({} chars)", k.chars().count())));
        }
    }
    let hits: Vec<Hit> = rules
        .scan_view("", out.as_bytes(), false)
        .into_iter()
        .filter(|h| h.end > h.start)
        .collect();
    if hits.is_empty() {
        return out;
    }
    let src = out.as_ref();
    let mut s = String::with_capacity(src.len());
    let mut at = 0;
    for h in &hits {
        // Byte regexes may end inside a character; widen to character boundaries.
        let mut start = h.start;
        while !src.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = h.end;
        while !src.is_char_boundary(end) {
            end += 1;
        }
        if start < at {
            continue;
        }
        s.push_str(&src[at..start]);
        let secret = &src[start..end];
        s.push_str(&mask(secret));
        // A multi-line secret keeps its line count, so line numbers around it stay true.
        for _ in secret.matches('\n') {
            s.push_str("\n…");
        }
        at = end;
    }
    s.push_str(&src[at..]);
    Cow::Owned(s)
}

/// A line that opens a multi-line secret is held with the lines after it, at most this many…
pub const HELD_LINES: usize = 256;
/// …and at most this many bytes, then masked as one text.
pub const HELD_BYTES: usize = 256 * 1024;
/// Bytes of one line kept; the rest of a longer line is dropped (and said so).
pub const LINE_BYTES: usize = 1024 * 1024;

/// [`mask_text`] for text that arrives in pieces (a command's output read from its pipe): each
/// whole line is masked and handed on as soon as it is complete, so what is written from it is
/// current; the lines of one piece are masked together. A line that may open a block (a keyword of
/// a rule whose match can span any number of lines: a PEM block's `-----BEGIN … PRIVATE KEY-----`)
/// is held with the lines after it until the block's `-----END` line, [`HELD_LINES`] lines or
/// [`HELD_BYTES`] bytes, or the end of the text, then the whole block is masked as one text. A
/// value a rule finds only with its name a few lines above, in an earlier piece, is masked where
/// a rule finds it alone. Memory stays bounded: a partial line of at most [`LINE_BYTES`] and the
/// held block.
#[derive(Default)]
pub struct LineMasker {
    /// The line being received.
    partial: Vec<u8>,
    /// Bytes of the current line dropped beyond [`LINE_BYTES`].
    dropped: usize,
    /// Complete lines, not yet masked: a held block, or lines waiting for the end of the piece.
    pending: String,
    held_lines: usize,
    holding: bool,
}

impl LineMasker {
    pub fn new() -> LineMasker {
        LineMasker::default()
    }

    /// Takes the next piece of text; hands `out` the masked lines it completes (each with its
    /// line feed), as few calls as possible.
    pub fn push(&mut self, bytes: &[u8], out: &mut dyn FnMut(&str)) {
        let mut rest = bytes;
        while let Some(i) = memchr::memchr(b'\n', rest) {
            self.take_partial(&rest[..i]);
            self.end_line(out);
            rest = &rest[i + 1..];
        }
        self.take_partial(rest);
        if !self.holding {
            self.flush(out);
        }
    }

    /// The end of the text: what is held and the last, unterminated line, masked.
    pub fn finish(mut self, out: &mut dyn FnMut(&str)) {
        if !self.partial.is_empty() || self.dropped > 0 {
            self.end_line(out);
        }
        self.flush(out);
    }

    fn take_partial(&mut self, bytes: &[u8]) {
        let room = LINE_BYTES.saturating_sub(self.partial.len());
        let keep = bytes.len().min(room);
        self.partial.extend_from_slice(&bytes[..keep]);
        self.dropped += bytes.len() - keep;
    }

    fn end_line(&mut self, out: &mut dyn FnMut(&str)) {
        let line = String::from_utf8_lossy(&self.partial).into_owned();
        self.partial.clear();
        let opens = !self.holding && active().may_open_block(line.as_bytes());
        if opens {
            // What came before the block is complete: out with it first.
            self.flush(out);
            self.holding = true;
            self.held_lines = 0;
        }
        self.pending.push_str(&line);
        if self.dropped > 0 {
            self.pending
                .push_str(&format!("…(line cut: {} bytes not kept)", self.dropped));
            self.dropped = 0;
        }
        self.pending.push('\n');
        if self.holding {
            self.held_lines += 1;
            let closes = line.contains("-----END");
            if closes || self.held_lines >= HELD_LINES || self.pending.len() >= HELD_BYTES {
                self.holding = false;
                self.flush(out);
            }
        }
    }

    fn flush(&mut self, out: &mut dyn FnMut(&str)) {
        if !self.pending.is_empty() {
            out(&mask_text(&self.pending));
            self.pending.clear();
        }
    }
}

/// [`mask_text`] on every string (and object key) of a JSON value: request bodies, notices,
/// `--json` reports.
pub fn mask_json(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(mask_text(s).into_owned()),
        Value::Array(a) => Value::Array(a.iter().map(mask_json).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (mask_text(k).into_owned(), mask_json(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// [`mask_text`] on bytes that leave berry: a JSON document is masked value by value (it stays
/// valid JSON), anything else as text.
pub fn mask_bytes(bytes: &[u8]) -> Vec<u8> {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) {
        return serde_json::to_vec(&mask_json(&v)).unwrap_or_else(|_| bytes.to_vec());
    }
    match std::str::from_utf8(bytes) {
        Ok(t) => mask_text(t).into_owned().into_bytes(),
        Err(_) => mask_text(&String::from_utf8_lossy(bytes))
            .into_owned()
            .into_bytes(),
    }
}

#[cfg(test)]
mod tests;
