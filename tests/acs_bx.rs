//! BX tells the truth: every Y in the 98's supported-messages flags really answers with the
//! spec's response, every N really does not (ignored, or 96 when the institution says so).

mod acs_support;

use acs_support::{Client, LOGIN, field, start};
use sip2check::acs::{Library, ServeOptions};
use sip2check::sip2::spec::{self, Direction};
use sip2check::sip2::{MessageCode, parse};

/// One request of each of the 16 types, as SIPtest.pm would write it.
fn request(code: MessageCode) -> &'static str {
    match code.as_str() {
        "23" => "2300120060101    084237AOBR1|AA999999|AC|AD6789|",
        "11" => "11YN20060329    203000                  AOBR1|AA999999|AB0440242746|AC|",
        "09" => "09N20060102    08423620060113    084235AP|AOBR1|AB0440242746|AC|",
        "01" => "01N20060102    084238AOBR1|ALtest|AA999999|AC|",
        "99" => "9910302.00",
        "97" => "97",
        "93" => LOGIN,
        "63" => "6300020060329    201700          AOBR1|AA999999|",
        "35" => "3520060102    084238AOBR1|AA999999|",
        "37" => "3720060102    0842380400USDBV1.00|AOBR1|AAFINES1|",
        "17" => "1720060110    215612AOBR1|AB1565921879|",
        "19" => "1920060110    215612AOBR1|AB1565921879|CHx|",
        "25" => "2520060102    084238AOBR1|AA999999|",
        "15" => "15+20060415    110158AOBR1|AA999999|AB1565921879|",
        "29" => "29NN20060102    084236                  AOBR1|AA999999|AB0440242746|",
        "65" => "6520060102    084236AOBR1|AA999999|",
        other => panic!("no sample request for {other}"),
    }
}

fn requests() -> Vec<(usize, MessageCode)> {
    let mut out: Vec<(usize, MessageCode)> = spec::MESSAGES
        .iter()
        .filter(|m| m.direction == Direction::ScToAcs)
        .map(|m| (spec::supported_position(m.code).unwrap(), m.code))
        .collect();
    out.sort();
    assert_eq!(out.len(), 16);
    out
}

async fn bx(c: &mut Client) -> Vec<bool> {
    let status = c.ask("9910302.00").await;
    field(&status, "BX")
        .unwrap()
        .chars()
        .map(|f| f == 'Y')
        .collect()
}

/// Sends the sample request of `code` and says whether the spec's response came back.
/// For 97 the answer is the previous response replayed; an unanswered request is followed by
/// a 99 whose 98 then comes first.
async fn answers(c: &mut Client, code: MessageCode) -> bool {
    if code == MessageCode::REQUEST_ACS_RESEND {
        let before = c.ask("9910302.00").await;
        return c.ask("97").await == before;
    }
    c.send_raw(format!("{}\r9910302.00\r", request(code)).as_bytes())
        .await;
    let first = String::from_utf8(c.recv_raw().await.unwrap()).unwrap();
    let got = parse(first.trim_end()).unwrap().msg.code;
    let expected = spec::message(code).and_then(|s| s.response).unwrap();
    if got == expected && code != MessageCode::SC_STATUS {
        let status = String::from_utf8(c.recv_raw().await.unwrap()).unwrap();
        assert!(status.starts_with("98"), "{status}");
        return true;
    }
    if code == MessageCode::SC_STATUS {
        let second = String::from_utf8(c.recv_raw().await.unwrap()).unwrap();
        assert!(second.starts_with("98"));
        return got == expected;
    }
    if got == MessageCode::REQUEST_SC_RESEND {
        let status = String::from_utf8(c.recv_raw().await.unwrap()).unwrap();
        assert!(status.starts_with("98"), "{status}");
    } else {
        assert_eq!(
            got,
            MessageCode::ACS_STATUS,
            "ignored, so the 98 comes first: {first}"
        );
    }
    false
}

async fn check_honest(library: Library) -> Vec<bool> {
    let server = start(
        library,
        ServeOptions {
            isolate: true,
            ..ServeOptions::default()
        },
    )
    .await;
    let mut c = Client::logged_in(server.addr()).await;
    let flags = bx(&mut c).await;
    assert_eq!(flags.len(), 16);
    for (pos, code) in requests() {
        let answered = answers(&mut c, code).await;
        assert_eq!(
            answered,
            flags[pos],
            "BX position {} ({code}) says {} but the emulator {}",
            pos + 1,
            flags[pos],
            if answered {
                "answers"
            } else {
                "does not answer"
            }
        );
    }
    server.shutdown().await;
    flags
}

#[tokio::test]
async fn builtin_library_supports_all_16_and_answers_each() {
    let flags = check_honest(Library::builtin()).await;
    assert!(flags.iter().all(|f| *f));
}

const RESTRICTED: &str = "institutions:
  - id: BR1
    name: Restricted Library
    policy:
      checkout: false
      renewal: false
      supported: [patron_status_request, checkin, block_patron, sc_status, request_acs_resend, login,
                  patron_information, end_patron_session, item_information, item_status_update, patron_enable]
      unsupported: UNSUPPORTED
accounts:
  - { login: sip_01, password: sip_01, institution: BR1 }
patrons:
  - { barcode: \"999999\", pin: \"6789\", name: P }
  - { barcode: FINES1, pin: \"1\", name: F, fees: [{ id: F1, type: \"04\", amount: \"5.00\" }] }
items:
  - { barcode: \"1565921879\", title: T, owner: BR1 }
  - { barcode: \"0440242746\", title: U, owner: BR1 }
";

#[tokio::test]
async fn policy_and_supported_list_turn_flags_off_and_those_messages_are_not_answered() {
    for mode in ["ignore", "resend"] {
        let lib = Library::from_yaml("restricted.yaml", &RESTRICTED.replace("UNSUPPORTED", mode))
            .unwrap();
        let flags = check_honest(lib).await;
        let off: Vec<usize> = flags
            .iter()
            .enumerate()
            .filter(|(_, f)| !**f)
            .map(|(i, _)| i + 1)
            .collect();
        // checkout (2), fee paid (10), hold (14), renew (15), renew all (16)
        assert_eq!(off, [2, 10, 14, 15, 16], "{mode}");
    }
}
