//! `berry commit` in real repositories: exactly the reviewed set staged, the message, hooks,
//! the evidence re-check, idempotency, the editor on a pseudo-terminal.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use crate::common::*;

/// A repository with the AgogSaaS base committed, the agents' changes pending, verified and
/// reviewed from the offline deliverables. Returns the deliverables folder.
fn reviewed(env: &TestEnv) -> PathBuf {
    env.agog_base();
    env.agog_changes();
    let dir = env.verify_approved();
    env.berry()
        .arg("--deliverables")
        .arg(&dir)
        .args(["--yes", "review"])
        .assert()
        .success();
    dir
}

fn commit(env: &TestEnv, dir: &PathBuf, extra: &[&str]) -> std::process::Output {
    env.berry()
        .arg("--deliverables")
        .arg(dir)
        .args(extra)
        .arg("commit")
        .output()
        .unwrap()
}

fn hook(env: &TestEnv, rel: &str, body: &str) {
    env.write(rel, format!("#!/bin/sh\n{body}\n"));
    let p = env.repo.join(rel);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn context(env: &TestEnv) -> serde_json::Value {
    let text = std::fs::read_to_string(env.repo.join(format!(".git/berry/{REQ}.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn commits_exactly_the_reviewed_set_with_renames_and_deletions() {
    let env = TestEnv::new();
    let dir = reviewed(&env);
    let out = commit(&env, &dir, &["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(" 6 files changed, "),
        "{}",
        env.transcript(&out)
    );
    let names = env.git(&["show", "--name-status", "-M", "--format=", "HEAD"]);
    let mut lines: Vec<&str> = names.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        vec![
            format!("A\t{ERP}/backend/migrations/V0.0.63__crm.sql"),
            format!("A\t{ERP}/backend/src/graphql/crm.graphql"),
            format!("A\t{ERP}/frontend/src/pages/ContactsPage.tsx"),
            format!("D\t{ERP}/frontend/src/utils/obsolete.ts"),
            format!("M\t{ERP}/backend/src/modules/crm/crm.service.ts"),
            format!(
                "R100\t{ERP}/backend/src/modules/crm/old-name.ts\t{ERP}/backend/src/modules/crm/legacy.ts"
            ),
        ]
    );
    // Out of scope stays uncommitted; git sees a clean index for what was committed.
    let status = env.git(&["status", "--porcelain"]);
    assert_eq!(status, " M README.md\n", "{status}");
    assert_eq!(
        env.git(&["log", "-1", "--format=%an <%ae>|%cn"]).trim(),
        "Dana Ops <dana@example.com>|Dana Ops"
    );
    // The ledger holds what push needs.
    let ctx = context(&env);
    let c = &ctx["ledger"]["commit"];
    assert_eq!(c["sha"], env.git(&["rev-parse", "HEAD"]).trim());
    assert_eq!(c["branch"], "main");
    assert_eq!(c["files_changed"], 6);
    assert_eq!(c["files"].as_array().unwrap().len(), 7, "{c}");
    assert_eq!(ctx["steps"]["commit"]["outcome"], "ok");
    // stdout is the commit id.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        c["sha"].as_str().unwrap()
    );

    // Rerun: reported, no second commit.
    let again = commit(&env, &dir, &["--yes"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already committed"));
    assert_eq!(env.git(&["rev-list", "--count", "HEAD"]).trim(), "2");
}

#[test]
fn message_snapshot_and_trailers_parse_with_git() {
    let env = TestEnv::new();
    let dir = reviewed(&env);
    let out = commit(&env, &dir, &["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let msg = env.git(&["log", "-1", "--format=%B"]);
    let ctx = context(&env);
    let row = ctx["evidence"]["qa"]["row_id"]
        .as_str()
        .unwrap()
        .to_string();
    let sha = ctx["evidence"]["qa"]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    insta::assert_snapshot!(
        "commit_message",
        msg.replace(&sha, "sha256:[HASH]").replace(&row, "[ROW]")
    );
    let mut cmd = std::process::Command::new("git");
    env.apply_env(&mut cmd);
    let parsed = cmd
        .current_dir(&env.repo)
        .args(["interpret-trailers", "--parse"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(msg.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    let trailers = String::from_utf8(parsed.stdout).unwrap();
    assert!(
        trailers.contains(&format!("Berry-Req: {REQ}\n")),
        "{trailers}"
    );
    assert!(
        trailers.contains(&format!("QA-Evidence: {row} {sha}\n")),
        "{trailers}"
    );
    assert!(
        trailers.contains("Co-Authored-By: Billy (QA) <billy@agogsaas.ai>\n"),
        "{trailers}"
    );
    assert_eq!(trailers.matches("Co-Authored-By:").count(), 6, "{trailers}");
}

#[test]
fn guard_exception_becomes_a_trailer() {
    let env = TestEnv::new();
    env.agog_base();
    env.agog_changes();
    env.write(
        &format!("{ERP}/backend/src/modules/crm/fixture.ts"),
        "export const key = 'AKIAQ3EGRTWPLXS7NB5M';\n",
    );
    let dir = env.verify_approved();
    let path = format!("{ERP}/backend/src/modules/crm/fixture.ts");
    let review = env
        .berry()
        .arg("--deliverables")
        .arg(&dir)
        .args(["--yes", "review", "--allow"])
        .arg(format!("secrets:{path}"))
        .args(["--reason", "AWS documentation example key"])
        .output()
        .unwrap();
    assert_eq!(review.status.code(), Some(0), "{}", env.transcript(&review));
    let out = commit(&env, &dir, &["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let trailers = env.git(&["log", "-1", "--format=%(trailers:key=Guard-Allowed)"]);
    assert_eq!(
        trailers.trim(),
        format!("Guard-Allowed: secrets:{path} (AWS documentation example key)")
    );
}

#[test]
fn dry_run_shows_the_set_and_message_and_changes_nothing() {
    let env = TestEnv::new();
    let dir = reviewed(&env);
    let index_before = std::fs::read(env.repo.join(".git/index")).unwrap();
    let out = commit(&env, &dir, &["--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("remove {ERP}/frontend/src/utils/obsolete.ts")),
        "{err}"
    );
    assert!(
        err.contains(&format!("stage  {ERP}/backend/src/modules/crm/legacy.ts")),
        "{err}"
    );
    assert!(err.contains(&format!(
        "feat({REQ}): Integrated CRM & Sales Pipeline Management"
    )));
    assert!(err.contains(&format!("Berry-Req: {REQ}")), "{err}");
    assert_eq!(
        std::fs::read(env.repo.join(".git/index")).unwrap(),
        index_before
    );
    assert_eq!(env.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
    assert!(context(&env)["ledger"]["commit"].is_null());
}

#[test]
fn a_file_changed_after_review_is_not_committed_without_a_re_review() {
    let env = TestEnv::new();
    let dir = reviewed(&env);
    let svc = format!("{ERP}/backend/src/modules/crm/crm.service.ts");
    env.write(
        &svc,
        "export class CrmService {\n  list() {\n    return ['edited later'];\n  }\n}\n",
    );
    // No terminal: shown, then a closed gate (exit 3) pointing at review; --yes the same.
    for extra in [&[][..], &["--yes"][..]] {
        let out = commit(&env, &dir, extra);
        assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("changed since review"), "{err}");
        assert!(err.contains("not stored in git"), "{err}");
        assert!(err.contains("+    return ['edited later'];"), "{err}");
        assert!(err.contains("berry review"), "{err}");
        assert_eq!(env.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
    }
}

#[test]
fn a_file_staged_by_someone_else_stays_staged_and_is_not_committed() {
    let env = TestEnv::new();
    let dir = reviewed(&env);
    env.write("notes/unrelated.txt", "someone's work\n");
    env.git(&["add", "notes/unrelated.txt"]);
    // Without a terminal the question cannot be asked.
    let out = commit(&env, &dir, &[]);
    assert_eq!(out.status.code(), Some(4), "{}", env.transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("A  notes/unrelated.txt"));
    // --yes takes the default: left out.
    let out = commit(&env, &dir, &["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let committed = env.git(&["show", "--name-only", "--format=", "HEAD"]);
    assert!(!committed.contains("unrelated"), "{committed}");
    let status = env.git(&["status", "--porcelain"]);
    assert!(status.contains("A  notes/unrelated.txt"), "{status}");
    assert!(
        !status.contains(ERP),
        "reviewed files are committed and clean: {status}"
    );
}

#[test]
fn commit_msg_hook_that_rejects_stops_the_commit() {
    let env = TestEnv::new();
    let dir = reviewed(&env);
    hook(
        &env,
        ".git/hooks/commit-msg",
        "echo 'commit-msg: JIRA key missing' >&2; exit 1",
    );
    let out = commit(&env, &dir, &["--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("commit-msg: JIRA key missing"), "{err}");
    assert!(err.contains("commit-msg hook rejected the commit"), "{err}");
    assert_eq!(env.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
    // Nothing left behind: the index is as before (nothing staged), no temp index.
    assert_eq!(env.git(&["diff", "--cached", "--name-only"]), "");
    assert!(
        !std::fs::read_dir(env.repo.join(".git"))
            .unwrap()
            .flatten()
            .any(|e| e
                .file_name()
                .to_string_lossy()
                .starts_with("berry-next-index"))
    );
}

#[test]
fn commit_msg_hook_that_rewrites_the_message_is_used() {
    let env = TestEnv::new();
    let dir = reviewed(&env);
    hook(
        &env,
        ".git/hooks/commit-msg",
        "sed -i 's/^feat(/feat(crm)!: (/' \"$1\"; printf '\\nSigned-off-by: Hook <hook@example.com>\\n' >> \"$1\"",
    );
    hook(
        &env,
        ".git/hooks/prepare-commit-msg",
        "[ \"$2\" = message ] || exit 1; echo \"prepare: $1 $2\" >&2",
    );
    hook(
        &env,
        ".git/hooks/pre-commit",
        "echo \"pre-commit index: $GIT_INDEX_FILE editor: $GIT_EDITOR author: $GIT_AUTHOR_NAME $GIT_AUTHOR_DATE\" >&2; \
         git diff --cached --name-only | grep -q ContactsPage.tsx || exit 1; pwd >&2",
    );
    hook(&env, ".git/hooks/post-commit", "echo post-commit ran >&2");
    let out = commit(&env, &dir, &["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pre-commit index: "), "{err}");
    assert!(err.contains("berry-next-index"), "{err}");
    assert!(
        err.contains("editor: : author: Dana Ops @1767614400 +0000"),
        "{err}"
    );
    assert!(err.contains("prepare: "), "{err}");
    assert!(err.contains("COMMIT_EDITMSG message"), "{err}");
    assert!(err.contains("post-commit ran"), "{err}");
    let root = std::fs::canonicalize(&env.repo).unwrap();
    assert!(
        err.contains(&format!("\n{}\n", root.display())),
        "hooks run in the root: {err}"
    );
    let msg = env.git(&["log", "-1", "--format=%B"]);
    assert!(msg.starts_with(&format!("feat(crm)!: ({REQ}): ")), "{msg}");
    assert!(
        msg.trim_end()
            .ends_with("Signed-off-by: Hook <hook@example.com>"),
        "{msg}"
    );
}

#[test]
fn husky_style_hooks_path_relative_to_the_root() {
    let env = TestEnv::new();
    let dir = reviewed(&env);
    env.git(&["config", "core.hooksPath", ".husky"]);
    hook(
        &env,
        ".husky/pre-commit",
        "echo 'husky: lint failed' >&2; exit 7",
    );
    // A hook in .git/hooks is not the one git would run now.
    hook(&env, ".git/hooks/pre-commit", "exit 0");
    let sub = env.repo.join(ERP);
    let out = env
        .berry()
        .current_dir(&sub)
        .arg("--deliverables")
        .arg(&dir)
        .args(["--yes", "commit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("husky: lint failed"), "{err}");
    assert!(err.contains("pre-commit hook rejected"), "{err}");
    assert_eq!(env.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
}

#[test]
fn evidence_changed_in_postgres_closes_the_gate() {
    let env = TestEnv::new();
    let db = PgDb::new();
    db.load(REQ, None);
    env.agog_base();
    env.agog_changes();
    let url = db.url();
    env.berry()
        .env("BERRY_DATABASE_URL", &url)
        .args(["verify", REQ])
        .assert()
        .success();
    env.berry()
        .env("BERRY_DATABASE_URL", &url)
        .args(["--yes", "review"])
        .assert()
        .success();
    db.client()
        .execute(
            "UPDATE nats_deliverable_cache SET deliverable = deliverable || '{\"testsFailed\": 2}'::jsonb \
             WHERE req_number = $1 AND agent = 'billy'",
            &[&REQ],
        )
        .unwrap();
    let out = env
        .berry()
        .env("BERRY_DATABASE_URL", &url)
        .args(["--yes", "commit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the QA evidence changed"), "{err}");
    assert!(err.contains("berry verify"), "{err}");
    assert_eq!(env.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
    assert_eq!(env.git(&["diff", "--cached", "--name-only"]), "");
}

#[test]
fn a_commit_made_but_not_recorded_is_adopted_not_repeated() {
    let env = TestEnv::new();
    let dir = reviewed(&env);
    let out = commit(&env, &dir, &["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    // As if berry was killed between the commit and its record.
    let path = env.repo.join(format!(".git/berry/{REQ}.json"));
    let mut ctx = context(&env);
    ctx["ledger"]["commit"] = serde_json::Value::Null;
    std::fs::write(&path, serde_json::to_vec(&ctx).unwrap()).unwrap();
    let out = commit(&env, &dir, &["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("was not recorded"));
    assert_eq!(env.git(&["rev-list", "--count", "HEAD"]).trim(), "2");
    assert_eq!(
        context(&env)["ledger"]["commit"]["sha"],
        env.git(&["rev-parse", "HEAD"]).trim()
    );
}

#[test]
fn first_commit_on_an_unborn_branch_and_refusals() {
    let env = TestEnv::new();
    env.write(&format!("{ERP}/backend/src/app.ts"), "export {};\n");
    let dir = env.verify_approved();
    env.berry()
        .arg("--deliverables")
        .arg(&dir)
        .args(["--yes", "review"])
        .assert()
        .success();
    let out = commit(&env, &dir, &["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[main (root-commit) "));
    assert_eq!(env.git(&["rev-list", "--count", "HEAD"]).trim(), "1");

    // Detached HEAD: refused with a clear message.
    let env = TestEnv::new();
    let dir = reviewed(&env);
    env.git(&["checkout", "-q", "--detach"]);
    let out = commit(&env, &dir, &["--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", env.transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HEAD is detached"));
    env.git(&["checkout", "-q", "main"]);
    // Mid-merge: refused.
    std::fs::write(
        env.repo.join(".git/MERGE_HEAD"),
        env.git(&["rev-parse", "HEAD"]),
    )
    .unwrap();
    let out = commit(&env, &dir, &["--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", env.transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("in the middle of a merge"));
}

#[test]
fn editor_flow_on_a_terminal() {
    let env = TestEnv::new();
    let dir = reviewed(&env);
    let editor = env.path().join("fake-editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nsed -i 's/^feat(\\(.*\\)): .*/feat(\\1): Edited in the editor/' \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("berry"));
    env.apply_env(&mut cmd);
    cmd.current_dir(&env.repo)
        .env("GIT_EDITOR", &editor)
        .env("TERM", "dumb")
        .env("BERRY_PAGER", "cat")
        .arg("--deliverables")
        .arg(&dir)
        .arg("commit");
    crate::common::screen_size(&mut cmd, crate::common::PTY_ROWS, crate::common::PTY_COLS);
    let mut s = rexpect::session::spawn_command(cmd, Some(30_000)).unwrap();
    s.exp_string("Berry-Req: ").unwrap();
    s.exp_string("Edit the message before committing?").unwrap();
    s.send("y").unwrap();
    s.flush().unwrap();
    s.exp_string("files changed").unwrap();
    s.exp_eof().unwrap();
    let msg = env.git(&["log", "-1", "--format=%B"]);
    assert!(
        msg.starts_with(&format!("feat({REQ}): Edited in the editor\n")),
        "{msg}"
    );
    assert!(
        !msg.contains("# Edit the commit message"),
        "comments are stripped: {msg}"
    );
    assert!(msg.contains(&format!("Berry-Req: {REQ}")), "{msg}");
}

#[test]
fn repository_template_override_and_json_report() {
    let env = TestEnv::new();
    let dir = reviewed(&env);
    env.write(
        ".berry/templates/commit.txt",
        "{{ req }}: {{ title | lower }}\n\nTested: {{ qa.lines | join('; ') }}\n\nBerry-Req: {{ trailers.berry_req }}\nQA-Evidence: {{ trailers.qa_evidence }}\n",
    );
    let out = commit(&env, &dir, &["--yes", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["step"], "commit");
    assert_eq!(v["outcome"], "ok");
    assert_eq!(v["data"]["sha"], env.git(&["rev-parse", "HEAD"]).trim());
    // The same figures git gives, renames found.
    let short = env.git(&["show", "--shortstat", "-M", "--format=", "HEAD"]);
    assert_eq!(
        short.trim(),
        format!(
            "{} files changed, {} insertions(+), {} deletions(-)",
            v["data"]["files_changed"], v["data"]["insertions"], v["data"]["deletions"]
        )
    );
    let msg = env.git(&["log", "-1", "--format=%B"]);
    assert!(
        msg.starts_with(&format!(
            "{REQ}: integrated crm & sales pipeline management\n\nTested: Tests: 75/75 passed (0 failed, 0 skipped)\n"
        )),
        "{msg}"
    );

    // A broken override is a configuration error naming the file.
    let env = TestEnv::new();
    let dir = reviewed(&env);
    env.write(".berry/templates/commit.txt", "{{ nope.x }}\n");
    let out = commit(&env, &dir, &["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", env.transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".berry/templates/commit.txt"));
    assert_eq!(env.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
}
