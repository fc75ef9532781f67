package promemu

// Benchmarks side by side with client_golang, in one run:
//
//	go test -run '^$' -bench . -benchmem
//
// Each benchmark has a promemu and a client_golang sub-benchmark doing the same work, and checks
// what it did once the loop is over (counts, every series encoded), so a broken contestant fails
// instead of looking fast. Nothing here asserts a time: benches/run.sh turns the output into rows
// of the project's benchmark table (benches/go_rows.py), and the ratios are discussed in
// bindings/go/README.md.

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// The cost of one cgo call into the library doing nothing: the floor of every promemu update.
func BenchmarkCgoFloor(b *testing.B) {
	for b.Loop() {
		cgoFloor()
	}
}

func BenchmarkCounterInc(b *testing.B) {
	b.Run("promemu", func(b *testing.B) {
		c := MustNewCounter(CounterOpts{Name: "c", Help: "c"})
		for b.Loop() {
			c.Inc()
		}
		checkValue(b, c.Get(), float64(b.N))
	})
	b.Run("client_golang", func(b *testing.B) {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: "c", Help: "c"})
		for b.Loop() {
			c.Inc()
		}
		checkValue(b, written(b, c).GetCounter().GetValue(), float64(b.N))
	})
}

func BenchmarkCounterAdd(b *testing.B) {
	b.Run("promemu", func(b *testing.B) {
		c := MustNewCounter(CounterOpts{Name: "c", Help: "c"})
		for b.Loop() {
			c.Add(0.5)
		}
		checkValue(b, c.Get(), 0.5*float64(b.N))
	})
	b.Run("client_golang", func(b *testing.B) {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: "c", Help: "c"})
		for b.Loop() {
			c.Add(0.5)
		}
		checkValue(b, written(b, c).GetCounter().GetValue(), 0.5*float64(b.N))
	})
}

func BenchmarkGaugeSet(b *testing.B) {
	b.Run("promemu", func(b *testing.B) {
		g := MustNewGauge(GaugeOpts{Name: "g", Help: "g"})
		v := 0.0
		for b.Loop() {
			v++
			g.Set(v)
		}
		checkValue(b, g.Get(), v)
	})
	b.Run("client_golang", func(b *testing.B) {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "g", Help: "g"})
		v := 0.0
		for b.Loop() {
			v++
			g.Set(v)
		}
		checkValue(b, written(b, g).GetGauge().GetValue(), v)
	})
}

func BenchmarkHistogramObserve(b *testing.B) {
	b.Run("promemu", func(b *testing.B) {
		h := MustNewHistogram(HistogramOpts{Name: "h", Help: "h"})
		v := 0.0
		for b.Loop() {
			v += 0.001
			h.Observe(v)
		}
		checkValue(b, float64(h.Count()), float64(b.N))
	})
	b.Run("client_golang", func(b *testing.B) {
		h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h", Help: "h"})
		v := 0.0
		for b.Loop() {
			v += 0.001
			h.Observe(v)
		}
		checkValue(b, float64(written(b, h).GetHistogram().GetSampleCount()), float64(b.N))
	})
}

// Native buckets only, factor 1.1 (schema 3), no bucket limit: the values climb by 0.001 as in
// BenchmarkHistogramObserve, so buckets keep being created (about 0.9 per 1000 observations).
func BenchmarkNativeHistogramObserve(b *testing.B) {
	b.Run("promemu", func(b *testing.B) {
		h := MustNewHistogram(HistogramOpts{Name: "h", Help: "h", NativeHistogramBucketFactor: 1.1})
		v := 0.0
		for b.Loop() {
			v += 0.001
			h.Observe(v)
		}
		checkValue(b, float64(h.Count()), float64(b.N))
		checkNativeState(b, h)
	})
	b.Run("client_golang", func(b *testing.B) {
		h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h", Help: "h", NativeHistogramBucketFactor: 1.1})
		v := 0.0
		for b.Loop() {
			v += 0.001
			h.Observe(v)
		}
		m := written(b, h).GetHistogram()
		checkValue(b, float64(m.GetSampleCount()), float64(b.N))
		checkValue(b, float64(m.GetSchema()), 3)
	})
}

// checkNativeState fails the benchmark unless every observation is in a native bucket.
func checkNativeState(b *testing.B, h *Histogram) {
	b.Helper()
	state, err := h.NativeState()
	if err != nil {
		b.Fatal(err)
	}
	total := state.ZeroCount
	for _, c := range state.Positive.Counts {
		total += c
	}
	checkValue(b, float64(state.Schema), 3)
	checkValue(b, float64(total), float64(b.N))
}

