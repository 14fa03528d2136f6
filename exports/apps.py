from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = _("Exports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from billing.signals import invoice_finalised
        from exports.preview import PREVIEW_SOURCES, preview_sources_changed
        from exports.queue import invoice_finalised_queue

        # billing knows nothing of Exact: it announces a final invoice, exports queues it.
        invoice_finalised.connect(invoice_finalised_queue, dispatch_uid="exports_invoice_finalised")
        # Only a cache key moves on: nothing is read from or sent to Exact on a save.
        for model in PREVIEW_SOURCES:
            uid = f"exports_preview_sources_{model.__name__}"
            post_save.connect(preview_sources_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(preview_sources_changed, sender=model, dispatch_uid=uid)
