//! `berry listen` against the real nats-server: each test its own stream of stage events, its
//! own durable consumer and its own stream of notices. The events are shaped as the orchestrator
//! publishes them (fixtures/agogsaas/nats_subjects.tsv: `stage.started`).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::*;
use crate::nats::{Nats, TestStream, nats_url, unique};

/// The orchestrator's side: a stream of stage events and the consumer berry binds.
struct Orchestrator {
    nats: Nats,
    stream: String,
    subject: String,
    consumer: String,
}

impl Orchestrator {
    fn new() -> Orchestrator {
        let nats = Nats::connect(&nats_url());
        let id = unique("");
        let stream = format!("BERRY_EVENTS_{id}");
        let subject = format!("ev.{id}.stage.started");
        nats.rt.block_on(async {
            nats.js
                .create_stream(async_nats::jetstream::stream::Config {
                    name: stream.clone(),
                    subjects: vec![format!("ev.{id}.>")],
                    ..Default::default()
                })
                .await
                .unwrap();
        });
        Orchestrator {
            nats,
            stream,
            subject,
            consumer: format!("berry_{id}"),
        }
    }

    /// The `[listen]` section binding this stream (short waits so a redelivery comes soon).
    fn config(&self) -> String {
        self.config_with_ack_wait(3)
    }

    /// The same with `ack_wait_secs` of the caller's: a test that expects no redelivery gives
    /// a long one, so a step starved of CPU on a loaded machine cannot cause one.
    fn config_with_ack_wait(&self, ack_wait_secs: u64) -> String {
        format!(
            "[listen]\nstream = \"{}\"\nconsumer = \"{}\"\nsubject = \"{}\"\nack_wait_secs = {ack_wait_secs}\nnak_delay_secs = 1\nmax_deliver = 4\n",
            self.stream, self.consumer, self.subject
        )
    }

    fn publish(&self, payload: &[u8]) {
        self.nats.rt.block_on(async {
            self.nats
                .js
                .publish(self.subject.clone(), payload.to_vec().into())
                .await
                .unwrap()
                .await
                .unwrap();
        });
    }

    /// `stage.started` for `agent` as the orchestrator's executeStage publishes it.
    fn started(&self, req: &str, agent: &str) {
        self.publish(&stage_started(req, agent));
    }

    /// (pending, ack pending, redelivered) of berry's consumer.
    fn counts(&self) -> (u64, usize, usize) {
        self.nats.rt.block_on(async {
            let s = self.nats.js.get_stream(&self.stream).await.unwrap();
            let i = s.consumer_info(&self.consumer).await.unwrap();
            (i.num_pending, i.num_ack_pending, i.num_redelivered)
        })
    }
}

impl Drop for Orchestrator {
    fn drop(&mut self) {
        let _ = self
            .nats
            .rt
            .block_on(self.nats.js.delete_stream(&self.stream));
    }
}

fn stage_started(req: &str, agent: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "eventType": "stage.started",
        "reqNumber": req,
        "stage": "DevOps Deployment",
        "agentId": agent,
        "contextData": {
            "featureTitle": "Integrated CRM & Sales Pipeline Management",
            "reqNumber": req,
            "title": "Integrated CRM & Sales Pipeline Management",
            "assignedTo": "marcus",
            "previousStages": [{"stage": "QA Testing", "agent": "billy", "deliverableUrl": format!("nats://agog.deliverables.billy.qa.{req}")}],
        },
        "timeout": 900000,
        "timestamp": NOW,
    }))
    .unwrap()
}

/// A repository with a bare origin and an approved REQ's work in its working tree, notices to
/// `stream`, `[listen]` bound to `orch`; `extra` is appended to berry.toml.
fn shippable(stream: &TestStream, orch: &Orchestrator, test_argv: &str) -> TestEnv {
    let env = TestEnv::new();
    let dir = env.deliverables_folder(REQ, None);
    env.write(
        "berry.toml",
        format!(
            "[deliverables]\ndir = \"{}\"\n\n[[test.commands]]\nname = \"check\"\nargv = {test_argv}\n\n[nats]\nsubject = \"{}\"\n\n{}",
            dir.display(),
            stream.template(),
            orch.config()
        ),
    );
    env.agog_base();
    env.file_origin();
    env.agog_changes();
    env
}

const WHITESPACE: &str = r#"["git", "diff", "--check", "HEAD~1", "HEAD"]"#;

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

fn done_events(lines: &[Value]) -> Vec<&Value> {
    lines.iter().filter(|v| v["event"] == "done").collect()
}

