//! The README's C snippets stay runnable: extracted, compiled with the strict flags against the
//! static library, and run. Fragments (no `main`) are wrapped in one.

mod support;
use support::c as common;

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

/// Every ```c block of the README after the first, which the test above runs on its own.
fn c_fragments() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    readme
        .split("```c\n")
        .skip(2)
        .map(|rest| rest.split("```").next().unwrap().to_owned())
        .collect()
}

#[test]
fn c_fragments_compile_and_run() {
    let fragments = c_fragments();
    assert!(
        fragments.len() >= 2,
        "expected the exporter and push snippets"
    );
    for (i, fragment) in fragments.iter().enumerate() {
        assert!(
            !fragment.contains("int main"),
            "fragment {i} has its own main"
        );
        let program = format!(
            "#include <stdio.h>\n#include \"prometheus_emulator.h\"\nint main(void) {{\n{fragment}return 0;\n}}\n"
        );
        let source = out_dir().join(format!("readme_fragment_{i}.c"));
        std::fs::write(&source, program).unwrap();
        let binary = out_dir().join(format!("readme_fragment_{i}"));
        let mut cmd = compiler(false);
        cmd.args(C_FLAGS)
            .arg("-I")
            .arg(root().join("include"))
            .arg(&source)
            .arg(static_lib())
            .args(["-lpthread", "-ldl", "-lm", "-o"])
            .arg(&binary);
        run(cmd, &format!("compiling README fragment {i}"));
        // They may fail at run time (a port in use, no gateway listening), but only with a status.
        let status = Command::new(&binary).status().unwrap();
        assert!(status.success(), "README fragment {i} exited with {status}");
    }
}
