//! The deterministic test environment: a temp HOME and repository, a fixed clock, no global git
//! config, no color; a PostgreSQL database of its own per test; helpers to build repositories
//! in the AgogSaaS layout and to snapshot whole runs (exit code, stdout, stderr).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use tempfile::TempDir;

pub const NOW: &str = "2026-01-05T12:00:00Z";
pub const ERP: &str = "Implementation/print-industry-erp";
pub const REQ: &str = "REQ-STRATEGIC-AUTO-1767116143665";

/// Environment variables a developer's shell may set that would leak into berry under test.
const SCRUB: &[&str] = &[
    "BERRY_YES",
    "BERRY_CONFIG",
    "BERRY_REQ",
    "BERRY_COLOR",
    "BERRY_DATABASE_URL",
    "BERRY_DELIVERABLES",
    "BERRY_STATE_DIR",
    "BERRY_GITHUB_REPO",
    "BERRY_PAGER",
    "BERRY_LOG",
    "LESS",
    "BERRY_FAULT",
    "PAGER",
    "GH_TOKEN",
    "GITHUB_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "GITHUB_API_URL",
    "NATS_URL",
    "XDG_CONFIG_HOME",
    "NATS_USER",
    "NATS_PASSWORD",
    "NATS_CREDS",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGDATABASE",
    "PGCONNECT_TIMEOUT",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "EDITOR",
    "VISUAL",
    "GIT_EDITOR",
    "CI",
];

pub struct TestEnv {
    pub tmp: TempDir,
    pub home: PathBuf,
    pub repo: PathBuf,
}

impl TestEnv {
    /// A temp dir with `home/` and an empty repository `repo/` on branch `main`.
    pub fn new() -> TestEnv {
        let tmp = tempfile::Builder::new()
            .prefix("berry-test-")
            .tempdir()
            .unwrap();
        let home = tmp.path().join("home");
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&repo).unwrap();
        let env = TestEnv { tmp, home, repo };
        env.git(&["init", "-q", "-b", "main"]);
        env
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// `berry` in the repository with the deterministic environment.
    pub fn berry(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("berry").unwrap();
        self.apply_env(cmd.current_dir(&self.repo));
        cmd
    }

