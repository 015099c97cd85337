//! Reads the discovered inputs and parses them into Kubernetes objects, in parallel.
//!
//! Each file is decoded, parsed into span trees, and split into objects (one per document,
//! one per item of a `kind: List`/`*List`). A file that cannot be read or parsed yields an
//! [`InputError`]; the documents it parsed before the error are still used.

use std::io::Read;

use rayon::prelude::*;

use crate::discover::{display_path, io_message, InputSource};
use crate::model::object::may_leave_out;
use crate::model::object::Object;
use crate::source::{FileId, SourceFile, Span};
use crate::yaml::{for_each_document, for_each_pruned, Document, Node, Stop};

/// A file that could not be read or parsed, with the place of the problem when known.
#[derive(Debug, Clone)]
pub struct InputError {
    /// Display path of the file or argument.
    pub path: String,
    /// The file, when its text could be read (then `span` points into it).
    pub file: Option<FileId>,
    pub span: Option<Span>,
    pub message: String,
}

/// Everything read in one run: the files (sorted, so `FileId`s are stable), the objects in
/// file order, and the input errors.
#[derive(Debug, Default)]
pub struct Inputs {
    pub files: Vec<SourceFile>,
    pub objects: Vec<Object>,
    pub errors: Vec<InputError>,
}

/// Reads every input. Standard input is read first, on this thread; files are read and
/// parsed on rayon's pool and gathered in input order.
pub fn read_inputs(sources: &[InputSource]) -> Inputs {
    read_inputs_limited(sources, DEFAULT_MAX_FILE_SIZE)
}

/// Files above this size are skipped with a diagnostic (`--max-file-size`): a stray dump
/// or disk image named `.yaml` must not take the run's memory.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 100 * 1024 * 1024;

/// As [`read_inputs`], skipping files (and stdin) larger than `max_size` bytes without
/// reading them.
pub fn read_inputs_limited(sources: &[InputSource], max_size: u64) -> Inputs {
    read_inputs_with(
        sources,
        &ReadOptions {
            max_file_size: max_size,
            keep_text: true,
        },
    )
}

/// How inputs are read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Files above this size are skipped with a diagnostic.
    pub max_file_size: u64,
    /// Whether each file keeps its text after parsing. Only output that shows source lines
    /// needs it (the human format's snippets, the language server); without it a file
    /// keeps its line table, and every position stays exact (see
    /// [`SourceFile::let_go_of_text`]).
    pub keep_text: bool,
}

/// Reads every input as `options` say.
pub fn read_inputs_with(sources: &[InputSource], options: &ReadOptions) -> Inputs {
    let max_size = options.max_file_size;
    let stdin_text = sources
        .contains(&InputSource::Stdin)
        .then(|| read_stdin(max_size));
    let parsed: Vec<ParsedFile> = sources
        .par_iter()
        .map(|source| match source {
            InputSource::Stdin => match &stdin_text {
                Some(Ok(bytes)) => parse_bytes("<stdin>".to_string(), bytes.clone()),
                Some(Err(_)) | None => ParsedFile::unreadable(
                    "<stdin>".to_string(),
                    message_or_default(stdin_text.as_ref()),
                ),
            },
            InputSource::File(path) => {
                let display = display_path(path);
                match read_file(path, max_size) {
                    Ok(bytes) => {
                        let mut parsed = parse_bytes(display, bytes).without_unused_text();
                        if let (false, Some(source)) = (options.keep_text, &mut parsed.source) {
                            source.let_go_of_text();
                        }
                        parsed
                    }
                    Err(message) => ParsedFile::unreadable(display, message),
                }
            }
        })
        .collect();

    // Sized once: growing a vector of tens of thousands of objects copies them over and
    // over, on one thread.
    let mut inputs = Inputs {
        files: Vec::with_capacity(parsed.len()),
        objects: Vec::with_capacity(parsed.iter().map(|file| file.objects.len()).sum()),
        errors: Vec::new(),
    };
    for file in parsed {
        inputs.add(file);
    }
    inputs
}

impl Inputs {
    /// Adds one parsed file, numbering it and its objects.
    fn add(&mut self, file: ParsedFile) {
        let file_id = file.source.as_ref().map(|_| self.files.len());
        if let Some(error) = file.error {
            self.errors.push(InputError {
                file: file_id,
                ..error
            });
        }
        if let (Some(source), Some(id)) = (file.source, file_id) {
            self.files.push(source);
            for mut object in file.objects {
                object.file = id;
                object.index = self.objects.len();
                self.objects.push(object);
            }
        }
    }
}

