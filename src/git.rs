//! The repository as berry sees it: where it is, and what changed since HEAD (index and working
//! tree together, untracked files included, renames found).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use git2::{Delta, DiffFindOptions, DiffOptions, ObjectType, Oid, Repository, RepositoryState};

use crate::error::BerryError;

/// Opens the repository at or above `dir` (or the current directory).
pub fn open(dir: Option<&Path>) -> Result<Repository> {
    let start = match dir {
        Some(d) => d.to_path_buf(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    Repository::discover(&start).map_err(|e| {
        if e.code() == git2::ErrorCode::Owner {
            // git refuses a repository another user owns (a planted `.git` could run hooks and
            // filters as us); the operator decides whether to trust it.
            return BerryError::usage(format!(
                "{} is a git repository owned by another user, and git does not trust it",
                start.display()
            ))
            .with_hint({
                let start = start.canonicalize().unwrap_or_else(|_| start.clone());
                let top = start
                    .ancestors()
                    .find(|a| a.join(".git").exists())
                    .unwrap_or(&start);
                format!(
                    "if you trust it: git config --global --add safe.directory {}",
                    top.display()
                )
            })
            .into();
        }
        BerryError::usage(format!(
            "{} is not inside a git repository ({})",
            start.display(),
            e.message()
        ))
        .with_hint("run berry inside the repository, or pass -C DIR")
        .into()
    })
}

/// The working tree's root (refuses bare repositories).
pub fn workdir(repo: &Repository) -> Result<PathBuf> {
    repo.workdir().map(Path::to_path_buf).ok_or_else(|| {
        BerryError::usage("the repository is bare: berry needs a working tree").into()
    })
}

/// `None` when HEAD is unborn.
pub fn head_commit(repo: &Repository) -> Result<Option<git2::Commit<'_>>> {
    match repo.head() {
        Ok(h) => Ok(Some(
            h.peel_to_commit()
                .context("HEAD does not point at a commit")?,
        )),
        Err(e)
            if e.code() == git2::ErrorCode::UnbornBranch
                || e.code() == git2::ErrorCode::NotFound =>
        {
            Ok(None)
        }
        Err(e) => Err(e).context("cannot read HEAD"),
    }
}

/// The branch HEAD is on (also when unborn); `None` when detached.
pub fn branch_name(repo: &Repository) -> Option<String> {
    let head = repo.find_reference("HEAD").ok()?;
    let target = head.symbolic_target().ok().flatten()?;
    Some(
        target
            .strip_prefix("refs/heads/")
            .unwrap_or(target)
            .to_string(),
    )
}

/// A plain word for a repository caught in the middle of something, or `None`.
pub fn in_progress(repo: &Repository) -> Option<&'static str> {
    match repo.state() {
        RepositoryState::Clean => None,
        RepositoryState::Merge => Some("a merge"),
        RepositoryState::Revert | RepositoryState::RevertSequence => Some("a revert"),
        RepositoryState::CherryPick | RepositoryState::CherryPickSequence => Some("a cherry-pick"),
        RepositoryState::Bisect => Some("a bisect"),
        RepositoryState::Rebase
        | RepositoryState::RebaseInteractive
        | RepositoryState::RebaseMerge => Some("a rebase"),
        RepositoryState::ApplyMailbox | RepositoryState::ApplyMailboxOrRebase => Some("git am"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
    Renamed,
    Typechange,
    Conflicted,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Modified => "modified",
            ChangeKind::Deleted => "deleted",
            ChangeKind::Renamed => "renamed",
            ChangeKind::Typechange => "typechange",
            ChangeKind::Conflicted => "conflicted",
        }
    }
    /// One letter, as `git status --short` shows it.
    pub fn letter(self) -> char {
        match self {
            ChangeKind::Added => 'A',
            ChangeKind::Modified => 'M',
            ChangeKind::Deleted => 'D',
            ChangeKind::Renamed => 'R',
            ChangeKind::Typechange => 'T',
            ChangeKind::Conflicted => 'U',
        }
    }
}

/// What a path holds on one side of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Entry {
    /// A regular file (executable or not).
    File,
    Symlink,
    /// A submodule pointer: a commit id, not content of this repository.
    Gitlink,
    /// A directory git reports as one entry (a nested repository that is not a submodule).
    Directory,
}

