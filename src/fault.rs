//! Named crash points for the reliability tests (issue 7). With the `fault-injection` feature,
//! `BERRY_FAULT=<name>` makes berry abort itself at that point, as SIGKILL would: no destructors,
//! no flush. Without the feature this compiles to nothing.

#[cfg(feature = "fault-injection")]
pub fn point(name: &str) {
    if std::env::var("BERRY_FAULT").is_ok_and(|v| v == name) {
        // SAFETY: raising SIGKILL on ourselves; nothing runs after it.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
    }
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn point(_name: &str) {}
