//! `sip2check diff` end to end, through the binary: the README's upgrade-gate demo exactly as
//! the README shows it, two equal servers, fault knobs and a changed library on the new side
//! (built-in emulators and `serve` endpoints), the JSON and JUnit reports, and the exit codes.

mod common;

use std::path::Path;
use std::process::Output;

use common::cli::{bin, output, serve_isolated, stdout, text};
const README: &str = include_str!("../README.md");
const DEMO_LIBRARY: &str = "fixtures/upgrade-demo/library-new.yaml";
const PROFILE: &str = "fixtures/profiles/emulator.yaml";

/// The README's demo: the command after `$ ` and the output under it, from the first
/// ```console block that runs `sip2check diff`.
fn readme_demo() -> (Vec<String>, String) {
    let start = README
        .find("```console\n$ sip2check diff ")
        .expect("the README shows a sip2check diff");
    let block = &README[start + "```console\n".len()..];
    let block = &block[..block.find("```").expect("the block ends")];
    let (command, output) = block
        .split_once('\n')
        .expect("a command line and its output");
    let args = command
        .trim_start_matches("$ sip2check ")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    (args, output.to_string())
}

#[test]
fn the_readme_upgrade_gate_demo_shows_exactly_the_injected_differences() {
    let (args, shown) = readme_demo();
    assert!(
        args.iter().any(|a| a == DEMO_LIBRARY),
        "the demo uses {DEMO_LIBRARY}: {args:?}"
    );
    let o = output(&args);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(
        stdout(&o),
        shown,
        "the README shows what `sip2check {}` prints",
        args.join(" ")
    );
    let digits = stdout(&o)
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max();
    assert!(
        digits < Some(8) && !stdout(&o).contains("<date>"),
        "no dates in the diff"
    );
    // The demo library is the built-in one with exactly two lines changed.
    let read =
        |p: &str| std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(p)).unwrap();
    let (builtin, demo) = (read("fixtures/library.yaml"), read(DEMO_LIBRARY));
    let data = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_string)
            .collect()
    };
    let (a, b) = (data(&builtin), data(&demo));
    assert_eq!(a.len(), b.len());
    let changed: Vec<(&String, &String)> = a.iter().zip(&b).filter(|(x, y)| x != y).collect();
    assert_eq!(changed.len(), 2, "{changed:#?}");
    assert!(changed[0].1.contains("title: Snow Crash,"), "{changed:?}");
    assert!(changed[1].1.ends_with("status: \"12\" }"), "{changed:?}");
}

#[test]
fn two_equal_servers_do_not_differ_and_the_reports_say_so() {
    let dir = tempfile::tempdir().unwrap();
    // The report folders do not exist yet: diff makes them, as run does.
    let (json, junit) = (
        dir.path().join("reports/d.json"),
        dir.path().join("junit/d.xml"),
    );
    let o = output(&[
        "diff".as_ref(),
        "scenarios/siptest".as_ref(),
        "--json".as_ref(),
        json.as_os_str(),
        "--junit".as_ref(),
        junit.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        stdout(&o),
        "sip2check diff: 12 scenario(s); old: built-in emulator; new: built-in emulator\n\
         sip2check diff: no differences in 99 steps of 12 scenarios\n"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["same"], true);
    assert_eq!(v["summary"]["steps"], 99);
    assert_eq!(
        v["scenarios"][3]["steps"][2]["id"],
        "siptest::03checkout/checkout-valid-item-valid-patron"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), 99, "{xml}");
    assert!(!xml.contains("<failure"), "{xml}");
}

#[test]
fn a_dropped_field_shows_in_the_console_json_and_junit() {
    let dir = tempfile::tempdir().unwrap();
    let (json, junit) = (dir.path().join("d.json"), dir.path().join("d.xml"));
    let o = output(&[
        "diff".as_ref(),
        "scenarios/spec/item_information.yaml".as_ref(),
        "--new-drop-field".as_ref(),
        "AJ".as_ref(),
        "--json".as_ref(),
        json.as_os_str(),
        "--junit".as_ref(),
        junit.as_os_str(),
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        out.contains(
            "spec::item_information/available-item\n    field     old                         new\n    AJ        \"Perl 5 desktop reference\"  absent\n    verdict   passed                      failed\n"
        ),
        "{out}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let step = &v["scenarios"][0]["steps"][2];
    assert_eq!(step["id"], "spec::item_information/available-item");
    assert_eq!(step["changes"][0]["part"], "AJ");
    assert_eq!(step["changes"][0]["kind"], "removed");
    assert_eq!(step["old_response"]["code"], "18");
    assert_eq!(v["new"]["label"], "built-in emulator with dropping AJ");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<failure type=\"diff\" message=\"AJ &quot;Perl 5 desktop reference&quot; -&gt; absent; verdict passed -&gt; failed\""),
        "{xml}"
    );
    let mut reader = quick_xml::Reader::from_str(&xml);
    loop {
        match reader.read_event().expect("well-formed JUnit") {
            quick_xml::events::Event::Eof => break,
            _ => continue,
        }
    }
}

