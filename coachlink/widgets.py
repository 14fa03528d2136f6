"""Date and time fields typed the way a Dutch finance team writes them, in both languages."""

from django import forms
from django.utils.translation import gettext_lazy as _

# The browser's own date and time pickers follow the browser's locale, not the page's
# language: an English Chromium shows mm/dd/yyyy and AM/PM on a Dutch screen. A text field
# with the format spelled out reads the same for everyone and accepts what people type.
DATE_INVALID = _("Enter the date as day-month-year, for example 31-12-2026.")
TIME_INVALID = _("Enter the time as hours:minutes on the 24-hour clock, for example 02:30.")


def _typed_attrs(*, placeholder, size: int, attrs: dict | None) -> dict:
    return {
        "placeholder": placeholder,
        "inputmode": "numeric",
        "autocomplete": "off",
        "size": size,
        **(attrs or {}),
    }


class DayMonthYearInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(
            _typed_attrs(placeholder=_("dd-mm-yyyy"), size=10, attrs=attrs), format="%d-%m-%Y"
        )


class HoursMinutesInput(forms.TimeInput):
    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(_typed_attrs(placeholder=_("hh:mm"), size=5, attrs=attrs), format="%H:%M")