func BenchmarkSummaryObserve(b *testing.B) {
	b.Run("promemu", func(b *testing.B) {
		s := MustNewSummary(SummaryOpts{Name: "s", Help: "s", Objectives: DefObjectives})
		v := 0.0
		for b.Loop() {
			v++
			s.Observe(v)
		}
		checkValue(b, float64(s.Count()), float64(b.N))
	})
	b.Run("client_golang", func(b *testing.B) {
		s := prometheus.NewSummary(prometheus.SummaryOpts{Name: "s", Help: "s", Objectives: map[float64]float64{0.5: 0.05, 0.9: 0.01, 0.99: 0.001}})
		v := 0.0
		for b.Loop() {
			v++
			s.Observe(v)
		}
		checkValue(b, float64(written(b, s).GetSummary().GetSampleCount()), float64(b.N))
	})
}

// Labelled lookup + inc with 2 label values, the child existing.
func BenchmarkLabelledInc(b *testing.B) {
	b.Run("promemu", func(b *testing.B) {
		v := MustNewCounterVec(CounterOpts{Name: "c", Help: "c"}, []string{"method", "code"})
		for b.Loop() {
			v.WithLabelValues("GET", "200").Inc()
		}
		checkValue(b, v.WithLabelValues("GET", "200").Get(), float64(b.N))
	})
	b.Run("client_golang", func(b *testing.B) {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "c", Help: "c"}, []string{"method", "code"})
		for b.Loop() {
			v.WithLabelValues("GET", "200").Inc()
		}
		checkValue(b, written(b, v.WithLabelValues("GET", "200")).GetCounter().GetValue(), float64(b.N))
	})
}

func BenchmarkLabelledIncWithMap(b *testing.B) {
	b.Run("promemu", func(b *testing.B) {
		v := MustNewCounterVec(CounterOpts{Name: "c", Help: "c"}, []string{"method", "code"})
		labels := Labels{"method": "GET", "code": "200"}
		for b.Loop() {
			v.With(labels).Inc()
		}
		checkValue(b, v.With(labels).Get(), float64(b.N))
	})
	b.Run("client_golang", func(b *testing.B) {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "c", Help: "c"}, []string{"method", "code"})
		labels := prometheus.Labels{"method": "GET", "code": "200"}
		for b.Loop() {
			v.With(labels).Inc()
		}
		checkValue(b, written(b, v.With(labels)).GetCounter().GetValue(), float64(b.N))
	})
}

// A child of a vec looked up once, then incremented: the way to update labelled series fast.
func BenchmarkBoundChildInc(b *testing.B) {
	b.Run("promemu", func(b *testing.B) {
		c := MustNewCounterVec(CounterOpts{Name: "c", Help: "c"}, []string{"method", "code"}).WithLabelValues("GET", "200")
		for b.Loop() {
			c.Inc()
		}
		checkValue(b, c.Get(), float64(b.N))
	})
	b.Run("client_golang", func(b *testing.B) {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "c", Help: "c"}, []string{"method", "code"}).WithLabelValues("GET", "200")
		for b.Loop() {
			c.Inc()
		}
		checkValue(b, written(b, c).GetCounter().GetValue(), float64(b.N))
	})
}

// Every goroutine (GOMAXPROCS of them) on one counter.
func BenchmarkCounterIncContended(b *testing.B) {
	b.Run("promemu", func(b *testing.B) {
		c := MustNewCounter(CounterOpts{Name: "c", Help: "c"})
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Inc()
			}
		})
		checkValue(b, c.Get(), float64(b.N))
	})
	b.Run("client_golang", func(b *testing.B) {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: "c", Help: "c"})
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Inc()
			}
		})
		checkValue(b, written(b, c).GetCounter().GetValue(), float64(b.N))
	})
}

const exposedSeries = 10000

// 10k labelled counter series (100 x 100 label values) in each library.
func exposition10k() (*Registry, *prometheus.Registry) {
	ours := NewRegistry()
	theirs := prometheus.NewRegistry()
	ov := MustNewCounterVec(CounterOpts{Name: "http_requests_total", Help: "Requests served."}, []string{"path", "code"})
	tv := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "http_requests_total", Help: "Requests served."}, []string{"path", "code"})
	for i := range exposedSeries {
		path, code := fmt.Sprintf("/api/v1/resource%d", i/100), fmt.Sprint(200+i%100)
		ov.WithLabelValues(path, code).Add(float64(i))
		tv.WithLabelValues(path, code).Add(float64(i))
	}
	ours.MustRegister(ov)
	theirs.MustRegister(tv)
	return ours, theirs
}

