package promemu

// #include "zwrap.h"
import "C"

import (
	"errors"
	"unsafe"
)

// Status is a status code of the C API (pe_status). Every failure of the library reaches Go as an
// *Error carrying one.
type Status int

// The statuses of the C API; see include/prometheus_emulator.h for when each is returned.
const (
	StatusOK            Status = C.PE_OK
	StatusNull          Status = C.PE_ERR_NULL
	StatusUTF8          Status = C.PE_ERR_UTF8
	StatusWrongKind     Status = C.PE_ERR_WRONG_KIND
	StatusInvalidName   Status = C.PE_ERR_INVALID_NAME
	StatusLabelCount    Status = C.PE_ERR_LABEL_COUNT
	StatusInvalidValue  Status = C.PE_ERR_INVALID_VALUE
	StatusInvalidConfig Status = C.PE_ERR_INVALID_CONFIG
	StatusDuplicate     Status = C.PE_ERR_DUPLICATE
	StatusNotFound      Status = C.PE_ERR_NOT_FOUND
	StatusInternal      Status = C.PE_ERR_INTERNAL
	StatusIO            Status = C.PE_ERR_IO
	StatusHTTP          Status = C.PE_ERR_HTTP
	StatusCardinality   Status = C.PE_ERR_CARDINALITY
	StatusParse         Status = C.PE_ERR_PARSE
)

// String is the library's short description of the status (pe_status_str).
func (s Status) String() string {
	return C.GoString(C.pe_status_str(C.pe_status(s)))
}

// Sentinel errors, one per status, for errors.Is: every *Error matches the sentinel of its status
// (errors.Is(err, promemu.ErrInvalidName)). Their text is the library's description of the status.
var (
	ErrNull          = newSentinel(StatusNull)
	ErrUTF8          = newSentinel(StatusUTF8)
	ErrWrongKind     = newSentinel(StatusWrongKind)
	ErrInvalidName   = newSentinel(StatusInvalidName)
	ErrLabelCount    = newSentinel(StatusLabelCount)
	ErrInvalidValue  = newSentinel(StatusInvalidValue)
	ErrInvalidConfig = newSentinel(StatusInvalidConfig)
	ErrDuplicate     = newSentinel(StatusDuplicate)
	ErrNotFound      = newSentinel(StatusNotFound)
	ErrInternal      = newSentinel(StatusInternal)
	ErrIO            = newSentinel(StatusIO)
	ErrHTTP          = newSentinel(StatusHTTP)
	ErrCardinality   = newSentinel(StatusCardinality) // a vec at MaxSeries with OverflowRefuse refused a new label set
	ErrParse         = newSentinel(StatusParse)       // a text given to the library's exposition parser is not valid
)

// ErrClosed is returned (or panicked with) when a handle is used after its Close.
var ErrClosed = errors.New("promemu: use of a closed handle")

var sentinels = map[Status]error{}

func newSentinel(s Status) error {
	err := errors.New("promemu: " + s.String())
	sentinels[s] = err
	return err
}

// Error is a failure reported by the library: its status and the message pe_last_error() gave on
// the thread where the call failed (messages start with the name of the C function).
type Error struct {
	Status  Status
	Message string
}

func (e *Error) Error() string { return "promemu: " + e.Message }

// Unwrap returns the sentinel of the status, so errors.Is(err, ErrNotFound) works.
func (e *Error) Unwrap() error { return sentinels[e.Status] }

// errorOf is the one place where a C status becomes a Go error: nil when the generated pego_
// wrapper returned NULL (PE_OK), otherwise an *Error with the status and the message the wrapper
// copied on the failing thread (the pego_error is freed here).
func errorOf(failure *C.pego_error) error {
	if failure == nil {
		return nil
	}
	return newError(failure)
}

// newError is the failure half of errorOf, kept apart so that errorOf inlines.
func newError(failure *C.pego_error) error {
	err := &Error{Status: Status(failure.status), Message: C.GoString(failure.message)}
	if failure.heap != 0 {
		C.free(unsafe.Pointer(failure))
	}
	return err
}

// goError is an error found on the Go side before calling the library (a label missing from a
// Labels map), with the status the library gives for the same mistake.
func goError(status Status, message string) error {
	return &Error{Status: status, Message: message}
}

// Version is the version of the linked library, "MAJOR.MINOR.PATCH" (pe_version).
func Version() string { return C.GoString(C.pe_version()) }

// cgoFloor makes the cheapest call into the library (pe_version returns a static string): the
// benchmarks report it as the cost of a cgo call here, the floor of every update.
func cgoFloor() { C.pe_version() }
