"""Which metric and label names are valid: UTF-8 (the default) or the legacy character sets.

As ``prometheus_client.validation``: names may be any UTF-8 text (``app.requests_total``,
label ``http.method``) unless legacy validation is enabled, which restores the classic sets
``[a-zA-Z_:][a-zA-Z0-9_:]*`` for metrics and ``[a-zA-Z_][a-zA-Z0-9_]*`` for labels. Setting
``PROMETHEUS_LEGACY_NAME_VALIDATION`` to ``true``, ``1`` or ``t`` (any case) before the package
is imported enables it from the start.

The setting is the library's (``pe_set_name_validation``), not a variable of this module: the
library checks every name, so C, Go and Python code in one process see the same setting, and
``get_legacy_validation()`` reports what the library will actually do. Metrics made before a
change keep their names. A registry can also refuse names outside the legacy sets on its own:
see ``CollectorRegistry.set_legacy_validation``.
"""

import os
import re
from ctypes import byref, c_int

from ._lib import PE_NAME_VALIDATION_LEGACY, PE_NAME_VALIDATION_UTF8, lib

__all__ = ["get_legacy_validation", "enable_legacy_validation", "disable_legacy_validation",
           "METRIC_NAME_RE", "METRIC_LABEL_NAME_RE", "RESERVED_METRIC_LABEL_NAME_RE"]

# The legacy character sets, as prometheus_client spells them, for programs that check names
# themselves; the library applies its own rules to every name it is given.
METRIC_NAME_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
METRIC_LABEL_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
RESERVED_METRIC_LABEL_NAME_RE = re.compile(r"^__.*$")

_ENVIRONMENT_VARIABLE = "PROMETHEUS_LEGACY_NAME_VALIDATION"


def get_legacy_validation():
    """Whether legacy name validation is enabled, in the whole process."""
    scheme = c_int()
    lib.pe_get_name_validation(byref(scheme))
    return scheme.value == PE_NAME_VALIDATION_LEGACY


def enable_legacy_validation():
    """Accepts only legacy names in metrics made from now on, instead of any UTF-8 name."""
    lib.pe_set_name_validation(PE_NAME_VALIDATION_LEGACY)


def disable_legacy_validation():
    """Accepts any UTF-8 name in metrics made from now on (the default)."""
    lib.pe_set_name_validation(PE_NAME_VALIDATION_UTF8)


def _init_legacy_validation():
    """Applies ``PROMETHEUS_LEGACY_NAME_VALIDATION``, read as prometheus_client reads it.

    Only a variable that is set is applied: when it is unset the library's setting is left
    alone, so that a program which chose legacy validation through the C API before importing
    this package keeps it.
    """
    value = os.environ.get(_ENVIRONMENT_VARIABLE)
    if value is None:
        return
    if value.lower() in ("true", "1", "t"):
        enable_legacy_validation()
    else:
        disable_legacy_validation()


_init_legacy_validation()