    /// `berry ARGS` on a pseudo-terminal (a real prompt), pager off, in the repository.
    pub fn pty<I, S>(&self, args: I) -> rexpect::session::PtySession
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_berry"));
        self.apply_env(&mut cmd);
        cmd.current_dir(&self.repo)
            .env("BERRY_PAGER", "cat")
            .env("TERM", "xterm")
            .args(args);
        screen_size(&mut cmd, PTY_ROWS, PTY_COLS);
        rexpect::session::spawn_command(cmd, Some(20_000)).unwrap()
    }

    /// The same environment for any `std::process::Command` (git, a pty-driven berry).
    pub fn apply_env<C: EnvLike>(&self, cmd: &mut C) {
        for v in SCRUB {
            cmd.remove(v);
        }
        cmd.set("HOME", self.home.as_os_str());
        cmd.set("GIT_CONFIG_GLOBAL", "/dev/null".as_ref());
        cmd.set("GIT_CONFIG_NOSYSTEM", "1".as_ref());
        cmd.set("NO_COLOR", "1".as_ref());
        cmd.set("BERRY_NOW", NOW.as_ref());
        cmd.set("BERRY_LOCK_TIMEOUT", "2".as_ref());
        cmd.set("GIT_AUTHOR_NAME", "Dana Ops".as_ref());
        cmd.set("GIT_AUTHOR_EMAIL", "dana@example.com".as_ref());
        cmd.set("GIT_COMMITTER_NAME", "Dana Ops".as_ref());
        cmd.set("GIT_COMMITTER_EMAIL", "dana@example.com".as_ref());
        cmd.set("GIT_AUTHOR_DATE", "2026-01-05T12:00:00Z".as_ref());
        cmd.set("GIT_COMMITTER_DATE", "2026-01-05T12:00:00Z".as_ref());
        cmd.set("TZ", "UTC".as_ref());
    }

    /// Runs git in the repository; panics on failure; returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.repo, args)
    }

    /// A bare repository `origin.git` beside the repository, added as its `origin` (a
    /// `file://` URL) with `main` pushed and tracked; returns its path.
    pub fn file_origin(&self) -> PathBuf {
        let origin = self.path().join("origin.git");
        self.git(&[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            origin.to_str().unwrap(),
        ]);
        self.git(&[
            "remote",
            "add",
            "origin",
            &format!("file://{}", origin.display()),
        ]);
        self.git(&["push", "-q", "-u", "origin", "main"]);
        origin
    }

    /// Adds a submodule at `sub` (a repository of its own, one commit) and commits the pointer
    /// and `.gitmodules` alone.
    pub fn add_submodule(&self, sub: &str) {
        let lib = self.path().join("shared-lib");
        std::fs::create_dir_all(&lib).unwrap();
        self.git_in(&lib, &["init", "-q", "-b", "main"]);
        std::fs::write(lib.join("index.ts"), "export const v = 1;\n").unwrap();
        self.git_in(&lib, &["add", "-A"]);
        self.git_in(&lib, &["commit", "-q", "-m", "v1"]);
        self.git(&[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            lib.to_str().unwrap(),
            sub,
        ]);
        self.git(&["commit", "-q", "-m", "submodule", "--", ".gitmodules", sub]);
    }

    /// Moves the submodule at `sub` to a new commit writing `text`; returns its id.
    pub fn move_submodule(&self, sub: &str, text: &str) -> String {
        let inner = self.repo.join(sub);
        std::fs::write(inner.join("index.ts"), text).unwrap();
        self.git_in(&inner, &["commit", "-q", "-am", "moved"]);
        self.git_in(&inner, &["rev-parse", "HEAD"])
            .trim()
            .to_string()
    }

    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let mut cmd = std::process::Command::new("git");
        self.apply_env(&mut cmd);
        let out = cmd.current_dir(dir).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let p = self.repo.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.repo.join(rel)).unwrap()
    }

    pub fn commit_all(&self, msg: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", msg]);
    }

    /// A committed AgogSaaS-shaped base: backend and frontend sources, a tracker with the REQ.
    pub fn agog_base(&self) {
        self.write(
            &format!("{ERP}/backend/src/modules/crm/crm.service.ts"),
            "export class CrmService {\n  list() {\n    return [];\n  }\n}\n",
        );
        self.write(
            &format!("{ERP}/backend/src/modules/crm/old-name.ts"),
            "export const legacy = 1;\n".repeat(20),
        );
        self.write(
            &format!("{ERP}/backend/migrations/V0.0.62__base.sql"),
            "CREATE TABLE base (id int);\n",
        );
        self.write(
            &format!("{ERP}/frontend/src/pages/CrmPage.tsx"),
            "export const CrmPage = () => null;\n",
        );
        self.write(
            &format!("{ERP}/frontend/src/utils/obsolete.ts"),
            "export const x = 1;\n",
        );
        self.write(
            &format!("{ERP}/backend/package.json"),
            "{\"name\": \"backend\"}\n",
        );
        self.write("README.md", "# AgogSaaS\n");
        self.write(
            "project-spirit/owner_requests/OWNER_REQUESTS.md",
            tracker_with(REQ, "Integrated CRM & Sales Pipeline Management"),
        );
        self.commit_all("base");
    }

    /// Pending work of the agents: added, modified, deleted and renamed files in scope, one change
    /// outside scope.
    pub fn agog_changes(&self) {
        self.write(
            &format!("{ERP}/backend/migrations/V0.0.63__crm.sql"),
            "CREATE TABLE crm_contacts (id uuid);\n",
        );
        self.write(
            &format!("{ERP}/backend/src/modules/crm/crm.service.ts"),
            "export class CrmService {\n  list() {\n    return ['contact'];\n  }\n}\n",
        );
        self.write(
            &format!("{ERP}/backend/src/graphql/crm.graphql"),
            "type Contact { id: ID! }\n",
        );
        self.write(
            &format!("{ERP}/frontend/src/pages/ContactsPage.tsx"),
            "export const ContactsPage = () => null;\n",
        );
        std::fs::remove_file(
            self.repo
                .join(format!("{ERP}/frontend/src/utils/obsolete.ts")),
        )
        .unwrap();
        std::fs::rename(
            self.repo
                .join(format!("{ERP}/backend/src/modules/crm/old-name.ts")),
            self.repo
                .join(format!("{ERP}/backend/src/modules/crm/legacy.ts")),
        )
        .unwrap();
        self.write("README.md", "# AgogSaaS\n\nNow with CRM.\n");
    }

    /// A deliverables folder for `req` with the six agents' real-shaped deliverables, QA's replaced
    /// by `qa` when given.
    pub fn deliverables_folder(&self, req: &str, qa: Option<serde_json::Value>) -> PathBuf {
        let dir = self.tmp.path().join("deliverables");
        let sub = dir.join(req);
        std::fs::create_dir_all(&sub).unwrap();
        for (agent, value) in approved_set(req) {
            let v = if agent == "billy" {
                qa.clone().unwrap_or(value)
            } else {
                value
            };
            std::fs::write(
                sub.join(format!("{agent}.json")),
                serde_json::to_vec_pretty(&v).unwrap(),
            )
            .unwrap();
        }
        dir
    }

    /// The approved deliverables folder for [`REQ`], and `berry verify` run on it (exit 0).
    pub fn verify_approved(&self) -> PathBuf {
        let dir = self.deliverables_folder(REQ, None);
        self.berry()
            .args(["verify", REQ, "--deliverables"])
            .arg(&dir)
            .assert()
            .code(0);
        dir
    }

    /// `berry review` on a pseudo-terminal, waiting at its multi-select.
    pub fn review_prompt(&self, deliverables: &Path) -> rexpect::session::PtySession {
        let mut p = self.pty([
            std::ffi::OsStr::new("review"),
            "--deliverables".as_ref(),
            deliverables.as_os_str(),
        ]);
        p.exp_string("Files to commit").unwrap();
        p
    }

    /// Replaces the temp dir's path by `[TMP]` in `text`.
    pub fn redact(&self, text: &str) -> String {
        let tmp = self.tmp.path().to_string_lossy().to_string();
        let canon = std::fs::canonicalize(self.tmp.path())
            .map(|p| p.to_string_lossy().to_string())
            .unwrap_or_default();
        let mut t = text.replace(&canon, "[TMP]").replace(&tmp, "[TMP]");
        // Temp names of corrupt files, lock holders' pids.
        t = regex_replace(&t, r"corrupt-\d+", "corrupt-[STAMP]");
        t = regex_replace(&t, r"pid \d+", "pid [PID]");
        t = regex_replace(&t, r"berry_test_\d+_\d+_\d+", "[DB]");
        t
    }

    /// `exit: N`, then stdout and stderr, redacted: what snapshots hold.
    pub fn transcript(&self, out: &Output) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            out.status
                .code()
                .map(|c| c.to_string())
                .unwrap_or_else(|| "signal".into()),
            self.redact(&String::from_utf8_lossy(&out.stdout)),
            self.redact(&String::from_utf8_lossy(&out.stderr)),
        )
    }
}

