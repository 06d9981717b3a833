//! `berry watch` against a scripted fake GitHub (mockito, answers built from the
//! tests/fixtures/github Actions fixtures, IDs and SHAs patched): the runs move on as berry polls,
//! `ETag`s are real (a 304 when If-None-Match matches), job logs are a 302 to a second server
//! that refuses any request carrying Authorization, and the CI-failure issue lives in the fake.

use std::sync::{Arc, Mutex};

use mockito::{Matcher, Mock, Server};
use serde_json::{Value, json};

use crate::common::*;
use crate::complete::{Ready, TRACKER, context_json, write_context};
use crate::fakes::{NAME, OWNER, TOKEN};
use crate::nats::{TestStream, unique};

/// A token that is not berry's: masked because it looks like one.
const OTHER_TOKEN: &str = "ghp_plantedInTheLog0123456789abcdefXYZWV";

#[derive(Clone, Debug)]
struct JobSpec {
    id: u64,
    name: &'static str,
    status: &'static str,
    conclusion: Option<&'static str>,
    failed_step: Option<&'static str>,
}

#[derive(Clone, Debug)]
pub struct RunSpec {
    id: u64,
    name: &'static str,
    status: &'static str,
    conclusion: Option<&'static str>,
    jobs: Vec<JobSpec>,
}

fn job(
    id: u64,
    name: &'static str,
    status: &'static str,
    conclusion: Option<&'static str>,
) -> JobSpec {
    JobSpec {
        id,
        name,
        status,
        conclusion,
        failed_step: None,
    }
}

fn run(
    id: u64,
    name: &'static str,
    status: &'static str,
    conclusion: Option<&'static str>,
    jobs: Vec<JobSpec>,
) -> RunSpec {
    RunSpec {
        id,
        name,
        status,
        conclusion,
        jobs,
    }
}

#[derive(Default)]
pub struct State {
    sha: String,
    /// The world after the n-th runs-list request (the last one stays).
    phases: Vec<Vec<RunSpec>>,
    runs_polls: usize,
    /// The runs-list poll (1-based) answered 429 with retry-after: 1.
    rate_limit_at: Option<usize>,
    /// (path, If-None-Match sent, status answered), for every Actions request.
    log: Vec<(String, Option<String>, u16)>,
    /// Requests on the log host that carried Authorization.
    log_host_auth: usize,
    log_host_hits: usize,
    pub issues: Vec<Value>,
    /// The issue-list requests, path and query.
    pub issue_lists: Vec<String>,
    /// (method, body) of each issue write.
    pub issue_writes: Vec<(String, Value)>,
    reply: (u16, String, Vec<u8>),
}

impl State {
    fn world(&self) -> Vec<RunSpec> {
        let i = self.runs_polls.max(1) - 1;
        self.phases
            .get(i.min(self.phases.len().saturating_sub(1)))
            .cloned()
            .unwrap_or_default()
    }
}

/// `issues-create-201.json` as a plain issue (the fixture carries a `pull_request` key, which
/// marks pull requests in the issues list).
fn issue_json(number: u64, body: &str) -> Value {
    let mut v = fixture_json("github/issues-create-201.json");
    v.as_object_mut().unwrap().remove("pull_request");
    v["number"] = json!(number);
    v["html_url"] = json!(format!("https://github.com/{OWNER}/{NAME}/issues/{number}"));
    v["body"] = json!(body);
    v
}

fn digest(b: &[u8]) -> u64 {
    // FNV-1a: stable, enough for an ETag.
    b.iter().fold(0xcbf29ce484222325u64, |h, c| {
        (h ^ *c as u64).wrapping_mul(0x100000001b3)
    })
}

fn runs_body(state: &State) -> Vec<u8> {
    let template = fixture_json("github/actions-runs-list-200.json")["workflow_runs"][0].clone();
    let runs: Vec<Value> = state
        .world()
        .iter()
        .map(|r| {
            let mut v = template.clone();
            let d = digest(format!("{r:?}").as_bytes());
            v["id"] = json!(r.id);
            v["name"] = json!(r.name);
            v["head_sha"] = json!(state.sha);
            v["status"] = json!(r.status);
            v["conclusion"] = json!(r.conclusion);
            v["html_url"] = json!(format!(
                "https://github.com/{OWNER}/{NAME}/actions/runs/{}",
                r.id
            ));
            v["updated_at"] = json!(format!("2026-01-05T11:{:02}:{:02}Z", d % 60, (d / 60) % 60));
            v
        })
        .collect();
    serde_json::to_vec(&json!({"total_count": runs.len(), "workflow_runs": runs})).unwrap()
}

