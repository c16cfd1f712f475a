//! The `main` of a `cargo test` harness (`harness = false`): [`harness_main_with`] takes what
//! `sip2check run`'s flags say as [`HarnessOptions`] built in code; [`harness_main`] is the
//! shortcut that reads the server from `SIP2_ENDPOINT` and `SIP2_PROFILE`. Both run the
//! scenarios as libtest trials (libtest's own arguments apply: filters, `--list`,
//! `--test-threads`), print the summary line `sip2check run` prints and write the reports.
//!
//! A harness is a `main`: like `cli/`, it prints (the summary) and returns the exit code.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use libtest_mimic::{Arguments, Trial};

use super::plan::{RunConfig, Selection, Target, plan, probe_failure, select};
use super::trials::execute;
use crate::acs::{Library, LibraryError};
use crate::report::console::{render_summary, report_error};
use crate::report::html::run::RunMeta;
use crate::report::redact::{Redactor, secrets_of};
use crate::report::{ReportOptions, Reports};
use crate::scenario::{LoadError, Profile};
use crate::sip2::redact::Redaction;
use crate::transport::{self, TransportError};

/// What a harness runs, against which server, and which reports it writes: the flags of
/// `sip2check run`, in code. Start from [`HarnessOptions::new`] and chain the settings.
///
/// ```
/// use sip2check::runner::HarnessOptions;
///
/// let options = HarnessOptions::new(["tests/sip2"])
///     .suite("spec")
///     .tag("core")
///     .strict(true)
///     .junit("target/sip2-junit.xml");
/// // Against a real server instead of the built-in emulator:
/// let remote = HarnessOptions::new(["tests/sip2"])
///     .endpoint("127.0.0.1:6001")
///     .profile_file("tests/site.yaml");
/// # let _ = (options, remote);
/// ```
#[derive(Debug, Clone, Default)]
pub struct HarnessOptions {
    paths: Vec<PathBuf>,
    suites: Vec<String>,
    endpoint: Option<String>,
    profile: Option<ProfileSource>,
    library: Option<PathBuf>,
    strict: bool,
    ignore_bx: bool,
    tags: Vec<String>,
    jobs: Option<usize>,
    reports: Reports,
    args: Option<Arguments>,
}

/// Where the profile comes from.
#[derive(Debug, Clone)]
enum ProfileSource {
    File(PathBuf),
    Given(Box<Profile>),
}

/// Why a harness could not start from its options (exit 2, as `sip2check run`'s usage errors).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarnessError {
    /// The profile file cannot be used.
    #[error("{0}")]
    Profile(#[from] LoadError),
    /// The library file cannot be used.
    #[error("{0}")]
    Library(#[from] LibraryError),
    /// The endpoint is not `host:port`.
    #[error("{0}")]
    Endpoint(#[from] TransportError),
    /// An endpoint without a profile: the scenarios' variables would be the emulator's.
    #[error(
        "endpoint {0} needs a profile with that server's variables (barcodes, login): give one with profile_file(PATH) or profile(Profile); `sip2check init --dialect SYSTEM` writes one to edit"
    )]
    EndpointWithoutProfile(String),
    /// A library file with an endpoint: the library is the built-in emulator's.
    #[error(
        "library {} is the built-in emulator's data, but the scenarios run against {endpoint}: drop one of them", library.display()
    )]
    LibraryWithEndpoint {
        /// The library file.
        library: PathBuf,
        /// The server.
        endpoint: String,
    },
}

impl HarnessOptions {
    /// Runs the scenarios under `paths` (files, or directories searched for `*.yaml`) against
    /// the built-in emulator, with its profile.
    pub fn new<P: Into<PathBuf>>(paths: impl IntoIterator<Item = P>) -> Self {
        HarnessOptions {
            paths: paths.into_iter().map(Into::into).collect(),
            ..HarnessOptions::default()
        }
    }

    /// Also runs a suite built into sip2check (`siptest`, `spec`); repeatable.
    pub fn suite(mut self, name: impl Into<String>) -> Self {
        self.suites.push(name.into());
        self
    }

