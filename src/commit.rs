//! Committing exactly what was reviewed, as `git commit --only <paths>` would: the reviewed files
//! are hashed (in parallel) and written as blobs, a commit index is built from HEAD's tree plus
//! exactly those files (or from the whole index when the operator includes what someone else
//! staged), the repository's hooks run against it as git runs them, and the commit is made on
//! the current branch with a compare-and-swap of the branch ref.
//!
//! Nothing here prints; the command decides what to show and ask.

use std::collections::{HashMap, HashSet};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use anyhow::{Context as _, Result};
use git2::{Index, IndexEntry, IndexTime, ObjectType, Oid, Repository};

use crate::context::{Evidence, ReviewRecord, ReviewedFile};
use crate::env_vars;
use crate::error::BerryError;

/// One path the commit sets: its state at review time and now.
pub struct Target {
    pub path: String,
    /// The blob recorded by review; `None` means the path was reviewed as absent (a deletion, or
    /// the old side of a rename).
    pub expected: Option<Oid>,
    pub current: Current,
}

pub enum Current {
    /// A file or symlink, hashed (and written as a blob unless hashing only).
    File(Box<IndexEntry>),
    Absent,
    /// A directory or something else git does not store as a blob.
    NotAFile,
}

impl Target {
    pub fn current_blob(&self) -> Option<Oid> {
        match &self.current {
            Current::File(e) => Some(e.id),
            _ => None,
        }
    }
    /// The content differs from what was reviewed.
    pub fn changed(&self) -> bool {
        self.current_blob() != self.expected
    }
}

/// The paths a review record sets, each with its reviewed state.
pub fn reviewed_paths(review: &ReviewRecord) -> Result<Vec<(String, Option<Oid>)>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for f in &review.files {
        let blob = match &f.blob {
            Some(b) => {
                Some(Oid::from_str(b).with_context(|| format!("bad blob id {b} for {}", f.path))?)
            }
            None => None,
        };
        if seen.insert(f.path.clone()) {
            out.push((f.path.clone(), blob));
        }
        if let Some(old) = &f.old_path
            && seen.insert(old.clone())
        {
            out.push((old.clone(), None));
        }
    }
    Ok(out)
}

/// Hashes every path's working-tree content, in parallel; with `write`, stores each as a blob.
/// `filemode` is `core.fileMode`; when false, `mode_of` gives the mode already recorded.
pub fn scan(
    repo: &Repository,
    root: &Path,
    paths: Vec<(String, Option<Oid>)>,
    write: bool,
) -> Result<Vec<Target>> {
    let git_dir = repo.path().to_path_buf();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let threads = if paths.len() < 64 { 1 } else { threads };
    let chunk = paths.len().div_ceil(threads).max(1);
    let results: Vec<Result<Vec<Target>>> = std::thread::scope(|s| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| {
                let git_dir = &git_dir;
                s.spawn(move || -> Result<Vec<Target>> {
                    let repo = Repository::open(git_dir)?;
                    let odb = repo.odb()?;
                    part.iter()
                        .map(|(path, expected)| {
                            Ok(Target {
                                path: path.clone(),
                                expected: *expected,
                                current: read_one(&odb, root, path, write)?,
                            })
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a hashing thread panicked")))
            })
            .collect()
    });
    let mut out = Vec::with_capacity(paths.len());
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}

fn read_one(odb: &git2::Odb<'_>, root: &Path, path: &str, write: bool) -> Result<Current> {
    let full = root.join(path);
    let meta = match std::fs::symlink_metadata(&full) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Current::Absent),
        Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => return Ok(Current::Absent),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", full.display())),
    };
    let (data, mode) = if meta.file_type().is_symlink() {
        use std::os::unix::ffi::OsStrExt;
        let target = std::fs::read_link(&full)?;
        (target.as_os_str().as_bytes().to_vec(), 0o120000)
    } else if meta.is_file() {
        let data =
            std::fs::read(&full).with_context(|| format!("cannot read {}", full.display()))?;
        let exec = meta.permissions().mode() & 0o111 != 0;
        (data, if exec { 0o100755 } else { 0o100644 })
    } else {
        return Ok(Current::NotAFile);
    };
    let id = if write {
        odb.write(ObjectType::Blob, &data)
            .with_context(|| format!("cannot store {path}"))?
    } else {
        Oid::hash_object(ObjectType::Blob, &data)?
    };
    Ok(Current::File(Box::new(IndexEntry {
        ctime: IndexTime::new(meta.ctime() as i32, meta.ctime_nsec() as u32),
        mtime: IndexTime::new(meta.mtime() as i32, meta.mtime_nsec() as u32),
        dev: meta.dev() as u32,
        ino: meta.ino() as u32,
        mode,
        uid: meta.uid(),
        gid: meta.gid(),
        file_size: meta.len() as u32,
        id,
        flags: path.len().min(0xfff) as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    })))
}

