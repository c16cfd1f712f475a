//! `sip2check run`: scenarios against a server (or the built-in emulator), libtest-style
//! output, JUnit/JSON/HTML reports, and an exit code from the results.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use clap::Parser as _;
use libtest_mimic::{Arguments, ColorSetting};

use super::gate::{Gate, GateFlags};
use super::{Exit, ExitError};
use crate::report::html::run::RunMeta;
use crate::report::redact::Redactor;
use crate::report::{self, ReportOptions};
use crate::runner::{self, RunConfig, RunResult, Selection, SetupError, StepStatus, Target};
use crate::scenario::model::did_you_mean;
use crate::scenario::{Profile, source};
use crate::sip2::redact::Redaction;
use crate::transport;

/// Arguments of `run`.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Exit codes: 0 all passed; 1 a check failed or a scenario errored (e.g. the connection was lost mid-run); 2 usage, scenario or profile errors (an endpoint without a port, an unreadable TLS file); 3 the selection runs no scenario (an unknown --tag or --filter: the message names it); 4 the server could not be reached (the capability probe could not connect)."
)]
pub struct RunArgs {
    /// Known failures (a file --write-baseline wrote and you reviewed): reported as known, they
    /// do not fail the run; a new failure does; an entry that no longer fails is reported fixed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Colour the output: auto (when stdout is a terminal and NO_COLOR is unset), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorSetting,
    /// The server to test, HOST:PORT; default: the profile's endpoint, else the built-in emulator.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Make --filter and --skip match whole scenario ids.
    #[arg(long)]
    pub exact: bool,
    /// Run scenarios and steps whose required messages the server's BX marks unsupported, and
    /// note how the server took each such request (answered, refused, or lost the connection).
    #[arg(long)]
    pub ignore_bx: bool,
    /// Run only scenarios whose id contains this text (e.g. siptest::03checkout).
    #[arg(long)]
    pub filter: Option<String>,
    /// Let --write-baseline replace an existing file.
    #[arg(long, requires = "write_baseline")]
    pub force: bool,
    /// Write a self-contained HTML report to this file (printable; nothing is fetched).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Scenarios at once; default 1 against an endpoint (they share library data), all CPUs against the emulator.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,
    /// Write a JSON report to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a JUnit XML report to this file (a testsuite per scenario, a testcase per step).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// List the selected scenarios and their steps instead of running them.
    #[arg(long)]
    pub list: bool,
    /// Show patron personal data (AE, BD, BE, BF, PB) in transcripts; passwords stay masked.
    #[arg(long)]
    pub no_redact: bool,
    /// Scenario files or directories [default: ./scenarios when it exists, else every built-in suite].
    pub paths: Vec<PathBuf>,
    /// Profile file: the server's variables and dialect (see fixtures/profiles/emulator.yaml).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Record every step's response, decoded field by field, under DIR (one YAML file per
    /// scenario); recorded again, values that differ from the last recording become unstable.
    #[arg(long, value_name = "DIR", conflicts_with = "snapshots")]
    pub record_snapshots: Option<PathBuf>,
    /// Run the scenarios in a random order from SEED (a number; `random` picks one). The seed
    /// is printed, so `--shuffle SEED` replays an order that failed.
    #[arg(long, value_name = "SEED", value_parser = parse_shuffle)]
    pub shuffle: Option<Shuffle>,
    /// Leave out scenarios whose id contains this text (repeatable).
    #[arg(long, value_name = "TEXT")]
    pub skip: Vec<String>,
    /// Compare every step's response with its snapshot under DIR (--record-snapshots wrote it):
    /// each field added, removed or changed fails the step.
    #[arg(long, value_name = "DIR")]
    pub snapshots: Option<PathBuf>,
    /// Fail steps whose responses have error-severity lint violations they do not accept.
    #[arg(long)]
    pub strict: bool,
    /// Fail the run when a --baseline entry no longer fails (it is fixed: remove it).
    #[arg(long, requires = "baseline")]
    pub strict_baseline: bool,
    /// Run a suite by name (repeatable): ./scenarios/NAME when that directory exists (a copy
    /// from `sip2check init --suites`), else the one built in (siptest, spec).
    #[arg(long, value_name = "NAME")]
    pub suite: Vec<String>,
    /// Run only scenarios with this tag (repeatable: any of them).
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// Write the run's failures, warnings and errors to FILE as a commented baseline to review.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// libtest arguments after `--` (e.g. `-- --format terse`, `-- --test-threads 2`).
    #[arg(last = true, value_name = "LIBTEST")]
    pub libtest: Vec<String>,
}

