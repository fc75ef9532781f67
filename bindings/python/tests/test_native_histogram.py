"""Native histograms: their options, their OpenMetrics 2.0 and protobuf expositions, the text
formats that have no room for them, and native histogram samples of custom collectors."""

import datetime
import gzip
import importlib
import math
import re
from ctypes import byref, c_double, c_int32, c_size_t, c_uint64

import pytest
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as parse_openmetrics,
)
from prometheus_client.parser import text_string_to_metric_families as parse_text

import prometheus_emulator as pe
from prometheus_emulator import exposition
from prometheus_emulator._lib import lib
from prometheus_emulator.openmetrics import exposition as openmetrics
from prometheus_emulator.samples import BucketSpan, NativeHistogram
from conftest import http_get

PROTOBUF_ACCEPT = ("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                   "encoding=delimited;q=0.6,text/plain;version=0.0.4;q=0.2")
OPENMETRICS_2_ACCEPT = "application/openmetrics-text;version=2.0.0;q=0.7,*/*;q=0.5"
# What the exporters answer those two with: the format's type and the escaping chosen.
PROTOBUF_CONTENT_TYPE = exposition.CONTENT_TYPE_PROTOBUF + "; escaping=underscores"
OPENMETRICS_2_CONTENT_TYPE = openmetrics.CONTENT_TYPE_LATEST_2_0 + "; escaping=allow-utf-8"
START_TIME = r" st@\d+(\.\d+)?"


def observed(histogram, values=(1.5, 3, 3.5, -0.75, 0)):
    for value in values:
        histogram.observe(value)
    return histogram


def lines(text):
    return text.decode().splitlines()


def native_state(histogram):
    """(schema, zero threshold, zero count, positive buckets, negative buckets) of one series,
    read from the library; buckets as {key: count}."""
    schema, threshold, zero_count = c_int32(), c_double(), c_uint64()
    lib.pe_histogram_native_state(histogram._handle, byref(schema), byref(threshold),
                                  byref(zero_count), None, None)
    buckets = []
    for negative in (0, 1):
        count = c_size_t()
        lib.pe_histogram_native_buckets(histogram._handle, negative, None, None, 0, byref(count))
        keys, counts = (c_int32 * count.value)(), (c_uint64 * count.value)()
        lib.pe_histogram_native_buckets(histogram._handle, negative, keys, counts, count.value,
                                        byref(count))
        buckets.append(dict(zip(keys, counts)))
    return (schema.value, threshold.value, zero_count.value, *buckets)


def delimited_messages(data):
    """The messages of a length-delimited protobuf stream; fails on a cut or trailing byte."""
    messages, offset = [], 0
    while offset < len(data):
        length, shift = 0, 0
        while True:
            byte = data[offset]
            offset += 1
            length |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        assert offset + length <= len(data), "a message runs past the end"
        messages.append(data[offset:offset + length])
        offset += length
    return messages


class TestNativeOnly:
    def test_openmetrics_2_line(self, registry):
        observed(pe.Histogram("name", "Help.", native_histogram_bucket_factor=2.0,
                              registry=registry))
        text = lines(openmetrics.generate_latest(registry, version="2.0.0"))
        assert text[:2] == ["# TYPE name histogram", "# HELP name Help."]
        assert re.fullmatch(
            r"name \{count:5,sum:7\.25,schema:0,zero_threshold:2\.938735877055719e-39,"
            r"zero_count:1,negative_spans:\[0:1\],negative_buckets:\[1\],"
            r"positive_spans:\[1:2\],positive_buckets:\[1,2\]\}" + START_TIME, text[2]), text[2]
        assert text[3:] == ["# EOF"]

    def test_text_formats_show_count_sum_and_one_bucket(self, registry):
        observed(pe.Histogram("name", "Help.", native_histogram_bucket_factor=2.0,
                              registry=registry))
        [family, created] = parse_text(pe.generate_latest(registry).decode())
        assert (created.name, created.type) == ("name_created", "gauge")
        assert family.type == "histogram"
        assert [(s.name, s.labels, s.value) for s in family.samples] == [
            ("name_bucket", {"le": "+Inf"}, 5.0), ("name_count", {}, 5.0), ("name_sum", {}, 7.25)]
        [family] = parse_openmetrics(openmetrics.generate_latest(registry).decode())
        assert {s.name for s in family.samples} == {"name_bucket", "name_count", "name_sum",
                                                    "name_created"}

    def test_reads_and_collect(self, registry):
        h = observed(pe.Histogram("name", "Help.", native_histogram_bucket_factor=2.0,
                                  registry=registry))
        assert h.get_count() == 5 and h.get_sum() == 7.25
        assert h.get_buckets() == []  # no classic buckets
        assert native_state(h) == (0, 2.0 ** -128, 1, {1: 1, 2: 2}, {0: 1})
        [family] = h.collect()
        assert [s.name for s in family.samples] == ["name_bucket", "name_count", "name_sum",
                                                    "name_created"]

    def test_time_and_the_default_registry_style(self, registry):
        h = pe.Histogram("timed_seconds", "T.", native_histogram_bucket_factor=1.1,
                         registry=registry)
        with h.time():
            pass
        assert h.get_count() == 1
        assert native_state(h)[0] == 3  # a factor of 1.1 gives schema 3 (1.09 a bucket)


class TestBoth:
    def test_classic_and_native_buckets(self, registry):
        h = observed(pe.Histogram("both", "B.", buckets=[1, 2], registry=registry,
                                  native_histogram_bucket_factor=2.0))
        assert h.get_buckets() == [(1.0, 2), (2.0, 3), (math.inf, 5)]
        [family, _created] = parse_text(pe.generate_latest(registry).decode())
        assert [(s.labels.get("le"), s.value) for s in family.samples if s.name == "both_bucket"] \
            == [("1.0", 2.0), ("2.0", 3.0), ("+Inf", 5.0)]
        [line] = [line for line in lines(openmetrics.generate_latest(registry, version="2.0.0"))
                  if line.startswith("both ")]
        assert re.fullmatch(
            r"both \{count:5,sum:7\.25,schema:0,zero_threshold:\S+,zero_count:1,"
            r"negative_spans:\[0:1\],negative_buckets:\[1\],positive_spans:\[1:2\],"
            r"positive_buckets:\[1,2\],bucket:\[1\.0:2,2\.0:3,\+Inf:5\]\}" + START_TIME, line)

    def test_default_buckets_given_explicitly_keep_the_classic_buckets(self, registry):
        h = pe.Histogram("explicit", "E.", buckets=pe.Histogram.DEFAULT_BUCKETS,
                         native_histogram_bucket_factor=2.0, registry=registry)
        assert [bound for bound, _ in h.get_buckets()] == list(pe.Histogram.DEFAULT_BUCKETS)
        assert native_state(h)[0] == 0

    def test_classic_histograms_keep_the_default_buckets(self, registry):
        h = pe.Histogram("classic", "C.", registry=registry)
        assert tuple(bound for bound, _ in h.get_buckets()) == pe.Histogram.DEFAULT_BUCKETS
        with pytest.raises(ValueError):  # no native buckets to read
            native_state(h)


class TestLabels:
    def test_children(self, registry):
        h = pe.Histogram("req_seconds", "R.", ["route"], registry=registry,
                         native_histogram_bucket_factor=2.0)
        h.labels("/a").observe(3)
        h.labels(route="/b").observe(0.75)
        h.observe(5, route="/b")  # the seed's keyword style
        assert h.labels("/b").get_count() == 2 and h.get_count() == 3
        assert native_state(h.labels("/a"))[3] == {2: 1}
        assert native_state(h.labels("/b"))[3] == {0: 1, 3: 1}
        text = lines(openmetrics.generate_latest(registry, version="2.0.0"))
        assert re.fullmatch(r'req_seconds\{route="/a"\} \{count:1,sum:3,.*,positive_spans:\[2:1\],'
                            r'positive_buckets:\[1\]\}' + START_TIME, text[2]), text[2]
        assert re.fullmatch(r'req_seconds\{route="/b"\} \{count:2,sum:5\.75,.*,'
                            r'positive_spans:\[0:1,2:1\],positive_buckets:\[1,1\]\}' + START_TIME,
                            text[3]), text[3]
        h.remove("/a")
        assert len(lines(openmetrics.generate_latest(registry, version="2.0.0"))) == 4

    def test_a_family_with_labels_is_read_through_its_children(self, registry):
        h = pe.Histogram("req", "R.", ["route"], native_histogram_bucket_factor=2.0,
                         registry=registry)
        with pytest.raises(ValueError):
            native_state(h)


class TestOptions:
    def test_zero_threshold(self, registry):
        default = pe.Histogram("default_zero", "D.", native_histogram_bucket_factor=2.0,
                               registry=registry)
        exact = pe.Histogram("exact_zero", "E.", native_histogram_bucket_factor=2.0,
                             native_histogram_zero_threshold=0.0, registry=registry)
        wide = pe.Histogram("wide_zero", "W.", native_histogram_bucket_factor=2.0,
                            native_histogram_zero_threshold=0.5, registry=registry)
        for h in (default, exact, wide):
            h.observe(0)
            h.observe(0.25)
        assert native_state(default)[1:3] == (2.0 ** -128, 1)
        assert native_state(exact)[1:3] == (0.0, 1)
        assert native_state(wide)[1:3] == (0.5, 2)
        text = openmetrics.generate_latest(registry, version="2.0.0").decode()
        assert "exact_zero {count:2,sum:0.25,schema:0,zero_threshold:0,zero_count:1," in text

    def test_bucket_limit_options(self, registry):
        h = pe.Histogram("limited", "L.", native_histogram_bucket_factor=1.1,
                         native_histogram_max_bucket_number=4,
                         native_histogram_min_reset_duration=datetime.timedelta(hours=1),
                         native_histogram_max_zero_threshold=0, registry=registry)
        for value in (1, 2, 4, 8, 16, 32, 64, 128):
            h.observe(value)
        # Each observation past the limit halves the resolution once (as in client_golang).
        assert native_state(h) == (-1, 2.0 ** -128, 0, {0: 1, 1: 2, 2: 2, 3: 2, 4: 1}, {})
        assert h.get_count() == 8
        pe.Histogram("seconds_as_float", "S.", native_histogram_bucket_factor=1.1,
                     native_histogram_min_reset_duration=90.5, registry=registry)

    @pytest.mark.parametrize("options", [
        {"native_histogram_bucket_factor": 1.0},
        {"native_histogram_bucket_factor": 0.5},
        {"native_histogram_bucket_factor": math.nan},
        {"native_histogram_bucket_factor": math.inf},
        {"native_histogram_bucket_factor": 2, "native_histogram_zero_threshold": math.nan},
        {"native_histogram_bucket_factor": 2, "native_histogram_max_zero_threshold": -1},
        {"native_histogram_bucket_factor": 2, "native_histogram_min_reset_duration": -1},
        {"native_histogram_bucket_factor": 2,
         "native_histogram_min_reset_duration": datetime.timedelta(seconds=-1)},
        {"native_histogram_bucket_factor": 2, "native_histogram_max_bucket_number": -1},
        {"native_histogram_bucket_factor": 2, "native_histogram_max_bucket_number": 2 ** 32},
        {"native_histogram_bucket_factor": 2, "buckets": [2, 1]},
        {"native_histogram_zero_threshold": 0.5},  # native options without a bucket factor
        {"native_histogram_max_bucket_number": 100},
    ])
    def test_bad_options_raise_and_register_nothing(self, registry, options):
        with pytest.raises(ValueError):
            pe.Histogram("bad", "B.", registry=registry, **options)
        pe.Histogram("bad", "B.", registry=registry, native_histogram_bucket_factor=2)

    def test_bad_option_messages_come_from_the_library(self, registry):
        with pytest.raises(ValueError, match="^pe_histogram_new_native: "):
            pe.Histogram("bad", "B.", native_histogram_bucket_factor=1, registry=registry)

    def test_a_bucket_number_must_be_an_integer(self, registry):
        with pytest.raises(TypeError):
            pe.Histogram("bad", "B.", native_histogram_bucket_factor=2,
                         native_histogram_max_bucket_number=1.5, registry=registry)


class TestExposition:
    def test_openmetrics_versions(self, registry):
        pe.Counter("hits", "H.", registry=registry).inc()
        assert openmetrics.generate_latest(registry) == \
            openmetrics.generate_latest(registry, version="1.0.0") == \
            openmetrics.generate_latest(registry, escaping=openmetrics.UNDERSCORES)
        assert b"hits_created" in openmetrics.generate_latest(registry)
        om2 = openmetrics.generate_latest(registry, version="2.0.0").decode()
        assert "hits_created" not in om2 and re.search(r"^hits_total 1" + START_TIME + "$", om2,
                                                       re.M)
        with pytest.raises(ValueError, match="unsupported OpenMetrics version"):
            openmetrics.generate_latest(registry, version="3.0.0")

    def test_protobuf_bytes(self, registry):
        observed(pe.Histogram("name", "Help.", native_histogram_bucket_factor=2.0,
                              registry=registry))
        pe.Gauge("zero", "Z.", registry=registry).set(0)  # a 0.0 double: eight NUL bytes
        data = exposition.generate_protobuf(registry)
        assert isinstance(data, bytes) and b"\x00" in data
        first, second = delimited_messages(data)
        assert first.startswith(b"\x0a\x04name")  # field 1 (name), length 4
        assert second.startswith(b"\x0a\x04zero")
        assert data[0] == len(first)

    def test_negotiation(self):
        assert exposition.choose_encoder(PROTOBUF_ACCEPT) == (
            exposition.generate_protobuf, PROTOBUF_CONTENT_TYPE)
        encoder, content_type = exposition.choose_encoder(OPENMETRICS_2_ACCEPT)
        # OpenMetrics 2.0 names are UTF-8 unless the scraper asks for an escaping.
        assert content_type == OPENMETRICS_2_CONTENT_TYPE
        assert encoder.func is openmetrics.generate_latest
        assert encoder.keywords == {"version": "2.0.0", "escaping": openmetrics.ALLOWUTF8}
        # Only a header that names them exactly gets the two newer formats.
        for accept in ("*/*", "application/*", "application/vnd.google.protobuf",
                       "application/openmetrics-text"):
            assert exposition.choose_encoder(accept)[1] in (
                exposition.CONTENT_TYPE_PLAIN_0_0_4,
                openmetrics.CONTENT_TYPE_LATEST + "; escaping=underscores"), accept

    def test_wsgi_answers_protobuf_and_openmetrics_2(self, registry):
        observed(pe.Histogram("name", "Help.", native_histogram_bucket_factor=2.0,
                              registry=registry))
        pe.Gauge("zero", "Z.", registry=registry).set(0)
        expected = exposition.generate_protobuf(registry)
        server, thread = pe.start_wsgi_server(0, addr="127.0.0.1", registry=registry)
        url = f"http://127.0.0.1:{server.server_port}/metrics"
        try:
            status, headers, body = http_get(url, headers={"Accept": PROTOBUF_ACCEPT})
            assert status == 200
            assert headers["Content-Type"] == PROTOBUF_CONTENT_TYPE
            assert body == expected
            _, headers, body = http_get(url, headers={"Accept": PROTOBUF_ACCEPT,
                                                      "Accept-Encoding": "gzip"})
            assert headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(body) == expected
            _, headers, body = http_get(url + "?name[]=zero", headers={"Accept": PROTOBUF_ACCEPT})
            [message] = delimited_messages(body)
            assert message.startswith(b"\x0a\x04zero")
            _, headers, body = http_get(url, headers={"Accept": OPENMETRICS_2_ACCEPT})
            assert headers["Content-Type"] == OPENMETRICS_2_CONTENT_TYPE
            assert body.decode().startswith("# TYPE name histogram\n# HELP name Help.\n"
                                            "name {count:5,")
        finally:
            server.shutdown()
            thread.join(5)

    def test_the_library_exporter_answers_protobuf(self, registry):
        observed(pe.Histogram("name", "Help.", native_histogram_bucket_factor=2.0,
                              registry=registry))
        server, _ = pe.start_http_server(0, addr="127.0.0.1", registry=registry)
        try:
            status, headers, body = http_get(f"http://127.0.0.1:{server.server_port}/metrics",
                                             headers={"Accept": PROTOBUF_ACCEPT})
        finally:
            server.shutdown()
        assert status == 200
        assert headers["Content-Type"] == PROTOBUF_CONTENT_TYPE
        assert body == exposition.generate_protobuf(registry)


class TestCustomCollectors:
    """A custom collector's NativeHistogram samples reach the exposition with their buckets."""

    @staticmethod
    def native(samples):
        """The native histogram of the five observations, in ``samples``' types."""
        return samples.NativeHistogram(
            count_value=5, sum_value=7.25, schema=0, zero_threshold=2.0 ** -128, zero_count=1,
            pos_spans=[samples.BucketSpan(1, 2)], neg_spans=[samples.BucketSpan(0, 1)],
            pos_deltas=[1, 1], neg_deltas=[1])

    @pytest.mark.parametrize("module", ["prometheus_emulator", "prometheus_client"])
    def test_native_only_series(self, registry, module):
        core = importlib.import_module(f"{module}.metrics_core")
        native = self.native(importlib.import_module(f"{module}.samples"))

        class Collector:
            def collect(self):
                family = core.HistogramMetricFamily("custom", "C.", labels=["shard"])
                family.add_sample("custom", {"shard": "1"}, None, native_histogram=native)
                yield family

        registry.register(Collector())
        om2 = openmetrics.generate_latest(registry, version="2.0.0").decode()
        assert om2 == (
            "# TYPE custom histogram\n# HELP custom C.\n"
            'custom{shard="1"} {count:5,sum:7.25,schema:0,zero_threshold:2.938735877055719e-39,'
            "zero_count:1,negative_spans:[0:1],negative_buckets:[1],"
            "positive_spans:[1:2],positive_buckets:[1,2]}\n# EOF\n")
        # Without native support: the count in one +Inf bucket.
        [family] = parse_text(pe.generate_latest(registry).decode())
        assert [(s.name, s.labels, s.value) for s in family.samples] == [
            ("custom_bucket", {"shard": "1", "le": "+Inf"}, 5.0),
            ("custom_count", {"shard": "1"}, 5.0), ("custom_sum", {"shard": "1"}, 7.25)]

    def test_classic_buckets_given_too_are_kept(self, registry):
        class Collector:
            def collect(self):
                family = pe.HistogramMetricFamily("custom", "C.",
                                                  buckets=[("1", 2), ("+Inf", 5)], sum_value=7.25)
                family.add_sample("custom", {}, None,
                                  native_histogram=TestCustomCollectors.native(pe.samples))
                yield family

        registry.register(Collector())
        [family] = parse_text(pe.generate_latest(registry).decode())
        assert [(s.name, s.labels.get("le"), s.value) for s in family.samples] == [
            ("custom_bucket", "1.0", 2.0), ("custom_bucket", "+Inf", 5.0),
            ("custom_count", None, 5.0), ("custom_sum", None, 7.25)]
        om2 = openmetrics.generate_latest(registry, version="2.0.0").decode()
        assert ",positive_spans:[1:2],positive_buckets:[1,2],bucket:[1.0:2,+Inf:5]}" in om2

    def test_spans_with_gaps_and_a_bad_native_histogram(self, registry):
        native = pe.samples.NativeHistogram(
            count_value=7, sum_value=1.0, schema=3, zero_threshold=0.0, zero_count=0,
            pos_spans=[pe.samples.BucketSpan(-2, 2), pe.samples.BucketSpan(3, 1)],
            neg_spans=[], pos_deltas=[1, 1, 2], neg_deltas=[])

        class Collector:
            def __init__(self, native):
                self.native = native

            def collect(self):
                family = pe.HistogramMetricFamily("gaps", "G.")
                family.add_sample("gaps", {}, None, native_histogram=self.native)
                yield family

        collector = Collector(native)
        registry.register(collector)
        om2 = openmetrics.generate_latest(registry, version="2.0.0").decode()
        # Keys -2 and -1 (counts 1 and 2), then key 3 (count 4), three keys after key 0.
        assert "positive_spans:[-2:2,3:1],positive_buckets:[1,2,4]}" in om2
        collector.native = native._replace(pos_deltas=[1])
        with pytest.raises(ValueError, match="more buckets than its deltas"):
            pe.generate_latest(registry)

    def test_the_sample_types_mirror_prometheus_client(self):
        from prometheus_client import samples
        assert NativeHistogram._fields == samples.NativeHistogram._fields
        assert BucketSpan._fields == samples.BucketSpan._fields
        assert pe.samples.Sample._fields == samples.Sample._fields
