//! Many new objects stored at once, as one pack.
//!
//! Writing a loose object costs a temporary file, its link into `objects/xx/` and, in libgit2,
//! a rescan of `objects/pack/` for every object that is new (it looks for the object in packs
//! that may have appeared before writing it). For the thousands of blobs and trees of a large
//! commit that is most of the step's time. [`Batch`] collects the objects, hashed and
//! compressed where they are made (in the hashing threads), and [`Batch::write`] stores them
//! together: as one pack (`pack-<sha1>.pack` and its version-2 `.idx`, as `git index-pack`
//! writes them) when there are [`PACK_AT_LEAST`] or more (git keeps what a fetch brings as a
//! pack from the same count on, `transfer.unpackLimit`), else loose as before. Every object's
//! id is the one [`Oid::hash_object`] gives for exactly the bytes stored; a few go through
//! libgit2's writer, which checks that.

use std::collections::HashSet;
use std::io::Write as _;

use anyhow::{Context as _, Result};
use git2::{ObjectType, Oid, Repository};

/// From this many objects on, a [`Batch`] is written as a pack.
pub const PACK_AT_LEAST: usize = 100;

/// One object, hashed and compressed, ready for a pack.
pub struct Deflated {
    pub id: Oid,
    kind: ObjectType,
    size: usize,
    /// The content, zlib-compressed, as a pack stores it.
    zlib: Vec<u8>,
}

impl Deflated {
    /// Hashes and compresses `raw` as an object of `kind`.
    pub fn new(kind: ObjectType, raw: &[u8]) -> Result<Deflated> {
        Self::hashed(Oid::hash_object(kind, raw)?, kind, raw)
    }

    /// Compresses `raw`, whose id as an object of `kind` is `id`: the caller hashed exactly these
    /// bytes with [`Oid::hash_object`] (hashing is a large part of the work; it is done once).
    pub fn hashed(id: Oid, kind: ObjectType, raw: &[u8]) -> Result<Deflated> {
        Ok(Deflated {
            id,
            kind,
            size: raw.len(),
            zlib: zlib(raw)?,
        })
    }
}

/// Objects to store together (see the module documentation).
#[derive(Default)]
pub struct Batch {
    objects: Vec<Deflated>,
    seen: HashSet<Oid>,
}

impl Batch {
    pub fn add(&mut self, object: Deflated) {
        if self.seen.insert(object.id) {
            self.objects.push(object);
        }
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Stores every object: one pack from [`PACK_AT_LEAST`] objects on, else loose objects.
    pub fn write(self, repo: &Repository) -> Result<()> {
        if self.objects.is_empty() {
            return Ok(());
        }
        let odb = repo.odb().context("cannot open the object database")?;
        if self.objects.len() < PACK_AT_LEAST {
            for o in &self.objects {
                let raw = unzlib(&o.zlib, o.size)?;
                let id = odb.write(o.kind, &raw).context("cannot write an object")?;
                anyhow::ensure!(id == o.id, "object {} was stored as {id}", o.id);
            }
            return Ok(());
        }
        write_pack(
            &repo.commondir().join("objects").join("pack"),
            &self.objects,
        )
    }
}

/// Writes `objects` as `pack-<checksum>.pack` and its version-2 `.idx` in `dir`, as git's
/// index-pack lays them out, each through a temporary file renamed into place, the `.idx`
/// last (a pack without its index is not read).
fn write_pack(dir: &std::path::Path, objects: &[Deflated]) -> Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // The pack streamed into its temporary file, hashed on the way.
    let mut tmp_pack = tempfile::Builder::new()
        .prefix("tmp_pack_")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary pack in {}", dir.display()))?;
    let mut sum = sha1_smol::Sha1::new();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, tmp_pack.as_file_mut());
    let mut put = |bytes: &[u8]| -> Result<()> {
        sum.update(bytes);
        out.write_all(bytes)
            .with_context(|| format!("cannot write a pack in {}", dir.display()))
    };
    let mut head = b"PACK".to_vec();
    head.extend_from_slice(&2u32.to_be_bytes());
    head.extend_from_slice(&(objects.len() as u32).to_be_bytes());
    put(&head)?;
    let mut entries: Vec<(Oid, u32, u64)> = Vec::with_capacity(objects.len());
    let mut offset = head.len() as u64;
    for o in objects {
        let h = entry_header(o.kind, o.size);
        put(&h)?;
        put(&o.zlib)?;
        entries.push((o.id, crc32(&o.zlib, crc32(&h, 0)), offset));
        offset += (h.len() + o.zlib.len()) as u64;
    }
    let sum = sum.digest().bytes();
    out.write_all(&sum)
        .and_then(|_| out.flush())
        .with_context(|| format!("cannot write a pack in {}", dir.display()))?;
    drop(out);
    entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut idx = Vec::with_capacity(8 + 1024 + entries.len() * 28 + 40);
    idx.extend_from_slice(b"\xfftOc");
    idx.extend_from_slice(&2u32.to_be_bytes());
    let mut fanout = [0u32; 256];
    for (id, ..) in &entries {
        fanout[id.as_bytes()[0] as usize] += 1;
    }
    let mut total = 0u32;
    for n in fanout {
        total += n;
        idx.extend_from_slice(&total.to_be_bytes());
    }
    for (id, ..) in &entries {
        idx.extend_from_slice(id.as_bytes());
    }
    for (_, crc, _) in &entries {
        idx.extend_from_slice(&crc.to_be_bytes());
    }
    let mut large = Vec::new();
    for (.., at) in &entries {
        if *at < 1 << 31 {
            idx.extend_from_slice(&(*at as u32).to_be_bytes());
        } else {
            idx.extend_from_slice(&((1u32 << 31) | large.len() as u32).to_be_bytes());
            large.push(*at);
        }
    }
    for at in large {
        idx.extend_from_slice(&at.to_be_bytes());
    }
    idx.extend_from_slice(&sum);
    let idx_sum = sha1(&idx);
    idx.extend_from_slice(&idx_sum);
    let name: String = sum.iter().map(|b| format!("{b:02x}")).collect();
    let mut tmp_idx = tempfile::Builder::new()
        .prefix("tmp_idx_")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary index in {}", dir.display()))?;
    tmp_idx
        .write_all(&idx)
        .with_context(|| format!("cannot write a pack index in {}", dir.display()))?;
    for (tmp, ext) in [(tmp_pack, "pack"), (tmp_idx, "idx")] {
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o444))?;
        let to = dir.join(format!("pack-{name}.{ext}"));
        tmp.persist(&to)
            .with_context(|| format!("cannot write {}", to.display()))?;
    }
    Ok(())
}