/// The value of `--shuffle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shuffle {
    /// This seed.
    Seed(u64),
    /// A seed picked for this run.
    Random,
}

fn parse_shuffle(s: &str) -> Result<Shuffle, String> {
    if s == "random" {
        return Ok(Shuffle::Random);
    }
    s.parse().map(Shuffle::Seed).map_err(|_| {
        format!(
            "{s:?} is no seed: give a number from 0 to {} or `random`",
            u64::MAX
        )
    })
}

impl RunArgs {
    /// Resolves the profile, the server and the selection (Low→High arguments).
    pub fn to_config(&self) -> anyhow::Result<RunConfig> {
        let profile = match &self.profile {
            Some(p) => Profile::load(p).map_err(|e| usage(e.to_string()))?,
            None => Profile::emulator().map_err(|e| usage(e.to_string()))?,
        };
        let endpoint = self
            .endpoint
            .clone()
            .or_else(|| self.profile.as_ref().and_then(|_| profile.endpoint.clone()));
        if let Some(e) = &endpoint {
            // A bad endpoint is the user's to fix (exit 2), as in `send`, not an unreachable server.
            transport::parse_endpoint(e).map_err(|err| {
                usage(match self.endpoint {
                    Some(_) => err.to_string(),
                    None => format!("{}: {err}", profile.source),
                })
            })?;
        }
        let target = match endpoint {
            Some(e) if self.profile.is_none() => {
                return Err(usage(format!(
                    "--endpoint {e} needs --profile FILE with that server's variables (barcodes, login); `sip2check init --dialect SYSTEM` writes one to edit"
                ))
                .into());
            }
            Some(e) => Target::Endpoint(e),
            None => Target::Emulator,
        };
        let (paths, suites) = sources(&self.paths, &self.suite)?;
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
            jobs: self.jobs.map(usize::from),
            ignore_bx: self.ignore_bx,
            shuffle: self.shuffle.map(|s| match s {
                Shuffle::Seed(seed) => seed,
                Shuffle::Random => runner::shuffle::random_seed(),
            }),
        })
    }

    /// libtest-mimic's arguments: those after `--`, with our colour unless they set one.
    fn libtest_arguments(&self, opts: &ReportOptions) -> anyhow::Result<Arguments> {
        let mut libtest = Arguments::try_parse_from(
            std::iter::once("sip2check run --").chain(self.libtest.iter().map(String::as_str)),
        )
        .map_err(|e| usage(format!("after --: {e}")))?;
        libtest.color = libtest.color.or(Some(if opts.color {
            ColorSetting::Always
        } else {
            ColorSetting::Never
        }));
        Ok(libtest)
    }

    fn gate_flags(&self) -> GateFlags {
        GateFlags {
            baseline: self.baseline.clone(),
            strict_baseline: self.strict_baseline,
            write_baseline: self.write_baseline.clone(),
            force: self.force,
            snapshots: self.snapshots.clone(),
            record_snapshots: self.record_snapshots.clone(),
        }
    }

    fn report_options(&self) -> ReportOptions {
        let color = match self.color {
            ColorSetting::Always => true,
            ColorSetting::Never => false,
            ColorSetting::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        ReportOptions {
            redaction: if self.no_redact {
                Redaction::Secrets
            } else {
                Redaction::SecretsAndPersonal
            },
            color,
        }
    }
}

