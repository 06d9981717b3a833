//! NATS: publish berry's notices through JetStream and wait for the acknowledgement.
//!
//! async-nats runs on a small current-thread tokio runtime owned by [`Publisher`] and confined to
//! this module: callers see blocking functions, and nothing else (no blocking HTTP, no PostgreSQL)
//! ever runs inside the runtime. Every message carries `Nats-Msg-Id`, so a stream drops a retry
//! as a duplicate. When no stream covers the subject (JetStream answers "no responders"), the
//! message is published plainly and flushed, and the caller is told so.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result};

use crate::config;
use crate::error::BerryError;

/// How to reach the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// As given (`NATS_URL` or config); may hold several comma-separated servers.
    pub url: String,
    pub auth: Auth,
    pub connect_timeout: Duration,
    pub ack_timeout: Duration,
}

#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    None,
    UserPassword { user: String, password: String },
    Token(String),
    Creds(PathBuf),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => f.write_str("none"),
            Auth::UserPassword { user, .. } => write!(f, "user {user}"),
            Auth::Token(_) => f.write_str("a token"),
            Auth::Creds(p) => write!(f, "credentials file {}", p.display()),
        }
    }
}

impl Options {
    /// Config `nats.url` (which `NATS_URL` sets, see [`crate::settings`]), `NATS_CREDS` (else
    /// `NATS_USER`/`NATS_PASSWORD`, else `user:password@` or `token@` in the URL), timeouts from
    /// config.
    pub fn resolve(cfg: &config::Nats) -> Result<Options, BerryError> {
        let given = cfg.url.clone();
        let (url, in_url) = split_userinfo(&given);
        let auth = match (
            cfg.auth.creds.clone(),
            cfg.auth.user.clone(),
            cfg.auth.password.clone().map(|p| p.0),
        ) {
            (Some(creds), _, _) => Auth::Creds(PathBuf::from(creds)),
            (None, Some(user), Some(password)) => Auth::UserPassword { user, password },
            (None, Some(_), None) => {
                return Err(
                    BerryError::usage("NATS_USER is set but NATS_PASSWORD is not")
                        .with_hint("set both, or NATS_CREDS for a credentials file"),
                );
            }
            (None, None, Some(_)) => {
                return Err(
                    BerryError::usage("NATS_PASSWORD is set but NATS_USER is not")
                        .with_hint("set both, or NATS_CREDS for a credentials file"),
                );
            }
            (None, None, None) => in_url.unwrap_or(Auth::None),
        };
        Ok(Options {
            url,
            auth,
            connect_timeout: Duration::from_secs(cfg.connect_timeout_secs.max(1)),
            ack_timeout: Duration::from_secs(cfg.ack_timeout_secs.max(1)),
        })
    }

    /// The URL without any `user:password@`, for messages.
    pub fn shown_url(&self) -> String {
        redact_url(&self.url)
    }
}

