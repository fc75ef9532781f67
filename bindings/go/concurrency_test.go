package promemu

import (
	"fmt"
	"sync"
	"testing"
)

const (
	goroutines = 16
	iterations = 5000
)

// Many goroutines update shared metrics (bound children and vec lookups racing to create the
// same children) while another scrapes; the totals are exact.
func TestConcurrentUpdatesExactTotals(t *testing.T) {
	r := NewRegistry()
	counter := MustNewCounter(CounterOpts{Name: "c", Help: "c"})
	gauge := MustNewGauge(GaugeOpts{Name: "g", Help: "g"})
	histogram := MustNewHistogram(HistogramOpts{Name: "h", Help: "h", Buckets: []float64{1, 2}})
	summary := MustNewSummary(SummaryOpts{Name: "s", Help: "s", Objectives: DefObjectives})
	vec := MustNewCounterVec(CounterOpts{Name: "v", Help: "v"}, []string{"shard", "kind"})
	hvec := MustNewHistogramVec(HistogramOpts{Name: "hv", Help: "hv"}, []string{"shard"})
	r.MustRegister(counter, gauge, histogram, summary, vec, hvec)

	stop := make(chan struct{})
	var scraper sync.WaitGroup
	scraper.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			families, err := r.Gather()
			if err != nil {
				t.Error(err)
				return
			}
			for _, f := range families {
				if f.Type != TypeHistogram {
					continue
				}
				// A scrape never sees a torn histogram: +Inf equals the count.
				var inf, count float64
				for _, s := range f.Samples {
					switch {
					case s.Label("le") == "+Inf":
						inf = s.Value
					case s.Name == f.Name+"_count":
						count = s.Value
						if inf != count {
							t.Errorf("%s: +Inf bucket %v, count %v", f.Name, inf, count)
						}
					}
				}
			}
		}
	})

	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			shard := fmt.Sprint(g % 4)
			bound := vec.WithLabelValues(shard, "bound")
			for i := range iterations {
				counter.Inc()
				gauge.Add(2)
				gauge.Dec()
				histogram.Observe(float64(i % 3))
				summary.Observe(float64(i))
				bound.Inc()
				vec.WithLabelValues(shard, "lookup").Add(0.5)
				vec.With(Labels{"shard": shard, "kind": "labels"}).Inc()
				hvec.WithLabelValues(shard).Observe(1)
			}
		})
	}
	wg.Wait()
	close(stop)
	scraper.Wait()

	total := float64(goroutines * iterations)
	if counter.Get() != total || gauge.Get() != total {
		t.Fatalf("counter %v gauge %v, want %v", counter.Get(), gauge.Get(), total)
	}
	if histogram.Count() != uint64(total) || summary.Count() != uint64(total) || hvec.Count() != uint64(total) {
		t.Fatalf("histogram %v summary %v hvec %v", histogram.Count(), summary.Count(), hvec.Count())
	}
	_, cumulative := histogram.Buckets()
	var upToOne uint64
	for i := range iterations {
		if i%3 <= 1 {
			upToOne += goroutines
		}
	}
	if cumulative[0] != upToOne || cumulative[1] != uint64(total) || cumulative[2] != uint64(total) {
		t.Fatalf("buckets %v", cumulative)
	}
	perShard := total / 4
	for shard := range 4 {
		s := fmt.Sprint(shard)
		if got := vec.WithLabelValues(s, "bound").Get(); got != perShard {
			t.Fatalf("shard %s bound: %v", s, got)
		}
		if got := vec.WithLabelValues(s, "lookup").Get(); got != perShard/2 {
			t.Fatalf("shard %s lookup: %v", s, got)
		}
		if got := value(t, r, "v_total", "shard", s, "kind", "labels"); got != perShard {
			t.Fatalf("shard %s labels: %v", s, got)
		}
	}
	if families, _ := r.GatherFiltered([]string{"v"}); len(families[0].Samples) != 2*12 {
		t.Fatalf("racing lookups made %d samples, want 24 (12 series)", len(families[0].Samples))
	}
}

// Handles dropped without Close are released by finalizers, concurrently with use elsewhere.
func TestFinalizersUnderLoad(t *testing.T) {
	r := NewRegistry()
	keep := MustNewCounterVec(CounterOpts{Name: "kept", Help: "k"}, []string{"i"})
	r.MustRegister(keep)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				c := MustNewCounter(CounterOpts{Name: "dropped", Help: "d"})
				c.Inc()
				v := MustNewGaugeVec(GaugeOpts{Name: "dropped_vec"}, []string{"x"})
				v.WithLabelValues("a").Set(1)
				keep.WithLabelValues(fmt.Sprint(g)).Inc()
				if i%500 == 0 {
					keep.DeleteLabelValues(fmt.Sprint(g))
				}
			}
		})
	}
	wg.Wait()
	if keep.Get() <= 0 {
		t.Fatal("kept vec lost its updates")
	}
}
