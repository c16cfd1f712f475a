//! The installed binary needs no clone: from an empty directory, `sip2check init` writes a
//! profile from the templates built in, `run --suite` runs the built-in suites, and a copy of
//! the suites on disk (`init --suites`) overrides them.

mod common;

use std::path::Path;
use std::process::Output;

use common::cli::{bin, streams};

/// Runs the binary in `dir` with a scrubbed environment.
fn sip2check(dir: &Path, args: &[&str]) -> Output {
    bin()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Did libtest report scenario `id` as `ok`?
fn passed(out: &str, id: &str) -> bool {
    out.lines().any(|l| {
        l.strip_prefix("test ")
            .and_then(|r| r.strip_suffix(" ... ok"))
            .is_some_and(|name| name.trim_end() == id)
    })
}

/// The ids `run --list` prints.
fn listed(out: &str) -> Vec<&str> {
    out.lines()
        .filter_map(|l| l.split_once(": test").map(|(id, _)| id))
        .collect()
}

#[test]
fn from_an_empty_directory_init_then_run_the_built_in_siptest_passes() {
    let dir = tempfile::tempdir().unwrap();
    let o = sip2check(dir.path(), &["init", "--dialect", "emulator"]);
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("wrote sip2-profile.yaml"), "{out}");
    assert!(
        out.contains(
            "next: sip2check run --suite siptest --suite spec --profile sip2-profile.yaml"
        ),
        "{out}"
    );
    let json = dir.path().join("siptest.json");
    let o = sip2check(
        dir.path(),
        &[
            "run",
            "--suite",
            "siptest",
            "--json",
            json.to_str().unwrap(),
        ],
    );
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(
        err.contains("sip2check: suites: siptest built in"),
        "where the suites come from is a note, on stderr: {err}"
    );
    assert!(passed(&out, "siptest::03checkout"), "{out}");
    assert!(
        out.contains("test result: ok. 12 passed; 0 failed"),
        "{out}"
    );
    // Built-in files are named <built-in>/..., with the lines of the shipped files.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let item = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "siptest::11item_info")
        .unwrap();
    assert_eq!(
        item["file"],
        "<built-in>/scenarios/siptest/11item_info.yaml"
    );
    let line = std::fs::read_to_string(repo("scenarios/siptest/11item_info.yaml"))
        .unwrap()
        .lines()
        .position(|l| l.contains("- name: \"Item Information"))
        .unwrap()
        + 1;
    assert_eq!(
        item["steps"][2]["loc"],
        format!("<built-in>/scenarios/siptest/11item_info.yaml:{line}")
    );
    // The profile init wrote works too, and a tag selects across a built-in suite.
    let o = sip2check(
        dir.path(),
        &[
            "run",
            "--suite",
            "spec",
            "--tag",
            "core",
            "--profile",
            "sip2-profile.yaml",
        ],
    );
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(passed(&out, "spec::login"), "{out}");
    assert!(!out.contains("spec::checkout "), "not core: {out}");
}

#[test]
fn init_writes_each_template_built_in_and_refuses_to_overwrite() {
    let root = tempfile::tempdir().unwrap();
    for system in [
        "evergreen",
        "koha",
        "folio",
        "sirsi",
        "sierra",
        "polaris",
        "emulator",
    ] {
        let dir = root.path().join(system);
        let args = ["init", "--dialect", system, "--dir", dir.to_str().unwrap()];
        let o = sip2check(root.path(), &args);
        let (out, err) = streams(&o);
        match std::fs::read_to_string(repo(&format!("fixtures/profiles/{system}.yaml"))) {
            Ok(template) => {
                assert_eq!(o.status.code(), Some(0), "{system}: {out}\n{err}");
                let written = dir.join("sip2-profile.yaml");
                let profile = std::fs::read_to_string(&written).unwrap();
                // The schema line points at schemas/ beside it; the rest is the template.
                let (line, rest) = profile.split_once('\n').unwrap();
                assert_eq!(
                    line,
                    "# yaml-language-server: $schema=schemas/profile.schema.json"
                );
                assert_eq!(Some(rest), template.split_once('\n').map(|(_, r)| r));
                assert!(dir.join("schemas/profile.schema.json").is_file());
                assert!(out.contains(&format!("next: cd {} && ", dir.display())));
                let again = sip2check(root.path(), &args);
                assert_eq!(again.status.code(), Some(2), "{system}");
                let (_, err) = streams(&again);
                assert!(
                    err.contains(&format!("{} already exists", written.display())),
                    "{err}"
                );
                assert_eq!(std::fs::read_to_string(&written).unwrap(), profile);
            }
            Err(_) => {
                assert_eq!(o.status.code(), Some(2), "{system}: {out}\n{err}");
                assert!(
                    err.contains(&format!("no {system} template in this build")),
                    "{err}"
                );
                assert!(!dir.exists(), "{system}: nothing written");
            }
        }
    }
    let o = sip2check(root.path(), &["init", "--dialect", "alma"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_copy_of_the_suites_from_init_overrides_the_built_in_ones() {
    let empty = tempfile::tempdir().unwrap();
    let o = sip2check(empty.path(), &["run", "--list"]);
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("no scenarios/ here: running the built-in suites siptest, spec"),
        "{err}"
    );
    let all = listed(&out).len();
    assert!(listed(&out).contains(&"spec::login"), "{out}");

    let dir = tempfile::tempdir().unwrap();
    let o = sip2check(dir.path(), &["init", "--suites"]);
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(
        out.contains("wrote scenarios/: the suites siptest, spec"),
        "{out}"
    );
    for name in ["common.yaml", "siptest/03checkout.yaml", "spec/login.yaml"] {
        assert_eq!(
            std::fs::read(dir.path().join("scenarios").join(name)).unwrap(),
            std::fs::read(repo("scenarios").join(name)).unwrap(),
            "{name}"
        );
    }
    let o = sip2check(dir.path(), &["run", "--list"]);
    assert_eq!(listed(&streams(&o).0).len(), all);
    // Customise the copy: keep one siptest scenario.
    for entry in std::fs::read_dir(dir.path().join("scenarios/siptest")).unwrap() {
        let p = entry.unwrap().path();
        if !p.ends_with("03checkout.yaml") {
            std::fs::remove_file(p).unwrap();
        }
    }
    let o = sip2check(dir.path(), &["run", "--suite", "siptest", "--list"]);
    let (out, err) = streams(&o);
    assert_eq!(listed(&out), ["siptest::03checkout"], "{out}");
    assert!(
        err.contains("suites: siptest from scenarios/siptest"),
        "{err}"
    );
    let o = sip2check(dir.path(), &["run", "--suite", "siptest"]);
    let (out, err) = streams(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("test result: ok. 1 passed"), "{out}");
    // init refuses a second copy and writes nothing, not even the missing files.
    std::fs::remove_file(dir.path().join("sip2-profile.yaml")).unwrap();
    let o = sip2check(dir.path(), &["init", "--suites"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(streams(&o).1.contains("already exist"), "{}", streams(&o).1);
    assert!(!dir.path().join("sip2-profile.yaml").exists());
    assert!(
        !dir.path()
            .join("scenarios/siptest/00sc_status.yaml")
            .exists()
    );
}
