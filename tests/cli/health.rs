//! `berry health`: the deployment's health checks between `watch` and `complete`, against a
//! local HTTP server; what `status` shows, what `complete` requires, and that the checks come
//! from the committed configuration.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};

use serde_json::{Value, json};

use crate::common::*;
use crate::complete::{Ready, TRACKER, context_json, write_context};

/// A local HTTP server answering every request with the status in `status` (changeable while it
/// runs) and a JSON body.
pub struct Server {
    pub port: u16,
    pub status: Arc<AtomicU16>,
}

impl Server {
    pub fn start(status: u16) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let status = Arc::new(AtomicU16::new(status));
        let s = status.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let s = s.clone();
                std::thread::spawn(move || {
                    let mut stream = stream;
                    let mut r = BufReader::new(stream.try_clone().unwrap());
                    loop {
                        let mut line = String::new();
                        if r.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                            break;
                        }
                    }
                    let code = s.load(Ordering::SeqCst);
                    let body = r#"{"data":{"__typename":"Query"}}"#;
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {code} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        Server { port, status }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/graphql", self.port)
    }
}

/// The config of these tests: no NATS, one HTTP check on `url` and one command check.
fn config(url: &str, within: u64) -> String {
    format!(
        "[nats]\npublish = false\n\n[health]\nwithin_secs = {within}\n\n[[health.checks]]\nname = \"backend\"\nurl = \"{url}\"\njson_pointer = \"/data/__typename\"\nexpect_value = \"Query\"\ntimeout_secs = 2\n\n[[health.checks]]\nname = \"migrations\"\nargv = [\"test\", \"!\", \"-e\", \"../migrations-pending\"]\n"
    )
}

/// `Ready` (verified, committed, tested, green CI) with the commit recorded as pushed.
fn pushed(env: &TestEnv) -> Ready {
    let ready = Ready::for_req(env, REQ, None);
    let mut ctx = context_json(env);
    ctx["ledger"]["push"] = json!({
        "remote": "origin", "url": "file:///origin.git", "ref": "refs/heads/main",
        "sha": ready.sha, "branch": "main", "berry_created": false, "at": NOW,
    });
    ctx["steps"]["push"] = json!({"outcome": "ok", "at": NOW, "message": "pushed"});
    write_context(env, &ctx);
    ready
}

/// The completion notice of `complete --json`.
fn notice(out: &std::process::Output) -> Value {
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["data"]["notice"].clone()
}

