package promemu

// #include "zwrap.h"
import "C"

import (
	"runtime"
	"time"
	"unsafe"
)

// MetricType is the type of a metric family.
type MetricType int

// The family types.
const (
	TypeCounter   MetricType = C.PE_METRIC_COUNTER
	TypeGauge     MetricType = C.PE_METRIC_GAUGE
	TypeHistogram MetricType = C.PE_METRIC_HISTOGRAM
	TypeSummary   MetricType = C.PE_METRIC_SUMMARY
	TypeInfo      MetricType = C.PE_METRIC_INFO
	TypeStateSet  MetricType = C.PE_METRIC_STATESET // an Enum
	TypeUnknown   MetricType = C.PE_METRIC_UNKNOWN
)

func (t MetricType) String() string {
	switch t {
	case TypeCounter:
		return "counter"
	case TypeGauge:
		return "gauge"
	case TypeHistogram:
		return "histogram"
	case TypeSummary:
		return "summary"
	case TypeInfo:
		return "info"
	case TypeStateSet:
		return "stateset"
	case TypeUnknown:
		return "unknown"
	}
	return "MetricType(" + itoa(int(t)) + ")"
}

// MetricFamily is one family of a collection, flattened into the samples OpenMetrics shows.
type MetricFamily struct {
	// Name is the family name: a counter's without _total, an info's without _info.
	Name string
	Help string
	// Unit is "" when the family has none.
	Unit    string
	Type    MetricType
	Samples []Sample
}

// Sample is one line of the exposition: x_total, x_created, x_bucket with le, x_count...
type Sample struct {
	Name string
	// Labels are the series' labels, then the ones the sample adds (le, quantile, the state
	// label, info labels), in exposition order.
	Labels []LabelPair
	Value  float64
	// Timestamp is the zero time when the sample has none (only custom collectors set one).
	Timestamp time.Time
	// Exemplar is nil when the sample has none.
	Exemplar *Exemplar
}

// LabelPair is a label name and its value.
type LabelPair struct {
	Name, Value string
}

// Exemplar is client_golang's Exemplar: an example observation attached to a counter or a
// histogram bucket, as Gather reads it back (Sample.Exemplar), as a Point carries it, and as
// NewMetricWithExemplars takes it.
type Exemplar struct {
	Value  float64
	Labels Labels
	// Timestamp is the zero time for none (NewMetricWithExemplars takes it as the time of the
	// call, as client_golang does).
	Timestamp time.Time
}

// Label returns the value of the named label, "" when the sample has no such label.
func (s Sample) Label(name string) string {
	for _, l := range s.Labels {
		if l.Name == name {
			return l.Value
		}
	}
	return ""
}

// Gather collects every collector of the registry into a structured snapshot: families sorted by
// name. It is built from the library's snapshot (pe_registry_snapshot), not by parsing text. The
// strings of one Gather are slices of one copy of the snapshot's text, so a string kept from it
// keeps that copy alive.
func (r *Registry) Gather() ([]MetricFamily, error) {
	return r.gather(nil)
}

// GatherFiltered is Gather keeping only the families that one of names selects (see
// WriteTextFiltered).
func (r *Registry) GatherFiltered(names []string) ([]MetricFamily, error) {
	if names == nil {
		names = []string{}
	}
	return r.gather(names)
}

func (r *Registry) gather(names []string) ([]MetricFamily, error) {
	if r.h == nil {
		return nil, ErrClosed
	}
	var snapshot *C.struct_pe_snapshot
	var err error
	if names == nil {
		err = pe_registry_snapshot(r.h, &snapshot)
	} else {
		c := newCStrings(names)
		err = pe_registry_snapshot_filtered(r.h, c.ptr(), c.len(), &snapshot)
		c.free()
	}
	runtime.KeepAlive(r)
	if err != nil {
		return nil, err
	}
	defer C.pe_snapshot_free(snapshot)
	return readSnapshot(snapshot)
}

// readSnapshot copies a snapshot into Go values: one cgo call lends its arrays
// (pe_snapshot_families), another the buffer holding all its strings (pe_snapshot_strings). The
// text is copied once; every string is a slice of that copy. The rest is reading C memory, with
// one allocation each for the families, the samples and the labels.
func readSnapshot(snapshot *C.struct_pe_snapshot) ([]MetricFamily, error) {
	var cFamilies *C.struct_pe_snapshot_family
	var nFamilies, nText C.size_t
	var cText *C.char
	if err := pe_snapshot_families(snapshot, &cFamilies, &nFamilies); err != nil {
		return nil, err
	}
	if err := pe_snapshot_strings(snapshot, &cText, &nText); err != nil {
		return nil, err
	}
	text := string(cSlice((*byte)(unsafe.Pointer(cText)), nText))
	base := uintptr(unsafe.Pointer(cText))
	str := func(p *C.char, n C.size_t) string {
		start := uintptr(unsafe.Pointer(p)) - base
		return text[start : start+uintptr(n)]
	}
	pairs := func(out []LabelPair, labels *C.struct_pe_snapshot_label, n C.size_t) {
		for i, l := range cSlice(labels, n) {
			out[i] = LabelPair{Name: str(l.name, l.name_len), Value: str(l.value, l.value_len)}
		}
	}

	cFamilySlice := cSlice(cFamilies, nFamilies)
	nSamples, nLabels := 0, 0
	for f := range cFamilySlice {
		cSamples := cSlice(cFamilySlice[f].samples, cFamilySlice[f].n_samples)
		nSamples += len(cSamples)
		for s := range cSamples {
			nLabels += int(cSamples[s].n_labels)
		}
	}
	families := make([]MetricFamily, len(cFamilySlice))
	samples := make([]Sample, nSamples)
	labels := make([]LabelPair, nLabels)
	for f := range cFamilySlice {
		c := &cFamilySlice[f]
		cSamples := cSlice(c.samples, c.n_samples)
		n := len(cSamples)
		families[f] = MetricFamily{
			Name: str(c.name, c.name_len), Help: str(c.help, c.help_len), Unit: str(c.unit, c.unit_len),
			Type: MetricType(c.kind), Samples: samples[:n:n],
		}
		for i := range cSamples {
			c := &cSamples[i]
			s := &samples[i]
			s.Name, s.Value = str(c.name, c.name_len), float64(c.value)
			n := int(c.n_labels)
			s.Labels, labels = labels[:n:n], labels[n:]
			pairs(s.Labels, c.labels, c.n_labels)
			if c.has_timestamp {
				s.Timestamp = fromUnixSeconds(float64(c.timestamp))
			}
			if e := c.exemplar; e != nil {
				exemplar := &Exemplar{Value: float64(e.value)}
				if e.has_timestamp {
					exemplar.Timestamp = fromUnixSeconds(float64(e.timestamp))
				}
				if e.n_labels > 0 {
					list := make([]LabelPair, e.n_labels)
					pairs(list, e.labels, e.n_labels)
					exemplar.Labels = make(Labels, len(list))
					for _, l := range list {
						exemplar.Labels[l.Name] = l.Value
					}
				}
				s.Exemplar = exemplar
			}
		}
		samples = samples[n:]
	}
	return families, nil
}

// cSlice is the Go view of n elements of C memory at p; p is not read when n is 0.
func cSlice[T any](p *T, n C.size_t) []T {
	if n == 0 {
		return nil
	}
	return unsafe.Slice(p, n)
}
