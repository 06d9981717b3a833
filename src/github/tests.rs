//! Client tests against a local fake server (mockito), fed from tests/fixtures/github.

use std::time::Duration;

use mockito::Matcher;
use serde_json::{Value, json};

use super::*;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/github")
            .join(name),
    )
    .unwrap()
}

fn client(server: &mockito::Server) -> Client {
    let mut c = Client::new(
        &server.url(),
        Some(Token::new("tok-unit".into(), "GH_TOKEN")),
        Duration::from_secs(30),
    )
    .unwrap();
    c.retry.base_delay = Duration::from_millis(10);
    c
}

#[test]
fn remote_urls_name_the_repository() {
    let cases = [
        ("https://github.com/o/r.git", Some(("github.com", "o", "r"))),
        ("https://github.com/o/r", Some(("github.com", "o", "r"))),
        (
            "https://x-access-token:s3cret@github.com/o/r.git",
            Some(("github.com", "o", "r")),
        ),
        ("git@github.com:o/r.git", Some(("github.com", "o", "r"))),
        (
            "ssh://git@ghe.example.com:2222/team/app.git",
            Some(("ghe.example.com", "team", "app")),
        ),
        (
            "github.com:gleam-lang/gleam.git",
            Some(("github.com", "gleam-lang", "gleam")),
        ),
        ("file:///tmp/origin.git", None),
        ("/tmp/origin.git", None),
        ("https://github.com/only-owner", None),
    ];
    for (url, want) in cases {
        let got = parse_remote_url(url);
        let got = got.as_ref().map(|r| {
            (
                r.host.as_deref().unwrap(),
                r.owner.as_str(),
                r.name.as_str(),
            )
        });
        assert_eq!(got, want, "{url}");
    }
    assert_eq!(
        RepoId::parse_slug("acme/erp").unwrap().full_name(),
        "acme/erp"
    );
    assert!(RepoId::parse_slug("acme").is_none());
    assert!(RepoId::parse_slug("a/b c").is_none());
}

#[test]
fn credentials_never_survive_in_a_shown_url() {
    assert_eq!(
        redact_url("https://x-access-token:s3cret@github.com/o/r.git"),
        "https://github.com/o/r.git"
    );
    assert_eq!(redact_url("https://user@host/o/r"), "https://host/o/r");
    assert_eq!(redact_url("ssh://git@host/o/r"), "ssh://git@host/o/r");
    assert_eq!(
        redact_url("git@github.com:o/r.git"),
        "git@github.com:o/r.git"
    );
    let t = Token::new("s3cret".into(), "GH_TOKEN");
    assert!(!format!("{t:?}").contains("s3cret"));
}

#[test]
fn api_base_follows_the_host() {
    if std::env::var_os("GITHUB_API_URL").is_some() {
        return; // the environment decides; covered by the CLI tests
    }
    assert_eq!(api_base(Some("github.com"), None), "https://api.github.com");
    assert_eq!(
        api_base(Some("ghe.example.com"), None),
        "https://ghe.example.com/api/v3"
    );
    assert_eq!(api_base(None, Some("http://fake/")), "http://fake");
}

