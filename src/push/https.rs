//! berry's own smart-HTTP transport for `https://` remotes, over reqwest and rustls.
//!
//! libgit2 is built without TLS: its start-up would otherwise create an OpenSSL context in every
//! berry process, network or not. `https://` transfers go through this transport instead; plain
//! `http://`, `file://` and ssh stay libgit2's own.
//!
//! The four requests of the smart protocol: `GET info/refs?service=git-upload-pack` (or
//! `git-receive-pack`), answered with the ref advertisement, then `POST git-upload-pack` /
//! `POST git-receive-pack` with the request body libgit2 writes, answered with the result libgit2
//! reads. A body larger than [`POST_BUFFER`] (a push's pack) is streamed to the server in chunks
//! while libgit2 writes it, never held whole.
//!
//! Trust: the CA bundle the transfer names (the operator's `SSL_CERT_FILE`, resolved by the
//! command layer) else the system bundle, read when the first request of a transfer is made.
//! Credentials: on a 401 the next source of [`super::http_userpass`] (the one place that decides
//! their order, shared with libgit2's credential callback), each once; when none is left the
//! transfer fails with an authentication error and the sources tried are in its [`CredState`].

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use git2::transport::{Service, SmartSubtransport, SmartSubtransportStream, Transport};
use git2::{Error, ErrorClass, ErrorCode};
use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use reqwest::header::{ACCEPT, CONTENT_TYPE};

use super::{CredState, CredentialSources};

/// A request body up to this size is sent whole (with its length); a larger one is streamed
/// (chunked), as git does past `http.postBuffer`'s default.
pub const POST_BUFFER: usize = 1 << 20;

/// What one transfer hands the transport: the repository (for git's credential helpers), the
/// credential sources and deadline, and the record of the sources tried, shared with the caller.
#[derive(Clone)]
pub(super) struct Transfer {
    pub git_dir: PathBuf,
    pub sources: CredentialSources,
    pub cred: Arc<Mutex<CredState>>,
}

thread_local! {
    /// The transfer running on this thread: libgit2 asks the transport factory for a transport
    /// on the thread that calls push, fetch or connect.
    static CURRENT: RefCell<Option<Transfer>> = const { RefCell::new(None) };
}

/// Runs `f` (a push, fetch or connect on this thread) with `t` as the https transport's context.
pub(super) fn during<T>(t: Transfer, f: impl FnOnce() -> T) -> T {
    struct Clear;
    impl Drop for Clear {
        fn drop(&mut self) {
            CURRENT.with(|c| c.borrow_mut().take());
        }
    }
    CURRENT.with(|c| *c.borrow_mut() = Some(t));
    let _clear = Clear;
    f()
}

/// Registers the transport for `https` with libgit2, once per process.
///
/// Invariant: libgit2's list of custom transports is not locked, so registering must not run
/// while another thread creates a transport. berry calls this on the command's thread before it
/// starts a transfer's worker, and a command runs its transfers one after the other, so the
/// first call happens before any transport exists in the process (the unit tests, which push in
/// parallel, register through [`super::bounded`] too; the list is only ever appended to once).
pub(super) fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: see the invariant above: no transport is being created at this moment.
        let done = unsafe {
            git2::transport::register("https", |remote| {
                let transfer = CURRENT.with(|c| c.borrow().clone()).ok_or_else(|| {
                    Error::from_str("berry: an https transfer started outside berry's transfers")
                })?;
                Transport::smart(remote, true, Https::new(transfer))
            })
        };
        if let Err(e) = done {
            tracing::debug!(error = %e, "cannot register the https transport");
        }
    });
}

/// One of the four requests, as it goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub post: bool,
    pub url: String,
    /// The request body's type (POST only).
    pub content_type: Option<&'static str>,
    pub accept: &'static str,
    /// The answer's type a smart server gives.
    pub expect: &'static str,
}

