//! Turns berry's built-in secret rules (`src/secrets/rules.toml`, the gitleaks format, with each
//! rule's true- and false-positive examples) into Rust code that builds the rule file, without
//! the examples, compiled into the binary. Every berry command that shows text masks it with
//! these rules, so they are read at start-up: reading a 286 KB TOML file was a quarter of `berry
//! status`'s CPU time, and even the same rules as JSON cost a fifth of what was left. As static
//! data (string slices) they cost only the copy into the owned strings of the rule file. The TOML
//! file stays the source; the tests read it whole (examples included) and check the two agree.
//!
//! `secrets::config` turns the static data into its `RawFile` (the same value the TOML reader
//! gives before its checks), so the built-in rules go through the same checks as a repository's
//! `.gitleaks.toml`. A key this generator does not know stops the build: a new gitleaks setting
//! in `rules.toml` has to be taught here and in `config.rs` alike.

use std::fmt::Write as _;
use std::path::Path;

use toml::Value;

fn main() {
    let src = Path::new("src/secrets/rules.toml");
    println!("cargo::rerun-if-changed={}", src.display());
    println!("cargo::rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(src).expect("src/secrets/rules.toml is readable");
    let file: toml::Table = toml::from_str(&text).expect("src/secrets/rules.toml parses");
    let code = raw_file(&file);
    let out = Path::new(&std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("rules.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}

/// The generated module: `TITLE`, `MIN_VERSION`, `ALLOWLIST`, `ALLOWLISTS` and `RULES`, static
/// data of `config.rs`'s `StaticRule` and `StaticAllowlist` (string slices, nothing to run but
/// the copy into owned strings; one giant expression building them instead took the optimiser
/// of a release build tens of minutes).
fn raw_file(file: &toml::Table) -> String {
    let mut title = "None".to_string();
    let mut min_version = "None".to_string();
    let mut one = "None".to_string();
    let mut lists = "&[]".to_string();
    let mut rules = "&[]".to_string();
    for (key, value) in file {
        match key.as_str() {
            "title" => title = some(&string(value)),
            "minVersion" => min_version = some(&string(value)),
            "rules" => {
                let all: Vec<String> = array(value).iter().map(rule).collect();
                rules = format!("&[\n{}\n]", all.join(",\n"));
            }
            "allowlists" => lists = allowlists(value),
            "allowlist" => one = some(&allowlist(value)),
            other => panic!("rules.toml: build.rs does not know the top-level key `{other}`"),
        }
    }
    format!(
        "pub static TITLE: Option<&str> = {title};\n\
         pub static MIN_VERSION: Option<&str> = {min_version};\n\
         pub static ALLOWLIST: Option<StaticAllowlist> = {one};\n\
         pub static ALLOWLISTS: &[StaticAllowlist] = {lists};\n\
         pub static RULES: &[StaticRule] = {rules};\n"
    )
}

/// `StaticRule { … }`, the examples (`tps`, `fps`) left out; every field written.
fn rule(value: &Value) -> String {
    let mut f = Fields::new(&[
        ("id", "\"\""),
        ("description", "\"\""),
        ("regex", "None"),
        ("secret_group", "None"),
        ("entropy", "None"),
        ("keywords", "&[]"),
        ("path", "None"),
        ("tags", "&[]"),
        ("skip_report", "None"),
        ("allowlist", "None"),
        ("allowlists", "&[]"),
    ]);
    for (key, v) in table(value) {
        match key.as_str() {
            "id" => f.set("id", string(v)),
            "description" => f.set("description", string(v)),
            "regex" => f.set("regex", some(&string(v))),
            "path" => f.set("path", some(&string(v))),
            "secretGroup" => {
                let n = v.as_integer().expect("secretGroup is an integer");
                f.set("secret_group", format!("Some({n}usize)"));
            }
            "entropy" => {
                let e = match v {
                    Value::Float(x) => *x,
                    Value::Integer(i) => *i as f64,
                    _ => panic!("rules.toml: entropy is a number"),
                };
                f.set("entropy", format!("Some({e:?}f64)"));
            }
            "skipReport" => {
                let b = v.as_bool().expect("skipReport is a boolean");
                f.set("skip_report", format!("Some({b})"));
            }
            "keywords" => f.set("keywords", strings(v)),
            "tags" => f.set("tags", strings(v)),
            "allowlists" => f.set("allowlists", allowlists(v)),
            "allowlist" => f.set("allowlist", some(&allowlist(v))),
            "tps" | "fps" => {}
            other => panic!("rules.toml: build.rs does not know the rule key `{other}`"),
        }
    }
    f.render("StaticRule")
}

fn allowlists(value: &Value) -> String {
    let lists: Vec<String> = array(value).iter().map(allowlist).collect();
    format!("&[{}]", lists.join(",\n"))
}

/// `StaticAllowlist { … }`; every field written.
fn allowlist(value: &Value) -> String {
    let mut f = Fields::new(&[
        ("description", "\"\""),
        ("condition", "None"),
        ("regex_target", "None"),
        ("regexes", "&[]"),
        ("stopwords", "&[]"),
        ("paths", "&[]"),
        ("commits", "&[]"),
        ("target_rules", "&[]"),
    ]);
    for (key, v) in table(value) {
        match key.as_str() {
            "description" => f.set("description", string(v)),
            "condition" => f.set("condition", some(&string(v))),
            "regexTarget" => f.set("regex_target", some(&string(v))),
            "regexes" => f.set("regexes", strings(v)),
            "stopwords" => f.set("stopwords", strings(v)),
            "paths" => f.set("paths", strings(v)),
            "commits" => f.set("commits", strings(v)),
            "targetRules" => f.set("target_rules", strings(v)),
            other => panic!("rules.toml: build.rs does not know the allowlist key `{other}`"),
        }
    }
    f.render("StaticAllowlist")
}

/// A struct literal's fields, each with its default until set.
struct Fields(Vec<(&'static str, String)>);

impl Fields {
    fn new(defaults: &[(&'static str, &str)]) -> Fields {
        Fields(defaults.iter().map(|(n, d)| (*n, d.to_string())).collect())
    }

    fn set(&mut self, name: &str, value: String) {
        let slot = self
            .0
            .iter_mut()
            .find(|(n, _)| *n == name)
            .expect("a known field");
        slot.1 = value;
    }

    fn render(&self, ty: &str) -> String {
        let mut out = format!("{ty} {{\n");
        for (n, v) in &self.0 {
            let _ = writeln!(out, "{n}: {v},");
        }
        out.push('}');
        out
    }
}

fn some(expr: &str) -> String {
    format!("Some({expr})")
}

/// A string literal: `{:?}` of a `str` is a valid Rust string literal.
fn string(value: &Value) -> String {
    let s = value.as_str().expect("rules.toml: a string");
    format!("{s:?}")
}

fn strings(value: &Value) -> String {
    let items: Vec<String> = array(value).iter().map(string).collect();
    format!("&[{}]", items.join(", "))
}

fn array(value: &Value) -> &Vec<Value> {
    value.as_array().expect("rules.toml: an array")
}

fn table(value: &Value) -> &toml::Table {
    value.as_table().expect("rules.toml: a table")
}