fn jobs_body(state: &State, run_id: u64) -> Option<Vec<u8>> {
    let template = fixture_json("github/actions-run-jobs-list-200.json")["jobs"][0].clone();
    let world = state.world();
    let r = world.iter().find(|r| r.id == run_id)?;
    let jobs: Vec<Value> = r
        .jobs
        .iter()
        .map(|j| {
            let mut v = template.clone();
            v["id"] = json!(j.id);
            v["run_id"] = json!(r.id);
            v["name"] = json!(j.name);
            v["head_sha"] = json!(state.sha);
            v["status"] = json!(j.status);
            v["conclusion"] = json!(j.conclusion);
            v["html_url"] = json!(format!("https://github.com/{OWNER}/{NAME}/actions/runs/{}/job/{}", r.id, j.id));
            v["started_at"] = json!("2024-05-06T04:58:10Z");
            v["completed_at"] = if j.status == "completed" { json!("2024-05-06T05:00:10Z") } else { Value::Null };
            let second = j.failed_step.unwrap_or("Run tests");
            v["steps"] = json!([
                {"name": "Set up job", "status": "completed", "conclusion": "success", "number": 1,
                 "started_at": "2024-05-06T04:58:10.000Z", "completed_at": "2024-05-06T04:58:13.000Z"},
                {"name": second, "status": j.status,
                 "conclusion": if j.failed_step.is_some() { Some("failure") } else { j.conclusion },
                 "number": 2,
                 "started_at": "2024-05-05T21:58:14.000-07:00", "completed_at": "2024-05-05T21:58:16.000-07:00"},
            ]);
            v
        })
        .collect();
    Some(serde_json::to_vec(&json!({"total_count": jobs.len(), "jobs": jobs})).unwrap())
}

/// The log the second host serves: the fixture sample, plus the failure and two planted tokens.
fn log_text() -> String {
    let mut t = fixture("github/actions-job-logs-body-sample.txt");
    if !t.ends_with('\n') {
        t.push('\n');
    }
    t.push_str(&format!(
        "2024-05-06T04:58:15.4000000Z echo using {TOKEN}\n"
    ));
    t.push_str(&format!(
        "2024-05-06T04:58:15.4100000Z export OTHER={OTHER_TOKEN}\n"
    ));
    t.push_str("2024-05-06T04:58:15.5000000Z ##[error]Process completed with exit code 1.\n");
    t.push_str("2024-05-06T04:58:20.0000000Z Cleaning up orphan processes\n");
    t
}

pub struct FakeGithub {
    pub api: mockito::ServerGuard,
    _logs: mockito::ServerGuard,
    state: Arc<Mutex<State>>,
    _mocks: Vec<Mock>,
}

