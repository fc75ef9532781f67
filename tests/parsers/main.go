// Command parsers prints, as JSON, what Prometheus's own parsers read in an exposition body, so
// that the Rust tests can check our encoders against decoders nobody here wrote.
//
//	parsers <content-type> < body
//
// The output is an object with "entries": every entry of model/textparse's parser for that
// content type, in order. For the protobuf content type it also has "families": the same body
// decoded independently by prometheus/common's expfmt into client_model messages. Floats are
// strings (strconv's shortest form, "NaN", "+Inf"), so that they read back exactly; counts are
// numbers. A parse error exits with status 1 and the error on stderr.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/prometheus/model/exemplar"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"
	"google.golang.org/protobuf/types/known/timestamppb"
)

type entry struct {
	Kind           string            `json:"kind"`
	Name           string            `json:"name"`
	Labels         map[string]string `json:"labels,omitempty"`
	Type           *string           `json:"type,omitempty"`
	Help           *string           `json:"help,omitempty"`
	Unit           *string           `json:"unit,omitempty"`
	Comment        *string           `json:"comment,omitempty"`
	Value          *string           `json:"value,omitempty"`
	Timestamp      *int64            `json:"timestamp,omitempty"`
	StartTimestamp *int64            `json:"start_timestamp,omitempty"`
	Exemplars      []exemplarJSON    `json:"exemplars,omitempty"`
	Histogram      *histogramJSON    `json:"histogram,omitempty"`
}

type exemplarJSON struct {
	Labels    map[string]string `json:"labels"`
	Value     string            `json:"value"`
	Timestamp *int64            `json:"timestamp,omitempty"`
}

// histogramJSON is a native histogram with absolute bucket counts; from expfmt it also has the
// classic buckets, and the spans are as written (textparse compacts them).
type histogramJSON struct {
	Float           bool           `json:"float,omitempty"`
	Count           float64        `json:"count"`
	Sum             string         `json:"sum"`
	Schema          int32          `json:"schema"`
	ZeroThreshold   string         `json:"zero_threshold"`
	ZeroCount       float64        `json:"zero_count"`
	PositiveSpans   []spanJSON     `json:"positive_spans"`
	PositiveBuckets []float64      `json:"positive_buckets"`
	NegativeSpans   []spanJSON     `json:"negative_spans"`
	NegativeBuckets []float64      `json:"negative_buckets"`
	Buckets         []bucketJSON   `json:"buckets,omitempty"`
	StartTimestamp  *int64         `json:"start_timestamp,omitempty"`
	Exemplars       []exemplarJSON `json:"exemplars,omitempty"`
}

type spanJSON struct {
	Offset int32  `json:"offset"`
	Length uint32 `json:"length"`
}

type bucketJSON struct {
	UpperBound      string        `json:"upper_bound"`
	CumulativeCount uint64        `json:"cumulative_count"`
	Exemplar        *exemplarJSON `json:"exemplar,omitempty"`
}

type familyJSON struct {
	Name    string       `json:"name"`
	Help    string       `json:"help"`
	Type    string       `json:"type"`
	Unit    string       `json:"unit"`
	Metrics []metricJSON `json:"metrics"`
}

type metricJSON struct {
	Labels         map[string]string `json:"labels"`
	TimestampMs    *int64            `json:"timestamp_ms,omitempty"`
	Value          *string           `json:"value,omitempty"` // counter, gauge, untyped
	StartTimestamp *int64            `json:"start_timestamp,omitempty"`
	Exemplar       *exemplarJSON     `json:"exemplar,omitempty"`
	Summary        *summaryJSON      `json:"summary,omitempty"`
	Histogram      *histogramJSON    `json:"histogram,omitempty"`
}

type summaryJSON struct {
	Count     uint64      `json:"count"`
	Sum       string      `json:"sum"`
	Quantiles [][2]string `json:"quantiles"`
}

func main() {
	var err error
	switch {
	case len(os.Args) == 3 && os.Args[1] == "escape":
		err = escapeNames(os.Args[2], os.Stdin, os.Stdout)
	case len(os.Args) == 4 && os.Args[1] == "reencode":
		err = reencode(os.Args[2], os.Args[3], os.Stdin, os.Stdout)
	case len(os.Args) == 2:
		err = run(os.Args[1], os.Stdin, os.Stdout)
	default:
		fmt.Fprintln(os.Stderr, "usage: parsers <content-type> < body | escape <scheme> | reencode <format> <scheme>")
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "parsers:", err)
		os.Exit(1)
	}
}

