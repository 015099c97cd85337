//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning ingests it.
//!
//! One run; a descriptor for every rule with its doc as help; results with exact regions
//! (1-based lines, columns in Unicode code points as `columnKind` says) and
//! `partialFingerprints` that ignore line numbers; unreadable or unparsable inputs as
//! `toolExecutionNotifications` while `executionSuccessful` stays true.

use std::collections::BTreeMap;

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

/// A file path as a relative URI reference: forward slashes, characters outside the
/// unreserved/path set percent-encoded.
fn uri(display: &str) -> String {
    let mut out = String::new();
    for byte in display.bytes() {
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

fn physical_location(files: &[SourceFile], location: Location) -> PhysicalLocation {
    let file = &files[location.file];
    let (start, end) = file.range(location.span);
    PhysicalLocation::builder()
        .artifact_location(ArtifactLocation::builder().uri(uri(&file.display)).build())
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

fn result(files: &[SourceFile], finding: &Finding, rule_index: usize) -> SarifResult {
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
                .physical_location(physical_location(files, related.location))
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
            .physical_location(physical_location(files, finding.location))
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
        result.suppressions = Some(vec![sarif_suppression(files, suppression)]);
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
                .physical_location(physical_location(files, location))
                .build(),
        );
    }
    out
}

/// A baseline entry no finding matches any more: a `pass` result with
/// `baselineState: absent` at the line it was recorded at, so a viewer can show what was
/// fixed without raising it as a problem.
fn absent_result(entry: &BaselineEntry, rule_index: Option<usize>) -> SarifResult {
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
                    .artifact_location(ArtifactLocation::builder().uri(uri(&entry.file)).build())
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

pub fn render(report: &Report) -> String {
    let rules = crate::catalog::all();
    let descriptors: Vec<ReportingDescriptor> = rules.iter().map(|&r| descriptor(r)).collect();
    let results: Vec<SarifResult> =
        report
            .findings
            .iter()
            .map(|finding| {
                let index = rules
                    .iter()
                    .position(|r| *r == finding.rule)
                    .expect("every finding's rule is registered");
                result(report.files, finding, index)
            })
            .chain(report.absent.iter().map(|entry| {
                absent_result(entry, rules.iter().position(|r| r.code() == entry.code))
            }))
            .collect();
    let notifications: Vec<Notification> = report
        .errors
        .iter()
        .map(|error| {
            let physical = match (error.file, error.span) {
                (Some(file), Some(span)) => {
                    physical_location(report.files, Location { file, span })
                }
                _ => PhysicalLocation::builder()
                    .artifact_location(ArtifactLocation::builder().uri(uri(&error.path)).build())
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
