//! The persistent context cache: what reading and parsing a file gave (its objects as the
//! reader keeps them after pruning, their identities, the marked lines, the parse error),
//! kept between runs so a pre-commit run (`check --context DIR FILES`) does not parse the
//! whole context folder again on every commit.
//!
//! One file per context folder, under the repository's `.git` folder (`.git/salint/`) when
//! the folder is in one, else in the user's cache folder: never in the working tree, so it
//! is never committed, and deleting it only costs the next run its speed. A file's entry
//! is used only when everything its value depends on is unchanged: the path, the size and
//! the modification time (nanoseconds) of the file, the role the run reads it in, whether
//! texts are kept, the size limit, and the build of salint (version, format, the binary's
//! own size and time: a rebuilt salint may read files differently). Anything else — a
//! cache file that is stale, truncated, corrupt, too large, written by another build, or
//! crafted — is a miss: the cache is checked by a magic, a format version, checksums and
//! bounds before anything is taken from it, every length is bounded by the bytes that are
//! there, trees are rebuilt without recursion to a bounded depth, and every span is checked
//! against its file. Writing is best effort (a temporary file renamed over the old one);
//! a failure changes nothing but the next run's time.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::parse::ParsedFile;
use super::InputError;
use crate::model::object::Object;
use crate::source::{FileRole, Line, SourceFile, Span};
use crate::yaml::{DuplicateKey, Entry, Node, Scalar, ScalarStyle, Value};

/// The first bytes of a cache file.
const MAGIC: &[u8; 8] = b"SALINTC\x00";

/// The layout of the entries; a change to what is stored bumps it, and older files are
/// misses.
const FORMAT_VERSION: u32 = 3;

/// A cache file larger than this is not read (nor trusted): a context folder's entries
/// take a fraction of its bytes.
const MAX_CACHE_FILE: u64 = 1 << 30;

/// Trees deeper than this are not rebuilt from the cache (the parser stops at 255 levels).
const MAX_DEPTH: usize = 1024;

/// A file modified this recently is not stored: another write within the file system's
/// time granularity could leave its size and time as they were.
const RACY_MARGIN: Duration = Duration::from_secs(1);

/// The size and modification time of a file when it was looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    size: u64,
    mtime_ns: u64,
    /// The inode's change time (Unix): every write and `touch -d` sets it, and no call
    /// sets it back, so a file rewritten with its old size and time (`cp -p`, `rsync -t`,
    /// `tar x`) is still seen to have changed, as git's index sees it.
    ctime_ns: u64,
    /// The inode and device (Unix): a file replaced by another one.
    inode: u64,
    device: u64,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let metadata = std::fs::metadata(path).ok()?;
        if !metadata.is_file() {
            return None;
        }
        let mtime = metadata.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        let (ctime_ns, inode, device) = change_identity(&metadata);
        Some(Stamp {
            size: metadata.len(),
            mtime_ns: u64::try_from(mtime.as_nanos()).ok()?,
            ctime_ns,
            inode,
            device,
        })
    }
}

#[cfg(unix)]
fn change_identity(metadata: &std::fs::Metadata) -> (u64, u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let ctime_ns = u64::try_from(metadata.ctime())
        .unwrap_or(0)
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::try_from(metadata.ctime_nsec()).unwrap_or(0));
    (ctime_ns, metadata.ino(), metadata.dev())
}

#[cfg(not(unix))]
fn change_identity(_metadata: &std::fs::Metadata) -> (u64, u64, u64) {
    (0, 0, 0)
}

/// What an entry is keyed by, besides its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Key {
    size: u64,
    mtime_ns: u64,
    ctime_ns: u64,
    inode: u64,
    device: u64,
    role: u8,
    keep_text: bool,
    max_file_size: u64,
}

/// One entry of a cache file's index: the key and where its value lies in the values.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct IndexEntry {
    path: String,
    key: Key,
    offset: u64,
    len: u64,
    checksum: u64,
}

/// The outcome of a look-up.
pub(crate) enum Lookup {
    Hit(Box<ParsedFile>),
    /// Not cached (or stale): read the file; the stamp says what to store it under.
    Miss(Option<Stamp>),
}

/// A run's cache: the entries of the file read at the start, and what this run read anew.
pub struct ContextCache {
    location: PathBuf,
    stamp: String,
    started: SystemTime,
    values: Vec<u8>,
    entries: Vec<IndexEntry>,
    by_path: HashMap<String, usize>,
    used: Vec<AtomicBool>,
    fresh: Mutex<Vec<(String, Key, Vec<u8>)>>,
    /// The files taken from the cache, by display path, with their entries: their trees
    /// are decoded only when a judged cluster reads them ([`ContextCache::hydrate`]).
    hits: Mutex<HashMap<String, usize>>,
    /// The files the run names (absolute paths): new entries for them alone do not
    /// rewrite the cache file (see [`ContextCache::save`]).
    named: std::collections::HashSet<String>,
}

impl std::fmt::Debug for ContextCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextCache")
            .field("location", &self.location)
            .field("entries", &self.entries.len())
            .finish()
    }
}

impl ContextCache {
    /// The cache of a context folder, with the entries of its file when that file is
    /// sound and of this build; `None` when there is nowhere to keep one.
    pub fn open(context: &Path) -> Option<ContextCache> {
        if crate::model::object::keeps_unread_parts() {
            return None; // a test's switch: what is read differs from what is stored
        }
        let location = location(context)?;
        Some(ContextCache::at(location, build_stamp()))
    }

