"""The Python examples of bindings/python/README.md run as written."""

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def examples():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 3, "the quick start, the native histogram and the lifecycle examples"
    return blocks


def run(block, directory):
    result = subprocess.run([sys.executable, "-c", block], cwd=directory, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_quick_start_runs(tmp_path):
    lines = run(examples()[0], tmp_path)
    assert lines[:2] == ["1.0", "2.0"]
    assert 'http_requests_total{method="GET",status="200"} 1.0' in lines
    assert re.fullmatch(r"serving http://localhost:\d+/metrics", lines[-1])


def test_native_histogram_example_runs(tmp_path):
    lines = run(examples()[1], tmp_path)
    assert lines[0] == "# TYPE rpc_duration_seconds histogram"
    assert any(line.startswith('rpc_duration_seconds{method="get"} {count:1,sum:0.042,schema:3,')
               and ",positive_spans:[-36:1],positive_buckets:[1]} st@" in line for line in lines)
    assert lines[-2:] == ["# EOF", ""]


def test_series_lifecycle_example_runs(tmp_path):
    lines = run(examples()[2], tmp_path)
    assert lines == [
        "# HELP shard_queue_depth Messages waiting",
        "# TYPE shard_queue_depth gauge",
        'shard_queue_depth{queue="mail",service="api",shard="3"} 7.0',
        "",
        "# HELP shard_queue_depth Messages waiting",
        "# TYPE shard_queue_depth gauge",
        "",
    ]