/// With `core.fileMode` false, git keeps the executable bit it already recorded.
pub fn keep_recorded_modes(repo: &Repository, index: &Index, targets: &mut [Target]) -> Result<()> {
    let filemode = repo
        .config()
        .and_then(|c| c.get_bool("core.fileMode"))
        .unwrap_or(true);
    if filemode {
        return Ok(());
    }
    for t in targets {
        if let Current::File(e) = &mut t.current
            && e.mode != 0o120000
        {
            e.mode = index
                .get_path(Path::new(&t.path), 0)
                .map(|old| old.mode)
                .filter(|m| *m == 0o100755 || *m == 0o100644)
                .unwrap_or(0o100644);
        }
    }
    Ok(())
}

/// Paths whose index entry differs from HEAD and that the review does not cover: staged by
/// someone else. Each with git's status letter.
pub fn prestaged(
    repo: &Repository,
    index: &Index,
    covered: &HashSet<&str>,
) -> Result<Vec<(char, String)>> {
    let head_tree = crate::git::head_commit(repo)?
        .map(|c| c.tree())
        .transpose()?;
    let diff = repo
        .diff_tree_to_index(head_tree.as_ref(), Some(index), None)
        .context("cannot compare the index with HEAD")?;
    let mut out = Vec::new();
    for d in diff.deltas() {
        let path = d
            .new_file()
            .path()
            .or(d.old_file().path())
            .and_then(|p| p.to_str())
            .unwrap_or_default()
            .to_string();
        if covered.contains(path.as_str()) {
            continue;
        }
        let letter = match d.status() {
            git2::Delta::Added => 'A',
            git2::Delta::Deleted => 'D',
            git2::Delta::Renamed => 'R',
            git2::Delta::Typechange => 'T',
            git2::Delta::Conflicted => 'U',
            _ => 'M',
        };
        out.push((letter, path));
    }
    Ok(out)
}

/// Where the commit goes.
#[derive(Debug, Clone)]
pub struct Branch {
    /// `main`.
    pub name: String,
    /// `refs/heads/main`.
    pub refname: String,
    /// The branch's commit; `None` on an unborn branch.
    pub head: Option<Oid>,
}

/// The current branch, refusing a detached HEAD and a repository in the middle of something.
pub fn branch(repo: &Repository) -> Result<Branch> {
    if let Some(what) = crate::git::in_progress(repo) {
        return Err(BerryError::failure(format!(
            "the repository is in the middle of {what}: berry will not commit into it"
        ))
        .with_hint(format!(
            "finish or abort {what} first (`git status` says how), then run `berry commit` again"
        ))
        .into());
    }
    if repo.head_detached().unwrap_or(false) {
        return Err(BerryError::failure("HEAD is detached: there is no branch to commit on")
            .with_hint("check out the branch the work belongs to (`git switch BRANCH`), then run `berry commit` again")
            .into());
    }
    let head_ref = repo.find_reference("HEAD").context("cannot read HEAD")?;
    let refname = head_ref
        .symbolic_target()
        .ok()
        .flatten()
        .ok_or_else(|| anyhow::anyhow!("HEAD is neither a branch nor detached"))?
        .to_string();
    let name = refname
        .strip_prefix("refs/heads/")
        .unwrap_or(&refname)
        .to_string();
    let head = crate::git::head_commit(repo)?.map(|c| c.id());
    Ok(Branch {
        name,
        refname,
        head,
    })
}

