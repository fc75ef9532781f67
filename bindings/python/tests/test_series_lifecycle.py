"""series_ttl, const_labels and wrapped registries: the library's series lifecycle, from Python.

Expiry is driven by the library's clock, pinned with prometheus_emulator.lifecycle and moved by
hand, so no test sleeps. A collection stamps the children updated since the one before; a child
whose stamp is a TTL old goes at the next collection: removed and freed when nothing holds it,
hidden while a child object the program keeps holds it, and shown again by its next update.
"""

import datetime
import gc
import math
import re
import weakref

import pytest

import prometheus_emulator as pe
from prometheus_emulator import _lib, lifecycle
from prometheus_emulator.metrics_core import GaugeMetricFamily

START = 1_000_000.0
TTL = 60


@pytest.fixture
def clock():
    """The expiry clock pinned at START for the test, unpinned after it."""
    with lifecycle.pinned_series_clock(START) as pinned:
        yield pinned


def lines(registry):
    """The sample lines of a registry's text exposition (comments left out), the value of each
    ``_created`` sample written ``<created>``."""
    text = pe.generate_latest(registry).decode()
    return [CREATED_VALUE.sub(r"\1 <created>", line) for line in text.splitlines()
            if line and not line.startswith("#")]


CREATED_VALUE = re.compile(r"^(\S*_created(?:\{.*\})?) \S+$")


def parsed(registry):
    """{(sample name, sorted label items): value}, read with prometheus_client's parser."""
    parser = pytest.importorskip("prometheus_client.parser")
    text = pe.generate_latest(registry).decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in parser.text_string_to_metric_families(text) for s in family.samples}


def idle_for_a_ttl(registry, clock, ttl=TTL):
    """Collects (stamping what was updated), moves the clock a TTL on and collects again (which
    removes what stayed idle); returns the sample lines of the second collection."""
    lines(registry)
    clock.advance(ttl)
    return lines(registry)


# ----- series_ttl ----------------------------------------------------------------------------

def test_an_idle_series_disappears_after_its_ttl(registry, clock):
    depth = pe.Gauge("ttl_queue_depth", "Depth.", ["queue"], series_ttl=TTL, registry=registry)
    depth.labels("mail").set(7)
    depth.labels("sms").set(2)
    assert lines(registry) == ['ttl_queue_depth{queue="mail"} 7.0',
                               'ttl_queue_depth{queue="sms"} 2.0']
    clock.advance(TTL - 1)
    depth.labels("sms").set(3)   # updated: stays
    assert lines(registry) == ['ttl_queue_depth{queue="mail"} 7.0',
                               'ttl_queue_depth{queue="sms"} 3.0']
    clock.advance(1)             # mail: a TTL since the collection that stamped it
    assert lines(registry) == ['ttl_queue_depth{queue="sms"} 3.0']
    clock.advance(TTL - 1)
    assert lines(registry) == []


def test_a_held_child_is_hidden_and_comes_back_at_its_value(registry, clock):
    requests = pe.Counter("ttl_held_total", "Requests.", ["path"], series_ttl=TTL,
                          registry=registry)
    home = requests.labels("/")
    home.inc(5)
    assert idle_for_a_ttl(registry, clock) == []
    home.inc()
    assert lines(registry) == ['ttl_held_total{path="/"} 6.0',
                               'ttl_held_created{path="/"} <created>']
    assert home.get() == 6


def test_an_unheld_child_is_freed_and_restarts_from_zero(registry, clock):
    requests = pe.Counter("ttl_unheld_total", "Requests.", ["path"], series_ttl=TTL,
                          registry=registry)
    requests.labels("/").inc(5)
    requests.inc(path="/about")  # the seed's keyword style: no child kept either
    assert idle_for_a_ttl(registry, clock) == []
    assert requests.get(path="/") == 0
    requests.labels("/").inc()
    assert lines(registry) == ['ttl_unheld_total{path="/"} 1.0',
                               'ttl_unheld_created{path="/"} <created>']


