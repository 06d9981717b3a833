//! berry at a terminal: children own the terminal while they run (pager, editor), Ctrl-C during a
//! test command stops its whole process group, terminal modes are put back; global options after
//! the subcommand; suggestions for a mistyped option; network peers that stall are bounded.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use nix::sys::termios::{LocalFlags, tcgetattr};
use rexpect::process::WaitStatus;
use rexpect::session::PtySession;

use crate::common::*;

fn script(env: &TestEnv, name: &str, body: &str) -> PathBuf {
    let p = env.path().join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// `berry ARGS` on a pseudo-terminal with `extra` variables set.
fn pty(env: &TestEnv, args: &[&std::ffi::OsStr], extra: &[(&str, &std::ffi::OsStr)]) -> PtySession {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_berry"));
    env.apply_env(&mut cmd);
    cmd.current_dir(&env.repo)
        .env("BERRY_PAGER", "cat")
        .env("TERM", "xterm")
        .args(args);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    crate::common::screen_size(&mut cmd, crate::common::PTY_ROWS, crate::common::PTY_COLS);
    rexpect::session::spawn_command(cmd, Some(30_000)).unwrap()
}

fn exit_code(s: &PtySession) -> i32 {
    match s.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("berry did not exit normally: {other:?}"),
    }
}

/// The terminal's local modes (the pty keeps them while its master is open).
fn local_flags(s: &PtySession) -> LocalFlags {
    let f = s.process().get_file_handle().unwrap();
    tcgetattr(&f).unwrap().local_flags
}

fn still_running(s: &PtySession) -> bool {
    matches!(s.process().status(), Some(WaitStatus::StillAlive))
}

/// A stub pager that takes Ctrl-C for itself, leaves the terminal without line editing, and
/// quits on `q`.
const PAGER: &str = r#"trap 'echo "pager: got SIGINT"' INT
cat > /dev/null
stty -icanon -iexten < /dev/tty
echo "pager: ready"
while :; do
  if read answer < /dev/tty && [ "$answer" = q ]; then break; fi
done
echo "pager: done"
"#;

#[test]
fn ctrl_c_in_the_pager_is_the_pager_s_and_the_terminal_is_restored() {
    let env = TestEnv::new();
    env.agog_base();
    env.agog_changes();
    let dir = env.verify_approved();
    let pager = script(&env, "pager.sh", PAGER);
    let mut s = pty(
        &env,
        &[
            "--paginate".as_ref(),
            "review".as_ref(),
            "--deliverables".as_ref(),
            dir.as_os_str(),
        ],
        &[("BERRY_PAGER", pager.as_os_str())],
    );
    s.exp_string("pager: ready").unwrap();
    s.send_control('c').unwrap();
    s.exp_string("pager: got SIGINT").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(still_running(&s), "berry must wait for its pager");
    s.send_line("q").unwrap();
    s.exp_string("pager: done").unwrap();
    // berry goes on to its own question once the pager quit.
    s.exp_string("Files to commit").unwrap();
    s.send_control('c').unwrap();
    s.exp_eof().unwrap();
    assert_eq!(exit_code(&s), 130);
    // The pty starts in canonical mode with extended input (echo is rexpect's to switch off).
    let after = local_flags(&s);
    assert!(
        after.contains(LocalFlags::ICANON | LocalFlags::IEXTEN),
        "the terminal is left as the pager set it: {after:?}"
    );
}

