//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning ingests it.
//!
//! One run; a descriptor for every rule with its doc as help; results with exact regions
//! (1-based lines, columns in Unicode code points as `columnKind` says) and
//! `partialFingerprints` that ignore line numbers; unreadable or unparsable inputs as
//! `toolExecutionNotifications` while `executionSuccessful` stays true.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location as SarifLocation, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultKind, ResultLevel, Run, Sarif, Suppression,
    Tool, ToolComponent,
};

use super::Report;
use crate::baseline::BaselineEntry;
use crate::catalog::{RuleId, INFORMATION_URI};
use crate::finding::{BaselineState, Finding, Location, Severity, SuppressionKind};
use crate::source::SourceFile;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The key under which results carry their fingerprint.
pub const FINGERPRINT_KEY: &str = "salint/v1";

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Note => ResultLevel::Note,
    }
}

/// The base every relative `uri` is resolved against: GitHub code scanning places a result
/// only when its file is named relative to the repository, and rejects absolute paths
/// (SARIF1004). Declared in `run.originalUriBaseIds`.
pub const SRCROOT: &str = "%SRCROOT%";

/// Where results are located: the repository root (the folder holding `.git` above the
/// working folder, else the working folder) and the working folder that display paths are
/// relative to.
pub struct Locator {
    root: PathBuf,
    cwd: PathBuf,
}

impl Locator {
    /// The repository root and working folder of this process.
    pub fn of_process() -> Locator {
        let cwd = std::env::current_dir().unwrap_or_default();
        Locator::new(repository_root(&cwd), cwd)
    }

    pub fn new(root: PathBuf, cwd: PathBuf) -> Locator {
        Locator { root, cwd }
    }

    /// A file as SARIF names it: relative to `%SRCROOT%` when it is under the repository
    /// root, else an absolute `file://` URI. Standard input without `--stdin-filename` has
    /// no file: it becomes the relative `stdin`, a location code scanning accepts.
    fn artifact(&self, display: &str) -> ArtifactLocation {
        if display == "<stdin>" {
            return relative_artifact("stdin");
        }
        match self.relative(display) {
            Ok(relative) => relative_artifact(&relative),
            Err(absolute) => ArtifactLocation::builder().uri(file_uri(&absolute)).build(),
        }
    }

    /// A displayed path relative to the repository root, with `/` (`.` for the root
    /// itself); the absolute path when it lies outside.
    pub fn relative(&self, display: &str) -> Result<String, PathBuf> {
        let absolute = lexically_normal(&self.cwd.join(display));
        match absolute.strip_prefix(&self.root) {
            Ok(relative) if relative.as_os_str().is_empty() => Ok(".".to_string()),
            Ok(relative) => Ok(relative.to_string_lossy().replace('\\', "/")),
            Err(_) => Err(absolute),
        }
    }

    /// `run.originalUriBaseIds`: `%SRCROOT%` as a `file://` URI ending in `/`.
    fn base_ids(&self) -> BTreeMap<String, ArtifactLocation> {
        let mut uri = file_uri(&self.root);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        BTreeMap::from([(
            SRCROOT.to_string(),
            ArtifactLocation::builder().uri(uri).build(),
        )])
    }
}

fn relative_artifact(path: &str) -> ArtifactLocation {
    ArtifactLocation::builder()
        .uri(percent_encode(path))
        .uri_base_id(SRCROOT)
        .build()
}

/// The folder holding `.git` at or above `cwd`, else `cwd`.
pub fn repository_root(cwd: &Path) -> PathBuf {
    cwd.ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(cwd)
        .to_path_buf()
}

/// `.` and `..` resolved without asking the file system (a display path may name a file
/// as `../x.yaml`).
fn lexically_normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// An absolute path as a `file://` URI (RFC 8089): `file:///home/x/a%20b.yaml`; on
/// Windows `file:///C:/x/a.yaml`.
fn file_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let (drive, rest) = match text.as_bytes() {
        [letter, b':', ..] if letter.is_ascii_alphabetic() => text.split_at(2),
        _ => ("", text.as_str()),
    };
    let rest = percent_encode(rest);
    if drive.is_empty() {
        format!("file://{rest}")
    } else {
        format!("file:///{drive}{rest}")
    }
}

