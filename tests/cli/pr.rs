//! `berry pr` against a fake GitHub (mockito) answering from tests/fixtures/github, IDs and
//! refs patched per test.

use mockito::{Matcher, Mock, Server};
use serde_json::{Value, json};

use crate::common::{NOW, REQ, fixture};
use crate::fakes::{NAME, OWNER, Shipping, TOKEN, list_item, pull_json, repo_json};

const BRANCH: &str = "req-crm";

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A REQ committed on `branch` and pushed to the bare origin.
fn pushed(branch: &str) -> Shipping {
    let s = Shipping::new(branch);
    let out = s.berry().arg("push").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    s
}

fn pr(s: &Shipping, server: &Server) -> assert_cmd::Command {
    let mut c = s.berry();
    c.env("GITHUB_API_URL", server.url())
        .env("BERRY_GITHUB_REPO", format!("{OWNER}/{NAME}"));
    c
}

fn repo_mock(server: &mut Server, default_branch: &str) -> Mock {
    server
        .mock("GET", format!("/repos/{OWNER}/{NAME}").as_str())
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_header("user-agent", Matcher::Regex("^berry/".into()))
        .with_status(200)
        .with_header("content-type", "application/json; charset=utf-8")
        .with_body(repo_json(default_branch))
}

fn list_mock(server: &mut Server, items: Value) -> Mock {
    server
        .mock("GET", format!("/repos/{OWNER}/{NAME}/pulls").as_str())
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("head".into(), format!("{OWNER}:{BRANCH}")),
            Matcher::UrlEncoded("state".into(), "open".into()),
        ]))
        .with_status(200)
        .with_body(items.to_string())
        .expect(1)
        .create()
}

fn create_mock(server: &mut Server, status: usize, body: String) -> Mock {
    server
        .mock("POST", format!("/repos/{OWNER}/{NAME}/pulls").as_str())
        .with_status(status)
        .with_body(body)
        .expect(1)
        .create()
}

/// PRs a `head` filter GitHub ignored would return: same branch name from a fork, another branch.
fn unrelated() -> Vec<Value> {
    vec![
        list_item(3, BRANCH, "main", &format!("someone/{NAME}")),
        list_item(4, "new-topic", "main", &format!("{OWNER}/{NAME}")),
    ]
}

#[test]
fn creates_the_pr_with_its_body_ignores_unrelated_ones_and_a_rerun_sends_nothing() {
    let s = pushed(BRANCH);
    let mut server = Server::new();
    let repo = repo_mock(&mut server, "main").expect(1).create();
    let list = list_mock(&mut server, json!(unrelated()));
    let title = format!("{REQ}: Integrated CRM & Sales Pipeline Management");
    let create = server
        .mock("POST", format!("/repos/{OWNER}/{NAME}/pulls").as_str())
        .match_body(Matcher::AllOf(vec![
            Matcher::PartialJson(
                json!({"title": title, "head": BRANCH, "base": "main", "draft": false}),
            ),
            Matcher::Regex("## Summary".into()),
            Matcher::Regex(r"\*\*roy\*\*: Backend Phase 1 Complete".into()),
            Matcher::Regex("Tests: 75 total, 75 passed, 0 failed, 0 skipped".into()),
            Matcher::Regex(r"\| billy \| COMPLETE \| ok \|".into()),
            Matcher::Regex(format!("`{}` on `{BRANCH}`", s.sha)),
            Matcher::Regex("Implementation/print-industry-erp/frontend".into()),
        ]))
        .with_status(201)
        .with_body(pull_json(42, BRANCH, "main", &format!("{OWNER}/{NAME}")).to_string())
        .expect(1)
        .create();

    let out = pr(&s, &server).arg("pr").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let url = format!("https://github.com/{OWNER}/{NAME}/pull/42");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), url);
    assert!(
        stderr(&out).contains("pull request #42 opened"),
        "{}",
        stderr(&out)
    );
    let rec = &s.context()["ledger"]["pr"];
    assert_eq!(rec["number"], 42);
    assert_eq!(rec["url"], json!(url));
    assert_eq!(rec["head"], BRANCH);
    assert_eq!(rec["base"], "main");
    assert_eq!(rec["at"], NOW);
    assert_eq!(rec["existing"], false);

    // push → pr again: nothing is sent, nothing changes anywhere.
    let ctx_before = std::fs::read(s.context_path()).unwrap();
    let remote_before = s.remote_sha(&format!("refs/heads/{BRANCH}"));
    let again = s.berry().arg("push").output().unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", s.env.transcript(&again));
    let again = pr(&s, &server).arg("pr").output().unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", s.env.transcript(&again));
    assert!(
        stderr(&again).contains("pull request #42 is recorded"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read(s.context_path()).unwrap(), ctx_before);
    assert_eq!(s.remote_sha(&format!("refs/heads/{BRANCH}")), remote_before);
    repo.assert();
    list.assert();
    create.assert();
}

