//! The `salint` binary: all logic lives in the library; see `salint::run`.

/// mimalloc rather than the system allocator: a run builds and frees millions of small
/// nodes on several threads, and glibc's allocator spent a third of the run in page faults
/// and lock contention there (see README "Performance").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    salint::run()
}