#[test]
fn the_pager_gets_less_frx_and_never_runs_without_a_terminal() {
    let env = TestEnv::new();
    env.agog_base();
    env.agog_changes();
    let dir = env.verify_approved();
    let marker = env.path().join("pager-ran");
    let pager = script(
        &env,
        "pager.sh",
        &format!("echo \"LESS=$LESS\" > {}\ncat\n", marker.display()),
    );
    // No terminal: never a pager, even with --paginate.
    let out = env
        .berry()
        .env("BERRY_PAGER", &pager)
        .args([
            "--paginate",
            "--yes",
            "--dry-run",
            "review",
            "--deliverables",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!marker.exists(), "{}", env.transcript(&out));
    // On a terminal with --paginate: the pager runs with LESS=FRX.
    let mut s = pty(
        &env,
        &[
            "--paginate".as_ref(),
            "--dry-run".as_ref(),
            "--yes".as_ref(),
            "review".as_ref(),
            "--deliverables".as_ref(),
            dir.as_os_str(),
        ],
        &[("BERRY_PAGER", pager.as_os_str())],
    );
    s.exp_eof().unwrap();
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "LESS=FRX\n");
    // --no-pager: none, and the preview is still shown.
    std::fs::remove_file(&marker).unwrap();
    let mut s = pty(
        &env,
        &[
            "--no-pager".as_ref(),
            "--paginate".as_ref(),
            "status".as_ref(),
        ],
        &[("BERRY_PAGER", pager.as_os_str())],
    );
    s.exp_string("cannot be used with").unwrap();
    let mut s2 = pty(
        &env,
        &[
            "review".as_ref(),
            "--no-pager".as_ref(),
            "--dry-run".as_ref(),
            "--yes".as_ref(),
            "--deliverables".as_ref(),
            dir.as_os_str(),
        ],
        &[("BERRY_PAGER", pager.as_os_str())],
    );
    s2.exp_string("crm.service.ts").unwrap();
    s2.exp_eof().unwrap();
    let _ = s.exp_eof();
    assert!(!marker.exists(), "--no-pager ran the pager");
}

/// The previews stream into less while the rest of the change is reviewed; `q` on the first
/// screen stops the review: berry ends on its own (interrupted), the file picker never comes, and
/// nothing is recorded.
#[test]
fn quitting_less_on_the_first_screen_of_a_large_change_stops_the_review_and_records_nothing() {
    let env = TestEnv::new();
    env.agog_base();
    env.agog_changes();
    let body: String = (0..40)
        .map(|l| format!("export const v{l} = {l};\n"))
        .collect();
    for i in 0..3000 {
        env.write(&format!("{ERP}/backend/src/modules/bulk/f{i:05}.ts"), &body);
    }
    let dir = env.verify_approved();
    let mut s = pty(
        &env,
        &[
            "review".as_ref(),
            "--deliverables".as_ref(),
            dir.as_os_str(),
        ],
        &[("BERRY_PAGER", "less".as_ref())],
    );
    // The summary as the change list knows it, then a hunk of a preview: less's first screen.
    s.exp_string("Changes in scope (3006 files; the +/- totals follow the previews)")
        .unwrap();
    s.exp_string("@@ ").unwrap();
    s.send("q").unwrap();
    s.flush().unwrap();
    let rest = s.exp_eof().unwrap();
    assert!(rest.contains("nothing was recorded"), "{rest}");
    assert!(!rest.contains("Files to commit"), "{rest}");
    assert_eq!(exit_code(&s), 130);
    let ctx: serde_json::Value = serde_json::from_slice(
        &std::fs::read(env.repo.join(format!(".git/berry/{REQ}.json"))).unwrap(),
    )
    .unwrap();
    assert!(ctx["review"].is_null(), "a review was recorded: {ctx}");
}

#[test]
fn ctrl_c_in_an_editor_that_ignores_it_waits_for_the_editor() {
    let env = TestEnv::new();
    env.agog_base();
    env.agog_changes();
    let dir = env.verify_approved();
    env.berry()
        .arg("--deliverables")
        .arg(&dir)
        .args(["--yes", "review"])
        .assert()
        .success();
    let editor = script(
        &env,
        "editor.sh",
        r#"trap '' INT
echo "editor: ready"
read line < /dev/tty
sed -i 's/^feat(\(.*\)): .*/feat(\1): Edited after Ctrl-C/' "$1"
echo "editor: saved"
"#,
    );
    let mut s = pty(
        &env,
        &[
            "--deliverables".as_ref(),
            dir.as_os_str(),
            "commit".as_ref(),
        ],
        &[
            ("GIT_EDITOR", editor.as_os_str()),
            ("TERM", "dumb".as_ref()),
        ],
    );
    s.exp_string("Edit the message before committing?").unwrap();
    s.send("y").unwrap();
    s.flush().unwrap();
    s.exp_string("editor: ready").unwrap();
    s.send_control('c').unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(still_running(&s), "berry must wait for its editor");
    s.send_line("").unwrap();
    s.exp_string("editor: saved").unwrap();
    s.exp_string("files changed").unwrap();
    s.exp_eof().unwrap();
    assert_eq!(exit_code(&s), 0);
    let msg = env.git(&["log", "-1", "--format=%s"]);
    assert_eq!(msg.trim(), format!("feat({REQ}): Edited after Ctrl-C"));
}

