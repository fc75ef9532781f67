package promemu

// Descriptors and the metrics a Go Collector sends, with client_golang's names: Desc, NewDesc,
// Metric, ValueType, NewConstMetric, NewConstHistogram, NewConstSummary (and their
// ...WithCreatedTimestamp forms), NewConstNativeHistogram, NewMetricWithTimestamp;
// NewMetricWithExemplars is in exemplars.go. They carry values only; the library checks
// names and builds the families when a registry collects them (see collector.go).

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Desc describes the series of one metric family a Collector sends, as client_golang's Desc: the
// fully-qualified name, help, constant labels and variable label names. NewDesc never fails: a
// problem is kept in the Desc and reported when the Desc is used (NewConstMetric, Register).
type Desc struct {
	fqName         string
	help           string
	constLabels    []LabelPair // sorted by name
	variableLabels []string
	err            error
}

// NewDesc is client_golang's NewDesc. The library validates the names when the metrics are
// collected; NewDesc checks what it can without it: a non-empty name, UTF-8, label names neither
// repeated nor reserved (__ prefix), const label names apart from the variable ones.
func NewDesc(fqName, help string, variableLabels []string, constLabels Labels) *Desc {
	d := &Desc{fqName: fqName, help: help, variableLabels: slices.Clone(variableLabels)}
	for _, name := range slices.Sorted(maps.Keys(constLabels)) {
		d.constLabels = append(d.constLabels, LabelPair{Name: name, Value: constLabels[name]})
	}
	d.err = d.check()
	return d
}

func (d *Desc) check() error {
	if d.fqName == "" {
		return goError(StatusInvalidName, "descriptor with an empty metric name")
	}
	if !utf8.ValidString(d.fqName) || !utf8.ValidString(d.help) {
		return goError(StatusUTF8, fmt.Sprintf("descriptor %s is not valid UTF-8", d))
	}
	seen := map[string]bool{}
	names := slices.Clone(d.variableLabels)
	for _, l := range d.constLabels {
		if !utf8.ValidString(l.Value) {
			return goError(StatusUTF8, fmt.Sprintf("label value %q of %s is not valid UTF-8", l.Value, d))
		}
		names = append(names, l.Name)
	}
	for _, name := range names {
		if name == "" || !utf8.ValidString(name) || strings.HasPrefix(name, "__") {
			return goError(StatusInvalidName, fmt.Sprintf("invalid label name %q in %s", name, d))
		}
		if seen[name] {
			return goError(StatusInvalidName, fmt.Sprintf("duplicate label names %q in %s", name, d))
		}
		seen[name] = true
	}
	return nil
}

// String writes the Desc as client_golang does: Desc{fqName: "x", help: "h", constLabels:
// {a="b"}, variableLabels: {c}}.
func (d *Desc) String() string {
	consts := make([]string, len(d.constLabels))
	for i, l := range d.constLabels {
		consts[i] = fmt.Sprintf("%s=%q", l.Name, l.Value)
	}
	return fmt.Sprintf("Desc{fqName: %q, help: %q, constLabels: {%s}, variableLabels: {%s}}",
		d.fqName, d.help, strings.Join(consts, ","), strings.Join(d.variableLabels, ","))
}

// Name is the fully-qualified name (client_golang keeps it unexported; the interop package
// needs it).
func (d *Desc) Name() string { return d.fqName }

// Help is the help text.
func (d *Desc) Help() string { return d.help }

// Err is the problem NewDesc found, nil when there is none.
func (d *Desc) Err() error { return d.err }

// labelsFor merges the const labels and the variable labels with these values, sorted by name
// as client_golang sorts a metric's labels.
func (d *Desc) labelsFor(values []string) ([]LabelPair, error) {
	if d.err != nil {
		return nil, d.err
	}
	if len(values) != len(d.variableLabels) {
		return nil, goError(StatusLabelCount, fmt.Sprintf("inconsistent label cardinality: expected %d label values but got %d in %#v",
			len(d.variableLabels), len(values), values))
	}
	labels := slices.Clone(d.constLabels)
	for i, name := range d.variableLabels {
		if !utf8.ValidString(values[i]) {
			return nil, goError(StatusUTF8, fmt.Sprintf("label value %q is not valid UTF-8", values[i]))
		}
		labels = append(labels, LabelPair{Name: name, Value: values[i]})
	}
	slices.SortFunc(labels, func(a, b LabelPair) int { return strings.Compare(a.Name, b.Name) })
	return labels, nil
}

