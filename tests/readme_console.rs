//! Every `console` block of the README is run, in order, as a reader following it would run
//! it, and its output is compared with what the README shows, so no example can rot.
//!
//! The conventions, which the README's text keeps to:
//! - `$ COMMAND` lines are run by bash, each block in one shell (its `$?`, jobs and variables
//!   carry over from line to line); stderr goes with stdout, as on a terminal. The lines after a
//!   command, up to the next `$`, are its output; a line `...` stands for any number of lines.
//! - `COMMAND &` (a simple command) runs in the background; its first line of output is shown
//!   (a server's `listening on ...`), the rest is not, unless the command redirects it itself.
//!   A block's background jobs are stopped at its end.
//! - Blocks run in one working directory, with copies of `scenarios/`, `fixtures/` and the
//!   test data of `tests/`: what one block writes (a recorded session, a baseline) the next
//!   one reads. `<!-- readme: file PATH -->` before a fenced block writes that block to PATH
//!   there first; `<!-- readme: empty directory -->` before a `console` block runs it in an
//!   empty directory of its own; `<!-- readme: numbers vary -->` compares it with every number
//!   masked (a load test's counts).
//! - The fixed ports 6001, 6002, 7001 and 9464 become free loopback ports (and back in the output);
//!   dates, times, durations and the built-in emulator's own port are masked on both sides.
//! - `sh` blocks are commands for the reader's own server or CI, and are not run.
//! - The commands use bash, coreutils, grep and sed, and `curl` once (the metrics endpoint);
//!   no jq, so that `cargo test` needs nothing a Rust machine lacks. Unix only, as the examples.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use regex::Regex;

const README: &str = include_str!("../README.md");
/// The ports the README's examples name, each given a free one for the run.
const FIXED_PORTS: [u16; 4] = [6001, 6002, 7001, 9464];
/// A block that takes longer than this is stopped and reported.
const BLOCK_TIMEOUT: Duration = Duration::from_secs(180);

/// One `$ COMMAND` line and the output the README shows for it.
#[derive(Debug)]
struct Exchange {
    command: String,
    expected: Vec<String>,
}

/// A `console` block.
#[derive(Debug)]
struct ConsoleBlock {
    /// README line of the opening fence.
    line: usize,
    empty_dir: bool,
    numbers_vary: bool,
    exchanges: Vec<Exchange>,
}

/// What the README holds, in order: files to write and blocks to run.
#[derive(Debug)]
enum Item {
    File { path: String, content: String },
    Console(ConsoleBlock),
}

fn parse(readme: &str) -> Vec<Item> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut items = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(info) = lines[i].strip_prefix("```") else {
            i += 1;
            continue;
        };
        let open = i;
        let end = (open + 1..lines.len())
            .find(|&j| lines[j].trim_end() == "```")
            .unwrap_or_else(|| panic!("README.md:{}: a fence that is never closed", open + 1));
        let body = &lines[open + 1..end];
        let directives = directives_before(&lines, open);
        if let Some(path) = directives.iter().find_map(|d| d.strip_prefix("file ")) {
            let mut content = body.join("\n");
            content.push('\n');
            items.push(Item::File {
                path: path.trim().to_string(),
                content,
            });
        } else if info.trim() == "console" {
            items.push(Item::Console(ConsoleBlock {
                line: open + 1,
                empty_dir: directives.iter().any(|d| d == "empty directory"),
                numbers_vary: directives.iter().any(|d| d == "numbers vary"),
                exchanges: exchanges(body, open + 1),
            }));
        }
        i = end + 1;
    }
    items
}

/// The `<!-- readme: ... -->` lines right above a fence (blank lines between are allowed).
fn directives_before(lines: &[&str], fence: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut j = fence;
    while j > 0 {
        j -= 1;
        let l = lines[j].trim();
        if l.is_empty() && out.is_empty() {
            continue;
        }
        match l
            .strip_prefix("<!-- readme:")
            .and_then(|r| r.strip_suffix("-->"))
        {
            Some(d) => out.push(d.trim().to_string()),
            None => break,
        }
    }
    out
}

fn exchanges(body: &[&str], fence_line: usize) -> Vec<Exchange> {
    let mut out: Vec<Exchange> = Vec::new();
    for (k, l) in body.iter().enumerate() {
        if let Some(cmd) = l.strip_prefix("$ ") {
            out.push(Exchange {
                command: cmd.to_string(),
                expected: Vec::new(),
            });
        } else {
            let Some(last) = out.last_mut() else {
                panic!(
                    "README.md:{}: a console block's first line must be a `$ ` command",
                    fence_line + 1 + k
                );
            };
            last.expected.push(l.to_string());
        }
    }
    out
}