impl Entry {
    fn of(mode: git2::FileMode) -> Option<Entry> {
        match mode {
            git2::FileMode::Blob
            | git2::FileMode::BlobExecutable
            | git2::FileMode::BlobGroupWritable => Some(Entry::File),
            git2::FileMode::Link => Some(Entry::Symlink),
            git2::FileMode::Commit => Some(Entry::Gitlink),
            git2::FileMode::Tree => Some(Entry::Directory),
            git2::FileMode::Unreadable => None,
        }
    }
}

/// One changed path between HEAD and the working tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Path relative to the root, `/`-separated.
    pub path: String,
    pub old_path: Option<String>,
    pub kind: ChangeKind,
    /// The file's content in HEAD (none for an added file).
    pub old_blob: Option<Oid>,
    /// The blob `git add` would store for the working-tree file (none for a deletion, nor from
    /// [`change_set_unhashed`] until the file is read).
    pub blob: Option<Oid>,
    /// Working-tree size in bytes (0 for a deletion).
    pub size: u64,
    /// Already staged by someone (the index differs from HEAD for this path).
    pub staged: bool,
    /// What the path holds now (for a deletion: what it held).
    pub entry: Entry,
    /// Git converts this file's content on its way into the object database (attributes or
    /// `core.autocrlf`, see [`Conversions`]): its blob is what git makes of the bytes, not the
    /// bytes. Decided once for the whole change set.
    pub converted: bool,
}

impl Change {
    /// A rename whose two sides are not both admitted is two changes: the deletion of the old
    /// path and the addition of the new one, each judged on its own.
    pub fn split_rename(self) -> (Change, Change) {
        let old_path = self.old_path.clone().unwrap_or_else(|| self.path.clone());
        let deletion = Change {
            path: old_path,
            old_path: None,
            kind: ChangeKind::Deleted,
            old_blob: self.old_blob,
            blob: None,
            size: 0,
            staged: self.staged,
            entry: self.entry,
            converted: false,
        };
        let addition = Change {
            old_path: None,
            kind: ChangeKind::Added,
            old_blob: None,
            ..self
        };
        (deletion, addition)
    }
}

/// A change berry lists but never commits: its name is not UTF-8, or it is not a safe relative
/// path. It is shown apart from the two lists, outside scope, named as git quotes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uncommittable {
    pub kind: ChangeKind,
    /// The name as git stores it.
    pub name: Vec<u8>,
    /// Why berry does not commit it.
    pub why: String,
}

impl Uncommittable {
    /// The name as it is safe to show, quoted like git's `core.quotePath`.
    pub fn quoted(&self) -> String {
        crate::quote::bytes(&self.name).into_owned()
    }
}

/// Why berry does not commit a change to a name that is not UTF-8.
pub const NOT_UTF8: &str = "name is not UTF-8";

/// Everything that changed since HEAD, index and working tree together, sorted by path.
///
/// Every change is returned, whatever the path holds: files, symlinks, type changes (a file
/// replaced by a symlink), submodule pointers that moved (their `blob` is the new commit id) and
/// nested repositories (`Entry::Directory`, no blob). Only a submodule whose pointer did not move
/// (its own working tree is dirty: another repository's business) is left out.
///
/// A change to a name that is not UTF-8, or that is not a safe relative path, is returned apart
/// as [`Uncommittable`], never dropped; a rename with such a side is split into its two halves,
/// so the other side is judged as an addition or a deletion of its own.
pub fn change_set(repo: &Repository) -> Result<(Vec<Change>, Vec<Uncommittable>)> {
    listed(repo, true)
}

/// [`change_set`] without the working-tree files' blob ids: each file, symlink and nested
/// repository is told apart from the file system alone (`blob` is `None`, `size` the file's
/// size), for a caller that reads every file it keeps anyway and takes the blob id of the bytes
/// it read (review's workers, in parallel), so the listing does not read and hash each file once
/// more first.
pub fn change_set_unhashed(repo: &Repository) -> Result<(Vec<Change>, Vec<Uncommittable>)> {
    listed(repo, false)
}

