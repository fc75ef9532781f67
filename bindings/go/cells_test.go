package promemu

import (
	"math"
	"sync"
	"testing"
)

// The cell protocol: updates made directly on the library's memory and updates made through
// the library, concurrently on one series, add up exactly (run with -race too).

const cellWorkers, cellIncrements = 4, 100_000

func TestCounterCellsAndCallsAddUpOnOneSeries(t *testing.T) {
	c := MustNewCounter(CounterOpts{Name: "cells_total", Help: "h"})
	if c.cells.whole == nil {
		t.Fatal("a counter without labels has no cells")
	}
	var wg sync.WaitGroup
	for w := range 2 * cellWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range cellIncrements {
				switch w % 4 {
				case 0:
					c.Inc() // the cells
				case 1:
					c.Add(0.5) // a fraction word
				case 2:
					c.addCall(1) // the library's own per-CPU path
				default:
					c.addCall(0.5) // the library's fraction path
				}
			}
		}()
	}
	wg.Wait()
	if got, want := c.Get(), float64(2*cellWorkers*cellIncrements)*0.75; got != want {
		t.Fatalf("counter = %v, want %v", got, want)
	}
}

func TestCounterAddTakesOnlyWholeAmountsDirectly(t *testing.T) {
	c := MustNewCounter(CounterOpts{Name: "amounts_total", Help: "h"})
	c.Add(3)
	c.Add(0.25) // a fraction: through the library
	c.Add(0)
	if got := c.Get(); got != 3.25 {
		t.Fatalf("counter = %v, want 3.25", got)
	}
	huge := MustNewCounter(CounterOpts{Name: "huge_total", Help: "h"})
	huge.Add(math.Pow(2, 53) + 2) // beyond the exact range: through the library
	if got := huge.Get(); got != math.Pow(2, 53)+2 {
		t.Fatalf("huge counter = %v", got)
	}
	for _, bad := range []float64{-1, math.NaN(), math.Inf(-1)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Add(%v) did not panic", bad)
				}
			}()
			c.Add(bad)
		}()
	}
	if got := c.Get(); got != 3.25 {
		t.Fatalf("a refused Add changed the counter: %v", got)
	}
	c.Add(math.Inf(1))
	if !math.IsInf(c.Get(), 1) {
		t.Fatal("+Inf was not added")
	}
}

func TestCounterResetClearsWhatTheCellsHeld(t *testing.T) {
	c := MustNewCounter(CounterOpts{Name: "reset_total", Help: "h"})
	c.Add(5)
	if err := c.Reset(); err != nil {
		t.Fatal(err)
	}
	c.Inc()
	if got := c.Get(); got != 1 {
		t.Fatalf("after reset and Inc: %v", got)
	}
}

func TestVecChildrenKeptByTheVecUseCells(t *testing.T) {
	v := MustNewCounterVec(CounterOpts{Name: "kept_total", Help: "h"}, []string{"code"})
	kept := v.WithLabelValues("200")
	if kept.cells.whole == nil {
		t.Fatal("a kept child has no cells")
	}
	var wg sync.WaitGroup
	for w := range 2 * cellWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range cellIncrements {
				if w%2 == 0 {
					v.WithLabelValues("200").Inc()
				} else {
					kept.addCall(2)
				}
			}
		}()
	}
	wg.Wait()
	if got, want := kept.Get(), float64(cellWorkers*cellIncrements*3); got != want {
		t.Fatalf("child = %v, want %v", got, want)
	}
	// A vec that keeps no children (idle expiry) hands out children without cells: their
	// updates go through the library, which keeps the expiry's bookkeeping.
	ttl := MustNewCounterVec(CounterOpts{Name: "ttl_cells_total", Help: "h", SeriesTTL: 60e9}, []string{"code"})
	child := ttl.WithLabelValues("500")
	defer child.Close()
	if child.cells.whole != nil {
		t.Fatal("a caller-owned child has cells")
	}
	child.Inc()
	if got := child.Get(); got != 1 {
		t.Fatalf("ttl child = %v", got)
	}
}

func TestGaugeCellAndCallsAddUpOnOneSeries(t *testing.T) {
	g := MustNewGauge(GaugeOpts{Name: "cells_gauge", Help: "h"})
	if g.cell.bits == nil {
		t.Fatal("a gauge without labels has no cell")
	}
	var wg sync.WaitGroup
	for w := range 2 * cellWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range cellIncrements {
				if w%2 == 0 {
					g.Add(3) // the cell
				} else {
					g.addCall(-1) // the library
				}
			}
		}()
	}
	wg.Wait()
	if got, want := g.Get(), float64(cellWorkers*cellIncrements*2); got != want {
		t.Fatalf("gauge = %v, want %v", got, want)
	}
	g.Set(math.NaN())
	if !math.IsNaN(g.Get()) {
		t.Fatal("NaN is a gauge value")
	}
	g.Set(-2.5)
	g.Sub(0.5)
	g.Dec()
	if got := g.Get(); got != -4 {
		t.Fatalf("gauge = %v, want -4", got)
	}
}

func TestClosedMetricsStopUsingTheirCells(t *testing.T) {
	c := MustNewCounter(CounterOpts{Name: "closed_total", Help: "h"})
	g := MustNewGauge(GaugeOpts{Name: "closed_gauge", Help: "h"})
	c.Close()
	g.Close()
	for name, update := range map[string]func(){"Inc": c.Inc, "Set": func() { g.Set(1) }} {
		func() {
			defer func() {
				if err, _ := recover().(error); err != ErrClosed {
					t.Errorf("%s after Close: %v, want ErrClosed", name, err)
				}
			}()
			update()
		}()
	}
}

func TestSpreadIndexStaysWithinTheCells(t *testing.T) {
	for _, cells := range []uintptr{1, 2, 4, 32} {
		for range 100 {
			if i := spreadIndex(cells - 1); i >= cells {
				t.Fatalf("index %d of %d cells", i, cells)
			}
		}
	}
}
