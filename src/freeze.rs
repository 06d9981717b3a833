//! Change freezes: `[[deploy.freeze]]` windows during which `push`, `complete` and `rollback`
//! refuse (exit 3, naming the window), unless `--override-freeze --reason TEXT` is given (recorded,
//! and shown in the PR body and the notice).
//!
//! A window is a set of days — weekdays (`days = ["Fri"]`) or calendar dates
//! (`dates = ["2026-12-24"]`) — and a time of day from `from` to `to` (`HH:MM`, default the whole
//! day, `to = "24:00"` is the end of the day), read in the time zone `tz` (an IANA name from the
//! system's time zone database, default `UTC`). The rules:
//!
//! - times compare as wall-clock time in `tz`, so a window keeps its local hours across a
//!   daylight-saving change (Fri 09:00–17:00 New York is 14:00–22:00 UTC in winter, 13:00–21:00
//!   in summer);
//! - `from` is inside the window, `to` is not (`[from, to)`);
//! - `from` later than `to` spans midnight: it starts on a listed day and ends on the next day
//!   (`days = ["Fri"], from = "18:00", to = "06:00"` is Friday 18:00 to Saturday 06:00);
//! - `rollback = false` makes the window hold for `berry rollback` too; by default a rollback
//!   may run during a freeze (undoing a bad deployment is what a freeze must not stop).
//!
//! The windows are the gate's own configuration: they are read from the committed `berry.toml`
//! (or the operator's `--config`), never from a working-tree edit, even an accepted one (see
//! [`crate::gateconfig`]).

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::error::BerryError;

/// One `[[deploy.freeze]]` entry, as configured.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Window {
    /// A name for messages (`"No Friday deployments"`); default `deploy.freeze[N]`.
    pub name: Option<String>,
    /// Weekdays (`Mon` … `Sun`, or full names, any case).
    pub days: Vec<String>,
    /// Calendar dates, `YYYY-MM-DD`.
    pub dates: Vec<String>,
    /// Start, `HH:MM` (default `00:00`).
    pub from: Option<String>,
    /// End, `HH:MM` (default `24:00`); earlier than `from`: the next day.
    pub to: Option<String>,
    /// IANA time zone (default `UTC`).
    pub tz: Option<String>,
    /// `berry rollback` may run during the window (default true).
    pub rollback: bool,
}

impl Default for Window {
    fn default() -> Self {
        Window {
            name: None,
            days: Vec::new(),
            dates: Vec::new(),
            from: None,
            to: None,
            tz: None,
            rollback: true,
        }
    }
}

/// A window, parsed.
#[derive(Debug, Clone)]
struct Parsed {
    days: Vec<Weekday>,
    dates: Vec<Date>,
    /// Minutes after midnight; `to` may be 1440.
    from: i32,
    to: i32,
    tz: TimeZone,
    tz_name: String,
}

fn weekday(s: &str) -> Option<Weekday> {
    let l = s.trim().to_ascii_lowercase();
    let all = [
        ("mon", "monday", Weekday::Monday),
        ("tue", "tuesday", Weekday::Tuesday),
        ("wed", "wednesday", Weekday::Wednesday),
        ("thu", "thursday", Weekday::Thursday),
        ("fri", "friday", Weekday::Friday),
        ("sat", "saturday", Weekday::Saturday),
        ("sun", "sunday", Weekday::Sunday),
    ];
    all.iter()
        .find(|(short, long, _)| l == *short || l == *long)
        .map(|(_, _, d)| *d)
}

fn weekday_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "Mon",
        Weekday::Tuesday => "Tue",
        Weekday::Wednesday => "Wed",
        Weekday::Thursday => "Thu",
        Weekday::Friday => "Fri",
        Weekday::Saturday => "Sat",
        Weekday::Sunday => "Sun",
    }
}

/// `HH:MM` as minutes after midnight; `24:00` only when `end`.
fn minutes(s: &str, end: bool) -> Option<i32> {
    let (h, m) = s.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) if end => Some(1440),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

fn hhmm(min: i32) -> String {
    format!("{:02}:{:02}", min / 60, min % 60)
}

