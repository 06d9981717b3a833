//! Two real berry processes at once: on the same REQ the second waits for the lock, then
//! names the holder (its pid and step); on two REQs of one repository both hold their locks at
//! the same moment and both succeed, each tracker edit kept.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::*;
use crate::complete::{Ready, TRACKER, context_json};
use crate::nats::{TestStream, nats_url};

const OTHER: &str = "REQ-ITEM-MASTER-001";

fn spawn_complete(env: &TestEnv, ready: &Ready, req: &str) -> rexpect::session::PtySession {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("berry"));
    env.apply_env(&mut cmd);
    cmd.current_dir(&env.repo)
        .args(["complete", "--req", req])
        .env("BERRY_CONFIG", &ready.config)
        .env("BERRY_DELIVERABLES", &ready.deliverables)
        .env("NATS_URL", nats_url())
        .env("TERM", "dumb");
    crate::common::screen_size(&mut cmd, crate::common::PTY_ROWS, crate::common::PTY_COLS);
    rexpect::session::spawn_command(cmd, Some(30_000)).unwrap()
}

fn exited(s: &mut rexpect::session::PtySession) -> i32 {
    match s.process().wait().unwrap() {
        rexpect::process::WaitStatus::Exited(_, code) => code,
        other => panic!("{other:?}"),
    }
}

#[test]
fn same_req_the_second_process_waits_then_names_the_holder_then_goes_through() {
    let stream = TestStream::new();
    let env = TestEnv::new();
    let ready = Ready::new(&env, &stream.template());

    // The first berry holds the REQ while it asks on its terminal.
    let mut first = spawn_complete(&env, &ready, REQ);
    first
        .exp_string("and publish the completion notice?")
        .unwrap();
    // The holder written in the lock is that live process.
    let holder = std::fs::read_to_string(env.repo.join(format!(".git/berry/{REQ}.lock"))).unwrap();
    let pid: u32 = holder
        .strip_prefix("pid ")
        .and_then(|r| r.split(',').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{holder}"));
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    assert!(
        String::from_utf8_lossy(&cmdline).contains("complete"),
        "{holder}"
    );

    let started = Instant::now();
    let out = ready
        .complete(&env)
        .arg("--yes")
        .env("BERRY_LOCK_TIMEOUT", "1")
        .output()
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(out.status.code(), Some(5), "{}", env.transcript(&out));
    assert!(
        waited >= Duration::from_millis(900),
        "it waited: {waited:?}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{REQ} is in use by another berry process (pid {pid}, `berry complete`"
        )),
        "{stderr}"
    );
    assert_eq!(stream.messages().len(), 0);

    // A second one that waits long enough goes through once the first is done, and finds the
    // work done: one notice, one tracker edit.
    let second = {
        let mut cmd = ready.complete(&env);
        cmd.arg("--yes").env("BERRY_LOCK_TIMEOUT", "30");
        std::thread::spawn(move || cmd.output().unwrap())
    };
    std::thread::sleep(Duration::from_millis(500));
    first.send_line("y").unwrap();
    first
        .exp_string("completion notice acknowledged by stream")
        .unwrap();
    assert_eq!(exited(&mut first), 0);
    let out = second.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    assert_eq!(stream.messages().len(), 1);
    let ctx = context_json(&env);
    assert_eq!(ctx["ledger"]["tracker"].as_array().unwrap().len(), 1);
    assert_eq!(ctx["ledger"]["events"].as_array().unwrap().len(), 1);
    assert_eq!(env.read(TRACKER).matches("**Status**: DEPLOYED").count(), 1);
}

#[test]
fn two_reqs_in_one_repository_run_at_the_same_time_and_both_edits_are_kept() {
    let stream = TestStream::new();
    let env = TestEnv::new();
    let ready = Ready::new(&env, &stream.template());
    // A second REQ in the same tracker, verified and committed the same way.
    let entry = tracker_with(OTHER, "Item master");
    let entry = &entry[entry.find("### ").unwrap()..];
    let mut tracker = env.read(TRACKER);
    tracker.push_str(&format!("\n{entry}"));
    env.write(TRACKER, &tracker);
    env.commit_all("second entry");
    let d = env.deliverables_folder(OTHER, None);
    let out = ready
        .berry(&env)
        .env("BERRY_DELIVERABLES", &d)
        .args(["verify", OTHER])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let sha = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    for req in [REQ, OTHER] {
        let path = env.repo.join(format!(".git/berry/{req}.json"));
        let mut ctx: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        crate::common::record_shipped(&mut ctx, &env, "main", json!([]));
        ctx["ledger"]["watch"] = crate::common::watch_record(&sha, "success");
        std::fs::write(&path, serde_json::to_vec_pretty(&ctx).unwrap()).unwrap();
    }

    // Both wait at their prompt at the same moment: each holds its own REQ's lock.
    let mut a = spawn_complete(&env, &ready, REQ);
    let mut b = spawn_complete(&env, &ready, OTHER);
    a.exp_string("and publish the completion notice?").unwrap();
    b.exp_string("and publish the completion notice?").unwrap();
    assert!(env.repo.join(format!(".git/berry/{REQ}.lock")).exists());
    a.send_line("y").unwrap();
    b.send_line("y").unwrap();
    a.exp_string("completion notice acknowledged by stream")
        .unwrap();
    b.exp_string("completion notice acknowledged by stream")
        .unwrap();
    assert_eq!(exited(&mut a), 0);
    assert_eq!(exited(&mut b), 0);

    // Both edits are in the tracker: neither process wrote over the other's.
    let text = env.read(TRACKER);
    for req in [REQ, OTHER] {
        let i = text.find(&format!("### {req}")).unwrap();
        let rest = &text[i..];
        let end = rest[4..]
            .find("\n### ")
            .map(|e| e + 4)
            .unwrap_or(rest.len());
        assert!(
            rest[..end].contains("**Status**: DEPLOYED"),
            "{req} lost its edit:\n{text}"
        );
    }
    let mut subjects: Vec<String> = stream
        .messages()
        .iter()
        .map(|(_, v)| v["req_number"].as_str().unwrap().to_string())
        .collect();
    subjects.sort();
    assert_eq!(subjects, [OTHER, REQ]);
}