/// Whether any process of group `pgid` is alive (zombies, which nothing may reap in a
/// container, do not count).
fn group_alive(pgid: i32) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            return false;
        };
        // pid (comm) state ppid pgrp …; comm may hold spaces, so split after the last ')'.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return false;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        fields.len() > 2 && fields[0] != "Z" && fields[2] == pgid.to_string()
    })
}

fn test_command_interrupted(body: &str) -> (i32, Duration, i32, String) {
    let env = TestEnv::new();
    let pidfile = env.path().join("pgid");
    let cmd = script(
        &env,
        "slow-test.sh",
        &format!("echo $$ > {}\n{body}", pidfile.display()),
    );
    env.write(
        "berry.toml",
        format!(
            "[[test.commands]]\nname = \"slow\"\nargv = [\"{}\"]\ntimeout_secs = 600\n",
            cmd.display()
        ),
    );
    env.commit_all("base");
    let dir = env.deliverables_folder(REQ, None);
    env.berry()
        .arg("--deliverables")
        .arg(&dir)
        .args(["verify", REQ])
        .assert()
        .success();
    let mut s = pty(&env, &["test".as_ref()], &[]);
    let started = Instant::now();
    while !pidfile.exists() || std::fs::read_to_string(&pidfile).unwrap().trim().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "test command never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let pgid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(group_alive(pgid));
    let sent = Instant::now();
    s.send_control('c').unwrap();
    let out = s.exp_eof().unwrap();
    let code = exit_code(&s);
    let took = sent.elapsed();
    let alive = if group_alive(pgid) { pgid } else { 0 };
    if alive != 0 {
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pgid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    (code, took, alive, out)
}

#[test]
fn ctrl_c_during_a_test_command_stops_its_whole_group() {
    // The command and a child of its own, both in the command's process group.
    let (code, took, alive, out) = test_command_interrupted("sleep 300 &\nsleep 301\n");
    assert_eq!(code, 130, "{out}");
    assert_eq!(alive, 0, "a process of the test's group survived berry");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(out.contains("interrupted"), "{out}");
}

#[test]
fn a_test_command_that_ignores_ctrl_c_is_killed_after_the_grace_period() {
    let (code, took, alive, out) =
        test_command_interrupted("trap '' INT\nsleep 300 &\nsleep 301\n");
    assert_eq!(code, 130, "{out}");
    assert_eq!(alive, 0, "a process of the test's group survived berry");
    assert!(
        took >= Duration::from_millis(1500),
        "no grace period: {took:?}"
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn global_options_are_accepted_after_the_subcommand() {
    let env = TestEnv::new();
    env.agog_base();
    let dir = env.deliverables_folder(REQ, None);
    for args in [
        vec!["verify", "--req", REQ, "--json", "-q", "--deliverables"],
        vec!["--req", REQ, "verify", "--json", "--deliverables"],
    ] {
        let out = env.berry().args(&args).arg(&dir).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            env.transcript(&out)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["req"], REQ);
    }
    let out = env
        .berry()
        .args([
            "status",
            "--req",
            REQ,
            "--color",
            "never",
            "-v",
            "--no-pager",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains(REQ));
}

#[test]
fn a_mistyped_option_gets_a_suggestion() {
    let env = TestEnv::new();
    for args in [
        vec!["--yse", "status"],
        vec!["status", "--yse"],
        vec!["review", "--dyr-run"],
    ] {
        let out = env.berry().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        let want = if args.contains(&"--dyr-run") {
            "'--dry-run'"
        } else {
            "'--yes'"
        };
        assert!(
            err.contains(&format!("a similar argument exists: {want}")),
            "{args:?}: {err}"
        );
    }
}

/// A PostgreSQL endpoint that accepts connections and does what `serve` does with each.
fn fake_pg(serve: fn(std::net::TcpStream)) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for c in l.incoming().flatten() {
            std::thread::spawn(move || serve(c));
        }
    });
    port
}

/// Reads one length-prefixed startup message.
fn read_startup(c: &mut std::net::TcpStream) {
    let mut len = [0u8; 4];
    c.read_exact(&mut len).unwrap();
    let mut rest = vec![0u8; u32::from_be_bytes(len) as usize - 4];
    c.read_exact(&mut rest).unwrap();
}