impl Window {
    /// Checks the entry; the error is the key and why.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        self.parse().map(|_| ())
    }

    fn parse(&self) -> Result<Parsed, (&'static str, String)> {
        let mut days = Vec::new();
        for d in &self.days {
            days.push(weekday(d).ok_or(("days", format!("has {d:?}, not a weekday (Mon … Sun)")))?);
        }
        let mut dates = Vec::new();
        for d in &self.dates {
            dates.push(
                d.parse::<Date>()
                    .map_err(|_| ("dates", format!("has {d:?}, not a date (YYYY-MM-DD)")))?,
            );
        }
        match (days.is_empty(), dates.is_empty()) {
            (true, true) => {
                return Err(("days", "or `dates` must name when the freeze holds".into()));
            }
            (false, false) => {
                return Err((
                    "dates",
                    "and `days` are both set: use one per window".into(),
                ));
            }
            _ => {}
        }
        let from = match &self.from {
            Some(f) => {
                minutes(f, false).ok_or(("from", format!("is {f:?}, not a time (HH:MM)")))?
            }
            None => 0,
        };
        let to = match &self.to {
            Some(t) => {
                minutes(t, true).ok_or(("to", format!("is {t:?}, not a time (HH:MM, or 24:00)")))?
            }
            None => 1440,
        };
        if from == to {
            return Err(("to", "equals `from`: the window would be empty".into()));
        }
        let tz_name = self.tz.clone().unwrap_or_else(|| "UTC".into());
        let tz = TimeZone::get(&tz_name).map_err(|e| {
            (
                "tz",
                format!("is {tz_name:?}, not a time zone of the system's database ({e})"),
            )
        })?;
        Ok(Parsed {
            days,
            dates,
            from,
            to,
            tz,
            tz_name,
        })
    }

    /// The window in words: `Fri 00:00–24:00 UTC`.
    fn spec(&self, p: &Parsed) -> String {
        let when = if p.days.is_empty() {
            p.dates
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            p.days
                .iter()
                .map(|d| weekday_name(*d))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "{when} {}–{}{} {}",
            hhmm(p.from),
            hhmm(p.to),
            if p.from > p.to { " (next day)" } else { "" },
            p.tz_name
        )
    }
}

impl Parsed {
    fn listed(&self, d: Date) -> bool {
        self.days.contains(&d.weekday()) || self.dates.contains(&d)
    }

    /// The end of the occurrence holding `now`, when `now` is inside one.
    fn holding(&self, now: Timestamp) -> Option<Timestamp> {
        let z = now.to_zoned(self.tz.clone());
        let date = z.date();
        let t = z.time();
        let min = i32::from(t.hour()) * 60 + i32::from(t.minute());
        let end_on = |day: Date| -> Option<Timestamp> {
            let end = if self.to == 1440 {
                DateTime::from_parts(day.checked_add(1.day()).ok()?, Time::midnight())
            } else {
                DateTime::from_parts(
                    day,
                    Time::new((self.to / 60) as i8, (self.to % 60) as i8, 0, 0).ok()?,
                )
            };
            end.to_zoned(self.tz.clone()).ok().map(|z| z.timestamp())
        };
        if self.from < self.to {
            (self.listed(date) && self.from <= min && min < self.to)
                .then(|| end_on(date))
                .flatten()
        } else if self.listed(date) && min >= self.from {
            end_on(date.checked_add(1.day()).ok()?)
        } else {
            let yesterday = date.checked_sub(1.day()).ok()?;
            (self.listed(yesterday) && min < self.to)
                .then(|| end_on(date))
                .flatten()
        }
    }
}

/// A window that holds now.
#[derive(Debug, Clone, PartialEq)]
pub struct Active {
    /// Its name, else `deploy.freeze[N]`.
    pub label: String,
    /// It in words (`Fri 00:00–24:00 Europe/Berlin`).
    pub spec: String,
    /// When this occurrence ends.
    pub until: Timestamp,
    /// The end as wall-clock time in the window's zone (`Sat 2026-01-10 00:00 Europe/Berlin`).
    pub until_local: String,
    /// `berry rollback` may run during it.
    pub rollback: bool,
}

impl Active {
    /// `"No Friday deployments" (Fri 00:00–24:00 UTC)`, for messages and records.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.label, self.spec)
    }
}

