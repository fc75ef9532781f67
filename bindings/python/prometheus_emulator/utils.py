"""Number helpers of prometheus_client.utils: the infinities, NaN, ``floatToGoString`` and
``parse_version``.

The library writes every number of an exposition itself; these are for programs and custom
collectors that format a bucket bound or a quantile the way prometheus_client does (``le`` and
``quantile`` label values such as ``"1.0"``, ``"+Inf"`` and ``"1.5e+07"``).
"""

import math

__all__ = ["INF", "MINUS_INF", "NaN", "floatToGoString", "parse_version"]

INF = float("inf")
MINUS_INF = float("-inf")
NaN = float("nan")


def floatToGoString(d):
    """``d`` (anything ``float`` takes) as prometheus_client writes it: ``repr`` of the float,
    ``+Inf``, ``-Inf`` and ``NaN`` for the special values, and Go's exponent form for positive
    numbers of more than six integer digits (``12345678.0`` is ``1.2345678e+07``)."""
    value = float(d)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    text = repr(value)
    point = text.find(".")
    if value > 0 and point > 6:
        # Go switches to an exponent sooner than Python's repr does.
        digits = (text[:point] + text[point + 1:]).rstrip("0")
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{mantissa}e+{point - 1:02d}"
    return text


def parse_version(version_str):
    """A dotted version as a tuple, numeric parts as ints: ``"1.0.0"`` is ``(1, 0, 0)``."""
    parts = []
    for part in version_str.split("."):
        try:
            parts.append(int(part))
        except ValueError:
            parts.append(part)
    return tuple(parts)
