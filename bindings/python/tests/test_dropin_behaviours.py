"""prometheus_client's behaviours that its users' tests rely on, one test each.

The wording of refusals is prometheus_client's, with the library's message after it in
parentheses where the library refused; decorators keep the wrapped function's signature; the
registry answers ``get_sample_value`` from what ``collect()`` yields; ``write_to_textfile``
writes through prometheus_client's temporary file.
"""

import asyncio
import http.server
import inspect
import math
import os
import threading

import pytest

from prometheus_emulator import (
    CONTENT_TYPE_PLAIN_0_0_4, REGISTRY, CollectorRegistry, Counter, Enum, Gauge, Histogram, Info,
    Summary, generate_latest, push_to_gateway, pushadd_to_gateway, write_to_textfile,
)
from prometheus_emulator.exposition import default_handler
from prometheus_emulator.core import CounterMetricFamily, GaugeHistogramMetricFamily
from prometheus_emulator.decorator import decorate, getargspec
from prometheus_emulator.registry import DuplicateTimeseries

MISSING = "metric is missing label values"


class TestMissingLabelValues:
    """A labelled family has no value of its own."""

    @pytest.mark.parametrize("make, update", [
        (Counter, lambda m: m.inc()),
        (Counter, lambda m: m.inc(1, exemplar={"trace_id": "a"})),
        (Counter, lambda m: m.reset()),
        (Counter, lambda m: m.count_exceptions()),
        (Gauge, lambda m: m.inc()),
        (Gauge, lambda m: m.dec()),
        (Gauge, lambda m: m.set(1)),
        (Gauge, lambda m: m.set_to_current_time()),
        (Gauge, lambda m: m.set_function(lambda: 1)),
        (Gauge, lambda m: m.track_inprogress()),
        (Histogram, lambda m: m.observe(1)),
        (Summary, lambda m: m.observe(1)),
    ])
    def test_updates_of_a_labelled_family(self, registry, make, update):
        metric = make("m", "M.", ["l"], registry=registry)
        with pytest.raises(ValueError, match=f"^{metric._type} {MISSING}"):
            update(metric)

    def test_the_librarys_reason_follows(self, registry):
        counter = Counter("c", "C.", ["l"], registry=registry)
        with pytest.raises(ValueError) as raised:
            counter.inc()
        assert str(raised.value).startswith("counter metric is missing label values (pe_")

    @pytest.mark.parametrize("make", [Gauge, Histogram, Summary])
    def test_time_raises_when_the_block_ends(self, registry, make):
        metric = make("m", "M.", ["l"], registry=registry)
        timer = metric.time()  # a timer may still choose its child with labels()
        with pytest.raises(ValueError, match=MISSING):
            with timer:
                pass
        with metric.time() as timer:
            timer.labels("x")
        assert metric.collect()[0].samples

    def test_info_and_enum(self, registry):
        with pytest.raises(ValueError, match=f"^info {MISSING}"):
            Info("i", "I.", ["l"], registry=registry).info({"a": "b"})
        with pytest.raises(ValueError, match=f"^stateset {MISSING}"):
            Enum("e", "E.", ["l"], states=["a"], registry=registry).state("a")


class TestLabels:
    def test_wrong_count_and_names(self, registry):
        counter = Counter("c", "C.", ["a", "b"], registry=registry)
        with pytest.raises(ValueError, match="^Incorrect label count"):
            counter.labels("x")
        with pytest.raises(ValueError, match="^Incorrect label names"):
            counter.labels(a="x", c="y")
        with pytest.raises(ValueError,
                           match=r"^Incorrect label count \(expected 2, got \('x',\)\)"):
            counter.remove("x")

    def test_remove_by_labels_without_a_match_changes_nothing(self, registry):
        counter = Counter("c", "C.", ["a"], registry=registry)
        counter.labels("x").inc()
        counter.remove_by_labels({"a": "nothing"})
        assert registry.get_sample_value("c_total", {"a": "x"}) == 1

    def test_clear_remove_and_the_children_map(self, registry):
        counter = Counter("c", "C.", ["a"], registry=registry)
        x = counter.labels("x")
        counter.labels("y")
        assert counter._metrics == {("x",): x, ("y",): counter.labels("y")}
        counter.remove("x")
        assert list(counter._metrics) == [("y",)]
        assert registry.get_sample_value("c_total", {"a": "x"}) is None
        counter.clear()
        assert counter._metrics == {}
        assert registry.get_sample_value("c_total", {"a": "y"}) is None


