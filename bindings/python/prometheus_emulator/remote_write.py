"""Pushing a registry to Prometheus with Remote Write, from the library's sender thread.

``RemoteWriteSender(url)`` starts the library's push sender (``pe_sender_start``): a thread of
the library's own that collects the registry every ``interval`` seconds, encodes it as Remote
Write 2.0 (falling back to 1.0 for good when the receiver answers 415) or 1.0, and sends it with
retries, a bounded queue and the sender's self-metrics (``prometheus_emulator_sender_*``). No
metric update ever waits for it::

    from prometheus_emulator.remote_write import RemoteWriteSender

    with RemoteWriteSender("http://prometheus:9090/api/v1/write",
                           external_labels={"job": "worker"}) as sender:
        ...                  # the program updates its metrics
        sender.flush()       # optional: send the current values now
    # leaving the block stops the sender: a last collection, sent within 5 s

``push_to_remote_write(url)`` is the one-shot form for batch jobs, as ``push_to_gateway`` is for
the Pushgateway. ``prometheus_emulator.otlp`` sends the same way to OTLP/HTTP receivers; its
``OTLPSender`` is this module's ``_Sender`` with the OTLP protocol.

Failures are exceptions: ``ValueError`` and ``TypeError`` for bad arguments (the library's
message when it is the library that refuses them), ``TimeoutError`` when a deadline passed with
batches unsent, ``RemoteWriteError`` when batches were rejected by the receiver or displaced from
a full queue. Running senders are stopped when the interpreter exits (``EXIT_TIMEOUT``).

Forked children: a child forked while a sender runs has no sender thread (it is the parent's).
There ``flush()`` and ``last_error`` raise ``ValueError``, ``stop()`` returns at once, having
removed the sender's self-metrics from the child's copy of the registry; the child starts a
sender of its own if it wants one. Nothing is done at the fork itself.
"""

import atexit
import math
import numbers
import operator
import os
import threading
from ctypes import byref, c_void_p, sizeof

from . import _lib
from ._lib import lib
from .registry import REGISTRY, CollectorRegistry

__all__ = ["RemoteWriteSender", "RemoteWriteError", "push_to_remote_write", "EXIT_TIMEOUT"]

EXIT_TIMEOUT = 2.0
"""Seconds each sender still running at interpreter exit has to send its last collection."""

_PROTOCOLS = {"2.0": _lib.PE_SENDER_REMOTE_WRITE, "1.0": _lib.PE_SENDER_REMOTE_WRITE_V1}


class RemoteWriteError(OSError):
    """Batches were dropped instead of delivered: the receiver rejected them (a 4xx other than
    429, whose status and body the message quotes) or a full queue displaced them.

    Also raised by ``prometheus_emulator.otlp`` senders (which name it ``OTLPError``). A missed
    deadline is a ``TimeoutError`` instead; both are ``OSError``.
    """


def _send_error(error):
    """The exception a failed ``pe_sender_flush`` or ``pe_sender_stop`` raises for the library's
    ``OSError`` (``_lib`` maps both of these statuses to it)."""
    status = getattr(error, "status", None)
    if status == _lib.PE_ERR_IO:  # the deadline passed with batches unsent
        return TimeoutError(*error.args)
    if status == _lib.PE_ERR_HTTP:  # batches rejected, or displaced from a full queue
        return RemoteWriteError(*error.args)
    return error


# ----- arguments -------------------------------------------------------------------------------

def _milliseconds(seconds, name):
    """A positive duration in seconds as the whole milliseconds of the options (at least 1, as
    0 would mean "the default")."""
    if isinstance(seconds, bool) or not isinstance(seconds, numbers.Real):
        raise TypeError(f"{name} must be a number of seconds, not {seconds!r}")
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"{name} must be a finite number of seconds above 0, not {seconds!r}")
    return max(1, round(seconds * 1000))


