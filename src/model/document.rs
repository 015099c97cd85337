//! Documents into objects: each document of a parsed file becomes one object, or one per
//! item of a `kind: List` (`*List`); the Helm template a document came from is read from
//! its `# Source:` comment, and each duplicate key goes to the object it lies in.

use super::object::{is_modelled_kind, keeps_unread_parts, may_leave_out, Object};
use crate::source::Span;
use crate::yaml::prescan::{self, DocumentRange};
use crate::yaml::{
    for_each_document, for_each_in_part, for_each_pruned, Document, Entry, LoadError, Node, Scalar,
    ScalarStyle, Stop, Value,
};

/// The objects of `text`, and the parse error that ended it early (the documents before it
/// are kept). Each document becomes objects as soon as it is parsed, so only the parts of it
/// the objects keep outlive it; the parts no object keeps are not even built, and the
/// documents of kinds no rule reads are not even scanned when the pre-scan can vouch for
/// them (see [`objects_skipping_unread`]).
pub fn objects_of(text: &str) -> (Vec<Object>, Option<LoadError>) {
    if !keeps_unread_parts() && skips_unread_documents() {
        if let Some((objects, error, _)) = objects_skipping_unread(text) {
            return (objects, error);
        }
    }
    objects_parsing_everything(text)
}

/// Whether documents of kinds no rule reads are built from a pre-scan rather than parsed:
/// `SALINT_PARSE_EVERYTHING=1` turns it off (read once), so the output with and without it
/// can be compared (the tests, `examples/skip_compare.rs` and the fuzzers do).
fn skips_unread_documents() -> bool {
    static SKIPPING: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SKIPPING.get_or_init(|| std::env::var_os("SALINT_PARSE_EVERYTHING").is_none_or(|v| v != "1"))
}

/// [`objects_of`] with every byte through the parser: what the pre-scan must agree with.
pub fn objects_parsing_everything(text: &str) -> (Vec<Object>, Option<LoadError>) {
    let mut objects = Vec::new();
    if keeps_unread_parts() {
        let loaded = for_each_document(text, |document| {
            document_objects(text, document, &mut objects)
        });
        return (objects, loaded.err());
    }
    let pruned = for_each_pruned(text, may_leave_out, |document| {
        document_objects(text, document, &mut objects)
    });
    let loaded = match pruned {
        Ok(()) => Ok(()),
        Err(Stop::Error(error)) => Err(error),
        Err(Stop::NeedsWholeTrees) => {
            objects.clear();
            for_each_document(text, |document| {
                document_objects(text, document, &mut objects)
            })
        }
    };
    (objects, loaded.err())
}

/// Adds the objects of one document of `text`.
pub fn document_objects(text: &str, document: Document, out: &mut Vec<Object>) {
    let head = Span::new(
        document.head.min(document.root.span.start),
        document.root.span.start,
    );
    let origin = template_origin(&text[head.start..head.end]);
    let first = out.len();
    split_objects(document.root, head, origin, out);
    // Each duplicate key goes to the object (the List item) it lies in.
    let objects = &mut out[first..];
    for duplicate in document.duplicate_keys {
        let span = duplicate.span;
        if let Some(object) = objects
            .iter_mut()
            .find(|o| o.root.span.start <= span.start && span.end <= o.root.span.end)
        {
            object.duplicate_keys.push(duplicate);
        }
    }
}

/// The Helm template a document came from: the last `# Source: <path>` comment ahead of it.
pub fn template_origin(head: &str) -> Option<String> {
    head.lines()
        .filter_map(|line| line.trim().strip_prefix("# Source:"))
        .map(|path| path.trim().to_string())
        .rfind(|path| !path.is_empty())
}

/// Turns a document into objects: the document itself, or each item of a List. Documents
/// without `apiVersion` and `kind` (values files, empty documents) are skipped.
fn split_objects(root: Node, head: Span, origin: Option<String>, out: &mut Vec<Object>) {
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
    let is_list = kind.ends_with("List") && root.get("items").is_some_and(|n| n.as_seq().is_some());
    if is_list {
        if let crate::yaml::Value::Map(entries) = root.value {
            for entry in entries {
                let is_items = entry.key.as_str() == Some("items");
                if let (true, crate::yaml::Value::Seq(items)) = (is_items, entry.value.value) {
                    for item in items {
                        split_objects(item, head, origin.clone(), out);
                    }
                }
            }
        }
        return;
    }
    if let Some(object) = Object::from_node(root, head, origin) {
        out.push(object);
    }
}

