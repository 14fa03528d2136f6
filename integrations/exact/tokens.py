"""Encryption of the Exact tokens at rest.

Keys come from settings.EXACT_TOKEN_KEYS, newest first (each a urlsafe base64 Fernet key).
To rotate: put a new key in front, deploy, run ``manage.py exact_rotate_token_keys``, then
drop the old key.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet() -> MultiFernet:
    keys = list(settings.EXACT_TOKEN_KEYS)
    if not keys:
        # The demo (DEBUG) runs without keys in the environment; a key derived from SECRET_KEY
        # keeps tokens encrypted there. A production server (DEBUG off) must be given real
        # keys, so it refuses instead of silently using a derived one.
        if not settings.DEBUG:
            raise ImproperlyConfigured("EXACT_TOKEN_KEYS must be set to store Exact tokens.")
        digest = hashlib.sha256(f"exact-tokens:{settings.SECRET_KEY}".encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def token_encrypt(value: str) -> str:
    """Encrypt a token with the newest key; the empty string stays empty."""
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode()


def token_decrypt(value: str) -> str:
    """Decrypt with any configured key; a token no key opens reads as no token."""
    if not value:
        return ""
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken:
        # The key that wrote it was removed before rotating: the user authenticates again.
        return ""


def token_reencrypt(value: str) -> str:
    """Re-encrypt with the newest key (the rotation step)."""
    if not value:
        return ""
    return _fernet().rotate(value.encode()).decode()