/// Free loopback ports for the fixed ones, for this run.
fn port_map() -> BTreeMap<u16, u16> {
    // Held together so that no two are the same; released just before the blocks bind them.
    let listeners: Vec<TcpListener> = FIXED_PORTS
        .iter()
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind a loopback port"))
        .collect();
    FIXED_PORTS
        .iter()
        .zip(&listeners)
        .map(|(&fixed, l)| (fixed, l.local_addr().unwrap().port()))
        .collect()
}

/// `text` with the fixed ports replaced (`HOST:PORT`, and bash's `/dev/tcp/HOST/PORT`).
fn to_run(text: &str, ports: &BTreeMap<u16, u16>) -> String {
    ports.iter().fold(text.to_string(), |t, (fixed, free)| {
        t.replace(&format!(":{fixed}"), &format!(":{free}"))
            .replace(&format!("/{fixed}"), &format!("/{free}"))
    })
}

fn from_run(text: &str, ports: &BTreeMap<u16, u16>) -> String {
    ports.iter().fold(text.to_string(), |t, (fixed, free)| {
        t.replace(&format!(":{free}"), &format!(":{fixed}"))
    })
}

/// The bash script of a block: a marker line before each command's output, so the output
/// can be split per command; `$?` survives the marker.
fn script(block: &ConsoleBlock, ports: &BTreeMap<u16, u16>) -> String {
    let mut s = String::from("exec 2>&1\n__rc=0\n");
    for (n, ex) in block.exchanges.iter().enumerate() {
        s.push_str(&format!("printf '\\036{n}\\n'\n(exit $__rc)\n"));
        let cmd = to_run(&ex.command, ports);
        match cmd.trim_end().strip_suffix('&') {
            Some(bg) if !bg.ends_with('&') => {
                s.push_str(&format!(
                    ">.bg{n}.log 2>&1 {bg} &\n\
                     for __i in $(seq 200); do [ -s .bg{n}.log ] && break; sleep 0.05; done\n\
                     head -1 .bg{n}.log\n__rc=0\n"
                ));
            }
            _ => s.push_str(&format!("{cmd}\n__rc=$?\n")),
        }
    }
    s.push_str("kill $(jobs -p) 2>/dev/null\nwait 2>/dev/null\nrm -f .bg*.log\nexit 0\n");
    s
}

/// Runs `script` in `dir` with sip2check first on PATH; its output, or why it did not finish.
fn run_script(script: &str, dir: &Path) -> Result<String, String> {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_sip2check"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = Command::new("bash")
        .args(["--noprofile", "--norc", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env("TZ", "UTC")
        .env("COLUMNS", "100")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("SIP2_ENDPOINT")
        .env_remove("SIP2_PROFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start bash: {e}"))?;
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let started = Instant::now();
    loop {
        if child.try_wait().map_err(|e| e.to_string())?.is_some() {
            break;
        }
        if started.elapsed() > BLOCK_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("did not finish within {BLOCK_TIMEOUT:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = reader.join().unwrap();
    Ok(String::from_utf8_lossy(&out).into_owned())
}

static MASKS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        // ISO 8601 timestamps (serve --log, JSON, JUnit).
        (
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?",
            "<timestamp>",
        ),
        // SIP2's 18-character dates (a zone of four blanks or letters).
        (r"\d{8}[ A-Z]{4}\d{6}", "<sip-date>"),
        // Durations and times.
        (r"\b\d+(\.\d+)? ?(ms|µs|s)\b", "<duration>"),
        (r#"time="[0-9.]+""#, r#"time="<t>""#),
        (r#""exec_time": [0-9.]+"#, r#""exec_time": <t>"#),
        (r#""duration_ms": \d+"#, r#""duration_ms": <t>"#),
        // The built-in emulator's port, and a client's.
        (r"127\.0\.0\.1:\d{5}\b", "127.0.0.1:<port>"),
        (r"client_127_0_0_1_\d+", "client_127_0_0_1_<port>"),
    ]
    .into_iter()
    .map(|(re, to)| (Regex::new(re).unwrap(), to))
    .collect()
});

static NUMBERS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d+(\.\d+)?").unwrap());
static SPACES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r" {2,}").unwrap());

fn mask(line: &str, numbers_vary: bool) -> String {
    let mut l = MASKS
        .iter()
        .fold(line.trim_end().to_string(), |l, (re, to)| {
            re.replace_all(&l, *to).into_owned()
        });
    if numbers_vary {
        l = NUMBERS.replace_all(&l, "N").into_owned();
        l = SPACES.replace_all(&l, " ").into_owned();
    }
    l
}

/// Whether `got` matches `want`, where a `want` line `...` matches any number of lines.
fn matches(want: &[String], got: &[String]) -> bool {
    match want.split_first() {
        None => got.is_empty(),
        Some((w, rest)) if w == "..." => (0..=got.len()).any(|k| matches(rest, &got[k..])),
        Some((w, rest)) => got
            .split_first()
            .is_some_and(|(g, grest)| g == w && matches(rest, grest)),
    }
}

/// Output split per command, at the markers of [`script`].
fn split_output(out: &str, commands: usize) -> Vec<Vec<String>> {
    let mut parts = vec![Vec::new(); commands];
    let mut current: Option<usize> = None;
    for l in out.lines() {
        if let Some(n) = l.strip_prefix('\u{1e}').and_then(|n| n.parse().ok()) {
            current = Some(n);
        } else if let Some(n) = current {
            parts[n].push(l.to_string());
        }
    }
    parts
}

fn check_block(block: &ConsoleBlock, dir: &Path, ports: &BTreeMap<u16, u16>) -> Vec<String> {
    let out = match run_script(&script(block, ports), dir) {
        Ok(out) => from_run(&out, ports),
        Err(e) => return vec![format!("README.md:{}: the block {e}", block.line)],
    };
    let parts = split_output(&out, block.exchanges.len());
    let mut problems = Vec::new();
    for (ex, got) in block.exchanges.iter().zip(parts) {
        let want: Vec<String> = ex
            .expected
            .iter()
            .map(|l| mask(l, block.numbers_vary))
            .collect();
        let masked: Vec<String> = got.iter().map(|l| mask(l, block.numbers_vary)).collect();
        if !matches(&want, &masked) {
            problems.push(format!(
                "README.md:{}: `$ {}` printed something else\n--- the README shows\n{}\n--- it printed\n{}",
                block.line,
                ex.command,
                ex.expected.join("\n"),
                got.join("\n")
            ));
        }
    }
    problems
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A working directory like the clone's root, with what the examples read.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for sub in ["scenarios", "fixtures", "tests/scenarios", "tests/logscan"] {
        copy_dir(&repo.join(sub), &dir.path().join(sub));
    }
    dir
}

