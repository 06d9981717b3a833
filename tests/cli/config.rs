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

/// The user's file, the committed berry.toml, an agent's uncommitted edit, an environment
/// variable and a flag, each winning where it should, with `--show-origin`.
#[test]
fn layers_resolve_key_by_key_and_show_their_origin() {
    let env = TestEnv::new();
    let user = env.home.join(".config/berry/config.toml");
    std::fs::create_dir_all(user.parent().unwrap()).unwrap();
    std::fs::write(
        &user,
        "[nats]\nurl = \"nats://operator:pw@nats.internal:4222\"\nack_timeout_secs = 3\n[github]\nissue_label = \"from-user\"\n",
    )
    .unwrap();
    env.write("berry.toml", "[nats]\nack_timeout_secs = 7\n");
    env.commit_all("config");
    // An agent's uncommitted edit is not the repository's layer.
    env.write(
        "berry.toml",
        "[nats]\nack_timeout_secs = 7\n[github]\nissue_label = \"from-agent\"\n",
    );
    let deliverables = env.path().join("deliverables");
    std::fs::create_dir_all(&deliverables).unwrap();
    let out = env
        .berry()
        .args(["config", "list", "--show-origin"])
        .env(
            "BERRY_DATABASE_URL",
            "postgres://agent:s3cret@db:5432/agent_memory",
        )
        .arg("--deliverables")
        .arg(&deliverables)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let origin = |key: &str| -> String {
        stdout
            .lines()
            .find(|l| {
                l.split('\t')
                    .nth(1)
                    .is_some_and(|kv| kv.starts_with(&format!("{key} = ")))
            })
            .unwrap_or_else(|| panic!("{key} listed: {stdout}"))
            .to_string()
    };
    assert_eq!(
        origin("nats.url"),
        format!(
            "user:{}\tnats.url = \"nats://operator:***@nats.internal:4222\"",
            user.display()
        )
    );
    assert_eq!(
        origin("nats.ack_timeout_secs"),
        "repo:HEAD:berry.toml\tnats.ack_timeout_secs = 7"
    );
    assert_eq!(
        origin("github.issue_label"),
        format!(
            "user:{}\tgithub.issue_label = \"from-user\"",
            user.display()
        ),
        "the agent's edit is pending, not in force"
    );
    assert_eq!(
        origin("database.url"),
        "env:BERRY_DATABASE_URL\tdatabase.url = \"postgres://agent:***@db:5432/agent_memory\""
    );
    assert_eq!(
        origin("deliverables.dir"),
        format!(
            "flag:--deliverables\tdeliverables.dir = \"{}\"",
            deliverables.display()
        )
    );
    assert!(origin("agents.qa").starts_with("default\t"));
    assert!(
        !stdout.contains("s3cret") && !stdout.contains(":pw@"),
        "{stdout}"
    );

    // `get`: one key, a section, an unset key (exit 1, nothing printed), an unknown key (exit 2).
    let get = |args: &[&str]| {
        env.berry()
            .arg("config")
            .arg("get")
            .args(args)
            .output()
            .unwrap()
    };
    let out = get(&["nats.ack_timeout_secs"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "nats.ack_timeout_secs = 7\n"
    );
    let out = get(&["nats"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 5);
    let out = get(&["github.repo"]);
    assert_eq!((out.status.code(), out.stdout.len()), (Some(1), 0));
    let out = get(&["github.rpeo"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a configuration key"));
}

#[test]
fn a_bad_user_file_names_itself_and_a_freeze_there_is_refused() {
    let env = TestEnv::new();
    let user = env.home.join(".config/berry/config.toml");
    std::fs::create_dir_all(user.parent().unwrap()).unwrap();
    std::fs::write(&user, "[nats]\nurll = \"x\"\n").unwrap();
    let out = env.berry().arg("status").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", env.transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&user.display().to_string()) && stderr.contains("urll"),
        "{stderr}"
    );

    std::fs::write(&user, "[[deploy.freeze]]\ndays = [\"Fri\"]\n").unwrap();
    let out = env.berry().args(["config", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", env.transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("deploy.freeze"));

    // XDG_CONFIG_HOME wins over ~/.config.
    let xdg = env.path().join("xdg");
    std::fs::create_dir_all(xdg.join("berry")).unwrap();
    std::fs::write(
        xdg.join("berry/config.toml"),
        "[nats]\nack_timeout_secs = 9\n",
    )
    .unwrap();
    let out = env
        .berry()
        .args(["config", "get", "nats.ack_timeout_secs", "--show-origin"])
        .env("XDG_CONFIG_HOME", &xdg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "user:{}\tnats.ack_timeout_secs = 9\n",
            xdg.join("berry/config.toml").display()
        )
    );
}

#[test]
fn a_variable_that_stands_for_a_number_sets_it_and_show_origin_names_it() {
    let env = TestEnv::new();
    env.write("README.md", "x\n");
    env.commit_all("base");
    let out = env
        .berry()
        .args(["config", "get", "github.timeout_secs", "--show-origin"])
        .env("BERRY_GITHUB_TIMEOUT", "7")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "env:BERRY_GITHUB_TIMEOUT\tgithub.timeout_secs = 7\n"
    );
    let out = env
        .berry()
        .args(["config", "get", "github.timeout_secs"])
        .env("BERRY_GITHUB_TIMEOUT", "soon")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", env.transcript(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("timeout_secs"), "{err}");
}
