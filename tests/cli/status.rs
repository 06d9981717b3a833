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
    assert_eq!(v["data"]["schema_version"], 1);
    assert_eq!(v["data"]["steps"][0]["step"], "verify");
    assert_eq!(v["data"]["steps"][0]["outcome"], "ok");
    assert_eq!(v["data"]["steps"][0]["at"], crate::common::NOW);
    assert_eq!(v["data"]["steps"][1]["outcome"], serde_json::Value::Null);
    assert_eq!(v["data"]["evidence"]["approved"], true);
    assert!(v["data"].get("ledger").is_none(), "not the internal file");
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

/// After the branch was rewritten under berry's commit (a rebase or an amend by hand), status
/// does not show the recorded commit as what ships without saying so.
#[test]
fn a_rewritten_branch_is_named_in_status() {
    let s = crate::fakes::Shipping::new("main");
    let out = s.berry().args(["status", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["data"]["commit"]["on_branch"], true);
    assert_eq!(v["data"]["tests"]["for_shipped_tree"], "passed");

    s.env.write("README.md", "# AgogSaaS\n\namended\n");
    s.env.git(&["commit", "-q", "-a", "--amend", "--no-edit"]);
    let out = s.berry().arg("status").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("commit  {} (NOT on main any more", s.sha)),
        "{text}"
    );
    let out = s.berry().args(["status", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["data"]["commit"]["on_branch"], false);
}

/// `verify` again on a REQ whose every step is done says nothing is next (not `berry review`).
#[test]
fn verify_on_a_shipped_req_names_no_next_step() {
    let env = TestEnv::new();
    let dir = env.verify_approved();
    let path = env.repo.join(format!(".git/berry/{REQ}.json"));
    let mut ctx: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for step in [
        "review", "commit", "test", "push", "pr", "watch", "health", "complete",
    ] {
        ctx["steps"][step] =
            serde_json::json!({"outcome": "ok", "at": crate::common::NOW, "message": "done"});
    }
    std::fs::write(&path, serde_json::to_vec(&ctx).unwrap()).unwrap();
    let out = env
        .berry()
        .args(["verify", REQ, "--deliverables"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("QA approved"), "{err}");
    assert!(!err.contains("next:"), "{err}");
}

/// `run --dry-run` shows the plan and the texts (commit message, PR title and body, tracker edit,
/// notice) for every remaining step, records nothing and changes nothing.
#[test]
fn run_dry_run_shows_every_remaining_step_and_changes_nothing() {
    let env = TestEnv::new();
    env.agog_base();
    env.agog_changes();
    let dir = env.verify_approved();
    let ctx_path = env.repo.join(format!(".git/berry/{REQ}.json"));
    let before = std::fs::read(&ctx_path).unwrap();
    let head = env.git(&["rev-parse", "HEAD"]);
    let out = env
        .berry()
        .args(["--dry-run", "run", "--deliverables"])
        .arg(&dir)
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    for step in [
        "review", "commit", "test", "push", "pr", "watch", "complete",
    ] {
        assert!(t.contains(&format!("── {step} ──")), "{step}: {t}");
    }
    assert!(
        t.contains(
            "would then run `berry push`: push the commit (only if the tests passed for its tree)"
        ),
        "{t}"
    );
    assert!(t.contains("would then run `berry complete`"), "{t}");
    // The texts of every remaining step, not only of the first one.
    for text in [
        "commit message:",
        &format!("Berry-Req: {REQ}"),
        &format!("pull request title: {REQ}"),
        "pull request body:",
        "tracker: ",
        "→ DEPLOYED",
        &format!("notice on agog.deliverables.berry.devops.{REQ}"),
        "\"status\": \"COMPLETE\"",
    ] {
        assert!(t.contains(text), "{text}: {t}");
    }
    insta::assert_snapshot!("run_dry_run", t);
    // With --json, a planned step's line carries its texts.
    let out = env
        .berry()
        .args(["--dry-run", "--json", "run", "--deliverables"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let planned = |step: &str| {
        lines
            .iter()
            .find(|l| l["step"] == step && l["outcome"] == "planned")
            .unwrap_or_else(|| panic!("{step}: {lines:?}"))
            .clone()
    };
    let commit = planned("commit");
    assert_eq!(commit["data"]["texts"][0]["kind"], "commit_message");
    assert!(
        commit["data"]["texts"][0]["text"]
            .as_str()
            .unwrap()
            .contains(&format!("Berry-Req: {REQ}"))
    );
    let pr = planned("pr");
    assert_eq!(pr["data"]["texts"][0]["kind"], "pr");
    assert!(
        pr["data"]["texts"][0]["text"]["title"]
            .as_str()
            .unwrap()
            .starts_with(REQ)
    );
    let complete = planned("complete");
    assert_eq!(complete["data"]["texts"][0]["kind"], "tracker");
    assert_eq!(complete["data"]["texts"][0]["text"]["to"], "DEPLOYED");
    assert_eq!(complete["data"]["texts"][1]["kind"], "notice");
    assert_eq!(
        complete["data"]["texts"][1]["text"]["payload"]["status"],
        "COMPLETE"
    );
    assert_eq!(
        std::fs::read(&ctx_path).unwrap(),
        before,
        "nothing recorded"
    );
    assert_eq!(env.git(&["rev-parse", "HEAD"]), head, "nothing committed");
}
