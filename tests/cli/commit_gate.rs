//! The invariants `berry commit` enforces at commit time, each tried against real PostgreSQL
//! deliverables and real git: what is committed is what was reviewed, the guards see exactly
//! the blobs written, every path is re-checked (scope, both sides of a rename, symlinks, unsafe
//! paths in a tampered context), blobs are written as git writes them (clean filters, eol), the
//! index is updated under `index.lock` (two berry processes racing), signing is honoured, and a
//! branch switched since review is named.

use std::os::unix::fs::PermissionsExt;
use std::process::Output;

use serde_json::{Value, json};

use crate::common::*;

const SVC: &str = "Implementation/print-industry-erp/backend/src/modules/crm/crm.service.ts";

/// The AgogSaaS base and the agents' changes, QA's approval in PostgreSQL, verified and reviewed.
struct Reviewed {
    env: TestEnv,
    db: PgDb,
}

impl Reviewed {
    fn new() -> Reviewed {
        Self::with(|_| {})
    }

    /// Like `new`, with `before` run on the repository before the review.
    fn with(before: impl FnOnce(&TestEnv)) -> Reviewed {
        let env = TestEnv::new();
        env.agog_base();
        env.agog_changes();
        before(&env);
        let db = PgDb::new();
        db.load(REQ, None);
        let r = Reviewed { env, db };
        r.ok(&["verify", REQ]);
        r.ok(&["--yes", "review"]);
        r
    }

    fn berry(&self) -> assert_cmd::Command {
        let mut c = self.env.berry();
        c.env("BERRY_DATABASE_URL", self.db.url());
        c
    }

    fn ok(&self, args: &[&str]) -> Output {
        let out = self.berry().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", self.env.transcript(&out));
        out
    }

    fn commit(&self, extra: &[&str]) -> Output {
        self.berry().args(extra).arg("commit").output().unwrap()
    }

    fn pty(&self, args: &[&str]) -> rexpect::session::PtySession {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_berry"));
        self.env.apply_env(&mut cmd);
        cmd.current_dir(&self.env.repo)
            .env("BERRY_DATABASE_URL", self.db.url())
            .env("BERRY_PAGER", "cat")
            .env("TERM", "dumb")
            .args(args);
        crate::common::screen_size(&mut cmd, crate::common::PTY_ROWS, crate::common::PTY_COLS);
        rexpect::session::spawn_command(cmd, Some(30_000)).unwrap()
    }

    fn commits(&self) -> usize {
        self.env
            .git(&["rev-list", "--count", "HEAD"])
            .trim()
            .parse()
            .unwrap()
    }

    fn context(&self) -> Value {
        serde_json::from_slice(&std::fs::read(self.context_path()).unwrap()).unwrap()
    }

    fn context_path(&self) -> std::path::PathBuf {
        self.env.repo.join(format!(".git/berry/{REQ}.json"))
    }

    fn edit_review(&self, f: impl FnOnce(&mut Vec<Value>)) {
        let mut ctx = self.context();
        let files = ctx["review"]["files"].as_array_mut().unwrap();
        f(files);
        std::fs::write(
            self.context_path(),
            serde_json::to_vec_pretty(&ctx).unwrap(),
        )
        .unwrap();
    }

    fn blob_of(&self, rel: &str) -> String {
        self.env
            .git(&["hash-object", "--no-filters", rel])
            .trim()
            .to_string()
    }
}

