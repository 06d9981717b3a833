//! NATS JetStream for real: berry's notices through a test stream on the local nats-server
//! (127.0.0.1:4222, or BERRY_TEST_NATS), and through nats-server processes of the tests' own for
//! authentication and a server that stops and comes back.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::*;
use crate::complete::{Ready, context_json, write_context};

/// The server the tests use.
pub fn nats_url() -> String {
    std::env::var("BERRY_TEST_NATS").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

pub fn unique(prefix: &str) -> String {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    format!(
        "{prefix}{}x{}x{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    )
}

/// A client on a runtime of the test's own.
pub struct Nats {
    pub rt: tokio::runtime::Runtime,
    pub client: async_nats::Client,
    pub js: async_nats::jetstream::Context,
}

impl Nats {
    pub fn connect(url: &str) -> Nats {
        Self::connect_with(url, async_nats::ConnectOptions::new())
    }

    pub fn connect_with(url: &str, opts: async_nats::ConnectOptions) -> Nats {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = rt
            .block_on(opts.connect(url))
            .unwrap_or_else(|e| panic!("nats-server is not reachable at {url}: {e}"));
        let js = {
            let _inside = rt.enter();
            async_nats::jetstream::new(client.clone())
        };
        Nats { rt, client, js }
    }

    /// A core subscription, flushed so the server knows it before berry publishes.
    pub fn subscribe(&self, subject: &str) -> async_nats::Subscriber {
        self.rt.block_on(async {
            let s = self.client.subscribe(subject.to_string()).await.unwrap();
            self.client.flush().await.unwrap();
            s
        })
    }

    /// The next message within `secs`, as JSON.
    pub fn next(&self, sub: &mut async_nats::Subscriber, secs: u64) -> Option<async_nats::Message> {
        use futures_util::StreamExt;
        self.rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(secs), sub.next())
                .await
                .ok()
                .flatten()
        })
    }
}

/// A uniquely named stream bound to `<prefix>.>`; deleted when dropped.
pub struct TestStream {
    pub nats: Nats,
    pub name: String,
    /// `test.<unique>`; berry's subject template is `<prefix>.berry.devops.{req}`.
    pub prefix: String,
}

impl TestStream {
    pub fn new() -> TestStream {
        Self::on(&nats_url())
    }

    pub fn on(url: &str) -> TestStream {
        Self::on_with(url, async_nats::ConnectOptions::new())
    }

    pub fn on_with(url: &str, opts: async_nats::ConnectOptions) -> TestStream {
        let nats = Nats::connect_with(url, opts);
        let id = unique("");
        let name = format!("BERRY_TEST_{id}");
        let prefix = format!("test.{id}");
        nats.rt.block_on(async {
            nats.js
                .create_stream(async_nats::jetstream::stream::Config {
                    name: name.clone(),
                    subjects: vec![format!("{prefix}.>")],
                    duplicate_window: Duration::from_secs(120),
                    ..Default::default()
                })
                .await
                .unwrap();
        });
        TestStream { nats, name, prefix }
    }

    pub fn template(&self) -> String {
        format!("{}.berry.devops.{{req}}", self.prefix)
    }

    pub fn subject(&self, req: &str) -> String {
        format!("{}.berry.devops.{req}", self.prefix)
    }

    /// Every message in the stream: (Nats-Msg-Id, payload).
    pub fn messages(&self) -> Vec<(String, Value)> {
        stream_messages(&self.nats, &self.name)
    }
}

pub fn stream_messages(nats: &Nats, name: &str) -> Vec<(String, Value)> {
    nats.rt.block_on(async {
        let mut stream = nats.js.get_stream(name).await.unwrap();
        let info = stream.info().await.unwrap().clone();
        let mut out = Vec::new();
        for seq in info.state.first_sequence..=info.state.last_sequence {
            if info.state.messages == 0 {
                break;
            }
            let m = stream.get_raw_message(seq).await.unwrap();
            let id = m
                .headers
                .get("Nats-Msg-Id")
                .map(|v| v.as_str().to_string())
                .unwrap_or_default();
            out.push((id, serde_json::from_slice(&m.payload).unwrap()));
        }
        out
    })
}

impl Drop for TestStream {
    fn drop(&mut self) {
        let _ = self
            .nats
            .rt
            .block_on(self.nats.js.delete_stream(&self.name));
    }
}

