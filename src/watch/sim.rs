//! A simulated CI run, for the request-count benchmark (`benches/watch.rs`) and the unit tests:
//! a simulated clock, and a fake Actions API that answers 304 whenever the `ETag` sent is current.
//!
//! The benchmark's scenario (benches/README.md): one workflow run with 4 jobs, created 20 s
//! after the push, whose state changes 12 times over 30 minutes (the run starts; the four jobs
//! start; two jobs move to a later step; the four jobs complete; the run completes).

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use super::{Api, Clock, Job, Page, Run, Step};
use crate::github::ApiError;

/// A clock that only moves when slept.
#[derive(Clone, Default)]
pub struct SimClock(pub Rc<Cell<Duration>>);

impl Clock for SimClock {
    fn elapsed(&self) -> Duration {
        self.0.get()
    }
    fn sleep(&mut self, d: Duration) {
        self.0.set(self.0.get() + d);
    }
}

/// What changes, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    RunStarts,
    JobStarts(usize),
    JobNextStep(usize),
    JobCompletes(usize),
    RunCompletes,
}

/// The fake API over the simulated clock.
pub struct SimCi {
    clock: Rc<Cell<Duration>>,
    appear_at: Duration,
    changes: Vec<(Duration, Change)>,
    /// GitHub updates a run's `updated_at` as its jobs move; `false` models the pessimistic case
    /// where the list entry changes only with the run's own status.
    run_follows_jobs: bool,
    /// Requests answered 200 and 304, as GitHub would count them.
    pub ok: u32,
    pub not_modified: u32,
}

const JOBS: usize = 4;

impl SimCi {
    /// The scenario of the issue: 30 minutes, 4 jobs, 12 changes.
    pub fn thirty_minutes(clock: &SimClock, run_follows_jobs: bool) -> SimCi {
        let m = |min: u64, s: u64| Duration::from_secs(min * 60 + s);
        let changes = vec![
            (m(0, 30), Change::RunStarts),
            (m(0, 40), Change::JobStarts(0)),
            (m(0, 45), Change::JobStarts(1)),
            (m(0, 50), Change::JobStarts(2)),
            (m(0, 55), Change::JobStarts(3)),
            (m(5, 0), Change::JobNextStep(0)),
            (m(10, 0), Change::JobNextStep(1)),
            (m(15, 0), Change::JobCompletes(0)),
            (m(20, 0), Change::JobCompletes(1)),
            (m(25, 0), Change::JobCompletes(2)),
            (m(29, 40), Change::JobCompletes(3)),
            (m(30, 0), Change::RunCompletes),
        ];
        SimCi {
            clock: clock.0.clone(),
            appear_at: Duration::from_secs(20),
            changes,
            run_follows_jobs,
            ok: 0,
            not_modified: 0,
        }
    }

    /// How many changes there are in the scenario.
    pub fn change_count(&self) -> usize {
        self.changes.len()
    }

    /// The scenario's length.
    pub fn length(&self) -> Duration {
        self.changes.last().map(|c| c.0).unwrap_or_default()
    }

    fn happened(&self) -> Vec<Change> {
        let now = self.clock.get();
        self.changes
            .iter()
            .filter(|(t, _)| *t <= now)
            .map(|(_, c)| *c)
            .collect()
    }

    fn run_version(&self) -> usize {
        let h = self.happened();
        if self.run_follows_jobs {
            h.len()
        } else {
            h.iter()
                .filter(|c| matches!(c, Change::RunStarts | Change::RunCompletes))
                .count()
        }
    }

    fn run(&self) -> Run {
        let h = self.happened();
        let done = h.contains(&Change::RunCompletes);
        Run {
            id: 1,
            name: "CI".into(),
            status: if done {
                "completed"
            } else if h.contains(&Change::RunStarts) {
                "in_progress"
            } else {
                "queued"
            }
            .into(),
            conclusion: done.then(|| "success".into()),
            url: "https://github.com/o/r/actions/runs/1".into(),
            updated_at: format!("v{}", self.run_version()),
        }
    }

    fn job_list(&self) -> Vec<Job> {
        let h = self.happened();
        (0..JOBS)
            .map(|i| {
                let done = h.contains(&Change::JobCompletes(i));
                let started = h.contains(&Change::JobStarts(i));
                let step = 1 + h.iter().filter(|c| **c == Change::JobNextStep(i)).count();
                Job {
                    id: 100 + i as u64,
                    name: format!("job {i}"),
                    status: if done {
                        "completed"
                    } else if started {
                        "in_progress"
                    } else {
                        "queued"
                    }
                    .into(),
                    conclusion: done.then(|| "success".into()),
                    url: String::new(),
                    started_at: None,
                    completed_at: None,
                    steps: (1..=step as u64)
                        .map(|n| Step {
                            name: format!("step {n}"),
                            number: n,
                            status: "in_progress".into(),
                            conclusion: None,
                            started_at: None,
                            completed_at: None,
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

impl Api for SimCi {
    fn runs(&mut self, etag: Option<&str>) -> Result<Page<Run>, ApiError> {
        let appeared = self.clock.get() >= self.appear_at;
        let tag = if appeared {
            format!("\"runs-{}\"", self.run_version())
        } else {
            "\"runs-none\"".into()
        };
        if etag == Some(tag.as_str()) {
            self.not_modified += 1;
            return Ok(Page::NotModified);
        }
        self.ok += 1;
        Ok(Page::Fresh {
            items: if appeared { vec![self.run()] } else { vec![] },
            etag: Some(tag),
            pages: 1,
        })
    }

    fn jobs(&mut self, _run: u64, etag: Option<&str>) -> Result<Page<Job>, ApiError> {
        let tag = format!("\"jobs-{}\"", self.happened().len());
        if etag == Some(tag.as_str()) {
            self.not_modified += 1;
            return Ok(Page::NotModified);
        }
        self.ok += 1;
        Ok(Page::Fresh {
            items: self.job_list(),
            etag: Some(tag),
            pages: 1,
        })
    }
}

/// The counts of one simulated watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Requests that cost rate limit (answered 200).
    pub counted: u32,
    /// Requests answered 304.
    pub not_modified: u32,
    pub polls: u32,
    /// When berry saw the run complete, after the push.
    pub finished_after: Duration,
}

/// berry's loop on the scenario, with `--interval` `interval`.
pub fn berry(interval: Duration, run_follows_jobs: bool) -> Counts {
    let clock = SimClock::default();
    let mut api = SimCi::thirty_minutes(&clock, run_follows_jobs);
    let mut c = clock.clone();
    let opts = super::Options::new(interval, Duration::from_secs(120), None);
    let s = super::watch(&mut api, &mut c, &opts, &mut |_| {}).expect("the simulation never fails");
    assert!(matches!(s.end, super::End::Completed(_)), "{:?}", s.end);
    debug_assert_eq!(s.ok, api.ok);
    Counts {
        counted: s.ok,
        not_modified: s.not_modified,
        polls: s.polls,
        finished_after: s.elapsed,
    }
}

/// `gh run watch`'s way on the same scenario: every `tick`, the run, its workflow and its jobs,
/// without conditional requests, from the push until the run completes.
pub fn gh_run_watch(tick: Duration) -> u32 {
    let clock = SimClock::default();
    let api = SimCi::thirty_minutes(&clock, true);
    let end = api.length();
    let mut c = clock.clone();
    let mut requests = 0u32;
    loop {
        requests += 3;
        if c.elapsed() >= end {
            return requests;
        }
        c.sleep(tick);
    }
}
