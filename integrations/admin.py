"""The link and its audit log, shown in the admin and changed nowhere but the configure screen.

The configure screen validates every panel and writes an audit entry for each change; an admin
form would do neither, so the admin only shows the link.
"""

from django.contrib import admin

from integrations.models import AuditEntry, ExactLink


class ShownOnlyAdmin(admin.ModelAdmin):
    """A model the admin shows and nobody adds, changes or deletes there, superusers included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExactLink)
class ExactLinkAdmin(ShownOnlyAdmin):
    list_display = ["name", "site", "division", "activation", "authenticated_at"]
    # The encrypted tokens are not even shown.
    exclude = ["access_token_encrypted", "refresh_token_encrypted"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ShownOnlyAdmin):
    list_display = ["at", "user", "action", "detail"]
    list_filter = ["action"]
    list_select_related = ["user"]
