"""A Python program with a native histogram, served for a Prometheus 3 to scrape: it observes
1 ms, 2 ms, ... 1000 ms, prints the port its exporter listens on, and serves until stdin closes."""

import sys

from prometheus_emulator import CollectorRegistry, Histogram, start_http_server

registry = CollectorRegistry()
latency = Histogram(
    "request_latency_seconds",
    "Request latency.",
    registry=registry,
    native_histogram_bucket_factor=1.1,
)
for i in range(1, 1001):
    latency.observe(i / 1000)
server, _ = start_http_server(0, addr="127.0.0.1", registry=registry)
print("port", server.server_port, flush=True)
sys.stdin.read()
server.shutdown()
