from django import forms
from django.utils.translation import gettext_lazy as _

from coachlink.widgets import DATE_INVALID, DayMonthYearInput
from exports.models import ExportState


class ExportLogFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All states")), *ExportState.choices],
    )


class ExcludeExistingForm(forms.Form):
    up_to = forms.DateField(
        label=_("Invoices dated up to and including"),
        widget=DayMonthYearInput(attrs={"class": "form-control form-control-sm", "required": True}),
        error_messages={"invalid": DATE_INVALID, "required": DATE_INVALID},
        help_text=_(
            "Final invoices up to this date that have not gone to Exact Online are marked "
            "excluded and never exported. Use it once, for the invoices made before the link."
        ),
    )
