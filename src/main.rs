//! The `salint` binary: all logic lives in the library; see `salint::cli`.

fn main() -> std::process::ExitCode {
    salint::cli::run()
}
