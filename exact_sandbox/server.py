"""A small threaded WSGI server that can withhold an answer after the view has committed.

Exact sometimes stores a POST and then loses the answer on the way back; the client sees a reset
connection or a time-out, and a naive retry books the invoice twice. Django's own servers always
answer, so the sandbox serves itself.
"""

import io
import socket
import ssl
import struct
import threading
import time
from socketserver import ThreadingMixIn
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from django.core.handlers.wsgi import WSGIHandler

from exact_sandbox.middleware import DRIP_MARKER, DROP_MARKER, LATENCY_MARKER

# SQLite and the in-memory tallies are simplest with one request inside Django at a time;
# latency and withheld answers wait outside the lock so they do not hold up other callers.
_django_lock = threading.Lock()


def sandbox_application() -> "callable":
    django_app = WSGIHandler()

    def application(environ, start_response):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers

        with _django_lock:
            result = django_app(environ, capture)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        latency = environ.get(LATENCY_MARKER)
        if latency:
            time.sleep(latency)
        drip = environ.get(DRIP_MARKER)
        if drip:
            headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
            start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
            return _dripping(body, interval=drip)
        start_response(captured["status"], captured["headers"])
        return [body]

    return application


def _dripping(body: bytes, *, interval: float):
    """The body a byte at a time: a server that keeps a per-read time-out from ever firing."""
    for index in range(len(body)):
        yield body[index : index + 1]
        time.sleep(interval)


def _reset_connection(connection: socket.socket) -> None:
    # Linger on with a zero timeout makes close() send a TCP reset instead of a clean FIN.
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


class _DroppingServerHandler(ServerHandler):
    request_handler: WSGIRequestHandler

    def finish_response(self):
        drop = self.environ.get(DROP_MARKER)
        if not drop:
            return super().finish_response()
        mode, hold_seconds = drop
        self.request_handler.close_connection = True
        if hasattr(self.result, "close"):
            self.result.close()
        if mode == "timeout":
            time.sleep(hold_seconds)
        _reset_connection(self.request_handler.connection)
        self.status = self.status or "000 Dropped"
        return None


class _RequestHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        if not self.server.quiet:
            super().log_message(format, *args)

    def get_environ(self):
        environ = super().get_environ()
        if isinstance(self.connection, ssl.SSLSocket):
            # Absolute links (OData's __next) must keep the https scheme the caller used.
            environ["wsgi.url_scheme"] = "https"
            environ["HTTPS"] = "on"
        return environ

    # HTTP/1.1 with keep-alive, as Exact's servers: a client reuses its connection.
    protocol_version = "HTTP/1.1"
    # An idle kept-alive connection is closed after this many seconds.
    timeout = 120

    def handle(self):
        self.close_connection = True
        try:
            self.handle_one_request()
            while not self.close_connection:
                self.handle_one_request()
        except (TimeoutError, ConnectionError):
            self.close_connection = True

    def handle_one_request(self):
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline:
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            self.close_connection = True
            return
        if not self.parse_request():
            return
        body = self.rfile
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            # Bodies are read by length; a chunked one ends the connection after this answer.
            self.close_connection = True
        else:
            # Read the whole body now, so an answer that ignores it leaves the stream aligned.
            length = int(self.headers.get("Content-Length") or 0)
            body = io.BytesIO(self.rfile.read(length) if length else b"")
        handler = _DroppingServerHandler(
            body, self.wfile, self.get_stderr(), self.get_environ(), multithread=True
        )
        handler.http_version = "1.1"
        handler.request_handler = self
        handler.run(self.server.get_app())


class SandboxServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    quiet = False

    def handle_error(self, request, client_address):
        # A client that hung up on a withheld answer is expected, not an error worth a traceback.
        if not self.quiet:
            super().handle_error(request, client_address)


def sandbox_serve(
    *, host: str, port: int, quiet: bool = False, tls_cert: str = "", tls_key: str = ""
) -> None:
    server = SandboxServer((host, port), _RequestHandler)
    server.quiet = quiet
    if tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls_cert, tls_key or None)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.set_app(sandbox_application())
    scheme = "https" if tls_cert else "http"
    print(f"Exact Online sandbox on {scheme}://{host}:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