#[test]
fn link_header_next_is_found() {
    let h = r#"<https://api.github.com/repositories/1/pulls?page=2>; rel="next", <https://api.github.com/repositories/1/pulls?page=5>; rel="last""#;
    assert_eq!(
        next_link(h).as_deref(),
        Some("https://api.github.com/repositories/1/pulls?page=2")
    );
    assert_eq!(next_link(r#"<https://x/?page=1>; rel="prev""#), None);
}

#[test]
fn every_request_carries_user_agent_and_token() {
    let mut s = mockito::Server::new();
    let m = s
        .mock("GET", "/repos/o/r")
        .match_header("user-agent", USER_AGENT)
        .match_header("authorization", "Bearer tok-unit")
        .with_status(200)
        .with_body(fixture("repos-get-200.json"))
        .create();
    let v = client(&s).get_json("/repos/o/r", "the repository").unwrap();
    assert_eq!(v["default_branch"], "master");
    m.assert();
}

#[test]
fn server_errors_are_retried_for_get_only() {
    let mut s = mockito::Server::new();
    let first = s
        .mock("GET", "/repos/o/r")
        .with_status(500)
        .expect(1)
        .create();
    let then = s
        .mock("GET", "/repos/o/r")
        .with_status(200)
        .with_body(fixture("repos-get-200.json"))
        .expect(1)
        .create();
    let c = client(&s);
    assert!(c.get_json("/repos/o/r", "the repository").is_ok());
    first.assert();
    then.assert();
    assert_eq!(c.stats().retries, 1);

    let post = s
        .mock("POST", "/repos/o/r/pulls")
        .with_status(502)
        .expect(1)
        .create();
    let e = c
        .post_json("/repos/o/r/pulls", &json!({}), "x")
        .unwrap_err();
    assert!(matches!(e, ApiError::Status { status: 502, .. }), "{e}");
    post.assert();
}

#[test]
fn a_short_retry_after_is_waited_out_a_long_reset_is_reported() {
    let mut s = mockito::Server::new();
    let limited = s
        .mock("GET", "/a")
        .with_status(403)
        .with_header("retry-after", "0")
        .with_body(fixture("error-403-secondary-rate-limit-2022.json"))
        .expect(1)
        .create();
    let ok = s
        .mock("GET", "/a")
        .with_status(200)
        .with_body("{}")
        .create();
    assert!(client(&s).get_json("/a", "a").is_ok());
    limited.assert();
    ok.assert();

    let now = crate::clock::now().unwrap().as_second();
    let reset = now + 1800;
    s.mock("GET", "/b")
        .with_status(403)
        .with_header("x-ratelimit-remaining", "0")
        .with_header("x-ratelimit-reset", &reset.to_string())
        .with_body(fixture(
            "error-403-rate-limit-primary-authenticated.ASSEMBLED.json",
        ))
        .create();
    let e = client(&s).get_json("/b", "b").unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, ApiError::RateLimited { .. }), "{text}");
    assert!(text.contains("in 30 min"), "{text}");
    assert!(text.contains("API rate limit exceeded"), "{text}");
}

#[test]
fn statuses_map_to_their_own_messages() {
    let mut s = mockito::Server::new();
    s.mock("GET", "/401")
        .with_status(401)
        .with_body(fixture("error-401-bad-credentials.json"))
        .create();
    s.mock("GET", "/403")
        .with_status(403)
        .with_body(fixture("error-403-resource-not-accessible.ASSEMBLED.json"))
        .create();
    s.mock("GET", "/404")
        .with_status(404)
        .with_body(fixture("error-404-not-found.json"))
        .create();
    let c = client(&s);
    let e = c.get_json("/401", "x").unwrap_err();
    assert!(e.to_string().contains("Bad credentials"), "{e}");
    let b = e.into_berry();
    assert!(b.hint().unwrap().contains("GH_TOKEN"));
    let e = c.get_json("/403", "x").unwrap_err();
    assert!(matches!(e, ApiError::Forbidden { .. }), "{e}");
    let e = c.get_json("/404", "the repository o/r").unwrap_err();
    assert!(
        e.to_string()
            .contains("not found, or there is no access to it with this token"),
        "{e}"
    );
}

#[test]
fn conditional_get_counts_304_apart() {
    let mut s = mockito::Server::new();
    let fresh = s
        .mock("GET", "/runs")
        .match_header("if-none-match", Matcher::Missing)
        .with_status(200)
        .with_header("etag", "\"abc\"")
        .with_body(fixture("actions-runs-list-200.json"))
        .create();
    let same = s
        .mock("GET", "/runs")
        .match_header("if-none-match", "\"abc\"")
        .with_status(304)
        .expect(2)
        .create();
    let c = client(&s);
    let Conditional::Fresh { etag, body } = c.get_conditional("/runs", None, "runs").unwrap()
    else {
        panic!("first poll must be fresh")
    };
    assert_eq!(etag.as_deref(), Some("\"abc\""));
    assert!(body["workflow_runs"].is_array());
    for _ in 0..2 {
        assert_eq!(
            c.get_conditional("/runs", etag.as_deref(), "runs").unwrap(),
            Conditional::NotModified
        );
    }
    fresh.assert();
    same.assert();
    let st = c.stats();
    assert_eq!((st.ok, st.not_modified), (1, 2));
}

