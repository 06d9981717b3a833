//! How work modules ask questions without knowing who answers.
//!
//! A step's work function takes `&dyn Decide` and never prints nor reads a terminal itself. The
//! [`Printer`](crate::printer::Printer) answers on a terminal (or with `--yes`, or refuses with
//! exit 4 naming the flag when nobody can be asked); tests answer with [`Scripted`].
//!
//! The rule every question follows: `default` is the *safe* answer, the one `--yes` takes. A
//! question whose "yes" would widen what ships (commit a file not reviewed, accept a changed gate
//! configuration) therefore has `default = false`, so `--yes` never widens the gate.

use std::cell::RefCell;
use std::collections::VecDeque;

use anyhow::Result;

/// The questions a step may ask.
pub trait Decide {
    /// Yes or no. `flag` names the option that answers it in a script (for the exit-4 hint).
    fn confirm(&self, question: &str, default: bool, flag: &str) -> Result<bool>;

    /// Pick among `items`, all checked at first; returns the indexes kept.
    fn multi_select(&self, prompt: &str, items: &[String]) -> Result<Vec<usize>>;

    /// Whether a person is there to ask (a terminal, not `--yes`).
    fn interactive(&self) -> bool;
}

/// Answers from a script, in order, for unit tests of step functions. A question with no answer
/// left takes its default; every question asked is kept for assertions.
#[derive(Debug, Default)]
pub struct Scripted {
    answers: RefCell<VecDeque<Answer>>,
    asked: RefCell<Vec<String>>,
    interactive: bool,
}

#[derive(Debug, Clone)]
pub enum Answer {
    Yes,
    No,
    Keep(Vec<usize>),
}

impl Scripted {
    /// Nobody to ask: every question takes its default (as `--yes` does).
    pub fn defaults() -> Scripted {
        Scripted::default()
    }

    /// A person who answers `answers` in order.
    pub fn answering(answers: impl IntoIterator<Item = Answer>) -> Scripted {
        Scripted {
            answers: RefCell::new(answers.into_iter().collect()),
            asked: RefCell::new(Vec::new()),
            interactive: true,
        }
    }

    /// The questions asked so far.
    pub fn asked(&self) -> Vec<String> {
        self.asked.borrow().clone()
    }
}

impl Decide for Scripted {
    fn confirm(&self, question: &str, default: bool, _flag: &str) -> Result<bool> {
        self.asked.borrow_mut().push(question.to_string());
        Ok(match self.answers.borrow_mut().pop_front() {
            Some(Answer::Yes) => true,
            Some(Answer::No) => false,
            Some(Answer::Keep(_)) => {
                panic!("scripted a selection for a yes/no question: {question}")
            }
            None => default,
        })
    }

    fn multi_select(&self, prompt: &str, items: &[String]) -> Result<Vec<usize>> {
        self.asked.borrow_mut().push(prompt.to_string());
        Ok(match self.answers.borrow_mut().pop_front() {
            Some(Answer::Keep(k)) => k,
            Some(other) => panic!("scripted {other:?} for a selection: {prompt}"),
            None => (0..items.len()).collect(),
        })
    }

    fn interactive(&self) -> bool {
        self.interactive
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unanswered_questions_take_their_default() {
        let d = Scripted::defaults();
        assert!(!d.confirm("widen?", false, "--x").unwrap());
        assert!(d.confirm("keep safe?", true, "--x").unwrap());
        assert_eq!(
            d.multi_select("files", &["a".into(), "b".into()]).unwrap(),
            vec![0, 1]
        );
        assert_eq!(d.asked(), vec!["widen?", "keep safe?", "files"]);
        assert!(!d.interactive());
    }

    #[test]
    fn scripted_answers_come_in_order() {
        let d = Scripted::answering([Answer::Yes, Answer::Keep(vec![1]), Answer::No]);
        assert!(d.confirm("q1", false, "--x").unwrap());
        assert_eq!(
            d.multi_select("files", &["a".into(), "b".into()]).unwrap(),
            vec![1]
        );
        assert!(!d.confirm("q2", true, "--x").unwrap());
        assert!(d.interactive());
    }
}
