//! Failures reported for a person: failed tests (the issue, BLOCKED, the blocked notice) and a
//! push berry cannot remedy (the issue, the FAILED notice, the tracker left IN_PROGRESS), against
//! a fake GitHub built from the issue fixtures, real JetStream and smart HTTP git.

use std::sync::{Arc, Mutex};

use mockito::{Matcher, Mock, Server};
use serde_json::{Value, json};

use crate::common::*;
use crate::complete::{Ready, TRACKER, context_json};
use crate::fakes::{NAME, OWNER, Shipping, TOKEN};
use crate::nats::{TestStream, closed_port, nats_url};

/// A token in the tests' output: never in the issue or the notice.
const PLANTED: &str = "ghp_plantedInTheOutput0123456789abcdefXY";

#[derive(Default)]
pub struct IssuesState {
    pub issues: Vec<Value>,
    /// (method, path, body) of every write.
    pub writes: Vec<(String, String, Value)>,
    reply: (usize, Vec<u8>),
}

/// GitHub's issues API for one repository: list (open, by label), create, update (title, body,
/// state), comment. Answers are the `issues-create-201.json` fixture patched.
pub struct FakeIssues {
    pub api: mockito::ServerGuard,
    state: Arc<Mutex<IssuesState>>,
    _mocks: Vec<Mock>,
}

fn issue_json(number: u64, title: &str, body: &str, labels: &Value) -> Value {
    let mut v = fixture_json("github/issues-create-201.json");
    v.as_object_mut().unwrap().remove("pull_request");
    v["number"] = json!(number);
    v["html_url"] = json!(format!("https://github.com/{OWNER}/{NAME}/issues/{number}"));
    v["title"] = json!(title);
    v["body"] = json!(body);
    v["state"] = json!("open");
    v["labels"] = json!(
        labels
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| json!({"name": l}))
            .collect::<Vec<_>>()
    );
    v
}

impl FakeIssues {
    pub fn new() -> FakeIssues {
        let mut api = Server::new();
        let state = Arc::new(Mutex::new(IssuesState::default()));
        let repo = format!("/repos/{OWNER}/{NAME}");
        let handle = {
            let st = state.clone();
            Arc::new(move |req: &mockito::Request| -> usize {
                let mut s = st.lock().unwrap();
                let method = req.method().to_string();
                let path = req.path().split('?').next().unwrap().to_string();
                let query = req.path_and_query().to_string();
                let body: Value = req
                    .body()
                    .ok()
                    .filter(|b| !b.is_empty())
                    .map(|b| serde_json::from_slice(b).unwrap())
                    .unwrap_or(Value::Null);
                let rest = path.strip_prefix(&repo).unwrap_or("");
                let parts: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
                let (status, out) = match (method.as_str(), parts.as_slice()) {
                    ("GET", ["issues"]) => {
                        let label = query
                            .split(['?', '&'])
                            .find_map(|kv| kv.strip_prefix("labels="))
                            .map(str::to_string);
                        let shown: Vec<&Value> = s
                            .issues
                            .iter()
                            .filter(|i| i["state"] == "open")
                            .filter(|i| {
                                label.as_ref().is_none_or(|l| {
                                    i["labels"].as_array().is_some_and(|ls| {
                                        ls.iter().any(|x| x["name"] == l.as_str())
                                    })
                                })
                            })
                            .collect();
                        (200, json!(shown))
                    }
                    ("POST", ["issues"]) => {
                        let n = 40 + s.issues.len() as u64 + 1;
                        let v = issue_json(
                            n,
                            body["title"].as_str().unwrap(),
                            body["body"].as_str().unwrap(),
                            &body["labels"],
                        );
                        s.issues.push(v.clone());
                        (201, v)
                    }
                    ("PATCH", ["issues", n]) => {
                        let n: u64 = n.parse().unwrap();
                        match s.issues.iter().position(|i| i["number"] == n) {
                            Some(i) => {
                                for k in ["title", "body", "state"] {
                                    if !body[k].is_null() {
                                        s.issues[i][k] = body[k].clone();
                                    }
                                }
                                (200, s.issues[i].clone())
                            }
                            None => (404, fixture_json("github/error-404-not-found.json")),
                        }
                    }
                    ("POST", ["issues", n, "comments"]) => {
                        let n: u64 = n.parse().unwrap();
                        match s.issues.iter().position(|i| i["number"] == n) {
                            Some(i) => {
                                let mut c = s.issues[i]["comments_list"].clone();
                                if c.is_null() {
                                    c = json!([]);
                                }
                                c.as_array_mut().unwrap().push(body["body"].clone());
                                s.issues[i]["comments_list"] = c;
                                (201, json!({"id": 1, "body": body["body"]}))
                            }
                            None => (404, fixture_json("github/error-404-not-found.json")),
                        }
                    }
                    _ => (404, fixture_json("github/error-404-not-found.json")),
                };
                if method != "GET" {
                    s.writes.push((method, path, body));
                }
                s.reply = (status, serde_json::to_vec(&out).unwrap());
                status
            })
        };
        let mocks = ["GET", "POST", "PATCH"]
            .into_iter()
            .map(|method| {
                let h = handle.clone();
                let st = state.clone();
                api.mock(method, Matcher::Any)
                    .with_status_code_from_request(move |req| h(req))
                    .with_header("content-type", "application/json; charset=utf-8")
                    .with_body_from_request(move |_| st.lock().unwrap().reply.1.clone())
                    .create()
            })
            .collect();
        FakeIssues {
            api,
            state,
            _mocks: mocks,
        }
    }

