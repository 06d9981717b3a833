//! Turns berry's built-in secret rules (`src/secrets/rules.toml`, the gitleaks format, with each
//! rule's true- and false-positive examples) into JSON without the examples, embedded in the
//! binary. Every berry command that shows text masks it with these rules, so they are read at
//! start-up: serde_json reads the 100 KB of rules in a fraction of the time the TOML parser takes
//! for the 286 KB file (which was a quarter of `berry status`'s CPU time). The TOML file stays the
//! source; the tests read it whole (examples included) and check the two agree.

use std::path::Path;

fn main() {
    let src = Path::new("src/secrets/rules.toml");
    println!("cargo::rerun-if-changed={}", src.display());
    let text = std::fs::read_to_string(src).expect("src/secrets/rules.toml is readable");
    let mut file: toml::Table = toml::from_str(&text).expect("src/secrets/rules.toml parses");
    if let Some(toml::Value::Array(rules)) = file.get_mut("rules") {
        for rule in rules {
            if let toml::Value::Table(rule) = rule {
                rule.remove("tps");
                rule.remove("fps");
            }
        }
    }
    let json = serde_json::to_string(&file).expect("the rules convert to JSON");
    let out =
        Path::new(&std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("rules.json");
    std::fs::write(out, json).expect("OUT_DIR is writable");
}
