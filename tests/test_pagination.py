"""Paging through a long list by its sort key: every row once, in order, both ways."""

import datetime as dt
import random

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from billing import views
from billing.models import Invoice
from coachlink import pagination
from testkit.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

URL = reverse("billing:invoice_list")
PAGE_SIZE = 7


@pytest.fixture
def user_client(client, django_user_model, monkeypatch):
    monkeypatch.setattr(views, "INVOICES_PER_PAGE", PAGE_SIZE)
    user = django_user_model.objects.create_user("fin", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    client.force_login(user)
    return client


@pytest.fixture
def invoices() -> list[Invoice]:
    """Invoices on a few days, numbered out of creation order, drafts among them; newest first."""
    chance = random.Random(14)
    numbers = chance.sample(range(1, 100), 30)
    made = []
    for index in range(40):
        invoice = InvoiceFactory(date=dt.date(2026, 3, 1) + dt.timedelta(days=chance.randrange(4)))
        if index < len(numbers):
            Invoice.objects.filter(pk=invoice.pk).update(
                status=Invoice.Status.FINAL, number=numbers[index]
            )
        made.append(Invoice.objects.get(pk=invoice.pk))
    return sorted(made, key=lambda i: (i.date, i.number or 0, i.pk), reverse=True)


def walk(client, url: str, link: str) -> list[list[Invoice]]:
    pages = []
    while url:
        page = client.get(url).context["page"]
        pages.append(list(page))
        url = URL + getattr(page, link) if getattr(page, f"has_{link[:-4]}") else ""
    return pages


def test_next_walks_every_invoice_once_newest_first_by_number_within_a_day(user_client, invoices):
    pages = walk(user_client, URL, "next_url")

    assert [invoice for page in pages for invoice in page] == invoices
    assert [len(page) for page in pages] == [7, 7, 7, 7, 7, 5]


def test_previous_walks_back_from_the_last_page_to_the_first(user_client, invoices):
    pages = walk(user_client, URL + "?page=last", "previous_url")

    # Back from the last page each page holds the seven before it, until the start of the
    # list, where the whole first page is shown (two of its rows were on the page after it).
    assert pages[-1] == invoices[:PAGE_SIZE]
    seen = [invoice for page in reversed(pages[:-1]) for invoice in page]
    assert invoices[:PAGE_SIZE] + seen[2:] == invoices
    assert seen[:2] == invoices[5:PAGE_SIZE]
    assert [len(page) for page in pages] == [7, 7, 7, 7, 7, 7]


def test_the_first_and_last_pages_say_where_they_are(user_client, invoices):
    first = user_client.get(URL).context["page"]
    last = user_client.get(URL, {"page": "last"}).context["page"]

    assert (first.has_previous, first.has_next) == (False, True)
    assert (last.has_previous, last.has_next) == (True, False)
    assert list(last) == invoices[-PAGE_SIZE:]
    assert str(first.total) == "40"
    html = user_client.get(URL).content.decode()
    assert "40 results" in html
    assert 'rel="next"' in html


def test_the_pages_keep_the_filter(user_client, invoices):
    first = user_client.get(URL, {"status": "final"}).context["page"]

    assert first.next_url.startswith("?status=final&after=")
    second = user_client.get(URL + first.next_url).context["page"]
    finals = [invoice for invoice in invoices if invoice.number]
    assert list(second) == finals[PAGE_SIZE : 2 * PAGE_SIZE]


@pytest.mark.parametrize(
    "params",
    [
        {"after": "not-a-key"},
        {"after": "2026-13-01_1_1"},
        {"before": "2026-03-01_x_1"},
        {"after": "2026-03-01_1"},
        {"after": "2026-03-01_1_" + "9" * 30},
        {"before": "2026-03-01T10:00:00_1"},
        {"page": "7"},
    ],
)
def test_a_key_that_does_not_read_shows_the_first_page(user_client, invoices, params):
    page = user_client.get(URL, params).context["page"]

    assert list(page) == invoices[:PAGE_SIZE]


def test_previous_after_rows_went_away_shows_a_whole_first_page(user_client):
    drafts = InvoiceFactory.create_batch(10)
    second = user_client.get(URL + user_client.get(URL).context["page"].next_url).context["page"]
    assert len(second) == 3
    Invoice.objects.filter(pk__in=[drafts[-1].pk, drafts[-2].pk]).delete()

    back = user_client.get(URL + second.previous_url).context["page"]

    assert list(back) == sorted(drafts[:8], key=lambda i: i.pk, reverse=True)[:PAGE_SIZE]
    assert (back.has_previous, back.has_next) == (False, True)


def test_a_long_list_shows_the_planners_estimate_or_a_lower_bound(
    user_client, invoices, monkeypatch
):
    monkeypatch.setattr(pagination, "COUNT_BOUND", 10)

    page = user_client.get(URL).context["page"]

    assert not page.total.exact
    if page.total.estimated:
        assert page.total.value > 10
        assert str(page.total).startswith("about ")
    else:
        assert str(page.total) == "more than 10"
    assert "results" in page.total.label


def test_the_total_speaks_dutch(user_client, invoices, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_BOUND", 10)

    html = user_client.get(URL, headers={"accept-language": "nl"}).content.decode()

    assert "resultaten" in html
    assert "Volgende" in html
