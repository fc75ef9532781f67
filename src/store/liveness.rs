//! Whether a process is alive, told by its pid and its start time, so that a pid the kernel gave
//! to a new process after the old one died is not taken for the old one.

/// The start time of process `pid` in clock ticks after boot (`/proc/<pid>/stat`, field 22), or
/// `None` when there is no such process or it is a zombie (it has exited and waits for its
/// parent to reap it: its values are final).
pub fn start_time(pid: i64) -> Option<u64> {
    let stat = std::fs::read(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces and parentheses itself:
    // the fields after it start after the last ')'.
    let close = stat.iter().rposition(|b| *b == b')')?;
    let rest = std::str::from_utf8(&stat[close + 1..]).ok()?;
    let mut fields = rest.split_ascii_whitespace();
    // Field 3, the state.
    let state = fields.next()?;
    if state == "Z" || state == "X" || state == "x" {
        return None;
    }
    // Field 22 is the 19th after the state.
    fields.nth(18)?.parse().ok()
}

/// Whether the process that had `pid` and started at `started` is still running.
pub fn alive(pid: i64, started: u64) -> bool {
    pid > 0 && start_time(pid) == Some(started)
}

/// This process's pid and start time.
pub fn this_process() -> (i64, u64) {
    // SAFETY: getpid has no preconditions.
    let pid = i64::from(unsafe { libc::getpid() });
    (pid, start_time(pid).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_wrong_start_time_is_not() {
        let (pid, started) = this_process();
        assert!(started > 0);
        assert!(alive(pid, started));
        assert!(!alive(pid, started + 1));
        assert!(!alive(0, started));
    }
}