    /// Runs against this server (`host:port`) instead of the built-in emulator; it needs a
    /// profile with the server's variables.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The profile file (variables and dialect); when it names an `endpoint:` and no
    /// [`endpoint`](Self::endpoint) is given, that is the server.
    pub fn profile_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.profile = Some(ProfileSource::File(path.into()));
        self
    }

    /// The profile, built in code (its `endpoint`, if any, is used as a file's would be).
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = Some(ProfileSource::Given(Box::new(profile)));
        self
    }

    /// The built-in emulator's library file (default: the shipped `fixtures/library.yaml`).
    pub fn library(mut self, path: impl Into<PathBuf>) -> Self {
        self.library = Some(path.into());
        self
    }

    /// Fails steps whose responses have error-severity lint violations they do not accept
    /// (`run --strict`).
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Runs scenarios and steps whose requests the BX marks unsupported (`run --ignore-bx`).
    pub fn ignore_bx(mut self, ignore: bool) -> Self {
        self.ignore_bx = ignore;
        self
    }

    /// Runs only scenarios with this tag; repeatable (any of them, as `run --tag`).
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// Scenarios at once (default: 1 against an endpoint, the CPU count against the emulator;
    /// libtest's `--test-threads` overrides it).
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = Some(jobs);
        self
    }

    /// Writes a JUnit XML report here after the run.
    pub fn junit(mut self, path: impl Into<PathBuf>) -> Self {
        self.reports.junit = Some(path.into());
        self
    }

    /// Writes a JSON report here after the run.
    pub fn json(mut self, path: impl Into<PathBuf>) -> Self {
        self.reports.json = Some(path.into());
        self
    }

    /// Writes a self-contained HTML report here after the run.
    pub fn html(mut self, path: impl Into<PathBuf>) -> Self {
        self.reports.html = Some(path.into());
        self
    }

    /// libtest's arguments (default: the process's, [`Arguments::from_args`]).
    pub fn args(mut self, args: Arguments) -> Self {
        self.args = Some(args);
        self
    }

    /// The run these options describe, for [`super::plan()`] and [`super::execute`] (the
    /// advanced path); loads the profile and library files.
    pub fn to_config(&self) -> Result<RunConfig, HarnessError> {
        let profile = match &self.profile {
            Some(ProfileSource::File(p)) => Profile::load(p)?,
            Some(ProfileSource::Given(p)) => (**p).clone(),
            None => Profile::emulator()?,
        };
        // A profile's own endpoint counts only when the profile is the user's.
        let endpoint = self
            .endpoint
            .clone()
            .or_else(|| self.profile.as_ref().and_then(|_| profile.endpoint.clone()));
        let target = match endpoint {
            Some(e) if self.profile.is_none() => {
                return Err(HarnessError::EndpointWithoutProfile(e));
            }
            Some(e) => {
                // A bad endpoint is the caller's to fix (exit 2), not an unreachable server (4).
                transport::parse_endpoint(&e)?;
                Target::Endpoint(e)
            }
            None => Target::Emulator,
        };
        let library = match (&self.library, &target) {
            (None, _) => None,
            (Some(path), Target::Emulator) => Some(Library::load(path)?),
            (Some(path), Target::Endpoint(e)) => {
                return Err(HarnessError::LibraryWithEndpoint {
                    library: path.clone(),
                    endpoint: e.clone(),
                });
            }
        };
        Ok(RunConfig {
            paths: self.paths.clone(),
            suites: self.suites.clone(),
            target,
            profile,
            selection: Selection {
                tags: self.tags.clone(),
                ..Selection::default()
            },
            strict: self.strict,
            jobs: self.jobs,
            ignore_bx: self.ignore_bx,
            shuffle: None,
            wait: None,
            library,
        })
    }

    /// The redaction pass, built before the profile is loaded so that its own errors are
    /// masked too.
    fn redactor(&self, level: Redaction) -> Redactor {
        match &self.profile {
            Some(ProfileSource::File(p)) => Redactor::for_profile_file(Some(p), level),
            Some(ProfileSource::Given(p)) => Redactor::new(level, secrets_of(p)),
            None => Redactor::for_profile_file(None, level),
        }
    }
}

/// The `main` of a `cargo test` harness: runs what `options` say as libtest trials, one per
/// scenario, prints the summary line `sip2check run` prints, writes the reports asked for,
/// and returns libtest's exit code (2 when the options or files cannot be used, 3 when the
/// tags select no scenario, 4 when the server cannot be reached).
///
/// ```no_run
/// // tests/sip2.rs, with `harness = false` for it in Cargo.toml
/// use sip2check::runner::{HarnessOptions, harness_main_with};
///
/// fn main() -> std::process::ExitCode {
///     harness_main_with(HarnessOptions::new(["tests/sip2"]).strict(true).junit("target/sip2.xml"))
/// }
/// ```
pub fn harness_main_with(options: HarnessOptions) -> ExitCode {
    let args = options.args.clone().unwrap_or_else(Arguments::from_args);
    let opts = ReportOptions::default();
    let redactor = options.redactor(opts.redaction);
    let fail = |e: &dyn fmt::Display, code: u8| {
        report_error(&redactor.text(&e.to_string()));
        ExitCode::from(code)
    };
    let config = match options.to_config() {
        Ok(c) => c,
        Err(e) => return fail(&e, 2),
    };
    if args.list {
        // Listing (as cargo nextest does before every run) needs no server and no probe.
        return match select(&config) {
            Ok(scenarios) => {
                let listed = scenarios
                    .into_iter()
                    .map(|s| Trial::test(s.id, || Ok(())))
                    .collect();
                libtest_mimic::run(&args, listed).exit_code()
            }
            Err(e) => fail(&e, e.exit_code()),
        };
    }
    let meta = RunMeta {
        dialect: config.profile.dialect.clone(),
        strict: config.strict,
        ignore_bx: config.ignore_bx,
    };
    let plan = match plan(&config) {
        Ok(p) => p,
        Err(e) => {
            // CI shows a report naming the cause instead of "no report found".
            if let Some(result) = probe_failure(&config, &e)
                && let Err(w) = options.reports.write(&redactor.run(result), &meta, &opts)
            {
                report_error(&w);
            }
            return fail(&e, e.exit_code());
        }
    };
    let (conclusion, result) = execute(&plan, &args, opts);
    plan.shutdown();
    let result = redactor.run(result);
    // A closed stdout (a pipe that went away) must not turn a run into a panic.
    let _ = std::io::stdout()
        .lock()
        .write_all(render_summary(&result, &opts).as_bytes());
    if let Err(e) = options.reports.write(&result, &meta, &opts) {
        return fail(&e, 2);
    }
    conclusion.exit_code()
}

