//! The shared store: one memory-mapped file that every process of a pre-fork server opens, so
//! that a scrape of any of them sees the values of all.
//!
//! Counters and histograms are updated in place with atomic instructions on the mapping, shared
//! by every process: a worker's increments outlive it, with no per-process file. A gauge keeps a
//! value per live process (a slot of the process table), combined at collection by its
//! [`GaugeMode`], prometheus_client's `multiprocess_mode`. Processes are told apart by pid and
//! start time; a dead one's slot is reclaimed for the next, so the file is bounded by the series
//! and the live processes, not by how many ever ran.
//!
//! Structural changes (a new family, a new series, a process taking a slot) take a robust
//! process-shared mutex; reads and value updates take none. See [`layout`] for why a holder
//! killed mid-change leaves nothing to repair.

mod collect;
mod exemplars;
mod gauge_mode;
mod info;
pub mod layout;
mod liveness;
mod lock;
mod native;
mod processes;
mod records;

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use collect::StoreCollector;
pub use gauge_mode::GaugeMode;
pub use native::{NativeShape, NativeSnapshot};
pub use records::{FamilyDesc, StoreKind};

use crate::error::{Error, Result};
use layout::*;
use lock::SharedLock;

/// The store's file in its directory.
pub const FILE_NAME: &str = "prometheus_emulator.store";

/// The size of a new store; an existing store keeps the parameters it was made with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreOptions {
    /// Bytes of the file (sparse: pages are used as series fill them). 0: 64 MiB.
    pub capacity_bytes: u64,
    /// How many processes can hold a slot at once (each gauge series keeps a value per slot).
    /// 0: 256.
    pub max_processes: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            capacity_bytes: DEFAULT_CAPACITY,
            max_processes: DEFAULT_MAX_PROCESSES,
        }
    }
}

/// An open store: the mapping of its file.
pub struct Store {
    base: *mut u8,
    capacity: u64,
    path: PathBuf,
    lock: SharedLock,
    shards: u32,
    max_processes: u32,
    index_buckets: u32,
    processes_offset: u64,
    index_offset: u64,
    data_offset: u64,
    /// `(forks + 1) << 32 | slot` of the slot this process holds (0: none): a forked child sees
    /// another fork count and takes a slot of its own.
    mine: AtomicU64,
    /// Serialises slot claims within the process. A lock of [`crate::sync`], so that forks are
    /// counted.
    claiming: crate::sync::Mutex<()>,
    _file: File,
}

// SAFETY: the mapping is shared memory accessed through atomics (values, offsets) or written
// once before publication (records); the struct's own fields are immutable or atomic.
unsafe impl Send for Store {}
unsafe impl Sync for Store {}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("capacity", &self.capacity)
            .field("max_processes", &self.max_processes)
            .finish_non_exhaustive()
    }
}

/// Two stores are equal when they are the same open store.
impl PartialEq for Store {
    fn eq(&self, other: &Store) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `open`; nothing refers to it once the last Arc goes.
        unsafe { libc::munmap(self.base.cast(), self.capacity as usize) };
    }
}

fn io_error(what: &str, path: &Path, error: std::io::Error) -> Error {
    Error::Io(format!("{what} {}: {error}", path.display()))
}

fn corrupt(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::Store(format!(
        "{} is not a store this library can use: {why} (wipe the directory between runs)",
        path.display()
    ))
}

impl Store {
    /// Opens the store in `directory`, creating its file if there is none (the first opener,
    /// or the parent before it forks, makes it with `options`).
    ///
    /// Fails with [`Error::Io`] when the directory or file cannot be used, and with
    /// [`Error::Store`] when the file is corrupt, was made by another version of the library, or
    /// is no store at all.
    pub fn open(directory: &Path, options: StoreOptions) -> Result<Arc<Store>> {
        let path = directory.join(FILE_NAME);
        let capacity = match options.capacity_bytes {
            0 => DEFAULT_CAPACITY,
            bytes => align_up(bytes, 4096),
        };
        let max_processes = match options.max_processes {
            0 => DEFAULT_MAX_PROCESSES,
            n => n,
        };
        if capacity < MIN_CAPACITY || max_processes > MAX_PROCESSES {
            return Err(Error::InvalidConfig(format!(
                "a store needs capacity_bytes of at least {MIN_CAPACITY} and max_processes of \
                 at most {MAX_PROCESSES}"
            )));
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o666)
            .open(&path)
            .map_err(|e| io_error("cannot open the store", &path, e))?;
        // While one process makes the file, the others wait for it here.
        let fd = file.as_raw_fd();
        // SAFETY: flock on an open descriptor.
        if unsafe { libc::flock(fd, libc::LOCK_EX) } != 0 {
            return Err(io_error(
                "cannot lock",
                &path,
                std::io::Error::last_os_error(),
            ));
        }
        let opened = Self::map(file, path, capacity, max_processes);
        // The lock goes with the descriptor's last close too; this releases it now.
        if let Ok(store) = &opened {
            // SAFETY: as above.
            unsafe { libc::flock(store._file.as_raw_fd(), libc::LOCK_UN) };
        }
        opened.map(Arc::new)
    }

