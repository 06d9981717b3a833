//! The one clock berry reads. `BERRY_NOW` (RFC 3339) fixes it, so tests and snapshots are stable.

use anyhow::{Context, Result};
use jiff::Timestamp;

use crate::env_vars;

pub fn now() -> Result<Timestamp> {
    match env_vars::var(env_vars::BERRY_NOW) {
        Some(v) => v
            .parse::<Timestamp>()
            .with_context(|| format!("{} is not an RFC 3339 time: {v:?}", env_vars::BERRY_NOW)),
        None => Ok(Timestamp::now()),
    }
}

/// RFC 3339 in UTC with whole seconds, as the tracker and the completion notice write it.
pub fn rfc3339(t: Timestamp) -> String {
    t.round(jiff::Unit::Second)
        .unwrap_or(t)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A short human age: `42s`, `5m`, `3h`, `2d`.
pub fn age(then: Timestamp, now: Timestamp) -> String {
    let secs = now.as_second() - then.as_second();
    if secs < 0 {
        return "in the future".into();
    }
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m", secs / 60),
        3600..86400 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_a_person_would_say_them() {
        let now: Timestamp = "2026-01-02T00:00:00Z".parse().unwrap();
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(age(at("2026-01-01T23:59:30Z"), now), "30s");
        assert_eq!(age(at("2026-01-01T23:00:00Z"), now), "1h");
        assert_eq!(age(at("2025-12-30T00:00:00Z"), now), "3d");
        assert_eq!(age(at("2026-01-03T00:00:00Z"), now), "in the future");
        assert_eq!(
            rfc3339(at("2026-01-01T10:00:00.6Z")),
            "2026-01-01T10:00:01Z"
        );
    }
}
