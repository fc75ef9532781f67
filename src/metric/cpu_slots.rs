//! Where a counter's words are: per-CPU slots that sixteen series share a cache line of, or its
//! value block in a shared store.
//!
//! A counter adds whole numbers in a word only the CPU it runs on writes (see [`super::rseq`]).
//! A cache line per CPU and series would cost 64 bytes per CPU for every series; here a
//! [`Chunk`] serves sixteen series instead: its line `c` holds the sixteen series' 4-byte words of
//! CPU `c`, so a line is still written by one CPU alone and a series costs 4 bytes per CPU. Four
//! more lines hold each series' `whole` and `fraction` words (8 bytes each), for the updates that
//! take a locked instruction (fractions, and whole numbers where no per-CPU add was possible).
//!
//! A per-CPU word that would carry past 32 bits is emptied into the series' `whole` word by its
//! CPU (a restartable take, then a `fetch_add`: [`CounterCells::drain_if_full`]). For the moment
//! between the two a reader would see the sum short by what is moving, so a drain is announced
//! in its chunk's `drains` word and readers retry around it ([`CounterCells::consistent`]); it
//! happens once per 2^31 or more added on one CPU, so the word is almost never written.
//!
//! A binding that adds without calling in (the cell protocol of `pe_counter_get_cells()`) may
//! not write per-CPU words: its atomic add would race the restartable one. A chunk makes such
//! callers cells of their own the first time one asks, a line apart, so goroutines adding at once
//! do not share a line either.
//!
//! A family hands slots out from its [`CounterSlots`] and takes them back when a series is
//! dropped. Only its CPU may write a per-CPU word, so a slot handed out again keeps the words its
//! last owner left: a new owner reads their sum as its base ([`CounterCells::on_cpu_sum`]).

use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence};
use std::sync::{Arc, OnceLock, Weak};

use super::rseq;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::sync::Mutex;

/// Series per chunk: one 4-byte word each in a 64-byte line.
const SERIES_PER_CHUNK: usize = 16;

/// 8-byte words in a line.
const WORDS_PER_LINE: usize = 8;

/// Lines of `whole`/`fraction` pairs in a chunk, and of one binding cell's words.
const PAIR_LINES: usize = 2 * SERIES_PER_CHUNK / WORDS_PER_LINE;

/// A per-CPU word holding this much is emptied into `whole` at the next update it cannot take.
const NEARLY_FULL: u32 = 1 << 31;

/// In a chunk's `drains` word: one drain in progress (the count of started drains is below it).
const DRAINING: u64 = 1 << 32;

/// How often a reader waits for a drain to end before it takes the sum as it is: a drain that
/// never ends is one a `fork` cut off in the child.
const MAX_WAITS: u32 = 4096;

/// The environment variable that sizes the per-CPU part (see [`cpu_slots`]).
pub const CPU_SLOTS_VARIABLE: &str = "PE_CPU_SLOTS";

/// The most CPUs a counter has a word for.
const MAX_CPU_SLOTS: usize = 1024;

/// The most cells a binding spreads its adds over (the Go binding picks one from 5 bits).
const MAX_BINDING_CELLS: usize = 32;

/// How many cells a binding gets on a machine of `cpus` CPUs: a power of two, as the cell
/// protocol promises, four per CPU. A binding that cannot ask which CPU it runs on picks a cell
/// by a hash (Go, of the goroutine's stack address); with one cell per CPU two busy goroutines
/// would share one half the time, with four per CPU an eighth of the time on two CPUs.
fn binding_cells(cpus: usize) -> usize {
    (4 * cpus).next_power_of_two().min(MAX_BINDING_CELLS)
}

/// How many CPUs a counter keeps a word for: `PE_CPU_SLOTS` when it is set to a number from 1 to
/// 1024, else one more than the highest CPU number the process may run on. An update on a CPU
/// beyond them takes the locked path (one `fetch_add` on the series' `whole` word). Read once.
pub fn cpu_slots() -> usize {
    static SLOTS: OnceLock<usize> = OnceLock::new();
    *SLOTS.get_or_init(|| {
        // Every counter asks this before its first update: the moment to look for rseq.
        rseq::init();
        std::env::var(CPU_SLOTS_VARIABLE)
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| (1..=MAX_CPU_SLOTS).contains(n))
            .unwrap_or_else(cpus_of_this_process)
    })
}

