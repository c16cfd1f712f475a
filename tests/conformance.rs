//! The shipped scenarios as a `cargo test` harness: one libtest trial per scenario, run
//! against the built-in emulator, or against SIP2_ENDPOINT=host:port with the variables of
//! SIP2_PROFILE=file. Another project does the same from its own tests/ with this one call.

fn main() -> std::process::ExitCode {
    sip2check::runner::harness_main(&["scenarios"])
}