fn verify_against(env: &TestEnv, port: u16) -> (std::process::Output, Duration) {
    env.write(
        "berry.toml",
        "[database]\nconnect_timeout_secs = 1\nquery_timeout_secs = 2\n",
    );
    env.commit_all("timeouts");
    let started = Instant::now();
    let out = env
        .berry()
        .args(["verify", REQ])
        .env(
            "BERRY_DATABASE_URL",
            format!("postgres://agent@127.0.0.1:{port}/db"),
        )
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    (out, started.elapsed())
}

#[test]
fn a_database_that_accepts_and_never_speaks_is_a_bounded_failure() {
    let env = TestEnv::new();
    env.agog_base();
    let port = fake_pg(|c| {
        std::thread::sleep(Duration::from_secs(60));
        drop(c);
    });
    let (out, took) = verify_against(&env, port);
    assert_eq!(out.status.code(), Some(1), "{}", env.transcript(&out));
    assert!(took < Duration::from_secs(8), "took {took:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(
        err.contains("within 1s (database.connect_timeout_secs)"),
        "{err}"
    );
}

#[test]
fn a_database_that_stalls_after_startup_is_a_bounded_failure() {
    let env = TestEnv::new();
    env.agog_base();
    let port = fake_pg(|mut c| {
        read_startup(&mut c);
        // AuthenticationOk, then ReadyForQuery (idle): the startup is complete.
        c.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 0]).unwrap();
        c.write_all(&[b'Z', 0, 0, 0, 5, b'I']).unwrap();
        c.flush().unwrap();
        // The query is read and never answered.
        let mut sink = [0u8; 4096];
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if matches!(c.read(&mut sink), Ok(0) | Err(_)) {
                break;
            }
        }
    });
    let (out, took) = verify_against(&env, port);
    assert_eq!(out.status.code(), Some(1), "{}", env.transcript(&out));
    assert!(took < Duration::from_secs(8), "took {took:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(
        err.contains("within 2s (database.query_timeout_secs)"),
        "{err}"
    );
}

#[test]
fn a_nats_server_that_accepts_and_never_answers_is_a_bounded_failure() {
    let env = TestEnv::new();
    let ready = crate::complete::Ready::new(&env, "test.silent.berry.devops.{req}");
    let mut toml = std::fs::read_to_string(&ready.config).unwrap();
    toml.push_str("connect_timeout_secs = 1\nack_timeout_secs = 1\n");
    std::fs::write(&ready.config, toml).unwrap();
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let held: Vec<_> = silent.incoming().take(8).collect();
        std::thread::sleep(Duration::from_secs(60));
        drop(held);
    });
    let started = Instant::now();
    let out = ready
        .complete(&env)
        .args(["--yes"])
        .env("NATS_URL", format!("nats://127.0.0.1:{port}"))
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", env.transcript(&out));
    assert!(took < Duration::from_secs(8), "took {took:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "cannot connect to NATS at nats://127.0.0.1:{port}"
        )),
        "{err}"
    );
    assert!(err.contains("nats.connect_timeout_secs"), "{err}");
    assert!(err.contains("kept pending"), "{err}");
}

#[test]
fn file_names_with_control_characters_are_quoted_in_review_s_output() {
    let env = TestEnv::new();
    env.agog_base();
    let crm = format!("{ERP}/backend/src/modules/crm");
    env.write(
        &format!("{crm}/x\x1b[2K\r  A innocent.ts"),
        "export const x = 1;\n",
    );
    env.write(&format!("{crm}/two\nlines.ts"), "export const y = 2;\n");
    let dir = env.verify_approved();
    let out = env
        .berry()
        .args(["--yes", "review", "--deliverables"])
        .arg(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains('\x1b'),
        "raw ESC reached the terminal: {err:?}"
    );
    assert!(!err.contains('\r'), "raw CR reached the terminal: {err:?}");
    assert!(
        err.contains(&format!("A \"{crm}/x\\033[2K\\r  A innocent.ts\"")),
        "{err}"
    );
    assert!(
        err.contains(&format!("A \"{crm}/two\\nlines.ts\"")),
        "{err}"
    );
    assert!(
        !err.contains("two\nlines"),
        "a newline split the list: {err}"
    );
}