/// A listener in the background, its NDJSON lines arriving on a channel.
struct Running {
    child: Child,
    lines: mpsc::Receiver<Value>,
    seen: Vec<Value>,
    stderr: std::thread::JoinHandle<String>,
}

impl Running {
    fn start(env: &TestEnv, dir: &std::path::Path, args: &[&str], fault: Option<&str>) -> Running {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_berry"));
        env.apply_env(&mut cmd);
        cmd.current_dir(dir)
            .env("NATS_URL", nats_url())
            .args(["listen", "--json"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(f) = fault {
            cmd.env("BERRY_FAULT", f);
        }
        let mut child = cmd.spawn().unwrap();
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let v: Value =
                    serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"));
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let mut err = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut err, &mut s);
            s
        });
        Running {
            child,
            lines: rx,
            seen: Vec::new(),
            stderr,
        }
    }

    /// Waits for the first line matching `want` (a generous bound, so a hang fails the test).
    fn wait_for(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        loop {
            let v = self
                .lines
                .recv_timeout(Duration::from_secs(120))
                .unwrap_or_else(|_| panic!("no such event; seen: {:#?}", self.seen));
            self.seen.push(v.clone());
            if want(&v) {
                return v;
            }
        }
    }

    fn signal(&self, sig: nix::sys::signal::Signal) {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.child.id() as i32), sig).unwrap();
    }

    /// Waits for the exit; the exit code (None: killed), every line seen, stderr.
    fn finish(mut self) -> (Option<i32>, Vec<Value>, String) {
        let status = self.child.wait().unwrap();
        while let Ok(v) = self.lines.recv_timeout(Duration::from_secs(10)) {
            self.seen.push(v);
        }
        (status.code(), self.seen, self.stderr.join().unwrap())
    }
}

#[test]
fn once_ships_the_req_and_the_orchestrator_reads_one_completion_notice() {
    let stream = TestStream::new();
    let orch = Orchestrator::new();
    let env = shippable(&stream, &orch, WHITESPACE);
    // The orchestrator's waitForDeliverable: a core subscription on the notice subject.
    let mut waiting = stream.nats.subscribe(&stream.subject(REQ));
    orch.started(REQ, "berry");
    let out = env
        .berry()
        .args(["listen", "--once", "--json"])
        .env("NATS_URL", nats_url())
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let lines = json_lines(&out.stdout);
    let done = done_events(&lines);
    assert_eq!(done.len(), 1, "{t}");
    assert_eq!(done[0]["outcome"], "completed", "{t}");
    assert_eq!(done[0]["req"], REQ);
    let steps: Vec<&str> = lines
        .iter()
        .filter(|v| v["event"] == "step")
        .map(|v| v["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "verify", "review", "commit", "test", "push", "pr", "watch", "health", "complete"
        ],
        "the steps of `berry run`, in order: {t}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("({REQ}) delivery 1: completed in")) && stderr.contains("(acked)"),
        "a health line per event: {stderr}"
    );

    let origin = env.path().join("origin.git");
    assert_eq!(
        env.git_in(&origin, &["rev-list", "--count", "main"]).trim(),
        "3",
        "the REQ's commit and the tracker commit"
    );
    let sha = env.git(&["rev-parse", "HEAD~1"]).trim().to_string();
    let msg = stream
        .nats
        .next(&mut waiting, 10)
        .expect("the orchestrator got the notice");
    let v: Value = serde_json::from_slice(&msg.payload).unwrap();
    crate::nats::assert_completion_notice(&v, REQ, &stream.subject(REQ), &sha);
    assert!(
        stream.nats.next(&mut waiting, 1).is_none(),
        "one message per REQ"
    );
    let notices = stream.messages();
    assert_eq!(notices.len(), 1);
    // The id a manual `berry complete` gives the notice.
    let ctx: Value = serde_json::from_slice(
        &std::fs::read(env.repo.join(".git/berry").join(format!("{REQ}.json"))).unwrap(),
    )
    .unwrap();
    let recorded = ctx["ledger"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "completion")
        .map(|e| e["msg_id"].clone())
        .unwrap_or(Value::Null);
    assert_eq!(Value::String(notices[0].0.clone()), recorded, "{ctx:#}");
    assert_eq!(orch.counts(), (0, 0, 0), "acknowledged, nothing left");

    // --status reads the same counts.
    let out = env
        .berry()
        .args(["listen", "--status", "--json"])
        .env("NATS_URL", nats_url())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let s = &json_lines(&out.stdout)[0]["data"];
    assert_eq!(
        (
            s["pending"].as_u64(),
            s["ack_pending"].as_u64(),
            s["redelivered"].as_u64()
        ),
        (Some(0), Some(0), Some(0)),
        "{s}"
    );
}

