//! Watching the GitHub Actions runs of one commit, as a plain state machine.
//!
//! The loop never touches the network or the wall clock itself: it asks an [`Api`] (the real one
//! is [`HttpApi`]; tests and the benchmark pass a simulated one) and a [`Clock`] (real, or
//! simulated so that a 30-minute CI run is watched in microseconds).
//!
//! What it costs: the runs list is polled with `If-None-Match` (a 304 does not count against the
//! rate limit); a run's jobs are fetched only when its list entry changed (status, conclusion,
//! `updated_at`), and otherwise re-checked conditionally every few polls as a safety net; a
//! completed run whose jobs were read after it completed is not asked again. The interval starts
//! at `--interval`, grows by half when nothing changed (up to 4×) and resets on any change.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::github::{ApiError, Client, next_link, query_value, same_origin};

/// One step of a job.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    pub name: String,
    pub number: u64,
    pub status: String,
    pub conclusion: Option<String>,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
}

/// One job of a run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Job {
    pub id: u64,
    pub name: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub url: String,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub steps: Vec<Step>,
}

/// One workflow run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Run {
    pub id: u64,
    pub name: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub url: String,
    pub updated_at: String,
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

impl Run {
    pub fn from_json(v: &Value) -> Option<Run> {
        Some(Run {
            id: v.get("id")?.as_u64()?,
            name: s(v, "name")
                .or_else(|| s(v, "display_title"))
                .unwrap_or_else(|| "workflow".into()),
            status: s(v, "status").unwrap_or_else(|| "queued".into()),
            conclusion: s(v, "conclusion"),
            url: s(v, "html_url").unwrap_or_default(),
            updated_at: s(v, "updated_at").unwrap_or_default(),
        })
    }
    /// What tells a change in the runs list.
    fn key(&self) -> String {
        format!(
            "{}|{}|{}",
            self.status,
            self.conclusion.as_deref().unwrap_or(""),
            self.updated_at
        )
    }
    pub fn completed(&self) -> bool {
        self.status == "completed"
    }
}

impl Job {
    pub fn from_json(v: &Value) -> Option<Job> {
        let steps = v
            .get("steps")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|st| {
                        Some(Step {
                            name: s(st, "name")?,
                            number: st.get("number").and_then(Value::as_u64).unwrap_or(0),
                            status: s(st, "status").unwrap_or_default(),
                            conclusion: s(st, "conclusion"),
                            started_at: s(st, "started_at"),
                            completed_at: s(st, "completed_at"),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Job {
            id: v.get("id")?.as_u64()?,
            name: s(v, "name").unwrap_or_else(|| "job".into()),
            status: s(v, "status").unwrap_or_else(|| "queued".into()),
            conclusion: s(v, "conclusion"),
            url: s(v, "html_url").unwrap_or_default(),
            started_at: s(v, "started_at"),
            completed_at: s(v, "completed_at"),
            steps,
        })
    }
    /// The first step that failed.
    pub fn failing_step(&self) -> Option<&Step> {
        self.steps
            .iter()
            .find(|s| s.conclusion.as_deref() == Some("failure"))
    }
    pub fn failed(&self) -> bool {
        matches!(
            self.conclusion.as_deref(),
            Some("failure" | "timed_out" | "cancelled" | "startup_failure")
        )
    }
}

/// A conclusion that counts as green.
pub fn green(conclusion: Option<&str>) -> bool {
    matches!(conclusion, Some("success" | "skipped" | "neutral"))
}

/// One answer of a conditional, possibly paginated, GET.
#[derive(Debug, Clone, PartialEq)]
pub enum Page<T> {
    /// 200 (each page counted in `pages`), with the first page's `ETag`.
    Fresh {
        items: Vec<T>,
        etag: Option<String>,
        pages: u32,
    },
    /// 304: nothing changed since the `ETag` sent.
    NotModified,
}

/// What the watch loop asks GitHub.
pub trait Api {
    /// The runs of the commit.
    fn runs(&mut self, etag: Option<&str>) -> Result<Page<Run>, ApiError>;
    /// The jobs of one run (its latest attempt).
    fn jobs(&mut self, run: u64, etag: Option<&str>) -> Result<Page<Job>, ApiError>;
}

/// Time, for the loop: elapsed since the start, and a sleep.
pub trait Clock {
    fn elapsed(&self) -> Duration;
    fn sleep(&mut self, d: Duration);
}

/// The wall clock.
pub struct RealClock(Instant);

impl RealClock {
    pub fn start() -> RealClock {
        RealClock(Instant::now())
    }
}

impl Default for RealClock {
    fn default() -> Self {
        Self::start()
    }
}

impl Clock for RealClock {
    fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
    fn sleep(&mut self, d: Duration) {
        std::thread::sleep(d)
    }
}

/// How to watch.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The first interval between polls, and the one after every change.
    pub interval: Duration,
    /// How long to wait for a first run to appear.
    pub appear_timeout: Duration,
    /// Give up after this long.
    pub timeout: Option<Duration>,
    /// The interval grows up to `interval × max_backoff` while nothing changes.
    pub max_backoff: f64,
    /// A run in progress whose list entry did not change still has its jobs re-checked
    /// (conditionally) every this many polls.
    pub jobs_every: u32,
}

impl Options {
    pub fn new(interval: Duration, appear_timeout: Duration, timeout: Option<Duration>) -> Self {
        Options {
            interval,
            appear_timeout,
            timeout,
            max_backoff: 4.0,
            jobs_every: 3,
        }
    }
}

/// A run and what is known of its jobs.
#[derive(Debug, Clone, PartialEq)]
pub struct Watched {
    pub run: Run,
    pub jobs: Vec<Job>,
    jobs_etag: Option<String>,
    /// The run's key when its jobs were last read (`None`: never).
    jobs_for: Option<String>,
    /// Polls since the jobs were last asked for.
    since: u32,
}

impl Watched {
    fn new(run: Run) -> Watched {
        Watched {
            run,
            jobs: Vec::new(),
            jobs_etag: None,
            jobs_for: None,
            since: 0,
        }
    }
    /// Completed, and its jobs read after it completed.
    pub fn settled(&self) -> bool {
        self.run.completed() && self.jobs_for.as_deref() == Some(&self.run.key())
    }
}

/// What the loop tells its observer.
#[derive(Debug)]
pub enum Event<'a> {
    /// No run yet for the commit.
    Waiting { elapsed: Duration },
    /// Something changed; the runs as they are now.
    Changed {
        runs: &'a [Watched],
        elapsed: Duration,
    },
    /// GitHub refused for the rate limit; the loop waits this long, then goes on.
    RateLimited { wait: Duration },
}

