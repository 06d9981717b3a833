//! The GitHub REST client: blocking reqwest with rustls, a User-Agent on every
//! request, timeouts, retries with backoff for idempotent requests only, rate limits honoured
//! (`retry-after`, `x-ratelimit-reset`), and errors mapped to messages an operator can act on.
//!
//! Also what `watch` needs: conditional GETs (`If-None-Match`, a 304 counted apart), `Link`
//! pagination, and a GET that follows a redirect to another host without the token.
//!
//! The token is never part of a URL, never printed, never in a `Debug` output.

pub mod issues;
pub mod pulls;
pub mod target;
#[cfg(test)]
pub(crate) mod world;

use std::cell::Cell;
use std::fmt;

use std::time::Duration;

use jiff::Timestamp;
use reqwest::StatusCode;
use reqwest::blocking::{Client as Http, RequestBuilder};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;

use crate::env_vars;
use crate::error::BerryError;

/// `owner/name` on a GitHub host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoId {
    /// `github.com`, or a GitHub Enterprise Server host; `None` when named by `--repo` alone.
    pub host: Option<String>,
    pub owner: String,
    pub name: String,
}

impl RepoId {
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// `OWNER/REPO` as `--repo`, `BERRY_GITHUB_REPO` or config give it.
    pub fn parse_slug(s: &str) -> Option<RepoId> {
        let s = s.trim().trim_end_matches('/');
        let (owner, name) = s.split_once('/')?;
        let name = name.strip_suffix(".git").unwrap_or(name);
        if valid_part(owner) && valid_part(name) {
            Some(RepoId {
                host: None,
                owner: owner.into(),
                name: name.into(),
            })
        } else {
            None
        }
    }
}

impl fmt::Display for RepoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

fn valid_part(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The host and `owner/name` of a remote URL: `https://host/o/r(.git)`, `git@host:o/r.git`,
/// `ssh://git@host(:port)/o/r.git`. `None` for anything else (a local path, `file://`).
pub fn parse_remote_url(url: &str) -> Option<RepoId> {
    let url = url.trim();
    let (host, path) = if let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .or_else(|| url.strip_prefix("ssh://"))
        .or_else(|| url.strip_prefix("git://"))
    {
        let (authority, path) = rest.split_once('/')?;
        let host = authority.rsplit('@').next()?;
        let host = host.split(':').next()?;
        (host.to_string(), path.to_string())
    } else if !url.contains("://") {
        // scp-like: [user@]host:owner/repo.git
        let (left, path) = url.split_once(':')?;
        if left.contains('/') {
            return None;
        }
        let host = left.rsplit('@').next()?;
        (host.to_string(), path.to_string())
    } else {
        return None;
    };
    if host.is_empty() {
        return None;
    }
    let path = path.trim_start_matches('/').trim_end_matches('/');
    let mut parts = path.split('/');
    let owner = parts.next()?;
    let name = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    let name = name.strip_suffix(".git").unwrap_or(name);
    if !valid_part(owner) || !valid_part(name) {
        return None;
    }
    Some(RepoId {
        host: Some(host.to_ascii_lowercase()),
        owner: owner.into(),
        name: name.into(),
    })
}

/// A remote URL with any user name or password taken out, fit for output and the ledger.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, path) = match rest.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (rest, None),
        };
        if let Some((_, host)) = authority.rsplit_once('@') {
            // Keep an ssh user name (not a secret), drop http(s) credentials entirely.
            let user = authority.rsplit_once('@').map(|(u, _)| u).unwrap_or("");
            let keep = scheme == "ssh" && !user.contains(':');
            let authority = if keep {
                authority.to_string()
            } else {
                host.to_string()
            };
            return match path {
                Some(p) => format!("{scheme}://{authority}/{p}"),
                None => format!("{scheme}://{authority}"),
            };
        }
    }
    url.to_string()
}

