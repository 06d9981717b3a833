//! Crash points (README "Reliability"): berry is killed (SIGKILL, through the `fault-injection`
//! feature's `BERRY_FAULT`) at every named point of the shipping steps, the step is rerun, and the
//! result must be the one of a run that was never killed: one pushed ref, one pull request (POSTs
//! counted on a stateful fake GitHub), one notice in the JetStream stream, the tracker edited once,
//! the uncommitted work byte-for-byte intact, the context parseable.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::common::fixture_json;
use crate::complete::TRACKER;
use crate::fakes::{NAME, OWNER, Shipping, pull_json};
use crate::nats::{TestStream, nats_url};

const BRANCH: &str = "req-crm";

/// One request the fake GitHub received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: String,
    pub body: String,
}

/// A stateful fake GitHub: the repository, a pull-request list that shows what was created, PR
/// creation, issue creation and search. Every request is kept (for counting and for the secrets
/// test). Anything else is a 404 from the fixture.
pub struct FakeGitHub {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeGitHub {
    pub fn start() -> FakeGitHub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let log = seen.clone();
        std::thread::spawn(move || {
            let mut pulls: Vec<Value> = Vec::new();
            let mut issues: Vec<Value> = Vec::new();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some(req) = read_request(&mut stream) else {
                    continue;
                };
                log.lock().unwrap().push(req.clone());
                let (status, body) = answer(&req, &mut pulls, &mut issues);
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes());
            }
        });
        FakeGitHub { url, seen }
    }

    pub fn count(&self, method: &str, path: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.method == method && r.path.split('?').next() == Some(path))
            .count()
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn read_request(stream: &mut std::net::TcpStream) -> Option<Seen> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    let mut parts = first.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = String::new();
    let mut len = 0usize;
    loop {
        let mut l = String::new();
        if reader.read_line(&mut l).ok()? == 0 || l == "\r\n" {
            break;
        }
        if let Some(v) = l.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
        headers.push_str(&l);
    }
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Seen {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn answer(req: &Seen, pulls: &mut Vec<Value>, issues: &mut Vec<Value>) -> (u16, String) {
    let repo = format!("/repos/{OWNER}/{NAME}");
    let path = req.path.split('?').next().unwrap_or("");
    match (req.method.as_str(), path) {
        ("GET", p) if p == repo => (200, crate::fakes::repo_json("main")),
        ("GET", p) if p == format!("{repo}/pulls") => {
            (200, Value::Array(pulls.clone()).to_string())
        }
        ("POST", p) if p == format!("{repo}/pulls") => {
            let asked: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
            let head = asked["head"].as_str().unwrap_or(BRANCH);
            let base = asked["base"].as_str().unwrap_or("main");
            let pr = pull_json(
                41 + pulls.len() as u64 + 1,
                head,
                base,
                &format!("{OWNER}/{NAME}"),
            );
            pulls.push(pr.clone());
            (201, pr.to_string())
        }
        ("GET", p) if p == format!("{repo}/issues") => {
            (200, Value::Array(issues.clone()).to_string())
        }
        ("POST", p) if p == format!("{repo}/issues") => {
            let asked: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
            let mut v = fixture_json("github/issues-create-201.json");
            let n = 100 + issues.len() as u64;
            v["number"] = json!(n);
            v["title"] = asked["title"].clone();
            v["body"] = asked["body"].clone();
            v["html_url"] = json!(format!("https://github.com/{OWNER}/{NAME}/issues/{n}"));
            v["state"] = json!("open");
            issues.push(v.clone());
            (201, v.to_string())
        }
        _ => (
            404,
            fixture_json("github/error-404-not-found.json").to_string(),
        ),
    }
}

/// Every fault point, with the step that reaches it (`watch`: its own test below).
const POINTS: &[(&str, &str)] = &[
    ("context-written", "push"),
    ("atomic-write-before-rename", "complete"),
    ("atomic-write-torn", "complete"),
    ("pushed", "push"),
    ("pr-created", "pr"),
    ("tracker-written", "complete"),
    ("tracker-branch-moved", "complete"),
    ("tracker-committed", "complete"),
    ("tracker-pushed", "complete"),
    ("rollback-reverted", "rollback"),
    ("rollback-pushed", "rollback"),
    ("rollback-pr-created", "rollback"),
    ("event-pending", "complete"),
    ("event-published", "complete"),
    ("issue-created", "watch"),
    ("commit-object-written", "commit"),
    ("commit-branch-moved", "commit"),
    ("commit-written", "commit"),
    ("listen-child-killed", "listen"),
];

/// The names used in `crate::fault::point("…")` anywhere under src/.
fn points_in_source() -> Vec<String> {
    let re = regex::Regex::new(r#"fault::point\("([^"]+)"\)"#).unwrap();
    let mut names = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                names.extend(re.captures_iter(&text).map(|c| c[1].to_string()));
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

#[test]
fn every_fault_point_in_the_source_has_a_crash_test() {
    let mut tested: Vec<String> = POINTS.iter().map(|(n, _)| n.to_string()).collect();
    tested.sort();
    assert_eq!(
        points_in_source(),
        tested,
        "a fault point without a crash test (or a test for a point that is gone)"
    );
}

/// The pipeline world: a committed REQ on a feature branch, a bare origin, the fake GitHub, a
/// JetStream stream for the notices, and uncommitted work in the tree that must survive.
struct World {
    s: Shipping,
    gh: FakeGitHub,
    stream: TestStream,
    config: std::path::PathBuf,
}

const SCRATCH: &str = "notes/uncommitted.bin";

impl World {
    fn new() -> World {
        let s = Shipping::new(BRANCH);
        let stream = TestStream::new();
        let config = s.env.path().join("berry.toml");
        std::fs::write(
            &config,
            format!("[nats]\nsubject = \"{}\"\n", stream.template()),
        )
        .unwrap();
        // The commit step's record plus a green watch, as `complete` needs them.
        let mut ctx = s.context();
        ctx["ledger"]["watch"] = crate::common::watch_record(&s.sha, "success");
        std::fs::write(s.context_path(), serde_json::to_vec_pretty(&ctx).unwrap()).unwrap();
        // Uncommitted, unstaged work with odd bytes, and a staged change.
        s.env.write(SCRATCH, scratch_bytes());
        s.env.write("README.md", "# AgogSaaS\nlocal edit, staged\n");
        s.env.git(&["add", "README.md"]);
        World {
            s,
            gh: FakeGitHub::start(),
            stream,
            config,
        }
    }

    fn step(&self, step: &str, fault: Option<&str>) -> std::process::Output {
        let mut c = self.s.berry();
        c.env("BERRY_CONFIG", &self.config)
            .env("NATS_URL", nats_url())
            .env("GITHUB_API_URL", &self.gh.url)
            .env("BERRY_GITHUB_REPO", format!("{OWNER}/{NAME}"))
            .arg(step);
        if step == "complete" {
            c.arg("--yes");
        }
        if let Some(f) = fault {
            c.env("BERRY_FAULT", f);
        }
        c.output().unwrap()
    }

    /// Runs the pipeline; at `fault` (in its step) berry is killed and the step rerun. Returns
    /// how many times berry was killed.
    fn run(&self, fault: Option<(&str, &str)>) -> usize {
        let mut kills = 0;
        for step in ["push", "pr", "complete"] {
            let f = fault.filter(|(_, s)| *s == step).map(|(f, _)| f);
            let out = self.step(step, f);
            if out.status.signal() == Some(9) {
                kills += 1;
                // The context must be readable (or absent) right after the kill.
                let _: Value =
                    serde_json::from_slice(&std::fs::read(self.s.context_path()).unwrap())
                        .expect("context parseable after the kill");
                let again = self.step(step, None);
                assert_eq!(
                    again.status.code(),
                    Some(0),
                    "rerun of {step} after {f:?}: {}",
                    self.s.env.transcript(&again)
                );
            } else {
                assert_eq!(
                    out.status.code(),
                    Some(0),
                    "{step} with {f:?}: {}",
                    self.s.env.transcript(&out)
                );
            }
        }
        kills
    }

    /// What must be the same as after a run that was never killed.
    fn outcome(&self) -> Outcome {
        let e = &self.s.env;
        let ctx = self.s.context();
        let mut remote_refs = e.git_in(
            &self.s.bare,
            &["for-each-ref", "--format=%(refname) %(objectname)"],
        );
        remote_refs = remote_refs.replace(&self.s.sha, "<sha>");
        let messages = self.stream.messages();
        let mut ids: Vec<String> = messages.iter().map(|(id, _)| id.clone()).collect();
        ids.dedup();
        Outcome {
            remote_refs,
            pr_posts: self
                .gh
                .count("POST", &format!("/repos/{OWNER}/{NAME}/pulls")),
            notices: messages.len(),
            distinct_ids: ids.len(),
            tracker: e.read(TRACKER),
            status: e.git(&["status", "--porcelain=v1", "--untracked-files=all"]),
            index: e.git(&["ls-files", "-s"]),
            head: e.git(&["rev-parse", "HEAD"]).replace(&self.s.sha, "<sha>"),
            scratch: std::fs::read(e.repo.join(SCRATCH)).unwrap(),
            ledger_tracker: ctx["ledger"]["tracker"].as_array().map(Vec::len),
            tracker_commits: ctx["ledger"]["tracker_commits"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|r| format!("{} {} {}", r["status"], r["sha"], r["pushed"]))
                        .collect()
                })
                .unwrap_or_default(),
            ledger_events: ctx["ledger"]["events"]
                .as_array()
                .map(|a| a.iter().filter(|e| e["acknowledged"] == true).count()),
            pr_number: ctx["ledger"]["pr"]["number"].clone(),
            state: ctx["state"].clone(),
        }
    }
}

fn scratch_bytes() -> Vec<u8> {
    let mut b = b"not committed\r\n\x00\xff binary tail without newline".to_vec();
    b.extend((0..=255u8).rev());
    b
}

#[derive(Debug, PartialEq)]
struct Outcome {
    remote_refs: String,
    pr_posts: usize,
    notices: usize,
    distinct_ids: usize,
    tracker: String,
    status: String,
    index: String,
    head: String,
    scratch: Vec<u8>,
    ledger_tracker: Option<usize>,
    tracker_commits: Vec<String>,
    ledger_events: Option<usize>,
    pr_number: Value,
    state: Value,
}

#[test]
fn killed_at_every_fault_point_a_rerun_ends_as_if_never_killed() {
    let clean = World::new();
    assert_eq!(clean.run(None), 0);
    let expected = clean.outcome();
    assert_eq!(expected.pr_posts, 1);
    assert_eq!(expected.notices, 1);
    assert_eq!(expected.distinct_ids, 1);
    assert_eq!(expected.ledger_tracker, Some(1));
    // One tracker commit, pushed onto the shipped branch: its tip on the origin.
    assert_eq!(
        expected.tracker_commits.len(),
        1,
        "{:?}",
        expected.tracker_commits
    );
    assert!(
        expected.tracker_commits[0].contains(&format!("\"origin refs/heads/{BRANCH}\"")),
        "{:?}",
        expected.tracker_commits
    );
    assert!(
        expected
            .remote_refs
            .contains(&format!("refs/heads/{BRANCH}"))
    );
    assert!(
        !expected
            .remote_refs
            .contains(&format!("refs/heads/{BRANCH} <sha>")),
        "the tracker commit is the branch's tip: {}",
        expected.remote_refs
    );
    assert_eq!(expected.ledger_events, Some(1));
    assert_eq!(expected.scratch, scratch_bytes());
    assert!(expected.tracker.contains("**Status**: DEPLOYED"));
    assert_eq!(expected.state, "DEPLOYED");

    let mut covered = Vec::new();
    for &(point, step) in POINTS {
        if step == "watch" || step == "commit" || step == "rollback" || step == "listen" {
            // Their own tests: killed_after_the_ci_issue_is_created_a_rerun_opens_no_second_issue,
            // killed_while_committing_a_rerun_makes_exactly_one_commit, and rollback's in
            // rollback::killed_at_each_rollback_point_a_rerun_ends_as_an_uninterrupted_run and
            // rollback::on_a_protected_branch_the_revert_goes_to_a_pull_request; the listener's in
            // listen::a_listener_killed_after_the_push_leaves_the_event_to_another_that_finishes_it_once.
            continue;
        }
        // Kill at each time the point is reached in its step, one run per occurrence.
        for nth in 1..=12 {
            let world = World::new();
            let spec = format!("{point}#{nth}");
            let kills = world.run(Some((&spec, step)));
            if kills == 0 {
                assert!(
                    nth > 1,
                    "fault point {point} never reached in `berry {step}`"
                );
                break;
            }
            assert_eq!(world.outcome(), expected, "killed at {spec} in {step}");
            covered.push(spec);
        }
    }
    eprintln!("crash runs: {}: {covered:?}", covered.len());
}

#[test]
fn killed_after_the_ci_issue_is_created_a_rerun_opens_no_second_issue() {
    use crate::watch::{FakeGithub, failing_phases, pushed, watch};
    let stream = TestStream::new();
    let env = crate::common::TestEnv::new();
    let ready = pushed(&env, &stream.template(), "");
    let gh = FakeGithub::new(&ready.sha, failing_phases());
    let tracker_before = env.read(TRACKER);
    env.write(SCRATCH, scratch_bytes());

    let out = watch(&env, &ready, &gh)
        .arg("--yes")
        .env("BERRY_FAULT", "issue-created")
        .output()
        .unwrap();
    assert_eq!(out.status.signal(), Some(9), "{}", env.transcript(&out));
    assert_eq!(gh.state().issues.len(), 1);
    assert_eq!(env.read(TRACKER), tracker_before, "killed before the block");

    let out = watch(&env, &ready, &gh).arg("--yes").output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    {
        let s = gh.state();
        assert_eq!(s.issues.len(), 1, "one CI issue: {:?}", s.issue_writes);
        assert_eq!(
            s.issue_writes.iter().filter(|(m, _)| m == "POST").count(),
            1,
            "{:?}",
            s.issue_writes
        );
    }
    let ctx = crate::complete::context_json(&env);
    assert_eq!(ctx["ledger"]["watch"]["conclusion"], "failure");
    assert!(ctx["ledger"]["issue"]["number"].is_number(), "{ctx}");
    assert_eq!(ctx["state"], "BLOCKED");
    let text = env.read(TRACKER);
    assert_eq!(text.matches("**Status**: BLOCKED").count(), 1, "{text}");
    assert_eq!(stream.messages().len(), 1);
    assert_eq!(
        std::fs::read(env.repo.join(SCRATCH)).unwrap(),
        scratch_bytes()
    );
}

/// A REQ verified and reviewed (with uncommitted work outside scope and an untracked file),
/// ready for `berry commit`.
fn reviewed() -> (crate::common::TestEnv, std::path::PathBuf) {
    let env = crate::common::TestEnv::new();
    env.agog_base();
    env.agog_changes();
    env.write(SCRATCH, scratch_bytes());
    let d = env.deliverables_folder(crate::common::REQ, None);
    for args in [vec!["verify", crate::common::REQ], vec!["--yes", "review"]] {
        let out = env
            .berry()
            .env("BERRY_DELIVERABLES", &d)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    }
    (env, d)
}

fn commit_outcome(env: &crate::common::TestEnv, base: &str) -> (String, String, String, Vec<u8>) {
    let ctx = crate::complete::context_json(env);
    let head = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(
        ctx["ledger"]["commit"]["sha"],
        head.as_str(),
        "the commit is recorded"
    );
    (
        env.git(&["rev-list", "--count", &format!("{base}..HEAD")]),
        env.git(&["rev-parse", "HEAD^{tree}"]),
        env.git(&["status", "--porcelain=v1", "--untracked-files=all"])
            + &env.git(&["diff"])
            + &env.git(&["ls-files", "-s"]),
        std::fs::read(env.repo.join(SCRATCH)).unwrap(),
    )
}

#[test]
fn killed_while_committing_a_rerun_makes_exactly_one_commit() {
    let (clean, d) = reviewed();
    let base = clean.git(&["rev-parse", "HEAD"]).trim().to_string();
    let out = clean
        .berry()
        .env("BERRY_DELIVERABLES", &d)
        .args(["--yes", "commit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", clean.transcript(&out));
    let expected = commit_outcome(&clean, &base);
    assert_eq!(expected.0.trim(), "1");

    for point in [
        "commit-object-written",
        "commit-branch-moved",
        "commit-written",
    ] {
        let (env, d) = reviewed();
        let base = env.git(&["rev-parse", "HEAD"]).trim().to_string();
        let run = |fault: Option<&str>| {
            let mut c = env.berry();
            c.env("BERRY_DELIVERABLES", &d).args(["--yes", "commit"]);
            if let Some(f) = fault {
                c.env("BERRY_FAULT", f);
            }
            c.output().unwrap()
        };
        let out = run(Some(point));
        assert_eq!(
            out.status.signal(),
            Some(9),
            "{point}: {}",
            env.transcript(&out)
        );
        let out = run(None);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{point}: {}",
            env.transcript(&out)
        );
        assert_eq!(commit_outcome(&env, &base), expected, "killed at {point}");
        // A third run does nothing.
        let out = run(None);
        assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
        assert_eq!(
            commit_outcome(&env, &base),
            expected,
            "after {point}, run 3"
        );
    }
}