class TestNames:
    @pytest.mark.parametrize("make, arguments, wording", [
        (Counter, {"name": ""}, "Metric name should not be empty"),
        (Counter, {"name": "", "namespace": "app"}, "Metric name should not be empty"),
        (Counter, {"labelnames": ["__reserved"]}, "Reserved label metric name: __reserved"),
        (Histogram, {"labelnames": ["le"]}, "Reserved label metric name: le"),
        (Summary, {"labelnames": ["quantile"]}, "Reserved label metric name: quantile"),
        (Info, {"unit": "x"}, "Metric name is of a type that cannot have a unit: m_x"),
    ])
    def test_refusals_are_worded_as_prometheus_clients(self, make, arguments, wording):
        arguments = {"name": "m", "documentation": "M.", "registry": None, **arguments}
        with pytest.raises(ValueError, match=f"^{wording}"):
            make(**arguments)

    def test_duplicated_timeseries(self, registry):
        Counter("c", "C.", registry=registry)
        with pytest.raises(DuplicateTimeseries) as raised:
            Gauge("c_total", "G.", registry=registry)
        assert str(raised.value).startswith(
            "Duplicated timeseries in CollectorRegistry: {'c_total'} (pe_registry_register_")
        assert raised.value.duplicates == {"c_total"}

    def test_described_collectors_are_checked(self):
        registry = CollectorRegistry(auto_describe=True)
        Counter("c", "C.", registry=registry)

        class Clashing:
            def collect(self):
                return [CounterMetricFamily("c", "C.", value=1)]

        with pytest.raises(ValueError, match="Duplicated timeseries"):
            registry.register(Clashing())


class TestValues:
    def test_counters_refuse_negative_and_nan_increments(self, registry):
        counter = Counter("c", "C.", registry=registry)
        for amount in (-1, float("nan")):
            with pytest.raises(ValueError, match=r"^Counters can only be incremented by "
                                                 r"non-negative amounts\. \(pe_counter_inc"):
                counter.inc(amount)
        with pytest.raises(ValueError, match="^Counters can only be incremented"):
            counter.inc(-1, exemplar={"trace_id": "a"})
        assert counter.get() == 0

    def test_a_gauge_takes_nan(self, registry):
        gauge = Gauge("g", "G.", registry=registry)
        gauge.set(float("nan"))
        assert math.isnan(registry.get_sample_value("g"))

    @pytest.mark.parametrize("buckets, wording", [
        ([3, 1], "Buckets not in sorted order"),
        ([], "Must have at least two buckets"),
        ([float("inf")], "Must have at least two buckets"),
    ])
    def test_bad_buckets(self, buckets, wording):
        with pytest.raises(ValueError, match=f"^{wording}"):
            Histogram("h", "H.", buckets=buckets, registry=None)

    def test_inf_is_added_to_the_buckets(self):
        assert Histogram("h", "H.", buckets=[0, 1, 2], registry=None)._upper_bounds == \
            [0.0, 1.0, 2.0, math.inf]
        assert Histogram("h", "H.", buckets=[1, math.inf], registry=None)._upper_bounds == \
            [1.0, math.inf]

    def test_enum_states(self, registry):
        with pytest.raises(ValueError, match="^No states provided for Enum metric: e"):
            Enum("e", "E.", registry=registry)
        with pytest.raises(ValueError, match="^Overlapping labels for Enum metric: e"):
            Enum("e", "E.", ["e"], states=["a"], registry=registry)
        state = Enum("e", "E.", states=["a", "b"], registry=registry)
        with pytest.raises(ValueError):
            state.state("c")
        state.state("b")
        assert registry.get_sample_value("e", {"e": "b"}) == 1

    def test_info_labels(self, registry):
        info = Info("i", "I.", ["l"], registry=registry)
        with pytest.raises(ValueError, match=r"^Overlapping labels for Info metric"):
            info.labels("a").info({"l": "x"})
        with pytest.raises(ValueError, match="^Label value cannot be None"):
            info.labels("a").info({"k": None})

    def test_set_function_on_a_child(self, registry):
        gauge = Gauge("g", "G.", ["l"], registry=registry)
        gauge.labels("x").set_function(lambda: 42)
        gauge.labels("y").set(1)
        assert registry.get_sample_value("g", {"l": "x"}) == 42
        assert registry.get_sample_value("g", {"l": "y"}) == 1


def _plain(a, b=2, *rest, c, d=4, **options):
    return a, b, rest, c, d, options


async def _coroutine(x, y=1):
    return x + y


