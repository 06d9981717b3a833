//! The tracker edited through `berry block` on the real OWNER_REQUESTS.md fixtures: one line
//! changes, every other byte stays; duplicates, missing and corrupt entries are refused with line
//! numbers and nothing is written or sent.

use serde_json::{Value, json};

use crate::common::*;
use crate::complete::TRACKER;
use crate::nats::{nats_url, unique};

/// A repository whose tracker is `text`, with a config whose subject no stream covers.
fn repo_with(text: &[u8]) -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::new();
    env.write(TRACKER, text);
    let config = env.path().join("berry.toml");
    std::fs::write(
        &config,
        format!(
            "[nats]\nsubject = \"test.{}.berry.devops.{{req}}\"\n",
            unique("tracker")
        ),
    )
    .unwrap();
    (env, config)
}

fn block(env: &TestEnv, config: &std::path::Path, req: &str) -> assert_cmd::Command {
    let mut c = env.berry();
    c.args(["block", req, "--reason", "waiting for the DBA"])
        .env("BERRY_CONFIG", config)
        .env("NATS_URL", nats_url());
    c
}

fn read_bytes(env: &TestEnv) -> Vec<u8> {
    std::fs::read(env.repo.join(TRACKER)).unwrap()
}

fn events(env: &TestEnv, req: &str) -> Value {
    let p = env.repo.join(format!(".git/berry/{req}.json"));
    match std::fs::read(&p) {
        Ok(b) => serde_json::from_slice::<Value>(&b).unwrap()["ledger"]["events"].clone(),
        Err(_) => json!([]),
    }
}

/// `text` with line `n` (1-based) replaced by `with`, line ends untouched.
fn replace_line(text: &str, n: usize, with: &str) -> String {
    text.split_inclusive('\n')
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == n {
                let end = &l[l.trim_end_matches(['\r', '\n']).len()..];
                format!("{with}{end}")
            } else {
                l.to_string()
            }
        })
        .collect()
}

#[test]
fn each_real_entry_changes_only_its_status_line() {
    let text = fixture("agogsaas/owner_requests_entries_verbatim.md");
    let entries = [
        ("REQ-ITEM-MASTER-001", 4),
        ("REQ-TS-FIX-1767217303875", 25),
        ("REQ-STRATEGIC-AUTO-1767045901871", 64),
        ("REQ-MISSING-TOAST-IMPORT-1767129600000", 99),
    ];
    for (req, line) in entries {
        let (env, config) = repo_with(text.as_bytes());
        let out = block(&env, &config, req).arg("--yes").output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{req}: {}",
            env.transcript(&out)
        );
        let expected = replace_line(&text, line, "**Status**: BLOCKED");
        assert_ne!(expected, text, "{req}: line {line} is its status line");
        assert_eq!(
            String::from_utf8(read_bytes(&env)).unwrap(),
            expected,
            "{req}: exactly one line changed"
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(&format!("line {line}:")),
            "{req}"
        );
        assert_eq!(events(&env, req)[0]["acknowledged"], true);
    }
}

#[test]
fn crlf_trailing_spaces_no_final_newline_and_the_mode_are_kept() {
    let lf = fixture("agogsaas/owner_requests_entries_verbatim.md");
    let mut crlf = lf
        .replace('\n', "\r\n")
        .replace("**Owner**: marcus\r\n", "**Owner**: marcus   \r\n");
    while crlf.ends_with(['\r', '\n']) {
        crlf.pop();
    }
    let (env, config) = repo_with(crlf.as_bytes());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            env.repo.join(TRACKER),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
    }
    let out = block(&env, &config, "REQ-MISSING-TOAST-IMPORT-1767129600000")
        .arg("--yes")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let expected = crlf.replacen(
        "**Status**: COMPLETE\r\n**Owner**: marcus   \r\n**Priority**: P0\r\n**Business Value**: Critical - Monitoring",
        "**Status**: BLOCKED\r\n**Owner**: marcus   \r\n**Priority**: P0\r\n**Business Value**: Critical - Monitoring",
        1,
    );
    assert_ne!(expected, crlf);
    assert_eq!(read_bytes(&env), expected.as_bytes());
    assert!(!read_bytes(&env).ends_with(b"\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.repo.join(TRACKER))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
    }
}

#[test]
fn a_duplicated_entry_is_refused_with_its_line_numbers() {
    let text = fixture("agogsaas/owner_requests_duplicate_entries_684767e.md");
    let (env, config) = repo_with(text.as_bytes());
    let out = block(&env, &config, "REQ-STRATEGIC-AUTO-1766516859233")
        .arg("--yes")
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("has 2 entries for REQ-STRATEGIC-AUTO-1766516859233, at lines 4, 23"),
        "{t}"
    );
    assert!(t.contains("hint: merge the entries"), "{t}");
    assert_eq!(read_bytes(&env), text.as_bytes());
    assert_eq!(events(&env, "REQ-STRATEGIC-AUTO-1766516859233"), json!([]));
}

