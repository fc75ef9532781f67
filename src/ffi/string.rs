//! Strings the library allocates for C (`pe_registry_expose()`), and `pe_string_free()`.
//!
//! The length is stored just before the text, so freeing never depends on `strlen` (the text
//! could, in principle, hold a NUL of its own).

use std::alloc::{Layout, alloc, dealloc};
use std::ffi::c_char;
use std::mem::{align_of, size_of};

use super::guard::guard_value;
use super::status::{Failure, FfiResult, pe_status};

const HEADER: usize = size_of::<usize>();

fn layout(len: usize) -> FfiResult<Layout> {
    HEADER
        .checked_add(len)
        .and_then(|n| n.checked_add(1))
        .and_then(|size| Layout::from_size_align(size, align_of::<usize>()).ok())
        .ok_or_else(|| Failure::new(pe_status::PE_ERR_INTERNAL, "string too large"))
}

/// Copies `text` into a new NUL-terminated C string, to be released with `pe_string_free()`.
pub(crate) fn to_c_string(text: &str) -> FfiResult<*mut c_char> {
    to_c_bytes(text.as_bytes())
}

/// Copies `text` (which may hold NULs: a protobuf exposition) into a new NUL-terminated buffer,
/// to be released with `pe_string_free()`.
pub(crate) fn to_c_bytes(text: &[u8]) -> FfiResult<*mut c_char> {
    let layout = layout(text.len())?;
    // SAFETY: the layout has a non-zero size.
    let base = unsafe { alloc(layout) };
    if base.is_null() {
        return Err(Failure::new(
            pe_status::PE_ERR_INTERNAL,
            "out of memory allocating a string",
        ));
    }
    // SAFETY: `base` holds HEADER + len + 1 bytes, aligned for usize.
    unsafe {
        base.cast::<usize>().write(text.len());
        let start = base.add(HEADER);
        std::ptr::copy_nonoverlapping(text.as_ptr(), start, text.len());
        start.add(text.len()).write(0);
        Ok(start.cast())
    }
}

/// Frees a string the library allocated and handed to the caller (by `pe_registry_expose()`,
/// `pe_registry_expose_filtered()`, `pe_snapshot_json()`, `pe_snapshot_json_columns()`). NULL is a
/// no-op.
///
/// Passing any other pointer, or freeing twice, is undefined behaviour. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_string_free(string: *mut c_char) {
    guard_value("pe_string_free", (), || {
        if string.is_null() {
            return Ok(());
        }
        // SAFETY: `string` came from `to_c_string`, so the length sits HEADER bytes before it.
        unsafe {
            let base = string.cast::<u8>().sub(HEADER);
            let len = base.cast::<usize>().read();
            dealloc(base, layout(len)?);
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip() {
        let s = to_c_string("a\0b").unwrap();
        assert_eq!(unsafe { std::ffi::CStr::from_ptr(s) }.to_bytes(), b"a");
        unsafe { pe_string_free(s) };
        let empty = to_c_string("").unwrap();
        assert_eq!(unsafe { *empty }, 0);
        unsafe { pe_string_free(empty) };
        unsafe { pe_string_free(std::ptr::null_mut()) };
    }
}
