"""prometheus_emulator against prometheus_client, side by side in one run.

    python bindings/python/bench/bench.py [--rounds N] [--quick]

Each case builds the same metric with both libraries, in registries of their own, and times the
same statement. Rounds alternate between the two libraries and every case keeps its fastest
round, so both see the same machine (other processes included); the ratio is ours / theirs, and
the targets are at most 0.8 per call and at least 30x faster for the exposition of 10k series.
Nothing here is asserted: the tests check behaviour, this script measures.
"""

import argparse
import importlib.metadata
import platform
import sys
import timeit

import prometheus_emulator

SETUP = """
from {module} import Counter, Gauge, Histogram, Summary, CollectorRegistry
registry = CollectorRegistry()
counter = Counter("bench_requests_total", "Requests.", registry=registry)
gauge = Gauge("bench_in_flight", "In flight.", registry=registry)
histogram = Histogram("bench_latency_seconds", "Latency.", registry=registry)
summary = Summary("bench_size_bytes", "Size.", registry=registry)
labelled = Counter("bench_labelled_total", "Labelled.", ["method", "status"], registry=registry)
labelled.labels("GET", "200").inc()
child = labelled.labels("GET", "200")
"""

# (name, statement, statement for prometheus_client when it differs)
CALLS = [
    ("counter inc()", "counter.inc()", None),
    ("counter inc(2.5)", "counter.inc(2.5)", None),
    ("gauge set(3.7)", "gauge.set(3.7)", None),
    ("gauge inc()", "gauge.inc()", None),
    ("histogram observe(0.3), default buckets", "histogram.observe(0.3)", None),
    ("summary observe(0.3) (ours keeps quantiles)", "summary.observe(0.3)", None),
    ("bound child inc()", "child.inc()", None),
    ("labels('GET', '200').inc()", "labelled.labels('GET', '200').inc()", None),
    ("labels(method=, status=).inc()", "labelled.labels(method='GET', status='200').inc()", None),
    ("seed style inc(method=, status=)", "labelled.inc(method='GET', status='200')",
     "labelled.labels(method='GET', status='200').inc()"),
]

EXPOSITION_SETUP = """
from {module} import Counter, CollectorRegistry, generate_latest
registry = CollectorRegistry()
family = Counter("bench_series_total", "10k labelled series.", ["shard", "code"], registry=registry)
for i in range({series}):
    family.labels(str(i // 100), str(i % 100)).inc(i)
"""

EXPOSITIONS = [
    ("generate_latest, {series} series", "generate_latest(registry)"),
    ("registry.collect() into families, {series} series", "list(registry.collect())"),
]


def best_per_call(setups, statements, number, rounds):
    """Fastest seconds per call of each (library, statement), rounds interleaved."""
    timers = {key: timeit.Timer(statements[key], setup=setups[key]) for key in statements}
    best = dict.fromkeys(statements, float("inf"))
    for _ in range(rounds):
        for key, timer in timers.items():
            best[key] = min(best[key], timer.timeit(number) / number)
    return best


def report(rows, unit):
    width = max(len(name) for name, *_ in rows) + 2
    print(f"{'case':{width}} {'ours':>12} {'prometheus_client':>18} {'ratio':>8}")
    for name, ours, theirs in rows:
        scale = 1e9 if unit == "ns" else 1e3
        print(f"{name:{width}} {ours * scale:10.1f}{unit} {theirs * scale:16.1f}{unit} "
              f"{ours / theirs:8.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="interleaved rounds per case")
    parser.add_argument("--number", type=int, default=20000, help="calls per round")
    parser.add_argument("--series", type=int, default=10000, help="series in the exposition")
    parser.add_argument("--quick", action="store_true", help="fewer rounds, for a smoke run")
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.rounds, arguments.number = 5, 2000

    print(f"Python {platform.python_version()} on {platform.machine()}; "
          f"prometheus_emulator {prometheus_emulator.__version__}, "
          f"prometheus_client {importlib.metadata.version('prometheus_client')}")
    print(f"per call: fastest of {arguments.rounds} interleaved rounds of "
          f"{arguments.number} calls\n")

    setups, statements = {}, {}
    for name, ours, theirs in CALLS:
        setups[(name, "ours")] = SETUP.format(module="prometheus_emulator")
        setups[(name, "theirs")] = SETUP.format(module="prometheus_client")
        statements[(name, "ours")] = ours
        statements[(name, "theirs")] = theirs or ours
    best = best_per_call(setups, statements, arguments.number, arguments.rounds)
    report([(name, best[(name, "ours")], best[(name, "theirs")]) for name, _, _ in CALLS], "ns")

    print(f"\nexposition: fastest of {max(3, arguments.rounds // 8)} interleaved rounds\n")
    setups, statements = {}, {}
    names = [name.format(series=arguments.series) for name, _ in EXPOSITIONS]
    for name, (_, statement) in zip(names, EXPOSITIONS):
        for side, module in (("ours", "prometheus_emulator"), ("theirs", "prometheus_client")):
            setups[(name, side)] = EXPOSITION_SETUP.format(module=module, series=arguments.series)
            statements[(name, side)] = statement
    best = best_per_call(setups, statements, 1, max(3, arguments.rounds // 8))
    rows = [(name, best[(name, "ours")], best[(name, "theirs")]) for name in names]
    report(rows, "ms")
    for name, ours, theirs in rows:
        print(f"  {name}: {theirs / ours:.1f}x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