/// The index the commit is made from, in a file of its own (hooks see it as `GIT_INDEX_FILE`);
/// removed when dropped.
pub struct CommitIndex {
    pub path: PathBuf,
    pub index: Index,
}

impl Drop for CommitIndex {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// HEAD's tree (or, with `from_index`, a copy of the current index with its stat cache) plus
/// exactly `targets`.
pub fn build_commit_index(
    repo: &Repository,
    from_index: bool,
    targets: &[Target],
) -> Result<CommitIndex> {
    let path = repo
        .path()
        .join(format!("berry-next-index-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    if from_index {
        let real = repo.path().join("index");
        if real.exists() {
            std::fs::copy(&real, &path).context("cannot copy the index")?;
        }
    }
    let built = (|| -> Result<Index> {
        let mut index = Index::open(&path).context("cannot create the commit index")?;
        if !from_index && let Some(head) = crate::git::head_commit(repo)? {
            index.read_tree(&head.tree()?)?;
        }
        apply(&mut index, targets)?;
        index.write().context("cannot write the commit index")?;
        Ok(index)
    })();
    match built {
        Ok(index) => Ok(CommitIndex { path, index }),
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            Err(e)
        }
    }
}

/// Sets every target in `index`: removals first, then additions (a file may replace a folder).
pub fn apply(index: &mut Index, targets: &[Target]) -> Result<()> {
    for t in targets {
        if !matches!(t.current, Current::File(_)) {
            index
                .remove_path(Path::new(&t.path))
                .with_context(|| format!("cannot unstage {}", t.path))?;
            // A folder that replaced the path: its files are not part of the review.
            let _ = index.remove_dir(Path::new(&t.path), 0);
        }
    }
    for t in targets {
        if let Current::File(e) = &t.current {
            index
                .add(e)
                .with_context(|| format!("cannot stage {}", t.path))?;
        }
    }
    Ok(())
}

/// Someone's identity as git would use it for a commit.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub email: String,
    /// Seconds since the epoch.
    pub seconds: i64,
    /// Offset from UTC in minutes.
    pub offset_minutes: i32,
}

