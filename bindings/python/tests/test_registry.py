"""Registries and custom collectors: registration, collection, and Python collectors inside the
library's exposition."""

import gc
import math
import re
import warnings

import pytest

import prometheus_emulator as pe
from prometheus_emulator import (
    REGISTRY, CollectorRegistry, Counter, CounterMetricFamily, Gauge,
    GaugeHistogramMetricFamily, GaugeMetricFamily, HistogramMetricFamily, InfoMetricFamily,
    Metric, Registry, StateSetMetricFamily, SummaryMetricFamily, UnknownMetricFamily,
    generate_latest,
)
from prometheus_emulator import _bridge
from prometheus_emulator.openmetrics.exposition import generate_latest as generate_openmetrics
from prometheus_emulator.samples import Sample


class EveryType:
    """A custom collector yielding one family of each type the library knows."""

    def __init__(self):
        self.calls = 0

    def collect(self):
        self.calls += 1
        yield GaugeMetricFamily("custom_temperature", "Temperature.", value=21.5)
        counter = CounterMetricFamily("custom_requests_total", "Requests.", labels=["code"])
        counter.add_metric(["200"], 7, created=1700000000)
        counter.add_metric(["500"], 1)
        yield counter
        yield HistogramMetricFamily(
            "custom_latency_seconds", "Latency.", unit="seconds",
            buckets=[("0.1", 2), ("1.0", 5), ("+Inf", 6)], sum_value=3.5)
        yield SummaryMetricFamily("custom_size_bytes", "Size.", count_value=4, sum_value=100)
        info = InfoMetricFamily("custom_build", "Build.", labels=["component"])
        info.add_metric(["api"], {"version": "1.2"})
        yield info
        yield StateSetMetricFamily("custom_state", "State.", value={"up": True, "down": False})
        yield UnknownMetricFamily("custom_untyped", "Untyped.", value=3, unit="")
        timed = GaugeMetricFamily("custom_timed", "With a timestamp.", labels=["k"])
        timed.add_metric(["v"], 1, timestamp=1700000000.5)
        yield timed


def samples_by_name(registry):
    return {(s.name, tuple(sorted(s.labels.items()))): s
            for family in registry.collect() for s in family.samples}


class TestCollectorRegistry:
    def test_register_collect_unregister(self, registry):
        c = Counter("a_total", "A.", registry=registry)
        g = Gauge("b", "B.", registry=registry)
        c.inc()
        g.set(2)
        families = list(registry.collect())
        assert [(f.name, f.type) for f in families] == [("a", "counter"), ("b", "gauge")]
        assert all(isinstance(f, Metric) for f in families)
        assert isinstance(families[0].samples[0], Sample)
        registry.unregister(g)
        assert [f.name for f in registry.collect()] == ["a"]
        registry.register(g)  # its name is free again
        registry.register(g)  # and registering it again does nothing
        assert [f.name for f in registry.collect()] == ["a", "b"]
        with pytest.raises(KeyError):
            registry.unregister(Gauge("c", "C.", registry=None))

    def test_one_metric_in_several_registries(self, registry):
        other = CollectorRegistry()
        c = Counter("shared", "S.", registry=registry)
        other.register(c)
        c.inc(3)
        assert registry.get_sample_value("shared_total") == 3
        assert other.get_sample_value("shared_total") == 3

    def test_get_sample_value(self, registry):
        c = Counter("lookups", "L.", ["k"], registry=registry)
        c.labels("v").inc(2)
        assert registry.get_sample_value("lookups_total", {"k": "v"}) == 2
        assert registry.get_sample_value("lookups_total", {"k": "w"}) is None
        assert registry.get_sample_value("lookups_total") is None  # labels must match exactly
        assert registry.get_sample_value("nothing") is None

    def test_restricted_registry(self, registry):
        Counter("kept", "K.", registry=registry).inc()
        Gauge("dropped", "D.", registry=registry).set(1)
        restricted = registry.restricted_registry(["kept_total"])
        assert [s.name for f in restricted.collect() for s in f.samples] == ["kept_total"]
        text = generate_latest(restricted).decode()
        assert "kept_total 1" in text and "dropped" not in text

    def test_target_info(self):
        registry = CollectorRegistry(target_info={"service": "api"})
        assert registry.get_target_info() == {"service": "api"}
        assert registry.get_sample_value("target_info", {"service": "api"}) == 1
        registry.set_target_info({"service": "worker"})
        assert registry.get_sample_value("target_info", {"service": "worker"}) == 1
        registry.set_target_info(None)
        assert registry.get_sample_value("target_info", {"service": "worker"}) is None

    def test_default_registry_serves_both_styles(self):
        # prometheus_client's: collect() yields families, with the process collector in them.
        names = {family.name for family in REGISTRY.collect()}
        assert "process_cpu_seconds" in names
        # The seed's: register() of a metric already there is a no-op, generate_latest() reads it.
        c = Counter("both_styles_total", "B.")
        REGISTRY.register(c)
        assert b"both_styles_total 0.0\n" in generate_latest()
        REGISTRY.unregister(c)


