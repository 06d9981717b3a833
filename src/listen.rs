//! `berry listen`: stage 7 started by the orchestrator over JetStream.
//!
//! Each worker binds the durable pull consumer (its own connection, see [`nats::Listener`]),
//! takes one stage-started event at a time and runs the REQ's steps exactly as
//! `berry run <REQ> --yes` does: each step is berry itself in a child process (its own process
//! group, so a signal meant for the listener never cuts a step short), from the first step the
//! REQ context says is not done. While a step runs the message is kept with in-progress
//! acknowledgements; when it is answered it is acknowledged:
//!
//! - every step done: the completion notice was sent by `complete` → ack;
//! - a gate closed, a decision `--yes` cannot take, a usage error: the REQ is blocked — by the
//!   step itself (failed tests, red CI, QA not approved) or else by `berry block` with the
//!   step's reasons — and the blocked notice sent → ack;
//! - an operational failure (a server down, a timeout): the event is released (`nak` with
//!   `listen.nak_delay_secs`) and retried; at its last delivery the REQ is blocked with the
//!   failure as the reason → ack;
//! - a step killed, or the listener asked to stop: released (`nak`), so this or another listener
//!   resumes from what the context recorded;
//! - a poison message (not JSON, no REQ or a bad one, an `agentId` that is not berry's):
//!   terminated with the reason, never delivered again.
//!
//! Every notice is sent by the steps themselves, so it has the id a manual run gives it: a
//! listener and a person never announce one REQ twice.
//!
//! This module never prints: it reports [`Event`]s to the command's sink.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::Value;

use crate::context::Store;
use crate::nats::{self, Answer, Delivered, Listener};
use crate::req::ReqNumber;
use crate::workflow::{ReqState, Step};

/// The `agentId` of the events berry takes.
pub const AGENT_ID: &str = "berry";

/// The stage timeout when the event gives none (the orchestrator's default for stage 7).
const DEFAULT_STAGE_TIMEOUT_MS: u64 = 900_000;

/// How many times one delivery rebases, tests again and pushes again after losing the push to
/// another listener, within the stage timeout. Each loss means another REQ shipped, so the
/// wait is bounded by the work ahead in the queue; the cap only stops a runaway.
const MAX_REBASES: u32 = 30;

/// How the listener runs berry's steps: the program, the repository (`-C`), the other global
/// arguments every step gets (`--config`, `--deliverables`, `--repo`), before
/// `--yes --json run <REQ> …`, and the state folder the steps record in (the listener's own, so
/// a REQ worked in a worktree of the listener's keeps its record when the worktree is gone).
#[derive(Debug, Clone)]
pub struct Runner {
    pub program: PathBuf,
    pub dir: Option<PathBuf>,
    pub global_args: Vec<OsString>,
    pub state_dir: PathBuf,
}

impl Runner {
    fn command(&self, dir: Option<&Path>, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.program);
        if let Some(d) = dir.or(self.dir.as_deref()) {
            cmd.arg("-C").arg(d);
        }
        cmd.args(&self.global_args)
            .args(["--yes", "--json", "--no-pager", "--color", "never"])
            .args(args)
            .env(crate::env_vars::BERRY_STATE_DIR, &self.state_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Its own process group: the listener's SIGTERM or a terminal's Ctrl-C lets the step
        // finish and record; the listener decides what to do after it.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        cmd
    }
}

/// Where a REQ's work comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The working tree the steps run in (the listener's repository).
    Worktree,
    /// `agents/<REQ>` on the remote, applied to a worktree of the listener's own.
    Branch(BranchSource),
}

#[derive(Debug, Clone)]
pub struct BranchSource {
    /// The listener's clone, where git fetches and the worktrees are registered.
    pub clone: PathBuf,
    pub remote: String,
    /// The branch a REQ ships to: each worktree's branch `berry/<REQ>` tracks it.
    pub base: String,
    /// `<state folder>/worktrees`: one folder per REQ at work.
    pub worktrees: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub nats: nats::Options,
    pub consumer: nats::ConsumerSpec,
    pub nak_delay: Duration,
    pub concurrency: usize,
    /// Handle one event, then return.
    pub once: bool,
    pub runner: Runner,
    pub source: Source,
    /// Where the REQ contexts are (the steps record there; the listener only reads).
    pub store: Store,
}

impl Options {
    /// The listener `[listen]` (`cfg`) describes, with the command line's `concurrency` (over
    /// `listen.concurrency`) and `once`.
    pub fn new(
        cfg: &crate::config::Listen,
        nats: nats::Options,
        runner: Runner,
        source: Source,
        store: Store,
        concurrency: Option<usize>,
        once: bool,
    ) -> Options {
        Options {
            nats,
            consumer: nats::ConsumerSpec {
                stream: cfg.stream.clone(),
                durable: cfg.consumer.clone(),
                filter_subject: cfg.subject.clone(),
                ack_wait: Duration::from_secs(cfg.ack_wait_secs),
                max_deliver: cfg.max_deliver,
            },
            nak_delay: Duration::from_secs(cfg.nak_delay_secs),
            concurrency: concurrency.unwrap_or(cfg.concurrency),
            once,
            runner,
            source,
            store,
        }
    }
}