/// The directory of local suites, which `--suite NAME` and a bare `run` look in first.
const LOCAL_SUITES: &str = "scenarios";

/// The scenario paths and built-in suites to load, for `run` and `diff`: PATHS, then each
/// --suite (./scenarios/NAME when it is a directory, else the built-in one); with neither,
/// ./scenarios when it exists, else every built-in suite.
pub(super) fn sources(
    paths: &[PathBuf],
    suite: &[String],
) -> Result<(Vec<PathBuf>, Vec<String>), ExitError> {
    let mut paths = paths.to_vec();
    let mut suites = Vec::new();
    let builtin = source::suites();
    for name in suite {
        if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\']) {
            return Err(usage(format!(
                "--suite {name:?}: a suite is a name ({}); give a directory of scenarios as a path instead",
                builtin.join(", ")
            )));
        }
        let local = Path::new(LOCAL_SUITES).join(name);
        if local.is_dir() {
            paths.push(local);
        } else if builtin.contains(&name.as_str()) {
            suites.push(name.clone());
        } else {
            return Err(usage(format!(
                "no suite {name:?}{}: there is no {LOCAL_SUITES}/{name} here, and the built-in suites are {}",
                did_you_mean(name, builtin.iter().copied()),
                builtin.join(", ")
            )));
        }
    }
    if paths.is_empty() && suites.is_empty() {
        if Path::new(LOCAL_SUITES).is_dir() {
            paths.push(PathBuf::from(LOCAL_SUITES));
        } else {
            suites = builtin.iter().map(|s| s.to_string()).collect();
        }
    }
    Ok((paths, suites))
}

/// Where the suites come from, when built-in ones or --suite are involved.
pub(super) fn origin(suite: &[String], config: &RunConfig) -> Option<String> {
    if suite.is_empty() {
        return (!config.suites.is_empty()).then(|| {
            format!(
                "no {LOCAL_SUITES}/ here: running the built-in suites {}",
                config.suites.join(", ")
            )
        });
    }
    let each: Vec<String> = suite
        .iter()
        .map(|name| {
            if config.suites.contains(name) {
                format!("{name} built in")
            } else {
                format!("{name} from {LOCAL_SUITES}/{name}")
            }
        })
        .collect();
    Some(format!("suites: {}", each.join(", ")))
}

fn usage(message: String) -> ExitError {
    ExitError {
        exit: Exit::Usage,
        message,
    }
}

/// A run that could not start: 4 unreachable, 3 nothing selected, 2 anything else.
fn setup_error(e: &SetupError) -> ExitError {
    ExitError {
        exit: if e.is_connection() {
            Exit::Connection
        } else if matches!(e, SetupError::NoScenarios(_)) {
            Exit::NoScenarios
        } else {
            Exit::Usage
        },
        message: e.to_string(),
    }
}

/// Runs `run`.
pub fn run(args: RunArgs) -> anyhow::Result<Exit> {
    let opts = args.report_options();
    // Built before anything else, so that every error below (the profile's own included) is masked.
    let redactor = Redactor::for_profile_file(args.profile.as_deref(), opts.redaction);
    run_masked(&args, opts, &redactor).map_err(|e| redactor.error(e))
}

