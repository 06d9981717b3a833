use std::time::Duration;

use super::sim::{self, SimCi, SimClock};
use super::*;

#[test]
fn the_thirty_minute_run_costs_at_most_60_counted_requests() {
    for follows in [true, false] {
        let c = sim::berry(Duration::from_secs(10), follows);
        assert!(c.counted <= 60, "{follows}: {c:?}");
        assert!(c.not_modified > 0, "{c:?}");
        // Seen complete within one maximum interval of the end.
        assert!(
            c.finished_after <= Duration::from_secs(30 * 60 + 41),
            "{c:?}"
        );
    }
    assert_eq!(sim::gh_run_watch(Duration::from_secs(3)), 1803);
}

#[test]
fn no_run_ends_after_the_grace_period() {
    struct Empty;
    impl Api for Empty {
        fn runs(&mut self, etag: Option<&str>) -> Result<Page<Run>, ApiError> {
            Ok(match etag {
                Some(_) => Page::NotModified,
                None => Page::Fresh {
                    items: vec![],
                    etag: Some("e".into()),
                    pages: 1,
                },
            })
        }
        fn jobs(&mut self, _: u64, _: Option<&str>) -> Result<Page<Job>, ApiError> {
            unreachable!()
        }
    }
    let clock = SimClock::default();
    let mut c = clock.clone();
    let mut waiting = 0;
    let s = watch(
        &mut Empty,
        &mut c,
        &Options::new(Duration::from_secs(10), Duration::from_secs(120), None),
        &mut |e| {
            if matches!(e, Event::Waiting { .. }) {
                waiting += 1
            }
        },
    )
    .unwrap();
    assert_eq!(s.end, End::NoRuns);
    assert_eq!(s.elapsed, Duration::from_secs(120));
    assert_eq!((s.ok, s.not_modified), (1, 12));
    assert_eq!(waiting, 1);
}

#[test]
fn the_timeout_ends_the_watch_with_the_runs_as_they_are() {
    let clock = SimClock::default();
    let mut api = SimCi::thirty_minutes(&clock, true);
    let mut c = clock.clone();
    let s = watch(
        &mut api,
        &mut c,
        &Options::new(
            Duration::from_secs(10),
            Duration::from_secs(120),
            Some(Duration::from_secs(300)),
        ),
        &mut |_| {},
    )
    .unwrap();
    let End::TimedOut(runs) = s.end else {
        panic!("{:?}", s.end)
    };
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].run.status, "in_progress");
    assert_eq!(s.elapsed, Duration::from_secs(300));
}

#[test]
fn a_rate_limit_waits_until_the_reset_then_goes_on() {
    struct Limited {
        left: u32,
    }
    impl Api for Limited {
        fn runs(&mut self, _: Option<&str>) -> Result<Page<Run>, ApiError> {
            if self.left > 0 {
                self.left -= 1;
                let now = jiff::Timestamp::from_second(1_000).unwrap();
                return Err(ApiError::RateLimited {
                    method: "GET".into(),
                    path: "/x".into(),
                    message: "API rate limit exceeded".into(),
                    reset: Some(jiff::Timestamp::from_second(1_100).unwrap()),
                    now,
                });
            }
            Ok(Page::Fresh {
                items: vec![Run {
                    id: 1,
                    name: "CI".into(),
                    status: "completed".into(),
                    conclusion: Some("failure".into()),
                    url: String::new(),
                    updated_at: "t".into(),
                }],
                etag: None,
                pages: 1,
            })
        }
        fn jobs(&mut self, _: u64, _: Option<&str>) -> Result<Page<Job>, ApiError> {
            Ok(Page::Fresh {
                items: vec![],
                etag: None,
                pages: 2,
            })
        }
    }
    let clock = SimClock::default();
    let mut c = clock.clone();
    let mut waits = vec![];
    let s = watch(
        &mut Limited { left: 1 },
        &mut c,
        &Options::new(Duration::from_secs(10), Duration::from_secs(120), None),
        &mut |e| {
            if let Event::RateLimited { wait } = e {
                waits.push(wait)
            }
        },
    )
    .unwrap();
    assert_eq!(waits, vec![Duration::from_secs(101)]);
    assert!(matches!(s.end, End::Completed(_)));
    assert_eq!(s.ok, 3, "one runs page and two jobs pages");
}

#[test]
fn the_failed_steps_lines_come_from_its_time_window() {
    let log = "\u{feff}2024-05-06T04:58:10.1Z ##[group]Run actions/checkout@v4\n\
2024-05-06T04:58:10.2Z checking out\n\
2024-05-06T04:58:10.3Z ##[endgroup]\n\
2024-05-06T04:58:15.2Z ##[group]Run npm test\n\
2024-05-06T04:58:15.3Z FAIL src/a.test.ts\n\
2024-05-06T04:58:15.4Z ##[error]Process completed with exit code 1.\n\
2024-05-06T04:58:20.0Z Post job cleanup.\n";
    let step = Step {
        name: "Run npm test".into(),
        number: 3,
        status: "completed".into(),
        conclusion: Some("failure".into()),
        started_at: Some("2024-05-05T21:58:15.000-07:00".into()),
        completed_at: Some("2024-05-06T04:58:16Z".into()),
    };
    assert_eq!(
        failed_step_lines(log, &step, 40),
        vec![
            "FAIL src/a.test.ts".to_string(),
            "error: Process completed with exit code 1.".into()
        ]
    );
    assert_eq!(failed_step_lines(log, &step, 1).len(), 1);
    // No times: the end of the log.
    let untimed = Step {
        started_at: None,
        ..step
    };
    assert_eq!(
        failed_step_lines(log, &untimed, 2),
        vec![
            "error: Process completed with exit code 1.".to_string(),
            "Post job cleanup.".into()
        ]
    );
}

