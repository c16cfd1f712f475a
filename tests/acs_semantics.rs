//! The emulator answers every request with real circulation semantics (SIPtest.pm's cases and more).

mod acs_support;

use acs_support::{Client, LOGIN, field, fields, start_default};
use regex::Regex;

const DATE: &str = r"\d{8} {4}\d{6}";

fn leader(response: &str, pattern: &str) {
    let re = Regex::new(&format!("^{}", pattern.replace("DATE", DATE))).unwrap();
    assert!(
        re.is_match(response),
        "{response:?} does not match ^{pattern}"
    );
}

const CHECKOUT: &str = "11YN20060329    203000                  AOBR1|AA999999|AB1565921879|AC|";
const CHECKIN: &str = "09N20060102    08423620060113    084235APUnder the bed|AOBR1|AB1565921879|ACterminal password|";
const RENEW: &str = "29NN20060102    084236                  AOBR1|AA999999|AB1565921879|";
const PATRON_INFO: &str = "6300020060329    201700          AOBR1|AA999999|";

#[tokio::test]
async fn login_allows_retries_and_sc_status_has_16_bx_flags() {
    let server = start_default().await;
    let mut c = Client::connect(server.addr()).await;
    assert_eq!(
        c.ask("9300CNinvalidsip_01|COsip_01|CPThe floor|").await,
        "940"
    );
    assert_eq!(
        c.ask("9300CNsip_01|COinvalidsip_01|CPThe floor|").await,
        "940"
    );
    assert_eq!(c.ask(LOGIN).await, "941");
    let status = c.ask("9910302.00").await;
    leader(&status, r"98[YN]{6}\d{3}\d{3}DATE2\.00");
    assert_eq!(field(&status, "AO").as_deref(), Some("BR1"));
    assert_eq!(field(&status, "BX").as_deref(), Some("YYYYYYYYYYYYYYYY"));
    assert_eq!(
        field(&status, "AM").as_deref(),
        Some("Example Public Library")
    );
    server.shutdown().await;
}

#[tokio::test]
async fn patron_status_valid_bad_password_and_unknown() {
    let server = start_default().await;
    let mut c = Client::logged_in(server.addr()).await;
    let ok = c
        .ask("2300120060101    084237AOBR1|AA999999|AD6789|AC|")
        .await;
    leader(&ok, r"24 [ Y]{13}001DATE");
    assert_eq!(field(&ok, "AE").as_deref(), Some("David J. Fiander"));
    assert_eq!(
        (field(&ok, "BL").as_deref(), field(&ok, "CQ").as_deref()),
        (Some("Y"), Some("Y"))
    );
    assert_eq!(field(&ok, "BH").as_deref(), Some("USD"));
    let bad = c
        .ask("2300120060101    084237AOBR1|AA999999|AC|ADbadw|")
        .await;
    assert_eq!(
        (field(&bad, "BL").as_deref(), field(&bad, "CQ").as_deref()),
        (Some("Y"), Some("N"))
    );
    let unknown = c
        .ask("2300120060101    084237AOBR1|AAwshakespeare|AC|")
        .await;
    leader(&unknown, r"24YYYY {10}001DATE");
    assert_eq!(field(&unknown, "AE").as_deref(), Some(""));
    assert_eq!(field(&unknown, "BL").as_deref(), Some("N"));
    assert_eq!(field(&unknown, "AA").as_deref(), Some("wshakespeare"));
    let none = c.ask("2300120060101    084237AOBR1|AA999999|AC|").await;
    assert_eq!(field(&none, "CQ"), None, "no AD, no CQ: {none}");
    server.shutdown().await;
}

