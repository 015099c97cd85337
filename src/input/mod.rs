//! Reads the discovered inputs and parses them into Kubernetes objects, in parallel.
//!
//! Each file is decoded, parsed into span trees, and split into objects (one per document,
//! one per item of a `kind: List`/`*List`). A file that cannot be read or parsed yields an
//! [`InputError`]; the documents it parsed before the error are still used.

mod cache;
mod charts;
mod decode;
mod parse;
mod read;
mod repository;
mod versions;

use std::path::PathBuf;

use rayon::prelude::*;

pub use crate::size::parse_size;
pub use cache::ContextCache;
pub use charts::{ChartOutput, ChartPlan};
pub use repository::{read_repository, root_reads, RenderedRoot, Repository, RootOutput};

use parse::{parse_bytes, text_only, ParsedFile};
use read::{message_or_default, read_file, read_stdin};

use crate::discover::{display_path, InputSource};
use crate::kustomize::file::normalize;
use crate::kustomize::{RenderMode, Renderings};
use crate::model::object::Object;
use crate::source::{FileId, FileRole, SourceFile, Span};

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

/// Everything read in one run: the files (sorted, so `FileId`s are stable; Kustomize's
/// outputs after the repository's files), the objects in file order, the input errors, and
/// what rendering did.
#[derive(Debug, Default)]
pub struct Inputs {
    pub files: Vec<SourceFile>,
    pub objects: Vec<Object>,
    pub errors: Vec<InputError>,
    /// What the run decided or could not do, said once (stderr, SARIF notifications):
    /// `kustomize not found: ...`, remote resources not fetched.
    pub notes: Vec<String>,
    /// The kustomizations, their renderings and the maps back to the repository.
    pub renderings: Renderings,
    /// The Helm charts, their renderings and the maps back to their templates.
    pub charts: crate::helm::Charts,
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
            ..ReadOptions::default()
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
    /// How kustomizations are rendered ([`read_repository`]).
    pub render: RenderOptions,
    /// Where files read by an earlier run are taken from instead of parsed again, and
    /// this run's are kept (`check --context`; see [`ContextCache`]).
    pub cache: Option<std::sync::Arc<ContextCache>>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            keep_text: true,
            render: RenderOptions::default(),
            cache: None,
        }
    }
}

/// How [`read_repository`] renders kustomizations.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// How kustomizations are rendered.
    pub mode: RenderMode,
    /// How charts are rendered.
    pub helm: RenderMode,
    /// The release name of every chart (else each chart's name).
    pub helm_release: Option<String>,
    /// Per chart folder (absolute), its renderings as lists of values files (relative to
    /// the chart folder); other charts get their own values and `ci/*-values.yaml`.
    pub helm_values: Vec<(PathBuf, Vec<Vec<PathBuf>>)>,
    /// The namespace releases are rendered in (`--namespace`).
    pub namespace: Option<String>,
    /// The time limit of one rendering.
    pub timeout: std::time::Duration,
    /// Render only the roots and charts whose rendering reads one of these files
    /// (absolute paths): pre-commit renders what the staged files are part of. `None`:
    /// every one.
    pub only_containing: Option<Vec<PathBuf>>,
    /// The chart Helm's output on standard input came from (`--chart DIR`).
    pub stdin_chart: Option<PathBuf>,
}

impl RenderOptions {
    /// How renderers run, as the configuration says: Kustomize and Helm modes, releases,
    /// values files (chart folders relative to the configuration file), the namespace,
    /// the time limit.
    pub fn from_config(config: &crate::config::Config) -> RenderOptions {
        let base = config.base_dir.clone().unwrap_or_default();
        RenderOptions {
            mode: config.render.kustomize.value.clone(),
            helm: config.render.helm.value.clone(),
            helm_release: config.render.helm_release.value.clone(),
            helm_values: config
                .render
                .helm_values
                .iter()
                .map(|(chart, renderings)| {
                    let dir = crate::kustomize::plan::canonical(&base.join(&chart.value));
                    let renderings = renderings
                        .iter()
                        .map(|files| files.iter().map(std::path::PathBuf::from).collect())
                        .collect();
                    (dir, renderings)
                })
                .collect(),
            namespace: config.namespace.value.clone(),
            timeout: std::time::Duration::from_secs(config.render.timeout_seconds.value),
            only_containing: None,
            stdin_chart: None,
        }
    }
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            mode: RenderMode::Auto,
            helm: RenderMode::Auto,
            helm_release: None,
            helm_values: Vec::new(),
            namespace: None,
            timeout: crate::kustomize::DEFAULT_TIMEOUT,
            only_containing: None,
            stdin_chart: None,
        }
    }
}

/// Reads every input as `options` say (plain files: no kustomization is looked at).
pub fn read_inputs_with(sources: &[InputSource], options: &ReadOptions) -> Inputs {
    let stdin_text = sources
        .contains(&InputSource::Stdin)
        .then(|| read_stdin(options.max_file_size));
    read_inputs_given(sources, stdin_text.as_ref(), options)
}

