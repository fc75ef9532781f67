"""Pushing to a real Pushgateway (Debian's prometheus-pushgateway, started by the session)."""

import base64
import time

import pytest

import prometheus_emulator as pe
from prometheus_emulator import exposition
from conftest import free_port


def pushed(gateway, name, job, **labels):
    return [s.value for s in gateway.samples(name, job)
            if all(s.labels.get(k) == v for k, v in labels.items())]


def test_push_replaces_the_group(pushgateway, registry):
    c = pe.Counter("pushed_jobs", "Jobs.", registry=registry)
    c.inc(3)
    pe.push_to_gateway(pushgateway.address, job="py_push", registry=registry)
    assert pushed(pushgateway, "pushed_jobs_total", "py_push") == [3]
    c.inc()
    pe.push_to_gateway("http://" + pushgateway.address, "py_push", registry, timeout=5)
    assert pushed(pushgateway, "pushed_jobs_total", "py_push") == [4]


def test_grouping_keys_with_slashes_spaces_and_empty_values(pushgateway, registry):
    pe.Gauge("grouped", "G.", registry=registry).set(1)
    key = {"instance": "host/1 a", "zone": "", "plain": "x"}
    pe.push_to_gateway(pushgateway.address, "py_grouped", registry, grouping_key=key)
    assert pushed(pushgateway, "grouped", "py_grouped", **key) == [1]
    pe.delete_from_gateway(pushgateway.address, "py_grouped", grouping_key=key)
    assert pushed(pushgateway, "grouped", "py_grouped") == []


def test_pushadd_keeps_other_metrics(pushgateway):
    first, second = pe.CollectorRegistry(), pe.CollectorRegistry()
    pe.Gauge("first_metric", "F.", registry=first).set(1)
    pe.Gauge("second_metric", "S.", registry=second).set(2)
    pe.push_to_gateway(pushgateway.address, "py_pushadd", first)
    pe.pushadd_to_gateway(pushgateway.address, "py_pushadd", second)
    assert pushed(pushgateway, "first_metric", "py_pushadd") == [1]
    assert pushed(pushgateway, "second_metric", "py_pushadd") == [2]
    pe.push_to_gateway(pushgateway.address, "py_pushadd", second)  # PUT replaces the group
    assert pushed(pushgateway, "first_metric", "py_pushadd") == []


def test_custom_handler_and_compression(pushgateway, registry):
    pe.Gauge("handled_push", "H.", registry=registry).set(5)
    seen = []

    def handler(url, method, timeout, headers, data):
        seen.append((url, method, dict(headers)))
        return exposition.basic_auth_handler(url, method, timeout, headers, data, "u", "p")

    pe.push_to_gateway(pushgateway.address, "py/handled", registry, grouping_key={"a": "b"},
                       handler=handler, compression="gzip")
    encoded_job = base64.urlsafe_b64encode(b"py/handled").decode()
    assert seen == [(f"http://{pushgateway.address}/metrics/job@base64/{encoded_job}/a/b", "PUT",
                     {"Content-Type": "text/plain; version=0.0.4; charset=utf-8",
                      "Content-Encoding": "gzip"})]
    assert pushed(pushgateway, "handled_push", "py/handled", a="b") == [5]


def test_errors(pushgateway, registry):
    pe.Gauge("unreachable", "U.", registry=registry).set(1)
    started = time.monotonic()
    with pytest.raises(OSError):
        pe.push_to_gateway(f"127.0.0.1:{free_port()}", "py_refused", registry, timeout=2)
    assert time.monotonic() - started < 2
    with pytest.raises(ValueError):
        pe.push_to_gateway(pushgateway.address, "", registry)
    with pytest.raises(ValueError):
        pe.push_to_gateway(pushgateway.address, "j", registry, grouping_key={"bad name": "x"})
    # A gauge where the group already has a counter of that name: the gateway answers 400.
    other = pe.CollectorRegistry()
    pe.Counter("conflicting", "C.", registry=other).inc()
    pe.push_to_gateway(pushgateway.address, "py_conflict_a", other)
    clash = pe.CollectorRegistry()
    pe.Gauge("conflicting_total", "G.", registry=clash).set(1)
    with pytest.raises(OSError, match="400"):
        pe.push_to_gateway(pushgateway.address, "py_conflict_b", clash)
