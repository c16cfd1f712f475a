//! The JSON Schemas of `sip2check schema` (issue 11 item 6): the committed copies in schemas/
//! are its output (UPDATE_SCHEMAS=1 rewrites them), every shipped YAML file points at its
//! schema and validates against it, and the schemas agree with the loaders on typical mistakes
//! and on the less common spellings the loaders accept: neither too loose nor too strict.

mod common;

use std::path::{Path, PathBuf};

use common::cli::output;
use serde_json::Value;

const KINDS: [&str; 4] = ["scenario", "common", "profile", "library"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `sip2check schema KIND`, run as a user runs it.
fn printed(kind: &str) -> String {
    let out = output(&["schema", kind]);
    assert!(out.status.success(), "schema {kind}: {out:?}");
    assert!(out.stderr.is_empty(), "schema {kind}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn validator(kind: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&printed(kind)).unwrap();
    jsonschema::meta::validate(&schema)
        .unwrap_or_else(|e| panic!("{kind}: not a valid JSON Schema: {e}"));
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    jsonschema::validator_for(&schema).unwrap()
}

/// The YAML as the JSON value a YAML language server validates.
fn json_of(yaml: &str) -> Value {
    let v: serde_yaml::Value = serde_yaml::from_str(yaml).unwrap();
    serde_json::to_value(v).unwrap()
}

fn errors(v: &jsonschema::Validator, yaml: &str) -> Vec<String> {
    v.iter_errors(&json_of(yaml))
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_committed_schemas_are_what_sip2check_schema_prints() {
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
    for kind in KINDS {
        let path = root().join("schemas").join(format!("{kind}.schema.json"));
        let now = printed(kind);
        if update {
            std::fs::write(&path, &now).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == now,
            "{} differs from `sip2check schema {kind}`: run UPDATE_SCHEMAS=1 cargo test --test schemas, and commit it",
            path.display()
        );
    }
}

/// Every `*.yaml` below `dir` (recursively).
fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

/// Each shipped file and the schema it must name.
fn shipped() -> Vec<(PathBuf, &'static str)> {
    let mut scenarios = Vec::new();
    yaml_files(&root().join("scenarios"), &mut scenarios);
    let mut profiles = Vec::new();
    yaml_files(&root().join("fixtures/profiles"), &mut profiles);
    let mut out: Vec<(PathBuf, &str)> = scenarios
        .into_iter()
        .map(|p| {
            let kind = if p.ends_with("common.yaml") {
                "common"
            } else {
                "scenario"
            };
            (p, kind)
        })
        .collect();
    out.extend(profiles.into_iter().map(|p| (p, "profile")));
    out.push((root().join("fixtures/library.yaml"), "library"));
    out
}

#[test]
fn every_shipped_file_names_its_schema_and_validates_against_it() {
    let validators: Vec<(&str, jsonschema::Validator)> =
        KINDS.iter().map(|k| (*k, validator(k))).collect();
    let files = shipped();
    assert!(files.len() > 50, "{} files", files.len());
    let mut kinds_seen = Vec::new();
    for (path, kind) in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let first = text.lines().next().unwrap_or_default();
        let target = first
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{}: the first line is {first:?}", path.display()));
        let schema = path.parent().unwrap().join(target);
        assert_eq!(
            schema.canonicalize().ok(),
            root()
                .join(format!("schemas/{kind}.schema.json"))
                .canonicalize()
                .ok(),
            "{}: {target} is not the {kind} schema",
            path.display()
        );
        let v = &validators.iter().find(|(k, _)| k == kind).unwrap().1;
        let found = errors(v, &text);
        assert!(found.is_empty(), "{}: {found:#?}", path.display());
        if !kinds_seen.contains(kind) {
            kinds_seen.push(kind);
        }
    }
    assert_eq!(kinds_seen.len(), KINDS.len());
}

/// Whether sip2check itself loads `yaml` as a file of `kind` (else why not).
fn loads(kind: &str, yaml: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    match kind {
        "scenario" => {
            let path = dir.path().join("case.yaml");
            std::fs::write(&path, yaml).unwrap();
            sip2check::scenario::load_unchecked(&[path])
                .map(drop)
                .map_err(|e| e.to_string())
        }
        "common" => {
            // A common.yaml is read when a scenario beside it uses one of its steps.
            std::fs::write(dir.path().join("common.yaml"), yaml).unwrap();
            let first = yaml.lines().next().unwrap().trim_end_matches(':');
            let path = dir.path().join("user.yaml");
            std::fs::write(&path, format!("steps:\n  - use: {first}\n")).unwrap();
            sip2check::scenario::load_unchecked(&[path])
                .map(drop)
                .map_err(|e| e.to_string())
        }
        "profile" => sip2check::scenario::Profile::parse(yaml, Path::new("p.yaml"))
            .map(drop)
            .map_err(|e| e.to_string()),
        "library" => sip2check::acs::Library::from_yaml("l.yaml", yaml)
            .map(drop)
            .map_err(|e| e.to_string()),
        _ => unreachable!("{kind}"),
    }
}

/// A scenario of one step.
fn step(body: &str) -> String {
    format!("steps:\n  - {}\n", body.replace('\n', "\n    "))
}

const LIBRARY: &str = "institutions: [{ id: BR1, name: L }]\naccounts: [{ login: a, password: b, institution: BR1 }]\n";

#[test]
fn the_schemas_refuse_typical_mistakes_as_the_loaders_do() {
    let mistakes = [
        ("scenario", step("send: \"99\"\nexpct: { leader: x }"), "unknown step key"),
        ("scenario", format!("tagz: [a]\n{}", step("send: \"99\"")), "unknown top-level key"),
        ("scenario", step("send: \"99\"\nexpect:\n  fields:\n    AA: { matches: a, length: 2 }"), "two checks"),
        ("scenario", step("send: \"99\"\nexpect:\n  fields:\n    AA: { optional: true }"), "no check"),
        ("scenario", step("send: \"99\"\nexpect:\n  fields:\n    AA: { each: { equals: x, ground: common } }"), "ground inside each"),
        ("scenario", step("send: \"99\"\nexpect:\n  ground: evergren"), "unknown ground"),
        ("scenario", step("send: \"99\"\nexpect:\n  fields:\n    AJ: { matches: x, ground: kohha }"), "unknown matcher ground"),
        ("scenario", step("send: \"99\"\nexpect:\n  fields:\n    ZZ: x"), "unknown field ID"),
        ("scenario", step("send: \"99\"\nexpect:\n  fields:\n    AA: 1"), "a number"),
        ("scenario", step("send: \"99\"\nexpect:\n  fields:\n    AA: [a, b]"), "a list"),
        ("scenario", step("send: \"99\"\nexpect:\n  fixed: { okk: \"1\" }"), "unknown fixed field"),
        ("scenario", step("send: \"99\"\nexpect:\n  message: chekout_response"), "unknown message"),
        ("scenario", step("send: \"99\"\nexpect:\n  lint: [lf-after-crr]"), "unknown rule"),
        ("scenario", step("send: \"99\"\nexpect:\n  forbid: [{ rule: checksum, ground: x }]"), "unknown rule ground"),
        ("scenario", step("send:\n  chekout: {}"), "unknown send message"),
        ("scenario", step("send:\n  checkout:\n    sc_renewal_policy: YY\n    no_block: N\n    nb_due_date: \"\""), "fixed field length"),
        ("scenario", step("send:\n  checkout:\n    sc_renewal_policy: Y"), "missing fixed field"),
        ("scenario", step("send:\n  checkout:\n    sc_renewal_policy: Y\n    no_blok: N"), "misspelt fixed field"),
        ("scenario", step("send:\n  sc_status: {}\n  checkout: {}"), "two messages"),
        ("scenario", step("send: \"9\""), "one-character send"),
        ("scenario", step("name: x"), "no send"),
        ("scenario", step("use: login\nsend: \"99\""), "use with send"),
        ("scenario", step("send: \"99\"\ntimeout: 0"), "zero timeout"),
        ("scenario", step("send: \"99\"\nterminator: crcr"), "unknown terminator"),
        ("scenario", format!("requires: [checkout_response]\n{}", step("send: \"99\"")), "a response in requires"),
        ("scenario", format!("needs: [now]\n{}", step("send: \"99\"")), "a built-in in needs"),
        ("scenario", step("send: \"99\"\ncapture: { now: AO }"), "a built-in capture name"),
        ("scenario", step("send: \"99\"\ncapture: { x: nosuch }"), "unknown capture source"),
        ("scenario", step("send: \"99\"\nundo:\n  when: { fixed: { ok: \"1\" }, closed: true }\n  steps: []"), "expect key in undo.when"),
        ("scenario", "steps: {}\n".to_string(), "steps not a list"),
        ("common", "login:\n  use: other\n".to_string(), "a shared step using another"),
        ("common", "login:\n  sned: \"99\"\n".to_string(), "unknown key in a shared step"),
        ("profile", "dialect: [emulator, kohaa]\n".to_string(), "unknown system"),
        ("profile", "vars:\n  item:\n    barcode: 1565921879\n".to_string(), "a number in vars"),
        ("profile", "varz: {}\n".to_string(), "unknown profile key"),
        ("profile", "encoding: ebcdic\n".to_string(), "unknown encoding"),
        ("profile", "error_detection: sometimes\n".to_string(), "unknown error detection"),
        ("profile", "timeouts: { connect: -1 }\n".to_string(), "negative timeout"),
        ("library", format!("{LIBRARY}patrons: [{{ barcode: p, name: n, flags: [card_lots] }}]\n"), "unknown patron flag"),
        ("library", format!("{LIBRARY}items: [{{ barcode: i, title: t, owner: BR1, status: \"04\" }}]\n"), "status from a loan"),
        ("library", format!("{LIBRARY}items: [{{ barcode: i, title: t, owner: BR1, media: \"999\" }}]\n"), "unknown media code"),
        ("library", "institutions: [{ id: BR1, name: L, currency: usd }]\naccounts: []\n".to_string(), "lower-case currency"),
        ("library", "institutions: [{ id: BR1, name: L, policy: { supported: [checkout_response] } }]\naccounts: []\n".to_string(), "a response in supported"),
        ("library", "institutions: [{ id: BR1, name: L }]\naccounts: [{ login: a, password: b, institution: BR1, dialect: { charge_bl: sometimes } }]\n".to_string(), "unknown knob value"),
        ("library", "institutions: [{ id: BR1, name: L }]\naccounts: [{ login: a, password: b, institution: BR1, dialect: { preset: sirsi } }]\n".to_string(), "a system with no preset"),
        ("library", "institutions: [{ id: BR1, name: L }]\n".to_string(), "no accounts"),
    ];
    let validators: Vec<(&str, jsonschema::Validator)> =
        KINDS.iter().map(|k| (*k, validator(k))).collect();
    // Each mistake is one change to one of these, which both take.
    for (kind, base) in [
        ("scenario", step("send: \"99\"")),
        ("common", "login:\n  send: \"99\"\n".to_string()),
        ("profile", "dialect: [emulator]\n".to_string()),
        ("library", LIBRARY.to_string()),
    ] {
        let v = &validators.iter().find(|(k, _)| *k == kind).unwrap().1;
        assert_eq!(errors(v, &base), Vec::<String>::new(), "{base}");
        assert_eq!(loads(kind, &base), Ok(()), "{base}");
    }
    for (kind, yaml, what) in &mistakes {
        let v = &validators.iter().find(|(k, _)| k == kind).unwrap().1;
        assert!(
            !errors(v, yaml).is_empty(),
            "{what}: the {kind} schema takes\n{yaml}"
        );
        assert!(
            loads(kind, yaml).is_err(),
            "{what}: sip2check loads\n{yaml}"
        );
    }
}

#[test]
fn the_schemas_take_every_spelling_the_loaders_take() {
    let fine = [
        ("scenario", step("send: \"9300CN{{ login.user }}|\"")),
        ("scenario", step("send:\n  Checkout:\n    SC Renewal Policy: Y\n    no_block: N\n    NB due date: \"{{ now }}\"\n    AO: BR1\n    AF: [one, two]\n    AA: p\n    transaction_date: now")),
        ("scenario", step("send:\n  \"97\":")),
        ("scenario", step("send: \"99\"\ntimeout: 0.5\nterminator: CRLF\nchecksum: true\nresend: false")),
        ("scenario", step("send: \"99\"\nexpect:\n  message: ACS Status\n  ground: Koha\n  leader: { matches: '^98{{ datepat }}', ground: common }\n  fixed: { on_line_status: \"Y\", Protocol Version: { matches: '^2' } }\n  fields:\n    AO: { equals: x, optional: true, ground: folio }\n    BX: present\n    AF: { each: { matches: x } }\n    AG: { all: [a, b] }\n  violations: [checksum, { rule: sequence, ground: spec }]\n  forbid: [lf-after-cr]\n  lint: [flag-n]")),
        ("scenario", step("send: \"99\"\nexpect: { closed: true }")),
        ("scenario", format!("name: n\nabout: a\ntags: [x]\nrequires: [error_detection, checkout, \"29\", Renew All]\nneeds: [blocked_patron, fined_patron.fee_id]\nchecksum: false\n{}finally:\n  - use: login\n", step("use: login\nname: renamed"))),
        ("scenario", format!("{}finally: [{{ use: login }}]\n", step("send: \"11YN{{ now }}{{ now }}AO|\"\ncapture: { due: AH, status: ok, when: transaction_date }\nneeds: [site]\nrequires: [hold]\nundo:\n  when: { fixed: { ok: \"1\" }, fields: { AA: present } }\n  steps:\n    - send: \"09N{{ now }}{{ now }}AP|AO|AB|AC|\""))),
        ("common", "login:\n  name: login\n  send: \"9300CN|CO|\"\n  expect: { leader: '^941' }\n".to_string()),
        ("profile", "endpoint: 127.0.0.1:6001\nterminator: CrLf\nencoding: ISO_8859-1\nerror_detection: auto\ndialect: FOLIO\ntimeouts: { connect: 2, response: 1.5 }\ntls: { ca: ca.pem, insecure: true, sni: x }\ntelnet: { user: u, password: p }\nprobe: { accounts: [{ user: a, password: b, location: c }] }\nvars:\n  institution: BR1\n  patron: { barcode: \"999999\", name: D }\n".to_string()),
        ("profile", "dialect: [emulator, Evergreen]\nerror_detection: off\n".to_string()),
        ("library", "institutions: [{ id: BR1, name: L, currency: EUR, policy: { timeout: 999, supported: [checkout, \"09\", Hold], overdue_fine: 0.5, fine_limit: \"10\", unsupported: \"96\" } }]\naccounts: [{ login: a, password: b, institution: BR1, dialect: { preset: Koha, terminator: CRLF, encoding: cp850, error_detection: On, charge_bl: Never, security_marker: \"02\" } }]\npatrons: [{ barcode: p, name: n, flags: [card_lost], language: \"002\", limits: { charge: 1 }, fees: [{ id: F, type: \"04\", amount: 5 }] }]\nitems: [{ barcode: i, title: t, owner: BR1, status: \"08\", media: \"001\", fee: \"1.50\" }]\nholds: [{ item: i, patron: p, type: \"3\", ready: true }]\nloans: []\n".to_string()),
    ];
    let validators: Vec<(&str, jsonschema::Validator)> =
        KINDS.iter().map(|k| (*k, validator(k))).collect();
    for (kind, yaml) in &fine {
        if let Err(e) = loads(kind, yaml) {
            panic!("sip2check refuses this {kind}:\n{yaml}\n{e}");
        }
        let v = &validators.iter().find(|(k, _)| k == kind).unwrap().1;
        let found = errors(v, yaml);
        assert!(
            found.is_empty(),
            "the {kind} schema refuses\n{yaml}\n{found:#?}"
        );
    }
}

#[test]
fn the_schemas_carry_help_for_the_editor() {
    let scenario: Value = serde_json::from_str(&printed("scenario")).unwrap();
    let defs = &scenario["definitions"];
    // Doc comments of the serde model become the help shown on hover.
    assert_eq!(
        defs["StepDoc"]["properties"]["capture"]["description"],
        "Response values to keep as variables: name -> field ID or fixed-field key."
    );
    // Names come from the one table: every rule, ground and field ID, with its meaning.
    let rules = defs["Rule"]["enum"].as_array().unwrap();
    assert!(rules.iter().any(|r| r == "lf-after-cr"));
    let ground = &defs["Ground"]["anyOf"][0];
    assert!(
        ground["enum"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g == "folio")
    );
    assert!(
        ground["enumDescriptions"][4]
            .as_str()
            .unwrap()
            .starts_with("FOLIO does")
    );
    assert_eq!(
        defs["FieldMatchers"]["properties"]["AO"]["description"],
        "institution id"
    );
    assert!(
        defs["send_checkout"]["properties"]["no_block"]["description"]
            .as_str()
            .unwrap()
            .starts_with("no block: 1 characters")
    );
}
