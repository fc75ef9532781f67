"""client_python's exposition style on every registry, and the process-wide ``_created`` switch.

The library writes a registry's expositions in the style set on it (``pe_registry_set_style``);
its default is client_golang's. Every registry this package makes (``CollectorRegistry()``, and
the library's default registry behind ``REGISTRY``) gets client_python's instead, so that the
bytes are prometheus_client's: numbers as its ``floatToGoString`` writes them (``1.0``,
``1.23456789e+08``), ``name_created`` gauge families in text 0.0.4, families in registration
order, ``# HELP`` before ``# TYPE`` in OpenMetrics. A wrapped view has its root's style.

prometheus_client shows or hides the ``_created`` series of every metric of the process at once
(``disable_created_metrics()``, ``enable_created_metrics()``, and
``PROMETHEUS_DISABLE_CREATED_SERIES`` read at import). Here the style of each registry carries
that choice, so this module keeps a weak set of the registries it styled and restyles them all
when the switch changes; a registry made later starts with the current setting.
"""

import os
import threading
import weakref
from ctypes import byref, sizeof

from . import _lib
from ._lib import lib

__all__ = ["adopt", "created_enabled", "set_created_enabled"]


def _created_from_environment():
    """prometheus_client's reading of ``PROMETHEUS_DISABLE_CREATED_SERIES``: "true", "1" or
    "t", in any case, hides the ``_created`` series; anything else (or nothing) shows them."""
    value = os.environ.get("PROMETHEUS_DISABLE_CREATED_SERIES", "False")
    return value.lower() not in ("true", "1", "t")


_lock = threading.Lock()
_created = _created_from_environment()
_registries = weakref.WeakSet()  # the registries styled here, restyled when _created changes


def _style():
    """client_python's ``pe_exposition_style``, with ``_created`` as the switch says."""
    return _lib.pe_exposition_style(
        struct_size=sizeof(_lib.pe_exposition_style),
        numbers=_lib.PE_NUMBERS_PYTHON,
        created=_lib.PE_CREATED_EVERYWHERE if _created else _lib.PE_CREATED_NOWHERE,
        family_order=_lib.PE_FAMILIES_REGISTRATION,
        metadata=_lib.PE_METADATA_HELP_FIRST,
        label_order=_lib.PE_LABELS_SORTED,
    )


def adopt(registry):
    """Gives ``registry`` (an object with the ``_handle`` of a root library registry)
    client_python's style, and keeps it in step with the ``_created`` switch from now on."""
    with _lock:
        lib.pe_registry_set_style(registry._handle, byref(_style()))
        _registries.add(registry)


def created_enabled():
    """Whether metrics show their ``_created`` series (prometheus_client's ``_use_created``)."""
    return _created


def set_created_enabled(enabled):
    """Shows (True) or hides (False) the ``_created`` series of every registry's metrics."""
    global _created
    with _lock:
        _created = bool(enabled)
        style = _style()
        for registry in list(_registries):
            lib.pe_registry_set_style(registry._handle, byref(style))