@pytest.mark.parametrize("cls", [Counter, Gauge, Histogram, Summary])
def test_the_constructors_show_their_parameters(cls):
    # As prometheus_client's classes do (its tests and IDEs read them).
    parameters = list(inspect.signature(cls).parameters)
    assert parameters[:7] == ["name", "documentation", "labelnames", "namespace", "subsystem",
                              "unit", "registry"]


class TestDecorators:
    @pytest.mark.parametrize("decorator", [
        lambda r: Histogram("h", "H.", registry=r).time(),
        lambda r: Summary("s", "S.", registry=r).time(),
        lambda r: Gauge("g", "G.", registry=r).time(),
        lambda r: Gauge("g", "G.", registry=r).track_inprogress(),
        lambda r: Counter("c", "C.", registry=r).count_exceptions(),
    ])
    def test_the_signature_is_kept(self, registry, decorator):
        wrapped = decorator(registry)(_plain)
        assert inspect.signature(wrapped) == inspect.signature(_plain)
        assert inspect.getfullargspec(wrapped) == inspect.getfullargspec(_plain)
        assert wrapped.__name__ == "_plain" and wrapped.__wrapped__ is _plain
        assert wrapped(1, c=3) == (1, 2, (), 3, 4, {})
        with pytest.raises(TypeError):
            wrapped()  # as _plain itself refuses it

    def test_getargspec(self, registry):
        @Counter("c", "C.", registry=registry).count_exceptions(ValueError)
        def f(r):
            if r:
                raise ValueError
        assert getargspec(f) == (["r"], None, None, None)
        with pytest.raises(ValueError):
            f(True)
        assert registry.get_sample_value("c_total") == 1

    def test_coroutine_functions_stay_coroutine_functions(self, registry):
        histogram = Histogram("h", "H.", registry=registry)
        wrapped = histogram.time()(_coroutine)
        assert inspect.iscoroutinefunction(wrapped)
        assert inspect.signature(wrapped) == inspect.signature(_coroutine)
        assert asyncio.run(wrapped(2)) == 3
        assert registry.get_sample_value("h_count") == 1

    def test_context_managers(self, registry):
        gauge = Gauge("g", "G.", registry=registry)
        counter = Counter("c", "C.", registry=registry)
        with gauge.track_inprogress():
            assert registry.get_sample_value("g") == 1
        with pytest.raises(KeyError):
            with counter.count_exceptions(KeyError):
                raise KeyError
        assert (registry.get_sample_value("g"), registry.get_sample_value("c_total")) == (0, 1)

    def test_decorate(self):
        calls = []

        def caller(function, *args, **kwargs):
            calls.append((args, kwargs))
            return function(*args, **kwargs)

        wrapped = decorate(_plain, caller)
        assert wrapped(1, 2, 3, c=5) == (1, 2, (3,), 5, 4, {})
        assert calls == [((1, 2, 3), {"c": 5, "d": 4})]  # every parameter is passed on


class TestRegistry:
    def test_get_sample_value_sees_what_collect_yields(self, registry):
        class Collector:
            def collect(self):
                yield GaugeHistogramMetricFamily("gh", "G.", buckets=[("1", 2), ("+Inf", 3)],
                                                 gsum_value=4)

        registry.register(Collector())
        with pytest.warns(RuntimeWarning):  # the library has no gauge histogram to expose
            assert registry.get_sample_value("gh_bucket", {"le": "1"}) == 2
            assert registry.get_sample_value("gh_gsum") == 4

    def test_generate_latest_of_an_auto_describing_registry(self):
        registry = CollectorRegistry(auto_describe=True)
        Counter("c", "C.", registry=registry).inc()
        assert b"c_total 1.0\n" in generate_latest(registry)

    def test_generate_latest_of_the_default_registry(self):
        assert b"# TYPE process_cpu_seconds_total counter" in generate_latest(REGISTRY)