// Metric is one series a Collector sends: its Desc, and Write, which fills a Point (client_golang's
// Write fills a dto.Metric; this package has no dependency on client_model). Go code may
// implement it; NewConstMetric and its siblings cover the usual cases.
type Metric interface {
	Desc() *Desc
	Write(*Point) error
}

// Point is the value of one series at one collection, as a Metric writes it.
type Point struct {
	// Type is TypeCounter, TypeGauge or TypeUnknown (Value), TypeHistogram (Histogram),
	// TypeSummary (Summary), TypeInfo (InfoLabels) or TypeStateSet (States).
	Type MetricType
	// Labels are the series' labels, const and variable, sorted by name.
	Labels []LabelPair
	Value  float64
	// Created is a counter's, histogram's or summary's creation time (its _created sample), the
	// zero time for none.
	Created time.Time
	// Exemplar is a counter's exemplar, nil for none (histograms keep theirs per bucket).
	Exemplar *Exemplar
	// Histogram is set for TypeHistogram.
	Histogram *HistogramPoint
	// Summary is set for TypeSummary.
	Summary *SummaryPoint
	// InfoLabels are the labels of an info (the series is exposed as <name>_info{...} 1).
	InfoLabels []LabelPair
	// States are the states of a state set and whether each is active.
	States []StatePoint
	// Timestamp is the zero time for none (the scrape's time).
	Timestamp time.Time
}

// HistogramPoint is a histogram's value: classic buckets, native buckets, or both.
type HistogramPoint struct {
	Count uint64
	Sum   float64
	// UpperBounds and CumulativeCounts are the classic buckets; the last bound is +Inf, its
	// count Count. Empty for a native-only histogram.
	UpperBounds      []float64
	CumulativeCounts []uint64
	// Exemplars are the classic buckets' exemplars, by the index of the bucket in UpperBounds:
	// nil entries, or a shorter slice, for buckets without one. The library keeps no exemplars
	// of native buckets.
	Exemplars []*Exemplar
	// Native is nil for a classic histogram.
	Native *NativeHistogramState
}

// SummaryPoint is a summary's value.
type SummaryPoint struct {
	Count     uint64
	Sum       float64
	Quantiles []float64
	Values    []float64
}

// StatePoint is one state of a state set.
type StatePoint struct {
	Name   string
	Active bool
}

// ValueType is the type of a const metric, as in client_golang.
type ValueType int

// The value types, with client_golang's names and values.
const (
	_ ValueType = iota
	CounterValue
	GaugeValue
	UntypedValue
)

func (v ValueType) metricType() (MetricType, error) {
	switch v {
	case CounterValue:
		return TypeCounter, nil
	case GaugeValue:
		return TypeGauge, nil
	case UntypedValue:
		return TypeUnknown, nil
	}
	return 0, goError(StatusInvalidValue, fmt.Sprintf("unknown value type %d", int(v)))
}

// constMetric is a Metric with a fixed point.
type constMetric struct {
	desc  *Desc
	point Point
}

func (m *constMetric) Desc() *Desc { return m.desc }

func (m *constMetric) Write(out *Point) error {
	*out = m.point
	return nil
}

// NewConstMetric is client_golang's NewConstMetric: a series of desc with a fixed value, for a
// Collector to send. Label values must match desc's variable labels in number
// (ErrLabelCount) and be UTF-8.
func NewConstMetric(desc *Desc, valueType ValueType, value float64, labelValues ...string) (Metric, error) {
	kind, err := valueType.metricType()
	if err != nil {
		return nil, err
	}
	labels, err := desc.labelsFor(labelValues)
	if err != nil {
		return nil, err
	}
	if kind == TypeCounter && (value < 0 || math.IsNaN(value)) {
		return nil, goError(StatusInvalidValue, fmt.Sprintf("counter %s has the value %v", desc.fqName, value))
	}
	return &constMetric{desc: desc, point: Point{Type: kind, Labels: labels, Value: value}}, nil
}

// MustNewConstMetric is NewConstMetric that panics on error.
func MustNewConstMetric(desc *Desc, valueType ValueType, value float64, labelValues ...string) Metric {
	return must(NewConstMetric(desc, valueType, value, labelValues...))
}