/// Parses one file's bytes (decoded as files are: BOM, UTF-16) as if read from a file
/// named `display`; for editors, which read files themselves.
pub fn read_bytes(display: String, bytes: Vec<u8>) -> Inputs {
    let mut inputs = Inputs::default();
    inputs.add(parse_bytes(display, bytes));
    inputs
}

/// Parses in-memory texts as if they were files named `display` (for tests, rule examples
/// and editors), in the given order.
pub fn read_texts(texts: Vec<(String, String)>) -> Inputs {
    let mut inputs = Inputs::default();
    for (display, text) in texts {
        inputs.add(parse_bytes(display, text.into_bytes()));
    }
    inputs
}

/// Reads a file whole, refusing one above `max_size` before reading it. One open, one
/// size query and one read per file: a run reads thousands.
fn read_file(path: &std::path::Path, max_size: u64) -> Result<Vec<u8>, String> {
    let cannot_read = |error: std::io::Error| format!("cannot read: {}", io_message(&error));
    let mut file = std::fs::File::open(path).map_err(cannot_read)?;
    let size = file.metadata().map_err(cannot_read)?.len();
    if size > max_size {
        return Err(too_large(size, max_size));
    }
    // A file that grew since the size query is still held to the limit.
    read_within(&mut file, max_size, size, cannot_read)
}

/// Reads `reader` to its end, at most `max_size` bytes (one more says it is larger), into
/// a buffer sized for `expected` bytes.
fn read_within(
    reader: impl Read,
    max_size: u64,
    expected: u64,
    cannot_read: impl Fn(std::io::Error) -> String,
) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::with_capacity(usize::try_from(expected.min(max_size)).unwrap_or(0));
    // Saturating: `--max-file-size 18446744073709551615` plus one wrapped to a limit of
    // zero bytes, and every file read as empty.
    reader
        .take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > max_size {
        // Only the first bytes past the limit were read: the size is not known (a device
        // such as /dev/zero, a pipe, or a file that grew).
        return Err(format!(
            "skipped: more than the --max-file-size limit of {} (read up to the limit)",
            human_size(max_size)
        ));
    }
    Ok(bytes)
}

fn message_or_default(result: Option<&Result<Vec<u8>, String>>) -> String {
    match result {
        Some(Err(message)) => message.clone(),
        _ => "cannot read standard input".to_string(),
    }
}

fn read_stdin(max_size: u64) -> Result<Vec<u8>, String> {
    read_within(std::io::stdin().lock(), max_size, 0, |e| {
        format!("cannot read standard input: {}", io_message(&e))
    })
}

/// The diagnostic of a file above the size limit.
fn too_large(size: u64, max_size: u64) -> String {
    format!(
        "skipped: {} is larger than the --max-file-size limit of {}",
        human_size(size),
        human_size(max_size)
    )
}

/// Bytes as people read them: "200 MiB", "4 KiB", "512 bytes".
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / (1u64 << 10) as f64),
        b => format!("{b} bytes"),
    }
}

/// Parses a size flag: `4096`, `64K`, `100M`, `1G` (binary units; `KiB`, `MB` spellings
/// accepted).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &text[digits.len()..];
    let number: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a size (e.g. 4096, 64K, 100M, 1G)"))?;
    let factor: u64 = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return Err(format!("`{text}` has an unknown unit (use K, M or G)")),
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("`{text}` is too large"))
}

struct ParsedFile {
    source: Option<SourceFile>,
    objects: Vec<Object>,
    error: Option<InputError>,
}

impl ParsedFile {
    /// Drops the text of a file no finding can point into: it parsed, holds no object a rule
    /// reads (only ConfigMaps, Services, CRDs and the like, none of them a workload) and no
    /// suppression. Such files are most of a real manifest set; their text is most of its
    /// memory. Spans into it are kept, and nothing reads them.
    fn without_unused_text(mut self) -> Self {
        let Some(source) = &self.source else {
            return self;
        };
        let unused = self.error.is_none()
            && memchr::memmem::find(source.text.as_bytes(), b"salint").is_none()
            && self.objects.iter().all(|object| {
                !crate::model::object::is_modelled_kind(&object.kind)
                    && crate::model::workload::Workload::from_object(
                        object,
                        &crate::model::Namespace::Implicit,
                    )
                    .is_none()
            });
        if unused {
            self.source = Some(SourceFile::new(source.display.clone(), String::new()));
            // Their trees too: no rule and no suppression reads them (identity is kept).
            for object in &mut self.objects {
                object.root = Node {
                    span: object.root.span,
                    value: crate::yaml::Value::Map(Box::new([])),
                };
            }
        }
        self
    }