/// The URL without credentials, and the first credentials found in it (`user:password@` or
/// `token@`), percent-decoded. The client library ignores credentials in the URL, so berry takes
/// them out and passes them itself.
pub fn split_userinfo(url: &str) -> (String, Option<Auth>) {
    let mut auth = None;
    for u in url.split(',') {
        let u = u.trim();
        let rest = u.find("://").map(|i| &u[i + 3..]).unwrap_or(u);
        let authority = rest.find('/').map(|i| &rest[..i]).unwrap_or(rest);
        if let Some(at) = authority.rfind('@')
            && auth.is_none()
        {
            let info = &authority[..at];
            auth = Some(match info.split_once(':') {
                Some((user, password)) => Auth::UserPassword {
                    user: percent_decode(user),
                    password: percent_decode(password),
                },
                None => Auth::Token(percent_decode(info)),
            });
        }
    }
    (redact_url(url), auth)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `nats://user:pass@host:4222` → `nats://host:4222` (each of a comma-separated list).
pub fn redact_url(url: &str) -> String {
    url.split(',')
        .map(|u| {
            let u = u.trim();
            let (scheme, rest) = match u.find("://") {
                Some(i) => (&u[..i + 3], &u[i + 3..]),
                None => ("", u),
            };
            let host_start = rest
                .find('/')
                .map(|slash| &rest[..slash])
                .unwrap_or(rest)
                .rfind('@')
                .map(|at| at + 1)
                .unwrap_or(0);
            format!("{scheme}{}", &rest[host_start..])
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The subject for `req`: config `nats.subject` with `{req}` replaced.
pub fn subject(template: &str, req: &str) -> String {
    template.replace("{req}", req)
}

/// How a message reached the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Stored by `stream` at `sequence`; `duplicate` when the stream already had this message id.
    Stream {
        stream: String,
        sequence: u64,
        duplicate: bool,
    },
    /// No stream covers the subject: published plainly and flushed, not persisted.
    Core,
}

/// A connection to the server with its own small runtime.
pub struct Publisher {
    rt: tokio::runtime::Runtime,
    client: async_nats::Client,
    js: async_nats::jetstream::Context,
    shown_url: String,
    ack_timeout: Duration,
}

impl Publisher {
    /// Connects, giving up after the connect timeout. A server that is down is an operational
    /// failure (exit 1) that names the server.
    pub fn connect(opts: &Options) -> Result<Publisher> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the NATS runtime")?;
        let shown = opts.shown_url();
        let client = rt.block_on(async {
            let base = match &opts.auth {
                Auth::Creds(p) => async_nats::ConnectOptions::with_credentials_file(p.clone())
                    .await
                    .with_context(|| {
                        format!("cannot read the NATS credentials file {}", p.display())
                    })?,
                Auth::UserPassword { user, password } => async_nats::ConnectOptions::new()
                    .user_and_password(user.clone(), password.clone()),
                Auth::Token(t) => async_nats::ConnectOptions::with_token(t.clone()),
                Auth::None => async_nats::ConnectOptions::new(),
            };
            let connect = base
                .name("berry")
                .connection_timeout(opts.connect_timeout)
                .request_timeout(Some(opts.ack_timeout))
                .connect(opts.url.as_str());
            match tokio::time::timeout(opts.connect_timeout + Duration::from_secs(1), connect).await
            {
                Ok(Ok(c)) => Ok(c),
                Ok(Err(e)) => Err(connect_error(&shown, &opts.auth, e)),
                Err(_) => Err(BerryError::failure(format!(
                    "cannot connect to NATS at {shown}: no answer within {}s \
                     (nats.connect_timeout_secs)",
                    opts.connect_timeout.as_secs()
                ))
                .into()),
            }
        })?;
        // The JetStream context spawns its acknowledgement task on the current runtime.
        let mut js = {
            let _inside = rt.enter();
            async_nats::jetstream::new(client.clone())
        };
        js.set_timeout(opts.ack_timeout);
        Ok(Publisher {
            rt,
            client,
            js,
            shown_url: shown,
            ack_timeout: opts.ack_timeout,
        })
    }

    pub fn shown_url(&self) -> &str {
        &self.shown_url
    }

    /// Publishes `payload` to `subject` with `Nats-Msg-Id: msg_id` through JetStream and waits
    /// for the acknowledgement; without a stream for the subject, publishes plainly and flushes.
    pub fn publish(&self, subject: &str, msg_id: &str, payload: &[u8]) -> Result<Delivery> {
        let headers = || {
            let mut h = async_nats::HeaderMap::new();
            h.insert(async_nats::header::NATS_MESSAGE_ID, msg_id);
            h
        };
        // Notices leave masked: a secret an agent wrote into a summary stays here.
        let bytes = bytes_of(&crate::secrets::mask_bytes(payload));
        let subject_owned = subject.to_string();
        tracing::debug!(subject, msg_id, bytes = payload.len(), "NATS publish");
        // One deadline over the whole exchange (stream lookup, publish, acknowledgement): each
        // part has its own timeout, and a server that stalls between them cannot add them up.
        let whole = self.ack_timeout * 2;
        let delivery = self.rt.block_on(async { tokio::time::timeout(whole, async {
            use async_nats::jetstream::context::{GetStreamByNameErrorKind, PublishErrorKind};
            // Ask first: a plain subscriber on the subject would take a JetStream publish for
            // itself and never answer, so "no responders" alone cannot tell that no stream is there.
            let covered = self.js.stream_by_subject(subject_owned.clone()).await;
            let core = |bytes| async {
                self.client
                    .publish_with_headers(subject_owned.clone(), headers(), bytes)
                    .await
                    .with_context(|| format!("cannot publish to {subject_owned}"))?;
                tokio::time::timeout(self.ack_timeout, self.client.flush())
                    .await
                    .map_err(|_| {
                        BerryError::failure(format!(
                            "NATS at {} did not confirm the publish within {}s (nats.ack_timeout_secs)",
                            self.shown_url,
                            self.ack_timeout.as_secs()
                        ))
                    })?
                    .with_context(|| format!("cannot flush the publish to {subject_owned}"))?;
                anyhow::Ok(Delivery::Core)
            };
            if let Err(e) = &covered
                && (e.kind() == GetStreamByNameErrorKind::NotFound || no_jetstream(e))
            {
                return core(bytes).await;
            }
            let sent = self
                .js
                .publish_with_headers(subject_owned.clone(), headers(), bytes.clone())
                .await;
            let acked = match sent {
                Ok(fut) => fut.await,
                Err(e) => Err(e),
            };
            match acked {
                Ok(ack) => Ok(Delivery::Stream {
                    stream: ack.stream,
                    sequence: ack.sequence,
                    duplicate: ack.duplicate,
                }),
                Err(e) if e.kind() == PublishErrorKind::StreamNotFound => core(bytes).await,
                Err(e) if e.kind() == PublishErrorKind::TimedOut => Err(BerryError::failure(
                    format!(
                        "JetStream did not acknowledge the message on {subject_owned} within {}s (nats.ack_timeout_secs)",
                        self.ack_timeout.as_secs()
                    ),
                )
                .with_hint("the notice is kept pending; rerun the step to send it again (the stream drops duplicates)")
                .into()),
                Err(e) => Err(anyhow::Error::new(e)
                    .context(format!("JetStream refused the message on {subject_owned}"))),
            }
        }).await });
        let delivery = delivery.map_err(|_| {
            BerryError::failure(format!(
                "NATS at {} did not complete the publish on {subject} within {}s (twice nats.ack_timeout_secs)",
                self.shown_url,
                whole.as_secs()
            ))
            .with_hint("the notice is kept pending; rerun the step to send it again (the stream drops duplicates)")
        })??;
        tracing::debug!(subject, delivery = ?delivery, "NATS publish done");
        Ok(delivery)
    }
}

/// What a durable pull consumer is bound to (see [`Listener::bind`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerSpec {
    pub stream: String,
    pub durable: String,
    pub filter_subject: String,
    pub ack_wait: Duration,
    pub max_deliver: i64,
}

/// One message handed to this listener, with what is needed to answer it.
pub struct Delivered {
    msg: async_nats::jetstream::Message,
    pub subject: String,
    pub payload: Vec<u8>,
    pub stream_sequence: u64,
    /// How many times it was delivered (1 the first time).
    pub delivered: i64,
}

/// The answer to a delivered message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Done: never delivered again.
    Ack,
    /// Still working: the server waits another `ack_wait`.
    Progress,
    /// Not now: delivered again after the delay.
    Nak(Duration),
    /// Never deliver again (a poison message).
    Term,
}

