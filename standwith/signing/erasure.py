"""Erasing signers' personal data while the petition's count and figures stay honest.

An erased signature keeps only what an anonymous tally would: its petition,
country, day and state (and the bulk invalidation it belongs to, so that can
still be undone). Everything that could name or reach the person goes: the
encrypted name, address and postcode, the keyed digests that could confirm a
guessed address or network, the language, consents, source and referral
links, and the exact times (cut to the day). Its email digest becomes a
digest of its own id, so the row keeps its place in the one-per-inbox index
and the person may sign again.

Copies elsewhere go too: the signature's mailing deliveries lose their
recipient digest and any mail server error text (which can quote the address).
"""

import datetime
import hashlib
from collections.abc import Iterator

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from standwith.signing.models import Signature

BATCH = 2_000


def erased_digest(signature_id: int) -> bytes:
    return hashlib.sha256(b"standwith erased signature " + signature_id.to_bytes(8, "big")).digest()


def erase(signatures: QuerySet[Signature]) -> int:
    """Erase the personal data of these signatures (those not erased yet); how many were erased.

    Works in batches, each in its own transaction, so a million signatures do
    not hold one lock for minutes, and a run cut short is finished by the next.
    """
    erased = 0
    for ids in _batches(signatures.filter(erased_at__isnull=True)):
        with transaction.atomic():
            erased += _erase_batch(ids)
    return erased


def _batches(signatures: QuerySet[Signature]) -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(signatures.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        yield ids
        last = ids[-1]


def _day(moment: datetime.datetime | None) -> datetime.datetime | None:
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _erase_batch(ids: list[int]) -> int:
    from standwith.outreach.models import Delivery

    now = timezone.now()
    rows = list(Signature.objects.select_for_update().filter(pk__in=ids, erased_at__isnull=True))
    for row in rows:
        row.email_digest = erased_digest(row.pk)
        row.email_encrypted = b""
        row.name_encrypted = b""
        row.postcode_encrypted = None
        row.language = ""
        row.consent_campaign_updates = row.consent_org_updates = row.show_name_publicly = False
        row.source = row.referrer_host = ""
        row.referred_by_id = None
        row.network_digest = row.domain_digest = None
        row.created_at = _day(row.created_at)  # type: ignore[assignment]
        row.validated_at = _day(row.validated_at)
        row.confirmed_at = _day(row.confirmed_at)
        row.ended_at = _day(row.ended_at)
        row.reminded_at = None
        row.erased_at = now
    Signature.objects.bulk_update(rows, ERASED_FIELDS)
    # Others this signer brought keep their depth, but no longer point at an erased person.
    Signature.objects.filter(referred_by_id__in=ids).update(referred_by=None)
    deliveries = list(Delivery.objects.filter(signature_id__in=ids).only("pk"))
    for delivery in deliveries:
        delivery.recipient, delivery.error = erased_digest(delivery.pk), ""
    Delivery.objects.bulk_update(deliveries, ["recipient", "error"], batch_size=BATCH)
    return len(rows)


ERASED_FIELDS = [
    "email_digest",
    "email_encrypted",
    "name_encrypted",
    "postcode_encrypted",
    "language",
    "consent_campaign_updates",
    "consent_org_updates",
    "show_name_publicly",
    "source",
    "referrer_host",
    "referred_by",
    "network_digest",
    "domain_digest",
    "created_at",
    "validated_at",
    "confirmed_at",
    "ended_at",
    "reminded_at",
    "erased_at",
]
