//! The layout of the store file: a header page, the process table, the series index, then
//! records and value blocks handed out by a bump allocator that never frees.
//!
//! Every structure a process reads without the lock is published by one atomic store of an
//! offset (Release) after it was written in full, so a writer killed at any instruction leaves
//! either nothing visible or a whole record: the next holder of the lock carries on without
//! repairing anything. Offsets are bounds-checked before use, so a corrupt file is an error.

use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering};

/// The first eight bytes of a store, written last when it is made.
pub const MAGIC: [u8; 8] = *b"PESTORE\0";
/// Bumped whenever anything below changes meaning: a store of another layout is refused.
pub const LAYOUT_VERSION: u32 = 2;
/// The header page.
pub const HEADER_SIZE: u64 = 4096;
/// Where the cross-process lock lives in the header.
pub const LOCK_OFFSET: u64 = 1024;
/// Room for the lock (glibc's `pthread_mutex_t` is 40 bytes on x86-64, 48 on aarch64).
pub const LOCK_SIZE: u64 = 128;
/// Value blocks start on a cache line, as per-CPU counter cells must.
pub const BLOCK_ALIGN: u64 = 64;
/// The smallest and the default size of a store file.
pub const MIN_CAPACITY: u64 = 1 << 20;
pub const DEFAULT_CAPACITY: u64 = 64 << 20;
pub const DEFAULT_MAX_PROCESSES: u32 = 256;
pub const MAX_PROCESSES: u32 = 1 << 16;

/// The header page, at offset 0.
#[repr(C)]
pub struct Header {
    pub magic: [u8; 8],
    pub layout_version: u32,
    pub header_size: u32,
    pub capacity: u64,
    /// Counter cells per series: the creating process's shard count, a power of two.
    pub shards: u32,
    pub max_processes: u32,
    /// Buckets of the series index, a power of two.
    pub index_buckets: u32,
    pub _pad: u32,
    pub processes_offset: u64,
    pub index_offset: u64,
    pub data_offset: u64,
    /// The next free byte; only moved under the lock.
    pub bump: AtomicU64,
    /// The newest family record (0: none); each points to the one made before it.
    pub families: AtomicU64,
    /// How many series records exist.
    pub series: AtomicU64,
}

/// One entry of the process table.
#[repr(C)]
pub struct ProcessSlot {
    /// [`SLOT_FREE`], [`SLOT_LIVE`] or [`SLOT_DEAD`].
    pub state: AtomicU32,
    pub _pad: u32,
    pub pid: AtomicI64,
    /// The process's start time in clock ticks after boot (`/proc/<pid>/stat`, field 22): with
    /// the pid, what tells a process from a later one given the same pid.
    pub start_time: AtomicU64,
    /// How many processes have had this slot.
    pub generation: AtomicU64,
    pub _reserved: [u64; 4],
}

pub const SLOT_FREE: u32 = 0;
pub const SLOT_LIVE: u32 = 1;
/// Dead, its `all`-mode gauge values still shown until a new process takes the slot.
pub const SLOT_DEAD: u32 = 2;

/// A family record; its bounds (f64) and strings follow it.
#[repr(C)]
pub struct FamilyRecord {
    /// The family made before this one (0: none).
    pub next: AtomicU64,
    pub kind: u32,
    /// A gauge's `pe_gauge_mode`; for a state set, 1 when it is an enum.
    pub mode: u32,
    pub n_labels: u32,
    pub n_bounds: u32,
    /// Bytes of strings after the bounds: name, help, unit, each label name, then each state
    /// of a state set, each as a `u32` length and the bytes.
    pub strings_len: u32,
    pub n_states: u32,
    /// A native histogram's zero threshold's bits.
    pub zero_threshold: u64,
    /// A native histogram's bucket limit (0: none).
    pub max_buckets: u32,
    pub _pad: u32,
}

/// A series record; its label values follow it, each as a `u32` length and the bytes.
#[repr(C)]
pub struct SeriesRecord {
    /// The next series of the same index bucket (0: none).
    pub next: AtomicU64,
    pub family: u64,
    pub hash: u64,
    /// The offset of the value block.
    pub block: u64,
    pub labels_len: u32,
    pub _pad: u32,
}

pub const KIND_COUNTER: u32 = 1;
pub const KIND_GAUGE: u32 = 2;
pub const KIND_HISTOGRAM: u32 = 3;
pub const KIND_SUMMARY: u32 = 4;
pub const KIND_INFO: u32 = 5;
pub const KIND_STATE_SET: u32 = 6;
pub const KIND_NATIVE_HISTOGRAM: u32 = 7;

/// The words of a native histogram's value block: a count per classic bucket, then these (after
/// the counts), then an exemplar slot per classic bucket (one when it has none).
pub const NATIVE_SUM: u64 = 0;
pub const NATIVE_ZERO: u64 = 1;
/// The offsets of the first bucket table of each sign (0: none yet).
pub const NATIVE_POSITIVE: u64 = 2;
pub const NATIVE_NEGATIVE: u64 = 3;
pub const NATIVE_WORDS: u64 = 4;

/// Bytes of a native histogram's value block.
pub fn native_block(n_bounds: u32) -> u64 {
    native_exemplars(n_bounds) + u64::from(n_bounds.max(1)) * 8
}

/// Where in a native histogram's block its exemplar slots start.
pub fn native_exemplars(n_bounds: u32) -> u64 {
    (u64::from(n_bounds) + NATIVE_WORDS) * 8
}

