package promemu

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestWrapRegistererWithPrefixAndLabels(t *testing.T) {
	root := NewRegistry()
	view := WrapRegistererWith(Labels{"env": "prod", "dc": "x"}, WrapRegistererWithPrefix("app_", root))
	requests := MustNewCounterVec(CounterOpts{Name: "requests_total", Help: "h"}, []string{"method"})
	requests.WithLabelValues("GET").Inc()
	depth := MustNewGaugeVec(GaugeOpts{Name: "queue_depth", Help: "h", ConstLabels: Labels{"service": "api"}}, []string{"queue"})
	depth.WithLabelValues("mail").Set(7)
	view.MustRegister(requests, depth)

	body, err := root.Expose(FormatText)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"# TYPE app_requests_total counter",
		`app_requests_total{dc="x",env="prod",method="GET"} 1`,
		`app_queue_depth{dc="x",env="prod",service="api",queue="mail"} 7`,
	} {
		if !strings.Contains(string(body), line+"\n") {
			t.Errorf("no %s in\n%s", line, body)
		}
	}
	families := parseText(t, body)
	if got := labelsOf(families["app_queue_depth"].GetMetric()[0]); strings.Join(got, ",") != "dc=x,env=prod,service=api,queue=mail" {
		t.Errorf("expfmt reads app_queue_depth with %v", got)
	}
	// Exposing the view exposes the root.
	viewBody, err := view.Expose(FormatText)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(viewBody, body) {
		t.Errorf("the view exposes\n%s\nthe root\n%s", viewBody, body)
	}
	if got := value(t, view, "app_requests_total", "dc", "x", "env", "prod", "method", "GET"); got != 1 {
		t.Errorf("Gather on the view: %v", got)
	}
	// Updates after registration show through the wrapper.
	requests.WithLabelValues("GET").Add(2)
	if got := value(t, root, "app_requests_total", "dc", "x", "env", "prod", "method", "GET"); got != 3 {
		t.Errorf("after Add: %v", got)
	}

	// Unregister through the view removes what it registered; the root finds it too.
	if !view.Unregister(requests) || view.Unregister(requests) {
		t.Fatal("Unregister through the view")
	}
	if _, ok := sample(t, root, "app_requests_total", "dc", "x", "env", "prod", "method", "GET"); ok {
		t.Fatal("app_requests_total still exposed after Unregister through the view")
	}
	if !root.Unregister(depth) {
		t.Fatal("Unregister from the root of a collector registered through a view")
	}
	if families, err := root.Gather(); err != nil || len(families) != 0 {
		t.Fatalf("root after both Unregisters: %v, %v", families, err)
	}
	if err := view.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestWrapNested(t *testing.T) {
	root := NewRegistry()
	outer, err := root.Wrap("app_", Labels{"env": "prod"})
	if err != nil {
		t.Fatal(err)
	}
	inner, err := outer.Wrap("http_", Labels{"zone": "eu"})
	if err != nil {
		t.Fatal(err)
	}
	c := MustNewCounter(CounterOpts{Name: "requests_total", Help: "h"})
	c.Inc()
	inner.MustRegister(c)
	// The view made first (nearest the root) comes first, in the name and in the labels.
	if got := value(t, root, "app_http_requests_total", "env", "prod", "zone", "eu"); got != 1 {
		t.Fatalf("nested: %v", got)
	}
	// The views' handles go; the registered metric stays.
	if err := inner.Close(); err != nil {
		t.Fatal(err)
	}
	if err := outer.Close(); err != nil {
		t.Fatal(err)
	}
	errorIs(t, inner.Register(c), ErrClosed)
	_, err = inner.Wrap("x_", nil)
	errorIs(t, err, ErrClosed)
	if got := value(t, root, "app_http_requests_total", "env", "prod", "zone", "eu"); got != 1 {
		t.Fatalf("after closing the views: %v", got)
	}
}