/// The counts of a consumer, for `berry listen --status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerCounts {
    pub pending: u64,
    pub ack_pending: usize,
    pub redelivered: usize,
    pub waiting: usize,
}

/// A durable JetStream pull consumer on a connection with its own small runtime: each listener
/// thread has one, so no runtime is ever shared and blocking work stays outside them all.
pub struct Listener {
    conn: Publisher,
    consumer:
        async_nats::jetstream::consumer::Consumer<async_nats::jetstream::consumer::pull::Config>,
    pub spec: ConsumerSpec,
}

impl Listener {
    /// Connects and binds the durable consumer `spec.durable` on `spec.stream`, creating it
    /// (explicit acknowledgement) when it does not exist. The stream must exist: it is the
    /// orchestrator's.
    pub fn bind(opts: &Options, spec: &ConsumerSpec) -> Result<Listener> {
        let conn = Publisher::connect(opts)?;
        let consumer = conn.rt.block_on(async {
            let stream = conn.js.get_stream(spec.stream.clone()).await.map_err(|e| {
                BerryError::config(format!(
                    "cannot find the stream {} on NATS at {}: {e}",
                    spec.stream, conn.shown_url
                ))
                .with_hint(
                    "listen.stream names the orchestrator's stream of stage events; it must exist",
                )
            })?;
            let config = async_nats::jetstream::consumer::pull::Config {
                durable_name: Some(spec.durable.clone()),
                filter_subject: spec.filter_subject.clone(),
                ack_policy: async_nats::jetstream::consumer::AckPolicy::Explicit,
                ack_wait: spec.ack_wait,
                max_deliver: spec.max_deliver,
                ..Default::default()
            };
            let consumer = stream
                .get_or_create_consumer(&spec.durable, config)
                .await
                .with_context(|| {
                    format!(
                        "cannot bind the consumer {} on the stream {}",
                        spec.durable, spec.stream
                    )
                })?;
            anyhow::Ok(consumer)
        })?;
        Ok(Listener {
            conn,
            consumer,
            spec: spec.clone(),
        })
    }

