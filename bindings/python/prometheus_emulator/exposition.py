"""Exposition and transport: text output, HTTP servers, and the Pushgateway.

* ``generate_latest(registry)`` renders a registry in the Prometheus text format (the
  OpenMetrics variants are ``prometheus_emulator.openmetrics.exposition.generate_latest``), and
  ``generate_protobuf(registry)`` in the binary protobuf format, which carries native histograms.
  The library renders: one call, whatever the registry's size. ``escaping`` says how names
  outside the legacy character set (``app.requests_total``) are written: ``ALLOWUTF8`` quotes
  them, ``UNDERSCORES`` (the default), ``DOTS`` and ``VALUES`` rewrite them.
* ``start_http_server(port)`` starts the library's HTTP exporter (its own threads; content
  negotiation, name escaping, gzip and ``name[]`` filtering included).
  ``start_http_server(port, registry)`` serves another registry, as the seed document does.
  ``make_wsgi_app`` and ``start_wsgi_server`` serve the same from Python's WSGI machinery,
  negotiating format and escaping through the library.
* ``push_to_gateway``, ``pushadd_to_gateway`` and ``delete_from_gateway`` use the library's
  Pushgateway client. A custom ``handler`` (``basic_auth_handler``, say) or ``compression`` makes
  the request go through that handler instead, as in prometheus_client.

Signatures are prometheus_client's.
"""

import atexit
import base64
import gzip
import os
import socket
import ssl
import sys
import threading
from contextlib import closing
from ctypes import byref, c_char_p, c_int, c_uint16, c_void_p, sizeof
from functools import partial
from http.server import BaseHTTPRequestHandler
from socketserver import ThreadingMixIn
from typing import Literal, Optional
from urllib.error import HTTPError  # noqa: F401 (importable here, as from prometheus_client's)
from urllib.parse import parse_qs, quote_plus, urlparse
from urllib.request import (  # noqa: F401 (BaseHandler: importable here, as from theirs)
    BaseHandler, HTTPHandler, HTTPRedirectHandler, HTTPSHandler, Request, build_opener,
)
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from . import _bridge, _lib
from ._lib import lib
from .openmetrics import exposition as openmetrics
from .openmetrics.exposition import ALLOWUTF8, DOTS, UNDERSCORES, VALUES
from .registry import REGISTRY, Collector, CollectorRegistry, expose  # noqa: F401 (Collector)
from .utils import floatToGoString, parse_version  # noqa: F401 (importable here, as theirs)

try:
    import snappy  # python-snappy, for pushes with compression="snappy"
    SNAPPY_AVAILABLE = True
except ImportError:
    snappy = None
    SNAPPY_AVAILABLE = False

__all__ = [
    "CONTENT_TYPE_LATEST", "CONTENT_TYPE_PLAIN_0_0_4", "CONTENT_TYPE_PLAIN_1_0_0",
    "CONTENT_TYPE_PROTOBUF", "ALLOWUTF8", "UNDERSCORES", "DOTS", "VALUES", "generate_latest",
    "generate_protobuf", "choose_encoder",
    "gzip_accepted", "make_asgi_app", "make_wsgi_app", "MetricsHandler", "start_http_server",
    "start_wsgi_server",
    "MetricsServer", "write_to_textfile", "push_to_gateway", "pushadd_to_gateway",
    "delete_from_gateway", "instance_ip_grouping_key", "default_handler", "basic_auth_handler",
    "tls_auth_handler", "passthrough_redirect_handler", "SNAPPY_AVAILABLE",
]

CONTENT_TYPE_PLAIN_0_0_4 = "text/plain; version=0.0.4; charset=utf-8"
"""Content type of the Prometheus text format 0.0.4, which scrapers read without UTF-8 names."""
CONTENT_TYPE_PLAIN_1_0_0 = "text/plain; version=1.0.0; charset=utf-8"
"""Content type of the Prometheus text format 1.0.0: 0.0.4 that may quote UTF-8 names."""
CONTENT_TYPE_LATEST = CONTENT_TYPE_PLAIN_1_0_0
"""The newest text format, as in prometheus_client 0.26; a scrape that names no version is still
answered in 0.0.4 (``CONTENT_TYPE_PLAIN_0_0_4``)."""
CONTENT_TYPE_PROTOBUF = ("application/vnd.google.protobuf; "
                         "proto=io.prometheus.client.MetricFamily; encoding=delimited")
