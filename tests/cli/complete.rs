//! `berry complete`, `berry block`, and verify's offer to block: the gates, the tracker, the
//! notices, and what a rerun does.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::common::*;
use crate::nats::{TestStream, nats_url, unique};

pub const TRACKER: &str = "project-spirit/owner_requests/OWNER_REQUESTS.md";

/// A repository where `complete` can run: verified with the offline deliverables, committed for
/// real, the commit and a green watch written into the context as the commit and watch steps do.
pub struct Ready {
    pub sha: String,
    pub deliverables: PathBuf,
    pub config: PathBuf,
}

impl Ready {
    pub fn new(env: &TestEnv, subject_template: &str) -> Ready {
        Self::for_req(env, REQ, Some(subject_template))
    }

    pub fn for_req(env: &TestEnv, req: &str, subject_template: Option<&str>) -> Ready {
        env.agog_base();
        if req != REQ {
            env.write(TRACKER, tracker_with(req, "Berry test entry"));
            env.commit_all("tracker");
        }
        env.agog_changes();
        let config = env.path().join("berry.toml");
        let mut toml = String::new();
        if let Some(t) = subject_template {
            toml.push_str(&format!("[nats]\nsubject = \"{t}\"\n"));
        }
        std::fs::write(&config, toml).unwrap();
        let deliverables = env.deliverables_folder(req, None);
        let ready = Ready {
            sha: String::new(),
            deliverables,
            config,
        };
        let out = ready.berry(env).args(["verify", req]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
        env.commit_all(&format!("feat({req}): Berry test"));
        let sha = env.git(&["rev-parse", "HEAD"]).trim().to_string();
        let files: Vec<Value> = env
            .git(&[
                "diff-tree",
                "--no-commit-id",
                "--name-status",
                "-r",
                "-M",
                "HEAD",
            ])
            .lines()
            .map(|l| {
                let parts: Vec<&str> = l.split('\t').collect();
                match parts[0].chars().next().unwrap() {
                    'A' => json!({"path": parts[1], "status": "added"}),
                    'D' => json!({"path": parts[1], "status": "deleted"}),
                    'R' => json!({"path": parts[2], "status": "renamed", "old_path": parts[1]}),
                    _ => json!({"path": parts[1], "status": "modified"}),
                }
            })
            .collect();
        let mut ctx = context_json(env);
        crate::common::record_shipped(&mut ctx, env, "main", json!(files));
        ctx["ledger"]["watch"] = crate::common::watch_record(&sha, "success");
        write_context(env, &ctx);
        Ready { sha, ..ready }
    }

    /// berry with this repository's config and deliverables, and the test NATS server.
    pub fn berry(&self, env: &TestEnv) -> assert_cmd::Command {
        let mut c = env.berry();
        c.env("BERRY_CONFIG", &self.config)
            .env("BERRY_DELIVERABLES", &self.deliverables)
            .env("NATS_URL", nats_url());
        c
    }

    pub fn complete(&self, env: &TestEnv) -> assert_cmd::Command {
        let mut c = self.berry(env);
        c.arg("complete");
        c
    }
}

fn context_path(env: &TestEnv) -> PathBuf {
    let dir = env.repo.join(".git/berry");
    let current = std::fs::read_to_string(dir.join("CURRENT")).unwrap();
    dir.join(format!("{}.json", current.trim()))
}

pub fn context_json(env: &TestEnv) -> Value {
    serde_json::from_slice(&std::fs::read(context_path(env)).unwrap()).unwrap()
}

pub fn write_context(env: &TestEnv, v: &Value) {
    std::fs::write(context_path(env), serde_json::to_vec_pretty(v).unwrap()).unwrap();
}

/// A subject template no stream covers (for tests where NATS is not the point).
fn loose_template() -> String {
    format!("test.{}.berry.devops.{{req}}", unique("loose"))
}

#[test]
fn complete_marks_the_tracker_deployed_with_berrys_lines_only() {
    let env = TestEnv::new();
    let ready = Ready::new(&env, &loose_template());
    let before = env.read(TRACKER);
    let out = ready.complete(&env).arg("--yes").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let after = env.read(TRACKER);
    let short = &ready.sha[..7];
    let expected = before.replace(
        "**Status**: IN_PROGRESS\n",
        &format!(
            "**Status**: DEPLOYED\n**Deployed At**: {NOW}\n**Commit**: {short}\n**Deployed By**: berry\n"
        ),
    );
    assert_eq!(after, expected);
    let ctx = context_json(&env);
    assert_eq!(
        ctx["ledger"]["tracker"],
        json!([{"path": TRACKER, "status": "DEPLOYED", "at": NOW, "commit": short}])
    );
    assert_eq!(ctx["state"], "DEPLOYED");
    assert_eq!(ctx["steps"]["complete"]["outcome"], "ok");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("DEPLOYED at commit {short}")),
        "{stdout}"
    );
}

