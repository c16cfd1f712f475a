//! End-to-end tests of `sip2check completions` and `sip2check man`: the built binary's output
//! names every subcommand, the bash script parses, and the roff renders without a warning.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use clap::CommandFactory;
use common::cli::output;
use sip2check::cli::Cli;

/// Every subcommand's name, from the same definitions the binary uses.
fn subcommands() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect()
}

/// Runs `program args` with `input` on stdin; None if the program is not installed.
fn pipe(program: &str, args: &[&str], input: &[u8]) -> Option<Output> {
    let mut child = match Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => panic!("{program}: {e}"),
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    Some(child.wait_with_output().expect("finishes"))
}

/// How one shell's completion script offers subcommand NAME.
type Offer = fn(&str) -> String;

#[test]
fn completions_for_every_shell_offer_every_subcommand() {
    let names = subcommands();
    assert!(names.len() >= 7, "{names:?}");
    // How each shell's script offers a subcommand (its name, then its one-line help).
    let offers: [(&str, Offer); 5] = [
        ("bash", |n| format!("sip2check,{n})")),
        ("zsh", |n| format!("'{n}:")),
        ("fish", |n| format!("-a \"{n}\" -d '")),
        ("powershell", |n| {
            format!("[CompletionResult]::new('{n}', '{n}',")
        }),
        ("elvish", |n| format!("cand {n} '")),
    ];
    for (shell, offer) in offers {
        let o = output(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {o:?}");
        let script = String::from_utf8(o.stdout).expect("UTF-8");
        for name in &names {
            assert!(
                script.contains(&offer(name)),
                "{shell} does not offer {name}"
            );
        }
    }
}

#[test]
fn the_bash_script_parses_and_completes_subcommands() {
    let o = output(&["completions", "bash"]);
    // bash is on every machine this project builds on; a missing one fails here.
    let check = pipe("bash", &["-n"], &o.stdout).expect("bash is installed");
    assert!(check.status.success(), "{check:?}");
    // Source the script and ask for the completions of "sip2check ma".
    let script = String::from_utf8(o.stdout).expect("UTF-8");
    let ask = format!(
        "{script}\nCOMP_WORDS=(sip2check ma); COMP_CWORD=1; COMP_LINE='sip2check ma'; COMP_POINT=12\n_sip2check sip2check ma sip2check\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n"
    );
    let done = pipe("bash", &[], ask.as_bytes()).expect("bash is installed");
    assert!(done.status.success(), "{done:?}");
    assert_eq!(String::from_utf8_lossy(&done.stdout).trim(), "man");
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let o = output(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_man_page_lists_every_subcommand_and_renders() {
    let o = output(&["man"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let page = String::from_utf8(o.stdout.clone()).expect("UTF-8");
    assert!(page.starts_with(".ie") || page.starts_with(".TH"), "{page}");
    assert!(page.contains(".TH sip2check 1"), "{page}");
    for name in subcommands() {
        assert!(
            page.contains(&format!("sip2check\\-{name}(1)")),
            "lacks {name}"
        );
    }
    render_cleanly(&o.stdout);
}

#[test]
fn a_subcommand_page_has_its_flags() {
    let o = output(&["man", "decode"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let page = String::from_utf8(o.stdout.clone()).expect("UTF-8");
    assert!(
        page.contains(".TH sip2check-decode 1  \"sip2check "),
        "{page}"
    );
    assert!(page.contains("\\-\\-protocol"), "{page}");
    render_cleanly(&o.stdout);
    let o = output(&["man", "nosuch"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no subcommand \"nosuch\"") && err.contains("decode"),
        "{err}"
    );
}

/// groff reads the page with every warning on and prints none (checked where groff is installed).
fn render_cleanly(roff: &[u8]) {
    let Some(o) = pipe("groff", &["-man", "-Tutf8", "-ww", "-z"], roff) else {
        eprintln!("groff is not installed: the page's roff was not rendered");
        return;
    };
    assert!(o.status.success(), "{o:?}");
    assert_eq!(String::from_utf8_lossy(&o.stderr), "", "groff warnings");
}
