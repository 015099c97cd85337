//! Suppressions written in the manifests, each with a reason on record:
//!
//! - annotations `ignore.salint.io/<rule-or-code>: "<reason>"` (or `ignore.salint.io/all`) on
//!   an object or on its pod template's metadata;
//! - comments `# salint: ignore[<rule>, ...] <reason>` on the line of a finding, on the line
//!   above it, or among the head comments of the object's document (the whole object);
//! - `# salint: ignore-file[<rule>, ...] <reason>` for a whole file.
//!
//! A suppression without a reason is itself a finding (`suppression-without-reason`); one
//! that silences nothing is a note (`unused-suppression`).

use foldhash::{HashMap, HashMapExt};

use crate::catalog::{self as rules, RuleId};
use crate::config::{Config, RuleLevel};
use crate::finding::{Finding, Location, Suppression, SuppressionKind};
use crate::input::Inputs;
use crate::model::workload::pod_template_metadata;
use crate::model::{Object, ObjectRef};
use crate::source::{FileId, Line, Span};

/// The annotation prefix of suppressions.
pub const ANNOTATION_PREFIX: &str = "ignore.salint.io/";
const COMMENT_MARKER: &str = "salint:";

/// What a suppression covers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    /// Objects by index: one object, or every item of a List document.
    Objects(Vec<usize>),
    Line(FileId, usize),
    File(FileId),
}

/// Which rules it names.
#[derive(Debug, Clone)]
enum Targets {
    All,
    Rules(Vec<RuleId>),
}

#[derive(Debug)]
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
                Targets::Rules(rules) => rules.iter().any(|r| *r == finding.rule),
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

    /// The findings about the suppressions themselves: without a reason, or silencing
    /// nothing. One written place counts once, however many renderings carry it (an
    /// annotation of a base is on every overlay's object).
    pub fn findings(&self, inputs: &Inputs, config: &Config) -> Vec<Finding> {
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
        let mut findings = Vec::new();
        for (candidate, used) in by_place {
            meta_findings(inputs, config, candidate, used, &mut findings);
        }
        findings
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

fn parse_targets(names: &[&str]) -> (Targets, Vec<String>) {
    if names.iter().any(|n| n.eq_ignore_ascii_case("all")) {
        return (Targets::All, Vec::new());
    }
    let mut rules = Vec::new();
    let mut unknown = Vec::new();
    for name in names {
        match rules::find(name) {
            Some(rule) => rules.push(rule),
            None => unknown.push(name.to_string()),
        }
    }
    (Targets::Rules(rules), unknown)
}

fn annotations(inputs: &Inputs) -> Vec<Candidate> {
    let mut found = Vec::new();
    for object in &inputs.objects {
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
    found
}

/// A parsed `# salint: ignore[...] reason` directive.
struct Directive<'t> {
    file_wide: bool,
    names: Vec<&'t str>,
    reason: &'t str,
}

fn parse_directive(comment: &str) -> Option<Directive<'_>> {
    let rest = comment.trim_start_matches('#').trim_start();
    let rest = rest.strip_prefix(COMMENT_MARKER)?.trim_start();
    let (file_wide, rest) = if let Some(r) = rest.strip_prefix("ignore-file") {
        (true, r)
    } else {
        (false, rest.strip_prefix("ignore")?)
    };
    let (names, reason) = match rest.strip_prefix('[') {
        Some(inner) => {
            let (list, reason) = inner.split_once(']')?;
            let names = list
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .collect();
            (names, reason)
        }
        None if rest.is_empty() || rest.starts_with(char::is_whitespace) => (vec!["all"], rest),
        None => return None,
    };
    Some(Directive {
        file_wide,
        names,
        reason: reason.trim(),
    })
}