    fn map(file: File, path: PathBuf, capacity: u64, max_processes: u32) -> Result<Store> {
        let len = file
            .metadata()
            .map_err(|e| io_error("cannot read", &path, e))?
            .len();
        let fresh = len == 0 || (len >= 8 && Self::magic_of(&file)? == [0; 8]);
        let size = if fresh {
            // A file without the magic was never finished (its maker died before publishing
            // it): nothing in it was ever used, so it is made again.
            file.set_len(0)
                .and_then(|()| file.set_len(capacity))
                .map_err(|e| io_error("cannot size", &path, e))?;
            capacity
        } else {
            if len < HEADER_SIZE {
                return Err(corrupt(
                    &path,
                    format!("{len} bytes, shorter than its header"),
                ));
            }
            len
        };
        // SAFETY: a shared read-write mapping of the whole file, unmapped in Drop.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size as usize,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io_error(
                "cannot map",
                &path,
                std::io::Error::last_os_error(),
            ));
        }
        let base = base.cast::<u8>();
        // SAFETY: the header page is in the mapping.
        let header = unsafe { &mut *base.cast::<Header>() };
        // SAFETY: LOCK_OFFSET + LOCK_SIZE is inside the header page.
        let lock = unsafe { SharedLock::at(base.add(LOCK_OFFSET as usize)) };
        let mut store = Store {
            base,
            capacity: size,
            path,
            lock,
            shards: 0,
            max_processes: 0,
            index_buckets: 0,
            processes_offset: 0,
            index_offset: 0,
            data_offset: 0,
            mine: AtomicU64::new(0),
            claiming: crate::sync::Mutex::new(()),
            _file: file,
        };
        if fresh {
            store.lock.init()?;
            let shards = crate::util::shard_count_for_cpus() as u32;
            let index_buckets = (capacity / 1024).next_power_of_two().clamp(1024, 1 << 20) as u32;
            let (processes, index, data) = regions(max_processes, index_buckets);
            if data + 4096 > capacity {
                return Err(Error::InvalidConfig(format!(
                    "a store of {capacity} bytes has no room for {max_processes} processes"
                )));
            }
            header.layout_version = LAYOUT_VERSION;
            header.header_size = HEADER_SIZE as u32;
            header.capacity = capacity;
            header.shards = shards;
            header.max_processes = max_processes;
            header.index_buckets = index_buckets;
            header.processes_offset = processes;
            header.index_offset = index;
            header.data_offset = data;
            header.bump.store(data, Ordering::Relaxed);
            std::sync::atomic::fence(Ordering::Release);
            header.magic = MAGIC;
        }
        store.validate(header)?;
        Ok(store)
    }

    fn magic_of(file: &File) -> Result<[u8; 8]> {
        use std::os::unix::fs::FileExt;
        let mut magic = [0u8; 8];
        file.read_exact_at(&mut magic, 0)
            .map_err(|e| Error::Io(format!("cannot read the store: {e}")))?;
        Ok(magic)
    }

    /// Checks the header of an existing file and copies its parameters.
    fn validate(&mut self, header: &Header) -> Result<()> {
        if header.magic != MAGIC {
            return Err(corrupt(
                &self.path,
                "it does not start with a store's magic bytes",
            ));
        }
        if header.layout_version != LAYOUT_VERSION {
            return Err(corrupt(
                &self.path,
                format!(
                    "it was written with store layout {}, this library reads layout \
                     {LAYOUT_VERSION}",
                    header.layout_version
                ),
            ));
        }
        let (processes, index, data) = regions(header.max_processes, header.index_buckets);
        let consistent = header.header_size as u64 == HEADER_SIZE
            && header.capacity == self.capacity
            && header.shards.is_power_of_two()
            && header.shards <= 64
            && (1..=MAX_PROCESSES).contains(&header.max_processes)
            && header.index_buckets.is_power_of_two()
            && header.processes_offset == processes
            && header.index_offset == index
            && header.data_offset == data
            && (data..=self.capacity).contains(&header.bump.load(Ordering::Acquire));
        if !consistent {
            return Err(corrupt(&self.path, "its header is inconsistent"));
        }
        self.shards = header.shards;
        self.max_processes = header.max_processes;
        self.index_buckets = header.index_buckets;
        self.processes_offset = processes;
        self.index_offset = index;
        self.data_offset = data;
        Ok(())
    }

    /// Runs `f` holding the store's structure lock, for tests that kill a process holding it.
    #[doc(hidden)]
    pub fn with_lock_held<R>(&self, f: impl FnOnce() -> R) -> Result<R> {
        let _guard = self.lock.lock()?;
        Ok(f())
    }

    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes of the file.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Bytes handed out so far (header and tables included).
    pub fn used(&self) -> u64 {
        self.header().bump.load(Ordering::Relaxed)
    }

    /// How many processes can hold a slot at once.
    pub fn max_processes(&self) -> u32 {
        self.max_processes
    }

    /// Counter cells per series.
    pub fn shards(&self) -> usize {
        self.shards as usize
    }

    fn header(&self) -> &Header {
        // SAFETY: the header page is mapped for the store's life.
        unsafe { &*self.base.cast::<Header>() }
    }

    /// The `T` at `offset`, checked to lie inside the file and aligned: an offset read from a
    /// corrupt file is an error, not a wild pointer.
    fn at<T>(&self, offset: u64) -> Result<&T> {
        let size = std::mem::size_of::<T>() as u64;
        if offset < HEADER_SIZE
            || offset % std::mem::align_of::<T>() as u64 != 0
            || offset
                .checked_add(size)
                .is_none_or(|end| end > self.capacity)
        {
            return Err(corrupt(
                &self.path,
                format!("an offset {offset} out of bounds"),
            ));
        }
        // SAFETY: in bounds and aligned; the types here are plain words and atomics.
        Ok(unsafe { &*self.base.add(offset as usize).cast::<T>() })
    }

    /// `len` bytes at `offset`, checked as [`Store::at`] checks.
    fn bytes(&self, offset: u64, len: u64) -> Result<&[u8]> {
        if offset < HEADER_SIZE
            || offset
                .checked_add(len)
                .is_none_or(|end| end > self.capacity)
        {
            return Err(corrupt(
                &self.path,
                format!("a string at {offset} out of bounds"),
            ));
        }
        // SAFETY: in bounds of the mapping.
        Ok(unsafe { std::slice::from_raw_parts(self.base.add(offset as usize), len as usize) })
    }

    /// The address of a value block of `len` bytes, for the metric types to update in place.
    pub fn block(&self, offset: u64, len: u64) -> Result<*const u8> {
        self.bytes(offset, len).map(<[u8]>::as_ptr)
    }

    /// Takes `len` bytes aligned to `align`, under the lock (`_guard`).
    fn alloc(&self, len: u64, align: u64, _guard: &lock::SharedGuard<'_>) -> Result<u64> {
        let bump = &self.header().bump;
        let at = align_up(bump.load(Ordering::Relaxed), align);
        match at.checked_add(len) {
            Some(end) if end <= self.capacity => {
                bump.store(end, Ordering::Release);
                Ok(at)
            }
            _ => Err(Error::Store(format!(
                "the store {} is full: its {} bytes hold {} series; make it larger \
                 (capacity_bytes) or wipe the directory",
                self.path.display(),
                self.capacity,
                self.header().series.load(Ordering::Relaxed)
            ))),
        }
    }
}

/// Where the process table, the index and the data start.
fn regions(max_processes: u32, index_buckets: u32) -> (u64, u64, u64) {
    let processes = HEADER_SIZE;
    let index = align_up(processes + u64::from(max_processes) * 64, 4096);
    let data = align_up(index + u64::from(index_buckets) * 8, 4096);
    (processes, index, data)
}
