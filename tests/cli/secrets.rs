//! Secrets (README "Reliability"): the whole pipeline runs with a known GitHub token and a database
//! password (a PostgreSQL role of the test's own), verbose, and neither appears anywhere berry
//! writes or sends: stdout and stderr of every step, every file under the test's folder (the
//! repository, its state folder and logs, HOME), every request body the fake GitHub received (PR
//! and issue bodies), and every NATS payload. A CI log that prints them is masked in the issue.

use std::os::unix::fs::PermissionsExt as _;
use std::process::Output;

use serde_json::Value;

use crate::common::*;
use crate::crash::FakeGitHub;
use crate::fakes::{GitHttp, NAME, OWNER, TOKEN, files_containing};
use crate::nats::{TestStream, nats_url};

const DB_PASSWORD: &str = "pg-S3cret-Pa55word-of-berry";
/// A key an agent wrote into its deliverable text: not one of berry's credentials, found by the
/// rules, allowed at review, and still masked in everything that carries it.
const PLANTED: &str = "AKIAQ3EGRTWPLXS7NB5M";

/// A login role with a password, allowed to read the test database; dropped after it.
struct Role {
    name: String,
}

impl Role {
    fn new(db: &PgDb) -> Role {
        let name = format!("{}_reader", db.name);
        let mut admin = postgres::Client::connect(&pg_admin_url(), postgres::NoTls).unwrap();
        admin
            .batch_execute(&format!(
                "CREATE ROLE {name} LOGIN PASSWORD '{DB_PASSWORD}'"
            ))
            .unwrap();
        db.client()
            .batch_execute(&format!("GRANT SELECT ON nats_deliverable_cache TO {name}"))
            .unwrap();
        Role { name }
    }

    fn url(&self, db: &PgDb) -> String {
        format!(
            "postgres://{}:{DB_PASSWORD}@127.0.0.1:5432/{}",
            self.name, db.name
        )
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&pg_admin_url(), postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP ROLE IF EXISTS {}", self.name));
        }
    }
}

fn hits(what: &str, text: &str) -> Vec<String> {
    [TOKEN, DB_PASSWORD, PLANTED]
        .iter()
        .filter(|s| text.contains(*s))
        .map(|s| format!("{what} contains {}", &s[..8]))
        .collect()
}

fn output_hits(step: &str, out: &Output) -> Vec<String> {
    let mut v = hits(
        &format!("{step} stdout"),
        &String::from_utf8_lossy(&out.stdout),
    );
    v.extend(hits(
        &format!("{step} stderr"),
        &String::from_utf8_lossy(&out.stderr),
    ));
    v
}