/// [`objects_of`] without scanning the documents of kinds no rule reads, with the bytes of
/// the documents left unscanned, or `None` when the
/// file is to be parsed whole (no such document, or anything the pre-scan does not vouch
/// for at file level, or a parse error anywhere: the whole parse then gives the parser's
/// own error, with everything before it).
///
/// Each document the pre-scan vouches for ([`unread_document_root`]) becomes its object
/// from its top-level lines alone; the runs of documents between them are parsed as parts,
/// their offsets shifted back. A document that has a line at column 0 starting `---` ends
/// wherever the parser would end it: a value cannot run on across such a line.
pub fn objects_skipping_unread(text: &str) -> Option<(Vec<Object>, Option<LoadError>, usize)> {
    // Most files hold no document of a kind: no need to find boundaries.
    memchr::memmem::find(text.as_bytes(), b"kind:")?;
    let ranges = prescan::documents(text)?;
    let roots: Vec<Option<Node>> = ranges
        .iter()
        .map(|range| unread_document_root(text, range))
        .collect();
    if roots.iter().all(Option::is_none) {
        return None;
    }
    let mut objects = Vec::new();
    let mut alias_nodes = 0;
    let mut parsed_to = 0;
    let mut skipped_bytes = 0;
    for (range, root) in ranges.iter().zip(roots) {
        let Some(root) = root else { continue };
        // The part before it runs on to its `---` line, so the part's last document ends
        // as it does in the whole file; the empty document that line opens in the part
        // gets the head this one gets in the whole file.
        let mut head = 0;
        if parsed_to < range.body {
            let last_head =
                parse_part(text, parsed_to, range.body, &mut alias_nodes, &mut objects)?;
            head = last_head.unwrap_or(parsed_to);
        }
        let document = Document {
            root,
            head,
            duplicate_keys: Vec::new(),
        };
        document_objects(text, document, &mut objects);
        skipped_bytes += range.end - range.start;
        parsed_to = range.end;
    }
    if parsed_to < text.len() {
        parse_part(text, parsed_to, text.len(), &mut alias_nodes, &mut objects)?;
    }
    Some((objects, None, skipped_bytes))
}

/// Parses `text[start..end]` (whole documents) into `out`, its offsets shifted back to the
/// file's: the head of its last document, or `None` on a parse error.
fn parse_part(
    text: &str,
    start: usize,
    end: usize,
    alias_nodes: &mut usize,
    out: &mut Vec<Object>,
) -> Option<Option<usize>> {
    let part = &text[start..end];
    let first = out.len();
    let budget = *alias_nodes;
    let mut last_head = None;
    let mut add = |mut document: Document| {
        shift_document(&mut document, start);
        last_head = Some(document.head);
        document_objects(text, document, out);
    };
    match for_each_in_part(part, Some(may_leave_out), alias_nodes, &mut add) {
        Ok(()) => Some(last_head),
        Err(Stop::Error(_)) => None,
        Err(Stop::NeedsWholeTrees) => {
            out.truncate(first);
            *alias_nodes = budget;
            let mut last_head = None;
            let mut add = |mut document: Document| {
                shift_document(&mut document, start);
                last_head = Some(document.head);
                document_objects(text, document, out);
            };
            for_each_in_part(part, None, alias_nodes, &mut add).ok()?;
            Some(last_head)
        }
    }
}

fn shift_document(document: &mut Document, by: usize) {
    document.head += by;
    shift_node(&mut document.root, by);
    for duplicate in &mut document.duplicate_keys {
        duplicate.span = shift(duplicate.span, by);
    }
}

fn shift(span: Span, by: usize) -> Span {
    Span::new(span.start + by, span.end + by)
}

fn shift_node(node: &mut Node, by: usize) {
    node.span = shift(node.span, by);
    match &mut node.value {
        Value::Scalar(_) => {}
        Value::Seq(items) => items.iter_mut().for_each(|item| shift_node(item, by)),
        Value::Map(entries) => {
            for entry in entries.iter_mut() {
                shift_node(&mut entry.key, by);
                shift_node(&mut entry.value, by);
            }
        }
    }
}

