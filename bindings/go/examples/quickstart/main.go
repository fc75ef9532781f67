package main

import (
	"log"
	"net/http"

	"github.com/prometheus-emulator/promemu"
)

var (
	requests = promemu.MustNewCounterVec(promemu.CounterOpts{
		Name: "http_requests_total",
		Help: "Requests served.",
	}, []string{"method", "code"})
	latency = promemu.MustNewHistogram(promemu.HistogramOpts{
		Name: "request_duration", Help: "Request duration.", Unit: "seconds",
		Buckets: promemu.ExponentialBuckets(0.001, 4, 8),
	})
)

func main() {
	promemu.MustRegister(requests, latency)

	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		timer := promemu.NewTimer(latency)
		defer timer.ObserveDuration()
		requests.WithLabelValues(r.Method, "200").Inc()
		w.Write([]byte("hello\n"))
	})
	// Content negotiation (format and name escaping, as Prometheus 2 and 3 ask), gzip and name[] filtering.
	http.Handle("/metrics", promemu.Handler(nil))
	log.Fatal(http.ListenAndServe(":8080", nil))
}
