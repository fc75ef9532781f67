package promemu

/*
#cgo noescape pego_snapshot_count
#cgo noescape pego_snapshot_read
#include "zwrap.h"

// What a snapshot holds, read through the accessors in two C calls instead of one cgo call per
// accessor: pego_snapshot_count sizes the arrays, pego_snapshot_read fills them. Strings are
// borrowed from the snapshot.
typedef struct {
    const char *name, *help, *unit;
    pe_metric_type type;
    size_t n_samples;
} pego_family;

typedef struct {
    const char *name;
    double value, timestamp, exemplar_value, exemplar_timestamp;
    bool has_timestamp, has_exemplar, exemplar_has_timestamp;
    size_t n_labels, n_exemplar_labels;
} pego_sample;

#define PEGO_TRY(call) do { pe_status s_ = (call); if (s_ != PE_OK) return pego_fail(s_); } while (0)

static pego_error *pego_snapshot_count(const pe_snapshot *snapshot, size_t *n_families, size_t *n_samples,
                                       size_t *n_labels, size_t *n_exemplar_labels) {
    *n_samples = *n_labels = *n_exemplar_labels = 0;
    PEGO_TRY(pe_snapshot_family_count(snapshot, n_families));
    for (size_t f = 0; f < *n_families; f++) {
        size_t samples;
        PEGO_TRY(pe_snapshot_sample_count(snapshot, f, &samples));
        *n_samples += samples;
        for (size_t s = 0; s < samples; s++) {
            size_t labels, exemplar_labels;
            PEGO_TRY(pe_snapshot_sample_label_count(snapshot, f, s, &labels));
            PEGO_TRY(pe_snapshot_exemplar_label_count(snapshot, f, s, &exemplar_labels));
            *n_labels += labels;
            *n_exemplar_labels += exemplar_labels;
        }
    }
    return NULL;
}

// labels and exemplar_labels receive name, value pairs, sample after sample.
static pego_error *pego_snapshot_read(const pe_snapshot *snapshot, pego_family *families, size_t n_families,
                                      pego_sample *samples, const char **labels, const char **exemplar_labels) {
    for (size_t f = 0; f < n_families; f++) {
        pego_family *family = &families[f];
        PEGO_TRY(pe_snapshot_family_name(snapshot, f, &family->name));
        PEGO_TRY(pe_snapshot_family_help(snapshot, f, &family->help));
        PEGO_TRY(pe_snapshot_family_unit(snapshot, f, &family->unit));
        PEGO_TRY(pe_snapshot_family_type(snapshot, f, &family->type));
        PEGO_TRY(pe_snapshot_sample_count(snapshot, f, &family->n_samples));
        for (size_t s = 0; s < family->n_samples; s++, samples++) {
            PEGO_TRY(pe_snapshot_sample_name(snapshot, f, s, &samples->name));
            PEGO_TRY(pe_snapshot_sample_value(snapshot, f, s, &samples->value));
            PEGO_TRY(pe_snapshot_sample_timestamp(snapshot, f, s, &samples->has_timestamp, &samples->timestamp));
            PEGO_TRY(pe_snapshot_sample_label_count(snapshot, f, s, &samples->n_labels));
            for (size_t l = 0; l < samples->n_labels; l++, labels += 2)
                PEGO_TRY(pe_snapshot_sample_label(snapshot, f, s, l, &labels[0], &labels[1]));
            PEGO_TRY(pe_snapshot_sample_exemplar(snapshot, f, s, &samples->has_exemplar, &samples->exemplar_value,
                                                 &samples->exemplar_has_timestamp, &samples->exemplar_timestamp));
            PEGO_TRY(pe_snapshot_exemplar_label_count(snapshot, f, s, &samples->n_exemplar_labels));
            for (size_t l = 0; l < samples->n_exemplar_labels; l++, exemplar_labels += 2)
                PEGO_TRY(pe_snapshot_exemplar_label(snapshot, f, s, l, &exemplar_labels[0], &exemplar_labels[1]));
        }
    }
    return NULL;
}
*/
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

// Exemplar is an example observation attached to a counter or a histogram bucket.
type Exemplar struct {
	Labels []LabelPair
	Value  float64
	// Timestamp is the zero time when the exemplar has none.
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
// name. It is built from the library's snapshot (pe_registry_snapshot), not by parsing text.
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

func readSnapshot(snapshot *C.struct_pe_snapshot) ([]MetricFamily, error) {
	var nFamilies, nSamples, nLabels, nExemplarLabels C.size_t
	if err := errorOf(C.pego_snapshot_count(snapshot, &nFamilies, &nSamples, &nLabels, &nExemplarLabels)); err != nil {
		return nil, err
	}
	cFamilies := make([]C.pego_family, nFamilies)
	cSamples := make([]C.pego_sample, nSamples)
	cLabels := make([]*C.char, 2*nLabels)
	cExemplarLabels := make([]*C.char, 2*nExemplarLabels)
	failure := C.pego_snapshot_read(snapshot, unsafe.SliceData(cFamilies), nFamilies, unsafe.SliceData(cSamples),
		unsafe.SliceData(cLabels), unsafe.SliceData(cExemplarLabels))
	if err := errorOf(failure); err != nil {
		return nil, err
	}

	names := interner{}
	labels := make([]LabelPair, nLabels)
	for i := range labels {
		labels[i] = LabelPair{Name: names.get(cLabels[2*i]), Value: C.GoString(cLabels[2*i+1])}
	}
	samples := make([]Sample, nSamples)
	exemplarLabels := cExemplarLabels
	for i := range cSamples {
		c := &cSamples[i]
		s := &samples[i]
		s.Name, s.Value = names.get(c.name), float64(c.value)
		n := int(c.n_labels)
		s.Labels, labels = labels[:n:n], labels[n:]
		if c.has_timestamp {
			s.Timestamp = fromUnixSeconds(float64(c.timestamp))
		}
		if c.has_exemplar {
			e := &Exemplar{Value: float64(c.exemplar_value)}
			if c.exemplar_has_timestamp {
				e.Timestamp = fromUnixSeconds(float64(c.exemplar_timestamp))
			}
			for range int(c.n_exemplar_labels) {
				e.Labels = append(e.Labels, LabelPair{Name: names.get(exemplarLabels[0]), Value: C.GoString(exemplarLabels[1])})
				exemplarLabels = exemplarLabels[2:]
			}
			s.Exemplar = e
		}
	}
	families := make([]MetricFamily, nFamilies)
	for f := range families {
		c := &cFamilies[f]
		n := int(c.n_samples)
		families[f] = MetricFamily{
			Name: C.GoString(c.name), Help: C.GoString(c.help), Unit: C.GoString(c.unit),
			Type: MetricType(c._type), Samples: samples[:n:n],
		}
		samples = samples[n:]
	}
	return families, nil
}

// interner makes one Go string per distinct name (sample and label names repeat across series).
type interner map[string]string

func (in interner) get(p *C.char) string {
	view := unsafe.String((*byte)(unsafe.Pointer(p)), cStrlen(p))
	if s, ok := in[view]; ok {
		return s
	}
	s := string([]byte(view))
	in[s] = s
	return s
}

// cStrlen is strlen without a cgo call.
func cStrlen(p *C.char) int {
	n := 0
	for *(*byte)(unsafe.Add(unsafe.Pointer(p), n)) != 0 {
		n++
	}
	return n
}
