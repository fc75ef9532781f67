"""prometheus_emulator against prometheus_client, side by side in one run.

    python bindings/python/bench/bench.py [--rounds N] [--quick] [--json FILE]
    python bindings/python/bench/bench.py --smoke [--json FILE]

Each case builds the same metrics with both libraries, in registries of their own, and runs the
same statement. First the statement runs once on each side and both registries must then hold
the same samples (parsed back with prometheus_client's parsers), so a broken case fails instead
of looking fast. Then it is timed: a sample is a batch of calls sized to about 0.5 ms (a single
call, after an untimed one, for the expositions), the two libraries alternate, each round
starting with the other one, so both see the same machine (other processes included), and each
figure is the median of the rounds. The ratio is ours / theirs; the targets are at most 0.75 per
call and at least 30x faster (0.033) for the exposition of 10k series.

--json FILE writes the rows of the project's benchmark table (benches/report.py). --smoke runs
every statement once, with the checks and no timing (its rows hold the time of that one call,
which means nothing). Nothing here asserts a time.
"""

import argparse
import os
import tempfile
import importlib
import importlib.metadata
import json
import platform
import statistics
import sys
import time
import timeit

from prometheus_client import parser as text_parser
from prometheus_client.openmetrics import parser as openmetrics_parser

import prometheus_emulator
from prometheus_emulator import _lib

PEER = "prometheus_client"
MODULES = {"ours": "prometheus_emulator", PEER: "prometheus_client"}
PER_CALL_BAR = 0.75
EXPOSITION_BAR = 1 / 30
BATCH_SECONDS = 0.0005

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

# (operation, statement, statement for prometheus_client when it differs, note)
CALLS = [
    ("counter inc()", "counter.inc()", None, ""),
    ("counter inc(2.5)", "counter.inc(2.5)", None, ""),
    ("gauge set(3.7)", "gauge.set(3.7)", None, ""),
    ("gauge inc()", "gauge.inc()", None, ""),
    ("histogram observe(0.3), default buckets", "histogram.observe(0.3)", None, ""),
    ("summary observe(0.3)", "summary.observe(0.3)", None,
     "ours also keeps quantiles (0.5, 0.9, 0.99 over 10 minutes); prometheus_client count and "
     "sum only"),
    ("bound child inc()", "child.inc()", None, ""),
    ("labelled lookup + inc, labels('GET', '200').inc()",
     "labelled.labels('GET', '200').inc()", None, ""),
    ("labelled lookup + inc, labels(method=, status=).inc()",
     "labelled.labels(method='GET', status='200').inc()", None, ""),
    ("seed style inc(method=, status=)", "labelled.inc(method='GET', status='200')",
     "labelled.labels(method='GET', status='200').inc()",
     "prometheus_client has no such call: its side runs labels(method=, status=).inc()"),
]

# The same 10k series as the Go benchmarks: http_requests_total{path, code}, 100 x 100 values.
EXPOSITION_SETUP = """
from {module} import Counter, CollectorRegistry, generate_latest
from {module}.openmetrics.exposition import generate_latest as generate_openmetrics
registry = CollectorRegistry()
family = Counter("http_requests_total", "Requests served.", ["path", "code"], registry=registry)
for i in range({series}):
    family.labels(f"/api/v1/resource{{i // 100}}", str(200 + i % 100)).inc(i)
"""

# (operation, statement, what it returns, bar)
EXPOSITIONS = [
    ("generate_latest, {series} series, text 0.0.4", "generate_latest(registry)", "text",
     EXPOSITION_BAR),
    ("generate_latest, {series} series, OpenMetrics", "generate_openmetrics(registry)",
     "openmetrics", EXPOSITION_BAR),
    ("registry.collect() into families, {series} series", "list(registry.collect())",
     "families", None),
]


# Multi-process mode: each library's store in a directory of its own (prometheus_client's files
# per process, our one store). prometheus_client picks its value class when
# prometheus_client.values is imported, so the setup picks it again with the variable set.
MULTIPROCESS_SETUP = """
import os
os.environ["PROMETHEUS_MULTIPROC_DIR"] = {directory!r}
import {module}.values as values
if hasattr(values, "get_value_class"):
    values.ValueClass = values.get_value_class()
from {module} import Counter, CollectorRegistry, generate_latest, multiprocess
counter = Counter("mp_requests_total", "Requests.")
family = Counter("mp_series_total", "Series.", ["n"])


def lifetime():
    pid = os.fork()
    if pid == 0:
        for i in range({series}):
            family.labels(str(i)).inc()
        os._exit(0)
    os.waitpid(pid, 0)


for _ in range({lifetimes}):
    lifetime()
del os.environ["PROMETHEUS_MULTIPROC_DIR"]


def scrape():
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path={directory!r})
    return generate_latest(registry)
"""

