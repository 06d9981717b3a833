//! Configuration in layers, resolved once per process: later layers win, key by key.
//!
//! 1. berry's built-in defaults;
//! 2. the user's file, `$XDG_CONFIG_HOME/berry/config.toml` (else `~/.config/berry/config.toml`);
//! 3. the repository's `berry.toml` as [`crate::gateconfig`] puts it in force (the committed one,
//!    an accepted change to it, or the operator's `--config FILE`);
//! 4. environment variables that stand for a key (`BERRY_DATABASE_URL` is `database.url`, …);
//! 5. flags that stand for a key (`--deliverables DIR` is `deliverables.dir`).
//!
//! Tables merge key by key; any other value (a string, a number, an array such as
//! `stage.paths` or `[[test.commands]]`) is replaced whole by the later layer. Each file is
//! checked on its own, so an unknown key or a wrong type names the file it is in.
//!
//! This module never reads the environment or the file system by itself: the caller hands it the
//! texts and values (see `workspace::Workspace::open`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use toml::{Table, Value};

use crate::config::Config;
use crate::error::BerryError;

/// Where a layer comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    /// The user's `config.toml`.
    User(PathBuf),
    /// The repository's configuration, as labelled by its standing (`HEAD:berry.toml`,
    /// `berry.toml (accepted)`, or the `--config` file's path).
    Repo(String),
    /// An environment variable.
    Env(&'static str),
    /// A command-line flag.
    Flag(&'static str),
}

impl std::fmt::Display for Origin {
    /// `git config --show-origin` style: `kind:where`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::User(p) => write!(f, "user:{}", p.display()),
            Origin::Repo(label) => write!(f, "repo:{label}"),
            Origin::Env(v) => write!(f, "env:{v}"),
            Origin::Flag(flag) => write!(f, "flag:{flag}"),
        }
    }
}

/// Environment variables that set a configuration key, in the order they are applied.
pub const ENV_KEYS: [(&str, &str); 4] = [
    (crate::env_vars::BERRY_DATABASE_URL, "database.url"),
    (crate::env_vars::NATS_URL, "nats.url"),
    (crate::env_vars::GITHUB_API_URL, "github.api_url"),
    (crate::env_vars::BERRY_GITHUB_TIMEOUT, "github.timeout_secs"),
];

/// Keys only the repository's configuration may set: a change freeze declared in one user's
/// file would hold on one machine and not on the next.
const REPO_ONLY: [&str; 1] = ["deploy.freeze"];

/// The layers, lowest first.
#[derive(Debug, Clone)]
pub struct Layers {
    layers: Vec<(Origin, Table)>,
    /// What the command layer read that is not a key, put into the resolved configuration.
    runtime: Runtime,
}

/// What the command layer read from the environment that is no configuration key: credentials
/// and libpq's variables. [`Layers::resolve`] puts them into the [`Config`] the work modules get,
/// so none of them reads the environment.
#[derive(Debug, Clone, Default)]
pub struct Runtime {
    pub libpq: crate::config::Libpq,
    pub nats_auth: crate::config::NatsAuth,
    pub tokens: crate::config::Tokens,
    /// `SSL_CERT_FILE`: the CA bundle https transfers trust.
    pub ca_file: Option<std::path::PathBuf>,
}

/// One key of the resolved configuration, for `berry config list` and `get`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub key: String,
    /// The value as TOML would write it (passwords in URLs replaced by `***`).
    pub value: String,
    pub origin: String,
}

impl Layers {
    /// The built-in defaults alone.
    pub fn defaults() -> Layers {
        let table = Table::try_from(Config::with_default_people())
            .expect("the default configuration is representable in TOML");
        Layers {
            layers: vec![(Origin::Default, table)],
            runtime: Runtime::default(),
        }
    }