#[test]
fn health_records_each_check_status_shows_them_and_complete_carries_them() {
    let env = TestEnv::new();
    let server = Server::start(200);
    let ready = pushed(&env);
    std::fs::write(&ready.config, config(&server.url(), 10)).unwrap();

    // Not run yet: complete names the step to run.
    let before = env.read(TRACKER);
    let out = ready.complete(&env).arg("--yes").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(t.contains("the health checks have not run"), "{t}");
    assert!(
        t.contains("hint: run `berry health` first, or pass --no-health --reason TEXT"),
        "{t}"
    );
    assert_eq!(env.read(TRACKER), before);

    let out = ready.berry(&env).arg("health").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("✔ backend: 200 ("), "{t}");
    assert!(t.contains("✔ migrations: exit 0 ("), "{t}");
    assert!(t.contains("2 health checks passed for"), "{t}");
    assert!(t.contains("next: berry complete"), "{t}");
    let h = &context_json(&env)["ledger"]["health"];
    assert_eq!(h["sha"], json!(ready.sha));
    assert_eq!(h["passed"], true);
    assert_eq!(h["checks"][0]["target"], format!("GET {}", server.url()));
    assert_eq!(h["checks"][0]["attempts"], 1);
    assert!(h["checks"][0]["latency_ms"].is_u64());
    assert_eq!(h["checks"][1]["kind"], "command");

    // A rerun reports what is recorded and checks nothing (the server is down now).
    server.status.store(503, Ordering::SeqCst);
    let out = ready.berry(&env).arg("health").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("the health checks passed for"), "{t}");

    // status: text and JSON.
    let out = ready.berry(&env).arg("status").output().unwrap();
    let t = env.transcript(&out);
    assert!(t.contains("  health    ok"), "{t}");
    assert!(t.contains("health  passed for"), "{t}");
    assert!(t.contains("ok   backend: 200 ("), "{t}");
    let out = ready
        .berry(&env)
        .args(["status", "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v["data"];
    assert_eq!(d["schema_version"], 1);
    assert_eq!(d["health"]["for_shipped_commit"], "passed");
    assert_eq!(d["health"]["checks"][0]["name"], "backend");
    assert_eq!(d["health"]["checks"][0]["attempts"], 1);
    assert_eq!(d["health"]["checks"][1]["detail"], "exit 0");
    assert_eq!(d["steps"][7]["step"], "health");

    // complete goes on; the notice carries the results.
    let out = ready
        .complete(&env)
        .args(["--yes", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let p = &notice(&out);
    assert_eq!(p["health"]["status"], "passed");
    assert_eq!(p["health"]["checks"][0]["name"], "backend");
    assert_eq!(p["health"]["checks"][1]["passed"], true);
}

#[test]
fn a_failing_check_closes_the_gate_until_no_health_with_a_reason() {
    let env = TestEnv::new();
    let server = Server::start(503);
    let ready = pushed(&env);
    std::fs::write(&ready.config, config(&server.url(), 2)).unwrap();
    std::fs::write(env.path().join("migrations-pending"), "").unwrap();
    let t0 = std::time::Instant::now();
    let out = ready.berry(&env).arg("health").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(
        t0.elapsed() < std::time::Duration::from_secs(8),
        "{:?}",
        t0.elapsed()
    );
    assert!(t.contains("✖ backend: 503: expected 200 ("), "{t}");
    assert!(t.contains("✖ migrations: exit 1 ("), "{t}");
    assert!(t.contains("health checks failed for"), "{t}");
    let ctx = context_json(&env);
    assert_eq!(ctx["steps"]["health"]["outcome"], "blocked");
    assert!(
        ctx["ledger"]["health"]["checks"][0]["attempts"]
            .as_u64()
            .unwrap()
            >= 2
    );

    let before = env.read(TRACKER);
    let out = ready.complete(&env).arg("--yes").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(t.contains("the health checks failed for"), "{t}");
    assert!(t.contains("--no-health --reason TEXT"), "{t}");
    assert_eq!(env.read(TRACKER), before, "nothing written");
    assert_eq!(context_json(&env)["ledger"]["events"], json!([]));

    // --no-health needs a reason; with one it is recorded and carried in the notice.
    let out = ready
        .complete(&env)
        .args(["--yes", "--no-health"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", env.transcript(&out));
    let out = ready
        .complete(&env)
        .args([
            "--yes",
            "--json",
            "--no-health",
            "--reason",
            "staging is down; prod checked by hand",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let ctx = context_json(&env);
    assert_eq!(ctx["ledger"]["health_skipped"]["sha"], json!(ready.sha));
    let p = &notice(&out);
    assert_eq!(p["health"]["status"], "skipped");
    assert_eq!(
        p["health"]["reason"],
        "staging is down; prod checked by hand"
    );
    assert_eq!(
        p["health"]["checks"][0]["passed"], false,
        "what was seen is kept: {p}"
    );
    let out = ready.berry(&env).arg("status").output().unwrap();
    let t = env.transcript(&out);
    assert!(t.contains("health  SKIPPED for"), "{t}");
    assert!(t.contains("staging is down; prod checked by hand"), "{t}");
}

#[test]
fn an_uncommitted_berry_toml_cannot_switch_the_checks_off() {
    let env = TestEnv::new();
    let ready = pushed(&env);
    // The committed configuration has a check that fails.
    env.write(
        "berry.toml",
        "[nats]\npublish = false\n\n[health]\nwithin_secs = 1\n\n[[health.checks]]\nname = \"smoke\"\nargv = [\"false\"]\n",
    );
    env.commit_all("berry: health checks");
    // An agent empties them in the working tree.
    env.write("berry.toml", "[nats]\npublish = false\n");
    let berry = |args: &[&str]| {
        let mut c = env.berry();
        c.env("BERRY_DELIVERABLES", &ready.deliverables).args(args);
        c.output().unwrap()
    };
    let out = berry(&["health"]);
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(t.contains("✖ smoke: exit 1"), "{t}");
    let before = env.read(TRACKER);
    let out = berry(&["--yes", "complete"]);
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(t.contains("the health checks failed"), "{t}");
    assert_eq!(env.read(TRACKER), before);
}

/// A command check runs as a test command runs: berry's own credentials are not in its
/// environment, except those `test.pass_env` names. Each check exits 1 when it sees what it must
/// not (the check would then fail and the step exit 3).
#[test]
fn command_checks_get_the_test_commands_scrubbed_environment() {
    let env = TestEnv::new();
    let ready = pushed(&env);
    std::fs::write(
        &ready.config,
        "[nats]\npublish = false\n\n[test]\npass_env = [\"PGPASSWORD\"]\n\n[health]\nwithin_secs = 1\n\n\
         [[health.checks]]\nname = \"no-credentials\"\n\
         argv = [\"sh\", \"-c\", \"test -z \\\"${GH_TOKEN}${GITHUB_TOKEN}${NATS_PASSWORD}\\\" && test \\\"$KEPT\\\" = kept-value\"]\n\n\
         [[health.checks]]\nname = \"passed-through\"\n\
         argv = [\"sh\", \"-c\", \"test \\\"$PGPASSWORD\\\" = pg-pass-through-1\"]\n",
    )
    .unwrap();
    let out = ready
        .berry(&env)
        .arg("health")
        .env("GH_TOKEN", "ghp_healthCheckMustNotSee0123456789abcdef")
        .env("GITHUB_TOKEN", "ghp_healthCheckMustNotSee0123456789abcdeg")
        .env("NATS_PASSWORD", "nats-pass-health-1")
        .env("PGPASSWORD", "pg-pass-through-1")
        .env("KEPT", "kept-value")
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("✔ no-credentials: exit 0 ("), "{t}");
    assert!(t.contains("✔ passed-through: exit 0 ("), "{t}");
}

#[test]
fn without_checks_health_records_itself_skipped_and_complete_goes_on() {
    let env = TestEnv::new();
    let ready = pushed(&env);
    std::fs::write(&ready.config, "[nats]\npublish = false\n").unwrap();
    let out = ready
        .berry(&env)
        .args(["--json", "health"])
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("health skipped: no health checks are configured"),
        "{t}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcome"], "skipped");
    let out = ready
        .complete(&env)
        .args(["--yes", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let p = &notice(&out);
    assert_eq!(
        p["health"],
        json!({"status": "not_configured", "checks": []})
    );
}

#[test]
fn health_before_a_push_says_push_comes_first() {
    let env = TestEnv::new();
    let ready = Ready::for_req(&env, REQ, None);
    let out = ready.berry(&env).arg("health").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(t.contains("has not been pushed yet"), "{t}");
    assert!(t.contains("hint: run `berry push` first"), "{t}");
}