class TestProcessCollector:
    def test_the_default_registry_has_the_librarys(self):
        from prometheus_emulator import PROCESS_COLLECTOR, ProcessCollector
        REGISTRY.register(PROCESS_COLLECTOR)  # there already: nothing to do
        with pytest.raises(DuplicateTimeseries):
            ProcessCollector()  # the same names as the library's

    def test_it_can_be_taken_out_of_the_default_registry_and_put_back(self):
        # The common idiom for serving REGISTRY without the process metrics.
        from prometheus_emulator import PROCESS_COLLECTOR
        assert REGISTRY.get_sample_value("process_start_time_seconds") > 0
        REGISTRY.unregister(PROCESS_COLLECTOR)
        try:
            assert REGISTRY.get_sample_value("process_start_time_seconds") is None
            assert b"process_cpu_seconds_total" not in generate_latest(REGISTRY)
            with pytest.raises(KeyError):
                REGISTRY.unregister(PROCESS_COLLECTOR)
        finally:
            REGISTRY.register(PROCESS_COLLECTOR)
        assert REGISTRY.get_sample_value("process_start_time_seconds") > 0

    def test_in_another_registry(self, registry):
        from prometheus_emulator import PROCESS_COLLECTOR, ProcessCollector
        registry.register(PROCESS_COLLECTOR)
        assert registry.get_sample_value("process_open_fds") > 0
        registry.unregister(PROCESS_COLLECTOR)
        assert registry.get_sample_value("process_open_fds") is None
        ProcessCollector(namespace="app", registry=registry)
        assert registry.get_sample_value("app_process_cpu_seconds_total") >= 0


def test_write_to_textfile_uses_prometheus_clients_temporary_name(registry, tmp_path,
                                                                 monkeypatch):
    Counter("c", "C.", registry=registry).inc()
    path = tmp_path / "metrics.prom"
    opened = []
    real_open = open

    def recording_open(name, *args, **kwargs):
        opened.append(os.fspath(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setitem(write_to_textfile.__globals__, "open", recording_open)
    write_to_textfile(str(path), registry)
    assert opened == [f"{path}.{os.getpid()}.{threading.current_thread().ident}"]
    assert b"c_total 1.0\n" in path.read_bytes()
    assert sorted(os.listdir(tmp_path)) == ["metrics.prom"]


class _Recording(http.server.BaseHTTPRequestHandler):
    """Answers 202 to any push and keeps what it received."""

    received = []

    def do_PUT(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.received.append((self.command, self.path, self.headers.get("Content-Type"),
                              self.rfile.read(length)))
        self.send_response(202)
        self.end_headers()

    do_POST = do_PUT

    def log_message(self, format, *args):
        pass


def _through_python(url, method, timeout, headers, data):
    """prometheus_client's default handler, as a handler of the program's own (which takes
    the request out of the library's client)."""
    return default_handler(url, method, timeout, headers, data)


@pytest.mark.parametrize("push, handler", [
    (push_to_gateway, None), (pushadd_to_gateway, None), (push_to_gateway, _through_python),
])
def test_a_push_carries_the_registrys_exposition(registry, push, handler):
    """The library's client and prometheus_client's handler send the same body: the
    registry's text exposition, numbers as prometheus_client writes them."""
    Gauge("g", "help", registry=registry)
    Counter("c", "C.", ["a"], registry=registry).labels("x").inc(2)
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recording)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    _Recording.received = []
    arguments = {} if handler is None else {"handler": handler}
    push(f"127.0.0.1:{server.server_port}", "my_job", registry, **arguments)
    thread.join(10)
    server.server_close()
    [(method, path, content_type, body)] = _Recording.received
    assert (path, content_type) == ("/metrics/job/my_job", CONTENT_TYPE_PLAIN_0_0_4)
    assert method == ("POST" if push is pushadd_to_gateway else "PUT")
    assert body == generate_latest(registry)
    assert b"g 0.0\n" in body


def test_gauge_multiprocess_modes_are_checked(registry):
    for mode in ("all", "liveall", "livesum", "mostrecent"):
        Gauge(f"g_{mode}", "G.", multiprocess_mode=mode, registry=registry).set(1)
    with pytest.raises(ValueError, match="^Invalid multiprocess mode: bogus"):
        Gauge("g", "G.", multiprocess_mode="bogus", registry=registry)


def test_a_removed_child_leaves_its_function_behind(registry):
    gauge = Gauge("g", "G.", ["l"], registry=registry)
    gauge.labels("x").set_function(lambda: 42)
    gauge.remove("x")
    assert registry.get_sample_value("g", {"l": "x"}) is None
    gauge.labels("x").set(1)  # a new child, without the function
    assert registry.get_sample_value("g", {"l": "x"}) == 1
    gauge.labels("y").set_function(lambda: 5)
    gauge.remove_by_labels({"l": "y"})
    gauge.labels("y")
    assert registry.get_sample_value("g", {"l": "y"}) == 0
    gauge.labels("z").set_function(lambda: 5)
    gauge.clear()
    gauge.labels("z")
    assert registry.get_sample_value("g", {"l": "z"}) == 0