    /// Adds a configuration file's text (user or repository). It is checked on its own first, so
    /// an error names `path`.
    pub fn file(mut self, origin: Origin, text: &str, path: &Path) -> Result<Layers, BerryError> {
        Config::from_str(text, path)?;
        let table: Table = toml::from_str(text).map_err(|e| {
            BerryError::config(format!("invalid configuration in {}: {e}", path.display()))
        })?;
        if matches!(origin, Origin::User(_)) {
            for key in REPO_ONLY {
                if lookup(&table, key).is_some() {
                    return Err(BerryError::config(format!(
                        "`{key}` in {} is not read from a user's configuration",
                        path.display()
                    ))
                    .with_hint(
                        "declare it in the repository's committed berry.toml, so it holds on every machine",
                    ));
                }
            }
        }
        self.layers.push((origin, table));
        Ok(self)
    }

    /// Sets one string key (from an environment variable or a flag).
    /// A key whose default is a number takes the value as a number when it reads as one (else
    /// the string stays, and resolving names the key).
    pub fn value(mut self, origin: Origin, key: &str, value: &str) -> Layers {
        let mut table = Table::new();
        let number = Layers::defaults_table()
            .and_then(|d| lookup(&d, key).map(Value::is_integer))
            .unwrap_or(false);
        let v = match value.trim().parse::<i64>() {
            Ok(n) if number => Value::Integer(n),
            _ => Value::String(value.to_string()),
        };
        insert(&mut table, key, v);
        self.layers.push((origin, table));
        self
    }

    /// The defaults as a table, once per process.
    fn defaults_table() -> Option<Table> {
        static DEFAULTS: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
        Some(DEFAULTS.get_or_init(|| Layers::defaults().merged()).clone())
    }

    /// The merged table.
    fn merged(&self) -> Table {
        let mut out = Table::new();
        for (_, t) in &self.layers {
            merge(&mut out, t);
        }
        out
    }

    /// The configuration all layers make.
    pub fn resolve(&self) -> Result<Config, BerryError> {
        let merged = self.merged();
        let mut config: Config = merged.try_into().map_err(|e: toml::de::Error| {
            BerryError::config(format!(
                "the layered configuration is not valid: {}",
                e.to_string().trim_end()
            ))
            .with_hint(
                "`berry config list --show-origin` shows which file or variable sets each key",
            )
        })?;
        config.validate(Path::new("the layered configuration"))?;
        config.database.url_from = self.origin_of("database.url").map(|o| o.to_string());
        config.database.libpq = self.runtime.libpq.clone();
        config.nats.auth = self.runtime.nats_auth.clone();
        config.github.tokens = self.runtime.tokens.clone();
        config.git.ca_file = self.runtime.ca_file.clone();
        Ok(config)
    }

    /// The layer that set `key` last (a table's key: the last layer with any key under it).
    pub fn origin_of(&self, key: &str) -> Option<&Origin> {
        self.layers
            .iter()
            .rev()
            .find(|(_, t)| lookup(t, key).is_some())
            .map(|(o, _)| o)
    }

    /// Every key of the resolved configuration with its value and origin, sorted.
    pub fn entries(&self) -> Vec<Entry> {
        let merged = self.merged();
        let mut flat = BTreeMap::new();
        flatten("", &merged, &mut flat);
        flat.into_iter()
            .map(|(key, value)| Entry {
                origin: self
                    .origin_of(&key)
                    .map(|o| o.to_string())
                    .unwrap_or_else(|| "default".into()),
                value: render(&value),
                key,
            })
            .collect()
    }

    /// One key: a leaf, or a table shown as its leaves. `None` when nothing sets it.
    pub fn get(&self, key: &str) -> Option<Vec<Entry>> {
        let found: Vec<Entry> = self
            .entries()
            .into_iter()
            .filter(|e| e.key == key || e.key.starts_with(&format!("{key}.")))
            .collect();
        (!found.is_empty()).then_some(found)
    }

