"""The OpenMetrics text exposition, rendered by the library.

As ``prometheus_client.openmetrics.exposition``: ``generate_latest(registry)`` returns the
registry in OpenMetrics 1.0 text (``_created`` samples, units, exemplars, ``# EOF``) as UTF-8 bytes,
served with ``CONTENT_TYPE_LATEST``. ``generate_latest(registry, version="2.0.0")`` returns
OpenMetrics 2.0 text (experimental: native histograms as composite values, start times as
``st@``), served with ``CONTENT_TYPE_LATEST_2_0``. ``escaping`` says how names outside the legacy
character set are written, as for ``prometheus_emulator.exposition.generate_latest``.
"""

from .. import _lib
from ..registry import REGISTRY, expose

__all__ = [
    "CONTENT_TYPE_LATEST", "CONTENT_TYPE_LATEST_2_0", "ALLOWUTF8", "UNDERSCORES", "DOTS",
    "VALUES", "generate_latest",
]

CONTENT_TYPE_LATEST = "application/openmetrics-text; version=1.0.0; charset=utf-8"
"""Content type of the OpenMetrics 1.0 text format."""
CONTENT_TYPE_LATEST_2_0 = "application/openmetrics-text; version=2.0.0; charset=utf-8"
"""Content type of the OpenMetrics 2.0 text format."""

# The escaping schemes, named as scrapers name them in the escaping= parameter of an Accept
# header, and as prometheus_client names them.
ALLOWUTF8 = "allow-utf-8"
"""Names as they are, quoted where they are outside the legacy character set."""
UNDERSCORES = "underscores"
"""Every character outside the legacy set becomes ``_``: ``app.requests`` is ``app_requests``."""
DOTS = "dots"
"""``.`` becomes ``_dot_``, ``_`` becomes ``__``, any other character outside the set ``__``."""
VALUES = "values"
"""``U__``, then ``_`` doubled and other characters outside the set as ``_<hex code point>_``."""


def generate_latest(registry=REGISTRY, escaping=UNDERSCORES, version="1.0.0"):
    """The registry (or any collector) in OpenMetrics text, as UTF-8 bytes.

    ``version`` is the OpenMetrics version: "1.0.0" (the default) or "2.0.0". ``escaping`` is
    one of ``UNDERSCORES`` (the default, as in prometheus_client, for either version),
    ``ALLOWUTF8``, ``DOTS`` and ``VALUES``.
    """
    return expose(registry, _format(version), escaping=_lib.escaping_code(escaping))


def _format(version):
    """The library's format code for an OpenMetrics version string."""
    if version is None:
        return _lib.PE_FORMAT_OPENMETRICS
    major = str(version).split(".", 1)[0]
    if major in ("0", "1"):  # 0.0.1 is the draft of 1.0.0, as scrapers still name it
        return _lib.PE_FORMAT_OPENMETRICS
    if major == "2":
        return _lib.PE_FORMAT_OPENMETRICS_2
    raise ValueError(f"unsupported OpenMetrics version {version!r} (1.0.0 or 2.0.0)")