// NewConstMetricWithCreatedTimestamp is client_golang's NewConstMetricWithCreatedTimestamp:
// NewConstMetric for a counter created at ct (its _created sample; the zero time gives none).
// Other value types are refused (ErrWrongKind), as client_golang refuses them.
func NewConstMetricWithCreatedTimestamp(desc *Desc, valueType ValueType, value float64, ct time.Time, labelValues ...string) (Metric, error) {
	if _, err := desc.labelsFor(labelValues); err != nil {
		return nil, err
	}
	if valueType != CounterValue {
		return nil, goError(StatusWrongKind, "created timestamps are only supported for counters")
	}
	return withCreated(NewConstMetric(desc, valueType, value, labelValues...))(ct)
}

// MustNewConstMetricWithCreatedTimestamp is NewConstMetricWithCreatedTimestamp that panics on
// error.
func MustNewConstMetricWithCreatedTimestamp(desc *Desc, valueType ValueType, value float64, ct time.Time, labelValues ...string) Metric {
	return must(NewConstMetricWithCreatedTimestamp(desc, valueType, value, ct, labelValues...))
}

// withCreated sets the creation time of a const metric just made (or passes its error on).
func withCreated(m Metric, err error) func(time.Time) (Metric, error) {
	return func(ct time.Time) (Metric, error) {
		if err != nil {
			return nil, err
		}
		m.(*constMetric).point.Created = ct
		return m, nil
	}
}

// NewConstHistogram is client_golang's NewConstHistogram: buckets maps each upper bound to the
// cumulative count of observations at or below it; +Inf is added (with count) when missing.
func NewConstHistogram(desc *Desc, count uint64, sum float64, buckets map[float64]uint64, labelValues ...string) (Metric, error) {
	labels, err := desc.labelsFor(labelValues)
	if err != nil {
		return nil, err
	}
	h := &HistogramPoint{Count: count, Sum: sum}
	h.UpperBounds, h.CumulativeCounts = classicBuckets(buckets, count)
	return &constMetric{desc: desc, point: Point{Type: TypeHistogram, Labels: labels, Histogram: h}}, nil
}

// MustNewConstHistogram is NewConstHistogram that panics on error.
func MustNewConstHistogram(desc *Desc, count uint64, sum float64, buckets map[float64]uint64, labelValues ...string) Metric {
	return must(NewConstHistogram(desc, count, sum, buckets, labelValues...))
}

// NewConstHistogramWithCreatedTimestamp is client_golang's
// NewConstHistogramWithCreatedTimestamp: NewConstHistogram created at ct (its _created sample;
// the zero time gives none).
func NewConstHistogramWithCreatedTimestamp(desc *Desc, count uint64, sum float64, buckets map[float64]uint64, ct time.Time, labelValues ...string) (Metric, error) {
	return withCreated(NewConstHistogram(desc, count, sum, buckets, labelValues...))(ct)
}

// MustNewConstHistogramWithCreatedTimestamp is NewConstHistogramWithCreatedTimestamp that panics
// on error.
func MustNewConstHistogramWithCreatedTimestamp(desc *Desc, count uint64, sum float64, buckets map[float64]uint64, ct time.Time, labelValues ...string) Metric {
	return must(NewConstHistogramWithCreatedTimestamp(desc, count, sum, buckets, ct, labelValues...))
}

func classicBuckets(buckets map[float64]uint64, count uint64) ([]float64, []uint64) {
	bounds := slices.Sorted(maps.Keys(buckets))
	counts := make([]uint64, len(bounds), len(bounds)+1)
	for i, b := range bounds {
		counts[i] = buckets[b]
	}
	if len(bounds) == 0 || !math.IsInf(bounds[len(bounds)-1], 1) {
		bounds = append(bounds, math.Inf(1))
		counts = append(counts, count)
	}
	return bounds, counts
}

