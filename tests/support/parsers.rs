//! The Go program in `tests/parsers` (Prometheus v0.316.0's `textparse`, prometheus/common's
//! `expfmt` and `model`): what decoders nobody here wrote read in our expositions, and what
//! prometheus/common writes itself, for the tests to compare our bytes with.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

use serde_json::Value;

/// The parsers program, built once per run; `None` (having said why) when `go` is missing
/// outside CI.
pub fn parsers() -> Option<&'static Path> {
    static BUILT: OnceLock<Option<PathBuf>> = OnceLock::new();
    BUILT.get_or_init(build).as_deref()
}

fn build() -> Option<PathBuf> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parsers");
    let binary = Path::new(env!("CARGO_TARGET_TMPDIR")).join("parsers");
    let started = Instant::now();
    let output = Command::new("go")
        .args(["build", "-o"])
        .arg(&binary)
        .arg(".")
        .current_dir(&source)
        .output();
    let output = match output {
        Ok(output) => output,
        Err(error) if error.kind() == ErrorKind::NotFound => {
            let message = "`go` is not on PATH, so our expositions were not checked against \
                           Prometheus's parsers (tests/parsers needs Go 1.26)";
            assert!(std::env::var_os("CI").is_none(), "{message}");
            // Past the test harness's capture, so that a plain `cargo test` shows it.
            let _ = writeln!(std::io::stderr(), "NOT RUN: {message}");
            return None;
        }
        Err(error) => panic!("cannot run `go build`: {error}"),
    };
    assert!(
        output.status.success(),
        "`go build` in {} failed:\n{}",
        source.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("built {} in {:.1?}", binary.display(), started.elapsed());
    Some(binary)
}

/// Runs the program with `args` and `input` on stdin: its stdout, or its stderr on failure.
pub fn run(parsers: &Path, args: &[&str], input: &[u8]) -> Result<Vec<u8>, String> {
    let mut child = Command::new(parsers)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the parsers program starts");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// What the parsers read in `body`, or the parser's error.
pub fn decode(parsers: &Path, content_type: &str, body: &[u8]) -> Result<Value, String> {
    let output = run(parsers, &[content_type], body)?;
    Ok(serde_json::from_slice(&output).expect("the parsers program prints JSON"))
}
