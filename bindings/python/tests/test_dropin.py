"""The seed's "Integration" promise: a program written for prometheus_client runs unchanged with
only its imports switched to prometheus_emulator, and exposes the same samples."""

import json
import subprocess
import sys

PROGRAM = '''
import json, sys
from prometheus_client import (
    CollectorRegistry, Counter, Enum, Gauge, Histogram, Info, Summary, generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from prometheus_client.parser import text_string_to_metric_families

registry = CollectorRegistry()
REQUESTS = Counter("app_requests_total", "Requests.", ["method", "endpoint"], registry=registry)
IN_FLIGHT = Gauge("app_in_flight", "In flight.", registry=registry)
LATENCY = Histogram("app_latency_seconds", "Latency.", ["endpoint"], registry=registry,
                    buckets=(0.1, 0.5, 1.0))
SIZE = Summary("app_response_bytes", "Size.", registry=registry)
BUILD = Info("app_build", "Build.", registry=registry)
STATE = Enum("app_state", "State.", states=["starting", "running"], registry=registry)
ERRORS = Counter("app_errors_total", "Errors.", registry=registry)


class QueueCollector(Collector):
    def collect(self):
        yield GaugeMetricFamily("app_queue_depth", "Queue depth.", value=7)
        jobs = CounterMetricFamily("app_jobs", "Jobs.", labels=["queue"])
        jobs.add_metric(["default"], 12)
        yield jobs


registry.register(QueueCollector())


@LATENCY.labels("/api").time()
def handle():
    with IN_FLIGHT.track_inprogress():
        REQUESTS.labels("GET", "/api").inc()
        SIZE.observe(512)


for _ in range(3):
    handle()
REQUESTS.labels(method="POST", endpoint="/api").inc(2)
BUILD.info({"version": "1.0"})
STATE.state("running")
try:
    with ERRORS.count_exceptions():
        raise KeyError("x")
except KeyError:
    pass
IN_FLIGHT.set(4)
IN_FLIGHT.dec()

text = generate_latest(registry).decode()
samples = sorted(
    [s.name, sorted(s.labels.items()), s.value]
    for family in text_string_to_metric_families(text) for s in family.samples
    # Timing-dependent or prometheus_client-specific: durations, start times, quantiles.
    if not s.name.endswith(("_created", "_seconds_sum")) and "quantile" not in s.labels)
json.dump(samples, sys.stdout)
'''


def run(program):
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_prometheus_client_program_runs_unchanged_but_for_its_imports():
    switched = PROGRAM.replace("from prometheus_client import", "from prometheus_emulator import")
    switched = switched.replace("from prometheus_client.core", "from prometheus_emulator.core")
    switched = switched.replace("from prometheus_client.registry",
                                "from prometheus_emulator.registry")
    assert switched.count("prometheus_emulator") == 3
    ours, theirs = run(switched), run(PROGRAM)
    assert ours == theirs
    assert ["app_in_flight", [], 3.0] in ours
    assert ["app_jobs_total", [["queue", "default"]], 12.0] in ours


DEFAULT_FAMILIES = '''
import json, sys
from prometheus_client import REGISTRY
json.dump(sorted((f.name, f.type) for f in REGISTRY.collect()), sys.stdout)
'''


def test_the_default_registry_holds_the_same_collectors():
    ours = run(DEFAULT_FAMILIES.replace("prometheus_client", "prometheus_emulator"))
    theirs = run(DEFAULT_FAMILIES)
    assert ours == theirs
    assert ["python_info", "gauge"] in ours and ["process_cpu_seconds", "counter"] in ours


def test_default_collectors_can_be_unregistered():
    program = '''
from prometheus_emulator import GC_COLLECTOR, PLATFORM_COLLECTOR, REGISTRY, generate_latest
REGISTRY.unregister(GC_COLLECTOR)
REGISTRY.unregister(PLATFORM_COLLECTOR)
assert b"python_" not in generate_latest()
print("ok")
'''
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout == "ok\n", result.stderr
