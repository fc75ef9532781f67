"""max_series and overflow: the library's cardinality cap per family, through every metric class.

Folding (the default) sends new label sets beyond the cap to one overflow child whose label
values are all "__overflow__"; refusing raises ValueError with the library's message and changes
nothing. Both are counted by prometheus_emulator_series_dropped_total{family="..."} in the
default registry, which lives for the whole process: every test uses its own metric names.
"""

import threading

import pytest
from prometheus_client.parser import text_string_to_metric_families

import prometheus_emulator as pe
from prometheus_emulator import _lib

OVERFLOW = "__overflow__"
DROPPED = "prometheus_emulator_series_dropped_total"


def samples(registry):
    """{(sample name, sorted label items): value} of a registry's text exposition."""
    text = pe.generate_latest(registry).decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def dropped(family):
    """The self-metric's value for this family in the default registry (None: not shown)."""
    return samples(pe.REGISTRY).get((DROPPED, (("family", family),)))


def series(registry, sample_name):
    """The label sets a registry shows for this sample name, as sorted tuples of items."""
    return {labels for name, labels in samples(registry) if name == sample_name}


def refused_message(family, cap):
    return f'family "{family}" holds its max_series of {cap} series: new label sets are refused'


# ----- fold --------------------------------------------------------------------------------------

def test_fold_sends_new_label_sets_to_the_overflow_child():
    registry = pe.CollectorRegistry()
    c = pe.Counter("cap_fold_requests_total", "Requests.", ["user", "page"], max_series=2,
                   registry=registry)
    c.labels("a", "1").inc()
    c.labels("b", "1").inc(2)
    assert dropped("cap_fold_requests") is None  # shown only once something was dropped
    c.labels("c", "1").inc(3)
    c.labels(user="d", page="2").inc(4)
    c.inc(5, user="e", page="3")  # the keyword style goes through the same lookup
    c.labels("a", "1").inc()  # an existing label set is no offer beyond the cap

    values = samples(registry)
    assert values[("cap_fold_requests_total", (("page", "1"), ("user", "a")))] == 2
    assert values[("cap_fold_requests_total", (("page", "1"), ("user", "b")))] == 2
    assert values[("cap_fold_requests_total", (("page", OVERFLOW), ("user", OVERFLOW)))] == 12
    assert series(registry, "cap_fold_requests_total") == {
        (("page", "1"), ("user", "a")), (("page", "1"), ("user", "b")),
        (("page", OVERFLOW), ("user", OVERFLOW))}
    assert c.get() == 16  # the total stays right
    assert c.get(user="c", page="1") == 0  # never a series of its own (a read of none is 0)
    assert c.get(user=OVERFLOW, page=OVERFLOW) == 12
    # The family label is the library's family name (a counter's without _total).
    assert dropped("cap_fold_requests") == 3


def test_labels_beyond_the_cap_returns_the_overflow_child():
    registry = pe.CollectorRegistry()
    g = pe.Gauge("cap_fold_child", "G.", ["k"], max_series=1, registry=registry)
    g.labels("kept").set(1)
    overflow = g.labels("new")
    overflow.set(7)
    assert g.labels("other").get() == 7  # the same series
    assert g.get(k=OVERFLOW) == 7
    assert series(registry, "cap_fold_child") == {(("k", "kept"),), (("k", OVERFLOW),)}
    # Every offer beyond the cap reaches the library and is counted, even a repeated one.
    g.labels("new").inc()
    assert g.get(k=OVERFLOW) == 8
    assert dropped("cap_fold_child") == 3


def test_a_removal_makes_room_for_a_label_set_that_was_folded():
    registry = pe.CollectorRegistry()
    c = pe.Counter("cap_fold_room_total", "C.", ["k"], max_series=1, registry=registry)
    c.labels("a").inc()
    c.labels("b").inc()  # folded
    c.remove("a")
    c.labels("b").inc(5)  # now there is room: "b" gets its own series
    assert c.get(k="b") == 5
    assert c.get(k=OVERFLOW) == 1
    assert dropped("cap_fold_room") == 1


