from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from integrations.exact.tokens import token_reencrypt
from integrations.models import ExactLink


class Command(BaseCommand):
    help = "Re-encrypt the stored Exact tokens with the newest key of EXACT_TOKEN_KEYS."

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            for link in ExactLink.objects.select_for_update():
                link.access_token_encrypted = token_reencrypt(link.access_token_encrypted)
                link.refresh_token_encrypted = token_reencrypt(link.refresh_token_encrypted)
                link.save(update_fields=["access_token_encrypted", "refresh_token_encrypted"])
                count += 1
        self.stdout.write(_("Re-encrypted the tokens of %(count)d link(s).") % {"count": count})