impl Runner {
    /// The global arguments every step gets from the listener's own: `--config`,
    /// `--deliverables`, `--repo`.
    pub fn global_args(
        config: Option<&Path>,
        deliverables: Option<&Path>,
        repo: Option<&str>,
    ) -> Vec<OsString> {
        let mut args: Vec<OsString> = Vec::new();
        let given = [
            ("--config", config.map(OsString::from)),
            ("--deliverables", deliverables.map(OsString::from)),
            ("--repo", repo.map(OsString::from)),
        ];
        for (flag, value) in given {
            if let Some(v) = value {
                args.extend([flag.into(), v]);
            }
        }
        args
    }
}

impl Source {
    /// Where the work comes from (`given` over `configured`): with `Branch`, the REQs ship to the
    /// branch `ws`'s clone is on (a detached HEAD is a usage error).
    pub fn resolve(
        given: Option<crate::config::ListenSource>,
        configured: crate::config::ListenSource,
        ws: &crate::workspace::Workspace,
    ) -> Result<Source> {
        if given.unwrap_or(configured) == crate::config::ListenSource::Worktree {
            return Ok(Source::Worktree);
        }
        let head = ws.repo.head().ok();
        let head = head.as_ref().filter(|h| h.is_branch());
        let base = head.and_then(|h| h.shorthand().ok().map(String::from));
        let base = base.ok_or_else(|| {
            crate::error::BerryError::usage(
                "--source branch needs the clone on the branch REQs ship to (HEAD is detached)",
            )
        })?;
        Ok(Source::Branch(BranchSource {
            clone: ws.root.clone(),
            remote: "origin".into(),
            base,
            worktrees: ws.store.dir().join("worktrees"),
        }))
    }
}

/// A stage-started event for berry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageStarted {
    pub req: ReqNumber,
    pub stage: Option<String>,
    pub title: Option<String>,
    /// The orchestrator's stage timeout, in milliseconds.
    pub timeout_ms: Option<u64>,
}

/// Reads an event; `Err` is the reason a poison message is terminated.
pub fn parse_event(payload: &[u8]) -> Result<StageStarted, String> {
    let v: Value = serde_json::from_slice(payload).map_err(|e| format!("not JSON: {e}"))?;
    let Some(obj) = v.as_object() else {
        return Err("not a JSON object".into());
    };
    if let Some(t) = obj.get("eventType")
        && t.as_str() != Some("stage.started")
    {
        return Err(format!("eventType {t} is not \"stage.started\""));
    }
    match obj.get("agentId") {
        Some(Value::String(a)) if a == AGENT_ID => {}
        Some(a) => return Err(format!("agentId {a} is not {AGENT_ID:?}")),
        None => return Err("no agentId".into()),
    }
    let raw = obj
        .get("reqNumber")
        .and_then(Value::as_str)
        .ok_or("no reqNumber")?;
    let req = ReqNumber::parse(raw).map_err(|e| format!("reqNumber {raw:?}: {e}"))?;
    let ctx = obj.get("contextData");
    Ok(StageStarted {
        req,
        stage: obj.get("stage").and_then(Value::as_str).map(String::from),
        title: ctx
            .and_then(|c| c.get("featureTitle").or_else(|| c.get("title")))
            .and_then(Value::as_str)
            .map(String::from),
        timeout_ms: obj.get("timeout").and_then(Value::as_u64),
    })
}

/// How an event ended for this listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// Every step done; the completion notice is out. Acknowledged.
    Completed,
    /// The REQ is blocked and the blocked notice is out. Acknowledged.
    Blocked { reason: String },
    /// Given back (`nak` with the delay) to be delivered again.
    Released { reason: String },
    /// A poison message, terminated.
    Terminated { reason: String },
}

impl Handled {
    pub fn as_str(&self) -> &'static str {
        match self {
            Handled::Completed => "completed",
            Handled::Blocked { .. } => "blocked",
            Handled::Released { .. } => "released",
            Handled::Terminated { .. } => "terminated",
        }
    }
    pub fn reason(&self) -> Option<&str> {
        match self {
            Handled::Completed => None,
            Handled::Blocked { reason }
            | Handled::Released { reason }
            | Handled::Terminated { reason } => Some(reason),
        }
    }
}

/// What the listener reports as it works.
#[derive(Debug, Clone)]
pub enum Event {
    Bound {
        worker: usize,
        url: String,
        stream: String,
        consumer: String,
        subject: String,
    },
    Received {
        worker: usize,
        req: Option<ReqNumber>,
        sequence: u64,
        delivered: i64,
    },
    Step {
        worker: usize,
        req: ReqNumber,
        step: Step,
        /// The step's exit code (`None`: killed by a signal).
        exit: Option<i32>,
        message: String,
        elapsed: Duration,
    },
    Done {
        worker: usize,
        req: Option<ReqNumber>,
        sequence: u64,
        delivered: i64,
        handled: Handled,
        elapsed: Duration,
    },
    /// A problem that does not stop the listener (a progress ack that did not go out).
    Warning {
        worker: usize,
        message: String,
    },
    Stopping {
        signal: i32,
    },
}

