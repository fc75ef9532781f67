"""Bad input raises what prometheus_client raises, with the library's message, and changes
nothing."""

import math

import pytest

from prometheus_emulator import (
    CollectorRegistry, Counter, Enum, Gauge, Histogram, Info, Summary,
)


# Names outside the legacy sets are valid by default (see test_utf8_names.py); these fail under
# legacy validation, and the first ones under any.
@pytest.mark.parametrize("name", ["", "0starts_with_digit", "has space", "dash-ed", "é"])
def test_bad_metric_names(registry, legacy_validation, name):
    with pytest.raises(ValueError):
        Counter(name, "Bad.", registry=registry)


@pytest.mark.parametrize("labelnames", [["__reserved"], ["a", "a"], ["bad-name"], ["0x"]])
def test_bad_label_names(registry, legacy_validation, labelnames):
    with pytest.raises(ValueError):
        Gauge("g", "G.", labelnames, registry=registry)


@pytest.mark.parametrize("labelnames", [["__reserved"], ["a", "a"], [""]])
def test_label_names_bad_under_any_validation(registry, labelnames):
    with pytest.raises(ValueError):
        Gauge("g", "G.", labelnames, registry=registry)


def test_empty_metric_name_is_bad_under_any_validation(registry):
    with pytest.raises(ValueError, match="empty"):
        Counter("", "Bad.", registry=registry)


def test_reserved_le_and_quantile(registry):
    with pytest.raises(ValueError):
        Histogram("h", "H.", ["le"], registry=registry)
    with pytest.raises(ValueError):
        Summary("s", "S.", ["quantile"], registry=registry)
    Gauge("g", "G.", ["le", "quantile"], registry=registry)  # fine on other types


def test_messages_are_prometheus_clients_then_the_librarys(registry, legacy_validation):
    with pytest.raises(ValueError) as raised:
        Counter("bad name", "Bad.", registry=registry)
    assert str(raised.value).startswith("invalid metric name bad name (pe_counter_new_opts: ")
    assert str(raised.value).endswith(")")


class TestLabels:
    def test_no_label_names(self, registry):
        c = Counter("plain", "P.", registry=registry)
        with pytest.raises(ValueError, match="No label names were set"):
            c.labels("x")
        with pytest.raises(ValueError, match="No label names were set"):
            c.remove("x")
        with pytest.raises(TypeError):  # no keyword of that name, as in prometheus_client
            c.inc(user_id="1")

    def test_wrong_count_and_names(self, registry):
        c = Counter("requests", "R.", ["method", "status"], registry=registry)
        with pytest.raises(ValueError, match="Incorrect label count"):
            c.labels("GET")
        with pytest.raises(ValueError, match="Incorrect label names"):
            c.labels(method="GET")
        with pytest.raises(ValueError, match="Incorrect label names"):
            c.labels(method="GET", status="200", extra="x")
        with pytest.raises(ValueError, match="Incorrect label names"):
            c.inc(user_id="12345")  # the seed's "bad" label
        with pytest.raises(ValueError, match="Can't pass both"):
            c.labels("GET", status="200")
        with pytest.raises(ValueError):
            c.remove("GET")  # wrong count

    def test_no_chaining(self, registry):
        c = Counter("chained", "C.", ["a"], registry=registry)
        with pytest.raises(ValueError, match="already has labels set"):
            c.labels("x").labels("y")

    def test_labelled_family_needs_label_values(self, registry):
        c = Counter("needs_labels", "N.", ["a"], registry=registry)
        g = Gauge("needs_labels_g", "N.", ["a"], registry=registry)
        h = Histogram("needs_labels_h", "N.", ["a"], registry=registry)
        for update in (c.inc, g.inc, g.dec, lambda: g.set(1), lambda: h.observe(1)):
            with pytest.raises(ValueError):
                update()


