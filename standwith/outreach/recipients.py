"""Who a mailing may reach, told apart by keyed digests rather than addresses.

Signatures store a digest per petition, so the same person on two petitions
cannot be linked from a dump. A mailing needs to know when two signatures are
one inbox, and an unsubscription or a bounce must follow the address: each
gets its own keyed digest here, scoped as narrowly as its rule allows.
"""

import hashlib
import hmac

from django.conf import settings

from standwith.signing import crypto
from standwith.signing.emails import canonical_inbox
from standwith.signing.models import Signature


def _digest(*parts: str) -> bytes:
    return hmac.new(bytes(settings.DIGEST_KEY), "\x00".join(parts).encode(), hashlib.sha256).digest()


def canonical(address: str) -> str:
    """The inbox an address delivers to (the stored addresses are already in their deliverable form)."""
    local, _, domain = address.rpartition("@")
    return canonical_inbox(local, domain)


def recipient_digest(mailing_id: int, canonical_address: str) -> bytes:
    """One copy per inbox within a mailing; the same inbox in another mailing has another digest."""
    return _digest("mailing", str(mailing_id), canonical_address)


def unsubscribe_digest(organization_id: int, canonical_address: str) -> bytes:
    return _digest("unsubscribe", str(organization_id), canonical_address)


def suppression_digest(canonical_address: str) -> bytes:
    # Site-wide: an address that bounces for good, or whose owner calls our mail spam, gets no mailing at all.
    return _digest("suppress", canonical_address)


def address_of(signature: Signature) -> str:
    return crypto.decrypt(signature.petition_id, "email", signature.email_encrypted)
