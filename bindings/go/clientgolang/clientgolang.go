// Package clientgolang joins promemu and client_golang (github.com/prometheus/client_golang) in
// one program, both ways, so that one /metrics serves both:
//
//   - NewGatherer makes a promemu registry a prometheus.Gatherer: promhttp.HandlerFor,
//     testutil.GatherAndCompare, push.Pusher.Gatherer and prometheus.Gatherers take it. Its
//     families are exact client_model (dto) families: the library renders its registry as
//     delimited protobuf (io.prometheus.client.MetricFamily) and expfmt decodes it, so every type,
//     exemplar, created timestamp and native histogram is there as the library exposes it.
//   - NewCollector makes a prometheus.Gatherer (prometheus.DefaultGatherer with client_golang's
//     Go and process collectors, or any *prometheus.Registry) a promemu Collector, so that the
//     library's Handler, exporter (StartServer) and Pusher serve its families next to the
//     library's own. Register checks first, with client_golang's own messages, that the two
//     expose no name twice.
//
// The main package keeps no dependency on client_golang; this one is where it lives.
package clientgolang

import (
	"bytes"
	"errors"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/prometheus-emulator/promemu"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// protobuf is the format the library renders for Gather: delimited MetricFamily messages with
// names as they are (UTF-8 validation, as the library made them).
var protobuf = expfmt.NewFormat(expfmt.TypeProtoDelim).WithEscapingScheme(model.NoEscaping)

// Gatherer is a promemu registry seen from client_golang (NewGatherer): a prometheus.Gatherer,
// and a prometheus.Collector too, so that it can be registered in a client_golang registry
// (prometheus.MustRegister(clientgolang.NewGatherer(nil))) or linted with testutil.
type Gatherer struct{ registry *promemu.Registry }

// NewGatherer returns a prometheus.Gatherer over r (nil: promemu.DefaultRegistry). Each Gather
// collects r through the library (pe_registry_expose in protobuf, unescaped) and decodes the
// families with expfmt: families sorted by name, metrics in the library's order (client_golang's
// by default).
func NewGatherer(r *promemu.Registry) *Gatherer {
	if r == nil {
		r = promemu.DefaultRegistry
	}
	return &Gatherer{r}
}

// Describe sends nothing: as a prometheus.Collector the registry is unchecked, its families
// being known only once collected.
func (g *Gatherer) Describe(chan<- *prometheus.Desc) {}

// Collect gathers the registry and sends every metric as a prometheus.Metric writing the dto
// metric the library exposed.
func (g *Gatherer) Collect(ch chan<- prometheus.Metric) {
	families, err := g.Gather()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(prometheus.NewInvalidDesc(err), err)
	}
	for _, family := range families {
		for _, m := range family.GetMetric() {
			names := make([]string, len(m.GetLabel()))
			for i, l := range m.GetLabel() {
				names[i] = l.GetName()
			}
			desc := prometheus.NewDesc(family.GetName(), family.GetHelp(), names, nil)
			ch <- dtoMetric{desc: desc, metric: m}
		}
	}
}

// dtoMetric is a gathered dto metric as a prometheus.Metric.
type dtoMetric struct {
	desc   *prometheus.Desc
	metric *dto.Metric
}

func (m dtoMetric) Desc() *prometheus.Desc { return m.desc }

func (m dtoMetric) Write(out *dto.Metric) error {
	proto.Reset(out)
	proto.Merge(out, m.metric)
	return nil
}

// Gather collects the registry as dto families (prometheus.Gatherer).
func (g *Gatherer) Gather() ([]*dto.MetricFamily, error) {
	body, err := g.registry.ExposeEscaped(promemu.FormatProtobuf, promemu.NoEscaping)
	if err != nil {
		return nil, err
	}
	decoder := expfmt.NewDecoder(bytes.NewReader(body), protobuf)
	var families []*dto.MetricFamily
	for {
		family := &dto.MetricFamily{}
		if err := decoder.Decode(family); err != nil {
			if errors.Is(err, io.EOF) {
				return families, nil
			}
			return families, err
		}
		families = append(families, family)
	}
}

