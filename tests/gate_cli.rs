//! The upgrade gate end to end, through the binary: `run --write-baseline` / `--baseline` /
//! `--strict-baseline`, and `run --record-snapshots` / `--snapshots` (with the instability
//! filter and a profile's `volatile:`), against the built-in emulator and against `serve`
//! with a changed library (a server after an upgrade).

mod common;

use std::path::{Path, PathBuf};

use common::cli::{output, serve_isolated, text};

/// The built-in library with `from` replaced by `to`, written under `dir`.
fn library(dir: &Path, name: &str, from: &str, to: &str) -> PathBuf {
    let builtin = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/library.yaml"),
    )
    .unwrap();
    assert!(builtin.contains(from), "{from} is in the built-in library");
    let path = dir.join(name);
    std::fs::write(&path, builtin.replace(from, to)).unwrap();
    path
}

const PROFILE: &str = "fixtures/profiles/emulator.yaml";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_written_baseline_makes_known_failures_pass_and_is_not_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let known = dir.path().join("known.yaml");
    let o = output(&["run", "tests/scenarios/fail", "--write-baseline", s(&known)]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the run still fails: {}",
        text(&o)
    );
    assert!(
        text(&o).contains("wrote 1 known failure(s) to"),
        "{}",
        text(&o)
    );
    let written = std::fs::read_to_string(&known).unwrap();
    assert!(
        written.contains("# sip2check baseline:") && written.contains("# Written "),
        "{written}"
    );
    // The patron's name is personal data: masked, the entry accepts any value of AE.
    assert!(
        written.contains(
            "  # failure (spec requires): AE expected *** got ***\n  - scenario: 'fail::wrong_name'\n    step: 'valid-patron-wrong-expected-name'\n    target: 'AE'\n"
        ) && !written.contains("Fiander"),
        "{written}"
    );
    let again = output(&["run", "tests/scenarios/fail", "--write-baseline", s(&known)]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(text(&again).contains("give --force"), "{}", text(&again));

    let junit = dir.path().join("j.xml");
    let json = dir.path().join("j.json");
    let o = output(&[
        "run",
        "tests/scenarios/fail",
        "--baseline",
        s(&known),
        "--junit",
        s(&junit),
        "--json",
        s(&json),
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("test fail::wrong_name ... ok"), "{out}");
    assert!(out.contains("; baseline: 1 known, 0 fixed"), "{out}");
    assert!(
        out.contains("  known    fail::wrong_name/valid-patron-wrong-expected-name: AE expected \"***\" got \"***\" ("),
        "{out}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<skipped type=\"known\" message=\"known failure: AE expected"),
        "{xml}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let step = &report["scenarios"][0]["steps"][1];
    assert_eq!(step["status"], "known");
    assert_eq!(step["checks"][1]["verdict"], "known", "{step}");
    assert_eq!(report["summary"]["known"], 1);

    let forced = output(&[
        "run",
        "tests/scenarios/fail",
        "--baseline",
        s(&known),
        "--write-baseline",
        s(&known),
        "--force",
    ]);
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced));
    assert!(
        std::fs::read_to_string(&known)
            .unwrap()
            .contains("target: 'AE'"),
        "a refreshed baseline keeps the known failure"
    );
}

#[test]
fn after_an_upgrade_a_new_failure_fails_and_a_fixed_entry_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let known = dir.path().join("known.yaml");
    // With --no-redact the entry holds the name, so another name is a new failure.
    let o = output(&[
        "run",
        "tests/scenarios/fail",
        "--no-redact",
        "--write-baseline",
        s(&known),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        std::fs::read_to_string(&known)
            .unwrap()
            .contains("    got: '\"David J. Fiander\"'"),
        "the value is written"
    );

    let renamed = library(dir.path(), "renamed.yaml", "David J. Fiander", "D. Fiander");
    let server = serve_isolated(Some(&renamed));
    let o = output(&[
        "run",
        "tests/scenarios/fail",
        "--endpoint",
        &server.endpoint,
        "--profile",
        PROFILE,
        "--baseline",
        s(&known),
        "--no-redact",
    ]);
    let out = text(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a different failure is new: {out}"
    );
    assert!(out.contains("test fail::wrong_name ... FAILED"), "{out}");
    assert!(
        out.contains("\"David J. Fiandre\"  \"D. Fiander\""),
        "{out}"
    );
    drop(server);

    let fixed = library(
        dir.path(),
        "fixed.yaml",
        "David J. Fiander",
        "David J. Fiandre",
    );
    let server = serve_isolated(Some(&fixed));
    let args = [
        "run",
        "tests/scenarios/fail",
        "--endpoint",
        &server.endpoint,
        "--profile",
        PROFILE,
        "--baseline",
        s(&known),
        "--no-redact",
    ];
    let o = output(&args);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("; baseline: 0 known, 1 fixed"), "{out}");
    assert!(
        out.contains("  fixed    fail::wrong_name/valid-patron-wrong-expected-name: AE got \"David J. Fiander\" (")
            && out.contains(": remove it from the baseline"),
        "{out}"
    );
    let mut strict = args.to_vec();
    strict.push("--strict-baseline");
    let o = output(&strict);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("--strict-baseline"), "{out}");
}

