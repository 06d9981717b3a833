//! The secret guard on real rules: what review scans (binary and UTF-16 files, file names,
//! multi-line keys, deliverable text), the repository's own rule files as committed, `berry guards
//! check`, and what `berry test` gives its commands and logs. Each test plants a secret and
//! checks both the verdict and that the value is shown nowhere.

use std::os::unix::fs::PermissionsExt as _;

use serde_json::Value;

use crate::common::*;

const TOKEN: &str = "ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8";
const CRM: &str = "Implementation/print-industry-erp/backend/src/modules/crm";

fn pem_body() -> Vec<String> {
    (0..12)
        .map(|i| format!("MIIEow{i:02}IBAAKCAQEAs9Qx7v1R2k4mJcXg8zNhYp5WbTLdUqFo3eKiVrZy6jHa"))
        .collect()
}

fn review(env: &TestEnv, extra: &[&str]) -> std::process::Output {
    env.berry()
        .arg("review")
        .arg("--deliverables")
        .arg(env.path().join("deliverables"))
        .args(extra)
        .output()
        .unwrap()
}

fn all_output(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn base_with(env: &TestEnv, files: &[(&str, &str)]) {
    env.agog_base();
    for (p, t) in files {
        env.write(p, t);
    }
    if !files.is_empty() {
        env.commit_all("rules");
    }
    env.agog_changes();
}

#[test]
fn a_private_key_through_the_pager_is_masked_whole() {
    let env = TestEnv::new();
    base_with(&env, &[]);
    let body = pem_body();
    env.write(
        &format!("{CRM}/signing.ts"),
        format!(
            "export const key = `-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----`;\n",
            body.join("\n")
        ),
    );
    env.verify_approved();
    let paged = env.path().join("paged.txt");
    // A terminal of 20 rows: the preview is longer, so it goes through the pager (`tee`, which
    // shows it and keeps a copy).
    let mut cmd = std::process::Command::new("sh");
    env.apply_env(&mut cmd);
    cmd.current_dir(&env.repo)
        .env("BERRY_PAGER", format!("tee {}", paged.display()))
        .env("TERM", "xterm")
        .arg("-c")
        .arg("stty rows 20 cols 120; exec \"$0\" review --deliverables \"$1\"")
        .arg(env!("CARGO_BIN_EXE_berry"))
        .arg(env.path().join("deliverables"));
    crate::common::screen_size(&mut cmd, crate::common::PTY_ROWS, crate::common::PTY_COLS);
    let mut p = rexpect::session::spawn_command(cmd, Some(30_000)).unwrap();
    let shown = p.exp_eof().unwrap();
    let paged = std::fs::read_to_string(&paged).expect("the pager ran");
    assert!(
        paged.contains("signing.ts"),
        "the preview went through the pager: {paged}"
    );
    assert!(paged.contains("MIIE…("), "{paged}");
    for line in &body {
        assert!(
            !paged.contains(line.as_str()),
            "pager shows {line}:\n{paged}"
        );
        assert!(!shown.contains(line.as_str()), "terminal shows {line}");
    }
    assert!(shown.contains("[private-key]"), "{shown}");
}

#[test]
fn binary_utf16_files_and_file_names_are_scanned() {
    let env = TestEnv::new();
    base_with(&env, &[]);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        format!("export const t = '{TOKEN}';\r\n")
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    env.write(&format!("{CRM}/wide.ts"), &utf16);
    let mut bin = b"\x00\x01binary\x00".to_vec();
    bin.extend_from_slice(b"key=AKIAQ3EGRTWPLXS7NB5M\x00");
    env.write(&format!("{CRM}/blob.ts"), &bin);
    env.write(&format!("{CRM}/{TOKEN}.ts"), "export {};\n");
    env.verify_approved();
    let out = review(&env, &["--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    let all = all_output(&out);
    assert!(!all.contains(TOKEN), "{all}");
    assert!(!all.contains("AKIAQ3EGRTWPLXS7NB5M"), "{all}");
    assert!(
        all.contains("wide.ts") && all.contains("(in UTF-16/32 text)"),
        "{all}"
    );
    assert!(
        all.contains("blob.ts") && all.contains("[aws-access-key-id]"),
        "{all}"
    );
    assert!(all.contains("in the file name"), "{all}");
}

#[test]
fn the_repositorys_committed_rules_add_allowlist_and_ignore() {
    let env = TestEnv::new();
    base_with(
        &env,
        &[
            (
                ".gitleaks.toml",
                "[extend]\nuseDefault = true\n\n[[rules]]\nid = \"acme-key\"\ndescription = \"Acme key\"\nregex = '''acme_[a-z0-9]{24}'''\nkeywords = [\"acme_\"]\n\n[allowlist]\npaths = ['''crm/fixtures/''']\n",
            ),
            (
                ".gitleaksignore",
                &format!("{CRM}/reviewed.ts:github-pat:2\n"),
            ),
        ],
    );
    env.write(
        &format!("{CRM}/acme.ts"),
        "export const k = 'acme_0a1b2c3d4e5f6a7b8c9d0e1f';\n",
    );
    env.write(
        &format!("{CRM}/fixtures/token.ts"),
        format!("export const t = '{TOKEN}';\n"),
    );
    env.write(
        &format!("{CRM}/reviewed.ts"),
        format!("// revoked, see the ignore file\nexport const t = '{TOKEN}';\n"),
    );
    env.verify_approved();
    let out = review(&env, &["--yes", "--json"]);
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = v["data"]["findings"].as_array().unwrap();
    let rules: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["rule"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [(format!("{CRM}/acme.ts").as_str(), "acme-key")],
        "{v}"
    );
}

#[test]
fn a_rule_file_only_in_the_working_tree_cannot_switch_the_guard_off() {
    let env = TestEnv::new();
    base_with(&env, &[]);
    // An agent adds a rule file that replaces the defaults with a rule that never matches.
    env.write(
        ".gitleaks.toml",
        "[[rules]]\nid = \"nothing\"\nregex = '''never-matches-anything-zzz'''\n",
    );
    env.write(".gitleaksignore", format!("{CRM}/leak.ts:github-pat:1\n"));
    env.write(
        &format!("{CRM}/leak.ts"),
        format!("export const t = '{TOKEN}';\n"),
    );
    env.verify_approved();
    let out = review(&env, &["--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    assert!(
        all_output(&out).contains("leak.ts:1"),
        "{}",
        env.transcript(&out)
    );
}

#[test]
fn a_secret_in_deliverable_text_closes_the_gate_and_never_reaches_the_commit() {
    let env = TestEnv::new();
    base_with(&env, &[]);
    let dir = env.deliverables_folder(REQ, None);
    let roy = dir.join(REQ).join("roy.json");
    let mut v: Value = serde_json::from_slice(&std::fs::read(&roy).unwrap()).unwrap();
    v["completedWork"] = serde_json::json!([format!("Deploy with GH_TOKEN={TOKEN} in CI")]);
    std::fs::write(&roy, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    env.berry()
        .args(["verify", REQ, "--deliverables"])
        .arg(&dir)
        .assert()
        .code(0);
    let out = review(&env, &["--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    let all = all_output(&out);
    assert!(all.contains("deliverable:roy"), "{all}");
    assert!(!all.contains(TOKEN), "{all}");
    let out = review(
        &env,
        &[
            "--yes",
            "--allow",
            "secrets:deliverable:roy",
            "--reason",
            "revoked token",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let out = env
        .berry()
        .arg("--deliverables")
        .arg(&dir)
        .args(["--yes", "commit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let message = env.git(&["log", "-1", "--format=%B"]);
    assert!(!message.contains(TOKEN), "{message}");
    assert!(!all_output(&out).contains(TOKEN));
}

#[test]
fn guards_check_scans_files_and_stdin_and_exits_3_on_a_finding() {
    let env = TestEnv::new();
    env.write("clean.ts", "export const a = 1;\n");
    env.write("leak.env", format!("GH_TOKEN={TOKEN}\n"));
    let out = env
        .berry()
        .args(["guards", "check", "clean.ts"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let out = env
        .berry()
        .args(["guards", "check", "clean.ts", "leak.env"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    let all = all_output(&out);
    assert!(
        all.contains("leak.env:1") && all.contains("ghp_…(40 chars)"),
        "{all}"
    );
    assert!(!all.contains(TOKEN), "{all}");
    let out = env
        .berry()
        .args(["guards", "check"])
        .write_stdin(format!("token: {TOKEN}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    // The working tree's rule file is what check tries; an unsupported setting is named.
    env.write(
        ".gitleaks.toml",
        "[extend]\nuseDefault = true\npath = \"other.toml\"\n",
    );
    let out = env
        .berry()
        .args(["guards", "check", "clean.ts"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", env.transcript(&out));
    assert!(
        all_output(&out).contains("[extend] path"),
        "{}",
        env.transcript(&out)
    );
    env.write(
        ".gitleaks.toml",
        "[[rules]]\nid = \"acme-key\"\nregex = '''acme_[a-z0-9]{24}'''\n",
    );
    env.write("acme.txt", "k = acme_0a1b2c3d4e5f6a7b8c9d0e1f\n");
    let out = env
        .berry()
        .args(["--json", "guards", "check", "acme.txt", "leak.env"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = v["data"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["acme-key"],
        "without useDefault the file replaces the defaults: {v}"
    );
}

fn test_setup(env: &TestEnv, config: &str) {
    env.write("berry.toml", config);
    env.commit_all("base");
    let dir = env.deliverables_folder(REQ, None);
    env.berry()
        .arg("--deliverables")
        .arg(&dir)
        .args(["verify", REQ])
        .assert()
        .success();
}

#[test]
fn berry_test_hides_its_credentials_masks_output_and_keeps_the_log_private() {
    let env = TestEnv::new();
    let script = format!(
        "echo gh=${{GH_TOKEN:-unset}} db=${{BERRY_DATABASE_URL:-unset}} nats=${{NATS_PASSWORD:-unset}}; echo planted {TOKEN} >&2; echo key=AKIAQ3EGRTWPLXS7NB5M"
    );
    test_setup(
        &env,
        &format!(
            "[[test.commands]]\nname = \"unit\"\nargv = [\"sh\", \"-c\", {}]\n",
            serde_json::to_string(&script).unwrap()
        ),
    );
    let gh = "ghp_berryHeldToken0123456789abcdefABCDEF";
    let out = env
        .berry()
        .env("GH_TOKEN", gh)
        .env(
            "BERRY_DATABASE_URL",
            "postgres://app:db-Pa55word-x@127.0.0.1:1/none",
        )
        .env("NATS_PASSWORD", "nats-Pa55word-x")
        .args(["test"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let log_path = env.repo.join(format!(".git/berry/{REQ}.test.log"));
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("gh=unset db=unset nats=unset"), "{log}");
    assert!(
        !log.contains(TOKEN) && log.contains("planted ghp_…(40 chars)"),
        "{log}"
    );
    assert!(!log.contains("AKIAQ3EGRTWPLXS7NB5M"), "{log}");
    let mode = std::fs::metadata(&log_path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(!all_output(&out).contains(TOKEN));

    // A pass-through list lets one variable through; its value is still masked in the log.
    let env = TestEnv::new();
    test_setup(
        &env,
        &format!(
            "[database]\nurl = \"postgres://app:cfg-Pa55word-x@127.0.0.1:1/none\"\n\n[test]\npass_env = [\"GH_TOKEN\"]\n\n[[test.commands]]\nname = \"unit\"\nargv = [\"sh\", \"-c\", {}]\n",
            serde_json::to_string("echo gh=${GH_TOKEN:-unset}; sed -n 's/.*app:\\([^@]*\\)@.*/pw=\\1/p' berry.toml; echo failing; exit 1").unwrap()
        ),
    );
    let out = env
        .berry()
        .env("GH_TOKEN", gh)
        .args(["test"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    let log = std::fs::read_to_string(env.repo.join(format!(".git/berry/{REQ}.test.log"))).unwrap();
    assert!(
        log.contains("gh=…(40 chars)"),
        "passed through, masked: {log}"
    );
    assert!(!log.contains(gh), "{log}");
    // A password the configuration holds is masked like one from the environment.
    assert!(
        !log.contains("cfg-Pa55word-x") && log.contains("pw=…(14 chars)"),
        "{log}"
    );
    assert!(!all_output(&out).contains("cfg-Pa55word-x"));
    assert!(
        !all_output(&out).contains(gh),
        "the failure tail is masked too"
    );
}

/// `berry run --json` writes each step's line through the masker, as the step run alone does:
/// a token an agent wrote into its deliverable reaches stdout masked.
#[test]
fn run_json_lines_are_masked_as_a_single_steps_are() {
    let env = TestEnv::new();
    env.agog_base();
    let db = PgDb::new();
    let mut qa = fixture_json("agogsaas/deliverable_billy_qa_full_excerpt.json");
    qa["summary"] = Value::String(format!("QA passed; the deploy token is {TOKEN} for now"));
    db.load(REQ, Some(qa));
    // `run` first: once verify is recorded, `run` goes on from review.
    for args in [&["--json", "run", REQ][..], &["--json", "verify", REQ][..]] {
        let out = env
            .berry()
            .args(args)
            .env("BERRY_DATABASE_URL", db.url())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let verify = stdout
            .lines()
            .find(|l| l.contains("\"step\":\"verify\""))
            .unwrap_or_else(|| panic!("{args:?}: no verify line\n{}", env.transcript(&out)));
        assert!(!stdout.contains(TOKEN), "{args:?}: {stdout}");
        assert!(verify.contains("ghp_…(40 chars)"), "{args:?}: {verify}");
    }
}