#[test]
fn malformed_foreign_and_bad_req_events_are_terminated_with_their_reason() {
    let stream = TestStream::new();
    let orch = Orchestrator::new();
    let env = shippable(&stream, &orch, WHITESPACE);
    orch.publish(b"{\"eventType\": \"stage.started\", \"reqNumber\": ");
    orch.started(REQ, "billy");
    orch.started("REQ-../../etc/passwd", "berry");
    let mut reasons = Vec::new();
    for _ in 0..3 {
        let out = env
            .berry()
            .args(["listen", "--once", "--json"])
            .env("NATS_URL", nats_url())
            .output()
            .unwrap();
        let t = env.transcript(&out);
        assert_eq!(out.status.code(), Some(2), "a poison message: {t}");
        let lines = json_lines(&out.stdout);
        let done = done_events(&lines);
        assert_eq!(done[0]["outcome"], "terminated", "{t}");
        assert!(
            lines.iter().all(|v| v["event"] != "step"),
            "no step runs for it: {t}"
        );
        assert!(t.contains("(terminated)"), "{t}");
        reasons.push(done[0]["reason"].as_str().unwrap().to_string());
    }
    assert!(reasons[0].starts_with("not JSON"), "{reasons:?}");
    assert_eq!(reasons[1], "agentId \"billy\" is not \"berry\"");
    assert!(reasons[2].starts_with("reqNumber"), "{reasons:?}");
    assert_eq!(orch.counts(), (0, 0, 0), "never delivered again");
    assert!(stream.messages().is_empty(), "nothing announced");
    assert!(
        !env.repo
            .join(".git/berry")
            .join(format!("{REQ}.json"))
            .exists(),
        "nothing recorded"
    );
}

/// N REQs whose QA failed, in a tracker of N entries; two clones of one origin. No redelivery
/// is expected, so the acknowledgement wait is long.
fn many_rejected(n: usize, stream: &TestStream, orch: &Orchestrator) -> (TestEnv, Vec<String>) {
    let env = TestEnv::new();
    let reqs: Vec<String> = (0..n).map(|i| format!("REQ-LISTEN-{:03}", i + 1)).collect();
    let mut qa = fixture_json("agogsaas/deliverable_billy_qa_full_excerpt.json");
    qa.as_object_mut()
        .unwrap()
        .insert("testResult".into(), json!("FAIL"));
    let mut dir = None;
    for r in &reqs {
        dir = Some(env.deliverables_folder(r, Some(qa.clone())));
    }
    let mut tracker = fixture("agogsaas/owner_requests_header_6544335.md");
    for r in &reqs {
        tracker.push_str(&format!(
            "\n### {r}: Feature {r}\n\n**Status**: IN_PROGRESS\n**Owner**: marcus\n**Priority**: P1\n\n---\n"
        ));
    }
    env.write("project-spirit/owner_requests/OWNER_REQUESTS.md", tracker);
    env.write(
        "berry.toml",
        format!(
            "[deliverables]\ndir = \"{}\"\n\n[tracker]\ncommit = false\n\n[nats]\nsubject = \"{}\"\n\n{}",
            dir.unwrap().display(),
            stream.template(),
            orch.config_with_ack_wait(120)
        ),
    );
    env.write("README.md", "# AgogSaaS\n");
    env.commit_all("base");
    let origin = env.file_origin();
    for host in ["host-a", "host-b"] {
        env.git_in(
            env.path(),
            &["clone", "-q", &format!("file://{}", origin.display()), host],
        );
    }
    (env, reqs)
}

