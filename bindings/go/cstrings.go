package promemu

// #include <stdlib.h>
import "C"

import "unsafe"

// cString is a NUL-terminated copy of s in C memory; release it with free. (C.CString, under a
// name that reads well next to cStrings.)
func cString(s string) *C.char { return C.CString(s) }

func free(p *C.char) { C.free(unsafe.Pointer(p)) }

// cStrings holds an array of C strings in one malloc'd block: the pointers first, then the
// bytes. One allocation however many strings, freed by free.
type cStrings struct {
	block unsafe.Pointer
	n     int
}

func newCStrings(values []string) cStrings {
	if len(values) == 0 {
		return cStrings{}
	}
	pointerSize := int(unsafe.Sizeof((*C.char)(nil)))
	size := len(values) * pointerSize
	for _, v := range values {
		size += len(v) + 1
	}
	block := C.malloc(C.size_t(size))
	pointers := unsafe.Slice((**C.char)(block), len(values))
	bytes := unsafe.Slice((*byte)(block), size)
	offset := len(values) * pointerSize
	for i, v := range values {
		pointers[i] = (*C.char)(unsafe.Pointer(&bytes[offset]))
		offset += copy(bytes[offset:], v)
		bytes[offset] = 0
		offset++
	}
	return cStrings{block: block, n: len(values)}
}

// ptr is the array to pass as `const char *const *`; NULL when empty.
func (s cStrings) ptr() **C.char { return (**C.char)(s.block) }

func (s cStrings) len() C.size_t { return C.size_t(s.n) }

func (s cStrings) free() {
	if s.block != nil {
		C.free(s.block)
	}
}

// goString reads a borrowed C string; NULL is "".
func goString(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}
