//! Fakes for the shipping steps: a smart-HTTP git server (`git http-backend` behind a tiny HTTP
//! server that demands `x-access-token:<token>` Basic auth), a REQ ready to push (verified, with
//! a real commit recorded in the ledger), and fixture JSON patched per test for the fake GitHub.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::common::{REQ, TestEnv, fixture, fixture_json};

/// The token the fakes accept.
pub const TOKEN: &str = "ghp_berryTestToken0123456789abcdefABCDEF";

/// A git smart-HTTP server for the bare repositories under `root`, on 127.0.0.1.
pub struct GitHttp {
    pub port: u16,
}

impl GitHttp {
    pub fn start(root: &Path, token: &str) -> GitHttp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let root = root.to_path_buf();
        let expected = format!("Basic {}", base64(&format!("x-access-token:{token}")));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = root.clone();
                let expected = expected.clone();
                std::thread::spawn(move || {
                    let mut stream = stream;
                    let _ = serve(&mut stream, &root, &expected);
                });
            }
        });
        GitHttp { port }
    }

    pub fn url(&self, repo: &str) -> String {
        format!("http://127.0.0.1:{}/{repo}", self.port)
    }

    /// The same server behind TLS with a certificate of its own for 127.0.0.1 (signed by a
    /// throwaway CA that no system trusts); returns it and the CA's PEM.
    pub fn start_tls(root: &Path, token: &str) -> (GitHttp, String) {
        use std::sync::Arc;
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "berry test CA");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
        let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);
        let cert = params.signed_by(&key, &issuer).unwrap();
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
        let root = root.to_path_buf();
        let expected = format!("Basic {}", base64(&format!("x-access-token:{token}")));
        std::thread::spawn(move || {
            for tcp in listener.incoming().flatten() {
                let (root, expected, config) = (root.clone(), expected.clone(), config.clone());
                std::thread::spawn(move || {
                    let Ok(conn) = rustls::ServerConnection::new(config) else {
                        return;
                    };
                    let mut tls = rustls::StreamOwned::new(conn, tcp);
                    if serve(&mut tls, &root, &expected).is_ok() {
                        tls.conn.send_close_notify();
                        let _ = tls.flush();
                    }
                });
            }
        });
        (GitHttp { port }, ca.pem())
    }

    pub fn https_url(&self, repo: &str) -> String {
        format!("https://127.0.0.1:{}/{repo}", self.port)
    }
}

fn serve<S: Read + Write>(stream: &mut S, root: &Path, expected_auth: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("/").to_string();
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let header = |k: &str| headers.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut body = Vec::new();
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk)?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(len) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(len, 0);
        reader.read_exact(&mut body)?;
    }
    let stream = reader.get_mut();
    if header("authorization").as_deref() != Some(expected_auth) {
        let msg = "Invalid username or password.\n";
        write!(
            stream,
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"fake GitHub\"\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{msg}",
            msg.len()
        )?;
        return Ok(());
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut cgi = Command::new("git");
    cgi.arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("REMOTE_USER", "x-access-token")
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("REQUEST_METHOD", &method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("CONTENT_LENGTH", body.len().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(ct) = header("content-type") {
        cgi.env("CONTENT_TYPE", ct);
    }
    if let Some(ce) = header("content-encoding") {
        cgi.env("HTTP_CONTENT_ENCODING", ce);
    }
    if let Some(gp) = header("git-protocol") {
        cgi.env("GIT_PROTOCOL", gp);
    }
    let mut child = cgi.spawn()?;
    {
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(&body)?;
    }
    let out = child.wait_with_output()?;
    let raw = out.stdout;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4))
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
    let (head, payload) = match split {
        Some((i, n)) => (
            String::from_utf8_lossy(&raw[..i]).to_string(),
            &raw[i + n..],
        ),
        None => (String::new(), &raw[..]),
    };
    let mut status = "200 OK".to_string();
    let mut out_headers = String::new();
    for l in head.lines() {
        if let Some(s) = l.strip_prefix("Status:") {
            status = s.trim().to_string();
        } else if !l.trim().is_empty() {
            out_headers.push_str(l.trim_end());
            out_headers.push_str("\r\n");
        }
    }
    write!(
        stream,
        "HTTP/1.1 {status}\r\n{out_headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        payload.len()
    )?;
    stream.write_all(payload)?;
    stream.flush()
}

