"""Every Python example of the seed document, run unchanged, with its output checked.

The seed document (``../shared/seed/`` beside the repository) is the binding's contract. Its
``python`` code blocks are extracted when the tests run, each under the heading it follows, and
each is run as a script in a fresh interpreter with the installed package. How, and why:

* **One interpreter per example.** The examples reuse metric names with different labels
  (``http_requests_total`` without labels in "Counter Metrics", with ``method`` and ``status`` in
  "Counter with Labels"); metrics register themselves in ``REGISTRY`` as in prometheus_client,
  which refuses a second metric of the same name, so one shared interpreter would fail where a
  reader trying the examples one by one would not.
* **The reader's imports come along.** Some examples use ``time`` without importing it ("Using
  Decorator", "HTTP Server", "Pushgateway Support"): they rely on an earlier example's ``import
  time``, as a reader running them in one session would. Each example therefore starts with the
  names imported by the examples before it in the document (only their ``import`` statements,
  nothing else), passed to ``runpy.run_path`` as initial globals. The example's file is the code
  block byte for byte, so tracebacks point at its own lines.
* **Examples that serve forever or push.** "HTTP Server" starts the exporter on port 8000 and
  loops forever: it runs as a subprocess, ``/metrics`` on port 8000 is scraped while it runs,
  then it is terminated. "Complete Application Example" serves its own registry on port 8000
  while it handles 100 simulated requests: it is scraped during the run (its registry, not the
  default one, must be served) and its printed summary is checked against its printed requests.
  "Pushgateway Support" pushes to ``localhost:9091``: Debian's ``prometheus-pushgateway`` is
  started on 127.0.0.1:9091 for it (the test fails with "run make deps" when it is missing) and
  the pushed value is read back from the gateway.
* **Best Practices.** "Label Usage" ends with a call the document marks ``# BAD``: a label name
  the counter does not have. The documented error is ``ValueError`` (prometheus_client's, with
  "Incorrect label names"), raised at that line after the good call succeeded. "Metric Naming"
  is a list of names, not a program: running it stops at its first line with ``NameError``, as
  it would for any reader; each listed name is checked to be accepted by the library as the type
  its comment gives.

Outputs are checked as the document states them. Where the document shows an integer (``#
Output: 2``) for a counter, the binding prints the float ``2.0``, as prometheus_client's values
are floats: the comparison is numeric. When the seed directory is missing the tests fail under
CI and are skipped with a plain message otherwise.
"""

import ast
import os
import re
import subprocess
import sys
import time
from collections import Counter as Tally

import pytest

import prometheus_emulator
from conftest import (
    REPOSITORY, http_get, start_pushgateway, stop_pushgateway, wait_for_port,
    wait_until_free,
)

SEED_DIR = REPOSITORY.parent / "shared" / "seed"

# Runs example.py (argv[1]) with the earlier examples' imports (argv[2]) as initial globals.
RUNNER = """
import runpy, sys
path, imports = sys.argv[1], sys.argv[2]
session = {}
exec(compile(imports, "<imports of the earlier examples>", "exec"), session)
session.pop("__builtins__", None)
sys.argv = [path]
runpy.run_path(path, init_globals=session, run_name="__main__")
"""


class Example:
    """One python code block of the seed, with the imports of the blocks before it."""

    def __init__(self, title, code, imports):
        self.title = title
        self.code = code
        self.imports = imports

    def __repr__(self):
        return f"Example({self.title!r})"


