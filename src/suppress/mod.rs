//! Suppressions written in the manifests, each with a reason on record:
//!
//! - annotations `ignore.salint.io/<rule-or-code>: "<reason>"` (or `ignore.salint.io/all`) on
//!   an object or on its pod template's metadata;
//! - comments `# salint: ignore[<rule>, ...] <reason>` on the line of a finding, on the line
//!   above it, or among the head comments of the object's document (the whole object);
//! - `# salint: ignore-file[<rule>, ...] <reason>` for a whole file.
//!
//! This module finds them ([`collect`]), marks the findings they silence
//! ([`Suppressions::apply`]) and says how each was used ([`Suppressions::uses`]); it emits
//! no finding of its own. The rules `suppression-without-reason` and `unused-suppression`
//! judge the uses (`crate::rules`). The grammar is [`directive`].

mod directive;

use foldhash::{HashMap, HashMapExt};

pub use directive::ANNOTATION_PREFIX;
use directive::{comment_start, parse_directive, parse_targets, Targets};

use crate::config::Config;
use crate::finding::{Finding, Location, Suppression, SuppressionKind};
use crate::input::Inputs;
use crate::model::workload::pod_template_metadata;
use crate::model::{Object, ObjectRef};
use crate::rules::SuppressionUse;
use crate::source::{FileId, Span};

/// What a suppression covers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    /// Objects by index: one object, or every item of a List document.
    Objects(Vec<usize>),
    Line(FileId, usize),
    File(FileId),
}

#[derive(Debug, Clone)]
struct Candidate {
    location: Location,
    scope: Scope,
    targets: Targets,
    /// Names that are no rule.
    unknown: Vec<String>,
    reason: String,
    /// How it is written, for messages and fingerprints.
    written: String,
    /// The object it sits on or in, if any.
    object: Option<usize>,
    used: bool,
}

impl Candidate {
    /// Whether it covers `finding`, whose line is `line`; `source` is the object a
    /// rendered object came from (comments on the source document cover its renderings).
    fn covers(&self, finding: &Finding, line: usize, source: Option<usize>) -> bool {
        let in_scope = match self.scope {
            Scope::Objects(ref indexes) => {
                indexes.contains(&finding.object_index)
                    || source.is_some_and(|s| indexes.contains(&s))
            }
            Scope::Line(file, l) => finding.location.file == file && line == l,
            Scope::File(file) => finding.location.file == file,
        };
        in_scope
            && match &self.targets {
                Targets::All => true,
                Targets::Rules(rules) => rules.contains(&finding.rule),
            }
    }
}

/// The suppressions written in a run's inputs, found before the rules have run (so a lint
/// run can look for them while the rules work). Applied cluster by cluster; a suppression
/// counts as used when it silences a finding in any of them.
#[derive(Debug)]
pub struct Suppressions {
    candidates: Vec<Candidate>,
    index: ScopeIndex,
}

/// Finds every suppression annotation and comment in the inputs. Annotations of rendered
/// objects are located where they are written in the repository.
pub fn collect(inputs: &Inputs) -> Suppressions {
    let mut candidates = annotations(inputs);
    candidates.extend(comments(inputs));
    let index = ScopeIndex::new(&candidates);
    Suppressions { candidates, index }
}

/// The suppressions written in each plain manifest, by the stamp of its content (see
/// `crate::lint::lint_clusters_cached`), kept with the file's id as 0 and its objects'
/// indexes counted from its first object, so that a caller that collects again after an
/// edit (the language server) reads again only the edited file's annotations and comments.
/// Only the files of the last run are kept.
#[derive(Debug, Default)]
pub struct FileSuppressions {
    /// By stamp and place among the files of that stamp: annotations, then comments.
    by_stamp: HashMap<(u64, usize), (Vec<Candidate>, Vec<Candidate>)>,
    /// How many files the last run took from here.
    #[cfg(test)]
    reused: usize,
}

impl FileSuppressions {
    pub fn clear(&mut self) {
        self.by_stamp.clear();
    }
}

/// A candidate with its file id and object indexes moved: `file` for every file id, and
/// `object` applied to every object index. `None` when it lies in another file than
/// `from` (its place was moved elsewhere, which only a renderer's output does).
fn moved(
    candidate: &Candidate,
    from: FileId,
    file: FileId,
    object: impl Fn(usize) -> usize,
) -> Option<Candidate> {
    if candidate.location.file != from {
        return None;
    }
    let mut candidate = candidate.clone();
    candidate.location.file = file;
    candidate.scope = match candidate.scope {
        Scope::Objects(indexes) => Scope::Objects(indexes.into_iter().map(&object).collect()),
        Scope::Line(_, line) => Scope::Line(file, line),
        Scope::File(_) => Scope::File(file),
    };
    candidate.object = candidate.object.map(&object);
    Some(candidate)
}