// NewConstNativeHistogram is client_golang's NewConstNativeHistogram: native buckets by key (not
// cumulative), the zero bucket, the schema and zero threshold, and the creation time (the zero
// time gives none).
func NewConstNativeHistogram(desc *Desc, count uint64, sum float64, positiveBuckets, negativeBuckets map[int]int64,
	zeroBucket uint64, schema int32, zeroThreshold float64, createdTimestamp time.Time, labelValues ...string) (Metric, error) {
	labels, err := desc.labelsFor(labelValues)
	if err != nil {
		return nil, err
	}
	native := &NativeHistogramState{Schema: schema, ZeroThreshold: zeroThreshold, ZeroCount: zeroBucket}
	if native.Positive, err = nativeBuckets(positiveBuckets); err != nil {
		return nil, err
	}
	if native.Negative, err = nativeBuckets(negativeBuckets); err != nil {
		return nil, err
	}
	h := &HistogramPoint{Count: count, Sum: sum, Native: native}
	return &constMetric{desc: desc, point: Point{Type: TypeHistogram, Labels: labels, Histogram: h, Created: createdTimestamp}}, nil
}

// MustNewConstNativeHistogram is NewConstNativeHistogram that panics on error.
func MustNewConstNativeHistogram(desc *Desc, count uint64, sum float64, positiveBuckets, negativeBuckets map[int]int64,
	zeroBucket uint64, schema int32, zeroThreshold float64, createdTimestamp time.Time, labelValues ...string) Metric {
	return must(NewConstNativeHistogram(desc, count, sum, positiveBuckets, negativeBuckets, zeroBucket, schema, zeroThreshold, createdTimestamp, labelValues...))
}

func nativeBuckets(buckets map[int]int64) (NativeBuckets, error) {
	var out NativeBuckets
	for _, key := range slices.Sorted(maps.Keys(buckets)) {
		if buckets[key] < 0 {
			return NativeBuckets{}, goError(StatusInvalidValue, fmt.Sprintf("native bucket %d has the count %d", key, buckets[key]))
		}
		if buckets[key] == 0 {
			continue
		}
		out.Keys = append(out.Keys, int32(key))
		out.Counts = append(out.Counts, uint64(buckets[key]))
	}
	return out, nil
}

// NewConstSummary is client_golang's NewConstSummary: quantiles maps each quantile (in [0, 1]) to
// its value.
func NewConstSummary(desc *Desc, count uint64, sum float64, quantiles map[float64]float64, labelValues ...string) (Metric, error) {
	labels, err := desc.labelsFor(labelValues)
	if err != nil {
		return nil, err
	}
	s := &SummaryPoint{Count: count, Sum: sum, Quantiles: slices.Sorted(maps.Keys(quantiles))}
	for _, q := range s.Quantiles {
		s.Values = append(s.Values, quantiles[q])
	}
	return &constMetric{desc: desc, point: Point{Type: TypeSummary, Labels: labels, Summary: s}}, nil
}

// MustNewConstSummary is NewConstSummary that panics on error.
func MustNewConstSummary(desc *Desc, count uint64, sum float64, quantiles map[float64]float64, labelValues ...string) Metric {
	return must(NewConstSummary(desc, count, sum, quantiles, labelValues...))
}

// NewConstSummaryWithCreatedTimestamp is client_golang's NewConstSummaryWithCreatedTimestamp:
// NewConstSummary created at ct (its _created sample; the zero time gives none).
func NewConstSummaryWithCreatedTimestamp(desc *Desc, count uint64, sum float64, quantiles map[float64]float64, ct time.Time, labelValues ...string) (Metric, error) {
	return withCreated(NewConstSummary(desc, count, sum, quantiles, labelValues...))(ct)
}

// MustNewConstSummaryWithCreatedTimestamp is NewConstSummaryWithCreatedTimestamp that panics on
// error.
func MustNewConstSummaryWithCreatedTimestamp(desc *Desc, count uint64, sum float64, quantiles map[float64]float64, ct time.Time, labelValues ...string) Metric {
	return must(NewConstSummaryWithCreatedTimestamp(desc, count, sum, quantiles, ct, labelValues...))
}

// timestampedMetric is NewMetricWithTimestamp's wrapper.
type timestampedMetric struct {
	Metric
	t time.Time
}

func (m timestampedMetric) Write(out *Point) error {
	if err := m.Metric.Write(out); err != nil {
		return err
	}
	out.Timestamp = m.t
	return nil
}

// NewMetricWithTimestamp is client_golang's NewMetricWithTimestamp: m exposed with timestamp t.
func NewMetricWithTimestamp(t time.Time, m Metric) Metric {
	return timestampedMetric{Metric: m, t: t}
}
