//! A run with one failed, errored and not-run step and one skipped scenario, for report tests;
//! the failed step also has a dialect warning and a note, and a passing scenario has a
//! common-practice warning and a skipped step. And a diff of one step whose title changed, whose
//! patron name changed (personal data), that gained a field and failed on the new server.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::check::{CheckResult, Raw, Target};
use crate::gate::Normalizer;
use crate::gate::diff::{DiffResult, Side};
use crate::runner::result::{Outcome, RunResult, ScenarioResult, StepResult, StepStatus, Wire};
use crate::scenario::Ground;
use crate::sip2::{FieldId, FieldRef, Rule, System, Terminator, Violation};

fn wire(text: &str) -> Option<Wire> {
    Some(Wire {
        text: text.into(),
        terminator: Some(Terminator::Cr),
        leading_lf: false,
    })
}

/// 2026-11-29T09:00:00Z, when the sample run started, plus `ms` milliseconds.
fn at(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_942_800) + Duration::from_millis(ms)
}

fn step(index: usize, name: &str, status: StepStatus) -> StepResult {
    StepResult {
        duration: Duration::from_millis(3),
        ..StepResult::new(
            index,
            &crate::scenario::ident::slug(name),
            name,
            format!("scenarios/demo/checkout.yaml:{}", index * 4),
            status,
        )
    }
}

/// The sample run.
pub fn run() -> RunResult {
    let mut login = step(1, "login", StepStatus::Passed);
    login.sent = wire("9300CNsip_01|COsip_01|CPBR1|");
    login.received = wire("941");
    let mut checkout = step(2, "checkout of cáliz", StepStatus::Failed);
    checkout.sent = wire("11YN20260329    203000                  AOBR1|AA999999|AB660|AC|");
    checkout.received = wire(
        "120NUN20260329    203000AOBR1|AA999999|AB660|AJHarry Potter y el cáliz\u{1} ]]> de fuego|AH|AEDavid J. Fiander|AFItem not available|",
    );
    checkout.checks = vec![
        CheckResult::new(Target::Leader, true, "/^12/".into(), "\"120NUN\"".into()),
        CheckResult {
            diff: Some(("1".into(), "0".into())),
            ..CheckResult::new(Target::Fixed("ok"), false, "\"1\"".into(), "\"0\"".into())
                .with_values("equals", Raw::Text("1".into()), Raw::Text("0".into()))
        },
        CheckResult {
            diff: Some(("David J. Fiandre".into(), "David J. Fiander".into())),
            ..CheckResult::new(
                Target::Field(FieldId::AE),
                false,
                "\"David J. Fiandre\"".into(),
                "\"David J. Fiander\"".into(),
            )
            .with_values(
                "equals",
                Raw::Text("David J. Fiandre".into()),
                Raw::Text("David J. Fiander".into()),
            )
        },
        CheckResult::new(
            Target::Fixed("magnetic_media"),
            false,
            "\"N\"".into(),
            "\"U\"".into(),
        )
        .with_ground(Ground::System(System::Evergreen)),
    ];
    checkout
        .notes
        .push("the server's BX says checkout is unsupported, and it answered".into());
    checkout.violations = vec![Violation::new(
        Rule::ControlChar,
        FieldRef::Field(FieldId::AJ),
        "no control characters",
        "0x01",
    )];
    let mut checkin = step(3, "checkin", StepStatus::Errored);
    checkin.sent = wire("09N20260329    20300020260329    203000APx|AOBR1|AB660|AC|");
    checkin.error =
        Some("server closed the connection after 09N...; no response (received nothing)".into());
    let not_run = StepResult {
        error: Some("the connection was lost at step 3".into()),
        ..StepResult::new(
            4,
            "renew",
            "renew",
            "scenarios/demo/checkout.yaml:16".into(),
            StepStatus::NotRun,
        )
    };
    let steps = vec![login, checkout, checkin, not_run];
    let failed = ScenarioResult {
        id: "demo::checkout".into(),
        name: "checkout".into(),
        file: PathBuf::from("scenarios/demo/checkout.yaml"),
        tags: vec!["circulation".into()],
        outcome: Outcome::from_steps(&steps),
        steps,
        started: at(0),
        duration: Duration::from_millis(12),
    };
    let skipped = ScenarioResult {
        id: "demo::holds".into(),
        name: "holds".into(),
        file: PathBuf::from("scenarios/demo/holds.yaml"),
        tags: vec![],
        outcome: Outcome::Skipped("the ACS does not support hold".into()),
        steps: vec![StepResult {
            error: Some("the ACS does not support hold".into()),
            ..StepResult::new(
                1,
                "hold",
                "hold",
                "scenarios/demo/holds.yaml:3".into(),
                StepStatus::NotRun,
            )
        }],
        started: at(12),
        duration: Duration::ZERO,
    };
    let mut status = step(1, "patron status", StepStatus::Passed);
    status.sent = wire("2300120260329    203000AOBR1|AA999999|AC|AD6789|");
    status.received =
        wire("24              00120260329    203000AOBR1|AA999999|AEDavid J. Fiander|BLY|CQY|");
    status.checks = vec![
        CheckResult::new(
            Target::Field(FieldId::BL),
            true,
            "\"Y\"".into(),
            "\"Y\"".into(),
        ),
        CheckResult::new(
            Target::Field(FieldId::AF),
            false,
            "present".into(),
            "absent".into(),
        )
        .with_ground(Ground::Common),
    ];
    let blocked = StepResult {
        error: Some("the profile has no blocked_patron".into()),
        ..StepResult::new(
            2,
            "blocked-patron",
            "blocked patron",
            "scenarios/demo/status.yaml:9".into(),
            StepStatus::Skipped,
        )
    };
    let steps = vec![status, blocked];
    let warned = ScenarioResult {
        id: "demo::status".into(),
        name: "status".into(),
        file: PathBuf::from("scenarios/demo/status.yaml"),
        tags: vec![],
        outcome: Outcome::from_steps(&steps),
        steps,
        started: at(12),
        duration: Duration::from_millis(4),
    };
    RunResult {
        endpoint: "127.0.0.1:6001".into(),
        profile: "site.yaml".into(),
        institution: Some("BR1".into()),
        bx: Some("YYYYYYYYYYYYYNYY".into()),
        started: "2026-11-29T09:00:00+00:00".into(),
        duration: Duration::from_millis(20),
        scenarios: vec![failed, skipped, warned],
    }
}

