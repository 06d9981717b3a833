//! Pushing berry's commit: git2 push with the credentials a user's git would find,
//! the remote's answer captured (ref statuses and `remote:` sideband lines) and told apart, the
//! remote ref read back, and a rebase onto the remote branch that leaves nothing behind when it
//! conflicts.
//!
//! [`step()`] is `berry push`'s work on top of these (the rules it keeps: [`mod@step`]).
//!
//! Never prints; the caller passes a progress callback. The token is only ever handed to libgit2
//! as a credential, never put into a URL or a message.
//!
//! Every transfer (a push, a fetch, reading a remote ref) runs through [`bounded`]: one deadline,
//! `git.timeout_secs`, over the whole exchange, so a peer that accepts and never answers, or
//! answers the ref advertisement and then stalls, is an error naming the remote and the setting.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use git2::{
    AutotagOption, Cred, CredentialType, Direction, ErrorClass, ErrorCode, FetchOptions, Oid,
    PushOptions, RebaseOptions, RemoteCallbacks, Repository,
};

use crate::github::{self, Token};

pub use crate::context::{CommitRecord, PushRecord};

pub mod https;
pub mod step;
pub use step::{Options, Pushed, Shown, Transfer, View, skip_tests, step};

impl PushRecord {
    /// The push recorded in `ctx`, or the usage error (exit 2) saying `berry push` comes first.
    pub fn recorded(
        ctx: &crate::context::ReqContext,
        step: crate::workflow::Step,
    ) -> Result<PushRecord, crate::error::BerryError> {
        crate::workflow::require(step, ctx, Default::default())?;
        ctx.ledger.push.clone().ok_or_else(|| {
            crate::error::BerryError::usage(format!("{} has not been pushed yet", ctx.req))
                .with_hint("run `berry push` first")
        })
    }
}

/// Where a branch goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The remote's name (`origin`).
    pub remote: String,
    /// Its URL without credentials.
    pub url: String,
    pub local_branch: String,
    /// The branch name on the remote.
    pub remote_branch: String,
}

impl Target {
    pub fn remote_ref(&self) -> String {
        format!("refs/heads/{}", self.remote_branch)
    }
    pub fn tracking_ref(&self) -> String {
        format!("refs/remotes/{}/{}", self.remote, self.remote_branch)
    }
}

/// The branch's upstream (`branch.<b>.remote` / `branch.<b>.merge`), else `origin` and the same name.
pub fn target_for(repo: &Repository, branch: &str) -> Result<Target> {
    let cfg = repo
        .config()
        .context("cannot read the repository's git config")?;
    let remote = cfg
        .get_string(&format!("branch.{branch}.remote"))
        .ok()
        .filter(|r| !r.is_empty() && r != ".")
        .unwrap_or_else(|| "origin".into());
    let remote_branch = cfg
        .get_string(&format!("branch.{branch}.merge"))
        .ok()
        .and_then(|m| m.strip_prefix("refs/heads/").map(str::to_string))
        .unwrap_or_else(|| branch.to_string());
    let url = remote_url(repo, &remote)?;
    Ok(Target {
        remote,
        url,
        local_branch: branch.to_string(),
        remote_branch,
    })
}

/// The remote's push URL (else its URL), credentials taken out.
pub fn remote_url(repo: &Repository, remote: &str) -> Result<String> {
    let r = repo.find_remote(remote).map_err(|e| {
        crate::error::BerryError::usage(format!(
            "the repository has no remote `{remote}` ({})",
            e.message()
        ))
        .with_hint("add one (`git remote add origin URL`) or set the branch's upstream")
    })?;
    let url = match r.pushurl() {
        Ok(Some(u)) => u,
        _ => r
            .url()
            .map_err(|_| anyhow::anyhow!("the remote `{remote}` has no URL"))?,
    };
    Ok(github::redact_url(url))
}

/// Where credentials may come from, for a remote URL.
#[derive(Debug, Clone)]
pub struct CredentialSources {
    /// A GitHub token, used for HTTPS remotes as user `x-access-token`.
    pub token: Option<Token>,
    /// How long one whole transfer may take (`git.timeout_secs`).
    pub timeout: std::time::Duration,
    /// The CA bundle an https transfer trusts (the operator's `SSL_CERT_FILE`); `None`: the
    /// system's bundle.
    pub ca_file: Option<std::path::PathBuf>,
}

impl CredentialSources {
    /// The token of `config` for `url`'s host (GH_TOKEN / GITHUB_TOKEN; GH_ENTERPRISE_TOKEN first
    /// for a host other than github.com) and the transfer deadline `git.timeout_secs`.
    pub fn for_remote(url: &str, config: &crate::config::Config) -> CredentialSources {
        let enterprise = github::parse_remote_url(url)
            .and_then(|r| r.host)
            .is_some_and(|h| h != "github.com");
        CredentialSources {
            token: github::token_for(enterprise, &config.github.tokens),
            timeout: std::time::Duration::from_secs(config.git.timeout_secs.max(1)),
            ca_file: config.git.ca_file.clone(),
        }
    }
}

/// The credential callback's memory: each source is offered once, so libgit2's retry after a
/// refusal ends when the sources are exhausted instead of looping.
#[derive(Debug, Default)]
struct CredState {
    tried: Vec<String>,
    token_used: bool,
    helper_used: bool,
    default_used: bool,
    exhausted: bool,
}

