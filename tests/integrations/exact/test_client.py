import datetime as dt

import pytest
import requests
from django.utils import timezone

from integrations.exact import api, client, http, ratelimit
from integrations.exact.entities import NewSalesEntry
from integrations.exact.errors import (
    BudgetSpent,
    NotFound,
    RateLimited,
    Reauthenticate,
    Refused,
    Transient,
)
from integrations.models import AuditAction, AuditEntry, ExactLink

pytestmark = pytest.mark.django_db

TOKEN_ENDPOINT = "POST oauth2/token"


def token_calls(sandbox) -> int:
    counters = sandbox.counters()["by_method_endpoint"]
    return sum(count for key, count in counters.items() if "token" in key.lower())


def expire_locally(link: ExactLink) -> None:
    """Our clock reaches the end of the token's life (the sandbox's clock is moved apart)."""
    ExactLink.objects.filter(pk=link.pk).update(
        token_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )


def test_it_refreshes_the_token_once_when_it_expires(authenticated_link, sandbox):
    first = authenticated_link.access_token
    sandbox.advance_clock(600)
    expire_locally(authenticated_link)
    sandbox.reset_counters()
    assert api.journals(authenticated_link)
    assert api.journals(authenticated_link)
    assert token_calls(sandbox) == 1
    assert ExactLink.objects.get().access_token != first


def test_it_refreshes_when_exact_refuses_a_token_our_clock_thinks_is_fresh(
    authenticated_link, sandbox
):
    sandbox.advance_clock(600)
    sandbox.reset_counters()
    assert api.journals(authenticated_link)
    assert token_calls(sandbox) == 1
    assert sandbox.counters()["by_status"].get("401") == 1


def test_it_keeps_the_stored_token_when_exact_says_it_has_not_expired(authenticated_link, sandbox):
    stored = authenticated_link.access_token
    expire_locally(authenticated_link)
    sandbox.reset_counters()
    for _ in range(3):
        assert client.access_token_get(link=authenticated_link) == stored
    assert not ExactLink.objects.get().token_chain_broken
    # Told "not expired" once, it leaves the token endpoint alone for a while.
    assert token_calls(sandbox) == 1


def test_an_old_refresh_token_breaks_the_chain_without_looping(authenticated_link, sandbox):
    sandbox.advance_clock(600)
    expire_locally(authenticated_link)
    old_refresh = authenticated_link.refresh_token
    client.access_token_get(link=authenticated_link)
    # Another installation (or a restored backup) presents the refresh token used already.
    link = ExactLink.objects.get()
    link.tokens_set(access_token="stale", refresh_token=old_refresh, expires_in=0)
    link.save()
    sandbox.advance_clock(600)
    sandbox.reset_counters()
    for _ in range(3):
        with pytest.raises(Reauthenticate):
            api.journals(link)
    assert token_calls(sandbox) == 1
    link.refresh_from_db()
    assert link.token_chain_broken and not link.is_authenticated
    assert AuditEntry.objects.filter(action=AuditAction.TOKEN_CHAIN_BROKEN).count() == 1


def test_a_refresh_token_unused_for_30_days_asks_for_a_new_login(authenticated_link, sandbox):
    sandbox.advance_clock(31 * 86400)
    expire_locally(authenticated_link)
    with pytest.raises(Reauthenticate) as raised:
        client.access_token_get(link=authenticated_link)
    assert raised.value.permanent
    assert ExactLink.objects.get().token_chain_broken


def test_the_rate_limiter_waits_for_the_reset_instead_of_collecting_429s(
    authenticated_link, sandbox, monkeypatch
):
    sandbox.set_limits(minutely=3)
    waits = []

    def wait_on_the_sandbox_clock(seconds):
        waits.append(seconds)
        sandbox.advance_clock(seconds)

    monkeypatch.setattr(ratelimit, "sleep", wait_on_the_sandbox_clock)
    sandbox.reset_counters()
    for _ in range(8):
        api.journals(authenticated_link)
    assert "429" not in sandbox.counters()["by_status"]
    assert len(waits) >= 2


def test_a_429_waits_for_the_reset_once(authenticated_link, sandbox, monkeypatch):
    sandbox.set_limits(minutely=2)
    monkeypatch.setattr(ratelimit, "sleep", sandbox.advance_clock)
    token = authenticated_link.access_token
    # Someone else spends the minute behind our limiter's back.
    for _ in range(2):
        requests.get(
            f"{sandbox.nl}/api/v1/7095/financial/Journals",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=10,
        )
    sandbox.reset_counters()
    assert api.journals(authenticated_link)
    assert sandbox.counters()["by_status"].get("429") == 1


