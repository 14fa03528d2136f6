from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = _("Exports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from billing.signals import invoice_finalised
        from exports.queue import invoice_finalised_queue

        # billing knows nothing of Exact: it announces a final invoice, exports queues it.
        invoice_finalised.connect(invoice_finalised_queue, dispatch_uid="exports_invoice_finalised")