#[test]
fn every_console_block_prints_what_the_readme_shows() {
    let items = parse(README);
    let blocks = items
        .iter()
        .filter(|i| matches!(i, Item::Console(_)))
        .count();
    assert!(blocks > 30, "the README has {blocks} console blocks");
    for item in &items {
        if let Item::Console(b) = item {
            for ex in &b.exchanges {
                assert!(
                    !ex.command
                        .split(|c: char| !c.is_ascii_alphanumeric())
                        .any(|w| w == "jq"),
                    "README.md:{}: `{}` needs jq, which cargo test cannot assume; use grep or sed",
                    b.line,
                    ex.command
                );
            }
        }
    }
    let work = workspace();
    let ports = port_map();
    let mut problems = Vec::new();
    for item in &items {
        match item {
            Item::File { path, content } => {
                let target = work.path().join(path);
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::write(target, to_run(content, &ports)).unwrap();
            }
            Item::Console(block) if block.empty_dir => {
                let empty = tempfile::tempdir().unwrap();
                problems.extend(check_block(block, empty.path(), &ports));
            }
            Item::Console(block) => problems.extend(check_block(block, work.path(), &ports)),
        }
    }
    assert!(
        problems.is_empty(),
        "{} README example(s) differ:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn the_wildcard_and_the_masks_work() {
    let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(matches(&l(&["a", "...", "d"]), &l(&["a", "b", "c", "d"])));
    assert!(matches(&l(&["a", "...", "d"]), &l(&["a", "d"])));
    assert!(!matches(&l(&["a", "...", "d"]), &l(&["a", "b"])));
    assert!(!matches(&l(&["a"]), &l(&["a", "b"])));
    assert_eq!(
        mask(
            "< 24              00120261202    050019AOBR1| (4 ms)",
            false
        ),
        "< 24              001<sip-date>AOBR1| (<duration>)"
    );
    assert_eq!(mask("requests 282692 (56514/s)", true), "requests N (N/s)");
    let ports = BTreeMap::from([(6001, 40123)]);
    assert_eq!(
        to_run("/dev/tcp/127.0.0.1/6001", &ports),
        "/dev/tcp/127.0.0.1/40123"
    );
    assert_eq!(
        to_run("--listen 127.0.0.1:6001", &ports),
        "--listen 127.0.0.1:40123"
    );
    assert_eq!(
        from_run("listening on 127.0.0.1:40123", &ports),
        "listening on 127.0.0.1:6001"
    );
    let parsed = parse(
        "<!-- readme: file a.yaml -->\n```yaml\nx: 1\n```\n\n<!-- readme: numbers vary -->\n```console\n$ echo 1\n1\n```\n",
    );
    assert!(
        matches!(&parsed[0], Item::File { path, content } if path == "a.yaml" && content == "x: 1\n")
    );
    assert!(
        matches!(&parsed[1], Item::Console(b) if b.numbers_vary && b.exchanges[0].expected == ["1"])
    );
}
