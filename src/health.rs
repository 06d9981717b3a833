//! Deployment health checks: the `[[health.checks]]` of the gate's configuration, each an HTTP(S)
//! request or a command, retried with backoff until it passes or the time allowed for all of them
//! (`health.within_secs`) runs out.
//!
//! The rules a check follows:
//! - an HTTP(S) check sends `method` to `url` with a deadline of `timeout_secs` per attempt (never
//!   past the overall deadline), does not follow redirects (a 302 to a login page is not healthy),
//!   verifies TLS certificates against the built-in web roots unless `insecure_tls`, and reads at
//!   most [`BODY_LIMIT`] bytes of the answer. It passes when the status is `expect_status`, the body
//!   contains `expect_body` (when given), and the JSON value at `json_pointer` equals
//!   `expect_value` (when given);
//! - a command check runs `argv` from the repository root without a shell, as the test commands
//!   run: in their own process group, killed after `timeout_secs`, without berry's own credentials
//!   in its environment (but those `test.pass_env` names); exit 0 passes, its output goes, masked,
//!   to a log file per check;
//! - the checks run at the same time, one thread each, all against the same deadline; between
//!   attempts a check waits [`Options::first_delay`], doubling up to [`Options::max_delay`].
//!
//! [`run_checks`] is the work function: `berry health` and `berry rollback` call it. It never
//! prints; it reports each attempt and each final result through a callback. [`step()`] is
//! `berry health`'s work on top of it (the rules it keeps: [`mod@step`]).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

use crate::config::{HealthCheck, TestCommand};
use crate::error::{BerryError, Exit};

pub mod step;
pub use step::{Done, View, step};

/// Bytes of a response body read at most.
pub const BODY_LIMIT: u64 = 1024 * 1024;

/// The User-Agent of every health request.
pub const USER_AGENT: &str = concat!("berry/", env!("CARGO_PKG_VERSION"), " (health)");

/// How long the checks may take, how they back off, and what command checks do not get.
#[derive(Debug, Clone)]
pub struct Options {
    /// The deadline for all checks, from the start.
    pub within: Duration,
    /// The wait after the first failed attempt.
    pub first_delay: Duration,
    /// The longest wait between two attempts.
    pub max_delay: Duration,
    /// The variables removed from a command check's environment (berry's own credentials, as for
    /// the test commands: [`crate::env_vars::withheld`]).
    pub drop_env: Vec<String>,
}

impl Options {
    /// Checks given `within` to pass; command checks get no credential of berry's but those
    /// `pass_env` names (`test.pass_env`).
    pub fn within(within: Duration, pass_env: &[String]) -> Options {
        Options {
            within,
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(5),
            drop_env: crate::env_vars::withheld(pass_env),
        }
    }
}

/// How one check ended, as the REQ context records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    pub name: String,
    /// `http` or `command`.
    pub kind: String,
    /// `METHOD URL`, or the argv joined by spaces.
    pub target: String,
    pub passed: bool,
    pub attempts: u32,
    /// How long the last attempt took.
    #[serde(default)]
    pub latency_ms: u64,
    /// What the last attempt saw (`200`, `503: expected 200`, `timed out after 5s`, …).
    pub detail: String,
    /// From the start until the check passed or gave up.
    #[serde(default)]
    pub elapsed_ms: u64,
}

/// What [`run_checks`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub checks: Vec<CheckResult>,
    pub elapsed_ms: u64,
}

impl Report {
    /// Every check passed (vacuously true with no checks).
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }
}

/// What happens while the checks run, in the order it happens.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    /// An attempt failed; another follows after `retry_in`, unless the deadline comes first.
    Retrying {
        index: usize,
        check: &'a HealthCheck,
        attempt: u32,
        detail: &'a str,
        retry_in: Duration,
    },
    /// The check passed, or gave up at the deadline.
    Done {
        index: usize,
        result: &'a CheckResult,
    },
}