/// The first window holding at `now`, if any. The windows were checked when the configuration
/// was read; one that does not parse here is skipped.
pub fn active(windows: &[Window], now: Timestamp) -> Option<Active> {
    windows.iter().enumerate().find_map(|(i, w)| {
        let p = w.parse().ok()?;
        let until = p.holding(now)?;
        let local = until.to_zoned(p.tz.clone());
        Some(Active {
            label: w
                .name
                .as_ref()
                .map(|n| format!("{n:?}"))
                .unwrap_or_else(|| format!("deploy.freeze[{i}]")),
            spec: w.spec(&p),
            until,
            until_local: format!(
                "{} {} {}",
                weekday_name(local.weekday()),
                local.strftime("%Y-%m-%d %H:%M"),
                p.tz_name
            ),
            rollback: w.rollback,
        })
    })
}

/// What the freeze says about a step now.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// No window holds.
    Open,
    /// A window holds, and lets this step through (`rollback`, unless the window says otherwise).
    Allowed(Active),
    /// A window holds and the operator overrode it with this reason (to record).
    Overridden(Active, String),
}

/// Decides whether `step` may run at `now`. A window that holds closes the gate (exit 3, naming
/// it and when it ends) unless `reason` (`--override-freeze --reason`) is given, or the step is
/// `rollback` and the window allows it.
pub fn decide(
    windows: &[Window],
    now: Timestamp,
    step: &str,
    reason: Option<&str>,
) -> Result<Decision, BerryError> {
    let Some(a) = active(windows, now) else {
        return Ok(Decision::Open);
    };
    if step == "rollback" && a.rollback {
        return Ok(Decision::Allowed(a));
    }
    match reason.map(str::trim) {
        Some(r) if !r.is_empty() => Ok(Decision::Overridden(a, r.to_string())),
        Some(_) => Err(BerryError::usage("--override-freeze needs a non-empty --reason")),
        None => Err(BerryError::gate(format!(
            "a change freeze holds: {} until {} ({}); `berry {step}` refuses",
            a.describe(),
            a.until_local,
            crate::clock::rfc3339(a.until)
        ))
        .with_hint(format!(
            "wait until it ends, or pass --override-freeze --reason TEXT to {step} during it (recorded, and shown in the PR body and the notice)"
        ))),
    }
}

