// Command nativehistogram serves a native histogram for a Prometheus 3 to scrape: it observes
// 1 ms, 2 ms, ... 1000 ms, prints the port its exporter listens on, and serves until stdin
// closes. The repository's Prometheus 3.16 test runs it.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/prometheus-emulator/promemu"
)

func main() {
	registry := promemu.NewRegistry()
	latency := promemu.MustNewHistogram(promemu.HistogramOpts{
		Name:                        "request_latency_seconds",
		Help:                        "Request latency.",
		NativeHistogramBucketFactor: 1.1,
	})
	registry.MustRegister(latency)
	for i := 1; i <= 1000; i++ {
		latency.Observe(float64(i) / 1000)
	}
	server, err := promemu.StartServer("127.0.0.1:0", registry)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("port", server.Port())
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = server.Close()
}
