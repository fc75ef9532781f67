"""Reading the library's snapshots (``pe_snapshot``) into ``Metric`` families.

A snapshot is one frozen collection of a registry: families sorted by name, each flattened into
the samples OpenMetrics shows (``_total``, ``_created``, ``_bucket`` with ``le``...). The library
hands the whole snapshot over in one call, ``pe_snapshot_json``: a JSON document of families and
samples with exact numbers, which ``json`` decodes in C. Reading it with the per-sample accessors
would take about a dozen ctypes calls per sample. Nothing is computed here: names, values, labels
and exemplars are copied out as the library gives them.
"""

import json
from ctypes import byref, c_size_t, c_void_p

from . import _bridge, _lib
from ._lib import lib
from .metrics_core import Metric
from .samples import Exemplar, Sample

__all__ = ["collect", "collect_filtered"]

_new_sample = tuple.__new__
_from_library = Metric._from_library


def collect(registry_handle):
    """Every family of a registry, as a list of ``Metric``."""
    snapshot = c_void_p()
    _bridge.call_collecting(lib.pe_registry_snapshot, registry_handle, byref(snapshot))
    return _read(snapshot)


def collect_filtered(registry_handle, names):
    """The families of a registry that one of ``names`` selects (by family or sample name)."""
    snapshot = c_void_p()
    encoded = _lib.str_array(names)
    _bridge.call_collecting(
        lib.pe_registry_snapshot_filtered, registry_handle, encoded, len(names), byref(snapshot))
    return _read(snapshot)


def _read(snapshot):
    try:
        text = c_void_p()
        length = c_size_t()
        lib.pe_snapshot_json(snapshot, byref(text), byref(length))
    finally:
        lib.pe_snapshot_free(snapshot)
    families = json.loads(_lib.take_string(text, length.value))
    types = _lib.METRIC_TYPES
    return [_from_library(name, documentation, types[kind], unit,
                          [_sample(*sample) for sample in samples])
            for name, documentation, unit, kind, samples in families]


def _number(value):
    """A JSON number, or the library's "NaN", "+Inf" and "-Inf" strings, as a float."""
    return value if value.__class__ is float else float(value)


def _sample(name, labels, value, timestamp, exemplar):
    if exemplar is not None:
        exemplar_labels, exemplar_value, exemplar_time = exemplar
        exemplar = Exemplar(exemplar_labels, _number(exemplar_value),
                            None if exemplar_time is None else _number(exemplar_time))
    return _new_sample(Sample, (name, labels, _number(value),
                                None if timestamp is None else _number(timestamp), exemplar,
                                None))