"""Content type of the protobuf format, which ``generate_protobuf`` produces."""

CompressionType = Optional[Literal["gzip", "snappy"]]
"""What ``push_to_gateway`` and ``pushadd_to_gateway`` take as ``compression``."""


def generate_latest(registry=REGISTRY, escaping=UNDERSCORES):
    """The registry (or any collector) in the Prometheus text format, as UTF-8 bytes.

    ``escaping`` is how names outside the legacy character set are written: ``UNDERSCORES``
    (the default) rewrites ``app.requests_total`` as ``app_requests_total``, which every
    scraper reads; ``ALLOWUTF8`` keeps it, quoted (``{"app.requests_total"} 1.0``), which only
    scrapers of format 1.0.0 read; ``DOTS`` and ``VALUES`` rewrite it reversibly. The lines
    are format 1.0.0's, which are 0.0.4's whenever the names are legacy or escaped, so the one
    function answers both content types, as prometheus_client's does.
    """
    return expose(registry, _lib.PE_FORMAT_PROMETHEUS_1, escaping=_lib.escaping_code(escaping))


def generate_protobuf(registry=REGISTRY, escaping=UNDERSCORES):
    """The registry (or any collector) as length-delimited protobuf ``MetricFamily`` messages
    (``io.prometheus.client``), as bytes: what Prometheus scrapes native histograms in.

    ``escaping`` is as for ``generate_latest``; under ``ALLOWUTF8`` names are kept as they are.
    """
    return expose(registry, _lib.PE_FORMAT_PROTOBUF, escaping=_lib.escaping_code(escaping))


def _negotiate(accept_header):
    """The library's answer to an ``Accept`` header: ``(PE_FORMAT_*, PE_ESCAPING_*, content
    type)``, the content type as a ``str``."""
    format_code = c_int()
    escaping_code = c_int()
    content_type = c_char_p()
    lib.pe_negotiate(_lib.encode(accept_header), byref(format_code), byref(escaping_code),
                     byref(content_type))
    return format_code.value, escaping_code.value, content_type.value.decode("ascii")


def _encoders():
    """The generate function answering each format and escaping the library negotiates.

    Made once, so that ``choose_encoder`` returns the same object for the same choice; the
    plain function where the keywords would all be its defaults, as prometheus_client does.
    """
    generators = {
        _lib.PE_FORMAT_PROMETHEUS: (generate_latest, {}),
        _lib.PE_FORMAT_PROMETHEUS_1: (generate_latest, {}),
        _lib.PE_FORMAT_OPENMETRICS: (openmetrics.generate_latest, {"version": "1.0.0"}),
        _lib.PE_FORMAT_OPENMETRICS_2: (openmetrics.generate_latest, {"version": "2.0.0"}),
        _lib.PE_FORMAT_PROTOBUF: (generate_protobuf, {}),
    }
    encoders = {}
    for format_code, (function, options) in generators.items():
        for escaping, escaping_code in _lib.ESCAPING_CODES.items():
            keywords = dict(options, escaping=escaping)
            if keywords == {"escaping": UNDERSCORES}:
                encoders[format_code, escaping_code] = function
            else:
                encoders[format_code, escaping_code] = partial(function, **keywords)
    return encoders


_ENCODERS = _encoders()


def choose_encoder(accept_header):
    """``(generate function, content type)`` answering an ``Accept`` header, as the library's
    exporter answers it.

    For the headers Prometheus 2 and 3 send the choice is prometheus_client's: OpenMetrics 1.0
    with the escaping the header asks for (``application/openmetrics-text; version=1.0.0;
    charset=utf-8; escaping=allow-utf-8`` for Prometheus 3), and text 0.0.4 for a header that
    names neither OpenMetrics nor text 1.0.0. Unlike prometheus_client, the library honours
    ``q`` weights, takes ``escaping`` on a text 0.0.4 or OpenMetrics 0.0.1 range too, serves
    protobuf and OpenMetrics 2.0 (only to a header that names them exactly; OpenMetrics 2.0
    defaults to ``ALLOWUTF8``), and names the escaping of an OpenMetrics range without a
    version in the content type.
    """
    format_code, escaping_code, content_type = _negotiate(accept_header)
    return _ENCODERS[format_code, escaping_code], content_type