#[test]
fn the_open_pr_in_the_list_is_used_not_created() {
    let s = pushed(BRANCH);
    let mut server = Server::new();
    let _repo = repo_mock(&mut server, "main").create();
    let mut items = unrelated();
    items.push(list_item(7, BRANCH, "main", &format!("{OWNER}/{NAME}")));
    let list = list_mock(&mut server, json!(items));
    let create = server.mock("POST", Matcher::Any).expect(0).create();
    let out = pr(&s, &server).arg("pr").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    assert!(
        stderr(&out).contains("#7 is open already"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.context()["ledger"]["pr"]["number"], 7);
    assert_eq!(s.context()["ledger"]["pr"]["existing"], true);
    list.assert();
    create.assert();
}

#[test]
fn a_422_already_exists_is_found_and_used_in_both_envelopes() {
    for envelope in [
        "github/pulls-create-422-already-exists.json",
        "github/pulls-create-422-already-exists-2016.json",
    ] {
        let s = pushed(BRANCH);
        let mut server = Server::new();
        let _repo = repo_mock(&mut server, "main").create();
        // The first list misses it (a race: it was opened meanwhile); the second finds it.
        let first = list_mock(&mut server, json!([]));
        let second = list_mock(
            &mut server,
            json!([list_item(9, BRANCH, "main", &format!("{OWNER}/{NAME}"))]),
        );
        let create = create_mock(&mut server, 422, fixture(envelope));
        let out = pr(&s, &server).arg("pr").output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{envelope}: {}",
            s.env.transcript(&out)
        );
        assert_eq!(s.context()["ledger"]["pr"]["number"], 9, "{envelope}");
        first.assert();
        second.assert();
        create.assert();
    }
}

#[test]
fn no_commits_between_is_a_clear_failure() {
    let s = pushed(BRANCH);
    let mut server = Server::new();
    let _repo = repo_mock(&mut server, "main").create();
    let _list = list_mock(&mut server, json!([]));
    let _create = create_mock(
        &mut server,
        422,
        fixture("github/pulls-create-422-no-commits-2017.json"),
    );
    let out = pr(&s, &server).arg("pr").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", s.env.transcript(&out));
    let err = stderr(&out);
    assert!(
        err.contains("no pull request: main already has every commit of req-crm"),
        "{err}"
    );
    assert!(err.contains("No commits between"), "{err}");
    assert!(s.context()["ledger"]["pr"].is_null());
}

#[test]
fn bad_credentials_say_which_token_and_never_show_it() {
    let s = pushed(BRANCH);
    let mut server = Server::new();
    server
        .mock("GET", format!("/repos/{OWNER}/{NAME}").as_str())
        .with_status(401)
        .with_body(fixture("github/error-401-bad-credentials.json"))
        .create();
    let out = pr(&s, &server).arg("pr").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", s.env.transcript(&out));
    let err = stderr(&out);
    assert!(
        err.contains("GitHub refused the credentials (401 Bad credentials)"),
        "{err}"
    );
    assert!(
        err.contains("hint: the token in GH_TOKEN is wrong, expired or revoked"),
        "{err}"
    );
    assert!(!err.contains(TOKEN) && !String::from_utf8_lossy(&out.stdout).contains(TOKEN));
    assert!(!String::from_utf8_lossy(&std::fs::read(s.context_path()).unwrap()).contains(TOKEN));
}

