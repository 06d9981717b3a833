//! Every environment variable berry reads, in one place (README "Environment variables" mirrors it).

use std::path::{Path, PathBuf};

/// `1`/`true`: accept every default, as `--yes`.
pub const BERRY_YES: &str = "BERRY_YES";
/// Configuration file, as `--config`.
pub const BERRY_CONFIG: &str = "BERRY_CONFIG";
/// The REQ to work on, as `--req`.
pub const BERRY_REQ: &str = "BERRY_REQ";
/// `auto`, `always` or `never`, as `--color`.
pub const BERRY_COLOR: &str = "BERRY_COLOR";
/// PostgreSQL URL of the deliverables database: sets `database.url` over every file, and wins
/// over the `PG*` variables.
pub const BERRY_DATABASE_URL: &str = "BERRY_DATABASE_URL";
/// Folder of `<agent>.json` deliverables, as `--deliverables`.
pub const BERRY_DELIVERABLES: &str = "BERRY_DELIVERABLES";
/// Folder for REQ contexts instead of `<git dir>/berry`.
pub const BERRY_STATE_DIR: &str = "BERRY_STATE_DIR";
/// `OWNER/REPO` of the GitHub repository, as `--repo`.
pub const BERRY_GITHUB_REPO: &str = "BERRY_GITHUB_REPO";
/// Where the user's configuration is: `$XDG_CONFIG_HOME/berry/config.toml`.
pub const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";
/// The home folder: `~/.config/berry/config.toml` when `XDG_CONFIG_HOME` is unset.
pub const HOME: &str = "HOME";
/// A fixed clock (RFC 3339) for reproducible output; tests set it.
pub const BERRY_NOW: &str = "BERRY_NOW";
/// Pager for long text on a terminal; else `core.pager` from git config, else `PAGER`, else
/// `less`. `cat` or empty disables it.
pub const BERRY_PAGER: &str = "BERRY_PAGER";
/// A `tracing` filter for diagnostics on stderr (e.g. `berry=debug`); wins over `-v`/`-vv`.
pub const BERRY_LOG: &str = "BERRY_LOG";
/// Options of `less`; when unset the pager gets `LESS=FRX`, as git gives it.
pub const LESS: &str = "LESS";
/// Seconds a GitHub API request may take in all before it is a timeout: sets
/// `github.timeout_secs` (default 30).
pub const BERRY_GITHUB_TIMEOUT: &str = "BERRY_GITHUB_TIMEOUT";
/// Seconds a second berry process waits for the REQ lock (default 5).
pub const BERRY_LOCK_TIMEOUT: &str = "BERRY_LOCK_TIMEOUT";
/// Any value disables color (<https://no-color.org>), unless `--color always`.
pub const NO_COLOR: &str = "NO_COLOR";
/// The pager when neither `BERRY_PAGER` nor `core.pager` is set.
pub const PAGER: &str = "PAGER";
/// GitHub token (first choice), sent as `x-access-token` for HTTPS pushes and as a bearer token to the API.
pub const GH_TOKEN: &str = "GH_TOKEN";
/// GitHub token (second choice).
pub const GITHUB_TOKEN: &str = "GITHUB_TOKEN";
/// GitHub Enterprise Server token, used when the API host is not github.com.
pub const GH_ENTERPRISE_TOKEN: &str = "GH_ENTERPRISE_TOKEN";
/// GitHub API base URL; else derived from the remote's host.
pub const GITHUB_API_URL: &str = "GITHUB_API_URL";
/// NATS server URL (default: config `nats.url`, `nats://localhost:4222`); several may be given,
/// comma-separated; `user:password@` or `token@` in it is used when no other credential is set.
pub const NATS_URL: &str = "NATS_URL";
/// NATS user name (with `NATS_PASSWORD`); `NATS_CREDS` wins over both.
pub const NATS_USER: &str = "NATS_USER";
/// NATS password.
pub const NATS_PASSWORD: &str = "NATS_PASSWORD";
/// NATS credentials file.
pub const NATS_CREDS: &str = "NATS_CREDS";
/// The CA bundle https transfers trust (else the system bundle); the file is read only when a
/// transfer is about to connect.
pub const SSL_CERT_FILE: &str = "SSL_CERT_FILE";
/// The SSH command for `ssh://` and `USER@HOST:PATH` remotes, run by the shell, as git runs it
/// (wins over `core.sshCommand` and `GIT_SSH`).
pub const GIT_SSH_COMMAND: &str = "GIT_SSH_COMMAND";
/// The SSH program, run without a shell, when neither `GIT_SSH_COMMAND` nor `core.sshCommand`
/// is set (else `ssh`).
pub const GIT_SSH: &str = "GIT_SSH";
/// Commit author name, as git reads it (wins over `author.name` and `user.name`).
pub const GIT_AUTHOR_NAME: &str = "GIT_AUTHOR_NAME";
/// Commit author address (wins over `author.email` and `user.email`).
pub const GIT_AUTHOR_EMAIL: &str = "GIT_AUTHOR_EMAIL";
/// Commit author date, in any form git accepts (`@secs +hhmm`, ISO 8601, RFC 2822).
pub const GIT_AUTHOR_DATE: &str = "GIT_AUTHOR_DATE";
/// Committer name (wins over `committer.name` and `user.name`).
pub const GIT_COMMITTER_NAME: &str = "GIT_COMMITTER_NAME";
/// Committer address (wins over `committer.email` and `user.email`).
pub const GIT_COMMITTER_EMAIL: &str = "GIT_COMMITTER_EMAIL";
/// Committer date.
pub const GIT_COMMITTER_DATE: &str = "GIT_COMMITTER_DATE";
/// Last resort for the author's and committer's address, as git uses it.
pub const EMAIL: &str = "EMAIL";
/// Editor for the commit message (then `core.editor`, `VISUAL`, `EDITOR`, as `git var GIT_EDITOR`).
pub const GIT_EDITOR: &str = "GIT_EDITOR";
/// Editor when neither `GIT_EDITOR` nor `core.editor` is set.
pub const VISUAL: &str = "VISUAL";
/// Editor when `VISUAL` is unset too.
pub const EDITOR: &str = "EDITOR";
/// The login name: libpq's user when `PGUSER` is unset.
pub const USER: &str = "USER";
/// Standard libpq variables, used when neither `BERRY_DATABASE_URL` nor config names a database.
pub const PG_VARS: [&str; 6] = [
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGDATABASE",
    "PGCONNECT_TIMEOUT",
];

