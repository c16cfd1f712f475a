//! `sip2check run` end to end for grounds and site data: common and dialect checks warn and
//! pass the run, dialect checks apply only to the profile's dialect, the reports carry the
//! ground; records a profile lacks skip scenarios or steps (exit 0), a typo is exit 2, and
//! `--list` needs no variables.

mod common;

use std::path::{Path, PathBuf};

use common::cli::{run, streams};

/// The emulator's profile, with its text changed by `edit`, written into `dir`.
fn profile(dir: &Path, name: &str, edit: impl Fn(&str) -> String) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("fixtures/profiles/emulator.yaml")).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "the edit changes the profile");
    let p = dir.join(name);
    std::fs::write(&p, edited).unwrap();
    p
}

/// The emulator's profile without the records named (each a top-level key under `vars:`).
fn without(records: &[&str]) -> impl Fn(&str) -> String {
    move |text: &str| {
        let mut out = Vec::new();
        let mut dropping = false;
        for line in text.lines() {
            let record = line.strip_prefix("  ").and_then(|l| l.split(':').next());
            if record.is_some_and(|r| records.contains(&r)) {
                dropping = true;
                continue;
            }
            if dropping && line.starts_with("    ") {
                continue;
            }
            dropping = false;
            out.push(line);
        }
        out.join("\n") + "\n"
    }
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The checks of step 2 of the only scenario: (target, ground, verdict).
fn checks(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["scenarios"][0]["steps"][1]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_string();
            (s("target"), s("ground"), s("verdict"))
        })
        .collect()
}

#[test]
fn a_failed_common_check_warns_and_the_run_passes_with_the_ground_in_every_report() {
    let dir = tempfile::tempdir().unwrap();
    let (junit, report) = (dir.path().join("g.xml"), dir.path().join("g.json"));
    let o = run(&[
        "tests/scenarios/ground",
        "--junit",
        junit.to_str().unwrap(),
        "--json",
        report.to_str().unwrap(),
    ]);
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(
        out.contains(
            "sip2check: 1 scenarios: 1 passed, 0 failed, 0 errored, 0 skipped; 0 spec failures; 1 warnings (1 common, 0 dialect)"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "  warning  ground::grounds step 2 \"patron status\": AF expected /^Welcome/ got absent (common practice)"
        ),
        "{out}"
    );
    let v = json(&report);
    assert_eq!(
        checks(&v),
        [
            ("message".into(), "spec".into(), "passed".into()),
            ("AA".into(), "spec".into(), "passed".into()),
            ("AF".into(), "common".into(), "warned".into()),
            ("BL".into(), "evergreen".into(), "passed".into()),
        ],
        "the emulator profile's dialect is emulator and evergreen: the koha check is not evaluated"
    );
    assert_eq!(v["scenarios"][0]["steps"][1]["not_applied"], 1);
    assert_eq!(v["summary"]["warnings"]["common"], 1);
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("warning (common practice): AF expected /^Welcome/ got absent"),
        "{xml}"
    );
    assert!(!xml.contains("<failure"), "a warning is no failure: {xml}");
}

#[test]
fn a_dialect_check_applies_only_with_the_matching_profile_dialect_and_then_warns() {
    let dir = tempfile::tempdir().unwrap();
    let koha = profile(dir.path(), "koha.yaml", |t| {
        t.replace("dialect: [emulator, evergreen]", "dialect: koha")
    });
    let report = dir.path().join("k.json");
    let o = run(&[
        "tests/scenarios/ground",
        "--no-redact",
        "--profile",
        koha.to_str().unwrap(),
        "--json",
        report.to_str().unwrap(),
    ]);
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(
        out.contains("0 spec failures; 2 warnings (1 common, 1 dialect)"),
        "{out}"
    );
    assert!(
        out.contains(
            "AE expected \"Koha's idea of the name\" got \"David J. Fiander\" (Koha does)"
        ),
        "{out}"
    );
    let v = json(&report);
    let got = checks(&v);
    assert!(
        got.contains(&("AE".into(), "koha".into(), "warned".into())),
        "{got:?}"
    );
    assert!(
        !got.iter().any(|c| c.0 == "BL"),
        "the evergreen check does not apply to koha: {got:?}"
    );
}