def test_fold_under_concurrent_creation_holds_the_cap_exactly():
    registry = pe.CollectorRegistry()
    c = pe.Counter("cap_fold_threads_total", "C.", ["k"], max_series=50, registry=registry)
    threads = [threading.Thread(target=lambda t=t: [c.labels(f"{t}-{i}").inc()
                                                    for i in range(200)])
               for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    shown = series(registry, "cap_fold_threads_total")
    assert len(shown) == 51 and (("k", OVERFLOW),) in shown
    assert c.get() == 1600
    assert c.get(k=OVERFLOW) == 1600 - 50
    assert dropped("cap_fold_threads") == 1600 - 50


# ----- refuse ------------------------------------------------------------------------------------

def test_refuse_raises_the_library_message_and_changes_nothing():
    registry = pe.CollectorRegistry()
    g = pe.Gauge("cap_refuse_queue", "G.", ["queue"], max_series=2, overflow="refuse",
                 registry=registry)
    g.labels("a").set(1)
    g.set(2, queue="b")
    before = samples(registry)
    with pytest.raises(ValueError) as refused:
        g.labels("c")
    assert refused_message("cap_refuse_queue", 2) in str(refused.value)
    with pytest.raises(ValueError, match="max_series of 2"):
        g.set(9, queue="d")
    with pytest.raises(ValueError, match="max_series of 2"):
        g.labels(queue="c").inc()
    assert samples(registry) == before
    assert g.get(queue="a") == 1 and g.get(queue="b") == 2
    assert series(registry, "cap_refuse_queue") == {(("queue", "a"),), (("queue", "b"),)}
    g.labels("a").set(5)  # label sets already held still update
    assert g.get(queue="a") == 5
    assert dropped("cap_refuse_queue") == 3


def test_refuse_is_the_status_the_library_calls_cardinality():
    assert _lib._EXCEPTIONS[_lib.PE_ERR_CARDINALITY] is ValueError
    counter = pe.Counter("cap_refuse_status", "C.", ["k"], max_series=1, overflow="refuse",
                         registry=None)
    counter.labels("a")
    with pytest.raises(ValueError) as refused:
        counter.labels("b")
    assert str(refused.value).startswith("pe_counter_labels: ")
    assert refused_message("cap_refuse_status", 1) in str(refused.value)


def test_refuse_keeps_room_after_a_removal():
    registry = pe.CollectorRegistry()
    c = pe.Counter("cap_refuse_room", "C.", ["k"], max_series=1, overflow="refuse",
                   registry=registry)
    c.labels("a").inc()
    with pytest.raises(ValueError):
        c.labels("b")
    c.remove("a")
    c.labels("b").inc(2)
    exposed = samples(registry)
    assert exposed.pop(("cap_refuse_room_created", (("k", "b"),))) > 1.6e9
    assert exposed == {("cap_refuse_room_total", (("k", "b"),)): 2}


# ----- every class -------------------------------------------------------------------------------

# class name -> (constructor keywords, an update of a child, the sample name showing a series)
KINDS = {
    "Counter": ({}, lambda child: child.inc(), "total"),
    "Gauge": ({}, lambda child: child.set(3), ""),
    "Histogram": ({"buckets": (1, 2)}, lambda child: child.observe(1.5), "count"),
    "Summary": ({}, lambda child: child.observe(4), "count"),
    "Info": ({}, lambda child: child.info({"version": "1"}), "info"),
    "Enum": ({"states": ["idle", "busy"]}, lambda child: child.state("busy"), ""),
}


def make(kind, name, registry, **options):
    keywords, _update, _sample = KINDS[kind]
    return getattr(pe, kind)(name, "Capped.", ["user", "page"], registry=registry,
                             **keywords, **options)


def sample_name(kind, name):
    suffix = KINDS[kind][2]
    return f"{name}_{suffix}" if suffix else name


def user_pages(registry, kind, name):
    """The (user, page) label values shown for the family's series."""
    return {(dict(labels)["user"], dict(labels)["page"])
            for labels in series(registry, sample_name(kind, name))}


@pytest.mark.parametrize("kind", KINDS)
def test_every_class_folds(kind):
    name = f"cap_each_fold_{kind.lower()}"
    registry = pe.CollectorRegistry()
    metric = make(kind, name, registry, max_series=2)
    update = KINDS[kind][1]
    for user in ("a", "b", "c", "d"):
        update(metric.labels(user, "x"))
    assert user_pages(registry, kind, name) == {("a", "x"), ("b", "x"), (OVERFLOW, OVERFLOW)}
    assert dropped(name) == 2


@pytest.mark.parametrize("kind", KINDS)
def test_every_class_refuses(kind):
    name = f"cap_each_refuse_{kind.lower()}"
    registry = pe.CollectorRegistry()
    metric = make(kind, name, registry, max_series=2, overflow="refuse")
    update = KINDS[kind][1]
    update(metric.labels("a", "x"))
    update(metric.labels("b", "x"))
    before = samples(registry)
    with pytest.raises(ValueError) as refused:
        metric.labels("c", "x")
    assert refused_message(name, 2) in str(refused.value)
    assert samples(registry) == before
    assert user_pages(registry, kind, name) == {("a", "x"), ("b", "x")}
    assert dropped(name) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_metric_without_labels_accepts_and_ignores_the_cap(kind):
    keywords, update, _sample = KINDS[kind]
    name = f"cap_unlabelled_{kind.lower()}"
    metric = getattr(pe, kind)(name, "Unlabelled.", registry=None, max_series=1,
                               overflow="refuse", **keywords)
    update(metric)
    update(metric)
    assert dropped(name) is None


def test_no_cap_by_default():
    registry = pe.CollectorRegistry()
    c = pe.Counter("cap_none_total", "C.", ["k"], registry=registry)
    for i in range(300):
        c.labels(str(i)).inc()
    assert len(series(registry, "cap_none_total")) == 300
    assert c.labels("1") is c.labels("1")  # an uncapped family caches its children
    assert dropped("cap_none") is None


def test_the_options_reach_the_library():
    options, _names = _lib.opts("m", "h", ["k"], max_series=7, overflow="refuse")
    assert (options.max_series, options.overflow) == (7, _lib.PE_OVERFLOW_REFUSE)
    options, _names = _lib.opts("m", "h")
    assert (options.max_series, options.overflow) == (0, _lib.PE_OVERFLOW_FOLD)
    assert options.struct_size == _lib.ctypes.sizeof(_lib.pe_metric_opts)


# ----- bad options -------------------------------------------------------------------------------

@pytest.mark.parametrize("max_series", [0, -1, 2 ** 64])
def test_max_series_out_of_range_is_a_value_error(max_series):
    with pytest.raises(ValueError, match="max_series"):
        pe.Counter("cap_bad_range", "C.", ["k"], max_series=max_series, registry=None)


@pytest.mark.parametrize("max_series", ["10", 2.5, True])
def test_max_series_of_another_type_is_a_type_error(max_series):
    with pytest.raises(TypeError, match="max_series"):
        pe.Gauge("cap_bad_type", "G.", ["k"], max_series=max_series, registry=None)


@pytest.mark.parametrize("overflow", ["drop", "FOLD", "", None, 0, 1])
def test_an_unknown_overflow_is_a_value_error(overflow):
    with pytest.raises(ValueError, match="overflow"):
        pe.Histogram("cap_bad_overflow", "H.", ["k"], max_series=3, overflow=overflow,
                     registry=None)


@pytest.mark.parametrize("kind", KINDS)
def test_bad_options_on_every_class_register_nothing(kind):
    keywords = KINDS[kind][0]
    cls = getattr(pe, kind)
    name = f"cap_bad_each_{kind.lower()}"
    with pytest.raises(ValueError):
        cls(name, "Bad.", ["k"], max_series=0, **keywords)
    with pytest.raises(ValueError):
        cls(name, "Bad.", ["k"], overflow="spill", **keywords)
    # Nothing reached the default registry: the name is still free.
    metric = cls(name, "Good.", ["k"], max_series=1, overflow="refuse", **keywords)
    pe.REGISTRY.unregister(metric)
