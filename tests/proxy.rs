//! The linting proxy between a client and the emulator (or a scripted ACS): bytes forwarded
//! exactly both ways, findings attributed to who sent them, either side closing, the connection
//! cap, the telnet login, TLS on both sides.

mod acs_support;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use acs_support::{Client, TIMEOUT};
use sip2check::acs::{self, Faults, Library, ServeOptions, ServerTls};
use sip2check::ops::proxy::{
    self, Ending, LintOptions, Proxy, ProxyEvent, ProxyOptions, ProxyReport, Side,
};
use sip2check::sip2::redact::Redaction;
use sip2check::sip2::{Encoding, Rule};
use sip2check::transport::TlsOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn options(upstream: SocketAddr) -> ProxyOptions {
    ProxyOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        allow_remote: false,
        upstream: upstream.to_string(),
        upstream_tls: None,
        connect_timeout: Duration::from_secs(5),
        device_tls: None,
        max_connections: 8,
        idle: Duration::from_secs(30),
        lint: LintOptions {
            encoding: Encoding::Utf8,
            error_detection: false,
            redaction: Redaction::SecretsAndPersonal,
            max_message: sip2check::sip2::frame::DEFAULT_MAX_LEN,
            telnet: false,
        },
        log: None,
    }
}

async fn start(opts: ProxyOptions) -> Proxy {
    proxy::spawn(opts).await.expect("the proxy starts")
}

/// The records of one side, as (code, rules).
fn seen(report: &ProxyReport, side: Side) -> Vec<(Option<String>, Vec<Rule>)> {
    report
        .records
        .iter()
        .filter(|(s, _)| *s == side)
        .map(|(_, r)| {
            (
                r.code.clone(),
                r.violations.iter().map(|v| v.rule).collect(),
            )
        })
        .collect()
}

/// Waits until `proxy` has recorded `n` ended connections (pairs end asynchronously).
async fn until_ended(
    events: &mut tokio::sync::mpsc::Receiver<ProxyEvent>,
    n: usize,
) -> Vec<Ending> {
    let mut ended = Vec::new();
    while ended.len() < n {
        match tokio::time::timeout(TIMEOUT, events.recv()).await {
            Ok(Some(ProxyEvent::Ended(c))) => ended.push(c.ending),
            Ok(Some(_)) => {}
            other => panic!("waiting for {n} ended connections, got {other:?} after {ended:?}"),
        }
    }
    ended
}

