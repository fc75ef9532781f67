package promemu

// NewMetricWithExemplars: client_golang's wrapper giving a metric exemplars, with its checks
// and its placement rules. The exemplars travel in the Point (Point.Exemplar,
// HistogramPoint.Exemplars) and reach the library through pe_collect_exemplar (collector.go).

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// ExemplarMaxRunes is the most runes an exemplar's label names and values may have together,
// as in client_golang (and OpenMetrics).
const ExemplarMaxRunes = 128

// The range of a protobuf Timestamp, which client_golang requires of an exemplar's time:
// 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
const (
	minExemplarSeconds = -62135596800
	maxExemplarSeconds = 253402300799
)

// checkExemplar is client_golang's newExemplar's checks (labels in name order here, so that the
// first problem reported does not depend on map order), and a NaN value, which the library
// cannot expose.
func checkExemplar(e Exemplar) error {
	if s := e.Timestamp.Unix(); s < minExemplarSeconds {
		return goError(StatusInvalidValue, fmt.Sprintf("exemplar timestamp (%v) before 0001-01-01", e.Timestamp))
	} else if s > maxExemplarSeconds {
		return goError(StatusInvalidValue, fmt.Sprintf("exemplar timestamp (%v) after 9999-12-31", e.Timestamp))
	}
	if math.IsNaN(e.Value) {
		return goError(StatusInvalidValue, "exemplar value is NaN")
	}
	runes := 0
	for _, name := range slices.Sorted(maps.Keys(e.Labels)) {
		if name == "" || !utf8.ValidString(name) || strings.HasPrefix(name, "__") {
			return goError(StatusInvalidValue, fmt.Sprintf("exemplar label name %q is invalid", name))
		}
		value := e.Labels[name]
		if !utf8.ValidString(value) {
			return goError(StatusInvalidValue, fmt.Sprintf("exemplar label value %q is not valid UTF-8", value))
		}
		runes += utf8.RuneCountInString(name) + utf8.RuneCountInString(value)
	}
	if runes > ExemplarMaxRunes {
		return goError(StatusInvalidValue, fmt.Sprintf("exemplar labels have %d runes, exceeding the limit of %d", runes, ExemplarMaxRunes))
	}
	return nil
}

// withExemplarsMetric is NewMetricWithExemplars's wrapper.
type withExemplarsMetric struct {
	Metric
	exemplars []*Exemplar
}

// NewMetricWithExemplars is client_golang's NewMetricWithExemplars: m with exemplars, for a
// Collector to send. An exemplar without a timestamp gets the time of the call. A counter keeps
// the last exemplar; a histogram gives each to its first classic bucket whose upper bound is at
// or above the exemplar's value (a later one replacing an earlier one there), adding the +Inf
// bucket when needed; a native histogram's exemplars are kept for its classic buckets only,
// since the library keeps no exemplars of native buckets. Writing a gauge, untyped metric,
// summary, info or state set with exemplars fails, as client_golang's Write does, so a registry
// leaves it out.
//
// Errors, with client_golang's words (ErrInvalidValue): no exemplar, a label name that is not
// UTF-8, empty or starting with __, a label value that is not UTF-8, more than ExemplarMaxRunes
// runes of labels, a timestamp outside the years 1 to 9999; and, where client_golang accepts it
// but the library could not expose it, a NaN value.
func NewMetricWithExemplars(m Metric, exemplars ...Exemplar) (Metric, error) {
	if len(exemplars) == 0 {
		return nil, goError(StatusInvalidValue, "no exemplar was passed for NewMetricWithExemplars")
	}
	now := time.Now()
	out := make([]*Exemplar, len(exemplars))
	for i, e := range exemplars {
		if e.Timestamp.IsZero() {
			e.Timestamp = now
		}
		if err := checkExemplar(e); err != nil {
			return nil, err
		}
		e.Labels = maps.Clone(e.Labels)
		out[i] = &e
	}
	return &withExemplarsMetric{Metric: m, exemplars: out}, nil
}

// MustNewMetricWithExemplars is NewMetricWithExemplars that panics on error.
func MustNewMetricWithExemplars(m Metric, exemplars ...Exemplar) Metric {
	return must(NewMetricWithExemplars(m, exemplars...))
}

func (m *withExemplarsMetric) Write(out *Point) error {
	if err := m.Metric.Write(out); err != nil {
		return err
	}
	switch {
	case out.Type == TypeCounter:
		out.Exemplar = m.exemplars[len(m.exemplars)-1]
	case out.Type == TypeHistogram && out.Histogram != nil:
		// A copy: the wrapped metric may share its point's slices with every Write.
		h := *out.Histogram
		if h.Native != nil && len(h.UpperBounds) == 0 {
			out.Histogram = &h
			return nil // native buckets only: nowhere to put them
		}
		h.UpperBounds = slices.Clip(h.UpperBounds)
		h.CumulativeCounts = slices.Clip(h.CumulativeCounts)
		h.Exemplars = slices.Clone(h.Exemplars)
		for _, e := range m.exemplars {
			n := min(len(h.UpperBounds), len(h.CumulativeCounts))
			i := sort.Search(n, func(i int) bool { return h.UpperBounds[i] >= e.Value })
			if i == n {
				// As client_golang: the +Inf bucket, added for the exemplar.
				h.UpperBounds = append(h.UpperBounds[:n:n], math.Inf(1))
				h.CumulativeCounts = append(h.CumulativeCounts[:n:n], h.Count)
			}
			if len(h.Exemplars) <= i {
				h.Exemplars = append(h.Exemplars, make([]*Exemplar, i+1-len(h.Exemplars))...)
			}
			h.Exemplars[i] = e
		}
		out.Histogram = &h
	default:
		return goError(StatusWrongKind, "cannot inject exemplar into Gauge, Summary or Untyped")
	}
	return nil
}
