//! The command line: one file per subcommand, and the exit codes they share.
//!
//! Exit codes (documented in the README and in `--help`): 0 passed / no error-severity
//! violations, 1 failures, error-severity violations or a scenario that errored mid-run,
//! 2 usage or configuration errors, 3 a selection that runs no scenario, 4 the server could not be reached (`run`: the capability
//! probe could not connect; `send`: the connection failed or a wait timed out), 130 and 143 a
//! `run` stopped by SIGINT or SIGTERM; `probe --plugin` uses the
//! monitoring-plugin codes instead (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). Colour is
//! decided once for every subcommand, in [`color`].

pub mod color;
mod completions;
mod decode;
mod diff;
mod gate;
mod init;
mod interrupt;
mod live;
mod load;
mod logscan;
mod man;
mod probe;
mod proxy;
mod run;
mod schema;
mod send;
mod serve;
mod spec;

use clap::{Parser, Subcommand};

/// sip2check: conformance test harness, client and reference ACS emulator for SIP2 (3M SIP 2.00).
#[derive(Debug, Parser)]
#[command(name = "sip2check", version, about, after_long_help = EXIT_CODES)]
pub struct Cli {
    /// Colour: auto (a terminal gets colour, unless NO_COLOR is set or TERM=dumb;
    /// CLICOLOR_FORCE=1 forces it), always, never.
    #[arg(long, global = true, value_enum, default_value_t = color::ColorWhen::Auto, value_name = "WHEN")]
    pub color: color::ColorWhen,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

const EXIT_CODES: &str = "Exit codes: 0 passed, 1 failures, error-severity violations or a scenario that errored mid-run, 2 usage or scenario/config errors, 3 a selection that runs no scenario (an unknown --tag or --filter), 4 the server could not be reached (send: the connection failed or timed out), 130 run stopped by Ctrl-C (SIGINT), 143 run stopped by SIGTERM. probe --plugin: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.";

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode SIP2 messages field by field and lint them against the protocol.
    Decode(decode::DecodeArgs),
    /// Print the protocol table: message layouts, field IDs, code tables and lint rules.
    Spec(spec::SpecArgs),
    /// Run YAML scenarios against a SIP2 server (default: the built-in emulator).
    Run(run::RunArgs),
    /// Send raw SIP messages to a server and show the exact bytes and the decoded, linted answers.
    Send(Box<send::SendArgs>),
    /// Run the reference ACS emulator (a SIP2 server with a built-in library).
    Serve(serve::ServeArgs),
    /// Write a commented profile (and, with --suites, a copy of the suites) to start from.
    Init(init::InitArgs),
    /// Print the JSON Schema of a scenario, common.yaml, profile or library file (for editors).
    Schema(schema::SchemaArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff), of sip2check or of one subcommand.
    Man(man::ManArgs),
    /// Find, pair and lint the SIP messages in server logs and captures.
    Logscan(logscan::LogscanArgs),
    /// Forward a self-check's traffic to an ACS unchanged and lint both directions.
    Proxy(Box<proxy::ProxyArgs>),
    /// Run the same scenarios against an old and a new server and show what differs.
    Diff(Box<diff::DiffArgs>),
    /// Check SIP accounts for monitoring: connect, login, SC status (and a patron status).
    Probe(probe::ProbeArgs),
    /// Generate load against a SIP2 server (bounded; loopback unless --allow-remote).
    Load(Box<load::LoadArgs>),
}

/// The process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Everything passed.
    Passed = 0,
    /// A check failed, a message has an error-severity violation, or a scenario errored mid-run.
    Failed = 1,
    /// Bad usage, or a scenario/profile/library file that cannot be used.
    Usage = 2,
    /// The selection runs no scenario (an unknown tag or filter); for `probe --plugin`, the
    /// check itself could not run (UNKNOWN).
    NoScenarios = 3,
    /// The server could not be reached (`send`: the connection failed, or a wait timed out).
    Connection = 4,
    /// `run` was stopped by Ctrl-C (SIGINT); the reports hold what finished.
    Interrupted = 130,
    /// `run` was stopped by SIGTERM; the reports hold what finished.
    Terminated = 143,
}

