//! `berry checklist`: the security checklist's automatic items read from the committed tree of
//! the shipped commit, the operator's items on a terminal or with `--attest`, and what
//! `complete` then requires.

use serde_json::{Value, json};

use crate::common::*;
use crate::complete::{Ready, TRACKER, context_json, write_context};

/// `Ready` with `dockerfile` committed on top (when given), recorded as the commit that ships.
fn ready(env: &TestEnv, config: &str, dockerfile: Option<&str>) -> Ready {
    let mut ready = Ready::for_req(env, REQ, None);
    std::fs::write(&ready.config, config).unwrap();
    // Reviewed, the guards passing, as `berry review` records it.
    let mut ctx = context_json(env);
    ctx["review"] = json!({"reviewed_at": NOW, "files": []});
    write_context(env, &ctx);
    if let Some(d) = dockerfile {
        env.write(&format!("{ERP}/backend/Dockerfile"), d);
        env.commit_all("backend image");
        let mut ctx = context_json(env);
        let files = ctx["ledger"]["commit"]["files"].clone();
        record_shipped(&mut ctx, env, "main", files);
        ready.sha = env.git(&["rev-parse", "HEAD"]).trim().to_string();
        ctx["ledger"]["watch"] = watch_record(&ready.sha, "success");
        write_context(env, &ctx);
    }
    ready
}

fn item<'a>(ctx: &'a Value, id: &str) -> &'a Value {
    ctx["ledger"]["checklist"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()
}

#[test]
fn a_dockerfile_ending_in_user_root_fails_its_item_from_the_committed_tree() {
    let env = TestEnv::new();
    let config = "[nats]\npublish = false\n\n[checklist]\nrequired = [\"non-root\", \"secrets\", \"https\"]\n";
    let ready = ready(
        &env,
        config,
        Some("FROM node:20\nUSER node\nRUN npm ci\nUSER root\n"),
    );
    // The working tree is fixed, but only the committed tree counts.
    env.write(
        &format!("{ERP}/backend/Dockerfile"),
        "FROM node:20\nUSER node\n",
    );
    let out = ready.berry(&env).arg("checklist").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(t.contains("non-root"), "{t}");
    assert!(
        t.contains("Implementation/print-industry-erp/backend/Dockerfile ends with USER root"),
        "{t}"
    );
    assert!(
        t.contains("required checklist item(s) failed: non-root"),
        "{t}"
    );
    let ctx = context_json(&env);
    assert_eq!(item(&ctx, "non-root")["auto"]["passed"], false);
    assert_eq!(item(&ctx, "secrets")["auto"]["passed"], true);
    assert_eq!(item(&ctx, "https")["auto"]["passed"], true);
    assert_eq!(ctx["ledger"]["checklist"]["sha"], json!(ready.sha));

    // A failed automatic item cannot be attested away.
    let out = ready
        .berry(&env)
        .args(["checklist", "--attest", "non-root=trust me"])
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(
        t.contains("this item is checked automatically (failed"),
        "{t}"
    );

    let before = env.read(TRACKER);
    let out = ready.complete(&env).arg("--yes").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(
        t.contains("required security checklist item(s) failed for"),
        "{t}"
    );
    assert_eq!(env.read(TRACKER), before, "nothing written");
}