#[test]
fn a_failed_spec_check_fails_the_run_and_says_spec_requires() {
    let dir = tempfile::tempdir().unwrap();
    let (junit, report) = (dir.path().join("f.xml"), dir.path().join("f.json"));
    let o = run(&[
        "tests/scenarios/fail",
        "--no-redact",
        "--junit",
        junit.to_str().unwrap(),
        "--json",
        report.to_str().unwrap(),
    ]);
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(
        out.contains("AE        \"David J. Fiandre\"  \"David J. Fiander\"  spec requires"),
        "{out}"
    );
    assert!(out.contains("1 failed, 0 errored, 0 skipped; 1 spec failures; 0 warnings"));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("(spec requires)\""),
        "the failure message names the ground: {xml}"
    );
    let v = json(&report);
    let step = &v["scenarios"][0]["steps"][1];
    assert_eq!(step["checks"][1]["ground"], "spec");
    assert_eq!(step["checks"][1]["verdict"], "failed");
}

#[test]
fn a_profile_without_some_records_runs_the_spec_suite_skipping_what_needs_them() {
    let dir = tempfile::tempdir().unwrap();
    let site = profile(
        dir.path(),
        "site.yaml",
        without(&["blocked_patron", "fined_patron"]),
    );
    let report = dir.path().join("s.json");
    let o = run(&[
        "scenarios/spec",
        "--profile",
        site.to_str().unwrap(),
        "--json",
        report.to_str().unwrap(),
    ]);
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    for line in [
        "0 failed, 0 errored, 2 skipped; 0 spec failures",
        "  skipped  spec::fee_paid: the profile has no fined_patron",
        "  skipped  spec::fee_paid_refused: the profile has no fined_patron",
        "  skipped  spec::checkout_refused step 6 \"blocked patron (charge privileges denied)\": the profile has no blocked_patron",
    ] {
        assert!(out.contains(line), "{line:?} in:\n{out}");
    }
    let v = json(&report);
    let scenario = |id: &str| {
        v["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(scenario("spec::fee_paid")["outcome"], "skipped");
    let refused = scenario("spec::checkout_refused");
    assert_eq!(refused["outcome"], "passed");
    let statuses: Vec<&str> = refused["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == "skipped").count(),
        1,
        "only the blocked patron's step: {statuses:?}"
    );
    assert!(statuses.iter().filter(|s| **s == "passed").count() > 5);
}

#[test]
fn a_step_with_its_own_needs_is_skipped_alone() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("n.json");
    let o = run(&["tests/scenarios/needs", "--json", report.to_str().unwrap()]);
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(
        out.contains("  skipped  needs::step_need step 2 \"a site-only patron\": the profile has no site_patron"),
        "{out}"
    );
    let v = json(&report);
    let steps = &v["scenarios"][0]["steps"];
    assert_eq!(v["scenarios"][0]["outcome"], "passed");
    assert_eq!(
        [
            &steps[0]["status"],
            &steps[1]["status"],
            &steps[2]["status"]
        ],
        ["passed", "skipped", "passed"]
    );
    assert_eq!(steps[1]["error"], "the profile has no site_patron");
}

#[test]
fn a_variable_typo_exits_2_with_a_did_you_mean_but_only_when_selected() {
    let o = run(&["tests/scenarios/typo_var"]);
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    assert!(
        err.contains("tests/scenarios/typo_var/typo.yaml:4:48: undefined variable \"patron.barcod\" (did you mean \"patron.barcode\"?)"),
        "{err}"
    );
    let o = run(&[
        "tests/scenarios/typo_var",
        "tests/scenarios/pass",
        "--filter",
        "pass::",
    ]);
    let (out, err) = streams(&o);
    assert_eq!(
        o.status.code(),
        Some(0),
        "variables are checked only for the selected scenarios: {out}\n{err}"
    );
}

#[test]
fn list_needs_no_variables() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.yaml");
    std::fs::write(&empty, "vars: {}\n").unwrap();
    let with_empty = run(&["--list", "--profile", empty.to_str().unwrap()]);
    let (out, err) = streams(&with_empty);
    assert_eq!(with_empty.status.code(), Some(0), "{out}\n{err}");
    let default = run(&["--list"]);
    assert_eq!(
        out,
        streams(&default).0,
        "the same list as with the full profile"
    );
    assert!(out.contains("spec::fee_paid: test"), "{out}");
    assert!(out.contains("siptest::03checkout: test"), "{out}");
    let typo = run(&["tests/scenarios/typo_var", "--list"]);
    assert_eq!(typo.status.code(), Some(0), "{:?}", streams(&typo));
}
