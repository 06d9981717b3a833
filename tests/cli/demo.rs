//! `berry demo` end to end, and `berry run`: interrupted and resumed, and its NDJSON.

use serde_json::Value;

use crate::common::{ERP, REQ, TestEnv};
use crate::nats::{TestStream, closed_port};

fn git_in(env: &TestEnv, dir: &std::path::Path, args: &[&str]) -> String {
    env.git_in(dir, args)
}

#[test]
fn demo_ships_the_approved_req_into_the_bare_origin() {
    let env = TestEnv::new();
    let dir = env.path().join("sandbox");
    let out = env
        .berry()
        .arg("demo")
        .arg(&dir)
        .env("NATS_URL", format!("nats://127.0.0.1:{}", closed_port()))
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("pr skipped: no GitHub repository"), "{t}");
    assert!(t.contains("watch skipped: no GitHub repository"), "{t}");
    assert!(t.contains("notices are shown, not sent"), "{t}");
    assert!(t.contains("berry status"), "{t}");

    // The tracker edit follows berry's commit to the origin as a commit of its own, touching
    // the tracker alone, marked [skip ci].
    let origin = dir.join("origin.git");
    let tracker_commit = git_in(&env, &origin, &["log", "-1", "--format=%B", "main"]);
    assert!(
        tracker_commit.starts_with(&format!("chore({REQ}): DEPLOYED\n\n[skip ci]\n")),
        "{tracker_commit}"
    );
    assert_eq!(
        git_in(&env, &origin, &["show", "--name-only", "--format=", "main"]).trim(),
        "project-spirit/owner_requests/OWNER_REQUESTS.md"
    );
    // berry's commit is in the bare origin, with berry's trailers.
    let message = git_in(&env, &origin, &["log", "-1", "--format=%B", "main~1"]);
    assert!(
        message.starts_with(&format!(
            "feat({REQ}): Integrated CRM & Sales Pipeline Management"
        )),
        "{message}"
    );
    let trailers = {
        let mut cmd = std::process::Command::new("git");
        env.apply_env(&mut cmd);
        let mut child = cmd
            .args(["interpret-trailers", "--parse"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(message.as_bytes())
            .unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
    };
    assert!(
        trailers.contains(&format!("Berry-Req: {REQ}")),
        "{trailers}"
    );
    assert!(trailers.contains("QA-Evidence: file:"), "{trailers}");
    let files = git_in(
        &env,
        &origin,
        &["show", "--name-status", "--format=", "main~1"],
    );
    assert!(
        files.contains(&format!("D\t{ERP}/frontend/src/utils/legacyFormat.ts")),
        "{files}"
    );
    assert!(
        !files.contains("README.md"),
        "the change outside scope is not committed: {files}"
    );

    // The tracker says DEPLOYED with the shipped commit; the context is complete.
    let repo = dir.join("agogsaas");
    let sha = git_in(&env, &repo, &["rev-parse", "HEAD~1"])
        .trim()
        .to_string();
    assert_eq!(
        git_in(
            &env,
            &repo,
            &["status", "--porcelain", "--", "project-spirit"]
        ),
        "",
        "the tracker edit is committed"
    );
    let tracker =
        std::fs::read_to_string(repo.join("project-spirit/owner_requests/OWNER_REQUESTS.md"))
            .unwrap();
    assert!(tracker.contains("**Status**: DEPLOYED"), "{tracker}");
    assert!(
        tracker.contains(&format!("**Commit**: {}", &sha[..7])),
        "{tracker}"
    );
    assert!(tracker.contains("**Deployed By**: berry"), "{tracker}");
    let ctx: Value = serde_json::from_slice(
        &std::fs::read(repo.join(".git/berry").join(format!("{REQ}.json"))).unwrap(),
    )
    .unwrap();
    for (step, outcome) in [
        ("verify", "ok"),
        ("review", "ok"),
        ("commit", "ok"),
        ("test", "ok"),
        ("push", "ok"),
        ("pr", "skipped"),
        ("watch", "skipped"),
        ("complete", "ok"),
    ] {
        assert_eq!(ctx["steps"][step]["outcome"], outcome, "{step}: {t}");
    }
    assert_eq!(ctx["ledger"]["push"]["sha"], sha);
    // berry status in the sandbox says everything is done.
    let out = env
        .berry()
        .current_dir(&repo)
        .arg("status")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Every step is done."));
}

#[test]
fn demo_rejected_closes_the_gate_and_commits_nothing() {
    let env = TestEnv::new();
    let dir = env.path().join("sandbox");
    let out = env
        .berry()
        .args(["demo", "--rejected"])
        .arg(&dir)
        .env("NATS_URL", format!("nats://127.0.0.1:{}", closed_port()))
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(t.contains("QA has not approved"), "{t}");
    assert!(t.contains("`testResult` is FAIL"), "{t}");
    let repo = dir.join("agogsaas");
    // Nothing of the REQ is committed: the one new commit is the tracker's BLOCKED, alone, and
    // it reaches the origin.
    assert_eq!(
        git_in(&env, &repo, &["rev-list", "--count", "HEAD"]).trim(),
        "2",
        "only the tracker commit"
    );
    assert_eq!(
        git_in(&env, &repo, &["log", "-1", "--format=%s"]).trim(),
        format!("chore({REQ}): BLOCKED")
    );
    assert_eq!(
        git_in(&env, &repo, &["show", "--name-only", "--format=", "HEAD"]).trim(),
        "project-spirit/owner_requests/OWNER_REQUESTS.md"
    );
    assert_eq!(
        git_in(
            &env,
            &dir.join("origin.git"),
            &["rev-list", "--count", "main"]
        )
        .trim(),
        "2"
    );
    let tracker =
        std::fs::read_to_string(repo.join("project-spirit/owner_requests/OWNER_REQUESTS.md"))
            .unwrap();
    assert!(
        tracker.contains("**Status**: BLOCKED"),
        "the demo answers yes to blocking: {t}"
    );
}

/// A repository with a bare origin, an approved REQ in a folder, a test stream for notices.
fn shippable(stream: &TestStream) -> TestEnv {
    let env = TestEnv::new();
    // The gate's configuration is the committed one: berry.toml is part of the base commit.
    let dir = env.deliverables_folder(REQ, None);
    env.write(
        "berry.toml",
        format!(
            "[deliverables]\ndir = \"{}\"\n\n[[test.commands]]\nname = \"whitespace\"\nargv = [\"git\", \"diff\", \"--check\", \"HEAD~1\", \"HEAD\"]\n\n[nats]\nsubject = \"{}\"\n",
            dir.display(),
            stream.template()
        ),
    );
    env.agog_base();
    env.file_origin();
    env.agog_changes();
    env
}

#[test]
fn run_killed_after_the_push_resumes_and_does_nothing_twice() {
    let stream = TestStream::new();
    let env = shippable(&stream);
    let out = env
        .berry()
        .args(["run", REQ, "--yes"])
        .env("NATS_URL", crate::nats::nats_url())
        .env("BERRY_FAULT", "tracker-written")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), None, "killed: {}", env.transcript(&out));
    let origin = env.path().join("origin.git");
    assert_eq!(
        env.git_in(&origin, &["rev-list", "--count", "main"]).trim(),
        "2",
        "pushed before the kill"
    );

    let out = env
        .berry()
        .args(["run", REQ, "--yes"])
        .env("NATS_URL", crate::nats::nats_url())
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(!t.contains("── verify ──"), "resumes where it stopped: {t}");
    assert_eq!(
        env.git_in(&origin, &["rev-list", "--count", "main"]).trim(),
        "3",
        "one commit and one tracker commit, each pushed once"
    );
    assert_eq!(env.git(&["rev-list", "--count", "HEAD"]).trim(), "3");
    assert_eq!(
        env.git(&["log", "-1", "--format=%s"]).trim(),
        format!("chore({REQ}): DEPLOYED")
    );
    let msgs = stream.messages();
    assert_eq!(msgs.len(), 1, "one completion notice");
    let changes = &msgs[0].1["changes"];
    let n = |k: &str| changes[k].as_array().map(|a| a.len()).unwrap_or(0);
    assert_eq!(
        (
            n("files_created"),
            n("files_modified"),
            n("files_deleted"),
            n("files_renamed")
        ),
        (3, 1, 1, 1),
        "{changes}"
    );
    let tracker = env.read("project-spirit/owner_requests/OWNER_REQUESTS.md");
    assert_eq!(tracker.matches("**Deployed At**").count(), 1, "{tracker}");

    // A third run: every step is done.
    let out = env
        .berry()
        .args(["run", REQ, "--yes"])
        .env("NATS_URL", crate::nats::nats_url())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("every step of"));
    assert_eq!(stream.messages().len(), 1);
}

