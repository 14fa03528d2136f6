"""One form per panel of the configure screen, validated and saved together."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from coachlink.widgets import DATE_INVALID, TIME_INVALID, DayMonthYearInput, HoursMinutesInput
from integrations.exact import rules
from integrations.models import AUDIT_MASK, DebtorNumberSource, ExactLink, ExportMoment, audit_value

# coachlink's invoice and debtor numbers have five digits; a prefix goes in front of them
# within Exact's limits (integrations.exact.rules).
INVOICE_NUMBER_DIGITS = 5
DEBTOR_NUMBER_DIGITS = 5


class PanelForm(forms.ModelForm):
    """A panel: rendered by crispy inside the one <form> of the screen."""

    title = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField) and field.choices and field.choices[0][0] == "":
                field.choices = [("", _("(none)")), *field.choices[1:]]


class OAuthForm(PanelForm):
    title = _("OAuth")

    class Meta:
        model = ExactLink
        fields = ["name", "site"]
        help_texts = {
            "name": _(
                "The name of the link. By default it says 'Exact Online', but you may "
                "overwrite the name."
            ),
            "site": _(
                "Choose The Netherlands or Belgium: this picks the Exact Online site you log "
                "in to when you authenticate."
            ),
        }


class GeneralForm(PanelForm):
    title = _("General")

    class Meta:
        model = ExactLink
        fields = ["division", "country"]
        help_texts = {
            "division": _(
                "The target administration (live or test) in Exact Online. Fill in its division "
                "code, not the administration code. To find it, place the mouse on the code or "
                "description of an administration in Exact Online's overview: the line at the "
                "bottom of the page shows the division code. With several administrations it "
                "shows two codes; the first one belongs to the administration under the mouse "
                "and is the one to fill in."
            ),
            "country": _("The country of the Exact Online administration."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        link = self.instance
        field = self.fields["division"]
        # Authenticated, the administration is chosen, not typed: from those the user ticked.
        field.required = link.is_authenticated
        field.error_messages["required"] = _("Choose the administration coachlink books into.")
        if link.consented_divisions:
            choices = [("", _("(choose an administration)"))] + [
                (division["code"], f"{division['code']} {division['description']}")
                for division in link.consented_divisions
            ]
            if link.division and link.division not in link.consented_division_codes:
                choices.append(
                    (link.division, _("%(code)s (no access given)") % {"code": link.division})
                )
            self.fields["division"] = forms.ChoiceField(
                label=field.label,
                choices=choices,
                required=field.required,
                error_messages=field.error_messages,
                help_text=_(
                    "The administrations the Exact Online user gave coachlink access to when "
                    "authenticating. Missing one? Click Authenticate and tick it on Exact's "
                    "consent page."
                ),
            )

    def clean_division(self) -> str:
        division = self.cleaned_data["division"].strip()
        if not division:
            return division
        if not division.isascii() or not division.isdigit() or len(division) > 9:
            raise forms.ValidationError(
                _("Enter the division code as digits only, for example 7095."), code="digits"
            )
        breach = rules.division_breach(
            code=division, consented=self.instance.consented_division_codes
        )
        if breach:
            raise forms.ValidationError(breach.fix, code="not_consented")
        return division


def _digits_only(value: str) -> str:
    value = value.strip()
    if value and not (value.isascii() and value.isdigit()):
        raise forms.ValidationError(_("A prefix may contain digits only."), code="digits")
    return value


class DebtorForm(PanelForm):
    title = _("Debtor")

    class Meta:
        model = ExactLink
        fields = [
            "overwrite_existing",
            "debtor_number_option_1",
            "debtor_number_option_2",
            "debtor_number_option_3",
            "extern_source",
            "debtor_prefix",
        ]
        help_texts = {
            "overwrite_existing": _(
                "Unchecked: existing relations in Exact Online are left as they are and missing "
                "ones are created. Checked: existing relations are overwritten with the debtor "
                "data from coachlink and missing ones are created. Check it only when coachlink "
                "leads in creating debtors and its debtor numbers cannot occur in Exact Online as "
                "a relation number (customer or supplier); if unsure, use a prefix or a range of "
                "debtor numbers that can never occur in Exact Online."
            ),
            "debtor_number_option_1": _(
                "Option 1 (mandatory): this number is used first to identify the debtor. "
                "DebtorNumber: the number coachlink creates itself. DebtorNumberExternal: an "
                "external debtor number entered in the debtor file, for example the relation "
                "number from Exact Online. CompanyPersonExternID: the relation number imported "
                "from Exact Online as external id in the company or person file."
            ),
            "debtor_number_option_2": _(
                "Option 2 (optional): used when option 1 does not provide a debtor number."
            ),
            "debtor_number_option_3": _(
                "Option 3 (optional): used when option 2 does not provide a debtor number."
            ),
            "extern_source": _(
                "Did you choose CompanyPersonExternID in one of the options? Then fill in exactly "
                "the ExternSource listed in the company or person file."
            ),
            "debtor_prefix": _(
                "Digits placed in front of coachlink's debtor number, only when the internal "
                "debtor number is used. The result must fit Exact's relation code of 18 "
                "characters."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["debtor_number_option_1"].required = True
        self.fields["debtor_number_option_1"].error_messages["required"] = _(
            "Choose option 1: it is mandatory."
        )

    def clean_debtor_prefix(self) -> str:
        prefix = _digits_only(self.cleaned_data["debtor_prefix"])
        if len(prefix) + DEBTOR_NUMBER_DIGITS > rules.RELATION_CODE_LENGTH:
            raise forms.ValidationError(
                _(
                    "The prefix is too long: the prefix plus a five-digit debtor number may be "
                    "at most 18 characters, the length of a relation code in Exact Online."
                ),
                code="too_long",
            )
        return prefix

    def clean(self) -> dict:
        cleaned = super().clean()
        chosen: dict[str, str] = {}
        for number in (1, 2, 3):
            field = f"debtor_number_option_{number}"
            value = cleaned.get(field)
            if not value:
                continue
            if value in chosen.values():
                self.add_error(
                    field,
                    forms.ValidationError(
                        _("%(option)s is already chosen in another option: choose it once."),
                        code="twice",
                        params={"option": DebtorNumberSource(value).label},
                    ),
                )
            chosen[field] = value
        if cleaned.get("debtor_number_option_3") and not cleaned.get("debtor_number_option_2"):
            self.add_error(
                "debtor_number_option_3",
                forms.ValidationError(_("Choose option 2 before option 3."), code="order"),
            )
        extern_source = (cleaned.get("extern_source") or "").strip()
        if DebtorNumberSource.COMPANY_PERSON_EXTERN_ID in chosen.values() and not extern_source:
            self.add_error(
                "extern_source",
                forms.ValidationError(
                    _(
                        "Fill in the ExternSource: CompanyPersonExternID is chosen as a debtor "
                        "number option."
                    ),
                    code="required",
                ),
            )
        return cleaned


class FinancialForm(PanelForm):
    title = _("Financial")

    class Meta:
        model = ExactLink
        fields = [
            "booking_date_option_1",
            "booking_date_option_2",
            "negative_as_credit_note",
            "journal",
            "debtor_gl_account",
            "send_pdf",
            "export_moment",
            "nightly_time",
            "nightly_repetition",
            "send_cost_center",
            "invoice_number_prefix",
            "project_code_source",
        ]
        widgets = {"nightly_time": HoursMinutesInput()}
        error_messages = {"nightly_time": {"invalid": TIME_INVALID}}
        help_texts = {
            "booking_date_option_1": _(
                "Which date determines the booking year and booking period: the invoice date, "
                "the invoice order start date, the invoice order end date or the export date "
                "(the date on which the invoice is exported to Exact Online)."
            ),
            "booking_date_option_2": _(
                "Select option 2 in case the first option cannot provide a date."
            ),
            "negative_as_credit_note": _(
                "Book negative invoices as credit notes; important for a Belgian administration. "
                "Unchecked: sales entry, transaction type 20 (debit). Checked: sales credit "
                "note, transaction type 21 (credit)."
            ),
            "journal": _("The sales journal number. By default it is set to 70."),
            "debtor_gl_account": _(
                "General ledger account number for debtors (the accounts receivable balance "
                "account). By default it is 1300."
            ),
            "send_pdf": _(
                "Checked: the invoice is sent to Exact Online as a PDF, useful to see more about "
                "the invoice in Exact Online. Unchecked: the invoice is not sent."
            ),
            "export_moment": _(
                "When final invoices are exported to Exact Online. Realtime: the invoice and "
                "debtor data are exported directly. Nightly bulk: invoices and debtor data are "
                "sent at the time and repetition (day, week or month) chosen below."
            ),
            "nightly_time": _("The time at which the nightly bulk export runs."),
            "nightly_repetition": _("How often the nightly bulk export runs."),
            "send_cost_center": _(
                "Checked: the cost centre is sent to Exact Online. Unchecked: the cost centre is "
                "not included."
            ),
            "invoice_number_prefix": _(
                "Invoice numbers start at 00001. To avoid invoice numbers already used in Exact "
                "Online, fill in a prefix (for example 2018): a number placed in front of the "
                "invoice number. While payment registration is on, the length of this value may "
                "not change, otherwise the registration no longer works correctly."
            ),
            "project_code_source": _(
                "Fill the project code in Exact Online from a coachlink field: the request "
                "number, the reference number filled in with the request, the invoice reference "
                "number, the course code or the course definition code. With a reference number, "
                "fill in the reference with the request or invoice."
            ),
        }

    def clean_journal(self) -> str:
        journal = self.cleaned_data["journal"].strip()
        breach = rules.journal_code_breach(journal)
        if breach:
            raise forms.ValidationError(str(breach.message), code="format")
        return journal

    def clean_debtor_gl_account(self) -> str:
        code = self.cleaned_data["debtor_gl_account"].strip()
        breach = rules.gl_account_code_breach(code)
        if breach:
            raise forms.ValidationError(str(breach.message), code="format")
        return code

    def clean_invoice_number_prefix(self) -> str:
        prefix = _digits_only(self.cleaned_data["invoice_number_prefix"])
        if prefix and int(prefix + "9" * INVOICE_NUMBER_DIGITS) > rules.INVOICE_NUMBER_MAX:
            raise forms.ValidationError(
                _(
                    "The prefix is too large: the prefix plus a five-digit invoice number must "
                    "stay within Exact's invoice number (at most 2147483647)."
                ),
                code="too_large",
            )
        return prefix

    def clean(self) -> dict:
        cleaned = super().clean()
        first, second = cleaned.get("booking_date_option_1"), cleaned.get("booking_date_option_2")
        if first and second and first == second:
            self.add_error(
                "booking_date_option_2",
                forms.ValidationError(_("Option 2 must differ from option 1."), code="same"),
            )
        if cleaned.get("export_moment") == ExportMoment.NIGHTLY:
            if not cleaned.get("nightly_time") and "nightly_time" not in self.errors:
                self.add_error(
                    "nightly_time",
                    forms.ValidationError(
                        _("Fill in the time of the nightly bulk export."), code="required"
                    ),
                )
            if not cleaned.get("nightly_repetition") and "nightly_repetition" not in self.errors:
                self.add_error(
                    "nightly_repetition",
                    forms.ValidationError(
                        _("Choose how often the nightly bulk export runs."), code="required"
                    ),
                )
        return cleaned


class PaymentRegistrationForm(PanelForm):
    title = _("Payment registration")

    payment_interval_minutes = forms.IntegerField(
        label=_("Check every (minutes)"),
        min_value=1,
        max_value=1440,
        initial=15,
        error_messages={
            "min_value": _("Fill in a number of minutes from 1 to 1440."),
            "max_value": _("Fill in a number of minutes from 1 to 1440."),
        },
        help_text=_("How often, in minutes, coachlink asks Exact Online which invoices are paid."),
    )

    class Meta:
        model = ExactLink
        fields = ["payment_registration", "payment_interval_minutes", "payment_from_date"]
        widgets = {"payment_from_date": DayMonthYearInput()}
        error_messages = {"payment_from_date": {"invalid": DATE_INVALID}}
        help_texts = {
            "payment_registration": _(
                "Read back from Exact Online whether an invoice is paid. Exact Online considers "
                "an invoice paid when it is matched and nothing is outstanding, or the "
                "difference is written off as a payment or exchange-rate difference."
            ),
            "payment_from_date": _(
                "Only invoices with an invoice date from this date on are checked. Leave empty "
                "to check all exported invoices."
            ),
        }


class ReconciliationForm(PanelForm):
    title = _("Reconciliation")

    class Meta:
        model = ExactLink
        fields = ["reconciliation_weekly"]
        help_texts = {
            "reconciliation_weekly": _(
                "Every Monday morning coachlink compares this year's sales journal in Exact "
                "Online with its final invoices (in January the past year as well) and lists "
                "the differences under Reconciliation."
            ),
        }


PANELS: list[tuple[str, type[PanelForm]]] = [
    ("oauth", OAuthForm),
    ("general", GeneralForm),
    ("debtor", DebtorForm),
    ("financial", FinancialForm),
    ("payment", PaymentRegistrationForm),
    ("reconciliation", ReconciliationForm),
]


class LinkPanels:
    """All panels of the screen on one link: valid together or not at all."""

    def __init__(self, data=None, *, instance: ExactLink):
        self.instance = instance
        # The values as stored before this POST, for the rules that compare old and new.
        self.stored_payment_registration = instance.payment_registration if instance.pk else False
        self.stored_invoice_number_prefix = instance.invoice_number_prefix if instance.pk else ""
        self.stored_division = instance.division if instance.pk else ""
        self.forms = [form_class(data, instance=instance, prefix=key) for key, form_class in PANELS]

    def __iter__(self):
        return iter(self.forms)

    @property
    def division_changed(self) -> bool:
        """A saved division is being replaced by another (call after is_valid)."""
        new = self.forms[1].cleaned_data.get("division", "")
        return bool(self.stored_division) and new != self.stored_division

    @property
    def new_division(self) -> str:
        return self.forms[1].cleaned_data.get("division", "")

    @property
    def financial(self) -> FinancialForm:
        return self.forms[3]

    @property
    def payment(self) -> PaymentRegistrationForm:
        return self.forms[4]

    def is_valid(self) -> bool:
        valid = all([form.is_valid() for form in self.forms])
        if not valid:
            return False
        new_prefix = self.financial.cleaned_data["invoice_number_prefix"]
        if (
            self.stored_payment_registration
            and self.payment.cleaned_data["payment_registration"]
            and len(new_prefix) != len(self.stored_invoice_number_prefix)
        ):
            self.financial.add_error(
                "invoice_number_prefix",
                forms.ValidationError(
                    _(
                        "Payment registration is on: the prefix must keep its length of "
                        "%(length)d digit(s), otherwise paid invoices are no longer recognised. "
                        "Turn payment registration off first to change it."
                    ),
                    code="frozen",
                    params={"length": len(self.stored_invoice_number_prefix)},
                ),
            )
            return False
        return True

    @property
    def errors_count(self) -> int:
        return sum(len(form.errors) for form in self.forms)

    def changes(self) -> list[dict]:
        """What saving the panels changes, field by field, as the audit log keeps it."""
        changes = []
        for form in self.forms:
            for name in form.changed_data:
                old = audit_value(name, form.initial.get(name))
                new = audit_value(name, form.cleaned_data.get(name))
                if old != new or old == AUDIT_MASK:
                    changes.append({"field": name, "old": old, "new": new})
        return changes
