//! `berry push`: push berry's commit, verify the remote ref, tell rejections apart and offer
//! each its remedy. The work, and the rules it keeps, are in [`crate::push::step`]; this file
//! turns the arguments into options and renders what the work returns; [`view`] shows what it
//! does on its way.

mod view;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::show::{self, Live, short};
use super::{Env, Outcome, Session, Step, StepReport};
use crate::printer::Tone;
use crate::push::{self as work, Options, Pushed};
use view::View;

/// Push the committed branch to its remote with progress, verify the remote ref equals the
/// commit, and tell rejections apart (non-fast-forward, protected branch, large files, auth).
///
/// The branch goes to its upstream, else to `origin` under the same name. Credentials: GH_TOKEN
/// or GITHUB_TOKEN for HTTPS (as x-access-token), ssh (its agent and config) for SSH, else git's credential
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

pub fn run(env: &Env, args: PushArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let req = env.req(None, &ws.store)?;
    let p = &env.printer;
    super::reason_explains(
        args.reason.as_deref(),
        &[
            ("--skip-tests", args.skip_tests),
            ("--override-freeze", args.override_freeze),
        ],
        "pass --skip-tests --reason TEXT to push without passing tests",
    )?;
    let mut session = Session::existing(&ws.store, req.clone(), Step::Push)?;
    let opts = Options {
        skip_tests: args.skip_tests,
        override_freeze: args.override_freeze,
        reason: args.reason,
        repo: env.globals.repo.clone(),
        answerable: p.yes() || p.interactive(),
        dry_run: p.dry_run(),
    };
    let mut effects = super::effects::Edge { env, ws: &ws };
    let view = View {
        p,
        live: Live::default(),
    };
    let done = work::step(
        &ws,
        &mut session,
        &opts,
        p,
        &mut effects,
        &mut || env.source(&ws),
        &view,
    )?;
    let report =
        |outcome, message: &str| StepReport::new("push", Some(req.clone()), outcome, message);
    Ok(match done {
        Pushed::Recorded(prev) => {
            show::done(
                p,
                format!(
                    "already pushed: {} on {} ({}) is {}",
                    prev.refname,
                    prev.remote,
                    prev.url,
                    short(&prev.sha)
                ),
            );
            p.line(p.paint(Tone::Dim, "  nothing to push"));
            super::print_next(p, &session.ctx, Step::Push);
            report(Outcome::Ok, "already pushed").with_data(serde_json::to_value(&prev)?)
        }
        Pushed::DryRun {
            branch,
            tip,
            target,
        } => {
            let (remote, url, remote_ref) = (&target.remote, &target.url, target.remote_ref());
            p.line(format!(
                "would push {branch} ({}) to {remote} ({url}) as {remote_ref}",
                short(&tip)
            ));
            p.line("would then read the remote ref back and record it in the context");
            report(Outcome::Skipped, "dry run").with_data(json!({
                "remote": remote, "url": url, "ref": remote_ref, "sha": tip, "branch": target.remote_branch,
            }))
        }
        Pushed::Pushed { record, message } => {
            super::print_next(p, &session.ctx, Step::Push);
            p.result(&record.sha);
            report(Outcome::Ok, &message).with_data(serde_json::to_value(&record)?)
        }
    })
}
