//! The rule for growing an option struct, in one place. Every option struct starts with
//! `struct_size` and grows only at its end, so a caller compiled against an older version passes
//! a smaller size: what it has is copied over a zeroed struct, the fields it lacks read as 0
//! ("the default"), and a size below the struct's first version is refused.

use std::mem::size_of;

use super::handle::null_argument;
use super::status::{Failure, FfiResult, pe_status};

/// An option struct of the C ABI: `struct_size` first, and valid when all its bytes are zero
/// (null pointers, zero numbers).
///
/// # Safety
/// Implement only for `#[repr(C)]` structs whose first field is `struct_size: usize` and for
/// which all-zero bytes are a valid value.
pub(crate) unsafe trait Versioned: Sized {
    /// The C name, for messages.
    const NAME: &'static str;
    /// The size of the first version: smaller is refused.
    const FIRST_VERSION_SIZE: usize;
}

/// The caller's struct at `ptr`, as this version of the library knows it; `None` for NULL (which
/// each caller treats as it documents).
///
/// # Safety
/// `ptr` is NULL or points to at least `struct_size` readable bytes of a `T` as some version of
/// the library defined it.
pub(crate) unsafe fn versioned<T: Versioned>(ptr: *const T, arg: &str) -> FfiResult<Option<T>> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: every version of the struct starts with `struct_size`.
    let struct_size = unsafe { ptr.cast::<usize>().read() };
    if struct_size < T::FIRST_VERSION_SIZE {
        return Err(Failure::new(
            pe_status::PE_ERR_INVALID_CONFIG,
            format!(
                "`{arg}->struct_size` is {struct_size}: set it to sizeof({}) ({})",
                T::NAME,
                size_of::<T>()
            ),
        ));
    }
    // SAFETY: all-zero bytes are a valid `T` (the trait's contract), and the caller's struct holds
    // at least `struct_size` bytes. Whole 8-byte fields only: every field added after a first
    // version is 8 bytes long.
    let mut copy: T = unsafe { std::mem::zeroed() };
    unsafe {
        std::ptr::copy_nonoverlapping(
            ptr.cast::<u8>(),
            (&mut copy as *mut T).cast::<u8>(),
            struct_size.min(size_of::<T>()) & !7,
        );
    }
    Ok(Some(copy))
}

/// [`versioned`] for a struct that must be given.
///
/// # Safety
/// As for [`versioned`].
pub(crate) unsafe fn required<T: Versioned>(ptr: *const T, arg: &str) -> FfiResult<T> {
    unsafe { versioned(ptr, arg) }?.ok_or_else(|| null_argument(arg))
}