/// [`collect`], taking from `cache` the suppressions of plain manifests whose stamp
/// (`stamps`, per file id) it holds, and keeping there those of this run. The result is
/// the one [`collect`] gives: its candidates are every object's annotations in object
/// order, then every file's comments in file order, which per-file lists give again when
/// the objects come in file order (otherwise everything is read again).
pub fn collect_cached(
    inputs: &Inputs,
    stamps: &[Option<u64>],
    cache: &mut FileSuppressions,
) -> Suppressions {
    let in_file_order = inputs
        .objects
        .iter()
        .enumerate()
        .all(|(i, o)| o.index == i && o.file < inputs.files.len())
        && inputs.objects.windows(2).all(|w| w[0].file <= w[1].file);
    if stamps.is_empty() || !in_file_order {
        cache.clear();
        return collect(inputs);
    }
    let mut first_object = vec![0; inputs.files.len() + 1];
    for object in &inputs.objects {
        first_object[object.file + 1] += 1;
    }
    for f in 0..inputs.files.len() {
        first_object[f + 1] += first_object[f];
    }
    let mut annotations = Vec::new();
    let mut comments = Vec::new();
    let mut kept = HashMap::with_capacity(inputs.files.len());
    let mut place = 0;
    #[cfg(test)]
    {
        cache.reused = 0;
    }
    for f in 0..inputs.files.len() {
        let (base, end) = (first_object[f], first_object[f + 1]);
        let stamp = stamps.get(f).copied().flatten();
        place = match f
            .checked_sub(1)
            .and_then(|p| stamps.get(p).copied().flatten())
        {
            Some(previous) if Some(previous) == stamp => place + 1,
            _ => 0,
        };
        let key = stamp
            .filter(|_| inputs.files[f].role == crate::source::FileRole::Manifest)
            .map(|stamp| (stamp, place));
        let restored = key.and_then(|key| {
            let local = cache.by_stamp.remove(&key)?;
            let back = |found: &[Candidate]| {
                found
                    .iter()
                    .map(|c| moved(c, 0, f, |o| o + base))
                    .collect::<Option<Vec<_>>>()
            };
            let restored = (back(&local.0)?, back(&local.1)?);
            kept.insert(key, local);
            Some(restored)
        });
        if let Some((local_annotations, local_comments)) = restored {
            annotations.extend(local_annotations);
            comments.extend(local_comments);
            #[cfg(test)]
            {
                cache.reused += 1;
            }
            continue;
        }
        let start_annotations = annotations.len();
        for object in &inputs.objects[base..end] {
            annotations_of(inputs, object, &mut annotations);
        }
        let start_comments = comments.len();
        let objects: Vec<&Object> = inputs.objects[base..end].iter().collect();
        comments_in(inputs, f, &objects, &mut comments);
        let local = |found: &[Candidate]| {
            found
                .iter()
                .map(|c| moved(c, f, 0, |o| o - base))
                .collect::<Option<Vec<_>>>()
        };
        if let (Some(key), Some(a), Some(c)) = (
            key,
            local(&annotations[start_annotations..]),
            local(&comments[start_comments..]),
        ) {
            kept.insert(key, (a, c));
        }
    }
    cache.by_stamp = kept;
    annotations.extend(comments);
    let index = ScopeIndex::new(&annotations);
    Suppressions {
        candidates: annotations,
        index,
    }
}

impl Suppressions {
    /// Marks the findings (located in repository files) that a suppression covers.
    pub fn apply(&mut self, inputs: &Inputs, findings: &mut [Finding]) {
        if self.candidates.is_empty() {
            return;
        }
        let mut covering = Vec::new();
        for finding in findings.iter_mut() {
            let line = inputs.files[finding.location.file].line_of(finding.location.span.start);
            let source = inputs.renderings.source_object(finding.object_index);
            self.index
                .candidates_for(finding, line, source, &mut covering);
            for &c in &covering {
                let candidate = &mut self.candidates[c];
                if !candidate.covers(finding, line, source) {
                    continue;
                }
                candidate.used = true;
                if finding.suppression.is_none() {
                    finding.suppression = Some(Suppression {
                        kind: SuppressionKind::InSource,
                        justification: candidate.reason.clone(),
                        location: Some(candidate.location),
                    });
                }
            }
        }
    }

