//! Every rule has a doc, every doc a rule; every example in rules/*.md behaves as marked;
//! the README's rule table is the one generated from the docs.

use std::collections::BTreeSet;
use std::path::Path;

use salint::catalog as rules;
use salint::read_texts;
use salint::{lint, LintOptions};

const EXPECT_MARKER: &str = "# expect: ";

#[test]
fn every_rule_has_a_doc_and_every_doc_a_rule() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".md"))
        .map(|name| name.trim_end_matches(".md").to_string())
        .collect();
    let registered: BTreeSet<String> = rules::all().iter().map(|r| r.name().to_string()).collect();
    assert_eq!(
        on_disk, registered,
        "rules/*.md and the rule registry differ"
    );
    for rule in rules::all() {
        let doc = rule.doc();
        assert_eq!(
            doc.name,
            rule.name(),
            "front matter name of rules/{}.md",
            rule.name()
        );
        let on_disk = std::fs::read_to_string(dir.join(format!("{}.md", rule.name()))).unwrap();
        assert_eq!(on_disk, rule.doc_source(), "embedded doc is stale");
        assert!(
            doc.examples.iter().any(|e| e.bad) && doc.examples.iter().any(|e| !e.bad),
            "rules/{}.md needs a bad and a good example",
            rule.name()
        );
        assert!((0.1..=10.0).contains(&doc.security_severity));
        for section in [
            "## What it flags",
            "## Why it matters",
            "## How to fix",
            "## Examples",
        ] {
            assert!(
                doc.body.contains(section),
                "rules/{}.md lacks {section}",
                rule.name()
            );
        }
    }
}

#[test]
fn codes_are_unique_and_well_formed() {
    let codes: Vec<&str> = rules::all().iter().map(|r| r.code()).collect();
    let unique: BTreeSet<&str> = codes.iter().copied().collect();
    assert_eq!(unique.len(), codes.len(), "duplicate rule codes: {codes:?}");
    for code in codes {
        assert!(
            code.len() == 5
                && code.starts_with("SA")
                && code[2..].chars().all(|c| c.is_ascii_digit()),
            "bad code {code}"
        );
        assert_eq!(rules::find(code).unwrap().code(), code);
    }
}

/// Lines (1-based, within the example) where `rule` fires.
fn firing_lines(yaml: &str, rule: &str) -> BTreeSet<usize> {
    let inputs = read_texts(vec![("example.yaml".to_string(), yaml.to_string())]);
    assert!(
        inputs.errors.is_empty(),
        "example does not parse: {:?}",
        inputs.errors
    );
    assert!(!inputs.objects.is_empty(), "example has no object");
    lint(&inputs, &LintOptions::default())
        .iter()
        .filter(|f| f.rule.name() == rule)
        .map(|f| inputs.files[0].position(f.location.span.start).line)
        .collect()
}

#[test]
fn doc_examples_fire_where_marked_and_nowhere_else() {
    let mut checked = 0;
    for rule in rules::all() {
        for example in &rule.doc().examples {
            let marked: BTreeSet<usize> = example
                .yaml
                .lines()
                .enumerate()
                .filter(|(_, line)| line.contains(EXPECT_MARKER))
                .map(|(i, line)| {
                    let named = line.split(EXPECT_MARKER).nth(1).unwrap().trim();
                    assert_eq!(
                        named,
                        rule.name(),
                        "marker names another rule in rules/{}.md",
                        rule.name()
                    );
                    i + 1
                })
                .collect();
            let fired = firing_lines(&example.yaml, rule.name());
            let where_ = format!(
                "rules/{}.md, example at line {}",
                rule.name(),
                example.doc_line
            );
            if example.bad {
                assert!(
                    !marked.is_empty(),
                    "{where_}: a bad example needs `{EXPECT_MARKER}{}` marks",
                    rule.name()
                );
                assert_eq!(
                    fired, marked,
                    "{where_}: lines where the rule fires vs marked lines"
                );
            } else {
                assert!(
                    marked.is_empty(),
                    "{where_}: a good example must not carry marks"
                );
                assert!(
                    fired.is_empty(),
                    "{where_}: rule fires at lines {fired:?} of a good example"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 12, "only {checked} examples");
}

#[test]
fn readme_rule_table_matches_the_docs() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("<!-- rules:start -->\n")
        .expect("README lacks <!-- rules:start -->")
        + 21;
    let end = readme
        .find("<!-- rules:end -->")
        .expect("README lacks <!-- rules:end -->");
    assert_eq!(
        &readme[start..end],
        salint::testing::rules_markdown_table(),
        "README rule table is stale: paste the output of salint::testing::rules_markdown_table()"
    );
}

/// A rule is found from its name alone: its doc is `rules/NAME.md`, its check, wording and
/// options are `src/rules/NAME.rs` (dashes as underscores), and the file says which rule it
/// is in its first line.
#[test]
fn every_rule_is_found_by_its_name() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for rule in rules::all() {
        let file = root
            .join("src/rules")
            .join(format!("{}.rs", rule.name().replace('-', "_")));
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let first = text.lines().next().unwrap_or("");
        assert!(
            first.starts_with(&format!("//! `{}`", rule.name())),
            "{} should open with `//! `{}`: ...`, not {first:?}",
            file.display(),
            rule.name()
        );
        // Options are declared in the doc and read in the rule's own file.
        for key in &rule.doc().option_keys {
            assert!(
                text.contains(&format!("\"{key}\"")),
                "{} does not read its option `{key}`",
                file.display()
            );
        }
    }
}