/// How the watch ended.
#[derive(Debug, Clone, PartialEq)]
pub enum End {
    /// Every run completed.
    Completed(Vec<Watched>),
    /// No run appeared within the grace period.
    NoRuns,
    /// `timeout` passed first; the runs as they were.
    TimedOut(Vec<Watched>),
}

/// The end and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub end: End,
    /// Requests answered 200 (each page counted): these cost rate limit.
    pub ok: u32,
    /// Requests answered 304: these do not.
    pub not_modified: u32,
    pub polls: u32,
    pub elapsed: Duration,
}

/// Watches until every run completes, none appears in time, or the timeout passes.
pub fn watch(
    api: &mut dyn Api,
    clock: &mut dyn Clock,
    opts: &Options,
    on: &mut dyn FnMut(Event<'_>),
) -> Result<Summary, ApiError> {
    let mut runs: Vec<Watched> = Vec::new();
    let mut runs_etag: Option<String> = None;
    let mut ok = 0u32;
    let mut nm = 0u32;
    let mut polls = 0u32;
    let mut interval = opts.interval;
    let max_interval = opts.interval.mul_f64(opts.max_backoff.max(1.0));
    let mut told_waiting = false;
    let summary = |end, ok, nm, polls, clock: &dyn Clock| Summary {
        end,
        ok,
        not_modified: nm,
        polls,
        elapsed: clock.elapsed(),
    };
    loop {
        polls += 1;
        let mut changed = false;
        let polled = (|| -> Result<(), ApiError> {
            match api.runs(runs_etag.as_deref())? {
                Page::NotModified => nm += 1,
                Page::Fresh { items, etag, pages } => {
                    ok += pages;
                    runs_etag = etag;
                    let mut next: Vec<Watched> = Vec::with_capacity(items.len());
                    for run in items {
                        // A rerun of a workflow comes back with the same id: keep one entry.
                        if next.iter().any(|w| w.run.id == run.id) {
                            continue;
                        }
                        match runs.iter().find(|w| w.run.id == run.id) {
                            Some(w) => {
                                if w.run != run {
                                    changed = true;
                                }
                                let mut w = w.clone();
                                w.run = run;
                                next.push(w);
                            }
                            None => {
                                changed = true;
                                next.push(Watched::new(run));
                            }
                        }
                    }
                    if next.len() != runs.len() {
                        changed = true;
                    }
                    next.sort_by(|a, b| a.run.name.cmp(&b.run.name).then(a.run.id.cmp(&b.run.id)));
                    runs = next;
                }
            }
            for w in runs.iter_mut() {
                if w.settled() {
                    continue;
                }
                let key = w.run.key();
                let due = w.jobs_for.as_deref() != Some(&key) || w.since + 1 >= opts.jobs_every;
                if !due {
                    w.since += 1;
                    continue;
                }
                match api.jobs(w.run.id, w.jobs_etag.as_deref())? {
                    Page::NotModified => nm += 1,
                    Page::Fresh { items, etag, pages } => {
                        ok += pages;
                        w.jobs_etag = etag;
                        if items != w.jobs {
                            changed = true;
                            w.jobs = items;
                        }
                    }
                }
                w.jobs_for = Some(key);
                w.since = 0;
            }
            Ok(())
        })();
        match polled {
            Ok(()) => {}
            Err(ApiError::RateLimited { reset, now, .. }) => {
                let wait = reset
                    .map(|r| {
                        Duration::from_secs((r.as_second() - now.as_second()).max(0) as u64 + 1)
                    })
                    .unwrap_or(Duration::from_secs(60));
                if let Some(t) = opts.timeout
                    && clock.elapsed() + wait >= t
                {
                    return Ok(summary(End::TimedOut(runs), ok, nm, polls, clock));
                }
                on(Event::RateLimited { wait });
                clock.sleep(wait);
                continue;
            }
            Err(e) => return Err(e),
        }
        let elapsed = clock.elapsed();
        if runs.is_empty() {
            if elapsed >= opts.appear_timeout {
                return Ok(summary(End::NoRuns, ok, nm, polls, clock));
            }
            if !told_waiting {
                told_waiting = true;
                on(Event::Waiting { elapsed });
            }
        } else {
            if changed {
                on(Event::Changed {
                    runs: &runs,
                    elapsed,
                });
            }
            if runs.iter().all(Watched::settled) {
                return Ok(summary(End::Completed(runs), ok, nm, polls, clock));
            }
        }
        if let Some(t) = opts.timeout
            && elapsed >= t
        {
            return Ok(summary(End::TimedOut(runs), ok, nm, polls, clock));
        }
        // Adaptive: back off while nothing changes (not while waiting for runs to appear).
        if changed || runs.is_empty() {
            interval = opts.interval;
        } else {
            interval = interval.mul_f64(1.5).min(max_interval);
        }
        let mut sleep = interval;
        if let Some(t) = opts.timeout {
            sleep = sleep.min(t.saturating_sub(elapsed));
        }
        if runs.is_empty() {
            sleep = sleep.min(opts.appear_timeout.saturating_sub(elapsed));
        }
        clock.sleep(sleep);
    }
}

/// The real API, through berry's GitHub client. Counts nothing itself: [`watch`] does.
pub struct HttpApi<'a> {
    pub client: &'a Client,
    /// `/repos/{owner}/{repo}`.
    pub repo_path: String,
    pub sha: String,
}