    pub fn shown_url(&self) -> &str {
        &self.conn.shown_url
    }

    /// The next message for this listener, waiting at most `wait`; `None` when none came.
    pub fn next(&self, wait: Duration) -> Result<Option<Delivered>> {
        use futures_util::StreamExt;
        self.conn.rt.block_on(async {
            let mut batch = self
                .consumer
                .fetch()
                .max_messages(1)
                .expires(wait)
                .messages()
                .await
                .with_context(|| format!("cannot fetch from the consumer {}", self.spec.durable))?;
            let Some(next) = tokio::time::timeout(wait + Duration::from_secs(5), batch.next())
                .await
                .ok()
                .flatten()
            else {
                return Ok(None);
            };
            let msg = next.map_err(|e| {
                anyhow::anyhow!("cannot fetch from the consumer {}: {e}", self.spec.durable)
            })?;
            let (stream_sequence, delivered) = msg
                .info()
                .map(|i| (i.stream_sequence, i.delivered))
                .unwrap_or((0, 1));
            Ok(Some(Delivered {
                subject: msg.subject.to_string(),
                payload: msg.payload.to_vec(),
                stream_sequence,
                delivered,
                msg,
            }))
        })
    }

    /// Answers `d`. Ack, Nak and Term wait for the server's confirmation, so an answer that did
    /// not arrive is an error and not a silent redelivery.
    pub fn answer(&self, d: &Delivered, answer: Answer) -> Result<()> {
        use async_nats::jetstream::AckKind;
        let kind = match answer {
            Answer::Ack => AckKind::Ack,
            Answer::Progress => AckKind::Progress,
            Answer::Nak(delay) => AckKind::Nak(Some(delay)),
            Answer::Term => AckKind::Term,
        };
        let timeout = self.conn.ack_timeout;
        self.conn.rt.block_on(async {
            let sent = async {
                if answer == Answer::Progress {
                    d.msg.ack_with(kind).await
                } else {
                    d.msg.double_ack_with(kind).await
                }
            };
            match tokio::time::timeout(timeout, sent).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(anyhow::anyhow!(
                    "cannot answer message {} ({answer:?}): {e}",
                    d.stream_sequence
                )),
                Err(_) => Err(BerryError::failure(format!(
                    "NATS at {} did not confirm the answer to message {} within {}s",
                    self.conn.shown_url,
                    d.stream_sequence,
                    timeout.as_secs()
                ))
                .into()),
            }
        })
    }
}

