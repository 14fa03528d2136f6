from django.urls import path

from exports import views
from exports.reconciliation import views as reconciliation

app_name = "exports"

urlpatterns = [
    path("", views.export_log, name="log"),
    path("<int:pk>/", views.export_record_detail, name="record"),
    path("<int:pk>/live/", views.export_record_fragment, name="record_live"),
    path("invoices/<int:invoice_pk>/live/", views.invoice_export_fragment, name="invoice_live"),
    path("<int:pk>/requeue/", views.export_record_requeue_view, name="record_requeue"),
    path("invoices/<int:invoice_pk>/preview/", views.sales_entry_preview_view, name="preview"),
    path("export-now/", views.export_now, name="export_now"),
    path("exclude/", views.exclude_existing, name="exclude"),
    path("batches/<int:pk>/", views.export_batch_detail, name="batch"),
    path("batches/<int:pk>/live/", views.export_batch_fragment, name="batch_live"),
    path("<int:pk>/payment/", views.payment_status_fetch_view, name="payment_fetch"),
    path("payments/fetch/", views.payment_status_sync_view, name="payment_sync"),
    path("reconciliation/", reconciliation.reconciliation_page, name="reconciliation"),
    path("reconciliation/start/", reconciliation.reconciliation_start, name="reconciliation_start"),
    path(
        "reconciliation/<int:pk>/differences.csv",
        reconciliation.reconciliation_csv,
        name="reconciliation_csv",
    ),
    path(
        "reconciliation/<int:pk>/report.pdf",
        reconciliation.reconciliation_pdf,
        name="reconciliation_pdf",
    ),
    path(
        "reconciliation/differences/<int:pk>/handled/",
        reconciliation.difference_handled,
        name="reconciliation_handled",
    ),
    path(
        "reconciliation/differences/<int:pk>/reexport/",
        reconciliation.difference_reexport_view,
        name="reconciliation_reexport",
    ),
]