#[test]
fn wrong_flags_and_a_dialect_on_the_new_side_differ() {
    let o = output(&[
        "diff",
        "scenarios/spec/checkin_refused.yaml",
        "--new-dialect",
        "koha",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        out.contains("spec::checkin_refused/item-not-on-loan\n    field     old       new\n    alert     \"N\"       \"Y\"\n"),
        "Koha alerts on a checkin of an item not on loan: {out}"
    );
    let o = output(&[
        "diff",
        "scenarios/siptest/00sc_status.yaml",
        "--new-wrong-flags",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        out.contains("    on_line_status      \"Y\"       \"N\"\n"),
        "{out}"
    );
}

#[test]
fn two_servers_by_address_show_the_same_differences_as_two_emulators() {
    let (old, new) = (
        serve_isolated(Some(Path::new("fixtures/library.yaml"))),
        serve_isolated(Some(Path::new(DEMO_LIBRARY))),
    );
    let paths = ["scenarios/spec/encoding.yaml", "scenarios/spec/hold.yaml"];
    let mut args = vec!["diff", "--old", &old.endpoint, "--old-profile", PROFILE];
    args.extend(["--new", &new.endpoint, "--new-profile", PROFILE]);
    args.extend(paths);
    let by_address = output(&args);
    assert_eq!(by_address.status.code(), Some(1), "{}", text(&by_address));
    let mut emulators = vec!["diff", "--new-library", DEMO_LIBRARY];
    emulators.extend(paths);
    let built_in = output(&emulators);
    let body = |o: &Output| stdout(o).lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&by_address), body(&built_in));
    assert!(
        stdout(&by_address).starts_with(&format!(
            "sip2check diff: 2 scenario(s); old: {}; new: {}\n",
            old.endpoint, new.endpoint
        )),
        "{}",
        stdout(&by_address)
    );
}

#[test]
fn usage_errors_exit_2_and_an_unreachable_server_exits_4() {
    let o = output(&["diff", "scenarios/spec/login.yaml", "--old", "127.0.0.1:1"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--old 127.0.0.1:1 needs --old-profile"));
    let o = output(&[
        "diff",
        "scenarios/spec/login.yaml",
        "--new",
        "127.0.0.1:1",
        "--new-profile",
        PROFILE,
        "--new-wrong-flags",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("set up the built-in emulator"),
        "{}",
        text(&o)
    );
    let o = output(&[
        "diff",
        "scenarios/spec/login.yaml",
        "--old",
        "127.0.0.1:1",
        "--old-profile",
        PROFILE,
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(text(&o).contains("old side: capability probe of 127.0.0.1:1 failed"));
}

/// `diff` finds scenarios as `run` does, from any directory: `--suite NAME` is the built-in
/// suite unless ./scenarios/NAME exists, and no paths at all is every built-in suite when there
/// is no ./scenarios.
#[test]
fn diff_finds_suites_like_run_from_any_directory() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let in_dir = |args: &[&std::ffi::OsStr]| {
        bin()
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("the binary runs")
    };
    let o = in_dir(&["diff".as_ref(), "--suite".as_ref(), "siptest".as_ref()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        stdout(&o),
        "sip2check diff: 12 scenario(s); old: built-in emulator; new: built-in emulator\n\
         sip2check diff: no differences in 99 steps of 12 scenarios\n"
    );
    assert!(
        text(&o).contains("sip2check diff: suites: siptest built in"),
        "{}",
        text(&o)
    );
    let demo = root.join(DEMO_LIBRARY);
    let o = in_dir(&["diff".as_ref(), "--new-library".as_ref(), demo.as_os_str()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        stdout(&o).starts_with("sip2check diff: 52 scenario(s); old: built-in emulator; new: built-in emulator with library "),
        "{}",
        text(&o)
    );
    assert!(
        stdout(&o).ends_with("sip2check diff: 14 of 321 steps differ, in 10 of 52 scenarios (24 field changes, 4 verdict changes)\n"),
        "the README's count over all the shipped scenarios: {}",
        text(&o)
    );
    assert!(
        text(&o).contains("no scenarios/ here: running the built-in suites siptest, spec"),
        "{}",
        text(&o)
    );
    let o = in_dir(&["diff".as_ref(), "--suite".as_ref(), "sptest".as_ref()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("no suite \"sptest\" (did you mean \"siptest\"?)"),
        "{}",
        text(&o)
    );
    // A copy on disk wins, as with `run --suite`: here one scenario of the suite.
    let local = dir.path().join("scenarios/siptest");
    std::fs::create_dir_all(&local).unwrap();
    std::fs::copy(
        root.join("scenarios/siptest/00sc_status.yaml"),
        local.join("00sc_status.yaml"),
    )
    .unwrap();
    std::fs::copy(
        root.join("scenarios/common.yaml"),
        dir.path().join("scenarios/common.yaml"),
    )
    .unwrap();
    let o = in_dir(&["diff".as_ref(), "--suite".as_ref(), "siptest".as_ref()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        stdout(&o).starts_with("sip2check diff: 1 scenario(s);"),
        "{}",
        text(&o)
    );
    assert!(
        text(&o).contains("suites: siptest from scenarios/siptest"),
        "{}",
        text(&o)
    );
}