    fn unreadable(path: String, message: String) -> Self {
        ParsedFile {
            source: None,
            objects: Vec::new(),
            error: Some(InputError {
                path,
                file: None,
                span: None,
                message,
            }),
        }
    }
}

/// Decodes, parses and splits one file. Objects get `file` 0 here; the caller renumbers.
fn parse_bytes(display: String, bytes: Vec<u8>) -> ParsedFile {
    let text = match decode(bytes) {
        Ok(text) => text,
        Err((text, offset, message)) => {
            // Keep the readable prefix as the file's text so the error can point into it.
            let source = SourceFile::new(display.clone(), text);
            return ParsedFile {
                source: Some(source),
                objects: Vec::new(),
                error: Some(InputError {
                    path: display,
                    file: None,
                    span: Some(Span::new(offset, offset)),
                    message,
                }),
            };
        }
    };
    // Each document becomes objects as soon as it is parsed, so only the parts of it the
    // objects keep outlive it; the parts no object keeps are not even built.
    let mut objects = Vec::new();
    let pruned = for_each_pruned(&text, may_leave_out, |document| {
        document_objects(&text, document, &mut objects)
    });
    let loaded = match pruned {
        Ok(()) => Ok(()),
        Err(Stop::Error(error)) => Err(error),
        Err(Stop::NeedsWholeTrees) => {
            objects.clear();
            for_each_document(&text, |document| {
                document_objects(&text, document, &mut objects)
            })
        }
    };
    let error = loaded.err().map(|error| InputError {
        path: display.clone(),
        file: None,
        span: Some(Span::new(error.offset, error.offset)),
        message: format!("YAML parse error: {}", error.message),
    });
    let mut source = SourceFile::new(display, text);
    source.marked_lines = crate::suppress::marked_lines(&source.text);
    ParsedFile {
        source: Some(source),
        objects,
        error,
    }
}

/// Adds the objects of one document of `text`.
fn document_objects(text: &str, document: Document, out: &mut Vec<Object>) {
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

/// Decodes a file's bytes: UTF-8 (a BOM is dropped) or UTF-16 with a BOM. Invalid UTF-8
/// gives the text decoded lossily, the offset of the first bad byte and a message.
fn decode(bytes: Vec<u8>) -> Result<String, (String, usize, String)> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode(rest.to_vec());
    }
    let utf16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(u16::from_le_bytes as fn([u8; 2]) -> u16),
        Some([0xFE, 0xFF]) => Some(u16::from_be_bytes as fn([u8; 2]) -> u16),
        _ => None,
    };
    if let Some(to_unit) = utf16 {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|pair| to_unit([pair[0], *pair.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16(&units)
            .map_err(|_| (String::new(), 0, "invalid UTF-16 text".to_string()));
    }
    String::from_utf8(bytes).map_err(|error| {
        let valid = error.utf8_error().valid_up_to();
        let bytes = error.into_bytes();
        // The whole file, lossily, so the error can be shown in context.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        (
            text,
            valid,
            format!("not UTF-8 text: invalid byte 0x{:02X}", bytes[valid]),
        )
    })
}