/// The API base for a host: config `github.api_url` (which `GITHUB_API_URL` sets, see
/// [`crate::settings`]) wins; `github.com` is `https://api.github.com`; any other host is GitHub
/// Enterprise Server, `https://HOST/api/v3`.
pub fn api_base(host: Option<&str>, configured: Option<&str>) -> String {
    if let Some(u) = configured {
        return u.trim_end_matches('/').to_string();
    }
    match host {
        None | Some("github.com") | Some("www.github.com") => "https://api.github.com".into(),
        Some(h) => format!("https://{h}/api/v3"),
    }
}

/// The path and query of a request URL, for diagnostics (never the host's credentials).
fn request_path(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        },
        Err(_) => String::from("?"),
    }
}

/// Whether an API base is github.com's (otherwise it is GitHub Enterprise Server or a fake).
pub fn is_dotcom(base: &str) -> bool {
    base.starts_with("https://api.github.com")
}

/// The GitHub repository berry works on: `explicit` (`--repo`, `BERRY_GITHUB_REPO`) wins, else
/// the remote's URL when it names one, else config `github.repo`. `remote` names the remote in
/// the error.
pub fn locate(
    explicit: Option<&str>,
    remote: &str,
    remote_url: &str,
    cfg: &crate::config::Github,
) -> Result<RepoId, BerryError> {
    let slug = |s: &str, from: &str| {
        RepoId::parse_slug(s)
            .ok_or_else(|| BerryError::usage(format!("{from} `{s}` is not OWNER/REPO")))
    };
    if let Some(s) = explicit {
        return slug(s, "--repo");
    }
    if let Some(r) = parse_remote_url(remote_url) {
        return Ok(r);
    }
    if let Some(s) = &cfg.repo {
        return slug(s, "github.repo");
    }
    Err(BerryError::usage(format!(
        "the remote `{remote}` ({}) does not name a GitHub repository",
        redact_url(remote_url)
    ))
    .with_hint("pass --repo OWNER/REPO, set BERRY_GITHUB_REPO, or github.repo in berry.toml"))
}

/// A client for `repo`: API base from config `github.api_url` (or `GITHUB_API_URL`) or the host;
/// the token for that API (see [`token_for`]).
pub fn client_for(repo: &RepoId, cfg: &crate::config::Github) -> anyhow::Result<Client> {
    let base = api_base(repo.host.as_deref(), cfg.api_url.as_deref());
    let token = token_for(!is_dotcom(&base), &cfg.tokens);
    Client::new(&base, token, Duration::from_secs(cfg.timeout_secs.max(1)))
}

/// A token that never shows itself.
#[derive(Clone)]
pub struct Token {
    value: String,
    /// The variable it came from.
    pub source: &'static str,
}

impl Token {
    pub fn new(value: String, source: &'static str) -> Token {
        Token { value, source }
    }
    pub fn secret(&self) -> &str {
        &self.value
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token(from {}, redacted)", self.source)
    }
}

/// `GH_TOKEN`, else `GITHUB_TOKEN`; on GitHub Enterprise Server `GH_ENTERPRISE_TOKEN` first.
/// `tokens` are those the command layer found set.
pub fn token_for(enterprise: bool, tokens: &crate::config::Tokens) -> Option<Token> {
    let mut order = vec![env_vars::GH_TOKEN, env_vars::GITHUB_TOKEN];
    if enterprise {
        order.insert(0, env_vars::GH_ENTERPRISE_TOKEN);
    }
    order.into_iter().find_map(|name| {
        tokens
            .0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, v)| Token::new(v.0.clone(), n))
    })
}

/// The variables a token is looked for in, for messages.
pub fn token_sources(enterprise: bool) -> &'static str {
    if enterprise {
        "GH_ENTERPRISE_TOKEN, GH_TOKEN or GITHUB_TOKEN"
    } else {
        "GH_TOKEN or GITHUB_TOKEN"
    }
}

