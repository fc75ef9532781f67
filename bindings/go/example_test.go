package promemu_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/prometheus-emulator/promemu"
)

func Example() {
	registry := promemu.NewRegistry()
	defer registry.Close()

	requests := promemu.MustNewCounterVec(promemu.CounterOpts{
		Name: "http_requests_total",
		Help: "Requests served.",
	}, []string{"method", "code"})
	registry.MustRegister(requests)

	requests.WithLabelValues("GET", "200").Inc()
	requests.With(promemu.Labels{"method": "POST", "code": "500"}).Add(2)

	_ = registry.WriteText(os.Stdout, promemu.FormatText)
	// Output:
	// # HELP http_requests_total Requests served.
	// # TYPE http_requests_total counter
	// http_requests_total{method="GET",code="200"} 1
	// http_requests_total{method="POST",code="500"} 2
}

func ExampleNewHistogram() {
	registry := promemu.NewRegistry()
	latency := promemu.MustNewHistogram(promemu.HistogramOpts{
		Name:    "request_duration",
		Help:    "Request duration.",
		Unit:    "seconds",
		Buckets: promemu.ExponentialBuckets(0.01, 10, 3),
	})
	registry.MustRegister(latency)
	latency.Observe(0.05)
	latency.Observe(3)

	bounds, counts := latency.Buckets()
	fmt.Println(bounds, counts, latency.Count(), latency.Sum())
	// Output: [0.01 0.1 1 +Inf] [0 1 1 2] 2 3.05
}

func ExampleHistogram_NativeState() {
	registry := promemu.NewRegistry()
	latency := promemu.MustNewHistogram(promemu.HistogramOpts{
		Name: "request_duration", Help: "Request duration.", Unit: "seconds",
		// Native buckets only (no Buckets given), each at most 1.1 times as wide as the last:
		// schema 3. At most 160 buckets; past that, reset if the last reset is an hour ago.
		NativeHistogramBucketFactor:     1.1,
		NativeHistogramMaxBucketNumber:  160,
		NativeHistogramMinResetDuration: time.Hour,
	})
	registry.MustRegister(latency)
	for _, v := range []float64{0.5, 1, 2, 2, 3} {
		latency.Observe(v)
	}

	state, _ := latency.NativeState()
	fmt.Println(state.Schema, state.Positive.Keys, state.Positive.Counts)
	lower, upper, _ := promemu.NativeBucketBounds(13, state.Schema)
	fmt.Printf("bucket 13: (%.4f, %.4f]\n", lower, upper)

	// Prometheus 3 with scrape_native_histograms: true asks for protobuf, which promemu.Handler
	// and StartServer then serve; Expose and WriteText render it too.
	body, _ := registry.Expose(promemu.FormatProtobuf)
	fmt.Println(len(body) > 0)
	// Output:
	// 3 [-8 0 8 13] [1 1 2 1]
	// bucket 13: (2.8284, 3.0844]
	// true
}

func ExampleRegistry_Gather() {
	registry := promemu.NewRegistry()
	mode := promemu.MustNewEnum(promemu.EnumOpts{Name: "mode", Help: "Mode.", States: []string{"idle", "busy"}})
	registry.MustRegister(mode)
	_ = mode.Set("busy")

	families, _ := registry.Gather()
	for _, family := range families {
		for _, sample := range family.Samples {
			fmt.Println(family.Type, sample.Name, sample.Labels, sample.Value)
		}
	}
	// Output:
	// stateset mode [{mode idle}] 0
	// stateset mode [{mode busy}] 1
}

func ExampleError() {
	_, err := promemu.NewCounter(promemu.CounterOpts{Name: ""})
	fmt.Println(errors.Is(err, promemu.ErrInvalidName))
	var e *promemu.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status == promemu.StatusInvalidName)
	}
	// Output:
	// true
	// true
}

func ExampleEscapeName() {
	for _, scheme := range []promemu.EscapingScheme{promemu.NoEscaping, promemu.UnderscoreEscaping, promemu.DotsEscaping, promemu.ValueEncodingEscaping} {
		name, _ := promemu.EscapeName("app.requests_total", scheme)
		fmt.Printf("%s: %s\n", scheme, name)
	}
	// Output:
	// allow-utf-8: app.requests_total
	// underscores: app_requests_total
	// dots: app_dot_requests__total
	// values: U__app_2e_requests__total
}

