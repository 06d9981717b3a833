//! The REQ context (SPEC §2): one JSON file per REQ shared by every subcommand, a `CURRENT` file
//! naming the current REQ, and a lock that keeps two berry processes off the same REQ.
//!
//! Writes are atomic (temporary file in the same folder, fsync, rename, fsync of the folder) with
//! mode 0600. A newer format is refused and never rewritten; a corrupt file is moved aside.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::env_vars;
use crate::error::BerryError;
use crate::req::ReqNumber;

/// The format this berry writes. Files with a higher number are refused.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReqContext {
    pub format_version: u32,
    pub req: ReqNumber,
    #[serde(default)]
    pub title: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// `BLOCKED` once a gate closed, `DEPLOYED` once complete.
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub evidence: Option<Evidence>,
    /// Each step's last outcome, by step name.
    #[serde(default)]
    pub steps: BTreeMap<String, StepRecord>,
    #[serde(default)]
    pub review: Option<ReviewRecord>,
    #[serde(default)]
    pub ledger: Ledger,
    /// The operator's acceptance of a changed working-tree `berry.toml` for this REQ, bound to
    /// the accepted text's hash (see `gateconfig`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_acceptance: Option<crate::gateconfig::Acceptance>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StepRecord {
    pub outcome: String,
    pub at: Timestamp,
    #[serde(default)]
    pub message: String,
}

/// What `verify` saw: the verdict and what it rests on (SPEC §3.3).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Evidence {
    /// Where the deliverables came from (database URL without password, or folder).
    pub source: String,
    pub verified_at: Timestamp,
    pub approved: bool,
    #[serde(default)]
    pub reasons: Vec<String>,
    /// The QA deliverable the approval rests on.
    #[serde(default)]
    pub qa: Option<EvidenceItem>,
    #[serde(default)]
    pub deliverables: Vec<EvidenceItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EvidenceItem {
    pub agent: String,
    pub row_id: String,
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// `sha256:<hex>` of the deliverable's canonical JSON.
    pub sha256: String,
    #[serde(default)]
    pub status: Option<String>,
}

/// What `review` approved.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReviewRecord {
    pub reviewed_at: Timestamp,
    /// HEAD when the review was made (`None` on an unborn branch).
    #[serde(default)]
    pub head: Option<String>,
    pub files: Vec<ReviewedFile>,
    #[serde(default)]
    pub deselected: Vec<String>,
    #[serde(default)]
    pub out_of_scope: Vec<String>,
    #[serde(default)]
    pub allowed: Vec<GuardException>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReviewedFile {
    pub path: String,
    /// `added`, `modified`, `deleted`, `renamed`, `typechange`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_path: Option<String>,
    /// The blob id git would store for the working-tree content (`None` for a deletion).
    #[serde(default)]
    pub blob: Option<String>,
    pub insertions: usize,
    pub deletions: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct GuardException {
    pub guard: String,
    pub path: String,
    pub reason: String,
}

/// Side effects outside the context file, each recorded once it happened.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Ledger {
    #[serde(default)]
    pub commit: Option<serde_json::Value>,
    #[serde(default)]
    pub tests: Option<serde_json::Value>,
    #[serde(default)]
    pub push: Option<serde_json::Value>,
    #[serde(default)]
    pub pr: Option<serde_json::Value>,
    #[serde(default)]
    pub watch: Option<serde_json::Value>,
    #[serde(default)]
    pub issue: Option<serde_json::Value>,
    #[serde(default)]
    pub tracker: Vec<serde_json::Value>,
    #[serde(default)]
    pub events: Vec<EventRecord>,
}

/// A NATS notice: recorded as pending before it is sent, acknowledged after.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EventRecord {
    /// `completion` or `blocked`.
    pub kind: String,
    pub subject: String,
    pub msg_id: String,
    pub payload: serde_json::Value,
    pub acknowledged: bool,
    #[serde(default)]
    pub stream: Option<String>,
    #[serde(default)]
    pub sent_at: Option<Timestamp>,
}

