//! `berry review`: the change set in and out of scope, the guards, exceptions, the record, and the
//! multi-select driven for real through a pseudo-terminal.

use serde_json::Value;

use crate::common::{ERP, REQ, TestEnv};

/// A repository with the AgogSaaS base, the agents' pending changes, and a verified REQ.
fn verified() -> TestEnv {
    let env = TestEnv::new();
    env.agog_base();
    env.agog_changes();
    env.verify_approved();
    env
}

fn review(env: &TestEnv) -> assert_cmd::Command {
    let mut cmd = env.berry();
    cmd.arg("review")
        .arg("--deliverables")
        .arg(env.path().join("deliverables"));
    cmd
}

fn context(env: &TestEnv) -> Value {
    serde_json::from_slice(
        &std::fs::read(env.repo.join(".git/berry").join(format!("{REQ}.json"))).unwrap(),
    )
    .unwrap()
}

/// The layers around the repository's `berry.toml` (here the user's file) stay in force once
/// review has settled the gate's configuration: settling chooses the repository's layer, it does
/// not drop the others.
#[test]
fn the_users_file_stays_in_force_after_the_gate_configuration_is_settled() {
    let env = verified();
    let user = env.home.join(".config/berry/config.toml");
    std::fs::create_dir_all(user.parent().unwrap()).unwrap();
    std::fs::write(&user, "[review]\npreview_lines = 0\n").unwrap();
    let out = review(&env).arg("--preview").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("Changes in scope"), "{text}");
    assert!(
        !text.contains("@@"),
        "the user's preview_lines = 0 leaves no preview:\n{text}"
    );
}

#[test]
fn changes_in_and_out_of_scope_are_told_apart_and_recorded() {
    let env = verified();
    // Without a terminal the previews are written only when asked.
    let out = review(&env).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let quiet = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(quiet.contains("Changes in scope"), "{quiet}");
    assert!(
        !quiet.contains("@@"),
        "no diff preview without a terminal or --preview:\n{quiet}"
    );
    let out = review(&env).arg("--preview").output().unwrap();
    insta::assert_snapshot!(env.transcript(&out));
    assert_eq!(out.status.code(), Some(0));

    let ctx = context(&env);
    let files = ctx["review"]["files"].as_array().unwrap();
    let got: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let erp = |p: &str| format!("{ERP}/{p}");
    assert_eq!(
        got,
        vec![
            (erp("backend/migrations/V0.0.63__crm.sql"), "added".into()),
            (erp("backend/src/graphql/crm.graphql"), "added".into()),
            (
                erp("backend/src/modules/crm/crm.service.ts"),
                "modified".into()
            ),
            (erp("backend/src/modules/crm/legacy.ts"), "renamed".into()),
            (erp("frontend/src/pages/ContactsPage.tsx"), "added".into()),
            (erp("frontend/src/utils/obsolete.ts"), "deleted".into()),
        ]
    );
    assert_eq!(
        files[3]["old_path"],
        erp("backend/src/modules/crm/old-name.ts")
    );
    // Each blob id is what `git hash-object` says of the working-tree file.
    for f in files {
        let path = f["path"].as_str().unwrap();
        if f["status"] == "deleted" {
            assert!(f["blob"].is_null());
        } else {
            assert_eq!(
                f["blob"].as_str().unwrap(),
                env.git(&["hash-object", "--no-filters", path]).trim(),
                "{path}"
            );
        }
    }
    assert_eq!(files[2]["insertions"], 1);
    assert_eq!(files[2]["deletions"], 1);
    assert_eq!(
        ctx["review"]["out_of_scope"],
        serde_json::json!(["README.md"])
    );
    assert_eq!(ctx["steps"]["review"]["outcome"], "ok");
    assert_eq!(
        ctx["review"]["head"].as_str().unwrap(),
        env.git(&["rev-parse", "HEAD"]).trim()
    );
    // Review changes nothing in the repository.
    assert_eq!(env.git(&["diff", "--cached", "--name-only"]), "");
}

#[test]
fn json_gives_the_same_facts() {
    let env = verified();
    let out = review(&env).arg("--json").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["step"], "review");
    assert_eq!(v["outcome"], "ok");
    assert_eq!(v["data"]["files"].as_array().unwrap().len(), 6);
    assert_eq!(v["data"]["out_of_scope"], serde_json::json!(["README.md"]));
    assert_eq!(v["data"]["files"], context(&env)["review"]["files"]);
}

