//! Named crash points for the reliability tests (README "Reliability"). With the `fault-injection` feature,
//! `BERRY_FAULT=<name>` makes berry abort itself at that point, as SIGKILL would: no destructors,
//! no flush. `BERRY_FAULT=<name>#<n>` aborts at the n-th time the point is reached (1-based), so a
//! test can kill each of several writes of one run in turn. Several points may be named, separated
//! by commas (`pushed,listen-child-killed`: a listener and the step it runs both die).
//! `<name>~<ms>` (or `<name>#<n>~<ms>`) pauses there for that many milliseconds instead, so a
//! test can send a signal while a step is at a known point. Without the feature this compiles
//! to nothing.

#[cfg(feature = "fault-injection")]
pub fn point(name: &str) {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static SEEN: Mutex<Option<HashMap<String, usize>>> = Mutex::new(None);

    let Ok(spec) = std::env::var("BERRY_FAULT") else {
        return;
    };
    let Some((_, nth, pause)) = spec
        .split(',')
        .map(|one| {
            let (one, pause) = match one.trim().split_once('~') {
                Some((n, ms)) => (n, ms.parse::<u64>().ok()),
                None => (one.trim(), None),
            };
            match one.split_once('#') {
                Some((n, k)) => (n, k.parse::<usize>().unwrap_or(1), pause),
                None => (one, 1, pause),
            }
        })
        .find(|(want, _, _)| *want == name)
    else {
        return;
    };
    let count = {
        let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
        let c = seen
            .get_or_insert_with(HashMap::new)
            .entry(name.to_string())
            .or_insert(0);
        *c += 1;
        *c
    };
    if count != nth {
        return;
    }
    if let Some(ms) = pause {
        std::thread::sleep(std::time::Duration::from_millis(ms));
        return;
    }
    // SAFETY: raising SIGKILL on ourselves; nothing runs after it.
    unsafe {
        libc::kill(libc::getpid(), libc::SIGKILL);
    }
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn point(_name: &str) {}