MULTIPROCESS_INC_BAR = 0.2
MULTIPROCESS_SCRAPE_BAR = 0.05


class CheckFailed(Exception):
    """Both libraries ran the same statement and do not hold the same samples afterwards."""


def sample_values(families):
    """{(sample name, labels): value} of metric families, leaving out the _created samples."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in families
        for sample in family.samples
        if not sample.name.endswith("_created")
    }


def parsed(output, kind):
    """The samples of what a statement returned: exposition text, or a list of families."""
    if kind == "text":
        return sample_values(text_parser.text_string_to_metric_families(output.decode()))
    if kind == "openmetrics":
        return sample_values(openmetrics_parser.text_string_to_metric_families(output.decode()))
    return sample_values(output)


def check_same(operation, ours, theirs):
    """ours must hold every sample of theirs, with its value; only quantiles may be extra."""
    differ = sorted(key for key, value in theirs.items() if ours.get(key) != value)
    extra = sorted(key for key in ours if key not in theirs and "quantile" not in dict(key[1]))
    if differ or extra:
        raise CheckFailed(f"{operation}: ours and prometheus_client differ after the same "
                          f"statement: {differ[:3]} differ, {extra[:3]} only in ours")


def namespace(setup, module, **values):
    """The globals of a case: its setup run once."""
    names = {}
    exec(setup.format(module=module, **values), names)
    return names


def run_once(names, statement):
    """Runs a statement once: (its value, seconds taken)."""
    start = time.perf_counter()
    value = eval(statement, names)
    return value, time.perf_counter() - start


def batch_size(timer):
    """Calls per sample: the smallest power of two taking at least BATCH_SECONDS."""
    number = 1
    while number < 1 << 24 and timer.timeit(number) < BATCH_SECONDS:
        number *= 2
    return number


def measure(timers, rounds, exposition):
    """Median seconds per call of each side, the sides alternating which one goes first.

    An exposition is timed one call at a time, each after an untimed one (warm, as back-to-back
    scrapes find it).
    """
    numbers = {side: 1 if exposition else batch_size(timer) for side, timer in timers.items()}
    seconds = {side: [] for side in timers}
    sides = list(timers)
    for round_ in range(rounds):
        for side in sides if round_ % 2 == 0 else reversed(sides):
            if exposition:
                timers[side].timeit(1)
            seconds[side].append(timers[side].timeit(numbers[side]) / numbers[side])
    return {side: statistics.median(values) for side, values in seconds.items()}


def per_call_rows(arguments):
    """(operation, unit, results, bar, note) of each case of CALLS, checked, then timed."""
    for operation, statement, peer_statement, note in CALLS:
        statements = {"ours": statement, PEER: peer_statement or statement}
        spaces = {side: namespace(SETUP, module) for side, module in MODULES.items()}
        results, outputs = {}, {}
        for side, names in spaces.items():
            _, results[side] = run_once(names, statements[side])
            generate_latest = importlib.import_module(MODULES[side]).generate_latest
            outputs[side] = parsed(generate_latest(names["registry"]), "text")
        check_same(operation, outputs["ours"], outputs[PEER])
        if not arguments.smoke:
            timers = {side: timeit.Timer(statements[side], globals=spaces[side])
                      for side in MODULES}
            results = measure(timers, arguments.rounds, exposition=False)
        nanoseconds = {side: value * 1e9 for side, value in results.items()}
        yield operation, "ns", nanoseconds, PER_CALL_BAR, note


def exposition_rows(arguments):
    """The rows of EXPOSITIONS, on one registry of the same series in each library."""
    series = arguments.series
    count = f"{series // 1000}k" if series % 1000 == 0 else str(series)
    spaces = {side: namespace(EXPOSITION_SETUP, module, series=series)
              for side, module in MODULES.items()}
    for operation, statement, kind, bar in EXPOSITIONS:
        operation = operation.format(series=count)
        results, outputs, texts = {}, {}, {}
        for side, names in spaces.items():
            output, results[side] = run_once(names, statement)
            outputs[side] = parsed(output, kind)
            if kind != "families":
                texts[side] = output
        check_same(operation, outputs["ours"], outputs[PEER])
        exposed = sum(name == "http_requests_total" for name, _ in outputs["ours"])
        if exposed != series:
            raise CheckFailed(f"{operation}: {exposed} series exposed, {series} expected")
        if not arguments.smoke:
            timers = {side: timeit.Timer(statement, globals=spaces[side]) for side in MODULES}
            results = measure(timers, arguments.exposition_rounds, exposition=True)
        note = ", ".join(
            f"{len(text) / 1000:.0f} KB from {side}"
            + (" (with _created samples)" if b"_created" in text else "")
            for side, text in texts.items())
        milliseconds = {side: value * 1e3 for side, value in results.items()}
        yield operation, "ms", milliseconds, bar, note


def multiprocess_rows(arguments):
    """Multi-process mode (PROMETHEUS_MULTIPROC_DIR): an increment, and a scrape after 32 worker
    lifetimes that each incremented 1,000 series."""
    lifetimes, series = (2, 10) if arguments.smoke else (32, 1000)
    with tempfile.TemporaryDirectory() as root:
        spaces = {}
        for side, module in MODULES.items():
            directory = f"{root}/{side}"
            os.mkdir(directory)
            spaces[side] = namespace(MULTIPROCESS_SETUP, module, directory=directory,
                                     lifetimes=lifetimes, series=series)
        operation = "multiprocess mode: counter inc()"
        results = {}
        for side, names in spaces.items():
            _, results[side] = run_once(names, "counter.inc()")
        scraped = {side: parsed(names["scrape"](), "text") for side, names in spaces.items()}
        check_same(operation, scraped["ours"], scraped[PEER])
        if scraped["ours"].get(("mp_requests_total", ())) != 1.0:
            raise CheckFailed(f"{operation}: the increment is not in the store")
        if not arguments.smoke:
            timers = {side: timeit.Timer("counter.inc()", globals=spaces[side])
                      for side in MODULES}
            results = measure(timers, arguments.rounds, exposition=False)
        yield (operation, "ns", {side: v * 1e9 for side, v in results.items()},
               MULTIPROCESS_INC_BAR, "ours: an atomic add in the shared store; theirs: a lock "
               "and a write to its mmap file")
        operation = (f"multiprocess mode: scrape after {lifetimes} worker lifetimes x {series} "
                     "series")
        results = {}
        for side, names in spaces.items():
            _, results[side] = run_once(names, "scrape()")
        for side, values in scraped.items():
            shown = sum(name == "mp_series_total" for name, _ in values)
            if shown != series or values.get(("mp_series_total", (("n", "0"),))) != lifetimes:
                raise CheckFailed(f"{operation}: {side} shows {shown} series, not {series} "
                                  f"at {lifetimes}")
        if not arguments.smoke:
            timers = {side: timeit.Timer("scrape()", globals=spaces[side]) for side in MODULES}
            results = measure(timers, arguments.exposition_rounds, exposition=True)
        yield (operation, "ms", {side: v * 1e3 for side, v in results.items()},
               MULTIPROCESS_SCRAPE_BAR, f"theirs reads {lifetimes} files; ours one store")


def print_rows(rows):
    width = max(len(operation) for operation, *_ in rows) + 2
    print(f"{'case':{width}} {'ours':>12} {PEER:>18} {'ratio':>8}")
    for operation, unit, results, _, _ in rows:
        ours, theirs = results["ours"], results[PEER]
        print(f"{operation:{width}} {ours:10.2f}{unit} {theirs:16.2f}{unit} {ours / theirs:8.3f}")


def write_json(path, rows):
    section = (f"Python binding vs prometheus_client {importlib.metadata.version(PEER)} "
               f"(CPython {platform.python_version()})")
    with open(path, "w") as f:
        for operation, unit, results, bar, note in rows:
            row = {
                "section": section,
                "op": operation,
                "unit": unit,
                "higher_is_better": False,
                "results": {"ours": results["ours"], PEER: results[PEER]},
                "bar": {"against": PEER, "ratio": bar} if bar else None,
                "note": note,
            }
            f.write(json.dumps(row) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=101,
                        help="interleaved rounds of each per-call case (default 101)")
    parser.add_argument("--exposition-rounds", type=int, default=15,
                        help="interleaved rounds of each exposition case (default 15)")
    parser.add_argument("--series", type=int, default=10000,
                        help="series in the exposition (default 10000)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--smoke", action="store_true",
                        help="every statement once, outputs checked, no timing")
    parser.add_argument("--json", metavar="FILE", help="also write the rows for benches/report.py")
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.rounds, arguments.exposition_rounds = 21, 3

    print(f"Python {platform.python_version()} on {platform.machine()}; "
          f"prometheus_emulator {prometheus_emulator.__version__} from "
          f"{prometheus_emulator.__path__[0]} (library {_lib.lib.path}), "
          f"prometheus_client {importlib.metadata.version(PEER)}")
    try:
        rows = (list(per_call_rows(arguments)) + list(exposition_rows(arguments))
                + list(multiprocess_rows(arguments)))
    except CheckFailed as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    if arguments.smoke:
        print(f"smoke (Python binding, prometheus_client): {len(rows)} passed, 0 failed")
    else:
        print(f"medians of {arguments.rounds} interleaved rounds of 0.5 ms per call, "
              f"{arguments.exposition_rounds} for the expositions\n")
        print_rows(rows)
    if arguments.json:
        write_json(arguments.json, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