#[test]
fn the_corrupted_real_entry_is_refused_with_its_line_numbers() {
    let text = fixture("agogsaas/owner_requests_corrupted_entry_b4e7f23.md");
    let (env, config) = repo_with(text.as_bytes());
    let out = block(&env, &config, "REQ-INFRA-STATE-PERSIST-001")
        .arg("--yes")
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("the entry for REQ-INFRA-STATE-PERSIST-001 (line 2) is ambiguous: status lines at lines 4, 9, malformed status lines at lines 7"),
        "{t}"
    );
    assert_eq!(read_bytes(&env), text.as_bytes());
}

#[test]
fn a_missing_entry_and_an_entry_without_status_are_refused() {
    let header = fixture("agogsaas/owner_requests_header_6544335.md");
    let (env, config) = repo_with(header.as_bytes());
    let out = block(&env, &config, "REQ-ITEM-MASTER-001")
        .arg("--yes")
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("has no entry `### REQ-ITEM-MASTER-001`"), "{t}");
    assert!(t.contains("hint: add an entry"), "{t}");
    assert_eq!(read_bytes(&env), header.as_bytes());

    // A prefix of an existing REQ is not that REQ.
    let text = format!("{header}\n### REQ-ITEM-MASTER-0010: Other\n\n**Status**: NEW\n");
    let (env, config) = repo_with(text.as_bytes());
    let out = block(&env, &config, "REQ-ITEM-MASTER-001")
        .arg("--yes")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", env.transcript(&out));
    assert_eq!(read_bytes(&env), text.as_bytes());

    let text = format!("{header}\n### REQ-ITEM-MASTER-001: Item Master\n\n**Owner**: marcus\n");
    let (env, config) = repo_with(text.as_bytes());
    let out = block(&env, &config, "REQ-ITEM-MASTER-001")
        .arg("--yes")
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    let heading = header.lines().count() + 2;
    assert!(
        t.contains(&format!(
            "the entry for REQ-ITEM-MASTER-001 (line {heading}) has no `**Status**:` line"
        )),
        "{t}"
    );
    assert_eq!(read_bytes(&env), text.as_bytes());
}

#[test]
fn a_missing_tracker_file_names_the_setting() {
    let env = TestEnv::new();
    let out = env
        .berry()
        .args(["block", "REQ-A-1", "--reason", "x", "--yes"])
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains(&format!("the tracker {TRACKER} does not exist")),
        "{t}"
    );
    assert!(t.contains("`tracker.path`"), "{t}");
}

#[test]
fn dry_run_shows_the_change_and_writes_and_sends_nothing() {
    let text = fixture("agogsaas/owner_requests_entries_verbatim.md");
    let (env, config) = repo_with(text.as_bytes());
    let out = block(&env, &config, "REQ-ITEM-MASTER-001")
        .arg("--dry-run")
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("-**Status**: IN_PROGRESS"), "{t}");
    assert!(t.contains("+**Status**: BLOCKED"), "{t}");
    assert!(t.contains("\"status\": \"BLOCKED\""), "{t}");
    assert!(t.contains("dry run: nothing written, nothing sent"), "{t}");
    assert_eq!(read_bytes(&env), text.as_bytes());
    assert_eq!(events(&env, "REQ-ITEM-MASTER-001"), json!([]));
}

#[test]
fn a_symlinked_tracker_stays_a_symlink() {
    let text = fixture("agogsaas/owner_requests_entries_verbatim.md");
    let (env, config) = repo_with(b"");
    let real = env.repo.join("docs/OWNER_REQUESTS.md");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::write(&real, &text).unwrap();
    let link = env.repo.join(TRACKER);
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = block(&env, &config, "REQ-ITEM-MASTER-001")
        .arg("--yes")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .contains("**Status**: BLOCKED")
    );
}

#[test]
fn block_without_a_terminal_and_without_yes_asks_for_yes() {
    let text = fixture("agogsaas/owner_requests_entries_verbatim.md");
    let (env, config) = repo_with(text.as_bytes());
    let out = block(&env, &config, "REQ-ITEM-MASTER-001")
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(4), "{t}");
    assert!(t.contains("hint: pass --yes"), "{t}");
    assert_eq!(read_bytes(&env), text.as_bytes());
    assert_eq!(events(&env, "REQ-ITEM-MASTER-001"), json!([]));
}
