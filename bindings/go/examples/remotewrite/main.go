// Command remotewrite pushes its metrics to a Prometheus remote-write receiver (or, with
// -otlp, an OTLP/HTTP endpoint) every second from the library's sender thread, doing some fake
// work, until interrupted; then it stops the sender, sending a last collection within 5 seconds.
//
//	prometheus --web.enable-remote-write-receiver &
//	go run ./examples/remotewrite -url http://127.0.0.1:9090/api/v1/write
package main

import (
	"context"
	"flag"
	"log"
	"math/rand/v2"
	"os"
	"os/signal"
	"time"

	"github.com/prometheus-emulator/promemu"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:9090/api/v1/write", "receiver endpoint")
	otlp := flag.Bool("otlp", false, "send OTLP/HTTP (to .../v1/metrics) instead of Remote Write")
	flag.Parse()

	registry := promemu.NewRegistry()
	jobs := promemu.MustNewCounterVec(promemu.CounterOpts{Name: "jobs_total", Help: "Jobs done."}, []string{"kind"})
	duration := promemu.MustNewHistogram(promemu.HistogramOpts{
		Name: "job_duration_seconds", Help: "Job duration.", NativeHistogramBucketFactor: 1.1,
	})
	registry.MustRegister(jobs, duration)

	opts := promemu.SenderOpts{
		URL:            *url,
		Interval:       time.Second,
		ExternalLabels: promemu.Labels{"job": "remotewrite-example"},
	}
	if *otlp {
		opts.Protocol = promemu.OTLP
		opts.ResourceAttributes = map[string]string{"service.name": "remotewrite-example"}
	}
	sender, err := promemu.NewSender(registry, opts)
	if err != nil {
		log.Fatal(err)
	}
	defer sender.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	for ctx.Err() == nil {
		kind := []string{"resize", "encode"}[rand.IntN(2)]
		jobs.WithLabelValues(kind).Inc()
		duration.Observe(rand.ExpFloat64() / 10)
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}

	stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := sender.Stop(stopCtx); err != nil {
		log.Printf("stop: %v (last error: %s)", err, sender.LastError())
	}
}