    /// The cache kept in the file `location`, for a build described by `stamp`.
    pub(crate) fn at(location: PathBuf, stamp: String) -> ContextCache {
        let (values, entries) = read_cache_file(&location, &stamp).unwrap_or_default();
        let by_path = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| (entry.path.clone(), i))
            .collect();
        let used = entries.iter().map(|_| AtomicBool::new(false)).collect();
        ContextCache {
            location,
            stamp,
            started: SystemTime::now(),
            values,
            entries,
            by_path,
            used,
            fresh: Mutex::new(Vec::new()),
            hits: Mutex::new(HashMap::new()),
            named: std::collections::HashSet::new(),
        }
    }

    /// Says which files the run names. A pre-commit run names the staged files, which
    /// change with every commit: storing their new entries alone would rewrite the whole
    /// cache file on every commit to save one small parse, so such a run writes nothing.
    pub fn name_files<'p>(&mut self, paths: impl IntoIterator<Item = &'p Path>) {
        self.named.extend(paths.into_iter().filter_map(|path| {
            let absolute = std::path::absolute(path).ok()?;
            Some(
                crate::kustomize::file::normalize(&absolute)
                    .to_str()?
                    .to_string(),
            )
        }));
    }

    /// Where the cache is kept.
    pub fn location(&self) -> &Path {
        &self.location
    }

    /// The bytes of an entry's value, if the index places it in the file.
    fn value_of(&self, entry: &IndexEntry) -> Option<&[u8]> {
        let start = usize::try_from(entry.offset).ok()?;
        let end = start.checked_add(usize::try_from(entry.len).ok()?)?;
        self.values.get(start..end)
    }

    /// The file at `path` (absolute) as an earlier run read it for `role`, if nothing it
    /// depends on changed since.
    pub(crate) fn lookup(
        &self,
        path: &Path,
        display: &str,
        role: FileRole,
        options: &super::ReadOptions,
    ) -> Lookup {
        let Some(stamp) = Stamp::of(path) else {
            return Lookup::Miss(None);
        };
        let hit = path.to_str().and_then(|name| {
            let &i = self.by_path.get(name)?;
            let entry = &self.entries[i];
            if entry.key != key_of(stamp, role, options) {
                return None;
            }
            let bytes = self.value_of(entry)?;
            if checksum(bytes) != entry.checksum {
                return None;
            }
            let parsed = decode(split(bytes)?.0, display)?;
            self.used[i].store(true, Ordering::Relaxed);
            self.hits
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .insert(display.to_string(), i);
            Some(parsed)
        });
        match hit {
            Some(parsed) => Lookup::Hit(Box::new(parsed)),
            None => Lookup::Miss(Some(stamp)),
        }
    }

    /// Keeps what reading the file at `path` gave, when the file is as it was at the
    /// look-up (`stamp`) and was not modified just now.
    pub(crate) fn remember(
        &self,
        path: &Path,
        stamp: Stamp,
        role: FileRole,
        options: &super::ReadOptions,
        parsed: &ParsedFile,
    ) {
        let Some(name) = path.to_str() else { return };
        if Stamp::of(path) != Some(stamp) {
            return;
        }
        let modified = UNIX_EPOCH + Duration::from_nanos(stamp.mtime_ns);
        if modified + RACY_MARGIN > self.started {
            return;
        }
        let Some(bytes) = encode(parsed) else { return };
        let key = key_of(stamp, role, options);
        self.fresh
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((name.to_string(), key, bytes));
    }

    /// Puts the trees of the cached files among `files` in place of the placeholders
    /// [`ContextCache::lookup`] left (each object's mapping empty but for its span). Until
    /// then a cached object is its identity: what deciding the clusters needs; the files
    /// of the clusters judged need their trees. A file whose trees do not decode (only a
    /// crafted cache gets past the checksums) is read and parsed again.
    pub fn hydrate(&self, inputs: &mut super::Inputs, files: &[crate::source::FileId]) {
        let hits = std::mem::take(
            &mut *self
                .hits
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        if hits.is_empty() {
            return;
        }
        // A file's objects are consecutive, in file order.
        let mut first = vec![usize::MAX; inputs.files.len()];
        let mut count = vec![0usize; inputs.files.len()];
        for object in &inputs.objects {
            if let Some(c) = count.get_mut(object.file) {
                if *c == 0 {
                    first[object.file] = object.index;
                }
                *c += 1;
            }
        }
        let mut wanted: Vec<(crate::source::FileId, usize)> = files
            .iter()
            .filter(|&&file| count.get(file).is_some_and(|&c| c > 0))
            .filter_map(|&file| Some((file, *hits.get(&inputs.files[file].display)?)))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let files_read = &inputs.files;
        let trees: Vec<(crate::source::FileId, Option<Vec<Node>>)> = {
            use rayon::prelude::*;
            wanted
                .par_iter()
                .map(|&(file, entry)| {
                    let decoded = self
                        .trees_of(entry, &files_read[file])
                        .filter(|trees| trees.len() == count[file])
                        .or_else(|| self.parse_again(entry, &files_read[file].display))
                        .filter(|trees| trees.len() == count[file]);
                    (file, decoded)
                })
                .collect()
        };
        for (file, trees) in trees {
            let Some(trees) = trees else { continue };
            for (offset, root) in trees.into_iter().enumerate() {
                inputs.objects[first[file] + offset].root = root;
            }
        }
    }

    /// The trees of an entry's objects, checked against its file.
    fn trees_of(&self, entry: usize, file: &SourceFile) -> Option<Vec<Node>> {
        let bytes = self.value_of(&self.entries[entry])?;
        let stored: Vec<Vec<StoredNode>> = postcard::from_bytes(split(bytes)?.1).ok()?;
        let text = (!file.text.is_empty()).then_some(file.text.as_str());
        let span = span_checker(text);
        stored
            .into_iter()
            .map(|nodes| rebuild(nodes, &span))
            .collect()
    }

    /// The trees of an entry's file, read and parsed again as a miss would be.
    fn parse_again(&self, entry: usize, display: &str) -> Option<Vec<Node>> {
        let entry = &self.entries[entry];
        let bytes = super::read::read_file(Path::new(&entry.path), entry.key.max_file_size).ok()?;
        let parsed = super::parse::parse_bytes(display.to_string(), bytes);
        let parsed = match entry.key.role == FileRole::Manifest as u8 {
            true => parsed.without_unused_trees(),
            false => parsed,
        };
        Some(parsed.objects.into_iter().map(|o| o.root).collect())
    }

    /// Writes the entries of the file with this run's new ones, when there are new ones
    /// or files gone: an entry this run did not use is kept while its file is there (a
    /// run naming other files reads other files outside the context; a stale entry is
    /// a miss, then replaced). Best effort: a failure leaves the old file or none.
    pub fn save(&self) {
        let fresh = std::mem::take(
            &mut *self
                .fresh
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        let kept_entry: Vec<bool> = self
            .entries
            .iter()
            .zip(&self.used)
            .map(|(entry, used)| used.load(Ordering::Relaxed) || Path::new(&entry.path).is_file())
            .collect();
        let only_named = fresh.iter().all(|(path, _, _)| self.named.contains(path));
        if only_named && kept_entry.iter().all(|&k| k) {
            return;
        }
        let mut kept: Vec<(&str, Key, &[u8])> = Vec::new();
        for (i, entry) in self.entries.iter().enumerate() {
            if !kept_entry[i] {
                continue;
            }
            // An entry no run looked up is carried over as it is, if it lies in the file.
            let Some(bytes) = self.value_of(entry) else {
                continue;
            };
            kept.push((&entry.path, entry.key, bytes));
        }
        // This run's entries first: a stable sort keeps them ahead of the file's for the
        // same path, and the later duplicates go.
        let mut all: Vec<(&str, Key, &[u8])> = fresh
            .iter()
            .map(|(path, key, bytes)| (path.as_str(), *key, bytes.as_slice()))
            .collect();
        all.extend(kept);
        let mut kept = all;
        kept.sort_by(|a, b| a.0.cmp(b.0));
        kept.dedup_by(|later, first| later.0 == first.0);
        let _ = write_cache_file(&self.location, &self.stamp, &kept);
    }
}

fn key_of(stamp: Stamp, role: FileRole, options: &super::ReadOptions) -> Key {
    Key {
        size: stamp.size,
        mtime_ns: stamp.mtime_ns,
        ctime_ns: stamp.ctime_ns,
        inode: stamp.inode,
        device: stamp.device,
        role: role as u8,
        keep_text: options.keep_text,
        max_file_size: options.max_file_size,
    }
}

/// What the cached values were made by: salint's version, the format, and the binary
/// itself (its size and time), since a build between two releases may read files
/// differently under the same version.
fn build_stamp() -> String {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| Stamp::of(&exe))
        .map_or_else(String::new, |s| format!("{}:{}", s.size, s.mtime_ns));
    format!(
        "salint {} format {FORMAT_VERSION} binary {binary}",
        env!("CARGO_PKG_VERSION")
    )
}

