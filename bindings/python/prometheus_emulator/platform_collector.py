"""Which Python runs the process, as prometheus_client exposes it: ``python_info``.

``PLATFORM_COLLECTOR`` is registered in ``REGISTRY``.
"""

import platform as _platform_module

from .metrics_core import GaugeMetricFamily
from .metrics_core import Metric  # noqa: F401 (as theirs)
from .registry import REGISTRY, Collector, CollectorRegistry  # noqa: F401

__all__ = ["PlatformCollector", "PLATFORM_COLLECTOR"]


class PlatformCollector(Collector):
    """Collector of Python platform information (version, implementation)."""

    def __init__(self, registry=REGISTRY, platform=None):
        self._platform = _platform_module if platform is None else platform
        info = self._info()
        if self._platform.system() == "Java":
            info.update(self._java())
        self._labels = info
        if registry:
            registry.register(self)

    def collect(self):
        family = GaugeMetricFamily("python_info", "Python platform information",
                                   labels=list(self._labels))
        family.add_metric(list(self._labels.values()), 1)
        return [family]

    def _info(self):
        major, minor, patchlevel = self._platform.python_version_tuple()
        return {
            "version": self._platform.python_version(),
            "implementation": self._platform.python_implementation(),
            "major": major,
            "minor": minor,
            "patchlevel": patchlevel,
        }

    def _java(self):
        java_version, _, vminfo, _ = self._platform.java_ver()
        vm_name, vm_release, vm_vendor = vminfo
        return {"jvm_version": java_version, "jvm_release": vm_release,
                "jvm_vendor": vm_vendor, "jvm_name": vm_name}


PLATFORM_COLLECTOR = PlatformCollector()
"""The PlatformCollector registered in REGISTRY."""
