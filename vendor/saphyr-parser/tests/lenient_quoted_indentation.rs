//! `Parser::lenient_quoted_indentation`: quoted scalars whose continuation lines are
//! indented no more than their parent node (or start with a tab), read as libyaml reads
//! them. Off by default, as YAML 1.2 requires.

use saphyr_parser::{Event, Parser, ScanError};

fn scalars(input: &str, lenient: bool) -> Result<Vec<String>, ScanError> {
    let mut out = Vec::new();
    for item in Parser::new_from_str(input).lenient_quoted_indentation(lenient) {
        if let Event::Scalar(s, ..) = item?.0 {
            out.push(s.into());
        }
    }
    Ok(out)
}

#[test]
fn continuation_at_the_key_indentation() {
    let yaml = "spec:\n  description: 'first line\n  goes on'\n  type: string\n";
    assert!(scalars(yaml, false).is_err());
    assert_eq!(
        scalars(yaml, true).unwrap(),
        ["spec", "description", "first line goes on", "type", "string"]
    );
}

#[test]
fn continuation_at_the_margin_and_with_tabs() {
    let yaml = "a:\n  b: \"x\n\n\ty\"\n  c: 'p\nq'\n";
    assert!(scalars(yaml, false).is_err());
    assert_eq!(
        scalars(yaml, true).unwrap(),
        ["a", "b", "x\ny", "c", "p q"]
    );
}

#[test]
fn document_markers_and_end_of_stream_still_end_with_an_error() {
    assert!(scalars("a: 'x\n---\n'", true).is_err());
    assert!(scalars("a: 'x\n", true).is_err());
}

/// yaml-test-suite DK95 ("Tabs that look like indentation"): the spec's answers by default;
/// leniently, case 01 (a quoted scalar's line starting with a tab) is read as libyaml reads it.
#[test]
fn yaml_test_suite_dk95() {
    let cases = [
        ("foo:\n \tbar\n", true),
        ("foo: \"bar\n\tbaz\"\n", false),
        ("foo: \"bar\n  \tbaz\"\n", true),
        (" \t\nfoo: 1\n", true),
        ("foo: 1\n\t\nbar: 2\n", true),
        ("foo: 1\n \t\nbar: 2\n", true),
        ("foo:\n  a: 1\n  \tb: 2\n", false),
        ("%YAML 1.2\n\t\n---\n", true),
        ("foo: \"bar\n \t \t baz \t \t \"\n", true),
    ];
    for (yaml, valid) in cases {
        assert_eq!(scalars(yaml, false).is_ok(), valid, "{yaml:?}");
    }
    assert_eq!(
        scalars("foo: \"bar\n\tbaz\"\n", true).unwrap(),
        ["foo", "bar baz"]
    );
}