/// Every variable with a line of meaning, for the manual's ENVIRONMENT section.
pub const MANUAL: &[(&str, &str)] = &[
    (BERRY_YES, "1: accept every default, as --yes"),
    (BERRY_CONFIG, "configuration file, as --config"),
    (BERRY_REQ, "the REQ, as --req"),
    (BERRY_COLOR, "auto, always or never, as --color"),
    (
        BERRY_DATABASE_URL,
        "deliverables database; wins over config and the PG* variables",
    ),
    (BERRY_DELIVERABLES, "deliverables folder, as --deliverables"),
    (
        BERRY_STATE_DIR,
        "folder of REQ contexts instead of <git dir>/berry",
    ),
    (BERRY_GITHUB_REPO, "OWNER/REPO, as --repo"),
    (
        XDG_CONFIG_HOME,
        "the user's configuration is $XDG_CONFIG_HOME/berry/config.toml",
    ),
    (
        HOME,
        "the user's configuration is ~/.config/berry/config.toml without XDG_CONFIG_HOME",
    ),
    (
        BERRY_NOW,
        "a fixed clock (RFC 3339), for reproducible output",
    ),
    (
        BERRY_PAGER,
        "pager for long text (else core.pager, PAGER, less); cat or empty: none",
    ),
    (
        BERRY_LOG,
        "diagnostics filter (tracing env-filter syntax); wins over -v",
    ),
    (LESS, "options of less; FRX when unset"),
    (
        BERRY_GITHUB_TIMEOUT,
        "seconds one GitHub API request may take in all; sets github.timeout_secs (default 30)",
    ),
    (
        BERRY_LOCK_TIMEOUT,
        "seconds to wait for another berry holding the REQ (default 5)",
    ),
    (NO_COLOR, "disables color unless --color always"),
    (
        PAGER,
        "the pager when neither BERRY_PAGER nor core.pager is set",
    ),
    (GH_TOKEN, "GitHub token (first choice)"),
    (GITHUB_TOKEN, "GitHub token (second choice)"),
    (
        GH_ENTERPRISE_TOKEN,
        "token for a GitHub Enterprise Server API",
    ),
    (GITHUB_API_URL, "GitHub API base URL"),
    (
        NATS_URL,
        "NATS servers, comma-separated; wins over nats.url",
    ),
    (NATS_USER, "NATS user (with NATS_PASSWORD)"),
    (NATS_PASSWORD, "NATS password"),
    (
        NATS_CREDS,
        "NATS credentials file (wins over user and password)",
    ),
    (
        SSL_CERT_FILE,
        "CA bundle for HTTPS pushes (else the system bundle)",
    ),
    (
        GIT_SSH_COMMAND,
        "SSH command for ssh remotes, run by the shell (then core.sshCommand, GIT_SSH, ssh)",
    ),
    (
        GIT_SSH,
        "SSH program for ssh remotes when no SSH command is set",
    ),
    (GIT_AUTHOR_NAME, "commit author name, as git reads it"),
    (GIT_AUTHOR_EMAIL, "commit author address"),
    (GIT_AUTHOR_DATE, "commit author date"),
    (GIT_COMMITTER_NAME, "committer name"),
    (GIT_COMMITTER_EMAIL, "committer address"),
    (GIT_COMMITTER_DATE, "committer date"),
    (
        EMAIL,
        "last resort for the author's and committer's address",
    ),
    (
        GIT_EDITOR,
        "message editor (then core.editor, VISUAL, EDITOR)",
    ),
    (VISUAL, "editor when GIT_EDITOR and core.editor are unset"),
    (EDITOR, "editor when VISUAL is unset too"),
    (
        "PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGCONNECT_TIMEOUT",
        "libpq's, when neither BERRY_DATABASE_URL nor config names a database",
    ),
    (
        USER,
        "the database user when PGUSER is unset, as libpq takes it",
    ),
];

