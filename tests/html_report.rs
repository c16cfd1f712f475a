//! The HTML reports end to end: `run --html`, `serve --strict --html` and `proxy --html` with the
//! real binary. Every page is checked to hold only the markup the reporter writes (a closed set
//! of tags, no event handlers, no reference to anything outside the page), also when a server
//! sends markup in a field and a scenario has markup in its names.

mod common;
#[path = "common/golden.rs"]
mod golden;

use std::path::Path;

use common::cli::{bin, exchange, run, start};

/// What a server or scenario puts in a field to break out of the page.
const PAYLOAD: &str = r#"<script>alert(1)</script>"><img src=x onerror=alert(2)>"#;
/// The same, as the page must show it.
const ESCAPED: &str =
    "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;";

/// The tags a report writes; anything else in a page came from data.
const TAGS: &[&str] = &[
    "!DOCTYPE", "html", "head", "meta", "link", "title", "style", "body", "header", "footer", "h1",
    "h2", "h3", "p", "div", "span", "b", "q", "a", "mark", "pre", "table", "thead", "tbody", "tr",
    "th", "td", "details", "summary", "section",
];

/// Asserts that `page` holds only the reporter's markup: every `<` opens a known tag, no tag has
/// an event handler, and every link stays inside the page (`#...`, or the `data:` icon).
fn assert_only_our_markup(page: &str) {
    let style_end = page.find("</style>").expect("a style element");
    // The CSS holds no `<`; skip it so its text is not read as markup.
    let checked = &page[style_end..];
    assert!(!page[..style_end].contains("<script"), "{page}");
    for (i, _) in checked.match_indices('<') {
        let tag: String = checked[i + 1..]
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        let tag = if tag.eq_ignore_ascii_case("!doctype") {
            "!DOCTYPE".to_string()
        } else {
            tag
        };
        assert!(
            TAGS.contains(&tag.as_str()),
            "<{tag} at {i}: {}",
            &checked[i..(i + 80).min(checked.len())]
        );
        let end = checked[i..].find('>').map_or(checked.len(), |e| i + e);
        let inside = &checked[i..end];
        assert!(
            !inside.to_ascii_lowercase().contains(" on"),
            "an event handler: {inside}"
        );
        for attr in ["href=\"", "src=\""] {
            if let Some(at) = inside.find(attr) {
                let value = &inside[at + attr.len()..];
                assert!(
                    value.starts_with('#') || value.starts_with("data:"),
                    "a reference out of the page: {inside}"
                );
            }
        }
    }
}