fn listed(repo: &Repository, hash: bool) -> Result<(Vec<Change>, Vec<Uncommittable>)> {
    let root = workdir(repo)?;
    let head = head_commit(repo)?;
    let head_tree = head.as_ref().map(|c| c.tree()).transpose()?;
    let mut opts = DiffOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .show_untracked_content(true)
        .include_typechange(true);
    let mut diff = repo
        .diff_tree_to_workdir_with_index(head_tree.as_ref(), Some(&mut opts))
        .context("cannot compare the working tree with HEAD")?;
    let mut find = DiffFindOptions::new();
    find.renames(true).for_untracked(true);
    diff.find_similar(Some(&mut find))
        .context("cannot detect renames")?;

    let staged_paths: std::collections::HashSet<String> =
        staged(repo, head_tree.as_ref())?.into_iter().collect();
    // Which files git converts, asked once for every path the diff names (one `git check-attr`).
    let listed: Vec<&str> = diff
        .deltas()
        .filter_map(|d| d.new_file().path_bytes())
        .filter_map(|b| std::str::from_utf8(b).ok())
        .collect();
    let conversions = Conversions::of(repo, &listed)?;
    let mut out = Vec::new();
    let mut uncommittable = Vec::new();
    for delta in diff.deltas() {
        let kind = match delta.status() {
            Delta::Added | Delta::Untracked | Delta::Copied => ChangeKind::Added,
            Delta::Modified => ChangeKind::Modified,
            Delta::Deleted => ChangeKind::Deleted,
            Delta::Renamed => ChangeKind::Renamed,
            Delta::Typechange => ChangeKind::Typechange,
            Delta::Conflicted => ChangeKind::Conflicted,
            Delta::Unmodified | Delta::Ignored | Delta::Unreadable => continue,
        };
        let new_bytes = delta
            .new_file()
            .path_bytes()
            .or(delta.old_file().path_bytes())
            .unwrap_or_default();
        let old_bytes = delta.old_file().path_bytes().unwrap_or_default();
        let (kind, path, old_path) = match named(kind, new_bytes, old_bytes) {
            Named::Change {
                kind,
                path,
                old_path,
            } => (kind, path, old_path),
            Named::Apart(apart) => {
                uncommittable.extend(apart);
                continue;
            }
            Named::Split { apart, kind, path } => {
                uncommittable.push(apart);
                (kind, path, None)
            }
        };
        let path = path.as_str();
        if let Err(why) = crate::scope::safe_relative(path) {
            uncommittable.push(Uncommittable {
                kind,
                name: path.as_bytes().to_vec(),
                why,
            });
            continue;
        }
        let old_blob =
            Some(delta.old_file().id()).filter(|id| !id.is_zero() && kind != ChangeKind::Added);
        let side = if kind == ChangeKind::Deleted {
            delta.old_file()
        } else {
            delta.new_file()
        };
        let mut entry = Entry::of(side.mode()).unwrap_or(Entry::File);
        let gitlink = [delta.old_file().mode(), delta.new_file().mode()]
            .contains(&git2::FileMode::Commit)
            && entry == Entry::Gitlink;
        let (blob, size) = if kind == ChangeKind::Deleted {
            (None, 0)
        } else if gitlink {
            let id = Some(delta.new_file().id()).filter(|id| !id.is_zero());
            if id.is_some() && id == old_blob {
                continue; // the pointer did not move
            }
            (id, 0)
        } else {
            let full = root.join(path);
            let found = if hash {
                worktree_blob(repo, path, false, conversions.converts(path))?
                    .map(|b| (Some(b.id), b.size))
            } else {
                worktree_entry(&full)?
            };
            match found {
                Some((id, size)) => {
                    if std::fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_symlink()) {
                        entry = Entry::Symlink;
                    }
                    (id, size)
                }
                None if full.is_dir() => {
                    entry = Entry::Directory;
                    (None, 0)
                }
                // Gone since the diff was taken: a tracked file is now a deletion; an untracked
                // one is no change any more.
                None if old_blob.is_some() => {
                    out.push(Change {
                        path: path.to_string(),
                        old_path: None,
                        kind: ChangeKind::Deleted,
                        old_blob,
                        blob: None,
                        size: 0,
                        staged: false,
                        entry,
                        converted: false,
                    });
                    continue;
                }
                None => continue,
            }
        };
        let staged = staged_paths.contains(path)
            || old_path.as_ref().is_some_and(|o| staged_paths.contains(o));
        out.push(Change {
            path: path.to_string(),
            old_path,
            kind,
            old_blob,
            blob,
            size,
            staged,
            entry,
            converted: kind != ChangeKind::Deleted && conversions.converts(path),
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    uncommittable.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((out, uncommittable))
}

/// A delta's names, sorted out: a change berry can name, names it cannot, or a rename split
/// into the side it can name and the side it cannot.
enum Named {
    Change {
        kind: ChangeKind,
        path: String,
        old_path: Option<String>,
    },
    Apart(Vec<Uncommittable>),
    Split {
        apart: Uncommittable,
        kind: ChangeKind,
        path: String,
    },
}

fn named(kind: ChangeKind, new: &[u8], old: &[u8]) -> Named {
    let apart = |kind, name: &[u8]| Uncommittable {
        kind,
        name: name.to_vec(),
        why: NOT_UTF8.to_string(),
    };
    let new_s = std::str::from_utf8(new).ok().map(str::to_string);
    if kind != ChangeKind::Renamed {
        return match new_s {
            Some(path) => Named::Change {
                kind,
                path,
                old_path: None,
            },
            None => Named::Apart(vec![apart(kind, new)]),
        };
    }
    let old_s = std::str::from_utf8(old).ok().map(str::to_string);
    match (new_s, old_s) {
        (Some(path), Some(old)) => Named::Change {
            kind,
            path,
            old_path: Some(old),
        },
        (Some(path), None) => Named::Split {
            apart: apart(ChangeKind::Deleted, old),
            kind: ChangeKind::Added,
            path,
        },
        (None, Some(old)) => Named::Split {
            apart: apart(ChangeKind::Added, new),
            kind: ChangeKind::Deleted,
            path: old,
        },
        (None, None) => Named::Apart(vec![
            apart(ChangeKind::Deleted, old),
            apart(ChangeKind::Added, new),
        ]),
    }
}

/// Paths whose index entry differs from HEAD.
fn staged(repo: &Repository, head_tree: Option<&git2::Tree<'_>>) -> Result<Vec<String>> {
    let diff = repo
        .diff_tree_to_index(head_tree, None, None)
        .context("cannot compare the index with HEAD")?;
    Ok(diff
        .deltas()
        .filter_map(|d| {
            d.new_file()
                .path()
                .or(d.old_file().path())
                .and_then(|p| p.to_str())
                .map(str::to_string)
        })
        .collect())
}

/// A working-tree file as a blob: its id, the size of the blob, and the blob's bytes when they
/// were read (always for unconverted files and symlinks; for converted files only when written).
pub struct WorktreeBlob {
    pub id: Oid,
    pub size: u64,
    pub bytes: Option<Vec<u8>>,
    pub symlink: bool,
}

/// What [`worktree_blob`] would find at `full`, from its metadata alone: a symlink or a file
/// (no id; the symlink's target length or the file's size), or nothing (gone, a directory, not
/// a file).
fn worktree_entry(full: &Path) -> Result<Option<(Option<Oid>, u64)>> {
    match std::fs::symlink_metadata(full) {
        Ok(m) if m.file_type().is_symlink() || m.is_file() => Ok(Some((None, m.len()))),
        Ok(_) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", full.display())),
    }
}

/// One working-tree path as git would store it; with `write`, the blob is stored in the object
/// database. `converted`: git converts this path ([`Conversions::converts`]); a converted file is
/// hashed by git itself.
pub fn worktree_blob(
    repo: &Repository,
    rel: &str,
    write: bool,
    converted: bool,
) -> Result<Option<WorktreeBlob>> {
    let root = workdir(repo)?;
    let full = root.join(rel);
    let meta = match std::fs::symlink_metadata(&full) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", full.display())),
    };
    if meta.file_type().is_symlink() {
        use std::os::unix::ffi::OsStrExt;
        let target = std::fs::read_link(&full)?;
        let bytes = target.as_os_str().as_bytes().to_vec();
        let id = if write {
            repo.blob(&bytes)?
        } else {
            Oid::hash_object(ObjectType::Blob, &bytes)?
        };
        return Ok(Some(WorktreeBlob {
            id,
            size: bytes.len() as u64,
            bytes: Some(bytes),
            symlink: true,
        }));
    }
    if !meta.is_file() {
        return Ok(None);
    }
    if converted {
        let id = git_hash_objects(repo, &root, &[rel], write)?
            .pop()
            .context("git hash-object gave no id")?;
        let bytes = if write {
            Some(repo.find_blob(id)?.content().to_vec())
        } else {
            None
        };
        let size = match &bytes {
            Some(b) => b.len() as u64,
            None => repo
                .odb()
                .ok()
                .and_then(|o| o.read_header(id).ok())
                .map(|(s, _)| s as u64)
                .unwrap_or(meta.len()),
        };
        return Ok(Some(WorktreeBlob {
            id,
            size,
            bytes,
            symlink: false,
        }));
    }
    let bytes = std::fs::read(&full).with_context(|| format!("cannot read {}", full.display()))?;
    let id = if write {
        repo.blob(&bytes)?
    } else {
        Oid::hash_object(ObjectType::Blob, &bytes)?
    };
    Ok(Some(WorktreeBlob {
        id,
        size: bytes.len() as u64,
        bytes: Some(bytes),
        symlink: false,
    }))
}

/// The attributes that make git store something other than a file's bytes.
const CONVERTING_ATTRIBUTES: [&str; 6] = [
    "filter",
    "text",
    "eol",
    "crlf",
    "ident",
    "working-tree-encoding",
];

/// Which files git converts on their way into the object database: a `filter` driver (its
/// `clean` command), end-of-line conversion (`text`, `eol`, `crlf`, `core.autocrlf`), `ident` or
/// `working-tree-encoding`. Such files are hashed and written by git itself
/// ([`git_hash_objects`]), so the blob is exactly what `git add` would store.
///
/// Decided by git for a whole set of paths in one `git check-attr` (every attribute source git
/// reads: the working tree's and the index's `.gitattributes`, `.git/info/attributes`,
/// `core.attributesFile`, the system file), as `git add` reads them. Asking libgit2 path by path
/// re-read the attribute files and resolved every folder of the path for each question: about
/// 200 system calls per file, most of the time of a 20,000-file review.
#[derive(Debug, Clone, Default)]
pub struct Conversions {
    /// `core.autocrlf` is on: every file may be converted.
    every: bool,
    converted: std::collections::HashSet<String>,
}

impl Conversions {
    /// Asks git about `rels` (paths relative to the root). No paths: no process.
    pub fn of(repo: &Repository, rels: &[&str]) -> Result<Conversions> {
        let autocrlf = repo
            .config()
            .ok()
            .and_then(|c| c.get_string("core.autocrlf").ok())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v == "true" || v == "input" || v == "yes" || v == "on" || v == "1");
        if autocrlf {
            return Ok(Conversions {
                every: true,
                converted: Default::default(),
            });
        }
        if rels.is_empty() {
            return Ok(Conversions::default());
        }
        let root = workdir(repo)?;
        // `<path> NUL <attribute> NUL <value> NUL` for every path and attribute, read as it
        // comes (the whole answer is ~85 bytes per path and attribute: megabytes for a large
        // change set).
        let mut converted = std::collections::HashSet::new();
        let (mut n, mut path) = (0usize, Vec::new());
        nul_fields_of_git(
            repo,
            &root,
            &["check-attr", "-z", "--stdin"],
            &CONVERTING_ATTRIBUTES,
            rels.iter()
                .flat_map(|r| r.as_bytes().iter().copied().chain([0]))
                .collect(),
            &mut |field| {
                match n % 3 {
                    0 => path = field.to_vec(),
                    2 if field != b"unspecified" => {
                        if let Ok(p) = std::str::from_utf8(&path) {
                            converted.insert(p.to_string());
                        }
                    }
                    _ => {}
                }
                n += 1;
            },
        )
        .context("cannot read the files' attributes (`git check-attr`)")?;
        Ok(Conversions {
            every: false,
            converted,
        })
    }

    pub fn converts(&self, rel: &str) -> bool {
        self.every || self.converted.contains(rel)
    }
}