fn err(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn exited(s: &mut rexpect::session::PtySession) -> i32 {
    match s.process().wait().unwrap() {
        rexpect::process::WaitStatus::Exited(_, code) => code,
        other => panic!("{other:?}"),
    }
}

const TOKEN: &str = "ghp_0123456789abcdefghijABCDEFGHIJ012345";

fn with_token_and_marker() -> String {
    format!(
        "export class CrmService {{\n  list() {{\n<<<<<<< HEAD\n    return ['contact'];\n=======\n    return [];\n>>>>>>> theirs\n  }}\n}}\nconst t = '{TOKEN}';\n"
    )
}

#[test]
fn a_token_and_a_conflict_marker_added_after_review_are_never_committed() {
    let r = Reviewed::new();
    r.env.write(SVC, with_token_and_marker());
    // --yes never widens the reviewed set: a closed gate naming the file.
    let out = r.commit(&["--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", r.env.transcript(&out));
    let e = err(&out);
    assert!(e.contains("1 file(s) changed since review"), "{e}");
    assert!(
        e.lines().any(|l| l == format!("  - {SVC}")),
        "the file is a reason line of its own: {e}"
    );
    assert!(e.contains("hint: run `berry review` again"), "{e}");
    assert!(!e.contains(TOKEN), "the token is masked: {e}");
    // Without a terminal and without --yes: the same.
    let out = r.commit(&[]);
    assert_eq!(out.status.code(), Some(3), "{}", r.env.transcript(&out));
    assert_eq!(r.commits(), 1);
    assert_eq!(r.env.git(&["diff", "--cached", "--name-only"]), "");
    assert!(!r.env.repo.join(".git/index.lock").exists());
}

#[test]
fn on_a_terminal_the_changed_file_is_re_reviewed_and_the_default_is_no() {
    let r = Reviewed::new();
    let edited = "export class CrmService {\n  list() {\n    return ['edited later'];\n  }\n}\n";
    r.env.write(SVC, edited);

    // Enter takes the default: no. Nothing committed, exit 4.
    let mut s = r.pty(&["commit"]);
    s.exp_string("changed since review").unwrap();
    s.exp_string("+    return ['edited later'];").unwrap();
    s.exp_string("as reviewed, and commit it?").unwrap();
    s.send_line("").unwrap();
    s.exp_eof().unwrap();
    assert_eq!(exited(&mut s), 4);
    assert_eq!(r.commits(), 1);

    // Yes: the new content is committed and becomes the recorded review.
    let mut s = r.pty(&["commit"]);
    s.exp_string("as reviewed, and commit it?").unwrap();
    s.send("y").unwrap();
    s.flush().unwrap();
    s.exp_string("Edit the message before committing?").unwrap();
    s.send("n").unwrap();
    s.flush().unwrap();
    s.exp_string("files changed").unwrap();
    s.exp_eof().unwrap();
    assert_eq!(exited(&mut s), 0);
    assert_eq!(r.env.git(&["show", &format!("HEAD:{SVC}")]), edited);
    let ctx = r.context();
    let f = ctx["review"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == SVC)
        .unwrap()
        .clone();
    assert_eq!(f["blob"], r.blob_of(SVC).as_str(), "{f}");
    assert_eq!(
        ctx["ledger"]["commit"]["changed_since_review"],
        json!([SVC])
    );
}

#[test]
fn on_a_terminal_a_token_added_after_review_closes_the_gate_without_asking() {
    let r = Reviewed::new();
    r.env.write(SVC, with_token_and_marker());
    let mut s = r.pty(&["commit"]);
    s.exp_string("changed since review").unwrap();
    s.exp_string("secrets").unwrap();
    s.exp_string("the guards found").unwrap();
    s.exp_eof().unwrap();
    assert_eq!(exited(&mut s), 3);
    assert_eq!(r.commits(), 1);
}

#[test]
fn the_guards_run_on_the_blobs_written_even_when_the_review_record_matches_them() {
    // A review record made to match a file with a token (as an edited context file can): the
    // guards at commit time still see it.
    let r = Reviewed::new();
    r.env.write(SVC, with_token_and_marker());
    let blob = r.blob_of(SVC);
    r.edit_review(|files| {
        for f in files.iter_mut().filter(|f| f["path"] == SVC) {
            f["blob"] = json!(blob);
        }
    });
    let out = r.commit(&["--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", r.env.transcript(&out));
    let e = err(&out);
    assert!(e.contains("the guards found 4 problem(s)"), "{e}");
    let reasons: Vec<&str> = e.lines().filter(|l| l.starts_with("  - ")).collect();
    assert_eq!(
        reasons.len(),
        4,
        "one reason line per finding (three markers, a token): {e}"
    );
    assert!(
        reasons
            .iter()
            .any(|l| l.contains("conflict-markers") && l.contains(SVC)),
        "{e}"
    );
    assert!(
        reasons
            .iter()
            .any(|l| l.contains("[github-pat]: ghp_…(40 chars)")),
        "{e}"
    );
    assert!(!e.contains(TOKEN), "{e}");
    assert_eq!(r.commits(), 1);
}

/// Commits `.gitleaks.toml` (the defaults plus an Acme rule) and a `.gitleaksignore` entry for
/// the token on line 2 of the service file, before the review.
fn with_repository_rules(env: &TestEnv) {
    env.write(
        ".gitleaks.toml",
        "[extend]\nuseDefault = true\n\n[[rules]]\nid = \"acme-key\"\ndescription = \"Acme key\"\nregex = '''acme_[a-z0-9]{24}'''\nkeywords = [\"acme_\"]\n",
    );
    env.write(".gitleaksignore", format!("{SVC}:github-pat:2\n"));
    env.git(&["add", ".gitleaks.toml", ".gitleaksignore"]);
    env.git(&["commit", "-q", "-m", "secret rules"]);
}

#[test]
fn commit_scans_with_the_repositorys_committed_rules_as_review_does() {
    // A token the repository's .gitleaksignore lists: no finding at review, none at commit.
    let r = Reviewed::with(with_repository_rules);
    r.env.write(
        SVC,
        format!("export class CrmService {{}}\nconst t = '{TOKEN}';\n"),
    );
    let blob = r.blob_of(SVC);
    r.edit_review(|files| {
        for f in files.iter_mut().filter(|f| f["path"] == SVC) {
            f["blob"] = json!(blob);
        }
    });
    let out = r.commit(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", r.env.transcript(&out));
    assert!(!format!("{out:?}").contains(TOKEN));

    // A key only the repository's own rule knows: the commit-time guard finds it too.
    let r = Reviewed::with(with_repository_rules);
    let acme = "acme_0a1b2c3d4e5f6a7b8c9d0e1f";
    r.env.write(SVC, format!("export const k = '{acme}';\n"));
    let blob = r.blob_of(SVC);
    r.edit_review(|files| {
        for f in files.iter_mut().filter(|f| f["path"] == SVC) {
            f["blob"] = json!(blob);
        }
    });
    let out = r.commit(&["--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", r.env.transcript(&out));
    let e = err(&out);
    assert!(e.contains("[acme-key]: acme…(29 chars)"), "{e}");
    assert!(!e.contains(acme), "{e}");
    assert_eq!(r.commits(), 2);
}

#[test]
fn a_tampered_review_list_can_hold_nothing_out_of_scope() {
    let r = Reviewed::new();
    r.env.write(".env", "DATABASE_PASSWORD=hunter2\n");
    r.env.write("docs/README.md", "# docs\n");
    let (env_blob, docs_blob) = (r.blob_of(".env"), r.blob_of("docs/README.md"));
    r.edit_review(|files| {
        for (p, b) in [(".env", &env_blob), ("docs/README.md", &docs_blob)] {
            files.push(
                json!({"path": p, "status": "added", "blob": b, "insertions": 1, "deletions": 0}),
            );
        }
    });
    let out = r.commit(&["--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", r.env.transcript(&out));
    let e = err(&out);
    assert!(e.contains("2 path(s) outside stage.paths"), "{e}");
    assert!(e.contains(".env, docs/README.md"), "{e}");
    assert!(!e.contains("hunter2"), "{e}");
    assert_eq!(r.commits(), 1);
    assert_eq!(r.env.git(&["diff", "--cached", "--name-only"]), "");
}

#[test]
fn unsafe_paths_in_a_tampered_review_are_refused_before_anything_is_read() {
    let r = Reviewed::new();
    // A file outside the repository, named through `..`, and one inside .git.
    std::fs::write(r.env.path().join("outside.txt"), "OUTSIDE-CONTENT\n").unwrap();
    let outside_blob = r
        .env
        .git(&["hash-object", "--no-filters", "../outside.txt"])
        .trim()
        .to_string();
    for bad in [
        "../outside.txt",
        "../../../../etc/hostname",
        "/etc/hostname",
        ".git/config",
        "Implementation/print-industry-erp/backend/src/../../../../outside.txt",
    ] {
        let before = r.context();
        r.edit_review(|files| {
            files.push(json!({"path": bad, "status": "added", "blob": outside_blob, "insertions": 1, "deletions": 0}));
        });
        let out = r.commit(&["--yes"]);
        assert_eq!(
            out.status.code(),
            Some(3),
            "{bad}: {}",
            r.env.transcript(&out)
        );
        let e = err(&out);
        assert!(e.contains("paths git never stores"), "{bad}: {e}");
        assert!(!e.contains("OUTSIDE-CONTENT"), "{bad}: {e}");
        assert!(!e.contains("changed since review"), "nothing was read: {e}");
        std::fs::write(r.context_path(), serde_json::to_vec(&before).unwrap()).unwrap();
    }
    assert_eq!(r.commits(), 1);
}

#[test]
fn a_rename_out_of_scope_is_not_committed() {
    // The agents moved a backend file into .github/workflows: its old path is in scope, its new
    // one is not.
    let moved = ".github/workflows/deploy.ts";
    let r = Reviewed::with(|env| {
        let from = env
            .repo
            .join(format!("{ERP}/backend/src/modules/crm/legacy.ts"));
        std::fs::create_dir_all(env.repo.join(".github/workflows")).unwrap();
        std::fs::rename(from, env.repo.join(moved)).unwrap();
    });
    // Whatever review recorded, a tampered record naming the rename is refused too.
    r.edit_review(|files| {
        files.retain(|f| f["path"] != moved);
        files.push(json!({
            "path": moved,
            "status": "renamed",
            "old_path": format!("{ERP}/backend/src/modules/crm/old-name.ts"),
            "blob": r.blob_of(moved),
            "insertions": 0,
            "deletions": 0,
        }));
    });
    let out = r.commit(&["--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", r.env.transcript(&out));
    let e = err(&out);
    assert!(
        e.contains("outside stage.paths (a rename needs both sides inside)"),
        "{e}"
    );
    assert!(e.contains(&format!("old-name.ts → {moved}")), "{e}");
    assert_eq!(r.commits(), 1);
}

#[test]
fn a_reviewed_folder_replaced_by_a_symlink_to_outside_is_refused() {
    let r = Reviewed::new();
    let outside = r.env.path().join("elsewhere");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        outside.join("crm.service.ts"),
        "export const stolen = 'OUTSIDE';\n",
    )
    .unwrap();
    std::fs::write(
        outside.join("legacy.ts"),
        "export const legacy = 1;\n".repeat(20),
    )
    .unwrap();
    let folder = r.env.repo.join(format!("{ERP}/backend/src/modules/crm"));
    std::fs::remove_dir_all(&folder).unwrap();
    std::os::unix::fs::symlink(&outside, &folder).unwrap();
    // The same content as reviewed, seen through the link: still refused, as git refuses it.
    std::fs::write(
        outside.join("crm.service.ts"),
        "export class CrmService {\n  list() {\n    return ['contact'];\n  }\n}\n",
    )
    .unwrap();
    let out = r.commit(&["--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", r.env.transcript(&out));
    let e = err(&out);
    assert!(e.contains("beyond a symbolic link"), "{e}");
    assert!(
        e.contains(&format!("(through {ERP}/backend/src/modules/crm)")),
        "{e}"
    );
    assert_eq!(r.commits(), 1);
    let tree = r.env.git(&["ls-tree", "-r", "HEAD"]);
    assert!(!tree.contains("OUTSIDE"), "{tree}");
}

#[test]
fn a_symlink_is_committed_as_a_link_never_followed() {
    let link = format!("{ERP}/backend/src/modules/crm/config.ts");
    let r = Reviewed::with(|env| {
        std::fs::write(
            env.path().join("secret.ts"),
            "export const pw = 'OUTSIDE';\n",
        )
        .unwrap();
        std::os::unix::fs::symlink("../../../../../../../secret.ts", env.repo.join(&link)).unwrap();
    });
    let out = r.commit(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", r.env.transcript(&out));
    let entry = r.env.git(&["ls-tree", "HEAD", &link]);
    assert!(entry.starts_with("120000 blob "), "{entry}");
    assert_eq!(
        r.env.git(&["cat-file", "-p", &format!("HEAD:{link}")]),
        "../../../../../../../secret.ts"
    );
    assert_eq!(r.env.git(&["status", "--porcelain", "--", &link]), "");
}

#[test]
fn blobs_are_written_as_git_writes_them_clean_filter_and_eol() {
    let crypt = format!("{ERP}/backend/src/modules/crm/keys.ts");
    let crlf = format!("{ERP}/backend/src/modules/crm/windows.ts");
    let log = std::sync::Arc::new(std::sync::Mutex::new(std::path::PathBuf::new()));
    let log2 = log.clone();
    let (crypt2, crlf2) = (crypt.clone(), crlf.clone());
    let r = Reviewed::with(move |env| {
        let (crypt, crlf) = (crypt2, crlf2);
        let l = env.path().join("filter.log");
        *log2.lock().unwrap() = l.clone();
        // A stand-in cipher (rot13 is its own inverse), logging the %f git substitutes.
        env.git(&[
            "config",
            "filter.crypt.clean",
            &format!("echo %f >> {}; tr A-Za-z N-ZA-Mn-za-m", l.display()),
        ]);
        env.git(&["config", "filter.crypt.smudge", "tr A-Za-z N-ZA-Mn-za-m"]);
        env.git(&["config", "filter.crypt.required", "true"]);
        env.write(
            ".gitattributes",
            "keys.ts filter=crypt\nwindows.ts eol=lf\n",
        );
        env.commit_all("attributes");
        env.write(&crypt, "export const apiKey = 'plaintext';\n");
        env.write(&crlf, "export const a = 1;\r\nexport const b = 2;\r\n");
    });
    let out = r.commit(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", r.env.transcript(&out));
    // The blob is what `git add` stores (git hash-object applies the same attributes).
    for p in [&crypt, &crlf] {
        assert_eq!(
            r.env.git(&["rev-parse", &format!("HEAD:{p}")]).trim(),
            r.env.git(&["hash-object", p]).trim(),
            "{p}"
        );
    }
    assert_eq!(
        r.env.git(&["cat-file", "-p", &format!("HEAD:{crypt}")]),
        "rkcbeg pbafg ncvXrl = 'cynvagrkg';\n"
    );
    assert_eq!(
        r.env.git(&["cat-file", "-p", &format!("HEAD:{crlf}")]),
        "export const a = 1;\nexport const b = 2;\n"
    );
    assert_eq!(
        r.env.git(&["status", "--porcelain", "--", &crypt, &crlf]),
        ""
    );
    let logged = std::fs::read_to_string(&*log.lock().unwrap()).unwrap();
    assert!(logged.contains(&crypt), "%f is the path: {logged}");
}

#[test]
fn a_required_clean_filter_that_fails_stops_the_commit() {
    let crypt = format!("{ERP}/backend/src/modules/crm/keys.ts");
    let r = Reviewed::with(|env| {
        env.git(&["config", "filter.crypt.clean", "cat"]);
        env.git(&["config", "filter.crypt.required", "true"]);
        env.write(".gitattributes", "keys.ts filter=crypt\n");
        env.commit_all("attributes");
        env.write(&crypt, "export const apiKey = 'plaintext';\n");
    });
    r.env.git(&["config", "filter.crypt.clean", "exit 3"]);
    let out = r.commit(&["--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", r.env.transcript(&out));
    let e = err(&out);
    assert!(e.contains("clean filter"), "{e}");
    assert_eq!(r.commits(), 2);
    assert!(!r.env.repo.join(".git/index.lock").exists());
}

#[test]
fn a_held_index_lock_is_left_alone_and_named() {
    let r = Reviewed::new();
    let lock = r.env.repo.join(".git/index.lock");
    std::fs::write(&lock, "someone else's").unwrap();
    let index = std::fs::read(r.env.repo.join(".git/index")).unwrap();
    let out = r.commit(&["--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", r.env.transcript(&out));
    let e = err(&out);
    assert!(
        r.env
            .redact(&e)
            .contains("the index is locked: [TMP]/repo/.git/index.lock exists"),
        "{e}"
    );
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), "someone else's");
    assert_eq!(std::fs::read(r.env.repo.join(".git/index")).unwrap(), index);
    assert_eq!(r.commits(), 1);
}

#[test]
fn temporary_indexes_of_dead_berry_processes_are_removed() {
    let r = Reviewed::new();
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let stale = r.env.repo.join(format!(".git/berry-next-index-{dead}"));
    std::fs::write(&stale, "DIRC").unwrap();
    let out = r.commit(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", r.env.transcript(&out));
    assert!(!stale.exists());
}

#[test]
fn a_branch_switched_since_review_is_named() {
    let r = Reviewed::new();
    r.env.git(&["switch", "-q", "-c", "feature/crm"]);
    let out = r.commit(&["--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", r.env.transcript(&out));
    let e = err(&out);
    assert!(
        e.contains("reviewed on `main`, HEAD is now on `feature/crm`"),
        "{e}"
    );
    assert!(e.contains("git switch main"), "{e}");
    r.env.git(&["switch", "-q", "main"]);
    let out = r.commit(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", r.env.transcript(&out));
}

/// A throwaway ed25519 key, an allowed-signers file for it, and ssh signing configured.
fn ssh_signing(env: &TestEnv) -> std::path::PathBuf {
    let key = env.path().join("signing_key");
    let out = std::process::Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "dana@example.com",
            "-f",
        ])
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let allowed = env.path().join("allowed_signers");
    std::fs::write(&allowed, format!("dana@example.com {public}")).unwrap();
    env.git(&["config", "commit.gpgsign", "true"]);
    env.git(&["config", "gpg.format", "ssh"]);
    env.git(&["config", "user.signingkey", key.to_str().unwrap()]);
    env.git(&[
        "config",
        "gpg.ssh.allowedSignersFile",
        allowed.to_str().unwrap(),
    ]);
    key
}

#[test]
fn commit_gpgsign_with_ssh_signs_the_commit_as_git_would() {
    let r = Reviewed::new();
    ssh_signing(&r.env);
    let out = r.commit(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", r.env.transcript(&out));
    let raw = r.env.git(&["cat-file", "commit", "HEAD"]);
    assert!(
        raw.contains("gpgsig -----BEGIN SSH SIGNATURE-----"),
        "{raw}"
    );
    let mut cmd = std::process::Command::new("git");
    r.env.apply_env(&mut cmd);
    let v = cmd
        .current_dir(&r.env.repo)
        .args(["verify-commit", "-v", "HEAD"])
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    assert!(
        String::from_utf8_lossy(&v.stderr).contains("Good \"git\" signature for dana@example.com"),
        "{}",
        String::from_utf8_lossy(&v.stderr)
    );
}

#[test]
fn a_signing_program_that_fails_is_a_refusal_never_an_unsigned_commit() {
    let r = Reviewed::new();
    ssh_signing(&r.env);
    let fake = r.env.path().join("broken-signer");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho 'signer: no key available' >&2\nexit 255\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    r.env
        .git(&["config", "gpg.ssh.program", fake.to_str().unwrap()]);
    let out = r.commit(&["--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", r.env.transcript(&out));
    let e = err(&out);
    assert!(
        e.contains("commit.gpgsign is set, but the commit cannot be signed"),
        "{e}"
    );
    assert!(e.contains("signer: no key available"), "{e}");
    assert!(e.contains("hint: "), "{e}");
    assert_eq!(r.commits(), 1);
    assert_eq!(r.env.git(&["diff", "--cached", "--name-only"]), "");
    assert!(!r.env.repo.join(".git/index.lock").exists());
    // openpgp with a program that does not exist: refused the same way.
    r.env.git(&["config", "gpg.format", "openpgp"]);
    r.env.git(&["config", "gpg.program", "/nonexistent/gpg"]);
    let out = r.commit(&["--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", r.env.transcript(&out));
    assert!(
        err(&out).contains("cannot run `/nonexistent/gpg`"),
        "{}",
        err(&out)
    );
    assert_eq!(r.commits(), 1);
}

/// Two REQs of one repository, each with its own scope, committed by two berry processes started
/// at the same moment, several rounds: every commit lands, none is reversed, the index is clean.
#[test]
fn two_berry_processes_committing_at_once_never_lose_or_reverse_a_commit() {
    let env = TestEnv::new();
    env.write("README.md", "# repo\n");
    env.commit_all("base");
    let db = PgDb::new();
    let configs: Vec<std::path::PathBuf> = ["a", "b"]
        .iter()
        .map(|side| {
            let c = env.path().join(format!("{side}.toml"));
            std::fs::write(&c, format!("[stage]\npaths = [\"{side}/**\"]\n")).unwrap();
            c
        })
        .collect();
    let berry = |req: &str, side: usize| {
        let mut c = env.berry();
        c.env("BERRY_DATABASE_URL", db.url())
            .env("BERRY_CONFIG", &configs[side])
            .env("BERRY_REQ", req);
        c
    };
    const ROUNDS: usize = 4;
    for round in 0..ROUNDS {
        let reqs = [format!("REQ-RACE-A-{round}"), format!("REQ-RACE-B-{round}")];
        for (side, req) in reqs.iter().enumerate() {
            db.load(req, None);
            let dir = ["a", "b"][side];
            env.write(
                &format!("{dir}/{round}.ts"),
                format!("export const r = {round};\n"),
            );
            for args in [vec!["verify", req.as_str()], vec!["--yes", "review"]] {
                let out = berry(req, side).args(&args).output().unwrap();
                assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
            }
        }
        let mut pending: Vec<usize> = vec![0, 1];
        for attempt in 0..30 {
            let children: Vec<(usize, std::process::Child)> = pending
                .iter()
                .map(|side| {
                    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_berry"));
                    env.apply_env(&mut c);
                    c.current_dir(&env.repo)
                        .env("BERRY_DATABASE_URL", db.url())
                        .env("BERRY_CONFIG", &configs[*side])
                        .env("BERRY_REQ", &reqs[*side])
                        .args(["--yes", "commit"])
                        .stdout(std::process::Stdio::piped())
                        .stderr(std::process::Stdio::piped());
                    (*side, c.spawn().unwrap())
                })
                .collect();
            let mut again = Vec::new();
            for (side, child) in children {
                let out = child.wait_with_output().unwrap();
                match out.status.code() {
                    Some(0) => {}
                    // The loser of the race: the lock was held, or the branch moved under it.
                    Some(1)
                        if err(&out).contains("index.lock")
                            || err(&out).contains("moved while berry was committing") =>
                    {
                        again.push(side)
                    }
                    _ => panic!("round {round} attempt {attempt}: {}", env.transcript(&out)),
                }
            }
            pending = again;
            if pending.is_empty() {
                break;
            }
        }
        assert!(pending.is_empty(), "round {round}: never got through");
        // After each round: both files in HEAD, nothing staged, nothing reversed.
        assert_eq!(env.git(&["status", "--porcelain"]), "", "round {round}");
        let tree = env.git(&["ls-tree", "-r", "--name-only", "HEAD"]);
        for r in 0..=round {
            for dir in ["a", "b"] {
                assert!(
                    tree.contains(&format!("{dir}/{r}.ts")),
                    "round {round}: {tree}"
                );
            }
        }
    }
    assert_eq!(
        env.git(&["rev-list", "--count", "HEAD"]).trim(),
        (1 + 2 * ROUNDS).to_string()
    );
    assert!(!env.repo.join(".git/index.lock").exists());
    // The next plain git commit deletes nothing.
    env.write("notes.txt", "plain\n");
    env.git(&["add", "notes.txt"]);
    env.git(&["commit", "-q", "-m", "plain"]);
    assert_eq!(
        env.git(&["show", "--name-status", "--format=", "HEAD"]),
        "A\tnotes.txt\n"
    );
}

/// A submodule at `sub` (in scope) added and committed, then moved to a new commit: returns the
/// new commit id.
fn moved_submodule(env: &TestEnv, sub: &str) -> String {
    env.add_submodule(sub);
    env.move_submodule(sub, "export const v = 2;\n")
}

const SUB: &str = "Implementation/print-industry-erp/backend/src/modules/shared-lib";

#[test]
fn a_reviewed_submodule_pointer_is_committed_as_the_reviewed_commit_id() {
    let mut new = String::new();
    let r = Reviewed::with(|env| new = moved_submodule(env, SUB));
    let reviewed = r.context()["review"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == SUB)
        .cloned();
    assert_eq!(
        reviewed.unwrap()["blob"],
        new.as_str(),
        "reviewed as its new commit id"
    );
    // The submodule's own working tree changes after review: not berry's to commit.
    std::fs::write(r.env.repo.join(SUB).join("index.ts"), "dirty\n").unwrap();
    let out = r.commit(&["--yes"]);
    let t = r.env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let entry = r.env.git(&["ls-tree", "HEAD", SUB]);
    assert_eq!(entry.trim(), format!("160000 commit {new}\t{SUB}"), "{t}");
    let files = r.env.git(&["ls-tree", "-r", "--name-only", "HEAD"]);
    assert!(
        !files.contains(&format!("{SUB}/")),
        "never the submodule's files: {files}"
    );
    assert!(files.contains(SVC), "the reviewed files too: {files}");
    // The index agrees with the commit: git sees no staged change of the pointer.
    let staged = r.env.git(&["diff", "--cached", "--name-only"]);
    assert!(!staged.contains(SUB), "{staged}");
    assert!(
        r.context()["ledger"]["commit"]["files"]
            .to_string()
            .contains(SUB)
    );
}

#[test]
fn a_submodule_moved_again_after_review_closes_the_gate() {
    let r = Reviewed::with(|env| {
        moved_submodule(env, SUB);
    });
    let before = r.env.git(&["rev-parse", "HEAD"]);
    let later = r.env.move_submodule(SUB, "export const v = 3;\n");
    let out = r.commit(&["--yes"]);
    let e = err(&out);
    assert_eq!(out.status.code(), Some(3), "{}", r.env.transcript(&out));
    assert!(e.contains("changed since review") && e.contains(SUB), "{e}");
    assert_eq!(
        r.env.git(&["rev-parse", "HEAD"]),
        before,
        "nothing committed"
    );
    assert!(!r.env.git(&["ls-tree", "-r", "HEAD"]).contains(&later));
}