impl FakeGithub {
    pub fn new(sha: &str, phases: Vec<Vec<RunSpec>>) -> FakeGithub {
        let mut api = Server::new();
        let mut logs = Server::new();
        let state = Arc::new(Mutex::new(State {
            sha: sha.to_string(),
            phases,
            ..Default::default()
        }));
        let repo = format!("/repos/{OWNER}/{NAME}");
        let mut mocks = Vec::new();

        // Actions: runs list and jobs lists, conditional.
        let st = state.clone();
        let actions = api
            .mock(
                "GET",
                Matcher::Regex(format!(r"^{repo}/actions/runs(/\d+/jobs)?(\?.*)?$")),
            )
            .match_header("authorization", format!("Bearer {TOKEN}").as_str())
            .with_status_code_from_request(move |req| {
                let mut s = st.lock().unwrap();
                let path = req.path().split('?').next().unwrap().to_string();
                let inm = req
                    .header("if-none-match")
                    .first()
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let body = if path.ends_with("/actions/runs") {
                    if !req
                        .path_and_query()
                        .contains(&format!("head_sha={}", s.sha))
                    {
                        // Runs of another commit: none.
                        s.log.push((path, inm, 200));
                        s.reply = (
                            200,
                            String::new(),
                            br#"{"total_count":0,"workflow_runs":[]}"#.to_vec(),
                        );
                        return 200;
                    }
                    s.runs_polls += 1;
                    if s.rate_limit_at == Some(s.runs_polls) {
                        let b = fixture("github/error-403-secondary-rate-limit-2022.json");
                        s.log.push((path, inm, 429));
                        s.reply = (429, String::new(), b.into_bytes());
                        return 429;
                    }
                    Some(runs_body(&s))
                } else {
                    let id: u64 = path.split('/').nth(6).unwrap().parse().unwrap();
                    jobs_body(&s, id)
                };
                let Some(body) = body else {
                    s.log.push((path, inm, 404));
                    s.reply = (
                        404,
                        String::new(),
                        fixture("github/error-404-not-found.json").into_bytes(),
                    );
                    return 404;
                };
                let etag = format!("W/\"{:x}\"", digest(&body));
                let status = if inm.as_deref() == Some(etag.as_str()) {
                    304
                } else {
                    200
                };
                s.log.push((path, inm, status));
                s.reply = (status, etag, if status == 304 { vec![] } else { body });
                status as usize
            })
            .with_header_from_request("etag", {
                let st = state.clone();
                move |_| st.lock().unwrap().reply.1.clone()
            })
            .with_header("retry-after", "1")
            .with_header("content-type", "application/json; charset=utf-8")
            .with_body_from_request({
                let st = state.clone();
                move |_| st.lock().unwrap().reply.2.clone()
            })
            .create();
        mocks.push(actions);

        // Job logs: a 302 to the second host, as GitHub does.
        let logs_url = logs.url();
        mocks.push(
            api.mock(
                "GET",
                Matcher::Regex(format!(r"^{repo}/actions/jobs/\d+/logs$")),
            )
            .match_header("authorization", format!("Bearer {TOKEN}").as_str())
            .with_status(302)
            .with_header_from_request("location", move |req| {
                let id = req.path().split('/').nth(6).unwrap().to_string();
                format!("{logs_url}/signed/{id}/signedlogcontent?urlSignature=abc")
            })
            .create(),
        );
        let st = state.clone();
        mocks.push(
            logs.mock(
                "GET",
                Matcher::Regex(r"^/signed/\d+/signedlogcontent\?".into()),
            )
            .with_status_code_from_request(move |req| {
                let mut s = st.lock().unwrap();
                s.log_host_hits += 1;
                if req.has_header("authorization") {
                    s.log_host_auth += 1;
                    403
                } else {
                    200
                }
            })
            .with_header("content-type", "text/plain")
            .with_body_from_request(|req| {
                if req.has_header("authorization") {
                    b"a token was sent to the log host".to_vec()
                } else {
                    log_text().into_bytes()
                }
            })
            .create(),
        );

        // Issues: list, create, update.
        let st = state.clone();
        mocks.push(
            api.mock("GET", format!("{repo}/issues").as_str())
                .match_query(Matcher::UrlEncoded("state".into(), "open".into()))
                .with_status(200)
                .with_body_from_request(move |req| {
                    // As GitHub does: `labels=` keeps the issues carrying that label.
                    let label = req
                        .path_and_query()
                        .split(['?', '&'])
                        .find_map(|kv| kv.strip_prefix("labels="))
                        .map(str::to_string);
                    let mut s = st.lock().unwrap();
                    s.issue_lists.push(req.path_and_query().to_string());
                    let shown: Vec<&Value> = s
                        .issues
                        .iter()
                        .filter(|i| {
                            label.as_ref().is_none_or(|l| {
                                i["labels"].as_array().is_some_and(|ls| {
                                    ls.iter()
                                        .any(|x| x["name"] == l.as_str() || x == l.as_str())
                                })
                            })
                        })
                        .take(100)
                        .collect();
                    serde_json::to_vec(&shown).unwrap()
                })
                .create(),
        );
        let st = state.clone();
        mocks.push(
            api.mock("POST", format!("{repo}/issues").as_str())
                .match_header("authorization", format!("Bearer {TOKEN}").as_str())
                .with_status(201)
                .with_body_from_request(move |req| {
                    let sent: Value = serde_json::from_slice(req.body().unwrap()).unwrap();
                    let mut v = issue_json(77, sent["body"].as_str().unwrap());
                    v["title"] = sent["title"].clone();
                    v["labels"] = json!(
                        sent["labels"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|l| json!({"name": l}))
                            .collect::<Vec<_>>()
                    );
                    let mut s = st.lock().unwrap();
                    s.issues.push(v.clone());
                    s.issue_writes.push(("POST".into(), sent));
                    serde_json::to_vec(&v).unwrap()
                })
                .create(),
        );
        let st = state.clone();
        mocks.push(
            api.mock("PATCH", Matcher::Regex(format!(r"^{repo}/issues/\d+$")))
                .match_header("authorization", format!("Bearer {TOKEN}").as_str())
                .with_status(200)
                .with_body_from_request(move |req| {
                    let sent: Value = serde_json::from_slice(req.body().unwrap()).unwrap();
                    let mut s = st.lock().unwrap();
                    let n: u64 = req.path().rsplit('/').next().unwrap().parse().unwrap();
                    let i = s
                        .issues
                        .iter()
                        .position(|i| i["number"] == n)
                        .expect("the issue exists");
                    s.issues[i]["body"] = sent["body"].clone();
                    s.issues[i]["title"] = sent["title"].clone();
                    s.issue_writes.push(("PATCH".into(), sent));
                    serde_json::to_vec(&s.issues[i]).unwrap()
                })
                .create(),
        );
        FakeGithub {
            api,
            _logs: logs,
            state,
            _mocks: mocks,
        }
    }