/// Runs `git <args> <extra>` in the repository with `input` on stdin and hands each
/// NUL-terminated field of its stdout to `each` as it is read; a failure carries git's stderr.
fn nul_fields_of_git(
    repo: &Repository,
    root: &Path,
    args: &[&str],
    extra: &[&str],
    input: Vec<u8>,
    each: &mut dyn FnMut(&[u8]),
) -> Result<()> {
    use std::io::{BufRead as _, Read as _, Write as _};
    let mut child = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(repo.path())
        .arg("--work-tree")
        .arg(root)
        .args(args)
        .args(extra)
        .current_dir(root)
        .env_remove("GIT_INDEX_FILE")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run `git {}`", args[0]))?;
    let mut stdin = child.stdin.take().context("no stdin for git")?;
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let mut stderr = child.stderr.take().context("no stderr for git")?;
    let errors = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        text
    });
    let mut stdout = std::io::BufReader::new(child.stdout.take().context("no stdout for git")?);
    let mut field = Vec::new();
    loop {
        field.clear();
        let read = stdout
            .read_until(0, &mut field)
            .with_context(|| format!("cannot read `git {}`", args[0]))?;
        if read == 0 {
            break;
        }
        if field.last() == Some(&0) {
            field.pop();
        }
        each(&field);
    }
    let status = child
        .wait()
        .with_context(|| format!("cannot run `git {}`", args[0]))?;
    let _ = feeder.join();
    let errors = errors.join().unwrap_or_default();
    if !status.success() {
        return Err(anyhow::anyhow!(
            "{}",
            String::from_utf8_lossy(&errors).trim()
        ));
    }
    Ok(())
}