/// One more than the highest CPU number in the process's affinity mask: the CPU numbers the
/// kernel can report to a restartable sequence here.
fn cpus_of_this_process() -> usize {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: a zeroed cpu_set_t is a valid empty set; sched_getaffinity writes at most its size.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        let ok = unsafe { libc::sched_getaffinity(0, std::mem::size_of_val(&set), &mut set) } == 0;
        if ok {
            // SAFETY: CPU_ISSET reads the set for numbers below CPU_SETSIZE.
            let highest = (0..MAX_CPU_SLOTS)
                .rev()
                .find(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) });
            if let Some(highest) = highest {
                return highest + 1;
            }
        }
    }
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(MAX_CPU_SLOTS)
}

/// A 64-byte line of eight words. `repr(C)`: word `k` is at byte `8k`. The per-CPU lines are
/// only ever read and written as sixteen 4-byte words (the `u32` at byte `4k` is series `k`'s).
#[derive(Default)]
#[repr(C, align(64))]
struct Line([AtomicU64; WORDS_PER_LINE]);

const _: () = assert!(std::mem::size_of::<Line>() == rseq::STRIDE);
const _: () = assert!(std::mem::size_of::<CounterCells>() == 24);

/// Not in its pool's list of chunks with room.
const NOT_LISTED: usize = usize::MAX;

/// The words of sixteen series: `cpus` lines of 4-byte per-CPU words (line `c`, word `k`:
/// series `k` on CPU `c`), then [`PAIR_LINES`] lines of `whole`/`fraction` pairs (series `k`:
/// 8-byte words `2k` and `2k + 1`).
struct Chunk {
    lines: Box<[Line]>,
    cpus: usize,
    /// Bit `k` set: series `k`'s words are taken. Changed under the pool's lock only.
    taken: AtomicU16,
    /// Drains in progress (in units of [`DRAINING`]) and the number started (below it).
    drains: AtomicU64,
    /// The chunk's place in its pool's list of chunks with room, or [`NOT_LISTED`]. Changed
    /// under the pool's lock only.
    listed_at: AtomicUsize,
    pool: Weak<Pool>,
    /// The bindings' cells, made on the first ask: cell `i` is [`PAIR_LINES`] lines from line
    /// `PAIR_LINES * i`, the sixteen series' `whole` words, then their `fraction` words.
    binding: OnceLock<Box<[Line]>>,
}

impl Chunk {
    /// Series `index`'s word of CPU 0.
    fn on_cpu(&self, index: usize) -> NonNull<u8> {
        // SAFETY: byte `4 * index < 64` of the first line.
        unsafe { NonNull::from(&self.lines[0]).cast::<u8>().add(4 * index) }
    }

    fn whole(&self, index: usize) -> NonNull<AtomicU64> {
        let at = 2 * index;
        NonNull::from(&self.lines[self.cpus + at / WORDS_PER_LINE].0[at % WORDS_PER_LINE])
    }

    /// Series `index`'s cell `i` for bindings, `whole` and `fraction`, where they were made.
    fn binding_pair(lines: &[Line], index: usize, i: usize) -> (&AtomicU64, &AtomicU64) {
        let first = PAIR_LINES * i + index / WORDS_PER_LINE;
        let word = index % WORDS_PER_LINE;
        (
            &lines[first].0[word],
            &lines[first + PAIR_LINES / 2].0[word],
        )
    }

    /// Which series `on_cpu` (one of [`Chunk::on_cpu`]'s) is.
    fn index_of(&self, on_cpu: NonNull<u8>) -> usize {
        (on_cpu.as_ptr() as usize - self.lines.as_ptr() as usize) / std::mem::size_of::<u32>()
    }

