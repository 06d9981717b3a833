//! git over SSH the way git does it: berry runs OpenSSH (`ssh [-p PORT] [USER@]HOST
//! "git-receive-pack 'PATH'"`) and speaks git's smart protocol over its standard input and output.
//!
//! libgit2 is built without its own SSH client (libssh2), so it links no OpenSSL and every berry
//! process starts without initialising crypto. Running the operator's `ssh` is also what an
//! engineer expects of a tool beside git: `~/.ssh/config` (hosts, ports, `ProxyJump`,
//! `IdentityFile`), the agent, `known_hosts` and its prompts all apply as they do for `git push`.
//!
//! The program, as git chooses it: `GIT_SSH_COMMAND` (a shell command), else `core.sshCommand`
//! from the user's or the system's git configuration (a shell command), else `GIT_SSH` (a program,
//! run without a shell), else `ssh`. A `core.sshCommand` in the repository's own `.git/config` is
//! not used: the agents berry gates can write that file, and it would choose the program berry
//! runs with the operator's keys.
//!
//! A host or user that starts with `-` is refused (it would reach `ssh` as an option, as git
//! refuses it); the path reaches the remote shell single-quoted, as git quotes it.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use git2::transport::{Service, SmartSubtransport, SmartSubtransportStream, Transport};

/// What the environment says about the SSH program, read once by the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SshEnv {
    /// `GIT_SSH_COMMAND`: a shell command, wins over everything.
    pub command: Option<String>,
    /// `GIT_SSH`: a program, run without a shell, when no command is configured.
    pub program: Option<String>,
}

static ENV: OnceLock<SshEnv> = OnceLock::new();

/// Sets what the environment said; the command line calls it once at start (later calls change
/// nothing). Without it, `ssh` runs with the configuration's `core.sshCommand` if any.
pub fn set_env(env: SshEnv) {
    let _ = ENV.set(env);
}

/// Registers berry's SSH transport for `ssh://`, `ssh+git://`, `git+ssh://` and scp-like
/// (`USER@HOST:PATH`) remotes, once per process. Every transfer calls it before it connects, on
/// the thread that then starts the transfer's worker.
pub fn register() {
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    REGISTERED.call_once(|| {
        for prefix in ["ssh", "ssh+git", "git+ssh"] {
            // SAFETY: registration is global; it happens once, behind `Once`, before the first
            // transfer of this process reaches libgit2's transport lookup.
            let done = unsafe {
                git2::transport::register(prefix, |remote| {
                    Transport::smart(remote, false, SshSubtransport::default())
                })
            };
            if let Err(e) = done {
                tracing::debug!(prefix, error = %e, "cannot register the ssh transport");
            }
        }
    });
}

/// Where an SSH remote URL points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshUrl {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    /// The path as the remote shell gets it (`~/x` for `ssh://host/~/x`, as git gives it).
    pub path: String,
}

/// Parses `ssh://[USER@]HOST[:PORT]/PATH` (also `ssh+git://`, `git+ssh://`) and the scp-like
/// `[USER@]HOST:PATH`. The path is taken as written: git does not percent-decode it either.
pub fn parse_url(url: &str) -> Result<SshUrl, String> {
    let bad = |why: &str| format!("{why}: {}", crate::github::redact_url(url));
    let scheme = ["ssh://", "ssh+git://", "git+ssh://"]
        .iter()
        .find_map(|s| url.strip_prefix(s));
    let (authority, path, port_allowed) = match scheme {
        Some(rest) => {
            let slash = rest
                .find('/')
                .ok_or_else(|| bad("no path in the SSH URL"))?;
            let path = &rest[slash..];
            // `ssh://host/~user/repo` is `~user/repo` on the remote, relative to a home.
            let path = match path.strip_prefix("/~") {
                Some(_) => &path[1..],
                None => path,
            };
            (&rest[..slash], path.to_string(), true)
        }
        None => {
            // scp-like: the first `:` outside brackets ends the host.
            let colon = match url.strip_prefix('[') {
                Some(inner) => inner.find(']').map(|i| i + 2),
                None => Some(0),
            }
            .and_then(|from| url[from..].find(':').map(|i| i + from))
            .ok_or_else(|| bad("not an SSH remote"))?;
            // A `/` before the `:` makes it a local path, as git reads it.
            if url.find('/').is_some_and(|slash| slash < colon) {
                return Err(bad(
                    "a local path with `:` in it, not an SSH remote (write it as file://PATH)",
                ));
            }
            (&url[..colon], url[colon + 1..].to_string(), false)
        }
    };
    let (user, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u.to_string()), h),
        None => (None, authority),
    };
    let (host, port) = split_port(hostport, port_allowed).map_err(|w| bad(&w))?;
    if host.is_empty() {
        return Err(bad("no host in the SSH URL"));
    }
    if host.starts_with('-') || user.as_deref().is_some_and(|u| u.starts_with('-')) {
        return Err(bad("refusing an SSH host or user that starts with `-`"));
    }
    if path.is_empty() {
        return Err(bad("no path in the SSH URL"));
    }
    Ok(SshUrl {
        user,
        host,
        port,
        path,
    })
}

