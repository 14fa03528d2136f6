"""coachlink's own messages: kept as an id and raw values, said in the reader's language."""

import datetime as dt
from decimal import Decimal

from django.utils import translation

from coachlink.messages import (
    Message,
    choice_value,
    message_fields,
    message_text,
    moment_value,
    number_value,
)
from integrations.exact.entities import VatCode
from integrations.exact.rules import vat_rate_breach
from integrations.models import ProjectCodeSource


def _said(message: Message, language: str) -> str:
    stored = message_fields(message)
    with translation.override(language):
        return message_text(text=stored["error_message"], said=stored["error_said"])


def test_a_label_a_moment_and_a_number_are_said_as_the_reader_writes_them():
    message = Message(
        "%(source)s %(when)s %(rate)s",
        source=choice_value(ProjectCodeSource.REQUEST_NUMBER),
        when=moment_value(dt.datetime(2026, 3, 5, 8, 30, tzinfo=dt.UTC)),
        rate=number_value(Decimal("10.5"), decimals=1),
    )
    # Stored in English, with the site's time zone (Amsterdam, UTC+1 in March).
    assert message_fields(message)["error_message"] == "Request number 05-03-2026 09:30 10.5"
    assert _said(message, "nl") == "Aanvraagnummer 05-03-2026 09:30 10,5"


def test_a_breach_keeps_its_rates_raw_for_the_reader():
    vat_codes = {"2": VatCode(code="2", type="E", percentage=Decimal("9"))}
    breach = vat_rate_breach(code="2", percentage=Decimal("10.50"), vat_codes=vat_codes)
    assert "10.50% in coachlink but 9% in Exact Online" in _said(breach.message, "en")
    assert "10,50%" in _said(breach.message, "nl")


def test_a_stored_message_that_no_longer_fits_shows_its_english_text():
    stored = {"id": "Journal %(code)s does not exist in Exact Online.", "params": {}}
    with translation.override("nl"):
        assert message_text(text="Journal 70 does not exist.", said=stored) == (
            "Journal 70 does not exist."
        )