impl Handled {
    /// The exit code of `berry listen --once` for the one event it handled.
    pub fn exit(&self) -> crate::error::Exit {
        use crate::error::Exit;
        match self {
            Handled::Completed => Exit::Ok,
            Handled::Blocked { .. } => Exit::Gate,
            Handled::Released { .. } => Exit::Failure,
            Handled::Terminated { .. } => Exit::Usage,
        }
    }
}

impl Event {
    /// The event as the listener's line on stderr.
    pub fn line(&self) -> String {
        let secs = |d: &Duration| format!("{:.1}s", d.as_secs_f64());
        let req_of = |r: &Option<crate::req::ReqNumber>| {
            r.as_ref().map_or("no REQ", |r| r.as_str()).to_string()
        };
        match self {
            Event::Bound {
                worker,
                url,
                stream,
                consumer,
                subject,
            } => {
                format!(
                    "listen[{worker}]: bound consumer {consumer} on {stream} ({subject}) at {url}"
                )
            }
            Event::Received {
                worker,
                req,
                sequence,
                delivered,
            } => {
                format!(
                    "listen[{worker}]: event {sequence} ({}), delivery {delivered}",
                    req_of(req)
                )
            }
            Event::Step {
                worker,
                req,
                step,
                exit,
                message,
                elapsed,
            } => {
                let exit = exit.map_or("killed".into(), |c| format!("exit {c}"));
                let first = message
                    .lines()
                    .next()
                    .map(|l| format!(": {l}"))
                    .unwrap_or_default();
                format!(
                    "listen[{worker}]: {req} {step} → {exit} in {}{first}",
                    secs(elapsed)
                )
            }
            Event::Done {
                worker,
                req,
                sequence,
                delivered,
                handled,
                elapsed,
            } => {
                let answer = match handled {
                    Handled::Completed | Handled::Blocked { .. } => "acked",
                    Handled::Released { .. } => "nak",
                    Handled::Terminated { .. } => "terminated",
                };
                let reason = handled
                    .reason()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default();
                format!(
                    "listen[{worker}]: event {sequence} ({}) delivery {delivered}: {} in {} ({answer}){reason}",
                    req_of(req),
                    handled.as_str(),
                    secs(elapsed)
                )
            }
            Event::Warning { worker, message } => format!("listen[{worker}]: warning: {message}"),
            Event::Stopping { signal } => {
                format!(
                    "listen: signal {signal}: finishing the steps at work, releasing their events"
                )
            }
        }
    }

    /// The event as the NDJSON line `berry listen --json` prints.
    pub fn to_json(&self) -> Value {
        use serde_json::json;
        let ms = |d: &Duration| d.as_millis() as u64;
        match self {
            Event::Bound {
                worker,
                url,
                stream,
                consumer,
                subject,
            } => {
                json!({"event": "bound", "worker": worker, "url": url, "stream": stream, "consumer": consumer, "subject": subject})
            }
            Event::Received {
                worker,
                req,
                sequence,
                delivered,
            } => {
                json!({"event": "received", "worker": worker, "req": req, "sequence": sequence, "delivered": delivered})
            }
            Event::Step {
                worker,
                req,
                step,
                exit,
                message,
                elapsed,
            } => {
                json!({"event": "step", "worker": worker, "req": req, "step": step, "exit": exit, "message": message, "elapsed_ms": ms(elapsed)})
            }
            Event::Done {
                worker,
                req,
                sequence,
                delivered,
                handled,
                elapsed,
            } => {
                json!({"event": "done", "worker": worker, "req": req, "sequence": sequence, "delivered": delivered, "outcome": handled.as_str(), "reason": handled.reason(), "elapsed_ms": ms(elapsed), "pid": std::process::id()})
            }
            Event::Warning { worker, message } => {
                json!({"event": "warning", "worker": worker, "message": message})
            }
            Event::Stopping { signal } => json!({"event": "stopping", "signal": signal}),
        }
    }
}

/// What a step's child said: its exit code and its last JSON line.
struct StepRun {
    exit: Option<i32>,
    signal: Option<i32>,
    message: String,
    reasons: Vec<String>,
    stderr_tail: String,
}

