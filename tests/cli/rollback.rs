//! `berry rollback` end to end on a bare origin (and through the fake GitHub on a protected
//! branch): the revert of what berry shipped, made on the remote head, tested, pushed, health
//! re-run, the tracker ROLLED_BACK, the notice; a conflict changes nothing; a kill at each
//! fault point and a rerun end as an uninterrupted run.

use std::os::unix::process::ExitStatusExt;

use serde_json::Value;

use crate::common::{ERP, REQ};
use crate::complete::TRACKER;
use crate::crash::FakeGitHub;
use crate::fakes::{NAME, OWNER, Shipping, hook_lines};

const SERVICE: &str = "backend/src/modules/crm/crm.service.ts";

/// Pushed and completed (the tracker commit pushed too), with a test command and a health check
/// that pass, NATS off.
fn completed(extra: &str) -> (Shipping, std::path::PathBuf) {
    let (s, config) = crate::tracker_commit::shipped(&format!(
        "[[test.commands]]\nname = \"unit\"\nargv = [\"true\"]\n\n[[health.checks]]\nname = \"api\"\nargv = [\"true\"]\n\n{extra}"
    ));
    // The unrelated staged edit of the setup is not this test's concern.
    s.env.git(&["reset", "-q", "README.md"]);
    s.env.git(&["checkout", "-q", "--", "README.md"]);
    for step in [&["health"][..], &["complete", "--yes"]] {
        let out = s
            .berry()
            .env("BERRY_CONFIG", &config)
            .args(step)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{step:?}: {}",
            s.env.transcript(&out)
        );
    }
    (s, config)
}

fn rollback(s: &Shipping, config: &std::path::Path) -> assert_cmd::Command {
    let mut c = s.berry();
    c.env("BERRY_CONFIG", config).args([
        "--json",
        "rollback",
        "--reason",
        "error rate up after deploy",
    ]);
    c
}

#[test]
fn rollback_reverts_on_the_remote_head_tests_pushes_checks_health_and_marks_rolled_back() {
    let (s, config) = completed("");
    // Someone pushed after the deployment: the revert goes on top of their work.
    let theirs = s.someone_else_pushes("main", "docs/after.md", "after\n");
    let out = rollback(&s, &config).output().unwrap();
    let t = s.env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let e = &s.env;
    let ctx = s.context();
    let r = &ctx["ledger"]["rollback"];
    let revert = r["revert"].as_str().unwrap().to_string();
    assert_eq!(r["onto"], theirs.as_str());
    assert_eq!(r["target"], s.sha.as_str());
    assert_eq!(e.git(&["rev-parse", &format!("{revert}^")]).trim(), theirs);
    // The revert undoes exactly the shipped commit: its tree is theirs minus berry's change.
    assert_eq!(
        e.git(&["show", &format!("{revert}:{ERP}/{SERVICE}")]),
        e.git(&["show", &format!("{}^:{ERP}/{SERVICE}", s.sha)])
    );
    assert_eq!(
        e.git(&["show", &format!("{revert}:docs/after.md")]),
        "after\n"
    );
    let msg = e.git(&["log", "-1", "--format=%B", &revert]);
    assert!(msg.starts_with("Revert \"feat("), "{msg}");
    assert!(
        msg.contains(&format!("This reverts commit {}.", s.sha)),
        "{msg}"
    );
    assert!(msg.contains(&format!("Berry-Rollback: {}", s.sha)), "{msg}");
    // Pushed; then the tracker's ROLLED_BACK commit on top of it.
    let remote = s.remote_sha("refs/heads/main").unwrap();
    assert_eq!(e.git(&["rev-parse", &format!("{remote}^")]).trim(), revert);
    assert_eq!(
        e.git(&["log", "-1", "--format=%s", &remote]).trim(),
        format!("chore({REQ}): ROLLED_BACK")
    );
    let tracker = e.read(TRACKER);
    assert!(tracker.contains("**Status**: ROLLED_BACK\n"), "{tracker}");
    assert!(
        tracker.contains(&format!("**Revert Commit**: {}\n", &revert[..7])),
        "{tracker}"
    );
    assert!(
        tracker.contains("**Reason**: error rate up after deploy\n"),
        "{tracker}"
    );
    assert!(
        tracker.contains("**Rolled Back At**: 2026-01-05T12:00:00Z\n"),
        "{tracker}"
    );
    assert!(
        tracker.contains(&format!("**Commit**: {}\n", &s.sha[..7])),
        "what was rolled back stays: {tracker}"
    );
    assert_eq!(ctx["state"], "ROLLED_BACK");
    assert_eq!(r["tested"], true);
    assert_eq!(r["health"][0]["passed"], true);
    assert!(r["duration_ms"].as_u64().is_some(), "{r}");
    assert!(t.contains("rollback time to health green"), "{t}");
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["data"]["notice"]["status"], "ROLLED_BACK");
    assert_eq!(
        line["data"]["msg_id"],
        format!("berry-{REQ}-rolled_back-{revert}")
    );

    // A rerun does nothing.
    let again = rollback(&s, &config).output().unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", s.env.transcript(&again));
    assert!(s.env.transcript(&again).contains("already rolled back"));
    assert_eq!(s.remote_sha("refs/heads/main").unwrap(), remote);
}

