//! The texts of a step that cannot run yet in `berry run --dry-run`: a dry run records nothing,
//! so a later step's records are missing, yet the operator is shown what it would write and send
//! — the commit message, the pull request's title and body, the tracker edit and the completion
//! notice — rendered by the same functions the steps use. What only the earlier steps can know
//! (the commit's SHA) is a placeholder; the tests are assumed to pass, as the plan needs them to.

use std::path::Path;

use anyhow::Result;
use jiff::Timestamp;
use serde_json::Value;

use crate::config::Config;
use crate::context::{ReqContext, TestsRecord};
use crate::deliverables::Row;
use crate::notice::{self, Notice, Status};
use crate::tracker::Edit;
use crate::workflow::Step;

/// Stands for the SHA of the commit berry has not made yet.
pub const PLANNED_SHA: &str = "<sha>";
/// Stands for the tree of that commit.
const PLANNED_TREE: &str = "<tree>";

/// One text a planned step would write or send (with `--json`, `{"kind": …, "text": …}`; the
/// tracker edit without the file's text).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "snake_case")]
pub enum Text {
    CommitMessage(String),
    Pr {
        title: String,
        body: String,
    },
    Tracker {
        path: String,
        line: usize,
        from: String,
        to: &'static str,
        #[serde(skip)]
        old: String,
        #[serde(skip)]
        new: String,
    },
    Notice {
        subject: String,
        msg_id: String,
        payload: Value,
    },
    /// Why a text cannot be shown (a missing tracker file, no evidence yet).
    Note(String),
}

/// What the texts are rendered from.
pub struct Inputs<'a> {
    pub repo: &'a git2::Repository,
    pub root: &'a Path,
    pub config: &'a Config,
    /// The REQ's context as recorded (the dry run adds nothing to it).
    pub ctx: &'a ReqContext,
    /// The deliverables as read now.
    pub rows: &'a [Row],
    /// The branch the commit goes to (HEAD's).
    pub branch: &'a str,
    pub now: Timestamp,
}

/// The texts `step` would write or send; empty for a step that writes none of its own.
pub fn texts(step: Step, i: &Inputs<'_>) -> Result<Vec<Text>> {
    let ctx = hypothetical(i.ctx, i.now);
    let req = &ctx.req;
    let sha = ctx.shipped_sha().unwrap_or(PLANNED_SHA).to_string();
    let branch = ctx.shipped_branch().unwrap_or(i.branch).to_string();
    Ok(match step {
        Step::Commit => {
            let Some(evidence) = &ctx.evidence else {
                return Ok(vec![Text::Note(
                    "the commit message names QA's evidence, which `berry verify` records".into(),
                )]);
            };
            let (template, origin) = crate::message::template(i.root)?;
            let origin = origin
                .map(|o| o.display().to_string())
                .unwrap_or_else(|| "templates/commit.txt (built in)".into());
            let allowed = ctx
                .review
                .as_ref()
                .map(|r| r.allowed.clone())
                .unwrap_or_default();
            let input = crate::message::input(
                i.config,
                req,
                ctx.title.as_deref(),
                i.rows,
                evidence,
                &allowed,
            );
            let message = crate::message::render(&template, &origin, &input)?;
            vec![Text::CommitMessage(
                crate::secrets::mask_text(&message).into_owned(),
            )]
        }
        Step::Pr => {
            let tree = ctx
                .ledger
                .tests
                .as_ref()
                .and_then(|t| t.tree.clone())
                .unwrap_or_else(|| PLANNED_TREE.into());
            let body = crate::prbody::body(
                i.root,
                i.config,
                &ctx,
                &crate::prbody::Shipping {
                    sha: &sha,
                    branch: &branch,
                    tree: Some(&tree),
                },
                i.rows,
            )?;
            vec![Text::Pr {
                title: crate::prbody::title(req, &ctx),
                body,
            }]
        }
        Step::Complete => {
            let short = notice::short_sha(&sha).to_string();
            let at = crate::clock::rfc3339(i.now);
            let mut out = Vec::new();
            let path = i.config.tracker.path.clone();
            match std::fs::read_to_string(i.root.join(&path)) {
                Ok(old) => {
                    let edit = Edit::Deployed {
                        at,
                        commit: short,
                        by: "berry".into(),
                    };
                    match crate::tracker::edit(&old, req.as_str(), &edit) {
                        Ok(e) => out.push(Text::Tracker {
                            path,
                            line: e.status_line,
                            from: e.old_status,
                            to: edit.status(),
                            old,
                            new: e.new_text,
                        }),
                        Err(e) => out.push(Text::Note(format!("cannot edit {path}: {e}"))),
                    }
                }
                Err(e) => out.push(Text::Note(format!(
                    "the tracker {path} cannot be read: {e}"
                ))),
            }
            let subject = crate::nats::subject(&i.config.nats.subject, req.as_str());
            let files = if ctx.ledger.commit.is_some() || ctx.review.is_some() {
                notice::files_from(ctx.ledger.commit.as_ref(), ctx.review.as_ref())
            } else {
                in_scope(i)?
            };
            let pr_url = ctx.ledger.pr.as_ref().and_then(|p| p.url.clone());
            let payload = notice::payload(
                &Notice {
                    req: req.as_str(),
                    title: ctx.title.as_deref(),
                    status: Status::Complete,
                    subject: &subject,
                    commit_sha: Some(&sha),
                    branch: Some(&branch),
                    pr_url: pr_url.as_deref(),
                    files: &files,
                    tests_passed: true,
                    tests_skipped: None,
                    health: None,
                    checklist: None,
                    ci: "success",
                    at: i.now,
                    reason: None,
                },
                &notice::Template::load(i.root)?,
            )?;
            out.push(Text::Notice {
                msg_id: notice::msg_id(req.as_str(), Status::Complete, &sha),
                subject,
                payload,
            });
            out
        }
        _ => Vec::new(),
    })
}

