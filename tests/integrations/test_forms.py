import pytest
from django.utils import translation

from integrations.forms import LinkPanels
from integrations.models import ExactLink
from testkit.factories import ExactLinkFactory
from tests.integrations.panel_data import valid_panels

pytestmark = pytest.mark.django_db


def errors_of(data: dict, *, instance=None, language="en") -> dict[str, list[str]]:
    with translation.override(language):
        panels = LinkPanels(data, instance=instance or ExactLink())
        panels.is_valid()
        return {
            f"{form.prefix}-{field}": [str(message) for message in messages]
            for form in panels
            for field, messages in form.errors.items()
        }


def test_it_accepts_the_defaults_of_the_seeds():
    assert errors_of(valid_panels()) == {}


def test_the_model_defaults_are_the_seeds_defaults():
    link = ExactLink()
    assert (link.name, link.journal, link.debtor_gl_account) == ("Exact Online", "70", "1300")
    assert link.payment_interval_minutes == 15


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "digits only"), ("nl", "alleen cijfers")],
)
@pytest.mark.parametrize("division", ["70 95", "abc", "\uff17\uff10\uff19\uff15", "1234567890"])
def test_it_wants_the_division_code_as_digits(division, language, text):
    errors = errors_of(valid_panels(**{"general-division": division}), language=language)
    assert text in errors["general-division"][0]


def authenticated(**fields) -> ExactLink:
    link = ExactLinkFactory(refresh_token_encrypted="stored", **fields)
    assert link.is_authenticated
    return link


def test_the_division_may_wait_until_exact_lists_the_administrations():
    assert errors_of(valid_panels(**{"general-division": ""})) == {}
    errors = errors_of(valid_panels(**{"general-division": ""}), instance=authenticated())
    assert errors["general-division"] == ["Choose the administration coachlink books into."]


CONSENTED = [
    {"code": "7095", "description": "Opleidingen Zuid BV"},
    {"code": "7096", "description": "Opleidingen Zuid BV (test)"},
]


def test_after_authentication_the_division_is_chosen_from_the_consented_ones():
    link = authenticated(division="", consented_divisions=CONSENTED)
    field = LinkPanels(instance=link).forms[1].fields["division"]
    assert list(field.choices)[1:] == [
        ("7095", "7095 Opleidingen Zuid BV"),
        ("7096", "7096 Opleidingen Zuid BV (test)"),
    ]
    assert errors_of(valid_panels(**{"general-division": "7096"}), instance=link) == {}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "did not give coachlink access to division 7097. Click Authenticate, tick"),
        ("nl", "heeft coachlink geen toegang gegeven tot divisie 7097. Klik op Authenticeren"),
    ],
)
def test_a_division_that_was_not_consented_is_refused_with_the_fix(language, text):
    link = authenticated(division="7097", consented_divisions=CONSENTED)
    field = LinkPanels(instance=link).forms[1].fields["division"]
    assert ("7097", "7097 (no access given)") in list(field.choices)
    errors = errors_of(
        valid_panels(**{"general-division": "7097"}), instance=link, language=language
    )
    assert text in errors["general-division"][0]


@pytest.mark.parametrize(
    ("field", "value", "text"),
    [
        ("financial-journal", "7O", "a journal code is a number from 1 to 999"),
        ("financial-journal", "1000", "a journal code is a number from 1 to 999"),
        ("financial-journal", "0", "a journal code is a number from 1 to 999"),
        ("financial-journal", "\uff17\uff10", "a journal code is a number from 1 to 999"),
        ("financial-debtor_gl_account", "13x0", "digits only, at most 9"),
        ("financial-debtor_gl_account", "1234567890", "digits only, at most 9"),
    ],
)
def test_codes_exact_cannot_have_are_refused(field, value, text):
    assert text in errors_of(valid_panels(**{field: value}))[field][0]
    with translation.override("nl"):
        dutch = errors_of(valid_panels(**{field: value}), language="nl")[field][0]
    assert "Exact Online" in dutch and text not in dutch


def test_codes_in_exacts_format_are_accepted():
    data = valid_panels(**{"financial-journal": " 7 ", "financial-debtor_gl_account": "123456789"})
    assert errors_of(data) == {}


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "option 1: it is mandatory"), ("nl", "optie 1: deze is verplicht")],
)
def test_option_1_is_mandatory(language, text):
    errors = errors_of(valid_panels(**{"debtor-debtor_number_option_1": ""}), language=language)
    assert text in errors["debtor-debtor_number_option_1"][0]


@pytest.mark.parametrize(
    ("language", "text"), [("en", "choose it once"), ("nl", "kies hem één keer")]
)
def test_no_option_may_be_chosen_twice(language, text):
    data = valid_panels(
        **{
            "debtor-debtor_number_option_2": "DebtorNumberExternal",
            "debtor-debtor_number_option_3": "DebtorNumber",
        }
    )
    errors = errors_of(data, language=language)
    assert text in errors["debtor-debtor_number_option_3"][0]