/// Runs the workers until stopped (`stop` returns the signal that asks for it), or after one
/// event with `once`. Returns what each handled event came to, in the order they ended.
pub fn listen(
    opts: &Options,
    stop: &(dyn Fn() -> Option<i32> + Sync),
    sink: &(dyn Fn(Event) + Sync),
) -> Result<Vec<Handled>> {
    let workers = if opts.once {
        1
    } else {
        opts.concurrency.max(1)
    };
    // Bind every worker before taking anything: a configuration error is one error, at once.
    let mut bound = Vec::with_capacity(workers);
    for worker in 0..workers {
        let l = Listener::bind(&opts.nats, &opts.consumer)?;
        sink(Event::Bound {
            worker,
            url: l.shown_url().to_string(),
            stream: opts.consumer.stream.clone(),
            consumer: opts.consumer.durable.clone(),
            subject: opts.consumer.filter_subject.clone(),
        });
        bound.push(l);
    }
    let results = std::sync::Mutex::new(Vec::new());
    let stopped_said = std::sync::atomic::AtomicBool::new(false);
    let first_error = std::sync::Mutex::new(None::<anyhow::Error>);
    std::thread::scope(|s| {
        for (worker, l) in bound.into_iter().enumerate() {
            let results = &results;
            let stopped_said = &stopped_said;
            let first_error = &first_error;
            s.spawn(move || {
                let w = Worker {
                    opts,
                    l,
                    worker,
                    stop,
                    sink,
                };
                loop {
                    if let Some(sig) = stop() {
                        if !stopped_said.swap(true, std::sync::atomic::Ordering::SeqCst) {
                            sink(Event::Stopping { signal: sig });
                        }
                        return;
                    }
                    if first_error
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .is_some()
                    {
                        return;
                    }
                    match w.l.next(Duration::from_secs(1)) {
                        Ok(None) => continue,
                        Ok(Some(d)) => match w.handle(d) {
                            Ok(h) => {
                                results.lock().unwrap_or_else(|e| e.into_inner()).push(h);
                                if opts.once {
                                    return;
                                }
                            }
                            Err(e) => {
                                first_error
                                    .lock()
                                    .unwrap_or_else(|e| e.into_inner())
                                    .get_or_insert(e);
                                return;
                            }
                        },
                        Err(e) => {
                            first_error
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .get_or_insert(e);
                            return;
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = first_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    Ok(results.into_inner().unwrap_or_else(|e| e.into_inner()))
}

struct Worker<'a> {
    opts: &'a Options,
    l: Listener,
    worker: usize,
    stop: &'a (dyn Fn() -> Option<i32> + Sync),
    sink: &'a (dyn Fn(Event) + Sync),
}

impl Worker<'_> {
    /// One event, from delivery to its answer.
    fn handle(&self, d: Delivered) -> Result<Handled> {
        let started = Instant::now();
        let parsed = parse_event(&d.payload);
        (self.sink)(Event::Received {
            worker: self.worker,
            req: parsed.as_ref().ok().map(|e| e.req.clone()),
            sequence: d.stream_sequence,
            delivered: d.delivered,
        });
        let (req, handled) = match parsed {
            Err(reason) => {
                self.l.answer(&d, Answer::Term)?;
                (None, Handled::Terminated { reason })
            }
            Ok(ev) => {
                let handled = self.work(&d, &ev)?;
                let answer = match &handled {
                    Handled::Completed | Handled::Blocked { .. } => Answer::Ack,
                    Handled::Released { .. } => Answer::Nak(self.opts.nak_delay),
                    Handled::Terminated { .. } => Answer::Term,
                };
                self.l.answer(&d, answer)?;
                (Some(ev.req), handled)
            }
        };
        (self.sink)(Event::Done {
            worker: self.worker,
            req,
            sequence: d.stream_sequence,
            delivered: d.delivered,
            handled: handled.clone(),
            elapsed: started.elapsed(),
        });
        Ok(handled)
    }

    /// The REQ's steps from the first not done, until every step is done or one does not
    /// succeed. Decides the answer; sends none.
    fn work(&self, d: &Delivered, ev: &StageStarted) -> Result<Handled> {
        let req = &ev.req;
        // The orchestrator gives up on the stage after its timeout: retries of a contended
        // push stop there.
        let deadline = Instant::now()
            + Duration::from_millis(ev.timeout_ms.unwrap_or(DEFAULT_STAGE_TIMEOUT_MS));
        let Source::Branch(b) = &self.opts.source else {
            return self.steps(d, req, None, deadline);
        };
        let recorded = self
            .opts
            .store
            .peek(req)?
            .and_then(|c| c.ledger.commit.map(|r| r.sha));
        let dir = match prepare(b, req, recorded.as_deref()) {
            Ok(dir) => dir,
            // The remote could not be read (another process writing it, a network cut): asked
            // again on the next delivery; at the last one the REQ is blocked with the reason.
            Err(Unprepared::Transient(why)) if d.delivered < self.opts.consumer.max_deliver => {
                return Ok(Handled::Released {
                    reason: format!("{why:#}"),
                });
            }
            Err(Unprepared::Transient(why) | Unprepared::Refused(why)) => {
                let why = format!("{why:#}");
                return self.block(d, req, None, why);
            }
        };
        let handled = self.steps(d, req, Some(&dir), deadline)?;
        if !matches!(handled, Handled::Released { .. })
            && let Err(e) = remove(b, req)
        {
            (self.sink)(Event::Warning {
                worker: self.worker,
                message: format!("{e:#}"),
            });
        }
        Ok(handled)
    }

    fn steps(
        &self,
        d: &Delivered,
        req: &ReqNumber,
        dir: Option<&Path>,
        deadline: Instant,
    ) -> Result<Handled> {
        let last_delivery = d.delivered >= self.opts.consumer.max_deliver;
        let mut previous: Option<Step> = None;
        // A push that rebased onto a ship branch moved by someone else records the rebased
        // commit and stops until it is tested: the listener tests it and pushes again, up to
        // `MAX_REBASES` times within the stage timeout.
        let mut retest: Option<Step> = None;
        let mut rebases = 0;
        loop {
            let ctx = self.opts.store.peek(req)?;
            let step = match (retest.take(), &ctx) {
                (Some(s), _) => s,
                (None, None) => Step::Verify,
                (None, Some(c)) => match crate::workflow::next(c) {
                    Some(s) => s,
                    // Done, even when a stop was asked for during the last step: the notice is
                    // out, so the event is answered (acknowledged), never released to run again.
                    None => return Ok(Handled::Completed),
                },
            };
            // Asked to stop: no new step starts; the next delivery resumes from the record.
            if let Some(sig) = (self.stop)() {
                return Ok(Handled::Released {
                    reason: format!("the listener is stopping (signal {sig})"),
                });
            }
            if previous == Some(step) {
                return self.block(
                    d,
                    req,
                    dir,
                    format!("{step} succeeded but recorded nothing; the listener stops there"),
                );
            }
            let run = self.run_step(d, req, dir, step)?;
            // The branch moved (a commit, a rebase): published for whoever resumes the REQ.
            let moved = match step {
                Step::Commit => run.exit == Some(0),
                // A push that lost the race rebased the commit and stopped for it to be tested.
                Step::Push => run.exit != Some(0),
                _ => false,
            };
            if let (Source::Branch(b), Some(dir), true) = (&self.opts.source, dir, moved)
                && let Err(e) = publish_work(b, dir, req)
            {
                (self.sink)(Event::Warning {
                    worker: self.worker,
                    message: format!("cannot publish {}: {e:#}", work_ref(req)),
                });
            }
            match (run.exit, run.signal) {
                (Some(0), _) => {
                    previous = Some(step);
                    continue;
                }
                (None, sig) | (Some(130), sig) => {
                    crate::fault::point("listen-child-killed");
                    let how = match sig {
                        Some(s) => format!("killed by signal {s}"),
                        None => "interrupted".into(),
                    };
                    return Ok(Handled::Released {
                        reason: format!(
                            "{step} was {how}; the next delivery resumes from the record"
                        ),
                    });
                }
                (Some(_), _)
                    if step == Step::Push
                        && rebases < MAX_REBASES
                        && Instant::now() < deadline
                        && self
                            .opts
                            .store
                            .peek(req)?
                            .is_some_and(|c| rebased_untested(&c)) =>
                {
                    rebases += 1;
                    retest = Some(Step::Test);
                    previous = None;
                    continue;
                }
                (Some(code), _) => {
                    let why = reason_text(step, &run);
                    let transient = matches!(code, 1 | 5);
                    if transient && !last_delivery {
                        return Ok(Handled::Released { reason: why });
                    }
                    let blocked_by_step = self
                        .opts
                        .store
                        .peek(req)?
                        .is_some_and(|c| c.state == Some(ReqState::Blocked));
                    if blocked_by_step && !transient {
                        return Ok(Handled::Blocked { reason: why });
                    }
                    return self.block(d, req, dir, why);
                }
            }
        }
    }

    /// `berry block <REQ> --reason …`: the blocked notice, under the id a manual block gives it.
    fn block(
        &self,
        d: &Delivered,
        req: &ReqNumber,
        dir: Option<&Path>,
        reason: String,
    ) -> Result<Handled> {
        let run = self.run_child(
            d,
            req,
            dir,
            Step::Block,
            &["block", req.as_str(), "--reason", &reason],
        )?;
        if run.exit == Some(0) {
            return Ok(Handled::Blocked { reason });
        }
        let why = format!(
            "{reason}; and blocking it failed: {}",
            reason_text(Step::Block, &run)
        );
        if d.delivered >= self.opts.consumer.max_deliver {
            Ok(Handled::Terminated { reason: why })
        } else {
            Ok(Handled::Released { reason: why })
        }
    }

    fn run_step(
        &self,
        d: &Delivered,
        req: &ReqNumber,
        dir: Option<&Path>,
        step: Step,
    ) -> Result<StepRun> {
        self.run_child(
            d,
            req,
            dir,
            step,
            &[
                "run",
                req.as_str(),
                "--from",
                step.as_str(),
                "--to",
                step.as_str(),
            ],
        )
    }

    /// Runs berry with `args`, saying "in progress" for the message while it works.
    fn run_child(
        &self,
        d: &Delivered,
        req: &ReqNumber,
        dir: Option<&Path>,
        step: Step,
        args: &[&str],
    ) -> Result<StepRun> {
        let started = Instant::now();
        let mut child = self.opts.runner.command(dir, args).spawn().map_err(|e| {
            anyhow::anyhow!(
                "cannot start {} for {step}: {e}",
                self.opts.runner.program.display()
            )
        })?;
        let out = child.stdout.take().map(reader);
        let err = child.stderr.take().map(reader);
        let every = (self.opts.consumer.ack_wait / 3).max(Duration::from_millis(500));
        let mut last_progress = Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait()? {
                break st;
            }
            if last_progress.elapsed() >= every {
                if let Err(e) = self.l.answer(d, Answer::Progress) {
                    (self.sink)(Event::Warning {
                        worker: self.worker,
                        message: format!("{e:#}"),
                    });
                }
                last_progress = Instant::now();
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let stdout = out.and_then(|h| h.join().ok()).unwrap_or_default();
        let stderr = err.and_then(|h| h.join().ok()).unwrap_or_default();
        let last = stdout
            .lines()
            .rev()
            .find_map(|l| serde_json::from_str::<Value>(l).ok());
        let message = last
            .as_ref()
            .and_then(|v| v["message"].as_str())
            .unwrap_or("")
            .to_string();
        let reasons = last
            .as_ref()
            .and_then(|v| v["data"]["reasons"].as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let stderr_tail = stderr
            .lines()
            .rev()
            .take(5)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n");
        let run = StepRun {
            exit: status.code(),
            signal: std::os::unix::process::ExitStatusExt::signal(&status),
            message,
            reasons,
            stderr_tail,
        };
        (self.sink)(Event::Step {
            worker: self.worker,
            req: req.clone(),
            step,
            exit: run.exit,
            message: if run.message.is_empty() {
                run.stderr_tail.clone()
            } else {
                run.message.clone()
            },
            elapsed: started.elapsed(),
        });
        Ok(run)
    }
}

/// Git in the listener's clone is one thing at a time in this process (fetches and worktree
/// edits take the same locks).
static GIT: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs git in `dir` with `input` on stdin; its stdout, or an error with its stderr.
fn git(dir: &Path, args: &[&str], input: Option<&[u8]>) -> Result<Vec<u8>> {
    use std::io::Write as _;
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot run git: {e}"))?;
    if let (Some(bytes), Some(mut stdin)) = (input, child.stdin.take()) {
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&bytes);
        });
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        anyhow::bail!(
            "git {} failed: {}",
            args.first().copied().unwrap_or(""),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out.stdout)
}

/// The worktree of `req`: `agents/<REQ>` fetched from the remote and its changes since it left
/// the base branch applied, uncommitted, onto the base branch's tip (so review sees exactly the
/// agents' work, and the committed `berry.toml` is the base branch's). A worktree made whole
/// before (its `.ready` mark beside it) is resumed as it is; a half-made one is made again.
fn prepare(
    b: &BranchSource,
    req: &ReqNumber,
    recorded: Option<&str>,
) -> Result<PathBuf, Unprepared> {
    let _one = GIT.lock().unwrap_or_else(|e| e.into_inner());
    let agents = format!("agents/{req}");
    // `--exit-code`: 2 when the remote answered and has no such branch (the work is not there:
    // nothing to retry); any other failure is the remote not read this time.
    match Command::new("git")
        .arg("-C")
        .arg(&b.clone)
        .args(["ls-remote", "--exit-code", "--heads", &b.remote])
        .arg(format!("refs/heads/{agents}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
    {
        Ok(out) if out.status.code() == Some(2) => {
            return Err(Unprepared::Refused(anyhow::anyhow!(
                "{} has no branch {agents}: the agents' work is not there",
                b.remote
            )));
        }
        Ok(out) if !out.status.success() => {
            return Err(Unprepared::Transient(anyhow::anyhow!(
                "cannot read {} to find {agents}: {}",
                b.remote,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(_) => {}
        Err(e) => {
            return Err(Unprepared::Transient(anyhow::anyhow!(
                "cannot run git: {e}"
            )));
        }
    }
    make_worktree(b, req, recorded).map_err(Unprepared::Transient)?
}

/// Why a REQ's worktree could not be made.
enum Unprepared {
    /// Worth another try (the remote not read, git failing on a lock).
    Transient(anyhow::Error),
    /// Never worth another try (no such branch; the work does not apply onto the base).
    Refused(anyhow::Error),
}

/// [`prepare`] once the agents' branch is known to exist; the inner `Err` is a refusal.
fn make_worktree(
    b: &BranchSource,
    req: &ReqNumber,
    recorded: Option<&str>,
) -> Result<Result<PathBuf, Unprepared>> {
    let dir = b.worktrees.join(req.as_str());
    let ready = b.worktrees.join(format!("{req}.ready"));
    if ready.exists() && dir.join(".git").exists() {
        return Ok(Ok(dir));
    }
    if dir.exists() {
        let _ = git(
            &b.clone,
            &["worktree", "remove", "--force", &dir.to_string_lossy()],
            None,
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = git(&b.clone, &["worktree", "prune"], None);
    std::fs::create_dir_all(&b.worktrees)?;
    let agents = format!("agents/{req}");
    let remote_agents = format!("refs/remotes/{}/{agents}", b.remote);
    let remote_base = format!("refs/remotes/{}/{}", b.remote, b.base);
    git(
        &b.clone,
        &[
            "fetch",
            "--quiet",
            &b.remote,
            &format!("+refs/heads/{agents}:{remote_agents}"),
            &format!("+refs/heads/{}:{remote_base}", b.base),
        ],
        None,
    )
    .map_err(|e| anyhow::anyhow!("cannot fetch {agents} from {}: {e:#}", b.remote))?;
    let branch = format!("berry/{req}");
    let dir_s = dir.to_string_lossy().into_owned();
    let base = String::from_utf8_lossy(&git(
        &b.clone,
        &["merge-base", &remote_base, &remote_agents],
        None,
    )?)
    .trim()
    .to_string();
    // A commit of this REQ already on the ship branch (made and pushed by a listener that died
    // before it recorded the push): adopted as it is, its work never applied a second time.
    let shipped = adopted(b, req, &base, &remote_base)?;
    // A commit the REQ context records but the ship branch does not hold (made by a listener
    // on another machine that let the event go before it shipped): that listener published it
    // as `refs/berry/work/<REQ>`; the worktree is made at it, so the steps go on from the record
    // and the work is never committed a second time.
    let resumed = match (&shipped, recorded) {
        (None, Some(sha)) => fetch_work(b, req, sha),
        _ => None,
    };
    let start = resumed.clone().unwrap_or_else(|| remote_base.clone());
    git(
        &b.clone,
        &["worktree", "add", "--quiet", "-B", &branch, &dir_s, &start],
        None,
    )?;
    git(
        &dir,
        &[
            "branch",
            "--quiet",
            "--set-upstream-to",
            &format!("{}/{}", b.remote, b.base),
        ],
        None,
    )?;
    if shipped.is_some() || resumed.is_some() {
        std::fs::write(&ready, b"")?;
        return Ok(Ok(dir));
    }
    let diff = git(
        &b.clone,
        &[
            "diff",
            "--binary",
            "--full-index",
            "-M",
            &base,
            &remote_agents,
        ],
        None,
    )?;
    if !diff.is_empty()
        && let Err(e) = git(&dir, &["apply", "--whitespace=nowarn"], Some(&diff))
    {
        let _ = git(&b.clone, &["worktree", "remove", "--force", &dir_s], None);
        return Ok(Err(Unprepared::Refused(anyhow::anyhow!(
            "the work on {agents} does not apply onto {}: {e:#}",
            b.base
        ))));
    }
    std::fs::write(&ready, b"")?;
    Ok(Ok(dir))
}

/// Where a listener publishes the commit it made for `req` on the remote, so a listener on
/// another machine that takes the event over can resume from it.
fn work_ref(req: &ReqNumber) -> String {
    format!("refs/berry/work/{req}")
}

/// The recorded commit `sha` of `req`, fetched from the remote's [`work_ref`]; `None` when it is
/// not there (the machine that made it stopped before publishing it).
fn fetch_work(b: &BranchSource, req: &ReqNumber, sha: &str) -> Option<String> {
    let r = work_ref(req);
    git(
        &b.clone,
        &["fetch", "--quiet", &b.remote, &format!("+{r}:{r}")],
        None,
    )
    .ok()?;
    let is_ancestor = Command::new("git")
        .arg("-C")
        .arg(&b.clone)
        .args(["merge-base", "--is-ancestor", sha, &r])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?
        .success();
    is_ancestor.then(|| sha.to_string())
}

/// Publishes the worktree's branch tip as `req`'s [`work_ref`] on the remote (after `commit`
/// and `push` moved it).
fn publish_work(b: &BranchSource, dir: &Path, req: &ReqNumber) -> Result<()> {
    git(
        dir,
        &[
            "push",
            "--quiet",
            "--force",
            "--no-verify",
            &b.remote,
            &format!("HEAD:{}", work_ref(req)),
        ],
        None,
    )
    .map(|_| ())
}

/// The newest commit on the ship branch since `since` whose trailers say it ships `req`
/// (`Berry-Req: <REQ>` and a `QA-Evidence:` line, as `berry commit` writes them).
fn adopted(b: &BranchSource, req: &ReqNumber, since: &str, tip: &str) -> Result<Option<String>> {
    let log = git(
        &b.clone,
        &["log", "--format=%H%x00%B%x1e", &format!("{since}..{tip}")],
        None,
    )?;
    let want = format!("Berry-Req: {req}");
    Ok(String::from_utf8_lossy(&log)
        .split('\x1e')
        .filter_map(|c| c.trim_start().split_once('\0'))
        .find(|(_, body)| {
            body.lines().any(|l| l.trim() == want)
                && body.lines().any(|l| l.starts_with("QA-Evidence:"))
        })
        .map(|(sha, _)| sha.to_string()))
}

/// Removes the worktree of `req` and its branch once the REQ is answered.
fn remove(b: &BranchSource, req: &ReqNumber) -> Result<()> {
    let _one = GIT.lock().unwrap_or_else(|e| e.into_inner());
    let dir = b.worktrees.join(req.as_str());
    let _ = std::fs::remove_file(b.worktrees.join(format!("{req}.ready")));
    if dir.exists() {
        git(
            &b.clone,
            &["worktree", "remove", "--force", &dir.to_string_lossy()],
            None,
        )?;
    }
    let _ = git(&b.clone, &["branch", "-D", &format!("berry/{req}")], None);
    let _ = git(
        &b.clone,
        &[
            "push",
            "--quiet",
            "--no-verify",
            &b.remote,
            &format!(":{}", work_ref(req)),
        ],
        None,
    );
    let _ = git(&b.clone, &["update-ref", "-d", &work_ref(req)], None);
    Ok(())
}

fn reader<R: Read + Send + 'static>(mut r: R) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// The commit was rebased by `push` and its tree was not tested yet.
fn rebased_untested(ctx: &crate::context::ReqContext) -> bool {
    let Some(commit) = &ctx.ledger.commit else {
        return false;
    };
    commit.rebased_from.is_some()
        && ctx.ledger.tests.as_ref().and_then(|t| t.tree.as_ref()) != commit.tree.as_ref()
}

/// `<step>: <message>` and the step's reasons, one sentence.
fn reason_text(step: Step, run: &StepRun) -> String {
    let mut text = if run.message.is_empty() {
        let tail = run.stderr_tail.lines().next_back().unwrap_or("").trim();
        format!("{step} failed (exit {:?}): {tail}", run.exit)
    } else {
        format!("{step}: {}", run.message)
    };
    for r in &run.reasons {
        if !text.contains(r.as_str()) {
            text.push_str("; ");
            text.push_str(r);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_gets_the_listeners_own_global_arguments_in_order() {
        let args = Runner::global_args(Some(Path::new("c.toml")), None, Some("o/r"));
        assert_eq!(
            args,
            ["--config", "c.toml", "--repo", "o/r"].map(OsString::from)
        );
        assert!(Runner::global_args(None, None, None).is_empty());
    }

    #[test]
    fn once_exits_with_what_the_event_came_to() {
        use crate::error::Exit;
        let reason = String::from("r");
        assert_eq!(Handled::Completed.exit(), Exit::Ok);
        assert_eq!(
            Handled::Blocked {
                reason: reason.clone()
            }
            .exit(),
            Exit::Gate
        );
        assert_eq!(
            Handled::Released {
                reason: reason.clone()
            }
            .exit(),
            Exit::Failure
        );
        assert_eq!(Handled::Terminated { reason }.exit(), Exit::Usage);
    }

    fn event(agent: &str, req: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "eventType": "stage.started",
            "reqNumber": req,
            "stage": "DevOps Deployment",
            "agentId": agent,
            "contextData": {"featureTitle": "CRM", "reqNumber": req, "previousStages": []},
            "timeout": 900000,
            "timestamp": "2026-01-05T12:00:00Z",
        }))
        .unwrap()
    }

    #[test]
    fn a_stage_started_event_for_berry_is_read() {
        let e = parse_event(&event("berry", "REQ-STRATEGIC-AUTO-1767116143665")).unwrap();
        assert_eq!(e.req.as_str(), "REQ-STRATEGIC-AUTO-1767116143665");
        assert_eq!(e.stage.as_deref(), Some("DevOps Deployment"));
        assert_eq!(e.title.as_deref(), Some("CRM"));
        assert_eq!(e.timeout_ms, Some(900000));
    }

    #[test]
    fn poison_messages_are_named() {
        assert!(
            parse_event(b"{not json")
                .unwrap_err()
                .starts_with("not JSON")
        );
        assert!(
            parse_event(&event("billy", "REQ-A-1"))
                .unwrap_err()
                .contains("agentId \"billy\" is not \"berry\"")
        );
        assert!(
            parse_event(&event("berry", "../../etc/passwd"))
                .unwrap_err()
                .starts_with("reqNumber")
        );
        assert_eq!(
            parse_event(br#"{"agentId":"berry"}"#).unwrap_err(),
            "no reqNumber"
        );
        assert_eq!(parse_event(b"[1]").unwrap_err(), "not a JSON object");
        assert!(
            parse_event(
                br#"{"eventType":"stage.completed","agentId":"berry","reqNumber":"REQ-A-1"}"#
            )
            .unwrap_err()
            .contains("is not \"stage.started\"")
        );
    }
}
