//! `sip2check probe`: check SIP accounts for monitoring, once (a line per account, or the
//! monitoring-plugin output with `--plugin`) or every N seconds (with Prometheus metrics in a
//! textfile and/or over HTTP).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use clap::Args;

use super::color::Colors;
use super::interrupt::Signals;
use super::send::{Login, parse_login, parse_seconds};
use super::{Exit, ExitError};
use crate::ops::probe::http::MetricsServer;
use crate::ops::probe::metrics::{Metrics, write_textfile};
use crate::ops::probe::{self, Account, AccountResult, Class, Level, Patron, ProbeConfig};
use crate::report::style::Palette;
use crate::scenario::Profile;

/// Arguments of `probe`.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Probes this many times, then exits (with --every) [default: until Ctrl-C or SIGTERM].
    #[arg(long, value_name = "N", requires = "every", help_heading = "Schedule")]
    pub count: Option<u64>,
    /// A whole probe slower than this is `slow`, CRITICAL.
    #[arg(
        long,
        default_value_t = 5000,
        value_name = "MS",
        help_heading = "Thresholds"
    )]
    pub crit_ms: u64,
    /// The server: HOST:PORT [default: the profile's endpoint].
    #[arg(long, value_name = "HOST:PORT", help_heading = "Server")]
    pub endpoint: Option<String>,
    /// Probe again every SECS seconds, a line per account each time.
    #[arg(long, value_name = "SECS", value_parser = parse_seconds, help_heading = "Schedule")]
    pub every: Option<Duration>,
    /// An account to probe (repeatable; replaces the profile's accounts). PASS is never printed.
    #[arg(long = "login", value_name = "USER:PASS[:LOCATION]", value_parser = parse_login, help_heading = "Server")]
    pub logins: Vec<Login>,
    /// Serve the metrics at http://ADDR/metrics while --every runs (loopback unless
    /// --metrics-allow-remote).
    #[arg(
        long,
        value_name = "ADDR:PORT",
        requires = "every",
        help_heading = "Output"
    )]
    pub metrics_listen: Option<SocketAddr>,
    /// Let --metrics-listen bind an address outside loopback (the metrics name the accounts).
    #[arg(long, requires = "metrics_listen", help_heading = "Output")]
    pub metrics_allow_remote: bool,
    /// Also ask for the patron status of the profile patron VAR (VAR.barcode, VAR.pin).
    #[arg(long, value_name = "VAR", num_args = 0..=1, default_missing_value = "patron", help_heading = "Server")]
    pub patron: Option<String>,
    /// Monitoring-plugin output and exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    #[arg(long, conflicts_with = "every", help_heading = "Output")]
    pub plugin: bool,
    /// Profile: endpoint, TLS, telnet, encoding, timeouts, probe.accounts and the variables.
    #[arg(long, value_name = "FILE", help_heading = "Server")]
    pub profile: Option<PathBuf>,
    /// Write node-exporter textfile metrics here after every probe (atomically).
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub prometheus: Option<PathBuf>,
    /// Seconds to wait for the connection and for each answer [default: the profile's, else 10].
    #[arg(long, value_name = "SECS", value_parser = parse_seconds, help_heading = "Server")]
    pub timeout: Option<Duration>,
    /// A whole probe slower than this is `slow`, WARNING.
    #[arg(
        long,
        default_value_t = 2000,
        value_name = "MS",
        help_heading = "Thresholds"
    )]
    pub warn_ms: u64,
}

fn usage(message: String) -> anyhow::Error {
    ExitError {
        exit: Exit::Usage,
        message,
    }
    .into()
}

