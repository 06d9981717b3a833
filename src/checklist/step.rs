//! `berry checklist`'s work: every item answered — by its automatic check, by `--attest`, by the
//! operator's earlier confirmation for the same commit, or asked through [`Decide`] — then
//! recorded for the shipped commit. [`step`] takes plain [`Options`], hands the answered list
//! to `shown` before it is recorded, and returns a [`Done`]; nothing here prints.
//!
//! What it keeps:
//!
//! - **An automatic check cannot be attested away**: `--attest` for an item the repository
//!   answers is a usage error, passed or failed.
//! - **The safe answer is no**: a question's default is no, so `--yes` confirms nothing; with
//!   nobody to ask (or a dry run) the item stays unanswered.
//! - **A confirmation holds for its commit**: one given earlier for the same commit is kept.
//! - **Required items close the step**: a failed one is `Blocked` (exit 3); one not confirmed is
//!   recorded as declined and needs a decision (exit 4, naming the `--attest` flags).

use anyhow::Result;

use super::{Attestation, Auto, ChecklistRecord, ITEMS, ItemRecord};
use crate::config::Config;
use crate::decide::Decide;
use crate::error::BerryError;
use crate::workflow::{Outcome, Step};
use crate::workspace::{Session, Workspace};

/// What the command decided.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--attest ITEM[=NOTE]`, as given.
    pub attest: Vec<String>,
    /// Answer and show; ask and record nothing.
    pub dry_run: bool,
}

/// How the step ended (a required item not confirmed is an error: it needs a decision).
#[derive(Debug)]
pub enum Done {
    /// `--dry-run`: the list as it stands; nothing recorded.
    DryRun(ChecklistRecord),
    /// Recorded; a required item failed (`message` names them).
    Failed {
        record: ChecklistRecord,
        message: String,
    },
    /// Recorded; every required item passed or was confirmed.
    Recorded {
        record: ChecklistRecord,
        message: String,
    },
}

/// Answers the checklist for `session`'s shipped commit and records it.
pub fn step(
    ws: &Workspace,
    session: &mut Session,
    opts: &Options,
    decide: &dyn Decide,
    shown: &mut dyn FnMut(&ChecklistRecord),
) -> Result<Done> {
    crate::workflow::require_recorded(Step::Checklist, &session.ctx)?;
    let sha = session.ctx.shipped_sha().map(str::to_string);
    let sha = sha.expect("require_recorded checks the commit");
    let attested = parse_attest(&opts.attest)?;
    let auto = super::automatic(&ws.repo, &sha, &ws.config, &session.ctx)?;
    refuse_automatic(&attested, &auto)?;
    let previous = session
        .ctx
        .ledger
        .checklist
        .as_ref()
        .filter(|c| c.sha == sha);
    let who = crate::commit::ident(&ws.repo, crate::commit::Role::Committer)
        .map(|i| format!("{} <{}>", i.name, i.email))
        .unwrap_or_else(|_| "unknown".into());
    let now = crate::clock::now()?;
    let answers = Answers {
        auto: &auto,
        attested: &attested,
        previous,
        who: &who,
        now,
        ask: (!opts.dry_run).then_some(decide),
    };
    let items = answers.items(&ws.config)?;
    let record = ChecklistRecord {
        sha,
        items,
        at: now,
    };
    shown(&record);
    if opts.dry_run {
        return Ok(Done::DryRun(record));
    }
    session.ctx.ledger.checklist = Some(record.clone());
    session.save()?;
    let failed: Vec<&str> = record
        .items
        .iter()
        .filter(|i| i.required && i.status() == "failed")
        .map(|i| i.id.as_str())
        .collect();
    if !failed.is_empty() {
        let message = format!("required checklist item(s) failed: {}", failed.join(", "));
        session.record(Step::Checklist, Outcome::Blocked, &message)?;
        return Ok(Done::Failed { record, message });
    }
    let missing = record.missing();
    if !missing.is_empty() {
        let msg = format!(
            "required checklist item(s) not confirmed: {}",
            missing.join(", ")
        );
        session.record(Step::Checklist, Outcome::Declined, &msg)?;
        let flags: Vec<String> = missing.iter().map(|m| format!("--attest {m}")).collect();
        return Err(BerryError::needs_decision(msg, &flags.join(" ")).into());
    }
    let count = |status: &str| record.items.iter().filter(|i| i.status() == status).count();
    let message = format!(
        "checklist recorded: {} passed automatically, {} confirmed, {} open (advisory)",
        count("passed"),
        count("confirmed"),
        record.items.iter().filter(|i| !i.ok()).count(),
    );
    session.record(Step::Checklist, Outcome::Ok, &message)?;
    Ok(Done::Recorded { record, message })
}

