//! The cell protocol: the memory of one series that a binding may update itself, with its own
//! atomic instructions, instead of calling the library. A cgo call alone costs several times a
//! client_golang update; an atomic add on the right word costs what client_golang's does. Only the
//! simplest updates are published (counter increments, gauge set and add); everything else, and
//! every invalid value, still goes through the calls, which report it.

use std::sync::atomic::AtomicU64;

use super::args::out_arg;
use super::counter::pe_counter;
use super::gauge::pe_gauge;
use super::guard::guard;
use super::handle::borrow;
use super::status::{Failure, pe_status};

/// The version of the rules below (`PE_CELL_PROTOCOL` in the header, defined in cbindgen.toml). A
/// binding checks `protocol` and uses the cells only when it implements that version, and the
/// calls otherwise.
const CELL_PROTOCOL: u32 = 1;

/// The memory of one counter series a binding may add to directly (`pe_counter_get_cells()`), under
/// these rules (protocol 1), which are all a binding may do with it:
///
/// - A negative or NaN amount is never applied directly: it goes through `pe_counter_inc()`, which
///   refuses it with a message. Every other update starts with the activity word: load it
///   (relaxed); when it is not 0, store 0 (relaxed). Idle-series expiry reads it.
/// - A whole number `w` with `0 <= w < 2^53` (1 included): one atomic add (relaxed is enough) of
///   `w` to any one of the `n_cells` 64-bit words at `whole`, `whole + stride`, ... (`stride` in
///   bytes).
/// - Any other amount `v >= 0` (fractions, larger values, `+Inf`): a compare-and-swap loop on any
///   one of the `n_cells` words at `fraction`, `fraction + stride`, ..., each the IEEE 754 bits of
///   a double, replacing the bits of `x` with those of `x + v`.
/// - Threads spreading over the cells contend less; any choice of cell is correct. Never store,
///   subtract or write anything else: the library sums the words when it reads the counter and
///   clears them on reset.
///
/// The memory belongs to the handle it was read from and stays valid while that handle is live;
/// this struct is never extended (a new protocol gets a new function).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pe_counter_cells {
    /// `PE_CELL_PROTOCOL` of the library that wrote the struct.
    pub protocol: u32,
    /// The first cell's whole-number word, 8-byte aligned.
    pub whole: *mut u64,
    /// The first cell's fraction word (a double's bits), 8-byte aligned.
    pub fraction: *mut u64,
    /// Bytes from one cell's word to the next cell's.
    pub stride: usize,
    /// How many words there are: a power of two, at least 1.
    pub n_cells: usize,
    /// The series' activity word, 8-byte aligned.
    pub activity: *mut u64,
}

/// The memory of one gauge series a binding may set or add to directly (`pe_gauge_get_cell()`), under
/// these rules (protocol 1), which are all a binding may do with it:
///
/// - First the activity word, as for `pe_counter_cells`: load it; when it is not 0, store 0.
/// - A set of any value (NaN and the infinities are gauge values): one atomic store (relaxed) of
///   the value's IEEE 754 bits into `bits`.
/// - An add of any value: a compare-and-swap loop on `bits`, replacing the bits of `x` with those
///   of `x + v` (IEEE arithmetic, as the library adds).
/// - Everything else (set to the current time, reads) goes through the calls.
///
/// Valid while the handle it was read from is live; never extended.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pe_gauge_cell {
    /// `PE_CELL_PROTOCOL` of the library that wrote the struct.
    pub protocol: u32,
    /// The value's IEEE 754 bits, 8-byte aligned.
    pub bits: *mut u64,
    /// The series' activity word, 8-byte aligned.
    pub activity: *mut u64,
}

fn word(word: &AtomicU64) -> *mut u64 {
    word.as_ptr()
}

/// Reads where a counter series' cells are, for a binding that adds to them itself under the
/// rules of `pe_counter_cells` (the Go binding does). `counter` is a bound child or a family
/// without labels (borrowed); the memory stays valid while `counter` is live, and is written by
/// the library too (reads, resets), always atomically.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`counter` or `out`); `PE_ERR_WRONG_KIND`; `PE_ERR_LABEL_COUNT`
/// (a family with labels: bind a child first); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_counter_get_cells(
    counter: *mut pe_counter,
    out: *mut pe_counter_cells,
) -> pe_status {
    guard("pe_counter_get_cells", || {
        let counter = unsafe { borrow::<pe_counter>(counter, "counter") }?;
        let out = out_arg(out, "out")?;
        let series = counter.series()?;
        let (whole, fraction, stride, n_cells) = series.shared_cells();
        out.set(pe_counter_cells {
            protocol: CELL_PROTOCOL,
            whole: word(whole),
            fraction: word(fraction),
            stride,
            n_cells,
            activity: word(series.activity_word()),
        });
        Ok(())
    })
}

/// Reads where a gauge series' value is, for a binding that sets or adds to it itself under the
/// rules of `pe_gauge_cell`. `gauge` is a bound child or a family without labels (borrowed); the
/// memory stays valid while `gauge` is live.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`gauge` or `out`); `PE_ERR_WRONG_KIND`; `PE_ERR_LABEL_COUNT` (a
/// family with labels: bind a child first); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_get_cell(
    gauge: *mut pe_gauge,
    out: *mut pe_gauge_cell,
) -> pe_status {
    guard("pe_gauge_get_cell", || {
        let gauge = unsafe { borrow::<pe_gauge>(gauge, "gauge") }?;
        let out = out_arg(out, "out")?;
        let (bits, activity) = gauge.series()?.cell().ok_or_else(|| {
            Failure::new(
                pe_status::PE_ERR_INVALID_CONFIG,
                "a gauge in a shared store keeps a value per process and has no cell: set it \
                 with pe_gauge_set()",
            )
        })?;
        out.set(pe_gauge_cell {
            protocol: CELL_PROTOCOL,
            bits: word(bits),
            activity: word(activity),
        });
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_header_documents_this_protocol() {
        let header = include_str!("../../include/prometheus_emulator.h");
        let line = format!("#define PE_CELL_PROTOCOL {}", super::CELL_PROTOCOL);
        assert!(header.contains(&line), "the header lacks `{line}`");
    }
}