/// The freeze gate of `step`, as the step runs it before it does anything: [`decide`] at
/// `now`, and an override recorded in the ledger (once per step, window and reason) so
/// the PR body and the notice say so. A window that holds without an override is the error
/// [`decide`] returns (exit 3). With `dry_run` nothing is recorded.
pub fn gate(
    windows: &[Window],
    session: &mut crate::workspace::Session,
    step: &str,
    reason: Option<&str>,
    now: Timestamp,
    dry_run: bool,
) -> anyhow::Result<Decision> {
    let decision = decide(windows, now, step, reason)?;
    if let Decision::Overridden(a, reason) = &decision {
        let window = a.describe();
        let already = session
            .ctx
            .ledger
            .freeze_overrides
            .iter()
            .any(|o| o.step == step && o.window == window && o.reason == *reason);
        if !already && !dry_run {
            session
                .ctx
                .ledger
                .freeze_overrides
                .push(crate::context::FreezeOverride {
                    step: step.to_string(),
                    window,
                    reason: reason.clone(),
                    at: now.round(jiff::Unit::Second)?,
                });
            session.save()?;
        }
    }
    Ok(decision)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn w(toml_text: &str) -> Window {
        toml::from_str(toml_text).unwrap()
    }

    fn holds(win: &Window, t: &str) -> bool {
        active(std::slice::from_ref(win), at(t)).is_some()
    }

    /// A REQ's session in a fresh state folder (the folder lives as long as the guard).
    fn session() -> (tempfile::TempDir, crate::workspace::Session) {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::context::Store::at(dir.path().join("state"));
        let req = crate::req::ReqNumber::parse("REQ-FREEZE-1").unwrap();
        let s = crate::workspace::Session::open(&store, req, "unit").unwrap();
        (dir, s)
    }

    #[test]
    fn the_gate_refuses_in_a_window_records_an_override_once_and_a_dry_run_records_none() {
        let fri = [w(r#"name = "No Friday deployments"
            days = ["Fri"]"#)];
        let now = at("2026-01-09T12:00:00Z");
        let (_dir, mut s) = session();

        let e = gate(&fri, &mut s, "push", None, now, false).unwrap_err();
        assert_eq!(crate::error::classify(&e).exit, crate::error::Exit::Gate);
        assert!(s.ctx.ledger.freeze_overrides.is_empty());

        let d = gate(&fri, &mut s, "push", Some("hotfix"), now, true).unwrap();
        assert!(matches!(d, Decision::Overridden(_, ref r) if r == "hotfix"));
        assert!(
            s.ctx.ledger.freeze_overrides.is_empty(),
            "a dry run records nothing"
        );

        for _ in 0..2 {
            gate(&fri, &mut s, "push", Some(" hotfix "), now, false).unwrap();
        }
        let saved = s.store.peek(&s.req).unwrap().unwrap();
        assert_eq!(saved.ledger.freeze_overrides.len(), 1, "recorded once");
        let o = &saved.ledger.freeze_overrides[0];
        assert_eq!((o.step.as_str(), o.reason.as_str()), ("push", "hotfix"));
        assert_eq!(o.window, "\"No Friday deployments\" (Fri 00:00–24:00 UTC)");

        // Another step's override is its own record; outside the window nothing is recorded.
        gate(&fri, &mut s, "complete", Some("hotfix"), now, false).unwrap();
        let open = gate(
            &fri,
            &mut s,
            "complete",
            Some("x"),
            at("2026-01-10T00:00:00Z"),
            false,
        );
        assert_eq!(open.unwrap(), Decision::Open);
        assert_eq!(s.ctx.ledger.freeze_overrides.len(), 2);
    }

    #[test]
    fn not_friday_holds_from_friday_midnight_to_saturday_midnight_and_not_a_minute_more() {
        // 2026-01-09 is a Friday.
        let fri = w(r#"days = ["Fri"]"#);
        assert!(!holds(&fri, "2026-01-08T23:59:59Z"));
        assert!(holds(&fri, "2026-01-09T00:00:00Z"));
        assert!(holds(&fri, "2026-01-09T23:59:59Z"));
        assert!(!holds(&fri, "2026-01-10T00:00:00Z"));
        let a = active(std::slice::from_ref(&fri), at("2026-01-09T12:00:00Z")).unwrap();
        assert_eq!(a.until, at("2026-01-10T00:00:00Z"));
        assert_eq!(a.describe(), "deploy.freeze[0] (Fri 00:00–24:00 UTC)");
        assert_eq!(a.until_local, "Sat 2026-01-10 00:00 UTC");
    }

    #[test]
    fn edges_are_wall_clock_time_in_the_zone_across_a_daylight_saving_change() {
        let win = w(r#"
            days = ["Fri"]
            from = "09:00"
            to = "17:00"
            tz = "America/New_York"
        "#);
        // Winter (EST, UTC-5): 09:00 local is 14:00Z.
        assert!(!holds(&win, "2026-03-06T13:59:59Z"));
        assert!(holds(&win, "2026-03-06T14:00:00Z"));
        assert!(holds(&win, "2026-03-06T21:59:59Z"));
        assert!(!holds(&win, "2026-03-06T22:00:00Z"));
        // The clocks went forward on Sunday 2026-03-08 (EDT, UTC-4): 09:00 local is 13:00Z.
        assert!(!holds(&win, "2026-03-13T12:59:59Z"));
        assert!(holds(&win, "2026-03-13T13:00:00Z"));
        assert!(holds(&win, "2026-03-13T20:59:59Z"));
        assert!(!holds(&win, "2026-03-13T21:00:00Z"));
    }

    #[test]
    fn a_window_spanning_midnight_ends_the_next_day_even_through_a_daylight_saving_night() {
        // Saturday 22:00 to Sunday 04:00 in Berlin; the clocks go forward at 02:00 on Sunday
        // 2026-03-29, so this occurrence lasts five hours, not six.
        let win = w(r#"
            name = "Weekend maintenance"
            days = ["Sat"]
            from = "22:00"
            to = "04:00"
            tz = "Europe/Berlin"
        "#);
        // 22:00 CET (UTC+1) is 21:00Z.
        assert!(!holds(&win, "2026-03-28T20:59:59Z"));
        assert!(holds(&win, "2026-03-28T21:00:00Z"));
        assert!(holds(&win, "2026-03-28T23:30:00Z"), "after midnight");
        // 04:00 CEST (UTC+2) is 02:00Z.
        assert!(holds(&win, "2026-03-29T01:59:59Z"));
        assert!(!holds(&win, "2026-03-29T02:00:00Z"));
        let a = active(std::slice::from_ref(&win), at("2026-03-28T21:00:00Z")).unwrap();
        assert_eq!(a.until, at("2026-03-29T02:00:00Z"));
        assert_eq!(
            a.describe(),
            "\"Weekend maintenance\" (Sat 22:00–04:00 (next day) Europe/Berlin)"
        );
        // Sunday night is not in it: only the day after a listed day.
        assert!(!holds(&win, "2026-03-29T21:30:00Z"));
        assert!(!holds(&win, "2026-03-30T01:00:00Z"));
    }

    #[test]
    fn dates_hold_for_their_local_day() {
        let win = w(r#"
            dates = ["2026-12-24", "2026-12-31"]
            tz = "Asia/Tokyo"
        "#);
        // Tokyo is UTC+9: 2026-12-24 local starts at 2026-12-23T15:00Z.
        assert!(!holds(&win, "2026-12-23T14:59:59Z"));
        assert!(holds(&win, "2026-12-23T15:00:00Z"));
        assert!(holds(&win, "2026-12-24T14:59:59Z"));
        assert!(!holds(&win, "2026-12-24T15:00:00Z"));
        assert!(holds(&win, "2026-12-31T00:00:00Z"));
    }

    #[test]
    fn bad_windows_name_the_key() {
        let key = |t: &str| w(t).check().unwrap_err().0;
        assert_eq!(key(r#"days = ["Freitag"]"#), "days");
        assert_eq!(key(r#"dates = ["24.12.2026"]"#), "dates");
        assert_eq!(key(r#"from = "09:00""#), "days");
        assert_eq!(
            key(r#"days = ["Fri"]
            dates = ["2026-12-24"]"#),
            "dates"
        );
        assert_eq!(
            key(r#"days = ["Fri"]
            from = "9:00""#),
            "from"
        );
        assert_eq!(
            key(r#"days = ["Fri"]
            to = "24:01""#),
            "to"
        );
        assert_eq!(
            key(r#"days = ["Fri"]
            from = "24:00""#),
            "from"
        );
        assert_eq!(
            key(r#"days = ["Fri"]
            from = "10:00"
            to = "10:00""#),
            "to"
        );
        assert_eq!(
            key(r#"days = ["Fri"]
            tz = "Mars/Olympus_Mons""#),
            "tz"
        );
        assert!(w(r#"days = ["friday", "SAT"]"#).check().is_ok());
    }

    #[test]
    fn the_decision_refuses_names_the_window_and_lets_a_rollback_through_by_default() {
        let fri = vec![w(r#"days = ["Fri"]"#)];
        let friday = at("2026-01-09T12:00:00Z");
        let e = decide(&fri, friday, "push", None).unwrap_err();
        assert_eq!(e.exit(), crate::error::Exit::Gate);
        assert!(
            e.message.contains("deploy.freeze[0] (Fri 00:00–24:00 UTC)"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("until Sat 2026-01-10 00:00 UTC"),
            "{}",
            e.message
        );
        assert!(e.hint().unwrap().contains("--override-freeze --reason"));
        assert_eq!(
            decide(&fri, at("2026-01-08T12:00:00Z"), "push", None).unwrap(),
            Decision::Open
        );
        assert!(matches!(
            decide(&fri, friday, "complete", Some("hotfix for the outage")).unwrap(),
            Decision::Overridden(_, r) if r == "hotfix for the outage"
        ));
        assert_eq!(
            decide(&fri, friday, "complete", Some("  "))
                .unwrap_err()
                .exit(),
            crate::error::Exit::Usage
        );
        assert!(matches!(
            decide(&fri, friday, "rollback", None).unwrap(),
            Decision::Allowed(_)
        ));
        let strict = vec![w(r#"days = ["Fri"]
            rollback = false"#)];
        assert_eq!(
            decide(&strict, friday, "rollback", None)
                .unwrap_err()
                .exit(),
            crate::error::Exit::Gate
        );
    }
}
