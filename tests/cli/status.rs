//! `berry status`: what is recorded, what comes next.

use crate::common::{REQ, TestEnv};

#[test]
fn before_anything_and_after_verify() {
    let env = TestEnv::new();
    let out = env.berry().arg("status").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "No REQ has been verified in this repository yet.\n"
    );

    let dir = env.deliverables_folder(REQ, None);
    env.berry()
        .args(["verify", REQ, "--deliverables"])
        .arg(&dir)
        .assert()
        .code(0);
    let out = env.berry().arg("status").output().unwrap();
    insta::assert_snapshot!(env.transcript(&out));

    let out = env.berry().args(["status", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["data"]["next"], "review");
    assert_eq!(v["data"]["context"]["steps"]["verify"]["outcome"], "ok");
    assert_eq!(v["message"], "next: review");
}

#[test]
fn a_blocked_req_says_so() {
    let env = TestEnv::new();
    let dir = env.deliverables_folder(
        REQ,
        Some(serde_json::json!({"status": "COMPLETE", "readyForDeployment": false})),
    );
    env.berry()
        .args(["verify", REQ, "--deliverables"])
        .arg(&dir)
        .assert()
        .code(3);
    let out = env.berry().args(["status", REQ]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("state:   BLOCKED"), "{stdout}");
    assert!(stdout.contains("NOT approved"), "{stdout}");
    assert!(stdout.contains("Next: berry verify"), "{stdout}");
}

#[test]
fn lists_reqs_when_none_is_current() {
    let env = TestEnv::new();
    for req in ["REQ-B-2", "REQ-A-1"] {
        let dir = env.deliverables_folder(req, None);
        env.berry()
            .args(["verify", req, "--deliverables"])
            .arg(&dir)
            .assert()
            .code(0);
    }
    std::fs::remove_file(env.repo.join(".git/berry/CURRENT")).unwrap();
    let out = env.berry().arg("status").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "REQs with a context here:\n  REQ-A-1\n  REQ-B-2\n"
    );
}

/// A command that does not use the network never reads the CA bundle. The bundle here is a FIFO
/// with no writer: opening it to read blocks, so an eager read would hang `berry status`
/// (berry used to pay ~30 ms of OpenSSL parsing the system bundle in every command).
#[test]
fn a_command_without_network_never_reads_the_ca_bundle() {
    let env = TestEnv::new();
    let fifo = env.path().join("ca-bundle.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_berry"));
    env.apply_env(&mut cmd);
    let mut child = cmd
        .current_dir(&env.repo)
        .env("SSL_CERT_FILE", &fifo)
        .arg("status")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let status = status.expect("berry status opened the CA bundle (it blocked on the FIFO)");
    assert_eq!(status.code(), Some(0));
}
