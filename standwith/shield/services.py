"""Striking fraud off a petition in bulk, and putting it back: what staff find in the fraud console, they act on here.

Signatures are matched by what they have in common (a network prefix, an
address's domain, a time window, a source code, or being unconfirmed for too
long), shown as a count before anything changes, then invalidated together
as one recorded batch; the count drops at once. Undoing a batch restores each
signature to the state it had.
"""

import datetime
import re
from dataclasses import asdict, dataclass

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Petition
from standwith.campaigns.services import forget_cached_petition
from standwith.signing import counting, digests
from standwith.signing.emails import InvalidEmail, parse_address
from standwith.signing.models import Invalidation, Signature
from standwith.staff.services import SITE_WIDE, NotAllowed, User, record, roles_of

State = Signature.State
LIVE = [State.PENDING, State.VALIDATED]


@dataclass(frozen=True)
class Criteria:
    """What the signatures to strike off have in common; every given criterion must hold."""

    # An address or a prefix ("203.0.113.0/24"): its /24 or /48; or "#<digest>" as the fraud console shows it.
    network: str = ""
    domain: str = ""  # "example.org", or "#<digest>"
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None
    source: str = ""
    unconfirmed_days: int | None = None  # still waiting for confirmation after this many days

    def is_empty(self) -> bool:
        return not (self.network or self.domain or self.since or self.until or self.source) and (
            self.unconfirmed_days is None
        )

    def as_record(self) -> dict[str, object]:
        return {
            name: value.isoformat() if isinstance(value, datetime.datetime) else value
            for name, value in asdict(self).items()
            if value not in ("", None)
        }


class BadCriteria(ValueError):
    pass


# The console can name a group only by its digest (a network's prefix cannot be recovered from it, by design).
_DIGEST = re.compile(r"#([0-9a-f]{32})", re.IGNORECASE)


def _given_digest(text: str) -> bytes | None:
    """The digest written as "#<32 hex digits>", None for any other kind of criterion."""
    text = text.strip()
    if not text.startswith("#"):
        return None
    found = _DIGEST.fullmatch(text)
    if found is None:
        raise BadCriteria(_("A group's digest is # followed by 32 hexadecimal digits, as the fraud console shows it."))
    return bytes.fromhex(found[1])


def matching(petition: Petition, criteria: Criteria) -> models.QuerySet[Signature]:
    """The petition's live signatures that meet every criterion."""
    if criteria.is_empty():
        raise BadCriteria(_("Give at least one criterion: invalidating a whole petition is not a bulk action."))
    found = Signature.objects.filter(petition=petition, state__in=LIVE)
    if criteria.network:
        digest = _given_digest(criteria.network) or digests.network_digest(criteria.network.partition("/")[0])
        if digest is None:
            raise BadCriteria(_("This is not a network address, such as 203.0.113.0/24 or 2001:db8::/48."))
        found = found.filter(network_digest=digest)
    if criteria.domain:
        digest = _given_digest(criteria.domain)
        if digest is None:
            try:
                address = parse_address(f"someone@{criteria.domain.strip().lstrip('@')}")
            except InvalidEmail:
                raise BadCriteria(_("This is not an email domain, such as example.org.")) from None
            digest = digests.domain_digest(address.canonical)
        found = found.filter(domain_digest=digest)
    if criteria.since:
        found = found.filter(created_at__gte=criteria.since)
    if criteria.until:
        found = found.filter(created_at__lt=criteria.until)
    if criteria.source:
        found = found.filter(source=criteria.source)
    if criteria.unconfirmed_days is not None:
        cutoff = timezone.now() - datetime.timedelta(days=criteria.unconfirmed_days)
        found = found.filter(confirmed_at__isnull=True, created_at__lt=cutoff)
    return found


def _check_role(actor: User, petition: Petition) -> None:
    # Moderators and admins, who answer for counts across the site; a campaigner may not strike off signatures.
    if not roles_of(actor, petition.organization) & SITE_WIDE:
        raise NotAllowed(_("Only moderators and admins may invalidate signatures."))


def preview(petition: Petition, criteria: Criteria) -> int:
    """How many signatures an invalidation with these criteria would strike off now."""
    return matching(petition, criteria).count()


def invalidate(
    petition: Petition, criteria: Criteria, reason: str, actor: User, *, client_ip: str | None = None
) -> Invalidation:
    """Strike off the matching signatures as one batch; the count drops by those that counted."""
    _check_role(actor, petition)
    reason = reason.strip()
    if not reason:
        raise NotAllowed(_("Please give a reason."))
    found = matching(petition, criteria)
    now = timezone.now()
    with transaction.atomic():
        batch = Invalidation.objects.create(
            petition=petition,
            criteria=criteria.as_record(),
            reason=reason,
            signatures=0,
            counted=0,
            created_by=actor if actor.is_authenticated else None,
        )
        struck = {}
        for state in LIVE:
            struck[state] = found.filter(state=state).update(
                state=State.INVALIDATED, invalidated_from=state, invalidation=batch, ended_at=now
            )
        batch.signatures = sum(struck.values())
        batch.counted = struck[State.VALIDATED]
        batch.save(update_fields=["signatures", "counted"])
        counting.add(petition.pk, -batch.counted)
        record(
            actor,
            "signatures.invalidate",
            petition,
            client_ip=client_ip,
            invalidation=batch.pk,
            criteria=batch.criteria,
            signatures=batch.signatures,
            counted=batch.counted,
            reason=reason,
        )
    forget_cached_petition(petition)
    return batch


def undo(batch: Invalidation, actor: User, *, client_ip: str | None = None) -> Invalidation:
    """Put a batch's signatures back in the state each had; the count rises again by those that counted."""
    _check_role(actor, batch.petition)
    with transaction.atomic():
        if not Invalidation.objects.filter(pk=batch.pk, undone_at__isnull=True).update(
            undone_at=timezone.now(), undone_by=actor if actor.is_authenticated else None
        ):
            raise NotAllowed(_("This invalidation was undone already."))
        restored = {
            state: Signature.objects.filter(invalidation=batch, invalidated_from=state).update(
                state=state, invalidated_from="", invalidation=None, ended_at=None
            )
            for state in LIVE
        }
        counting.add(batch.petition_id, restored[State.VALIDATED])
        record(
            actor,
            "signatures.invalidation_undone",
            batch.petition,
            client_ip=client_ip,
            invalidation=batch.pk,
            signatures=sum(restored.values()),
            counted=restored[State.VALIDATED],
        )
    batch.refresh_from_db()
    forget_cached_petition(batch.petition)
    return batch
