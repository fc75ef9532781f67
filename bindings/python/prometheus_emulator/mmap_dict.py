"""prometheus_client's memory-mapped value files, used by its multi-process mode.

The multi-process mode here keeps every process's values in one shared store, not in a file
per process (see ``prometheus_emulator.multiprocess``): ``MmapedDict`` raises
``NotImplementedError``. ``mmap_key`` builds prometheus_client's key.
"""

import json

__all__ = ["MmapedDict", "mmap_key"]


class MmapedDict:
    """prometheus_client's dict of doubles in a memory-mapped file; raises NotImplementedError."""

    def __init__(self, filename, read_mode=False):
        raise NotImplementedError(
            "prometheus_emulator writes no per-process files: its multi-process mode keeps "
            "every process's values in one shared store (see prometheus_emulator.multiprocess)")

    @staticmethod
    def read_all_values_from_file(filename):
        raise NotImplementedError(
            "prometheus_emulator reads no per-process files: its multi-process mode keeps "
            "every process's values in one shared store (see prometheus_emulator.multiprocess)")


def mmap_key(metric_name, name, labelnames, labelvalues, help_text):
    """The key of one sample in a multi-process file (JSON, labels sorted by name)."""
    labels = dict(zip(labelnames, labelvalues))
    return json.dumps([metric_name, name, labels, help_text], sort_keys=True)
