//! `sip2check diff`: the same scenarios against an old and a new server, compared step by
//! step. Each side is `--old`/`--new HOST:PORT` with its profile, or a built-in emulator; the
//! new emulator takes a library file, a dialect preset and fault knobs, so an upgrade gate can
//! be tried on any machine. Scenarios are found as `run` finds them (paths, `--suite`, else
//! ./scenarios, else the built-in suites). Exit 0 when nothing differs, 1 otherwise (or when a
//! scenario errored on a side), 2 usage, 4 when a server cannot be reached.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use super::color::Colors;
use super::{Exit, ExitError};
use crate::acs::{self, Dialect, Faults, Library};
use crate::gate::Normalizer;
use crate::gate::diff::{DiffResult, Side, run_both};
use crate::report::{self, ReportOptions, Reports};
use crate::runner::{self, EmulatorSetup, Plan, RunConfig, Selection, Target};
use crate::scenario::Profile;
use crate::sip2::FieldId;
use crate::sip2::redact::Redaction;

/// Arguments of `diff`.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Exit codes: 0 nothing differs, 1 something differs (or a scenario errored), 2 usage or scenario errors, 4 a server cannot be reached."
)]
pub struct DiffArgs {
    /// Make --filter and --skip match whole scenario ids.
    #[arg(long)]
    pub exact: bool,
    /// Run only scenarios whose id contains this text.
    #[arg(long)]
    pub filter: Option<String>,
    /// Write a self-contained HTML page of the diff to this file (printable; nothing is fetched).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Run scenarios and steps whose required messages a server's BX marks unsupported.
    #[arg(long)]
    pub ignore_bx: bool,
    /// Write the diff as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the diff as JUnit XML to this file (a testcase per step, failed where it differs).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// The new server, HOST:PORT; default: its profile's endpoint, else a built-in emulator.
    #[arg(long, value_name = "HOST:PORT")]
    pub new: Option<String>,
    /// The new built-in emulator answers like this system: evergreen, koha, folio or emulator.
    #[arg(long, value_name = "SYSTEM", value_parser = acs::parse_preset)]
    pub new_dialect: Option<Dialect>,
    /// The new built-in emulator leaves this field out of every response (repeatable).
    #[arg(long = "new-drop-field", value_name = "ID", value_parser = parse_field)]
    pub new_drop_fields: Vec<FieldId>,
    /// The new built-in emulator serves this library file instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub new_library: Option<PathBuf>,
    /// Profile of the new server [default: the built-in emulator's].
    #[arg(long, value_name = "FILE")]
    pub new_profile: Option<PathBuf>,
    /// The new built-in emulator inverts the Y/N flags and the 0/1 ok of its responses.
    #[arg(long)]
    pub new_wrong_flags: bool,
    /// Show patron personal data (AE, BD, BE, BF, PB) in differences; passwords stay masked.
    #[arg(long)]
    pub no_redact: bool,
    /// The old server, HOST:PORT; default: its profile's endpoint, else a built-in emulator.
    #[arg(long, value_name = "HOST:PORT")]
    pub old: Option<String>,
    /// Profile of the old server [default: the built-in emulator's].
    #[arg(long, value_name = "FILE")]
    pub old_profile: Option<PathBuf>,
    /// Scenario files or directories [default: ./scenarios when it exists, else every built-in suite].
    pub paths: Vec<PathBuf>,
    /// Leave out scenarios whose id contains this text (repeatable).
    #[arg(long, value_name = "TEXT")]
    pub skip: Vec<String>,
    /// Error-severity lint violations fail steps (on both sides).
    #[arg(long)]
    pub strict: bool,
    /// Compare a suite by name (repeatable), as `run --suite` finds it: ./scenarios/NAME when
    /// that directory exists, else the one built in (siptest, spec).
    #[arg(long, value_name = "NAME")]
    pub suite: Vec<String>,
    /// Run only scenarios with this tag (repeatable: any of them).
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
}

fn parse_field(s: &str) -> Result<FieldId, String> {
    FieldId::parse(s).ok_or_else(|| format!("{s:?} is not a two-character field ID such as AO"))
}

fn usage(message: String) -> ExitError {
    ExitError {
        exit: Exit::Usage,
        message,
    }
}

/// One side as the flags describe it.
struct SideArgs<'a> {
    name: &'static str,
    endpoint: &'a Option<String>,
    profile: &'a Option<PathBuf>,
}

