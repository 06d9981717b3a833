//! `berry rollback`: undo what berry shipped for a REQ — revert the shipped commit on top of the
//! remote branch's head, test it, push it (or open a revert pull request on a protected branch),
//! re-run the health checks, mark the tracker ROLLED_BACK and publish the ROLLED_BACK notice.
//! Every step is recorded in `ledger.rollback` as it is done, so a rerun goes on from there.

use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

use anyhow::{Context as _, Result};
use clap::Args;
use git2::Oid;
use serde_json::{Value, json};

use super::block::{plan_tracker, write_tracker};
use super::effects::{send, show_notice};
use super::{Env, Outcome, Session, Step, StepReport};
use crate::context::{EventRecord, RollbackRecord};
use crate::error::BerryError;
use crate::notice::{self, Notice, Status};
use crate::printer::Tone;
use crate::push::{CredentialSources, PushSpec, Rejection, Target};
use crate::req::ReqNumber;
use crate::tracker::Edit;
use crate::workflow::ReqState;

/// Roll a shipped REQ back: revert the commit berry shipped on top of the branch's current
/// remote head (a conflict changes nothing and names the files), run the test commands, push
/// (on a protected branch: push revert/<REQ> and open the pull request "Revert REQ: Title"),
/// re-run the health checks, set the tracker entry to ROLLED_BACK (Rolled Back At, Revert
/// Commit, Reason) and publish the ROLLED_BACK notice. A rerun goes on where a run stopped.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The REQ to roll back. Defaults to --req, then the current REQ.
    #[arg(value_name = "REQ", value_parser = ReqNumber::parse, add = clap_complete::engine::ArgValueCompleter::new(crate::complete::reqs))]
    pub req: Option<ReqNumber>,
    /// Why it is rolled back (in the revert commit, the tracker and the notice).
    #[arg(long, value_name = "TEXT", required = true)]
    pub reason: String,
    /// Roll back during a change freeze whose window sets `rollback = false` (recorded).
    #[arg(long)]
    pub override_freeze: bool,
}

fn short(s: &str) -> &str {
    s.get(..12).unwrap_or(s)
}

