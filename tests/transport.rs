//! The transport against a scripted misbehaving server: terminators, split and coalesced
//! reads, silence, closes, 96 loops, bad checksums and 97, AY, endless lines, encodings,
//! TLS with a test CA, and the telnet login. Every test ends within its timeout.

mod common;

use std::time::Duration;

use common::{Step, body, opts, rules, seq_of, serve, serve_on, test_pki, with_trailer};
use sip2check::sip2::{FieldId, MessageCode, Rule, Terminator};
use sip2check::transport::{
    ConnectOptions, Encoding, ErrorDetection, Session, StepOptions, TelnetOptions, TlsOptions,
    TransportError, Wait,
};

const STATUS: &str = "9900302.00";
const ACS_STATUS: &str = "98YYYYNN01000320260101    0842372.00AOBR1|BXYYYYYYYYYYYYYYYY|";

fn on(endpoint: String) -> ConnectOptions {
    ConnectOptions {
        error_detection: ErrorDetection::On,
        ..opts(endpoint)
    }
}

#[tokio::test]
async fn crlf_answers_are_decoded_and_the_crlf_reported() {
    let server = serve(vec![
        Step::Read,
        Step::Write(b"941\r\n".to_vec()),
        Step::Silent,
    ])
    .await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    let ex = s
        .exchange("9300CNu|COp|", &StepOptions::default())
        .await
        .unwrap();
    assert_eq!(ex.response.terminator, Terminator::CrLf);
    assert_eq!(ex.response.analysis.msg.fixed_field("ok"), Some("1"));
    assert!(rules(&ex).contains(&Rule::LfAfterCr), "{:?}", rules(&ex));
    assert_eq!(ex.attempts[0].received.as_deref(), Some(&b"941\r\n"[..]));
    s.close().await;
    assert_eq!(server.requests().await, vec![b"9300CNu|COp|\r".to_vec()]);
}

#[tokio::test]
async fn lf_only_answers_break_the_terminator_rule() {
    let server = serve(vec![
        Step::Read,
        Step::Write(b"941\n".to_vec()),
        Step::Silent,
    ])
    .await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    let ex = s
        .exchange("9300CNu|COp|", &StepOptions::default())
        .await
        .unwrap();
    assert_eq!(ex.response.terminator, Terminator::Lf);
    assert!(rules(&ex).contains(&Rule::Terminator));
    assert!(ex.response.analysis.has_errors());
    s.close().await;
}

