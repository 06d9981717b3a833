//! `berry pr`: find the open pull request for `owner:branch`, or create it (README "The steps").

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::{Env, Outcome, Session, Step, StepReport, Workspace};
use crate::error::BerryError;
use crate::github::pulls::{self, CreateRefusal, NewPull, Pull};
use crate::github::{self, RepoId};
use crate::printer::Tone;
use crate::push::PushRecord;
use crate::req::ReqNumber;

/// Find the open pull request for owner:branch, or create one (title `REQ: Title`, body from
/// templates/pr.md). On the default branch a PR is recorded as not needed.
///
/// The repository comes from --repo (or BERRY_GITHUB_REPO), else the pushed remote's URL, else
/// config github.repo; the API from GITHUB_API_URL, else the host. The token is GH_TOKEN or
/// GITHUB_TOKEN (GH_ENTERPRISE_TOKEN first on GitHub Enterprise Server). The body template can
/// be overridden by .berry/templates/pr.md in the repository. With --dry-run the requests are
/// printed (method, URL, JSON body) and nothing is sent.
#[derive(Debug, Args)]
pub struct PrArgs {
    /// Open the pull request as a draft.
    #[arg(long)]
    pub draft: bool,
    /// Request a review from this user (repeatable).
    #[arg(long, value_name = "LOGIN")]
    pub reviewer: Vec<String>,
    /// Add this label (repeatable).
    #[arg(long, value_name = "NAME")]
    pub label: Vec<String>,
    /// The branch to merge into (default: the repository's default branch).
    #[arg(long, value_name = "BRANCH")]
    pub base: Option<String>,
}

pub use crate::context::PrRecord;