#[test]
fn control_sequences_in_deliverable_text_do_not_reach_the_terminal() {
    let env = TestEnv::new();
    env.agog_base();
    let dir = env.deliverables_folder(REQ, None);
    let roy = dir.join(REQ).join("roy.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&roy).unwrap()).unwrap();
    v["summary"] = serde_json::json!("Backend done\x1b[2K\r\x1b]0;owned\x07 all green");
    std::fs::write(&roy, serde_json::to_vec(&v).unwrap()).unwrap();
    let out = env
        .berry()
        .args(["verify", REQ, "--deliverables"])
        .arg(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Backend done all green"), "{err}");
    assert!(
        !err.contains('\x1b') && !err.contains('\r') && !err.contains('\x07'),
        "{err:?}"
    );
}

#[test]
fn a_repository_owned_by_another_user_names_safe_directory() {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's effective user.
    if std::fs::metadata("/proc/self").unwrap().uid() != 0 {
        eprintln!("SKIPPED: changing a repository's owner needs root");
        return;
    }
    let env = TestEnv::new();
    env.agog_base();
    for entry in [env.repo.clone(), env.repo.join(".git")] {
        std::os::unix::fs::chown(&entry, Some(54321), None).unwrap();
    }
    let out = env.berry().args(["status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", env.transcript(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("owned by another user"), "{err}");
    let top = env.repo.canonicalize().unwrap();
    assert!(
        err.contains(&format!(
            "hint: if you trust it: git config --global --add safe.directory {}",
            top.display()
        )),
        "{err}"
    );
}

#[test]
fn names_with_control_characters_or_bytes_that_are_not_utf8_are_quoted_and_never_committed() {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let env = TestEnv::new();
    env.agog_base();
    let crm = format!("{ERP}/backend/src/modules/crm");
    env.write(&format!("{crm}/contacts.ts"), "export const c = 1;\n");
    env.write(
        &format!("{crm}/x\x1b[2K\r  A innocent.ts"),
        "export const x = 1;\n",
    );
    env.write(&format!("{crm}/two\nlines.ts"), "export const y = 2;\n");
    let mut odd = env.repo.join(&crm).into_os_string().into_vec();
    odd.extend_from_slice(b"/caf\xe9\x1b]0;t\x07.ts");
    std::fs::write(std::ffi::OsStr::from_bytes(&odd), "export const z = 3;\n").unwrap();
    let dir = env.verify_approved();
    let out = env
        .berry()
        .args(["--yes", "review", "--deliverables"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let raw = [&out.stdout[..], &out.stderr[..]].concat();
    for b in [0x1b, b'\r', 0x07, 0xe9] {
        assert!(!raw.contains(&b), "byte {b:#x} reached the terminal");
    }
    // The change lists, as the terminal shows them.
    let t = env.transcript(&out);
    insta::assert_snapshot!(&t[t.find("Changes in scope").unwrap()..]);

    // The record holds the three names berry can commit, exactly; the fourth is named in the
    // JSON as git quotes it, with its reason, and is never committed.
    let ctx: serde_json::Value = serde_json::from_slice(
        &std::fs::read(env.repo.join(format!(".git/berry/{REQ}.json"))).unwrap(),
    )
    .unwrap();
    let files: Vec<&str> = ctx["review"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        vec![
            format!("{crm}/contacts.ts"),
            format!("{crm}/two\nlines.ts"),
            format!("{crm}/x\x1b[2K\r  A innocent.ts"),
        ],
        "{ctx}"
    );
    env.berry()
        .args(["--yes", "--json", "commit", "--deliverables"])
        .arg(&dir)
        .assert()
        .code(0);
    let committed = env.git(&["show", "--name-only", "--format=", "-z", "HEAD"]);
    assert_eq!(
        committed.split('\0').filter(|n| !n.is_empty()).count(),
        3,
        "{committed:?}"
    );
    let status = std::process::Command::new("git")
        .current_dir(&env.repo)
        .args(["status", "--porcelain", "-z"])
        .output()
        .unwrap();
    assert!(
        status.stdout.windows(4).any(|w| w == b"caf\xe9"),
        "the file whose name is not UTF-8 is left untracked"
    );
}

#[test]
fn review_s_json_names_an_uncommittable_change_as_git_quotes_it() {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let env = TestEnv::new();
    env.agog_base();
    let crm = format!("{ERP}/backend/src/modules/crm");
    env.write(&format!("{crm}/contacts.ts"), "export const c = 1;\n");
    let mut odd = env.repo.join(&crm).into_os_string().into_vec();
    odd.extend_from_slice(b"/\xff.ts");
    std::fs::write(std::ffi::OsStr::from_bytes(&odd), "x\n").unwrap();
    let dir = env.verify_approved();
    let out = env
        .berry()
        .args(["--yes", "--json", "review", "--deliverables"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        line["data"]["uncommittable"],
        serde_json::json!([{
            "path": format!("\"{crm}/\\377.ts\""),
            "status": "added",
            "reason": "name is not UTF-8",
        }]),
        "{line}"
    );
}

/// A ready-to-push REQ whose `origin` is the smart-HTTP peer on `port`, with a 2 s transfer
/// deadline and no notices sent; `berry push`, with how long it took.
fn push_to_stalled(port: u16) -> (crate::fakes::Shipping, std::process::Output, Duration) {
    let s = crate::fakes::Shipping::new("main");
    let url = format!("http://127.0.0.1:{port}/origin.git");
    s.env.git(&["remote", "set-url", "origin", &url]);
    let config = s.env.path().join("berry.toml");
    std::fs::write(
        &config,
        "[git]\ntimeout_secs = 2\n\n[nats]\npublish = false\n",
    )
    .unwrap();
    let started = Instant::now();
    let out = s
        .berry()
        .env("BERRY_CONFIG", &config)
        .arg("push")
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let took = started.elapsed();
    (s, out, took)
}

/// Reads one HTTP request's line and headers; `None` when the peer closed.
fn read_request(r: &mut std::io::BufReader<std::net::TcpStream>) -> Option<String> {
    use std::io::BufRead;
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).ok()? == 0 {
            return None;
        }
        if h.trim_end().is_empty() {
            return Some(line);
        }
    }
}

fn pkt(s: &str) -> String {
    format!("{:04x}{s}", s.len() + 4)
}

#[test]
fn a_git_remote_that_accepts_and_never_answers_is_a_bounded_failure() {
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let held: Vec<_> = silent.incoming().take(8).collect();
        std::thread::sleep(Duration::from_secs(120));
        drop(held);
    });
    let (s, out, took) = push_to_stalled(port);
    let t = s.env.transcript(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(took < Duration::from_secs(20), "took {took:?}: {t}");
    assert!(
        t.contains(&format!(
            "the push to `origin` (http://127.0.0.1:{port}/origin.git) did not finish within 2s (git.timeout_secs)"
        )),
        "{t}"
    );
    assert!(
        !t.contains("trying again"),
        "a stalled peer is not retried: {t}"
    );
    assert!(
        s.context()["ledger"]["push"].is_null(),
        "nothing recorded as pushed"
    );
}

#[test]
fn a_git_remote_that_stalls_after_the_ref_advertisement_is_a_bounded_failure() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for c in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut w = c.try_clone().unwrap();
                let mut r = std::io::BufReader::new(c);
                while let Some(line) = read_request(&mut r) {
                    if !line.starts_with("GET ") {
                        // The pack is sent; the answer never comes.
                        std::thread::sleep(Duration::from_secs(120));
                        return;
                    }
                    let service = if line.contains("git-receive-pack") {
                        "git-receive-pack"
                    } else {
                        "git-upload-pack"
                    };
                    let zero = "0".repeat(40);
                    let body = format!(
                        "{}0000{}0000",
                        pkt(&format!("# service={service}\n")),
                        pkt(&format!(
                            "{zero} capabilities^{{}}\0report-status delete-refs side-band-64k ofs-delta\n"
                        ))
                    );
                    let _ = write!(
                        w,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/x-{service}-advertisement\r\nCache-Control: no-cache\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = w.flush();
                }
            });
        }
    });
    let (s, out, took) = push_to_stalled(port);
    let t = s.env.transcript(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(took < Duration::from_secs(20), "took {took:?}: {t}");
    assert!(
        t.contains("did not finish within 2s (git.timeout_secs)"),
        "{t}"
    );
    assert!(t.contains("`origin`"), "{t}");
    assert!(
        s.context()["ledger"]["push"].is_null(),
        "nothing recorded as pushed"
    );
}
