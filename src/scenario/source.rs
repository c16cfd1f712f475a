//! Where scenario text comes from: files on disk, or the suites and profile templates built
//! into the binary (the table `build.rs` makes of `scenarios/` and `fixtures/profiles/`). Both
//! become [`ScenarioFile`]s that the one loader parses, so a built-in scenario has the same id,
//! checks and line numbers as its copy on disk; its file is shown as
//! `<built-in>/scenarios/<suite>/<name>.yaml`.

use std::path::{Path, PathBuf};

use crate::sip2::System;

include!(concat!(env!("OUT_DIR"), "/builtin_files.rs"));

/// What built-in file names start with.
pub const BUILTIN: &str = "<built-in>";

/// The folder of the built-in suites.
const SUITES: &str = "scenarios";

/// The folder of the built-in profile templates.
const PROFILES: &str = "fixtures/profiles";

/// Scenarios to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A scenario file, or a directory searched for them.
    Path(PathBuf),
    /// A suite built into the binary, by name (`siptest`, `spec`).
    Builtin(String),
}

/// One scenario's text and the name it is known by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioFile {
    /// The path on disk, or `<built-in>/scenarios/...` for a built-in one.
    pub path: PathBuf,
    /// The YAML.
    pub text: String,
    /// Built in: its `use:` steps come from the built-in `common.yaml` files, never from disk.
    pub builtin: bool,
}

/// The built-in file at `name` (a `/` path from the crate root, e.g. `scenarios/common.yaml`).
pub fn file(name: &str) -> Option<&'static str> {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// The names of the built-in suites (the folders of `scenarios/`), sorted.
pub fn suites() -> Vec<&'static str> {
    let mut out: Vec<&str> = FILES
        .iter()
        .filter_map(|(n, _)| n.strip_prefix("scenarios/")?.split_once('/'))
        .map(|(suite, _)| suite)
        .collect();
    out.dedup();
    out
}

/// The scenarios of built-in suite `name` (every file below it but `common.yaml`), sorted by
/// path; None when there is no such suite.
pub fn suite(name: &str) -> Option<Vec<ScenarioFile>> {
    let prefix = format!("{SUITES}/{name}/");
    let files: Vec<ScenarioFile> = FILES
        .iter()
        .filter(|(n, _)| n.starts_with(&prefix) && !n.ends_with(&format!("/{COMMON}")))
        .map(|(n, text)| ScenarioFile {
            path: builtin_path(n),
            text: (*text).to_string(),
            builtin: true,
        })
        .collect();
    (!files.is_empty()).then_some(files)
}

/// Every built-in file under `scenarios/` (the suites and `common.yaml`), as (path below
/// `scenarios/`, text), for `sip2check init --suites`.
pub fn suite_files() -> impl Iterator<Item = (&'static str, &'static str)> {
    FILES
        .iter()
        .filter_map(|(n, text)| Some((n.strip_prefix("scenarios/")?, *text)))
}

/// The commented profile template for `system` (`fixtures/profiles/<name>.yaml`), if this build
/// has one.
pub fn profile_template(system: System) -> Option<&'static str> {
    file(&format!("{PROFILES}/{}.yaml", system.name()))
}

/// The systems this build has a profile template for.
pub fn profile_templates() -> Vec<System> {
    System::ALL
        .into_iter()
        .filter(|s| profile_template(*s).is_some())
        .collect()
}

const COMMON: &str = super::load::COMMON_FILE;

/// The nearest built-in `common.yaml` above the built-in scenario `scenario` (for any other
/// path, the top one, `scenarios/common.yaml`), with the name it is shown by. An empty text
/// when the build has none (a `use:` then names no step it could use).
pub fn common_above(scenario: &Path) -> (PathBuf, &'static str) {
    let name = scenario
        .to_str()
        .and_then(|s| s.strip_prefix(BUILTIN))
        .and_then(|s| s.strip_prefix('/'));
    let mut dir = name.and_then(|n| n.rsplit_once('/')).map(|(d, _)| d);
    while let Some(d) = dir {
        let candidate = format!("{d}/{COMMON}");
        if let Some(text) = file(&candidate) {
            return (builtin_path(&candidate), text);
        }
        dir = d.rsplit_once('/').map(|(up, _)| up);
    }
    let top = format!("{SUITES}/{COMMON}");
    (builtin_path(&top), file(&top).unwrap_or_default())
}

fn builtin_path(name: &str) -> PathBuf {
    PathBuf::from(format!("{BUILTIN}/{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Every `*.yaml`/`*.yml` below `dir` of the crate, as (`/` path, text).
    fn on_disk(dir: &str, recurse: bool, out: &mut BTreeMap<String, String>) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            let path = format!("{dir}/{name}");
            if name.starts_with('.') {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                if recurse {
                    on_disk(&path, recurse, out);
                }
            } else if name.ends_with(".yaml") || name.ends_with(".yml") {
                out.insert(path, std::fs::read_to_string(entry.path()).unwrap());
            }
        }
    }

    #[test]
    fn every_suite_file_and_profile_template_on_disk_is_built_in_byte_for_byte() {
        let mut disk = BTreeMap::new();
        on_disk(SUITES, true, &mut disk);
        on_disk(PROFILES, false, &mut disk);
        let built: BTreeMap<String, String> = FILES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        assert_eq!(
            built.keys().collect::<Vec<_>>(),
            disk.keys().collect::<Vec<_>>()
        );
        for (name, text) in &disk {
            assert!(
                built[name] == *text,
                "{name} differs from its built-in copy"
            );
        }
        assert!(disk.contains_key("scenarios/common.yaml"));
        assert!(disk.contains_key("fixtures/profiles/emulator.yaml"));
    }

    #[test]
    fn suites_templates_and_common_files_are_found_by_name() {
        assert_eq!(suites(), ["siptest", "spec"]);
        let siptest = suite("siptest").unwrap();
        assert!(siptest.iter().all(|f| f.builtin));
        assert_eq!(
            siptest[3].path,
            Path::new("<built-in>/scenarios/siptest/03checkout.yaml")
        );
        assert!(suite("nosuch").is_none());
        assert!(suite("").is_none());
        for sys in [System::Emulator, System::Evergreen] {
            assert!(profile_template(sys).is_some(), "{sys}");
            assert!(profile_templates().contains(&sys));
        }
        let (path, text) = common_above(&siptest[0].path);
        assert_eq!(path, Path::new("<built-in>/scenarios/common.yaml"));
        assert_eq!(Some(text), file("scenarios/common.yaml"));
        assert_eq!(common_above(Path::new("/tmp/x/y.yaml")).0, path);
        assert_eq!(
            suite_files().count(),
            FILES.len() - profile_templates().len()
        );
    }
}
