package promemu

import (
	"math"
	"slices"
	"strconv"
	"time"
)

func sortStrings(s []string) { slices.Sort(s) }

// unixSeconds is t in seconds since the Unix epoch, as the library takes timestamps: whole
// seconds and the fraction apart, so that any year works (UnixNano stops at 2262) and a time in
// milliseconds comes out as written (1700000001.25, not 1700000001.2499998).
func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

// fromUnixSeconds is the inverse of unixSeconds.
func fromUnixSeconds(seconds float64) time.Time {
	whole, fraction := math.Modf(seconds)
	return time.Unix(int64(whole), int64(math.Round(fraction*1e9)))
}

func itoa(i int) string { return strconv.Itoa(i) }
