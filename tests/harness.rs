//! `runner::harness_main_with` (issue 11 item 7): a test crate's harness set up in code, with
//! no environment variables: the built-in emulator on a library file of its own, tags, strict,
//! the reports; an endpoint and a profile given as values; options that cannot work.

use std::path::Path;
use std::process::ExitCode;

use sip2check::acs::{self, Library, ServeOptions};
use sip2check::libtest_mimic::Arguments;
use sip2check::runner::{HarnessOptions, harness_main_with};
use sip2check::scenario::Profile;

/// libtest's arguments with its output in a file (this test's own stays readable).
fn quiet(dir: &Path) -> Arguments {
    Arguments {
        logfile: Some(dir.join("libtest.log").display().to_string()),
        ..Arguments::default()
    }
}

const LIBRARY: &str = "institutions: [{ id: BR1, name: Elsewhere Library }]
accounts: [{ login: sip_01, password: sip_01, institution: BR1, location: BR1 }]
patrons: [{ barcode: LIB7, name: Custom Patron }]
";

const MINE: &str = "tags: [mine]
steps:
  - use: login
  - name: a patron only the library file has
    send: \"23001{{ now }}AO{{ institution }}|AALIB7|AC|AD|\"
    expect:
      message: patron_status_response
      fields: { AE: Custom Patron, AO: \"{{ institution }}\" }
";

const OTHER: &str = "tags: [other]
steps:
  - send: \"99\"
";

#[test]
fn the_emulator_runs_a_library_file_with_tags_strict_and_every_report() {
    let dir = tempfile::tempdir().unwrap();
    let at = |p: &str| dir.path().join(p);
    std::fs::create_dir(at("suite")).unwrap();
    std::fs::write(at("suite/mine.yaml"), MINE).unwrap();
    std::fs::write(at("suite/other.yaml"), OTHER).unwrap();
    std::fs::write(at("library.yaml"), LIBRARY).unwrap();
    let code = harness_main_with(
        HarnessOptions::new([at("suite")])
            .library(at("library.yaml"))
            .tag("mine")
            .strict(true)
            .junit(at("junit.xml"))
            .json(at("run.json"))
            .html(at("reports/not/yet/there/run.html"))
            .args(quiet(dir.path())),
    );
    let log = std::fs::read_to_string(at("libtest.log")).unwrap();
    assert_eq!(code, ExitCode::SUCCESS, "{log}");
    assert!(log.contains("test suite::mine ... ok"), "{log}");
    assert!(!log.contains("suite::other"), "not tagged mine: {log}");
    let junit = std::fs::read_to_string(at("junit.xml")).unwrap();
    assert!(junit.contains("suite::mine"), "{junit}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(at("run.json")).unwrap()).unwrap();
    let ids: Vec<&str> = json["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(ids, ["suite::mine"]);
    assert!(
        std::fs::read_to_string(at("reports/not/yet/there/run.html"))
            .unwrap()
            .contains("suite::mine")
    );
    // The same scenario against the shipped library fails: the file was the one used.
    let code = harness_main_with(
        HarnessOptions::new([at("suite")])
            .tag("mine")
            .args(quiet(dir.path())),
    );
    assert_ne!(code, ExitCode::SUCCESS);
}

#[test]
fn an_endpoint_and_a_profile_given_in_code_need_no_environment() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(acs::spawn(Library::builtin(), ServeOptions::default()))
        .unwrap();
    let fail = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/fail");
    let junit = dir.path().join("junit.xml");
    let code = harness_main_with(
        HarnessOptions::new([&fail])
            .endpoint(server.addr().to_string())
            .profile(Profile::emulator().unwrap())
            .junit(&junit)
            .args(quiet(dir.path())),
    );
    let log = std::fs::read_to_string(dir.path().join("libtest.log")).unwrap();
    assert_ne!(code, ExitCode::SUCCESS, "a check fails: {log}");
    assert!(log.contains("test fail::wrong_name ... FAILED"), "{log}");
    let report = std::fs::read_to_string(&junit).unwrap();
    assert!(report.contains("<failure"), "{report}");
    assert!(report.contains(&server.addr().to_string()), "{report}");
    rt.block_on(server.shutdown());
}

#[test]
fn options_that_cannot_work_exit_2_and_an_empty_selection_3() {
    let dir = tempfile::tempdir().unwrap();
    let pass = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/pass");
    let code = harness_main_with(
        HarnessOptions::new([&pass])
            .endpoint("127.0.0.1:6001")
            .args(quiet(dir.path())),
    );
    assert_eq!(code, ExitCode::from(2), "an endpoint without a profile");
    let code = harness_main_with(
        HarnessOptions::new([&pass])
            .library(dir.path().join("nosuch.yaml"))
            .args(quiet(dir.path())),
    );
    assert_eq!(code, ExitCode::from(2), "a library file that is not there");
    let code = harness_main_with(
        HarnessOptions::new([&pass])
            .tag("nosuchtag")
            .args(quiet(dir.path())),
    );
    assert_eq!(code, ExitCode::from(3));
}