    /// Whether `key` names something the configuration has (set or not): a section, or a key of
    /// the defaults, or an optional key documented as unset by default.
    pub fn is_known(key: &str) -> bool {
        let defaults = Layers::defaults().merged();
        if lookup(&defaults, key).is_some() {
            return true;
        }
        OPTIONAL_KEYS.contains(&key)
    }
}

/// The layers around the repository's, read once per process by the command layer: the user's
/// file, then the values environment variables and flags set.
#[derive(Debug, Clone, Default)]
pub struct Outer {
    /// The user's `config.toml`: its path and text, when it exists.
    pub user: Option<(PathBuf, String)>,
    /// `(origin, key, value)`, applied in order above the repository's layer.
    pub values: Vec<(Origin, &'static str, String)>,
    /// Credentials and libpq's variables, for the resolved configuration.
    pub runtime: Runtime,
    /// `BERRY_STATE_DIR`: the folder of REQ contexts instead of `<git dir>/berry`.
    pub state_dir: Option<PathBuf>,
    /// `BERRY_LOCK_TIMEOUT`: how long to wait for another berry holding a REQ.
    pub lock_wait: Option<std::time::Duration>,
}

impl Outer {
    /// Every layer, with the repository's configuration text in force (`label` says which).
    pub fn layers(&self, repo: Option<(&str, &str)>) -> Result<Layers, BerryError> {
        let mut l = Layers::defaults();
        l.runtime = self.runtime.clone();
        if let Some((path, text)) = &self.user {
            l = l.file(Origin::User(path.clone()), text, path)?;
        }
        if let Some((label, text)) = repo {
            l = l.file(Origin::Repo(label.to_string()), text, Path::new(label))?;
        }
        for (origin, key, value) in &self.values {
            l = l.value(origin.clone(), key, value);
        }
        Ok(l)
    }
}

/// Keys that have no default value (absent until a layer sets them).
pub const OPTIONAL_KEYS: [&str; 5] = [
    "database.url",
    "deliverables.dir",
    "github.api_url",
    "github.repo",
    "tracker.commit",
];

fn lookup<'a>(t: &'a Table, key: &str) -> Option<&'a Value> {
    let mut parts = key.split('.');
    let mut v = t.get(parts.next()?)?;
    for p in parts {
        v = v.as_table()?.get(p)?;
    }
    Some(v)
}

fn insert(t: &mut Table, key: &str, value: Value) {
    match key.split_once('.') {
        Some((head, rest)) => {
            let sub = t
                .entry(head.to_string())
                .or_insert_with(|| Value::Table(Table::new()));
            if !sub.is_table() {
                *sub = Value::Table(Table::new());
            }
            insert(sub.as_table_mut().expect("made a table"), rest, value);
        }
        None => {
            t.insert(key.to_string(), value);
        }
    }
}

