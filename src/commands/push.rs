//! `berry push`: push berry's commit, verify the remote ref, tell rejections apart and offer
//! each its remedy.

use anyhow::{Context as _, Result};
use clap::Args;
use git2::{Oid, Repository};
use serde_json::json;

use super::{Env, Outcome, Session, Step, StepReport};
use crate::error::BerryError;
use crate::printer::{Printer, Tone};
use crate::push::{
    self as work, CommitRecord, CredentialSources, PushFailure, PushRecord, PushSpec, Rejection,
    Target,
};

/// Push the committed branch to its remote with progress, verify the remote ref equals the
/// commit, and tell rejections apart (non-fast-forward, protected branch, large files, auth).
///
/// The branch goes to its upstream, else to `origin` under the same name. Credentials: GH_TOKEN
/// or GITHUB_TOKEN for HTTPS (as x-access-token), the SSH agent for SSH, else git's credential
/// helpers. A non-fast-forward offers to fetch and rebase berry's commit onto the remote branch;
/// a protected branch (GH006/GH013) offers to push feature/<REQ> instead. --yes accepts both.
/// Nothing is ever force-pushed except berry's own feature/<REQ>, and only with a lease.
///
/// A failure berry cannot remedy (authentication, the network, GH001, a rebase conflict, a
/// protected branch whose feature/<REQ> route is declined or refused) leaves the tracker as it is
/// and is reported for a person: one GitHub issue "REQ: push failed" (what was tried, the remote's
/// message masked, the suggested remedy; templates/push-failed.md, overridable by
/// .berry/templates/push-failed.md) and a FAILED notice (needs: "human"). A later successful push
/// comments the SHA on that issue and closes it.
#[derive(Debug, Args)]
pub struct PushArgs {
    /// Push although the tests did not pass for this tree (needs --reason; recorded, and shown in
    /// the PR body and the completion notice).
    #[arg(long, requires = "reason")]
    pub skip_tests: bool,
    /// Push during a change freeze (`[[deploy.freeze]]`; needs --reason; recorded, and shown in
    /// the PR body and the completion notice).
    #[arg(long, requires = "reason")]
    pub override_freeze: bool,
    /// Why the tests are skipped (with --skip-tests) or the freeze is overridden (with
    /// --override-freeze).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

/// Records `--skip-tests --reason` for `tree`; an empty reason is a usage error.
pub(crate) fn skip_tests(session: &mut Session, tree: &str, reason: &str) -> Result<()> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(BerryError::usage("--skip-tests needs a non-empty --reason").into());
    }
    session.ctx.ledger.tests_skipped = Some(crate::context::TestsSkipped {
        reason: reason.to_string(),
        tree: tree.to_string(),
        at: crate::clock::now()?.round(jiff::Unit::Second)?,
    });
    session.save()
}