pub fn regex_replace(text: &str, pat: &str, with: &str) -> String {
    regex::Regex::new(pat)
        .unwrap()
        .replace_all(text, with)
        .into_owned()
}

/// A tracker file with the real header and one entry.
pub fn tracker_with(req: &str, title: &str) -> String {
    format!(
        "{}\n### {req}: {title}\n\n**Status**: IN_PROGRESS\n**Owner**: marcus\n**Priority**: P1\n\n---\n",
        fixture("agogsaas/owner_requests_header_6544335.md")
    )
}

/// The screen of every pseudo-terminal test: a real terminal's size, not the 0×0 of a fresh pty.
pub const PTY_ROWS: u16 = 24;
pub const PTY_COLS: u16 = 80;

/// Gives the child's terminal (its stdin, the pty's slave once rexpect set it up) a size before
/// it starts, as a terminal emulator does.
pub fn screen_size(cmd: &mut std::process::Command, rows: u16, cols: u16) {
    use std::os::unix::process::CommandExt;
    // SAFETY: only an ioctl on fd 0 between fork and exec, which is async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            let ws = libc::winsize {
                ws_row: rows,
                ws_col: cols,
                ws_xpixel: 0,
                ws_ypixel: 0,
            };
            if libc::ioctl(0, libc::TIOCSWINSZ, &ws) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Lets `apply_env` work on both `std::process::Command` and `assert_cmd::Command`.
pub trait EnvLike {
    fn set(&mut self, k: &str, v: &std::ffi::OsStr);
    fn remove(&mut self, k: &str);
}
impl EnvLike for std::process::Command {
    fn set(&mut self, k: &str, v: &std::ffi::OsStr) {
        self.env(k, v);
    }
    fn remove(&mut self, k: &str) {
        self.env_remove(k);
    }
}
impl EnvLike for assert_cmd::Command {
    fn set(&mut self, k: &str, v: &std::ffi::OsStr) {
        self.env(k, v);
    }
    fn remove(&mut self, k: &str) {
        self.env_remove(k);
    }
}

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn fixture(rel: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(rel))
        .unwrap_or_else(|e| panic!("fixture {rel}: {e}"))
}

pub fn fixture_json(rel: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(rel)).unwrap()
}

