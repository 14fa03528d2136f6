"""The one place coachlink's requests to Exact Online go through, the token endpoint included.

``send`` gives every call one deadline (settings.EXACT_DEADLINE) for connecting, sending and
reading the whole answer, and reads at most settings.EXACT_MAX_BODY bytes of it; a failure to
connect or to answer in time is ``Transient``. ``error_from_response`` turns an error answer into
the class of error it is; ``json_read`` reads an answer's body, an unparseable one being a
passing failure of Exact's.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
import urllib3
from django.conf import settings
from django.utils.translation import gettext_noop
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from coachlink.messages import Message
from coachlink.numbers import whole_number
from integrations.exact.errors import ExactError, NotFound, RateLimited, Refused, Transient

TRANSIENT_STATUSES = {408, 502, 503, 504}
# Exact's words for a failure of its own, as opposed to a business rule it reports as a 500.
INTERNAL_ERROR_MESSAGES = ("Er is een interne fout opgetreden", "An internal error occurred")
CHUNK_BYTES = 64 * 1024

_current = threading.local()


@dataclass(frozen=True)
class Answer:
    """An answer from Exact, read whole within the deadline."""

    status_code: int
    headers: requests.structures.CaseInsensitiveDict
    content: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.content)
        except RecursionError as exc:
            raise ValueError("nested too deeply") from exc


class _Watch:
    """The socket one call is using, so its deadline can cut it off mid-read.

    A time-out on each read does not bound a call: a server that sends a byte every few seconds
    never trips it. At the deadline the socket is shut down, which ends a read blocked in the
    calling thread at once.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sock: socket.socket | None = None
        self.over = False
        self.cut = False

    def _shut(self) -> None:
        if self.sock is not None and self.cut and not self.over:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_RDWR)

    def watch(self, sock: socket.socket) -> None:
        with self.lock:
            self.sock = sock
            self._shut()

    def cut_off(self) -> None:
        with self.lock:
            self.cut = True
            self._shut()

    def end(self) -> None:
        with self.lock:
            self.over = True


def _socket_watch(sock: socket.socket | None) -> None:
    watch = getattr(_current, "watch", None)
    if watch is not None and sock is not None:
        watch.watch(sock)


def _watched(pool_class: type) -> type:
    """A connection pool that hands the socket of each call to the call's watch."""

    class WatchedConnection(pool_class.ConnectionCls):
        def connect(self) -> None:
            super().connect()
            _socket_watch(self.sock)

    class WatchedPool(pool_class):
        ConnectionCls = WatchedConnection

        def _get_conn(self, timeout=None):
            connection = super()._get_conn(timeout)
            # A kept-alive connection is connected already.
            _socket_watch(getattr(connection, "sock", None))
            return connection

    return WatchedPool


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _watched(HTTPConnectionPool),
            "https": _watched(HTTPSConnectionPool),
        }


_http = requests.Session()
_http.mount("http://", _WatchedAdapter())
_http.mount("https://", _WatchedAdapter())


def _too_large() -> Transient:
    return Transient(
        Message(
            gettext_noop(
                "Exact Online sent an answer larger than %(size)s bytes; coachlink read no further."
            ),
            size=settings.EXACT_MAX_BODY,
        )
    )


def _late() -> Transient:
    return Transient(
        Message(
            gettext_noop("Exact Online did not answer within %(seconds)s seconds."),
            seconds=f"{settings.EXACT_DEADLINE:g}",
        )
    )


def _body_read(response: requests.Response) -> bytes:
    limit = settings.EXACT_MAX_BODY
    announced = response.headers.get("Content-Length", "")
    length = whole_number(announced)
    if length is not None and length > limit:
        raise _too_large()
    body = bytearray()
    for chunk in response.iter_content(chunk_size=CHUNK_BYTES):
        body += chunk
        if len(body) > limit:
            raise _too_large()
    return bytes(body)


def send(method: str, url: str, *, access_token: str = "", **kwargs: Any) -> Answer:
    """Send one HTTP request to Exact and read its whole answer by the deadline; any status
    returns."""
    headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
    if access_token:
        headers["Authorization"] = f"Bearer {access_token}"
    deadline = settings.EXACT_DEADLINE
    started = time.monotonic()
    watch = _Watch()
    timer = threading.Timer(deadline, watch.cut_off)
    timer.daemon = True
    _current.watch = watch
    timer.start()
    try:
        with _http.request(
            method, url, headers=headers, timeout=deadline, stream=True, **kwargs
        ) as response:
            answer = Answer(response.status_code, response.headers, _body_read(response))
        if watch.cut:
            # Cut off between lines, an answer can look complete: it is not to be trusted.
            raise _late()
        return answer
    except requests.Timeout as exc:
        raise _late() from exc
    except (OSError, urllib3.exceptions.HTTPError) as exc:
        # requests' own errors are OSErrors too.
        if watch.cut or time.monotonic() - started >= deadline:
            raise _late() from exc
        raise Transient(Message(gettext_noop("Exact Online could not be reached."))) from exc
    finally:
        watch.end()
        timer.cancel()
        _current.watch = None


def json_read(response: Answer) -> Any:
    """The answer's JSON; an answer cut off or not JSON is Exact failing, not refusing."""
    try:
        return response.json()
    except ValueError as exc:
        raise unreadable(response) from exc


def unreadable(response: Answer) -> Transient:
    """An answer that is not what Exact's API sends: Exact failing, not refusing."""
    return Transient(
        Message(
            gettext_noop("Exact Online sent an answer coachlink cannot read (HTTP %(status)s)."),
            status=response.status_code,
        ),
        status=response.status_code,
    )


def _message(response: Answer) -> str:
    """Exact's own words in an error answer: the REST shape or the OAuth shape."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResources.aspx (error responses)
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    error = body.get("error", {})
    detail = error.get("message", "") if isinstance(error, dict) else ""
    message = detail.get("value", "") if isinstance(detail, dict) else str(detail or "")
    return str(message or body.get("error_description") or "")


def error_from_response(response: Answer) -> ExactError:
    """The error an answer of status 400 or more stands for, with Exact's own words."""
    message = _message(response)
    status = response.status_code
    fallback = Message(gettext_noop("Exact Online answered HTTP %(status)s."), status=status)
    if status == 429:
        return RateLimited(message or fallback, status=status)
    if status in TRANSIENT_STATUSES:
        return Transient(message or fallback, status=status)
    if status >= 500:
        # "Gegeven bestaat reeds", "Ongeldige referentie": Exact reports some refusals as 500;
        # with a message it is a business rule, unless the message says the server failed.
        if message and not message.startswith(INTERNAL_ERROR_MESSAGES):
            return Refused(message, status=status)
        return Transient(message or fallback, status=status)
    if status == 404:
        return NotFound(message or fallback, status=status)
    return Refused(message or fallback, status=status)