// client_golang's collect + encode: Gather, then expfmt.
func encodeTheirs(w io.Writer, registry *prometheus.Registry, format expfmt.Format) error {
	families, err := registry.Gather()
	if err != nil {
		return err
	}
	encoder := expfmt.NewEncoder(w, format)
	for _, family := range families {
		if err := encoder.Encode(family); err != nil {
			return err
		}
	}
	if closer, ok := encoder.(expfmt.Closer); ok {
		return closer.Close()
	}
	return nil
}

// Collect and encode 10k series: promemu's WriteText against client_golang's Gather + expfmt, in
// text 0.0.4, OpenMetrics 1.0 and delimited protobuf.
func BenchmarkExpose10k(b *testing.B) {
	ours, theirs := exposition10k()
	for _, f := range []struct {
		name   string
		ours   Format
		theirs expfmt.Format
	}{
		{"text", FormatText, expfmt.NewFormat(expfmt.TypeTextPlain)},
		{"openmetrics", FormatOpenMetrics, expfmt.NewFormat(expfmt.TypeOpenMetrics)},
		{"protobuf", FormatProtobuf, expfmt.NewFormat(expfmt.TypeProtoDelim)},
	} {
		b.Run(f.name+"/promemu", func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				var counter countingWriter
				if err := ours.WriteText(&counter, f.ours); err != nil {
					b.Fatal(err)
				}
				size = int(counter)
			}
			b.ReportMetric(float64(size), "bytes/scrape")
			var text bytes.Buffer
			if err := ours.WriteText(&text, f.ours); err != nil {
				b.Fatal(err)
			}
			checkSeries(b, text.Bytes(), f.theirs)
		})
		b.Run(f.name+"/client_golang", func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				var counter countingWriter
				if err := encodeTheirs(&counter, theirs, f.theirs); err != nil {
					b.Fatal(err)
				}
				size = int(counter)
			}
			b.ReportMetric(float64(size), "bytes/scrape")
			var text bytes.Buffer
			if err := encodeTheirs(&text, theirs, f.theirs); err != nil {
				b.Fatal(err)
			}
			checkSeries(b, text.Bytes(), f.theirs)
		})
	}
}

// The structured snapshot: promemu's Gather (built from the C snapshot) against client_golang's.
func BenchmarkGather10k(b *testing.B) {
	ours, theirs := exposition10k()
	b.Run("promemu", func(b *testing.B) {
		b.ReportAllocs()
		var families []MetricFamily
		for b.Loop() {
			var err error
			if families, err = ours.Gather(); err != nil {
				b.Fatal(err)
			}
		}
		series := 0
		for _, family := range families {
			for _, sample := range family.Samples {
				if sample.Name == "http_requests_total" {
					series++
				}
			}
		}
		checkValue(b, float64(series), exposedSeries)
	})
	b.Run("client_golang", func(b *testing.B) {
		b.ReportAllocs()
		var families []*dto.MetricFamily
		for b.Loop() {
			var err error
			if families, err = theirs.Gather(); err != nil {
				b.Fatal(err)
			}
		}
		series := 0
		for _, family := range families {
			series += len(family.GetMetric())
		}
		checkValue(b, float64(series), exposedSeries)
	})
}

// checkValue fails the benchmark when what it did is not what it counted.
func checkValue(b *testing.B, got, want float64) {
	b.Helper()
	if got != want {
		b.Fatalf("read back %v, want %v", got, want)
	}
}

// written reads a client_golang metric back.
func written(b *testing.B, metric prometheus.Metric) *dto.Metric {
	b.Helper()
	var m dto.Metric
	if err := metric.Write(&m); err != nil {
		b.Fatal(err)
	}
	return &m
}

// checkSeries fails the benchmark unless the exposition holds one sample line per series (one
// metric of the family, in protobuf).
func checkSeries(b *testing.B, text []byte, format expfmt.Format) {
	b.Helper()
	series := 0
	if format.FormatType() == expfmt.TypeProtoDelim {
		decoder := expfmt.NewDecoder(bytes.NewReader(text), format)
		for {
			var family dto.MetricFamily
			if err := decoder.Decode(&family); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			if family.GetName() == "http_requests_total" {
				series += len(family.GetMetric())
			}
		}
		checkValue(b, float64(series), exposedSeries)
		return
	}
	for line := range bytes.Lines(text) {
		if bytes.HasPrefix(line, []byte("http_requests_total{")) {
			series++
		}
	}
	checkValue(b, float64(series), exposedSeries)
}

type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)