fn split_port(hostport: &str, port_allowed: bool) -> Result<(String, Option<u16>), String> {
    if let Some(inner) = hostport.strip_prefix('[') {
        let (host, rest) = inner
            .split_once(']')
            .ok_or("an unclosed `[` in the SSH host")?;
        let port = match rest.strip_prefix(':') {
            Some(p) if port_allowed => Some(p.parse().map_err(|_| "a bad SSH port")?),
            _ => None,
        };
        return Ok((host.to_string(), port));
    }
    match hostport.rsplit_once(':') {
        Some((h, p)) if port_allowed && !h.contains(':') => Ok((
            h.to_string(),
            Some(p.parse().map_err(|_| "a bad SSH port")?),
        )),
        _ => Ok((hostport.to_string(), None)),
    }
}

/// `text` single-quoted for a POSIX shell, as git quotes the path for the remote.
pub fn shell_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\'' => out.push_str("'\\''"),
            '!' => out.push_str("'\\!'"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The program that runs SSH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Program {
    /// A shell command (`GIT_SSH_COMMAND`, `core.sshCommand`), given the arguments after it.
    Shell(String),
    /// A program run directly (`GIT_SSH`, or `ssh`).
    Exec(String),
}

/// The program for this process: the environment's, then `core.sshCommand` of the user's and
/// system's git configuration (`global_command`), then `GIT_SSH`, then `ssh`.
pub fn program(env: &SshEnv, global_command: Option<String>) -> Program {
    let nonempty = |s: &Option<String>| s.clone().filter(|v| !v.trim().is_empty());
    if let Some(c) = nonempty(&env.command) {
        return Program::Shell(c);
    }
    if let Some(c) = nonempty(&global_command) {
        return Program::Shell(c);
    }
    if let Some(p) = nonempty(&env.program) {
        return Program::Exec(p);
    }
    Program::Exec("ssh".into())
}

/// `core.sshCommand` from the user's and the system's configuration, never the repository's.
fn configured_command() -> Option<String> {
    git2::Config::open_default()
        .ok()?
        .get_string("core.sshCommand")
        .ok()
}

/// The command that runs `service` (`git-upload-pack`, `git-receive-pack`) for `url`.
pub fn command(program: &Program, url: &SshUrl, service: &str) -> Command {
    let mut args: Vec<String> = Vec::new();
    if let Some(p) = url.port {
        args.push("-p".into());
        args.push(p.to_string());
    }
    args.push(match &url.user {
        Some(u) => format!("{u}@{}", url.host),
        None => url.host.clone(),
    });
    args.push(format!("{service} {}", shell_quote(&url.path)));
    match program {
        Program::Exec(p) => {
            let mut c = Command::new(p);
            c.args(&args);
            c
        }
        Program::Shell(cmd) => {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!("{cmd} \"$@\""))
                .arg(cmd)
                .args(&args);
            c
        }
    }
}

/// Keeps at most this much of ssh's standard error for the error message.
const STDERR_KEPT: usize = 16 * 1024;