#[tokio::test]
async fn patron_information_counts_lists_ranges_and_personal_fields() {
    let server = start_default().await;
    let mut c = Client::logged_in(server.addr()).await;
    let plain = c.ask(PATRON_INFO).await;
    leader(&plain, r"64 [ Y]{13}\d{3}DATE(0000){6}");
    for (id, v) in [
        ("BD", "2 Meadowvale Dr. St Thomas, ON Canada 90210"),
        ("BE", "djfiander@hotmail.com"),
        ("BF", "(519) 555 1234"),
        ("PB", "19640925"),
        ("PC", "Patrons"),
        ("PI", "Unfiltered"),
        ("AQ", "BR1"),
        ("BL", "Y"),
    ] {
        assert_eq!(field(&plain, id).as_deref(), Some(v), "{id} in {plain}");
    }
    // Three loans, then ask for the charged list (summary position 3) with a range.
    for item in ["1565921879", "0440242746", "SPARE1"] {
        leader(
            &c.ask(&CHECKOUT.replace("1565921879", item)).await,
            "121NNY",
        );
    }
    let all = c
        .ask("6300020060329    201700  Y       AOBR1|AA999999|")
        .await;
    leader(&all, r"64 [ Y]{13}\d{3}DATE0000000000030000");
    assert_eq!(fields(&all, "AU").len(), 3);
    let some = c
        .ask("6300020060329    201700  Y       AOBR1|AA999999|BP2|BQ3|")
        .await;
    assert_eq!(fields(&some, "AU"), fields(&all, "AU")[1..].to_vec());
    let fines = c
        .ask("6300020060329    201700   Y      AOBR1|AAFINES1|")
        .await;
    leader(&fines, r"64 [ Y]{13}\d{3}DATE000000000000000100000000");
    assert!(
        fields(&fines, "AV")[0].starts_with("FEE-0001 5.00"),
        "{fines}"
    );
    let unknown = c
        .ask("6300020060329    201700          AOBR1|AAbad_barcode|")
        .await;
    leader(&unknown, r"64YYYY {10}\d{3}DATE(0000){6}");
    assert_eq!(
        (
            field(&unknown, "AE").as_deref(),
            field(&unknown, "BL").as_deref()
        ),
        (Some(""), Some("N"))
    );
    let badpw = c.ask(&format!("{PATRON_INFO}ADbadpwd|")).await;
    assert_eq!(field(&badpw, "CQ").as_deref(), Some("N"));
    server.shutdown().await;
}

#[tokio::test]
async fn checkout_checkin_then_renew_fails() {
    let server = start_default().await;
    let mut c = Client::logged_in(server.addr()).await;
    let out = c.ask(CHECKOUT).await;
    leader(&out, "121NNYDATE");
    assert_eq!(
        field(&out, "AJ").as_deref(),
        Some("Perl 5 desktop reference")
    );
    assert!(
        Regex::new(&format!("^{DATE}$"))
            .unwrap()
            .is_match(&field(&out, "AH").unwrap())
    );
    let other = c.ask(&CHECKOUT.replace("AA999999", "AAmiker")).await;
    leader(&other, "120NUNDATE");
    assert_eq!(field(&other, "AH").as_deref(), Some(""));
    let renewed = c.ask(RENEW).await;
    leader(&renewed, "301YNNDATE");
    assert!(
        Regex::new(&format!("^{DATE}$"))
            .unwrap()
            .is_match(&field(&renewed, "AH").unwrap())
    );
    let back = c.ask(CHECKIN).await;
    leader(&back, "101YNNDATE");
    assert_eq!(field(&back, "AA").as_deref(), Some("999999"));
    assert_eq!(field(&back, "AQ").as_deref(), Some("BR1"));
    leader(&c.ask(CHECKIN).await, "100YNNDATE");
    let refused = c.ask(RENEW).await;
    leader(&refused, "300NUNDATE");
    assert_eq!(field(&refused, "AH").as_deref(), Some(""));
    leader(
        &c.ask(&RENEW.replace("1565921879", "bad-item")).await,
        "300NUN",
    );
    leader(
        &c.ask(&RENEW.replace("AA999999", "AAberick")).await,
        "300NUN",
    );
    server.shutdown().await;
}

#[tokio::test]
async fn checkout_refusals_follow_the_seed_data() {
    let server = start_default().await;
    let mut c = Client::logged_in(server.addr()).await;
    let no_item = c.ask(&CHECKOUT.replace("1565921879", "no-barcode")).await;
    leader(&no_item, "120NUNDATE");
    assert_eq!(
        (
            field(&no_item, "AJ").as_deref(),
            field(&no_item, "AH").as_deref()
        ),
        (Some(""), Some(""))
    );
    assert_eq!(field(&no_item, "BL").as_deref(), Some("Y"));
    let no_patron = c.ask(&CHECKOUT.replace("AA999999", "AAbad_barcode")).await;
    leader(&no_patron, "120NUN");
    assert_eq!(field(&no_patron, "BL").as_deref(), Some("N"));
    assert_eq!(
        field(&no_patron, "AJ").as_deref(),
        Some("Perl 5 desktop reference")
    );
    for (patron, item) in [
        ("BLOCKED1", "SPARE1"),
        ("LIMIT1", "SPARE1"),
        ("999999", "HELD1"),
        ("999999", "LOST1"),
        ("999999", "MISSING1"),
    ] {
        let r = c
            .ask(
                &CHECKOUT
                    .replace("AA999999", &format!("AA{patron}"))
                    .replace("1565921879", item),
            )
            .await;
        leader(&r, "120NUN");
    }
    let fee = c.ask(&CHECKOUT.replace("1565921879", "FEEITEM1")).await;
    leader(&fee, "120NUN");
    assert_eq!(
        (
            field(&fee, "BT").as_deref(),
            field(&fee, "BV").as_deref(),
            field(&fee, "BH").as_deref()
        ),
        (Some("06"), Some("1.50"), Some("USD"))
    );
    let acked = c
        .ask(&format!(
            "{}BOY|",
            CHECKOUT.replace("1565921879", "FEEITEM1")
        ))
        .await;
    leader(&acked, "121N");
    assert_eq!(field(&acked, "BV").as_deref(), Some("1.50"));
    assert!(field(&acked, "BK").is_some());
    leader(
        &c.ask("6300020060329    201700          AOBR1|AA999999|")
            .await,
        r"64 [ Y]{13}\d{3}DATE000000000001",
    );
    // The held item goes to the patron it waits for.
    leader(
        &c.ask(
            &CHECKOUT
                .replace("AA999999", "AAmiker")
                .replace("1565921879", "HELD1"),
        )
        .await,
        "121NNY",
    );
    server.shutdown().await;
}

