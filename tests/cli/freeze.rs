//! Change freezes at the command line: `push` and `complete` refuse during a window of the
//! committed `berry.toml` (exit 3, naming it), a working-tree edit cannot lift it, and
//! `--override-freeze --reason` is recorded and carried by the notice.

use serde_json::{Value, json};

use crate::common::*;
use crate::complete::{Ready, TRACKER, context_json};
use crate::fakes::Shipping;

/// 2026-01-09 is a Friday; 2026-01-08 a Thursday.
const FRIDAY_NOON: &str = "2026-01-09T12:00:00Z";
const FRIDAY_START: &str = "2026-01-09T00:00:00Z";
const THURSDAY_LAST_SECOND: &str = "2026-01-08T23:59:59Z";
const SATURDAY_START: &str = "2026-01-10T00:00:00Z";

/// The README's one line (plus its name).
const NOT_FRIDAY: &str =
    "[[deploy.freeze]]\nname = \"No deployments on Friday\"\ndays = [\"Fri\"]\n";

/// A shipping repository whose committed `berry.toml` declares the Friday freeze.
fn frozen_shipping() -> Shipping {
    let mut s = Shipping::new("main");
    s.env.write("berry.toml", NOT_FRIDAY);
    s.env.git(&["add", "berry.toml"]);
    s.env
        .git(&["commit", "-q", "-m", "berry.toml: no Friday deployments"]);
    s.sha = s.env.git(&["rev-parse", "HEAD"]).trim().to_string();
    s.record_commit();
    s
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn push_refuses_during_the_window_at_its_edges_and_names_it() {
    let s = frozen_shipping();
    let before = s.remote_sha("refs/heads/main");
    for now in [FRIDAY_START, FRIDAY_NOON, "2026-01-09T23:59:59Z"] {
        let out = s
            .berry()
            .env("BERRY_NOW", now)
            .arg("push")
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(3), "{now}: {err}");
        assert!(
            err.contains(
                "a change freeze holds: \"No deployments on Friday\" (Fri 00:00–24:00 UTC) until Sat 2026-01-10 00:00 UTC (2026-01-10T00:00:00Z); `berry push` refuses"
            ),
            "{err}"
        );
        assert!(err.contains("--override-freeze --reason TEXT"), "{err}");
        assert_eq!(s.remote_sha("refs/heads/main"), before, "nothing pushed");
        assert!(s.context()["ledger"]["push"].is_null());
    }
    // The second before and the first second after: open.
    let out = s
        .berry()
        .env("BERRY_NOW", THURSDAY_LAST_SECOND)
        .args(["--dry-run", "push"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let out = s
        .berry()
        .env("BERRY_NOW", SATURDAY_START)
        .arg("push")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(s.sha.as_str())
    );
    assert!(s.context()["ledger"].get("freeze_overrides").is_none());
}

#[test]
fn a_working_tree_edit_cannot_lift_the_freeze_even_when_accepted() {
    let s = frozen_shipping();
    let before = s.remote_sha("refs/heads/main");
    // The agents remove the window from the working tree; the operator accepts the change.
    s.env.write("berry.toml", "");
    let mut ctx = s.context();
    ctx["config_acceptance"] = json!({
        // SHA-256 of the empty text now in the working tree.
        "sha256": "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "accepted_at": NOW,
        "by": "--accept-config-change",
    });
    std::fs::write(s.context_path(), serde_json::to_vec_pretty(&ctx).unwrap()).unwrap();
    let out = s
        .berry()
        .env("BERRY_NOW", FRIDAY_NOON)
        .arg("push")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(
        err.contains("accepted for this REQ, is in force"),
        "the edit is in force for everything else: {err}"
    );
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("a change freeze holds"), "{err}");
    assert_eq!(s.remote_sha("refs/heads/main"), before);
}

#[test]
fn override_freeze_needs_a_reason_and_is_recorded_once() {
    let s = frozen_shipping();
    let out = s
        .berry()
        .env("BERRY_NOW", FRIDAY_NOON)
        .args(["push", "--override-freeze"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = s
        .berry()
        .env("BERRY_NOW", FRIDAY_NOON)
        .args(["push", "--reason", "why not"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--reason without --skip-tests or --override-freeze"));

    let out = s
        .berry()
        .env("BERRY_NOW", FRIDAY_NOON)
        .args([
            "push",
            "--override-freeze",
            "--reason",
            "the payment outage fix",
        ])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("overridden for `berry push`: the payment outage fix"),
        "{err}"
    );
    assert_eq!(
        s.remote_sha("refs/heads/main").as_deref(),
        Some(s.sha.as_str())
    );
    let overrides = &s.context()["ledger"]["freeze_overrides"];
    assert_eq!(
        overrides,
        &json!([{
            "step": "push",
            "window": "\"No deployments on Friday\" (Fri 00:00–24:00 UTC)",
            "reason": "the payment outage fix",
            "at": FRIDAY_NOON,
        }])
    );
}

#[test]
fn complete_refuses_during_the_window_and_an_override_reaches_the_notice() {
    let env = TestEnv::new();
    let ready = Ready::new(&env, "test.freeze.berry.devops.{req}");
    std::fs::write(
        &ready.config,
        format!("{NOT_FRIDAY}[nats]\npublish = false\n[tracker]\ncommit = false\n"),
    )
    .unwrap();
    let before = env.read(TRACKER);
    let out = ready
        .complete(&env)
        .env("BERRY_NOW", FRIDAY_NOON)
        .arg("--yes")
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(t.contains("`berry complete` refuses"), "{t}");
    assert_eq!(env.read(TRACKER), before, "nothing written");

    let out = ready
        .complete(&env)
        .env("BERRY_NOW", FRIDAY_NOON)
        .args([
            "--yes",
            "--json",
            "--override-freeze",
            "--reason",
            "the release the owner signed off",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        line["data"]["notice"]["freeze_overrides"],
        json!([{
            "step": "complete",
            "window": "\"No deployments on Friday\" (Fri 00:00–24:00 UTC)",
            "reason": "the release the owner signed off",
            "at": FRIDAY_NOON,
        }])
    );
    assert_ne!(env.read(TRACKER), before);
    assert_eq!(context_json(&env)["state"], "DEPLOYED");
}
