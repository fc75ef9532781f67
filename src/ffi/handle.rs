//! Handles: the opaque pointers C holds.
//!
//! A handle points at a [`Handle`]: a kind tag at offset 0 followed by the Rust value, inside an
//! `Arc` (so a handle is reference counted, and the value it holds is usually an `Arc` shared with
//! registries). Every entry point reads the tag before anything else: a handle of another type, a
//! freed handle (the tag is cleared when the last reference goes) or a zeroed block of memory is
//! reported as `PE_ERR_WRONG_KIND` instead of being used.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use super::status::{Failure, FfiResult, pe_status};

/// A C handle type: the opaque struct C sees, the Rust value behind it, and its tag.
pub(crate) trait CType: 'static {
    /// What the handle holds.
    type Inner;
    /// Never 0, distinct per type (see [`TAGS`]).
    const TAG: u32;
    /// The C type name, for messages.
    const NAME: &'static str;
}

/// Every tag and its C type name. Tags are arbitrary non-zero values, unlikely to be found by
/// chance at the start of foreign memory.
pub(crate) const TAGS: &[(u32, &str)] = &[
    (0x7065_c001, "pe_registry"),
    (0x7065_c002, "pe_counter"),
    (0x7065_c003, "pe_gauge"),
    (0x7065_c004, "pe_histogram"),
    (0x7065_c005, "pe_summary"),
    (0x7065_c006, "pe_info"),
    (0x7065_c007, "pe_enum"),
    (0x7065_c008, "pe_collector"),
    (0x7065_c009, "pe_snapshot"),
    (0x7065_c00a, "pe_collect_builder"),
    (0x7065_c00b, "pe_exporter"),
    (0x7065_c00c, "pe_sender"),
    (0x7065_c00d, "pe_store"),
];

/// The tag of the C type called `name` in [`TAGS`], at compile time.
pub(crate) const fn tag_of(name: &str) -> u32 {
    let mut i = 0;
    while i < TAGS.len() {
        if const_str_eq(TAGS[i].1, name) {
            return TAGS[i].0;
        }
        i += 1;
    }
    panic!("no tag for this C type")
}

const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// What a handle points at. `repr(C)` keeps the tag at offset 0.
#[repr(C)]
pub(crate) struct Handle<C: CType> {
    tag: AtomicU32,
    pub(crate) inner: C::Inner,
}

impl<C: CType> Handle<C> {
    /// A live handle value (the custom collector builder lives on the stack this way).
    pub(crate) fn new(inner: C::Inner) -> Self {
        Handle {
            tag: AtomicU32::new(C::TAG),
            inner,
        }
    }

    pub(crate) fn as_ptr(&self) -> *mut C {
        self as *const Self as *mut C
    }
}

impl<C: CType> Drop for Handle<C> {
    fn drop(&mut self) {
        // A handle used after its last free then reads 0 (until the memory is reused).
        self.tag.store(0, Ordering::Relaxed);
    }
}

/// A new handle holding `inner`, with one reference for the caller.
pub(crate) fn into_raw<C: CType>(inner: C::Inner) -> *mut C {
    Arc::into_raw(Arc::new(Handle::<C>::new(inner))) as *mut C
}

/// Checks the tag of `ptr` (the argument called `arg`) and borrows what it holds.
///
/// # Safety
/// `ptr` is NULL or points to at least 4 readable, 4-aligned bytes (a handle of any type, or
/// memory whose first 4 bytes are not a live tag).
#[inline]
pub(crate) unsafe fn borrow<'a, C: CType>(ptr: *const C, arg: &str) -> FfiResult<&'a C::Inner> {
    if ptr.is_null() {
        return Err(null_argument(arg));
    }
    // SAFETY: see above; the tag is at offset 0 of every handle.
    let tag = unsafe { (*(ptr as *const AtomicU32)).load(Ordering::Relaxed) };
    if tag != C::TAG {
        return Err(wrong_kind(arg, C::NAME, tag));
    }
    // SAFETY: the tag says this is a live `Handle<C>`.
    Ok(unsafe { &(*(ptr as *const Handle<C>)).inner })
}