#[test]
fn run_json_is_one_line_per_step() {
    let stream = TestStream::new();
    let env = shippable(&stream);
    let out = env
        .berry()
        .args(["run", REQ, "--yes", "--json", "--to", "push"])
        .env("NATS_URL", crate::nats::nats_url())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect();
    let steps: Vec<(&str, &str)> = lines
        .iter()
        .map(|v| (v["step"].as_str().unwrap(), v["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("verify", "ok"),
            ("review", "ok"),
            ("commit", "ok"),
            ("test", "ok"),
            ("push", "ok")
        ]
    );
    assert!(lines.iter().all(|v| v["req"] == REQ));

    // The rest: pr and watch are skipped with the reason, complete runs.
    let out = env
        .berry()
        .args(["run", "--json"])
        .env("NATS_URL", crate::nats::nats_url())
        .arg("--yes")
        .output()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let steps: Vec<(&str, &str)> = lines
        .iter()
        .map(|v| (v["step"].as_str().unwrap(), v["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("pr", "skipped"),
            ("watch", "skipped"),
            ("health", "skipped"),
            ("complete", "ok")
        ]
    );
    assert!(
        lines[0]["message"]
            .as_str()
            .unwrap()
            .contains("no GitHub repository")
    );
}

#[test]
fn run_stops_at_the_first_closed_gate_with_its_code() {
    let stream = TestStream::new();
    let env = shippable(&stream);
    env.write(
        &format!("{ERP}/backend/src/modules/crm/secret.ts"),
        "export const t = 'AKIAQ3EGRTWPLXS7NB5M';\n",
    );
    let out = env
        .berry()
        .args(["run", REQ, "--yes", "--json"])
        .env("NATS_URL", crate::nats::nats_url())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let last: Value = serde_json::from_str(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .last()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(last["step"], "review");
    assert_eq!(last["outcome"], "blocked");
    assert_eq!(
        env.git(&["rev-list", "--count", "HEAD"]).trim(),
        "1",
        "nothing committed"
    );
}
