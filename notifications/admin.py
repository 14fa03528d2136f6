from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """What was told to whom, and when; written by coachlink only."""

    list_display = ["day", "kind", "sent_at"]
    list_filter = ["kind"]
    readonly_fields = ["kind", "day", "created_at", "sent_at", "recipients"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
