#!/usr/bin/env python3
"""Turns the output of the Go binding's benchmarks into rows of the benchmark table.

    go_rows.py GO_OUTPUT JSON_FILE

GO_OUTPUT holds one or more runs of bindings/go's benchmarks (`go test -run '^$' -bench .`, or
the compiled test binary with -test.bench), concatenated. Every benchmark there has a promemu and
a client_golang sub-benchmark, run one after the other; repeating the whole run interleaves the
two sides. Each figure is the median over the runs of the benchmark's ns/op, written to
JSON_FILE in report.py's row format. Every benchmark of the output must be listed in ROWS below
and every row of ROWS must be in the output, on both sides, so a renamed or lost benchmark fails
here instead of leaving the table short.
"""

import json
import os
import re
import statistics
import subprocess
import sys

OURS = "promemu"
PEER = "client_golang"
GO_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bindings", "go")
PER_CALL_BAR = 3.0
# The updates that skip the cgo call under the cell protocol, and two goroutines on one counter.
CELL_BAR = 1.5
CONTENDED_BAR = 1.0
EXPOSITION_BAR = 0.2

# Benchmark (without "Benchmark" and the side) -> operation, unit, bar (ours / client_golang at
# most), note. A benchmark with no bar and no peer, like CgoFloor, is promemu alone.
ROWS = {
    "CgoFloor": ("empty cgo call into the library (the floor)", "ns", None,
                 "the cost of a cgo call alone: every promemu update pays it"),
    "CounterInc": ("counter Inc()", "ns", CELL_BAR, ""),
    "CounterAdd": ("counter Add(0.5)", "ns", CELL_BAR, ""),
    "GaugeSet": ("gauge Set(v)", "ns", CELL_BAR, ""),
    "HistogramObserve": ("histogram Observe(v), default buckets", "ns", PER_CALL_BAR, ""),
    "NativeHistogramObserve": ("native histogram Observe(v), factor 1.1, native buckets only", "ns",
                               PER_CALL_BAR, ""),
    "SummaryObserve": ("summary Observe(v), 3 objectives", "ns", PER_CALL_BAR, ""),
    "BoundChildInc": ("bound child Inc()", "ns", CELL_BAR, ""),
    "LabelledInc": ("labelled lookup + inc, WithLabelValues(2 values).Inc()", "ns",
                    PER_CALL_BAR, ""),
    "LabelledIncWithMap": ("labelled lookup + inc, With(Labels{2 pairs}).Inc()", "ns",
                           PER_CALL_BAR, ""),
    "CounterIncContended": ("counter Inc(), GOMAXPROCS goroutines on one counter (per op)", "ns",
                            CONTENDED_BAR, ""),
    "Expose10k/text": ("collect + encode 10k series, text 0.0.4", "ms", EXPOSITION_BAR,
                       "client_golang: Gather + expfmt"),
    "Expose10k/openmetrics": ("collect + encode 10k series, OpenMetrics", "ms", EXPOSITION_BAR,
                              "client_golang: Gather + expfmt; promemu also writes the _created "
                              "samples, client_golang none"),
    "Expose10k/protobuf": ("collect + encode 10k series, protobuf (delimited)", "ms",
                           EXPOSITION_BAR, "client_golang: Gather + expfmt"),
    "Gather10k": ("Gather 10k series into structured families", "ms", None,
                  "promemu: MetricFamily values built from the library's snapshot; "
                  "client_golang: dto.MetricFamily"),
}

# BenchmarkExpose10k/text/promemu-2   1006   2399293 ns/op   627969 bytes/scrape   24 B/op ...
LINE = re.compile(r"^Benchmark(?P<name>\S+?)(?:-\d+)?\s+\d+\s+(?P<ns>[0-9.e+]+) ns/op(?P<rest>.*)$")
METRIC = re.compile(r"([0-9.e+]+) (\S+)")


def parse(text):
    """{(benchmark, side): [{unit: value}, ...]} of every benchmark line, in order."""
    runs = {}
    for line in text.splitlines():
        match = LINE.match(line)
        if not match:
            continue
        name = match["name"]
        benchmark, _, side = name.rpartition("/")
        if side not in (OURS, PEER):
            benchmark, side = name, OURS
        metrics = {unit: float(value) for value, unit in METRIC.findall(match["rest"])}
        metrics["ns/op"] = float(match["ns"])
        runs.setdefault((benchmark, side), []).append(metrics)
    return runs


def go(*args):
    return subprocess.run(["go", *args], cwd=GO_DIR, capture_output=True, text=True,
                          check=True).stdout.strip()


def rows(runs, section):
    unknown = sorted({benchmark for benchmark, _ in runs} - set(ROWS))
    if unknown:
        raise SystemExit(f"go_rows.py: benchmarks not in ROWS: {', '.join(unknown)} "
                         "(add them to benches/go_rows.py)")
    for benchmark, (operation, unit, bar, note) in ROWS.items():
        sides = (OURS, PEER) if bar or (benchmark, PEER) in runs else (OURS,)
        missing = [side for side in sides if (benchmark, side) not in runs]
        if missing:
            raise SystemExit(f"go_rows.py: no result for Benchmark{benchmark}/"
                             f"{' or '.join(missing)} in the Go output")
        scale = 1e-6 if unit == "ms" else 1.0
        results = {
            "ours" if side == OURS else PEER:
                statistics.median(m["ns/op"] for m in runs[benchmark, side]) * scale
            for side in sides
        }
        first = {side: runs[benchmark, side][0] for side in sides}
        extras = [
            f"{side}: {first[side]['bytes/scrape'] / 1000:.0f} KB, "
            f"{first[side].get('allocs/op', 0):.0f} allocations per scrape"
            for side in sides
            if "bytes/scrape" in first[side]
        ]
        yield {
            "section": section,
            "op": operation,
            "unit": unit,
            "higher_is_better": False,
            "results": results,
            "bar": {"against": PEER, "ratio": bar} if bar else None,
            "note": "; ".join(part for part in [note, *extras] if part),
        }


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0]) as f:
        runs = parse(f.read())
    section = (f"Go binding vs client_golang "
               f"{go('list', '-m', '-f', '{{.Version}}', 'github.com/prometheus/client_golang')} "
               f"({go('env', 'GOVERSION')})")
    with open(argv[1], "w") as f:
        for row in rows(runs, section):
            f.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
