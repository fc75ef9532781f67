//! Argument conversion: C strings, arrays and out-pointers, checked before any work is done.
//!
//! Every exported function converts all its arguments first, so a NULL or a bad string is
//! reported (`PE_ERR_NULL`, `PE_ERR_UTF8`) whatever else is wrong with the call. Nothing here
//! allocates on success: strings are borrowed for the call, and label arrays of up to
//! [`INLINE_STRS`] entries are converted on the stack.

use std::ffi::{CStr, c_char};
use std::ops::Deref;

use super::handle::null_argument;
use super::status::{Failure, FfiResult, pe_status};

/// A borrowed C string as `&str`. NULL is `PE_ERR_NULL`, invalid UTF-8 `PE_ERR_UTF8`.
///
/// # Safety
/// `ptr` is NULL or a NUL-terminated string that outlives `'a`.
#[inline]
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, arg: &str) -> FfiResult<&'a str> {
    if ptr.is_null() {
        return Err(null_argument(arg));
    }
    to_str(unsafe { CStr::from_ptr(ptr) }, arg)
}

/// Like [`str_arg`], with NULL read as "".
///
/// # Safety
/// As for [`str_arg`].
#[inline]
pub(crate) unsafe fn opt_str_arg<'a>(ptr: *const c_char, arg: &str) -> FfiResult<&'a str> {
    if ptr.is_null() {
        Ok("")
    } else {
        unsafe { str_arg(ptr, arg) }
    }
}

#[inline]
fn to_str<'a>(s: &'a CStr, arg: &str) -> FfiResult<&'a str> {
    s.to_str().map_err(|e| {
        Failure::new(
            pe_status::PE_ERR_UTF8,
            format!("argument `{arg}` is not valid UTF-8: {e}"),
        )
    })
}

/// How many strings of an array are converted without allocating.
pub(crate) const INLINE_STRS: usize = 8;

/// Strings of a C array, borrowed: on the stack up to [`INLINE_STRS`], in a `Vec` beyond.
pub(crate) enum Strs<'a> {
    Inline([&'a str; INLINE_STRS], usize),
    Heap(Vec<&'a str>),
}

impl<'a> Deref for Strs<'a> {
    type Target = [&'a str];

    #[inline]
    fn deref(&self) -> &[&'a str] {
        match self {
            Strs::Inline(items, len) => &items[..*len],
            Strs::Heap(items) => items,
        }
    }
}

/// The `n` strings of `ptr`. With `n == 0`, `ptr` may be NULL. A NULL array (when `n > 0`) or a
/// NULL element is `PE_ERR_NULL`; invalid UTF-8 is `PE_ERR_UTF8`.
///
/// # Safety
/// `ptr` is NULL or points to `n` pointers, each NULL or a NUL-terminated string outliving `'a`.
#[inline]
pub(crate) unsafe fn str_array<'a>(
    ptr: *const *const c_char,
    n: usize,
    arg: &str,
) -> FfiResult<Strs<'a>> {
    let pointers = unsafe { slice_arg(ptr, n, arg) }?;
    let convert = |i: usize, p: *const c_char| -> FfiResult<&'a str> {
        if p.is_null() {
            return Err(Failure::new(
                pe_status::PE_ERR_NULL,
                format!("`{arg}[{i}]` is NULL"),
            ));
        }
        unsafe { CStr::from_ptr(p) }.to_str().map_err(|e| {
            Failure::new(
                pe_status::PE_ERR_UTF8,
                format!("`{arg}[{i}]` is not valid UTF-8: {e}"),
            )
        })
    };
    if n <= INLINE_STRS {
        let mut items = [""; INLINE_STRS];
        for (i, p) in pointers.iter().enumerate() {
            items[i] = convert(i, *p)?;
        }
        Ok(Strs::Inline(items, n))
    } else {
        let items = pointers
            .iter()
            .enumerate()
            .map(|(i, p)| convert(i, *p))
            .collect::<FfiResult<Vec<_>>>()?;
        Ok(Strs::Heap(items))
    }
}