def test_the_days_budget_is_read_from_exacts_headers_and_counted_between(
    authenticated_link, sandbox, settings
):
    settings.EXACT_REALTIME_RESERVE = 0.5
    sandbox.set_limits(daily=6, day_seconds=600)
    sandbox.advance_clock(600)
    api.journals(authenticated_link)
    budget = client.budget_today(link=authenticated_link)
    assert (budget.daily_limit, budget.daily_used, budget.daily_left) == (6, 1, 5)
    assert budget.minutely_used == 1 and budget.reserve == 3
    assert budget.daily_resets_at.timestamp() % 600 == 0
    sandbox.reset_counters()
    with ratelimit.budget_lane(ratelimit.BULK):
        api.journals(authenticated_link)
        api.journals(authenticated_link)
        with pytest.raises(BudgetSpent) as raised:
            api.journals(authenticated_link)
    assert "resets at" in raised.value.message
    # The reserve stays for realtime calls; after it, realtime waits for the day as well.
    for _ in range(3):
        api.journals(authenticated_link)
    with pytest.raises(BudgetSpent):
        api.journals(authenticated_link)
    assert sandbox.counters()["by_status"] == {"200": 5}
    assert client.budget_today(link=authenticated_link).daily_left == 0


def test_gateway_failures_are_transient(authenticated_link, sandbox):
    sandbox.set_faults(error_rate=1.0, error_statuses=[503])
    with pytest.raises(Transient) as raised:
        api.journals(authenticated_link)
    assert raised.value.status == 503 and not raised.value.permanent


def test_refusals_are_permanent_and_carry_exacts_words(authenticated_link):
    entry = NewSalesEntry(
        journal="70",
        customer_id="",
        credit_note=False,
        entry_date=dt.date(2026, 11, 20),
        your_ref="1",
        invoice_number=1,
        description="",
        lines=(),
    )
    with pytest.raises(Refused) as raised:
        api.sales_entry_create(authenticated_link, entry=entry)
    assert raised.value.permanent
    assert raised.value.messages


class FakeResponse:
    def __init__(self, status_code, body, headers=None):
        self.status_code, self._body, self.headers = status_code, body, headers or {}

    def json(self):
        if self._body is None:
            raise ValueError("no JSON")
        return self._body


def exact_error_body(text):
    return {"error": {"code": "", "message": {"lang": "nl-NL", "value": text}}}


def test_exacts_messages_are_split_on_crlf():
    error = http.error_from_response(
        FakeResponse(400, exact_error_body("Verplicht: Factuur voor\r\nVerplicht: Besteld door"))
    )
    assert error.messages == ["Verplicht: Factuur voor", "Verplicht: Besteld door"]
    assert error.permanent and error.status == 400


@pytest.mark.parametrize(
    ("status", "body", "kind", "permanent"),
    [
        (500, exact_error_body("Gegeven bestaat reeds"), Refused, True),
        (500, None, Transient, False),
        (500, exact_error_body("Er is een interne fout opgetreden."), Transient, False),
        (502, None, Transient, False),
        (504, None, Transient, False),
        (429, None, RateLimited, False),
        (404, exact_error_body("Not found"), NotFound, True),
        (403, exact_error_body("Forbidden"), Refused, True),
    ],
)
def test_it_says_whether_a_retry_can_help(status, body, kind, permanent):
    error = http.error_from_response(FakeResponse(status, body))
    assert type(error) is kind
    assert error.permanent is permanent


def test_an_answer_that_is_not_json_is_transient():
    with pytest.raises(Transient):
        http.json_read(FakeResponse(200, None))


def test_it_follows_next_page_by_page(authenticated_link, sandbox):
    # The sandbox seeds 65 customers and answers 60 rows a page, as Exact does.
    sandbox.reset_counters()
    rows = client.rows(
        authenticated_link,
        "crm/Accounts",
        params={"$select": "ID,Code", "$filter": "Status eq 'C'"},
    )
    codes = {str(row["Code"]).strip() for row in rows}
    assert {str(number) for number in range(900001, 900066)} <= codes
    assert len(rows) == len(codes) > 60
    assert sandbox.counters()["by_method_endpoint"] == {"GET crm/Accounts": 2}


def test_every_call_has_a_timeout(monkeypatch, settings):
    settings.EXACT_DEADLINE = 7.5
    seen = {}

    def fake(method, url, **kwargs):
        seen.update(kwargs)
        raise requests.Timeout

    monkeypatch.setattr(http._http, "request", fake)
    with pytest.raises(Transient) as raised:
        http.send("GET", "https://exact.test/api")
    assert seen["timeout"] == 7.5 and not raised.value.permanent
