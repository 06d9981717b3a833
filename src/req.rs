//! REQ numbers: `REQ-` then dash-separated alphanumeric groups, at most 64 characters.
//! Anything else is refused before it reaches a query, a file name or a subject.

use std::fmt;

use crate::error::BerryError;

pub const MAX_LEN: usize = 64;

/// A validated REQ number. Safe to use in file names, NATS subjects and SQL parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct ReqNumber(String);

impl ReqNumber {
    pub fn parse(raw: &str) -> Result<ReqNumber, BerryError> {
        match problem(raw) {
            None => Ok(ReqNumber(raw.to_string())),
            Some(why) => Err(BerryError::usage(format!(
                "invalid REQ number {}: {why}",
                shown(raw)
            ))
            .with_hint("a REQ number looks like REQ-ITEM-MASTER-001 or REQ-1767925582663-ieqg0")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReqNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for ReqNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ReqNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl std::str::FromStr for ReqNumber {
    type Err = BerryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReqNumber::parse(s)
    }
}

/// Why `raw` is not a REQ number, or `None` when it is one.
fn problem(raw: &str) -> Option<String> {
    if raw.is_empty() {
        return Some("it is empty".into());
    }
    if raw.chars().count() > MAX_LEN {
        return Some(format!(
            "it is {} characters long, the limit is {MAX_LEN}",
            raw.chars().count()
        ));
    }
    let Some(rest) = raw.strip_prefix("REQ-") else {
        return Some("it must start with `REQ-`".into());
    };
    if rest.is_empty() {
        return Some("nothing follows `REQ-`".into());
    }
    for group in rest.split('-') {
        if group.is_empty() {
            return Some(
                "it has an empty group (two dashes together, or a dash at the end)".into(),
            );
        }
        if let Some(c) = group.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Some(format!(
                "{c:?} is not allowed (only ASCII letters, digits and `-`)"
            ));
        }
    }
    None
}

/// A raw input made safe to print: quoted, control characters escaped, cut at 80 characters.
fn shown(raw: &str) -> String {
    let cut: String = raw.chars().take(80).collect();
    let mut s = format!("{cut:?}");
    if raw.chars().count() > 80 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_form_seen_in_the_wild() {
        for ok in [
            "REQ-ITEM-MASTER-001",
            "REQ-STRATEGIC-AUTO-1766516759426",
            "REQ-AUDIT-1767154119133-4jo5t",
            "REQ-1767925582663-ieqg0",
            "REQ-P0-1767926139048-5ue3z",
            "REQ-SDLC-1767972294",
            "REQ-STRATEGIC-AUTO-1767116143665-SUB1-1767116143999",
        ] {
            assert!(ReqNumber::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_everything_else() {
        let long = format!("REQ-{}", "A".repeat(61));
        for bad in [
            "",
            "REQ-",
            "req-item-001",
            "REQ-A--B",
            "REQ-A-",
            "REQ-A B",
            "REQ-A;DROP TABLE x",
            "REQ-A'--",
            "REQ-$(rm -rf ~)",
            "REQ-ÄÖ",
            "REQ-A\n",
            "REQ-A/../../etc",
            long.as_str(),
        ] {
            let err = ReqNumber::parse(bad).unwrap_err();
            assert_eq!(err.exit(), crate::error::Exit::Usage, "{bad:?}");
        }
    }

    #[test]
    fn the_limit_is_64_characters() {
        let at = format!("REQ-{}", "A".repeat(60));
        assert_eq!(at.len(), 64);
        assert!(ReqNumber::parse(&at).is_ok());
        let over = format!("{at}B");
        assert!(
            ReqNumber::parse(&over)
                .unwrap_err()
                .message
                .contains("65 characters")
        );
    }
}
