"""A petition's shields: when up, signing needs the proof-of-work challenge and per-source limits are tighter.

Staff set each petition's mode: off, always up, or automatic. In automatic
mode a job looks every minute at the petition's last signatures and raises
the shields by itself when they flood in (too many a minute, or too large a
share from one network or one email domain), records why, tells the
petition's staff, and lowers them once no storm has been seen for a calm
spell. Only keyed digests are read: no address is needed to see a flood.
"""

import datetime
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from standwith.campaigns.models import Petition
from standwith.campaigns.services import forget_cached_petition
from standwith.signing import digests
from standwith.signing.models import Signature
from standwith.staff.services import record

WINDOW = datetime.timedelta(minutes=5)


def up(petition: Petition) -> bool:
    """Whether signing this petition needs the challenge now; read from the cached petition, no query."""
    mode = petition.shield_mode
    return mode == Petition.Shields.ALWAYS or (mode == Petition.Shields.AUTO and petition.shields_raised_at is not None)


def storm(petition: Petition, now: datetime.datetime) -> str:
    """Why the petition's last signatures look like a flood, in words for its staff; empty when they do not."""
    recent = Signature.objects.filter(petition=petition, created_at__gt=now - WINDOW, created_at__lte=now)
    last_minute = recent.filter(created_at__gt=now - datetime.timedelta(minutes=1)).count()
    if last_minute >= settings.SHIELD_RATE:
        return _("%(n)d signatures in the last minute.") % {"n": last_minute}
    total = recent.count()
    if total < settings.SHIELD_MIN_SIGNATURES:
        return ""
    exempt = [digests.domain_digest(f"x@{domain}") for domain in settings.SIGN_LIMIT_EXEMPT_DOMAINS]
    for field, exclude, reason in [
        ("network_digest", [], _("%(share)d%% of the last 5 minutes' %(total)d signatures came from one network.")),
        ("domain_digest", exempt, _("%(share)d%% of the last 5 minutes' %(total)d signatures came from one domain.")),
    ]:
        top = _largest_group(recent.exclude(**{f"{field}__in": exclude}), field)
        if top * 100 >= settings.SHIELD_SHARE_PERCENT * total:
            return reason % {"share": top * 100 // total, "total": total}
    return ""


def _largest_group(signatures: QuerySet[Signature], field: str) -> int:
    sizes = (
        signatures.exclude(**{f"{field}__isnull": True})
        .values(field)
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("n", flat=True)[:1]
    )
    return sizes[0] if sizes else 0


def watch(now: datetime.datetime | None = None) -> list[tuple[Petition, str]]:
    """Raise or lower each open petition's automatic shields; returns what changed, "raised" or "lowered"."""
    now = now or timezone.now()
    calm = datetime.timedelta(minutes=settings.SHIELD_CALM_MINUTES)
    changes = []
    for petition in Petition.objects.filter(state=Petition.State.OPEN, shield_mode=Petition.Shields.AUTO):
        reason = storm(petition, now)
        if reason and petition.shields_raised_at is None:
            _set(petition, "raised", now, raised_at=now, reason=reason, storm_seen_at=now)
            changes.append((petition, "raised"))
        elif reason:
            Petition.objects.filter(pk=petition.pk).update(shields_storm_seen_at=now)
        elif petition.shields_raised_at is not None and (petition.shields_storm_seen_at or now) <= now - calm:
            _set(petition, "lowered", now, raised_at=None, reason="", storm_seen_at=None)
            changes.append((petition, "lowered"))
    return changes


def _set(petition: Petition, change: str, now: datetime.datetime, **fields: object) -> None:
    with transaction.atomic():
        Petition.objects.filter(pk=petition.pk).update(
            **{f"shields_{name}": value for name, value in fields.items()}, updated_at=now
        )
        reason = str(fields["reason"]) or petition.shields_reason
        record(None, f"shields.{change}", petition, reason=reason)
        _tell_staff(petition.pk, change, reason)
    # The sign path and the page read the petition from cache: they must see the shields at once.
    forget_cached_petition(petition)


def _tell_staff(petition_id: int, change: str, reason: str) -> None:
    from standwith.shield.tasks import send_shield_mail

    send_shield_mail.enqueue(petition_id, change, reason, uuid.uuid4().hex)
