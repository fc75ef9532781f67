//! Per-CPU updates through Linux's restartable sequences (rseq).
//!
//! glibc (2.35 and later) registers a `struct rseq` for every thread it starts and exports where
//! it is (`__rseq_offset` from the thread pointer); the kernel keeps the thread's current CPU in it.
//! An update that reads that CPU number and then adds into the CPU's own cell with a plain `add`
//! (no `lock` prefix) is correct as long as the thread is not preempted, migrated or signalled in
//! between: the kernel guarantees exactly that for a registered critical section, by moving the
//! thread to an abort handler instead of letting it resume inside the section. The cell then
//! belongs to one CPU, and the increment costs what an ordinary add costs.
//!
//! The library looks the symbols up at run time, so it still loads with an older C library, under
//! valgrind (which does not support rseq) or with glibc's rseq disabled: [`add_on_current_cpu`] then
//! says it did nothing and the caller takes its locked path.

/// Where a per-CPU cell array is, for [`add_on_current_cpu`].
#[derive(Clone, Copy)]
pub(crate) struct PerCpuCells {
    /// The cell of CPU 0 (a `u64`, or a `u32` for the 4-byte adds); CPU `n`'s is `STRIDE` bytes
    /// further per CPU.
    pub(crate) first: *const u64,
    /// The highest CPU number that has a cell.
    pub(crate) last_cpu: usize,
}

/// The distance between the cells of two CPUs: one cache line each.
pub(crate) const STRIDE: usize = 64;

#[cfg(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64"))]
mod imp {
    use std::ffi::c_uint;
    use std::sync::Once;
    use std::sync::atomic::{AtomicIsize, Ordering};

    use super::PerCpuCells;

    /// A restartable sequence on the calling thread's CPU: `body` runs with `{cpu}` holding the
    /// CPU's byte offset in the cells (CPU × 64), its last instruction the commit; `fail` runs on
    /// the two ways out without a commit (a CPU beyond the cells, after the descriptor is cleared,
    /// and the kernel's abort, which clears it itself), then `after` follows the sequence.
    ///
    /// The critical section runs from label 2 to label 3; the kernel moves a thread interrupted
    /// inside it to label 5, which must follow the signature glibc registered (RSEQ_SIG,
    /// 0x53053053 on x86, here inside a `ud1` so that disassemblers stay in step). The descriptor
    /// (struct rseq_cs: version, flags, start_ip, post_commit_offset, abort_ip) is stored in the
    /// thread's `rseq_cs` field (offset 8 of struct rseq) before the section starts; `cpu_id` is at
    /// offset 4.
    ///
    /// The field is cleared again on the way out (the kernel clears it itself when it aborts), so
    /// that it never points into this library once the section is over: the kernel reads the
    /// descriptor whenever it preempts or signals the thread, and one left behind in a library
    /// since unloaded (dlclose) would get the host killed with SIGSEGV.
    macro_rules! on_cpu_sequence {
        ([$($body:literal),*], [$($fail:literal),*], [$($after:literal),*], $($operands:tt)*) => {
            std::arch::asm!(
                "lea 4f(%rip), {cpu}",
                "mov {cpu}, %fs:8({offset})",
                "2:",
                "mov %fs:4({offset}), {cpu:e}",
                "cmp {last}, {cpu}",
                "ja 7f",
                "shl $6, {cpu}",
                $($body,)*
                "3:",
                "movq $0, %fs:8({offset})",
                ".pushsection __rseq_cs, \"aw\"",
                ".balign 32",
                "4:",
                ".long 0, 0",
                ".quad 2b, 3b - 2b, 5f",
                ".popsection",
                ".pushsection __rseq_failure, \"ax\"",
                "7:",
                "movq $0, %fs:8({offset})",
                $($fail,)*
                ".byte 0x0f, 0xb9, 0x3d",
                ".long 0x53053053",
                "5:",
                $($fail,)*
                ".popsection",
                $($after,)*
                $($operands)*
            )
        };
    }

    /// `__rseq_offset`, or [`UNAVAILABLE`].
    static RSEQ_OFFSET: AtomicIsize = AtomicIsize::new(UNAVAILABLE);
    const UNAVAILABLE: isize = isize::MIN;

