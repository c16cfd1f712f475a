//! The dialect presets (`serve --dialect`): each behaviour of the Evergreen, Koha and FOLIO
//! presets over a loopback socket, and the emulator preset answering exactly as no preset.

mod acs_support;

use acs_support::{Client, LOGIN, field, fields, start};
use regex::Regex;
use sip2check::acs::{Dialect, Library, ServeOptions, Server};
use sip2check::sip2::{System, checksum};

const DATE: &str = r"\d{8} {4}\d{6}";
const STATUS_99: &str = "9910302.00";
const CHECKOUT: &str = "11YN20060329    203000                  AOBR1|AA999999|AB1565921879|AC|";
const CHECKOUT_RENEW_OK: &str =
    "11NN20060329    203000                  AOBR1|AA999999|AB1565921879|AC|";
const CHECKIN: &str = "09N20060102    08423620060113    084235AP|AOBR1|AB1565921879|AC|";
const RENEW: &str = "29NN20060102    084236                  AOBR1|AA999999|AB1565921879|";
const PATRON_STATUS: &str = "2300120060101    084237AOBR1|AA999999|AC|AD6789|";
const PATRON_INFO: &str = "6300120060329    201700          AOBR1|AA999999|";
const HOLD: &str = "15+20060415    110158AOBR1|AA999999|AB0440242746|";

fn leader(response: &str, pattern: &str) {
    let re = Regex::new(&format!("^{}", pattern.replace("DATE", DATE))).unwrap();
    assert!(
        re.is_match(response),
        "{response:?} does not match ^{pattern}"
    );
}

/// The emulator with `system`'s preset on the built-in library.
async fn preset(system: System) -> Server {
    let opts = ServeOptions {
        dialect: Dialect::preset(system).unwrap(),
        ..ServeOptions::default()
    };
    start(Library::builtin(), opts).await
}

fn ids(response: &str) -> Vec<String> {
    let parsed = sip2check::sip2::parse(response).unwrap();
    parsed
        .msg
        .fields
        .iter()
        .map(|f| f.id.as_str().to_string())
        .collect()
}

fn with_trailer(body: &str, seq: u8) -> String {
    let mut b = body.as_bytes().to_vec();
    checksum::append_trailer(&mut b, Some(seq));
    String::from_utf8(b).unwrap()
}

fn corrupted(body: &str) -> String {
    let mut m = with_trailer(body, 1);
    let last = m.pop().unwrap();
    m.push(if last == '0' { '1' } else { '0' });
    m
}

