//! Named crash points for the reliability tests (README "Reliability"). With the `fault-injection` feature,
//! `BERRY_FAULT=<name>` makes berry abort itself at that point, as SIGKILL would: no destructors,
//! no flush. `BERRY_FAULT=<name>#<n>` aborts at the n-th time the point is reached (1-based), so a
//! test can kill each of several writes of one run in turn. Several points may be named, separated
//! by commas (`pushed,listen-child-killed`: a listener and the step it runs both die). Without
//! the feature this compiles to nothing.

#[cfg(feature = "fault-injection")]
pub fn point(name: &str) {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static SEEN: Mutex<Option<HashMap<String, usize>>> = Mutex::new(None);

    let Ok(spec) = std::env::var("BERRY_FAULT") else {
        return;
    };
    let Some((_, nth)) = spec
        .split(',')
        .map(|one| match one.trim().split_once('#') {
            Some((n, k)) => (n, k.parse::<usize>().unwrap_or(1)),
            None => (one.trim(), 1),
        })
        .find(|(want, _)| *want == name)
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
    if count == nth {
        // SAFETY: raising SIGKILL on ourselves; nothing runs after it.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
    }
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn point(_name: &str) {}