fn merge(into: &mut Table, from: &Table) {
    for (k, v) in from {
        match (into.get_mut(k), v) {
            (Some(Value::Table(a)), Value::Table(b)) => merge(a, b),
            _ => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

fn flatten(prefix: &str, t: &Table, out: &mut BTreeMap<String, Value>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Table(sub) => flatten(&key, sub, out),
            other => {
                out.insert(key, other.clone());
            }
        }
    }
}

/// A value as TOML writes it inline, with any URL password replaced by `***`.
fn render(v: &Value) -> String {
    match v {
        Value::String(s) => Value::String(mask_url_password(s)).to_string(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(render).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Table(t) => {
            let items: Vec<String> = t
                .iter()
                .map(|(k, v)| format!("{k} = {}", render(v)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// `postgres://u:secret@h/db` → `postgres://u:***@h/db`; anything else unchanged.
pub fn mask_url_password(s: &str) -> String {
    match reqwest::Url::parse(s) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layers() -> Layers {
        Layers::defaults()
            .file(
                Origin::User("/u/config.toml".into()),
                "[nats]\nurl = \"nats://user-nats:4222\"\nack_timeout_secs = 3\n[stage]\npaths = [\"a/**\"]\n",
                Path::new("/u/config.toml"),
            )
            .unwrap()
            .file(
                Origin::Repo("HEAD:berry.toml".into()),
                "[nats]\nack_timeout_secs = 7\n[stage]\npaths = [\"b/**\", \"c/**\"]\n",
                Path::new("berry.toml"),
            )
            .unwrap()
    }

    #[test]
    fn the_defaults_survive_a_round_trip_through_toml() {
        let back = Layers::defaults().resolve().unwrap();
        assert_eq!(back, Config::with_default_people());
    }

    #[test]
    fn later_layers_win_key_by_key_and_arrays_are_replaced_whole() {
        let l = layers().value(
            Origin::Env(crate::env_vars::BERRY_DATABASE_URL),
            "database.url",
            "postgres://x@h/db",
        );
        let c = l.resolve().unwrap();
        assert_eq!(
            c.nats.url, "nats://user-nats:4222",
            "the user's, untouched by the repo"
        );
        assert_eq!(
            c.nats.ack_timeout_secs, 7,
            "the repository's wins over the user's"
        );
        assert_eq!(c.stage.paths, ["b/**", "c/**"], "replaced, not appended");
        assert_eq!(c.database.url.as_deref(), Some("postgres://x@h/db"));
        assert_eq!(
            c.database.url_from.as_deref(),
            Some("env:BERRY_DATABASE_URL")
        );
        assert_eq!(c.nats.connect_timeout_secs, 5, "a default nobody set");
        let origin = |k: &str| l.origin_of(k).unwrap().to_string();
        assert_eq!(origin("nats.url"), "user:/u/config.toml");
        assert_eq!(origin("nats.ack_timeout_secs"), "repo:HEAD:berry.toml");
        assert_eq!(origin("nats.connect_timeout_secs"), "default");
    }

    #[test]
    fn each_file_is_checked_on_its_own_and_named() {
        let e = Layers::defaults()
            .file(
                Origin::User("/u/config.toml".into()),
                "[nats]\nurll = 1\n",
                Path::new("/u/config.toml"),
            )
            .unwrap_err();
        assert_eq!(e.exit(), crate::error::Exit::Usage);
        assert!(e.message.contains("/u/config.toml"), "{}", e.message);
        assert!(e.message.contains("urll"), "{}", e.message);
    }

    #[test]
    fn a_change_freeze_is_refused_in_a_user_file() {
        let e = Layers::defaults()
            .file(
                Origin::User("/u/config.toml".into()),
                "[[deploy.freeze]]\ndays = [\"Fri\"]\n",
                Path::new("/u/config.toml"),
            )
            .unwrap_err();
        assert!(e.message.contains("deploy.freeze"), "{}", e.message);
    }

    #[test]
    fn entries_list_every_key_with_its_origin_and_mask_url_passwords() {
        let l = layers().value(
            Origin::Env(crate::env_vars::BERRY_DATABASE_URL),
            "database.url",
            "postgres://agent:s3cret@db:5432/agent_memory",
        );
        let entries = l.entries();
        let get = |k: &str| entries.iter().find(|e| e.key == k).unwrap().clone();
        assert_eq!(
            get("database.url").value,
            "\"postgres://agent:***@db:5432/agent_memory\""
        );
        assert!(!entries.iter().any(|e| e.value.contains("s3cret")));
        assert_eq!(get("stage.paths").value, "[\"b/**\", \"c/**\"]");
        assert_eq!(get("stage.paths").origin, "repo:HEAD:berry.toml");
        assert_eq!(get("agents.qa").origin, "default");
        let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert_eq!(l.get("nats").unwrap().len(), 5, "a section is its keys");
        assert!(l.get("github.repo").is_none(), "unset");
        assert!(Layers::is_known("github.repo"));
        assert!(!Layers::is_known("github.rpeo"));
    }
}
