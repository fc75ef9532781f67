package promemu

import (
	"math"
	"strings"
	"testing"
)

func TestCounter(t *testing.T) {
	r := NewRegistry()
	c := MustNewCounter(CounterOpts{Name: "jobs_total", Help: "Jobs."})
	r.MustRegister(c)
	if c.Get() != 0 {
		t.Fatalf("a new counter is %v", c.Get())
	}
	c.Inc()
	c.Add(2.5)
	c.Add(math.Inf(1))
	c.Add(0)
	if !math.IsInf(c.Get(), 1) {
		t.Fatalf("got %v", c.Get())
	}
	if err := c.Reset(); err != nil {
		t.Fatal(err)
	}
	c.Add(4)
	if got := value(t, r, "jobs_total"); got != 4 {
		t.Fatalf("jobs_total = %v", got)
	}
	if _, ok := sample(t, r, "jobs_created"); !ok {
		t.Fatal("no jobs_created sample")
	}
}

func TestCounterRefusesNegativeAndNaN(t *testing.T) {
	c := MustNewCounter(CounterOpts{Name: "c", Help: "c"})
	c.Add(1)
	panicsWith(t, ErrInvalidValue, func() { c.Add(-1) }, "pe_counter_inc")
	panicsWith(t, ErrInvalidValue, func() { c.Add(math.NaN()) }, "pe_counter_inc")
	if c.Get() != 1 {
		t.Fatalf("a refused update changed the value to %v", c.Get())
	}
}

func TestCounterExemplar(t *testing.T) {
	r := NewRegistry()
	c := MustNewCounter(CounterOpts{Name: "c", Help: "c"})
	r.MustRegister(c)
	if err := c.AddWithExemplar(2, Labels{"trace_id": "abc", "span": "1"}); err != nil {
		t.Fatal(err)
	}
	s, _ := sample(t, r, "c_total")
	if s.Exemplar == nil || s.Exemplar.Value != 2 || s.Exemplar.Timestamp.IsZero() {
		t.Fatalf("exemplar %+v", s.Exemplar)
	}
	if len(s.Exemplar.Labels) != 2 || s.Exemplar.Labels["span"] != "1" || s.Exemplar.Labels["trace_id"] != "abc" {
		t.Fatalf("exemplar labels %v", s.Exemplar.Labels)
	}
	long := strings.Repeat("x", 200)
	errorIs(t, c.AddWithExemplar(1, Labels{"x": long}), ErrInvalidValue)
	errorIs(t, c.AddWithExemplar(-1, nil), ErrInvalidValue)
	if c.Get() != 2 {
		t.Fatalf("refused exemplar updates changed the value: %v", c.Get())
	}
}

func TestCounterNames(t *testing.T) {
	// Any non-empty UTF-8 metric name is valid (names_test.go has the escaping and the legacy
	// rules); label names must not start with __.
	if _, err := NewCounter(CounterOpts{Name: "good name.1"}); err != nil {
		t.Fatal(err)
	}
	_, err := NewCounter(CounterOpts{Name: ""})
	errorIs(t, err, ErrInvalidName, "pe_counter_new_opts", "empty")
	_, err = NewCounterVec(CounterOpts{Name: "c"}, []string{"__reserved"})
	errorIs(t, err, ErrInvalidName, "__reserved")
	_, err = NewCounterVec(CounterOpts{Name: "c"}, []string{"a", "a"})
	errorIs(t, err, ErrInvalidName)
	_, err = NewCounter(CounterOpts{Name: "c", Unit: "bad unit"})
	errorIs(t, err, ErrInvalidConfig)
	_, err = NewCounter(CounterOpts{Name: "c\xff"})
	errorIs(t, err, ErrUTF8)
	panicsWith(t, ErrInvalidName, func() { MustNewCounterVec(CounterOpts{Name: "1x"}, []string{"__x"}) })

	r := NewRegistry()
	c := MustNewCounter(CounterOpts{Namespace: "ns", Subsystem: "sub", Name: "bytes_total", Unit: "bytes", Help: "B."})
	r.MustRegister(c)
	families, _ := r.Gather()
	if len(families) != 1 || families[0].Name != "ns_sub_bytes" || families[0].Unit != "bytes" || families[0].Type != TypeCounter || families[0].Help != "B." {
		t.Fatalf("families %+v", families)
	}
}

