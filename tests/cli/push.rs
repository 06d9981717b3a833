//! `berry push` against real remotes: a bare repository over file://, and smart HTTP through
//! `git http-backend` behind a server that demands a token.

use serde_json::json;

use crate::common::{ERP, REQ};
use crate::fakes::{Shipping, TOKEN, files_containing, hook_lines};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn pushes_verifies_records_and_a_rerun_pushes_nothing() {
    let s = Shipping::new("main");
    let out = s.berry().arg("push").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(s.sha.as_str())
    );
    let push = &s.context()["ledger"]["push"];
    assert_eq!(push["remote"], "origin");
    assert_eq!(push["ref"], "refs/heads/main");
    assert_eq!(push["sha"], json!(s.sha));
    assert_eq!(push["branch"], "main");
    assert_eq!(push["berry_created"], false);
    assert_eq!(push["at"], crate::common::NOW);
    assert_eq!(push["url"], json!(format!("file://{}", s.bare.display())));
    assert_eq!(s.context()["steps"]["push"]["outcome"], "ok");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), s.sha);

    // The rerun does not even reach the remote: it is gone, and the step still reports success.
    let moved = s.bare.with_extension("moved");
    std::fs::rename(&s.bare, &moved).unwrap();
    let again = s.berry().args(["--json", "push"]).output().unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", s.env.transcript(&again));
    assert!(
        stderr(&again).contains("already pushed"),
        "{}",
        stderr(&again)
    );
    let line: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(line["message"], "already pushed");
    assert_eq!(line["data"]["sha"], json!(s.sha));
}