/// The fields the orchestrator and its watchers read (nats_subjects.tsv), checked for a
/// completion notice of `req` at `sha`.
pub fn assert_completion_notice(v: &Value, req: &str, subject: &str, sha: &str) {
    assert_eq!(v["agent"], "berry", "{v:#}");
    assert_eq!(v["req_number"], req);
    assert_eq!(v["reqId"], req);
    assert_eq!(v["status"], "COMPLETE");
    assert!(
        v["summary"].as_str().is_some_and(|s| !s.trim().is_empty()),
        "{v:#}"
    );
    assert_eq!(v["deliverable"], format!("nats://{subject}"));
    assert_eq!(v["commit_sha"], sha);
    assert!(v["files_changed"].as_u64().is_some_and(|n| n > 0), "{v:#}");
    assert!(v["tests_passed"].is_boolean(), "{v:#}");
    assert_eq!(v["deployed_at"], NOW);
    assert_eq!(v["next_agent"], "tim");
    assert!(v["changes"]["files_created"].is_array(), "{v:#}");
    assert!(v["changes"]["files_modified"].is_array(), "{v:#}");
    assert!(v["changes"]["files_deleted"].is_array(), "{v:#}");
}

#[test]
fn completion_notice_is_stored_by_the_stream_and_read_by_a_subscriber() {
    let stream = TestStream::new();
    let env = TestEnv::new();
    let ready = Ready::new(&env, &stream.template());
    let subject = stream.subject(REQ);
    let mut sub = stream.nats.subscribe(&subject);

    let out = ready.complete(&env).args(["--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("acknowledged by stream {}", stream.name)),
        "{stderr}"
    );

    let msg = stream
        .nats
        .next(&mut sub, 5)
        .expect("the subscriber got the notice");
    let v: Value = serde_json::from_slice(&msg.payload).unwrap();
    assert_completion_notice(&v, REQ, &subject, &ready.sha);
    assert_eq!(v["tests_passed"], true, "CI was green");
    let files: Vec<&str> = v["changes"]["files_created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        files.contains(&format!("{ERP}/backend/migrations/V0.0.63__crm.sql").as_str()),
        "{files:?}"
    );
    let msgs = stream.messages();
    assert_eq!(msgs.len(), 1);
    let id = &msgs[0].0;
    assert_eq!(id, &format!("berry-{REQ}-complete-{}", ready.sha));

    // The ledger: acknowledged, with the stream.
    let ctx = context_json(&env);
    let ev = &ctx["ledger"]["events"][0];
    assert_eq!(ev["acknowledged"], true);
    assert_eq!(ev["stream"], stream.name.as_str());
    assert_eq!(ev["msg_id"], id.as_str());

    // A rerun does nothing twice.
    let before = env.read("project-spirit/owner_requests/OWNER_REQUESTS.md");
    let out = ready.complete(&env).args(["--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already complete"));
    assert_eq!(stream.messages().len(), 1);
    assert!(
        stream.nats.next(&mut sub, 1).is_none(),
        "nothing sent again"
    );
    assert_eq!(
        env.read("project-spirit/owner_requests/OWNER_REQUESTS.md"),
        before
    );
}

#[test]
fn a_resend_of_a_notice_the_stream_already_has_is_deduplicated() {
    let stream = TestStream::new();
    let env = TestEnv::new();
    let ready = Ready::new(&env, &stream.template());
    let out = ready.complete(&env).args(["--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    assert_eq!(stream.messages().len(), 1);

    // As if berry died after the server stored the message but before it recorded the ack.
    let mut ctx = context_json(&env);
    ctx["ledger"]["events"][0]["acknowledged"] = Value::Bool(false);
    ctx["ledger"]["events"][0]["stream"] = Value::Null;
    write_context(&env, &ctx);

    let out = ready.complete(&env).args(["--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("sent again with the same id"), "{stderr}");
    assert!(
        stderr.contains("a duplicate of an earlier send"),
        "{stderr}"
    );
    assert_eq!(stream.messages().len(), 1, "the stream kept one message");
    assert_eq!(
        context_json(&env)["ledger"]["events"][0]["acknowledged"],
        true
    );
}

#[test]
fn without_a_stream_the_notice_is_published_plainly_and_said_so() {
    let nats = Nats::connect(&nats_url());
    let prefix = format!("test.{}", unique("nostream"));
    let template = format!("{prefix}.berry.devops.{{req}}");
    let subject = format!("{prefix}.berry.devops.{REQ}");
    let env = TestEnv::new();
    let ready = Ready::new(&env, &template);
    let mut sub = nats.subscribe(&subject);

    let out = ready.complete(&env).args(["--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "no JetStream stream covers {subject}: published without persistence"
        )),
        "{stderr}"
    );
    let msg = nats.next(&mut sub, 5).expect("plain publish received");
    let v: Value = serde_json::from_slice(&msg.payload).unwrap();
    assert_completion_notice(&v, REQ, &subject, &ready.sha);
    assert_eq!(
        msg.headers
            .as_ref()
            .and_then(|h| h.get("Nats-Msg-Id"))
            .map(|v| v.to_string()),
        Some(format!("berry-{REQ}-complete-{}", ready.sha))
    );
    let ev = &context_json(&env)["ledger"]["events"][0];
    assert_eq!(ev["acknowledged"], true);
    assert_eq!(ev["stream"], Value::Null);
}

#[test]
fn server_down_keeps_the_notice_pending_and_a_rerun_sends_it_once() {
    let stream = TestStream::new();
    let env = TestEnv::new();
    let ready = Ready::new(&env, &stream.template());
    let closed = closed_port();

    let out = ready
        .complete(&env)
        .args(["--yes"])
        .env("NATS_URL", format!("nats://127.0.0.1:{closed}"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", env.transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "cannot connect to NATS at nats://127.0.0.1:{closed}"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("kept pending"), "{stderr}");
    let ctx = context_json(&env);
    let ev = &ctx["ledger"]["events"][0];
    assert_eq!(ev["acknowledged"], false);
    let pending_payload = ev["payload"].clone();
    assert_eq!(stream.messages().len(), 0);
    // The tracker was written before the send, and recorded.
    assert!(
        env.read("project-spirit/owner_requests/OWNER_REQUESTS.md")
            .contains("**Status**: DEPLOYED")
    );
    assert_eq!(ctx["ledger"]["tracker"][0]["status"], "DEPLOYED");

    // Later (another time), with the server back: sent once, the recorded payload unchanged.
    let out = ready
        .complete(&env)
        .args(["--yes"])
        .env("BERRY_NOW", "2026-01-05T13:30:00Z")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let msgs = stream.messages();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].1, pending_payload);
    assert_eq!(msgs[0].1["deployed_at"], NOW);
    let ctx = context_json(&env);
    assert_eq!(ctx["ledger"]["events"].as_array().unwrap().len(), 1);
    assert_eq!(ctx["ledger"]["tracker"].as_array().unwrap().len(), 1);
    assert!(
        env.read("project-spirit/owner_requests/OWNER_REQUESTS.md")
            .contains(&format!("**Deployed At**: {NOW}"))
    );
}

/// A port nothing listens on.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A nats-server process of the test's own (JetStream, a store folder that survives a restart).
pub struct OwnServer {
    pub port: u16,
    args: Vec<String>,
    child: Option<Child>,
}

impl OwnServer {
    pub fn start(dir: &std::path::Path, extra: &[&str]) -> OwnServer {
        let store = dir.join("nats-store");
        let mut args = vec!["-js".to_string(), "-sd".to_string()];
        args.push(store.to_string_lossy().into_owned());
        args.extend(extra.iter().map(|s| s.to_string()));
        Self::with_args(args)
    }

    /// A server without JetStream.
    pub fn core_only() -> OwnServer {
        Self::with_args(vec![])
    }

    fn with_args(args: Vec<String>) -> OwnServer {
        let port = closed_port();
        let mut s = OwnServer {
            port,
            args,
            child: None,
        };
        s.restart();
        s
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    pub fn restart(&mut self) {
        let bin = std::env::var("BERRY_TEST_NATS_SERVER").unwrap_or_else(|_| "nats-server".into());
        let child = Command::new(bin)
            .args(["-a", "127.0.0.1", "-p", &self.port.to_string()])
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server runs");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "nats-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        self.stop();
    }
}

#[test]
fn server_stopped_then_restarted_the_pending_notice_is_sent_once() {
    let env = TestEnv::new();
    let mut server = OwnServer::start(env.path(), &[]);
    let stream = TestStream::on(&server.url());
    let ready = Ready::new(&env, &stream.template());
    server.stop();

    let out = ready
        .complete(&env)
        .args(["--yes"])
        .env("NATS_URL", server.url())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", env.transcript(&out));
    assert_eq!(
        context_json(&env)["ledger"]["events"][0]["acknowledged"],
        false
    );

    server.restart();
    let nats = Nats::connect(&server.url());
    let out = ready
        .complete(&env)
        .args(["--yes"])
        .env("NATS_URL", server.url())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    let msgs = stream_messages(&nats, &stream.name);
    assert_eq!(msgs.len(), 1);
    assert_completion_notice(&msgs[0].1, REQ, &stream.subject(REQ), &ready.sha);

    // And once more: nothing is sent again.
    let out = ready
        .complete(&env)
        .args(["--yes"])
        .env("NATS_URL", server.url())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    assert_eq!(stream_messages(&nats, &stream.name).len(), 1);
    drop(stream);
}

#[test]
fn user_and_password_are_used_and_a_wrong_password_is_named() {
    let env = TestEnv::new();
    let server = OwnServer::start(env.path(), &["--user", "agents", "--pass", "s3cret-pw"]);
    let stream = TestStream::on_with(
        &server.url(),
        async_nats::ConnectOptions::new().user_and_password("agents".into(), "s3cret-pw".into()),
    );
    let ready = Ready::new(&env, &stream.template());

    let out = ready
        .complete(&env)
        .args(["--yes"])
        .env("NATS_URL", server.url())
        .env("NATS_USER", "agents")
        .env("NATS_PASSWORD", "wrong")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", env.transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot connect to NATS"), "{stderr}");
    assert!(stderr.contains("user agents"), "{stderr}");
    assert!(
        !stderr.contains("wrong"),
        "the password is never shown: {stderr}"
    );

    let out = ready
        .complete(&env)
        .args(["--yes"])
        .env("NATS_URL", server.url())
        .env("NATS_USER", "agents")
        .env("NATS_PASSWORD", "s3cret-pw")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("s3cret-pw"));
    assert_eq!(stream.messages().len(), 1);

    // Credentials in the URL, as `nats` tools take them: used, and never shown.
    let mut ctx = context_json(&env);
    ctx["ledger"]["events"][0]["acknowledged"] = Value::Bool(false);
    write_context(&env, &ctx);
    let out = ready
        .complete(&env)
        .args(["--yes", "-v"])
        .env(
            "NATS_URL",
            format!("nats://agents:s3cret-pw@127.0.0.1:{}", server.port),
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("s3cret-pw"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a duplicate of an earlier send"));
    assert_eq!(stream.messages().len(), 1);
}

#[test]
fn the_real_binding_agog_deliverables_berry_stores_the_default_subject() {
    // A stream bound as the orchestrator binds agog_features_devops; its subjects may not overlap
    // another stream, so wait for any other test holding the binding.
    let nats = Nats::connect(&nats_url());
    let name = format!("BERRY_TEST_DEVOPS_{}", unique(""));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let made = nats.rt.block_on(
            nats.js
                .create_stream(async_nats::jetstream::stream::Config {
                    name: name.clone(),
                    subjects: vec!["agog.deliverables.berry.>".into()],
                    ..Default::default()
                }),
        );
        match made {
            Ok(_) => break,
            Err(e) => {
                assert!(
                    Instant::now() < deadline,
                    "cannot bind agog.deliverables.berry.> on the test server: {e}"
                );
                std::thread::sleep(Duration::from_millis(500));
            }
        }
    }
    struct Delete<'a>(&'a Nats, String);
    impl Drop for Delete<'_> {
        fn drop(&mut self) {
            let _ = self.0.rt.block_on(self.0.js.delete_stream(&self.1));
        }
    }
    let _guard = Delete(&nats, name.clone());

    let req = format!("REQ-BERRYTEST-{}", unique(""));
    let env = TestEnv::new();
    let ready = Ready::for_req(&env, &req, None);
    let out = ready.complete(&env).args(["--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));

    // As the orchestrator's findFirstMissingStage reads it: the last message on the subject.
    let subject = format!("agog.deliverables.berry.devops.{req}");
    let m = nats.rt.block_on(async {
        let stream = nats.js.get_stream(&name).await.unwrap();
        stream
            .get_last_raw_message_by_subject(&subject)
            .await
            .unwrap()
    });
    let v: Value = serde_json::from_slice(&m.payload).unwrap();
    assert_completion_notice(&v, &req, &subject, &ready.sha);
}

#[test]
fn credentials_that_cannot_be_used_are_named_and_keep_the_notice_pending() {
    let env = TestEnv::new();
    let ready = Ready::new(
        &env,
        &format!("test.{}.berry.devops.{{req}}", unique("creds")),
    );

    let missing = env.path().join("no-such.creds");
    let out = ready
        .complete(&env)
        .args(["--yes"])
        .env("NATS_CREDS", &missing)
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("cannot read the NATS credentials file [TMP]/no-such.creds"),
        "{t}"
    );
    assert!(t.contains("kept pending"), "{t}");
    assert_eq!(
        context_json(&env)["ledger"]["events"][0]["acknowledged"],
        false
    );

    let out = ready
        .complete(&env)
        .args(["--yes"])
        .env("NATS_USER", "agents")
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(
        t.contains("NATS_USER is set but NATS_PASSWORD is not"),
        "{t}"
    );

    // Fixed, the pending notice goes out.
    let out = ready.complete(&env).args(["--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", env.transcript(&out));
    assert_eq!(
        context_json(&env)["ledger"]["events"][0]["acknowledged"],
        true
    );
}

#[test]
fn a_server_without_jetstream_gets_a_plain_publish() {
    let env = TestEnv::new();
    let server = OwnServer::core_only();
    let prefix = format!("test.{}", unique("nojs"));
    let ready = Ready::new(&env, &format!("{prefix}.berry.devops.{{req}}"));
    let subject = format!("{prefix}.berry.devops.{REQ}");
    let nats = Nats::connect(&server.url());
    let mut sub = nats.subscribe(&subject);
    let out = ready
        .complete(&env)
        .args(["--yes"])
        .env("NATS_URL", server.url())
        .output()
        .unwrap();
    let t = env.transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains(&format!(
            "no JetStream stream covers {subject}: published without persistence"
        )),
        "{t}"
    );
    let msg = nats.next(&mut sub, 5).expect("received");
    let v: Value = serde_json::from_slice(&msg.payload).unwrap();
    assert_completion_notice(&v, REQ, &subject, &ready.sha);
}

/// Killed at the worst moments (built with `--features fault-injection`): a rerun finishes the
/// work, with the first run's time, and sends one message.
#[cfg(feature = "fault-injection")]
#[test]
fn killed_after_the_tracker_write_or_the_pending_record_a_rerun_finishes_once() {
    for point in ["tracker-written", "event-pending"] {
        let stream = TestStream::new();
        let env = TestEnv::new();
        let ready = Ready::new(&env, &stream.template());
        let out = ready
            .complete(&env)
            .args(["--yes"])
            .env("BERRY_FAULT", point)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), None, "{point}: killed by SIGKILL");
        assert!(
            env.read(crate::complete::TRACKER)
                .contains(&format!("**Deployed At**: {NOW}")),
            "{point}"
        );
        assert_eq!(stream.messages().len(), 0, "{point}");

        let out = ready
            .complete(&env)
            .args(["--yes"])
            .env("BERRY_NOW", "2026-01-05T14:00:00Z")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{point}: {}",
            env.transcript(&out)
        );
        let msgs = stream.messages();
        assert_eq!(msgs.len(), 1, "{point}");
        assert_eq!(
            msgs[0].1["deployed_at"], NOW,
            "{point}: the first run's time"
        );
        let tracker = env.read(crate::complete::TRACKER);
        assert_eq!(tracker.matches("**Deployed At**").count(), 1, "{point}");
        assert!(
            tracker.contains(&format!("**Deployed At**: {NOW}")),
            "{point}"
        );
        let ctx = context_json(&env);
        assert_eq!(
            ctx["ledger"]["tracker"].as_array().unwrap().len(),
            1,
            "{point}"
        );
        assert_eq!(ctx["ledger"]["tracker"][0]["at"], NOW, "{point}");
        assert_eq!(
            ctx["ledger"]["events"].as_array().unwrap().len(),
            1,
            "{point}"
        );
    }
}