/// The lines of `text` that hold the comment marker (`salint:`), read while a file's text
/// is at hand ([`SourceFile::marked_lines`]): the text may be let go of before suppressions
/// are collected. Only these lines are looked at, found with a vectorised search.
///
/// [`SourceFile::marked_lines`]: crate::source::SourceFile::marked_lines
pub fn marked_lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut number = 1;
    let mut counted_to = 0;
    for marker in memchr::memmem::find_iter(bytes, COMMENT_MARKER) {
        let start = memchr::memrchr(b'\n', &bytes[..marker]).map_or(0, |i| i + 1);
        if lines.last().is_some_and(|line: &Line| line.start == start) {
            continue;
        }
        number += memchr::memchr_iter(b'\n', &bytes[counted_to..start]).count();
        counted_to = start;
        let end = memchr::memchr(b'\n', &bytes[marker..]).map_or(text.len(), |i| marker + i + 1);
        lines.push(Line {
            number,
            start,
            text: text[start..end].into(),
        });
    }
    lines
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
    for (file_id, file) in inputs.files.iter().enumerate() {
        // Kustomize's output holds no comment of the user's.
        if file.role == crate::source::FileRole::Rendered {
            continue;
        }
        let objects = &objects_of[file_id];
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
            let in_head = objects
                .iter()
                .find(|o| o.head.start <= at && at < o.head.end);
            let scope = if directive.file_wide {
                Scope::File(file_id)
            } else if let Some(object) = in_head.filter(|_| !trailing) {
                // A head comment of a List document covers every item of it.
                Scope::Objects(
                    objects
                        .iter()
                        .filter(|o| o.head == object.head)
                        .map(|o| o.index)
                        .collect(),
                )
            } else if trailing {
                Scope::Line(file_id, line_number)
            } else {
                Scope::Line(file_id, line_number + 1)
            };
            let (targets, unknown) = parse_targets(&directive.names);
            let container = in_head.or_else(|| {
                objects
                    .iter()
                    .find(|o| o.root.span.start <= at && at < o.root.span.end)
            });
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
    found
}

/// Whether every rule a suppression names is turned off in the configuration: then its
/// silence is expected, not stale.
fn all_targets_off(config: &Config, targets: &Targets) -> bool {
    match targets {
        Targets::All => false,
        Targets::Rules(rules) => rules
            .iter()
            .all(|&rule| config.rule_level(rule) == RuleLevel::Off),
    }
}

/// The byte index of a YAML comment's `#` in a line: at the line start or after blank.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut search = 0;
    while let Some(found) = line[search..].find('#') {
        let at = search + found;
        if at == 0 || matches!(bytes[at - 1], b' ' | b'\t') {
            return Some(at);
        }
        search = at + 1;
    }
    None
}

fn meta_findings(
    inputs: &Inputs,
    config: &Config,
    candidate: &Candidate,
    used: bool,
    findings: &mut Vec<Finding>,
) {
    let object = candidate.object.map(|i| &inputs.objects[i]);
    let implicit = config.implicit_namespace();
    let object_ref = match object {
        Some(object) => ObjectRef::of(object, &implicit),
        None => ObjectRef {
            kind: "File".to_string(),
            namespace: None,
            name: inputs.files[candidate.location.file].display.clone(),
        },
    };
    let mut emit = |name: &str, message: String| {
        let Some(rule) = rules::find(name) else {
            return;
        };
        let RuleLevel::On(severity) = config.rule_level(rule) else {
            return;
        };
        findings.push(Finding {
            rule,
            severity,
            message,
            location: candidate.location,
            related: Vec::new(),
            object: object_ref.clone(),
            origin: object.and_then(|o| o.origin.clone()),
            field: format!("suppression:{}", candidate.written),
            object_index: candidate.object.unwrap_or(usize::MAX),
            clusters: Vec::new(),
            rendered: None,
            suppression: None,
            baseline: None,
        });
    };
    let written = &candidate.written;
    if candidate.reason.is_empty() {
        emit(
            "suppression-without-reason",
            format!(
                "`{written}` silences findings without saying why: add the reason (for an annotation, as its value; for a comment, after the rule list) \
                 so reviewers can judge later whether it still holds."
            ),
        );
    }
    if !candidate.unknown.is_empty() {
        emit(
            "unused-suppression",
            format!(
                "`{written}` names no rule ({}): it silences nothing. Use a rule name or code from `salint rules`.",
                candidate.unknown.join(", ")
            ),
        );
    } else if !used && !all_targets_off(config, &candidate.targets) {
        emit(
            "unused-suppression",
            format!(
                "`{written}` silences nothing: no finding of the rules it names is here any more. Remove it, so it cannot hide a future problem."
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_directives() {
        let d =
            parse_directive("# salint: ignore[SA101, shared-service-account] batch job").unwrap();
        assert!(!d.file_wide);
        assert_eq!(d.names, ["SA101", "shared-service-account"]);
        assert_eq!(d.reason, "batch job");
        let d = parse_directive("# salint: ignore-file[all]").unwrap();
        assert!(d.file_wide);
        assert_eq!(d.reason, "");
        assert!(parse_directive("# salint: ignored").is_none());
        assert!(parse_directive("# something else").is_none());
    }

    #[test]
    fn finds_comment_starts() {
        assert_eq!(comment_start("a: b # c"), Some(5));
        assert_eq!(comment_start("# c"), Some(0));
        assert_eq!(comment_start("image: x#y"), None);
    }
}