pub fn run(env: &Env, args: PrArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(None, &ws.store)?;
    let p = &env.printer;
    let mut session = Session::existing(&ws.store, req.clone(), Step::Pr)?;

    // The reviewers and labels asked for are part of the PR's work: a rerun applies what the
    // record does not hold yet (after a failed reviewer request, or with new ones).
    let missing = |have: &[String], want: &[String]| -> Vec<String> {
        want.iter().filter(|w| !have.contains(w)).cloned().collect()
    };
    let mut resume: Option<PrRecord> = None;
    if let Some(prev) = session.ctx.ledger.pr.clone() {
        let extras = !missing(&prev.reviewers, &args.reviewer).is_empty()
            || !missing(&prev.labels, &args.label).is_empty();
        if extras && prev.number.is_some() {
            resume = Some(prev.clone());
        } else if let Some(why) = &prev.skipped {
            p.line(format!(
                "{} pr skipped: {why} (recorded)",
                p.paint(Tone::Dim, "–")
            ));
            return Ok(
                StepReport::new("pr", Some(req), Outcome::Skipped, why.clone())
                    .with_data(serde_json::to_value(&prev)?),
            );
        }
        if prev.not_needed {
            p.line(format!(
                "{} no pull request needed: {} is the default branch (recorded)",
                p.paint(Tone::Good, "✔"),
                prev.head
            ));
        } else {
            p.line(format!(
                "{} pull request #{} is recorded: {}",
                p.paint(Tone::Good, "✔"),
                prev.number.unwrap_or_default(),
                prev.url.as_deref().unwrap_or("")
            ));
            if let Some(u) = &prev.url {
                p.result(u);
            }
        }
        if resume.is_none() {
            let data = serde_json::to_value(&prev)?;
            return Ok(
                StepReport::new("pr", Some(req), Outcome::Ok, "already recorded").with_data(data),
            );
        }
    }

    let push = PushRecord::recorded(&session.ctx, Step::Pr)?;
    if let Some(reason) = no_github(env, &ws, &push) {
        let rec = PrRecord {
            not_needed: false,
            skipped: Some(reason.clone()),
            number: None,
            url: None,
            head: push.branch.clone(),
            base: None,
            at: crate::clock::now()?,
            existing: false,
            draft: false,
            reviewers: vec![],
            labels: vec![],
        };
        if !p.dry_run() {
            session.ctx.ledger.pr = Some(rec.clone());
            session.record(Step::Pr, Outcome::Skipped, &reason)?;
        }
        p.line(format!("{} pr skipped: {reason}", p.paint(Tone::Dim, "–")));
        return Ok(StepReport::new("pr", Some(req), Outcome::Skipped, reason)
            .with_data(serde_json::to_value(&rec)?));
    }

    let repo_id = resolve_repo(env, &ws, &push)?;
    let client = github::client_for(&repo_id, &ws.config.github)?;
    let base_url = client.base().to_string();
    let title = crate::prbody::title(&req, &session.ctx);
    let body = render_body(env, &ws, &session, &req, &push)?;

    if p.dry_run() {
        let base = args
            .base
            .clone()
            .unwrap_or_else(|| "<default branch>".into());
        let new = NewPull {
            title,
            body,
            head: push.branch.clone(),
            base,
            draft: args.draft,
        };
        let rp = pulls::repo_path(&repo_id);
        p.line("would send (nothing was sent):");
        p.result(format!("GET {base_url}{rp}"));
        p.result(format!(
            "GET {base_url}{}",
            pulls::list_path(&repo_id, &push.branch)
        ));
        p.result(format!("POST {base_url}{rp}/pulls"));
        p.result(serde_json::to_string_pretty(&new.to_json())?);
        if !args.reviewer.is_empty() {
            p.result(format!(
                "POST {base_url}{rp}/pulls/<number>/requested_reviewers"
            ));
            p.result(json!({"reviewers": args.reviewer}).to_string());
        }
        if !args.label.is_empty() {
            p.result(format!("POST {base_url}{rp}/issues/<number>/labels"));
            p.result(json!({"labels": args.label}).to_string());
        }
        return Ok(
            StepReport::new("pr", Some(req), Outcome::Skipped, "dry run").with_data(json!({
                "repo": repo_id.full_name(), "api": base_url, "request": new.to_json(),
            })),
        );
    }

    if client.token_source().is_none() {
        p.warn(format!(
            "no GitHub token in {}: trying without one",
            github::token_sources(!github::is_dotcom(&base_url))
        ));
    }
    let api = |e: github::ApiError| -> anyhow::Error { e.into_berry().into() };
    if let Some(rec) = resume {
        let number = rec.number.expect("resumed only with a number");
        let rec = apply_extras(p, &client, &repo_id, &mut session, rec, &args)?;
        let msg = format!("pull request #{number}");
        session.record(Step::Pr, Outcome::Ok, &msg)?;
        return Ok(StepReport::new("pr", Some(req), Outcome::Ok, msg)
            .with_data(serde_json::to_value(&rec)?));
    }

    let default = pulls::default_branch(&client, &repo_id).map_err(api)?;
    let now = crate::clock::now()?;
    if push.branch == default && args.base.as_deref().is_none_or(|b| b == default) {
        let rec = PrRecord {
            not_needed: true,
            skipped: None,
            number: None,
            url: None,
            head: push.branch.clone(),
            base: Some(default.clone()),
            at: now,
            existing: false,
            draft: false,
            reviewers: vec![],
            labels: vec![],
        };
        session.ctx.ledger.pr = Some(rec.clone());
        session.record(
            Step::Pr,
            Outcome::Ok,
            "not needed: pushed to the default branch",
        )?;
        p.line(format!(
            "{} no pull request needed: {} is {}'s default branch",
            p.paint(Tone::Good, "✔"),
            default,
            repo_id
        ));
        return Ok(StepReport::new("pr", Some(req), Outcome::Ok, "not needed")
            .with_data(serde_json::to_value(&rec)?));
    }
    let base = args.base.clone().unwrap_or(default);

    let mut existing = true;
    let pull: Pull = match pulls::find_open(&client, &repo_id, &push.branch, Some(&base))
        .map_err(api)?
    {
        Some(found) => found,
        None => {
            let new = NewPull {
                title: title.clone(),
                body,
                head: push.branch.clone(),
                base: base.clone(),
                draft: args.draft,
            };
            match pulls::create(&client, &repo_id, &new) {
                Ok(created) => {
                    crate::fault::point("pr-created");
                    existing = false;
                    created
                }
                Err(e) => match pulls::refusal(&e) {
                    Some(CreateRefusal::AlreadyExists) => {
                        p.detail("GitHub says the pull request exists already; looking it up");
                        pulls::find_open(&client, &repo_id, &push.branch, None)
                            .map_err(api)?
                            .ok_or_else(|| {
                                BerryError::failure(format!(
                                    "GitHub says a pull request from {}:{} exists, but none is open with that head",
                                    repo_id.owner, push.branch
                                ))
                            })?
                    }
                    Some(CreateRefusal::NoCommits(m)) => {
                        return Err(BerryError::failure(format!(
                            "no pull request: {base} already has every commit of {} ({m})",
                            push.branch
                        ))
                        .with_hint("nothing to propose; check that `berry push` pushed the commit, or pick another --base")
                        .into());
                    }
                    None => return Err(api(e)),
                },
            }
        }
    };

    let mut rec = PrRecord {
        not_needed: false,
        skipped: None,
        number: Some(pull.number),
        url: Some(pull.url.clone()),
        head: pull.head.clone(),
        base: Some(pull.base.clone()),
        at: now,
        existing,
        draft: pull.draft,
        reviewers: vec![],
        labels: vec![],
    };
    session.ctx.ledger.pr = Some(rec.clone());
    session.save()?;
    p.line(format!(
        "{} pull request #{} {}: {}",
        p.paint(Tone::Good, "✔"),
        pull.number,
        if existing {
            "is open already"
        } else {
            "opened"
        },
        pull.url
    ));

    rec = apply_extras(p, &client, &repo_id, &mut session, rec, &args)?;
    let msg = format!("pull request #{}", pull.number);
    session.record(Step::Pr, Outcome::Ok, &msg)?;
    super::print_next(p, &session.ctx, Step::Pr);
    p.result(&pull.url);
    Ok(StepReport::new("pr", Some(req), Outcome::Ok, msg).with_data(serde_json::to_value(&rec)?))
}