func ExampleRegistry_ExposeEscaped() {
	registry := promemu.NewRegistry()
	requests := promemu.MustNewCounterVec(promemu.CounterOpts{Name: "app.requests_total", Help: "Requests."}, []string{"http.method"})
	registry.MustRegister(requests)
	requests.WithLabelValues("GET").Inc()
	for _, scheme := range []promemu.EscapingScheme{promemu.NoEscaping, promemu.UnderscoreEscaping} {
		text, _ := registry.ExposeEscaped(promemu.FormatPrometheus1, scheme)
		fmt.Print(promemu.FormatPrometheus1.ContentTypeEscaped(scheme), "\n", string(text))
	}
	// Output:
	// text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8
	// # HELP "app.requests_total" Requests.
	// # TYPE "app.requests_total" counter
	// {"app.requests_total","http.method"="GET"} 1
	// text/plain; version=1.0.0; charset=utf-8; escaping=underscores
	// # HELP app_requests_total Requests.
	// # TYPE app_requests_total counter
	// app_requests_total{http_method="GET"} 1
}

func ExampleHandler() {
	registry := promemu.NewRegistry()
	registry.MustRegister(promemu.MustNewGaugeFunc(promemu.GaugeOpts{Name: "answer", Help: "Always 42."},
		func() float64 { return 42 }))

	mux := http.NewServeMux()
	mux.Handle("/metrics", promemu.Handler(registry))
	// http.ListenAndServe(":9100", mux)
}

func ExampleStartServer() {
	server, err := promemu.StartServer("127.0.0.1:0", nil) // the default registry, with process metrics
	if err != nil {
		fmt.Println(err)
		return
	}
	defer server.Close()
	fmt.Println(server.Port() > 0)
	// Output: true
}

func ExamplePusher() {
	registry := promemu.NewRegistry()
	done := promemu.MustNewGauge(promemu.GaugeOpts{Name: "batch_last_success", Help: "Last success."})
	done.SetToCurrentTime()
	registry.MustRegister(done)

	err := promemu.NewPusher("localhost:9091", "nightly_batch").
		Registry(registry).
		Grouping("instance", "worker-1").
		Push()
	_ = err // an *Error matching ErrIO when no gateway listens
}

func ExampleCounterVec_maxSeries() {
	registry := promemu.NewRegistry()
	// At most 2 users; a third is refused (the zero Overflow, OverflowFold, would count it in
	// one user="__overflow__" series instead).
	requests := promemu.MustNewCounterVec(promemu.CounterOpts{
		Name: "capped_requests_total", Help: "Requests.",
		MaxSeries: 2, Overflow: promemu.OverflowRefuse,
	}, []string{"user"})
	registry.MustRegister(requests)
	for _, user := range []string{"ann", "bob", "cid", "ann"} {
		c, err := requests.GetMetricWithLabelValues(user)
		if errors.Is(err, promemu.ErrCardinality) {
			fmt.Println(err)
			continue
		}
		c.Inc()
	}
	body, _ := registry.Expose(promemu.FormatText)
	fmt.Print(string(body))
	// Output:
	// promemu: pe_counter_labels: family "capped_requests" holds its max_series of 2 series: new label sets are refused
	// # HELP capped_requests_total Requests.
	// # TYPE capped_requests_total counter
	// capped_requests_total{user="ann"} 2
	// capped_requests_total{user="bob"} 1
}

func ExampleWrapRegistererWith() {
	registry := promemu.NewRegistry()
	// What the queue package registers lands in registry as queue_..., with service="api".
	queues := promemu.WrapRegistererWith(promemu.Labels{"service": "api"},
		promemu.WrapRegistererWithPrefix("queue_", registry))
	depth := promemu.MustNewGaugeVec(promemu.GaugeOpts{
		Name: "depth", Help: "Messages waiting.",
		ConstLabels: promemu.Labels{"zone": "eu"},
		// A queue nobody updates for 10 minutes leaves the exposition.
		SeriesTTL: 10 * time.Minute,
	}, []string{"queue"})
	queues.MustRegister(depth)
	depth.WithLabelValues("mail").Set(7)
	body, _ := registry.Expose(promemu.FormatText)
	fmt.Print(string(body))
	// Output:
	// # HELP queue_depth Messages waiting.
	// # TYPE queue_depth gauge
	// queue_depth{service="api",zone="eu",queue="mail"} 7
}

