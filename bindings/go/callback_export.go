package promemu

// The Go functions the library calls back. A file with //export may only declare things in its
// preamble, so the C trampolines that call these live in callback.go.

// #include <stdint.h>
// #include "prometheus_emulator.h"
import "C"

import (
	"math"
	"runtime/cgo"
)

// promemuValueCallback returns the value of a callback metric: user_data carries a cgo.Handle (an
// integer, not a Go pointer) of the Go function. A panic in the function becomes NaN: it must not
// unwind through the library's frames.
//
//export promemuValueCallback
func promemuValueCallback(handle C.uintptr_t) (value C.double) {
	defer func() {
		if recover() != nil {
			value = C.double(math.NaN())
		}
	}()
	return C.double(cgo.Handle(handle).Value().(func() float64)())
}

// promemuFreeCallback releases the handle when the library drops the collector.
//
//export promemuFreeCallback
func promemuFreeCallback(handle C.uintptr_t) {
	cgo.Handle(handle).Delete()
}

// promemuCollectCallback runs the Go collector behind a pe_collector_new collector (user_data is
// a cgo.Handle of it) and adds its points to builder. A panic must not unwind through the
// library's frames: what was added so far stays.
//
//export promemuCollectCallback
func promemuCollectCallback(builder *C.pe_collect_builder, handle C.uintptr_t) {
	defer func() { _ = recover() }()
	collectGo((*C.struct_pe_collect_builder)(builder), cgo.Handle(handle).Value().(Collector))
}