/// A failed API call, told apart so the caller can react (a 422 "already exists" is found again).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("GitHub refused the credentials (401 {message}) for {method} {path}")]
    Unauthorized {
        method: String,
        path: String,
        message: String,
        token_source: Option<&'static str>,
    },
    #[error("GitHub denied {method} {path}: the token lacks a permission (403 {message})")]
    Forbidden {
        method: String,
        path: String,
        message: String,
    },
    #[error("GitHub rate limit exceeded for {method} {path}: {message}{}", when_text(.reset, .now))]
    RateLimited {
        method: String,
        path: String,
        message: String,
        reset: Option<Timestamp>,
        now: Timestamp,
    },
    #[error(
        "{what} was not found, or there is no access to it with this token (404 on {method} {path})"
    )]
    NotFound {
        method: String,
        path: String,
        what: String,
    },
    #[error("GitHub rejected {method} {path}: {message}{}", list(.errors))]
    Validation {
        method: String,
        path: String,
        message: String,
        /// Each `errors[].message` (or `code` on `field`).
        errors: Vec<String>,
    },
    #[error("GitHub answered {status} to {method} {path}: {message}")]
    Status {
        method: String,
        path: String,
        status: u16,
        message: String,
    },
    #[error("cannot reach GitHub at {base} ({detail})")]
    Network { base: String, detail: String },
    #[error("GitHub's answer to {method} {path} is not what berry expected: {detail}")]
    Unexpected {
        method: String,
        path: String,
        detail: String,
    },
}

fn list(errors: &[String]) -> String {
    if errors.is_empty() {
        String::new()
    } else {
        format!(" ({})", errors.join("; "))
    }
}

fn when_text(reset: &Option<Timestamp>, now: &Timestamp) -> String {
    match reset {
        Some(r) => {
            let secs = (r.as_second() - now.as_second()).max(0);
            let mins = (secs + 59) / 60;
            format!(
                "; it resets at {} UTC (in {})",
                r.strftime("%Y-%m-%d %H:%M:%S"),
                if secs < 60 {
                    format!("{secs}s")
                } else {
                    format!("{mins} min")
                }
            )
        }
        None => String::new(),
    }
}

impl ApiError {
    /// The failure as berry reports it: exit 1 with a hint for what to do.
    pub fn into_berry(self) -> BerryError {
        let hint = match &self {
            ApiError::Unauthorized { token_source, .. } => Some(match token_source {
                Some(src) => format!(
                    "the token in {src} is wrong, expired or revoked; set a valid one (a fine-grained token needs Contents and Pull requests access)"
                ),
                None => "no token was found: set GH_TOKEN or GITHUB_TOKEN".into(),
            }),
            ApiError::Forbidden { .. } => Some(
                "give the token the missing permission (Pull requests: write for `berry pr`), or use another token".into(),
            ),
            ApiError::RateLimited { reset, .. } => Some(match reset {
                Some(r) => format!(
                    "retry after {} UTC; a token (GH_TOKEN) has a higher limit",
                    r.strftime("%H:%M:%S")
                ),
                None => "wait a few minutes before retrying".into(),
            }),
            ApiError::NotFound { .. } => Some(
                "check the repository (--repo OWNER/REPO) and that the token can see it".into(),
            ),
            ApiError::Network { .. } => {
                Some("check the network, or GITHUB_API_URL if it is set".into())
            }
            _ => None,
        };
        let b = BerryError::failure(self.to_string());
        match hint {
            Some(h) => b.with_hint(h),
            None => b,
        }
    }
}

/// The result of a conditional GET.
#[derive(Debug, Clone, PartialEq)]
pub enum Conditional {
    /// 200: the body and its `ETag` for the next poll.
    Fresh { body: Value, etag: Option<String> },
    /// 304: nothing changed since that `ETag` (does not count against the rate limit).
    NotModified,
}

/// What the client did, for `watch`'s summary and for tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub requests: u32,
    pub ok: u32,
    pub not_modified: u32,
    pub retries: u32,
}

