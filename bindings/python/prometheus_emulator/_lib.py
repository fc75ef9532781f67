"""The C library: loading it, the signature of every function used, and status handling.

This is the only module that talks to ctypes about symbols. It loads ``libprometheus_emulator``
(the copy bundled in the package, or the file named by the ``PROMETHEUS_EMULATOR_LIB``
environment variable), declares ``argtypes`` and ``restype`` for every C function the package
uses in the one table ``_FUNCTIONS``, and turns a failed ``pe_status`` into the exception
prometheus_client would raise, carrying the library's ``pe_last_error()`` message.

Two ways of calling matter for speed and safety (see the project's PERFORMANCE.md):

* ``HOLD`` functions are loaded through ``ctypes.PyDLL``: the call keeps the GIL, which saves
  about 100 ns. Only calls that never block and never call back into Python are declared so.
* ``RELEASE`` functions are loaded through ``ctypes.CDLL``: the GIL is released for the call, so
  other threads run while a large registry is rendered, and callbacks into Python (custom
  collectors, freeing their data) can take the GIL themselves.

The few calls on the hot path (``inc``, ``set``, ``observe`` on one series) are also exported as
``fast_<name>``: the same PyDLL function without ``argtypes``, so ctypes converts nothing. Their
callers pass a prebuilt ``c_void_p`` handle and a ``c_double`` and check the status themselves;
every other function has an ``errcheck`` that raises.
"""

import ctypes
import datetime
import functools
import importlib.machinery
import math
import numbers
import operator
import os
import re
from ctypes import (
    CFUNCTYPE, POINTER, Structure, c_bool, c_char_p, c_double, c_int, c_int32, c_int64,
    c_size_t, c_uint16, c_uint32, c_uint64, c_void_p,
)

__all__ = ["lib", "error", "encode", "str_array", "take_string", "PE_OK"]

# pe_status values (include/prometheus_emulator.h).
PE_OK = 0
PE_ERR_NULL = 1
PE_ERR_UTF8 = 2
PE_ERR_WRONG_KIND = 3
PE_ERR_INVALID_NAME = 4
PE_ERR_LABEL_COUNT = 5
PE_ERR_INVALID_VALUE = 6
PE_ERR_INVALID_CONFIG = 7
PE_ERR_DUPLICATE = 8
PE_ERR_NOT_FOUND = 9
PE_ERR_INTERNAL = 10
PE_ERR_IO = 11
PE_ERR_HTTP = 12
PE_ERR_CARDINALITY = 13  # a new label set refused by a family at its max_series
PE_ERR_PARSE = 14  # an exposition text the parsers refuse (prometheus_client raises ValueError)
PE_ERR_STORE = 15  # the shared store is corrupt, of another version, full, or has too many live
                   # processes

# pe_overflow values, and the names the metric classes take for them (overflow=...).
PE_OVERFLOW_FOLD = 0
PE_OVERFLOW_REFUSE = 1
OVERFLOW_CODES = {"fold": PE_OVERFLOW_FOLD, "refuse": PE_OVERFLOW_REFUSE}

# pe_format values.
PE_FORMAT_PROMETHEUS = 0
PE_FORMAT_OPENMETRICS = 1
PE_FORMAT_OPENMETRICS_2 = 2
PE_FORMAT_PROTOBUF = 3  # binary: take the length from the call, the bytes may hold NULs
PE_FORMAT_PROMETHEUS_1 = 4  # text 1.0.0: 0.0.4's lines, UTF-8 names quoted under allow-utf-8

# pe_escaping values: how names outside the legacy character set are written.
PE_ESCAPING_ALLOW_UTF8 = 0
PE_ESCAPING_UNDERSCORES = 1
PE_ESCAPING_DOTS = 2
PE_ESCAPING_VALUES = 3

# The names scrapers and prometheus_client give the schemes: the escaping= parameter of an
# Accept header, the escaping argument of generate_latest.
ESCAPING_CODES = {
    "allow-utf-8": PE_ESCAPING_ALLOW_UTF8,
    "underscores": PE_ESCAPING_UNDERSCORES,
    "dots": PE_ESCAPING_DOTS,
    "values": PE_ESCAPING_VALUES,
}

# pe_name_validation values.
PE_NAME_VALIDATION_UTF8 = 0
PE_NAME_VALIDATION_LEGACY = 1
PE_NAME_VALIDATION_DEFAULT = 2  # registries only: follow the process-wide setting

# pe_number_style, pe_created_series, pe_family_order, pe_metadata_order and pe_label_order
# values: the fields
# of a pe_exposition_style (pe_registry_set_style).
PE_NUMBERS_SHORTEST = 0
PE_NUMBERS_PYTHON = 1     # client_python's floatToGoString: 1.0, 1.23456789e+08
PE_CREATED_OPENMETRICS = 0
PE_CREATED_EVERYWHERE = 1  # also name_created gauge families in the Prometheus text formats
PE_CREATED_NOWHERE = 2     # prometheus_client's disable_created_metrics()
PE_FAMILIES_SORTED = 0
PE_FAMILIES_REGISTRATION = 1
PE_METADATA_TYPE_FIRST = 0
PE_METADATA_HELP_FIRST = 1
PE_LABELS_DECLARED = 0
PE_LABELS_SORTED = 1       # sorted by name, le and the like among them, as prometheus_client

