"""The reconciliation page: start a run, its months and differences, CSV and PDF, history."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from billing.templatetags.billing import euro
from coachlink.numbers import BIG_INTEGER_LARGEST, whole_number
from exports.models import ReconciliationDifference, ReconciliationRun
from exports.reconciliation import report
from exports.reconciliation.handling import (
    difference_handled_clear,
    difference_handled_mark,
    difference_reexport,
    handled_marks,
)
from exports.reconciliation.kinds import KIND_HELP, MISMATCH_LABELS
from exports.reconciliation.run import reconciliation_allowed, reconciliation_queue
from exports.tasks import reconciliation_task
from integrations.selectors import link_get

VIEW = "exports.view_exportrecord"
CHANGE = "exports.change_exportrecord"
RUNS_IN_HISTORY = 20
# How often the page looks again while its run is queued or running.
REFRESH_SECONDS = 3


class PeriodForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "min_value": gettext_lazy("Fill in a year from 2000 to 2100."),
            "max_value": gettext_lazy("Fill in a year from 2000 to 2100."),
            "invalid": gettext_lazy("Fill in a year from 2000 to 2100."),
            "required": gettext_lazy("Fill in a year from 2000 to 2100."),
        },
    )
    month = forms.TypedChoiceField(
        label=gettext_lazy("Month"),
        choices=[("", gettext_lazy("Whole year")), *MONTHS.items()],
        coerce=int,
        empty_value=None,
        required=False,
    )


class HandledForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=2000,
        error_messages={"required": gettext_lazy("Write down how the difference was handled.")},
    )


AMOUNT = re.compile(r"-?\d+\.\d{2}")
AMOUNT_FIELDS = {"excl", "vat", "total", "gl_account"}


def _mismatch_value(field: str, text: str) -> str:
    """Amounts in the user's language: € 1.234,56 in Dutch."""
    if field not in AMOUNT_FIELDS:
        return text
    return AMOUNT.sub(lambda match: euro(Decimal(match.group())), text)


def _rows(run: ReconciliationRun) -> list[dict]:
    differences = list(
        run.differences.select_related("invoice", "record").order_by(
            "year", "month", "kind", "reference", "pk"
        )
    )
    marks = handled_marks(differences)
    return [
        {
            "difference": difference,
            "help": KIND_HELP[difference.kind],
            "mismatches": [
                {
                    "label": MISMATCH_LABELS.get(mismatch["field"], mismatch["field"]),
                    "coachlink": _mismatch_value(mismatch["field"], mismatch["coachlink"]),
                    "exact": _mismatch_value(mismatch["field"], mismatch["exact"]),
                }
                for mismatch in difference.mismatches
            ],
            "handled": marks.get(difference.fingerprint),
        }
        for difference in differences
    ]


@permission_required(VIEW, raise_exception=True)
def reconciliation_page(request: HttpRequest) -> HttpResponse:
    runs = ReconciliationRun.objects.select_related("started_by")
    asked = whole_number(request.GET.get("run", ""), largest=BIG_INTEGER_LARGEST)
    run = get_object_or_404(runs, pk=asked) if asked is not None else runs.first()
    today = timezone.localdate()
    initial = {"year": run.year, "month": run.month} if run else {"year": today.year}
    link = link_get()
    rows = _rows(run) if run else []
    return render(
        request,
        "exports/reconciliation.html",
        {
            "form": PeriodForm(initial=initial),
            "run": run,
            "months": list(run.months.all()) if run else [],
            "rows": rows,
            "open_count": sum(1 for row in rows if not row["handled"]),
            "runs": runs[:RUNS_IN_HISTORY],
            "link": link,
            "allowed": reconciliation_allowed(link=link),
            "refresh_seconds": REFRESH_SECONDS,
        },
    )


@require_POST
@permission_required(CHANGE, raise_exception=True)
def reconciliation_start(request: HttpRequest) -> HttpResponse:
    """Queue the reconciliation of a month or a year; the worker carries it out."""
    form = PeriodForm(request.POST)
    link = link_get()
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("exports:reconciliation")
    if not reconciliation_allowed(link=link):
        messages.error(
            request, _("Reconciliation reads Exact Online: enable and authenticate the link first.")
        )
        return redirect("exports:reconciliation")
    run, queued = reconciliation_queue(
        link=link,
        year=form.cleaned_data["year"],
        month=form.cleaned_data["month"],
        user=request.user,
    )
    if queued:
        transaction.on_commit(lambda: reconciliation_task.delay(run.pk))
        messages.info(
            request,
            _(
                "The reconciliation of %(period)s is queued. This page refreshes until it is done; "
                "you may also leave it and come back."
            )
            % {"period": run.period_label},
        )
    else:
        messages.warning(
            request,
            _("The reconciliation of %(period)s is already under way: no second one was started.")
            % {"period": run.period_label},
        )
    return redirect(f"{reverse('exports:reconciliation')}?run={run.pk}")


def _back_to(difference: ReconciliationDifference) -> HttpResponse:
    url = reverse("exports:reconciliation")
    return redirect(f"{url}?run={difference.run_id}#difference-{difference.pk}")


@require_POST
@permission_required(CHANGE, raise_exception=True)
def difference_handled(request: HttpRequest, pk: int) -> HttpResponse:
    difference = get_object_or_404(ReconciliationDifference, pk=pk)
    if request.POST.get("clear"):
        difference_handled_clear(difference=difference)
        messages.success(request, _("The difference is open again."))
        return _back_to(difference)
    form = HandledForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["note"][0])
        return _back_to(difference)
    difference_handled_mark(
        difference=difference, note=form.cleaned_data["note"], user=request.user
    )
    messages.success(
        request,
        _("Marked as handled. It stays handled in later runs unless it changes again."),
    )
    return _back_to(difference)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def difference_reexport_view(request: HttpRequest, pk: int) -> HttpResponse:
    difference = get_object_or_404(
        ReconciliationDifference.objects.select_related("invoice"), pk=pk
    )
    outcome = difference_reexport(difference=difference)
    if outcome is None:
        messages.error(request, _("A re-export does not repair this kind of difference."))
    else:
        (messages.success if outcome.queued else messages.warning)(request, outcome.message)
    return _back_to(difference)


@permission_required(VIEW, raise_exception=True)
def reconciliation_csv(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ReconciliationRun, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.file_name(run)}.csv"'
    report.differences_csv(run=run, rows=_rows(run), out=response)
    return response


@permission_required(VIEW, raise_exception=True)
def reconciliation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ReconciliationRun, pk=pk)
    response = HttpResponse(
        report.reconciliation_pdf(run=run, months=list(run.months.all()), rows=_rows(run)),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="{report.file_name(run)}.pdf"'
    return response
