//! `sip2check send` end to end: the built binary against the scripted server of
//! `common`, checking output, masking and exit codes (0, 1, 2, 4).

mod common;

use std::time::Duration;

use common::cli::{bin, output_async, stderr, stdout};
use common::{Step, body, seq_of, serve, serve_on, test_pki, with_trailer};

/// What a run of the binary left behind.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn send(args: &[&str], stdin: &str) -> Run {
    let mut cmd = bin();
    cmd.arg("send").args(args);
    let out = output_async(cmd, stdin.as_bytes(), Duration::from_secs(30)).await;
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: stdout(&out),
        stderr: stderr(&out),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_server_exits_4_saying_no_response_came() {
    let server = serve(vec![Step::Read, Step::Silent]).await;
    let ep = server.endpoint();
    let r = send(
        &["--endpoint", &ep, "--timeout", "2", "9300CNa|COb|CPc|"],
        "",
    )
    .await;
    assert_eq!(r.code, 4, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("no response within 2 s"), "{}", r.stderr);
    assert!(
        r.stderr.contains("CO***") && !r.stderr.contains("COb"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stall_mid_answer_ends_at_the_idle_limit_not_the_timeout() {
    let server = serve(vec![Step::Read, Step::Write(b"94".to_vec()), Step::Silent]).await;
    let ep = server.endpoint();
    let args = ["--endpoint", &ep, "--timeout", "30", "--idle", "0.3", "99"];
    let r = send(&args, "").await;
    assert_eq!(r.code, 4, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("no further bytes within 300 ms")
            && r.stderr.contains("received 2 byte(s): 94"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_over_the_size_limit_fails_naming_the_limit() {
    let server = serve(vec![Step::Read, Step::Endless]).await;
    let ep = server.endpoint();
    let r = send(&["--endpoint", &ep, "--max-len", "100", "99"], "").await;
    assert_eq!(r.code, 4, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("no message terminator within 100 bytes"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crlf_answer_is_decoded_and_the_crlf_reported() {
    let server = serve(vec![
        Step::Read,
        Step::Write(b"941\r\n".to_vec()),
        Step::Silent,
    ])
    .await;
    let ep = server.endpoint();
    let r = send(&["--endpoint", &ep, "9300CNu|COp|"], "").await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for want in [
        "> 9300CNu|CO***|<CR>",
        "< 941<CR><LF>",
        "94 Login Response",
        "lf-after-cr",
    ] {
        assert!(r.stdout.contains(want), "{want:?} not in\n{}", r.stdout);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn error_violations_exit_1() {
    let server = serve(vec![
        Step::Read,
        Step::Write(b"94X\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let ep = server.endpoint();
    let r = send(&["--endpoint", &ep, "9300CNu|COp|"], "").await;
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("error [fixed-format]"), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn checksums_verify_both_ways() {
    let server = serve(vec![
        Step::Answer(Box::new(|r| {
            with_trailer(&format!("941AY{}", seq_of(r).unwrap_or(9)), None)
        })),
        Step::Silent,
    ])
    .await;
    let ep = server.endpoint();
    let r = send(&["--endpoint", &ep, "--checksum", "9300CNu|COp|"], "").await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("no violations"), "{}", r.stdout);
    let seen = server.requests().await;
    let sent = body(&seen[0]);
    let text = String::from_utf8_lossy(sent).into_owned();
    assert!(text.starts_with("9300CNu|COp|AY0AZ"), "{text}");
    assert_eq!(
        sip2check::sip2::checksum::inspect(sent, &text).valid,
        Some(true),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_checksums_lead_to_97s_then_a_clear_failure() {
    let server = serve(vec![
        Step::Repeat(10, b"941AY0AZ0000\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let ep = server.endpoint();
    let r = send(&["--endpoint", &ep, "--checksum", "9300CNu|COp|"], "").await;
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout.matches("> 97AZFEF5<CR>").count(),
        3,
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains("failed its checksum every time"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn login_passwords_are_never_printed() {
    let server = serve(vec![
        Step::Read,
        Step::Write(b"941\r".to_vec()),
        Step::Read,
        Step::Write(b"98YYYYNN01000320260101    0842372.00AOBR1|BXYYYYYYYYYYYYYYYY|\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let ep = server.endpoint();
    let r = send(
        &[
            "--endpoint",
            &ep,
            "--login",
            "sip:hunter2:BR1",
            "9900302.00",
        ],
        "",
    )
    .await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("hunter2"), "{}", r.stdout);
    assert!(
        r.stdout.contains("> 9300CNsip|CO***|CPBR1|<CR>"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("98 ACS Status"), "{}", r.stdout);
    let seen = server.requests().await;
    assert_eq!(seen[0], b"9300CNsip|COhunter2|CPBR1|\r");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_login_fails() {
    let server = serve(vec![
        Step::Read,
        Step::Write(b"940\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let ep = server.endpoint();
    let r = send(&["--endpoint", &ep, "--login", "sip:bad"], "").await;
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("login refused"), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn now_expands_and_stdin_lines_are_messages() {
    let server = serve(vec![
        Step::Read,
        Step::Write(b"24              00120260101    084237AOBR1|AA1|AEJane|\r".to_vec()),
        Step::Read,
        Step::Write(b"941\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let ep = server.endpoint();
    let r = send(
        &["--endpoint", &ep, "--terminator", "crlf"],
        "23001{now}AOBR1|AA1|AC|AD|\n\n9300CNu|COp|\n",
    )
    .await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let seen = server.requests().await;
    assert_eq!(seen.len(), 2);
    let first = String::from_utf8_lossy(&seen[0]).into_owned();
    assert!(first.ends_with("\r\n"), "{first:?}");
    assert!(sip2check::sip2::lint::is_date18(&first[5..23]), "{first:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_works_with_the_ca_and_is_refused_without_it() {
    let pki = test_pki();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let ca = ca.to_string_lossy().into_owned();

    let server = serve_on(
        "127.0.0.1:0",
        Some(pki.acceptor.clone()),
        vec![Step::Read, Step::Write(b"941\r".to_vec()), Step::Silent],
    )
    .await;
    let ep = server.endpoint();
    let r = send(&["--endpoint", &ep, "--ca", &ca, "9300CNu|COp|"], "").await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("< 941<CR>"), "{}", r.stdout);

    let server = serve_on("127.0.0.1:0", Some(pki.acceptor), vec![Step::Silent]).await;
    let ep = server.endpoint();
    let r = send(&["--endpoint", &ep, "--tls", "9300CNu|COp|"], "").await;
    assert_eq!(r.code, 4, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("TLS with"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn telnet_login_is_done_and_its_password_not_printed() {
    let server = serve(vec![
        Step::Write(b"login: ".to_vec()),
        Step::Read,
        Step::Write(b"PIN? ".to_vec()),
        Step::Read,
        Step::Write(b"Login OK.  Initiating SIP\r\n".to_vec()),
        Step::Read,
        Step::Write(b"941\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let ep = server.endpoint();
    let r = send(
        &[
            "--endpoint",
            &ep,
            "--telnet",
            "term1:t0psecret",
            "--telnet-password-prompt",
            "pin?",
            "--timeout",
            "5",
            "9300CNu|COp|",
        ],
        "",
    )
    .await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("t0psecret") && !r.stderr.contains("t0psecret"));
    assert_eq!(server.requests().await[1], b"t0psecret\r");
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_exit_2_and_refused_connections_4() {
    let r = send(
        &["--endpoint", "127.0.0.1:1", "--terminator", "nul", "99"],
        "",
    )
    .await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("use cr, crlf or lf"), "{}", r.stderr);

    for (flag, value, says) in [
        ("--max-len", "2", "between 3 and"),
        ("--max-len", "lots", "not a number of bytes"),
        ("--idle", "0", "between 0 and 86400"),
    ] {
        let r = send(&["--endpoint", "127.0.0.1:1", flag, value, "99"], "").await;
        assert_eq!(r.code, 2, "{flag} {value}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{flag} {value}: {}", r.stderr);
    }

    let r = send(&["--endpoint", "localhost", "99"], "").await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("has no port"), "{}", r.stderr);

    let r = send(
        &[
            "--endpoint",
            "127.0.0.1:1",
            "--ca",
            "/nonexistent/ca.pem",
            "99",
        ],
        "",
    )
    .await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("/nonexistent/ca.pem"), "{}", r.stderr);

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let ep = listener.local_addr().unwrap().to_string();
    drop(listener);
    let r = send(&["--endpoint", &ep, "99"], "").await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("cannot connect"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_96_answering_our_97_ends_with_the_link_failed_and_exit_1() {
    let server = serve(vec![
        Step::Read,
        Step::Write(b"941AY0AZ0000\r".to_vec()),
        Step::Read,
        Step::Write(b"96AZFEF6\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let ep = server.endpoint();
    let r = send(&["--endpoint", &ep, "--checksum", "9300CNu|COp|"], "").await;
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout.matches("> 97AZFEF5<CR>").count(),
        1,
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("< 96AZFEF6<CR>"), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("failed its checksum (AZ 0000 where FDFD was expected)")
            && r.stderr.contains("the link has failed"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_that_ends_beyond_the_limit_is_too_long_not_endless() {
    let mut long = b"18".to_vec();
    long.extend_from_slice(&[b'x'; 998]);
    long.push(b'\r');
    let server = serve(vec![Step::Read, Step::Write(long), Step::Silent]).await;
    let ep = server.endpoint();
    let r = send(&["--endpoint", &ep, "--max-len", "100", "17"], "").await;
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("is 1000 bytes long, longer than the limit of 100 bytes"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("endless"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_text_instead_of_an_answer_is_not_a_pass() {
    let server = serve(vec![
        Step::Read,
        Step::Write(b"Problems handling the request: unknown command\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let ep = server.endpoint();
    let r = send(&["--endpoint", &ep, "--timeout", "1", "9900302.00"], "").await;
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "< Problems handling the request: unknown command<CR>   (unsolicited: not a SIP message"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr
            .contains("no answer to 9900302.00 within 1 s; the server sent only Problems handling"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_banner_is_shown_and_the_answers_stay_in_step() {
    let server = serve(vec![
        Step::Write(b"Welcome\r\n".to_vec()),
        Step::Read,
        Step::Write(b"941\r".to_vec()),
        Step::Read,
        Step::Write(b"98YYYYNN01000320260101    0842372.00AOBR1|BXYYYYYYYYYYYYYYYY|\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let ep = server.endpoint();
    let r = send(&["--endpoint", &ep, "9300CNu|COp|", "9900302.00"], "").await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("< Welcome<CR><LF>   (unsolicited: not a SIP message"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("warning [unsolicited]"), "{}", r.stdout);
    assert!(r.stdout.contains("94 Login Response") && r.stdout.contains("98 ACS Status"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_telnet_login_that_is_only_echoed_fails() {
    let server = serve(vec![
        Step::Write(b"login: ".to_vec()),
        Step::Answer(Box::new(|r| [r, b"\npassword: "].concat())),
        Step::Answer(Box::new(|r| [r, b"\n"].concat())),
        Step::Silent,
    ])
    .await;
    let ep = server.endpoint();
    let args = [
        "--endpoint",
        &ep,
        "--telnet",
        "term1:t0psecret",
        "--timeout",
        "1",
        "9900302.00",
    ];
    let r = send(&args, "").await;
    assert_eq!(r.code, 4, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("telnet login failed: the server only echoed what was sent"),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("t0psecret") && !r.stderr.contains("t0psecret"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delimiter_inside_the_login_password_exposes_nothing() {
    let server = serve(vec![
        Step::Read,
        Step::Write(b"941\r".to_vec()),
        Step::Silent,
    ])
    .await;
    let ep = server.endpoint();
    let r = send(&["--endpoint", &ep, "--login", "sip:pa|zz9:BR1"], "").await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("> 9300CNsip|CO***|CPBR1|<CR>"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("zz9") && !r.stderr.contains("zz9"),
        "{}",
        r.stdout
    );
    assert_eq!(server.requests().await[0], b"9300CNsip|COpa|zz9|CPBR1|\r");
}