class TestSeedRegistry:
    def test_collect_returns_the_text_exposition(self):
        registry = Registry()
        requests = Counter("seed_registry_requests", "Request count", registry=None)
        memory = Gauge("seed_registry_memory", "Memory usage in MB", registry=None)
        registry.register(requests)
        registry.register(memory)
        requests.inc()
        memory.set(512)
        text = registry.collect()
        created = re.search(r"^seed_registry_requests_created (\S+)$", text, flags=re.M)
        assert float(created.group(1)) > 1.6e9
        # prometheus_client's text: registration order, floats, the _created gauge family.
        assert text == (
            "# HELP seed_registry_requests_total Request count\n"
            "# TYPE seed_registry_requests_total counter\n"
            "seed_registry_requests_total 1.0\n"
            "# HELP seed_registry_requests_created Request count\n"
            "# TYPE seed_registry_requests_created gauge\n"
            f"seed_registry_requests_created {created.group(1)}\n"
            "# HELP seed_registry_memory Memory usage in MB\n"
            "# TYPE seed_registry_memory gauge\n"
            "seed_registry_memory 512.0\n")
        assert [f.name for f in registry.collect_families()] == [
            "seed_registry_requests", "seed_registry_memory"]
        assert isinstance(registry, CollectorRegistry)
        assert generate_latest(registry).decode() == registry.collect()