/// `--attest ITEM[=NOTE]` as (item, note); an empty note is none, an unknown item a usage error.
fn parse_attest(args: &[String]) -> Result<Vec<(String, Option<String>)>> {
    let mut attested = Vec::new();
    for a in args {
        let (id, note) = match a.split_once('=') {
            Some((i, n)) => (
                i.trim(),
                Some(n.trim().to_string()).filter(|n| !n.is_empty()),
            ),
            None => (a.trim(), None),
        };
        if super::title(id).is_none() {
            let items = ITEMS.map(|(i, _)| i).join(", ");
            return Err(
                BerryError::usage(format!("--attest {id}: no such checklist item"))
                    .with_hint(format!("the items: {items}"))
                    .into(),
            );
        }
        attested.push((id.to_string(), note));
    }
    Ok(attested)
}

/// `--attest` for an item the repository answers is refused, whichever way it was answered.
fn refuse_automatic(attested: &[(String, Option<String>)], auto: &[(String, Auto)]) -> Result<()> {
    for (id, _) in attested {
        let Some((_, a)) = auto.iter().find(|(i, _)| i == id) else {
            continue;
        };
        let (how, hint) = if a.passed {
            (
                "passed",
                "nothing to confirm: drop --attest for it".to_string(),
            )
        } else {
            (
                "failed",
                format!(
                    "fix it in the repository, or make `{id}` advisory (leave it out of `[checklist] required` in the committed berry.toml)"
                ),
            )
        };
        let message = format!(
            "--attest {id}: this item is checked automatically ({how}: {})",
            a.detail
        );
        return Err(BerryError::usage(message).with_hint(hint).into());
    }
    Ok(())
}

/// What answers the items, in order: the automatic check, `--attest`, the confirmation kept for
/// the same commit, then the question (`ask`; none with nobody to ask or in a dry run).
struct Answers<'a> {
    auto: &'a [(String, Auto)],
    attested: &'a [(String, Option<String>)],
    previous: Option<&'a ChecklistRecord>,
    who: &'a str,
    now: jiff::Timestamp,
    ask: Option<&'a dyn Decide>,
}

