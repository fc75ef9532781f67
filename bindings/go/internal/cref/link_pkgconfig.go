//go:build promemu_pkgconfig

package cref

// With -tags promemu_pkgconfig: use an installed copy (make install), found by pkg-config. It
// links the shared library: when the prefix is not on the loader's path, set LD_LIBRARY_PATH (or
// add -Wl,-rpath through CGO_LDFLAGS) so that programs find libprometheus_emulator.so.0.

// #cgo pkg-config: prometheus_emulator
import "C"
