//! Running the configured test commands: argv lists (no shell), each from its folder with
//! `CI=true` and without berry's own credentials in its environment, its output (stdout and
//! stderr in one stream) masked line by line and appended to one log file as it comes (a
//! multi-line secret is held until it ends and masked whole), a timeout per command that stops
//! the command's whole process group. SIGINT and SIGTERM sent to berry are passed on to that
//! group; after a grace period the group is killed and the run ends as interrupted (exit 130).
//! Nothing of the group outlives the command: what it left behind is killed when it exits.
//!
//! [`step()`] is `berry test`'s work on top of [`run`] (the rules it keeps: [`mod@step`]).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use serde::Serialize;

use nix::sys::signal::Signal;

use crate::config::TestCommand;
use crate::error::{BerryError, Exit};
use crate::signals;

pub mod step;
pub use step::{Done, Shown, View, step};

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

impl CommandResult {
    /// Why the command failed, in words: it could not start, timed out after `timeout_secs`,
    /// exited non-zero, or was killed.
    pub fn why(&self, timeout_secs: u64) -> String {
        match (&self.error, self.timed_out, self.exit_code) {
            (Some(e), _, _) => e.clone(),
            (None, true, _) => format!("timed out after {timeout_secs}s"),
            (None, false, Some(code)) => format!("exit code {code}"),
            (None, false, None) => "killed by a signal".into(),
        }
    }
}

/// Opens the test log at `path` for a run: created (its folder too) or emptied, the operator's
/// alone (0600, also when an older one was not).
pub fn open_log(path: &Path) -> Result<File> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let log = File::options()
        .create(true)
        .read(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create the log {}", path.display()))?;
    log.set_permissions(std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("cannot restrict the log {}", path.display()))?;
    Ok(log)
}

/// Lines of output kept for the failure report.
pub const TAIL_LINES: usize = 30;

/// Output logged per command; beyond it the rest is read and dropped (and the log says so).
pub const MAX_OUTPUT: usize = 64 * 1024 * 1024;

/// Bytes of a failed command's log read back for its last lines.
const TAIL_BYTES: u64 = 1024 * 1024;

/// Runs `cmd` from `root/cmd.dir` without the variables `drop_env` in its environment, appending
/// its output to `log` while it runs, each line masked by [`crate::secrets::LineMasker`].
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
    // One pipe for stdout and stderr keeps their order; berry reads it, masks it and logs it as
    // it comes, through a handle of the log's own (same offset) that is taken back when the
    // command's run is over.
    let (reader, writer) = std::io::pipe().context("cannot create a pipe")?;
    let sink: Sink = Arc::new(Mutex::new(Some(
        log.try_clone().context("cannot share the log")?,
    )));
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
    let collector = {
        let sink = sink.clone();
        std::thread::spawn(move || collect(reader, &sink))
    };
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
    finish_output(log, &sink, collector)?;
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

/// Where the command's output is logged: the log, until the command's run is over (then `None`:
/// what a process that escaped the group still writes is not logged).
type Sink = Arc<Mutex<Option<File>>>;

/// Reads the command's output until every writer is gone, masking it line by line into `sink`;
/// beyond [`MAX_OUTPUT`] logged bytes the rest is read and dropped. Returns whether it was cut.
fn collect(mut reader: std::io::PipeReader, sink: &Sink) -> bool {
    let mut masker = crate::secrets::LineMasker::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut logged = 0usize;
    let mut cut = false;
    let mut write = |text: &str| {
        if cut {
            return;
        }
        if logged + text.len() > MAX_OUTPUT {
            cut = true;
            return;
        }
        logged += text.len();
        if let Some(f) = sink.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            let _ = f.write_all(text.as_bytes());
        }
    };
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => masker.push(&buf[..n], &mut write),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    masker.finish(&mut write);
    cut
}

/// Waits for the output to be logged to its end. A process that escaped the group and still
/// holds the pipe is not waited for beyond a few seconds: the log is taken back from it.
fn finish_output(
    log: &mut File,
    sink: &Sink,
    collector: std::thread::JoinHandle<bool>,
) -> Result<()> {
    let until = Instant::now() + Duration::from_secs(5);
    while !collector.is_finished() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    if !collector.is_finished() {
        sink.lock().unwrap_or_else(|e| e.into_inner()).take();
        writeln!(
            log,
            "berry: the command's output was still open after it ended; the rest is not logged"
        )?;
        return Ok(());
    }
    if collector.join().unwrap_or_default() {
        writeln!(
            log,
            "berry: output beyond {} MB was not logged",
            MAX_OUTPUT >> 20
        )?;
    }
    Ok(())
}