fn run_masked(args: &RunArgs, opts: ReportOptions, redactor: &Redactor) -> anyhow::Result<Exit> {
    let config = args.to_config()?;
    let origin = origin(&args.suite, &config);
    let meta = RunMeta {
        dialect: config.profile.dialect.clone(),
        strict: args.strict,
        ignore_bx: args.ignore_bx,
    };
    if args.list {
        if let Some(origin) = &origin {
            eprintln!("sip2check: {origin}");
        }
        let scenarios = runner::select(&config).map_err(|e| setup_error(&e))?;
        let refs: Vec<_> = scenarios.iter().collect();
        std::io::stdout()
            .lock()
            .write_all(report::console::render_list(&refs).as_bytes())?;
        return Ok(Exit::Passed);
    }
    let gate = Gate::before(args.gate_flags(), &config)?;
    let mut plan = match runner::plan(&config) {
        Ok(plan) => plan,
        Err(e) => {
            // CI shows a report naming the cause instead of "no report found".
            if let Some(result) = runner::plan::probe_failure(&config, &e) {
                write_reports(args, &redactor.run(result), &meta, &opts)?;
            }
            return Err(setup_error(&e).into());
        }
    };
    gate.arm(&mut plan)?;
    {
        let mut out = std::io::stdout().lock();
        let banner = format!(
            "sip2check: {} scenario(s) against {} (profile {})",
            plan.scenarios.len(),
            plan.endpoint,
            plan.profile
        );
        writeln!(out, "{}", redactor.text(&banner))?;
        if let Some(origin) = &origin {
            writeln!(out, "sip2check: {origin}")?;
        }
        if let Some(seed) = plan.shuffle {
            writeln!(
                out,
                "sip2check: shuffled with seed {seed} (--shuffle {seed} runs this order again)"
            )?;
        }
        if let Some(note) = &plan.probe_note {
            writeln!(out, "sip2check: note: {}", redactor.text(note))?;
        }
    }
    let libtest = args.libtest_arguments(&opts)?;
    let (conclusion, result) = runner::execute(&plan, &libtest, opts);
    // libtest's own filter after `--` that leaves nothing is as silent as an unknown --filter.
    let ran_none = (!libtest.list && conclusion.num_filtered_out == plan.scenarios.len() as u64)
        .then(|| {
            let after = Selection {
                filter: libtest.filter.clone(),
                skip: libtest.skip.clone(),
                exact: libtest.exact,
                tags: Vec::new(),
            };
            format!("after --: {}", after.why_empty(&plan.scenarios))
        });
    plan.shutdown();
    // The trials' results went through the redaction pass; the run's own strings go now.
    let result = redactor.run(result);
    std::io::stdout()
        .lock()
        .write_all(report::console::render_summary(&result, &opts).as_bytes())?;
    if !args.strict {
        lint_note(&result)?;
    }
    write_reports(args, &result, &meta, &opts)?;
    gate.after(&result)?;
    if let Some(message) = ran_none {
        return Err(ExitError {
            exit: Exit::NoScenarios,
            message,
        }
        .into());
    }
    Ok(exit_of(&result, conclusion.has_failed()))
}

/// At most this many lint findings of passing steps are listed on stderr.
const MAX_LINT_NOTES: usize = 20;

/// Lists, on stderr, error-severity lint findings in steps that passed (failed steps show theirs).
fn lint_note(result: &RunResult) -> anyhow::Result<()> {
    let found: Vec<String> = result
        .scenarios
        .iter()
        .flat_map(|s| {
            s.steps
                .iter()
                .filter(|st| st.status == StepStatus::Passed)
                .flat_map(move |st| {
                    st.errors()
                        .map(move |v| format!("  {} {}: {v}", s.id, st.label()))
                })
        })
        .collect();
    if found.is_empty() {
        return Ok(());
    }
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "sip2check: {} error-severity lint finding(s) in passing steps (--strict fails them):",
        found.len()
    )?;
    for line in found.iter().take(MAX_LINT_NOTES) {
        writeln!(err, "{}", report::text::printable(line))?;
    }
    if found.len() > MAX_LINT_NOTES {
        writeln!(
            err,
            "  ... and {} more (see --json)",
            found.len() - MAX_LINT_NOTES
        )?;
    }
    Ok(())
}

fn write_reports(
    args: &RunArgs,
    result: &RunResult,
    meta: &RunMeta,
    opts: &ReportOptions,
) -> anyhow::Result<()> {
    if let Some(path) = &args.junit {
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot write the JUnit report {}", path.display()))?;
        report::junit::write(result, opts, std::io::BufWriter::new(file))
            .with_context(|| format!("cannot write the JUnit report {}", path.display()))?;
    }
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report::json::to_value(result, opts))?;
        std::fs::write(path, text + "\n")
            .with_context(|| format!("cannot write the JSON report {}", path.display()))?;
    }
    if let Some(path) = &args.html {
        std::fs::write(path, report::html::run::page(result, meta, opts))
            .with_context(|| format!("cannot write the HTML report {}", path.display()))?;
    }
    Ok(())
}