def test_a_ttl_family_does_not_cache_its_children(registry, clock):
    gauge = pe.Gauge("ttl_uncached", "G.", ["k"], series_ttl=TTL, registry=registry)
    first = gauge.labels("a")
    first.set(4)
    assert gauge.labels("a") is not first            # each labels() asks the library
    assert gauge.labels(k="a") is not gauge.labels(k="a")
    assert gauge.labels("a").get() == 4              # ... for the same series
    assert gauge._children == {} and gauge._by_keywords == {}
    witness = weakref.ref(first)
    del first
    gc.collect()
    assert witness() is None
    assert pe.Gauge("ttl_cached", "G.", ["k"], registry=None).labels("a") is not None
    cached = pe.Gauge("ttl_zero_cached", "G.", ["k"], series_ttl=0, registry=None)
    assert cached.labels("a") is cached.labels("a")  # 0 is no TTL: cached as before


def test_many_idle_series_leave_nothing_behind(registry, clock):
    """10,000 series offered once and left idle: after a TTL the library holds none of them (the
    sum over the family's children is 0, where hidden children would still count) and the
    binding holds no child object."""
    hits = pe.Counter("ttl_many_total", "Hits.", ["user"], series_ttl=TTL, registry=registry)
    for user in range(10_000):
        hits.labels(str(user)).inc()
    assert hits.get() == 10_000
    assert len(lines(registry)) == 2 * 10_000  # each with its _created line
    clock.advance(TTL)
    assert lines(registry) == []
    assert hits.get() == 0
    assert hits._children == {}
    text = pe.generate_latest(registry).decode()
    assert len(text) < 100


@pytest.mark.parametrize("series_ttl", [TTL, float(TTL), datetime.timedelta(seconds=TTL)])
def test_the_ttl_is_seconds_or_a_timedelta(registry, clock, series_ttl):
    gauge = pe.Gauge("ttl_spelling", "G.", ["k"], series_ttl=series_ttl, registry=registry)
    gauge.labels("a").set(1)
    lines(registry)
    clock.advance(TTL - 0.5)
    assert lines(registry) == ['ttl_spelling{k="a"} 1.0']
    clock.advance(0.5)
    assert lines(registry) == []