/// `git hash-object [-w] --stdin-paths` for `rels`, in one git process: git applies the
/// attributes, runs each `filter.<driver>.clean` command (with `%f` replaced by the path, the
/// content on stdin, the clean content from stdout; a failing `required` filter is an error)
/// and converts line endings, exactly as `git add` does.
pub fn git_hash_objects(
    repo: &Repository,
    root: &Path,
    rels: &[&str],
    write: bool,
) -> Result<Vec<Oid>> {
    use std::io::Write as _;
    if let Some(bad) = rels.iter().find(|r| r.contains('\n') || r.starts_with('"')) {
        return Err(BerryError::failure(format!(
            "{bad:?}: a file with a filter or end-of-line attribute cannot be hashed by git under this name"
        ))
        .into());
    }
    let mut cmd = std::process::Command::new("git");
    cmd.arg("--git-dir")
        .arg(repo.path())
        .arg("--work-tree")
        .arg(root)
        .arg("hash-object");
    if write {
        cmd.arg("-w");
    }
    let mut child = cmd
        .arg("--stdin-paths")
        .current_dir(root)
        .env_remove("GIT_INDEX_FILE")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .context("cannot run `git hash-object`")?;
    let input: String = rels.iter().map(|r| format!("{r}\n")).collect();
    let mut stdin = child.stdin.take().context("no stdin for git hash-object")?;
    let feeder = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .context("cannot run `git hash-object`")?;
    let _ = feeder.join();
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(anyhow::anyhow!(why)
            .context(BerryError::failure(
                "git could not convert a file for the commit (a clean filter failed?)",
            ).with_hint("the filter named above is configured in git config (`filter.<driver>.clean`); fix it, then run the step again")));
    }
    let ids = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            Oid::from_str(l.trim()).context("git hash-object printed something else than an id")
        })
        .collect::<Result<Vec<_>>>()?;
    if ids.len() != rels.len() {
        return Err(anyhow::anyhow!(
            "git hash-object gave {} ids for {} paths",
            ids.len(),
            rels.len()
        ));
    }
    Ok(ids)
}

