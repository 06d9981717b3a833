//! The bad-input catalogue: one table, every input berry reads, each row asserting the
//! exit code, a fragment of the message, and that nothing was changed or lost — HEAD, index and
//! status of the repository, the tracker's bytes, the context files (byte for byte, or still
//! parseable with the same ledger when the step records its outcome). Rows run one after the
//! other; every failure is collected and reported together.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use mockito::{Matcher, Server};
use serde_json::{Value, json};

use crate::common::*;
use crate::complete::{Ready, TRACKER};
use crate::fakes::{NAME, OWNER, Shipping, hook_lines, repo_json};
use crate::nats::{OwnServer, closed_port, nats_url, unique};

/// What a row may change besides nothing.
#[derive(Clone, Copy, PartialEq, Debug)]
enum May {
    /// Nothing at all.
    Nothing,
    /// The context may record the step's outcome (steps, state, evidence), its ledger stays.
    RecordOutcome,
    /// The tracker and the ledger may change (a notice kept pending after the tracker edit).
    Pending,
    /// The step succeeds and records its side effect in the context; the repository is untouched.
    Records,
    /// The step fails and reports the failure for a person: the ledger gains the failure and its
    /// notice, nothing else of the context changes, the tracker stays as it was.
    ReportsFailure,
}

/// Everything that says a repository and berry's files are as they were.
#[derive(Debug, PartialEq, Clone)]
struct State {
    head: String,
    index: String,
    status: String,
    tracker: Option<Vec<u8>>,
    contexts: BTreeMap<String, Vec<u8>>,
    repo: std::path::PathBuf,
}

fn git_out(repo: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(args)
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

impl State {
    /// Whether every commit from `old` to this HEAD is berry's commit of the tracker file alone
    /// (`None`: HEAD did not move).
    fn tracker_commits_since(&self, old: &str) -> Option<bool> {
        if self.head == old {
            return None;
        }
        let (old, new) = (old.trim(), self.head.trim());
        let subjects = git_out(
            &self.repo,
            &["log", "--format=%s", &format!("{old}..{new}")],
        );
        let files = git_out(&self.repo, &["diff", "--name-only", old, new]);
        Some(
            !subjects.trim().is_empty()
                && subjects.lines().all(|s| s.starts_with("chore(REQ-"))
                && files.trim() == TRACKER,
        )
    }
}

fn state(repo: &Path) -> State {
    let mut contexts = BTreeMap::new();
    if let Ok(rd) = std::fs::read_dir(repo.join(".git/berry")) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.path().is_file() && !name.ends_with(".lock") {
                contexts.insert(name, std::fs::read(e.path()).unwrap());
            }
        }
    }
    State {
        head: git_out(repo, &["rev-parse", "HEAD"]),
        index: git_out(repo, &["ls-files", "-s"]),
        status: git_out(repo, &["status", "--porcelain=v1", "--untracked-files=all"]),
        tracker: std::fs::read(repo.join(TRACKER)).ok(),
        contexts,
        repo: repo.to_path_buf(),
    }
}