#[tokio::test]
async fn a_cr_answer_is_clean() {
    let server = serve(vec![
        Step::Read,
        Step::Write(b"941\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    let ex = s
        .exchange("9300CNu|COp|", &StepOptions::default())
        .await
        .unwrap();
    assert!(
        ex.response.analysis.violations.is_empty(),
        "{:?}",
        rules(&ex)
    );
    s.close().await;
}

#[tokio::test]
async fn split_packets_make_one_response() {
    let answer = format!("{ACS_STATUS}\r").into_bytes();
    let server = serve(vec![Step::Read, Step::Trickle(answer), Step::Silent]).await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    let ex = s.exchange(STATUS, &StepOptions::default()).await.unwrap();
    assert_eq!(ex.response.raw, ACS_STATUS.as_bytes());
    assert_eq!(ex.response.analysis.msg.field(FieldId::AO), Some("BR1"));
    s.close().await;
}

#[tokio::test]
async fn coalesced_responses_are_taken_one_at_a_time() {
    let both = format!("941\r{ACS_STATUS}\r").into_bytes();
    let server = serve(vec![
        Step::Read,
        Step::Write(both),
        Step::Read,
        Step::Silent,
    ])
    .await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    let first = s
        .exchange("9300CNu|COp|", &StepOptions::default())
        .await
        .unwrap();
    assert_eq!(first.response.raw, b"941");
    let second = s.exchange(STATUS, &StepOptions::default()).await.unwrap();
    assert_eq!(second.response.analysis.msg.code, MessageCode::ACS_STATUS);
    s.close().await;
    assert_eq!(server.requests().await.len(), 2);
}

#[tokio::test]
async fn a_silent_server_times_out_naming_the_wait() {
    let server = serve(vec![Step::Read, Step::Silent]).await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    let step = StepOptions {
        timeout: Some(Duration::from_millis(300)),
        ..StepOptions::default()
    };
    let e = s.exchange("9300CNa|COb|CPc|", &step).await.unwrap_err();
    match &e {
        TransportError::Timeout {
            wait,
            after,
            request,
            received_so_far,
        } => {
            assert_eq!(*wait, Wait::Response);
            assert_eq!(*after, Duration::from_millis(300));
            assert_eq!(request.as_deref(), Some("9300CNa|CO***|CPc|"));
            assert!(received_so_far.is_empty());
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(e.is_connection());
    assert!(!e.to_string().contains("COb"), "password leaked: {e}");
    s.close().await;
}

#[tokio::test]
async fn a_stalled_response_trips_the_idle_timeout_and_shows_what_came() {
    let server = serve(vec![Step::Read, Step::Write(b"94".to_vec()), Step::Silent]).await;
    let mut o = opts(server.endpoint());
    o.timeouts.idle = Some(Duration::from_millis(200));
    let mut s = Session::connect(o).await.unwrap();
    let e = s
        .exchange("9300CNa|COb|", &StepOptions::default())
        .await
        .unwrap_err();
    match e {
        TransportError::Timeout {
            wait: Wait::Idle,
            received_so_far,
            ..
        } => assert_eq!(received_so_far, b"94"),
        other => panic!("expected an idle timeout, got {other:?}"),
    }
    s.close().await;
}

#[tokio::test]
async fn a_close_after_the_request_is_its_own_error() {
    let server = serve(vec![Step::Read, Step::Close]).await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    let e = s
        .exchange(STATUS, &StepOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(e, TransportError::Closed { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "server closed the connection after 9900302.00; no response (received nothing)"
    );
}

#[tokio::test]
async fn ninety_six_forever_is_bounded_and_every_attempt_kept() {
    let server = serve(vec![Step::Repeat(10, b"96AZFEF6\r".to_vec()), Step::Silent]).await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    let e = s
        .exchange(STATUS, &StepOptions::default())
        .await
        .unwrap_err();
    match &e {
        TransportError::ResendLimit {
            code_96: true,
            resends: 3,
            attempts,
            ..
        } => {
            assert_eq!(attempts.len(), 4);
            assert_eq!(attempts[3].note, "re-send 3 after 96");
        }
        other => panic!("expected ResendLimit, got {other:?}"),
    }
    assert!(!e.is_connection());
    s.close().await;
    let seen = server.requests().await;
    assert_eq!(seen.len(), 4);
    assert!(seen.iter().all(|r| r == b"9900302.00\r"));
}

#[tokio::test]
async fn a_96_then_an_answer_succeeds_and_no_resend_takes_the_96() {
    let server = serve(vec![
        Step::Read,
        Step::Write(b"96\r".to_vec()),
        Step::Read,
        Step::Write(b"941\r".to_vec()),
        Step::Read,
        Step::Write(b"96\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    let ex = s
        .exchange("9300CNu|COp|", &StepOptions::default())
        .await
        .unwrap();
    assert_eq!(
        (ex.attempts.len(), ex.response.raw.as_slice()),
        (2, &b"941"[..])
    );
    let step = StepOptions {
        no_resend: true,
        ..StepOptions::default()
    };
    let ex = s.exchange("9300CNu|COp|", &step).await.unwrap();
    assert_eq!(
        ex.response.analysis.msg.code,
        MessageCode::REQUEST_SC_RESEND
    );
    s.close().await;
}

#[tokio::test]
async fn a_98_with_fewer_retries_lowers_the_bound() {
    let acs = with_trailer(&ACS_STATUS.replace("003", "001"), Some(0));
    let server = serve(vec![
        Step::Read,
        Step::Write(acs),
        Step::Repeat(5, b"96AZFEF6\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let mut s = Session::connect(on(server.endpoint())).await.unwrap();
    let ex = s.exchange(STATUS, &StepOptions::default()).await.unwrap();
    assert_eq!(
        ex.response.analysis.msg.fixed_field("retries_allowed"),
        Some("001")
    );
    assert_eq!(s.retries(), 1);
    let e = s
        .exchange(STATUS, &StepOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(e, TransportError::ResendLimit { resends: 1, .. }),
        "{e:?}"
    );
    s.close().await;
    assert_eq!(server.requests().await.len(), 3);
}

#[tokio::test]
async fn a_bad_checksum_leads_to_97_and_the_resent_response() {
    let good = with_trailer("941AY0", None);
    let server = serve(vec![
        Step::Read,
        Step::Write(b"941AY0AZ0000\r".to_vec()),
        Step::Read,
        Step::Write(good),
        Step::Silent,
    ])
    .await;
    let mut s = Session::connect(on(server.endpoint())).await.unwrap();
    let ex = s
        .exchange("9300CNu|COp|", &StepOptions::default())
        .await
        .unwrap();
    assert_eq!(ex.attempts.len(), 2);
    assert_eq!(ex.attempts[1].sent, b"97AZFEF5\r");
    assert_eq!(ex.response.analysis.checksum.valid, Some(true));
    assert!(
        ex.response.analysis.violations.is_empty(),
        "{:?}",
        rules(&ex)
    );
    s.close().await;
    let seen = server.requests().await;
    let sent = body(&seen[0]);
    assert!(sent.starts_with(b"9300CNu|COp|AY0AZ"), "{sent:?}");
    let text = String::from_utf8_lossy(sent).into_owned();
    assert_eq!(
        sip2check::sip2::checksum::inspect(sent, &text).valid,
        Some(true)
    );
}

#[tokio::test]
async fn checksums_that_keep_failing_end_in_a_clear_error() {
    let server = serve(vec![
        Step::Repeat(10, b"941AY0AZ0000\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let mut s = Session::connect(on(server.endpoint())).await.unwrap();
    let e = s
        .exchange("9300CNu|COp|", &StepOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            TransportError::ResendLimit {
                code_96: false,
                resends: 3,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("failed its checksum"), "{e}");
    s.close().await;
    let seen = server.requests().await;
    assert_eq!(seen.len(), 4);
    assert!(seen[1..].iter().all(|r| r == b"97AZFEF5\r"));
}

#[tokio::test]
async fn a_96_in_answer_to_our_97_means_the_link_failed() {
    // The server sums Unicode code points (field-notes P2), so the checksum fails on the bytes.
    let through_az = "1803020120260101    084237ABit1|AJcáliz|AY0AZ";
    let sum = sip2check::sip2::checksum::compute_code_points(through_az);
    let answer = format!("{through_az}{sum:04X}\r").into_bytes();
    let server = serve(vec![
        Step::Read,
        Step::Write(answer),
        Step::Read,
        Step::Write(b"96AZFEF6\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let mut s = Session::connect(on(server.endpoint())).await.unwrap();
    let e = s
        .exchange("1720260101    084237AOBR1|ABit1|", &StepOptions::default())
        .await
        .unwrap_err();
    match &e {
        TransportError::LinkFailed { attempts, .. } => assert_eq!(attempts.len(), 2),
        other => panic!("expected LinkFailed, got {other:?}"),
    }
    let text = e.to_string();
    assert!(
        text.contains("failed its checksum") && text.contains("summed code-points"),
        "the original cause and its basis: {text}"
    );
    assert!(
        text.contains("answered 96") && text.contains("link has failed"),
        "{text}"
    );
    s.close().await;
    let seen = server.requests().await;
    assert_eq!(seen.len(), 2, "no second 97 and no re-send: {seen:?}");
    assert_eq!(seen[1], b"97AZFEF5\r");
}

#[tokio::test]
async fn the_response_ay_must_echo_the_request() {
    let server = serve(vec![
        Step::Answer(Box::new(|_| with_trailer("941AY5", None))),
        Step::Answer(Box::new(|r| {
            with_trailer(&format!("941AY{}", seq_of(r).unwrap_or(0)), None)
        })),
        Step::Silent,
    ])
    .await;
    let mut s = Session::connect(on(server.endpoint())).await.unwrap();
    let wrong = s
        .exchange("9300CNu|COp|", &StepOptions::default())
        .await
        .unwrap();
    assert!(
        rules(&wrong).contains(&Rule::Sequence),
        "{:?}",
        rules(&wrong)
    );
    let right = s
        .exchange("9300CNu|COp|", &StepOptions::default())
        .await
        .unwrap();
    assert!(
        right.response.analysis.violations.is_empty(),
        "{:?}",
        rules(&right)
    );
    s.close().await;
}

#[tokio::test]
async fn the_sequence_number_wraps_after_nine() {
    let echo = || -> common::Responder {
        Box::new(|r| with_trailer(&format!("941AY{}", seq_of(r).unwrap_or(0)), None))
    };
    let server = serve(
        (0..11)
            .map(|_| Step::Answer(echo()))
            .chain([Step::Silent])
            .collect(),
    )
    .await;
    let mut s = Session::connect(on(server.endpoint())).await.unwrap();
    for _ in 0..11 {
        let ex = s
            .exchange("9300CNu|COp|", &StepOptions::default())
            .await
            .unwrap();
        assert!(ex.response.analysis.violations.is_empty());
    }
    s.close().await;
    let seqs: Vec<Option<u8>> = server.requests().await.iter().map(|r| seq_of(r)).collect();
    let want: Vec<Option<u8>> = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0].map(Some).to_vec();
    assert_eq!(seqs, want);
}

#[tokio::test]
async fn a_request_with_its_own_trailer_is_sent_verbatim() {
    let server = serve(vec![
        Step::Read,
        Step::Write(with_trailer("941AY7", None)),
        Step::Silent,
    ])
    .await;
    let mut s = Session::connect(on(server.endpoint())).await.unwrap();
    let ex = s
        .exchange("9300CNu|COp|AY7AZ0000", &StepOptions::default())
        .await
        .unwrap();
    assert_eq!(ex.request.bytes, b"9300CNu|COp|AY7AZ0000\r");
    assert!(!rules(&ex).contains(&Rule::Sequence));
    s.close().await;
}

#[tokio::test]
async fn auto_detection_turns_on_after_a_checksummed_96() {
    let server = serve(vec![
        Step::Read,
        Step::Write(b"96AZFEF6\r".to_vec()),
        Step::Answer(Box::new(|r| {
            with_trailer(&format!("941AY{}", seq_of(r).unwrap_or(9)), None)
        })),
        Step::Silent,
    ])
    .await;
    let o = ConnectOptions {
        error_detection: ErrorDetection::Auto,
        ..opts(server.endpoint())
    };
    let mut s = Session::connect(o).await.unwrap();
    let ex = s
        .exchange("9300CNu|COp|", &StepOptions::default())
        .await
        .unwrap();
    assert!(ex.request.text.ends_with(&format!(
        "AY0AZ{}",
        &ex.request.text[ex.request.text.len() - 4..]
    )));
    assert!(
        ex.response.analysis.violations.is_empty(),
        "{:?}",
        rules(&ex)
    );
    s.close().await;
    let seen = server.requests().await;
    assert_eq!(seen[0], b"9300CNu|COp|\r");
    assert_eq!(seq_of(&seen[1]), Some(0));
}

#[tokio::test]
async fn an_endless_line_fails_at_the_maximum_size() {
    let server = serve(vec![Step::Read, Step::Endless]).await;
    let o = ConnectOptions {
        max_message_len: 4096,
        ..opts(server.endpoint())
    };
    let mut s = Session::connect(o).await.unwrap();
    let e = s
        .exchange(STATUS, &StepOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(e, TransportError::TooLong { max: 4096 }), "{e:?}");
    assert!(e.to_string().contains("endless line"), "{e}");
    drop(s);
    server.requests().await;
}

#[tokio::test]
async fn a_long_answer_that_ends_is_too_long_not_endless_and_the_next_is_read() {
    let mut big = vec![b'x'; 1024 * 1024];
    big.push(b'\r');
    let server = serve(vec![
        Step::Read,
        Step::Write(big),
        Step::Read,
        Step::Write(b"941\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    let e = s
        .exchange(STATUS, &StepOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            TransportError::Oversize {
                len: 1_048_576,
                max: 65_536,
                ..
            }
        ),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains("is 1048576 bytes long, longer than the limit of 65536 bytes"),
        "{text}"
    );
    assert!(
        !text.contains("endless") && !text.contains("no message terminator"),
        "{text}"
    );
    assert!(!e.is_connection(), "the message was read to its end");
    let ex = s
        .exchange("9300CNu|COp|", &StepOptions::default())
        .await
        .unwrap();
    assert_eq!(ex.response.raw, b"941");
    s.close().await;
}

#[tokio::test]
async fn latin1_and_cp850_bytes_are_decoded_and_sent() {
    for (encoding, byte) in [(Encoding::Latin1, 0xE1u8), (Encoding::Cp850, 0xA0u8)] {
        let mut answer = b"1810020120260101    084237ABit1|AJc".to_vec();
        answer.extend_from_slice(&[byte]);
        answer.extend_from_slice(b"liz|\r");
        let server = serve(vec![Step::Read, Step::Write(answer), Step::Silent]).await;
        let o = ConnectOptions {
            encoding,
            ..opts(server.endpoint())
        };
        let mut s = Session::connect(o).await.unwrap();
        let ex = s
            .exchange(
                "1720260101    084237AOBR1|ABcáliz|",
                &StepOptions::default(),
            )
            .await
            .unwrap();
        assert_eq!(
            ex.response.analysis.msg.field(FieldId::AJ),
            Some("cáliz"),
            "{encoding}"
        );
        assert!(ex.response.raw.contains(&byte), "raw bytes are kept");
        s.close().await;
        let seen = server.requests().await;
        assert!(seen[0].contains(&byte), "{encoding}: {:?}", seen[0]);
    }
}

#[tokio::test]
async fn ascii_refuses_to_send_what_it_cannot_carry() {
    let server = serve(vec![Step::Silent]).await;
    let o = ConnectOptions {
        encoding: Encoding::Ascii,
        ..opts(server.endpoint())
    };
    let mut s = Session::connect(o).await.unwrap();
    let e = s
        .exchange("17AOBR1|ABcáliz|", &StepOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(e, TransportError::Encoding(_)), "{e:?}");
    assert!(!e.is_connection());
    s.close().await;
    assert!(server.requests().await.is_empty());
}

#[tokio::test]
async fn tls_with_the_test_ca_works_and_is_refused_without_it() {
    let pki = test_pki();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();

    let server = serve_on(
        "127.0.0.1:0",
        Some(pki.acceptor.clone()),
        vec![Step::Read, Step::Write(b"941\r".to_vec()), Step::Silent],
    )
    .await;
    let o = ConnectOptions {
        tls: Some(TlsOptions {
            ca: Some(ca.clone()),
            ..TlsOptions::default()
        }),
        ..opts(server.endpoint())
    };
    let mut s = Session::connect(o).await.unwrap();
    let ex = s
        .exchange("9300CNu|COp|", &StepOptions::default())
        .await
        .unwrap();
    assert_eq!(ex.response.raw, b"941");
    s.close().await;
    assert_eq!(server.requests().await.len(), 1);

    let server = serve_on(
        "127.0.0.1:0",
        Some(pki.acceptor.clone()),
        vec![Step::Silent],
    )
    .await;
    let o = ConnectOptions {
        tls: Some(TlsOptions::default()),
        ..opts(server.endpoint())
    };
    let e = Session::connect(o).await.unwrap_err();
    assert!(matches!(e, TransportError::Tls { .. }), "{e:?}");
    assert!(e.is_connection());

    let server = serve_on(
        "127.0.0.1:0",
        Some(pki.acceptor),
        vec![Step::Read, Step::Write(b"941\r".to_vec()), Step::Silent],
    )
    .await;
    let o = ConnectOptions {
        tls: Some(TlsOptions {
            insecure: true,
            ..TlsOptions::default()
        }),
        ..opts(server.endpoint())
    };
    let mut s = Session::connect(o).await.unwrap();
    assert!(
        s.exchange("9300CNu|COp|", &StepOptions::default())
            .await
            .is_ok()
    );
    s.close().await;
}

#[tokio::test]
async fn tls_checks_the_server_name() {
    let pki = test_pki();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let server = serve_on("127.0.0.1:0", Some(pki.acceptor), vec![Step::Silent]).await;
    let o = ConnectOptions {
        tls: Some(TlsOptions {
            ca: Some(ca),
            sni: Some("sip.example.org".into()),
            ..TlsOptions::default()
        }),
        ..opts(server.endpoint())
    };
    let e = Session::connect(o).await.unwrap_err();
    assert!(
        e.to_string()
            .contains("not valid for name \"sip.example.org\""),
        "{e}"
    );
}

/// A self-signed certificate made as `openssl req -x509` makes it (CA:TRUE), for 127.0.0.1,
/// written as cert.pem and key.pem into `dir`.
fn self_signed_ca_true(
    dir: &std::path::Path,
    not_after: Option<(i32, u8, u8)>,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    if let Some((y, m, d)) = not_after {
        params.not_before = rcgen::date_time_ymd(2000, 1, 1);
        params.not_after = rcgen::date_time_ymd(y, m, d);
    }
    let cert = params.self_signed(&key).unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    (cert_path, key_path)
}

/// The emulator serving TLS with `cert` and `key`.
async fn tls_emulator(cert: std::path::PathBuf, key: std::path::PathBuf) -> sip2check::acs::Server {
    sip2check::acs::spawn(
        sip2check::acs::Library::builtin(),
        sip2check::acs::ServeOptions {
            tls: Some(sip2check::acs::ServerTls { cert, key }),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

fn with_ca(endpoint: String, ca: &std::path::Path, sni: Option<&str>) -> ConnectOptions {
    ConnectOptions {
        tls: Some(TlsOptions {
            ca: Some(ca.to_path_buf()),
            sni: sni.map(str::to_string),
            ..TlsOptions::default()
        }),
        ..opts(endpoint)
    }
}

#[tokio::test]
async fn a_self_signed_ca_true_certificate_given_with_ca_is_pinned_and_its_name_checked() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed_ca_true(dir.path(), None);
    let server = tls_emulator(cert.clone(), key).await;
    let endpoint = server.addr().to_string();

    let mut s = Session::connect(with_ca(endpoint.clone(), &cert, None))
        .await
        .unwrap();
    let ex = s
        .exchange("9300CNsip_01|COsip_01|CPBR1|", &StepOptions::default())
        .await
        .unwrap();
    assert_eq!(ex.response.raw, b"941");
    s.close().await;

    let e = Session::connect(with_ca(endpoint.clone(), &cert, Some("sip.example.org")))
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("not valid for name") && text.contains("--sni NAME"),
        "{text}"
    );

    // A --ca file that does not hold the server's certificate: one line saying what to do.
    let other = tempfile::tempdir().unwrap();
    let (unrelated, _) = self_signed_ca_true(other.path(), None);
    let e = Session::connect(with_ca(endpoint, &unrelated, None))
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("presents a CA certificate (CA:TRUE")
            && text.contains(
                "not in the --ca file (tls.ca); put the server's certificate there to pin it"
            ),
        "{text}"
    );
    assert!(!text.contains("OtherError"), "{text}");
    server.shutdown().await;

    // A server certificate from a CA that the --ca file does not hold.
    let (signed_by_a, b) = (test_pki(), common::client_auth_pki());
    let server = serve_on(
        "127.0.0.1:0",
        Some(signed_by_a.acceptor),
        vec![Step::Silent],
    )
    .await;
    let b_ca = dir.path().join("b.pem");
    std::fs::write(&b_ca, &b.ca_pem).unwrap();
    let e = Session::connect(with_ca(server.endpoint(), &b_ca, None))
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("not signed by a CA trusted here")
            && text.contains("or the server's own certificate to pin it"),
        "{text}"
    );
}

#[tokio::test]
async fn an_expired_pinned_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed_ca_true(dir.path(), Some((2001, 1, 1)));
    let server = tls_emulator(cert.clone(), key).await;
    let e = Session::connect(with_ca(server.addr().to_string(), &cert, None))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Expired"), "{e}");
    server.shutdown().await;
}

fn telnet(user: &str, password: &str) -> Option<TelnetOptions> {
    Some(TelnetOptions {
        user: user.into(),
        password: password.into(),
        ..TelnetOptions::default()
    })
}

#[tokio::test]
async fn telnet_login_then_sip() {
    let server = serve(vec![
        Step::Write(b"Welcome\r\nlogin: ".to_vec()),
        Step::Read,
        Step::Write(b"password: ".to_vec()),
        Step::Read,
        Step::Write(b"Login OK.  Initiating SIP\r\n".to_vec()),
        Step::Read,
        Step::Write(b"941\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let o = ConnectOptions {
        telnet: telnet("term1", "s3cret"),
        ..opts(server.endpoint())
    };
    let mut s = Session::connect(o).await.unwrap();
    let ex = s
        .exchange("9300CNu|COp|", &StepOptions::default())
        .await
        .unwrap();
    assert_eq!(ex.response.raw, b"941");
    s.close().await;
    let seen = server.requests().await;
    assert_eq!(
        seen,
        vec![
            b"term1\r".to_vec(),
            b"s3cret\r".to_vec(),
            b"9300CNu|COp|\r".to_vec()
        ]
    );
}

#[tokio::test]
async fn a_refused_telnet_login_is_a_telnet_error() {
    let server = serve(vec![
        Step::Write(b"login: ".to_vec()),
        Step::Read,
        Step::Write(b"password: ".to_vec()),
        Step::Read,
        Step::Write(b"Invalid login\r\nlogin: ".to_vec()),
        Step::Silent,
    ])
    .await;
    let o = ConnectOptions {
        telnet: telnet("term1", "wrong"),
        ..opts(server.endpoint())
    };
    let e = Session::connect(o).await.unwrap_err();
    assert!(matches!(e, TransportError::Telnet { .. }), "{e:?}");
    assert!(e.to_string().contains("refused user \"term1\""), "{e}");
    assert!(!e.to_string().contains("wrong"), "{e}");
}

#[tokio::test]
async fn a_telnet_login_the_server_merely_echoes_is_no_login() {
    // Local echo of the user and password, then nothing: no confirmation.
    let server = serve(vec![
        Step::Write(b"login: ".to_vec()),
        Step::Answer(Box::new(|r| [r, b"\npassword: "].concat())),
        Step::Answer(Box::new(|r| [r, b"\n"].concat())),
        Step::Silent,
    ])
    .await;
    let mut o = opts(server.endpoint());
    o.telnet = telnet("term1", "s3cret");
    o.timeouts.response = Duration::from_millis(500);
    let e = Session::connect(o).await.unwrap_err();
    assert!(matches!(e, TransportError::Telnet { .. }), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("only echoed what was sent"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");

    // The prompt comes back (no line end after it).
    let server = serve(vec![
        Step::Write(b"login: ".to_vec()),
        Step::Read,
        Step::Write(b"password: ".to_vec()),
        Step::Read,
        Step::Write(b"login: ".to_vec()),
        Step::Silent,
    ])
    .await;
    let mut o = opts(server.endpoint());
    o.telnet = telnet("term1", "s3cret");
    let e = Session::connect(o).await.unwrap_err();
    assert!(
        e.to_string().contains("the \"login:\" prompt came back"),
        "{e}"
    );

    // Something that is neither a confirmation nor a refusal.
    let server = serve(vec![
        Step::Write(b"login: ".to_vec()),
        Step::Read,
        Step::Write(b"password: ".to_vec()),
        Step::Read,
        Step::Write(b"s3cret? hmm\r\n".to_vec()),
        Step::Silent,
    ])
    .await;
    let mut o = opts(server.endpoint());
    o.telnet = telnet("term1", "s3cret");
    let e = Session::connect(o).await.unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("not a confirmation such as \"Login OK\""),
        "{text}"
    );
    assert!(
        text.contains("***? hmm") && !text.contains("s3cret"),
        "{text}"
    );
}

#[tokio::test]
async fn a_missing_login_prompt_times_out_as_a_prompt_wait() {
    let server = serve(vec![Step::Write(b"hello".to_vec()), Step::Silent]).await;
    let mut o = opts(server.endpoint());
    o.telnet = telnet("term1", "pw");
    o.timeouts.response = Duration::from_millis(300);
    let e = Session::connect(o).await.unwrap_err();
    match e {
        TransportError::Timeout {
            wait: Wait::Prompt,
            received_so_far,
            ..
        } => assert_eq!(received_so_far, b"hello"),
        other => panic!("expected a prompt timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn expect_close_tells_a_close_from_silence() {
    let server = serve(vec![Step::Close]).await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    assert!(s.expect_close(Duration::from_secs(5)).await.unwrap());

    let server = serve(vec![Step::Silent]).await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    assert!(!s.expect_close(Duration::from_millis(200)).await.unwrap());
    s.close().await;

    let server = serve(vec![Step::Write(b"941\r".to_vec()), Step::Silent]).await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    assert!(!s.expect_close(Duration::from_secs(5)).await.unwrap());
    s.close().await;
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = listener.local_addr().unwrap().to_string();
    drop(listener);
    let e = Session::connect(opts(endpoint.clone())).await.unwrap_err();
    assert!(matches!(e, TransportError::Connect { .. }), "{e:?}");
    assert!(e.to_string().contains(&endpoint), "{e}");
    assert!(e.is_connection());
}

#[tokio::test]
async fn host_names_and_ipv6_literals_connect() {
    let server = serve(vec![
        Step::Read,
        Step::Write(b"941\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let mut s = Session::connect(opts(format!("localhost:{}", server.addr.port())))
        .await
        .unwrap();
    assert!(
        s.exchange("9300CNu|COp|", &StepOptions::default())
            .await
            .is_ok()
    );
    s.close().await;

    // Some CI sandboxes have no IPv6 loopback; there the literal form is still parsed (unit test).
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("no IPv6 loopback here; skipping the [::1] connection");
        return;
    }
    let server = serve_on(
        "[::1]:0",
        None,
        vec![Step::Read, Step::Write(b"941\r".to_vec()), Step::Silent],
    )
    .await;
    let mut s = Session::connect(opts(format!("[::1]:{}", server.addr.port())))
        .await
        .unwrap();
    assert!(
        s.exchange("9300CNu|COp|", &StepOptions::default())
            .await
            .is_ok()
    );
    s.close().await;
}

#[tokio::test]
async fn a_garbage_answer_is_no_answer() {
    let server = serve(vec![Step::Read, Step::Write(b"?\r".to_vec()), Step::Silent]).await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    let step = StepOptions {
        timeout: Some(Duration::from_millis(300)),
        ..StepOptions::default()
    };
    let e = s.exchange(STATUS, &step).await.unwrap_err();
    assert!(
        matches!(e, TransportError::NoAnswer { after: Some(_), .. }),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "no answer to 9900302.00 within 300 ms; the server sent only ? (not a SIP message (\"?\" does not start with a two-character message code))"
    );
    s.close().await;
}

#[tokio::test]
async fn a_banner_before_the_login_answer_shifts_nothing() {
    let server = serve(vec![
        Step::Write(b"Welcome to the SIP server\r\n".to_vec()),
        Step::Read,
        Step::Write(b"941\r".to_vec()),
        Step::Read,
        Step::Write(format!("{ACS_STATUS}\r").into_bytes()),
        Step::Silent,
    ])
    .await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    let login = s
        .exchange("9300CNu|COp|", &StepOptions::default())
        .await
        .unwrap();
    assert_eq!(login.response.raw, b"941");
    let finding = login
        .response
        .analysis
        .violations
        .iter()
        .find(|v| v.rule == Rule::Unsolicited)
        .expect("the banner is reported on the step where it arrived");
    assert!(
        finding
            .to_string()
            .contains("Welcome to the SIP server first, not a SIP message"),
        "{finding}"
    );
    assert_eq!(
        login.attempts[0].unsolicited[0].wire,
        b"Welcome to the SIP server\r\n"
    );
    let status = s.exchange(STATUS, &StepOptions::default()).await.unwrap();
    assert_eq!(status.response.analysis.msg.code, MessageCode::ACS_STATUS);
    assert!(!rules(&status).contains(&Rule::Unsolicited));
    s.close().await;
}

#[tokio::test]
async fn another_requests_answer_is_read_past_and_never_taken() {
    // A late 94 (its request timed out), then the 98 the 99 asks for.
    let both = format!("941\r{ACS_STATUS}\r").into_bytes();
    let server = serve(vec![Step::Read, Step::Write(both), Step::Silent]).await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    let ex = s.exchange(STATUS, &StepOptions::default()).await.unwrap();
    assert_eq!(ex.response.analysis.msg.code, MessageCode::ACS_STATUS);
    assert_eq!(ex.attempts[0].unsolicited.len(), 1);
    assert!(
        ex.attempts[0].unsolicited[0]
            .why
            .contains("94 (Login Response) does not answer 99"),
        "{:?}",
        ex.attempts[0].unsolicited
    );
    s.close().await;
}

#[tokio::test]
async fn lines_that_answer_nothing_are_read_past_a_few_times_only() {
    let flood = b"941\r".repeat(10);
    let server = serve(vec![Step::Read, Step::Write(flood), Step::Silent]).await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    let e = s
        .exchange(STATUS, &StepOptions::default())
        .await
        .unwrap_err();
    match &e {
        TransportError::NoAnswer {
            after: None,
            attempts,
            ..
        } => assert_eq!(
            attempts[0].unsolicited.len(),
            sip2check::transport::MAX_UNSOLICITED
        ),
        other => panic!("expected NoAnswer, got {other:?}"),
    }
    assert!(
        e.to_string()
            .contains("after 4 lines that do not answer it"),
        "{e}"
    );
    s.close().await;
}

#[tokio::test]
async fn a_client_certificate_is_presented_when_given() {
    let pki = common::client_auth_pki();
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let ca = path("ca.pem", &pki.ca_pem);
    let cert = path("client.pem", &pki.client_cert_pem);
    let key = path("client.key", &pki.client_key_pem);

    let server = serve_on(
        "127.0.0.1:0",
        Some(pki.acceptor.clone()),
        vec![Step::Read, Step::Write(b"941\r".to_vec()), Step::Silent],
    )
    .await;
    let o = ConnectOptions {
        tls: Some(TlsOptions {
            ca: Some(ca.clone()),
            cert: Some(cert),
            key: Some(key),
            ..TlsOptions::default()
        }),
        ..opts(server.endpoint())
    };
    let mut s = Session::connect(o).await.unwrap();
    let ex = s
        .exchange("9300CNu|COp|", &StepOptions::default())
        .await
        .unwrap();
    assert_eq!(ex.response.raw, b"941");
    s.close().await;
    assert_eq!(server.requests().await.len(), 1);

    // Without the certificate the server refuses: at the handshake or at the first read (TLS 1.3).
    let server = serve_on(
        "127.0.0.1:0",
        Some(pki.acceptor),
        vec![Step::Read, Step::Write(b"941\r".to_vec()), Step::Silent],
    )
    .await;
    let o = ConnectOptions {
        tls: Some(TlsOptions {
            ca: Some(ca),
            ..TlsOptions::default()
        }),
        ..opts(server.endpoint())
    };
    let refused = match Session::connect(o).await {
        Err(e) => e,
        Ok(mut s) => s
            .exchange("9300CNu|COp|", &StepOptions::default())
            .await
            .unwrap_err(),
    };
    assert!(refused.is_connection(), "{refused:?}");
    assert!(server.requests().await.is_empty());
}

#[tokio::test]
async fn a_server_that_never_starts_tls_trips_the_connect_timeout() {
    let server = serve(vec![Step::Silent]).await;
    let mut o = opts(server.endpoint());
    o.tls = Some(TlsOptions {
        insecure: true,
        ..TlsOptions::default()
    });
    o.timeouts.connect = Duration::from_millis(300);
    let e = Session::connect(o).await.unwrap_err();
    assert!(
        matches!(
            e,
            TransportError::Timeout {
                wait: Wait::Connect,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string().starts_with("no connection within 300 ms"),
        "{e}"
    );
}