/// The request for `service` of the repository at `base` (credentials already out of it).
pub fn endpoint(base: &str, service: Service) -> Endpoint {
    let base = base.trim_end_matches('/');
    let (name, ls) = match service {
        Service::UploadPackLs => ("git-upload-pack", true),
        Service::UploadPack => ("git-upload-pack", false),
        Service::ReceivePackLs => ("git-receive-pack", true),
        Service::ReceivePack => ("git-receive-pack", false),
    };
    let (request, result, advertisement) = match name {
        "git-upload-pack" => (
            "application/x-git-upload-pack-request",
            "application/x-git-upload-pack-result",
            "application/x-git-upload-pack-advertisement",
        ),
        _ => (
            "application/x-git-receive-pack-request",
            "application/x-git-receive-pack-result",
            "application/x-git-receive-pack-advertisement",
        ),
    };
    if ls {
        Endpoint {
            post: false,
            url: format!("{base}/info/refs?service={name}"),
            content_type: None,
            accept: "*/*",
            expect: advertisement,
        }
    } else {
        Endpoint {
            post: true,
            url: format!("{base}/{name}"),
            content_type: Some(request),
            accept: result,
            expect: result,
        }
    }
}

/// `url` without its user name and password, and those apart.
pub fn split_userinfo(url: &str) -> (String, Option<String>, Option<String>) {
    let Ok(mut u) = reqwest::Url::parse(url) else {
        return (url.to_string(), None, None);
    };
    let user = Some(u.username())
        .filter(|s| !s.is_empty())
        .map(percent_decode);
    let pass = u.password().map(percent_decode);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    (u.to_string(), user, pass)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        if b[i] == b'%'
            && let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where the system's CA bundle is, as OpenSSL's probe looks for it (known folders and names).
pub fn system_bundle() -> Option<PathBuf> {
    const NAMES: [&str; 10] = [
        "cert.pem",
        "certs.pem",
        "ca-bundle.pem",
        "cacert.pem",
        "ca-certificates.crt",
        "certs/ca-certificates.crt",
        "certs/ca-root-nss.crt",
        "certs/ca-bundle.crt",
        "CARootCertificates.pem",
        "tls-ca-bundle.pem",
    ];
    openssl_probe::candidate_cert_dirs()
        .flat_map(|d| NAMES.iter().map(move |n| d.join(n)))
        .find(|p| p.is_file())
}

/// The certificates TLS trusts: every one of `ca_file`, else of the system bundle.
fn roots(ca_file: Option<&Path>) -> Result<Vec<reqwest::Certificate>, Error> {
    let file = match ca_file {
        Some(f) => f.to_path_buf(),
        None => system_bundle().ok_or_else(|| {
            Error::new(
                ErrorCode::Certificate,
                ErrorClass::Ssl,
                "no CA bundle found on this system to check the server's certificate with (set SSL_CERT_FILE)",
            )
        })?,
    };
    let pem = std::fs::read(&file).map_err(|e| {
        Error::new(
            ErrorCode::Certificate,
            ErrorClass::Ssl,
            format!("cannot read the CA bundle {}: {e}", file.display()),
        )
    })?;
    reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
        Error::new(
            ErrorCode::Certificate,
            ErrorClass::Ssl,
            format!("the CA bundle {} is not PEM: {e}", file.display()),
        )
    })
}

fn client(sources: &CredentialSources) -> Result<Client, Error> {
    let limit = sources.timeout + Duration::from_secs(2);
    let mut b = Client::builder()
        .tls_built_in_root_certs(false)
        .no_proxy()
        .connect_timeout(limit)
        .timeout(limit)
        .user_agent(concat!("git/2.0 (berry ", env!("CARGO_PKG_VERSION"), ")"));
    for c in roots(sources.ca_file.as_deref())? {
        b = b.add_root_certificate(c);
    }
    b.build()
        .map_err(|e| Error::new(ErrorCode::GenericError, ErrorClass::Net, chain(&e)))
}

/// An error and its causes, one after the other (reqwest names the certificate problem deep
/// down), without any URL reqwest put in (berry names the redacted one).
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    parts.join(": ")
}

fn send_error(url: &str, e: reqwest::Error) -> Error {
    let timeout = e.is_timeout();
    let why = chain(&e.without_url());
    let url = crate::github::redact_url(url);
    if why.to_ascii_lowercase().contains("certificate") {
        return Error::new(
            ErrorCode::Certificate,
            ErrorClass::Ssl,
            format!("the server's certificate is not trusted ({why}): {url}"),
        );
    }
    if timeout {
        return Error::new(
            ErrorCode::GenericError,
            ErrorClass::Net,
            format!("{url}: timed out ({why})"),
        );
    }
    Error::new(
        ErrorCode::GenericError,
        ErrorClass::Net,
        format!("failed to connect to {url}: {why}"),
    )
}