    /// How each written suppression was used, once per written place however many
    /// renderings carry it (an annotation of a base is on every overlay's object): the
    /// suppression rules judge these.
    pub fn uses(&self, inputs: &Inputs, config: &Config) -> Vec<SuppressionUse> {
        let mut by_place: Vec<(&Candidate, bool)> = Vec::new();
        let mut seen: HashMap<(Location, &str), usize> = HashMap::new();
        for candidate in &self.candidates {
            let key = (candidate.location, candidate.written.as_str());
            match seen.get(&key) {
                Some(&at) => by_place[at].1 |= candidate.used,
                None => {
                    seen.insert(key, by_place.len());
                    by_place.push((candidate, candidate.used));
                }
            }
        }
        let implicit = config.implicit_namespace();
        by_place
            .into_iter()
            .map(|(candidate, used)| {
                let object = candidate.object.map(|i| &inputs.objects[i]);
                SuppressionUse {
                    location: candidate.location,
                    written: candidate.written.clone(),
                    reason: candidate.reason.clone(),
                    names: match &candidate.targets {
                        Targets::All => None,
                        Targets::Rules(rules) => Some(rules.clone()),
                    },
                    unknown: candidate.unknown.clone(),
                    used,
                    object: match object {
                        Some(object) => ObjectRef::of(object, &implicit),
                        None => ObjectRef {
                            kind: "File".to_string(),
                            namespace: None,
                            name: inputs.files[candidate.location.file].display.clone(),
                        },
                    },
                    origin: object.and_then(|o| o.origin.clone()),
                    object_index: candidate.object.unwrap_or(usize::MAX),
                }
            })
            .collect()
    }
}

/// Candidates by what they cover, so each finding looks only at those that may cover it
/// (scanning every candidate for every finding grew with the square of the input).
#[derive(Debug)]
struct ScopeIndex {
    by_object: HashMap<usize, Vec<usize>>,
    by_line: HashMap<(FileId, usize), Vec<usize>>,
    by_file: HashMap<FileId, Vec<usize>>,
}

impl ScopeIndex {
    fn new(candidates: &[Candidate]) -> Self {
        let mut index = ScopeIndex {
            by_object: HashMap::new(),
            by_line: HashMap::new(),
            by_file: HashMap::new(),
        };
        for (c, candidate) in candidates.iter().enumerate() {
            match &candidate.scope {
                Scope::Objects(objects) => {
                    for &object in objects {
                        index.by_object.entry(object).or_default().push(c);
                    }
                }
                Scope::Line(file, line) => index.by_line.entry((*file, *line)).or_default().push(c),
                Scope::File(file) => index.by_file.entry(*file).or_default().push(c),
            }
        }
        index
    }

    /// The candidates whose scope may hold `finding`, in candidate order (the first one
    /// that covers a finding is the one recorded).
    fn candidates_for(
        &self,
        finding: &Finding,
        line: usize,
        source: Option<usize>,
        out: &mut Vec<usize>,
    ) {
        out.clear();
        let file = finding.location.file;
        for found in [
            self.by_object.get(&finding.object_index),
            source.and_then(|s| self.by_object.get(&s)),
            self.by_line.get(&(file, line)),
            self.by_file.get(&file),
        ]
        .into_iter()
        .flatten()
        {
            out.extend_from_slice(found);
        }
        out.sort_unstable();
        out.dedup();
    }
}

fn annotations(inputs: &Inputs) -> Vec<Candidate> {
    let mut found = Vec::new();
    for object in &inputs.objects {
        annotations_of(inputs, object, &mut found);
    }
    found
}

/// The annotation suppressions of one object.
fn annotations_of(inputs: &Inputs, object: &Object, found: &mut Vec<Candidate>) {
    let metadatas = [object.metadata(), pod_template_metadata(object)];
    for metadata in metadatas.into_iter().flatten() {
        let Some(entries) = metadata.get("annotations").and_then(|a| a.as_map()) else {
            continue;
        };
        for entry in entries {
            let Some(key) = entry.key.as_str() else {
                continue;
            };
            let Some(name) = key.strip_prefix(ANNOTATION_PREFIX) else {
                continue;
            };
            let (targets, unknown) = parse_targets(&[name]);
            let location = match inputs.relocate(object.file, entry.key.span) {
                Some(relocated) => Location {
                    file: relocated.file,
                    span: relocated.span,
                },
                None => Location {
                    file: object.file,
                    span: entry.key.span,
                },
            };
            found.push(Candidate {
                location,
                scope: Scope::Objects(vec![object.index]),
                targets,
                unknown,
                reason: entry.value.as_str().unwrap_or("").trim().to_string(),
                written: key.to_string(),
                object: Some(object.index),
                used: false,
            });
        }
    }
}

