//! Scalar typing the way kubectl reads YAML (go-yaml v2, YAML 1.1).

use super::{Node, ScalarStyle};

/// What a boolean field holds, read as kubectl reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Yaml11Bool {
    True,
    False,
    /// Present but not a boolean (a quoted `"false"`, a number, a mapping): the API server
    /// rejects the object.
    NotABool,
}

/// Reads a boolean the way kubectl does: plain `y`, `yes`, `on`, `true` (and their
/// capitalised forms) are true; `n`, `no`, `off`, `false` are false. Quoted scalars are
/// strings, never booleans, so `"false"` is [`Yaml11Bool::NotABool`].
pub fn yaml11_bool(node: &Node) -> Yaml11Bool {
    let Some(scalar) = node.as_scalar() else {
        return Yaml11Bool::NotABool;
    };
    let tagged_bool = scalar.tag.as_deref() == Some("tag:yaml.org,2002:bool");
    if scalar.style != ScalarStyle::Plain && !tagged_bool {
        return Yaml11Bool::NotABool;
    }
    match &*scalar.text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Yaml11Bool::True
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Yaml11Bool::False
        }
        _ => Yaml11Bool::NotABool,
    }
}