/// [`read_inputs_with`] with standard input read already.
pub(crate) fn read_inputs_given(
    sources: &[InputSource],
    stdin_text: Option<&Result<Vec<u8>, String>>,
    options: &ReadOptions,
) -> Inputs {
    let parsed: Vec<ParsedFile> = sources
        .par_iter()
        .map(|source| read_source(source, stdin_text, options, FileRole::Manifest))
        .collect();
    assemble(parsed)
}

/// Reads one input; a consumed file keeps its trees (rendered fields are located in them).
pub(crate) fn read_source(
    source: &InputSource,
    stdin_text: Option<&Result<Vec<u8>, String>>,
    options: &ReadOptions,
    role: FileRole,
) -> ParsedFile {
    let max_size = options.max_file_size;
    let parsed = match source {
        InputSource::Stdin => match stdin_text {
            Some(Ok(bytes)) => parse_bytes("<stdin>".to_string(), bytes.clone()),
            Some(Err(_)) | None => {
                ParsedFile::unreadable("<stdin>".to_string(), message_or_default(stdin_text))
            }
        },
        InputSource::File(path) => {
            let display = display_path(path);
            let absolute = std::path::absolute(path).ok().map(|p| normalize(&p));
            let cache = options.cache.as_deref().zip(absolute.as_deref());
            let stamp = match cache.map(|(cache, at)| cache.lookup(at, &display, role, options)) {
                Some(cache::Lookup::Hit(parsed)) => return placed(*parsed, role, absolute),
                Some(cache::Lookup::Miss(stamp)) => stamp,
                None => None,
            };
            let parsed = match read_file(path, max_size) {
                // A chart's file is text: a template is not YAML until Helm renders it.
                Ok(bytes) if role == FileRole::Chart => text_only(display, bytes),
                Ok(bytes) => {
                    let parsed = parse_bytes(display, bytes);
                    let mut parsed = if role == FileRole::Manifest {
                        parsed.without_unused_trees()
                    } else {
                        parsed
                    };
                    // A consumed file keeps its text until its patches are parsed.
                    if let (false, FileRole::Manifest, Some(source)) =
                        (options.keep_text, role, &mut parsed.source)
                    {
                        source.let_go_of_text();
                    }
                    parsed
                }
                Err(message) => {
                    return placed(ParsedFile::unreadable(display, message), role, absolute)
                }
            };
            if let (Some((cache, at)), Some(stamp)) = (cache, stamp) {
                cache.remember(at, stamp, role, options, &parsed);
            }
            return placed(parsed, role, absolute);
        }
    };
    placed(parsed, role, None)
}

/// A file read for `role`, at its absolute path when on disk.
fn placed(mut parsed: ParsedFile, role: FileRole, absolute: Option<PathBuf>) -> ParsedFile {
    if let Some(file) = &mut parsed.source {
        file.role = role;
        file.path = absolute;
    }
    parsed
}

/// Numbers parsed files: standard input first, then files by display path.
pub(crate) fn assemble(mut parsed: Vec<ParsedFile>) -> Inputs {
    let key = |file: &ParsedFile| match &file.source {
        Some(source) if source.display == "<stdin>" => (0, String::new()),
        Some(source) => (1, source.display.clone()),
        None => (
            1,
            file.error
                .as_ref()
                .map_or_else(String::new, |e| e.path.clone()),
        ),
    };
    parsed.sort_by_cached_key(key);
    // Sized once: growing a vector of tens of thousands of objects copies them over and
    // over, on one thread.
    let mut inputs = Inputs {
        files: Vec::with_capacity(parsed.len()),
        objects: Vec::with_capacity(parsed.iter().map(|file| file.objects.len()).sum()),
        ..Inputs::default()
    };
    for file in parsed {
        inputs.add(file);
    }
    inputs
}

impl Inputs {
    /// Adds one parsed file, numbering it and its objects.
    pub(crate) fn add(&mut self, file: ParsedFile) {
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

    /// Moves a span of a renderer's output (Kustomize's, Helm's) to the repository file
    /// that wrote it; `None` for a span already in the repository.
    pub fn relocate(&self, file: FileId, span: Span) -> Option<crate::kustomize::Relocated> {
        self.renderings
            .relocate(&self.objects, file, span)
            .or_else(|| self.charts.relocate(&self.files, &self.objects, file, span))
    }

    /// Whether the objects of `file` are judged: manifests and renderers' outputs.
    pub fn is_judged(&self, file: FileId) -> bool {
        matches!(
            self.files[file].role,
            FileRole::Manifest | FileRole::Rendered
        )
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

#[cfg(test)]
mod tests {
    use super::decode::decode;
    use super::*;
    use crate::model::document::{document_objects, template_origin};
    use crate::yaml::for_each_document;

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
