//! `berry push`: push berry's commit, verify the remote ref, tell rejections apart and offer
//! each its remedy. The work, and the rules it keeps, are in [`crate::push::step`]; this file
//! turns the arguments into options and renders what the work shows and returns.

use std::cell::RefCell;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::{Env, Outcome, Session, Step, StepReport};
use crate::error::BerryError;
use crate::printer::{Printer, Tone};
use crate::push::{self as work, Options, Pushed, Shown, Transfer};

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

/// Records `--skip-tests --reason` for `tree` (see [`crate::push::skip_tests`]).
pub(crate) use crate::push::skip_tests;

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
        bar: RefCell::new(None),
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
    match done {
        Pushed::Recorded(prev) => {
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
            let data = serde_json::to_value(&prev)?;
            Ok(StepReport::new("push", Some(req), Outcome::Ok, "already pushed").with_data(data))
        }
        Pushed::DryRun {
            branch,
            tip,
            target,
        } => {
            p.line(format!(
                "would push {branch} ({}) to {} ({}) as {}",
                short(&tip),
                target.remote,
                target.url,
                target.remote_ref()
            ));
            p.line("would then read the remote ref back and record it in the context");
            Ok(
                StepReport::new("push", Some(req), Outcome::Skipped, "dry run").with_data(json!({
                    "remote": target.remote, "url": target.url, "ref": target.remote_ref(),
                    "sha": tip, "branch": target.remote_branch,
                })),
            )
        }
        Pushed::Pushed { record, message } => {
            super::print_next(p, &session.ctx, Step::Push);
            p.result(&record.sha);
            Ok(StepReport::new("push", Some(req), Outcome::Ok, message)
                .with_data(serde_json::to_value(&record)?))
        }
    }
}

fn short(sha: &str) -> String {
    sha.chars().take(12).collect()
}

/// What the work shows, through the printer; a transfer as a bar.
struct View<'a> {
    p: &'a Printer,
    bar: RefCell<Option<indicatif::ProgressBar>>,
}

impl work::View for View<'_> {
    fn show(&self, s: Shown<'_>) {
        let p = self.p;
        match s {
            Shown::Failure(s) => super::failures::render(p, s),
            Shown::TestsSkipped { tree, reason } => p.warn(format!(
                "the tests are skipped for tree {}: {reason} (recorded; the PR and the completion notice say so)",
                short(tree)
            )),
            Shown::Freeze(d) => super::say_freeze(p, "push", d),
            Shown::Pushing {
                local,
                tip,
                target,
                force,
            } => p.line(format!(
                "{} {local} ({}) to {} ({}) as {}{}",
                p.paint(Tone::Strong, "Pushing"),
                short(tip),
                target.remote,
                target.url,
                target.remote_branch,
                if force { " (with lease)" } else { "" }
            )),
            Shown::Remote(lines) => {
                for l in lines {
                    p.line(p.paint(Tone::Dim, format!("remote: {l}")));
                }
            }
            Shown::Retrying {
                remote,
                detail,
                wait,
                attempt,
                of,
            } => p.line(format!(
                "  {remote} could not be reached ({detail}); trying again in {}s ({attempt} of {of})",
                wait.as_secs(),
            )),
            Shown::Rebasing { remote_ref } => p.line(format!(
                "{remote_ref} has moved on (non-fast-forward): fetching it and rebasing berry's commit onto it"
            )),
            Shown::Rebased {
                branch,
                target,
                upstream,
                tip,
            } => p.line(format!(
                "{} rebased {branch} onto {}/{} ({}): now {}",
                p.paint(Tone::Good, "✔"),
                target.remote,
                target.remote_branch,
                short(upstream),
                short(tip)
            )),
            Shown::ToFeature {
                remote_ref,
                code,
                feature,
            } => p.line(format!(
                "{remote_ref} is protected ({code}): pushing {feature} instead"
            )),
            Shown::Verified(record) => p.line(format!(
                "{} {} on {} is {} (verified)",
                p.paint(Tone::Good, "✔"),
                record.refname,
                record.remote,
                short(&record.sha)
            )),
        }
    }

    fn transfer(&self, t: Transfer) {
        match t {
            Transfer::Started => {
                *self.bar.borrow_mut() = Some(self.p.bar(0, "{spinner} {pos}/{len} objects {msg}"))
            }
            Transfer::Objects {
                current,
                total,
                bytes,
            } => {
                if let Some(bar) = self.bar.borrow().as_ref() {
                    bar.set_length(total as u64);
                    bar.set_position(current as u64);
                    bar.set_message(indicatif::HumanBytes(bytes as u64).to_string());
                }
            }
            Transfer::Ended => {
                if let Some(bar) = self.bar.borrow_mut().take() {
                    bar.finish_and_clear();
                }
            }
        }
    }
}
