//! The tracker edit reaches the repository: `complete` (and `block`) commit the tracker file
//! alone and push it, or say plainly that the edit is left uncommitted.

use std::os::unix::process::ExitStatusExt;

use serde_json::{Value, json};

use crate::common::REQ;
use crate::complete::TRACKER;
use crate::fakes::Shipping;

/// A pushed REQ on `main` with a bare origin, a green watch, NATS off, and unrelated work in the
/// tree: a staged README edit and an unstaged file.
pub fn shipped(config: &str) -> (Shipping, std::path::PathBuf) {
    let s = Shipping::new("main");
    let out = s.berry().arg("push").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let mut ctx = s.context();
    ctx["ledger"]["watch"] = crate::common::watch_record(&s.sha, "success");
    std::fs::write(s.context_path(), serde_json::to_vec_pretty(&ctx).unwrap()).unwrap();
    let file = s.env.path().join("berry.toml");
    std::fs::write(&file, format!("[nats]\npublish = false\n{config}")).unwrap();
    s.env.write("README.md", "# AgogSaaS\nlocal edit, staged\n");
    s.env.git(&["add", "README.md"]);
    s.env.write("notes/scratch.txt", "not berry's\n");
    (s, file)
}

fn complete(s: &Shipping, config: &std::path::Path) -> assert_cmd::Command {
    let mut c = s.berry();
    c.env("BERRY_CONFIG", config)
        .args(["--json", "complete", "--yes"]);
    c
}

#[test]
fn complete_commits_the_tracker_alone_pushes_it_and_a_rerun_commits_nothing() {
    let (s, config) = shipped("");
    let out = complete(&s, &config).output().unwrap();
    let t = s.env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let e = &s.env;
    let head = e.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(e.git(&["rev-parse", "HEAD~1"]).trim(), s.sha);
    assert_eq!(
        e.git(&["log", "-1", "--format=%B"]),
        format!(
            "chore({REQ}): DEPLOYED\n\n[skip ci]\n\nBerry-Req: {REQ}\nBerry-Tracker: DEPLOYED\n\n"
        )
    );
    assert_eq!(
        e.git(&["show", "--name-only", "--format=", "HEAD"]).trim(),
        TRACKER,
        "the tracker file alone"
    );
    // What was committed is the tracker as berry wrote it; everything else is as it was.
    assert_eq!(
        e.git(&["show", &format!("HEAD:{TRACKER}")]),
        e.read(TRACKER)
    );
    assert_eq!(
        e.git(&["status", "--porcelain=v1", "--untracked-files=all"]),
        "M  README.md\n?? notes/scratch.txt\n"
    );
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(head.as_str())
    );
    assert!(t.contains("committed the tracker edit"), "{t}");
    assert!(
        t.contains("pushed the tracker commit to refs/heads/main on origin"),
        "{t}"
    );
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["data"]["tracker_commit"]["sha"], json!(head));
    assert_eq!(
        s.context()["ledger"]["tracker_commits"],
        json!([{
            "status": "DEPLOYED", "sha": head, "branch": "main",
            "blob": e.git(&["rev-parse", &format!("HEAD:{TRACKER}")]).trim(),
            "at": crate::common::NOW, "pushed": "origin refs/heads/main",
        }])
    );

    let again = complete(&s, &config).output().unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", s.env.transcript(&again));
    assert_eq!(
        e.git(&["rev-parse", "HEAD"]).trim(),
        head,
        "no second commit"
    );
    assert_eq!(
        s.context()["ledger"]["tracker_commits"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn with_tracker_commit_false_the_edit_is_left_uncommitted_and_said_so() {
    let (s, config) = shipped("[tracker]\ncommit = false\n");
    let out = complete(&s, &config).output().unwrap();
    let t = s.env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains(
            "the tracker edit is left uncommitted in the working tree: `tracker.commit = false`"
        ),
        "{t}"
    );
    assert_eq!(s.env.git(&["rev-parse", "HEAD"]).trim(), s.sha);
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(s.sha.as_str())
    );
    assert!(
        s.env
            .git(&["status", "--porcelain=v1"])
            .contains(&format!(" M {TRACKER}")),
    );
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["data"]["tracker_commit"]["committed"], false);
    assert!(s.context()["ledger"].get("tracker_commits").is_none());
}

