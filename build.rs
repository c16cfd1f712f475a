//! Embeds the shipped suites (`scenarios/**/*.yaml`, with `common.yaml`) and the profile
//! templates (`fixtures/profiles/*.yaml`) in the binary, so an installed `sip2check` runs them
//! from any directory. It writes a table of `include_str!`s to `$OUT_DIR/builtin_files.rs`
//! (read by `src/scenario/source.rs`); a file added to those folders is picked up by the next
//! build without a code change.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The folders embedded, and whether their subfolders are too.
const ROOTS: [(&str, bool); 2] = [("scenarios", true), ("fixtures/profiles", false)];

/// How deep `scenarios/` is searched (as deep as the loader searches a directory).
const MAX_DEPTH: usize = 8;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let mut files = Vec::new();
    for (root, recurse) in ROOTS {
        // Cargo scans a directory given here for any change below it, new files included.
        println!("cargo::rerun-if-changed={root}");
        collect(&manifest, root, recurse, 0, &mut files);
    }
    files.sort();
    let mut out = String::from(
        "/// Every embedded file: its path from the crate root (with `/`), and its text.\n\
         pub static FILES: &[(&str, &str)] = &[\n",
    );
    for name in &files {
        let full = manifest.join(name);
        let full = full
            .to_str()
            .unwrap_or_else(|| panic!("{}: the path is not UTF-8", full.display()));
        let _ = writeln!(out, "    ({name:?}, include_str!({full:?})),");
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it")).join("builtin_files.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", dest.display()));
}

/// Adds the `*.yaml`/`*.yml` files under `dir` (a `/` path from the crate root) to `out`.
fn collect(manifest: &Path, dir: &str, recurse: bool, depth: usize, out: &mut Vec<String>) {
    let entries =
        std::fs::read_dir(manifest.join(dir)).unwrap_or_else(|e| panic!("cannot list {dir}: {e}"));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("cannot list {dir}: {e}"));
        let name = entry.file_name();
        let name = name
            .to_str()
            .unwrap_or_else(|| panic!("{dir}/{}: the name is not UTF-8", name.display()));
        if name.starts_with('.') {
            continue;
        }
        let path = format!("{dir}/{name}");
        let kind = entry.file_type().unwrap_or_else(|e| panic!("{path}: {e}"));
        if kind.is_dir() {
            if recurse && depth + 1 < MAX_DEPTH {
                collect(manifest, &path, recurse, depth + 1, out);
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            out.push(path);
        }
    }
}