/// A table of native buckets of one sign: open addressing, keys claimed with a compare-and-swap
/// and never removed. A full table points to the next, twice as large; a key is in the first
/// table that had room for it (two processes racing may put it in two: readers add them).
#[repr(C)]
pub struct NativeTable {
    /// Entries, a power of two.
    pub capacity: AtomicU64,
    /// Entries claimed.
    pub used: AtomicU64,
    /// The next table (0: none yet).
    pub next: AtomicU64,
    pub _pad: u64,
}

/// One entry of a [`NativeTable`], after the table's head.
#[repr(C)]
pub struct NativeEntry {
    /// 0: free; else the bucket key's `u32` bits with bit 32 set.
    pub key: AtomicU64,
    pub count: AtomicU64,
}

/// Entries of a series' first table of each sign.
pub const NATIVE_FIRST_TABLE: u64 = 64;

/// Bytes of an info series' value block: the offset of its labels' record (0: none yet).
pub const INFO_BLOCK: u64 = 8;

/// Bytes of a state set's value block: a word per state, 1 while it is on.
pub fn state_set_block(n_states: u32) -> u64 {
    u64::from(n_states) * 8
}

/// Bytes of a summary's value block: the count, then the sum's bits (its quantiles stay in each
/// process: sketches of different processes do not merge exactly).
pub const SUMMARY_BLOCK: u64 = 16;

/// What leads a gauge's value block: the values of processes that died, folded together by the
/// series' mode for the modes that keep them (`min`, `max`, `sum`, `mostrecent`).
#[repr(C)]
pub struct GaugeDead {
    /// Whether any dead process's value is folded in.
    pub any: AtomicU64,
    /// The fold's bits.
    pub value: AtomicU64,
    /// The bits of the latest time among the values folded in.
    pub stamp: AtomicU64,
    pub _pad: [u64; 5],
}

impl GaugeDead {
    /// The fold and its time, `None` while no dead process's value is in it.
    pub fn folded(&self) -> Option<(f64, f64)> {
        (self.any.load(Ordering::Acquire) != 0).then(|| {
            (
                f64::from_bits(self.value.load(Ordering::Relaxed)),
                f64::from_bits(self.stamp.load(Ordering::Relaxed)),
            )
        })
    }

    /// Replaces the fold (under the store's lock).
    pub fn store(&self, value: f64, stamp: f64) {
        self.value.store(value.to_bits(), Ordering::Relaxed);
        self.stamp.store(stamp.to_bits(), Ordering::Relaxed);
        self.any.store(1, Ordering::Release);
    }
}

/// One process's value of a gauge series, at its process slot's index.
#[repr(C)]
pub struct GaugeEntry {
    /// The value's bits.
    pub bits: AtomicU64,
    /// 0: this process has no value; else the bits of the time of the last update in `f64`
    /// seconds (mostrecent modes) or of 1.0.
    pub stamp: AtomicU64,
}

const _: () = assert!(std::mem::size_of::<Header>() as u64 <= LOCK_OFFSET);
const _: () = assert!(std::mem::size_of::<ProcessSlot>() == 64);
const _: () = assert!(std::mem::size_of::<GaugeDead>() == 64);
const _: () = assert!(std::mem::size_of::<libc::pthread_mutex_t>() as u64 <= LOCK_SIZE);

/// Bytes of a counter's value block: one 64-byte cell per shard (the layout of
/// `metric::Counter`'s cells), then the offset of its exemplar's record (0: none).
pub fn counter_block(shards: u32) -> u64 {
    counter_exemplar(shards) + 8
}

/// Where in a counter's block the offset of its exemplar's record is.
pub fn counter_exemplar(shards: u32) -> u64 {
    u64::from(shards) * 64
}

/// Bytes of a gauge's value block.
pub fn gauge_block(max_processes: u32) -> u64 {
    64 + u64::from(max_processes) * std::mem::size_of::<GaugeEntry>() as u64
}

/// Bytes of a histogram's value block: a count per bucket, the sum's bits, then per bucket the
/// offset of its exemplar's record (0: none).
pub fn histogram_block(n_bounds: u32) -> u64 {
    histogram_exemplars(n_bounds) + u64::from(n_bounds) * 8
}

/// Where in a histogram's block the offsets of its buckets' exemplar records start.
pub fn histogram_exemplars(n_bounds: u32) -> u64 {
    (u64::from(n_bounds) + 1) * 8
}

/// An exemplar's record: written and read under the store's lock (exemplars are off the plain
/// hot path), overwritten in place while the new one fits. Its encoded labels follow it: a
/// `u32` count, then each name and value as a `u32` length and the bytes.
#[repr(C)]
pub struct ExemplarRecord {
    /// [`EXEMPLAR_WRITING`] while a process writes it (left so by one killed doing it: the
    /// record then reads as no exemplar) or [`EXEMPLAR_READY`].
    pub state: AtomicU64,
    /// Bytes for labels after the record.
    pub capacity: AtomicU64,
    /// The bytes of labels used.
    pub len: AtomicU64,
    pub value: AtomicU64,
    /// The time's bits, when `has_timestamp` is 1.
    pub timestamp: AtomicU64,
    pub has_timestamp: AtomicU64,
}

pub const EXEMPLAR_WRITING: u64 = 1;
pub const EXEMPLAR_READY: u64 = 2;

pub fn align_up(value: u64, align: u64) -> u64 {
    value.div_ceil(align) * align
}

/// FNV-1a: a hash every process computes alike (the in-process maps' hashers are seeded).
pub fn series_hash(family: u64, values: &[&str]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    let mut eat = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(&family.to_le_bytes());
    for value in values {
        eat(&(value.len() as u32).to_le_bytes());
        eat(value.as_bytes());
    }
    hash
}