fn credentials(
    repo: &Repository,
    sources: &CredentialSources,
    state: &Mutex<CredState>,
    url: &str,
    username: Option<&str>,
    allowed: CredentialType,
) -> std::result::Result<Cred, git2::Error> {
    let mut st = state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if allowed.contains(CredentialType::USERNAME) {
        return Cred::username(username.unwrap_or("git"));
    }
    if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
        let config = repo.config().ok();
        if let Some((user, password)) =
            http_userpass(config.as_ref(), sources, &mut st, url, username)
        {
            return Cred::userpass_plaintext(&user, &password);
        }
    }
    if allowed.contains(CredentialType::DEFAULT) && !st.default_used {
        st.default_used = true;
        return Cred::default();
    }
    st.exhausted = true;
    Err(git2::Error::from_str(
        "berry: every credential source was tried",
    ))
}

/// The next user name and password for an HTTP(S) remote, each source once, in this order: the
/// token (as `x-access-token`, https and http remotes only), then git's credential helpers;
/// `None` when both were offered. The one place that decides the order: libgit2's credential
/// callback (plain http) and berry's https transport both ask it. Records what it offered.
fn http_userpass(
    config: Option<&git2::Config>,
    sources: &CredentialSources,
    st: &mut CredState,
    url: &str,
    username: Option<&str>,
) -> Option<(String, String)> {
    let is_http = url.starts_with("https://") || url.starts_with("http://");
    if is_http
        && !st.token_used
        && let Some(t) = &sources.token
    {
        st.token_used = true;
        st.tried
            .push(format!("the token in {} (as x-access-token)", t.source));
        return Some(("x-access-token".into(), t.secret().to_string()));
    }
    if !st.helper_used {
        st.helper_used = true;
        if let Some(cfg) = config
            && let Some(pair) = git2::CredentialHelper::new(url)
                .config(cfg)
                .username(username)
                .execute()
        {
            st.tried.push("git's credential helper".into());
            return Some(pair);
        }
        st.tried
            .push("git's credential helpers (none gave a credential)".into());
    }
    None
}

/// Why a push did not land.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// The remote branch has commits the local one lacks.
    NonFastForward,
    /// `GH006` (protected branch) or `GH013` (repository rules).
    Protected { code: String },
    /// `GH001`: files over GitHub's limit.
    LargeFiles { files: Vec<String> },
    /// The remote refused every credential that was tried.
    Auth { tried: Vec<String> },
    /// The remote could not be reached.
    Network,
    /// The remote stopped answering: the push did not finish within `git.timeout_secs`.
    Timeout { secs: u64 },
    /// Anything else.
    Other,
}

/// A failed push: what kind, libgit2's message, the ref status and the remote's own lines.
#[derive(Debug, Clone)]
pub struct PushFailure {
    pub kind: Rejection,
    pub detail: String,
    pub status: Option<String>,
    pub remote_lines: Vec<String>,
}

impl std::fmt::Display for PushFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.status.as_deref().unwrap_or(&self.detail))
    }
}

/// Progress of a push: objects done, objects in all, bytes sent.
pub type Progress<'a> = &'a dyn Fn(usize, usize, usize);

/// What a push needs besides the repository.
pub struct PushSpec<'a> {
    pub target: &'a Target,
    /// The local ref pushed (`refs/heads/<branch>`).
    pub local_ref: String,
    /// Overwrite the remote ref (only after the caller checked its lease).
    pub force: bool,
    pub sources: &'a CredentialSources,
}

/// Pushes, capturing the remote's statuses and sideband lines.
pub fn push(
    repo: &Repository,
    spec: &PushSpec<'_>,
    progress: Progress<'_>,
) -> std::result::Result<(), PushFailure> {
    let target = spec.target.clone();
    let sources = spec.sources.clone();
    let local_ref = spec.local_ref.clone();
    let force = spec.force;
    let limit = spec.sources.timeout;
    let started = Instant::now();
    let done = bounded(repo, limit, Some(progress), move |repo, progress| {
        let spec = PushSpec {
            target: &target,
            local_ref,
            force,
            sources: &sources,
        };
        push_now(repo, &spec, progress)
    });
    let (result, sideband, statuses, cred) = match done {
        Ok(d) => d,
        Err(Stalled) => {
            tracing::debug!(
                remote = %spec.target.remote,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "git push: no answer within the deadline"
            );
            return Err(PushFailure {
                kind: Rejection::Timeout {
                    secs: limit.as_secs(),
                },
                detail: format!("no answer within {}s (git.timeout_secs)", limit.as_secs()),
                status: None,
                remote_lines: Vec::new(),
            });
        }
    };
    let lines = sideband_lines(&sideband);
    let status = statuses.first().map(|(_, s)| s.clone());
    // libgit2's own socket timeout counts as the deadline's.
    let local = local_remote(&spec.target.url).is_some();
    let kind = |e: Option<&git2::Error>| match classify(e, status.as_deref(), &lines, &cred) {
        Rejection::Timeout { .. } => Rejection::Timeout {
            secs: limit.as_secs(),
        },
        k => on_local(
            k,
            local,
            e.map(git2::Error::message)
                .or(status.as_deref())
                .unwrap_or(""),
        ),
    };
    match result {
        Ok(()) if status.is_none() => Ok(()),
        Ok(()) => Err(PushFailure {
            kind: kind(None),
            detail: status.clone().unwrap_or_default(),
            status,
            remote_lines: lines,
        }),
        Err(e) => Err(PushFailure {
            kind: kind(Some(&e)),
            detail: e.message().to_string(),
            status,
            remote_lines: lines,
        }),
    }
}

/// What one push attempt gave: libgit2's result, the sideband bytes, the ref statuses, the
/// credential sources tried.
type PushRun = (
    std::result::Result<(), git2::Error>,
    Vec<u8>,
    Vec<(String, String)>,
    CredState,
);

