import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create or update the superuser 'admin' with a fresh random password and print it."

    def handle(self, *args, **options) -> None:
        password = secrets.token_urlsafe(12)
        user, _created = get_user_model().objects.get_or_create(username="admin")
        user.is_staff = True
        user.is_superuser = True
        user.is_active = True
        # The notification mails need an address; the demo prints them in the worker's log.
        user.email = user.email or "admin@example.nl"
        user.set_password(password)
        user.save()
        self.stdout.write(f"Log in at http://127.0.0.1:8000/ with admin / {password}")