/// A log of `lines` generated lines, produced as it is read (never held in memory).
struct GeneratedLog {
    next: usize,
    lines: usize,
    pending: Vec<u8>,
}

impl std::io::Read for GeneratedLog {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() {
            if self.next == self.lines {
                return Ok(0);
            }
            // Second 0..: the failed step runs in the last ten seconds of the log.
            let sec = self.next / 1000;
            self.pending = format!(
                "2024-05-06T05:{:02}:{:02}.0Z line {} of the build output\n",
                (sec / 60) % 60,
                sec % 60,
                self.next
            )
            .into_bytes();
            self.next += 1;
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

fn step(name: &str, from: Option<&str>, to: Option<&str>) -> Step {
    Step {
        name: name.into(),
        number: 1,
        status: "completed".into(),
        conclusion: Some("failure".into()),
        started_at: from.map(Into::into),
        completed_at: to.map(Into::into),
    }
}

#[test]
fn one_streamed_pass_gives_each_failed_step_its_own_excerpt() {
    // 600,000 lines (about 30 MB), streamed: each step keeps only its last lines.
    let mut log = GeneratedLog {
        next: 0,
        lines: 600_000,
        pending: vec![],
    };
    let steps = [
        step(
            "early",
            Some("2024-05-06T05:00:10Z"),
            Some("2024-05-06T05:00:11Z"),
        ),
        step(
            "late",
            Some("2024-05-06T05:09:58Z"),
            Some("2024-05-06T05:09:59Z"),
        ),
        step("untimed", None, None),
    ];
    let mut tail = LogTail::new(&steps, 3);
    let cut = tail.read_from(&mut log, u64::MAX).unwrap();
    assert!(!cut);
    let got = tail.finish();
    assert_eq!(
        got[0],
        vec![
            "line 11997 of the build output",
            "line 11998 of the build output",
            "line 11999 of the build output"
        ]
    );
    assert_eq!(got[1].last().unwrap(), "line 599999 of the build output");
    // No window: the end of the log.
    assert_eq!(got[2], got[1]);
}

#[test]
fn the_streamed_excerpt_equals_the_whole_text_excerpt() {
    let log = "2024-05-06T04:58:15.2Z ##[group]Run npm test\r\n\
2024-05-06T04:58:15.3Z FAIL src/a.test.ts\r\n\
2024-05-06T04:58:15.35Z   \r\n\
2024-05-06T04:58:15.4Z ##[error]Process completed with exit code 1.\n\
2024-05-06T04:58:15.5Z \n\
2024-05-06T04:58:15.6Z    \n";
    let s = step(
        "Run npm test",
        Some("2024-05-06T04:58:15Z"),
        Some("2024-05-06T04:58:16Z"),
    );
    let mut tail = LogTail::new(std::slice::from_ref(&s), 40);
    tail.read_from(&mut log.as_bytes(), u64::MAX).unwrap();
    let streamed = tail.finish().remove(0);
    assert_eq!(streamed, failed_step_lines(log, &s, 40));
    assert_eq!(
        streamed,
        vec![
            "FAIL src/a.test.ts".to_string(),
            "  ".into(),
            "error: Process completed with exit code 1.".into()
        ]
    );
}

#[test]
fn a_long_line_is_cut_and_a_long_log_stops_at_the_cap() {
    let long = format!(
        "2024-05-06T04:58:15.3Z {}\nlast\n",
        "x".repeat(10 * MAX_LINE_BYTES)
    );
    let s = step("s", None, None);
    let mut tail = LogTail::new(std::slice::from_ref(&s), 5);
    assert!(!tail.read_from(&mut long.as_bytes(), u64::MAX).unwrap());
    let got = tail.finish().remove(0);
    assert_eq!(got.len(), 2);
    assert!(
        got[0].len() <= MAX_LINE_BYTES + '…'.len_utf8(),
        "{}",
        got[0].len()
    );
    assert!(got[0].ends_with('…'));
    assert_eq!(got[1], "last");

    let mut log = GeneratedLog {
        next: 0,
        lines: 100_000,
        pending: vec![],
    };
    let mut tail = LogTail::new(std::slice::from_ref(&s), 2);
    assert!(tail.read_from(&mut log, 1 << 20).unwrap(), "cut at 1 MiB");
    let got = tail.finish().remove(0);
    assert_eq!(got.len(), 2);
    assert!(log.next < 100_000, "stopped reading at the cap");
}