/// The bytes of the `n` C strings at `ptr` (up to `N` of them), on the stack, unchecked: `None`
/// when `n > N`, or `ptr` or one string is NULL (the checked path then reports it). For lookups
/// that skip the UTF-8 check because only valid keys can match.
///
/// # Safety
/// As for [`str_array`].
#[inline]
pub(crate) unsafe fn c_bytes_array<'a, const N: usize>(
    ptr: *const *const c_char,
    n: usize,
) -> Option<[&'a [u8]; N]> {
    if n > N || (n > 0 && ptr.is_null()) {
        return None;
    }
    let mut items: [&'a [u8]; N] = [&[]; N];
    for (i, item) in items.iter_mut().enumerate().take(n) {
        // SAFETY: `ptr` points to `n` pointers (caller contract).
        let p = unsafe { *ptr.add(i) };
        if p.is_null() {
            return None;
        }
        // SAFETY: a NUL-terminated string outliving `'a` (caller contract).
        *item = unsafe { CStr::from_ptr(p) }.to_bytes();
    }
    Some(items)
}

/// The `n` values at `ptr`; with `n == 0`, `ptr` may be NULL.
///
/// # Safety
/// `ptr` is NULL or points to `n` initialised values outliving `'a`.
#[inline]
pub(crate) unsafe fn slice_arg<'a, T>(ptr: *const T, n: usize, arg: &str) -> FfiResult<&'a [T]> {
    if n == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(null_argument(arg));
    }
    Ok(unsafe { std::slice::from_raw_parts(ptr, n) })
}

/// Names and values given as two parallel arrays of `n` strings, as pairs.
///
/// # Safety
/// As for [`str_array`], for both arrays.
pub(crate) unsafe fn pairs_arg<'a>(
    names: *const *const c_char,
    values: *const *const c_char,
    n: usize,
    names_arg: &str,
    values_arg: &str,
) -> FfiResult<Vec<(&'a str, &'a str)>> {
    let names = unsafe { str_array(names, n, names_arg) }?;
    let values = unsafe { str_array(values, n, values_arg) }?;
    Ok(names.iter().copied().zip(values.iter().copied()).collect())
}

/// An out-pointer, checked for NULL, written only on success.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    #[inline]
    pub(crate) fn set(self, value: T) {
        // SAFETY: checked non-NULL by `out_arg`; the caller provided writable memory.
        unsafe { self.0.write(value) }
    }
}

/// Checks an out-pointer: NULL is `PE_ERR_NULL`.
#[inline]
pub(crate) fn out_arg<T>(ptr: *mut T, arg: &str) -> FfiResult<Out<T>> {
    if ptr.is_null() {
        Err(null_argument(arg))
    } else {
        Ok(Out(ptr))
    }
}

/// An optional out-pointer: NULL means the caller does not want the value.
pub(crate) struct OptOut<T>(*mut T);

impl<T> OptOut<T> {
    #[inline]
    pub(crate) fn set(self, value: T) {
        if !self.0.is_null() {
            // SAFETY: non-NULL; the caller provided writable memory.
            unsafe { self.0.write(value) }
        }
    }
}

#[inline]
pub(crate) fn opt_out_arg<T>(ptr: *mut T) -> OptOut<T> {
    OptOut(ptr)
}

/// A caller array of `capacity` elements to write into. A NULL array is skipped (allowed only where
/// the function documents it, see [`opt_out_slice_arg`]).
pub(crate) struct OutSlice<T> {
    ptr: *mut T,
    capacity: usize,
}

impl<T> OutSlice<T> {
    /// Writes `values`, as many as fit.
    pub(crate) fn fill(self, values: impl IntoIterator<Item = T>) {
        if self.ptr.is_null() {
            return;
        }
        for (i, value) in values.into_iter().take(self.capacity).enumerate() {
            // SAFETY: `i < capacity`; the caller provided `capacity` writable elements.
            unsafe { self.ptr.add(i).write(value) }
        }
    }
}

/// A required caller array of `capacity` elements; with `capacity == 0` it may be NULL.
pub(crate) fn out_slice_arg<T>(ptr: *mut T, capacity: usize, arg: &str) -> FfiResult<OutSlice<T>> {
    if ptr.is_null() && capacity > 0 {
        Err(null_argument(arg))
    } else {
        Ok(OutSlice { ptr, capacity })
    }
}

/// An optional caller array of `capacity` elements: NULL means the caller does not want it.
pub(crate) fn opt_out_slice_arg<T>(ptr: *mut T, capacity: usize) -> OutSlice<T> {
    OutSlice { ptr, capacity }
}

/// A timestamp in seconds since the Unix epoch, NaN meaning "none". Infinities are refused.
pub(crate) fn timestamp_arg(seconds: f64, arg: &str) -> FfiResult<Option<f64>> {
    if seconds.is_nan() {
        Ok(None)
    } else if seconds.is_finite() {
        Ok(Some(seconds))
    } else {
        Err(Failure::new(
            pe_status::PE_ERR_INVALID_VALUE,
            format!("argument `{arg}` is infinite; pass NaN for no timestamp"),
        ))
    }
}
