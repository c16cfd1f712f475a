//! Loading: finds scenario files, parses them, resolves `use:` against the nearest
//! `common.yaml`, and checks what the YAML shape cannot (fixed-field keys of the response,
//! capture sources, which template names are captures of earlier steps and which are profile
//! variables). The variables themselves are checked apart ([`super::vars::check`]), only for
//! the scenarios a run selects. Every error names the file, line and column; loading goes on
//! past a bad file so all errors show at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::{LoadError, LoadErrors};
use super::locate::Locator;
use super::model::{FixedValue, OrderedMap, ScenarioDoc, SendDoc, StepDoc, UndoDoc, did_you_mean};
use super::source::{self, ScenarioFile, Source};
use super::template::{BUILTINS, Template};
use super::{
    Capture, CaptureSource, Expect, Leader, Loc, RuleCheck, Scenario, Send, Shared, Step, Undo,
    VarUse, vars,
};
use crate::sip2::spec::{self, MessageSpec};
use crate::sip2::{FieldId, MessageCode};

/// The name of the shared-steps file.
pub const COMMON_FILE: &str = "common.yaml";

/// How deep directories are searched for scenario files.
const MAX_DEPTH: usize = 8;

/// Loads every scenario under `paths` (files or directories, searched recursively for
/// `*.yaml`/`*.yml` other than `common.yaml`), sorted by path, and checks every variable they
/// use against the profile's `vars` ([`vars::check`]).
pub fn load(
    paths: &[PathBuf],
    vars: &BTreeMap<String, String>,
) -> Result<Vec<Scenario>, LoadErrors> {
    let all = load_unchecked(paths)?;
    vars::check(&all, vars)?;
    Ok(all)
}

/// Loads every scenario under `paths` as [`load`] does, without checking their variables
/// (for `--list`, and for runs that check only the scenarios they select).
pub fn load_unchecked(paths: &[PathBuf]) -> Result<Vec<Scenario>, LoadErrors> {
    let sources: Vec<Source> = paths.iter().cloned().map(Source::Path).collect();
    load_sources(&sources)
}

