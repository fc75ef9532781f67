"""Text output read back with prometheus_client's own parsers, and compared with what
prometheus_client produces for the same program."""

import math
import os

import prometheus_client
import pytest
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as parse_openmetrics,
)
from prometheus_client.parser import text_string_to_metric_families as parse_text

import prometheus_emulator as pe
from prometheus_emulator import exposition
from prometheus_emulator.openmetrics import exposition as openmetrics

PROMETHEUS_3_ACCEPT = (
    "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
    "application/openmetrics-text;version=0.0.1;q=0.5,"
    "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2")


def workload(module, registry):
    """The same instrumentation, written against either library."""
    requests = module.Counter("requests_total", "Requests served.", ["method", "code"],
                              registry=registry)
    requests.labels("GET", "200").inc(3)
    requests.labels(method="POST", code="500").inc()
    module.Gauge("temperature_celsius", 'Temp with "quotes" and \\ slash.',
                 registry=registry).set(-4.25)
    latency = module.Histogram("latency_seconds", "Latency.", ["route"], buckets=[0.1, 0.5, 1],
                               registry=registry)
    for x in (0.05, 0.3, 0.3, 2):
        latency.labels("/a\nb").observe(x)
    size = module.Summary("size_bytes", "Size.", registry=registry)
    size.observe(10)
    size.observe(30)
    module.Info("build", "Build.", registry=registry).info({"version": "1.0", "commit": "x"})
    state = module.Enum("phase", "Phase.", states=["init", "run"], registry=registry)
    state.state("run")


def comparable(families, drop=("_created",)):
    """Sample name, labels and value of every sample, _created and summary quantiles left out."""
    return sorted(
        (s.name, tuple(sorted(s.labels.items())), s.value)
        for f in families for s in f.samples
        if not s.name.endswith(drop) and "quantile" not in s.labels)


@pytest.fixture
def both():
    ours, theirs = pe.CollectorRegistry(), prometheus_client.CollectorRegistry()
    workload(pe, ours)
    workload(prometheus_client, theirs)
    return ours, theirs


def test_text_format_reads_back_as_prometheus_client_writes_it(both):
    ours, theirs = both
    our_families = list(parse_text(exposition.generate_latest(ours).decode()))
    their_families = list(parse_text(prometheus_client.generate_latest(theirs).decode()))
    assert comparable(our_families) == comparable(their_families)
    # Families in the same order, the _created gauge families of text 0.0.4 included.
    assert [(f.name, f.type, f.documentation) for f in our_families] == [
        (f.name, f.type, f.documentation) for f in their_families]


def test_openmetrics_reads_back_as_prometheus_client_writes_it(both):
    ours, theirs = both
    ours_text = openmetrics.generate_latest(ours).decode()
    theirs_text = prometheus_client.openmetrics.exposition.generate_latest(theirs).decode()
    assert ours_text.endswith("# EOF\n")
    our_families = list(parse_openmetrics(ours_text))
    their_families = list(parse_openmetrics(theirs_text))
    assert comparable(our_families) == comparable(their_families)
    assert {(f.name, f.type) for f in our_families} == {(f.name, f.type) for f in their_families}
    created = [s for f in our_families for s in f.samples if s.name.endswith("_created")]
    assert {s.name for s in created} == {"requests_created", "latency_seconds_created",
                                         "size_bytes_created"}


def test_collect_matches_prometheus_client(both):
    ours, theirs = both
    assert comparable(ours.collect()) == comparable(theirs.collect())
    # In registration order, as prometheus_client's.
    assert [(f.name, f.type, f.unit) for f in ours.collect()] == [
        (f.name, f.type, f.unit) for f in theirs.collect()]


def test_summary_quantiles_are_exposed_with_objectives_only(both, registry):
    ours, theirs = both
    # Without objectives: _count and _sum, as prometheus_client's; get_quantile() still answers.
    for text in (exposition.generate_latest(ours), prometheus_client.generate_latest(theirs)):
        families = {f.name: f for f in parse_text(text.decode())}
        assert [s.name for s in families["size_bytes"].samples] == ["size_bytes_count",
                                                                    "size_bytes_sum"]
    size = pe.Summary("size_bytes", "Size.", registry=registry)
    for value in (10, 30):
        size.observe(value)
    assert size.get_quantile(0.99) == 30
    # With objectives, their quantiles too.
    sized = pe.Summary("sized_bytes", "Size.", registry=registry,
                       objectives={0.5: 0.05, 0.9: 0.01, 0.99: 0.001})
    for value in (10, 30):
        sized.observe(value)
    families = {f.name: f for f in parse_text(exposition.generate_latest(registry).decode())}
    quantiles = {s.labels["quantile"]: s.value for s in families["sized_bytes"].samples
                 if "quantile" in s.labels}
    assert set(quantiles) == {"0.5", "0.9", "0.99"}
    assert quantiles["0.99"] == 30
    assert [s.name for s in families["size_bytes"].samples] == ["size_bytes_count",
                                                                "size_bytes_sum"]