/// The content of a blob, or empty when there is none.
pub fn blob_bytes(repo: &Repository, id: Option<Oid>) -> Result<Vec<u8>> {
    match id {
        None => Ok(Vec::new()),
        Some(id) => Ok(repo
            .find_blob(id)
            .with_context(|| format!("cannot read blob {id}"))?
            .content()
            .to_vec()),
    }
}

/// The paths of an index's conflicts, sorted, each once.
pub fn conflicted_paths(index: &git2::Index) -> Result<Vec<String>> {
    let mut files: Vec<String> = index
        .conflicts()?
        .flatten()
        .filter_map(|c| {
            c.our
                .or(c.their)
                .or(c.ancestor)
                .map(|e| crate::quote::bytes(&e.path).into_owned())
        })
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

/// A submodule pointer as git's diff shows it (`Subproject commit <id>`), or nothing.
pub fn gitlink_text(id: Option<Oid>) -> Vec<u8> {
    id.map(|i| format!("Subproject commit {i}\n").into_bytes())
        .unwrap_or_default()
}

/// The commit a submodule's checkout at `rel` points at now, when `rel` is a submodule of this
/// repository (a gitlink in HEAD's tree or in the index); `None` for anything else, a nested
/// repository that is not a submodule included. Only the commit id is read, never the
/// submodule's files.
pub fn submodule_head(repo: &Repository, rel: &str) -> Result<Option<Oid>> {
    let registered = head_commit(repo)?
        .and_then(|c| c.tree().ok())
        .and_then(|t| t.get_path(Path::new(rel)).ok())
        .is_some_and(|e| e.filemode() == i32::from(git2::FileMode::Commit))
        || repo
            .index()
            .ok()
            .and_then(|i| i.get_path(Path::new(rel), 0))
            .is_some_and(|e| e.mode == u32::from(git2::FileMode::Commit));
    if !registered {
        return Ok(None);
    }
    let full = workdir(repo)?.join(rel);
    let Ok(sub) = Repository::open_ext(
        &full,
        git2::RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&std::ffi::OsStr>(),
    ) else {
        return Ok(None);
    };
    Ok(sub.head().ok().and_then(|h| h.target()))
}

/// The content git would store for a working-tree file (the clean form of a filtered file, line
/// endings converted), or empty for a deletion. Review shows and guards this, and commit
/// writes the same bytes.
pub fn worktree_bytes(repo: &Repository, change: &Change) -> Result<Vec<u8>> {
    Ok(worktree_content(repo, change)?.map_or_else(Vec::new, |(_, b)| b))
}

/// [`worktree_bytes`] with the blob id of exactly those bytes (none for a deletion).
pub fn worktree_content(repo: &Repository, change: &Change) -> Result<Option<(Oid, Vec<u8>)>> {
    if change.kind == ChangeKind::Deleted {
        return Ok(None);
    }
    match worktree_blob(repo, &change.path, change.converted, change.converted)? {
        Some(WorktreeBlob {
            id, bytes: Some(b), ..
        }) => Ok(Some((id, b))),
        Some(b) => Ok(Some((b.id, blob_bytes(repo, Some(b.id))?))),
        None => Err(anyhow::anyhow!(
            "{} vanished while it was read",
            change.path
        )),
    }
}

/// Content that is not shown as text: a NUL byte in the first 8000 bytes, as git decides.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8000)].contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn repo_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Repository) {
        let d = tempfile::tempdir().unwrap();
        let repo = Repository::init(d.path()).unwrap();
        for (p, c) in files {
            let full = d.path().join(p);
            fs::create_dir_all(full.parent().unwrap()).unwrap();
            fs::write(full, c).unwrap();
        }
        {
            let mut idx = repo.index().unwrap();
            idx.add_all(["*"], git2::IndexAddOption::DEFAULT, None)
                .unwrap();
            idx.write().unwrap();
            let tree = repo.find_tree(idx.write_tree().unwrap()).unwrap();
            let sig = git2::Signature::now("t", "t@example.com").unwrap();
            repo.commit(Some("HEAD"), &sig, &sig, "base", &tree, &[])
                .unwrap();
        }
        (d, repo)
    }

    #[test]
    fn sees_added_modified_deleted_renamed_and_staged() {
        let body = "line\n".repeat(50);
        let (d, repo) = repo_with(&[("a.txt", "a\n"), ("gone.txt", "x\n"), ("old.txt", &body)]);
        fs::write(d.path().join("a.txt"), "a\nb\n").unwrap();
        fs::remove_file(d.path().join("gone.txt")).unwrap();
        fs::rename(d.path().join("old.txt"), d.path().join("new.txt")).unwrap();
        fs::write(d.path().join("fresh.txt"), "new\n").unwrap();
        let mut idx = repo.index().unwrap();
        idx.add_path(Path::new("a.txt")).unwrap();
        idx.write().unwrap();

        let (changes, odd) = change_set(&repo).unwrap();
        assert!(odd.is_empty());
        let summary: Vec<(String, ChangeKind, bool)> = changes
            .iter()
            .map(|c| (c.path.clone(), c.kind, c.staged))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("a.txt".into(), ChangeKind::Modified, true),
                ("fresh.txt".into(), ChangeKind::Added, false),
                ("gone.txt".into(), ChangeKind::Deleted, false),
                ("new.txt".into(), ChangeKind::Renamed, false),
            ]
        );
        let renamed = &changes[3];
        assert_eq!(renamed.old_path.as_deref(), Some("old.txt"));
        let expected = Oid::hash_object(ObjectType::Blob, b"a\nb\n").unwrap();
        assert_eq!(changes[0].blob, Some(expected));
        assert_eq!(changes[2].blob, None);

        // Unhashed: the same list, entries and sizes, with no working-tree blob id.
        std::os::unix::fs::symlink("a.txt", d.path().join("link")).unwrap();
        let (hashed, _) = change_set(&repo).unwrap();
        let (unhashed, odd) = change_set_unhashed(&repo).unwrap();
        assert!(odd.is_empty());
        assert_eq!(unhashed.len(), hashed.len());
        for (u, h) in unhashed.iter().zip(&hashed) {
            let h_blob = (h.entry == Entry::Gitlink).then_some(h.blob).flatten();
            assert_eq!(u.blob, h_blob, "{}", u.path);
            let same = |c: &Change| {
                (
                    c.path.clone(),
                    c.kind,
                    c.entry,
                    c.size,
                    c.old_blob,
                    c.staged,
                )
            };
            assert_eq!(same(u), same(h));
        }
        assert!(
            unhashed
                .iter()
                .any(|c| c.entry == Entry::Symlink && c.size == 5)
        );
    }

    #[test]
    fn names_that_are_not_utf8_are_returned_apart_and_a_rename_is_split() {
        use std::os::unix::ffi::OsStrExt;
        let body = "line\n".repeat(50);
        let (d, repo) = repo_with(&[("old.txt", &body), ("keep.txt", "k\n")]);
        let odd = |b: &[u8]| d.path().join(std::ffi::OsStr::from_bytes(b));
        fs::write(odd(b"new\xff.txt"), "fresh\n").unwrap();
        // A rename to a name that is not UTF-8: the old side is a deletion of its own.
        fs::rename(d.path().join("old.txt"), odd(b"moved\xfe.txt")).unwrap();
        let (changes, apart) = change_set(&repo).unwrap();
        let summary: Vec<(String, ChangeKind)> =
            changes.iter().map(|c| (c.path.clone(), c.kind)).collect();
        assert_eq!(summary, vec![("old.txt".into(), ChangeKind::Deleted)]);
        assert!(changes[0].old_blob.is_some());
        let apart: Vec<(String, ChangeKind)> = apart.iter().map(|u| (u.quoted(), u.kind)).collect();
        assert_eq!(
            apart,
            vec![
                ("\"moved\\376.txt\"".into(), ChangeKind::Added),
                ("\"new\\377.txt\"".into(), ChangeKind::Added),
            ]
        );
    }

    #[test]
    fn unborn_branch_counts_everything_as_added() {
        let d = tempfile::tempdir().unwrap();
        let repo = Repository::init(d.path()).unwrap();
        fs::write(d.path().join("x"), "1").unwrap();
        let (changes, _) = change_set(&repo).unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].kind, ChangeKind::Added);
        assert!(head_commit(&repo).unwrap().is_none());
    }

    /// Git decides which files it converts, from every attribute source, for all paths at once:
    /// a folder's untracked `.gitattributes`, one that is only in the index (deleted from the
    /// working tree), `.git/info/attributes`, and `core.autocrlf` for everything.
    #[test]
    fn conversions_come_from_every_attribute_source() {
        let (d, repo) = repo_with(&[
            ("a.txt", "a\n"),
            ("sub/b.bin", "b\n"),
            ("sub/c.txt", "c\n"),
            ("idx/.gitattributes", "*.md ident\n"),
            ("idx/d.md", "d\n"),
            ("idx/e.txt", "e\n"),
        ]);
        fs::remove_file(d.path().join("idx/.gitattributes")).unwrap();
        fs::write(d.path().join("sub/.gitattributes"), "*.bin filter=crypt\n").unwrap();
        let all = [
            "a.txt",
            "sub/b.bin",
            "sub/c.txt",
            "idx/d.md",
            "idx/e.txt",
            "new\nline.bin",
        ];
        let c = Conversions::of(&repo, &all).unwrap();
        let converted: Vec<&str> = all.iter().copied().filter(|p| c.converts(p)).collect();
        assert_eq!(converted, ["sub/b.bin", "idx/d.md"]);

        fs::write(d.path().join(".git/info/attributes"), "*.txt text\n").unwrap();
        let c = Conversions::of(&repo, &all).unwrap();
        let converted: Vec<&str> = all.iter().copied().filter(|p| c.converts(p)).collect();
        assert_eq!(
            converted,
            ["a.txt", "sub/b.bin", "sub/c.txt", "idx/d.md", "idx/e.txt"]
        );

        repo.config()
            .unwrap()
            .set_str("core.autocrlf", "input")
            .unwrap();
        let c = Conversions::of(&repo, &all).unwrap();
        assert!(all.iter().all(|p| c.converts(p)));
        assert!(Conversions::of(&repo, &[]).unwrap().converts("x"));
    }
}
