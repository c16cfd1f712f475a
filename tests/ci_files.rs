//! The pipeline files in ci/ install sip2check from its git source (the URL a variable),
//! cache the cargo home, run the suites with the profile against the secret endpoint (with the
//! baseline when one is committed), keep the JUnit, JSON and HTML reports as artifacts, and say
//! how to write the first baseline; Jenkins maps exit 1 to UNSTABLE and the rest to FAILURE.
//! The release workflow builds every platform's archive with its SHA-256. (`.ci/run` also runs
//! the templates' shell steps against the emulator, without and with a baseline.)

use std::path::{Path, PathBuf};

fn path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(path(name)).unwrap()
}

fn yaml(name: &str) -> serde_yaml::Value {
    serde_yaml::from_str(&read(name)).unwrap()
}

/// The `run:` scripts of a GitHub Actions job's steps.
fn runs(steps: &serde_yaml::Value) -> Vec<&str> {
    steps
        .as_sequence()
        .expect("steps")
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect()
}

/// A shell script with continuation lines joined and runs of blanks made one.
fn flat(script: &str) -> String {
    script
        .replace("\\\n", " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The install and run commands every template has, in this order.
fn check_install_and_run(name: &str, script: &str) {
    let text = flat(script);
    let at = |want: &str| {
        text.find(want)
            .unwrap_or_else(|| panic!("{name}: {want:?} missing in:\n{text}"))
    };
    let install = at("cargo install --locked --git \"$SIP2CHECK_GIT\" sip2check");
    let init = at("[ -f sip2-profile.yaml ] || sip2check init --dialect \"$SIP2CHECK_DIALECT\"");
    // The baseline only when one is committed, so a first run works without it.
    let baseline = at("baseline= if [ -f sip2-baseline.yaml ]; then baseline=yes; fi");
    let run = at("sip2check run --suite siptest --suite spec");
    assert!(
        install < init && init < baseline && baseline < run,
        "{name}: install, init, baseline, run in order"
    );
    let mut last = run;
    for want in [
        "--endpoint \"$SIP2_ENDPOINT\"",
        "--profile sip2-profile.yaml",
        "${baseline:+--baseline sip2-baseline.yaml}",
        "--junit sip2check-junit.xml",
        "--json sip2check.json",
        "--html sip2check.html",
    ] {
        let here = at(want);
        assert!(
            here > last,
            "{name}: {want} belongs to the run, in this order"
        );
        last = here;
    }
    assert!(
        !text.contains("${{"),
        "{name}: the shell steps take values from the environment, so .ci/run can run them"
    );
    assert!(
        !text.contains("cargo install --locked sip2check"),
        "{name}: the crate is not published"
    );
}

/// The template names the git URL once, as a placeholder to set, and its comments say how to
/// write the first baseline (`.ci/run` runs that line) and review it.
fn check_comments(name: &str, text: &str) {
    assert!(
        text.contains("https://github.com/OWNER/sip2check.git"),
        "{name}"
    );
    // The command line .ci/run_templates.py picks: a comment that is a sip2check command.
    let write: Vec<&str> = text
        .lines()
        .map(|l| l.trim().trim_start_matches(['#', '/']).trim())
        .filter(|l| l.starts_with("sip2check ") && l.contains("--write-baseline"))
        .collect();
    assert_eq!(
        write.len(),
        1,
        "{name}: one --write-baseline command: {write:?}"
    );
    assert_eq!(
        write[0],
        "sip2check run --suite siptest --suite spec --endpoint \"$SIP2_ENDPOINT\" --profile sip2-profile.yaml --write-baseline sip2-baseline.yaml",
        "{name}"
    );
    assert!(
        text.contains("read every entry") && text.contains("commit the file"),
        "{name}: the baseline is reviewed, then committed"
    );
    assert!(
        !text.contains("HTML report: when"),
        "{name}: the placeholder for the HTML report is gone"
    );
}

#[test]
fn github_actions_workflow() {
    let doc = yaml("ci/github-actions.yml");
    check_comments("github", &read("ci/github-actions.yml"));
    assert_eq!(
        doc["env"]["SIP2CHECK_GIT"].as_str(),
        Some("https://github.com/OWNER/sip2check.git")
    );
    assert_eq!(doc["env"]["SIP2CHECK_DIALECT"].as_str(), Some("emulator"));
    let steps = &doc["jobs"]["sip2"]["steps"];
    check_install_and_run("github", &runs(steps).join("\n"));
    let list = steps.as_sequence().unwrap();
    let uses = |prefix: &str| {
        list.iter()
            .position(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(prefix)))
            .unwrap_or_else(|| panic!("no {prefix} step"))
    };
    let install = list
        .iter()
        .position(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("cargo install"))
        })
        .unwrap();
    let cache = uses("actions/cache@");
    assert!(cache < install, "the cache is restored before the install");
    let cached = list[cache]["with"]["path"].as_str().unwrap();
    for dir in [
        "~/.cargo/bin/sip2check",
        "~/.cargo/.crates2.json",
        "~/.cargo/registry/",
    ] {
        assert!(cached.contains(dir), "{dir} not cached: {cached}");
    }
    assert!(list[cache]["with"]["restore-keys"].as_str().is_some());
    let publish = &list[uses("mikepenz/action-junit-report@")];
    assert_eq!(
        publish["with"]["report_paths"].as_str(),
        Some("sip2check-junit.xml")
    );
    assert_eq!(publish["if"].as_str(), Some("always()"));
    let keep = &list[uses("actions/upload-artifact@")];
    assert_eq!(keep["if"].as_str(), Some("always()"));
    assert_eq!(keep["uses"].as_str(), Some("actions/upload-artifact@v4"));
    let kept: Vec<&str> = keep["with"]["path"].as_str().unwrap().lines().collect();
    assert_eq!(
        kept,
        ["sip2check.html", "sip2check-junit.xml", "sip2check.json"]
    );
    let run = list
        .iter()
        .find(|s| s["env"]["SIP2_ENDPOINT"].is_string())
        .unwrap();
    assert_eq!(
        run["env"]["SIP2_ENDPOINT"].as_str(),
        Some("${{ secrets.SIP2_ENDPOINT }}")
    );
}