    /// Looks up glibc's `__rseq_offset` and `__rseq_size`, once.
    pub(crate) fn init() {
        static ONCE: Once = Once::new();
        ONCE.call_once(|| {
            // SAFETY: dlsym with NUL-terminated names; the symbols, when present, have these types
            // (glibc's sys/rseq.h: `ptrdiff_t __rseq_offset`, `unsigned int __rseq_size`).
            unsafe {
                let offset = libc::dlsym(libc::RTLD_DEFAULT, c"__rseq_offset".as_ptr());
                let size = libc::dlsym(libc::RTLD_DEFAULT, c"__rseq_size".as_ptr());
                if offset.is_null() || size.is_null() || *(size as *const c_uint) == 0 {
                    return;
                }
                RSEQ_OFFSET.store(*(offset as *const isize), Ordering::Relaxed);
            }
        });
    }

    /// `__rseq_offset`, when restartable sequences are in use.
    #[inline(always)]
    fn rseq_offset() -> Option<isize> {
        let offset = RSEQ_OFFSET.load(Ordering::Relaxed);
        (offset != UNAVAILABLE).then_some(offset)
    }

    /// The CPU the calling thread runs on (it may have moved by the time the caller uses it), when
    /// the kernel keeps it for the thread: a load, no function call.
    #[inline(always)]
    pub(crate) fn current_cpu() -> Option<usize> {
        let offset = rseq_offset()?;
        let cpu: u32;
        // SAFETY: reads the `cpu_id` field of the thread's struct rseq (see `add_on_current_cpu`).
        unsafe {
            std::arch::asm!(
                "mov %fs:4({offset}), {cpu:e}",
                offset = in(reg) offset,
                cpu = out(reg) cpu,
                options(att_syntax, nostack, readonly, preserves_flags),
            );
        }
        // Negative as an `i32`: registration failed or has not happened on this thread.
        (cpu as i32 >= 0).then_some(cpu as usize)
    }

    /// Adds `value` to the cell of the CPU the calling thread runs on, as one restartable
    /// sequence. `false` when nothing was added: rseq unavailable, a CPU beyond `cells.last_cpu`,
    /// or the sequence aborted.
    ///
    /// # Safety
    /// `cells` describes live, 8-aligned `u64`s for CPUs `0..=last_cpu`, each written only through
    /// this function (any number of readers may load them atomically meanwhile).
    #[inline(always)]
    pub(crate) unsafe fn add_on_current_cpu(cells: PerCpuCells, value: u64) -> bool {
        let Some(offset) = rseq_offset() else {
            return false;
        };
        // SAFETY: `fs` addresses the thread's TLS block, where glibc keeps its registered struct
        // rseq at `offset`; writing `rseq_cs` is how a thread enters a critical section. The add
        // (the commit) writes CPU `cpu`'s cell only on CPU `cpu` (or not at all, on abort), so no
        // two writers ever race on one cell; see the caller's contract for `cells`.
        unsafe {
            on_cpu_sequence!(
                ["add {value}, ({first}, {cpu})"],
                ["jmp {not_added}"],
                [],
                cpu = out(reg) _,
                offset = in(reg) offset,
                last = in(reg) cells.last_cpu,
                first = in(reg) cells.first,
                value = in(reg) value,
                not_added = label { return false },
                options(att_syntax, nostack),
            );
        }
        debug_assert_eq!(super::STRIDE, 64, "the shift above is by log2(STRIDE)");
        true
    }

    /// Adds `value` to the 4-byte cell of the CPU the calling thread runs on, as one restartable
    /// sequence: a load, an add and the store that commits it. `false` when nothing was added:
    /// as [`add_on_current_cpu`], and also when `value` does not fit in 32 bits or the cell would
    /// carry (the caller moves the cell's sum elsewhere with [`take_on_current_cpu`]).
    ///
    /// # Safety
    /// `cells` describes live, 4-aligned `u32`s for CPUs `0..=last_cpu`, each written only through
    /// this function and [`take_on_current_cpu`] (any number of readers may load them atomically).
    #[inline(always)]
    pub(crate) unsafe fn add_u32_on_current_cpu(cells: PerCpuCells, value: u64) -> bool {
        let Some(offset) = rseq_offset() else {
            return false;
        };
        if value > u64::from(u32::MAX) {
            return false;
        }
        // As in `add_on_current_cpu`, with the store as the commit: an abort anywhere before it
        // leaves the cell as it was, so the sequence may start over on another CPU.
        //
        // SAFETY: as in `add_on_current_cpu`; the cells are 4 bytes wide here.
        unsafe {
            on_cpu_sequence!(
                [
                    "mov ({first}, {cpu}), {sum:e}",
                    "add {value:e}, {sum:e}",
                    "jc 7f",
                    "mov {sum:e}, ({first}, {cpu})"
                ],
                ["jmp {not_added}"],
                [],
                cpu = out(reg) _,
                sum = out(reg) _,
                offset = in(reg) offset,
                last = in(reg) cells.last_cpu,
                first = in(reg) cells.first,
                value = in(reg) value,
                not_added = label { return false },
                options(att_syntax, nostack),
            );
        }
        true
    }