# pe_sender_protocol values: what a push sender (pe_sender_start) speaks.
PE_SENDER_REMOTE_WRITE = 0     # Remote Write 2.0, falling back to 1.0 on 415
PE_SENDER_REMOTE_WRITE_V1 = 1
PE_SENDER_OTLP = 2

# pe_gauge_mode values, in the order of their codes: how the shared store (multi-process mode)
# combines the per-process values of a gauge, under prometheus_client's multiprocess_mode names.
GAUGE_MODES = ("all", "liveall", "min", "livemin", "max", "livemax", "sum", "livesum",
               "mostrecent", "livemostrecent")
GAUGE_MODE_CODES = {name: code for code, name in enumerate(GAUGE_MODES)}

# pe_metric_type values, and the names prometheus_client gives the same types.
METRIC_TYPES = ("counter", "gauge", "histogram", "summary", "info", "stateset", "unknown")
METRIC_TYPE_CODES = {name: code for code, name in enumerate(METRIC_TYPES)}
PE_METRIC_GAUGE_HISTOGRAM = 7  # only in snapshots of parsed text (pe_parse_exposition)

NAN = math.nan

class DuplicateTimeseries(ValueError):
    """Registration refused: another collector already provides one of the sample names.

    ``duplicates`` holds the names. Made from the set of names, as prometheus_client makes it,
    or from the library's message, which follows prometheus_client's wording in the text.
    """

    def __init__(self, duplicates):
        if isinstance(duplicates, str):
            detail = duplicates
            duplicates = set(re.findall(r'"([^"]+)"', detail))
            message = f"Duplicated timeseries in CollectorRegistry: {duplicates} ({detail})"
        else:
            duplicates = set(duplicates)
            message = f"Duplicated timeseries in CollectorRegistry: {duplicates}"
        super().__init__(message)
        self.duplicates = duplicates


class StoreError(OSError):
    """The shared store of multi-process mode (``<directory>/prometheus_emulator.store``) cannot
    be used: its file is corrupt or was written by another version of the library, it is full,
    or it has as many live processes as it can hold.

    An ``OSError``, as the failures to open or map a file are: the fault is in the file or the
    machine, not in the arguments. Wiping the directory between runs, as prometheus_client's
    multi-process directory must be wiped, clears it.
    """


# What each failed status raises: prometheus_client raises ValueError for bad names, labels and
# values, KeyError when unregistering what is not registered, and OSError for network failures.
# A label set refused by a family at its max_series is a ValueError too (a bad label value). A
# shared store that cannot be used raises StoreError, an OSError: prometheus_client's
# multi-process mode fails with OSError on a directory or file it cannot use.
_EXCEPTIONS = {
    PE_ERR_NULL: ValueError,
    PE_ERR_UTF8: ValueError,
    PE_ERR_WRONG_KIND: TypeError,
    PE_ERR_INVALID_NAME: ValueError,
    PE_ERR_LABEL_COUNT: ValueError,
    PE_ERR_INVALID_VALUE: ValueError,
    PE_ERR_INVALID_CONFIG: ValueError,
    PE_ERR_DUPLICATE: DuplicateTimeseries,
    PE_ERR_NOT_FOUND: KeyError,
    PE_ERR_INTERNAL: RuntimeError,
    PE_ERR_IO: OSError,
    PE_ERR_HTTP: OSError,
    PE_ERR_CARDINALITY: ValueError,
    PE_ERR_PARSE: ValueError,
    PE_ERR_STORE: StoreError,
}


class pe_metric_opts(Structure):
    """``struct pe_metric_opts``: name, help, prefixes, unit, label names, cardinality cap
    (``max_series``, 0 for none, and the ``pe_overflow`` beyond it), idle expiry
    (``series_ttl_seconds``, 0 for none), constant labels of a new family, and the shared store
    its values live in (``store``, NULL for this process) with, for a gauge, the
    ``pe_gauge_mode`` combining the processes' values."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("name", c_char_p),
        ("help", c_char_p),
        ("namespace_", c_char_p),
        ("subsystem", c_char_p),
        ("unit", c_char_p),
        ("label_names", POINTER(c_char_p)),
        ("n_label_names", c_size_t),
        ("max_series", c_size_t),
        ("overflow", c_uint64),
        ("series_ttl_seconds", c_double),
        ("const_label_names", POINTER(c_char_p)),
        ("const_label_values", POINTER(c_char_p)),
        ("n_const_labels", c_size_t),
        ("store", c_void_p),
        ("gauge_mode", c_uint64),
    ]


class pe_store_options(Structure):
    """``struct pe_store_options``: the size of a new store's file (sparse) and how many live
    processes it holds; 0 for the library's defaults (64 MiB, 256). Fixed when the file is
    made."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("capacity_bytes", c_uint64),
        ("max_processes", c_uint32),
    ]


