//! `berry.toml`: unknown keys and wrong types are usage errors (exit 2) naming the key and the file.

use crate::common::{REQ, TestEnv};

#[test]
fn unknown_key_names_key_and_file() {
    let env = TestEnv::new();
    env.write(
        "berry.toml",
        "[database]\ntable = \"nats_deliverable_cache\"\nconect_timeout_secs = 3\n",
    );
    env.commit_all("config");
    let out = env.berry().args(["verify", REQ]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(env.transcript(&out));
}

#[test]
fn wrong_type_names_key_and_file() {
    let env = TestEnv::new();
    env.write("berry.toml", "[stage]\npaths = \"backend/**\"\n");
    env.commit_all("config");
    let out = env.berry().arg("status").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("[TMP]/repo/berry.toml") || stderr.contains("/repo/berry.toml"),
        "{stderr}"
    );
    assert!(stderr.contains("paths"), "{stderr}");
}

#[test]
fn explicit_config_file_missing_or_unreadable() {
    let env = TestEnv::new();
    let out = env
        .berry()
        .args(["--config", "nope.toml", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot read configuration file nope.toml")
    );
    env.write("bad.toml", [0xff, 0xfe, 0x00]);
    env.berry()
        .args(["--config", "bad.toml", "status"])
        .assert()
        .code(2);
}

#[test]
fn config_changes_what_verify_expects() {
    let env = TestEnv::new();
    env.write(
        "berry.toml",
        "[agents]\nexpected = [\"roy\", \"billy\"]\nqa = \"billy\"\n",
    );
    env.commit_all("config");
    let dir = env.deliverables_folder(REQ, None);
    let out = env
        .berry()
        .args(["verify", REQ, "--json", "--deliverables"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let agents: Vec<(&str, bool)> = v["data"]["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["agent"].as_str().unwrap(),
                a["expected"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(&agents[..2], &[("roy", true), ("billy", true)]);
    assert!(
        agents[2..].iter().all(|(_, expected)| !expected),
        "the others are listed as unexpected"
    );
}

#[test]
fn outside_a_repository_is_a_usage_error() {
    let env = TestEnv::new();
    let out = env
        .berry()
        .current_dir(&env.home)
        .args(["verify", REQ])
        .env("GIT_CEILING_DIRECTORIES", env.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not inside a git repository"));
    // -C points at it.
    env.berry()
        .current_dir(&env.home)
        .arg("-C")
        .arg(&env.repo)
        .arg("status")
        .assert()
        .code(0);
}