def test_option_3_needs_option_2():
    errors = errors_of(valid_panels(**{"debtor-debtor_number_option_3": "DebtorNumberExternal"}))
    assert "Choose option 2 before option 3." in errors["debtor-debtor_number_option_3"]


@pytest.mark.parametrize(
    ("language", "text"), [("en", "Fill in the ExternSource"), ("nl", "Vul de ExternSource in")]
)
def test_extern_source_is_required_with_company_person_extern_id(language, text):
    data = valid_panels(**{"debtor-debtor_number_option_2": "CompanyPersonExternID"})
    assert text in errors_of(data, language=language)["debtor-extern_source"][0]
    data["debtor-extern_source"] = "Exact"
    assert errors_of(data) == {}


@pytest.mark.parametrize(
    ("field", "language", "text"),
    [
        ("debtor-debtor_prefix", "en", "digits only"),
        ("debtor-debtor_prefix", "nl", "alleen cijfers"),
        ("financial-invoice_number_prefix", "en", "digits only"),
        ("financial-invoice_number_prefix", "nl", "alleen cijfers"),
    ],
)
def test_prefixes_hold_digits_only(field, language, text):
    errors = errors_of(valid_panels(**{field: "20A"}), language=language)
    assert text in errors[field][0]


@pytest.mark.parametrize(("language", "text"), [("en", "at most 18"), ("nl", "hoogstens 18")])
def test_the_debtor_prefix_and_a_five_digit_number_fit_in_18_characters(language, text):
    assert errors_of(valid_panels(**{"debtor-debtor_prefix": "1" * 13})) == {}
    errors = errors_of(valid_panels(**{"debtor-debtor_prefix": "1" * 14}), language=language)
    assert text in errors["debtor-debtor_prefix"][0]


@pytest.mark.parametrize(("language", "text"), [("en", "2147483647"), ("nl", "2147483647")])
def test_the_invoice_number_prefix_keeps_the_number_within_int32(language, text):
    assert errors_of(valid_panels(**{"financial-invoice_number_prefix": "21473"})) == {}
    errors = errors_of(
        valid_panels(**{"financial-invoice_number_prefix": "21474"}), language=language
    )
    assert text in errors["financial-invoice_number_prefix"][0]


@pytest.mark.parametrize(("language", "text"), [("en", "keep its length"), ("nl", "lengte houden")])
def test_the_invoice_prefix_length_is_frozen_while_payment_registration_is_on(language, text):
    link = ExactLinkFactory(payment_registration=True, invoice_number_prefix="2018")
    on = {"payment-payment_registration": "on"}
    errors = errors_of(
        valid_panels(**on, **{"financial-invoice_number_prefix": "201"}),
        instance=link,
        language=language,
    )
    assert text in errors["financial-invoice_number_prefix"][0]
    same_length = valid_panels(**on, **{"financial-invoice_number_prefix": "2019"})
    assert errors_of(same_length, instance=ExactLink.objects.get()) == {}


def test_the_invoice_prefix_length_may_change_while_payment_registration_is_off():
    link = ExactLinkFactory(payment_registration=False, invoice_number_prefix="2018")
    data = valid_panels(**{"financial-invoice_number_prefix": "20"})
    assert errors_of(data, instance=link) == {}


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "must differ from option 1"), ("nl", "moet anders zijn dan optie 1")],
)
def test_booking_date_option_2_differs_from_option_1(language, text):
    data = valid_panels(**{"financial-booking_date_option_2": "invoice_date"})
    assert text in errors_of(data, language=language)["financial-booking_date_option_2"][0]


@pytest.mark.parametrize(
    ("language", "time_text", "repetition_text"),
    [("en", "time of the nightly", "how often"), ("nl", "tijdstip van de nachtelijke", "hoe vaak")],
)
def test_the_nightly_export_needs_a_time_and_a_repetition(language, time_text, repetition_text):
    data = valid_panels(**{"financial-export_moment": "nightly"})
    errors = errors_of(data, language=language)
    assert time_text in errors["financial-nightly_time"][0]
    assert repetition_text in errors["financial-nightly_repetition"][0].lower()
    data.update({"financial-nightly_time": "02:30", "financial-nightly_repetition": "weekly"})
    assert errors_of(data) == {}


def test_every_field_has_a_help_text_in_english_and_dutch():
    for language in ("en", "nl"):
        with translation.override(language):
            for form in LinkPanels(instance=ExactLink()):
                for name, field in form.fields.items():
                    assert field.help_text, f"{form.prefix}-{name} has no help text"
    with translation.override("nl"):
        panels = LinkPanels(instance=ExactLink())
        assert "divisiecode" in str(panels.forms[1].fields["division"].help_text)


def test_a_second_link_is_refused_with_the_reason():
    ExactLinkFactory()
    with pytest.raises(Exception, match="one administration per link"):
        ExactLink.objects.create(division="7096")
    errors = errors_of(valid_panels(), language="nl")
    assert any("één administratie" in message for message in errors.get("oauth-__all__", []))
