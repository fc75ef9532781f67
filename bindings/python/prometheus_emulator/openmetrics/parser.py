"""Parsing OpenMetrics 1.0 text, as ``prometheus_client.openmetrics.parser`` parses it.

The library reads and checks the text (``# EOF`` last, metadata before samples, histogram
buckets, counts, exemplars, timestamps within a group...) as prometheus_client's parser does,
and the families come back as its ``Metric`` and ``Sample`` objects: values ``int`` when the
text wrote an integer, timestamps ``Timestamp(sec, nsec)`` when written as integer seconds or
with a fraction, exemplars. A generator: the families read before an invalid line are yielded,
then ``ValueError`` is raised. Native histogram samples are refused (ValueError), where
prometheus_client reads them experimentally.
"""

from .. import _lib
from ..parser import _families, _read_all

__all__ = ["text_string_to_metric_families", "text_fd_to_metric_families"]


def text_string_to_metric_families(text):
    """Parse Openmetrics text format from a unicode string.

    See text_fd_to_metric_families.
    """
    yield from _families(text, _lib.PE_FORMAT_OPENMETRICS)


def text_fd_to_metric_families(fd):
    """Parse OpenMetrics text format from a file descriptor (read whole before the first family
    is yielded). Yields Metric's."""
    yield from _families(_read_all(fd), _lib.PE_FORMAT_OPENMETRICS)