/// The subtransport of one transfer: the client, and the credential the server accepted (the
/// POSTs after the advertisement send it too; a streamed body cannot be sent twice).
struct Https {
    transfer: Transfer,
    client: RefCell<Option<Client>>,
    accepted: Arc<Mutex<Option<(String, String)>>>,
    /// The repository's URL after the advertisement's redirects, for the POSTs.
    base: RefCell<Option<(String, String)>>,
}

impl Https {
    fn new(transfer: Transfer) -> Https {
        Https {
            transfer,
            client: RefCell::new(None),
            accepted: Arc::new(Mutex::new(None)),
            base: RefCell::new(None),
        }
    }

    fn client(&self) -> Result<Client, Error> {
        let mut c = self.client.borrow_mut();
        if let Some(c) = c.as_ref() {
            return Ok(c.clone());
        }
        let made = client(&self.transfer.sources)?;
        *c = Some(made.clone());
        Ok(made)
    }

    /// The next credential after a 401, or `None` when every source was offered.
    fn next_credential(&self, url: &str, username: Option<&str>) -> Option<(String, String)> {
        let config = git2::Repository::open(&self.transfer.git_dir)
            .and_then(|r| r.config())
            .ok();
        let mut st = self
            .transfer
            .cred
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let next = super::http_userpass(
            config.as_ref(),
            &self.transfer.sources,
            &mut st,
            url,
            username,
        );
        if next.is_none() {
            st.exhausted = true;
        }
        next
    }

    /// The ref advertisement, asking the credential sources in turn while the server says 401.
    fn advertisement(&self, url: &str, service: Service) -> Result<Response, Error> {
        let client = self.client()?;
        let (base, user, pass) = split_userinfo(url);
        let ep = endpoint(&base, service);
        if let (Some(u), Some(p)) = (&user, pass) {
            *lock(&self.accepted) = Some((u.clone(), p));
        }
        loop {
            let mut rb = client.get(&ep.url).header(ACCEPT, ep.accept);
            if let Some((u, p)) = lock(&self.accepted).as_ref() {
                rb = rb.basic_auth(u, Some(p));
            }
            let resp = rb.send().map_err(|e| send_error(&ep.url, e))?;
            if resp.status() == StatusCode::UNAUTHORIZED {
                match self.next_credential(&base, user.as_deref()) {
                    Some(c) => {
                        *lock(&self.accepted) = Some(c);
                        continue;
                    }
                    None => {
                        return Err(Error::new(
                            ErrorCode::Auth,
                            ErrorClass::Http,
                            format!(
                                "authentication failed: {} answered 401 to every credential",
                                crate::github::redact_url(&base)
                            ),
                        ));
                    }
                }
            }
            let resp = checked(resp, &ep)?;
            let landed = resp.url().as_str();
            let suffix = &ep.url[base.trim_end_matches('/').len()..];
            if let Some(b) = landed.strip_suffix(suffix)
                && b != base.trim_end_matches('/')
            {
                *self.base.borrow_mut() = Some((base.clone(), b.to_string()));
            }
            return Ok(resp);
        }
    }

