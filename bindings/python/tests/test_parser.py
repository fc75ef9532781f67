"""prometheus_emulator.parser: Prometheus text format 0.0.4 read as prometheus_client.parser
reads it. Each test pins one behaviour of prometheus_client's parser (the facts of its tests,
checked here on our own texts)."""

import io
import math

import pytest

from prometheus_emulator.metrics_core import (
    CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric, SummaryMetricFamily,
)
from prometheus_emulator.parser import text_fd_to_metric_families, text_string_to_metric_families
from prometheus_emulator.samples import Sample


def parse(text):
    return list(text_string_to_metric_families(text))


def test_counter_family_drops_total_and_samples_keep_it():
    assert parse("# TYPE jobs_total counter\n# HELP jobs_total Jobs.\njobs_total 3\n") == [
        CounterMetricFamily("jobs", "Jobs.", value=3)]
    # Without _total in the TYPE line, the samples get it.
    assert parse("# TYPE jobs counter\njobs 3\n") == [CounterMetricFamily("jobs", "", value=3)]


def test_gauge_and_help_before_type():
    assert parse("# HELP t Temp.\n# TYPE t gauge\nt -2.5\n") == [
        GaugeMetricFamily("t", "Temp.", value=-2.5)]


def test_values_are_ints_when_written_as_integers():
    samples = parse("a 7\nb 7.0\nc 18446744073709551617\nd -0\n")
    values = [family.samples[0].value for family in samples]
    assert [type(v) for v in values] == [int, float, int, int]
    assert values == [7, 7.0, 18446744073709551617, 0]


def test_special_values():
    families = parse("a NaN\nb +Inf\nc -Inf\nd 1e-3\n")
    assert math.isnan(families[0].samples[0].value)
    assert [f.samples[0].value for f in families[1:]] == [math.inf, -math.inf, 0.001]


def test_summary_and_histogram():
    text = ("# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_count 2\ns_sum 3\n"
            "# TYPE h histogram\nh_bucket{le=\"1.0\"} 0\nh_bucket{le=\"+Inf\"} 3\n"
            "h_count 3\nh_sum 2\n")
    summary = SummaryMetricFamily("s", "", count_value=2, sum_value=3)
    summary.samples.insert(0, Sample("s", {"quantile": "0.5"}, 1))
    assert parse(text) == [
        summary,
        HistogramMetricFamily("h", "", sum_value=2, buckets=[("1.0", 0), ("+Inf", 3)]),
    ]


def test_samples_without_type_are_unknown_families_of_their_own():
    families = parse("a 1\na 2\n")
    assert [(f.name, f.type, len(f.samples)) for f in families] == [
        ("a", "unknown", 1), ("a", "unknown", 1)]
    # A sample the current family does not take starts one too.
    families = parse("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_created 5\n")
    assert [(f.name, f.type) for f in families] == [("h", "histogram"), ("h_created", "unknown")]


def test_untyped_is_unknown():
    assert parse("# TYPE a untyped\na 1\n")[0].type == "unknown"


def test_labels_escapes_order_and_braces_in_values():
    family = parse('a{z="1",b="x\\"y\\\\z\\n",c="{}"} 1\n')[0]
    assert list(family.samples[0].labels.items()) == [
        ("z", "1"), ("b", 'x"y\\z\n'), ("c", "{}")]
    # A backslash before anything else stays.
    assert parse('a{b="\\q"} 1\n')[0].samples[0].labels == {"b": "\\q"}


def test_help_escapes():
    assert parse("# HELP a x\\ny\\\\z\\\"\na 1\n")[0].documentation == 'x\ny\\z\\"'
    assert parse("# HELP a\na 1\n")[0].documentation == ""


def test_timestamps_are_milliseconds_in_seconds():
    families = parse("a 1 1500\nb 1 -2\nc 1 1.5e3\n")
    assert [f.samples[0].timestamp for f in families] == [1.5, -0.002, 1.5]
    assert type(families[0].samples[0].timestamp) is float


def test_tokens_between_value_and_timestamp_are_ignored():
    assert parse("a 1 ignored 2000\n")[0].samples[0].timestamp == 2.0


def test_whitespace_tabs_comments_and_blank_lines():
    families = parse("\n  # just a comment\n#\n\ta\t1\t\n\n b  2 \n")
    assert [(f.name, f.samples[0].value) for f in families] == [("a", 1), ("b", 2)]


def test_utf8_names_quoted():
    text = ('# HELP "http.requests" Requests.\n# TYPE "http.requests" counter\n'
            '{"http.requests", "http.method"="GET"} 4\n')
    family = parse(text)[0]
    assert (family.name, family.type) == ("http.requests", "counter")
    assert family.samples == [Sample("http.requests_total", {"http.method": "GET"}, 4)]


def test_empty_text_has_no_families():
    assert parse("") == []


@pytest.mark.parametrize("text", [
    "a{b=c} 1\n",                 # unquoted value
    'a{b="c} 1\n',                # unterminated value
    'a{b="c",b="d"} 1\n',         # duplicate label
    'a{b="c",,d="e"} 1\n',        # double comma
    'a{__b="c"} 1\n',             # reserved label name
    'a{__name__="b"} 1\n',        # name twice
    '{b="c"} 1\n',                # no name at all
    "a\n",                        # no value
    "a x\n",                      # not a number
    "a 1_0\n",                    # underscores
    "a 1 x\n",                    # bad timestamp
    "0a 1\n",                     # bad metric name
    "# TYPE a\n",                 # TYPE without a type
    "# TYPE a meh\na 1\n",        # unknown type
    "# HELP 0a x\n",              # bad name in HELP
])
def test_invalid_input_raises_value_error(text):
    with pytest.raises(ValueError):
        parse(text)


def test_error_message_names_the_line():
    with pytest.raises(ValueError, match=r"line 2: Invalid labels"):
        parse("a 1\nb{c=d} 1\n")


def test_generator_yields_families_before_the_error():
    families = text_string_to_metric_families("a 1\nb 2\nc{ 3\n")
    assert next(families).name == "a"
    assert next(families).name == "b"
    with pytest.raises(ValueError):
        next(families)


def test_generator_is_lazy():
    # Nothing is parsed (and nothing raised) until the first family is asked for.
    families = text_string_to_metric_families("a{\n")
    with pytest.raises(ValueError):
        next(families)


def test_fd():
    fd = io.StringIO("# TYPE a gauge\na 1\n")
    assert list(text_fd_to_metric_families(fd)) == [GaugeMetricFamily("a", "", value=1)]


def test_metric_objects_are_the_packages():
    family = parse("a 1\n")[0]
    assert isinstance(family, Metric)
    assert isinstance(family.samples[0], Sample)
