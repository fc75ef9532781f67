package promemu

// Benchmarks side by side with client_golang, in one run:
//
//	go test -run '^$' -bench . -benchmem
//
// Each benchmark has a promemu and a client_golang sub-benchmark doing the same work. Nothing
// here is asserted; the ratios are reported in bindings/go/README.md.

import (
	"fmt"
	"io"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
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
	})
	b.Run("client_golang", func(b *testing.B) {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: "c", Help: "c"})
		for b.Loop() {
			c.Inc()
		}
	})
}

func BenchmarkCounterAdd(b *testing.B) {
	b.Run("promemu", func(b *testing.B) {
		c := MustNewCounter(CounterOpts{Name: "c", Help: "c"})
		for b.Loop() {
			c.Add(0.5)
		}
	})
	b.Run("client_golang", func(b *testing.B) {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: "c", Help: "c"})
		for b.Loop() {
			c.Add(0.5)
		}
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
	})
	b.Run("client_golang", func(b *testing.B) {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "g", Help: "g"})
		v := 0.0
		for b.Loop() {
			v++
			g.Set(v)
		}
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
	})
	b.Run("client_golang", func(b *testing.B) {
		h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h", Help: "h"})
		v := 0.0
		for b.Loop() {
			v += 0.001
			h.Observe(v)
		}
	})
}

func BenchmarkSummaryObserve(b *testing.B) {
	b.Run("promemu", func(b *testing.B) {
		s := MustNewSummary(SummaryOpts{Name: "s", Help: "s", Objectives: DefObjectives})
		v := 0.0
		for b.Loop() {
			v++
			s.Observe(v)
		}
	})
	b.Run("client_golang", func(b *testing.B) {
		s := prometheus.NewSummary(prometheus.SummaryOpts{Name: "s", Help: "s", Objectives: map[float64]float64{0.5: 0.05, 0.9: 0.01, 0.99: 0.001}})
		v := 0.0
		for b.Loop() {
			v++
			s.Observe(v)
		}
	})
}

// Labelled lookup + inc with 2 label values, the child existing.
func BenchmarkLabelledInc(b *testing.B) {
	b.Run("promemu", func(b *testing.B) {
		v := MustNewCounterVec(CounterOpts{Name: "c", Help: "c"}, []string{"method", "code"})
		for b.Loop() {
			v.WithLabelValues("GET", "200").Inc()
		}
	})
	b.Run("client_golang", func(b *testing.B) {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "c", Help: "c"}, []string{"method", "code"})
		for b.Loop() {
			v.WithLabelValues("GET", "200").Inc()
		}
	})
}

func BenchmarkLabelledIncWithMap(b *testing.B) {
	b.Run("promemu", func(b *testing.B) {
		v := MustNewCounterVec(CounterOpts{Name: "c", Help: "c"}, []string{"method", "code"})
		labels := Labels{"method": "GET", "code": "200"}
		for b.Loop() {
			v.With(labels).Inc()
		}
	})
	b.Run("client_golang", func(b *testing.B) {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "c", Help: "c"}, []string{"method", "code"})
		labels := prometheus.Labels{"method": "GET", "code": "200"}
		for b.Loop() {
			v.With(labels).Inc()
		}
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
	})
	b.Run("client_golang", func(b *testing.B) {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: "c", Help: "c"})
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Inc()
			}
		})
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

// Collect and encode 10k series: promemu's WriteText against client_golang's Gather + expfmt.
func BenchmarkExpose10k(b *testing.B) {
	ours, theirs := exposition10k()
	for _, f := range []struct {
		name   string
		ours   Format
		theirs expfmt.Format
	}{{"text", FormatText, expfmt.NewFormat(expfmt.TypeTextPlain)}, {"openmetrics", FormatOpenMetrics, expfmt.NewFormat(expfmt.TypeOpenMetrics)}} {
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
		})
		b.Run(f.name+"/client_golang", func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				families, err := theirs.Gather()
				if err != nil {
					b.Fatal(err)
				}
				var counter countingWriter
				encoder := expfmt.NewEncoder(&counter, f.theirs)
				for _, family := range families {
					if err := encoder.Encode(family); err != nil {
						b.Fatal(err)
					}
				}
				if closer, ok := encoder.(expfmt.Closer); ok {
					_ = closer.Close()
				}
				size = int(counter)
			}
			b.ReportMetric(float64(size), "bytes/scrape")
		})
	}
}

// The structured snapshot: promemu's Gather (built from the C snapshot) against client_golang's.
func BenchmarkGather10k(b *testing.B) {
	ours, theirs := exposition10k()
	b.Run("promemu", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ours.Gather(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("client_golang", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := theirs.Gather(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)