#[test]
fn planted_secrets_close_the_gate_masked() {
    let env = verified();
    let token = format!("ghp_{}", "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8");
    let aws = "AKIAQ3EGRTWPLXS7NB5M";
    env.write(
        &format!("{ERP}/backend/src/modules/crm/config.ts"),
        format!("export const token = '{token}';\nexport const key = \"{aws}\";\n"),
    );
    let out = review(&env).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(&token), "the token must be masked:\n{all}");
    assert!(!all.contains(aws), "the key must be masked:\n{all}");
    assert!(all.contains("secrets Implementation/print-industry-erp/backend/src/modules/crm/config.ts:1  GitHub personal access token (classic) [github-pat]: ghp_…(40 chars)"), "{all}");
    assert!(
        all.contains("config.ts:2  AWS access key id [aws-access-key-id]: AKIA…(20 chars)"),
        "{all}"
    );
    let ctx = context(&env);
    assert!(ctx["review"].is_null(), "nothing recorded as reviewed");
    assert_eq!(ctx["steps"]["review"]["outcome"], "blocked");
    let raw =
        std::fs::read_to_string(env.repo.join(".git/berry").join(format!("{REQ}.json"))).unwrap();
    assert!(!raw.contains(&token));
}

#[test]
fn allow_grants_an_exception_that_is_recorded() {
    let env = verified();
    let path = format!("{ERP}/backend/src/modules/crm/fixtures.ts");
    env.write(
        &path,
        "// test key, revoked\nexport const k = 'AKIAQ3EGRTWPLXS7NB5M';\n",
    );
    let out = review(&env)
        .arg("--allow")
        .arg(format!("secrets:{path}"))
        .args(["--reason", "revoked test key in a fixture"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ctx = context(&env);
    assert_eq!(
        ctx["review"]["allowed"],
        serde_json::json!([{"guard": "secrets", "path": path, "reason": "revoked test key in a fixture"}])
    );
    // --allow without --reason is a usage error.
    review(&env)
        .arg("--allow")
        .arg(format!("secrets:{path}"))
        .assert()
        .code(2);
    // An unknown guard too.
    review(&env)
        .args(["--allow", "typos:x", "--reason", "r"])
        .assert()
        .code(2);
}

#[test]
fn conflict_markers_close_the_gate() {
    let env = verified();
    env.write(
        &format!("{ERP}/frontend/src/pages/ContactsPage.tsx"),
        "<<<<<<< HEAD\nexport const A = 1;\n=======\nexport const A = 2;\n>>>>>>> feature\n",
    );
    let out = review(&env).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ContactsPage.tsx:1  merge conflict marker `<<<<<<<`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("ContactsPage.tsx:3  merge conflict marker `=======`"),
        "{stderr}"
    );
}

#[test]
fn files_over_100_mb_are_blocked_over_50_mb_warned() {
    let env = verified();
    let big = env.repo.join(format!("{ERP}/frontend/src/pages/huge.bin"));
    std::fs::File::create(&big)
        .unwrap()
        .set_len(101 * 1024 * 1024)
        .unwrap();
    let out = review(&env).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "large-file Implementation/print-industry-erp/frontend/src/pages/huge.bin  101.00 MB"
        ),
        "{stderr}"
    );

    std::fs::File::options()
        .write(true)
        .open(&big)
        .unwrap()
        .set_len(51 * 1024 * 1024)
        .unwrap();
    let out = review(&env).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("51.00 MB: over GitHub's recommended 50 MB")
    );
}

#[test]
fn review_needs_an_approved_verify() {
    let env = TestEnv::new();
    env.agog_base();
    env.agog_changes();
    let out = env.berry().args(["review", "--req", REQ]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "out of order is a usage error");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("run `berry verify {REQ}` first"))
    );

    let dir = env.deliverables_folder(
        REQ,
        Some(serde_json::json!({"status": "COMPLETE", "testResult": "FAIL"})),
    );
    env.berry()
        .args(["verify", REQ, "--deliverables"])
        .arg(&dir)
        .assert()
        .code(3);
    let out = review(&env).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("QA has not approved"));
}

#[test]
fn nothing_in_scope_is_an_error_not_an_empty_review() {
    let env = TestEnv::new();
    env.agog_base();
    env.write("README.md", "changed outside scope\n");
    env.verify_approved();
    let out = review(&env).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing changed within stage.paths"));
    // The JSON line of an error names the REQ even when it came from CURRENT.
    let out = review(&env).arg("--json").output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["req"].as_str(), v["step"].as_str(), v["outcome"].as_str()),
        (Some(REQ), Some("review"), Some("error"))
    );
    assert_eq!(v["data"]["exit"], 1);
}