func TestWrapClashes(t *testing.T) {
	root := NewRegistry()
	view := WrapRegistererWithPrefix("app_", root)
	direct := MustNewCounter(CounterOpts{Name: "app_requests_total", Help: "h"})
	root.MustRegister(direct)
	// The prefixed names clash with the root's.
	wrapped := MustNewCounter(CounterOpts{Name: "requests_total", Help: "h"})
	errorIs(t, view.Register(wrapped), ErrDuplicate, "app_requests")

	// A family that already has one of the view's labels is refused.
	labelled := WrapRegistererWith(Labels{"env": "prod"}, root)
	has := MustNewGaugeVec(GaugeOpts{Name: "has_env", Help: "h"}, []string{"env"})
	errorIs(t, labelled.Register(has), ErrInvalidName, `"env"`)
	hasConst := MustNewGauge(GaugeOpts{Name: "has_const_env", Help: "h", ConstLabels: Labels{"env": "dev"}})
	errorIs(t, labelled.Register(hasConst), ErrInvalidName, `"env"`)
	if families, err := root.Gather(); err != nil || len(families) != 1 {
		t.Fatalf("the refusals changed the root: %v, %v", families, err)
	}

	// Labels the library refuses: an error from Wrap, a panic from WrapRegistererWith.
	_, err := root.Wrap("", Labels{"__reserved": "1"})
	errorIs(t, err, ErrInvalidName, "__reserved")
	_, err = root.Wrap("", Labels{"": "1"})
	errorIs(t, err, ErrInvalidName)
	_, err = root.Wrap("", Labels{"k": "\xff"})
	errorIs(t, err, ErrUTF8)
	panicsWith(t, ErrInvalidName, func() { WrapRegistererWith(Labels{"__x": "1"}, root) }, "__x")

	// A closed parent.
	closed := NewRegistry()
	_ = closed.Close()
	_, err = closed.Wrap("p_", nil)
	errorIs(t, err, ErrClosed)
	panicsWith(t, ErrClosed, func() { WrapRegistererWithPrefix("p_", closed) })
}

// nil wraps DefaultRegistry, as Handler(nil) serves it.
func TestWrapNilIsDefaultRegistry(t *testing.T) {
	view := WrapRegistererWith(Labels{"wrapped": "yes"}, nil)
	c := MustNewCounter(CounterOpts{Name: "wrap_default_total", Help: "h"})
	c.Inc()
	view.MustRegister(c)
	defer Unregister(c)
	if got := value(t, DefaultRegistry, "wrap_default_total", "wrapped", "yes"); got != 1 {
		t.Fatalf("wrap_default_total in DefaultRegistry: %v", got)
	}
	var nilRegistry *Registry
	prefixed, err := nilRegistry.Wrap("wrap_p_", nil)
	if err != nil {
		t.Fatal(err)
	}
	g := MustNewGauge(GaugeOpts{Name: "g", Help: "h"})
	prefixed.MustRegister(g)
	defer Unregister(g)
	if _, ok := sample(t, DefaultRegistry, "wrap_p_g"); !ok {
		t.Fatal("no wrap_p_g in DefaultRegistry")
	}
}

// Expiry works on a family registered through a view.
func TestWrapSeriesTTL(t *testing.T) {
	step := pinClock(t)
	root := NewRegistry()
	v := MustNewCounterVec(CounterOpts{Name: "jobs_total", Help: "h", SeriesTTL: time.Minute}, []string{"k"})
	WrapRegistererWith(Labels{"env": "prod"}, root).MustRegister(v)
	c := v.WithLabelValues("a")
	c.Inc()
	_ = c.Close()
	if got := value(t, root, "jobs_total", "env", "prod", "k", "a"); got != 1 {
		t.Fatalf("jobs_total %v", got)
	}
	step(time.Minute)
	if _, ok := sample(t, root, "jobs_total", "env", "prod", "k", "a"); ok {
		t.Fatal("jobs_total{k=a} still exposed a TTL after the first collection")
	}
}

func TestReadmeLifecycleIsTheExample(t *testing.T) { readmeHasExample(t, "ExampleWrapRegistererWith") }
