//! Load benchmark for the reference ACS emulator: requests per second and p50/p99 latency with
//! N concurrent loopback connections, each logging in and then sending patron status requests
//! one at a time (a self-check waits for each answer). Bounded: N x M requests, then it stops.
//!
//! `cargo run --release --example acs_load -- [CONNECTIONS] [REQUESTS_PER_CONNECTION]`
//! (defaults 100 and 2000).

use std::time::{Duration, Instant};

use sip2check::acs::{self, Library, ServeOptions};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const LOGIN: &[u8] = b"9300CNsip_01|COsip_01|CPBR1|\r";
const STATUS: &[u8] = b"2300120060101    084237AOBR1|AA999999|AC|AD6789|\r";
const WAIT: Duration = Duration::from_secs(30);

async fn kiosk(addr: std::net::SocketAddr, requests: usize) -> std::io::Result<Vec<Duration>> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (rd, mut wr) = stream.into_split();
    let mut rd = BufReader::new(rd);
    let mut line = Vec::with_capacity(256);
    wr.write_all(LOGIN).await?;
    tokio::time::timeout(WAIT, rd.read_until(b'\r', &mut line)).await??;
    let mut latencies = Vec::with_capacity(requests);
    for _ in 0..requests {
        line.clear();
        let t = Instant::now();
        wr.write_all(STATUS).await?;
        let n = tokio::time::timeout(WAIT, rd.read_until(b'\r', &mut line)).await??;
        if n == 0 || !line.starts_with(b"24") {
            return Err(std::io::Error::other("unexpected answer"));
        }
        latencies.push(t.elapsed());
    }
    Ok(latencies)
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let connections: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let requests: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let server = acs::spawn(Library::builtin(), ServeOptions::default()).await?;
        let addr = server.addr();
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..connections {
            tasks.spawn(kiosk(addr, requests));
        }
        let mut all = Vec::with_capacity(connections * requests);
        while let Some(r) = tasks.join_next().await {
            all.extend(r.map_err(std::io::Error::other)??);
        }
        let elapsed = start.elapsed();
        server.shutdown().await;
        all.sort_unstable();
        let pct = |p: f64| all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or_default();
        println!(
            "{} connections x {} requests: {} requests in {:.2?} = {:.0} req/s; latency p50 {:.2?} p99 {:.2?}",
            connections,
            requests,
            all.len(),
            elapsed,
            all.len() as f64 / elapsed.as_secs_f64(),
            pct(0.50),
            pct(0.99),
        );
        Ok(())
    })
}
