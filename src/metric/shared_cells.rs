//! The cells a value is updated in: this process's memory, or its value block in a shared store
//! (see [`crate::store`]). Updates go through the same pointer either way, so a metric in a store
//! costs its hot path nothing.

use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::store::Store;

/// `len` cells of type `T` (atomics, valid at all-zero bytes), owned or in a store it keeps
/// mapped.
pub(crate) struct SharedCells<T> {
    ptr: NonNull<T>,
    len: usize,
    /// `None`: the cells are a boxed slice this value owns.
    store: Option<Arc<Store>>,
}

// SAFETY: the cells are `T`s, shared as a `&[T]` is.
unsafe impl<T: Sync> Send for SharedCells<T> {}
unsafe impl<T: Sync> Sync for SharedCells<T> {}

impl<T: Default> SharedCells<T> {
    /// `len` default cells in this process's memory.
    pub(crate) fn local(len: usize) -> Self {
        let cells: Box<[T]> = (0..len).map(|_| T::default()).collect();
        let ptr = NonNull::new(Box::into_raw(cells).cast::<T>()).unwrap_or(NonNull::dangling());
        SharedCells {
            ptr,
            len,
            store: None,
        }
    }
}

impl<T> SharedCells<T> {
    /// The `len` cells of the value block at `block` in `store`.
    ///
    /// # Safety
    /// `T` is valid at all-zero bytes and at any bytes other processes' `T`s store (atomic
    /// words), and the block was made for `len` of them.
    pub(crate) unsafe fn in_store(store: &Arc<Store>, block: u64, len: usize) -> Result<Self> {
        let bytes = (len * std::mem::size_of::<T>()) as u64;
        let at = store.block(block, bytes)?;
        if at as usize % std::mem::align_of::<T>() != 0 {
            return Err(Error::Store("a value block is misaligned".into()));
        }
        Ok(SharedCells {
            ptr: NonNull::new(at as *mut T).ok_or_else(|| Error::Store("no block".into()))?,
            len,
            store: Some(store.clone()),
        })
    }

    /// The store the cells are in and the offset of their block there.
    pub(crate) fn placed(&self) -> Option<(&Arc<Store>, u64)> {
        let store = self.store.as_ref()?;
        Some((store, store.offset_of(self.ptr.as_ptr().cast())))
    }
}

impl<T> Deref for SharedCells<T> {
    type Target = [T];

    #[inline(always)]
    fn deref(&self) -> &[T] {
        // SAFETY: `len` live cells, boxed here or in the store mapping `store` keeps.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<T> Drop for SharedCells<T> {
    fn drop(&mut self) {
        if self.store.is_none() {
            // SAFETY: the slice boxed in `local`, dropped once.
            drop(unsafe {
                Box::from_raw(std::ptr::slice_from_raw_parts_mut(
                    self.ptr.as_ptr(),
                    self.len,
                ))
            });
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for SharedCells<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}