/// How hard to try again.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Further attempts after the first, for idempotent requests.
    pub max_retries: u32,
    /// First backoff; doubles each time.
    pub base_delay: Duration,
    /// A rate-limit wait longer than this is not waited out: the error says when to retry.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
        }
    }
}

/// One API answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub struct Client {
    http: Http,
    base: String,
    token: Option<Token>,
    pub retry: RetryPolicy,
    stats: Cell<Stats>,
}

pub const USER_AGENT: &str = concat!("berry/", env!("CARGO_PKG_VERSION"));

impl Client {
    /// A client for the API at `base`; each request may take `timeout` in all
    /// (`github.timeout_secs`).
    pub fn new(base: &str, token: Option<Token>, timeout: Duration) -> anyhow::Result<Client> {
        let http = Http::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| anyhow::anyhow!("cannot build the HTTP client: {e}"))?;
        Ok(Client {
            http,
            base: base.trim_end_matches('/').to_string(),
            token,
            retry: RetryPolicy::default(),
            stats: Cell::new(Stats::default()),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn token_source(&self) -> Option<&'static str> {
        self.token.as_ref().map(|t| t.source)
    }

    pub fn stats(&self) -> Stats {
        self.stats.get()
    }

    fn bump(&self, f: impl FnOnce(&mut Stats)) {
        let mut s = self.stats.get();
        f(&mut s);
        self.stats.set(s);
    }

    /// `path` starting with `/` is joined to the base; a full URL (from `Link`) is used as is,
    /// but only when it is on the API's own origin (the token goes nowhere else).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{}", self.base, path)
        }
    }

    fn request(&self, method: reqwest::Method, url: &str, with_token: bool) -> RequestBuilder {
        let mut rb = self
            .http
            .request(method, url)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28");
        if with_token && let Some(t) = &self.token {
            let mut v = HeaderValue::from_str(&format!("Bearer {}", t.secret()))
                .unwrap_or_else(|_| HeaderValue::from_static(""));
            v.set_sensitive(true);
            rb = rb.header(reqwest::header::AUTHORIZATION, v);
        }
        rb
    }

    /// Sends with retries (idempotent methods only) and rate-limit handling; any status comes back.
    pub fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Result<Reply, ApiError> {
        let url = self.url(path);
        let same_origin = same_origin(&url, &self.base);
        let idempotent = matches!(
            method,
            reqwest::Method::GET
                | reqwest::Method::HEAD
                | reqwest::Method::PUT
                | reqwest::Method::DELETE
        );
        let mut attempt = 0u32;
        loop {
            let mut rb = self.request(method.clone(), &url, same_origin);
            for (k, v) in headers {
                rb = rb.header(*k, *v);
            }
            if let Some(b) = body {
                // Nothing berry sends carries a secret unmasked (PR and issue bodies, comments).
                rb = rb.json(&crate::secrets::mask_json(b));
            }
            self.bump(|s| s.requests += 1);
            let started = std::time::Instant::now();
            let result = rb.send();
            match &result {
                Ok(resp) => tracing::debug!(
                    method = %method,
                    path = %request_path(&url),
                    status = resp.status().as_u16(),
                    ratelimit_remaining = resp
                        .headers()
                        .get("x-ratelimit-remaining")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-"),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "GitHub API"
                ),
                Err(e) => tracing::debug!(
                    method = %method,
                    path = %request_path(&url),
                    error = %e,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "GitHub API request failed"
                ),
            }
            let retry_left = idempotent && attempt < self.retry.max_retries;
            match result {
                Err(e) => {
                    if retry_left && (e.is_connect() || e.is_timeout() || e.is_request()) {
                        self.backoff(attempt);
                        attempt += 1;
                        continue;
                    }
                    return Err(ApiError::Network {
                        base: self.base.clone(),
                        detail: error_chain(&e),
                    });
                }
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    let body = resp.bytes().map(|b| b.to_vec()).unwrap_or_default();
                    let reply = Reply {
                        status,
                        headers,
                        body,
                    };
                    if status >= 500 && retry_left {
                        self.backoff(attempt);
                        attempt += 1;
                        continue;
                    }
                    if let Some(wait) = self.rate_limit_wait(&reply) {
                        if retry_left && wait <= self.retry.max_wait {
                            self.bump(|s| s.retries += 1);
                            std::thread::sleep(wait);
                            attempt += 1;
                            continue;
                        }
                        return Err(self.rate_limited(&method, path, &reply));
                    }
                    return Ok(reply);
                }
            }
        }
    }

    fn backoff(&self, attempt: u32) {
        self.bump(|s| s.retries += 1);
        let d = self.retry.base_delay * 2u32.saturating_pow(attempt);
        std::thread::sleep(d.min(Duration::from_secs(30)));
    }

    /// `Some(wait)` when the reply is a rate-limit refusal.
    fn rate_limit_wait(&self, r: &Reply) -> Option<Duration> {
        if r.status != 403 && r.status != 429 {
            return None;
        }
        let retry_after = r
            .header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok());
        let remaining_zero = r.header("x-ratelimit-remaining").map(str::trim) == Some("0");
        let says_so = r
            .json()
            .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
            .is_some_and(|m| m.to_ascii_lowercase().contains("rate limit"));
        if r.status == 403 && retry_after.is_none() && !remaining_zero && !says_so {
            return None;
        }
        if let Some(s) = retry_after {
            return Some(Duration::from_secs(s));
        }
        if let Some(reset) = reset_of(r) {
            let now = crate::clock::now().unwrap_or_else(|_| Timestamp::now());
            let secs = (reset.as_second() - now.as_second()).max(0) as u64;
            return Some(Duration::from_secs(secs + 1));
        }
        // Secondary limit without headers: GitHub asks for at least a minute.
        Some(Duration::from_secs(60))
    }

    fn rate_limited(&self, method: &reqwest::Method, path: &str, r: &Reply) -> ApiError {
        let now = crate::clock::now().unwrap_or_else(|_| Timestamp::now());
        let reset = r
            .header("retry-after")
            .and_then(|v| v.trim().parse::<i64>().ok())
            .and_then(|s| Timestamp::from_second(now.as_second() + s).ok())
            .or_else(|| reset_of(r));
        ApiError::RateLimited {
            method: method.to_string(),
            path: path.to_string(),
            message: message_of(r),
            reset,
            now,
        }
    }

    /// Turns a non-2xx reply into its error.
    pub fn error_for(&self, method: &str, path: &str, what: &str, r: &Reply) -> ApiError {
        let message = message_of(r);
        match r.status {
            401 => ApiError::Unauthorized {
                method: method.into(),
                path: path.into(),
                message,
                token_source: self.token_source(),
            },
            403 => ApiError::Forbidden {
                method: method.into(),
                path: path.into(),
                message,
            },
            404 => ApiError::NotFound {
                method: method.into(),
                path: path.into(),
                what: what.into(),
            },
            422 => ApiError::Validation {
                method: method.into(),
                path: path.into(),
                message,
                errors: validation_errors(r.json().as_ref()),
            },
            s => ApiError::Status {
                method: method.into(),
                path: path.into(),
                status: s,
                message,
            },
        }
    }

    fn expect_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        what: &str,
    ) -> Result<Value, ApiError> {
        let r = self.send(method.clone(), path, body, &[])?;
        if !(200..300).contains(&r.status) {
            return Err(self.error_for(method.as_str(), path, what, &r));
        }
        self.bump(|s| s.ok += 1);
        if r.body.is_empty() {
            return Ok(Value::Null);
        }
        r.json().ok_or_else(|| ApiError::Unexpected {
            method: method.to_string(),
            path: path.into(),
            detail: "the body is not JSON".into(),
        })
    }

    /// GET, JSON body. `what` names the thing for a 404 message.
    pub fn get_json(&self, path: &str, what: &str) -> Result<Value, ApiError> {
        self.expect_json(reqwest::Method::GET, path, None, what)
    }

    /// POST, JSON in and out (never retried: it is not idempotent).
    pub fn post_json(&self, path: &str, body: &Value, what: &str) -> Result<Value, ApiError> {
        self.expect_json(reqwest::Method::POST, path, Some(body), what)
    }

    /// PATCH, JSON in and out (never retried).
    pub fn patch_json(&self, path: &str, body: &Value, what: &str) -> Result<Value, ApiError> {
        self.expect_json(reqwest::Method::PATCH, path, Some(body), what)
    }

    /// GET with `If-None-Match`: a 304 comes back as [`Conditional::NotModified`].
    pub fn get_conditional(
        &self,
        path: &str,
        etag: Option<&str>,
        what: &str,
    ) -> Result<Conditional, ApiError> {
        let headers: Vec<(&str, &str)> = etag.map(|e| ("If-None-Match", e)).into_iter().collect();
        let r = self.send(reqwest::Method::GET, path, None, &headers)?;
        if r.status == StatusCode::NOT_MODIFIED.as_u16() {
            self.bump(|s| s.not_modified += 1);
            return Ok(Conditional::NotModified);
        }
        if !(200..300).contains(&r.status) {
            return Err(self.error_for("GET", path, what, &r));
        }
        self.bump(|s| s.ok += 1);
        let body = r.json().ok_or_else(|| ApiError::Unexpected {
            method: "GET".into(),
            path: path.into(),
            detail: "the body is not JSON".into(),
        })?;
        Ok(Conditional::Fresh {
            body,
            etag: r.header("etag").map(str::to_string),
        })
    }

    /// Every page of a list, following `Link: <…>; rel="next"` (at most `max_pages`). `key`
    /// names the array inside an object page (`workflow_runs`, `jobs`); `None` for array pages.
    pub fn get_all(
        &self,
        path: &str,
        key: Option<&str>,
        what: &str,
        max_pages: usize,
    ) -> Result<Vec<Value>, ApiError> {
        let mut out = Vec::new();
        let mut next = Some(path.to_string());
        let mut pages = 0;
        while let Some(p) = next.take() {
            if pages >= max_pages {
                break;
            }
            pages += 1;
            if !same_origin(&self.url(&p), &self.base) {
                return Err(ApiError::Unexpected {
                    method: "GET".into(),
                    path: p,
                    detail: "a next page on another host".into(),
                });
            }
            let r = self.send(reqwest::Method::GET, &p, None, &[])?;
            if !(200..300).contains(&r.status) {
                return Err(self.error_for("GET", &p, what, &r));
            }
            self.bump(|s| s.ok += 1);
            let v = r.json().ok_or_else(|| ApiError::Unexpected {
                method: "GET".into(),
                path: p.clone(),
                detail: "the body is not JSON".into(),
            })?;
            let items = match key {
                Some(k) => v.get(k).cloned().unwrap_or(Value::Null),
                None => v,
            };
            match items {
                Value::Array(a) => out.extend(a),
                _ => {
                    return Err(ApiError::Unexpected {
                        method: "GET".into(),
                        path: p,
                        detail: "the page holds no list".into(),
                    });
                }
            }
            next = r.header("link").and_then(next_link);
        }
        Ok(out)
    }

    /// GET that follows redirects (job logs are a 302 to a signed URL on another host): the
    /// token goes only to the API's own origin, never to the redirect target. Returns the body.
    pub fn get_following(&self, path: &str, what: &str) -> Result<Vec<u8>, ApiError> {
        self.get_following_with(path, what, |r| {
            let mut body = Vec::new();
            std::io::Read::read_to_end(r, &mut body).map(|_| body)
        })
    }

    /// [`get_following`](Self::get_following), but the body is handed to `read` as a stream, so
    /// a large body (a job log of gigabytes) is never held in memory. An I/O error while reading
    /// (the connection dropped, the request's deadline passed) is a network error.
    pub fn get_following_with<T>(
        &self,
        path: &str,
        what: &str,
        read: impl FnOnce(&mut dyn std::io::Read) -> std::io::Result<T>,
    ) -> Result<T, ApiError> {
        let mut url = self.url(path);
        for _ in 0..5 {
            let with_token = same_origin(&url, &self.base);
            self.bump(|s| s.requests += 1);
            let mut resp = self
                .request(reqwest::Method::GET, &url, with_token)
                .send()
                .map_err(|e| ApiError::Network {
                    base: self.base.clone(),
                    detail: error_chain(&e),
                })?;
            let status = resp.status();
            if status.is_redirection() {
                let loc = resp
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| ApiError::Unexpected {
                        method: "GET".into(),
                        path: path.into(),
                        detail: "a redirect without Location".into(),
                    })?;
                url = resp.url().join(loc).map(|u| u.to_string()).map_err(|e| {
                    ApiError::Unexpected {
                        method: "GET".into(),
                        path: path.into(),
                        detail: format!("a bad redirect: {e}"),
                    }
                })?;
                continue;
            }
            if !status.is_success() {
                // Error bodies are small JSON documents; read at most 64 KiB of one.
                let headers = resp.headers().clone();
                let mut body = Vec::new();
                let _ = std::io::Read::read_to_end(
                    &mut std::io::Read::take(&mut resp, 64 * 1024),
                    &mut body,
                );
                let reply = Reply {
                    status: status.as_u16(),
                    headers,
                    body,
                };
                return Err(self.error_for("GET", path, what, &reply));
            }
            self.bump(|s| s.ok += 1);
            return read(&mut resp).map_err(|e| ApiError::Network {
                base: self.base.clone(),
                detail: format!("reading {what}: {}", error_chain(&e)),
            });
        }
        Err(ApiError::Unexpected {
            method: "GET".into(),
            path: path.into(),
            detail: "too many redirects".into(),
        })
    }
}

