//! The SARIF of the demo set (and of a run with a broken file) validates against the
//! vendored SARIF 2.1.0 schema.

use std::path::Path;
use std::process::Command;

fn sarif_of(args: &[&str]) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_salint"))
        .args(["check", "--format", "sarif"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).expect("SARIF output is JSON")
}

fn validate(instance: &serde_json::Value) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema_path = root.join("testdata/sarif/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap()).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("sarif-schema-2.1.0.json", schema)
        .unwrap();
    let index = compiler
        .compile("sarif-schema-2.1.0.json", &mut schemas)
        .unwrap();
    if let Err(error) = schemas.validate(instance, index) {
        panic!("SARIF does not validate:\n{error:#}");
    }
}

#[test]
fn demo_sarif_validates_against_the_schema() {
    let sarif = sarif_of(&["testdata/demo"]);
    validate(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() >= 6);
    for result in results {
        let region = &result["locations"][0]["physicalLocation"]["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(
                region[key].as_i64().unwrap() >= 1,
                "{key} missing in {result}"
            );
        }
        assert!(result["partialFingerprints"]["salint/v1"].is_string());
    }
}

#[test]
fn sarif_with_input_errors_validates_and_stays_successful() {
    let sarif = sarif_of(&["testdata/broken"]);
    validate(&sarif);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert!(notes[0]["locations"][0]["physicalLocation"]["region"]["startLine"].is_i64());
}
