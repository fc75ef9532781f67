"""Reading the library's snapshots (``pe_snapshot``) into ``Metric`` families.

A snapshot is one frozen collection of a registry: families sorted by name, each flattened into
the samples OpenMetrics shows (``_total``, ``_created``, ``_bucket`` with ``le``...). The library
hands the whole snapshot over in one call, ``pe_snapshot_json_columns``: a JSON document of
families, each with a column per sample field (names, labels, values...), with exact numbers,
which ``json`` decodes in C. The samples are then zipped from the columns, also in C (``map``,
``zip``), with no Python code run per sample. Reading it with the per-sample accessors would take
about a dozen ctypes calls per sample. Nothing is computed here: names, values, labels and
exemplars are copied out as the library gives them.
"""

import json
from ctypes import byref, c_size_t, c_void_p
from itertools import repeat

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
        lib.pe_snapshot_json_columns(snapshot, byref(text), byref(length))
    finally:
        lib.pe_snapshot_free(snapshot)
    families = json.loads(_lib.take_string(text, length.value))
    types = _lib.METRIC_TYPES
    return [_from_library(name, documentation, types[kind], unit,
                          _samples(names, labels, values, timestamps, exemplars))
            for name, documentation, unit, kind, names, labels, values, timestamps, exemplars
            in families]


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