class TestCustomCollectors:
    def test_every_type_in_both_formats(self, registry):
        collector = EveryType()
        registry.register(collector)
        samples = samples_by_name(registry)
        assert samples[("custom_temperature", ())].value == 21.5
        assert samples[("custom_requests_total", (("code", "200"),))].value == 7
        assert samples[("custom_latency_seconds_bucket", (("le", "1.0"),))].value == 5
        assert samples[("custom_latency_seconds_count", ())].value == 6
        assert samples[("custom_latency_seconds_sum", ())].value == 3.5
        assert samples[("custom_size_bytes_count", ())].value == 4
        assert samples[("custom_build_info", (("component", "api"), ("version", "1.2")))].value == 1
        assert samples[("custom_state", (("custom_state", "up"),))].value == 1
        assert samples[("custom_state", (("custom_state", "down"),))].value == 0
        assert samples[("custom_untyped", ())].value == 3
        assert samples[("custom_timed", (("k", "v"),))].timestamp == 1700000000.5
        text = generate_latest(registry).decode()
        assert "custom_temperature 21.5\n" in text
        assert 'custom_timed{k="v"} 1.0 1700000000500\n' in text
        openmetrics = generate_openmetrics(registry).decode()
        assert "# UNIT custom_latency_seconds seconds\n" in openmetrics
        assert "# TYPE custom_state stateset" in openmetrics
        assert openmetrics.endswith("# EOF\n")
        assert collector.calls == 3

    def test_alongside_metrics_and_unregistered(self, registry):
        Counter("own", "Own.", registry=registry).inc()
        collector = EveryType()
        registry.register(collector)
        registry.register(collector)  # again: nothing happens
        names = [f.name for f in registry.collect()]
        # Registration order: the counter, then the collector's families as it yields them.
        assert names == ["own"] + [f.name for f in EveryType().collect()]
        registry.unregister(collector)
        assert [f.name for f in registry.collect()] == ["own"]

    def test_the_library_lets_go_of_the_collector(self):
        gc.collect()  # earlier tests' garbage (a set_function gauge's cycle) goes first
        registry = CollectorRegistry()
        registry.register(EveryType())
        live = len(_bridge._LIVE)
        del registry
        gc.collect()
        assert len(_bridge._LIVE) == live - 1

    def test_exceptions_reach_the_caller_not_c(self, registry):
        class Broken:
            def collect(self):
                yield GaugeMetricFamily("fine_before", "F.", value=1)
                raise RuntimeError("collector broke")

        registry.register(Broken())
        with pytest.raises(RuntimeError, match="collector broke"):
            generate_latest(registry)
        with pytest.raises(RuntimeError, match="collector broke"):
            list(registry.collect())
        registry.unregister(next(iter(registry._collectors)))
        assert generate_latest(registry) == b""

    def test_bad_families_raise_value_error(self, registry):
        class BadLabel:
            def collect(self):
                family = GaugeMetricFamily("bad_label", "B.", labels=["__reserved"])
                family.add_metric(["x"], 1)
                yield family

        registry.register(BadLabel())
        with pytest.raises(ValueError):
            generate_latest(registry)

    def test_gauge_histogram_is_left_out_with_a_warning(self, registry):
        class GaugeHistogram:
            def collect(self):
                yield GaugeHistogramMetricFamily("queue_wait", "Q.", buckets=[("+Inf", 1)],
                                                 gsum_value=1)
                yield GaugeMetricFamily("after", "A.", value=1)

        registry.register(GaugeHistogram())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            text = generate_latest(registry).decode()
        assert "queue_wait" not in text and "after 1" in text
        assert any("gauge histogram" in str(w.message) for w in caught)

    def test_families_validate_names_through_the_library(self, legacy_validation):
        with pytest.raises(ValueError):
            GaugeMetricFamily("bad name", "B.")
        with pytest.raises(ValueError):
            Metric("x", "X.", "not-a-type")
        assert CounterMetricFamily("c_total", "C.").name == "c"
        assert GaugeMetricFamily("g", "G.", unit="bytes").name == "g_bytes"

    def test_non_finite_values(self, registry):
        class NonFinite:
            def collect(self):
                yield GaugeMetricFamily("nan_value", "N.", value=math.nan)
                yield GaugeMetricFamily("inf_value", "I.", value=-math.inf)

        registry.register(NonFinite())
        samples = samples_by_name(registry)
        assert math.isnan(samples[("nan_value", ())].value)
        assert samples[("inf_value", ())].value == -math.inf
        text = generate_latest(registry).decode()
        assert "nan_value NaN\n" in text and "inf_value -Inf\n" in text

    def test_generate_latest_of_any_collector(self):
        assert b"custom_temperature 21.5" in generate_latest(EveryType())

    def test_collector_using_the_registry_inside_collect(self, registry):
        c = Counter("read_inside", "R.", registry=registry)
        c.inc(4)

        class Derived:
            def collect(self):
                yield GaugeMetricFamily("derived", "D.", value=c.get() * 2)

        registry.register(Derived())
        assert registry.get_sample_value("derived") == 8


def test_labels_with_every_character_survive(registry):
    g = Gauge("escaped", "Help with \\ and\nnewline.", ["v"], registry=registry)
    odd = 'quote " backslash \\ newline \n tab \t unicode é ✓'
    g.labels(odd).set(1)
    (family,) = registry.collect()
    assert family.samples[0].labels == {"v": odd}
    assert family.documentation == "Help with \\ and\nnewline."
    assert pe.REGISTRY is not registry