#[test]
fn two_listeners_on_one_consumer_handle_each_req_exactly_once_between_them() {
    const N: usize = 20;
    let stream = TestStream::new();
    let orch = Orchestrator::new();
    let (env, reqs) = many_rejected(N, &stream, &orch);
    let mut a = Running::start(&env, &env.path().join("host-a"), &[], None);
    let mut b = Running::start(&env, &env.path().join("host-b"), &[], None);
    a.wait_for(|v| v["event"] == "bound");
    b.wait_for(|v| v["event"] == "bound");
    for r in &reqs {
        orch.started(r, "berry");
    }
    // Both listeners are read until N events are done between them.
    let (tx, rx) = mpsc::channel::<(char, Value)>();
    let mut done = Vec::new();
    let la = std::mem::replace(&mut a.lines, mpsc::channel().1);
    let lb = std::mem::replace(&mut b.lines, mpsc::channel().1);
    for (name, lines) in [('a', la), ('b', lb)] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            while let Ok(v) = lines.recv() {
                if tx.send((name, v)).is_err() {
                    break;
                }
            }
        });
    }
    while done.len() < N {
        let (who, v) = rx
            .recv_timeout(Duration::from_secs(180))
            .unwrap_or_else(|_| panic!("only {} of {N} done: {done:#?}", done.len()));
        if v["event"] == "done" {
            done.push((who, v));
        }
    }
    a.signal(nix::sys::signal::Signal::SIGTERM);
    b.signal(nix::sys::signal::Signal::SIGTERM);
    let (ca, _, ea) = a.finish();
    let (cb, _, eb) = b.finish();
    assert_eq!(
        (ca, cb),
        (Some(130), Some(130)),
        "stopped by SIGTERM:\n{ea}\n{eb}"
    );

    let mut handled: Vec<&str> = done
        .iter()
        .map(|(_, v)| v["req"].as_str().unwrap())
        .collect();
    handled.sort();
    assert_eq!(handled, reqs, "each REQ once");
    assert!(
        done.iter()
            .all(|(_, v)| v["outcome"] == "blocked" && v["delivered"] == 1),
        "{done:#?}"
    );
    let by_a = done.iter().filter(|(w, _)| *w == 'a').count();
    assert!(
        by_a > 0 && by_a < N,
        "the work is spread: {by_a} of {N} on host-a"
    );
    // The orchestrator got one blocked notice per REQ.
    let notices = stream.messages();
    let mut announced: Vec<&str> = notices
        .iter()
        .map(|(_, v)| v["req_number"].as_str().unwrap())
        .collect();
    announced.sort();
    assert_eq!(announced, reqs);
    assert!(notices.iter().all(|(_, v)| v["status"] == "BLOCKED"));
    assert_eq!(orch.counts(), (0, 0, 0));
}

#[test]
fn concurrency_two_works_two_events_at_a_time_in_one_process_each_once() {
    const N: usize = 6;
    let stream = TestStream::new();
    let orch = Orchestrator::new();
    let (env, reqs) = many_rejected(N, &stream, &orch);
    let mut l = Running::start(&env, &env.repo, &["--concurrency", "2"], None);
    let mut bound = Vec::new();
    while bound.len() < 2 {
        let v = l.wait_for(|v| v["event"] == "bound");
        bound.push(v["worker"].as_u64().unwrap());
    }
    bound.sort();
    assert_eq!(bound, [0, 1], "one binding per worker (in either order)");
    for r in &reqs {
        orch.started(r, "berry");
    }
    let mut done = Vec::new();
    while done.len() < N {
        done.push(l.wait_for(|v| v["event"] == "done"));
    }
    l.signal(nix::sys::signal::Signal::SIGTERM);
    let (code, _, stderr) = l.finish();
    assert_eq!(code, Some(130), "{stderr}");
    let mut handled: Vec<&str> = done.iter().map(|v| v["req"].as_str().unwrap()).collect();
    handled.sort();
    assert_eq!(handled, reqs, "each REQ once: {done:#?}");
    assert!(done.iter().all(|v| v["outcome"] == "blocked"), "{done:#?}");
    let workers: std::collections::BTreeSet<u64> =
        done.iter().map(|v| v["worker"].as_u64().unwrap()).collect();
    assert_eq!(
        workers.into_iter().collect::<Vec<_>>(),
        [0, 1],
        "both workers took events: {done:#?}"
    );
    // Blocks of two REQs at the same time edit the one tracker without losing either edit.
    let tracker = env.read("project-spirit/owner_requests/OWNER_REQUESTS.md");
    assert_eq!(
        tracker.matches("**Status**: BLOCKED").count(),
        N,
        "{tracker}"
    );
    assert_eq!(stream.messages().len(), N, "one notice per REQ");
    assert_eq!(orch.counts(), (0, 0, 0));
}

