"""Reading the library's snapshots (``pe_snapshot``) into ``Metric`` families.

A snapshot is one frozen collection of a registry: families sorted by name, each flattened into
the samples OpenMetrics shows (``_total``, ``_created``, ``_bucket`` with ``le``...). Nothing is
computed here: names, values, labels and exemplars are copied out as the library gives them.
"""

from ctypes import byref, c_bool, c_char_p, c_double, c_int, c_size_t, c_void_p

from . import _bridge, _lib
from ._lib import lib
from .metrics_core import Metric
from .samples import Exemplar, Sample

__all__ = ["collect", "collect_filtered"]


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
        count = c_size_t()
        lib.pe_snapshot_family_count(snapshot, byref(count))
        return [_family(snapshot, index) for index in range(count.value)]
    finally:
        lib.pe_snapshot_free(snapshot)


def _family(snapshot, family):
    text = c_char_p()
    lib.pe_snapshot_family_name(snapshot, family, byref(text))
    name = text.value.decode()
    lib.pe_snapshot_family_help(snapshot, family, byref(text))
    documentation = text.value.decode()
    lib.pe_snapshot_family_unit(snapshot, family, byref(text))
    unit = text.value.decode()
    kind = c_int()
    lib.pe_snapshot_family_type(snapshot, family, byref(kind))
    count = c_size_t()
    lib.pe_snapshot_sample_count(snapshot, family, byref(count))
    samples = [_sample(snapshot, family, index) for index in range(count.value)]
    return Metric._from_library(name, documentation, _lib.METRIC_TYPES[kind.value], unit, samples)


def _sample(snapshot, family, sample):
    text = c_char_p()
    lib.pe_snapshot_sample_name(snapshot, family, sample, byref(text))
    name = text.value.decode()
    value = c_double()
    lib.pe_snapshot_sample_value(snapshot, family, sample, byref(value))
    has_timestamp = c_bool()
    timestamp = c_double()
    lib.pe_snapshot_sample_timestamp(
        snapshot, family, sample, byref(has_timestamp), byref(timestamp))
    labels = _labels(lib.pe_snapshot_sample_label_count, lib.pe_snapshot_sample_label,
                     snapshot, family, sample)
    return Sample(name, labels, value.value,
                  timestamp.value if has_timestamp.value else None,
                  _exemplar(snapshot, family, sample))


def _labels(count_function, label_function, snapshot, family, sample):
    count = c_size_t()
    count_function(snapshot, family, sample, byref(count))
    labels = {}
    name = c_char_p()
    value = c_char_p()
    for index in range(count.value):
        label_function(snapshot, family, sample, index, byref(name), byref(value))
        labels[name.value.decode()] = value.value.decode()
    return labels


def _exemplar(snapshot, family, sample):
    has_exemplar = c_bool()
    value = c_double()
    has_timestamp = c_bool()
    timestamp = c_double()
    lib.pe_snapshot_sample_exemplar(snapshot, family, sample, byref(has_exemplar), byref(value),
                                    byref(has_timestamp), byref(timestamp))
    if not has_exemplar.value:
        return None
    labels = _labels(lib.pe_snapshot_exemplar_label_count, lib.pe_snapshot_exemplar_label,
                     snapshot, family, sample)
    return Exemplar(labels, value.value, timestamp.value if has_timestamp.value else None)
