//! The linter across one transport session, against a scripted server: the protocol version
//! the 99 and the 98 agree decides what is required.

mod common;

use std::time::Duration;

use common::{Step, serve};
use sip2check::sip2::{Protocol, Rule, date};
use sip2check::transport::{ConnectOptions, Exchange, Session, StepOptions, Timeouts};

fn opts(endpoint: String) -> ConnectOptions {
    ConnectOptions {
        endpoint,
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            response: Duration::from_secs(5),
            idle: None,
        },
        ..ConnectOptions::default()
    }
}

fn rules(ex: &Exchange) -> Vec<Rule> {
    ex.response
        .analysis
        .violations
        .iter()
        .map(|v| v.rule)
        .collect()
}

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