class pe_native_histogram_opts(Structure):
    """``struct pe_native_histogram_opts``: how a histogram keeps native buckets (0: default)."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("bucket_factor", c_double),
        ("zero_threshold", c_double),
        ("max_bucket_number", c_uint64),
        ("min_reset_duration_seconds", c_double),
        ("max_zero_threshold", c_double),
    ]


class pe_exporter_options(Structure):
    """``struct pe_exporter_options``: where and how the library's HTTP exporter serves."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("address", c_char_p),
        ("workers", c_size_t),
        ("max_pending_connections", c_size_t),
        ("read_timeout_ms", c_uint32),
        ("write_timeout_ms", c_uint32),
        ("idle_timeout_ms", c_uint32),
        ("max_head_bytes", c_size_t),
        ("max_requests_per_connection", c_size_t),
        ("basic_auth_user", c_char_p),
        ("basic_auth_password", c_char_p),
        ("tls_cert_file", c_char_p),
        ("tls_key_file", c_char_p),
        ("max_connections", c_size_t),
        ("max_connections_per_peer", c_size_t),
        ("scrape_timeout_margin_ms", c_uint64),
        ("default_collection_timeout_ms", c_uint64),
        ("max_collection_timeout_ms", c_uint64),
        ("collector_threads", c_size_t),
    ]


class pe_push_options(Structure):
    """``struct pe_push_options``: timeouts, basic auth and CA file of a Pushgateway request."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("timeout_ms", c_uint64),
        ("connect_timeout_ms", c_uint64),
        ("username", c_char_p),
        ("password", c_char_p),
        ("ca_file", c_char_p),
    ]


class pe_gauge_cell(Structure):
    """``struct pe_gauge_cell``: where a gauge series keeps its value, for the cell protocol
    (``pe_gauge_get_cell``): ``Gauge.set`` stores into it without a call."""

    _fields_ = [
        ("protocol", c_uint32),
        ("bits", POINTER(c_uint64)),
        ("activity", POINTER(c_uint64)),
    ]


class pe_sender_options(Structure):
    """``struct pe_sender_options``: where and how a push sender (Remote Write or OTLP) sends;
    zeroed fields are the defaults."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("url", c_char_p),
        ("protocol", c_uint64),
        ("interval_ms", c_uint64),
        ("timeout_ms", c_uint64),
        ("connect_timeout_ms", c_uint64),
        ("external_label_names", POINTER(c_char_p)),
        ("external_label_values", POINTER(c_char_p)),
        ("n_external_labels", c_size_t),
        ("resource_attribute_keys", POINTER(c_char_p)),
        ("resource_attribute_values", POINTER(c_char_p)),
        ("n_resource_attributes", c_size_t),
        ("header_names", POINTER(c_char_p)),
        ("header_values", POINTER(c_char_p)),
        ("n_headers", c_size_t),
        ("username", c_char_p),
        ("password", c_char_p),
        ("bearer_token", c_char_p),
        ("ca_file", c_char_p),
        ("max_queue_bytes", c_size_t),
        ("max_queue_batches", c_size_t),
        ("backoff_min_ms", c_uint64),
        ("backoff_max_ms", c_uint64),
        ("max_retry_after_ms", c_uint64),
        ("destination", c_char_p),
    ]


