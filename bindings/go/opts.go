package promemu

// #include "zwrap.h"
import "C"

import (
	"fmt"
	"strings"
	"time"
	"unsafe"
)

// Labels maps label names to label values, as in client_golang.
type Labels map[string]string

// Opts are the options every metric shares. The full name is Namespace, Subsystem and Name joined
// with "_" (empty parts are left out), then "_" + Unit when the name does not end with it.
type Opts struct {
	Namespace string
	Subsystem string
	// Name is required. A counter's trailing "_total" is dropped (the exposition adds it back).
	Name string
	Help string
	// Unit is the OpenMetrics unit ("seconds", "bytes"); empty for none.
	Unit string
	// ConstLabels are labels every series of the metric carries with the same value, as in
	// client_golang. They are written before the variable labels, sorted by name
	// (queue_depth{service="api",zone="eu",queue="mail"} 7). The library checks them like label
	// names: an invalid or reserved name, or one that is also a variable label name (or le on a
	// histogram, quantile on a summary), is ErrInvalidName; an invalid UTF-8 value ErrUTF8.
	ConstLabels Labels
	// MaxSeries caps the children of a vec (the library's max_series): 0 is no limit, negative
	// is ErrInvalidValue. Beyond it a new label set goes as Overflow says, and the library's
	// prometheus_emulator_series_dropped_total{family="<name>"} in DefaultRegistry counts it.
	// A metric without labels ignores it, as the library does.
	MaxSeries int
	// Overflow is what a vec at MaxSeries does with a new label set: OverflowFold (the zero
	// value) or OverflowRefuse. Another value is ErrInvalidValue.
	Overflow Overflow
	// SeriesTTL expires the series of a vec that nobody updates (the library's series_ttl): a
	// child not updated for SeriesTTL is removed at the next collection (scrape, Gather, Expose)
	// after that, so it leaves the exposition between one SeriesTTL and one SeriesTTL plus one
	// collection interval after its last update. 0 (the default) never expires; negative is
	// ErrInvalidValue. A child that a goroutine still holds is hidden instead, and its next
	// update shows it again at its value; one nobody holds is freed, and the same label values
	// later start a new series from zero. Such a vec keeps no child (see keepsChildren): each
	// lookup returns a child of the caller's own, which Close releases (or the garbage
	// collector, later). A metric without labels keeps its one series, as in the library.
	// PinSeriesClock sets the time expiry reads, for tests.
	SeriesTTL time.Duration
}

// Overflow is what a family at its MaxSeries does with a label set it does not hold yet
// (pe_overflow).
type Overflow int

const (
	// OverflowFold sends the label set to one overflow child whose every label value is
	// "__overflow__" (OverflowValue): totals stay right, and the vec holds at most MaxSeries+1
	// series. The lookup (WithLabelValues, With...) returns that child.
	OverflowFold Overflow = C.PE_OVERFLOW_FOLD
	// OverflowRefuse fails the lookup with an error matching ErrCardinality (WithLabelValues
	// and With panic with it) and changes nothing.
	OverflowRefuse Overflow = C.PE_OVERFLOW_REFUSE
)

// OverflowValue is the label value of every label of a vec's overflow child.
const OverflowValue = "__overflow__"

// String is "fold" or "refuse" (or the number of an unknown value).
func (o Overflow) String() string {
	switch o {
	case OverflowFold:
		return "fold"
	case OverflowRefuse:
		return "refuse"
	}
	return fmt.Sprintf("Overflow(%d)", int(o))
}

// CounterOpts configures NewCounter and NewCounterVec.
type CounterOpts Opts

// GaugeOpts configures NewGauge, NewGaugeVec and NewGaugeFunc.
type GaugeOpts Opts