def _deadline(timeout):
    """The ``timeout_seconds`` of flush and stop: a number of seconds, None for no limit."""
    if timeout is None:
        return math.inf
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real):
        raise TypeError(f"timeout must be a number of seconds or None, not {timeout!r}")
    if math.isnan(timeout) or timeout < 0:
        raise ValueError(f"timeout must be 0 or more seconds (None for no limit), not "
                         f"{timeout!r}")
    return float(timeout)


def _count(value, name):
    """A queue bound: None for the default, else an int above 0."""
    if value is None:
        return 0
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int above 0 or None, not {value!r}")
    try:
        count = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int above 0 or None, not {value!r}") from None
    if count <= 0:
        raise ValueError(f"{name} must be above 0 (None for the default), not {count}")
    return count


def _text(value, name):
    """An optional string option: None, or a str."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None, not {value!r}")
    return _lib.encode(value)


def _pairs(mapping, name):
    """The key and value arrays of a dict option (str keys, values converted with ``str``)."""
    if mapping is None:
        mapping = {}
    if not hasattr(mapping, "items"):
        raise TypeError(f"{name} must be a dict, not {mapping!r}")
    keys = []
    values = []
    for key, value in mapping.items():
        if not isinstance(key, str):
            raise TypeError(f"{name}: a key must be a str, not {key!r}")
        keys.append(key)
        values.append(str(value))
    return _lib.str_array(keys), _lib.str_array(values), len(keys)


def _basic_auth(basic_auth):
    """``(user, password)`` of the options; None is no basic auth."""
    if basic_auth is None:
        return None, None
    try:
        user, password = basic_auth
    except (TypeError, ValueError):
        raise TypeError(f"basic_auth must be a (user, password) pair, not {basic_auth!r}") \
            from None
    return _text(user, "the basic_auth user"), _text(password, "the basic_auth password")


def _options(url, protocol, interval, timeout, connect_timeout, external_labels,
             resource_attributes, headers, basic_auth, bearer_token, ca_file, max_queue_bytes,
             max_queue_batches, destination):
    """A filled ``pe_sender_options``, and the arrays it points to (keep them for the call)."""
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, not {url!r}")
    label_names, label_values, n_labels = _pairs(external_labels, "external_labels")
    keys, key_values, n_keys = _pairs(resource_attributes, "resource_attributes")
    header_names, header_values, n_headers = _pairs(headers, "headers")
    user, password = _basic_auth(basic_auth)
    if ca_file is not None:
        ca_file = os.fsdecode(os.fspath(ca_file))
    options = _lib.pe_sender_options(
        struct_size=sizeof(_lib.pe_sender_options),
        url=_lib.encode(url),
        protocol=protocol,
        interval_ms=_milliseconds(interval, "interval"),
        timeout_ms=_milliseconds(timeout, "timeout"),
        connect_timeout_ms=_milliseconds(connect_timeout, "connect_timeout"),
        external_label_names=label_names, external_label_values=label_values,
        n_external_labels=n_labels,
        resource_attribute_keys=keys, resource_attribute_values=key_values,
        n_resource_attributes=n_keys,
        header_names=header_names, header_values=header_values, n_headers=n_headers,
        username=user, password=password,
        bearer_token=_text(bearer_token, "bearer_token"),
        ca_file=_lib.encode(ca_file),
        max_queue_bytes=_count(max_queue_bytes, "max_queue_bytes"),
        max_queue_batches=_count(max_queue_batches, "max_queue_batches"),
        destination=_text(destination, "destination"),
    )
    return options, (label_names, label_values, keys, key_values, header_names, header_values)


# ----- the sender ------------------------------------------------------------------------------

_RUNNING = set()  # senders not stopped yet: kept alive until stopped, stopped at exit
_running_lock = threading.Lock()


class _Sender:
    """A running ``pe_sender``: what ``RemoteWriteSender`` and ``otlp.OTLPSender`` share.

    ``protocol`` is a ``PE_SENDER_*`` code; ``kind`` names it in the ``repr``.
    """

    def __init__(self, url, registry, protocol, kind, *, interval, timeout, connect_timeout,
                 external_labels=None, resource_attributes=None, headers=None,
                 basic_auth=None, bearer_token=None, ca_file=None, max_queue_bytes=None,
                 max_queue_batches=None, destination=None):
        if registry is None:
            registry = REGISTRY
        if not isinstance(registry, CollectorRegistry):
            raise TypeError(f"registry must be a CollectorRegistry (the library collects it "
                            f"on its own thread), not {registry!r}")
        options, keep_alive = _options(
            url, protocol, interval, timeout, connect_timeout, external_labels,
            resource_attributes, headers, basic_auth, bearer_token, ca_file, max_queue_bytes,
            max_queue_batches, destination)
        handle = c_void_p()
        lib.pe_sender_start(registry._handle, byref(options), byref(handle))
        self._handle = handle
        self._registry = registry  # collected by the sender's thread: kept alive while it runs
        self._stopped = False
        self._kind = kind
        self.url = url
        with _running_lock:
            _RUNNING.add(self)

    def flush(self, timeout=5.0):
        """Collects now and waits until everything queued (this collection included) is sent.

        Returns True when every batch was delivered. Raises ``TimeoutError`` when ``timeout``
        seconds (None: no limit) passed first (what is unsent stays queued and is sent later),
        ``RemoteWriteError`` when batches were dropped meanwhile (rejected, or displaced from a
        full queue), ``ValueError`` once the sender is stopped or in a forked child. The
        library's message says how many batches and the receiver's last answer.
        """
        seconds = _deadline(timeout)
        try:
            lib.pe_sender_flush(self._handle, seconds)
        except OSError as error:
            raise _send_error(error) from None
        return True

    def stop(self, timeout=5.0):
        """Stops the sender: a last collection, sent within ``timeout`` seconds (None: no
        limit); then a request in flight is cut, what is left is dropped, the library's thread
        is joined and the self-metrics are removed from the registry.

        Whatever it raises, the sender is stopped afterwards: ``TimeoutError`` when the deadline
        passed with batches unsent (they are dropped), ``RemoteWriteError`` when batches were
        rejected or displaced since the call began. Stopping a stopped sender does nothing. Two
        waits may outlast the deadline: resolving the host name and a TCP connect in progress
        (at most ``connect_timeout``).
        """
        seconds = _deadline(timeout)
        self._stopped = True
        with _running_lock:
            _RUNNING.discard(self)
        # Called again, the library returns at once, or waits for a stop still in progress.
        try:
            lib.pe_sender_stop(self._handle, seconds)
        except OSError as error:
            raise _send_error(error) from None

    close = stop  # as contextlib.closing and the file objects name it

    @property
    def last_error(self):
        """The sender's last failure as the library words it: the receiver's status and body, a
        connection error, a full queue, the fallback from 2.0 to 1.0; "" when nothing failed."""
        out = c_void_p()
        lib.pe_sender_last_error(self._handle, byref(out))
        return _lib.take_string(out).decode("utf-8", "replace")

    @property
    def running(self):
        """Whether ``stop()`` has not been called yet (in a forked child the library's thread
        is gone even so)."""
        return not self._stopped

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        """Stops the sender (``stop()``'s default deadline). When the block raised, a failure
        to send is not raised over the block's exception."""
        if exc_type is None:
            self.stop()
            return
        try:
            self.stop()
        except OSError:
            pass

    def __repr__(self):
        state = "stopped" if self._stopped else "running"
        return f"<{type(self).__name__} {self._kind} to {self.url!r} {state}>"

    def __del__(self, _free=lib.pe_sender_free):
        # Only stopped senders are collected (running ones are in _RUNNING), so free does not
        # wait here.
        handle = getattr(self, "_handle", None)
        if handle:
            _free(handle)


@atexit.register
def _stop_at_exit():
    """Stops the senders still running, each with ``EXIT_TIMEOUT``, so that a program's last
    values are sent, and no sender thread collects Python collectors while the interpreter is
    finalised. Failures are ignored: there is nobody left to tell."""
    with _running_lock:
        senders = list(_RUNNING)
    for sender in senders:
        try:
            sender.stop(EXIT_TIMEOUT)
        except OSError:
            pass


class RemoteWriteSender(_Sender):
    """Sends ``registry`` to a Prometheus Remote Write receiver every ``interval`` seconds.

    Starts on construction (the first collection is one interval later, or at ``flush()``);
    stop it with ``stop()`` or a ``with`` block, else it is stopped when the interpreter exits.

    * ``url``: the receiver's endpoint, ``http(s)://host:port/api/v1/write``.
    * ``protocol``: ``"2.0"`` (Remote Write 2.0, switching to 1.0 for good when the receiver
      answers 415 Unsupported Media Type) or ``"1.0"``.
    * ``interval``, ``timeout`` (one request), ``connect_timeout``: seconds.
    * ``external_labels``: labels added to every series that lacks them (``{"job": ...}``).
    * ``headers``: header fields sent with every request (not the ones the sender writes).
    * ``basic_auth`` (a ``(user, password)`` pair) or ``bearer_token``, not both.
    * ``ca_file``: PEM CA certificates an ``https://`` receiver is verified against.
    * ``max_queue_bytes``, ``max_queue_batches``: the queue's bounds (None: 16 MiB, 64
      batches); beyond them the oldest batches are dropped and counted.
    * ``destination``: the ``destination`` label of the self-metrics (None: the URL).

    The library checks the URL, header and label names, the credentials and the CA file;
    what it refuses raises ``ValueError`` with its message.
    """

    def __init__(self, url, registry=REGISTRY, *, interval=15.0, timeout=10.0,
                 connect_timeout=5.0, protocol="2.0", external_labels=None, headers=None,
                 basic_auth=None, bearer_token=None, ca_file=None, max_queue_bytes=None,
                 max_queue_batches=None, destination=None):
        try:
            code = _PROTOCOLS[protocol]
        except (KeyError, TypeError):
            raise ValueError(f"unknown Remote Write protocol {protocol!r}: expected one of "
                             f"{', '.join(map(repr, _PROTOCOLS))}") from None
        self.protocol = protocol
        super().__init__(
            url, registry, code, f"protocol {protocol}", interval=interval, timeout=timeout,
            connect_timeout=connect_timeout, external_labels=external_labels, headers=headers,
            basic_auth=basic_auth, bearer_token=bearer_token, ca_file=ca_file,
            max_queue_bytes=max_queue_bytes, max_queue_batches=max_queue_batches,
            destination=destination)


def _push_once(sender_class, url, registry, timeout, options):
    """Starts a sender and stops it within ``timeout``: one collection, sent or raised."""
    for name in ("interval", "timeout"):
        if name in options:
            raise TypeError(f"a one-shot push takes no {name} option besides its timeout")
    seconds = _deadline(timeout)
    # The interval is never reached: stop makes the one collection. One request may take the
    # whole deadline (10 s, the sender's default, when there is none).
    request_timeout = seconds if 0 < seconds <= 86_400 else 10.0
    sender = sender_class(url, registry, interval=86_400.0, timeout=request_timeout, **options)
    sender.stop(seconds)


def push_to_remote_write(url, registry=REGISTRY, timeout=10.0, **options):
    """Sends ``registry`` once to a Remote Write receiver and returns when it was delivered.

    For batch jobs, as ``push_to_gateway`` is to the Pushgateway: a sender is started and
    stopped with ``timeout`` seconds (None: no limit), which makes one collection and sends it.
    ``options`` are ``RemoteWriteSender``'s keyword arguments but ``interval``; one request
    may take the whole ``timeout``. Raises ``TimeoutError`` when
    the deadline passed first (the receiver was down, or kept answering 5xx or 429),
    ``RemoteWriteError`` when the receiver rejected the batch.
    """
    _push_once(RemoteWriteSender, url, registry, timeout, options)
