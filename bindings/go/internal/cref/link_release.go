//go:build !promemu_pkgconfig && !promemu_debug

package cref

// Default: link the static library of a release build in this repository. Build it first, from
// the repository root: cargo build --release

// #cgo CFLAGS: -I${SRCDIR}/../../../../include
// #cgo LDFLAGS: ${SRCDIR}/../../../../target/release/libprometheus_emulator.a -lpthread -ldl -lm
import "C"
