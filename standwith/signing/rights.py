"""A signer's own rights over their signature, through the signed link in every email we send them.

No account and no password: the link is the key. It names the petition and
the signature, signed with the site's secret, and lasts as long as the data
it opens can be kept (the petition's whole life and its retention after).
Whoever holds the link may see, change, download or erase what it opens, as
the inbox it was sent to could anyway (by signing again, or by confirming).
"""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django_countries import countries

from standwith.campaigns.models import Petition
from standwith.campaigns.services import forget_cached_petition
from standwith.signing import counting, crypto, erasure, referrals
from standwith.signing.models import Signature
from standwith.signing.tokens import make_pair_token, read_pair_token

_SALT = "standwith.signing.manage"
# The link must open what is held for as long as it is held: a petition may run for years before it closes,
# and its signers' data is kept up to ten years after that (Organization.retention_days at most).
MAX_AGE = timedelta(days=366 * 30)
LIVE = (Signature.State.PENDING, Signature.State.VALIDATED)


def make_manage_token(petition_id: int, signature_id: int) -> str:
    return make_pair_token(_SALT, petition_id, signature_id)


def read_manage_token(token: str) -> tuple[int, int]:
    """The (petition id, signature id) the link was made for; raises tokens.BadToken for a forged or damaged one."""
    return read_pair_token(_SALT, token, MAX_AGE)


def manage_url(petition_slug: str, petition_id: int, signature_id: int, language: str) -> str:
    with translation.override(language or settings.LANGUAGE_CODE):
        path = reverse("manage_signature", args=[petition_slug, make_manage_token(petition_id, signature_id)])
    return settings.SITE_URL + path


class Holding(enum.Enum):
    HELD = "held"
    ERASED = "erased"  # nothing personal is left: only the petition, country, day and state
    UNREADABLE = "unreadable"  # the petition's data key was destroyed (an emergency erase)


@dataclass(frozen=True)
class Held:
    """What the site holds about one signature, as its signer may see it."""

    signature: Signature
    holding: Holding
    name: str = ""
    email: str = ""
    postcode: str = ""

    # For templates, which would call an enum class rather than read its members.
    @property
    def readable(self) -> bool:
        return self.holding is Holding.HELD

    @property
    def erased(self) -> bool:
        return self.holding is Holding.ERASED

    @property
    def unreadable(self) -> bool:
        return self.holding is Holding.UNREADABLE

    @property
    def country_name(self) -> str:
        return str(countries.name(self.signature.country)) or self.signature.country

    @property
    def counts(self) -> bool:
        return self.signature.state == Signature.State.VALIDATED

    @property
    def may_withdraw(self) -> bool:
        return self.signature.state != Signature.State.WITHDRAWN


def signature_of(petition: Petition, signature_id: int) -> Signature | None:
    return Signature.objects.filter(pk=signature_id, petition_id=petition.pk).first()


def held(signature: Signature) -> Held:
    if signature.erased_at is not None:
        return Held(signature, Holding.ERASED)
    petition_id = signature.petition_id
    try:
        return Held(
            signature,
            Holding.HELD,
            name=crypto.decrypt(petition_id, "name", signature.name_encrypted),
            email=crypto.decrypt(petition_id, "email", signature.email_encrypted),
            postcode=(
                crypto.decrypt(petition_id, "postcode", signature.postcode_encrypted)
                if signature.postcode_encrypted
                else ""
            ),
        )
    except crypto.UndecryptableError:
        return Held(signature, Holding.UNREADABLE)


class Withdrawal(enum.Enum):
    WITHDRAWN = "withdrawn"
    ALREADY = "already"
    GONE = "gone"


def withdraw(petition: Petition, signature_id: int) -> Withdrawal:
    """Take the signature back: it stops counting and gets no more mail. Allowed on a closed petition too.

    The state and the count change in one transaction, and only a signature
    that counted takes one off, so a second press or a race changes nothing.
    One struck off in a bulk invalidation leaves that batch, so undoing it
    cannot bring the signature back against its signer's wish.
    """
    with transaction.atomic():
        row = (
            Signature.objects.select_for_update()
            .filter(pk=signature_id, petition_id=petition.pk)
            .only("pk", "state", "erased_at")
            .first()
        )
        if row is None or row.erased_at is not None:
            return Withdrawal.GONE
        if row.state == Signature.State.WITHDRAWN:
            return Withdrawal.ALREADY
        Signature.objects.filter(pk=row.pk).update(
            state=Signature.State.WITHDRAWN,
            ended_at=timezone.now(),
            invalidation=None,
            invalidated_from="",
        )
        if row.state == Signature.State.VALIDATED:
            counting.add(petition.pk, -1)
    _forget_cached(petition)
    return Withdrawal.WITHDRAWN


@dataclass(frozen=True)
class Consents:
    campaign_updates: bool
    org_updates: bool
    show_name_publicly: bool