/// What each side sends in the byte-exactness test: CR LF, a bad checksum, a NUL, a message of
/// 64 KiB, one longer than the proxy frames for linting, and a half message at the end.
fn odd_bytes(first: &str) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(first.as_bytes());
    b.extend_from_slice(b"\r\n");
    b.extend_from_slice(b"9900302.00AY1AZ0000\r");
    b.extend_from_slice(b"2300120260305    101530AOBR1|AA\x00|AC|AD|\r");
    let mut big = b"17".to_vec();
    big.resize(64 * 1024, b'x');
    b.extend_from_slice(&big);
    b.push(b'\r');
    b.extend(std::iter::repeat_n(b'y', 100 * 1024));
    b.push(b'\r');
    b.extend_from_slice(b"9300CNsip_01|COs3cret|CP");
    b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_pass_unchanged_in_both_directions() {
    let device_bytes = odd_bytes("9300CNsip_01|COs3cret|CPBR1|");
    let acs_bytes = odd_bytes("941");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = listener.local_addr().unwrap();
    let to_send = acs_bytes.clone();
    // A scripted ACS: says its odd bytes, then keeps everything it receives until the end.
    let acs = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        s.write_all(&to_send).await.unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).await.unwrap();
        got
    });
    let mut p = start(options(upstream)).await;
    let mut events = p.take_events().unwrap();
    let mut device = TcpStream::connect(p.addr()).await.unwrap();
    // In small pieces, so the proxy sees messages split across reads.
    for piece in device_bytes.chunks(777) {
        device.write_all(piece).await.unwrap();
    }
    device.shutdown().await.unwrap();
    let mut from_acs = Vec::new();
    tokio::time::timeout(TIMEOUT, device.read_to_end(&mut from_acs))
        .await
        .expect("the ACS's bytes in time")
        .unwrap();
    let at_acs = tokio::time::timeout(TIMEOUT, acs).await.unwrap().unwrap();
    assert!(at_acs == device_bytes, "device to ACS bytes differ");
    assert!(from_acs == acs_bytes, "ACS to device bytes differ");
    until_ended(&mut events, 1).await;
    let report = p.shutdown().await;
    for side in [Side::Device, Side::Acs] {
        let records = seen(&report, side);
        // Five framed messages; the half message never ended.
        assert_eq!(records.len(), 5, "{side:?}: {records:?}");
        assert!(records[0].1.contains(&Rule::LfAfterCr), "{records:?}");
        assert!(records[1].1.contains(&Rule::Checksum), "{records:?}");
        assert!(records[2].1.contains(&Rule::ControlChar), "{records:?}");
        assert_eq!(
            records[3].0.as_deref(),
            Some("17"),
            "64 KiB is still linted"
        );
        assert_eq!(records[4].0, None, "over the cap: forwarded, not linted");
    }
    let login = report
        .records
        .iter()
        .find(|(s, _)| *s == Side::Device)
        .unwrap();
    assert_eq!(login.1.raw, "9300CNsip_01|CO***|CPBR1|<CR><LF>");
    assert_eq!(report.ended[0].messages, (5, 5));
}

#[tokio::test]
async fn findings_name_who_made_them() {
    let faults = Faults {
        bad_checksum: true,
        ..Faults::default()
    };
    let server = acs::spawn(
        Library::builtin(),
        ServeOptions {
            faults,
            ..ServeOptions::default()
        },
    )
    .await
    .unwrap();
    let p = start(options(server.addr())).await;
    let mut c = Client::connect(p.addr()).await;
    // A fixed part one short: the device's fault. Every answer's checksum is wrong: the ACS's.
    c.ask("9900302.0").await;
    c.ask("9300CNsip_01|COsip_01|CPBR1|").await;
    drop(c);
    let report = p.shutdown().await;
    server.shutdown().await;
    let device = seen(&report, Side::Device);
    let acs = seen(&report, Side::Acs);
    assert!(device[0].1.contains(&Rule::FixedLength), "{device:?}");
    assert!(!device[0].1.contains(&Rule::Checksum), "{device:?}");
    assert!(
        acs.iter().all(|(_, r)| r.contains(&Rule::Checksum)),
        "{acs:?}"
    );
    assert!(
        acs.iter().all(|(_, r)| !r.contains(&Rule::FixedLength)),
        "{acs:?}"
    );
    assert_eq!(report.failures_by(Side::Device), 1);
    assert_eq!(report.failures_by(Side::Acs), 2);
    assert_eq!(
        report.types_used(Side::Device),
        "93 Login x1, 99 SC Status x1"
    );
    let json = report.to_json();
    assert_eq!(json["records"][0]["sender"], "device");
    assert_eq!(json["records"][1]["sender"], "acs");
    let mut xml = Vec::new();
    report.write_junit(&mut xml).unwrap();
    let xml = String::from_utf8(xml).unwrap();
    assert!(
        xml.contains("type=\"fixed-length\"") && xml.contains("classname=\"device."),
        "{xml}"
    );
    assert!(
        xml.contains("type=\"checksum\"") && xml.contains("classname=\"acs."),
        "{xml}"
    );
}