fn sha1(bytes: &[u8]) -> [u8; 20] {
    let mut h = sha1_smol::Sha1::new();
    h.update(bytes);
    h.digest().bytes()
}

/// zlib's CRC-32 of `bytes`, continuing from `crc`.
fn crc32(bytes: &[u8], crc: u32) -> u32 {
    let mut crc = crc as libz_sys::uLong;
    for part in bytes.chunks(1 << 30) {
        // SAFETY: crc32 reads `len` bytes from the pointer of a slice of that length.
        crc = unsafe { libz_sys::crc32(crc, part.as_ptr(), part.len() as _) };
    }
    crc as u32
}

/// The tree objects of `index` as `git write-tree` makes them, the root's id first; the trees
/// `known` (HEAD's) does not hold at the same path go into `batch`. `None` when the index has
/// entries this leaves to libgit2 (a conflict, an intent-to-add or skip-worktree entry).
///
/// The caller vouches that every entry's object exists (HEAD's entries and blobs it wrote): the
/// entries are not looked up one by one, as libgit2's tree writer does for each of them.
pub fn index_tree(
    index: &git2::Index,
    known: Option<&git2::Tree<'_>>,
    batch: &mut Batch,
) -> Result<Option<Oid>> {
    /// One folder being filled: its path (empty for the root) and entries (name, mode, id).
    struct Open {
        path: Vec<u8>,
        entries: Vec<(Vec<u8>, u32, Oid)>,
    }
    const TREE: u32 = 0o040000;
    fn close(dir: Open, known: Option<&git2::Tree<'_>>, batch: &mut Batch) -> Result<Oid> {
        let mut entries = dir.entries;
        // Git's order: by name, a folder's name as if it ended with `/`.
        let key = |(name, mode, _): &(Vec<u8>, u32, Oid)| {
            let mut k = name.clone();
            if *mode == TREE {
                k.push(b'/');
            }
            k
        };
        entries.sort_by_cached_key(key);
        if let Some(w) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
            anyhow::bail!(
                "the index holds {:?} twice in one folder (as a file and as a folder?)",
                String::from_utf8_lossy(&w[0].0)
            );
        }
        let mut raw = Vec::with_capacity(entries.len() * 48);
        for (name, mode, id) in &entries {
            raw.extend_from_slice(format!("{mode:o} ").as_bytes());
            raw.extend_from_slice(name);
            raw.push(0);
            raw.extend_from_slice(id.as_bytes());
        }
        let id = Oid::hash_object(ObjectType::Tree, &raw)?;
        let stored = match known {
            Some(t) if dir.path.is_empty() => t.id() == id,
            Some(t) => std::str::from_utf8(&dir.path)
                .ok()
                .and_then(|p| t.get_path(std::path::Path::new(p)).ok())
                .is_some_and(|e| e.id() == id),
            None => false,
        };
        if !stored {
            batch.add(Deflated::hashed(id, ObjectType::Tree, &raw)?);
        }
        Ok(id)
    }
    /// Closes the innermost open folder (never the root) and enters it in its parent.
    fn close_top(
        stack: &mut Vec<Open>,
        known: Option<&git2::Tree<'_>>,
        batch: &mut Batch,
    ) -> Result<()> {
        let done = stack.pop().expect("a folder above the root is open");
        let from = done
            .path
            .iter()
            .rposition(|b| *b == b'/')
            .map_or(0, |i| i + 1);
        let name = done.path[from..].to_vec();
        let id = close(done, known, batch)?;
        stack
            .last_mut()
            .context("an index entry outside the root")?
            .entries
            .push((name, TREE, id));
        Ok(())
    }
    let mut stack = vec![Open {
        path: Vec::new(),
        entries: Vec::new(),
    }];
    for e in index.iter() {
        const STAGE: u16 = 0x3000;
        const INTENT_TO_ADD_OR_SKIP_WORKTREE: u16 = (1 << 13) | (1 << 14);
        if e.flags & STAGE != 0 || e.flags_extended & INTENT_TO_ADD_OR_SKIP_WORKTREE != 0 {
            return Ok(None);
        }
        let path = &e.path;
        let (dir, name) = match path.iter().rposition(|b| *b == b'/') {
            Some(i) => (&path[..i], &path[i + 1..]),
            None => (&path[..0], &path[..]),
        };
        // Close the folders this entry is not in.
        while let Some(top) = stack.last() {
            let inside = top.path.is_empty()
                || dir == &top.path[..]
                || (dir.starts_with(&top.path) && dir[top.path.len()] == b'/');
            if inside {
                break;
            }
            close_top(&mut stack, known, batch)?;
        }
        // Open the folders down to it.
        while stack.last().map(|t| t.path.len()) != Some(dir.len()) {
            let top = &stack.last().expect("the root stays").path;
            let from = if top.is_empty() { 0 } else { top.len() + 1 };
            let end = dir[from..]
                .iter()
                .position(|b| *b == b'/')
                .map_or(dir.len(), |i| from + i);
            stack.push(Open {
                path: dir[..end].to_vec(),
                entries: Vec::new(),
            });
        }
        if name.is_empty() {
            return Ok(None);
        }
        stack
            .last_mut()
            .expect("the root stays")
            .entries
            .push((name.to_vec(), e.mode, e.id));
    }
    while stack.len() > 1 {
        close_top(&mut stack, known, batch)?;
    }
    let root = stack.pop().expect("the root");
    Ok(Some(close(root, known, batch)?))
}