impl ProbeArgs {
    /// The probe these flags and the profile describe.
    fn to_config(&self) -> anyhow::Result<ProbeConfig> {
        let profile = match &self.profile {
            Some(p) => Some(Profile::load(p)?),
            None => None,
        };
        let endpoint = self
            .endpoint
            .clone()
            .or_else(|| profile.as_ref().and_then(|p| p.endpoint.clone()))
            .ok_or_else(|| {
                usage("give --endpoint HOST:PORT (or a --profile with endpoint:)".into())
            })?;
        let default = Profile::default();
        let p = profile.as_ref().unwrap_or(&default);
        let mut connect = crate::runner::plan::connect_options(p, &endpoint);
        if let Some(t) = self.timeout {
            connect.timeouts.connect = t;
            connect.timeouts.response = t;
        }
        let var = |k: &str| p.vars.get(k).cloned();
        let accounts: Vec<Account> = if !self.logins.is_empty() {
            self.logins
                .iter()
                .map(|l| Account {
                    user: l.credentials.user.clone(),
                    password: l.credentials.password.clone(),
                    location: l.location.clone(),
                })
                .collect()
        } else if let Some(listed) = p.probe.as_ref().filter(|pr| !pr.accounts.is_empty()) {
            listed
                .accounts
                .iter()
                .map(|a| Account {
                    user: a.user.clone(),
                    password: a.password.clone(),
                    location: a.location.clone(),
                })
                .collect()
        } else if let Some(user) = var("login.user") {
            vec![Account {
                user,
                password: var("login.password").unwrap_or_default(),
                location: var("login.location"),
            }]
        } else {
            return Err(usage(
                "no account to probe: give --login USER:PASS, or a --profile with probe.accounts or login.user".into(),
            ));
        };
        let patron = match &self.patron {
            None => None,
            Some(name) => {
                let barcode = var(&format!("{name}.barcode")).ok_or_else(|| {
                    usage(format!(
                        "--patron {name} needs the profile variable {name}.barcode (give --profile)"
                    ))
                })?;
                Some(Patron {
                    barcode,
                    pin: var(&format!("{name}.pin")),
                })
            }
        };
        if self.warn_ms > self.crit_ms {
            return Err(usage(format!(
                "--warn-ms {} is above --crit-ms {}",
                self.warn_ms, self.crit_ms
            )));
        }
        Ok(ProbeConfig {
            connect,
            accounts,
            institution: var("institution"),
            patron,
            warn: Duration::from_millis(self.warn_ms),
            crit: Duration::from_millis(self.crit_ms),
        })
    }
}

/// Runs `probe`; with `--plugin` every error is an UNKNOWN (3) with the plugin's output line.
pub fn run(args: ProbeArgs, colors: Colors) -> anyhow::Result<Exit> {
    if !args.plugin {
        return run_probe(&args, colors);
    }
    match run_probe(&args, colors) {
        Ok(exit) => Ok(exit),
        Err(e) => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "SIP2 UNKNOWN - {}", one_line(&e.to_string()))?;
            Ok(Exit::PLUGIN_UNKNOWN)
        }
    }
}