// HistogramOpts configures NewHistogram and NewHistogramVec.
type HistogramOpts struct {
	Namespace string
	Subsystem string
	Name      string
	Help      string
	Unit      string
	// Buckets are the upper bounds of the classic buckets, strictly increasing; +Inf is added
	// when missing. LinearBuckets and ExponentialBuckets make common layouts. As in client_golang,
	// nil or empty gives DefBuckets when the histogram has no native buckets, and no classic
	// buckets when it has: to keep both, set Buckets explicitly.
	Buckets []float64

	// The native histogram options, with client_golang's names and meaning. The histogram keeps
	// native (sparse, exponential) buckets when NativeHistogramBucketFactor is above 1, and
	// every other NativeHistogram option is ignored otherwise. Native buckets are exposed in
	// FormatProtobuf and FormatOpenMetrics2; the text formats show a native-only histogram as
	// its _count, _sum and one +Inf bucket. The library checks the options when the histogram
	// is made (ErrInvalidConfig) and does all the work; see pe_native_histogram_opts in
	// include/prometheus_emulator.h.

	// NativeHistogramBucketFactor bounds the growth from one native bucket to the next: each
	// upper bound is at most this factor times its lower bound. The resolution (schema, -4 to 8)
	// is the coarsest that satisfies it: 1.1 gives schema 3, 2 gives schema 0. At most 1 means
	// no native buckets; NaN or +Inf is ErrInvalidConfig.
	NativeHistogramBucketFactor float64
	// NativeHistogramZeroThreshold is the width of the zero bucket: observations within
	// ±threshold count there. 0 gives DefNativeHistogramZeroThreshold (2^-128);
	// NativeHistogramZeroThresholdZero (or any negative value) a threshold of exactly 0.
	NativeHistogramZeroThreshold float64
	// NativeHistogramMaxBucketNumber is the most native buckets (positive and negative
	// together) to keep; 0 is no limit. Past it the histogram resets (when
	// NativeHistogramMinResetDuration allows), else widens its zero bucket (up to
	// NativeHistogramMaxZeroThreshold), else halves its resolution.
	NativeHistogramMaxBucketNumber uint32
	// NativeHistogramMinResetDuration is how long after its creation or last reset the histogram
	// may be reset to keep NativeHistogramMaxBucketNumber; 0 never resets. Negative is
	// ErrInvalidConfig.
	NativeHistogramMinResetDuration time.Duration
	// NativeHistogramMaxZeroThreshold is how far the zero bucket may be widened to keep
	// NativeHistogramMaxBucketNumber; 0 never widens it. Negative is ErrInvalidConfig.
	NativeHistogramMaxZeroThreshold float64

	// ConstLabels, MaxSeries, Overflow and SeriesTTL as in Opts (le is no constant label).
	ConstLabels Labels
	MaxSeries   int
	Overflow    Overflow
	SeriesTTL   time.Duration
}

// SummaryOpts configures NewSummary and NewSummaryVec.
type SummaryOpts struct {
	Namespace string
	Subsystem string
	Name      string
	Help      string
	Unit      string
	// Objectives maps each quantile to its allowed rank error (0.99: 0.001). As in client_golang,
	// nil or empty means no quantiles: only _count and _sum are exposed. DefObjectives holds the
	// library's default objectives.
	Objectives map[float64]float64
	// MaxAge is the sliding window the quantiles cover; 0 gives DefMaxAge (10 minutes).
	MaxAge time.Duration
	// AgeBuckets is the number of steps the window rotates in; 0 gives DefAgeBuckets (5).
	AgeBuckets uint32
	// ConstLabels, MaxSeries, Overflow and SeriesTTL as in Opts (quantile is no constant label).
	ConstLabels Labels
	MaxSeries   int
	Overflow    Overflow
	SeriesTTL   time.Duration
}

// InfoOpts configures NewInfo and NewInfoVec. Info metrics have no unit; the family is exposed
// as <name>_info.
type InfoOpts struct {
	Namespace string
	Subsystem string
	Name      string
	Help      string
	// ConstLabels, MaxSeries, Overflow and SeriesTTL as in Opts. Info labels (Set) may not
	// repeat a constant label.
	ConstLabels Labels
	MaxSeries   int
	Overflow    Overflow
	SeriesTTL   time.Duration
}

// EnumOpts configures NewEnum and NewEnumVec (OpenMetrics state sets).
type EnumOpts struct {
	Namespace string
	Subsystem string
	Name      string
	Help      string
	// States are the possible states, at least one, each once.
	States []string
	// Flags makes the states independent flags, all unset at first (set them with SetState);
	// otherwise exactly one state is active, the first at first.
	Flags bool
	// ConstLabels, MaxSeries, Overflow and SeriesTTL as in Opts (the enum's own name is no
	// constant label).
	ConstLabels Labels
	MaxSeries   int
	Overflow    Overflow
	SeriesTTL   time.Duration
}

// Defaults, the same as client_golang's.
var (
	// DefBuckets are the default histogram buckets, for request durations in seconds.
	DefBuckets = []float64{.005, .01, .025, .05, .075, .1, .25, .5, .75, 1, 2.5, 5, 7.5, 10}
	// DefObjectives are the library's default summary objectives; pass them explicitly
	// (SummaryOpts{Objectives: promemu.DefObjectives}) to get quantiles.
	DefObjectives = map[float64]float64{0.5: 0.05, 0.9: 0.01, 0.99: 0.001}
)

