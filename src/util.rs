//! Small utilities of the leaf floor: the clock as the exposition wants it, and a prefetch hint.

/// A hint to load the cache line at `ptr`; never faults, does nothing where unsupported.
#[inline(always)]
pub(crate) fn prefetch<T: ?Sized>(ptr: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is a hint and never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(ptr as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = ptr;
}

/// Seconds since the Unix epoch, now, to the microsecond: a value whose shortest decimal form has
/// at most six decimals (`1764063902.123456`), which the exposition writes without a general
/// float formatter (see `text::number`).
pub fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as f64 / 1e6)
        .unwrap_or(0.0)
}

/// How many cells a sharded value has: the CPU count rounded up to a power of two, at least 2,
/// at most 32 (the metric types' shards, and a new shared store's counter cells).
pub fn shard_count_for_cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 32)
        .next_power_of_two()
}

/// Running totals of per-bucket counts: a histogram's cumulative buckets.
pub(crate) fn cumulate(counts: &[u64]) -> Vec<u64> {
    counts
        .iter()
        .scan(0u64, |running, count| {
            *running += count;
            Some(*running)
        })
        .collect()
}
