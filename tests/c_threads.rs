//! Concurrency through the C API: exact totals under 8 threads, with scrapes running alongside.

mod common;

#[test]
fn eight_threads_count_exactly() {
    assert_eq!(common::c_test("test_threads"), "ok\n");
}