/// One side of the sample diff: one scenario of one step that got `received`.
fn side(label: &str, received: &str, status: StepStatus) -> Side {
    let step = StepResult {
        sent: wire("1720261202    101500AOBR1|AB1|"),
        received: Some(Wire {
            text: received.into(),
            terminator: None,
            leading_lf: false,
        }),
        ..StepResult::new(1, "item", "item", "x.yaml:1".into(), status)
    };
    Side {
        label: label.into(),
        run: RunResult {
            scenarios: vec![scenario(vec![step])],
            ..RunResult::default()
        },
    }
}

/// Scenario `s::a` (`s/a.yaml`) of `steps`, its outcome theirs: the unit tests' fixture.
pub fn scenario(steps: Vec<StepResult>) -> ScenarioResult {
    ScenarioResult {
        id: "s::a".into(),
        name: "a".into(),
        file: PathBuf::from("s/a.yaml"),
        tags: vec![],
        outcome: Outcome::from_steps(&steps),
        steps,
        started: SystemTime::UNIX_EPOCH,
        duration: Duration::ZERO,
    }
}

/// The sample diff.
pub fn diff() -> DiffResult {
    DiffResult::compare(
        side(
            "built-in emulator",
            "1803020120261202    101500AB1|AJSnow crash|AEDavid|",
            StepStatus::Passed,
        ),
        side(
            "built-in emulator with library new.yaml",
            "1803020120261203    101500AB1|AJSnow Crash|AEDave|AFhi|",
            StepStatus::Failed,
        ),
        &Normalizer::default(),
    )
}
