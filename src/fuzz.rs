//! Entry points for fuzzing, shared by the cargo-fuzz targets in `fuzz/` (nightly,
//! libFuzzer) and the stable mutation fuzzer `examples/fuzz.rs`: whatever bytes come in,
//! these must return without panicking, and in time linear in the input.

use crate::input::read_bytes;
use crate::lint::{lint, LintOptions};
use crate::report::{self, Report};

/// The YAML loader alone: events to span tree, aliases, depth limits.
pub fn loader(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let loaded = crate::yaml::load_documents(&text);
    for document in &loaded.documents {
        let _ = document.root.size();
    }
}

/// The whole pipeline: decode, parse, split into objects, build the graph, run every rule,
/// apply suppressions, and render every report format.
pub fn pipeline(data: &[u8]) {
    let inputs = read_bytes("fuzz.yaml".to_string(), data.to_vec());
    let findings = lint(&inputs, &LintOptions::default());
    let report = Report {
        files: &inputs.files,
        findings: &findings,
        errors: &inputs.errors,
        notes: &inputs.notes,
        object_count: inputs.objects.len(),
        file_count: inputs.files.len(),
        show_suppressed: true,
        absent: &[],
        baseline_used: false,
    };
    let _ = report::human::render(&report, false);
    let _ = report::json::render(&report);
    let _ = report::sarif::render(&report);
    let _ = report::github::render(&report);
    let _ = report::compact::render(&report);
    let _ = report::markdown::render(&report);
}
