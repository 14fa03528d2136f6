from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from billing.forms import InvoiceLineForm, ParametersForm
from billing.models import (
    Company,
    CostCenter,
    Course,
    CourseDefinition,
    Debtor,
    GLAccount,
    Invoice,
    InvoiceLine,
    Parameters,
    Person,
    Request,
    VatRate,
)
from billing.services import invoice_finalise
from billing.templatetags.billing import euro


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "extern_id", "extern_source"]
    list_filter = ["extern_source"]
    search_fields = ["name", "extern_id"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "extern_id", "extern_source"]
    list_filter = ["extern_source"]
    search_fields = ["first_name", "last_name", "extern_id"]


class DebtorKindFilter(admin.SimpleListFilter):
    title = _("belongs to")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("company", _("Company")), ("person", _("Person"))]

    def queryset(self, request, queryset):
        if self.value() == "company":
            return queryset.filter(company__isnull=False)
        if self.value() == "person":
            return queryset.filter(person__isnull=False)
        return queryset


@admin.register(Debtor)
class DebtorAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "name",
        "city",
        "country_code",
        "debtor_number_external",
        "email",
    ]
    list_display_links = ["number", "name"]
    list_filter = [DebtorKindFilter, "country_code"]
    list_select_related = ["company", "person"]
    search_fields = [
        "=debtor_number",
        "debtor_number_external",
        "company__name",
        "person__first_name",
        "person__last_name",
        "city",
        "email",
    ]
    autocomplete_fields = ["company", "person"]
    readonly_fields = ["number"]
    fieldsets = [
        (None, {"fields": ["number", "debtor_number_external", "company", "person"]}),
        (
            _("Invoice address"),
            {
                "fields": [
                    "address_line_1",
                    "address_line_2",
                    "address_line_3",
                    ("postcode", "city"),
                    "country_code",
                ]
            },
        ),
        (_("Contact and registration"), {"fields": ["email", "vat_number", "chamber_of_commerce"]}),
    ]

    @admin.display(description=_("debtor number"), ordering="debtor_number")
    def number(self, debtor: Debtor) -> str:
        return debtor.debtor_number_display or _("(assigned when saved)")


@admin.register(CourseDefinition)
class CourseDefinitionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["code", "definition", "start_date", "end_date"]
    list_filter = ["definition", "start_date"]
    list_select_related = ["definition"]
    search_fields = ["code", "definition__code", "definition__name"]
    date_hierarchy = "start_date"


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = ["request_number", "reference_number"]
    search_fields = ["request_number", "reference_number"]


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin):
    list_display = ["exact_code", "description", "percentage"]
    search_fields = ["exact_code", "description"]


