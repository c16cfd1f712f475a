//! `sip2check load`: a bounded load run against a SIP2 server, with a progress line on a
//! terminal and a report (text or JSON) at the end.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;

use super::color::Colors;
use super::send::{Login, parse_login, parse_seconds};
use super::{Exit, ExitError};
use crate::ops::load::{self, LoadConfig, LoadReport, Mix, Progress, Ramp, WireOptions, Workload};
use crate::scenario::Profile;
use crate::sip2::frame::DEFAULT_MAX_LEN;

/// Arguments of `load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Allow an endpoint outside loopback (127.0.0.0/8, ::1); load is heavy traffic.
    #[arg(long, help_heading = "Server")]
    pub allow_remote: bool,
    /// Connections at once, each with one request in flight (with --ramp: the most).
    #[arg(
        long,
        default_value_t = 10,
        value_name = "N",
        help_heading = "Workload"
    )]
    pub connections: usize,
    /// Stop after this many seconds.
    #[arg(long, value_name = "SECS", value_parser = parse_seconds, help_heading = "Workload")]
    pub duration: Option<Duration>,
    /// The server: HOST:PORT [default: the profile's endpoint].
    #[arg(long, value_name = "HOST:PORT", help_heading = "Server")]
    pub endpoint: Option<String>,
    /// Print the report as JSON.
    #[arg(long, help_heading = "Output")]
    pub json: bool,
    /// Log in as USER:PASS[:LOCATION] instead of the profile's login.* variables.
    #[arg(long, value_name = "USER:PASS[:LOCATION]", value_parser = parse_login, help_heading = "Server")]
    pub login: Option<Login>,
    /// With --ramp: a step whose failed requests and connects pass this percentage ends it.
    #[arg(
        long,
        default_value_t = 1.0,
        value_name = "PERCENT",
        requires = "ramp",
        help_heading = "Ramp"
    )]
    pub max_errors: f64,
    /// With --ramp: a step whose p99 latency passes this ends it.
    #[arg(
        long,
        default_value_t = 1000,
        value_name = "MS",
        requires = "ramp",
        help_heading = "Ramp"
    )]
    pub max_p99_ms: u64,
    /// Profile: endpoint, terminator, encoding, error detection, timeouts and the variables
    /// the workload uses [default: the built-in emulator's].
    #[arg(long, value_name = "FILE", help_heading = "Server")]
    pub profile: Option<PathBuf>,
    /// Add connections step by step (up to --connections) until errors or p99 pass a limit.
    #[arg(long, help_heading = "Ramp")]
    pub ramp: bool,
    /// With --ramp: seconds each step runs.
    #[arg(long, default_value = "5", value_name = "SECS", value_parser = parse_seconds, requires = "ramp", help_heading = "Ramp")]
    pub ramp_hold: Duration,
    /// With --ramp: connections of the first step [default: --ramp-step].
    #[arg(long, value_name = "N", requires = "ramp", help_heading = "Ramp")]
    pub ramp_start: Option<usize>,
    /// With --ramp: connections added per step [default: a tenth of --connections].
    #[arg(long, value_name = "N", requires = "ramp", help_heading = "Ramp")]
    pub ramp_step: Option<usize>,
    /// Open loop: send this many requests per second over all connections (latency counts
    /// from when each request was due).
    #[arg(long, value_name = "PER_SEC", help_heading = "Workload")]
    pub rate: Option<f64>,
    /// Stop after this many requests (then each connection checks in what it still has out).
    #[arg(long, value_name = "N", help_heading = "Workload")]
    pub requests: Option<u64>,
    /// Run this scenario's steps in a loop on each connection instead of the self-check mix;
    /// its checks count as errors too.
    #[arg(long, value_name = "FILE", help_heading = "Workload")]
    pub scenario: Option<PathBuf>,
    /// Seconds between the mix's SC status requests.
    #[arg(long, default_value = "180", value_name = "SECS", value_parser = parse_seconds, help_heading = "Workload")]
    pub status_every: Duration,
    /// Worker threads of the generator.
    #[arg(long, default_value_t = 1, value_name = "N", help_heading = "Workload")]
    pub threads: usize,
    /// Seconds to wait for each connection and each answer [default: the profile's, else 10].
    #[arg(long, value_name = "SECS", value_parser = parse_seconds, help_heading = "Server")]
    pub timeout: Option<Duration>,
}

