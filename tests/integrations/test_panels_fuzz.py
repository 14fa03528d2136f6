from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from integrations.models import AuditEntry, ExactLink
from testkit.factories import ExactLinkFactory, LinkManagerFactory
from tests.integrations.panel_data import valid_panels

CHECKBOXES = [
    "debtor-overwrite_existing",
    "financial-negative_as_credit_note",
    "financial-send_pdf",
    "financial-send_cost_center",
    "payment-payment_registration",
]
OPTIONS = {
    "oauth-site": ["nl", "be"],
    "general-country": ["NL", "BE"],
    "debtor-debtor_number_option_1": [
        "DebtorNumber",
        "DebtorNumberExternal",
        "CompanyPersonExternID",
    ],
    "debtor-debtor_number_option_2": ["", "DebtorNumber", "CompanyPersonExternID"],
    "debtor-debtor_number_option_3": ["", "DebtorNumberExternal"],
    "financial-booking_date_option_1": ["invoice_date", "export_date"],
    "financial-booking_date_option_2": ["", "invoice_date", "order_end_date"],
    "financial-export_moment": ["realtime", "nightly"],
    "financial-nightly_repetition": ["", "daily", "monthly"],
    "financial-project_code_source": ["", "course_code"],
    "financial-nightly_time": ["", "02:30", "25:61"],
    "payment-payment_interval_minutes": ["15", "0", "-1", "99999999999999999999"],
    "payment-payment_from_date": ["", "2026-01-31", "2026-02-30", "99999-01-01"],
    "financial-invoice_number_prefix": ["", "2018", "21474", "\uff10"],
}
anything = st.text(max_size=40) | st.sampled_from(["", " ", "\x00", "7095", "1" * 30, "'; --"])


def field_value(name: str):
    chosen = st.sampled_from(OPTIONS[name]) if name in OPTIONS else st.nothing()
    return st.one_of(chosen, anything, st.none())


panel_posts = st.fixed_dictionaries(
    {name: field_value(name) for name in valid_panels()},
    optional={name: st.sampled_from(["on", "", "x"]) for name in CHECKBOXES},
)


def stored() -> list[dict]:
    return [model_to_dict(link) for link in ExactLink.objects.all()]


class PanelsFuzzTests(TestCase):
    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(data=panel_posts)
    def test_any_post_is_saved_whole_or_not_at_all_and_never_a_server_error(self, data):
        client = Client()
        client.force_login(LinkManagerFactory())
        ExactLinkFactory(payment_registration=True, invoice_number_prefix="2018")
        before, audit_before = stored(), AuditEntry.objects.count()
        data = {key: value for key, value in data.items() if value is not None}
        response = client.post(reverse("integrations:exact_configure"), data)
        assert response.status_code in (302, 400), response.status_code
        if response.status_code == 400:
            assert stored() == before
            assert AuditEntry.objects.count() == audit_before
        else:
            assert AuditEntry.objects.count() == audit_before + 1
            assert ExactLink.objects.get().division == data["general-division"].strip()
