//! When `accept` fails for want of descriptors, the connection stays in the listen backlog and
//! no new readiness event will announce it: the exporter must come back for it by itself once
//! descriptors are free again. Alone in its test binary, because it lowers the process's
//! descriptor limit.

mod support;
use support::exporter as exporter_support;

use std::io::Write;
use std::time::Duration;

use exporter_support::*;

fn set_soft_fd_limit(soft: u64) -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain calls with a valid struct.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        let previous = limit.rlim_cur;
        limit.rlim_cur = soft;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
        previous
    }
}

/// The lowest descriptor number not in use: where the next socket would go (the kernel gives
/// out the lowest free number).
fn lowest_free_fd() -> u64 {
    use std::os::fd::AsRawFd;
    let probe = std::fs::File::open("/dev/null").unwrap();
    probe.as_raw_fd() as u64
}

#[test]
fn a_connection_left_in_the_backlog_by_emfile_is_served_once_descriptors_free_up() {
    let exporter = start(sample_registry());
    let addr = exporter.local_addr();
    std::thread::sleep(Duration::from_millis(50));
    // Room for exactly three more descriptors: client 1, the server's side of it, client 2.
    let previous = set_soft_fd_limit(lowest_free_fd() + 3);
    let first = connect(addr);
    std::thread::sleep(Duration::from_millis(100));
    let mut second = connect(addr);
    second
        .write_all(&get_request("/metrics", "Connection: close\r\n"))
        .unwrap();
    // The server cannot accept the second connection now; closing the first frees its
    // descriptor, and the second must then be served without any new connection arriving.
    std::thread::sleep(Duration::from_millis(100));
    drop(first);
    let response = read_response(&mut second, false);
    set_soft_fd_limit(previous);
    assert_eq!(response.expect("an answer").status, 200);
}