impl DiffArgs {
    /// The run configuration of one side.
    fn config(&self, side: &SideArgs) -> Result<RunConfig, ExitError> {
        let profile = match side.profile {
            Some(p) => Profile::load(p),
            None => Profile::emulator(),
        }
        .map_err(|e| usage(format!("{} side: {e}", side.name)))?;
        let endpoint = side
            .endpoint
            .clone()
            .or_else(|| side.profile.as_ref().and_then(|_| profile.endpoint.clone()));
        let target = match endpoint {
            Some(e) if side.profile.is_none() => {
                return Err(usage(format!(
                    "--{name} {e} needs --{name}-profile FILE with that server's variables; start from a copy of fixtures/profiles/emulator.yaml",
                    name = side.name
                )));
            }
            Some(e) => Target::Endpoint(e),
            None => Target::Emulator,
        };
        let (paths, suites) = super::run::sources(&self.paths, &self.suite)?;
        Ok(RunConfig {
            paths,
            suites,
            target,
            profile,
            selection: Selection {
                filter: self.filter.clone(),
                skip: self.skip.clone(),
                exact: self.exact,
                tags: self.tag.clone(),
            },
            strict: self.strict,
            jobs: Some(1),
            ignore_bx: self.ignore_bx,
            ..RunConfig::default()
        })
    }

    /// The new emulator's knobs, if any were given.
    fn new_knobs(&self) -> bool {
        self.new_library.is_some()
            || self.new_dialect.is_some()
            || !self.new_drop_fields.is_empty()
            || self.new_wrong_flags
    }

    /// The new emulator's setup, and how the report names it.
    fn new_setup(&self) -> Result<(EmulatorSetup, String), ExitError> {
        let library = match &self.new_library {
            Some(path) => Some(Library::load(path).map_err(|e| usage(e.to_string()))?),
            None => None,
        };
        let mut knobs = Vec::new();
        if let Some(path) = &self.new_library {
            knobs.push(format!("library {}", path.display()));
        }
        if let Some(d) = &self.new_dialect {
            knobs.push(format!("dialect {}", dialect_name(d)));
        }
        if !self.new_drop_fields.is_empty() {
            let ids: Vec<&str> = self.new_drop_fields.iter().map(|f| f.as_str()).collect();
            knobs.push(format!("dropping {}", ids.join(", ")));
        }
        if self.new_wrong_flags {
            knobs.push("wrong flags".into());
        }
        let label = if knobs.is_empty() {
            "built-in emulator".to_string()
        } else {
            format!("built-in emulator with {}", knobs.join(", "))
        };
        Ok((
            EmulatorSetup {
                library,
                dialect: self.new_dialect.clone().unwrap_or_default(),
                faults: Faults {
                    drop_fields: self.new_drop_fields.clone(),
                    wrong_flags: self.new_wrong_flags,
                    ..Faults::default()
                },
            },
            label,
        ))
    }

    fn report_options(&self, colors: Colors) -> ReportOptions {
        ReportOptions {
            redaction: if self.no_redact {
                Redaction::Secrets
            } else {
                Redaction::SecretsAndPersonal
            },
            color: colors.stdout,
        }
    }
}

/// The preset a dialect came from (`--new-dialect` only takes presets).
fn dialect_name(d: &Dialect) -> &'static str {
    crate::sip2::System::ALL
        .iter()
        .find(|s| Dialect::preset(**s).is_ok_and(|p| p == *d))
        .map_or("custom", |s| s.name())
}

/// The label of a side: its endpoint, or the built-in emulator.
fn label(config: &RunConfig, emulator: &str) -> String {
    match &config.target {
        Target::Endpoint(e) => e.clone(),
        Target::Emulator => emulator.to_string(),
    }
}

fn plan(config: &RunConfig, setup: &EmulatorSetup, side: &str) -> Result<Plan, ExitError> {
    runner::plan_on(config, setup).map_err(|e| ExitError {
        exit: if e.is_connection() {
            Exit::Connection
        } else {
            Exit::Usage
        },
        message: format!("{side} side: {e}"),
    })
}

