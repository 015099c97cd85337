//! The loader leaves out the parts of objects no rule reads (a Secret's values, a
//! workload's container details, all but the identity of kinds no rule reads) to save
//! memory. This holds that to its promise: every example of every rule doc (rules/*.md)
//! linted with that pruning and without it gives the same findings, to the byte: rule,
//! severity, message, span, related places, object and field. A rule that starts reading a
//! pruned part fails here until the part is taken out of the pruning.
//!
//! The switch is process-wide ([`KEEP_UNREAD_PARTS`]), so this binary holds this one test.

use std::sync::atomic::Ordering;

use salint::catalog;
use salint::testing::KEEP_UNREAD_PARTS;
use salint::{lint, LintOptions};
use salint::{read_texts, Inputs};

/// The example linted as `rules/*.md` examples are (tests/rule_docs.rs), with the pruning
/// on or off: its objects' trees and its findings and input errors, each as text.
fn lint_example(yaml: &str, keep_unread_parts: bool) -> (Vec<String>, Vec<String>) {
    KEEP_UNREAD_PARTS.store(keep_unread_parts, Ordering::Relaxed);
    let inputs: Inputs = read_texts(vec![("example.yaml".to_string(), yaml.to_string())]);
    let findings = lint(&inputs, &LintOptions::default());
    KEEP_UNREAD_PARTS.store(false, Ordering::Relaxed);
    let trees = inputs
        .objects
        .iter()
        .map(|o| format!("{:?}", o.root))
        .collect();
    let file = &inputs.files[0];
    let results = findings
        .iter()
        .map(|f| {
            let related: Vec<String> = f
                .related
                .iter()
                .map(|r| format!("{:?} {}", file.range(r.location.span), r.message))
                .collect();
            format!(
                "{} {:?}: {}; related {related:?}; {:?}",
                f.rule.name(),
                file.range(f.location.span),
                f.message,
                f
            )
        })
        .chain(inputs.errors.iter().map(|e| format!("{e:?}")))
        .collect();
    (trees, results)
}

#[test]
fn doc_examples_give_the_same_findings_with_and_without_pruning() {
    let mut examples = 0;
    let mut pruned = 0;
    let mut findings = 0;
    for rule in catalog::all() {
        for example in &rule.doc().examples {
            let where_ = format!(
                "rules/{}.md, example at line {}",
                rule.name(),
                example.doc_line
            );
            let (pruned_trees, with_pruning) = lint_example(&example.yaml, false);
            let (whole_trees, without_pruning) = lint_example(&example.yaml, true);
            assert_eq!(
                with_pruning, without_pruning,
                "{where_}: findings with pruning (left) and without (right)"
            );
            examples += 1;
            findings += with_pruning.len();
            if pruned_trees != whole_trees {
                pruned += 1;
            }
        }
    }
    assert!(examples >= 50, "only {examples} examples");
    assert!(findings >= 30, "only {findings} findings");
    // The switch switches: examples with a workload's containers or a Secret's values.
    assert!(
        pruned >= 20,
        "pruning left out something in only {pruned} of {examples} examples"
    );
}