#[test]
fn a_listener_killed_after_the_push_leaves_the_event_to_another_that_finishes_it_once() {
    let stream = TestStream::new();
    let orch = Orchestrator::new();
    let env = shippable(&stream, &orch, WHITESPACE);
    orch.started(REQ, "berry");
    // The step dies right after its push reached the remote, before it is recorded, and the
    // listener with it: nothing acknowledges or releases the event.
    let first = Running::start(
        &env,
        &env.repo,
        &["--once"],
        Some("pushed,listen-child-killed"),
    );
    let (code, lines, stderr) = first.finish();
    assert_eq!(code, None, "killed: {lines:#?}\n{stderr}");
    assert!(done_events(&lines).is_empty());
    let origin = env.path().join("origin.git");
    assert_eq!(
        env.git_in(&origin, &["rev-list", "--count", "main"]).trim(),
        "2",
        "pushed before the kill"
    );

    // Another listener gets the event once its acknowledgement wait ran out.
    let out = env
        .berry()
        .args(["listen", "--once", "--json"])
        .env("NATS_URL", nats_url())
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let lines = json_lines(&out.stdout);
    let done = done_events(&lines);
    assert_eq!(done[0]["outcome"], "completed", "{t}");
    assert_eq!(done[0]["delivered"], 2, "a redelivery: {t}");
    let steps: Vec<&str> = lines
        .iter()
        .filter(|v| v["event"] == "step")
        .map(|v| v["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps[0], "push", "resumes from the record: {t}");
    assert_eq!(
        env.git_in(&origin, &["rev-list", "--count", "main"]).trim(),
        "3",
        "one commit, pushed once, and the tracker commit"
    );
    assert_eq!(env.git(&["rev-list", "--count", "HEAD"]).trim(), "3");
    assert_eq!(stream.messages().len(), 1, "one notice");
    assert_eq!(orch.counts().1, 0);
}

#[test]
fn sigterm_during_a_step_finishes_it_records_it_and_releases_the_event() {
    let stream = TestStream::new();
    let orch = Orchestrator::new();
    let marker = std::env::temp_dir().join(unique("berry-listen-test-started-"));
    let argv = format!(
        r#"["sh", "-c", "touch '{}'; sleep 2; git diff --check HEAD~1 HEAD"]"#,
        marker.display()
    );
    let env = shippable(&stream, &orch, &argv);
    orch.started(REQ, "berry");
    let mut l = Running::start(&env, &env.repo, &[], None);
    l.wait_for(|v| v["event"] == "step" && v["step"] == "commit");
    while !marker.exists() {
        std::thread::sleep(Duration::from_millis(20));
    }
    l.signal(nix::sys::signal::Signal::SIGTERM);
    let (code, lines, stderr) = l.finish();
    let _ = std::fs::remove_file(&marker);
    assert_eq!(code, Some(130), "{stderr}");
    let test_step = lines
        .iter()
        .find(|v| v["event"] == "step" && v["step"] == "test")
        .unwrap_or_else(|| panic!("the test step finished: {lines:#?}\n{stderr}"));
    assert_eq!(test_step["exit"], 0, "{stderr}");
    let done = done_events(&lines);
    assert_eq!(done.len(), 1, "{lines:#?}");
    assert_eq!(done[0]["outcome"], "released", "{stderr}");
    assert!(
        lines.iter().all(|v| v["step"] != "push"),
        "no step after the signal: {lines:#?}"
    );
    let ctx: Value = serde_json::from_slice(
        &std::fs::read(env.repo.join(".git/berry").join(format!("{REQ}.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(ctx["steps"]["test"]["outcome"], "ok", "recorded");
    assert!(ctx["ledger"]["push"].is_null());

    // Released with a delay: the next listener takes it and finishes from push.
    let out = env
        .berry()
        .args(["listen", "--once", "--json"])
        .env("NATS_URL", nats_url())
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let lines = json_lines(&out.stdout);
    assert_eq!(done_events(&lines)[0]["delivered"], 2, "{t}");
    assert_eq!(
        lines.iter().find(|v| v["event"] == "step").unwrap()["step"],
        "push",
        "{t}"
    );
    assert_eq!(stream.messages().len(), 1, "one notice");
}

#[test]
fn sigterm_during_the_last_step_acknowledges_the_event_it_completed() {
    let stream = TestStream::new();
    let orch = Orchestrator::new();
    let env = shippable(
        &stream,
        &orch,
        r#"["git", "diff", "--check", "HEAD~1", "HEAD"]"#,
    );
    orch.started(REQ, "berry");
    // `complete` holds for 3 s right after its notice is published: the signal arrives while
    // the last step is still running.
    let mut l = Running::start(&env, &env.repo, &[], Some("event-published~3000"));
    l.wait_for(|v| v["event"] == "step" && v["step"] == "health");
    l.signal(nix::sys::signal::Signal::SIGTERM);
    let (code, lines, stderr) = l.finish();
    let complete = lines
        .iter()
        .find(|v| v["event"] == "step" && v["step"] == "complete")
        .unwrap_or_else(|| panic!("complete ran to its end: {lines:#?}\n{stderr}"));
    assert_eq!(complete["exit"], 0, "{stderr}");
    let done = done_events(&lines);
    assert_eq!(done.len(), 1, "{lines:#?}");
    assert_eq!(
        done[0]["outcome"], "completed",
        "the notice is out: the event is answered, not released to run again: {stderr}"
    );
    assert_eq!(code, Some(130), "stopped by the signal: {stderr}");
    assert_eq!(stream.messages().len(), 1, "one notice");
    assert_eq!(
        orch.counts(),
        (0, 0, 0),
        "acknowledged: nothing pending, nothing to redeliver"
    );
}

#[test]
fn with_source_branch_the_agents_branch_is_shipped_from_a_worktree_that_is_removed_after() {
    let stream = TestStream::new();
    let orch = Orchestrator::new();
    // The agents' host: the base on main, their work committed on agents/<REQ>.
    let env = TestEnv::new();
    let dir = env.deliverables_folder(REQ, None);
    env.write(
        "berry.toml",
        format!(
            "[deliverables]\ndir = \"{}\"\n\n[[test.commands]]\nname = \"check\"\nargv = [\"git\", \"diff\", \"--check\", \"HEAD~1\", \"HEAD\"]\n\n[nats]\nsubject = \"{}\"\n\n{}source = \"branch\"\n",
            dir.display(),
            stream.template(),
            orch.config()
        ),
    );
    env.agog_base();
    let origin = env.file_origin();
    env.git(&["checkout", "-q", "-b", &format!("agents/{REQ}")]);
    env.agog_changes();
    // An agent widening the gate on its branch changes nothing: the gate is the ship branch's.
    let widened = format!("{}\n[stage]\npaths = [\"**\"]\n", env.read("berry.toml"));
    env.write("berry.toml", widened);
    env.commit_all("the agents' work");
    env.git(&["push", "-q", "origin", &format!("agents/{REQ}")]);
    // The listener's host: a clone of its own, nothing of the work in it.
    env.git_in(
        env.path(),
        &[
            "clone",
            "-q",
            &format!("file://{}", origin.display()),
            "host",
        ],
    );
    let host = env.path().join("host");
    orch.started(REQ, "berry");
    let out = env
        .berry()
        .current_dir(&host)
        .args(["listen", "--once", "--json"])
        .env("NATS_URL", nats_url())
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert_eq!(
        done_events(&json_lines(&out.stdout))[0]["outcome"],
        "completed",
        "{t}"
    );
    assert_eq!(
        env.git_in(&origin, &["rev-list", "--count", "main"]).trim(),
        "3",
        "the REQ's commit and the tracker commit on main"
    );
    let files = env.git_in(&origin, &["show", "--name-status", "--format=", "main~1"]);
    assert!(files.contains("V0.0.63__crm.sql"), "{files}");
    assert!(
        !files.contains("README.md"),
        "out of scope stays out: {files}"
    );
    assert_eq!(stream.messages().len(), 1, "one notice");
    assert!(
        !host.join(".git/berry/worktrees").join(REQ).exists(),
        "the worktree is removed"
    );
    assert_eq!(
        env.git_in(&host, &["worktree", "list"]).lines().count(),
        1,
        "no worktree left registered"
    );
    let ctx: Value = serde_json::from_slice(
        &std::fs::read(host.join(".git/berry").join(format!("{REQ}.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(
        ctx["state"], "DEPLOYED",
        "the record stays with the listener's clone"
    );
}

#[test]
fn with_source_branch_no_agents_branch_blocks_and_an_unreadable_remote_releases() {
    let stream = TestStream::new();
    let orch = Orchestrator::new();
    let env = TestEnv::new();
    let dir = env.deliverables_folder(REQ, None);
    env.write(
        "berry.toml",
        format!(
            "[deliverables]\ndir = \"{}\"\n\n[nats]\nsubject = \"{}\"\n\n{}source = \"branch\"\n",
            dir.display(),
            stream.template(),
            orch.config_with_ack_wait(120)
        ),
    );
    env.agog_base();
    let origin = env.file_origin();
    env.git_in(
        env.path(),
        &[
            "clone",
            "-q",
            &format!("file://{}", origin.display()),
            "host",
        ],
    );
    let host = env.path().join("host");
    let once = || {
        let out = env
            .berry()
            .current_dir(&host)
            .args(["listen", "--once", "--json"])
            .env("NATS_URL", nats_url())
            .output()
            .unwrap();
        let t = env.transcript(&out);
        let done = done_events(&json_lines(&out.stdout))
            .first()
            .map(|v| (*v).clone())
            .unwrap_or_else(|| panic!("one event handled: {t}"));
        (done, t)
    };

    // The remote cannot be read this time: nothing is decided, the event comes back.
    let good = format!("file://{}", origin.display());
    let gone = format!("file://{}", env.path().join("no-such-origin").display());
    env.git_in(&host, &["remote", "set-url", "origin", &gone]);
    orch.started(REQ, "berry");
    let (done, t) = once();
    assert_eq!(done["outcome"], "released", "{t}");
    assert!(
        done["reason"]
            .as_str()
            .unwrap()
            .contains("cannot read origin"),
        "{t}"
    );
    assert!(stream.messages().is_empty(), "no notice: {t}");

    // The remote answers and has no `agents/<REQ>`: the work is not there, the REQ is blocked
    // at once (no retries), with the reason in the blocked notice.
    env.git_in(&host, &["remote", "set-url", "origin", &good]);
    let (done, t) = once();
    assert_eq!(done["delivered"], 2, "{t}");
    assert_eq!(done["outcome"], "blocked", "{t}");
    assert!(
        done["reason"]
            .as_str()
            .unwrap()
            .contains(&format!("origin has no branch agents/{REQ}")),
        "{t}"
    );
    assert_eq!(stream.messages().len(), 1, "the blocked notice: {t}");
    assert_eq!(orch.counts(), (0, 0, 0), "acknowledged: nothing pending");
}

#[test]
fn with_the_nats_kv_backend_the_record_is_the_buckets_entry_and_another_machine_reads_it() {
    let stream = TestStream::new();
    let orch = Orchestrator::new();
    let bucket = format!("berry_{}", unique(""));
    let env = TestEnv::new();
    let dir = env.deliverables_folder(REQ, None);
    env.write(
        "berry.toml",
        format!(
            "[deliverables]\ndir = \"{}\"\n\n[[test.commands]]\nname = \"check\"\nargv = {WHITESPACE}\n\n[nats]\nsubject = \"{}\"\n\n[state]\nbackend = \"nats-kv\"\nbucket = \"{bucket}\"\n\n{}",
            dir.display(),
            stream.template(),
            orch.config()
        ),
    );
    env.agog_base();
    let origin = env.file_origin();
    env.agog_changes();
    orch.started(REQ, "berry");
    let out = env
        .berry()
        .args(["listen", "--once", "--json"])
        .env("NATS_URL", nats_url())
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert_eq!(
        done_events(&json_lines(&out.stdout))[0]["outcome"],
        "completed",
        "{t}"
    );

    // The document of record is the bucket's entry, one revision per save.
    let (entry, revision) = orch.nats.rt.block_on(async {
        let kv = orch.nats.js.get_key_value(&bucket).await.unwrap();
        let e = kv.entry(REQ).await.unwrap().expect("the REQ's entry");
        (
            serde_json::from_slice::<Value>(&e.value).unwrap(),
            e.revision,
        )
    });
    assert_eq!(entry["state"], "DEPLOYED", "{entry:#}");
    assert_eq!(entry["steps"]["complete"]["outcome"], "ok");
    assert!(
        revision > 9,
        "every step saved its record: revision {revision}"
    );

    // Another machine's clone reads the same record: every step is done there too.
    env.git_in(
        env.path(),
        &[
            "clone",
            "-q",
            &format!("file://{}", origin.display()),
            "host-b",
        ],
    );
    let out = env
        .berry()
        .current_dir(env.path().join("host-b"))
        .args(["status", REQ])
        .env("NATS_URL", nats_url())
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("Every step is done."), "{t}");
    orch.nats
        .rt
        .block_on(orch.nats.js.delete_key_value(&bucket))
        .unwrap();
}

#[test]
fn killed_after_the_push_on_one_machine_the_req_is_finished_on_another_from_the_bucket() {
    let stream = TestStream::new();
    let orch = Orchestrator::new();
    let bucket = format!("berry_{}", unique(""));
    // The agents' host: the base on main, their work on agents/<REQ>.
    let env = TestEnv::new();
    let dir = env.deliverables_folder(REQ, None);
    env.write(
        "berry.toml",
        format!(
            "[deliverables]\ndir = \"{}\"\n\n[[test.commands]]\nname = \"check\"\nargv = {WHITESPACE}\n\n[nats]\nsubject = \"{}\"\n\n[state]\nbackend = \"nats-kv\"\nbucket = \"{bucket}\"\n\n{}source = \"branch\"\n",
            dir.display(),
            stream.template(),
            orch.config()
        ),
    );
    env.agog_base();
    let origin = env.file_origin();
    env.git(&["checkout", "-q", "-b", &format!("agents/{REQ}")]);
    env.agog_changes();
    env.commit_all("the agents' work");
    env.git(&["push", "-q", "origin", &format!("agents/{REQ}")]);
    for host in ["host-a", "host-b"] {
        env.git_in(
            env.path(),
            &["clone", "-q", &format!("file://{}", origin.display()), host],
        );
    }
    orch.started(REQ, "berry");
    // Machine A commits and pushes, and dies with its step before the push is recorded.
    let first = Running::start(
        &env,
        &env.path().join("host-a"),
        &["--once"],
        Some("pushed,listen-child-killed"),
    );
    let (code, lines, stderr) = first.finish();
    assert_eq!(code, None, "killed: {lines:#?}\n{stderr}");
    assert_eq!(
        env.git_in(&origin, &["rev-list", "--count", "main"]).trim(),
        "2",
        "pushed before the kill"
    );

    // Machine B gets the redelivery, reads A's record from the bucket, finds the pushed commit
    // by its trailers and adopts it.
    let out = env
        .berry()
        .current_dir(env.path().join("host-b"))
        .args(["listen", "--once", "--json"])
        .env("NATS_URL", nats_url())
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let lines = json_lines(&out.stdout);
    let done = done_events(&lines);
    assert_eq!(
        (done[0]["outcome"].as_str(), done[0]["delivered"].as_u64()),
        (Some("completed"), Some(2)),
        "{t}"
    );
    assert_eq!(
        lines.iter().find(|v| v["event"] == "step").unwrap()["step"],
        "push",
        "resumes from A's record: {t}"
    );
    assert_eq!(
        env.git_in(&origin, &["rev-list", "--count", "main"]).trim(),
        "3",
        "one commit, one push, and the tracker commit"
    );
    let subjects = env.git_in(&origin, &["log", "--format=%s", "main"]);
    assert_eq!(
        subjects.lines().filter(|s| s.contains("DEPLOYED")).count(),
        1,
        "{subjects}"
    );
    assert_eq!(stream.messages().len(), 1, "one notice");
    orch.nats
        .rt
        .block_on(orch.nats.js.delete_key_value(&bucket))
        .unwrap();
}

#[test]
fn a_ship_branch_moved_during_the_run_is_rebased_onto_tested_again_and_pushed() {
    let stream = TestStream::new();
    let orch = Orchestrator::new();
    // The first run of the tests has another machine ship to main meanwhile (once).
    let other = std::env::temp_dir().join(unique("berry-listen-other-"));
    let marker = other.with_extension("done");
    let argv = format!(
        r#"["sh", "-c", "if [ ! -e '{m}' ]; then touch '{m}'; cd '{o}' && echo x > other.txt && git add other.txt && git commit -q -m other && git push -q origin main; fi; cd \"$OLDPWD\" 2>/dev/null; true"]"#,
        m = marker.display(),
        o = other.display()
    );
    let env = shippable(&stream, &orch, &argv);
    let origin = env.path().join("origin.git");
    env.git_in(
        env.path(),
        &[
            "clone",
            "-q",
            &format!("file://{}", origin.display()),
            other.to_str().unwrap(),
        ],
    );
    orch.started(REQ, "berry");
    let out = env
        .berry()
        .args(["listen", "--once", "--json"])
        .env("NATS_URL", nats_url())
        .output()
        .unwrap();
    let t = env.transcript(&out);
    let _ = std::fs::remove_dir_all(&other);
    let _ = std::fs::remove_file(&marker);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let lines = json_lines(&out.stdout);
    let steps: Vec<&str> = lines
        .iter()
        .filter(|v| v["event"] == "step")
        .map(|v| v["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        &steps[3..7],
        ["test", "push", "test", "push"],
        "tested again after the rebase: {t}"
    );
    assert_eq!(done_events(&lines)[0]["outcome"], "completed", "{t}");
    let subjects = env.git_in(&origin, &["log", "--format=%s", "main"]);
    assert_eq!(
        subjects.lines().count(),
        4,
        "base, other, the REQ, the tracker: {subjects}"
    );
    assert_eq!(stream.messages().len(), 1);
}
