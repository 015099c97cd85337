//! What salint read, as JSON, for `scripts/yaml-acceptance` (through
//! `examples/read_values.rs`), which compares it with what PyYAML reads. Not part of the
//! documented interface.

use serde_json::{json, Map, Value as Json};

use crate::input::Inputs;
use crate::model::validity::JsonType;
use crate::yaml::{Node, Value};

/// One line per object: its file, the line and column (1-based, characters) where its
/// mapping starts, and the tree salint keeps of it, typed the way kubectl types YAML: null,
/// booleans, numbers (as `{"$number": text}`), strings, lists, and mappings in which a
/// repeated key keeps its last value. Then one line per input error.
pub fn read_values(inputs: &Inputs) -> String {
    let mut out = String::new();
    for object in &inputs.objects {
        let file = &inputs.files[object.file];
        let at = file.position(object.root.span.start);
        let line = json!({
            "file": file.display,
            "line": at.line,
            "column": at.column,
            "value": typed(&object.root),
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    for error in &inputs.errors {
        out.push_str(&json!({"error": error.path, "message": error.message}).to_string());
        out.push('\n');
    }
    out
}

fn typed(node: &Node) -> Json {
    match &node.value {
        Value::Seq(items) => Json::Array(items.iter().map(typed).collect()),
        Value::Map(entries) => {
            let mut map = Map::new();
            for entry in entries.iter() {
                let key = match entry.key.as_scalar() {
                    Some(scalar) => scalar.text.to_string(),
                    None => entry.key.span.start.to_string(),
                };
                map.insert(key, typed(&entry.value));
            }
            Json::Object(map)
        }
        Value::Scalar(scalar) => match JsonType::of(node) {
            JsonType::Null => Json::Null,
            JsonType::Bool => Json::Bool(matches!(
                crate::yaml::yaml11_bool(node),
                crate::yaml::Yaml11Bool::True
            )),
            JsonType::Number => json!({"$number": &*scalar.text}),
            _ => Json::String(scalar.text.to_string()),
        },
    }
}