/// One connection: the ssh child and what it wrote to its standard error.
struct Connection {
    child: Child,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Connection {
    /// Waits a little for the child to end (it does once its standard input is closed or the
    /// remote command ended), then kills it.
    fn finish(&mut self, patience: Duration) -> Option<std::process::ExitStatus> {
        let until = Instant::now() + patience;
        loop {
            match self.child.try_wait() {
                Ok(Some(s)) => return Some(s),
                Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(5)),
                _ => {
                    let _ = self.child.kill();
                    return self.child.wait().ok();
                }
            }
        }
    }

    fn stderr_text(&self) -> String {
        let bytes = self.stderr.lock().map(|b| b.clone()).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        crate::secrets::mask_text(&lines.join("; ")).into_owned()
    }
}

#[derive(Default)]
struct SshSubtransport {
    current: Mutex<Option<Arc<Mutex<Connection>>>>,
}

impl SmartSubtransport for SshSubtransport {
    fn action(
        &self,
        url: &str,
        action: Service,
    ) -> Result<Box<dyn SmartSubtransportStream>, git2::Error> {
        let service = match action {
            Service::UploadPackLs | Service::UploadPack => "git-upload-pack",
            Service::ReceivePackLs | Service::ReceivePack => "git-receive-pack",
        };
        let target = parse_url(url).map_err(|e| git2::Error::from_str(&e))?;
        let env = ENV.get().cloned().unwrap_or_default();
        let program = program(&env, configured_command());
        let mut cmd = command(&program, &target, service);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| {
            git2::Error::from_str(&format!(
                "failed to connect: cannot run {}: {e}",
                match &program {
                    Program::Exec(p) | Program::Shell(p) => p,
                }
            ))
        })?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        if let Some(mut err) = child.stderr.take() {
            let keep = stderr.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = err.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut k) = keep.lock()
                        && k.len() < STDERR_KEPT
                    {
                        let room = STDERR_KEPT - k.len();
                        k.extend_from_slice(&buf[..n.min(room)]);
                    }
                }
            });
        }
        tracing::debug!(host = %target.host, port = ?target.port, service, "ssh");
        let conn = Arc::new(Mutex::new(Connection { child, stderr }));
        if let Ok(mut c) = self.current.lock() {
            *c = Some(conn.clone());
        }
        Ok(Box::new(SshStream {
            stdin,
            stdout,
            conn,
        }))
    }

    fn close(&self) -> Result<(), git2::Error> {
        Ok(())
    }
}

/// The child's pipes as one stream; at the end of its output an unsuccessful ssh becomes an
/// error with what it said (`Permission denied (publickey)`, `Could not resolve hostname`).
struct SshStream {
    stdin: Option<ChildStdin>,
    stdout: Option<ChildStdout>,
    conn: Arc<Mutex<Connection>>,
}

impl SshStream {
    fn failure(&mut self) -> Option<std::io::Error> {
        self.stdin.take();
        let mut conn = self.conn.lock().ok()?;
        let status = conn.finish(Duration::from_secs(2))?;
        if status.success() {
            return None;
        }
        let said = conn.stderr_text();
        let code = status
            .code()
            .map_or_else(|| "a signal".to_string(), |c| format!("status {c}"));
        Some(std::io::Error::other(if said.is_empty() {
            format!("ssh ended with {code}")
        } else {
            format!("ssh ended with {code}: {said}")
        }))
    }
}

impl Read for SshStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let Some(out) = self.stdout.as_mut() else {
            return Ok(0);
        };
        let n = out.read(buf)?;
        if n == 0
            && let Some(e) = self.failure()
        {
            return Err(e);
        }
        Ok(n)
    }
}

