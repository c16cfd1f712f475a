//! Snapshots: every step's response, decoded field by field and normalised, one YAML file per
//! scenario (`DIR/<directory>/<file stem>.yaml`, keyed by step id). `run --record-snapshots
//! DIR` writes them ([`record`]); recorded again over an existing snapshot, any part that
//! differs between the two recordings is dropped and marked unstable, with a note (respdiff's
//! instability filter), so a snapshot never holds noise. `run --snapshots DIR` compares each
//! response with its snapshot ([`SnapshotReview`]): every field added, removed or changed is a
//! failed check on `snapshot PART`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::decoded::{Change, Decoded, Part, changes};
use super::normalize::Normalizer;
use super::quoted;
use crate::check::{CheckResult, Target};
use crate::runner::result::{Outcome, RunResult, ScenarioResult, StepResult, StepStatus};
use crate::runner::trials::Review;
use crate::scenario::model::OrderedMap;
use crate::scenario::{LoadError, LoadErrors, Scenario};
use crate::sip2::{FieldId, MessageCode, spec};

/// What a snapshot writes for a step that got no response.
const NO_RESPONSE: &str = "none";

/// One scenario's snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The scenario id.
    pub scenario: String,
    /// The steps that ran when it was recorded, in order.
    pub steps: Vec<StepSnapshot>,
}

/// One step's recorded response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepSnapshot {
    /// The step id.
    pub id: String,
    /// The response, decoded and normalised (None: none came), unstable parts left out.
    pub response: Option<Decoded>,
    /// Parts (`message`, fixed keys, field IDs) that differed between two recordings: they
    /// are not compared.
    pub unstable: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    scenario: String,
    steps: OrderedMap<String, StepDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepDoc {
    message: String,
    #[serde(default)]
    fixed: OrderedMap<String, String>,
    #[serde(default)]
    fields: Vec<OrderedMap<String, String>>,
    #[serde(default)]
    unstable: Vec<String>,
}

/// Where the snapshot of scenario `id` lives under `dir`: `<directory>::<stem>` is
/// `dir/<directory>/<stem>.yaml`.
pub fn path_of(dir: &Path, id: &str) -> PathBuf {
    match id.split_once("::") {
        Some((d, stem)) => dir.join(d).join(format!("{stem}.yaml")),
        None => dir.join(format!("{id}.yaml")),
    }
}

impl Snapshot {
    /// Reads a snapshot file.
    pub fn load(path: &Path) -> Result<Snapshot, LoadError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| LoadError::at(path, 1, 1, format!("cannot read the snapshot: {e}")))?;
        let doc: Doc = serde_yaml::from_str(&text).map_err(|e| LoadError::yaml(path, &e))?;
        let steps = doc
            .steps
            .0
            .into_iter()
            .map(|(id, s)| StepSnapshot {
                id,
                response: (s.message != NO_RESPONSE).then(|| Decoded {
                    code: s.message,
                    fixed: s.fixed.0,
                    fields: s.fields.into_iter().flat_map(|m| m.0).collect(),
                }),
                unstable: s.unstable,
            })
            .collect();
        Ok(Snapshot {
            scenario: doc.scenario,
            steps,
        })
    }

    /// The step with id `id`.
    pub fn step(&self, id: &str) -> Option<&StepSnapshot> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// The snapshot as YAML, under a header naming the scenario, when and against what.
    fn to_yaml(&self, s: &ScenarioResult, run: &RunResult) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "# sip2check snapshot of {id} ({file}):\n\
             # each step's response, decoded field by field.\n\
             # Recorded {started}\n\
             # against {endpoint}, profile {profile}.\n\
             # `sip2check run --snapshots DIR` compares every response with it; <date> and\n\
             # <volatile> are normalised values, and `unstable` lists what differed between two\n\
             # recordings (it is not compared). Recording again over this file marks more of\n\
             # that; remove the file to start over.\n\
             scenario: {scenario}\n\
             steps:\n",
            id = s.id,
            file = s.file.display(),
            started = run.started,
            endpoint = run.endpoint,
            profile = run.profile,
            scenario = quoted(&s.id),
        );
        for step in &self.steps {
            let _ = writeln!(out, "  {}:", key(&step.id));
            match &step.response {
                None => {
                    let _ = writeln!(out, "    message: {NO_RESPONSE}  # no response");
                }
                Some(d) => {
                    let name = MessageCode::parse(&d.code)
                        .and_then(spec::message)
                        .map_or(String::new(), |m| format!("  # {}", m.name));
                    let _ = writeln!(out, "    message: {}{name}", quoted(&d.code));
                    if !d.fixed.is_empty() {
                        out.push_str("    fixed:\n");
                        for (k, v) in &d.fixed {
                            let _ = writeln!(out, "      {}: {}", key(k), quoted(v));
                        }
                    }
                    if !d.fields.is_empty() {
                        out.push_str("    fields:\n");
                        for (k, v) in &d.fields {
                            let _ = writeln!(out, "      - {}: {}", key(k), quoted(v));
                        }
                    }
                }
            }
            if !step.unstable.is_empty() {
                let list: Vec<String> = step.unstable.iter().map(|u| key(u)).collect();
                let _ = writeln!(out, "    unstable: [{}]", list.join(", "));
            }
        }
        out
    }
}

