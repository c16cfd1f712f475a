//! `sip2check run` end to end against scripted servers (one script per connection: the
//! capability probe, then each scenario): what the reports show of the wire, the exit codes
//! of a server that crashes or only answers 96, and the reports of a run whose probe fails.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Step, seq_of, serve_many, with_trailer};

const ACS_STATUS: &str = "98YYYYNN01000320260101    0842372.00AOBR1|BXYYYYYYYYYYYYYYYY|";

/// What a run of the binary left behind.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    json: Option<serde_json::Value>,
    junit: Option<String>,
}

/// A test directory: a suite `t/` of scenario files, a profile, and the report paths.
struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    fn new(scenarios: &[(&str, &str)], profile: &str) -> Dir {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("t")).unwrap();
        for (name, text) in scenarios {
            std::fs::write(tmp.path().join("t").join(name), text).unwrap();
        }
        std::fs::write(tmp.path().join("profile.yaml"), profile).unwrap();
        Dir { tmp }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    fn arg(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    /// Runs `run t/ --profile profile.yaml --json --junit` plus `extra` against `endpoint`.
    async fn run(&self, endpoint: &str, extra: &[&str]) -> Run {
        let mut args = vec![
            "run".to_string(),
            self.arg("t"),
            "--endpoint".into(),
            endpoint.into(),
            "--profile".into(),
            self.arg("profile.yaml"),
            "--json".into(),
            self.arg("out.json"),
            "--junit".into(),
            self.arg("out.xml"),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        run_binary(&args, self.tmp.path()).await
    }
}

/// Runs the binary with `args`; reads the reports it wrote into `dir`.
async fn run_binary(args: &[String], dir: &Path) -> Run {
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_sip2check"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("SIP2_ENDPOINT")
        .env_remove("SIP2_PROFILE")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start sip2check");
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("sip2check run must end by itself")
        .expect("wait for sip2check");
    let json = std::fs::read_to_string(dir.join("out.json"))
        .ok()
        .map(|t| serde_json::from_str(&t).expect("the JSON report parses"));
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        json,
        junit: std::fs::read_to_string(dir.join("out.xml")).ok(),
    }
}

/// The probe of a profile without login variables: one 99, answered with a 98 (AY echoed).
fn probe() -> Vec<Step> {
    vec![
        Step::Answer(Box::new(|r| match seq_of(r) {
            Some(seq) => with_trailer(&format!("{ACS_STATUS}AY{seq}"), None),
            None => format!("{ACS_STATUS}\r").into_bytes(),
        })),
        Step::Silent,
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn sent_shows_the_ay_az_that_went_on_the_wire_even_when_no_answer_came() {
    let dir = Dir::new(
        &[(
            "status.yaml",
            "steps:\n  - name: status\n    send: \"9900302.00\"\n    expect: { leader: '^98' }\n",
        )],
        "error_detection: on\ntimeouts: { connect: 2, response: 1 }\n",
    );
    let server = serve_many(vec![probe(), vec![Step::Read, Step::Silent]]).await;
    let r = dir.run(&server.endpoint(), &[]).await;
    let json = r.json.expect("a JSON report");
    let sent = json["scenarios"][0]["steps"][0]["sent"]["text"]
        .as_str()
        .unwrap()
        .to_string();
    let wire = server.handle.await.unwrap();
    assert_eq!(
        format!("{sent}\r").as_bytes(),
        wire[1][0].as_slice(),
        "the report's sent line is what the server read\n{}",
        r.stdout
    );
    assert!(sent.starts_with("9900302.00AY0AZ"), "{sent}");
    assert!(
        r.stdout.contains(&format!("sent      {sent}<CR>")),
        "{}",
        r.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_masked_transcript_never_gains_a_delimiter() {
    let dir = Dir::new(
        &[(
            "login.yaml",
            "steps:\n  - name: login without a final delimiter\n    send: \"9300CNu|COsecret\"\n    expect: { leader: '^941' }\n",
        )],
        "timeouts: { connect: 2, response: 2 }\n",
    );
    let server = serve_many(vec![
        probe(),
        vec![Step::Read, Step::Write(b"940\r".to_vec()), Step::Silent],
    ])
    .await;
    let r = dir.run(&server.endpoint(), &[]).await;
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("sent      9300CNu|CO***<CR>"),
        "{}",
        r.stdout
    );
    let json = r.json.expect("a JSON report");
    assert_eq!(
        json["scenarios"][0]["steps"][0]["sent"]["text"],
        "9300CNu|CO***"
    );
    assert!(
        r.junit.unwrap().contains("sent      9300CNu|CO***<CR>"),
        "JUnit system-out"
    );
}