# class name -> (constructor keywords, an update of a series, its first sample line's start)
KINDS = {
    "Counter": ({}, lambda series: series.inc(), "ttl_each_counter_total"),
    "Gauge": ({}, lambda series: series.set(3), "ttl_each_gauge"),
    "Histogram": ({"buckets": (1, 2)}, lambda series: series.observe(1.5),
                  "ttl_each_histogram_bucket"),
    "Summary": ({}, lambda series: series.observe(4), "ttl_each_summary_count"),
    "Info": ({}, lambda series: series.info({"version": "1"}), "ttl_each_info_info"),
    "Enum": ({"states": ["idle", "busy"]}, lambda series: series.state("busy"),
             "ttl_each_enum"),
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_class_expires_idle_children(registry, clock, kind):
    keywords, update, sample = KINDS[kind]
    name = f"ttl_each_{kind.lower()}"
    metric = getattr(pe, kind)(name, "Expiring.", ["k"], registry=registry, series_ttl=TTL,
                               **keywords)
    update(metric.labels("idle"))
    held = metric.labels("held")
    update(held)
    assert {line.split("{")[0] for line in lines(registry)} >= {sample}
    assert idle_for_a_ttl(registry, clock) == []
    update(held)
    shown = lines(registry)
    assert shown and all('k="held"' in line for line in shown)


@pytest.mark.parametrize("kind", KINDS)
def test_a_family_without_labels_keeps_its_series(registry, clock, kind):
    keywords, update, sample = KINDS[kind]
    name = f"ttl_each_{kind.lower()}"
    metric = getattr(pe, kind)(name, "Unlabelled.", registry=registry, series_ttl=TTL,
                               **keywords)
    update(metric)
    before = lines(registry)
    assert before[0].startswith(sample)
    clock.advance(10 * TTL)
    assert lines(registry) == before


@pytest.mark.parametrize("series_ttl", [-1, -0.5, math.nan, math.inf, -math.inf])
def test_a_ttl_negative_or_not_finite_is_a_value_error(series_ttl):
    with pytest.raises(ValueError, match="series_ttl"):
        pe.Counter("ttl_bad_value", "C.", ["k"], series_ttl=series_ttl, registry=None)


@pytest.mark.parametrize("series_ttl", ["60", True, [60], object()])
def test_a_ttl_of_another_type_is_a_type_error(series_ttl):
    with pytest.raises(TypeError, match="series_ttl"):
        pe.Histogram("ttl_bad_type", "H.", ["k"], series_ttl=series_ttl, registry=None)


@pytest.mark.parametrize("kind", KINDS)
def test_every_class_takes_the_options(kind):
    keywords = KINDS[kind][0]
    metric = getattr(pe, kind)("ttl_options", "O.", ["k"], registry=None, series_ttl=1.5,
                               const_labels={"svc": "api"}, **keywords)
    assert metric.labels("a") is not metric.labels("a")  # not cached: it has a TTL


def test_the_options_reach_the_library():
    options, _strings = _lib.opts("m", "h", ["k"], series_ttl=2.5,
                                  const_labels={"svc": "api", "zone": "eu"})
    assert options.series_ttl_seconds == 2.5
    assert options.n_const_labels == 2
    assert [options.const_label_names[i] for i in range(2)] == [b"svc", b"zone"]
    assert [options.const_label_values[i] for i in range(2)] == [b"api", b"eu"]
    options, _strings = _lib.opts("m", "h")
    assert (options.series_ttl_seconds, options.n_const_labels) == (0.0, 0)


# ----- the pinned clock ----------------------------------------------------------------------

def test_the_clock_functions_pin_and_unpin(registry):
    gauge = pe.Gauge("ttl_clock_functions", "G.", ["k"], series_ttl=TTL, registry=registry)
    lifecycle.pin_series_clock(START)
    try:
        gauge.labels("a").set(1)
        lines(registry)
        lifecycle.pin_series_clock(START + TTL - 1)
        assert lines(registry) == ['ttl_clock_functions{k="a"} 1.0']
    finally:
        lifecycle.unpin_series_clock()
    # The system clock is decades past START: the series' stamp is far more than a TTL old.
    assert lines(registry) == []
    lifecycle.unpin_series_clock()  # unpinned already: nothing to do


def test_the_pinned_clock_moves_only_by_hand():
    with lifecycle.pinned_series_clock(START) as clock:
        assert clock.now == START
        assert clock.advance(2.5) == START + 2.5
        clock.set(10)
        assert clock.now == 10.0
        with pytest.raises(ValueError):
            clock.advance(-1)
        assert "now=10.0" in repr(clock)


@pytest.mark.parametrize("seconds", [-1, math.nan, math.inf])
def test_a_clock_time_negative_or_not_finite_is_a_value_error(seconds):
    with pytest.raises(ValueError):
        lifecycle.pin_series_clock(seconds)


@pytest.mark.parametrize("seconds", ["1000", None, True])
def test_a_clock_time_of_another_type_is_a_type_error(seconds):
    with pytest.raises(TypeError):
        lifecycle.pin_series_clock(seconds)


# ----- const_labels --------------------------------------------------------------------------

def test_const_labels_are_sorted_with_the_variable_ones_as_prometheus_client_writes(registry):
    depth = pe.Gauge("const_queue_depth", "Depth.", ["queue"], registry=registry,
                     const_labels={"service": "api", "zone": "eu"})
    depth.labels("mail").set(7)
    assert lines(registry) == ['const_queue_depth{queue="mail",service="api",zone="eu"} 7.0']
    assert parsed(registry) == {
        ("const_queue_depth", (("queue", "mail"), ("service", "api"), ("zone", "eu"))): 7.0}
    assert registry.get_sample_value(
        "const_queue_depth", {"service": "api", "zone": "eu", "queue": "mail"}) == 7


def test_const_labels_on_every_sample_of_every_class(registry):
    pe.Counter("const_requests_total", "C.", registry=registry, const_labels={"svc": "api"}).inc()
    latency = pe.Histogram("const_latency_seconds", "H.", ["method"], buckets=[1],
                           registry=registry, const_labels={"svc": "api"})
    latency.labels("get").observe(0.5)
    pe.Summary("const_size_bytes", "S.", registry=registry, objectives={},
               const_labels={"svc": "api"}).observe(3)
    pe.Info("const_build", "I.", registry=registry,
            const_labels={"svc": "api"}).info({"version": "1"})
    pe.Enum("const_state", "E.", states=["up", "down"], registry=registry,
            const_labels={"svc": "api"})
    samples = parsed(registry)
    assert len(samples) >= 10
    assert all(dict(labels).get("svc") == "api" for _name, labels in samples)
    assert 'const_latency_seconds_bucket{le="1.0",method="get",svc="api"} 1.0' in lines(registry)
    assert 'const_build_info{svc="api",version="1"} 1.0' in lines(registry)


def test_const_label_values_are_converted_with_str(registry):
    pe.Gauge("const_converted", "G.", registry=registry, const_labels={"shard": 3}).set(1)
    assert lines(registry) == ['const_converted{shard="3"} 1.0']


@pytest.mark.parametrize("const_labels, message", [
    ({"queue": "x"}, 'duplicate label name "queue"'),
    ({"__reserved": "x"}, "reserved"),
    ({"": "x"}, "empty"),
])
def test_a_bad_const_label_is_a_value_error(const_labels, message):
    with pytest.raises(ValueError, match=message):
        pe.Gauge("const_bad", "G.", ["queue"], const_labels=const_labels, registry=None)


@pytest.mark.parametrize("kind, keywords, reserved", [
    ("Histogram", {}, "le"),
    ("Summary", {}, "quantile"),
    ("Enum", {"states": ["a"]}, "const_reserved"),
])
def test_a_const_label_a_type_reserves_is_a_value_error(kind, keywords, reserved):
    with pytest.raises(ValueError, match=f'"{reserved}"'):
        getattr(pe, kind)("const_reserved", "R.", const_labels={reserved: "x"}, registry=None,
                          **keywords)


def test_a_const_label_outside_the_legacy_set_follows_the_name_validation(legacy_validation):
    with pytest.raises(ValueError, match="legacy"):
        pe.Gauge("const_legacy", "G.", const_labels={"http.method": "GET"}, registry=None)


@pytest.mark.parametrize("const_labels", [[("svc", "api")], "svc=api", {1: "x"}, {b"svc": "x"}])
def test_const_labels_of_another_type_are_a_type_error(const_labels):
    with pytest.raises(TypeError, match="const_labels"):
        pe.Counter("const_bad_type", "C.", const_labels=const_labels, registry=None)


def test_const_labels_with_a_ttl(registry, clock):
    depth = pe.Gauge("const_ttl_depth", "Depth.", ["queue"], registry=registry, series_ttl=TTL,
                     const_labels={"service": "api"})
    held = depth.labels("mail")
    held.set(7)
    assert idle_for_a_ttl(registry, clock) == []
    held.inc()
    assert lines(registry) == ['const_ttl_depth{queue="mail",service="api"} 8.0']


# ----- wrapped registries --------------------------------------------------------------------

def test_a_view_prefixes_and_labels_what_is_registered_through_it(registry):
    shard = registry.wrapped("shard_", {"shard": "3"})
    jobs = pe.Counter("jobs_total", "Jobs.", ["kind"], registry=shard)
    jobs.labels("email").inc()
    assert lines(registry) == ['shard_jobs_total{kind="email",shard="3"} 1.0',
                               'shard_jobs_created{kind="email",shard="3"} <created>']
    samples = parsed(registry)
    assert samples[("shard_jobs_total", (("kind", "email"), ("shard", "3")))] == 1.0
    assert all(dict(labels)["shard"] == "3" for _name, labels in samples)
    assert (shard.parent, shard.prefix, shard.labels) == (registry, "shard_", {"shard": "3"})
    assert "shard_" in repr(shard)
    assert registry.wrapped(None).prefix == ""  # None, as NULL in C: no prefix


def test_exposing_a_view_exposes_the_root(registry):
    pe.Gauge("root_only", "G.", registry=registry).set(1)
    view = registry.wrapped("v_")
    pe.Gauge("through_view", "G.", registry=view).set(2)
    assert lines(view) == lines(registry) == ["root_only 1.0", "v_through_view 2.0"]
    assert [family.name for family in view.collect()] == ["root_only", "v_through_view"]
    assert view.get_sample_value("v_through_view") == 2


def test_unregister_through_the_view(registry):
    view = registry.wrapped("", {"team": "core"})
    gauge = pe.Gauge("view_unregistered", "G.", registry=view)
    gauge.set(1)
    assert lines(registry) == ['view_unregistered{team="core"} 1.0']
    view.unregister(gauge)
    assert lines(registry) == []
    with pytest.raises(KeyError):
        view.unregister(gauge)
    view.register(gauge)  # and back again
    assert lines(registry) == ['view_unregistered{team="core"} 1.0']


def test_a_view_takes_custom_collectors(registry):
    class Queues:
        def collect(self):
            family = GaugeMetricFamily("queue_length", "Length.", labels=["queue"])
            family.add_metric(["mail"], 5)
            yield family

    view = registry.wrapped("app_", {"region": "eu"})
    collector = Queues()
    view.register(collector)
    assert lines(registry) == ['app_queue_length{queue="mail",region="eu"} 5.0']
    view.unregister(collector)
    assert lines(registry) == []


def test_views_of_views_add_their_prefixes_and_labels_outermost_last(registry):
    outer = registry.wrapped("outer_", {"region": "eu"})
    inner = outer.wrapped("inner_", {"dc": "1"})
    pe.Gauge("nested", "G.", ["k"], registry=inner, const_labels={"svc": "api"}).labels("a").set(1)
    assert lines(registry) == ['outer_inner_nested{dc="1",k="a",region="eu",svc="api"} 1.0']


def test_the_default_registry_as_parent():
    view = pe.REGISTRY.wrapped("wrapped_default_", {"plugin": "demo"})
    counter = pe.Counter("loads_total", "Loads.", registry=view)
    try:
        counter.inc()
        assert 'wrapped_default_loads_total{plugin="demo"} 1.0' in lines(pe.REGISTRY)
        assert 'wrapped_default_loads_total{plugin="demo"} 1.0' in lines(view)
        assert pe.REGISTRY.get_sample_value("wrapped_default_loads_total",
                                            {"plugin": "demo"}) == 1
    finally:
        view.unregister(counter)
    assert not any("wrapped_default_" in line for line in lines(pe.REGISTRY))


def test_a_label_of_the_view_the_family_has_is_a_value_error(registry):
    view = registry.wrapped("", {"queue": "x"})
    with pytest.raises(ValueError, match='"queue"'):
        pe.Gauge("view_clash", "G.", ["queue"], registry=view)
    with pytest.raises(ValueError, match='"queue"'):
        pe.Gauge("view_clash_const", "G.", registry=view, const_labels={"queue": "y"})
    assert lines(registry) == []


def test_a_view_names_clash_in_the_root(registry):
    pe.Counter("view_dup_total", "C.", registry=registry)
    with pytest.raises(ValueError, match="view_dup"):
        pe.Counter("dup_total", "C.", registry=registry.wrapped("view_"))


def test_a_prefixed_name_outside_the_legacy_set_is_refused_by_a_legacy_registry():
    legacy = pe.CollectorRegistry(legacy_validation=True)
    with pytest.raises(ValueError, match="legacy"):
        pe.Counter("requests_total", "C.", registry=legacy.wrapped("app.v1_"))


@pytest.mark.parametrize("labels", [{"": "x"}, {"__name__": "x"}, {"__reserved": "x"}])
def test_a_bad_view_label_is_a_value_error(registry, labels):
    with pytest.raises(ValueError):
        registry.wrapped("", labels)


@pytest.mark.parametrize("prefix, labels", [(7, None), (b"x_", None), ("", [("a", "b")]),
                                            ("", {1: "b"})])
def test_view_arguments_of_another_type_are_a_type_error(registry, prefix, labels):
    with pytest.raises(TypeError):
        registry.wrapped(prefix, labels)
