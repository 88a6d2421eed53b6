"""Endpoint secrets: made by the site, shown once, kept sealed by the master key.

The site must sign every delivery, so it cannot keep only a hash of the
secret; it keeps it encrypted (AES-GCM under the master key, bound to the
organisation), so a leaked database dump does not let anyone forge deliveries.
"""

import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from standwith.signing.crypto import NONCE_BYTES, UndecryptableError

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def _context(organization_id: int) -> bytes:
    return f"standwith/webhook-secret/{organization_id}".encode()


def seal(organization_id: int, secret: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(settings.MASTER_KEY).encrypt(nonce, secret.encode(), _context(organization_id))


def unseal(organization_id: int, sealed: bytes | memoryview) -> str:
    data = bytes(sealed)
    try:
        return (
            AESGCM(settings.MASTER_KEY)
            .decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], _context(organization_id))
            .decode()
        )
    except (InvalidTag, ValueError) as error:
        raise UndecryptableError("the endpoint's secret is sealed by another master key, or damaged") from error
