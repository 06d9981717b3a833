//! `berry.toml`: every key README "Configuration" names, with its default. Unknown keys and wrong types are
//! a usage error (exit 2) naming the key and the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::BerryError;

/// The configuration file looked for at the repository root.
pub const FILE_NAME: &str = "berry.toml";

/// A value that is never shown: its `Debug` is `***`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Hidden(pub String);

impl std::fmt::Debug for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// libpq's standard variables (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`,
/// `PGCONNECT_TIMEOUT`) and the login name (`USER`), as the command layer read them; used when
/// no layer sets `database.url`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Libpq {
    pub host: Option<String>,
    pub port: Option<String>,
    pub user: Option<String>,
    pub password: Option<Hidden>,
    pub dbname: Option<String>,
    pub connect_timeout: Option<String>,
    /// `USER`: the user name when `PGUSER` is unset, as libpq takes it.
    pub login: Option<String>,
}

impl Libpq {
    /// Whether any of the `PG*` variables is set (`USER` alone does not count).
    pub fn any(&self) -> bool {
        self.host.is_some()
            || self.port.is_some()
            || self.user.is_some()
            || self.password.is_some()
            || self.dbname.is_some()
            || self.connect_timeout.is_some()
    }
}

/// NATS credentials from `NATS_CREDS`, `NATS_USER` and `NATS_PASSWORD`, as the command layer read
/// them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NatsAuth {
    pub creds: Option<String>,
    pub user: Option<String>,
    pub password: Option<Hidden>,
}

/// The GitHub tokens that are set, as the command layer read them: `(variable, value)` for
/// `GH_ENTERPRISE_TOKEN`, `GH_TOKEN` and `GITHUB_TOKEN`, in that order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tokens(pub Vec<(&'static str, Hidden)>);

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub agents: Agents,
    /// Display names and addresses for `Co-Authored-By:`, by agent id.
    pub people: BTreeMap<String, Person>,
    pub database: Database,
    pub deliverables: Deliverables,
    pub stage: Stage,
    pub guards: Guards,
    pub review: Review,
    pub test: Test,
    pub tracker: Tracker,
    pub nats: Nats,
    pub github: Github,
    pub health: Health,
    pub deploy: Deploy,
    pub checklist: Checklist,
    pub listen: Listen,
    pub git: Git,
    pub state: State,
}

/// `[git]`: git transfers (push, fetch, reading a remote ref).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Git {
    /// Seconds one whole transfer may take (connecting, the ref advertisement, the pack, the
    /// remote's answer); a peer that stalls past it is an error naming the remote.
    pub timeout_secs: u64,
    /// The CA bundle https transfers trust (`SSL_CERT_FILE`), handed in by [`crate::settings`];
    /// not a key. `None`: the system's bundle.
    #[serde(skip)]
    pub ca_file: Option<std::path::PathBuf>,
}

impl Default for Git {
    fn default() -> Self {
        Git {
            timeout_secs: 300,
            ca_file: None,
        }
    }
}

/// `[checklist]`: which security checklist items `complete` requires (passed automatically or
/// confirmed by the operator); the others are advisory. `"*"` requires every item.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Checklist {
    pub required: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Agents {
    /// The agents expected to deliver, in stage order.
    pub expected: Vec<String>,
    /// The QA agent whose approval opens the gate.
    pub qa: String,
    /// The critique agent whose REJECTED verdict closes it.
    pub critique: String,
    /// Agents whose deliverables make the summary of the commit message and PR body.
    pub summary: Vec<String>,
}

