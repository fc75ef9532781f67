package promemu

// #include "zwrap.h"
import "C"

import (
	"math"
	"sync/atomic"
	"unsafe"
)

// The simplest updates (valid counter increments, gauge set and add) skip the cgo call: the
// library publishes the memory of a series and the rules for updating it, the cell protocol of
// pe_counter_get_cells and pe_gauge_get_cell in the header, and the binding follows those rules
// with sync/atomic. A cgo call alone costs several client_golang updates; this costs about one.
// Everything else (invalid values and their errors, lookups, reads) still calls the library.
// The memory belongs to the handle it was read from, so each use is followed by
// runtime.KeepAlive of the metric that holds the handle.

// counterCells is a counter series' cells (protocol 1); the zero value (whole nil) is none.
type counterCells struct {
	whole    unsafe.Pointer
	fraction unsafe.Pointer
	stride   uintptr
	mask     uintptr // number of cells - 1 (a power of two)
	activity *uint64
}

// gaugeCell is a gauge series' value bits (protocol 1); the zero value (bits nil) is none.
type gaugeCell struct {
	bits     *uint64
	activity *uint64
}

// counterCellsOf reads the cells of a series handle (a bound child, or a family without labels);
// none for a family with labels or a library speaking another protocol.
func counterCellsOf(h *C.struct_pe_counter) counterCells {
	var c C.struct_pe_counter_cells
	if pe_counter_get_cells(h, &c) != nil || c.protocol != C.PE_CELL_PROTOCOL {
		return counterCells{}
	}
	return counterCells{
		whole:    unsafe.Pointer(c.whole),
		fraction: unsafe.Pointer(c.fraction),
		stride:   uintptr(c.stride),
		mask:     uintptr(c.n_cells) - 1,
		activity: (*uint64)(unsafe.Pointer(c.activity)),
	}
}

// gaugeCellOf reads the cell of a series handle; none where there is none.
func gaugeCellOf(h *C.struct_pe_gauge) gaugeCell {
	var c C.struct_pe_gauge_cell
	if pe_gauge_get_cell(h, &c) != nil || c.protocol != C.PE_CELL_PROTOCOL {
		return gaugeCell{}
	}
	return gaugeCell{
		bits:     (*uint64)(unsafe.Pointer(c.bits)),
		activity: (*uint64)(unsafe.Pointer(c.activity)),
	}
}

// maxWhole: increments from 2^53 on are not all exact in a float64, and go to the library.
const maxWhole = 1 << 53

// wholeAmount is v as a whole number the cells may take (0 <= v < 2^53, no fraction).
func wholeAmount(v float64) (uint64, bool) {
	// NaN fails the first comparison.
	if !(v >= 0 && v < maxWhole) {
		return 0, false
	}
	w := uint64(v)
	return w, float64(w) == v
}

// touch marks the series active for idle expiry: a load and, rarely, a store.
func touch(activity *uint64) {
	if atomic.LoadUint64(activity) != 0 {
		atomic.StoreUint64(activity, 0)
	}
}

// add adds a whole amount to one of the cells.
func (c *counterCells) add(whole uint64) {
	touch(c.activity)
	atomic.AddUint64((*uint64)(unsafe.Add(c.whole, spreadIndex(c.mask)*c.stride)), whole)
}

// addFraction adds any other valid amount (v >= 0) to one of the cells' fraction words.
func (c *counterCells) addFraction(v float64) {
	touch(c.activity)
	addFloat((*uint64)(unsafe.Add(c.fraction, spreadIndex(c.mask)*c.stride)), v)
}

// addFloat adds v to the double whose bits are at word, with IEEE arithmetic as the library adds.
func addFloat(word *uint64, v float64) {
	for {
		old := atomic.LoadUint64(word)
		if atomic.CompareAndSwapUint64(word, old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// spreadIndex picks a cell for the calling goroutine from the address of its stack: goroutines
// have stacks of their own, so goroutines running at once tend to pick different cells, off each
// other's cache lines (Go has no cheap way to name the CPU or the goroutine). Any cell is correct.
func spreadIndex(mask uintptr) uintptr {
	var probe byte
	// Stacks are at least 2 KB and often side by side: the address in 2 KB units numbers them,
	// and Fibonacci hashing sends consecutive numbers far apart in the top bits. The library has
	// at most 32 cells.
	stack := uint64(uintptr(unsafe.Pointer(&probe))) >> 11
	return uintptr((stack*0x9E3779B97F4A7C15)>>59) & mask
}

// set stores v's bits.
func (g *gaugeCell) set(v float64) {
	touch(g.activity)
	atomic.StoreUint64(g.bits, math.Float64bits(v))
}

// add adds v with IEEE arithmetic, as the library does.
func (g *gaugeCell) add(v float64) {
	touch(g.activity)
	addFloat(g.bits, v)
}