    pub fn state(&self) -> std::sync::MutexGuard<'_, IssuesState> {
        self.state.lock().unwrap()
    }
}

/// Where GitHub does not answer (nothing listens on port 9).
const GITHUB_DOWN: &str = "http://127.0.0.1:9";

fn with_github(c: &mut assert_cmd::Command, api: &str) {
    c.env("GITHUB_API_URL", api)
        .env("BERRY_GITHUB_REPO", format!("{OWNER}/{NAME}"));
}

fn failing_tests(ready: &Ready) {
    let mut t = std::fs::read_to_string(&ready.config).unwrap();
    t.push_str(&format!(
        r#"
[[test.commands]]
name = "backend"
argv = ["sh", "-c", "echo 'FAIL src/crm.spec.ts'; echo 'token={PLANTED}'; echo 'Tests: 1 failed, 44 passed' >&2; exit 1"]
[[test.commands]]
name = "frontend"
argv = ["true"]
"#
    ));
    std::fs::write(&ready.config, t).unwrap();
}

#[test]
fn failed_tests_with_yes_open_one_issue_block_and_send_one_notice_and_a_rerun_adds_nothing() {
    let stream = TestStream::new();
    let env = TestEnv::new();
    let ready = Ready::new(&env, &stream.template());
    failing_tests(&ready);
    let gh = FakeIssues::new();

    let test = || {
        let mut c = ready.berry(&env);
        with_github(&mut c, &gh.api.url());
        c.env("GH_TOKEN", TOKEN).args(["--yes", "test", "--again"]);
        c.output().unwrap()
    };
    let out = test();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(t.contains("issue #41 opened"), "{t}");

    let (title, body, labels) = {
        let s = gh.state();
        assert_eq!(s.issues.len(), 1, "{:?}", s.writes);
        assert_eq!(s.writes.len(), 1, "{:?}", s.writes);
        let i = &s.issues[0];
        (
            i["title"].as_str().unwrap().to_string(),
            i["body"].as_str().unwrap().to_string(),
            i["labels"].clone(),
        )
    };
    assert_eq!(title, format!("{REQ}: tests failed"));
    assert_eq!(labels, json!([{"name": "berry"}]));
    assert!(
        body.contains(&format!("<!-- berry:tests-failed {REQ} -->")),
        "{body}"
    );
    assert!(body.contains(&ready.sha), "the commit: {body}");
    assert!(
        body.contains("| backend (`sh -c"),
        "the failed command: {body}"
    );
    assert!(body.contains("| FAILED | 1 |"), "its exit code: {body}");
    assert!(body.contains("| frontend | not run |"), "{body}");
    assert!(body.contains("FAIL src/crm.spec.ts"), "the tail: {body}");
    assert!(body.contains("Tests: 1 failed, 44 passed"), "{body}");
    assert!(!body.contains(PLANTED), "masked: {body}");
    assert!(!body.contains(TOKEN), "{body}");

    assert!(env.read(TRACKER).contains("**Status**: BLOCKED"));
    let ctx = context_json(&env);
    assert_eq!(ctx["state"], "BLOCKED");
    assert_eq!(ctx["steps"]["test"]["outcome"], "blocked");
    let f = &ctx["ledger"]["failures"][0];
    assert_eq!(f["kind"], "tests");
    assert_eq!(f["issue"]["number"], 41);
    assert_eq!(f["issue_pending"], false);
    let msgs = stream.messages();
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    let head = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(msgs[0].0, format!("berry-{REQ}-tests-failed-{head}"));
    let n = &msgs[0].1;
    assert_eq!(n["status"], "BLOCKED");
    let reason = n["reason"].as_str().unwrap();
    assert!(reason.starts_with("tests failed for "), "{reason}");
    assert!(reason.contains("backend failed: exit code 1"), "{reason}");
    assert!(reason.contains("issue #41"), "{reason}");
    assert_eq!(n["blockers"], json!([reason]));
    assert!(!n.to_string().contains(PLANTED));

    // The same failure again: still exit 3, the same issue, no second notice, the tracker as it was.
    let tracker = env.read(TRACKER);
    let out = test();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    {
        let s = gh.state();
        assert_eq!(s.issues.len(), 1, "{:?}", s.writes);
        assert!(
            s.writes
                .iter()
                .all(|(m, p, _)| m == "POST" && p.ends_with("/issues")
                    || m == "PATCH" && p.ends_with("/issues/41")),
            "{:?}",
            s.writes
        );
    }
    assert_eq!(stream.messages().len(), 1);
    assert_eq!(env.read(TRACKER), tracker);

    // The tests are fixed: they pass, and the issue is commented and closed.
    let t = std::fs::read_to_string(&ready.config).unwrap();
    std::fs::write(
        &ready.config,
        t.replace(
            "argv = [\"sh\", \"-c\", \"echo 'FAIL src/crm.spec.ts'",
            "argv = [\"true\", \"-c\", \"echo 'FAIL src/crm.spec.ts'",
        ),
    )
    .unwrap();
    let out = test();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("issue #41 commented with"), "{t}");
    let s = gh.state();
    assert_eq!(s.issues[0]["state"], "closed");
    let comments = s.issues[0]["comments_list"].as_array().unwrap();
    assert!(
        comments[0].as_str().unwrap().contains(&head),
        "{comments:?}"
    );
    assert_eq!(stream.messages().len(), 1, "passing tests send no notice");
}