fn comments(inputs: &Inputs) -> Vec<Candidate> {
    let mut found = Vec::new();
    // Objects by file, built once: filtering all objects for each file was quadratic.
    let mut objects_of: Vec<Vec<&Object>> = Vec::new();
    objects_of.resize_with(inputs.files.len(), Vec::new);
    for object in &inputs.objects {
        if let Some(list) = objects_of.get_mut(object.file) {
            list.push(object);
        }
    }
    for (file_id, objects) in objects_of.iter().enumerate() {
        comments_in(inputs, file_id, objects, &mut found);
    }
    found
}

/// The comment suppressions of one file, whose objects are `objects_of_file`.
fn comments_in(
    inputs: &Inputs,
    file_id: FileId,
    objects_of_file: &[&Object],
    found: &mut Vec<Candidate>,
) {
    let file = &inputs.files[file_id];
    // Kustomize's output holds no comment of the user's.
    if file.role == crate::source::FileRole::Rendered {
        return;
    }
    let objects = FileObjects::new(objects_of_file);
    for marked in &file.marked_lines {
        let (line, line_start, line_number) = (&*marked.text, marked.start, marked.number);
        let Some(hash) = comment_start(line) else {
            continue;
        };
        let comment = line[hash..].trim_end();
        let Some(directive) = parse_directive(comment) else {
            continue;
        };
        let at = line_start + hash;
        let trailing = !line[..hash].trim().is_empty();
        let in_head = objects.with_head_at(at);
        let scope = if directive.file_wide {
            Scope::File(file_id)
        } else if let Some(object) = in_head.filter(|_| !trailing) {
            // A head comment of a List document covers every item of it.
            Scope::Objects(objects.sharing_head(object))
        } else if trailing {
            Scope::Line(file_id, line_number)
        } else {
            Scope::Line(file_id, line_number + 1)
        };
        let (targets, unknown) = parse_targets(&directive.names);
        let container = in_head.or_else(|| objects.containing(at));
        found.push(Candidate {
            location: Location {
                file: file_id,
                span: Span::new(at, at + comment.len()),
            },
            scope,
            targets,
            unknown,
            reason: directive.reason.to_string(),
            written: comment.to_string(),
            object: container.map(|o| o.index),
            used: false,
        });
    }
}

/// A file's objects, for finding the one a comment lies in by binary search: a file of a
/// few hundred megabytes holds hundreds of thousands of objects and of comments, and
/// scanning its objects for each comment grew with the square of the file.
///
/// Objects of one file come in document order, so their heads and their roots are each
/// sorted and disjoint (the items of a List share its head, side by side). Were they not,
/// each lookup scans them, as it did before, so the answers never depend on the order.
struct FileObjects<'o> {
    objects: &'o [&'o Object],
    sorted: bool,
}