#[tokio::test]
async fn item_information_and_status_update() {
    let server = start_default().await;
    let mut c = Client::logged_in(server.addr()).await;
    let info = c.ask("1720060110    215612AOBR1|AB1565921879|").await;
    leader(&info, "180[13]0201DATE");
    assert_eq!(field(&info, "BG").as_deref(), Some("BR1"));
    assert_eq!(field(&info, "CK").as_deref(), Some("001"));
    leader(&c.ask("1720060110    215612AOBR1|ABLOST1|").await, "1812");
    leader(&c.ask("1720060110    215612AOBR1|ABHELD1|").await, "1808");
    leader(
        &c.ask("1720060110    215612AOBR1|ABnosuchitem|").await,
        "18010101",
    );
    c.ask(CHECKOUT).await;
    let out = c.ask("1720060110    215612AOBR1|AB1565921879|").await;
    leader(&out, "1804");
    assert!(field(&out, "AH").is_some());
    let upd = c
        .ask("1920060110    215612AOBR1|AB1565921879|CHshelf 3|")
        .await;
    leader(&upd, "201DATE");
    assert_eq!(
        field(
            &c.ask("1720060110    215612AOBR1|AB1565921879|").await,
            "CH"
        )
        .as_deref(),
        Some("shelf 3")
    );
    leader(
        &c.ask("1920060110    215612AOBR1|ABnosuchitem|CHx|").await,
        "200",
    );
    server.shutdown().await;
}

#[tokio::test]
async fn hold_queue_order_cancel_and_refusals() {
    let server = start_default().await;
    let mut c = Client::logged_in(server.addr()).await;
    let place =
        "15+20060415    110158BW20060815    110158|BSTaylor|BY2|AOBR1|AA999999|AB1565921879|";
    let first = c.ask(place).await;
    leader(&first, "161NDATE");
    assert_eq!(
        (
            field(&first, "BR").as_deref(),
            field(&first, "BS").as_deref()
        ),
        (Some("1"), Some("Taylor"))
    );
    assert_eq!(
        field(&first, "AJ").as_deref(),
        Some("Perl 5 desktop reference")
    );
    leader(&c.ask(PATRON_INFO).await, r"64 [ Y]{13}\d{3}DATE0001");
    let second = c.ask(&place.replace("AA999999", "AAmiker")).await;
    assert_eq!(field(&second, "BR").as_deref(), Some("2"));
    let change = c
        .ask(
            &place
                .replace("15+", "15*")
                .replace("BSTaylor", "BSBR1")
                .replace("AA999999", "AAmiker"),
        )
        .await;
    assert_eq!(
        (
            field(&change, "BR").as_deref(),
            field(&change, "BS").as_deref()
        ),
        (Some("2"), Some("BR1"))
    );
    let cancel = place.replace("15+", "15-");
    leader(&c.ask(&cancel).await, "161");
    leader(&c.ask(PATRON_INFO).await, r"64 [ Y]{13}\d{3}DATE0000");
    leader(&c.ask(&cancel).await, "160NDATE");
    // miker moved up: a new hold by 999999 is now second.
    assert_eq!(field(&c.ask(place).await, "BR").as_deref(), Some("2"));
    leader(&c.ask(&format!("{place}ADbad password|")).await, "160N");
    leader(
        &c.ask(&place.replace("AA999999", "AAno_such_user")).await,
        "160N",
    );
    leader(
        &c.ask(&place.replace("1565921879", "nosuchitem")).await,
        "160N",
    );
    leader(
        &c.ask(&place.replace("AA999999", "AABLOCKED1")).await,
        "160N",
    );
    // Checkin traps the first hold: alert, and the item is on the hold shelf for miker.
    let trapped = c.ask(CHECKIN).await;
    leader(&trapped, "100YNY");
    assert_eq!(field(&trapped, "CY").as_deref(), Some("miker"));
    leader(
        &c.ask("1720060110    215612AOBR1|AB1565921879|").await,
        "1808",
    );
    server.shutdown().await;
}