/// A row's verdict: `Err` with what went wrong.
fn check(
    may: May,
    before: &State,
    after: &State,
    out: &Output,
    exit: i32,
    fragment: &str,
) -> Result<(), String> {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut problems = Vec::new();
    if out.status.code() != Some(exit) {
        problems.push(format!("exit {:?}, expected {exit}", out.status.code()));
    }
    if !text.contains(fragment) {
        problems.push(format!("no {fragment:?} in the output"));
    }
    if text.contains("panicked") || text.contains("RUST_BACKTRACE") {
        problems.push("a panic".into());
    }
    // With a pending notice the tracker edit stands, and so may berry's commit of the tracker file
    // alone: HEAD may move by such commits only, and the index differ in the tracker's entry only.
    let tracker_commits_only = may == May::Pending
        && after
            .tracker_commits_since(&before.head)
            .is_some_and(|only| only);
    let without_tracker = |index: &str| {
        index
            .lines()
            .filter(|l| !l.ends_with(&format!("\t{TRACKER}")))
            .collect::<Vec<_>>()
            .join("\n")
    };
    if before.head != after.head && !tracker_commits_only {
        problems.push(format!(
            "HEAD changed: {:?} -> {:?}",
            before.head, after.head
        ));
    }
    let index_same = before.index == after.index
        || (tracker_commits_only
            && without_tracker(&before.index) == without_tracker(&after.index));
    if !index_same {
        problems.push(format!(
            "index changed: {:?} -> {:?}",
            before.index, after.index
        ));
    }
    if may != May::Pending {
        if before.status != after.status {
            problems.push(format!(
                "status changed: {:?} -> {:?}",
                before.status, after.status
            ));
        }
        if before.tracker != after.tracker {
            problems.push("the tracker changed".into());
        }
    }
    // Every context byte string that existed is still there (a corrupt file moved aside is kept).
    for (name, bytes) in &before.contexts {
        let same_name = after.contexts.get(name);
        if may == May::Nothing || !name.ends_with(".json") {
            if same_name != Some(bytes) && !after.contexts.values().any(|b| b == bytes) {
                problems.push(format!("context file {name} changed or lost"));
            }
            continue;
        }
        let Some(now) = same_name else {
            problems.push(format!("context file {name} is gone"));
            continue;
        };
        let (Ok(a), Ok(b)) = (
            serde_json::from_slice::<Value>(bytes),
            serde_json::from_slice::<Value>(now),
        ) else {
            if now != bytes {
                problems.push(format!("context file {name} changed"));
            }
            continue;
        };
        if may == May::RecordOutcome && a["ledger"] != b["ledger"] {
            problems.push(format!("the ledger of {name} changed"));
        }
        if may == May::ReportsFailure {
            let without = |v: &Value| {
                let mut v = v.clone();
                v["updated_at"] = Value::Null;
                if let Some(l) = v["ledger"].as_object_mut() {
                    l.remove("failures");
                    l.remove("events");
                }
                v
            };
            if without(&a) != without(&b) {
                problems.push(format!(
                    "{name} changed beyond the reported failure and its notice"
                ));
            }
            if b["ledger"]["failures"]
                .as_array()
                .is_none_or(|f| f.is_empty())
            {
                problems.push(format!("{name} records no failure"));
            }
        }
    }
    for (name, bytes) in &after.contexts {
        if name.ends_with(".json")
            && !before.contexts.contains_key(name)
            && serde_json::from_slice::<Value>(bytes).is_err()
        {
            problems.push(format!("new context file {name} does not parse"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n--- output ---\n{text}", problems.join("; ")))
    }
}

struct Row {
    name: &'static str,
    exit: i32,
    fragment: &'static str,
    may: May,
    /// Builds the world and returns the repository and the command to run.
    run: fn() -> Probe,
}

/// A prepared world: its repository, the command, and whatever must live while it runs.
struct Probe {
    repo: PathBuf,
    cmd: assert_cmd::Command,
    _keep: Vec<Box<dyn std::any::Any>>,
    /// Replaces `fragment` when the expected text depends on the world (a port, a path).
    fragment: Option<String>,
}

impl Probe {
    fn new(repo: &Path, cmd: assert_cmd::Command) -> Probe {
        Probe {
            repo: repo.to_path_buf(),
            cmd,
            _keep: Vec::new(),
            fragment: None,
        }
    }
    fn keep(mut self, x: impl std::any::Any) -> Probe {
        self._keep.push(Box::new(x));
        self
    }
}

// ---------- worlds ----------

/// A repository with the AgogSaaS changes and the offline deliverables, not yet verified.
fn unverified() -> (TestEnv, PathBuf) {
    let env = TestEnv::new();
    env.agog_base();
    env.agog_changes();
    let d = env.deliverables_folder(REQ, None);
    (env, d)
}

fn verify_cmd(env: &TestEnv, d: &Path, req: &str) -> assert_cmd::Command {
    let mut c = env.berry();
    c.env("BERRY_DELIVERABLES", d).args(["verify", req]);
    c
}

fn verify_req(req: &'static str) -> Probe {
    let (env, d) = unverified();
    let cmd = verify_cmd(&env, &d, req);
    Probe::new(&env.repo, cmd).keep(env)
}

/// verify with billy's deliverable replaced by these bytes.
fn verify_qa_bytes(bytes: Vec<u8>) -> Probe {
    let (env, d) = unverified();
    std::fs::write(d.join(REQ).join("billy.json"), bytes).unwrap();
    let cmd = verify_cmd(&env, &d, REQ);
    Probe::new(&env.repo, cmd).keep(env)
}

fn verify_qa(v: Value) -> Probe {
    verify_qa_bytes(serde_json::to_vec(&v).unwrap())
}

fn qa() -> Value {
    fixture_json("agogsaas/deliverable_billy_qa_full_excerpt.json")
}

fn verify_with_config(toml: &[u8]) -> Probe {
    let (env, d) = unverified();
    let cfg = env.path().join("berry.toml");
    std::fs::write(&cfg, toml).unwrap();
    let mut cmd = verify_cmd(&env, &d, REQ);
    cmd.env("BERRY_CONFIG", &cfg);
    Probe::new(&env.repo, cmd).keep(env)
}

/// A verified REQ whose context file is then replaced by `bytes`; `berry status` reads it.
fn context_is(bytes: Vec<u8>, cmd_args: &[&str]) -> Probe {
    let (env, d) = unverified();
    let out = verify_cmd(&env, &d, REQ).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    std::fs::write(env.repo.join(format!(".git/berry/{REQ}.json")), bytes).unwrap();
    let mut cmd = env.berry();
    cmd.env("BERRY_DELIVERABLES", &d).args(cmd_args);
    Probe::new(&env.repo, cmd).keep(env)
}

fn context_json_text() -> Value {
    json!({
        "format_version": 1, "req": REQ,
        "created_at": NOW, "updated_at": NOW,
    })
}

/// A REQ ready to complete, the tracker replaced by `text`; `berry complete --yes` (NATS on a
/// subject no stream covers: the tracker is refused before anything is sent).
fn tracker_is(text: String) -> Probe {
    let env = TestEnv::new();
    let template = format!("test.{}.berry.devops.{{req}}", unique("bad"));
    let ready = Ready::new(&env, &template);
    env.write(TRACKER, text);
    let mut cmd = ready.complete(&env);
    cmd.arg("--yes");
    Probe::new(&env.repo, cmd).keep(env)
}

fn real_tracker() -> String {
    tracker_with(REQ, "Integrated CRM & Sales Pipeline Management")
}

/// A REQ ready to block; `berry block` with the NATS URL given.
fn block_with_nats(url: String) -> Probe {
    let env = TestEnv::new();
    let template = format!("test.{}.berry.devops.{{req}}", unique("bad"));
    let ready = Ready::new(&env, &template);
    let mut cmd = ready.berry(&env);
    cmd.env("NATS_URL", url)
        .args(["block", REQ, "--reason", "bad input catalogue", "--yes"]);
    Probe::new(&env.repo, cmd).keep(env)
}

fn shipping_push(branch: &str, prepare: impl FnOnce(&Shipping)) -> Probe {
    let s = Shipping::new(branch);
    prepare(&s);
    let mut cmd = s.berry();
    cmd.arg("push");
    let repo = s.env.repo.clone();
    Probe::new(&repo, cmd).keep(s)
}

fn rejected_by(fixture_name: &'static str) -> Probe {
    let s = Shipping::new("main");
    let server = s.over_http();
    s.refuse_with("refs/heads/main", &hook_lines(fixture_name));
    let mut cmd = s.berry();
    cmd.arg("push");
    let repo = s.env.repo.clone();
    Probe::new(&repo, cmd).keep(server).keep(s)
}

/// A REQ pushed on `req-crm`; `berry pr` against a fake GitHub whose POST answers `status` with
/// `body` (the repository and the PR list answer normally).
fn pr_answers(status: usize, body: String, headers: &[(&str, &str)]) -> Probe {
    let s = Shipping::new("req-crm");
    let out = s.berry().arg("push").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let mut server = Server::new();
    server
        .mock("GET", format!("/repos/{OWNER}/{NAME}").as_str())
        .with_status(200)
        .with_body(repo_json("main"))
        .create();
    server
        .mock("GET", format!("/repos/{OWNER}/{NAME}/pulls").as_str())
        .match_query(Matcher::Any)
        .with_status(200)
        .with_body("[]")
        .create();
    let mut post = server
        .mock("POST", format!("/repos/{OWNER}/{NAME}/pulls").as_str())
        .with_status(status)
        .with_body(body);
    for (k, v) in headers {
        post = post.with_header(*k, v);
    }
    post.create();
    let mut cmd = s.berry();
    cmd.env("GITHUB_API_URL", server.url())
        .env("BERRY_GITHUB_REPO", format!("{OWNER}/{NAME}"))
        .arg("pr");
    let repo = s.env.repo.clone();
    Probe::new(&repo, cmd).keep(server).keep(s)
}

fn gh_fixture(name: &str) -> String {
    let v = fixture_json(&format!("github/{name}"));
    // Recorded fixtures keep the body under "body"; plain ones are the body.
    match v.get("body") {
        Some(b) if v.get("status").is_some() => b.to_string(),
        _ => v.to_string(),
    }
}

/// A GitHub that accepts the connection and never answers.
fn pr_silent() -> Probe {
    let s = Shipping::new("req-crm");
    let out = s.berry().arg("push").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in listener.incoming().flatten() {
            held.push(c);
        }
    });
    let mut cmd = s.berry();
    cmd.env("GITHUB_API_URL", url)
        .env("BERRY_GITHUB_TIMEOUT", "1")
        .env("BERRY_GITHUB_REPO", format!("{OWNER}/{NAME}"))
        .arg("pr");
    let repo = s.env.repo.clone();
    Probe::new(&repo, cmd).keep(s)
}

fn nested(depth: usize) -> Vec<u8> {
    let mut s = Vec::with_capacity(depth * 2 + 2);
    s.extend(std::iter::repeat_n(b'[', depth));
    s.extend(std::iter::repeat_n(b']', depth));
    s
}

fn nested_objects(depth: usize) -> Vec<u8> {
    let mut s = Vec::new();
    s.extend(b"{\"status\":\"COMPLETE\",\"x\":".iter());
    for _ in 0..depth {
        s.extend(b"{\"a\":".iter());
    }
    s.extend(b"1");
    s.extend(std::iter::repeat_n(b'}', depth + 1));
    s
}

fn review_in(prepare: fn(&TestEnv)) -> Probe {
    let (env, d) = unverified();
    let out = verify_cmd(&env, &d, REQ).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    prepare(&env);
    let mut cmd = env.berry();
    cmd.env("BERRY_DELIVERABLES", &d).args(["review", "--yes"]);
    Probe::new(&env.repo, cmd).keep(env)
}

/// A verified and reviewed REQ, then `prepare`, then `berry --yes commit`.
fn commit_in(prepare: fn(&TestEnv)) -> Probe {
    let (env, d) = unverified();
    for args in [vec!["verify", REQ], vec!["--yes", "review"]] {
        let out = env
            .berry()
            .env("BERRY_DELIVERABLES", &d)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    }
    prepare(&env);
    let mut cmd = env.berry();
    cmd.env("BERRY_DELIVERABLES", &d).args(["--yes", "commit"]);
    Probe::new(&env.repo, cmd).keep(env)
}

/// A REQ pushed (ledger.push), `berry watch` against a GitHub whose every answer is `status`
/// with `body`.
fn watch_answers(status: usize, body: &str) -> Probe {
    let env = TestEnv::new();
    let ready = crate::watch::pushed(&env, &crate::watch::loose(), "");
    let mut server = Server::new();
    server
        .mock("GET", Matcher::Any)
        .with_status(status)
        .with_header("content-type", "application/json; charset=utf-8")
        .with_body(body)
        .create();
    let mut cmd = ready.berry(&env);
    cmd.env("GITHUB_API_URL", server.url())
        .env("BERRY_GITHUB_REPO", format!("{OWNER}/{NAME}"))
        .env("GH_TOKEN", crate::fakes::TOKEN)
        .args(["watch", "--interval", "0.05", "--timeout", "5"]);
    Probe::new(&env.repo, cmd).keep(server).keep(env)
}

/// A REQ committed, `berry test` with this `[[test.commands]]` entry.
fn test_step(command: &str) -> Probe {
    let env = TestEnv::new();
    let template = format!("test.{}.berry.devops.{{req}}", unique("bad"));
    let ready = Ready::new(&env, &template);
    // The tests have not run yet for this tree.
    let mut ctx = crate::complete::context_json(&env);
    ctx["ledger"]["tests"] = serde_json::Value::Null;
    crate::complete::write_context(&env, &ctx);
    let mut t = std::fs::read_to_string(&ready.config).unwrap();
    t.push_str(&format!("\n[[test.commands]]\n{command}\n"));
    std::fs::write(&ready.config, t).unwrap();
    let mut cmd = ready.berry(&env);
    cmd.arg("test");
    Probe::new(&env.repo, cmd).keep(env)
}

// ---------- the table ----------

const ROWS: &[Row] = &[
    // REQ numbers
    Row {
        name: "req empty",
        exit: 2,
        fragment: "it is empty",
        may: May::Nothing,
        run: || verify_req(""),
    },
    Row {
        name: "req too long",
        exit: 2,
        fragment: "the limit is 64",
        may: May::Nothing,
        run: || {
            verify_req(
                "REQ-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            )
        },
    },
    Row {
        name: "req unicode",
        exit: 2,
        fragment: "is not allowed",
        may: May::Nothing,
        run: || verify_req("REQ-ÜBER-1"),
    },
    Row {
        name: "req shell metacharacters",
        exit: 2,
        fragment: "is not allowed",
        may: May::Nothing,
        run: || verify_req("REQ-1;rm -rf ~"),
    },
    Row {
        name: "req command substitution",
        exit: 2,
        fragment: "is not allowed",
        may: May::Nothing,
        run: || verify_req("REQ-$(id)"),
    },
    Row {
        name: "req SQL injection",
        exit: 2,
        fragment: "is not allowed",
        may: May::Nothing,
        run: || verify_req("REQ-1' OR '1'='1"),
    },
    Row {
        name: "req path traversal",
        exit: 2,
        fragment: "must start with `REQ-`",
        may: May::Nothing,
        run: || verify_req("../../etc/passwd"),
    },
    Row {
        name: "req empty group",
        exit: 2,
        fragment: "empty group",
        may: May::Nothing,
        run: || verify_req("REQ-A--B"),
    },
    Row {
        name: "req newline",
        exit: 2,
        fragment: "is not allowed",
        may: May::Nothing,
        run: || verify_req("REQ-A\nB"),
    },
    Row {
        name: "req only prefix",
        exit: 2,
        fragment: "nothing follows `REQ-`",
        may: May::Nothing,
        run: || verify_req("REQ-"),
    },
    // deliverables
    Row {
        name: "deliverable is an array",
        exit: 3,
        fragment: "not a JSON object",
        may: May::RecordOutcome,
        run: || verify_qa(json!([1, 2])),
    },
    Row {
        name: "deliverable is a string",
        exit: 3,
        fragment: "not a JSON object",
        may: May::RecordOutcome,
        run: || verify_qa(json!("COMPLETE")),
    },
    Row {
        name: "deliverable is null",
        exit: 3,
        fragment: "not a JSON object",
        may: May::RecordOutcome,
        run: || verify_qa(Value::Null),
    },
    Row {
        name: "deliverable not JSON",
        exit: 3,
        fragment: "is not valid JSON",
        may: May::RecordOutcome,
        run: || verify_qa_bytes(b"{\"status\": COMPLETE".to_vec()),
    },
    Row {
        name: "deliverable empty file",
        exit: 3,
        fragment: "is not valid JSON",
        may: May::RecordOutcome,
        run: || verify_qa_bytes(Vec::new()),
    },
    Row {
        name: "deliverable huge (20 MB)",
        exit: 0,
        fragment: "",
        may: May::RecordOutcome,
        run: || {
            let mut v = qa();
            v["padding"] = json!("x".repeat(20 << 20));
            verify_qa(v)
        },
    },
    Row {
        name: "deliverable nested 10,000 arrays",
        exit: 3,
        fragment: "recursion limit",
        may: May::RecordOutcome,
        run: || verify_qa_bytes(nested(10_000)),
    },
    Row {
        name: "deliverable nested 10,000 objects",
        exit: 3,
        fragment: "recursion limit",
        may: May::RecordOutcome,
        run: || verify_qa_bytes(nested_objects(10_000)),
    },
    Row {
        name: "deliverable status wrong type",
        exit: 3,
        fragment: "status",
        may: May::RecordOutcome,
        run: || {
            let mut v = qa();
            v["status"] = json!(5);
            verify_qa(v)
        },
    },
    Row {
        name: "deliverable status lowercase failed",
        exit: 3,
        fragment: "status",
        may: May::RecordOutcome,
        run: || {
            let mut v = qa();
            v["status"] = json!("FAILED");
            verify_qa(v)
        },
    },
    // Duplicate keys: the last one counts, as in PostgreSQL's jsonb, where the agents' rows live.
    Row {
        name: "deliverable duplicate keys, last says FAILED",
        exit: 3,
        fragment: "FAILED",
        may: May::RecordOutcome,
        run: || {
            let t = serde_json::to_string(&qa()).unwrap();
            let cut = t.rfind('}').unwrap();
            verify_qa_bytes(format!("{},\"status\":\"FAILED\"}}", &t[..cut]).into_bytes())
        },
    },
    Row {
        name: "deliverable duplicate keys, last says COMPLETE",
        exit: 0,
        fragment: "",
        may: May::RecordOutcome,
        run: || {
            let t = serde_json::to_string(&qa()).unwrap();
            verify_qa_bytes(t.replacen('{', "{\"status\":\"FAILED\",", 1).into_bytes())
        },
    },
    Row {
        name: "deliverable not UTF-8",
        exit: 3,
        fragment: "is not valid JSON",
        may: May::RecordOutcome,
        run: || verify_qa_bytes(b"{\"status\":\"\xff\xfe\"}".to_vec()),
    },
    Row {
        name: "deliverables: QA missing",
        exit: 3,
        fragment: "billy",
        may: May::RecordOutcome,
        run: || {
            let (env, d) = unverified();
            std::fs::remove_file(d.join(REQ).join("billy.json")).unwrap();
            let cmd = verify_cmd(&env, &d, REQ);
            Probe::new(&env.repo, cmd).keep(env)
        },
    },
    Row {
        name: "deliverables: another agent missing",
        exit: 0,
        fragment: "roy has not delivered",
        may: May::RecordOutcome,
        run: || {
            let (env, d) = unverified();
            std::fs::remove_file(d.join(REQ).join("roy.json")).unwrap();
            let cmd = verify_cmd(&env, &d, REQ);
            Probe::new(&env.repo, cmd).keep(env)
        },
    },
    Row {
        name: "deliverables folder missing",
        exit: 2,
        fragment: "does not exist",
        may: May::Nothing,
        run: || {
            let (env, _) = unverified();
            let cmd = verify_cmd(&env, &env.path().join("nowhere"), REQ);
            Probe::new(&env.repo, cmd).keep(env)
        },
    },
    Row {
        name: "deliverable nested 10,000 levels in PostgreSQL",
        exit: 3,
        fragment: "billy",
        may: May::RecordOutcome,
        run: || {
            let (env, _) = unverified();
            let db = PgDb::new();
            db.load(REQ, None);
            let deep = String::from_utf8(nested_objects(10_000)).unwrap();
            db.client()
                .execute(
                    "UPDATE nats_deliverable_cache SET deliverable = $1::text::jsonb WHERE agent = 'billy'",
                    &[&deep],
                )
                .unwrap();
            let mut cmd = env.berry();
            cmd.env("BERRY_DATABASE_URL", db.url())
                .args(["verify", REQ]);
            Probe::new(&env.repo, cmd).keep(env).keep(db)
        },
    },
    // config
    Row {
        name: "config unknown key",
        exit: 2,
        fragment: "tabel",
        may: May::Nothing,
        run: || verify_with_config(b"[database]\ntabel = \"x\"\n"),
    },
    Row {
        name: "config unknown section",
        exit: 2,
        fragment: "unknown",
        may: May::Nothing,
        run: || verify_with_config(b"[deploy]\nx = 1\n"),
    },
    Row {
        name: "config wrong type",
        exit: 2,
        fragment: "connect_timeout_secs",
        may: May::Nothing,
        run: || verify_with_config(b"[database]\nconnect_timeout_secs = \"five\"\n"),
    },
    Row {
        name: "config not TOML",
        exit: 2,
        fragment: "berry.toml",
        may: May::Nothing,
        run: || verify_with_config(b"[database\n"),
    },
    Row {
        name: "config not UTF-8",
        exit: 2,
        fragment: "berry.toml",
        may: May::Nothing,
        run: || verify_with_config(b"[agents]\nqa = \"\xff\"\n"),
    },
    Row {
        name: "config qa not expected",
        exit: 2,
        fragment: "agents.qa",
        may: May::Nothing,
        run: || verify_with_config(b"[agents]\nqa = \"bob\"\n"),
    },
    Row {
        name: "config unreadable (a folder)",
        exit: 2,
        fragment: "berry.toml",
        may: May::Nothing,
        run: || {
            let (env, d) = unverified();
            let cfg = env.path().join("berry.toml");
            std::fs::create_dir_all(&cfg).unwrap();
            let mut cmd = verify_cmd(&env, &d, REQ);
            cmd.env("BERRY_CONFIG", &cfg);
            Probe::new(&env.repo, cmd).keep(env)
        },
    },
    // context
    Row {
        name: "context truncated",
        exit: 1,
        fragment: "is corrupt: not JSON",
        may: May::RecordOutcome,
        run: || {
            let mut b = serde_json::to_vec(&context_json_text()).unwrap();
            b.truncate(b.len() / 2);
            context_is(b, &["status", REQ])
        },
    },
    Row {
        name: "context newer version",
        exit: 1,
        fragment: "newer berry",
        may: May::Nothing,
        run: || {
            let mut v = context_json_text();
            v["format_version"] = json!(99);
            context_is(serde_json::to_vec(&v).unwrap(), &["status", REQ])
        },
    },
    Row {
        name: "context of another REQ",
        exit: 1,
        fragment: "belongs to REQ-OTHER-1",
        may: May::RecordOutcome,
        run: || {
            let mut v = context_json_text();
            v["req"] = json!("REQ-OTHER-1");
            context_is(serde_json::to_vec(&v).unwrap(), &["status", REQ])
        },
    },
    Row {
        name: "context binary garbage",
        exit: 1,
        fragment: "is corrupt: not JSON",
        may: May::RecordOutcome,
        run: || context_is(vec![0, 159, 146, 150, 255], &["status", REQ]),
    },
    Row {
        name: "context newer version, verify",
        exit: 1,
        fragment: "newer berry",
        may: May::Nothing,
        run: || {
            let mut v = context_json_text();
            v["format_version"] = json!(3);
            context_is(serde_json::to_vec(&v).unwrap(), &["verify", REQ])
        },
    },
    // tracker
    Row {
        name: "tracker entry missing",
        exit: 1,
        fragment: "no entry",
        may: May::Nothing,
        run: || tracker_is(tracker_with("REQ-SOMEONE-ELSE-1", "Other")),
    },
    Row {
        name: "tracker duplicate entries",
        exit: 1,
        fragment: "entries",
        may: May::Nothing,
        run: || {
            let t = real_tracker();
            let entry = t[t.find("### ").unwrap()..].to_string();
            tracker_is(format!("{t}\n{entry}"))
        },
    },
    Row {
        name: "tracker corrupted heading (fixture)",
        exit: 1,
        fragment: "REQ",
        may: May::Nothing,
        run: || {
            tracker_is(fixture(
                "agogsaas/owner_requests_corrupted_entry_b4e7f23.md",
            ))
        },
    },
    Row {
        name: "tracker without status line",
        exit: 1,
        fragment: "has no `**Status**:` line",
        may: May::Nothing,
        run: || tracker_is(real_tracker().replace("**Status**: IN_PROGRESS\n", "")),
    },
    Row {
        name: "tracker status without word",
        exit: 1,
        fragment: "status",
        may: May::Nothing,
        run: || {
            tracker_is(real_tracker().replace("**Status**: IN_PROGRESS\n", "**Status**: ???\n"))
        },
    },
    Row {
        name: "tracker missing file",
        exit: 1,
        fragment: "OWNER_REQUESTS.md",
        may: May::Nothing,
        run: || {
            let p = tracker_is(real_tracker());
            std::fs::remove_file(p.repo.join(TRACKER)).unwrap();
            p
        },
    },
    // repository states
    // push sends the recorded commit, whatever HEAD is: a detached HEAD or a rebase in progress
    // changes nothing of it, and neither is touched.
    Row {
        name: "repo detached HEAD (push)",
        exit: 0,
        fragment: "(verified)",
        may: May::Records,
        run: || {
            shipping_push("req-crm", |s| {
                s.env.git(&["checkout", "-q", "--detach"]);
            })
        },
    },
    Row {
        name: "repo mid-rebase (push)",
        exit: 0,
        fragment: "(verified)",
        may: May::Records,
        run: || {
            shipping_push("req-crm", |s| {
                std::fs::create_dir_all(s.env.repo.join(".git/rebase-merge")).unwrap();
                std::fs::write(
                    s.env.repo.join(".git/rebase-merge/head-name"),
                    "refs/heads/req-crm\n",
                )
                .unwrap();
            })
        },
    },
    // review only reads the index: a lock held by another git process does not stop it.
    Row {
        name: "repo locked index (review)",
        exit: 0,
        fragment: "",
        may: May::RecordOutcome,
        run: || {
            review_in(|env| {
                std::fs::write(env.repo.join(".git/index.lock"), "").unwrap();
            })
        },
    },
    Row {
        name: "repo unborn branch (review)",
        exit: 0,
        fragment: "",
        may: May::RecordOutcome,
        run: || {
            let env = TestEnv::new();
            env.write(TRACKER, real_tracker());
            env.write(&format!("{ERP}/backend/src/a.ts"), "export const a = 1;\n");
            let d = env.deliverables_folder(REQ, None);
            let out = verify_cmd(&env, &d, REQ).output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
            let mut cmd = env.berry();
            cmd.env("BERRY_DELIVERABLES", &d).args(["review", "--yes"]);
            Probe::new(&env.repo, cmd).keep(env)
        },
    },
    Row {
        name: "repo non-UTF-8 file name (review)",
        exit: 0,
        fragment: "",
        may: May::RecordOutcome,
        run: || {
            review_in(|env| {
                use std::os::unix::ffi::OsStrExt;
                let name = std::ffi::OsStr::from_bytes(b"caf\xe9.ts");
                std::fs::write(env.repo.join(ERP).join("backend/src").join(name), "x\n").unwrap();
            })
        },
    },
    Row {
        name: "repo locked index (commit)",
        exit: 1,
        fragment: "index.lock",
        may: May::RecordOutcome,
        run: || {
            commit_in(|env| {
                std::fs::write(env.repo.join(".git/index.lock"), "").unwrap();
            })
        },
    },
    Row {
        name: "repo mid-rebase (commit)",
        exit: 1,
        fragment: "rebase",
        may: May::RecordOutcome,
        run: || {
            commit_in(|env| {
                std::fs::create_dir_all(env.repo.join(".git/rebase-merge")).unwrap();
                std::fs::write(
                    env.repo.join(".git/rebase-merge/head-name"),
                    "refs/heads/main\n",
                )
                .unwrap();
            })
        },
    },
    Row {
        name: "repo detached HEAD (commit)",
        exit: 1,
        fragment: "detached",
        may: May::RecordOutcome,
        run: || {
            commit_in(|env| {
                env.git(&["checkout", "-q", "--detach"]);
            })
        },
    },
    Row {
        name: "repo not a repository",
        exit: 2,
        fragment: "repository",
        may: May::Nothing,
        run: || {
            let env = TestEnv::new();
            std::fs::remove_dir_all(env.repo.join(".git")).unwrap();
            let mut cmd = env.berry();
            cmd.args(["status", REQ]);
            Probe::new(&env.repo, cmd).keep(env)
        },
    },
    // remotes
    Row {
        name: "remote unreachable",
        exit: 1,
        fragment: "origin",
        may: May::ReportsFailure,
        run: || {
            shipping_push("req-crm", |s| {
                s.env.git(&[
                    "remote",
                    "set-url",
                    "origin",
                    "file:///nonexistent/remote.git",
                ]);
            })
        },
    },
    Row {
        name: "remote refuses the port",
        exit: 1,
        fragment: "origin",
        may: May::ReportsFailure,
        run: || {
            shipping_push("req-crm", |s| {
                s.env.git(&[
                    "remote",
                    "set-url",
                    "origin",
                    &format!("http://127.0.0.1:{}/origin.git", closed_port()),
                ]);
            })
        },
    },
    Row {
        name: "remote auth refused",
        exit: 1,
        fragment: "auth",
        may: May::ReportsFailure,
        run: || {
            let s = Shipping::new("req-crm");
            let server = s.over_http();
            let mut cmd = s.berry();
            cmd.env("GH_TOKEN", "ghp_wrongwrongwrongwrongwrongwrongwrong12")
                .arg("push");
            let repo = s.env.repo.clone();
            Probe::new(&repo, cmd).keep(server).keep(s)
        },
    },
    Row {
        name: "remote rejects: GH006 protected branch",
        exit: 4,
        fragment: "is protected (GH006). Push feature/",
        may: May::Nothing,
        run: || rejected_by("protected-branch-GH006.txt"),
    },
    Row {
        name: "remote rejects: GH013 ruleset",
        exit: 4,
        fragment: "is protected (GH013)",
        may: May::Nothing,
        run: || rejected_by("ruleset-GH013.txt"),
    },
    Row {
        name: "remote rejects: GH001 large files",
        exit: 1,
        fragment: "GH001",
        may: May::ReportsFailure,
        run: || rejected_by("large-files-GH001.txt"),
    },
    Row {
        name: "remote rejects: non-fast-forward text",
        exit: 1,
        fragment: "refused the push to refs/heads/main",
        may: May::ReportsFailure,
        run: || rejected_by("non-fast-forward.txt"),
    },
    Row {
        name: "remote rejects: auth failure text",
        exit: 1,
        fragment: "refused the push to refs/heads/main",
        may: May::ReportsFailure,
        run: || rejected_by("auth-failures.txt"),
    },
    // GitHub answers
    Row {
        name: "github 401",
        exit: 1,
        fragment: "Bad credentials",
        may: May::Nothing,
        run: || pr_answers(401, gh_fixture("error-401-bad-credentials.json"), &[]),
    },
    Row {
        name: "github 403 not accessible",
        exit: 1,
        fragment: "Resource not accessible",
        may: May::Nothing,
        run: || {
            pr_answers(
                403,
                gh_fixture("error-403-resource-not-accessible.ASSEMBLED.json"),
                &[],
            )
        },
    },
    Row {
        name: "github 403 primary rate limit",
        exit: 1,
        fragment: "rate limit",
        may: May::Nothing,
        run: || {
            pr_answers(
                403,
                gh_fixture("error-403-rate-limit-primary-authenticated.ASSEMBLED.json"),
                &[
                    ("x-ratelimit-remaining", "0"),
                    ("x-ratelimit-reset", "1799999999"),
                ],
            )
        },
    },
    Row {
        name: "github 403 secondary rate limit",
        exit: 1,
        fragment: "rate limit",
        may: May::Nothing,
        run: || {
            pr_answers(
                403,
                gh_fixture("error-403-secondary-rate-limit-2024.ASSEMBLED.json"),
                &[("retry-after", "3600")],
            )
        },
    },
    Row {
        name: "github 429",
        exit: 1,
        fragment: "rate limit",
        may: May::Nothing,
        run: || {
            pr_answers(
                429,
                "{\"message\":\"Too Many Requests\"}".into(),
                &[("retry-after", "3600")],
            )
        },
    },
    Row {
        name: "github 404",
        exit: 1,
        fragment: "was not found, or there is no access to it with this token (404",
        may: May::Nothing,
        run: || pr_answers(404, gh_fixture("error-404-not-found.json"), &[]),
    },
    Row {
        name: "github 410",
        exit: 1,
        fragment: "410",
        may: May::Nothing,
        run: || pr_answers(410, "{\"message\":\"Gone\"}".into(), &[]),
    },
    Row {
        name: "github 422 validation failed",
        exit: 1,
        fragment: "Validation Failed",
        may: May::Nothing,
        run: || pr_answers(422, gh_fixture("error-422-validation-failed.json"), &[]),
    },
    Row {
        name: "github 422 no commits",
        exit: 1,
        fragment: "no pull request",
        may: May::Nothing,
        run: || {
            pr_answers(
                422,
                gh_fixture("pulls-create-422-no-commits-2017.json"),
                &[],
            )
        },
    },
    Row {
        name: "github 422 already exists, none open",
        exit: 1,
        fragment: "exists",
        may: May::Nothing,
        run: || pr_answers(422, gh_fixture("pulls-create-422-already-exists.json"), &[]),
    },
    Row {
        name: "github 500",
        exit: 1,
        fragment: "500",
        may: May::Nothing,
        run: || pr_answers(500, "{\"message\":\"Server Error\"}".into(), &[]),
    },
    Row {
        name: "github 502 HTML",
        exit: 1,
        fragment: "502",
        may: May::Nothing,
        run: || pr_answers(502, "<html><body>Bad Gateway</body></html>".into(), &[]),
    },
    Row {
        name: "github malformed JSON",
        exit: 1,
        fragment: "JSON",
        may: May::Nothing,
        run: || pr_answers(201, "{\"number\": 42, \"html_url\": ".into(), &[]),
    },
    Row {
        name: "github 201 wrong shape",
        exit: 1,
        fragment: "",
        may: May::Nothing,
        run: || pr_answers(201, json!({"number": "forty-two"}).to_string(), &[]),
    },
    Row {
        name: "github slow beyond the timeout",
        exit: 1,
        fragment: "time",
        may: May::Nothing,
        run: pr_silent,
    },
    // GitHub answers while watching CI
    Row {
        name: "watch: github 401",
        exit: 1,
        fragment: "Bad credentials",
        may: May::Nothing,
        run: || watch_answers(401, &gh_fixture("error-401-bad-credentials.json")),
    },
    Row {
        name: "watch: github 404",
        exit: 1,
        fragment: "not found",
        may: May::Nothing,
        run: || {
            watch_answers(
                404,
                &gh_fixture("error-404-not-found-runs-list.ASSEMBLED.json"),
            )
        },
    },
    Row {
        name: "watch: malformed runs list",
        exit: 1,
        fragment: "JSON",
        may: May::Nothing,
        run: || watch_answers(200, "{\"total_count\": 1, \"workflow_runs\": [{\"id\": "),
    },
    Row {
        name: "watch: runs list of the wrong shape",
        exit: 1,
        fragment: "",
        may: May::Nothing,
        run: || watch_answers(200, "{\"total_count\": \"many\", \"workflow_runs\": 7}"),
    },
    // test commands
    Row {
        name: "test: command not found",
        exit: 3,
        fragment: "no-such-command-berry",
        may: May::Records,
        run: || test_step("name = \"unit\"\nargv = [\"no-such-command-berry\"]\ndir = \".\""),
    },
    Row {
        name: "test: command times out",
        exit: 3,
        fragment: "unit",
        may: May::Records,
        run: || {
            test_step("name = \"unit\"\nargv = [\"sleep\", \"30\"]\ndir = \".\"\ntimeout_secs = 1")
        },
    },
    Row {
        name: "test: folder missing",
        exit: 3,
        fragment: "nowhere",
        may: May::Records,
        run: || test_step("name = \"unit\"\nargv = [\"true\"]\ndir = \"nowhere\""),
    },
    // NATS
    Row {
        name: "nats down",
        exit: 1,
        fragment: "kept pending",
        may: May::Pending,
        run: || block_with_nats(format!("nats://127.0.0.1:{}", closed_port())),
    },
    Row {
        name: "nats auth refused",
        exit: 1,
        fragment: "kept pending",
        may: May::Pending,
        run: || {
            let dir = tempfile::tempdir().unwrap();
            let server = OwnServer::start(dir.path(), &["--user", "agents", "--pass", "right-pw"]);
            let url = server.url().replace("nats://", "nats://agents:wrong-pw@");
            block_with_nats(url).keep(server).keep(dir)
        },
    },
    Row {
        name: "nats no stream, no listener",
        exit: 0,
        fragment: "",
        may: May::Pending,
        run: || block_with_nats(nats_url()),
    },
    Row {
        name: "nats without JetStream (no ack)",
        exit: 0,
        fragment: "",
        may: May::Pending,
        run: || {
            let server = OwnServer::core_only();
            block_with_nats(server.url()).keep(server)
        },
    },
    Row {
        name: "nats not NATS (HTTP port)",
        exit: 1,
        fragment: "kept pending",
        may: May::Pending,
        run: || {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            let port = l.local_addr().unwrap().port();
            std::thread::spawn(move || {
                for mut c in l.incoming().flatten() {
                    let _ = c.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
                }
            });
            block_with_nats(format!("nats://127.0.0.1:{port}"))
        },
    },
];

#[test]
fn the_bad_input_catalogue() {
    assert!(ROWS.len() >= 50, "{} rows", ROWS.len());
    let only = std::env::var("BAD_INPUT_ROW").ok();
    let mut failures = Vec::new();
    for row in ROWS {
        if only.as_deref().is_some_and(|o| !row.name.contains(o)) {
            continue;
        }
        let mut probe = (row.run)();
        let before = state(&probe.repo);
        let out = probe.cmd.timeout(Duration::from_secs(90)).output().unwrap();
        let after = state(&probe.repo);
        let fragment = probe.fragment.clone().unwrap_or(row.fragment.to_string());
        if let Err(e) = check(row.may, &before, &after, &out, row.exit, &fragment) {
            failures.push(format!("== {}: {e}", row.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        ROWS.len(),
        failures.join("\n")
    );
}

#[test]
fn a_kill_in_the_middle_of_any_write_never_leaves_a_torn_tracker_or_context() {
    // `atomic-write-torn` kills berry when half of a file's new bytes are written: for each write
    // `berry complete` makes (contexts and the tracker), the tracker is then the old bytes or the
    // complete new ones, the context parses, and no temporary file is left once berry runs again.
    let clean_env = TestEnv::new();
    let template = format!("test.{}.berry.devops.{{req}}", unique("torn"));
    let ready = Ready::new(&clean_env, &template);
    let old = std::fs::read(clean_env.repo.join(TRACKER)).unwrap();
    let out = ready.complete(&clean_env).arg("--yes").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", clean_env.transcript(&out));
    let new = std::fs::read(clean_env.repo.join(TRACKER)).unwrap();
    assert_ne!(old, new);
    use std::os::unix::process::ExitStatusExt;
    let mut kills = 0;
    for nth in 1..=10 {
        let env = TestEnv::new();
        let ready = Ready::new(&env, &template);
        let out = ready
            .complete(&env)
            .arg("--yes")
            .env("BERRY_FAULT", format!("atomic-write-torn#{nth}"))
            .output()
            .unwrap();
        if out.status.signal() != Some(9) {
            assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
            break;
        }
        kills += 1;
        let now = std::fs::read(env.repo.join(TRACKER)).unwrap();
        assert!(now == old || now == new, "torn tracker after kill #{nth}");
        for e in std::fs::read_dir(env.repo.join(".git/berry"))
            .unwrap()
            .flatten()
        {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".json") {
                serde_json::from_slice::<Value>(&std::fs::read(e.path()).unwrap())
                    .unwrap_or_else(|err| panic!("{name} torn after kill #{nth}: {err}"));
            }
        }
        let out = ready.complete(&env).arg("--yes").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
        assert_eq!(std::fs::read(env.repo.join(TRACKER)).unwrap(), new);
        let status = env.git(&["status", "--porcelain=v1", "--untracked-files=all"]);
        assert!(
            !status.contains(".berry-"),
            "a temporary file was left behind: {status}"
        );
        let left: Vec<String> = std::fs::read_dir(env.repo.join(".git/berry"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".berry-"))
            .collect();
        assert!(
            left.is_empty(),
            "temporary files left in the state folder: {left:?}"
        );
    }
    assert!(kills >= 2, "the torn-write point was reached {kills} times");
}
