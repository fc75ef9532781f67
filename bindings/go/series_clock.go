package promemu

// The clock idle expiry (SeriesTTL) reads, which tests pin to expire series without waiting.

// #include "zwrap.h"
import "C"

import "time"

// PinSeriesClock makes idle expiry (SeriesTTL) read t as the time now, in the whole process (C
// code in it included) until UnpinSeriesClock: for tests, which step it to expire series without
// waiting. Only collections read that clock, never updates, and only for expiry (not for
// timestamps or _created). A time before the Unix epoch is ErrInvalidValue. Tests that pin it
// must not run in parallel with other tests relying on expiry.
func PinSeriesClock(t time.Time) error {
	seconds := float64(t.Unix()) + float64(t.Nanosecond())/1e9
	return pe_series_clock_pin(C.double(seconds))
}

// UnpinSeriesClock makes idle expiry read the system clock again (the default).
func UnpinSeriesClock() error {
	return pe_series_clock_unpin()
}