pub fn base64(s: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if c.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// A repository with an AgogSaaS base pushed to a bare `origin`, the REQ verified from a
/// deliverables folder, and berry's commit made on `branch` and recorded in the ledger the way
/// `berry commit` records it.
pub struct Shipping {
    pub env: TestEnv,
    pub bare: PathBuf,
    pub deliverables: PathBuf,
    pub branch: String,
    pub sha: String,
}

impl Shipping {
    /// `origin` is the bare repository over file://.
    pub fn new(branch: &str) -> Shipping {
        let env = TestEnv::new();
        let bare = env.path().join("remotes").join("origin.git");
        std::fs::create_dir_all(&bare).unwrap();
        env.git_in(&bare, &["init", "-q", "--bare", "-b", "main"]);
        env.agog_base();
        let url = format!("file://{}", bare.display());
        env.git(&["remote", "add", "origin", &url]);
        env.git(&["push", "-q", "origin", "main"]);
        let deliverables = env.deliverables_folder(REQ, None);
        let out = env
            .berry()
            .env("BERRY_DELIVERABLES", &deliverables)
            .args(["verify", REQ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", env.transcript(&out));
        if branch != "main" {
            env.git(&["checkout", "-q", "-b", branch]);
        }
        env.agog_changes();
        env.commit_all(&format!(
            "feat({REQ}): Integrated CRM & Sales Pipeline Management"
        ));
        let sha = env.git(&["rev-parse", "HEAD"]).trim().to_string();
        let s = Shipping {
            env,
            bare,
            deliverables,
            branch: branch.to_string(),
            sha,
        };
        s.record_commit();
        s
    }

    /// Writes `ledger.commit` for HEAD into the context, as `berry commit` does, and the tests
    /// as passed for its tree, as `berry test` does.
    pub fn record_commit(&self) {
        let mut ctx = self.context();
        let tree = self
            .env
            .git(&["rev-parse", "HEAD^{tree}"])
            .trim()
            .to_string();
        ctx["ledger"]["commit"] = json!({
            "sha": self.sha, "branch": self.branch, "tree": tree, "at": crate::common::NOW,
            "files_changed": 0, "insertions": 0, "deletions": 0, "files": [],
        });
        ctx["steps"]["commit"] =
            json!({"outcome": "ok", "at": crate::common::NOW, "message": "committed"});
        std::fs::write(
            self.context_path(),
            serde_json::to_vec_pretty(&ctx).unwrap(),
        )
        .unwrap();
        self.record_tests();
    }

    /// Records the tests as passed for HEAD's tree, as `berry test` does.
    pub fn record_tests(&self) {
        let mut ctx = self.context();
        let head = self.env.git(&["rev-parse", "HEAD"]).trim().to_string();
        let tree = self
            .env
            .git(&["rev-parse", "HEAD^{tree}"])
            .trim()
            .to_string();
        ctx["ledger"]["tests"] = json!({
            "passed": true, "log": "test.log", "commands": [], "head": head, "tree": tree,
            "at": crate::common::NOW,
        });
        ctx["steps"]["test"] =
            json!({"outcome": "ok", "at": crate::common::NOW, "message": "passed"});
        std::fs::write(
            self.context_path(),
            serde_json::to_vec_pretty(&ctx).unwrap(),
        )
        .unwrap();
    }

    pub fn context_path(&self) -> PathBuf {
        self.env.repo.join(".git/berry").join(format!("{REQ}.json"))
    }

    pub fn context(&self) -> Value {
        serde_json::from_slice(&std::fs::read(self.context_path()).unwrap()).unwrap()
    }

    /// berry with the deliverables folder and [`TOKEN`] in GH_TOKEN, in the repository.
    pub fn berry(&self) -> assert_cmd::Command {
        let mut c = self.env.berry();
        c.env("BERRY_DELIVERABLES", &self.deliverables);
        c.env("GH_TOKEN", TOKEN);
        c
    }

    /// Serves the bare remote over smart HTTP (hooks run there, as on GitHub; libgit2's local
    /// transport runs none) and points `origin` at it.
    pub fn over_http(&self) -> GitHttp {
        let server = GitHttp::start(self.bare.parent().unwrap(), TOKEN);
        self.env
            .git(&["remote", "set-url", "origin", &server.url("origin.git")]);
        server
    }

    /// Serves the bare remote over HTTPS (a certificate of a throwaway CA no system trusts),
    /// points `origin` at it and writes the CA's bundle; returns the server and the bundle's
    /// path (for `SSL_CERT_FILE`).
    pub fn over_https(&self) -> (GitHttp, PathBuf) {
        let (server, ca_pem) = GitHttp::start_tls(self.bare.parent().unwrap(), TOKEN);
        self.env.git(&[
            "remote",
            "set-url",
            "origin",
            &server.https_url("origin.git"),
        ]);
        let ca = self.env.path().join("test-ca.pem");
        std::fs::write(&ca, ca_pem).unwrap();
        (server, ca)
    }

    /// `git rev-parse` in the bare remote (`None` when the ref does not exist).
    pub fn remote_sha(&self, refname: &str) -> Option<String> {
        let out = Command::new("git")
            .current_dir(&self.bare)
            .args(["rev-parse", "--verify", "-q", refname])
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Another clone pushes a commit changing `path` to `content` on `branch` first.
    pub fn someone_else_pushes(&self, branch: &str, path: &str, content: &str) -> String {
        let other = self.env.path().join(format!("other-{}", rand_suffix()));
        let url = format!("file://{}", self.bare.display());
        self.env.git_in(
            self.env.path(),
            &["clone", "-q", "-b", branch, &url, other.to_str().unwrap()],
        );
        let p = other.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
        self.env.git_in(&other, &["add", "-A"]);
        self.env
            .git_in(&other, &["commit", "-q", "-m", "someone else's work"]);
        self.env.git_in(&other, &["push", "-q", "origin", branch]);
        self.env
            .git_in(&other, &["rev-parse", "HEAD"])
            .trim()
            .to_string()
    }

    /// A `pre-receive` hook in the bare remote that prints `lines` and refuses pushes to `refname`.
    pub fn refuse_with(&self, refname: &str, lines: &[String]) {
        let mut script = String::from("#!/bin/sh\nrefuse=0\nwhile read old new ref; do\n");
        script.push_str(&format!(
            "  [ \"$ref\" = \"{refname}\" ] && refuse=1\ndone\n"
        ));
        script.push_str("if [ $refuse = 1 ]; then\n");
        for l in lines {
            script.push_str(&format!("  echo '{}' >&2\n", l.replace('\'', "'\\''")));
        }
        script.push_str("  exit 1\nfi\nexit 0\n");
        let hook = self.bare.join("hooks/pre-receive");
        std::fs::write(&hook, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// Everything that says what state the working repository is in.
    pub fn repo_state(&self) -> String {
        let e = &self.env;
        format!(
            "HEAD {}\nsymbolic {}\nbranches {}\nindex {}\nstatus {}\ndiff {}",
            e.git(&["rev-parse", "HEAD"]),
            e.git(&["symbolic-ref", "HEAD"]),
            e.git(&["for-each-ref", "refs/heads"]),
            e.git(&["ls-files", "-s"]),
            e.git(&["status", "--porcelain=v1", "--untracked-files=all"]),
            e.git(&["diff"]),
        )
    }
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}

/// The `remote: ` lines of a git-push fixture's first example, as the hook must print them
/// (git adds the `remote: ` prefix itself).
pub fn hook_lines(fixture_name: &str) -> Vec<String> {
    let text = fixture(&format!("github/git-push/{fixture_name}"));
    let first = text.split("# ---").next().unwrap();
    first
        .lines()
        .filter_map(|l| l.strip_prefix("remote:"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l).to_string())
        .filter(|l| !l.starts_with("warning:"))
        .collect()
}

/// The fake GitHub's repository.
pub const OWNER: &str = "octocat";
pub const NAME: &str = "Hello-World";

/// `repos-get-200.json` with the default branch set.
pub fn repo_json(default_branch: &str) -> String {
    let mut v = fixture_json("github/repos-get-200.json");
    v["default_branch"] = json!(default_branch);
    v.to_string()
}

/// `pulls-create-201.json` patched: number, head and base.
pub fn pull_json(number: u64, head: &str, base: &str, head_repo: &str) -> Value {
    let mut v = fixture_json("github/pulls-create-201.json");
    v["number"] = json!(number);
    v["html_url"] = json!(format!("https://github.com/{OWNER}/{NAME}/pull/{number}"));
    v["head"]["ref"] = json!(head);
    v["head"]["repo"]["full_name"] = json!(head_repo);
    v["base"]["ref"] = json!(base);
    v["state"] = json!("open");
    v
}

/// `pulls-list-200.json`'s item patched the same way.
pub fn list_item(number: u64, head: &str, base: &str, head_repo: &str) -> Value {
    let mut v = fixture_json("github/pulls-list-200.json")[0].clone();
    v["number"] = json!(number);
    v["html_url"] = json!(format!("https://github.com/{OWNER}/{NAME}/pull/{number}"));
    v["head"]["ref"] = json!(head);
    v["head"]["repo"]["full_name"] = json!(head_repo);
    v["base"]["ref"] = json!(base);
    v["state"] = json!("open");
    v
}

/// Every file under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file()
                && let Ok(bytes) = std::fs::read(&p)
                && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
            {
                hits.push(p);
            }
        }
    }
    hits
}
