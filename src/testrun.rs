//! Running the configured test commands: argv lists (no shell), each from its folder with
//! `CI=true`, output appended to one log file, a timeout per command that stops the command's
//! whole process group. SIGINT and SIGTERM sent to berry are passed on to that group; after a
//! grace period the group is killed and the run ends as interrupted (exit 130). Nothing of the
//! group outlives the command: what it left behind is killed when it exits.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use serde::Serialize;

use nix::sys::signal::Signal;

use crate::config::TestCommand;
use crate::error::{BerryError, Exit};
use crate::signals;

/// How long a command told to stop (SIGTERM on timeout, or the operator's SIGINT/SIGTERM passed
/// on) has before its process group is killed.
pub const GRACE: Duration = Duration::from_secs(2);

/// How one command ended.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CommandResult {
    pub name: String,
    pub argv: Vec<String>,
    pub dir: String,
    pub passed: bool,
    /// The exit code; `None` when killed by a signal, timed out or never started.
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    /// Why it could not start (program or folder missing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_ms: u64,
    /// The last lines it wrote (kept for the failure report, not serialized).
    #[serde(skip)]
    pub tail: Vec<String>,
}

/// Lines of output kept for the failure report.
pub const TAIL_LINES: usize = 30;

/// Runs `cmd` from `root/cmd.dir`, appending its output to `log`.
pub fn run(cmd: &TestCommand, root: &Path, log: &mut File) -> Result<CommandResult> {
    let start_at = log.seek(SeekFrom::End(0))?;
    writeln!(
        log,
        "==> {} ({}): {}",
        cmd.name,
        if cmd.dir.is_empty() { "." } else { &cmd.dir },
        cmd.argv.join(" ")
    )?;
    log.flush()?;
    let dir = root.join(&cmd.dir);
    let started = Instant::now();
    let mut result = CommandResult {
        name: cmd.name.clone(),
        argv: cmd.argv.clone(),
        dir: cmd.dir.clone(),
        passed: false,
        exit_code: None,
        timed_out: false,
        error: None,
        duration_ms: 0,
        tail: Vec::new(),
    };
    let Some((prog, args)) = cmd.argv.split_first() else {
        result.error = Some("its argv is empty".into());
        writeln!(
            log,
            "berry: {}",
            result.error.as_deref().unwrap_or_default()
        )?;
        return Ok(result);
    };
    let out = log.try_clone().context("cannot share the log file")?;
    let err = log.try_clone().context("cannot share the log file")?;
    let mut group = signals::ProcessGroup::starting();
    let spawned = Command::new(prog)
        .args(args)
        .current_dir(&dir)
        .env("CI", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .process_group(0)
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            let why = if !dir.is_dir() {
                format!("its folder {} does not exist", dir.display())
            } else if e.kind() == std::io::ErrorKind::NotFound {
                format!("`{prog}` was not found")
            } else {
                format!("`{prog}` could not start: {e}")
            };
            writeln!(log, "berry: {why}")?;
            result.error = Some(why);
            result.tail = tail_since(log, start_at)?;
            return Ok(result);
        }
    };
    group.started(child.id() as i32);
    let deadline = started + Duration::from_secs(cmd.timeout_secs.max(1));
    // Set once the group was told to stop (timeout or a forwarded signal): then it is killed.
    let mut kill_at: Option<Instant> = None;
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        let now = Instant::now();
        if kill_at.is_none() {
            if group.signalled().is_some() {
                kill_at = Some(now + GRACE);
            } else if now >= deadline {
                result.timed_out = true;
                group.signal(Signal::SIGTERM);
                kill_at = Some(now + GRACE);
            }
        }
        if kill_at.is_some_and(|k| now >= k) {
            group.signal(Signal::SIGKILL);
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    // Anything the command left behind in its group goes too.
    drop(group);
    if let Some(sig) = signals::take_received() {
        writeln!(
            log,
            "berry: interrupted ({}); the process group was stopped",
            signals::name(sig)
        )?;
        log.flush()?;
        return Err(BerryError::new(
            Exit::Interrupted,
            format!(
                "interrupted while `{}` ran; its process group was stopped",
                cmd.name
            ),
        )
        .into());
    }
    if result.timed_out {
        writeln!(
            log,
            "berry: timed out after {}s; the process group was killed",
            cmd.timeout_secs
        )?;
    }
    result.duration_ms = started.elapsed().as_millis() as u64;
    result.exit_code = status.code();
    result.passed = status.success() && !result.timed_out;
    writeln!(
        log,
        "<== {}: {}",
        cmd.name,
        if result.passed { "passed" } else { "FAILED" }
    )?;
    log.flush()?;
    if !result.passed {
        result.tail = tail_since(log, start_at)?;
    }
    Ok(result)
}

fn tail_since(log: &mut File, from: u64) -> Result<Vec<String>> {
    let mut f = log.try_clone()?;
    f.seek(SeekFrom::Start(from))?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let skip = lines.len().saturating_sub(TAIL_LINES);
    Ok(lines[skip..].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(argv: &[&str], timeout: u64) -> TestCommand {
        TestCommand {
            name: "t".into(),
            argv: argv.iter().map(|s| s.to_string()).collect(),
            dir: String::new(),
            timeout_secs: timeout,
        }
    }

    #[test]
    fn passing_failing_missing_and_hanging() {
        let d = tempfile::tempdir().unwrap();
        let mut log = File::options()
            .create(true)
            .read(true)
            .append(true)
            .open(d.path().join("log"))
            .unwrap();
        let ok = run(&cmd(&["sh", "-c", "echo $CI"], 10), d.path(), &mut log).unwrap();
        assert!(ok.passed);
        let bad = run(
            &cmd(&["sh", "-c", "echo boom; exit 3"], 10),
            d.path(),
            &mut log,
        )
        .unwrap();
        assert!(!bad.passed);
        assert_eq!(bad.exit_code, Some(3));
        assert!(bad.tail.iter().any(|l| l == "boom"), "{:?}", bad.tail);
        let missing = run(&cmd(&["no-such-program-xyz"], 10), d.path(), &mut log).unwrap();
        assert!(missing.error.unwrap().contains("not found"));
        let t0 = Instant::now();
        let hung = run(&cmd(&["sleep", "30"], 1), d.path(), &mut log).unwrap();
        assert!(hung.timed_out && !hung.passed);
        assert!(t0.elapsed() < Duration::from_secs(10));
        let text = std::fs::read_to_string(d.path().join("log")).unwrap();
        assert!(text.contains("true\n"), "CI=true is set: {text}");
    }
}