#[test]
fn changed_qa_evidence_closes_the_gate_before_anything_is_pushed() {
    let s = Shipping::new("main");
    let billy = s.deliverables.join(REQ).join("billy.json");
    let mut qa: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&billy).unwrap()).unwrap();
    qa["summary"] = json!("edited after verify");
    std::fs::write(&billy, serde_json::to_vec(&qa).unwrap()).unwrap();
    let before = s.remote_sha("refs/heads/main");
    let out = s.berry().arg("push").output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", s.env.transcript(&out));
    assert!(
        stderr(&out).contains("QA evidence changed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.remote_sha("refs/heads/main"), before);
    assert!(s.context()["ledger"]["push"].is_null());
}

#[test]
fn push_before_commit_is_a_usage_error_naming_commit() {
    let s = Shipping::new("main");
    let mut ctx = s.context();
    ctx["ledger"]["commit"] = serde_json::Value::Null;
    std::fs::write(s.context_path(), serde_json::to_vec(&ctx).unwrap()).unwrap();
    let before = s.remote_sha("refs/heads/main");
    let out = s.berry().arg("push").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", s.env.transcript(&out));
    assert!(
        stderr(&out).contains("hint: run `berry commit` first"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.remote_sha("refs/heads/main"), before);
}

fn set_tests(s: &Shipping, tests: serde_json::Value) {
    let mut ctx = s.context();
    ctx["ledger"]["tests"] = tests;
    std::fs::write(s.context_path(), serde_json::to_vec(&ctx).unwrap()).unwrap();
}

/// The hole: `berry test` failed (exit 3), then `berry push` pushed to main (exit 0).
#[test]
fn nothing_is_pushed_unless_the_tests_passed_for_the_tree_being_pushed() {
    let s = Shipping::new("main");
    let before = s.remote_sha("refs/heads/main");
    let mut tests = s.context()["ledger"]["tests"].clone();

    // Failed for this tree: the gate is closed.
    tests["passed"] = json!(false);
    set_tests(&s, tests.clone());
    let out = s.berry().args(["--yes", "push"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", s.env.transcript(&out));
    assert!(stderr(&out).contains("the tests failed for the tree being shipped"));
    assert!(stderr(&out).contains("--skip-tests --reason TEXT"));
    assert_eq!(s.remote_sha("refs/heads/main"), before);
    assert!(s.context()["ledger"]["push"].is_null());

    // Passed, but for another tree (the commit was amended since): not enough.
    tests["passed"] = json!(true);
    tests["tree"] = json!("1".repeat(40));
    set_tests(&s, tests.clone());
    let out = s.berry().args(["--yes", "push"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", s.env.transcript(&out));
    assert!(stderr(&out).contains("the tests ran for tree 111111111111"));
    assert!(stderr(&out).contains("hint: run `berry test` first"));
    assert_eq!(s.remote_sha("refs/heads/main"), before);

    // A version-1 record without the tree counts for no tree.
    tests.as_object_mut().unwrap().remove("tree");
    set_tests(&s, tests.clone());
    let out = s.berry().args(["--yes", "push"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", s.env.transcript(&out));
    assert!(stderr(&out).contains("without the tree they ran on"));

    // Never run.
    set_tests(&s, serde_json::Value::Null);
    let out = s.berry().args(["--yes", "push"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", s.env.transcript(&out));
    assert!(stderr(&out).contains("the tests have not run"));
    assert_eq!(s.remote_sha("refs/heads/main"), before);

    // --skip-tests needs a reason, and then is recorded and pushes.
    let out = s
        .berry()
        .args(["--yes", "push", "--skip-tests"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", s.env.transcript(&out));
    let out = s
        .berry()
        .args(["--yes", "push", "--skip-tests", "--reason", "  "])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", s.env.transcript(&out));
    assert_eq!(s.remote_sha("refs/heads/main"), before);
    let out = s
        .berry()
        .args([
            "--yes",
            "push",
            "--skip-tests",
            "--reason",
            "hotfix, suite is down",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(s.sha.as_str())
    );
    let skipped = &s.context()["ledger"]["tests_skipped"];
    assert_eq!(skipped["reason"], "hotfix, suite is down");
    assert_eq!(
        skipped["tree"],
        json!(s.env.git(&["rev-parse", "HEAD^{tree}"]).trim())
    );
}

#[test]
fn non_fast_forward_is_rebased_after_asking_then_pushed() {
    let s = Shipping::new("main");
    let theirs = s.someone_else_pushes("main", "docs/NOTES.md", "their notes\n");

    // No terminal, no --yes: the decision is needed, nothing changes.
    let state = s.repo_state();
    let out = s.berry().arg("push").output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", s.env.transcript(&out));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    assert!(stderr(&out).contains("rebase"), "{}", stderr(&out));
    assert_eq!(s.repo_state(), state);
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(theirs.as_str())
    );

    // The rebase makes a new tree, which was not tested: it is recorded, and not pushed.
    let out = s.berry().args(["--yes", "push"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", s.env.transcript(&out));
    let err = stderr(&out);
    assert!(
        err.contains("non-fast-forward") || err.contains("rebased"),
        "{err}"
    );
    assert!(
        err.contains("was not tested: run `berry test`, then `berry push`"),
        "{err}"
    );
    let head = s.env.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(theirs.as_str())
    );
    let commit = &s.context()["ledger"]["commit"];
    assert_eq!(commit["sha"], json!(head));
    assert_eq!(commit["rebased_from"], json!(s.sha));
    // status says which commit ships now, and where it came from.
    let st = s.berry().arg("status").output().unwrap();
    assert!(
        String::from_utf8_lossy(&st.stdout).contains(&format!("{head} (rebased from {}", s.sha)),
        "{}",
        s.env.transcript(&st)
    );
    // Tested, it is pushed.
    s.record_tests();
    let out = s.berry().args(["--yes", "push"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let pushed = s.remote_sha("refs/heads/main").unwrap();
    assert_eq!(pushed, head);
    assert_ne!(pushed, s.sha);
    // Their commit is the parent of berry's rebased one, and both files are in the working tree.
    assert_eq!(s.env.git(&["rev-parse", "HEAD~1"]).trim(), theirs);
    assert_eq!(s.env.read("docs/NOTES.md"), "their notes\n");
    assert!(s.env.git(&["log", "-1", "--format=%s"]).contains(REQ));
    let push = &s.context()["ledger"]["push"];
    assert_eq!(push["sha"], json!(pushed));
    // The working tree followed the branch: nothing is left modified.
    assert_eq!(s.env.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_commit_already_on_a_remote_that_moved_on_is_recorded_not_rebased() {
    let s = Shipping::new("main");
    // Pushed by a run whose record was lost (killed after the push), then someone else pushed.
    s.env.git(&["push", "-q", "origin", "main"]);
    let theirs = s.someone_else_pushes("main", "docs/NOTES.md", "their notes\n");
    let out = s.berry().args(["--yes", "push"]).output().unwrap();
    let t = s.env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(theirs.as_str()),
        "nothing pushed over theirs: {t}"
    );
    assert_eq!(
        s.env.git(&["rev-parse", "HEAD"]).trim(),
        s.sha,
        "not rebased"
    );
    let ledger = &s.context()["ledger"];
    assert_eq!(ledger["push"]["sha"], json!(s.sha), "{t}");
    assert_eq!(ledger["commit"]["sha"], json!(s.sha));
    assert!(ledger["commit"]["rebased_from"].is_null(), "{ledger}");
}

#[test]
fn a_push_followed_at_once_by_another_is_verified_by_the_remote_holding_it() {
    let s = Shipping::new("main");
    let other = s.env.path().join("other");
    s.env.git_in(
        s.env.path(),
        &[
            "clone",
            "-q",
            &format!("file://{}", s.bare.display()),
            "other",
        ],
    );
    let bare = s.bare.clone();
    let sha = s.sha.clone();
    // Someone pushes right after berry's push, before berry reads the remote back.
    let racer = std::thread::spawn(move || {
        let git = |dir: &std::path::Path, args: &[&str]| {
            let out = std::process::Command::new("git")
                .arg("-C")
                .arg(dir)
                .args(["-c", "user.name=O", "-c", "user.email=o@example.com"])
                .args(args)
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        for _ in 0..1000 {
            if git(&bare, &["rev-parse", "refs/heads/main"]) == sha {
                git(&other, &["pull", "-q", "origin", "main"]);
                std::fs::write(other.join("LATER.md"), "later\n").unwrap();
                git(&other, &["add", "LATER.md"]);
                git(&other, &["commit", "-qm", "later"]);
                git(&other, &["push", "-q", "origin", "main"]);
                return git(&other, &["rev-parse", "HEAD"]);
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        String::new()
    });
    let out = s
        .berry()
        .args(["--yes", "push"])
        .env("BERRY_FAULT", "pushed~6000")
        .output()
        .unwrap();
    let later = racer.join().unwrap();
    let t = s.env.transcript(&out);
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(later.as_str()),
        "the other push went in after berry's: {t}"
    );
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert_eq!(s.context()["ledger"]["push"]["sha"], json!(s.sha), "{t}");
}

#[test]
fn a_conflicting_rebase_leaves_the_repository_exactly_as_it_was() {
    let s = Shipping::new("main");
    let path = format!("{ERP}/backend/src/modules/crm/crm.service.ts");
    let theirs = s.someone_else_pushes("main", &path, "export class CrmService { theirs() {} }\n");
    // A local change outside the commit must survive too.
    s.env.write("scratch.txt", "local, uncommitted\n");
    let state = s.repo_state();
    let out = s.berry().args(["--yes", "push"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", s.env.transcript(&out));
    let err = stderr(&out);
    assert!(err.contains("conflicts in"), "{err}");
    assert!(err.contains(&path), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(s.repo_state(), state);
    assert_eq!(s.env.read("scratch.txt"), "local, uncommitted\n");
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(theirs.as_str())
    );
    assert!(s.context()["ledger"]["push"].is_null());
}

#[test]
fn a_protected_branch_moves_the_work_to_feature_req() {
    let s = Shipping::new("main");
    let lines = hook_lines("protected-branch-GH006.txt");
    assert!(lines[0].contains("GH006"), "{lines:?}");
    s.refuse_with("refs/heads/main", &lines);
    let _server = s.over_http();
    let before = s.remote_sha("refs/heads/main");

    let out = s.berry().arg("push").output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", s.env.transcript(&out));
    assert!(stderr(&out).contains("GH006"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("feature/{REQ}")),
        "{}",
        stderr(&out)
    );

    let out = s.berry().args(["--yes", "push"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let err = stderr(&out);
    assert!(
        err.contains("remote: error: GH006: Protected branch update failed"),
        "{err}"
    );
    let feature = format!("refs/heads/feature/{REQ}");
    assert_eq!(s.remote_sha(&feature).as_deref(), Some(s.sha.as_str()));
    assert_eq!(s.remote_sha("refs/heads/main"), before);
    let push = &s.context()["ledger"]["push"];
    assert_eq!(push["branch"], json!(format!("feature/{REQ}")));
    assert_eq!(push["ref"], json!(feature));
    assert_eq!(push["berry_created"], true);
}

#[test]
fn berry_force_pushes_only_its_own_feature_branch_and_only_with_a_lease() {
    let s = Shipping::new("main");
    s.refuse_with("refs/heads/main", &hook_lines("ruleset-GH013.txt"));
    let _server = s.over_http();
    let out = s.berry().args(["--yes", "push"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let feature = format!("refs/heads/feature/{REQ}");

    // berry commit is redone (amended): the feature branch is overwritten, the lease holds.
    s.env.git(&[
        "commit",
        "-q",
        "--amend",
        "-m",
        &format!("feat({REQ}): amended"),
    ]);
    let amended = s.env.git(&["rev-parse", "HEAD"]).trim().to_string();
    let s2 = Shipping {
        sha: amended.clone(),
        ..s
    };
    s2.record_commit();
    let out = s2.berry().args(["--yes", "push"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s2.env.transcript(&out));
    assert!(stderr(&out).contains("with lease"), "{}", stderr(&out));
    assert_eq!(s2.remote_sha(&feature).as_deref(), Some(amended.as_str()));

    // Someone else pushes to feature/<REQ>: the lease is broken, berry refuses to overwrite.
    let theirs = s2.someone_else_pushes(&format!("feature/{REQ}"), "x.txt", "x\n");
    s2.env.git(&[
        "commit",
        "-q",
        "--amend",
        "-m",
        &format!("feat({REQ}): again"),
    ]);
    let again = s2.env.git(&["rev-parse", "HEAD"]).trim().to_string();
    let s3 = Shipping { sha: again, ..s2 };
    s3.record_commit();
    let out = s3.berry().args(["--yes", "push"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", s3.env.transcript(&out));
    assert!(
        stderr(&out).contains("someone else pushed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s3.remote_sha(&feature).as_deref(), Some(theirs.as_str()));
}

#[test]
fn large_files_are_named_with_git_lfs_pointed_at() {
    let s = Shipping::new("main");
    s.refuse_with("refs/heads/main", &hook_lines("large-files-GH001.txt"));
    let _server = s.over_http();
    let out = s.berry().args(["--yes", "push"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", s.env.transcript(&out));
    let err = stderr(&out);
    assert!(err.contains("GH001"), "{err}");
    assert!(err.contains("Software/xxx.db (161.50 MB)"), "{err}");
    assert!(err.contains("Git LFS"), "{err}");
    assert!(s.context()["ledger"]["push"].is_null());
}

#[test]
fn an_unreachable_remote_is_named() {
    let s = Shipping::new("main");
    s.env.git(&[
        "remote",
        "set-url",
        "origin",
        "http://127.0.0.1:9/nowhere.git",
    ]);
    let out = s.berry().arg("push").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", s.env.transcript(&out));
    let err = stderr(&out);
    assert!(err.contains("cannot reach the remote `origin`"), "{err}");
    assert!(err.contains("http://127.0.0.1:9/nowhere.git"), "{err}");
}

#[test]
fn smart_http_pushes_with_the_right_token_and_refuses_a_wrong_one_without_leaking_it() {
    let s = Shipping::new("main");
    let token = TOKEN;
    let server = s.over_http();

    let wrong = "ghp_wrongWrongWrong0123456789abcdefABCD";
    let out = s
        .berry()
        .env("GH_TOKEN", wrong)
        .arg("push")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", s.env.transcript(&out));
    let err = stderr(&out);
    assert!(err.contains("authentication to `origin`"), "{err}");
    assert!(
        err.contains("the token in GH_TOKEN (as x-access-token)"),
        "{err}"
    );
    assert!(err.contains("hint: set GH_TOKEN"), "{err}");
    assert!(!err.contains(wrong));
    assert_ne!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(s.sha.as_str())
    );

    let out = s
        .berry()
        .env("GH_TOKEN", token)
        .arg("push")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(s.sha.as_str())
    );
    let push = &s.context()["ledger"]["push"];
    assert_eq!(push["url"], json!(server.url("origin.git")));

    // The token is nowhere: not in the output, not in .git (config, context, logs), not at HOME.
    for text in [
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    ] {
        assert!(!text.contains(token));
    }
    assert_eq!(
        files_containing(&s.env.repo, token),
        Vec::<std::path::PathBuf>::new()
    );
    assert_eq!(
        files_containing(&s.env.home, token),
        Vec::<std::path::PathBuf>::new()
    );
    assert!(!s.env.git(&["config", "--list"]).contains(token));
}

/// What an operator sees: a protected branch refused, then the feature branch pushed; and a
/// wrong token refused.
#[test]
fn transcripts_of_refusals() {
    let s = Shipping::new("main");
    s.refuse_with("refs/heads/main", &hook_lines("protected-branch-GH006.txt"));
    let server = s.over_http();
    let port = server.url("");
    let redact = |t: String| t.replace(&port, "http://[GIT]/");
    let out = s
        .berry()
        .env("GH_TOKEN", "ghp_wrong")
        .arg("push")
        .output()
        .unwrap();
    insta::assert_snapshot!("push_wrong_token", redact(s.env.transcript(&out)));
    let out = s.berry().args(["--yes", "push"]).output().unwrap();
    insta::assert_snapshot!(
        "push_protected_then_feature",
        redact(s.env.transcript(&out))
    );
}

#[test]
fn a_feature_branch_berry_did_not_push_is_never_overwritten() {
    let s = Shipping::new("main");
    // Someone made feature/<REQ> on the remote already.
    let feature = format!("feature/{REQ}");
    s.env.git(&[
        "push",
        "-q",
        "origin",
        &format!("main~1:refs/heads/{feature}"),
    ]);
    let theirs = s.remote_sha(&format!("refs/heads/{feature}")).unwrap();
    s.refuse_with("refs/heads/main", &hook_lines("protected-branch-GH006.txt"));
    let _server = s.over_http();
    let out = s.berry().args(["--yes", "push"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", s.env.transcript(&out));
    assert!(
        stderr(&out).contains("berry did not push it"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.remote_sha(&format!("refs/heads/{feature}")), Some(theirs));
    assert!(s.context()["ledger"]["push"].is_null());
}

/// On a terminal the operator is asked; declining the feature branch pushes nothing and is a
/// push failure for a person (exit 1, reported like any push berry cannot remedy).
#[test]
fn declining_the_feature_branch_on_a_terminal_pushes_nothing() {
    let s = Shipping::new("main");
    s.refuse_with("refs/heads/main", &hook_lines("protected-branch-GH006.txt"));
    let _server = s.over_http();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_berry"));
    s.env.apply_env(&mut cmd);
    cmd.current_dir(&s.env.repo)
        .env("TERM", "xterm")
        .env("GH_TOKEN", TOKEN)
        .env("BERRY_DELIVERABLES", &s.deliverables)
        .arg("push");
    crate::common::screen_size(&mut cmd, crate::common::PTY_ROWS, crate::common::PTY_COLS);
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string(&format!("Push feature/{REQ} instead"))
        .unwrap();
    p.send("n").unwrap();
    p.flush().unwrap();
    p.exp_string("declined").unwrap();
    p.exp_eof().unwrap();
    let status = p.process().wait().unwrap();
    assert!(format!("{status:?}").ends_with(", 1)"), "{status:?}");
    assert_eq!(s.remote_sha(&format!("refs/heads/feature/{REQ}")), None);
    assert!(s.context()["ledger"]["push"].is_null());
    let failure = &s.context()["ledger"]["failures"];
    assert!(
        failure.to_string().contains("declined"),
        "the failure is recorded with what was tried: {failure}"
    );
}

/// Without a token, git's credential helper answers, as it would for `git push`.
#[test]
fn git_credential_helpers_are_asked_when_no_token_is_set() {
    let s = Shipping::new("main");
    let _server = s.over_http();
    s.env.git(&[
        "config",
        "credential.helper",
        &format!("!f() {{ echo username=x-access-token; echo password={TOKEN}; }}; f"),
    ]);
    let out = s
        .berry()
        .env_remove("GH_TOKEN")
        .arg("push")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(s.sha.as_str())
    );
}

/// The branch goes to its configured upstream (remote and branch name), and --json prints one
/// line with the record.
#[test]
fn the_upstream_decides_where_the_branch_goes() {
    let s = Shipping::new("work");
    let url = format!("file://{}", s.bare.display());
    s.env.git(&["remote", "add", "upstream", &url]);
    s.env.git(&["config", "branch.work.remote", "upstream"]);
    s.env
        .git(&["config", "branch.work.merge", "refs/heads/shipping"]);
    let out = s.berry().args(["--json", "push"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let line: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(line["step"], "push");
    assert_eq!(line["outcome"], "ok");
    assert_eq!(line["data"]["remote"], "upstream");
    assert_eq!(line["data"]["ref"], "refs/heads/shipping");
    assert_eq!(
        s.remote_sha("refs/heads/shipping").as_deref(),
        Some(s.sha.as_str())
    );
    assert_eq!(s.remote_sha("refs/heads/work"), None);
}

/// berry reads the CA bundle only when an https transfer starts (no command pays for it at
/// start-up): an HTTPS push still verifies the server, with the bundle in SSL_CERT_FILE or the
/// system's.
#[test]
fn an_https_push_verifies_the_server_against_the_ca_store_loaded_before_the_transfer() {
    let s = Shipping::new("main");
    let (_server, ca) = s.over_https();
    let before = s.remote_sha("refs/heads/main");

    // The system's bundle does not know the test CA: the certificate check fails, nothing moves.
    let out = s.berry().arg("push").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", s.env.transcript(&out));
    assert!(
        stderr(&out).to_lowercase().contains("certificate"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.remote_sha("refs/heads/main"), before);

    // The operator's bundle trusts it: pushed and verified.
    let out = s
        .berry()
        .env("SSL_CERT_FILE", &ca)
        .arg("push")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(s.sha.as_str())
    );
}

/// Over https (berry's own transport) the credential sources are the same as over http, each
/// offered once and in the same order: a wrong token, then no credential helper, is an
/// authentication failure naming both; a helper that knows the right token is asked after it.
#[test]
fn an_https_push_offers_the_token_then_the_credential_helper_and_names_both_when_refused() {
    let mut s = Shipping::new("main");
    // A pack larger than one request buffer: its body is streamed to the server (chunked).
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: Vec<u8> = (0..3 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(s.env.repo.join("assets.bin"), &noise).unwrap();
    s.env.git(&["add", "assets.bin"]);
    s.env.git(&["commit", "-q", "--amend", "--no-edit"]);
    s.sha = s.env.git(&["rev-parse", "HEAD"]).trim().to_string();
    s.record_commit();
    let (_server, ca) = s.over_https();
    let before = s.remote_sha("refs/heads/main");
    let wrong = "ghp_wrongWrongWrong0123456789abcdefABCD";

    let push = || {
        s.berry()
            .env("SSL_CERT_FILE", &ca)
            .env("GH_TOKEN", wrong)
            .arg("push")
            .output()
            .unwrap()
    };
    let out = push();
    assert_eq!(out.status.code(), Some(1), "{}", s.env.transcript(&out));
    let err = stderr(&out);
    assert!(err.contains("authentication to `origin`"), "{err}");
    assert!(
        err.contains(
            "tried the token in GH_TOKEN (as x-access-token), then git's credential helpers (none gave a credential)"
        ),
        "{err}"
    );
    assert!(!err.contains(wrong), "{err}");
    assert_eq!(s.remote_sha("refs/heads/main"), before);

    s.env.git(&[
        "config",
        "credential.helper",
        &format!("!f() {{ echo username=x-access-token; echo password={TOKEN}; }}; f"),
    ]);
    let out = push();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(s.sha.as_str())
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains(TOKEN));
}

/// A remote that moved on is fetched over https (the ref read, the fetch and the push all go
/// through berry's transport), rebased onto, and pushed once tested.
#[test]
fn an_https_remote_that_moved_on_is_fetched_rebased_onto_and_pushed() {
    let s = Shipping::new("main");
    let theirs = s.someone_else_pushes("main", "docs/NOTES.md", "their notes\n");
    let (_server, ca) = s.over_https();

    let out = s
        .berry()
        .env("SSL_CERT_FILE", &ca)
        .args(["--yes", "push"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", s.env.transcript(&out));
    assert_eq!(s.env.git(&["rev-parse", "HEAD~1"]).trim(), theirs);
    assert_eq!(s.env.read("docs/NOTES.md"), "their notes\n");

    s.record_tests();
    let out = s
        .berry()
        .env("SSL_CERT_FILE", &ca)
        .args(["--yes", "push"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let head = s.env.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(head.as_str())
    );
    assert_ne!(head, s.sha);
}
