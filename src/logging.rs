//! Diagnostics with `-v`: `tracing` events on stderr, every line through the secret masker.
//!
//! `-v` shows what each step does (git operations, SQL statements without their values, HTTP
//! method, path, status and rate limit left, NATS subjects and acknowledgements, timings);
//! `-vv` adds the detail below that. A filter in `BERRY_LOG` (`tracing` env-filter syntax, e.g.
//! `berry=trace,async_nats=debug`) replaces both. Nothing is logged without one of them.

use std::io::Write;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// The filter for `-v` counted `verbose` times, unless `explicit` (from `BERRY_LOG`) is given.
pub fn filter(verbose: u8, explicit: Option<&str>) -> Option<EnvFilter> {
    if let Some(f) = explicit {
        return EnvFilter::try_new(f).ok();
    }
    match verbose {
        0 => None,
        1 => Some(EnvFilter::new("berry=debug")),
        _ => Some(EnvFilter::new("berry=trace,info")),
    }
}

/// Installs the subscriber; does nothing when no filter applies.
pub fn init(verbose: u8, explicit: Option<&str>, color: bool) {
    let Some(filter) = filter(verbose, explicit) else {
        return;
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(MaskedStderr)
        .with_ansi(color)
        .with_target(verbose > 1 || explicit.is_some())
        .without_time()
        .try_init();
}

/// stderr, with secrets masked in every line written to it.
#[derive(Clone, Copy)]
pub struct MaskedStderr;

impl<'a> MakeWriter<'a> for MaskedStderr {
    type Writer = MaskedWriter;
    fn make_writer(&'a self) -> MaskedWriter {
        MaskedWriter(Vec::new())
    }
}

/// Collects one event and writes it masked when dropped (one write per event).
pub struct MaskedWriter(Vec<u8>);

impl Write for MaskedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for MaskedWriter {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0);
        let masked = mask(&text);
        let _ = std::io::stderr().write_all(masked.as_bytes());
    }
}

/// The one masker every output channel uses.
pub fn mask(text: &str) -> String {
    crate::secrets::mask_text(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbosity_maps_to_filters_and_berry_log_wins() {
        assert!(filter(0, None).is_none());
        assert_eq!(filter(1, None).unwrap().to_string(), "berry=debug");
        assert!(filter(2, None).unwrap().to_string().contains("berry=trace"));
        assert_eq!(
            filter(0, Some("berry::git=trace")).unwrap().to_string(),
            "berry::git=trace"
        );
    }

    #[test]
    fn logged_lines_are_masked() {
        let token = "ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8";
        let out = mask(&format!("GET /repos?t={token}"));
        assert!(!out.contains(token), "{out}");
    }
}
