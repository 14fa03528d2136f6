from django.contrib import admin

from exports.models import ExportBatch, ExportRecord


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    list_display = ["invoice", "state", "account_code", "entry_number", "attempts", "updated_at"]
    list_filter = ["state"]
    search_fields = ["your_ref", "account_code", "invoice__number"]
    list_select_related = ["invoice"]
    # The export protocol owns these fields; the admin only shows them.
    readonly_fields = [field.name for field in ExportRecord._meta.fields]


@admin.register(ExportBatch)
class ExportBatchAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "total", "exported", "failed", "skipped", "finished_at"]
    list_filter = ["kind"]
    readonly_fields = [field.name for field in ExportBatch._meta.fields]