#[test]
fn inside_run_failed_tests_with_yes_are_reported_and_run_stops_with_exit_3() {
    let stream = TestStream::new();
    let env = TestEnv::new();
    let ready = Ready::new(&env, &stream.template());
    failing_tests(&ready);
    // Not tested yet: `run` goes from the tests on.
    let mut ctx = context_json(&env);
    ctx["ledger"]["tests"] = Value::Null;
    ctx["steps"].as_object_mut().unwrap().remove("test");
    crate::complete::write_context(&env, &ctx);
    let gh = FakeIssues::new();
    let mut c = ready.berry(&env);
    with_github(&mut c, &gh.api.url());
    let out = c
        .env("GH_TOKEN", TOKEN)
        .args(["--yes", "run", "--from", "test"])
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(t.contains("issue #41 opened"), "{t}");
    assert!(!t.contains("── push ──"), "run stops at the tests: {t}");
    assert_eq!(gh.state().issues.len(), 1);
    assert_eq!(
        gh.state().issues[0]["title"],
        format!("{REQ}: tests failed")
    );
    assert!(env.read(TRACKER).contains("**Status**: BLOCKED"));
    let msgs = stream.messages();
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert_eq!(msgs[0].1["status"], "BLOCKED");
}

#[test]
fn failed_tests_without_a_terminal_or_yes_send_nothing_and_say_how_to_do_it_later() {
    let stream = TestStream::new();
    let env = TestEnv::new();
    let ready = Ready::new(&env, &stream.template());
    failing_tests(&ready);
    let gh = FakeIssues::new();
    let tracker = env.read(TRACKER);

    let mut c = ready.berry(&env);
    with_github(&mut c, &gh.api.url());
    let out = c
        .env("GH_TOKEN", TOKEN)
        .args(["test", "--again"])
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(
        t.contains(&format!(
            "no blocked notice was sent (no terminal to ask, no --yes); to do it later: berry block {REQ} --reason"
        )),
        "{t}"
    );
    assert!(gh.state().writes.is_empty());
    assert!(gh.state().issues.is_empty());
    assert!(stream.messages().is_empty());
    assert_eq!(env.read(TRACKER), tracker);
    assert!(context_json(&env)["ledger"]["failures"].is_null());
}