/// A pack entry's header: the type and the size, 4 bits then 7 bits a byte, low bits first.
fn entry_header(kind: ObjectType, size: usize) -> Vec<u8> {
    let code: u8 = match kind {
        ObjectType::Commit => 1,
        ObjectType::Tree => 2,
        ObjectType::Blob => 3,
        ObjectType::Tag => 4,
        _ => 3,
    };
    let mut out = Vec::with_capacity(4);
    let mut rest = size >> 4;
    let mut byte = (code << 4) | (size & 0x0f) as u8;
    while rest > 0 {
        out.push(byte | 0x80);
        byte = (rest & 0x7f) as u8;
        rest >>= 7;
    }
    out.push(byte);
    out
}

fn zlib(raw: &[u8]) -> Result<Vec<u8>> {
    // SAFETY: compressBound gives the largest output compress2 can write for this input; the
    // buffer has that size and compress2 writes the used length back.
    unsafe {
        let bound = libz_sys::compressBound(raw.len() as _);
        let mut out = vec![0u8; bound as usize];
        let mut len = bound;
        let r = libz_sys::compress2(
            out.as_mut_ptr(),
            &mut len,
            raw.as_ptr(),
            raw.len() as _,
            libz_sys::Z_BEST_SPEED,
        );
        anyhow::ensure!(
            r == libz_sys::Z_OK,
            "zlib could not compress an object ({r})"
        );
        out.truncate(len as usize);
        Ok(out)
    }
}

