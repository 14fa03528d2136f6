"""Answers from Exact that cannot be used: garbage with a 200, page links to other sites, answers
that drip or never end. Each is a Transient error with a message, over real HTTP on loopback."""

import contextlib
import socket
import threading

import pytest
from django.urls import reverse

from integrations.exact import api, http, oauth
from integrations.exact.entities import AccountFields
from integrations.exact.errors import Transient

pytestmark = pytest.mark.django_db

GARBAGE_KINDS = ["html", "truncated", "null", "error", "shape"]


@contextlib.contextmanager
def loopback_server(answer):
    """A server on 127.0.0.1 that answers every connection with ``answer(connection, tally)``."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    tally = {"connections": 0, "bytes": 0, "authorization": 0}

    def handle(connection):
        with connection:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = connection.recv(65536)
                if not chunk:
                    return
                request += chunk
            tally["connections"] += 1
            tally["authorization"] += b"\r\nauthorization:" in request.lower()
            with contextlib.suppress(OSError):
                answer(connection, tally)

    def serve():
        while True:
            try:
                connection, _address = listener.accept()
            except OSError:
                return
            threading.Thread(target=handle, args=(connection,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", tally
    finally:
        listener.close()


def _sent(connection, tally, data: bytes) -> None:
    connection.sendall(data)
    tally["bytes"] += len(data)


def account_fields(gl_receivable_id: str) -> AccountFields:
    return AccountFields(
        name="Dvořák Opleidingen",
        address_lines=("Straat 1", "", ""),
        postcode="1234 AB",
        city="Utrecht",
        country="NL",
        email="",
        vat_number="",
        chamber_of_commerce="",
        gl_receivable_id=gl_receivable_id,
    )


@pytest.mark.parametrize("kind", GARBAGE_KINDS)
def test_an_unreadable_answer_to_a_read_is_a_transient_error(authenticated_link, sandbox, kind):
    sandbox.set_faults(garbage_rate=1.0, garbage_kinds=[kind])
    with pytest.raises(Transient) as raised:
        api.journals(authenticated_link)
    assert "cannot read" in raised.value.message
    assert sandbox.counters()["injected"] == {f"garbage-{kind}": 1}


@pytest.mark.parametrize("kind", GARBAGE_KINDS)
def test_an_unreadable_answer_to_a_write_is_a_transient_error(authenticated_link, sandbox, kind):
    receivable = api.gl_accounts(authenticated_link, codes=["1300"])["1300"].id
    sandbox.set_faults(garbage_rate=1.0, garbage_kinds=[kind])
    with pytest.raises(Transient):
        api.account_create(authenticated_link, code="4711", fields=account_fields(receivable))
    # The write happened: a retry must find it, which is why this is not a refusal.
    accounts = sandbox.state()["divisions"]["7095"]["accounts"]
    assert [a["Name"] for a in accounts if a["Code"].strip() == "4711"] == ["Dvořák Opleidingen"]


def test_rows_of_the_wrong_shape_are_a_transient_error(authenticated_link, monkeypatch):
    def rows(link, path, **kwargs):
        return [{"Code": "70", "Type": "verkoop"}]

    monkeypatch.setattr(api.client, "rows", rows)
    with pytest.raises(Transient) as raised:
        api.journals(authenticated_link)
    assert "cannot read" in raised.value.message


@pytest.mark.parametrize("kind", GARBAGE_KINDS)
def test_test_connection_shows_a_message_for_garbage_never_a_500(
    authenticated_link, sandbox, manager_client, kind
):
    sandbox.set_faults(garbage_rate=1.0, garbage_kinds=[kind])
    answer = manager_client.post(reverse("integrations:exact_test_connection"), follow=True)
    assert answer.status_code == 200
    assert "cannot read" in answer.content.decode()


def test_a_page_link_to_another_site_is_not_followed_and_gets_no_token(authenticated_link, sandbox):
    with loopback_server(lambda connection, tally: None) as (foreign, tally):
        sandbox.set_faults(foreign_next_rate=1.0, foreign_next_url=foreign)
        with pytest.raises(Transient) as raised:
            api.gl_accounts(authenticated_link)
    assert "another site (127.0.0.1)" in raised.value.message
    assert tally["connections"] == 0
    assert sandbox.counters()["injected"] == {"foreign-next": 1}


@pytest.mark.parametrize(
    "url",
    [
        "https://{host}:{port}/nl/api/v1/7095/financial/GLAccounts?$skiptoken=1",
        "http://{host}:1/nl/api/v1/7095/financial/GLAccounts?$skiptoken=1",
        "http://evil.example/nl/api/v1/7095/financial/GLAccounts",
        "http://{host}:{port}@evil.example/nl/api/v1/7095/financial/GLAccounts",
    ],
)
def test_a_page_link_must_have_the_sites_scheme_host_and_port(authenticated_link, sandbox, url):
    host, port = sandbox.url.split("//")[1].split(":")
    with pytest.raises(Transient):
        api.client.request(authenticated_link, "GET", url.format(host=host, port=port))


def test_a_page_link_on_the_site_itself_is_followed(authenticated_link, sandbox):
    url = f"{sandbox.nl}/api/v1/7095/financial/Journals".replace("http://", "HTTP://")
    answer = api.client.request(authenticated_link, "GET", url)
    assert answer.status_code == 200


def test_a_dripping_answer_is_cut_off_at_the_deadline(authenticated_link, sandbox, settings):
    settings.EXACT_DEADLINE = 0.3
    # A byte every 20 ms: each read is quick, the whole answer would take seconds.
    sandbox.set_faults(drip_rate=1.0, drip_interval_ms=20)
    with pytest.raises(Transient) as raised:
        api.journals(authenticated_link)
    assert "did not answer within 0.3 seconds" in raised.value.message
    sandbox.set_faults(drip_rate=0.0)
    assert api.journals(authenticated_link)


def test_headers_that_drip_are_cut_off_at_the_deadline(settings):
    settings.EXACT_DEADLINE = 0.2

    def drip_headers(connection, tally):
        _sent(connection, tally, b"HTTP/1.1 200 OK\r\nX-Slow: ")
        for _ in range(500):
            _sent(connection, tally, b"a")
            threading.Event().wait(0.02)
        _sent(connection, tally, b"\r\nContent-Length: 2\r\n\r\n{}")

    with loopback_server(drip_headers) as (url, tally), pytest.raises(Transient) as raised:
        http.send("GET", url, access_token="secret")
    assert "did not answer within" in raised.value.message
    # The server had far more to send when coachlink hung up.
    assert tally["bytes"] < 300


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 200000000\r\n\r\n",
        # No length announced: the body is read until it passes the limit.
        b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
    ],
)
def test_an_answer_larger_than_the_limit_is_cut_off(settings, head):
    settings.EXACT_MAX_BODY = 100_000

    def huge(connection, tally):
        _sent(connection, tally, head)
        for _ in range(200):
            _sent(connection, tally, b"[" * 1_000_000)

    with loopback_server(huge) as (url, tally), pytest.raises(Transient) as raised:
        http.send("GET", url)
    assert "larger than 100000 bytes" in raised.value.message
    # The server had far more to send when coachlink hung up.
    assert tally["bytes"] < 200_000_000


def test_an_answer_within_the_limits_is_read_whole(settings):
    settings.EXACT_MAX_BODY = 100_000
    body = b'{"d": {"results": []}}'

    def small(connection, tally):
        _sent(connection, tally, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
        _sent(connection, tally, body)

    with loopback_server(small) as (url, _tally):
        answer = http.send("GET", url)
    assert answer.status_code == 200 and answer.json() == {"d": {"results": []}}


def test_a_json_answer_nested_too_deeply_is_unreadable_not_a_crash():
    answer = http.Answer(200, {}, b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(Transient):
        http.json_read(answer)


@pytest.mark.parametrize(
    "body",
    [
        b"<html>login</html>",
        b'{"access_token": "x", "expires_in": "soon"}',
        # Digits int() refuses, and a lifetime no clock can add.
        '{"access_token": "x", "expires_in": "²"}'.encode(),
        b'{"access_token": "x", "expires_in": "99999999999999999999999"}',
        b"[1, 2]",
        b"null",
    ],
)
def test_an_unreadable_answer_of_the_token_service_is_a_transient_error(settings, body):
    def token_service(connection, tally):
        head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
        _sent(connection, tally, head + body)

    with loopback_server(token_service) as (url, _tally):
        settings.EXACT_BASE_URL_NL = url
        with pytest.raises(Transient):
            oauth.token_refresh(site="nl", refresh_token="r")