#[test]
fn pages_are_followed_through_link_next() {
    let mut s = mockito::Server::new();
    let page2 = format!("{}/items?page=2", s.url());
    s.mock("GET", "/items")
        .with_status(200)
        .with_header("link", &format!("<{page2}>; rel=\"next\""))
        .with_body("[1, 2]")
        .create();
    s.mock("GET", "/items?page=2")
        .with_status(200)
        .with_body("[3]")
        .create();
    let all = client(&s).get_all("/items", None, "items", 10).unwrap();
    assert_eq!(all, vec![json!(1), json!(2), json!(3)]);
}

#[test]
fn a_redirect_to_another_host_gets_no_token() {
    let mut api = mockito::Server::new();
    let mut blobs = mockito::Server::new();
    let target = format!("{}/signed/log.txt?sig=1", blobs.url());
    let hop = api
        .mock("GET", "/repos/o/r/actions/jobs/1/logs")
        .match_header("authorization", "Bearer tok-unit")
        .with_status(302)
        .with_header("location", &target)
        .create();
    let log = blobs
        .mock("GET", "/signed/log.txt?sig=1")
        .match_header("authorization", Matcher::Missing)
        .with_status(200)
        .with_body(fixture("actions-job-logs-body-sample.txt"))
        .create();
    let body = client(&api)
        .get_following("/repos/o/r/actions/jobs/1/logs", "the job log")
        .unwrap();
    assert!(!body.is_empty());
    hop.assert();
    log.assert();
}

#[test]
fn only_the_exact_head_is_picked_from_a_list() {
    let repo = RepoId::parse_slug("octocat/Hello-World").unwrap();
    let list: Value = serde_json::from_str(&fixture("pulls-list-200.json")).unwrap();
    let mut items = list.as_array().unwrap().clone();
    // The fixture's PR is head `new-topic` from octocat/Hello-World; add unrelated ones.
    let mut fork = items[0].clone();
    fork["number"] = json!(7);
    fork["head"]["repo"]["full_name"] = json!("someone/Hello-World");
    let mut other = items[0].clone();
    other["number"] = json!(8);
    other["head"]["ref"] = json!("other-topic");
    items.insert(0, fork);
    items.insert(0, other);
    let head = items[2]["head"]["ref"].as_str().unwrap().to_string();
    let got = pulls::pick(&items, &repo, &head, None).unwrap();
    assert_eq!(got.number, items[2]["number"].as_u64().unwrap());
    assert!(pulls::pick(&items[..2], &repo, &head, None).is_none());
}

#[test]
fn both_already_exists_envelopes_are_recognised() {
    for f in [
        "pulls-create-422-already-exists.json",
        "pulls-create-422-already-exists-2016.json",
    ] {
        let v: Value = serde_json::from_str(&fixture(f)).unwrap();
        let e = ApiError::Validation {
            method: "POST".into(),
            path: "/p".into(),
            message: "Validation Failed".into(),
            errors: validation_errors(Some(&v)),
        };
        assert_eq!(
            pulls::refusal(&e),
            Some(pulls::CreateRefusal::AlreadyExists),
            "{f}"
        );
    }
    let v: Value = serde_json::from_str(&fixture("pulls-create-422-no-commits-2017.json")).unwrap();
    let e = ApiError::Validation {
        method: "POST".into(),
        path: "/p".into(),
        message: "Validation Failed".into(),
        errors: validation_errors(Some(&v)),
    };
    assert!(matches!(
        pulls::refusal(&e),
        Some(pulls::CreateRefusal::NoCommits(_))
    ));
}