const (
	// DefNativeHistogramZeroThreshold is the zero threshold a native histogram gets when
	// NativeHistogramZeroThreshold is 0: 2^-128, as in client_golang (and the library).
	DefNativeHistogramZeroThreshold = 2.938735877055719e-39
	// NativeHistogramZeroThresholdZero, as NativeHistogramZeroThreshold, makes a zero bucket of
	// width 0: only observations of exactly 0 count there. The same value as client_golang's.
	NativeHistogramZeroThresholdZero = -1

	// DefMaxAge is the default window of summary quantiles.
	DefMaxAge = 10 * time.Minute
	// DefAgeBuckets is the default number of steps the window rotates in.
	DefAgeBuckets = 5
)

// BuildFQName joins namespace, subsystem and name with "_", leaving out empty parts, as
// client_golang's BuildFQName does; "" when name is empty.
func BuildFQName(namespace, subsystem, name string) string {
	if name == "" {
		return ""
	}
	parts := make([]string, 0, 3)
	for _, part := range []string{namespace, subsystem, name} {
		if part != "" {
			parts = append(parts, part)
		}
	}
	return strings.Join(parts, "_")
}

// cOpts is a pe_metric_opts with its strings in C memory. The struct itself lives in Go memory,
// which is allowed: it holds no Go pointer.
type cOpts struct {
	c      C.struct_pe_metric_opts
	labels cStrings
	// The constant labels, sorted by name.
	constNames, constValues cStrings
}

func newCOpts(o Opts, labelNames []string) (*cOpts, error) {
	// size_t cannot hold a negative cap; every other check (Overflow included) is the library's.
	if o.MaxSeries < 0 {
		return nil, goError(StatusInvalidValue, fmt.Sprintf("MaxSeries of %q is %d: 0 (no limit) or more", o.Name, o.MaxSeries))
	}
	// The library checks the TTL (finite, not negative); a Duration is always finite.
	opts := &cOpts{labels: newCStrings(labelNames)}
	opts.constNames, opts.constValues = sortedPairs(o.ConstLabels)
	opts.c.struct_size = C.size_t(unsafe.Sizeof(opts.c))
	opts.c.name = cString(o.Name)
	opts.c.help = cString(o.Help)
	opts.c.namespace_ = cString(o.Namespace)
	opts.c.subsystem = cString(o.Subsystem)
	opts.c.unit = cString(o.Unit)
	opts.c.label_names = opts.labels.ptr()
	opts.c.n_label_names = opts.labels.len()
	opts.c.max_series = C.size_t(o.MaxSeries)
	opts.c.overflow = C.uint64_t(o.Overflow)
	opts.c.series_ttl_seconds = C.double(o.SeriesTTL.Seconds())
	opts.c.const_label_names = opts.constNames.ptr()
	opts.c.const_label_values = opts.constValues.ptr()
	opts.c.n_const_labels = opts.constNames.len()
	return opts, nil
}

// keepsChildren reports whether a vec with these options may keep the children it binds. A vec
// that folds does not: beyond the cap the library hands out the overflow child, which must not be
// kept under the label values asked for (their next lookups would skip the library's count, and
// keep folding after a Delete makes room), so each lookup asks the library. Nor does a vec with a
// SeriesTTL: a kept child is a held child, which the library hides when it expires but never
// frees, so the vec would hold every label set it ever saw.
func keepsChildren(maxSeries int, overflow Overflow, seriesTTL time.Duration) bool {
	return (maxSeries == 0 || overflow != OverflowFold) && seriesTTL == 0
}

func (o *cOpts) free() {
	for _, s := range []*C.char{o.c.name, o.c.help, o.c.namespace_, o.c.subsystem, o.c.unit} {
		free(s)
	}
	o.labels.free()
	o.constNames.free()
	o.constValues.free()
}

// sortedPairs splits labels into names and values, sorted by name, for exemplars, info metrics,
// constant labels and wrapping registries (a map has no order; the exposition keeps the order
// given).
func sortedPairs(labels Labels) (names, values cStrings) {
	keys := make([]string, 0, len(labels))
	for name := range labels {
		keys = append(keys, name)
	}
	sortStrings(keys)
	vals := make([]string, len(keys))
	for i, name := range keys {
		vals[i] = labels[name]
	}
	return newCStrings(keys), newCStrings(vals)
}