class pe_exposition_style(Structure):
    """``struct pe_exposition_style``: how a registry's expositions are written (number style,
    ``_created`` series, family order, OpenMetrics metadata order, label order); zeroed is
    client_golang's."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("numbers", c_uint64),
        ("created", c_uint64),
        ("family_order", c_uint64),
        ("metadata", c_uint64),
        ("label_order", c_uint64),
    ]


# Callback types (pe_value_fn, pe_free_fn, pe_collect_fn).
VALUE_FN = CFUNCTYPE(c_double, c_void_p)
FREE_FN = CFUNCTYPE(None, c_void_p)
COLLECT_FN = CFUNCTYPE(None, c_void_p, c_void_p)

HOLD = "hold"        # PyDLL: keeps the GIL; never blocks, never calls back into Python
RELEASE = "release"  # CDLL: releases the GIL; may block, may run Python callbacks

_p = c_void_p                 # any handle
_pp = POINTER(c_void_p)       # a handle out-pointer
_s = c_char_p                 # a borrowed UTF-8 string
_ss = POINTER(c_char_p)       # const char *const * (an array of strings)
_ps = POINTER(c_char_p)       # a string out-pointer
_d = c_double
_pd = POINTER(c_double)
_n = c_size_t
_pn = POINTER(c_size_t)
_u64 = POINTER(c_uint64)
_pi32 = POINTER(c_int32)
_b = c_bool
_pb = POINTER(c_bool)

# Every C function the package uses: name -> (GIL mode, restype, argtypes). Functions returning
# pe_status have restype c_int and raise through _errcheck.
_FUNCTIONS = {
    # status, strings, version
    "pe_last_error": (HOLD, c_char_p, ()),
    "pe_status_str": (HOLD, c_char_p, (c_int,)),
    "pe_version": (HOLD, c_char_p, ()),
    "pe_string_free": (HOLD, None, (c_void_p,)),
    # registries
    "pe_registry_new": (RELEASE, c_int, (_pp,)),
    "pe_registry_default": (RELEASE, c_int, (_pp,)),
    "pe_registry_free": (RELEASE, None, (_p,)),
    "pe_registry_wrap": (RELEASE, c_int, (_p, _s, _ss, _ss, _n, _pp)),
    "pe_registry_register_counter": (RELEASE, c_int, (_p, _p)),
    "pe_registry_unregister_counter": (RELEASE, c_int, (_p, _p)),
    "pe_registry_register_gauge": (RELEASE, c_int, (_p, _p)),
    "pe_registry_unregister_gauge": (RELEASE, c_int, (_p, _p)),
    "pe_registry_register_histogram": (RELEASE, c_int, (_p, _p)),
    "pe_registry_unregister_histogram": (RELEASE, c_int, (_p, _p)),
    "pe_registry_register_summary": (RELEASE, c_int, (_p, _p)),
    "pe_registry_unregister_summary": (RELEASE, c_int, (_p, _p)),
    "pe_registry_register_info": (RELEASE, c_int, (_p, _p)),
    "pe_registry_unregister_info": (RELEASE, c_int, (_p, _p)),
    "pe_registry_register_enum": (RELEASE, c_int, (_p, _p)),
    "pe_registry_unregister_enum": (RELEASE, c_int, (_p, _p)),
    "pe_registry_register_collector": (RELEASE, c_int, (_p, _p)),
    "pe_registry_unregister_collector": (RELEASE, c_int, (_p, _p)),
    "pe_registry_set_style": (RELEASE, c_int, (_p, POINTER(pe_exposition_style))),
    "pe_registry_get_style": (RELEASE, c_int, (_p, POINTER(pe_exposition_style))),
    "pe_registry_expose": (RELEASE, c_int, (_p, c_int, POINTER(c_void_p), _pn)),
    "pe_registry_expose_filtered": (
        RELEASE, c_int, (_p, c_int, _ss, _n, POINTER(c_void_p), _pn)),
    # names: validation, escaping, and the expositions and content types written with it
    "pe_set_name_validation": (HOLD, c_int, (c_int,)),
    "pe_get_name_validation": (HOLD, c_int, (POINTER(c_int),)),
    "pe_registry_set_name_validation": (HOLD, c_int, (_p, c_int)),
    "pe_registry_expose_escaped": (RELEASE, c_int, (_p, c_int, c_int, POINTER(c_void_p), _pn)),
    "pe_registry_expose_filtered_escaped": (
        RELEASE, c_int, (_p, c_int, c_int, _ss, _n, POINTER(c_void_p), _pn)),
    "pe_negotiate": (HOLD, c_int, (_s, POINTER(c_int), POINTER(c_int), _ps)),
    "pe_content_type": (HOLD, c_int, (c_int, c_int, _ps)),
    "pe_escape_name": (HOLD, c_int, (_s, c_int, POINTER(c_void_p))),
    # the HTTP exporter
    "pe_exporter_start": (RELEASE, c_int, (POINTER(pe_exporter_options), _p, _pp)),
    "pe_exporter_port": (HOLD, c_int, (_p, POINTER(c_uint16))),
    "pe_exporter_stop": (RELEASE, None, (_p,)),
    # the Pushgateway client
    "pe_push": (RELEASE, c_int, (_s, _s, _ss, _ss, _n, _p, POINTER(pe_push_options))),
    "pe_pushadd": (RELEASE, c_int, (_s, _s, _ss, _ss, _n, _p, POINTER(pe_push_options))),
    "pe_push_delete": (RELEASE, c_int, (_s, _s, _ss, _ss, _n, POINTER(pe_push_options))),
    # the push sender (Remote Write / OTLP): its thread runs collectors, flush and stop block
    "pe_sender_start": (RELEASE, c_int, (_p, POINTER(pe_sender_options), _pp)),
    "pe_sender_flush": (RELEASE, c_int, (_p, _d)),
    "pe_sender_stop": (RELEASE, c_int, (_p, _d)),
    "pe_sender_last_error": (HOLD, c_int, (_p, POINTER(c_void_p))),
    "pe_sender_free": (RELEASE, None, (_p,)),
    # the shared store of multi-process mode: opening maps a file and may wait for the store's
    # cross-process lock, as marking a process dead may
    "pe_store_open": (RELEASE, c_int, (_s, POINTER(pe_store_options), _pp)),
    "pe_store_free": (RELEASE, None, (_p,)),
    "pe_store_collector": (RELEASE, c_int, (_p, _pp)),
    "pe_store_mark_process_dead": (RELEASE, c_int, (_p, c_int64)),
    # the clock idle expiry reads (series_ttl)
    "pe_series_clock_pin": (HOLD, c_int, (_d,)),
    "pe_series_clock_unpin": (HOLD, c_int, ()),
    # counter
    "pe_counter_new_opts": (HOLD, c_int, (POINTER(pe_metric_opts), _pp)),
    "pe_counter_free": (HOLD, None, (_p,)),
    "pe_counter_labels": (HOLD, c_int, (_p, _ss, _n, _pp)),
    "pe_counter_inc": (HOLD, c_int, (_p, _d)),
    "pe_counter_inc_with_exemplar": (HOLD, c_int, (_p, _d, _ss, _ss, _n, _d)),
    "pe_counter_get": (HOLD, c_int, (_p, _pd)),
    "pe_counter_get_labels": (HOLD, c_int, (_p, _ss, _n, _pd)),
    "pe_counter_reset": (HOLD, c_int, (_p,)),
    "pe_counter_remove": (HOLD, c_int, (_p, _ss, _n)),
    "pe_counter_remove_matching": (HOLD, c_int, (_p, _ss, _ss, _n, _pn)),
    "pe_counter_clear": (HOLD, c_int, (_p,)),
    # gauge
    "pe_gauge_new": (HOLD, c_int, (_s, _s, _ss, _n, _pp)),
    "pe_gauge_new_opts": (HOLD, c_int, (POINTER(pe_metric_opts), _pp)),
    "pe_gauge_free": (HOLD, None, (_p,)),
    "pe_gauge_labels": (HOLD, c_int, (_p, _ss, _n, _pp)),
    "pe_gauge_set": (HOLD, c_int, (_p, _d)),
    "pe_gauge_inc": (HOLD, c_int, (_p, _d)),
    "pe_gauge_dec": (HOLD, c_int, (_p, _d)),
    "pe_gauge_set_to_current_time": (HOLD, c_int, (_p,)),
    "pe_gauge_get": (HOLD, c_int, (_p, _pd)),
    "pe_gauge_get_labels": (HOLD, c_int, (_p, _ss, _n, _pd)),
    "pe_gauge_remove": (HOLD, c_int, (_p, _ss, _n)),
    "pe_gauge_remove_matching": (HOLD, c_int, (_p, _ss, _ss, _n, _pn)),
    "pe_gauge_clear": (HOLD, c_int, (_p,)),
    # histogram
    "pe_histogram_new_opts": (HOLD, c_int, (POINTER(pe_metric_opts), _pd, _n, _pp)),
    "pe_histogram_free": (HOLD, None, (_p,)),
    "pe_histogram_labels": (HOLD, c_int, (_p, _ss, _n, _pp)),
    "pe_histogram_observe": (HOLD, c_int, (_p, _d)),
    "pe_histogram_observe_with_exemplar": (HOLD, c_int, (_p, _d, _ss, _ss, _n, _d)),
    "pe_histogram_count": (HOLD, c_int, (_p, _u64)),
    "pe_histogram_count_labels": (HOLD, c_int, (_p, _ss, _n, _u64)),
    "pe_histogram_sum": (HOLD, c_int, (_p, _pd)),
    "pe_histogram_sum_labels": (HOLD, c_int, (_p, _ss, _n, _pd)),
    "pe_histogram_buckets": (HOLD, c_int, (_p, _pd, _u64, _n, _pn)),
    "pe_histogram_buckets_labels": (HOLD, c_int, (_p, _ss, _n, _pd, _u64, _n, _pn)),
    "pe_histogram_remove": (HOLD, c_int, (_p, _ss, _n)),
    "pe_histogram_remove_matching": (HOLD, c_int, (_p, _ss, _ss, _n, _pn)),
    "pe_histogram_clear": (HOLD, c_int, (_p,)),
    "pe_linear_buckets": (HOLD, c_int, (_d, _d, _n, _pd)),
    "pe_exponential_buckets": (HOLD, c_int, (_d, _d, _n, _pd)),
    # native histogram
    "pe_histogram_new_native": (
        HOLD, c_int, (POINTER(pe_metric_opts), _pd, _n, POINTER(pe_native_histogram_opts), _pp)),
    "pe_histogram_native_state": (HOLD, c_int, (_p, _pi32, _pd, _u64, _pn, _pn)),
    "pe_histogram_native_buckets": (HOLD, c_int, (_p, c_int32, _pi32, _u64, _n, _pn)),
    "pe_native_bucket_bounds": (HOLD, c_int, (c_int32, c_int32, _pd, _pd)),
    # summary
    "pe_summary_new_opts": (
        HOLD, c_int, (POINTER(pe_metric_opts), _pd, _pd, _n, _d, c_uint32, _pp)),
    "pe_summary_new_opts_v2": (
        HOLD, c_int, (POINTER(pe_metric_opts), _pd, _pd, _n, _d, c_uint32, _b, _pp)),
    "pe_summary_free": (HOLD, None, (_p,)),
    "pe_summary_labels": (HOLD, c_int, (_p, _ss, _n, _pp)),
    "pe_summary_observe": (HOLD, c_int, (_p, _d)),
    "pe_summary_count": (HOLD, c_int, (_p, _u64)),
    "pe_summary_count_labels": (HOLD, c_int, (_p, _ss, _n, _u64)),
    "pe_summary_sum": (HOLD, c_int, (_p, _pd)),
    "pe_summary_sum_labels": (HOLD, c_int, (_p, _ss, _n, _pd)),
    "pe_summary_quantile": (HOLD, c_int, (_p, _d, _pd)),
    "pe_summary_quantile_labels": (HOLD, c_int, (_p, _ss, _n, _d, _pd)),
    "pe_summary_remove": (HOLD, c_int, (_p, _ss, _n)),
    "pe_summary_remove_matching": (HOLD, c_int, (_p, _ss, _ss, _n, _pn)),
    "pe_summary_clear": (HOLD, c_int, (_p,)),
    # info
    "pe_info_new_opts": (HOLD, c_int, (POINTER(pe_metric_opts), _pp)),
    "pe_info_free": (HOLD, None, (_p,)),
    "pe_info_labels": (HOLD, c_int, (_p, _ss, _n, _pp)),
    "pe_info_set": (HOLD, c_int, (_p, _ss, _ss, _n)),
    "pe_info_remove": (HOLD, c_int, (_p, _ss, _n)),
    "pe_info_remove_matching": (HOLD, c_int, (_p, _ss, _ss, _n, _pn)),
    "pe_info_clear": (HOLD, c_int, (_p,)),
    # enum
    "pe_enum_new_opts": (HOLD, c_int, (POINTER(pe_metric_opts), _ss, _n, _b, _pp)),
    "pe_enum_free": (HOLD, None, (_p,)),
    "pe_enum_labels": (HOLD, c_int, (_p, _ss, _n, _pp)),
    "pe_enum_set": (HOLD, c_int, (_p, _s)),
    "pe_enum_set_state": (HOLD, c_int, (_p, _s, _b)),
    "pe_enum_get": (HOLD, c_int, (_p, _ps)),
    "pe_enum_get_labels": (HOLD, c_int, (_p, _ss, _n, _ps)),
    "pe_enum_is_active": (HOLD, c_int, (_p, _s, _pb)),
    "pe_enum_remove": (HOLD, c_int, (_p, _ss, _n)),
    "pe_enum_remove_matching": (HOLD, c_int, (_p, _ss, _ss, _n, _pn)),
    "pe_enum_clear": (HOLD, c_int, (_p,)),
    # custom collectors and the builder their callback fills
    "pe_collector_new": (RELEASE, c_int, (COLLECT_FN, c_void_p, FREE_FN, _pp)),
    "pe_collector_process": (RELEASE, c_int, (_pp,)),
    "pe_gauge_get_cell": (HOLD, c_int, (_p, POINTER(pe_gauge_cell))),
    "pe_collector_new_v2": (RELEASE, c_int, (_s, COLLECT_FN, c_void_p, FREE_FN, _pp)),
    "pe_collector_free": (RELEASE, None, (_p,)),
    "pe_collect_family": (HOLD, c_int, (_p, _s, _s, c_int, _s)),
    "pe_collect_sample": (HOLD, c_int, (_p, _ss, _ss, _n, _d, _d)),
    "pe_collect_histogram": (HOLD, c_int, (_p, _ss, _ss, _n, _pd, _u64, _n, _d, c_uint64, _d)),
    "pe_collect_native_histogram": (HOLD, c_int, (_p, _ss, _ss, _n, c_int32, _d, c_uint64,
                                                  _pi32, _u64, _n, _pi32, _u64, _n,
                                                  _pd, _u64, _n, _d, c_uint64, _d)),
    "pe_collect_summary": (HOLD, c_int, (_p, _ss, _ss, _n, _pd, _pd, _n, _d, c_uint64, _d)),
    "pe_collect_info": (HOLD, c_int, (_p, _ss, _ss, _n, _ss, _ss, _n, _d)),
    "pe_collect_stateset": (HOLD, c_int, (_p, _ss, _ss, _n, _ss, _pb, _n, _d)),
    "pe_collect_created": (HOLD, c_int, (_p, _d)),
    "pe_collect_exemplar": (HOLD, c_int, (_p, _n, _ss, _ss, _n, _d, _d)),
    # snapshots
    "pe_registry_snapshot": (RELEASE, c_int, (_p, _pp)),
    "pe_registry_snapshot_filtered": (RELEASE, c_int, (_p, _ss, _n, _pp)),
    "pe_snapshot_free": (HOLD, None, (_p,)),
    "pe_snapshot_json_columns": (RELEASE, c_int, (_p, POINTER(c_void_p), _pn)),
    # parsing exposition text (prometheus_emulator.parser, .openmetrics.parser)
    "pe_parse_exposition": (RELEASE, c_int, (c_char_p, _n, c_int, _pp)),
    "pe_parse_exposition_partial": (RELEASE, c_int, (c_char_p, _n, c_int, _pp, POINTER(c_void_p))),
}

# Functions of newer libraries: when the loaded library lacks one, its attribute is None and the
# package falls back to doing the same in Python.
_OPTIONAL = frozenset()

# The hot calls, also exported without argtypes (see the module docstring).
_FAST = (
    "pe_counter_inc",
    "pe_gauge_set",
    "pe_gauge_inc",
    "pe_gauge_dec",
    "pe_histogram_observe",
    "pe_summary_observe",
)


def _library_path():
    """The shared library to load: $PROMETHEUS_EMULATOR_LIB, else the copy in this package."""
    override = os.environ.get("PROMETHEUS_EMULATOR_LIB")
    if override:
        return override
    here = os.path.dirname(os.path.abspath(__file__))
    # The build backend names the bundled library like an extension module
    # (libprometheus_emulator.cpython-311-x86_64-linux-gnu.so); a plain name is accepted too.
    for suffix in (*importlib.machinery.EXTENSION_SUFFIXES, ".so", ".dylib", ".dll"):
        candidate = os.path.join(here, "libprometheus_emulator" + suffix)
        if os.path.exists(candidate):
            return candidate
    raise ImportError(
        "prometheus_emulator: the bundled libprometheus_emulator library is missing from "
        f"{here}; reinstall the package (pip install ./bindings/python) or set "
        "PROMETHEUS_EMULATOR_LIB to the path of libprometheus_emulator.so"
    )


def error(status):
    """The exception for a failed ``pe_status``, carrying this thread's ``pe_last_error()``.

    Call it right after the failing call, on the same thread: the message is per thread.
    The exception's ``status`` attribute is the ``pe_status``, for callers that tell apart
    statuses raising the same class (the sender's ``PE_ERR_IO`` and ``PE_ERR_HTTP``).
    """
    message = _last_error().decode("utf-8", "replace")
    if not message:
        message = _status_str(status).decode("utf-8", "replace")
    exception = _EXCEPTIONS.get(status, RuntimeError)(message)
    exception.status = status
    return exception


def _errcheck(status, function, arguments):
    """ctypes ``errcheck`` for functions returning ``pe_status``: raise on failure."""
    if status:
        raise error(status)
    return status


class _Library:
    """The C functions, one attribute each, loaded and declared from ``_FUNCTIONS``."""

    def __init__(self, path):
        self.path = path
        hold = ctypes.PyDLL(path)
        release = ctypes.CDLL(path)
        for name, (mode, restype, argtypes) in _FUNCTIONS.items():
            try:
                function = getattr(hold if mode == HOLD else release, name)
            except AttributeError:
                if name not in _OPTIONAL:
                    raise
                setattr(self, name, None)
                continue
            function.restype = restype
            function.argtypes = argtypes
            if restype is c_int:
                function.errcheck = _errcheck
            setattr(self, name, function)
        # A second PyDLL handle gives function objects separate from the declared ones above.
        raw = ctypes.PyDLL(path)
        for name in _FAST:
            function = getattr(raw, name)
            function.restype = c_int
            setattr(self, "fast_" + name, function)


lib = _Library(_library_path())
_last_error = lib.pe_last_error
_status_str = lib.pe_status_str


def encode(text):
    """``text`` as the NUL-terminated UTF-8 bytes the library takes (``str`` or ``bytes``).

    None stays None (a NULL pointer, which the library refuses where a string is required).
    """
    if type(text) is str:
        return text.encode("utf-8")
    if text is None or isinstance(text, bytes):
        return text
    return str(text).encode("utf-8")


@functools.lru_cache(maxsize=512)
def array_type(item_type, length):
    """``item_type * length``, made once: each ctypes array type made anew is a class, whose
    reference cycles would leave garbage for the collector at every call."""
    return item_type * length


def str_array(strings):
    """A ``const char *const *`` array of ``strings`` (each passed through :func:`encode`)."""
    return array_type(c_char_p, len(strings))(*[encode(s) for s in strings])


def opts(name, documentation, labelnames=(), namespace="", subsystem="", unit="",
         max_series=None, overflow="fold", series_ttl=None, const_labels=None, store=None,
         gauge_mode="all"):
    """A filled ``pe_metric_opts``; the returned tuple keeps its strings alive for the call.

    ``max_series`` and ``overflow`` are checked with :func:`series_cap`, ``series_ttl`` with
    :func:`series_ttl_seconds` and ``const_labels`` with :func:`label_pairs`. ``store`` is the
    handle of a shared store (``pe_store_open``) or None, ``gauge_mode`` one of
    ``GAUGE_MODES`` (ValueError otherwise).
    """
    cap, code = series_cap(max_series, overflow)
    ttl = series_ttl_seconds(series_ttl)
    const_names, const_values = label_pairs(const_labels, "const_labels")
    try:
        mode = GAUGE_MODE_CODES[gauge_mode]
    except (KeyError, TypeError):
        raise ValueError(f"Invalid multiprocess mode: {gauge_mode}") from None
    names = str_array(labelnames)
    options = pe_metric_opts(
        ctypes.sizeof(pe_metric_opts), encode(name), encode(documentation), encode(namespace),
        encode(subsystem), encode(unit), names, len(labelnames), cap, code, ttl,
        const_names, const_values, len(const_names), store, mode,
    )
    return options, (names, const_names, const_values)


_SIZE_MAX = 2 ** (8 * ctypes.sizeof(c_size_t)) - 1


def series_cap(max_series, overflow):
    """The ``max_series`` (0: unbounded) and ``pe_overflow`` code of the metric options.

    ``max_series`` is None (unbounded) or an int above 0: TypeError for another type, ValueError
    for 0, a negative number or one past ``SIZE_MAX``. ``overflow`` is "fold" or "refuse", else
    ValueError.
    """
    if max_series is None:
        cap = 0
    else:
        if isinstance(max_series, bool):
            raise TypeError(f"max_series must be an int above 0 or None, not {max_series!r}")
        try:
            cap = operator.index(max_series)
        except TypeError:
            raise TypeError(f"max_series must be an int above 0 or None, not "
                            f"{max_series!r}") from None
        if not 0 < cap <= _SIZE_MAX:
            raise ValueError(f"max_series must be from 1 to {_SIZE_MAX} (None for no limit), "
                             f"not {cap}")
    try:
        code = OVERFLOW_CODES[overflow]
    except (KeyError, TypeError):
        raise ValueError(f"unknown overflow {overflow!r}: expected one of "
                         f"{', '.join(map(repr, OVERFLOW_CODES))}") from None
    return cap, code


def series_ttl_seconds(series_ttl):
    """The ``series_ttl_seconds`` of the metric options (0.0: children never expire).

    ``series_ttl`` is None or 0 (no expiry), a number of seconds or a ``datetime.timedelta``:
    TypeError for another type (a bool included), ValueError for a negative, NaN or infinite
    one, which the library would refuse with ``PE_ERR_INVALID_VALUE``.
    """
    if series_ttl is None:
        return 0.0
    if isinstance(series_ttl, datetime.timedelta):
        seconds = series_ttl.total_seconds()
    elif isinstance(series_ttl, numbers.Real) and not isinstance(series_ttl, bool):
        seconds = float(series_ttl)
    else:
        raise TypeError(f"series_ttl must be a number of seconds, a timedelta or None, not "
                        f"{series_ttl!r}")
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ValueError(f"series_ttl must be finite and not negative (0 or None for no "
                         f"expiry), not {series_ttl!r}")
    return seconds


def label_pairs(labels, what):
    """The name and value arrays of a dict of labels (None or empty: two empty arrays).

    ``labels`` must be a mapping with str names (TypeError otherwise, naming ``what``); values
    are converted with ``str``, as ``labels()`` converts label values. The names themselves are
    the library's to check.
    """
    if labels is None:
        labels = {}
    if not hasattr(labels, "items"):
        raise TypeError(f"{what} must be a dict of label name to value, not {labels!r}")
    names = []
    values = []
    for name, value in labels.items():
        if not isinstance(name, str):
            raise TypeError(f"{what}: a label name must be a str, not {name!r}")
        names.append(name)
        values.append(str(value))
    return str_array(names), str_array(values)


def check_metric_name(name):
    """Raises ValueError unless the library accepts ``name`` as a metric name."""
    handle = c_void_p()
    lib.pe_gauge_new(encode(name), None, None, 0, ctypes.byref(handle))
    lib.pe_gauge_free(handle)


def escaping_code(escaping):
    """The ``PE_ESCAPING_*`` code of an escaping scheme's name ("underscores"...).

    None is "underscores", the default of every generate function, which took None before they
    knew escapings. ValueError for any other value, where prometheus_client would silently
    write the names as they are.
    """
    if escaping is None:
        return PE_ESCAPING_UNDERSCORES
    try:
        return ESCAPING_CODES[escaping]
    except (KeyError, TypeError):
        raise ValueError(f"unknown escaping scheme {escaping!r}: expected one of "
                         f"{', '.join(map(repr, ESCAPING_CODES))}") from None


def take_string(pointer, length=-1):
    """The bytes of a library-allocated string, which is freed (-1: up to its NUL)."""
    try:
        return ctypes.string_at(pointer, length)
    finally:
        lib.pe_string_free(pointer)


def escape_name(name, escaping):
    """``name`` rewritten as a scraper asking for ``escaping`` sees it (a metric name)."""
    out = c_void_p()
    lib.pe_escape_name(encode(name), escaping_code(escaping), ctypes.byref(out))
    return take_string(out).decode("utf-8")


def version():
    """The library's version, "MAJOR.MINOR.PATCH"."""
    return lib.pe_version().decode()