pub fn run(env: &Env, args: PushArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(None, &ws.store)?;
    let p = &env.printer;
    if args.reason.is_some() && !args.skip_tests && !args.override_freeze {
        return Err(BerryError::usage(
            "--reason without --skip-tests or --override-freeze: there is nothing to explain",
        )
        .with_hint("pass --skip-tests --reason TEXT to push without passing tests")
        .into());
    }
    let mut session = Session::existing(&ws.store, req.clone(), Step::Push)?;
    super::failures::flush(env, &ws, &mut session)?;

    crate::workflow::require_recorded(Step::Push, &session.ctx)?;
    let commit: CommitRecord = session
        .ctx
        .ledger
        .commit
        .clone()
        .expect("require_recorded checks it");
    let previous: Option<PushRecord> = session.ctx.ledger.push.clone();
    if let Some(prev) = &previous
        && (prev.sha == commit.sha || prev.rebased_from.as_deref() == Some(&commit.sha))
    {
        p.line(format!(
            "{} already pushed: {} on {} ({}) is {}",
            p.paint(Tone::Good, "✔"),
            prev.refname,
            prev.remote,
            prev.url,
            short(&prev.sha)
        ));
        p.line(p.paint(Tone::Dim, "  nothing to push"));
        super::print_next(p, &session.ctx, Step::Push);
        let data = serde_json::to_value(prev)?;
        return Ok(
            StepReport::new("push", Some(req), Outcome::Ok, "already pushed").with_data(data),
        );
    }

    if let Some(evidence) = &session.ctx.evidence {
        let mut source = env.source(&ws)?;
        crate::evidence::recheck(source.as_mut(), &req, evidence, &ws.config.agents.qa)?;
    }

    let repo = &ws.repo;
    let sha = Oid::from_str(&commit.sha)
        .with_context(|| format!("the recorded commit `{}` is not a SHA", commit.sha))?;
    let branch_ref = format!("refs/heads/{}", commit.branch);
    let tip = repo.refname_to_id(&branch_ref).map_err(|_| {
        BerryError::failure(format!(
            "the branch `{}` of the recorded commit does not exist",
            commit.branch
        ))
    })?;
    if tip != sha && !repo.graph_descendant_of(tip, sha).unwrap_or(false) {
        return Err(BerryError::failure(format!(
            "the branch `{}` no longer contains berry's commit {}",
            commit.branch,
            short(&commit.sha)
        ))
        .with_hint("check out the commit again, or run `berry commit` anew")
        .into());
    }

    // Nothing is pushed unless the tests passed for the tree being pushed, or were skipped for it
    // with a reason (recorded before anything leaves).
    let tree = repo.find_commit(tip)?.tree_id().to_string();
    if let Some(reason) = &args.reason
        && args.skip_tests
        && !p.dry_run()
    {
        skip_tests(&mut session, &tree, reason)?;
        p.warn(format!(
            "the tests are skipped for tree {}: {reason} (recorded; the PR and the completion notice say so)",
            short(&tree)
        ));
    }
    crate::workflow::require(
        Step::Push,
        &session.ctx,
        crate::workflow::Shipping {
            tree: Some(&tree),
            ..Default::default()
        },
    )?;
    super::freeze_gate(
        p,
        &ws,
        &mut session,
        "push",
        args.reason.as_deref().filter(|_| args.override_freeze),
    )?;

    let mut target = work::target_for(repo, &commit.branch)?;
    let sources = CredentialSources::for_remote(&remote_raw_url(repo, &target.remote), &ws.config);
    let feature = format!("feature/{req}");
    let mut berry_created = false;
    let mut lease: Option<String> = None;
    if let Some(prev) = previous.as_ref().filter(|p| p.berry_created) {
        // berry moved this REQ to its own branch before: keep using it.
        target.remote_branch = prev.branch.clone();
        target.remote = prev.remote.clone();
        target.url = prev.url.clone();
        berry_created = true;
        lease = Some(prev.sha.clone());
    }

    if p.dry_run() {
        p.line(format!(
            "would push {} ({}) to {} ({}) as {}",
            commit.branch,
            short(&tip.to_string()),
            target.remote,
            target.url,
            target.remote_ref()
        ));
        p.line("would then read the remote ref back and record it in the context");
        return Ok(
            StepReport::new("push", Some(req), Outcome::Skipped, "dry run").with_data(json!({
                "remote": target.remote, "url": target.url, "ref": target.remote_ref(),
                "sha": tip.to_string(), "branch": target.remote_branch,
            })),
        );
    }

    let mut local_ref = branch_ref.clone();
    if berry_created {
        local_ref = point_feature(repo, &target.remote_branch, tip, true)?;
    }
    let mut tip = tip;
    let mut rebased_from: Option<String> = None;
    let mut tried_rebase = false;
    let mut tried_feature = berry_created;
    // What was tried, for the issue when berry cannot remedy the failure.
    let mut tried: Vec<String> = Vec::new();
    let mut network_retries = 0;
    let attempt = |target: &Target, tip: Oid, tried: &[String], lines: &[String]| {
        super::failures::PushAttempt {
            sha: tip.to_string(),
            branch: commit.branch.clone(),
            remote: target.remote.clone(),
            url: target.url.clone(),
            refname: target.remote_ref(),
            tried: tried.to_vec(),
            remote_lines: lines.to_vec(),
        }
    };
    loop {
        let mut force = false;
        if berry_created {
            force = check_lease(repo, &target, lease.as_deref(), tip, &sources)?;
        }
        p.line(format!(
            "{} {} ({}) to {} ({}) as {}{}",
            p.paint(Tone::Strong, "Pushing"),
            local_ref.trim_start_matches("refs/heads/"),
            short(&tip.to_string()),
            target.remote,
            target.url,
            target.remote_branch,
            if force { " (with lease)" } else { "" }
        ));
        let spec = PushSpec {
            target: &target,
            local_ref: local_ref.clone(),
            force,
            sources: &sources,
        };
        let outcome = push_with_bar(p, repo, &spec);
        let failure = match outcome {
            Ok(()) => break,
            Err(f) => f,
        };
        for l in &failure.remote_lines {
            p.line(p.paint(Tone::Dim, format!("remote: {l}")));
        }
        tried.push(format!(
            "pushed {} ({}) to {} as {}{}: {}",
            local_ref.trim_start_matches("refs/heads/"),
            short(&tip.to_string()),
            target.remote,
            target.remote_branch,
            if force { " with a lease" } else { "" },
            rejection_words(&failure.kind)
        ));
        match &failure.kind {
            Rejection::Network if network_retries < NETWORK_RETRY_DELAYS.len() => {
                let wait = NETWORK_RETRY_DELAYS[network_retries];
                network_retries += 1;
                p.line(format!(
                    "  {} could not be reached ({}); trying again in {}s ({network_retries} of {})",
                    target.remote,
                    failure.detail,
                    wait.as_secs(),
                    NETWORK_RETRY_DELAYS.len()
                ));
                std::thread::sleep(wait);
            }
            Rejection::NonFastForward if !tried_rebase && !berry_created => {
                tried_rebase = true;
                let q = format!(
                    "{} on {} has commits this branch lacks. Fetch them and rebase berry's commit onto them?",
                    target.remote_branch, target.remote
                );
                if !p.confirm(&q, true, "--yes")? {
                    return Err(BerryError::declined(format!(
                        "rebasing onto {}/{}",
                        target.remote, target.remote_branch
                    ))
                    .with_hint("integrate the remote changes yourself, then `berry push` again")
                    .into());
                }
                p.line(format!(
                    "{} has moved on (non-fast-forward): fetching it and rebasing berry's commit onto it",
                    target.remote_ref()
                ));
                let upstream = work::fetch_branch(repo, &target, &sources)?;
                match work::rebase_onto(repo, &commit.branch, upstream)? {
                    Ok(new_tip) => {
                        p.line(format!(
                            "{} rebased {} onto {}/{} ({}): now {}",
                            p.paint(Tone::Good, "✔"),
                            commit.branch,
                            target.remote,
                            target.remote_branch,
                            short(&upstream.to_string()),
                            short(&new_tip.to_string())
                        ));
                        rebased_from = Some(commit.sha.clone());
                        tip = new_tip;
                        // The rebased commit is what ships now: record it, so status, a rerun
                        // and the tests all see it, and push it only if its tree was tested.
                        let new_tree = repo.find_commit(new_tip)?.tree_id().to_string();
                        if let Some(c) = session.ctx.ledger.commit.as_mut() {
                            c.rebased_from.get_or_insert_with(|| commit.sha.clone());
                            c.sha = new_tip.to_string();
                            c.tree = Some(new_tree.clone());
                        }
                        session.save()?;
                        if let (true, Some(reason)) = (args.skip_tests, &args.reason) {
                            skip_tests(&mut session, &new_tree, reason)?;
                        }
                        crate::workflow::require(
                            Step::Push,
                            &session.ctx,
                            crate::workflow::Shipping {
                                tree: Some(&new_tree),
                                ..Default::default()
                            },
                        )
                        .map_err(|e| {
                            e.with_hint(format!(
                                "the rebased commit {} was not tested: run `berry test`, then `berry push`",
                                short(&new_tip.to_string())
                            ))
                        })?;
                    }
                    Err(conflict) => {
                        tried.push(format!(
                            "fetched {}/{} and rebased berry's commit onto it: conflicts in {}; nothing was changed",
                            target.remote,
                            target.remote_branch,
                            conflict.files.join(", ")
                        ));
                        let e = BerryError::failure(format!(
                            "rebasing onto {}/{} conflicts in: {}; nothing was changed",
                            target.remote,
                            target.remote_branch,
                            conflict.files.join(", ")
                        ))
                        .with_hint(
                            "resolve it by hand (`git pull --rebase`), then `berry test` and `berry push`",
                        );
                        let a = attempt(&target, tip, &tried, &failure.remote_lines);
                        return Err(super::failures::push_failed(
                            env,
                            &ws,
                            &mut session,
                            &a,
                            e.into(),
                        ));
                    }
                }
            }
            Rejection::Protected { code } if !tried_feature => {
                tried_feature = true;
                let q = format!(
                    "{} on {} is protected ({code}). Push {feature} instead and open the pull request from it?",
                    target.remote_branch, target.remote
                );
                if !p.confirm(&q, true, "--yes")? {
                    tried.push(format!(
                        "offered to push {feature} instead: the operator declined"
                    ));
                    // The push cannot happen: a failure a person has to resolve (exit 1, with
                    // the report), not a question left open.
                    let e = BerryError::failure(format!(
                        "{} on {} is protected ({code}) and pushing {feature} instead was declined",
                        target.remote_branch, target.remote
                    ))
                    .with_hint(format!("push to a branch of your own and open a pull request; {code} forbids direct pushes"));
                    let a = attempt(&target, tip, &tried, &failure.remote_lines);
                    return Err(super::failures::push_failed(
                        env,
                        &ws,
                        &mut session,
                        &a,
                        e.into(),
                    ));
                }
                p.line(format!(
                    "{} is protected ({code}): pushing {feature} instead",
                    target.remote_ref()
                ));
                local_ref = point_feature(repo, &feature, tip, false)?;
                target.remote_branch = feature.clone();
                berry_created = true;
                lease = None;
            }
            _ => {
                let a = attempt(&target, tip, &tried, &failure.remote_lines);
                let e = explain(&target, failure);
                return Err(super::failures::push_failed(env, &ws, &mut session, &a, e));
            }
        }
    }

    crate::fault::point("pushed");
    let remote_sha = work::remote_ref(repo, &target.remote, &target.remote_ref(), &sources)?;
    if remote_sha != Some(tip) {
        return Err(BerryError::failure(format!(
            "after the push, {} on {} is {} instead of {}",
            target.remote_ref(),
            target.remote,
            remote_sha
                .map(|o| short(&o.to_string()))
                .unwrap_or_else(|| "missing".into()),
            short(&tip.to_string())
        ))
        .with_hint("someone pushed at the same time; run `berry push` again")
        .into());
    }
    let record = PushRecord {
        remote: target.remote.clone(),
        url: target.url.clone(),
        refname: target.remote_ref(),
        sha: tip.to_string(),
        branch: target.remote_branch.clone(),
        berry_created,
        at: crate::clock::now()?,
        rebased_from: rebased_from.clone(),
    };
    session.ctx.ledger.push = Some(record.clone());
    let msg = format!("pushed {} to {}", short(&record.sha), record.refname);
    session.record(Step::Push, Outcome::Ok, &msg)?;

    p.line(format!(
        "{} {} on {} is {} (verified)",
        p.paint(Tone::Good, "✔"),
        record.refname,
        record.remote,
        short(&record.sha)
    ));
    super::failures::resolve(
        env,
        &ws,
        &mut session,
        crate::context::FailureKind::Push,
        &record.sha,
    );
    super::print_next(p, &session.ctx, Step::Push);
    p.result(&record.sha);
    Ok(StepReport::new("push", Some(req), Outcome::Ok, msg)
        .with_data(serde_json::to_value(&record)?))
}