#[test]
fn a_rate_limit_says_when_to_retry() {
    let s = pushed(BRANCH);
    let mut server = Server::new();
    let now: jiff::Timestamp = NOW.parse().unwrap();
    let reset = now.as_second() + 1800;
    server
        .mock("GET", format!("/repos/{OWNER}/{NAME}").as_str())
        .with_status(403)
        .with_header("x-ratelimit-limit", "5000")
        .with_header("x-ratelimit-remaining", "0")
        .with_header("x-ratelimit-reset", &reset.to_string())
        .with_body(fixture(
            "github/error-403-rate-limit-primary-authenticated.ASSEMBLED.json",
        ))
        .create();
    let out = pr(&s, &server).arg("pr").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", s.env.transcript(&out));
    let err = stderr(&out);
    assert!(err.contains("rate limit exceeded"), "{err}");
    assert!(
        err.contains("it resets at 2026-01-05 12:30:00 UTC (in 30 min)"),
        "{err}"
    );
    assert!(err.contains("hint: retry after 12:30:00 UTC"), "{err}");
}

#[test]
fn a_server_error_is_retried() {
    let s = pushed(BRANCH);
    let mut server = Server::new();
    let failing = server
        .mock("GET", format!("/repos/{OWNER}/{NAME}").as_str())
        .with_status(500)
        .with_body("{\"message\": \"Server Error\"}")
        .expect(1)
        .create();
    let ok = repo_mock(&mut server, "main").expect(1).create();
    let _list = list_mock(&mut server, json!([]));
    let _create = create_mock(
        &mut server,
        201,
        pull_json(5, BRANCH, "main", &format!("{OWNER}/{NAME}")).to_string(),
    );
    let out = pr(&s, &server).arg("pr").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    failing.assert();
    ok.assert();
    assert_eq!(s.context()["ledger"]["pr"]["number"], 5);
}

