"""The OpenMetrics text exposition, rendered by the library.

As ``prometheus_client.openmetrics.exposition``: ``generate_latest(registry)`` returns the
registry in OpenMetrics 1.0 text (``_created`` samples, units, exemplars, ``# EOF``) as UTF-8 bytes,
served with ``CONTENT_TYPE_LATEST``. ``generate_latest(registry, version="2.0.0")`` returns
OpenMetrics 2.0 text (experimental: native histograms as composite values, start times as
``st@``), served with ``CONTENT_TYPE_LATEST_2_0``. ``escaping`` says how names outside the legacy
character set are written, as for ``prometheus_emulator.exposition.generate_latest``.
"""

import re

from .. import _lib
from ..registry import REGISTRY, expose
from ..utils import floatToGoString, parse_version  # noqa: F401 (importable here, as theirs)

__all__ = [
    "CONTENT_TYPE_LATEST", "CONTENT_TYPE_LATEST_2_0", "ESCAPING_HEADER_TAG", "ALLOWUTF8",
    "UNDERSCORES", "DOTS", "VALUES", "generate_latest", "escape_metric_name",
    "escape_label_name",
]

ESCAPING_HEADER_TAG = "escaping"
"""The ``Accept`` header parameter naming the escaping a scraper wants."""

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


_LEGACY_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LEGACY_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def _quoted(name):
    """``name`` as a quoted string of the text formats."""
    escaped = name.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
    return f'"{escaped}"'


def escape_metric_name(s, escaping=UNDERSCORES):
    """A metric name as the expositions write it under ``escaping``: quoted under
    ``ALLOWUTF8`` when outside the legacy character set, rewritten by the library otherwise
    (``DOTS`` rewrites legacy names too, ``a_b`` as ``a__b``)."""
    if not s:
        return s
    if escaping == ALLOWUTF8:
        return s if _LEGACY_METRIC_NAME.fullmatch(s) else _quoted(s)
    if escaping not in (UNDERSCORES, DOTS, VALUES):
        return s
    return _lib.escape_name(s, escaping)


def escape_label_name(s, escaping=UNDERSCORES):
    """A label name as the expositions write it under ``escaping`` (as ``escape_metric_name``,
    with ``:`` outside the label character set)."""
    if not s:
        return s
    legacy = _LEGACY_LABEL_NAME.fullmatch(s) is not None
    if escaping == ALLOWUTF8:
        return s if legacy else _quoted(s)
    if escaping in (UNDERSCORES, VALUES) and legacy:
        return s
    if escaping not in (UNDERSCORES, DOTS, VALUES):
        return s
    # The library escapes metric names, whose set also holds ":": what it returns has the
    # colons left as they were, each standing where the label form has its own rewrite.
    if ":" not in s:
        return _lib.escape_name(s, escaping)
    if escaping == UNDERSCORES:
        return _lib.escape_name(s, escaping).replace(":", "_")
    if escaping == DOTS:
        return _lib.escape_name(s, escaping).replace(":", "__")
    escaped = _lib.escape_name(s, escaping)
    if not escaped.startswith("U__"):  # legacy as a metric name: the library kept it
        escaped = "U__" + escaped.replace("_", "__")
    return escaped.replace(":", "_3a_")
