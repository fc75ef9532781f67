"""The metric classes: prometheus_client's surface, and the seed's keyword style on top of it."""

import asyncio
import math
import time

import pytest

import prometheus_emulator as pe
from prometheus_emulator import (
    CollectorRegistry, Counter, Enum, Gauge, Histogram, Info, Summary,
)
from prometheus_emulator.openmetrics.exposition import generate_latest as generate_openmetrics


def value(registry, sample_name, /, **labels):
    return registry.get_sample_value(sample_name, labels)


class TestCounter:
    def test_inc_and_get(self, registry):
        c = Counter("requests_total", "Requests.", registry=registry)
        c.inc()
        c.inc(2.5)
        assert c.get() == 3.5
        assert value(registry, "requests_total") == 3.5

    def test_total_suffix_and_created(self, registry):
        before = time.time()
        c = Counter("jobs", "Jobs.", registry=registry)
        assert c._name == "jobs"
        assert value(registry, "jobs_total") == 0.0
        assert before - 1 <= value(registry, "jobs_created") <= time.time() + 1

    def test_reset_restarts_value_and_created(self, registry):
        c = Counter("resets", "Resets.", registry=registry)
        c.inc(5)
        created = value(registry, "resets_created")
        time.sleep(0.01)
        c.reset()
        assert c.get() == 0.0
        assert value(registry, "resets_created") > created

    def test_labels_positional_keyword_and_cached(self, registry):
        c = Counter("http", "HTTP.", ["method", "status"], registry=registry)
        child = c.labels("GET", "200")
        assert child is c.labels("GET", "200")
        assert child is c.labels(method="GET", status="200")
        assert child is c.labels(status="200", method="GET")
        assert c.labels("GET", 200) is child  # values go through str()
        child.inc()
        c.labels(method="POST", status="201").inc(3)
        assert value(registry, "http_total", method="GET", status="200") == 1
        assert value(registry, "http_total", method="POST", status="201") == 3

    def test_seed_keyword_style(self, registry):
        c = Counter("seed", "Seed.", labels=["method", "status"], registry=registry)
        c.inc(method="GET", status="200")
        c.inc(method="GET", status="200")
        c.inc(2, method="POST", status="201")
        assert c.get(method="GET", status="200") == 2
        assert c.get(method="POST", status="201") == 2
        assert c.get() == 4                                  # the sum over the children
        assert c.get(method="PUT", status="500") == 0        # never used: 0, not created
        assert value(registry, "seed_total", method="PUT", status="500") is None

    def test_remove_and_clear(self, registry):
        c = Counter("removable", "R.", ["k"], registry=registry)
        c.labels("a").inc()
        c.labels("b").inc()
        c.remove("a")
        c.remove("never-there")  # no error, as in prometheus_client
        assert value(registry, "removable_total", k="a") is None
        assert value(registry, "removable_total", k="b") == 1
        assert c.labels("a").get() == 0  # a new child
        c.clear()
        assert [s for m in registry.collect() for s in m.samples] == []

    def test_remove_by_labels(self, registry):
        c = Counter("partial", "P.", ["a", "b"], registry=registry)
        for a, b in [("x", "1"), ("x", "2"), ("y", "1")]:
            c.labels(a, b).inc()
        c.remove_by_labels({"a": "x"})
        assert value(registry, "partial_total", a="x", b="1") is None
        assert value(registry, "partial_total", a="x", b="2") is None
        assert value(registry, "partial_total", a="y", b="1") == 1
        with pytest.raises(ValueError):
            c.remove_by_labels({"c": "1"})

    def test_exemplar(self, registry):
        c = Counter("traced", "T.", registry=registry)
        c.inc(2, exemplar={"trace_id": "abc"})
        text = generate_openmetrics(registry).decode()
        assert 'traced_total 2.0 # {trace_id="abc"} 2.0 ' in text
        sample = next(s for m in registry.collect() for s in m.samples if s.name == "traced_total")
        assert sample.exemplar.labels == {"trace_id": "abc"}
        assert sample.exemplar.value == 2
        assert abs(sample.exemplar.timestamp - time.time()) < 60

    def test_count_exceptions(self, registry):
        c = Counter("failures", "F.", registry=registry)
        with pytest.raises(ValueError):
            with c.count_exceptions():
                raise ValueError
        with c.count_exceptions(KeyError):
            pass

        @c.count_exceptions(ZeroDivisionError)
        def divide(x):
            return 1 / x

        assert divide(2) == 0.5
        with pytest.raises(ZeroDivisionError):
            divide(0)
        with pytest.raises(TypeError):  # not counted
            divide("x")
        assert c.get() == 2

    def test_namespace_subsystem_unit(self, registry):
        c = Counter("read", "Read.", namespace="app", subsystem="disk", unit="bytes",
                    registry=registry)
        assert c._name == "app_disk_read_bytes"
        assert value(registry, "app_disk_read_bytes_total") == 0
        assert "# UNIT app_disk_read_bytes bytes" in generate_openmetrics(registry).decode()

    def test_str_repr_describe_collect(self, registry):
        c = Counter("described", "Described.", ["k"], registry=registry)
        c.labels("v").inc()
        assert str(c) == "counter:described"
        assert repr(c) == "prometheus_emulator.metrics.Counter(described)"
        assert repr(c.labels("v")) == "prometheus_emulator.metrics.Counter(described)"
        assert isinstance(c.labels("v"), Counter)
        (described,) = c.describe()
        assert (described.name, described.type, described.samples) == ("described", "counter", [])
        (family,) = c.collect()
        assert [s.name for s in family.samples] == ["described_total", "described_created"]
        (child_family,) = c.labels("v").collect()
        assert all(s.labels == {"k": "v"} for s in child_family.samples)


