#!/usr/bin/env python3
"""Turns the JSON rows of one or more benchmark runs into one Markdown table.

    report.py [--smoke] RUN_DIR...    (each RUN_DIR holds the *.jsonl files of one run)

Each row of a harness is one JSON object: section, op, unit, higher_is_better, results (ours
first, then each peer's median), bar ({"against": "best" | PEER | "budget", "ratio": R} or null: "budget" holds ours itself to
R in the row's unit), note.
Across runs, each figure is the median of the runs' medians, and each ratio ours/peer the median
of the ratios measured within each run (a run interleaves ours and the peers, so its ratios hold
even when the machine's load changes between runs).
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import OrderedDict


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cpus = os.cpu_count()
    try:
        cpus = int(subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip())
    except (OSError, ValueError):
        pass
    return f"{cpus} CPUs (nproc), {model}, {platform.system()} {platform.release()}"


def fmt(value):
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def fmt_ratio(ratio):
    """Two decimals, or two significant digits below 0.1 (0.0031 rather than 0.00)."""
    return f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.2g}"


def load(run_dirs):
    """rows[(section, op)] = {"meta": row, "runs": [results, ...]} in first-seen order."""
    rows = OrderedDict()
    for run in run_dirs:
        for name in sorted(os.listdir(run)):
            if not name.endswith(".jsonl"):
                continue
            with open(os.path.join(run, name)) as f:
                for line in f:
                    if not line.strip():
                        continue
                    row = json.loads(line)
                    key = (row["section"], row["op"])
                    entry = rows.setdefault(key, {"meta": row, "runs": []})
                    entry["runs"].append(row["results"])
    return rows


# Sections (by the start of their names, which may go on with versions) and peers in a fixed
# order; anything unknown follows.
SECTION_ORDER = [
    "Rust core vs Rust crates",
    "C API vs prometheus-cpp",
    "Python binding vs prometheus_client",
    "Go binding vs client_golang",
]
PEER_ORDER = [
    "prometheus", "prometheus-client", "fastmetrics", "measured", "prometheus-cpp",
    "prometheus_client", "client_golang",
]


def order(known, name, prefix=False):
    """Sort key: name's place in known (where an entry is name or, with prefix, its start)."""
    for index, entry in enumerate(known):
        if name == entry or prefix and name.startswith(entry):
            return (index, name)
    return (len(known), name)


def better(a, b, higher):
    return a > b if higher else a < b


def table(rows, runs):
    sections = OrderedDict()
    for (section, _), entry in rows.items():
        sections.setdefault(section, []).append(entry)
    out = []
    for section in sorted(sections, key=lambda s: order(SECTION_ORDER, s, prefix=True)):
        entries = sections[section]
        peers = []
        for entry in entries:
            for name in entry["meta"]["results"]:
                if name != "ours" and name not in peers:
                    peers.append(name)
        peers.sort(key=lambda p: order(PEER_ORDER, p))
        out.append(f"### {section}\n")
        header = ["operation", "ours"] + peers + ["ours / bar peer", "bar", "met"]
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "|".join([" --- "] + [" ---: "] * (len(header) - 2) + [" --- "]) + "|")
        for entry in entries:
            meta = entry["meta"]
            higher = meta["higher_is_better"]
            unit = meta["unit"]

            def med(name):
                values = [r[name] for r in entry["runs"] if r.get(name) is not None]
                return statistics.median(values) if values else None

            def ratio(name):
                values = [
                    r["ours"] / r[name]
                    for r in entry["runs"]
                    if r.get(name) and r.get("ours") is not None
                ]
                return statistics.median(values) if values else None

            cells = [f"{meta['op']} ({unit})", fmt(med("ours"))]
            for peer in peers:
                v = med(peer)
                r = ratio(peer)
                cells.append("-" if v is None else f"{fmt(v)} ({fmt_ratio(r)}x)" if r else fmt(v))
            bar = meta.get("bar")
            if bar:
                # The reference: the best peer of each run, or the named one.
                def reference(r):
                    if bar["against"] == "budget":
                        return 1.0
                    if bar["against"] != "best":
                        return r.get(bar["against"])
                    best = None
                    for name, v in r.items():
                        if name != "ours" and v is not None and (best is None or better(v, best, higher)):
                            best = v
                    return best

                ratios = [r["ours"] / reference(r) for r in entry["runs"] if reference(r)]
                got = statistics.median(ratios) if ratios else None
                sign = ">=" if higher else "<="
                met = got is not None and (got >= bar["ratio"] if higher else got <= bar["ratio"])
                cells += [
                    "-" if got is None else fmt_ratio(got),
                    f"{sign} {bar['ratio']:g}"
                    + {"best": " (best)", "budget": f" {unit}"}.get(bar["against"], f" ({bar['against']})"),
                    "yes" if met else "**no**",
                ]
            else:
                cells += ["", "", ""]
            out.append("| " + " | ".join(cells) + " |")
        notes = [f"{e['meta']['op']}: {e['meta']['note']}" for e in entries if e["meta"].get("note")]
        if notes:
            out.append("")
            out.extend(f"- {n}" for n in notes)
        out.append("")
    return "\n".join(out)


def main(argv):
    smoke = "--smoke" in argv
    runs = [a for a in argv if not a.startswith("--")]
    if not runs:
        print(__doc__, file=sys.stderr)
        return 2
    rows = load(runs)
    if not rows:
        print("no benchmark rows found", file=sys.stderr)
        return 1
    text = "\n".join(
        [
            f"Machine: {machine()}. Date: {time.strftime('%Y-%m-%d %H:%M %Z')}. "
            f"Medians of {len(runs)} run(s); in each run every figure is the median of interleaved "
            "samples. Ratios are ours / peer (below 1 is better for times, above 1 for throughput).",
            "",
            table(rows, len(runs)),
        ]
    )
    if smoke:
        sections = OrderedDict()
        for section, _ in rows:
            sections[section] = sections.get(section, 0) + 1
        print(f"report: {len(rows)} rows from {len(runs)} run(s): "
              + ", ".join(f"{section} ({count})" for section, count in sections.items()))
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
