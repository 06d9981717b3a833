//! `berry status`: what is recorded for a REQ, what comes next, what side effects exist. The
//! view `--json` prints is built by [`crate::status`]; [`view`] lays it out for a person.

mod records;
mod view;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::{Env, Outcome, StepReport};
use crate::req::ReqNumber;
use crate::status::{self as work, Found};

/// Show what is recorded for a REQ: each step's outcome, the next step, and the side effects
/// (commit, push, PR, CI issue, tracker edits, events). Without a REQ and none current, lists the
/// REQs that have a context in this repository.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The REQ to show. Defaults to --req, then the current REQ.
    #[arg(value_name = "REQ", value_parser = ReqNumber::parse, add = clap_complete::engine::ArgValueCompleter::new(crate::complete::reqs))]
    pub req: Option<ReqNumber>,
}

pub fn run(env: &Env, args: StatusArgs) -> Result<StepReport> {
    let ws = env.workspace()?;
    let p = &env.printer;
    let named = args.req.or_else(|| env.globals.req.clone());
    let report = |req, message: String| StepReport::new("status", req, Outcome::Ok, message);
    Ok(match work::status(&ws, named)? {
        Found::List(reqs) => {
            if reqs.is_empty() {
                p.result("No REQ has been verified in this repository yet.");
            } else {
                p.result("REQs with a context here:");
                for r in &reqs {
                    p.result(format!("  {r}"));
                }
            }
            report(None, format!("{} REQ(s)", reqs.len())).with_data(json!({"reqs": reqs}))
        }
        Found::Nothing(nothing) => {
            let req = nothing.req.clone();
            p.result(format!(
                "{req}: nothing recorded yet (next: berry verify {req})"
            ));
            report(Some(req), "nothing recorded".into()).with_data(serde_json::to_value(&nothing)?)
        }
        Found::Recorded { ctx, status } => {
            if !p.json() {
                view::print(p, &ctx, &status, &ws.store.path_of(&ctx.req));
            }
            let message = match status.next {
                Some(n) => format!("next: {n}"),
                None => "every step is done".into(),
            };
            report(Some(ctx.req.clone()), message).with_data(serde_json::to_value(&status)?)
        }
    })
}