/// A remote that cannot be reached is tried again after each of these, then the failure is
/// reported (a push is idempotent: the same ref update again).
const NETWORK_RETRY_DELAYS: [std::time::Duration; 2] = [
    std::time::Duration::from_secs(1),
    std::time::Duration::from_secs(2),
];

fn short(sha: &str) -> String {
    sha.chars().take(12).collect()
}

/// The remote's URL as configured (only used to decide which token applies; never shown).
fn remote_raw_url(repo: &Repository, remote: &str) -> String {
    repo.find_remote(remote)
        .ok()
        .and_then(|r| r.url().ok().map(str::to_string))
        .unwrap_or_default()
}

/// Points berry's own `feature/<REQ>` at `tip`. A branch of that name that berry did not make
/// (`ours` false and it exists elsewhere) is refused.
fn point_feature(repo: &Repository, name: &str, tip: Oid, ours: bool) -> Result<String> {
    let refname = format!("refs/heads/{name}");
    if let Ok(existing) = repo.refname_to_id(&refname)
        && existing != tip
        && !ours
    {
        return Err(BerryError::failure(format!(
            "a local branch `{name}` exists already and berry did not make it"
        ))
        .with_hint("rename or delete it, then `berry push` again")
        .into());
    }
    repo.reference(
        &refname,
        tip,
        true,
        "berry: feature branch for the pull request",
    )
    .with_context(|| format!("cannot create the branch {name}"))?;
    Ok(refname)
}

