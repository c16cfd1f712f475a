//! `sip2check man [SUBCOMMAND]`: the manual page, generated from the clap definitions
//! (clap_mangen), as roff on stdout: sip2check(1), or sip2check-SUBCOMMAND(1) with its flags.

use std::io::Write;

use clap::{Args, CommandFactory};

use super::{Cli, Exit, ExitError};

/// Arguments of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// A subcommand whose page to print (sip2check-SUBCOMMAND(1)); the main page when omitted.
    pub subcommand: Option<String>,
}

/// Runs `man`.
pub fn run(args: ManArgs) -> anyhow::Result<Exit> {
    let mut cmd = Cli::command();
    // Building names each subcommand "sip2check-NAME", the page the main page refers to.
    cmd.build();
    let page = match &args.subcommand {
        None => cmd,
        Some(name) => cmd.find_subcommand(name).cloned().ok_or_else(|| {
            let names: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
            ExitError {
                exit: Exit::Usage,
                message: format!(
                    "no subcommand {name:?}; pages: {} (or none for the main page)",
                    names.join(", ")
                ),
            }
        })?,
    };
    let mut out = std::io::stdout().lock();
    // Subcommands carry no version of their own: every page names the tool's.
    clap_mangen::Man::new(page)
        .source(format!("sip2check {}", env!("CARGO_PKG_VERSION")))
        .render(&mut out)?;
    out.flush()?;
    Ok(Exit::Passed)
}
