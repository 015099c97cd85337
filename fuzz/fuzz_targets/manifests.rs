//! Structure-aware: a generated manifest set (`fuzz/manifest_set.rs`: long, unicode and
//! hostile names, long lines, many findings, wrong types, duplicate keys, merge keys,
//! suppressions) through the whole pipeline, every report format and the inspection
//! commands, checked for raw control characters and workflow commands in the output.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../manifest_set.rs"]
mod manifest_set;

fuzz_target!(|set: manifest_set::ManifestSet| salint::fuzz::manifest_set(&set.files));