#[test]
fn bad_baseline_files_are_errors_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let known = dir.path().join("known.yaml");
    std::fs::write(
        &known,
        "known:\n  - scenario: fail::wrong_name\n    step: valid-patron-wrong-expected-nam\n    target: AE\n",
    )
    .unwrap();
    let o = output(&["run", "tests/scenarios/fail", "--baseline", s(&known)]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains(&format!(
            "{}:2:1: fail::wrong_name has no step",
            known.display()
        )) && out.contains("did you mean \"valid-patron-wrong-expected-name\""),
        "{out}"
    );
    std::fs::write(
        &known,
        "known:\n  - scenario: a\n    step: b\n    target: AEE\n",
    )
    .unwrap();
    let o = output(&["run", "tests/scenarios/fail", "--baseline", s(&known)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains(&format!("{}:2:1: unknown target \"AEE\"", known.display())),
        "{}",
        text(&o)
    );
}

#[test]
fn snapshots_catch_a_changed_field_ignore_dates_and_drop_what_differs_between_recordings() {
    let dir = tempfile::tempdir().unwrap();
    let snaps = dir.path().join("snaps");
    let o = output(&[
        "run",
        "tests/scenarios/pass",
        "--record-snapshots",
        s(&snaps),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("recorded 2 snapshot(s) in {}", snaps.display())),
        "{}",
        text(&o)
    );
    let item = std::fs::read_to_string(snaps.join("pass/item.yaml")).unwrap();
    assert!(
        item.contains("      - AF: 'Call number QA76.73.P22 S63'")
            && item.contains("      transaction_date: '<date>'"),
        "{item}"
    );
    // Another run, another day: dates differ, nothing else.
    let o = output(&["run", "tests/scenarios/pass", "--snapshots", s(&snaps)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let moved = library(
        dir.path(),
        "moved.yaml",
        "QA76.73.P22 S63",
        "QA76.73.P22 S64",
    );
    let server = serve_isolated(Some(&moved));
    let against = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "tests/scenarios/pass",
            "--endpoint",
            &server.endpoint,
            "--profile",
        ];
        args.extend_from_slice(extra);
        output(&args)
    };
    let o = against(&[PROFILE, "--snapshots", s(&snaps)]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("---- pass::item ----"), "{out}");
    assert!(
        out.contains("snapshot AF  \"Call number QA76.73.P22 S63\"  \"Call number QA76.73.P22 S64\"  the snapshot"),
        "{out}"
    );
    assert!(
        out.contains("the response differs from its snapshot in"),
        "{out}"
    );

    let site = dir.path().join("site.yaml");
    let profile = std::fs::read_to_string(PROFILE).unwrap();
    std::fs::write(&site, format!("volatile: [AF]\n{profile}")).unwrap();
    let o = against(&[s(&site), "--snapshots", s(&snaps)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the profile says AF is volatile: {}",
        text(&o)
    );

    let o = against(&[PROFILE, "--record-snapshots", s(&snaps)]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("  unstable  pass::item/an-available-item: AF differs between two recordings (\"Call number QA76.73.P22 S63\" / \"Call number QA76.73.P22 S64\"): marked unstable"),
        "{out}"
    );
    let item = std::fs::read_to_string(snaps.join("pass/item.yaml")).unwrap();
    assert!(
        item.contains("    unstable: [AF]") && !item.contains("Call number"),
        "{item}"
    );
    let o = against(&[PROFILE, "--snapshots", s(&snaps)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    drop(server);
    let o = output(&["run", "tests/scenarios/pass", "--snapshots", s(&snaps)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn snapshot_differences_can_be_baselined() {
    let dir = tempfile::tempdir().unwrap();
    let snaps = dir.path().join("snaps");
    let o = output(&[
        "run",
        "tests/scenarios/pass",
        "--record-snapshots",
        s(&snaps),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let moved = library(
        dir.path(),
        "moved.yaml",
        "QA76.73.P22 S63",
        "QA76.73.P22 S64",
    );
    let server = serve_isolated(Some(&moved));
    let known = dir.path().join("known.yaml");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "tests/scenarios/pass",
            "--endpoint",
            &server.endpoint,
            "--profile",
            PROFILE,
            "--snapshots",
            s(&snaps),
        ];
        args.extend_from_slice(extra);
        output(&args)
    };
    let o = run(&["--write-baseline", s(&known)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let written = std::fs::read_to_string(&known).unwrap();
    assert!(
        written.contains("    target: 'snapshot AF'\n    got: '\"Call number QA76.73.P22 S64\"'"),
        "{written}"
    );
    let o = run(&["--baseline", s(&known)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn a_missing_snapshot_directory_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = output(&[
        "run",
        "tests/scenarios/pass",
        "--snapshots",
        s(&dir.path().join("none")),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("record one with --record-snapshots"));
}
