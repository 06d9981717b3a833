//! SSH remotes: berry runs ssh as git does and speaks git's protocol over its pipes. A stand-in
//! for ssh (`GIT_SSH_COMMAND`) takes the options and the host, records them, and runs the remote
//! command on this machine — the real `git-receive-pack` and `git-upload-pack` of the bare
//! remote, as git's own test suite fakes ssh.

use std::path::{Path, PathBuf};

use crate::fakes::Shipping;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// An executable shell script `name` in `dir`.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// Writes the stand-in for ssh; it logs each call's arguments (one line) to `log`.
fn fake_ssh(dir: &Path, log: &Path) -> PathBuf {
    let body = format!(
        "echo \"$*\" >> '{}'\n\
         while [ $# -gt 2 ]; do shift; done\n\
         exec sh -c \"$2\"\n",
        log.display()
    );
    script(dir, "fake-ssh", &body)
}

/// `origin` set to `url`, then `berry push` with `ssh` as GIT_SSH_COMMAND.
fn push_over(s: &Shipping, url: &str, ssh: &Path) -> std::process::Output {
    s.env.git(&["remote", "set-url", "origin", url]);
    s.berry()
        .env("GIT_SSH_COMMAND", ssh)
        .arg("push")
        .output()
        .unwrap()
}

#[test]
fn an_ssh_push_runs_ssh_as_git_does_and_lands() {
    let s = Shipping::new("main");
    let log = s.env.path().join("ssh.log");
    let ssh = fake_ssh(s.env.path(), &log);
    let url = format!("ssh://git@example.test:2222{}", s.bare.display());
    let out = push_over(&s, &url, &ssh);
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(s.sha.as_str())
    );
    let calls = std::fs::read_to_string(&log).unwrap();
    let first = calls.lines().next().unwrap();
    assert_eq!(
        first,
        format!(
            "-p 2222 git@example.test git-receive-pack '{}'",
            s.bare.display()
        )
    );
}

#[test]
fn an_scp_like_remote_named_by_the_users_git_config_is_fetched_over_ssh() {
    let s = Shipping::new("main");
    let log = s.env.path().join("ssh.log");
    let ssh = fake_ssh(s.env.path(), &log);
    // Someone else moved the branch: berry fetches it (upload-pack) and rebases, then pushes.
    let theirs = s.someone_else_pushes("main", "docs/other.md", "theirs\n");
    // The user's git configuration names the program; the repository's own must not.
    let planted = s.env.path().join("planted-ran");
    std::fs::write(
        s.env.path().join("home/.gitconfig"),
        format!("[core]\n\tsshCommand = {}\n", ssh.display()),
    )
    .unwrap();
    s.env.git(&[
        "config",
        "core.sshCommand",
        &format!("touch {} && false", planted.display()),
    ]);
    let url = format!("git@example.test:{}", s.bare.display());
    s.env.git(&["remote", "set-url", "origin", &url]);
    let out = s.berry().args(["--yes", "push"]).output().unwrap();
    // Fetched over ssh and rebased; the rebased commit must be tested before it is pushed.
    assert_eq!(out.status.code(), Some(2), "{}", s.env.transcript(&out));
    assert!(
        stderr(&out).contains(&format!(
            "rebased main onto origin/main ({})",
            &theirs[..12]
        )),
        "{}",
        stderr(&out)
    );
    assert!(!planted.exists(), "the repository's core.sshCommand ran");
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(
        calls.contains(&format!(
            "git@example.test git-upload-pack '{}'",
            s.bare.display()
        )),
        "{calls}"
    );
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(theirs.as_str())
    );
}

#[test]
fn a_refused_key_is_an_authentication_failure_with_what_ssh_said() {
    let s = Shipping::new("main");
    let ssh = script(
        s.env.path(),
        "refusing-ssh",
        "echo 'git@example.test: Permission denied (publickey).' >&2\nexit 255\n",
    );
    let before = s.remote_sha("refs/heads/main");
    let out = push_over(&s, "git@example.test:acme/erp.git", &ssh);
    assert_eq!(out.status.code(), Some(1), "{}", s.env.transcript(&out));
    let err = stderr(&out);
    assert!(err.contains("authentication"), "{err}");
    assert!(err.contains("Permission denied (publickey)"), "{err}");
    assert_eq!(s.remote_sha("refs/heads/main"), before);
}

#[test]
fn a_host_that_would_be_an_ssh_option_never_reaches_ssh() {
    let s = Shipping::new("main");
    let log = s.env.path().join("ssh.log");
    let ssh = fake_ssh(s.env.path(), &log);
    let out = push_over(&s, "ssh://-oProxyCommand=touch%20pwned/acme/erp.git", &ssh);
    assert_eq!(out.status.code(), Some(1), "{}", s.env.transcript(&out));
    assert!(stderr(&out).contains("starts with `-`"), "{}", stderr(&out));
    assert!(!log.exists(), "ssh was run");
}
