//! `berry verify` against a real PostgreSQL: the verdict cases of SPEC §3.2, the evidence of §3.3,
//! the connection order of §3.1, and the exit codes of §6.

use serde_json::{Value, json};

use crate::common::{NOW, PgDb, REQ, TestEnv, fixture_json, regex_replace};

fn verify(env: &TestEnv, db: &PgDb) -> std::process::Output {
    env.berry()
        .args(["verify", REQ])
        .env("BERRY_DATABASE_URL", db.url())
        .output()
        .unwrap()
}

fn redact_ids(s: &str) -> String {
    regex_replace(
        s,
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[UUID]",
    )
}

fn context(env: &TestEnv) -> Value {
    let p = env.repo.join(".git/berry").join(format!("{REQ}.json"));
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn qa() -> Value {
    fixture_json("agogsaas/deliverable_billy_qa_full_excerpt.json")
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v.as_object_mut().unwrap().insert(key.into(), value);
    v
}

#[test]
fn approved_req_records_its_evidence() {
    let env = TestEnv::new();
    env.agog_base();
    let db = PgDb::new();
    db.load(REQ, None);
    let out = verify(&env, &db);
    insta::assert_snapshot!(redact_ids(&env.transcript(&out)));
    assert_eq!(out.status.code(), Some(0));

    let ctx = context(&env);
    assert_eq!(ctx["format_version"], 2);
    assert_eq!(
        ctx["title"], "Integrated CRM & Sales Pipeline Management",
        "title comes from the tracker"
    );
    assert_eq!(ctx["steps"]["verify"]["outcome"], "ok");
    let ev = &ctx["evidence"];
    assert_eq!(ev["approved"], true);
    assert_eq!(ev["source"], db.url());
    let billy_id: String = db
        .client()
        .query_one(
            "SELECT id::text FROM nats_deliverable_cache WHERE agent = 'billy'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(ev["qa"]["row_id"], billy_id);
    assert_eq!(ev["qa"]["created_at"], "2026-01-05T10:00:00Z");
    // The hash is SHA-256 of the canonical JSON: the same whatever the key order in the database.
    let hash = ev["qa"]["sha256"].as_str().unwrap();
    assert!(
        hash.starts_with("sha256:") && hash.len() == 7 + 64,
        "{hash}"
    );
    assert_eq!(ev["deliverables"].as_array().unwrap().len(), 6);
    assert_eq!(
        std::fs::read_to_string(env.repo.join(".git/berry/CURRENT"))
            .unwrap()
            .trim(),
        REQ
    );
}

#[test]
fn json_output_is_one_line_with_the_facts() {
    let env = TestEnv::new();
    let db = PgDb::new();
    db.load(REQ, None);
    let out = env
        .berry()
        .args(["verify", REQ, "--json"])
        .env("BERRY_DATABASE_URL", db.url())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["req"], REQ);
    assert_eq!(v["step"], "verify");
    assert_eq!(v["outcome"], "ok");
    assert_eq!(v["data"]["approved"], true);
    assert_eq!(v["data"]["agents"].as_array().unwrap().len(), 6);
    // The title falls back to the QA deliverable's featureTitle when there is no tracker.
    assert_eq!(
        v["data"]["title"],
        "Integrated CRM & Sales Pipeline Management"
    );
}

/// Each case: QA's deliverable, and a fragment of the reason berry must print.
#[test]
fn every_way_qa_says_no_closes_the_gate() {
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "test result FAIL",
            with(qa(), "testResult", json!("FAIL")),
            "`testResult` is FAIL",
        ),
        (
            "failed count",
            with(
                fixture_json("agogsaas/deliverable_billy_qa_payload_testResult.json"),
                "testsFailed",
                json!(3),
            ),
            "`testsFailed` is 3",
        ),
        (
            "nested failed count",
            with(
                qa(),
                "testResults",
                json!({"totalTests": 75, "passed": 74, "failed": 1}),
            ),
            "`testResults.failed` is 1",
        ),
        (
            "not ready",
            with(qa(), "readyForDeployment", json!(false)),
            "`readyForDeployment` is false",
        ),
        (
            "not production ready",
            with(qa(), "productionReady", json!(false)),
            "`productionReady` is false",
        ),
        (
            "blocking issues",
            with(qa(), "blockingIssues", json!(2)),
            "`blockingIssues` is 2",
        ),
        (
            "status BLOCKED",
            with(qa(), "status", json!("BLOCKED")),
            "status is BLOCKED, not COMPLETE",
        ),
        (
            "a JSON string",
            json!("COMPLETE"),
            "is a JSON string, not a JSON object",
        ),
        (
            "a JSON array",
            json!([{"status": "COMPLETE"}]),
            "is a JSON array, not a JSON object",
        ),
        (
            "wrong types",
            with(
                with(qa(), "status", json!(true)),
                "testsFailed",
                json!("none"),
            ),
            "`status` is a boolean, expected a string",
        ),
    ];
    for (name, deliverable, reason) in cases {
        let env = TestEnv::new();
        let db = PgDb::new();
        db.load(REQ, Some(deliverable));
        let out = verify(&env, &db);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{name}: {stderr}");
        assert!(
            stderr.contains(reason),
            "{name}: expected {reason:?} in\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name}");
        let ctx = context(&env);
        assert_eq!(ctx["state"], "BLOCKED", "{name}");
        assert_eq!(ctx["steps"]["verify"]["outcome"], "blocked", "{name}");
        assert_eq!(ctx["evidence"]["approved"], false, "{name}");
    }
}

