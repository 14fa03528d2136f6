from django import forms
from django.db import models
from django.utils import timezone
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


class BacklogChoice(models.TextChoices):
    EXCLUDE = "exclude", _("Exclude them: they are already in Exact Online or must not go there")
    SEND = "send", _("Send them to Exact Online now")


class BacklogChoiceForm(forms.Form):
    """What to do, on enabling, with the final invoices that are not yet in Exact Online."""

    backlog = forms.ChoiceField(
        label=_("What should happen with these invoices?"),
        choices=BacklogChoice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happens with these invoices.")},
    )
    up_to = forms.DateField(
        label=_("Exclude the invoices dated up to and including"),
        required=False,
        widget=DayMonthYearInput(),
        error_messages={"invalid": DATE_INVALID},
        help_text=_(
            "Invoices dated later are sent. Excluded invoices are never sent; one can still be "
            "exported by hand from its export record."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["up_to"].initial = timezone.localdate()

    def clean(self) -> dict:
        cleaned = super().clean()
        excluding = cleaned.get("backlog") == BacklogChoice.EXCLUDE
        if excluding and not cleaned.get("up_to") and "up_to" not in self.errors:
            self.add_error(
                "up_to",
                forms.ValidationError(
                    _("Fill in up to which invoice date the invoices are excluded."),
                    code="required",
                ),
            )
        return cleaned