/// The operator deselects a file in the multi-select, through a real pseudo-terminal.
#[test]
fn multi_select_through_a_pseudo_terminal() {
    let env = verified();
    let mut p = env.review_prompt(&env.path().join("deliverables"));
    // The first item is the migration: toggle it off, accept.
    p.send(" ").unwrap();
    p.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("5 file(s) approved for commit").unwrap();
    p.exp_eof().unwrap();
    let ctx = context(&env);
    assert_eq!(ctx["review"]["files"].as_array().unwrap().len(), 5);
    assert_eq!(
        ctx["review"]["deselected"],
        serde_json::json!([format!("{ERP}/backend/migrations/V0.0.63__crm.sql")])
    );
}

/// Ctrl-C at the prompt exits 130 and records nothing.
#[test]
fn interrupt_at_the_prompt_exits_130() {
    let env = verified();
    let mut p = env.review_prompt(&env.path().join("deliverables"));
    p.send_control('c').unwrap();
    let status = p.process().wait().unwrap();
    assert!(format!("{status:?}").contains("130"), "{status:?}");
    assert!(context(&env)["review"].is_null());
}

/// Deselecting every file is the operator declining: exit 4, nothing recorded.
#[test]
fn deselecting_everything_declines() {
    let env = TestEnv::new();
    env.agog_base();
    env.write(
        &format!("{ERP}/backend/src/modules/crm/only.ts"),
        "export const only = 1;\n",
    );
    let dir = env.verify_approved();
    let mut p = env.review_prompt(&dir);
    p.send(" ").unwrap();
    p.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_eof().unwrap();
    let status = p.process().wait().unwrap();
    assert!(format!("{status:?}").contains(", 4)"), "{status:?}");
    assert!(context(&env)["review"].is_null());
}

