//! The exporter through the C ABI: `pe_exporter_start`, `pe_exporter_port`, `pe_exporter_stop`,
//! from C (tests/exporter_ffi/scrape.c scrapes its own exporter over a socket, deadline.c under
//! a scrape deadline) and from a plugin
//! host that `dlclose()`s the library after every stop (tests/exporter_ffi/dlclose_host.c): a
//! thread left behind would run unmapped code and crash it.

mod support;
use support::c as common;

use std::path::PathBuf;
use std::process::Command;

use common::{C_FLAGS, Link, build_c, compiler, out_dir, root, run, run_program, shared_lib};

fn source(name: &str) -> PathBuf {
    root().join("tests/exporter_ffi").join(name)
}

/// `build_c` with tests/exporter_ffi/ on the include path too, for http_get.h.
fn build(name: &str, link: Link) -> PathBuf {
    // build_c puts tests/c/ (check.h) and include/ on the path; http_get.h is found next to the
    // source, as `#include "..."` looks in the source's directory first.
    build_c(name, &[source(&format!("{name}.c"))], link)
}

#[test]
fn c_program_starts_scrapes_and_stops_an_exporter() {
    let binary = build("scrape", Link::Static);
    assert_eq!(run_program(&binary), "ok\n");
}

#[test]
fn c_program_with_the_shared_library() {
    let binary = build_c("scrape_shared", &[source("scrape.c")], Link::Shared);
    assert_eq!(run_program(&binary), "ok\n");
}

/// Collection under a scrape deadline from C: a blocking custom collector costs its families,
/// not the scrape; the new option fields and older struct sizes.
#[test]
fn c_program_scrapes_under_a_deadline() {
    let binary = build("deadline", Link::Static);
    assert_eq!(run_program(&binary), "ok\n");
}

/// 100 children forked while the parent's exporter is scraped and other threads add series and
/// expose: each updates, exposes, serves, stops what it inherited and exits 0 within 10 s.
#[test]
fn forked_children_use_the_library_while_the_parent_is_busy() {
    let binary = build("fork", Link::Static);
    assert_eq!(run_program(&binary), "100 children: ok\n");
}

/// The same where `membarrier(2)` is not available: the fork gate's read-modify-write protocol.
#[test]
fn forked_children_without_membarrier() {
    let binary = build_c("fork_fallback", &[source("fork.c")], Link::Static);
    let mut cmd = Command::new(&binary);
    cmd.env("PE_FORK_GATE_NO_MEMBARRIER", "1");
    let output = run(cmd, "fork test without membarrier");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "100 children: ok\n"
    );
}

#[test]
fn dlclose_after_stop_twenty_times() {
    let host = out_dir().join("exporter_dlclose_host");
    let mut cmd = compiler(false);
    cmd.args(C_FLAGS)
        .arg("-g")
        .arg("-D_POSIX_C_SOURCE=200809L")
        .arg("-I")
        .arg(root().join("include"))
        .arg(source("dlclose_host.c"))
        .arg("-o")
        .arg(&host)
        .args(["-ldl", "-lpthread"]);
    run(cmd, "compiling the dlclose host");
    let mut cmd = Command::new(&host);
    cmd.arg(shared_lib()).arg("20");
    let output = run(cmd, "dlclose host");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "20 rounds of dlopen, start, scrape, stop, dlclose: ok\n"
    );
}
