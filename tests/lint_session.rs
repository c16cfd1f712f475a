//! The linter across one transport session, against a scripted server: the protocol version
//! the 99 and the 98 agree decides what is required, and the `clock-skew` rule follows the
//! dates of the session's responses.

mod common;

use chrono::{FixedOffset, Utc};
use common::{Step, opts, rules, serve};
use sip2check::sip2::{Protocol, Rule, date};
use sip2check::transport::{Session, StepOptions};

/// A 98 that names 2.00 but carries no BX (as Evergreen answers a 1.00 SC).
const STATUS_WITHOUT_BX: &[u8] = b"98YYYYNN01000320260101    0842372.00AOBR1|\r";

/// The session's version after sending `request` and its answer's rules, when the server
/// answers with a 98 that carries no BX.
async fn first_status(request: &str) -> (Protocol, Vec<Rule>) {
    let server = serve(vec![
        Step::Repeat(1, STATUS_WITHOUT_BX.to_vec()),
        Step::Silent,
    ])
    .await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    let ex = s.exchange(request, &StepOptions::default()).await.unwrap();
    s.close().await;
    (s.protocol(), rules(&ex))
}

#[tokio::test]
async fn a_session_in_1_00_mode_does_not_require_bx() {
    let (protocol, found) = first_status("9900802.00").await;
    assert_eq!(protocol, Protocol::V2);
    assert!(found.contains(&Rule::RequiredField), "{found:?}");
    let (protocol, found) = first_status("9900801.00").await;
    assert_eq!(protocol, Protocol::V1);
    assert!(!found.contains(&Rule::RequiredField), "{found:?}");
}

#[tokio::test]
async fn a_login_puts_the_session_back_in_2_00() {
    let server = serve(vec![
        Step::Repeat(1, STATUS_WITHOUT_BX.to_vec()),
        Step::Repeat(1, b"941\r".to_vec()),
        Step::Repeat(1, STATUS_WITHOUT_BX.to_vec()),
        Step::Silent,
    ])
    .await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    let step = StepOptions::default();
    s.exchange("9900801.00", &step).await.unwrap();
    assert_eq!(s.protocol(), Protocol::V1);
    s.exchange("9300CNu|COp|", &step).await.unwrap();
    assert_eq!(s.protocol(), Protocol::V2);
    // A 98 may answer any request (to make the SC re-read the status): now held to 2.00.
    let ex = s
        .exchange(&format!("23001{}AOBR1|AAp|AC|AD|", date::now()), &step)
        .await
        .unwrap();
    assert!(
        rules(&ex).contains(&Rule::RequiredField),
        "{:?}",
        rules(&ex)
    );
    s.close().await;
}

/// A 36 dated by a clock `offset_hours` from UTC, read when the server answers.
fn end_session_at(offset_hours: i32) -> Step {
    Step::Answer(Box::new(move |_| {
        let zone = FixedOffset::east_opt(offset_hours * 3600).expect("a zone");
        let now = date::format(&Utc::now().with_timezone(&zone));
        format!("36Y{now}AOBR1|AAp|\r").into_bytes()
    }))
}

#[tokio::test]
async fn clock_skew_follows_the_dates_of_one_session() {
    // An ACS in UTC-5 (the harness's own zone plays no part): local time twice, then UTC
    // written as local time, as a server mixing the two would.
    let server = serve(vec![
        end_session_at(-5),
        end_session_at(-5),
        end_session_at(0),
        Step::Silent,
    ])
    .await;
    let mut s = Session::connect(opts(server.endpoint())).await.unwrap();
    let mut found = Vec::new();
    for _ in 0..3 {
        let request = format!("35{}AOBR1|AAp|", date::now());
        let ex = s.exchange(&request, &StepOptions::default()).await.unwrap();
        found.push(rules(&ex).contains(&Rule::ClockSkew));
    }
    assert_eq!(found, [false, false, true]);
    s.close().await;
}