    pub fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }
}

/// A REQ verified and committed (the `complete` fixture), with `ledger.push` recording `sha`
/// and no watch yet. NATS subjects go to `template`.
pub fn pushed(env: &TestEnv, template: &str, config_extra: &str) -> Ready {
    let ready = Ready::new(env, template);
    if !config_extra.is_empty() {
        let mut t = std::fs::read_to_string(&ready.config).unwrap();
        t.push_str(config_extra);
        std::fs::write(&ready.config, t).unwrap();
    }
    let sha = ready.sha.clone();
    set_push(env, &sha);
    ready
}

fn set_push(env: &TestEnv, sha: &str) {
    let mut ctx = context_json(env);
    ctx["ledger"]["watch"] = Value::Null;
    ctx["ledger"]["push"] = json!({
        "remote": "origin",
        "url": format!("https://github.com/{OWNER}/{NAME}.git"),
        "ref": "refs/heads/main",
        "sha": sha,
        "branch": "main",
        "berry_created": false,
        "at": NOW,
    });
    write_context(env, &ctx);
}

pub fn watch(env: &TestEnv, ready: &Ready, gh: &FakeGithub) -> assert_cmd::Command {
    let mut c = ready.berry(env);
    c.env("GITHUB_API_URL", gh.api.url())
        .env("BERRY_GITHUB_REPO", format!("{OWNER}/{NAME}"))
        .env("GH_TOKEN", TOKEN)
        .args(["watch", "--interval", "0.05"]);
    c
}

