"""Signing and confirming: the one write path for the web form, the API and tests."""

import enum
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from standwith.campaigns.models import Petition
from standwith.campaigns.services import takes_signatures
from standwith.outreach.webhooks import services as webhooks
from standwith.signing import counting, crypto, digests, outbox, referrals, rights
from standwith.signing.emails import Address
from standwith.signing.models import Signature
from standwith.staff import switches

# A repeat signature mails the signer again at most this often, so nobody can
# fill a stranger's inbox by signing with their address over and over.
REMINDER_INTERVAL = timedelta(minutes=10)


class SigningPaused(Exception):
    """Admins have paused all signing for a while (a flood, an incident); nothing is recorded meanwhile."""


class PetitionNotOpen(Exception):
    def __init__(self, petition: Petition) -> None:
        super().__init__(f"petition {petition.slug} is {petition.state}")
        self.petition = petition


@dataclass(frozen=True)
class Signer:
    name: str
    email: Address
    country: str
    postcode: str = ""
    consent_campaign_updates: bool = False
    consent_org_updates: bool = False
    show_name_publicly: bool = False
    language: str = "en"
    source: str = ""
    referrer_host: str = ""
    referral_code: str = ""  # a signer's personal share code, as it came (see signing/referrals.py)
    client_ip: str | None = None
    channel: str = Signature.Channel.WEB
    # The organisation that checked this signer in person (see Organization.vouches_offline): counts at once.
    vouched_by: int | None = None
    # When the signer signed, if not now: a paper form entered later (standwith/reports/paper.py).
    signed_at: datetime | None = None


def sign(petition: Petition, signer: Signer) -> int:
    """Record a signature and queue its email, or mail a repeat signer; returns the signature's id.

    Callers facing the public must answer a first and a repeat signature
    alike, and never show the id, so that no one can learn whether an
    address has signed. Only an organisation's API token that may read its
    signers' personal data is told the id (it could look the signer up anyway).
    """
    if not takes_signatures(petition):
        raise PetitionNotOpen(petition)
    if switches.current().signing_paused_since is not None:
        raise SigningPaused
    now = timezone.now()
    counts_at_once = petition.verification == Petition.Verification.NONE or signer.vouched_by is not None
    digest = digests.email_digest(petition.pk, signer.email.canonical)
    # One query, and only when a code came that passes its keyed check.
    referral = referrals.referral(petition.pk, signer.referral_code) if signer.referral_code else None
    signature = Signature(
        petition_id=petition.pk,
        email_digest=digest,
        email_encrypted=crypto.encrypt(petition.pk, "email", signer.email.deliverable),
        name_encrypted=crypto.encrypt(petition.pk, "name", signer.name),
        postcode_encrypted=crypto.encrypt(petition.pk, "postcode", signer.postcode) if signer.postcode else None,
        country=signer.country,
        language=signer.language,
        consent_campaign_updates=signer.consent_campaign_updates,
        consent_org_updates=signer.consent_org_updates,
        show_name_publicly=signer.show_name_publicly,
        source=signer.source,
        referrer_host=signer.referrer_host,
        referred_by_id=referral.referred_by if referral else None,
        referral_depth=referral.depth if referral else 0,
        network_digest=digests.network_digest(signer.client_ip) if signer.client_ip else None,
        domain_digest=digests.domain_digest(signer.email.canonical),
        state=Signature.State.VALIDATED if counts_at_once else Signature.State.PENDING,
        channel=signer.channel,
        vouched_by_id=signer.vouched_by,
        created_at=signer.signed_at or now,
        validated_at=now if counts_at_once else None,
    )
    try:
        if connection.vendor == "postgresql" and not counts_at_once:
            outbox.insert_with_confirmation_mail(signature)
        else:
            with transaction.atomic():
                signature.save(force_insert=True)
                if counts_at_once:
                    counting.add(petition.pk, 1)
                # A paper signature may come without an address (standwith/reports/paper.py): nobody to mail.
                if signer.email.deliverable:
                    _queue_mail(signature.pk, "signed")
    except IntegrityError:
        earlier = _signed_again(petition, digest, now, signature)
        if earlier is not None:
            return earlier
        if referral is None:
            raise
        # The referrer was erased between the look-up and the insert: the signature still goes in, unattributed.
        return sign(petition, replace(signer, referral_code=""))
    return signature.pk


def _signed_again(petition: Petition, digest: bytes, now: datetime, new: Signature) -> int | None:
    """Mail a repeat signer (at most every REMINDER_INTERVAL); the earlier signature's id, if there is one.

    A signature its signer withdrew comes back to life with what they sent this time (signing/rights.py).
    """
    with transaction.atomic():
        found = (
            Signature.objects.filter(petition_id=petition.pk, email_digest=digest).values_list("pk", "state").first()
        )
        if found is None:
            return None
        earlier, state = found
        revived = state == Signature.State.WITHDRAWN and rights.reactivate(earlier, new)
        due = Signature.objects.filter(
            Q(reminded_at__isnull=True) | Q(reminded_at__lt=timezone.now() - REMINDER_INTERVAL),
            pk=earlier,
            state__in=[Signature.State.PENDING, Signature.State.VALIDATED],
        ).update(reminded_at=now)
        if due:
            _queue_mail(earlier, "signed" if revived else "signed_again")
    return earlier


def _queue_mail(signature_id: int, kind: str) -> None:
    from standwith.signing.tasks import send_signature_mail

    send_signature_mail.enqueue(signature_id, kind, uuid.uuid4().hex)


class Confirmation(enum.Enum):
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    UNAVAILABLE = "unavailable"  # withdrawn, invalidated or erased


def confirm(petition: Petition, signature_id: int) -> Confirmation:
    """Confirm a signer's address; on an `email` petition this makes the signature count."""
    if not takes_signatures(petition):
        raise PetitionNotOpen(petition)
    if switches.current().signing_paused_since is not None:
        raise SigningPaused
    now = timezone.now()
    with transaction.atomic():
        mine = Signature.objects.filter(pk=signature_id, petition_id=petition.pk)
        confirmed = 0
        if petition.verification == Petition.Verification.EMAIL:
            confirmed = mine.filter(state=Signature.State.PENDING).update(
                state=Signature.State.VALIDATED, validated_at=now, confirmed_at=now
            )
            if confirmed:
                counting.add(petition.pk, 1)
        if not confirmed:
            # Counted already (a `none` petition, or vouched for in person): confirming proves the address.
            confirmed = mine.filter(state=Signature.State.VALIDATED, confirmed_at__isnull=True).update(confirmed_at=now)
        if confirmed:
            webhooks.signature_confirmed(petition, signature_id)  # no query unless an endpoint takes it
            return Confirmation.CONFIRMED
        state = mine.values_list("state", flat=True).first()
    if state == Signature.State.VALIDATED:
        return Confirmation.ALREADY_CONFIRMED
    return Confirmation.UNAVAILABLE
