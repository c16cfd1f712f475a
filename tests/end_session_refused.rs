//! `spec::end_patron_session_refused` holds a 36 for an unknown patron to what the spec says,
//! not to one server's answer: Evergreen's and Koha's SIP servers end every session with Y,
//! the emulator answers N, and both pass; a 36 that breaks the layout or loses AA still fails.

mod common;

use std::path::Path;

use common::{Step, serve};
use sip2check::runner::Outcome;
use sip2check::runner::exec::{ExecContext, run_scenario};
use sip2check::runner::plan::connect_options;
use sip2check::scenario::{self, Profile};
use sip2check::sip2::date;

/// The scenario's outcome against a server that logs in, reports its status, then answers the
/// 35 with `end_session` (fixed part after the code: the flag and a date) and `fields`.
async fn outcome(flag: &str, fields: &str) -> Outcome {
    let profile = Profile::emulator().expect("the emulator profile loads");
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/spec/end_patron_session_refused.yaml");
    let s = scenario::load_file(&path, &profile.vars).expect("the scenario loads");
    let status = format!(
        "98YYYYNN010003{}2.00AOBR1|BXYYYYYYYYYYYYYYYY|\r",
        date::now()
    );
    let end = format!("36{flag}{}{fields}\r", date::now());
    let server = serve(vec![
        Step::Repeat(1, b"941\r".to_vec()),
        Step::Repeat(1, status.into_bytes()),
        Step::Repeat(1, end.into_bytes()),
        Step::Silent,
    ])
    .await;
    let ctx = ExecContext {
        connect: connect_options(&profile, &server.endpoint()),
        vars: profile.vars.clone(),
        dialect: profile.dialect.clone(),
        ..ExecContext::default()
    };
    run_scenario(&s, &ctx).await.outcome
}

#[tokio::test]
async fn y_and_n_both_pass_for_an_unknown_patron() {
    for flag in ["Y", "N"] {
        let got = outcome(flag, "AOBR1|AAno_such_user|").await;
        assert_eq!(got, Outcome::Passed, "36{flag}");
    }
}

#[tokio::test]
async fn the_layout_and_the_echoed_patron_are_still_required() {
    assert_eq!(outcome("X", "AOBR1|AAno_such_user|").await, Outcome::Failed);
    assert_eq!(outcome("Y", "AOBR1|AAsomeone|").await, Outcome::Failed);
    assert_eq!(outcome("Y", "AOBR1|").await, Outcome::Failed);
}
