//! Reading a user's file, in one place for scenarios, shared steps, profiles, library files and
//! TLS PEM files: regular files only (checked before opening, so a FIFO or device named
//! `*.yaml` is refused instead of blocking the run), a size bound, a UTF-8 byte-order mark
//! dropped, and errors that name the path and say what to do (a symbolic link loop is named as
//! one).
//!
//! Knows nothing of YAML or PEM; callers wrap [`InputError`] in their own error types.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest file read: scenario, profile, library and PEM files are far smaller.
pub const MAX_FILE_LEN: u64 = 16 * 1024 * 1024;

/// How many symbolic links are followed before a chain is called a loop.
const MAX_LINKS: usize = 40;

/// The UTF-8 byte-order mark some Windows editors write at the start of a file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A file that cannot be used: its path and what is wrong, with what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {problem}", path.display())]
pub struct InputError {
    /// The path as given.
    pub path: PathBuf,
    /// What is wrong and what to do (without the path).
    pub problem: String,
}

impl InputError {
    fn new(path: &Path, problem: impl Into<String>) -> Self {
        InputError {
            path: path.to_path_buf(),
            problem: problem.into(),
        }
    }
}

/// Reads a text file: a regular file of at most [`MAX_FILE_LEN`] bytes, valid UTF-8, with a
/// leading byte-order mark dropped.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    let bytes = read_bytes(path)?;
    let body = bytes.strip_prefix(BOM).unwrap_or(&bytes);
    match std::str::from_utf8(body) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => Err(InputError::new(
            path,
            format!(
                "is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
                e.valid_up_to() + (bytes.len() - body.len())
            ),
        )),
    }
}

/// Reads a file's bytes: a regular file of at most [`MAX_FILE_LEN`] bytes.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, InputError> {
    let meta = std::fs::metadata(path).map_err(|e| unreadable(path, &e))?;
    if !meta.is_file() {
        return Err(not_regular(path, &meta));
    }
    if meta.len() > MAX_FILE_LEN {
        return Err(too_big(path));
    }
    let file = std::fs::File::open(path).map_err(|e| unreadable(path, &e))?;
    // The path may have been replaced between the check and the open: check what was opened.
    let opened = file.metadata().map_err(|e| unreadable(path, &e))?;
    if !opened.is_file() {
        return Err(not_regular(path, &opened));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_LEN + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(path, &e))?;
    if bytes.len() as u64 > MAX_FILE_LEN {
        return Err(too_big(path));
    }
    Ok(bytes)
}

/// True for a directory, false for anything else that exists (the readers refuse what is not
/// a regular file); an error for a path that cannot be looked at (missing, a link loop).
pub fn is_dir(path: &Path) -> Result<bool, InputError> {
    std::fs::metadata(path)
        .map(|m| m.is_dir())
        .map_err(|e| unreadable(path, &e))
}

fn too_big(path: &Path) -> InputError {
    InputError::new(
        path,
        format!(
            "is larger than {} MiB; give the file itself, not an archive or a log",
            MAX_FILE_LEN / (1024 * 1024)
        ),
    )
}

fn unreadable(path: &Path, e: &std::io::Error) -> InputError {
    if let Some(chain) = link_loop(path) {
        let shown: Vec<String> = chain.iter().map(|p| p.display().to_string()).collect();
        return InputError::new(
            path,
            format!(
                "is a symbolic link loop ({}); point the link at a real file",
                shown.join(" -> ")
            ),
        );
    }
    let problem = match e.kind() {
        std::io::ErrorKind::NotFound => "does not exist; check the path".to_string(),
        std::io::ErrorKind::PermissionDenied => {
            "cannot be read (permission denied); check its permissions".to_string()
        }
        _ => format!("cannot be read: {e}"),
    };
    InputError::new(path, problem)
}

/// The chain of links from `path` when it ends in a loop (or runs longer than any real chain).
fn link_loop(path: &Path) -> Option<Vec<PathBuf>> {
    let mut chain = vec![path.to_path_buf()];
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let meta = std::fs::symlink_metadata(&current).ok()?;
        if !meta.file_type().is_symlink() {
            return None;
        }
        let target = std::fs::read_link(&current).ok()?;
        let next = match current.parent() {
            Some(dir) if target.is_relative() => dir.join(&target),
            _ => target,
        };
        let looped = chain.contains(&next);
        chain.push(next.clone());
        if looped {
            return Some(chain);
        }
        current = next;
    }
    Some(chain)
}

fn not_regular(path: &Path, meta: &std::fs::Metadata) -> InputError {
    let kind = file_kind(meta);
    InputError::new(
        path,
        format!(
            "is {kind}, not a regular file; give a regular file (a pipe or device could block the run)"
        ),
    )
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_is_dropped_and_bad_utf8_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bom.yaml");
        std::fs::write(&p, b"\xEF\xBB\xBFname: x\n").unwrap();
        assert_eq!(read_text(&p).unwrap(), "name: x\n");
        std::fs::write(&p, b"name: \xFF\n").unwrap();
        let e = read_text(&p).unwrap_err().to_string();
        assert!(e.contains("bom.yaml") && e.contains("offset 6"), "{e}");
    }

    #[test]
    fn missing_files_and_directories_say_what_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_text(&dir.path().join("absent.yaml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("absent.yaml: does not exist"), "{e}");
        let e = read_text(dir.path()).unwrap_err().to_string();
        assert!(e.contains("is a directory, not a regular file"), "{e}");
        assert!(is_dir(dir.path()).unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn devices_fifos_and_link_loops_are_refused_without_blocking() {
        let e = read_text(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(e.contains("is a character device"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.yaml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let e = read_text(&fifo).unwrap_err().to_string();
        assert!(e.contains("is a named pipe (FIFO)"), "{e}");
        let (a, b) = (dir.path().join("a.yaml"), dir.path().join("b.yaml"));
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        let e = read_text(&a).unwrap_err().to_string();
        assert!(e.contains("is a symbolic link loop"), "{e}");
        assert!(is_dir(&a).unwrap_err().problem.contains("loop"));
    }
}