/// A REQ ready to push over smart HTTP, its notices on `stream`.
fn over_http(stream: &TestStream) -> (Shipping, crate::fakes::GitHttp, std::path::PathBuf) {
    let s = Shipping::new("main");
    let server = s.over_http();
    let config = s.env.path().join("berry.toml");
    std::fs::write(
        &config,
        format!("[nats]\nsubject = \"{}\"\n", stream.template()),
    )
    .unwrap();
    (s, server, config)
}

fn push(s: &Shipping, config: &std::path::Path, api: &str, token: &str) -> std::process::Output {
    let mut c = s.berry();
    with_github(&mut c, api);
    c.env("BERRY_CONFIG", config)
        .env("NATS_URL", nats_url())
        .env("GH_TOKEN", token)
        .arg("push");
    c.output().unwrap()
}

const WRONG: &str = "ghp_wrongWrongWrong0123456789abcdefABCD";

#[test]
fn a_push_refused_for_its_credentials_is_reported_once_and_the_fixed_push_closes_the_issue() {
    let stream = TestStream::new();
    let (s, _server, config) = over_http(&stream);
    let tracker = s.env.read(TRACKER);
    let gh = FakeIssues::new();

    let out = push(&s, &config, &gh.api.url(), WRONG);
    let t = s.env.transcript(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("hint: set GH_TOKEN"),
        "exit 1 with the hint: {t}"
    );
    assert!(t.contains("issue #41 opened"), "{t}");
    assert!(!t.contains(WRONG), "{t}");
    let body = {
        let st = gh.state();
        assert_eq!(st.issues.len(), 1);
        assert_eq!(st.issues[0]["title"], format!("{REQ}: push failed"));
        st.issues[0]["body"].as_str().unwrap().to_string()
    };
    assert!(
        body.contains(&format!("<!-- berry:push-failed {REQ} -->")),
        "{body}"
    );
    assert!(
        body.contains("**Error:** authentication to `origin`"),
        "{body}"
    );
    assert!(
        body.contains("authentication failed (tried the token in GH_TOKEN (as x-access-token)"),
        "what was tried: {body}"
    );
    assert!(
        body.contains("**Suggested remedy:** set GH_TOKEN"),
        "{body}"
    );
    assert!(body.contains(&s.sha), "{body}");
    assert!(!body.contains(WRONG), "{body}");

    let msgs = stream.messages();
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert_eq!(msgs[0].0, format!("berry-{REQ}-push-failed-{}", s.sha));
    let n = &msgs[0].1;
    assert_eq!(n["status"], "FAILED");
    assert_eq!(n["needs"], "human");
    assert_eq!(n["commit_sha"], s.sha);
    assert!(
        n["error"]
            .as_str()
            .unwrap()
            .starts_with("authentication to `origin`"),
        "{n}"
    );
    assert!(n["summary"].as_str().unwrap().contains("FAILED"), "{n}");
    assert!(!n.to_string().contains(WRONG));
    assert_eq!(
        s.env.read(TRACKER),
        tracker,
        "the tracker stays IN_PROGRESS"
    );
    assert!(tracker.contains("**Status**: IN_PROGRESS"), "{tracker}");
    assert!(s.context()["state"].is_null(), "{}", s.context()["state"]);
    assert!(s.context()["ledger"]["push"].is_null());

    // The same failure again: the same issue (its text unchanged: nothing written), no second notice.
    let out = push(&s, &config, &gh.api.url(), WRONG);
    assert_eq!(out.status.code(), Some(1), "{}", s.env.transcript(&out));
    assert_eq!(gh.state().writes.len(), 1, "{:?}", gh.state().writes);
    assert_eq!(stream.messages().len(), 1);

    // The credentials are fixed: pushed, the issue commented with the SHA and closed.
    let out = push(&s, &config, &gh.api.url(), TOKEN);
    let t = s.env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("issue #41 commented with"), "{t}");
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(s.sha.as_str())
    );
    let st = gh.state();
    assert_eq!(st.issues.len(), 1);
    assert_eq!(st.issues[0]["state"], "closed");
    let comments = st.issues[0]["comments_list"].as_array().unwrap();
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0].as_str().unwrap().contains(&s.sha),
        "{comments:?}"
    );
    let f = &s.context()["ledger"]["failures"][0];
    assert_eq!(f["resolved"]["sha"], s.sha);
    assert_eq!(f["resolved"]["closed"], true);
    assert_eq!(stream.messages().len(), 1, "the fix sends no notice");
}