#[test]
fn on_the_default_branch_no_pr_is_needed() {
    let s = pushed("main");
    let mut server = Server::new();
    let repo = repo_mock(&mut server, "main").expect(1).create();
    let none = server.mock("POST", Matcher::Any).expect(0).create();
    let out = pr(&s, &server).arg("pr").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    assert!(
        stderr(&out).contains("no pull request needed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.context()["ledger"]["pr"]["not_needed"], true);
    let again = pr(&s, &server).arg("pr").output().unwrap();
    assert_eq!(again.status.code(), Some(0));
    repo.assert();
    none.assert();
}

#[test]
fn dry_run_prints_the_requests_and_sends_nothing() {
    let s = pushed(BRANCH);
    let mut server = Server::new();
    let get = server.mock("GET", Matcher::Any).expect(0).create();
    let post = server.mock("POST", Matcher::Any).expect(0).create();
    let out = pr(&s, &server)
        .args(["--dry-run", "pr", "--base", "develop", "--label", "release"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let base = server.url();
    assert!(
        stdout.contains(&format!("POST {base}/repos/{OWNER}/{NAME}/pulls\n")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "GET {base}/repos/{OWNER}/{NAME}/pulls?head={OWNER}%3A{BRANCH}&state=open"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "\"title\": \"{REQ}: Integrated CRM & Sales Pipeline Management\""
        )),
        "{stdout}"
    );
    assert!(stdout.contains("\"base\": \"develop\""), "{stdout}");
    assert!(stdout.contains("{\"labels\":[\"release\"]}"), "{stdout}");
    assert!(s.context()["ledger"]["pr"].is_null());
    get.assert();
    post.assert();
}

#[test]
fn draft_reviewers_labels_and_an_overridden_template() {
    let s = pushed(BRANCH);
    s.env.write(
        ".berry/templates/pr.md",
        "Custom body for {{ req }} at {{ commit.short }}\n",
    );
    let mut server = Server::new();
    let _repo = repo_mock(&mut server, "main").create();
    let _list = list_mock(&mut server, json!([]));
    let short: String = s.sha.chars().take(12).collect();
    let create = server
        .mock("POST", format!("/repos/{OWNER}/{NAME}/pulls").as_str())
        .match_body(Matcher::PartialJson(json!({
            "draft": true,
            "base": "main",
            "body": format!("Custom body for {REQ} at {short}\n"),
        })))
        .with_status(201)
        .with_body(pull_json(11, BRANCH, "main", &format!("{OWNER}/{NAME}")).to_string())
        .expect(1)
        .create();
    let reviewers = server
        .mock(
            "POST",
            format!("/repos/{OWNER}/{NAME}/pulls/11/requested_reviewers").as_str(),
        )
        .match_body(Matcher::Json(json!({"reviewers": ["alice", "bob"]})))
        .with_status(201)
        .with_body("{}")
        .expect(1)
        .create();
    let labels = server
        .mock(
            "POST",
            format!("/repos/{OWNER}/{NAME}/issues/11/labels").as_str(),
        )
        .match_body(Matcher::Json(json!({"labels": ["release"]})))
        .with_status(200)
        .with_body("[]")
        .expect(1)
        .create();
    let out = pr(&s, &server)
        .args([
            "pr",
            "--draft",
            "--reviewer",
            "alice",
            "--reviewer",
            "bob",
            "--label",
            "release",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    create.assert();
    reviewers.assert();
    labels.assert();
    let rec = &s.context()["ledger"]["pr"];
    assert_eq!(rec["reviewers"], json!(["alice", "bob"]));
    assert_eq!(rec["labels"], json!(["release"]));
}

/// The reviewers and labels are part of the PR's recorded work: after a failed reviewer request,
/// the rerun applies what is still missing (and only that), and opens no second PR.
#[test]
fn a_rerun_after_a_failed_reviewer_request_applies_what_is_missing() {
    let s = pushed(BRANCH);
    let mut server = Server::new();
    let _repo = repo_mock(&mut server, "main").create();
    let _list = list_mock(&mut server, json!([]));
    let create = server
        .mock("POST", format!("/repos/{OWNER}/{NAME}/pulls").as_str())
        .with_status(201)
        .with_body(pull_json(12, BRANCH, "main", &format!("{OWNER}/{NAME}")).to_string())
        .expect(1)
        .create();
    let path = format!("/repos/{OWNER}/{NAME}/pulls/12/requested_reviewers");
    let refused = server
        .mock("POST", path.as_str())
        .with_status(422)
        .with_body(r#"{"message": "Reviews may only be requested from collaborators."}"#)
        .expect(1)
        .create();
    let args = ["pr", "--reviewer", "alice", "--label", "release"];
    let out = pr(&s, &server).args(args).output().unwrap();
    assert_ne!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    refused.assert();
    let rec = &s.context()["ledger"]["pr"];
    assert_eq!(rec["number"], 12);
    assert_eq!(rec["reviewers"], json!([]));
    assert!(s.context()["steps"]["pr"].is_null(), "not done");

    refused.remove();
    let reviewers = server
        .mock("POST", path.as_str())
        .match_body(Matcher::Json(json!({"reviewers": ["alice"]})))
        .with_status(201)
        .with_body("{}")
        .expect(1)
        .create();
    let labels = server
        .mock(
            "POST",
            format!("/repos/{OWNER}/{NAME}/issues/12/labels").as_str(),
        )
        .match_body(Matcher::Json(json!({"labels": ["release"]})))
        .with_status(200)
        .with_body("[]")
        .expect(1)
        .create();
    let out = pr(&s, &server).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let rec = &s.context()["ledger"]["pr"];
    assert_eq!(rec["reviewers"], json!(["alice"]));
    assert_eq!(rec["labels"], json!(["release"]));
    assert_eq!(s.context()["steps"]["pr"]["outcome"], "ok");
    // A third run has nothing left to apply: no request at all.
    let out = pr(&s, &server).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    create.assert();
    reviewers.assert();
    labels.assert();
}

#[test]
fn pr_follows_the_feature_branch_of_a_protected_push() {
    let s = Shipping::new("main");
    s.refuse_with(
        "refs/heads/main",
        &crate::fakes::hook_lines("protected-branch-GH006.txt"),
    );
    let _git = s.over_http();
    let out = s.berry().args(["--yes", "push"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let feature = format!("feature/{REQ}");
    let mut server = Server::new();
    let _repo = repo_mock(&mut server, "main").create();
    server
        .mock("GET", format!("/repos/{OWNER}/{NAME}/pulls").as_str())
        .match_query(Matcher::UrlEncoded(
            "head".into(),
            format!("{OWNER}:{feature}"),
        ))
        .with_status(200)
        .with_body("[]")
        .create();
    let create = server
        .mock("POST", format!("/repos/{OWNER}/{NAME}/pulls").as_str())
        .match_body(Matcher::PartialJson(
            json!({"head": feature, "base": "main"}),
        ))
        .with_status(201)
        .with_body(pull_json(12, &feature, "main", &format!("{OWNER}/{NAME}")).to_string())
        .expect(1)
        .create();
    let out = pr(&s, &server).arg("pr").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    create.assert();
    assert_eq!(s.context()["ledger"]["pr"]["head"], json!(feature));
}

#[test]
fn dry_run_transcript() {
    let s = pushed(BRANCH);
    let server = Server::new();
    let out = pr(&s, &server).args(["--dry-run", "pr"]).output().unwrap();
    let t = s.env.transcript(&out).replace(&server.url(), "[API]");
    insta::assert_snapshot!(t);
}

#[test]
fn the_repository_comes_from_an_ssh_remote_url_and_a_local_remote_needs_repo() {
    let s = pushed(BRANCH);
    let mut server = Server::new();
    // A local bare origin without --repo: a usage error that says how to name the repository.
    let out = s
        .berry()
        .env("GITHUB_API_URL", server.url())
        .arg("pr")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", s.env.transcript(&out));
    assert!(
        stderr(&out).contains("does not name a GitHub repository"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("--repo OWNER/REPO"),
        "{}",
        stderr(&out)
    );

    // The same remote on GitHub over SSH names octocat/Hello-World itself.
    s.env.git(&[
        "remote",
        "set-url",
        "origin",
        &format!("git@github.com:{OWNER}/{NAME}.git"),
    ]);
    let repo = repo_mock(&mut server, "main").expect(1).create();
    let _list = list_mock(&mut server, json!([]));
    let _create = create_mock(
        &mut server,
        201,
        pull_json(21, BRANCH, "main", &format!("{OWNER}/{NAME}")).to_string(),
    );
    let out = s
        .berry()
        .env("GITHUB_API_URL", server.url())
        .arg("pr")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    repo.assert();
    assert_eq!(s.context()["ledger"]["pr"]["number"], 21);
}

#[test]
fn on_enterprise_server_gh_enterprise_token_goes_first() {
    let s = pushed("main");
    let mut server = Server::new();
    // The fake's URL is not api.github.com: it stands for GitHub Enterprise Server.
    let repo = server
        .mock("GET", format!("/repos/{OWNER}/{NAME}").as_str())
        .match_header("authorization", "Bearer ghe_enterprise_token")
        .with_status(200)
        .with_body(repo_json("main"))
        .expect(1)
        .create();
    let out = pr(&s, &server)
        .env("GH_ENTERPRISE_TOKEN", "ghe_enterprise_token")
        .arg("pr")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    repo.assert();
}

/// The whole `commit → push → pr` chain with the real steps, twice in a row: the second pass
/// changes nothing anywhere (no commit, no push, no request, the context byte for byte).
#[test]
fn commit_push_pr_twice_the_second_run_changes_nothing() {
    let env = crate::common::TestEnv::new();
    let bare = env.path().join("origin.git");
    env.git(&["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()]);
    env.agog_base();
    env.git(&[
        "remote",
        "add",
        "origin",
        &format!("file://{}", bare.display()),
    ]);
    env.git(&["push", "-q", "-u", "origin", "main"]);
    env.git(&["checkout", "-q", "-b", BRANCH]);
    env.agog_changes();
    let deliverables = env.deliverables_folder(REQ, None);
    let mut server = Server::new();
    let repo = repo_mock(&mut server, "main").expect(1).create();
    let list = list_mock(&mut server, json!(unrelated()));
    let create = create_mock(
        &mut server,
        201,
        pull_json(51, BRANCH, "main", &format!("{OWNER}/{NAME}")).to_string(),
    );
    let config = env.path().join("berry-test.toml");
    std::fs::write(
        &config,
        "[[test.commands]]\nname = \"unit\"\nargv = [\"true\"]\n",
    )
    .unwrap();
    let berry = |args: &[&str]| {
        let out = env
            .berry()
            .args(args)
            .arg("--yes")
            .env("BERRY_CONFIG", &config)
            .env("BERRY_DELIVERABLES", &deliverables)
            .env("GH_TOKEN", TOKEN)
            .env("GITHUB_API_URL", server.url())
            .env("BERRY_GITHUB_REPO", format!("{OWNER}/{NAME}"))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            env.transcript(&out)
        );
        out
    };
    berry(&["verify", REQ]);
    berry(&["review"]);
    let state = |env: &crate::common::TestEnv| {
        (
            env.git(&["rev-parse", "HEAD"]),
            env.git_in(&bare, &["for-each-ref"]),
            env.git(&["status", "--porcelain"]),
            std::fs::read(env.repo.join(".git/berry").join(format!("{REQ}.json"))).unwrap(),
        )
    };
    for step in ["commit", "test", "push", "pr"] {
        berry(&[step]);
    }
    let after_first = state(&env);
    assert_eq!(env.git(&["rev-list", "--count", "HEAD"]).trim(), "2");
    assert_eq!(
        env.git_in(&bare, &["rev-parse", &format!("refs/heads/{BRANCH}")]),
        after_first.0,
        "the branch is on the remote"
    );
    for step in ["commit", "test", "push", "pr"] {
        berry(&[step]);
    }
    assert_eq!(state(&env), after_first, "the second run changed something");
    repo.assert();
    list.assert();
    create.assert();
}

#[test]
fn verbose_traces_the_git_push_and_every_github_request_without_the_token() {
    let s = Shipping::new(BRANCH);
    let out = s.berry().args(["-v", "push"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let e = stderr(&out);
    let push = e
        .lines()
        .find(|l| l.contains("git push"))
        .unwrap_or_else(|| panic!("a git push line: {e}"));
    assert!(
        push.contains("remote=origin") && push.contains("ok=true"),
        "{push}"
    );
    assert!(push.contains("elapsed_ms="), "{push}");

    let mut server = Server::new();
    let _repo = repo_mock(&mut server, "main").create();
    let _list = list_mock(&mut server, json!(unrelated()));
    let _create = create_mock(
        &mut server,
        201,
        pull_json(42, BRANCH, "main", &format!("{OWNER}/{NAME}")).to_string(),
    );
    let out = pr(&s, &server).args(["-v", "pr"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", s.env.transcript(&out));
    let e = stderr(&out);
    let api: Vec<&str> = e.lines().filter(|l| l.contains("GitHub API")).collect();
    assert_eq!(api.len(), 3, "repo, list, create: {e}");
    assert!(
        api[0].contains("method=GET") && api[0].contains(&format!("path=/repos/{OWNER}/{NAME}")),
        "{}",
        api[0]
    );
    assert!(
        api[1].contains("head=") && api[1].contains("status=200"),
        "{}",
        api[1]
    );
    assert!(
        api[2].contains("method=POST") && api[2].contains("status=201"),
        "{}",
        api[2]
    );
    assert!(
        api.iter()
            .all(|l| l.contains("ratelimit_remaining=") && l.contains("elapsed_ms="))
    );
    assert!(!e.contains(TOKEN), "{e}");
}
