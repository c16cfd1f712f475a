//! `sip2check completions SHELL`: the shell's completion script for every subcommand and flag,
//! generated from the clap definitions (clap_complete), on stdout.

use std::io::Write;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, Exit};

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Runs `completions`.
pub fn run(args: CompletionsArgs) -> anyhow::Result<Exit> {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, "sip2check", &mut out);
    out.flush()?;
    Ok(Exit::Passed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_five_shells_and_refuses_others() {
        for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
            let args: CompletionsArgs = super::super::parse_subcommand("completions", &[shell])
                .unwrap_or_else(|e| panic!("{shell}: {e}"));
            assert_eq!(args.shell.to_string(), shell);
        }
        assert!(
            super::super::parse_subcommand::<CompletionsArgs>("completions", &["tcsh"]).is_err()
        );
    }
}
