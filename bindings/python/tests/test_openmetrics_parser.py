"""prometheus_emulator.openmetrics.parser: OpenMetrics 1.0 read as
prometheus_client.openmetrics.parser reads it, checks and all. Each test pins one behaviour of
prometheus_client's parser (the facts of its tests, checked here on our own texts)."""

import math

import pytest

from prometheus_emulator.metrics_core import (
    CounterMetricFamily, GaugeHistogramMetricFamily, GaugeMetricFamily, HistogramMetricFamily,
    InfoMetricFamily, Metric, StateSetMetricFamily,
)
from prometheus_emulator.openmetrics.parser import text_string_to_metric_families
from prometheus_emulator.samples import Exemplar, Sample, Timestamp


def parse(text):
    return list(text_string_to_metric_families(text))


def test_counter_gauge_unit():
    text = ("# TYPE c counter\n# HELP c Things.\nc_total 1\nc_created 1.5\n"
            "# TYPE g_bytes gauge\n# UNIT g_bytes bytes\ng_bytes 9223372036854775808\n# EOF\n")
    counter = CounterMetricFamily("c", "Things.", value=1, created=1.5)
    assert parse(text) == [counter, GaugeMetricFamily("g_bytes", "", value=2**63, unit="bytes")]


def test_eof_without_newline_and_no_metadata():
    family = parse("a 1\n# EOF")[0]
    expected = Metric("a", "", "unknown")
    expected.add_sample("a", {}, 1)
    assert family == expected


def test_histogram_with_exemplars_and_timestamps():
    text = ('# TYPE h histogram\nh_bucket{le="1.0"} 0 # {id="x"} 0.5\n'
            'h_bucket{le="+Inf"} 2 # {id="y"} 4 12.5\nh_count 2\nh_sum 4.5\n# EOF\n')
    expected = HistogramMetricFamily("h", "")
    expected.add_sample("h_bucket", {"le": "1.0"}, 0, None, Exemplar({"id": "x"}, 0.5))
    expected.add_sample("h_bucket", {"le": "+Inf"}, 2, None,
                        Exemplar({"id": "y"}, 4, Timestamp(12, 500000000)))
    expected.add_sample("h_count", {}, 2)
    expected.add_sample("h_sum", {}, 4.5)
    assert parse(text) == [expected]


def test_gaugehistogram_info_stateset():
    text = ('# TYPE q gaugehistogram\nq_bucket{le="-1.0"} 1\nq_bucket{le="+Inf"} 3\n'
            'q_gcount 3\nq_gsum -2\n# TYPE i info\ni_info{v="1"} 1\n'
            '# TYPE s stateset\ns{s="a"} 1\ns{s="b"} 0\n# EOF\n')
    assert parse(text) == [
        GaugeHistogramMetricFamily("q", "", buckets=[("-1.0", 1), ("+Inf", 3)], gsum_value=-2),
        InfoMetricFamily("i", "", {"v": "1"}),
        StateSetMetricFamily("s", "", {"a": True, "b": False}),
    ]


def test_timestamps_are_timestamp_objects_or_floats():
    text = ("a 1 12\nb 1 12.000000001\nc 1 1.5e3\nd 1 -1.5\n"
            "e 1 12345678901234567890.1234567890\nf 1 1e3\n# EOF\n")
    stamps = [f.samples[0].timestamp for f in parse(text)]
    assert stamps == [Timestamp(12, 0), Timestamp(12, 1), 1500.0, Timestamp(-1, 500000000),
                      Timestamp(12345678901234567890, 123456789), 1000.0]
    assert type(stamps[2]) is float


def test_repeated_series_with_the_same_timestamp_is_dropped():
    text = "a 1 1.0000000001\na 2 1.0000000009\na 3 2\n# EOF\n"
    assert [s.value for s in parse(text)[0].samples] == [1, 3]


def test_help_escapes_include_quotes_and_nul_is_kept():
    assert parse('# HELP a x\\"y\\nz\\q\n# EOF\n')[0].documentation == 'x"y\nz\\q'
    assert parse("# HELP a he\0lp\n# EOF\n")[0].documentation == "he\0lp"


def test_hash_in_label_values():
    family = parse('# TYPE a counter\na_total{x="p # q"} 1 # {e="r # s"} 1\n# EOF\n')[0]
    assert family.samples == [Sample("a_total", {"x": "p # q"}, 1, None,
                                     Exemplar({"e": "r # s"}, 1))]


def test_nan_values():
    assert math.isnan(parse("a NaN\n# EOF\n")[0].samples[0].value)