// Collector is a prometheus.Gatherer as a promemu.Collector (NewCollector).
type Collector struct {
	gatherer prometheus.Gatherer
}

// NewCollector returns a promemu.Collector whose Collect gathers g and sends its families as
// promemu metrics: counters, gauges, untyped, summaries and histograms (classic and native
// buckets; a gauge histogram becomes a histogram), with their labels, help, timestamps, created
// timestamps and the exemplars of counters and classic buckets. What the library cannot carry is
// left out: float histograms, the exemplars of native buckets (dto.Histogram.Exemplars), and an
// exemplar the library refuses (a NaN value, labels over 128 runes). A Gather error keeps the
// families it returned.
//
// It describes nothing (an unchecked collector, as client_golang calls it), since g's families
// may change from one collection to the next: use Register to check the names once against the
// registry's. A name exposed twice later is merged by the library when the types agree, and the
// later family dropped when they do not.
func NewCollector(g prometheus.Gatherer) *Collector {
	return &Collector{gatherer: g}
}

// Describe sends nothing: see NewCollector.
func (c *Collector) Describe(chan<- *promemu.Desc) {}

// Collect gathers the client_golang side and sends its metrics.
func (c *Collector) Collect(ch chan<- promemu.Metric) {
	families, _ := c.gatherer.Gather()
	for _, family := range families {
		for _, m := range family.GetMetric() {
			if metric, ok := convert(family, m); ok {
				ch <- metric
			}
		}
	}
}

// Register registers NewCollector(g) in r (nil: promemu.DefaultRegistry) after checking both
// sides together as client_golang's prometheus.Gatherers does: a name both expose is refused with
// its error ("gathered metric family process_cpu_seconds_total has help ... but should have
// ...", "collected metric ... was collected before with the same name and label values"). It
// returns the collector, for Unregister.
func Register(r *promemu.Registry, g prometheus.Gatherer) (*Collector, error) {
	if r == nil {
		r = promemu.DefaultRegistry
	}
	if _, err := (prometheus.Gatherers{NewGatherer(r), g}).Gather(); err != nil {
		return nil, err
	}
	c := NewCollector(g)
	if err := r.Register(c); err != nil {
		return nil, err
	}
	return c, nil
}

// MustRegister is Register that panics on error.
func MustRegister(r *promemu.Registry, g prometheus.Gatherer) *Collector {
	c, err := Register(r, g)
	if err != nil {
		panic(err)
	}
	return c
}

// metric is a dto metric as a promemu.Metric: the point is computed once, at conversion.
type metric struct {
	desc  *promemu.Desc
	point promemu.Point
}

func (m *metric) Desc() *promemu.Desc { return m.desc }

func (m *metric) Write(out *promemu.Point) error {
	*out = m.point
	return nil
}

