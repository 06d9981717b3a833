//! `berry verify` against a real PostgreSQL: the verdict cases, the evidence bound to content,
//! the connection order and the exit codes (README "The QA gate", "Exit codes").

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
    env.commit_all("config");
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
    env.git(&["rm", "-q", "berry.toml"]);
    env.git(&["commit", "-q", "-m", "no config"]);
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

    // Without anything, the built-in default.
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

/// Inserts a row with a chosen id and the same `created_at` as billy's approved row.
fn insert_twin(db: &PgDb, id: &str, agent: &str, stage: i32, v: &Value) {
    db.client()
        .execute(
            "INSERT INTO nats_deliverable_cache (id, req_number, agent, stage, deliverable, created_at) \
             SELECT $1::text::uuid, req_number, $2, $3, $4, created_at FROM nats_deliverable_cache \
             WHERE req_number = $5 AND agent = 'billy'",
            &[&id, &agent, &stage, v, &REQ],
        )
        .unwrap();
}

fn set_billy_id(db: &PgDb, id: &str) {
    db.client()
        .execute(
            "UPDATE nats_deliverable_cache SET id = $1::text::uuid WHERE req_number = $2 AND agent = 'billy'",
            &[&id, &REQ],
        )
        .unwrap();
}

const LOW: &str = "00000000-0000-4000-8000-000000000001";
const HIGH: &str = "ffffffff-ffff-4fff-bfff-fffffffffffe";

#[test]
fn two_qa_rows_with_the_same_created_at_are_ambiguous_whatever_their_ids() {
    // The approved row has the id that sorts last, the FAILED one (another stage, the same
    // transaction) the id that sorts first: an order by id would pick the approval.
    for (approved_id, failed_id) in [(HIGH, LOW), (LOW, HIGH)] {
        let env = TestEnv::new();
        let db = PgDb::new();
        db.load(REQ, None);
        set_billy_id(&db, approved_id);
        insert_twin(
            &db,
            failed_id,
            "billy",
            9,
            &with(qa(), "status", json!("FAILED")),
        );
        let out = verify(&env, &db);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(stderr.contains("ambiguous"), "{stderr}");
        assert!(
            stderr.contains(&format!("row {approved_id} (stage 4, status COMPLETE)")),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!("row {failed_id} (stage 9, status FAILED)")),
            "{stderr}"
        );
        assert!(
            stderr.contains("the same created_at (2026-01-05T10:00:00Z)"),
            "{stderr}"
        );
        assert_eq!(context(&env)["evidence"]["approved"], false);
    }
}

#[test]
fn two_qa_files_of_one_agent_in_a_folder_are_ambiguous() {
    let env = TestEnv::new();
    let dir = env.deliverables_folder(REQ, None);
    std::fs::write(
        dir.join(REQ).join("Billy.json"),
        serde_json::to_vec(&with(qa(), "status", json!("FAILED"))).unwrap(),
    )
    .unwrap();
    let out = env
        .berry()
        .args(["verify", REQ, "--deliverables"])
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "row file:{REQ}/Billy.json (stage -, status FAILED)"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "row file:{REQ}/billy.json (stage -, status COMPLETE)"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("(unexpected)"), "{stderr}");
}

#[test]
fn a_newer_failed_row_under_a_capitalised_name_is_the_agents_latest() {
    let env = TestEnv::new();
    let db = PgDb::new();
    db.load(REQ, None);
    db.insert(REQ, "Billy", 9, &with(qa(), "status", json!("FAILED")), 60);
    let out = verify(&env, &db);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("QA: status is FAILED, not COMPLETE"),
        "{stderr}"
    );
    assert!(!stderr.contains("(unexpected)"), "{stderr}");
    let newest: String = db
        .client()
        .query_one(
            "SELECT id::text FROM nats_deliverable_cache WHERE agent = 'Billy'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(context(&env)["evidence"]["qa"]["row_id"], newest);
}

#[test]
fn a_req_without_any_deliverable_is_a_usage_error_naming_near_reqs() {
    let env = TestEnv::new();
    env.agog_base();
    let db = PgDb::new();
    db.load(REQ, None);
    for other in [
        "REQ-STRATEGIC-AUTO-1767116143666",
        "REQ-STRATEGIC-AUTO-1767116143667",
        "REQ-STRATEGIC-AUTO-1767116143668",
        "REQ-ITEM-MASTER-001",
    ] {
        db.insert(other, "billy", 4, &qa(), 100);
    }
    assert_eq!(verify(&env, &db).status.code(), Some(0));
    let state = env.repo.join(".git/berry");
    let current = std::fs::read(state.join("CURRENT")).unwrap();
    let typo = &REQ[..REQ.len() - 1];
    let out = env
        .berry()
        .args(["verify", typo])
        .env("BERRY_DATABASE_URL", db.url())
        .output()
        .unwrap();
    insta::assert_snapshot!(env.transcript(&out));
    assert_eq!(out.status.code(), Some(2));
    assert!(!state.join(format!("{typo}.json")).exists(), "no context");
    assert!(
        !state.join(format!("{typo}.lock")).exists(),
        "no lock file left"
    );
    assert_eq!(std::fs::read(state.join("CURRENT")).unwrap(), current);
    // Nothing is offered to be marked BLOCKED, even with --yes on a terminal-less run.
    let out = env
        .berry()
        .args(["--yes", "verify", typo])
        .env("BERRY_DATABASE_URL", db.url())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("BLOCKED") && !stderr.contains("MISSING"),
        "{stderr}"
    );
    assert!(!state.join(format!("{typo}.json")).exists());
    assert_eq!(
        env.read("project-spirit/owner_requests/OWNER_REQUESTS.md"),
        crate::common::tracker_with(REQ, "Integrated CRM & Sales Pipeline Management")
    );
}

#[test]
fn a_tie_that_appears_after_verify_closes_the_gate_at_commit() {
    let env = TestEnv::new();
    let db = PgDb::new();
    db.load(REQ, None);
    env.agog_base();
    env.agog_changes();
    let url = db.url();
    env.berry()
        .env("BERRY_DATABASE_URL", &url)
        .args(["verify", REQ])
        .assert()
        .success();
    env.berry()
        .env("BERRY_DATABASE_URL", &url)
        .args(["--yes", "review"])
        .assert()
        .success();
    insert_twin(&db, LOW, "BILLY", 9, &with(qa(), "status", json!("FAILED")));
    let out = env
        .berry()
        .env("BERRY_DATABASE_URL", &url)
        .args(["--yes", "commit"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("the QA evidence changed"), "{err}");
    assert!(err.contains("ambiguous"), "{err}");
    assert!(
        err.contains(&format!("row {LOW} (stage 9, status FAILED)")),
        "{err}"
    );
    assert_eq!(env.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
}