/// Same scheme, host and port.
pub fn same_origin(a: &str, b: &str) -> bool {
    match (reqwest::Url::parse(a), reqwest::Url::parse(b)) {
        (Ok(a), Ok(b)) => {
            a.scheme() == b.scheme()
                && a.host_str() == b.host_str()
                && a.port_or_known_default() == b.port_or_known_default()
        }
        _ => false,
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}

fn reset_of(r: &Reply) -> Option<Timestamp> {
    r.header("x-ratelimit-reset")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .and_then(|s| Timestamp::from_second(s).ok())
}

fn message_of(r: &Reply) -> String {
    r.json()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| {
            let t = String::from_utf8_lossy(&r.body);
            let t = t.trim();
            if t.is_empty() {
                format!("HTTP {}", r.status)
            } else {
                t.chars().take(200).collect()
            }
        })
}

/// The messages inside a 422's `errors` array.
pub fn validation_errors(body: Option<&Value>) -> Vec<String> {
    body.and_then(|v| v.get("errors"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|e| match e {
                    Value::String(s) => Some(s.clone()),
                    Value::Object(o) => o
                        .get("message")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .or_else(|| {
                            let code = o.get("code").and_then(Value::as_str)?;
                            let field = o.get("field").and_then(Value::as_str).unwrap_or("?");
                            Some(format!("{field}: {code}"))
                        }),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The `rel="next"` target of a `Link` header.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let mut pieces = part.split(';');
        let url = pieces.next()?.trim();
        let url = url.strip_prefix('<')?.strip_suffix('>')?;
        pieces
            .any(|p| {
                let p = p.trim().replace(' ', "");
                p == "rel=\"next\"" || p == "rel=next"
            })
            .then(|| url.to_string())
    })
}

/// Percent-encodes one query value.
pub fn query_value(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