class TestGauge:
    def test_set_inc_dec(self, registry):
        g = Gauge("temperature", "T.", registry=registry)
        g.set(22.5)
        g.inc(0.5)
        g.dec(1.0)
        g.inc()
        g.dec()
        assert g.get() == 22.0
        g.set("3.5")  # as prometheus_client: float(value)
        assert value(registry, "temperature") == 3.5
        g.set(-math.inf)
        assert g.get() == -math.inf

    def test_set_to_current_time(self, registry):
        g = Gauge("last_success", "L.", ["job"], registry=registry)
        g.set_to_current_time(job="backup")
        g.labels("sync").set_to_current_time()
        assert abs(g.get(job="backup") - time.time()) < 5
        assert abs(value(registry, "last_success", job="sync") - time.time()) < 5

    def test_track_inprogress_and_time(self, registry):
        g = Gauge("in_progress", "I.", registry=registry)
        with g.track_inprogress():
            assert g.get() == 1

        @g.track_inprogress()
        def work():
            return g.get()

        assert work() == 1
        assert g.get() == 0
        with g.time():
            time.sleep(0.01)
        assert 0.01 <= g.get() < 1

    def test_set_function(self, registry):
        items = [1, 2, 3]
        g = Gauge("queue_length", "Q.", unit="items", registry=registry)
        g.set(100)
        g.set_function(lambda: len(items))
        assert value(registry, "queue_length_items") == 3
        items.append(4)
        assert value(registry, "queue_length_items") == 4
        assert g.get() == 4
        assert "# UNIT queue_length_items items" in generate_openmetrics(registry).decode()
        other = CollectorRegistry()
        other.register(g)  # registered after set_function: the function is exposed there too
        assert other.get_sample_value("queue_length_items") == 4
        registry.unregister(g)
        assert value(registry, "queue_length_items") is None

    def test_set_function_on_children(self, registry):
        g = Gauge("per_worker", "P.", ["worker"], registry=registry)
        g.labels("0").set(3)
        queue = [1, 2]
        g.labels("1").set_function(lambda: len(queue))
        g.labels("2").set_function(lambda: 7.5)
        assert registry.get_sample_value("per_worker", {"worker": "0"}) == 3
        assert registry.get_sample_value("per_worker", {"worker": "1"}) == 2
        queue.append(3)
        assert registry.get_sample_value("per_worker", {"worker": "1"}) == 3
        assert registry.get_sample_value("per_worker", {"worker": "2"}) == 7.5
        assert g.labels("1").get() == 3.0
        assert b'per_worker{worker="1"} 3.0' in pe.generate_latest(registry)

    def test_set_function_on_a_labelled_family_is_missing_label_values(self, registry):
        g = Gauge("per_worker", "P.", ["worker"], registry=registry)
        with pytest.raises(ValueError, match="gauge metric is missing label values"):
            g.set_function(lambda: 1)

    def test_multiprocess_mode_accepted(self, registry):
        Gauge("mp", "M.", multiprocess_mode="livesum", registry=registry).set(1)


