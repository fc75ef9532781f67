//! Concurrency through the C API: exact totals under 8 threads, with scrapes running alongside.

mod support;
use support::c as common;

#[test]
fn eight_threads_count_exactly() {
    assert_eq!(common::c_test("test_threads"), "ok\n");
}
