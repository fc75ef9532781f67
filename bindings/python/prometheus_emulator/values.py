"""prometheus_client's value classes, which hold each series' number in Python.

Here the library holds every value, so there is no value class to choose or replace:
``MutexValue`` and ``MultiProcessValue`` raise ``NotImplementedError`` (use the metric classes,
``Counter``, ``Gauge`` and the rest, whose values the library keeps, in the shared store of
``PROMETHEUS_MULTIPROC_DIR`` when it is set), and ``close_all_multiprocess_files()`` has no files
to close.
"""

__all__ = ["MutexValue", "MultiProcessValue", "ValueClass", "get_value_class",
           "close_all_multiprocess_files"]

_MESSAGE = ("prometheus_emulator keeps metric values in the library, not in Python value "
            "classes: use Counter, Gauge, Histogram and the other metric classes")


class MutexValue:
    """prometheus_client's in-process value; raises NotImplementedError."""

    _multiprocess = False

    def __init__(self, typ, metric_name, name, labelnames, labelvalues, help_text, **kwargs):
        raise NotImplementedError(_MESSAGE)


def MultiProcessValue(process_identifier=None):
    """prometheus_client's multi-process value class factory; raises NotImplementedError."""
    raise NotImplementedError(_MESSAGE + " (multi-process mode needs no value class: with "
                              "PROMETHEUS_MULTIPROC_DIR set they keep their values in the shared "
                              "store; see prometheus_emulator.multiprocess)")


def get_value_class():
    """The value class metrics would use: ``MutexValue``, which stands for the library."""
    return MutexValue


ValueClass = MutexValue


def close_all_multiprocess_files():
    """Closes the multi-process files: there are none (the shared store stays open, for the
    metrics made on it)."""