pub fn loose() -> String {
    format!("test.{}.berry.devops.{{req}}", unique("watch"))
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn green_phases() -> Vec<Vec<RunSpec>> {
    let build = |st, c| run(11, "Build", st, c, vec![job(111, "build", st, c)]);
    let tests = |st, c| {
        run(
            12,
            "Tests",
            st,
            c,
            vec![job(121, "unit", st, c), job(122, "lint", st, c)],
        )
    };
    vec![
        vec![],
        vec![],
        vec![build("queued", None), tests("queued", None)],
        vec![build("in_progress", None), tests("in_progress", None)],
        vec![build("in_progress", None), tests("in_progress", None)],
        vec![build("in_progress", None), tests("in_progress", None)],
        vec![build("in_progress", None), tests("in_progress", None)],
        vec![
            build("completed", Some("success")),
            tests("completed", Some("success")),
        ],
    ]
}

#[test]
fn runs_appearing_after_two_polls_turn_green_with_304s_then_complete_succeeds() {
    let env = TestEnv::new();
    let ready = pushed(&env, &loose(), "");
    let gh = FakeGithub::new(&ready.sha, green_phases());

    let out = watch(&env, &ready, &gh).output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("waiting for the workflow runs to appear"), "{t}");
    assert!(t.contains("Build (run 11): in progress"), "{t}");
    assert!(t.contains("unit: success"), "{t}");
    assert!(t.contains("CI is green"), "{t}");

    let (ok, nm, polls) = {
        let s = gh.state();
        let ok = s.log.iter().filter(|l| l.2 == 200).count() as u64;
        let nm = s.log.iter().filter(|l| l.2 == 304).count() as u64;
        // Every runs-list poll after the first sent the ETag it was given.
        let runs: Vec<_> = s
            .log
            .iter()
            .filter(|l| l.0.ends_with("/actions/runs"))
            .collect();
        assert!(runs[0].1.is_none());
        assert!(
            runs[1..]
                .iter()
                .all(|l| l.1.as_deref().is_some_and(|e| e.starts_with("W/\""))),
            "{:?}",
            s.log
        );
        assert!(runs.len() >= 8, "{:?}", s.log);
        (ok, nm, s.log.len())
    };
    assert!(nm >= 3, "304s while nothing changed: {nm}");
    let ctx = context_json(&env);
    let w = &ctx["ledger"]["watch"];
    assert_eq!(w["conclusion"], "success", "{w:#}");
    assert_eq!(w["sha"], json!(ready.sha));
    assert_eq!(w["requests"]["200"], ok, "{w:#}");
    assert_eq!(w["requests"]["304"], nm, "{w:#}");
    assert_eq!(w["runs"].as_array().unwrap().len(), 2);
    assert_eq!(w["runs"][0]["name"], "Build");
    assert_eq!(w["runs"][1]["conclusion"], "success");
    assert_eq!(ctx["steps"]["watch"]["outcome"], "ok");
    assert!(t.contains(&format!("{ok} requests answered 200")), "{t}");

    // A rerun for the same commit reports and asks nothing.
    let again = watch(&env, &ready, &gh).output().unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", env.transcript(&again));
    assert!(
        stderr(&again).contains("CI was green"),
        "{}",
        stderr(&again)
    );
    assert_eq!(gh.state().log.len(), polls);

    let done = ready.complete(&env).arg("--yes").output().unwrap();
    assert_eq!(done.status.code(), Some(0), "{}", env.transcript(&done));
    assert!(env.read(TRACKER).contains("**Status**: DEPLOYED"));
}

pub fn failing_phases() -> Vec<Vec<RunSpec>> {
    let build = |st, c| run(21, "Build", st, c, vec![job(211, "build", st, c)]);
    let mut unit = job(221, "unit", "completed", Some("failure"));
    unit.failed_step = Some("Run npm test");
    vec![
        vec![
            build("in_progress", None),
            run(
                22,
                "Tests",
                "in_progress",
                None,
                vec![
                    job(221, "unit", "in_progress", None),
                    job(222, "lint", "in_progress", None),
                ],
            ),
        ],
        vec![
            build("completed", Some("success")),
            run(
                22,
                "Tests",
                "completed",
                Some("failure"),
                vec![unit, job(222, "lint", "completed", Some("success"))],
            ),
        ],
    ]
}