@pytest.mark.parametrize("text", [
    "",                                                      # no EOF
    "a 1\n",                                                 # no EOF
    "a 1\n\n# EOF\n",                                        # blank line
    "a 1\n# EOF\nb 1\n",                                     # after EOF
    "# EOF\n\n",                                             # blank line after EOF
    "a{b=1} 1\n# EOF\n",
    'a{b="1",} 1\n# EOF\n',                                  # trailing comma
    'a{,b="1"} 1\n# EOF\n',                                  # leading comma
    "a  1\n# EOF\n",                                         # two spaces
    "a 1 \n# EOF\n",                                         # trailing space
    "a 0x1\n# EOF\n",
    "a 1 NaN\n# EOF\n",                                      # NaN timestamp
    "# HELP a\n# EOF\n",
    "# TYPE a untyped\n# EOF\n",
    "# TYPE a meh\n# EOF\n",
    "# UNIT a seconds\n# EOF\n",                             # unit not in the name
    "# TYPE a_u info\n# UNIT a_u u\n# EOF\n",                # no units on info
    "# HELP a x\n# HELP a y\n# EOF\n",                       # two HELPs
    "# TYPE a gauge\na 1\n# HELP a x\n# EOF\n",              # metadata after samples
    "# FOO a x\n# EOF\n",
    "a.b 1\n# EOF\n",
    '# TYPE a histogram\na_bucket{le="1.0"} 1\n# EOF\n',     # no +Inf
    '# TYPE a histogram\na_bucket{le="2.0"} 1\na_bucket{le="1.0"} 1\n'
    'a_bucket{le="+Inf"} 1\n# EOF\n',                        # buckets out of order
    '# TYPE a histogram\na_bucket{le="1.0"} 2\na_bucket{le="+Inf"} 1\n# EOF\n',
    '# TYPE a histogram\na_bucket{le="+Inf"} 1\na_count 2\na_sum 1\n# EOF\n',
    '# TYPE a histogram\na_bucket{le="+Inf"} 1\na_sum 1\n# EOF\n',   # _sum without _count
    '# TYPE a histogram\na_bucket{le="-1.0"} 1\na_bucket{le="+Inf"} 1\na_count 1\n'
    'a_sum 1\n# EOF\n',                                      # _sum with negative buckets
    '# TYPE a histogram\na_bucket{le="+Inf"} 0.5\n# EOF\n',  # non-integer bucket
    '# TYPE a histogram\na_bucket{le="inf"} 1\n# EOF\n',     # uncanonical +Inf
    '# TYPE a histogram\na_bucket 1\n# EOF\n',               # no le
    "# TYPE a counter\na_total -1\n# EOF\n",
    "# TYPE a counter\na_total NaN\n# EOF\n",
    '# TYPE a summary\na{quantile="1.5"} 1\n# EOF\n',
    '# TYPE a summary\na{quantile="0.5"} -1\n# EOF\n',
    "# TYPE a stateset\na 1\n# EOF\n",                       # no state label
    '# TYPE a stateset\na{a="x"} 2\n# EOF\n',
    '# TYPE a info\na_info{x="y"} 2\n# EOF\n',
    '# TYPE a gauge\na 1 # {x="y"} 1\n# EOF\n',              # exemplar on a gauge
    '# TYPE a counter\na_total 1 # {x="' + "y" * 128 + '"} 1\n# EOF\n',  # exemplar too long
    '# TYPE a counter\na_total 1 # {x="y"}\n# EOF\n',        # exemplar without value
    'a{x="1"} 1\nb 1\na{x="2"} 1\n# EOF\n',                  # clashing name
    '# TYPE a gauge\na{x="1"} 1\na{x="2"} 1\na{x="1"} 1\n# EOF\n',  # grouping
    "a 1 2\na 1\n# EOF\n",                                   # timestamp presence mixed
    "a 1 2\na 1 1\n# EOF\n",                                 # timestamps backwards
    '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh {count:1,sum:1,schema:0,zero_threshold:0,'
    "zero_count:0}\n# EOF\n",                                # native histogram (unsupported)
])
def test_invalid_input_raises_value_error(text):
    with pytest.raises(ValueError):
        parse(text)


def test_error_message_names_the_line_and_families_before_it_are_yielded():
    families = text_string_to_metric_families("a 1\n# TYPE b gauge\nb{ 1\n# EOF\n")
    assert next(families).name == "a"
    with pytest.raises(ValueError, match=r"^line 3: "):
        next(families)
    with pytest.raises(ValueError, match="Missing # EOF"):
        parse("a 1\n")