def change_consents(petition: Petition, signature_id: int, consents: Consents) -> bool:
    """Set the signer's choices; False if nothing personal is held any more (erased).

    Mailings read these at the moment each message goes (outreach/sending.py), so
    turning one off stops mail still queued. Turning one on again is the signer's
    own wish, from a link only their inbox gets: it lifts an earlier unsubscription
    from this organisation (not a bounce or a complaint, which stop all mail).
    """
    from standwith.outreach import recipients
    from standwith.outreach.models import Unsubscription

    with transaction.atomic():
        row = (
            Signature.objects.select_for_update()
            .filter(pk=signature_id, petition_id=petition.pk, erased_at__isnull=True)
            .only("pk", "petition_id", "email_encrypted")
            .first()
        )
        if row is None:
            return False
        Signature.objects.filter(pk=row.pk).update(
            consent_campaign_updates=consents.campaign_updates,
            consent_org_updates=consents.org_updates,
            show_name_publicly=consents.show_name_publicly,
        )
        if consents.campaign_updates or consents.org_updates:
            try:
                address = recipients.canonical(recipients.address_of(row))
            except crypto.UndecryptableError:
                address = None
            if address is not None:
                organization_id = petition.organization_id
                Unsubscription.objects.filter(
                    organization_id=organization_id, digest=recipients.unsubscribe_digest(organization_id, address)
                ).delete()
    _forget_cached(petition)
    return True


def export(signature: Signature) -> dict[str, Any]:
    """Everything held about the signature, as its signer downloads it, and what is deliberately not held."""
    found = held(signature)
    petition = signature.petition

    def moment(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    data: dict[str, Any] = {
        "petition": {"slug": petition.slug, "title": petition.title, "organisation": petition.organization.name},
        "signature_id": signature.pk,
        "personal_data": found.holding.value,
    }
    if found.holding is Holding.HELD:
        data |= {"name": found.name, "email": found.email, "postcode": found.postcode or None}
    data |= {
        "country": signature.country,
        "language": signature.language or None,
        "consents": {
            "campaign_updates": signature.consent_campaign_updates,
            "organisation_updates": signature.consent_org_updates,
            "show_name_publicly": signature.show_name_publicly,
        },
        "state": signature.state,
        "channel": signature.channel,
        "vouched_for_by": signature.vouched_by.name if signature.vouched_by_id and signature.vouched_by else None,
        "source": signature.source or None,
        "came_from_site": signature.referrer_host or None,
        "referral": {
            "your_share_code": (
                referrals.code_for(petition.pk, signature.pk) if found.holding is Holding.HELD else None
            ),
            "referred_by_another_signer": signature.referred_by_id is not None,
            "depth": signature.referral_depth,
        },
        "times": {
            "signed": moment(signature.created_at),
            "counted_from": moment(signature.validated_at),
            "address_confirmed": moment(signature.confirmed_at),
            "ended": moment(signature.ended_at),
            "last_reminded": moment(signature.reminded_at),
            "erased": moment(signature.erased_at),
        },
        "stored_encrypted": ["name", "email", "postcode"],
        "keyed_digests": {
            "email": "a keyed digest of your address for this petition only, to find a repeat signature",
            "network": (
                "a keyed digest of your network (/24 or /48, never the full IP address), "
                f"deleted {settings.IP_DIGEST_RETENTION_DAYS} days after signing"
                if signature.network_digest is not None
                else None
            ),
            "email_domain": (
                f"a keyed digest of your address's domain, deleted {settings.IP_DIGEST_RETENTION_DAYS} days after "
                "signing"
                if signature.domain_digest is not None
                else None
            ),
        },
        "not_held": [
            "your IP address (only the network digest above, and never in the clear)",
            "cookies or tracking of your browsing",
            "any password or account",
        ],
        "personal_data_erased_after": (
            f"{petition.organization.retention_days} days after the petition closes, or at once if you erase it"
        ),
    }
    return data


def record_export(signature: Signature) -> None:
    from standwith.staff.services import record

    # The signer themself: no staff actor, and nothing personal in the details (not even their network).
    record(None, "signature.self_export", signature)


def erase(petition: Petition, signature_id: int) -> bool:
    """Erase the signature's personal data for good; the count stays, as the erased row keeps its state."""
    erased = erasure.erase(Signature.objects.filter(pk=signature_id, petition_id=petition.pk))
    _forget_cached(petition)
    return erased > 0


def reactivate(earlier_id: int, new: Signature) -> bool:
    """Bring back a withdrawn signature when its signer signs again, with what they sent this time.

    The inbox may sign a petition once (its digest is unique per petition), so the
    withdrawn row is the one to revive: pending again (or counting at once where
    the new one would have), as a first signature is. Call inside a transaction.
    """
    revived = Signature.objects.filter(pk=earlier_id, state=Signature.State.WITHDRAWN, erased_at__isnull=True).update(
        state=new.state,
        validated_at=new.validated_at,
        confirmed_at=None,
        ended_at=None,
        created_at=new.created_at,
        email_encrypted=new.email_encrypted,
        name_encrypted=new.name_encrypted,
        postcode_encrypted=new.postcode_encrypted,
        country=new.country,
        language=new.language,
        consent_campaign_updates=new.consent_campaign_updates,
        consent_org_updates=new.consent_org_updates,
        show_name_publicly=new.show_name_publicly,
        source=new.source,
        referrer_host=new.referrer_host,
        referred_by_id=new.referred_by_id,
        referral_depth=new.referral_depth,
        channel=new.channel,
        vouched_by_id=new.vouched_by_id,
        network_digest=new.network_digest,
        domain_digest=new.domain_digest,
    )
    if revived and new.state == Signature.State.VALIDATED:
        counting.add(new.petition_id, 1)
    return bool(revived)


def _forget_cached(petition: Petition) -> None:
    # The public page shows the count and the public names: a change here shows there on the next render.
    forget_cached_petition(petition)