/// 1 when a scenario failed or could not run to the end (a connection lost mid-run is a
/// verdict about the server), else 0. 4 is only for a server that could not be reached at all,
/// which stops the run before any scenario (see `runner::SetupError::is_connection`).
fn exit_of(result: &RunResult, libtest_failed: bool) -> Exit {
    let (_, failed, errored, _) = result.counts();
    if failed > 0 || errored > 0 || libtest_failed {
        Exit::Failed
    } else {
        Exit::Passed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<RunArgs, clap::Error> {
        super::super::parse_subcommand("run", args)
    }

    #[test]
    fn every_flag_parses() {
        let a = parse(&[
            "a.yaml",
            "b",
            "--endpoint",
            "127.0.0.1:6001",
            "--profile",
            "p.yaml",
            "--jobs",
            "3",
            "--filter",
            "check",
            "--skip",
            "x",
            "--skip",
            "y",
            "--tag",
            "holds",
            "--suite",
            "spec",
            "--exact",
            "--ignore-bx",
            "--list",
            "--junit",
            "o.xml",
            "--json",
            "o.json",
            "--html",
            "o.html",
            "--strict",
            "--no-redact",
            "--color",
            "never",
        ])
        .unwrap();
        assert_eq!(a.paths, [PathBuf::from("a.yaml"), PathBuf::from("b")]);
        assert_eq!(a.jobs, Some(3));
        assert_eq!(a.html, Some(PathBuf::from("o.html")));
        assert_eq!(a.skip, ["x", "y"]);
        assert_eq!(a.suite, ["spec"]);
        assert!(a.exact && a.ignore_bx && a.list && a.strict && a.no_redact);
        let bx = parse(&["x.yaml", "--ignore-bx"]).unwrap();
        assert!(bx.to_config().unwrap().ignore_bx);
        assert_eq!(a.color, ColorSetting::Never);
        assert_eq!(a.report_options().redaction, Redaction::Secrets);
        assert!(parse(&["--jobs", "0"]).is_err());
        assert!(parse(&["--color", "sometimes"]).is_err());
    }

    #[test]
    fn gate_flags_parse_and_depend_on_each_other() {
        let a = parse(&[
            "x.yaml",
            "--baseline",
            "known.yaml",
            "--strict-baseline",
            "--write-baseline",
            "new.yaml",
            "--force",
            "--snapshots",
            "snaps",
        ])
        .unwrap();
        let g = a.gate_flags();
        assert_eq!(g.baseline, Some(PathBuf::from("known.yaml")));
        assert_eq!(g.write_baseline, Some(PathBuf::from("new.yaml")));
        assert_eq!(g.snapshots, Some(PathBuf::from("snaps")));
        assert!(g.strict_baseline && g.force);
        let r = parse(&["--record-snapshots", "snaps"]).unwrap();
        assert_eq!(
            r.gate_flags().record_snapshots,
            Some(PathBuf::from("snaps"))
        );
        assert!(parse(&["--strict-baseline"]).is_err(), "needs --baseline");
        assert!(parse(&["--force"]).is_err(), "needs --write-baseline");
        assert!(
            parse(&["--snapshots", "a", "--record-snapshots", "b"]).is_err(),
            "one or the other"
        );
    }

    #[test]
    fn shuffle_takes_a_seed_or_random() {
        let a = parse(&["x.yaml", "--shuffle", "42"]).unwrap();
        assert_eq!(a.shuffle, Some(Shuffle::Seed(42)));
        assert_eq!(a.to_config().unwrap().shuffle, Some(42));
        let r = parse(&["x.yaml", "--shuffle", "random"]).unwrap();
        assert_eq!(r.shuffle, Some(Shuffle::Random));
        assert!(r.to_config().unwrap().shuffle.is_some(), "a seed is picked");
        assert_eq!(
            parse(&["x.yaml"]).unwrap().to_config().unwrap().shuffle,
            None
        );
        let e = parse(&["x.yaml", "--shuffle", "x.yaml"]).unwrap_err();
        assert!(e.to_string().contains("is no seed"), "{e}");
        assert!(parse(&["x.yaml", "--shuffle"]).is_err(), "SEED is required");
    }

    #[test]
    fn arguments_after_the_double_dash_go_to_libtest() {
        let a = parse(&["x.yaml", "--", "--format", "terse", "--test-threads", "2"]).unwrap();
        assert_eq!(a.libtest, ["--format", "terse", "--test-threads", "2"]);
        let l = a.libtest_arguments(&a.report_options()).unwrap();
        assert_eq!(l.test_threads, Some(2));
        assert_eq!(l.format, Some(libtest_mimic::FormatSetting::Terse));
        let bad = parse(&["--", "--no-such-flag"]).unwrap();
        let e = bad.libtest_arguments(&bad.report_options()).unwrap_err();
        assert!(e.to_string().contains("after --"), "{e}");
    }

    #[test]
    fn redaction_defaults_to_personal_data() {
        let a = parse(&["--color", "always"]).unwrap();
        let o = a.report_options();
        assert_eq!(o.redaction, Redaction::SecretsAndPersonal);
        assert!(o.color);
    }

    #[test]
    fn a_suite_on_disk_wins_over_the_built_in_one_and_unknown_names_are_refused() {
        // The tests run in the crate root, which has scenarios/siptest.
        let c = parse(&["--suite", "siptest"]).unwrap().to_config().unwrap();
        assert_eq!(c.paths, [Path::new("scenarios").join("siptest")]);
        assert!(c.suites.is_empty());
        let c = parse(&[]).unwrap().to_config().unwrap();
        assert_eq!(c.paths, [PathBuf::from("scenarios")]);
        let e = parse(&["--suite", "sptest"])
            .unwrap()
            .to_config()
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("no suite \"sptest\" (did you mean \"siptest\"?)"),
            "{e}"
        );
        for bad in ["../siptest", "a/b", "", ".hidden"] {
            let e = parse(&["--suite", bad]).unwrap().to_config().unwrap_err();
            assert!(e.to_string().contains("a suite is a name"), "{bad}: {e}");
        }
    }

    #[test]
    fn an_endpoint_needs_a_profile() {
        let a = parse(&["x.yaml", "--endpoint", "127.0.0.1:1"]).unwrap();
        let e = a.to_config().unwrap_err();
        assert!(e.to_string().contains("needs --profile"), "{e}");
        let a = parse(&["x.yaml"]).unwrap();
        assert_eq!(a.to_config().unwrap().target, Target::Emulator);
    }

    #[test]
    fn exit_codes_follow_the_results() {
        use crate::runner::{Outcome, ScenarioResult};
        let mut r = RunResult::default();
        assert_eq!(exit_of(&r, false), Exit::Passed);
        let mk = |o: Outcome| ScenarioResult {
            id: "a::b".into(),
            name: "b".into(),
            file: PathBuf::from("b.yaml"),
            tags: vec![],
            outcome: o,
            steps: vec![],
            duration: std::time::Duration::ZERO,
        };
        r.scenarios.push(mk(Outcome::Skipped("x".into())));
        assert_eq!(exit_of(&r, false), Exit::Passed);
        r.scenarios.push(mk(Outcome::Failed));
        assert_eq!(exit_of(&r, true), Exit::Failed);
        r.scenarios.push(mk(Outcome::Errored("closed".into())));
        assert_eq!(exit_of(&r, true), Exit::Failed);
        r.scenarios
            .retain(|s| matches!(s.outcome, Outcome::Errored(_)));
        assert_eq!(
            exit_of(&r, false),
            Exit::Failed,
            "an errored scenario alone is exit 1, not 4"
        );
    }
}