def _imports_of(code):
    """The top-level import statements of a code block ("" when it is not valid Python)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    return [ast.unparse(node) for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom))]


def _extract():
    """Every ``python`` block of the seed files, titled by the heading above it."""
    if not SEED_DIR.is_dir():
        return None
    examples = []
    earlier_imports = []
    for path in sorted(SEED_DIR.iterdir()):
        if not path.is_file():
            continue
        heading, block = None, None
        for line in path.read_text(encoding="utf-8").splitlines():
            if block is not None:
                if line.strip() == "```":
                    code = "\n".join(block) + "\n"
                    title = heading or path.name
                    titles = [e.title for e in examples]
                    if title in titles:
                        title = f"{title} ({titles.count(title) + 1})"
                    examples.append(Example(title, code, "\n".join(earlier_imports)))
                    earlier_imports.extend(_imports_of(code))
                    block = None
                else:
                    block.append(line)
            elif line.strip() == "```python":
                block = []
            elif line.startswith("#"):
                heading = line.lstrip("#").strip()
    return examples


EXAMPLES = _extract()


def require_seed():
    """The examples; fails under CI and skips otherwise when the seed directory is missing."""
    if EXAMPLES is None:
        message = f"the seed directory {SEED_DIR} is missing: the seed examples could not run"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return EXAMPLES


def example(title):
    for candidate in require_seed():
        if candidate.title == title:
            return candidate
    pytest.fail(f"the seed has no python example under the heading {title!r}")


def start(example_, workdir):
    """Starts an example as a script; returns the process (text mode, pipes)."""
    script = workdir / "example.py"
    script.write_text(example_.code, encoding="utf-8")
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(script), example_.imports], cwd=workdir, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")


def run(example_, workdir, timeout=60):
    """Runs an example to completion: ``(returncode, stdout, stderr)``."""
    process = start(example_, workdir)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"{example_.title} did not finish in {timeout} s:\n{out}\n{err}")
    return process.returncode, out, err


def run_ok(example_, workdir, timeout=60):
    returncode, out, err = run(example_, workdir, timeout)
    assert returncode == 0, f"{example_.title} failed:\n{err}"
    assert err == "", err
    return out


def number(text):
    return float(re.fullmatch(r"\s*(-?[0-9.]+(?:e[-+]?\d+)?)\s*", text).group(1))


def printed(out, prefix, suffix=""):
    """The number printed on the line ``<prefix><number><suffix>``."""
    pattern = re.escape(prefix) + r"(\S+?)" + re.escape(suffix) + r"$"
    for line in out.splitlines():
        match = re.match(pattern, line)
        if match:
            return number(match.group(1))
    raise AssertionError(f"no line {prefix!r}...{suffix!r} in:\n{out}")


def shows(printed_value, value, decimals=3):
    """Whether ``printed_value`` is ``value`` printed with ``decimals`` decimals (either way
    of rounding a tie)."""
    return abs(printed_value - value) <= 0.5 * 10 ** -decimals + 1e-12


# ----- the examples that run to completion and print -------------------------------------------

def check_counter(out):
    assert out == "Total requests: 6.0\n"


def check_counter_with_labels(out):
    assert printed(out, "GET 200 requests: ") == 2     # "# Output: 2"
    assert printed(out, "POST 201 requests: ") == 1    # "# Output: 1"
    assert len(out.splitlines()) == 2


def check_gauge(out):
    assert out == "Temperature: 22.0°C\n"              # set 22.5, +0.5, -1.0: "Now 22.0"


def check_gauge_with_labels(out):
    assert out == "Office temperature: 22.5°C\n"


def check_silent(out):
    assert out == ""


def check_histogram(out):
    assert out.splitlines()[0] == "Total requests: 4"
    assert shows(printed(out, "Average duration: ", "s"), (0.025 + 0.150 + 0.500 + 2.000) / 4)


def check_histogram_with_labels(out):
    match = re.fullmatch(r"GET /api/users - Count: (\d+), Avg: ([0-9.]+)s\n", out)
    assert match, out
    assert int(match.group(1)) == 2
    assert shows(float(match.group(2)), (0.025 + 0.150) / 2)


def check_summary(out):
    assert printed(out, "Requests: ") == 6
    assert out.splitlines()[0] == "Requests: 6"
    assert printed(out, "Total size: ", " bytes") == 1040
    # Six observations: 100 150 180 190 200 220. The median is 180 or 190 within the default
    # objective's rank error (0.05); the 95th percentile is the largest.
    assert printed(out, "Median: ", " bytes") in (180, 190)
    assert printed(out, "95th percentile: ", " bytes") == 220


def check_registry(out):
    # The custom registry holds exactly the two metrics registered in it, written as
    # prometheus_client writes them: registration order, floats, the counter's _created family.
    created = re.search(r"^requests_created (\S+)$", out, flags=re.M)
    assert created and float(created.group(1)) > 1.6e9, out
    assert out == (
        "# HELP requests_total Request count\n"
        "# TYPE requests_total counter\n"
        "requests_total 1.0\n"
        "# HELP requests_created Request count\n"
        "# TYPE requests_created gauge\n"
        f"requests_created {created.group(1)}\n"
        "# HELP memory_usage Memory usage in MB\n"
        "# TYPE memory_usage gauge\n"
        "memory_usage 512.0\n"
        "\n"
    )


def check_global_registry(out):
    # generate_latest() returns bytes, as prometheus_client's does; the example prints them.
    assert out.startswith("b'") and out.endswith("'\n")
    text = ast.literal_eval(out.strip()).decode()
    assert "# TYPE requests_total counter\nrequests_total 0.0\n" in text
    assert "process_cpu_seconds_total" in text  # the default registry's process collector


def check_timer(out):
    assert 0.1 <= printed(out, "Duration recorded: ", "s") < 1.0


def check_decorator(out):
    assert out == "Processed 5 items\n"


def check_info(out):
    assert out == "Version: 1.2.3\n"


CHECKS = {
    "Counter Metrics": check_counter,
    "Counter with Labels": check_counter_with_labels,
    "Gauge Metrics": check_gauge,
    "Gauge with Labels": check_gauge_with_labels,
    "Set Gauge to Current Time": check_silent,
    "Histogram Metrics": check_histogram,
    "Histogram with Labels": check_histogram_with_labels,
    "Summary Metrics": check_summary,
    "Registry": check_registry,
    "Global Registry": check_global_registry,
    "Using Timer Context Manager": check_timer,
    "Using Decorator": check_decorator,
    "Info Metrics": check_info,
    "Enum Metrics": check_silent,
    "Metric Types": check_silent,
    "Integration": check_silent,
}

# Examples with tests of their own below.
SPECIAL = {"HTTP Server", "Pushgateway Support", "Complete Application Example",
           "Metric Naming", "Label Usage"}


def _ordinary():
    if EXAMPLES is None:  # one test that reports the missing seed (never an empty parameter set)
        return [None]
    return [e for e in EXAMPLES if e.title not in SPECIAL]


def test_seed_is_present():
    """The seed directory exists and holds the examples this module knows."""
    titles = {e.title for e in require_seed()}
    assert titles >= set(CHECKS) | SPECIAL, (set(CHECKS) | SPECIAL) - titles


@pytest.mark.parametrize("example_", _ordinary(), ids=lambda e: e.title if e else "seed")
def test_example(example_, workdir):
    """The example runs unchanged and prints what the document says."""
    require_seed()
    out = run_ok(example_, workdir)
    check = CHECKS.get(example_.title)
    if check is not None:  # an example the document added later at least runs
        check(out)


# ----- examples that serve, push, or are meant to fail -----------------------------------------

COMPLETE_APPLICATION = "Complete Application Example"


class BackgroundRun:
    """The complete application example, started when the test session starts.

    It spends about 25 s in its simulated requests (100 random sleeps of 10 to 500 ms), so it
    runs while the other test modules do, and ``test_complete_application`` collects it. Its
    registry is scraped from port 8000 once it serves.
    """

    def __init__(self, workdir):
        self.example = example(COMPLETE_APPLICATION)
        wait_until_free(8000)
        self.process = start(self.example, workdir)
        wait_for_port(8000, process=self.process)
        time.sleep(0.6)  # a few requests in
        self.scrape = http_get("http://localhost:8000/metrics",
                               headers={"Accept": "application/openmetrics-text"})

    def finish(self, timeout=90):
        """``(returncode, stdout, stderr)`` once the example has ended."""
        try:
            out, err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
        return self.process.returncode, out, err

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def test_complete_application(complete_application_run):
    """"Complete Application Example": 100 requests, its registry served on port 8000."""
    require_seed()
    run_ = complete_application_run
    status, _, body = run_.scrape
    returncode, out, err = run_.finish()
    assert status == 200
    scraped = body.decode()
    assert "# TYPE active_connections gauge" in scraped
    assert "# TYPE http_request_duration_seconds histogram" in scraped
    assert scraped.endswith("# EOF\n")
    assert "process_cpu_seconds" not in scraped  # its own registry, not the default one
    assert returncode == 0, err
    assert err == ""
    lines = out.splitlines()
    requests = lines[:100]
    request_line = re.compile(r"(GET|POST|PUT|DELETE) (/api/\w+) -> (200|500)")
    assert all(request_line.fullmatch(line) for line in requests), requests
    assert lines[100:102] == ["", "=== Metrics Summary ==="]
    handled = Tally(tuple(request_line.fullmatch(line).groups()) for line in requests)
    get_users_ok = handled[("GET", "/api/users", "200")]
    users = sum(n for (method, endpoint, status), n in handled.items() if endpoint == "/api/users")
    assert lines[102:] == [f"Total requests: {float(get_users_ok)}",
                           "Active connections: 0.0",
                           f"Request count: {users}"]


def test_http_server(workdir):
    """"HTTP Server": port 8000 serves the default registry while the example loops."""
    example_ = example("HTTP Server")
    wait_until_free(8000, timeout=90)  # the complete application example may still serve
    process = start(example_, workdir)
    try:
        wait_for_port(8000, process=process)
        # The loop increments once a second, starting at once.
        status, headers, body = http_get("http://localhost:8000/metrics")
        assert status == 200
        assert headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        text = body.decode()
        assert "# TYPE app_requests_total counter" in text
        assert re.search(r"^app_requests_total [1-9]", text, re.M), text
        assert "process_cpu_seconds_total" in text
        time.sleep(1.2)
        _, _, later = http_get("http://localhost:8000/metrics")
        first = number(re.search(r"^app_requests_total (\S+)", text, re.M).group(1))
        second = number(re.search(r"^app_requests_total (\S+)", later.decode(), re.M).group(1))
        assert second > first
        assert process.poll() is None, "the example stopped serving"
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert out == ""
    wait_until_free(8000, timeout=10)  # terminating the example frees the port


def test_pushgateway(workdir):
    """"Pushgateway Support": the pushed counter arrives at the gateway on localhost:9091."""
    example_ = example("Pushgateway Support")
    wait_until_free(9091)
    gateway = start_pushgateway(9091)
    try:
        out = run_ok(example_, workdir)
        assert out == ""
        pushed = gateway.samples("batch_job_duration_seconds_total", job="batch_job")
        assert len(pushed) == 1
        assert 0 <= pushed[0].value < 5
        assert gateway.samples("push_time_seconds", job="batch_job")
    finally:
        stop_pushgateway(gateway)


def test_label_usage_raises_the_documented_error(workdir):
    """"Label Usage": the good call works, the line marked BAD raises ValueError."""
    example_ = example("Label Usage")
    returncode, out, err = run(example_, workdir)
    assert returncode == 1
    assert out == ""
    bad_line = next(number for number, line in enumerate(example_.code.splitlines(), 1)
                    if "# BAD" in line)
    assert f'example.py", line {bad_line}, in <module>' in err
    assert err.splitlines()[-1].startswith("ValueError: Incorrect label names"), err


def test_metric_naming_lists_valid_names(workdir):
    """"Metric Naming" lists names, each accepted by the library as the type its comment says."""
    example_ = example("Metric Naming")
    returncode, _, err = run(example_, workdir)
    listed = re.findall(r"^(\w+)\s+#\s*(\w+)\s*$", example_.code, re.M)
    assert len(listed) == 4
    assert returncode == 1
    assert err.splitlines()[-1] == f"NameError: name '{listed[0][0]}' is not defined"
    kinds = {"Counter": prometheus_emulator.Counter, "Gauge": prometheus_emulator.Gauge,
             "Histogram": prometheus_emulator.Histogram}
    for name, kind in listed:
        kinds.get(kind, prometheus_emulator.Gauge)(name, "listed in the seed", registry=None)