/// `METHOD URL` or the argv, for messages and the record.
pub fn target(c: &HealthCheck) -> String {
    match &c.url {
        Some(u) => format!("{} {u}", c.method),
        None => c.argv.join(" "),
    }
}

/// What a check does, in words (what a dry run lists).
pub fn in_words(c: &HealthCheck) -> String {
    let timeout = format!(" (timeout {}s)", c.timeout_secs);
    let Some(_) = &c.url else {
        return format!("`{}` exits 0{timeout}", c.argv.join(" "));
    };
    let mut s = format!("{} expecting {}", target(c), c.expect_status);
    if let Some(b) = &c.expect_body {
        s.push_str(&format!(", a body containing {b:?}"));
    }
    if let (Some(p), Some(v)) = (&c.json_pointer, &c.expect_value) {
        s.push_str(&format!(", {p} = {v}"));
    }
    if c.insecure_tls {
        s.push_str(", any TLS certificate");
    }
    s + &timeout
}

/// Runs every check until it passes or `opts.within` runs out, at the same time; returns each
/// check's result in the order given. Command checks run from `root` and write their output to
/// `<logs>/<name>.log`. An interruption (Ctrl-C, SIGTERM) stops every check and is exit 130.
pub fn run_checks(
    checks: &[HealthCheck],
    opts: &Options,
    root: &Path,
    logs: &Path,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<Report> {
    let started = Instant::now();
    let deadline = started + opts.within;
    if checks.iter().any(|c| c.url.is_none()) {
        std::fs::create_dir_all(logs)
            .with_context(|| format!("cannot create the health log folder {}", logs.display()))?;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel::<Msg>();
    let mut results: Vec<Option<CheckResult>> = vec![None; checks.len()];
    let mut interrupted = false;
    std::thread::scope(|scope| {
        for (index, check) in checks.iter().enumerate() {
            let tx = tx.clone();
            let stop = stop.clone();
            let log = logs.join(format!("{}.log", check.name));
            scope.spawn(move || {
                let r = run_one(check, opts, deadline, started, root, &log, &stop, &|m| {
                    let _ = tx.send(Msg::Retrying(index, m.0, m.1, m.2));
                });
                let _ = tx.send(Msg::Done(index, r));
            });
        }
        drop(tx);
        loop {
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(Msg::Retrying(index, attempt, detail, retry_in)) => on_event(Event::Retrying {
                    index,
                    check: &checks[index],
                    attempt,
                    detail: &detail,
                    retry_in,
                }),
                Ok(Msg::Done(index, result)) => {
                    on_event(Event::Done {
                        index,
                        result: &result,
                    });
                    results[index] = Some(result);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if !interrupted && crate::signals::take_received().is_some() {
                interrupted = true;
                stop.store(true, Ordering::SeqCst);
            }
        }
    });
    if interrupted {
        return Err(BerryError::new(
            Exit::Interrupted,
            "interrupted while the health checks ran; nothing was recorded",
        )
        .into());
    }
    Ok(Report {
        checks: results
            .into_iter()
            .map(|r| r.expect("every check reports once"))
            .collect(),
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

enum Msg {
    Retrying(usize, u32, String, Duration),
    Done(usize, CheckResult),
}

/// What one attempt saw.
struct Attempt {
    passed: bool,
    detail: String,
    latency: Duration,
}

#[allow(clippy::too_many_arguments)]
fn run_one(
    check: &HealthCheck,
    opts: &Options,
    deadline: Instant,
    started: Instant,
    root: &Path,
    log: &Path,
    stop: &AtomicBool,
    retrying: &dyn Fn((u32, String, Duration)),
) -> CheckResult {
    let kind = if check.url.is_some() {
        "http"
    } else {
        "command"
    };
    let client = check.url.as_ref().map(|_| http_client(check));
    let mut attempts = 0;
    let mut delay = opts.first_delay;
    loop {
        attempts += 1;
        let left = deadline.saturating_duration_since(Instant::now());
        let limit = Duration::from_secs(check.timeout_secs.max(1))
            .min(left.max(Duration::from_millis(100)));
        let a = match (&check.url, &client) {
            (Some(url), Some(Ok(client))) => http_attempt(client, check, url, limit),
            (Some(_), Some(Err(e))) => Attempt {
                passed: false,
                detail: e.clone(),
                latency: Duration::ZERO,
            },
            _ => command_attempt(check, root, log, limit, &opts.drop_env),
        };
        let now = Instant::now();
        let wait = delay.min(deadline.saturating_duration_since(now));
        if a.passed || wait.is_zero() || now >= deadline || stop.load(Ordering::SeqCst) {
            return CheckResult {
                name: check.name.clone(),
                kind: kind.into(),
                target: target(check),
                passed: a.passed,
                attempts,
                latency_ms: a.latency.as_millis() as u64,
                detail: a.detail,
                elapsed_ms: started.elapsed().as_millis() as u64,
            };
        }
        retrying((attempts, a.detail, wait));
        let until = now + wait;
        while Instant::now() < until && !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20).min(until - Instant::now().min(until)));
        }
        delay = (delay * 2).min(opts.max_delay);
    }
}

fn http_client(check: &HealthCheck) -> Result<reqwest::blocking::Client, String> {
    reqwest::blocking::Client::builder()
        .user_agent(USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .danger_accept_invalid_certs(check.insecure_tls)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

fn http_attempt(
    client: &reqwest::blocking::Client,
    check: &HealthCheck,
    url: &str,
    limit: Duration,
) -> Attempt {
    let t0 = Instant::now();
    let method =
        reqwest::Method::from_bytes(check.method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let sent = client
        .request(method, url)
        // Apollo Server's CSRF protection refuses a plain GET without it; others ignore it.
        .header("apollo-require-preflight", "true")
        .timeout(limit)
        .send();
    let fail = |detail: String| Attempt {
        passed: false,
        detail,
        latency: t0.elapsed(),
    };
    let resp = match sent {
        Ok(r) => r,
        Err(e) => return fail(describe(&e, limit)),
    };
    let status = resp.status().as_u16();
    let wants_body = check.expect_body.is_some() || check.json_pointer.is_some();
    let mut body = Vec::new();
    if wants_body && let Err(e) = resp.take(BODY_LIMIT).read_to_end(&mut body) {
        return fail(format!("{status}, but the body could not be read: {e}"));
    }
    let latency = t0.elapsed();
    if status != check.expect_status {
        return Attempt {
            passed: false,
            detail: format!("{status}: expected {}", check.expect_status),
            latency,
        };
    }
    let text = String::from_utf8_lossy(&body);
    if let Some(want) = &check.expect_body
        && !text.contains(want.as_str())
    {
        return Attempt {
            passed: false,
            detail: format!("{status}, but the body does not contain {want:?}"),
            latency,
        };
    }
    if let (Some(pointer), Some(want)) = (&check.json_pointer, &check.expect_value) {
        let got = serde_json::from_slice::<serde_json::Value>(&body)
            .map_err(|e| format!("{status}, but the body is not JSON ({e})"))
            .and_then(|v| {
                v.pointer(pointer)
                    .cloned()
                    .ok_or_else(|| format!("{status}, but the body has nothing at {pointer}"))
            });
        match got {
            Err(detail) => {
                return Attempt {
                    passed: false,
                    detail,
                    latency,
                };
            }
            Ok(v) if v != *want => {
                return Attempt {
                    passed: false,
                    detail: format!("{status}, but {pointer} is {v}, expected {want}"),
                    latency,
                };
            }
            Ok(_) => {}
        }
    }
    Attempt {
        passed: true,
        detail: status.to_string(),
        latency,
    }
}

/// A failed request in words: timed out, refused, a TLS certificate refused, …
fn describe(e: &reqwest::Error, limit: Duration) -> String {
    if e.is_timeout() {
        return format!("timed out after {}", secs(limit));
    }
    let mut chain = Vec::new();
    let mut cur: Option<&dyn std::error::Error> = Some(e);
    while let Some(c) = cur {
        chain.push(c.to_string());
        cur = c.source();
    }
    let all = chain.join(": ");
    let lower = all.to_ascii_lowercase();
    if lower.contains("certificate") || lower.contains("invalidcertificate") {
        let why = chain.last().cloned().unwrap_or_default();
        return format!("TLS certificate refused ({why}); `insecure_tls = true` accepts it");
    }
    if e.is_connect() {
        let why = chain.last().cloned().unwrap_or_default();
        return format!("cannot connect ({why})");
    }
    chain.last().cloned().unwrap_or(all)
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if (s - s.round()).abs() < 0.05 {
        format!("{}s", s.round() as u64)
    } else {
        format!("{s:.1}s")
    }
}

fn command_attempt(
    check: &HealthCheck,
    root: &Path,
    log: &Path,
    limit: Duration,
    drop_env: &[String],
) -> Attempt {
    let t0 = Instant::now();
    let cmd = TestCommand {
        name: check.name.clone(),
        argv: check.argv.clone(),
        dir: String::new(),
        timeout_secs: limit.as_secs().max(1),
    };
    let opened = File::options()
        .create(true)
        .append(true)
        .read(true)
        .open(log);
    let mut file = match opened {
        Ok(f) => f,
        Err(e) => {
            return Attempt {
                passed: false,
                detail: format!("cannot open its log {}: {e}", log.display()),
                latency: t0.elapsed(),
            };
        }
    };
    // Run as a test command is: without berry's own credentials, its output masked in its log.
    let r = match crate::testrun::run(&cmd, root, &mut file, drop_env) {
        Ok(r) => r,
        Err(e) => {
            return Attempt {
                passed: false,
                detail: format!("{e:#}"),
                latency: t0.elapsed(),
            };
        }
    };
    let detail = if let Some(e) = r.error {
        e
    } else if r.timed_out {
        format!("timed out after {}s", cmd.timeout_secs)
    } else {
        match r.exit_code {
            Some(0) => "exit 0".into(),
            Some(c) => format!("exit {c}"),
            None => "killed by a signal".into(),
        }
    };
    Attempt {
        passed: r.passed,
        detail,
        latency: t0.elapsed(),
    }
}

/// The folder of the command checks' logs for a REQ, beside its context.
pub fn log_dir(state_dir: &Path, req: &str) -> PathBuf {
    state_dir.join(format!("{req}.health"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::atomic::AtomicU32;

    /// A local HTTP server answering each request with `answer(n)` (n counts from 1): a status,
    /// a body, and how long to wait before answering.
    fn serve(answer: impl Fn(u32) -> (u16, String, Duration) + Send + Sync + 'static) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let answer = Arc::new(answer);
        let count = Arc::new(AtomicU32::new(0));
        std::thread::spawn(move || {
            for s in listener.incoming().flatten() {
                let (answer, count) = (answer.clone(), count.clone());
                std::thread::spawn(move || {
                    let mut s = s;
                    let _ = respond(&mut s, &*answer, &count);
                });
            }
        });
        port
    }

    fn respond<S: std::io::Read + Write>(
        s: &mut S,
        answer: &dyn Fn(u32) -> (u16, String, Duration),
        count: &AtomicU32,
    ) -> std::io::Result<()> {
        let mut r = BufReader::new(&mut *s);
        loop {
            let mut line = String::new();
            if r.read_line(&mut line)? == 0 || line.trim().is_empty() {
                break;
            }
        }
        let n = count.fetch_add(1, Ordering::SeqCst) + 1;
        let (status, body, wait) = answer(n);
        std::thread::sleep(wait);
        write!(
            s,
            "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )?;
        s.flush()
    }

    fn http(name: &str, url: String) -> HealthCheck {
        let mut c = crate::config::agogsaas_checks().remove(1);
        c.name = name.into();
        c.url = Some(url);
        c.timeout_secs = 2;
        c
    }

    fn fast(within_ms: u64) -> Options {
        Options {
            within: Duration::from_millis(within_ms),
            first_delay: Duration::from_millis(50),
            max_delay: Duration::from_millis(200),
            drop_env: crate::env_vars::withheld(&[]),
        }
    }

    fn run(checks: &[HealthCheck], opts: Options) -> (Report, Vec<String>) {
        let d = tempfile::tempdir().unwrap();
        let mut seen = Vec::new();
        let r = run_checks(checks, &opts, d.path(), &d.path().join("logs"), &mut |e| {
            seen.push(match e {
                Event::Retrying {
                    check,
                    attempt,
                    detail,
                    ..
                } => format!("retry {} #{attempt}: {detail}", check.name),
                Event::Done { result, .. } => format!("done {} {}", result.name, result.passed),
            })
        })
        .unwrap();
        (r, seen)
    }

    #[test]
    fn a_healthy_endpoint_passes_at_the_first_attempt() {
        let port = serve(|_| {
            (
                200,
                r#"{"data":{"__typename":"Query"}}"#.into(),
                Duration::ZERO,
            )
        });
        let mut c = http("backend", format!("http://127.0.0.1:{port}/graphql"));
        c.expect_body = Some("__typename".into());
        c.json_pointer = Some("/data/__typename".into());
        c.expect_value = Some(serde_json::json!("Query"));
        let (r, seen) = run(&[c], fast(3000));
        assert!(r.passed(), "{r:?}");
        assert_eq!(r.checks[0].attempts, 1);
        assert_eq!(r.checks[0].detail, "200");
        assert_eq!(
            r.checks[0].target,
            format!("GET http://127.0.0.1:{port}/graphql")
        );
        assert_eq!(seen, ["done backend true"]);
    }

    #[test]
    fn a_failing_endpoint_is_retried_until_the_deadline_and_fails() {
        let port = serve(|_| (503, "down".into(), Duration::ZERO));
        let t0 = Instant::now();
        let (r, seen) = run(
            &[http("api", format!("http://127.0.0.1:{port}/"))],
            fast(600),
        );
        assert!(!r.passed());
        let c = &r.checks[0];
        assert!(c.attempts >= 3, "{c:?}");
        assert_eq!(c.detail, "503: expected 200");
        assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
        assert!(seen[0].starts_with("retry api #1: 503"), "{seen:?}");
        assert_eq!(seen.last().unwrap(), "done api false");
    }

    #[test]
    fn an_endpoint_that_comes_up_passes_after_n_attempts() {
        let port = serve(|n| {
            if n < 4 {
                (502, String::new(), Duration::ZERO)
            } else {
                (200, "ok".into(), Duration::ZERO)
            }
        });
        let (r, seen) = run(
            &[http("web", format!("http://127.0.0.1:{port}/"))],
            fast(5000),
        );
        assert!(r.passed(), "{r:?}");
        assert_eq!(r.checks[0].attempts, 4);
        assert_eq!(seen.len(), 4, "three retries then done: {seen:?}");
    }

    #[test]
    fn wrong_body_or_json_value_fails_with_what_was_seen() {
        let port = serve(|_| (200, r#"{"status":"degraded"}"#.into(), Duration::ZERO));
        let url = format!("http://127.0.0.1:{port}/");
        let mut body = http("body", url.clone());
        body.expect_body = Some("\"ok\"".into());
        let mut json = http("json", url.clone());
        json.json_pointer = Some("/status".into());
        json.expect_value = Some(serde_json::json!("ok"));
        let mut missing = http("missing", url);
        missing.json_pointer = Some("/data/x".into());
        missing.expect_value = Some(serde_json::json!(1));
        let (r, _) = run(&[body, json, missing], fast(200));
        assert_eq!(
            r.checks
                .iter()
                .map(|c| c.detail.as_str())
                .collect::<Vec<_>>(),
            [
                "200, but the body does not contain \"\\\"ok\\\"\"",
                "200, but /status is \"degraded\", expected \"ok\"",
                "200, but the body has nothing at /data/x",
            ]
        );
    }

    #[test]
    fn an_endpoint_that_never_answers_times_out_within_the_deadline() {
        let port = serve(|_| (200, String::new(), Duration::from_secs(30)));
        let mut c = http("slow", format!("http://127.0.0.1:{port}/"));
        c.timeout_secs = 1;
        let t0 = Instant::now();
        let (r, _) = run(&[c], fast(1500));
        assert!(!r.passed());
        assert!(
            r.checks[0].detail.starts_with("timed out after"),
            "{:?}",
            r.checks[0]
        );
        assert!(t0.elapsed() < Duration::from_secs(4), "{:?}", t0.elapsed());
    }

    #[test]
    fn nothing_listening_is_a_connect_failure() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let (r, _) = run(
            &[http("gone", format!("http://127.0.0.1:{port}/"))],
            fast(100),
        );
        assert!(
            r.checks[0].detail.starts_with("cannot connect"),
            "{:?}",
            r.checks[0]
        );
    }

    /// A TLS server with a self-signed certificate for 127.0.0.1.
    fn serve_tls() -> u16 {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = Arc::new(
            rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(
                    vec![cert.der().clone()],
                    rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
                )
                .unwrap(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let count = Arc::new(AtomicU32::new(0));
        std::thread::spawn(move || {
            for tcp in listener.incoming().flatten() {
                let (config, count) = (config.clone(), count.clone());
                std::thread::spawn(move || {
                    let Ok(conn) = rustls::ServerConnection::new(config) else {
                        return;
                    };
                    let mut tls = rustls::StreamOwned::new(conn, tcp);
                    let answer = |_| (200, "secure".to_string(), Duration::ZERO);
                    if respond(&mut tls, &answer, &count).is_ok() {
                        tls.conn.send_close_notify();
                        let _ = tls.flush();
                    }
                });
            }
        });
        port
    }

    #[test]
    fn a_self_signed_certificate_is_refused_unless_insecure_tls() {
        let port = serve_tls();
        let url = format!("https://127.0.0.1:{port}/");
        let strict = http("strict", url.clone());
        let mut lax = http("lax", url);
        lax.insecure_tls = true;
        lax.expect_body = Some("secure".into());
        let (r, _) = run(&[strict, lax], fast(300));
        assert!(!r.checks[0].passed);
        assert!(
            r.checks[0].detail.starts_with("TLS certificate refused"),
            "{:?}",
            r.checks[0]
        );
        assert!(r.checks[0].detail.contains("insecure_tls = true"));
        assert!(r.checks[1].passed, "{:?}", r.checks[1]);
    }

    #[test]
    fn command_checks_run_without_a_shell_and_are_retried() {
        let d = tempfile::tempdir().unwrap();
        let flag = d.path().join("up");
        let cmd = |name: &str, argv: &[&str]| HealthCheck {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            url: None,
            ..http(name, String::new())
        };
        // Comes up after the first attempt: the check's own command creates the flag.
        let script = format!("test -e {0} || {{ touch {0}; exit 1; }}", flag.display());
        let checks = [
            cmd("up-later", &["sh", "-c", &script]),
            cmd("down", &["false"]),
            cmd("no-shell", &["echo", "$(touch injected)", ";", "exit", "1"]),
            cmd("missing", &["no-such-program-berry-health"]),
        ];
        let logs = d.path().join("logs");
        let r = run_checks(&checks, &fast(400), d.path(), &logs, &mut |_| {}).unwrap();
        let by = |n: &str| r.checks.iter().find(|c| c.name == n).unwrap().clone();
        assert!(
            by("up-later").passed && by("up-later").attempts == 2,
            "{r:?}"
        );
        assert_eq!(by("down").detail, "exit 1");
        assert!(!by("down").passed && by("down").attempts >= 2);
        assert!(by("no-shell").passed, "echo prints its arguments: {r:?}");
        assert!(!d.path().join("injected").exists(), "no shell ran");
        assert!(by("missing").detail.contains("not found"), "{r:?}");
        assert!(logs.join("down.log").is_file());
    }
}