impl HttpApi<'_> {
    pub fn runs_path(&self) -> String {
        format!(
            "{}/actions/runs?head_sha={}&per_page=100",
            self.repo_path,
            query_value(&self.sha)
        )
    }
    pub fn jobs_path(&self, run: u64) -> String {
        format!(
            "{}/actions/runs/{run}/jobs?filter=latest&per_page=100",
            self.repo_path
        )
    }

    /// A conditional GET of the first page; when it is fresh, every `Link: rel="next"` page too.
    fn pages(
        &self,
        path: &str,
        etag: Option<&str>,
        key: &str,
        what: &str,
    ) -> Result<Page<Value>, ApiError> {
        let headers: Vec<(&str, &str)> = etag.map(|e| ("If-None-Match", e)).into_iter().collect();
        let mut reply = self
            .client
            .send(reqwest::Method::GET, path, None, &headers)?;
        if reply.status == 304 {
            return Ok(Page::NotModified);
        }
        let first_etag = reply.header("etag").map(str::to_string);
        let mut items = Vec::new();
        let mut pages = 0u32;
        let mut at = path.to_string();
        loop {
            if !(200..300).contains(&reply.status) {
                return Err(self.client.error_for("GET", &at, what, &reply));
            }
            pages += 1;
            let v = reply.json().ok_or_else(|| ApiError::Unexpected {
                method: "GET".into(),
                path: at.clone(),
                detail: "the body is not JSON".into(),
            })?;
            match v.get(key) {
                Some(Value::Array(a)) => items.extend(a.iter().cloned()),
                _ => {
                    return Err(ApiError::Unexpected {
                        method: "GET".into(),
                        path: at,
                        detail: format!("no `{key}` list in the answer"),
                    });
                }
            }
            let Some(next) = reply.header("link").and_then(next_link) else {
                break;
            };
            if pages >= 50 || !same_origin(&self.client.url(&next), self.client.base()) {
                break;
            }
            at = next;
            reply = self.client.send(reqwest::Method::GET, &at, None, &[])?;
        }
        Ok(Page::Fresh {
            items,
            etag: first_etag,
            pages,
        })
    }
}