def test_exemplars_read_back(registry):
    c = pe.Counter("traced", "T.", registry=registry)
    c.inc(1, exemplar={"trace_id": "0af7651916cd43dd"})
    h = pe.Histogram("timed_seconds", "T.", buckets=[1], registry=registry)
    h.observe(0.5, exemplar={"trace_id": "b7ad6b7169203331"})
    text = openmetrics.generate_latest(registry).decode()
    families = {f.name: f for f in parse_openmetrics(text)}
    total = next(s for s in families["traced"].samples if s.name == "traced_total")
    assert total.exemplar.labels == {"trace_id": "0af7651916cd43dd"}
    bucket = next(s for s in families["timed_seconds"].samples if s.labels.get("le") == "1.0")
    assert bucket.exemplar.value == 0.5


def test_special_values(registry):
    g = pe.Gauge("specials", "S.", ["kind"], registry=registry)
    g.labels("inf").set(math.inf)
    g.labels("neg").set(-math.inf)
    g.labels("tiny").set(5e-324)
    g.labels("big").set(1.7976931348623157e308)
    parsed = {s.labels["kind"]: s.value
              for f in parse_text(exposition.generate_latest(registry).decode()) for s in f.samples}
    assert parsed == {"inf": math.inf, "neg": -math.inf, "tiny": 5e-324,
                      "big": 1.7976931348623157e308}
    # collect() reads the library's "+Inf" and "-Inf" back as floats too.
    collected = {s.labels["kind"]: s.value for f in registry.collect() for s in f.samples}
    assert collected == parsed
    assert {type(value) for value in collected.values()} == {float}


def test_content_types_and_negotiation():
    # CONTENT_TYPE_LATEST is text 1.0.0, as in prometheus_client 0.26.
    assert exposition.CONTENT_TYPE_LATEST == "text/plain; version=1.0.0; charset=utf-8" == \
        prometheus_client.CONTENT_TYPE_LATEST
    assert exposition.CONTENT_TYPE_PLAIN_0_0_4 == "text/plain; version=0.0.4; charset=utf-8" == \
        prometheus_client.CONTENT_TYPE_PLAIN_0_0_4
    assert pe.CONTENT_TYPE_LATEST == exposition.CONTENT_TYPE_LATEST
    assert pe.CONTENT_TYPE_PLAIN_1_0_0 == exposition.CONTENT_TYPE_LATEST
    assert openmetrics.CONTENT_TYPE_LATEST == \
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    encoder, content_type = exposition.choose_encoder(PROMETHEUS_3_ACCEPT)
    assert content_type == openmetrics.CONTENT_TYPE_LATEST + "; escaping=allow-utf-8"
    assert (encoder.func, encoder.keywords) == (
        openmetrics.generate_latest, {"escaping": openmetrics.ALLOWUTF8, "version": "1.0.0"})
    # Without OpenMetrics or text 1.0.0, text 0.0.4 with underscores, as prometheus_client.
    for accept in (None, "", "text/plain", "*/*", "application/openmetrics-text;version=9.9.9",
                   "text/plain;q=0.9,application/openmetrics-text;q=0.1"):
        assert exposition.choose_encoder(accept) == (
            exposition.generate_latest, exposition.CONTENT_TYPE_PLAIN_0_0_4), accept


def test_write_to_textfile(registry, tmp_path):
    pe.Counter("batch_runs", "Runs.", registry=registry).inc()
    path = tmp_path / "batch.prom"
    exposition.write_to_textfile(str(path), registry)
    assert "batch_runs_total 1.0\n" in path.read_text()
    assert os.listdir(tmp_path) == ["batch.prom"]


def test_large_exposition_reads_back(registry):
    family = pe.Counter("many_series", "Many.", ["shard", "code"], registry=registry)
    for i in range(10000):
        family.labels(str(i // 100), str(i % 100)).inc(i)
    families = list(parse_text(exposition.generate_latest(registry).decode()))
    samples = families[0].samples
    assert len(samples) == 10000
    assert sum(s.value for s in samples) == sum(range(10000))
    assert len(list(registry.collect())[0].samples) == 20000  # with _created