#[tokio::test]
async fn renew_all_counts_and_refusals() {
    let server = start_default().await;
    let mut c = Client::logged_in(server.addr()).await;
    c.ask(CHECKOUT).await;
    let all = c.ask("6520060102    084236AOBR1|AA999999|").await;
    leader(&all, "66100010000DATE");
    assert_eq!(fields(&all, "BM"), ["1565921879"]);
    leader(
        &c.ask("6520060102    084236AOBR1|AA999999|ADbadpwd|").await,
        "66000000000DATE",
    );
    leader(
        &c.ask("6520060102    084236AOBR1|AAberick|").await,
        "66000000000DATE",
    );
    server.shutdown().await;
}

#[tokio::test]
async fn block_then_enable_with_passwords() {
    let server = start_default().await;
    let mut c = Client::logged_in(server.addr()).await;
    let block = "01N20060102    084238AOBR1|ALHe's a jerk|AA999999|";
    let blocked = c.ask(block).await;
    leader(&blocked, r"24YYYY[ Y]{10}000DATE");
    assert_eq!(field(&blocked, "AE").as_deref(), Some("David J. Fiander"));
    leader(&c.ask(CHECKOUT).await, "120NUN");
    let enable = "2520060102    084238AOBR1|AA999999|";
    leader(&c.ask(enable).await, r"26  [ Y]{12}000DATE");
    c.ask(block).await;
    let good = c.ask(&format!("{enable}AD6789|")).await;
    leader(&good, r"26 {4}[ Y]{10}000DATE");
    assert_eq!(field(&good, "CQ").as_deref(), Some("Y"));
    c.ask(block).await;
    let bad = c.ask(&format!("{enable}ADbad password|")).await;
    assert_eq!(field(&bad, "CQ").as_deref(), Some("N"));
    leader(&bad, r"26YYYY");
    leader(&c.ask(enable).await, r"26  ");
    let retained = c.ask(&block.replace("01N", "01Y")).await;
    assert_eq!(
        field(&retained, "AF").as_deref(),
        Some("Patron blocked; card retained")
    );
    let unknown = c.ask("2520060102    084238AOBR1|AAbad_userid|").await;
    leader(&unknown, r"26YYYY[ Y]{10}000DATE");
    assert_eq!(field(&unknown, "BL").as_deref(), Some("N"));
    server.shutdown().await;
}

#[tokio::test]
async fn fee_payment_reduces_the_balance() {
    let server = start_default().await;
    let mut c = Client::logged_in(server.addr()).await;
    let balance = |r: &str| field(r, "BV");
    let status = "2300120060101    084237AOBR1|AAFINES1|AC|AD|";
    assert_eq!(balance(&c.ask(status).await).as_deref(), Some("5.00"));
    let paid = c
        .ask("3720060102    0842380400USDBV2.00|AOBR1|AAFINES1|CGFEE-0001|")
        .await;
    leader(&paid, "38YDATE");
    assert!(field(&paid, "BK").is_some());
    assert_eq!(balance(&c.ask(status).await).as_deref(), Some("3.00"));
    leader(
        &c.ask("3720060102    0842380400USDBV9.00|AOBR1|AAFINES1|")
            .await,
        "38N",
    );
    leader(
        &c.ask("3720060102    0842380400EURBV1.00|AOBR1|AAFINES1|")
            .await,
        "38N",
    );
    leader(
        &c.ask("3720060102    0842380400USDBV1.00|AOBR1|AAFINES1|CGFEE-9999|")
            .await,
        "38N",
    );
    leader(
        &c.ask("3720060102    0842380400USDBV3.00|AOBR1|AAFINES1|BKmine|")
            .await,
        "38Y",
    );
    assert_eq!(balance(&c.ask(status).await).as_deref(), Some("0.00"));
    server.shutdown().await;
}

#[tokio::test]
async fn end_session_and_unknown_codes() {
    let server = start_default().await;
    let mut c = Client::logged_in(server.addr()).await;
    leader(
        &c.ask("3520060102    084238AOBR1|AA999999|").await,
        "36YDATE",
    );
    leader(
        &c.ask("3520060102    084238AOBR1|AAnobody|").await,
        "36NDATE",
    );
    // An unknown message is ignored (no answer): the next answer is the SC status's.
    c.send_raw(b"XX hello\r").await;
    leader(&c.ask("9910302.00").await, "98");
    server.shutdown().await;
}