#[test]
fn attest_records_who_and_when_and_complete_carries_it() {
    let env = TestEnv::new();
    let config = "[nats]\npublish = false\n\n[checklist]\nrequired = [\"backups\"]\n";
    let ready = ready(&env, config, Some("FROM node:20\nUSER node\n"));

    // Not gone through yet: complete names the step.
    let out = ready.complete(&env).arg("--yes").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(t.contains("hint: run `berry checklist` first"), "{t}");

    // Without a terminal the operator's items stay open: exit 4 naming the flag.
    let out = ready.berry(&env).arg("checklist").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(4), "{t}");
    assert!(t.contains("--attest backups"), "{t}");
    assert!(t.contains("non-root          passed"), "{t}");
    // --yes confirms nothing.
    let out = ready
        .berry(&env)
        .args(["--yes", "checklist"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", env.transcript(&out));
    let out = ready.complete(&env).arg("--yes").output().unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(t.contains("not confirmed for"), "{t}");
    assert!(t.contains("--attest backups"), "{t}");

    let out = ready
        .berry(&env)
        .args(["checklist", "--attest", "nonsense"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", env.transcript(&out));

    let out = ready
        .berry(&env)
        .args([
            "checklist",
            "--attest",
            "backups=restore drill 2026-01-02",
            "--attest",
            "cors",
        ])
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let ctx = context_json(&env);
    let b = &item(&ctx, "backups")["answer"];
    assert_eq!(b["confirmed"], true);
    assert_eq!(b["by"], "Dana Ops <dana@example.com>");
    assert_eq!(b["at"], NOW);
    assert_eq!(b["how"], "--attest");
    assert_eq!(b["note"], "restore drill 2026-01-02");
    assert_eq!(item(&ctx, "non-root")["auto"]["passed"], true);
    assert!(item(&ctx, "rate-limiting")["answer"].is_null());

    let out = ready.berry(&env).arg("status").output().unwrap();
    let t = env.transcript(&out);
    assert!(t.contains("checklist 5/10 for"), "{t}");
    assert!(
        t.contains("backups           confirmed  by Dana Ops <dana@example.com> (--attest)"),
        "{t}"
    );

    let out = ready
        .complete(&env)
        .args(["--yes", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = v["data"]["notice"]["checklist"].as_array().unwrap().clone();
    assert_eq!(items.len(), 10);
    let b = items.iter().find(|i| i["id"] == "backups").unwrap();
    assert_eq!(b["status"], "confirmed");
    assert_eq!(b["by"], "Dana Ops <dana@example.com>");
    assert_eq!(b["note"], "restore drill 2026-01-02");
    let r = items.iter().find(|i| i["id"] == "rate-limiting").unwrap();
    assert_eq!(r["status"], "unanswered");
    assert_eq!(r["required"], false);
}

#[test]
fn on_a_terminal_each_open_item_is_asked_and_no_is_the_default() {
    let env = TestEnv::new();
    let config = "[nats]\npublish = false\n\n[checklist]\nrequired = [\"*\"]\n";
    let ready = ready(&env, config, Some("FROM node:20\nUSER app\n"));
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_berry"));
    env.apply_env(&mut cmd);
    cmd.current_dir(&env.repo)
        .env("BERRY_CONFIG", &ready.config)
        .env("BERRY_DELIVERABLES", &ready.deliverables)
        .env("TERM", "dumb")
        .arg("checklist");
    let mut s = rexpect::session::spawn_command(cmd, Some(30_000)).unwrap();
    // non-root passed automatically: not asked. The first asked is network-policies: yes.
    s.exp_string("network-policies: Network policies restrict access (required)")
        .unwrap();
    s.send("y").unwrap();
    s.flush().unwrap();
    // Enter takes the default (no) for the next one; the rest are yes.
    s.exp_string("security-updates").unwrap();
    s.send_line("").unwrap();
    for id in [
        "backups",
        "access-logs",
        "rate-limiting",
        "cors",
        "db-credentials",
    ] {
        s.exp_string(id).unwrap();
        s.send("y").unwrap();
        s.flush().unwrap();
    }
    s.exp_eof().unwrap();
    let code = match s.process().wait().unwrap() {
        rexpect::process::WaitStatus::Exited(_, code) => code,
        other => panic!("{other:?}"),
    };
    assert_eq!(code, 4, "security-updates was not confirmed");
    let ctx = context_json(&env);
    let n = &item(&ctx, "network-policies")["answer"];
    assert_eq!(n["confirmed"], true);
    assert_eq!(n["how"], "terminal");
    assert_eq!(n["by"], "Dana Ops <dana@example.com>");
    assert_eq!(item(&ctx, "security-updates")["answer"]["confirmed"], false);
    assert!(item(&ctx, "non-root")["answer"].is_null());

    // A rerun keeps what was confirmed and asks only what is open.
    let out = ready
        .berry(&env)
        .args([
            "checklist",
            "--attest",
            "security-updates=patched 2026-01-04",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let ctx = context_json(&env);
    assert_eq!(item(&ctx, "network-policies")["answer"]["how"], "terminal");
    assert_eq!(item(&ctx, "security-updates")["answer"]["how"], "--attest");
}

#[test]
fn the_pr_body_renders_the_checklist() {
    use crate::fakes::{NAME, OWNER, Shipping};
    let s = Shipping::new("req-crm");
    let out = s.berry().arg("push").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let out = s
        .berry()
        .args(["checklist", "--attest", "backups=restore drill"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let server = mockito::Server::new();
    let out = s
        .berry()
        .env("GITHUB_API_URL", server.url())
        .env("BERRY_GITHUB_REPO", format!("{OWNER}/{NAME}"))
        .args(["--dry-run", "pr"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("## Security checklist"), "{stdout}");
    assert!(
        stdout.contains(
            "- [x] Backups tested and working: **confirmed** by Dana Ops <dana@example.com> at 2026-01-05T12:00:00Z: restore drill (advisory)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("- [ ] Rate limiting configured: **unanswered** (advisory)"),
        "{stdout}"
    );
}
