"""client_python's exposition style on every registry the binding makes, and the process-wide
``_created`` switch (``disable_created_metrics()``, ``enable_created_metrics()``,
``PROMETHEUS_DISABLE_CREATED_SERIES``), as prometheus_client has them."""

import ctypes
import gc
import os
import subprocess
import sys
import weakref

import prometheus_client
import pytest

import prometheus_emulator as pe
from prometheus_emulator import _lib, _style, metrics
from prometheus_emulator.openmetrics.exposition import generate_latest as generate_openmetrics

CLIENT_PYTHON = (_lib.PE_NUMBERS_PYTHON, _lib.PE_CREATED_EVERYWHERE,
                 _lib.PE_FAMILIES_REGISTRATION, _lib.PE_METADATA_HELP_FIRST)


def style_of(registry):
    """The library's style of a registry: (numbers, created, family_order, metadata)."""
    style = _lib.pe_exposition_style()
    _lib.lib.pe_registry_get_style(registry._handle, ctypes.byref(style))
    assert style.struct_size == ctypes.sizeof(_lib.pe_exposition_style)
    return style.numbers, style.created, style.family_order, style.metadata


@pytest.fixture
def created_disabled():
    """``_created`` series hidden for the test, shown again after it."""
    pe.disable_created_metrics()
    yield
    pe.enable_created_metrics()


@pytest.fixture(autouse=True)
def _created_left_on():
    yield
    assert _style.created_enabled(), "a test left the _created series disabled"


def test_every_registry_has_client_pythons_style(registry):
    assert style_of(registry) == CLIENT_PYTHON
    assert style_of(pe.REGISTRY) == CLIENT_PYTHON
    assert style_of(pe.Registry()) == CLIENT_PYTHON
    # A view writes in its root's style: setting the root's shows through it.
    view = registry.wrapped("v_", {"k": "v"})
    assert style_of(view) == CLIENT_PYTHON
    pe.Gauge("g", "G.", registry=view).set(3)
    assert pe.generate_latest(view) == pe.generate_latest(registry) == (
        b'# HELP v_g G.\n# TYPE v_g gauge\nv_g{k="v"} 3.0\n')


def test_the_functions_are_where_prometheus_client_has_them():
    for module, theirs in ((pe, prometheus_client), (metrics, prometheus_client.metrics)):
        for name in ("disable_created_metrics", "enable_created_metrics"):
            assert callable(getattr(module, name)) and callable(getattr(theirs, name))
    assert {"disable_created_metrics", "enable_created_metrics"} <= set(pe.__all__)


def test_disabling_hides_created_everywhere_and_in_every_registry(registry, created_disabled):
    counter = pe.Counter("jobs", "Jobs.", registry=registry)
    counter.inc()
    pe.Histogram("took", "Took.", buckets=[1], registry=registry).observe(0.5)
    pe.Summary("size", "Size.", registry=registry).observe(2)
    assert style_of(registry)[1] == style_of(pe.REGISTRY)[1] == _lib.PE_CREATED_NOWHERE
    for text in (pe.generate_latest(registry), generate_openmetrics(registry),
                 pe.generate_latest(pe.REGISTRY)):
        assert b"_created" not in text
    assert all(not s.name.endswith("_created") for f in registry.collect() for s in f.samples)
    assert registry.get_sample_value("jobs_created") is None
    assert all(not s.name.endswith("_created") for f in counter.collect() for s in f.samples)
    # A registry made now starts hidden too.
    later = pe.CollectorRegistry()
    pe.Counter("later", "Later.", registry=later).inc()
    assert style_of(later)[1] == _lib.PE_CREATED_NOWHERE
    assert pe.generate_latest(later) == (
        b"# HELP later_total Later.\n# TYPE later_total counter\nlater_total 1.0\n")
    # And both show them again when enabled.
    pe.enable_created_metrics()
    for each in (registry, later):
        assert style_of(each) == CLIENT_PYTHON
        assert b"_created" in pe.generate_latest(each)
    assert registry.get_sample_value("jobs_created") > 1.6e9


def test_a_custom_collectors_created_samples_stay_in_collect(registry, created_disabled):
    """prometheus_client's switch hides its metrics' _created series; what a custom collector
    yields is yielded as it is."""
    class Restarts:
        def collect(self):
            family = pe.CounterMetricFamily("restarts", "Restarts.")
            family.add_metric([], 2, created=1600000000.0)
            yield family

    registry.register(Restarts())
    [family] = registry.collect()
    assert [s.name for s in family.samples] == ["restarts_total", "restarts_created"]


def test_registries_are_held_weakly():
    registry = pe.CollectorRegistry()
    assert registry in _style._registries
    witness = weakref.ref(registry)
    del registry
    gc.collect()
    assert witness() is None


@pytest.mark.parametrize("value, created", [
    ("true", False), ("True", False), ("TRUE", False), ("1", False), ("t", False), ("T", False),
    ("false", True), ("0", True), ("yes", True), ("", True), (None, True),
])
def test_the_environment_variable_at_import(workdir, value, created):
    """Read at import as prometheus_client reads it; both packages agree."""
    program = (
        "import prometheus_client, prometheus_emulator as pe\n"
        "ours = pe.CollectorRegistry()\n"
        "pe.Counter('c', 'C.', registry=ours).inc()\n"
        "theirs = prometheus_client.CollectorRegistry()\n"
        "prometheus_client.Counter('c', 'C.', registry=theirs).inc()\n"
        "print(b'c_created' in pe.generate_latest(ours),\n"
        "      b'c_created' in prometheus_client.generate_latest(theirs))\n")
    env = dict(os.environ)
    env.pop("PROMETHEUS_DISABLE_CREATED_SERIES", None)
    if value is not None:
        env["PROMETHEUS_DISABLE_CREATED_SERIES"] = value
    result = subprocess.run([sys.executable, "-c", program], cwd=workdir, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(created), str(created)]


def test_summary_without_objectives_exposes_count_and_sum_only(registry):
    summary = pe.Summary("latency", "Latency.", registry=registry)
    for value in (1, 2, 3):
        summary.observe(value)
    assert summary.get_quantile(0.5) == 2  # the default objectives answer
    assert [s.name for f in registry.collect() for s in f.samples] == [
        "latency_count", "latency_sum", "latency_created"]
    text = pe.generate_latest(registry).decode()
    assert "quantile" not in text and "latency_count 3.0\n" in text
    chosen = pe.Summary("chosen", "Chosen.", registry=registry, objectives={0.5: 0.05})
    chosen.observe(4)
    assert 'chosen{quantile="0.5"} 4.0\n' in pe.generate_latest(registry).decode()
