package promemu

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// Observations whose native buckets at schema 3 (factor 1.1) are known: at schema s bucket k
// holds the magnitudes in (2^((k-1)/2^s), 2^(k/2^s)], so 0.5 is key -8, 1 key 0, 2 key 8, 3
// key 13 (log2(3)·8 = 12.7), 4 key 16; 0 goes to the zero bucket.
var nativeObservations = []float64{1, 2, 2, 3, 0.5, -1, -4, 0}

func observeAll(o interface{ Observe(float64) }, values []float64) {
	for _, v := range values {
		o.Observe(v)
	}
}

func TestNativeHistogramOnly(t *testing.T) {
	r := NewRegistry()
	defer r.Close()
	h := MustNewHistogram(HistogramOpts{Name: "latency", Help: "Latency.", Unit: "seconds", NativeHistogramBucketFactor: 1.1})
	r.MustRegister(h)

	state, err := h.NativeState()
	if err != nil {
		t.Fatal(err)
	}
	if state.Schema != 3 || state.ZeroThreshold != DefNativeHistogramZeroThreshold || state.ZeroCount != 0 ||
		len(state.Positive.Keys) != 0 || len(state.Negative.Counts) != 0 {
		t.Fatalf("empty native histogram: %+v", state)
	}

	observeAll(h, nativeObservations)
	state, err = h.NativeState()
	if err != nil {
		t.Fatal(err)
	}
	want := NativeHistogramState{
		Schema:        3,
		ZeroThreshold: math.Ldexp(1, -128),
		ZeroCount:     1,
		Positive:      NativeBuckets{Keys: []int32{-8, 0, 8, 13}, Counts: []uint64{1, 1, 2, 1}},
		Negative:      NativeBuckets{Keys: []int32{0, 16}, Counts: []uint64{1, 1}},
	}
	sameNativeState(t, state, want)
	if h.Count() != 8 || h.Sum() != 3.5 {
		t.Fatalf("count %v sum %v", h.Count(), h.Sum())
	}

	// Native only: no classic buckets, so text 0.0.4 shows the +Inf bucket alone, as
	// client_golang's does.
	var text bytes.Buffer
	if err := r.WriteText(&text, FormatText); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(text.String(), "latency_seconds_bucket{"); n != 1 || value(t, r, "latency_seconds_bucket", "le", "+Inf") != 8 {
		t.Fatalf("native only histogram in text 0.0.4:\n%s", text.String())
	}

	// The key 13 at schema 3 is (2^(12/8), 2^(13/8)].
	lower, upper, err := NativeBucketBounds(13, 3)
	if err != nil || math.Abs(lower-math.Pow(2, 1.5)) > 1e-12 || math.Abs(upper-math.Pow(2, 1.625)) > 1e-12 {
		t.Fatalf("bounds of key 13 at schema 3: (%v, %v] %v", lower, upper, err)
	}
	if lower, upper, err := NativeBucketBounds(0, 0); err != nil || lower != 0.5 || upper != 1 {
		t.Fatalf("bounds of key 0 at schema 0: (%v, %v] %v", lower, upper, err)
	}
	_, _, err = NativeBucketBounds(0, 9)
	errorIs(t, err, ErrInvalidValue, "pe_native_bucket_bounds")

	_ = h.Close()
	_, err = h.NativeState()
	errorIs(t, err, ErrClosed)
}

func TestNativeHistogramWithClassicBuckets(t *testing.T) {
	h := MustNewHistogram(HistogramOpts{
		Name: "both", Help: "b",
		Buckets:                      []float64{0.5, 1, 2.5},
		NativeHistogramBucketFactor:  2,
		NativeHistogramZeroThreshold: NativeHistogramZeroThresholdZero,
	})
	observeAll(h, []float64{0.3, 0.5, 1, 2, 3, 1e-300, 0})
	bounds, counts := h.Buckets()
	if !slices.Equal(bounds, []float64{0.5, 1, 2.5, math.Inf(1)}) || !slices.Equal(counts, []uint64{4, 5, 6, 7}) {
		t.Fatalf("classic buckets %v %v", bounds, counts)
	}
	state, err := h.NativeState()
	if err != nil {
		t.Fatal(err)
	}
	// Schema 0: bucket k is (2^(k-1), 2^k], so 0.3 and 0.5 share key -1. Threshold 0: only the 0
	// is in the zero bucket, 1e-300 gets a bucket of its own (log2(1e-300) = -996.6).
	sameNativeState(t, state, NativeHistogramState{
		Schema: 0, ZeroThreshold: 0, ZeroCount: 1,
		Positive: NativeBuckets{Keys: []int32{-996, -1, 0, 1, 2}, Counts: []uint64{1, 2, 1, 1, 1}},
		Negative: NativeBuckets{Keys: []int32{}, Counts: []uint64{}},
	})
}

