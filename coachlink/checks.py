"""Checks that keep a misconfigured server from starting, instead of failing on first use.

They run with every management command (runserver, migrate, check) like Django's own, and
coachlink's web and worker processes run them before they take any work (``startup_check``).
"""

from cryptography.fernet import Fernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

# Django's own measure of a strong key (the --deploy check security.W009).
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
GENERATE_SECRET_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(50))"'
GENERATE_TOKEN_KEY = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


@checks.register(checks.Tags.security)
def production_settings_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if not settings.DEBUG_EXPLICIT:
        return [
            checks.Error(
                "DEBUG is not set.",
                hint="Set DEBUG=false on a server (or DEBUG=true to develop) in the environment "
                "or .env, so a server never runs in a mode nobody chose.",
                id="coachlink.E001",
            )
        ]
    if settings.DEBUG:
        return []
    errors = []
    if not settings.EXACT_TOKEN_KEYS:
        errors.append(
            checks.Error(
                "EXACT_TOKEN_KEYS is empty: the Exact tokens could not be stored after "
                "authenticating.",
                hint=f"Generate a key with {GENERATE_TOKEN_KEY} and set EXACT_TOKEN_KEYS.",
                id="coachlink.E002",
            )
        )
    for position, key in enumerate(settings.EXACT_TOKEN_KEYS, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            errors.append(
                checks.Error(
                    f"Key {position} of EXACT_TOKEN_KEYS is not a Fernet key.",
                    hint=f"Generate one with {GENERATE_TOKEN_KEY}.",
                    id="coachlink.E003",
                )
            )
    key = settings.SECRET_KEY
    if (
        len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or key.startswith("django-insecure-")
    ):
        errors.append(
            checks.Error(
                f"SECRET_KEY is weak: it needs at least {SECRET_KEY_MIN_LENGTH} characters, "
                f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} of them different.",
                hint=f"Generate one with {GENERATE_SECRET_KEY}.",
                id="coachlink.E004",
            )
        )
    return errors


@checks.register()
def mail_settings_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """The notification mails need a mail server and the site's address on a server; without
    them coachlink works, and its mails end up in the log."""
    if settings.DEBUG:
        return []
    warnings = []
    if not settings.EMAIL_URL_SET:
        warnings.append(
            checks.Warning(
                "EMAIL_URL is not set: notification mails are written to the log, not sent.",
                hint="Set EMAIL_URL, e.g. smtp+tls://user:password@mail.example.nl:587.",
                id="coachlink.W001",
            )
        )
    if not settings.SITE_URL:
        warnings.append(
            checks.Warning(
                "SITE_URL is not set: the links in notification mails lack the site's address.",
                hint="Set SITE_URL to the address users open coachlink at, e.g. "
                "https://coachlink.example.nl.",
                id="coachlink.W002",
            )
        )
    return warnings


def startup_check() -> None:
    """Refuse to start a web or worker process whose settings fail coachlink's checks.

    Only the settings are read: nothing here opens a connection a worker would fork with.
    """
    problems = [message for message in production_settings_check(None) if message.is_serious()]
    if problems:
        raise ImproperlyConfigured(
            "coachlink will not start:\n" + "\n".join(f"{problem}" for problem in problems)
        )
