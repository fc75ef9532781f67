//! The README's C quick start stays runnable: extracted, compiled with the strict flags against
//! the static library, and run.

mod common;

use std::process::Command;

use common::{C_FLAGS, compiler, out_dir, root, run, static_lib};

/// The first ```c block after the "Quick start (C)" heading.
fn c_quick_start() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let section = readme
        .split("## Quick start (C)")
        .nth(1)
        .expect("README has a 'Quick start (C)' section");
    let block = section
        .split("```c\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the section has a ```c block");
    block.to_owned()
}

#[test]
fn c_quick_start_compiles_and_runs() {
    let source = out_dir().join("readme_quick_start.c");
    std::fs::write(&source, c_quick_start()).unwrap();
    let binary = out_dir().join("readme_quick_start");
    let mut cmd = compiler(false);
    cmd.args(C_FLAGS)
        .arg("-I")
        .arg(root().join("include"))
        .arg(&source)
        .arg(static_lib())
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&binary);
    run(cmd, "compiling the README quick start");
    let output = run(Command::new(&binary), "README quick start");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("http_requests_total{method=\"GET\",status=\"200\"} 1\n"),
        "{stdout}"
    );
    assert!(stdout.ends_with("# EOF\n"), "{stdout}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("counters can only increase"));
}