fn run_probe(args: &ProbeArgs, colors: Colors) -> anyhow::Result<Exit> {
    let cfg = args.to_config()?;
    if let Some(addr) = args.metrics_listen
        && !addr.ip().is_loopback()
        && !args.metrics_allow_remote
    {
        return Err(usage(format!(
            "--metrics-listen {addr} is not a loopback address; the metrics name your accounts and endpoint and have no authentication: give --metrics-allow-remote to serve them there anyway"
        )));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    runtime.block_on(async {
        let metrics = Arc::new(Metrics::new());
        let server = match args.metrics_listen {
            Some(addr) => {
                let listener =
                    tokio::net::TcpListener::bind(addr)
                        .await
                        .map_err(|e| ExitError {
                            exit: Exit::Connection,
                            message: format!("cannot listen on {addr} for the metrics: {e}"),
                        })?;
                let server = MetricsServer::start(listener, metrics.clone())?;
                eprintln!("serving metrics on http://{}/metrics", server.addr());
                Some(server)
            }
            None => None,
        };
        let outcome = rounds(args, &cfg, &metrics, colors).await;
        if let Some(s) = server {
            s.shutdown().await;
        }
        outcome
    })
}

/// One probe, or one every `--every` until `--count` or a stop signal; the last round's exit.
async fn rounds(
    args: &ProbeArgs,
    cfg: &ProbeConfig,
    metrics: &Metrics,
    colors: Colors,
) -> anyhow::Result<Exit> {
    let endpoint = cfg.connect.endpoint.as_str();
    let Some(every) = args.every else {
        let results = probe::probe(cfg).await;
        record(args, metrics, endpoint, &results)?;
        return print_round(args, endpoint, &results, colors);
    };
    let stop = Signals::install()?;
    let stopped = stop.wait();
    tokio::pin!(stopped);
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut exit = Exit::Passed;
    let mut done = 0u64;
    while args.count.is_none_or(|n| done < n) {
        tokio::select! {
            () = &mut stopped => break,
            _ = ticks.tick() => {}
        }
        let results = tokio::select! {
            () = &mut stopped => break,
            r = probe::probe(cfg) => r,
        };
        record(args, metrics, endpoint, &results)?;
        exit = print_round(args, endpoint, &results, colors)?;
        done += 1;
    }
    Ok(exit)
}

fn record(
    args: &ProbeArgs,
    metrics: &Metrics,
    endpoint: &str,
    results: &[AccountResult],
) -> anyhow::Result<()> {
    metrics.update(endpoint, results, SystemTime::now());
    if let Some(path) = &args.prometheus {
        write_textfile(path, &metrics.encode())
            .with_context(|| format!("writing the metrics to {}", path.display()))?;
    }
    Ok(())
}

fn print_round(
    args: &ProbeArgs,
    endpoint: &str,
    results: &[AccountResult],
    colors: Colors,
) -> anyhow::Result<Exit> {
    let mut out = colors.stdout();
    if args.plugin {
        write!(out, "{}", plugin_output(endpoint, results, args))?;
        out.flush()?;
        return Ok(plugin_exit(results));
    }
    for r in results {
        writeln!(out, "{}", r.line(endpoint, &colors.out()))?;
    }
    out.flush()?;
    Ok(own_exit(results))
}

/// 0 when every account is ok; 4 when none could be reached; else 1.
fn own_exit(results: &[AccountResult]) -> Exit {
    if results.iter().all(|r| r.class == Class::Ok) {
        Exit::Passed
    } else if results.iter().all(|r| r.class == Class::Unreachable) {
        Exit::Connection
    } else {
        Exit::Failed
    }
}

/// The worst level, as the plugin convention's exit code.
fn plugin_exit(results: &[AccountResult]) -> Exit {
    match results.iter().map(|r| r.level).max() {
        None | Some(Level::Ok) => Exit::PLUGIN_OK,
        Some(Level::Warning) => Exit::PLUGIN_WARNING,
        Some(Level::Critical) => Exit::PLUGIN_CRITICAL,
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\r', '\n', '|'], " ")
}

/// `SIP2 STATE - summary | perfdata`, then a line per account.
fn plugin_output(endpoint: &str, results: &[AccountResult], args: &ProbeArgs) -> String {
    let state = match results.iter().map(|r| r.level).max() {
        None | Some(Level::Ok) => "OK",
        Some(Level::Warning) => "WARNING",
        Some(Level::Critical) => "CRITICAL",
    };
    let ok = results.iter().filter(|r| r.class == Class::Ok).count();
    let bad: Vec<String> = results
        .iter()
        .filter(|r| r.class != Class::Ok)
        .map(|r| format!("{} {}", r.user, r.class.name()))
        .collect();
    let mut summary = format!("{endpoint}: {ok} of {} accounts ok", results.len());
    if !bad.is_empty() {
        summary = format!(
            "{endpoint}: {}; {ok} of {} accounts ok",
            bad.join(", "),
            results.len()
        );
    }
    let mut perf = Vec::new();
    for r in results {
        let label =
            |what: &str| format!("'{} {what}'", r.user.replace('\'', "''").replace('=', "_"));
        perf.push(format!(
            "{}={:.1}ms;{};{};0;",
            label("total"),
            r.total.as_secs_f64() * 1000.0,
            args.warn_ms,
            args.crit_ms
        ));
        for (phase, d) in &r.phases {
            perf.push(format!(
                "{}={:.1}ms;;;0;",
                label(phase.name()),
                d.as_secs_f64() * 1000.0
            ));
        }
    }
    let mut out = format!(
        "SIP2 {state} - {} | {}\n",
        one_line(&summary),
        perf.join(" ")
    );
    for r in results {
        // Monitoring systems read this output: never any colour.
        out.push_str(&one_line(&r.line(endpoint, &Palette::PLAIN)));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::probe::Phase;

    fn parse(args: &[&str]) -> Result<ProbeArgs, clap::Error> {
        super::super::parse_subcommand("probe", args)
    }

    fn result(user: &str, class: Class, level: Level) -> AccountResult {
        AccountResult {
            user: user.into(),
            class,
            level,
            phases: vec![(Phase::Connect, Duration::from_micros(400))],
            total: Duration::from_micros(1500),
            detail: None,
        }
    }

    #[test]
    fn accounts_come_from_logins_then_the_profile_then_login_vars() {
        let a = parse(&[
            "--endpoint",
            "h:1",
            "--login",
            "a:pw1",
            "--login",
            "b:pw2:LOC",
        ])
        .unwrap();
        let c = a.to_config().unwrap();
        assert_eq!(c.accounts.len(), 2);
        assert_eq!(c.accounts[1].location.as_deref(), Some("LOC"));
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.yaml");
        std::fs::write(
            &p,
            "endpoint: h:2\nprobe:\n  accounts:\n    - { user: x, password: y }\nvars:\n  login: { user: v, password: w }\n  patron: { barcode: \"1\" }\n",
        )
        .unwrap();
        let c = parse(&["--profile", p.to_str().unwrap(), "--patron"])
            .unwrap()
            .to_config()
            .unwrap();
        assert_eq!(c.connect.endpoint, "h:2");
        assert_eq!(c.accounts[0].user, "x");
        assert_eq!(c.patron.unwrap().barcode, "1");
        std::fs::write(
            &p,
            "endpoint: h:2\nvars:\n  login: { user: v, password: w }\n",
        )
        .unwrap();
        let c = parse(&["--profile", p.to_str().unwrap()])
            .unwrap()
            .to_config()
            .unwrap();
        assert_eq!(c.accounts[0].user, "v");
        let e = parse(&["--profile", p.to_str().unwrap(), "--patron", "patron2"])
            .unwrap()
            .to_config()
            .unwrap_err();
        assert!(e.to_string().contains("patron2.barcode"), "{e}");
        let e = parse(&["--endpoint", "h:1"])
            .unwrap()
            .to_config()
            .unwrap_err();
        assert!(e.to_string().contains("no account"), "{e}");
    }

    #[test]
    fn flags_that_need_each_other() {
        assert!(parse(&["--count", "2"]).is_err(), "--count needs --every");
        assert!(parse(&["--metrics-listen", "127.0.0.1:0"]).is_err());
        assert!(parse(&["--plugin", "--every", "5"]).is_err());
        let e = parse(&[
            "--endpoint",
            "h:1",
            "--login",
            "a:b",
            "--warn-ms",
            "9",
            "--crit-ms",
            "5",
        ])
        .unwrap()
        .to_config()
        .unwrap_err();
        assert!(e.to_string().contains("--warn-ms"), "{e}");
    }

    #[test]
    fn exits_follow_the_worst_account() {
        let ok = result("a", Class::Ok, Level::Ok);
        let slow = result("b", Class::Slow, Level::Warning);
        let down = result("c", Class::Unreachable, Level::Critical);
        assert_eq!(plugin_exit(std::slice::from_ref(&ok)), Exit::PLUGIN_OK);
        assert_eq!(
            plugin_exit(&[ok.clone(), slow.clone()]),
            Exit::PLUGIN_WARNING
        );
        assert_eq!(
            plugin_exit(&[slow.clone(), down.clone()]),
            Exit::PLUGIN_CRITICAL
        );
        assert_eq!(own_exit(std::slice::from_ref(&ok)), Exit::Passed);
        assert_eq!(own_exit(&[ok, slow]), Exit::Failed);
        assert_eq!(own_exit(&[down]), Exit::Connection);
    }

    #[test]
    fn plugin_output_has_a_summary_perfdata_and_a_line_per_account() {
        let args = parse(&["--plugin"]).unwrap();
        let out = plugin_output(
            "h:1",
            &[
                result("a", Class::Ok, Level::Ok),
                result("o'b", Class::Silent, Level::Critical),
            ],
            &args,
        );
        let mut lines = out.lines();
        assert_eq!(
            lines.next().unwrap(),
            "SIP2 CRITICAL - h:1: o'b silent; 1 of 2 accounts ok | 'a total'=1.5ms;2000;5000;0; 'a connect'=0.4ms;;;0; 'o''b total'=1.5ms;2000;5000;0; 'o''b connect'=0.4ms;;;0;"
        );
        assert!(lines.next().unwrap().starts_with("a@h:1 ok 1.5 ms"));
        assert_eq!(lines.count(), 1);
    }
}
