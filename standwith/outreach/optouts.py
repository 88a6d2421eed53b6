"""Unsubscribing, bounces and complaints: what stops mail to an address."""

import contextlib
import enum

from django.db import transaction

from standwith.campaigns.models import Organization
from standwith.outreach import recipients
from standwith.outreach.models import Bounce, BounceKind, Delivery, Suppression, Unsubscription
from standwith.outreach.tokens import BadToken, read_unsubscribe_token
from standwith.signing.crypto import UndecryptableError
from standwith.signing.models import Signature


class Unsubscribed(enum.Enum):
    DONE = "done"
    TEST = "test"  # the link came in a staff member's test message
    GONE = "gone"  # the signature was erased: nothing of the address is left to remember


def organization_of(token: str) -> Organization:
    """The organisation an unsubscribe link is for; raises BadToken for a forged or damaged link."""
    organization_id, _signature_id = read_unsubscribe_token(token)
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise BadToken
    return organization


def unsubscribe(token: str) -> Unsubscribed:
    """Send the link's owner no more mail from the organisation; at once, and again harmlessly."""
    organization_id, signature_id = read_unsubscribe_token(token)
    if signature_id == 0:
        return Unsubscribed.TEST
    signature = Signature.objects.filter(pk=signature_id).only("pk", "petition_id", "email_encrypted").first()
    if signature is None:
        return Unsubscribed.GONE
    try:
        address = recipients.canonical(recipients.address_of(signature))
    except UndecryptableError:
        return Unsubscribed.GONE
    with transaction.atomic():
        Unsubscription.objects.bulk_create(
            [
                Unsubscription(
                    organization_id=organization_id, digest=recipients.unsubscribe_digest(organization_id, address)
                )
            ],
            ignore_conflicts=True,
        )
        Signature.objects.filter(pk=signature.pk).update(consent_campaign_updates=False, consent_org_updates=False)
    return Unsubscribed.DONE


def record_bounce(kind: str, *, address: str | None = None, delivery_id: int | None = None, status: str = "") -> Bounce:
    """Note a bounce or complaint; a hard bounce or a complaint stops all further mailings to the address.

    The address comes from the delivery the return address named, else from the report itself.
    """
    delivery = (
        Delivery.objects.select_related("signature").filter(pk=delivery_id).first() if delivery_id is not None else None
    )
    if delivery is not None:
        with contextlib.suppress(UndecryptableError):
            address = recipients.address_of(delivery.signature)
    with transaction.atomic():
        bounce = Bounce.objects.create(kind=kind, delivery=delivery, status=status[:16])
        if kind in (BounceKind.HARD, BounceKind.COMPLAINT) and address:
            Suppression.objects.bulk_create(
                [Suppression(digest=recipients.suppression_digest(recipients.canonical(address.lower())), kind=kind)],
                ignore_conflicts=True,
            )
    return bounce