impl Ident {
    pub fn signature(&self) -> Result<git2::Signature<'static>> {
        git2::Signature::new(
            &self.name,
            &self.email,
            &git2::Time::new(self.seconds, self.offset_minutes),
        )
        .context("invalid identity")
    }
    /// `@<seconds> +hhmm`, as git exports `GIT_AUTHOR_DATE` to hooks.
    pub fn git_date(&self) -> String {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let m = self.offset_minutes.abs();
        format!("@{} {sign}{:02}{:02}", self.seconds, m / 60, m % 60)
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Role {
    Author,
    Committer,
}

/// `GIT_AUTHOR_*` / `GIT_COMMITTER_*`, else `author.*` / `committer.*`, else `user.*` (and
/// `EMAIL`), as git resolves them; the date from `GIT_*_DATE` or now.
pub fn ident(repo: &Repository, role: Role) -> Result<Ident> {
    let (who, env_name, env_email, env_date) = match role {
        Role::Author => (
            "author",
            env_vars::GIT_AUTHOR_NAME,
            env_vars::GIT_AUTHOR_EMAIL,
            env_vars::GIT_AUTHOR_DATE,
        ),
        Role::Committer => (
            "committer",
            env_vars::GIT_COMMITTER_NAME,
            env_vars::GIT_COMMITTER_EMAIL,
            env_vars::GIT_COMMITTER_DATE,
        ),
    };
    let config = repo.config().context("cannot read git config")?;
    let conf = |k: &str| config.get_string(k).ok().filter(|s| !s.trim().is_empty());
    let name = env_vars::var(env_name)
        .or_else(|| conf(&format!("{who}.name")))
        .or_else(|| conf("user.name"));
    let email = env_vars::var(env_email)
        .or_else(|| conf(&format!("{who}.email")))
        .or_else(|| conf("user.email"))
        .or_else(|| env_vars::var(env_vars::EMAIL));
    let (Some(name), Some(email)) = (name, email) else {
        return Err(BerryError::failure(format!(
            "{who} identity unknown: git config has no user.name or user.email"
        ))
        .with_hint(
            "set them: git config user.name \"Your Name\"; git config user.email you@example.com",
        )
        .into());
    };
    let (seconds, offset_minutes) = match env_vars::var(env_date) {
        Some(d) => parse_git_date(&d).ok_or_else(|| {
            BerryError::usage(format!("{env_date}={d:?} is not a date git understands"))
        })?,
        None => {
            let now = crate::clock::now()?;
            let offset = jiff::tz::TimeZone::system().to_offset(now);
            (now.as_second(), offset.seconds() / 60)
        }
    };
    Ok(Ident {
        name,
        email,
        seconds,
        offset_minutes,
    })
}

/// The date forms git accepts in `GIT_AUTHOR_DATE`: `@<secs> <tz>`, `<secs> <tz>`, ISO 8601
/// (with `T` or a space) and RFC 2822. Returns seconds and offset in minutes.
pub fn parse_git_date(s: &str) -> Option<(i64, i32)> {
    let s = s.trim();
    let tz = |t: &str| -> Option<i32> {
        if t == "Z" || t == "z" {
            return Some(0);
        }
        let (sign, rest) = match t.as_bytes().first()? {
            b'+' => (1, &t[1..]),
            b'-' => (-1, &t[1..]),
            _ => return None,
        };
        let digits: String = rest.chars().filter(|c| *c != ':').collect();
        if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let h: i32 = digits[..2].parse().ok()?;
        let m: i32 = digits[2..].parse().ok()?;
        Some(sign * (h * 60 + m))
    };
    // Raw: `@1767614400 +0000`, `1767614400 +0000`, `@1767614400`.
    let raw = s.strip_prefix('@').unwrap_or(s);
    let mut parts = raw.split_whitespace();
    if let Some(first) = parts.next()
        && let Ok(secs) = first.parse::<i64>()
        && (s.starts_with('@') || first.len() >= 9)
    {
        let off = match parts.next() {
            Some(t) => tz(t)?,
            None => 0,
        };
        return Some((secs, off));
    }
    // ISO 8601.
    let re = regex::Regex::new(
        r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?)\s*(Z|z|[+-]\d{2}:?\d{2})?$",
    )
    .ok()?;
    if let Some(c) = re.captures(s) {
        let off = c.get(3).map(|m| tz(m.as_str())).unwrap_or(Some(0))?;
        let dt: jiff::civil::DateTime = format!("{}T{}", &c[1], &c[2]).parse().ok()?;
        let offset = jiff::tz::Offset::from_seconds(off * 60).ok()?;
        let ts = offset.to_timestamp(dt).ok()?;
        return Some((ts.as_second(), off));
    }
    // RFC 2822.
    let z = jiff::fmt::rfc2822::parse(s).ok()?;
    Some((z.timestamp().as_second(), z.offset().seconds() / 60))
}

/// The hooks folder: `core.hooksPath` (relative to the work tree root, as husky sets it), else
/// the repository's `hooks`.
pub fn hooks_dir(repo: &Repository, root: &Path) -> PathBuf {
    let configured = repo
        .config()
        .ok()
        .and_then(|c| c.get_path("core.hooksPath").ok());
    match configured {
        Some(p) if p.is_absolute() => p,
        Some(p) => root.join(p),
        None => repo.commondir().join("hooks"),
    }
}

/// What a hook run tells.
pub enum Hook {
    /// No such hook (or not executable, which git ignores too).
    Absent,
    Ran(ExitStatus),
}

/// The environment git gives commit hooks.
#[derive(Debug, Clone)]
pub struct HookEnv {
    pub index_file: PathBuf,
    pub author: Ident,
    /// No editor will be launched: `GIT_EDITOR=:`.
    pub no_editor: bool,
    /// The directory berry was started in, relative to the root (`GIT_PREFIX`).
    pub prefix: String,
}

