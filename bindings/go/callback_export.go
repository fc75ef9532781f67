package promemu

// The Go functions the library calls back. A file with //export may only declare things in its
// preamble, so the C trampolines that call these live in callback.go.

// #include <stdint.h>
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
