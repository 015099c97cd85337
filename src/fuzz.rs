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
    assert_skipping_agrees(&text);
}

/// Skipping the documents of kinds no rule reads (the pre-scan, `crate::yaml::prescan`)
/// must read exactly what parsing every byte reads: the same objects, spans, duplicate keys
/// and error.
fn assert_skipping_agrees(text: &str) {
    use crate::model::document::{objects_parsing_everything, objects_skipping_unread};
    let Some((objects, error, _)) = objects_skipping_unread(text) else {
        return;
    };
    let skipping = format!("{:?}", (objects, error));
    let whole = format!("{:?}", objects_parsing_everything(text));
    assert!(
        skipping == whole,
        "skipping unread documents changed what was read"
    );
}

/// The whole pipeline: decode, parse, split into objects, build the graph, run every rule,
/// apply suppressions, and render every report format.
pub fn pipeline(data: &[u8]) {
    assert_skipping_agrees(&String::from_utf8_lossy(data));
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

/// A manifest set of several files (the structure-aware generator's output): the whole
/// pipeline, every report format and the inspection commands' text, each checked for what
/// must never reach a terminal or a CI log. Panics when a check fails, so the fuzzers
/// report it.
pub fn manifest_set(files: &[(String, String)]) {
    for (_, text) in files {
        assert_skipping_agrees(text);
    }
    let inputs = crate::input::read_texts(files.to_vec());
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
    let shown = report.shown().count() + report.errors.len();
    for (format, text) in [
        ("human", report::human::render(&report, false)),
        ("compact", report::compact::render(&report)),
        ("markdown", report::markdown::render(&report)),
    ] {
        assert_safe_text(format, &text, false);
    }
    let github = report::github::render(&report);
    assert_safe_text("github", &github, true);
    assert_eq!(
        github.lines().count(),
        shown,
        "github: one command per finding"
    );
    let compact = report::compact::render(&report);
    assert_eq!(
        compact.lines().count(),
        shown,
        "compact: one line per finding"
    );
    let _ = report::json::render(&report);
    let _ = report::sarif::render(&report);

    let graph = crate::graph::Graph::build(&inputs.objects, crate::model::Namespace::Implicit);
    let view = crate::inspect::View {
        graph: &graph,
        inputs: &inputs,
    };
    let picture = crate::inspect::graph_view::picture(&view);
    assert_safe_text(
        "mermaid",
        &crate::inspect::graph_render::mermaid(&picture),
        false,
    );
    assert_safe_text("dot", &crate::inspect::graph_render::dot(&picture), false);
    if let Ok(target) = crate::authz::Target::parse("secrets") {
        let answer = crate::inspect::who_can::who_can(&view, "get", &target, None);
        assert_safe_text(
            "who-can",
            &crate::inspect::who_can::render_human(&answer),
            false,
        );
    }
    for sa in graph.service_accounts.iter().take(4) {
        let namespace = sa.namespace.name().unwrap_or("");
        if let Ok(explanation) =
            crate::inspect::explain_sa::explain(&view, namespace, &sa.object.name)
        {
            assert_safe_text(
                "explain-sa",
                &crate::inspect::explain_sa::render_human(&explanation),
                false,
            );
        }
    }
}

/// No control character but the line break, and no line that a GitHub runner would read
/// as a workflow command (unless the format is made of them).
fn assert_safe_text(format: &str, text: &str, commands_allowed: bool) {
    if let Some(c) = text
        .chars()
        .find(|&c| c != '\n' && crate::escape::is_unsafe(c))
    {
        panic!(
            "{format}: raw control character U+{:04X} in the output",
            c as u32
        );
    }
    for line in text.lines() {
        let trimmed = line.trim_start();
        let ours = ["::error ", "::warning ", "::notice "]
            .iter()
            .any(|command| line.starts_with(command));
        if trimmed.starts_with("::") && !(commands_allowed && ours) {
            panic!("{format}: a line starts a workflow command: {line:.80}");
        }
    }
}