/// The six real-shaped deliverables of an approved REQ, in stage order.
pub fn approved_set(_req: &str) -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "cynthia",
            fixture_json("agogsaas/deliverable_cynthia_completion_with_changes.json"),
        ),
        (
            "sylvia",
            fixture_json("agogsaas/deliverable_sylvia_critique_payload_decision.json"),
        ),
        (
            "roy",
            fixture_json("agogsaas/deliverable_roy_completion_notice_phase1.json"),
        ),
        (
            "jen",
            fixture_json("agogsaas/deliverable_jen_completion_notice_with_changes.json"),
        ),
        (
            "billy",
            fixture_json("agogsaas/deliverable_billy_qa_full_excerpt.json"),
        ),
        (
            "priya",
            fixture_json("agogsaas/deliverable_priya_completion_notice.json"),
        ),
    ]
}

/// A PostgreSQL database of the test's own, with the real `nats_deliverable_cache` table; dropped
/// when this value is.
pub struct PgDb {
    pub name: String,
    admin: String,
}

/// The server the tests use: `BERRY_TEST_PG` or the local one.
pub fn pg_admin_url() -> String {
    std::env::var("BERRY_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl PgDb {
    pub fn new() -> PgDb {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let admin = pg_admin_url();
        let name = format!(
            "berry_test_{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        let mut c = postgres::Client::connect(&admin, postgres::NoTls).unwrap_or_else(|e| {
            panic!("PostgreSQL is not reachable at {admin}: {e}\nStart it (scripts/test.sh does) or set BERRY_TEST_PG")
        });
        c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let db = PgDb { name, admin };
        db.client().batch_execute(SCHEMA).unwrap();
        db
    }

    pub fn url(&self) -> String {
        let mut u = self.admin.clone();
        let cut = u.rfind('/').unwrap();
        u.truncate(cut + 1);
        u.push_str(&self.name);
        u
    }

    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url(), postgres::NoTls).unwrap()
    }

    /// Inserts one row; `age_secs` before NOW.
    pub fn insert(
        &self,
        req: &str,
        agent: &str,
        stage: i32,
        deliverable: &serde_json::Value,
        age_secs: i64,
    ) -> String {
        let row = self
            .client()
            .query_one(
                "INSERT INTO nats_deliverable_cache (req_number, agent, stage, deliverable, created_at) \
                 VALUES ($1, $2, $3, $4, $5::text::timestamptz - make_interval(secs => $6)) RETURNING id::text",
                &[&req, &agent, &stage, deliverable, &NOW, &(age_secs as f64)],
            )
            .unwrap();
        row.get(0)
    }

    /// The six deliverables of an approved REQ, QA's replaced by `qa` when given.
    pub fn load(&self, req: &str, qa: Option<serde_json::Value>) {
        for (i, (agent, value)) in approved_set(req).into_iter().enumerate() {
            let v = if agent == "billy" {
                qa.clone().unwrap_or(value)
            } else {
                value
            };
            self.insert(req, agent, i as i32, &v, 3600 * (6 - i as i64));
        }
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The real table (fixtures/agogsaas/nats_deliverable_cache.columns.tsv).
const SCHEMA: &str = r#"
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
CREATE TABLE nats_deliverable_cache (
    id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    req_number VARCHAR(50) NOT NULL,
    agent VARCHAR(50) NOT NULL,
    stage INTEGER NOT NULL,
    deliverable JSONB NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (req_number, agent, stage)
);
CREATE INDEX idx_deliverable_req ON nats_deliverable_cache(req_number);
CREATE INDEX idx_deliverable_agent ON nats_deliverable_cache(agent);
COMMENT ON TABLE nats_deliverable_cache IS 'Cache of NATS deliverables';
"#;

/// Records HEAD in a context's ledger as `berry commit` does (`files` as given), and the tests as
/// passed for HEAD's tree as `berry test` does.
pub fn record_shipped(
    ctx: &mut serde_json::Value,
    env: &TestEnv,
    branch: &str,
    files: serde_json::Value,
) {
    let sha = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    let tree = env.git(&["rev-parse", "HEAD^{tree}"]).trim().to_string();
    ctx["ledger"]["commit"] = serde_json::json!({
        "sha": sha, "branch": branch, "tree": tree, "at": NOW,
        "files_changed": files.as_array().map(Vec::len).unwrap_or(0),
        "insertions": 0, "deletions": 0, "files": files,
    });
    ctx["ledger"]["tests"] = serde_json::json!({
        "passed": true, "log": "test.log", "commands": [], "head": sha, "tree": tree, "at": NOW,
    });
    ctx["steps"]["test"] = serde_json::json!({"outcome": "ok", "at": NOW, "message": "passed"});
}

/// `ledger.watch` as `berry watch` records a finished watch.
pub fn watch_record(sha: &str, conclusion: &str) -> serde_json::Value {
    serde_json::json!({
        "conclusion": conclusion, "sha": sha, "runs": [], "requests": {"200": 0, "304": 0}, "at": NOW,
    })
}