/// The variables that hold berry's own credentials. Their values are masked wherever they would
/// appear, and they are left out of the environment of every command berry runs for the
/// repository, test commands and command health checks alike (unless `test.pass_env` names them:
/// [`withheld`]).
pub const CREDENTIALS: [&str; 9] = [
    GH_TOKEN,
    GITHUB_TOKEN,
    GH_ENTERPRISE_TOKEN,
    BERRY_DATABASE_URL,
    NATS_URL,
    NATS_USER,
    NATS_PASSWORD,
    NATS_CREDS,
    "PGPASSWORD",
];

/// The variables removed from the environment of a command berry runs for the repository (a test
/// command, a command health check): every one of [`CREDENTIALS`] that `pass_env` does not name.
pub fn withheld(pass_env: &[String]) -> Vec<String> {
    CREDENTIALS
        .iter()
        .filter(|n| !pass_env.iter().any(|p| p == *n))
        .map(|n| n.to_string())
        .collect()
}

/// The secret values among berry's credentials: the tokens and passwords themselves, and the
/// password (or token) of every URL among them (`scheme://user:password@host`).
pub fn credential_values() -> Vec<String> {
    let mut out = Vec::new();
    for name in CREDENTIALS {
        let Some(v) = var(name) else { continue };
        match name {
            BERRY_DATABASE_URL => out.extend(crate::secrets::url_secrets(&v, false)),
            NATS_URL => out.extend(crate::secrets::url_secrets(&v, true)),
            NATS_USER | NATS_CREDS => {}
            _ => out.push(v),
        }
    }
    out
}

/// libpq's variables and `USER`, read once for the resolved configuration.
pub fn libpq() -> crate::config::Libpq {
    use crate::config::Hidden;
    crate::config::Libpq {
        host: var("PGHOST"),
        port: var("PGPORT"),
        user: var("PGUSER"),
        password: var("PGPASSWORD").map(Hidden),
        dbname: var("PGDATABASE"),
        connect_timeout: var("PGCONNECT_TIMEOUT"),
        login: var(USER),
    }
}

/// `NATS_CREDS`, `NATS_USER`, `NATS_PASSWORD`, read once for the resolved configuration.
pub fn nats_auth() -> crate::config::NatsAuth {
    crate::config::NatsAuth {
        creds: var(NATS_CREDS),
        user: var(NATS_USER),
        password: var(NATS_PASSWORD).map(crate::config::Hidden),
    }
}

/// The GitHub tokens that are set, in the order they are looked at.
pub fn tokens() -> crate::config::Tokens {
    crate::config::Tokens(
        [GH_ENTERPRISE_TOKEN, GH_TOKEN, GITHUB_TOKEN]
            .into_iter()
            .filter_map(|n| var(n).map(|v| (n, crate::config::Hidden(v))))
            .collect(),
    )
}

/// `BERRY_STATE_DIR`.
pub fn state_dir() -> Option<std::path::PathBuf> {
    var(BERRY_STATE_DIR).map(std::path::PathBuf::from)
}

/// `BERRY_LOCK_TIMEOUT` in seconds (fractions allowed); `None` when unset or not a number.
pub fn lock_wait() -> Option<std::time::Duration> {
    var(BERRY_LOCK_TIMEOUT)
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite())
        .map(|s| std::time::Duration::from_secs_f64(s.max(0.0)))
}

