"""Text that looks like a number but is none a column can hold: what people type in a search
or an address, and what Exact may send. It matches nothing or is refused; it never fails."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from coachlink.numbers import INTEGER_LARGEST, whole_number
from exports.reconciliation.compare import _code
from integrations.exact.rules import relation_code
from testkit.factories import final_invoice_create

ODD = ["²", "٣", "99999999999999999999", "2147483648", "1e5", "-1", "0" * 40]


@pytest.mark.parametrize(
    ("text", "number"),
    [("42", 42), ("00042", 42), ("²", None), ("٣", None), ("4 2", None), ("", None), ("-1", None)],
)
def test_a_whole_number_is_ascii_digits(text, number):
    assert whole_number(text) == number


def test_a_number_above_the_column_is_none():
    assert whole_number(str(INTEGER_LARGEST), largest=INTEGER_LARGEST) == INTEGER_LARGEST
    assert whole_number(str(INTEGER_LARGEST + 1), largest=INTEGER_LARGEST) is None


@pytest.mark.django_db
@pytest.mark.parametrize("query", ODD)
@pytest.mark.parametrize("page", ["billing:invoice_list", "exports:log"])
def test_a_search_for_an_odd_number_finds_nothing_and_fails_nowhere(client, query, page):
    final_invoice_create()
    client.force_login(User.objects.create_superuser("finance"))

    answer = client.get(reverse(page), {"q": query})

    assert answer.status_code == 200
    assert len(answer.context["page"]) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("run", ["²", "99999999999999999999", "12"])
def test_an_odd_or_unknown_run_shows_no_error_page(client, run):
    client.force_login(User.objects.create_superuser("finance"))

    answer = client.get(reverse("exports:reconciliation"), {"run": run})

    assert answer.status_code in (200, 404)


@pytest.mark.parametrize("text", ["²", "١٢", "99"])
def test_relation_numbers_from_exact_compare_without_failing(text):
    assert _code(text) == ("99" if text == "99" else text)
    assert relation_code(text) == ("99" if text == "99" else None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("x" * 101, "Zorg dat deze waarde niet meer dan 100 tekens bevat (het zijn er nu 101)."),
        ("Jan\x00sen", "Null-tekens zijn niet toegestaan."),
    ],
)
@pytest.mark.parametrize("page", ["billing:invoice_list", "exports:log"])
def test_a_search_that_cannot_run_says_why_and_lists_nothing(client, query, message, page):
    final_invoice_create()
    client.force_login(User.objects.create_superuser("finance"))

    answer = client.get(reverse(page), {"q": query}, HTTP_ACCEPT_LANGUAGE="nl")

    html = answer.content.decode()
    assert answer.status_code == 200
    assert "De zoekopdracht is niet uitgevoerd:" in html and message in html
    assert len(answer.context["page"]) == 0
    assert 'maxlength="100"' in html