impl Exit {
    /// `probe --plugin`: OK.
    pub const PLUGIN_OK: Exit = Exit::Passed;
    /// `probe --plugin`: WARNING (the same number as [`Exit::Failed`]).
    pub const PLUGIN_WARNING: Exit = Exit::Failed;
    /// `probe --plugin`: CRITICAL (the same number as [`Exit::Usage`]).
    pub const PLUGIN_CRITICAL: Exit = Exit::Usage;
    /// `probe --plugin`: UNKNOWN.
    pub const PLUGIN_UNKNOWN: Exit = Exit::NoScenarios;
}

/// An error that carries its own exit code (anything else exits 2).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ExitError {
    /// The code to exit with.
    pub exit: Exit,
    /// What went wrong.
    pub message: String,
}

/// The exit code for an error returned by a subcommand.
pub fn exit_code_of(err: &anyhow::Error) -> Exit {
    err.chain()
        .find_map(|e| e.downcast_ref::<ExitError>())
        .map_or(Exit::Usage, |e| e.exit)
}

/// An error about to be printed, masked by `redactor`, its causes folded in as `main` prints
/// them; the exit code it carries is kept.
fn masked(redactor: &crate::report::redact::Redactor, err: anyhow::Error) -> anyhow::Error {
    let mut message = redactor.text(&err.to_string());
    for cause in err.chain().skip(1) {
        message.push_str("\n  caused by: ");
        message.push_str(&redactor.text(&cause.to_string()));
    }
    ExitError {
        exit: exit_code_of(&err),
        message,
    }
    .into()
}

/// Runs the chosen subcommand.
pub fn dispatch(cli: Cli) -> anyhow::Result<Exit> {
    let colors = color::Colors::detect(cli.color);
    match cli.command {
        Command::Decode(args) => decode::run(args, colors),
        Command::Spec(args) => spec::run(args, colors),
        Command::Run(args) => run::run(args, colors),
        Command::Send(args) => send::run(*args, colors),
        Command::Serve(args) => serve::run(args, colors),
        Command::Init(args) => init::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
        Command::Logscan(args) => logscan::run(args, colors),
        Command::Proxy(args) => proxy::run(*args, colors),
        Command::Probe(args) => probe::run(args, colors),
        Command::Load(args) => load::run(*args, colors),
        Command::Diff(args) => diff::run(*args, colors),
    }
}

/// Parses the command line. A usage error prints clap's message and gives its exit code,
/// except under `probe --plugin`, where monitoring systems expect UNKNOWN (3).
pub fn parse() -> Result<Cli, std::process::ExitCode> {
    Cli::try_parse().map_err(|e| {
        let _ = e.print();
        // args_os: an argument that is not UTF-8 must not panic here.
        let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        let plugin = e.use_stderr()
            && args.iter().any(|a| a == "probe")
            && args.iter().any(|a| a == "--plugin");
        let code = if plugin {
            Exit::PLUGIN_UNKNOWN as u8
        } else {
            u8::try_from(e.exit_code()).unwrap_or(Exit::Usage as u8)
        };
        std::process::ExitCode::from(code)
    })
}

/// Parses `args` as the flags of subcommand `name` alone (for the subcommands' unit tests).
#[cfg(test)]
fn parse_subcommand<A: clap::Args + clap::FromArgMatches>(
    name: &'static str,
    args: &[&str],
) -> Result<A, clap::Error> {
    let matches = A::augment_args(clap::Command::new(name))
        .try_get_matches_from(std::iter::once(name).chain(args.iter().copied()))?;
    A::from_arg_matches(&matches)
}