/// The cache file of a context folder: named by the folder's real path, in the `.git`
/// folder of the repository holding it, else in the user's cache folder.
fn location(context: &Path) -> Option<PathBuf> {
    let context = std::fs::canonicalize(context).ok()?;
    let name = format!(
        "cache-{:016x}.bin",
        checksum(context.as_os_str().as_encoded_bytes())
    );
    let folder = match git_folder(&context) {
        Some(git) => git.join("salint"),
        None => dirs::cache_dir()?.join("salint"),
    };
    Some(folder.join(name))
}

/// The `.git` folder of the repository holding `folder`: `.git` itself, or where a
/// `.git` file points (a worktree, a submodule).
fn git_folder(folder: &Path) -> Option<PathBuf> {
    for dir in folder.ancestors() {
        let dot_git = dir.join(".git");
        let Ok(metadata) = std::fs::metadata(&dot_git) else {
            continue;
        };
        if metadata.is_dir() {
            return Some(dot_git);
        }
        if metadata.is_file() && metadata.len() < 4096 {
            let text = std::fs::read_to_string(&dot_git).ok()?;
            let target = text.strip_prefix("gitdir:")?.trim();
            let target = dir.join(target);
            // Only a real git folder (it holds HEAD): a `.git` file is repository content,
            // and must not send the cache into any folder it names.
            return target.join("HEAD").is_file().then_some(target);
        }
        return None;
    }
    None
}

/// A checksum of bytes (the cache's integrity check, against damage rather than intent:
/// what a hostile file can do is bounded by the checks on decoding).
fn checksum(bytes: &[u8]) -> u64 {
    let mut hasher = foldhash::fast::FixedState::with_seed(0x5a11_9c0d_e0ca_c4e1).build_hasher();
    hasher.write(bytes);
    hasher.write_usize(bytes.len());
    hasher.finish()
}

/// The header: magic, format, the build stamp, the index's and values' lengths, and the
/// index's checksum.
fn header(stamp: &str, index_len: u64, values_len: u64, index_checksum: u64) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(40 + stamp.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(stamp.len() as u32).to_le_bytes());
    bytes.extend_from_slice(stamp.as_bytes());
    bytes.extend_from_slice(&index_len.to_le_bytes());
    bytes.extend_from_slice(&values_len.to_le_bytes());
    bytes.extend_from_slice(&index_checksum.to_le_bytes());
    bytes
}