#[test]
fn complete_requires_a_green_watch_for_the_commit() {
    let env = TestEnv::new();
    let ready = Ready::new(&env, &loose_template());
    let before = env.read(TRACKER);
    let base = context_json(&env);
    let run = |watch: Value, config: &str| {
        let mut ctx = base.clone();
        ctx["ledger"]["watch"] = watch;
        write_context(&env, &ctx);
        std::fs::write(&ready.config, config).unwrap();
        ready.complete(&env).arg("--yes").output().unwrap()
    };
    let cases = [
        (Value::Null, "", "no CI result is recorded"),
        (
            crate::common::watch_record(&ready.sha, "failure"),
            "",
            "did not pass (failure)",
        ),
        (
            crate::common::watch_record("0000000000000000000000000000000000000000", "success"),
            "",
            "CI was watched for 0000000",
        ),
        (
            crate::common::watch_record(&ready.sha, "skipped"),
            "[github]\nno_ci = \"failure\"\n",
            "`github.no_ci` says that is a failure",
        ),
    ];
    for (watch, config, says) in cases {
        let out = run(watch.clone(), config);
        let t = env.transcript(&out);
        assert_eq!(out.status.code(), Some(3), "{watch}: {t}");
        assert!(t.contains(says), "{watch}: {t}");
        assert!(t.contains("--no-ci --reason"), "{t}");
        assert_eq!(env.read(TRACKER), before, "nothing written");
        assert_eq!(context_json(&env)["ledger"]["events"], json!([]));
    }
    // No CI run at all, and config says that means skipped: complete goes on.
    let out = run(crate::common::watch_record(&ready.sha, "skipped"), "");
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let ev = &context_json(&env)["ledger"]["events"][0];
    assert_eq!(ev["payload"]["ci"], "skipped (no CI run)");
}