/// The counts of the durable consumer `durable` on `stream`.
pub fn consumer_counts(opts: &Options, stream: &str, durable: &str) -> Result<ConsumerCounts> {
    let conn = Publisher::connect(opts)?;
    conn.rt.block_on(async {
        let s = conn.js.get_stream(stream.to_string()).await.map_err(|e| {
            BerryError::config(format!(
                "cannot find the stream {stream} on NATS at {}: {e}",
                conn.shown_url
            ))
        })?;
        let info = s.consumer_info(durable).await.map_err(|e| {
            BerryError::config(format!(
                "cannot read the consumer {durable} of {stream}: {e}"
            ))
            .with_hint("`berry listen` creates it when it starts")
        })?;
        Ok(ConsumerCounts {
            pending: info.num_pending,
            ack_pending: info.num_ack_pending,
            redelivered: info.num_redelivered,
            waiting: info.num_waiting,
        })
    })
}

/// The REQ contexts in a JetStream key-value bucket (`state.backend = "nats-kv"`): the
/// connection is made on first use, the bucket created when missing.
pub struct Kv {
    opts: Options,
    bucket: String,
    open: std::sync::Mutex<Option<(Publisher, async_nats::jetstream::kv::Store)>>,
}

impl Kv {
    pub fn new(opts: Options, bucket: impl Into<String>) -> Kv {
        Kv {
            opts,
            bucket: bucket.into(),
            open: std::sync::Mutex::new(None),
        }
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&Publisher, &async_nats::jetstream::kv::Store) -> Result<T>,
    ) -> Result<T> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.is_none() {
            let conn = Publisher::connect(&self.opts)?;
            let store = conn.rt.block_on(async {
                match conn.js.get_key_value(self.bucket.clone()).await {
                    Ok(s) => anyhow::Ok(s),
                    // The bucket's stream as the client library would make it, made here:
                    // the library's own creation first asks for account details that servers
                    // before 2.10 answer in a shape it cannot read.
                    Err(_) => {
                        conn.js
                            .get_or_create_stream(async_nats::jetstream::stream::Config {
                                name: format!("KV_{}", self.bucket),
                                subjects: vec![format!("$KV.{}.>", self.bucket)],
                                max_messages_per_subject: 10,
                                allow_rollup: true,
                                deny_delete: true,
                                allow_direct: true,
                                discard: async_nats::jetstream::stream::DiscardPolicy::New,
                                num_replicas: 1,
                                ..Default::default()
                            })
                            .await
                            .with_context(|| {
                                format!("cannot create the key-value bucket {}", self.bucket)
                            })?;
                        conn.js
                            .get_key_value(self.bucket.clone())
                            .await
                            .with_context(|| {
                                format!("cannot open the key-value bucket {}", self.bucket)
                            })
                    }
                }
            })?;
            *open = Some((conn, store));
        }
        let (conn, store) = open.as_ref().expect("opened above");
        f(conn, store)
    }
}

impl crate::context::Remote for Kv {
    fn get(&self, key: &str) -> Result<Option<(Vec<u8>, u64)>> {
        self.with(|conn, store| {
            conn.rt.block_on(async {
                use async_nats::jetstream::kv::Operation;
                let entry = tokio::time::timeout(conn.ack_timeout, store.entry(key))
                    .await
                    .map_err(|_| {
                        BerryError::failure(format!(
                            "NATS at {} did not answer for {key} in the bucket {} within {}s",
                            conn.shown_url,
                            self.bucket,
                            conn.ack_timeout.as_secs()
                        ))
                    })?
                    .with_context(|| {
                        format!("cannot read {key} from the bucket {}", self.bucket)
                    })?;
                Ok(entry
                    .filter(|e| e.operation == Operation::Put)
                    .map(|e| (e.value.to_vec(), e.revision)))
            })
        })
    }