#[test]
fn a_conflicting_revert_changes_nothing_and_names_the_files() {
    let (s, config) = completed("");
    let theirs = s.someone_else_pushes(
        "main",
        &format!("{ERP}/{SERVICE}"),
        "export const rewritten = 1;\n",
    );
    let before = s.repo_state();
    let tracker = s.env.read(TRACKER);
    let out = rollback(&s, &config).output().unwrap();
    let t = s.env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(t.contains(&format!("conflicts in: {ERP}/{SERVICE}")), "{t}");
    assert!(t.contains("nothing was changed"), "{t}");
    assert_eq!(s.repo_state(), before, "byte-identical");
    assert_eq!(s.env.read(TRACKER), tracker);
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(theirs.as_str())
    );
}

#[test]
fn killed_at_each_rollback_point_a_rerun_ends_as_an_uninterrupted_run() {
    let (clean, config) = completed("");
    let out = rollback(&clean, &config).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", clean.env.transcript(&out));
    let expect_tracker = clean.env.read(TRACKER);
    let expect_count = clean
        .env
        .git_in(&clean.bare, &["rev-list", "--count", "main"]);
    for point in [
        "rollback-reverted",
        "rollback-pushed",
        "tracker-written",
        "tracker-committed",
    ] {
        let (s, config) = completed("");
        let out = rollback(&s, &config)
            .env("BERRY_FAULT", point)
            .output()
            .unwrap();
        assert_eq!(
            out.status.signal(),
            Some(9),
            "{point}: {}",
            s.env.transcript(&out)
        );
        let again = rollback(&s, &config).output().unwrap();
        assert_eq!(
            again.status.code(),
            Some(0),
            "{point}: {}",
            s.env.transcript(&again)
        );
        assert_eq!(s.env.read(TRACKER), expect_tracker, "{point}");
        assert_eq!(
            s.env.git_in(&s.bare, &["rev-list", "--count", "main"]),
            expect_count,
            "{point}: one revert, one tracker commit"
        );
        assert_eq!(s.context()["state"], "ROLLED_BACK", "{point}");
    }
}

#[test]
fn on_a_protected_branch_the_revert_goes_to_a_pull_request() {
    let (s, config) = completed("");
    s.refuse_with("refs/heads/main", &hook_lines("protected-branch-GH006.txt"));
    let _server = s.over_http();
    let gh = FakeGitHub::start();
    let before = s.remote_sha("refs/heads/main");
    for fault in [Some("rollback-pr-created"), None] {
        let mut c = rollback(&s, &config);
        c.env("GITHUB_API_URL", &gh.url)
            .env("BERRY_GITHUB_REPO", format!("{OWNER}/{NAME}"));
        if let Some(f) = fault {
            c.env("BERRY_FAULT", f);
        }
        let out = c.output().unwrap();
        if fault.is_some() {
            assert_eq!(out.status.signal(), Some(9), "{}", s.env.transcript(&out));
        } else {
            assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
        }
    }
    assert_eq!(s.remote_sha("refs/heads/main"), before, "main untouched");
    let revert = s.context()["ledger"]["rollback"]["revert"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        s.remote_sha(&format!("refs/heads/revert/{REQ}")).as_deref(),
        Some(revert.as_str())
    );
    let posts: Vec<_> = gh
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/pulls"))
        .collect();
    assert_eq!(posts.len(), 1, "one pull request, also after the kill");
    let asked: Value = serde_json::from_str(&posts[0].body).unwrap();
    assert_eq!(
        asked["title"],
        format!("Revert {REQ}: Integrated CRM & Sales Pipeline Management")
    );
    assert_eq!(asked["head"], format!("revert/{REQ}"));
    assert_eq!(asked["base"], "main");
    assert_eq!(s.context()["state"], "ROLLED_BACK");
}

#[test]
fn a_rollback_runs_during_a_freeze_unless_the_window_says_rollback_false() {
    let friday = "2026-01-09T12:00:00Z";
    let (s, config) = completed("[[deploy.freeze]]\ndays = [\"Fri\"]\nrollback = false\n");
    let out = rollback(&s, &config)
        .env("BERRY_NOW", friday)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", s.env.transcript(&out));
    assert!(s.env.transcript(&out).contains("`berry rollback` refuses"));
    let out = rollback(&s, &config)
        .env("BERRY_NOW", friday)
        .arg("--override-freeze")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    assert_eq!(
        s.context()["ledger"]["freeze_overrides"][0]["step"],
        "rollback"
    );

    let (s, config) = completed("[[deploy.freeze]]\ndays = [\"Fri\"]\n");
    let out = rollback(&s, &config)
        .env("BERRY_NOW", friday)
        .output()
        .unwrap();
    let t = s.env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("`berry rollback` may run during it"), "{t}");
}
