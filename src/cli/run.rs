//! `sip2check run`: scenarios against a server (or the built-in emulator), libtest-style
//! output, JUnit/JSON/HTML reports, and an exit code from the results.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use clap::Parser as _;
use libtest_mimic::{Arguments, ColorSetting, FormatSetting};

use super::color::{ColorEnv, Colors};
use super::gate::{Gate, GateFlags};
use super::interrupt;
use super::live::{Forwarder, Live, Stream};
use super::{Exit, ExitError};
use crate::report::html::run::RunMeta;
use crate::report::redact::Redactor;
use crate::report::{self, ReportOptions, Reports};
use crate::runner::{self, RunConfig, RunResult, Selection, SetupError, StepStatus, Target};
use crate::scenario::model::did_you_mean;
use crate::scenario::{Profile, source};
use crate::sip2::redact::Redaction;
use crate::transport;

/// Arguments of `run`.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Exit codes: 0 all passed; 1 a check failed or a scenario errored (e.g. the connection was lost mid-run); 2 usage, scenario or profile errors (an endpoint without a port, an unreadable TLS file, a report that cannot be written); 3 the selection runs no scenario (an unknown --tag or --filter: the message names it); 4 the server could not be reached (the capability probe could not connect); 130 stopped by Ctrl-C (SIGINT), 143 by SIGTERM (the reports hold the scenarios that finished).\n\nstdout carries only the results: libtest's lines and the summary, or with `-- --format json` libtest's JSON lines alone, or with `--json -` the JSON report alone. The banner, notes, progress and -v transcripts go to stderr."
)]
pub struct RunArgs {
    /// Known failures (a file --write-baseline wrote and you reviewed): reported as known, they
    /// do not fail the run; a new failure does; an entry that no longer fails is reported fixed.
    #[arg(long, value_name = "FILE", help_heading = "Upgrade gate")]
    pub baseline: Option<PathBuf>,
    /// The server to test, HOST:PORT; default: the profile's endpoint, else the built-in emulator.
    #[arg(long, help_heading = "Server")]
    pub endpoint: Option<String>,
    /// Make --filter and --skip match whole scenario ids.
    #[arg(long, help_heading = "Selection")]
    pub exact: bool,
    /// Run scenarios and steps whose required messages the server's BX marks unsupported, and
    /// note how the server took each such request (answered, refused, or lost the connection).
    #[arg(long, help_heading = "Behaviour")]
    pub ignore_bx: bool,
    /// Run only scenarios whose id contains this text (e.g. siptest::03checkout).
    #[arg(long, help_heading = "Selection")]
    pub filter: Option<String>,
    /// Let --write-baseline replace an existing file.
    #[arg(long, requires = "write_baseline", help_heading = "Upgrade gate")]
    pub force: bool,
    /// Write a self-contained HTML report to this file (printable; nothing is fetched).
    #[arg(long, value_name = "FILE", help_heading = "Reports")]
    pub html: Option<PathBuf>,
    /// Scenarios at once; default 1 against an endpoint (they share library data), all CPUs against the emulator.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256), help_heading = "Behaviour")]
    pub jobs: Option<u16>,
    /// Write a JSON report to this file; `-` writes it to stdout (libtest's lines go to stderr).
    #[arg(long, value_name = "FILE", help_heading = "Reports")]
    pub json: Option<PathBuf>,
    /// Write a JUnit XML report to this file (a testsuite per scenario, a testcase per step).
    #[arg(long, value_name = "FILE", help_heading = "Reports")]
    pub junit: Option<PathBuf>,
    /// List the selected scenarios and their steps instead of running them.
    #[arg(long, help_heading = "Selection")]
    pub list: bool,
    /// Show patron personal data (AE, BD, BE, BF, PB) in transcripts; passwords stay masked.
    #[arg(long, help_heading = "Reports")]
    pub no_redact: bool,
    /// Scenario files or directories [default: ./scenarios when it exists, else every built-in suite].
    #[arg(help_heading = "Selection")]
    pub paths: Vec<PathBuf>,
    /// Profile file: the server's variables and dialect (see fixtures/profiles/emulator.yaml).
    #[arg(long, value_name = "FILE", help_heading = "Server")]
    pub profile: Option<PathBuf>,
    /// Record every step's response, decoded field by field, under DIR (one YAML file per
    /// scenario); recorded again, values that differ from the last recording become unstable.
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with = "snapshots",
        help_heading = "Upgrade gate"
    )]
    pub record_snapshots: Option<PathBuf>,
    /// Run the scenarios in a random order from SEED (a number; `random` picks one). The seed
    /// is printed, so `--shuffle SEED` replays an order that failed.
    #[arg(long, value_name = "SEED", value_parser = parse_shuffle, help_heading = "Behaviour")]
    pub shuffle: Option<Shuffle>,
    /// Leave out scenarios whose id contains this text (repeatable).
    #[arg(long, value_name = "TEXT", help_heading = "Selection")]
    pub skip: Vec<String>,
    /// Compare every step's response with its snapshot under DIR (--record-snapshots wrote it):
    /// each field added, removed or changed fails the step.
    #[arg(long, value_name = "DIR", help_heading = "Upgrade gate")]
    pub snapshots: Option<PathBuf>,
    /// Fail steps whose responses have error-severity lint violations they do not accept.
    #[arg(long, help_heading = "Behaviour")]
    pub strict: bool,
    /// Fail the run when a --baseline entry no longer fails (it is fixed: remove it).
    #[arg(long, requires = "baseline", help_heading = "Upgrade gate")]
    pub strict_baseline: bool,
    /// Run a suite by name (repeatable): ./scenarios/NAME when that directory exists (a copy
    /// from `sip2check init --suites`), else the one built in (siptest, spec).
    #[arg(long, value_name = "NAME", help_heading = "Selection")]
    pub suite: Vec<String>,
    /// Run only scenarios with this tag (repeatable: any of them).
    #[arg(long, value_name = "TAG", help_heading = "Selection")]
    pub tag: Vec<String>,
    /// Print every step's transcript (> sent, < received, masked) on stderr as it runs.
    #[arg(short, long, help_heading = "Output")]
    pub verbose: bool,
    /// Keep trying the first connect (the capability probe) for up to SECS while the server
    /// starts.
    #[arg(long, value_name = "SECS", value_parser = super::send::parse_seconds, help_heading = "Server")]
    pub wait: Option<std::time::Duration>,
    /// Write the run's failures, warnings and errors to FILE as a commented baseline to review.
    #[arg(long, value_name = "FILE", help_heading = "Upgrade gate")]
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
            wait: self.wait,
            library: None,
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

    /// `--json -`: the JSON report is stdout's only content.
    fn json_to_stdout(&self) -> bool {
        self.json.as_deref() == Some(Path::new("-"))
    }

    /// What the reports mask, and whether the failure text is coloured: it is part of
    /// libtest's lines, which go to stdout, or to stderr under `--json -`.
    fn report_options(&self, colors: Colors) -> ReportOptions {
        ReportOptions {
            redaction: if self.no_redact {
                Redaction::Secrets
            } else {
                Redaction::SecretsAndPersonal
            },
            color: if self.json_to_stdout() {
                colors.stderr
            } else {
                colors.stdout
            },
        }
    }

    /// The report files asked for.
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

    fn reports(&self) -> Reports {
        Reports {
            junit: self.junit.clone(),
            json: self.json.clone(),
            html: self.html.clone(),
        }
    }
}