#[test]
fn no_ci_needs_a_reason_and_the_notice_carries_it() {
    let env = TestEnv::new();
    let ready = Ready::new(&env, &loose_template());
    let mut ctx = context_json(&env);
    ctx["ledger"]["watch"] = Value::Null;
    write_context(&env, &ctx);

    let out = ready
        .complete(&env)
        .args(["--yes", "--no-ci"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", env.transcript(&out));
    let out = ready
        .complete(&env)
        .args(["--yes", "--reason", "why"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", env.transcript(&out));

    // The tests never ran for this tree: --no-ci does not stand in for them.
    let mut ctx = context_json(&env);
    ctx["ledger"]["tests"] = Value::Null;
    write_context(&env, &ctx);
    let before = env.read(TRACKER);
    let out = ready
        .complete(&env)
        .args(["--yes", "--no-ci", "--reason", "CI is down; tested by hand"])
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(t.contains("the tests have not run"), "{t}");
    assert!(t.contains("hint: run `berry test` first"), "{t}");
    assert_eq!(env.read(TRACKER), before, "nothing written");
    assert_eq!(context_json(&env)["ledger"]["events"], json!([]));

    let out = ready
        .complete(&env)
        .args([
            "--yes",
            "--no-ci",
            "--skip-tests",
            "--reason",
            "CI is down; tested by hand",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let ctx = context_json(&env);
    let p = &ctx["ledger"]["events"][0]["payload"];
    assert_eq!(
        p["ci"],
        "not required (--no-ci: CI is down; tested by hand)"
    );
    assert_eq!(p["tests_passed"], false, "neither tests nor CI ran");
    assert_eq!(p["tests_skipped"], true);
    assert_eq!(p["tests_skipped_reason"], "CI is down; tested by hand");
    assert!(p["summary"].as_str().unwrap().contains("CI is down"), "{p}");
    assert_eq!(
        ctx["ledger"]["tests_skipped"]["tree"],
        env.git(&["rev-parse", "HEAD^{tree}"]).trim()
    );
}

/// The hole: `berry test` failed, and `complete --no-ci --reason x --yes` still marked the REQ
/// DEPLOYED and published COMPLETE.
#[test]
fn failed_tests_close_the_gate_for_complete_even_with_no_ci() {
    let env = TestEnv::new();
    let ready = Ready::new(&env, &loose_template());
    let mut ctx = context_json(&env);
    ctx["ledger"]["tests"]["passed"] = json!(false);
    ctx["ledger"]["watch"] = Value::Null;
    write_context(&env, &ctx);
    let before = env.read(TRACKER);
    let out = ready
        .complete(&env)
        .args(["--no-ci", "--reason", "x", "--yes"])
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(
        t.contains("the tests failed for the tree being shipped"),
        "{t}"
    );
    assert_eq!(env.read(TRACKER), before, "nothing written");
    let ctx = context_json(&env);
    assert_eq!(ctx["ledger"]["events"], json!([]), "nothing published");
    assert_ne!(ctx["state"], "DEPLOYED");

    // Tests that passed for another tree (the commit changed since) do not count either.
    let mut ctx = context_json(&env);
    ctx["ledger"]["tests"]["passed"] = json!(true);
    ctx["ledger"]["tests"]["tree"] = json!("0".repeat(40));
    write_context(&env, &ctx);
    let out = ready
        .complete(&env)
        .args(["--no-ci", "--reason", "x", "--yes"])
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(t.contains("the tests ran for tree 000000000000"), "{t}");
    assert_eq!(env.read(TRACKER), before, "nothing written");
}

#[test]
fn changed_qa_evidence_closes_the_gate() {
    let env = TestEnv::new();
    let ready = Ready::new(&env, &loose_template());
    let billy = ready.deliverables.join(REQ).join("billy.json");
    let mut qa: Value = serde_json::from_slice(&std::fs::read(&billy).unwrap()).unwrap();
    qa["summary"] = json!("edited after verify");
    std::fs::write(&billy, serde_json::to_vec(&qa).unwrap()).unwrap();
    let before = env.read(TRACKER);
    let out = ready.complete(&env).arg("--yes").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(t.contains("changed since verify"), "{t}");
    assert_eq!(env.read(TRACKER), before);
}

#[test]
fn without_a_commit_complete_says_what_comes_first() {
    let env = TestEnv::new();
    let ready = Ready::new(&env, &loose_template());
    let mut ctx = context_json(&env);
    ctx["ledger"]["commit"] = Value::Null;
    write_context(&env, &ctx);
    let out = ready.complete(&env).arg("--yes").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(t.contains("nothing is committed for"), "{t}");
    assert!(t.contains("hint: run `berry commit` first"), "{t}");
}

#[test]
fn dry_run_shows_the_diff_and_the_payload_and_changes_nothing() {
    let env = TestEnv::new();
    let ready = Ready::for_req(&env, REQ, None);
    let before = env.read(TRACKER);
    let ctx_before = context_json(&env);
    let out = ready
        .complete(&env)
        .args(["--dry-run"])
        .env("NATS_URL", "nats://127.0.0.1:1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    assert_eq!(env.read(TRACKER), before);
    assert_eq!(context_json(&env), ctx_before);
    let t = env
        .transcript(&out)
        .replace(&ready.sha, "[SHA]")
        .replace(&ready.sha[..7], "[SHORT]");
    insta::assert_snapshot!("complete_dry_run", t);

    let out = ready
        .complete(&env)
        .args(["--dry-run", "--json"])
        .output()
        .unwrap();
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["step"], "complete");
    assert_eq!(line["outcome"], "ok");
    assert_eq!(line["data"]["tracker"]["changed"], true);
    assert_eq!(line["data"]["notice"]["status"], "COMPLETE");
    assert_eq!(
        line["data"]["subject"],
        format!("agog.deliverables.berry.devops.{REQ}")
    );
}

#[test]
fn without_a_terminal_and_without_yes_complete_asks_for_yes() {
    let env = TestEnv::new();
    let ready = Ready::new(&env, &loose_template());
    let before = env.read(TRACKER);
    let out = ready.complete(&env).output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(4), "{t}");
    assert!(t.contains("hint: pass --yes"), "{t}");
    assert_eq!(env.read(TRACKER), before);
    assert_eq!(context_json(&env)["ledger"]["events"], json!([]));
}

#[test]
fn block_marks_blocked_publishes_once_and_a_rerun_does_nothing() {
    let stream = TestStream::new();
    let env = TestEnv::new();
    let ready = Ready::new(&env, &stream.template());
    let subject = stream.subject(REQ);
    let mut sub = stream.nats.subscribe(&subject);
    let before = env.read(TRACKER);

    let out = ready
        .berry(&env)
        .args([
            "block",
            REQ,
            "--reason",
            "staging database is down",
            "--yes",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    assert_eq!(
        env.read(TRACKER),
        before.replace("**Status**: IN_PROGRESS\n", "**Status**: BLOCKED\n")
    );
    let msg = stream
        .nats
        .next(&mut sub, 5)
        .expect("blocked notice received");
    let v: Value = serde_json::from_slice(&msg.payload).unwrap();
    assert_eq!(v["agent"], "berry");
    assert_eq!(v["req_number"], REQ);
    assert_eq!(v["reqId"], REQ);
    assert_eq!(v["status"], "BLOCKED");
    assert_eq!(v["next_agent"], Value::Null);
    assert_eq!(v["deployed_at"], Value::Null);
    assert_eq!(v["commit_sha"], ready.sha.as_str());
    assert_eq!(v["blockers"], json!(["staging database is down"]));
    assert_eq!(v["deliverable"], format!("nats://{subject}"));
    assert!(
        v["summary"]
            .as_str()
            .unwrap()
            .contains("staging database is down")
    );
    let msgs = stream.messages();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].0, format!("berry-{REQ}-blocked-{}", ready.sha));
    let ctx = context_json(&env);
    assert_eq!(ctx["state"], "BLOCKED");
    assert_eq!(ctx["ledger"]["tracker"][0]["status"], "BLOCKED");
    assert_eq!(ctx["ledger"]["events"][0]["acknowledged"], true);

    let out = ready
        .berry(&env)
        .args([
            "block",
            REQ,
            "--reason",
            "staging database is down",
            "--yes",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to do"));
    assert_eq!(stream.messages().len(), 1);
    assert!(stream.nats.next(&mut sub, 1).is_none());
    let ctx = context_json(&env);
    assert_eq!(ctx["ledger"]["tracker"].as_array().unwrap().len(), 1);
    assert_eq!(ctx["ledger"]["events"].as_array().unwrap().len(), 1);
}

/// A repository whose QA did not approve: the verify that fails.
fn rejected(env: &TestEnv, template: &str) -> (PathBuf, PathBuf) {
    env.agog_base();
    let mut qa = fixture_json("agogsaas/deliverable_billy_qa_full_excerpt.json");
    qa["status"] = json!("BLOCKED");
    let deliverables = env.deliverables_folder(REQ, Some(qa));
    let config = env.path().join("berry.toml");
    std::fs::write(&config, format!("[nats]\nsubject = \"{template}\"\n")).unwrap();
    (deliverables, config)
}

fn verify(env: &TestEnv, d: &PathBuf, c: &PathBuf) -> assert_cmd::Command {
    let mut cmd = env.berry();
    cmd.args(["verify", REQ])
        .env("BERRY_CONFIG", c)
        .env("BERRY_DELIVERABLES", d)
        .env("NATS_URL", nats_url());
    cmd
}

#[test]
fn verify_not_approved_without_terminal_says_how_to_block_later() {
    let env = TestEnv::new();
    let (d, c) = rejected(&env, &loose_template());
    let before = env.read(TRACKER);
    let out = verify(&env, &d, &c).output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(
        t.contains(&format!("to do it later: berry block {REQ} --reason")),
        "{t}"
    );
    assert_eq!(env.read(TRACKER), before);
    assert_eq!(context_json(&env)["ledger"]["events"], json!([]));
}

#[test]
fn verify_not_approved_with_yes_blocks_and_publishes_and_still_exits_3() {
    let stream = TestStream::new();
    let env = TestEnv::new();
    let (d, c) = rejected(&env, &stream.template());
    let out = verify(&env, &d, &c).arg("--yes").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(env.read(TRACKER).contains("**Status**: BLOCKED\n"), "{t}");
    let msgs = stream.messages();
    assert_eq!(msgs.len(), 1, "{t}");
    let (id, v) = &msgs[0];
    assert!(id.starts_with(&format!("berry-{REQ}-blocked-qa-")), "{id}");
    assert_eq!(v["status"], "BLOCKED");
    assert_eq!(v["commit_sha"], Value::Null);
    assert!(
        v["reason"].as_str().unwrap().starts_with("QA not approved"),
        "{v}"
    );
    // Rerunning verify with --yes: the same QA deliverable, the same notice; nothing is sent again.
    let out = verify(&env, &d, &c).arg("--yes").output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    assert_eq!(stream.messages().len(), 1);
    // And without --yes it says it is done rather than how to do it.
    let out = verify(&env, &d, &c).output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(
        t.contains("already marked BLOCKED and the blocked notice was sent"),
        "{t}"
    );
    assert_eq!(stream.messages().len(), 1);
}

#[test]
fn verify_offer_on_a_terminal_can_be_declined_or_accepted() {
    let stream = TestStream::new();
    let env = TestEnv::new();
    let (d, c) = rejected(&env, &stream.template());
    let before = env.read(TRACKER);
    let bin = assert_cmd::cargo::cargo_bin("berry");

    let spawn = || {
        let mut cmd = std::process::Command::new(&bin);
        env.apply_env(&mut cmd);
        cmd.current_dir(&env.repo)
            .args(["verify", REQ])
            .env("BERRY_CONFIG", &c)
            .env("BERRY_DELIVERABLES", &d)
            .env("NATS_URL", nats_url())
            .env("TERM", "dumb");
        crate::common::screen_size(&mut cmd, crate::common::PTY_ROWS, crate::common::PTY_COLS);
        rexpect::session::spawn_command(cmd, Some(20_000)).unwrap()
    };

    let mut s = spawn();
    s.exp_string("Mark REQ").unwrap();
    s.exp_string("publish the blocked notice?").unwrap();
    s.send_line("n").unwrap();
    s.exp_string("Not marked BLOCKED; to do it later").unwrap();
    let status = s.process().wait().unwrap();
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 3)),
        "{status:?}"
    );
    assert_eq!(env.read(TRACKER), before);
    assert_eq!(stream.messages().len(), 0);

    let mut s = spawn();
    s.exp_string("publish the blocked notice?").unwrap();
    s.send_line("y").unwrap();
    s.exp_string("blocked notice acknowledged by stream")
        .unwrap();
    let status = s.process().wait().unwrap();
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 3)),
        "{status:?}"
    );
    assert!(env.read(TRACKER).contains("**Status**: BLOCKED\n"));
    assert_eq!(stream.messages().len(), 1);
}

#[test]
fn complete_on_a_terminal_shows_the_diff_then_asks() {
    let stream = TestStream::new();
    let env = TestEnv::new();
    let ready = Ready::new(&env, &stream.template());
    let before = env.read(TRACKER);
    let bin = assert_cmd::cargo::cargo_bin("berry");
    let spawn = || {
        let mut cmd = std::process::Command::new(&bin);
        env.apply_env(&mut cmd);
        cmd.current_dir(&env.repo)
            .arg("complete")
            .env("BERRY_CONFIG", &ready.config)
            .env("BERRY_DELIVERABLES", &ready.deliverables)
            .env("NATS_URL", nats_url())
            .env("TERM", "dumb");
        crate::common::screen_size(&mut cmd, crate::common::PTY_ROWS, crate::common::PTY_COLS);
        rexpect::session::spawn_command(cmd, Some(20_000)).unwrap()
    };

    let mut s = spawn();
    s.exp_string("+**Status**: DEPLOYED").unwrap();
    s.exp_string("and publish the completion notice?").unwrap();
    s.send_line("n").unwrap();
    s.exp_string("declined").unwrap();
    let status = s.process().wait().unwrap();
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 4)),
        "{status:?}"
    );
    assert_eq!(env.read(TRACKER), before);
    assert_eq!(stream.messages().len(), 0);

    let mut s = spawn();
    s.exp_string("and publish the completion notice?").unwrap();
    s.send_line("y").unwrap();
    s.exp_string("completion notice acknowledged by stream")
        .unwrap();
    let status = s.process().wait().unwrap();
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 0)),
        "{status:?}"
    );
    assert!(env.read(TRACKER).contains("**Status**: DEPLOYED\n"));
    assert_eq!(stream.messages().len(), 1);
}