/// The bytes and index of a cache file (offsets into those bytes), if it is whole, sound
/// and of this build.
fn read_cache_file(location: &Path, stamp: &str) -> Option<(Vec<u8>, Vec<IndexEntry>)> {
    // Only a regular file, opened without following a link and without blocking: a FIFO
    // or a device put at this path must not hang the run.
    if !std::fs::symlink_metadata(location).ok()?.is_file() {
        return None;
    }
    let file = open_regular(location)?;
    let metadata = file.metadata().ok()?;
    if !metadata.is_file() {
        return None;
    }
    let size = metadata.len();
    if size > MAX_CACHE_FILE {
        return None;
    }
    let bytes = super::read::read_within(file, MAX_CACHE_FILE, size, |e| e.to_string()).ok()?;
    let expected = header(stamp, 0, 0, 0);
    let fixed = expected.len() - 24;
    if bytes.get(..fixed)? != &expected[..fixed] {
        return None;
    }
    let number = |at: usize| -> Option<u64> {
        Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
    };
    let index_len = usize::try_from(number(fixed)?).ok()?;
    let values_len = usize::try_from(number(fixed + 8)?).ok()?;
    let index_checksum = number(fixed + 16)?;
    let index_start = fixed + 24;
    let values_start = index_start.checked_add(index_len)?;
    if values_start.checked_add(values_len)? != bytes.len() {
        return None; // truncated, or more than was written
    }
    let index = &bytes[index_start..values_start];
    if checksum(index) != index_checksum {
        return None;
    }
    let mut entries: Vec<IndexEntry> = postcard::from_bytes(index).ok()?;
    // Offsets into the whole file from here on: moving tens of MB to drop the header
    // would cost more than reading them.
    for entry in &mut entries {
        entry.offset = entry.offset.checked_add(values_start as u64)?;
    }
    Some((bytes, entries))
}

#[cfg(unix)]
fn open_regular(location: &Path) -> Option<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(location)
        .ok()
}

#[cfg(not(unix))]
fn open_regular(location: &Path) -> Option<std::fs::File> {
    std::fs::File::open(location).ok()
}

/// Writes a cache file of `entries` (path, key, value), sorted by path, atomically.
fn write_cache_file(
    location: &Path,
    stamp: &str,
    entries: &[(&str, Key, &[u8])],
) -> std::io::Result<()> {
    let folder = location
        .parent()
        .ok_or_else(|| std::io::Error::other("no folder"))?;
    std::fs::create_dir_all(folder)?;
    // A folder put there as a link (to anywhere) is not written through.
    if std::fs::symlink_metadata(folder)?.file_type().is_symlink() {
        return Err(std::io::Error::other("the cache folder is a symbolic link"));
    }
    let mut index = Vec::with_capacity(entries.len());
    let mut offset = 0u64;
    for (path, key, bytes) in entries {
        index.push(IndexEntry {
            path: path.to_string(),
            key: *key,
            offset,
            len: bytes.len() as u64,
            checksum: checksum(bytes),
        });
        offset += bytes.len() as u64;
    }
    let index = postcard::to_allocvec(&index).map_err(std::io::Error::other)?;
    let mut out = tempfile::NamedTempFile::new_in(folder)?;
    {
        let mut writer = std::io::BufWriter::new(out.as_file_mut());
        writer.write_all(&header(stamp, index.len() as u64, offset, checksum(&index)))?;
        writer.write_all(&index)?;
        for (_, _, bytes) in entries {
            writer.write_all(bytes)?;
        }
        writer.flush()?;
    }
    out.persist(location).map_err(|e| e.error)?;
    Ok(())
}

// What one file's value holds: `ParsedFile` without what the run computes itself (the
// display path, ids, the role and real path, which the caller sets).

#[derive(Serialize, Deserialize)]
struct StoredFile {
    source: Option<StoredSource>,
    objects: Vec<StoredObject>,
    error: Option<StoredError>,
}

#[derive(Serialize, Deserialize)]
struct StoredSource {
    text: String,
    len: usize,
    /// The line table of a file whose text was let go of.
    line_starts: Option<Vec<usize>>,
    marked_lines: Vec<(usize, usize, String)>,
}

#[derive(Serialize, Deserialize)]
struct StoredObject {
    head: (usize, usize),
    /// The span of the object's mapping (its tree is stored apart, see [`encode`]).
    span: (usize, usize),
    api_version: String,
    kind: String,
    name: String,
    declared_namespace: Option<String>,
    origin: Option<String>,
    duplicate_keys: Vec<(String, (usize, usize), Option<String>)>,
}

/// A tree's node in pre-order; a collection is followed by its items (a mapping by each
/// entry's key and value).
#[derive(Serialize, Deserialize)]
enum StoredNode {
    Scalar {
        span: (usize, usize),
        text: String,
        style: u8,
        tag: Option<String>,
    },
    Seq {
        span: (usize, usize),
        len: usize,
    },
    Map {
        span: (usize, usize),
        len: usize,
    },
}

#[derive(Serialize, Deserialize)]
struct StoredError {
    span: Option<(usize, usize)>,
    message: String,
}

fn pair(span: Span) -> (usize, usize) {
    (span.start, span.end)
}

fn style_code(style: ScalarStyle) -> u8 {
    match style {
        ScalarStyle::Plain => 0,
        ScalarStyle::SingleQuoted => 1,
        ScalarStyle::DoubleQuoted => 2,
        ScalarStyle::Literal => 3,
        ScalarStyle::Folded => 4,
    }
}

fn style_of(code: u8) -> Option<ScalarStyle> {
    Some(match code {
        0 => ScalarStyle::Plain,
        1 => ScalarStyle::SingleQuoted,
        2 => ScalarStyle::DoubleQuoted,
        3 => ScalarStyle::Literal,
        4 => ScalarStyle::Folded,
        _ => return None,
    })
}

/// A value's two parts: the file and its objects' identities, then their trees.
fn split(value: &[u8]) -> Option<(&[u8], &[u8])> {
    let head_len = u32::from_le_bytes(value.get(..4)?.try_into().ok()?);
    let rest = &value[4..];
    let head_len = usize::try_from(head_len).ok()?;
    (head_len <= rest.len()).then(|| rest.split_at(head_len))
}