    fn put(&self, key: &str, bytes: &[u8], revision: Option<u64>) -> Result<u64> {
        use async_nats::jetstream::kv::{CreateErrorKind, UpdateErrorKind};
        let value = bytes_of(bytes);
        self.with(|conn, store| {
            conn.rt.block_on(async {
                let conflict = || {
                    anyhow::Error::new(crate::context::Conflict {
                        key: key.to_string(),
                        read: revision,
                    })
                };
                let put = async {
                    match revision {
                        Some(rev) => match store.update(key, value.clone(), rev).await {
                            Ok(r) => Ok(r),
                            Err(e) if e.kind() == UpdateErrorKind::WrongLastRevision => {
                                Err(conflict())
                            }
                            Err(e) => Err(anyhow::Error::new(e)),
                        },
                        None => match store.create(key, value.clone()).await {
                            Ok(r) => Ok(r),
                            Err(e) if e.kind() == CreateErrorKind::AlreadyExists => {
                                Err(conflict())
                            }
                            Err(e) => Err(anyhow::Error::new(e)),
                        },
                    }
                };
                tokio::time::timeout(conn.ack_timeout, put)
                    .await
                    .map_err(|_| {
                        BerryError::failure(format!(
                            "NATS at {} did not confirm the write of {key} to the bucket {} within {}s",
                            conn.shown_url,
                            self.bucket,
                            conn.ack_timeout.as_secs()
                        ))
                    })?
                    .map_err(|e| {
                        if e.downcast_ref::<crate::context::Conflict>().is_some() {
                            e
                        } else {
                            e.context(format!("cannot write {key} to the bucket {}", self.bucket))
                        }
                    })
            })
        })
    }

    fn describe(&self) -> String {
        format!("the bucket {} at {}", self.bucket, self.opts.shown_url())
    }
}