fn reviewed_paths(ctx: &Value) -> Vec<String> {
    ctx["review"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!(
        "sha256:{}",
        sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

const WIDE: &str = "[stage]\npaths = [\"**\"]\n";

#[test]
fn an_uncommitted_berry_toml_does_not_widen_the_scope() {
    let env = verified();
    env.write(".env", "DATABASE_PASSWORD=hunter2\n");
    env.write("berry.toml", WIDE);
    for extra in [&[][..], &["--yes"][..]] {
        let out = review(&env).args(extra).output().unwrap();
        let t = env.transcript(&out);
        assert_eq!(out.status.code(), Some(0), "{t}");
        assert!(
            t.contains("Change to the gate itself: berry.toml (new) differs from HEAD's"),
            "{t}"
        );
        assert!(t.contains("+paths = [\"**\"]"), "the diff is shown: {t}");
        assert!(t.contains("HEAD's configuration is in force"), "{t}");
        let ctx = context(&env);
        assert!(!reviewed_paths(&ctx).contains(&".env".to_string()), "{t}");
        let outside = ctx["review"]["out_of_scope"].as_array().unwrap();
        assert!(outside.contains(&serde_json::json!(".env")), "{t}");
        assert!(outside.contains(&serde_json::json!("berry.toml")), "{t}");
        assert!(ctx["config_acceptance"].is_null());
    }
    // Every command that loads the configuration notes it.
    let out = env.berry().arg("status").output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("a change to the gate itself"),
        "{}",
        env.transcript(&out)
    );
}

#[test]
fn accept_config_change_is_recorded_with_the_texts_hash_and_holds_for_that_text_only() {
    let env = verified();
    env.write(".env", "DATABASE_PASSWORD=hunter2\n");
    env.write("berry.toml", WIDE);
    let out = review(&env).arg("--accept-config-change").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let ctx = context(&env);
    assert_eq!(
        ctx["config_acceptance"]["sha256"],
        sha256_hex(WIDE.as_bytes())
    );
    assert_eq!(ctx["config_acceptance"]["by"], "--accept-config-change");
    assert!(reviewed_paths(&ctx).contains(&".env".to_string()), "{t}");

    // A later change to the file needs a new acceptance: HEAD's configuration is back in force.
    env.write("berry.toml", format!("{WIDE}# one more line\n"));
    let out = review(&env).output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("not accepted: HEAD's configuration is in force"),
        "{t}"
    );
    assert!(
        !reviewed_paths(&context(&env)).contains(&".env".to_string()),
        "{t}"
    );
}

#[test]
fn a_changed_berry_toml_is_asked_about_on_a_terminal_and_no_is_the_default() {
    let env = verified();
    env.write(".env", "DATABASE_PASSWORD=hunter2\n");
    env.write("berry.toml", WIDE);
    let mut p = env.pty([
        std::ffi::OsStr::new("review"),
        "--deliverables".as_ref(),
        env.path().join("deliverables").as_os_str(),
    ]);
    p.exp_string("Apply the changed berry.toml").unwrap();
    p.send("\r").unwrap(); // the default
    p.flush().unwrap();
    p.exp_string("Files to commit").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_eof().unwrap();
    let ctx = context(&env);
    assert!(ctx["config_acceptance"].is_null());
    assert!(!reviewed_paths(&ctx).contains(&".env".to_string()));

    let mut p = env.pty([
        std::ffi::OsStr::new("review"),
        "--deliverables".as_ref(),
        env.path().join("deliverables").as_os_str(),
    ]);
    p.exp_string("Apply the changed berry.toml").unwrap();
    p.send("y").unwrap();
    p.flush().unwrap();
    p.exp_string("Files to commit").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_eof().unwrap();
    let ctx = context(&env);
    assert_eq!(ctx["config_acceptance"]["by"], "terminal");
    assert!(reviewed_paths(&ctx).contains(&".env".to_string()));
}

#[test]
fn an_explicit_config_file_is_the_operators_choice() {
    let env = verified();
    env.write(".env", "DATABASE_PASSWORD=hunter2\n");
    let mine = env.path().join("mine.toml");
    std::fs::write(&mine, WIDE).unwrap();
    let out = review(&env).arg("--config").arg(&mine).output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(!t.contains("Change to the gate itself"), "{t}");
    assert!(reviewed_paths(&context(&env)).contains(&".env".to_string()));
}

#[test]
fn a_moved_submodule_pointer_in_scope_is_in_the_scope_list() {
    let env = TestEnv::new();
    env.agog_base();
    let sub = format!("{ERP}/backend/src/modules/shared-lib");
    env.add_submodule(&sub);
    let old = env.git(&["rev-parse", &format!("HEAD:{sub}")]);
    // The submodule moves to a new commit.
    let new = env.move_submodule(&sub, "export const v = 2;\n");
    assert_ne!(old.trim(), new);
    env.verify_approved();
    let out = review(&env).arg("--json").output().unwrap();
    let t = env.transcript(&out);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed: Vec<&Value> = v["data"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == sub)
        .collect();
    assert_eq!(listed.len(), 1, "{t}");
    assert_eq!(listed[0]["status"], "modified");
    assert_eq!(listed[0]["blob"], new.trim(), "the new commit id");
    let human = review(&env).arg("--preview").output().unwrap();
    let t = env.transcript(&human);
    assert!(t.contains(&format!("M {sub} (submodule)")), "{t}");
    assert!(
        t.contains(&format!("+Subproject commit {}", new.trim())),
        "{t}"
    );
}

#[test]
fn a_rename_out_of_scope_is_a_deletion_in_scope_and_an_addition_outside() {
    let env = TestEnv::new();
    env.agog_base();
    let from = format!("{ERP}/backend/src/modules/crm/old-name.ts");
    std::fs::create_dir_all(env.repo.join(".github/workflows")).unwrap();
    std::fs::rename(
        env.repo.join(&from),
        env.repo.join(".github/workflows/old-name.ts"),
    )
    .unwrap();
    env.write(
        &format!("{ERP}/backend/src/modules/crm/crm.service.ts"),
        "export class CrmService {}\n",
    );
    env.verify_approved();
    let out = review(&env).output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let ctx = context(&env);
    let files = ctx["review"]["files"].as_array().unwrap();
    let deleted = files.iter().find(|f| f["path"] == from).expect(&t);
    assert_eq!(deleted["status"], "deleted");
    assert!(deleted["old_path"].is_null());
    assert!(
        files
            .iter()
            .all(|f| f["path"] != ".github/workflows/old-name.ts"),
        "{t}"
    );
    assert_eq!(
        ctx["review"]["out_of_scope"],
        serde_json::json!([".github/workflows/old-name.ts"])
    );
    assert!(t.contains("A  .github/workflows/old-name.ts"), "{t}");
}

#[test]
fn a_file_replaced_by_a_symlink_is_a_type_change_in_scope() {
    let env = TestEnv::new();
    env.agog_base();
    let path = format!("{ERP}/backend/src/modules/crm/crm.service.ts");
    std::fs::remove_file(env.repo.join(&path)).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", env.repo.join(&path)).unwrap();
    env.verify_approved();
    let out = review(&env).output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let ctx = context(&env);
    let f = &ctx["review"]["files"][0];
    assert_eq!(f["path"], path);
    assert_eq!(f["status"], "typechange");
    let link_text = env.path().join("link-text");
    std::fs::write(&link_text, "/etc/hostname").unwrap();
    assert_eq!(
        f["blob"].as_str().unwrap(),
        env.git(&["hash-object", "--no-filters", link_text.to_str().unwrap()])
            .trim(),
        "the link's target text, never the file it points at"
    );
}

#[test]
fn an_accepted_config_change_is_in_force_for_the_later_steps_of_the_req() {
    let env = verified();
    env.write(".env", "DATABASE_PASSWORD=hunter2\n");
    env.write("berry.toml", WIDE);
    review(&env).arg("--accept-config-change").assert().code(0);
    let out = env
        .berry()
        .args(["--yes", "commit", "--deliverables"])
        .arg(env.path().join("deliverables"))
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("accepted for this REQ, is in force"), "{t}");
    let committed = env.git(&["show", "--name-only", "--format=", "HEAD"]);
    assert!(committed.lines().any(|l| l == ".env"), "{committed}");
}