impl ReqContext {
    pub fn new(req: ReqNumber, now: Timestamp) -> ReqContext {
        ReqContext {
            format_version: FORMAT_VERSION,
            req,
            title: None,
            created_at: now,
            updated_at: now,
            state: None,
            evidence: None,
            steps: BTreeMap::new(),
            review: None,
            ledger: Ledger::default(),
            config_acceptance: None,
        }
    }

    pub fn record_step(
        &mut self,
        step: &str,
        outcome: &str,
        message: impl Into<String>,
        at: Timestamp,
    ) {
        self.steps.insert(
            step.to_string(),
            StepRecord {
                outcome: outcome.into(),
                at,
                message: message.into(),
            },
        );
    }

    pub fn step_ok(&self, step: &str) -> bool {
        self.steps.get(step).is_some_and(|s| s.outcome == "ok")
    }
}

/// The folder of contexts for one repository.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// `BERRY_STATE_DIR`, else `<git dir>/berry`.
    pub fn for_git_dir(git_dir: &Path) -> Store {
        let dir = env_vars::var(env_vars::BERRY_STATE_DIR)
            .map(PathBuf::from)
            .unwrap_or_else(|| git_dir.join("berry"));
        Store { dir }
    }

    pub fn at(dir: PathBuf) -> Store {
        Store { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path_of(&self, req: &ReqNumber) -> PathBuf {
        self.dir.join(format!("{req}.json"))
    }

    fn ensure_dir(&self) -> Result<()> {
        fs::create_dir_all(&self.dir)
            .with_context(|| format!("cannot create state folder {}", self.dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700));
        }
        Ok(())
    }

    /// The REQ named by `CURRENT`, if any.
    pub fn current(&self) -> Result<Option<ReqNumber>> {
        let p = self.dir.join("CURRENT");
        match fs::read_to_string(&p) {
            Ok(s) => {
                let s = s.trim();
                if s.is_empty() {
                    return Ok(None);
                }
                ReqNumber::parse(s).map(Some).map_err(|e| {
                    anyhow::Error::new(e).context(format!("{} names an invalid REQ", p.display()))
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", p.display())),
        }
    }

    pub fn set_current(&self, req: &ReqNumber) -> Result<()> {
        self.ensure_dir()?;
        write_atomic(&self.dir.join("CURRENT"), format!("{req}\n").as_bytes())
    }

    /// REQs with a context file here, sorted.
    pub fn list(&self) -> Vec<ReqNumber> {
        let mut out: Vec<ReqNumber> = fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                ReqNumber::parse(name.strip_suffix(".json")?).ok()
            })
            .collect();
        out.sort();
        out
    }

    /// Takes the REQ's lock, waiting up to `BERRY_LOCK_TIMEOUT` seconds (default 5) for another
    /// berry process to let go; then says who holds it.
    pub fn lock(&self, req: &ReqNumber, command: &str) -> Result<ReqLock> {
        self.ensure_dir()?;
        remove_stale_temps(&self.dir);
        let path = self.dir.join(format!("{req}.lock"));
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open lock file {}", path.display()))?;
        let wait = env_vars::var(env_vars::BERRY_LOCK_TIMEOUT)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(5.0);
        let deadline = Instant::now() + Duration::from_secs_f64(wait.max(0.0));
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(fs::TryLockError::WouldBlock) => {
                    if Instant::now() >= deadline {
                        let mut holder = String::new();
                        let _ = File::open(&path).and_then(|mut f| f.read_to_string(&mut holder));
                        let holder = holder.trim();
                        return Err(BerryError::failure(format!(
                            "{req} is in use by another berry process ({})",
                            if holder.is_empty() {
                                "holder unknown"
                            } else {
                                holder
                            }
                        ))
                        .with_hint(format!(
                            "wait for it to finish, or stop it; the lock is {}",
                            path.display()
                        ))
                        .into());
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(fs::TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("cannot lock {}", path.display()));
                }
            }
        }
        let info = format!(
            "pid {}, `berry {command}`, since {}",
            std::process::id(),
            crate::clock::rfc3339(Timestamp::now())
        );
        file.set_len(0)?;
        file.write_all(info.as_bytes())?;
        Ok(ReqLock { _file: file })
    }

    /// Loads the context. `Ok(None)` when there is none yet.
    pub fn load(&self, req: &ReqNumber, _lock: &ReqLock) -> Result<Option<ReqContext>> {
        self.read(req)
    }

    /// Reads without the lock, for `status` and completion: never writes, never moves anything.
    pub fn peek(&self, req: &ReqNumber) -> Result<Option<ReqContext>> {
        let path = self.path_of(req);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        match decode(&bytes, req) {
            Ok(c) => Ok(Some(c)),
            Err(Decode::Corrupt(why)) => Err(BerryError::failure(format!(
                "the context {} is corrupt: {why}",
                path.display()
            ))
            .into()),
            Err(Decode::Refused(e)) => Err(e.into()),
        }
    }

    fn read(&self, req: &ReqNumber) -> Result<Option<ReqContext>> {
        let path = self.path_of(req);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        match decode(&bytes, req) {
            Ok(c) => Ok(Some(c)),
            Err(Decode::Refused(e)) => Err(e.into()),
            Err(Decode::Corrupt(why)) => {
                let stamp = Timestamp::now().as_second();
                let aside = self.dir.join(format!("{req}.json.corrupt-{stamp}"));
                fs::rename(&path, &aside).with_context(|| {
                    format!("cannot move the corrupt context {} aside", path.display())
                })?;
                Err(BerryError::failure(format!(
                    "the context {} was corrupt: {why}",
                    path.display()
                ))
                .with_hint(format!(
                    "it was kept as {}; the next run of `berry verify {req}` starts a new one",
                    aside.display()
                ))
                .into())
            }
        }
    }

    pub fn save(&self, ctx: &mut ReqContext, _lock: &ReqLock) -> Result<()> {
        self.ensure_dir()?;
        ctx.format_version = FORMAT_VERSION;
        ctx.updated_at = crate::clock::now()?;
        let mut bytes = serde_json::to_vec_pretty(ctx)?;
        bytes.push(b'\n');
        write_atomic(&self.path_of(&ctx.req), &bytes)?;
        crate::fault::point("context-written");
        Ok(())
    }
}

