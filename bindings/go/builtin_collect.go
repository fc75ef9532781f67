package promemu

// Describe and Collect for the metrics of this package, so that they are Collectors in
// client_golang's sense: a Go collector may send them from its Collect, and testutil reads them.
// The library collects the metric (in a registry of its own, for the call), and its snapshot is
// read back into points: no metric logic here. Registering one of these metrics does not go
// through Collect: the library holds the family itself.
//
// What a snapshot cannot give back: native buckets (a histogram's points are classic), and which
// labels of an info are its info labels (all are). Creation times (the _created samples) and the
// exemplars of counters and classic buckets come back. The child of a
// vec cannot be collected on its own: its Collect sends its value (counter, gauge) without name
// or labels, enough for testutil.ToFloat64; send the vec from a Collector, not its children.

// #include "zwrap.h"
import "C"

import (
	"errors"
	"math"
	"runtime"
	"strconv"
	"strings"
)

// collectFamilies collects m through a registry of the call's own.
func collectFamilies(m registrable) ([]MetricFamily, error) {
	var h *C.struct_pe_registry
	if err := pe_registry_new(&h); err != nil {
		return nil, err
	}
	defer C.pe_registry_free(h)
	if err := m.registerIn(h); err != nil {
		return nil, err
	}
	defer m.unregisterFrom(h)
	r := &Registry{h: h}
	return r.gather(nil)
}

func describeBuiltin(m registrable, ch chan<- *Desc) {
	families, err := collectFamilies(m)
	runtime.KeepAlive(m)
	if err != nil {
		return
	}
	for _, f := range families {
		ch <- familyDesc(f)
	}
}

// collectBuiltin sends the points of m; value, when not nil, gives the value of a vec's child.
func collectBuiltin(m registrable, ch chan<- Metric, kind MetricType, value func() float64) {
	families, err := collectFamilies(m)
	runtime.KeepAlive(m)
	if errors.Is(err, ErrWrongKind) && value != nil {
		ch <- &constMetric{desc: &Desc{}, point: Point{Type: kind, Value: value()}}
		return
	}
	if err != nil {
		return
	}
	for _, f := range families {
		desc := familyDesc(f)
		for _, p := range familyPoints(f) {
			ch <- &constMetric{desc: desc, point: p}
		}
	}
}

// familyDesc is the descriptor of a collected family: client_golang's name (a counter's with
// _total), its help, and the variable labels of its first series.
func familyDesc(f MetricFamily) *Desc {
	name := f.Name
	if f.Type == TypeCounter {
		name += "_total"
	}
	d := &Desc{fqName: name, help: f.Help}
	if points := familyPoints(f); len(points) > 0 {
		for _, l := range points[0].Labels {
			d.variableLabels = append(d.variableLabels, l.Name)
		}
	}
	return d
}

// familyPoints turns the flattened samples of a family back into one point per series.
func familyPoints(f MetricFamily) []Point {
	var points []Point
	index := map[string]int{}
	series := func(labels []LabelPair, s Sample) *Point {
		key := labelKey(labels)
		i, ok := index[key]
		if !ok {
			i = len(points)
			index[key] = i
			p := Point{Type: f.Type, Labels: labels, Timestamp: s.Timestamp}
			switch f.Type {
			case TypeHistogram:
				p.Histogram = &HistogramPoint{}
			case TypeSummary:
				p.Summary = &SummaryPoint{}
			}
			points = append(points, p)
		}
		return &points[i]
	}
	for _, s := range f.Samples {
		suffix := strings.TrimPrefix(s.Name, f.Name)
		switch f.Type {
		case TypeCounter:
			switch suffix {
			case "_total":
				p := series(s.Labels, s)
				p.Value, p.Exemplar = s.Value, s.Exemplar
			case "_created":
				series(s.Labels, s).Created = fromUnixSeconds(s.Value)
			}
		case TypeGauge, TypeUnknown:
			series(s.Labels, s).Value = s.Value
		case TypeHistogram:
			labels, le := without(s.Labels, "le")
			point := series(labels, s)
			p := point.Histogram
			switch suffix {
			case "_bucket":
				bound, _ := strconv.ParseFloat(le, 64)
				if s.Exemplar != nil {
					p.Exemplars = append(p.Exemplars, make([]*Exemplar, len(p.UpperBounds)+1-len(p.Exemplars))...)
					p.Exemplars[len(p.UpperBounds)] = s.Exemplar
				}
				p.UpperBounds = append(p.UpperBounds, bound)
				p.CumulativeCounts = append(p.CumulativeCounts, uint64(s.Value))
			case "_created":
				point.Created = fromUnixSeconds(s.Value)
			case "_count":
				p.Count = uint64(s.Value)
			case "_sum":
				p.Sum = s.Value
			}
		case TypeSummary:
			labels, q := without(s.Labels, "quantile")
			point := series(labels, s)
			p := point.Summary
			switch suffix {
			case "_created":
				point.Created = fromUnixSeconds(s.Value)
			case "":
				quantile, _ := strconv.ParseFloat(q, 64)
				p.Quantiles = append(p.Quantiles, quantile)
				p.Values = append(p.Values, s.Value)
			case "_count":
				p.Count = uint64(s.Value)
			case "_sum":
				p.Sum = s.Value
			}
		case TypeInfo:
			p := series(nil, s)
			p.InfoLabels = s.Labels
		case TypeStateSet:
			labels, state := without(s.Labels, f.Name)
			p := series(labels, s)
			p.States = append(p.States, StatePoint{Name: state, Active: s.Value != 0})
		}
	}
	for i := range points {
		if h := points[i].Histogram; h != nil && len(h.UpperBounds) == 0 {
			// Native only: the classic part is one +Inf bucket.
			h.UpperBounds, h.CumulativeCounts = []float64{math.Inf(1)}, []uint64{h.Count}
		}
	}
	return points
}

