//! `berry pr`'s work: find the open pull request for `owner:branch`, or open it, and record it.
//! [`pr`] takes plain [`Options`], reports what it does on its way through a `show` callback and
//! returns a [`Done`] the command renders; nothing here prints.
//!
//! What it keeps:
//!
//! - **Once**: a recorded pull request is reported, never opened again. The reviewers and labels
//!   asked for are part of the step's work: a rerun applies those the record does not hold yet
//!   (after a failed reviewer request, or with new ones), each recorded as soon as GitHub took it.
//! - **Found before opened**: an open pull request with the same head (and base) is adopted;
//!   GitHub's "already exists" is answered by looking it up; "no commits between" is a failure
//!   saying there is nothing to propose.
//! - **No GitHub, no pull request**: without a GitHub repository the step records itself skipped
//!   (as `watch` does, alone or inside `run`); on the default branch it records "not needed".
//! - **Dry run sends nothing**: the requests are returned for the command to show.

use anyhow::Result;

use crate::context::PrRecord;
use crate::deliverables::Row;
use crate::error::BerryError;
use crate::github::pulls::{self, CreateRefusal, NewPull, Pull};
use crate::github::target::Target;
use crate::github::{self, Client, RepoId};
use crate::push::PushRecord;
use crate::workflow::{Outcome, Step};
use crate::workspace::{Session, Workspace};

/// What the command decided before the work starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Open the pull request as a draft.
    pub draft: bool,
    /// Request reviews from these users.
    pub reviewers: Vec<String>,
    /// Put these labels on it.
    pub labels: Vec<String>,
    /// The branch to merge into (default: the repository's default branch).
    pub base: Option<String>,
    /// The repository named on the command line (`--repo`), over the remote's.
    pub repo: Option<String>,
    /// Show the requests, send and record nothing.
    pub dry_run: bool,
}

