//! Request-count benchmark for `berry watch` (target: at most 60 counted requests).
//!
//! A simulated 30-minute CI run (one workflow, 4 jobs, 12 state changes) is watched by berry's
//! real polling loop (`berry::watch::watch`) over a simulated clock and a fake Actions API that
//! answers 304 when the `ETag` sent is current. It counts the requests that cost rate limit
//! (answered 200), against `gh run watch`'s way: every 3 seconds the run, its workflow and its
//! jobs, without conditional requests.
//!
//! Run: `cargo bench --bench watch --profile dev` (counts do not depend on the build profile).

use std::time::Duration;

use berry::watch::sim;

fn main() {
    let gh = sim::gh_run_watch(Duration::from_secs(3));
    println!("simulated CI: 30 minutes, 1 run, 4 jobs, 12 state changes");
    println!();
    println!(
        "{:<58} {:>9} {:>6} {:>6}",
        "watcher", "counted", "304s", "polls"
    );
    for (label, interval, follows) in [
        (
            "berry watch --interval 10 (run entry follows its jobs)",
            10,
            true,
        ),
        (
            "berry watch --interval 10 (run entry changes only itself)",
            10,
            false,
        ),
        (
            "berry watch --interval 3 (run entry follows its jobs)",
            3,
            true,
        ),
    ] {
        let c = sim::berry(Duration::from_secs(interval), follows);
        println!(
            "{label:<58} {:>9} {:>6} {:>6}   (saw the end {}s after the push)",
            c.counted,
            c.not_modified,
            c.polls,
            c.finished_after.as_secs()
        );
        assert!(c.counted <= 60, "target: at most 60 counted requests");
    }
    println!(
        "{:<58} {:>9} {:>6} {:>6}",
        "gh run watch (3 s, run + workflow + jobs, unconditional)",
        gh,
        0,
        gh / 3
    );
}