/// The Helm template a document came from: the last `# Source: <path>` comment ahead of it.
fn template_origin(head: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bom_and_utf16() {
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1".to_vec()).unwrap(), "a: 1");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a: 1".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(utf16).unwrap(), "a: 1");
        let (text, offset, _) = decode(b"a: \xFF".to_vec()).unwrap_err();
        assert_eq!((text.as_str(), offset), ("a: \u{FFFD}", 3));
    }

    /// Leaving parts out while parsing must keep exactly what pruning the whole tree keeps,
    /// with the same spans and the same errors.
    #[test]
    fn leaving_parts_out_while_parsing_equals_pruning_whole_trees() {
        let mut bomb = String::from(
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n",
        );
        let mut prev = 'a';
        for name in 'b'..='k' {
            let list = vec![format!("*{prev}"); 10].join(", ");
            bomb.push_str(&format!("  {name}: &{name} [{list}]\n"));
            prev = name;
        }
        let deep = format!(
            "apiVersion: v1\nkind: ConfigMap\ndata: {}x{}\n",
            "[".repeat(300),
            "]".repeat(300)
        );
        let texts = [
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  big: |\n    x\n  other: [1, 2]  \n# end\n",
            "kind: Service\napiVersion: v1\nmetadata:\n  name: s\n  annotations: {ignore.salint.io/all: why}\nspec:\n  ports: [{port: 80}]\n  selector: {app: s}\n",
            "apiVersion: example.com/v1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  replicas: 2\n  template:\n    metadata: {annotations: {ignore.salint.io/SA101: ok}}\n    spec: {containers: [{name: c}]}\n  strategy: {canary: {}}\n",
            // An alias into a left-out part: the file is parsed again whole.
            "apiVersion: v1\nkind: ConfigMap\ndata: &d {k: v}\nmetadata:\n  name: c\n  labels: *d\n",
            // An anchored root that lost entries could be aliased: parsed again whole.
            "--- &root\napiVersion: v1\nkind: ConfigMap\ndata: {k: v}\nmetadata: {name: r}\n",
            // A second `kind` after a left-out part.
            "apiVersion: v1\nkind: ConfigMap\ndata: {k: v}\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {containers: []}}}\n",
            // `kind` after the parts (kubectl's order): nothing can be left out.
            "apiVersion: v1\ndata: {k: v}\nkind: ConfigMap\nmetadata: {name: e}\n",
            "apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: f}, data: {k: v}}\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: g}\ndata: {k: 'quoted' }\n---\nkind: Secret\napiVersion: v1\nmetadata: {name: h}\ndata: {k: dg==}\n",
            &bomb,
            &deep,
            "apiVersion: v1\nkind: ConfigMap\ndata: {k: *missing}\n",
            // Workloads go without their container lists, at each kind's pod spec path;
            // duplicate keys in them are still found.
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: a, image: x, image: y}\n      serviceAccountName: s\n      initContainers: [{name: i}]\n      containers: []\n",
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: a, env: [{name: X, value: '1', value: '2'}]}]\n          automountServiceAccountToken: false\n",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a}], ephemeralContainers: [{name: e}], serviceAccount: s}\n",
            // Containers that come in through a merge key or an alias go as well.
            "apiVersion: v1\nkind: Pod\nmetadata: {name: m}\nx-base: &base {containers: [{name: c, image: i}], hostNetwork: true}\nspec:\n  <<: *base\n  serviceAccountName: s\n",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: n}\nx-spec: &spec {containers: [{name: c}], serviceAccountName: s, serviceAccountName: t}\nspec: *spec\n",
            // An alias to a left-out container list: parsed again whole.
            "apiVersion: v1\nkind: Pod\nmetadata: {name: q}\nspec:\n  containers: &c [{name: c}]\n  initContainers: *c\n",
            "apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Pod, metadata: {name: r, name: s}, spec: {containers: [{name: c, name: d}]}}\n  - {apiVersion: v1, kind: Pod, metadata: {name: t}, spec: {containers: [{name: c}]}}\n",
            // A Secret goes without its values.
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\ndata: {a: b, a: c}\nstringData:\n  x: y\n",
        ];
        let mut duplicates = Vec::new();
        for text in texts {
            let pruned = parse_bytes("t".into(), text.as_bytes().to_vec());
            let mut whole = Vec::new();
            let error = for_each_document(text, |d| document_objects(text, d, &mut whole)).err();
            assert_eq!(
                pruned.error.map(|e| (e.span, e.message)),
                error.map(|e| (
                    Some(Span::new(e.offset, e.offset)),
                    format!("YAML parse error: {}", e.message)
                )),
                "{text}"
            );
            assert_eq!(pruned.objects.len(), whole.len(), "{text}");
            for (a, b) in pruned.objects.iter().zip(&whole) {
                assert_eq!((&a.root, a.head), (&b.root, b.head), "{text}");
                assert_eq!(a.duplicate_keys, b.duplicate_keys, "{text}");
                duplicates.extend(a.duplicate_keys.iter().map(|d| d.key.to_string()));
                if let Some((path, keys)) = crate::model::object::unread_parts(&a.kind) {
                    let mapping = a.root.path(path).unwrap();
                    assert!(
                        keys.iter().all(|key| mapping.entry(key).is_none()),
                        "{text}"
                    );
                }
            }
        }
        // At the root, in containers, of a left-out key, in an aliased pod spec (once), in
        // List items (none in the List's own mapping).
        assert_eq!(
            duplicates,
            [
                "kind",
                "image",
                "containers",
                "value",
                "serviceAccountName",
                "name",
                "name",
                "a"
            ]
        );
    }

    #[test]
    fn helm_origin_is_the_last_source_comment() {
        let head = "---\n# Source: chart/templates/a.yaml\n";
        assert_eq!(
            template_origin(head).as_deref(),
            Some("chart/templates/a.yaml")
        );
        assert_eq!(template_origin("# just a comment\n"), None);
    }
}