func run(contentType string, in io.Reader, out io.Writer) error {
	body, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	entries, err := parse(body, contentType)
	if err != nil {
		return fmt.Errorf("textparse: %w", err)
	}
	result := map[string]any{"entries": entries}
	if format := expfmt.Format(contentType); format.FormatType() == expfmt.TypeProtoDelim {
		families, err := decode(body, format)
		if err != nil {
			return fmt.Errorf("expfmt: %w", err)
		}
		result["families"] = families
	}
	encoder := json.NewEncoder(out)
	encoder.SetIndent("", " ")
	return encoder.Encode(result)
}

// parse reads every entry with textparse, as a scrape does with native histograms and OpenMetrics
// 2.0 enabled; classic series of histograms that also have native buckets are kept.
func parse(body []byte, contentType string) ([]entry, error) {
	p, err := textparse.New(body, contentType, labels.NewSymbolTable(), textparse.ParserOptions{
		EnableOpenMetrics2:                      true,
		KeepClassicOnClassicAndNativeHistograms: true,
	})
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, fmt.Errorf("no parser for %q", contentType)
	}
	entries := []entry{}
	for {
		kind, err := p.Next()
		if errors.Is(err, io.EOF) {
			return entries, nil
		}
		if err != nil {
			return nil, err
		}
		var e entry
		switch kind {
		case textparse.EntryType:
			name, typ := p.Type()
			e = entry{Kind: "type", Name: string(name), Type: ptr(string(typ))}
		case textparse.EntryHelp:
			name, help := p.Help()
			e = entry{Kind: "help", Name: string(name), Help: ptr(string(help))}
		case textparse.EntryUnit:
			name, unit := p.Unit()
			e = entry{Kind: "unit", Name: string(name), Unit: ptr(string(unit))}
		case textparse.EntryComment:
			e = entry{Kind: "comment", Comment: ptr(string(p.Comment()))}
		case textparse.EntrySeries:
			_, ts, v := p.Series()
			e = entry{Kind: "series", Value: ptr(num(v)), Timestamp: copyOf(ts)}
		case textparse.EntryHistogram:
			_, ts, h, fh := p.Histogram()
			e = entry{Kind: "histogram", Timestamp: copyOf(ts), Histogram: fromModel(h, fh)}
		default:
			return nil, fmt.Errorf("unexpected entry %d", kind)
		}
		if kind == textparse.EntrySeries || kind == textparse.EntryHistogram {
			var lset labels.Labels
			p.Labels(&lset)
			e.Labels = lset.Map()
			e.Name = e.Labels[labels.MetricName]
			delete(e.Labels, labels.MetricName)
			if st := p.StartTimestamp(); st != 0 {
				e.StartTimestamp = &st
			}
			var ex exemplar.Exemplar
			for p.Exemplar(&ex) {
				e.Exemplars = append(e.Exemplars, fromExemplar(ex))
				ex = exemplar.Exemplar{}
			}
		}
		entries = append(entries, e)
	}
}

// decode reads the body with expfmt's protobuf decoder.
func decode(body []byte, format expfmt.Format) ([]familyJSON, error) {
	decoder := expfmt.NewDecoder(bytes.NewReader(body), format)
	families := []familyJSON{}
	for {
		var mf dto.MetricFamily
		err := decoder.Decode(&mf)
		if errors.Is(err, io.EOF) {
			return families, nil
		}
		if err != nil {
			return nil, err
		}
		f := familyJSON{Name: mf.GetName(), Help: mf.GetHelp(), Type: mf.GetType().String(), Unit: mf.GetUnit()}
		for _, m := range mf.GetMetric() {
			f.Metrics = append(f.Metrics, fromMetric(m))
		}
		families = append(families, f)
	}
}