class TestHistogram:
    def test_default_buckets_come_from_the_library(self):
        assert Histogram.DEFAULT_BUCKETS == (
            .005, .01, .025, .05, .075, .1, .25, .5, .75, 1.0, 2.5, 5.0, 7.5, 10.0, math.inf)

    def test_observe_buckets_count_sum(self, registry):
        h = Histogram("latency", "L.", buckets=[0.01, 0.05, 0.1, 0.5, 1.0, 5.0],
                      registry=registry)
        for x in (0.025, 0.150, 0.500, 2.000):
            h.observe(x)
        assert h.get_count() == 4
        assert h.get_sum() == pytest.approx(2.675)
        assert h.get_buckets() == [(0.01, 0), (0.05, 1), (0.1, 1), (0.5, 3), (1.0, 3),
                                   (5.0, 4), (math.inf, 4)]
        assert value(registry, "latency_bucket", le="0.5") == 3
        assert value(registry, "latency_bucket", le="+Inf") == 4
        assert value(registry, "latency_count") == 4
        assert h._upper_bounds[-1] == math.inf

    def test_labels_and_seed_reads(self, registry):
        h = Histogram("api", "A.", labels=["endpoint", "method"], buckets=[0.1, 1],
                      registry=registry)
        h.observe(0.025, endpoint="/users", method="GET")
        h.observe(0.150, endpoint="/users", method="GET")
        h.labels("/posts", "POST").observe(0.8)
        assert h.get_count(endpoint="/users", method="GET") == 2
        assert h.get_sum(endpoint="/users", method="GET") == pytest.approx(0.175)
        assert h.get_count() == 3
        assert h.get_sum() == pytest.approx(0.975)
        assert h.get_count(endpoint="/none", method="GET") == 0
        assert h.get_buckets(endpoint="/none", method="GET") == [(0.1, 0), (1.0, 0),
                                                                 (math.inf, 0)]

    def test_time_context_and_decorator(self, registry):
        h = Histogram("duration", "D.", registry=registry)
        with h.time() as timer:
            time.sleep(0.01)
        assert timer.duration >= 0.01

        @h.time()
        def work():
            return "done"

        assert work() == "done"
        assert work.__name__ == "work"
        assert h.get_count() == 2

    def test_exemplar_on_its_bucket(self, registry):
        h = Histogram("sized", "S.", buckets=[1, 10], registry=registry)
        h.observe(5, exemplar={"trace_id": "t"})
        bucket = next(s for m in registry.collect() for s in m.samples
                      if s.name == "sized_bucket" and s.labels["le"] == "10.0")
        assert bucket.exemplar.labels == {"trace_id": "t"} and bucket.exemplar.value == 5

    def test_buckets_helpers(self):
        assert pe.linear_buckets(1, 2, 3) == [1, 3, 5]
        assert pe.exponential_buckets(1, 10, 3) == [1, 10, 100]


class TestSummary:
    def test_observe_count_sum_quantiles(self, registry):
        s = Summary("size", "S.", registry=registry)
        for x in [100, 150, 200, 180, 220, 190]:
            s.observe(x)
        assert s.get_count() == 6
        assert s.get_sum() == 1040
        assert s.get_quantile(0.5) in (180, 190)
        assert s.get_quantile(0.99) == 220
        # Exposed as prometheus_client's: count and sum, no quantile series.
        assert value(registry, "size", quantile="0.5") is None
        assert value(registry, "size_count") == 6
        assert value(registry, "size_sum") == 1040
        with_objectives = Summary("sized", "S.", registry=registry,
                                  objectives={0.5: 0.05, 0.99: 0.001})
        for x in [100, 150, 200, 180, 220, 190]:
            with_objectives.observe(x)
        assert value(registry, "sized", quantile="0.5") in (180, 190)
        assert value(registry, "sized", quantile="0.99") == 220

    def test_objectives_and_empty_window(self, registry):
        s = Summary("custom", "C.", objectives={0.25: 0.01}, registry=registry)
        assert math.isnan(s.get_quantile(0.25))
        s.observe(1)
        names = {(x.name, tuple(x.labels.items())) for m in registry.collect() for x in m.samples}
        assert ("custom", (("quantile", "0.25"),)) in names
        plain = Summary("plain", "P.", objectives={}, registry=registry)
        plain.observe(1)
        assert {x.name for m in registry.collect() if m.name == "plain" for x in m.samples} == {
            "plain_count", "plain_sum", "plain_created"}

    def test_labelled_reads(self, registry):
        s = Summary("by_route", "B.", ["route"], registry=registry)
        s.observe(1, route="/a")
        s.labels("/b").observe(3)
        assert s.get_count() == 2 and s.get_sum() == 4
        assert s.get_quantile(0.5, route="/b") == 3
        assert math.isnan(s.get_quantile(0.5, route="/none"))
        with pytest.raises(ValueError):  # quantiles do not add up over children
            s.get_quantile(0.5)

    def test_time(self, registry):
        s = Summary("timed", "T.", registry=registry)
        with s.time():
            pass
        assert s.get_count() == 1