#[test]
fn an_untracked_tracker_is_not_committed_unless_config_says_so() {
    let (s, config) = shipped("");
    s.env.git(&["rm", "-q", "--cached", TRACKER]);
    s.env.git(&["commit", "-q", "-m", "untrack the tracker"]);
    // The tracker is untracked now; the shipped commit is HEAD~1, so record HEAD as shipped.
    let mut s = s;
    s.sha = s.env.git(&["rev-parse", "HEAD"]).trim().to_string();
    s.record_commit();
    let mut ctx = s.context();
    ctx["ledger"]["push"]["sha"] = json!(s.sha);
    ctx["ledger"]["watch"] = crate::common::watch_record(&s.sha, "success");
    std::fs::write(s.context_path(), serde_json::to_vec_pretty(&ctx).unwrap()).unwrap();
    let out = complete(&s, &config).output().unwrap();
    let t = s.env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("is not tracked by git (set `tracker.commit = true` to commit it)"),
        "{t}"
    );
    assert_eq!(s.env.git(&["rev-parse", "HEAD"]).trim(), s.sha);
}

#[test]
fn unpushed_commits_on_the_branch_leave_the_edit_uncommitted_and_say_why() {
    let (s, config) = shipped("");
    // Someone committed on top of the shipped commit and did not push.
    s.env.write("docs/later.md", "later\n");
    s.env.git(&["add", "docs/later.md"]);
    s.env.git(&["commit", "-q", "-m", "later work"]);
    let head = s.env.git(&["rev-parse", "HEAD"]);
    let out = complete(&s, &config).output().unwrap();
    let t = s.env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("the tracker edit is left uncommitted in the working tree: main has commits that refs/heads/main on origin does not"),
        "{t}"
    );
    assert_eq!(s.env.git(&["rev-parse", "HEAD"]), head, "nothing committed");
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(s.sha.as_str()),
        "nothing pushed"
    );
    assert!(s.context()["ledger"].get("tracker_commits").is_none());
}