#[tokio::test]
async fn either_side_closing_ends_the_pair() {
    let server = acs::spawn(
        Library::builtin(),
        ServeOptions {
            faults: Faults {
                close_after: Some(2),
                ..Faults::default()
            },
            ..ServeOptions::default()
        },
    )
    .await
    .unwrap();
    let mut p = start(options(server.addr())).await;
    let mut events = p.take_events().unwrap();
    // The device closes.
    let mut c = Client::connect(p.addr()).await;
    assert_eq!(c.ask("9300CNsip_01|COsip_01|CPBR1|").await, "941");
    drop(c);
    assert_eq!(
        until_ended(&mut events, 1).await,
        vec![Ending::ClosedByDevice]
    );
    // The ACS closes after its second answer, leaving a third request unanswered.
    let mut c = Client::connect(p.addr()).await;
    assert_eq!(c.ask("9300CNsip_01|COsip_01|CPBR1|").await, "941");
    c.send_raw(b"9900302.00\r9900302.00\r").await;
    assert!(c.recv_raw().await.is_some_and(|r| r.starts_with(b"98")));
    assert!(c.closed().await, "the ACS's close reaches the device");
    drop(c);
    assert_eq!(until_ended(&mut events, 1).await, vec![Ending::ClosedByAcs]);
    // The proxy still serves new devices.
    let mut c = Client::connect(p.addr()).await;
    assert_eq!(c.ask("9300CNsip_01|COsip_01|CPBR1|").await, "941");
    drop(c);
    until_ended(&mut events, 1).await;
    let report = p.shutdown().await;
    server.shutdown().await;
    assert_eq!(report.connections, 3);
    let endings: Vec<Ending> = report.ended.iter().map(|c| c.ending).collect();
    assert_eq!(endings[..2], [Ending::ClosedByDevice, Ending::ClosedByAcs]);
    assert_eq!(
        report.ended[1].unanswered, 1,
        "the 99 the ACS never answered"
    );
}

#[tokio::test]
async fn an_unreachable_acs_closes_the_device_and_is_reported() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = closed.local_addr().unwrap();
    drop(closed);
    let mut p = start(options(upstream)).await;
    let mut events = p.take_events().unwrap();
    let mut c = Client::connect(p.addr()).await;
    assert!(c.closed().await);
    assert_eq!(until_ended(&mut events, 1).await, vec![Ending::Unreachable]);
    let report = p.shutdown().await;
    assert!(
        report.ended[0]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("refused")),
        "{report:?}"
    );
}

#[tokio::test]
async fn connections_over_the_cap_are_closed_at_once() {
    let server = acs::spawn(Library::builtin(), ServeOptions::default())
        .await
        .unwrap();
    let mut opts = options(server.addr());
    opts.max_connections = 1;
    let mut p = start(opts).await;
    let mut events = p.take_events().unwrap();
    let mut first = Client::connect(p.addr()).await;
    assert_eq!(first.ask("9300CNsip_01|COsip_01|CPBR1|").await, "941");
    let mut second = Client::connect(p.addr()).await;
    assert!(second.closed().await, "the one over the cap is closed");
    let refused = loop {
        match tokio::time::timeout(TIMEOUT, events.recv()).await.unwrap() {
            Some(e @ ProxyEvent::Refused { .. }) => break e,
            Some(_) => {}
            None => panic!("no refusal event"),
        }
    };
    assert!(
        refused
            .to_string()
            .contains("1 connections open (--max-connections 1)"),
        "{refused}"
    );
    // The first connection was not disturbed.
    assert!(first.ask("9900302.00").await.starts_with("98"));
    drop(first);
    let report = p.shutdown().await;
    server.shutdown().await;
    assert_eq!((report.connections, report.refused), (1, 1));
}

