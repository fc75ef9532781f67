//! The `pe_store` handle type, apart from its functions (`ffi::store`) so that the metric options
//! can take one without importing them.

use std::sync::Arc;

use super::handle::{CType, tag_of};
use crate::store::Store;

/// An open shared store: the mapping of `<directory>/prometheus_emulator.store`. Opaque;
/// reference counted (every metric made on it holds it too); release it with `pe_store_free()`.
pub struct pe_store {
    _private: [u8; 0],
}

impl CType for pe_store {
    type Inner = Arc<Store>;
    const TAG: u32 = tag_of("pe_store");
    const NAME: &'static str = "pe_store";
}