    /// Gives series `index`'s words back to the pool, if it is still there.
    fn release(self: &Arc<Chunk>, index: usize) {
        let Some(pool) = self.pool.upgrade() else {
            return;
        };
        let mut with_room = pool.with_room.lock();
        let taken = self.taken.load(Ordering::Relaxed) & !(1 << index);
        self.taken.store(taken, Ordering::Relaxed);
        let at = self.listed_at.load(Ordering::Relaxed);
        if at == NOT_LISTED {
            self.listed_at.store(with_room.len(), Ordering::Relaxed);
            with_room.push(self.clone());
        } else if taken == 0 && with_room.len() > 1 {
            // An empty chunk is freed once its last user lets go, unless it is the only one with
            // room: a family that lost most of its series gives their memory back.
            let last = with_room.len() - 1;
            with_room.swap(at, last);
            with_room[at].listed_at.store(at, Ordering::Relaxed);
            with_room.pop();
            self.listed_at.store(NOT_LISTED, Ordering::Relaxed);
        }
    }
}

struct Pool {
    cpus: usize,
    /// The chunks with a free series, the one handed out from last.
    with_room: Mutex<Vec<Arc<Chunk>>>,
}

/// The per-CPU slots of one family's counters (the counter's configuration: every family has its
/// own). Cloning shares them.
#[derive(Clone)]
pub struct CounterSlots(Arc<Pool>);

impl Default for CounterSlots {
    fn default() -> Self {
        CounterSlots::for_cpus(cpu_slots())
    }
}

impl std::fmt::Debug for CounterSlots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CounterSlots")
            .field("cpus", &self.0.cpus)
            .finish()
    }
}

impl CounterSlots {
    /// Slots with a word for each of `cpus` CPUs (at least 1).
    pub fn for_cpus(cpus: usize) -> Self {
        CounterSlots(Arc::new(Pool {
            cpus: cpus.clamp(1, MAX_CPU_SLOTS),
            with_room: Mutex::new(Vec::new()),
        }))
    }

    /// The words of a new series: its `whole` and `fraction` are zero, its per-CPU words hold
    /// whatever their last owner left (the caller takes their sum as its base).
    pub(crate) fn take(&self) -> CounterCells {
        let pool = &self.0;
        let mut with_room = pool.with_room.lock();
        let chunk = match with_room.last() {
            Some(chunk) => chunk.clone(),
            None => {
                let chunk = Arc::new(Chunk {
                    lines: (0..pool.cpus + PAIR_LINES)
                        .map(|_| Line::default())
                        .collect(),
                    cpus: pool.cpus,
                    taken: AtomicU16::new(0),
                    drains: AtomicU64::new(0),
                    listed_at: AtomicUsize::new(with_room.len()),
                    pool: Arc::downgrade(pool),
                    binding: OnceLock::new(),
                });
                with_room.push(chunk.clone());
                chunk
            }
        };
        let taken = chunk.taken.load(Ordering::Relaxed);
        let index = (!taken).trailing_zeros() as usize;
        let taken = taken | 1 << index;
        chunk.taken.store(taken, Ordering::Relaxed);
        if taken == u16::MAX {
            with_room.pop();
            chunk.listed_at.store(NOT_LISTED, Ordering::Relaxed);
        }
        drop(with_room);
        let whole = chunk.whole(index);
        // SAFETY: the pair of words of a series nobody else holds now.
        unsafe {
            whole.as_ref().store(0, Ordering::Relaxed);
            whole.add(1).as_ref().store(0, Ordering::Relaxed);
        }
        if let Some(lines) = chunk.binding.get() {
            for i in 0..lines.len() / PAIR_LINES {
                let (whole, fraction) = Chunk::binding_pair(lines, index, i);
                whole.store(0, Ordering::Relaxed);
                fraction.store(0, Ordering::Relaxed);
            }
        }
        let cells = CounterCells {
            on_cpu: chunk.on_cpu(index),
            keeper: Keeper {
                slots: ManuallyDrop::new(chunk),
            },
            last_cpu: (pool.cpus - 1) as u16,
            n_whole: 1,
            in_store: false,
        };
        debug_assert_eq!(cells.first_whole(), whole);
        cells
    }
}

