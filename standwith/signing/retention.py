"""How long signers' personal data is kept, and the daily sweep that erases it once that time is up.

A petition's signers' personal data is kept while it takes signatures, and for its organisation's
`retention_days` after it closes (closed, archived, or removed while public); then it is erased (signing/erasure.py),
leaving the count and the figures. The network and domain digests kept for fraud analysis go sooner, after
IP_DIGEST_RETENTION_DAYS from signing, whatever the petition's state. Each sweep records what it erased
(ErasureRecord), counts only.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from standwith.campaigns.models import Organization, Petition
from standwith.signing.erasure import erase
from standwith.signing.models import ErasureRecord, Signature

# States in which a petition takes no more signatures; a public petition later removed (rejected) among them.
STOPPED = [Petition.State.CLOSED, Petition.State.ARCHIVED, Petition.State.REJECTED]


@dataclass(frozen=True)
class Erased:
    petition_id: int
    signatures: int


def due_petitions(now: datetime) -> list[Petition]:
    """Petitions that stopped taking signatures at least their organisation's retention_days ago."""
    due = []
    # Per organisation (a handful), so the cutoff is a plain value every database compares alike.
    for organization in Organization.objects.filter(petitions__state__in=STOPPED).distinct():
        cutoff = now - timedelta(days=organization.retention_days)
        # A petition closed before closed_at existed and missed by its backfill falls back to its last change:
        # later than its closing, never sooner, so its data is never erased early.
        petitions = organization.petitions.filter(state__in=STOPPED).filter(
            Q(closed_at__lte=cutoff) | Q(closed_at__isnull=True, updated_at__lte=cutoff)
        )
        due += list(petitions)
    return sorted(due, key=lambda petition: petition.pk)


def erase_expired(now: datetime | None = None) -> list[Erased]:
    """Erase the personal data of signers of every petition past its retention; what was erased, per petition.

    Idempotent: a petition already swept has nothing left to erase and gets no new record; a sweep cut short
    is finished by the next. A swept petition is looked through again each day (a read of its rows), so that
    signatures entered later (on paper, say) do not outlive the rule.
    """
    now = now or timezone.now()
    done = []
    for petition in due_petitions(now):
        count = erase(Signature.objects.filter(petition=petition))
        if count:
            ErasureRecord.objects.create(kind=ErasureRecord.Kind.RETENTION, petition=petition, signatures=count)
            done.append(Erased(petition.pk, count))
    return done


def purge_network_digests(now: datetime | None = None) -> int:
    """Forget the network and domain digests of signatures made more than IP_DIGEST_RETENTION_DAYS ago."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.IP_DIGEST_RETENTION_DAYS)
    kept = Q(network_digest__isnull=False) | Q(domain_digest__isnull=False)
    cleared = Signature.objects.filter(kept, created_at__lt=cutoff).update(network_digest=None, domain_digest=None)
    if cleared:
        ErasureRecord.objects.create(kind=ErasureRecord.Kind.NETWORK_DIGESTS, signatures=cleared)
    return cleared