/// The page with what changes from run to run (dates, times, durations, ports, the version)
/// replaced by fixed text.
fn normalised(page: &str) -> String {
    let rules = [
        (r"\d{8} {4}\d{6}", "YYYYMMDD    HHMMSS"),
        (
            r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{2}:\d{2}",
            "YYYY-MM-DD HH:MM:SS +ZZ:ZZ",
        ),
        (r"\b\d+(\.\d)? (ms|s)\b", "N ms"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:PORT"),
    ];
    let mut out = page.replace(env!("CARGO_PKG_VERSION"), "VERSION");
    for (pattern, with) in rules {
        out = regex::Regex::new(pattern)
            .unwrap()
            .replace_all(&out, with)
            .into_owned();
    }
    out
}

#[test]
fn run_html_of_a_failing_run_reads_like_the_golden_page() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let o = run(&["tests/scenarios/fail", "--html", html.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert_only_our_markup(&page);
    golden::assert_golden("run_fail.html", &normalised(&page));
    assert!(
        page.contains("<b>failed</b> 1 scenarios: 0 passed, 1 failed"),
        "{page}"
    );
    assert!(
        page.contains("|AE***|"),
        "personal data masked in the transcript, as on the console"
    );
    assert!(
        !page.contains("COsip_01") && !page.contains("AD6789"),
        "{page}"
    );
}

#[test]
fn no_redact_shows_personal_data_but_never_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let o = run(&[
        "tests/scenarios/fail",
        "--no-redact",
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("|AEDavid J. Fiander|"), "{page}");
    assert!(
        !page.contains("COsip_01") && !page.contains("AD6789"),
        "{page}"
    );
}

/// Markup from a server (an item title) and from a scenario (its names and expected value)
/// reaches the page only as text.
#[test]
fn markup_in_a_server_field_and_a_scenario_is_only_escaped_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let library = std::fs::read_to_string(root.join("fixtures/library.yaml")).unwrap();
    let quoted = format!("'{PAYLOAD}'");
    let library = library.replace(
        "title: Perl 5 desktop reference",
        &format!("title: {quoted}"),
    );
    assert!(library.contains(PAYLOAD));
    let library_file = dir.path().join("library.yaml");
    std::fs::write(&library_file, library).unwrap();
    let scenarios = dir.path().join("evil");
    std::fs::create_dir(&scenarios).unwrap();
    std::fs::write(
        scenarios.join("title.yaml"),
        format!(
            r#"name: {quoted}
steps:
  - use: login
  - name: {quoted}
    send:
      item_information: {{ AO: "{{{{ institution }}}}", AB: "{{{{ item.barcode }}}}" }}
    expect:
      fields:
        AJ: {{ matches: '^<b>expected</b>$' }}
"#
        ),
    )
    .unwrap();
    let serve = start(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--library",
        library_file.to_str().unwrap(),
    ]);
    let html = dir.path().join("report.html");
    let o = run(&[
        scenarios.to_str().unwrap(),
        "--endpoint",
        &serve.addr.to_string(),
        "--profile",
        "fixtures/profiles/emulator.yaml",
        "--html",
        html.to_str().unwrap(),
    ]);
    serve.stop();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert_only_our_markup(&page);
    assert!(
        page.contains(&format!("|AJ{ESCAPED}|")),
        "the title in the transcript: {page}"
    );
    // The table quotes the value as the console does, so its `"` is `\"`.
    let quoted_value = ESCAPED.replace("&quot;", "\\&quot;");
    assert!(
        page.contains(&format!(
            "<td class=\"m\">/^&lt;b&gt;expected&lt;/b&gt;$/</td><td class=\"m\">&quot;{quoted_value}&quot;</td>"
        )),
        "the scenario's regex and the title in the field table: {page}"
    );
    assert!(
        page.contains(&format!("step 2 &quot;{ESCAPED}&quot;")),
        "the step name: {page}"
    );
    assert!(
        !page.contains("<script") && !page.contains("<img"),
        "{page}"
    );
}

#[test]
fn serve_strict_html_shows_each_request_with_its_findings() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("client.html");
    let serve = start(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--strict",
        "--html",
        html.to_str().unwrap(),
    ]);
    let r = exchange(
        serve.addr,
        &[
            "9300CNsip_01|COsecret_pw|CPBR1|",
            &format!("230012006010    084237AOBR1|AA{PAYLOAD}|AC|AD|"),
        ],
    );
    assert_eq!(r[0], "940");
    let (code, stderr) = serve.stop();
    assert_eq!(code, 1, "{stderr}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert_only_our_markup(&page);
    assert!(
        page.contains("<h1>Self-check certification report</h1>"),
        "{page}"
    );
    assert!(page.contains("<b>failed</b> 1 of 2 messages"), "{page}");
    assert!(
        page.contains("<td class=\"m\">fixed-length</td><td>device</td><td>1</td>"),
        "findings by rule: {page}"
    );
    assert!(page.contains(&format!("|AA{ESCAPED}|")), "{page}");
    assert!(page.contains("9300CNsip_01|CO***|CPBR1|"), "{page}");
    assert!(!page.contains("secret_pw"), "{page}");
    assert!(page.contains("Connection 1 from 127.0.0.1:"), "{page}");
}