#[test]
fn a_failing_workflow_opens_one_masked_issue_blocks_and_a_later_failure_updates_it() {
    let stream = TestStream::new();
    let env = TestEnv::new();
    let ready = pushed(&env, &stream.template(), "");
    let gh = FakeGithub::new(&ready.sha, failing_phases());

    let out = watch(&env, &ready, &gh).arg("--yes").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(t.contains("unit: failure"), "{t}");
    assert!(t.contains("(failed step: Run npm test)"), "{t}");
    assert!(t.contains("issue #77 opened"), "{t}");

    let (body, hits) = {
        let s = gh.state();
        assert_eq!(s.issue_writes.len(), 1, "{:?}", s.issue_writes);
        assert_eq!(s.issue_writes[0].0, "POST");
        assert_eq!(
            s.issue_writes[0].1["labels"],
            json!(["berry"]),
            "the CI-failure issue carries berry's label"
        );
        assert_eq!(s.log_host_auth, 0, "the token went to the log host");
        (
            s.issue_writes[0].1["body"].as_str().unwrap().to_string(),
            s.log_host_hits,
        )
    };
    assert_eq!(hits, 1, "one failed job, one log: {t}");
    assert!(
        body.contains(&format!("<!-- berry:ci-failure {REQ} -->")),
        "{body}"
    );
    assert!(body.contains("Failed step **Run npm test**"), "{body}");
    assert!(
        body.contains("The process '/usr/bin/git' failed with exit code 1"),
        "{body}"
    );
    assert!(
        body.contains("error: Process completed with exit code 1."),
        "{body}"
    );
    assert!(
        !body.contains("Cleaning up orphan processes"),
        "outside the step's window: {body}"
    );
    assert!(
        !body.contains("Microsoft Windows Server"),
        "outside the step's window: {body}"
    );
    assert!(!body.contains(TOKEN), "{body}");
    assert!(!body.contains(OTHER_TOKEN), "{body}");
    // The log is masked as everything else is: a credential berry holds keeps nothing of itself,
    // a rule finding its first four characters, both with their length.
    assert!(body.contains("echo using …(40 chars)"), "{body}");
    assert!(body.contains("export OTHER=ghp_…(40 chars)"), "{body}");
    assert!(!body.contains("***"), "one masker, one look: {body}");
    assert!(body.contains("| Tests | failure |"), "{body}");
    let title = gh.state().issue_writes[0].1["title"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        title.starts_with(&format!("CI failed for {REQ}")),
        "{title}"
    );

    let ctx = context_json(&env);
    assert_eq!(ctx["ledger"]["issue"]["number"], 77);
    assert_eq!(ctx["ledger"]["issue"]["at"], NOW);
    assert_eq!(ctx["ledger"]["watch"]["conclusion"], "failure");
    assert_eq!(ctx["ledger"]["watch"]["issue"], 77);
    assert_eq!(ctx["steps"]["watch"]["outcome"], "blocked");
    assert_eq!(ctx["state"], "BLOCKED");
    assert!(env.read(TRACKER).contains("**Status**: BLOCKED"));
    let msgs = stream.messages();
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert_eq!(msgs[0].1["status"], "BLOCKED");
    assert!(
        msgs[0].1["summary"].as_str().unwrap().contains("CI failed"),
        "{:?}",
        msgs[0].1
    );

    // Rerun for the same commit: recorded, nothing sent, still exit 3.
    let before = gh.state().log.len();
    let again = watch(&env, &ready, &gh).arg("--yes").output().unwrap();
    assert_eq!(again.status.code(), Some(3), "{}", env.transcript(&again));
    assert_eq!(gh.state().log.len(), before);

    // A new push fails again: the same issue is updated, none is opened.
    let new_sha = "0123456789abcdef0123456789abcdef01234567";
    set_push(&env, new_sha);
    gh.state().sha = new_sha.to_string();
    gh.state().runs_polls = 0;
    let out = watch(&env, &ready, &gh).arg("--yes").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(t.contains("issue #77 updated"), "{t}");
    let s = gh.state();
    assert_eq!(s.issue_writes.len(), 2);
    assert_eq!(s.issue_writes[1].0, "PATCH");
    assert!(
        s.issue_writes[1].1["body"]
            .as_str()
            .unwrap()
            .contains(new_sha)
    );
    assert_eq!(s.issues.len(), 1);
    assert_eq!(context_json(&env)["ledger"]["watch"]["sha"], new_sha);
}