func fromMetric(m *dto.Metric) metricJSON {
	out := metricJSON{Labels: map[string]string{}}
	for _, l := range m.GetLabel() {
		out.Labels[l.GetName()] = l.GetValue()
	}
	if m.TimestampMs != nil {
		out.TimestampMs = ptr(m.GetTimestampMs())
	}
	switch {
	case m.Counter != nil:
		out.Value = ptr(num(m.Counter.GetValue()))
		out.StartTimestamp = millis(m.Counter.GetCreatedTimestamp())
		out.Exemplar = fromProtoExemplar(m.Counter.GetExemplar())
	case m.Gauge != nil:
		out.Value = ptr(num(m.Gauge.GetValue()))
	case m.Untyped != nil:
		out.Value = ptr(num(m.Untyped.GetValue()))
	case m.Summary != nil:
		s := m.Summary
		out.Summary = &summaryJSON{Count: s.GetSampleCount(), Sum: num(s.GetSampleSum()), Quantiles: [][2]string{}}
		for _, q := range s.GetQuantile() {
			out.Summary.Quantiles = append(out.Summary.Quantiles, [2]string{num(q.GetQuantile()), num(q.GetValue())})
		}
		out.StartTimestamp = millis(s.GetCreatedTimestamp())
	case m.Histogram != nil:
		h := m.Histogram
		j := &histogramJSON{
			Count:           float64(h.GetSampleCount()),
			Sum:             num(h.GetSampleSum()),
			Schema:          h.GetSchema(),
			ZeroThreshold:   num(h.GetZeroThreshold()),
			ZeroCount:       float64(h.GetZeroCount()),
			PositiveSpans:   spans(h.GetPositiveSpan(), func(s *dto.BucketSpan) (int32, uint32) { return s.GetOffset(), s.GetLength() }),
			PositiveBuckets: absolute(h.GetPositiveDelta()),
			NegativeSpans:   spans(h.GetNegativeSpan(), func(s *dto.BucketSpan) (int32, uint32) { return s.GetOffset(), s.GetLength() }),
			NegativeBuckets: absolute(h.GetNegativeDelta()),
			Buckets:         []bucketJSON{},
			StartTimestamp:  millis(h.GetCreatedTimestamp()),
		}
		if h.SampleCountFloat != nil || h.ZeroCountFloat != nil {
			j.Float, j.Count, j.ZeroCount = true, h.GetSampleCountFloat(), h.GetZeroCountFloat()
			j.PositiveBuckets, j.NegativeBuckets = h.GetPositiveCount(), h.GetNegativeCount()
		}
		for _, b := range h.GetBucket() {
			j.Buckets = append(j.Buckets, bucketJSON{
				UpperBound:      num(b.GetUpperBound()),
				CumulativeCount: b.GetCumulativeCount(),
				Exemplar:        fromProtoExemplar(b.GetExemplar()),
			})
		}
		for _, ex := range h.GetExemplars() {
			j.Exemplars = append(j.Exemplars, *fromProtoExemplar(ex))
		}
		out.Histogram = j
	}
	return out
}

// fromModel describes textparse's native histogram, integer or float.
func fromModel(h *histogram.Histogram, fh *histogram.FloatHistogram) *histogramJSON {
	modelSpans := func(s histogram.Span) (int32, uint32) { return s.Offset, s.Length }
	if h != nil {
		return &histogramJSON{
			Count:           float64(h.Count),
			Sum:             num(h.Sum),
			Schema:          h.Schema,
			ZeroThreshold:   num(h.ZeroThreshold),
			ZeroCount:       float64(h.ZeroCount),
			PositiveSpans:   spans(h.PositiveSpans, modelSpans),
			PositiveBuckets: absolute(h.PositiveBuckets),
			NegativeSpans:   spans(h.NegativeSpans, modelSpans),
			NegativeBuckets: absolute(h.NegativeBuckets),
		}
	}
	return &histogramJSON{
		Float:           true,
		Count:           fh.Count,
		Sum:             num(fh.Sum),
		Schema:          fh.Schema,
		ZeroThreshold:   num(fh.ZeroThreshold),
		ZeroCount:       fh.ZeroCount,
		PositiveSpans:   spans(fh.PositiveSpans, modelSpans),
		PositiveBuckets: append([]float64{}, fh.PositiveBuckets...),
		NegativeSpans:   spans(fh.NegativeSpans, modelSpans),
		NegativeBuckets: append([]float64{}, fh.NegativeBuckets...),
	}
}

func fromExemplar(ex exemplar.Exemplar) exemplarJSON {
	out := exemplarJSON{Labels: ex.Labels.Map(), Value: num(ex.Value)}
	if ex.HasTs {
		out.Timestamp = ptr(ex.Ts)
	}
	return out
}

func fromProtoExemplar(ex *dto.Exemplar) *exemplarJSON {
	if ex == nil {
		return nil
	}
	out := &exemplarJSON{Labels: map[string]string{}, Value: num(ex.GetValue())}
	for _, l := range ex.GetLabel() {
		out.Labels[l.GetName()] = l.GetValue()
	}
	if ex.Timestamp != nil {
		out.Timestamp = ptr(ex.GetTimestamp().AsTime().UnixMilli())
	}
	return out
}

func spans[S any](in []S, fields func(S) (int32, uint32)) []spanJSON {
	out := make([]spanJSON, 0, len(in))
	for _, s := range in {
		offset, length := fields(s)
		out = append(out, spanJSON{offset, length})
	}
	return out
}

// absolute turns bucket deltas (each from the previous bucket) into counts.
func absolute(deltas []int64) []float64 {
	out := make([]float64, 0, len(deltas))
	var count int64
	for _, d := range deltas {
		count += d
		out = append(out, float64(count))
	}
	return out
}

func millis(ts *timestamppb.Timestamp) *int64 {
	if ts == nil {
		return nil
	}
	return ptr(ts.AsTime().UnixMilli())
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func ptr[T any](v T) *T { return &v }

func copyOf(v *int64) *int64 {
	if v == nil {
		return nil
	}
	return ptr(*v)
}
