//! Golden-file comparison, shared by the report's unit tests and the CLI's integration tests
//! (each includes this file by path).

use std::path::Path;

/// Compares `got` with `tests/golden/<name>`; `UPDATE_GOLDEN=1` rewrites the file first.
pub fn assert_golden(name: &str, got: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("tests/golden")).expect("create tests/golden");
        std::fs::write(&path, got).expect("write the golden file");
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        want == got,
        "{} differs (UPDATE_GOLDEN=1 rewrites it)\n--- expected\n{want}\n--- got\n{got}",
        path.display()
    );
}
