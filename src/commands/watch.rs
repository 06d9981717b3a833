//! `berry watch`: every GitHub Actions run for the pushed commit, until all complete.

use anyhow::{Context as _, Result};
use clap::Args;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde_json::json;
use std::time::Duration;

use super::{Env, Outcome, Session, Step, StepReport, Workspace};
use crate::config::NoCi;
use crate::context::IssueRecord;
use crate::error::BerryError;
use crate::github::{self, Client, RepoId, pulls};
use crate::printer::{Printer, Tone};
use crate::push::PushRecord;
use crate::watch::{self as w, End, Event, HttpApi, Watched};

/// Watch every GitHub Actions run for the pushed commit until all complete. Green exits 0; red
/// captures the failed steps' logs, opens (or updates) one issue for the REQ, marks it BLOCKED,
/// publishes a blocked notice and exits 3.
///
/// The runs are those of the SHA `berry push` recorded (after a rebase, the rebased commit). When
/// no run appears within --appear-timeout, config github.no_ci decides: "skipped" (recorded,
/// exit 0) or "failure" (BLOCKED, exit 3). Polls use If-None-Match, so unchanged answers (304)
/// cost no rate limit; the interval grows up to 4× while nothing changes. The issue body comes
/// from templates/ci-failure.md, overridable by .berry/templates/ci-failure.md. Durations accept
/// decimals (--interval 0.5).
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Seconds to wait for runs to appear after the push.
    #[arg(long, value_name = "SECS", default_value_t = 120.0, value_parser = secs)]
    pub appear_timeout: f64,
    /// Seconds between polls (adapted to what changes).
    #[arg(long, value_name = "SECS", default_value_t = 10.0, value_parser = positive_secs)]
    pub interval: f64,
    /// Give up after this many seconds (exit 5).
    #[arg(long, value_name = "SECS", value_parser = positive_secs)]
    pub timeout: Option<f64>,
}

fn secs(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=31_536_000.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "`{s}` is not a number of seconds (0 to 31536000, decimals allowed)"
        )),
    }
}

fn positive_secs(s: &str) -> Result<f64, String> {
    match secs(s)? {
        v if v > 0.0 => Ok(v),
        _ => Err("must be more than 0 seconds".into()),
    }
}

pub use crate::context::{Requests, RunRecord, WatchRecord};

pub const TEMPLATE: &str = include_str!("../../templates/ci-failure.md");
pub const OVERRIDE: &str = ".berry/templates/ci-failure.md";

/// The hidden marker that finds the REQ's CI-failure issue again.
pub fn marker(req: &str) -> String {
    format!("<!-- berry:ci-failure {req} -->")
}

/// Lines kept from the end of each failed step's log.
const KEEP_LINES: usize = 40;