impl LoadArgs {
    /// The load configuration these flags and the profile describe.
    fn to_config(&self) -> anyhow::Result<LoadConfig> {
        let profile = match &self.profile {
            Some(p) => Profile::load(p)?,
            None => Profile::emulator()?,
        };
        if profile.tls.is_some() || profile.telnet.is_some() {
            return Err(usage(format!(
                "{}: load speaks plain TCP; remove tls:/telnet: or load a plain endpoint",
                profile.source
            )));
        }
        let endpoint = self
            .endpoint
            .clone()
            .or_else(|| profile.endpoint.clone())
            .ok_or_else(|| {
                usage("give --endpoint HOST:PORT (or endpoint: in the profile)".into())
            })?;
        let connect = crate::runner::plan::connect_options(&profile, &endpoint);
        let timeout = |d: Duration| self.timeout.unwrap_or(d);
        let workload = match &self.scenario {
            Some(path) => {
                let s = crate::scenario::load_file(path, &profile.vars)?;
                Workload::Scenario(
                    Arc::new(s),
                    Arc::new(profile.vars.clone()),
                    Arc::new(profile.dialect.clone()),
                )
            }
            None => {
                let mut mix = Mix::from_vars(&profile.vars).map_err(usage)?;
                if let Some(l) = &self.login {
                    mix.login = Some((
                        l.credentials.user.clone(),
                        l.credentials.password.clone(),
                        l.location.clone(),
                    ));
                }
                mix.status_every = self.status_every;
                Workload::Mix(mix)
            }
        };
        if self.threads == 0 {
            return Err(usage("--threads must be at least 1".into()));
        }
        let ramp = self.ramp.then(|| {
            let step = self.ramp_step.unwrap_or(self.connections / 10).max(1);
            Ramp {
                start: self.ramp_start.unwrap_or(step),
                step,
                hold: self.ramp_hold,
                max_error_rate: self.max_errors / 100.0,
                max_p99: Duration::from_millis(self.max_p99_ms),
            }
        });
        Ok(LoadConfig {
            endpoint,
            allow_remote: self.allow_remote,
            connect_timeout: timeout(connect.timeouts.connect),
            wire: WireOptions {
                terminator: connect.terminator,
                encoding: connect.encoding,
                error_detection: connect.error_detection,
                response_timeout: timeout(connect.timeouts.response),
            },
            max_message_len: DEFAULT_MAX_LEN,
            connections: self.connections,
            duration: self.duration,
            requests: self.requests,
            rate: self.rate,
            ramp,
            workload,
        })
    }
}

fn usage(message: String) -> anyhow::Error {
    ExitError {
        exit: Exit::Usage,
        message,
    }
    .into()
}

/// Runs `load`.
pub fn run(args: LoadArgs, colors: Colors) -> anyhow::Result<Exit> {
    let cfg = args.to_config()?;
    let ramping = cfg.ramp.is_some();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads)
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let terminal = std::io::stderr().is_terminal();
    let report = runtime.block_on(load::run(
        cfg,
        |p| {
            if terminal {
                show_progress(p);
            }
        },
        async {
            // Without a handler Ctrl-C ends the process; with none installable, never interrupt.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        },
    ));
    if terminal {
        eprint!("\r\x1b[K");
    }
    let report = report.map_err(|e| {
        let exit = match e {
            load::LoadError::Resolve { .. } => Exit::Connection,
            _ => Exit::Usage,
        };
        ExitError {
            exit,
            message: e.to_string(),
        }
    })?;
    let mut out = colors.stdout();
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&load::report::json(&report))?
        )?;
    } else {
        write!(out, "{}", load::report::text(&report, &colors.out()))?;
    }
    Ok(exit_of(&report, ramping))
}

/// 4 when no connection opened at all; 1 when a request or connect failed (a ramp is expected
/// to end in errors: only its first connection counts); else 0.
fn exit_of(r: &LoadReport, ramping: bool) -> Exit {
    let s = &r.stats;
    if s.connects == 0 {
        Exit::Connection
    } else if !ramping && (s.failed() > 0 || s.connect_failures > 0 || !r.stopped.is_empty()) {
        Exit::Failed
    } else {
        Exit::Passed
    }
}

fn show_progress(p: &Progress) {
    eprint!(
        "\r\x1b[K{:>5.0} s  {} requests  {:.0}/s  {} errors  {} connections",
        p.elapsed.as_secs_f64(),
        p.requests,
        p.per_second,
        p.errors,
        p.connections
    );
    let _ = std::io::stderr().flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<LoadArgs, clap::Error> {
        super::super::parse_subcommand("load", args)
    }

    #[test]
    fn the_emulator_profile_gives_a_mix_and_flags_override_it() {
        let a = parse(&[
            "--endpoint",
            "127.0.0.1:6001",
            "--duration",
            "2",
            "--connections",
            "3",
            "--timeout",
            "1.5",
            "--login",
            "kiosk:pw:BR1",
        ])
        .unwrap();
        let c = a.to_config().unwrap();
        assert_eq!(
            (c.connections, c.duration),
            (3, Some(Duration::from_secs(2)))
        );
        assert_eq!(c.wire.response_timeout, Duration::from_millis(1500));
        match c.workload {
            Workload::Mix(m) => {
                assert_eq!(m.login.unwrap().0, "kiosk");
                assert_eq!(m.items, ["1565921879", "0440242746"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(c.ramp.is_none() && !c.allow_remote);
    }

    #[test]
    fn ramp_defaults_follow_the_connections() {
        let c = parse(&["--endpoint", "127.0.0.1:1", "--ramp", "--connections", "50"])
            .unwrap()
            .to_config()
            .unwrap();
        let r = c.ramp.unwrap();
        assert_eq!((r.start, r.step, r.hold), (5, 5, Duration::from_secs(5)));
        assert!((r.max_error_rate - 0.01).abs() < 1e-12);
        assert!(
            parse(&["--ramp-step", "3"]).is_err(),
            "--ramp-step needs --ramp"
        );
    }

    #[test]
    fn an_endpoint_is_needed() {
        let e = parse(&["--duration", "1"])
            .unwrap()
            .to_config()
            .unwrap_err();
        assert!(e.to_string().contains("--endpoint"), "{e}");
    }
}
