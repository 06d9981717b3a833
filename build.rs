//! Turns berry's built-in secret rules (`src/secrets/rules.toml`, the gitleaks format, with each
//! rule's true- and false-positive examples) into Rust code that builds the rule file, without
//! the examples, compiled into the binary. Every berry command that shows text masks it with
//! these rules, so they are read at start-up: reading a 286 KB TOML file was a quarter of `berry
//! status`'s CPU time, and even the same rules as JSON cost a fifth of what was left; code that
//! builds the strings directly costs a tenth of the JSON. The TOML file stays the source; the
//! tests read it whole (examples included) and check the two agree.
//!
//! The generated expression builds `secrets::config`'s `RawFile` (the same value the TOML reader
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

/// `RawFile { … }` for the whole file.
fn raw_file(file: &toml::Table) -> String {
    let mut out = String::from("RawFile {\n");
    for (key, value) in file {
        match key.as_str() {
            "title" => field(&mut out, "title", &some(&string(value))),
            "minVersion" => field(&mut out, "min_version", &some(&string(value))),
            "rules" => {
                let rules: Vec<String> = array(value).iter().map(rule).collect();
                field(&mut out, "rules", &format!("vec![{}]", rules.join(",\n")));
            }
            "allowlists" => field(&mut out, "allowlists", &allowlists(value)),
            "allowlist" => field(&mut out, "allowlist", &some(&allowlist(value))),
            other => panic!("rules.toml: build.rs does not know the top-level key `{other}`"),
        }
    }
    out.push_str("..Default::default()\n}\n");
    out
}

/// `RawRule { … }`, the examples (`tps`, `fps`) left out.
fn rule(value: &Value) -> String {
    let mut out = String::from("RawRule {\n");
    for (key, v) in table(value) {
        match key.as_str() {
            "id" => field(&mut out, "id", &string(v)),
            "description" => field(&mut out, "description", &string(v)),
            "regex" => field(&mut out, "regex", &some(&string(v))),
            "path" => field(&mut out, "path", &some(&string(v))),
            "secretGroup" => {
                let n = v.as_integer().expect("secretGroup is an integer");
                field(&mut out, "secret_group", &format!("Some({n}usize)"));
            }
            "entropy" => {
                let e = match v {
                    Value::Float(f) => *f,
                    Value::Integer(i) => *i as f64,
                    _ => panic!("rules.toml: entropy is a number"),
                };
                field(&mut out, "entropy", &format!("Some({e:?}f64)"));
            }
            "skipReport" => {
                let b = v.as_bool().expect("skipReport is a boolean");
                field(&mut out, "skip_report", &format!("Some({b})"));
            }
            "keywords" => field(&mut out, "keywords", &strings(v)),
            "tags" => field(&mut out, "tags", &strings(v)),
            "allowlists" => field(&mut out, "allowlists", &allowlists(v)),
            "allowlist" => field(&mut out, "allowlist", &some(&allowlist(v))),
            "tps" | "fps" => {}
            other => panic!("rules.toml: build.rs does not know the rule key `{other}`"),
        }
    }
    out.push_str("..Default::default()\n}");
    out
}

fn allowlists(value: &Value) -> String {
    let lists: Vec<String> = array(value).iter().map(allowlist).collect();
    format!("vec![{}]", lists.join(",\n"))
}

/// `RawAllowlist { … }`.
fn allowlist(value: &Value) -> String {
    let mut out = String::from("RawAllowlist {\n");
    for (key, v) in table(value) {
        let name = match key.as_str() {
            "description" => {
                field(&mut out, "description", &string(v));
                continue;
            }
            "condition" => {
                field(&mut out, "condition", &some(&string(v)));
                continue;
            }
            "regexTarget" => {
                field(&mut out, "regex_target", &some(&string(v)));
                continue;
            }
            "regexes" => "regexes",
            "stopwords" => "stopwords",
            "paths" => "paths",
            "commits" => "commits",
            "targetRules" => "target_rules",
            other => panic!("rules.toml: build.rs does not know the allowlist key `{other}`"),
        };
        field(&mut out, name, &strings(v));
    }
    out.push_str("..Default::default()\n}");
    out
}

fn field(out: &mut String, name: &str, value: &str) {
    let _ = writeln!(out, "{name}: {value},");
}

fn some(expr: &str) -> String {
    format!("Some({expr})")
}

/// A `String` from a literal: `{:?}` of a `str` is a valid Rust string literal.
fn string(value: &Value) -> String {
    let s = value.as_str().expect("rules.toml: a string");
    format!("String::from({s:?})")
}

fn strings(value: &Value) -> String {
    let items: Vec<String> = array(value).iter().map(string).collect();
    format!("vec![{}]", items.join(", "))
}

fn array(value: &Value) -> &Vec<Value> {
    value.as_array().expect("rules.toml: an array")
}

fn table(value: &Value) -> &toml::Table {
    value.as_table().expect("rules.toml: a table")
}
