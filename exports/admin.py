from django.contrib import admin

from exports.models import ExportBatch, ExportRecord
from integrations.admin import ShownOnlyAdmin


# The export protocol owns records and batches: a record added, edited or deleted by hand would
# send an invoice twice or never, and a batch made by hand would show as running forever.
@admin.register(ExportRecord)
class ExportRecordAdmin(ShownOnlyAdmin):
    list_display = ["invoice", "state", "account_code", "entry_number", "attempts", "updated_at"]
    list_filter = ["state"]
    search_fields = ["your_ref", "account_code", "invoice__number"]
    list_select_related = ["invoice"]


@admin.register(ExportBatch)
class ExportBatchAdmin(ShownOnlyAdmin):
    list_display = ["created_at", "kind", "total", "exported", "failed", "skipped", "finished_at"]
    list_filter = ["kind"]