#[test]
fn an_issue_found_by_its_marker_is_updated_not_duplicated() {
    let env = TestEnv::new();
    let ready = pushed(&env, &loose(), "");
    let gh = FakeGithub::new(&ready.sha, failing_phases());
    let labelled = |mut v: Value| {
        v["labels"] = json!([{"name": "berry"}]);
        v
    };
    let existing = labelled(issue_json(
        77,
        &format!("old text\n<!-- berry:ci-failure {REQ} -->\n"),
    ));
    let other = labelled(issue_json(5, "<!-- berry:ci-failure REQ-OTHER-1 -->"));
    // A pull request whose body carries the marker is not the issue.
    let mut pr = labelled(issue_json(6, &format!("<!-- berry:ci-failure {REQ} -->")));
    pr["pull_request"] = json!({"url": "x"});
    // Many more open issues than one page holds, none labelled: the labelled one is still
    // found, in one request.
    let mut issues: Vec<Value> = (1000..1350).map(|n| issue_json(n, "unrelated")).collect();
    issues.extend([other, pr, existing]);
    gh.state().issues = issues;

    let out = watch(&env, &ready, &gh).arg("--yes").output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    let s = gh.state();
    assert_eq!(s.issue_writes.len(), 1);
    assert_eq!(s.issue_writes[0].0, "PATCH");
    assert_eq!(s.issue_lists.len(), 1, "{:?}", s.issue_lists);
    assert!(
        s.issue_lists[0].contains("labels=berry"),
        "{:?}",
        s.issue_lists
    );
    assert_eq!(context_json(&env)["ledger"]["issue"]["number"], 77);
}

#[test]
fn rate_limited_mid_watch_waits_and_goes_on() {
    let env = TestEnv::new();
    let ready = pushed(&env, &loose(), "");
    let gh = FakeGithub::new(&ready.sha, green_phases());
    gh.state().rate_limit_at = Some(4);
    let started = std::time::Instant::now();
    let out = watch(&env, &ready, &gh).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    let s = gh.state();
    assert!(s.log.iter().any(|l| l.2 == 429), "{:?}", s.log);
    // The poll after the refusal was answered.
    let i = s.log.iter().position(|l| l.2 == 429).unwrap();
    assert!(
        s.log[i + 1..]
            .iter()
            .any(|l| l.0.ends_with("/actions/runs") && l.2 != 429)
    );
    assert_eq!(
        context_json(&env)["ledger"]["watch"]["conclusion"],
        "success"
    );
}

#[test]
fn the_timeout_exits_5_naming_what_still_runs() {
    let env = TestEnv::new();
    let ready = pushed(&env, &loose(), "");
    let running = vec![vec![run(
        31,
        "Build",
        "in_progress",
        None,
        vec![job(311, "build", "in_progress", None)],
    )]];
    let gh = FakeGithub::new(&ready.sha, running);
    let out = watch(&env, &ready, &gh)
        .args(["--timeout", "0.4"])
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(5), "{t}");
    assert!(
        t.contains("did not finish within 0.4s (still running: Build (in_progress))"),
        "{t}"
    );
    assert!(context_json(&env)["ledger"]["watch"].is_null());
}

#[test]
fn no_run_within_the_grace_period_is_skipped_or_a_failure_per_config() {
    let env = TestEnv::new();
    let ready = pushed(&env, &loose(), "");
    let gh = FakeGithub::new(&ready.sha, vec![vec![]]);
    // Long enough for several polls (every 0.05 s) even when the machine is loaded: the first
    // one alone would send no conditional request.
    let out = watch(&env, &ready, &gh)
        .args(["--appear-timeout", "1.0"])
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("no CI run appeared for"), "{t}");
    assert!(t.contains("recorded as skipped"), "{t}");
    let ctx = context_json(&env);
    assert_eq!(ctx["ledger"]["watch"]["conclusion"], "skipped");
    assert_eq!(ctx["ledger"]["watch"]["sha"], json!(ready.sha));
    assert!(
        gh.state().log.iter().any(|l| l.2 == 304),
        "{:?}",
        gh.state().log
    );

    let env = TestEnv::new();
    let ready = pushed(&env, &loose(), "[github]\nno_ci = \"failure\"\n");
    let gh = FakeGithub::new(&ready.sha, vec![vec![]]);
    let out = watch(&env, &ready, &gh)
        .args(["--appear-timeout", "1.0", "--yes"])
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(t.contains("github.no_ci says that is a failure"), "{t}");
    assert!(env.read(TRACKER).contains("**Status**: BLOCKED"));
    assert_eq!(
        context_json(&env)["ledger"]["watch"]["conclusion"],
        "failure"
    );
    assert!(gh.state().issue_writes.is_empty());
}