func TestNativeHistogramVec(t *testing.T) {
	r := NewRegistry()
	defer r.Close()
	v := MustNewHistogramVec(HistogramOpts{Name: "size", Help: "s", NativeHistogramBucketFactor: 1.1, NativeHistogramZeroThreshold: 0.25}, []string{"path"})
	r.MustRegister(v)
	observeAll(v.WithLabelValues("/a"), nativeObservations)
	v.WithLabelValues("/b").Observe(8)
	a, err := v.WithLabelValues("/a").NativeState()
	if err != nil {
		t.Fatal(err)
	}
	// Threshold 0.25: 0 alone in the zero bucket, 0.5 keeps its bucket.
	sameNativeState(t, a, NativeHistogramState{
		Schema: 3, ZeroThreshold: 0.25, ZeroCount: 1,
		Positive: NativeBuckets{Keys: []int32{-8, 0, 8, 13}, Counts: []uint64{1, 1, 2, 1}},
		Negative: NativeBuckets{Keys: []int32{0, 16}, Counts: []uint64{1, 1}},
	})
	b, err := v.WithLabelValues("/b").NativeState()
	if err != nil || !slices.Equal(b.Positive.Keys, []int32{24}) {
		t.Fatalf("child /b: %+v %v", b, err)
	}
	if v.Count() != 9 {
		t.Fatalf("vec count %d", v.Count())
	}
	_, err = v.family.NativeState()
	errorIs(t, err, ErrLabelCount, "pe_histogram_native_state")
}

