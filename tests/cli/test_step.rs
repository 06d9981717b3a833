//! `berry test`: configured argv commands with CI=true, a log in the state folder, exit 3 on a
//! failure with the tail shown, a timeout that kills the process group.

use crate::common::*;

fn setup(env: &TestEnv, commands: &str) -> std::path::PathBuf {
    env.write("berry.toml", commands);
    env.write("backend/keep", "");
    env.commit_all("base");
    let dir = env.deliverables_folder(REQ, None);
    env.berry()
        .arg("--deliverables")
        .arg(&dir)
        .args(["verify", REQ])
        .assert()
        .success();
    dir
}

fn context(env: &TestEnv) -> serde_json::Value {
    let text = std::fs::read_to_string(env.repo.join(format!(".git/berry/{REQ}.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn passing_commands_are_recorded_with_their_log() {
    let env = TestEnv::new();
    setup(
        &env,
        r#"
[[test.commands]]
name = "backend"
argv = ["sh", "-c", "echo \"CI=$CI in $(basename $(pwd))\"; echo '$HOME is not expanded' "]
dir = "backend"
[[test.commands]]
name = "second"
argv = ["true"]
"#,
    );
    let out = env.berry().args(["test"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("✔ backend"), "{err}");
    assert!(err.contains("✔ second"), "{err}");
    let ctx = context(&env);
    let t = &ctx["ledger"]["tests"];
    assert_eq!(t["passed"], true);
    assert_eq!(t["commands"].as_array().unwrap().len(), 2);
    assert_eq!(ctx["steps"]["test"]["outcome"], "ok");
    let log = std::fs::read_to_string(t["log"].as_str().unwrap()).unwrap();
    assert!(log.contains("CI=true in backend"), "{log}");
    assert!(
        log.contains("$HOME is not expanded"),
        "no shell on berry's side: {log}"
    );
    assert!(t["log"].as_str().unwrap().contains(".git/berry/"), "{t}");
    // Passed for this HEAD: a rerun reports it and runs nothing.
    let again = env.berry().args(["test"]).output().unwrap();
    assert_eq!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already passed"));
}

#[test]
fn a_failing_command_exits_3_with_the_tail() {
    let env = TestEnv::new();
    setup(
        &env,
        r#"
[[test.commands]]
name = "backend"
argv = ["sh", "-c", "echo 'FAIL src/crm.spec.ts'; echo 'Tests: 1 failed, 44 passed' >&2; exit 1"]
[[test.commands]]
name = "frontend"
argv = ["true"]
"#,
    );
    let out = env.berry().args(["test"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("backend failed: exit code 1"), "{err}");
    assert!(err.contains("│ Tests: 1 failed, 44 passed"), "{err}");
    assert!(err.contains("not run: frontend"), "{err}");
    let ctx = context(&env);
    assert_eq!(ctx["ledger"]["tests"]["passed"], false);
    assert_eq!(ctx["steps"]["test"]["outcome"], "blocked");
    // JSON mode: one line, outcome blocked.
    let out = env.berry().args(["--json", "test"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcome"], "blocked");
}

#[test]
fn a_hanging_command_times_out_and_its_group_is_killed() {
    let env = TestEnv::new();
    let marker = env.path().join("survivor");
    setup(
        &env,
        &format!(
            r#"
[[test.commands]]
name = "hangs"
argv = ["sh", "-c", "(sleep 3; touch {}) & sleep 60"]
timeout_secs = 1
"#,
            marker.display()
        ),
    );
    let t0 = std::time::Instant::now();
    let out = env.berry().args(["test"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    assert!(t0.elapsed() < std::time::Duration::from_secs(20));
    assert!(String::from_utf8_lossy(&out.stderr).contains("timed out after 1s"));
    std::thread::sleep(std::time::Duration::from_secs(4));
    assert!(
        !marker.exists(),
        "the background child was killed with the group"
    );
}