/// What the work shows on its way, in order.
pub enum Shown<'a> {
    /// A rerun that still has reviewers or labels to apply: the record it starts from.
    Recorded(&'a PrRecord),
    /// The deliverables could not be read for the body: it lists only the recorded evidence.
    DeliverablesUnread(&'a anyhow::Error),
    /// No token in any of `sources`: trying without one.
    NoToken { sources: &'static str },
    /// GitHub says the pull request exists already: looking it up.
    LookingUp,
    /// The pull request is open (`existing`: found, not opened by this run); recorded.
    Open { pull: &'a Pull, existing: bool },
    /// Review requested from these users; recorded.
    ReviewRequested(&'a [String]),
    /// These labels were put on it; recorded.
    Labelled(&'a [String]),
}

/// How the step ended.
pub enum Done {
    /// The ledger holds the pull request (or "not needed") and nothing was left to apply.
    Recorded(PrRecord),
    /// The ledger holds "skipped" (no GitHub repository when it ran).
    RecordedSkipped(PrRecord),
    /// No GitHub repository: recorded as skipped (unless a dry run), with the reason.
    Skipped(PrRecord),
    /// `--dry-run`: what would be sent.
    DryRun {
        repo: RepoId,
        api: String,
        branch: String,
        new: NewPull,
        reviewers: Vec<String>,
        labels: Vec<String>,
    },
    /// The recorded pull request got the reviewers and labels it lacked.
    Resumed(PrRecord),
    /// The pushed branch is the repository's default branch: recorded as not needed.
    NotNeeded { record: PrRecord, repo: RepoId },
    /// The pull request is open (found or opened), recorded with its reviewers and labels.
    Open { record: PrRecord, pull: Pull },
}

/// Finds or opens `session`'s pull request. `rows` reads the deliverables for the body (asked
/// only when a body is rendered). See the module documentation for what it guarantees.
pub fn pr(
    ws: &Workspace,
    session: &mut Session,
    opts: &Options,
    rows: &mut dyn FnMut() -> Result<Vec<Row>>,
    show: &mut dyn FnMut(Shown<'_>),
) -> Result<Done> {
    let req = session.req.clone();
    let mut resume: Option<PrRecord> = None;
    if let Some(prev) = session.ctx.ledger.pr.clone() {
        let extras = !missing(&prev.reviewers, &opts.reviewers).is_empty()
            || !missing(&prev.labels, &opts.labels).is_empty();
        if extras && prev.number.is_some() {
            show(Shown::Recorded(&prev));
            resume = Some(prev);
        } else if prev.skipped.is_some() {
            return Ok(Done::RecordedSkipped(prev));
        } else {
            return Ok(Done::Recorded(prev));
        }
    }

    let push = PushRecord::recorded(&session.ctx, Step::Pr)?;
    let (repo_id, client) = match github::target::target(
        opts.repo.as_deref(),
        &ws.repo,
        &ws.config.github,
        &push.remote,
        &push.url,
    )? {
        Target::At(id, client) => (id, client),
        Target::Absent(reason) => {
            let mut rec = record_for(&push.branch, crate::clock::now()?);
            rec.skipped = Some(reason.clone());
            if !opts.dry_run {
                session.ctx.ledger.pr = Some(rec.clone());
                session.record(Step::Pr, Outcome::Skipped, &reason)?;
            }
            return Ok(Done::Skipped(rec));
        }
    };
    let title = crate::prbody::title(&req, &session.ctx);
    let body = render_body(ws, session, &push, rows, show)?;

    if opts.dry_run {
        let new = NewPull {
            title,
            body,
            head: push.branch.clone(),
            base: opts
                .base
                .clone()
                .unwrap_or_else(|| "<default branch>".into()),
            draft: opts.draft,
        };
        return Ok(Done::DryRun {
            api: client.base().to_string(),
            repo: repo_id,
            branch: push.branch.clone(),
            new,
            reviewers: opts.reviewers.clone(),
            labels: opts.labels.clone(),
        });
    }

    if client.token_source().is_none() {
        show(Shown::NoToken {
            sources: github::token_sources(!github::is_dotcom(client.base())),
        });
    }
    if let Some(rec) = resume {
        let number = rec.number.expect("resumed only with a number");
        let rec = apply_extras(&client, &repo_id, session, rec, opts, show)?;
        session.record(Step::Pr, Outcome::Ok, &format!("pull request #{number}"))?;
        return Ok(Done::Resumed(rec));
    }

    let default = pulls::default_branch(&client, &repo_id).map_err(api)?;
    let now = crate::clock::now()?;
    if push.branch == default && opts.base.as_deref().is_none_or(|b| b == default) {
        let mut rec = record_for(&push.branch, now);
        rec.not_needed = true;
        rec.base = Some(default);
        session.ctx.ledger.pr = Some(rec.clone());
        session.record(
            Step::Pr,
            Outcome::Ok,
            "not needed: pushed to the default branch",
        )?;
        return Ok(Done::NotNeeded {
            record: rec,
            repo: repo_id,
        });
    }
    let base = opts.base.clone().unwrap_or(default);

    let (pull, existing) =
        match pulls::find_open(&client, &repo_id, &push.branch, Some(&base)).map_err(api)? {
            Some(found) => (found, true),
            None => {
                let new = NewPull {
                    title,
                    body,
                    head: push.branch.clone(),
                    base: base.clone(),
                    draft: opts.draft,
                };
                open(&client, &repo_id, &new, show)?
            }
        };

    let rec = PrRecord {
        number: Some(pull.number),
        url: Some(pull.url.clone()),
        head: pull.head.clone(),
        base: Some(pull.base.clone()),
        existing,
        draft: pull.draft,
        ..record_for(&pull.head, now)
    };
    session.ctx.ledger.pr = Some(rec.clone());
    session.save()?;
    show(Shown::Open {
        pull: &pull,
        existing,
    });
    let rec = apply_extras(&client, &repo_id, session, rec, opts, show)?;
    session.record(
        Step::Pr,
        Outcome::Ok,
        &format!("pull request #{}", pull.number),
    )?;
    Ok(Done::Open { record: rec, pull })
}

/// What `want` holds that `have` does not.
fn missing(have: &[String], want: &[String]) -> Vec<String> {
    want.iter().filter(|w| !have.contains(w)).cloned().collect()
}

fn api(e: github::ApiError) -> anyhow::Error {
    e.into_berry().into()
}

/// A record of no pull request for `head` at `at`, to fill in.
fn record_for(head: &str, at: jiff::Timestamp) -> PrRecord {
    PrRecord {
        not_needed: false,
        skipped: None,
        number: None,
        url: None,
        head: head.to_string(),
        base: None,
        at,
        existing: false,
        draft: false,
        reviewers: vec![],
        labels: vec![],
    }
}

/// Opens `new`; GitHub's "already exists" is answered by looking the open one up. Returns the
/// pull request and whether it was there already.
fn open(
    client: &Client,
    repo: &RepoId,
    new: &NewPull,
    show: &mut dyn FnMut(Shown<'_>),
) -> Result<(Pull, bool)> {
    match pulls::create(client, repo, new) {
        Ok(created) => {
            crate::fault::point("pr-created");
            Ok((created, false))
        }
        Err(e) => match pulls::refusal(&e) {
            Some(CreateRefusal::AlreadyExists) => {
                show(Shown::LookingUp);
                let found = pulls::find_open(client, repo, &new.head, None)
                    .map_err(api)?
                    .ok_or_else(|| {
                        BerryError::failure(format!(
                            "GitHub says a pull request from {}:{} exists, but none is open with that head",
                            repo.owner, new.head
                        ))
                    })?;
                Ok((found, true))
            }
            Some(CreateRefusal::NoCommits(m)) => Err(BerryError::failure(format!(
                "no pull request: {} already has every commit of {} ({m})",
                new.base, new.head
            ))
            .with_hint(
                "nothing to propose; check that `berry push` pushed the commit, or pick another --base",
            )
            .into()),
            None => Err(api(e)),
        },
    }
}

/// Requests the reviewers and adds the labels `opts` asks for that `rec` does not hold yet, each
/// recorded as soon as GitHub took it.
fn apply_extras(
    client: &Client,
    repo: &RepoId,
    session: &mut Session,
    mut rec: PrRecord,
    opts: &Options,
    show: &mut dyn FnMut(Shown<'_>),
) -> Result<PrRecord> {
    let number = rec.number.expect("a PR that exists");
    let reviewers = missing(&rec.reviewers, &opts.reviewers);
    if !reviewers.is_empty() {
        pulls::request_reviewers(client, repo, number, &reviewers).map_err(api)?;
        rec.reviewers.extend(reviewers.iter().cloned());
        session.ctx.ledger.pr = Some(rec.clone());
        session.save()?;
        show(Shown::ReviewRequested(&reviewers));
    }
    let labels = missing(&rec.labels, &opts.labels);
    if !labels.is_empty() {
        pulls::add_labels(client, repo, number, &labels).map_err(api)?;
        rec.labels.extend(labels.iter().cloned());
        session.ctx.ledger.pr = Some(rec.clone());
        session.save()?;
        show(Shown::Labelled(&labels));
    }
    Ok(rec)
}

/// The body from the template, with the deliverables as read now (a read that fails is shown
/// once: the body then lists only the recorded evidence).
fn render_body(
    ws: &Workspace,
    session: &Session,
    push: &PushRecord,
    rows: &mut dyn FnMut() -> Result<Vec<Row>>,
    show: &mut dyn FnMut(Shown<'_>),
) -> Result<String> {
    let rows = rows().unwrap_or_else(|e| {
        show(Shown::DeliverablesUnread(&e));
        vec![]
    });
    crate::prbody::body(
        &ws.root,
        &ws.config,
        &session.ctx,
        &crate::prbody::Shipping {
            sha: &push.sha,
            branch: &push.branch,
            tree: ws.shipped_tree(&session.ctx).as_deref(),
        },
        &rows,
    )
}

#[cfg(test)]
mod tests;