#[test]
fn qa_missing_and_critique_rejected() {
    let env = TestEnv::new();
    let db = PgDb::new();
    for (i, (agent, v)) in crate::common::approved_set(REQ).into_iter().enumerate() {
        if agent != "billy" {
            db.insert(REQ, agent, i as i32, &v, 60);
        }
    }
    let out = verify(&env, &db);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the QA deliverable (billy) is missing"),
        "{stderr}"
    );
    assert!(
        stderr.contains("MISSING"),
        "the table flags the missing agent: {stderr}"
    );

    let env = TestEnv::new();
    let db = PgDb::new();
    db.load(REQ, None);
    let rejected = with(
        fixture_json("agogsaas/deliverable_sylvia_critique_payload_decision.json"),
        "decision",
        json!("REJECTED"),
    );
    db.insert(REQ, "sylvia", 11, &rejected, 1);
    let out = verify(&env, &db);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the critique (sylvia) is REJECTED"));
}

#[test]
fn the_latest_qa_row_wins_whatever_its_stage() {
    let env = TestEnv::new();
    let db = PgDb::new();
    db.load(REQ, Some(with(qa(), "testResult", json!("FAIL"))));
    // A newer approval written with another writer's stage numbering (4 vs 8: stage_numbering.tsv).
    let newer = db.insert(REQ, "billy", 8, &qa(), 10);
    let out = verify(&env, &db);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(context(&env)["evidence"]["qa"]["row_id"], newer);

    // And the other way round: a newer failing row closes the gate again.
    db.insert(
        REQ,
        "billy",
        9,
        &with(qa(), "testResult", json!("FAILED")),
        1,
    );
    assert_eq!(verify(&env, &db).status.code(), Some(3));
}

#[test]
fn a_req_with_sql_metacharacters_is_refused_before_any_query() {
    let env = TestEnv::new();
    // Port 9 is discard: if berry tried to connect, it would fail with exit 1, not 2.
    for bad in [
        "REQ-1' OR '1'='1",
        "REQ-1;DROP TABLE nats_deliverable_cache",
        "REQ-$(id)",
        "REQ-ÄÖÜ",
        &format!("REQ-{}", "9".repeat(61)),
    ] {
        let out = env
            .berry()
            .args(["verify", bad])
            .env("BERRY_DATABASE_URL", "postgres://nobody@127.0.0.1:9/none")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("invalid REQ number"), "{stderr}");
        assert!(!stderr.contains("connect"), "{stderr}");
    }
    assert!(
        !env.repo.join(".git/berry").exists(),
        "nothing recorded for a refused REQ"
    );
}

#[test]
fn database_down_exits_1_and_hides_the_password() {
    let env = TestEnv::new();
    let out = env
        .berry()
        .args(["verify", REQ])
        .env(
            "BERRY_DATABASE_URL",
            "postgres://agent_user:s3cret-pw@127.0.0.1:1/agent_memory",
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("postgres://agent_user@127.0.0.1:1/agent_memory"),
        "{text}"
    );
    assert!(text.contains("from BERRY_DATABASE_URL"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
    insta::assert_snapshot!(env.transcript(&out));
}

#[test]
fn connection_comes_from_config_then_pg_variables() {
    let env = TestEnv::new();
    let db = PgDb::new();
    db.load(REQ, None);
    env.write(
        "berry.toml",
        format!("[database]\nurl = \"{}\"\n", db.url()),
    );
    let out = env.berry().args(["verify", REQ]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("deliverables from {}", db.url()))
    );

    // BERRY_DATABASE_URL wins over config.
    let out = env
        .berry()
        .args(["verify", REQ])
        .env("BERRY_DATABASE_URL", "postgres://x@127.0.0.1:1/y")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    // Without either, the PG* variables.
    std::fs::remove_file(env.repo.join("berry.toml")).unwrap();
    let out = env
        .berry()
        .args(["verify", REQ])
        .env("PGHOST", "127.0.0.1")
        .env("PGPORT", "5432")
        .env("PGUSER", "postgres")
        .env("PGDATABASE", &db.name)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Without anything, the contract's default.
    let out = env.berry().args(["verify", REQ]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("postgres://agent_user@localhost:5434/agent_memory (from default)")
    );
}

#[test]
fn offline_folder_source() {
    let env = TestEnv::new();
    let dir = env.deliverables_folder(REQ, None);
    let out = env
        .berry()
        .args(["verify", REQ, "--deliverables"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        context(&env)["evidence"]["qa"]["row_id"],
        format!("file:{REQ}/billy.json")
    );

    let dir = env.deliverables_folder(REQ, Some(json!({"status": "COMPLETE", "testsFailed": 1})));
    let out = env
        .berry()
        .args(["verify", REQ, "--deliverables"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn the_fixed_clock_is_used_for_ages() {
    let env = TestEnv::new();
    let db = PgDb::new();
    db.load(REQ, None);
    let out = verify(&env, &db);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // cynthia was written 6 h before NOW, billy 2 h before.
    assert!(
        stderr
            .lines()
            .any(|l| l.trim_start().starts_with("cynthia") && l.contains(" 6h ")),
        "{stderr}"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.trim_start().starts_with("billy") && l.contains(" 2h ")),
        "{stderr}"
    );
    assert_eq!(context(&env)["evidence"]["verified_at"], NOW);
}
