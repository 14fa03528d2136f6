"""Export records (one per final invoice) and export batches (one per bulk run)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice
from billing.templatetags.billing import euro
from coachlink.messages import SaysWhy
from exports.explanations import explanation_get


def _local(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


class ExportState(models.TextChoices):
    PENDING = "pending", _("Pending")
    # A POST to Exact may have happened: the outcome is settled by YourRef before any new POST.
    SENDING = "sending", _("Sending")
    EXPORTED = "exported", _("Exported")
    FAILED = "failed", _("Failed")
    EXCLUDED = "excluded", _("Excluded")


# The error kind of a record that waits for the next day's budget of Exact calls.
BUDGET_WAITING = "budget"


class BatchKind(models.TextChoices):
    NIGHTLY = "nightly", _("Nightly bulk export")
    MANUAL = "manual", _("Export now")
    ENABLE = "enable", _("Sent on enabling the link")


class ExportBatch(SaysWhy, models.Model):
    """One bulk run: how many invoices it took on and how far it got."""

    kind = models.CharField(_("kind"), max_length=16, choices=BatchKind.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    total = models.PositiveIntegerField(_("invoices"), default=0)
    exported = models.PositiveIntegerField(_("exported"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    skipped = models.PositiveIntegerField(
        _("skipped"),
        default=0,
        help_text=_("Already exported, excluded or being sent by another worker."),
    )
    error_message = models.TextField(
        _("message"), blank=True, help_text=_("Why the run stopped before its invoices.")
    )
    # coachlink's own message, said in the reader's language (SaysWhy); None for Exact's words.
    error_said = models.JSONField(_("message id and values"), null=True, blank=True)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export batch")
        verbose_name_plural = _("export batches")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {_local(self.created_at)}"

    @property
    def done(self) -> int:
        return self.exported + self.failed + self.skipped

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))

    @property
    def is_running(self) -> bool:
        return self.finished_at is None


class ExportRecord(SaysWhy, models.Model):
    """The export of one final invoice to Exact Online: its state and everything said."""

    invoice = models.OneToOneField(
        Invoice,
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="export_record",
    )
    batch = models.ForeignKey(
        ExportBatch,
        verbose_name=_("batch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=ExportState.choices,
        default=ExportState.PENDING,
        db_index=True,
    )
    # Kept from the first POST on: the settlement must look for the reference that was sent,
    # even when the invoice number prefix changed since.
    your_ref = models.CharField(_("YourRef"), max_length=40, blank=True, db_index=True)
    account_code = models.CharField(_("relation number"), max_length=18, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # While a worker holds the record in SENDING no other worker touches it; a worker that
    # died leaves the lease to run out, after which the next run settles the outcome.
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    payload = models.JSONField(_("payload sent"), null=True, blank=True)
    response = models.JSONField(_("Exact's answer"), null=True, blank=True)
    entry_id = models.CharField(_("entry ID"), max_length=36, blank=True)
    entry_number = models.PositiveIntegerField(_("entry number"), null=True, blank=True)
    document_id = models.CharField(_("document ID"), max_length=36, blank=True)
    # Set before the document is posted: a retry whose answer was lost finds the document by
    # it instead of leaving an empty one behind and making another.
    document_subject = models.CharField(
        _("document subject"), max_length=100, blank=True, db_default=""
    )
    error_message = models.TextField(_("message"), blank=True)
    # coachlink's own message, said in the reader's language (SaysWhy); None for Exact's words.
    error_said = models.JSONField(_("message id and values"), null=True, blank=True)
    error_kind = models.CharField(_("kind of error"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        # The export log pages through the records newest first, all or of one state.
        indexes = [
            models.Index(fields=["-updated_at", "-id"], name="exportrecord_log_order"),
            models.Index(
                fields=["state", "-updated_at", "-id"], name="exportrecord_state_log_order"
            ),
        ]
        verbose_name = _("export record")
        verbose_name_plural = _("export records")

    def __str__(self) -> str:
        return f"{self.invoice} {self.get_state_display()}"

    @property
    def error_meaning(self) -> str:
        return explanation_get(self.error_kind).meaning if self.error_message else ""

    @property
    def error_fix(self) -> str:
        return explanation_get(self.error_kind).fix if self.error_message else ""

    @property
    def waits_for_budget(self) -> bool:
        """Not sent because the day's Exact calls were spent; resumed after their reset."""
        return self.error_kind == BUDGET_WAITING and self.state in (
            ExportState.PENDING,
            ExportState.SENDING,
        )

    @property
    def badge_state(self) -> str:
        return "waiting" if self.waits_for_budget else self.state

    @property
    def state_label(self) -> str:
        return _("Waiting for budget") if self.waits_for_budget else self.get_state_display()

    @property
    def refused_by(self) -> str:
        """Who stopped the export: "exact" (its answer is kept), "coachlink" (before sending),
        or "" while it is only interrupted and tried again."""
        if self.state != ExportState.FAILED or not self.error_message:
            return ""
        return "exact" if self.response is not None else "coachlink"

    @property
    def can_retry(self) -> bool:
        return self.state == ExportState.FAILED

    @property
    def can_reexport(self) -> bool:
        return self.state in (ExportState.EXPORTED, ExportState.EXCLUDED)