/// The context as the plan supposes it: the tests passed for the tree being shipped (unless they
/// were recorded for it already).
fn hypothetical(ctx: &ReqContext, now: Timestamp) -> ReqContext {
    let mut ctx = ctx.clone();
    if ctx.ledger.tests.is_none() {
        ctx.ledger.tests = Some(TestsRecord {
            passed: true,
            log: String::new(),
            commands: Vec::new(),
            head: None,
            tree: Some(PLANNED_TREE.into()),
            dirty: Vec::new(),
            at: now,
        });
    }
    ctx
}

/// The changes in scope now, as review would list them (before review recorded its set).
fn in_scope(i: &Inputs<'_>) -> Result<Vec<notice::FileChange>> {
    let scope = crate::scope::Scope::new(&i.config.stage.paths)
        .map_err(|e| crate::error::BerryError::usage(format!("stage.paths: {e}")))?;
    let (changes, _) = crate::git::change_set(i.repo)?;
    let (inside, _) = crate::review::sort(&scope, changes);
    Ok(inside
        .into_iter()
        .filter(|c| c.entry != crate::git::Entry::Directory)
        .map(|c| notice::FileChange {
            path: c.path,
            status: c.kind.as_str().to_string(),
            old_path: c.old_path,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::req::ReqNumber;

    const TRACKER: &str = "# Owner requests\n\n### REQ-PLAN-1: Plan the texts\n\n**Status**: IN_PROGRESS\n**Owner**: marcus\n";

    struct World {
        _tmp: tempfile::TempDir,
        repo: git2::Repository,
        root: std::path::PathBuf,
        config: Config,
        ctx: ReqContext,
        now: Timestamp,
    }

    fn world() -> World {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let repo = git2::Repository::init(&root).unwrap();
        let config = Config::default();
        let tracker = root.join(&config.tracker.path);
        std::fs::create_dir_all(tracker.parent().unwrap()).unwrap();
        std::fs::write(&tracker, TRACKER).unwrap();
        let now: Timestamp = "2026-01-05T12:00:00Z".parse().unwrap();
        let mut ctx = ReqContext::new(ReqNumber::parse("REQ-PLAN-1").unwrap(), now);
        ctx.title = Some("Plan the texts".into());
        World {
            _tmp: tmp,
            repo,
            root,
            config,
            ctx,
            now,
        }
    }

    fn texts_of(w: &World, step: Step) -> Vec<Text> {
        let inputs = Inputs {
            repo: &w.repo,
            root: &w.root,
            config: &w.config,
            ctx: &w.ctx,
            rows: &[],
            branch: "main",
            now: w.now,
        };
        texts(step, &inputs).unwrap()
    }

    #[test]
    fn the_pr_is_titled_and_its_body_says_the_tests_are_needed_to_pass() {
        let w = world();
        let t = texts_of(&w, Step::Pr);
        let [Text::Pr { title, body }] = t.as_slice() else {
            panic!("{t:?}");
        };
        assert_eq!(title, "REQ-PLAN-1: Plan the texts");
        assert!(
            body.contains(&format!("`{PLANNED_SHA}` on `main`")),
            "{body}"
        );
        assert!(body.contains("`berry test` passed"), "{body}");
    }

    #[test]
    fn complete_shows_the_tracker_edit_and_the_notice_and_writes_nothing() {
        let w = world();
        let t = texts_of(&w, Step::Complete);
        let Some(Text::Tracker { from, to, new, .. }) = t.first() else {
            panic!("{t:?}");
        };
        assert_eq!((from.as_str(), *to), ("IN_PROGRESS", "DEPLOYED"));
        assert!(new.contains(&format!("**Commit**: {PLANNED_SHA}")), "{new}");
        let Some(Text::Notice {
            payload, msg_id, ..
        }) = t.get(1)
        else {
            panic!("{t:?}");
        };
        assert_eq!(payload["status"], "COMPLETE");
        assert_eq!(payload["tests_passed"], true);
        assert_eq!(payload["commit_sha"], PLANNED_SHA);
        assert!(msg_id.starts_with("berry-REQ-PLAN-1-complete-"), "{msg_id}");
        let on_disk = std::fs::read_to_string(w.root.join(&w.config.tracker.path)).unwrap();
        assert_eq!(on_disk, TRACKER, "the plan writes nothing");
    }

    #[test]
    fn a_recorded_commit_is_named_instead_of_the_placeholder() {
        let mut w = world();
        w.ctx.ledger.commit = Some(
            serde_json::from_value(serde_json::json!({
                "sha": "0123456789abcdef0123456789abcdef01234567", "branch": "main",
                "at": "2026-01-05T12:00:00Z"
            }))
            .unwrap(),
        );
        let t = texts_of(&w, Step::Complete);
        let Some(Text::Notice { payload, .. }) = t.get(1) else {
            panic!("{t:?}");
        };
        assert_eq!(
            payload["commit_sha"],
            "0123456789abcdef0123456789abcdef01234567"
        );
    }

    #[test]
    fn without_evidence_the_commit_message_is_a_note_not_a_guess() {
        let w = world();
        let t = texts_of(&w, Step::Commit);
        assert!(matches!(t.as_slice(), [Text::Note(_)]), "{t:?}");
        assert!(texts_of(&w, Step::Watch).is_empty());
    }
}