impl<'o> FileObjects<'o> {
    fn new(objects: &'o [&'o Object]) -> Self {
        let sorted = objects.windows(2).all(|pair| {
            let (a, b) = (pair[0], pair[1]);
            (a.head == b.head || a.head.end <= b.head.start) && a.root.span.end <= b.root.span.start
        });
        FileObjects { objects, sorted }
    }

    /// The first object whose head holds offset `at`.
    fn with_head_at(&self, at: usize) -> Option<&'o Object> {
        let holds = |o: &&Object| o.head.start <= at && at < o.head.end;
        if !self.sorted {
            return self.objects.iter().copied().find(holds);
        }
        let first = self.objects.partition_point(|o| o.head.end <= at);
        self.objects.get(first).copied().filter(holds)
    }

    /// The indexes of the objects that share `object`'s head (the items of its List).
    fn sharing_head(&self, object: &Object) -> Vec<usize> {
        let same = |o: &&&Object| o.head == object.head;
        if !self.sorted {
            return self.objects.iter().filter(same).map(|o| o.index).collect();
        }
        let first = self
            .objects
            .partition_point(|o| o.head.end <= object.head.start);
        self.objects[first..]
            .iter()
            .take_while(same)
            .map(|o| o.index)
            .collect()
    }

    /// The first object whose tree holds offset `at`.
    fn containing(&self, at: usize) -> Option<&'o Object> {
        let holds = |o: &&Object| o.root.span.start <= at && at < o.root.span.end;
        if !self.sorted {
            return self.objects.iter().copied().find(holds);
        }
        let first = self.objects.partition_point(|o| o.root.span.end <= at);
        self.objects.get(first).copied().filter(holds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(files: &[(&str, &str)]) -> Inputs {
        crate::input::read_texts(
            files
                .iter()
                .map(|(name, text)| (name.to_string(), text.to_string()))
                .collect(),
        )
    }

    /// Files with annotations (on the object and its pod template), head, line and
    /// file-wide comments, and a List.
    const A: &str = "# salint: ignore-file[SA201] whole file\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  annotations: {ignore.salint.io/SA101: one}\n";
    const B: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\nspec:\n  template:\n    metadata:\n      annotations: {ignore.salint.io/all: two}\n    spec:\n      serviceAccountName: x # salint: ignore[SA102] three\n---\n# salint: ignore[SA103] four\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ServiceAccount, metadata: {name: c, annotations: {ignore.salint.io/SA104: five}}}\n- {apiVersion: v1, kind: ServiceAccount, metadata: {name: d}}\n";

    #[test]
    fn suppressions_kept_per_file_are_the_ones_collect_finds() {
        let mut cache = FileSuppressions::default();
        let same = |inputs: &Inputs, stamps: &[Option<u64>], cache: &mut FileSuppressions| {
            let cached = collect_cached(inputs, stamps, cache);
            let fresh = collect(inputs);
            assert_eq!(
                format!("{:?}", cached.candidates),
                format!("{:?}", fresh.candidates)
            );
            assert!(!fresh.candidates.is_empty());
        };
        let inputs = texts(&[("a.yaml", A), ("b.yaml", B)]);
        same(&inputs, &[Some(1), Some(2)], &mut cache);
        assert_eq!(cache.by_stamp.len(), 2);
        // The same files again, then behind a new first file: ids and indexes move.
        same(&inputs, &[Some(1), Some(2)], &mut cache);
        assert_eq!(cache.reused, 2);
        let inputs = texts(&[("0.yaml", B), ("a.yaml", A), ("b.yaml", B)]);
        same(&inputs, &[Some(3), Some(1), Some(2)], &mut cache);
        assert_eq!(cache.reused, 2);
        // An edited file (a new stamp) is read again; without stamps, nothing is kept.
        let inputs = texts(&[("0.yaml", B), ("a.yaml", B), ("b.yaml", B)]);
        same(&inputs, &[Some(3), Some(4), Some(2)], &mut cache);
        assert_eq!(cache.reused, 2);
        same(&inputs, &[], &mut cache);
        assert!(cache.by_stamp.is_empty());
    }

    /// The binary searches answer what scanning every object of the file answers, at every
    /// offset of a file with head comments, a List and documents without heads.
    #[test]
    fn objects_found_by_binary_search_are_those_a_scan_finds() {
        let text = "# head of a\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n---\n\
# head of the list\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: b}\n\
- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: c}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: d}\n";
        let inputs = crate::input::read_texts(vec![("f.yaml".into(), text.into())]);
        let objects: Vec<&Object> = inputs.objects.iter().collect();
        assert_eq!(objects.len(), 4);
        let searched = FileObjects::new(&objects);
        assert!(searched.sorted);
        let scanned = FileObjects {
            objects: &objects,
            sorted: false,
        };
        let index = |o: Option<&Object>| o.map(|o| o.index);
        let mut in_heads = 0;
        for at in 0..=text.len() {
            let head = searched.with_head_at(at);
            assert_eq!(index(head), index(scanned.with_head_at(at)), "at {at}");
            assert_eq!(
                index(searched.containing(at)),
                index(scanned.containing(at)),
                "at {at}"
            );
            if let Some(object) = head {
                in_heads += 1;
                assert_eq!(searched.sharing_head(object), scanned.sharing_head(object));
            }
        }
        assert!(in_heads > 0);
        let list_head = text.find("# head of the list").unwrap();
        let list = searched.with_head_at(list_head).unwrap();
        assert_eq!(searched.sharing_head(list), vec![1, 2]);
        assert_eq!(
            searched
                .containing(text.find("name: c").unwrap())
                .unwrap()
                .name,
            "c"
        );
    }
}
