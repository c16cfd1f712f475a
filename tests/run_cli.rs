//! `sip2check run` end to end: the real binary against the built-in emulator (and a refused
//! port), checking exit codes, the console text, the reports and the masking.

mod common;
#[path = "common/golden.rs"]
mod golden;

use std::path::Path;

use common::cli::{run, streams};

#[test]
fn passing_scenarios_exit_0_with_libtest_summary_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("out.xml");
    let json = dir.path().join("out.json");
    let o = run(&[
        "tests/scenarios/pass",
        "--junit",
        junit.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("test pass::patron_status ... ok"), "{out}");
    assert!(out.contains("test result: ok. 2 passed; 0 failed"), "{out}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut cases = Vec::new();
    loop {
        match reader.read_event().expect("well-formed JUnit") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.name().as_ref() == b"testcase" =>
            {
                let name = e.try_get_attribute("name").unwrap().unwrap();
                cases.push(String::from_utf8(name.value.to_vec()).unwrap());
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(cases.len(), 6, "one testcase per step (2 + 4)");
    assert_eq!(
        cases[..3],
        [
            "pass::item/login",
            "pass::item/an-available-item",
            "pass::patron_status/login"
        ],
        "testcases are named scenario-id/step-id"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["summary"]["passed"], 2);
    assert_eq!(
        report["scenarios"][1]["steps"][2]["id"],
        "pass::patron_status/valid-patron-structured"
    );
    assert_eq!(
        report["scenarios"][1]["steps"][2]["captures"][0]["value"], "***",
        "a captured patron name is personal data"
    );
    assert_eq!(
        report["scenarios"][1]["steps"][2]["captures"][0]["name"],
        "name"
    );
}

#[test]
fn a_wrong_patron_name_exits_1_and_shows_field_expected_and_actual() {
    let o = run(&["tests/scenarios/fail"]);
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(out.contains("test fail::wrong_name ... FAILED"), "{out}");
    assert!(
        out.contains("AE        \"***\"     \"***\"") && !out.contains("Fiand"),
        "personal data is masked in the table as in the transcript: {out}"
    );
    let o = run(&["tests/scenarios/fail", "--no-redact"]);
    let (out, _) = streams(&o);
    assert!(
        out.contains("AE        \"David J. Fiandre\"  \"David J. Fiander\""),
        "{out}"
    );
    assert!(
        out.contains("3 steps: 2 passed, 1 failed"),
        "the steps after the failure still ran: {out}"
    );
}

/// The output with what changes between runs (dates, the emulator's port, timings) replaced.
fn normalized(out: &str) -> String {
    let date = regex::Regex::new(r"\d{8}    \d{6}").unwrap();
    let port = regex::Regex::new(r"127\.0\.0\.1:\d+").unwrap();
    let took = regex::Regex::new(r"finished in [0-9.]+s").unwrap();
    let out = date.replace_all(out, "YYYYMMDD    HHMMSS");
    let out = port.replace_all(&out, "127.0.0.1:PORT");
    took.replace_all(&out, "finished in N s").into_owned()
}

#[test]
fn the_failing_run_prints_the_golden_text() {
    let o = run(&["tests/scenarios/fail"]);
    let got = normalized(&streams(&o).0);
    golden::assert_golden("run_fail.stdout", &got);
}

#[test]
fn lint_findings_are_noted_and_fail_only_under_strict() {
    // The profile declares ASCII; the emulator sends a UTF-8 title: a non-ascii finding.
    let ascii = [
        "tests/scenarios/lint",
        "--profile",
        "tests/profiles/ascii.yaml",
    ];
    let o = run(&ascii);
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(
        err.contains("1 error-severity lint finding(s)")
            && err.contains("lint::diacritic step 2: error [non-ascii]"),
        "{err}"
    );
    let o = run(&[&ascii[..], &["--strict"]].concat());
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    let verdict = |id: &str, v: &str| {
        out.lines()
            .any(|l| l.starts_with(&format!("test {id} ")) && l.ends_with(v))
    };
    assert!(verdict("lint::diacritic", "FAILED"), "{out}");
    assert!(verdict("lint::diacritic_accepted", "ok"), "{out}");
    assert!(out.contains("lint non-ascii"), "{out}");
}

#[test]
fn a_yaml_typo_exits_2_naming_file_line_and_column() {
    let o = run(&["tests/scenarios/bad"]);
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    assert!(
        err.contains("tests/scenarios/bad/typo.yaml:4:5: steps[1]: unknown field `expcet`"),
        "{err}"
    );
}

#[test]
fn list_filter_skip_exact_and_tag_select_scenarios() {
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["tests/scenarios/pass", "tests/scenarios/fail", "--list"];
        all.extend_from_slice(args);
        let o = run(&all);
        assert_eq!(o.status.code(), Some(0));
        streams(&o)
            .0
            .lines()
            .filter_map(|l| l.split_once(": test").map(|(id, _)| id.to_string()))
            .collect()
    };
    assert_eq!(
        ids(&[]),
        ["fail::wrong_name", "pass::item", "pass::patron_status"]
    );
    assert_eq!(ids(&["--tag", "items"]), ["pass::item"]);
    assert_eq!(ids(&["--filter", "patron"]), ["pass::patron_status"]);
    assert_eq!(
        ids(&["--filter", "pass::", "--skip", "item"]),
        ["pass::patron_status"]
    );
    assert_eq!(ids(&["--filter", "pass::item", "--exact"]), ["pass::item"]);
    let o = run(&["tests/scenarios/pass", "--list", "--filter", "item"]);
    assert!(
        streams(&o)
            .0
            .contains("2. an available item  (an-available-item)"),
        "the list shows each step's id"
    );
}

#[test]
fn a_selection_of_no_scenario_exits_3_naming_the_tag_or_filter() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["--tag", "nosuchtag"],
            "no scenario has the tag \"nosuchtag\"",
        ),
        (
            &["--filter", "chekout"],
            "no scenario id contains \"chekout\" (did you mean \"checkout\"?)",
        ),
        (
            &["--list", "--filter", "item", "--exact"],
            "no scenario id is \"item\"",
        ),
        (
            &["--list", "--tag", "circulaton"],
            "no scenario has the tag \"circulaton\" (did you mean \"circulation\"?)",
        ),
        (
            &["--suite", "siptest", "--", "chekout"],
            "after --: the selection runs no scenario: no scenario id contains \"chekout\" (did you mean \"checkout\"?)",
        ),
    ];
    for (args, want) in cases {
        let o = run(args);
        let (out, err) = streams(&o);
        assert_eq!(o.status.code(), Some(3), "{args:?}: {out}\n{err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
    let o = run(&["--help"]);
    assert!(
        streams(&o).0.contains("3 the selection runs no scenario"),
        "{}",
        streams(&o).0
    );
}

#[test]
fn filtered_runs_run_only_the_selection() {
    let o = run(&[
        "tests/scenarios/pass",
        "tests/scenarios/fail",
        "--filter",
        "item",
    ]);
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("test result: ok. 1 passed"), "{out}");
}

