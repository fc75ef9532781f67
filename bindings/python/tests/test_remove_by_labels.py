"""remove_by_labels: partial deletes, matched by the library (pe_<type>_remove_matching), with
prometheus_client 0.26's errors and no-ops, for every metric class, and the binding's caches of
children forgetting what was removed."""

import prometheus_client
import pytest

import prometheus_emulator as pe

NAMES = ("a", "b", "c")
SERIES = [("x", "1", "p"), ("x", "1", "q"), ("x", "2", "p"), ("y", "1", "p"), ("y", "2", "q")]


def _set_info(child):
    child.info({"version": "1"})


def _set_enum(child):
    child.state("busy")


# name -> (constructor keywords, how to move a child away from its initial value, the sample
# that shows a series, and that sample's value on a new child; None when the sample is absent).
KINDS = {
    "Counter": ({}, lambda child: child.inc(3), "m_total", {}, 0.0),
    "Gauge": ({}, lambda child: child.set(7), "m", {}, 0.0),
    "Histogram": ({"buckets": (1, 2)}, lambda child: child.observe(1.5), "m_count", {}, 0.0),
    "Summary": ({}, lambda child: child.observe(4), "m_count", {}, 0.0),
    # A new info child has no info labels; the old one's sample carries version="1".
    "Info": ({}, _set_info, "m_info", {}, 1.0),
    # A new enum child is in its first state.
    "Enum": ({"states": ["idle", "busy"]}, _set_enum, "m", {"m": "idle"}, 1.0),
}


def make(module, kind, registry, labelnames=NAMES):
    keywords = KINDS[kind][0]
    return getattr(module, kind)("m", "M.", labelnames, registry=registry, **keywords)


def series(registry):
    """The label values (a, b, c) of the series the registry exposes, sorted."""
    found = {tuple(sample.labels.get(name) for name in NAMES)
             for metric in registry.collect() for sample in metric.samples
             if not sample.name.endswith("_created")}
    return sorted(found)


def is_fresh(kind, registry, values):
    """Whether the series of these values shows a new child's value."""
    _, _, sample, extra, fresh = KINDS[kind]
    labels = dict(zip(NAMES, values), **extra)
    return registry.get_sample_value(sample, labels) == fresh


def populate(metric, kind, values=SERIES):
    update = KINDS[kind][1]
    for labelvalues in values:
        update(metric.labels(*labelvalues))


@pytest.fixture(params=list(KINDS))
def kind(request):
    return request.param


class TestMatching:
    def test_one_and_two_labels(self, kind, registry):
        m = make(pe, kind, registry)
        populate(m, kind)
        m.remove_by_labels({"a": "x", "b": "1"})
        assert series(registry) == [("x", "2", "p"), ("y", "1", "p"), ("y", "2", "q")]
        m.remove_by_labels({"c": "q"})
        assert series(registry) == [("x", "2", "p"), ("y", "1", "p")]
        m.remove_by_labels({"a": "x"})
        assert series(registry) == [("y", "1", "p")]

    def test_all_labels_is_one_child(self, kind, registry):
        m = make(pe, kind, registry)
        populate(m, kind)
        m.remove_by_labels(dict(zip(NAMES, ("y", "2", "q"))))
        assert series(registry) == sorted(SERIES[:4])

    def test_values_go_through_str(self, kind, registry):
        m = make(pe, kind, registry)
        populate(m, kind, [(1, 2.5, True), (1, 3, False), (2, 2.5, True)])
        assert series(registry) == [("1", "2.5", "True"), ("1", "3", "False"),
                                    ("2", "2.5", "True")]
        m.remove_by_labels({"a": 1, "c": True})
        assert series(registry) == [("1", "3", "False"), ("2", "2.5", "True")]
        m.remove_by_labels({"b": 2.5})
        assert series(registry) == [("1", "3", "False")]

    def test_no_match_and_empty_dict_are_no_ops(self, kind, registry):
        m = make(pe, kind, registry)
        populate(m, kind)
        m.remove_by_labels({"a": "z"})
        m.remove_by_labels({"a": "x", "b": "9"})
        m.remove_by_labels({})  # the library would match every child: not called
        assert series(registry) == sorted(SERIES)

    def test_on_an_empty_family(self, kind, registry):
        m = make(pe, kind, registry)
        m.remove_by_labels({"a": "x"})
        assert series(registry) == []