/// The push itself, on [`bounded`]'s worker.
fn push_now(repo: &Repository, spec: &PushSpec<'_>, progress: Progress<'_>) -> PushRun {
    let cred = Arc::new(Mutex::new(CredState::default()));
    let sideband = std::cell::RefCell::new(Vec::<u8>::new());
    let statuses = std::cell::RefCell::new(Vec::<(String, String)>::new());
    let result = {
        let mut cb = transfer_callbacks();
        cb.credentials(|url, user, allowed| {
            credentials(repo, spec.sources, &cred, url, user, allowed)
        });
        cb.sideband_progress(|data| {
            sideband.borrow_mut().extend_from_slice(data);
            true
        });
        cb.push_update_reference(|refname, status| {
            if let Some(s) = status {
                statuses
                    .borrow_mut()
                    .push((refname.to_string(), s.to_string()));
            }
            Ok(())
        });
        cb.push_transfer_progress(progress);
        let mut opts = PushOptions::new();
        opts.remote_callbacks(cb);
        opts.packbuilder_parallelism(0);
        // A local remote gets the objects under a staging ref of this push's own; the branch
        // is then moved by compare-and-swap ([`move_local_ref`]).
        let local = match spec.force {
            true => None,
            false => remote_url(repo, &spec.target.remote)
                .ok()
                .and_then(|u| local_remote(&u)),
        };
        let staging = local.as_ref().map(|_| staging_ref());
        let refspec = match &staging {
            Some(st) => format!("{}:{st}", spec.local_ref),
            None => format!(
                "{}{}:{}",
                if spec.force { "+" } else { "" },
                spec.local_ref,
                spec.target.remote_ref()
            ),
        };
        let started = std::time::Instant::now();
        let transfer = https::Transfer {
            git_dir: repo.path().to_path_buf(),
            sources: spec.sources.clone(),
            cred: cred.clone(),
        };
        let mut result = match repo.find_remote(&spec.target.remote) {
            Ok(mut remote) => https::during(transfer, || {
                remote.push(&[refspec.as_str()], Some(&mut opts))
            }),
            Err(e) => Err(e),
        };
        if let (Some(path), Some(st)) = (&local, &staging) {
            let moved = match &result {
                Ok(()) => move_local_ref(path, st, &spec.target.remote_ref()),
                Err(_) => Ok(None),
            };
            drop_staging_ref(path, st);
            match moved {
                // The remote-tracking ref follows, as libgit2 moves it after a push it made.
                Ok(None) => {
                    if let Ok(oid) = repo.refname_to_id(&spec.local_ref) {
                        let _ = repo.reference(
                            &spec.target.tracking_ref(),
                            oid,
                            true,
                            "update by push",
                        );
                    }
                }
                Ok(Some(status)) => statuses
                    .borrow_mut()
                    .push((spec.target.remote_ref(), status.to_string())),
                Err(e) => result = Err(e),
            }
        }
        tracing::debug!(
            remote = %spec.target.remote,
            url = %remote_url(repo, &spec.target.remote).map(|u| crate::github::redact_url(&u)).unwrap_or_default(),
            refspec = %refspec,
            ok = result.is_ok(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "git push"
        );
        result
    };
    let cred = std::mem::take(
        &mut *cred
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    (result, sideband.into_inner(), statuses.into_inner(), cred)
}

/// The repository a remote URL names on this machine (`file://…`, percent-decoded as URLs are,
/// or an absolute path), else `None` (a network remote).
fn local_remote(url: &str) -> Option<std::path::PathBuf> {
    if url.starts_with("file://") {
        return reqwest::Url::parse(url).ok()?.to_file_path().ok();
    }
    url.starts_with('/').then(|| url.into())
}

/// A ref name on the remote no other push uses: the process, the time, and a count of the
/// names this process made (two threads can read the same nanosecond from the clock).
fn staging_ref() -> String {
    static MADE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("refs/berry/incoming/{}-{nanos}-{n}", std::process::id())
}

/// Moves `dst` in the local repository at `path` to the commit the push left at `staging`, only
/// when that is a fast-forward of `dst` as it is now, by compare-and-swap on that value.
///
/// libgit2's local transport writes the remote ref without comparing it with the value it
/// advertised when the push began, so two pushes at once to one local repository could both
/// succeed and one commit be lost; `git receive-pack` (every network remote) compares under its
/// ref lock, and this does the same. `Some(status)`: refused, as a server says it.
fn move_local_ref(
    path: &std::path::Path,
    staging: &str,
    dst: &str,
) -> std::result::Result<Option<&'static str>, git2::Error> {
    let remote = Repository::open(path)?;
    let new = remote.refname_to_id(staging)?;
    // Another push holding the ref's lock file is moving it: ask again once it is done.
    let mut tries = 0;
    loop {
        match compare_and_swap(&remote, new, dst) {
            Err(e) if e.code() == ErrorCode::Locked && tries < 100 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

fn compare_and_swap(
    remote: &Repository,
    new: Oid,
    dst: &str,
) -> std::result::Result<Option<&'static str>, git2::Error> {
    match remote.refname_to_id(dst) {
        Ok(old) if old == new => Ok(None),
        Ok(old) => {
            if !remote.graph_descendant_of(new, old)? {
                return Ok(Some("non-fast-forward"));
            }
            match remote.reference_matching(dst, new, true, old, "berry: push") {
                Ok(_) => Ok(None),
                // Moved by another push since it was read.
                Err(e) if e.code() == ErrorCode::Modified => Ok(Some("fetch first")),
                Err(e) => Err(e),
            }
        }
        Err(e) if e.code() == ErrorCode::NotFound => {
            match remote.reference(dst, new, false, "berry: push") {
                Ok(_) => Ok(None),
                Err(e) if e.code() == ErrorCode::Exists => Ok(Some("fetch first")),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

fn drop_staging_ref(path: &std::path::Path, staging: &str) {
    if let Ok(remote) = Repository::open(path)
        && let Ok(mut r) = remote.find_reference(staging)
    {
        let _ = r.delete();
    }
}

/// A transfer that did not finish within its deadline.
#[derive(Debug)]
pub struct Stalled;

/// What [`bounded`]'s worker sends back.
enum Report<T> {
    Progress(usize, usize, usize),
    Done(T),
    Unopened(git2::Error),
}

/// Runs one transfer `work` on a worker thread with a handle on the repository of its own, and
/// waits at most `limit` for it, passing the worker's progress to `progress` on this thread.
/// Past the limit the worker is left behind (blocked on a peer that stopped answering; libgit2's
/// socket timeouts, set a little past the limit, end it soon after, and it ends with the process
/// at the latest) and the answer is [`Stalled`].
fn bounded<T: Send + 'static>(
    repo: &Repository,
    limit: Duration,
    progress: Option<Progress<'_>>,
    work: impl FnOnce(&Repository, Progress<'_>) -> T + Send + 'static,
) -> std::result::Result<T, Stalled> {
    // Before the worker exists: the https transport is registered once, on this thread.
    https::register();
    crate::ssh::register();
    let socket = i32::try_from((limit + Duration::from_secs(2)).as_millis()).unwrap_or(i32::MAX);
    // SAFETY: libgit2's global options; set before the worker starts its transfer.
    unsafe {
        let _ = git2::opts::set_server_connect_timeout_in_milliseconds(socket);
        let _ = git2::opts::set_server_timeout_in_milliseconds(socket);
    }
    let git_dir = repo.path().to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel::<Report<T>>();
    std::thread::spawn(move || {
        let repo = match Repository::open(&git_dir) {
            Ok(r) => r,
            Err(e) => {
                let _ = tx.send(Report::Unopened(e));
                return;
            }
        };
        let progress_tx = tx.clone();
        let report = move |a: usize, b: usize, c: usize| {
            let _ = progress_tx.send(Report::Progress(a, b, c));
        };
        let out = work(&repo, &report);
        let _ = tx.send(Report::Done(out));
    });
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(Report::Progress(a, b, c)) => {
                if let Some(p) = progress {
                    p(a, b, c);
                }
            }
            Ok(Report::Done(out)) => return Ok(out),
            Ok(Report::Unopened(e)) => {
                // The repository berry has open cannot be opened again: nothing was sent.
                tracing::debug!(error = %e, "cannot open the repository for a transfer");
                return Err(Stalled);
            }
            Err(_) => return Err(Stalled),
        }
    }
}

/// The error for a transfer with `remote` that did not finish within `limit`.
fn stalled(remote: &str, what: &str, limit: Duration) -> anyhow::Error {
    crate::error::BerryError::failure(format!(
        "{what} `{remote}` did not finish within {}s (git.timeout_secs): the remote stopped answering",
        limit.as_secs()
    ))
    .with_hint("check the remote and the network; for a slow link raise git.timeout_secs in berry.toml")
    .into()
}

/// The sideband text as lines, trailing padding trimmed, empty lines kept out.
pub fn sideband_lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .split(['\n', '\r'])
        .map(|l| {
            l.strip_prefix("remote: ")
                .unwrap_or(l)
                .trim_end()
                .to_string()
        })
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// A push to a local (`file://`) repository that failed reading it is tried again like a
/// network failure: libgit2 lists its refs and then reads each, so a ref another process deletes
/// in between fails the push ("reference '…' not found"), and such a failure can come back as an
/// authentication error, although a local repository asks for no credentials. `text` is
/// libgit2's message or the ref's status.
fn on_local(kind: Rejection, local: bool, text: &str) -> Rejection {
    let vanished = text.contains("reference '") && text.contains("' not found");
    match kind {
        Rejection::Auth { .. } if local => Rejection::Network,
        Rejection::Other if local && vanished => Rejection::Network,
        k => k,
    }
}

fn classify(
    err: Option<&git2::Error>,
    status: Option<&str>,
    lines: &[String],
    cred: &CredState,
) -> Rejection {
    let text = lines.join("\n");
    if text.contains("GH006") {
        return Rejection::Protected {
            code: "GH006".into(),
        };
    }
    if text.contains("GH013") {
        return Rejection::Protected {
            code: "GH013".into(),
        };
    }
    let big = large_files(lines);
    if text.contains("GH001") && !big.is_empty() {
        return Rejection::LargeFiles { files: big };
    }
    let st = status.unwrap_or("").to_ascii_lowercase();
    if st.contains("non-fast-forward") || st.contains("fetch first") {
        return Rejection::NonFastForward;
    }
    let Some(e) = err else {
        return Rejection::Other;
    };
    if e.code() == ErrorCode::NotFastForward {
        return Rejection::NonFastForward;
    }
    let msg = e.message().to_ascii_lowercase();
    // berry's SSH transport ends with what ssh said (see `ssh`): its keys were refused.
    if msg.contains("ssh ended") && msg.contains("permission denied") {
        return Rejection::Auth {
            tried: vec![format!("{SSH_SOURCES}, which {}", e.message())],
        };
    }
    if cred.exhausted
        || e.code() == ErrorCode::Auth
        || msg.contains("authentication")
        || msg.contains("credentials")
        || msg.contains("401")
    {
        return Rejection::Auth {
            tried: cred.tried.clone(),
        };
    }
    if msg.contains("timed out") {
        return Rejection::Timeout { secs: 0 };
    }
    if matches!(
        e.class(),
        ErrorClass::Net | ErrorClass::Os | ErrorClass::Ssh | ErrorClass::Http
    ) || msg.contains("could not find repository")
        || msg.contains("failed to resolve path")
        || msg.contains("failed to connect")
        || msg.contains("failed to send request")
    {
        return Rejection::Network;
    }
    Rejection::Other
}

/// What an SSH remote was offered: whatever the operator's ssh offers.
const SSH_SOURCES: &str = "ssh (its agent, keys and ~/.ssh/config)";

/// `File X is N MB; this exceeds GitHub's file size limit` lines, as `X (N MB)`.
pub fn large_files(lines: &[String]) -> Vec<String> {
    let re =
        regex::Regex::new(r"File (.+?) is ([\d.]+ [KMG]B); this exceeds").expect("static regex");
    let mut out: Vec<String> = Vec::new();
    for l in lines {
        if let Some(c) = re.captures(l) {
            let s = format!("{} ({})", &c[1], &c[2]);
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// Every transfer (push, fetch, reading a remote ref) starts from these callbacks (libgit2's
/// own transports: plain http and file; https is [`https`]'s and ssh is [`crate::ssh`]'s, and
/// they see none of them).
fn transfer_callbacks<'a>() -> RemoteCallbacks<'a> {
    RemoteCallbacks::new()
}

fn callbacks<'a>(
    repo: &'a Repository,
    sources: &'a CredentialSources,
    state: &'a Mutex<CredState>,
) -> RemoteCallbacks<'a> {
    let mut cb = transfer_callbacks();
    cb.credentials(move |url, user, allowed| credentials(repo, sources, state, url, user, allowed));
    cb
}

/// The remote's value of `refname` (`None` when it does not exist), read by connecting.
pub fn remote_ref(
    repo: &Repository,
    remote: &str,
    refname: &str,
    sources: &CredentialSources,
) -> Result<Option<Oid>> {
    read_again(repo, remote, || {
        remote_ref_once(repo, remote, refname, sources)
    })
}

/// Pauses before reading a local remote again.
const LOCAL_READ_PAUSES: [Duration; 2] = [Duration::from_millis(150), Duration::from_millis(500)];

/// `read`, and for a local (`file://`) remote up to twice more after a short pause when it
/// fails: libgit2 lists a local repository's refs and then reads each, so a ref that another
/// push deletes in between (its staging ref, see [`staging_ref`]) fails the whole read. A
/// network remote answers from one advertisement and is read once.
fn read_again<T>(
    repo: &Repository,
    remote: &str,
    mut read: impl FnMut() -> Result<T>,
) -> Result<T> {
    let local = repo
        .find_remote(remote)
        .ok()
        .and_then(|r| r.url().ok().map(str::to_string))
        .and_then(|u| local_remote(&u))
        .is_some();
    let mut pauses = LOCAL_READ_PAUSES.iter();
    loop {
        match read() {
            Err(e) if local && e.downcast_ref::<crate::error::BerryError>().is_none() => {
                match pauses.next() {
                    Some(p) => std::thread::sleep(*p),
                    None => return Err(e),
                }
            }
            other => return other,
        }
    }
}

fn remote_ref_once(
    repo: &Repository,
    remote: &str,
    refname: &str,
    sources: &CredentialSources,
) -> Result<Option<Oid>> {
    repo.find_remote(remote)?;
    let limit = sources.timeout;
    let (name, wanted, sources) = (remote.to_string(), refname.to_string(), sources.clone());
    let read = bounded(repo, limit, None, move |repo, _| {
        let state = Arc::new(Mutex::new(CredState::default()));
        let mut r = repo.find_remote(&name)?;
        let transfer = https::Transfer {
            git_dir: repo.path().to_path_buf(),
            sources: sources.clone(),
            cred: state.clone(),
        };
        https::during(transfer, || {
            let conn = r.connect_auth(
                Direction::Fetch,
                Some(callbacks(repo, &sources, &state)),
                None,
            )?;
            let heads = conn.list()?;
            Ok::<_, git2::Error>(heads.iter().find(|h| h.name() == wanted).map(|h| h.oid()))
        })
    });
    match read {
        Ok(r) => r.with_context(|| format!("cannot connect to the remote `{remote}`")),
        Err(Stalled) => Err(stalled(remote, "reading a ref from", limit)),
    }
}

/// Fetches the remote branch into its remote-tracking ref; returns its tip.
pub fn fetch_branch(repo: &Repository, t: &Target, sources: &CredentialSources) -> Result<Oid> {
    read_again(repo, &t.remote, || fetch_branch_once(repo, t, sources))
}

fn fetch_branch_once(repo: &Repository, t: &Target, sources: &CredentialSources) -> Result<Oid> {
    repo.find_remote(&t.remote)?;
    let spec = format!("+{}:{}", t.remote_ref(), t.tracking_ref());
    let started = std::time::Instant::now();
    let limit = sources.timeout;
    let (name, refspec, sources) = (t.remote.clone(), spec.clone(), sources.clone());
    let fetched = bounded(repo, limit, None, move |repo, _| {
        let state = Arc::new(Mutex::new(CredState::default()));
        let mut r = repo.find_remote(&name)?;
        let mut fo = FetchOptions::new();
        fo.remote_callbacks(callbacks(repo, &sources, &state));
        fo.download_tags(AutotagOption::None);
        let transfer = https::Transfer {
            git_dir: repo.path().to_path_buf(),
            sources: sources.clone(),
            cred: state.clone(),
        };
        https::during(transfer, || {
            r.fetch(
                &[refspec.as_str()],
                Some(&mut fo),
                Some("berry: fetch before rebase"),
            )
        })
    });
    let fetched = match fetched {
        Ok(f) => f,
        Err(Stalled) => return Err(stalled(&t.remote, "fetching from", limit)),
    };
    tracing::debug!(
        remote = %t.remote,
        refspec = %spec,
        ok = fetched.is_ok(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "git fetch"
    );
    fetched.with_context(|| format!("cannot fetch {} from `{}`", t.remote_branch, t.remote))?;
    repo.refname_to_id(&t.tracking_ref())
        .with_context(|| format!("{} was not fetched", t.tracking_ref()))
}

/// A rebase that stopped: nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub files: Vec<String>,
}

/// Replays `branch`'s commits missing from `upstream` onto it, in memory first: a conflict
/// changes nothing (branch, HEAD, index and working tree stay as they were). On success the
/// branch moves to the new tip and, when it is checked out, index and working tree follow
/// (a safe checkout: local changes to other files stay). Returns the new tip.
pub fn rebase_onto(
    repo: &Repository,
    branch: &str,
    upstream: Oid,
) -> Result<std::result::Result<Oid, Conflict>> {
    let refname = format!("refs/heads/{branch}");
    let tip = repo.refname_to_id(&refname)?;
    let local = repo.find_annotated_commit(tip)?;
    let up = repo.find_annotated_commit(upstream)?;
    let mut opts = RebaseOptions::new();
    opts.inmemory(true);
    let mut rebase = repo
        .rebase(Some(&local), Some(&up), None, Some(&mut opts))
        .context("cannot start the rebase")?;
    let mut new_tip = upstream;
    while let Some(op) = rebase.next() {
        let op = op.context("the rebase failed")?;
        let index = rebase.inmemory_index()?;
        if index.has_conflicts() {
            let files = crate::git::conflicted_paths(&index)?;
            rebase.abort()?;
            return Ok(Err(Conflict { files }));
        }
        let original = repo.find_commit(op.id())?;
        let committer = repo.signature().or_else(|_| {
            let c = original.committer();
            let now = crate::clock::now().unwrap_or_else(|_| jiff::Timestamp::now());
            git2::Signature::new(
                c.name().unwrap_or("berry"),
                c.email().unwrap_or("berry@localhost"),
                &git2::Time::new(now.as_second(), 0),
            )
        })?;
        new_tip = match rebase.commit(None, &committer, None) {
            Ok(id) => id,
            // The commit's changes are already upstream: nothing to replay.
            Err(e) if e.code() == ErrorCode::Applied => new_tip,
            Err(e) => return Err(e).context("cannot write the rebased commit"),
        };
    }
    rebase.finish(None)?;

    let head_is_branch = repo
        .head()
        .ok()
        .and_then(|h| h.name().ok().map(str::to_string))
        .is_some_and(|n| n == refname);
    if head_is_branch {
        let tree = repo.find_commit(new_tip)?.tree()?;
        let mut co = git2::build::CheckoutBuilder::new();
        co.safe();
        repo.checkout_tree(tree.as_object(), Some(&mut co))
            .context(
                "cannot update the working tree to the rebased commit (local changes in the way?)",
            )?;
    }
    repo.reference(
        &refname,
        new_tip,
        true,
        &format!("berry: rebase onto {upstream}"),
    )?;
    Ok(Ok(new_tip))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .filter(|l| l.starts_with("remote: "))
            .map(|l| l.strip_prefix("remote: ").unwrap().trim_end().to_string())
            .collect()
    }

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/github/git-push")
                .join(name),
        )
        .unwrap()
    }

    #[test]
    fn fixture_texts_are_told_apart() {
        let none = CredState::default();
        let gh006 = lines(&fixture("protected-branch-GH006.txt"));
        assert_eq!(
            classify(None, Some("protected branch hook declined"), &gh006, &none),
            Rejection::Protected {
                code: "GH006".into()
            }
        );
        let gh013 = lines(&fixture("ruleset-GH013.txt"));
        assert_eq!(
            classify(
                None,
                Some("push declined due to repository rule violations"),
                &gh013,
                &none
            ),
            Rejection::Protected {
                code: "GH013".into()
            }
        );
        let gh001 = lines(&fixture("large-files-GH001.txt"));
        match classify(None, Some("pre-receive hook declined"), &gh001, &none) {
            Rejection::LargeFiles { files } => {
                assert_eq!(
                    files,
                    vec!["Software/xxx.db (161.50 MB)", "Software/xxx.db (133.16 MB)"]
                )
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            classify(None, Some("non-fast-forward"), &[], &none),
            Rejection::NonFastForward
        );
        assert_eq!(
            classify(None, Some("fetch first"), &[], &none),
            Rejection::NonFastForward
        );
        // The 50 MB warning alone is no rejection reason berry names.
        let warn: Vec<String> = lines(&fixture("large-files-GH001.txt"))
            .into_iter()
            .filter(|l| l.starts_with("warning:"))
            .collect();
        assert!(large_files(&warn).is_empty());
    }

    #[test]
    fn sideband_chunks_become_trimmed_lines() {
        let raw = b"error: GH006: Protected branch update failed for refs/heads/main.        \n\nerror: Changes must be made\r";
        assert_eq!(
            sideband_lines(raw),
            vec![
                "error: GH006: Protected branch update failed for refs/heads/main.",
                "error: Changes must be made"
            ]
        );
    }

    /// The order both libgit2's callback and the https transport follow: the token, then git's
    /// credential helper, then nothing; each recorded once.
    #[test]
    fn http_credentials_come_from_the_token_then_the_helper_then_none() {
        let d = tempfile::tempdir().unwrap();
        let repo = Repository::init(d.path()).unwrap();
        repo.config()
            .unwrap()
            .set_str(
                "credential.helper",
                "!f() { echo username=helper-user; echo password=helper-pass; }; f",
            )
            .unwrap();
        let config = repo.config().unwrap();
        let sources = CredentialSources {
            token: Some(Token::new("tok".into(), "GITHUB_TOKEN")),
            timeout: Duration::from_secs(30),
            ca_file: None,
        };
        let url = "https://example.test/o/r.git";
        let mut st = CredState::default();
        let mut next = || http_userpass(Some(&config), &sources, &mut st, url, None);
        assert_eq!(next(), Some(("x-access-token".into(), "tok".into())));
        assert_eq!(next(), Some(("helper-user".into(), "helper-pass".into())));
        assert_eq!(next(), None);
        assert_eq!(next(), None);
        assert_eq!(
            st.tried,
            [
                "the token in GITHUB_TOKEN (as x-access-token)",
                "git's credential helper"
            ]
        );
        // An ssh remote is never sent the token.
        let mut st = CredState::default();
        let ssh = "ssh://git@example.test/o/r.git";
        let first = http_userpass(Some(&config), &sources, &mut st, ssh, None);
        assert_eq!(first.map(|(u, _)| u), Some("helper-user".into()));
    }

    #[test]
    fn credential_sources_are_offered_once_each() {
        let d = tempfile::tempdir().unwrap();
        let repo = Repository::init(d.path()).unwrap();
        let sources = CredentialSources {
            token: Some(Token::new("tok".into(), "GH_TOKEN")),
            timeout: std::time::Duration::from_secs(30),
            ca_file: None,
        };
        let st = Mutex::new(CredState::default());
        let url = "https://example.test/o/r.git";
        let t = CredentialType::USER_PASS_PLAINTEXT;
        assert!(credentials(&repo, &sources, &st, url, None, t).is_ok());
        // The helper is not configured: the next call gives up instead of looping.
        assert!(credentials(&repo, &sources, &st, url, None, t).is_err());
        assert!(credentials(&repo, &sources, &st, url, None, t).is_err());
        let st = st.into_inner().unwrap();
        assert!(st.exhausted);
        assert_eq!(st.tried[0], "the token in GH_TOKEN (as x-access-token)");
        assert!(st.tried[1].contains("credential helper"));
    }

    /// A commit on `parent` in `repo` adding `name` with `text`, on `refs/heads/<branch>`.
    fn commit_on(repo: &Repository, parent: Oid, branch: &str, name: &str, text: &str) -> Oid {
        let parent = repo.find_commit(parent).unwrap();
        let mut b = repo.treebuilder(Some(&parent.tree().unwrap())).unwrap();
        b.insert(name, repo.blob(text.as_bytes()).unwrap(), 0o100644)
            .unwrap();
        let tree = repo.find_tree(b.write().unwrap()).unwrap();
        let sig = git2::Signature::now("T", "t@example.com").unwrap();
        let id = repo
            .commit(None, &sig, &sig, name, &tree, &[&parent])
            .unwrap();
        repo.reference(&format!("refs/heads/{branch}"), id, true, "test")
            .unwrap();
        id
    }

    #[test]
    fn an_authentication_failure_of_a_local_remote_is_tried_again_as_a_network_one() {
        let auth = || Rejection::Auth { tried: Vec::new() };
        assert_eq!(on_local(auth(), true, ""), Rejection::Network);
        assert_eq!(on_local(auth(), false, ""), auth());
        assert_eq!(
            on_local(Rejection::NonFastForward, true, ""),
            Rejection::NonFastForward
        );
        let vanished = "reference 'refs/berry/work/REQ-BENCH-021' not found";
        assert_eq!(
            on_local(Rejection::Other, true, vanished),
            Rejection::Network
        );
        assert_eq!(
            on_local(Rejection::Other, false, vanished),
            Rejection::Other
        );
        assert_eq!(
            on_local(Rejection::Other, true, "pre-receive hook declined"),
            Rejection::Other
        );
    }

    /// A local remote's read is tried again (a ref deleted while libgit2 lists them fails the
    /// read); a network remote's is not, and neither is berry's own verdict (a stalled transfer).
    #[test]
    fn a_local_remote_is_read_again_after_a_failure_a_network_one_once() {
        let d = tempfile::tempdir().unwrap();
        let repo = Repository::init(d.path().join("src")).unwrap();
        repo.remote("local", "file:///srv/git/origin.git").unwrap();
        repo.remote("net", "https://github.com/acme/app.git")
            .unwrap();
        let calls = std::cell::Cell::new(0);
        let flaky = || {
            calls.set(calls.get() + 1);
            if calls.get() < 3 {
                anyhow::bail!("cannot connect to the remote")
            }
            Ok(7)
        };
        assert_eq!(read_again(&repo, "local", flaky).unwrap(), 7);
        assert_eq!(calls.get(), 3, "twice again");

        calls.set(0);
        let always = || -> Result<u8> {
            calls.set(calls.get() + 1);
            anyhow::bail!("gone")
        };
        assert!(read_again(&repo, "local", always).is_err());
        assert_eq!(calls.get(), 3, "three tries in all");

        calls.set(0);
        assert!(read_again(&repo, "net", always).is_err());
        assert_eq!(calls.get(), 1, "a network remote is read once");

        calls.set(0);
        let stalled = || -> Result<u8> {
            calls.set(calls.get() + 1);
            Err(stalled(
                "local",
                "reading a ref from",
                Duration::from_secs(1),
            ))
        };
        assert!(read_again(&repo, "local", stalled).is_err());
        assert_eq!(calls.get(), 1, "a stalled transfer is not tried again");
    }

    /// A `file://` URL is percent-encoded: a folder with a space is `%20` in it, and the branch
    /// is moved in that folder's repository, not refused for a path that does not exist.
    #[test]
    fn a_file_url_is_read_percent_decoded() {
        let d = tempfile::tempdir().unwrap();
        let origin = d.path().join("with space").join("origin.git");
        Repository::init_bare(&origin).unwrap();
        let repo = Repository::init(d.path().join("src")).unwrap();
        let url = reqwest::Url::from_file_path(&origin).unwrap().to_string();
        assert!(url.contains("%20"), "{url}");
        repo.remote("origin", &url).unwrap();
        let sig = git2::Signature::now("T", "t@example.com").unwrap();
        let empty = repo
            .find_tree(repo.treebuilder(None).unwrap().write().unwrap())
            .unwrap();
        let tip = repo
            .commit(Some("refs/heads/main"), &sig, &sig, "base", &empty, &[])
            .unwrap();
        let sources = CredentialSources {
            token: None,
            timeout: Duration::from_secs(60),
            ca_file: None,
        };
        let t = Target {
            remote: "origin".into(),
            url,
            local_branch: "main".into(),
            remote_branch: "main".into(),
        };
        let spec = PushSpec {
            target: &t,
            local_ref: "refs/heads/main".into(),
            force: false,
            sources: &sources,
        };
        push(&repo, &spec, &|_, _, _| {}).unwrap();
        let on_origin = Repository::open_bare(&origin)
            .unwrap()
            .refname_to_id("refs/heads/main")
            .unwrap();
        assert_eq!(on_origin, tip);
    }

    #[test]
    fn staging_refs_made_at_once_by_two_threads_differ() {
        let names: Vec<String> = std::thread::scope(|s| {
            let a = s.spawn(|| (0..2000).map(|_| staging_ref()).collect::<Vec<_>>());
            let b = s.spawn(|| (0..2000).map(|_| staging_ref()).collect::<Vec<_>>());
            let mut all = a.join().unwrap();
            all.extend(b.join().unwrap());
            all
        });
        let unique: std::collections::HashSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
    }

    #[test]
    fn two_pushes_at_once_to_a_local_remote_never_both_succeed() {
        let d = tempfile::tempdir().unwrap();
        let origin = d.path().join("origin.git");
        Repository::init_bare(&origin).unwrap();
        let src = d.path().join("src");
        let repo = Repository::init(&src).unwrap();
        let url = format!("file://{}", origin.display());
        repo.remote("origin", &url).unwrap();
        let sig = git2::Signature::now("T", "t@example.com").unwrap();
        let empty = repo
            .find_tree(repo.treebuilder(None).unwrap().write().unwrap())
            .unwrap();
        let mut tip = repo
            .commit(Some("refs/heads/base"), &sig, &sig, "base", &empty, &[])
            .unwrap();
        let sources = CredentialSources {
            token: None,
            timeout: Duration::from_secs(60),
            ca_file: None,
        };
        let target = |branch: &str| Target {
            remote: "origin".into(),
            url: url.clone(),
            local_branch: branch.into(),
            remote_branch: "main".into(),
        };
        let push_one = |repo: &Repository, branch: &str| {
            let t = target(branch);
            let spec = PushSpec {
                target: &t,
                local_ref: format!("refs/heads/{branch}"),
                force: false,
                sources: &sources,
            };
            push(repo, &spec, &|_, _, _| {})
        };
        push_one(&repo, "base").unwrap();
        // Two pushers built on the same tip, started together, again and again: the remote
        // moves once per round, to the winner's commit; the other is told it is behind.
        for round in 0..20 {
            let a = commit_on(&repo, tip, "a", &format!("a{round}"), "a");
            let b = commit_on(&repo, tip, "b", &format!("b{round}"), "b");
            let gate = std::sync::Barrier::new(2);
            let (ra, rb) = std::thread::scope(|s| {
                let ta = s.spawn(|| {
                    let r = Repository::open(&src).unwrap();
                    gate.wait();
                    push_one(&r, "a")
                });
                let tb = s.spawn(|| {
                    let r = Repository::open(&src).unwrap();
                    gate.wait();
                    push_one(&r, "b")
                });
                (ta.join().unwrap(), tb.join().unwrap())
            });
            let now = Repository::open_bare(&origin)
                .unwrap()
                .refname_to_id("refs/heads/main")
                .unwrap();
            match (&ra, &rb) {
                (Ok(()), Err(e)) => {
                    assert_eq!(now, a, "round {round}");
                    assert_eq!(e.kind, Rejection::NonFastForward, "round {round}: {e}");
                }
                (Err(e), Ok(())) => {
                    assert_eq!(now, b, "round {round}");
                    assert_eq!(e.kind, Rejection::NonFastForward, "round {round}: {e}");
                }
                (Ok(()), Ok(())) => panic!(
                    "round {round}: both pushes said they succeeded; the remote holds {} and the other commit is lost",
                    if now == a { "a" } else { "b" }
                ),
                (Err(x), Err(y)) => panic!("round {round}: both refused: {x}; {y}"),
            }
            tip = now;
        }
        let names: Vec<String> = Repository::open_bare(&origin)
            .unwrap()
            .references()
            .unwrap()
            .filter_map(|r| r.ok()?.name().ok().map(String::from))
            .collect();
        assert_eq!(
            names,
            ["refs/heads/main"],
            "nothing else left on the remote"
        );
    }
}