/// A parsed file as a cache value: the file and the objects' identities (decoded for
/// every file of the context), then the objects' trees (decoded for the files judged).
fn encode(parsed: &ParsedFile) -> Option<Vec<u8>> {
    let source = parsed.source.as_ref().map(|file| {
        let (len, _, line_starts) = file.kept_parts();
        StoredSource {
            text: file.text.to_string(),
            len,
            line_starts: line_starts.map(<[usize]>::to_vec),
            marked_lines: file
                .marked_lines
                .iter()
                .map(|line| (line.number, line.start, line.text.to_string()))
                .collect(),
        }
    });
    let objects = parsed
        .objects
        .iter()
        .map(|object| StoredObject {
            head: pair(object.head),
            span: pair(object.root.span),
            api_version: object.api_version.clone(),
            kind: object.kind.clone(),
            name: object.name.clone(),
            declared_namespace: object.declared_namespace.clone(),
            origin: object.origin.clone(),
            duplicate_keys: object
                .duplicate_keys
                .iter()
                .map(|d| {
                    (
                        d.key.to_string(),
                        pair(d.span),
                        d.kept_value.as_deref().map(str::to_string),
                    )
                })
                .collect(),
        })
        .collect();
    let error = parsed.error.as_ref().map(|error| StoredError {
        span: error.span.map(pair),
        message: error.message.clone(),
    });
    let head = postcard::to_allocvec(&StoredFile {
        source,
        objects,
        error,
    })
    .ok()?;
    let trees: Vec<Vec<StoredNode>> = parsed.objects.iter().map(|o| flatten(&o.root)).collect();
    let trees = postcard::to_allocvec(&trees).ok()?;
    let mut value = Vec::with_capacity(4 + head.len() + trees.len());
    value.extend_from_slice(&u32::try_from(head.len()).ok()?.to_le_bytes());
    value.extend_from_slice(&head);
    value.extend_from_slice(&trees);
    Some(value)
}

/// A tree in pre-order, without recursion.
fn flatten(root: &Node) -> Vec<StoredNode> {
    let mut nodes = Vec::new();
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        let span = pair(node.span);
        match &node.value {
            Value::Scalar(scalar) => nodes.push(StoredNode::Scalar {
                span,
                text: scalar.text.to_string(),
                style: style_code(scalar.style),
                tag: scalar.tag.as_deref().map(str::to_string),
            }),
            Value::Seq(items) => {
                nodes.push(StoredNode::Seq {
                    span,
                    len: items.len(),
                });
                pending.extend(items.iter().rev());
            }
            Value::Map(entries) => {
                nodes.push(StoredNode::Map {
                    span,
                    len: entries.len(),
                });
                for entry in entries.iter().rev() {
                    pending.push(&entry.value);
                    pending.push(&entry.key);
                }
            }
        }
    }
    nodes
}

/// Spans into a text that is there must lie in it, on character boundaries (they are
/// sliced); a file without text has positions clamped to its length.
fn span_checker(text: Option<&str>) -> impl Fn((usize, usize)) -> Option<Span> + '_ {
    move |(start, end)| {
        if start > end {
            return None;
        }
        if let Some(text) = text {
            if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
                return None;
            }
        }
        Some(Span::new(start, end))
    }
}

