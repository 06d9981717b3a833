//! The REQ context (README "The REQ context") through the CLI: the lock against a second process, kill -9 during
//! writes, a newer format, a corrupt file.

use std::time::{Duration, Instant};

use crate::common::{REQ, TestEnv};

fn verified() -> TestEnv {
    let env = TestEnv::new();
    env.verify_approved();
    env
}

fn ctx_path(env: &TestEnv) -> std::path::PathBuf {
    env.repo.join(".git/berry").join(format!("{REQ}.json"))
}

fn verify(env: &TestEnv) -> assert_cmd::Command {
    let mut cmd = env.berry();
    cmd.args(["verify", REQ, "--deliverables"])
        .arg(env.path().join("deliverables"));
    cmd
}

#[test]
fn a_second_process_waits_then_names_the_holder() {
    let env = verified();
    // Another process (this test) holds the REQ's lock the way berry does.
    let lock_path = env.repo.join(".git/berry").join(format!("{REQ}.lock"));
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&lock_path)
        .unwrap();
    lock.lock().unwrap();
    std::fs::write(
        &lock_path,
        "pid 4242, `berry commit`, since 2026-01-05T11:59:00Z",
    )
    .unwrap();
    let started = Instant::now();
    let out = verify(&env)
        .env("BERRY_LOCK_TIMEOUT", "1")
        .output()
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(
        out.status.code(),
        Some(5),
        "waiting past the timeout is exit 5"
    );
    assert!(
        waited >= Duration::from_millis(900),
        "it waits before giving up: {waited:?}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{REQ} is in use by another berry process (pid 4242, `berry commit`, since 2026-01-05T11:59:00Z)")), "{stderr}");

    // Released: the next run goes through, and a different REQ was never blocked.
    drop(lock);
    verify(&env).assert().code(0);
}

#[test]
fn two_reqs_in_one_repository_do_not_block_each_other() {
    let env = verified();
    let lock_path = env.repo.join(".git/berry").join(format!("{REQ}.lock"));
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&lock_path)
        .unwrap();
    lock.lock().unwrap();
    let other = "REQ-ITEM-MASTER-001";
    let dir = env.deliverables_folder(other, None);
    env.berry()
        .args(["verify", other, "--deliverables"])
        .arg(&dir)
        .env("BERRY_LOCK_TIMEOUT", "0")
        .assert()
        .code(0);
}

#[test]
fn kill_9_during_writes_never_leaves_a_broken_context() {
    let env = verified();
    let deliverables = env.path().join("deliverables");
    for i in 0..25u64 {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_berry"));
        env.apply_env(&mut cmd);
        let mut child = cmd
            .current_dir(&env.repo)
            .args(["verify", REQ, "--deliverables"])
            .arg(&deliverables)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(300 * i));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let bytes = std::fs::read(ctx_path(&env)).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("run {i}: context broken: {e}"));
        assert_eq!(v["req"], REQ);
    }
    verify(&env).assert().code(0);
}

#[test]
fn a_newer_format_is_refused_and_never_rewritten() {
    let env = verified();
    let text = format!("{{\"format_version\": 3, \"req\": \"{REQ}\", \"something\": \"new\"}}\n");
    std::fs::write(ctx_path(&env), &text).unwrap();
    let out = verify(&env).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("written by a newer berry (format 3; this berry reads up to 2)"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: upgrade berry"), "{stderr}");
    assert_eq!(std::fs::read_to_string(ctx_path(&env)).unwrap(), text);
    // status reads it the same way.
    env.berry().arg("status").assert().code(1);
}

#[test]
fn a_corrupt_context_is_kept_aside_and_reported() {
    let env = verified();
    std::fs::write(
        ctx_path(&env),
        b"{\"format_version\": 1, \"req\": \"REQ-STRA",
    )
    .unwrap();
    let out = verify(&env).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(env.transcript(&out));
    let aside: Vec<_> = std::fs::read_dir(env.repo.join(".git/berry"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".json.corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(
        std::fs::read(aside[0].path()).unwrap(),
        b"{\"format_version\": 1, \"req\": \"REQ-STRA"
    );
    // The next run starts a new context.
    verify(&env).assert().code(0);
}

#[test]
fn the_context_is_private_and_lives_in_the_git_dir() {
    let env = verified();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(ctx_path(&env))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(
        env.git(&["status", "--porcelain"]),
        "",
        "never part of the working tree"
    );
    // BERRY_STATE_DIR moves it.
    let elsewhere = env.path().join("state");
    verify(&env)
        .env("BERRY_STATE_DIR", &elsewhere)
        .assert()
        .code(0);
    assert!(elsewhere.join(format!("{REQ}.json")).is_file());
}

/// Two real berry processes on one REQ: `review` waits at its prompt holding the lock, and a
/// second `verify` waits, then names it.
#[test]
fn a_berry_at_a_prompt_holds_the_req_against_another_berry() {
    let env = TestEnv::new();
    env.agog_base();
    env.agog_changes();
    let dir = env.verify_approved();
    let mut p = env.review_prompt(&dir);

    let out = verify(&env)
        .env("BERRY_LOCK_TIMEOUT", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is in use by another berry process (pid"),
        "{stderr}"
    );
    assert!(stderr.contains("`berry review`"), "{stderr}");

    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("approved for commit").unwrap();
    p.exp_eof().unwrap();
    verify(&env).assert().code(0);
}

/// Killed between writing the new context and renaming it over the old one: the old one stands.
#[test]
fn killed_before_the_rename_the_previous_context_stands() {
    let env = verified();
    let before = std::fs::read(ctx_path(&env)).unwrap();
    let out = verify(&env)
        .env("BERRY_FAULT", "atomic-write-before-rename")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        None,
        "killed by a signal (the fault-injection feature is on in tests)"
    );
    assert_eq!(std::fs::read(ctx_path(&env)).unwrap(), before);
    // The rerun finishes the work.
    verify(&env).assert().code(0);
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ctx_path(&env)).unwrap()).unwrap();
    assert_eq!(v["steps"]["verify"]["outcome"], "ok");
}