/// The `main` of a `cargo test` harness (`harness = false`): runs the scenarios under `paths`
/// against the built-in emulator, or against `SIP2_ENDPOINT` (host:port) with the variables of
/// `SIP2_PROFILE` (a profile file), as [`harness_main_with`] does. libtest's arguments
/// (filters, `--list`, ...) apply.
pub fn harness_main(paths: &[&str]) -> ExitCode {
    let endpoint = std::env::var("SIP2_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty());
    let profile = std::env::var_os("SIP2_PROFILE").map(PathBuf::from);
    let mut options = HarnessOptions::new(paths.iter().map(Path::new));
    match (endpoint, profile) {
        (Some(e), None) => {
            report_error(&format!(
                "SIP2_ENDPOINT={e} needs SIP2_PROFILE=FILE with that server's variables (start from a copy of fixtures/profiles/emulator.yaml)"
            ));
            return ExitCode::from(2);
        }
        (e, Some(p)) => {
            options = options.profile_file(p);
            if let Some(e) = e {
                options = options.endpoint(e);
            }
        }
        (None, None) => {}
    }
    harness_main_with(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_become_the_run_config() {
        let c = HarnessOptions::new(["a", "b"])
            .suite("spec")
            .tag("core")
            .tag("holds")
            .strict(true)
            .ignore_bx(true)
            .jobs(3)
            .to_config()
            .unwrap();
        assert_eq!(c.paths, [PathBuf::from("a"), PathBuf::from("b")]);
        assert_eq!(c.suites, ["spec"]);
        assert_eq!(c.selection.tags, ["core", "holds"]);
        assert!(c.strict && c.ignore_bx);
        assert_eq!(c.jobs, Some(3));
        assert_eq!(c.target, Target::Emulator);
        assert!(c.library.is_none());
        assert_eq!(c.profile.vars["institution"], "BR1");
    }

    #[test]
    fn an_endpoint_needs_a_profile_and_a_profile_may_name_the_endpoint() {
        let e = HarnessOptions::new(["x"])
            .endpoint("127.0.0.1:6001")
            .to_config()
            .unwrap_err();
        assert!(matches!(e, HarnessError::EndpointWithoutProfile(_)), "{e}");
        let profile = Profile {
            endpoint: Some("127.0.0.1:6001".into()),
            ..Profile::emulator().unwrap()
        };
        let c = HarnessOptions::new(["x"])
            .profile(profile.clone())
            .to_config()
            .unwrap();
        assert_eq!(c.target, Target::Endpoint("127.0.0.1:6001".into()));
        let c = HarnessOptions::new(["x"])
            .profile(profile)
            .endpoint("[::1]:7001")
            .to_config()
            .unwrap();
        assert_eq!(c.target, Target::Endpoint("[::1]:7001".into()));
        let e = HarnessOptions::new(["x"])
            .profile(Profile::default())
            .endpoint("no-port")
            .to_config()
            .unwrap_err();
        assert!(matches!(e, HarnessError::Endpoint(_)), "{e}");
    }

    #[test]
    fn a_library_file_is_for_the_emulator_and_its_mistakes_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("library.yaml");
        std::fs::write(
            &good,
            "institutions: [{ id: XY, name: Elsewhere }]\naccounts: [{ login: u, password: p, institution: XY }]\n",
        )
        .unwrap();
        let c = HarnessOptions::new(["x"])
            .library(&good)
            .to_config()
            .unwrap();
        assert_eq!(c.library.unwrap().institutions[0].id, "XY");
        let bad = dir.path().join("bad.yaml");
        std::fs::write(&bad, "institutions: []\naccounts: []\npatronz: []\n").unwrap();
        let e = HarnessOptions::new(["x"])
            .library(&bad)
            .to_config()
            .unwrap_err();
        assert!(e.to_string().contains("bad.yaml:3"), "{e}");
        let e = HarnessOptions::new(["x"])
            .library(&good)
            .profile(Profile::default())
            .endpoint("127.0.0.1:6001")
            .to_config()
            .unwrap_err();
        assert!(matches!(e, HarnessError::LibraryWithEndpoint { .. }), "{e}");
    }
}