/// The server has no JetStream at all: its API has no responders.
fn no_jetstream(e: &(dyn std::error::Error + 'static)) -> bool {
    use async_nats::jetstream::context::{RequestError, RequestErrorKind};
    let mut cur = Some(e);
    while let Some(c) = cur {
        if c.downcast_ref::<RequestError>()
            .is_some_and(|r| r.kind() == RequestErrorKind::NoResponders)
        {
            return true;
        }
        cur = c.source();
    }
    false
}

fn bytes_of(payload: &[u8]) -> bytes::Bytes {
    bytes::Bytes::copy_from_slice(payload)
}

fn connect_error(shown: &str, auth: &Auth, e: async_nats::ConnectError) -> anyhow::Error {
    use async_nats::ConnectErrorKind as K;
    let hint = match e.kind() {
        K::AuthorizationViolation | K::Authentication => format!(
            "the server refused {:?}: check NATS_USER/NATS_PASSWORD or NATS_CREDS",
            auth
        ),
        K::TimedOut => "is the server up? set NATS_URL to the right server, or raise nats.connect_timeout_secs".into(),
        _ => "is the server up? set NATS_URL to the right server; notices are kept pending in the REQ context until they are sent".into(),
    };
    BerryError::failure(format!("cannot connect to NATS at {shown}: {e}"))
        .with_hint(hint)
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials_when_shown() {
        assert_eq!(
            redact_url("nats://agents:s3cret@localhost:4223"),
            "nats://localhost:4223"
        );
        assert_eq!(redact_url("localhost:4222"), "localhost:4222");
        assert_eq!(
            redact_url("nats://a:b@h1:4222, tls://h2:4222"),
            "nats://h1:4222,tls://h2:4222"
        );
    }

    #[test]
    fn credentials_in_the_url_are_taken_out_of_it() {
        let (url, auth) = split_userinfo("nats://agents:p%40ss@localhost:4223");
        assert_eq!(url, "nats://localhost:4223");
        assert_eq!(
            auth,
            Some(Auth::UserPassword {
                user: "agents".into(),
                password: "p@ss".into()
            })
        );
        let (url, auth) = split_userinfo("tok3n@h:1,nats://h2:2");
        assert_eq!(url, "h:1,nats://h2:2");
        assert_eq!(auth, Some(Auth::Token("tok3n".into())));
        assert_eq!(split_userinfo("nats://h:4222/x@y").1, None);
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn subject_replaces_the_req() {
        assert_eq!(
            subject("agog.deliverables.berry.devops.{req}", "REQ-A-1"),
            "agog.deliverables.berry.devops.REQ-A-1"
        );
    }

    #[test]
    fn the_password_never_shows_in_debug_output() {
        let a = Auth::UserPassword {
            user: "agents".into(),
            password: "s3cret".into(),
        };
        assert_eq!(format!("{a:?}"), "user agents");
    }

    /// The server the tests use (BERRY_TEST_NATS, else the local one).
    fn test_options() -> Options {
        Options {
            url: std::env::var("BERRY_TEST_NATS")
                .unwrap_or_else(|_| "nats://127.0.0.1:4222".into()),
            auth: Auth::None,
            connect_timeout: Duration::from_secs(5),
            ack_timeout: Duration::from_secs(10),
        }
    }

    fn unique_bucket() -> String {
        format!(
            "berry_unit_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        )
    }

    fn drop_bucket(bucket: &str) {
        let p = Publisher::connect(&test_options()).unwrap();
        let _ = p.rt.block_on(p.js.delete_key_value(bucket));
    }

    #[test]
    fn two_writers_racing_on_one_entry_one_wins_the_other_rereads_and_retries() {
        use crate::context::{Conflict, Remote};
        let bucket = unique_bucket();
        let (a, b) = (
            Kv::new(test_options(), &bucket),
            Kv::new(test_options(), &bucket),
        );
        let r1 = a.put("REQ-A-1", b"one", None).unwrap();
        assert!(
            b.put("REQ-A-1", b"also one", None)
                .unwrap_err()
                .downcast_ref::<Conflict>()
                .is_some(),
            "only one can create the entry"
        );
        // Both read revision r1; a writes first and wins.
        assert_eq!(a.get("REQ-A-1").unwrap().unwrap().1, r1);
        assert_eq!(b.get("REQ-A-1").unwrap().unwrap().1, r1);
        let r2 = a.put("REQ-A-1", b"two by a", Some(r1)).unwrap();
        let lost = b.put("REQ-A-1", b"two by b", Some(r1)).unwrap_err();
        assert!(lost.downcast_ref::<Conflict>().is_some(), "{lost:#}");
        // b rereads: it sees a's write, and its retry on that revision wins.
        let (seen, rev) = b.get("REQ-A-1").unwrap().unwrap();
        assert_eq!((seen.as_slice(), rev), (&b"two by a"[..], r2));
        let r3 = b.put("REQ-A-1", b"three by b", Some(r2)).unwrap();
        assert!(r3 > r2);
        assert_eq!(a.get("REQ-A-1").unwrap().unwrap().0, b"three by b");
        drop_bucket(&bucket);
    }

    #[test]
    fn a_context_saved_over_a_newer_revision_is_refused_and_a_reread_saves() {
        use crate::context::Store;
        let bucket = unique_bucket();
        let tmp = tempfile::tempdir().unwrap();
        let req = crate::req::ReqNumber::parse("REQ-KV-001").unwrap();
        // Two machines: their own folders, one bucket.
        let here = Store::at(tmp.path().join("a"))
            .with_remote(std::sync::Arc::new(Kv::new(test_options(), &bucket)));
        let there = Store::at(tmp.path().join("b"))
            .with_remote(std::sync::Arc::new(Kv::new(test_options(), &bucket)));
        {
            let lock = here.lock(&req, "test").unwrap();
            assert!(here.load(&req, &lock).unwrap().is_none());
            let mut ctx =
                crate::context::ReqContext::new(req.clone(), crate::clock::now().unwrap());
            ctx.title = Some("first".into());
            here.save(&mut ctx, &lock).unwrap();
        }
        assert_eq!(
            there.peek(&req).unwrap().unwrap().title.as_deref(),
            Some("first")
        );
        let lock_here = here.lock(&req, "test").unwrap();
        let lock_there = there.lock(&req, "test").unwrap();
        let mut mine = here.load(&req, &lock_here).unwrap().unwrap();
        let mut theirs = there.load(&req, &lock_there).unwrap().unwrap();
        mine.title = Some("here".into());
        here.save(&mut mine, &lock_here).unwrap();
        theirs.title = Some("there".into());
        let e = there.save(&mut theirs, &lock_there).unwrap_err();
        assert!(e.to_string().contains("written by another berry"), "{e:#}");
        let mut reread = there.load(&req, &lock_there).unwrap().unwrap();
        assert_eq!(reread.title.as_deref(), Some("here"));
        reread.title = Some("there, after here".into());
        there.save(&mut reread, &lock_there).unwrap();
        assert_eq!(
            here.peek(&req).unwrap().unwrap().title.as_deref(),
            Some("there, after here")
        );
        drop_bucket(&bucket);
    }
}