#[test]
fn github_down_during_the_failure_keeps_the_issue_pending_and_the_next_run_sends_it() {
    let stream = TestStream::new();
    let (s, _server, config) = over_http(&stream);
    let gh = FakeIssues::new();

    let out = push(&s, &config, GITHUB_DOWN, WRONG);
    let t = s.env.transcript(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("kept pending in the REQ context"), "{t}");
    assert_eq!(
        stream.messages().len(),
        1,
        "NATS answered: the notice is sent"
    );
    let f = &s.context()["ledger"]["failures"][0];
    assert_eq!(f["issue_pending"], true, "{f}");
    assert!(f["issue"].is_null());

    let status = s.berry().args(["status"]).output().unwrap();
    let text = String::from_utf8_lossy(&status.stdout).to_string();
    assert!(
        text.contains("failure push failed: authentication to `origin`"),
        "{text}"
    );
    assert!(text.contains("issue PENDING"), "{text}");
    let json_status = s.berry().args(["status", "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&json_status.stdout).unwrap();
    assert_eq!(v["data"]["failures"][0]["issue_state"], "pending");

    // GitHub is back: the next run writes the pending issue, once; the notice is not sent again.
    let out = push(&s, &config, &gh.api.url(), WRONG);
    let t = s.env.transcript(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("issue #41 opened"), "{t}");
    assert_eq!(gh.state().issues.len(), 1);
    assert_eq!(gh.state().writes.len(), 1, "{:?}", gh.state().writes);
    assert_eq!(stream.messages().len(), 1);
    let f = &s.context()["ledger"]["failures"][0];
    assert_eq!(f["issue_pending"], false, "{f}");
    assert_eq!(f["issue"]["number"], 41);
    let json_status = s.berry().args(["status", "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&json_status.stdout).unwrap();
    assert_eq!(v["data"]["failures"][0]["issue_state"], "open");
}

#[test]
fn an_unreachable_remote_is_tried_three_times_and_a_notice_nats_missed_is_sent_by_the_next_run() {
    let stream = TestStream::new();
    let (s, _server, config) = over_http(&stream);
    let gh = FakeIssues::new();
    s.env.git(&[
        "remote",
        "set-url",
        "origin",
        &format!("http://127.0.0.1:{}/origin.git", closed_port()),
    ]);
    let mut c = s.berry();
    with_github(&mut c, &gh.api.url());
    let out = c
        .env("BERRY_CONFIG", &config)
        .env("NATS_URL", format!("nats://127.0.0.1:{}", closed_port()))
        .env("GH_TOKEN", TOKEN)
        .arg("push")
        .output()
        .unwrap();
    let t = s.env.transcript(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("trying again in 1s (1 of 2)"), "{t}");
    assert!(t.contains("trying again in 2s (2 of 2)"), "{t}");
    assert!(t.contains("cannot reach the remote `origin`"), "{t}");
    assert!(t.contains("kept pending in the REQ context"), "{t}");
    let body = gh.state().issues[0]["body"].as_str().unwrap().to_string();
    assert_eq!(
        body.matches("the remote could not be reached").count(),
        3,
        "every attempt is listed: {body}"
    );
    assert!(stream.messages().is_empty());
    let ctx = s.context();
    let e = &ctx["ledger"]["events"][0];
    assert_eq!(e["kind"], "failed");
    assert_eq!(e["acknowledged"], false);
    let status = s.berry().arg("status").output().unwrap();
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("push-failed"),
        "{}",
        s.env.transcript(&status)
    );

    // NATS is back, the remote still is not: the pending notice goes out once, with its id.
    let out = push(&s, &config, &gh.api.url(), TOKEN);
    let t = s.env.transcript(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("left pending by an earlier run"), "{t}");
    let msgs = stream.messages();
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert_eq!(msgs[0].0, format!("berry-{REQ}-push-failed-{}", s.sha));
    assert_eq!(msgs[0].1["status"], "FAILED");
    assert_eq!(gh.state().issues.len(), 1);
    assert_eq!(s.context()["ledger"]["events"][0]["acknowledged"], true);
}

#[test]
fn on_a_terminal_the_report_is_offered_and_no_sends_nothing() {
    let stream = TestStream::new();
    let env = TestEnv::new();
    let ready = Ready::new(&env, &stream.template());
    failing_tests(&ready);
    let gh = FakeIssues::new();
    // The pty gets the environment of the test, not of `Ready::berry`: the rest through config.
    let t = std::fs::read_to_string(&ready.config).unwrap();
    let t = t.replacen(
        "[nats]\n",
        &format!("[nats]\nurl = \"{}\"\n", nats_url()),
        1,
    ) + &format!("\n[github]\napi_url = \"{}\"\n", gh.api.url());
    std::fs::write(&ready.config, t).unwrap();
    let args = |extra: &[&str]| {
        let mut a = vec![
            "--config".to_string(),
            ready.config.display().to_string(),
            "--deliverables".to_string(),
            ready.deliverables.display().to_string(),
            "--repo".to_string(),
            format!("{OWNER}/{NAME}"),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let tracker = env.read(TRACKER);

    let mut s = env.pty(args(&["test", "--again"]));
    s.exp_string("Open (or update) the issue for the failed tests")
        .unwrap();
    s.send("n").unwrap();
    s.flush().unwrap();
    s.exp_string("Not reported; to do it later: berry block")
        .unwrap();
    s.exp_eof().unwrap();
    assert!(gh.state().writes.is_empty());
    assert!(stream.messages().is_empty());
    assert_eq!(env.read(TRACKER), tracker);

    // The default answer is yes: Enter reports it.
    let mut s = env.pty(args(&["test", "--again"]));
    s.exp_string("Open (or update) the issue for the failed tests")
        .unwrap();
    s.send_line("").unwrap();
    s.flush().unwrap();
    s.exp_string("issue #41 opened").unwrap();
    s.exp_eof().unwrap();
    assert_eq!(gh.state().issues.len(), 1);
    assert_eq!(stream.messages().len(), 1);
    assert!(env.read(TRACKER).contains("**Status**: BLOCKED"));
}

#[test]
fn a_repository_override_of_the_push_failure_template_is_used_and_masked() {
    let stream = TestStream::new();
    let (s, _server, config) = over_http(&stream);
    s.env.write(
        ".berry/templates/push-failed.md",
        "Our own text for {{ req }}: {{ error }} (token {{ url }} ghp_plantedInTheTempla0123456789abcdefXY)\n",
    );
    let gh = FakeIssues::new();
    let out = push(&s, &config, &gh.api.url(), WRONG);
    assert_eq!(out.status.code(), Some(1), "{}", s.env.transcript(&out));
    let body = gh.state().issues[0]["body"].as_str().unwrap().to_string();
    assert!(
        body.starts_with(&format!(
            "<!-- berry:push-failed {REQ} -->\nOur own text for {REQ}: authentication to `origin`"
        )),
        "the marker is added when the override has none: {body}"
    );
    assert!(
        !body.contains("ghp_plantedInTheTempla0123456789abcdefXY"),
        "{body}"
    );
}