/// What stdout carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Results {
    /// libtest's lines (pretty or terse), then the summary.
    Human,
    /// libtest's JSON lines alone (`-- --format json`); the summary goes to stderr.
    LibtestJson,
    /// The JSON report alone (`--json -`); libtest's lines and the summary go to stderr.
    Report,
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
pub fn run(args: RunArgs, colors: Colors) -> anyhow::Result<Exit> {
    let opts = args.report_options(colors);
    // Built before anything else, so that every error below (the profile's own included) is masked.
    let redactor = Redactor::for_profile_file(args.profile.as_deref(), opts.redaction);
    run_masked(&args, opts, colors, &redactor).map_err(|e| super::masked(&redactor, e))
}

fn run_masked(
    args: &RunArgs,
    opts: ReportOptions,
    colors: Colors,
    redactor: &Redactor,
) -> anyhow::Result<Exit> {
    let config = args.to_config()?;
    let mut libtest = args.libtest_arguments(&opts)?;
    let results = if args.json_to_stdout() {
        if libtest.format == Some(FormatSetting::Json) {
            return Err(usage(
                "--json - and `-- --format json` both want stdout; write the report to a file (--json FILE)".into(),
            )
            .into());
        }
        Results::Report
    } else if libtest.format == Some(FormatSetting::Json) {
        Results::LibtestJson
    } else {
        Results::Human
    };
    // The failure text goes into libtest's JSON strings there: no escape sequences in them.
    let opts = ReportOptions {
        color: opts.color && results != Results::LibtestJson,
        ..opts
    };
    let reports = args.reports();
    // Before the run, so that a report that cannot be written stops it at once (exit 2).
    reports.make_dirs().map_err(|e| usage(e.to_string()))?;
    let origin = origin(&args.suite, &config);
    let meta = RunMeta {
        dialect: config.profile.dialect.clone(),
        strict: args.strict,
        ignore_bx: args.ignore_bx,
    };
    let mut err = colors.stderr();
    if args.list {
        if let Some(origin) = &origin {
            writeln!(err, "sip2check: {origin}")?;
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
                reports.write(&redactor.run(result), &meta, &opts)?;
            }
            return Err(setup_error(&e).into());
        }
    };
    gate.arm(&mut plan)?;
    let banner = format!(
        "sip2check: {} scenario(s) against {} (profile {})",
        plan.scenarios.len(),
        plan.endpoint,
        plan.profile
    );
    writeln!(err, "{}", redactor.text(&banner))?;
    if let Some(origin) = &origin {
        writeln!(err, "sip2check: {origin}")?;
    }
    if let Some(seed) = plan.shuffle {
        writeln!(
            err,
            "sip2check: shuffled with seed {seed} (--shuffle {seed} runs this order again)"
        )?;
    }
    if let Some(note) = &plan.probe_note {
        let paint = colors.err();
        let note = redactor.text(note);
        writeln!(
            err,
            "sip2check: {} {note}",
            paint.paint(paint.warning, "note:")
        )?;
    }
    let libtest_to = match results {
        Results::Report => Stream::Err,
        Results::Human | Results::LibtestJson => Stream::Out,
    };
    let progress = std::io::stderr().is_terminal() && !ColorEnv::from_process().term_dumb;
    let live = Live::new(plan.scenarios.len(), progress, args.verbose, colors, opts);
    // libtest's own --logfile wins; otherwise its lines come through the forwarder.
    let forwarding = libtest.logfile.is_none();
    let forwarder = forwarding
        .then(|| Forwarder::start(live.clone(), libtest_to))
        .flatten();
    let spill = match (&forwarder, results) {
        (Some(f), _) => {
            libtest.logfile = Some(f.logfile().to_string());
            None
        }
        // Without a pipe (not Unix), libtest's lines wait in a file and go to stderr after the run.
        (None, Results::Report) if forwarding => {
            let path =
                std::env::temp_dir().join(format!("sip2check-{}-libtest.txt", std::process::id()));
            libtest.logfile = Some(path.display().to_string());
            Some(path)
        }
        (None, _) => None,
    };
    if forwarding && forwarder.is_none() && std::io::stdout().is_terminal() {
        // libtest writes to the terminal itself: a progress line would cut into its lines.
        live.no_progress();
    }
    plan.observe(live.clone(), opts.redaction);
    let sink = runner::Sink::default();
    let finish = Arc::new(Finish {
        reports,
        meta,
        opts,
        redactor: redactor.clone(),
        scenarios: plan.scenarios.clone(),
        plan_redactor: plan.redactor(opts.redaction),
        template: runner::run_result(&plan, chrono::Local::now(), Duration::ZERO, Vec::new()),
        started: Instant::now(),
        sink: sink.clone(),
        live: live.clone(),
        written: Mutex::new(false),
    });
    let interrupted = {
        let finish = finish.clone();
        interrupt::watch(&plan, move |signal| {
            if let Err(e) = finish.cut_short(signal) {
                let _ = writeln!(
                    std::io::stderr(),
                    "sip2check: {}",
                    super::masked(&finish.redactor, e)
                );
            }
            std::process::exit(i32::from(signal.exit() as u8));
        })?
    };
    let ticker = live.ticker();
    let (conclusion, result) = runner::execute_into(&plan, &libtest, opts, &sink);
    if let Some(t) = ticker {
        t.stop();
    }
    if let Some(f) = forwarder {
        f.finish();
    }
    live.finish();
    if let Some(path) = spill {
        if let Ok(text) = std::fs::read(&path) {
            std::io::stderr().lock().write_all(&text)?;
        }
        let _ = std::fs::remove_file(&path);
    }
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
    let stop = interrupted.get();
    plan.shutdown();
    // The trials' results went through the redaction pass; the run's own strings go now.
    let result = redactor.run(result);
    let summary = report::console::render_summary(&result, &opts);
    match results {
        Results::Human => std::io::stdout().lock().write_all(summary.as_bytes())?,
        Results::LibtestJson | Results::Report => colors.stderr().write_all(summary.as_bytes())?,
    }
    if !args.strict {
        lint_note(&result, colors)?;
    }
    let written = finish.write(&result);
    if let Some(signal) = stop {
        written?;
        return Ok(signal.exit());
    }
    if let Err(e) = written {
        // The run's verdict stands; a missing report makes a passing run an error (2).
        let e = super::masked(redactor, e);
        writeln!(colors.stderr(), "sip2check: {e}")?;
        let exit = exit_of(&result, conclusion.has_failed());
        return Ok(if exit == Exit::Passed {
            Exit::Usage
        } else {
            exit
        });
    }
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
fn lint_note(result: &RunResult, colors: Colors) -> anyhow::Result<()> {
    let found: Vec<String> = result
        .scenarios
        .iter()
        .flat_map(|s| {
            s.steps
                .iter()
                .filter(|st| st.status == StepStatus::Passed)
                .flat_map(move |st| {
                    st.errors().map(move |v| {
                        let paint = colors.err();
                        format!(
                            "  {} {}: {} [{}] {}",
                            s.id,
                            st.label(),
                            paint.paint(paint.severity(v.severity), v.severity.as_str()),
                            v.rule.code(),
                            report::text::printable(&v.message())
                        )
                    })
                })
        })
        .collect();
    if found.is_empty() {
        return Ok(());
    }
    let mut err = colors.stderr();
    writeln!(
        err,
        "sip2check: {} error-severity lint finding(s) in passing steps (--strict fails them):",
        found.len()
    )?;
    for line in found.iter().take(MAX_LINT_NOTES) {
        writeln!(err, "{line}")?;
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

/// Everything needed to write the reports of a run, from the main thread when it ends or from
/// the signal watcher when it is cut short; whichever comes first writes them, once.
struct Finish {
    reports: Reports,
    meta: RunMeta,
    opts: ReportOptions,
    redactor: Redactor,
    /// The planned scenarios, for those a cut-short run never finished.
    scenarios: Vec<crate::scenario::Scenario>,
    /// The plan's redaction pass (the profile's secrets), for those placeholders.
    plan_redactor: Redactor,
    /// The run's facts (endpoint, profile, BX, start), without scenarios.
    template: RunResult,
    started: Instant,
    sink: runner::Sink,
    live: Arc<Live>,
    written: Mutex<bool>,
}

impl Finish {
    /// Writes the reports for `result`, unless they were written already.
    fn write(&self, result: &RunResult) -> anyhow::Result<()> {
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        if *written {
            return Ok(());
        }
        *written = true;
        Ok(self.reports.write(result, &self.meta, &self.opts)?)
    }

    /// The run was stopped and did not wind down in time: reports for what finished, the
    /// scenarios still running as errored, the others as not run.
    fn cut_short(&self, signal: interrupt::Signal) -> anyhow::Result<()> {
        self.live.finish();
        let scenarios = runner::unfinished(
            &self.scenarios,
            self.sink.snapshot(),
            &self.live.running(),
            &signal.reason(),
            &self.plan_redactor,
        );
        let result = self.redactor.run(RunResult {
            duration: self.started.elapsed(),
            scenarios,
            ..self.template.clone()
        });
        self.write(&result)
    }
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
        assert_eq!(
            a.report_options(Colors::default()).redaction,
            Redaction::Secrets
        );
        assert!(parse(&["--jobs", "0"]).is_err());
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
        let l = a
            .libtest_arguments(&a.report_options(Colors::default()))
            .unwrap();
        assert_eq!(l.test_threads, Some(2));
        assert_eq!(l.format, Some(libtest_mimic::FormatSetting::Terse));
        let bad = parse(&["--", "--no-such-flag"]).unwrap();
        let e = bad
            .libtest_arguments(&bad.report_options(Colors::default()))
            .unwrap_err();
        assert!(e.to_string().contains("after --"), "{e}");
    }

    #[test]
    fn redaction_defaults_to_personal_data() {
        let a = parse(&[]).unwrap();
        let o = a.report_options(Colors {
            stdout: true,
            stderr: false,
        });
        assert_eq!(o.redaction, Redaction::SecretsAndPersonal);
        assert!(
            o.color,
            "the failure text goes to stdout, so stdout's colour decides"
        );
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
            started: std::time::SystemTime::UNIX_EPOCH,
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
