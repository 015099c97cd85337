//! A tab after the `:` of a mapping entry is separation white space (YAML 1.2, 6.2), as in
//! libyaml; it only may not indent a block collection started on the same line.

use saphyr_parser::{Event, Parser, ScanError};

fn scalars(input: &str) -> Result<Vec<String>, ScanError> {
    let mut out = Vec::new();
    for item in Parser::new_from_str(input) {
        if let Event::Scalar(s, ..) = item?.0 {
            out.push(s.into());
        }
    }
    Ok(out)
}

#[test]
fn tab_after_simple_key_colon_is_separation() {
    assert_eq!(scalars("key:\tvalue").unwrap(), ["key", "value"]);
    assert_eq!(scalars("a:\n  b:\tc\n").unwrap(), ["a", "b", "c"]);
    assert_eq!(scalars("key:\t-1").unwrap(), ["key", "-1"]);
    assert_eq!(scalars("key:\t\t'quoted'").unwrap(), ["key", "quoted"]);
}

#[test]
fn tab_after_colon_in_flow_mapping_is_separation() {
    assert_eq!(scalars("{key:\tvalue}").unwrap(), ["key", "value"]);
    assert_eq!(scalars("a: {b:\tc, d:\t-e}").unwrap(), ["a", "b", "c", "d", "-e"]);
}

#[test]
fn tab_cannot_indent_a_block_collection_after_the_colon() {
    // A block sequence may not start after a simple key's `:` on the same line anyway.
    assert!(scalars("key:\t- a").is_err());
    // yaml-test-suite Y79Y/007 and Y79Y/009: after a complex key, a tab before `-` or an
    // implicit key would be indentation.
    assert!(scalars("? -\n:\t-").is_err());
    assert!(scalars("? key:\n:\tkey:").is_err());
}

/// yaml-test-suite Y79Y ("Tabs in various contexts"), every case, unchanged by the above.
#[test]
fn yaml_test_suite_y79y() {
    let cases = [
        ("foo: |\n\t\nbar: 1\n", false),
        ("foo: |\n \t\nbar: 1\n", true),
        ("- [\n\t\n foo\n ]\n", true),
        ("- [\n\tfoo,\n foo\n ]\n", false),
        ("-\t-\n", false),
        ("- \t-\n", false),
        ("?\t-\n", false),
        ("? -\n:\t-\n", false),
        ("?\tkey:\n", false),
        ("? key:\n:\tkey:\n", false),
        ("-\t-1\n", true),
    ];
    for (yaml, valid) in cases {
        assert_eq!(scalars(yaml).is_ok(), valid, "{yaml:?}");
    }
}