/// `--force-with-lease` for berry's own branch: force only when the remote ref is still what
/// berry last pushed (or absent). Returns whether to force.
fn check_lease(
    repo: &Repository,
    target: &Target,
    lease: Option<&str>,
    tip: Oid,
    sources: &CredentialSources,
) -> Result<bool> {
    let remote = work::remote_ref(repo, &target.remote, &target.remote_ref(), sources)?;
    match remote {
        None => Ok(false),
        Some(r) if r == tip => Ok(false),
        Some(r) if lease == Some(r.to_string().as_str()) => Ok(true),
        Some(r) if lease.is_none() => Err(BerryError::failure(format!(
            "{} exists on {} already ({}) and berry did not push it",
            target.remote_ref(),
            target.remote,
            short(&r.to_string())
        ))
        .with_hint("berry does not overwrite a branch it did not create; rename or remove that branch, then `berry push` again")
        .into()),
        Some(r) => Err(BerryError::failure(format!(
            "{} on {} is {}, not what berry pushed there ({}): someone else pushed to it",
            target.remote_ref(),
            target.remote,
            short(&r.to_string()),
            lease.map(short).unwrap_or_default()
        ))
        .with_hint("berry does not overwrite work it did not push; integrate it by hand")
        .into()),
    }
}

fn push_with_bar(p: &Printer, repo: &Repository, spec: &PushSpec<'_>) -> Result<(), PushFailure> {
    let bar = p.bar(0, "{spinner} {pos}/{len} objects {msg}");
    let progress = |current: usize, total: usize, bytes: usize| {
        bar.set_length(total as u64);
        bar.set_position(current as u64);
        bar.set_message(indicatif::HumanBytes(bytes as u64).to_string());
    };
    let r = work::push(repo, spec, &progress);
    bar.finish_and_clear();
    r
}