func ExampleCounterVec_CurryWith() {
	registry := promemu.NewRegistry()
	requests := promemu.MustNewCounterVec(promemu.CounterOpts{
		Name: "http_requests_total", Help: "Requests served.",
	}, []string{"handler", "method", "code"})
	registry.MustRegister(requests)
	// The API's handlers count into the same family, naming the labels left.
	api := requests.MustCurryWith(promemu.Labels{"handler": "/api"})
	api.WithLabelValues("GET", "200").Inc()
	api.With(promemu.Labels{"method": "POST", "code": "500"}).Inc()
	if _, err := api.CurryWith(promemu.Labels{"handler": "/other"}); err != nil {
		fmt.Println(err)
	}
	body, _ := registry.Expose(promemu.FormatText)
	fmt.Print(string(body))
	// Output:
	// promemu: label name "handler" is already curried
	// # HELP http_requests_total Requests served.
	// # TYPE http_requests_total counter
	// http_requests_total{handler="/api",method="GET",code="200"} 1
	// http_requests_total{handler="/api",method="POST",code="500"} 1
}

func ExampleRegistry_SetStyle() {
	registry := promemu.NewRegistry()
	// prometheus_client's text: its numbers, registration order (and a name_created gauge family
	// after each counter, histogram and summary).
	if err := registry.SetStyle(promemu.StyleClientPython); err != nil {
		panic(err)
	}
	queue := promemu.MustNewGauge(promemu.GaugeOpts{Name: "queue_depth", Help: "Messages waiting."})
	heap := promemu.MustNewGauge(promemu.GaugeOpts{Name: "heap_bytes", Help: "Heap in use."})
	registry.MustRegister(queue, heap)
	queue.Set(7)
	heap.Set(123456789)
	body, _ := registry.Expose(promemu.FormatText)
	fmt.Print(string(body))
	// Output:
	// # HELP queue_depth Messages waiting.
	// # TYPE queue_depth gauge
	// queue_depth 7.0
	// # HELP heap_bytes Heap in use.
	// # TYPE heap_bytes gauge
	// heap_bytes 1.23456789e+08
}

// waitCollector reports a histogram kept elsewhere, with the time it started and an exemplar.
type waitCollector struct{ desc *promemu.Desc }

func (c waitCollector) Describe(ch chan<- *promemu.Desc) { ch <- c.desc }

func (c waitCollector) Collect(ch chan<- promemu.Metric) {
	started := time.UnixMilli(1700000000500)
	ch <- promemu.MustNewMetricWithExemplars(
		promemu.MustNewConstHistogramWithCreatedTimestamp(c.desc, 4, 2.5, map[float64]uint64{0.5: 1, 1: 3}, started),
		promemu.Exemplar{Value: 0.7, Labels: promemu.Labels{"trace_id": "c"}, Timestamp: time.UnixMilli(1700000002000)},
	)
}

func ExampleNewMetricWithExemplars() {
	registry := promemu.NewRegistry()
	registry.MustRegister(waitCollector{promemu.NewDesc("wait_seconds", "Time waited.", nil, nil)})
	body, _ := registry.Expose(promemu.FormatOpenMetrics)
	fmt.Print(string(body))
	// Output:
	// # TYPE wait_seconds histogram
	// # HELP wait_seconds Time waited.
	// wait_seconds_bucket{le="0.5"} 1
	// wait_seconds_bucket{le="1.0"} 3 # {trace_id="c"} 0.7 1700000002
	// wait_seconds_bucket{le="+Inf"} 4
	// wait_seconds_count 4
	// wait_seconds_sum 2.5
	// wait_seconds_created 1700000000.5
	// # EOF
}

// A sender pushes a registry to Prometheus's remote-write receiver every 15 seconds, from a
// thread of the library's own; Stop sends a last collection before the deadline. (Not run: it
// needs a receiver; sender_test.go runs the same against Prometheus 3.16.)
func ExampleNewSender() {
	registry := promemu.NewRegistry()
	jobs := promemu.MustNewCounter(promemu.CounterOpts{Name: "jobs_total", Help: "Jobs done."})
	registry.MustRegister(jobs)

	sender, err := promemu.NewSender(registry, promemu.SenderOpts{
		URL:            "http://prometheus:9090/api/v1/write",
		Interval:       15 * time.Second,
		ExternalLabels: promemu.Labels{"job": "worker", "instance": "worker-1"},
	})
	if err != nil {
		fmt.Println(err) // a bad option, with the library's message
		return
	}
	defer sender.Close()

	jobs.Inc() // never waits for the network

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	switch err := sender.Stop(ctx); {
	case errors.Is(err, promemu.ErrSendTimeout): // also context.DeadlineExceeded
		fmt.Println("not everything was sent in time:", err)
	case errors.Is(err, promemu.ErrDropped):
		fmt.Println("the receiver rejected batches:", err, sender.LastError())
	}
}