impl Write for SshStream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let Some(input) = self.stdin.as_mut() else {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        };
        match input.write(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                Err(self.failure().unwrap_or(e))
            }
            r => r,
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.stdin.as_mut() {
            Some(i) => i.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for SshStream {
    fn drop(&mut self) {
        // End of the conversation: the remote command sees end of input and ends, and so ssh.
        self.stdin.take();
        self.stdout.take();
        if let Ok(mut c) = self.conn.lock() {
            let _ = c.finish(Duration::from_secs(5));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(user: Option<&str>, host: &str, port: Option<u16>, path: &str) -> SshUrl {
        SshUrl {
            user: user.map(Into::into),
            host: host.into(),
            port,
            path: path.into(),
        }
    }

    #[test]
    fn urls_parse_as_git_reads_them() {
        let cases = [
            (
                "ssh://git@github.com/acme/erp.git",
                url(Some("git"), "github.com", None, "/acme/erp.git"),
            ),
            (
                "ssh://git@example.com:2222/srv/erp.git",
                url(Some("git"), "example.com", Some(2222), "/srv/erp.git"),
            ),
            (
                "git+ssh://example.com/~/erp.git",
                url(None, "example.com", None, "~/erp.git"),
            ),
            (
                "ssh://[::1]:22/srv/x%20y.git",
                url(None, "::1", Some(22), "/srv/x%20y.git"),
            ),
            (
                "git@github.com:acme/erp.git",
                url(Some("git"), "github.com", None, "acme/erp.git"),
            ),
            (
                "[fe80::1]:/srv/erp.git",
                url(None, "fe80::1", None, "/srv/erp.git"),
            ),
            (
                "host:relative/path:with-colon",
                url(None, "host", None, "relative/path:with-colon"),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse_url(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn a_host_or_user_that_would_be_an_option_is_refused() {
        for text in [
            "ssh://-oProxyCommand=touch%20pwned/x",
            "-oProxyCommand=x:repo",
            "ssh://-l@host/x",
            "-F@host:x",
        ] {
            let e = parse_url(text).unwrap_err();
            assert!(e.contains("starts with `-`"), "{text}: {e}");
        }
        assert!(parse_url("ssh://host").is_err());
        assert!(parse_url("ssh://host:notaport/x").is_err());
        assert!(parse_url("no-colon-here").is_err());
        assert!(
            parse_url("/srv/a:b/erp.git")
                .unwrap_err()
                .contains("local path")
        );
        assert!(parse_url("./a:b").unwrap_err().contains("local path"));
    }

    #[test]
    fn the_path_reaches_the_remote_shell_quoted() {
        assert_eq!(shell_quote("/srv/erp.git"), "'/srv/erp.git'");
        assert_eq!(
            shell_quote("it's $(rm -rf ~)!"),
            r"'it'\''s $(rm -rf ~)'\!''"
        );
        // The quoted path is one word to a POSIX shell, whatever it holds.
        let tricky = "a'b $(echo pwned) `x` \"q\" !x; ls";
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("printf %s {}", shell_quote(tricky)))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), tricky);
    }

    #[test]
    fn the_program_is_chosen_as_git_chooses_it() {
        let env = |c: Option<&str>, p: Option<&str>| SshEnv {
            command: c.map(Into::into),
            program: p.map(Into::into),
        };
        let global = Some("ssh -i key".to_string());
        assert_eq!(
            program(&env(Some("ssh -v"), Some("plink")), global.clone()),
            Program::Shell("ssh -v".into())
        );
        assert_eq!(
            program(&env(None, Some("plink")), global.clone()),
            Program::Shell("ssh -i key".into())
        );
        assert_eq!(
            program(&env(None, Some("/opt/ssh")), None),
            Program::Exec("/opt/ssh".into())
        );
        assert_eq!(
            program(&env(Some(" "), None), None),
            Program::Exec("ssh".into())
        );
    }

    #[test]
    fn the_command_line_is_what_git_runs() {
        let u = url(Some("git"), "example.com", Some(2222), "/srv/erp.git");
        let c = command(&Program::Exec("ssh".into()), &u, "git-receive-pack");
        let args: Vec<String> = c
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(c.get_program(), "ssh");
        assert_eq!(
            args,
            [
                "-p",
                "2222",
                "git@example.com",
                "git-receive-pack '/srv/erp.git'"
            ]
        );
        let c = command(&Program::Shell("ssh -v".into()), &u, "git-upload-pack");
        let args: Vec<String> = c
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(c.get_program(), "sh");
        assert_eq!(args[..3], ["-c", "ssh -v \"$@\"", "ssh -v"]);
        assert_eq!(
            args[3..],
            [
                "-p",
                "2222",
                "git@example.com",
                "git-upload-pack '/srv/erp.git'"
            ]
        );
    }
}