/// The first part of a cache value as the parsed file it was, checked, each object's
/// tree a placeholder (see [`ContextCache::hydrate`]): `None` when anything in it could
/// not have come from reading a file.
fn decode(bytes: &[u8], display: &str) -> Option<ParsedFile> {
    let stored: StoredFile = postcard::from_bytes(bytes).ok()?;
    if let Some(source) = &stored.source {
        if source.marked_lines.iter().any(|l| l.1 > source.len) {
            return None;
        }
        let sound = match &source.line_starts {
            Some(starts) => {
                source.text.is_empty()
                    && starts.first() == Some(&0)
                    && starts.windows(2).all(|w| w[0] < w[1])
                    && starts.last().is_some_and(|&last| last <= source.len)
            }
            None => source.len == source.text.len(),
        };
        if !sound {
            return None;
        }
    }
    let text = stored
        .source
        .as_ref()
        .map(|s| s.text.as_str())
        .filter(|t| !t.is_empty());
    let span = span_checker(text);
    let mut objects = Vec::with_capacity(stored.objects.len().min(bytes.len()));
    for object in stored.objects {
        let duplicate_keys = object
            .duplicate_keys
            .into_iter()
            .map(|(key, at, kept_value)| {
                Some(DuplicateKey {
                    key: key.into_boxed_str(),
                    span: span(at)?,
                    kept_value: kept_value.map(String::into_boxed_str),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        objects.push(Object {
            file: 0,
            index: 0,
            head: span(object.head)?,
            root: Node {
                span: span(object.span)?,
                value: Value::Map(Box::new([])),
            },
            api_version: object.api_version,
            kind: object.kind,
            name: object.name,
            declared_namespace: object.declared_namespace,
            origin: object.origin,
            duplicate_keys,
        });
    }
    let error = match stored.error {
        Some(error) => Some(InputError {
            path: display.to_string(),
            file: None,
            span: match error.span {
                Some(at) => Some(span(at)?),
                None => None,
            },
            message: error.message,
        }),
        None => None,
    };
    drop(span);
    let source = stored.source.map(|source| {
        let marked_lines = source
            .marked_lines
            .into_iter()
            .map(|(number, start, text)| Line {
                number,
                start,
                text: text.into_boxed_str(),
            })
            .collect();
        SourceFile::from_kept_parts(
            display.to_string(),
            source.text,
            source.len,
            source.line_starts,
            marked_lines,
        )
    });
    Some(ParsedFile {
        source,
        objects,
        error,
    })
}

/// A collection being rebuilt: its span, whether a mapping, how many nodes it takes and
/// those it has.
struct Open {
    span: Span,
    map: bool,
    wanted: usize,
    items: Vec<Node>,
}

impl Open {
    fn close(self) -> Node {
        let value = if self.map {
            let mut entries = Vec::with_capacity(self.items.len() / 2);
            let mut items = self.items.into_iter();
            while let (Some(key), Some(value)) = (items.next(), items.next()) {
                entries.push(Entry { key, value });
            }
            Value::Map(entries.into_boxed_slice())
        } else {
            Value::Seq(self.items.into_boxed_slice())
        };
        Node {
            span: self.span,
            value,
        }
    }
}

/// A tree from its pre-order, without recursion: `None` unless the nodes make exactly one
/// tree no deeper than [`MAX_DEPTH`] with sound spans.
fn rebuild(nodes: Vec<StoredNode>, span: &dyn Fn((usize, usize)) -> Option<Span>) -> Option<Node> {
    let total = nodes.len();
    let mut open: Vec<Open> = Vec::new();
    let mut root = None;
    for (i, stored) in nodes.into_iter().enumerate() {
        if root.is_some() {
            return None; // nodes after the tree
        }
        let remaining = total - i - 1;
        let (at, map, len) = match stored {
            StoredNode::Scalar {
                span: at,
                text,
                style,
                tag,
            } => {
                let node = Node {
                    span: span(at)?,
                    value: Value::Scalar(Scalar {
                        text: text.into_boxed_str(),
                        style: style_of(style)?,
                        tag: tag.map(String::into_boxed_str),
                    }),
                };
                root = attach(&mut open, node);
                continue;
            }
            StoredNode::Seq { span: at, len } => (at, false, len),
            StoredNode::Map { span: at, len } => (at, true, len),
        };
        let wanted = if map { len.checked_mul(2)? } else { len };
        if wanted > remaining || open.len() >= MAX_DEPTH {
            return None;
        }
        let collection = Open {
            span: span(at)?,
            map,
            wanted,
            items: Vec::with_capacity(wanted),
        };
        if wanted == 0 {
            root = attach(&mut open, collection.close());
        } else {
            open.push(collection);
        }
    }
    match open.is_empty() {
        true => root,
        false => None,
    }
}

/// Adds a finished node to the innermost open collection, closing those it completes;
/// the node that completes the tree is returned.
fn attach(open: &mut Vec<Open>, mut node: Node) -> Option<Node> {
    loop {
        let Some(innermost) = open.last_mut() else {
            return Some(node);
        };
        innermost.items.push(node);
        if innermost.items.len() < innermost.wanted {
            return None;
        }
        node = open.pop().expect("innermost is there").close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::parse::parse_bytes;

    /// Everything a run reads of a parsed file, as text, to compare two of them.
    fn described(parsed: &ParsedFile) -> String {
        let source = parsed.source.as_ref().map(|file| {
            let positions: Vec<_> = (0..file.kept_parts().0 + 2)
                .map(|offset| file.position(offset))
                .collect();
            format!(
                "{:?} {:?} {:?} {:?} {:?}",
                file.display,
                file.text,
                file.kept_parts().0,
                file.marked_lines,
                positions
            )
        });
        format!(
            "{source:?}\n{:?}\n{:?}",
            parsed.objects,
            parsed
                .error
                .as_ref()
                .map(|e| (&e.path, e.file, e.span, &e.message))
        )
    }

    /// A whole cache value decoded: the file, and its objects' trees in place.
    fn decode_whole(value: &[u8], display: &str) -> Option<ParsedFile> {
        let (head, trees) = split(value)?;
        let mut parsed = decode(head, display)?;
        let stored: Vec<Vec<StoredNode>> = postcard::from_bytes(trees).ok()?;
        let text = parsed.source.as_ref().map(|s| s.text.to_string());
        let span = span_checker(text.as_deref().filter(|t| !t.is_empty()));
        let roots: Vec<Node> = stored
            .into_iter()
            .map(|nodes| rebuild(nodes, &span))
            .collect::<Option<_>>()?;
        if roots.len() != parsed.objects.len() {
            return None;
        }
        for (object, root) in parsed.objects.iter_mut().zip(roots) {
            object.root = root;
        }
        Some(parsed)
    }

    /// A value's first part changed by `change`, the trees kept.
    fn with_head(value: &[u8], change: impl Fn(&mut StoredFile)) -> Vec<u8> {
        let (head, trees) = split(value).unwrap();
        let mut stored: StoredFile = postcard::from_bytes(head).unwrap();
        change(&mut stored);
        let head = postcard::to_allocvec(&stored).unwrap();
        let mut changed = (head.len() as u32).to_le_bytes().to_vec();
        changed.extend_from_slice(&head);
        changed.extend_from_slice(trees);
        changed
    }

    const TEXTS: &[&str] = &[
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, namespace: shop}\n",
        "# salint: ignore[SA101] why\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations: {ignore.salint.io/SA102: ok}\nspec:\n  template:\n    spec:\n      serviceAccountName: sa\n      containers: [{name: c, image: 'i', volumeMounts: [{name: t, mountPath: /x}]}]\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n---\nkind: Secret\napiVersion: v1\nmetadata: {name: s, name: t}\ntype: kubernetes.io/service-account-token\ndata: {a: b}\n",
        "apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: []}}\n",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: ü, labels: !!map {a: \"é\"}}\nspec: {containers: [], serviceAccountName: |\n    x\n  }\n",
        "apiVersion: v1\nkind: Role\nmetadata: {name: r}\nrules: [{verbs: [get], resources: [pods]}]\n---\nkind: [unclosed\n",
        "",
        "not: an object\n",
    ];

    #[test]
    fn a_value_decodes_to_the_file_it_was_read_as() {
        for text in TEXTS {
            for let_go in [false, true] {
                let mut parsed = parse_bytes("f.yaml".into(), text.as_bytes().to_vec());
                if let_go {
                    parsed.source.as_mut().unwrap().let_go_of_text();
                }
                let bytes = encode(&parsed).unwrap();
                let decoded = decode_whole(&bytes, "f.yaml").expect(text);
                assert_eq!(described(&decoded), described(&parsed), "{text}");
            }
            // The unused text dropped, as manifests are read.
            let parsed =
                parse_bytes("f.yaml".into(), text.as_bytes().to_vec()).without_unused_trees();
            let decoded = decode_whole(&encode(&parsed).unwrap(), "f.yaml").unwrap();
            assert_eq!(described(&decoded), described(&parsed), "{text}");
        }
    }

    #[test]
    fn damaged_values_are_refused_without_a_panic() {
        let text = TEXTS[1];
        let parsed = parse_bytes("f.yaml".into(), text.as_bytes().to_vec());
        let bytes = encode(&parsed).unwrap();
        assert!(decode_whole(&bytes, "f.yaml").is_some());
        // Every truncation, and every single byte changed, decodes to a miss or to a file
        // (a change that still makes sense: the checksums catch those), never a panic.
        let mut refused = 0;
        for cut in 0..bytes.len() {
            refused += usize::from(decode_whole(&bytes[..cut], "f.yaml").is_none());
        }
        assert_eq!(refused, bytes.len());
        for at in 0..bytes.len() {
            for value in [0u8, 1, 0x7f, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[at] = value;
                let _ = decode_whole(&damaged, "f.yaml");
            }
        }
    }

    #[test]
    fn trees_too_deep_or_malformed_are_refused() {
        let scalar = |n| StoredNode::Scalar {
            span: (n, n),
            text: String::new(),
            style: 0,
            tag: None,
        };
        let any = |s: (usize, usize)| Some(Span::new(s.0, s.1));
        // 100,000 nested sequences: no stack overflow, a refusal.
        let mut deep: Vec<StoredNode> = (0..100_000)
            .map(|_| StoredNode::Seq {
                span: (0, 0),
                len: 1,
            })
            .collect();
        deep.push(scalar(0));
        assert!(rebuild(deep, &any).is_none());
        // A length past the nodes that are there, nodes after the tree, nothing at all.
        let long = vec![
            StoredNode::Map {
                span: (0, 1),
                len: usize::MAX,
            },
            scalar(0),
        ];
        assert!(rebuild(long, &any).is_none());
        assert!(rebuild(vec![scalar(0), scalar(1)], &any).is_none());
        assert!(rebuild(Vec::new(), &any).is_none());
        let fine = vec![
            StoredNode::Map {
                span: (0, 4),
                len: 1,
            },
            scalar(0),
            scalar(3),
        ];
        assert!(rebuild(fine, &any).is_some());
    }

    #[test]
    fn spans_outside_the_text_are_refused() {
        let parsed = parse_bytes("f.yaml".into(), TEXTS[0].as_bytes().to_vec());
        let value = encode(&parsed).unwrap();
        assert!(decode_whole(&with_head(&value, |_| {}), "f.yaml").is_some());
        let past_the_end = with_head(&value, |s| s.objects[0].head = (0, TEXTS[0].len() + 1));
        assert!(decode_whole(&past_the_end, "f.yaml").is_none());
        // Inside a character, in the identities or in a tree.
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: ü}\n";
        let parsed = parse_bytes("f.yaml".into(), text.as_bytes().to_vec());
        let value = encode(&parsed).unwrap();
        let inside = text.find('ü').unwrap() + 1;
        let split_char = with_head(&value, |s| s.objects[0].head = (inside, inside));
        assert!(decode_whole(&split_char, "f.yaml").is_none());
        let span = span_checker(Some(text));
        assert!(span((inside - 1, inside + 1)).is_some());
        assert!(span((inside, inside + 1)).is_none());
        assert!(span((2, 1)).is_none());
    }

    fn options() -> super::super::ReadOptions {
        super::super::ReadOptions::default()
    }

    /// A file with a modification time safely in the past, so it is stored.
    fn old_file(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let past = SystemTime::now() - Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(past)
            .unwrap();
        path
    }

    fn read_through(cache: &ContextCache, path: &Path) -> (bool, ParsedFile) {
        match cache.lookup(path, "a.yaml", FileRole::Manifest, &options()) {
            Lookup::Hit(parsed) => {
                // Hydrated as a judged file is.
                let mut inputs = crate::input::Inputs::default();
                inputs.add(*parsed);
                cache.hydrate(&mut inputs, &[0]);
                let source = inputs.files.pop();
                (
                    true,
                    ParsedFile {
                        source,
                        objects: inputs.objects,
                        error: inputs.errors.pop(),
                    },
                )
            }
            Lookup::Miss(stamp) => {
                let bytes = std::fs::read(path).unwrap();
                let parsed = parse_bytes("a.yaml".into(), bytes);
                if let Some(stamp) = stamp {
                    cache.remember(path, stamp, FileRole::Manifest, &options(), &parsed);
                }
                (false, parsed)
            }
        }
    }

    #[test]
    fn entries_are_used_until_the_file_or_the_build_changes() {
        let dir = tempfile::tempdir().unwrap();
        let file = old_file(dir.path(), "a.yaml", TEXTS[1]);
        let location = dir.path().join("cache").join("cache-test.bin");
        let open = || ContextCache::at(location.clone(), "build 1".into());

        let cold = open();
        let (hit, first) = read_through(&cold, &file);
        assert!(!hit);
        cold.save();
        let warm = open();
        let (hit, again) = read_through(&warm, &file);
        assert!(hit);
        assert_eq!(described(&again), described(&first));
        // Another build's file is a miss.
        let other = ContextCache::at(location.clone(), "build 2".into());
        assert!(!read_through(&other, &file).0);
        // Another role, another size limit: misses.
        let limited = super::super::ReadOptions {
            max_file_size: 1000,
            ..options()
        };
        assert!(matches!(
            warm.lookup(&file, "a.yaml", FileRole::Consumed, &options()),
            Lookup::Miss(_)
        ));
        assert!(matches!(
            warm.lookup(&file, "a.yaml", FileRole::Manifest, &limited),
            Lookup::Miss(_)
        ));
        // Edited (same size, another time): a miss.
        let edited = TEXTS[1].replace("web", "wib");
        old_file(dir.path(), "a.yaml", &edited);
        let after = open();
        let (hit, changed) = read_through(&after, &file);
        assert!(!hit);
        assert!(described(&changed).contains("wib"));
        // Truncated or damaged anywhere: every look-up a miss, no panic.
        after.save();
        let whole = std::fs::read(&location).unwrap();
        assert!(read_through(&open(), &file).0);
        for cut in [0, 7, 20, whole.len() / 2, whole.len() - 1] {
            std::fs::write(&location, &whole[..cut]).unwrap();
            assert!(!read_through(&open(), &file).0, "cut at {cut}");
        }
        for at in (0..whole.len()).step_by(7) {
            let mut damaged = whole.clone();
            damaged[at] ^= 0x5a;
            std::fs::write(&location, &damaged).unwrap();
            let cache = open();
            let (hit, parsed) = read_through(&cache, &file);
            assert!(!hit, "byte {at} damaged");
            assert_eq!(described(&parsed), described(&changed));
        }
    }

    /// Trees that do not decode (a crafted cache, past the checksums): the file is parsed
    /// again, and its objects get the trees that gives.
    #[test]
    fn trees_that_do_not_decode_are_parsed_again() {
        let dir = tempfile::tempdir().unwrap();
        let file = old_file(dir.path(), "a.yaml", TEXTS[1]);
        let fresh = parse_bytes("a.yaml".into(), TEXTS[1].as_bytes().to_vec());
        let location = dir.path().join("cache-test.bin");
        let value = encode(&fresh).unwrap();
        let (head, _) = split(&value).unwrap();
        let mut crafted = (head.len() as u32).to_le_bytes().to_vec();
        crafted.extend_from_slice(head);
        crafted.extend_from_slice(&[0x01, 0x01, 0x02, 0x00, 0x00, 0x05]); // a Seq past the end
        let key = key_of(Stamp::of(&file).unwrap(), FileRole::Manifest, &options());
        let name = file.to_str().unwrap();
        write_cache_file(&location, "build", &[(name, key, &crafted)]).unwrap();
        let (hit, parsed) =
            read_through(&ContextCache::at(location.clone(), "build".into()), &file);
        assert!(hit);
        assert_eq!(described(&parsed), described(&fresh));
        // The sound value, for comparison: taken as it is.
        write_cache_file(&location, "build", &[(name, key, &value)]).unwrap();
        let (hit, parsed) = read_through(&ContextCache::at(location, "build".into()), &file);
        assert!(hit);
        assert_eq!(described(&parsed), described(&fresh));
        // Before hydration, an object is its identity and the span of its mapping.
        let decoded = decode(head, "a.yaml").unwrap();
        let object = &decoded.objects[0];
        assert_eq!(
            (object.kind.as_str(), object.name.as_str()),
            ("Deployment", "web")
        );
        assert_eq!(object.root.span, fresh.objects[0].root.span);
        assert_eq!(object.root.value, Value::Map(Box::new([])));
    }

    /// An index placing a value outside the file (a crafted cache with sound checksums):
    /// the entry is a miss, and is not carried over when the cache is written again.
    #[test]
    fn an_index_pointing_outside_the_file_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let file = old_file(dir.path(), "a.yaml", TEXTS[0]);
        let other = old_file(dir.path(), "b.yaml", TEXTS[1]);
        let location = dir.path().join("cache-test.bin");
        let key = |path: &Path| key_of(Stamp::of(path).unwrap(), FileRole::Manifest, &options());
        let outside = |path: &Path| IndexEntry {
            path: path.to_str().unwrap().to_string(),
            key: key(path),
            offset: u64::MAX - 2,
            len: 10,
            checksum: 0,
        };
        let index = postcard::to_allocvec(&vec![outside(&file), outside(&other)]).unwrap();
        let mut bytes = header("build", index.len() as u64, 0, checksum(&index));
        bytes.extend_from_slice(&index);
        std::fs::write(&location, &bytes).unwrap();
        let cache = ContextCache::at(location.clone(), "build".into());
        assert_eq!(cache.entries.len(), 0, "offsets past the end refused whole");
        // Within u64 but past the bytes there: each entry a miss, and dropped on saving.
        let past = |path: &Path| IndexEntry {
            offset: 1 << 40,
            ..outside(path)
        };
        let index = postcard::to_allocvec(&vec![past(&file), past(&other)]).unwrap();
        let mut bytes = header("build", index.len() as u64, 0, checksum(&index));
        bytes.extend_from_slice(&index);
        std::fs::write(&location, &bytes).unwrap();
        let cache = ContextCache::at(location.clone(), "build".into());
        assert_eq!(cache.entries.len(), 2);
        let (hit, _) = read_through(&cache, &file); // b.yaml is not looked up
        assert!(!hit);
        cache.save();
        let saved = ContextCache::at(location, "build".into());
        let paths: Vec<&str> = saved.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, [file.to_str().unwrap()]);
    }

    #[test]
    fn a_file_modified_just_now_is_not_stored() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.yaml");
        std::fs::write(&file, TEXTS[0]).unwrap();
        let location = dir.path().join("cache-test.bin");
        let cache = ContextCache::at(location.clone(), "build".into());
        read_through(&cache, &file);
        cache.save();
        assert!(!location.exists());
    }

    #[test]
    fn the_cache_lives_in_the_git_folder() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("k8s")).unwrap();
        let at = location(&repo.join("k8s")).unwrap();
        let git = std::fs::canonicalize(repo.join(".git")).unwrap();
        assert!(at.starts_with(git.join("salint")), "{}", at.display());
        // A worktree's `.git` file points at its git folder.
        let worktree = dir.path().join("worktree");
        let linked = dir.path().join("linked-git");
        std::fs::create_dir_all(&worktree).unwrap();
        std::fs::create_dir_all(&linked).unwrap();
        std::fs::write(
            worktree.join(".git"),
            format!("gitdir: {}\n", linked.display()),
        )
        .unwrap();
        // Not a git folder (no HEAD): the `.git` file is not trusted.
        assert!(!location(&worktree).unwrap().starts_with(&linked));
        std::fs::write(linked.join("HEAD"), "ref: refs/heads/main\n").unwrap();
        assert!(location(&worktree).unwrap().starts_with(&linked));
        // Two context folders, two files.
        assert_ne!(location(&repo).unwrap(), at);
    }
}
