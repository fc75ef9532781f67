"""Many threads at once: totals stay exact, children are created once, scrapes run alongside."""

import threading

from prometheus_client.parser import text_string_to_metric_families as parse_text

import prometheus_emulator as pe
from prometheus_emulator import GaugeMetricFamily
from conftest import http_get

THREADS = 8
ROUNDS = 5000


def run_threads(target, count=THREADS):
    """Runs ``target(index)`` on ``count`` threads started together; re-raises a failure."""
    barrier = threading.Barrier(count)
    errors = []

    def body(index):
        try:
            barrier.wait()
            target(index)
        except BaseException as error:  # reported on the main thread
            errors.append(error)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def test_counter_totals_are_exact(registry):
    c = pe.Counter("shared_total", "S.", registry=registry)
    labelled = pe.Counter("labelled_total", "L.", ["worker", "parity"], registry=registry)

    def work(index):
        for i in range(ROUNDS):
            c.inc()
            labelled.labels(str(index % 2), str(i % 2)).inc()
            labelled.inc(2, worker="all", parity="x")

    run_threads(work)
    assert c.get() == THREADS * ROUNDS
    assert labelled.get(worker="all", parity="x") == 2 * THREADS * ROUNDS
    assert labelled.get() == 3 * THREADS * ROUNDS
    assert registry.get_sample_value("labelled_total", {"worker": "0", "parity": "1"}) == \
        THREADS * ROUNDS / 4


def test_children_are_created_once(registry):
    c = pe.Counter("racy_children", "R.", ["k"], registry=registry)
    children = [[] for _ in range(THREADS)]

    def work(index):
        for i in range(200):
            children[index].append(c.labels(str(i)))

    run_threads(work)
    for i in range(200):
        assert len({id(found[i]) for found in children}) == 1
    assert len(list(registry.collect())[0].samples) == 2 * 200


def test_gauge_and_histogram(registry):
    g = pe.Gauge("balance", "B.", registry=registry)
    h = pe.Histogram("observed", "O.", buckets=[0.5], registry=registry)
    s = pe.Summary("summarised", "S.", registry=registry)

    def work(index):
        for i in range(ROUNDS):
            g.inc(3)
            g.dec(3)
            h.observe(i % 2)
            s.observe(1)

    run_threads(work)
    assert g.get() == 0
    assert h.get_count() == THREADS * ROUNDS
    assert h.get_buckets() == [(0.5, THREADS * ROUNDS / 2), (float("inf"), THREADS * ROUNDS)]
    assert s.get_count() == THREADS * ROUNDS and s.get_sum() == THREADS * ROUNDS


def test_scrapes_while_updating(registry):
    c = pe.Counter("scraped_total", "S.", ["k"], registry=registry)
    h = pe.Histogram("scraped_seconds", "S.", registry=registry)

    class Live:
        def collect(self):
            yield GaugeMetricFamily("live_value", "L.", value=c.get())

    registry.register(Live())
    server, _ = pe.start_http_server(0, "127.0.0.1", registry)
    url = f"http://127.0.0.1:{server.server_port}/metrics"
    stop = threading.Event()

    def work(index):
        if index == 0:  # scrapes over HTTP: the exporter's threads call the Python collector
            while not stop.is_set():
                families = {f.name: f for f in parse_text(http_get(url)[2].decode())}
                bucket = {s.labels.get("le"): s.value for s in families["scraped_seconds"].samples
                          if s.name == "scraped_seconds_bucket"}
                count = next(s.value for s in families["scraped_seconds"].samples
                             if s.name == "scraped_seconds_count")
                assert bucket["+Inf"] == count  # a consistent histogram in every scrape
        elif index == 1:  # collects and renders in Python
            while not stop.is_set():
                list(registry.collect())
                pe.generate_latest(registry)
        else:
            for i in range(ROUNDS):
                c.labels(str(i % 10)).inc()
                h.observe(0.01)
            if index == THREADS - 1:
                stop.set()

    try:
        run_threads(work)
    finally:
        stop.set()
        server.shutdown()
    assert c.get() == (THREADS - 2) * ROUNDS
    assert registry.get_sample_value("live_value") == (THREADS - 2) * ROUNDS