/// What keeps a series' words alive: its chunk, or the store its block is in.
enum Owner<'a> {
    Slots(&'a Arc<Chunk>),
    Store(&'a Arc<Store>),
}

/// An `Arc<Chunk>` or an `Arc<Store>`, as [`CounterCells::in_store`] says: one pointer, where an
/// enum would take two words.
union Keeper {
    slots: ManuallyDrop<Arc<Chunk>>,
    store: ManuallyDrop<Arc<Store>>,
}

/// The words one counter series is updated in: CPU `c`'s per-CPU word at `on_cpu + c * STRIDE`
/// (bytes; 4 bytes wide in a chunk, 8 in a store), and `n_whole` pairs of `whole` and `fraction`
/// words (a double's bits), `STRIDE` apart, where [`CounterCells::first_whole`] says. 24 bytes:
/// a counter is 56, so that with its `Arc` it fits an 80-byte heap block.
pub(crate) struct CounterCells {
    on_cpu: NonNull<u8>,
    keeper: Keeper,
    last_cpu: u16,
    n_whole: u16,
    in_store: bool,
}

// SAFETY: the cells are atomic words, shared as `&AtomicU64`s are; the owner keeps them alive.
unsafe impl Send for CounterCells {}
unsafe impl Sync for CounterCells {}

impl CounterCells {
    #[inline(always)]
    fn owner(&self) -> Owner<'_> {
        // SAFETY: `in_store` says which field was set.
        unsafe {
            if self.in_store {
                Owner::Store(&self.keeper.store)
            } else {
                Owner::Slots(&self.keeper.slots)
            }
        }
    }

    /// The cells of the counter block at `block` in `store` (`store::layout::counter_block`):
    /// `shards` lines, each a per-CPU word, a `whole` and a `fraction` word.
    pub(crate) fn in_store(store: &Arc<Store>, block: u64, shards: usize) -> Result<Self> {
        let at = store.block(block, (shards * rseq::STRIDE) as u64)?;
        if at as usize % rseq::STRIDE != 0 {
            return Err(Error::Store("a counter block is misaligned".into()));
        }
        let on_cpu = NonNull::new(at as *mut u8).ok_or_else(|| Error::Store("no block".into()))?;
        Ok(CounterCells {
            on_cpu,
            keeper: Keeper {
                store: ManuallyDrop::new(store.clone()),
            },
            last_cpu: (shards - 1) as u16,
            n_whole: shards as u16,
            in_store: true,
        })
    }

    /// Where the per-CPU words are, for the restartable adds.
    #[inline(always)]
    pub(crate) fn per_cpu(&self) -> rseq::PerCpuCells {
        rseq::PerCpuCells {
            first: self.on_cpu.as_ptr() as *const u64,
            last_cpu: self.last_cpu as usize,
        }
    }

    /// Adds `value` to the calling CPU's word, and says whether it did (else the caller adds to
    /// a `whole` word). In a chunk the words are 4 bytes wide; in a store, 8 (the layout other
    /// processes share).
    #[inline(always)]
    pub(crate) fn add_on_cpu(&self, value: u64) -> bool {
        // SAFETY: the per-CPU words, written only by these adds and `drain_if_full`.
        unsafe {
            match self.owner() {
                Owner::Slots(_) => rseq::add_u32_on_current_cpu(self.per_cpu(), value),
                Owner::Store(_) => rseq::add_on_current_cpu(self.per_cpu(), value),
            }
        }
    }

    /// Empties the calling CPU's word into the `whole` word when it is [`NEARLY_FULL`], so that
    /// adds on that CPU stop carrying: for the path that follows an add [`Self::add_on_cpu`]
    /// could not make.
    #[cold]
    pub(crate) fn drain_if_full(&self) {
        let Owner::Slots(chunk) = self.owner() else {
            return;
        };
        let full = rseq::current_cpu()
            .filter(|&cpu| cpu <= self.last_cpu as usize)
            .is_some_and(|cpu| self.narrow_word(cpu).load(Ordering::Relaxed) >= NEARLY_FULL);
        if !full {
            return;
        }
        chunk.drains.fetch_add(DRAINING + 1, Ordering::Relaxed);
        // A reader that sees the word emptied (or `whole` grown) then sees the drain announced.
        fence(Ordering::Release);
        // SAFETY: the per-CPU words, as in `add_on_cpu`.
        if let Some(taken) = unsafe { rseq::take_on_current_cpu(self.per_cpu()) } {
            self.whole(0).fetch_add(u64::from(taken), Ordering::Relaxed);
        }
        chunk.drains.fetch_sub(DRAINING, Ordering::Release);
    }

    /// Runs `read` (a read of the words, or a reset that reads and writes them) until no drain
    /// overlapped it, so that it never sees a sum moving from a per-CPU word to `whole`.
    pub(crate) fn consistent<R>(&self, mut read: impl FnMut() -> R) -> R {
        let Owner::Slots(chunk) = self.owner() else {
            return read();
        };
        let mut waits = 0;
        loop {
            let before = chunk.drains.load(Ordering::Acquire);
            if before < DRAINING || waits >= MAX_WAITS {
                let result = read();
                fence(Ordering::Acquire);
                if chunk.drains.load(Ordering::Relaxed) == before || waits >= MAX_WAITS {
                    return result;
                }
            }
            waits += 1;
            if waits % 64 == 0 {
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
    }

    /// Sets every per-CPU word of a series nobody updates to `value`: for tests, as if a
    /// previous owner had left it there.
    #[cfg(test)]
    pub(crate) fn fill_on_cpu(&self, value: u32) {
        for cpu in 0..=self.last_cpu as usize {
            self.narrow_word(cpu).store(value, Ordering::Relaxed);
        }
    }

    /// How many drains the series' chunk has started: for tests.
    #[cfg(test)]
    pub(crate) fn drains_started(&self) -> u64 {
        match self.owner() {
            Owner::Slots(chunk) => chunk.drains.load(Ordering::Relaxed) % DRAINING,
            Owner::Store(_) => 0,
        }
    }

    /// CPU `cpu`'s 4-byte word in a chunk.
    fn narrow_word(&self, cpu: usize) -> &AtomicU32 {
        // SAFETY: CPU `cpu <= last_cpu`'s word, 4-aligned, kept alive by `keeper`.
        unsafe {
            self.on_cpu
                .byte_add(cpu * rseq::STRIDE)
                .cast::<AtomicU32>()
                .as_ref()
        }
    }

    /// The first `whole` word, found from the per-CPU ones: in a store, the word after CPU 0's;
    /// in a chunk (64-aligned), series `k`'s is `16k` bytes into the lines after the per-CPU ones,
    /// and its CPU 0 word `4k` bytes into the first line.
    #[inline(always)]
    fn first_whole(&self) -> NonNull<AtomicU64> {
        let offset = match self.owner() {
            Owner::Store(_) => 8,
            Owner::Slots(_) => {
                let k = (self.on_cpu.as_ptr() as usize % rseq::STRIDE) / 4;
                (self.last_cpu as usize + 1) * rseq::STRIDE + 12 * k
            }
        };
        // SAFETY: a word of the block or chunk `owner` keeps alive, as computed above.
        unsafe { self.on_cpu.byte_add(offset).cast() }
    }

    /// The `whole` word of pair `i` (any `i`: taken modulo their number, a power of two).
    #[inline(always)]
    pub(crate) fn whole(&self, i: usize) -> &AtomicU64 {
        let i = i & (self.n_whole as usize - 1);
        // SAFETY: pair `i` of `n_whole`, kept alive by `keeper`.
        unsafe { self.first_whole().byte_add(i * rseq::STRIDE).as_ref() }
    }

    /// The `fraction` word of pair `i`, beside its `whole` word.
    #[inline(always)]
    pub(crate) fn fraction(&self, i: usize) -> &AtomicU64 {
        let i = i & (self.n_whole as usize - 1);
        // SAFETY: as in `whole`; the fraction word follows it.
        unsafe {
            self.first_whole()
                .byte_add(i * rseq::STRIDE)
                .add(1)
                .as_ref()
        }
    }

    /// How many `whole`/`fraction` pairs there are.
    pub(crate) fn n_whole(&self) -> usize {
        self.n_whole as usize
    }

    /// Where a binding may add to the series without calling in (the cell protocol of
    /// `pe_counter_get_cells()`): the first cell's `whole` and `fraction` words, the distance in
    /// bytes from one cell to the next, and how many cells (a power of two). In a store these are
    /// the series' pairs; in a chunk, cells of the bindings' own, made on the first ask.
    pub(crate) fn binding_cells(&self) -> (&AtomicU64, &AtomicU64, usize, usize) {
        match self.owner() {
            Owner::Store(_) => (
                self.whole(0),
                self.fraction(0),
                rseq::STRIDE,
                self.n_whole(),
            ),
            Owner::Slots(chunk) => {
                let lines = chunk.binding.get_or_init(|| {
                    (0..PAIR_LINES * binding_cells(chunk.cpus))
                        .map(|_| Line::default())
                        .collect()
                });
                let (whole, fraction) = Chunk::binding_pair(lines, chunk.index_of(self.on_cpu), 0);
                (
                    whole,
                    fraction,
                    PAIR_LINES * rseq::STRIDE,
                    lines.len() / PAIR_LINES,
                )
            }
        }
    }

    /// What bindings added to the cells of [`CounterCells::binding_cells`] in a chunk: the whole
    /// numbers and the fractions (none in a store, where those cells are the series' pairs).
    pub(crate) fn binding_sum(&self) -> (u64, f64) {
        let mut sum = (0u64, 0.0f64);
        self.for_each_binding_cell(|whole, fraction| {
            sum.0 = sum.0.wrapping_add(whole.load(Ordering::Relaxed));
            sum.1 += f64::from_bits(fraction.load(Ordering::Relaxed));
        });
        sum
    }

    /// Sets the bindings' cells in a chunk back to zero.
    pub(crate) fn binding_reset(&self) {
        self.for_each_binding_cell(|whole, fraction| {
            whole.store(0, Ordering::Relaxed);
            fraction.store(0, Ordering::Relaxed);
        });
    }

    fn for_each_binding_cell(&self, mut f: impl FnMut(&AtomicU64, &AtomicU64)) {
        if let Owner::Slots(chunk) = self.owner()
            && let Some(lines) = chunk.binding.get()
        {
            let index = chunk.index_of(self.on_cpu);
            for i in 0..lines.len() / PAIR_LINES {
                let (whole, fraction) = Chunk::binding_pair(lines, index, i);
                f(whole, fraction);
            }
        }
    }

    /// The per-CPU words added up (see [`Self::consistent`] for a sum that adds up with
    /// `whole`).
    pub(crate) fn on_cpu_sum(&self) -> u64 {
        let cpus = 0..=self.last_cpu as usize;
        match self.owner() {
            Owner::Slots(_) => cpus.fold(0, |sum, cpu| {
                sum + u64::from(self.narrow_word(cpu).load(Ordering::Relaxed))
            }),
            Owner::Store(_) => cpus.fold(0, |sum, cpu| {
                // SAFETY: CPU `cpu`'s 8-byte word in the store, kept alive by `keeper`.
                let word = unsafe {
                    self.on_cpu
                        .byte_add(cpu * rseq::STRIDE)
                        .cast::<AtomicU64>()
                        .as_ref()
                };
                sum.wrapping_add(word.load(Ordering::Relaxed))
            }),
        }
    }

    /// Asks the CPU to start loading the lines a read touches first: the first and the last
    /// per-CPU word's and the first `whole` word's (lines between them stream in anyway).
    pub(crate) fn prefetch(&self) {
        let first = self.on_cpu.as_ptr() as *const u8;
        crate::util::prefetch(first);
        crate::util::prefetch(first.wrapping_byte_add(self.last_cpu as usize * rseq::STRIDE));
        crate::util::prefetch(self.first_whole().as_ptr());
    }

    /// The store the cells are in and the offset of their block there.
    pub(crate) fn placed(&self) -> Option<(&Arc<Store>, u64)> {
        match self.owner() {
            Owner::Store(store) => Some((store, store.offset_of(self.on_cpu.as_ptr().cast()))),
            Owner::Slots(_) => None,
        }
    }
}

impl Drop for CounterCells {
    fn drop(&mut self) {
        if let Owner::Slots(chunk) = self.owner() {
            chunk.release(chunk.index_of(self.on_cpu));
        }
        // SAFETY: the field `in_store` says is there, dropped once, here.
        unsafe {
            if self.in_store {
                ManuallyDrop::drop(&mut self.keeper.store);
            } else {
                ManuallyDrop::drop(&mut self.keeper.slots);
            }
        }
    }
}

impl std::fmt::Debug for CounterCells {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CounterCells")
            .field("on_cpu", &self.on_cpu_sum())
            .field("cpus", &(self.last_cpu + 1))
            .field("pairs", &self.n_whole)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots_in_use(slots: &CounterSlots) -> Vec<u16> {
        let with_room = slots.0.with_room.lock();
        with_room
            .iter()
            .map(|c| c.taken.load(Ordering::Relaxed))
            .collect()
    }

    #[test]
    fn sixteen_series_share_a_chunk_and_a_seventeenth_starts_another() {
        let slots = CounterSlots::for_cpus(4);
        let cells: Vec<_> = (0..17).map(|_| slots.take()).collect();
        let first = cells[0].on_cpu.as_ptr() as usize;
        for (k, c) in cells[..16].iter().enumerate() {
            assert_eq!(c.on_cpu.as_ptr() as usize, first + 4 * k);
            assert_eq!(c.last_cpu, 3);
        }
        // The seventeenth's chunk is the only one with room: the first is full.
        assert_eq!(slots_in_use(&slots), [1]);
    }

    #[test]
    fn words_of_different_series_never_overlap() {
        let slots = CounterSlots::for_cpus(3);
        let cells: Vec<_> = (0..40).map(|_| slots.take()).collect();
        let mut words = std::collections::HashSet::new();
        for c in &cells {
            // In 4-byte units: a per-CPU word is one, a `whole` or `fraction` word two.
            for cpu in 0..3 {
                assert!(words.insert((c.on_cpu.as_ptr() as usize + cpu * 64) / 4));
            }
            for word in [c.whole(0), c.fraction(0)] {
                let at = word as *const AtomicU64 as usize / 4;
                assert!(words.insert(at) && words.insert(at + 1));
            }
        }
    }

    #[test]
    fn a_dropped_series_is_handed_out_again_with_its_per_cpu_words_as_a_base() {
        let slots = CounterSlots::for_cpus(2);
        let a = slots.take();
        let b = slots.take();
        a.whole(0).store(5, Ordering::Relaxed);
        a.narrow_word(1).store(7, Ordering::Relaxed);
        let place = a.on_cpu;
        drop(a);
        let again = slots.take();
        assert_eq!(again.on_cpu, place);
        assert_eq!(again.whole(0).load(Ordering::Relaxed), 0);
        assert_eq!(again.on_cpu_sum(), 7);
        drop(b);
    }

    #[test]
    fn an_empty_chunk_is_freed_unless_it_is_the_last_with_room() {
        let slots = CounterSlots::for_cpus(2);
        let first: Vec<_> = (0..16).map(|_| slots.take()).collect();
        let second: Vec<_> = (0..16).map(|_| slots.take()).collect();
        assert!(slots_in_use(&slots).is_empty());
        drop(first);
        assert_eq!(slots_in_use(&slots), [0]);
        drop(second);
        // Both chunks empty: one is kept for the next series, the other freed.
        assert_eq!(slots_in_use(&slots), [0]);
    }

    #[test]
    fn cells_outlive_their_family_pool() {
        let cells = CounterSlots::for_cpus(2).take();
        cells.whole(0).fetch_add(3, Ordering::Relaxed);
        assert_eq!(cells.whole(0).load(Ordering::Relaxed), 3);
        drop(cells);
    }

    #[test]
    fn the_slot_count_covers_this_process_cpus() {
        assert!(cpu_slots() >= 1);
        if std::env::var_os(CPU_SLOTS_VARIABLE).is_none() {
            assert!(cpu_slots() >= std::thread::available_parallelism().map_or(1, |n| n.get()));
        }
    }
}
