//! The C API exercised from C: each program under tests/c/ is compiled against the header and
//! linked with the library, and must exit 0. A failing program prints the failed check, with the
//! library's `pe_last_error()`.

mod support;
use support::c as common;

use std::path::PathBuf;

use common::{Link, build_c, c_test, run_program};

#[test]
fn basics() {
    assert_eq!(c_test("test_basics"), "ok\n");
}

#[test]
fn counter() {
    assert_eq!(c_test("test_counter"), "ok\n");
}

/// The same program linked with the shared library.
#[test]
fn counter_with_the_shared_library() {
    let binary = build_c(
        "test_counter_shared",
        &[PathBuf::from("test_counter.c")],
        Link::Shared,
    );
    assert_eq!(run_program(&binary), "ok\n");
}

#[test]
fn gauge() {
    assert_eq!(c_test("test_gauge"), "ok\n");
}

#[test]
fn histogram() {
    assert_eq!(c_test("test_histogram"), "ok\n");
}

#[test]
fn native_histogram() {
    assert_eq!(c_test("test_native_histogram"), "ok\n");
}

#[test]
fn utf8_names() {
    assert_eq!(c_test("test_utf8_names"), "ok\n");
}

/// Idle expiry with a pinned clock, constant labels, wrapping registry views.
#[test]
fn lifecycle() {
    assert_eq!(c_test("test_lifecycle"), "ok\n");
}

/// client_python's exposition style on one registry, checked struct fields.
#[test]
fn style() {
    assert_eq!(c_test("test_style"), "ok\n");
}

#[test]
fn summary() {
    assert_eq!(c_test("test_summary"), "ok\n");
}

/// Objective validation, quantile range and real estimates from the core's summary estimator.
#[test]
fn summary_rules() {
    assert_eq!(c_test("test_summary_rules"), "ok\n");
}

#[test]
fn info_and_enum() {
    assert_eq!(c_test("test_info_enum"), "ok\n");
}

#[test]
fn registry() {
    assert_eq!(c_test("test_registry"), "ok\n");
}

#[test]
fn collectors() {
    assert_eq!(c_test("test_collector"), "ok\n");
}

#[test]
fn snapshot() {
    assert_eq!(c_test("test_snapshot"), "ok\n");
}

/// Parsing both text grammars into snapshots, errors with their line, partial parses.
#[test]
fn parse() {
    assert_eq!(c_test("test_parse"), "ok\n");
}

#[test]
fn errors() {
    assert_eq!(c_test("test_errors"), "ok\n");
}