#[test]
fn proxy_html_shows_both_directions_and_who_sent_each_message() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("session.html");
    let serve = start(&["serve", "--listen", "127.0.0.1:0"]);
    let upstream = serve.addr.to_string();
    let proxy = start(&[
        "proxy",
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &upstream,
        "--html",
        html.to_str().unwrap(),
    ]);
    let r = exchange(
        proxy.addr,
        &[
            "9300CNsip_01|COsip_01|CPBR1|",
            "11YN20260305    101510                 AOBR1|AA999999|AB1565921879|AC|",
        ],
    );
    assert_eq!(r[0], "941");
    let (code, stderr) = proxy.stop();
    serve.stop();
    assert_eq!(code, 1, "the checkout is one character short: {stderr}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert_only_our_markup(&page);
    assert!(
        page.contains("<h1>Proxy certification report</h1>"),
        "{page}"
    );
    assert!(
        page.contains("<span class=\"d\">&gt; </span>9300CNsip_01|CO***|CPBR1|&lt;CR&gt;"),
        "{page}"
    );
    assert!(
        page.contains("<span class=\"d\">&lt; </span>941&lt;CR&gt;"),
        "{page}"
    );
    assert!(
        page.contains("<td>device</td><td>11 Checkout</td>"),
        "{page}"
    );
    assert!(
        page.contains("<td>ACS</td><td>12 Checkout Response</td>"),
        "{page}"
    );
    assert!(page.contains("error [fixed-length]"), "{page}");
    assert!(!page.contains("COsip_01"), "{page}");
}

/// `diff --html` of the README's upgrade-gate demo: the two injected differences, each with its
/// characters marked, the verdict change, and both servers' transcripts.
#[test]
fn diff_html_of_the_upgrade_demo_reads_like_the_golden_page() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("diff.html");
    let o = bin()
        .args([
            "diff",
            "--new-library",
            "fixtures/upgrade-demo/library-new.yaml",
            "scenarios/spec/encoding.yaml",
            "scenarios/spec/checkin_refused.yaml",
            "scenarios/spec/hold.yaml",
            "--html",
            html.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert_only_our_markup(&page);
    golden::assert_golden("diff_demo.html", &normalised(&page));
    assert!(
        page.contains("<b>differs</b> 3 of 16 steps differ, in 3 of 3 scenarios (3 field changes, 1 verdict change)"),
        "{page}"
    );
    assert!(
        page.contains("<td class=\"m\">circulation_status</td><td>changed</td><td class=\"m\">&quot;<mark>03</mark>&quot;</td><td class=\"m\">&quot;<mark>12</mark>&quot;</td>"),
        "{page}"
    );
}

/// Markup in a title the new server sends reaches the diff page only as text: in the change
/// table, in the transcript and in the failed check.
#[test]
fn markup_from_the_new_server_in_a_diff_is_only_escaped_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let library = std::fs::read_to_string(root.join("fixtures/library.yaml"))
        .unwrap()
        .replace(
            "title: Perl 5 desktop reference",
            &format!("title: '{PAYLOAD}'"),
        );
    assert!(library.contains(PAYLOAD));
    let library_file = dir.path().join("library.yaml");
    std::fs::write(&library_file, library).unwrap();
    let html = dir.path().join("diff.html");
    let o = bin()
        .args([
            "diff",
            "scenarios/spec/item_information.yaml",
            "--new-library",
        ])
        .arg(&library_file)
        .arg("--html")
        .arg(&html)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert_only_our_markup(&page);
    // The differing characters are marked; without the marks the row holds the whole title.
    let unmarked = page.replace("<mark>", "").replace("</mark>", "");
    assert!(
        unmarked.contains(&format!(
            "<td class=\"m\">AJ</td><td>changed</td><td class=\"m\">&quot;Perl 5 desktop reference&quot;</td><td class=\"m\">&quot;{ESCAPED}&quot;</td>"
        )),
        "the change table: {page}"
    );
    assert!(
        page.contains(&format!("|AJ{ESCAPED}|")),
        "the new transcript: {page}"
    );
    assert!(
        !page.contains("<script") && !page.contains("<img"),
        "{page}"
    );
}
