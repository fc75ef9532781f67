"""The OpenMetrics 1.0 text exposition, rendered by the library.

As ``prometheus_client.openmetrics.exposition``: ``generate_latest(registry)`` returns the
registry in OpenMetrics text (``_created`` samples, units, exemplars, ``# EOF``) as UTF-8 bytes,
served with ``CONTENT_TYPE_LATEST``.
"""

from .. import _lib
from ..registry import REGISTRY, expose

__all__ = ["CONTENT_TYPE_LATEST", "generate_latest"]

CONTENT_TYPE_LATEST = "application/openmetrics-text; version=1.0.0; charset=utf-8"
"""Content type of the OpenMetrics 1.0 text format."""


def generate_latest(registry=REGISTRY, escaping=None, version=None):
    """The registry (or any collector) in OpenMetrics 1.0 text, as UTF-8 bytes.

    ``escaping`` and ``version`` are accepted for compatibility: the output is OpenMetrics 1.0
    with classic names.
    """
    return expose(registry, _lib.PE_FORMAT_OPENMETRICS)
