//! Running the configured test commands: argv lists (no shell), each from its folder with
//! `CI=true` and without berry's own credentials in its environment, its output (stdout and
//! stderr in one stream) masked and appended to one log file, a timeout per command that stops
//! the command's whole process group. SIGINT and SIGTERM sent to berry are passed on to that
//! group; after a grace period the group is killed and the run ends as interrupted (exit 130).
//! Nothing of the group outlives the command: what it left behind is killed when it exits.

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

/// Output kept in memory per command before it is masked and logged; beyond it the rest is
/// dropped (and the log says so).
pub const MAX_OUTPUT: usize = 64 * 1024 * 1024;

/// Runs `cmd` from `root/cmd.dir` without the variables `drop_env` in its environment, appending
/// its output, masked by [`crate::secrets::mask_text`], to `log`.
pub fn run(
    cmd: &TestCommand,
    root: &Path,
    log: &mut File,
    drop_env: &[String],
) -> Result<CommandResult> {
    let start_at = log.seek(SeekFrom::End(0))?;
    let header = format!(
        "==> {} ({}): {}",
        cmd.name,
        if cmd.dir.is_empty() { "." } else { &cmd.dir },
        cmd.argv.join(" ")
    );
    writeln!(log, "{}", crate::secrets::mask_text(&header))?;
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
    // One pipe for stdout and stderr keeps their order; berry reads it and masks it.
    let (reader, writer) = std::io::pipe().context("cannot create a pipe")?;
    let err_writer = writer.try_clone().context("cannot share the pipe")?;
    let mut group = signals::ProcessGroup::starting();
    let mut command = Command::new(prog);
    command
        .args(args)
        .current_dir(&dir)
        .env("CI", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::from(writer))
        .stderr(Stdio::from(err_writer))
        .process_group(0);
    for name in drop_env {
        command.env_remove(name);
    }
    let spawned = command.spawn();
    // The command's own copies are the only writers left; the reader sees EOF when they close.
    drop(command);
    let collector = std::thread::spawn(move || collect(reader));
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
    // Anything the command left behind in its group goes too (and with it the pipe's last
    // writers).
    drop(group);
    write_output(log, collector)?;
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

/// Reads the command's output until every writer is gone (or [`MAX_OUTPUT`] is reached).
fn collect(mut reader: std::io::PipeReader) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let mut cut = false;
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if out.len() + n > MAX_OUTPUT {
                    cut = true;
                    continue;
                }
                out.extend_from_slice(&buf[..n]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    (out, cut)
}

/// The collected output, masked, into the log. A process that escaped the group and still holds
/// the pipe is not waited for beyond a few seconds.
fn write_output(log: &mut File, collector: std::thread::JoinHandle<(Vec<u8>, bool)>) -> Result<()> {
    let until = Instant::now() + Duration::from_secs(5);
    while !collector.is_finished() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    if !collector.is_finished() {
        writeln!(
            log,
            "berry: the command's output was still open after it ended; the rest is not logged"
        )?;
        return Ok(());
    }
    let (bytes, cut) = collector.join().unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    log.write_all(crate::secrets::mask_text(&text).as_bytes())?;
    if !text.is_empty() && !text.ends_with('\n') {
        writeln!(log)?;
    }
    if cut {
        writeln!(
            log,
            "berry: output beyond {} MB was not logged",
            MAX_OUTPUT >> 20
        )?;
    }
    Ok(())
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
        let ok = run(&cmd(&["sh", "-c", "echo $CI"], 10), d.path(), &mut log, &[]).unwrap();
        assert!(ok.passed);
        let bad = run(
            &cmd(&["sh", "-c", "echo boom; exit 3"], 10),
            d.path(),
            &mut log,
            &[],
        )
        .unwrap();
        assert!(!bad.passed);
        assert_eq!(bad.exit_code, Some(3));
        assert!(bad.tail.iter().any(|l| l == "boom"), "{:?}", bad.tail);
        let missing = run(&cmd(&["no-such-program-xyz"], 10), d.path(), &mut log, &[]).unwrap();
        assert!(missing.error.unwrap().contains("not found"));
        let t0 = Instant::now();
        let hung = run(&cmd(&["sleep", "30"], 1), d.path(), &mut log, &[]).unwrap();
        assert!(hung.timed_out && !hung.passed);
        assert!(t0.elapsed() < Duration::from_secs(10));
        let text = std::fs::read_to_string(d.path().join("log")).unwrap();
        assert!(text.contains("true\n"), "CI=true is set: {text}");
    }

    #[test]
    fn credentials_are_dropped_and_output_is_masked_in_order() {
        let d = tempfile::tempdir().unwrap();
        let mut log = File::options()
            .create(true)
            .read(true)
            .append(true)
            .open(d.path().join("log"))
            .unwrap();
        // SAFETY: this test alone sets and reads these two names.
        unsafe {
            std::env::set_var("BERRY_TESTRUN_DROPPED", "dropped-value");
            std::env::set_var("BERRY_TESTRUN_KEPT", "kept-value");
        }
        let tok = "ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8";
        let script = format!(
            "echo out1; echo err1 >&2; echo \"d=${{BERRY_TESTRUN_DROPPED:-unset}} k=$BERRY_TESTRUN_KEPT\"; echo token {tok}; exit 1"
        );
        let r = run(
            &cmd(&["sh", "-c", &script], 10),
            d.path(),
            &mut log,
            &["BERRY_TESTRUN_DROPPED".to_string()],
        )
        .unwrap();
        assert!(!r.passed);
        let text = std::fs::read_to_string(d.path().join("log")).unwrap();
        assert!(
            text.contains("out1\nerr1\n"),
            "one stream, in order: {text}"
        );
        assert!(text.contains("d=unset k=kept-value"), "{text}");
        assert!(!text.contains(tok), "{text}");
        assert!(text.contains("token ghp_…(40 chars)"), "{text}");
        assert!(r.tail.iter().all(|l| !l.contains(tok)), "{:?}", r.tail);
    }
}