#[test]
fn the_whole_pipeline_never_shows_writes_or_sends_the_token_or_the_database_password() {
    let role;
    let db = PgDb::new();
    db.load(REQ, None);
    db.client()
        .execute(
            "UPDATE nats_deliverable_cache SET deliverable = jsonb_set(jsonb_set(deliverable, \
             '{completedWork}', $1), '{summary}', $2) WHERE req_number = $3 AND agent = 'roy'",
            &[
                &serde_json::json!([format!("Rotated the AWS key {PLANTED} in the CI secrets")]),
                &serde_json::json!(format!("Rotated the AWS key {PLANTED} in the CI secrets.")),
                &REQ,
            ],
        )
        .unwrap();
    role = Role::new(&db);
    let stream = TestStream::new();
    let env = TestEnv::new();
    let remotes = env.path().join("remotes");
    let bare = remotes.join("origin.git");
    std::fs::create_dir_all(&bare).unwrap();
    env.git_in(&bare, &["init", "-q", "--bare", "-b", "main"]);
    env.agog_base();
    env.git(&[
        "remote",
        "add",
        "origin",
        &format!("file://{}", bare.display()),
    ]);
    env.git(&["push", "-q", "origin", "main"]);
    // Pushes go over smart HTTP with the token, as to GitHub.
    let http = GitHttp::start(&remotes, TOKEN);
    env.git(&["remote", "set-url", "origin", &http.url("origin.git")]);
    env.git(&["checkout", "-q", "-b", "req-crm"]);
    env.agog_changes();
    let config = env.path().join("berry.toml");
    std::fs::write(
        &config,
        format!(
            "[nats]\nsubject = \"{}\"\n\n[[test.commands]]\nname = \"unit\"\nargv = [\"sh\", \"-c\", \"echo tests pass\"]\ndir = \".\"\n",
            stream.template()
        ),
    )
    .unwrap();
    let gh = FakeGitHub::start();

    let berry = |api: &str| {
        let mut c = env.berry();
        c.env("BERRY_CONFIG", &config)
            .env("BERRY_DATABASE_URL", role.url(&db))
            .env("GH_TOKEN", TOKEN)
            .env("NATS_URL", nats_url())
            .env("GITHUB_API_URL", api)
            .env("BERRY_GITHUB_REPO", format!("{OWNER}/{NAME}"))
            .arg("-v");
        c
    };
    let mut found = Vec::new();
    let mut run = |step: &str, args: &[&str], api: &str| -> Output {
        let out = berry(api).args(args).output().unwrap();
        found.extend(output_hits(step, &out));
        out
    };

    let out = run("verify", &["verify", REQ], &gh.url);
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    // The key in roy's text closes the gate (named after roy) until it is allowed.
    let out = run("review", &["review", "--yes", "--json"], &gh.url);
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("deliverable:roy"),
        "{}",
        env.transcript(&out)
    );
    let out = run(
        "review",
        &[
            "review",
            "--yes",
            "--allow",
            "secrets:deliverable:roy",
            "--reason",
            "revoked key",
        ],
        &gh.url,
    );
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let out = run("commit", &["commit", "--yes"], &gh.url);
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    if out.status.code() != Some(0) {
        // Until `berry commit` lands: commit as it does and record it.
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("is not built yet"),
            "{}",
            env.transcript(&out)
        );
        env.commit_all(&format!(
            "feat({REQ}): Integrated CRM & Sales Pipeline Management"
        ));
        let path = env.repo.join(format!(".git/berry/{REQ}.json"));
        let mut ctx: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        crate::common::record_shipped(&mut ctx, &env, "req-crm", serde_json::json!([]));
        std::fs::write(&path, serde_json::to_vec_pretty(&ctx).unwrap()).unwrap();
    }
    let out = run("test", &["test"], &gh.url);
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let out = run("push", &["push", "--yes"], &gh.url);
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let out = run("pr", &["pr"], &gh.url);
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let sha = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    let watch_gh = crate::watch::FakeGithub::new(&sha, crate::watch::green_phases());
    let out = run(
        "watch",
        &["watch", "--interval", "0.05"],
        &watch_gh.api.url(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let out = run("complete", &["complete", "--yes"], &gh.url);
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let out = run("status", &["status", "--json"], &gh.url);
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));

    // The pipeline really went through and used both secrets.
    let ctx: Value = serde_json::from_slice(
        &std::fs::read(env.repo.join(format!(".git/berry/{REQ}.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(ctx["state"], "DEPLOYED", "{ctx}");
    assert!(
        ctx["evidence"]["source"]
            .as_str()
            .unwrap()
            .contains(&role.name)
    );
    let requests = gh.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.headers.contains(&format!("Bearer {TOKEN}"))),
        "the token was used"
    );
    let posts: Vec<_> = requests.iter().filter(|r| r.method == "POST").collect();
    assert_eq!(posts.len(), 1, "one PR body");
    assert!(posts[0].body.contains("## Summary"), "{}", posts[0].body);
    assert!(
        posts[0]
            .body
            .contains("Rotated the AWS key AKIA…(20 chars)"),
        "roy's text is in the PR body, masked: {}",
        posts[0].body
    );
    // berry's own commit for the REQ (a tracker commit `chore(REQ): …` may follow it).
    let message = env.git(&[
        "log",
        "-1",
        "--format=%B",
        "--invert-grep",
        "--grep=^chore(",
    ]);
    assert!(
        message.contains("Rotated the AWS key AKIA…(20 chars)"),
        "{message}"
    );
    found.extend(hits("the commit message", &message));

    for r in &requests {
        found.extend(hits(
            &format!("GitHub {} {} body", r.method, r.path),
            &r.body,
        ));
    }
    for (method, body) in watch_gh.state().issue_writes.iter() {
        found.extend(hits(&format!("issue {method} body"), &body.to_string()));
    }
    let messages = stream.messages();
    assert_eq!(messages.len(), 1);
    for (id, payload) in &messages {
        found.extend(hits(&format!("NATS message {id}"), &payload.to_string()));
    }
    for secret in [TOKEN, DB_PASSWORD, PLANTED] {
        for f in files_containing(env.path(), secret) {
            found.push(format!("file {} contains {}", f.display(), &secret[..8]));
        }
    }
    // Files berry wrote are private.
    let mode = std::fs::metadata(env.repo.join(format!(".git/berry/{REQ}.json")))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "context mode {mode:o}");
    assert!(found.is_empty(), "secrets leaked:\n{}", found.join("\n"));
}

#[test]
fn a_ci_log_that_prints_the_token_is_masked_in_the_issue_and_everywhere_else() {
    use crate::watch::{FakeGithub, failing_phases, loose, pushed, watch};
    let env = TestEnv::new();
    let ready = pushed(&env, &loose(), "");
    let gh = FakeGithub::new(&ready.sha, failing_phases());
    let out = watch(&env, &ready, &gh)
        .arg("--yes")
        .arg("-v")
        .env(
            "BERRY_DATABASE_URL",
            format!("postgres://reader:{DB_PASSWORD}@127.0.0.1:1/none"),
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", env.transcript(&out));
    let mut found = output_hits("watch", &out);
    let writes = gh.state().issue_writes.clone();
    assert_eq!(writes.len(), 1);
    let body = writes[0].1["body"].as_str().unwrap().to_string();
    // The log line that echoed the token is in the issue, masked as every channel masks it.
    assert!(body.contains("echo using …(40 chars)"), "{body}");
    found.extend(hits("issue body", &body));
    for secret in [TOKEN, DB_PASSWORD] {
        for f in files_containing(env.path(), secret) {
            found.push(format!("file {} contains {}", f.display(), &secret[..8]));
        }
    }
    assert!(found.is_empty(), "secrets leaked:\n{}", found.join("\n"));
}