class TestErrors:
    def test_unknown_label(self, kind, registry):
        m = make(pe, kind, registry)
        populate(m, kind)
        with pytest.raises(ValueError) as raised:
            m.remove_by_labels({"a": "x", "nope": "1", "other": "2"})
        assert str(raised.value) == (
            "Unknown label names: ['nope', 'other']; expected ('a', 'b', 'c')")
        assert series(registry) == sorted(SERIES)  # nothing removed

    def test_unlabelled(self, kind, registry):
        m = make(pe, kind, registry, labelnames=())
        with pytest.raises(ValueError, match="^No label names were set when constructing "):
            m.remove_by_labels({"a": "x"})
        with pytest.raises(ValueError, match="^No label names were set"):
            m.remove_by_labels({})  # checked before the empty dict, as in prometheus_client

    @pytest.mark.parametrize("labels", [[("a", "x")], "a", None, ("a",)])
    def test_not_a_dict(self, kind, registry, labels):
        m = make(pe, kind, registry)
        populate(m, kind)
        message = r"^labels must be a dict of \{label_name: label_value\}$"
        with pytest.raises(TypeError, match=message):
            m.remove_by_labels(labels)
        assert series(registry) == sorted(SERIES)

    def test_on_a_child(self, kind, registry):
        m = make(pe, kind, registry)
        populate(m, kind)
        with pytest.raises(TypeError, match="bound child"):
            m.labels("x", "1", "p").remove_by_labels({"a": "x"})
        assert series(registry) == sorted(SERIES)

    def test_messages_are_prometheus_clients(self, kind):
        """The same calls on prometheus_client raise the same exceptions with the same text."""
        calls = [
            (NAMES, {"nope": "1"}),
            (NAMES, {"b": "1", "zz": 2}),
            ((), {"a": "x"}),
            (NAMES, ["a"]),
        ]
        for labelnames, labels in calls:
            outcomes = []
            for module in (prometheus_client, pe):
                m = make(module, kind, module.CollectorRegistry(), labelnames)
                try:
                    m.remove_by_labels(labels)
                except Exception as error:  # noqa: BLE001 - the comparison is the test
                    outcomes.append((type(error), str(error)))
                else:
                    outcomes.append(None)
            assert outcomes[0] == outcomes[1], (labelnames, labels)


class TestCachedChildren:
    def test_removed_child_is_not_resurrected(self, kind, registry):
        m = make(pe, kind, registry)
        populate(m, kind)
        update = KINDS[kind][1]
        kept = m.labels("x", "1", "p")
        by_keywords = m.labels(a="x", b="1", c="q")
        m.remove_by_labels({"a": "x", "b": "1"})
        # Updating the handles kept across the removal does not bring their series back.
        update(kept)
        update(by_keywords)
        assert series(registry) == [("x", "2", "p"), ("y", "1", "p"), ("y", "2", "q")]
        # A new lookup, positional or by keywords, gives a new child at its initial value.
        fresh = m.labels("x", "1", "p")
        assert fresh is not kept
        assert is_fresh(kind, registry, ("x", "1", "p"))
        fresh_keywords = m.labels(a="x", b="1", c="q")
        assert fresh_keywords is not by_keywords
        assert fresh_keywords is m.labels("x", "1", "q")
        assert is_fresh(kind, registry, ("x", "1", "q"))
        # The children not removed are still the cached ones.
        assert m.labels("x", "2", "p") is m.labels(a="x", b="2", c="p")
        assert not is_fresh(kind, registry, ("x", "2", "p"))

    def test_same_as_prometheus_client(self, kind):
        """A sequence of updates and partial removals exposes the same series in both."""
        traces = []
        for module in (prometheus_client, pe):
            registry = module.CollectorRegistry()
            m = make(module, kind, registry)
            update = KINDS[kind][1]
            populate(m, kind)
            kept = m.labels("y", "1", "p")
            trace = []
            for labels in ({"a": "x", "b": "1"}, {"c": "p"}, {}, {"b": 2}, {"a": "none"}):
                m.remove_by_labels(labels)
                trace.append(series(registry))
            update(kept)
            trace.append(series(registry))
            m.labels("y", "1", "p")
            trace.append((series(registry), is_fresh(kind, registry, ("y", "1", "p"))))
            traces.append(trace)
        assert traces[0] == traces[1]


def test_counter_seed_keyword_style(registry):
    """The seed's inc(**labels) caches children by keywords too: they are forgotten."""
    c = pe.Counter("kw", "K.", labels=["method", "status"], registry=registry)
    c.inc(5, method="GET", status="200")
    c.inc(1, method="GET", status="500")
    c.inc(2, method="POST", status="200")
    c.remove_by_labels({"method": "GET"})
    assert c.get() == 2
    c.inc(method="GET", status="200")
    assert c.get(method="GET", status="200") == 1
    assert registry.get_sample_value("kw_total", {"method": "GET", "status": "200"}) == 1
    assert registry.get_sample_value("kw_total", {"method": "GET", "status": "500"}) is None


def test_library_counts_what_it_removes(kind, registry):
    """The table entry of pe_<type>_remove_matching, called as remove_by_labels calls it but with
    the count out-pointer: the library reports how many children it removed (n == 0: all)."""
    from ctypes import byref, c_size_t

    from prometheus_emulator import _lib

    m = make(pe, kind, registry)
    populate(m, kind)
    removed = c_size_t(99)

    def remove_matching(**labels):
        m._kind.remove_matching(m._handle, _lib.str_array(list(labels)),
                                _lib.str_array(list(labels.values())), len(labels),
                                byref(removed))
        return removed.value

    assert remove_matching(a="x", b="1") == 2
    assert remove_matching(a="nothing") == 0
    with pytest.raises(ValueError):  # PE_ERR_INVALID_NAME: nothing removed
        remove_matching(a="y", nope="1")
    assert series(registry) == [("x", "2", "p"), ("y", "1", "p"), ("y", "2", "q")]
    assert remove_matching() == 3
    assert series(registry) == []
