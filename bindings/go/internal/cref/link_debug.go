//go:build promemu_debug && !promemu_pkgconfig

package cref

// With -tags promemu_debug: link the static library of a debug build in this repository
// (cargo build).

// #cgo CFLAGS: -I${SRCDIR}/../../../../include
// #cgo LDFLAGS: ${SRCDIR}/../../../../target/debug/libprometheus_emulator.a -lpthread -ldl -lm
import "C"