fn dur(v: f64) -> Duration {
    Duration::from_secs_f64(v)
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

pub fn run(env: &Env, args: WatchArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(None, &ws.store)?;
    let p = &env.printer;
    let mut session = Session::existing(&ws.store, req.clone(), Step::Watch)?;
    let push = PushRecord::recorded(&session.ctx, Step::Watch)?;
    let sha = push.sha.clone();

    // A rerun for the same commit: report what is recorded, ask nothing.
    if let Some(prev) = session.ctx.ledger.watch.clone().filter(|r| r.sha == sha) {
        return recorded(p, &req, prev);
    }

    if let Some(reason) = super::pr::no_github(env, &ws, &push) {
        // No CI can be watched here: what `complete` then accepts is `github.no_ci`'s call.
        let rec = WatchRecord {
            conclusion: "skipped".into(),
            sha: sha.clone(),
            runs: vec![],
            requests: Requests::default(),
            at: crate::clock::now()?,
            issue: None,
            reason: Some(reason.clone()),
        };
        if !p.dry_run() {
            session.ctx.ledger.watch = Some(rec.clone());
            session.record(Step::Watch, Outcome::Skipped, &reason)?;
        }
        p.line(format!(
            "{} watch skipped: {reason}",
            p.paint(Tone::Dim, "–")
        ));
        return Ok(
            StepReport::new("watch", Some(req), Outcome::Skipped, reason)
                .with_data(serde_json::to_value(&rec)?),
        );
    }
    let repo_id = super::pr::resolve_repo(env, &ws, &push)?;
    let client = github::client_for(&repo_id, &ws.config.github)?;
    let mut api = HttpApi {
        client: &client,
        repo_path: pulls::repo_path(&repo_id),
        sha: sha.clone(),
    };
    let opts = w::Options::new(
        dur(args.interval),
        dur(args.appear_timeout),
        args.timeout.map(dur),
    );

    if p.dry_run() {
        return dry_run(p, &ws, &req, &client, &api, &repo_id, &args);
    }
    if client.token_source().is_none() {
        p.warn(format!(
            "no GitHub token in {}: watching without one (60 requests an hour)",
            github::token_sources(!github::is_dotcom(client.base()))
        ));
    }

    p.line(format!(
        "{} the CI of {} ({}) on {repo_id}",
        p.paint(Tone::Strong, "Watching"),
        short(&sha),
        push.branch
    ));
    let mut display = Display::new(p);
    let summary = w::watch(&mut api, &mut w::RealClock::start(), &opts, &mut |e| {
        display.event(e)
    });
    display.finish();
    let summary = summary.map_err(|e| e.into_berry())?;
    let requests = Requests {
        ok: summary.ok,
        not_modified: summary.not_modified,
    };
    p.line(p.paint(
        Tone::Dim,
        format!(
            "  {} polls in {}: {} requests answered 200 (counted against the rate limit), {} answered 304 (free)",
            summary.polls,
            human(summary.elapsed),
            requests.ok,
            requests.not_modified
        ),
    ));
    let now = crate::clock::now()?;

    let runs = match summary.end {
        End::TimedOut(runs) => {
            let open: Vec<String> = runs
                .iter()
                .filter(|r| !r.settled())
                .map(|r| format!("{} ({})", r.run.name, r.run.status))
                .collect();
            let what = if runs.is_empty() {
                "no run had appeared yet".to_string()
            } else {
                format!("still running: {}", open.join(", "))
            };
            return Err(BerryError::timeout(format!(
                "CI for {} did not finish within {}s ({what})",
                short(&sha),
                args.timeout.unwrap_or_default()
            ))
            .with_hint("run `berry watch` again to keep watching (a longer --timeout waits more)")
            .into());
        }
        End::NoRuns => {
            let waited = args.appear_timeout;
            let rec = WatchRecord {
                conclusion: match ws.config.github.no_ci {
                    NoCi::Skipped => "skipped",
                    NoCi::Failure => "failure",
                }
                .into(),
                sha: sha.clone(),
                runs: vec![],
                requests,
                at: now,
                issue: None,
                reason: None,
            };
            return match ws.config.github.no_ci {
                NoCi::Skipped => {
                    let msg = format!(
                        "no CI run appeared for {} within {waited}s: recorded as skipped (github.no_ci = \"skipped\")",
                        short(&sha)
                    );
                    session.ctx.ledger.watch = Some(rec.clone());
                    session.record(Step::Watch, Outcome::Skipped, &msg)?;
                    p.line(format!("{} {msg}", p.paint(Tone::Warn, "–")));
                    Ok(StepReport::new("watch", Some(req), Outcome::Skipped, msg)
                        .with_data(serde_json::to_value(&rec)?))
                }
                NoCi::Failure => {
                    let reason = format!(
                        "no CI run appeared for {} within {waited}s, and github.no_ci says that is a failure",
                        short(&sha)
                    );
                    p.line(format!("{} {reason}", p.paint(Tone::Bad, "✖")));
                    let done = super::block::apply(env, &ws, &mut session, &reason, "watch")?;
                    session.ctx.ledger.watch = Some(rec.clone());
                    session.record(Step::Watch, Outcome::Blocked, &reason)?;
                    Ok(
                        StepReport::new("watch", Some(req), Outcome::Blocked, reason).with_data(
                            json!({"watch": serde_json::to_value(&rec)?, "block": done.data}),
                        ),
                    )
                }
            };
        }
        End::Completed(runs) => runs,
    };

    let run_records: Vec<RunRecord> = runs
        .iter()
        .map(|r| RunRecord {
            id: r.run.id,
            name: r.run.name.clone(),
            conclusion: r.run.conclusion.clone(),
            url: r.run.url.clone(),
        })
        .collect();
    let all_green = runs.iter().all(|r| w::green(r.run.conclusion.as_deref()));
    if all_green {
        let rec = WatchRecord {
            conclusion: "success".into(),
            sha: sha.clone(),
            runs: run_records,
            requests,
            at: now,
            issue: None,
            reason: None,
        };
        let msg = format!(
            "CI is green for {}: {} run{} passed",
            short(&sha),
            runs.len(),
            if runs.len() == 1 { "" } else { "s" }
        );
        session.ctx.ledger.watch = Some(rec.clone());
        session.record(Step::Watch, Outcome::Ok, &msg)?;
        p.line(format!("{} {msg}", p.paint(Tone::Good, "✔")));
        super::print_next(p, &session.ctx, Step::Watch);
        return Ok(StepReport::new("watch", Some(req), Outcome::Ok, msg)
            .with_data(serde_json::to_value(&rec)?));
    }

    // Red: the failed steps' logs, the issue, BLOCKED, the notice.
    let failed = failures(p, &client, &repo_id, &runs);
    let body = render(&ws, &session, &req, &push, &runs, &failed, now)?;
    let title = match session.ctx.title.as_deref() {
        Some(t) => format!("CI failed for {req}: {t}"),
        None => format!("CI failed for {req}"),
    };
    let issue = open_or_update(
        p,
        &client,
        &repo_id,
        &mut session,
        (&title, &body),
        &ws.config.github.issue_label,
    )?;
    let first = failed
        .first()
        .map(|f| {
            let step = f
                .steps
                .first()
                .map(|s| format!(" (step {})", s.name))
                .unwrap_or_default();
            format!("{} / {}{step}", f.run, f.name)
        })
        .unwrap_or_else(|| "a workflow run".into());
    let reason = format!(
        "CI failed for {}: {first}; issue #{}",
        short(&sha),
        issue.number
    );
    let done = super::block::apply(env, &ws, &mut session, &reason, "watch")?;
    let rec = WatchRecord {
        conclusion: "failure".into(),
        sha: sha.clone(),
        runs: run_records,
        requests,
        at: now,
        issue: Some(issue.number),
        reason: None,
    };
    session.ctx.ledger.watch = Some(rec.clone());
    session.record(Step::Watch, Outcome::Blocked, &reason)?;
    p.line(format!("{} {reason}", p.paint(Tone::Bad, "✖")));
    p.result(&issue.url);
    Ok(
        StepReport::new("watch", Some(req), Outcome::Blocked, reason).with_data(json!({
            "watch": serde_json::to_value(&rec)?,
            "issue": {"number": issue.number, "url": issue.url},
            "block": done.data,
        })),
    )
}

fn recorded(p: &Printer, req: &crate::req::ReqNumber, prev: WatchRecord) -> Result<StepReport> {
    let data = serde_json::to_value(&prev)?;
    let sha = short(&prev.sha).to_string();
    let (outcome, msg) = match prev.conclusion.as_str() {
        "success" => (
            Outcome::Ok,
            format!("CI was green for {sha} (recorded at {})", prev.at),
        ),
        "skipped" => (
            Outcome::Skipped,
            format!("no CI run appeared for {sha}: recorded as skipped"),
        ),
        _ => (
            Outcome::Blocked,
            format!(
                "CI failed for {sha} (recorded at {}{})",
                prev.at,
                prev.issue
                    .map(|n| format!("; issue #{n}"))
                    .unwrap_or_default()
            ),
        ),
    };
    let tone = match outcome {
        Outcome::Ok => Tone::Good,
        Outcome::Blocked => Tone::Bad,
        _ => Tone::Warn,
    };
    p.line(format!(
        "{} {msg}; nothing asked of GitHub. A new push is watched again.",
        p.paint(tone, "•")
    ));
    Ok(StepReport::new("watch", Some(req.clone()), outcome, msg).with_data(data))
}

fn dry_run(
    p: &Printer,
    ws: &Workspace,
    req: &crate::req::ReqNumber,
    client: &Client,
    api: &HttpApi<'_>,
    repo_id: &RepoId,
    args: &WatchArgs,
) -> Result<StepReport> {
    let base = client.base();
    let rp = pulls::repo_path(repo_id);
    p.line("would poll (nothing was sent):");
    p.result(format!("GET {base}{}", api.runs_path()));
    p.result(format!(
        "GET {base}{}",
        api.jobs_path(0).replace("/0/", "/{run_id}/")
    ));
    p.line(format!(
        "  every {}s at first (up to 4× while nothing changes), with If-None-Match after the first answer; runs may take {}s to appear{}",
        args.interval,
        args.appear_timeout,
        args.timeout
            .map(|t| format!("; give up after {t}s"))
            .unwrap_or_default()
    ));
    p.line("on a failure it would send:");
    p.result(format!("GET {base}{rp}/actions/jobs/{{job_id}}/logs"));
    p.result(format!("GET {base}{rp}/issues?state=open&per_page=100"));
    p.result(format!(
        "POST {base}{rp}/issues  (or PATCH {base}{rp}/issues/{{number}} when the issue marked {} exists)",
        marker(req.as_str())
    ));
    p.line(format!(
        "  then mark {req} BLOCKED in {} and publish the blocked notice",
        ws.config.tracker.path
    ));
    Ok(
        StepReport::new("watch", Some(req.clone()), Outcome::Skipped, "dry run").with_data(json!({
            "repo": repo_id.full_name(),
            "api": base,
            "runs": format!("{base}{}", api.runs_path()),
        })),
    )
}

/// A failed job with its failed steps' last lines.
#[derive(Debug, Clone, serde::Serialize)]
struct Failed {
    run: String,
    name: String,
    conclusion: String,
    url: String,
    steps: Vec<FailedStep>,
    log_error: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
struct FailedStep {
    name: String,
    lines: Vec<String>,
}

fn failures(p: &Printer, client: &Client, repo: &RepoId, runs: &[Watched]) -> Vec<Failed> {
    let mut out = Vec::new();
    for r in runs
        .iter()
        .filter(|r| !w::green(r.run.conclusion.as_deref()))
    {
        let jobs: Vec<_> = r.jobs.iter().filter(|j| j.failed()).collect();
        if jobs.is_empty() {
            out.push(Failed {
                run: r.run.name.clone(),
                name: "(the run)".into(),
                conclusion: r.run.conclusion.clone().unwrap_or_default(),
                url: r.run.url.clone(),
                steps: vec![],
                log_error: None,
            });
            continue;
        }
        for j in jobs {
            let path = format!("{}/actions/jobs/{}/logs", pulls::repo_path(repo), j.id);
            p.detail(format!("reading the log of {} / {}", r.run.name, j.name));
            // The failed steps, or the end of the whole log when no step is marked failed; read
            // in one pass as a stream, so memory stays flat whatever the log's size.
            let mut wanted: Vec<w::Step> = j
                .steps
                .iter()
                .filter(|s| s.conclusion.as_deref() == Some("failure"))
                .cloned()
                .collect();
            let whole_log = wanted.is_empty();
            if whole_log {
                wanted.push(w::Step {
                    name: "(end of the job's log)".into(),
                    number: 0,
                    status: String::new(),
                    conclusion: None,
                    started_at: None,
                    completed_at: None,
                });
            }
            let mut tail = w::LogTail::new(&wanted, KEEP_LINES);
            let read = client.get_following_with(&path, &format!("the log of job {}", j.id), |r| {
                tail.read_from(r, w::MAX_LOG_BYTES)
            });
            let mut log_error = None;
            match read {
                Ok(true) => p.warn(format!(
                    "the log of {} / {} is longer than {} MiB; its excerpt comes from the first {} MiB",
                    r.run.name,
                    j.name,
                    w::MAX_LOG_BYTES >> 20,
                    w::MAX_LOG_BYTES >> 20
                )),
                Ok(false) => {}
                Err(e) => {
                    p.warn(format!(
                        "the log of {} / {} could not be read: {e}",
                        r.run.name, j.name
                    ));
                    log_error = Some(super::effects::mask(&e.to_string()));
                }
            }
            let excerpts = tail.finish();
            let mut steps: Vec<FailedStep> = wanted
                .iter()
                .zip(excerpts)
                .filter(|(_, lines)| !(whole_log && lines.is_empty()))
                .map(|(s, lines)| FailedStep {
                    name: s.name.clone(),
                    lines: lines.iter().map(|l| super::effects::mask(l)).collect(),
                })
                .collect();
            for s in steps.iter_mut() {
                // Keep the excerpt inside its fence.
                for l in s.lines.iter_mut() {
                    if l.contains("```") {
                        *l = l.replace("```", "'''");
                    }
                }
            }
            out.push(Failed {
                run: r.run.name.clone(),
                name: j.name.clone(),
                conclusion: j.conclusion.clone().unwrap_or_default(),
                url: j.url.clone(),
                steps,
                log_error,
            });
        }
    }
    out
}

fn render(
    ws: &Workspace,
    session: &Session,
    req: &crate::req::ReqNumber,
    push: &PushRecord,
    runs: &[Watched],
    failed: &[Failed],
    now: jiff::Timestamp,
) -> Result<String> {
    let over = ws.root.join(OVERRIDE);
    let text = match std::fs::read_to_string(&over) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => TEMPLATE.to_string(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", over.display())),
    };
    let mark = marker(req.as_str());
    let ctx = json!({
        "marker": mark,
        "req": req.as_str(),
        "title": session.ctx.title.as_deref().unwrap_or(""),
        "sha": push.sha,
        "short": short(&push.sha),
        "branch": push.branch,
        "pr_url": session.ctx.ledger.pr.as_ref().and_then(|v| v.url.clone()),
        "at": crate::clock::rfc3339(now),
        "runs": runs.iter().map(|r| json!({
            "name": r.run.name,
            "conclusion": r.run.conclusion.as_deref().unwrap_or("-"),
            "url": r.run.url,
        })).collect::<Vec<_>>(),
        "failed": failed,
    });
    let mut j = minijinja::Environment::new();
    j.set_trim_blocks(true);
    j.set_lstrip_blocks(true);
    j.add_template_owned("ci-failure.md", text)
        .context("the CI-failure issue template does not parse")?;
    let out = j
        .get_template("ci-failure.md")?
        .render(minijinja::Value::from_serialize(&ctx))
        .context("the CI-failure issue template does not render")?;
    let mut out = out.trim_end().to_string() + "\n";
    if !out.contains(&mark) {
        out = format!("{mark}\n{out}");
    }
    Ok(out)
}

/// Updates the REQ's CI-failure issue (recorded, else found by its label and marker), or opens
/// it with the label, and records it at once.
fn open_or_update(
    p: &Printer,
    client: &Client,
    repo: &RepoId,
    session: &mut Session,
    (title, body): (&str, &str),
    label: &str,
) -> Result<pulls::Issue> {
    let req = session.req.clone();
    let recorded = session.ctx.ledger.issue.as_ref().map(|i| i.number);
    let mark = marker(req.as_str());
    let text = super::effects::IssueText {
        marker: &mark,
        title,
        body,
        label,
    };
    let (issue, created) = super::effects::open_or_update_issue(client, repo, recorded, &text)?;
    let now = crate::clock::now()?.round(jiff::Unit::Second)?;
    session.ctx.ledger.issue = Some(IssueRecord::after(
        session.ctx.ledger.issue.take(),
        issue.number,
        &issue.url,
        created,
        now,
    ));
    session.save()?;
    super::effects::say_issue(p, issue.number, &issue.url, created);
    Ok(issue)
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

fn job_duration(j: &w::Job) -> Option<String> {
    let a: jiff::Timestamp = j.started_at.as_deref()?.parse().ok()?;
    let b: jiff::Timestamp = j.completed_at.as_deref()?.parse().ok()?;
    let s = (b.as_second() - a.as_second()).max(0) as u64;
    Some(human(Duration::from_secs(s)))
}

fn state(status: &str, conclusion: Option<&str>) -> String {
    match conclusion {
        Some(c) if status == "completed" => c.to_string(),
        _ => status.replace('_', " "),
    }
}

fn icon(p: &Printer, status: &str, conclusion: Option<&str>) -> String {
    if status != "completed" {
        return p.paint(Tone::Dim, "…");
    }
    if w::green(conclusion) {
        p.paint(Tone::Good, "✔")
    } else {
        p.paint(Tone::Bad, "✖")
    }
}

/// The run's line and its jobs' lines.
fn lines(p: &Printer, r: &Watched) -> Vec<(String, String)> {
    let mut out = vec![(
        format!("run {}", r.run.id),
        format!(
            "{} {} (run {}): {}",
            icon(p, &r.run.status, r.run.conclusion.as_deref()),
            r.run.name,
            r.run.id,
            state(&r.run.status, r.run.conclusion.as_deref())
        ),
    )];
    for j in &r.jobs {
        let mut l = format!(
            "    {} {}: {}",
            icon(p, &j.status, j.conclusion.as_deref()),
            j.name,
            state(&j.status, j.conclusion.as_deref())
        );
        if j.status == "completed"
            && let Some(d) = job_duration(j)
        {
            l.push_str(&format!(" in {d}"));
        }
        if let Some(s) = j.failing_step() {
            l.push_str(&format!(" (failed step: {})", s.name));
        } else if j.status == "in_progress"
            && let Some(s) = j.steps.iter().find(|s| s.status == "in_progress")
        {
            l.push_str(&format!(" ({})", s.name));
        }
        out.push((format!("job {}", j.id), l));
    }
    out
}

/// The live view: on a terminal, one multi-line bar per run (its jobs under it); otherwise a
/// line on stderr for each run or job whose state changed.
struct Display<'a> {
    p: &'a Printer,
    multi: Option<MultiProgress>,
    bars: Vec<(u64, ProgressBar)>,
    shown: Vec<(String, String)>,
}

impl<'a> Display<'a> {
    fn new(p: &'a Printer) -> Display<'a> {
        let multi = p
            .progress_allowed()
            .then(|| MultiProgress::with_draw_target(p.draw_target()));
        Display {
            p,
            multi,
            bars: Vec::new(),
            shown: Vec::new(),
        }
    }

    fn event(&mut self, e: Event<'_>) {
        match e {
            Event::Waiting { .. } => self.say("  waiting for the workflow runs to appear…"),
            Event::RateLimited { wait } => {
                let text = format!(
                    "GitHub's rate limit: waiting {} before the next poll",
                    human(wait)
                );
                match &self.multi {
                    Some(m) => {
                        let _ = m.println(crate::secrets::mask_text(&text));
                    }
                    None => self.p.warn(text),
                }
            }
            Event::Changed { runs, .. } => match self.multi.clone() {
                Some(m) => {
                    for r in runs {
                        let text = lines(self.p, r)
                            .into_iter()
                            .map(|(_, l)| l)
                            .collect::<Vec<_>>()
                            .join("\n");
                        let bar = match self.bars.iter().find(|(id, _)| *id == r.run.id) {
                            Some((_, b)) => b.clone(),
                            None => {
                                let b = m.add(ProgressBar::new_spinner());
                                b.set_style(
                                    ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}")
                                        .expect("static template"),
                                );
                                b.enable_steady_tick(Duration::from_millis(120));
                                self.bars.push((r.run.id, b.clone()));
                                b
                            }
                        };
                        bar.set_message(crate::secrets::mask_text(&text).into_owned());
                        if r.settled() && !bar.is_finished() {
                            bar.finish();
                        }
                    }
                }
                None => {
                    for r in runs {
                        for (key, l) in lines(self.p, r) {
                            match self.shown.iter_mut().find(|(k, _)| *k == key) {
                                Some((_, old)) if *old == l => {}
                                Some((_, old)) => {
                                    *old = l.clone();
                                    self.p.line(&l);
                                }
                                None => {
                                    self.shown.push((key, l.clone()));
                                    self.p.line(&l);
                                }
                            }
                        }
                    }
                }
            },
        }
    }

    fn say(&self, text: &str) {
        match &self.multi {
            Some(m) => {
                let _ = m.println(crate::secrets::mask_text(text));
            }
            None => self.p.line(text),
        }
    }

    fn finish(&mut self) {
        for (_, b) in &self.bars {
            if !b.is_finished() {
                b.abandon();
            }
        }
    }
}