class PaymentState(models.TextChoices):
    OPEN = "open", _("Open")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")


class PaymentStatus(models.Model):
    """What Exact Online last said about the payment of an exported invoice.

    It hangs on the export record, not on the invoice: a final invoice is never saved again.
    """

    record = models.OneToOneField(
        ExportRecord,
        verbose_name=_("export record"),
        on_delete=models.CASCADE,
        related_name="payment",
    )
    state = models.CharField(
        _("payment"), max_length=16, choices=PaymentState.choices, default=PaymentState.OPEN
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    open_amount = models.DecimalField(_("open amount"), max_digits=14, decimal_places=2, default=0)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    # Per receivable row (Exact's ID): amount, open amount and last payment date. A sync that
    # reads only the rows that changed adds them up with the rows it did not read again.
    receivables = models.JSONField(_("receivables"), default=dict, blank=True)

    class Meta:
        verbose_name = _("payment status")
        verbose_name_plural = _("payment statuses")

    def __str__(self) -> str:
        return f"{self.record.invoice} {self.get_state_display()}"

    @property
    def is_paid(self) -> bool:
        return self.state == PaymentState.PAID

    @property
    def description(self) -> str:
        if self.state == PaymentState.PARTLY_PAID:
            return _("Partly paid: %(open)s of %(amount)s still open") % {
                "open": euro(self.open_amount),
                "amount": euro(self.amount),
            }
        if self.state == PaymentState.PAID:
            return _("Paid")
        return _("Open")


class PaymentSyncRun(models.Model):
    """One payment status sync: its start is where the next run's 'changed since' begins."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The panel's from-date of this run: moved back later, the next run must read it all again.
    from_date = models.DateField(_("from invoice date"), null=True, blank=True)
    read = models.PositiveIntegerField(_("receivables read"), default=0)
    changed = models.PositiveIntegerField(_("invoices changed"), default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("payment sync run")
        verbose_name_plural = _("payment sync runs")

    def __str__(self) -> str:
        return _local(self.started_at)


class DifferenceKind(models.TextChoices):
    MISSING = "missing", _("Exported, not in Exact")
    REVERSED = "reversed", _("Reversed in Exact")
    CHANGED = "changed", _("Changed in Exact")
    DUPLICATE = "duplicate", _("Booked twice in Exact")
    UNKNOWN = "unknown", _("In Exact, unknown to coachlink")
    NOT_EXPORTED = "not_exported", _("Final, not in Exact")
    IN_EXACT_NOT_EXPORTED = "in_exact_not_exported", _("In Exact, not exported by coachlink")


class ReconciliationTrigger(models.TextChoices):
    MANUAL = "manual", _("By hand")
    SCHEDULED = "scheduled", _("Weekly schedule")


class ReconciliationState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    # Stopped by the spent bulk share of the day's Exact calls; queued again after the reset.
    WAITING = "waiting", _("waiting for budget")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ReconciliationRun(SaysWhy, models.Model):
    """One comparison of a month or a year between coachlink and Exact Online."""

    year = models.PositiveSmallIntegerField(_("year"))
    # Empty: the whole financial year.
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    trigger = models.CharField(_("started"), max_length=16, choices=ReconciliationTrigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=ReconciliationState.choices,
        default=ReconciliationState.QUEUED,
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error_message = models.TextField(_("message"), blank=True)
    # Set while the run waits because the bulk share of the day's Exact calls was spent.
    budget_resets_at = models.DateTimeField(_("budget resets at"), null=True, blank=True)
    # coachlink's own message, said in the reader's language (SaysWhy); None for Exact's words.
    error_said = models.JSONField(_("message id and values"), null=True, blank=True)
    lines_read = models.PositiveIntegerField(_("journal lines read"), default=0)
    entries_read = models.PositiveIntegerField(_("entries read"), default=0)
    invoices = models.PositiveIntegerField(_("invoices compared"), default=0)
    agreed = models.PositiveIntegerField(_("invoices that agree"), default=0)
    differences_count = models.PositiveIntegerField(_("differences"), default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")

    def __str__(self) -> str:
        return f"{self.period_label} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def period_label(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)

    @property
    def succeeded(self) -> bool:
        return self.state == ReconciliationState.DONE

    @property
    def in_progress(self) -> bool:
        return self.state in (ReconciliationState.QUEUED, ReconciliationState.RUNNING)


class ReconciliationMonth(models.Model):
    """The totals of one month in a run, coachlink's and Exact's."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="months")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    coachlink_excl = models.DecimalField(_("coachlink excl. VAT"), max_digits=14, decimal_places=2)
    coachlink_vat = models.DecimalField(_("coachlink VAT"), max_digits=14, decimal_places=2)
    coachlink_total = models.DecimalField(_("coachlink incl. VAT"), max_digits=14, decimal_places=2)
    exact_excl = models.DecimalField(_("Exact excl. VAT"), max_digits=14, decimal_places=2)
    exact_vat = models.DecimalField(_("Exact VAT"), max_digits=14, decimal_places=2)
    exact_total = models.DecimalField(_("Exact incl. VAT"), max_digits=14, decimal_places=2)
    # Exact rounds VAT per line, coachlink per rate: a cent an invoice may part them, no more.
    vat_rounding = models.DecimalField(
        _("VAT rounding"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    invoices = models.PositiveIntegerField(_("invoices"), default=0)
    entries = models.PositiveIntegerField(_("entries"), default=0)
    differences = models.PositiveIntegerField(_("differences"), default=0)

    class Meta:
        ordering = ["year", "month"]
        verbose_name = _("reconciled month")
        verbose_name_plural = _("reconciled months")

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def difference_excl(self):
        return self.exact_excl - self.coachlink_excl

    @property
    def difference_vat(self):
        return self.exact_vat - self.coachlink_vat

    @property
    def difference_total(self):
        return self.exact_total - self.coachlink_total

    @property
    def agrees(self) -> bool:
        return not self.differences and (
            self.difference_excl == 0
            and self.difference_vat == self.difference_total == self.vat_rounding
        )


class ReconciliationDifference(models.Model):
    """One thing coachlink and Exact do not agree on, as a run found it."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="differences")
    kind = models.CharField(_("kind"), max_length=32, choices=DifferenceKind.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("invoice"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    record = models.ForeignKey(
        ExportRecord,
        verbose_name=_("export record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    entry_numbers = models.CharField(_("entry numbers in Exact"), max_length=200, blank=True)
    coachlink_excl = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    coachlink_vat = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    coachlink_total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    exact_excl = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    exact_vat = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    exact_total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # [{"field": "total", "coachlink": "121.00", "exact": "145.20"}, ...]
    mismatches = models.JSONField(_("what differs"), default=list, blank=True)
    # The same difference in a later run has the same fingerprint; a changed one does not.
    fingerprint = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ["year", "month", "kind", "reference", "pk"]
        verbose_name = _("reconciliation difference")
        verbose_name_plural = _("reconciliation differences")

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"


class HandledDifference(models.Model):
    """A person's word that a difference is dealt with; it holds while the difference stays."""

    fingerprint = models.CharField(max_length=64, unique=True)
    note = models.TextField(_("note"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), auto_now=True)

    class Meta:
        verbose_name = _("handled difference")
        verbose_name_plural = _("handled differences")

    def __str__(self) -> str:
        return self.note[:50]