/// How a push attempt ended, in words, for the failure's issue.
fn rejection_words(kind: &Rejection) -> String {
    match kind {
        Rejection::NonFastForward => "refused, non-fast-forward".into(),
        Rejection::Protected { code } => format!("refused, protected ({code})"),
        Rejection::LargeFiles { files } => format!("refused, GH001 ({})", files.join(", ")),
        Rejection::Auth { tried } if tried.is_empty() => {
            "authentication failed, no credential source applied".into()
        }
        Rejection::Auth { tried } => format!("authentication failed (tried {})", tried.join(", ")),
        Rejection::Network => "the remote could not be reached".into(),
        Rejection::Timeout { .. } => "no answer within git.timeout_secs".into(),
        Rejection::Other => "refused".into(),
    }
}

/// A refusal berry does not fix itself, as an error with its remedy.
fn explain(t: &Target, f: PushFailure) -> anyhow::Error {
    let https = t.url.starts_with("https://") || t.url.starts_with("http://");
    let e = match f.kind {
        Rejection::Auth { tried } => {
            let tried = if tried.is_empty() {
                "no credential source applied".to_string()
            } else {
                format!("tried {}", tried.join(", then "))
            };
            BerryError::failure(format!(
                "authentication to `{}` ({}) failed: {tried}",
                t.remote, t.url
            ))
            .with_hint(if https {
                "set GH_TOKEN (or GITHUB_TOKEN) to a token that may push to the repository (it is sent as x-access-token), or configure a git credential helper"
            } else {
                "add your key to the SSH agent (`ssh-add`) and check that the remote accepts it"
            })
        }
        Rejection::Network => BerryError::failure(format!(
            "cannot reach the remote `{}` ({}): {}",
            t.remote, t.url, f.detail
        ))
        .with_hint("check the remote URL and the network; nothing was pushed"),
        Rejection::Timeout { secs } => BerryError::failure(format!(
            "the push to `{}` ({}) did not finish within {secs}s (git.timeout_secs): the remote stopped answering",
            t.remote, t.url
        ))
        .with_hint("check the remote and the network (for a slow link raise git.timeout_secs), then `berry push` again; it reads the remote ref before it records anything"),
        Rejection::LargeFiles { files } => BerryError::failure(format!(
            "`{}` refused the push (GH001): over GitHub's 100 MB file limit: {}",
            t.remote,
            files.join(", ")
        ))
        .with_hint("track such files with Git LFS (https://git-lfs.com), commit again without them, then `berry push`"),
        Rejection::NonFastForward => BerryError::failure(format!(
            "`{}` refused the push: {} has commits this branch lacks (non-fast-forward)",
            t.remote,
            t.remote_ref()
        ))
        .with_hint("berry never force-pushes a branch it did not create; integrate the remote changes by hand"),
        Rejection::Protected { code } => BerryError::failure(format!(
            "`{}` refused the push to {} ({code}: protected)",
            t.remote,
            t.remote_ref()
        ))
        .with_hint("push to a branch of your own and open a pull request"),
        Rejection::Other => BerryError::failure(format!(
            "`{}` refused the push to {}: {}",
            t.remote,
            t.remote_ref(),
            f
        )),
    };
    e.into()
}