#[test]
fn gitlab_ci_job() {
    let doc = yaml("ci/gitlab-ci.yml");
    check_comments("gitlab", &read("ci/gitlab-ci.yml"));
    let job = &doc["sip2check"];
    let script: Vec<&str> = job["script"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(script[0], "export PATH=\"$CARGO_HOME/bin:$PATH\"");
    check_install_and_run("gitlab", &script.join("\n"));
    let vars = &job["variables"];
    assert_eq!(
        vars["SIP2CHECK_GIT"].as_str(),
        Some("https://github.com/OWNER/sip2check.git")
    );
    // GitLab caches only paths inside the project directory.
    assert_eq!(vars["CARGO_HOME"].as_str(), Some("$CI_PROJECT_DIR/.cargo"));
    let cached: Vec<&str> = job["cache"]["paths"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    assert!(cached.contains(&".cargo/bin/") && cached.contains(&".cargo/registry/cache/"));
    assert_eq!(
        job["artifacts"]["reports"]["junit"].as_str(),
        Some("sip2check-junit.xml")
    );
    let artifacts = &job["artifacts"];
    assert_eq!(artifacts["when"].as_str(), Some("always"));
    assert_eq!(artifacts["expose_as"].as_str(), Some("sip2check report"));
    let kept: Vec<&str> = artifacts["paths"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    assert_eq!(
        kept,
        ["sip2check.html", "sip2check-junit.xml", "sip2check.json"]
    );
}

#[test]
fn jenkinsfile_pipeline() {
    let text = read("ci/Jenkinsfile");
    check_comments("jenkins", &text);
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut depth = 0i32;
    for c in code.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        assert!(depth >= 0, "a '}}' closes nothing");
    }
    assert_eq!(depth, 0, "unbalanced braces");
    assert!(code.trim_start().starts_with("pipeline {"));
    // The shell blocks .ci/run extracts, in order.
    let blocks: Vec<&str> = code.split("'''").skip(1).step_by(2).collect();
    assert_eq!(blocks.len(), 2, "{blocks:?}");
    check_install_and_run("jenkins", &blocks.join("\n"));
    assert!(code.contains("SIP2CHECK_GIT = 'https://github.com/OWNER/sip2check.git'"));
    assert!(code.contains("credentials('sip2-endpoint')"));
    // Exit 1 (a check failed) is UNSTABLE; any other failure is FAILURE.
    let flat = flat(&code);
    assert!(
        flat.contains("def code = sh(returnStatus: true, script: '''"),
        "{flat}"
    );
    assert!(
        flat.contains("if (code == 1) { unstable(")
            && flat.contains("} else if (code != 0) { error("),
        "{flat}"
    );
    let post = code.find("post {").expect("a post section");
    assert!(
        code[post..].contains("always {")
            && code[post..].contains("junit testResults: 'sip2check-junit.xml'")
            && code[post..].contains(
                "archiveArtifacts artifacts: 'sip2check.html, sip2check-junit.xml, sip2check.json'"
            ),
        "{}",
        &code[post..]
    );
    assert!(
        text.contains("Content-Security-Policy that blocks inline CSS")
            && text.contains("Resource Root URL"),
        "the comment says why the archived page may show unstyled"
    );
}

const TARGETS: [&str; 5] = [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "aarch64-apple-darwin",
    "x86_64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

/// The `run:` script of the step named `name`.
fn step<'a>(steps: &'a serde_yaml::Value, name: &str) -> &'a str {
    steps
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str().is_some_and(|n| n.starts_with(name)))
        .and_then(|s| s["run"].as_str())
        .unwrap_or_else(|| panic!("no step {name:?}"))
}