#[tokio::test]
async fn the_telnet_login_passes_through_and_is_not_linted() {
    let yaml = acs::BUILTIN_YAML.replacen("password: sip_01,", "password: s3cret-pw,", 1);
    assert_ne!(yaml, acs::BUILTIN_YAML);
    let library = Library::from_yaml("library.yaml", &yaml).unwrap();
    let server = acs::spawn(
        library,
        ServeOptions {
            telnet: true,
            ..ServeOptions::default()
        },
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("transcript.log");
    let mut opts = options(server.addr());
    opts.lint.telnet = true;
    opts.log = Some(log.clone());
    let p = start(opts).await;
    let mut c = TcpStream::connect(p.addr()).await.unwrap();
    let mut got = Vec::new();
    async fn until(c: &mut TcpStream, got: &mut Vec<u8>, want: &[u8]) {
        let mut chunk = [0u8; 256];
        while !got.windows(want.len()).any(|w| w == want) {
            let n = tokio::time::timeout(TIMEOUT, c.read(&mut chunk))
                .await
                .unwrap()
                .unwrap();
            assert!(n > 0, "closed while waiting for {want:?}: {got:?}");
            got.extend_from_slice(&chunk[..n]);
        }
    }
    until(&mut c, &mut got, b"login: ").await;
    c.write_all(b"sip_01\r").await.unwrap();
    until(&mut c, &mut got, b"password: ").await;
    c.write_all(b"s3cret-pw\r").await.unwrap();
    until(&mut c, &mut got, b"Initiating SIP\r").await;
    c.write_all(b"9900302.00\r").await.unwrap();
    until(&mut c, &mut got, b"|\r").await;
    drop(c);
    let report = p.shutdown().await;
    server.shutdown().await;
    assert_eq!(
        seen(&report, Side::Device),
        vec![(Some("99".into()), vec![])]
    );
    let acs = seen(&report, Side::Acs);
    assert_eq!(acs.len(), 1);
    assert_eq!(acs[0].0.as_deref(), Some("98"));
    let transcript = std::fs::read_to_string(&log).unwrap();
    assert!(!transcript.contains("s3cret-pw"), "{transcript}");
    assert!(
        transcript.contains("device telnet> (10 bytes of login input, not shown)"),
        "{transcript}"
    );
    assert!(transcript.contains("acs telnet> login: "), "{transcript}");
}

/// A CA and a certificate it signed for 127.0.0.1, as PEM files in `dir`: (ca, cert, key).
fn pki(dir: &Path) -> (std::path::PathBuf, ServerTls) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    (
        write("ca.pem", ca.pem()),
        ServerTls {
            cert: write("cert.pem", cert.pem()),
            key: write("key.pem", key.serialize_pem()),
        },
    )
}

#[tokio::test]
async fn tls_on_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, tls) = pki(dir.path());
    let server = acs::spawn(
        Library::builtin(),
        ServeOptions {
            tls: Some(tls.clone()),
            ..ServeOptions::default()
        },
    )
    .await
    .unwrap();
    let mut opts = options(server.addr());
    opts.device_tls = Some(tls);
    opts.upstream_tls = Some(TlsOptions {
        ca: Some(ca.clone()),
        ..TlsOptions::default()
    });
    let p = start(opts).await;
    let connect = sip2check::transport::ConnectOptions {
        endpoint: p.addr().to_string(),
        tls: Some(TlsOptions {
            ca: Some(ca),
            ..TlsOptions::default()
        }),
        ..Default::default()
    };
    let mut session = sip2check::transport::Session::connect(connect)
        .await
        .unwrap();
    let x = session
        .exchange("9300CNsip_01|COsip_01|CPBR1|", &Default::default())
        .await
        .unwrap();
    assert_eq!(x.response.analysis.text, "941");
    session.close().await;
    let report = p.shutdown().await;
    server.shutdown().await;
    assert_eq!(seen(&report, Side::Acs), vec![(Some("94".into()), vec![])]);
}

#[tokio::test]
async fn a_network_address_needs_allow_remote() {
    let mut opts = options("127.0.0.1:6001".parse().unwrap());
    opts.listen = "0.0.0.0:0".parse().unwrap();
    let e = proxy::spawn(opts).await.err().expect("refused");
    assert!(e.to_string().contains("--allow-remote"), "{e}");
    let mut opts = options("127.0.0.1:6001".parse().unwrap());
    opts.upstream = "no-port".into();
    let e = proxy::spawn(opts).await.err().expect("refused");
    assert!(e.to_string().contains("no-port") && e.is_usage(), "{e}");
}