#[test]
fn issues_are_found_by_marker_and_updated() {
    let mut s = mockito::Server::new();
    let created: Value = serde_json::from_str(&fixture("issues-create-201.json")).unwrap();
    let mut listed = created.clone();
    listed["body"] = json!("CI failed\n<!-- berry:REQ-A-1 -->");
    // The OpenAPI example is an issue that links a pull request; a plain issue has no such key.
    listed.as_object_mut().unwrap().remove("pull_request");
    let mut a_pr = created.clone();
    a_pr["pull_request"] = json!({"url": "x"});
    a_pr["body"] = json!("<!-- berry:REQ-A-1 -->");
    a_pr["number"] = json!(99);
    s.mock("GET", "/repos/o/r/issues?state=open&per_page=100")
        .with_status(200)
        .with_body(json!([a_pr, listed]).to_string())
        .create();
    let n = created["number"].as_u64().unwrap();
    s.mock("PATCH", format!("/repos/o/r/issues/{n}").as_str())
        .match_body(Matcher::PartialJson(json!({"title": "t2"})))
        .with_status(200)
        .with_body(created.to_string())
        .create();
    let repo = RepoId::parse_slug("o/r").unwrap();
    let c = client(&s);
    let found = pulls::find_issue(&c, &repo, "<!-- berry:REQ-A-1 -->", None)
        .unwrap()
        .unwrap();
    assert_eq!(found.number, n);
    assert_eq!(
        pulls::update_issue(&c, &repo, n, "t2", "b").unwrap().number,
        n
    );

    let request: Value = serde_json::from_str(&fixture("issues-create-request.json")).unwrap();
    let post = s
        .mock("POST", "/repos/o/r/issues")
        .match_body(Matcher::PartialJson(
            json!({"title": request["title"], "labels": request["labels"]}),
        ))
        .with_status(201)
        .with_body(created.to_string())
        .expect(1)
        .create();
    let made = pulls::create_issue(
        &c,
        &repo,
        request["title"].as_str().unwrap(),
        request["body"].as_str().unwrap(),
        &["bug".to_string()],
    )
    .unwrap();
    assert_eq!(made.number, n);
    post.assert();
}

#[test]
fn connection_errors_are_retried_then_reported() {
    // Nothing listens on the discard port.
    let mut c = Client::new("http://127.0.0.1:9", None, Duration::from_secs(30)).unwrap();
    c.retry.base_delay = Duration::from_millis(1);
    let e = c.get_json("/repos/o/r", "the repository").unwrap_err();
    assert!(matches!(e, ApiError::Network { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("cannot reach GitHub at http://127.0.0.1:9"),
        "{e}"
    );
    assert_eq!(c.stats().retries, 3);
    assert_eq!(c.stats().requests, 4);
    // A POST is tried once.
    let e = c
        .post_json("/repos/o/r/pulls", &json!({}), "x")
        .unwrap_err();
    assert!(matches!(e, ApiError::Network { .. }), "{e}");
    assert_eq!(c.stats().requests, 5);
}

#[test]
fn the_repository_is_located_explicit_then_remote_then_config() {
    let cfg = crate::config::Github {
        repo: Some("cfg/repo".into()),
        ..Default::default()
    };
    let none = crate::config::Github::default();
    let at = |e: Option<&str>, url: &str, c: &crate::config::Github| {
        locate(e, "origin", url, c).map(|r| r.full_name())
    };
    assert_eq!(
        at(Some("cli/repo"), "git@github.com:o/r.git", &cfg).unwrap(),
        "cli/repo"
    );
    assert_eq!(at(None, "git@github.com:o/r.git", &cfg).unwrap(), "o/r");
    assert_eq!(
        at(None, "file:///srv/mirror.git", &cfg).unwrap(),
        "cfg/repo"
    );
    let e = at(None, "file:///srv/mirror.git", &none).unwrap_err();
    assert_eq!(e.exit(), crate::error::Exit::Usage);
    assert!(e.hint().unwrap().contains("--repo OWNER/REPO"));
    assert!(at(Some("not-a-slug"), "", &none).is_err());
}