/// A path as a URI path (RFC 3986): `/` separates segments; every byte that is not
/// unreserved (`A-Z a-z 0-9 - . _ ~`) or one of the sub-delimiters and `@` kept here is
/// percent-encoded, UTF-8 byte by byte. `:` is encoded: in a relative reference's first
/// segment it would read as a scheme.
fn percent_encode(path: &str) -> String {
    let mut out = String::new();
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'+'
            | b'@'
            | b'='
            | b',' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn physical_location(
    locator: &Locator,
    files: &[SourceFile],
    location: Location,
) -> PhysicalLocation {
    let file = &files[location.file];
    let (start, end) = file.range(location.span);
    PhysicalLocation::builder()
        .artifact_location(locator.artifact(&file.display))
        .region(
            Region::builder()
                .start_line(start.line as i64)
                .start_column(start.column as i64)
                .end_line(end.line as i64)
                .end_column(end.column as i64)
                .build(),
        )
        .build()
}

/// A finding's own location. On standard input without `--stdin-filename`, a finding on
/// Helm's output whose template (`# Source:`) is a file here is located at that template's
/// first line: a file code scanning can show, where `stdin` is none.
fn primary_location(
    locator: &Locator,
    files: &[SourceFile],
    finding: &Finding,
) -> PhysicalLocation {
    let on_stdin = files[finding.location.file].display == "<stdin>";
    match &finding.origin {
        Some(origin) if on_stdin && Path::new(origin).is_file() => PhysicalLocation::builder()
            .artifact_location(locator.artifact(origin))
            .region(Region::builder().start_line(1).build())
            .build(),
        _ => physical_location(locator, files, finding.location),
    }
}

fn descriptor(rule: RuleId) -> ReportingDescriptor {
    let doc = rule.doc();
    let mut tags = doc.tags.clone();
    for tag in ["security", doc.category.as_str()] {
        if !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_string());
        }
    }
    if !doc.cis.is_empty() {
        tags.push(format!("CIS-{}", doc.cis));
    }
    let mut extra = BTreeMap::new();
    extra.insert(
        "security-severity".to_string(),
        json!(format!("{:.1}", doc.security_severity)),
    );
    extra.insert("precision".to_string(), json!("high"));
    ReportingDescriptor::builder()
        .id(doc.code.clone())
        .name(doc.name.clone())
        .short_description(
            MultiformatMessageString::builder()
                .text(doc.summary.clone())
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(full_description(&doc.body, &doc.summary))
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(doc.body.clone())
                .markdown(doc.body.clone())
                .build(),
        )
        .help_uri(rule.doc_url())
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(doc.severity.as_str()))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(extra)
                .build(),
        )
        .build()
}

/// The "What it flags" section's first paragraph, else the summary.
fn full_description(body: &str, summary: &str) -> String {
    let section = body
        .split("\n## ")
        .find(|s| s.starts_with("What it flags"))
        .and_then(|s| s.split_once('\n'))
        .map(|(_, text)| text.trim())
        .and_then(|text| text.split("\n\n").next())
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "));
    match section {
        Some(text) if !text.is_empty() => text,
        _ => summary.to_string(),
    }
}

fn result(
    locator: &Locator,
    files: &[SourceFile],
    finding: &Finding,
    rule_index: usize,
) -> SarifResult {
    let mut message = finding.message.clone();
    if let Some(origin) = &finding.origin {
        message.push_str(&format!(" (Helm template: {origin})"));
    }
    let related: Vec<SarifLocation> = finding
        .related
        .iter()
        .enumerate()
        .map(|(i, related)| {
            SarifLocation::builder()
                .id(i as i64 + 1)
                .physical_location(physical_location(locator, files, related.location))
                .message(Message::builder().text(related.message.clone()).build())
                .build()
        })
        .collect();
    let mut properties = BTreeMap::new();
    properties.insert("object".to_string(), json!(finding.object));
    if let Some(origin) = &finding.origin {
        properties.insert("templateOrigin".to_string(), json!(origin));
    }
    properties.insert("clusters".to_string(), json!(finding.clusters));
    if let Some(rendered) = &finding.rendered {
        properties.insert("rendered".to_string(), json!(rendered));
    }
    let mut result = SarifResult::builder()
        .rule_id(finding.rule.code())
        .rule_index(rule_index as i64)
        .level(level(finding.severity))
        .message(Message::builder().text(message).build())
        .locations(vec![SarifLocation::builder()
            .physical_location(primary_location(locator, files, finding))
            .build()])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            finding.fingerprint(),
        )]))
        .properties(
            PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        )
        .build();
    if !related.is_empty() {
        result.related_locations = Some(related);
    }
    if let Some(suppression) = &finding.suppression {
        result.suppressions = Some(vec![sarif_suppression(locator, files, suppression)]);
    }
    if let Some(state) = finding.baseline {
        result.baseline_state = Some(json!(match state {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
        }));
    }
    result
}