impl Default for Agents {
    fn default() -> Self {
        Agents {
            expected: ["cynthia", "sylvia", "roy", "jen", "billy", "priya"]
                .map(String::from)
                .to_vec(),
            qa: "billy".into(),
            critique: "sylvia".into(),
            summary: vec!["roy".into(), "jen".into()],
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub name: String,
    pub email: String,
    /// What the agent does (Research, Critique, …).
    #[serde(default)]
    pub role: String,
}

/// The people of the AgogSaaS workflow, as the AgogSaaS commit messages name them.
pub fn default_people() -> BTreeMap<String, Person> {
    [
        ("cynthia", "Cynthia", "Research"),
        ("sylvia", "Sylvia", "Critique"),
        ("roy", "Roy", "Backend"),
        ("jen", "Jen", "Frontend"),
        ("billy", "Billy", "QA"),
        ("priya", "Priya", "Statistics"),
        ("berry", "Berry", "DevOps"),
    ]
    .into_iter()
    .map(|(id, name, role)| {
        (
            id.to_string(),
            Person {
                name: format!("{name} ({role})"),
                email: format!("{id}@agogsaas.ai"),
                role: role.into(),
            },
        )
    })
    .collect()
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Database {
    /// PostgreSQL URL; `BERRY_DATABASE_URL` wins over it, the `PG*` variables and the default come after.
    pub url: Option<String>,
    /// Table of deliverables (`[schema.]table`).
    pub table: String,
    pub connect_timeout_secs: u64,
    pub query_timeout_secs: u64,
    /// Where `url` came from (`env:BERRY_DATABASE_URL`, `repo:HEAD:berry.toml`, …), set by
    /// [`crate::settings`], for messages; not a key.
    #[serde(skip)]
    pub url_from: Option<String>,
    /// libpq's variables, handed in by [`crate::settings`] from the command layer; not a key.
    #[serde(skip)]
    pub libpq: Libpq,
}

impl Default for Database {
    fn default() -> Self {
        Database {
            url_from: None,
            libpq: Libpq::default(),
            url: None,
            table: "nats_deliverable_cache".into(),
            connect_timeout_secs: 5,
            query_timeout_secs: 10,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Deliverables {
    /// A folder of `<REQ>/<agent>.json` files read instead of PostgreSQL (relative to the
    /// repository root); `--deliverables` wins over it.
    pub dir: Option<String>,
}

/// The default database when nothing else names one.
pub const DEFAULT_DATABASE_URL: &str = "postgres://agent_user@localhost:5434/agent_memory";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Stage {
    /// Globs (relative to the repository root) of what this stage commits. `*` stays within a
    /// folder, `**` crosses folders.
    pub paths: Vec<String>,
}

pub const ERP: &str = "Implementation/print-industry-erp";

impl Default for Stage {
    fn default() -> Self {
        Stage {
            paths: [
                "backend/migrations/*.sql",
                "backend/src/**/*.ts",
                "backend/src/**/*.graphql",
                "frontend/src/**/*.tsx",
                "frontend/src/**/*.ts",
                "backend/src/modules/**",
                "frontend/src/pages/**",
            ]
            .iter()
            .map(|p| format!("{ERP}/{p}"))
            .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Guards {
    /// Files above this size are blocked (GitHub rejects them).
    pub block_file_mb: u64,
    /// Files above this size are warned about.
    pub warn_file_mb: u64,
    /// The secret rule file (gitleaks format), relative to the repository root; else
    /// `.gitleaks.toml` when committed, else the built-in rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<String>,
}

impl Default for Guards {
    fn default() -> Self {
        Guards {
            block_file_mb: 100,
            warn_file_mb: 50,
            rules: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Review {
    /// Lines of diff shown per file in the preview.
    pub preview_lines: usize,
    /// Write the previews: unset = on a terminal only; `true` also in scripts and CI.
    pub preview: Option<bool>,
}

impl Default for Review {
    fn default() -> Self {
        Review {
            preview_lines: 80,
            preview: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Test {
    pub commands: Vec<TestCommand>,
    /// berry's credential variables (`GH_TOKEN`, `BERRY_DATABASE_URL`, …) the test commands and
    /// the command health checks may still see; all others of them are removed from their
    /// environment.
    pub pass_env: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TestCommand {
    pub name: String,
    /// The program and its arguments; no shell is involved.
    pub argv: Vec<String>,
    /// Working directory, relative to the repository root.
    #[serde(default)]
    pub dir: String,
    #[serde(default = "default_test_timeout")]
    pub timeout_secs: u64,
}

fn default_test_timeout() -> u64 {
    900
}

impl Default for Test {
    fn default() -> Self {
        let cmd = |name: &str, argv: &[&str], dir: &str| TestCommand {
            name: name.into(),
            argv: argv.iter().map(|s| s.to_string()).collect(),
            dir: format!("{ERP}/{dir}"),
            timeout_secs: default_test_timeout(),
        };
        Test {
            pass_env: Vec::new(),
            commands: vec![
                cmd("backend", &["npm", "test"], "backend"),
                cmd("frontend", &["npm", "test", "--", "--run"], "frontend"),
            ],
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Tracker {
    /// `OWNER_REQUESTS.md`, relative to the repository root.
    pub path: String,
    /// Commit the tracker edit (the tracker file alone) and push it. Unset: yes when the tracker
    /// file is tracked by git.
    pub commit: Option<bool>,
}

impl Default for Tracker {
    fn default() -> Self {
        Tracker {
            path: "project-spirit/owner_requests/OWNER_REQUESTS.md".into(),
            commit: None,
        }
    }
}

/// `[deploy]`: when berry may ship.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Deploy {
    /// `[[deploy.freeze]]`: change freezes, none by default (see [`crate::freeze`]).
    pub freeze: Vec<crate::freeze::Window>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Nats {
    /// Server URL; `NATS_URL` wins over it.
    pub url: String,
    /// Subject of berry's notices; `{req}` is replaced by the REQ number.
    pub subject: String,
    pub connect_timeout_secs: u64,
    pub ack_timeout_secs: u64,
    /// `false`: notices are shown but not sent (a sandbox, a repository without an orchestrator).
    pub publish: bool,
    /// The credentials of the environment, handed in by [`crate::settings`]; not a key.
    #[serde(skip)]
    pub auth: NatsAuth,
}

impl Default for Nats {
    fn default() -> Self {
        Nats {
            publish: true,
            url: "nats://localhost:4222".into(),
            subject: "agog.deliverables.berry.devops.{req}".into(),
            connect_timeout_secs: 5,
            ack_timeout_secs: 10,
            auth: NatsAuth::default(),
        }
    }
}

/// `[state]`: where the REQ contexts are kept.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct State {
    /// `file` (the folder, for hand use) or `nats-kv` (a JetStream key-value bucket, for
    /// listeners and engineers on several machines gating one REQ).
    pub backend: StateBackend,
    /// The bucket of `nats-kv` (created when missing).
    pub bucket: String,
}

impl Default for State {
    fn default() -> Self {
        State {
            backend: StateBackend::File,
            bucket: "berry_contexts".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub enum StateBackend {
    #[default]
    #[serde(rename = "file")]
    File,
    #[serde(rename = "nats-kv")]
    NatsKv,
}

/// `[listen]`: `berry listen`, the stage-7 agent started by the orchestrator over JetStream.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Listen {
    /// The stream the orchestrator publishes its stage events on (berry expects it).
    pub stream: String,
    /// The durable pull consumer every listener binds (created when missing).
    pub consumer: String,
    /// The consumer's filter subject: the stage-started events.
    pub subject: String,
    /// How long the server waits for an acknowledgement before it redelivers; a listener at
    /// work says "in progress" three times as often.
    pub ack_wait_secs: u64,
    /// How many times an event is delivered before the listener answers it as blocked.
    pub max_deliver: i64,
    /// The delay before an event released by a stopping listener (or a failed attempt) is
    /// delivered again.
    pub nak_delay_secs: u64,
    /// Events handled at the same time by one process.
    pub concurrency: usize,
    /// Where a REQ's work comes from: `worktree` (this clone's working tree, the single-host
    /// deployment) or `branch` (`agents/<REQ>` on the remote, into a worktree of the
    /// listener's own).
    pub source: ListenSource,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ListenSource {
    #[default]
    Worktree,
    Branch,
}

impl Default for Listen {
    fn default() -> Self {
        Listen {
            stream: "agog_orchestration_events".into(),
            consumer: "berry_stage7".into(),
            subject: "agog.orchestration.events.stage.started".into(),
            ack_wait_secs: 60,
            max_deliver: 5,
            nak_delay_secs: 30,
            concurrency: 1,
            source: ListenSource::Worktree,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Github {
    /// API base; `GITHUB_API_URL` wins, else it is derived from the remote's host.
    pub api_url: Option<String>,
    /// `OWNER/REPO` when the remote is not on GitHub; `--repo` and `BERRY_GITHUB_REPO` win.
    pub repo: Option<String>,
    /// What `watch` concludes when no workflow run appears: `skipped` or `failure`.
    pub no_ci: NoCi,
    /// The label of the CI-failure issue `watch` opens; the issue is found again by this label
    /// and its hidden marker.
    pub issue_label: String,
    /// Seconds one API request may take in all (connect, send, answer); `BERRY_GITHUB_TIMEOUT`
    /// sets it.
    pub timeout_secs: u64,
    /// The tokens of the environment, handed in by [`crate::settings`]; not a key.
    #[serde(skip)]
    pub tokens: Tokens,
}

impl Default for Github {
    fn default() -> Self {
        Github {
            api_url: None,
            repo: None,
            no_ci: NoCi::Skipped,
            issue_label: "berry".into(),
            timeout_secs: 30,
            tokens: Tokens::default(),
        }
    }
}

/// `[health]`: the deployment's health checks, run by `berry health` after CI and before
/// `complete`. None are configured by default (the AgogSaaS pair is one switch away:
/// `agogsaas = true`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Health {
    /// How long the checks may take in all: each is retried with backoff until it passes or
    /// this runs out.
    pub within_secs: u64,
    /// Add the AgogSaaS pair: the backend's GraphQL endpoint on port 4000 and the frontend on
    /// port 3000 (see [`agogsaas_checks`]).
    pub agogsaas: bool,
    pub checks: Vec<HealthCheck>,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            within_secs: 120,
            agogsaas: false,
            checks: Vec::new(),
        }
    }
}

impl Health {
    /// The checks in force: the AgogSaaS pair when switched on, then the configured ones.
    pub fn all_checks(&self) -> Vec<HealthCheck> {
        let mut out = if self.agogsaas {
            agogsaas_checks()
        } else {
            Vec::new()
        };
        out.extend(self.checks.iter().cloned());
        out
    }
}

/// One `[[health.checks]]` entry: an HTTP(S) request (`url`) or a command (`argv`, no shell).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default = "default_method")]
    pub method: String,
    #[serde(default = "default_expect_status")]
    pub expect_status: u16,
    /// A substring the response body must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_body: Option<String>,
    /// An RFC 6901 JSON pointer into the response body, with the value expected there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_pointer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_value: Option<serde_json::Value>,
    /// Seconds one attempt may take (request or command).
    #[serde(default = "default_check_timeout")]
    pub timeout_secs: u64,
    /// Accept any TLS certificate (a self-signed staging server). Verification is on otherwise.
    #[serde(default)]
    pub insecure_tls: bool,
    /// A command instead of a request: the program and its arguments, run from the repository
    /// root; exit 0 is healthy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub argv: Vec<String>,
}

fn default_method() -> String {
    "GET".into()
}
fn default_expect_status() -> u16 {
    200
}
fn default_check_timeout() -> u64 {
    10
}

/// The AgogSaaS application stack's two services, as `[health] agogsaas = true` adds them: the
/// backend's GraphQL API answers `{ __typename }` on port 4000, the frontend serves on port 3000.
pub fn agogsaas_checks() -> Vec<HealthCheck> {
    let http = |name: &str, url: &str| HealthCheck {
        name: name.into(),
        url: Some(url.into()),
        method: default_method(),
        expect_status: 200,
        expect_body: None,
        json_pointer: None,
        expect_value: None,
        timeout_secs: default_check_timeout(),
        insecure_tls: false,
        argv: Vec::new(),
    };
    vec![
        HealthCheck {
            json_pointer: Some("/data/__typename".into()),
            expect_value: Some(serde_json::Value::String("Query".into())),
            ..http(
                "backend",
                "http://localhost:4000/graphql?query=%7B__typename%7D",
            )
        },
        http("frontend", "http://localhost:3000/"),
    ]
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum NoCi {
    Skipped,
    Failure,
}

impl Config {
    /// Reads `path` (which must exist).
    pub fn from_file(path: &Path) -> Result<Config, BerryError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            BerryError::usage(format!(
                "cannot read configuration file {}: {e}",
                path.display()
            ))
        })?;
        Self::from_str(&text, path)
    }

    pub fn from_str(text: &str, origin: &Path) -> Result<Config, BerryError> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            BerryError::usage(format!(
                "invalid configuration in {}: {}",
                origin.display(),
                e.to_string().trim_end()
            ))
            .with_hint("`berry --help` lists the keys; README.md documents each one")
        })?;
        config.validate(origin)?;
        let mut people = default_people();
        people.append(&mut config.people);
        config.people = people;
        Ok(config)
    }

    /// `--config` when given, else `<root>/berry.toml` when present, else the defaults.
    /// Returns the config and the file it came from.
    pub fn load(
        explicit: Option<&Path>,
        root: Option<&Path>,
    ) -> Result<(Config, Option<PathBuf>), BerryError> {
        if let Some(p) = explicit {
            return Ok((Self::from_file(p)?, Some(p.to_path_buf())));
        }
        if let Some(root) = root {
            let p = root.join(FILE_NAME);
            if p.is_file() {
                return Ok((Self::from_file(&p)?, Some(p)));
            }
        }
        Ok((Config::with_default_people(), None))
    }

    pub fn with_default_people() -> Config {
        Config {
            people: default_people(),
            ..Config::default()
        }
    }

    pub(crate) fn validate(&self, origin: &Path) -> Result<(), BerryError> {
        let bad = |key: &str, why: String| {
            Err(BerryError::usage(format!(
                "invalid configuration in {}: `{key}` {why}",
                origin.display()
            )))
        };
        if self.agents.expected.is_empty() {
            return bad(
                "agents.expected",
                "is empty: name at least the QA agent".into(),
            );
        }
        for a in &self.agents.expected {
            if a.is_empty()
                || !a
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return bad("agents.expected", format!("has an invalid agent id {a:?}"));
            }
        }
        if !self.agents.expected.contains(&self.agents.qa) {
            return bad(
                "agents.qa",
                format!("is {:?}, which is not in agents.expected", self.agents.qa),
            );
        }
        if !valid_table_name(&self.database.table) {
            return bad(
                "database.table",
                format!(
                    "is {:?}: expected `table` or `schema.table` (letters, digits, _)",
                    self.database.table
                ),
            );
        }
        if let Err(e) = crate::scope::Scope::check(&self.stage.paths) {
            return bad("stage.paths", format!("has an invalid glob: {e}"));
        }
        for (i, c) in self.test.commands.iter().enumerate() {
            if c.argv.is_empty() {
                return bad(&format!("test.commands[{i}].argv"), "is empty".into());
            }
        }
        if self.guards.warn_file_mb > self.guards.block_file_mb {
            return bad(
                "guards.warn_file_mb",
                "is above guards.block_file_mb".into(),
            );
        }
        if !self.nats.subject.contains("{req}") {
            return bad("nats.subject", "must contain `{req}`".into());
        }
        if self.listen.ack_wait_secs < 3 {
            return bad("listen.ack_wait_secs", "must be at least 3".into());
        }
        if self.listen.max_deliver < 1 {
            return bad("listen.max_deliver", "must be at least 1".into());
        }
        if self.listen.concurrency < 1 {
            return bad("listen.concurrency", "must be at least 1".into());
        }
        if self.listen.consumer.is_empty()
            || !self
                .listen
                .consumer
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return bad(
                "listen.consumer",
                format!(
                    "is {:?}: a durable name is letters, digits, _ and -",
                    self.listen.consumer
                ),
            );
        }
        for r in &self.checklist.required {
            if r != "*" && crate::checklist::title(r).is_none() {
                return bad(
                    "checklist.required",
                    format!(
                        "names {r:?}: the items are {}",
                        crate::checklist::ITEMS.map(|(i, _)| i).join(", ")
                    ),
                );
            }
        }
        let mut names = std::collections::BTreeSet::new();
        for (i, c) in self.health.all_checks().iter().enumerate() {
            let key = |k: &str| format!("health.checks[{i}].{k}");
            if c.name.is_empty()
                || !c
                    .name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
            {
                return bad(
                    &key("name"),
                    format!("is {:?}: letters, digits, `-`, `_`, `.`", c.name),
                );
            }
            if !names.insert(c.name.clone()) {
                return bad(&key("name"), format!("{:?} is used twice", c.name));
            }
            match (&c.url, c.argv.is_empty()) {
                (Some(_), false) | (None, true) => {
                    return bad(&key("url"), "or `argv`: give exactly one of them".into());
                }
                (Some(u), true) => {
                    let scheme = u.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
                    if !matches!(scheme.as_deref(), Some("http" | "https")) {
                        return bad(&key("url"), format!("is {u:?}: an http:// or https:// URL"));
                    }
                    if !matches!(
                        c.method.as_str(),
                        "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS"
                    ) {
                        return bad(&key("method"), format!("is {:?}", c.method));
                    }
                }
                (None, false) => {}
            }
            if c.json_pointer.is_some() != c.expect_value.is_some() {
                return bad(
                    &key("json_pointer"),
                    "and `expect_value` go together".into(),
                );
            }
            if let Some(p) = &c.json_pointer
                && !(p.is_empty() || p.starts_with('/'))
            {
                return bad(
                    &key("json_pointer"),
                    format!("is {p:?}: it starts with `/`"),
                );
            }
            if c.timeout_secs == 0 {
                return bad(&key("timeout_secs"), "is 0".into());
            }
        }
        for (i, w) in self.deploy.freeze.iter().enumerate() {
            if let Err((key, why)) = w.check() {
                return bad(&format!("deploy.freeze[{i}].{key}"), why);
            }
        }
        Ok(())
    }
}

/// `table` or `schema.table`, each part an unquoted SQL identifier.
pub fn valid_table_name(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() <= 2
        && parts.iter().all(|p| {
            let mut cs = p.chars();
            matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
                && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Config, BerryError> {
        Config::from_str(s, Path::new("/repo/berry.toml"))
    }

    #[test]
    fn empty_file_gives_the_documented_defaults() {
        let c = parse("").unwrap();
        assert_eq!(
            c.agents.expected,
            ["cynthia", "sylvia", "roy", "jen", "billy", "priya"]
        );
        assert_eq!(c.agents.qa, "billy");
        assert_eq!(c.database.table, "nats_deliverable_cache");
        assert_eq!(
            c.tracker.path,
            "project-spirit/owner_requests/OWNER_REQUESTS.md"
        );
        assert_eq!(c.nats.subject, "agog.deliverables.berry.devops.{req}");
        assert_eq!(c.stage.paths.len(), 7);
        assert_eq!(c.people["billy"].email, "billy@agogsaas.ai");
    }

    #[test]
    fn unknown_key_is_named_with_the_file() {
        let e = parse("[database]\ntabel = \"x\"\n").unwrap_err();
        assert_eq!(e.exit(), crate::error::Exit::Usage);
        assert!(e.message.contains("/repo/berry.toml"), "{}", e.message);
        assert!(e.message.contains("tabel"), "{}", e.message);
    }

    #[test]
    fn wrong_type_is_named() {
        let e = parse("[database]\nconnect_timeout_secs = \"five\"\n").unwrap_err();
        assert!(e.message.contains("connect_timeout_secs"), "{}", e.message);
    }

    #[test]
    fn semantic_errors_name_the_key() {
        let e = parse("[agents]\nqa = \"bob\"\n").unwrap_err();
        assert!(e.message.contains("`agents.qa`"), "{}", e.message);
        let e = parse("[database]\ntable = \"x; drop table y\"\n").unwrap_err();
        assert!(e.message.contains("`database.table`"), "{}", e.message);
        let e = parse("[stage]\npaths = [\"a/[b\"]\n").unwrap_err();
        assert!(e.message.contains("`stage.paths`"), "{}", e.message);
    }

    #[test]
    fn people_from_config_extend_the_defaults() {
        let c = parse("[people.liz]\nname = \"Liz (Frontend QA)\"\nemail = \"liz@example.com\"\n")
            .unwrap();
        assert_eq!(c.people["liz"].email, "liz@example.com");
        assert!(c.people.contains_key("roy"));
    }

    #[test]
    fn health_checks_are_validated_with_their_key() {
        let c = parse("[health]\nwithin_secs = 30\n\n[[health.checks]]\nname = \"api\"\nurl = \"https://api.example.com/health\"\njson_pointer = \"/status\"\nexpect_value = \"ok\"\n\n[[health.checks]]\nname = \"db\"\nargv = [\"pg_isready\"]\n").unwrap();
        assert_eq!(c.health.within_secs, 30);
        let all = c.health.all_checks();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].method, "GET");
        assert_eq!(all[0].expect_status, 200);
        assert_eq!(all[0].expect_value, Some(serde_json::json!("ok")));
        assert_eq!(all[1].argv, ["pg_isready"]);
        assert!(
            parse("").unwrap().health.all_checks().is_empty(),
            "off by default"
        );
        let on = parse("[health]\nagogsaas = true\n")
            .unwrap()
            .health
            .all_checks();
        assert_eq!(
            on.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["backend", "frontend"]
        );
        assert!(
            on[0]
                .url
                .as_deref()
                .unwrap()
                .starts_with("http://localhost:4000/")
        );
        assert!(
            on[1]
                .url
                .as_deref()
                .unwrap()
                .starts_with("http://localhost:3000/")
        );
        for (text, key) in [
            ("[[health.checks]]\nname = \"x\"\n", "health.checks[0].url"),
            (
                "[[health.checks]]\nname = \"x\"\nurl = \"ftp://h/\"\n",
                "health.checks[0].url",
            ),
            (
                "[[health.checks]]\nname = \"x\"\nurl = \"http://h/\"\nargv = [\"true\"]\n",
                "health.checks[0].url",
            ),
            (
                "[[health.checks]]\nname = \"a b\"\nargv = [\"true\"]\n",
                "health.checks[0].name",
            ),
            (
                "[[health.checks]]\nname = \"x\"\nurl = \"http://h/\"\njson_pointer = \"/a\"\n",
                "health.checks[0].json_pointer",
            ),
            (
                "[[health.checks]]\nname = \"x\"\nargv = [\"true\"]\n[[health.checks]]\nname = \"x\"\nargv = [\"true\"]\n",
                "health.checks[1].name",
            ),
        ] {
            let e = parse(text).unwrap_err();
            assert!(
                e.message.contains(&format!("`{key}`")),
                "{text}: {}",
                e.message
            );
        }
    }
}