/// The root the loader would build for the document at `range`, read from its top-level
/// lines, when it is of a kind no rule reads ([`Object::from_node`] keeps `apiVersion`,
/// `kind`, `metadata` and `spec.template` of it, and nothing else) and the pre-scan vouches
/// for it ([`prescan::outline`]: valid, no key set twice). `None` sends it to the parser:
/// a `List` (its items are objects), anything naming salint (a suppression is to be found
/// where it is written), a `spec.template` (a custom workload), anything the check does
/// not know.
fn unread_document_root(text: &str, range: &DocumentRange) -> Option<Node> {
    let body = &text[range.body..range.end];
    let is_unread = |kind: &str| !is_modelled_kind(kind) && !kind.ends_with("List");
    if !prescan::kind_of(body).is_some_and(is_unread)
        || memchr::memmem::find(&text.as_bytes()[range.start..range.end], b"salint").is_some()
    {
        return None;
    }
    let outline = prescan::outline(body)?;
    if !outline.kind.is_some_and(is_unread) {
        return None;
    }
    let first = outline.entries.first()?;
    let mut entries = Vec::new();
    for entry in &outline.entries {
        let (start, end) = (range.body + entry.start, range.body + entry.end);
        match entry.key {
            "apiVersion" | "kind" | "metadata" => entries.push(parse_entry(text, start, end)?),
            "spec" => match &entry.mapping {
                Some((first_key, keys)) => {
                    if keys.contains(&"template") || !text[start..].starts_with("spec:") {
                        return None;
                    }
                    // What `Object::from_node` leaves of it: the mapping, without entries.
                    entries.push(Entry {
                        key: Node {
                            span: Span::new(start, start + "spec".len()),
                            value: Value::Scalar(Scalar {
                                text: "spec".into(),
                                style: ScalarStyle::Plain,
                                tag: None,
                            }),
                        },
                        value: Node {
                            span: Span::new(
                                range.body + first_key,
                                range.body + prescan::collection_end(body, entry.end),
                            ),
                            value: Value::Map(Box::new([])),
                        },
                    });
                }
                None => entries.push(parse_entry(text, start, end)?),
            },
            _ => {}
        }
    }
    Some(Node {
        span: Span::new(
            range.body + first.start,
            range.body + prescan::collection_end(body, body.len()),
        ),
        value: Value::Map(entries.into_boxed_slice()),
    })
}

