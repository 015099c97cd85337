//! The whole pipeline (read, parse, graph, rules, every report format) on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| salint::fuzz::pipeline(data));