class TestValues:
    def test_counter_refuses_negative_and_nan(self, registry):
        c = Counter("monotonic", "M.", registry=registry)
        c.inc(3)
        for amount in (-1, math.nan, -math.inf):
            with pytest.raises(ValueError):
                c.inc(amount)
        assert c.get() == 3  # a failed update changes nothing
        c.inc(math.inf)
        assert c.get() == math.inf

    def test_nan_values(self, registry):
        # NaN is a gauge value, as in prometheus_client; observations of NaN are refused.
        g = Gauge("nan_gauge", "N.", registry=registry)
        g.set(math.nan)
        assert math.isnan(g.get())
        g.set(2)
        g.inc(math.nan)
        assert math.isnan(g.get())
        for metric in (Histogram("nan_h", "N.", registry=registry),
                       Summary("nan_s", "N.", registry=registry)):
            with pytest.raises(ValueError):
                metric.observe(math.nan)
            assert metric.get_count() == 0

    def test_wrong_types(self, registry):
        c = Counter("typed", "T.", registry=registry)
        g = Gauge("typed_g", "T.", registry=registry)
        with pytest.raises(TypeError):
            c.inc("one")
        with pytest.raises(ValueError):  # float("abc"), as prometheus_client
            g.set("abc")
        with pytest.raises(TypeError):
            Histogram("typed_h", "T.", registry=registry).observe(None)

    def test_exemplar_too_long_or_bad(self, registry, legacy_validation):
        c = Counter("exemplary", "E.", registry=registry)
        with pytest.raises(ValueError):
            c.inc(1, exemplar={"trace_id": "x" * 200})
        with pytest.raises(ValueError):
            c.inc(1, exemplar={"bad name": "x"})
        with pytest.raises(ValueError):
            c.inc(1, exemplar={"__reserved": "x"})
        assert c.get() == 0


class TestConfiguration:
    def test_buckets(self, registry):
        with pytest.raises(ValueError):
            Histogram("unsorted", "U.", buckets=[1, 0.5], registry=registry)
        with pytest.raises(ValueError):
            Histogram("repeated", "R.", buckets=[1, 1], registry=registry)
        with pytest.raises(ValueError):
            Histogram("nan_bucket", "N.", buckets=[math.nan], registry=registry)

    def test_summary_objectives(self, registry):
        with pytest.raises(ValueError):
            Summary("bad_objective", "B.", objectives={1.5: 0.01}, registry=registry)
        with pytest.raises(ValueError):
            Summary("bad_window", "B.", max_age_seconds=-1, registry=registry)
        s = Summary("fine", "F.", registry=registry)
        with pytest.raises(ValueError):
            s.get_quantile(2)

    def test_enum(self, registry):
        with pytest.raises(ValueError):
            Enum("no_states", "N.", registry=registry)
        with pytest.raises(ValueError):
            Enum("twice", "T.", states=["a", "a"], registry=registry)
        with pytest.raises(ValueError):
            Enum("own_label", "O.", ["own_label"], states=["a"], registry=registry)
        with pytest.raises(ValueError):
            Enum("with_unit", "W.", unit="seconds", states=["a"], registry=registry)
        e = Enum("known", "K.", states=["a", "b"], registry=registry)
        with pytest.raises(ValueError):
            e.state("c")
        assert e.get() == "a"

    def test_info(self, registry, legacy_validation):
        i = Info("overlap", "O.", ["name"], registry=registry)
        with pytest.raises(ValueError):
            i.labels("x").info({"name": "clash"})
        plain = Info("plain", "P.", registry=registry)
        with pytest.raises(ValueError):
            plain.info({"version": None})
        with pytest.raises(ValueError):
            plain.info({"bad name": "x"})
        with pytest.raises(ValueError):
            Info("unit", "U.", unit="bytes", registry=registry)

    def test_label_names_and_labels_together(self, registry):
        with pytest.raises(TypeError):
            Counter("both", "B.", ["a"], labels=["b"], registry=registry)


class TestRegistry:
    def test_duplicates(self, registry):
        Counter("taken", "T.", registry=registry)
        with pytest.raises(ValueError, match="duplicate"):
            Gauge("taken_total", "Clashes with the counter's sample.", registry=registry)
        with pytest.raises(ValueError):
            Counter("taken_total", "Same family name.", registry=registry)

    def test_unregister_unknown(self, registry):
        with pytest.raises(KeyError):
            registry.unregister(Counter("elsewhere", "E.", registry=CollectorRegistry()))

    def test_registering_a_child(self, registry):
        c = Counter("parent", "P.", ["k"], registry=registry)
        with pytest.raises(ValueError):
            CollectorRegistry().register(c.labels("v"))
