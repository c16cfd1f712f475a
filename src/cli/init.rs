//! `sip2check init`: writes the commented profile template built in for a dialect as
//! `sip2-profile.yaml` (the name the CI templates in ci/ use) and, with `--suites`, a copy of the
//! built-in suites (`scenarios/`, with `common.yaml`) to customise. It checks every file first
//! and writes none when one exists, so it never overwrites anything. The JSON Schemas the files
//! point editors at go to `schemas/` beside them (those already there are left as they are).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser as _};

use super::{Exit, ExitError};
use crate::scenario::source;
use crate::schema::{self, FileKind};
use crate::sip2::System;

/// The profile's file name.
pub const PROFILE_FILE: &str = "sip2-profile.yaml";

/// The folder the suites are copied to (where `run --suite NAME` looks first).
const SUITES_DIR: &str = "scenarios";

/// At most this many existing files are named in the refusal.
const MAX_NAMED: usize = 5;

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The system your server is: which profile template to write.
    #[arg(
        long,
        default_value = "emulator",
        value_parser = PossibleValuesParser::new(System::ALL.map(System::name))
            .try_map(|s| s.parse::<System>())
    )]
    pub dialect: System,
    /// The directory to write into (created when missing) [default: the current directory].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Also write a copy of the built-in suites (scenarios/, with common.yaml) to customise;
    /// `sip2check run --suite NAME` then runs the copy.
    #[arg(long)]
    pub suites: bool,
}

/// Runs `init`.
pub fn run(args: InitArgs) -> anyhow::Result<Exit> {
    let template = source::profile_template(args.dialect).ok_or_else(|| {
        let have: Vec<&str> = source::profile_templates()
            .into_iter()
            .map(System::name)
            .collect();
        usage(format!(
            "no {} template in this build; templates: {}",
            args.dialect,
            have.join(", ")
        ))
    })?;
    let dir = args.dir.clone().unwrap_or_default();
    let profile = with_schema_line(template, FileKind::Profile);
    let mut files: Vec<(PathBuf, &str)> = vec![(dir.join(PROFILE_FILE), &profile)];
    if args.suites {
        files.extend(
            source::suite_files().map(|(name, text)| (dir.join(SUITES_DIR).join(name), text)),
        );
    }
    refuse_existing(&files)?;
    for (path, text) in &files {
        write_new(path, text)?;
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "wrote {}: the {} profile template; put in your server's endpoint, SIP account and records",
        dir.join(PROFILE_FILE).display(),
        args.dialect
    );
    if args.suites {
        let _ = writeln!(
            out,
            "wrote {}/: the suites {} and common.yaml ({} files) to customise",
            dir.join(SUITES_DIR).display(),
            source::suites().join(", "),
            files.len() - 1
        );
    }
    write_schemas(&dir, &mut out)?;
    let cd = args
        .dir
        .as_ref()
        .map(|d| format!("cd {} && ", d.display()))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "next: {cd}sip2check run --suite siptest --suite spec --profile {PROFILE_FILE}"
    );
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(Exit::Passed)
}

/// The profile template with its schema line pointing at `schemas/` beside it (the shipped
/// file's points from `fixtures/profiles/` up to the repository's).
fn with_schema_line(template: &str, kind: FileKind) -> String {
    let line = schema::modeline(&format!("{}/{}", schema::DIR, kind.file_name()));
    let rest = match template.split_once('\n') {
        Some((first, rest)) if first.starts_with("# yaml-language-server:") => rest,
        _ => template,
    };
    format!("{line}\n{rest}")
}

/// Writes every schema missing from `dir/schemas/`, and says what it wrote or left.
fn write_schemas(dir: &Path, out: &mut String) -> anyhow::Result<()> {
    let mut wrote = Vec::new();
    for kind in FileKind::ALL {
        let path = dir.join(schema::DIR).join(kind.file_name());
        let text = kind.text();
        match std::fs::read_to_string(&path) {
            Ok(old) if old == text => {}
            Ok(_) => {
                let _ = writeln!(
                    out,
                    "left {}: it differs from this version's; `sip2check schema {kind} > {}` replaces it",
                    path.display(),
                    path.display()
                );
            }
            Err(_) => {
                write_new(&path, &text)?;
                wrote.push(kind.file_name());
            }
        }
    }
    if !wrote.is_empty() {
        let _ = writeln!(
            out,
            "wrote {}/: the JSON Schemas ({}) that editors check these files with",
            dir.join(schema::DIR).display(),
            wrote.join(", ")
        );
    }
    Ok(())
}