#[tokio::test]
async fn evergreen_closes_on_anything_before_a_login_and_after_three_failed_logins() {
    let server = preset(System::Evergreen).await;
    let mut c = Client::connect(server.addr()).await;
    c.send_raw(format!("{STATUS_99}\r").as_bytes()).await;
    assert!(c.closed().await, "raw_transport dies on a 99 before the 93");
    let mut c = Client::connect(server.addr()).await;
    assert_eq!(c.ask("9300CNsip_01|COwrong|CPBR1|").await, "940");
    assert_eq!(c.ask("9300CNsip_01|COwrong|CPBR1|").await, "940");
    assert_eq!(c.ask("9300CNsip_01|COwrong|CPBR1|").await, "940");
    assert!(c.closed().await, "three strikes");
    let mut c = Client::connect(server.addr()).await;
    assert_eq!(c.ask("9300CNx|Cy|CPBR1|").await, "940");
    assert_eq!(c.ask("9300CNx|Cy|CPBR1|").await, "940");
    assert_eq!(
        c.ask(LOGIN).await,
        "941",
        "SIPtest's 940, 940, 941 still works"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn evergreen_96_for_a_bad_checksum_has_a_checksum() {
    let server = preset(System::Evergreen).await;
    let mut c = Client::logged_in(server.addr()).await;
    assert_eq!(c.ask(&corrupted(STATUS_99)).await, "96AZFEF6");
    server.shutdown().await;
}

#[tokio::test]
async fn evergreen_closes_on_an_unknown_message() {
    let server = preset(System::Evergreen).await;
    let mut c = Client::logged_in(server.addr()).await;
    c.send_raw(b"XX\r").await;
    assert!(c.closed().await);
    server.shutdown().await;
}

#[tokio::test]
async fn evergreen_and_koha_answer_a_protocol_1_status_without_bx() {
    for system in [System::Evergreen, System::Koha] {
        let server = preset(system).await;
        let mut c = Client::logged_in_crlf(server.addr(), system == System::Koha).await;
        let old = c.ask("9910301.00").await;
        leader(&old, r"98[YN]{6}\d{6}DATE1\.00AO");
        assert_eq!(field(&old, "BX"), None, "{system}: {old}");
        let new = c.ask(STATUS_99).await;
        leader(&new, r"98[YN]{6}\d{6}DATE2\.00AO");
        assert_eq!(field(&new, "BX").map(|b| b.len()), Some(16), "{new}");
        server.shutdown().await;
    }
    let server = preset(System::Emulator).await;
    let mut c = Client::logged_in(server.addr()).await;
    let status = c.ask("9910301.00").await;
    assert!(
        field(&status, "BX").is_some(),
        "the emulator ignores it: {status}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn evergreen_accepts_a_checkin_of_an_item_not_on_loan() {
    let server = preset(System::Evergreen).await;
    let mut c = Client::logged_in(server.addr()).await;
    let back = c.ask(CHECKIN).await;
    leader(&back, "101YNNDATE");
    assert_eq!(field(&back, "AA"), None);
    server.shutdown().await;
}

#[tokio::test]
async fn evergreen_and_koha_send_bl_only_in_a_refused_checkout() {
    for system in [System::Evergreen, System::Koha] {
        let server = preset(system).await;
        let mut c = Client::logged_in_crlf(server.addr(), system == System::Koha).await;
        let lent = c.ask(CHECKOUT).await;
        leader(&lent, "121NNYDATE");
        assert_eq!(field(&lent, "BL"), None, "{system}: {lent}");
        let refused = c.ask(&CHECKOUT.replace("AA999999", "AAmiker")).await;
        leader(&refused, "120NUNDATE");
        assert_eq!(field(&refused, "BL").as_deref(), Some("Y"), "{refused}");
        let renewed = c.ask(RENEW).await;
        leader(&renewed, "301YNNDATE");
        assert_eq!(field(&renewed, "BL"), None, "{renewed}");
        server.shutdown().await;
    }
}

#[tokio::test]
async fn koha_ends_answers_in_crlf_and_requires_a_login() {
    let server = preset(System::Koha).await;
    let mut c = Client::connect(server.addr()).await;
    c.crlf = true;
    c.send_raw(format!("{LOGIN}\r").as_bytes()).await;
    assert_eq!(c.recv_raw().await.unwrap(), b"941\r\n");
    c.send_raw(format!("{PATRON_STATUS}\r").as_bytes()).await;
    assert!(c.recv_raw().await.unwrap().ends_with(b"|\r\n"));
    let mut c = Client::connect(server.addr()).await;
    c.send_raw(format!("{PATRON_STATUS}\r").as_bytes()).await;
    assert!(
        c.closed().await,
        "raw_transport: not a login, so no account"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn koha_answers_a_bare_96_to_unknown_messages_and_bad_checksums() {
    let server = preset(System::Koha).await;
    let mut c = Client::logged_in_crlf(server.addr(), true).await;
    c.crlf = false;
    c.send_raw(b"XX\r").await;
    assert_eq!(
        c.recv_raw().await.unwrap(),
        b"96\r",
        "CR, not the account's CR LF"
    );
    c.send_raw(format!("{}\r", corrupted(STATUS_99)).as_bytes())
        .await;
    assert_eq!(c.recv_raw().await.unwrap(), b"96AZFEF6\r");
    server.shutdown().await;
}

#[tokio::test]
async fn koha_puts_ae_first_and_ao_last_in_24_and_ao_before_af_in_16_and_30() {
    let server = preset(System::Koha).await;
    let mut c = Client::logged_in_crlf(server.addr(), true).await;
    let status = c.ask(PATRON_STATUS).await;
    let order = ids(&status);
    assert_eq!(order.first().map(String::as_str), Some("AE"), "{status}");
    assert_eq!(order.get(1).map(String::as_str), Some("AA"), "{status}");
    assert_eq!(order.last().map(String::as_str), Some("AO"), "{status}");
    let hold = c.ask(HOLD).await;
    let order = ids(&hold);
    let ao = order.iter().position(|i| i == "AO").unwrap();
    assert_eq!(order.get(ao + 1).map(String::as_str), Some("AF"), "{hold}");
    assert_eq!(order.first().map(String::as_str), Some("AA"), "{hold}");
    leader(&c.ask(CHECKOUT).await, "121");
    let renew = c.ask(RENEW).await;
    let order = ids(&renew);
    let ao = order.iter().position(|i| i == "AO").unwrap();
    assert_eq!(order.get(ao + 1).map(String::as_str), Some("AF"), "{renew}");
    let info = c.ask(PATRON_INFO).await;
    assert_eq!(ids(&info).first().map(String::as_str), Some("AO"), "{info}");
    server.shutdown().await;
}

#[tokio::test]
async fn koha_refuses_a_checkin_of_an_item_not_on_loan_with_an_alert() {
    let server = preset(System::Koha).await;
    let mut c = Client::logged_in_crlf(server.addr(), true).await;
    leader(&c.ask(CHECKIN).await, "100YNYDATE");
    server.shutdown().await;
}

#[tokio::test]
async fn koha_renews_a_second_checkout_whatever_the_sc_renewal_policy() {
    let server = preset(System::Koha).await;
    let mut c = Client::logged_in_crlf(server.addr(), true).await;
    leader(&c.ask(CHECKOUT_RENEW_OK).await, "121NNYDATE");
    let again = c.ask(CHECKOUT_RENEW_OK).await;
    leader(&again, "121YNYDATE");
    server.shutdown().await;
    let server = preset(System::Emulator).await;
    let mut c = Client::logged_in(server.addr()).await;
    leader(&c.ask(CHECKOUT_RENEW_OK).await, "121NNY");
    leader(&c.ask(CHECKOUT_RENEW_OK).await, "120NUN");
    server.shutdown().await;
}

#[tokio::test]
async fn folio_ignores_messages_before_a_login_and_keeps_the_connection() {
    let server = preset(System::Folio).await;
    let mut c = Client::connect(server.addr()).await;
    c.send_raw(format!("{STATUS_99}\r{PATRON_STATUS}\r").as_bytes())
        .await;
    assert_eq!(c.ask(LOGIN).await, "941", "the login is the first answer");
    leader(&c.ask(STATUS_99).await, "98");
    server.shutdown().await;
}

#[tokio::test]
async fn folio_ignores_unknown_messages() {
    let server = preset(System::Folio).await;
    let mut c = Client::logged_in(server.addr()).await;
    c.send_raw(b"XX\r").await;
    leader(&c.ask(STATUS_99).await, "98");
    server.shutdown().await;
}

#[tokio::test]
async fn folio_sends_no_checksums_and_ignores_bad_ones() {
    let server = preset(System::Folio).await;
    let mut c = Client::logged_in(server.addr()).await;
    let plain = c.ask(&with_trailer(PATRON_STATUS, 4)).await;
    leader(&plain, "24");
    assert!(!plain.contains("AY4AZ"), "{plain}");
    leader(&c.ask(&corrupted(PATRON_STATUS)).await, "24");
    server.shutdown().await;
}

#[tokio::test]
async fn folio_speaks_cp850() {
    let server = preset(System::Folio).await;
    let mut c = Client::logged_in(server.addr()).await;
    c.send_raw(b"1720060110    215612AOBR1|AB660|\r").await;
    let raw = c.recv_raw().await.unwrap();
    let title: &[u8] = b"Harry Potter y el c\xA0liz de fuego";
    assert!(raw.windows(title.len()).any(|w| w == title), "{raw:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn folio_sends_u_for_magnetic_media_and_renewal_desensitize() {
    let server = preset(System::Folio).await;
    let mut c = Client::logged_in(server.addr()).await;
    leader(&c.ask(CHECKOUT).await, "121NUYDATE");
    leader(&c.ask(RENEW).await, "301YUUDATE");
    leader(&c.ask(CHECKIN).await, "101YUNDATE");
    leader(
        &c.ask(&CHECKOUT.replace("1565921879", "nosuchitem")).await,
        "120NUNDATE",
    );
    server.shutdown().await;
}

#[tokio::test]
async fn folio_accepts_a_checkin_not_on_loan_names_no_patron_and_gives_the_barcode_when_refused() {
    let server = preset(System::Folio).await;
    let mut c = Client::logged_in(server.addr()).await;
    leader(&c.ask(CHECKOUT).await, "121");
    let back = c.ask(CHECKIN).await;
    leader(&back, "101");
    assert_eq!(field(&back, "AA"), None, "{back}");
    leader(&c.ask(CHECKIN).await, "101YUNDATE");
    let unknown = c.ask(&CHECKIN.replace("1565921879", "nosuchitem")).await;
    leader(&unknown, "100NUNDATE");
    assert_eq!(field(&unknown, "AJ").as_deref(), Some("nosuchitem"));
    server.shutdown().await;
}

#[tokio::test]
async fn folio_refuses_a_second_checkout_and_sends_no_bl_in_12_or_30() {
    let server = preset(System::Folio).await;
    let mut c = Client::logged_in(server.addr()).await;
    let lent = c.ask(CHECKOUT).await;
    leader(&lent, "121NUY");
    let again = c.ask(CHECKOUT).await;
    leader(&again, "120NUN");
    let renewed = c.ask(RENEW).await;
    for r in [&lent, &again, &renewed] {
        assert_eq!(field(r, "BL"), None, "{r}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn folio_answers_language_000_for_an_unknown_patron() {
    let server = preset(System::Folio).await;
    let mut c = Client::logged_in(server.addr()).await;
    leader(&c.ask(PATRON_STATUS).await, r"24 [ Y]{13}001DATE");
    let status = c.ask(&PATRON_STATUS.replace("AA999999", "AAnobody")).await;
    leader(&status, r"24YYYY {10}000DATE");
    let info = c.ask(&PATRON_INFO.replace("AA999999", "AAnobody")).await;
    leader(&info, r"64YYYY {10}000DATE");
    server.shutdown().await;
}

#[tokio::test]
async fn folio_sends_no_extension_fields_in_64_and_marker_01_in_18() {
    let server = preset(System::Folio).await;
    let mut c = Client::logged_in(server.addr()).await;
    let info = c.ask(PATRON_INFO).await;
    for id in ["PB", "PC", "PI", "AQ"] {
        assert_eq!(field(&info, id), None, "{id} in {info}");
    }
    assert!(field(&info, "BD").is_some(), "{info}");
    let item = c.ask("1720060110    215612AOBR1|AB1565921879|").await;
    leader(&item, r"180301\d{2}DATE");
    server.shutdown().await;
}

/// What a session sees, with dates blanked so two servers can be compared.
async fn transcript(server: &Server) -> Vec<String> {
    let date = Regex::new(DATE).unwrap();
    let mut c = Client::connect(server.addr()).await;
    let mut out = Vec::new();
    for msg in [
        LOGIN,
        STATUS_99,
        "9910301.00",
        PATRON_STATUS,
        "2300120060101    084237AOBR1|AAnobody|AC|",
        PATRON_INFO,
        CHECKOUT,
        CHECKOUT_RENEW_OK,
        RENEW,
        CHECKIN,
        CHECKIN,
        HOLD,
        "1720060110    215612AOBR1|AB1565921879|",
        &CHECKIN.replace("1565921879", "nosuchitem"),
        &corrupted(STATUS_99),
    ] {
        out.push(date.replace_all(&c.ask(msg).await, "DATE").into_owned());
    }
    c.send_raw(b"XX\r").await;
    out.push(
        date.replace_all(&c.ask(STATUS_99).await, "DATE")
            .into_owned(),
    );
    out
}

#[tokio::test]
async fn the_emulator_preset_answers_exactly_as_no_preset() {
    let plain = start(Library::builtin(), ServeOptions::default()).await;
    let emulator = preset(System::Emulator).await;
    let (a, b) = (transcript(&plain).await, transcript(&emulator).await);
    assert_eq!(a, b);
    assert!(a.iter().any(|r| r.contains("AQBR1")) && fields(&a[5], "PB").len() == 1);
    plain.shutdown().await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn an_account_preset_applies_after_its_login() {
    let yaml = sip2check::acs::BUILTIN_YAML.replace(
        "accounts:\n",
        "accounts:\n  - { login: kiosk, password: pw, institution: BR1, dialect: { preset: folio } }\n",
    );
    let lib = Library::from_yaml("lib.yaml", &yaml).unwrap();
    let server = start(lib, ServeOptions::default()).await;
    let mut c = Client::connect(server.addr()).await;
    assert_eq!(c.ask("9300CNkiosk|COpw|CPBR1|").await, "941");
    leader(&c.ask(CHECKOUT).await, "121NUY");
    let mut c = Client::logged_in(server.addr()).await;
    leader(
        &c.ask(&CHECKOUT.replace("1565921879", "0440242746")).await,
        "121NNY",
    );
    server.shutdown().await;
}
