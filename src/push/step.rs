//! `berry push`'s work: berry's commit pushed, the remote ref read back and recorded, each
//! rejection told apart and offered its remedy. [`step`] takes plain [`Options`], asks its
//! questions through [`Decide`], hands the failure reports to [`Effects`], reports what it does
//! (the transfer's progress included) through a [`View`] and returns a [`Pushed`] the command
//! renders; nothing here prints.
//!
//! What it keeps:
//!
//! - **Once**: a recorded push of the commit (or of its rebase) is reported, never made again.
//! - **Only a tested tree leaves**: nothing is pushed unless the tests passed for the tree of the
//!   commit being pushed, or `--skip-tests --reason` was recorded for it, before anything leaves;
//!   after a rebase the rebased commit is recorded and pushed only when its tree was tested.
//! - **Never a force-push of someone else's work**: only berry's own `feature/<REQ>` is
//!   overwritten, and only with a lease (the remote ref is still what berry pushed there).
//! - **The remote ref is read back**: the push is recorded only when the remote holds the commit.
//! - **A failure berry cannot remedy is reported for a person** ([`crate::failures::push_failed`]:
//!   the issue and the FAILED notice; the tracker is left alone); a later push closes the issue.
//! - **Dry run sends and records nothing**: what would be pushed is returned.

use std::time::Duration;

use anyhow::{Context as _, Result};
use git2::{Oid, Repository};

use super::{
    CommitRecord, CredentialSources, PushFailure, PushRecord, PushSpec, Rejection, Target,
};
use crate::decide::Decide;
use crate::deliverables::Source;
use crate::effects::Effects;
use crate::error::BerryError;
use crate::failures::{self, PushAttempt};
use crate::workflow::{Outcome, Shipping, Step};
use crate::workspace::{Session, Workspace};

/// What the command decided before the work starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Push although the tests did not pass for this tree (needs `reason`; recorded).
    pub skip_tests: bool,
    /// Push during a change freeze (needs `reason`; recorded).
    pub override_freeze: bool,
    /// Why the tests are skipped or the freeze is overridden.
    pub reason: Option<String>,
    /// The repository named on the command line (`--repo`), for a failure's issue.
    pub repo: Option<String>,
    /// Someone can answer a question (a terminal, or `--yes`), for a failure's report.
    pub answerable: bool,
    /// Show what would be pushed; push and record nothing.
    pub dry_run: bool,
}