    /// Sets the 4-byte cell of the CPU the calling thread runs on to zero and returns what it
    /// held, as one restartable sequence; `None` when nothing was taken (as
    /// [`add_u32_on_current_cpu`] adds nothing).
    ///
    /// # Safety
    /// As for [`add_u32_on_current_cpu`].
    #[inline]
    pub(crate) unsafe fn take_on_current_cpu(cells: PerCpuCells) -> Option<u32> {
        let offset = rseq_offset()?;
        let taken: u64;
        // As in `add_u32_on_current_cpu`, the store of zero commits. The way out when nothing was
        // taken sets `taken` to all ones (a taken `u32` is zero-extended), for the caller to tell.
        //
        // SAFETY: as in `add_u32_on_current_cpu`.
        unsafe {
            on_cpu_sequence!(
                ["mov ({first}, {cpu}), {taken:e}", "movl $0, ({first}, {cpu})"],
                ["mov $-1, {taken}", "jmp 8f"],
                ["8:"],
                cpu = out(reg) _,
                taken = out(reg) taken,
                offset = in(reg) offset,
                last = in(reg) cells.last_cpu,
                first = in(reg) cells.first,
                options(att_syntax, nostack),
            );
        }
        u32::try_from(taken).ok()
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64")))]
mod imp {
    use super::PerCpuCells;

    pub(crate) fn init() {}

    #[inline(always)]
    pub(crate) fn current_cpu() -> Option<usize> {
        None
    }

    /// Restartable sequences are used on Linux x86-64 with glibc only: elsewhere nothing is added.
    ///
    /// # Safety
    /// None needed; the signature matches the Linux version.
    #[inline(always)]
    pub(crate) unsafe fn add_on_current_cpu(_: PerCpuCells, _: u64) -> bool {
        false
    }

    /// # Safety
    /// None needed; the signature matches the Linux version.
    #[inline(always)]
    pub(crate) unsafe fn add_u32_on_current_cpu(_: PerCpuCells, _: u64) -> bool {
        false
    }

    /// # Safety
    /// None needed; the signature matches the Linux version.
    #[inline]
    pub(crate) unsafe fn take_on_current_cpu(_: PerCpuCells) -> Option<u32> {
        None
    }
}

pub(crate) use imp::{
    add_on_current_cpu, add_u32_on_current_cpu, current_cpu, init, take_on_current_cpu,
};

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A word on a cache line of its own, as the per-CPU words are.
    #[derive(Default)]
    #[repr(C, align(64))]
    struct CachePadded<T>(T);

    fn cells_of(cells: &[CachePadded<AtomicU64>]) -> PerCpuCells {
        PerCpuCells {
            first: cells[0].0.as_ptr(),
            last_cpu: cells.len() - 1,
        }
    }

    #[test]
    fn adds_into_the_cell_of_a_cpu_or_reports_that_it_did_not() {
        init();
        let cells: Vec<CachePadded<AtomicU64>> = (0..64).map(|_| Default::default()).collect();
        let mut added = 0;
        for _ in 0..1000 {
            // SAFETY: 64 live cells, written only here.
            if unsafe { add_on_current_cpu(cells_of(&cells), 3) } {
                added += 3;
            }
        }
        let total: u64 = cells.iter().map(|c| c.0.load(Ordering::Relaxed)).sum();
        assert_eq!(total, added);
        // CI machines have restartable sequences (Linux, glibc 2.36): make sure they are used.
        if cfg!(all(
            target_os = "linux",
            target_env = "gnu",
            target_arch = "x86_64"
        )) && std::env::var_os("CI").is_some()
        {
            assert!(added > 0, "restartable sequences unavailable in CI");
        }
    }

    #[test]
    fn the_current_cpu_is_the_one_the_c_library_reports() {
        init();
        let Some(_) = current_cpu() else {
            assert!(
                std::env::var_os("CI").is_none() || !cfg!(target_arch = "x86_64"),
                "restartable sequences unavailable in CI"
            );
            return;
        };
        // The thread may move between the two reads; it cannot keep moving every time.
        let agrees = (0..1000).any(|_| {
            // SAFETY: no arguments, no preconditions.
            let theirs = unsafe { libc::sched_getcpu() };
            current_cpu() == Some(theirs as usize)
        });
        assert!(agrees);
    }

    #[test]
    fn a_cpu_beyond_the_cells_adds_nothing() {
        init();
        // A cell for CPU 1 exists in memory, but is not given: it must stay untouched.
        let cells: Vec<CachePadded<AtomicU64>> = (0..2).map(|_| Default::default()).collect();
        let on_cpu0 = PerCpuCells {
            first: cells[0].0.as_ptr(),
            last_cpu: 0,
        };
        let mut added = 0;
        for _ in 0..1000 {
            // SAFETY: one live cell, written only here.
            if unsafe { add_on_current_cpu(on_cpu0, 1) } {
                added += 1;
            }
        }
        assert_eq!(cells[0].0.load(Ordering::Relaxed), added);
        assert_eq!(cells[1].0.load(Ordering::Relaxed), 0);
    }

    /// Sixteen CPUs' 4-byte cells, a line apart, as a chunk lays them out.
    fn narrow_cells(cells: &[CachePadded<std::sync::atomic::AtomicU32>]) -> PerCpuCells {
        PerCpuCells {
            first: cells[0].0.as_ptr() as *const u64,
            last_cpu: cells.len() - 1,
        }
    }

    #[test]
    fn a_4_byte_add_that_would_carry_or_does_not_fit_adds_nothing() {
        use std::sync::atomic::AtomicU32;
        init();
        let cells: Vec<CachePadded<AtomicU32>> = (0..64).map(|_| Default::default()).collect();
        for c in &cells {
            c.0.store(u32::MAX - 1, Ordering::Relaxed);
        }
        // SAFETY: 64 live cells, written only here.
        let wide = unsafe { add_u32_on_current_cpu(narrow_cells(&cells), 1 << 32) };
        assert!(!wide);
        let mut added = 0u64;
        for _ in 0..10 {
            // SAFETY: as above.
            if unsafe { add_u32_on_current_cpu(narrow_cells(&cells), 1) } {
                added += 1;
            }
        }
        // Each CPU's cell takes one more at most; any further add would carry.
        let total: u64 = cells
            .iter()
            .map(|c| u64::from(c.0.load(Ordering::Relaxed)))
            .sum();
        assert_eq!(total, 64 * u64::from(u32::MAX - 1) + added);
        assert!(
            cells
                .iter()
                .all(|c| c.0.load(Ordering::Relaxed) >= u32::MAX - 1)
        );
    }

    #[test]
    fn a_take_empties_the_cell_of_a_cpu_and_returns_what_it_held() {
        use std::sync::atomic::AtomicU32;
        init();
        let cells: Vec<CachePadded<AtomicU32>> = (0..64).map(|_| Default::default()).collect();
        let mut added = 0u64;
        for _ in 0..1000 {
            // SAFETY: 64 live cells, written only here.
            if unsafe { add_u32_on_current_cpu(narrow_cells(&cells), 7) } {
                added += 7;
            }
        }
        let mut taken = 0u64;
        for _ in 0..100 {
            // SAFETY: as above.
            if let Some(t) = unsafe { take_on_current_cpu(narrow_cells(&cells)) } {
                taken += u64::from(t);
            }
        }
        let left: u64 = cells
            .iter()
            .map(|c| u64::from(c.0.load(Ordering::Relaxed)))
            .sum();
        assert_eq!(taken + left, added);
        if added > 0 {
            assert!(taken > 0, "a CPU that took adds gives them back");
        }
    }

    #[test]
    fn many_threads_lose_no_increment() {
        init();
        let cells: Vec<CachePadded<AtomicU64>> = (0..64).map(|_| Default::default()).collect();
        let fallback = AtomicU64::new(0);
        let per_thread = 200_000u64;
        let threads = 8u64;
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    for _ in 0..per_thread {
                        // SAFETY: 64 live cells, written only here.
                        if !unsafe { add_on_current_cpu(cells_of(&cells), 1) } {
                            fallback.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        let total: u64 = cells
            .iter()
            .map(|c| c.0.load(Ordering::Relaxed))
            .sum::<u64>()
            + fallback.load(Ordering::Relaxed);
        assert_eq!(total, threads * per_thread);
    }
}
