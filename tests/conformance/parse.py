#!/usr/bin/env python3
"""Parses an exposition with prometheus_client and prints what it read, as JSON.

Usage: parse.py prometheus|openmetrics FILE

Prints one JSON document: {"families": [{"name", "type", "help", "unit", "samples": [...]}]},
each sample {"name", "labels": [[name, value], ...], "value", "timestamp", "exemplar"}. Numbers
are strings holding Python's repr() of the parsed float ("nan", "-0.0", "5e-324"), so that NaN,
infinities and the sign of zero survive strict JSON exactly; labels are pairs in the order the
parser kept them. Any parse error propagates: the exit status is non-zero and the traceback says
why. Used by tests/conformance.rs.
"""

import json
import sys

from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as parse_openmetrics,
)
from prometheus_client.parser import text_string_to_metric_families as parse_prometheus


def number(value):
    """repr() of the value as a float: exact, and readable by Rust's f64 parser."""
    return None if value is None else repr(float(value))


def timestamp(value):
    """Seconds as a float repr; the OpenMetrics parser may give a Timestamp(sec, nsec)."""
    if value is None:
        return None
    if hasattr(value, "sec") and hasattr(value, "nsec"):
        return {"sec": value.sec, "nsec": value.nsec}
    return number(value)


def exemplar(value):
    if value is None:
        return None
    return {
        "labels": [[k, v] for k, v in value.labels.items()],
        "value": number(value.value),
        "timestamp": timestamp(value.timestamp),
    }


def main():
    fmt, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    parse = {"prometheus": parse_prometheus, "openmetrics": parse_openmetrics}[fmt]
    families = []
    for family in parse(text):
        families.append(
            {
                "name": family.name,
                "type": family.type,
                "help": family.documentation,
                "unit": family.unit,
                "samples": [
                    {
                        "name": s.name,
                        "labels": [[k, v] for k, v in s.labels.items()],
                        "value": number(s.value),
                        "timestamp": timestamp(s.timestamp),
                        "exemplar": exemplar(s.exemplar),
                    }
                    for s in family.samples
                ],
            }
        )
    json.dump({"families": families}, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