/// What the work shows on its way, in order.
pub enum Shown<'a> {
    /// What a failure report (flushed, reported or resolved) shows.
    Failure(failures::Shown<'a>),
    /// `--skip-tests --reason` was recorded for `tree`.
    TestsSkipped { tree: &'a str, reason: &'a str },
    /// A change freeze holds and lets the push through (a window that allows it, or the
    /// recorded override).
    Freeze(&'a crate::freeze::Decision),
    /// A push of `local` (at `tip`) to `target` starts; `force` with a lease.
    Pushing {
        local: &'a str,
        tip: &'a str,
        target: &'a Target,
        force: bool,
    },
    /// The remote's own lines (`remote: …`) for a push that did not land.
    Remote(&'a [String]),
    /// The remote could not be reached: trying again after `wait` (`attempt` of `of`).
    Retrying {
        remote: &'a str,
        detail: &'a str,
        wait: Duration,
        attempt: usize,
        of: usize,
    },
    /// Non-fast-forward, and the rebase was accepted: fetching `remote_ref` and rebasing.
    Rebasing { remote_ref: &'a str },
    /// Berry's commit was rebased onto `upstream` of `target`: now `tip` (recorded).
    Rebased {
        branch: &'a str,
        target: &'a Target,
        upstream: &'a str,
        tip: &'a str,
    },
    /// `remote_ref` is protected (`code`) and pushing `feature` instead was accepted.
    ToFeature {
        remote_ref: &'a str,
        code: &'a str,
        feature: &'a str,
    },
    /// The remote ref holds the commit; recorded.
    Verified(&'a PushRecord),
}

/// A push transfer's progress, as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transfer {
    /// A transfer starts.
    Started,
    /// Objects sent so far, objects in all, bytes sent.
    Objects {
        current: usize,
        total: usize,
        bytes: usize,
    },
    /// The transfer ended (pushed or not).
    Ended,
}

/// Where the work reports to: the command layer shows it (the transfer as a bar); unit tests
/// keep it.
pub trait View {
    /// What the work shows on its way.
    fn show(&self, shown: Shown<'_>);
    /// How a transfer goes.
    fn transfer(&self, transfer: Transfer);
}

/// How the step ended.
#[derive(Debug)]
pub enum Pushed {
    /// The commit (or its rebase) is recorded as pushed already: nothing was sent.
    Recorded(PushRecord),
    /// `--dry-run`: `branch` at `tip` would go to `target`.
    DryRun {
        branch: String,
        tip: String,
        target: Target,
    },
    /// Pushed, read back and recorded (`message` is the ledger's line).
    Pushed { record: PushRecord, message: String },
}

/// A remote that cannot be reached is tried again after each of these, then the failure is
/// reported (a push is idempotent: the same ref update again).
const NETWORK_RETRY_DELAYS: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(2)];

/// Records `--skip-tests --reason` for `tree`; an empty reason is a usage error.
pub fn skip_tests(session: &mut Session, tree: &str, reason: &str) -> Result<()> {
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

/// Pushes `session`'s commit. `deliverables` opens the deliverables for the evidence re-check.
/// See the module documentation for what it guarantees.
pub fn step(
    ws: &Workspace,
    session: &mut Session,
    opts: &Options,
    decide: &dyn Decide,
    effects: &mut dyn Effects,
    deliverables: &mut dyn FnMut() -> Result<Box<dyn Source>>,
    view: &dyn View,
) -> Result<Pushed> {
    let report = failures::Options {
        dry_run: opts.dry_run,
        answerable: opts.answerable,
        repo: opts.repo.clone(),
    };
    let mut show_failure = |s: failures::Shown<'_>| view.show(Shown::Failure(s));
    failures::flush(ws, session, &report, effects, &mut show_failure)?;

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
        return Ok(Pushed::Recorded(prev.clone()));
    }

    if let Some(evidence) = &session.ctx.evidence {
        let mut source = deliverables()?;
        crate::evidence::recheck(
            source.as_mut(),
            &session.req,
            evidence,
            &ws.config.agents.qa,
        )?;
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
    if let Some(reason) = &opts.reason
        && opts.skip_tests
        && !opts.dry_run
    {
        skip_tests(session, &tree, reason)?;
        view.show(Shown::TestsSkipped {
            tree: &tree,
            reason,
        });
    }
    crate::workflow::require(
        Step::Push,
        &session.ctx,
        Shipping {
            tree: Some(&tree),
            ..Default::default()
        },
    )?;
    let freeze = crate::freeze::gate(
        &ws.gate.freeze,
        session,
        "push",
        opts.reason.as_deref().filter(|_| opts.override_freeze),
        crate::clock::now()?,
        opts.dry_run,
    )?;
    if freeze != crate::freeze::Decision::Open {
        view.show(Shown::Freeze(&freeze));
    }

    let mut target = super::target_for(repo, &commit.branch)?;
    let sources = CredentialSources::for_remote(&remote_raw_url(repo, &target.remote), &ws.config);
    let feature = format!("feature/{}", session.req);
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

    if opts.dry_run {
        return Ok(Pushed::DryRun {
            branch: commit.branch.clone(),
            tip: tip.to_string(),
            target,
        });
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
    let attempt = |target: &Target, tip: Oid, tried: &[String], lines: &[String]| PushAttempt {
        sha: tip.to_string(),
        branch: commit.branch.clone(),
        remote: target.remote.clone(),
        url: target.url.clone(),
        refname: target.remote_ref(),
        tried: tried.to_vec(),
        remote_lines: lines.to_vec(),
    };
    loop {
        let mut force = false;
        if berry_created {
            force = check_lease(repo, &target, lease.as_deref(), tip, &sources)?;
        }
        view.show(Shown::Pushing {
            local: local_ref.trim_start_matches("refs/heads/"),
            tip: &tip.to_string(),
            target: &target,
            force,
        });
        let spec = PushSpec {
            target: &target,
            local_ref: local_ref.clone(),
            force,
            sources: &sources,
        };
        view.transfer(Transfer::Started);
        let progress = |current: usize, total: usize, bytes: usize| {
            view.transfer(Transfer::Objects {
                current,
                total,
                bytes,
            })
        };
        let outcome = super::push(repo, &spec, &progress);
        view.transfer(Transfer::Ended);
        let failure = match outcome {
            Ok(()) => break,
            Err(f) => f,
        };
        view.show(Shown::Remote(&failure.remote_lines));
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
                view.show(Shown::Retrying {
                    remote: &target.remote,
                    detail: &failure.detail,
                    wait,
                    attempt: network_retries,
                    of: NETWORK_RETRY_DELAYS.len(),
                });
                std::thread::sleep(wait);
            }
            Rejection::NonFastForward if !tried_rebase && !berry_created => {
                tried_rebase = true;
                // Already there: pushed by a run whose record was lost (killed, or its check
                // raced another push), and the remote moved on since. Recorded, not rebased.
                let upstream = super::fetch_branch(repo, &target, &sources)?;
                if upstream == tip || repo.graph_descendant_of(upstream, tip)? {
                    break;
                }
                let q = format!(
                    "{} on {} has commits this branch lacks. Fetch them and rebase berry's commit onto them?",
                    target.remote_branch, target.remote
                );
                if !decide.confirm(&q, true, "--yes")? {
                    return Err(BerryError::declined(format!(
                        "rebasing onto {}/{}",
                        target.remote, target.remote_branch
                    ))
                    .with_hint("integrate the remote changes yourself, then `berry push` again")
                    .into());
                }
                view.show(Shown::Rebasing {
                    remote_ref: &target.remote_ref(),
                });
                match super::rebase_onto(repo, &commit.branch, upstream)? {
                    Ok(new_tip) => {
                        view.show(Shown::Rebased {
                            branch: &commit.branch,
                            target: &target,
                            upstream: &upstream.to_string(),
                            tip: &new_tip.to_string(),
                        });
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
                        if let (true, Some(reason)) = (opts.skip_tests, &opts.reason) {
                            skip_tests(session, &new_tree, reason)?;
                        }
                        crate::workflow::require(
                            Step::Push,
                            &session.ctx,
                            Shipping {
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
                        return Err(failures::push_failed(
                            ws,
                            session,
                            &a,
                            e.into(),
                            &report,
                            effects,
                            &mut show_failure,
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
                if !decide.confirm(&q, true, "--yes")? {
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
                    return Err(failures::push_failed(
                        ws,
                        session,
                        &a,
                        e.into(),
                        &report,
                        effects,
                        &mut show_failure,
                    ));
                }
                view.show(Shown::ToFeature {
                    remote_ref: &target.remote_ref(),
                    code,
                    feature: &feature,
                });
                local_ref = point_feature(repo, &feature, tip, false)?;
                target.remote_branch = feature.clone();
                berry_created = true;
                lease = None;
            }
            _ => {
                let a = attempt(&target, tip, &tried, &failure.remote_lines);
                let e = explain(&target, failure);
                return Err(failures::push_failed(
                    ws,
                    session,
                    &a,
                    e,
                    &report,
                    effects,
                    &mut show_failure,
                ));
            }
        }
    }

    crate::fault::point("pushed");
    let remote_sha = super::remote_ref(repo, &target.remote, &target.remote_ref(), &sources)?;
    // The remote may have moved on already (another push right after ours): what counts is that
    // it holds berry's commit.
    let holds = match remote_sha {
        Some(r) if r == tip => true,
        Some(_) => {
            let now = super::fetch_branch(repo, &target, &sources)?;
            now == tip || repo.graph_descendant_of(now, tip)?
        }
        None => false,
    };
    if !holds {
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
    let message = format!("pushed {} to {}", short(&record.sha), record.refname);
    session.record(Step::Push, Outcome::Ok, &message)?;
    view.show(Shown::Verified(&record));
    failures::resolve(
        ws,
        session,
        crate::context::FailureKind::Push,
        &record.sha,
        &report,
        &mut show_failure,
    );
    Ok(Pushed::Pushed { record, message })
}

pub(crate) fn short(sha: &str) -> String {
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
    let remote = super::remote_ref(repo, &target.remote, &target.remote_ref(), sources)?;
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
                "check that `ssh -T` to the remote's host works with your key (the agent, ~/.ssh/config) and that the remote accepts it"
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

#[cfg(test)]
mod tests;
