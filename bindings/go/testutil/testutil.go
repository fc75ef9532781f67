// Package testutil is client_golang's testutil for promemu: ToFloat64, CollectAndCount,
// CollectAndCompare, GatherAndCompare, CollectAndLint. The comparisons and the linter are
// client_golang's own, run on the families the library exposes (through clientgolang.NewGatherer).
package testutil

import (
	"fmt"
	"io"

	"github.com/prometheus-emulator/promemu"
	"github.com/prometheus-emulator/promemu/clientgolang"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

// collect runs c.Collect and returns what it sent.
func collect(c promemu.Collector) []promemu.Metric {
	ch := make(chan promemu.Metric)
	go func() {
		defer close(ch)
		c.Collect(ch)
	}()
	var metrics []promemu.Metric
	for m := range ch {
		metrics = append(metrics, m)
	}
	return metrics
}

// ToFloat64 collects c, which must send exactly one counter, gauge or untyped metric (a Counter,
// a Gauge, the child of a vec, a function metric), and returns its value. Otherwise it panics,
// as client_golang's does.
func ToFloat64(c promemu.Collector) float64 {
	metrics := collect(c)
	if len(metrics) != 1 {
		panic(fmt.Errorf("collected %d metrics instead of exactly 1", len(metrics)))
	}
	var p promemu.Point
	if err := metrics[0].Write(&p); err != nil {
		panic(fmt.Errorf("error happened while collecting metrics: %w", err))
	}
	switch p.Type {
	case promemu.TypeCounter, promemu.TypeGauge, promemu.TypeUnknown:
		return p.Value
	}
	panic(fmt.Errorf("collected a non-gauge/counter/untyped metric: %s", p.Type))
}

// CollectAndCount returns the number of metrics c collects, only those whose descriptor name is
// one of names when there are any.
func CollectAndCount(c promemu.Collector, names ...string) int {
	count := 0
	for _, m := range collect(c) {
		if len(names) == 0 || contains(names, m.Desc().Name()) {
			count++
		}
	}
	return count
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// registryOf registers c in a registry of its own.
func registryOf(c promemu.Collector) (*promemu.Registry, error) {
	r := promemu.NewRegistry()
	if err := r.Register(c); err != nil {
		r.Close()
		return nil, fmt.Errorf("registering collector failed: %w", err)
	}
	return r, nil
}

// CollectAndCompare registers c in a registry of its own and compares what the library exposes
// with expected (the text format), restricted to the families names select when there are any,
// with client_golang's testutil.GatherAndCompare.
func CollectAndCompare(c promemu.Collector, expected io.Reader, names ...string) error {
	r, err := registryOf(c)
	if err != nil {
		return err
	}
	defer r.Close()
	return GatherAndCompare(r, expected, names...)
}

// GatherAndCompare compares the families of r with expected, as client_golang's does.
func GatherAndCompare(r *promemu.Registry, expected io.Reader, names ...string) error {
	return testutil.GatherAndCompare(clientgolang.NewGatherer(r), expected, names...)
}

// CollectAndLint registers c in a registry of its own and lints what the library exposes with
// client_golang's promlint.
func CollectAndLint(c promemu.Collector, names ...string) ([]promlint.Problem, error) {
	r, err := registryOf(c)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return testutil.GatherAndLint(clientgolang.NewGatherer(r), names...)
}
