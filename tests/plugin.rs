//! Plugin use: a host dlopen()s the library, uses it, frees everything and dlclose()s it, 100 times,
//! under valgrind. No invalid access, nothing definitely lost, and the host never crashes.

mod support;
use support::c as common;

use std::process::Command;
use std::sync::OnceLock;

use common::{C_FLAGS, compiler, out_dir, root, run, shared_lib};

const ROUNDS: &str = "100";

/// The host, compiled once: the tests run in parallel and must not rewrite a running binary.
fn build_host() -> std::path::PathBuf {
    static HOST: OnceLock<std::path::PathBuf> = OnceLock::new();
    HOST.get_or_init(compile_host).clone()
}

fn compile_host() -> std::path::PathBuf {
    let binary = out_dir().join("plugin_host");
    let mut cmd = compiler(false);
    cmd.args(C_FLAGS)
        .arg("-g")
        .arg("-I")
        .arg(root().join("include"))
        .arg(root().join("tests/plugin/host.c"))
        .arg("-o")
        .arg(&binary)
        .arg("-ldl");
    run(cmd, "compiling the plugin host");
    binary
}

#[test]
fn load_use_unload_a_hundred_times() {
    let host = build_host();
    let output = run(
        {
            let mut cmd = Command::new(&host);
            cmd.arg(shared_lib()).arg(ROUNDS);
            cmd
        },
        "plugin host",
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "100 rounds of dlopen, use, free, dlclose: ok\n"
    );
}

#[test]
fn load_use_unload_under_valgrind() {
    let valgrind = Command::new("valgrind").arg("--version").output();
    assert!(
        valgrind.is_ok_and(|o| o.status.success()),
        "valgrind is not installed: run `make deps` (Debian package valgrind)"
    );
    let host = build_host();
    let mut cmd = Command::new("valgrind");
    cmd.args([
        "--quiet",
        "--error-exitcode=99",
        "--leak-check=full",
        "--show-leak-kinds=definite",
        "--errors-for-leak-kinds=definite",
    ])
    .arg(&host)
    .arg(shared_lib())
    .arg(ROUNDS);
    let output = run(cmd, "plugin host under valgrind");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "100 rounds of dlopen, use, free, dlclose: ok\n"
    );
}
