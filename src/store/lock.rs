//! The store's cross-process lock: a process-shared, robust `pthread_mutex_t` in the file.
//!
//! Robust: when its holder dies, the next `lock` returns `EOWNERDEAD` instead of waiting for
//! ever. Every change made under the lock is published by a single atomic store after the data
//! it points to is written (see [`super::layout`]), so what a dead holder left is either
//! invisible (an allocation never linked, which only wastes its bytes) or complete; the new
//! holder marks the mutex consistent and goes on.

use crate::error::{Error, Result};

/// The lock at an address in the mapping.
pub struct SharedLock(*mut libc::pthread_mutex_t);

// SAFETY: the mutex is made for use from any thread of any process.
unsafe impl Send for SharedLock {}
unsafe impl Sync for SharedLock {}

impl SharedLock {
    /// # Safety
    /// `at` points to `LOCK_SIZE` writable bytes of the mapping, which outlive the lock.
    pub unsafe fn at(at: *mut u8) -> Self {
        SharedLock(at.cast())
    }

    /// Makes the mutex, in a store no other process can see yet.
    pub fn init(&self) -> Result<()> {
        // SAFETY: attribute calls on a local attribute object; the mutex memory is ours alone.
        unsafe {
            let mut attr: libc::pthread_mutexattr_t = std::mem::zeroed();
            check(
                libc::pthread_mutexattr_init(&mut attr),
                "pthread_mutexattr_init",
            )?;
            let set = check(
                libc::pthread_mutexattr_setpshared(&mut attr, libc::PTHREAD_PROCESS_SHARED),
                "pthread_mutexattr_setpshared",
            )
            .and_then(|()| {
                check(
                    libc::pthread_mutexattr_setrobust(&mut attr, libc::PTHREAD_MUTEX_ROBUST),
                    "pthread_mutexattr_setrobust",
                )
            })
            .and_then(|()| {
                check(
                    libc::pthread_mutex_init(self.0, &attr),
                    "pthread_mutex_init",
                )
            });
            libc::pthread_mutexattr_destroy(&mut attr);
            set
        }
    }

    /// Takes the lock, recovering it from a holder that died.
    pub fn lock(&self) -> Result<SharedGuard<'_>> {
        // SAFETY: an initialised process-shared mutex in the live mapping.
        match unsafe { libc::pthread_mutex_lock(self.0) } {
            0 => Ok(SharedGuard(self)),
            libc::EOWNERDEAD => {
                // SAFETY: we hold the lock (EOWNERDEAD means it was handed to us).
                check(
                    unsafe { libc::pthread_mutex_consistent(self.0) },
                    "pthread_mutex_consistent",
                )?;
                Ok(SharedGuard(self))
            }
            code => Err(Error::Store(format!(
                "the store's lock cannot be taken: {} (error {code})",
                std::io::Error::from_raw_os_error(code)
            ))),
        }
    }
}

/// The lock, held until dropped.
pub struct SharedGuard<'a>(&'a SharedLock);

impl Drop for SharedGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: this guard's holder took the lock.
        unsafe { libc::pthread_mutex_unlock(self.0.0) };
    }
}

fn check(code: i32, call: &str) -> Result<()> {
    if code == 0 {
        Ok(())
    } else {
        Err(Error::Store(format!(
            "{call} failed: {}",
            std::io::Error::from_raw_os_error(code)
        )))
    }
}