/// A mapping key: plain when it is a step id, a fixed-field key or a field ID that YAML reads
/// as text, else quoted.
fn key(s: &str) -> String {
    let plain = s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain { s.to_string() } else { quoted(s) }
}

/// The response of a step as snapshots see it.
fn decoded(step: &StepResult, norm: &Normalizer) -> Option<Decoded> {
    step.received
        .as_ref()
        .map(|w| Decoded::decode(&w.text, norm))
}

/// Did the step run (so its response, or the lack of one, says something)?
fn ran(step: &StepResult) -> bool {
    !matches!(step.status, StepStatus::Skipped | StepStatus::NotRun)
}

/// `d` without the parts named in `unstable`.
fn without(mut d: Decoded, unstable: &[String]) -> Decoded {
    d.fixed.retain(|(k, _)| !unstable.contains(k));
    d.fields.retain(|(id, _)| !unstable.contains(id));
    d
}

/// Why recording could not finish.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// A snapshot already there cannot be read.
    #[error("{0} (remove it to record afresh)")]
    Previous(LoadError),
    /// A file cannot be written.
    #[error("cannot write the snapshot {path}: {source}", path = .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
}

/// What [`record`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Snapshot files written.
    pub files: usize,
    /// One note per part dropped as unstable: `scenario/step: AF differs between two recordings ...`.
    pub unstable: Vec<String>,
}

/// Writes a snapshot of every scenario of `run` that was not skipped under `dir`. Where a
/// snapshot is already there, every part that differs from it is dropped and marked unstable
/// (with a note), and steps that did not run this time keep their recorded response.
pub fn record(run: &RunResult, dir: &Path, norm: &Normalizer) -> Result<Recorded, RecordError> {
    let mut done = Recorded::default();
    for s in &run.scenarios {
        if matches!(s.outcome, Outcome::Skipped(_)) {
            continue;
        }
        let path = path_of(dir, &s.id);
        let previous = if path.is_file() {
            Some(Snapshot::load(&path).map_err(RecordError::Previous)?)
        } else {
            None
        };
        let mut steps = Vec::new();
        for st in &s.steps {
            let before = previous.as_ref().and_then(|p| p.step(&st.id));
            if !ran(st) {
                steps.extend(before.cloned());
                continue;
            }
            let now = decoded(st, norm);
            let mut unstable = before.map(|b| b.unstable.clone()).unwrap_or_default();
            if let Some(b) = before {
                for c in changes(b.response.as_ref(), now.as_ref(), &unstable) {
                    done.unstable.push(format!(
                        "{}: {} differs between two recordings ({} / {}): marked unstable",
                        s.step_path(st),
                        c.part.name(),
                        shown(&c.part, c.old.as_deref()),
                        shown(&c.part, c.new.as_deref()),
                    ));
                    if !unstable.iter().any(|u| u == c.part.name()) {
                        unstable.push(c.part.name().to_string());
                    }
                }
            }
            steps.push(StepSnapshot {
                id: st.id.clone(),
                response: now.map(|d| without(d, &unstable)),
                unstable,
            });
        }
        let snapshot = Snapshot {
            scenario: s.id.clone(),
            steps,
        };
        let write = |path: &Path| {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, snapshot.to_yaml(s, run))
        };
        write(&path).map_err(|source| RecordError::Write {
            path: path.clone(),
            source,
        })?;
        done.files += 1;
    }
    Ok(done)
}

/// A value as reports show it: quoted, or `absent` (`no response` for the message).
pub fn shown(part: &Part, value: Option<&str>) -> String {
    match (value, part) {
        (Some(v), _) => format!("{v:?}"),
        (None, Part::Message) => "no response".into(),
        (None, _) => "absent".into(),
    }
}