/// Runs `diff`.
pub fn run(args: DiffArgs, colors: Colors) -> anyhow::Result<Exit> {
    let old = args.config(&SideArgs {
        name: "old",
        endpoint: &args.old,
        profile: &args.old_profile,
    })?;
    let new = args.config(&SideArgs {
        name: "new",
        endpoint: &args.new,
        profile: &args.new_profile,
    })?;
    if args.new_knobs() && matches!(new.target, Target::Endpoint(_)) {
        return Err(usage(
            "--new-library, --new-dialect, --new-drop-field and --new-wrong-flags set up the built-in emulator; leave out --new (and the new profile's endpoint) to use them".into(),
        )
        .into());
    }
    let (setup, new_emulator) = args.new_setup()?;
    // Before the run, as `run` does: a report folder that cannot be made stops it at once.
    let reports = Reports {
        junit: args.junit.clone(),
        json: args.json.clone(),
        html: args.html.clone(),
    };
    reports.make_dirs().map_err(|e| usage(e.to_string()))?;
    // On stderr: stdout is the diff alone, the same on every machine.
    if let Some(origin) = super::run::origin(&args.suite, &old) {
        eprintln!("sip2check diff: {origin}");
    }
    let old_plan = plan(&old, &EmulatorSetup::default(), "old")?;
    let new_plan = plan(&new, &setup, "new")?;
    // Two servers keep their own data: each scenario can run on both at once. The same server
    // named twice would see both runs interleave, so it gets them one after the other.
    let together =
        !matches!((&old.target, &new.target), (Target::Endpoint(a), Target::Endpoint(b)) if a == b);
    let opts = args.report_options(colors);
    let (old_run, new_run) = run_both(&old_plan, &new_plan, together, opts.redaction);
    old_plan.shutdown();
    new_plan.shutdown();
    let norm = Normalizer::new(old.profile.volatile.iter().chain(&new.profile.volatile));
    let diff = DiffResult::compare(
        Side {
            label: label(&old, "built-in emulator"),
            run: old_run,
        },
        Side {
            label: label(&new, &new_emulator),
            run: new_run,
        },
        &norm,
    );
    colors
        .stdout()
        .write_all(report::diff::render(&diff, &opts).as_bytes())?;
    if let Some(path) = &args.junit {
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot write the JUnit report {}", path.display()))?;
        report::junit::write_diff(&diff, &opts, std::io::BufWriter::new(file))
            .with_context(|| format!("cannot write the JUnit report {}", path.display()))?;
    }
    if let Some(path) = &args.html {
        std::fs::write(path, report::html::diff::page(&diff, &opts))
            .with_context(|| format!("cannot write the HTML report {}", path.display()))?;
    }
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report::diff::to_value(&diff, &opts))?;
        std::fs::write(path, text + "\n")
            .with_context(|| format!("cannot write the JSON report {}", path.display()))?;
    }
    Ok(if diff.same() {
        Exit::Passed
    } else {
        Exit::Failed
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<DiffArgs, clap::Error> {
        super::super::parse_subcommand("diff", args)
    }

    #[test]
    fn every_flag_parses() {
        let a = parse(&[
            "a.yaml",
            "--old",
            "127.0.0.1:6001",
            "--old-profile",
            "a.yaml",
            "--new",
            "127.0.0.1:6002",
            "--new-profile",
            "b.yaml",
            "--filter",
            "checkout",
            "--skip",
            "x",
            "--exact",
            "--tag",
            "core",
            "--json",
            "d.json",
            "--junit",
            "d.xml",
            "--html",
            "d.html",
            "--suite",
            "spec",
            "--strict",
            "--ignore-bx",
            "--no-redact",
        ])
        .unwrap();
        assert_eq!(a.old.as_deref(), Some("127.0.0.1:6001"));
        assert_eq!(a.new_profile, Some(PathBuf::from("b.yaml")));
        assert_eq!(a.html, Some(PathBuf::from("d.html")));
        assert_eq!(a.suite, ["spec"]);
        assert!(a.exact && a.strict && a.ignore_bx && a.no_redact);
        assert_eq!(
            a.report_options(Colors::default()).redaction,
            Redaction::Secrets
        );
        let e = parse(&[
            "--new-library",
            "l.yaml",
            "--new-dialect",
            "koha",
            "--new-drop-field",
            "AO",
            "--new-drop-field",
            "AJ",
            "--new-wrong-flags",
        ])
        .unwrap();
        assert!(e.new_knobs());
        assert_eq!(e.new_drop_fields, [FieldId::AO, FieldId::AJ]);
        assert!(parse(&["--new-dialect", "sierra"]).is_err());
        assert!(parse(&["--new-drop-field", "ABC"]).is_err());
    }

    #[test]
    fn an_endpoint_needs_its_profile_and_knobs_are_for_the_emulator() {
        let a = parse(&["x.yaml", "--old", "127.0.0.1:1"]).unwrap();
        let e = args_config(&a, "old").unwrap_err();
        assert!(
            e.message.contains("--old 127.0.0.1:1 needs --old-profile"),
            "{e}"
        );
        let b = parse(&["x.yaml"]).unwrap();
        assert_eq!(args_config(&b, "new").unwrap().target, Target::Emulator);
        let k = parse(&["x.yaml", "--new-wrong-flags", "--new-drop-field", "AO"]).unwrap();
        assert_eq!(
            k.new_setup().unwrap().1,
            "built-in emulator with dropping AO, wrong flags"
        );
        let d = parse(&["x.yaml", "--new-dialect", "koha"]).unwrap();
        assert_eq!(
            d.new_setup().unwrap().1,
            "built-in emulator with dialect koha"
        );
    }

    fn args_config(a: &DiffArgs, name: &'static str) -> Result<RunConfig, ExitError> {
        let (endpoint, profile) = if name == "old" {
            (&a.old, &a.old_profile)
        } else {
            (&a.new, &a.new_profile)
        };
        a.config(&SideArgs {
            name,
            endpoint,
            profile,
        })
    }
}
