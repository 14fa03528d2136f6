from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import (
    LINE_NEEDS_GL_ACCOUNT,
    LINE_NEEDS_VAT_RATE,
    Invoice,
    InvoiceLine,
    Parameters,
)

START_NUMBER_INVALID = _("A start number must be a positive whole number, such as 1 or 10001.")


class ParametersForm(forms.ModelForm):
    class Meta:
        model = Parameters
        fields = [
            "first_debtor_number",
            "first_invoice_number",
            "company_name",
            "company_address",
            "company_vat_number",
            "company_chamber_of_commerce",
            "company_iban",
        ]
        error_messages = {
            "first_debtor_number": {"invalid": START_NUMBER_INVALID},
            "first_invoice_number": {"invalid": START_NUMBER_INVALID},
        }


class InvoiceLineForm(forms.ModelForm):
    class Meta:
        model = InvoiceLine
        fields = ["description", "quantity", "unit_price", "vat_rate", "gl_account", "cost_center"]
        error_messages = {
            "vat_rate": {"required": LINE_NEEDS_VAT_RATE},
            "gl_account": {"required": LINE_NEEDS_GL_ACCOUNT},
        }


class InvoiceFilterForm(forms.Form):
    """The filter bar above the invoice list."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Invoice number or debtor name")}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Invoice.Status.choices],
    )