def gzip_accepted(accept_encoding_header):
    """Whether an ``Accept-Encoding`` header lists gzip."""
    for accepted in (accept_encoding_header or "").split(","):
        if accepted.split(";")[0].strip().lower() == "gzip":
            return True
    return False


def _bake_output(registry, accept_header, accept_encoding_header, params, disable_compression):
    """Status, headers and body answering a scrape."""
    format_code, escaping_code, content_type = _negotiate(accept_header)
    # A Django QueryDict's get() gives only the last value of a repeated parameter.
    names = params.getlist("name[]") if hasattr(params, "getlist") else params.get("name[]")
    output = expose(registry, format_code, names, escaping_code)
    headers = [("Content-Type", content_type)]
    if not disable_compression and gzip_accepted(accept_encoding_header):
        output = gzip.compress(output)
        headers.append(("Content-Encoding", "gzip"))
    return "200 OK", headers, output


def make_wsgi_app(registry=REGISTRY, disable_compression=False):
    """A WSGI application serving the registry at any path, as prometheus_client's does."""

    def prometheus_app(environ, start_response):
        method = environ["REQUEST_METHOD"]
        if method == "OPTIONS":
            status, headers, output = "200 OK", [("Allow", "OPTIONS,GET")], b""
        elif method != "GET":
            status = "405 Method Not Allowed"
            headers = [("Allow", "OPTIONS,GET")]
            output = f"# HTTP {status}: {method}; use OPTIONS or GET\n".encode()
        elif environ.get("PATH_INFO") == "/favicon.ico":
            status, headers, output = "200 OK", [], b""
        else:
            status, headers, output = _bake_output(
                registry, environ.get("HTTP_ACCEPT"), environ.get("HTTP_ACCEPT_ENCODING"),
                parse_qs(environ.get("QUERY_STRING", "")), disable_compression)
        start_response(status, headers)
        return [output]

    return prometheus_app


class MetricsHandler(BaseHTTPRequestHandler):
    """An ``http.server`` handler serving ``registry`` (``REGISTRY`` unless ``factory`` says)."""

    registry = REGISTRY

    def do_GET(self):
        status, headers, output = _bake_output(
            self.registry, self.headers.get("Accept"), self.headers.get("Accept-Encoding"),
            parse_qs(urlparse(self.path).query), False)
        self.send_response(int(status.split(" ")[0]))
        for header in headers:
            self.send_header(*header)
        self.end_headers()
        self.wfile.write(output)

    def log_message(self, format, *args):
        """Logs nothing."""

    @classmethod
    def factory(cls, registry):
        """A handler class serving ``registry``."""
        return type(cls.__name__, (cls, object), {"registry": registry})


class _SilentHandler(WSGIRequestHandler):
    """WSGI handler that does not log requests."""

    def log_message(self, format, *args):
        """Logs nothing."""


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """A WSGI server with a thread per request."""

    daemon_threads = True


