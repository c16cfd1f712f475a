//! Nothing a client sends crashes or hangs the emulator: random bytes, half messages, endless
//! lines, LF floods, malformed fixed parts, from many clients at once. Afterwards it still answers.

mod acs_support;

use acs_support::{Client, LOGIN, start, start_default};
use sip2check::acs::{Library, ServeOptions};

/// A small deterministic generator, so a failure reproduces.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

const SAMPLES: &[&str] = &[
    LOGIN,
    "9910302.00",
    "2300120060101    084237AOBR1|AA999999|AC|AD6789|",
    "6300020060329    201700YYYYYYYYYYAOBR1|AA999999|BP-5|BQ99999999999999999999|",
    "11YN20060329    203000                  AOBR1|AA999999|AB1565921879|AC|BOY|",
    "09N20060102    08423620060113    084235AP|AOBR1|AB1565921879|AC|",
    "15*20060415    110158AOBR1|AA999999|AB1565921879|BW|BY9|",
    "3720060102    0842380400USDBV99999999999999999999.99|AOBR1|AAFINES1|",
    "29YY20060102    084236                  AOBR1|AA999999|AJPerl 5 desktop reference|",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_bytes_and_half_messages_from_many_clients() {
    let server = start_default().await;
    let addr = server.addr();
    let mut tasks = tokio::task::JoinSet::new();
    for seed in 1..=64u64 {
        tasks.spawn(async move {
            let mut rng = XorShift(seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
            let mut c = Client::connect(addr).await;
            for round in 0..20 {
                let mut payload = match rng.next() % 4 {
                    0 => {
                        let n = (rng.next() % 300) as usize;
                        rng.bytes(n)
                    }
                    1 => {
                        let s = SAMPLES[(rng.next() % SAMPLES.len() as u64) as usize].as_bytes();
                        s[..(rng.next() as usize % (s.len() + 1))].to_vec()
                    }
                    2 => {
                        let mut s = SAMPLES[(rng.next() % SAMPLES.len() as u64) as usize]
                            .as_bytes()
                            .to_vec();
                        let at = rng.next() as usize % s.len();
                        s[at] = rng.next() as u8;
                        s
                    }
                    _ => SAMPLES[(rng.next() % SAMPLES.len() as u64) as usize]
                        .as_bytes()
                        .to_vec(),
                };
                if round % 3 == 0 {
                    payload.push(b'\r');
                }
                c.send_raw(&payload).await;
            }
            // Half a message, then hang up mid-way.
            c.send_raw(b"2300120060101    0842").await;
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.expect("client task");
    }
    // Still serving, with its state intact.
    let mut c = Client::logged_in(addr).await;
    assert!(c.ask("9910302.00").await.starts_with("98"));
    let report = server.shutdown().await;
    assert!(report.connections >= 65);
}

#[tokio::test]
async fn endless_line_and_lf_flood_are_cut_off() {
    let server = start_default().await;
    let mut c = Client::connect(server.addr()).await;
    let chunk = vec![b'A'; 16 * 1024];
    // More than the 64 KiB frame limit without a terminator: the server hangs up.
    for _ in 0..8 {
        if tokio::io::AsyncWriteExt::write_all(&mut c.stream, &chunk)
            .await
            .is_err()
        {
            break;
        }
    }
    assert!(c.closed().await);
    let mut c = Client::connect(server.addr()).await;
    let lfs = vec![b'\n'; 16 * 1024];
    for _ in 0..16 {
        if tokio::io::AsyncWriteExt::write_all(&mut c.stream, &lfs)
            .await
            .is_err()
        {
            break;
        }
    }
    assert!(c.closed().await);
    let mut ok = Client::logged_in(server.addr()).await;
    assert!(ok.ask("9910302.00").await.starts_with("98"));
    server.shutdown().await;
}

#[tokio::test]
async fn malformed_requests_get_answers_or_96_never_a_crash() {
    let server = start(
        Library::builtin(),
        ServeOptions {
            strict: true,
            ..ServeOptions::default()
        },
    )
    .await;
    let mut c = Client::logged_in(server.addr()).await;
    for bad in [
        "23",
        "11",
        "63000",
        "15",
        "37200601",
        "09N",
        "\u{1}\u{2}garbage",
        "25AOBR1|AA|",
        "29NN|AB|",
    ] {
        let r = c.ask(bad).await;
        assert!(!r.is_empty(), "{bad:?} got an empty answer");
    }
    assert!(c.ask("9910302.00").await.starts_with("98"));
    let report = server.shutdown().await;
    assert!(report.records.iter().any(|r| !r.passed()));
}