/// The last [`TAIL_LINES`] lines of the log since `from` (reading at most [`TAIL_BYTES`]).
fn tail_since(log: &mut File, from: u64) -> Result<Vec<String>> {
    let mut f = log.try_clone()?;
    let end = f.seek(SeekFrom::End(0))?;
    let start = from.max(end.saturating_sub(TAIL_BYTES));
    f.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes)?;
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    if start > from {
        // Begun inside a line: drop its end.
        text = text
            .split_once('\n')
            .map(|(_, r)| r.to_string())
            .unwrap_or_default();
    }
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
        assert_eq!(bad.why(10), "exit code 3");
        assert!(bad.tail.iter().any(|l| l == "boom"), "{:?}", bad.tail);
        let missing = run(&cmd(&["no-such-program-xyz"], 10), d.path(), &mut log, &[]).unwrap();
        assert!(missing.why(10).contains("not found"), "{}", missing.why(10));
        let t0 = Instant::now();
        let hung = run(&cmd(&["sleep", "30"], 1), d.path(), &mut log, &[]).unwrap();
        assert!(hung.timed_out && !hung.passed);
        assert_eq!(hung.why(1), "timed out after 1s");
        assert!(t0.elapsed() < Duration::from_secs(10));
        let text = std::fs::read_to_string(d.path().join("log")).unwrap();
        assert!(text.contains("true\n"), "CI=true is set: {text}");
    }

    #[test]
    fn a_log_is_opened_empty_in_a_new_folder_and_the_operators_alone() {
        use std::os::unix::fs::PermissionsExt as _;
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("state").join("REQ-1.test.log");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "an older run\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        drop(open_log(&path).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let fresh = d.path().join("new").join("log");
        drop(open_log(&fresh).unwrap());
        assert!(fresh.is_file());
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

    #[test]
    fn output_is_logged_masked_while_the_command_runs() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("log");
        let mut log = File::options()
            .create(true)
            .read(true)
            .append(true)
            .open(&path)
            .unwrap();
        let flag = d.path().join("go-on");
        let tok = "ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8";
        // Prints a line, then waits for the test's flag before printing the next one.
        let script = format!(
            "echo first line {tok}; while [ ! -e {0} ]; do sleep 0.05; done; echo second line",
            flag.display()
        );
        let c = cmd(&["sh", "-c", &script], 120);
        let root = d.path().to_path_buf();
        let running = std::thread::spawn(move || run(&c, &root, &mut log, &[]).unwrap());
        // Polled until the first line is there (the bound only keeps a broken build from hanging).
        let until = Instant::now() + Duration::from_secs(60);
        let mut text = String::new();
        while Instant::now() < until {
            text = std::fs::read_to_string(&path).unwrap();
            if text.contains("\nfirst line") {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            text.contains("first line ghp_…(40 chars)\n"),
            "the first line is logged, masked, while the command waits: {text}"
        );
        assert!(!text.contains(tok), "{text}");
        assert!(
            !text.contains("\nsecond line"),
            "the command is still waiting: {text}"
        );
        assert!(!running.is_finished());
        std::fs::write(&flag, "").unwrap();
        let r = running.join().unwrap();
        assert!(r.passed, "{r:?}");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("first line ghp_…(40 chars)\nsecond line\n<== t: passed"),
            "{text}"
        );
    }

    #[test]
    fn a_private_key_printed_by_a_command_is_masked_whole_in_its_log() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("log");
        let mut log = File::options()
            .create(true)
            .read(true)
            .append(true)
            .open(&path)
            .unwrap();
        let body: Vec<String> = (0..8)
            .map(|i| format!("MIIEow{i}IBAAKCAQEAs9Qx7v1R2k4mJcXg8zNhYp5WbTLdUqFo3eKiVrZy6jHaC0t"))
            .collect();
        // Printed in pieces, with pauses, as a slow program would.
        let mut script =
            String::from("echo before; printf -- '-----BEGIN RSA PRIVATE KEY-----\\n'; ");
        for l in &body {
            script.push_str(&format!(
                "printf '{}'; sleep 0.05; printf '{}\\n'; ",
                &l[..20],
                &l[20..]
            ));
        }
        script.push_str("printf -- '-----END RSA PRIVATE KEY-----\\n'; echo after");
        let r = run(&cmd(&["sh", "-c", &script], 60), d.path(), &mut log, &[]).unwrap();
        assert!(r.passed, "{r:?}");
        let log_text = std::fs::read_to_string(&path).unwrap();
        // What the command printed (the header line shows its argv).
        let text = log_text.split_once('\n').unwrap().1;
        for l in &body {
            assert!(
                !text.contains(&l[..20]) && !text.contains(&l[20..]),
                "{text}"
            );
        }
        assert!(text.contains("before\n"), "{text}");
        assert!(text.contains("after\n"), "{text}");
        assert!(text.contains("MIIE…("), "{text}");
    }
}