pub fn run(env: &Env, args: RollbackArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(args.req, &ws.store)?;
    let p = &env.printer;
    let reason = args.reason.trim().to_string();
    if reason.is_empty() {
        return Err(BerryError::usage("--reason is empty: say why the REQ is rolled back").into());
    }
    let mut session = Session::existing(&ws.store, req.clone(), Step::Rollback)?;
    crate::workflow::require_recorded(Step::Rollback, &session.ctx)?;
    let push = session.ctx.ledger.push.clone().expect("require checks it");

    if session.ctx.state == Some(ReqState::RolledBack)
        && session.ctx.step_ok(Step::Rollback)
        && let Some(r) = session.ctx.ledger.rollback.clone()
        && let Some(revert) = &r.revert
        && (!ws.config.nats.publish
            || session
                .ctx
                .ledger
                .event(&notice::msg_id(req.as_str(), Status::RolledBack, revert))
                .is_some_and(|e| e.acknowledged))
    {
        p.line(format!(
            "{req} is already rolled back: revert {} ({}), the tracker says ROLLED_BACK.",
            short(revert),
            r.pushed.as_deref().or(r.pr_url.as_deref()).unwrap_or("-")
        ));
        return Ok(
            StepReport::new("rollback", Some(req), Outcome::Ok, "already rolled back")
                .with_data(serde_json::to_value(&r)?),
        );
    }
    if p.dry_run() {
        p.line(format!(
            "dry run: would revert {} on the head of {} on {}, run the {} test command(s), push, re-run {} health check(s), mark {req} ROLLED_BACK and publish the ROLLED_BACK notice",
            short(&push.sha),
            push.branch,
            push.remote,
            ws.config.test.commands.len(),
            ws.config.health.all_checks().len()
        ));
        return Ok(StepReport::new(
            "rollback",
            Some(req),
            Outcome::Ok,
            "dry run",
        ));
    }

    // Started: recorded before anything is done (the freeze is checked only for a new rollback).
    let mut r = match session.ctx.ledger.rollback.clone() {
        Some(r) if r.target == push.sha => {
            p.line(format!(
                "{} resuming the rollback of {req} started at {}",
                p.paint(Tone::Dim, "–"),
                crate::clock::rfc3339(r.started_at)
            ));
            r
        }
        _ => {
            super::freeze_gate(
                p,
                &ws,
                &mut session,
                "rollback",
                Some(reason.as_str()).filter(|_| args.override_freeze),
            )?;
            let r = RollbackRecord {
                reason: reason.clone(),
                started_at: crate::clock::now()?.round(jiff::Unit::Second)?,
                measure_from: jiff::Timestamp::now(),
                target: push.sha.clone(),
                remote: push.remote.clone(),
                branch: push.branch.clone(),
                onto: None,
                revert: None,
                tested: false,
                tests_ms: 0,
                pushed: None,
                pr_number: None,
                pr_url: None,
                health: None,
                duration_ms: None,
            };
            session.ctx.ledger.rollback = Some(r.clone());
            session.save()?;
            r
        }
    };
    p.line(format!(
        "{} {req}{}: reverting {} on {} ({reason})",
        p.paint(Tone::Strong, "Rolling back"),
        session
            .ctx
            .title
            .as_deref()
            .map(|t| format!(": {t}"))
            .unwrap_or_default(),
        short(&r.target),
        r.branch
    ));
    let repo = &ws.repo;
    let local_branch = session
        .ctx
        .ledger
        .commit
        .as_ref()
        .map(|c| c.branch.clone())
        .unwrap_or_else(|| r.branch.clone());
    let target = Target {
        remote: r.remote.clone(),
        url: push.url.clone(),
        local_branch: local_branch.clone(),
        remote_branch: r.branch.clone(),
    };
    let raw_url = repo
        .find_remote(&r.remote)
        .ok()
        .and_then(|x| x.url().ok().map(str::to_string))
        .unwrap_or_default();
    let sources = CredentialSources::for_remote(&raw_url, &ws.config);

    // 1. The revert, on the remote head as it is now.
    if r.revert.is_none() {
        crate::git::load_ca_store();
        let head = crate::push::fetch_branch(repo, &target, &sources)?;
        let shipped = Oid::from_str(&r.target)?;
        if head != shipped && !repo.graph_descendant_of(head, shipped).unwrap_or(false) {
            return Err(BerryError::failure(format!(
                "{} on {} does not contain the shipped commit {}: there is nothing of berry's to revert there",
                target.remote_ref(),
                r.remote,
                short(&r.target)
            ))
            .into());
        }
        let revert = match crate::rollback::revert_onto(
            repo,
            &ws.root,
            req.as_str(),
            shipped,
            head,
            &reason,
        )? {
            Ok(oid) => oid,
            Err(conflict) => {
                return Err(BerryError::gate(format!(
                    "reverting {} on {}/{} ({}) conflicts in: {}; nothing was changed",
                    short(&r.target),
                    r.remote,
                    r.branch,
                    short(&head.to_string()),
                    conflict.files.join(", ")
                ))
                .with_hint("revert it by hand (`git revert`), or fix forward")
                .into());
            }
        };
        r.onto = Some(head.to_string());
        r.revert = Some(revert.to_string());
        session.ctx.ledger.rollback = Some(r.clone());
        session.save()?;
        crate::fault::point("rollback-reverted");
        p.line(format!(
            "{} revert {} made on {}/{} ({})",
            p.paint(Tone::Good, "✔"),
            short(&revert.to_string()),
            r.remote,
            r.branch,
            short(&head.to_string())
        ));
    }
    let revert = Oid::from_str(r.revert.as_deref().expect("set above"))?;

    // 2. The local branch follows, so the tests run on the revert's tree.
    if let Some(why) = crate::rollback::fast_forward(repo, &local_branch, revert)? {
        return Err(BerryError::failure(format!(
            "the revert {} is made but {local_branch} cannot move to it: {why}; nothing was pushed",
            short(&revert.to_string())
        ))
        .with_hint("bring the branch to the remote head (`git switch`, `git stash`), then run `berry rollback` again")
        .into());
    }

    // 3. The tests, for the revert's tree.
    if !r.tested {
        let started = std::time::Instant::now();
        run_tests(p, &ws, &req)?;
        r.tested = true;
        r.tests_ms = started.elapsed().as_millis() as u64;
        session.ctx.ledger.rollback = Some(r.clone());
        session.save()?;
    }

    // 4. The push (a protected branch: revert/<REQ> and a pull request).
    if r.pushed.is_none() && r.pr_number.is_none() {
        crate::git::load_ca_store();
        let spec = PushSpec {
            target: &target,
            local_ref: format!("refs/heads/{local_branch}"),
            force: false,
            sources: &sources,
        };
        match crate::push::push(repo, &spec, &|_, _, _| {}) {
            Ok(()) => {
                crate::fault::point("rollback-pushed");
                r.pushed = Some(format!("{} {}", r.remote, target.remote_ref()));
                p.line(format!(
                    "{} pushed the revert to {} on {}",
                    p.paint(Tone::Good, "✔"),
                    target.remote_ref(),
                    r.remote
                ));
            }
            Err(f) if matches!(f.kind, Rejection::Protected { .. }) => {
                let (number, url) = revert_pr(env, &ws, &session, &req, &target, revert, &sources)?;
                crate::fault::point("rollback-pr-created");
                p.line(format!(
                    "{} {} is protected: opened the revert pull request #{number} {url}",
                    p.paint(Tone::Good, "✔"),
                    target.remote_ref()
                ));
                r.pr_number = Some(number);
                r.pr_url = Some(url);
            }
            Err(f) => {
                return Err(anyhow::anyhow!("{f}").context(format!(
                    "cannot push the revert {} to {}; it is recorded: rerun to push it",
                    short(&revert.to_string()),
                    r.remote
                )));
            }
        }
        session.ctx.ledger.rollback = Some(r.clone());
        session.save()?;
    }

    // 5. Health, re-run; green ends the measured time.
    if r.health
        .as_ref()
        .is_none_or(|h| h.iter().any(|c| !c.passed))
    {
        let checks = ws.config.health.all_checks();
        let report = if checks.is_empty() {
            p.warn("no health checks are configured (`[[health.checks]]`): nothing to re-run");
            crate::health::Report {
                checks: vec![],
                elapsed_ms: 0,
            }
        } else {
            let logs = crate::health::log_dir(ws.store.dir(), req.as_str());
            let opts = crate::health::Options::within(
                std::time::Duration::from_secs(ws.config.health.within_secs),
                &ws.config.test.pass_env,
            );
            crate::health::run_checks(&checks, &opts, &ws.root, &logs, &mut |e| {
                if let crate::health::Event::Done { result, .. } = e {
                    p.line(format!(
                        "{} health {}: {} ({} attempt(s))",
                        if result.passed {
                            p.paint(Tone::Good, "✔")
                        } else {
                            p.paint(Tone::Bad, "✘")
                        },
                        result.name,
                        result.detail,
                        result.attempts
                    ));
                }
            })?
        };
        let green = report.passed();
        r.health = Some(report.checks.clone());
        if green {
            let total = jiff::Timestamp::now()
                .duration_since(r.measure_from)
                .as_millis()
                .max(0) as u64;
            r.duration_ms = Some(total.saturating_sub(r.tests_ms));
        }
        session.ctx.ledger.rollback = Some(r.clone());
        session.save()?;
        if !green {
            return Err(BerryError::gate(format!(
                "the health checks did not pass after the rollback of {req}: {}",
                report
                    .checks
                    .iter()
                    .filter(|c| !c.passed)
                    .map(|c| format!("{} ({})", c.name, c.detail))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .with_hint("the revert is pushed; look at the service, then run `berry rollback` again to re-check")
            .into());
        }
    }
    if let Some(ms) = r.duration_ms {
        p.line(format!(
            "{} rollback time to health green: {:.1}s (without the tests' own {:.1}s; target under 120s)",
            p.paint(Tone::Good, "✔"),
            ms as f64 / 1000.0,
            r.tests_ms as f64 / 1000.0
        ));
    }

    // 6. The tracker, and its commit.
    let at = crate::clock::rfc3339(r.started_at);
    let revert_short = notice::short_sha(r.revert.as_deref().unwrap_or("")).to_string();
    let plan = plan_tracker(
        &ws,
        &req,
        &Edit::RolledBack {
            at: at.clone(),
            revert: revert_short.clone(),
            reason: reason.clone(),
        },
    )?;
    write_tracker(p, &mut session, &plan, Some(&revert_short))?;
    session.ctx.state = Some(ReqState::RolledBack);
    session.save()?;
    let tracker_commit = super::commit_tracker(p, &ws, &mut session, ReqState::RolledBack)?;

    // 7. The ROLLED_BACK notice, with its own id.
    let revert_sha = r.revert.clone().expect("set above");
    let msg_id = notice::msg_id(req.as_str(), Status::RolledBack, &revert_sha);
    let subject = crate::nats::subject(&ws.config.nats.subject, req.as_str());
    let recorded = session.ctx.ledger.event(&msg_id).cloned();
    let payload = match &recorded {
        Some(e) => e.payload.clone(),
        None => {
            let template = notice::Template::load(&ws.root)?;
            let mut v = notice::payload(
                &Notice {
                    req: req.as_str(),
                    title: session.ctx.title.as_deref(),
                    status: Status::RolledBack,
                    subject: &subject,
                    commit_sha: Some(&revert_sha),
                    branch: Some(&r.branch),
                    pr_url: r.pr_url.as_deref(),
                    files: &[],
                    tests_passed: r.tested,
                    tests_skipped: None,
                    // The rollback's own health results are added below.
                    health: None,
                    checklist: None,
                    ci: "not watched",
                    at: r.started_at,
                    reason: Some(&reason),
                },
                &template,
            )?;
            v["reverted_commit"] = json!(r.target);
            v["rollback_ms"] = json!(r.duration_ms);
            v["health"] = serde_json::to_value(&r.health)?;
            if !session.ctx.ledger.freeze_overrides.is_empty() {
                v["freeze_overrides"] = crate::notice::freeze_overrides(&session.ctx);
            }
            v
        }
    };
    show_notice(p, &subject, &msg_id, &payload, recorded.as_ref());
    let event = send(
        p,
        &ws,
        &mut session,
        EventRecord {
            kind: Status::RolledBack.kind(),
            subject: subject.clone(),
            msg_id: msg_id.clone(),
            payload: payload.clone(),
            acknowledged: false,
            stream: None,
            sent_at: None,
        },
    )?;
    let message = format!(
        "{req} ROLLED_BACK: revert {} {}",
        short(&revert_sha),
        r.pushed
            .as_deref()
            .map(|x| format!("pushed to {x}"))
            .or(r.pr_url.as_ref().map(|u| format!("in {u}")))
            .unwrap_or_default()
    );
    session.record(Step::Rollback, Outcome::Ok, &message)?;
    p.result(&message);
    let data: Value = json!({
        "rollback": r,
        "tracker_commit": tracker_commit,
        "msg_id": msg_id,
        "notice": payload,
        "sent": event.acknowledged,
    });
    Ok(StepReport::new("rollback", Some(req), Outcome::Ok, message).with_data(data))
}

/// Runs the configured test commands in the working tree (now the revert's tree); a failure
/// stops the rollback before the push (exit 3).
fn run_tests(p: &crate::printer::Printer, ws: &super::Workspace, req: &ReqNumber) -> Result<()> {
    let commands = &ws.config.test.commands;
    if commands.is_empty() {
        p.warn("no test commands are configured (test.commands in berry.toml); nothing was run");
        return Ok(());
    }
    std::fs::create_dir_all(ws.store.dir())?;
    let log_path = ws.store.dir().join(format!("{req}.rollback-test.log"));
    let mut log = std::fs::File::options()
        .create(true)
        .read(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(&log_path)
        .with_context(|| format!("cannot create the log {}", log_path.display()))?;
    log.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    let drop_env = crate::env_vars::withheld(&ws.config.test.pass_env);
    for c in commands {
        let spinner = p.spinner(format!("{} ({})", c.name, c.argv.join(" ")));
        let res = crate::testrun::run(c, &ws.root, &mut log, &drop_env)?;
        spinner.finish_and_clear();
        if !res.passed {
            return Err(BerryError::gate(format!(
                "the tests failed for the revert ({}): nothing was pushed",
                c.name
            ))
            .with_hint(format!(
                "see {}; fix forward, or run `berry rollback` again once they pass",
                log_path.display()
            ))
            .into());
        }
        p.line(format!(
            "{} {} ({:.1}s)",
            p.paint(Tone::Good, "✔"),
            c.name,
            res.duration_ms as f64 / 1000.0
        ));
    }
    Ok(())
}

/// On a protected branch: pushes the revert as `revert/<REQ>` and opens (or finds) the pull
/// request `Revert REQ: Title` into the branch. Returns its number and URL.
fn revert_pr(
    env: &Env,
    ws: &super::Workspace,
    session: &Session,
    req: &ReqNumber,
    target: &Target,
    revert: Oid,
    sources: &CredentialSources,
) -> Result<(u64, String)> {
    use crate::github::{self, pulls};
    let repo = &ws.repo;
    let name = format!("revert/{req}");
    let local = format!("refs/heads/{name}");
    repo.reference(
        &local,
        revert,
        true,
        "berry: the revert for its pull request",
    )?;
    let mut t = target.clone();
    t.remote_branch = name.clone();
    crate::push::push(
        repo,
        &PushSpec {
            target: &t,
            local_ref: local,
            force: false,
            sources,
        },
        &|_, _, _| {},
    )
    .map_err(|f| anyhow::anyhow!("cannot push {name}: {f}"))?;
    let push = session.ctx.ledger.push.clone().expect("checked");
    let repo_id = super::pr::resolve_repo(env, ws, &push)?;
    let client = github::client_for(&repo_id, &ws.config.github)?;
    let api = |e: github::ApiError| -> anyhow::Error { e.into_berry().into() };
    if let Some(found) =
        pulls::find_open(&client, &repo_id, &name, Some(&target.remote_branch)).map_err(api)?
    {
        return Ok((found.number, found.url));
    }
    let title = match session.ctx.title.as_deref() {
        Some(x) => format!("Revert {req}: {x}"),
        None => format!("Revert {req}"),
    };
    let body = format!(
        "Reverts {} ({req}), shipped by berry.\n\nReason: {}\n\n<!-- berry: rollback {req} -->\n",
        target_sha(session),
        session
            .ctx
            .ledger
            .rollback
            .as_ref()
            .map(|r| r.reason.as_str())
            .unwrap_or("")
    );
    let pull = pulls::create(
        &client,
        &repo_id,
        &pulls::NewPull {
            title,
            body,
            head: name,
            base: target.remote_branch.clone(),
            draft: false,
        },
    )
    .map_err(api)?;
    Ok((pull.number, pull.url))
}

fn target_sha(session: &Session) -> String {
    session
        .ctx
        .ledger
        .rollback
        .as_ref()
        .map(|r| r.target.clone())
        .unwrap_or_default()
}