/// Everything read from a pseudo-terminal session, in order, for a screen model.
struct Screen {
    bytes: String,
}

impl Screen {
    /// rexpect reads each byte as one char (Latin-1): a UTF-8 needle is matched in that form.
    fn expect(&mut self, p: &mut rexpect::session::PtySession, needle: &str) {
        let needle: String = needle.bytes().map(char::from).collect();
        let before = p.exp_string(&needle).unwrap();
        self.bytes.push_str(&before);
        self.bytes.push_str(&needle);
    }
    fn finish(&mut self, p: &mut rexpect::session::PtySession) -> Vec<String> {
        self.bytes.push_str(&p.exp_eof().unwrap());
        let bytes: Vec<u8> = self.bytes.chars().map(|c| c as u32 as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let mut parser = vt100::Parser::new(crate::common::PTY_ROWS, crate::common::PTY_COLS, 0);
        // The pty turns each \n into \r\n on output; the model needs the carriage return too.
        parser.process(text.replace("\r\n", "\n").replace('\n', "\r\n").as_bytes());
        parser
            .screen()
            .rows(0, crate::common::PTY_COLS)
            .map(|r| r.trim_end().to_string())
            .collect()
    }
}

#[test]
fn the_file_picker_fits_an_80_column_screen_marks_the_cursor_and_leaves_it_clean() {
    let env = verified();
    let long = format!(
        "{ERP}/backend/src/modules/{}crm.picker.ts",
        "a-directory-name-long-enough-to-wrap/".repeat(3)
    );
    env.write(&long, "export const picked = true;\n");
    let run = |keys: &str| {
        let mut p = env.pty([
            std::ffi::OsStr::new("review"),
            "--deliverables".as_ref(),
            env.path().join("deliverables").as_os_str(),
        ]);
        let mut screen = Screen {
            bytes: String::new(),
        };
        // The prompt says what keeping none means, and the cursor is marked without colour.
        screen.expect(&mut p, "none kept declines)");
        screen.expect(&mut p, "❯");
        // The long path is cut to the screen, keeping its file name.
        screen.expect(&mut p, "…");
        screen.expect(&mut p, "crm.picker.ts");
        p.send(keys).unwrap();
        p.flush().unwrap();
        let rows = screen.finish(&mut p);
        let code = match p.process().wait().unwrap() {
            rexpect::process::WaitStatus::Exited(_, c) => c,
            other => panic!("{other:?}"),
        };
        (code, rows)
    };

    // Enter keeps every file; the picker leaves no row of itself behind.
    let (code, rows) = run("\r");
    let shown = rows.join("\n");
    assert_eq!(code, 0, "{shown}");
    assert!(rows.iter().all(|r| r.chars().count() <= 80));
    assert!(
        !rows
            .iter()
            .any(|r| r.contains('❯') || r.contains('⬚') || r.contains("Files to commit (")),
        "the picker is cleared:\n{shown}"
    );
    let kept = rows.iter().find(|r| r.contains("kept ")).expect(&shown);
    let n: Vec<&str> = kept.split_whitespace().collect();
    assert_eq!(n[1], n[3], "all kept: {kept}");

    // `a` unchecks them all: keeping none declines the review (exit 4), and says so.
    let (code, rows) = run("a\r");
    let shown = rows.join("\n");
    assert_eq!(code, 4, "{shown}");
    assert!(rows.iter().any(|r| r.contains("kept 0 of")), "{shown}");
    assert!(!rows.iter().any(|r| r.contains('❯')), "{shown}");
}