#[test]
fn a_remote_that_moved_on_gets_the_tracker_commit_on_its_tip_with_both_edits() {
    let (s, config) = shipped("");
    let e = &s.env;
    // Another machine shipped after this REQ's push: a file of its own, and its entry in the
    // tracker, above this REQ's.
    e.git_in(
        e.path(),
        &[
            "clone",
            "-q",
            &format!("file://{}", s.bare.display()),
            "other",
        ],
    );
    let other = e.path().join("other");
    let theirs = std::fs::read_to_string(other.join(TRACKER)).unwrap().replace(
        &format!("\n### {REQ}:"),
        &format!(
            "\n### REQ-OTHER-2: Other work\n\n**Status**: DEPLOYED\n**Owner**: marcus\n\n---\n\n### {REQ}:"
        ),
    );
    std::fs::write(other.join(TRACKER), &theirs).unwrap();
    std::fs::write(other.join("docs-other.md"), "other\n").unwrap();
    e.git_in(&other, &["add", "-A"]);
    e.git_in(
        &other,
        &[
            "-c",
            "user.name=O",
            "-c",
            "user.email=o@example.com",
            "commit",
            "-q",
            "-m",
            "other REQ",
        ],
    );
    e.git_in(&other, &["push", "-q", "origin", "main"]);
    let moved = e.git_in(&other, &["rev-parse", "HEAD"]).trim().to_string();

    let out = complete(&s, &config).output().unwrap();
    let t = e.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("committed the tracker edit"), "{t}");
    assert!(
        t.contains("pushed the tracker commit to refs/heads/main on origin"),
        "{t}"
    );
    let tip = s.remote_sha("refs/heads/main").unwrap();
    assert_ne!(tip, moved, "pushed: {t}");
    assert_eq!(
        e.git_in(&s.bare, &["rev-parse", "main~1"]).trim(),
        moved,
        "made on the remote's tip"
    );
    assert_eq!(
        e.git_in(&s.bare, &["show", "--name-only", "--format=", "main"])
            .trim(),
        TRACKER,
        "the tracker file alone"
    );
    let shipped = e.git_in(&s.bare, &["show", &format!("main:{TRACKER}")]);
    assert!(
        shipped.contains("### REQ-OTHER-2: Other work"),
        "theirs kept: {shipped}"
    );
    let entry = &shipped[shipped.find(&format!("### {REQ}:")).unwrap()..];
    assert!(
        entry.contains("**Status**: DEPLOYED"),
        "ours applied: {shipped}"
    );
    // Here nothing moved: the branch, index and working tree are as they were.
    assert_eq!(e.git(&["rev-parse", "HEAD"]).trim(), s.sha);
    assert_eq!(
        e.git(&["status", "--porcelain=v1", "--untracked-files=all"]),
        format!("M  README.md\n M {TRACKER}\n?? notes/scratch.txt\n")
    );
    let ledger = &s.context()["ledger"]["tracker_commits"];
    assert_eq!(ledger[0]["sha"], json!(tip), "{ledger}");
    assert_eq!(ledger[0]["pushed"], json!("origin refs/heads/main"));

    let again = complete(&s, &config).output().unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", e.transcript(&again));
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(tip.as_str()),
        "a rerun commits nothing"
    );
    assert_eq!(
        s.context()["ledger"]["tracker_commits"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_remote_that_changed_this_reqs_entry_keeps_the_edit_uncommitted_and_says_why() {
    let (s, config) = shipped("");
    let e = &s.env;
    e.git_in(
        e.path(),
        &[
            "clone",
            "-q",
            &format!("file://{}", s.bare.display()),
            "other",
        ],
    );
    let other = e.path().join("other");
    let theirs = std::fs::read_to_string(other.join(TRACKER))
        .unwrap()
        .replace("**Status**: IN_PROGRESS", "**Status**: ON_HOLD");
    std::fs::write(other.join(TRACKER), &theirs).unwrap();
    e.git_in(
        &other,
        &[
            "-c",
            "user.name=O",
            "-c",
            "user.email=o@example.com",
            "commit",
            "-qam",
            "hold it",
        ],
    );
    e.git_in(&other, &["push", "-q", "origin", "main"]);
    let moved = e.git_in(&other, &["rev-parse", "HEAD"]).trim().to_string();
    let out = complete(&s, &config).output().unwrap();
    let t = e.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("the tracker edit is left uncommitted in the working tree: refs/heads/main on origin moved on and its"),
        "{t}"
    );
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(moved.as_str()),
        "nothing pushed"
    );
    assert!(s.context()["ledger"].get("tracker_commits").is_none());
}

#[test]
fn killed_between_the_tracker_commit_and_its_push_a_rerun_pushes_and_never_commits_twice() {
    for point in ["tracker-branch-moved", "tracker-committed"] {
        let (s, config) = shipped("");
        let out = complete(&s, &config)
            .env("BERRY_FAULT", point)
            .output()
            .unwrap();
        assert_eq!(
            out.status.signal(),
            Some(9),
            "{point}: {}",
            s.env.transcript(&out)
        );
        let head = s.env.git(&["rev-parse", "HEAD"]).trim().to_string();
        assert_ne!(head, s.sha, "{point}: committed before the kill");
        assert_eq!(
            s.remote_sha("refs/heads/main").as_deref(),
            Some(s.sha.as_str()),
            "not pushed yet"
        );

        let again = complete(&s, &config).output().unwrap();
        assert_eq!(
            again.status.code(),
            Some(0),
            "{point}: {}",
            s.env.transcript(&again)
        );
        assert_eq!(
            s.env.git(&["rev-parse", "HEAD"]).trim(),
            head,
            "{point}: one commit"
        );
        assert_eq!(s.env.git(&["rev-parse", "HEAD~1"]).trim(), s.sha);
        assert_eq!(
            s.remote_sha("refs/heads/main").as_deref(),
            Some(head.as_str()),
            "{point}"
        );
        assert!(!s.env.repo.join(".git/index.lock").exists());
        assert_eq!(
            s.env
                .git(&["status", "--porcelain=v1", "--untracked-files=all"]),
            "M  README.md\n?? notes/scratch.txt\n",
            "{point}"
        );
        assert_eq!(
            s.context()["ledger"]["tracker_commits"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}