    /// The repository URL the POSTs go to (the advertisement's, after its redirects).
    fn post_base(&self, url: &str) -> String {
        let (base, _, _) = split_userinfo(url);
        match self.base.borrow().as_ref() {
            Some((from, to)) if *from == base => to.clone(),
            _ => base,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The answer when it is a smart server's answer to `ep`, else the error saying what it is.
fn checked(resp: Response, ep: &Endpoint) -> Result<Response, Error> {
    let url = crate::github::redact_url(&ep.url);
    let status = resp.status();
    if status == StatusCode::UNAUTHORIZED {
        return Err(Error::new(
            ErrorCode::Auth,
            ErrorClass::Http,
            format!("authentication failed: {url} answered 401"),
        ));
    }
    if status == StatusCode::NOT_FOUND {
        return Err(Error::new(
            ErrorCode::NotFound,
            ErrorClass::Http,
            format!("could not find repository at {url} (HTTP 404)"),
        ));
    }
    if !status.is_success() {
        return Err(Error::new(
            ErrorCode::GenericError,
            ErrorClass::Http,
            format!("unexpected HTTP status {} from {url}", status.as_u16()),
        ));
    }
    let ct = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct.eq_ignore_ascii_case(ep.expect) {
        return Err(Error::new(
            ErrorCode::GenericError,
            ErrorClass::Http,
            format!(
                "{url} is not a git smart-HTTP server (answer of type `{ct}`, expected `{}`)",
                ep.expect
            ),
        ));
    }
    Ok(resp)
}

impl SmartSubtransport for Https {
    fn action(
        &self,
        url: &str,
        action: Service,
    ) -> Result<Box<dyn SmartSubtransportStream>, Error> {
        match action {
            Service::UploadPackLs | Service::ReceivePackLs => Ok(Box::new(Stream {
                state: State::Answer(self.advertisement(url, action)?),
                ctx: None,
            })),
            Service::UploadPack | Service::ReceivePack => {
                let ep = endpoint(&self.post_base(url), action);
                Ok(Box::new(Stream {
                    state: State::Buffer(Vec::new()),
                    ctx: Some(PostCtx {
                        client: self.client()?,
                        ep,
                        auth: self.accepted.clone(),
                    }),
                }))
            }
        }
    }

    fn close(&self) -> Result<(), Error> {
        Ok(())
    }
}

/// What a POST needs to be sent.
struct PostCtx {
    client: Client,
    ep: Endpoint,
    auth: Arc<Mutex<Option<(String, String)>>>,
}

impl PostCtx {
    fn send(&self, body: reqwest::blocking::Body, streamed: bool) -> Result<Response, Error> {
        let mut rb = self
            .client
            .post(&self.ep.url)
            .header(CONTENT_TYPE, self.ep.content_type.unwrap_or_default())
            .header(ACCEPT, self.ep.accept)
            .body(body);
        if let Some((u, p)) = lock(&self.auth).as_ref() {
            rb = rb.basic_auth(u, Some(p));
        }
        let resp = rb.send().map_err(|e| send_error(&self.ep.url, e))?;
        tracing::debug!(
            url = %crate::github::redact_url(&self.ep.url),
            status = resp.status().as_u16(),
            streamed,
            "https POST"
        );
        checked(resp, &self.ep)
    }
}

enum State {
    /// The request body so far (a POST not sent yet).
    Buffer(Vec<u8>),
    /// The body is being streamed by a sender thread.
    Streaming {
        tx: SyncSender<Vec<u8>>,
        sent: std::thread::JoinHandle<Result<Response, Error>>,
    },
    /// The server's answer, read by libgit2.
    Answer(Response),
    /// Between two states, or after an error.
    Gone,
}

struct Stream {
    state: State,
    ctx: Option<PostCtx>,
}

fn io_error(e: Error) -> io::Error {
    io::Error::other(e.message().to_string())
}

impl Stream {
    fn start_streaming(&mut self, first: Vec<u8>) -> io::Result<()> {
        let ctx = self
            .ctx
            .take()
            .ok_or_else(|| io::Error::other("no request"))?;
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(8);
        tx.send(first)
            .map_err(|_| io::Error::other("the request ended"))?;
        let sent = std::thread::spawn(move || {
            ctx.send(
                reqwest::blocking::Body::new(Chunks {
                    rx,
                    cur: Vec::new(),
                    at: 0,
                }),
                true,
            )
        });
        self.state = State::Streaming { tx, sent };
        Ok(())
    }

    /// The answer of the request, once the whole body is written.
    fn finish(&mut self) -> io::Result<()> {
        match std::mem::replace(&mut self.state, State::Gone) {
            State::Buffer(body) => {
                let ctx = self
                    .ctx
                    .take()
                    .ok_or_else(|| io::Error::other("no request"))?;
                let resp = ctx.send(body.into(), false).map_err(io_error)?;
                self.state = State::Answer(resp);
            }
            State::Streaming { tx, sent } => {
                drop(tx);
                let resp = sent
                    .join()
                    .map_err(|_| io::Error::other("the request's sender panicked"))?
                    .map_err(io_error)?;
                self.state = State::Answer(resp);
            }
            s @ State::Answer(_) => self.state = s,
            State::Gone => return Err(io::Error::other("the request failed before")),
        }
        Ok(())
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !matches!(self.state, State::Answer(_)) {
            self.finish()?;
        }
        match &mut self.state {
            State::Answer(r) => r.read(buf),
            _ => Err(io::Error::other("no answer")),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match &mut self.state {
            State::Buffer(b) => {
                b.extend_from_slice(data);
                if b.len() > POST_BUFFER {
                    let first = std::mem::take(b);
                    self.start_streaming(first)?;
                }
                Ok(data.len())
            }
            State::Streaming { tx, .. } => {
                if tx.send(data.to_vec()).is_err() {
                    // The request ended early: its error says why.
                    self.finish()?;
                    return Err(io::Error::other(
                        "the server answered before the body was sent",
                    ));
                }
                Ok(data.len())
            }
            State::Answer(_) | State::Gone => Err(io::Error::other(
                "libgit2 wrote to a request that was already sent",
            )),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The streamed body: the chunks libgit2 writes, until the writer is dropped.
struct Chunks {
    rx: Receiver<Vec<u8>>,
    cur: Vec<u8>,
    at: usize,
}

impl Read for Chunks {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at >= self.cur.len() {
            match self.rx.recv() {
                Ok(c) => {
                    self.cur = c;
                    self.at = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.cur.len() - self.at);
        buf[..n].copy_from_slice(&self.cur[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_requests_have_their_paths_and_types() {
        let base = "https://github.com/acme/app.git/";
        assert_eq!(
            endpoint(base, Service::UploadPackLs),
            Endpoint {
                post: false,
                url: "https://github.com/acme/app.git/info/refs?service=git-upload-pack".into(),
                content_type: None,
                accept: "*/*",
                expect: "application/x-git-upload-pack-advertisement",
            }
        );
        assert_eq!(
            endpoint(base, Service::ReceivePackLs).url,
            "https://github.com/acme/app.git/info/refs?service=git-receive-pack"
        );
        assert_eq!(
            endpoint(base, Service::UploadPack),
            Endpoint {
                post: true,
                url: "https://github.com/acme/app.git/git-upload-pack".into(),
                content_type: Some("application/x-git-upload-pack-request"),
                accept: "application/x-git-upload-pack-result",
                expect: "application/x-git-upload-pack-result",
            }
        );
        let rp = endpoint(base, Service::ReceivePack);
        assert!(rp.post);
        assert_eq!(rp.url, "https://github.com/acme/app.git/git-receive-pack");
        assert_eq!(
            rp.content_type,
            Some("application/x-git-receive-pack-request")
        );
        assert_eq!(rp.accept, "application/x-git-receive-pack-result");
    }

    #[test]
    fn credentials_in_the_url_are_taken_out_of_it() {
        let (url, user, pass) = split_userinfo("https://me:p%40ss@example.test/o/r.git");
        assert_eq!(url, "https://example.test/o/r.git");
        assert_eq!(user.as_deref(), Some("me"));
        assert_eq!(pass.as_deref(), Some("p@ss"));
        let (url, user, pass) = split_userinfo("https://example.test/o/r.git");
        assert_eq!(url, "https://example.test/o/r.git");
        assert_eq!((user, pass), (None, None));
    }

    #[test]
    fn a_streamed_body_is_read_in_the_order_it_was_written() {
        let (tx, rx) = std::sync::mpsc::sync_channel(2);
        let writer = std::thread::spawn(move || {
            for i in 0..100u8 {
                tx.send(vec![i; 1000]).unwrap();
            }
        });
        let mut body = Vec::new();
        Chunks {
            rx,
            cur: Vec::new(),
            at: 0,
        }
        .read_to_end(&mut body)
        .unwrap();
        writer.join().unwrap();
        assert_eq!(body.len(), 100_000);
        assert!(
            body.chunks(1000)
                .enumerate()
                .all(|(i, c)| c.iter().all(|b| *b as usize == i))
        );
    }

    #[test]
    fn an_unreadable_ca_bundle_is_a_certificate_error() {
        let e = roots(Some(Path::new("/nonexistent/berry-ca.pem"))).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Certificate);
        assert!(e.message().contains("cannot read the CA bundle"), "{e}");
    }
}
