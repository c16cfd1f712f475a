//! `sip2check schema KIND`: the JSON Schema (draft-07) of a scenario, `common.yaml`, profile or
//! library file, generated from the types that load them, on stdout. Editors that read
//! `# yaml-language-server: $schema=...` lines (VS Code's YAML extension, Neovim, Helix, ...)
//! then complete keys and values, show help on hover and mark mistakes as you type.

use std::io::Write;

use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser as _};

use super::Exit;
use crate::schema::FileKind;

/// Arguments of `schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which file's schema: scenario, common (a common.yaml of shared steps), profile or library.
    #[arg(
        value_parser = PossibleValuesParser::new(FileKind::ALL.map(FileKind::name))
            .try_map(|s| s.parse::<FileKind>())
    )]
    pub kind: FileKind,
}

/// Runs `schema`.
pub fn run(args: SchemaArgs) -> anyhow::Result<Exit> {
    let mut out = std::io::stdout().lock();
    out.write_all(args.kind.text().as_bytes())?;
    out.flush()?;
    Ok(Exit::Passed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_four_kinds_and_refuses_others() {
        for kind in FileKind::ALL {
            let args: SchemaArgs = super::super::parse_subcommand("schema", &[kind.name()])
                .unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_eq!(args.kind, kind);
        }
        assert!(super::super::parse_subcommand::<SchemaArgs>("schema", &["scenarios"]).is_err());
        assert!(super::super::parse_subcommand::<SchemaArgs>("schema", &[]).is_err());
    }
}