func convert(family *dto.MetricFamily, m *dto.Metric) (promemu.Metric, bool) {
	labels := make([]promemu.LabelPair, 0, len(m.GetLabel()))
	names := make([]string, 0, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		labels = append(labels, promemu.LabelPair{Name: l.GetName(), Value: l.GetValue()})
		names = append(names, l.GetName())
	}
	slices.SortFunc(labels, func(a, b promemu.LabelPair) int { return strings.Compare(a.Name, b.Name) })
	p := promemu.Point{Labels: labels}
	if m.TimestampMs != nil {
		p.Timestamp = time.UnixMilli(m.GetTimestampMs())
	}
	switch family.GetType() {
	case dto.MetricType_COUNTER:
		c := m.GetCounter()
		p.Type, p.Value = promemu.TypeCounter, c.GetValue()
		p.Created = created(c.GetCreatedTimestamp())
		p.Exemplar = exemplar(c.GetExemplar())
	case dto.MetricType_GAUGE:
		p.Type, p.Value = promemu.TypeGauge, m.GetGauge().GetValue()
	case dto.MetricType_UNTYPED:
		p.Type, p.Value = promemu.TypeUnknown, m.GetUntyped().GetValue()
	case dto.MetricType_SUMMARY:
		s := m.GetSummary()
		p.Type = promemu.TypeSummary
		p.Summary = &promemu.SummaryPoint{Count: s.GetSampleCount(), Sum: s.GetSampleSum()}
		p.Created = created(s.GetCreatedTimestamp())
		for _, q := range s.GetQuantile() {
			p.Summary.Quantiles = append(p.Summary.Quantiles, q.GetQuantile())
			p.Summary.Values = append(p.Summary.Values, q.GetValue())
		}
	case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
		h := m.GetHistogram()
		if h.GetSampleCountFloat() > 0 && h.GetSampleCount() == 0 {
			return nil, false // a float histogram: the library keeps integer counts
		}
		p.Type = promemu.TypeHistogram
		p.Histogram = &promemu.HistogramPoint{Count: h.GetSampleCount(), Sum: h.GetSampleSum()}
		p.Created = created(h.GetCreatedTimestamp())
		for i, b := range h.GetBucket() {
			p.Histogram.UpperBounds = append(p.Histogram.UpperBounds, b.GetUpperBound())
			p.Histogram.CumulativeCounts = append(p.Histogram.CumulativeCounts, b.GetCumulativeCount())
			if e := exemplar(b.GetExemplar()); e != nil {
				p.Histogram.Exemplars = append(p.Histogram.Exemplars, make([]*promemu.Exemplar, i+1-len(p.Histogram.Exemplars))...)
				p.Histogram.Exemplars[i] = e
			}
		}
		if n := len(p.Histogram.UpperBounds); n > 0 && !math.IsInf(p.Histogram.UpperBounds[n-1], 1) {
			p.Histogram.UpperBounds = append(p.Histogram.UpperBounds, math.Inf(1))
			p.Histogram.CumulativeCounts = append(p.Histogram.CumulativeCounts, h.GetSampleCount())
		}
		if h.Schema != nil {
			p.Histogram.Native = &promemu.NativeHistogramState{
				Schema:        h.GetSchema(),
				ZeroThreshold: h.GetZeroThreshold(),
				ZeroCount:     h.GetZeroCount(),
				Positive:      nativeBuckets(h.GetPositiveSpan(), h.GetPositiveDelta()),
				Negative:      nativeBuckets(h.GetNegativeSpan(), h.GetNegativeDelta()),
			}
		} else if len(p.Histogram.UpperBounds) == 0 {
			p.Histogram.UpperBounds, p.Histogram.CumulativeCounts = []float64{math.Inf(1)}, []uint64{h.GetSampleCount()}
		}
	default:
		return nil, false
	}
	return &metric{desc: promemu.NewDesc(family.GetName(), family.GetHelp(), names, nil), point: p}, true
}

// created is a dto creation time as a Point's (the zero time for none).
func created(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}

// exemplar is a dto exemplar as promemu's, nil for none.
func exemplar(e *dto.Exemplar) *promemu.Exemplar {
	if e == nil {
		return nil
	}
	out := &promemu.Exemplar{Value: e.GetValue(), Timestamp: created(e.GetTimestamp())}
	if len(e.GetLabel()) > 0 {
		out.Labels = make(promemu.Labels, len(e.GetLabel()))
		for _, l := range e.GetLabel() {
			out.Labels[l.GetName()] = l.GetValue()
		}
	}
	return out
}

// nativeBuckets decodes protobuf's spans (offsets between runs of keys) and deltas (each count
// relative to the previous one) into keys and counts, leaving out empty buckets.
func nativeBuckets(spans []*dto.BucketSpan, deltas []int64) promemu.NativeBuckets {
	var out promemu.NativeBuckets
	var key int32
	var count int64
	i := 0
	for _, span := range spans {
		key += span.GetOffset()
		for range span.GetLength() {
			if i >= len(deltas) {
				return out
			}
			count += deltas[i]
			i++
			if count > 0 {
				out.Keys = append(out.Keys, key)
				out.Counts = append(out.Counts, uint64(count))
			}
			key++
		}
	}
	return out
}