/// Runs `name` from `dir` in the work tree root, with stdin closed and its output (stdout too,
/// as git does) on berry's stderr.
pub fn run_hook(dir: &Path, root: &Path, name: &str, args: &[&str], env: &HookEnv) -> Result<Hook> {
    let path = dir.join(name);
    let Ok(meta) = std::fs::metadata(&path) else {
        return Ok(Hook::Absent);
    };
    if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
        return Ok(Hook::Absent);
    }
    let mut cmd = Command::new(&path);
    cmd.args(args)
        .current_dir(root)
        .env("GIT_INDEX_FILE", &env.index_file)
        .env("GIT_AUTHOR_NAME", &env.author.name)
        .env("GIT_AUTHOR_EMAIL", &env.author.email)
        .env("GIT_AUTHOR_DATE", env.author.git_date())
        .env("GIT_PREFIX", &env.prefix)
        .stdin(Stdio::null())
        .stdout(stderr_handle())
        .stderr(Stdio::inherit());
    if env.no_editor {
        cmd.env("GIT_EDITOR", ":");
    }
    let status = cmd
        .status()
        .with_context(|| format!("cannot run the {name} hook {}", path.display()))?;
    Ok(Hook::Ran(status))
}

fn stderr_handle() -> Stdio {
    use std::os::fd::AsFd;
    match std::io::stderr().as_fd().try_clone_to_owned() {
        Ok(fd) => Stdio::from(fd),
        Err(_) => Stdio::inherit(),
    }
}

/// The editor git would launch (`git var GIT_EDITOR`: `GIT_EDITOR`, `core.editor`, `VISUAL`,
/// `EDITOR`, then `vi`).
pub fn editor(root: &Path) -> String {
    let out = Command::new("git")
        .args(["var", "GIT_EDITOR"])
        .current_dir(root)
        .stderr(Stdio::null())
        .output();
    if let Ok(o) = out
        && o.status.success()
    {
        let e = String::from_utf8_lossy(&o.stdout).trim().to_string();
        if !e.is_empty() {
            return e;
        }
    }
    env_vars::var(env_vars::GIT_EDITOR)
        .or_else(|| env_vars::var(env_vars::VISUAL))
        .or_else(|| env_vars::var(env_vars::EDITOR))
        .unwrap_or_else(|| "vi".into())
}

/// Runs the editor on `file` as git does (through the shell, so `code --wait` works). The editor
/// owns the terminal while it runs: Ctrl-C is its key, not berry's.
pub fn edit(editor: &str, file: &Path, root: &Path) -> Result<()> {
    if editor == ":" {
        return Ok(());
    }
    // As git: a plain program name is run directly (so Ctrl-C reaches the editor, not a shell
    // in between); anything else through `sh -c`.
    const SHELL_CHARS: &[char] = &[
        '|', '&', ';', '<', '>', '(', ')', '$', '`', '\\', '"', '\'', ' ', '\t', '\n', '*', '?',
        '[', '#', '~', '=', '%',
    ];
    let mut cmd = if editor.contains(SHELL_CHARS) {
        let mut c = Command::new("sh");
        c.arg("-c").arg(format!("{editor} \"$@\"")).arg(editor);
        c
    } else {
        Command::new(editor)
    };
    let status = crate::signals::run_owning_terminal(cmd.arg(file).current_dir(root))
        .with_context(|| format!("cannot start the editor `{editor}`"))?;
    if crate::signals::take_received().is_some() {
        return Err(BerryError::new(
            crate::error::Exit::Interrupted,
            "interrupted while the editor ran; nothing was committed",
        )
        .into());
    }
    if !status.success() {
        return Err(BerryError::failure(format!(
            "the editor `{editor}` exited with {status}; nothing was committed"
        ))
        .into());
    }
    Ok(())
}

/// The figures git prints after a commit, and the paths it touched.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Stat {
    pub files_changed: usize,
    pub insertions: usize,
    pub deletions: usize,
    pub files: Vec<String>,
}