impl Answers<'_> {
    fn items(&self, config: &Config) -> Result<Vec<ItemRecord>> {
        let mut items = Vec::new();
        for (id, title) in ITEMS {
            let required = super::required(config, id);
            let auto = self
                .auto
                .iter()
                .find(|(i, _)| i == id)
                .map(|(_, a)| a.clone());
            let answer = match auto {
                Some(_) => None,
                None => self.answer(id, title, required)?,
            };
            let (id, title) = (id.into(), title.into());
            items.push(ItemRecord {
                id,
                title,
                required,
                auto,
                answer,
            });
        }
        Ok(items)
    }

    fn answer(&self, id: &str, title: &str, required: bool) -> Result<Option<Attestation>> {
        let given = |confirmed: bool, how: &str, note: Option<String>| Attestation {
            confirmed,
            by: self.who.to_string(),
            at: self.now,
            how: how.into(),
            note,
        };
        if let Some((_, note)) = self.attested.iter().find(|(i, _)| i == id) {
            return Ok(Some(given(true, "--attest", note.clone())));
        }
        let kept = self
            .previous
            .and_then(|c| c.items.iter().find(|i| i.id == id));
        if let Some(kept) = kept.and_then(|i| i.answer.clone()).filter(|a| a.confirmed) {
            return Ok(Some(kept));
        }
        let Some(decide) = self.ask.filter(|d| d.interactive()) else {
            return Ok(None);
        };
        let required = if required { " (required)" } else { "" };
        let question = format!("{id}: {title}{required} — verified for this deployment?");
        let confirmed = decide.confirm(&question, false, &format!("--attest {id}"))?;
        Ok(Some(given(confirmed, "terminal", None)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::{Answer, Scripted};

    fn now() -> jiff::Timestamp {
        "2026-01-02T03:04:05Z".parse().unwrap()
    }

    #[test]
    fn attest_takes_an_item_and_an_optional_note_and_refuses_unknown_items() {
        let args = [
            "backups= restore drill ".to_string(),
            " cors".into(),
            "cors=".into(),
        ];
        assert_eq!(
            parse_attest(&args).unwrap(),
            vec![
                ("backups".to_string(), Some("restore drill".to_string())),
                ("cors".to_string(), None),
                ("cors".to_string(), None),
            ]
        );
        let e = parse_attest(&["backup".to_string()]).unwrap_err();
        assert!(
            e.to_string()
                .contains("--attest backup: no such checklist item"),
            "{e}"
        );
    }

    #[test]
    fn an_automatic_item_cannot_be_attested_passed_or_failed() {
        let auto = vec![(
            "https".to_string(),
            Auto {
                passed: false,
                detail: "http://x".into(),
            },
        )];
        let e = refuse_automatic(&[("https".into(), None)], &auto).unwrap_err();
        assert!(
            e.to_string()
                .contains("checked automatically (failed: http://x)"),
            "{e}"
        );
        assert!(refuse_automatic(&[("cors".into(), None)], &auto).is_ok());
    }

    #[test]
    fn items_are_answered_by_the_check_the_flag_the_kept_confirmation_then_the_question() {
        let config = Config::default();
        let auto = vec![(
            "secrets".to_string(),
            Auto {
                passed: true,
                detail: "guards passed".into(),
            },
        )];
        let attested = vec![("backups".to_string(), Some("drill".to_string()))];
        let kept = Attestation {
            confirmed: true,
            by: "Earlier <e@x>".into(),
            at: now(),
            how: "terminal".into(),
            note: None,
        };
        let previous = ChecklistRecord {
            sha: "abc".into(),
            items: vec![ItemRecord {
                id: "cors".into(),
                title: "CORS".into(),
                required: false,
                auto: None,
                answer: Some(kept.clone()),
            }],
            at: now(),
        };
        // Yes to the first question asked, then every other takes its default: no.
        let person = Scripted::answering([Answer::Yes]);
        let answers = Answers {
            auto: &auto,
            attested: &attested,
            previous: Some(&previous),
            who: "Op <op@x>",
            now: now(),
            ask: Some(&person),
        };
        let items = answers.items(&config).unwrap();
        let by_id = |id: &str| items.iter().find(|i| i.id == id).unwrap();
        assert_eq!(by_id("secrets").status(), "passed");
        assert_eq!(by_id("backups").answer.as_ref().unwrap().how, "--attest");
        assert_eq!(
            by_id("backups").answer.as_ref().unwrap().note.as_deref(),
            Some("drill")
        );
        assert_eq!(by_id("cors").answer.as_ref(), Some(&kept));
        let asked = person.asked();
        assert!(asked[0].starts_with("https: "), "{asked:?}");
        assert!(!asked.iter().any(|q| q.starts_with("secrets")
            || q.starts_with("backups")
            || q.starts_with("cors")));
        assert_eq!(by_id("https").status(), "confirmed");
        assert_eq!(by_id("non-root").status(), "declined");

        // Nobody to ask (or a dry run): the open items stay unanswered, nothing is asked.
        let quiet = Answers {
            ask: None,
            ..answers
        };
        let items = quiet.items(&config).unwrap();
        assert_eq!(
            items.iter().find(|i| i.id == "https").unwrap().status(),
            "unanswered"
        );
    }
}
