//! The pipeline files in ci/ parse, run `sip2check run` against the secret endpoint, and
//! publish the JUnit file the command writes.

use std::path::Path;

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ci").join(name)).unwrap()
}

/// Every `run`/`script` text of the pipeline joined, for the command checks.
fn commands(doc: &serde_yaml::Value) -> String {
    match doc {
        serde_yaml::Value::Mapping(m) => m
            .iter()
            .map(|(k, v)| match (k.as_str(), v) {
                (Some("run"), serde_yaml::Value::String(s)) => s.clone(),
                _ => commands(v),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        serde_yaml::Value::Sequence(s) => s.iter().map(commands).collect::<Vec<_>>().join("\n"),
        serde_yaml::Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

fn check_command(text: &str) {
    for want in [
        "sip2check run",
        "--endpoint \"$SIP2_ENDPOINT\"",
        "--profile",
        "--junit sip2check-junit.xml",
    ] {
        assert!(text.contains(want), "{want:?} missing in:\n{text}");
    }
}

#[test]
fn github_actions_workflow() {
    let doc: serde_yaml::Value = serde_yaml::from_str(&read("github-actions.yml")).unwrap();
    let steps = doc["jobs"]["sip2"]["steps"]
        .as_sequence()
        .expect("a job with steps");
    check_command(&commands(&doc["jobs"]));
    let publish = steps
        .iter()
        .find(|s| s["with"]["report_paths"].as_str() == Some("sip2check-junit.xml"))
        .expect("a step publishes the JUnit file");
    assert_eq!(publish["if"].as_str(), Some("always()"));
    assert!(commands(&doc).contains("secrets.SIP2_ENDPOINT"));
}

#[test]
fn gitlab_ci_job() {
    let doc: serde_yaml::Value = serde_yaml::from_str(&read("gitlab-ci.yml")).unwrap();
    let job = &doc["sip2check"];
    check_command(&commands(&job["script"]));
    assert_eq!(
        job["artifacts"]["reports"]["junit"].as_str(),
        Some("sip2check-junit.xml")
    );
    assert_eq!(job["artifacts"]["when"].as_str(), Some("always"));
}

#[test]
fn jenkinsfile_pipeline() {
    let text = read("Jenkinsfile");
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
    check_command(
        &code
            .replace(" \\\n", " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    );
    let post = code.find("post {").expect("a post section");
    assert!(
        code[post..].contains("always {") && code[post..].contains("junit 'sip2check-junit.xml'")
    );
    assert!(code.contains("credentials('sip2-endpoint')"));
}