fn convert<T>(p: Page<Value>, f: impl Fn(&Value) -> Option<T>) -> Page<T> {
    match p {
        Page::NotModified => Page::NotModified,
        Page::Fresh { items, etag, pages } => Page::Fresh {
            items: items.iter().filter_map(f).collect(),
            etag,
            pages,
        },
    }
}

impl Api for HttpApi<'_> {
    fn runs(&mut self, etag: Option<&str>) -> Result<Page<Run>, ApiError> {
        let p = self.pages(
            &self.runs_path(),
            etag,
            "workflow_runs",
            "the workflow runs",
        )?;
        Ok(convert(p, Run::from_json))
    }
    fn jobs(&mut self, run: u64, etag: Option<&str>) -> Result<Page<Job>, ApiError> {
        let p = self.pages(
            &self.jobs_path(run),
            etag,
            "jobs",
            &format!("the jobs of run {run}"),
        )?;
        Ok(convert(p, Job::from_json))
    }
}

/// The last lines of each failed step in a job's plain-text log.
///
/// The log has one timestamp per line (`2024-05-06T04:58:15.3984351Z text`), `##[group]` /
/// `##[endgroup]` folding markers and `##[error]` lines. A failed step's lines are those stamped
/// between its `started_at` and `completed_at`; when the times do not place any line (clock skew,
/// missing times), the end of the log is used, where the failure is. Markers are dropped, except
/// `##[error]`, which is kept as `error: …`.
pub fn failed_step_lines(log: &str, step: &Step, keep: usize) -> Vec<String> {
    let mut tail = LogTail::new(std::slice::from_ref(step), keep);
    for line in log.lines() {
        tail.push(line);
    }
    tail.finish().pop().unwrap_or_default()
}

/// How much of one job's log is read, at most (a log is streamed, never held whole).
pub const MAX_LOG_BYTES: u64 = 256 << 20;

/// The longest log line kept, in bytes; the rest of a longer line is cut (with `…`).
pub const MAX_LINE_BYTES: usize = 4096;

/// The excerpts of several failed steps, taken from one pass over a job's log, in memory bounded
/// by `keep` lines of at most [`MAX_LINE_BYTES`] per step whatever the log's size: each step keeps
/// the last `keep` lines stamped inside its time window, and the log's last `keep` lines stand in
/// for a step whose window placed none (see [`failed_step_lines`] for the rules).
pub struct LogTail {
    windows: Vec<Option<(i64, i64)>>,
    picked: Vec<Ring>,
    end: Ring,
    inside: Vec<bool>,
}

/// The last `cap` non-trailing-blank lines: blank lines are held apart until a line with text
/// follows them, so blank lines at the very end are dropped as the excerpt's rules say.
struct Ring {
    cap: usize,
    lines: std::collections::VecDeque<String>,
    blanks: std::collections::VecDeque<String>,
    any: bool,
}

impl Ring {
    fn new(cap: usize) -> Ring {
        Ring {
            cap,
            lines: Default::default(),
            blanks: Default::default(),
            any: false,
        }
    }
    fn push(&mut self, line: String) {
        self.any = true;
        if line.trim().is_empty() {
            if self.blanks.len() == self.cap {
                self.blanks.pop_front();
            }
            self.blanks.push_back(line);
            return;
        }
        for b in self.blanks.drain(..) {
            self.lines.push_back(b);
        }
        self.lines.push_back(line);
        while self.lines.len() > self.cap {
            self.lines.pop_front();
        }
    }
    fn into_vec(self) -> Vec<String> {
        self.lines.into()
    }
}

