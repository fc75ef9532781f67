"""Reading the library's snapshots (``pe_snapshot``) into ``Metric`` families.

A snapshot is one frozen collection of a registry: families sorted by name, each flattened into
the samples OpenMetrics shows (``_total``, ``_created``, ``_bucket`` with ``le``...). The library
hands the whole snapshot over in one call, ``pe_snapshot_json_columns``: a JSON document of
families, each with a column per sample field (names, labels, values...), with exact numbers,
which ``json`` decodes in C. The samples are then zipped from the columns, also in C (``map``,
``zip``), with no Python code run per sample. Reading it with the per-sample accessors would take
about a dozen ctypes calls per sample. Nothing is computed here: names, values, labels and
exemplars are copied out as the library gives them, with three exceptions, each to yield what
prometheus_client's ``collect()`` yields: a family a custom collector yielded is replaced by the
collector's own object (its values, ``le`` strings, ``_created`` samples and gauge histograms as
the collector made them); the samples of state sets hold ints (``1``, ``0``), as its ``Enum``'s
do; and the ``_created`` samples of counters, histograms and summaries are left out while
``disable_created_metrics()`` is in force.
"""

import json
from ctypes import byref, c_size_t, c_void_p
from itertools import repeat

from . import _bridge, _lib, _style
from ._lib import lib
from .metrics_core import Metric
from .samples import Exemplar, Sample

__all__ = ["collect", "collect_filtered"]

_new_sample = tuple.__new__
_from_library = Metric._from_library


def collect(registry_handle):
    """Every family of a registry, as a list of ``Metric``."""
    snapshot = c_void_p()
    _, record = _bridge.call_recording(lib.pe_registry_snapshot, registry_handle, byref(snapshot))
    return _with_collected(_read(snapshot), record, complete=True)


def collect_filtered(registry_handle, names):
    """The families of a registry that one of ``names`` selects (by family or sample name)."""
    snapshot = c_void_p()
    encoded = _lib.str_array(names)
    _, record = _bridge.call_recording(
        lib.pe_registry_snapshot_filtered, registry_handle, encoded, len(names), byref(snapshot))
    return _with_collected(_read(snapshot), record, complete=False)


def _with_collected(families, record, complete):
    """``families`` (the library's) with each one a custom collector yielded replaced by what
    the collector yielded under that name.

    ``record`` is ``_bridge.call_recording``'s. A family the library leaves out (a gauge
    histogram) is kept next to the family its collector yielded after it (or, for the last
    ones, before it); when ``complete`` (not a filtered collection), those of a collector that
    yielded nothing else come last.
    """
    if not record:
        return families
    groups = {}   # family name -> the collectors' families to yield in its place
    orphans = []  # families of collectors whose every family the library leaves out
    for yielded in record:
        pending = []
        last = None
        for family in yielded:
            if family.type in _LEFT_OUT:
                pending.append(family)
                continue
            last = groups.setdefault(family.name, [])
            last.extend(pending)
            last.append(family)
            pending = []
        if last is not None:
            last.extend(pending)
        else:
            orphans.extend(pending)
    merged = []
    for family in families:
        own = groups.pop(family.name, None)
        if own is None:
            merged.append(family)
        elif complete:
            merged.extend(own)
        else:  # keep only what the filter selected: families of this name
            merged.extend(f for f in own if f.name == family.name)
    if complete:
        merged.extend(orphans)
    return merged


_LEFT_OUT = frozenset(("gaugehistogram",))  # the types the library has no family for


def _read(snapshot):
    try:
        text = c_void_p()
        length = c_size_t()
        lib.pe_snapshot_json_columns(snapshot, byref(text), byref(length))
    finally:
        lib.pe_snapshot_free(snapshot)
    families = json.loads(_lib.take_string(text, length.value))
    types = _lib.METRIC_TYPES
    metrics = [_from_library(name, documentation, types[kind], unit,
                             _samples(names, labels, values, timestamps, exemplars))
               for name, documentation, unit, kind, names, labels, values, timestamps, exemplars
               in families]
    created_enabled = _style.created_enabled()
    for metric in metrics:
        if metric.type == "stateset":
            metric.samples = [sample._replace(value=int(sample.value))
                              for sample in metric.samples]
        elif not created_enabled and metric.type in _HAS_CREATED:
            created = metric.name + "_created"
            metric.samples = [s for s in metric.samples if s.name != created]
    return metrics


_HAS_CREATED = frozenset(("counter", "histogram", "summary"))


def _samples(names, labels, values, timestamps, exemplars):
    """The samples of one family, from its columns; ``timestamps`` and ``exemplars`` are None
    when no sample has one."""
    none = repeat(None)
    # float() reads the library's "NaN", "+Inf" and "-Inf" and returns a float unchanged.
    values = map(float, values)
    timestamps = none if timestamps is None else map(_timestamp, timestamps)
    exemplars = none if exemplars is None else map(_exemplar, exemplars)
    return list(map(_new_sample, repeat(Sample),
                    zip(names, labels, values, timestamps, exemplars, none)))


def _timestamp(value):
    return None if value is None else float(value)


def _exemplar(exemplar):
    if exemplar is None:
        return None
    labels, value, timestamp = exemplar
    return Exemplar(labels, float(value), _timestamp(timestamp))
