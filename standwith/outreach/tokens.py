"""The signed values in a mailing's links and return addresses."""

import hashlib
import hmac
import re

from django.conf import settings
from django.core import signing

_UNSUBSCRIBE_SALT = "standwith.outreach.unsubscribe"
_DELIVERY = re.compile(r"d(\d{1,19})-([0-9a-f]{20})")


class BadToken(Exception):
    pass


def make_unsubscribe_token(organization_id: int, signature_id: int) -> str:
    # No expiry: an unsubscribe link must work in a message read years later. Signature 0 marks a test message.
    return signing.Signer(salt=_UNSUBSCRIBE_SALT).sign(f"{organization_id}.{signature_id}")


def read_unsubscribe_token(token: str) -> tuple[int, int]:
    """The (organisation id, signature id) the link was made for."""
    try:
        value = signing.Signer(salt=_UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature as error:
        raise BadToken from error
    organization_id, _, signature_id = value.partition(".")
    if not (organization_id.isdigit() and signature_id.isdigit()):
        raise BadToken
    return int(organization_id), int(signature_id)


def _delivery_mac(delivery_id: int) -> str:
    key = hashlib.sha256(b"standwith delivery tag\x00" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, str(delivery_id).encode(), hashlib.sha256).hexdigest()[:20]


def delivery_tag(delivery_id: int) -> str:
    """Names a delivery in a return address; lowercase, as some mail servers fold the local part's case."""
    return f"d{delivery_id}-{_delivery_mac(delivery_id)}"


def read_delivery_tag(text: str) -> int | None:
    """The delivery a tag (or an address or header holding one) names, if its mark is genuine."""
    for match in _DELIVERY.finditer(text.lower()):
        delivery_id = int(match[1])
        if hmac.compare_digest(match[2], _delivery_mac(delivery_id)):
            return delivery_id
    return None