func TestNativeHistogramBadOptions(t *testing.T) {
	for name, opts := range map[string]HistogramOpts{
		"factor NaN":                   {NativeHistogramBucketFactor: math.NaN()},
		"factor +Inf":                  {NativeHistogramBucketFactor: math.Inf(1)},
		"MinResetDuration < 0":         {NativeHistogramBucketFactor: 1.1, NativeHistogramMinResetDuration: -time.Second},
		"MaxZeroThreshold < 0":         {NativeHistogramBucketFactor: 1.1, NativeHistogramMaxZeroThreshold: -1},
		"ZeroThreshold NaN":            {NativeHistogramBucketFactor: 1.1, NativeHistogramZeroThreshold: math.NaN()},
		"unsorted classic buckets too": {NativeHistogramBucketFactor: 1.1, Buckets: []float64{2, 1}},
	} {
		t.Run(name, func(t *testing.T) {
			opts.Name, opts.Help = "h", "h"
			_, err := NewHistogram(opts)
			errorIs(t, err, ErrInvalidConfig, "pe_histogram_new_native")
			_, err = NewHistogramVec(opts, []string{"l"})
			errorIs(t, err, ErrInvalidConfig, "pe_histogram_new_native")
			panicsWith(t, ErrInvalidConfig, func() { MustNewHistogram(opts) })
		})
	}
	_, err := NewHistogram(HistogramOpts{Name: "", NativeHistogramBucketFactor: 1.1})
	errorIs(t, err, ErrInvalidName)
	_, err = NewHistogramVec(HistogramOpts{Name: "h", NativeHistogramBucketFactor: 1.1}, []string{"le"})
	errorIs(t, err, ErrInvalidName)

	// A factor of at most 1 means no native buckets, and the other native options are ignored,
	// as in client_golang: a classic histogram with DefBuckets.
	h, err := NewHistogram(HistogramOpts{Name: "classic", NativeHistogramBucketFactor: 1, NativeHistogramMinResetDuration: -time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if bounds, _ := h.Buckets(); len(bounds) != len(DefBuckets)+1 {
		t.Fatalf("classic buckets %v", bounds)
	}
	_, err = h.NativeState()
	errorIs(t, err, ErrInvalidConfig, "pe_histogram_native_state")
}

// The same options and observations in client_golang and here give the same native histogram,
// including the bucket limit's reductions (widening the zero bucket, halving the resolution).
//
// The library reduces the buckets when an observation creates one past the limit; client_golang
// checks the limit at every observation, so while a reduction has not brought the number back
// under the limit, an observation into an existing bucket reduces again there and not here. The
// limited cases therefore use observations that each create a bucket.
func TestNativeHistogramMatchesClientGolang(t *testing.T) {
	mixed := []float64{0, 1e-9, -1e-9, 0.001, 0.01, 0.1, 1, 1, 1.5, 2, 3, 10, 100, 1e6, -0.3, -7, -7.5, math.Inf(1), math.Inf(-1), math.MaxFloat64}
	// Powers of 16 keep buckets of their own down to schema -2, which 5 halvings from schema 3
	// reach; the 9th observation, past a limit of 4, makes the 5th halving.
	powersOf16 := []float64{1, 16, -256, 1.0 / 16, 4096, -1.0 / 256, 65536, 1.0 / 4096, -1}
	// Growing magnitudes: each past the limit first moves the smallest bucket into the zero
	// bucket, until that would pass the maximum zero threshold (0.5): then halving.
	growing := []float64{0.001, -0.01, 0.1, 1, 10, -100, 1000, 1e4, 1e5}
	for _, c := range []struct {
		name             string
		opts             HistogramOpts
		values           []float64
		schema           int32
		minZeroThreshold float64
	}{
		{"factor 1.1", HistogramOpts{NativeHistogramBucketFactor: 1.1}, mixed, 3, 0},
		{"factor 2", HistogramOpts{NativeHistogramBucketFactor: 2}, mixed, 0, 0},
		{"factor 1.0001", HistogramOpts{NativeHistogramBucketFactor: 1.0001}, mixed, 8, 0},
		{"factor 300", HistogramOpts{NativeHistogramBucketFactor: 300}, mixed, -3, 0},
		{"factor 1e5", HistogramOpts{NativeHistogramBucketFactor: 1e5}, mixed, -4, 0},
		{"zero threshold 0.05", HistogramOpts{NativeHistogramBucketFactor: 1.1, NativeHistogramZeroThreshold: 0.05}, mixed, 3, 0.05},
		{"zero threshold zero", HistogramOpts{NativeHistogramBucketFactor: 1.1, NativeHistogramZeroThreshold: NativeHistogramZeroThresholdZero}, mixed, 3, 0},
		{"with classic buckets", HistogramOpts{NativeHistogramBucketFactor: 1.5, Buckets: []float64{0.1, 1, 10}}, mixed, 1, 0},
		{"limit, halving", HistogramOpts{NativeHistogramBucketFactor: 1.1, NativeHistogramMaxBucketNumber: 4}, powersOf16, -2, 0},
		{"limit, widening the zero bucket", HistogramOpts{NativeHistogramBucketFactor: 1.1, NativeHistogramMaxBucketNumber: 3, NativeHistogramMaxZeroThreshold: 0.5}, growing, 0, 0.1},
		{"limit, reset not due yet", HistogramOpts{NativeHistogramBucketFactor: 1.1, NativeHistogramMaxBucketNumber: 3, NativeHistogramMinResetDuration: time.Hour}, growing, -3, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts := c.opts
			opts.Name, opts.Help = "h", "h"
			ours := MustNewHistogram(opts)
			theirs := prometheus.NewHistogram(prometheus.HistogramOpts{
				Name: opts.Name, Help: opts.Help, Buckets: opts.Buckets,
				NativeHistogramBucketFactor:     opts.NativeHistogramBucketFactor,
				NativeHistogramZeroThreshold:    opts.NativeHistogramZeroThreshold,
				NativeHistogramMaxBucketNumber:  opts.NativeHistogramMaxBucketNumber,
				NativeHistogramMinResetDuration: opts.NativeHistogramMinResetDuration,
				NativeHistogramMaxZeroThreshold: opts.NativeHistogramMaxZeroThreshold,
			})
			for i, v := range c.values {
				ours.Observe(v)
				theirs.Observe(v)
				var m dto.Metric
				if err := theirs.Write(&m); err != nil {
					t.Fatal(err)
				}
				got, err := ours.NativeState()
				if err != nil {
					t.Fatal(err)
				}
				if want := stateOf(m.GetHistogram()); !equalNativeState(got, want) {
					t.Fatalf("after %d observations (last %v):\nours          %+v\nclient_golang %+v", i+1, v, got, want)
				}
			}
			// The case did what its name says.
			if final, _ := ours.NativeState(); final.Schema != c.schema || final.ZeroThreshold < c.minZeroThreshold {
				t.Fatalf("ends at schema %d, zero threshold %v; the case expects schema %d, zero threshold at least %v",
					final.Schema, final.ZeroThreshold, c.schema, c.minZeroThreshold)
			}
		})
	}
}

// The protobuf exposition, read back with expfmt, carries the native buckets; its bytes (with
// NULs) come through whole in WriteText, Expose and the handler.
func TestNativeHistogramProtobufExposition(t *testing.T) {
	r := NewRegistry()
	defer r.Close()
	h := MustNewHistogram(HistogramOpts{Name: "latency", Help: "Latency.", Unit: "seconds", NativeHistogramBucketFactor: 1.1})
	both := MustNewHistogramVec(HistogramOpts{Name: "size", Help: "Size.", Buckets: []float64{1, 10}, NativeHistogramBucketFactor: 2}, []string{"path"})
	counter := MustNewCounter(CounterOpts{Name: "requests", Help: "Requests."})
	r.MustRegister(h, both, counter)
	observeAll(h, nativeObservations)
	both.WithLabelValues("/").Observe(3)
	counter.Add(2)

	var written bytes.Buffer
	if err := r.WriteText(&written, FormatProtobuf); err != nil {
		t.Fatal(err)
	}
	exposed, err := r.Expose(FormatProtobuf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(written.Bytes(), exposed) || bytes.IndexByte(exposed, 0) < 0 {
		t.Fatalf("protobuf: WriteText %d bytes, Expose %d bytes (a NUL among them: %v)", written.Len(), len(exposed), bytes.IndexByte(exposed, 0) >= 0)
	}
	families := decodeProtobuf(t, exposed)
	if len(families) != 3 {
		t.Fatalf("%d families, want 3", len(families))
	}

	latency := families["latency_seconds"]
	if latency.GetType() != dto.MetricType_HISTOGRAM || len(latency.GetMetric()) != 1 {
		t.Fatalf("latency_seconds: %v", latency)
	}
	hist := latency.GetMetric()[0].GetHistogram()
	// Keys -8, 0, 8, 13 with counts 1, 1, 2, 1: the gaps (7 and 4 empty buckets) make four spans.
	if hist.GetSchema() != 3 || hist.GetSampleCount() != 8 || hist.GetSampleSum() != 3.5 || hist.GetZeroCount() != 1 ||
		hist.GetZeroThreshold() != DefNativeHistogramZeroThreshold || len(hist.GetBucket()) != 0 {
		t.Fatalf("native histogram: %v", hist)
	}
	if !sameSpans(hist.GetPositiveSpan(), [][2]int64{{-8, 1}, {7, 1}, {7, 1}, {4, 1}}) || !slices.Equal(hist.GetPositiveDelta(), []int64{1, 0, 1, -1}) {
		t.Fatalf("positive spans %v deltas %v", hist.GetPositiveSpan(), hist.GetPositiveDelta())
	}
	state, err := h.NativeState()
	if err != nil {
		t.Fatal(err)
	}
	if decoded := stateOf(hist); !equalNativeState(decoded, state) {
		t.Fatalf("protobuf %+v, NativeState %+v", decoded, state)
	}

	size := families["size"].GetMetric()[0].GetHistogram()
	if size.GetSchema() != 0 || size.GetSampleCount() != 1 || len(size.GetBucket()) != 2 ||
		size.GetBucket()[1].GetUpperBound() != 10 || size.GetBucket()[1].GetCumulativeCount() != 1 ||
		!sameSpans(size.GetPositiveSpan(), [][2]int64{{2, 1}}) || !slices.Equal(size.GetPositiveDelta(), []int64{1}) {
		t.Fatalf("classic and native histogram: %v", size)
	}
	if families["requests_total"].GetMetric()[0].GetCounter().GetValue() != 2 {
		t.Fatalf("counter: %v", families["requests_total"])
	}

	// Through the handler, negotiated as Prometheus 3 does for native histograms, gzipped or not.
	server := httptest.NewServer(Handler(r))
	defer server.Close()
	for _, encoding := range []string{"", "gzip"} {
		resp, body := get(t, http.MethodGet, server.URL+"/metrics", map[string]string{"Accept": prometheus3NativeAccept, "Accept-Encoding": encoding})
		// Prometheus 3 names no escaping for protobuf: underscores, which the Content-Type states.
		if resp.Header.Get("Content-Type") != ContentTypeProtobuf+"; escaping=underscores" || expfmt.ResponseFormat(resp.Header) != expfmt.NewFormat(expfmt.TypeProtoDelim) {
			t.Fatalf("Content-Type %q", resp.Header.Get("Content-Type"))
		}
		if encoding == "gzip" {
			body = gunzip(t, body)
		}
		if !bytes.Equal(body, exposed) {
			t.Fatalf("handler body (%q) differs from Expose: %d bytes, want %d", encoding, len(body), len(exposed))
		}
	}
}

// OpenMetrics 2.0 (which expfmt does not parse) shows the native histogram as one composite
// value.
func TestNativeHistogramOpenMetrics2(t *testing.T) {
	r := NewRegistry()
	defer r.Close()
	h := MustNewHistogram(HistogramOpts{Name: "latency", Help: "Latency.", NativeHistogramBucketFactor: 1.1})
	r.MustRegister(h)
	observeAll(h, nativeObservations)
	text, err := r.Expose(FormatOpenMetrics2)
	if err != nil {
		t.Fatal(err)
	}
	for _, fragment := range []string{"# TYPE latency histogram\n", "schema:3", "count:8", "sum:3.5", "\n# EOF\n"} {
		if !bytes.Contains(text, []byte(fragment)) {
			t.Errorf("OpenMetrics 2.0 lacks %q:\n%s", fragment, text)
		}
	}
	server := httptest.NewServer(Handler(r))
	defer server.Close()
	resp, body := get(t, http.MethodGet, server.URL, map[string]string{"Accept": prometheus3OM2Accept})
	if resp.Header.Get("Content-Type") != ContentTypeOpenMetrics2+"; escaping=allow-utf-8" || !bytes.Equal(body, text) {
		t.Fatalf("handler: Content-Type %q, body\n%s", resp.Header.Get("Content-Type"), body)
	}
}

func TestFormats(t *testing.T) {
	for format, want := range map[Format][2]string{
		FormatText:         {"text", ContentTypeText},
		FormatOpenMetrics:  {"openmetrics", ContentTypeOpenMetrics},
		FormatOpenMetrics2: {"openmetrics2", ContentTypeOpenMetrics2},
		FormatProtobuf:     {"protobuf", ContentTypeProtobuf},
		Format(9):          {"Format(9)", ContentTypeText},
	} {
		if format.String() != want[0] || format.ContentType() != want[1] {
			t.Errorf("%d: %q %q, want %q", int(format), format.String(), format.ContentType(), want)
		}
	}
	// An empty registry in protobuf is no bytes at all.
	r := NewRegistry()
	defer r.Close()
	if body, err := r.Expose(FormatProtobuf); err != nil || len(body) != 0 {
		t.Fatalf("empty protobuf exposition: %q %v", body, err)
	}
}

func decodeProtobuf(t *testing.T, body []byte) map[string]*dto.MetricFamily {
	t.Helper()
	decoder := expfmt.NewDecoder(bytes.NewReader(body), expfmt.NewFormat(expfmt.TypeProtoDelim))
	families := map[string]*dto.MetricFamily{}
	for {
		family := &dto.MetricFamily{}
		err := decoder.Decode(family)
		if err == io.EOF {
			return families
		}
		if err != nil {
			t.Fatalf("expfmt cannot decode the protobuf exposition: %v", err)
		}
		families[family.GetName()] = family
	}
}

func sameSpans(spans []*dto.BucketSpan, want [][2]int64) bool {
	if len(spans) != len(want) {
		return false
	}
	for i, span := range spans {
		if int64(span.GetOffset()) != want[i][0] || int64(span.GetLength()) != want[i][1] {
			return false
		}
	}
	return true
}

// stateOf reads a client_model histogram's native part as NativeState gives it: populated
// buckets only (a protobuf encoder may span short gaps with empty buckets).
func stateOf(h *dto.Histogram) NativeHistogramState {
	return NativeHistogramState{
		Schema:        h.GetSchema(),
		ZeroThreshold: h.GetZeroThreshold(),
		ZeroCount:     h.GetZeroCount(),
		Positive:      bucketsOf(h.GetPositiveSpan(), h.GetPositiveDelta()),
		Negative:      bucketsOf(h.GetNegativeSpan(), h.GetNegativeDelta()),
	}
}

func bucketsOf(spans []*dto.BucketSpan, deltas []int64) NativeBuckets {
	b := NativeBuckets{Keys: []int32{}, Counts: []uint64{}}
	key, count, i := int32(0), int64(0), 0
	for _, span := range spans {
		key += span.GetOffset()
		for range span.GetLength() {
			count += deltas[i]
			i++
			if count != 0 {
				b.Keys = append(b.Keys, key)
				b.Counts = append(b.Counts, uint64(count))
			}
			key++
		}
	}
	return b
}

func equalNativeState(a, b NativeHistogramState) bool {
	return a.Schema == b.Schema && a.ZeroThreshold == b.ZeroThreshold && a.ZeroCount == b.ZeroCount &&
		slices.Equal(a.Positive.Keys, b.Positive.Keys) && slices.Equal(a.Positive.Counts, b.Positive.Counts) &&
		slices.Equal(a.Negative.Keys, b.Negative.Keys) && slices.Equal(a.Negative.Counts, b.Negative.Counts)
}

func sameNativeState(t *testing.T, got, want NativeHistogramState) {
	t.Helper()
	if !equalNativeState(got, want) {
		t.Fatalf("native state\n got  %+v\n want %+v", got, want)
	}
}

// Observations from several goroutines while another reads the native state, with the bucket
// limit reducing concurrently: every state read has increasing keys, and in the end the buckets
// hold every observation.
func TestNativeHistogramConcurrent(t *testing.T) {
	h := MustNewHistogram(HistogramOpts{Name: "c", Help: "c", NativeHistogramBucketFactor: 1.01, NativeHistogramMaxBucketNumber: 40, NativeHistogramMaxZeroThreshold: 1e-3})
	const goroutines, each = 4, 5000
	done := make(chan struct{})
	var readErr error
	go func() {
		defer close(done)
		for range 200 {
			state, err := h.NativeState()
			if err == nil && (!slices.IsSorted(state.Positive.Keys) || !slices.IsSorted(state.Negative.Keys) || state.Schema < -4 || state.Schema > 8) {
				err = goError(StatusInternal, "inconsistent state")
			}
			if err != nil {
				readErr = err
				return
			}
		}
	}()
	finished := make(chan struct{})
	for g := range goroutines {
		go func() {
			defer func() { finished <- struct{}{} }()
			for i := range each {
				h.Observe(float64(g+1) * math.Pow(1.003, float64(i%2000)) * float64(1-2*(i%3/2)) * 1e-4)
			}
		}()
	}
	for range goroutines {
		<-finished
	}
	<-done
	if readErr != nil {
		t.Fatal(readErr)
	}
	state, err := h.NativeState()
	if err != nil {
		t.Fatal(err)
	}
	total := state.ZeroCount
	for _, c := range append(slices.Clone(state.Positive.Counts), state.Negative.Counts...) {
		total += c
	}
	if total != goroutines*each || h.Count() != goroutines*each || state.Schema >= 7 {
		t.Fatalf("buckets hold %d observations, count %d, want %d; schema %d (the limit should have lowered it from 7)", total, h.Count(), goroutines*each, state.Schema)
	}
}

func TestReadmeNativeHistogramIsTheExample(t *testing.T) {
	readmeHasExample(t, "ExampleHistogram_NativeState")
}