/// The comparison of each response with its snapshot, as a [`Review`].
#[derive(Debug)]
pub struct SnapshotReview {
    dir: PathBuf,
    norm: Normalizer,
    snapshots: Vec<(String, Snapshot)>,
}

impl SnapshotReview {
    /// Reads the snapshots of `scenarios` under `dir` (a scenario without one is noted when
    /// it runs); an unreadable snapshot is an error at its line.
    pub fn load(
        dir: &Path,
        scenarios: &[Scenario],
        norm: Normalizer,
    ) -> Result<SnapshotReview, LoadErrors> {
        if !dir.is_dir() {
            return Err(LoadErrors(vec![LoadError::at(
                dir,
                1,
                1,
                "no snapshot directory here; record one with --record-snapshots DIR",
            )]));
        }
        let mut snapshots = Vec::new();
        let mut errors = Vec::new();
        for s in scenarios {
            let path = path_of(dir, &s.id);
            if !path.is_file() {
                continue;
            }
            match Snapshot::load(&path) {
                Ok(snap) if snap.scenario == s.id => snapshots.push((s.id.clone(), snap)),
                Ok(snap) => errors.push(LoadError::at(
                    &path,
                    1,
                    1,
                    format!(
                        "this is the snapshot of {}, not of {}; record it again",
                        snap.scenario, s.id
                    ),
                )),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(SnapshotReview {
                dir: dir.to_path_buf(),
                norm,
                snapshots,
            })
        } else {
            Err(LoadErrors(errors))
        }
    }
}

impl Review for SnapshotReview {
    fn review(&self, result: &mut ScenarioResult) {
        if matches!(result.outcome, Outcome::Skipped(_)) {
            return;
        }
        let path = path_of(&self.dir, &result.id);
        let Some((_, snapshot)) = self.snapshots.iter().find(|(id, _)| *id == result.id) else {
            if let Some(first) = result.steps.iter_mut().find(|st| ran(st)) {
                first.notes.push(format!(
                    "no snapshot of this scenario in {} (record one with --record-snapshots {})",
                    self.dir.display(),
                    self.dir.display()
                ));
            }
            return;
        };
        for st in result.steps.iter_mut().filter(|st| ran(st)) {
            let Some(recorded) = snapshot.step(&st.id) else {
                st.notes
                    .push(format!("no snapshot of this step in {}", path.display()));
                continue;
            };
            let then = recorded.response.clone().map(|d| d.normalized(&self.norm));
            let now = decoded(st, &self.norm);
            let found = changes(then.as_ref(), now.as_ref(), &recorded.unstable);
            if found.is_empty() {
                continue;
            }
            st.notes.push(format!(
                "the response differs from its snapshot in {} ({} difference{})",
                path.display(),
                found.len(),
                if found.len() == 1 { "" } else { "s" }
            ));
            st.checks.extend(found.iter().map(check_of));
            if matches!(st.status, StepStatus::Passed | StepStatus::Known) {
                st.status = StepStatus::Failed;
            }
        }
        result.outcome = Outcome::from_steps(&result.steps);
    }
}

/// A difference from the snapshot as a failed check.
fn check_of(c: &Change) -> CheckResult {
    let mut check = CheckResult::new(
        Target::Snapshot(c.part.to_string()),
        false,
        shown(&c.part, c.old.as_deref()),
        shown(&c.part, c.new.as_deref()),
    );
    check.diff = c.old.clone().zip(c.new.clone());
    check
}

impl Decoded {
    /// The same response with `norm`'s rules applied again (a snapshot recorded before the
    /// profile listed more `volatile:` values compares as if recorded with them).
    pub fn normalized(self, norm: &Normalizer) -> Decoded {
        let message = MessageCode::parse(&self.code).and_then(spec::message);
        Decoded {
            fixed: self
                .fixed
                .into_iter()
                .map(|(k, v)| {
                    let kind = message.and_then(|m| m.fixed_field(&k)).map(|(_, f)| f.kind);
                    let v = match kind {
                        Some(kind) => norm.fixed(&k, kind, &v),
                        None => v,
                    };
                    (k, v)
                })
                .collect(),
            fields: self
                .fields
                .into_iter()
                .map(|(id, v)| {
                    let v = FieldId::parse(&id).map_or_else(|| v.clone(), |f| norm.field(f, &v));
                    (id, v)
                })
                .collect(),
            code: self.code,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;
    use crate::runner::result::Wire;
    use crate::scenario::Volatile;

    fn step(id: &str, received: Option<&str>) -> StepResult {
        StepResult {
            received: received.map(|t| Wire {
                text: t.into(),
                terminator: None,
                leading_lf: false,
            }),
            ..StepResult::new(1, id, id, "x.yaml:1".into(), StepStatus::Passed)
        }
    }

    fn run(steps: Vec<StepResult>) -> RunResult {
        RunResult {
            endpoint: "built-in emulator".into(),
            profile: "p.yaml".into(),
            started: "2026-12-02T10:00:00+00:00".into(),
            scenarios: vec![sample::scenario(steps)],
            ..RunResult::default()
        }
    }

    const ITEM: &str = "1803020120261202    101500CF0|AB1|AJSnow crash|AFWelcome|";

    #[test]
    fn recorded_twice_the_differing_parts_become_unstable() {
        let dir = tempfile::tempdir().unwrap();
        let norm = Normalizer::default();
        let first = run(vec![step("item", Some(ITEM)), step("bye", None)]);
        assert_eq!(record(&first, dir.path(), &norm).unwrap().files, 1);
        let path = path_of(dir.path(), "s::a");
        assert!(path.ends_with("s/a.yaml"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("      transaction_date: '<date>'"), "{text}");
        assert!(text.contains("      - AJ: 'Snow crash'"), "{text}");
        assert!(text.contains("    message: none"), "{text}");
        let again = record(&first, dir.path(), &norm).unwrap();
        assert!(again.unstable.is_empty(), "the same answers: {again:?}");
        let other = ITEM.replace("AFWelcome", "AFHello");
        let second = run(vec![step("item", Some(&other)), step("bye", None)]);
        let noted = record(&second, dir.path(), &norm).unwrap();
        assert_eq!(
            noted.unstable,
            [
                "s::a/item: AF differs between two recordings (\"Welcome\" / \"Hello\"): marked unstable"
            ]
        );
        let snap = Snapshot::load(&path).unwrap();
        let item = snap.step("item").unwrap();
        assert_eq!(item.unstable, ["AF"]);
        assert!(
            item.response
                .as_ref()
                .unwrap()
                .field_values("AF")
                .is_empty()
        );
        assert_eq!(snap.step("bye").unwrap().response, None);
        let review = SnapshotReview::load(dir.path(), &[], norm.clone()).unwrap();
        assert!(
            review.snapshots.is_empty(),
            "only the selected scenarios' snapshots"
        );
    }

    #[test]
    fn differences_from_the_snapshot_fail_the_step_and_volatile_values_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let norm = Normalizer::default();
        record(&run(vec![step("item", Some(ITEM))]), dir.path(), &norm).unwrap();
        let snap = Snapshot::load(&path_of(dir.path(), "s::a")).unwrap();
        let review = SnapshotReview {
            dir: dir.path().to_path_buf(),
            norm: norm.clone(),
            snapshots: vec![("s::a".into(), snap.clone())],
        };
        let later = ITEM.replace("20261202    101500", "20270101    000000");
        let mut same = run(vec![step("item", Some(&later))]).scenarios.remove(0);
        review.review(&mut same);
        assert_eq!(same.outcome, Outcome::Passed, "{same:?}");
        let changed = ITEM.replace("Snow crash", "Snow Crash").replace("CF0|", "");
        let mut r = run(vec![step("item", Some(&changed)), step("new", Some(ITEM))])
            .scenarios
            .remove(0);
        review.review(&mut r);
        assert_eq!(r.outcome, Outcome::Failed);
        let rows: Vec<(String, &str, &str)> = r.steps[0]
            .checks
            .iter()
            .map(|c| (c.target.to_string(), c.expected.as_str(), c.actual.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                ("snapshot CF".to_string(), "\"0\"", "absent"),
                (
                    "snapshot AJ".to_string(),
                    "\"Snow crash\"",
                    "\"Snow Crash\""
                ),
            ]
        );
        assert_eq!(
            r.steps[0].checks[1].diff,
            Some(("Snow crash".into(), "Snow Crash".into()))
        );
        assert!(
            r.steps[1].notes[0].contains("no snapshot of this step"),
            "{r:?}"
        );
        let site = SnapshotReview {
            norm: Normalizer::new(&[Volatile::Field(FieldId::AJ), Volatile::Field(FieldId::CF)]),
            ..review
        };
        let mut r = run(vec![step("item", Some(&changed))]).scenarios.remove(0);
        site.review(&mut r);
        assert_eq!(
            r.outcome,
            Outcome::Failed,
            "CF is absent now, not just different"
        );
        assert_eq!(r.steps[0].checks.len(), 1, "{:?}", r.steps[0].checks);
    }
}