/// A suppression as code scanning reads it: `inSource` (annotation or comment, with where
/// it is written) or `external` (the configuration), with the reason as justification.
/// Code scanning shows such results as dismissed.
fn sarif_suppression(
    locator: &Locator,
    files: &[SourceFile],
    suppression: &crate::finding::Suppression,
) -> Suppression {
    let kind = match suppression.kind {
        SuppressionKind::InSource => "inSource",
        SuppressionKind::External => "external",
    };
    let mut out = Suppression::builder()
        .kind(json!(kind))
        .justification(suppression.justification.clone())
        .build();
    if let Some(location) = suppression.location {
        out.location = Some(
            SarifLocation::builder()
                .physical_location(physical_location(locator, files, location))
                .build(),
        );
    }
    out
}

/// A baseline entry no finding matches any more: a `pass` result with
/// `baselineState: absent` at the line it was recorded at, so a viewer can show what was
/// fixed without raising it as a problem.
fn absent_result(
    locator: &Locator,
    entry: &BaselineEntry,
    rule_index: Option<usize>,
) -> SarifResult {
    let region = Region::builder()
        .start_line(entry.line.max(1) as i64)
        .build();
    let mut result = SarifResult::builder()
        .rule_id(entry.code.clone())
        .kind(ResultKind::Pass)
        .level(ResultLevel::None)
        .message(
            Message::builder()
                .text(format!("Fixed since the baseline: {}", entry.message))
                .build(),
        )
        .locations(vec![SarifLocation::builder()
            .physical_location(
                PhysicalLocation::builder()
                    .artifact_location(locator.artifact(&entry.file))
                    .region(region)
                    .build(),
            )
            .build()])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            entry.fingerprint.clone(),
        )]))
        .baseline_state(json!("absent"))
        .build();
    if let Some(index) = rule_index {
        result.rule_index = Some(index as i64);
    }
    result
}

/// The report as SARIF, located from this process's working folder and repository.
pub fn render(report: &Report) -> String {
    render_located(report, &Locator::of_process())
}

pub fn render_located(report: &Report, locator: &Locator) -> String {
    let rules = crate::catalog::all();
    let descriptors: Vec<ReportingDescriptor> = rules.iter().map(|&r| descriptor(r)).collect();
    let results: Vec<SarifResult> = report
        .findings
        .iter()
        .map(|finding| {
            let index = rules
                .iter()
                .position(|r| *r == finding.rule)
                .expect("every finding's rule is registered");
            result(locator, report.files, finding, index)
        })
        .chain(report.absent.iter().map(|entry| {
            absent_result(
                locator,
                entry,
                rules.iter().position(|r| r.code() == entry.code),
            )
        }))
        .collect();
    let notifications: Vec<Notification> = report
        .errors
        .iter()
        .map(|error| {
            let physical = match (error.file, error.span) {
                (Some(file), Some(span)) => {
                    physical_location(locator, report.files, Location { file, span })
                }
                _ => PhysicalLocation::builder()
                    .artifact_location(locator.artifact(&error.path))
                    .build(),
            };
            Notification::builder()
                .level(json!("error"))
                .message(
                    Message::builder()
                        .text(format!("{}: {}", error.path, error.message))
                        .build(),
                )
                .locations(vec![SarifLocation::builder()
                    .physical_location(physical)
                    .build()])
                .build()
        })
        .collect();
    // What the run decided (clusters, rendering): notes, located nowhere.
    let notifications: Vec<Notification> = notifications
        .into_iter()
        .chain(report.notes.iter().map(|note| {
            Notification::builder()
                .level(json!("note"))
                .message(Message::builder().text(note.clone()).build())
                .build()
        }))
        .collect();
    let mut invocation = Invocation::builder().execution_successful(true).build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    let driver = ToolComponent::builder()
        .name("salint")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(descriptors)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .invocations(vec![invocation])
        .original_uri_base_ids(locator.base_ids())
        .column_kind(json!("unicodeCodePoints"))
        .results(results)
        .build();
    let sarif = Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut text = serde_json::to_string_pretty(&sarif).expect("SARIF serialises");
    text.push('\n');
    text
}