impl LogTail {
    pub fn new(steps: &[Step], keep: usize) -> LogTail {
        use jiff::Timestamp;
        let parse = |t: &Option<String>| t.as_deref().and_then(|t| t.parse::<Timestamp>().ok());
        let windows: Vec<Option<(i64, i64)>> = steps
            .iter()
            .map(|s| match (parse(&s.started_at), parse(&s.completed_at)) {
                // Whole seconds: GitHub gives step times to the second, log lines to the 100 ns.
                (Some(f), Some(t)) => Some((f.as_second(), t.as_second())),
                _ => None,
            })
            .collect();
        LogTail {
            picked: windows.iter().map(|_| Ring::new(keep)).collect(),
            inside: vec![false; windows.len()],
            windows,
            end: Ring::new(keep),
        }
    }

    /// One line of the log (without its line break).
    pub fn push(&mut self, raw: &str) {
        use jiff::Timestamp;
        let l = raw.trim_start_matches('\u{feff}').trim_end_matches('\r');
        let (t, text) = match l.split_once(' ') {
            Some((ts, rest)) => match ts.parse::<Timestamp>() {
                Ok(t) => (Some(t), rest),
                Err(_) => (None, l),
            },
            None => match l.parse::<Timestamp>() {
                Ok(t) => (Some(t), ""),
                Err(_) => (None, l),
            },
        };
        if let Some(t) = t {
            self.place(t.as_second());
        }
        let Some(clean) = clean_log_text(text) else {
            return;
        };
        for (i, inside) in self.inside.iter().enumerate() {
            if *inside {
                self.picked[i].push(clean.clone());
            }
        }
        self.end.push(clean);
    }

    fn place(&mut self, t: i64) {
        for (i, w) in self.windows.iter().enumerate() {
            if let Some((from, to)) = w {
                self.inside[i] = t >= *from && t <= *to;
            }
        }
    }

    /// Reads a whole log from `r` line by line, reading at most `cap_bytes`; returns whether the
    /// log was cut at the cap.
    pub fn read_from(
        &mut self,
        r: &mut dyn std::io::Read,
        cap_bytes: u64,
    ) -> std::io::Result<bool> {
        use std::io::BufRead;
        let mut limited =
            std::io::BufReader::with_capacity(64 * 1024, std::io::Read::take(r, cap_bytes));
        let mut buf = Vec::with_capacity(MAX_LINE_BYTES);
        let mut total = 0u64;
        loop {
            buf.clear();
            // One line; at most MAX_LINE_BYTES of it are kept.
            let mut len = 0usize;
            let mut any = false;
            loop {
                let chunk = limited.fill_buf()?;
                if chunk.is_empty() {
                    break;
                }
                any = true;
                let (content, used, done) = match chunk.iter().position(|c| *c == b'\n') {
                    Some(i) => (i, i + 1, true),
                    None => (chunk.len(), chunk.len(), false),
                };
                let take = content.min(MAX_LINE_BYTES - buf.len());
                buf.extend_from_slice(&chunk[..take]);
                len += content;
                limited.consume(used);
                total += used as u64;
                if done {
                    break;
                }
            }
            if !any {
                break;
            }
            let mut line = String::from_utf8_lossy(&buf).into_owned();
            if len > MAX_LINE_BYTES {
                line.push('…');
            }
            self.push(&line);
        }
        Ok(total >= cap_bytes)
    }

    /// Each step's excerpt, in the order the steps were given.
    pub fn finish(self) -> Vec<Vec<String>> {
        let end = self.end.into_vec();
        self.picked
            .into_iter()
            .map(|r| if r.any { r.into_vec() } else { end.clone() })
            .collect()
    }
}

/// Folding markers are dropped; `##[error]` and `##[warning]` become `error:` and `warning:`.
fn clean_log_text(text: &str) -> Option<String> {
    if text.starts_with("##[group]") || text.starts_with("##[endgroup]") {
        return None;
    }
    if let Some(e) = text.strip_prefix("##[error]") {
        return Some(format!("error: {e}"));
    }
    Some(
        text.strip_prefix("##[warning]")
            .map(|w| format!("warning: {w}"))
            .unwrap_or_else(|| text.to_string()),
    )
}

pub mod ci;
pub mod issue;
pub mod sim;

#[cfg(test)]
mod tests;