#[test]
fn the_release_workflow_builds_every_platform_with_checksums() {
    let doc = yaml(".github/workflows/release.yml");
    let tags = &doc["on"]["push"]["tags"];
    assert_eq!(tags[0].as_str(), Some("v*"));
    assert_eq!(doc["permissions"]["contents"].as_str(), Some("write"));
    let build = &doc["jobs"]["build"];
    let matrix = build["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap();
    let targets: Vec<&str> = matrix
        .iter()
        .map(|m| m["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, TARGETS);
    for m in matrix {
        let target = m["target"].as_str().unwrap();
        let want = if target.contains("windows") {
            "zip"
        } else {
            "tar.gz"
        };
        assert_eq!(m["archive"].as_str(), Some(want), "{target}");
        let os = m["os"].as_str().unwrap();
        let family = if target.contains("linux") {
            "ubuntu"
        } else if target.contains("apple") {
            "macos"
        } else {
            "windows"
        };
        assert!(os.starts_with(family), "{target} on {os}");
    }
    let steps = &build["steps"];
    assert_eq!(
        step(steps, "Build"),
        "cargo build --release --locked --target \"$TARGET\""
    );
    let pack = step(steps, "Pack");
    assert!(
        pack.contains("sha256sum") && pack.contains("shasum -a 256"),
        "{pack}"
    );
    let upload = steps
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["uses"].as_str() == Some("actions/upload-artifact@v4"))
        .unwrap();
    let uploaded = upload["with"]["path"].as_str().unwrap();
    for kind in ["*.tar.gz", "*.zip", "*.sha256"] {
        assert!(uploaded.contains(kind), "{kind} not uploaded");
    }
    let release = &doc["jobs"]["release"];
    assert_eq!(release["needs"].as_str(), Some("build"));
    let check = step(&release["steps"], "Check");
    assert!(check.contains("sha256sum -c ./*.sha256"), "{check}");
    let attach = step(&release["steps"], "Attach");
    assert!(attach.contains("gh release upload") && attach.contains("dist/*"));
}

/// The pack step and the release's check, run as the workflow runs them (bash) on a stand-in
/// binary: the archive holds the binary and the README, and its checksum file verifies.
#[cfg(unix)]
#[test]
fn the_release_archive_and_its_checksum_verify() {
    let doc = yaml(".github/workflows/release.yml");
    let pack = step(&doc["jobs"]["build"]["steps"], "Pack");
    let check = step(&doc["jobs"]["release"]["steps"], "Check");
    let dir = tempfile::tempdir().unwrap();
    let target = "x86_64-unknown-linux-gnu";
    let bin = dir.path().join("target").join(target).join("release");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(bin.join("sip2check"), "a stand-in binary").unwrap();
    std::fs::copy(path("README.md"), dir.path().join("README.md")).unwrap();
    let bash = |script: &str, cwd: &Path| {
        let o = std::process::Command::new("bash")
            .args(["-eo", "pipefail", "-c", script])
            .current_dir(cwd)
            .env("TARGET", target)
            .env("ARCHIVE", "tar.gz")
            .env("GITHUB_REF_NAME", "v0.0.0")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    bash(pack, dir.path());
    let dist = dir.path().join("dist");
    let name = format!("sip2check-v0.0.0-{target}.tar.gz");
    let sum = std::fs::read_to_string(dist.join(format!("{name}.sha256"))).unwrap();
    assert!(sum.trim_end().ends_with(&format!("  {name}")), "{sum}");
    let out = bash(check, dir.path());
    assert!(out.contains(&format!("{name}: OK")), "{out}");
    let listing = bash(&format!("tar -tzf {name}"), &dist);
    let base = format!("sip2check-v0.0.0-{target}");
    assert!(
        listing.contains(&format!("{base}/sip2check"))
            && listing.contains(&format!("{base}/README.md")),
        "{listing}"
    );
    // A changed archive no longer verifies.
    std::fs::write(dist.join(&name), "tampered").unwrap();
    let o = std::process::Command::new("bash")
        .args(["-c", check])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!o.status.success());
}