func TestCounterVec(t *testing.T) {
	r := NewRegistry()
	v := MustNewCounterVec(CounterOpts{Name: "requests", Help: "r"}, []string{"method", "code"})
	r.MustRegister(v)
	get := v.WithLabelValues("GET", "200")
	if v.WithLabelValues("GET", "200") != get || v.With(Labels{"code": "200", "method": "GET"}) != get {
		t.Fatal("the same label values gave another child")
	}
	get.Inc()
	v.WithLabelValues("POST", "500").Add(2)
	v.With(Labels{"method": "GET", "code": "200"}).Add(3)
	if got := value(t, r, "requests_total", "method", "GET", "code", "200"); got != 4 {
		t.Fatalf("GET = %v", got)
	}
	if v.Get() != 6 {
		t.Fatalf("sum over children = %v", v.Get())
	}
	// Values that hash alike in a naive join stay apart.
	v.WithLabelValues("a", "bc").Inc()
	v.WithLabelValues("ab", "c").Add(10)
	if v.WithLabelValues("a", "bc").Get() != 1 || v.WithLabelValues("ab", "c").Get() != 10 {
		t.Fatal("children mixed up")
	}

	_, err := v.GetMetricWithLabelValues("GET")
	errorIs(t, err, ErrLabelCount, "pe_counter_labels", "expected 2, got 1")
	_, err = v.GetMetricWith(Labels{"method": "GET"})
	errorIs(t, err, ErrLabelCount, "code")
	_, err = v.GetMetricWith(Labels{"method": "GET", "code": "200", "extra": "x"})
	errorIs(t, err, ErrLabelCount)
	_, err = v.GetMetricWith(Labels{"method": "GET", "status": "200"})
	errorIs(t, err, ErrLabelCount)
	_, err = v.GetMetricWithLabelValues("GET", "\xff")
	errorIs(t, err, ErrUTF8)
	panicsWith(t, ErrLabelCount, func() { v.WithLabelValues() })
	panicsWith(t, ErrLabelCount, func() { v.With(nil) })

	if !v.DeleteLabelValues("POST", "500") || v.DeleteLabelValues("POST", "500") {
		t.Fatal("DeleteLabelValues should report the first removal only")
	}
	if _, ok := sample(t, r, "requests_total", "method", "POST", "code", "500"); ok {
		t.Fatal("a deleted child is still exposed")
	}
	if !v.Delete(Labels{"method": "GET", "code": "200"}) || v.Delete(Labels{"method": "GET"}) {
		t.Fatal("Delete")
	}
	// A handle kept across Delete stays usable; a new lookup makes a new series at 0.
	get.Inc()
	if v.WithLabelValues("GET", "200").Get() != 0 {
		t.Fatal("a deleted child came back with its old value")
	}
	v.Reset()
	if v.Get() != 0 {
		t.Fatalf("after Reset the sum is %v", v.Get())
	}
	if families, _ := r.Gather(); len(families[0].Samples) != 0 {
		t.Fatalf("after Reset: %+v", families[0].Samples)
	}
	// A child cannot be registered, nor used as a family.
	errorIs(t, r.Register(v.WithLabelValues("x", "y")), ErrWrongKind)
}

func TestCounterClose(t *testing.T) {
	r := NewRegistry()
	c := MustNewCounter(CounterOpts{Name: "c", Help: "c"})
	r.MustRegister(c)
	c.Add(5)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal("a second Close:", err)
	}
	// The registry keeps its own reference.
	if got := value(t, r, "c_total"); got != 5 {
		t.Fatalf("after Close the registry shows %v", got)
	}
	panicsWith(t, ErrClosed, func() { c.Inc() })
	panicsWith(t, ErrClosed, func() { c.Get() })
	errorIs(t, c.Reset(), ErrClosed)
	errorIs(t, r.Register(c), ErrClosed)

	v := MustNewCounterVec(CounterOpts{Name: "v", Help: "v"}, []string{"l"})
	child := v.WithLabelValues("a")
	_ = child.Close() // a vec's child: does nothing
	child.Inc()
	_ = v.Close()
	child.Inc() // the child keeps its own reference
	if child.Get() != 2 {
		t.Fatalf("child = %v", child.Get())
	}
	_, err := v.GetMetricWithLabelValues("b")
	errorIs(t, err, ErrClosed)
}