// without is labels without the named one, and that label's value.
func without(labels []LabelPair, name string) ([]LabelPair, string) {
	for i, l := range labels {
		if l.Name == name {
			rest := make([]LabelPair, 0, len(labels)-1)
			rest = append(append(rest, labels[:i]...), labels[i+1:]...)
			return rest, l.Value
		}
	}
	return labels, ""
}

func labelKey(labels []LabelPair) string {
	var b strings.Builder
	for _, l := range labels {
		b.WriteString(l.Name)
		b.WriteByte(0)
		b.WriteString(l.Value)
		b.WriteByte(0)
	}
	return b.String()
}

// Describe sends the counter's descriptor (Collector).
func (c *Counter) Describe(ch chan<- *Desc) { describeBuiltin(c, ch) }

// Collect sends the counter's series (Collector); a vec's child sends its value only.
func (c *Counter) Collect(ch chan<- Metric) { collectBuiltin(c, ch, TypeCounter, c.Get) }

// Describe sends the family's descriptor (Collector).
func (v *CounterVec) Describe(ch chan<- *Desc) { describeBuiltin(v, ch) }

// Collect sends one metric per child (Collector).
func (v *CounterVec) Collect(ch chan<- Metric) { collectBuiltin(v, ch, TypeCounter, nil) }

// Describe sends the gauge's descriptor (Collector).
func (g *Gauge) Describe(ch chan<- *Desc) { describeBuiltin(g, ch) }

// Collect sends the gauge's series (Collector); a vec's child sends its value only.
func (g *Gauge) Collect(ch chan<- Metric) { collectBuiltin(g, ch, TypeGauge, g.Get) }

// Describe sends the family's descriptor (Collector).
func (v *GaugeVec) Describe(ch chan<- *Desc) { describeBuiltin(v, ch) }

// Collect sends one metric per child (Collector).
func (v *GaugeVec) Collect(ch chan<- Metric) { collectBuiltin(v, ch, TypeGauge, nil) }

// Describe sends the histogram's descriptor (Collector).
func (x *Histogram) Describe(ch chan<- *Desc) { describeBuiltin(x, ch) }

// Collect sends the histogram's series, classic buckets only (Collector).
func (x *Histogram) Collect(ch chan<- Metric) { collectBuiltin(x, ch, TypeHistogram, nil) }

// Describe sends the family's descriptor (Collector).
func (v *HistogramVec) Describe(ch chan<- *Desc) { describeBuiltin(v, ch) }

// Collect sends one metric per child, classic buckets only (Collector).
func (v *HistogramVec) Collect(ch chan<- Metric) { collectBuiltin(v, ch, TypeHistogram, nil) }

// Describe sends the summary's descriptor (Collector).
func (s *Summary) Describe(ch chan<- *Desc) { describeBuiltin(s, ch) }

// Collect sends the summary's series (Collector).
func (s *Summary) Collect(ch chan<- Metric) { collectBuiltin(s, ch, TypeSummary, nil) }

// Describe sends the family's descriptor (Collector).
func (v *SummaryVec) Describe(ch chan<- *Desc) { describeBuiltin(v, ch) }

// Collect sends one metric per child (Collector).
func (v *SummaryVec) Collect(ch chan<- Metric) { collectBuiltin(v, ch, TypeSummary, nil) }

// Describe sends the info's descriptor (Collector).
func (i *Info) Describe(ch chan<- *Desc) { describeBuiltin(i, ch) }

// Collect sends the info's series (Collector).
func (i *Info) Collect(ch chan<- Metric) { collectBuiltin(i, ch, TypeInfo, nil) }

// Describe sends the family's descriptor (Collector).
func (v *InfoVec) Describe(ch chan<- *Desc) { describeBuiltin(v, ch) }

// Collect sends one metric per child (Collector).
func (v *InfoVec) Collect(ch chan<- Metric) { collectBuiltin(v, ch, TypeInfo, nil) }

// Describe sends the enum's descriptor (Collector).
func (e *Enum) Describe(ch chan<- *Desc) { describeBuiltin(e, ch) }

// Collect sends the enum's series (Collector).
func (e *Enum) Collect(ch chan<- Metric) { collectBuiltin(e, ch, TypeStateSet, nil) }

// Describe sends the family's descriptor (Collector).
func (v *EnumVec) Describe(ch chan<- *Desc) { describeBuiltin(v, ch) }

// Collect sends one metric per child (Collector).
func (v *EnumVec) Collect(ch chan<- Metric) { collectBuiltin(v, ch, TypeStateSet, nil) }

// Describe sends the metric's descriptor (Collector).
func (m *callbackMetric) Describe(ch chan<- *Desc) { describeBuiltin(m, ch) }

// Collect sends the metric's value, computed now (Collector).
func (m *callbackMetric) Collect(ch chan<- Metric) { collectBuiltin(m, ch, TypeGauge, nil) }
