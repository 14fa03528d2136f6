from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from exports.signals import export_refused
        from integrations.signals import reauthentication_needed
        from notifications.receivers import export_refused_notice, reauthentication_notice

        # The exports and the link announce what went wrong; this app tells the people.
        export_refused.connect(export_refused_notice, dispatch_uid="notifications_export_refused")
        reauthentication_needed.connect(
            reauthentication_notice, dispatch_uid="notifications_reauthentication_needed"
        )