/// What a live handle of type `C` holds, or `None` for NULL or anything else: [`borrow`] without
/// building an error, for the fast path of the hot update functions (which fall back to their
/// checked path, and its error reporting, on `None`).
///
/// # Safety
/// As for [`borrow`].
#[inline(always)]
pub(crate) unsafe fn peek<'a, C: CType>(ptr: *const C) -> Option<&'a C::Inner> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: as in `borrow`.
    let tag = unsafe { (*(ptr as *const AtomicU32)).load(Ordering::Relaxed) };
    if tag != C::TAG {
        return None;
    }
    // SAFETY: the tag says this is a live `Handle<C>`.
    Some(unsafe { &(*(ptr as *const Handle<C>)).inner })
}

/// Like [`borrow`], but NULL is allowed and gives `None`.
///
/// # Safety
/// As for [`borrow`].
#[inline]
pub(crate) unsafe fn borrow_opt<'a, C: CType>(
    ptr: *const C,
    arg: &str,
) -> FfiResult<Option<&'a C::Inner>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        unsafe { borrow::<C>(ptr, arg) }.map(Some)
    }
}

/// Releases the caller's reference. NULL is a no-op; a pointer that is not a live handle of this
/// type is left alone and reported.
///
/// # Safety
/// As for [`borrow`]; the caller gives up its reference.
pub(crate) unsafe fn release<C: CType>(ptr: *const C, arg: &str) -> FfiResult {
    if ptr.is_null() {
        return Ok(());
    }
    unsafe { borrow::<C>(ptr, arg) }?;
    // SAFETY: a live handle of this type, created by `into_raw` or `share`.
    drop(unsafe { Arc::from_raw(ptr as *const Handle<C>) });
    Ok(())
}

#[cold]
pub(crate) fn null_argument(arg: &str) -> Failure {
    Failure::new(pe_status::PE_ERR_NULL, format!("argument `{arg}` is NULL"))
}

#[cold]
fn wrong_kind(arg: &str, expected: &str, tag: u32) -> Failure {
    let message = match TAGS.iter().find(|(t, _)| *t == tag) {
        Some((_, found)) => {
            format!("argument `{arg}` is a {found} handle, but a {expected} is needed")
        }
        None => format!(
            "argument `{arg}` is not a live {expected} handle (freed, zeroed or foreign memory)"
        ),
    };
    Failure::new(pe_status::PE_ERR_WRONG_KIND, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Probe;
    impl CType for Probe {
        type Inner = u64;
        const TAG: u32 = tag_of("pe_counter");
        const NAME: &'static str = "pe_counter";
    }
    struct Other;
    impl CType for Other {
        type Inner = u64;
        const TAG: u32 = tag_of("pe_gauge");
        const NAME: &'static str = "pe_gauge";
    }

    #[test]
    fn tags_are_distinct_and_non_zero() {
        for (i, (tag, _)) in TAGS.iter().enumerate() {
            assert_ne!(*tag, 0);
            assert!(TAGS[..i].iter().all(|(t, _)| t != tag));
        }
    }

    #[test]
    fn tags_are_checked() {
        let ptr = into_raw::<Probe>(7);
        assert_eq!(*unsafe { borrow::<Probe>(ptr, "p") }.unwrap(), 7);
        let other = unsafe { borrow::<Other>(ptr as *const Other, "p") }.unwrap_err();
        assert_eq!(other.status, pe_status::PE_ERR_WRONG_KIND);
        assert!(other.message.contains("is a pe_counter handle"));
        let zeroed = [0u64; 8];
        let err = unsafe { borrow::<Probe>(zeroed.as_ptr() as *const Probe, "p") }.unwrap_err();
        assert_eq!(err.status, pe_status::PE_ERR_WRONG_KIND);
        let null = unsafe { borrow::<Probe>(std::ptr::null(), "p") }.unwrap_err();
        assert_eq!(null.status, pe_status::PE_ERR_NULL);
        unsafe { release::<Probe>(ptr, "p") }.unwrap();
    }
}