#[test]
fn dry_run_says_what_would_be_polled_and_sends_nothing() {
    let env = TestEnv::new();
    let ready = pushed(&env, &loose(), "");
    let gh = FakeGithub::new(&ready.sha, green_phases());
    let out = watch(&env, &ready, &gh).arg("--dry-run").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "GET {}/repos/{OWNER}/{NAME}/actions/runs?head_sha={}",
            gh.api.url(),
            ready.sha
        )),
        "{t}"
    );
    assert!(gh.state().log.is_empty());
    assert!(context_json(&env)["ledger"]["watch"].is_null());
}

#[test]
fn without_a_github_repository_watch_records_skipped_as_inside_run() {
    let env = TestEnv::new();
    let ready = pushed(&env, &loose(), "");
    let mut ctx = context_json(&env);
    ctx["ledger"]["push"]["url"] = json!("file:///srv/git/mirror.git");
    write_context(&env, &ctx);
    let out = ready.berry(&env).args(["watch"]).output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let reason = "no GitHub repository: origin is file:///srv/git/mirror.git (set --repo OWNER/REPO for a mirror)";
    assert!(t.contains(&format!("watch skipped: {reason}")), "{t}");
    let ctx = context_json(&env);
    assert_eq!(ctx["steps"]["watch"]["outcome"], "skipped");
    assert_eq!(ctx["steps"]["watch"]["message"], reason);
    assert_eq!(ctx["ledger"]["watch"]["conclusion"], "skipped");
    assert_eq!(ctx["ledger"]["watch"]["reason"], reason);
    // complete then says what to do about it (github.no_ci = "failure" here).
    std::fs::write(
        &ready.config,
        format!(
            "{}\n[github]\nno_ci = \"failure\"\n",
            std::fs::read_to_string(&ready.config).unwrap()
        ),
    )
    .unwrap();
    let out = ready
        .berry(&env)
        .args(["complete", "--yes"])
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(t.contains("CI was not watched"), "{t}");
    assert!(
        t.contains("hint: there is no CI to watch here: pass --no-ci --reason TEXT"),
        "{t}"
    );
}

#[test]
fn before_a_push_watch_says_push_comes_first() {
    let env = TestEnv::new();
    let ready = pushed(&env, &loose(), "");
    let mut ctx = context_json(&env);
    ctx["ledger"]["push"] = Value::Null;
    write_context(&env, &ctx);
    let out = ready.berry(&env).args(["watch"]).output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(t.contains("has not been pushed yet"), "{t}");
    assert!(t.contains("hint: run `berry push` first"), "{t}");
}

#[test]
fn on_a_terminal_the_runs_and_jobs_are_drawn_live() {
    let env = TestEnv::new();
    let ready = pushed(&env, &loose(), "");
    let gh = FakeGithub::new(&ready.sha, failing_phases());
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("berry"));
    env.apply_env(&mut cmd);
    cmd.current_dir(&env.repo)
        .env("BERRY_CONFIG", &ready.config)
        .env("BERRY_DELIVERABLES", &ready.deliverables)
        .env("NATS_URL", crate::nats::nats_url())
        .env("GITHUB_API_URL", gh.api.url())
        .env("BERRY_GITHUB_REPO", format!("{OWNER}/{NAME}"))
        .env("GH_TOKEN", TOKEN)
        .env("TERM", "xterm")
        .args(["watch", "--interval", "0.2", "--yes"]);
    crate::common::screen_size(&mut cmd, crate::common::PTY_ROWS, crate::common::PTY_COLS);
    let mut s = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    // One bar per run (its elapsed time first), its jobs under it with their state and the
    // failing step. Plain progress lines carry no elapsed time: this is the live display.
    s.exp_regex(r"\d+s \S+ Tests \(run 22\): failure").unwrap();
    s.exp_string("unit: failure in 2m00s (failed step: Run npm test)")
        .unwrap();
    s.exp_string("issue #77 opened").unwrap();
    let status = s.process().wait().unwrap();
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 3)),
        "{status:?}"
    );
}
