//! `--format gitlab`: a GitLab Code Quality report (the subset of the Code Climate issue
//! format GitLab reads, <https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format>):
//! a JSON array of issues with `description`, `check_name`, `fingerprint`, `severity` and
//! `location.path` + `location.positions`. GitLab shows an issue on a merge request's diff
//! only when `path` is relative to the repository, so paths are made relative to the
//! repository root as in SARIF; a file outside it keeps its absolute path.

use serde_json::{json, Value};

use super::sarif::Locator;
use super::Report;
use crate::finding::{Finding, Severity};

/// Code Climate's severities: `info`, `minor`, `major`, `critical`, `blocker`.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Note => "info",
    }
}

/// FNV-1a 64 (as `salint/v1` fingerprints), for the place half of an issue's fingerprint.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn path(locator: &Locator, display: &str) -> String {
    match locator.relative(display) {
        Ok(relative) => relative,
        Err(absolute) => absolute.to_string_lossy().into_owned(),
    }
}

/// One issue. GitLab wants each fingerprint unique in the report and stable across
/// pipelines (it tells new issues from fixed ones by it): the finding's own fingerprint
/// (rule, object, field; no line numbers), then a hash of the file it is located in.
fn issue(locator: &Locator, report: &Report, finding: &Finding) -> Value {
    let file = &report.files[finding.location.file];
    let (start, end) = file.range(finding.location.span);
    let path = path(locator, &file.display);
    let mut description = finding.message.clone();
    if let Some(origin) = &finding.origin {
        description.push_str(&format!(" (Helm template: {origin})"));
    }
    json!({
        "type": "issue",
        "check_name": finding.rule.code(),
        "description": format!("[{} {}] {description}", finding.rule.code(), finding.rule.name()),
        "categories": ["Security"],
        "severity": severity(finding.severity),
        "fingerprint": format!("{}{:016x}", finding.fingerprint(), fnv1a64(path.as_bytes())),
        "location": {
            "path": path,
            "positions": {
                "begin": { "line": start.line, "column": start.column },
                "end": { "line": end.line, "column": end.column },
            },
        },
    })
}

/// The report, located from this process's working folder and repository.
pub fn render(report: &Report) -> String {
    render_located(report, &Locator::of_process())
}

pub fn render_located(report: &Report, locator: &Locator) -> String {
    let mut issues: Vec<Value> = report
        .shown()
        .filter(|f| f.suppression.is_none())
        .map(|finding| issue(locator, report, finding))
        .collect();
    // An input that could not be read is an issue too: the merge request should show it.
    for error in report.errors {
        let path = path(locator, &error.path);
        let line = error.file.zip(error.span).map_or(1, |(file, span)| {
            report.files[file].position(span.start).line
        });
        issues.push(json!({
            "type": "issue",
            "check_name": "input-error",
            "description": format!("{}: {}", error.path, error.message),
            "categories": ["Bug Risk"],
            "severity": "blocker",
            "fingerprint": format!("{:016x}{:016x}", fnv1a64(error.message.as_bytes()), fnv1a64(path.as_bytes())),
            "location": { "path": path, "lines": { "begin": line } },
        }));
    }
    let mut text = serde_json::to_string_pretty(&issues).expect("issues serialise");
    text.push('\n');
    text
}
