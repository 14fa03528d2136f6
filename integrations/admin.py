from django.contrib import admin

from integrations.models import AuditEntry, ExactLink


@admin.register(ExactLink)
class ExactLinkAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "division", "activation", "authenticated_at"]
    # Tokens are edited by nobody; the encrypted columns are not even shown.
    exclude = ["access_token_encrypted", "refresh_token_encrypted"]
    readonly_fields = ["token_expires_at", "token_chain_broken", "authenticated_at"]

    def has_add_permission(self, request):
        # Exact Online allows one administration per link, and there is one link.
        return super().has_add_permission(request) and not ExactLink.objects.exists()


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "detail"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