/// Held while a berry process works on a REQ; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct ReqLock {
    _file: File,
}

enum Decode {
    Corrupt(String),
    Refused(BerryError),
}

/// Decodes a context file's bytes as berry reads them (for the fuzzer): `Err` carries the reason
/// a file would be refused or moved aside. Never panics.
pub fn decode_bytes(bytes: &[u8], req: &ReqNumber) -> Result<ReqContext, String> {
    decode(bytes, req).map_err(|e| match e {
        Decode::Corrupt(why) => why,
        Decode::Refused(err) => err.to_string(),
    })
}

fn decode(bytes: &[u8], req: &ReqNumber) -> Result<ReqContext, Decode> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| Decode::Corrupt(format!("not JSON ({e})")))?;
    let version = value
        .get("format_version")
        .and_then(|v| v.as_u64())
        .ok_or_else(|| Decode::Corrupt("no format_version".into()))?;
    if version > FORMAT_VERSION as u64 {
        return Err(Decode::Refused(
            BerryError::failure(format!(
                "the context for {req} was written by a newer berry (format {version}; this berry reads up to {FORMAT_VERSION})"
            ))
            .with_hint("upgrade berry; the file was left as it is"),
        ));
    }
    let ctx: ReqContext = serde_json::from_value(value)
        .map_err(|e| Decode::Corrupt(format!("unexpected content ({e})")))?;
    if &ctx.req != req {
        return Err(Decode::Corrupt(format!(
            "it belongs to {}, not {req}",
            ctx.req
        )));
    }
    Ok(ctx)
}