/// Compares `new` with `old`; a reviewed file committed as reviewed keeps review's counts (a
/// rename counts once, against its old content), anything else is diffed here.
pub fn stat(
    repo: &Repository,
    old: Option<&git2::Tree<'_>>,
    new: &git2::Tree<'_>,
    review: Option<&ReviewRecord>,
) -> Result<Stat> {
    let diff = repo
        .diff_tree_to_tree(old, Some(new), None)
        .context("cannot compare the commit with its parent")?;
    let by_path: HashMap<&str, &ReviewedFile> = review
        .map(|r| r.files.iter().map(|f| (f.path.as_str(), f)).collect())
        .unwrap_or_default();
    let mut changed_paths: HashSet<String> = HashSet::new();
    let mut deltas = Vec::new();
    for d in diff.deltas() {
        let path = d
            .new_file()
            .path()
            .or(d.old_file().path())
            .and_then(|p| p.to_str())
            .unwrap_or_default()
            .to_string();
        changed_paths.insert(path.clone());
        deltas.push((path, d.old_file().id(), d.new_file().id()));
    }
    // Old sides of renames whose new side is in this commit: counted with the new side.
    let rename_olds: HashSet<&str> = by_path
        .values()
        .filter(|f| changed_paths.contains(&f.path))
        .filter_map(|f| f.old_path.as_deref())
        .collect();
    let mut s = Stat::default();
    for (path, old_id, new_id) in deltas {
        s.files.push(path.clone());
        if rename_olds.contains(path.as_str()) {
            continue;
        }
        s.files_changed += 1;
        let reviewed = by_path.get(path.as_str());
        let new_blob = Some(new_id).filter(|i| !i.is_zero());
        if let Some(f) = reviewed
            && f.blob.as_deref() == new_blob.map(|b| b.to_string()).as_deref()
        {
            s.insertions += f.insertions;
            s.deletions += f.deletions;
            continue;
        }
        let old_blob = match reviewed.and_then(|f| f.old_path.as_deref()) {
            Some(op) => old
                .and_then(|t| t.get_path(Path::new(op)).ok())
                .map(|e| e.id()),
            None => Some(old_id).filter(|i| !i.is_zero()),
        };
        let a = crate::git::blob_bytes(repo, old_blob)?;
        let b = crate::git::blob_bytes(repo, new_blob)?;
        let fd = crate::diffview::compute(&a, &b);
        s.insertions += fd.insertions;
        s.deletions += fd.deletions;
    }
    Ok(s)
}

/// HEAD, when it is a commit berry made for `req` on this evidence (carries `Berry-Req` and the
/// same `QA-Evidence`) but the context does not know it: a run stopped between the commit and
/// its record.
pub fn unrecorded_commit(repo: &Repository, req: &str, evidence: &Evidence) -> Result<Option<Oid>> {
    let Some(head) = crate::git::head_commit(repo)? else {
        return Ok(None);
    };
    let Some(qa) = &evidence.qa else {
        return Ok(None);
    };
    let msg = head.message_raw().unwrap_or_default();
    let Ok(trailers) = git2::message_trailers_strs(msg) else {
        return Ok(None);
    };
    let want = format!("{} {}", qa.row_id, qa.sha256);
    let mut has_req = false;
    let mut has_ev = false;
    for (k, v) in trailers.iter() {
        if k.eq_ignore_ascii_case("Berry-Req") && v.trim() == req {
            has_req = true;
        }
        if k.eq_ignore_ascii_case("QA-Evidence") && v.trim() == want {
            has_ev = true;
        }
    }
    Ok((has_req && has_ev).then(|| head.id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_date_forms() {
        assert_eq!(parse_git_date("@1767614400 +0000"), Some((1767614400, 0)));
        assert_eq!(parse_git_date("1767614400 -0130"), Some((1767614400, -90)));
        assert_eq!(
            parse_git_date("2026-01-05T12:00:00Z"),
            Some((1767614400, 0))
        );
        assert_eq!(
            parse_git_date("2026-01-05 14:00:00 +02:00"),
            Some((1767614400, 120))
        );
        assert_eq!(
            parse_git_date("Mon, 05 Jan 2026 12:00:00 +0000"),
            Some((1767614400, 0))
        );
        assert_eq!(parse_git_date("yesterday-ish"), None);
        let i = Ident {
            name: "a".into(),
            email: "b".into(),
            seconds: 1767614400,
            offset_minutes: -90,
        };
        assert_eq!(i.git_date(), "@1767614400 -0130");
    }
}