/// Refuses (exit 2, nothing written) when any of `files` exists.
fn refuse_existing(files: &[(PathBuf, &str)]) -> Result<(), ExitError> {
    // symlink_metadata: a dangling link is in the way too.
    let existing: Vec<String> = files
        .iter()
        .filter(|(p, _)| p.symlink_metadata().is_ok())
        .map(|(p, _)| p.display().to_string())
        .collect();
    if existing.is_empty() {
        return Ok(());
    }
    let more = existing.len().saturating_sub(MAX_NAMED);
    let mut named = existing[..existing.len().min(MAX_NAMED)].join(", ");
    if more > 0 {
        let _ = write!(named, " and {more} more");
    }
    Err(usage(format!(
        "{named} already exist{}; init overwrites nothing, so it wrote nothing: move {} away or give --dir DIR",
        if existing.len() == 1 { "s" } else { "" },
        if existing.len() == 1 { "it" } else { "them" },
    )))
}

/// Writes `text` to a new file at `path`, creating its directory.
fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    let fail = |e: std::io::Error| usage(format!("cannot write {}: {e}", path.display()));
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    // create_new: a file that appeared since the check is still not overwritten.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(fail)?;
    file.write_all(text.as_bytes()).map_err(fail)?;
    Ok(())
}

fn usage(message: String) -> ExitError {
    ExitError {
        exit: Exit::Usage,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<InitArgs, clap::Error> {
        super::super::parse_subcommand("init", args)
    }

    #[test]
    fn every_flag_parses_and_dialects_are_system_names() {
        let a = parse(&["--dialect", "evergreen", "--suites", "--dir", "x"]).unwrap();
        assert_eq!(a.dialect, System::Evergreen);
        assert!(a.suites);
        assert_eq!(a.dir.as_deref(), Some(Path::new("x")));
        let d = parse(&[]).unwrap();
        assert_eq!(d.dialect, System::Emulator);
        assert!(!d.suites && d.dir.is_none());
        assert!(parse(&["--dialect", "alma"]).is_err());
    }

    #[test]
    fn an_existing_file_stops_everything_before_a_byte_is_written() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("scenarios/spec")).unwrap();
        std::fs::write(dir.path().join("scenarios/spec/login.yaml"), "mine").unwrap();
        let e =
            run(parse(&["--suites", "--dir", dir.path().to_str().unwrap()]).unwrap()).unwrap_err();
        assert!(e.to_string().contains("login.yaml already exists"), "{e}");
        assert_eq!(super::super::exit_code_of(&e), Exit::Usage);
        assert!(!dir.path().join(PROFILE_FILE).exists());
        assert!(!dir.path().join("scenarios/siptest").exists());
        let mut files: Vec<(PathBuf, &str)> = (0..7)
            .map(|i| (dir.path().join(format!("f{i}")), ""))
            .collect();
        for (p, _) in &files {
            std::fs::write(p, "").unwrap();
        }
        let e = refuse_existing(&files).unwrap_err();
        assert!(e.message.contains("f4 and 2 more already exist"), "{e}");
        files.truncate(0);
        assert!(refuse_existing(&files).is_ok());
    }

    #[test]
    fn the_profile_points_at_the_schemas_written_beside_it_and_they_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let at = |p: &str| dir.path().join(p);
        std::fs::create_dir_all(at("schemas")).unwrap();
        std::fs::write(at("schemas/library.schema.json"), "mine").unwrap();
        run(parse(&["--suites", "--dir", dir.path().to_str().unwrap()]).unwrap()).unwrap();
        // The copied suites' schema lines resolve to the schemas written beside them.
        for (file, kind) in [
            ("scenarios/siptest/03checkout.yaml", FileKind::Scenario),
            ("scenarios/common.yaml", FileKind::Common),
        ] {
            let text = std::fs::read_to_string(at(file)).unwrap();
            let target = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("# yaml-language-server: $schema="))
                .unwrap();
            let schema = at(file).parent().unwrap().join(target);
            assert_eq!(
                schema.canonicalize().unwrap(),
                at(&format!("schemas/{}", kind.file_name()))
                    .canonicalize()
                    .unwrap()
            );
        }
        let profile = std::fs::read_to_string(at(PROFILE_FILE)).unwrap();
        assert!(
            profile.starts_with("# yaml-language-server: $schema=schemas/profile.schema.json\n"),
            "{profile}"
        );
        let template = source::profile_template(System::Emulator).unwrap();
        assert_eq!(
            profile.split_once('\n').unwrap().1,
            template.split_once('\n').unwrap().1
        );
        for kind in [FileKind::Scenario, FileKind::Common, FileKind::Profile] {
            let text = std::fs::read_to_string(at(&format!("schemas/{}", kind.file_name())));
            assert_eq!(text.unwrap(), kind.text(), "{kind}");
        }
        let left = std::fs::read_to_string(at("schemas/library.schema.json")).unwrap();
        assert_eq!(left, "mine");
        assert_eq!(
            with_schema_line("a: 1\n", FileKind::Profile),
            "# yaml-language-server: $schema=schemas/profile.schema.json\na: 1\n"
        );
    }
}