fn unzlib(zlib: &[u8], size: usize) -> Result<Vec<u8>> {
    // SAFETY: the buffer holds `size` bytes, the length given to uncompress, which writes at
    // most that many and the used length back.
    unsafe {
        let mut out = vec![0u8; size];
        let mut len = size as _;
        let r = libz_sys::uncompress(out.as_mut_ptr(), &mut len, zlib.as_ptr(), zlib.len() as _);
        anyhow::ensure!(
            r == libz_sys::Z_OK && len as usize == size,
            "zlib could not restore an object ({r})"
        );
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        (dir, repo)
    }

    fn contents(n: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| {
                let mut v = format!("file {i}\n").repeat(i % 40 + 1).into_bytes();
                if i % 7 == 0 {
                    v.extend((0..300u32).map(|b| (b * 31 + i as u32) as u8));
                }
                v
            })
            .collect()
    }

    fn pack_count(repo: &Repository) -> usize {
        std::fs::read_dir(repo.path().join("objects/pack"))
            .map(|d| {
                d.flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".pack"))
                    .count()
            })
            .unwrap_or(0)
    }

    #[test]
    fn many_objects_go_into_one_pack_and_read_back_as_given() {
        let (_d, repo) = repo();
        let blobs = contents(PACK_AT_LEAST + 50);
        let mut batch = Batch::default();
        for b in &blobs {
            batch.add(Deflated::new(ObjectType::Blob, b).unwrap());
        }
        // The same content twice is stored once.
        batch.add(Deflated::new(ObjectType::Blob, &blobs[3]).unwrap());
        assert_eq!(batch.len(), blobs.len());
        batch.write(&repo).unwrap();
        assert_eq!(pack_count(&repo), 1);
        // git reads the pack and its index as its own: checksums, CRCs, offsets, every object.
        let idx = std::fs::read_dir(repo.path().join("objects/pack"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "idx"))
            .unwrap();
        let out = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(repo.path())
            .args(["verify-pack", "-v"])
            .arg(&idx)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let listed = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            listed.lines().filter(|l| l.contains(" blob ")).count(),
            blobs.len()
        );
        for b in &blobs {
            let id = Oid::hash_object(ObjectType::Blob, b).unwrap();
            assert_eq!(repo.find_blob(id).unwrap().content(), &b[..]);
        }
        // Large sizes need several header bytes.
        let big = vec![b'x'; 3 << 20];
        assert_eq!(entry_header(ObjectType::Blob, big.len()).len(), 4);
    }

    #[test]
    fn few_objects_stay_loose() {
        let (_d, repo) = repo();
        let blobs = contents(5);
        let mut batch = Batch::default();
        for b in &blobs {
            batch.add(Deflated::new(ObjectType::Blob, b).unwrap());
        }
        batch.write(&repo).unwrap();
        assert_eq!(pack_count(&repo), 0);
        for b in &blobs {
            let id = Oid::hash_object(ObjectType::Blob, b).unwrap();
            let hex = id.to_string();
            assert!(
                repo.path()
                    .join("objects")
                    .join(&hex[..2])
                    .join(&hex[2..])
                    .is_file()
            );
            assert_eq!(repo.find_blob(id).unwrap().content(), &b[..]);
        }
    }
    #[test]
    fn index_tree_is_the_tree_libgit2_writes() {
        let (_d, repo) = repo();
        let mut index = repo.index().unwrap();
        let blob = repo.blob(b"x\n").unwrap();
        let entry = |path: &str, mode: u32| git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode,
            uid: 0,
            gid: 0,
            file_size: 0,
            id: blob,
            flags: path.len() as u16,
            flags_extended: 0,
            path: path.as_bytes().to_vec(),
        };
        // Names whose order differs between a plain sort and git's (a folder sorts as `name/`).
        for (p, m) in [
            ("a-b", 0o100644),
            ("a/b", 0o100644),
            ("a.c", 0o100755),
            ("a0", 0o120000),
            ("a/b-c/d", 0o100644),
            ("a/b.c/d/e/f", 0o100644),
            ("a/bc", 0o100644),
            ("z", 0o100644),
            ("deep/er/still/x", 0o100644),
        ] {
            index.add(&entry(p, m)).unwrap();
        }
        let mut batch = Batch::default();
        let id = index_tree(&index, None, &mut batch).unwrap().unwrap();
        assert_eq!(batch.len(), 9, "every folder is a new tree");
        batch.write(&repo).unwrap();
        assert_eq!(id, index.write_tree_to(&repo).unwrap());
        // Against that tree as HEAD's, only the folders that changed are new.
        let known = repo.find_tree(id).unwrap();
        index.add(&entry("deep/er/y", 0o100644)).unwrap();
        let mut batch = Batch::default();
        let id2 = index_tree(&index, Some(&known), &mut batch)
            .unwrap()
            .unwrap();
        assert_eq!(batch.len(), 3, "deep/er, deep and the root");
        batch.write(&repo).unwrap();
        assert_eq!(id2, index.write_tree_to(&repo).unwrap());
        // A conflict is left to libgit2.
        let mut theirs = entry("a-b", 0o100644);
        theirs.flags |= 2 << 12;
        index.add(&theirs).unwrap();
        assert!(
            index_tree(&index, None, &mut Batch::default())
                .unwrap()
                .is_none()
        );
    }
}