@admin.register(GLAccount)
class GLAccountAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(CostCenter)
class CostCenterAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Parameters)
class ParametersAdmin(admin.ModelAdmin):
    form = ParametersForm
    list_display = ["__str__", "first_debtor_number", "first_invoice_number", "company_name"]
    readonly_fields = ["last_debtor_number", "last_invoice_number"]
    fieldsets = [
        (
            _("Numbering"),
            {
                "fields": [
                    ("first_debtor_number", "last_debtor_number"),
                    ("first_invoice_number", "last_invoice_number"),
                ]
            },
        ),
        (
            _("Company details on the invoice"),
            {
                "fields": [
                    "company_name",
                    "company_address",
                    "company_vat_number",
                    "company_chamber_of_commerce",
                    "company_iban",
                ]
            },
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not Parameters.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    form = InvoiceLineForm
    extra = 1
    fields = ["description", "quantity", "unit_price", "vat_rate", "gl_account", "cost_center"]

    # The parent invoice decides: once it is final its lines are shown but locked.
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return not (obj and obj.is_final) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return not (obj and obj.is_final) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return not (obj and obj.is_final) and super().has_delete_permission(request, obj)


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = [
        "number_column",
        "date",
        "debtor",
        "status",
        "total_excl_vat_column",
        "total_incl_vat_column",
        "pdf_link",
    ]
    list_display_links = ["number_column", "date"]
    list_filter = ["status", "date", "course__definition"]
    list_select_related = ["debtor__company", "debtor__person"]
    search_fields = [
        "=number",
        "invoice_reference_number",
        "debtor__company__name",
        "debtor__person__last_name",
        "debtor__person__first_name",
    ]
    date_hierarchy = "date"
    autocomplete_fields = ["debtor", "course", "request"]
    inlines = [InvoiceLineInline]
    actions = ["finalise"]
    readonly_fields = [
        "number_column",
        "status",
        "finalised_at",
        "finalised_by",
        "order_start_date",
        "order_end_date",
        "total_excl_vat_column",
        "total_vat_column",
        "total_incl_vat_column",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("number_column", "status"),
                    "date",
                    "debtor",
                    "invoice_reference_number",
                    "request",
                    "course",
                    ("order_start_date", "order_end_date"),
                ]
            },
        ),
        (
            _("Totals"),
            {"fields": ["total_excl_vat_column", "total_vat_column", "total_incl_vat_column"]},
        ),
        (_("Finalised"), {"fields": ["finalised_at", "finalised_by"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invoice]:
        return super().get_queryset(request).prefetch_related("lines__vat_rate")

    # Only view permission is left on a final invoice, which makes the whole page read-only.
    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return not (obj and obj.is_final) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return not (obj and obj.is_final) and super().has_delete_permission(request, obj)

    @admin.display(description=_("invoice number"), ordering="number")
    def number_column(self, invoice: Invoice) -> str:
        return invoice.number_display or _("(assigned when final)")

    @admin.display(description=_("total excl. VAT"))
    def total_excl_vat_column(self, invoice: Invoice) -> str:
        return euro(invoice.total_excl_vat)

    @admin.display(description=_("VAT"))
    def total_vat_column(self, invoice: Invoice) -> str:
        return euro(invoice.total_vat)

    @admin.display(description=_("total incl. VAT"))
    def total_incl_vat_column(self, invoice: Invoice) -> str:
        return euro(invoice.total_incl_vat)

    @admin.display(description=_("PDF"))
    def pdf_link(self, invoice: Invoice) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("billing:invoice_pdf", args=[invoice.pk]), _("PDF")
        )

    def response_add(self, request: HttpRequest, obj: Invoice, post_url_continue=None):
        if "_finalise" in request.POST:
            return self.saved_then_finalised(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request: HttpRequest, obj: Invoice):
        if "_finalise" in request.POST:
            return self.saved_then_finalised(request, obj)
        return super().response_change(request, obj)

    def saved_then_finalised(self, request: HttpRequest, invoice: Invoice) -> HttpResponseRedirect:
        """ "Save and finalise": the form and its lines are saved; now number the invoice."""
        try:
            invoice_finalise(invoice=invoice, user=request.user)
        except ValidationError as error:
            self.message_user(
                request,
                _("%(invoice)s was saved but not finalised: %(reason)s")
                % {"invoice": invoice, "reason": " ".join(error.messages)},
                messages.ERROR,
            )
        else:
            self.message_user(
                request, _("%(invoice)s is final.") % {"invoice": invoice}, messages.SUCCESS
            )
        return HttpResponseRedirect(reverse("admin:billing_invoice_change", args=[invoice.pk]))

    @admin.action(description=_("Finalise selected invoices"), permissions=["change"])
    def finalise(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> None:
        finalised = 0
        # Oldest first, so the numbers follow the invoice dates.
        for invoice in queryset.filter(status=Invoice.Status.DRAFT).order_by("date", "pk"):
            try:
                invoice_finalise(invoice=invoice, user=request.user)
            except ValidationError as error:
                self.message_user(
                    request,
                    _("%(invoice)s was not finalised: %(reason)s")
                    % {"invoice": invoice, "reason": " ".join(error.messages)},
                    messages.ERROR,
                )
            else:
                finalised += 1
        if finalised:
            self.message_user(
                request,
                ngettext("%(count)d invoice finalised.", "%(count)d invoices finalised.", finalised)
                % {"count": finalised},
                messages.SUCCESS,
            )