/// Loads the scenarios of `sources` without checking their variables: those on disk sorted by
/// path, then the built-in suites in the order given.
pub fn load_sources(sources: &[Source]) -> Result<Vec<Scenario>, LoadErrors> {
    let mut files = Vec::new();
    let mut builtin: Vec<ScenarioFile> = Vec::new();
    let mut suites: Vec<&str> = Vec::new();
    let mut errors = Vec::new();
    for src in sources {
        let p = match src {
            Source::Path(p) => p,
            Source::Builtin(name) => {
                if suites.contains(&name.as_str()) {
                    continue;
                }
                suites.push(name);
                match source::suite(name) {
                    Some(suite) => builtin.extend(suite),
                    None => errors.push(LoadError::at(
                        Path::new(source::BUILTIN),
                        1,
                        1,
                        format!(
                            "no built-in suite {name:?}{}; built in: {}",
                            did_you_mean(name, source::suites().into_iter()),
                            source::suites().join(", ")
                        ),
                    )),
                }
                continue;
            }
        };
        if let Err(e) = discover(p, 0, &mut files) {
            errors.push(e);
        } else if !files.iter().any(|f: &PathBuf| f.starts_with(p)) {
            errors.push(LoadError::at(
                p,
                1,
                1,
                "no scenario files (*.yaml) here; give a scenario file or a directory of them",
            ));
        }
    }
    files.sort();
    files.dedup();
    let mut commons = CommonCache::default();
    let mut out = Vec::new();
    for f in &files {
        match load_with(f, &mut commons) {
            Ok(s) => out.push(s),
            Err(mut e) => errors.append(&mut e),
        }
    }
    for f in &builtin {
        match parse(f, &mut commons) {
            Ok(s) => out.push(s),
            Err(mut e) => errors.append(&mut e),
        }
    }
    for (i, s) in out.iter().enumerate() {
        if let Some(first) = out[..i].iter().find(|o| o.id == s.id) {
            errors.push(LoadError::at(
                &s.file,
                1,
                1,
                format!(
                    "scenario id {} is also the id of {}; ids are <directory>::<file stem>, rename one",
                    s.id,
                    first.file.display()
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(LoadErrors(errors))
    }
}

/// Loads one scenario file and checks its variables against `vars`.
pub fn load_file(path: &Path, vars: &BTreeMap<String, String>) -> Result<Scenario, LoadErrors> {
    let s = load_with(path, &mut CommonCache::default()).map_err(LoadErrors)?;
    vars::check(std::slice::from_ref(&s), vars)?;
    Ok(s)
}

/// Loads one scenario from `text` as if it were the file at `path` (its `use:` steps come from
/// the common.yaml above `path`), without checking its variables: for text a program wrote.
pub fn load_text(path: &Path, text: &str) -> Result<Scenario, LoadErrors> {
    let file = ScenarioFile {
        path: path.to_path_buf(),
        text: text.to_string(),
        builtin: false,
    };
    parse(&file, &mut CommonCache::default()).map_err(LoadErrors)
}

fn discover(path: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let dir = crate::input::is_dir(path).map_err(|e| LoadError::at(path, 1, 1, e.problem))?;
    if !dir {
        if path.file_name().is_none_or(|n| n != COMMON_FILE) {
            out.push(path.to_path_buf());
        }
        return Ok(());
    }
    if depth >= MAX_DEPTH {
        return Ok(());
    }
    let entries = std::fs::read_dir(path)
        .map_err(|e| LoadError::at(path, 1, 1, format!("cannot list the directory: {e}")))?;
    for entry in entries.flatten() {
        let p = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            discover(&p, depth + 1, out)?;
        } else if (name.ends_with(".yaml") || name.ends_with(".yml")) && name != COMMON_FILE {
            out.push(p);
        }
    }
    Ok(())
}

/// The scenario id: `<directory name>::<file stem>`.
fn scenario_id(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    match path
        .parent()
        .and_then(Path::file_name)
        .map(|d| d.to_string_lossy().into_owned())
    {
        Some(dir) if !dir.is_empty() => format!("{dir}::{stem}"),
        _ => stem,
    }
}

/// Parsed common.yaml files by path.
#[derive(Default)]
struct CommonCache {
    files: BTreeMap<PathBuf, Arc<Common>>,
}

struct Common {
    path: PathBuf,
    text: String,
    steps: Vec<(String, StepDoc, usize)>,
}

impl CommonCache {
    /// The nearest common.yaml above `scenario`, or the built-in one.
    fn for_scenario(&mut self, scenario: &Path) -> Result<Arc<Common>, LoadError> {
        let found = scenario
            .ancestors()
            .skip(1)
            .take(MAX_DEPTH)
            .map(|dir| dir.join(COMMON_FILE))
            // Anything there named common.yaml is read, so a pipe or a link loop is reported, not skipped.
            .find(|p| p.symlink_metadata().is_ok());
        let (path, text) = match found {
            Some(p) => {
                let text =
                    crate::input::read_text(&p).map_err(|e| LoadError::at(&p, 1, 1, e.problem))?;
                (p, text)
            }
            None => {
                let (path, text) = source::common_above(scenario);
                (path, text.to_string())
            }
        };
        self.parse(path, text)
    }

    /// The nearest built-in common.yaml above the built-in `scenario` (never one on disk).
    fn for_builtin(&mut self, scenario: &Path) -> Result<Arc<Common>, LoadError> {
        let (path, text) = source::common_above(scenario);
        self.parse(path, text.to_string())
    }

    fn parse(&mut self, path: PathBuf, text: String) -> Result<Arc<Common>, LoadError> {
        if let Some(c) = self.files.get(&path) {
            return Ok(c.clone());
        }
        let map: OrderedMap<String, StepDoc> =
            serde_yaml::from_str(&text).map_err(|e| LoadError::yaml(&path, &e))?;
        let lines = Locator::new(&text).top_level_keys();
        let mut steps = Vec::new();
        for (name, doc) in map.0 {
            let line = lines
                .iter()
                .find(|(k, _)| *k == name)
                .map_or(1, |(_, l)| *l);
            if doc.use_.is_some() {
                return Err(LoadError::at(
                    &path,
                    line,
                    1,
                    format!("shared step {name:?} uses another shared step; write it out instead"),
                ));
            }
            steps.push((name, doc, line));
        }
        let common = Arc::new(Common {
            path: path.clone(),
            text,
            steps,
        });
        self.files.insert(path, common.clone());
        Ok(common)
    }
}

fn load_with(path: &Path, commons: &mut CommonCache) -> Result<Scenario, Vec<LoadError>> {
    let text =
        crate::input::read_text(path).map_err(|e| vec![LoadError::at(path, 1, 1, e.problem)])?;
    let file = ScenarioFile {
        path: path.to_path_buf(),
        text,
        builtin: false,
    };
    parse(&file, commons)
}

/// Parses one scenario file, from disk or built in.
fn parse(source: &ScenarioFile, commons: &mut CommonCache) -> Result<Scenario, Vec<LoadError>> {
    let (path, text) = (source.path.as_path(), &source.text);
    let doc: ScenarioDoc =
        serde_yaml::from_str(text).map_err(|e| vec![LoadError::yaml(path, &e)])?;
    let locator = Locator::new(text);
    let mut errors = Vec::new();
    let mut captures: Vec<String> = Vec::new();
    let at = Written {
        path,
        builtin: source.builtin,
        locator: &locator,
        loc: Loc {
            file: Arc::from(path.display().to_string()),
            line: 1,
            via: None,
        },
    };
    let mut steps = build_list(
        &doc.steps,
        &locator.step_lines(),
        0,
        &at,
        &mut captures,
        commons,
        &mut errors,
    );
    if doc.steps.is_empty() {
        let at = locator.key(1, 0, "steps");
        errors.push(LoadError::at(
            path,
            at.map_or(1, |l| l.line),
            1,
            "a scenario needs at least one step",
        ));
    }
    let finally_line = locator
        .top_level_keys()
        .into_iter()
        .find(|(k, _)| k == "finally")
        .map(|(_, l)| l);
    let finally_at = Written {
        loc: Loc {
            line: finally_line.unwrap_or(1),
            ..at.loc.clone()
        },
        ..at
    };
    let mut finally = build_list(
        &doc.finally,
        &finally_line.map_or_else(Vec::new, |l| locator.list_items(l)),
        0,
        &finally_at,
        &mut captures,
        commons,
        &mut errors,
    );
    if let Some(step) = finally.iter().find(|s| s.undo.is_some()) {
        errors.push(LoadError::at(
            path,
            step.loc.line,
            1,
            "a finally: step takes no undo: (finally: is the cleanup already; write the reversal as a later finally: step)",
        ));
    }
    if let Some(step) = steps.iter().find(|s| s.undo.is_some()) {
        let logs_in = finally.first().is_some_and(|f| {
            f.send
                .message()
                .is_some_and(|m| m.code == MessageCode::LOGIN)
        });
        if !logs_in {
            errors.push(LoadError::at(
                path,
                finally_line.unwrap_or(step.loc.line),
                1,
                "undo: steps run on the cleanup connection right after the first finally: step, so a scenario with undo: needs a finally: that starts with a login (`finally: [{ use: login }]`): a server that wants a login first refuses them otherwise",
            ));
        }
    }
    if errors.is_empty() {
        errors.extend(super::ident::assign(&mut steps, "", path));
        errors.extend(super::ident::assign(&mut finally, "finally/", path));
        for step in &mut steps {
            let prefix = format!("{}/undo/", step.id);
            if let Some(undo) = &mut step.undo {
                errors.extend(super::ident::assign(&mut undo.steps, &prefix, path));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let stem = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    Ok(Scenario {
        id: scenario_id(path),
        name: doc.name.unwrap_or(stem),
        about: doc.about.unwrap_or_default(),
        tags: doc.tags,
        requires: doc.requires.into_iter().map(|r| r.0).collect(),
        needs: doc.needs.into_iter().map(|n| n.0).collect(),
        checksum: doc.checksum,
        file: path.to_path_buf(),
        steps,
        finally,
    })
}

/// Where a list of steps is written: the file and its text.
struct Written<'a> {
    path: &'a Path,
    /// The file is built in: its `use:` steps come from the built-in common.yaml only.
    builtin: bool,
    locator: &'a Locator<'a>,
    /// The file, the `use:` it came through, and the line of the list (the line of a step
    /// whose own line is not found, e.g. in a flow-style list).
    loc: Loc,
}

/// Builds the steps `docs`, written at `lines` (the list ends before line `end`, 0: the end
/// of the text); each step's captures are known to the steps after it. Errors are collected.
fn build_list(
    docs: &[StepDoc],
    lines: &[usize],
    end: usize,
    at: &Written,
    captures: &mut Vec<String>,
    commons: &mut CommonCache,
    errors: &mut Vec<LoadError>,
) -> Vec<Step> {
    let mut steps = Vec::new();
    for (i, sdoc) in docs.iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(at.loc.line);
        let next = lines.get(i + 1).copied().unwrap_or(end);
        let here = Loc {
            line,
            ..at.loc.clone()
        };
        let built = match &sdoc.use_ {
            Some(name) => resolve_use((at.path, at.builtin), sdoc, name, here, captures, commons),
            None => build_step(
                sdoc,
                &Place {
                    path: at.path,
                    builtin: at.builtin,
                    locator: at.locator,
                    from: line,
                    to: next,
                    loc: here,
                },
                captures,
                commons,
            ),
        };
        match built {
            Ok(step) => {
                captures.extend(step.capture.iter().map(|c| c.name.clone()));
                steps.push(step);
            }
            Err(e) => errors.push(e),
        }
    }
    steps
}

fn resolve_use(
    (path, builtin): (&Path, bool),
    sdoc: &StepDoc,
    name: &str,
    here: Loc,
    captures: &[String],
    commons: &mut CommonCache,
) -> Result<Step, LoadError> {
    // Identity is not behaviour: a `use:` step may set its own id as well as its name.
    let only_name = sdoc.send.is_none()
        && sdoc.expect.is_none()
        && sdoc.checksum.is_none()
        && sdoc.timeout.is_none()
        && sdoc.terminator.is_none()
        && sdoc.resend.is_none()
        && sdoc.capture.0.is_empty()
        && sdoc.needs.is_none()
        && sdoc.requires.is_empty()
        && sdoc.undo.is_none();
    if !only_name {
        return Err(LoadError::at(
            path,
            here.line,
            1,
            format!(
                "a `use: {name}` step takes only a name and an id; to change it, write the step out"
            ),
        ));
    }
    let common = if builtin {
        commons.for_builtin(path)?
    } else {
        commons.for_scenario(path)?
    };
    let Some(index) = common.steps.iter().position(|(n, _, _)| n == name) else {
        let names: Vec<&str> = common.steps.iter().map(|(n, _, _)| n.as_str()).collect();
        return Err(LoadError::at(
            path,
            here.line,
            1,
            format!(
                "unknown shared step {name:?}{}; {} defines: {}",
                did_you_mean(name, names.iter().copied()),
                common.path.display(),
                names.join(", ")
            ),
        ));
    };
    let (_, cdoc, cline) = &common.steps[index];
    let next = common.steps.get(index + 1).map_or(0, |(_, _, l)| *l);
    let locator = Locator::new(&common.text);
    let loc = Loc {
        file: Arc::from(common.path.display().to_string()),
        line: *cline,
        via: Some(Arc::new(here)),
    };
    let mut step = build_step(
        cdoc,
        &Place {
            path: &common.path,
            builtin,
            locator: &locator,
            from: *cline,
            to: next,
            loc,
        },
        captures,
        commons,
    )?;
    step.name = sdoc
        .name
        .clone()
        .or_else(|| cdoc.name.clone())
        .unwrap_or_else(|| name.to_string());
    step.shared = Some(Shared {
        key: name.to_string(),
        name: cdoc.name.clone().unwrap_or_else(|| name.to_string()),
        id: cdoc.id.as_ref().map(|id| id.0.clone()),
    });
    step.id = sdoc.id.as_ref().map_or(step.id, |id| id.0.clone());
    Ok(step)
}

/// Where a step is written, for error locations.
struct Place<'a> {
    path: &'a Path,
    /// The file is built in (see [`Written`]).
    builtin: bool,
    locator: &'a Locator<'a>,
    from: usize,
    to: usize,
    loc: Loc,
}

impl Place<'_> {
    fn error(&self, at: Option<super::locate::LineCol>, message: String) -> LoadError {
        let (line, col) = at.map_or((self.from, 1), |l| (l.line, l.col));
        LoadError::at(self.path, line, col, message)
    }
}

fn build_step(
    doc: &StepDoc,
    place: &Place,
    captures: &[String],
    commons: &mut CommonCache,
) -> Result<Step, LoadError> {
    let Some(send) = &doc.send else {
        return Err(place.error(None, "a step needs send: (the message to send)".into()));
    };
    let send = match send {
        SendDoc::Raw(t) => Send::Raw(t.clone()),
        SendDoc::Structured(s) => Send::Structured(s.clone()),
    };
    let request = send.message();
    let edoc = doc.expect.clone().unwrap_or_default();
    let response = edoc
        .message
        .map(|m| m.0)
        .or_else(|| request.and_then(|r| r.response).and_then(spec::message));
    let rule_check = |r: &super::model::RuleItem| RuleCheck {
        rule: r.rule,
        ground: r.ground,
    };
    let mut expect = Expect {
        ground: edoc.ground.unwrap_or_default(),
        message: edoc.message.map(|m| m.0),
        leader: edoc.leader.map(|l| Leader {
            regex: l.regex,
            ground: l.ground,
        }),
        fixed: Vec::new(),
        fields: edoc.fields.0.into_iter().map(|(k, m)| (k.0, m.0)).collect(),
        lint: edoc.lint.iter().map(|r| r.0).collect(),
        violations: edoc.violations.iter().map(rule_check).collect(),
        forbid: edoc.forbid.iter().map(rule_check).collect(),
        closed: edoc.closed,
    };
    for (key, m) in edoc.fixed.0 {
        let f = fixed_key(response, &key)
            .map_err(|msg| place.error(place.locator.key(place.from, place.to, &key), msg))?;
        expect.fixed.push((f, m.0));
    }
    if expect.closed
        && (expect.message.is_some()
            || expect.leader.is_some()
            || !expect.fixed.is_empty()
            || !expect.fields.is_empty()
            || !doc.capture.0.is_empty()
            || doc.undo.is_some())
    {
        return Err(place.error(
            place.locator.key(place.from, place.to, "closed"),
            "closed: true means no response comes, so it takes no other expectation, capture or undo:"
                .into(),
        ));
    }
    let mut capture = Vec::new();
    for (name, source) in &doc.capture.0 {
        let at = place.locator.key(place.from, place.to, name);
        if name.is_empty()
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || BUILTINS.contains(&name.as_str())
        {
            return Err(place.error(
                at,
                format!("capture name {name:?}: use letters, digits and '_', not a built-in (now, today, datepat)"),
            ));
        }
        let source = capture_source(response, source).map_err(|m| place.error(at, m))?;
        capture.push(Capture {
            name: name.clone(),
            source,
        });
    }
    let mut step = Step {
        // Empty until `ident::assign` makes a slug of the name.
        id: doc.id.as_ref().map_or_else(String::new, |id| id.0.clone()),
        name: doc.name.clone().unwrap_or_else(|| default_name(&send)),
        loc: place.loc.clone(),
        send,
        checksum: doc.checksum,
        timeout: doc.timeout.map(|t| t.0),
        terminator: doc.terminator.map(|t| t.0),
        resend: doc.resend.unwrap_or(true),
        expect,
        capture,
        needs: doc
            .needs
            .as_ref()
            .map(|n| n.iter().map(|n| n.0.clone()).collect()),
        requires: doc.requires.iter().map(|r| r.0).collect(),
        vars: Vec::new(),
        undo: None,
        shared: None,
    };
    if let Some(u) = &doc.undo {
        let mut seen: Vec<String> = captures.to_vec();
        seen.extend(step.capture.iter().map(|c| c.name.clone()));
        step.undo = Some(build_undo(u, response, place, seen, commons)?);
    }
    // Names that are neither built-ins nor captures of earlier steps are profile variables
    // (or env.NAME); where each is written is kept for the variable check of a run.
    let mut used: Vec<VarUse> = Vec::new();
    for t in templates(&step) {
        for name in t.names() {
            if BUILTINS.contains(&name)
                || captures.iter().any(|c| c == name)
                || used.iter().any(|u| u.name == name)
            {
                continue;
            }
            let at = place.locator.template(place.from, place.to, name);
            used.push(VarUse {
                name: name.to_string(),
                line: at.map_or(place.from, |l| l.line),
                col: at.map_or(1, |l| l.col),
            });
        }
    }
    step.vars = used;
    Ok(step)
}

/// The `undo:` of a step whose answer is `response`: its condition and its steps, which see
/// the captures of the steps before (`captures`, the step's own included).
fn build_undo(
    doc: &UndoDoc,
    response: Option<&'static MessageSpec>,
    place: &Place,
    mut captures: Vec<String>,
    commons: &mut CommonCache,
) -> Result<Undo, LoadError> {
    let undo_at = place.locator.key(place.from, place.to, "undo");
    let w = &doc.when;
    let grounded = w.leader.as_ref().is_some_and(|l| l.ground.is_some())
        || w.fixed.0.iter().any(|(_, m)| m.0.ground.is_some())
        || w.fields.0.iter().any(|(_, m)| m.0.ground.is_some());
    if grounded {
        return Err(place.error(
            undo_at,
            "undo.when: is a condition on the answer, not a check: it takes no ground".into(),
        ));
    }
    if w.message.is_none() && w.leader.is_none() && w.fixed.0.is_empty() && w.fields.0.is_empty() {
        return Err(place.error(
            undo_at,
            "undo.when: needs a condition that says the server did it, e.g. when: { fixed: { ok: \"1\" } }".into(),
        ));
    }
    let mut when = Expect {
        message: w.message.map(|m| m.0),
        leader: w.leader.clone().map(|l| Leader {
            regex: l.regex,
            ground: None,
        }),
        fields: w.fields.0.iter().map(|(k, m)| (k.0, m.0.clone())).collect(),
        ..Expect::default()
    };
    let response = when.message.or(response);
    for (key, m) in &w.fixed.0 {
        let f = fixed_key(response, key)
            .map_err(|msg| place.error(place.locator.key(place.from, place.to, key), msg))?;
        when.fixed.push((f, m.0.clone()));
    }
    if doc.steps.is_empty() {
        return Err(place.error(
            undo_at,
            "undo: needs steps: (the requests that reverse this step)".into(),
        ));
    }
    let steps_at = undo_at.and_then(|u| place.locator.key(u.line, place.to, "steps"));
    let lines = steps_at.map_or_else(Vec::new, |l| place.locator.list_items(l.line));
    let at = Written {
        path: place.path,
        builtin: place.builtin,
        locator: place.locator,
        loc: Loc {
            line: undo_at.map_or(place.from, |u| u.line),
            ..place.loc.clone()
        },
    };
    let mut errors = Vec::new();
    let steps = build_list(
        &doc.steps,
        &lines,
        place.to,
        &at,
        &mut captures,
        commons,
        &mut errors,
    );
    if let Some(e) = errors.into_iter().next() {
        return Err(e);
    }
    if let Some(nested) = steps.iter().find(|s| s.undo.is_some()) {
        return Err(LoadError::at(
            place.path,
            nested.loc.line,
            1,
            "an undo step takes no undo: of its own",
        ));
    }
    Ok(Undo { when, steps })
}

fn default_name(send: &Send) -> String {
    send.message()
        .map_or_else(|| "raw message".to_string(), |s| s.key.to_string())
}

fn fixed_key(response: Option<&'static MessageSpec>, key: &str) -> Result<&'static str, String> {
    let Some(spec) = response else {
        return Err(format!(
            "cannot tell which message's fixed field {key:?} is: add expect.message"
        ));
    };
    match spec.fixed_field(key) {
        Some((_, f)) => Ok(f.key),
        None => {
            let keys: Vec<&str> = spec.fixed.iter().map(|f| f.key).collect();
            Err(format!(
                "{} has no fixed field {key:?}{}; its fixed fields: {}",
                spec.name,
                did_you_mean(key, keys.iter().copied()),
                keys.join(", ")
            ))
        }
    }
}

fn capture_source(
    response: Option<&'static MessageSpec>,
    source: &str,
) -> Result<CaptureSource, String> {
    if let Some(id) = FieldId::parse(source).filter(|id| spec::field(*id).is_some()) {
        return Ok(CaptureSource::Field(id));
    }
    fixed_key(response, source)
        .map(CaptureSource::Fixed)
        .map_err(|e| format!("capture from {source:?}: not a field ID, and {e}"))
}

/// Every template in a step (for the load-time name check).
fn templates(step: &Step) -> Vec<&Template> {
    let mut out = Vec::new();
    match &step.send {
        Send::Raw(t) => out.push(t),
        Send::Structured(s) => {
            for (_, v) in &s.fixed {
                if let FixedValue::Text(t) = v {
                    out.push(t);
                }
            }
            out.extend(s.fields.iter().map(|(_, t)| t));
        }
    }
    out.extend(step.expect.leader.iter().map(|l| &l.regex));
    for (_, m) in &step.expect.fixed {
        out.extend(m.matcher.templates());
    }
    for (_, m) in &step.expect.fields {
        out.extend(m.matcher.templates());
    }
    if let Some(undo) = &step.undo {
        out.extend(undo.when.leader.iter().map(|l| &l.regex));
        for (_, m) in &undo.when.fixed {
            out.extend(m.matcher.templates());
        }
        for (_, m) in &undo.when.fields {
            out.extend(m.matcher.templates());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        [("institution", "BR1"), ("patron.barcode", "999999")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    const COMMON: &str = "login:\n  send: \"9300CN{{ institution }}|\"\n  expect:\n    leader: '^941'\nbroken:\n  send: \"99{{ nope }}\"\n";

    #[test]
    fn loads_ids_use_and_captures() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "common.yaml", COMMON);
        let f = write(
            dir.path(),
            "suite/checkout.yaml",
            "tags: [circulation]\nrequires: [checkout]\nsteps:\n  - use: login\n  - name: out\n    send: \"11YN{{ now }}AA{{ patron.barcode }}|\"\n    expect:\n      fixed: { ok: \"1\" }\n    capture: { due: AH, status: ok }\n  - send: \"09{{ due }}|{{ status }}\"\n",
        );
        let all = load(&[dir.path().to_path_buf()], &vars()).unwrap();
        assert_eq!(all.len(), 1);
        let s = &all[0];
        assert_eq!(s.id, "suite::checkout");
        assert_eq!(s.requires[0].to_string(), "checkout");
        assert_eq!(s.steps[0].name, "login");
        assert_eq!(s.steps[0].loc.line, 1);
        assert_eq!(
            s.steps[0].loc.to_string(),
            format!(
                "{}:1 (used from {}:4)",
                dir.path().join("common.yaml").display(),
                f.display()
            )
        );
        assert_eq!(s.steps[1].loc.line, 5);
        assert_eq!(s.steps[1].expect.fixed[0].0, "ok");
        assert_eq!(s.steps[1].capture[1].source, CaptureSource::Fixed("ok"));
        assert_eq!(s.steps[2].name, "checkin");
    }

    #[test]
    fn errors_point_at_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "common.yaml", COMMON);
        let cases = [
            (
                "a.yaml",
                "steps:\n  - send: \"99\"\n    expect:\n      leadr: x\n",
                4,
                "unknown field `leadr`",
            ),
            (
                "b.yaml",
                "steps:\n  - use: login\n  - send: \"23{{ patron.pim }}\"\n",
                3,
                "undefined variable \"patron.pim\" (did you mean \"patron.pin\"?)",
            ),
            (
                "c.yaml",
                "steps:\n  - send: \"11YN\"\n    expect:\n      fixed: { okk: \"1\" }\n",
                4,
                "did you mean \"ok\"",
            ),
            (
                "d.yaml",
                "steps:\n  - use: logn\n",
                2,
                "did you mean \"login\"",
            ),
            (
                "e.yaml",
                "steps:\n  - send: \"99\"\n    capture: { x: nosuch }\n",
                3,
                "capture from \"nosuch\"",
            ),
            (
                "f.yaml",
                "steps:\n  - send: \"99{{ later }}\"\n  - send: \"99\"\n    capture: { later: AO }\n",
                2,
                "undefined variable \"later\"",
            ),
            (
                "g.yaml",
                "steps:\n  - expect: { closed: true }\n",
                2,
                "needs send",
            ),
            (
                "h.yaml",
                "steps:\n  - send: \"99\"\n    expect: { closed: true, leader: x }\n",
                3,
                "closed: true means",
            ),
        ];
        for (name, text, line, want) in cases {
            let p = write(dir.path(), name, text);
            let err = load_file(&p, &vars()).unwrap_err();
            let e = &err.0[0];
            assert_eq!(
                (e.line, e.file.as_path()),
                (line, p.as_path()),
                "{name}: {err}"
            );
            assert!(e.message.contains(want), "{name}: {err}");
        }
        let p = write(dir.path(), "u.yaml", "steps:\n  - use: broken\n");
        let e = &load_file(&p, &vars()).unwrap_err().0[0];
        assert!(e.file.ends_with("common.yaml") && e.line == 6, "{e}");
    }

    #[test]
    fn all_bad_files_are_reported_and_empty_dirs_refused() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "s/a.yaml", "steps: [}\n");
        write(dir.path(), "s/b.yaml", "stepz: []\n");
        let err = load(&[dir.path().join("s")], &vars()).unwrap_err();
        assert_eq!(err.0.len(), 2, "{err}");
        write(dir.path(), "x/s/a.yaml", "steps:\n  - send: \"99\"\n");
        write(dir.path(), "y/s/a.yaml", "steps:\n  - send: \"99\"\n");
        let err = load(&[dir.path().join("x"), dir.path().join("y")], &vars()).unwrap_err();
        assert!(
            err.to_string()
                .contains("scenario id s::a is also the id of"),
            "{err}"
        );
        let empty = dir.path().join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        let err = load(&[empty], &vars()).unwrap_err();
        assert!(err.to_string().contains("no scenario files"), "{err}");
    }

    #[test]
    fn step_ids_come_from_id_or_a_unique_slug_of_the_name() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "common.yaml", COMMON);
        let p = write(
            dir.path(),
            "s/ids.yaml",
            "steps:\n  - use: login\n  - use: login\n    id: again\n  - name: \"Check in: item 1\"\n    send: \"99\"\n  - name: \"Check in: item 1\"\n    send: \"99\"\n  - id: check-in-item-1-3\n    send: \"99\"\n  - name: \"Check in: item 1\"\n    send: \"99\"\n",
        );
        let s = load_file(&p, &vars()).unwrap();
        let ids: Vec<&str> = s.steps.iter().map(|st| st.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "login",
                "again",
                "check-in-item-1",
                "check-in-item-1-2",
                "check-in-item-1-3",
                "check-in-item-1-4"
            ]
        );
        let p = write(
            dir.path(),
            "s/dup.yaml",
            "steps:\n  - id: a\n    send: \"99\"\n  - id: a\n    send: \"99\"\n",
        );
        let e = &load_file(&p, &vars()).unwrap_err().0[0];
        assert_eq!(e.line, 4, "{e}");
        assert!(
            e.message
                .contains("step id \"a\" is given to an earlier step"),
            "{e}"
        );
        let p = write(
            dir.path(),
            "s/bad.yaml",
            "steps:\n  - id: Check_Out\n    send: \"99\"\n",
        );
        let e = &load_file(&p, &vars()).unwrap_err().0[0];
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("\"check-out\""), "{e}");
    }

    #[test]
    fn cleanup_steps_get_ids_under_finally_and_under_their_step() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "common.yaml", COMMON);
        let p = write(dir.path(), "s/undo.yaml", UNDONE);
        let s = load_file(&p, &vars()).unwrap();
        let ids = |steps: &[Step]| steps.iter().map(|st| st.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&s.steps), ["login", "lost-item"]);
        assert_eq!(
            ids(&s.steps[1].undo.as_ref().unwrap().steps),
            ["lost-item/undo/check-it-back-in", "lost-item/undo/login"]
        );
        assert_eq!(ids(&s.finally), ["finally/login", "finally/put-it-back"]);
    }

    #[test]
    fn the_builtin_common_steps_load() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "x/s.yaml",
            "steps:\n  - use: login\n  - use: sc_status\n",
        );
        let vars: BTreeMap<String, String> = crate::scenario::Profile::emulator().unwrap().vars;
        let s = load_file(&p, &vars).unwrap();
        assert_eq!(s.steps.len(), 2);
        assert!(s.steps[0].loc.file.contains("<built-in>"));
    }

    const UNDONE: &str = "steps:\n  - use: login\n  - name: lost item\n    send: \"11YN{{ now }}AA{{ patron.barcode }}|ABx|\"\n    expect:\n      fixed: { ok: \"0\" }\n    capture: { tx: AB }\n    undo:\n      when: { fixed: { ok: \"1\" }, fields: { AB: \"{{ patron.barcode }}\" } }\n      steps:\n        - name: check it back in\n          send: \"09N{{ now }}AB{{ tx }}|\"\n        - use: login\nfinally:\n  - use: login\n  - name: put it back\n    send: \"09N{{ now }}AB{{ tx }}|\"\n";

    #[test]
    fn finally_and_undo_load_with_their_lines_conditions_and_captures() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "common.yaml", COMMON);
        let p = write(dir.path(), "s/undo.yaml", UNDONE);
        let s = load_file(&p, &vars()).unwrap();
        assert_eq!(s.steps.len(), 2);
        let undo = s.steps[1].undo.as_ref().expect("an undo");
        assert_eq!(undo.when.fixed[0].0, "ok");
        assert_eq!(undo.when.fields[0].0, FieldId::AB);
        let names: Vec<(&str, usize)> = undo
            .steps
            .iter()
            .map(|st| (st.name.as_str(), st.loc.line))
            .collect();
        assert_eq!(names, [("check it back in", 11), ("login", 1)]);
        assert!(undo.steps[1].loc.to_string().ends_with("undo.yaml:13)"));
        let finally: Vec<(&str, usize)> = s
            .finally
            .iter()
            .map(|st| (st.name.as_str(), st.loc.line))
            .collect();
        assert_eq!(finally, [("login", 1), ("put it back", 16)]);
        assert_eq!(s.finally[1].loc.to_string(), format!("{}:16", p.display()));
        let used: Vec<&str> = s.steps[1].vars.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(
            used,
            ["patron.barcode"],
            "the condition's templates are the step's"
        );
        assert!(
            undo.steps[0].vars.is_empty() && s.finally[1].vars.is_empty(),
            "{{{{ tx }}}} is a capture of an earlier step"
        );
    }

    #[test]
    fn undo_and_finally_mistakes_are_load_errors_at_their_line() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "common.yaml", COMMON);
        let undo = |when: &str, steps: &str| {
            format!(
                "steps:\n  - use: login\n  - send: \"11YN{{{{ now }}}}AAx|ABy|\"\n    undo:\n      when: {when}\n      steps:\n{steps}"
            )
        };
        let checkin = "        - send: \"09N{{ now }}ABy|\"\n";
        let finally = "finally:\n  - use: login\n";
        let cases = [
            (
                "no_finally.yaml",
                undo("{ fixed: { ok: \"1\" } }", checkin),
                3,
                "needs a finally: that starts with a login",
            ),
            (
                "finally_no_login.yaml",
                undo("{ fixed: { ok: \"1\" } }", checkin)
                    + "finally:\n  - send: \"09N{{ now }}ABy|\"\n",
                8,
                "needs a finally: that starts with a login",
            ),
            (
                "empty_when.yaml",
                undo("{}", checkin) + finally,
                4,
                "undo.when: needs a condition",
            ),
            (
                "grounded_when.yaml",
                undo("{ fixed: { ok: { equals: \"1\", ground: common } } }", checkin) + finally,
                4,
                "it takes no ground",
            ),
            (
                "lint_in_when.yaml",
                undo("\n        lint: [checksum]", checkin) + finally,
                6,
                "unknown field `lint`",
            ),
            (
                "typo_in_when.yaml",
                undo("{ fixed: { okk: \"1\" } }", checkin) + finally,
                5,
                "did you mean \"ok\"",
            ),
            (
                "no_undo_steps.yaml",
                "steps:\n  - use: login\n  - send: \"11YN{{ now }}AAx|ABy|\"\n    undo:\n      when: { fixed: { ok: \"1\" } }\n      steps: []\n".to_string()
                    + finally,
                4,
                "undo: needs steps:",
            ),
            (
                "nested.yaml",
                undo(
                    "{ fixed: { ok: \"1\" } }",
                    "        - send: \"09N{{ now }}ABy|\"\n          undo:\n            when: { fixed: { ok: \"1\" } }\n            steps:\n              - use: login\n",
                ) + finally,
                7,
                "an undo step takes no undo: of its own",
            ),
            (
                "closed.yaml",
                "steps:\n  - send: \"99\"\n    expect: { closed: true }\n    undo:\n      when: { message: acs_status }\n      steps:\n        - use: login\n".to_string()
                    + finally,
                3,
                "closed: true means",
            ),
            (
                "undo_in_finally.yaml",
                "steps:\n  - use: login\nfinally:\n  - use: login\n  - send: \"11YN{{ now }}AAx|ABy|\"\n    undo:\n      when: { fixed: { ok: \"1\" } }\n      steps:\n        - use: login\n".to_string(),
                5,
                "a finally: step takes no undo:",
            ),
            (
                "use_with_undo.yaml",
                "steps:\n  - use: login\n    undo:\n      when: { fixed: { ok: \"1\" } }\n      steps:\n        - use: login\n".to_string()
                    + finally,
                2,
                "takes only a name",
            ),
        ];
        for (name, text, line, want) in cases {
            let p = write(dir.path(), &format!("e/{name}"), &text);
            let err = load_file(&p, &vars()).unwrap_err();
            let e = &err.0[0];
            assert!(e.message.contains(want), "{name}: {err}");
            assert_eq!(e.line, line, "{name}: {err}");
        }
    }

    #[test]
    fn the_built_in_suites_load_as_their_copies_on_disk_do() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        for suite in source::suites() {
            let disk = load_unchecked(&[root.join(suite)]).unwrap();
            let built = load_sources(&[
                Source::Builtin(suite.to_string()),
                Source::Builtin(suite.to_string()),
            ])
            .unwrap();
            assert_eq!(built.len(), disk.len(), "{suite}: each file once");
            for (b, d) in built.iter().zip(&disk) {
                assert_eq!(b.id, d.id);
                let name = d.file.strip_prefix(root.parent().unwrap()).unwrap();
                assert_eq!(b.file, Path::new("<built-in>").join(name));
                for (bs, ds) in b.steps.iter().zip(&d.steps) {
                    // Same line, same `use:` line; only the file names differ.
                    assert_eq!(bs.loc.line, ds.loc.line, "{}", bs.loc);
                    assert_eq!(
                        bs.loc.via.as_ref().map(|v| v.line),
                        ds.loc.via.as_ref().map(|v| v.line)
                    );
                    assert!(
                        bs.loc.file.starts_with("<built-in>/scenarios/"),
                        "{}",
                        bs.loc
                    );
                }
            }
        }
        let err = load_sources(&[Source::Builtin("sptest".into())]).unwrap_err();
        assert!(
            err.to_string()
                .contains("no built-in suite \"sptest\" (did you mean \"siptest\"?)"),
            "{err}"
        );
    }

    #[test]
    fn a_built_in_scenario_never_uses_a_common_yaml_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("<built-in>/scenarios");
        write(&fake, "common.yaml", "login:\n  send: \"99\"\n");
        let file = ScenarioFile {
            path: fake.join("x/s.yaml"),
            text: "steps:\n  - use: sc_status\n".into(),
            builtin: true,
        };
        let s = parse(&file, &mut CommonCache::default()).unwrap();
        assert_eq!(&*s.steps[0].loc.file, "<built-in>/scenarios/common.yaml");
    }
}
