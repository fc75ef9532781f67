//! The C ABI: `extern "C"` functions over the core, and nothing else.
//!
//! Each file holds one C type and its functions. Every exported function is a thin shell: it
//! converts its arguments (`args`, `handle`, `opts`), calls the core, and returns a
//! `pe_status`, all inside `guard::guard`, which catches panics and records the message of any
//! failure for `pe_last_error()`. Core errors become statuses in one place,
//! `status::status_of`. No metric logic lives here.
//!
//! The header `include/prometheus_emulator.h` is generated from these files by cbindgen (see
//! `cbindgen.toml`); the doc comments are its documentation, so each one states what the
//! function does, who owns every pointer in and out, every status it returns, and its thread
//! safety.

#![allow(
    non_camel_case_types,
    clippy::missing_safety_doc,
    clippy::too_many_arguments
)]

// Declared in the order the header lists their functions (cbindgen follows the source order).
mod args;
mod family;
mod guard;
mod handle;
mod metric;
mod versioned;

pub mod status;

pub mod library;

pub mod codes;

pub mod string;

pub mod registry;

pub mod names;

pub mod style;

pub mod opts;

pub mod expiry;

pub mod counter;

pub mod gauge;

pub mod cells;

pub mod histogram;

pub mod native_histogram;

pub mod summary;

pub mod info;

pub mod enumeration;

pub mod collector;

pub mod collect_native;

pub mod collect_extras;

pub mod snapshot;

pub mod parse;

pub mod exporter;
pub mod push;
pub mod sender;
pub mod store;
mod store_handle;
