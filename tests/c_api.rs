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
/// The cell protocol: direct updates alongside calls add up, resets and expiry see them.
#[test]
fn cells() {
    assert_eq!(c_test("test_cells"), "ok\n");
}

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

/// `pe_sender` against the scripted receiver: argument errors, start, flush, a rejected batch,
/// stop (the thread joined), free; then what arrived.
#[test]
fn sender() {
    use support::receiver::{Receiver, Reply, closed_port};
    let receiver = Receiver::start(vec![
        Reply::Status(200),
        Reply::Body(400, "bad batch from C"),
    ]);
    let dead = format!("http://127.0.0.1:{}/api/v1/write", closed_port());
    let binary = build_c(
        "test_sender",
        &[PathBuf::from("test_sender.c")],
        Link::Static,
    );
    let mut command = std::process::Command::new(&binary);
    command.arg(receiver.url()).arg(&dead);
    let output = common::run(command, "test_sender");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "ok\n");
    // Two flushes and stop's last collection.
    let requests = receiver.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_eq!(request.header("x-scope-orgid"), Some("tenant-c"));
        // "writer:s3cret" in base64.
        assert_eq!(
            request.header("authorization"),
            Some("Basic d3JpdGVyOnMzY3JldA==")
        );
        assert!(request.mentions("c_jobs_processed_total") || request.mentions("c_jobs_processed"));
        assert!(request.mentions("c_sender"), "the external label");
    }
}

#[test]
fn shared_store_across_forked_workers() {
    assert_eq!(c_test("test_store"), "ok\n");
}