class TestInfo:
    def test_info(self, registry):
        i = Info("build", "Build.", registry=registry)
        i.info({"version": "1.2.3", "commit": "abc"})
        assert value(registry, "build_info", version="1.2.3", commit="abc") == 1

    def test_labelled_info(self, registry):
        i = Info("component", "C.", ["name"], registry=registry)
        i.labels("db").info({"version": "15"})
        i.info({"version": "2"}, name="cache")
        assert value(registry, "component_info", name="db", version="15") == 1
        assert value(registry, "component_info", name="cache", version="2") == 1

    def test_seed_info_helper(self):
        labels = pe.info("seed_helper_build", "Build.", version="1.2.3", commit="abc")
        assert labels == {"version": "1.2.3", "commit": "abc"}
        assert pe.REGISTRY.get_sample_value(
            "seed_helper_build_info", {"version": "1.2.3", "commit": "abc"}) == 1


class TestEnum:
    def test_state(self, registry):
        e = Enum("task_state", "T.", states=["pending", "running", "done"], registry=registry)
        assert e.get() == "pending"
        e.state("running")
        assert e.get() == "running"
        assert value(registry, "task_state", task_state="running") == 1
        assert value(registry, "task_state", task_state="pending") == 0

    def test_labelled(self, registry):
        e = Enum("worker_state", "W.", ["worker"], states=["idle", "busy"], registry=registry)
        e.labels("1").state("busy")
        e.state("busy", worker="2")
        assert e.get(worker="1") == "busy"
        assert e.get(worker="3") is None
        assert value(registry, "worker_state", worker="2", worker_state="busy") == 1

    def test_seed_enum_helper(self):
        e = pe.enum("seed_task_state", "T.", ["pending", "running", "completed", "failed"])
        e.set(1, state="running")
        e.set(0, state="pending")
        assert e.get() == "running"
        assert e.is_active("running") and not e.is_active("pending")
        with pytest.raises(ValueError):
            e.set(2, state="running")


class TestRegistration:
    def test_metrics_join_REGISTRY_and_registering_again_is_a_no_op(self):
        c = Counter("auto_registered_total", "A.")
        pe.REGISTRY.register(c)  # as the seed does: nothing happens
        c.inc()
        assert pe.REGISTRY.get_sample_value("auto_registered_total") == 1
        with pytest.raises(ValueError):
            Counter("auto_registered_total", "Same name.")
        pe.REGISTRY.unregister(c)
        assert pe.REGISTRY.get_sample_value("auto_registered_total") is None

    def test_registry_none(self):
        c = Counter("unregistered", "U.", registry=None)
        c.inc()
        assert c.get() == 1
        assert pe.REGISTRY.get_sample_value("unregistered_total") is None


class TestTimers:
    def test_seed_timer_with_labels(self, registry):
        h = Histogram("handler_seconds", "H.", labels=["handler"], registry=registry)
        with pe.Timer(h, handler="api"):
            time.sleep(0.01)
        assert h.get_count(handler="api") == 1
        assert h.get_sum() >= 0.01

    def test_seed_time_function(self, registry):
        h = Histogram("function_seconds", "F.", labels=["function"], registry=registry)

        @pe.time_function(h, function="work")
        def work(x):
            return x * 2

        assert work(2) == 4
        assert work(3) == 6
        assert h.get_count(function="work") == 2

    def test_timer_labels_inside(self, registry):
        h = Histogram("chosen_seconds", "C.", ["outcome"], registry=registry)
        with h.time() as timer:
            timer.labels("ok")
        assert h.get_count(outcome="ok") == 1

    def test_async_function(self, registry):
        s = Summary("async_seconds", "A.", registry=registry)

        @s.time()
        async def work():
            await asyncio.sleep(0.01)
            return 1

        assert asyncio.run(work()) == 1
        assert s.get_count() == 1 and s.get_sum() >= 0.01

    def test_timer_on_a_counter_adds_seconds(self, registry):
        c = Counter("busy_seconds", "B.", registry=registry)
        with pe.Timer(c):
            time.sleep(0.01)
        assert c.get() >= 0.01
