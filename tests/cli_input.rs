//! Bad input files, end to end: every file sip2check reads (scenarios, profiles, library
//! files, TLS PEM files) goes through one reader, so a byte-order mark is accepted, a FIFO
//! or device named like a YAML or PEM file is refused at once, a symbolic link loop is named
//! as such, and each exits 2 naming the file.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::cli::{bin, output_within, stderr, stdout};

/// What a run of the binary left behind.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the binary in the crate root; a run that does not end within 30 s is killed and fails.
fn sip2check(args: &[&str]) -> Run {
    let o = output_within(bin().args(args), Duration::from_secs(30));
    Run {
        code: o.status.code(),
        stdout: stdout(&o),
        stderr: stderr(&o),
    }
}

fn write(path: &Path, bytes: &[u8]) -> String {
    std::fs::write(path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

#[cfg(unix)]
fn mkfifo(path: &Path) -> String {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
    path.to_str().unwrap().to_string()
}

#[test]
fn a_byte_order_mark_is_accepted_in_scenarios_and_profiles() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("bom");
    std::fs::create_dir(&suite).unwrap();
    write(
        &suite.join("status.yaml"),
        b"\xEF\xBB\xBFname: with a BOM\nsteps:\n  - use: login\n  - use: sc_status\n",
    );
    let emulator = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/profiles/emulator.yaml"),
    )
    .unwrap();
    let profile = write(
        &dir.path().join("profile.yaml"),
        &[b"\xEF\xBB\xBF".as_slice(), &emulator].concat(),
    );
    let r = sip2check(&["run", suite.to_str().unwrap(), "--profile", &profile]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("1 passed"), "{}", r.stdout);
}

#[cfg(unix)]
#[test]
fn a_fifo_named_yaml_is_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("fifo");
    std::fs::create_dir(&suite).unwrap();
    mkfifo(&suite.join("pipe.yaml"));
    let r = sip2check(&["run", suite.to_str().unwrap()]);
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("pipe.yaml:1:1: is a named pipe (FIFO), not a regular file"),
        "{}",
        r.stderr
    );
    let profile = mkfifo(&dir.path().join("profile.yaml"));
    let r = sip2check(&["run", "tests/scenarios/pass", "--profile", &profile]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("is a named pipe"), "{}", r.stderr);
    let r = sip2check(&["run", "tests/scenarios/pass", "--profile", "/dev/zero"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("is a character device"), "{}", r.stderr);
    let library = mkfifo(&dir.path().join("library.yaml"));
    let r = sip2check(&["serve", "--library", &library]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("is a named pipe"), "{}", r.stderr);
    let ca = mkfifo(&dir.path().join("ca.pem"));
    let r = sip2check(&["send", "--endpoint", "127.0.0.1:1", "--ca", &ca, "99"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains("ca.pem") && r.stderr.contains("is a named pipe"),
        "{}",
        r.stderr
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_loop_is_reported_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("loop");
    std::fs::create_dir(&suite).unwrap();
    std::os::unix::fs::symlink("b.yaml", suite.join("a.yaml")).unwrap();
    std::os::unix::fs::symlink("a.yaml", suite.join("b.yaml")).unwrap();
    let r = sip2check(&["run", suite.to_str().unwrap()]);
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("a.yaml:1:1: is a symbolic link loop"),
        "{}",
        r.stderr
    );
    let a = suite.join("a.yaml");
    let r = sip2check(&["run", a.to_str().unwrap()]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("symbolic link loop"), "{}", r.stderr);
}

#[test]
fn pem_files_without_a_certificate_or_key_exit_2_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(&dir.path().join("empty.pem"), b"# no PEM here\n");
    let r = sip2check(&["serve", "--tls-cert", &empty, "--tls-key", &empty]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains("empty.pem: holds no PEM certificate"),
        "{}",
        r.stderr
    );
    let r = sip2check(&["send", "--endpoint", "127.0.0.1:1", "--ca", &empty, "99"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains("empty.pem: holds no PEM certificate"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_endpoint_without_a_port_exits_2_from_the_flag_or_the_profile() {
    let r = sip2check(&[
        "run",
        "tests/scenarios/pass",
        "--endpoint",
        "localhost",
        "--profile",
        "fixtures/profiles/emulator.yaml",
    ]);
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("endpoint \"localhost\" has no port; write it as HOST:PORT"),
        "{}",
        r.stderr
    );
    let dir = tempfile::tempdir().unwrap();
    let profile = write(&dir.path().join("p.yaml"), b"endpoint: sip.example.org\n");
    let r = sip2check(&["run", "tests/scenarios/pass", "--profile", &profile]);
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("p.yaml: endpoint \"sip.example.org\" has no port"),
        "{}",
        r.stderr
    );
}
