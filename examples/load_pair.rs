//! The load pair benchmark: `sip2check serve` and `sip2check load` as two processes on this
//! machine, the release build of each, and the CPU time of both (the server's from
//! /proc/PID/stat, the generator's from its own getrusage report), so a run shows which of the
//! two was the bottleneck. Bounded: RUNS runs of SECONDS each, then it stops.
//!
//! ```sh
//! cargo build --release
//! cargo run --release --example load_pair -- [CONNECTIONS] [SECONDS] [RUNS] [-- SERVE FLAGS]
//! ```
//! (defaults 100, 10 and 3; `SIP2CHECK` names another binary). Linux only (/proc).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

type Error = Box<dyn std::error::Error>;

/// The sip2check binary: $SIP2CHECK, else the one beside this example (target/release).
fn binary() -> Result<PathBuf, Error> {
    if let Some(p) = std::env::var_os("SIP2CHECK") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .and_then(|examples| examples.parent())
        .ok_or("cannot find target/release")?;
    let bin = dir.join("sip2check");
    if !bin.exists() {
        return Err(format!(
            "{} is missing: run cargo build --release first",
            bin.display()
        )
        .into());
    }
    Ok(bin)
}

/// User + system CPU seconds of process `pid` so far.
fn cpu_seconds(pid: u32) -> Result<f64, Error> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    let after = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or("bad /proc stat")?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11).ok_or("no utime")?.parse::<f64>()?
        + fields.get(12).ok_or("no stime")?.parse::<f64>()?;
    // SAFETY: sysconf only reads a system constant.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    Ok(ticks / if hz > 0 { hz as f64 } else { 100.0 })
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (ours, serve_flags) = match args.iter().position(|a| a == "--") {
        Some(i) => (&args[..i], &args[i + 1..]),
        None => (&args[..], &[][..]),
    };
    let connections: usize = ours.first().map_or(Ok(100), |a| a.parse())?;
    let seconds: u64 = ours.get(1).map_or(Ok(10), |a| a.parse())?;
    let runs: usize = ours.get(2).map_or(Ok(3), |a| a.parse())?;
    let bin = binary()?;
    println!(
        "{} serve {} | load --connections {connections} --duration {seconds}, {runs} run(s)",
        bin.display(),
        serve_flags.join(" ")
    );
    for run in 1..=runs {
        let mut server = Command::new(&bin)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(serve_flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut first = String::new();
        BufReader::new(server.stdout.take().ok_or("no stdout")?).read_line(&mut first)?;
        let addr = first
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("serve said {first:?}"))?
            .to_string();
        let before = cpu_seconds(server.id())?;
        let start = Instant::now();
        let out = Command::new(&bin)
            .args(["load", "--json", "--endpoint", &addr])
            .args(["--connections", &connections.to_string()])
            .args(["--duration", &seconds.to_string()])
            .output()?;
        let wall = start.elapsed().as_secs_f64();
        let server_cpu = cpu_seconds(server.id())? - before;
        server.kill()?;
        server.wait()?;
        let j: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| {
            format!(
                "load printed no report ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
        let load_cpu = j["cpu"]["user_s"].as_f64().unwrap_or(0.0)
            + j["cpu"]["system_s"].as_f64().unwrap_or(0.0);
        let elapsed = j["elapsed_s"].as_f64().unwrap_or(wall);
        println!(
            "run {run}: {:.0} requests/s ({} requests, {} errors), p50 {} ms, p99 {} ms; CPU: serve {:.0}%, load {:.0}% of one core",
            j["requests_per_s"].as_f64().unwrap_or(0.0),
            j["requests"],
            j["errors"],
            j["latency_ms"]["p50"],
            j["latency_ms"]["p99"],
            server_cpu / wall * 100.0,
            load_cpu / elapsed * 100.0,
        );
    }
    Ok(())
}