/// The value of `name`, or `None` when unset or empty.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The value of `name` when it is set, also when empty (an empty pager means none).
pub fn var_set(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// `true` for `1`, `true`, `yes`, `on` (any case).
pub fn flag(name: &str) -> bool {
    var(name)
        .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
}

fn cwd_join(p: &Path) -> PathBuf {
    std::env::current_dir()
        .map(|c| c.join(p))
        .unwrap_or_else(|_| p.to_path_buf())
}

/// The layers around the repository's: the user's file, the environment variables that stand
/// for a key, and `--deliverables` (`deliverables`). Read here, at the edge, once per command;
/// `settings` and the work modules get the values.
pub fn outer_layers(deliverables: Option<&Path>) -> anyhow::Result<crate::settings::Outer> {
    use crate::settings::Origin;
    let mut outer = crate::settings::Outer {
        runtime: crate::settings::Runtime {
            libpq: libpq(),
            nats_auth: nats_auth(),
            tokens: tokens(),
            ca_file: var(SSL_CERT_FILE).map(PathBuf::from),
        },
        state_dir: state_dir(),
        lock_wait: lock_wait(),
        ..Default::default()
    };
    let dir = var(XDG_CONFIG_HOME)
        .filter(|d| Path::new(d).is_absolute())
        .map(PathBuf::from)
        .or_else(|| var(HOME).map(|h| Path::new(&h).join(".config")));
    if let Some(dir) = dir {
        let path = dir.join("berry").join("config.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => outer.user = Some((path, text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(crate::error::BerryError::config(format!(
                    "cannot read configuration file {}: {e}",
                    path.display()
                ))
                .into());
            }
        }
    }
    for (name, key) in crate::settings::ENV_KEYS {
        if let Some(v) = var(name) {
            outer.values.push((Origin::Env(name), key, v));
        }
    }
    if let Some(dir) = deliverables {
        let dir = if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            cwd_join(dir)
        };
        let from_env = var(BERRY_DELIVERABLES).is_some();
        let origin = if from_env {
            Origin::Env(BERRY_DELIVERABLES)
        } else {
            Origin::Flag("--deliverables")
        };
        outer
            .values
            .push((origin, "deliverables.dir", dir.display().to_string()));
    }
    Ok(outer)
}

#[cfg(test)]
mod tests {
    /// Only the edge reads the environment: the command line (`cli.rs`, `main.rs`, `commands/`,
    /// the completion engine `complete.rs`) and this module. The modules listed in `LEFT` still
    /// read a variable of their own, each for the reason given; any other module that calls
    /// `std::env::var` or one of this module's readers fails here.
    #[test]
    fn only_the_edge_reads_the_environment() {
        const EDGE: [&str; 5] = [
            "cli.rs",
            "main.rs",
            "commands/",
            "complete.rs",
            "env_vars.rs",
        ];
        const LEFT: [(&str, &str); 4] = [
            (
                "printer.rs",
                "NO_COLOR and BERRY_YES: the terminal's own conventions",
            ),
            (
                "clock.rs",
                "BERRY_NOW: the fixed clock of reproducible runs",
            ),
            (
                "commit.rs",
                "GIT_AUTHOR_*, GIT_COMMITTER_*, EMAIL, the editor: read as git reads them",
            ),
            ("fault.rs", "BERRY_FAULT: fault-injection builds only"),
        ];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![root.clone()];
        let mut offenders = Vec::new();
        let reads = regex::Regex::new(
            r"std::env::var|env::var_os|env::vars|env_vars::(var|var_set|flag|libpq|nats_auth|tokens|state_dir|lock_wait|credential_values)\(",
        )
        .unwrap();
        while let Some(p) = files.pop() {
            if p.is_dir() {
                files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let rel = p.strip_prefix(&root).unwrap().to_string_lossy().to_string();
            if !rel.ends_with(".rs")
                || rel.ends_with("tests.rs")
                || EDGE.iter().any(|e| rel.starts_with(e))
                || LEFT.iter().any(|(f, _)| rel == *f)
            {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            if let Some(m) = reads.find(code) {
                offenders.push(format!("{rel}: {}", m.as_str()));
            }
        }
        assert!(
            offenders.is_empty(),
            "work modules read the environment: {offenders:?}; read it in the command layer and pass the value in"
        );
    }

    #[test]
    fn credential_values_take_passwords_not_user_names() {
        // SAFETY: only this test sets these names in the unit-test binary.
        unsafe {
            std::env::set_var(
                super::BERRY_DATABASE_URL,
                "postgres://postgres@127.0.0.1/db",
            );
            std::env::set_var(
                super::NATS_URL,
                "nats://tok3n-value@h:4222, nats://u:pw-secret@h2",
            );
        }
        let v = super::credential_values();
        assert!(!v.contains(&"postgres".to_string()), "{v:?}");
        assert!(v.contains(&"tok3n-value".to_string()), "{v:?}");
        assert!(v.contains(&"pw-secret".to_string()), "{v:?}");
        unsafe {
            std::env::set_var(super::BERRY_DATABASE_URL, "postgres://app:db-pass-1@db/app");
        }
        assert!(super::credential_values().contains(&"db-pass-1".to_string()));
    }
}