def _best_family(address, port):
    infos = socket.getaddrinfo(address, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, _, _, _, sockaddr = next(iter(infos))
    return family, sockaddr[0]


def _ssl_context(certfile, keyfile, protocol, cafile=None, capath=None,
                 client_auth_required=False, tls_min_version=None, tls_max_version=None):
    context = ssl.SSLContext(protocol=protocol)
    if cafile is not None or capath is not None:
        context.load_verify_locations(cafile, capath)
    else:
        context.load_default_certs(purpose=ssl.Purpose.CLIENT_AUTH)
    if client_auth_required:
        context.verify_mode = ssl.CERT_REQUIRED
    context.load_cert_chain(certfile=certfile, keyfile=keyfile)
    if tls_min_version is not None:
        context.minimum_version = tls_min_version
    if tls_max_version is not None:
        context.maximum_version = tls_max_version
    return context


def start_wsgi_server(port, addr="0.0.0.0", registry=REGISTRY, certfile=None, keyfile=None,
                      client_cafile=None, client_capath=None,
                      protocol=ssl.PROTOCOL_TLS_SERVER, client_auth_required=False,
                      tls_min_version=None, tls_max_version=None):
    """Serves the registry from a WSGI server on a daemon thread; returns ``(server, thread)``."""

    class Server(ThreadingWSGIServer):
        pass

    Server.address_family, addr = _best_family(addr, port)
    httpd = make_server(addr, port, make_wsgi_app(registry), Server, handler_class=_SilentHandler)
    if certfile and keyfile:
        context = _ssl_context(certfile, keyfile, protocol, client_cafile, client_capath,
                               client_auth_required, tls_min_version, tls_max_version)
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return httpd, thread


class MetricsServer:
    """The library's HTTP exporter, serving ``/metrics`` from its own threads.

    ``shutdown()`` stops it and joins its threads; it also stops when the interpreter exits.
    ``server_port`` is the port it listens on (the one picked when asked for port 0).
    """

    def __init__(self, handle, address, registry):
        self._handle = handle
        self._registry = registry  # kept alive while served
        self._stopped = threading.Event()
        port = c_uint16()
        lib.pe_exporter_port(handle, byref(port))
        self.server_port = port.value
        self.server_address = (address, port.value)
        self.thread = _ExporterThread(self._stopped)

    def shutdown(self):
        """Stops serving: closes the socket and connections, joins the exporter's threads."""
        handle, self._handle = self._handle, None
        if handle:
            lib.pe_exporter_stop(handle)
            _SERVERS.discard(self)
            self._stopped.set()

    server_close = shutdown
    close = shutdown

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.shutdown()

    def __repr__(self):
        state = "stopped" if self._handle is None else "serving"
        return f"<MetricsServer {self.server_address[0]}:{self.server_port} {state}>"


class _ExporterThread:
    """Stands for the exporter's threads where prometheus_client returns its server thread."""

    daemon = True
    name = "prometheus_emulator exporter"

    def __init__(self, stopped):
        self._stopped = stopped

    def join(self, timeout=None):
        """Waits until the exporter is shut down."""
        self._stopped.wait(timeout)

    def is_alive(self):
        return not self._stopped.is_set()


_SERVERS = set()  # running exporters: kept alive until shut down, stopped at exit


@atexit.register
def _stop_servers():
    for server in list(_SERVERS):
        server.shutdown()


# A forked child has none of the exporters' threads: they are stopped there. Stopping one in a
# child joins nothing and leaves the parent's connections alone; it closes the child's copy of
# the listening socket, so the port is free once the parent lets go of it.
os.register_at_fork(after_in_child=_stop_servers)


def _is_registry(value):
    return isinstance(value, CollectorRegistry) or hasattr(value, "collect")


def start_http_server(port, addr="0.0.0.0", registry=REGISTRY, certfile=None, keyfile=None,
                      client_cafile=None, client_capath=None,
                      protocol=ssl.PROTOCOL_TLS_SERVER, client_auth_required=False,
                      tls_min_version=None, tls_max_version=None, *, basic_auth=None):
    """Serves ``registry`` over HTTP at ``/metrics``; returns ``(server, thread)``.

    As in the seed document, a registry may be given in second position:
    ``start_http_server(8000, registry)``. ``certfile`` and ``keyfile`` turn on HTTPS and
    ``basic_auth=(user, password)`` requires credentials; the library serves all of that. Options
    it lacks (client certificates, TLS versions) and registries that are plain collectors are
    served by ``start_wsgi_server`` instead.
    """
    if not isinstance(addr, str) and _is_registry(addr):
        addr, registry = "0.0.0.0", addr
    if (client_cafile or client_capath or client_auth_required or tls_min_version
            or tls_max_version or not isinstance(registry, CollectorRegistry)):
        if basic_auth is not None:
            raise ValueError("basic_auth needs the library's exporter and a CollectorRegistry")
        return start_wsgi_server(port, addr, registry, certfile, keyfile, client_cafile,
                                 client_capath, protocol, client_auth_required,
                                 tls_min_version, tls_max_version)
    host = f"[{addr}]" if ":" in addr else addr
    user, password = basic_auth if basic_auth is not None else (None, None)
    options = _lib.pe_exporter_options(
        struct_size=sizeof(_lib.pe_exporter_options), address=_lib.encode(f"{host}:{int(port)}"),
        basic_auth_user=_lib.encode(user), basic_auth_password=_lib.encode(password),
        tls_cert_file=_lib.encode(certfile), tls_key_file=_lib.encode(keyfile))
    handle = c_void_p()
    lib.pe_exporter_start(byref(options), registry._handle, byref(handle))
    server = MetricsServer(handle, addr, registry)
    _SERVERS.add(server)
    return server, server.thread


def write_to_textfile(path, registry, escaping=ALLOWUTF8, tmpdir=None):
    """Writes the registry to ``path`` atomically (for the node exporter's textfile collector).

    ``escaping`` is as for ``generate_latest``; its default is prometheus_client's, which
    keeps UTF-8 names quoted.
    """
    # prometheus_client's temporary name: "<path>.<pid>.<thread id>", in tmpdir when given
    # (which must be on the file system of path, for the rename to be atomic).
    if tmpdir is not None:
        path_there = os.path.join(tmpdir, os.path.basename(path))
    else:
        path_there = path
    temporary = f"{path_there}.{os.getpid()}.{threading.current_thread().ident}"
    try:
        with open(temporary, "wb") as output:
            output.write(generate_latest(registry, escaping))
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


# ----- Pushgateway -----------------------------------------------------------------------------

def default_handler(url, method, timeout, headers, data):
    """The request prometheus_client makes; the library's client is used instead unless a
    ``compression`` is asked for."""
    return _make_handler(url, method, timeout, headers, data, HTTPHandler)


def passthrough_redirect_handler(url, method, timeout, headers, data):
    """Like ``default_handler``, following redirects with the same method and body."""
    return _make_handler(url, method, timeout, headers, data, _PrometheusRedirectHandler)


def basic_auth_handler(url, method, timeout, headers, data, username=None, password=None):
    """A handler sending HTTP basic auth credentials."""

    def handle():
        if username is not None and password is not None:
            credentials = f"{username}:{password}".encode()
            headers.append(("Authorization", b"Basic " + base64.b64encode(credentials)))
        default_handler(url, method, timeout, headers, data)()

    return handle


def tls_auth_handler(url, method, timeout, headers, data, certfile, keyfile, cafile=None,
                     protocol=ssl.PROTOCOL_TLS_CLIENT, insecure_skip_verify=False):
    """A handler making the request over HTTPS with a client certificate (``certfile`` and
    ``keyfile``), verifying the server against ``cafile`` (default: the system's CAs) unless
    ``insecure_skip_verify``."""
    context = ssl.SSLContext(protocol=protocol)
    if cafile is not None:
        context.load_verify_locations(cafile)
    else:
        context.load_default_certs()
    if insecure_skip_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    context.load_cert_chain(certfile=certfile, keyfile=keyfile)
    return _make_handler(url, method, timeout, headers, data, HTTPSHandler(context=context))


class _PrometheusRedirectHandler(HTTPRedirectHandler):
    def redirect_request(self, request, fp, code, msg, headers, newurl):
        new_request = Request(newurl, method=request.get_method(), data=request.data,
                              headers=dict(request.header_items()))
        new_request.timeout = request.timeout
        return new_request


def _make_handler(url, method, timeout, headers, data, base_handler):
    def handle():
        request = Request(url, data=data)
        request.get_method = lambda: method
        for key, value in headers:
            request.add_header(key, value)
        response = build_opener(base_handler).open(request, timeout=timeout)
        if response.code >= 400:
            raise OSError(f"error talking to pushgateway: {response.code} {response.msg}")
    return handle


def push_to_gateway(gateway, job, registry, grouping_key=None, timeout=30,
                    handler=default_handler, compression=None):
    """Pushes the registry to the Pushgateway, replacing the group's metrics (HTTP PUT).

    ``gateway`` is ``host:port`` or an ``http(s)://`` URL; the group is ``job`` and
    ``grouping_key`` (a dict). ``timeout`` is in seconds (None: no limit).
    """
    _use_gateway("PUT", gateway, job, registry, grouping_key, timeout, handler, compression)


def pushadd_to_gateway(gateway, job, registry, grouping_key=None, timeout=30,
                       handler=default_handler, compression=None):
    """Pushes the registry, replacing only same-named metrics of the group (HTTP POST)."""
    _use_gateway("POST", gateway, job, registry, grouping_key, timeout, handler, compression)


def delete_from_gateway(gateway, job, grouping_key=None, timeout=30, handler=default_handler):
    """Deletes the group ``job`` + ``grouping_key`` from the Pushgateway (HTTP DELETE)."""
    _use_gateway("DELETE", gateway, job, None, grouping_key, timeout, handler)


_PUSH_FUNCTIONS = {"PUT": "pe_push", "POST": "pe_pushadd", "DELETE": "pe_push_delete"}


def _use_gateway(method, gateway, job, registry, grouping_key, timeout, handler,
                 compression=None):
    if registry is None:
        registry = REGISTRY
    grouping_key = {str(k): str(v) for k, v in (grouping_key or {}).items()}
    if (handler is default_handler and compression is None
            and (method == "DELETE" or isinstance(registry, CollectorRegistry))):
        _push_with_library(method, gateway, job, registry, grouping_key, timeout)
    else:
        _push_with_handler(method, gateway, job, registry, grouping_key, timeout, handler,
                           compression)


def _push_with_library(method, gateway, job, registry, grouping_key, timeout):
    # No timeout: a day stands for "wait as long as it takes".
    timeout_ms = 86_400_000 if timeout is None else max(1, int(timeout * 1000))
    options = _lib.pe_push_options(struct_size=sizeof(_lib.pe_push_options),
                                   timeout_ms=timeout_ms, connect_timeout_ms=timeout_ms)
    names = _lib.str_array(list(grouping_key))
    values = _lib.str_array(list(grouping_key.values()))
    arguments = [_lib.encode(gateway), _lib.encode(job), names, values, len(grouping_key)]
    if method != "DELETE":
        arguments.append(registry._handle)
    _bridge.call_collecting(getattr(lib, _PUSH_FUNCTIONS[method]), *arguments, byref(options))


def _escape_grouping_key(key, value):
    if value == "":
        return key + "@base64", "="
    if "/" in value or " " in value:
        return key + "@base64", base64.urlsafe_b64encode(value.encode("utf-8")).decode("utf-8")
    return key, quote_plus(value)


def _push_with_handler(method, gateway, job, registry, grouping_key, timeout, handler,
                       compression):
    """The request through a user's ``handler``, which needs the URL and body built here."""
    url = urlparse(gateway)
    if not url.scheme or url.scheme not in ("http", "https"):
        gateway = f"http://{gateway}"
    gateway = gateway.rstrip("/")
    url = "{}/metrics/{}/{}".format(gateway, *_escape_grouping_key("job", job))
    url += "".join("/{}/{}".format(*_escape_grouping_key(k, v))
                   for k, v in sorted(grouping_key.items()))
    if method != "DELETE":
        data, headers = _compress_payload(generate_latest(registry), compression)
    elif compression is not None:
        raise ValueError("Compression is not supported for DELETE requests.")
    else:
        data, headers = b"", [("Content-Type", CONTENT_TYPE_PLAIN_0_0_4)]
    handler(url=url, method=method, timeout=timeout, headers=headers, data=data)()


def _compress_payload(data, compression):
    """``(body, headers)`` of a push body compressed as ``compression`` asks (None: not)."""
    headers = [("Content-Type", CONTENT_TYPE_PLAIN_0_0_4)]
    if compression is None:
        return data, headers
    encoding = compression.lower()
    if encoding == "gzip":
        headers.append(("Content-Encoding", "gzip"))
        return gzip.compress(data), headers
    if encoding == "snappy":
        if not SNAPPY_AVAILABLE:
            raise RuntimeError(
                "Snappy compression requires the python-snappy package to be installed.")
        headers.append(("Content-Encoding", "snappy"))
        compressor = snappy.StreamCompressor()
        compressed = compressor.compress(data)
        flush = getattr(compressor, "flush", None)
        if callable(flush):
            compressed += flush()
        return compressed, headers
    raise ValueError(f"Unsupported compression type: {compression}")


def instance_ip_grouping_key():
    """A grouping key with ``instance`` set to this host's IP address."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_DGRAM)) as s:
        if sys.platform == "darwin":
            s.connect(("10.255.255.255", 1))
        else:
            s.connect(("localhost", 0))
        return {"instance": s.getsockname()[0]}


from .asgi import make_asgi_app  # noqa: E402 (asgi builds on _bake_output above)