/// Requests the reviewers and adds the labels `args` asks for that `rec` does not hold yet, each
/// recorded as soon as GitHub took it.
fn apply_extras(
    p: &crate::printer::Printer,
    client: &github::Client,
    repo_id: &RepoId,
    session: &mut Session,
    mut rec: PrRecord,
    args: &PrArgs,
) -> Result<PrRecord> {
    let api = |e: github::ApiError| -> anyhow::Error { e.into_berry().into() };
    let number = rec.number.expect("a PR that exists");
    let reviewers: Vec<String> = args
        .reviewer
        .iter()
        .filter(|r| !rec.reviewers.contains(r))
        .cloned()
        .collect();
    if !reviewers.is_empty() {
        pulls::request_reviewers(client, repo_id, number, &reviewers).map_err(api)?;
        rec.reviewers.extend(reviewers.iter().cloned());
        session.ctx.ledger.pr = Some(rec.clone());
        session.save()?;
        p.line(format!("  review requested from {}", reviewers.join(", ")));
    }
    let labels: Vec<String> = args
        .label
        .iter()
        .filter(|l| !rec.labels.contains(l))
        .cloned()
        .collect();
    if !labels.is_empty() {
        pulls::add_labels(client, repo_id, number, &labels).map_err(api)?;
        rec.labels.extend(labels.iter().cloned());
        session.ctx.ledger.pr = Some(rec.clone());
        session.save()?;
        p.line(format!("  labelled {}", labels.join(", ")));
    }
    Ok(rec)
}

/// Why there is no GitHub repository to open a PR on or watch CI in (`pr` and `watch` then
/// record themselves as skipped with this reason, alone or inside `run`), or `None`.
pub fn no_github(env: &Env, ws: &Workspace, push: &PushRecord) -> Option<String> {
    no_github_for(env, ws, &push.remote, &push.url)
}

/// [`no_github`] for a remote by name (and the URL recorded for it, when it no longer exists).
pub fn no_github_for(env: &Env, ws: &Workspace, remote: &str, url: &str) -> Option<String> {
    if env.globals.repo.is_some()
        || ws.config.github.repo.is_some()
        || ws.config.github.api_url.is_some()
    {
        return None;
    }
    let url = ws
        .repo
        .find_remote(remote)
        .ok()
        .and_then(|r| r.url().ok().map(str::to_string))
        .or_else(|| Some(url.to_string()).filter(|u| !u.is_empty()));
    match url {
        Some(u) if u.contains("github") => None,
        Some(u) => Some(format!(
            "no GitHub repository: {remote} is {} (set --repo OWNER/REPO for a mirror)",
            crate::github::redact_url(&u)
        )),
        None => Some(format!("no GitHub repository: there is no remote {remote}")),
    }
}

/// `--repo` / `BERRY_GITHUB_REPO`, else the pushed remote's URL, else config `github.repo`.
pub fn resolve_repo(env: &Env, ws: &Workspace, push: &PushRecord) -> Result<RepoId> {
    let raw = ws
        .repo
        .find_remote(&push.remote)
        .ok()
        .and_then(|r| r.url().ok().map(str::to_string))
        .unwrap_or_else(|| push.url.clone());
    Ok(github::locate(
        env.globals.repo.as_deref(),
        &push.remote,
        &raw,
        &ws.config.github,
    )?)
}

/// The body from the template, with the deliverables as read now (a read that fails is said
/// once: the body then lists only the recorded evidence).
fn render_body(
    env: &Env,
    ws: &Workspace,
    session: &Session,
    req: &ReqNumber,
    push: &PushRecord,
) -> Result<String> {
    let rows = match env.source(ws).and_then(|mut s| s.latest(req)) {
        Ok(r) => r,
        Err(e) => {
            env.printer.warn(format!(
                "the deliverables could not be read ({e}); the body lists only the recorded evidence"
            ));
            vec![]
        }
    };
    crate::prbody::body(
        &ws.root,
        &ws.config,
        &session.ctx,
        &crate::prbody::Shipping {
            sha: &push.sha,
            branch: &push.branch,
            tree: super::block::shipped_tree(ws, session).as_deref(),
        },
        &rows,
    )
}
