//! Dialect knobs (per account and per server), error detection, 96/97, TLS, telnet and faults.

mod acs_support;

use std::time::Duration;

use acs_support::{Client, LOGIN, field, start, start_default};
use sip2check::acs::{Dialect, Faults, FieldOrder, Library, ServeOptions};
use sip2check::sip2::{FieldId, MessageCode, Terminator, checksum};

const STATUS: &str = "2300120060101    084237AOBR1|AA999999|AC|AD6789|";
const CHECKOUT_660: &str = "11YN20060329    203000                  AOBR1|AA999999|AB660|AC|";

fn with_trailer(body: &str, seq: u8) -> String {
    let mut b = body.as_bytes().to_vec();
    checksum::append_trailer(&mut b, Some(seq));
    String::from_utf8(b).unwrap()
}

fn checksum_ok(response: &str) -> bool {
    checksum::inspect(response.as_bytes(), response).valid == Some(true)
}

#[tokio::test]
async fn error_detection_as_evergreen_echoes_ay_and_checksums() {
    let server = start_default().await;
    let mut c = Client::connect(server.addr()).await;
    let r = c.ask(&with_trailer(LOGIN, 3)).await;
    assert!(r.starts_with("941AY3AZ") && checksum_ok(&r), "{r}");
    let plain = c.ask(STATUS).await;
    assert!(
        !plain.contains("AZ"),
        "no trailer asked, none sent: {plain}"
    );
    let mut corrupt = with_trailer(STATUS, 4);
    corrupt.pop();
    corrupt.push('X');
    assert_eq!(c.ask(&corrupt).await, "96");
    let last = c.ask(&with_trailer(STATUS, 5)).await;
    assert!(last.contains("AY5AZ") && checksum_ok(&last), "{last}");
    assert_eq!(
        c.ask("97").await,
        last,
        "97 replays the last response unchanged"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn forced_error_detection_per_account_and_off_on_the_server() {
    let server = start_default().await;
    let mut c = Client::connect(server.addr()).await;
    assert_eq!(
        c.ask("9300CNsip_ed|COsip_ed|CPBR1|").await.get(..3),
        Some("941")
    );
    let r = c.ask(STATUS).await;
    assert!(r.contains("AZ") && checksum_ok(&r), "{r}");
    server.shutdown().await;

    let off = ServeOptions {
        dialect: Dialect {
            error_detection: Some(false),
            ..Dialect::default()
        },
        ..ServeOptions::default()
    };
    let server = start(Library::builtin(), off).await;
    let mut c = Client::connect(server.addr()).await;
    let mut corrupt = with_trailer(LOGIN, 1);
    corrupt.pop();
    corrupt.push('X');
    assert_eq!(
        c.ask(&corrupt).await,
        "941",
        "checksums ignored when forced off"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn crlf_account_and_crlf_server() {
    let server = start_default().await;
    let mut c = Client::connect(server.addr()).await;
    c.send_raw(b"9300CNsip_crlf|COsip_crlf|CPBR1|\r").await;
    c.crlf = true;
    assert_eq!(c.recv_raw().await.unwrap(), b"941\r\n");
    c.send_raw(b"9910302.00\r").await;
    assert!(c.recv_raw().await.unwrap().ends_with(b"|\r\n"));
    server.shutdown().await;

    let opts = ServeOptions {
        dialect: Dialect {
            terminator: Some(Terminator::CrLf),
            ..Dialect::default()
        },
        ..ServeOptions::default()
    };
    let server = start(Library::builtin(), opts).await;
    let mut c = Client::connect(server.addr()).await;
    c.crlf = true;
    c.send_raw(format!("{LOGIN}\r\n").as_bytes()).await;
    assert_eq!(c.recv_raw().await.unwrap(), b"941\r\n");
    server.shutdown().await;
}

async fn title_bytes(login: &str) -> Vec<u8> {
    let server = start_default().await;
    let mut c = Client::connect(server.addr()).await;
    assert_eq!(
        c.ask(&format!("9300CN{login}|CO{login}|CPBR1|")).await,
        "941"
    );
    c.send_raw(format!("{CHECKOUT_660}\r").as_bytes()).await;
    let raw = c.recv_raw().await.unwrap();
    server.shutdown().await;
    let start = raw.windows(2).position(|w| w == b"AJ").unwrap() + 2;
    let len = raw[start..].iter().position(|&b| b == b'|').unwrap();
    raw[start..start + len].to_vec()
}

#[tokio::test]
async fn encodings_per_account() {
    let title = "Harry Potter y el cáliz de fuego";
    assert_eq!(title_bytes("sip_01").await, title.as_bytes());
    let cp850 = title_bytes("sip_cp850").await;
    assert!(cp850.contains(&0xA0) && !cp850.contains(&0xC3), "{cp850:?}");
    let latin1 = title_bytes("sip_latin1").await;
    assert!(
        latin1.contains(&0xE1) && !latin1.contains(&0xC3),
        "{latin1:?}"
    );
}

#[tokio::test]
async fn reverse_field_order() {
    let opts = ServeOptions {
        dialect: Dialect {
            field_order: Some(FieldOrder::Reverse),
            ..Dialect::default()
        },
        ..ServeOptions::default()
    };
    let server = start(Library::builtin(), opts).await;
    let mut c = Client::logged_in(server.addr()).await;
    let r = c.ask("9910302.00").await;
    assert!(r.ends_with("|AOBR1|"), "{r}");
    server.shutdown().await;
    let server = start_default().await;
    let mut c = Client::logged_in(server.addr()).await;
    assert!(c.ask("9910302.00").await.contains("2.00AOBR1|AMExample"));
    server.shutdown().await;
}

#[tokio::test]
async fn login_required_closes_on_anything_else_first() {
    let opts = ServeOptions {
        dialect: Dialect {
            login_required: Some(true),
            ..Dialect::default()
        },
        ..ServeOptions::default()
    };
    let server = start(Library::builtin(), opts).await;
    let mut c = Client::connect(server.addr()).await;
    c.send_raw(b"9910302.00\r").await;
    assert!(c.closed().await);
    let mut c = Client::logged_in(server.addr()).await;
    assert!(c.ask("9910302.00").await.starts_with("98"));
    server.shutdown().await;
}

#[tokio::test]
async fn isolate_gives_each_connection_its_own_library() {
    let checkout = "11YN20060329    203000                  AOBR1|AA999999|AB1565921879|AC|";
    for (isolate, second) in [(true, "121"), (false, "120")] {
        let opts = ServeOptions {
            isolate,
            ..ServeOptions::default()
        };
        let server = start(Library::builtin(), opts).await;
        let mut a = Client::logged_in(server.addr()).await;
        let mut b = Client::logged_in(server.addr()).await;
        assert!(a.ask(checkout).await.starts_with("121"));
        let other = checkout.replace("AA999999", "AAmiker");
        assert!(b.ask(&other).await.starts_with(second), "isolate={isolate}");
        server.shutdown().await;
    }
}

#[tokio::test]
async fn telnet_login_then_sip() {
    let opts = ServeOptions {
        telnet: true,
        ..ServeOptions::default()
    };
    let server = start(Library::builtin(), opts).await;
    let mut c = Client::connect(server.addr()).await;
    let mut prompt = [0u8; 7];
    use tokio::io::AsyncReadExt;
    c.stream.read_exact(&mut prompt).await.unwrap();
    assert_eq!(&prompt, b"login: ");
    c.send_raw(b"sip_01\r\n").await;
    let mut prompt = [0u8; 10];
    c.stream.read_exact(&mut prompt).await.unwrap();
    assert_eq!(&prompt, b"password: ");
    c.send_raw(b"sip_01\r\n").await;
    assert_eq!(c.recv_raw().await.unwrap(), b"Login OK.  Initiating SIP\r");
    assert!(c.ask("9910302.00").await.starts_with("98"));
    server.shutdown().await;

    let opts = ServeOptions {
        telnet: true,
        ..ServeOptions::default()
    };
    let server = start(Library::builtin(), opts).await;
    let mut c = Client::connect(server.addr()).await;
    c.send_raw(b"sip_01\r\nwrong\r\nsip_01\r\nwrong\r\nsip_01\r\nwrong\r\n")
        .await;
    let mut all = Vec::new();
    c.stream.read_to_end(&mut all).await.unwrap();
    let text = String::from_utf8_lossy(&all);
    assert_eq!(text.matches("Invalid login").count(), 3, "{text}");
    assert!(!text.contains("Login OK"));
    server.shutdown().await;
}

#[tokio::test]
async fn tls_serves_sip() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let opts = ServeOptions {
        tls: Some(sip2check::acs::ServerTls {
            cert: cert_path,
            key: key_path,
        }),
        ..ServeOptions::default()
    };
    let server = start(Library::builtin(), opts).await;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    tls.write_all(format!("{LOGIN}\r").as_bytes())
        .await
        .unwrap();
    let mut got = [0u8; 4];
    tokio::time::timeout(acs_support::TIMEOUT, tls.read_exact(&mut got))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&got, b"941\r");
    server.shutdown().await;

    let missing = ServeOptions {
        tls: Some(sip2check::acs::ServerTls {
            cert: dir.path().join("nope.pem"),
            key: dir.path().join("nope.key"),
        }),
        ..ServeOptions::default()
    };
    let err = sip2check::acs::spawn(Library::builtin(), missing)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("nope.pem"), "{err}");
}

async fn with_faults(faults: Faults) -> (sip2check::acs::Server, Client) {
    let opts = ServeOptions {
        faults,
        ..ServeOptions::default()
    };
    let server = start(Library::builtin(), opts).await;
    let c = Client::connect(server.addr()).await;
    (server, c)
}

#[tokio::test]
async fn message_faults() {
    let (s, mut c) = with_faults(Faults {
        always_96: true,
        ..Faults::default()
    })
    .await;
    assert_eq!(c.ask(LOGIN).await, "96");
    s.shutdown().await;

    let (s, mut c) = with_faults(Faults {
        bad_checksum: true,
        ..Faults::default()
    })
    .await;
    let r = c.ask(LOGIN).await;
    assert!(
        r.starts_with("941AY") && checksum::inspect(r.as_bytes(), &r).valid == Some(false),
        "{r}"
    );
    s.shutdown().await;

    let (s, mut c) = with_faults(Faults {
        wrong_flags: true,
        ..Faults::default()
    })
    .await;
    assert_eq!(c.ask(LOGIN).await, "940");
    s.shutdown().await;

    let (s, mut c) = with_faults(Faults {
        drop_fields: vec![FieldId::AO, FieldId::BX],
        ..Faults::default()
    })
    .await;
    let r = c.ask("9910302.00").await;
    assert!(
        field(&r, "AO").is_none() && field(&r, "BX").is_none() && field(&r, "AM").is_some(),
        "{r}"
    );
    s.shutdown().await;

    let (s, mut c) = with_faults(Faults {
        garbage: true,
        ..Faults::default()
    })
    .await;
    let r = c.ask(LOGIN).await;
    assert!(sip2check::sip2::parse(&r).is_err(), "{r:?}");
    s.shutdown().await;
}

#[tokio::test]
async fn transport_faults() {
    let (s, mut c) = with_faults(Faults {
        close_on: Some(MessageCode::CHECKOUT),
        ..Faults::default()
    })
    .await;
    assert_eq!(c.ask(LOGIN).await, "941");
    c.send_raw(b"11YN20060329    203000                  AOBR1|AA999999|AB1565921879|AC|\r")
        .await;
    assert!(c.closed().await);
    s.shutdown().await;

    let (s, mut c) = with_faults(Faults {
        close_after: Some(2),
        ..Faults::default()
    })
    .await;
    assert_eq!(c.ask(LOGIN).await, "941");
    assert!(c.ask("9910302.00").await.starts_with("98"));
    c.send_raw(b"9910302.00\r").await;
    assert!(c.closed().await);
    s.shutdown().await;

    let (s, mut c) = with_faults(Faults {
        split: Some(3),
        delay: Some(Duration::from_millis(1)),
        ..Faults::default()
    })
    .await;
    assert_eq!(c.ask(LOGIN).await, "941");
    assert!(c.ask("9910302.00").await.contains("BXYYYY"));
    s.shutdown().await;

    // Silent: the login is read and never answered; the 99 then closes the connection, so the
    // first thing the client sees is the close.
    let silent = Faults {
        silent: true,
        close_on: Some(MessageCode::SC_STATUS),
        ..Faults::default()
    };
    let (s, mut c) = with_faults(silent).await;
    c.send_raw(format!("{LOGIN}\r9910302.00\r").as_bytes())
        .await;
    assert!(c.closed().await);
    assert_eq!(s.shutdown().await.requests, 2);
}