/// Temporary file in the same folder, fsync, rename over `path`, fsync the folder; mode 0600.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    remove_stale_temps(dir);
    let prefix = format!(".berry-{}-", std::process::id());
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    let (first, rest) = bytes.split_at(bytes.len() / 2);
    tmp.write_all(first)?;
    crate::fault::point("atomic-write-torn");
    tmp.write_all(rest)?;
    tmp.as_file().sync_all()?;
    crate::fault::point("atomic-write-before-rename");
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Removes the temporary files `write_atomic` left behind when a berry process was killed before
/// the rename (`.berry-<pid>-*.tmp` whose process is gone), so a crash leaves no stray file in the
/// repository once berry runs again. Files of live processes are left alone.
fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(".berry-"))
            .filter(|n| n.ends_with(".tmp"))
            .and_then(|n| n.split('-').next())
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        if pid <= 0 || pid as u32 == std::process::id() {
            continue;
        }
        // SAFETY: signal 0 only asks whether the process exists.
        let gone = unsafe { libc::kill(pid, 0) } != 0
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone {
            let _ = fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> ReqNumber {
        ReqNumber::parse("REQ-TEST-001").unwrap()
    }

    #[test]
    fn save_then_load_round_trips_with_mode_0600() {
        let d = tempfile::tempdir().unwrap();
        let store = Store::at(d.path().join("berry"));
        let lock = store.lock(&req(), "test").unwrap();
        let mut ctx = ReqContext::new(req(), Timestamp::UNIX_EPOCH);
        ctx.title = Some("T".into());
        store.save(&mut ctx, &lock).unwrap();
        let back = store.load(&req(), &lock).unwrap().unwrap();
        assert_eq!(back, ctx);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(store.path_of(&req()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn newer_format_is_refused_and_left_alone() {
        let d = tempfile::tempdir().unwrap();
        let store = Store::at(d.path().to_path_buf());
        let lock = store.lock(&req(), "test").unwrap();
        let text = r#"{"format_version": 99, "req": "REQ-TEST-001"}"#;
        fs::write(store.path_of(&req()), text).unwrap();
        let err = store.load(&req(), &lock).unwrap_err();
        assert!(err.to_string().contains("newer berry"), "{err}");
        assert_eq!(fs::read_to_string(store.path_of(&req())).unwrap(), text);
    }

    #[test]
    fn corrupt_file_is_kept_aside() {
        let d = tempfile::tempdir().unwrap();
        let store = Store::at(d.path().to_path_buf());
        let lock = store.lock(&req(), "test").unwrap();
        fs::write(
            store.path_of(&req()),
            "{\"format_version\": 1, \"req\": \"REQ-TE",
        )
        .unwrap();
        let err = store.load(&req(), &lock).unwrap_err();
        assert!(err.to_string().contains("corrupt"), "{err}");
        assert!(!store.path_of(&req()).exists());
        let kept: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
            .collect();
        assert_eq!(kept.len(), 1);
    }

    #[test]
    fn another_reqs_file_is_not_taken_for_this_one() {
        let d = tempfile::tempdir().unwrap();
        let store = Store::at(d.path().to_path_buf());
        let lock = store.lock(&req(), "test").unwrap();
        let other = ReqContext::new(
            ReqNumber::parse("REQ-OTHER-1").unwrap(),
            Timestamp::UNIX_EPOCH,
        );
        fs::write(store.path_of(&req()), serde_json::to_vec(&other).unwrap()).unwrap();
        let err = store.load(&req(), &lock).unwrap_err();
        assert!(err.to_string().contains("belongs to REQ-OTHER-1"), "{err}");
    }

    /// Found by the `context_decode` fuzzer: a number beyond u64 is read as an f64; without
    /// serde_json's `float_roundtrip` reading it back after a save gave a different f64, so every
    /// load and save of a context changed it.
    #[test]
    fn a_huge_number_survives_save_and_load_unchanged() {
        let text = br#"{"format_version":1,"req":"REQ-TEST-001","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","ledger":{"tracker":[777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777, 0.1, 1e308, 5e-324]}}"#;
        let ctx = decode_bytes(text, &req()).unwrap();
        let again = decode_bytes(&serde_json::to_vec(&ctx).unwrap(), &req()).unwrap();
        assert_eq!(again, ctx);
        let third = decode_bytes(&serde_json::to_vec_pretty(&again).unwrap(), &req()).unwrap();
        assert_eq!(third, ctx);
    }

    #[test]
    fn current_round_trips() {
        let d = tempfile::tempdir().unwrap();
        let store = Store::at(d.path().to_path_buf());
        assert_eq!(store.current().unwrap(), None);
        store.set_current(&req()).unwrap();
        assert_eq!(store.current().unwrap(), Some(req()));
    }
}