/// The one entry of the mapping `text[start..end]` (a top-level entry's lines), parsed, at
/// the file's offsets.
fn parse_entry(text: &str, start: usize, end: usize) -> Option<Entry> {
    let loaded = crate::yaml::load_documents(&text[start..end]);
    let [document] = <[Document; 1]>::try_from(loaded.documents).ok()?;
    if loaded.error.is_some() || !document.duplicate_keys.is_empty() {
        return None;
    }
    let Value::Map(entries) = document.root.value else {
        return None;
    };
    let [mut entry] = <[Entry; 1]>::try_from(entries.into_vec()).ok()?;
    shift_node(&mut entry.key, start);
    shift_node(&mut entry.value, start);
    Some(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The objects and error of `text` with the pre-scan (when it takes the file) and with
    /// every byte parsed, as text to compare, and whether the pre-scan took it.
    fn both(text: &str) -> (String, String, bool) {
        let skipping = objects_skipping_unread(text);
        let taken = skipping.is_some();
        let skipped = match skipping {
            Some((objects, error, _)) => format!("{:?}", (objects, error)),
            None => format!("{:?}", objects_parsing_everything(text)),
        };
        let whole = format!("{:?}", objects_parsing_everything(text));
        (skipped, whole, taken)
    }

    const CRD: &str = r#"# Source: c/templates/crd.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
  labels: {}
  annotations:
    note: |
      two
      lines
spec:
  group: example.com
  names:
    kind: Widget
    plural: widgets
  scope: Namespaced
  versions:
  - name: v1
    served: true
    schema:
      openAPIV3Schema:
        description: 'Widget is a
          widget: it widgets.'
        type: object
        properties:
          size:
            description: "How big, \"really\""
            type: integer
            enum: [small, large]
          x-kubernetes-preserve-unknown-fields: true
        required:
        - size
  # a comment
status:
  acceptedNames:
    kind: ''
"#;

    const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: c}]\n";

    #[test]
    fn documents_of_unread_kinds_are_not_scanned_and_read_the_same() {
        let (on, off, taken) = both(CRD);
        assert!(taken);
        assert_eq!(on, off);
        // Beside a workload, in Helm's order, with CRLF line ends, with and without a
        // leading `---`, and with trailing comments.
        let text = format!("---\n{CRD}---\n{DEPLOYMENT}---\n{CRD}# trailing\n\n");
        for case in [
            text.clone(),
            text.replace('\n', "\r\n"),
            format!("{CRD}---\n{DEPLOYMENT}"),
            format!("# head\n{DEPLOYMENT}---\n# Source: x/y.yaml\n{CRD}---\n---\n"),
        ] {
            let (on, off, taken) = both(&case);
            assert!(taken, "{case}");
            assert_eq!(on, off, "{case}");
        }
        let (skipped, _, bytes) = objects_skipping_unread(&text).unwrap();
        assert_eq!(skipped.len(), 3);
        assert_eq!(skipped[2].name, "widgets.example.com");
        assert_eq!(skipped[2].origin.as_deref(), Some("c/templates/crd.yaml"));
        assert!(bytes >= 2 * CRD.len(), "{bytes}");
        let spec = skipped[0].root.get("spec").unwrap();
        assert!(spec.as_map().is_some_and(|m| m.is_empty()));
    }

    #[test]
    fn what_the_pre_scan_cannot_vouch_for_is_parsed() {
        let cases = [
            // A syntax error: the parser's own message, line and column.
            CRD.replace("  scope: Namespaced", "  scope: Namespaced: no"),
            CRD.replace("description: 'Widget", "description: 'Wid\"get")
                .replace("widgets.'", "widgets."),
            // A key set twice, in a part no rule reads: still a duplicate key.
            CRD.replace("    plural: widgets", "    plural: widgets\n    plural: gadgets"),
            // A List's items are objects.
            "apiVersion: v1\nkind: ConfigMapList\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: a\n".to_string(),
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n".to_string(),
            // A suppression must be found where it is written.
            CRD.replace("  scope: Namespaced", "  scope: Namespaced # salint: ignore[all] x"),
            // An anchor, an alias, a tag, a tab, a flow mapping, a complex key, a directive,
            // odd indentation, a custom workload's template, a kind not at the top.
            CRD.replace("    served: true", "    served: &s true"),
            CRD.replace("    served: true", "    served: *s"),
            CRD.replace("    served: true", "    served: !!bool true"),
            CRD.replace("    served: true", "    served:\ttrue"),
            CRD.replace("    served: true", "    served: {a: b}"),
            CRD.replace("    served: true", "    ? served\n    : true"),
            format!("%YAML 1.2\n---\n{CRD}"),
            CRD.replace("    served: true", "     served: true"),
            CRD.replace("  group: example.com", "  template: {}\n  group: example.com"),
            CRD.replace("kind: CustomResourceDefinition", "x:\n  kind: CustomResourceDefinition"),
            // An empty value closed by a top-level key or the document's end (the loader's
            // null lies past the blanks after it; found by the fuzzer).
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ".to_string(),
            format!("{CRD}empty:"),
            CRD.replace("status:", "  extra:\nstatus:"),
            CRD.replace("  # a comment", "  more:\n  -  \n  # a comment"),
        ];
        for case in &cases {
            let (on, off, taken) = both(case);
            assert!(!taken, "{case}");
            assert_eq!(on, off, "{case}");
        }
    }

    /// The promises the README makes about documents no rule reads, kept with the
    /// pre-scan on: a syntax error's message and offset, a duplicate key, two objects of
    /// one identity, a List's items.
    #[test]
    fn syntax_errors_duplicate_keys_and_identity_survive_the_pre_scan() {
        let good = format!("{CRD}---\n{CRD}");
        let broken = format!(
            "{CRD}---\n{}",
            CRD.replace("  scope: Namespaced", "  scope: x: y")
        );
        let (objects, error) = objects_of(&broken);
        let (whole_objects, whole_error) = objects_parsing_everything(&broken);
        let error = error.expect("an error");
        assert_eq!(Some(&error), whole_error.as_ref());
        assert!(error.offset > CRD.len(), "{error:?}");
        assert_eq!(objects.len(), 1);
        assert_eq!(format!("{objects:?}"), format!("{whole_objects:?}"));
        let twice = format!(
            "{CRD}---\n{}",
            CRD.replace(
                "    plural: widgets",
                "    plural: widgets\n    plural: gadgets"
            )
        );
        let (objects, _) = objects_of(&twice);
        assert!(objects[0].duplicate_keys.is_empty());
        assert_eq!(&*objects[1].duplicate_keys[0].key, "plural");
        let (objects, _, _) = objects_skipping_unread(&good).unwrap();
        assert_eq!(
            (&objects[0].kind, &objects[0].name),
            (&objects[1].kind, &objects[1].name)
        );
        let list = format!("{CRD}---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: a\n");
        let (objects, _, _) = objects_skipping_unread(&list).unwrap();
        assert_eq!(objects[1].kind, "ServiceAccount");
    }

    /// Every YAML and JSON file under `testdata/` and `tests/` gives the same objects and
    /// errors with the pre-scan and without.
    #[test]
    fn every_test_input_is_read_the_same_with_the_pre_scan_or_without() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path
                    .extension()
                    .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
                {
                    out.push(path);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        walk(&root.join("testdata"), &mut files);
        walk(&root.join("tests"), &mut files);
        let (mut read, mut taken_files) = (0, 0);
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            // UTF-8 files (the input layer decodes the others before this).
            let Ok(text) = String::from_utf8(bytes) else {
                continue;
            };
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            let (on, off, taken) = both(text);
            assert!(on == off, "{}", file.display());
            read += 1;
            taken_files += usize::from(taken);
        }
        assert!(read > 100, "{read} files");
        // The comparison means something only if the pre-scan took some of them.
        assert!(taken_files >= 5, "{taken_files} of {read} files");
    }
}