#[test]
fn a_refused_probe_connection_exits_4() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let endpoint = format!("127.0.0.1:{port}");
    let o = run(&[
        "tests/scenarios/pass",
        "--endpoint",
        &endpoint,
        "--profile",
        "fixtures/profiles/emulator.yaml",
    ]);
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(4), "{out}\n{err}");
    assert!(err.contains("capability probe"), "{err}");
}

#[test]
fn an_endpoint_without_a_profile_is_a_usage_error() {
    let o = run(&["tests/scenarios/pass", "--endpoint", "127.0.0.1:6001"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(streams(&o).1.contains("needs --profile"));
}

#[test]
fn passwords_never_appear_and_personal_data_only_with_no_redact() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("out.xml");
    let json = dir.path().join("out.json");
    let scenarios = ["tests/scenarios/pass", "tests/scenarios/fail"];
    let everything = |extra: &[&str]| -> String {
        let mut args = scenarios.to_vec();
        args.extend_from_slice(&[
            "--junit",
            junit.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
        ]);
        args.extend_from_slice(extra);
        let o = run(&args);
        let (out, err) = streams(&o);
        format!(
            "{out}{err}{}{}",
            std::fs::read_to_string(&junit).unwrap(),
            std::fs::read_to_string(&json).unwrap()
        )
    };
    for extra in [&[][..], &["--no-redact"][..]] {
        let all = everything(extra);
        // The profile's SIP password (CO) and the patron PIN (AD) never show.
        assert!(!all.contains("COsip_01"), "{extra:?}");
        assert!(!all.contains("6789"), "{extra:?}");
        assert!(all.contains("CO***") && all.contains("AD***"));
    }
    assert!(!everything(&[]).contains("|AEDavid J. Fiander|"));
    assert!(everything(&["--no-redact"]).contains("|AEDavid J. Fiander|"));
    assert!(Path::new(&junit).exists());
}
